//! Search in a real browser: headless Chromium loads `/tim-kiem/?q=…` from the built example
//! site (served over HTTP by this test), runs the theme's `search.js`, and the DOM it leaves is
//! read with an HTML parser.
//!
//! Checked: results with and without diacritics, in capitals, the order (the same as
//! `bantin::search::Reader`, whose ranking `tests/search.rs` checks against the pages), exact
//! diacritics first, highlighted words, Vietnamese dates, no HTML from content ever becoming
//! markup, the messages for no result and for an empty query, and the shared text-rule vectors
//! (`tests/search_vectors.json`) run through the script's own functions.
//!
//! Without Chromium the test is skipped with a message, unless `BANTIN_REQUIRE_BROWSER` is set
//! (`.ci/run` installs Chromium and sets it, so CI always runs it). `BANTIN_CHROMIUM` names
//! the browser to use.

mod common;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bantin::search::{self, Reader};
use bantin::vietnamese::{self, DateStyle};
use common::*;
use scraper::Html;

/// The Chromium to run, if any.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("BANTIN_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Chromium, or `None` after saying why the test is skipped.
fn browser_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("BANTIN_REQUIRE_BROWSER").is_none(),
            "BANTIN_REQUIRE_BROWSER is set but no Chromium was found \
             (install the Debian packages chromium and chromium-driver, or set BANTIN_CHROMIUM)"
        );
        eprintln!(
            "SKIPPED search_browser: Chromium not found (install `chromium`, or set \
             BANTIN_CHROMIUM=/path/to/chrome); .ci/run installs it"
        );
    }
    found
}

/// Serves `root` over HTTP on a free local port, plus `/__vectors/` (the vector test page).
struct Server {
    port: u16,
}

fn serve(root: PathBuf, vectors_page: String) -> Server {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("a local port");
    let port = server.server_addr().to_ip().expect("an IP address").port();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let path = request
                .url()
                .split(['?', '#'])
                .next()
                .unwrap_or("/")
                .to_string();
            let (status, body, kind) = if path == "/__vectors/" {
                (
                    200,
                    vectors_page.clone().into_bytes(),
                    "text/html; charset=utf-8",
                )
            } else {
                match url_to_rel(&path, "/")
                    .filter(|rel| !rel.split('/').any(|c| c == ".."))
                    .and_then(|rel| std::fs::read(root.join(&rel)).ok().map(|b| (rel, b)))
                {
                    Some((rel, bytes)) => {
                        let kind = match rel.rsplit('.').next() {
                            Some("html") => "text/html; charset=utf-8",
                            Some("js") => "text/javascript; charset=utf-8",
                            Some("json") => "application/json",
                            Some("css") => "text/css; charset=utf-8",
                            _ => "application/octet-stream",
                        };
                        (200, bytes, kind)
                    }
                    None => (404, b"not found".to_vec(), "text/plain"),
                }
            };
            let header = tiny_http::Header::from_bytes("Content-Type", kind).expect("a header");
            let response = tiny_http::Response::from_data(body)
                .with_status_code(status)
                .with_header(header);
            let _ = request.respond(response);
        }
    });
    Server { port }
}

/// The DOM Chromium leaves after loading `url` and running its scripts. A browser that hangs
/// (seen once, on the first start after Chromium was upgraded) is stopped and started again
/// once: not a timing assertion, the suite must just not hang.
fn dump_dom(chrome: &Path, url: &str) -> Html {
    for _ in 0..2 {
        if let Some(dom) = try_dump_dom(chrome, url, Duration::from_secs(120)) {
            assert!(dom.contains("<html"), "Chromium printed no DOM for {url}");
            return Html::parse_document(&dom);
        }
        eprintln!("Chromium did not finish loading {url}; trying again");
    }
    panic!("Chromium did not finish loading {url}, twice");
}

/// What Chromium prints for `url`, or `None` if it has not finished after `limit` (it is then
/// stopped, with the processes it started).
fn try_dump_dom(chrome: &Path, url: &str, limit: Duration) -> Option<String> {
    use std::os::unix::process::CommandExt as _;
    let profile = tempfile::tempdir().expect("a profile folder");
    let mut child = Command::new(chrome)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        // Its own process group, so that its helper processes can be stopped with it.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("{} does not start: {e}", chrome.display()));
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        out
    });
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait for Chromium").is_some() {
            return Some(reader.join().expect("stdout reader"));
        }
        if started.elapsed() > limit {
            let group = child.id() as i32;
            // SAFETY: kill(2) with a negative pid signals the process group this test started.
            unsafe { libc::kill(-group, libc::SIGKILL) };
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What the search page shows.
#[derive(Debug)]
struct Shown {
    state: String,
    status: String,
    items: Vec<Item>,
    /// Everything inside the results box, as markup.
    html: String,
}

#[derive(Debug)]
struct Item {
    url: String,
    title: String,
    datetime: String,
    date: String,
    /// The text of each `<mark>` of the title and the snippet.
    marks: Vec<String>,
    snippet_marks: usize,
    snippet: String,
}

fn results(doc: &Html) -> Shown {
    let results = doc
        .select(&sel("#ket-qua"))
        .next()
        .expect("the results box");
    let items = results
        .select(&sel("ol.search-list > li"))
        .map(|li| {
            let a = li
                .select(&sel(".item-title a"))
                .next()
                .expect("a title link");
            let time = li.select(&sel("time")).next().expect("a date");
            let snippet = li.select(&sel(".snippet")).next().expect("a snippet");
            Item {
                url: a.value().attr("href").unwrap_or_default().to_string(),
                title: text(a),
                datetime: time
                    .value()
                    .attr("datetime")
                    .unwrap_or_default()
                    .to_string(),
                date: text(time),
                marks: li.select(&sel("mark")).map(text).collect(),
                snippet_marks: snippet.select(&sel("mark")).count(),
                snippet: text(snippet),
            }
        })
        .collect();
    Shown {
        state: results
            .value()
            .attr("data-state")
            .unwrap_or_default()
            .to_string(),
        status: results
            .select(&sel(".search-status"))
            .next()
            .map(text)
            .unwrap_or_default(),
        items,
        html: results.inner_html(),
    }
}

fn search_page(chrome: &Path, server: &Server, query: &str) -> (Html, Shown) {
    let mut q = String::new();
    for b in query.bytes() {
        if b.is_ascii_alphanumeric() {
            q.push(b as char);
        } else if b == b' ' {
            q.push('+');
        } else {
            q.push_str(&format!("%{b:02X}"));
        }
    }
    let doc = dump_dom(
        chrome,
        &format!("http://127.0.0.1:{}/tim-kiem/?q={q}", server.port),
    );
    let shown = results(&doc);
    (doc, shown)
}

/// The first ten results `Reader` gives, as URLs.
fn expected(out: &Path, query: &str) -> (Vec<String>, usize, bool) {
    let base = out.to_path_buf();
    let fetch = move |url: &str| std::fs::read(base.join(url_to_rel(url, "/")?)).ok();
    let mut r = Reader::open(fetch, "/tim-kiem/chi-muc.json").expect("the manifest");
    let results = r.search(query).expect("search");
    let urls = results
        .hits
        .iter()
        .take(10)
        .map(|h| r.doc(h.doc).expect("an article file").u)
        .collect();
    (urls, results.hits.len(), results.complete)
}

/// The example site with one more article whose title and text hold HTML-like text.
fn site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let root = tmp.path().join("site");
    for dir in ["content", "static"] {
        copy_dir(&repo_root().join(dir), &root.join(dir));
    }
    std::fs::copy(repo_root().join("site.toml"), root.join("site.toml")).expect("site.toml");
    write(
        &root,
        "content/articles/2025/canh-bao-lua-dao.md",
        "+++\ntitle = \"Cảnh báo <img src=x onerror=alert(1)> lừa đảo <b>qua mạng</b>\"\n\
         date = 2025-06-02\nauthor = \"Công an phường\"\n+++\n\
         Kẻ gian gửi tin nhắn có đoạn \\<script>alert(\"lừa đảo\")\\</script> và \
         liên kết giả mạo &lt;i&gt; để lừa đảo người dân.\n",
    );
    let out = tmp.path().join("public");
    build_ok(&root, &out, &[]);
    (tmp, out)
}

/// A page that runs the script's text rules on every shared vector and prints the results.
fn vectors_page() -> String {
    let vectors = std::fs::read_to_string(repo_root().join("tests/search_vectors.json"))
        .expect("tests/search_vectors.json");
    // Inside <script>, `</` must not appear; the vectors are ASCII JSON with \u escapes.
    let vectors = vectors.replace("</", "<\\/");
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><script src=\"/search.js\"></script></head>\
         <body><pre id=\"out\"></pre><script>\n\
         var s = window.bantinSearch, vectors = {vectors};\n\
         var out = vectors.map(function (v) {{\n\
           var words = s.words(v.input);\n\
           return {{ fold: s.fold(v.input), words: words, terms: words.map(function (w) {{\n\
             var t = s.term(w);\n\
             return t ? [t.folded, t.key, s.bucket(t.folded, {buckets})] : null;\n\
           }}) }};\n\
         }});\n\
         var dates = ['2025-12-30', '2026-01-05', '2024-02-29'].map(function (d) {{\n\
           return ['full', 'long', 'short', 'weekday', 'month_year'].map(function (f) {{ return s.formatDate(d, f); }});\n\
         }});\n\
         document.getElementById('out').textContent = JSON.stringify({{ vectors: out, dates: dates }});\n\
         </script></body></html>",
        buckets = search::BUCKETS
    )
}

#[test]
fn search_runs_in_a_real_browser() {
    let Some(chrome) = browser_or_skip() else {
        return;
    };
    let (_tmp, out) = site();
    let server = serve(out.clone(), vectors_page());

    // --- the script's text rules give what Rust gives, on the shared vectors
    let doc = dump_dom(
        &chrome,
        &format!("http://127.0.0.1:{}/__vectors/", server.port),
    );
    let printed = doc
        .select(&sel("#out"))
        .next()
        .map(|e| e.text().collect::<String>())
        .unwrap_or_default();
    let got: serde_json::Value = serde_json::from_str(&printed)
        .unwrap_or_else(|e| panic!("the vector page printed no JSON ({e}): {printed:?}"));
    let vectors: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("tests/search_vectors.json")).unwrap(),
    )
    .unwrap();
    let vectors = vectors.as_array().unwrap();
    assert_eq!(got["vectors"].as_array().unwrap().len(), vectors.len());
    for (v, g) in vectors.iter().zip(got["vectors"].as_array().unwrap()) {
        assert_eq!(g["fold"], v["fold"], "JS fold of {}", v["input"]);
        assert_eq!(g["words"], v["words"], "JS words of {}", v["input"]);
        assert_eq!(g["terms"], v["terms"], "JS terms of {}", v["input"]);
    }
    for (d, styles) in ["2025-12-30", "2026-01-05", "2024-02-29"]
        .iter()
        .zip(got["dates"].as_array().unwrap())
    {
        let date: jiff::civil::Date = d.parse().unwrap();
        let rust: Vec<String> = DateStyle::ALL
            .iter()
            .map(|s| vietnamese::format_date(date, *s))
            .collect();
        let js: Vec<String> = styles
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect();
        assert_eq!(js, rust, "dates of {d}");
    }

    // --- with and without diacritics, in capitals: the same articles, in Reader's order
    let tong_ket = [
        "/tin-tuc/hoi-nghi-tong-ket-nam-2024/",
        "/tin-tuc/dang-uy-tong-ket-cong-tac-nam-2025/",
    ];
    let mut sets = Vec::new();
    for q in [
        "hoi nghi tong ket",
        "Hội nghị tổng kết",
        "HOI NGHI TONG KET",
    ] {
        let (_, shown) = search_page(&chrome, &server, q);
        let (want, total, complete) = expected(&out, q);
        assert!(complete);
        assert_eq!(shown.state, "done", "«{q}»: {shown:?}");
        let urls: Vec<String> = shown.items.iter().map(|i| i.url.clone()).collect();
        assert_eq!(urls, want, "«{q}»: the browser ranks as Reader does");
        assert_eq!(shown.status, format!("Tìm thấy {total} bài viết có «{q}»."));
        for url in tong_ket {
            assert!(urls.contains(&url.to_string()), "«{q}» finds {url}");
        }
        let terms: Vec<String> = ["hoi", "nghi", "tong", "ket"].map(String::from).to_vec();
        for item in &shown.items {
            assert!(exists(&out, &item.url), "{} is built", item.url);
            assert!(
                !item.marks.is_empty(),
                "«{q}»: words marked in {}",
                item.url
            );
            for m in &item.marks {
                assert!(
                    terms.contains(&vietnamese::fold(m)),
                    "«{q}»: <mark>{m}</mark>"
                );
            }
            let day: jiff::civil::Date = item.datetime.parse().expect("an ISO date");
            assert_eq!(item.date, vietnamese::format_date(day, DateStyle::Short));
            let page = page(&out, &item.url);
            let h1 = page.select(&sel("h1")).next().map(text).unwrap_or_default();
            assert_eq!(item.title, h1);
        }
        let first = &shown.items[0];
        assert!(first.snippet_marks >= 2, "«{q}»: {first:?}");
        sets.push(urls);
    }
    assert!(sets.windows(2).all(|w| {
        let mut a = w[0].clone();
        let mut b = w[1].clone();
        a.sort();
        b.sort();
        a == b
    }));

    // --- "dang uy" finds "Đảng ủy", first the article with it in its title
    let (_, shown) = search_page(&chrome, &server, "dang uy");
    assert_eq!(
        shown.items[0].url,
        "/tin-tuc/dang-uy-tong-ket-cong-tac-nam-2025/"
    );
    assert!(shown.items[0].title.starts_with("Đảng ủy"));
    assert!(shown.items[0].marks.iter().any(|m| m == "Đảng"));
    assert_eq!(
        shown
            .items
            .iter()
            .map(|i| i.url.clone())
            .collect::<Vec<_>>(),
        expected(&out, "dang uy").0
    );

    // --- exact diacritics first: "đang" (being) before "Đảng" (the Party)
    let (_, exact) = search_page(&chrome, &server, "đang");
    let (_, folded) = search_page(&chrome, &server, "dang");
    let exact_urls: Vec<String> = exact.items.iter().map(|i| i.url.clone()).collect();
    let folded_urls: Vec<String> = folded.items.iter().map(|i| i.url.clone()).collect();
    assert_eq!(exact_urls, expected(&out, "đang").0);
    assert_eq!(folded_urls, expected(&out, "dang").0);
    assert_ne!(exact_urls[0], folded_urls[0], "diacritics change the order");
    let first = page_text(&out, &exact_urls[0]);
    assert!(
        search::words(&first).any(|w| vietnamese::tone_key(w) == "đang"),
        "the first result for «đang» has the word «đang»"
    );

    // --- content is text, never markup
    let (_, shown) = search_page(&chrome, &server, "canh bao lua dao");
    let item = shown
        .items
        .iter()
        .find(|i| i.url == "/tin-tuc/canh-bao-lua-dao/")
        .expect("the article is found");
    assert_eq!(
        item.title,
        "Cảnh báo <img src=x onerror=alert(1)> lừa đảo <b>qua mạng</b>"
    );
    assert!(item.snippet.contains("<script>"), "{}", item.snippet);
    let results_html = Html::parse_fragment(&shown.html);
    for tag in ["img", "b", "script", "i"] {
        assert!(
            results_html.select(&sel(tag)).next().is_none(),
            "a <{tag}> element came from an article: {}",
            shown.html
        );
    }

    // --- no result, and no query
    let (_, none) = search_page(&chrome, &server, "xyzzyq");
    assert!(none.items.is_empty());
    assert!(
        none.status
            .starts_with("Không tìm thấy bài viết nào có «xyzzyq»"),
        "{}",
        none.status
    );
    let (doc, empty) = search_page(&chrome, &server, "");
    assert!(empty.items.is_empty());
    assert!(empty.status.starts_with("Nhập từ khóa"), "{}", empty.status);
    let input = doc.select(&sel("#tu-khoa")).next().expect("the field");
    assert_eq!(input.value().attr("value").unwrap_or_default(), "");

    // --- the query is put back in the field; the page title names it
    let (doc, _) = search_page(&chrome, &server, "Tết");
    let input = doc.select(&sel("#tu-khoa")).next().expect("the field");
    assert_eq!(input.value().attr("value"), Some("Tết"));
    let title = doc
        .select(&sel("title"))
        .next()
        .map(text)
        .unwrap_or_default();
    assert!(title.starts_with("«Tết»"), "{title}");
}

/// What a reader sees of an article (title, body, tags): the text the index covers.
fn page_text(out: &Path, url: &str) -> String {
    let doc = page(out, url);
    ["h1", ".content", ".tags li a"]
        .iter()
        .flat_map(|s| doc.select(&sel(s)).map(text).collect::<Vec<_>>())
        .collect::<Vec<_>>()
        .join(" ")
}
