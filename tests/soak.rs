//! Soak test of `bantin watch`: the real binary watches a site of about fifty articles while
//! 1,000 edits land in quick succession, the way a busy newsroom (or a `git pull`, or a sync
//! tool) saves: body and title edits, new articles, renames, deletions, saves by rename, a
//! broken save followed by its fix, officials edited. Afterwards:
//!
//! - the process is still running;
//! - its memory stayed flat: resident memory (VmRSS in /proc/<pid>/status) after the last edit
//!   is at most 1.5 × what it was after the first 100 edits, plus 30 MB. By then the process
//!   holds everything a rebuild keeps (sources, parsed articles, the template engine, the
//!   output state); later edits replace entries rather than add them. The factor and the slack
//!   absorb allocator behaviour that is not a leak (glibc keeps freed memory in per-thread
//!   arenas, one per rayon worker, and returns it lazily); a leak of one site's worth of pages
//!   per rebuild, over the hundreds of rebuilds here, would still exceed it;
//! - the output folder is byte-identical to a clean `bantin build` of the final files, with the
//!   options watch uses (none: same base URL, no drafts, no scheduled articles).
//!
//! Watch is "settled" when a last sentinel edit shows in the output and no rebuild line has
//! been printed for a moment. Nothing here asserts a duration: timeouts only stop a hung run.
//! Linux only: memory is read from /proc (tests/watch.rs covers watch everywhere).
#![cfg(target_os = "linux")]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;

const EDITS: usize = 1000;
/// Timeout for watch to catch up after a burst (generous: only to avoid hanging).
const SETTLE_TIMEOUT: Duration = Duration::from_secs(180);

/// `bantin watch` running, with its output lines.
struct Watch(Spawned);

impl Watch {
    fn start(root: &Path, out: &Path) -> Watch {
        let mut w = Watch(Spawned::start(
            &[&"--root", &root, &"watch", &"--output", &out],
            "Đang theo dõi",
        ));
        w.drain(Duration::from_millis(100));
        w
    }

    fn drain(&mut self, wait: Duration) -> usize {
        self.0.drain(wait)
    }

    fn rebuilds(&self) -> usize {
        self.0
            .seen()
            .iter()
            .filter(|l| l.contains("Đã cập nhật") || l.contains("Chưa cập nhật"))
            .count()
    }

    fn log(&self) -> String {
        let seen = self.0.seen();
        seen[seen.len().saturating_sub(40)..].join("\n")
    }

    fn alive(&mut self) -> bool {
        self.0.alive()
    }

    /// Resident memory in kB.
    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.pid()))
            .expect("/proc/<pid>/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    /// Wait until `page` of `out` contains `token` (the last edit made it through) and then no
    /// rebuild line comes for a moment.
    fn settle(&mut self, out: &Path, page: &str, token: &str) {
        let deadline = Instant::now() + SETTLE_TIMEOUT;
        loop {
            assert!(
                self.alive(),
                "watch exited while catching up:\n{}",
                self.log()
            );
            let shown = std::fs::read_to_string(out.join(page)).is_ok_and(|t| t.contains(token));
            if shown {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the last edit ({token}) never reached {page}:\n{}",
                self.log()
            );
            self.drain(Duration::from_millis(100));
        }
        // Quiet: no more lines for a second.
        while self.drain(Duration::from_millis(1000)) > 0 {
            assert!(Instant::now() < deadline, "watch never went quiet");
        }
    }
}

const OFFICIALS: &[(&str, &str)] = &[
    ("luu-thanh-binh", "Lưu Thanh Bình"),
    ("nguyen-van-hoa", "Nguyễn Văn Hoà"),
    ("tran-thi-thuy", "Trần Thị Thủy"),
    ("pham-minh-duc", "Phạm Minh Đức"),
];

fn official(slug: &str, name: &str, version: usize) -> String {
    format!(
        "+++\nname = \"{name}\"\naliases = [\"{name} {version}\"]\norder = {}\n\n[[positions]]\n\
         title = \"Phó Chủ tịch UBND phường\"\ndepartment = \"ubnd\"\nfrom = 2024-01-01\n+++\n\
         Tiểu sử đồng chí {name}, bản {version}.\n",
        slug.len() % 3
    )
}

fn article(title: &str, day: usize, body: &str) -> String {
    let (o, name) = OFFICIALS[day % OFFICIALS.len()];
    let _ = o;
    format!(
        "+++\ntitle = \"{title}\"\ndate = 2025-{:02}-{:02}\nofficials = [\"{name}\"]\n\
         departments = [\"UBND phường\"]\ntags = [\"Tin {}\"]\n+++\nĐồng chí {name} cùng \
         Ủy ban nhân dân phường Thử. {body}\n",
        1 + day % 12,
        1 + day % 28,
        day % 5
    )
}

fn write_site(root: &Path, articles: usize) -> Vec<String> {
    write(
        root,
        "site.toml",
        "title = \"Phường Thử\"\nbase_url = \"https://thu.example.vn/\"\npaginate_by = 5\n\n\
         [[menu]]\nname = \"Trang chủ\"\nurl = \"/\"\n",
    );
    write(
        root,
        "content/departments/ubnd.md",
        "+++\nname = \"Ủy ban nhân dân phường Thử\"\nshort_name = \"UBND phường\"\n+++\nChức năng.\n",
    );
    for (slug, name) in OFFICIALS {
        write(
            root,
            &format!("content/officials/{slug}.md"),
            &official(slug, name, 0),
        );
    }
    (0..articles)
        .map(|i| {
            let rel = format!("content/articles/2025/bai-{i:03}.md");
            write(
                root,
                &rel,
                &article(&format!("Bài số {i}"), i, "Nội dung ban đầu."),
            );
            rel
        })
        .collect()
}

/// The files of an output folder, without bantin's marker file.
fn site_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut f = files(dir);
    f.remove(".bantin-output");
    f
}

#[test]
fn watch_survives_a_thousand_edits_with_flat_memory_and_matches_a_clean_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    std::fs::create_dir_all(&root).unwrap();
    let root = root.canonicalize().unwrap();
    let out: PathBuf = root.join("public");
    let mut live = write_site(&root, 50);
    let mut w = Watch::start(&root, &out);
    let sentinel = "content/articles/2025/bai-000.md";
    let sentinel_page = "tin-tuc/bai-000/index.html";
    live.retain(|p| p != sentinel);

    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut baseline_kb = 0;
    let mut edit = 0;
    while edit < EDITS {
        let pick = rng.below(live.len());
        let target = root.join(&live[pick]);
        match edit % 10 {
            // Body edits.
            0..=2 => write(
                &root,
                &live[pick],
                &article(&format!("Bài {pick}"), edit, &format!("Sửa lần {edit}.")),
            ),
            // A title edit (moves the article in listings only through its date and title).
            3 => write(
                &root,
                &live[pick],
                &article(&format!("Tiêu đề mới {edit}"), pick, "Nội dung."),
            ),
            // A new article.
            4 => {
                let rel = format!("content/articles/2025/moi-{edit:04}.md");
                write(
                    &root,
                    &rel,
                    &article(&format!("Tin mới {edit}"), edit, "Mới."),
                );
                live.push(rel);
            }
            // A rename (the article's address changes; the old page must go).
            5 => {
                let rel = format!("content/articles/2025/doi-ten-{edit:04}.md");
                std::fs::rename(&target, root.join(&rel)).unwrap();
                live[pick] = rel;
            }
            // A deletion, while the site keeps about fifty articles.
            6 if live.len() > 45 => {
                std::fs::remove_file(&target).unwrap();
                live.remove(pick);
            }
            6 => {
                let rel = format!("content/articles/2026/moi-{edit:04}.md");
                write(&root, &rel, &article(&format!("Tin {edit}"), edit, "Thêm."));
                live.push(rel);
            }
            // A broken save (unclosed front matter), then the fix: two edits.
            7 => {
                std::fs::write(&target, "+++\ntitle = \"Đang gõ dở\n").unwrap();
                std::thread::sleep(Duration::from_millis(rng.below(150) as u64));
                write(
                    &root,
                    &live[pick],
                    &article(&format!("Đã sửa {edit}"), pick, "Sửa xong."),
                );
                edit += 1;
            }
            // An official edited (every article naming them is rebuilt).
            8 => {
                let (slug, name) = OFFICIALS[edit % OFFICIALS.len()];
                write(
                    &root,
                    &format!("content/officials/{slug}.md"),
                    &official(slug, name, edit),
                );
            }
            // A save by rename, as vim or VS Code save.
            _ => {
                let tmp = target.with_file_name(".luu-tam.md.tmp");
                std::fs::write(
                    &tmp,
                    article(&format!("Lưu kiểu vim {edit}"), edit, "Thay file."),
                )
                .unwrap();
                std::fs::rename(&tmp, &target).unwrap();
            }
        }
        edit += 1;
        // Quick succession, not all at once: some edits land while a rebuild runs, and every
        // twentieth waits a little longer, so that watch also rebuilds often (memory is checked
        // over many rebuilds, not a few large batches).
        let pause = if edit % 20 == 0 { 150 } else { rng.below(12) };
        std::thread::sleep(Duration::from_millis(pause as u64));
        w.drain(Duration::ZERO);
        if baseline_kb == 0 && edit >= 100 {
            let token = format!("Mốc {edit}");
            write(&root, sentinel, &article("Bài số 0", 0, &token));
            w.settle(&out, sentinel_page, &token);
            baseline_kb = w.rss_kb();
        }
    }
    let token = "Mốc cuối cùng";
    write(&root, sentinel, &article("Bài số 0", 0, token));
    w.settle(&out, sentinel_page, token);
    assert!(w.alive(), "watch died:\n{}", w.log());
    let final_kb = w.rss_kb();
    let rebuilds = w.rebuilds();
    eprintln!(
        "soak: {EDITS} edits, {rebuilds} rebuilds, {} live articles, RSS {baseline_kb} kB after 100 edits, {final_kb} kB at the end",
        live.len() + 1
    );
    assert!(
        rebuilds >= 20,
        "only {rebuilds} rebuilds: the edits were not spread out"
    );
    assert!(
        final_kb <= baseline_kb * 3 / 2 + 30 * 1024,
        "memory grew from {baseline_kb} kB to {final_kb} kB over {rebuilds} rebuilds"
    );

    // Byte-identical to a clean build of the final files.
    let clean_dir = tempfile::tempdir().unwrap();
    let clean = clean_dir.path().join("public");
    build_ok(&root, &clean, &[]);
    let (a, b) = (site_files(&out), site_files(&clean));
    let only_watch: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_clean: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    let differ: Vec<&String> = a
        .iter()
        .filter(|(k, v)| b.get(*k).is_some_and(|c| c != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        only_watch.is_empty() && only_clean.is_empty() && differ.is_empty(),
        "watch's output is not the clean build's:\nstale (only in watch's output): {only_watch:?}\n\
         missing (only in the clean build): {only_clean:?}\ndiffering: {differ:?}\nwatch log:\n{}",
        w.log()
    );
    assert!(w.alive(), "watch died at the end");
}
