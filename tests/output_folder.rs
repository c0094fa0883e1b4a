//! The output folder across builds, through the real binary: a build with nothing changed
//! writes nothing (every file keeps its modification time, so rsync-style deploys copy
//! nothing); an edit writes only files whose bytes changed; whatever the folder or the saved
//! state went through (files edited, added or deleted by hand, a damaged state, other
//! options), the result is byte-identical to a clean build; and Ctrl-C during a build leaves
//! the previous site exactly as it was.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use common::{build_ok, copy_dir, differences, files, repo_root, stdout, write};

/// A copy of the example site in a temporary folder; the output goes to `<tmp>/public`.
fn example_copy() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = tmp.path().join("site");
    for dir in ["content", "static", "themes"] {
        if repo_root().join(dir).exists() {
            copy_dir(&repo_root().join(dir), &root.join(dir));
        }
    }
    std::fs::copy(repo_root().join("site.toml"), root.join("site.toml")).expect("site.toml");
    let out = tmp.path().join("public");
    (tmp, root, out)
}

/// Every file of `dir` with its modification time.
fn times(dir: &Path) -> BTreeMap<String, SystemTime> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, e.metadata().unwrap().modified().unwrap())
        })
        .collect()
}

/// The output of a clean build of `root` (fresh folder, no saved state) with `extra` options.
fn clean_build(root: &Path, extra: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let copy = tmp.path().join("site");
    copy_dir(root, &copy);
    let _ = std::fs::remove_dir_all(copy.join(".bantin-cache"));
    let out = tmp.path().join("public");
    build_ok(&copy, &out, extra);
    files(&out)
}

fn assert_same_as_clean(root: &Path, out: &Path, extra: &[&str], what: &str) {
    let got = files(out);
    let want = clean_build(root, extra);
    let diff = differences(&got, &want);
    assert!(
        diff.is_empty(),
        "{what}: differs from a clean build in {diff:?}"
    );
}

/// A file system whose clock can put two writes in the same tick must not fool the test:
/// wait until the clock has visibly moved on.
fn let_time_pass() {
    std::thread::sleep(Duration::from_millis(30));
}

#[test]
fn a_build_without_changes_writes_nothing_and_an_edit_writes_only_changed_files() {
    let (_tmp, root, out) = example_copy();
    build_ok(&root, &out, &[]);
    let before_bytes = files(&out);
    let before_times = times(&out);
    let_time_pass();

    let again = build_ok(&root, &out, &[]);
    assert!(
        stdout(&again).starts_with("Không có tệp nguồn nào thay đổi kể từ lần dựng trước"),
        "nothing to do, and the summary says so: {}",
        stdout(&again)
    );
    assert_eq!(files(&out), before_bytes);
    assert_eq!(
        times(&out),
        before_times,
        "a build without changes must leave every file's modification time alone"
    );

    // Saved again without a change: read and compared, still nothing written.
    let config = std::fs::read(root.join("site.toml")).unwrap();
    std::fs::write(root.join("site.toml"), &config).unwrap();
    let_time_pass();
    let resaved = build_ok(&root, &out, &[]);
    assert!(
        stdout(&resaved).contains(": 0 tệp ghi mới, 0 tệp xóa"),
        "a file saved without a change is read, and nothing is written: {}",
        stdout(&resaved)
    );
    assert_eq!(times(&out), before_times);

    // Edit one article's body.
    let article = walkdir::WalkDir::new(root.join("content/articles"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "md"))
        .expect("an article")
        .into_path();
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, format!("{text}\nMột câu mới để kiểm tra.\n")).unwrap();
    let_time_pass();
    build_ok(&root, &out, &[]);
    let after_bytes = files(&out);
    let after_times = times(&out);
    let rewritten: Vec<&String> = after_times
        .iter()
        .filter(|(f, t)| before_times.get(*f) != Some(*t))
        .map(|(f, _)| f)
        .collect();
    assert!(!rewritten.is_empty(), "the edit reached the output");
    for f in &rewritten {
        assert_ne!(
            before_bytes.get(*f),
            after_bytes.get(*f),
            "{f} was written again with the same bytes"
        );
    }
    assert!(
        rewritten.len() < after_times.len() / 4,
        "an article edit rewrote {} of {} files",
        rewritten.len(),
        after_times.len()
    );
    assert_same_as_clean(&root, &out, &[], "after an edit");
}

#[test]
fn files_changed_by_hand_in_the_output_are_put_right() {
    let (_tmp, root, out) = example_copy();
    build_ok(&root, &out, &[]);
    let index = out.join("index.html");
    let len = std::fs::metadata(&index).unwrap().len() as usize;
    // Same size, other bytes: only the modification time gives it away.
    std::fs::write(&index, vec![b'x'; len]).unwrap();
    std::fs::write(out.join("stray.html"), "left here by hand").unwrap();
    let css = walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "css"))
        .expect("a stylesheet")
        .into_path();
    std::fs::remove_file(&css).unwrap();
    let_time_pass();
    build_ok(&root, &out, &[]);
    assert_same_as_clean(&root, &out, &[], "after hand edits");
}

#[test]
fn a_damaged_saved_state_or_other_options_still_give_a_clean_build() {
    let (_tmp, root, out) = example_copy();
    build_ok(&root, &out, &[]);
    let state_dir = root.join(".bantin-cache/output");
    let saved: Vec<PathBuf> = std::fs::read_dir(&state_dir)
        .expect("the build saved its output state")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(saved.len(), 1, "one state per output folder: {saved:?}");
    // Options that change pages: the state of the other options must not be trusted.
    build_ok(&root, &out, &["--drafts", "--future"]);
    assert_same_as_clean(
        &root,
        &out,
        &["--drafts", "--future"],
        "with --drafts --future",
    );
    build_ok(&root, &out, &[]);
    assert_same_as_clean(&root, &out, &[], "back without options");
    // A damaged state: lines cut, digests garbled.
    let text = std::fs::read_to_string(&saved[0]).unwrap();
    let damaged: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| match i % 3 {
            1 => l.replacen('a', "f", 3),
            2 => l[..l.len() / 2].to_string(),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&saved[0], damaged).unwrap();
    write(
        &root,
        "content/articles/bai-moi-kiem-tra.md",
        "+++\ntitle = \"Bài mới để kiểm tra\"\ndate = 2025-08-01\n+++\nNội dung.\n",
    );
    build_ok(&root, &out, &[]);
    assert_same_as_clean(&root, &out, &[], "after a damaged state");
}

#[test]
fn ctrl_c_during_a_build_leaves_the_previous_site_untouched() {
    let (tmp, root, out) = example_copy();
    // Enough articles that rendering takes a while in a debug build.
    for i in 0..400 {
        write(
            &root,
            &format!("content/articles/them/bai-{i}.md"),
            &format!(
                "+++\ntitle = \"Tin số {i} của phường\"\ndate = 2024-{:02}-{:02}\ntags = [\"Tin thêm\"]\n+++\n{}\n",
                i % 12 + 1,
                i % 28 + 1,
                "Ủy ban nhân dân phường tổ chức họp bàn kế hoạch. ".repeat(40)
            ),
        );
    }
    build_ok(&root, &out, &[]);
    let before_bytes = files(&out);
    let before_times = times(&out);
    // A change that touches every page: the stopped build would have rewritten them all.
    let config = std::fs::read_to_string(root.join("site.toml")).unwrap();
    let config = config.replacen("title = \"", "title = \"Trang tin ", 1);
    std::fs::write(root.join("site.toml"), config).unwrap();

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bantin"))
        .arg("--root")
        .arg(&root)
        .arg("build")
        .arg("--output")
        .arg(&out)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("bantin runs");
    // Staging fills while pages are rendered; interrupt as soon as it appears.
    let staging = tmp.path().join(".public.bantin-staging");
    let limit = Instant::now() + Duration::from_secs(300);
    while !staging.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before it began writing its staging folder"
        );
        assert!(Instant::now() < limit, "no staging folder appeared");
        std::thread::sleep(Duration::from_millis(1));
    }
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let result = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(130), "stderr: {err}");
    assert!(err.contains("Ctrl-C"), "says why it stopped: {err}");
    assert_eq!(
        files(&out),
        before_bytes,
        "the old site's files are unchanged"
    );
    assert_eq!(
        times(&out),
        before_times,
        "not even rewritten with the same bytes"
    );
    assert!(!staging.exists(), "the staging folder is cleaned up");
    // And the next build finishes the job.
    build_ok(&root, &out, &[]);
    assert_same_as_clean(&root, &out, &[], "after the interrupted build");
}

#[test]
fn nothing_is_skipped_once_a_scheduled_article_falls_due() {
    use bantin::pipeline::{self, BuildOptions};
    let site = common::small_site("");
    let root = site.path();
    write(
        root,
        "content/articles/hen-dang.md",
        "+++\ntitle = \"Thông báo hẹn đăng\"\ndate = 2030-01-01T08:00:00+07:00\n+++\nNội dung.\n",
    );
    let out = root.join("public");
    let at = |when: &str| BuildOptions {
        root: root.to_path_buf(),
        output: Some(out.clone()),
        now: Some(when.parse().unwrap()),
        ..BuildOptions::default()
    };
    let page = out.join("tin-tuc/hen-dang/index.html");
    let first = pipeline::build(&at("2029-12-31T20:00:00+07:00")).unwrap();
    assert!(first.written > 0);
    assert!(!page.exists(), "not published before its time");
    let again = pipeline::build(&at("2029-12-31T21:00:00+07:00")).unwrap();
    assert_eq!(
        (again.written, again.rendered),
        (0, 0),
        "nothing to do an hour later"
    );
    let due = pipeline::build(&at("2030-01-01T09:00:00+07:00")).unwrap();
    assert!(due.written > 0, "the build after its time does the work");
    assert!(page.exists(), "published once due");
    // And exactly as a clean build at that moment.
    let clean = tempfile::tempdir().unwrap();
    let clean_root = clean.path().join("site");
    copy_dir(root, &clean_root);
    let _ = std::fs::remove_dir_all(clean_root.join(".bantin-cache"));
    let _ = std::fs::remove_dir_all(clean_root.join("public"));
    let clean_out = clean.path().join("public");
    pipeline::build(&BuildOptions {
        root: clean_root.clone(),
        output: Some(clean_out.clone()),
        now: Some("2030-01-01T09:00:00+07:00".parse().unwrap()),
        ..BuildOptions::default()
    })
    .unwrap();
    let got = files(&out);
    let want = files(&clean_out);
    assert!(
        differences(&got, &want).is_empty(),
        "{:?}",
        differences(&got, &want)
    );
}
