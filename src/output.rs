//! The **write** stage: the output folder, and keeping it safe.
//!
//! A build writes everything into a staging folder beside the output and swaps it in only when
//! complete, so an error or an interruption leaves the previous site untouched. bantin refuses
//! output folders where a swap would destroy something: `/`, the home folder, the site itself or
//! a parent of it, its source folders, and any non-empty folder it did not create (it marks its
//! own with [`MARKER`]) unless forced.

use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::plan::{AssetSource, CopyJob};

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
    pages: &[(String, Vec<u8>)],
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
    pages: &[(String, Vec<u8>)],
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
    pages.par_iter().try_for_each(|(rel, bytes)| {
        let dest = safe_join(staging, rel).ok_or_else(|| bad_path(rel))?;
        write_file(&dest, bytes)
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

/// Make `output` hold exactly `pages` and `copies`, in place: a file whose bytes are unchanged
/// is not touched (its modification time stays), changed files are replaced atomically
/// (written beside and renamed), and files no longer in the site are removed. Used by `watch`
/// and `serve`, where each rebuild changes a handful of files; the result is the same folder a
/// clean build writes.
pub fn sync_site(
    output: &Path,
    pages: &[(String, Vec<u8>)],
    copies: &[CopyJob],
) -> Result<SyncReport, OutputError> {
    std::fs::create_dir_all(output).map_err(io(output))?;
    let bad_path = |rel: &str| OutputError::Dangerous {
        path: PathBuf::from(rel),
        reason: "đường dẫn ra ngoài thư mục xuất",
    };
    let mut wanted: std::collections::HashSet<String> = std::collections::HashSet::new();
    wanted.insert(MARKER.to_string());
    for (rel, _) in pages {
        wanted.insert(rel.clone());
    }
    for c in copies {
        wanted.insert(c.to.clone());
    }
    let mut written: Vec<String> = copies
        .par_iter()
        .filter(|c| !pages.iter().any(|(p, _)| *p == c.to))
        .map(|c| {
            let dest = safe_join(output, &c.to).ok_or_else(|| bad_path(&c.to))?;
            let bytes: std::borrow::Cow<[u8]> = match &c.from {
                AssetSource::Embedded(b) => std::borrow::Cow::Borrowed(b),
                AssetSource::File(src) => {
                    std::borrow::Cow::Owned(std::fs::read(src).map_err(io(src))?)
                }
            };
            write_if_changed(&dest, &bytes).map(|changed| changed.then(|| c.to.clone()))
        })
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    let pages_written: Vec<String> = pages
        .par_iter()
        .map(|(rel, bytes)| {
            let dest = safe_join(output, rel).ok_or_else(|| bad_path(rel))?;
            write_if_changed(&dest, bytes).map(|changed| changed.then(|| rel.clone()))
        })
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    written.extend(pages_written);
    write_if_changed(
        &output.join(MARKER),
        b"This folder is written by bantin; each build replaces it whole.\n",
    )?;
    let mut removed = Vec::new();
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
        } else if !wanted.contains(&rel) {
            std::fs::remove_file(entry.path()).map_err(io(entry.path()))?;
            removed.push(rel);
        }
    }
    // Folders left empty (deepest first).
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(&d);
    }
    written.sort();
    removed.sort();
    Ok(SyncReport { written, removed })
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
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    // Write beside, then rename: a reader (the dev server) never sees half a file.
    let tmp = path.with_file_name(format!(
        ".{}.bantin-tmp",
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    ));
    std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))?;
    Ok(true)
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
        let pages = vec![("index.html".to_string(), b"one".to_vec())];
        write_site(&out, &pages, &[]).unwrap();
        std::fs::write(out.join("stale.html"), b"old").unwrap();
        let pages = vec![("a/index.html".to_string(), b"two".to_vec())];
        write_site(&out, &pages, &[]).unwrap();
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
        let pages = vec![
            ("index.html".to_string(), b"one".to_vec()),
            ("a/index.html".to_string(), b"a".to_vec()),
        ];
        let r = sync_site(&out, &pages, &[]).unwrap();
        assert_eq!(r.written, vec!["a/index.html", "index.html"]);
        let before = std::fs::metadata(out.join("a/index.html"))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let pages = vec![
            ("index.html".to_string(), b"two".to_vec()),
            pages[1].clone(),
        ];
        let r = sync_site(&out, &pages, &[]).unwrap();
        assert_eq!(r.written, vec!["index.html"]);
        assert!(r.removed.is_empty());
        let after = std::fs::metadata(out.join("a/index.html"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(
            before, after,
            "an unchanged file keeps its modification time"
        );
        let r = sync_site(&out, &pages[..1], &[]).unwrap();
        assert_eq!(r.removed, vec!["a/index.html"]);
        assert!(!out.join("a").exists(), "empty folders are removed");
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"two");
    }

    #[test]
    fn paths_escaping_the_output_are_rejected() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let pages = vec![("../evil.html".to_string(), b"x".to_vec())];
        assert!(write_site(&out, &pages, &[]).is_err());
        assert!(!tmp.path().join("evil.html").exists());
        assert!(!out.exists());
    }
}
