//! Editor commands and safe publishing, as an editor meets them: `bantin new` and `bantin check`
//! driven through the real binary, links between content files and scheduled articles checked
//! in the pages a real build writes (parsed with scraper).

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use bantin::pipeline::{self, BuildOptions};
use common::*;
use scraper::Html;

/// `bantin --root <root> <args…>`.
fn run(root: &Path, args: &[&str]) -> std::process::Output {
    bantin()
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("bantin runs")
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// The front matter of a TOML document, parsed with `toml` (not with bantin).
fn front_matter(text: &str) -> toml::Table {
    let rest = text.strip_prefix("+++\n").expect("TOML front matter");
    let end = rest.find("\n+++\n").expect("closing +++");
    rest[..end].parse().expect("valid TOML")
}

fn page_at(out: &Path, url: &str) -> Html {
    page(out, url)
}

/// `href`s of the links in a page's `<main>`.
fn links_in(out: &Path, url: &str) -> Vec<String> {
    main_links(&page_at(out, url))
}

/// An article file: TOML front matter with `extra` lines, then `body`. The author is set so
/// that a last line is never read as a byline.
fn article(title: &str, date: &str, extra: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = {date}\nauthor = \"Ban biên tập\"\n{extra}+++\n{body}\n"
    )
}

// ---------------------------------------------------------------------------
// bantin new
// ---------------------------------------------------------------------------

#[test]
fn new_article_is_a_dated_draft_in_its_year_folder_and_builds() {
    let site = small_site("author = \"Văn phòng HĐND và UBND\"");
    let root = site.path();
    // Typed with decomposed marks (as pasted from some PDFs) and extra spaces.
    let title = "Hội nghị  tổng kết \"Ngày hội\" năm 2026".nfd_string();
    let o = run(root, &["new", &title]);
    assert_success(&o, "bantin new");
    let printed = stdout(&o).trim().to_string();
    let rel = PathBuf::from(&printed)
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| PathBuf::from(&printed));
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    assert_eq!(parts.len(), 4, "content/articles/<năm>/<tệp>: {printed}");
    assert_eq!(&parts[..2], ["content", "articles"]);
    assert_eq!(parts[3], "hoi-nghi-tong-ket-ngay-hoi-nam-2026.md");

    let written = std::fs::read_to_string(root.join(&rel)).expect("the file was written");
    let fm = front_matter(&written);
    let title_nfc = "Hội nghị tổng kết \"Ngày hội\" năm 2026";
    assert_eq!(
        fm["title"].as_str(),
        Some(title_nfc),
        "NFC, spaces collapsed"
    );
    assert_eq!(fm["author"].as_str(), Some("Văn phòng HĐND và UBND"));
    assert_eq!(fm["draft"].as_bool(), Some(true));
    assert_eq!(fm["tags"].as_array().map(Vec::len), Some(0));
    let date = fm["date"]
        .as_datetime()
        .expect("a TOML date-time")
        .to_string();
    let date: jiff::Timestamp = date.parse().expect("an exact instant");
    let local = date.to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").unwrap());
    assert_eq!(
        parts[2],
        local.year().to_string(),
        "the year folder is the date's"
    );
    assert!(
        fm["date"]
            .as_datetime()
            .unwrap()
            .to_string()
            .ends_with("+07:00"),
        "written in the site's time zone"
    );
    assert!(
        written
            .lines()
            .any(|l| l.starts_with("# Gợi ý:") && l.contains("draft = true")),
        "a Vietnamese hint in the front matter:\n{written}"
    );
    assert!(stderr(&o).contains("bản nháp"), "{}", stderr(&o));

    // A draft: not published by `build`, shown by `build --drafts`.
    let url = "/tin-tuc/hoi-nghi-tong-ket-ngay-hoi-nam-2026/";
    let out = root.join("public");
    build_ok(root, &out, &[]);
    assert!(!exists(&out, url));
    build_ok(root, &out, &["--drafts", "--force"]);
    let doc = page_at(&out, url);
    let h1 = doc.select(&sel("h1")).next().map(text);
    assert_eq!(h1.as_deref(), Some(title_nfc));
}

#[test]
fn new_never_overwrites_and_refuses_titles_without_letters() {
    let site = small_site("");
    let root = site.path();
    let o = run(root, &["new", "Tin mới"]);
    assert_success(&o, "bantin new");
    let rel = stdout(&o).trim().to_string();
    assert!(
        !read(root, &rel).contains("author ="),
        "no author line without `author` in site.toml"
    );
    std::fs::write(root.join(&rel), "nội dung đã viết").unwrap();

    let again = run(root, &["new", "Tin  mới"]);
    assert_eq!(again.status.code(), Some(1));
    let err = stderr(&again);
    assert!(err.contains("đã có") && err.contains("cách sửa"), "{err}");
    assert_eq!(
        read(root, &rel),
        "nội dung đã viết",
        "the file is untouched"
    );

    // An article of another year with the same address.
    let o = run(root, &["new", "Họp đầu năm"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("content/articles/hop-dau-nam.md"),
        "{}",
        stderr(&o)
    );

    for bad in ["!!! ???", "   "] {
        let o = run(root, &["new", bad]);
        assert_eq!(o.status.code(), Some(1), "{bad:?}");
        assert!(stderr(&o).contains("cách sửa"), "{}", stderr(&o));
    }
    let o = run(root, &["new", "--page", "Tin tức"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "/tin-tuc/ is bantin's own address"
    );
    assert!(stderr(&o).contains("/tin-tuc/"), "{}", stderr(&o));
}

#[test]
fn new_official_department_and_page_build_into_their_pages() {
    let site = small_site("");
    let root = site.path();
    for (args, rel) in [
        (
            vec!["new", "--official", "Trần Thị Bé"],
            "content/officials/tran-thi-be.md",
        ),
        (
            vec!["new", "--department", "Phòng Kinh tế, Hạ tầng và Đô thị"],
            "content/departments/phong-kinh-te-ha-tang-va-do-thi.md",
        ),
        (
            vec!["new", "--page", "Lịch tiếp công dân"],
            "content/pages/lich-tiep-cong-dan.md",
        ),
    ] {
        let o = run(root, &args);
        assert_success(&o, "bantin new");
        assert_eq!(PathBuf::from(stdout(&o).trim()), root.join(rel), "{args:?}");
    }
    let fm = front_matter(&read(root, "content/officials/tran-thi-be.md"));
    assert_eq!(fm["name"].as_str(), Some("Trần Thị Bé"));
    let fm = front_matter(&read(
        root,
        "content/departments/phong-kinh-te-ha-tang-va-do-thi.md",
    ));
    assert_eq!(
        fm["name"].as_str(),
        Some("Phòng Kinh tế, Hạ tầng và Đô thị")
    );

    let out = root.join("public");
    build_ok(root, &out, &[]);
    let official = page_at(&out, "/can-bo/tran-thi-be/");
    assert!(text(main_of(&official)).contains("Trần Thị Bé"));
    let department = page_at(&out, "/don-vi/phong-kinh-te-ha-tang-va-do-thi/");
    assert!(text(main_of(&department)).contains("Phòng Kinh tế, Hạ tầng và Đô thị"));
    assert!(
        !exists(&out, "/lich-tiep-cong-dan/"),
        "a new page is a draft"
    );

    let o = run(root, &["new", "--official", "Trần Thị Bé"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn new_outside_a_site_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(tmp.path(), &["new", "Tin mới"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("site.toml"), "{}", stderr(&o));
    assert!(!tmp.path().join("content").exists());
}

// ---------------------------------------------------------------------------
// bantin check
// ---------------------------------------------------------------------------

#[test]
fn check_of_a_good_site_says_so_and_writes_nothing() {
    let site = small_site("");
    let root = site.path();
    let before = files(root);
    let o = run(root, &["check"]);
    assert_success(&o, "bantin check");
    let out = stdout(&o);
    assert!(out.contains("Không có lỗi"), "{out}");
    assert!(out.contains("2 bài viết"), "{out}");
    assert_eq!(files(root), before, "check writes nothing");
}

#[test]
fn check_reports_every_problem_on_its_own_line_with_place_and_fix() {
    let site = small_site("");
    let root = site.path();
    write(
        root,
        "content/articles/2025/loi.md",
        &article(
            "Bài có lỗi",
            "2025-04-01",
            "officials = [\"Nguyễn Văn Không\"]\n",
            "Đoạn đầu.\n\nXem [bài cũ](../hop-dau-nam.md) và [bài không có](../2024/khong-co.md#a).\n\n\
             ![Ảnh](/images/khong-co.jpg)",
        ),
    );
    write(
        root,
        "content/articles/2099/hen-dang.md",
        &article("Tin hẹn đăng", "2099-01-01 08:00", "", "Sẽ đăng sau."),
    );
    let o = run(root, &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let errors: Vec<&&str> = lines.iter().filter(|l| l.contains(": lỗi: ")).collect();
    assert_eq!(errors.len(), 3, "{out}");
    for l in &errors {
        assert!(
            l.starts_with("content/articles/2025/loi.md:") && l.contains(" — cách sửa: "),
            "{l}"
        );
    }
    let link = errors
        .iter()
        .find(|l| l.contains("../2024/khong-co.md#a"))
        .unwrap_or_else(|| panic!("the broken link is reported:\n{out}"));
    // Line 8 of the file (front matter: 7 lines), at the link's destination.
    let text = read(root, "content/articles/2025/loi.md");
    let line_no = text
        .lines()
        .position(|l| l.contains("khong-co.md"))
        .unwrap()
        + 1;
    let line_text = text.lines().nth(line_no - 1).unwrap();
    let column = line_text[..line_text.find("../2024").unwrap()]
        .chars()
        .count()
        + 1;
    assert!(
        link.starts_with(&format!(
            "content/articles/2025/loi.md:{line_no}:{column}: "
        )),
        "{link}"
    );
    assert!(errors.iter().any(|l| l.contains("Nguyễn Văn Không")));
    assert!(errors.iter().any(|l| l.contains("/images/khong-co.jpg")));
    let warning = lines
        .iter()
        .find(|l| l.contains(": cảnh báo: "))
        .unwrap_or_else(|| panic!("the scheduled article is a warning:\n{out}"));
    assert!(
        warning.starts_with("content/articles/2099/hen-dang.md:3:1: cảnh báo: ")
            && warning.contains("08:00 ngày 01/01/2099"),
        "{warning}"
    );
    assert!(
        lines.last().unwrap().contains("Có 3 lỗi, 1 cảnh báo"),
        "{out}"
    );
    assert!(!root.join("public").exists());
}

#[test]
fn check_warns_about_scheduled_articles_and_honours_future_and_drafts() {
    let site = small_site("");
    let root = site.path();
    write(
        root,
        "content/articles/2099/hen-dang.md",
        &article("Tin hẹn đăng", "2099-01-01", "", "Sẽ đăng sau."),
    );
    write(
        root,
        "content/articles/nhap.md",
        &article(
            "Bản nháp",
            "2025-01-01",
            "draft = true\n",
            "Xem [bài](khong-co.md).",
        ),
    );
    let o = run(root, &["check"]);
    assert_success(&o, "bantin check");
    let out = stdout(&o);
    assert!(out.contains("cảnh báo: bài hẹn đăng"), "{out}");
    assert!(out.contains("Không có lỗi, 1 cảnh báo"), "{out}");
    assert!(out.contains("2 bài viết"), "{out}");

    let o = run(root, &["check", "--future"]);
    assert_success(&o, "bantin check --future");
    let out = stdout(&o);
    assert!(!out.contains("cảnh báo"), "{out}");
    assert!(out.contains("3 bài viết"), "{out}");

    let o = run(root, &["check", "--drafts"]);
    assert_eq!(o.status.code(), Some(1), "drafts are checked with --drafts");
    assert!(
        stdout(&o).contains("content/articles/nhap.md:"),
        "{}",
        stdout(&o)
    );
}

// ---------------------------------------------------------------------------
// Links between content files
// ---------------------------------------------------------------------------

/// A site published under `/phuong/` whose files link each other in every way.
fn linked_site() -> tempfile::TempDir {
    let site = small_site("");
    let root = site.path();
    let toml = read(root, "site.toml")
        .replace("https://thu.example.vn/", "https://thu.example.vn/phuong/");
    write(root, "site.toml", &toml);
    write(
        root,
        "content/articles/2025/ngày-hội.md",
        &article(
            "Ngày hội",
            "2025-04-01",
            "slug = \"ngay-hoi-dai-doan-ket\"\n",
            "Ngày hội.",
        ),
    );
    write(
        root,
        "content/articles/2026/tong-ket.md",
        &article(
            "Tổng kết",
            "2026-01-05",
            "",
            "Xem [bài trước](../hop-dau-nam.md#ket-qua), [ngày hội](../2025/ngày-hội.md), \
             [ngày hội nữa](../2025/ng%C3%A0y-h%E1%BB%99i.md?x=1), [giới thiệu](../../pages/gioi-thieu.md#lich-su), \
             [chủ tịch](../../officials/nguyen-van-an.md), [UBND](../../departments/ubnd.md), \
             [mẫu đơn](mau-don.pdf), [cổng](https://dichvucong.gov.vn/a.md) và [liên hệ](/lien-he/).",
        ),
    );
    write(
        root,
        "content/pages/gioi-thieu.md",
        "+++\ntitle = \"Giới thiệu\"\n+++\nTin mới: [tổng kết](../articles/2026/tong-ket.md).\n",
    );
    write(
        root,
        "content/departments/ubnd.md",
        "+++\nname = \"Ủy ban nhân dân phường Thử\"\nshort_name = \"UBND phường\"\n+++\n\
         Chủ tịch: [Nguyễn Văn An](../officials/nguyen-van-an.md).\n",
    );
    site
}

#[test]
fn links_to_content_files_become_addresses_with_the_base_path() {
    let site = linked_site();
    let root = site.path();
    let out = root.join("public");
    build_ok(root, &out, &[]);
    let base = "/phuong/";
    let doc = std::fs::read_to_string(out.join("tin-tuc/tong-ket/index.html")).unwrap();
    let hrefs = main_links(&Html::parse_document(&doc));
    for expected in [
        "/phuong/tin-tuc/hop-dau-nam/#ket-qua",
        "/phuong/tin-tuc/ngay-hoi-dai-doan-ket/",
        "/phuong/tin-tuc/ngay-hoi-dai-doan-ket/?x=1",
        "/phuong/gioi-thieu/#lich-su",
        "/phuong/can-bo/nguyen-van-an/",
        "/phuong/don-vi/ubnd/",
        "mau-don.pdf",
        "https://dichvucong.gov.vn/a.md",
        "/phuong/lien-he/",
    ] {
        assert!(
            hrefs.iter().any(|h| h == expected),
            "{expected} in {hrefs:?}"
        );
    }
    assert!(
        !doc.contains("bantin-content-link")
            && hrefs
                .iter()
                .all(|h| !h.contains(".md") || h.starts_with("https://")),
        "no token and no .md link is left"
    );
    // Every rewritten link leads to a page of the output.
    // (`/lien-he/` was written as a site path, not as a file: there is no such page here.)
    for h in hrefs
        .iter()
        .filter(|h| h.starts_with(base) && *h != "/phuong/lien-he/")
    {
        let rel = url_to_rel(h, base).unwrap();
        assert!(out.join(&rel).is_file(), "{h} → {rel}");
    }
    let page_links = main_links(&Html::parse_document(
        &std::fs::read_to_string(out.join("gioi-thieu/index.html")).unwrap(),
    ));
    assert!(
        page_links.contains(&"/phuong/tin-tuc/tong-ket/".to_string()),
        "{page_links:?}"
    );
    let dept = std::fs::read_to_string(out.join("don-vi/ubnd/index.html")).unwrap();
    assert!(
        main_links(&Html::parse_document(&dept))
            .contains(&"/phuong/can-bo/nguyen-van-an/".to_string())
    );
}

#[test]
fn a_link_to_a_missing_file_stops_the_build_and_suggests_the_right_path() {
    let site = linked_site();
    let root = site.path();
    let rel = "content/articles/2026/tong-ket.md";
    // Written as if the article sat directly in content/articles/.
    let text = read(root, rel).replace("../../pages/gioi-thieu.md", "../pages/gioi-thieu.md");
    write(root, rel, &text);
    let out = root.join("public");
    let o = run_build(root, &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let line = text
        .lines()
        .position(|l| l.contains("../pages/gioi-thieu.md"))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("{rel}:{line}:")), "{err}");
    assert!(
        err.contains("có phải bạn muốn viết `../../pages/gioi-thieu.md`?"),
        "{err}"
    );
    assert!(!out.exists(), "nothing was written");

    let o = run(root, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains(&format!("{rel}:{line}:")));
}

#[test]
fn a_link_to_a_draft_is_an_error_unless_drafts_are_published() {
    let site = small_site("");
    let root = site.path();
    write(
        root,
        "content/articles/du-thao.md",
        &article("Dự thảo", "2025-04-01", "draft = true\n", "Dự thảo."),
    );
    write(
        root,
        "content/articles/moi.md",
        &article("Mới", "2025-04-02", "", "Xem [dự thảo](du-thao.md)."),
    );
    let out = root.join("public");
    let o = run_build(root, &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("bản nháp"), "{}", stderr(&o));
    build_ok(root, &out, &["--drafts"]);
    assert!(links_in(&out, "/tin-tuc/moi/").contains(&"/tin-tuc/du-thao/".to_string()));
}

// ---------------------------------------------------------------------------
// Articles dated after now
// ---------------------------------------------------------------------------

#[test]
fn scheduled_articles_wait_unless_future_and_show_a_badge_when_shown() {
    let site = small_site("");
    let root = site.path();
    write(
        root,
        "content/articles/2099/hen-dang.md",
        &article("Tin hẹn đăng", "2099-01-01 08:00", "", "Sẽ đăng sau."),
    );
    let out = root.join("public");
    build_ok(root, &out, &[]);
    assert!(!exists(&out, "/tin-tuc/hen-dang/"));
    assert!(!listed_articles(&page_at(&out, "/")).contains(&"hen-dang".to_string()));
    assert!(!exists(&out, "/2099/"));

    build_ok(root, &out, &["--future"]);
    let doc = page_at(&out, "/tin-tuc/hen-dang/");
    assert!(headline(&doc).contains("Hẹn đăng"));
    let noindex = |doc: &Html| {
        attrs(doc, "meta[name=robots]", "content")
            .iter()
            .any(|c| c.contains("noindex"))
    };
    assert!(noindex(&doc), "not indexed before its date");
    assert!(!noindex(&page_at(&out, "/tin-tuc/hop-dau-nam/")));
    assert!(listed_articles(&page_at(&out, "/")).contains(&"hen-dang".to_string()));
    assert!(!headline(&page_at(&out, "/tin-tuc/hop-dau-nam/")).contains("Hẹn đăng"));
    let home = page_at(&out, "/");
    let item = home
        .select(&sel("main li"))
        .find(|li| text(*li).contains("Tin hẹn đăng"))
        .expect("listed on the home page");
    assert!(text(item).contains("Hẹn đăng"), "marked in lists too");
}

/// The text of an article page's header (title, badges, date), without the lists around it.
fn headline(doc: &Html) -> String {
    doc.select(&sel("main article header"))
        .next()
        .map(text)
        .unwrap_or_else(|| panic!("an article header in {}", doc.html()))
}

/// A build through the library with a fixed `now`.
fn build_at(root: &Path, now: &str, future: bool) -> PathBuf {
    let out = root.join(format!("public-{}", now.replace(':', "-")));
    pipeline::build(&BuildOptions {
        root: root.to_path_buf(),
        output: Some(out.clone()),
        now: Some(now.parse().expect("a timestamp")),
        future,
        ..BuildOptions::default()
    })
    .unwrap_or_else(|e| panic!("build at {now}: {e}"));
    out
}

#[test]
fn the_moment_of_publication_is_the_date_in_the_sites_time_zone() {
    let site = small_site("");
    let root = site.path();
    write(
        root,
        "content/articles/dung-gio.md",
        &article("Đúng giờ", "2025-03-05 08:00", "", "Đăng lúc 8 giờ sáng."),
    );
    let url = "/tin-tuc/dung-gio/";
    // 07:59:59 in Vietnam is 00:59:59 UTC.
    let before = build_at(root, "2025-03-05T00:59:59Z", false);
    assert!(!exists(&before, url));
    assert!(exists(&before, "/tin-tuc/ra-quan/"), "2025-03-01 is past");
    let at = build_at(root, "2025-03-05T01:00:00Z", false);
    assert!(exists(&at, url));
    // A bare date is published from midnight, Vietnam time.
    let early = build_at(root, "2025-02-28T16:59:00Z", false);
    assert!(!exists(&early, "/tin-tuc/ra-quan/"));
    let midnight = build_at(root, "2025-02-28T17:00:00Z", false);
    assert!(exists(&midnight, "/tin-tuc/ra-quan/"));
    let future = build_at(root, "2025-02-11T00:00:00Z", true);
    assert!(exists(&future, url) && exists(&future, "/tin-tuc/ra-quan/"));
    assert!(headline(&page(&future, url)).contains("Hẹn đăng"));
    assert!(!headline(&page(&future, "/tin-tuc/hop-dau-nam/")).contains("Hẹn đăng"));
}

/// `GET path` on 127.0.0.1:`port`; the body.
fn http_get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw).into_owned();
    raw.split_once("\r\n\r\n")
        .map_or(raw.clone(), |(_, b)| b.to_string())
}

#[test]
fn the_preview_shows_scheduled_articles_marked() {
    let site = small_site("");
    let root = site.path();
    write(
        root,
        "content/articles/2099/hen-dang.md",
        &article("Tin hẹn đăng", "2099-01-01", "", "Sẽ đăng sau."),
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _serve = Spawned::start(
        &[&"--root", &root, &"serve", &"--port", &port.to_string()],
        "Xem thử tại",
    );
    let doc = Html::parse_document(&http_get(port, "/tin-tuc/hen-dang/"));
    assert!(headline(&doc).contains("Hẹn đăng"), "{}", doc.html());
}

trait Nfd {
    fn nfd_string(&self) -> String;
}

impl Nfd for str {
    fn nfd_string(&self) -> String {
        use unicode_normalization::UnicodeNormalization;
        self.nfd().collect()
    }
}
