//! Links between content files.
//!
//! An editor links another article, page, official or department by its file, the way files
//! link each other on disk, relative to the folder of the file being written:
//! `[bài trước](../2025/hoi-nghi.md)`, `[lịch sử](../../pages/gioi-thieu.md#lich-su)`. bantin
//! publishes such a link with the target's address (`/tin-tuc/hoi-nghi/`, base path included,
//! `#fragment` and `?query` kept). External links, site paths (`/lien-he/`) and links to other
//! files (`mau-don.pdf`) are left as written.
//!
//! It happens in two steps, so that rebuilds stay cheap and correct:
//!
//! 1. **parse** ([`mark`], called by `markdown::render_with`): the destination of each such link
//!    becomes a token (`bantin-content-link:N#fragment`) and the link is remembered as a
//!    [`ContentLink`]. A parsed document therefore depends on no other file, and the parse
//!    cache stays keyed on the file alone.
//! 2. **resolve** ([`Linker`], called by `site::resolve_cached`): the tokens of every resolved
//!    document are replaced by the addresses of their targets as the site is now, and links to
//!    files that do not exist (or are drafts) are reported. An article's rewritten HTML is kept
//!    in [`LinkCache`] keyed by its tokenised HTML and the addresses its links point to, so a
//!    rebuild rewrites exactly the articles one of whose targets was added, renamed or removed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use comrak::nodes::NodeValue;

use crate::config::Config;
use crate::content::{ArticleMeta, Document, Documents, Source};
use crate::error::{Diagnostic, Location, Problem};
use crate::fingerprint::{self, Digest, Fingerprinter};
use crate::site::{Article, Department, Official, Page};
use crate::{urls, vietnamese};

/// What a link to a content file is written as in the HTML until it is resolved. Only ASCII
/// letters, digits, `-` and `:`, which comrak writes into `href` unchanged.
const TOKEN: &str = "bantin-content-link:";

/// A link from a document's body to another content file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentLink {
    /// The destination as written (Markdown escapes undone): `../2025/abc.md#ket-qua`.
    pub written: String,
    /// Its file part, percent-decoded and NFC: `../2025/abc.md`.
    pub file: String,
    /// Byte offset of the link (its `[`) in the body.
    pub offset: usize,
}

/// Where the file part of a destination ends (at `?` or `#`).
fn file_end(url: &str) -> usize {
    url.find(['?', '#']).unwrap_or(url.len())
}

/// Whether a link destination names a Markdown file by a path relative to the linking file: no
/// scheme (`https:`, `mailto:`), not a site path (`/…`), and a file part ending in `.md`.
pub fn is_content_link(url: &str) -> bool {
    let path = &url[..file_end(url)];
    let relative = !(path.is_empty() || path.starts_with('/') || path.starts_with('\\'));
    // A scheme is a colon before the first slash.
    let scheme = path
        .split('/')
        .next()
        .is_some_and(|first| first.contains(':'));
    let md = path.len() > 3
        && path.is_char_boundary(path.len() - 3)
        && path[path.len() - 3..].eq_ignore_ascii_case(".md");
    relative && !scheme && md
}

/// Byte offset of a 1-based line and byte column in `text` (clamped to the text).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// Replace the destinations of the links `nodes` (those [`is_content_link`] accepts, in document
/// order) by tokens, and return what they linked. `body` is the text the tree was parsed from.
pub fn mark<'a>(nodes: &[comrak::Node<'a>], body: &str) -> Vec<ContentLink> {
    let mut links = Vec::with_capacity(nodes.len());
    for node in nodes {
        let mut data = node.data_mut();
        let start = data.sourcepos.start;
        let NodeValue::Link(link) = &mut data.value else {
            continue;
        };
        let end = file_end(&link.url);
        let file = percent_encoding::percent_decode_str(&link.url[..end]).decode_utf8_lossy();
        let file = vietnamese::nfc(&file).into_owned();
        let token = format!("{TOKEN}{}{}", links.len(), &link.url[end..]);
        let written = std::mem::replace(&mut link.url, token);
        links.push(ContentLink {
            written,
            file,
            offset: offset_of(body, start.line, start.column),
        });
    }
    links
}

/// Replace the tokens of `html` by `urls` (by link number), escaped as comrak escapes a `href`.
fn apply(html: &str, urls: &[String]) -> String {
    let needle = "href=\"bantin-content-link:";
    let mut out = String::with_capacity(html.len() + urls.len() * 16);
    let mut rest = html;
    while let Some(i) = rest.find(needle) {
        let after = &rest[i + needle.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits]
            .parse::<usize>()
            .ok()
            .and_then(|n| urls.get(n))
        {
            Some(url) => {
                out.push_str(&rest[..i]);
                out.push_str("href=\"");
                // Writing into a String cannot fail.
                let _ = comrak::html::escape_href(&mut out, url, false);
                rest = &after[digits..];
            }
            None => {
                out.push_str(&rest[..i + needle.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A key for a file path relative to the site root, as `Source::rel_path` spells it.
fn path_key(path: &Path) -> Cow<'_, str> {
    path.to_string_lossy()
}

/// The content file a link written in `from` (a site-relative file path) points to, as a
/// site-relative path; `None` when it climbs out of the site folder.
fn target_path(from: &Path, file: &str) -> Option<PathBuf> {
    let mut parts: Vec<&std::ffi::OsStr> = from
        .parent()?
        .components()
        .map(Component::as_os_str)
        .collect();
    for part in file.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(std::ffi::OsStr::new(p)),
        }
    }
    Some(parts.iter().collect())
}

/// The path from the folder of `from` to `to` (both site-relative), written with `/`.
fn relative_path(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from
        .parent()
        .map_or_else(Vec::new, |p| p.components().collect());
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// A document links may point to.
#[derive(Clone, Copy)]
enum Doc<'d> {
    Article(&'d Document<ArticleMeta>),
    Page(&'d Document<crate::content::PageMeta>),
    Official(&'d Source),
    Department(&'d Source),
}

impl Doc<'_> {
    fn source(&self) -> &Source {
        match self {
            Doc::Article(d) => &d.source,
            Doc::Page(d) => &d.source,
            Doc::Official(s) | Doc::Department(s) => s,
        }
    }
}

/// Whether the target of a link is on the site this build makes.
enum Status {
    Published,
    Draft,
    /// An article dated after now, left out of this build.
    Scheduled(jiff::ZonedDateTime),
}

/// Rewrites the links between content files of one build, and reports the broken ones.
pub struct Linker<'a> {
    docs: &'a Documents,
    config: &'a Config,
    drafts: bool,
    future: bool,
    now: jiff::Timestamp,
    /// Every document by path; built only when some document has a link.
    index: std::cell::OnceCell<HashMap<Cow<'a, str>, Doc<'a>>>,
}

/// Problems found while rewriting: errors stop the build, warnings are for `bantin check`.
#[derive(Debug, Default)]
pub struct Findings {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

/// Rewritten articles kept between rebuilds (`watch`, `serve`).
#[derive(Debug, Default)]
pub struct LinkCache {
    articles: HashMap<PathBuf, Rewritten>,
}

#[derive(Debug)]
struct Rewritten {
    /// The tokenised HTML, and a digest of the addresses its links were given.
    from: Arc<str>,
    targets: Digest,
    html: Arc<str>,
    digest: Digest,
}

impl<'a> Linker<'a> {
    /// A linker for `docs`, published with `drafts` and `future` (articles dated after `now`).
    pub fn new(
        docs: &'a Documents,
        config: &'a Config,
        drafts: bool,
        future: bool,
        now: jiff::Timestamp,
    ) -> Linker<'a> {
        Linker {
            docs,
            config,
            drafts,
            future,
            now,
            index: std::cell::OnceCell::new(),
        }
    }

    fn index(&self) -> &HashMap<Cow<'a, str>, Doc<'a>> {
        self.index.get_or_init(|| {
            let d = self.docs;
            let mut index = HashMap::with_capacity(
                d.articles.len() + d.pages.len() + d.officials.len() + d.departments.len(),
            );
            for a in &d.articles {
                index.insert(path_key(&a.source.rel_path), Doc::Article(a));
            }
            for p in &d.pages {
                index.insert(path_key(&p.source.rel_path), Doc::Page(p));
            }
            for o in &d.officials {
                index.insert(path_key(&o.source.rel_path), Doc::Official(&o.source));
            }
            for dep in &d.departments {
                index.insert(path_key(&dep.source.rel_path), Doc::Department(&dep.source));
            }
            index
        })
    }

    /// The site-relative address of a document, and whether this build publishes it.
    fn address(&self, doc: Doc) -> (String, Status) {
        match doc {
            Doc::Article(d) => {
                let slug = vietnamese::slugify(d.meta.slug.as_deref().unwrap_or(&d.source.stem));
                let status = match d.meta.date.to_zoned(&self.config.timezone) {
                    _ if d.meta.draft && !self.drafts => Status::Draft,
                    Some(z) if !self.future && z.timestamp() > self.now => Status::Scheduled(z),
                    _ => Status::Published,
                };
                (urls::article(&slug), status)
            }
            Doc::Page(d) => {
                let slug = vietnamese::slugify(d.meta.slug.as_deref().unwrap_or(&d.source.stem));
                let status = if d.meta.draft && !self.drafts {
                    Status::Draft
                } else {
                    Status::Published
                };
                (urls::page(&slug), status)
            }
            Doc::Official(s) => (
                urls::official(&crate::content::entity_slug(&s.stem)),
                Status::Published,
            ),
            Doc::Department(s) => (
                urls::department(&crate::content::entity_slug(&s.stem)),
                Status::Published,
            ),
        }
    }

    /// The address each link of `source` is given (with the base path; the query and fragment
    /// stay in the HTML after the token),
    /// reporting links to missing files and drafts (errors) and to scheduled articles (warnings).
    fn resolve(&self, source: &Source, links: &[ContentLink], found: &mut Findings) -> Vec<String> {
        let base = self.config.base_url.path();
        links
            .iter()
            .map(|link| {
                let at = || link_location(source, link);
                let target = target_path(&source.rel_path, &link.file)
                    .and_then(|p| self.index().get(&path_key(&p)).copied());
                let Some(target) = target else {
                    found.errors.push(
                        Diagnostic::new(
                            &source.rel_path,
                            Problem::BrokenLink {
                                link: link.written.clone(),
                                suggestion: self.suggest(&source.rel_path, &link.file),
                            },
                        )
                        .at(at()),
                    );
                    return link.written[..file_end(&link.written)].to_string();
                };
                let (path, status) = self.address(target);
                match status {
                    Status::Published => {}
                    Status::Draft => found.errors.push(
                        Diagnostic::new(
                            &source.rel_path,
                            Problem::LinkToDraft {
                                link: link.written.clone(),
                            },
                        )
                        .at(at()),
                    ),
                    Status::Scheduled(when) => found.warnings.push(
                        Diagnostic::new(
                            &source.rel_path,
                            Problem::LinkToScheduled {
                                link: link.written.clone(),
                                when: when_text(&when),
                            },
                        )
                        .at(at()),
                    ),
                }
                format!("{base}{path}")
            })
            .collect()
    }

    /// For a link to a missing file: the path to a content file with the same name, if there is
    /// exactly one, written from the folder of `from`.
    fn suggest(&self, from: &Path, file: &str) -> Option<String> {
        let name = Path::new(file).file_name()?;
        let mut same = self
            .index()
            .values()
            .map(|d| &d.source().rel_path)
            .filter(|p| p.file_name() == Some(name));
        let only = same.next()?;
        same.next().is_none().then(|| relative_path(from, only))
    }

    /// Rewrite the links of `html` (the body of `source`, whose links are `links`); `None` when
    /// it has none.
    fn rewrite(
        &self,
        source: &Source,
        links: &[ContentLink],
        html: &str,
        found: &mut Findings,
    ) -> Option<Arc<str>> {
        if links.is_empty() {
            return None;
        }
        let urls = self.resolve(source, links, found);
        Some(apply(html, &urls).into())
    }

    /// Rewrite the links of every resolved document: articles (reusing `cache`), pages, the
    /// biographies of officials and the descriptions of departments.
    pub fn rewrite_site(
        &self,
        articles: &mut [(Article, Vec<String>)],
        pages: &mut [Page],
        officials: &mut [Official],
        departments: &mut [Department],
        cache: &mut LinkCache,
        found: &mut Findings,
    ) {
        let d = self.docs;
        // The few documents with links, by path.
        let linking = |paths: &mut dyn Iterator<Item = (&'a Source, &'a [ContentLink])>| {
            paths
                .filter(|(_, links)| !links.is_empty())
                .map(|(s, links)| (s.rel_path.as_path(), (s, links)))
                .collect::<HashMap<&Path, (&Source, &[ContentLink])>>()
        };
        let with_links = linking(
            &mut d
                .articles
                .iter()
                .map(|a| (&*a.source, a.body.links.as_slice())),
        );
        let mut kept = HashMap::new();
        if !with_links.is_empty() {
            for (article, _) in articles.iter_mut() {
                let Some((source, links)) = with_links.get(article.source.as_path()) else {
                    continue;
                };
                let urls = self.resolve(source, links, found);
                let mut targets = Fingerprinter::new();
                for u in &urls {
                    targets.str(u);
                }
                let targets = targets.finish();
                let done = match cache.articles.remove(&article.source) {
                    Some(r)
                        if r.targets == targets
                            && (Arc::ptr_eq(&r.from, &article.html) || r.from == article.html) =>
                    {
                        r
                    }
                    _ => {
                        let html: Arc<str> = apply(&article.html, &urls).into();
                        Rewritten {
                            from: article.html.clone(),
                            targets,
                            digest: fingerprint::of_bytes(html.as_bytes()),
                            html,
                        }
                    }
                };
                article.html = done.html.clone();
                article.html_digest = done.digest;
                kept.insert(article.source.clone(), done);
            }
        }
        cache.articles = kept;

        let pages_with = linking(
            &mut d
                .pages
                .iter()
                .map(|p| (&*p.source, p.body.links.as_slice())),
        );
        for page in pages {
            if let Some((source, links)) = pages_with.get(page.source.as_path())
                && let Some(html) = self.rewrite(source, links, &page.html, found)
            {
                page.html = html;
            }
        }
        let officials_with = linking(
            &mut d
                .officials
                .iter()
                .map(|o| (&*o.source, o.body.links.as_slice())),
        );
        for official in officials {
            if let Some((source, links)) = officials_with.get(official.source.as_path())
                && let Some(html) = self.rewrite(source, links, &official.biography, found)
            {
                official.biography = html;
            }
        }
        let departments_with = linking(
            &mut d
                .departments
                .iter()
                .map(|o| (&*o.source, o.body.links.as_slice())),
        );
        for department in departments {
            if let Some((source, links)) = departments_with.get(department.source.as_path())
                && let Some(html) = self.rewrite(source, links, &department.description, found)
            {
                department.description = html;
            }
        }
    }
}

/// Where a link is in its file: at its destination when it can be found on the link's line or
/// after, otherwise at the link.
fn link_location(source: &Source, link: &ContentLink) -> Option<Location> {
    let text = &source.text;
    let body = crate::content::front_matter::split(text).map_or(0, |s| s.body_offset);
    let at = (body + link.offset).min(text.len());
    Location::find(text, at, &link.written).or_else(|| Some(Location::from_offset(text, at)))
}

/// "lúc 08:00 ngày 30/12/2026" (site time).
pub fn when_text(when: &jiff::ZonedDateTime) -> String {
    format!(
        "lúc {:02}:{:02} ngày {}",
        when.hour(),
        when.minute(),
        vietnamese::format_date(when.date(), vietnamese::DateStyle::Short)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relative_markdown_files_are_content_links() {
        for yes in [
            "../2025/a.md",
            "a.md#muc-1",
            "./b.MD",
            "ngày-hội.md?x=1",
            "../../pages/gioi-thieu.md",
        ] {
            assert!(is_content_link(yes), "{yes}");
        }
        for no in [
            "https://x.vn/a.md",
            "/tin-tuc/a.md",
            "mailto:a@b.md",
            "a.pdf",
            "#muc",
            "",
            "README.md.txt",
            "a.md/",
        ] {
            assert!(!is_content_link(no), "{no}");
        }
    }

    #[test]
    fn paths_are_resolved_from_the_linking_folder() {
        let from = Path::new("content/articles/2026/a.md");
        assert_eq!(
            target_path(from, "../2025/b.md"),
            Some(PathBuf::from("content/articles/2025/b.md"))
        );
        assert_eq!(
            target_path(from, "./c/index.md"),
            Some(PathBuf::from("content/articles/2026/c/index.md"))
        );
        assert_eq!(target_path(from, "../../../../../x.md"), None);
        assert_eq!(
            relative_path(from, Path::new("content/pages/gioi-thieu.md")),
            "../../pages/gioi-thieu.md"
        );
        assert_eq!(
            relative_path(from, Path::new("content/articles/2026/b.md")),
            "b.md"
        );
    }

    #[test]
    fn tokens_are_replaced_and_others_left_alone() {
        let html = "<a href=\"bantin-content-link:1#m\">a</a> <a href=\"bantin-content-link:0\">b</a> \
                    <a href=\"bantin-content-link:7\">c</a> bantin-content-link:0";
        let out = apply(html, &["/tin-tuc/x/".into(), "/p/y/?a=1&b=2".into()]);
        assert_eq!(
            out,
            "<a href=\"/p/y/?a=1&amp;b=2#m\">a</a> <a href=\"/tin-tuc/x/\">b</a> \
             <a href=\"bantin-content-link:7\">c</a> bantin-content-link:0"
        );
    }

    #[test]
    fn marking_keeps_fragments_and_finds_the_link() {
        let body =
            "Đoạn một.\n\nXem [bài trước](../2025/ng%C3%A0y.md#ket-qua) và [web](https://x.vn).\n";
        let r = crate::markdown::render(body, "/");
        assert_eq!(r.links.len(), 1);
        let l = &r.links[0];
        assert_eq!(l.written, "../2025/ng%C3%A0y.md#ket-qua");
        assert_eq!(l.file, "../2025/ngày.md");
        assert_eq!(&body[l.offset..l.offset + 1], "[");
        assert!(
            r.html.contains("href=\"bantin-content-link:0#ket-qua\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("href=\"https://x.vn\""));
    }
}
