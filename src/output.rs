//! The **write** stage: the output folder, and keeping it safe.
//!
//! A build writes into a staging folder beside the output and moves what it wrote into place
//! only when complete ([`Transaction`]), so an error or an interruption leaves the previous site
//! untouched; files whose bytes did not change are not written at all ([`OutputState`]), so
//! they keep their modification time and rsync-style deploys copy only what changed. bantin refuses
//! output folders where a swap would destroy something: `/`, the home folder, the site itself or
//! a parent of it, its source folders, and any non-empty folder it did not create (it marks its
//! own with [`MARKER`]) unless forced.

use std::path::{Component, Path, PathBuf};

use std::collections::HashSet;

use crate::fingerprint::{Digest, Fingerprinter};
use crate::plan::{AssetSource, CopyJob};
use crate::render::RenderedPage;

mod state;
mod transaction;

pub use state::{BuildRecord, OutputState};
pub use transaction::{SyncReport, Transaction};

/// The file bantin leaves in every output folder it creates.
pub const MARKER: &str = ".bantin-output";

/// Why an output folder cannot be used, or writing it failed.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("không thể xuất trang vào {path}: {reason}")]
    Dangerous { path: PathBuf, reason: Refusal },
    #[error(
        "thư mục {path} đã có tệp không do bantin tạo; chọn thư mục khác, xóa nó, hoặc thêm --force nếu chắc chắn muốn thay thế"
    )]
    NotOurs { path: PathBuf },
    #[error("đã dừng theo yêu cầu (Ctrl-C) trước khi ghi; thư mục xuất giữ nguyên như cũ")]
    Interrupted,
    #[error("lỗi khi ghi {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// Why bantin will not write somewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The root of the file system.
    Root,
    /// The home folder or a folder holding it.
    Home,
    /// The site's own folder.
    SiteItself,
    /// A folder holding the site.
    HoldsSite,
    /// `content/`, `static/`, `themes/`, `templates/` or inside them.
    SourceFolder,
    /// `.bantin-cache/` or inside it.
    CacheFolder,
    ConfigFile,
    /// An existing file, not a folder.
    NotAFolder,
    /// A path inside the output that leads out of it.
    Escapes,
    /// A page that was neither rendered nor written before (a caller's mistake).
    NotRendered,
}

impl Refusal {
    /// The reason in words, in `lang`.
    pub fn text(self, lang: crate::error::Lang) -> &'static str {
        let (vi, en) = match self {
            Refusal::Root => (
                "đây là thư mục gốc của máy",
                "it is the root folder of the computer",
            ),
            Refusal::Home => (
                "đây là thư mục nhà (home) của người dùng hoặc thư mục chứa nó",
                "it is the user's home folder or a folder holding it",
            ),
            Refusal::SiteItself => (
                "đây chính là thư mục của trang",
                "it is the site's own folder",
            ),
            Refusal::HoldsSite => (
                "thư mục này chứa cả trang; xuất ra sẽ xóa mất nội dung",
                "this folder holds the site itself; building into it would delete the content",
            ),
            Refusal::SourceFolder => (
                "đây là thư mục nguồn của trang",
                "it is one of the site's source folders",
            ),
            Refusal::CacheFolder => (
                "đây là thư mục bộ nhớ đệm của bantin (.bantin-cache)",
                "it is bantin's cache folder (.bantin-cache)",
            ),
            Refusal::ConfigFile => (
                "đây là tệp cấu hình của trang",
                "it is the site's configuration file",
            ),
            Refusal::NotAFolder => (
                "đây là một tệp, không phải thư mục",
                "it is a file, not a folder",
            ),
            Refusal::Escapes => (
                "đường dẫn ra ngoài thư mục xuất",
                "the path leads outside the output folder",
            ),
            Refusal::NotRendered => ("trang chưa được tạo", "the page was not made"),
        };
        lang.pick(vi, en)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text(crate::error::Lang::Vi))
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |error| OutputError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// `path` made absolute against `base`, with `.` and `..` resolved lexically and then through
/// the deepest existing ancestor's real path (so symlinks cannot hide where it points).
pub fn absolute(base: &Path, path: &Path) -> PathBuf {
    let base = if base.is_absolute() {
        base.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(base)
    };
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let mut lexical = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                lexical.pop();
            }
            Component::CurDir => {}
            other => lexical.push(other),
        }
    }
    // Canonicalise the longest existing prefix.
    let mut existing = lexical.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (
            existing.file_name().map(|n| n.to_os_string()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

/// Check that `output` may be replaced by a build of the site at `root`.
pub fn validate_output_dir(
    root: &Path,
    output: &Path,
    home: Option<&Path>,
    force: bool,
) -> Result<(), OutputError> {
    let root = absolute(Path::new("."), root);
    let out = absolute(&root, output);
    let refuse = |reason| {
        Err(OutputError::Dangerous {
            path: out.clone(),
            reason,
        })
    };
    if out.parent().is_none() {
        return refuse(Refusal::Root);
    }
    if let Some(home) = home {
        let home = absolute(Path::new("."), home);
        if out == home || home.starts_with(&out) {
            return refuse(Refusal::Home);
        }
    }
    if out == root {
        return refuse(Refusal::SiteItself);
    }
    if root.starts_with(&out) {
        return refuse(Refusal::HoldsSite);
    }
    for source in ["content", "static", "themes", "templates"] {
        if out.starts_with(root.join(source)) {
            return refuse(Refusal::SourceFolder);
        }
    }
    if out.starts_with(root.join(crate::images::CACHE_DIR)) {
        return refuse(Refusal::CacheFolder);
    }
    if root.join(crate::config::CONFIG_FILE) == out {
        return refuse(Refusal::ConfigFile);
    }
    if !force && out.is_dir() && !out.join(MARKER).exists() {
        let non_empty = std::fs::read_dir(&out).map_err(io(&out))?.next().is_some();
        if non_empty {
            return Err(OutputError::NotOurs { path: out });
        }
    }
    if out.exists() && !out.is_dir() {
        return refuse(Refusal::NotAFolder);
    }
    Ok(())
}

/// A relative output path that stays inside the output folder.
fn safe_join(dir: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| dir.join(rel))
}

/// Sibling path of `output` named `.<name>.<suffix>` (same file system, so renames are atomic).
fn sibling(output: &Path, suffix: &str) -> PathBuf {
    let name = output
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    output.with_file_name(format!(".{name}.{suffix}"))
}

/// Write rendered pages and copied files into `output`, which then holds exactly them, with
/// no state kept from an earlier write: every file is compared with the folder. Returns the
/// number of files written.
pub fn write_site(
    output: &Path,
    pages: &[RenderedPage],
    copies: &[CopyJob],
) -> Result<usize, OutputError> {
    let tx = Transaction::begin(output, OutputState::default(), None);
    let (report, _) = tx.commit(pages, copies, &HashSet::new());
    Ok(report?.written.len())
}

/// What a copied file is made from: an embedded file's bytes, or a file's path, size and
/// modification time (reading every image on every rebuild would be too slow).
fn source_fingerprint(source: &AssetSource) -> Digest {
    let mut f = Fingerprinter::new();
    match source {
        AssetSource::Embedded(bytes) => {
            f.u64(0).bytes(bytes);
        }
        AssetSource::File(path) => {
            f.u64(1).str(&path.to_string_lossy());
            if let Ok(meta) = std::fs::metadata(path) {
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .unwrap_or_default();
                f.u64(meta.len())
                    .u64(modified.as_secs())
                    .u64(u64::from(modified.subsec_nanos()));
            }
        }
    }
    f.finish()
}

/// Replace `output` with `staging`: the old folder is moved aside first and removed last.
fn swap_in(staging: &Path, output: &Path) -> Result<(), OutputError> {
    let old = sibling(output, "bantin-old");
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    if output.exists() {
        std::fs::rename(output, &old).map_err(io(output))?;
    }
    if let Err(e) = std::fs::rename(staging, output) {
        // Put the previous site back.
        if old.exists() {
            let _ = std::fs::rename(&old, output);
        }
        return Err(io(output)(e));
    }
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rendered pages from (file, bytes); the fingerprint is the bytes' digest.
    fn pages(list: &[(&str, &[u8])]) -> Vec<RenderedPage> {
        list.iter()
            .map(|(file, bytes)| RenderedPage {
                file: file.to_string(),
                stamp: crate::render::PageStamp {
                    key: None,
                    fingerprint: crate::fingerprint::of_bytes(bytes),
                },
                bytes: Some(bytes.to_vec()),
            })
            .collect()
    }

    /// How a test hands its pages to a transaction.
    #[derive(Clone, Copy)]
    enum Handover {
        /// All at the commit.
        AtCommit,
        /// One by one before the commit, as a build does as it renders them.
        Streamed,
    }

    /// One write through a transaction, keeping `state` for the next.
    fn sync_site(
        out: &Path,
        pages: &[RenderedPage],
        copies: &[CopyJob],
        state: &mut OutputState,
        handover: Handover,
    ) -> Result<SyncReport, OutputError> {
        let tx = Transaction::begin(out, std::mem::take(state), None);
        let mut pages = pages.to_vec();
        if let Handover::Streamed = handover {
            for p in &mut pages {
                let _ = tx.page(p);
            }
        }
        let (report, new) = tx.commit(&pages, copies, &HashSet::new());
        *state = new;
        report
    }

    fn mtime(path: &Path) -> std::time::SystemTime {
        std::fs::metadata(path).unwrap().modified().unwrap()
    }

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("site/content")).unwrap();
        dir
    }

    #[test]
    fn dangerous_output_folders_are_refused() {
        let tmp = site();
        let root = tmp.path().join("site");
        let home = tmp.path().join("home-user");
        std::fs::create_dir_all(&home).unwrap();
        for bad in [
            PathBuf::from("/"),
            home.clone(),
            root.clone(),
            PathBuf::from("."),
            PathBuf::from(".."),
            tmp.path().to_path_buf(),
            PathBuf::from("content"),
            PathBuf::from("content/x"),
            PathBuf::from("public/../.."),
            PathBuf::from(".bantin-cache/public"),
        ] {
            let r = validate_output_dir(&root, &bad, Some(&home), true);
            assert!(
                matches!(r, Err(OutputError::Dangerous { .. })),
                "{bad:?} was accepted"
            );
        }
        assert!(validate_output_dir(&root, Path::new("public"), Some(&home), false).is_ok());
        assert!(validate_output_dir(&root, &tmp.path().join("out"), Some(&home), false).is_ok());
    }

    #[test]
    fn a_relative_site_root_is_resolved_from_the_current_folder() {
        // `bantin build` runs with `--root .` by default.
        let cwd = std::env::current_dir().unwrap();
        for bad in ["content/x", "static", ".", "src"] {
            let bad = Path::new(bad);
            let r = validate_output_dir(Path::new("."), bad, None, true);
            let inside_source = ["content", "static", "themes", "templates"]
                .iter()
                .any(|s| bad.starts_with(s));
            if inside_source || bad == Path::new(".") {
                assert!(matches!(r, Err(OutputError::Dangerous { .. })), "{bad:?}");
            }
        }
        let r = validate_output_dir(Path::new("."), Path::new("."), None, true);
        let Err(OutputError::Dangerous { path, .. }) = r else {
            panic!("site root accepted");
        };
        assert_eq!(path, cwd.canonicalize().unwrap());
    }

    #[test]
    fn a_folder_bantin_did_not_create_needs_force() {
        let tmp = site();
        let root = tmp.path().join("site");
        let other = tmp.path().join("documents");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("important.docx"), b"x").unwrap();
        assert!(matches!(
            validate_output_dir(&root, &other, None, false),
            Err(OutputError::NotOurs { .. })
        ));
        assert!(validate_output_dir(&root, &other, None, true).is_ok());
        std::fs::remove_file(other.join("important.docx")).unwrap();
        assert!(validate_output_dir(&root, &other, None, false).is_ok());
    }

    #[test]
    fn write_swaps_in_a_whole_new_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(&out, &pages(&[("index.html", b"one")]), &[]).unwrap();
        std::fs::write(out.join("stale.html"), b"old").unwrap();
        write_site(&out, &pages(&[("a/index.html", b"two")]), &[]).unwrap();
        assert!(!out.join("stale.html").exists());
        assert!(!out.join("index.html").exists());
        assert_eq!(std::fs::read(out.join("a/index.html")).unwrap(), b"two");
        assert!(out.join(MARKER).exists());
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging or old folders left behind");
    }

    #[test]
    fn sync_touches_only_what_changed_and_removes_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("stray.html"), b"left by an old build").unwrap();
        std::fs::write(out.join(MARKER), b"").unwrap();
        let mut state = OutputState::default();
        let one = pages(&[("index.html", b"one"), ("a/index.html", b"a")]);
        let r = sync_site(&out, &one, &[], &mut state, Handover::AtCommit).unwrap();
        assert_eq!(r.written, vec!["a/index.html", "index.html"]);
        assert_eq!(
            r.removed,
            vec!["stray.html"],
            "the first sync removes strays"
        );
        let before = mtime(&out.join("a/index.html"));
        std::thread::sleep(std::time::Duration::from_millis(20));

        // Same bytes under a new fingerprint (a template edit that changed nothing visible).
        let mut two = pages(&[("index.html", b"two"), ("a/index.html", b"a")]);
        two[1].stamp.fingerprint ^= 1;
        let r = sync_site(&out, &two, &[], &mut state, Handover::AtCommit).unwrap();
        assert_eq!(r.written, vec!["index.html"]);
        assert!(r.removed.is_empty());
        assert_eq!(
            before,
            mtime(&out.join("a/index.html")),
            "an unchanged file keeps its modification time"
        );
        assert_eq!(state.page("a/index.html"), Some(two[1].stamp));

        // A page that was not rendered is left alone and keeps its digest.
        let mut three = two.clone();
        three[1].bytes = None;
        let r = sync_site(&out, &three, &[], &mut state, Handover::AtCommit).unwrap();
        assert!(r.written.is_empty());
        let r = sync_site(&out, &three[..1], &[], &mut state, Handover::AtCommit).unwrap();
        assert_eq!(r.removed, vec!["a/index.html"]);
        assert!(!out.join("a").exists(), "empty folders are removed");
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"two");
    }

    #[test]
    fn streamed_pages_remove_what_the_site_no_longer_has() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let logo = tmp.path().join("logo.svg");
        std::fs::write(&logo, b"<svg/>").unwrap();
        let copy = |to: &str| CopyJob {
            from: AssetSource::File(logo.clone()),
            to: to.into(),
        };
        let mut state = OutputState::default();
        let all = pages(&[("index.html", b"home"), ("a/index.html", b"a")]);
        let r = sync_site(
            &out,
            &all,
            &[copy("logo.svg")],
            &mut state,
            Handover::Streamed,
        )
        .unwrap();
        assert_eq!(r.written, vec!["a/index.html", "index.html", "logo.svg"]);

        // Nothing rendered, nothing gone: nothing changes.
        let mut unrendered = all.clone();
        for p in &mut unrendered {
            p.bytes = None;
        }
        let r = sync_site(
            &out,
            &unrendered,
            &[copy("logo.svg")],
            &mut state,
            Handover::Streamed,
        )
        .unwrap();
        assert!(r.written.is_empty() && r.removed.is_empty());

        // A page and the copy leave the site while a new copy comes: both are removed.
        let r = sync_site(
            &out,
            &unrendered[..1],
            &[copy("logo2.svg")],
            &mut state,
            Handover::Streamed,
        )
        .unwrap();
        assert_eq!(r.written, vec!["logo2.svg"]);
        assert_eq!(r.removed, vec!["a/index.html", "logo.svg"]);
        assert!(!out.join("a").exists() && !out.join("logo.svg").exists());

        // Twice the same copy, and a copy where a page is: each file is kept once.
        let r = sync_site(
            &out,
            &unrendered[..1],
            &[copy("logo2.svg"), copy("logo2.svg"), copy("index.html")],
            &mut state,
            Handover::Streamed,
        )
        .unwrap();
        assert!(r.written.is_empty() && r.removed.is_empty());
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"home");

        // A page that was neither rendered nor ever written: refused, the folder untouched.
        let mut missing = pages(&[("b/index.html", b"b")]);
        missing[0].bytes = None;
        missing.extend(unrendered[..1].iter().cloned());
        let err = sync_site(&out, &missing, &[], &mut state, Handover::Streamed).unwrap_err();
        assert!(matches!(
            err,
            OutputError::Dangerous {
                reason: Refusal::NotRendered,
                ..
            }
        ));
        assert!(out.join("logo2.svg").exists(), "nothing was removed");
    }

    #[test]
    fn copies_are_skipped_while_their_source_is_unchanged() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let src = tmp.path().join("logo.svg");
        std::fs::write(&src, b"<svg/>").unwrap();
        let copies = [CopyJob {
            from: AssetSource::File(src.clone()),
            to: "logo.svg".into(),
        }];
        let mut state = OutputState::default();
        let r = sync_site(&out, &[], &copies, &mut state, Handover::AtCommit).unwrap();
        assert_eq!(r.written, vec!["logo.svg"]);
        let r = sync_site(&out, &[], &copies, &mut state, Handover::AtCommit).unwrap();
        assert!(r.written.is_empty());
        std::fs::write(&src, b"<svg id='new'/>").unwrap();
        let r = sync_site(&out, &[], &copies, &mut state, Handover::AtCommit).unwrap();
        assert_eq!(r.written, vec!["logo.svg"]);
        assert_eq!(
            std::fs::read(out.join("logo.svg")).unwrap(),
            b"<svg id='new'/>"
        );
    }

    #[test]
    fn paths_escaping_the_output_are_rejected() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        assert!(write_site(&out, &pages(&[("../evil.html", b"x")]), &[]).is_err());
        assert!(!tmp.path().join("evil.html").exists());
        assert!(!out.exists());
    }
}
