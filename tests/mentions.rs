//! Mention detection through the real binary: officials and departments named in the text of
//! articles are found (whatever the case, Unicode form and tone placement, but never across
//! different diacritics), linked once, merged with the front matter lists, listed on their
//! pages; a last "Name - Department" paragraph becomes the byline; the organisation chart shows
//! each body's head and deputies. Each test writes a small site (no `themes/` folder, so the
//! embedded theme `phuong` renders it) into a temporary folder and reads the HTML it builds.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;
use scraper::{ElementRef, Html};
use unicode_normalization::UnicodeNormalization;

// ---------------------------------------------------------------------------
// The site
// ---------------------------------------------------------------------------

/// A small site: `site.toml` (title «Phường Thử», `base_url`, more `config`) and content files,
/// written into a temporary folder and built by [`SiteBuilder::build`].
struct SiteBuilder {
    base_url: String,
    config: String,
    /// Path relative to the site root → text.
    files: Vec<(String, String)>,
}

/// A site written into a temporary folder, removed when this is dropped.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    /// The output folder.
    fn out(&self) -> PathBuf {
        self.dir.path().join("public")
    }
}

impl SiteBuilder {
    fn new() -> SiteBuilder {
        SiteBuilder {
            base_url: "https://thu.example.vn/".to_string(),
            config: String::new(),
            files: Vec::new(),
        }
    }

    fn base_url(&mut self, url: &str) -> &mut Self {
        self.base_url = url.to_string();
        self
    }

    /// More lines of `site.toml`.
    fn config(&mut self, toml: &str) -> &mut Self {
        self.config.push_str(toml);
        self
    }

    /// Any file of the site.
    fn file(&mut self, rel: &str, text: &str) -> &mut Self {
        self.files.push((rel.to_string(), text.to_string()));
        self
    }

    /// `content/departments/<slug>.md` with the given front matter lines.
    fn department(&mut self, slug: &str, fields: &str) -> &mut Self {
        self.file(
            &format!("content/departments/{slug}.md"),
            &format!("+++\n{fields}\n+++\nChức năng, nhiệm vụ.\n"),
        )
    }

    /// `content/officials/<slug>.md` with the given front matter lines and positions
    /// (title, department, from, to).
    fn official(
        &mut self,
        slug: &str,
        fields: &str,
        positions: &[(&str, &str, &str, Option<&str>)],
    ) -> &mut Self {
        let mut text = format!("+++\n{fields}\n");
        for (title, department, from, to) in positions {
            text.push_str(&format!(
                "\n[[positions]]\ntitle = \"{title}\"\ndepartment = \"{department}\"\nfrom = {from}\n"
            ));
            if let Some(to) = to {
                text.push_str(&format!("to = {to}\n"));
            }
        }
        text.push_str("+++\nTiểu sử.\n");
        self.file(&format!("content/officials/{slug}.md"), &text)
    }

    /// `content/articles/<slug>.md` dated `date`.
    fn article(&mut self, slug: &str, date: &str, body: &str) -> &mut Self {
        self.article_with(slug, date, "", body)
    }

    /// `content/articles/<slug>.md` dated `date`, with extra front matter lines.
    fn article_with(&mut self, slug: &str, date: &str, front: &str, body: &str) -> &mut Self {
        self.file(
            &format!("content/articles/{slug}.md"),
            &article_text(slug, date, front, body),
        )
    }

    /// Write the site into a new temporary folder.
    fn create(&self) -> Site {
        let dir = tempfile::tempdir().expect("temporary folder");
        write(
            dir.path(),
            "site.toml",
            &format!(
                "title = \"Phường Thử\"\nbase_url = \"{}\"\n{}\n",
                self.base_url, self.config
            ),
        );
        for (rel, text) in &self.files {
            write(dir.path(), rel, text);
        }
        Site { dir }
    }

    /// Write and build the site; the build must succeed.
    fn build(&self) -> Site {
        let site = self.create();
        build_ok(site.dir.path(), &site.out(), &[]);
        site
    }

    /// Write and build a site whose build must fail with exit code 1.
    fn build_failing(&self) -> (Site, Output) {
        let site = self.create();
        let output = run_build(site.dir.path(), &site.out(), &[]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "the build should fail with exit code 1\n--- stdout\n{}\n--- stderr\n{}",
            stdout(&output),
            stderr(&output)
        );
        (site, output)
    }
}

/// A site with seven officials and five departments, and no articles yet.
///
/// ```text
/// Đảng ủy phường (dang-uy)              head: Lưu Thanh Bình (alias "Lưu T. Bình")
/// ├── HĐND phường (hdnd)                Phạm Minh Đức: Phó Chủ tịch until 2025-06-30,
/// │                                     Chủ tịch from 2025-07-01
/// └── UBND phường (ubnd)                Nguyễn Văn Anh (Phó Chủ tịch, order 2),
///     │                                 Nguyễn Văn An (Chủ tịch, order 3),
///     │                                 Trần Thị Mai (Ủy viên, order 4)
///     ├── Văn phòng HĐND và UBND        Nguyễn Thị Hòa (Chánh Văn phòng)
///     └── Phòng Văn hóa - Xã hội        Võ Thị Lan (Phó Trưởng phòng, the only one)
/// ```
fn ward() -> SiteBuilder {
    let mut site = SiteBuilder::new();
    site.department("dang-uy", "name = \"Đảng ủy phường\"\norder = 1")
        .department(
            "hdnd",
            "name = \"Hội đồng nhân dân phường Thử\"\nshort_name = \"HĐND phường\"\n\
             aliases = [\"HĐND\"]\nparent = \"dang-uy\"\norder = 2",
        )
        .department(
            "ubnd",
            "name = \"Ủy ban nhân dân phường Thử\"\nshort_name = \"UBND phường\"\n\
             aliases = [\"Ủy ban nhân dân phường\", \"UBND\"]\nparent = \"Đảng ủy phường\"\norder = 3",
        )
        .department(
            "van-phong",
            "name = \"Văn phòng HĐND và UBND\"\nparent = \"ubnd\"\norder = 1",
        )
        .department(
            "phong-van-hoa-xa-hoi",
            "name = \"Phòng Văn hóa - Xã hội\"\nparent = \"ubnd\"\norder = 2",
        )
        .official(
            "luu-thanh-binh",
            "name = \"Lưu Thanh Bình\"\naliases = [\"Lưu T. Bình\"]\norder = 1",
            &[("Bí thư Đảng ủy phường", "dang-uy", "2025-01-01", None)],
        )
        .official(
            "nguyen-van-anh",
            "name = \"Nguyễn Văn Anh\"\norder = 2",
            &[("Phó Chủ tịch UBND phường", "UBND phường", "2025-01-01", None)],
        )
        .official(
            "nguyen-van-an",
            "name = \"Nguyễn Văn An\"\norder = 3",
            &[("Chủ tịch UBND phường", "ubnd", "2025-01-01", None)],
        )
        .official(
            "tran-thi-mai",
            "name = \"Trần Thị Mai\"\norder = 4",
            &[("Ủy viên UBND phường", "ubnd", "2025-01-01", None)],
        )
        .official(
            "pham-minh-duc",
            "name = \"Phạm Minh Đức\"\norder = 5",
            &[
                ("Phó Chủ tịch HĐND phường", "hdnd", "2025-01-01", Some("2025-06-30")),
                ("Chủ tịch HĐND phường", "hdnd", "2025-07-01", None),
            ],
        )
        .official(
            "nguyen-thi-hoa",
            "name = \"Nguyễn Thị Hòa\"\norder = 6",
            &[(
                "Chánh Văn phòng HĐND và UBND phường",
                "Văn phòng HĐND và UBND",
                "2025-01-01",
                None,
            )],
        )
        .official(
            "vo-thi-lan",
            "name = \"Võ Thị Lan\"\norder = 7",
            &[(
                "Phó Trưởng phòng Văn hóa - Xã hội",
                "phong-van-hoa-xa-hoi",
                "2025-01-01",
                None,
            )],
        );
    site
}

/// The text of an article file: title «Bài <slug>», `date`, extra front matter lines, `body`.
fn article_text(slug: &str, date: &str, front: &str, body: &str) -> String {
    let front = if front.is_empty() || front.ends_with('\n') {
        front.to_string()
    } else {
        format!("{front}\n")
    };
    format!("+++\ntitle = \"Bài {slug}\"\ndate = {date}\n{front}+++\n{body}\n")
}

// ---------------------------------------------------------------------------
// Reading the pages
// ---------------------------------------------------------------------------

fn article_page(out: &Path, slug: &str) -> Html {
    page(out, &format!("/tin-tuc/{slug}/"))
}

/// The rendered body of an article page.
fn body_of(doc: &Html) -> ElementRef<'_> {
    doc.select(&sel("article.article div.content"))
        .next()
        .expect("an article page has a div.content")
}

/// (href, text) of every link in the body of an article page.
fn body_links(doc: &Html) -> Vec<(String, String)> {
    body_of(doc)
        .select(&sel("a"))
        .map(|a| {
            (
                a.value().attr("href").unwrap_or_default().to_string(),
                text(a),
            )
        })
        .collect()
}

/// Texts of the links to `href` in the body of an article page.
fn body_links_to(doc: &Html, href: &str) -> Vec<String> {
    body_links(doc)
        .into_iter()
        .filter(|(h, _)| h == href)
        .map(|(_, t)| t)
        .collect()
}

/// Whitespace-collapsed text of the body of an article page.
fn body_text(doc: &Html) -> String {
    text(body_of(doc))
}

/// (href, name, title) of the officials beside an article ("Cán bộ liên quan").
fn aside_officials(doc: &Html) -> Vec<(String, String, Option<String>)> {
    doc.select(&sel("aside.article-aside ul.people > li"))
        .map(|li| {
            let a = li.select(&sel("a")).next().expect("a link to the official");
            let title = li.select(&sel(".person-title")).next().map(text);
            (
                a.value().attr("href").unwrap_or_default().to_string(),
                text(a),
                title,
            )
        })
        .collect()
}

/// hrefs of the officials beside an article.
fn aside_official_urls(doc: &Html) -> Vec<String> {
    aside_officials(doc)
        .into_iter()
        .map(|(h, _, _)| h)
        .collect()
}

/// hrefs of the departments beside an article ("Đơn vị").
fn aside_department_urls(doc: &Html) -> Vec<String> {
    attrs(doc, "aside.article-aside ul.links a", "href")
}

/// The byline of an article page: (text, hrefs of its links), or None.
fn byline(doc: &Html) -> Option<(String, Vec<String>)> {
    doc.select(&sel("header.article-head .byline"))
        .next()
        .map(|b| {
            let links = b
                .select(&sel("a"))
                .filter_map(|a| a.value().attr("href").map(str::to_string))
                .collect();
            (text(b), links)
        })
}

/// Slugs of the articles listed on the page at `url` (an official's or department's page).
fn listed_on(out: &Path, url: &str) -> Vec<String> {
    listed_articles(&page(out, url))
}

fn official_url(slug: &str) -> String {
    format!("/can-bo/{slug}/")
}

fn department_url(slug: &str) -> String {
    format!("/don-vi/{slug}/")
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------
// Case, Unicode form, tone placement, diacritics
// ---------------------------------------------------------------------------

#[test]
fn a_name_in_nfd_text_is_found_and_linked() {
    let text = article_text(
        "van-ban-nfd",
        "2025-09-01",
        "",
        "Đồng chí Lưu Thanh Bình, Bí thư, dự hội nghị.",
    );
    let nfd: String = text.nfd().collect();
    assert!(
        nfd.contains('\u{0300}') && nfd.contains('\u{031B}'),
        "the file must really be written decomposed"
    );
    let site = ward().file("content/articles/van-ban-nfd.md", &nfd).build();
    let out = site.out();
    let doc = article_page(&out, "van-ban-nfd");
    assert_eq!(
        body_links_to(&doc, &official_url("luu-thanh-binh")),
        vec!["Lưu Thanh Bình".to_string()],
        "the NFD name is linked, with its (normalised) text"
    );
    assert_eq!(
        aside_official_urls(&doc),
        vec![official_url("luu-thanh-binh")]
    );
    assert_eq!(
        listed_on(&out, &official_url("luu-thanh-binh")),
        vec!["van-ban-nfd".to_string()]
    );
}

#[test]
fn uppercase_text_is_found_and_only_the_first_mention_is_linked_as_written() {
    let site = ward()
        .article(
            "chu-in-hoa",
            "2025-09-01",
            "ĐỒNG CHÍ LƯU THANH BÌNH PHÁT BIỂU KHAI MẠC.\n\n\
             Sau đó, đồng chí Lưu Thanh Bình trao quà; đồng chí lưu thanh bình cảm ơn.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "chu-in-hoa");
    assert_eq!(
        body_links_to(&doc, &official_url("luu-thanh-binh")),
        vec!["LƯU THANH BÌNH".to_string()],
        "exactly one link, on the first mention, with its text as written"
    );
    assert_eq!(
        body_links(&doc).len(),
        1,
        "no other link: {:?}",
        body_links(&doc)
    );
    let first_link = body_of(&doc)
        .select(&sel("a"))
        .next()
        .expect("a link in the body");
    let para = element_ancestors(first_link)
        .into_iter()
        .find(|e| e.value().name() == "p")
        .expect("the link is in a paragraph");
    assert_eq!(
        text(para),
        "ĐỒNG CHÍ LƯU THANH BÌNH PHÁT BIỂU KHAI MẠC.",
        "the link is in the first paragraph"
    );
    let body = body_text(&doc);
    assert!(
        body.contains("đồng chí Lưu Thanh Bình trao quà")
            && body.contains("đồng chí lưu thanh bình cảm ơn"),
        "later mentions stay as plain text: {body}"
    );
    assert_eq!(
        aside_official_urls(&doc),
        vec![official_url("luu-thanh-binh")],
        "three mentions, one official"
    );
}

#[test]
fn old_and_new_tone_placement_match_each_other() {
    let site = ward()
        // The department is named "Đảng ủy phường" (new style), the official "Nguyễn Thị Hòa".
        .article(
            "dau-thanh-cu",
            "2025-09-01",
            "Ban Thường vụ Đảng uỷ phường làm việc với bà Nguyễn Thị Hoà.",
        )
        .article(
            "dau-thanh-cu-in-hoa",
            "2025-09-02",
            "THÔNG BÁO CỦA ĐẢNG UỶ PHƯỜNG VỀ VIỆC TIẾP DÂN CỦA BÀ NGUYỄN THỊ HOÀ.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "dau-thanh-cu");
    assert_eq!(
        body_links_to(&doc, &department_url("dang-uy")),
        vec!["Đảng uỷ phường".to_string()]
    );
    assert_eq!(
        body_links_to(&doc, &official_url("nguyen-thi-hoa")),
        vec!["Nguyễn Thị Hoà".to_string()]
    );
    assert_eq!(aside_department_urls(&doc), vec![department_url("dang-uy")]);
    assert_eq!(
        aside_official_urls(&doc),
        vec![official_url("nguyen-thi-hoa")]
    );
    let upper = article_page(&out, "dau-thanh-cu-in-hoa");
    assert_eq!(
        body_links(&upper),
        vec![
            (department_url("dang-uy"), "ĐẢNG UỶ PHƯỜNG".to_string()),
            (official_url("nguyen-thi-hoa"), "NGUYỄN THỊ HOÀ".to_string()),
        ]
    );
    assert_eq!(
        listed_on(&out, &department_url("dang-uy")),
        strings(&["dau-thanh-cu-in-hoa", "dau-thanh-cu"])
    );
}

#[test]
fn a_name_with_other_diacritics_is_not_found() {
    let site = ward()
        .article(
            "khac-dau",
            "2025-09-01",
            "Ông Phạm Minh Dục, khu phố 2, được khen thưởng.",
        )
        // The right spelling in another article, so that the official's page has something to list.
        .article("dung-dau", "2025-09-02", "Ông Phạm Minh Đức trao thưởng.")
        .build();
    let out = site.out();
    let doc = article_page(&out, "khac-dau");
    assert!(
        body_links(&doc).is_empty(),
        "«Dục» is not «Đức»: {:?}",
        body_links(&doc)
    );
    assert!(aside_officials(&doc).is_empty());
    assert!(body_text(&doc).contains("Ông Phạm Minh Dục, khu phố 2"));
    let ok = article_page(&out, "dung-dau");
    assert_eq!(
        body_links_to(&ok, &official_url("pham-minh-duc")),
        vec!["Phạm Minh Đức".to_string()]
    );
    assert_eq!(
        listed_on(&out, &official_url("pham-minh-duc")),
        vec!["dung-dau".to_string()]
    );
}

// ---------------------------------------------------------------------------
// Whole words and the longest name
// ---------------------------------------------------------------------------

#[test]
fn a_name_is_not_found_inside_a_longer_word() {
    // Only "Nguyễn Văn An" has a file here: "Nguyễn Văn Anh" must not count as him.
    let site = SiteBuilder::new()
        .department("ubnd", "name = \"Ủy ban nhân dân phường Thử\"")
        .official(
            "nguyen-van-an",
            "name = \"Nguyễn Văn An\"",
            &[("Chủ tịch", "ubnd", "2025-01-01", None)],
        )
        .article(
            "ong-anh",
            "2025-09-01",
            "Ông Nguyễn Văn Anh, khu phố 3, hiến đất làm đường.",
        )
        .article(
            "ong-an",
            "2025-09-02",
            "Ông Nguyễn Văn An, Chủ tịch, thăm hỏi.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "ong-anh");
    assert!(
        body_links(&doc).is_empty(),
        "no link inside «Anh»: {:?}",
        body_links(&doc)
    );
    assert!(aside_officials(&doc).is_empty());
    assert_eq!(
        listed_on(&out, &official_url("nguyen-van-an")),
        vec!["ong-an".to_string()],
        "only the article naming him is listed"
    );
}

#[test]
fn of_two_officials_whose_names_overlap_the_longer_name_wins() {
    let site = ward()
        .article(
            "pho-chu-tich",
            "2025-09-01",
            "Ông Nguyễn Văn Anh, Phó Chủ tịch, kiểm tra công trình.",
        )
        .article(
            "chu-tich",
            "2025-09-02",
            "Ông Nguyễn Văn An, Chủ tịch, kiểm tra công trình.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "pho-chu-tich");
    assert_eq!(
        body_links(&doc),
        vec![(official_url("nguyen-van-anh"), "Nguyễn Văn Anh".to_string())]
    );
    assert_eq!(
        aside_official_urls(&doc),
        vec![official_url("nguyen-van-anh")]
    );
    let doc = article_page(&out, "chu-tich");
    assert_eq!(
        body_links(&doc),
        vec![(official_url("nguyen-van-an"), "Nguyễn Văn An".to_string())]
    );
    assert_eq!(
        listed_on(&out, &official_url("nguyen-van-an")),
        vec!["chu-tich".to_string()]
    );
    assert_eq!(
        listed_on(&out, &official_url("nguyen-van-anh")),
        vec!["pho-chu-tich".to_string()]
    );
}

#[test]
fn the_office_of_hdnd_and_ubnd_is_the_office_not_the_ubnd() {
    let site = ward()
        .article(
            "van-phong",
            "2025-09-01",
            "Văn phòng HĐND và UBND phường tiếp nhận hồ sơ.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "van-phong");
    assert_eq!(
        body_links(&doc),
        vec![(
            department_url("van-phong"),
            "Văn phòng HĐND và UBND".to_string()
        )]
    );
    assert_eq!(
        aside_department_urls(&doc),
        vec![department_url("van-phong")],
        "neither the HĐND nor the UBND is named"
    );
    assert!(listed_on(&out, &department_url("ubnd")).is_empty());
    assert!(listed_on(&out, &department_url("hdnd")).is_empty());
    assert_eq!(
        listed_on(&out, &department_url("van-phong")),
        vec!["van-phong".to_string()]
    );
}

#[test]
fn departments_are_found_by_short_name_and_alias() {
    let site = ward()
        .article(
            "viet-tat",
            "2025-09-01",
            "UBND phường phối hợp với HĐND phường tổ chức tiếp xúc cử tri.",
        )
        .article(
            "bi-danh-don-vi",
            "2025-09-02",
            "Ủy ban nhân dân phường ban hành kế hoạch; UBND phường giao các khu phố thực hiện.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "viet-tat");
    assert_eq!(
        body_links(&doc),
        vec![
            (department_url("ubnd"), "UBND phường".to_string()),
            (department_url("hdnd"), "HĐND phường".to_string()),
        ],
        "the longest name («UBND phường», not «UBND») is the link text"
    );
    assert_eq!(
        aside_department_urls(&doc),
        vec![department_url("ubnd"), department_url("hdnd")]
    );
    let doc = article_page(&out, "bi-danh-don-vi");
    assert_eq!(
        body_links(&doc),
        vec![(department_url("ubnd"), "Ủy ban nhân dân phường".to_string())],
        "only the first mention is linked, whichever of its names comes later"
    );
    assert_eq!(
        listed_on(&out, &department_url("ubnd")),
        strings(&["bi-danh-don-vi", "viet-tat"])
    );
    assert_eq!(
        listed_on(&out, &department_url("hdnd")),
        strings(&["viet-tat"])
    );
}

#[test]
fn an_official_is_found_by_alias() {
    let site = ward()
        .article(
            "bi-danh",
            "2025-09-01",
            "Đồng chí Lưu T. Bình chủ trì hội nghị.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "bi-danh");
    assert_eq!(
        body_links(&doc),
        vec![(official_url("luu-thanh-binh"), "Lưu T. Bình".to_string())]
    );
    assert_eq!(
        aside_officials(&doc),
        vec![(
            official_url("luu-thanh-binh"),
            "Lưu Thanh Bình".to_string(),
            Some("Bí thư Đảng ủy phường".to_string())
        )],
        "beside the article the official is shown under his name"
    );
    assert_eq!(
        listed_on(&out, &official_url("luu-thanh-binh")),
        strings(&["bi-danh"])
    );
}

// ---------------------------------------------------------------------------
// Links, code, headings
// ---------------------------------------------------------------------------

#[test]
fn a_mention_inside_an_existing_link_is_not_linked_again() {
    let site = ward()
        .article(
            "co-lien-ket",
            "2025-09-01",
            "Xem bài phát biểu của [đồng chí Lưu Thanh Bình](https://baoangiang.com.vn/bai-phat-bieu) \
             trên báo tỉnh.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "co-lien-ket");
    assert_eq!(
        body_links(&doc),
        vec![(
            "https://baoangiang.com.vn/bai-phat-bieu".to_string(),
            "đồng chí Lưu Thanh Bình".to_string()
        )],
        "the editor's link is kept as it is"
    );
    assert_eq!(
        body_of(&doc).select(&sel("a a")).count(),
        0,
        "no link inside a link"
    );
    assert!(body_links_to(&doc, &official_url("luu-thanh-binh")).is_empty());
}

#[test]
fn a_mention_in_inline_code_is_not_detected() {
    let site = ward()
        .article(
            "ma-nguon",
            "2025-09-01",
            "Gõ `Lưu Thanh Bình` hoặc `UBND phường` vào ô tìm kiếm.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "ma-nguon");
    assert!(body_links(&doc).is_empty(), "{:?}", body_links(&doc));
    let codes: Vec<String> = body_of(&doc).select(&sel("code")).map(text).collect();
    assert_eq!(codes, strings(&["Lưu Thanh Bình", "UBND phường"]));
    assert!(aside_officials(&doc).is_empty());
    assert!(aside_department_urls(&doc).is_empty());
    assert!(listed_on(&out, &official_url("luu-thanh-binh")).is_empty());
    assert!(listed_on(&out, &department_url("ubnd")).is_empty());
}

#[test]
fn a_mention_in_a_heading_counts_but_is_not_linked() {
    let site = ward()
        .article(
            "tieu-de-phu",
            "2025-09-01",
            "Mở đầu.\n\n## Phát biểu của đồng chí Lưu Thanh Bình\n\nĐồng chí Lưu Thanh Bình nhấn mạnh.\n\n\
             ## Ý kiến của Trần Thị Mai\n\nNhiều ý kiến.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "tieu-de-phu");
    let headings: Vec<ElementRef> = body_of(&doc).select(&sel("h2")).collect();
    assert_eq!(headings.len(), 2);
    for h in &headings {
        assert_eq!(
            h.select(&sel("a")).count(),
            0,
            "heading «{}» has no link",
            text(*h)
        );
    }
    assert_eq!(
        body_links(&doc),
        vec![(official_url("luu-thanh-binh"), "Lưu Thanh Bình".to_string())],
        "the mention in the paragraph after the heading is the one linked"
    );
    let link = body_of(&doc).select(&sel("p a")).next().expect("a link");
    assert_eq!(
        element_ancestors(link)
            .into_iter()
            .find(|e| e.value().name() == "p")
            .map(text)
            .as_deref(),
        Some("Đồng chí Lưu Thanh Bình nhấn mạnh.")
    );
    assert_eq!(
        aside_official_urls(&doc),
        vec![official_url("luu-thanh-binh"), official_url("tran-thi-mai")],
        "a name only in a heading still counts"
    );
}

// ---------------------------------------------------------------------------
// Merging with the front matter
// ---------------------------------------------------------------------------

#[test]
fn names_found_in_the_text_come_after_the_front_matter_lists() {
    let site = ward()
        .article_with(
            "gop-danh-sach",
            "2025-09-01",
            "officials = [\"Trần Thị Mai\"]\ndepartments = [\"hdnd\"]",
            "Đồng chí Lưu Thanh Bình và bà Trần Thị Mai làm việc với UBND phường và HĐND phường.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "gop-danh-sach");
    assert_eq!(
        aside_official_urls(&doc),
        vec![official_url("tran-thi-mai"), official_url("luu-thanh-binh")],
        "front matter first, then the text, each once"
    );
    assert_eq!(
        aside_department_urls(&doc),
        vec![department_url("hdnd"), department_url("ubnd")]
    );
    // Listing in the front matter does not stop the first mention being linked.
    assert_eq!(
        body_links_to(&doc, &official_url("tran-thi-mai")),
        vec!["Trần Thị Mai".to_string()]
    );
    assert_eq!(
        listed_on(&out, &official_url("luu-thanh-binh")),
        strings(&["gop-danh-sach"])
    );
}

// ---------------------------------------------------------------------------
// Bylines
// ---------------------------------------------------------------------------

#[test]
fn a_last_paragraph_name_dash_department_becomes_the_byline() {
    let mut builder = ward();
    let forms = [
        ("but-danh-gach-noi", "Thanh Sang - Văn phòng HĐND và UBND"),
        ("but-danh-gach-ngang", "Thanh Sang – Văn phòng HĐND và UBND"),
        ("but-danh-nghieng", "*Thanh Sang - Văn phòng HĐND và UBND*"),
        ("but-danh-dam", "**Thanh Sang – Văn phòng HĐND và UBND**"),
        ("but-danh-gach-dai", "Thanh Sang — Văn phòng HĐND và UBND"),
    ];
    for (i, (slug, last)) in forms.iter().enumerate() {
        builder.article(
            slug,
            &format!("2025-09-0{}", i + 1),
            &format!("Tin chính về công tác cải cách hành chính.\n\n{last}"),
        );
    }
    let site = builder.build();
    let out = site.out();
    for (slug, last) in forms {
        let doc = article_page(&out, slug);
        assert_eq!(
            byline(&doc),
            Some((
                "Tác giả: Thanh Sang – Văn phòng HĐND và UBND".to_string(),
                vec![department_url("van-phong")]
            )),
            "byline of «{last}»"
        );
        let body = body_text(&doc);
        assert!(
            !body.contains("Thanh Sang"),
            "«{last}» is removed from the text: {body}"
        );
        assert_eq!(body, "Tin chính về công tác cải cách hành chính.");
        assert_eq!(
            aside_department_urls(&doc),
            vec![department_url("van-phong")],
            "the byline's department is added to the article ({last})"
        );
    }
    let mut listed = listed_on(&out, &department_url("van-phong"));
    listed.sort();
    let mut expected: Vec<String> = forms.iter().map(|(s, _)| s.to_string()).collect();
    expected.sort();
    assert_eq!(listed, expected);
}

#[test]
fn a_byline_is_read_when_the_department_name_itself_contains_a_dash() {
    // "Phòng Văn hóa - Xã hội" holds " - ": the author is what comes before the first dash
    // surrounded by spaces, whichever of -, – or — separates it from the department.
    let mut builder = ward();
    let forms = [
        ("vhxh-gach-noi", "Thanh Sang - Phòng Văn hóa - Xã hội"),
        ("vhxh-gach-ngang", "Thanh Sang – Phòng Văn hóa - Xã hội"),
        ("vhxh-gach-dai", "*Thanh Sang — Phòng Văn hóa - Xã hội*"),
    ];
    for (i, (slug, last)) in forms.iter().enumerate() {
        builder.article(
            slug,
            &format!("2025-09-0{}", i + 1),
            &format!("Tin chính về khai giảng năm học.\n\n{last}"),
        );
    }
    let site = builder.build();
    let out = site.out();
    let mut failures = Vec::new();
    for (slug, last) in forms {
        let doc = article_page(&out, slug);
        let expected = Some((
            "Tác giả: Thanh Sang – Phòng Văn hóa - Xã hội".to_string(),
            vec![department_url("phong-van-hoa-xa-hoi")],
        ));
        let body = body_text(&doc);
        if byline(&doc) != expected || body != "Tin chính về khai giảng năm học." {
            failures.push(format!(
                "«{last}»: byline {:?}, body «{body}»",
                byline(&doc)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "these last paragraphs should be bylines:\n{}",
        failures.join("\n")
    );
}

#[test]
fn no_byline_is_read_when_the_article_has_an_author() {
    let site = ward()
        .article_with(
            "co-tac-gia",
            "2025-09-01",
            "author = \"Minh Khoa\"",
            "Tin chính.\n\nThanh Sang - Văn phòng HĐND và UBND",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "co-tac-gia");
    assert_eq!(
        byline(&doc),
        Some(("Tác giả: Minh Khoa".to_string(), Vec::new()))
    );
    let last = body_of(&doc)
        .select(&sel("p"))
        .last()
        .map(text)
        .expect("paragraphs");
    assert_eq!(
        last, "Thanh Sang - Văn phòng HĐND và UBND",
        "the last paragraph stays in the text"
    );
}

#[test]
fn a_last_paragraph_that_is_not_a_byline_stays() {
    let mut builder = ward();
    let endings = [
        (
            "ket-luan",
            "Kết luận - hội nghị thành công tốt đẹp và đề ra nhiều nhiệm vụ",
        ),
        ("dia-danh", "Thanh Sang - Hà Nội"),
        ("chu-thuong", "thanh sang - Văn phòng HĐND và UBND"),
        ("ten-can-bo", "Thanh Sang - Lưu Thanh Bình"),
    ];
    for (i, (slug, last)) in endings.iter().enumerate() {
        builder.article(
            slug,
            &format!("2025-09-0{}", i + 1),
            &format!("Tin chính.\n\n{last}"),
        );
    }
    let site = builder.build();
    let out = site.out();
    for (slug, last) in endings {
        let doc = article_page(&out, slug);
        assert_eq!(byline(&doc), None, "«{last}» is not a byline");
        let paragraphs: Vec<String> = body_of(&doc).select(&sel("p")).map(text).collect();
        assert_eq!(
            paragraphs.last().map(String::as_str),
            Some(last),
            "«{last}» stays as the last paragraph"
        );
    }
}

// ---------------------------------------------------------------------------
// Switching detection off
// ---------------------------------------------------------------------------

#[test]
fn detect_mentions_false_turns_detection_off_for_one_article() {
    let site = ward()
        .article_with(
            "khong-do-tim",
            "2025-09-01",
            "detect_mentions = false\nofficials = [\"Trần Thị Mai\"]",
            "Đồng chí Lưu Thanh Bình làm việc với UBND phường.\n\n\
             Thanh Sang - Văn phòng HĐND và UBND",
        )
        .article(
            "co-do-tim",
            "2025-09-02",
            "Đồng chí Lưu Thanh Bình làm việc với UBND phường.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "khong-do-tim");
    assert!(body_links(&doc).is_empty(), "{:?}", body_links(&doc));
    assert_eq!(
        aside_official_urls(&doc),
        vec![official_url("tran-thi-mai")],
        "only the front matter counts"
    );
    assert!(aside_department_urls(&doc).is_empty());
    assert_eq!(byline(&doc), None, "no byline without detection");
    assert!(body_text(&doc).ends_with("Thanh Sang - Văn phòng HĐND và UBND"));
    assert_eq!(
        listed_on(&out, &official_url("luu-thanh-binh")),
        strings(&["co-do-tim"])
    );
    assert_eq!(
        listed_on(&out, &department_url("ubnd")),
        strings(&["co-do-tim"])
    );
    let other = article_page(&out, "co-do-tim");
    assert_eq!(
        body_links(&other),
        vec![
            (official_url("luu-thanh-binh"), "Lưu Thanh Bình".to_string()),
            (department_url("ubnd"), "UBND phường".to_string()),
        ],
        "the other article is still scanned"
    );
}

#[test]
fn site_wide_detection_off_can_be_turned_back_on_in_one_article() {
    let site = ward()
        .config("[mentions]\ndetect = false\n")
        .article(
            "mac-dinh",
            "2025-09-01",
            "Đồng chí Lưu Thanh Bình dự họp.\n\nThanh Sang - Văn phòng HĐND và UBND",
        )
        .article_with(
            "bat-lai",
            "2025-09-02",
            "detect_mentions = true",
            "Đồng chí Lưu Thanh Bình dự họp.\n\nThanh Sang - Văn phòng HĐND và UBND",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "mac-dinh");
    assert!(body_links(&doc).is_empty(), "{:?}", body_links(&doc));
    assert!(aside_officials(&doc).is_empty());
    assert_eq!(byline(&doc), None);
    let doc = article_page(&out, "bat-lai");
    assert_eq!(
        body_links(&doc),
        vec![(official_url("luu-thanh-binh"), "Lưu Thanh Bình".to_string())]
    );
    assert_eq!(
        byline(&doc),
        Some((
            "Tác giả: Thanh Sang – Văn phòng HĐND và UBND".to_string(),
            vec![department_url("van-phong")]
        )),
        "detection is on for this article, so its byline is read"
    );
    assert_eq!(
        listed_on(&out, &official_url("luu-thanh-binh")),
        strings(&["bat-lai"])
    );
}

#[test]
fn excluded_mentions_are_neither_counted_nor_linked() {
    let site = ward()
        .article_with(
            "loai-tru-ten",
            "2025-09-01",
            "exclude_mentions = [\"Nguyễn Văn An\"]",
            "Đường Nguyễn Văn An được UBND phường nâng cấp.",
        )
        .article_with(
            "loai-tru-nhung-co-liet-ke",
            "2025-09-03",
            "exclude_mentions = [\"nguyen-van-an\"]\nofficials = [\"Nguyễn Văn An\"]",
            "Ông Nguyễn Văn An dự lễ.",
        )
        .article_with(
            "loai-tru-slug",
            "2025-09-02",
            "exclude_mentions = [\"ubnd\"]",
            "Ủy ban nhân dân phường và UBND phường cùng ông Nguyễn Văn An kiểm tra.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "loai-tru-ten");
    assert_eq!(
        body_links(&doc),
        vec![(department_url("ubnd"), "UBND phường".to_string())],
        "the excluded official is not linked, the others are"
    );
    assert!(aside_officials(&doc).is_empty());
    assert_eq!(aside_department_urls(&doc), vec![department_url("ubnd")]);
    let doc = article_page(&out, "loai-tru-slug");
    assert_eq!(
        body_links(&doc),
        vec![(official_url("nguyen-van-an"), "Nguyễn Văn An".to_string())],
        "none of the excluded body's names is linked"
    );
    assert!(aside_department_urls(&doc).is_empty());
    let doc = article_page(&out, "loai-tru-nhung-co-liet-ke");
    assert!(
        body_links(&doc).is_empty(),
        "excluded: not linked from the text ({:?})",
        body_links(&doc)
    );
    assert_eq!(
        aside_official_urls(&doc),
        vec![official_url("nguyen-van-an")],
        "listed in the front matter: still the article's official"
    );
    assert_eq!(
        listed_on(&out, &official_url("nguyen-van-an")),
        strings(&["loai-tru-nhung-co-liet-ke", "loai-tru-slug"])
    );
    assert_eq!(
        listed_on(&out, &department_url("ubnd")),
        strings(&["loai-tru-ten"])
    );
}

#[test]
fn an_unknown_name_in_exclude_mentions_is_an_error() {
    let (_site, output) = ward()
        .article_with(
            "loai-tru-sai",
            "2025-09-01",
            "exclude_mentions = [\"Nguyễn Văn Không\"]",
            "Tin.",
        )
        .build_failing();
    let err = stderr(&output);
    assert!(
        err.contains("content/articles/loai-tru-sai.md:4:"),
        "names the file and line 4: {err}"
    );
    assert!(err.contains("Nguyễn Văn Không"), "{err}");
}

#[test]
fn with_links_off_names_are_found_but_not_linked() {
    let site = ward()
        .config("[mentions]\nlink = false\n")
        .article(
            "khong-lien-ket",
            "2025-09-01",
            "Đồng chí Lưu Thanh Bình làm việc với UBND phường.\n\n\
             Thanh Sang - Văn phòng HĐND và UBND",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "khong-lien-ket");
    assert!(body_links(&doc).is_empty(), "{:?}", body_links(&doc));
    assert_eq!(
        body_text(&doc),
        "Đồng chí Lưu Thanh Bình làm việc với UBND phường."
    );
    assert_eq!(
        aside_official_urls(&doc),
        vec![official_url("luu-thanh-binh")]
    );
    assert_eq!(
        aside_department_urls(&doc),
        vec![department_url("ubnd"), department_url("van-phong")]
    );
    assert_eq!(
        byline(&doc),
        Some((
            "Tác giả: Thanh Sang – Văn phòng HĐND và UBND".to_string(),
            vec![department_url("van-phong")]
        )),
        "the byline is still read"
    );
    assert_eq!(
        listed_on(&out, &official_url("luu-thanh-binh")),
        strings(&["khong-lien-ket"])
    );
    assert_eq!(
        listed_on(&out, &department_url("ubnd")),
        strings(&["khong-lien-ket"])
    );
}

#[test]
fn mention_links_include_the_base_path() {
    let site = ward()
        .base_url("https://thu.example.vn/phuong-thu/")
        .article(
            "duong-dan-goc",
            "2025-09-01",
            "Đồng chí Lưu Thanh Bình làm việc với UBND phường.",
        )
        .build();
    let out = site.out();
    let doc = article_page(&out, "duong-dan-goc");
    assert_eq!(
        body_links(&doc),
        vec![
            (
                "/phuong-thu/can-bo/luu-thanh-binh/".to_string(),
                "Lưu Thanh Bình".to_string()
            ),
            (
                "/phuong-thu/don-vi/ubnd/".to_string(),
                "UBND phường".to_string()
            ),
        ]
    );
}

// ---------------------------------------------------------------------------
// Titles at the article's date, and the organisation chart
// ---------------------------------------------------------------------------

#[test]
fn an_article_shows_the_title_held_on_its_date() {
    let site = ward()
        .article(
            "thang-nam",
            "2025-05-01",
            "Ông Phạm Minh Đức chủ trì phiên họp.",
        )
        .article(
            "thang-tam",
            "2025-08-01",
            "Ông Phạm Minh Đức chủ trì phiên họp.",
        )
        .article(
            "ngay-cuoi",
            "2025-06-30",
            "Ông Phạm Minh Đức chủ trì phiên họp.",
        )
        // 2025-06-30 20:00 UTC is 2025-07-01 03:00 in Vietnam: the new title.
        .article(
            "ngay-dau-utc",
            "2025-06-30T20:00:00Z",
            "Ông Phạm Minh Đức chủ trì phiên họp.",
        )
        .article(
            "truoc-nhiem-ky",
            "2024-12-01",
            "Ông Phạm Minh Đức phát biểu.",
        )
        .build();
    let out = site.out();
    let title_on = |slug: &str| {
        let doc = article_page(&out, slug);
        let officials = aside_officials(&doc);
        assert_eq!(officials.len(), 1, "{slug}: {officials:?}");
        assert_eq!(officials[0].0, official_url("pham-minh-duc"));
        assert_eq!(officials[0].1, "Phạm Minh Đức");
        officials[0].2.clone()
    };
    assert_eq!(
        title_on("thang-nam").as_deref(),
        Some("Phó Chủ tịch HĐND phường")
    );
    assert_eq!(
        title_on("ngay-cuoi").as_deref(),
        Some("Phó Chủ tịch HĐND phường"),
        "the last day of a position is included"
    );
    assert_eq!(
        title_on("thang-tam").as_deref(),
        Some("Chủ tịch HĐND phường")
    );
    assert_eq!(
        title_on("ngay-dau-utc").as_deref(),
        Some("Chủ tịch HĐND phường"),
        "the article's day is taken in the site's time zone"
    );
    assert_eq!(
        title_on("truoc-nhiem-ky"),
        None,
        "no position held on that day: no title"
    );
    assert_eq!(
        listed_on(&out, &official_url("pham-minh-duc")),
        strings(&[
            "thang-tam",
            "ngay-dau-utc",
            "ngay-cuoi",
            "thang-nam",
            "truoc-nhiem-ky"
        ])
    );
}

/// The element children of `el`.
fn child_elements(el: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    el.children().filter_map(ElementRef::wrap).collect()
}

fn has_class(el: ElementRef, class: &str) -> bool {
    el.value().classes().any(|c| c == class)
}

/// The `section.org-unit` of the org chart whose heading links to `href`.
fn org_unit<'a>(doc: &'a Html, href: &str) -> ElementRef<'a> {
    let units: Vec<ElementRef> = doc
        .select(&sel("section.org-unit"))
        .filter(|s| {
            child_elements(*s)
                .into_iter()
                .filter(|c| has_class(*c, "org-box"))
                .flat_map(|b| b.select(&sel(".org-name a")).collect::<Vec<_>>())
                .any(|a| a.value().attr("href") == Some(href))
        })
        .collect();
    assert_eq!(units.len(), 1, "one section for {href} in the org chart");
    units[0]
}

/// The box of a body (its name and people), without its sub-units.
fn own_box(unit: ElementRef<'_>) -> ElementRef<'_> {
    child_elements(unit)
        .into_iter()
        .find(|c| has_class(*c, "org-box"))
        .expect("an org-unit has an org-box")
}

/// (href, name, title) of the people matched by `selector` (links `a.org-person-name` or `a`)
/// in the box of a body.
fn people(unit: ElementRef<'_>, item: &str) -> Vec<(String, String, Option<String>)> {
    own_box(unit)
        .select(&sel(item))
        .map(|it| {
            let a = it.select(&sel("a")).next().expect("a link to the person");
            (
                a.value().attr("href").unwrap_or_default().to_string(),
                text(a),
                it.select(&sel(".org-title")).next().map(text),
            )
        })
        .collect()
}

/// The nearest `section.org-unit` enclosing `unit` (its parent body), if any.
fn parent_unit(unit: ElementRef<'_>) -> Option<ElementRef<'_>> {
    element_ancestors(unit)
        .into_iter()
        .skip(1)
        .find(|e| e.value().name() == "section" && has_class(*e, "org-unit"))
}

fn unit_href(unit: ElementRef<'_>) -> String {
    own_box(unit)
        .select(&sel(".org-name a"))
        .next()
        .and_then(|a| a.value().attr("href"))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_org_chart_shows_each_body_with_its_head_deputies_and_sub_units() {
    let site = ward().build();
    let out = site.out();
    let doc = page(&out, "/co-cau-to-chuc/");

    let ubnd = org_unit(&doc, &department_url("ubnd"));
    assert_eq!(
        people(ubnd, ".org-head"),
        vec![(
            official_url("nguyen-van-an"),
            "Nguyễn Văn An".to_string(),
            Some("Chủ tịch UBND phường".to_string())
        )],
        "the head is the first non-deputy, even after a deputy in order"
    );
    assert_eq!(
        people(ubnd, ".org-deputies > li"),
        vec![(
            official_url("nguyen-van-anh"),
            "Nguyễn Văn Anh".to_string(),
            Some("Phó Chủ tịch UBND phường".to_string())
        )]
    );
    let members: Vec<String> = own_box(ubnd)
        .select(&sel(".org-members a"))
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert_eq!(members, vec![official_url("tran-thi-mai")]);

    // The sub-unit sits inside the UBND's section, in its list of sub-units.
    let office = org_unit(&doc, &department_url("van-phong"));
    let parent = parent_unit(office).expect("the office is nested");
    assert_eq!(unit_href(parent), department_url("ubnd"));
    let in_children = element_ancestors(office)
        .into_iter()
        .take_while(|e| e.id() != ubnd.id())
        .any(|e| has_class(e, "org-children"));
    assert!(in_children, "the office is in the UBND's .org-children");
    assert_eq!(
        people(office, ".org-head"),
        vec![(
            official_url("nguyen-thi-hoa"),
            "Nguyễn Thị Hòa".to_string(),
            Some("Chánh Văn phòng HĐND và UBND phường".to_string())
        )]
    );
    // The UBND's own box names neither the office nor its head.
    let ubnd_box = own_box(ubnd);
    assert!(
        !ubnd_box
            .select(&sel("a"))
            .any(|a| a.value().attr("href") == Some(official_url("nguyen-thi-hoa").as_str())),
        "the office's head is not shown as a person of the UBND"
    );

    // The tree above: UBND and HĐND under the Đảng ủy, which is at the top.
    let dang_uy = org_unit(&doc, &department_url("dang-uy"));
    assert!(parent_unit(dang_uy).is_none());
    assert_eq!(
        parent_unit(ubnd).map(unit_href),
        Some(department_url("dang-uy"))
    );
    let hdnd = org_unit(&doc, &department_url("hdnd"));
    assert_eq!(
        parent_unit(hdnd).map(unit_href),
        Some(department_url("dang-uy"))
    );
    assert_eq!(
        people(dang_uy, ".org-head"),
        vec![(
            official_url("luu-thanh-binh"),
            "Lưu Thanh Bình".to_string(),
            Some("Bí thư Đảng ủy phường".to_string())
        )]
    );
    assert!(people(dang_uy, ".org-deputies > li").is_empty());
    assert_eq!(
        people(hdnd, ".org-head"),
        vec![(
            official_url("pham-minh-duc"),
            "Phạm Minh Đức".to_string(),
            Some("Chủ tịch HĐND phường".to_string())
        )],
        "the head with the title held today, not the ended deputy position"
    );
    assert!(people(hdnd, ".org-deputies > li").is_empty());

    // A body whose only official is a deputy: that deputy is shown as the head.
    let vhxh = org_unit(&doc, &department_url("phong-van-hoa-xa-hoi"));
    assert_eq!(
        parent_unit(vhxh).map(unit_href),
        Some(department_url("ubnd"))
    );
    assert_eq!(
        people(vhxh, ".org-head"),
        vec![(
            official_url("vo-thi-lan"),
            "Võ Thị Lan".to_string(),
            Some("Phó Trưởng phòng Văn hóa - Xã hội".to_string())
        )]
    );
    assert!(people(vhxh, ".org-deputies > li").is_empty());
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

#[test]
fn two_officials_whose_names_collide_stop_the_build_naming_both_files() {
    let (site, output) = ward()
        .official(
            "le-thi-hoa",
            "name = \"Lê Thị Hoa\"\naliases = [\"Nguyễn Thị Hoà\"]",
            &[("Chuyên viên", "van-phong", "2025-01-01", None)],
        )
        .article("tin", "2025-09-01", "Tin.")
        .build_failing();
    let err = stderr(&output);
    assert!(
        err.contains("content/officials/nguyen-thi-hoa.md"),
        "names the first file: {err}"
    );
    assert!(
        err.contains("content/officials/le-thi-hoa.md"),
        "names the second file: {err}"
    );
    assert!(
        err.lines().any(|l| l.contains("trùng")
            && (l.contains("Nguyễn Thị Hòa") || l.contains("Nguyễn Thị Hoà"))),
        "the report is about the clashing name: {err}"
    );
    assert!(!site.out().join("index.html").exists(), "nothing is built");
}

#[test]
fn a_position_naming_an_unknown_department_stops_the_build_at_its_line() {
    let text = "+++\nname = \"Võ Văn Tư\"\n\n[[positions]]\ntitle = \"Trưởng phòng\"\n\
                department = \"Phòng Không Tồn Tại\"\nfrom = 2025-01-01\n+++\nTiểu sử.\n";
    let line = text
        .lines()
        .position(|l| l.starts_with("department = "))
        .expect("a department line")
        + 1;
    let (_site, output) = ward()
        .file("content/officials/vo-van-tu.md", text)
        .build_failing();
    let err = stderr(&output);
    assert!(
        err.contains(&format!("content/officials/vo-van-tu.md:{line}:")),
        "names the file and line {line}: {err}"
    );
    assert!(err.contains("Phòng Không Tồn Tại"), "{err}");
}
