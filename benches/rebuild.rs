//! How fast `watch`/`serve` reflect one saved article, and a rebuild with no change.
//!
//! Generates a synthetic ward site (default 10,000 articles; `BANTIN_BENCH_N`), builds it once
//! through a [`Session`] (as `watch` does), then repeatedly edits one article's body and times
//! the rebuild until the output folder holds the change; reports medians.
//!
//! Run: `cargo bench --bench rebuild` (everything is written under a temporary folder).

#[path = "support/synth.rs"]
mod synth;

use std::time::{Duration, Instant};

use bantin::pipeline::{BuildOptions, Session};

fn main() {
    let n = synth::env_usize("BANTIN_BENCH_N", 10_000);
    let runs = synth::env_usize("BANTIN_BENCH_RUNS", 7);
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("site");
    synth::write_site(&root, n, 42, true).expect("write site");
    let out = tmp.path().join("public");
    let opts = BuildOptions {
        root: root.clone(),
        output: Some(out.clone()),
        ..BuildOptions::default()
    };
    let mut session = Session::new(opts, out.clone());
    let start = Instant::now();
    session.rebuild().expect("first build");
    let first = start.elapsed();

    let mut unchanged = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let s = session.rebuild().expect("rebuild");
        unchanged.push(start.elapsed());
        assert!(
            s.written.is_empty(),
            "a rebuild with no change writes nothing"
        );
    }

    let article = root
        .join("content/articles")
        .read_dir()
        .expect("articles")
        .filter_map(Result::ok)
        .find(|e| e.path().is_dir())
        .and_then(|d| d.path().read_dir().ok()?.filter_map(Result::ok).next())
        .expect("an article")
        .path();
    let original = std::fs::read_to_string(&article).expect("read article");
    let mut edits = Vec::new();
    for i in 0..runs {
        std::fs::write(&article, format!("{original}\nCâu bổ sung số {i}.\n")).expect("edit");
        let start = Instant::now();
        let s = session.rebuild().expect("rebuild");
        edits.push(start.elapsed());
        assert!(!s.written.is_empty());
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "articles: {n}, runs: {runs}, threads: {}",
        rayon::current_num_threads()
    );
    println!("first build (session)          {:>9.1} ms", ms(first));
    println!(
        "rebuild, nothing changed       {:>9.1} ms (median)",
        ms(synth::median(unchanged))
    );
    println!(
        "rebuild, one article edited    {:>9.1} ms (median)",
        ms(synth::median(edits))
    );
}
