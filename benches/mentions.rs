//! How much of a whole build mention detection costs.
//!
//! Generates the same synthetic ward site (default 10,000 articles; set `BANTIN_BENCH_N`) twice,
//! once with `[mentions] detect = true` and once with `detect = false`, then runs the whole
//! in-memory pipeline (load → parse → resolve → plan → render) on each, alternating, and reports
//! the medians and the share of the build that detection and linking take.
//!
//! Run: `cargo bench --bench mentions` (everything is written under a temporary folder).

#[path = "support/synth.rs"]
mod synth;

use std::time::{Duration, Instant};

use bantin::pipeline::{self, BuildOptions};

fn time_generate(root: &std::path::Path) -> Duration {
    let opts = BuildOptions {
        root: root.to_path_buf(),
        ..BuildOptions::default()
    };
    let config = pipeline::load_config(&opts).expect("synthetic site.toml is valid");
    let start = Instant::now();
    let generated = pipeline::generate(&opts, config).expect("synthetic site builds");
    let elapsed = start.elapsed();
    assert!(!generated.pages.is_empty());
    elapsed
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::var("BANTIN_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let runs: usize = std::env::var("BANTIN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let tmp = tempfile::tempdir().expect("temp dir");
    let on = tmp.path().join("on");
    let off = tmp.path().join("off");
    synth::write_site(&on, n, 42, true).expect("write site");
    synth::write_site(&off, n, 42, false).expect("write site");
    // Warm the file cache once.
    time_generate(&on);
    time_generate(&off);
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        with.push(time_generate(&on));
        without.push(time_generate(&off));
    }
    let (w, wo) = (median(with), median(without));
    let share = (w.as_secs_f64() - wo.as_secs_f64()).max(0.0) / w.as_secs_f64() * 100.0;
    println!(
        "articles: {n}, runs: {runs} (alternating), threads: {}",
        rayon::current_num_threads()
    );
    println!(
        "build with mention detection:    {:>8.1} ms (median)",
        w.as_secs_f64() * 1e3
    );
    println!(
        "build without mention detection: {:>8.1} ms (median)",
        wo.as_secs_f64() * 1e3
    );
    println!("mention detection share of the build: {share:.1} %");
}
