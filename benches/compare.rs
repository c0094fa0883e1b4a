//! The performance harness of `docs/performance.md`: bantin against Hugo on the same synthetic
//! ward site.
//!
//! For each size in `BANTIN_COMPARE_N` (default `1000,10000,100000`), generates the synthetic
//! site (`support/synth.rs`: articles of 500–800 words with headings, lists, links and
//! mentions of 13 officials and 9 departments, over several years, deterministic from a seed)
//! and the same articles as a Hugo site (`support/hugo.rs`), then measures:
//!
//! - **full builds**, alternating bantin and Hugo (`BANTIN_COMPARE_RUNS`, default 3; sizes of
//!   100,000 and more run `BANTIN_COMPARE_RUNS_LARGE` times, default 1), each into an empty
//!   folder and, for bantin, without its cache: wall time and peak memory (the child's maximum
//!   resident set, from `wait4`), medians and ratios;
//! - bantin's **no-change rebuild** (`build` again into the folder it left), and how many
//!   files it wrote (must be none);
//! - the **one-article edit of `watch`**: `bantin watch` runs on the built folder, one article
//!   is edited `BANTIN_COMPARE_EDITS` times (default 11); reported are the median rebuild time
//!   `watch` prints and the median time from the save to the line saying it is written (which
//!   also counts the watcher's debounce of 80 ms);
//! - the output (size, files) and, for scale, the time `cp -r` takes to copy it.
//!
//! Every timed command starts after a `sync`, so it does not wait for the disk to write what
//! the step before left (a generated site of 100,000 articles is gigabytes).
//!
//! Needs `hugo` on the PATH (Debian: `apt-get install hugo`); without it (or with
//! `BANTIN_COMPARE_HUGO=0`) only bantin is measured. Run: `cargo bench --bench compare` (everything is written under a temporary
//! folder, or under `BANTIN_COMPARE_DIR` (e.g. `/dev/shm`, to leave the disk out of the
//! measure); `BANTIN_COMPARE_KEEP=<folder>` keeps the generated sites there instead).

#[path = "support/hugo.rs"]
mod hugo;
#[path = "support/synth.rs"]
mod synth;

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Flush what earlier steps left for the disk to write (the generated sites, the other
/// generator's output), so that a timed command waits only for its own writes.
fn settle() {
    // SAFETY: `sync` takes no arguments and cannot fail.
    unsafe { libc::sync() };
}

/// One finished run of a command.
struct Run {
    wall: Duration,
    /// Peak resident memory, bytes.
    peak: u64,
    stdout: String,
}

/// Run `cmd` to completion and measure it; panics if it fails.
// The child is reaped by `wait4` (which also gives its peak memory), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn measure(cmd: &mut Command) -> Run {
    settle();
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let mut stderr = child.stderr.take().expect("stderr");
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let mut status = 0;
    // SAFETY: `rusage` is plain data filled in by the kernel; `wait4` reaps our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(r, pid, "wait4");
    let stdout = reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed:\n{stdout}\n{stderr}"
    );
    Run {
        wall,
        // Linux reports kilobytes.
        peak: usage.ru_maxrss as u64 * 1024,
        stdout,
    }
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

/// The number before `word` in bantin's summary line (`… 0 tệp ghi mới …`).
fn count_before(line: &str, word: &str) -> Option<u64> {
    let at = line.find(word)?;
    line[..at].split_whitespace().last()?.parse().ok()
}

/// What one edit in `watch` cost: the rebuild time it printed, and save → written.
struct Edit {
    rebuild: Duration,
    latency: Duration,
}

/// Start `bantin watch` on `site` into `out`, edit one article `edits` times, waiting each
/// time for the line saying the output is written.
fn watch_edits(bantin: &str, site: &Path, out: &Path, edits: usize) -> Vec<Edit> {
    settle();
    let mut child = Command::new(bantin)
        .arg("--root")
        .arg(site)
        .arg("watch")
        .arg("--output")
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start watch");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Not a timing assertion: a watch that never answers must not hang the harness.
    let limit = Duration::from_secs(600);
    let updated = |line: &str| line.contains("Đã cập nhật");
    let wait = || loop {
        let line = rx.recv_timeout(limit).expect("watch answers");
        if updated(&line) {
            return line;
        }
    };
    wait(); // the first build at start
    let article = walkdir::WalkDir::new(site.join("content/articles"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "md"))
        .expect("an article")
        .into_path();
    let original = std::fs::read_to_string(&article).expect("read article");
    let mut results = Vec::new();
    for i in 0..edits {
        // Let the watcher settle, so each edit is a batch of its own.
        std::thread::sleep(Duration::from_millis(300));
        let text =
            format!("{original}\nĐoạn bổ sung lần {i}: bà con khu phố đã nhận được thông báo.\n");
        let saved = Instant::now();
        std::fs::write(&article, text).expect("edit");
        let line = wait();
        let latency = saved.elapsed();
        let ms = line
            .rsplit(" trong ")
            .next()
            .and_then(|t| t.trim_end_matches(" ms.").parse::<u64>().ok())
            .expect("rebuild time in the line");
        results.push(Edit {
            rebuild: Duration::from_millis(ms),
            latency,
        });
    }
    std::fs::write(&article, original).expect("restore");
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let _ = child.wait();
    results
}

fn main() {
    let sizes: Vec<usize> = std::env::var("BANTIN_COMPARE_N")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs = synth::env_usize("BANTIN_COMPARE_RUNS", 3).max(1);
    let runs_large = synth::env_usize("BANTIN_COMPARE_RUNS_LARGE", 1).max(1);
    let edits = synth::env_usize("BANTIN_COMPARE_EDITS", 11).max(1);
    let related_max = synth::env_usize("BANTIN_COMPARE_RELATED_MAX", 10_000);
    let bantin = env!("CARGO_BIN_EXE_bantin");
    let hugo_version = Command::new("hugo")
        .arg("version")
        .output()
        .ok()
        .filter(|_| std::env::var("BANTIN_COMPARE_HUGO").map_or(true, |v| v != "0"))
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "threads: {}, runs: {runs} ({runs_large} from 100,000 articles), edits: {edits}, hugo: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        hugo_version.as_deref().unwrap_or("not found")
    );
    let mut table = vec![
        "| articles | bantin build | bantin peak | Hugo build | Hugo peak | time ratio | memory ratio | Hugo with related articles (ratio) | no-change rebuild (files written) | watch edit: rebuild / save→written | bantin output | cp -r of it | Hugo output |".to_string(),
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|".to_string(),
    ];
    // Nothing is deleted before every size is done: ext4 is slow to create files while the
    // inodes of files deleted a minute before are still recent (`recently_deleted`), which
    // would charge the generators for the harness's cleaning (bantin, writing twice as many
    // files, most). Earlier outputs are moved aside into `trash` instead.
    let mut keep_until_done = Vec::new();
    for n in sizes {
        let tmp = match std::env::var_os("BANTIN_COMPARE_DIR") {
            Some(dir) => tempfile::tempdir_in(dir),
            None => tempfile::tempdir(),
        }
        .expect("temp dir");
        let base: PathBuf = match std::env::var_os("BANTIN_COMPARE_KEEP") {
            Some(dir) => PathBuf::from(dir).join(n.to_string()),
            None => tmp.path().to_path_buf(),
        };
        let site = base.join("bantin");
        let _ = std::fs::remove_dir_all(&base);
        synth::write_site(&site, n, 42, true).expect("write site");
        let hugo_site = base.join("hugo");
        let hugo_related = base.join("hugo-related");
        if hugo_version.is_some() {
            let listed = base.join("listed");
            synth::write_site(&listed, n, 42, false).expect("write site");
            hugo::write_site(&hugo_site, &listed, false).expect("write hugo site");
            if n <= related_max {
                hugo::write_site(&hugo_related, &listed, true).expect("write hugo site");
            }
            std::fs::rename(&listed, base.join("listed-done")).expect("set aside");
        }
        let out = base.join("out-bantin");
        let hugo_out = base.join("out-hugo");
        let build = || {
            let mut c = Command::new(bantin);
            c.arg("--root")
                .arg(&site)
                .arg("build")
                .arg("--output")
                .arg(&out);
            c
        };
        let (mut bt, mut bm, mut ht, mut hm, mut again, mut again_written) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        let runs = if n >= 100_000 { runs_large } else { runs };
        let trash = base.join("trash");
        std::fs::create_dir_all(&trash).expect("trash folder");
        let mut trashed = 0;
        let mut set_aside = |dir: &Path| {
            if dir.exists() {
                trashed += 1;
                std::fs::rename(dir, trash.join(trashed.to_string())).expect("set aside");
            }
        };
        for _ in 0..runs {
            // A full build: no output folder, no cache.
            set_aside(&out);
            set_aside(&site.join(".bantin-cache"));
            let r = measure(&mut build());
            bt.push(r.wall);
            bm.push(r.peak);
            // The same build again into the folder it left: nothing changed.
            let r = measure(&mut build());
            again.push(r.wall);
            again_written.push(count_before(&r.stdout, "tệp ghi mới").expect("summary line"));
            if hugo_version.is_some() {
                set_aside(&hugo_out);
                let r = measure(
                    Command::new("hugo")
                        .arg("--quiet")
                        .arg("--source")
                        .arg(&hugo_site)
                        .arg("--destination")
                        .arg(&hugo_out),
                );
                ht.push(r.wall);
                hm.push(r.peak);
            }
        }
        let (bt, bm, again) = (synth::median(bt), median_u64(bm), synth::median(again));
        // Hugo with related articles, as bantin shows them: the same pages, once (it is slow).
        let related = (hugo_version.is_some() && n <= related_max).then(|| {
            let out = base.join("out-hugo-related");
            measure(
                Command::new("hugo")
                    .arg("--quiet")
                    .arg("--source")
                    .arg(&hugo_related)
                    .arg("--destination")
                    .arg(&out),
            )
        });
        let related_col = related.map_or("–".to_string(), |r| {
            format!(
                "{:.0} ms, {:.0} MB (**{:.1}×**)",
                ms(r.wall),
                mb(r.peak),
                r.wall.as_secs_f64() / bt.as_secs_f64()
            )
        });
        let watch = watch_edits(bantin, &site, &out, edits);
        let rebuild = synth::median(watch.iter().map(|e| e.rebuild).collect());
        let latency = synth::median(watch.iter().map(|e| e.latency).collect());
        let (b_bytes, b_files) = dir_size(&out);
        let copy = base.join("copy");
        settle();
        let started = Instant::now();
        let copied = Command::new("cp").arg("-r").arg(&out).arg(&copy).status();
        let cp_time = started.elapsed();
        assert!(copied.is_ok_and(|s| s.success()), "cp -r");
        let written = again_written.iter().max().copied().unwrap_or(0);
        let (hugo_cols, hugo_size) = if hugo_version.is_some() {
            let (h_bytes, h_files) = dir_size(&hugo_out);
            let (ht, hm) = (synth::median(ht), median_u64(hm));
            (
                format!(
                    "{:.0} ms | {:.0} MB | **{:.1}×** | **{:.2}**",
                    ms(ht),
                    mb(hm),
                    ht.as_secs_f64() / bt.as_secs_f64(),
                    bm as f64 / hm as f64,
                ),
                format!("{:.0} MB, {h_files} files", mb(h_bytes)),
            )
        } else {
            ("– | – | – | –".to_string(), "–".to_string())
        };
        let row = format!(
            "| {n} | {:.0} ms | {:.0} MB | {hugo_cols} | {related_col} | {:.0} ms ({written}) | {:.0} ms / {:.0} ms | {:.0} MB, {b_files} files | {:.0} ms | {hugo_size} |",
            ms(bt),
            mb(bm),
            ms(again),
            ms(rebuild),
            ms(latency),
            mb(b_bytes),
            ms(cp_time),
        );
        println!("{row}");
        table.push(row);
        keep_until_done.push(tmp);
    }
    println!("\n{}", table.join("\n"));
    // Deleted now, all sizes measured.
    drop(keep_until_done);
}
