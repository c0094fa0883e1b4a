//! The preview server of `bantin serve`: the preview folder over HTTP, and live reload.
//!
//! It serves only files inside its folder (decoded `..`, encoded slashes, absolute paths and
//! symlinks out are all 404), never lists folders, answers missing pages with the site's own
//! 404 page, and injects [`RELOAD_SCRIPT`] into every HTML page it serves (never into `build`
//! output). The script listens on `/__bantin/events` (server-sent events) for a reload after
//! each rebuild, or for the problems of a failed one, shown over the last good page.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tiny_http::{Header, Method, Request, Response};

/// The path of the event stream.
pub const EVENTS_PATH: &str = "/__bantin/events";

/// Request-handling threads (each event stream gets its own thread besides these).
const WORKERS: usize = 4;

/// What the browser is told after a rebuild.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A rebuild finished; `css_only` when only stylesheets changed.
    Reloaded { css_only: bool },
    /// The last rebuild failed: one line per problem (file:line:column: message — cách sửa: …).
    Failed { problems: Vec<String> },
}

impl Event {
    /// The event as sent on the wire.
    fn to_sse(&self) -> String {
        match self {
            Event::Reloaded { css_only } => {
                format!("event: reload\ndata: {{\"css_only\":{css_only}}}\n\n")
            }
            Event::Failed { problems } => format!(
                "event: failed\ndata: {}\n\n",
                serde_json::to_string(problems).unwrap_or_else(|_| "[]".into())
            ),
        }
    }
}

#[derive(Default)]
struct Subscribers {
    senders: Vec<Sender<Event>>,
    /// The last failure, until a successful rebuild: a tab opened meanwhile shows it too.
    last_failed: Option<Event>,
}

/// Fan-out of events to every open tab. Cheap to clone.
#[derive(Clone, Default)]
pub struct Broadcaster {
    inner: Arc<Mutex<Subscribers>>,
}

impl Broadcaster {
    pub fn new() -> Self {
        Self::default()
    }

    /// Send `event` to every connected browser.
    pub fn send(&self, event: Event) {
        let Ok(mut subs) = self.inner.lock() else {
            return;
        };
        subs.last_failed = match &event {
            Event::Failed { .. } => Some(event.clone()),
            Event::Reloaded { .. } => None,
        };
        subs.senders.retain(|s| s.send(event.clone()).is_ok());
    }

    fn subscribe(&self) -> (Receiver<Event>, Option<Event>) {
        let (tx, rx) = channel();
        match self.inner.lock() {
            Ok(mut subs) => {
                subs.senders.push(tx);
                (rx, subs.last_failed.clone())
            }
            Err(_) => (rx, None),
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "cổng {addr} đang được chương trình khác dùng; chọn cổng khác, ví dụ: bantin serve --port 8080"
    )]
    PortInUse { addr: String },
    #[error("không mở được máy chủ ở {addr}: {error}; thử --bind 127.0.0.1 hoặc --port khác")]
    Bind { addr: String, error: String },
}

/// A running preview server.
pub struct Server {
    server: Arc<tiny_http::Server>,
    workers: Vec<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
    url: String,
}

impl Server {
    /// Bind and serve `root_dir` on background threads; returns at once. Port 0 picks a free port.
    pub fn start(
        bind: &str,
        port: u16,
        root_dir: PathBuf,
        events: Broadcaster,
    ) -> Result<Server, ServeError> {
        let addr = format!("{bind}:{port}");
        let listener = TcpListener::bind((bind, port)).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AddrInUse {
                ServeError::PortInUse { addr: addr.clone() }
            } else {
                ServeError::Bind {
                    addr: addr.clone(),
                    error: e.to_string(),
                }
            }
        })?;
        let real_port = listener.local_addr().map_or(port, |a| a.port());
        let server =
            tiny_http::Server::from_listener(listener, None).map_err(|e| ServeError::Bind {
                addr: addr.clone(),
                error: e.to_string(),
            })?;
        let server = Arc::new(server);
        let stop = Arc::new(AtomicBool::new(false));
        let site = Arc::new(Site { root: root_dir });
        let workers = (0..WORKERS)
            .map(|_| {
                let server = server.clone();
                let stop = stop.clone();
                let site = site.clone();
                let events = events.clone();
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        match server.recv_timeout(Duration::from_millis(200)) {
                            Ok(Some(request)) => site.handle(request, &events, &stop),
                            Ok(None) => {}
                            Err(_) => break,
                        }
                    }
                })
            })
            .collect();
        let host = match bind {
            "0.0.0.0" | "::" | "[::]" => "127.0.0.1",
            other => other,
        };
        Ok(Server {
            server,
            workers,
            stop,
            url: format!("http://{host}:{real_port}/"),
        })
    }

    /// The address to open in a browser.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Stop serving and wait for the request threads (event streams end within a second).
    pub fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        self.server.unblock();
        for w in self.workers {
            let _ = w.join();
        }
    }
}

/// The folder being served.
struct Site {
    root: PathBuf,
}

/// The result of looking a request path up in the folder.
#[derive(Debug, PartialEq, Eq)]
enum Lookup {
    File(PathBuf),
    /// A folder asked for without its trailing slash.
    Redirect(String),
    NotFound,
}

impl Site {
    fn handle(&self, request: Request, events: &Broadcaster, stop: &Arc<AtomicBool>) {
        let method = request.method().clone();
        if method != Method::Get && method != Method::Head {
            let _ = request.respond(text_response(405, "Chỉ hỗ trợ GET và HEAD."));
            return;
        }
        let path = request
            .url()
            .split(['?', '#'])
            .next()
            .unwrap_or("/")
            .to_string();
        if path == EVENTS_PATH {
            let events = events.clone();
            let stop = stop.clone();
            // Each open tab holds a stream: give it its own thread.
            std::thread::spawn(move || stream_events(request, &events, &stop));
            return;
        }
        let response = match self.lookup(&path) {
            Lookup::File(file) => match std::fs::read(&file) {
                Ok(bytes) => file_response(200, &file, bytes),
                Err(_) => self.not_found(),
            },
            Lookup::Redirect(to) => Response::from_data(Vec::new())
                .with_status_code(301)
                .with_header(header("Location", &to)),
            Lookup::NotFound => self.not_found(),
        };
        let _ = request.respond(response);
    }

    /// The site's own 404 page, with status 404.
    fn not_found(&self) -> Response<std::io::Cursor<Vec<u8>>> {
        let file = self.root.join("404.html");
        match std::fs::read(&file) {
            Ok(bytes) => file_response(404, &file, bytes),
            Err(_) => text_response(404, "Không tìm thấy trang."),
        }
    }

    /// Map a request path to a file inside the folder, refusing anything that leaves it.
    fn lookup(&self, raw_path: &str) -> Lookup {
        let Some(path) = percent_decode(raw_path) else {
            return Lookup::NotFound;
        };
        let Some(rest) = path.strip_prefix('/') else {
            return Lookup::NotFound;
        };
        if path.contains(['\0', '\\']) || rest.starts_with('/') {
            return Lookup::NotFound;
        }
        let segments: Vec<&str> = rest.split('/').collect();
        let last = segments.len().saturating_sub(1);
        for (i, s) in segments.iter().enumerate() {
            let bad = *s == ".." || *s == "." || (s.is_empty() && i != last);
            if bad {
                return Lookup::NotFound;
            }
        }
        let candidate = self.root.join(rest);
        if Path::new(rest)
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Lookup::NotFound;
        }
        let Ok(root) = self.root.canonicalize() else {
            return Lookup::NotFound;
        };
        let inside = |p: &Path| p.canonicalize().is_ok_and(|c| c.starts_with(&root));
        if candidate.is_dir() {
            if !path.ends_with('/') {
                return Lookup::Redirect(format!("{path}/"));
            }
            let index = candidate.join("index.html");
            return if index.is_file() && inside(&index) {
                Lookup::File(index)
            } else {
                Lookup::NotFound
            };
        }
        if candidate.is_file() && inside(&candidate) {
            Lookup::File(candidate)
        } else {
            Lookup::NotFound
        }
    }
}

/// Decode `%XX` escapes into UTF-8 text. A tiny decoder is enough here (request paths only) and
/// avoids a dependency; `None` for a bad escape or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|_| Header::from_bytes(&b"X-Bantin"[..], &b"1"[..]).expect("static header"))
}

fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn file_response(status: u16, path: &Path, bytes: Vec<u8>) -> Response<std::io::Cursor<Vec<u8>>> {
    let ct = content_type(path);
    let bytes = if ct.starts_with("text/html") {
        inject_script(bytes)
    } else {
        bytes
    };
    Response::from_data(bytes)
        .with_status_code(status)
        .with_header(header("Content-Type", ct))
        .with_header(header("Cache-Control", "no-store"))
}

fn text_response(status: u16, text: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let html = format!(
        "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>{text}</title><h1>{text}</h1></html>"
    );
    Response::from_data(inject_script(html.into_bytes()))
        .with_status_code(status)
        .with_header(header("Content-Type", "text/html; charset=utf-8"))
        .with_header(header("Cache-Control", "no-store"))
}

/// Put [`RELOAD_SCRIPT`] just before the last `</body>` (or at the end).
fn inject_script(mut html: Vec<u8>) -> Vec<u8> {
    let needle = b"</body>";
    let at = html
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
        .unwrap_or(html.len());
    html.splice(at..at, RELOAD_SCRIPT.bytes());
    html
}

/// Hold an event stream open until the browser goes away or the server stops.
fn stream_events(request: Request, events: &Broadcaster, stop: &AtomicBool) {
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
    let (rx, last_failed) = events.subscribe();
    let mut send = |text: &str| {
        writer
            .write_all(text.as_bytes())
            .and_then(|_| writer.flush())
    };
    if send(head).is_err() || send("retry: 1000\n\n").is_err() {
        return;
    }
    if let Some(e) = last_failed
        && send(&e.to_sse()).is_err()
    {
        return;
    }
    let mut last_ping = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        let text = match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(event) => event.to_sse(),
            Err(RecvTimeoutError::Timeout) if last_ping.elapsed() >= Duration::from_secs(15) => {
                last_ping = Instant::now();
                ": ping\n\n".to_string()
            }
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if send(&text).is_err() {
            break;
        }
    }
}

/// Injected into every served HTML page: reloads after a rebuild (or swaps stylesheets when only
/// CSS changed) and shows a failed rebuild's problems over the page, in Vietnamese.
pub const RELOAD_SCRIPT: &str = r#"<script>(function(){
if(!window.EventSource)return;
var es=new EventSource("/__bantin/events"),box=null;
function clear(){if(box){box.remove();box=null;}}
es.addEventListener("reload",function(e){var d={};try{d=JSON.parse(e.data);}catch(x){}
if(d.css_only&&!box){document.querySelectorAll('link[rel="stylesheet"]').forEach(function(l){var u=new URL(l.href);u.searchParams.set("v",Date.now());l.href=u.toString();});}
else{location.reload();}});
es.addEventListener("failed",function(e){var list=[];try{list=JSON.parse(e.data);}catch(x){}
clear();box=document.createElement("div");box.id="bantin-loi";box.setAttribute("role","alert");
box.style.cssText="position:fixed;left:0;right:0;top:0;z-index:2147483647;max-height:85vh;overflow:auto;background:#fff4f4;color:#4a0000;border-bottom:4px solid #b00020;padding:1rem 1.25rem;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.35)";
var h=document.createElement("strong");h.textContent="Trang chưa được cập nhật vì có lỗi:";box.appendChild(h);
var ul=document.createElement("ul");ul.style.cssText="margin:.5rem 0;padding-left:1.25rem";
list.forEach(function(t){var li=document.createElement("li");li.style.cssText="white-space:pre-wrap;word-break:break-word;margin:.25rem 0";li.textContent=t;ul.appendChild(li);});
box.appendChild(ul);var p=document.createElement("p");p.style.margin="0 0 .5rem";p.textContent="Sửa tệp rồi lưu lại: trang sẽ tự cập nhật.";box.appendChild(p);
var b=document.createElement("button");b.type="button";b.textContent="Đóng";b.style.cssText="font:inherit;padding:.25rem 1rem;cursor:pointer";b.onclick=clear;box.appendChild(b);
document.body.appendChild(box);});
})();</script>"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, Site) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("public");
        std::fs::create_dir_all(root.join("tin-tuc/a")).unwrap();
        std::fs::write(root.join("index.html"), "<html><body>x</body></html>").unwrap();
        std::fs::write(root.join("tin-tuc/a/index.html"), "a").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "secret").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.path().join("secret.txt"), root.join("link.txt")).unwrap();
        (tmp, Site { root })
    }

    #[test]
    fn paths_resolve_inside_the_folder_only() {
        let (_tmp, s) = site();
        assert!(matches!(s.lookup("/"), Lookup::File(p) if p.ends_with("public/index.html")));
        assert!(matches!(s.lookup("/tin-tuc/a/"), Lookup::File(_)));
        assert_eq!(
            s.lookup("/tin-tuc/a"),
            Lookup::Redirect("/tin-tuc/a/".into())
        );
        for bad in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2fsecret.txt",
            "/tin-tuc/..%2f..%2fsecret.txt",
            "//etc/passwd",
            "/%2fetc%2fpasswd",
            "/tin-tuc/..%5c..%5csecret.txt",
            "/link.txt",
            "/%00",
            "/%zz",
            "/khong-co/",
        ] {
            assert_eq!(s.lookup(bad), Lookup::NotFound, "{bad}");
        }
    }

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let html = inject_script(b"<p>a</p></BODY></html>".to_vec());
        let html = String::from_utf8(html).unwrap();
        assert!(html.starts_with("<p>a</p><script>"));
        assert!(html.ends_with("</script></BODY></html>"));
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(content_type(Path::new("a.css")), "text/css; charset=utf-8");
        assert_eq!(content_type(Path::new("a.SVG")), "image/svg+xml");
        assert_eq!(content_type(Path::new("a.json")), "application/json");
        assert_eq!(
            content_type(Path::new("sitemap.xml")),
            "application/xml; charset=utf-8"
        );
    }

    #[test]
    fn a_tab_opened_after_a_failure_learns_about_it() {
        let b = Broadcaster::new();
        b.send(Event::Failed {
            problems: vec!["a.md:1:1: lỗi".into()],
        });
        let (_rx, last) = b.subscribe();
        assert!(matches!(last, Some(Event::Failed { .. })));
        b.send(Event::Reloaded { css_only: false });
        let (_rx, last) = b.subscribe();
        assert_eq!(last, None);
    }

    #[test]
    fn a_port_in_use_is_reported_as_such() {
        let busy = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = busy.local_addr().unwrap().port();
        let r = Server::start("127.0.0.1", port, PathBuf::from("."), Broadcaster::new());
        assert!(matches!(r, Err(ServeError::PortInUse { .. })));
    }
}
