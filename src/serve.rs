//! The preview HTTP server of `bantin serve`: static files from the preview folder, path
//! safety, the live-reload script and server-sent events.
//!
//! - Files are read from disk on every request (the watcher rewrites the folder between
//!   requests); nothing is cached, and every answer carries `Cache-Control: no-store`.
//! - A request path is percent-decoded segment by segment; any `..` or `.` segment, encoded
//!   slash or backslash, NUL byte, empty segment, malformed escape or bytes that are not UTF-8
//!   (overlong encodings included) is a 404, and so is any file whose canonical path (symlinks
//!   followed) is not inside the canonical preview folder.
//! - Every HTML answer carries the [`reload_script`] just before its last `</body>`. The script
//!   listens on `/__bantin/events` (server-sent events) for `reload` and `failed` events sent
//!   through a [`Broadcaster`]; the overlay it shows speaks the editor's language (`--lang`).
//!
//! The HTTP side is small and written here, on `std::net` with `httparse` for request heads,
//! because the server must stay up whatever a client does (docs/security.md), which tiny_http
//! 0.12 does not allow: it starts a thread for every connection without limit and sets no
//! timeout and no size limit on a request head. Here:
//! - one thread accepts; each connection is answered on a thread of its own, at most
//!   [`MAX_CONNECTIONS`] at once (more are answered 503 at once and closed), and each event
//!   stream (one per open tab, at most [`MAX_STREAMS`]) gives its connection slot back;
//! - a request head must arrive within [`HEAD_TIMEOUT`] (408 otherwise: a client that sends
//!   nothing, or one byte a second, holds a slot that long and no longer), its request line
//!   within [`MAX_REQUEST_LINE`] bytes (414) and the whole head within [`MAX_HEAD`] bytes and
//!   [`MAX_HEADERS`] headers (431); bodies are never read;
//! - only GET and HEAD are answered (405), one request per connection (`Connection: close`);
//! - the `Host` header must name this computer by address, `localhost` or a `.local` name, or
//!   be the `--bind` name (421 otherwise), so a web page elsewhere cannot read the drafts
//!   through a DNS name pointed at this computer (DNS rebinding).

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::error::{Diagnostic, Lang};

/// The path of the server-sent events stream.
pub const EVENTS_PATH: &str = "/__bantin/events";

/// Connections answered at once (event streams not counted). A browser opens about six; the
/// rest of the slots absorb clients that are slow to send their request.
pub const MAX_CONNECTIONS: usize = 64;

/// How long a client has to send its whole request head.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest request line accepted (414 beyond).
pub const MAX_REQUEST_LINE: usize = 8 * 1024;

/// The largest request head accepted (431 beyond).
pub const MAX_HEAD: usize = 32 * 1024;

/// The most header lines accepted (431 beyond).
pub const MAX_HEADERS: usize = 64;

/// How long a write to a client that does not read may block.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// How often an idle event stream sends a `: ping` comment, so dead connections are noticed.
pub const PING_INTERVAL: Duration = Duration::from_secs(15);

/// At most this many event streams at once (one per open tab; a stream whose tab is gone ends
/// at its next write). More are refused with 503 rather than costing a thread each.
const MAX_STREAMS: usize = 256;

/// How often blocked threads wake up to notice [`Server::stop`].
const POLL: Duration = Duration::from_millis(200);

/// How long [`Server::stop`] waits for threads still writing to a client that does not read.
const STOP_GRACE: Duration = Duration::from_secs(3);

const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// What the browser is told after a rebuild.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A rebuild finished; `css_only` when only stylesheets changed (the page then swaps its
    /// `<link rel=stylesheet>` hrefs with a cache-busting query instead of reloading).
    Reloaded { css_only: bool },
    /// The last rebuild failed: one entry per problem, plain text (see [`Event::failed`] for the
    /// usual formatting). The overlay inserts each entry as text (`textContent`), so entries
    /// must NOT be HTML-escaped: `<`, `&` and quotes show as written.
    Failed { problems: Vec<String> },
}

impl Event {
    /// The `Failed` event for a failed rebuild, in `lang`: one entry per diagnostic, formatted
    /// as `file:line:column: message — cách sửa: hint` (the hint part only when there is one).
    pub fn failed(diagnostics: &[Diagnostic], lang: Lang) -> Event {
        let fix = lang.fix_word();
        Event::Failed {
            problems: diagnostics
                .iter()
                .map(|d| match d.problem.hint_in(lang) {
                    Some(hint) => format!("{} — {fix}: {hint}", d.message(lang)),
                    None => d.message(lang),
                })
                .collect(),
        }
    }

    /// The event in the server-sent events format (`event:` line, one `data:` line of JSON,
    /// blank line). JSON never contains a raw newline, so one `data:` line is always enough.
    fn to_sse(&self) -> String {
        match self {
            Event::Reloaded { css_only } => {
                let data = serde_json::json!({ "css_only": css_only });
                format!("event: reload\ndata: {data}\n\n")
            }
            Event::Failed { problems } => {
                let data = serde_json::Value::from(problems.clone());
                format!("event: failed\ndata: {data}\n\n")
            }
        }
    }
}

/// Fan-out of events to every connected browser (one event stream per tab). Cheap to clone;
/// `Send + Sync`. Remembers the last `Failed` event until a `Reloaded` clears it, so a tab
/// opened while the site is broken shows the overlay too.
#[derive(Clone, Default)]
pub struct Broadcaster {
    hub: Arc<Mutex<Hub>>,
}

#[derive(Default)]
struct Hub {
    streams: Vec<Sender<Event>>,
    last_failed: Option<Event>,
}

impl Broadcaster {
    pub fn new() -> Self {
        Self::default()
    }

    /// Tell every connected browser. Never blocks on a slow browser.
    pub fn send(&self, event: Event) {
        let mut hub = lock(&self.hub);
        hub.last_failed = match &event {
            Event::Failed { .. } => Some(event.clone()),
            Event::Reloaded { .. } => None,
        };
        // A stream whose thread has ended (its tab is gone) has dropped its receiver.
        hub.streams.retain(|s| s.send(event.clone()).is_ok());
    }

    /// A new stream: its receiver, and the event it must be told at once (if the site is
    /// broken). Taken under one lock, so no event falls between the two.
    fn subscribe(&self) -> (Receiver<Event>, Option<Event>) {
        let (tx, rx) = channel();
        let mut hub = lock(&self.hub);
        hub.streams.push(tx);
        (rx, hub.last_failed.clone())
    }

    /// Streams that have not been noticed gone yet.
    #[cfg(test)]
    fn subscribers(&self) -> usize {
        let mut hub = lock(&self.hub);
        hub.streams
            .retain(|s| s.send(Event::Reloaded { css_only: true }).is_ok());
        hub.streams.len()
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "cổng {addr} đang được một chương trình khác dùng (có thể là một `bantin serve` khác \
         đang chạy); dừng chương trình đó, hoặc chọn cổng khác, ví dụ `--port 1112`"
    )]
    PortInUse { addr: String },
    #[error(
        "không mở được máy chủ xem thử tại {addr}: {error}; kiểm tra địa chỉ `--bind`, hoặc \
         chọn cổng khác bằng `--port`"
    )]
    Bind { addr: String, error: String },
}

/// A running preview server. Dropping it stops it too.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

/// What the accepting, connection and stream threads share.
struct Shared {
    root: PathBuf,
    /// The reload script, in the editor's language.
    script: String,
    events: Broadcaster,
    stop: AtomicBool,
    /// Connection threads (answering a request or writing an event stream).
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// Connections being answered now (not event streams).
    busy: AtomicUsize,
    /// Event streams open now.
    streams: AtomicUsize,
    ping: Duration,
    /// The `--bind` address as written, lowercase: always a valid `Host`.
    bind: String,
}

impl Server {
    /// Bind `bind:port` (port 0: any free port, see [`Server::url`]), serve `root_dir`, return
    /// at once. `root_dir` need not exist yet: until it does, every page is a 404 (carrying the
    /// reload script, so the tab reloads after the first build).
    /// The overlay that pages show when a rebuild fails speaks `lang`.
    pub fn start(
        bind: &str,
        port: u16,
        root_dir: PathBuf,
        events: Broadcaster,
        lang: Lang,
    ) -> Result<Server, ServeError> {
        Server::start_with(bind, port, root_dir, events, lang, PING_INTERVAL)
    }

    fn start_with(
        bind: &str,
        port: u16,
        root_dir: PathBuf,
        events: Broadcaster,
        lang: Lang,
        ping: Duration,
    ) -> Result<Server, ServeError> {
        let shown = host_port(bind, port);
        let bind_error = |error: String| ServeError::Bind {
            addr: shown.clone(),
            error,
        };
        let listener = TcpListener::bind((bind, port)).map_err(|e| match e.kind() {
            io::ErrorKind::AddrInUse => ServeError::PortInUse {
                addr: shown.clone(),
            },
            _ => bind_error(e.to_string()),
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| bind_error(e.to_string()))?;
        let shared = Arc::new(Shared {
            root: root_dir,
            script: reload_script(lang),
            events,
            stop: AtomicBool::new(false),
            threads: Mutex::new(Vec::new()),
            busy: AtomicUsize::new(0),
            streams: AtomicUsize::new(0),
            ping,
            bind: bind.trim_matches(['[', ']']).to_ascii_lowercase(),
        });
        let accept_shared = shared.clone();
        let accept = thread::Builder::new()
            .name("bantin-serve".into())
            .spawn(move || accept_loop(&listener, &accept_shared))
            .map_err(|e| bind_error(e.to_string()))?;
        Ok(Server {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// The address to open in a browser, e.g. `http://127.0.0.1:1111/` (with the real port
    /// when started on port 0). Bound to every interface (`0.0.0.0`, `::`), it names this
    /// computer (`127.0.0.1`, `[::1]`): a browser cannot open `0.0.0.0`.
    pub fn url(&self) -> String {
        url_of(loopback(self.addr))
    }

    /// The socket address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop: wake every thread and join them. A thread still writing to a client that stopped
    /// reading is left behind after a few seconds rather than blocking forever.
    pub fn stop(self) {
        drop(self);
    }

    fn shutdown(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // The accepting thread waits in `accept`: a connection wakes it to see `stop`.
        let _ = TcpStream::connect_timeout(&loopback(self.addr), Duration::from_secs(1));
        let deadline = Instant::now() + STOP_GRACE;
        let mut handles: Vec<JoinHandle<()>> = self.accept.take().into_iter().collect();
        while Instant::now() < deadline {
            handles.extend(lock(&self.shared.threads).drain(..));
            if handles.iter().all(JoinHandle::is_finished) {
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
        handles.extend(lock(&self.shared.threads).drain(..));
        for handle in handles {
            if handle.is_finished() {
                let _ = handle.join();
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// `http://host:port/` for a socket address.
fn url_of(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!("http://{}:{}/", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("http://[{}]:{}/", a.ip(), a.port()),
    }
}

/// An address this computer can connect to for a listener bound to `addr`.
fn loopback(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, addr.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, addr.port()).into(),
        _ => addr,
    }
}

/// Whether `bind` (as given to `--bind`) lets only this computer in.
pub fn is_loopback(bind: &str) -> bool {
    let bind = bind.trim_matches(['[', ']']);
    bind.eq_ignore_ascii_case("localhost")
        || bind.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// For a server bound to every interface (`0.0.0.0`, `::`), the address other machines of the
/// network most likely reach it at (`http://192.168.1.20:1111/`): the local address the system
/// would use to reach the internet. Nothing is sent (a UDP socket only chooses a route).
pub fn network_url(addr: SocketAddr) -> Option<String> {
    if !addr.ip().is_unspecified() {
        return None;
    }
    let socket = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then(|| url_of((ip, addr.port()).into()))
}

/// `addr:port` as written in a URL (`[::1]:1111` for IPv6).
fn host_port(bind: &str, port: u16) -> String {
    if bind.contains(':') {
        format!("[{bind}]:{port}")
    } else {
        format!("{bind}:{port}")
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One taken place of a counted pool, given back when dropped (panics included).
struct Slot<'a>(&'a AtomicUsize);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Take a place in `pool` if fewer than `max` are taken.
fn take_slot(pool: &AtomicUsize, max: usize) -> Option<Slot<'_>> {
    pool.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
        (n < max).then_some(n + 1)
    })
    .ok()
    .map(|_| Slot(pool))
}

/// Accept connections until stopped; answer each on a thread of its own, within the limits.
fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let stream = match conn {
            Ok(s) => s,
            // Out of file descriptors, a connection reset while queued: wait a little.
            Err(_) => {
                thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        let mut threads = lock(&shared.threads);
        // Finished threads are detached (dropping a handle does not stop its thread).
        threads.retain(|h| !h.is_finished());
        // The place taken is given back by the connection thread's own `Slot`.
        let taken = take_slot(&shared.busy, MAX_CONNECTIONS).map(std::mem::forget);
        if taken.is_none() {
            drop(threads);
            refuse_busy(stream);
            continue;
        }
        let conn_shared = shared.clone();
        let spawned = thread::Builder::new()
            .name("bantin-serve-conn".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let slot = Slot(&conn_shared.busy);
                let _ = catch_unwind(AssertUnwindSafe(|| connection(stream, &conn_shared, slot)));
            });
        match spawned {
            Ok(handle) => threads.push(handle),
            // The stream went with the closure and is closed; give the slot back.
            Err(_) => {
                shared.busy.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
}

/// Every slot is taken: say so at once and close (never wait on this client).
fn refuse_busy(mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    let reply = Reply::text(
        503,
        "Máy chủ xem thử đang bận (quá nhiều kết nối cùng lúc); hãy tải lại trang sau giây lát.\n",
    );
    write_reply(&mut stream, &reply, true);
}

/// A request head, as far as it matters here.
#[derive(Debug)]
struct Head {
    method: String,
    target: String,
    host: Option<String>,
}

/// Read and parse one request head within the limits; `Err(None)` when the client went away
/// (or the server is stopping), `Err(Some(status))` for a head refused with `status`.
fn read_head(stream: &mut TcpStream, stop: &AtomicBool) -> Result<Head, Option<u16>> {
    let deadline = Instant::now() + HEAD_TIMEOUT;
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        if !buf.is_empty() {
            let line = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
            if line > MAX_REQUEST_LINE {
                return Err(Some(414));
            }
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut request = httparse::Request::new(&mut headers);
            match request.parse(&buf) {
                Ok(httparse::Status::Complete(_)) => {
                    let host = request
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case("host"))
                        .map(|h| String::from_utf8_lossy(h.value).into_owned());
                    return Ok(Head {
                        method: request.method.unwrap_or_default().to_string(),
                        target: request.path.unwrap_or_default().to_string(),
                        host,
                    });
                }
                Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => return Err(Some(431)),
                Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => return Err(Some(431)),
                Err(_) => return Err(Some(400)),
            }
        }
        if stop.load(Ordering::SeqCst) {
            return Err(None);
        }
        if Instant::now() >= deadline {
            return Err(Some(408));
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(None),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => return Err(None),
        }
    }
}

/// Whether a `Host` header names this server in a way no other site can: an IP address,
/// `localhost` (or a name under it), a `.local` name of the office network, or the `--bind`
/// name itself. A missing `Host` (HTTP/1.0 tools) is fine: browsers always send one.
fn host_allowed(host: Option<&str>, bind: &str) -> bool {
    let Some(host) = host else {
        return true;
    };
    let host = host.trim().to_ascii_lowercase();
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host.as_str(),
        },
    };
    let name = name.trim_end_matches('.');
    name.parse::<IpAddr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || name.ends_with(".local")
        || (!name.is_empty() && name == bind)
}

/// Answer one connection: read its request, answer it, close.
fn connection(mut stream: TcpStream, shared: &Shared, slot: Slot<'_>) {
    let _ = stream.set_read_timeout(Some(POLL));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let head = match read_head(&mut stream, &shared.stop) {
        Ok(head) => head,
        Err(None) => return,
        Err(Some(status)) => {
            let reply = Reply::text(status, refusal_text(status));
            return finish(stream, &reply, true);
        }
    };
    let get = match head.method.as_str() {
        "GET" => true,
        "HEAD" => false,
        _ => {
            let reply = Reply::text(405, "Máy chủ xem thử chỉ nhận yêu cầu GET và HEAD.\n");
            return finish(stream, &reply, true);
        }
    };
    if !host_allowed(head.host.as_deref(), &shared.bind) {
        let reply = Reply::text(
            421,
            "Máy chủ xem thử chỉ trả lời khi được gọi bằng địa chỉ IP của máy (ví dụ \
             http://127.0.0.1:1111/) hoặc localhost.\n",
        );
        return finish(stream, &reply, get);
    }
    if target_path(&head.target) == Some(EVENTS_PATH) {
        if get {
            open_stream(stream, shared, slot);
        } else {
            let reply = Reply {
                status: 200,
                content_type: "text/event-stream; charset=utf-8",
                body: Vec::new(),
                location: None,
            };
            finish(stream, &reply, false);
        }
        return;
    }
    let reply = reply_for(&shared.root, &shared.script, &head.target);
    finish(stream, &reply, get);
}

/// What a refused request head is told.
fn refusal_text(status: u16) -> &'static str {
    match status {
        408 => "Yêu cầu đến quá chậm.\n",
        414 => "Địa chỉ yêu cầu quá dài.\n",
        431 => "Phần đầu yêu cầu quá lớn.\n",
        _ => "Yêu cầu không hợp lệ.\n",
    }
}

/// Write `reply` and close the connection gracefully: what the client still sends (a body
/// never read) is drained briefly, so closing does not reset the connection before the client
/// has read the answer.
fn finish(mut stream: TcpStream, reply: &Reply, with_body: bool) {
    write_reply(&mut stream, reply, with_body);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let until = Instant::now() + Duration::from_secs(1);
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    while Instant::now() < until && drained < 64 * 1024 {
        match stream.read(&mut sink) {
            Ok(0) => break,
            Ok(n) => drained += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                break;
            }
            Err(_) => break,
        }
    }
}

/// The HTTP reason phrase of the statuses used here.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// Write the status line, headers and (unless HEAD) the body. A client that went away is no
/// error of ours.
fn write_reply(stream: &mut TcpStream, reply: &Reply, with_body: bool) {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
        reply.body.len()
    );
    if let Some(location) = &reply.location {
        head.push_str(&format!("Location: {location}\r\n"));
    }
    if reply.status == 405 {
        head.push_str("Allow: GET, HEAD\r\n");
    }
    if reply.status == 503 {
        head.push_str("Retry-After: 1\r\n");
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    if with_body {
        let _ = stream.write_all(&reply.body);
    }
    let _ = stream.flush();
}

/// An answer to a request.
#[derive(Debug)]
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    location: Option<String>,
}

impl Reply {
    fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            content_type: TEXT,
            body: text.as_bytes().to_vec(),
            location: None,
        }
    }
}

/// The answer to `GET url`, read from `root` now.
fn reply_for(root: &Path, script: &str, url: &str) -> Reply {
    match lookup(root, url) {
        Lookup::File(path) => match std::fs::read(&path) {
            Ok(body) => {
                let content_type = content_type(&path);
                let body = if content_type == HTML {
                    inject_script(body, script)
                } else {
                    body
                };
                Reply {
                    status: 200,
                    content_type,
                    body,
                    location: None,
                }
            }
            // Removed by a rebuild between the lookup and the read.
            Err(_) => not_found(root, script),
        },
        Lookup::Redirect(location) => Reply {
            status: 301,
            content_type: HTML,
            body: format!("<!doctype html><a href=\"{location}\">{location}</a>\n").into(),
            location: Some(location),
        },
        Lookup::NotFound => not_found(root, script),
    }
}

/// 404 with the site's own `404.html` when it has one.
fn not_found(root: &Path, script: &str) -> Reply {
    let body = match lookup(root, "/404.html") {
        Lookup::File(path) => std::fs::read(path).ok(),
        _ => None,
    };
    Reply {
        status: 404,
        content_type: HTML,
        body: inject_script(body.unwrap_or_else(|| NOT_FOUND_PAGE.into()), script),
        location: None,
    }
}

const NOT_FOUND_PAGE: &str = "<!doctype html>
<html lang=\"vi\"><head><meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<title>Không tìm thấy trang</title></head>
<body style=\"font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem\">
<h1>Không tìm thấy trang</h1>
<p>Bản xem thử không có trang nào ở địa chỉ này. Nếu bạn vừa tạo bài viết, hãy lưu tệp: trang sẽ
tự tải lại khi dựng xong. Hoặc quay về <a href=\"/\">trang chủ</a>.</p>
</body></html>
";

/// The path part of a request target: query and fragment dropped, the absolute form
/// (`http://host/path`) reduced to its path. `None` for anything else (`*`, garbage).
fn target_path(url: &str) -> Option<&str> {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let path = &url[..end];
    for scheme in ["http://", "https://"] {
        if path.len() >= scheme.len()
            && path.is_char_boundary(scheme.len())
            && path[..scheme.len()].eq_ignore_ascii_case(scheme)
        {
            let rest = &path[scheme.len()..];
            return Some(rest.find('/').map_or("/", |i| &rest[i..]));
        }
    }
    path.starts_with('/').then_some(path)
}

/// A request path split into safe, decoded segments.
#[derive(Debug, PartialEq)]
struct SafePath {
    segments: Vec<String>,
    trailing_slash: bool,
}

/// Split and decode a request target; `None` when it is not a safe path inside the root.
fn safe_path(url: &str) -> Option<SafePath> {
    let rest = target_path(url)?.strip_prefix('/')?;
    if rest.is_empty() {
        return Some(SafePath {
            segments: Vec::new(),
            trailing_slash: true,
        });
    }
    let (rest, trailing_slash) = match rest.strip_suffix('/') {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let segments = rest
        .split('/')
        .map(|raw| percent_decode(raw).filter(|s| safe_segment(s)))
        .collect::<Option<Vec<_>>>()?;
    Some(SafePath {
        segments,
        trailing_slash,
    })
}

/// One decoded path segment that names a child of its folder and nothing else. An empty
/// segment (`//etc/passwd`) is refused too: joined to a path it could read as absolute.
fn safe_segment(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && !s.chars().any(|c| c == '/' || c == '\\' || c.is_control())
        // Windows: drive letters and streams (`C:`, `a:b`), and names it silently trims
        // (`.. ` and `...` can mean `..`).
        && !(cfg!(windows) && (s.contains(':') || s.ends_with('.') || s.ends_with(' ')))
}

/// Percent-decode one path segment into UTF-8 text; `None` for a malformed escape (`%zz`,
/// `%4`) or bytes that are not UTF-8.
///
/// Written here rather than taken from a crate: it is a dozen lines, and the usual decoder
/// (`percent-encoding`) keeps malformed escapes as literal text, while a server guarding paths
/// should refuse them. Decoding one segment at a time (after splitting on the raw `/`) is what
/// keeps an encoded `%2f` or `%5c` from ever creating a new segment; [`safe_segment`] then
/// refuses it.
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encode a path segment for a `Location` header.
fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Debug, PartialEq)]
enum Lookup {
    /// The canonical path of a regular file inside the root.
    File(PathBuf),
    /// A folder asked for without its trailing slash: where to go instead.
    Redirect(String),
    NotFound,
}

/// Which file answers `url`, checked against the root as it is on disk right now.
fn lookup(root: &Path, url: &str) -> Lookup {
    let Some(path) = safe_path(url) else {
        return Lookup::NotFound;
    };
    // Canonicalised on every request: the folder may be created or replaced between them.
    let Ok(root) = root.canonicalize() else {
        return Lookup::NotFound;
    };
    let mut wanted = root.clone();
    wanted.extend(&path.segments);
    let Some((real, meta)) = inside(&root, &wanted) else {
        return Lookup::NotFound;
    };
    if meta.is_dir() {
        if !path.trailing_slash {
            let mut location = String::new();
            for segment in &path.segments {
                location.push('/');
                location.push_str(&percent_encode(segment));
            }
            location.push('/');
            return Lookup::Redirect(location);
        }
        // Never a listing: a folder is its index.html (which must be inside the root too).
        return match inside(&root, &real.join("index.html")) {
            Some((index, meta)) if meta.is_file() => Lookup::File(index),
            _ => Lookup::NotFound,
        };
    }
    // Only regular files: a FIFO or device would block or never end.
    if meta.is_file() && !path.trailing_slash {
        Lookup::File(real)
    } else {
        Lookup::NotFound
    }
}

/// The canonical path of `path` and its metadata, if it exists inside `root` (canonical).
fn inside(root: &Path, path: &Path) -> Option<(PathBuf, std::fs::Metadata)> {
    let real = path.canonicalize().ok()?;
    if !real.starts_with(root) {
        return None;
    }
    let meta = std::fs::metadata(&real).ok()?;
    Some((real, meta))
}

/// The Content-Type for a file, by its extension.
fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => HTML,
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "xml" => "application/xml",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// `html` with `script` just before its last `</body>` (any case), or at the end.
fn inject_script(mut html: Vec<u8>, script: &str) -> Vec<u8> {
    const CLOSE: &[u8] = b"</body";
    let at = html
        .windows(CLOSE.len())
        .rposition(|w| w.eq_ignore_ascii_case(CLOSE))
        .unwrap_or(html.len());
    html.splice(at..at, script.bytes());
    html
}

/// Turn a `GET /__bantin/events` connection into an event stream: it gives its request slot
/// back (a tab keeps its stream open for as long as it is open) and takes a stream slot.
fn open_stream(mut stream: TcpStream, shared: &Shared, slot: Slot<'_>) {
    let Some(_stream_slot) = take_slot(&shared.streams, MAX_STREAMS) else {
        let reply = Reply::text(503, "Quá nhiều thẻ đang mở trang xem thử; hãy đóng bớt.\n");
        return finish(stream, &reply, true);
    };
    drop(slot);
    let (events, remembered) = shared.events.subscribe();
    stream_events(&mut stream, &events, remembered, shared);
}

/// Write one event stream until the client goes away or the server stops; every event is
/// flushed at once.
fn stream_events(
    out: &mut impl Write,
    events: &Receiver<Event>,
    remembered: Option<Event>,
    shared: &Shared,
) {
    const HEAD: &str = "HTTP/1.1 200 OK\r\n\
        Content-Type: text/event-stream; charset=utf-8\r\n\
        Cache-Control: no-store\r\n\
        X-Accel-Buffering: no\r\n\
        Connection: close\r\n\
        \r\n\
        retry: 1000\n\n";
    let mut write = |text: &str| -> io::Result<()> {
        out.write_all(text.as_bytes())?;
        out.flush()
    };
    if write(HEAD).is_err() {
        return;
    }
    if let Some(event) = remembered
        && write(&event.to_sse()).is_err()
    {
        return;
    }
    let mut next_ping = Instant::now() + shared.ping;
    while !shared.stop.load(Ordering::SeqCst) {
        let wait = next_ping
            .saturating_duration_since(Instant::now())
            .min(POLL);
        let text = match events.recv_timeout(wait) {
            Ok(event) => event.to_sse(),
            Err(RecvTimeoutError::Timeout) if Instant::now() >= next_ping => {
                next_ping = Instant::now() + shared.ping;
                ": ping\n\n".to_string()
            }
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        // A write error means the tab is gone: end this stream (dropping the receiver
        // unsubscribes it).
        if write(&text).is_err() {
            return;
        }
    }
}

/// The script injected before `</body>` of every HTML page served by the preview server (never
/// in `bantin build` output), as a complete `<script>` element. It opens an `EventSource` on
/// [`EVENTS_PATH`]: `reload` reloads the page, or with `css_only` swaps the stylesheet hrefs
/// with a cache-busting query; `failed` shows a fixed, full-width, dismissable overlay
/// (`role="alert"`) listing the problems, on top of the last good page, until the next
/// `reload`. After a lost connection comes back (server restarted), the page reloads. The
/// overlay's own words are in `lang`.
pub fn reload_script(lang: Lang) -> String {
    let words = serde_json::json!({
        "heading": lang.pick(
            "Trang chưa được cập nhật vì có lỗi:",
            "The page was not updated because of errors:",
        ),
        "advice": lang.pick(
            "Sửa tệp rồi lưu lại: trang sẽ tự cập nhật.",
            "Fix the file and save it again: the page will update itself.",
        ),
        "close": lang.pick("Đóng", "Close"),
        "closeLabel": lang.pick("Đóng thông báo lỗi", "Close the error message"),
    });
    RELOAD_SCRIPT.replace("__BANTIN_WORDS__", &words.to_string())
}

/// [`reload_script`] with its words left out (a JSON object in place of `__BANTIN_WORDS__`).
const RELOAD_SCRIPT: &str = r#"<script>
/* bantin serve: tự cập nhật trang khi tệp được lưu (chỉ có trong bản xem thử). */
(function () {
  if (!window.EventSource) return;
  var words = __BANTIN_WORDS__;
  var box = null, lost = false;
  function hide() {
    if (box && box.parentNode) box.parentNode.removeChild(box);
    box = null;
  }
  function el(tag, css, text) {
    var e = document.createElement(tag);
    e.style.cssText = css;
    if (text) e.textContent = text;
    return e;
  }
  function show(problems) {
    hide();
    box = el('div', 'position:fixed;top:0;left:0;right:0;max-height:100vh;overflow:auto;' +
      'z-index:2147483647;box-sizing:border-box;margin:0;padding:16px 60px 16px 16px;' +
      'background:#8b1a1a;color:#fff;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;' +
      'text-align:left;box-shadow:0 2px 12px rgba(0,0,0,.5)');
    box.id = '__bantin-errors';
    box.setAttribute('role', 'alert');
    box.appendChild(el('p', 'margin:0 0 8px;font-weight:bold;font-size:18px;color:#fff',
      words.heading));
    var list = el('ul', 'margin:0;padding:0 0 0 20px');
    for (var i = 0; i < problems.length; i++) {
      list.appendChild(el('li', 'margin:6px 0;white-space:pre-wrap;overflow-wrap:anywhere;color:#fff',
        String(problems[i])));
    }
    box.appendChild(list);
    box.appendChild(el('p', 'margin:8px 0 0;font-size:14px;color:#fff', words.advice));
    var close = el('button', 'position:absolute;top:8px;right:8px;width:44px;height:44px;' +
      'border:0;border-radius:6px;background:rgba(255,255,255,.25);color:#fff;font-size:28px;' +
      'line-height:1;cursor:pointer', '\u00d7');
    close.type = 'button';
    close.title = words.close;
    close.setAttribute('aria-label', words.closeLabel);
    close.onclick = hide;
    box.appendChild(close);
    (document.body || document.documentElement).appendChild(box);
  }
  function swapStylesheets() {
    var links = document.querySelectorAll('link[rel~="stylesheet"][href]');
    for (var i = 0; i < links.length; i++) {
      try {
        var u = new URL(links[i].href);
        u.searchParams.set('__bantin', String(Date.now()));
        links[i].href = u.href;
      } catch (e) {}
    }
  }
  function data(e, fallback) {
    try { return JSON.parse(e.data); } catch (x) { return fallback; }
  }
  document.addEventListener('keydown', function (e) {
    if (box && (e.key === 'Escape' || e.key === 'Esc')) hide();
  });
  var source = new EventSource('/__bantin/events');
  source.addEventListener('reload', function (e) {
    if (data(e, {}).css_only) { hide(); swapStylesheets(); } else { location.reload(); }
  });
  source.addEventListener('failed', function (e) {
    var problems = data(e, []);
    show(Array.isArray(problems) ? problems : [String(problems)]);
  });
  source.onerror = function () { lost = true; };
  source.onopen = function () { if (lost) location.reload(); };
})();
</script>
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Location, Problem};
    use std::io::{BufRead, BufReader, Read};
    use std::net::TcpStream;

    const SECRET: &str = "NỘI-DUNG-BÍ-MẬT";

    /// A preview folder `site/` inside a temp dir that also holds `secret.txt` (outside).
    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write(
            "index.html",
            "<!doctype html><html><body><h1>Trang chủ</h1></body></html>",
        );
        write("tin-tuc/index.html", "<html><BODY>Tin tức</BODY></html>");
        write("tin-tuc/hop-dau-nam/index.html", "<p>không có body</p>");
        write("style.css", "body { color: red; }");
        write("logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        write("search.json", "[]");
        write("rss.xml", "<rss/>");
        write("data.bin", "\u{1}\u{2}");
        write("tệp có dấu.txt", "xin chào");
        write("anh/empty-folder-marker.txt", "x");
        std::fs::write(dir.path().join("secret.txt"), SECRET).unwrap();
        dir
    }

    fn start(dir: &tempfile::TempDir) -> (Server, Broadcaster) {
        let events = Broadcaster::new();
        let server = Server::start(
            "127.0.0.1",
            0,
            dir.path().join("site"),
            events.clone(),
            Lang::Vi,
        )
        .expect("server starts");
        (server, events)
    }

    struct Got {
        status: u16,
        head: String,
        body: String,
    }

    impl Got {
        fn header(&self, name: &str) -> Option<String> {
            self.head.lines().skip(1).find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_string())
            })
        }
    }

    fn connect(server: &Server) -> TcpStream {
        let stream = TcpStream::connect(server.local_addr()).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
            .set_write_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
    }

    /// One raw request (the request line exactly as given).
    fn request(server: &Server, request_line: &str) -> Got {
        let mut stream = connect(server);
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
        Got {
            status,
            head: head.to_string(),
            body: body.to_string(),
        }
    }

    fn get(server: &Server, path: &str) -> Got {
        request(server, &format!("GET {path} HTTP/1.1"))
    }

    /// An open event stream, read line by line.
    struct Stream {
        reader: BufReader<TcpStream>,
        seen: String,
    }

    impl Stream {
        /// Connect and wait until the server has subscribed the stream (its head and `retry`
        /// line are written after subscribing).
        fn open(server: &Server) -> Stream {
            let mut stream = connect(server);
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            write!(
                stream,
                "GET {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
            )
            .unwrap();
            let mut s = Stream {
                reader: BufReader::new(stream),
                seen: String::new(),
            };
            s.until("retry: 1000");
            assert!(s.seen.starts_with("HTTP/1.1 200"), "{}", s.seen);
            assert!(
                s.seen
                    .to_ascii_lowercase()
                    .contains("content-type: text/event-stream"),
                "{}",
                s.seen
            );
            s
        }

        /// Read lines until one equals `line`; return what came after it up to the blank line
        /// ending the event.
        fn until(&mut self, wanted: &str) -> String {
            let deadline = Instant::now() + Duration::from_secs(5);
            let mut found = false;
            let mut after = String::new();
            let mut line = String::new();
            while Instant::now() < deadline {
                line.clear();
                match self.reader.read_line(&mut line) {
                    Ok(0) => break,
                    Ok(_) => {
                        self.seen.push_str(&line);
                        let l = line.trim_end();
                        if found {
                            if l.is_empty() {
                                return after;
                            }
                            after.push_str(l);
                            after.push('\n');
                        } else if l == wanted {
                            found = true;
                        }
                    }
                    Err(_) => break,
                }
            }
            if found {
                return after;
            }
            panic!("no line {wanted:?}; got:\n{}", self.seen);
        }

        /// Whatever arrives within `wait`.
        fn drain(&mut self, wait: Duration) -> String {
            let deadline = Instant::now() + wait;
            let mut text = String::new();
            let mut line = String::new();
            while let Some(left) = deadline.checked_duration_since(Instant::now()) {
                let left = left.max(Duration::from_millis(1));
                self.reader.get_ref().set_read_timeout(Some(left)).unwrap();
                match self.reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => text.push_str(&line),
                }
                line.clear();
            }
            text
        }
    }

    #[test]
    fn pages_are_served_with_the_reload_script() {
        let dir = site();
        let (server, _events) = start(&dir);
        assert!(server.url().starts_with("http://127.0.0.1:"));
        assert_ne!(server.local_addr().port(), 0);
        assert_eq!(
            server.url(),
            format!("http://127.0.0.1:{}/", server.local_addr().port())
        );
        let home = get(&server, "/");
        assert_eq!(home.status, 200);
        assert_eq!(
            home.header("content-type").as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(home.header("cache-control").as_deref(), Some("no-store"));
        assert!(home.body.contains("<h1>Trang chủ</h1>"));
        assert!(
            home.body
                .ends_with(&format!("{}</body></html>", vi_script())),
            "{}",
            home.body
        );
        assert_eq!(
            home.header("content-length"),
            Some(home.body.len().to_string())
        );
        // Query strings are ignored; /index.html is the same page.
        assert_eq!(get(&server, "/?v=2").body, home.body);
        assert_eq!(get(&server, "/index.html").body, home.body);
        // Upper-case </BODY>; a page without one gets the script at the end.
        let news = get(&server, "/tin-tuc/");
        assert!(
            news.body
                .contains(&format!("Tin tức{}</BODY>", vi_script()))
        );
        let bare = get(&server, "/tin-tuc/hop-dau-nam/");
        assert_eq!(bare.body, format!("<p>không có body</p>{}", vi_script()));
        // HEAD: the headers only.
        let head = request(&server, "HEAD / HTTP/1.1");
        assert_eq!(head.status, 200);
        assert_eq!(head.body, "");
        assert_eq!(
            head.header("content-length"),
            Some(home.body.len().to_string())
        );
        // Percent-encoded UTF-8 names are decoded.
        let vi = get(&server, "/t%E1%BB%87p%20c%C3%B3%20d%E1%BA%A5u.txt");
        assert_eq!((vi.status, vi.body.as_str()), (200, "xin chào"));
        // The absolute form of a request target.
        let abs = request(&server, "GET http://127.0.0.1/style.css HTTP/1.1");
        assert_eq!(abs.status, 200);
        server.stop();
    }

    #[test]
    fn folders_redirect_to_their_slash_and_are_never_listed() {
        let dir = site();
        let (server, _events) = start(&dir);
        let r = get(&server, "/tin-tuc/hop-dau-nam?x=1");
        assert_eq!(r.status, 301);
        assert_eq!(
            r.header("location").as_deref(),
            Some("/tin-tuc/hop-dau-nam/")
        );
        // A folder without index.html is a 404, not a listing.
        let r = get(&server, "/anh/");
        assert_eq!(r.status, 404);
        assert!(!r.body.contains("empty-folder-marker"));
        // A file asked for as a folder.
        assert_eq!(get(&server, "/style.css/").status, 404);
    }

    #[test]
    fn nothing_outside_the_root_is_served() {
        let dir = site();
        #[cfg(unix)]
        {
            let root = dir.path().join("site");
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt"))
                .unwrap();
            std::os::unix::fs::symlink(dir.path(), root.join("outside")).unwrap();
            std::fs::create_dir(root.join("trap")).unwrap();
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("trap/index.html"))
                .unwrap();
        }
        let (server, _events) = start(&dir);
        for path in [
            "/../secret.txt",
            "/..",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/%2e%2e%2fsecret.txt",
            "/%2e%2e%2fetc%2fpasswd",
            "/..%2f..%2fetc%2fpasswd",
            "//etc/passwd",
            "/%2fetc%2fpasswd",
            "/a/..%2f..%2fsecret",
            "/a/..%2f..%2fsecret.txt",
            "/tin-tuc/..%5c..%5csecret.txt",
            "/tin-tuc/..\\..\\secret.txt",
            "/tin-tuc/../../secret.txt",
            "/./index.html",
            "/index.html%00",
            "/%00",
            "/%zz",
            "/%e1",
            "/%",
            "/../../../../../../etc/passwd",
            "http://127.0.0.1/../secret.txt",
            "/link.txt",
            "/outside/secret.txt",
            "/outside",
            "/outside/",
            "/trap/",
        ] {
            let r = get(&server, path);
            assert_eq!(r.status, 404, "{path}");
            assert!(!r.body.contains(SECRET), "{path} leaked");
            assert!(!r.body.contains("root:"), "{path} leaked /etc/passwd");
            assert!(r.header("location").is_none(), "{path}");
        }
        // A garbage target: no path at all.
        assert_eq!(request(&server, "GET * HTTP/1.1").status, 404);
    }

    #[test]
    fn missing_pages_get_the_sites_404_page() {
        let dir = site();
        let (server, _events) = start(&dir);
        let r = get(&server, "/khong-co/");
        assert_eq!(r.status, 404);
        assert!(r.body.contains("Không tìm thấy trang"), "{}", r.body);
        assert!(r.body.contains(&vi_script()));
        std::fs::write(
            dir.path().join("site/404.html"),
            "<html><body><h1>Trang 404 của phường</h1></body></html>",
        )
        .unwrap();
        let r = get(&server, "/khong-co/");
        assert_eq!(r.status, 404);
        assert_eq!(r.header("content-type").as_deref(), Some(HTML));
        assert!(r.body.contains("Trang 404 của phường"));
        assert!(r.body.contains(&format!("{}</body>", vi_script())));
        // A file removed between two requests (the watcher rewrote the folder).
        assert_eq!(get(&server, "/style.css").status, 200);
        std::fs::remove_file(dir.path().join("site/style.css")).unwrap();
        assert_eq!(get(&server, "/style.css").status, 404);
        // The whole folder gone, then back.
        std::fs::rename(dir.path().join("site"), dir.path().join("old")).unwrap();
        let r = get(&server, "/");
        assert_eq!(r.status, 404);
        assert!(r.body.contains("Không tìm thấy trang"));
        std::fs::rename(dir.path().join("old"), dir.path().join("site")).unwrap();
        assert_eq!(get(&server, "/").status, 200);
    }

    #[test]
    fn content_types_follow_the_extension() {
        let dir = site();
        let (server, _events) = start(&dir);
        for (path, ct) in [
            ("/style.css", "text/css; charset=utf-8"),
            ("/logo.svg", "image/svg+xml"),
            ("/search.json", "application/json"),
            ("/rss.xml", "application/xml"),
            ("/data.bin", "application/octet-stream"),
        ] {
            let r = get(&server, path);
            assert_eq!(r.status, 200, "{path}");
            assert_eq!(r.header("content-type").as_deref(), Some(ct), "{path}");
            assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
            assert!(!r.body.contains("__bantin"), "{path}: script only in HTML");
        }
        for (name, ct) in [
            ("a.HTML", HTML),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.png", "image/png"),
            ("a.JPG", "image/jpeg"),
            ("a.jpeg", "image/jpeg"),
            ("a.webp", "image/webp"),
            ("a.gif", "image/gif"),
            ("a.ico", "image/x-icon"),
            ("a.txt", "text/plain; charset=utf-8"),
            ("a.woff2", "font/woff2"),
            ("a.pdf", "application/pdf"),
            ("Makefile", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), ct, "{name}");
        }
    }

    #[test]
    fn only_get_and_head_are_answered() {
        let dir = site();
        let (server, _events) = start(&dir);
        for method in ["POST", "PUT", "DELETE", "OPTIONS", "BREW"] {
            let r = request(&server, &format!("{method} / HTTP/1.1"));
            assert_eq!(r.status, 405, "{method}");
            assert_eq!(r.header("allow").as_deref(), Some("GET, HEAD"));
        }
        assert_eq!(
            request(&server, &format!("POST {EVENTS_PATH} HTTP/1.1")).status,
            405
        );
    }

    #[test]
    fn events_reach_connected_tabs() {
        let dir = site();
        let (server, events) = start(&dir);
        let mut a = Stream::open(&server);
        let mut b = Stream::open(&server);
        events.send(Event::Reloaded { css_only: false });
        assert_eq!(a.until("event: reload"), "data: {\"css_only\":false}\n");
        assert_eq!(b.until("event: reload"), "data: {\"css_only\":false}\n");
        events.send(Event::Reloaded { css_only: true });
        assert_eq!(a.until("event: reload"), "data: {\"css_only\":true}\n");
        let failed = Event::Failed {
            problems: vec![
                "content/a.md:3:8: sai <ngày> & \"giờ\"".into(),
                "dòng 1\ndòng 2".into(),
            ],
        };
        events.send(failed);
        let data = a.until("event: failed");
        assert_eq!(
            data,
            "data: [\"content/a.md:3:8: sai <ngày> & \\\"giờ\\\"\",\"dòng 1\\ndòng 2\"]\n"
        );
        b.until("event: failed");
        server.stop();
    }

    #[test]
    fn a_tab_opened_while_broken_learns_the_error_at_once() {
        let dir = site();
        let (server, events) = start(&dir);
        events.send(Event::Failed {
            problems: vec!["content/articles/a.md:2:1: lỗi".into()],
        });
        let mut late = Stream::open(&server);
        assert_eq!(
            late.until("event: failed"),
            "data: [\"content/articles/a.md:2:1: lỗi\"]\n"
        );
        // A good rebuild clears it: the next tab hears nothing but the stream's start.
        events.send(Event::Reloaded { css_only: false });
        late.until("event: reload");
        let mut fresh = Stream::open(&server);
        let rest = fresh.drain(Duration::from_millis(300));
        assert!(!rest.contains("event:"), "{rest}");
    }

    #[test]
    fn idle_streams_are_pinged_and_gone_tabs_are_dropped() {
        let dir = site();
        let events = Broadcaster::new();
        let server = Server::start_with(
            "127.0.0.1",
            0,
            dir.path().join("site"),
            events.clone(),
            Lang::Vi,
            Duration::from_millis(100),
        )
        .unwrap();
        let mut s = Stream::open(&server);
        assert!(s.drain(Duration::from_millis(500)).contains(": ping\n"));
        // Close tabs; their threads end at the next writes, and the server keeps working.
        let gone = Stream::open(&server);
        drop(gone);
        drop(s);
        let deadline = Instant::now() + Duration::from_secs(5);
        while events.subscribers() > 0 && Instant::now() < deadline {
            events.send(Event::Reloaded { css_only: true });
            thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(events.subscribers(), 0);
        let deadline = Instant::now() + Duration::from_secs(5);
        while server.shared.streams.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(server.shared.streams.load(Ordering::SeqCst), 0);
        assert_eq!(get(&server, "/").status, 200);
    }

    #[test]
    fn a_port_in_use_is_reported() {
        let busy = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = busy.local_addr().unwrap().port();
        let dir = site();
        let err = Server::start(
            "127.0.0.1",
            port,
            dir.path().join("site"),
            Broadcaster::new(),
            Lang::Vi,
        )
        .err()
        .expect("the port is taken");
        assert!(
            matches!(&err, ServeError::PortInUse { addr } if *addr == format!("127.0.0.1:{port}")),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("--port") && text.contains("đang được"),
            "{text}"
        );
    }

    #[test]
    fn bad_and_slow_clients_do_not_stop_the_server() {
        let dir = site();
        let (server, events) = start(&dir);
        // Many slow clients (half a request, then silence), short of the limit.
        let slow: Vec<TcpStream> = (0..MAX_CONNECTIONS - 8)
            .map(|_| {
                let mut s = connect(&server);
                s.write_all(b"GET / HT").unwrap();
                s
            })
            .collect();
        // An overlong request line, then hang up.
        {
            let mut s = connect(&server);
            let long = format!("GET /{} HTTP/1.1\r\n", "a".repeat(256 * 1024));
            let _ = s.write_all(long.as_bytes());
            let _ = s.write_all(b"Host: x\r\nConnection: close\r\n\r\n");
            let mut sink = Vec::new();
            let _ = s.read_to_end(&mut sink);
        }
        // Many headers; bytes that are not ASCII; a bare newline; an unclosed request.
        {
            let mut s = connect(&server);
            let mut req = String::from("GET / HTTP/1.1\r\n");
            for i in 0..2000 {
                req.push_str(&format!("X-H{i}: {}\r\n", "v".repeat(50)));
            }
            req.push_str("Connection: close\r\n\r\n");
            let _ = s.write_all(req.as_bytes());
            let mut sink = Vec::new();
            let _ = s.read_to_end(&mut sink);
        }
        for garbage in [
            &b"\xff\xfe\xfd\r\n\r\n"[..],
            b"GET /\xc3\xa1 HTTP/1.1\r\n\r\n",
            b"\r\n",
            b"GET\r\n\r\n",
            b"GET / HTTP/9.9\r\n\r\n",
        ] {
            let mut s = connect(&server);
            let _ = s.write_all(garbage);
            let _ = s.shutdown(std::net::Shutdown::Write);
            let mut sink = Vec::new();
            let _ = s.read_to_end(&mut sink);
        }
        for _ in 0..20 {
            assert_eq!(get(&server, "/").status, 200);
        }
        // Stopping does not wait for the slow clients or an open stream.
        let _stream = Stream::open(&server);
        events.send(Event::Reloaded { css_only: false });
        let started = Instant::now();
        server.stop();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        drop(slow);
    }

    /// Send raw bytes, read the whole answer; the status (0 when none came).
    fn raw(server: &Server, bytes: &[u8]) -> (u16, String) {
        let mut s = connect(server);
        let _ = s.write_all(bytes);
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let status = answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, answer)
    }

    #[test]
    fn overlong_request_lines_and_heads_are_refused() {
        let dir = site();
        let (server, _events) = start(&dir);
        let long = format!(
            "GET /{} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "a".repeat(MAX_REQUEST_LINE)
        );
        assert_eq!(raw(&server, long.as_bytes()).0, 414);
        // Without its end, too: the server does not wait for the rest.
        let endless = format!("GET /{}", "a".repeat(MAX_REQUEST_LINE + 10));
        assert_eq!(raw(&server, endless.as_bytes()).0, 414);
        let many: String = (0..MAX_HEADERS + 1)
            .map(|i| format!("X-{i}: v\r\n"))
            .collect();
        let req = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{many}\r\n");
        assert_eq!(raw(&server, req.as_bytes()).0, 431);
        let big = format!(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n",
            "v".repeat(MAX_HEAD)
        );
        assert_eq!(raw(&server, big.as_bytes()).0, 431);
        for (bytes, status) in [
            (&b"GET / HTTP/9.9\r\n\r\n"[..], 400),
            (b"\x00\x01\x02\r\n\r\n", 400),
            (b"GET /a b c HTTP/1.1\r\n\r\n", 400),
        ] {
            assert_eq!(raw(&server, bytes).0, status, "{bytes:?}");
        }
        assert_eq!(get(&server, "/").status, 200);
    }

    #[test]
    fn encoded_traversal_is_refused() {
        let dir = site();
        let (server, _events) = start(&dir);
        for path in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2e%2e%2fsecret.txt",
            "/%252e%252e/secret.txt",
            "/%252e%252e%252fsecret.txt",
            "/..%2fsecret.txt",
            "/..%5csecret.txt",
            "/..\\secret.txt",
            "/.%2e/secret.txt",
            "/%c0%ae%c0%ae/secret.txt",
            "/%c0%ae%c0%ae%c0%afsecret.txt",
            "/%e0%80%ae%e0%80%ae/secret.txt",
            "/index.html%00.txt",
            "/%00/../secret.txt",
            "//secret.txt",
            "/./../secret.txt",
        ] {
            let r = get(&server, path);
            assert!(matches!(r.status, 400 | 404), "{path}: {}", r.status);
            assert!(!r.body.contains(SECRET), "{path}");
        }
        assert_eq!(get(&server, "/").status, 200);
    }

    #[test]
    fn only_this_computers_names_are_answered() {
        let dir = site();
        let (server, _events) = start(&dir);
        let with_host = |host: &str| {
            raw(
                &server,
                format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
            )
        };
        for host in [
            "127.0.0.1",
            "127.0.0.1:1111",
            "localhost:1111",
            "[::1]:1111",
            "192.168.1.20:1111",
            "may-van-phong.local",
        ] {
            assert_eq!(with_host(host).0, 200, "{host}");
        }
        // A name pointed at this computer by someone else's DNS (rebinding).
        for host in [
            "evil.example",
            "evil.example:1111",
            "127.0.0.1.evil.example",
            "",
        ] {
            let (status, answer) = with_host(host);
            assert_eq!(status, 421, "{host}");
            assert!(!answer.contains("Trang chủ"), "{host}");
        }
    }

    #[test]
    fn a_full_server_says_busy_at_once_and_recovers() {
        let dir = site();
        let (server, _events) = start(&dir);
        // Every slot held by a client that sends nothing, or one byte now and then.
        let mut silent: Vec<TcpStream> = (0..MAX_CONNECTIONS).map(|_| connect(&server)).collect();
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.shared.busy.load(Ordering::SeqCst) < MAX_CONNECTIONS {
            assert!(Instant::now() < deadline, "the slots never filled");
            thread::sleep(Duration::from_millis(10));
        }
        for s in silent.iter_mut().take(4) {
            s.write_all(b"G").unwrap();
        }
        // The next client is told at once, not left waiting.
        let (status, answer) = raw(&server, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assert_eq!(status, 503, "{answer}");
        assert!(answer.contains("Retry-After: 1"), "{answer}");
        // When the slow clients go, the server answers again.
        drop(silent);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match get(&server, "/").status {
                200 => break,
                503 if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
                other => panic!("{other}"),
            }
        }
        // Every slot comes back (the last answered connection closes in the background).
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.shared.busy.load(Ordering::SeqCst) > 0 {
            assert!(Instant::now() < deadline, "slots never given back");
            thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn a_client_too_slow_to_send_its_request_is_timed_out() {
        let dir = site();
        let (server, _events) = start(&dir);
        let mut s = connect(&server);
        s.set_read_timeout(Some(HEAD_TIMEOUT * 3)).unwrap();
        s.write_all(b"GET / HT").unwrap();
        // Meanwhile others are answered.
        assert_eq!(get(&server, "/").status, 200);
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    }

    #[test]
    fn stopping_frees_the_port() {
        let dir = site();
        let (server, _events) = start(&dir);
        let addr = server.local_addr();
        server.stop();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match TcpListener::bind(addr) {
                Ok(_) => break,
                Err(e) if Instant::now() > deadline => panic!("port still taken: {e}"),
                Err(_) => thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    #[test]
    fn paths_are_decoded_and_checked_segment_by_segment() {
        let seg = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            safe_path("/tin-tuc/a%20b/?q=1#x"),
            Some(SafePath {
                segments: seg(&["tin-tuc", "a b"]),
                trailing_slash: true
            })
        );
        assert_eq!(
            safe_path("/"),
            Some(SafePath {
                segments: vec![],
                trailing_slash: true
            })
        );
        assert_eq!(
            safe_path("/%C4%90%C3%A0%20N%E1%BA%B5ng.txt")
                .unwrap()
                .segments,
            seg(&["Đà Nẵng.txt"])
        );
        assert_eq!(safe_path("HTTPS://example.com").unwrap().segments, seg(&[]));
        for bad in [
            "", "*", "a", "//", "/a//b", "/..", "/a/../b", "/%2e", "/a%2fb", "/a%5Cb", "/a\\b",
            "/%00", "/%0a", "/%", "/%4", "/%g0", "/%ff", "/%c3",
        ] {
            assert_eq!(safe_path(bad), None, "{bad:?}");
        }
        assert_eq!(percent_decode("%41%62c+"), Some("Abc+".into()));
        assert_eq!(percent_encode("a b/ộ"), "a%20b%2F%E1%BB%99");
    }

    /// The reload script as `bantin serve` injects it by default.
    fn vi_script() -> String {
        reload_script(Lang::Vi)
    }

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let script = vi_script();
        let out = inject_script(b"<body>a</body> x </Body >".to_vec(), &script);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("<body>a</body> x {script}</Body >")
        );
        let out = inject_script(b"\xff no end".to_vec(), &script);
        assert!(out.ends_with(script.as_bytes()));
        assert!(script.starts_with("<script>"));
        assert!(script.trim_end().ends_with("</script>"));
        assert_eq!(script.matches("</script").count(), 1);
        for needed in [
            EVENTS_PATH,
            "\"Trang chưa được cập nhật vì có lỗi:\"",
            "role', 'alert'",
            "textContent",
            "location.reload()",
            "css_only",
            "z-index:2147483647",
        ] {
            assert!(script.contains(needed), "{needed}");
        }
        assert!(!script.contains("innerHTML"));
        assert!(!script.contains("__BANTIN_WORDS__"));
    }

    #[test]
    fn the_overlay_speaks_the_editors_language() {
        let en = reload_script(Lang::En);
        for needed in [
            "\"The page was not updated because of errors:\"",
            "\"Fix the file and save it again: the page will update itself.\"",
            "\"Close the error message\"",
        ] {
            assert!(en.contains(needed), "{needed}");
        }
        assert!(!en.contains("Trang chưa được cập nhật"));
        assert!(!en.contains("__BANTIN_WORDS__"));
    }

    #[test]
    fn the_broadcaster_remembers_the_last_failure_until_a_reload() {
        let events = Broadcaster::new();
        let (rx, remembered) = events.subscribe();
        assert_eq!(remembered, None);
        let failed = Event::Failed {
            problems: vec!["x".into()],
        };
        events.send(failed.clone());
        assert_eq!(rx.try_recv().ok(), Some(failed.clone()));
        assert_eq!(events.subscribe().1, Some(failed));
        events.send(Event::Reloaded { css_only: true });
        assert_eq!(events.subscribe().1, None);
        drop(rx);
        // Dropped receivers are forgotten at the next send.
        events.send(Event::Reloaded { css_only: false });
        assert_eq!(lock(&events.hub).streams.len(), 0);
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Broadcaster>();
    }

    #[test]
    fn failed_events_list_every_diagnostic_with_its_fix() {
        let text = "+++\ntitle = \"Họp\"\ndate = \"2025-02-30\"\n+++\n";
        let d1 = Diagnostic::new(
            "content/articles/hop.md",
            Problem::MissingKey { key: "date".into() },
        )
        .at(Some(Location::from_offset(
            text,
            text.find("date").unwrap(),
        )));
        let d2 = Diagnostic::new(
            "content/articles/b.md",
            Problem::InvalidValue {
                message: "ngày 30/2 không tồn tại".into(),
            },
        );
        let diagnostics = [d1, d2];
        let Event::Failed { problems } = Event::failed(&diagnostics, Lang::Vi) else {
            panic!()
        };
        assert_eq!(
            problems,
            vec![
                "content/articles/hop.md:3:1: thiếu trường bắt buộc `date` — cách sửa: thêm \
                 một dòng, ví dụ `date = 2025-12-30`"
                    .to_string(),
                "content/articles/b.md: giá trị không hợp lệ: ngày 30/2 không tồn tại".to_string(),
            ]
        );
        let Event::Failed { problems } = Event::failed(&diagnostics, Lang::En) else {
            panic!()
        };
        assert!(
            problems[0].starts_with("content/articles/hop.md:3:1: ")
                && problems[0].contains(" — how to fix: "),
            "{problems:?}"
        );
        assert!(!problems[0].contains("cách sửa"), "{problems:?}");
    }
}
