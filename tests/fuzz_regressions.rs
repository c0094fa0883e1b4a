//! Fuzz regressions: every file under `fuzz/regressions/<target>/` (inputs that once crashed a
//! fuzz target, and inputs that reach unusual paths) goes through the very function the
//! cargo-fuzz target runs, included here from `fuzz/src/lib.rs`, so the two cannot drift. Runs on
//! the stable toolchain in `cargo test`; see docs/fuzzing.md.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod bantin_fuzz;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// The regression inputs of one target, in name order.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("input read"))
        })
        .collect()
}

/// Run `body` on every input of `target`, and fail with the names of those that panicked.
fn replay(target: &str, body: impl Fn(&[u8])) {
    let mut failed = Vec::new();
    let all = inputs(target);
    for (name, bytes) in &all {
        if catch_unwind(AssertUnwindSafe(|| body(bytes))).is_err() {
            failed.push(name.clone());
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} inputs of fuzz target `{target}` fail: {failed:?}",
        failed.len(),
        all.len()
    );
}

#[test]
fn front_matter() {
    replay("front_matter", bantin_fuzz::front_matter);
}

#[test]
fn markdown() {
    replay("markdown", bantin_fuzz::markdown);
}

#[test]
fn slugify() {
    replay("slugify", bantin_fuzz::slugify);
}

#[test]
fn matcher() {
    replay("matcher", bantin_fuzz::matcher);
}

#[test]
fn pipeline() {
    let site = bantin_fuzz::FuzzSite::new();
    replay("pipeline", |data| bantin_fuzz::pipeline_in(&site, data));
}
