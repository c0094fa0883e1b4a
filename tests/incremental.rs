//! Incremental rebuilds of a [`Session`], as `bantin watch` and `bantin serve` drive them.
//!
//! The example site is copied into a temporary folder and changed the way an editor changes it
//! (edits, saves by rename, new, deleted and renamed files and folders, people, pages,
//! templates, static files, `site.toml`, broken saves). After **every** change the session is
//! told which paths changed, as the file watcher reports them, and then:
//!
//! - its output folder must be byte-identical to a clean [`pipeline::build`] of the same files
//!   (same files, same bytes; bantin's marker file aside);
//! - `written` and `removed` must list exactly the files whose bytes changed, appeared or went,
//!   and every other file must keep its modification time (and inode);
//! - the change must be visible in the pages (so a rebuild that does nothing cannot pass by
//!   comparing two equally stale folders);
//! - a broken change must fail with the same problems a clean build reports and leave the
//!   output exactly as the last good rebuild left it.
//!
//! Every build uses a fixed `now`, so results do not depend on the clock. This file is
//! self-contained (it does not use `tests/common`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bantin::output::MARKER;
use bantin::pipeline::{self, BuildError, BuildOptions, BuildSummary, RebuildSummary, Session};
use scraper::{ElementRef, Html, Selector};
use unicode_normalization::UnicodeNormalization;

/// The "current time" of every build: positions ending before it are former positions.
fn now() -> jiff::Timestamp {
    "2026-05-20T03:00:00Z".parse().expect("a valid timestamp")
}

/// A file of this repository (the example site and its theme).
fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn repo_bytes(rel: &str) -> Vec<u8> {
    std::fs::read(repo(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

fn repo_text(rel: &str) -> String {
    std::fs::read_to_string(repo(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    let entries =
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.expect("a directory entry");
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest)
                .unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
        }
    }
}

/// An article file in TOML front matter; `extra` holds more front matter lines, each ending
/// with a newline. The author is set so that the last line of the body is not read as a byline.
fn article(title: &str, date: &str, extra: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = {date}\nauthor = \"Ban biên tập\"\n{extra}+++\n{body}\n"
    )
}

// ---------------------------------------------------------------------------
// Output folders
// ---------------------------------------------------------------------------

/// Asserts that a published photo shows the JPEG `source`: photos are published re-encoded
/// (docs/images.md), so the pixels are compared, within what JPEG compression changes.
#[track_caller]
fn assert_same_photo(published: &[u8], source: &[u8]) {
    let decode = |bytes: &[u8]| {
        let options = zune_core::options::DecoderOptions::default()
            .jpeg_set_out_colorspace(zune_core::colorspace::ColorSpace::RGB);
        let mut d = zune_jpeg::JpegDecoder::new_with_options(
            zune_core::bytestream::ZCursor::new(bytes),
            options,
        );
        let pixels = d.decode().expect("a JPEG");
        let info = d.info().expect("its size");
        ((info.width, info.height), pixels)
    };
    let (size, a) = decode(published);
    let (source_size, b) = decode(source);
    assert_eq!(size, source_size, "the published photo has another size");
    let diff: u64 = a
        .iter()
        .zip(&b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    let mean = diff as f64 / a.len() as f64;
    assert!(
        mean < 6.0,
        "the published photo differs from its source (mean {mean:.1})"
    );
}

/// One output file: its bytes, and what tells whether it was rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileState {
    bytes: Vec<u8>,
    modified: SystemTime,
    inode: u64,
}

/// Every file of an output folder (site-relative path with `/`), bantin's marker left out.
type Snapshot = BTreeMap<String, FileState>;

fn snapshot(dir: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.remove(MARKER);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut Snapshot) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        let meta = std::fs::symlink_metadata(&path)
            .unwrap_or_else(|e| panic!("stat {}: {e}", path.display()));
        if meta.is_dir() {
            walk(root, &path, out);
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .expect("inside the folder")
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        out.insert(
            rel,
            FileState {
                bytes,
                modified: meta.modified().expect("modification times are supported"),
                inode: inode(&meta),
            },
        );
    }
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.ino()
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
}

/// Where two files first differ, for failure messages: the line and the text around the
/// first differing character, or the byte offset for binary files.
fn first_difference(actual: &[u8], expected: &[u8]) -> String {
    let (Ok(a), Ok(b)) = (std::str::from_utf8(actual), std::str::from_utf8(expected)) else {
        let at = actual
            .iter()
            .zip(expected)
            .position(|(x, y)| x != y)
            .unwrap_or(actual.len().min(expected.len()));
        return format!(
            "binary, {} bytes here and {} in the clean build, first difference at byte {at}",
            actual.len(),
            expected.len()
        );
    };
    for (i, (la, lb)) in a.split('\n').zip(b.split('\n')).enumerate() {
        if la != lb {
            let at = la
                .chars()
                .zip(lb.chars())
                .position(|(x, y)| x != y)
                .unwrap_or(la.chars().count().min(lb.chars().count()));
            return format!(
                "first difference on line {}:\n        here:  {}\n        clean: {}",
                i + 1,
                around(la, at),
                around(lb, at)
            );
        }
    }
    format!(
        "one is a prefix of the other: {} lines here, {} in the clean build",
        a.split('\n').count(),
        b.split('\n').count()
    )
}

/// Up to 60 characters either side of character `at` of `line`.
fn around(line: &str, at: usize) -> String {
    let chars: Vec<char> = line.chars().collect();
    let start = at.saturating_sub(60);
    let end = (at + 60).min(chars.len());
    format!(
        "{}{}{}",
        if start > 0 { "…" } else { "" },
        chars[start..end].iter().collect::<String>(),
        if end < chars.len() { "…" } else { "" }
    )
}

fn describe(e: &BuildError) -> String {
    match e {
        BuildError::Content(diags) => diags
            .iter()
            .map(|d| format!("\n    {d}"))
            .collect::<String>(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("bad selector {s}: {e:?}"))
}

/// Text of an element, whitespace runs collapsed.
fn text(el: ElementRef) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `/tin-tuc/x/` → `tin-tuc/x/index.html` (URLs are given relative to the site's base path).
fn url_to_rel(url: &str) -> String {
    let rest = url
        .strip_prefix('/')
        .unwrap_or_else(|| panic!("{url} should start with /"));
    if rest.is_empty() || rest.ends_with('/') {
        format!("{rest}index.html")
    } else {
        rest.to_string()
    }
}

// ---------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------

/// A copy of the example site, a [`Session`] building it, and the output as the last rebuild
/// left it.
struct Harness {
    /// The site folder (canonical, as the watcher reports paths under it).
    root: PathBuf,
    /// The session's output folder.
    out: PathBuf,
    /// The session's options; clean builds use the same, with another output folder.
    opts: BuildOptions,
    /// The base path of the site's URLs (`/` unless the test changes `base_url`).
    base_path: String,
    session: Session,
    /// The output folder as the last successful rebuild left it (a failed one must not touch it).
    last: Snapshot,
    /// What the test is doing, for failure messages.
    step: String,
    _tmp: tempfile::TempDir,
}

impl Harness {
    /// The example site, output in `<site>/public` (where `bantin watch` writes by default).
    fn example() -> Harness {
        Harness::start(false, |_| {})
    }

    /// The example site; `separate_output` puts the output outside the site folder (like
    /// `bantin serve`); `tweak` changes the build options.
    fn start(separate_output: bool, tweak: impl FnOnce(&mut BuildOptions)) -> Harness {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let base = tmp
            .path()
            .canonicalize()
            .expect("a canonical temporary folder");
        let root = base.join("phuong-to-chau");
        copy_dir(&repo("content"), &root.join("content"));
        copy_dir(&repo("static"), &root.join("static"));
        std::fs::copy(repo("site.toml"), root.join("site.toml")).expect("copy site.toml");
        let out = if separate_output {
            base.join("xem-thu")
        } else {
            root.join("public")
        };
        let mut opts = BuildOptions {
            root: root.clone(),
            output: Some(out.clone()),
            now: Some(now()),
            // The example site has articles dated after `now()`: publish them (marked
            // "Hẹn đăng"); `links_between_files_and_scheduled_articles_match_a_clean_build`
            // builds without.
            future: true,
            ..Default::default()
        };
        tweak(&mut opts);
        let session = Session::new(opts.clone(), out.clone());
        let mut h = Harness {
            root,
            out,
            opts,
            base_path: "/".into(),
            session,
            last: Snapshot::new(),
            step: "first build".into(),
            _tmp: tmp,
        };
        let summary = h
            .session
            .rebuild()
            .unwrap_or_else(|e| panic!("the first build failed: {}", describe(&e)));
        h.check_accounting(&summary);
        h.assert_same_as_clean();
        assert!(
            h.out.join(MARKER).is_file(),
            "the output has bantin's marker"
        );
        assert!(
            h.last.len() > 100,
            "the example site has over 100 output files"
        );
        h
    }

    /// Name the step that follows, for failure messages.
    fn step(&mut self, what: &str) {
        self.step = what.to_string();
    }

    // --- changing files ----------------------------------------------------------------

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel))
            .unwrap_or_else(|e| panic!("[{}] read {rel}: {e}", self.step))
    }

    fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("a parent folder"))
            .unwrap_or_else(|e| panic!("[{}] create the folder of {rel}: {e}", self.step));
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("[{}] write {rel}: {e}", self.step));
    }

    /// Replace the first `from` of a file with `to`; `from` must be there.
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(
            text.contains(from),
            "[{}] {rel} does not contain {from:?}",
            self.step
        );
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Delete a file or a folder.
    fn remove(&self, rel: &str) {
        let path = self.path(rel);
        let result = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        result.unwrap_or_else(|e| panic!("[{}] remove {rel}: {e}", self.step));
    }

    fn rename(&self, from: &str, to: &str) {
        let to_path = self.path(to);
        std::fs::create_dir_all(to_path.parent().expect("a parent folder")).expect("create folder");
        std::fs::rename(self.path(from), to_path)
            .unwrap_or_else(|e| panic!("[{}] rename {from} to {to}: {e}", self.step));
    }

    // --- rebuilding ----------------------------------------------------------------------

    /// Paths relative to the site folder, made absolute (absolute paths stay as they are).
    fn absolute<P: AsRef<Path>>(&self, paths: &[P]) -> Vec<PathBuf> {
        paths.iter().map(|p| self.root.join(p)).collect()
    }

    /// Tell the session that `paths` changed; the rebuild must succeed, account exactly for
    /// what it wrote and removed, and leave the same output as a clean build.
    fn change<P: AsRef<Path>>(&mut self, paths: &[P]) -> RebuildSummary {
        let paths = self.absolute(paths);
        let summary = self.session.rebuild_paths(&paths).unwrap_or_else(|e| {
            panic!(
                "[{}] rebuild_paths({paths:?}) failed: {}",
                self.step,
                describe(&e)
            )
        });
        self.check_accounting(&summary);
        let clean = self.assert_same_as_clean();
        assert_eq!(
            (summary.pages, summary.articles),
            (clean.pages, clean.articles),
            "[{}] pages and articles counted by the rebuild and by a clean build",
            self.step
        );
        summary
    }

    /// [`Harness::change`] for a change that must not alter the output at all.
    fn change_nothing<P: AsRef<Path>>(&mut self, paths: &[P]) {
        let before = self.last.clone();
        let summary = self.change(paths);
        assert!(
            summary.written.is_empty() && summary.removed.is_empty(),
            "[{}] nothing should be written or removed; written {:?}, removed {:?}",
            self.step,
            summary.written,
            summary.removed
        );
        assert!(
            self.last == before,
            "[{}] the output folder changed though nothing should have",
            self.step
        );
    }

    /// Tell the session that `paths` changed, in a way that breaks the site: the rebuild must
    /// fail with the problems a clean build reports, and leave the output untouched.
    fn change_fails<P: AsRef<Path>>(&mut self, paths: &[P]) -> Vec<String> {
        let paths = self.absolute(paths);
        let diags = match self.session.rebuild_paths(&paths) {
            Ok(s) => panic!(
                "[{}] a broken change was accepted; written {:?}, removed {:?}",
                self.step, s.written, s.removed
            ),
            Err(BuildError::Content(diags)) => diags,
            Err(e) => panic!("[{}] expected content problems, got: {e}", self.step),
        };
        let after = snapshot(&self.out);
        for (rel, before) in &self.last {
            match after.get(rel) {
                None => panic!("[{}] a failed rebuild removed {rel}", self.step),
                Some(now) if now != before => {
                    panic!("[{}] a failed rebuild rewrote {rel}", self.step)
                }
                Some(_) => {}
            }
        }
        let extra: Vec<&String> = after
            .keys()
            .filter(|k| !self.last.contains_key(*k))
            .collect();
        assert!(
            extra.is_empty(),
            "[{}] a failed rebuild left new files: {extra:?}",
            self.step
        );
        let got: Vec<String> = diags.iter().map(ToString::to_string).collect();
        let clean_dir = tempfile::tempdir().expect("a temporary folder");
        let opts = BuildOptions {
            output: Some(clean_dir.path().join("public")),
            ..self.opts.clone()
        };
        match pipeline::build(&opts) {
            Err(BuildError::Content(clean)) => {
                let clean: Vec<String> = clean.iter().map(ToString::to_string).collect();
                assert_eq!(
                    got, clean,
                    "[{}] the rebuild reports the problems a clean build reports",
                    self.step
                );
            }
            Ok(_) => panic!(
                "[{}] the rebuild failed but a clean build succeeds:{}",
                self.step,
                describe(&BuildError::Content(diags))
            ),
            Err(e) => panic!("[{}] the clean build failed otherwise: {e}", self.step),
        }
        got
    }

    /// `written` and `removed` list exactly the files whose bytes changed, appeared or went;
    /// every other file keeps its modification time and inode. Updates [`Harness::last`].
    fn check_accounting(&mut self, summary: &RebuildSummary) {
        let before = std::mem::take(&mut self.last);
        let after = snapshot(&self.out);
        let step = &self.step;
        let written: BTreeSet<&str> = summary
            .written
            .iter()
            .map(String::as_str)
            .filter(|p| *p != MARKER)
            .collect();
        let removed: BTreeSet<&str> = summary
            .removed
            .iter()
            .map(String::as_str)
            .filter(|p| *p != MARKER)
            .collect();
        assert_eq!(
            written.len(),
            summary.written.iter().filter(|p| *p != MARKER).count(),
            "[{step}] a file is listed twice in written: {:?}",
            summary.written
        );
        let changed: BTreeSet<&str> = after
            .iter()
            .filter(|(rel, f)| before.get(*rel).is_none_or(|b| b.bytes != f.bytes))
            .map(|(rel, _)| rel.as_str())
            .collect();
        let gone: BTreeSet<&str> = before
            .keys()
            .filter(|rel| !after.contains_key(*rel))
            .map(String::as_str)
            .collect();
        assert_eq!(
            written, changed,
            "[{step}] `written` must list exactly the files whose bytes changed or that are new"
        );
        assert_eq!(
            removed, gone,
            "[{step}] `removed` must list exactly the files that went"
        );
        for (rel, f) in &after {
            if let Some(b) = before.get(rel)
                && b.bytes == f.bytes
            {
                assert!(
                    b.modified == f.modified && b.inode == f.inode,
                    "[{step}] {rel} has the same bytes but was rewritten (modification time or inode changed)"
                );
            }
        }
        self.last = after;
    }

    /// Build the same files from scratch into another folder and compare with the output as the
    /// last rebuild left it ([`Harness::last`]): same files, same bytes. Returns the clean
    /// build's summary.
    fn assert_same_as_clean(&self) -> BuildSummary {
        let clean_dir = tempfile::tempdir().expect("a temporary folder");
        let clean_out = clean_dir.path().join("public");
        let opts = BuildOptions {
            output: Some(clean_out.clone()),
            ..self.opts.clone()
        };
        let summary = pipeline::build(&opts)
            .unwrap_or_else(|e| panic!("[{}] the clean build failed: {}", self.step, describe(&e)));
        let expected = snapshot(&clean_out);
        // The output as read right after the rebuild.
        let actual = &self.last;
        let mut problems = Vec::new();
        for rel in expected.keys().filter(|k| !actual.contains_key(*k)) {
            problems.push(format!("missing {rel} (the clean build has it)"));
        }
        for rel in actual.keys().filter(|k| !expected.contains_key(*k)) {
            problems.push(format!("extra {rel} (the clean build does not have it)"));
        }
        for (rel, a) in actual {
            if let Some(b) = expected.get(rel)
                && a.bytes != b.bytes
            {
                problems.push(format!(
                    "{rel} differs: {}",
                    first_difference(&a.bytes, &b.bytes)
                ));
            }
        }
        if !problems.is_empty() {
            let shown = problems.len().min(15);
            panic!(
                "[{}] the output differs from a clean build of the same files ({} problems{}):\n  {}",
                self.step,
                problems.len(),
                if shown < problems.len() {
                    format!(", first {shown} shown")
                } else {
                    String::new()
                },
                problems[..shown].join("\n  ")
            );
        }
        summary
    }

    // --- reading pages -------------------------------------------------------------------

    /// Whether the output has the page at `url` (relative to the base path).
    fn has_page(&self, url: &str) -> bool {
        self.out.join(url_to_rel(url)).is_file()
    }

    fn html(&self, url: &str) -> String {
        let path = self.out.join(url_to_rel(url));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("[{}] page {url} ({}): {e}", self.step, path.display()))
    }

    fn doc(&self, url: &str) -> Html {
        Html::parse_document(&self.html(url))
    }

    /// The text of `<main>` of a page.
    fn main_text(&self, url: &str) -> String {
        let doc = self.doc(url);
        let main = doc
            .select(&sel("main"))
            .next()
            .unwrap_or_else(|| panic!("[{}] {url} has no <main>", self.step));
        text(main)
    }

    /// The text of the first `<h1>`.
    fn h1(&self, url: &str) -> String {
        let doc = self.doc(url);
        doc.select(&sel("h1"))
            .next()
            .map(text)
            .unwrap_or_else(|| panic!("[{}] {url} has no <h1>", self.step))
    }

    fn assert_text(&self, url: &str, needle: &str) {
        let t = self.main_text(url);
        assert!(
            t.contains(needle),
            "[{}] {url} should show «{needle}»; it shows:\n{t}",
            self.step
        );
    }

    fn assert_no_text(&self, url: &str, needle: &str) {
        let t = self.main_text(url);
        assert!(
            !t.contains(needle),
            "[{}] {url} should not show «{needle}»; it shows:\n{t}",
            self.step
        );
    }

    /// A site URL with the base path: `/tin-tuc/x/` → `/phuong/tin-tuc/x/`.
    fn link(&self, url: &str) -> String {
        format!("{}{}", self.base_path, url.trim_start_matches('/'))
    }

    /// `href`s of the elements matching `selector` of a page.
    fn hrefs(&self, url: &str, selector: &str) -> Vec<String> {
        let doc = self.doc(url);
        doc.select(&sel(selector))
            .filter_map(|a| a.value().attr("href").map(str::to_string))
            .collect()
    }

    /// `src`s of the images of a page's `<main>`.
    fn image_srcs(&self, url: &str) -> Vec<String> {
        let doc = self.doc(url);
        doc.select(&sel("main img"))
            .filter_map(|a| a.value().attr("src").map(str::to_string))
            .collect()
    }

    /// Slugs of the articles a listing page links to from `<main>`, in order, each once.
    fn listed(&self, url: &str) -> Vec<String> {
        let prefix = self.link("/tin-tuc/");
        let mut out: Vec<String> = Vec::new();
        for href in self.hrefs(url, "main a[href]") {
            if let Some(slug) = href
                .strip_prefix(&prefix)
                .and_then(|r| r.strip_suffix('/'))
                .filter(|s| !s.is_empty() && !s.contains('/'))
                && !out.iter().any(|s| s == slug)
            {
                out.push(slug.to_string());
            }
        }
        out
    }

    /// [`Harness::listed`] over every page of a listing (`url`, `url/trang/2/`, …).
    fn listed_all(&self, url: &str) -> Vec<String> {
        let mut out = self.listed(url);
        let mut n = 2;
        while self.has_page(&format!("{url}trang/{n}/")) {
            out.extend(self.listed(&format!("{url}trang/{n}/")));
            n += 1;
        }
        out
    }

    /// The bytes of an output file.
    fn output_bytes(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.out.join(rel))
            .unwrap_or_else(|e| panic!("[{}] output file {rel}: {e}", self.step))
    }

    /// The article pages of the output (`tin-tuc/<slug>/index.html`).
    fn article_pages(&self) -> Vec<String> {
        self.last
            .keys()
            .filter(|rel| {
                rel.strip_prefix("tin-tuc/")
                    .and_then(|r| r.strip_suffix("/index.html"))
                    .is_some_and(|slug| !slug.contains('/'))
            })
            .cloned()
            .collect()
    }
}

fn slugs(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------
// Files of the example site used below
// ---------------------------------------------------------------------------

const KIEM_TRA: &str = "content/articles/2026/kiem-tra-cong-tac-chuan-bi-bau-cu.md";
const KIEM_TRA_URL: &str = "/tin-tuc/kiem-tra-cong-tac-chuan-bi-bau-cu/";
const KIEM_TRA_SLUG: &str = "kiem-tra-cong-tac-chuan-bi-bau-cu";
const SOT_XUAT_HUYET: &str = "content/articles/2026/phong-chong-sot-xuat-huyet-2026.md";
const KHANH_THANH: &str = "content/articles/2026/khanh-thanh-duong-be-tong-khu-pho.md";
const KHAI_GIANG: &str = "content/articles/2025/khai-giang-nam-hoc-2025-2026.md";
const KHAI_GIANG_URL: &str = "/tin-tuc/khai-giang-nam-hoc-2025-2026/";
const TRUNG_TAM: &str = "content/articles/2025/trung-tam-phuc-vu-hanh-chinh-cong-di-vao-hoat-dong";
const TRAN_QUOC_AN: &str = "content/officials/tran-quoc-an.md";
const VAN_HOA: &str = "content/departments/phong-van-hoa-xa-hoi.md";

// ---------------------------------------------------------------------------
// Articles
// ---------------------------------------------------------------------------

#[test]
fn article_edits_match_a_clean_build() {
    let mut h = Harness::example();

    h.step("1. an article's body edited, its summary unchanged");
    h.edit(
        KIEM_TRA,
        "Qua kiểm tra, đoàn ghi nhận",
        "Qua kiểm tra lần thứ hai, đoàn ghi nhận",
    );
    let s = h.change(&[KIEM_TRA]);
    h.assert_text(KIEM_TRA_URL, "Qua kiểm tra lần thứ hai, đoàn ghi nhận");
    // Besides, its words in the search index (tests/search.rs checks which files).
    let pages: Vec<&String> = s
        .written
        .iter()
        .filter(|f| !f.starts_with("tim-kiem/"))
        .collect();
    assert_eq!(
        pages,
        vec!["tin-tuc/kiem-tra-cong-tac-chuan-bi-bau-cu/index.html"],
        "a body-only edit rewrites the article's page only"
    );

    h.step("2. an article's title edited");
    let old = "Ra quân diệt lăng quăng, phòng chống sốt xuất huyết mùa mưa";
    let new = "Toàn dân ra quân diệt lăng quăng, phòng chống sốt xuất huyết";
    h.edit(
        SOT_XUAT_HUYET,
        &format!("title = \"{old}\""),
        &format!("title = \"{new}\""),
    );
    let s = h.change(&[SOT_XUAT_HUYET]);
    assert_eq!(h.h1("/tin-tuc/phong-chong-sot-xuat-huyet-2026/"), new);
    for url in [
        "/",
        "/2026/",
        "/2026/08/",
        "/2026/08/12/",
        "/chu-de/van-hoa-xa-hoi/",
    ] {
        h.assert_text(url, new);
        h.assert_no_text(url, old);
    }
    assert!(
        s.written.len() > 5,
        "a title shows in many listings: {:?}",
        s.written
    );

    h.step("3. an article's date changed: it moves between archives and listing pages");
    let slug = "khanh-thanh-duong-be-tong-khu-pho";
    assert!(h.has_page("/2026/04/24/"));
    h.edit(KHANH_THANH, "date = 2026-04-24", "date = 2024-12-05");
    h.change(&[KHANH_THANH]);
    assert!(!h.has_page("/2026/04/24/") && !h.has_page("/2026/04/"));
    assert_eq!(h.listed("/2024/12/05/"), slugs(&[slug]));
    assert!(h.listed_all("/2024/12/").contains(&slug.to_string()));
    assert!(h.listed_all("/2024/").contains(&slug.to_string()));
    assert!(!h.listed_all("/2026/").contains(&slug.to_string()));
    h.assert_text(&format!("/tin-tuc/{slug}/"), "05/12/2024");
    let home = h.listed_all("/");
    let at = |s: &str| home.iter().position(|x| x == s);
    let (before, moved, after) = (
        at("hoi-nghi-tong-ket-nam-2024"),
        at(slug),
        at("chu-dong-phong-chong-trieu-cuong-mua-mua-bao-2024"),
    );
    assert!(
        before.is_some() && moved == before.map(|i| i + 1) && after == moved.map(|i| i + 1),
        "the home listing puts the article between 27/12/2024 and 14/10/2024: {home:?}"
    );

    h.step("4. tags added to an article, one of them brand new");
    h.edit(
        KIEM_TRA,
        "tags = [\"Bầu cử\", \"Quốc phòng - An ninh\"]",
        "tags = [\"Bầu cử\", \"Quốc phòng - An ninh\", \"Chuyển đổi số\", \"Thể thao cộng đồng\"]",
    );
    h.change(&[KIEM_TRA]);
    assert_eq!(
        h.listed("/chu-de/the-thao-cong-dong/"),
        slugs(&[KIEM_TRA_SLUG])
    );
    assert!(
        h.listed_all("/chu-de/chuyen-doi-so/")
            .contains(&KIEM_TRA_SLUG.to_string())
    );
    h.assert_text("/chu-de/", "Thể thao cộng đồng");
    h.assert_text(KIEM_TRA_URL, "Thể thao cộng đồng");

    h.step("5. a new article");
    let new_article = "content/articles/2026/giai-bong-da-thieu-nien-2026.md";
    let new_slug = "giai-bong-da-thieu-nien-2026";
    let new_url = "/tin-tuc/giai-bong-da-thieu-nien-2026/";
    h.write(
        new_article,
        &article(
            "Khai mạc giải bóng đá thiếu niên phường Tô Châu năm 2026",
            "2026-05-02T08:00:00+07:00",
            "tags = [\"Thể thao cộng đồng\"]\nofficials = [\"Trương Thế Kiều\"]\ndepartments = [\"Phòng VH-XH\"]\n",
            "Sáng 02/5/2026, phường Tô Châu khai mạc giải bóng đá thiếu niên.\n\nGiải có 12 đội tham gia.",
        ),
    );
    h.change(&[new_article]);
    h.assert_text(new_url, "Giải có 12 đội tham gia.");
    assert!(h.listed("/").contains(&new_slug.to_string()));
    assert_eq!(h.listed("/2026/05/02/"), slugs(&[new_slug]));
    assert_eq!(
        h.listed("/chu-de/the-thao-cong-dong/"),
        slugs(&[new_slug, KIEM_TRA_SLUG])
    );
    assert!(
        h.listed_all("/can-bo/truong-the-kieu/")
            .contains(&new_slug.to_string())
    );
    assert!(
        h.listed_all("/don-vi/phong-van-hoa-xa-hoi/")
            .contains(&new_slug.to_string())
    );

    h.step("6a. the new article deleted");
    h.remove(new_article);
    h.change(&[new_article]);
    assert!(!h.has_page(new_url) && !h.has_page("/2026/05/"));
    assert!(!h.listed_all("/").contains(&new_slug.to_string()));
    assert!(
        !h.listed_all("/can-bo/truong-the-kieu/")
            .contains(&new_slug.to_string())
    );
    assert_eq!(
        h.listed("/chu-de/the-thao-cong-dong/"),
        slugs(&[KIEM_TRA_SLUG])
    );

    h.step("6b. the last article of a tag loses it: the tag page goes");
    h.edit(
        KIEM_TRA,
        ", \"Chuyển đổi số\", \"Thể thao cộng đồng\"]",
        "]",
    );
    h.change(&[KIEM_TRA]);
    assert!(!h.has_page("/chu-de/the-thao-cong-dong/"));
    h.assert_no_text("/chu-de/", "Thể thao cộng đồng");

    h.step("6c. an existing article deleted from a day with two articles");
    let tham_tang = "content/articles/2025/tham-tang-qua-tet-at-ty.md";
    assert_eq!(h.listed("/2025/01/20/").len(), 2);
    h.remove(tham_tang);
    h.change(&[tham_tang]);
    assert!(!h.has_page("/tin-tuc/tham-tang-qua-tet-at-ty/"));
    assert_eq!(
        h.listed("/2025/01/20/"),
        slugs(&["dam-bao-an-ninh-trat-tu-dip-tet-at-ty"])
    );
    assert!(
        !h.listed_all("/")
            .contains(&"tham-tang-qua-tet-at-ty".to_string())
    );

    h.step("7a. an article file renamed (old and new path reported)");
    let tet_old = "content/articles/2026/tham-chuc-tet-binh-ngo-2026.md";
    let tet_new = "content/articles/2026/tham-hoi-chuc-tet-binh-ngo-2026.md";
    h.rename(tet_old, tet_new);
    h.change(&[tet_old, tet_new]);
    assert!(!h.has_page("/tin-tuc/tham-chuc-tet-binh-ngo-2026/"));
    assert!(h.has_page("/tin-tuc/tham-hoi-chuc-tet-binh-ngo-2026/"));
    assert_eq!(
        h.listed("/2026/02/10/"),
        slugs(&["tham-hoi-chuc-tet-binh-ngo-2026"])
    );
    let home = h.listed_all("/");
    assert!(home.contains(&"tham-hoi-chuc-tet-binh-ngo-2026".to_string()));
    assert!(!home.contains(&"tham-chuc-tet-binh-ngo-2026".to_string()));

    h.step("7b. renamed to the accented spelling of the same address");
    let tet_accented = "content/articles/2026/thăm-hỏi-chúc-tết-bính-ngọ-2026.md";
    h.rename(tet_new, tet_accented);
    h.change(&[tet_new, tet_accented]);
    assert!(h.has_page("/tin-tuc/tham-hoi-chuc-tet-binh-ngo-2026/"));

    h.step("7c. moved to another year's folder");
    let tet_moved = "content/articles/2025/thăm-hỏi-chúc-tết-bính-ngọ-2026.md";
    h.rename(tet_accented, tet_moved);
    h.change(&[tet_accented, tet_moved]);
    assert!(h.has_page("/tin-tuc/tham-hoi-chuc-tet-binh-ngo-2026/"));

    h.step("8. saved by writing a temporary file and renaming it over the article");
    let tmp = "content/articles/2025/.khai-giang-nam-hoc-2025-2026.md.tmp";
    let backup = "content/articles/2025/khai-giang-nam-hoc-2025-2026.md~";
    let original = h.read(KHAI_GIANG);
    h.write(backup, &original);
    h.write(
        tmp,
        &original.replacen(
            "## Lãnh đạo phường dự lễ và tặng quà",
            "Năm học này, toàn phường có thêm hai phòng học thông minh.\n\n## Lãnh đạo phường dự lễ và tặng quà",
            1,
        ),
    );
    h.rename(tmp, KHAI_GIANG);
    h.change(&[tmp, KHAI_GIANG, backup]);
    h.assert_text(KHAI_GIANG_URL, "có thêm hai phòng học thông minh");

    h.step("9a. an article made a draft");
    let ve_sinh = "content/articles/2025/ra-quan-tong-ve-sinh-moi-truong-2025.md";
    h.edit(
        ve_sinh,
        "date = 2025-09-20\n",
        "date = 2025-09-20\ndraft = true\n",
    );
    h.change(&[ve_sinh]);
    assert!(!h.has_page("/tin-tuc/ra-quan-tong-ve-sinh-moi-truong-2025/"));
    assert!(
        !h.listed_all("/")
            .contains(&"ra-quan-tong-ve-sinh-moi-truong-2025".to_string())
    );

    h.step("9b. a draft published");
    let ke_hoach = "content/articles/2026/ke-hoach-tong-ket-nam-2026.md";
    assert!(!h.has_page("/tin-tuc/ke-hoach-tong-ket-nam-2026/"));
    h.edit(ke_hoach, "draft = true\n", "");
    h.change(&[ke_hoach]);
    assert!(h.has_page("/tin-tuc/ke-hoach-tong-ket-nam-2026/"));
    assert_eq!(
        h.listed("/").first().map(String::as_str),
        Some("ke-hoach-tong-ket-nam-2026"),
        "the newest article comes first"
    );

    h.step("10a. an article's slug and aliases set");
    h.edit(
        KHAI_GIANG,
        "author = \"Ngọc Trâm\"\n",
        "author = \"Ngọc Trâm\"\nslug = \"khai-giang-2025\"\naliases = [\"/tin-tuc/cu/khai-giang.html\"]\n",
    );
    h.change(&[KHAI_GIANG]);
    assert!(!h.has_page(KHAI_GIANG_URL));
    h.assert_text(
        "/tin-tuc/khai-giang-2025/",
        "có thêm hai phòng học thông minh",
    );
    assert!(
        h.html("/tin-tuc/cu/khai-giang.html")
            .contains("/tin-tuc/khai-giang-2025/"),
        "the alias redirects to the new address"
    );

    h.step("10b. the aliases removed");
    h.edit(
        KHAI_GIANG,
        "aliases = [\"/tin-tuc/cu/khai-giang.html\"]\n",
        "",
    );
    h.change(&[KHAI_GIANG]);
    assert!(!h.has_page("/tin-tuc/cu/khai-giang.html"));
    assert!(h.has_page("/tin-tuc/khai-giang-2025/"));

    h.step("11. a tag removed from an article with YAML front matter");
    let yaml = "content/articles/2025/ho-tro-nguoi-dan-dich-vu-cong-truc-tuyen.md";
    let yaml_slug = "ho-tro-nguoi-dan-dich-vu-cong-truc-tuyen".to_string();
    assert!(
        h.listed_all("/chu-de/mat-tran-doan-the/")
            .contains(&yaml_slug)
    );
    h.edit(yaml, "  - \"Mặt trận - Đoàn thể\"\n", "");
    h.change(&[yaml]);
    assert!(
        !h.listed_all("/chu-de/mat-tran-doan-the/")
            .contains(&yaml_slug)
    );
    assert!(h.listed_all("/chu-de/chuyen-doi-so/").contains(&yaml_slug));
}

#[test]
fn bundles_and_batches_match_a_clean_build() {
    let mut h = Harness::example();
    let cover = repo_bytes("static/images/tin-tuc/dong-ho-binh-minh.jpg");
    let photo_a = repo_bytes("static/images/can-bo/ly-hoang-tuan.jpg");
    let photo_b = repo_bytes("static/images/can-bo/luu-thanh-binh.jpg");

    h.step("16a. a bundle folder copied in (index.md and images; the folder reported)");
    let bundle = "content/articles/2026/le-ra-mat-cau-lac-bo-duong-sinh";
    let url = "/tin-tuc/le-ra-mat-cau-lac-bo-duong-sinh/";
    h.write(
        &format!("{bundle}/index.md"),
        &article(
            "Ra mắt câu lạc bộ dưỡng sinh khu phố 2",
            "2026-05-10",
            "image = \"anh-bia.jpg\"\nimage_alt = \"Hội viên câu lạc bộ tập dưỡng sinh\"\ntags = [\"Văn hóa - Xã hội\"]\n",
            "Sáng 10/5/2026, khu phố 2 ra mắt câu lạc bộ dưỡng sinh với 40 hội viên.\n\n![Buổi tập đầu tiên](buoi-tap.jpg)",
        ),
    );
    h.write_bytes(&format!("{bundle}/anh-bia.jpg"), &cover);
    h.write_bytes(&format!("{bundle}/buoi-tap.jpg"), &photo_a);
    h.change(&[bundle]);
    h.assert_text(url, "40 hội viên");
    assert_same_photo(
        &h.output_bytes("tin-tuc/le-ra-mat-cau-lac-bo-duong-sinh/anh-bia.jpg"),
        &cover,
    );
    assert_same_photo(
        &h.output_bytes("tin-tuc/le-ra-mat-cau-lac-bo-duong-sinh/buoi-tap.jpg"),
        &photo_a,
    );
    let srcs = h.image_srcs(url);
    assert!(srcs.contains(&"/tin-tuc/le-ra-mat-cau-lac-bo-duong-sinh/anh-bia.jpg".to_string()));
    assert!(
        srcs.contains(&"buoi-tap.jpg".to_string()),
        "a photo of the bundle in the text stays relative to the page: {srcs:?}"
    );

    h.step("16b. an image added to an existing bundle");
    let new_image = format!("{TRUNG_TAM}/so-do-quay.jpg");
    let out_image = "tin-tuc/trung-tam-phuc-vu-hanh-chinh-cong-di-vao-hoat-dong/so-do-quay.jpg";
    h.write_bytes(&new_image, &photo_a);
    h.change(&[&new_image]);
    assert_same_photo(&h.output_bytes(out_image), &photo_a);

    h.step("16c. the new image shown in the bundle's text");
    let index = format!("{TRUNG_TAM}/index.md");
    h.write(
        &index,
        &format!("{}\n![Sơ đồ các quầy](so-do-quay.jpg)\n", h.read(&index)),
    );
    h.change(&[&index]);
    let trung_tam_url = "/tin-tuc/trung-tam-phuc-vu-hanh-chinh-cong-di-vao-hoat-dong/";
    assert!(
        h.image_srcs(trung_tam_url)
            .contains(&"so-do-quay.jpg".to_string())
    );

    h.step("16c'. the photo shown in the text deleted: refused");
    h.remove(&new_image);
    let problems = h.change_fails(&[&new_image]);
    assert!(
        problems.iter().any(|p| p.starts_with(&index)),
        "{problems:?}"
    );

    h.step("16d. the photo saved again, with other bytes");
    h.write_bytes(&new_image, &photo_b);
    let s = h.change(&[&new_image]);
    assert_same_photo(&h.output_bytes(out_image), &photo_b);
    // The photo and its WebP copy (300 px wide: no smaller copies).
    let webp = out_image.replace(".jpg", "-300w.webp");
    assert_eq!(s.written, vec![webp, out_image.to_string()]);

    h.step("16e. the image renamed and its reference updated");
    let renamed_image = format!("{TRUNG_TAM}/so-do-cac-quay.jpg");
    h.rename(&new_image, &renamed_image);
    h.edit(&index, "](so-do-quay.jpg)", "](so-do-cac-quay.jpg)");
    h.change(&[&new_image, &renamed_image, &index]);
    assert!(!h.out.join(out_image).exists());
    assert_same_photo(
        &h.output_bytes(
            "tin-tuc/trung-tam-phuc-vu-hanh-chinh-cong-di-vao-hoat-dong/so-do-cac-quay.jpg",
        ),
        &photo_b,
    );

    h.step("16f. a bundle folder renamed (old and new folder reported)");
    let renamed = "content/articles/2026/cau-lac-bo-duong-sinh-khu-pho-2";
    h.rename(bundle, renamed);
    h.change(&[bundle, renamed]);
    assert!(!h.has_page(url));
    assert!(
        !h.out
            .join("tin-tuc/le-ra-mat-cau-lac-bo-duong-sinh")
            .exists()
    );
    h.assert_text("/tin-tuc/cau-lac-bo-duong-sinh-khu-pho-2/", "40 hội viên");
    assert_same_photo(
        &h.output_bytes("tin-tuc/cau-lac-bo-duong-sinh-khu-pho-2/anh-bia.jpg"),
        &cover,
    );

    h.step("16g. a bundle folder deleted");
    h.remove(renamed);
    h.change(&[renamed]);
    assert!(
        !h.out
            .join("tin-tuc/cau-lac-bo-duong-sinh-khu-pho-2")
            .exists()
    );
    assert!(
        !h.listed_all("/")
            .contains(&"cau-lac-bo-duong-sinh-khu-pho-2".to_string())
    );

    h.step("16h. a plain article turned into a bundle with an image");
    let plain = "content/articles/2026/mot-nam-van-hanh-chinh-quyen-hai-cap.md";
    let as_bundle = "content/articles/2026/mot-nam-van-hanh-chinh-quyen-hai-cap";
    let text = h.read(plain);
    h.remove(plain);
    h.write(
        &format!("{as_bundle}/index.md"),
        &text.replacen(
            "tags = [",
            "image = \"toan-canh.jpg\"\nimage_alt = \"Toàn cảnh trụ sở phường\"\ntags = [",
            1,
        ),
    );
    h.write_bytes(&format!("{as_bundle}/toan-canh.jpg"), &cover);
    h.change(&[plain, as_bundle]);
    assert_same_photo(
        &h.output_bytes("tin-tuc/mot-nam-van-hanh-chinh-quyen-hai-cap/toan-canh.jpg"),
        &cover,
    );

    h.step("19a. many changes in one batch");
    let new_articles = [
        (
            "content/articles/2026/tiep-cong-dan-thang-5-2026.md",
            "Lãnh đạo phường tiếp công dân định kỳ tháng 5/2026",
            "2026-05-15",
        ),
        (
            "content/articles/2026/hoi-thi-tieng-hat-2026.md",
            "Hội thi tiếng hát người cao tuổi năm 2026",
            "2026-01-18",
        ),
        (
            "content/articles/2024/trao-the-bhyt-2024.md",
            "Trao thẻ bảo hiểm y tế cho hộ cận nghèo",
            "2024-08-30T09:00:00+07:00",
        ),
    ];
    for (rel, title, date) in new_articles {
        h.write(
            rel,
            &article(
                title,
                date,
                "tags = [\"An sinh xã hội\"]\n",
                &format!("{title}: nội dung chi tiết."),
            ),
        );
    }
    let cu_tri = "content/articles/2026/cu-tri-di-bau-cu-15-3-2026.md";
    h.edit(
        cu_tri,
        "title = \"Cử tri phường Tô Châu nô nức đi bầu cử\"",
        "title = \"Cử tri phường Tô Châu nô nức đi bầu cử ngày 15/3\"",
    );
    let deleted = "content/articles/2024/ra-quan-lam-cho-the-gioi-sach-hon-2024.md";
    h.remove(deleted);
    h.edit(
        TRAN_QUOC_AN,
        "Đồng chí Trần Quốc Ân là Đảng ủy viên",
        "Thượng tá Trần Quốc Ân là Đảng ủy viên",
    );
    let static_file = "static/images/tin-tuc/ban-do-phuong.jpg";
    h.write_bytes(static_file, &photo_b);
    let page = "content/pages/lien-he.md";
    h.edit(
        page,
        "cấp cứu **115**",
        "cấp cứu **115**, đường dây nóng phường **0297 3 852 199**",
    );
    let mut paths: Vec<&str> = new_articles.iter().map(|(rel, _, _)| *rel).collect();
    paths.extend([cu_tri, deleted, TRAN_QUOC_AN, static_file, page]);
    h.change(&paths);
    let home = h.listed_all("/");
    for slug in [
        "tiep-cong-dan-thang-5-2026",
        "hoi-thi-tieng-hat-2026",
        "trao-the-bhyt-2024",
    ] {
        assert!(home.contains(&slug.to_string()), "home lists {slug}");
        assert!(
            h.listed_all("/chu-de/an-sinh-xa-hoi/")
                .contains(&slug.to_string())
        );
    }
    assert!(!home.contains(&"ra-quan-lam-cho-the-gioi-sach-hon-2024".to_string()));
    assert!(h.has_page("/2024/08/30/") && !h.has_page("/2024/09/"));
    h.assert_text("/", "nô nức đi bầu cử ngày 15/3");
    h.assert_text("/can-bo/tran-quoc-an/", "Thượng tá Trần Quốc Ân");
    h.assert_text("/lien-he/", "đường dây nóng phường");
    assert_eq!(h.output_bytes("images/tin-tuc/ban-do-phuong.jpg"), photo_b);

    h.step("19b. a batch with a repeated path and a file created and deleted within the burst");
    let gone = "content/articles/2026/nhap-tam.md";
    h.edit(
        cu_tri,
        "nô nức đi bầu cử ngày 15/3",
        "nô nức đi bầu cử sáng 15/3",
    );
    h.change(&[cu_tri, gone, cu_tri, gone]);
    h.assert_text("/", "nô nức đi bầu cử sáng 15/3");
    assert!(!h.has_page("/tin-tuc/nhap-tam/"));
}

// ---------------------------------------------------------------------------
// Officials, departments, pages, mentions
// ---------------------------------------------------------------------------

#[test]
fn people_pages_and_mentions_match_a_clean_build() {
    let mut h = Harness::example();
    let hoi_thao = "content/articles/2026/hoi-thao-an-ninh-co-so.md";
    let hoi_thao_url = "/tin-tuc/hoi-thao-an-ninh-co-so/";
    let hoi_thao_slug = "hoi-thao-an-ninh-co-so".to_string();
    let content_links = |h: &Harness| h.hrefs(hoi_thao_url, "main .content a[href]");

    h.step("17a. an article naming people who have no file (yet), or only under another name");
    h.write(
        hoi_thao,
        &article(
            "Hội thảo nâng cao hiệu quả phong trào toàn dân bảo vệ an ninh Tổ quốc",
            "2026-05-12",
            "tags = [\"Quốc phòng - An ninh\"]\n",
            "Chiều 12/5/2026, phường tổ chức hội thảo về phong trào toàn dân bảo vệ an ninh Tổ quốc.\n\n\
             Thượng tá Q. Ân trình bày tham luận chính. Ông Nguyễn Văn Tám, Trưởng khu phố 3, chia sẻ \
             kinh nghiệm lắp camera an ninh.",
        ),
    );
    h.change(&[hoi_thao]);
    h.assert_text(hoi_thao_url, "Ông Nguyễn Văn Tám");
    let links = content_links(&h);
    assert!(
        !links.iter().any(|l| l.starts_with("/can-bo/")),
        "no official is linked yet: {links:?}"
    );

    h.step("9a. an official's alias added: the mention in the article becomes a link");
    h.edit(
        TRAN_QUOC_AN,
        "name = \"Trần Quốc Ân\"\n",
        "name = \"Trần Quốc Ân\"\naliases = [\"Q. Ân\"]\n",
    );
    h.change(&[TRAN_QUOC_AN]);
    assert!(content_links(&h).contains(&"/can-bo/tran-quoc-an/".to_string()));
    assert!(
        h.listed_all("/can-bo/tran-quoc-an/")
            .contains(&hoi_thao_slug)
    );

    h.step("9b. an official's biography edited");
    h.edit(
        TRAN_QUOC_AN,
        "Đồng chí chỉ huy lực lượng Công an phường",
        "Từ năm 2025, đồng chí chỉ huy lực lượng Công an phường",
    );
    h.change(&[TRAN_QUOC_AN]);
    h.assert_text("/can-bo/tran-quoc-an/", "Từ năm 2025, đồng chí chỉ huy");

    h.step("9c. an official's positions renamed");
    h.edit(
        TRAN_QUOC_AN,
        "title = \"Trưởng Công an phường\"",
        "title = \"Thượng tá, Trưởng Công an phường\"",
    );
    h.edit(
        TRAN_QUOC_AN,
        "title = \"Đảng ủy viên\"",
        "title = \"Ủy viên Ban Chấp hành Đảng bộ phường\"",
    );
    h.change(&[TRAN_QUOC_AN]);
    h.assert_text("/can-bo/tran-quoc-an/", "Thượng tá, Trưởng Công an phường");
    h.assert_text(
        "/don-vi/cong-an-phuong/",
        "Thượng tá, Trưởng Công an phường",
    );
    for url in ["/can-bo/", KIEM_TRA_URL, hoi_thao_url] {
        h.assert_text(url, "Ủy viên Ban Chấp hành Đảng bộ phường");
    }

    h.step("9d. an official's position ends before today");
    let kieu = "content/officials/truong-the-kieu.md";
    h.edit(
        kieu,
        "department = \"Ủy ban nhân dân phường Tô Châu\"\nfrom = 2025-07-01\n",
        "department = \"Ủy ban nhân dân phường Tô Châu\"\nfrom = 2025-07-01\nto = 2026-02-28\n",
    );
    h.change(&[kieu]);
    h.assert_text("/can-bo/truong-the-kieu/", "28/02/2026");

    h.step("10a/17b. the official named in the article gets a file: the name becomes a link");
    let tam = "content/officials/nguyen-van-tam.md";
    h.write(
        tam,
        "+++\nname = \"Nguyễn Văn Tám\"\norder = 20\n\n[[positions]]\ntitle = \"Trưởng khu phố 3\"\n\
         department = \"ubnd\"\nfrom = 2025-07-01\n+++\nĐồng chí Nguyễn Văn Tám là Trưởng khu phố 3.\n",
    );
    h.change(&[tam]);
    assert!(h.has_page("/can-bo/nguyen-van-tam/"));
    assert!(content_links(&h).contains(&"/can-bo/nguyen-van-tam/".to_string()));
    assert!(
        h.listed_all("/can-bo/nguyen-van-tam/")
            .contains(&hoi_thao_slug)
    );
    h.assert_text("/can-bo/", "Nguyễn Văn Tám");

    h.step("10b. the official deleted: the link and the page go");
    h.remove(tam);
    h.change(&[tam]);
    assert!(!h.has_page("/can-bo/nguyen-van-tam/"));
    assert!(!content_links(&h).contains(&"/can-bo/nguyen-van-tam/".to_string()));
    h.assert_no_text("/can-bo/", "Nguyễn Văn Tám");
    h.assert_text(hoi_thao_url, "Ông Nguyễn Văn Tám");

    h.step("11a. a department renamed, its old name kept as an alias");
    let new_name = "Phòng Văn hóa, Khoa học và Thông tin";
    h.edit(
        VAN_HOA,
        "name = \"Phòng Văn hóa - Xã hội\"",
        &format!("name = \"{new_name}\""),
    );
    h.edit(
        VAN_HOA,
        "aliases = [",
        "aliases = [\"Phòng Văn hóa - Xã hội\", ",
    );
    h.change(&[VAN_HOA]);
    assert_eq!(h.h1("/don-vi/phong-van-hoa-xa-hoi/"), new_name);
    h.assert_text("/don-vi/", new_name);
    h.assert_text("/co-cau-to-chuc/", new_name);

    h.step("11b. a department's contact, parent and text edited");
    h.edit(VAN_HOA, "0297 3 852 153", "0297 3 852 199");
    h.edit(VAN_HOA, "parent = \"ubnd\"", "parent = \"dang-uy\"");
    h.edit(
        VAN_HOA,
        "## Nhiệm vụ chủ yếu",
        "Phòng được kiện toàn từ tháng 5/2026.\n\n## Nhiệm vụ chủ yếu",
    );
    h.change(&[VAN_HOA]);
    h.assert_text("/don-vi/phong-van-hoa-xa-hoi/", "0297 3 852 199");
    h.assert_text("/don-vi/phong-van-hoa-xa-hoi/", "kiện toàn từ tháng 5/2026");

    h.step("11c. a new department whose name an existing article already contains");
    let dept = "content/departments/ban-chi-huy-phong-thu-dan-su.md";
    let storm_url = "/tin-tuc/phong-chong-thien-tai-trieu-cuong-2026/";
    let dept_link = "/don-vi/ban-chi-huy-phong-thu-dan-su/".to_string();
    assert!(
        !h.hrefs(storm_url, "main .content a[href]")
            .contains(&dept_link)
    );
    h.write(
        dept,
        "+++\nname = \"Ban Chỉ huy Phòng thủ dân sự phường\"\nparent = \"ubnd\"\norder = 30\n+++\n\
         Ban Chỉ huy Phòng thủ dân sự phường chỉ đạo phòng, chống thiên tai.\n",
    );
    h.change(&[dept]);
    assert!(
        h.hrefs(storm_url, "main .content a[href]")
            .contains(&dept_link)
    );
    assert!(
        h.listed_all("/don-vi/ban-chi-huy-phong-thu-dan-su/")
            .contains(&"phong-chong-thien-tai-trieu-cuong-2026".to_string())
    );

    h.step("11d. the new department deleted");
    h.remove(dept);
    h.change(&[dept]);
    assert!(!h.has_page("/don-vi/ban-chi-huy-phong-thu-dan-su/"));
    assert!(
        !h.hrefs(storm_url, "main .content a[href]")
            .contains(&dept_link)
    );

    h.step("12a. a content page's title and text edited");
    let gioi_thieu = "content/pages/gioi-thieu.md";
    h.edit(
        gioi_thieu,
        "title = \"Giới thiệu phường Tô Châu\"",
        "title = \"Giới thiệu chung về phường Tô Châu\"",
    );
    h.edit(
        gioi_thieu,
        "## Quá trình hình thành",
        "Diện tích tự nhiên của phường được cập nhật năm 2026.\n\n## Quá trình hình thành",
    );
    h.change(&[gioi_thieu]);
    assert_eq!(h.h1("/gioi-thieu/"), "Giới thiệu chung về phường Tô Châu");
    h.assert_text("/gioi-thieu/", "được cập nhật năm 2026");

    h.step("12b. a new content page");
    let hoi_dap = "content/pages/hoi-dap.md";
    h.write(
        hoi_dap,
        "+++\ntitle = \"Hỏi đáp thủ tục hành chính\"\n+++\nNgười dân có thể gửi câu hỏi về thủ tục hành chính.\n",
    );
    h.change(&[hoi_dap]);
    h.assert_text("/hoi-dap/", "gửi câu hỏi về thủ tục hành chính");

    h.step("12c. the content page deleted");
    h.remove(hoi_dap);
    h.change(&[hoi_dap]);
    assert!(!h.has_page("/hoi-dap/"));

    h.step("a body edit naming another official: the article joins the official's page");
    let khai_giang_slug = "khai-giang-nam-hoc-2025-2026".to_string();
    assert!(
        !h.listed_all("/can-bo/tran-quoc-an/")
            .contains(&khai_giang_slug)
    );
    h.edit(
        KHAI_GIANG,
        "## Lãnh đạo phường dự lễ và tặng quà",
        "Đồng chí Trần Quốc Ân chỉ đạo bảo đảm an toàn giao thông trước cổng trường.\n\n## Lãnh đạo phường dự lễ và tặng quà",
    );
    h.change(&[KHAI_GIANG]);
    assert!(
        h.listed_all("/can-bo/tran-quoc-an/")
            .contains(&khai_giang_slug)
    );
    assert!(
        h.hrefs(KHAI_GIANG_URL, "main .content a[href]")
            .contains(&"/can-bo/tran-quoc-an/".to_string())
    );
}

// ---------------------------------------------------------------------------
// Templates, static files, site.toml, themes
// ---------------------------------------------------------------------------

#[test]
fn templates_static_files_and_config_match_a_clean_build() {
    let mut h = Harness::example();
    let initial: BTreeMap<String, Vec<u8>> = h
        .last
        .iter()
        .map(|(k, f)| (k.clone(), f.bytes.clone()))
        .collect();
    let bytes_now = |h: &Harness| -> BTreeMap<String, Vec<u8>> {
        h.last
            .iter()
            .map(|(k, f)| (k.clone(), f.bytes.clone()))
            .collect()
    };

    h.step("13a. a site template overriding the theme's article.html");
    let template = "templates/article.html";
    let theme_article = repo_text("themes/phuong/templates/article.html");
    let marked = theme_article.replacen(
        "<div class=\"content\">",
        "<p class=\"ban-rieng\">Bản tin phường Tô Châu</p>\n<div class=\"content\">",
        1,
    );
    assert_ne!(marked, theme_article);
    h.write(template, &marked);
    let s = h.change(&[template]);
    let articles = h.article_pages();
    assert!(articles.len() > 20);
    for rel in &articles {
        assert!(
            s.written.contains(rel),
            "{rel} is rendered with the new template"
        );
    }
    h.assert_text(KIEM_TRA_URL, "Bản tin phường Tô Châu");
    h.assert_no_text("/", "Bản tin phường Tô Châu");

    h.step("13b. the site template edited");
    h.edit(template, "Bản tin phường Tô Châu", "Tin tức phường Tô Châu");
    h.change(&[template]);
    h.assert_text(KIEM_TRA_URL, "Tin tức phường Tô Châu");

    h.step("13c. a new partial overriding a theme component");
    let partial = "templates/partials/rieng.html";
    h.write(
        partial,
        "{% component phone_link(number) -%}\n<a class=\"so-dien-thoai\" href=\"tel:{{ number | replace(from=' ', to='') }}\">ĐT {{ number }}</a>\n{%- endcomponent phone_link %}\n",
    );
    h.change(&[partial]);
    assert!(h.html("/").contains("class=\"so-dien-thoai\""));
    assert!(h.html("/").contains("ĐT 0297 3 852 150"));

    h.step("13d. the partial edited");
    h.edit(partial, "ĐT {{ number }}", "Điện thoại {{ number }}");
    h.change(&[partial]);
    assert!(h.html("/").contains("Điện thoại 0297 3 852 150"));

    h.step("13e. the partial deleted");
    h.remove(partial);
    h.change(&[partial]);
    assert!(!h.html("/").contains("so-dien-thoai"));

    h.step("13f. the site template deleted: the theme's is used again");
    h.remove(template);
    h.change(&[template]);
    assert!(
        bytes_now(&h) == initial,
        "with the overrides gone, the output is the first build's again"
    );

    h.step("14a. a static file added");
    let photo_a = repo_bytes("static/images/can-bo/ly-hoang-tuan.jpg");
    let photo_b = repo_bytes("static/images/can-bo/luu-thanh-binh.jpg");
    let map = "static/images/tin-tuc/so-do-phuong.jpg";
    h.write_bytes(map, &photo_a);
    let s = h.change(&[map]);
    assert_eq!(s.written, vec!["images/tin-tuc/so-do-phuong.jpg"]);
    assert_eq!(h.output_bytes("images/tin-tuc/so-do-phuong.jpg"), photo_a);

    h.step("14b. the static file changed");
    h.write_bytes(map, &photo_b);
    let s = h.change(&[map]);
    assert_eq!(s.written, vec!["images/tin-tuc/so-do-phuong.jpg"]);
    assert_eq!(h.output_bytes("images/tin-tuc/so-do-phuong.jpg"), photo_b);

    h.step("14c. a site stylesheet replacing the theme's");
    let theme_css = repo_bytes("themes/phuong/static/style.css");
    assert_eq!(h.output_bytes("style.css"), theme_css);
    let mut css = theme_css.clone();
    css.extend_from_slice(b"\n.ban-rieng { color: #b00; }\n");
    h.write_bytes("static/style.css", &css);
    let s = h.change(&["static/style.css"]);
    assert_eq!(h.output_bytes("style.css"), css);
    assert!(s.css_only(), "only the stylesheet changed: {:?}", s.written);

    h.step("14d. the site stylesheet edited");
    css.extend_from_slice(b".so-dien-thoai { font-weight: bold; }\n");
    h.write_bytes("static/style.css", &css);
    let s = h.change(&["static/style.css"]);
    assert_eq!(h.output_bytes("style.css"), css);
    assert!(s.css_only());

    h.step("14e. the site stylesheet deleted: the theme's is back");
    h.remove("static/style.css");
    h.change(&["static/style.css"]);
    assert_eq!(h.output_bytes("style.css"), theme_css);

    h.step("14f. a folder of static files copied in (the folder reported)");
    h.write_bytes("static/tai-lieu/ke-hoach-2026.pdf", b"%PDF-1.4 ke hoach\n");
    h.write_bytes("static/tai-lieu/mau-don/don-de-nghi.docx", b"PK mau don\n");
    h.change(&["static/tai-lieu"]);
    assert_eq!(
        h.output_bytes("tai-lieu/ke-hoach-2026.pdf"),
        b"%PDF-1.4 ke hoach\n"
    );
    assert_eq!(
        h.output_bytes("tai-lieu/mau-don/don-de-nghi.docx"),
        b"PK mau don\n"
    );

    h.step("14g. the static folder and the static file deleted");
    h.remove("static/tai-lieu");
    h.remove(map);
    h.change(&["static/tai-lieu", map]);
    assert!(!h.out.join("tai-lieu").exists());
    assert!(
        bytes_now(&h) == initial,
        "the output is the first build's again"
    );

    h.step("14h. a static file at the address of a page: the page wins");
    let shadow = "static/lien-he/index.html";
    let shadow_html = "<!doctype html><title>Liên hệ (bản tĩnh)</title><p>Bản tĩnh</p>\n";
    h.write(shadow, shadow_html);
    h.change_nothing(&[shadow]);

    h.step("14i. the page deleted: the static file takes its address");
    let lien_he = "content/pages/lien-he.md";
    let lien_he_text = h.read(lien_he);
    h.remove(lien_he);
    h.change(&[lien_he]);
    assert_eq!(h.output_bytes("lien-he/index.html"), shadow_html.as_bytes());

    h.step("14j. the page restored, the static file deleted");
    h.write(lien_he, &lien_he_text);
    h.remove("static/lien-he");
    h.change(&[lien_he, "static/lien-he"]);
    assert!(
        bytes_now(&h) == initial,
        "the output is the first build's again"
    );

    h.step("15a. the site's title changed in site.toml");
    h.edit(
        "site.toml",
        "title = \"Phường Tô Châu\"",
        "title = \"Phường Tô Châu (An Giang)\"",
    );
    let s = h.change(&["site.toml"]);
    assert!(h.html("/").contains("Phường Tô Châu (An Giang)"));
    for rel in ["index.html", "404.html", "can-bo/index.html"] {
        assert!(
            s.written.iter().any(|w| w == rel),
            "{rel} shows the site's title"
        );
    }
    assert!(h.article_pages().iter().all(|a| s.written.contains(a)));

    h.step("15b. paginate_by lowered");
    h.edit("site.toml", "paginate_by = 10", "paginate_by = 4");
    h.change(&["site.toml"]);
    assert!(h.has_page("/trang/5/") && h.has_page("/2025/trang/3/"));
    assert_eq!(h.listed("/trang/2/").len(), 4);

    h.step("15c. paginate_by raised again");
    h.edit("site.toml", "paginate_by = 4", "paginate_by = 10");
    let s = h.change(&["site.toml"]);
    assert!(!h.has_page("/trang/4/") && !h.has_page("/2025/trang/3/"));
    assert!(s.removed.iter().any(|r| r == "trang/5/index.html"));

    h.step("15d. a menu item and the contact block edited");
    h.edit(
        "site.toml",
        "[contact]",
        "[[menu]]\nname = \"Hỏi đáp\"\nurl = \"/lien-he/\"\n\n[contact]",
    );
    h.edit(
        "site.toml",
        "phone = \"0297 3 852 150\"",
        "phone = \"0297 3 852 100\"",
    );
    h.change(&["site.toml"]);
    let html = h.html("/");
    assert!(html.contains("Hỏi đáp") && html.contains("0297 3 852 100"));

    h.step("15e. mention links switched off");
    let toml = h.read("site.toml");
    h.write("site.toml", &format!("{toml}\n[mentions]\nlink = false\n"));
    h.change(&["site.toml"]);
    assert!(h.hrefs(KIEM_TRA_URL, "main .content a[href]").is_empty());

    h.step("15f. mention links switched on again");
    h.write("site.toml", &toml);
    h.change(&["site.toml"]);
    assert!(
        h.hrefs(KIEM_TRA_URL, "main .content a[href]")
            .contains(&"/can-bo/luu-thanh-binh/".to_string())
    );

    h.step("15g. base_url moved under a path");
    h.edit(
        "site.toml",
        "base_url = \"https://tochau.angiang.gov.vn/\"",
        "base_url = \"https://angiang.gov.vn/to-chau/\"",
    );
    h.base_path = "/to-chau/".into();
    h.change(&["site.toml"]);
    assert!(h.html("/").contains("href=\"/to-chau/tin-tuc/"));
    assert!(
        h.hrefs(KIEM_TRA_URL, "main .content a[href]")
            .contains(&"/to-chau/can-bo/luu-thanh-binh/".to_string())
    );
    assert!(
        h.image_srcs("/tin-tuc/trung-tam-phuc-vu-hanh-chinh-cong-di-vao-hoat-dong/")
            .iter()
            .all(|src| src.starts_with("/to-chau/"))
    );

    h.step("15h. base_url back at the root");
    h.edit(
        "site.toml",
        "base_url = \"https://angiang.gov.vn/to-chau/\"",
        "base_url = \"https://tochau.angiang.gov.vn/\"",
    );
    h.base_path = "/".into();
    h.change(&["site.toml"]);
    assert!(!h.html("/").contains("/to-chau/"));

    h.step("theme: another theme copied into themes/ but not used yet");
    copy_dir(
        &repo("themes/tuong-phan-cao"),
        &h.path("themes/tuong-phan-cao"),
    );
    h.change_nothing(&["themes/tuong-phan-cao"]);

    h.step("theme: site.toml switched to it");
    h.edit(
        "site.toml",
        "theme = \"phuong\"",
        "theme = \"tuong-phan-cao\"",
    );
    h.change(&["site.toml"]);
    assert!(h.html("/").contains("theme-tuong-phan-cao"));
    assert_eq!(
        h.output_bytes("style.css"),
        repo_bytes("themes/tuong-phan-cao/static/style.css")
    );

    h.step("theme: its stylesheet edited");
    let theme_css_path = "themes/tuong-phan-cao/static/style.css";
    let mut css = h.read(theme_css_path);
    css.push_str("\n.summary { font-size: 1.2em; }\n");
    h.write(theme_css_path, &css);
    let s = h.change(&[theme_css_path]);
    assert!(s.css_only(), "only the stylesheet changed: {:?}", s.written);

    h.step("theme: a block of its base.html edited");
    let theme_base = "themes/tuong-phan-cao/templates/base.html";
    h.edit(
        theme_base,
        "{% block emblem %}{% endblock emblem %}",
        "{% block emblem %}<span class=\"bieu-tuong-chu\">TC</span>{% endblock emblem %}",
    );
    let s = h.change(&[theme_base]);
    assert!(h.html("/").contains("bieu-tuong-chu"));
    assert!(s.written.len() > 100, "every page uses base.html");

    h.step("theme: a setting its base.html passes to the parent's components edited");
    h.edit(
        theme_base,
        "list_date_format = \"full\"",
        "list_date_format = \"short\"",
    );
    let before = h.main_text("/");
    h.change(&[theme_base]);
    assert_ne!(
        h.main_text("/"),
        before,
        "the home listing shows dates differently"
    );

    h.step("theme: back to phuong, the other theme's folder deleted");
    h.edit(
        "site.toml",
        "theme = \"tuong-phan-cao\"",
        "theme = \"phuong\"",
    );
    h.remove("themes/tuong-phan-cao");
    h.change(&["site.toml", "themes/tuong-phan-cao"]);
    assert!(!h.html("/").contains("theme-tuong-phan-cao"));
    assert_eq!(h.output_bytes("style.css"), theme_css);

    h.step("theme: a copy of phuong in the site's themes/ replaces the built-in one");
    copy_dir(&repo("themes/phuong"), &h.path("themes/phuong"));
    h.change_nothing(&["themes/phuong"]);

    h.step("theme: the site's copy of phuong edited");
    let base = "themes/phuong/templates/base.html";
    h.edit(
        base,
        "</main>",
        "<p class=\"ban-quyen\">Bản quyền thuộc phường Tô Châu</p>\n</main>",
    );
    let s = h.change(&[base]);
    assert!(h.main_text("/").contains("Bản quyền thuộc phường Tô Châu"));
    assert!(
        h.main_text("/can-bo/")
            .contains("Bản quyền thuộc phường Tô Châu")
    );
    assert!(s.written.len() > 100, "every page uses base.html");

    h.step("theme: the site's copy deleted (the folder reported)");
    h.remove("themes");
    h.change(&["themes"]);
    h.assert_no_text("/", "Bản quyền thuộc phường Tô Châu");
}

// ---------------------------------------------------------------------------
// Broken saves
// ---------------------------------------------------------------------------

#[test]
fn broken_saves_keep_the_last_good_output_and_recover() {
    let mut h = Harness::example();
    let good = h.read(KIEM_TRA);

    h.step("18a. invalid front matter (a quote left open)");
    h.write(
        KIEM_TRA,
        &good.replacen("khu vực bỏ phiếu\"\n", "khu vực bỏ phiếu\n", 1),
    );
    let problems = h.change_fails(&[KIEM_TRA]);
    assert!(
        problems.iter().any(|p| p.starts_with(KIEM_TRA)),
        "the problem names the file: {problems:?}"
    );

    h.step("18b. fixed, with a change to the text");
    h.write(
        KIEM_TRA,
        &good.replacen(
            "Qua kiểm tra, đoàn ghi nhận",
            "Sau khi sửa lỗi, đoàn ghi nhận",
            1,
        ),
    );
    h.change(&[KIEM_TRA]);
    h.assert_text(KIEM_TRA_URL, "Sau khi sửa lỗi, đoàn ghi nhận");

    h.step("18c. a good edit and a broken official in one batch");
    let official = h.read(TRAN_QUOC_AN);
    h.edit(
        KHAI_GIANG,
        "## Lãnh đạo phường dự lễ và tặng quà",
        "Ghi chú của ban biên tập sau sự cố.\n\n## Lãnh đạo phường dự lễ và tặng quà",
    );
    h.edit(TRAN_QUOC_AN, "order = 8", "order = \"tám\"");
    let problems = h.change_fails(&[KHAI_GIANG, TRAN_QUOC_AN]);
    assert!(
        problems.iter().any(|p| p.starts_with(TRAN_QUOC_AN)),
        "{problems:?}"
    );

    h.step("18d. the official fixed, only its path reported: the earlier edit shows too");
    h.write(TRAN_QUOC_AN, &official);
    h.change(&[TRAN_QUOC_AN]);
    h.assert_text(KHAI_GIANG_URL, "Ghi chú của ban biên tập sau sự cố.");

    h.step("18e. site.toml broken");
    h.edit("site.toml", "paginate_by = 10", "paginate_by = \"mười\"");
    let problems = h.change_fails(&["site.toml"]);
    assert!(
        problems.iter().any(|p| p.starts_with("site.toml")),
        "{problems:?}"
    );

    h.step("18f. an article edited while site.toml is still broken");
    h.edit(
        SOT_XUAT_HUYET,
        "title = \"Ra quân diệt lăng quăng",
        "title = \"Đồng loạt ra quân diệt lăng quăng",
    );
    h.change_fails(&[SOT_XUAT_HUYET]);

    h.step("18g. site.toml fixed: the article edit shows too");
    h.edit("site.toml", "paginate_by = \"mười\"", "paginate_by = 10");
    h.change(&["site.toml"]);
    h.assert_text("/", "Đồng loạt ra quân diệt lăng quăng");

    h.step("18h. a site template with a syntax error");
    let template = "templates/article.html";
    h.write(
        template,
        "{% extends \"base.html\" %}\n{% block content %}{% if %}{% endblock content %}\n",
    );
    h.change_fails(&[template]);

    h.step("18i. the broken template deleted: the output is already right");
    h.remove(template);
    h.change_nothing(&[template]);

    h.step("18j. an article naming an official who has no file");
    h.edit(
        KHANH_THANH,
        "date = 2026-04-24\n",
        "date = 2026-04-24\nofficials = [\"Hà Văn Mới\"]\n",
    );
    let problems = h.change_fails(&[KHANH_THANH]);
    assert!(
        problems.iter().any(|p| p.starts_with(KHANH_THANH)),
        "{problems:?}"
    );

    h.step("18k. fixed by creating the official, not by editing the article");
    let moi = "content/officials/ha-van-moi.md";
    h.write(
        moi,
        "+++\nname = \"Hà Văn Mới\"\norder = 30\n\n[[positions]]\ntitle = \"Trưởng khu phố 5\"\n\
         department = \"ubnd\"\nfrom = 2025-07-01\n+++\nTrưởng khu phố 5.\n",
    );
    h.change(&[moi]);
    assert!(
        h.listed_all("/can-bo/ha-van-moi/")
            .contains(&"khanh-thanh-duong-be-tong-khu-pho".to_string())
    );

    h.step("18l. an official named in an article's front matter deleted");
    let loi = "content/officials/dinh-van-loi.md";
    let loi_text = h.read(loi);
    h.remove(loi);
    let problems = h.change_fails(&[loi]);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("content/articles/2024/hoi-nghi-tong-ket-nam-2024.md")),
        "{problems:?}"
    );

    h.step("18m. the official restored: the output is already right");
    h.write(loi, &loi_text);
    h.change_nothing(&[loi]);

    h.step("18n. an official's photo deleted from static/");
    let photo = "static/images/can-bo/luu-thanh-binh.jpg";
    let photo_bytes = std::fs::read(h.path(photo)).expect("the photo");
    h.remove(photo);
    let problems = h.change_fails(&[photo]);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("content/officials/luu-thanh-binh.md")),
        "{problems:?}"
    );

    h.step("18o. the photo restored");
    h.write_bytes(photo, &photo_bytes);
    h.change_nothing(&[photo]);

    h.step("18p. two articles with the same address");
    let twin = "content/articles/2025/kiem-tra-cong-tac-chuan-bi-bau-cu.md";
    h.write(
        twin,
        &article(
            "Bài trùng địa chỉ",
            "2025-03-01",
            "",
            "Một bài khác cùng tên tệp.",
        ),
    );
    h.change_fails(&[twin]);

    h.step("18q. the twin deleted");
    h.remove(twin);
    h.change_nothing(&[twin]);

    h.step("18r. a file saved in a legacy encoding");
    let legacy = "content/articles/2026/bai-ma-cu.md";
    h.write_bytes(
        legacy,
        b"+++\ntitle = \"Ph\xf2ng ch\xe1y\"\ndate = 2026-05-01\n+++\nN\xe9i dung.\n",
    );
    let problems = h.change_fails(&[legacy]);
    assert!(
        problems.iter().any(|p| p.starts_with(legacy)),
        "{problems:?}"
    );

    h.step("18s. re-saved as UTF-8");
    h.write(
        legacy,
        &article(
            "Phòng cháy chữa cháy mùa khô",
            "2026-05-01",
            "",
            "Nội dung đã lưu lại bằng UTF-8.",
        ),
    );
    h.change(&[legacy]);
    h.assert_text("/tin-tuc/bai-ma-cu/", "Nội dung đã lưu lại bằng UTF-8.");
}

// ---------------------------------------------------------------------------
// Rebuilds that change nothing
// ---------------------------------------------------------------------------

#[test]
fn rebuilds_without_a_real_change_write_nothing() {
    let mut h = Harness::example();

    h.step("a full rebuild with nothing changed");
    let before = h.last.clone();
    let s = h
        .session
        .rebuild()
        .unwrap_or_else(|e| panic!("rebuild failed: {}", describe(&e)));
    assert!(
        s.written.is_empty() && s.removed.is_empty(),
        "written {:?}, removed {:?}",
        s.written,
        s.removed
    );
    h.check_accounting(&s);
    assert!(
        h.last == before,
        "every file keeps its bytes, modification time and inode"
    );

    h.step("20a. rebuild_paths with no paths");
    h.change_nothing::<&str>(&[]);

    h.step("20b. paths outside the site's sources: the output folder, other files, other folders");
    h.write("README.md", "Ghi chú cho người quản trị.\n");
    h.write("ghi-chu/viec-can-lam.txt", "Cập nhật ảnh cán bộ.\n");
    let elsewhere = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(elsewhere.path().join("site.toml"), "title = \"Khác\"\n").expect("write");
    let out = h.out.clone();
    let outside = [
        out.clone(),
        out.join("index.html"),
        out.join("tin-tuc"),
        h.path("README.md"),
        h.path("ghi-chu/viec-can-lam.txt"),
        h.path(".git/index"),
        elsewhere.path().join("site.toml"),
        elsewhere.path().join("content/articles/a.md"),
    ];
    h.change_nothing(&outside);

    h.step("20c. editors' swap, backup and hidden files");
    let names = [
        "content/articles/2026/.kiem-tra-cong-tac-chuan-bi-bau-cu.md.swp",
        "content/articles/2026/kiem-tra-cong-tac-chuan-bi-bau-cu.md~",
        "content/articles/2026/.#kiem-tra-cong-tac-chuan-bi-bau-cu.md",
        "content/articles/2026/4913",
        "content/.DS_Store",
        "static/.DS_Store",
        "static/images/~anh-tam.jpg",
    ];
    for name in names {
        h.write(name, "+++\ntitle = \"nháp\"\n");
    }
    h.change_nothing(&names);

    h.step("a file saved without changes");
    let text = h.read(KIEM_TRA);
    h.write(KIEM_TRA, &text);
    h.change_nothing(&[KIEM_TRA]);

    h.step("the same text saved with CRLF line ends and a byte-order mark");
    h.write(KIEM_TRA, &format!("\u{feff}{}", text.replace('\n', "\r\n")));
    h.change_nothing(&[KIEM_TRA]);

    h.step("the same text saved decomposed (NFD), as macOS editors may");
    let nfd: String = h.read(KHAI_GIANG).nfd().collect();
    assert_ne!(nfd, h.read(KHAI_GIANG));
    h.write(KHAI_GIANG, &nfd);
    h.change_nothing(&[KHAI_GIANG]);

    h.step("an empty folder created, then a file that is not Markdown beside the articles");
    h.write("content/articles/2027/.giu-cho", "");
    h.change_nothing(&["content/articles/2027"]);

    h.step("a rebuild_paths reporting every source folder at once");
    h.change_nothing(&["content", "static", "site.toml"]);
}

// ---------------------------------------------------------------------------
// A preview session (`bantin serve`): drafts shown, base URL replaced
// ---------------------------------------------------------------------------

#[test]
fn a_preview_session_with_drafts_and_a_base_path_matches_a_clean_build() {
    let mut h = Harness::start(true, |opts| {
        opts.drafts = true;
        opts.base_url = Some("http://127.0.0.1:1111/xem-thu/".into());
        opts.force = true;
    });
    h.base_path = "/xem-thu/".into();
    assert!(
        h.html("/tin-tuc/ke-hoach-tong-ket-nam-2026/")
            .contains("badge-draft"),
        "drafts are shown with a badge"
    );

    h.step("a new draft");
    let draft = "content/articles/2026/du-thao-ke-hoach-he-2026.md";
    let draft_url = "/tin-tuc/du-thao-ke-hoach-he-2026/";
    h.write(
        draft,
        &article(
            "Dự thảo kế hoạch hoạt động hè năm 2026",
            "2026-05-18",
            "draft = true\n",
            "Dự thảo kế hoạch hoạt động hè cho thiếu nhi trên địa bàn phường.\n\n\
             ![Đông Hồ](/images/tin-tuc/dong-ho-binh-minh.jpg)",
        ),
    );
    h.change(&[draft]);
    assert!(h.html(draft_url).contains("badge-draft"));
    assert!(
        h.listed("/")
            .contains(&"du-thao-ke-hoach-he-2026".to_string())
    );
    assert!(
        h.image_srcs(draft_url)
            .contains(&"/xem-thu/images/tin-tuc/dong-ho-binh-minh.jpg".to_string()),
        "site paths in the text get the base path"
    );

    h.step("the draft published");
    h.edit(draft, "draft = true\n", "");
    h.change(&[draft]);
    assert!(!h.html(draft_url).contains("badge-draft"));

    h.step("a published article made a draft: still shown, with the badge");
    h.edit(
        KIEM_TRA,
        "date = 2026-03-06\n",
        "date = 2026-03-06\ndraft = true\n",
    );
    h.change(&[KIEM_TRA]);
    assert!(h.html(KIEM_TRA_URL).contains("badge-draft"));

    h.step("a new official named in an existing article's text");
    let tam = "content/officials/nguyen-van-tam.md";
    h.edit(
        draft,
        "Dự thảo kế hoạch hoạt động hè cho thiếu nhi",
        "Ông Nguyễn Văn Tám trình bày dự thảo kế hoạch hoạt động hè cho thiếu nhi",
    );
    h.change(&[draft]);
    h.write(
        tam,
        "+++\nname = \"Nguyễn Văn Tám\"\norder = 20\n+++\nTrưởng khu phố 3.\n",
    );
    h.change(&[tam]);
    assert!(
        h.hrefs(draft_url, "main .content a[href]")
            .contains(&"/xem-thu/can-bo/nguyen-van-tam/".to_string())
    );

    h.step("site.toml edited; the preview's base URL still wins");
    h.edit(
        "site.toml",
        "title = \"Phường Tô Châu\"",
        "title = \"Phường Tô Châu – xem thử\"",
    );
    h.change(&["site.toml"]);
    let html = h.html("/");
    assert!(html.contains("Phường Tô Châu – xem thử"));
    assert!(!html.contains("href=\"https://tochau.angiang.gov.vn/tin-tuc/"));

    h.step("the output folder (outside the site) reported");
    let out = h.out.clone();
    h.change_nothing(&[out.join("index.html"), out]);
}

// ---------------------------------------------------------------------------
// Whole folders replaced, files replaced with their modification time kept
// ---------------------------------------------------------------------------

#[test]
fn source_folders_replaced_whole_match_a_clean_build() {
    let mut h = Harness::example();

    // A folder moved into place (an unzipped backup, a copy from another computer) is reported
    // by the watcher as that one folder, not file by file.
    h.step("the content folder replaced by an edited copy (moved in, the folder reported)");
    copy_dir(&h.path("content"), &h.path("content-moi"));
    let kiem_tra = KIEM_TRA.replacen("content/", "content-moi/", 1);
    h.edit(
        &kiem_tra,
        "title = \"Kiểm tra công tác chuẩn bị bầu cử",
        "title = \"Kiểm tra lần cuối công tác chuẩn bị bầu cử",
    );
    h.write(
        "content-moi/articles/2026/le-chao-co-dau-thang.md",
        &article(
            "Lễ chào cờ đầu tháng 5/2026",
            "2026-05-04",
            "",
            "Lễ chào cờ đầu tháng.",
        ),
    );
    h.remove("content-moi/officials/dinh-van-loi.md");
    h.edit(
        "content-moi/articles/2024/hoi-nghi-tong-ket-nam-2024.md",
        "officials = [\"dinh-van-loi\"]\n",
        "",
    );
    h.rename("content", "content-cu");
    h.rename("content-moi", "content");
    h.change(&["content-cu", "content"]);
    assert_eq!(
        h.h1(KIEM_TRA_URL),
        "Kiểm tra lần cuối công tác chuẩn bị bầu cử tại các khu vực bỏ phiếu"
    );
    assert!(h.has_page("/tin-tuc/le-chao-co-dau-thang/"));
    assert!(!h.has_page("/can-bo/dinh-van-loi/"));

    h.step("the static folder replaced by another one (moved in, the folder reported)");
    copy_dir(&h.path("static"), &h.path("static-moi"));
    let other = repo_bytes("static/images/can-bo/ly-hoang-tuan.jpg");
    h.write_bytes("static-moi/images/can-bo/luu-thanh-binh.jpg", &other);
    h.rename("static", "static-cu");
    h.rename("static-moi", "static");
    h.change(&["static-cu", "static"]);
    assert_eq!(h.output_bytes("images/can-bo/luu-thanh-binh.jpg"), other);

    h.step("a templates folder moved in (the folder reported)");
    h.write(
        "templates-moi/404.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Không có trang này</h1>{% endblock content %}",
    );
    h.rename("templates-moi", "templates");
    h.change(&["templates-moi", "templates"]);
    assert_eq!(h.h1("/404.html"), "Không có trang này");
}

/// Set a file's modification time, as `cp -p`, `rsync -t`, `tar x` or unzipping do.
fn set_modified(path: &Path, time: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(time))
        .unwrap_or_else(|e| panic!("set the modification time of {}: {e}", path.display()));
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("modification time of {}: {e}", path.display()))
}

/// A copied file (static or bundle) replaced by different bytes of the same size whose
/// modification time is the old file's: files unpacked or copied with their times kept
/// (`cp -p`, `rsync -t`, unzip), swapped by renaming, or saved twice within the file system's
/// timestamp granularity. The watcher reports the path; the output must follow.
#[test]
fn copied_files_replaced_with_the_same_size_and_time_match_a_clean_build() {
    let mut h = Harness::example();

    h.step("a site stylesheet added");
    let css = "static/style.css";
    h.write(css, "body { color: #b00; }\n");
    h.change(&[css]);

    h.step("the stylesheet replaced by one of the same size, modification time kept");
    let time = modified(&h.path(css));
    h.write(css, "body { color: #0b0; }\n");
    set_modified(&h.path(css), time);
    h.change(&[css]);
    assert_eq!(h.output_bytes("style.css"), b"body { color: #0b0; }\n");

    h.step("a bundle's photo replaced by one of the same size, modification time kept");
    let photo = format!("{TRUNG_TAM}/tru-so-trung-tam.jpg");
    let published =
        "tin-tuc/trung-tam-phuc-vu-hanh-chinh-cong-di-vao-hoat-dong/tru-so-trung-tam.jpg";
    let before = h.output_bytes(published);
    let mut bytes = std::fs::read(h.path(&photo)).expect("the photo");
    let time = modified(&h.path(&photo));
    let at = bytes.len() - 3;
    bytes[at] ^= 0x55;
    h.write_bytes(&photo, &bytes);
    set_modified(&h.path(&photo), time);
    h.change(&[&photo]);
    // Published re-encoded (docs/images.md): the new bytes made a new photo.
    assert_ne!(h.output_bytes(published), before);
}

#[test]
fn an_output_folder_changed_by_hand_is_put_right() {
    let mut h = Harness::example();

    h.step("the output folder deleted while watching, then an article saved");
    std::fs::remove_dir_all(&h.out).unwrap();
    let paths = h.absolute(&["content/articles/2025/dang-uy-tong-ket-cong-tac-nam-2025.md"]);
    let summary = h.session.rebuild_paths(&paths).expect("rebuild");
    assert!(
        summary.written.len() > 100,
        "every file is written again: {}",
        summary.written.len()
    );
    h.last = snapshot(&h.out);
    h.assert_same_as_clean();

    h.step("a page deleted and another edited by hand, then a full rebuild");
    let home = h.out.join("index.html");
    std::fs::write(&home, "sửa tay").unwrap();
    let page = h.article_pages()[0].clone();
    std::fs::remove_file(h.out.join(&page)).unwrap();
    let summary = h.session.rebuild().expect("rebuild");
    assert!(summary.written.contains(&"index.html".to_string()));
    h.last = snapshot(&h.out);
    h.assert_same_as_clean();
}

/// `(loc, lastmod)` of every `<url>` of the output's sitemap.
fn sitemap_dates(h: &Harness) -> BTreeMap<String, Option<String>> {
    let bytes = h.output_bytes("sitemap.xml");
    let text = String::from_utf8(bytes).expect("the sitemap is UTF-8");
    let doc = roxmltree::Document::parse(&text).expect("the sitemap is XML");
    let child = |url: roxmltree::Node, name: &str| {
        url.children()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(str::to_string)
    };
    doc.root_element()
        .children()
        .filter(|n| n.tag_name().name() == "url")
        .map(|url| (child(url, "loc").unwrap_or_default(), child(url, "lastmod")))
        .collect()
}

/// The feeds of the output (`…atom.xml`) whose text contains `needle`.
fn feeds_with(h: &Harness, needle: &str) -> BTreeSet<String> {
    h.last
        .iter()
        .filter(|(rel, f)| {
            rel.ends_with("atom.xml") && String::from_utf8_lossy(&f.bytes).contains(needle)
        })
        .map(|(rel, _)| rel.clone())
        .collect()
}

fn feeds_written(s: &RebuildSummary) -> BTreeSet<String> {
    s.written
        .iter()
        .filter(|rel| rel.ends_with("atom.xml"))
        .cloned()
        .collect()
}

#[test]
fn feeds_and_the_sitemap_follow_edits_and_only_then_are_rewritten() {
    let mut h = Harness::example();
    let url = "https://tochau.angiang.gov.vn/tin-tuc/khai-giang-nam-hoc-2025-2026/";

    h.step("1. a paragraph after the summary edited: no feed, no sitemap");
    h.edit(
        KHAI_GIANG,
        "trao học bổng và tặng dụng cụ học tập",
        "trao nhiều suất học bổng và tặng dụng cụ học tập",
    );
    let s = h.change(&[KHAI_GIANG]);
    assert!(
        feeds_written(&s).is_empty() && !s.written.contains(&"sitemap.xml".to_string()),
        "{:?}",
        s.written
    );

    h.step("2. its title edited: exactly the feeds carrying it, not the sitemap");
    let old = "Các trường trên địa bàn phường Tô Châu khai giảng năm học 2025 - 2026";
    let new = "Tưng bừng lễ khai giảng năm học mới 2025 - 2026";
    let carrying = feeds_with(&h, old);
    assert!(
        carrying.contains("atom.xml") && carrying.contains("chu-de/van-hoa-xa-hoi/atom.xml"),
        "{carrying:?}"
    );
    h.edit(KHAI_GIANG, old, new);
    let s = h.change(&[KHAI_GIANG]);
    assert_eq!(feeds_written(&s), carrying);
    assert_eq!(feeds_with(&h, new), carrying);
    assert!(!s.written.contains(&"sitemap.xml".to_string()));

    h.step("3. an update date added: the sitemap and the feeds carrying it");
    h.edit(
        KHAI_GIANG,
        "date = 2025-09-05\n",
        "date = 2025-09-05\nupdated = 2025-09-08\n",
    );
    let s = h.change(&[KHAI_GIANG]);
    assert!(s.written.contains(&"sitemap.xml".to_string()));
    assert_eq!(feeds_written(&s), carrying);
    assert_eq!(
        sitemap_dates(&h).get(url).cloned().flatten().as_deref(),
        Some("2025-09-08T00:00:00+07:00")
    );
    let updated = "<updated>2025-09-08T00:00:00+07:00</updated>";
    assert_eq!(feeds_with(&h, updated), carrying);

    h.step("4. a new article: the site's and its tag's feeds, and the sitemap");
    let new_article = "content/articles/2026/don-nhan-bang-cong-nhan.md";
    h.write(
        new_article,
        &article(
            "Đón nhận bằng công nhận khu phố văn hóa",
            "2026-05-02T09:00:00",
            "tags = [\"Văn hóa - Xã hội\"]\n",
            "Sáng 02/5/2026, khu phố 3 đón nhận bằng công nhận.",
        ),
    );
    let s = h.change(&[new_article]);
    let new_url = "https://tochau.angiang.gov.vn/tin-tuc/don-nhan-bang-cong-nhan/";
    let with_new = feeds_with(&h, new_url);
    assert!(
        with_new.contains("atom.xml") && with_new.contains("chu-de/van-hoa-xa-hoi/atom.xml"),
        "{with_new:?}"
    );
    assert!(feeds_written(&s).is_superset(&with_new));
    assert_eq!(
        sitemap_dates(&h).get(new_url).cloned().flatten().as_deref(),
        Some("2026-05-02T09:00:00+07:00")
    );

    h.step("5. the new article deleted: gone from the feeds and the sitemap");
    h.remove(new_article);
    let s = h.change(&[new_article]);
    assert!(feeds_with(&h, new_url).is_empty());
    assert!(feeds_written(&s).is_superset(&with_new));
    assert!(!sitemap_dates(&h).contains_key(new_url));

    h.step("6. the site's title changed: every feed follows");
    h.edit(
        "site.toml",
        "title = \"Phường Tô Châu\"",
        "title = \"Phường Tô Châu, tỉnh An Giang\"",
    );
    let s = h.change(&["site.toml"]);
    let all_feeds: BTreeSet<String> = h
        .last
        .keys()
        .filter(|rel| rel.ends_with("atom.xml"))
        .cloned()
        .collect();
    assert_eq!(feeds_written(&s), all_feeds);
    assert_eq!(
        feeds_with(&h, "– Phường Tô Châu, tỉnh An Giang</title>"),
        all_feeds
    );
}

// ---------------------------------------------------------------------------
// Links between content files, and articles dated after now
// ---------------------------------------------------------------------------

#[test]
fn links_between_files_and_scheduled_articles_match_a_clean_build() {
    // Without `future`: the example site's articles dated after `now()` wait for their date.
    let mut h = Harness::start(false, |opts| opts.future = false);
    let later = "/tin-tuc/phong-chong-sot-xuat-huyet-2026/";
    assert!(!h.has_page(later), "an article dated after now is left out");
    assert!(h.has_page(KIEM_TRA_URL));
    let content_links = |h: &Harness, url: &str| h.hrefs(url, "main .content a[href]");

    h.step("1. a link to another article's file, with a fragment");
    h.edit(
        KIEM_TRA,
        "Qua kiểm tra, đoàn ghi nhận",
        "Xem thêm [lễ khai giảng](../2025/khai-giang-nam-hoc-2025-2026.md#ket-qua). \
         Qua kiểm tra, đoàn ghi nhận",
    );
    h.change(&[KIEM_TRA]);
    assert!(
        content_links(&h, KIEM_TRA_URL)
            .contains(&"/tin-tuc/khai-giang-nam-hoc-2025-2026/#ket-qua".to_string()),
        "{:?}",
        content_links(&h, KIEM_TRA_URL)
    );

    h.step("2. the target given another address: the unchanged linking article follows");
    h.edit(KHAI_GIANG, "\n+++\n", "\nslug = \"khai-giang-2025\"\n+++\n");
    h.change(&[KHAI_GIANG]);
    assert!(
        content_links(&h, KIEM_TRA_URL).contains(&"/tin-tuc/khai-giang-2025/#ket-qua".to_string())
    );
    assert!(!h.has_page(KHAI_GIANG_URL));

    h.step("3. the target deleted: the link is an error");
    let khai_giang = h.read(KHAI_GIANG);
    h.remove(KHAI_GIANG);
    let problems = h.change_fails(&[KHAI_GIANG]);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(KIEM_TRA) && p.contains("khai-giang-nam-hoc-2025-2026.md")),
        "{problems:?}"
    );

    h.step("4. the target created again");
    h.write(KHAI_GIANG, &khai_giang);
    h.change(&[KHAI_GIANG]);
    assert!(
        content_links(&h, KIEM_TRA_URL).contains(&"/tin-tuc/khai-giang-2025/#ket-qua".to_string())
    );

    h.step("5. a page links an article; the article moved into the future");
    let page = "content/pages/gioi-thieu.md";
    let text = h.read(page);
    h.write(
        page,
        &format!("{text}\n\nTin mới: [khánh thành](../articles/2026/khanh-thanh-duong-be-tong-khu-pho.md).\n"),
    );
    h.change(&[page]);
    let khanh_thanh_url = "/tin-tuc/khanh-thanh-duong-be-tong-khu-pho/";
    assert!(
        h.hrefs("/gioi-thieu/", "main a[href]")
            .contains(&khanh_thanh_url.to_string())
    );
    assert!(
        h.listed("/")
            .contains(&"khanh-thanh-duong-be-tong-khu-pho".to_string())
    );
    h.edit(KHANH_THANH, "date = 2026-04-24", "date = 2026-06-01");
    h.change(&[KHANH_THANH]);
    assert!(!h.has_page(khanh_thanh_url), "scheduled: left out");
    assert!(
        !h.listed("/")
            .contains(&"khanh-thanh-duong-be-tong-khu-pho".to_string())
    );
    assert!(
        h.hrefs("/gioi-thieu/", "main a[href]")
            .contains(&khanh_thanh_url.to_string()),
        "a link to a scheduled article keeps its future address"
    );

    h.step("6. the article moved back before now");
    h.edit(KHANH_THANH, "date = 2026-06-01", "date = 2026-05-19");
    h.change(&[KHANH_THANH]);
    assert!(h.has_page(khanh_thanh_url));
    assert!(
        h.listed("/")
            .contains(&"khanh-thanh-duong-be-tong-khu-pho".to_string())
    );

    h.step("7. the linked article made a draft: the link is an error");
    h.edit(
        KHANH_THANH,
        "date = 2026-05-19\n",
        "date = 2026-05-19\ndraft = true\n",
    );
    let problems = h.change_fails(&[KHANH_THANH]);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(page) && p.contains("bản nháp")),
        "{problems:?}"
    );
    h.edit(KHANH_THANH, "draft = true\n", "");
    h.change(&[KHANH_THANH]);
    assert!(h.has_page(khanh_thanh_url));
}
