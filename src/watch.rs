//! Watching a site for changes, the way editors actually save.
//!
//! Folders are watched, not files (an editor that saves by writing a temporary file and renaming
//! it replaces the inode a file watch would follow). Events are debounced: a burst (a `git
//! checkout`, a folder copied in) arrives as one batch, so it costs one rebuild. Swap, backup and
//! hidden files (`.swp`, `~`, `.#x`, `4913`, `.DS_Store`) and the output folders are ignored;
//! access events are ignored; creations, changes, renames and deletions all count.
//!
//! The debouncing is done here, over notify's raw events, rather than with
//! `notify-debouncer-full`: that crate stitches a chain of renames of one file into one event and
//! drops the paths in between, so a file saved by rename and then renamed within the debounce
//! window (`.tmp` → `a.md` → `b.md`) was reported as `.tmp` → `b.md` only, and the article at
//! `a.md` stayed in the site (found by tests/soak.rs). A batch here holds every path any event of
//! the burst touched; the reader of a batch looks at the files as they are now.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher as _};

use crate::content::is_ignored;

/// How long the watcher waits for a burst of events to settle.
pub const DEBOUNCE: Duration = Duration::from_millis(80);

/// The longest a batch is held while events keep coming, so that a long stream of saves still
/// rebuilds as it goes.
const MAX_BATCH_WAIT: Duration = Duration::from_secs(1);

/// Why watching could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("không theo dõi được thư mục {path}: {error}")]
    Watch { path: PathBuf, error: String },
}

/// A running watch on a site folder.
pub struct Watcher {
    _watcher: notify::RecommendedWatcher,
    rx: Receiver<notify::Result<notify::Event>>,
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
        let error = |e: notify::Error| WatchError::Watch {
            path: root.to_path_buf(),
            error: e.to_string(),
        };
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
        })
        .map_err(error)?;
        watcher
            .watch(root, RecursiveMode::Recursive)
            .map_err(error)?;
        Ok(Watcher {
            _watcher: watcher,
            rx,
            root: root.to_path_buf(),
            ignored,
        })
    }

    /// Wait up to `timeout` for the next batch of relevant changes: the first event, then every
    /// event until none came for [`DEBOUNCE`] (at most [`MAX_BATCH_WAIT`]).
    pub fn next_batch(&self, timeout: Duration) -> Batch {
        let first = match self.rx.recv_timeout(timeout) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => return Batch::Idle,
            Err(RecvTimeoutError::Disconnected) => return Batch::Closed,
        };
        let started = Instant::now();
        let mut events = vec![first];
        while started.elapsed() < MAX_BATCH_WAIT {
            match self.rx.recv_timeout(DEBOUNCE) {
                Ok(event) => events.push(event),
                Err(_) => break,
            }
        }
        let mut paths: Vec<PathBuf> = Vec::new();
        for event in events {
            match event {
                // Events were lost (the kernel's queue overflowed) or the watch failed: anything
                // may have changed, so the whole site is read again (the root holds `content/`).
                Err(_) => paths.push(self.root.clone()),
                Ok(e) if e.need_rescan() => paths.push(self.root.clone()),
                Ok(e) if matches!(e.kind, EventKind::Access(_)) => {}
                Ok(e) => paths.extend(
                    e.paths
                        .into_iter()
                        .filter(|p| is_relevant(&self.root, p, &self.ignored)),
                ),
            }
        }
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

    #[test]
    fn a_file_saved_by_rename_then_renamed_is_reported_at_both_names() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let dir = root.join("content/articles");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.md"), "old").unwrap();
        let w = Watcher::new(&root, vec![root.join("public")]).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        // Saved by rename over a.md, then renamed to b.md, within one burst: a.md is gone and
        // must be reported, or its article would stay in the site.
        std::fs::write(dir.join(".a.md.tmp"), "new").unwrap();
        std::fs::rename(dir.join(".a.md.tmp"), dir.join("a.md")).unwrap();
        std::fs::rename(dir.join("a.md"), dir.join("b.md")).unwrap();
        let mut seen = Vec::new();
        for _ in 0..20 {
            match w.next_batch(Duration::from_millis(200)) {
                Batch::Changed(paths) => seen.extend(paths),
                Batch::Idle if !seen.is_empty() => break,
                _ => {}
            }
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen, vec![dir.join("a.md"), dir.join("b.md")]);
    }
}
