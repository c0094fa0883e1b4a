//! Files in other encodings, as editors bring them: the build names the encoding and the command
//! that fixes it; `bantin convert` rewrites the file as UTF-8 (NFC) after a `.bak` copy, and the
//! site then builds with the right letters.
//!
//! The legacy files in `tests/fixtures/encodings/` were made independently of bantin's tables:
//! TCVN3 by glibc's `iconv -t TCVN5712-1`, Windows-1258 by Python's `cp1258` codec, VNI by a
//! short Python script from the VNI-Windows code chart, UTF-16 and the mojibake (UTF-8 read as
//! Windows-1252 and saved again) by Python's codecs. All hold the same article, `expected.md`,
//! with Windows line endings.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use scraper::{Html, Selector};
use unicode_normalization::UnicodeNormalization;

const ARTICLE: &str = "content/articles/2025/hoi-nghi.md";

fn fixture(name: &str) -> Vec<u8> {
    let path = repo_root().join("tests/fixtures/encodings").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The article as it must read after conversion (line endings as the file had them).
fn expected_text() -> String {
    String::from_utf8(fixture("expected.md")).unwrap()
}

/// A new site (`bantin init`) with the article saved as `bytes`.
fn site_with(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    let out = bantin().arg("init").arg(&site).output().unwrap();
    assert_success(&out, "bantin init");
    let article = site.join(ARTICLE);
    std::fs::create_dir_all(article.parent().unwrap()).unwrap();
    std::fs::write(&article, bytes).unwrap();
    (temp, site)
}

fn build(site: &Path) -> std::process::Output {
    run_build(site, &site.join("public"), &[])
}

fn convert(site: &Path, args: &[&str]) -> std::process::Output {
    bantin()
        .arg("--root")
        .arg(site)
        .arg("convert")
        .args(args)
        .output()
        .unwrap()
}

/// The command between backticks that the report gives after `bantin convert`.
fn suggested_command(report: &str) -> Vec<String> {
    let start = report
        .find("`bantin convert ")
        .unwrap_or_else(|| panic!("no convert command in:\n{report}"));
    let rest = &report[start + 1..];
    let end = rest.find('`').unwrap();
    rest[..end]
        .split_whitespace()
        .skip(1)
        .map(String::from)
        .collect()
}

/// The article's heading and first paragraph as a reader sees them.
fn published(site: &Path) -> (String, String) {
    let page = site.join("public/tin-tuc/hoi-nghi/index.html");
    let html = Html::parse_document(&std::fs::read_to_string(&page).unwrap());
    let text = |sel: &str| {
        html.select(&Selector::parse(sel).unwrap())
            .next()
            .unwrap_or_else(|| panic!("no {sel} in {}", page.display()))
            .text()
            .collect::<String>()
            .trim()
            .to_string()
    };
    (text("h1"), text(".content p"))
}

fn is_nfc(s: &str) -> bool {
    s.nfc().eq(s.chars())
}

/// For each legacy encoding: the build refuses the file and says which encoding it is, with the
/// exact command; that command converts it (keeping the original as `.bak`); the site then
/// builds and shows the right letters.
#[test]
fn legacy_files_are_named_converted_and_then_build() {
    for (file, name, flag) in [
        ("tcvn3.md", "TCVN3 (ABC)", "tcvn3"),
        ("vni.md", "VNI (VNI-Windows)", "vni"),
        ("cp1258.md", "Windows-1258 (CP1258)", "cp1258"),
        ("utf16le.md", "UTF-16 LE", "utf16"),
        ("utf16be.md", "UTF-16 BE", "utf16"),
    ] {
        let original = fixture(file);
        let (_temp, site) = site_with(&original);
        let out = build(&site);
        assert_eq!(out.status.code(), Some(1), "{file}: {}", stderr(&out));
        let report = stderr(&out);
        assert!(report.contains(ARTICLE), "{file}: {report}");
        assert!(
            report.contains(&format!("bảng mã {name}")),
            "{file}: {report}"
        );
        // The offending line is shown as it reads in that encoding.
        assert!(
            report.contains("title = \"Hội nghị tổng kết công tác năm 2025\""),
            "{file}: {report}"
        );
        let command = suggested_command(&report);
        assert_eq!(command, ["convert", "--from", flag, ARTICLE], "{file}");

        let args: Vec<&str> = command[1..].iter().map(String::as_str).collect();
        let out = convert(&site, &args);
        assert_success(&out, &format!("bantin convert ({file})"));
        let said = stdout(&out);
        assert!(
            said.contains(&format!("Đã chuyển {ARTICLE} từ {name} sang UTF-8")),
            "{said}"
        );
        assert!(said.contains("hoi-nghi.md.bak"), "{said}");

        let backup = site.join(format!("{ARTICLE}.bak"));
        assert_eq!(std::fs::read(&backup).unwrap(), original, "{file}: .bak");
        let converted = String::from_utf8(std::fs::read(site.join(ARTICLE)).unwrap())
            .unwrap_or_else(|e| panic!("{file}: not UTF-8 after convert: {e}"));
        assert!(is_nfc(&converted), "{file}");
        assert_eq!(converted, expected_text(), "{file}");

        build_ok(&site, &site.join("public"), &[]);
        let (title, first) = published(&site);
        assert_eq!(title, "Hội nghị tổng kết công tác năm 2025", "{file}");
        assert!(
            first.starts_with(
                "Ủy ban nhân dân phường Tô Châu tổ chức hội nghị. Đồng chí Lưu Thanh Bình"
            ),
            "{file}: {first}"
        );
        // The .bak beside the article is not published nor read as an article.
        assert!(!site.join("public/tin-tuc/hoi-nghi.md.bak").exists());
    }
}

/// `--from auto` (the default) recognises each legacy file by itself.
#[test]
fn auto_detection_converts_each_encoding() {
    for (file, name) in [
        ("tcvn3.md", "TCVN3 (ABC)"),
        ("vni.md", "VNI (VNI-Windows)"),
        ("cp1258.md", "Windows-1258 (CP1258)"),
        ("utf16le-bom.md", "UTF-16 LE"),
    ] {
        let (_temp, site) = site_with(&fixture(file));
        let out = convert(&site, &[ARTICLE]);
        assert_success(&out, &format!("bantin convert ({file})"));
        assert!(
            stdout(&out).contains(&format!("từ {name} sang UTF-8")),
            "{}",
            stdout(&out)
        );
        assert_eq!(
            std::fs::read_to_string(site.join(ARTICLE)).unwrap(),
            expected_text(),
            "{file}"
        );
    }
}

/// Notepad's "Unicode" (UTF-16 with a byte-order mark) is unambiguous: it is simply read.
#[test]
fn utf16_with_bom_builds_as_it_is() {
    let (_temp, site) = site_with(&fixture("utf16le-bom.md"));
    build_ok(&site, &site.join("public"), &[]);
    let (title, _) = published(&site);
    assert_eq!(title, "Hội nghị tổng kết công tác năm 2025");
}

/// A file already converted once has a `.bak`: it is not replaced without `--force`.
#[test]
fn an_existing_backup_is_not_overwritten_without_force() {
    let original = fixture("tcvn3.md");
    let (_temp, site) = site_with(&original);
    let backup = site.join(format!("{ARTICLE}.bak"));
    std::fs::write(&backup, "bản sao lưu cũ").unwrap();
    let out = convert(&site, &["--from", "tcvn3", ARTICLE]);
    assert_eq!(out.status.code(), Some(1));
    let report = stderr(&out);
    assert!(
        report.contains(&format!("lỗi: {ARTICLE}: đã có tệp sao lưu")),
        "{report}"
    );
    assert!(report.contains("--force"), "{report}");
    assert_eq!(std::fs::read(site.join(ARTICLE)).unwrap(), original);
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), "bản sao lưu cũ");

    let out = convert(&site, &["--from", "tcvn3", "--force", ARTICLE]);
    assert_success(&out, "bantin convert --force");
    assert_eq!(std::fs::read(&backup).unwrap(), original);
    assert_eq!(
        std::fs::read_to_string(site.join(ARTICLE)).unwrap(),
        expected_text()
    );
}

/// A UTF-8 file is left alone and no `.bak` is made: with `--from auto` (converting a folder's
/// files) it is skipped and said so; told it is TCVN3, bantin refuses.
#[test]
fn a_utf8_file_is_left_alone() {
    let text = expected_text();
    let (_temp, site) = site_with(text.as_bytes());
    let out = convert(&site, &[ARTICLE]);
    assert_success(&out, "bantin convert on UTF-8");
    assert!(
        stdout(&out).contains(&format!("Giữ nguyên {ARTICLE}: đã là UTF-8.")),
        "{}",
        stdout(&out)
    );
    let out = convert(&site, &["--from", "tcvn3", ARTICLE]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("lỗi: {ARTICLE}: tệp đã là văn bản UTF-8")),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(site.join(ARTICLE)).unwrap(), text);
    assert!(!site.join(format!("{ARTICLE}.bak")).exists());
    // UTF-8 with a byte-order mark and Windows line endings builds as it is.
    let with_bom = [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat();
    std::fs::write(site.join(ARTICLE), with_bom).unwrap();
    build_ok(&site, &site.join("public"), &[]);
}

#[test]
fn an_unknown_encoding_name_is_a_usage_error() {
    let (_temp, site) = site_with(&fixture("tcvn3.md"));
    let out = convert(&site, &["--from", "abc", ARTICLE]);
    assert_eq!(out.status.code(), Some(2));
    let report = stderr(&out);
    assert!(report.contains("abc"), "{report}");
    for name in ["tcvn3", "vni", "cp1258", "utf16"] {
        assert!(report.contains(name), "{report}");
    }
    assert_eq!(
        std::fs::read(site.join(ARTICLE)).unwrap(),
        fixture("tcvn3.md")
    );
}

/// Mojibake (UTF-8 that went through Windows-1252) is refused by the build with the first damaged
/// letter shown, and `--from mojibake` repairs it.
#[test]
fn mojibake_is_reported_and_repaired() {
    let (_temp, site) = site_with(&fixture("mojibake.md"));
    let out = build(&site);
    assert_eq!(out.status.code(), Some(1));
    let report = stderr(&out);
    assert!(report.contains("«á»™» đáng lẽ là «ộ»"), "{report}");
    assert_eq!(
        suggested_command(&report),
        ["convert", "--from", "mojibake", ARTICLE]
    );
    let out = convert(&site, &["--from", "mojibake", ARTICLE]);
    assert_success(&out, "bantin convert --from mojibake");
    assert!(
        stdout(&out).contains(&format!("Đã sửa lỗi phông trong {ARTICLE}")),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read_to_string(site.join(ARTICLE)).unwrap(),
        expected_text()
    );
    build_ok(&site, &site.join("public"), &[]);
    // `--from auto` recognises it too.
    let (_temp, site) = site_with(&fixture("mojibake.md"));
    let out = convert(&site, &[ARTICLE]);
    assert_success(&out, "bantin convert (mojibake, auto)");
    assert_eq!(
        std::fs::read_to_string(site.join(ARTICLE)).unwrap(),
        expected_text()
    );
}

/// Every bad file of a run is reported together; the good ones are not mentioned.
#[test]
fn every_encoding_problem_is_reported_in_one_run() {
    let (_temp, site) = site_with(&fixture("vni.md"));
    let dir = site.join("content/articles/2025");
    std::fs::write(dir.join("anh.md"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(dir.join("cu.md"), fixture("cp1258.md")).unwrap();
    let out = build(&site);
    assert_eq!(out.status.code(), Some(1));
    let report = stderr(&out);
    for needle in [
        "content/articles/2025/anh.md",
        "có vẻ là ảnh PNG",
        "content/articles/2025/cu.md",
        "`bantin convert --from cp1258 content/articles/2025/cu.md`",
        "`bantin convert --from vni content/articles/2025/hoi-nghi.md`",
        "3 lỗi",
    ] {
        assert!(report.contains(needle), "{needle}: {report}");
    }
    assert!(!report.contains("chao-mung"), "{report}");
    // One command converts both text files; the picture is refused, and said why.
    let out = convert(
        &site,
        &[
            "content/articles/2025/cu.md",
            ARTICLE,
            "content/articles/2025/anh.md",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("Đã chuyển content/articles/2025/cu.md"));
    assert!(stdout(&out).contains(&format!("Đã chuyển {ARTICLE}")));
    assert!(stderr(&out).contains("anh.md: tệp này không phải văn bản mà có vẻ là ảnh PNG"));
}

/// Bytes no table reads as Vietnamese: auto-detection does not guess, it shows the first line
/// read with each table so the editor can choose.
#[test]
fn auto_detection_shows_the_choices_when_unsure() {
    let bytes = b"+++\ntitle = \"\xC0\xC1\xC2 \xD0\xDE\xFE\"\n+++\n";
    let (_temp, site) = site_with(bytes);
    let out = convert(&site, &[ARTICLE]);
    assert_eq!(out.status.code(), Some(1));
    let report = stderr(&out);
    assert!(report.contains("không đoán chắc được bảng mã"), "{report}");
    for flag in ["--from tcvn3", "--from vni", "--from cp1258"] {
        assert!(report.contains(flag), "{report}");
    }
    assert_eq!(std::fs::read(site.join(ARTICLE)).unwrap(), bytes);
}

/// `site.toml` in a legacy encoding is reported the same way.
#[test]
fn site_toml_in_a_legacy_encoding_is_named() {
    let (_temp, site) = site_with(&expected_text().into_bytes());
    let config = std::fs::read_to_string(site.join("site.toml")).unwrap();
    let mut bytes = Vec::new();
    for c in config.chars() {
        // Windows-1258 as Vietnamese Windows saves it (letters without tone + combining tone).
        let s = c.to_string();
        match encoding_rs::WINDOWS_1258.encode(&s) {
            (b, _, false) => bytes.extend_from_slice(&b),
            _ => {
                let tones = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
                let nfd: String = s.nfd().collect();
                let base: String = nfd.chars().filter(|c| !tones.contains(c)).nfc().collect();
                let tone: String = nfd.chars().filter(|c| tones.contains(c)).collect();
                let both = base + &tone;
                let (b, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&both);
                assert!(!unmappable, "{c}");
                bytes.extend_from_slice(&b);
            }
        }
    }
    std::fs::write(site.join("site.toml"), &bytes).unwrap();
    let out = build(&site);
    assert_eq!(out.status.code(), Some(1));
    let report = stderr(&out);
    assert!(
        report.contains("`bantin convert --from cp1258 site.toml`"),
        "{report}"
    );
}

/// UTF-8 with a few bad bytes is not another encoding: the build shows where they are, and
/// `convert` does not guess.
#[test]
fn utf8_with_damaged_bytes_is_located_not_converted() {
    let mut bytes = fixture("expected.md");
    bytes.extend_from_slice(b"Ph\xF2ng V\xE3n h\xF3a.\r\n");
    let (_temp, site) = site_with(&bytes);
    let out = build(&site);
    assert_eq!(out.status.code(), Some(1));
    let report = stderr(&out);
    assert!(report.contains(&format!("{ARTICLE}:8:3")), "{report}");
    assert!(report.contains("3 chỗ hỏng"), "{report}");
    let out = convert(&site, &[ARTICLE]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("3 chỗ hỏng (dòng 8, cột 3)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(site.join(ARTICLE)).unwrap(), bytes);
    assert!(!site.join(format!("{ARTICLE}.bak")).exists());
}
