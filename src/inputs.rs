//! What a build reads from the site folder, summed up as one digest of every file's path, size
//! and modification time (`site.toml` and everything under `content/`, `static/`, `themes/`
//! and `templates/`).
//!
//! A build saves it with the output state; the next build compares, and if nothing a build
//! reads has changed (and the saved site is still current: see
//! [`crate::site::Site::valid_until`]) and the output folder is as it was left, there is
//! nothing to do: no file is read, parsed or rendered. This is how `make` and `ninja` decide;
//! like them it trusts modification times, which every editor updates on save.

use std::path::Path;

use rayon::prelude::*;

use crate::fingerprint::{Digest, Fingerprinter};

/// The folders a build reads, besides [`crate::config::CONFIG_FILE`].
pub const SOURCE_DIRS: [&str; 4] = ["content", "static", "themes", "templates"];

/// The digest of what a build of the site at `root` reads. Folders are read in parallel and
/// the entries' digests are added up, so the order the file system lists them in does not
/// matter.
pub fn digest(root: &Path) -> Digest {
    let config = entry(root, Path::new(crate::config::CONFIG_FILE));
    SOURCE_DIRS
        .par_iter()
        .map(|dir| walk(root, Path::new(dir)))
        // `reduce` may start from its identity many times: it must be zero.
        .reduce(|| 0, u128::wrapping_add)
        .wrapping_add(config)
}

/// The sum of the digests of `rel` (relative to `root`) and, for a folder, of everything in it.
fn walk(root: &Path, rel: &Path) -> Digest {
    let own = entry(root, rel);
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return own;
    };
    let children: Vec<_> = entries.filter_map(Result::ok).collect();
    children
        .par_iter()
        .map(|e| {
            let child = rel.join(e.file_name());
            match e.file_type() {
                Ok(t) if t.is_dir() => walk(root, &child),
                _ => entry(root, &child),
            }
        })
        .reduce(|| 0, u128::wrapping_add)
        .wrapping_add(own)
}

/// One entry: its path, kind, size and modification time, as the entry itself (a symbolic
/// link is not followed), or that it is missing.
fn entry(root: &Path, rel: &Path) -> Digest {
    let mut f = Fingerprinter::new();
    f.str(&rel.to_string_lossy());
    match std::fs::symlink_metadata(root.join(rel)) {
        Ok(m) => {
            let time = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .unwrap_or_default();
            let kind = if m.is_dir() {
                1
            } else if m.is_symlink() {
                2
            } else {
                3
            };
            f.u64(kind)
                .u64(m.len())
                .u64(time.as_secs())
                .u64(u64::from(time.subsec_nanos()));
        }
        Err(_) => {
            f.u64(0);
        }
    }
    f.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_change_to_what_a_build_reads_changes_the_digest() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("content/articles")).unwrap();
        std::fs::write(root.join("site.toml"), "title = \"x\"\n").unwrap();
        std::fs::write(root.join("content/articles/a.md"), "a").unwrap();
        for i in 0..40 {
            std::fs::write(root.join(format!("content/articles/{i}.md")), "x").unwrap();
        }
        let first = digest(root);
        for _ in 0..20 {
            assert_eq!(digest(root), first, "stable while nothing changes");
        }
        std::fs::create_dir_all(root.join("target")).unwrap();
        std::fs::write(root.join("target/other"), "not read by a build").unwrap();
        assert_eq!(
            digest(root),
            first,
            "files a build does not read do not count"
        );

        // Sizes differ from one change to the next: a rewrite of the same size within the
        // file system's clock tick would keep its time (a limit this shares with `make`).
        let changes: [&dyn Fn(); 4] = [
            &|| std::fs::write(root.join("content/articles/a.md"), "ab").unwrap(),
            &|| std::fs::write(root.join("content/articles/b.md"), "b").unwrap(),
            &|| std::fs::remove_file(root.join("content/articles/b.md")).unwrap(),
            &|| std::fs::write(root.join("site.toml"), "title = \"yy\"\n").unwrap(),
        ];
        let mut last = first;
        for change in changes {
            change();
            let d = digest(root);
            assert_ne!(d, last, "a change went unnoticed");
            last = d;
        }
    }
}
