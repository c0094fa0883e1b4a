//! How fast `watch`/`serve` reflect one saved article, and a rebuild with no change.
//!
//! Generates a synthetic ward site (default 10,000 articles; `BANTIN_BENCH_N`), builds it once
//! through a [`Session`] (as `watch` does), then times, as medians: a rescan of every file with
//! nothing changed; a save of one article without change; and an edit of one article's body,
//! each until the output folder holds the result. The edits reach the session as the watcher
//! reports them (the changed path).
//!
//! Run: `cargo bench --bench rebuild` (everything is written under a temporary folder).

#[path = "support/synth.rs"]
mod synth;

use std::time::{Duration, Instant};

use bantin::pipeline::{BuildOptions, Session};

/// The `bantin` binary's allocator (see Cargo.toml), so this measures what `watch` does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let n = synth::env_usize("BANTIN_BENCH_N", 10_000);
    let runs = synth::env_usize("BANTIN_BENCH_RUNS", 7);
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("site");
    let start = Instant::now();
    synth::write_site(&root, n, 42, true).expect("write site");
    println!(
        "generated {n} articles in {:.1} s",
        start.elapsed().as_secs_f64()
    );
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

    let mut rescans = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let s = session.rebuild().expect("rebuild");
        rescans.push(start.elapsed());
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
    let mut unchanged = Vec::new();
    for _ in 0..runs {
        // Saved without a change (the watcher reports it; nothing is written).
        std::fs::write(&article, &original).expect("touch");
        let start = Instant::now();
        let s = session
            .rebuild_paths(std::slice::from_ref(&article))
            .expect("rebuild");
        unchanged.push(start.elapsed());
        assert!(s.written.is_empty(), "a save without change writes nothing");
    }
    let mut edits = Vec::new();
    let mut last = Default::default();
    let (mut rendered, mut written) = (0, 0);
    for i in 0..runs {
        std::fs::write(&article, format!("{original}\nCâu bổ sung số {i}.\n")).expect("edit");
        let start = Instant::now();
        let s = session
            .rebuild_paths(std::slice::from_ref(&article))
            .expect("rebuild");
        edits.push(start.elapsed());
        assert!(!s.written.is_empty());
        last = s.timings;
        rendered = s.rendered;
        written = s.written.len();
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "articles: {n}, runs: {runs}, threads: {}",
        rayon::current_num_threads()
    );
    println!("first build (session)          {:>9.1} ms", ms(first));
    println!(
        "rescan, nothing changed        {:>9.1} ms (median)",
        ms(synth::median(rescans))
    );
    println!(
        "save without change            {:>9.1} ms (median)",
        ms(synth::median(unchanged))
    );
    println!(
        "rebuild, one article edited    {:>9.1} ms (median)",
        ms(synth::median(edits))
    );
    println!("  last edit: {last}; {rendered} pages rendered, {written} written");
}
