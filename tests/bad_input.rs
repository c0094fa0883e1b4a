//! The bad-input catalogue: every folder of `tests/bad-input/` is a tiny site with something an
//! editor could get wrong, and the exact report bantin must give for it (format:
//! `tests/bad-input/README.md`).
//!
//! For every case the real binary runs on a temporary copy of the site, next to a previous output
//! folder holding bantin's marker and a sentinel page. The test asserts the exit code, the exact
//! text on stderr (Vietnamese, and English with `--lang en` when `expected-en.txt` exists), that
//! nothing panicked or printed a Rust debug dump, and that the previous output is untouched when
//! the run fails.
//!
//! `BANTIN_BLESS=1 cargo test --test bad_input` rewrites the expected files instead; read every
//! one before committing. `BANTIN_CASES=<prefix>` limits a run (or a bless) to the cases whose
//! names start with the prefix.
//!
//! One test runs every case (a test per folder needs a macro or a build script) and reports all
//! failing cases together. Cases run a few at a time: each is one short process.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use serde::Deserialize;

const MARKER: &str = ".bantin-output";
const SENTINEL: &str = "<!doctype html><title>Bản cũ</title><p>Trang đã đăng trước đó.</p>\n";

/// `case.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    args: Option<Vec<String>>,
    #[serde(default)]
    exit: Option<i32>,
    #[serde(default)]
    setup: Setup,
}

/// Things git cannot hold, done in the temporary copy before running.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Setup {
    #[serde(default)]
    big_file: Option<BigFile>,
    #[serde(default)]
    symlinks: Vec<(String, String)>,
    #[serde(default)]
    unreadable: Vec<String>,
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default)]
    nfd_names: bool,
    #[serde(default)]
    bytes: OneOrMany<Bytes>,
    #[serde(default)]
    utf16: OneOrMany<String>,
}

/// `key = value` or `key = [value, ...]` (`[[setup.bytes]]` tables repeat).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany::Many(Vec::new())
    }
}

impl<T> OneOrMany<T> {
    fn items(&self) -> &[T] {
        match self {
            OneOrMany::One(t) => std::slice::from_ref(t),
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BigFile {
    path: String,
    megabytes: usize,
}

/// A file written from hex (spaces allowed between bytes).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Bytes {
    path: String,
    hex: String,
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-input")
}

fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd number of hex digits");
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).expect("hex digits"))
        .collect()
}

/// Rename every file and folder under `dir` to its NFD form (as macOS writes names), deepest
/// first so parents are renamed after their children.
fn to_nfd(dir: &Path) {
    use unicode_normalization::UnicodeNormalization;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            to_nfd(&path);
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let nfd: String = name.nfd().collect();
        if nfd != name {
            std::fs::rename(&path, path.with_file_name(nfd)).unwrap();
        }
    }
}

/// An article of about `megabytes` MB: valid front matter, then ordinary paragraphs.
fn big_article(megabytes: usize) -> Vec<u8> {
    let mut text = String::from("+++\ntitle = \"Bài rất dài\"\ndate = 2025-12-30\n+++\n");
    let paragraph = "Ủy ban nhân dân phường tổ chức hội nghị tổng kết công tác năm, \
                     đánh giá kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội.\n\n";
    while text.len() < megabytes * 1024 * 1024 {
        text.push_str(paragraph);
    }
    text.into_bytes()
}

/// Prepare the temporary copy; `Err` when the case cannot run here (and why).
fn apply_setup(site: &Path, setup: &Setup) -> Result<(), String> {
    for rel in &setup.remove {
        let p = site.join(rel);
        if p.is_dir() {
            std::fs::remove_dir_all(&p).unwrap();
        } else {
            std::fs::remove_file(&p).unwrap();
        }
    }
    if let Some(big) = &setup.big_file {
        let p = site.join(&big.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, big_article(big.megabytes)).unwrap();
    }
    for b in setup.bytes.items() {
        let p = site.join(&b.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, hex_bytes(&b.hex)).unwrap();
    }
    for rel in setup.utf16.items() {
        // The file's UTF-8 text, saved again as Notepad's "Unicode": UTF-16LE with a BOM.
        let p = site.join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        std::fs::write(p, bytes).unwrap();
    }
    for (link, target) in &setup.symlinks {
        let p = site.join(link);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, p).unwrap();
    }
    if setup.nfd_names {
        to_nfd(&site.join("content"));
    }
    if !setup.unreadable.is_empty() {
        if running_as_root() {
            // root reads every file whatever its permissions: nothing to test.
            return Err("unreadable files cannot be tested as root".into());
        }
        use std::os::unix::fs::PermissionsExt;
        for rel in &setup.unreadable {
            let p = site.join(rel);
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o000)).unwrap();
        }
    }
    Ok(())
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

/// A line-by-line comparison for a failure message.
fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => out.push_str(&format!("   {x}\n")),
            (x, y) => {
                if let Some(x) = x {
                    out.push_str(&format!(" - {x}\n"));
                }
                if let Some(y) = y {
                    out.push_str(&format!(" + {y}\n"));
                }
            }
        }
    }
    out
}

/// Signs that a Rust panic or a debug dump reached the user.
fn leaks(text: &str) -> Option<&'static str> {
    [
        "panicked",
        "RUST_BACKTRACE",
        "Os { code",
        "kind: ",
        "Error {",
        "Some(",
        "None)",
        "\\u{",
    ]
    .into_iter()
    .find(|p| text.contains(p))
}

/// Run one case in both languages; the failures found (empty: passed).
fn run_case(dir: &Path, bless: bool) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let case: CaseFile = match std::fs::read_to_string(dir.join("case.toml")) {
        Ok(text) => match toml::from_str(&text) {
            Ok(c) => c,
            Err(e) => return vec![format!("{name}: case.toml: {e}")],
        },
        Err(_) => CaseFile::default(),
    };
    let mut failures = Vec::new();
    for (lang, expected_file) in [(None, "expected.txt"), (Some("en"), "expected-en.txt")] {
        let expected_path = dir.join(expected_file);
        if lang.is_some() && !expected_path.exists() {
            continue;
        }
        let temp = tempfile::tempdir().unwrap();
        let site = temp.path().join("site");
        let output = temp.path().join("public");
        copy_dir(&dir.join("site"), &site);
        if let Err(why) = apply_setup(&site, &case.setup) {
            eprintln!("{name}: skipped ({why})");
            return Vec::new();
        }
        std::fs::create_dir_all(&output).unwrap();
        std::fs::write(
            output.join(MARKER),
            "This folder is written by bantin; each build replaces it whole.\n",
        )
        .unwrap();
        std::fs::write(output.join("index.html"), SENTINEL).unwrap();
        let before = snapshot(&output);

        let args = case.args.clone().unwrap_or_else(|| vec!["build".into()]);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bantin"));
        cmd.env_remove("BANTIN_LANG")
            .env("NO_COLOR", "1")
            .env_remove("RUST_BACKTRACE")
            .current_dir(temp.path())
            .arg("--root")
            .arg(&site);
        if let Some(lang) = lang {
            cmd.args(["--lang", lang]);
        }
        cmd.args(&args);
        if args.first().map(String::as_str) == Some("build") {
            cmd.arg("--output").arg(&output);
        }
        let out = cmd.output().expect("bantin runs");
        let clean = |bytes: &[u8]| {
            String::from_utf8_lossy(bytes)
                .replace(&site.display().to_string(), "<site>")
                .replace(&output.display().to_string(), "<output>")
        };
        let stderr = clean(&out.stderr);
        let stdout = clean(&out.stdout);
        let code = out.status.code().unwrap_or(-1);
        let want_code = case.exit.unwrap_or(1);
        // A failing run prints its report; `check` prints it on stdout (with no timings, so it
        // is compared even when the run succeeds).
        let is_build = args.first().map(String::as_str) == Some("build");
        let actual = if (code != 0 || !is_build) && !stdout.is_empty() {
            format!("{stderr}--- stdout ---\n{stdout}")
        } else {
            stderr.clone()
        };
        let label = format!("{name} ({expected_file})");
        if code != want_code {
            failures.push(format!(
                "{label}: exit code {code}, expected {want_code}\nstderr:\n{stderr}\nstdout:\n{stdout}"
            ));
        }
        for (what, text) in [("stderr", &stderr), ("stdout", &stdout)] {
            if let Some(sign) = leaks(text) {
                failures.push(format!("{label}: {what} shows `{sign}`:\n{text}"));
            }
        }
        if bless {
            std::fs::write(&expected_path, &actual).unwrap();
        } else {
            let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
            if expected != actual {
                failures.push(format!(
                    "{label}: the report differs (- expected, + actual):\n{}",
                    diff(&expected, &actual)
                ));
            }
        }
        let built = code == 0 && is_build;
        if !built && snapshot(&output) != before {
            failures.push(format!(
                "{label}: the previous output folder was changed by a failed run"
            ));
        }
        if built
            && std::fs::read_to_string(output.join("index.html"))
                .ok()
                .as_deref()
                == Some(SENTINEL)
        {
            failures.push(format!("{label}: exit 0 but the site was not built"));
        }
        // Let the temporary folder be removed even when the case made files unreadable.
        restore_permissions(&site);
    }
    failures
}

fn restore_permissions(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            continue;
        }
        if meta.permissions().mode() & 0o700 != 0o700 && meta.is_dir() {
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755));
        } else if meta.permissions().mode() & 0o600 == 0 {
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644));
        }
        if meta.is_dir() {
            restore_permissions(&path);
        }
    }
}

#[test]
fn every_bad_input_gets_its_exact_report_and_loses_nothing() {
    let bless = std::env::var_os("BANTIN_BLESS").is_some();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/bad-input exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("site").is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 40, "only {} cases", dirs.len());
    // `BANTIN_CASES=toml-` runs (or blesses) only the cases whose names start with it.
    if let Some(prefix) = std::env::var_os("BANTIN_CASES") {
        let prefix = prefix.to_string_lossy().into_owned();
        dirs.retain(|d| {
            d.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&prefix)
        });
    }
    let next = Mutex::new(dirs.iter());
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let Some(dir) = next.lock().unwrap().next() else {
                        break;
                    };
                    let found = run_case(dir, bless);
                    failures.lock().unwrap().extend(found);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} problem(s) in the bad-input catalogue:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// `BANTIN_LANG=en` gives the same English report as `--lang en`, and `--lang` wins over it.
#[test]
fn the_language_can_come_from_the_environment() {
    let case = cases_dir().join("missing-date");
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    copy_dir(&case.join("site"), &site);
    let run = |env: Option<&str>, flag: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bantin"));
        cmd.env("NO_COLOR", "1").env_remove("BANTIN_LANG");
        if let Some(lang) = env {
            cmd.env("BANTIN_LANG", lang);
        }
        cmd.arg("--root").arg(&site);
        if let Some(lang) = flag {
            cmd.args(["--lang", lang]);
        }
        cmd.args(["build", "--output"])
            .arg(temp.path().join("public"));
        let out = cmd.output().expect("bantin runs");
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stderr).unwrap()
    };
    let english = std::fs::read_to_string(case.join("expected-en.txt")).unwrap();
    let vietnamese = std::fs::read_to_string(case.join("expected.txt")).unwrap();
    assert_eq!(run(Some("en"), None), english);
    assert_eq!(run(Some("en_US.UTF-8"), None), english);
    assert_eq!(run(Some("en"), Some("vi")), vietnamese);
    // An unknown BANTIN_LANG is ignored rather than stopping the editor's build.
    assert_eq!(run(Some("fr"), None), vietnamese);
}

/// An unknown `--lang` is a usage error (exit 2) that says which languages exist.
#[test]
fn an_unknown_language_is_refused_with_the_choices() {
    let out = Command::new(env!("CARGO_BIN_EXE_bantin"))
        .env("NO_COLOR", "1")
        .args(["--lang", "fr", "check"])
        .output()
        .expect("bantin runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("«fr»") && stderr.contains("vi hoặc en"),
        "{stderr}"
    );
}
