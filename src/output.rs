//! The **write** stage: the output folder, and keeping it safe.
//!
//! A build writes everything into a staging folder beside the output and swaps it in only when
//! complete, so an error or an interruption leaves the previous site untouched. bantin refuses
//! output folders where a swap would destroy something: `/`, the home folder, the site itself or
//! a parent of it, its source folders, and any non-empty folder it did not create (it marks its
//! own with [`MARKER`]) unless forced.

use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use std::collections::{HashMap, HashSet};

use crate::fingerprint::{self, Digest, Fingerprinter};
use crate::plan::{AssetSource, CopyJob};
use crate::render::{PageStamp, RenderedPage};

/// The file bantin leaves in every output folder it creates.
pub const MARKER: &str = ".bantin-output";

/// Why an output folder cannot be used, or writing it failed.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("không thể xuất trang vào {path}: {reason}")]
    Dangerous { path: PathBuf, reason: &'static str },
    #[error(
        "thư mục {path} đã có tệp không do bantin tạo; chọn thư mục khác, xóa nó, hoặc thêm --force nếu chắc chắn muốn thay thế"
    )]
    NotOurs { path: PathBuf },
    #[error("lỗi khi ghi {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
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
        return refuse("đây là thư mục gốc của máy");
    }
    if let Some(home) = home {
        let home = absolute(Path::new("."), home);
        if out == home || home.starts_with(&out) {
            return refuse("đây là thư mục nhà (home) của người dùng hoặc thư mục chứa nó");
        }
    }
    if out == root {
        return refuse("đây chính là thư mục của trang");
    }
    if root.starts_with(&out) {
        return refuse("thư mục này chứa cả trang; xuất ra sẽ xóa mất nội dung");
    }
    for source in ["content", "static", "themes", "templates"] {
        if out.starts_with(root.join(source)) {
            return refuse("đây là thư mục nguồn của trang");
        }
    }
    if root.join(crate::config::CONFIG_FILE) == out {
        return refuse("đây là tệp cấu hình của trang");
    }
    if !force && out.is_dir() && !out.join(MARKER).exists() {
        let non_empty = std::fs::read_dir(&out).map_err(io(&out))?.next().is_some();
        if non_empty {
            return Err(OutputError::NotOurs { path: out });
        }
    }
    if out.exists() && !out.is_dir() {
        return refuse("đây là một tệp, không phải thư mục");
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

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    std::fs::write(path, bytes).map_err(io(path))
}

/// Sibling path of `output` named `.<name>.<suffix>` (same file system, so renames are atomic).
fn sibling(output: &Path, suffix: &str) -> PathBuf {
    let name = output
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    output.with_file_name(format!(".{name}.{suffix}"))
}

/// Write rendered pages and copied files into `output` through a staging folder, then swap.
/// Returns the number of files written.
pub fn write_site(
    output: &Path,
    pages: &[RenderedPage],
    copies: &[CopyJob],
) -> Result<usize, OutputError> {
    let staging = sibling(output, "bantin-staging");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    std::fs::create_dir_all(&staging).map_err(io(&staging))?;
    let result = fill_staging(&staging, pages, copies);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    swap_in(&staging, output)?;
    Ok(pages.len() + copies.len())
}

fn fill_staging(
    staging: &Path,
    pages: &[RenderedPage],
    copies: &[CopyJob],
) -> Result<(), OutputError> {
    let bad_path = |rel: &str| OutputError::Dangerous {
        path: PathBuf::from(rel),
        reason: "đường dẫn ra ngoài thư mục xuất",
    };
    // Copies first: a page at the same path (there should be none) wins.
    copies.par_iter().try_for_each(|c| {
        let dest = safe_join(staging, &c.to).ok_or_else(|| bad_path(&c.to))?;
        match &c.from {
            AssetSource::Embedded(bytes) => write_file(&dest, bytes),
            AssetSource::File(src) => {
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent).map_err(io(parent))?;
                }
                std::fs::copy(src, &dest).map(|_| ()).map_err(io(src))
            }
        }
    })?;
    pages.par_iter().try_for_each(|p| {
        let dest = safe_join(staging, &p.file).ok_or_else(|| bad_path(&p.file))?;
        write_file(&dest, p.bytes.as_deref().unwrap_or_default())
    })?;
    write_file(
        &staging.join(MARKER),
        b"This folder is written by bantin; each build replaces it whole.\n",
    )
}

/// What a [`sync_site`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Site-relative paths written (new or changed bytes).
    pub written: Vec<String>,
    /// Site-relative paths removed (no longer part of the site).
    pub removed: Vec<String>,
}

/// What bantin last wrote into an output folder, file by file, for `watch` and `serve`: the
/// fingerprint of what each file was made from and the digest of its bytes. With it a rebuild
/// knows, without reading the folder back, which pages need no rendering and which files need no
/// writing. Empty until the first [`sync_site`] and after any failed one.
#[derive(Debug, Default, Clone)]
pub struct OutputState {
    files: HashMap<String, Stamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    /// For pages: their key (see [`PageStamp`]).
    key: Option<Digest>,
    fingerprint: Digest,
    digest: Digest,
}

impl OutputState {
    /// What the page at `file` (site-relative) was last written from.
    pub fn page(&self, file: &str) -> Option<PageStamp> {
        self.files.get(file).map(|s| PageStamp {
            key: s.key,
            fingerprint: s.fingerprint,
        })
    }

    /// Forget everything: the next sync compares every file with the folder.
    pub fn clear(&mut self) {
        self.files.clear();
    }

    /// Forget everything if `output` lost bantin's marker: the folder was deleted or replaced
    /// since the last sync. Call before rendering, since the state decides what is rendered.
    pub fn check(&mut self, output: &Path) {
        if !self.is_empty() && !output.join(MARKER).is_file() {
            self.clear();
        }
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Make `output` hold exactly `pages` and `copies`, in place: a file whose bytes are unchanged
/// is not touched (its modification time stays), changed files are replaced atomically
/// (written beside, then renamed), files no longer part of the site are removed.
///
/// With an empty `state` (the first sync of a session) every file is compared with what the
/// folder holds. Afterwards `state` stands for the folder: pages that were not rendered
/// (`bytes: None`) and copies whose source is unchanged are skipped without touching the disk,
/// and only files the last sync wrote can be removed.
pub fn sync_site(
    output: &Path,
    pages: &[RenderedPage],
    copies: &[CopyJob],
    state: &mut OutputState,
) -> Result<SyncReport, OutputError> {
    sync_site_changed(output, pages, copies, state, &HashSet::new())
}

/// [`sync_site`], told which source files changed: a copy of one of them is compared with its
/// source even when the file's size and modification time look unchanged (a file swapped in
/// by `cp -p`, an unzip, or two saves within the file system's clock resolution).
pub fn sync_site_changed(
    output: &Path,
    pages: &[RenderedPage],
    copies: &[CopyJob],
    state: &mut OutputState,
    changed: &HashSet<PathBuf>,
) -> Result<SyncReport, OutputError> {
    let result = sync_with(output, pages, copies, state, changed);
    if result.is_err() {
        // The folder may now differ from the state in unknown ways: compare it all next time.
        state.files.clear();
    }
    result
}

fn sync_with(
    output: &Path,
    pages: &[RenderedPage],
    copies: &[CopyJob],
    state: &mut OutputState,
    changed: &HashSet<PathBuf>,
) -> Result<SyncReport, OutputError> {
    let first = state.is_empty();
    std::fs::create_dir_all(output).map_err(io(output))?;
    let bad_path = |rel: &str| OutputError::Dangerous {
        path: PathBuf::from(rel),
        reason: "đường dẫn ra ngoài thư mục xuất",
    };
    let old = &state.files;
    // Put `bytes` at `rel` unless the folder already holds them; returns whether it wrote.
    let put = |rel: &str, bytes: &[u8], digest: Digest| -> Result<bool, OutputError> {
        let dest = safe_join(output, rel).ok_or_else(|| bad_path(rel))?;
        if first {
            write_if_changed(&dest, bytes)
        } else if old.get(rel).is_some_and(|s| s.digest == digest) {
            Ok(false)
        } else {
            write_atomic(&dest, bytes).map(|()| true)
        }
    };
    let page_files: HashSet<&str> = pages.iter().map(|p| p.file.as_str()).collect();
    let copies: Vec<&CopyJob> = copies
        .iter()
        .filter(|c| !page_files.contains(c.to.as_str()))
        .collect();
    // (file, new stamp, whether it was written), for the files whose stamp changes.
    type Update<'a> = (&'a str, Stamp, bool);
    let copied: Vec<Option<Update>> = copies
        .par_iter()
        .map(|c| {
            let fingerprint = source_fingerprint(&c.from);
            let reported = matches!(&c.from, AssetSource::File(p) if changed.contains(p));
            if !first && !reported && old.get(&c.to).is_some_and(|s| s.fingerprint == fingerprint) {
                return Ok(None);
            }
            let bytes: std::borrow::Cow<[u8]> = match &c.from {
                AssetSource::Embedded(b) => std::borrow::Cow::Borrowed(b),
                AssetSource::File(src) => {
                    std::borrow::Cow::Owned(std::fs::read(src).map_err(io(src))?)
                }
            };
            let digest = fingerprint::of_bytes(&bytes);
            let wrote = put(&c.to, &bytes, digest)?;
            let stamp = Stamp {
                key: None,
                fingerprint,
                digest,
            };
            Ok(Some((c.to.as_str(), stamp, wrote)))
        })
        .collect::<Result<_, OutputError>>()?;
    let rendered: Vec<Option<Update>> = pages
        .par_iter()
        .map(|p| {
            let (digest, wrote) = match &p.bytes {
                Some(bytes) => {
                    let digest = fingerprint::of_bytes(bytes);
                    (digest, put(&p.file, bytes, digest)?)
                }
                None => match old.get(&p.file) {
                    Some(s) => (s.digest, false),
                    // Not rendered, yet never written: only a caller's mistake gets here.
                    None => return Err(bad_path(&p.file)),
                },
            };
            let stamp = Stamp {
                key: p.stamp.key,
                fingerprint: p.stamp.fingerprint,
                digest,
            };
            Ok((old.get(&p.file) != Some(&stamp)).then_some((p.file.as_str(), stamp, wrote)))
        })
        .collect::<Result<_, OutputError>>()?;
    // Files of the last sync that are no longer part of the site.
    let kept = copies
        .iter()
        .map(|c| c.to.as_str())
        .chain(pages.iter().map(|p| p.file.as_str()))
        .filter(|f| old.contains_key(*f))
        .count();
    let gone: Vec<String> = if kept == old.len() {
        Vec::new()
    } else {
        let wanted: HashSet<&str> = copies
            .iter()
            .map(|c| c.to.as_str())
            .chain(page_files.iter().copied())
            .collect();
        old.keys()
            .filter(|k| !wanted.contains(k.as_str()))
            .cloned()
            .collect()
    };
    let mut written = Vec::new();
    let updates: Vec<(String, Stamp, bool)> = copied
        .into_iter()
        .chain(rendered)
        .flatten()
        .map(|(f, s, w)| (f.to_string(), s, w))
        .collect();
    let files = &mut state.files;
    for rel in &gone {
        files.remove(rel);
    }
    for (rel, stamp, wrote) in updates {
        if wrote {
            written.push(rel.clone());
        }
        files.insert(rel, stamp);
    }
    let mut removed = Vec::new();
    if first {
        write_if_changed(
            &output.join(MARKER),
            b"This folder is written by bantin; each build replaces it whole.\n",
        )?;
        let mut dirs = Vec::new();
        for entry in walkdir::WalkDir::new(output)
            .min_depth(1)
            .into_iter()
            .filter_map(Result::ok)
        {
            let Ok(rel) = entry.path().strip_prefix(output) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if entry.file_type().is_dir() {
                dirs.push(entry.path().to_path_buf());
            } else if rel != MARKER && !files.contains_key(&rel) {
                std::fs::remove_file(entry.path()).map_err(io(entry.path()))?;
                removed.push(rel);
            }
        }
        // Folders left empty (deepest first).
        dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        for d in dirs {
            let _ = std::fs::remove_dir(&d);
        }
    } else {
        for rel in gone {
            let Some(path) = safe_join(output, &rel) else {
                continue;
            };
            match std::fs::remove_file(&path) {
                Ok(()) => removed.push(rel),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&path)(e)),
            }
            // Folders left empty, up to the output folder.
            let mut dir = path.parent();
            while let Some(d) = dir.filter(|d| *d != output && d.starts_with(output)) {
                if std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
    }
    written.sort();
    removed.sort();
    Ok(SyncReport { written, removed })
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

/// Write `bytes` to `path` unless it already holds them; returns whether it wrote.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool, OutputError> {
    if let Ok(meta) = std::fs::metadata(path)
        && meta.is_file()
        && meta.len() == bytes.len() as u64
        && std::fs::read(path).is_ok_and(|old| old == bytes)
    {
        return Ok(false);
    }
    write_atomic(path, bytes).map(|()| true)
}

/// Write beside, then rename: a reader (the dev server) never sees half a file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let tmp = path.with_file_name(format!(
        ".{}.bantin-tmp",
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    ));
    std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
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
                stamp: PageStamp {
                    key: None,
                    fingerprint: fingerprint::of_bytes(bytes),
                },
                bytes: Some(bytes.to_vec()),
            })
            .collect()
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
        let mut state = OutputState::default();
        let one = pages(&[("index.html", b"one"), ("a/index.html", b"a")]);
        let r = sync_site(&out, &one, &[], &mut state).unwrap();
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
        let r = sync_site(&out, &two, &[], &mut state).unwrap();
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
        let r = sync_site(&out, &three, &[], &mut state).unwrap();
        assert!(r.written.is_empty());
        let r = sync_site(&out, &three[..1], &[], &mut state).unwrap();
        assert_eq!(r.removed, vec!["a/index.html"]);
        assert!(!out.join("a").exists(), "empty folders are removed");
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"two");
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
        let r = sync_site(&out, &[], &copies, &mut state).unwrap();
        assert_eq!(r.written, vec!["logo.svg"]);
        let r = sync_site(&out, &[], &copies, &mut state).unwrap();
        assert!(r.written.is_empty());
        std::fs::write(&src, b"<svg id='new'/>").unwrap();
        let r = sync_site(&out, &[], &copies, &mut state).unwrap();
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
