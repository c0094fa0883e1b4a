//! Build-time facts for the binary:
//! - rebuild it when the built-in theme changes: the theme is embedded with `include_dir!`,
//!   which does not tell Cargo which files it read;
//! - `BANTIN_BUILD_ID`, a digest of everything that decides what bantin writes (its sources,
//!   the built-in theme, the locked dependency versions). The output state a build saves is
//!   only trusted by a binary with the same id: a new bantin renders every page again.
use std::hash::{Hash, Hasher};
use std::path::Path;

fn main() {
    let mut files = Vec::new();
    for dir in ["src", "themes/phuong"] {
        println!("cargo:rerun-if-changed={dir}");
        collect(Path::new(dir), &mut files);
    }
    println!("cargo:rerun-if-changed=Cargo.lock");
    files.push(Path::new("Cargo.lock").to_path_buf());
    files.sort();
    // SipHash with fixed keys: stable for a given compiler, which is all an id needs.
    let mut hasher = std::hash::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    for f in &files {
        f.hash(&mut hasher);
        std::fs::read(f).unwrap_or_default().hash(&mut hasher);
    }
    println!("cargo:rustc-env=BANTIN_BUILD_ID={:016x}", hasher.finish());
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
