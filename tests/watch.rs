//! `bantin watch`, driven as an editor would: the real binary runs on a temp site while files
//! are edited, saved by rename, created, deleted and renamed; after each change the output must
//! show it, and at the end it must be byte-identical to a clean build of the same files.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;

/// Start `bantin watch` and wait for its first build.
fn watch(root: &Path, out: &Path) -> Spawned {
    Spawned::start(
        &[&"--root", &root, &"watch", &"--output", &out],
        "Đang theo dõi",
    )
}

/// Wait until `check` holds for the output folder (rebuilds are asynchronous).
fn eventually(what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for: {what}");
}

fn page_text(out: &Path, url: &str) -> Option<String> {
    let rel = url_to_rel(url, "/")?;
    let bytes = std::fs::read(out.join(rel)).ok()?;
    let doc = scraper::Html::parse_document(&String::from_utf8_lossy(&bytes));
    Some(text(main_of(&doc)))
}

fn article(title: &str, date: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = {date}\n+++\n{body}\n")
}

/// The files of a folder, without bantin's marker.
fn site_files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut f = files(dir);
    f.remove(".bantin-output");
    f
}

fn assert_same_as_clean_build(root: &Path, out: &Path) {
    let clean = tempfile::tempdir().unwrap();
    let clean_out = clean.path().join("public");
    build_ok(root, &clean_out, &[]);
    let (a, b) = (site_files(out), site_files(&clean_out));
    let a_keys: Vec<&String> = a.keys().collect();
    let b_keys: Vec<&String> = b.keys().collect();
    assert_eq!(a_keys, b_keys, "same files as a clean build");
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs from a clean build");
    }
}

#[test]
fn watch_follows_every_kind_of_edit_and_matches_a_clean_build() {
    let site = small_site("");
    let root = site.path().canonicalize().unwrap();
    let out: PathBuf = root.join("public");
    let mut w = watch(&root, &out);
    assert!(out.join("tin-tuc/hop-dau-nam/index.html").exists());

    // 1. Edit an article's body in place.
    let a = root.join("content/articles/hop-dau-nam.md");
    let text0 = std::fs::read_to_string(&a).unwrap();
    std::fs::write(
        &a,
        text0.replace("Nội dung cuộc họp.", "Nội dung đã sửa lần một."),
    )
    .unwrap();
    eventually("edited body", || {
        page_text(&out, "/tin-tuc/hop-dau-nam/").is_some_and(|t| t.contains("đã sửa lần một"))
    });

    // 2. Save by writing a temporary file and renaming it over the article (vim, VS Code).
    let tmp = root.join("content/articles/.hop-dau-nam.md.tmp");
    std::fs::write(
        &tmp,
        text0.replace("Nội dung cuộc họp.", "Lưu kiểu đổi tên."),
    )
    .unwrap();
    std::fs::write(root.join("content/articles/hop-dau-nam.md~"), "bản sao lưu").unwrap();
    std::fs::rename(&tmp, &a).unwrap();
    eventually("rename-save", || {
        page_text(&out, "/tin-tuc/hop-dau-nam/").is_some_and(|t| t.contains("Lưu kiểu đổi tên"))
    });

    // 3. Create a new article: its page appears and the home page lists it.
    write(
        &root,
        "content/articles/tiep-dan.md",
        &article("Tiếp công dân định kỳ", "2025-04-02", "Lịch tiếp công dân."),
    );
    eventually("new article", || {
        page_text(&out, "/").is_some_and(|t| t.contains("Tiếp công dân định kỳ"))
            && out.join("tin-tuc/tiep-dan/index.html").exists()
    });

    // 4. Rename an article file: the old page goes, the new one comes.
    std::fs::rename(
        root.join("content/articles/tiep-dan.md"),
        root.join("content/articles/tiep-cong-dan.md"),
    )
    .unwrap();
    eventually("renamed article", || {
        !out.join("tin-tuc/tiep-dan/index.html").exists()
            && out.join("tin-tuc/tiep-cong-dan/index.html").exists()
    });

    // 5. Delete an article: its page and every listing of it disappear.
    std::fs::remove_file(root.join("content/articles/ra-quan.md")).unwrap();
    eventually("deleted article", || {
        !out.join("tin-tuc/ra-quan/index.html").exists()
            && page_text(&out, "/").is_some_and(|t| !t.contains("Ra quân làm sạch"))
            && !out.join("2025/03/index.html").exists()
    });

    // 6. Edit an official: the new name shows on their page and on the article naming them.
    let o = root.join("content/officials/nguyen-van-an.md");
    let official = std::fs::read_to_string(&o).unwrap();
    std::fs::write(
        &o,
        official
            .replace(
                "name = \"Nguyễn Văn An\"",
                "name = \"Nguyễn Văn An\"\naliases = [\"Văn An\"]",
            )
            .replace("Tiểu sử.", "Tiểu sử mới cập nhật."),
    )
    .unwrap();
    eventually("edited official", || {
        page_text(&out, "/can-bo/nguyen-van-an/")
            .is_some_and(|t| t.contains("Tiểu sử mới cập nhật"))
    });

    // 7. Add a site template: the page it renders changes.
    write(
        &root,
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<main id=\"noi-dung\"><h1>Trang riêng không tìm thấy</h1></main>{% endblock content %}",
    );
    eventually("template override", || {
        page_text(&out, "/404.html").is_some_and(|t| t.contains("Trang riêng không tìm thấy"))
    });

    // 8. A broken save: the error is reported with file and line, the output keeps the last
    //    good build; the next good save fixes it.
    let before = site_files(&out);
    std::fs::write(
        &a,
        "+++\ntitle = \"Thiếu ngoặc\ndate = 2025-02-10\n+++\nx\n",
    )
    .unwrap();
    let line = w.wait_for_line("hop-dau-nam.md:");
    assert!(
        line.contains("content/articles/hop-dau-nam.md:2:"),
        "{line}"
    );
    w.wait_for_line("Chưa cập nhật");
    assert!(
        site_files(&out) == before,
        "a failed rebuild changes nothing"
    );
    std::fs::write(&a, text0.replace("Nội dung cuộc họp.", "Đã sửa lỗi.")).unwrap();
    eventually("recovered", || {
        page_text(&out, "/tin-tuc/hop-dau-nam/").is_some_and(|t| t.contains("Đã sửa lỗi"))
    });
    w.wait_for_line("Đã cập nhật");

    // The editor's backup and temporary files never reached the output.
    assert!(
        !site_files(&out)
            .keys()
            .any(|k| k.contains(".tmp") || k.ends_with('~'))
    );
    let _ = w.output();
    assert_same_as_clean_build(&root, &out);
    assert!(w.interrupt(), "Ctrl-C stops watch cleanly");
}

#[test]
fn a_rebuild_with_nothing_changed_writes_nothing() {
    let site = small_site("");
    let root = site.path().canonicalize().unwrap();
    let out = root.join("public");
    let mut w = watch(&root, &out);
    let before: Vec<_> = walk_mtimes(&out);
    // Touch a file without changing it: a rebuild runs but no output file is rewritten.
    let a = root.join("content/articles/hop-dau-nam.md");
    let text0 = std::fs::read_to_string(&a).unwrap();
    std::fs::write(&a, &text0).unwrap();
    let line = w.wait_for_line("Đã cập nhật: 0 tệp ghi, 0 tệp xóa");
    assert!(line.contains("0 tệp ghi"), "{line}");
    assert_eq!(walk_mtimes(&out), before);
}

fn walk_mtimes(dir: &Path) -> Vec<(String, std::time::SystemTime)> {
    let mut v: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}
