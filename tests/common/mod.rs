//! Helpers shared by the integration tests: running the real `bantin` binary, walking and
//! parsing its output, and an independent reading of the example site's content (front matter
//! read with `toml`/`serde_norway`, references resolved by the rules of the spec) from which the
//! tests compute what every page must show.
//!
//! Each test binary compiles this module and uses a different part of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use jiff::civil::Date;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

// ---------------------------------------------------------------------------
// Running bantin
// ---------------------------------------------------------------------------

/// The repository root, which is also the example site.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real `bantin` binary.
pub fn bantin() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("bantin").expect("the bantin binary is built");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Run `bantin --root <root> build --output <out> <extra...>`.
pub fn run_build(root: &Path, out: &Path, extra: &[&str]) -> Output {
    bantin()
        .arg("--root")
        .arg(root)
        .arg("build")
        .arg("--output")
        .arg(out)
        .args(extra)
        .output()
        .expect("bantin runs")
}

/// Like [`run_build`], and the build must succeed.
pub fn build_ok(root: &Path, out: &Path, extra: &[&str]) -> Output {
    let output = run_build(root, out, extra);
    assert_success(&output, "bantin build");
    output
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Panics with both streams when `o` is not a success.
pub fn assert_success(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what} failed with {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
}

/// The example site built once per test binary with default options.
///
/// A static is never dropped, so the folder is named after this process in cargo's scratch
/// folder for integration tests (`target/tmp`), and folders of test processes that have ended
/// are removed when the next one starts.
pub fn example_output() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
        remove_stale_builds(scratch);
        let dir = scratch.join(format!("{EXAMPLE_PREFIX}{}", std::process::id()));
        let out = dir.join("public");
        build_ok(&repo_root(), &out, &[]);
        out
    })
}

const EXAMPLE_PREFIX: &str = "example-site-";

/// Remove the example builds of test processes that no longer run (Linux: `/proc/<pid>`).
fn remove_stale_builds(scratch: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(scratch) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(EXAMPLE_PREFIX) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Build the example site into a fresh temporary folder; the output is `<dir>/public`.
pub fn build_example(extra: &[&str]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temporary folder");
    build_ok(&repo_root(), &tmp.path().join("public"), extra);
    tmp
}

/// A long-running `bantin` (`serve`, `watch`) whose stdout and stderr lines are collected.
/// Dropping it kills the process.
pub struct Spawned {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Spawned {
    /// Start `bantin <args>` and wait until it prints a line containing `ready_line`
    /// (then [`Spawned::last_line`]).
    pub fn start(args: &[&dyn AsRef<OsStr>], ready_line: &str) -> Spawned {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bantin"))
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bantin starts");
        let (tx, rx) = channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut spawned = Spawned {
            child,
            lines: rx,
            seen: Vec::new(),
        };
        spawned.wait_for_line(ready_line);
        spawned
    }

    /// Wait until a line containing `needle` is printed (after those already seen).
    pub fn wait_for_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(100)) {
                self.seen.push(line.clone());
                if line.contains(needle) {
                    return line;
                }
            }
        }
        panic!(
            "no line with {needle:?}; output so far:\n{}",
            self.seen.join("\n")
        );
    }

    /// Take the lines printed so far, waiting up to `wait` for the first; returns how many.
    pub fn drain(&mut self, wait: Duration) -> usize {
        let mut n = 0;
        if let Ok(line) = self.lines.recv_timeout(wait) {
            self.seen.push(line);
            n += 1;
        }
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
            n += 1;
        }
        n
    }

    /// Every line taken so far.
    pub fn seen(&self) -> &[String] {
        &self.seen
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last line seen (after [`Spawned::start`]: the ready line).
    pub fn last_line(&self) -> &str {
        self.seen.last().map_or("", String::as_str)
    }

    /// Lines printed so far (drains the channel).
    pub fn output(&mut self) -> String {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
        self.seen.join("\n")
    }

    /// Stop with Ctrl-C (SIGINT) and wait; returns whether it exited successfully.
    pub fn interrupt(mut self) -> bool {
        self.stop_with("-INT", Duration::from_secs(10))
    }

    /// Stop as a closed terminal or a system shutdown does (SIGTERM) and wait; returns whether
    /// it exited successfully.
    pub fn terminate(mut self) -> bool {
        self.stop_with("-TERM", Duration::from_secs(10))
    }

    fn stop_with(&mut self, signal: &str, wait: Duration) -> bool {
        let _ = Command::new("kill")
            .arg(signal)
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + wait;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Spawned {
    /// Asked to stop first (so that `serve` removes its preview folder), killed if it does not.
    fn drop(&mut self) {
        if self.alive() {
            self.stop_with("-TERM", Duration::from_secs(3));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

/// Every file under `dir` (relative path with `/` → bytes).
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .expect("inside the root")
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.insert(rel, bytes);
        }
    }
}

/// Every difference between two output folders, one line each (empty when identical).
pub fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut diffs = Vec::new();
    for (name, bytes) in a {
        match b.get(name) {
            None => diffs.push(format!("only in the first build: {name}")),
            Some(other) if other != bytes => {
                let at = bytes
                    .iter()
                    .zip(other.iter())
                    .position(|(x, y)| x != y)
                    .unwrap_or(bytes.len().min(other.len()));
                let around = |v: &[u8]| {
                    let from = at.saturating_sub(40);
                    String::from_utf8_lossy(&v[from..(at + 40).min(v.len())]).into_owned()
                };
                diffs.push(format!(
                    "{name} differs at byte {at} ({} vs {} bytes):\n    {:?}\n    {:?}",
                    bytes.len(),
                    other.len(),
                    around(bytes),
                    around(other)
                ));
            }
            Some(_) => {}
        }
    }
    for name in b.keys().filter(|k| !a.contains_key(*k)) {
        diffs.push(format!("only in the second build: {name}"));
    }
    diffs
}

/// xorshift64*: the same generated site or sequence of edits on every run, without a
/// dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Copy a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("directory entry");
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy file");
        }
    }
}

/// Write `text` to `root/rel`, creating folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folder");
    std::fs::write(&path, text).expect("write file");
}

/// Every HTML file of an output folder, parsed.
pub fn html_files(out: &Path) -> Vec<(String, Html)> {
    files(out)
        .into_iter()
        .filter(|(rel, _)| rel.ends_with(".html"))
        .map(|(rel, bytes)| {
            let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{rel} is not UTF-8"));
            (rel, Html::parse_document(&text))
        })
        .collect()
}

// ---------------------------------------------------------------------------
// URLs and HTML
// ---------------------------------------------------------------------------

/// The output file (relative to the output folder) that serves the root-relative `url`, given
/// the site's base path (`/` or `/phuong-to-chau/`). `None` when `url` is outside the base path.
pub fn url_to_rel(url: &str, base_path: &str) -> Option<String> {
    let url = url.split(['#', '?']).next().unwrap_or("");
    let rest = url.strip_prefix(base_path)?;
    Some(if rest.is_empty() || rest.ends_with('/') {
        format!("{rest}index.html")
    } else {
        rest.to_string()
    })
}

/// The parsed page at the root-relative `url` of an output built with base path `/`.
pub fn page(out: &Path, url: &str) -> Html {
    let rel = url_to_rel(url, "/").unwrap_or_else(|| panic!("{url} is not root-relative"));
    let path = out.join(&rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("page {url} ({}) missing: {e}", path.display()));
    Html::parse_document(&text)
}

/// Whether the page at `url` exists (base path `/`).
pub fn exists(out: &Path, url: &str) -> bool {
    url_to_rel(url, "/").is_some_and(|rel| out.join(rel).is_file())
}

pub fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("bad selector {s}: {e:?}"))
}

/// Text of an element with whitespace runs collapsed.
pub fn text(el: ElementRef) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `<main>` of a page, or `<body>` for a page without one.
pub fn main_of(doc: &Html) -> ElementRef<'_> {
    doc.select(&sel("main"))
        .next()
        .or_else(|| doc.select(&sel("body")).next())
        .expect("a page has a body")
}

/// Values of `attr` of the elements matching `selector` in `doc`.
pub fn attrs(doc: &Html, selector: &str, attr: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// Distinct `href`s of `a[rel~=<rel>]` and `link[rel~=<rel>]` in a page.
pub fn rel_links(doc: &Html, rel: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    out.extend(attrs(doc, &format!("a[rel~=\"{rel}\"]"), "href"));
    out.extend(attrs(doc, &format!("link[rel~=\"{rel}\"]"), "href"));
    out
}

/// `href`s of the links inside `<main>` of a page.
pub fn main_links(doc: &Html) -> Vec<String> {
    main_of(doc)
        .select(&sel("a[href]"))
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect()
}

/// Article slugs linked from `<main>` (in order, each once): the listed articles.
pub fn listed_articles(doc: &Html) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for href in main_links(doc) {
        if let Some(slug) = article_slug_of(&href)
            && !out.contains(&slug)
        {
            out.push(slug);
        }
    }
    out
}

/// `tin-tuc-slug` of an article URL `/tin-tuc/<slug>/`.
pub fn article_slug_of(href: &str) -> Option<String> {
    let rest = href.strip_prefix("/tin-tuc/")?.strip_suffix('/')?;
    (!rest.is_empty() && !rest.contains('/')).then(|| rest.to_string())
}

/// The ancestors of an element that are elements, nearest first.
pub fn element_ancestors(el: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    el.ancestors().filter_map(ElementRef::wrap).collect()
}

/// The first number in parentheses in `s`: "Năm 2025 (11 bài)" → 11.
pub fn count_in_parens(s: &str) -> Option<usize> {
    let after = s.split('(').nth(1)?;
    let digits: String = after
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// One page of a paginated listing.
#[derive(Debug)]
pub struct ListingPage {
    pub url: String,
    pub articles: Vec<String>,
}

/// URL of page `n` of a listing whose first page is `base`.
pub fn page_url(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}trang/{n}/")
    }
}

/// Follow a listing from its first page (`base`) through its rel=next links, checking the
/// pagination of every page (prev/next, page numbers, page size), and return its pages.
pub fn check_listing(out: &Path, base: &str, per_page: usize) -> Vec<ListingPage> {
    let mut pages = Vec::new();
    let mut url = base.to_string();
    loop {
        let n = pages.len() + 1;
        assert_eq!(url, page_url(base, n), "page {n} of listing {base}");
        assert!(n <= 1000, "listing {base} never ends");
        let doc = page(out, &url);
        let articles = listed_articles(&doc);
        let prev = rel_links(&doc, "prev");
        let next = rel_links(&doc, "next");
        if n == 1 {
            assert!(
                prev.is_empty(),
                "first page {url} links to a previous page {prev:?}"
            );
        } else {
            let expected: BTreeSet<String> = [page_url(base, n - 1)].into();
            assert_eq!(prev, expected, "rel=prev of {url}");
        }
        assert!(next.len() <= 1, "{url} has several rel=next: {next:?}");
        // Page numbers: every numbered link of a navigation block goes to that page, and the
        // current page is marked.
        let mut numbered = 0;
        for a in doc.select(&sel("nav a[href]")) {
            let label = text(a);
            if let Ok(k) = label.parse::<usize>() {
                numbered += 1;
                let href = a.value().attr("href").unwrap_or_default();
                assert_eq!(href, page_url(base, k), "link «{k}» on {url}");
                let is_current = a.value().attr("aria-current") == Some("page");
                assert_eq!(is_current, k == n, "aria-current of link «{k}» on {url}");
            }
        }
        let last = next.is_empty();
        if !(n == 1 && last) {
            assert!(numbered > 0, "paginated page {url} shows no page numbers");
        }
        assert!(
            articles.len() <= per_page,
            "{url} lists {} articles, more than paginate_by = {per_page}",
            articles.len()
        );
        pages.push(ListingPage {
            url: url.clone(),
            articles,
        });
        match next.into_iter().next() {
            Some(next_url) => url = next_url,
            None => break,
        }
    }
    let total = pages.len();
    for (i, p) in pages.iter().enumerate() {
        if i + 1 < total {
            assert_eq!(
                p.articles.len(),
                per_page,
                "page {} of {base} is not full though it is not the last",
                i + 1
            );
        }
    }
    assert!(
        !exists(out, &page_url(base, total + 1)),
        "{base} has a page {} after its last page",
        total + 1
    );
    pages
}

/// All the articles of a listing, across its pages, after checking its pagination.
pub fn listing_articles(out: &Path, base: &str, per_page: usize) -> Vec<String> {
    check_listing(out, base, per_page)
        .into_iter()
        .flat_map(|p| p.articles)
        .collect()
}

// ---------------------------------------------------------------------------
// Vietnamese text, as the spec describes it
// ---------------------------------------------------------------------------

fn is_tone_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}'
    )
}

fn is_combining(c: char) -> bool {
    ('\u{0300}'..='\u{036f}').contains(&c)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining(c)
}

/// A key under which two spellings of a name are equal when they differ only in case, Unicode
/// normalisation, spacing or the placement of the tone mark ("Đảng uỷ" = "đảng ủy"): text is
/// lowercased and decomposed, and each syllable's tone mark is moved to its end.
pub fn match_key(s: &str) -> String {
    fn flush(out: &mut String, syllable: &mut String, tones: &mut Vec<char>) {
        out.push_str(syllable);
        tones.sort_unstable();
        out.extend(tones.drain(..));
        syllable.clear();
    }
    let lower = s.nfc().collect::<String>().to_lowercase();
    let mut out = String::new();
    let mut syllable = String::new();
    let mut tones = Vec::new();
    let mut space = false;
    for c in lower.nfd() {
        if is_tone_mark(c) {
            tones.push(c);
            continue;
        }
        if c.is_whitespace() {
            flush(&mut out, &mut syllable, &mut tones);
            space = true;
            continue;
        }
        if space && !out.is_empty() && syllable.is_empty() {
            out.push(' ');
        }
        space = false;
        if is_word_char(c) {
            syllable.push(c);
        } else {
            flush(&mut out, &mut syllable, &mut tones);
            out.push(c);
        }
    }
    flush(&mut out, &mut syllable, &mut tones);
    out
}

/// Whether `name` occurs in `text` as whole words, compared by [`match_key`].
pub fn names_in_text(text: &str, name: &str) -> bool {
    let hay = match_key(text);
    let needle = match_key(name);
    !needle.is_empty()
        && hay.match_indices(&needle).any(|(i, m)| {
            let before = hay[..i].chars().next_back();
            let after = hay[i + m.len()..].chars().next();
            !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
        })
}

/// ASCII slug: diacritics removed, đ → d, lowercase, other characters → `-`.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.nfd() {
        let c = match c {
            'đ' | 'Đ' => 'd',
            c if ('\u{0300}'..='\u{036f}').contains(&c) => continue,
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// "Thứ Ba, 30/12/2025".
pub fn full_date_vi(d: Date) -> String {
    use jiff::civil::Weekday::*;
    let weekday = match d.weekday() {
        Monday => "Thứ Hai",
        Tuesday => "Thứ Ba",
        Wednesday => "Thứ Tư",
        Thursday => "Thứ Năm",
        Friday => "Thứ Sáu",
        Saturday => "Thứ Bảy",
        Sunday => "Chủ Nhật",
    };
    format!("{weekday}, {:02}/{:02}/{}", d.day(), d.month(), d.year())
}

// ---------------------------------------------------------------------------
// The example site's content, read independently of bantin
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Article {
    /// Path relative to the site root.
    pub source: String,
    pub slug: String,
    pub title: String,
    /// Publication day in the site's time zone.
    pub date: Date,
    /// Publication instant (date-only values: midnight in the site's time zone).
    pub instant: jiff::Timestamp,
    /// Slugs of the officials and departments its front matter names, in the order given.
    pub officials: Vec<String>,
    pub departments: Vec<String>,
    /// The Markdown body.
    pub body: String,
    pub tags: Vec<String>,
    pub draft: bool,
    pub aliases: Vec<String>,
    /// Folder of a bundle article (`.../<slug>/index.md`).
    pub bundle: Option<PathBuf>,
}

impl Article {
    pub fn url(&self) -> String {
        format!("/tin-tuc/{}/", self.slug)
    }
}

#[derive(Debug, Clone)]
pub struct Position {
    pub title: String,
    pub from: Date,
    pub to: Option<Date>,
}

#[derive(Debug, Clone)]
pub struct Official {
    pub slug: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub positions: Vec<Position>,
}

impl Official {
    /// Name and aliases.
    pub fn names(&self) -> Vec<&str> {
        let mut names = vec![self.name.as_str()];
        names.extend(self.aliases.iter().map(String::as_str));
        names
    }
}

#[derive(Debug, Clone)]
pub struct Department {
    pub slug: String,
    pub name: String,
    pub short_name: Option<String>,
    pub aliases: Vec<String>,
    pub parent: Option<String>,
}

impl Department {
    /// Name, short name and aliases.
    pub fn names(&self) -> Vec<&str> {
        let mut names = vec![self.name.as_str()];
        names.extend(self.short_name.as_deref());
        names.extend(self.aliases.iter().map(String::as_str));
        names
    }
}

#[derive(Debug, Clone)]
pub struct PageDoc {
    pub slug: String,
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct Content {
    /// Every article, drafts included, newest first.
    pub articles: Vec<Article>,
    pub officials: Vec<Official>,
    pub departments: Vec<Department>,
    pub pages: Vec<PageDoc>,
    pub paginate_by: usize,
}

impl Content {
    /// Published (non-draft) articles, newest first.
    pub fn published(&self) -> Vec<&Article> {
        self.articles.iter().filter(|a| !a.draft).collect()
    }

    pub fn published_slugs(&self, keep: impl Fn(&Article) -> bool) -> Vec<String> {
        self.published()
            .into_iter()
            .filter(|a| keep(a))
            .map(|a| a.slug.clone())
            .collect()
    }

    /// Officials an article must name: those of its front matter, and those whose full name
    /// its text contains.
    pub fn officials_at_least(&self, a: &Article) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = a.officials.iter().cloned().collect();
        for o in &self.officials {
            if names_in_text(&a.body, &o.name) {
                out.insert(o.slug.clone());
            }
        }
        out
    }

    /// Officials an article may name: those of its front matter, and those one of whose names
    /// its text contains.
    pub fn officials_at_most(&self, a: &Article) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = a.officials.iter().cloned().collect();
        for o in &self.officials {
            if o.names().iter().any(|n| names_in_text(&a.body, n)) {
                out.insert(o.slug.clone());
            }
        }
        out
    }

    /// Departments an article may name: those of its front matter, and those one of whose
    /// names its text contains (in the body or the byline).
    pub fn departments_at_most(&self, a: &Article) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = a.departments.iter().cloned().collect();
        for d in &self.departments {
            if d.names().iter().any(|n| names_in_text(&a.body, n)) {
                out.insert(d.slug.clone());
            }
        }
        out
    }

    pub fn article(&self, slug: &str) -> &Article {
        self.articles
            .iter()
            .find(|a| a.slug == slug)
            .unwrap_or_else(|| panic!("no article {slug}"))
    }
}

/// The example site's content, read once.
pub fn example_content() -> &'static Content {
    static CONTENT: OnceLock<Content> = OnceLock::new();
    CONTENT.get_or_init(|| load_content(&repo_root()))
}

/// The front matter of a document, as JSON (dates as strings).
pub fn front_matter(path: &Path) -> Value {
    split_document(path).0
}

/// Split a document into its front matter (as JSON, dates as strings) and body.
pub fn split_document(path: &Path) -> (Value, String) {
    let raw = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = raw.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let fence = if text.starts_with("+++\n") {
        "+++"
    } else if text.starts_with("---\n") {
        "---"
    } else {
        panic!("{} has no front matter", path.display())
    };
    let rest = &text[4..];
    let end = rest
        .find(&format!("\n{fence}\n"))
        .or_else(|| rest.find(&format!("\n{fence}")))
        .unwrap_or_else(|| panic!("{} front matter is not closed", path.display()));
    let fm = &rest[..end];
    let body = rest[end + 1..]
        .split_once('\n')
        .map_or("", |(_, body)| body)
        .to_string();
    let value = if fence == "+++" {
        let table: toml::Table =
            toml::from_str(fm).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        toml_to_json(toml::Value::Table(table))
    } else {
        serde_norway::from_str(fm).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    (value, body)
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn list_field(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn parse_date(s: &str) -> Date {
    s.parse().unwrap_or_else(|e| panic!("bad date {s}: {e}"))
}

/// A front-matter date or datetime: (day in `tz`, instant).
fn parse_when(s: &str, tz: &jiff::tz::TimeZone) -> (Date, jiff::Timestamp) {
    let zoned = if s.len() == 10 {
        parse_date(s)
            .to_zoned_datetime(tz.clone())
            .expect("a day in the time zone")
    } else if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        ts.to_zoned_datetime(tz.clone())
    } else {
        s.parse::<jiff::civil::DateTime>()
            .unwrap_or_else(|e| panic!("bad datetime {s}: {e}"))
            .to_zoned_datetime(tz.clone())
            .expect("a time in the time zone")
    };
    (zoned.date(), zoned.timestamp())
}

fn md_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            out.extend(md_files(&path));
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// Resolve a reference the way the spec says: a slug, or a name or alias (by [`match_key`]).
fn resolve<'a>(
    reference: &str,
    candidates: impl Iterator<Item = (&'a str, Vec<&'a str>)>,
) -> Option<String> {
    let key = match_key(reference);
    let candidates: Vec<_> = candidates.collect();
    if let Some((slug, _)) = candidates
        .iter()
        .find(|(slug, _)| *slug == reference.trim())
    {
        return Some(slug.to_string());
    }
    candidates
        .iter()
        .find(|(_, names)| names.iter().any(|n| match_key(n) == key))
        .map(|(slug, _)| slug.to_string())
}

/// Read the content of the site at `root`.
pub fn load_content(root: &Path) -> Content {
    let config: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("site.toml")).expect("site.toml"))
            .expect("site.toml parses");
    let paginate_by = config
        .get("paginate_by")
        .and_then(toml::Value::as_integer)
        .unwrap_or(20) as usize;
    let tz_name = config
        .get("timezone")
        .and_then(toml::Value::as_str)
        .unwrap_or("Asia/Ho_Chi_Minh");
    let tz = jiff::tz::TimeZone::get(tz_name).expect("a known time zone");
    let content = root.join("content");

    let officials: Vec<Official> = md_files(&content.join("officials"))
        .iter()
        .map(|path| {
            let fm = front_matter(path);
            let positions = fm
                .get("positions")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| Position {
                            title: str_field(p, "title").expect("position title"),
                            from: parse_date(&str_field(p, "from").expect("position from")),
                            to: str_field(p, "to").map(|t| parse_date(&t)),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Official {
                slug: stem(path),
                name: str_field(&fm, "name").expect("official name"),
                aliases: list_field(&fm, "aliases"),
                positions,
            }
        })
        .collect();

    let departments: Vec<Department> = md_files(&content.join("departments"))
        .iter()
        .map(|path| {
            let fm = front_matter(path);
            Department {
                slug: stem(path),
                name: str_field(&fm, "name").expect("department name"),
                short_name: str_field(&fm, "short_name"),
                aliases: list_field(&fm, "aliases"),
                parent: str_field(&fm, "parent"),
            }
        })
        .collect();

    let pages = md_files(&content.join("pages"))
        .iter()
        .map(|path| {
            let fm = front_matter(path);
            PageDoc {
                slug: str_field(&fm, "slug").map_or_else(|| slugify(&stem(path)), |s| slugify(&s)),
                title: str_field(&fm, "title").expect("page title"),
            }
        })
        .collect();

    let mut articles: Vec<Article> = md_files(&content.join("articles"))
        .iter()
        .map(|path| {
            let (fm, body) = split_document(path);
            let source = path
                .strip_prefix(root)
                .expect("inside the site")
                .to_string_lossy()
                .replace('\\', "/");
            let is_bundle = path.file_name().is_some_and(|n| n == "index.md");
            let name = if is_bundle {
                path.parent()
                    .and_then(Path::file_name)
                    .expect("a bundle folder")
                    .to_string_lossy()
                    .into_owned()
            } else {
                stem(path)
            };
            let slug = slugify(&str_field(&fm, "slug").unwrap_or(name));
            let (date, instant) = parse_when(&str_field(&fm, "date").expect("article date"), &tz);
            let officials = list_field(&fm, "officials")
                .iter()
                .map(|r| {
                    resolve(r, officials.iter().map(|o| (o.slug.as_str(), o.names())))
                        .unwrap_or_else(|| panic!("{source}: unknown official {r}"))
                })
                .collect::<Vec<_>>();
            let departments = list_field(&fm, "departments")
                .iter()
                .map(|r| {
                    resolve(r, departments.iter().map(|d| (d.slug.as_str(), d.names())))
                        .unwrap_or_else(|| panic!("{source}: unknown department {r}"))
                })
                .collect::<Vec<_>>();
            Article {
                source,
                slug,
                title: str_field(&fm, "title").expect("article title"),
                date,
                instant,
                officials: dedup(officials),
                departments: dedup(departments),
                body,
                tags: list_field(&fm, "tags"),
                draft: fm.get("draft").and_then(Value::as_bool).unwrap_or(false),
                aliases: list_field(&fm, "aliases"),
                bundle: is_bundle.then(|| path.parent().expect("bundle folder").to_path_buf()),
            }
        })
        .collect();
    articles.sort_by(|a, b| b.instant.cmp(&a.instant).then_with(|| a.slug.cmp(&b.slug)));

    Content {
        articles,
        officials,
        departments,
        pages,
        paginate_by,
    }
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// A small site written by the tests
// ---------------------------------------------------------------------------

/// A small site without a `themes/` folder: 2 articles, 1 official, 1 department.
pub fn small_site(extra_config: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = tmp.path();
    write(
        root,
        "site.toml",
        &format!(
            "title = \"Phường Thử\"\nbase_url = \"https://thu.example.vn/\"\npaginate_by = 5\n{extra_config}\n\
             [[menu]]\nname = \"Trang chủ\"\nurl = \"/\"\n"
        ),
    );
    write(
        root,
        "content/officials/nguyen-van-an.md",
        "+++\nname = \"Nguyễn Văn An\"\norder = 1\n\n[[positions]]\ntitle = \"Chủ tịch UBND phường\"\n\
         department = \"ubnd\"\nfrom = 2025-07-01\n+++\nTiểu sử.\n",
    );
    write(
        root,
        "content/departments/ubnd.md",
        "+++\nname = \"Ủy ban nhân dân phường Thử\"\nshort_name = \"UBND phường\"\n\
         aliases = [\"UBND phường\"]\n+++\nChức năng, nhiệm vụ.\n",
    );
    write(
        root,
        "content/articles/hop-dau-nam.md",
        "+++\ntitle = \"Họp đầu năm\"\ndate = 2025-02-10\nofficials = [\"nguyen-van-an\"]\n\
         departments = [\"UBND phường\"]\ntags = [\"Chính quyền\"]\n+++\nNội dung cuộc họp.\n",
    );
    write(
        root,
        "content/articles/ra-quan.md",
        "+++\ntitle = \"Ra quân làm sạch đường phố\"\ndate = 2025-03-01\n\
         departments = [\"ubnd\"]\n+++\nNội dung ra quân.\n",
    );
    tmp
}
