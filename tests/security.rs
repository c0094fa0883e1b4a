//! Security of a build (docs/security.md): hostile content shows as text everywhere, raw HTML is
//! escaped unless `[markdown] raw_html = "safe"` allows a sanitised subset (with YouTube and
//! Facebook video embeds), and nothing in content makes bantin read or write outside the site.
//! Each test builds a real site in a temp folder with the real binary and reads what a browser
//! or feed reader would get.

mod common;

use std::path::Path;

use common::*;
use scraper::Html;

const HOSTILE: &str = "<script>alert(1)</script>";

/// Every file of `out` as (relative path, bytes).
fn output_files(out: &Path) -> Vec<(String, Vec<u8>)> {
    files(out).into_iter().collect()
}

/// Every element attribute in `doc` as (element name, attribute name, value).
fn all_attributes(doc: &Html) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for el in doc.select(&sel("*")) {
        for (name, value) in el.value().attrs() {
            found.push((
                el.value().name().to_string(),
                name.to_string(),
                value.to_string(),
            ));
        }
    }
    found
}

/// No script runs from content: no `<script>` holding the payload, no event handler attribute,
/// no `javascript:` address, and the payload tag never appears unescaped in the bytes.
fn assert_inert(rel: &str, text: &str) {
    assert!(
        !text.contains(HOSTILE) && !text.contains("<img src=x"),
        "{rel} carries the payload as markup"
    );
    let doc = Html::parse_document(text);
    for script in doc.select(&sel("script")) {
        let code: String = script.text().collect();
        if script.value().attr("type") == Some("application/ld+json") {
            // Data, not code: it may hold the payload's text, but never a `<` that could end
            // the element.
            assert!(!code.contains('<'), "{rel}: JSON-LD with a raw `<`: {code}");
            serde_json::from_str::<serde_json::Value>(&code)
                .unwrap_or_else(|e| panic!("{rel}: JSON-LD is not JSON ({e}): {code}"));
        } else {
            assert!(
                !code.contains("alert("),
                "{rel}: a script runs content: {code}"
            );
        }
    }
    for (el, name, value) in all_attributes(&doc) {
        // The theme's own handlers (the print button) are fine; content's are not.
        assert!(
            !(name.starts_with("on") && value.contains("alert")),
            "{rel}: <{el} {name}=\"{value}\">"
        );
        assert!(
            !value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("javascript:"),
            "{rel}: <{el} {name}=\"{value}\">"
        );
    }
}

#[test]
fn hostile_names_show_as_text_in_pages_feeds_json_ld_search_and_sitemap() {
    let tmp = small_site("");
    let root = tmp.path();
    let title = format!("{HOSTILE} & \"Tin\" <b>đậm</b>");
    write(
        root,
        "content/officials/nguyen-van-an.md",
        "+++\nname = \"Nguyễn Văn An <img src=x onerror=alert(2)>\"\norder = 1\n\n[[positions]]\n\
         title = \"Chủ tịch </title><script>alert(3)</script>\"\ndepartment = \"ubnd\"\nfrom = 2025-07-01\n+++\n\
         Tiểu sử <script>alert(4)</script>.\n",
    );
    write(
        root,
        "content/departments/ubnd.md",
        "+++\nname = \"UBND </script><script>alert(5)</script>\"\nshort_name = \"UBND phường\"\n+++\n\
         Chức năng <iframe src=\"https://evil.vn/\"></iframe>.\n",
    );
    write(
        root,
        "content/articles/doc-hai.md",
        &format!(
            "+++\ntitle = '{title}'\ndate = 2025-04-01\nauthor = \"{HOSTILE}\"\n\
             summary = \"Tóm tắt {HOSTILE}\"\nofficials = [\"nguyen-van-an\"]\ndepartments = [\"ubnd\"]\n\
             tags = [\"<img src=x onerror=alert(6)>\"]\n+++\n\
             Nội dung <script>alert(7)</script> [bấm](javascript:alert(8)) <a href=\"javascript:alert(9)\">x</a>\n\n\
             <div onclick=\"alert(10)\">khối</div>\n"
        ),
    );
    let out = root.join("public");
    build_ok(root, &out, &[]);

    let mut kinds = std::collections::BTreeSet::new();
    for (rel, bytes) in output_files(&out) {
        let ext = rel.rsplit('.').next().unwrap_or("").to_string();
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        match ext.as_str() {
            "html" => assert_inert(&rel, &text),
            "xml" => {
                assert!(
                    !text.contains(HOSTILE),
                    "{rel} carries the payload as markup"
                );
                roxmltree::Document::parse(&text)
                    .unwrap_or_else(|e| panic!("{rel} is not well-formed XML: {e}"));
            }
            "json" => {
                serde_json::from_str::<serde_json::Value>(&text)
                    .unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"));
            }
            _ => continue,
        }
        if text.contains("alert(1)") {
            kinds.insert(ext);
        }
    }
    // The title reached pages, feeds and the search index (as text).
    for ext in ["html", "xml", "json"] {
        assert!(
            kinds.contains(ext),
            "the title is in no .{ext} file: {kinds:?}"
        );
    }

    // On the article page the title reads exactly as written, everywhere it is shown.
    let doc = page(&out, "/tin-tuc/doc-hai/");
    let h1 = text(doc.select(&sel("h1")).next().expect("a title"));
    assert_eq!(h1, title);
    let head_title = text(doc.select(&sel("title")).next().expect("<title>"));
    assert!(head_title.contains(&title), "{head_title}");
    let og = attrs(&doc, "meta[property='og:title']", "content");
    assert!(og.iter().all(|t| t.contains(&title)), "{og:?}");
    let ld = doc
        .select(&sel("script[type='application/ld+json']"))
        .next()
        .map(|s| s.text().collect::<String>())
        .expect("JSON-LD");
    let ld: serde_json::Value = serde_json::from_str(&ld).unwrap();
    assert_eq!(ld["headline"], title.as_str(), "{ld}");
    // The body's raw HTML is shown as text (escape is the default), never as elements.
    let main = main_of(&doc);
    let body = text(main);
    assert!(
        body.contains("Nội dung <script>alert(7)</script>"),
        "{body}"
    );
    assert!(
        body.contains("<div onclick=\"alert(10)\">khối</div>"),
        "{body}"
    );
    // A Markdown link to `javascript:` loses its address.
    assert!(main.select(&sel("a[href^='javascript']")).next().is_none());

    // Listings and the tag page show the names as text too.
    let home = page(&out, "/");
    assert!(text(main_of(&home)).contains(&title));
    let official = page(&out, "/can-bo/nguyen-van-an/");
    assert!(
        text(official.select(&sel("h1")).next().unwrap()).contains("<img src=x onerror=alert(2)>")
    );
    assert!(text(main_of(&official)).contains("Tiểu sử <script>alert(4)</script>."));
}

#[test]
fn raw_html_is_escaped_by_default_and_shown_as_written() {
    let tmp = small_site("");
    let root = tmp.path();
    write(
        root,
        "content/articles/hop-dau-nam.md",
        "+++\ntitle = \"Họp đầu năm\"\ndate = 2025-02-10\n+++\n\
         Đồng chí <b>Nguyễn Văn An</b> phát biểu <i>tại</i> hội nghị.\n\n\
         <iframe src=\"https://www.youtube.com/embed/abc\"></iframe>\n",
    );
    let out = root.join("public");
    build_ok(root, &out, &[]);
    let doc = page(&out, "/tin-tuc/hop-dau-nam/");
    let main = main_of(&doc);
    for tag in ["b", "i", "iframe"] {
        assert!(
            main.select(&sel(tag)).next().is_none(),
            "<{tag}> in the article"
        );
    }
    let body = text(main);
    assert!(body.contains("<b>"), "{body}");
    assert!(
        body.contains("<iframe src=\"https://www.youtube.com/embed/abc\"></iframe>"),
        "{body}"
    );
    // The mention between the escaped tags is still found and linked.
    let links = attrs(&doc, "main a", "href");
    assert!(
        links.iter().any(|h| h.ends_with("/can-bo/nguyen-van-an/")),
        "{links:?}"
    );
}

#[test]
fn safe_raw_html_keeps_formatting_and_allowed_embeds_only() {
    let tmp = small_site("[markdown]\nraw_html = \"safe\"\n");
    let root = tmp.path();
    write(
        root,
        "content/articles/hop-dau-nam.md",
        "+++\ntitle = \"Họp đầu năm\"\ndate = 2025-02-10\n+++\n\
         Đồng chí <b>Nguyễn Văn An</b> phát biểu <span style=\"color:red\" onmouseover=\"alert(1)\">tại</span> \
         hội nghị; xem [bài ra quân](ra-quan.md) và <a href=\"https://x.vn/\" onclick=\"alert(2)\">nguồn</a>.\n\n\
         <table><tr><th>Chỉ tiêu</th><td colspan=\"2\">100%</td></tr></table>\n\n\
         <figure><img src=\"https://x.vn/a.jpg\" alt=\"Ảnh\" onerror=\"alert(3)\"><figcaption>Chú thích</figcaption></figure>\n\n\
         <iframe width=\"560\" height=\"315\" src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\" title=\"Video\" \
         allow=\"camera; microphone\" style=\"position:fixed\"></iframe>\n\n\
         <iframe src=\"https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fubnd%2Fvideos%2F1\" width=\"500\"></iframe>\n\n\
         <iframe src=\"https://evil.example/embed/\"></iframe>\n\n\
         <iframe src=\"https://www.youtube.com.evil.example/embed/x\"></iframe>\n\n\
         <script>alert(4)</script><style>body{display:none}</style>\n\n\
         <form action=\"https://evil.example/\"><input name=\"mat-khau\"><button>Gửi</button></form>\n\n\
         <object data=\"x.swf\"></object><embed src=\"x.swf\"><a href=\"javascript:alert(5)\">bấm</a>\n\n\
         <img src=\"data:image/svg+xml,x\" alt=\"d\"> <div><p>không đóng\n",
    );
    let out = root.join("public");
    build_ok(root, &out, &[]);
    let html =
        String::from_utf8(std::fs::read(out.join("tin-tuc/hop-dau-nam/index.html")).unwrap())
            .unwrap();
    assert_inert("tin-tuc/hop-dau-nam/index.html", &html);
    let doc = Html::parse_document(&html);
    let main = doc
        .select(&sel("article .content"))
        .next()
        .expect("the article text");
    let count = |s: &str| main.select(&sel(s)).count();
    assert_eq!(count("b"), 1);
    assert_eq!(count("table td[colspan='2']"), 1);
    assert_eq!(count("figure > figcaption"), 1);
    assert_eq!(count("img[src='https://x.vn/a.jpg'][alt='Ảnh']"), 1);
    for gone in [
        "script", "style", "form", "input", "button", "object", "embed", "[style]",
    ] {
        assert_eq!(count(gone), 0, "{gone} survived");
    }
    // The mention inside <b> is linked; the link to a content file is rewritten.
    let hrefs = attrs(&doc, "main a", "href");
    assert!(
        hrefs.iter().any(|h| h.ends_with("/can-bo/nguyen-van-an/")),
        "{hrefs:?}"
    );
    assert!(
        hrefs.iter().any(|h| h.ends_with("/tin-tuc/ra-quan/")),
        "{hrefs:?}"
    );
    assert!(hrefs.contains(&"https://x.vn/".to_string()), "{hrefs:?}");
    assert!(
        !hrefs
            .iter()
            .any(|h| h.contains("javascript") || h.contains("bantin-content-link"))
    );
    // Exactly the two allowed embeds, with their size and forced safe attributes.
    let frames: Vec<_> = main.select(&sel("iframe")).collect();
    let srcs: Vec<&str> = frames
        .iter()
        .filter_map(|f| f.value().attr("src"))
        .collect();
    assert_eq!(
        srcs,
        [
            "https://www.youtube.com/embed/dQw4w9WgXcQ",
            "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fubnd%2Fvideos%2F1"
        ]
    );
    let yt = frames[0].value();
    assert_eq!(yt.attr("width"), Some("560"));
    assert_eq!(yt.attr("height"), Some("315"));
    for f in &frames {
        let f = f.value();
        assert_eq!(f.attr("loading"), Some("lazy"));
        assert_eq!(
            f.attr("referrerpolicy"),
            Some("strict-origin-when-cross-origin")
        );
        assert!(f.attr("allowfullscreen").is_some());
        assert!(
            f.attr("sandbox")
                .is_some_and(|s| s.contains("allow-scripts"))
        );
        assert!(!f.attr("allow").unwrap_or("").contains("camera"));
        assert!(f.attr("style").is_none());
    }
    // An unclosed <div> cannot swallow the rest of the page: the tags and the footer are
    // still outside the article text.
    assert!(doc.select(&sel("footer")).any(|f| {
        element_ancestors(f)
            .iter()
            .all(|a| !a.value().classes().any(|c| c == "content"))
    }));
}

#[test]
fn an_unknown_raw_html_setting_is_reported_in_site_toml() {
    let tmp = small_site("[markdown]\nraw_html = \"all\"\n");
    let out = tmp.path().join("public");
    let o = run_build(tmp.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("site.toml:"), "{err}");
    assert!(err.contains("raw_html"), "{err}");
    assert!(!out.exists());
}

// ---------------------------------------------------------------------------
// Nothing outside the site is read or written
// ---------------------------------------------------------------------------

const SECRET: &[u8] = b"NOI-DUNG-BI-MAT-NGOAI-TRANG";

/// A site in `<tmp>/site` and a secret photo and folder outside it, in `<tmp>/ngoai`.
fn site_with_outside() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = small_site("");
    let site = tmp.path().join("site");
    std::fs::create_dir(&site).unwrap();
    for name in ["site.toml", "content"] {
        std::fs::rename(tmp.path().join(name), site.join(name)).unwrap();
    }
    let outside = tmp.path().join("ngoai");
    std::fs::create_dir_all(outside.join("bai")).unwrap();
    std::fs::write(outside.join("bi-mat.jpg"), SECRET).unwrap();
    std::fs::write(
        outside.join("bai/index.md"),
        "+++\ntitle = \"Bài ngoài\"\ndate = 2025-01-01\n+++\nẢnh ![a](bi-mat.jpg)\n",
    )
    .unwrap();
    std::fs::write(outside.join("bai/bi-mat.jpg"), SECRET).unwrap();
    (tmp, site)
}

/// No file under `dir` holds the secret.
fn assert_no_secret(dir: &Path) {
    for (rel, bytes) in output_files(dir) {
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET),
            "{rel} holds the secret"
        );
    }
}

#[test]
fn image_paths_leaving_the_site_are_errors_never_copies() {
    let (tmp, site) = site_with_outside();
    write(
        &site,
        "content/articles/anh/index.md",
        "+++\ntitle = \"Ảnh\"\ndate = 2025-05-01\nimage = \"../../../ngoai/bi-mat.jpg\"\nimage_alt = \"a\"\n+++\n\
         Một ![ảnh](../../../../ngoai/bi-mat.jpg) và ![hai](/etc/passwd) và ![ba](../../etc/passwd).\n",
    );
    write(&site, "content/articles/anh/that.jpg", "không phải ảnh");
    write(
        &site,
        "content/articles/tuyet-doi.md",
        &format!(
            "+++\ntitle = \"Tuyệt đối\"\ndate = 2025-05-02\nimage = \"{}\"\nimage_alt = \"a\"\n+++\nx\n",
            tmp.path().join("ngoai/bi-mat.jpg").display()
        ),
    );
    // Links to content files are looked up among the site's documents only.
    write(
        &site,
        "content/articles/lien-ket.md",
        "+++\ntitle = \"Liên kết\"\ndate = 2025-05-03\n+++\nXem [mật khẩu](../../../../etc/passwd.md).\n",
    );
    let out = tmp.path().join("public");
    let o = run_build(&site, &out, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for at in [
        "content/articles/lien-ket.md:5:16",
        "content/articles/anh/index.md:4:10",
        "content/articles/anh/index.md:7:5",
        "content/articles/anh/index.md:7:",
        "content/articles/tuyet-doi.md:4:10",
    ] {
        assert!(err.contains(at), "no problem at {at}:\n{err}");
    }
    assert!(err.contains("ra ngoài thư mục trang web"), "{err}");
    assert!(!out.exists(), "nothing is written on error");
    assert_no_secret(tmp.path().join("site").as_path());
}

#[test]
fn symbolic_links_in_content_are_errors_never_followed() {
    use std::os::unix::fs::symlink;
    let (tmp, site) = site_with_outside();
    let outside = tmp.path().join("ngoai");
    // A whole article folder, an article file, and a photo in a real article folder.
    symlink(
        outside.join("bai"),
        site.join("content/articles/bai-lien-ket"),
    )
    .unwrap();
    symlink(
        outside.join("bai/index.md"),
        site.join("content/articles/tep-lien-ket.md"),
    )
    .unwrap();
    write(
        &site,
        "content/articles/that/index.md",
        "+++\ntitle = \"Thật\"\ndate = 2025-05-01\n+++\nẢnh ![Ảnh](bi-mat.jpg)\n",
    );
    symlink(
        outside.join("bi-mat.jpg"),
        site.join("content/articles/that/bi-mat.jpg"),
    )
    .unwrap();
    // A link inside the site is not followed either (no loops, nothing counted twice).
    symlink("..", site.join("content/articles/vong-lap")).unwrap();
    let out = tmp.path().join("public");
    let o = run_build(&site, &out, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for (file, outside) in [
        ("content/articles/bai-lien-ket", true),
        ("content/articles/tep-lien-ket.md", true),
        ("content/articles/that/bi-mat.jpg", true),
        ("content/articles/vong-lap", false),
    ] {
        let line = err
            .lines()
            .position(|l| l.trim_start().starts_with("-->") && l.trim_end().ends_with(file))
            .unwrap_or_else(|| panic!("no problem for {file}:\n{err}"));
        let message = err.lines().nth(line - 1).unwrap();
        assert!(message.contains("symlink"), "{message}");
        assert_eq!(
            message.contains("ra ngoài thư mục trang web"),
            outside,
            "{message}"
        );
    }
    assert!(!out.exists());
    // `bantin check` says the same without writing anything.
    let o = bantin()
        .arg("--root")
        .arg(&site)
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("bai-lien-ket") || stderr(&o).contains("bai-lien-ket"));
}

#[test]
fn a_static_file_linked_outside_is_an_error_never_a_copy() {
    use std::os::unix::fs::symlink;
    let (tmp, site) = site_with_outside();
    std::fs::create_dir_all(site.join("static/tai-lieu")).unwrap();
    std::fs::write(site.join("static/tai-lieu/that.txt"), "tệp thật").unwrap();
    symlink(
        tmp.path().join("ngoai/bi-mat.jpg"),
        site.join("static/tai-lieu/bi-mat.jpg"),
    )
    .unwrap();
    symlink(tmp.path().join("ngoai"), site.join("static/ca-thu-muc")).unwrap();
    let out = tmp.path().join("public");
    let o = run_build(&site, &out, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for link in ["static/tai-lieu/bi-mat.jpg", "static/ca-thu-muc"] {
        assert!(
            err.contains(&format!("--> {link}")),
            "no problem for {link}:\n{err}"
        );
    }
    assert!(err.contains("ra ngoài thư mục trang web"), "{err}");
    assert!(!out.exists());
}

#[test]
fn slugs_and_aliases_cannot_leave_the_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let make = |slug: &str, aliases: &str| {
        let dir = tempfile::tempdir_in(tmp.path()).unwrap();
        let root = dir.path();
        write(
            root,
            "site.toml",
            "title = \"P\"\nbase_url = \"https://p.vn/\"\n",
        );
        write(
            root,
            "content/articles/a.md",
            &format!(
                "+++\ntitle = \"A\"\ndate = 2025-01-01\nslug = '{slug}'\naliases = [{aliases}]\n+++\nx\n"
            ),
        );
        write(
            root,
            "content/pages/trang.md",
            &format!("+++\ntitle = \"T\"\nslug = '{slug}'\n+++\nx\n"),
        );
        dir
    };
    // Slugs are made of letters, digits and dashes whatever is written: the pages stay inside.
    for slug in [
        "../../../ngoai",
        "/etc/cron.d/x",
        "..\\..\\x",
        "a/../../b",
        "%2e%2e%2fx",
    ] {
        let dir = make(slug, "");
        let out = dir.path().join("public");
        let before: std::collections::BTreeSet<String> = files(tmp.path()).into_keys().collect();
        build_ok(dir.path(), &out, &[]);
        let written: Vec<String> = files(&out).into_keys().collect();
        assert!(
            written.iter().all(|f| !f.contains("..")),
            "{slug}: {written:?}"
        );
        // Every new file is inside the output folder (or bantin's cache in the site).
        let name = dir
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let stray: Vec<String> = files(tmp.path())
            .into_keys()
            .filter(|f| !before.contains(f))
            .filter(|f| {
                !f.starts_with(&format!("{name}/public/"))
                    && !f.starts_with(&format!("{name}/.bantin-cache/"))
            })
            .collect();
        assert!(
            stray.is_empty(),
            "{slug}: written outside the output: {stray:?}"
        );
    }
    // Aliases leaving the site are errors naming the alias.
    for alias in [
        "\"../../../etc/x.html\"",
        "\"/a/../../b/\"",
        "\"https://evil.vn/x\"",
    ] {
        let dir = make("a", alias);
        let out = dir.path().join("public");
        let o = run_build(dir.path(), &out, &[]);
        assert_eq!(o.status.code(), Some(1), "{alias}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("content/articles/a.md:5:"),
            "{alias}: {}",
            stderr(&o)
        );
        assert!(!out.exists());
    }
}

// ---------------------------------------------------------------------------
// The preview server (`bantin serve`) under abuse
// ---------------------------------------------------------------------------

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Send `bytes` to the server, read its whole answer (empty if it closed without one).
fn exchange(port: u16, bytes: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let _ = s.write_all(bytes);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

fn status_of(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn get_path(port: u16, path: &str) -> String {
    exchange(
        port,
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes(),
    )
}

#[test]
fn the_preview_server_survives_abuse_and_still_serves_the_home_page() {
    use std::io::Write;
    let tmp = small_site("");
    let root = tmp.path().join("site");
    std::fs::create_dir(&root).unwrap();
    for name in ["site.toml", "content"] {
        std::fs::rename(tmp.path().join(name), root.join(name)).unwrap();
    }
    std::fs::write(tmp.path().join("bi-mat.txt"), SECRET).unwrap();
    let port = free_port();
    let mut serve = Spawned::start(
        &[&"--root", &root, &"serve", &"--port", &port.to_string()],
        "Xem thử tại",
    );
    assert!(get_path(port, "/").contains("Phường Thử"));

    // Traversal, plain and encoded, to a file beside the site and to system files.
    for path in [
        "/../bi-mat.txt",
        "/../../../../../../etc/passwd",
        "/%2e%2e/bi-mat.txt",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/%252e%252e/bi-mat.txt",
        "/..%5c..%5cbi-mat.txt",
        "/..\\..\\bi-mat.txt",
        "/%c0%ae%c0%ae/bi-mat.txt",
        "/index.html%00.jpg",
        "/%00",
        "//etc/passwd",
        "http://127.0.0.1/../bi-mat.txt",
    ] {
        let answer = get_path(port, path);
        assert!(
            matches!(status_of(&answer), 400 | 404),
            "{path}: {answer:.200}"
        );
        assert!(!answer.contains("NOI-DUNG-BI-MAT"), "{path}");
        assert!(!answer.contains("root:"), "{path}");
    }
    // Overlong request line and head; methods other than GET and HEAD; garbage.
    let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(100_000));
    assert_eq!(status_of(&exchange(port, long.as_bytes())), 414);
    let headers: String = (0..1000)
        .map(|i| format!("X-{i}: {}\r\n", "v".repeat(40)))
        .collect();
    let fat = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n");
    assert_eq!(status_of(&exchange(port, fat.as_bytes())), 431);
    for method in [
        "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT",
    ] {
        let req =
            format!("{method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello");
        assert_eq!(status_of(&exchange(port, req.as_bytes())), 405, "{method}");
    }
    let head = exchange(port, b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!(status_of(&head), 200);
    assert!(head.ends_with("\r\n\r\n"), "HEAD has no body");
    for garbage in [
        &b"\xff\xfe\r\n\r\n"[..],
        b"\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/7\r\n\r\n",
    ] {
        let answer = exchange(port, garbage);
        // Refused at once, or (blank lines: a request may still follow) after the head
        // timeout.
        assert!(
            answer.is_empty() || matches!(status_of(&answer), 400 | 408),
            "{answer}"
        );
    }
    // Many clients at once: some never send anything, some send a byte and stop.
    let idle: Vec<std::net::TcpStream> = (0..200)
        .filter_map(|i| {
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
            if i % 2 == 0 {
                let _ = s.write_all(b"G");
            }
            Some(s)
        })
        .collect();
    // Those beyond the limit are told the server is busy (or are answered); none hangs the
    // server: once they go, the home page is served again.
    let busy = get_path(port, "/");
    assert!(matches!(status_of(&busy), 200 | 503), "{busy:.200}");
    drop(idle);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let answer = get_path(port, "/");
        if status_of(&answer) == 200 {
            assert!(answer.contains("Phường Thử"));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{answer:.300}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The process is alive and never panicked.
    let output = serve.output();
    assert!(!output.contains("panicked"), "{output}");
    assert!(serve.interrupt(), "serve stops cleanly");
}

#[test]
fn binding_every_interface_warns_and_prints_an_address_a_browser_can_open() {
    let tmp = small_site("");
    let port = free_port();
    let mut serve = Spawned::start(
        &[
            &"--root",
            &tmp.path(),
            &"serve",
            &"--bind",
            &"0.0.0.0",
            &"--port",
            &port.to_string(),
        ],
        "Xem thử tại",
    );
    let output = serve.output();
    assert!(
        output.contains("mọi máy trong mạng") && output.contains("bài nháp"),
        "{output}"
    );
    let ready = serve.last_line().to_string();
    assert!(
        ready.contains(&format!("http://127.0.0.1:{port}/")),
        "{ready}"
    );
    assert!(!output.contains("0.0.0.0:"), "{output}");
    // Permalinks of the preview name an address that opens, never 0.0.0.0.
    let home = get_path(port, "/tin-tuc/hop-dau-nam/");
    assert_eq!(status_of(&home), 200, "{home:.300}");
    assert!(!home.contains("0.0.0.0"), "a link to 0.0.0.0");
    let doc = Html::parse_document(home.split_once("\r\n\r\n").unwrap().1);
    let canonical = attrs(&doc, "link[rel='canonical']", "href");
    assert!(
        canonical
            .iter()
            .all(|h| h.starts_with(&format!("http://127.0.0.1:{port}/"))),
        "{canonical:?}"
    );
    // A DNS name pointed at this computer by another site is refused.
    let rebinding = exchange(port, b"GET / HTTP/1.1\r\nHost: attacker.example\r\n\r\n");
    assert_eq!(status_of(&rebinding), 421, "{rebinding:.200}");
    drop(serve);

    // Bound to this computer only: no warning.
    let port = free_port();
    let mut serve = Spawned::start(
        &[
            &"--root",
            &tmp.path(),
            &"serve",
            &"--port",
            &port.to_string(),
        ],
        "Xem thử tại",
    );
    assert!(!serve.output().contains("Chú ý"));
}
