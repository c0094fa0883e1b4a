//! How much of a whole build mention detection costs.
//!
//! Generates the same synthetic ward site (default 10,000 articles; set `BANTIN_BENCH_N`) twice,
//! once with `[mentions] detect = true` and once with `detect = false` (that variant lists the
//! same officials and departments in front matter, so both build the same pages), then times
//! the whole build (load → parse → resolve → plan → render → write, as `bantin build` does) and
//! the in-memory part alone, alternating runs, and reports medians and the share of the build
//! that detection and linking take.
//!
//! Run: `cargo bench --bench mentions` (everything is written under a temporary folder).

#[path = "support/synth.rs"]
mod synth;

use std::time::{Duration, Instant};

use bantin::pipeline::{self, BuildOptions};

/// (whole build with write, in-memory pipeline only)
fn time_build(root: &std::path::Path) -> (Duration, Duration) {
    let opts = BuildOptions {
        root: root.to_path_buf(),
        output: Some(root.join("public")),
        ..BuildOptions::default()
    };
    let start = Instant::now();
    let summary = pipeline::build(&opts).expect("synthetic site builds");
    let whole = start.elapsed();
    assert!(summary.pages > 0);
    let config = pipeline::load_config(&opts).expect("synthetic site.toml is valid");
    let start = Instant::now();
    let generated = pipeline::generate(&opts, config).expect("synthetic site builds");
    let in_memory = start.elapsed();
    assert!(!generated.pages.is_empty());
    (whole, in_memory)
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
    time_build(&on);
    time_build(&off);
    let mut samples: [Vec<Duration>; 4] = Default::default();
    for _ in 0..runs {
        let (whole, mem) = time_build(&on);
        samples[0].push(whole);
        samples[1].push(mem);
        let (whole, mem) = time_build(&off);
        samples[2].push(whole);
        samples[3].push(mem);
    }
    let [w, wm, wo, wom] = samples.map(median);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    // Detection is measured in memory (write times are noisy and do not depend on it) and
    // compared with the in-memory pipeline and with the whole build.
    let cost = (wm.as_secs_f64() - wom.as_secs_f64()).max(0.0);
    println!(
        "articles: {n}, runs: {runs} (alternating), threads: {}",
        rayon::current_num_threads()
    );
    println!("                     whole build   in-memory (no write)");
    println!("with detection     {:>10.1} ms {:>12.1} ms", ms(w), ms(wm));
    println!(
        "without detection  {:>10.1} ms {:>12.1} ms",
        ms(wo),
        ms(wom)
    );
    println!("detection cost     {:>10.1} ms", cost * 1e3);
    println!(
        "detection share    {:>10.1} %  {:>12.1} %",
        cost / w.as_secs_f64() * 100.0,
        cost / wm.as_secs_f64() * 100.0
    );
}
