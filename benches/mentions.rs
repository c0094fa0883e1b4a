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

/// The whole build, as `bantin build` runs it (writes the output folder).
fn time_whole(root: &std::path::Path) -> Duration {
    let opts = BuildOptions {
        root: root.to_path_buf(),
        output: Some(root.join("public")),
        ..BuildOptions::default()
    };
    let start = Instant::now();
    let summary = pipeline::build(&opts).expect("synthetic site builds");
    assert!(summary.pages > 0);
    start.elapsed()
}

/// The in-memory pipeline only (load → parse → resolve → plan → render), no write.
fn time_in_memory(root: &std::path::Path) -> Duration {
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

fn main() {
    let n = synth::env_usize("BANTIN_BENCH_N", 10_000);
    let runs = synth::env_usize("BANTIN_BENCH_RUNS", 5);
    let tmp = tempfile::tempdir().expect("temp dir");
    let on = tmp.path().join("on");
    let off = tmp.path().join("off");
    synth::write_site(&on, n, 42, true).expect("write site");
    synth::write_site(&off, n, 42, false).expect("write site");
    // Warm the file cache once.
    time_in_memory(&on);
    time_in_memory(&off);
    // In-memory runs first (alternating), then whole builds: the writes of a whole build keep
    // the kernel busy flushing for a while and would disturb the in-memory timings.
    let mut samples: [Vec<Duration>; 4] = Default::default();
    for _ in 0..runs {
        samples[1].push(time_in_memory(&on));
        samples[3].push(time_in_memory(&off));
    }
    for _ in 0..runs {
        samples[0].push(time_whole(&on));
        samples[2].push(time_whole(&off));
    }
    let [w, wm, wo, wom] = samples.map(synth::median);
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
