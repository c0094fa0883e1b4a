//! Watching a site for changes, the way editors actually save.
//!
//! Folders are watched, not files (an editor that saves by writing a temporary file and renaming
//! it replaces the inode a file watch would follow). Events are debounced: a burst (a `git
//! checkout`, a folder copied in) arrives as one batch, so it costs one rebuild. Swap, backup and
//! hidden files (`.swp`, `~`, `.#x`, `4913`, `.DS_Store`) and the output folders are ignored;
//! access events are ignored; creations, changes, renames and deletions all count.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::content::is_ignored;

/// How long the watcher waits for a burst of events to settle.
pub const DEBOUNCE: Duration = Duration::from_millis(80);

/// Why watching could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("không theo dõi được thư mục {path}: {error}")]
    Watch { path: PathBuf, error: String },
}

/// A running watch on a site folder.
pub struct Watcher {
    _debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    rx: Receiver<DebounceEventResult>,
    root: PathBuf,
    ignored: Vec<PathBuf>,
}

/// The result of waiting for changes.
#[derive(Debug, PartialEq, Eq)]
pub enum Batch {
    /// Files that changed, were created, renamed or deleted (relevant ones only, deduplicated).
    Changed(Vec<PathBuf>),
    /// Nothing relevant happened within the timeout.
    Idle,
    /// The watcher stopped.
    Closed,
}

impl Watcher {
    /// Watch `root` recursively; changes under any of `ignored` (output folders) are dropped.
    pub fn new(root: &Path, ignored: Vec<PathBuf>) -> Result<Watcher, WatchError> {
        let (tx, rx) = channel();
        let mut debouncer = new_debouncer(DEBOUNCE, None, tx).map_err(|e| WatchError::Watch {
            path: root.to_path_buf(),
            error: e.to_string(),
        })?;
        debouncer
            .watch(root, RecursiveMode::Recursive)
            .map_err(|e| WatchError::Watch {
                path: root.to_path_buf(),
                error: e.to_string(),
            })?;
        Ok(Watcher {
            _debouncer: debouncer,
            rx,
            root: root.to_path_buf(),
            ignored,
        })
    }

    /// Wait up to `timeout` for the next batch of relevant changes.
    pub fn next_batch(&self, timeout: Duration) -> Batch {
        let events = match self.rx.recv_timeout(timeout) {
            Ok(Ok(events)) => events,
            Ok(Err(_)) => return Batch::Idle,
            Err(RecvTimeoutError::Timeout) => return Batch::Idle,
            Err(RecvTimeoutError::Disconnected) => return Batch::Closed,
        };
        let mut paths: Vec<PathBuf> = events
            .iter()
            .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
            .flat_map(|e| e.event.paths.iter())
            .filter(|p| is_relevant(&self.root, p, &self.ignored))
            .cloned()
            .collect();
        paths.sort();
        paths.dedup();
        if paths.is_empty() {
            Batch::Idle
        } else {
            Batch::Changed(paths)
        }
    }
}

/// Whether a changed path can affect the site: `site.toml`, or a non-ignored file under
/// `content/`, `static/`, `templates/` or `themes/`, outside the output folders.
pub fn is_relevant(root: &Path, path: &Path, ignored: &[PathBuf]) -> bool {
    if ignored.iter().any(|i| path.starts_with(i)) {
        return false;
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    if rel.components().any(|c| is_ignored(c.as_os_str())) {
        return false;
    }
    let mut parts = rel.components();
    match parts
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
    {
        Some(first) if first == crate::config::CONFIG_FILE => parts.next().is_none(),
        Some(first) => ["content", "static", "templates", "themes"].contains(&first.as_str()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_site_files_are_relevant() {
        let root = Path::new("/site");
        let out = vec![PathBuf::from("/site/public")];
        for yes in [
            "/site/site.toml",
            "/site/content/articles/a.md",
            "/site/content/articles/2025/b/anh.jpg",
            "/site/themes/phuong/templates/base.html",
            "/site/static/style.css",
            "/site/templates/404.html",
        ] {
            assert!(is_relevant(root, Path::new(yes), &out), "{yes}");
        }
        for no in [
            "/site/public/index.html",
            "/site/content/articles/.a.md.swp",
            "/site/content/articles/a.md~",
            "/site/content/articles/.#a.md",
            "/site/content/articles/4913",
            "/site/content/.DS_Store",
            "/site/.git/index",
            "/site/README.md",
            "/elsewhere/site.toml",
            "/site/target/x",
            // The processed photos (docs/images.md): written by builds, never a change.
            "/site/.bantin-cache/images/index.tsv",
        ] {
            assert!(!is_relevant(root, Path::new(no), &out), "{no}");
        }
    }

    #[test]
    fn a_save_by_rename_arrives_as_one_batch() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("content/articles")).unwrap();
        let w = Watcher::new(&root, vec![root.join("public")]).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        // Like vim or VS Code: write a temporary file, then rename it over the article.
        let tmp_file = root.join("content/articles/.a.md.tmp");
        std::fs::write(&tmp_file, "x").unwrap();
        std::fs::rename(&tmp_file, root.join("content/articles/a.md")).unwrap();
        std::fs::write(root.join("content/articles/a.md~"), "backup").unwrap();
        std::fs::create_dir_all(root.join("public")).unwrap();
        std::fs::write(root.join("public/index.html"), "out").unwrap();
        let mut seen = Vec::new();
        for _ in 0..20 {
            match w.next_batch(Duration::from_millis(200)) {
                Batch::Changed(paths) => seen.extend(paths),
                Batch::Idle if !seen.is_empty() => break,
                _ => {}
            }
        }
        assert_eq!(seen, vec![root.join("content/articles/a.md")]);
    }
}
