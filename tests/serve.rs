//! `bantin serve`, driven through the real binary and plain HTTP on 127.0.0.1: pages carry the
//! live-reload script, drafts show, links stay on the local server, saves push a reload event,
//! a broken save pushes the error (and the next good save clears it), and nothing outside the
//! preview folder can be read.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;

/// A port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `bantin serve` on a free port.
struct Serve {
    process: Spawned,
    port: u16,
}

impl Serve {
    fn start(root: &Path) -> Serve {
        Serve::start_in(root, "vi")
    }

    /// `bantin serve` speaking `lang` to the editor.
    fn start_in(root: &Path, lang: &str) -> Serve {
        let port = free_port();
        let process = Spawned::start(
            &[
                &"--lang",
                &lang,
                &"--root",
                &root,
                &"serve",
                &"--port",
                &port.to_string(),
            ],
            if lang == "en" {
                "Preview at"
            } else {
                "Xem thử tại"
            },
        );
        let line = process.last_line();
        assert!(
            line.contains(&format!("http://127.0.0.1:{port}/")),
            "{line}"
        );
        Serve { process, port }
    }

    fn get(&self, path: &str) -> Response {
        request(self.port, &format!("GET {path} HTTP/1.1"))
    }
}

struct Response {
    status: u16,
    headers: String,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

/// One raw HTTP request (the request line as given, so that encoded paths reach the server
/// exactly as written).
fn request(port: u16, request_line: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{request_line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        headers: head.to_string(),
        body: body.to_string(),
    }
}

/// An open server-sent-events stream.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        write!(
            stream,
            "GET /__bantin/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        Events {
            reader: BufReader::new(stream),
        }
    }

    /// Wait for `event: <name>` and return the event's data lines.
    fn next(&mut self, name: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut in_event = false;
        let mut data = String::new();
        let mut line = String::new();
        while Instant::now() < deadline {
            line.clear();
            match self.reader.read_line(&mut line) {
                Ok(0) => panic!("event stream closed"),
                Ok(_) => {
                    let l = line.trim_end();
                    if l == format!("event: {name}") {
                        in_event = true;
                    } else if in_event && l.starts_with("data:") {
                        data.push_str(l.trim_start_matches("data:").trim());
                    } else if in_event && l.is_empty() {
                        return data;
                    }
                }
                Err(_) => {} // read timeout: keep waiting
            }
        }
        panic!("no `{name}` event");
    }
}

#[test]
fn serving_previews_the_site_with_drafts_and_local_links() {
    let site = small_site("");
    write(
        site.path(),
        "content/articles/nhap.md",
        "+++\ntitle = \"Bài đang viết\"\ndate = 2025-04-01\ndraft = true\n+++\nChưa xong.\n",
    );
    let s = Serve::start(site.path());
    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert!(
        home.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let doc = scraper::Html::parse_document(&home.body);
    let canonical = attrs(&doc, "link[rel=\"canonical\"]", "href");
    assert_eq!(canonical, vec![format!("http://127.0.0.1:{}/", s.port)]);
    let scripts: String = doc.select(&sel("script")).map(|e| e.inner_html()).collect();
    assert!(scripts.contains("/__bantin/events"), "live-reload script");
    // The draft is shown while serving, marked as such.
    let draft = s.get("/tin-tuc/nhap/");
    assert_eq!(draft.status, 200);
    assert!(draft.body.contains("Bản nháp"));
    let css = s.get("/style.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    // A folder without its slash is redirected; a missing page gets the site's 404 page.
    let folder = s.get("/tin-tuc/nhap");
    assert_eq!(folder.status, 301);
    let missing = s.get("/khong-co-trang-nay/");
    assert_eq!(missing.status, 404);
    let doc = scraper::Html::parse_document(&missing.body);
    assert!(
        !doc.select(&sel("h1"))
            .next()
            .map(text)
            .unwrap_or_default()
            .is_empty()
    );
    // The output of `build` never carries the script.
    let out = tempfile::tempdir().unwrap();
    build_ok(site.path(), &out.path().join("public"), &[]);
    let built = std::fs::read_to_string(out.path().join("public/index.html")).unwrap();
    assert!(!built.contains("__bantin"));
    assert!(s.process.interrupt(), "Ctrl-C stops the server cleanly");
}

#[test]
fn the_preview_folder_is_removed_when_the_terminal_is_closed() {
    let site = small_site("");
    let s = Serve::start(site.path());
    let folder = std::env::temp_dir().join(format!("bantin-serve-{}", s.process.pid()));
    assert!(folder.join("index.html").is_file(), "{}", folder.display());
    assert!(s.process.terminate(), "SIGTERM stops the server cleanly");
    assert!(!folder.exists(), "{} is left behind", folder.display());
}

#[test]
fn nothing_outside_the_preview_can_be_read() {
    let site = small_site("");
    std::fs::write(site.path().join("bi-mat.txt"), "bí mật").unwrap();
    let s = Serve::start(site.path());
    for path in [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/%2e%2e%2fsite.toml",
        "/..%2f..%2fetc%2fpasswd",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/tin-tuc/..%5c..%5csite.toml",
        "/../../../../../../etc/passwd",
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.body.contains("base_url"), "{path} leaked site.toml");
        assert!(!r.body.contains("root:"), "{path} leaked /etc/passwd");
    }
    let post = request(s.port, "POST / HTTP/1.1");
    assert_eq!(post.status, 405);
}

#[test]
fn saves_push_reload_and_errors_to_the_browser() {
    let site = small_site("");
    let mut s = Serve::start(site.path());
    let mut events = Events::open(s.port);
    std::thread::sleep(Duration::from_millis(200));

    let a = site.path().join("content/articles/hop-dau-nam.md");
    let text0 = std::fs::read_to_string(&a).unwrap();
    std::fs::write(&a, text0.replace("Nội dung cuộc họp.", "Nội dung mới.")).unwrap();
    events.next("reload");
    assert!(
        s.get("/tin-tuc/hop-dau-nam/")
            .body
            .contains("Nội dung mới.")
    );

    // A broken save: the browser is told what is wrong, the last good page stays.
    std::fs::write(&a, "+++\ntitle = \"Họp\"\ndate = \"2025-02-30\"\n+++\nx\n").unwrap();
    let data = events.next("failed");
    assert!(data.contains("hop-dau-nam.md:3"), "{data}");
    assert!(
        s.get("/tin-tuc/hop-dau-nam/")
            .body
            .contains("Nội dung mới.")
    );
    s.process.wait_for_line("Chưa cập nhật");
    // A tab opened now still learns about the error.
    let mut late = Events::open(s.port);
    assert!(late.next("failed").contains("hop-dau-nam.md"));

    std::fs::write(&a, text0.replace("Nội dung cuộc họp.", "Đã sửa.")).unwrap();
    events.next("reload");
    assert!(s.get("/tin-tuc/hop-dau-nam/").body.contains("Đã sửa."));

    // A stylesheet-only change is announced as such.
    write(site.path(), "static/style.css", "body { color: #000; }\n");
    let data = events.next("reload");
    assert!(data.contains("\"css_only\":true"), "{data}");
}

#[test]
fn the_error_overlay_speaks_the_editors_language() {
    let site = small_site("");
    let script = |s: &Serve| -> String {
        let home = s.get("/");
        let doc = scraper::Html::parse_document(&home.body);
        doc.select(&sel("script")).map(|e| e.inner_html()).collect()
    };
    let vi = Serve::start(site.path());
    let words = script(&vi);
    assert!(
        words.contains("Trang chưa được cập nhật vì có lỗi:"),
        "{words}"
    );
    assert!(vi.process.interrupt());
    let en = Serve::start_in(site.path(), "en");
    let words = script(&en);
    assert!(
        words.contains("The page was not updated because of errors:"),
        "{words}"
    );
    assert!(!words.contains("Trang chưa được cập nhật"), "{words}");
    assert!(en.process.interrupt());
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let site = small_site("");
    let o = bantin()
        .arg("--root")
        .arg(site.path())
        .args(["serve", "--port", &port.to_string()])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--port"), "{}", stderr(&o));
}
