//! bantin against Hugo on the same synthetic ward site, for `docs/performance.md`.
//!
//! For each size in `BANTIN_COMPARE_N` (default `1000,10000`; add `100000` for the scale run),
//! generates the synthetic site (see `support/synth.rs`) for bantin and the same articles as a
//! Hugo site (`support/hugo.rs`), then alternates full builds of both (`BANTIN_COMPARE_RUNS`,
//! default 3), each into an empty folder, and reports medians of wall time and peak memory
//! (the child's maximum resident set), bantin's no-change rebuild (`build` again into the
//! same folder), the output sizes, and the ratios. Needs `hugo` on the PATH (Debian: `apt-get
//! install hugo`); without it, only bantin is measured.
//!
//! Run: `cargo bench --bench compare` (everything is written under a temporary folder).

#[path = "support/hugo.rs"]
mod hugo;
#[path = "support/synth.rs"]
mod synth;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Wall time and peak memory (bytes) of one run of a command; panics if it fails.
// The child is reaped by `wait4` (which also gives its peak memory), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn measure(cmd: &mut Command) -> (Duration, u64) {
    let start = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data filled in by the kernel; `wait4` reaps our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    assert_eq!(r, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed"
    );
    // Linux reports kilobytes.
    (elapsed, usage.ru_maxrss as u64 * 1024)
}

fn dir_size(dir: &Path) -> (u64, usize) {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .fold((0, 0), |(bytes, files), e| {
            (bytes + e.metadata().map_or(0, |m| m.len()), files + 1)
        })
}

fn median_u64(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BANTIN_COMPARE_N")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs = synth::env_usize("BANTIN_COMPARE_RUNS", 3).max(1);
    let bantin = env!("CARGO_BIN_EXE_bantin");
    let have_hugo = Command::new("hugo").arg("version").output().is_ok();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "threads: {}, runs: {runs}, hugo: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        if have_hugo {
            String::from_utf8_lossy(&Command::new("hugo").arg("version").output().unwrap().stdout)
                .trim()
                .to_string()
        } else {
            "not found".into()
        }
    );
    println!(
        "| articles | bantin build | bantin peak | no-change rebuild | hugo build | hugo peak | time ratio | memory ratio | bantin output | hugo output |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let tmp = tempfile::tempdir().expect("temp dir");
        let site = tmp.path().join("bantin");
        synth::write_site(&site, n, 42, true).expect("write site");
        let hugo_site = tmp.path().join("hugo");
        if have_hugo {
            let listed = tmp.path().join("listed");
            synth::write_site(&listed, n, 42, false).expect("write site");
            hugo::write_site(&hugo_site, &listed).expect("write hugo site");
            std::fs::remove_dir_all(&listed).expect("clean");
        }
        let (mut bt, mut bm, mut ht, mut hm, mut again) = (vec![], vec![], vec![], vec![], vec![]);
        let out = tmp.path().join("out-bantin");
        let hugo_out = tmp.path().join("out-hugo");
        for _ in 0..runs {
            let build = || {
                let mut c = Command::new(bantin);
                c.arg("--root")
                    .arg(&site)
                    .arg("build")
                    .arg("--output")
                    .arg(&out);
                c
            };
            let _ = std::fs::remove_dir_all(&out);
            let (t, m) = measure(&mut build());
            bt.push(t);
            bm.push(m);
            // The same build again into the folder it left: nothing changed.
            let (t, _) = measure(&mut build());
            again.push(t);
            if have_hugo {
                let _ = std::fs::remove_dir_all(&hugo_out);
                let (t, m) = measure(
                    Command::new("hugo")
                        .arg("--quiet")
                        .arg("--source")
                        .arg(&hugo_site)
                        .arg("--destination")
                        .arg(&hugo_out),
                );
                ht.push(t);
                hm.push(m);
            }
        }
        let (b_bytes, b_files) = dir_size(&out);
        let (bt, bm, again) = (synth::median(bt), median_u64(bm), synth::median(again));
        if have_hugo {
            let (h_bytes, h_files) = dir_size(&hugo_out);
            let (ht, hm) = (synth::median(ht), median_u64(hm));
            println!(
                "| {n} | {:.0} ms | {:.0} MB | {:.0} ms | {:.0} ms | {:.0} MB | {:.1}× | {:.2} | {:.0} MB, {b_files} files | {:.0} MB, {h_files} files |",
                ms(bt),
                mb(bm),
                ms(again),
                ms(ht),
                mb(hm),
                ht.as_secs_f64() / bt.as_secs_f64(),
                bm as f64 / hm as f64,
                mb(b_bytes),
                mb(h_bytes)
            );
        } else {
            println!(
                "| {n} | {:.0} ms | {:.0} MB | {:.0} ms | – | – | – | – | {:.0} MB, {b_files} files | – |",
                ms(bt),
                mb(bm),
                ms(again),
                mb(b_bytes)
            );
        }
    }
}
