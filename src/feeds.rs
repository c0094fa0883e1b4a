//! How residents and search engines find the news: Atom feeds, the sitemap and `robots.txt`
//! (planned as built-in page kinds, written without templates), and the metadata page heads
//! carry (the page's feed and image, schema.org JSON-LD for articles).
//!
//! Generated files have a **key**, a digest of what they are made from, so a rebuild skips
//! the feeds and the sitemap an edit does not touch (see [`render`]); debug builds check every
//! skipped file against its bytes, as they do for templated pages. See `docs/feeds.md`.

use std::borrow::Cow;
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use tera::Value;

use crate::fingerprint::{self, Digest, Fingerprinter};
use crate::plan::{AssetSource, PageJob, PageKind, Plan};
use crate::render::{PageStamp, RenderedPage, datetime_iso};
use crate::site::{Article, ArticleId, DepartmentId, OfficialId, Site, TagId};
use crate::sitemap;
use crate::urls::{self, Urls};
use crate::vietnamese;

/// How many articles a feed carries (the newest).
pub const FEED_ENTRIES: usize = 20;

/// The namespace of Atom (RFC 4287).
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// Which articles a feed follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feed {
    /// Every article: `/atom.xml`.
    Site,
    Official(OfficialId),
    Department(DepartmentId),
    Tag(TagId),
}

impl Feed {
    /// The site-relative path of the HTML page the feed follows.
    fn page_path(self, site: &Site) -> String {
        match self {
            Feed::Site => urls::home(),
            Feed::Official(id) => urls::official(&site.official(id).slug),
            Feed::Department(id) => urls::department(&site.department(id).slug),
            Feed::Tag(id) => urls::tag(&site.tags[id.0].slug),
        }
    }

    /// The site-relative path of the feed (`can-bo/<slug>/atom.xml`).
    pub fn path(self, site: &Site) -> String {
        urls::feed(&self.page_path(site))
    }

    /// The feed's title as readers' feed apps show it.
    pub fn title(self, site: &Site) -> String {
        let name = match self {
            Feed::Site => return site_feed_title(&site.config.title),
            Feed::Official(id) => format!("Đồng chí {}", site.official(id).name),
            Feed::Department(id) => site.department(id).name.clone(),
            Feed::Tag(id) => format!("Chủ đề {}", site.tags[id.0].name),
        };
        format!("{name} – {}", site.config.title)
    }

    /// The followed articles, newest first, drafts included.
    fn articles(self, site: &Site) -> Box<dyn Iterator<Item = ArticleId> + '_> {
        match self {
            Feed::Site => Box::new((0..site.articles.len()).map(ArticleId)),
            Feed::Official(id) => Box::new(site.articles_by_official[id.0].iter().copied()),
            Feed::Department(id) => Box::new(site.articles_by_department[id.0].iter().copied()),
            Feed::Tag(id) => Box::new(site.tags[id.0].articles.iter().copied()),
        }
    }

    /// The articles the feed carries: the newest [`FEED_ENTRIES`], drafts left out (a draft
    /// must never reach a reader's feed app, even from a `--drafts` preview).
    fn entries(self, site: &Site) -> Vec<ArticleId> {
        self.articles(site)
            .filter(|id| !unpublished(site.article(*id)))
            .take(FEED_ENTRIES)
            .collect()
    }

    /// The feed of a page kind's own articles, if that kind has one.
    pub fn of_page(kind: &PageKind) -> Option<Feed> {
        Some(match kind {
            PageKind::Home => Feed::Site,
            PageKind::Official(id) => Feed::Official(*id),
            PageKind::Department(id) => Feed::Department(*id),
            PageKind::Tag(id) => Feed::Tag(*id),
            _ => return None,
        })
    }
}

/// The title of the whole site's feed: "Tin tức – Phường Tô Châu".
pub fn site_feed_title(site_title: &str) -> String {
    format!("Tin tức – {site_title}")
}

/// Plan the feeds, the sitemap and `robots.txt`. Called last, when every page is planned.
/// A `robots.txt` of the site's (or theme's) static files is kept instead of bantin's.
pub fn plan(site: &Site, statics: &[(String, AssetSource)], plan: &mut Plan) {
    let mut push = |path: String, kind: PageKind| {
        plan.pages.push(PageJob {
            path,
            kind,
            listing: None,
        })
    };
    let feeds = std::iter::once(Feed::Site)
        .chain((0..site.officials.len()).map(|i| Feed::Official(OfficialId(i))))
        .chain((0..site.departments.len()).map(|i| Feed::Department(DepartmentId(i))))
        .chain((0..site.tags.len()).map(|i| Feed::Tag(TagId(i))));
    for feed in feeds {
        push(feed.path(site), PageKind::Feed(feed));
    }
    sitemap::plan(site, plan);
    if !statics.iter().any(|(to, _)| *to == urls::robots()) {
        plan.pages.push(PageJob {
            path: urls::robots(),
            kind: PageKind::Robots,
            listing: None,
        });
    }
}

/// What the built-in generated files are made from.
pub struct Inputs<'a> {
    pub site: &'a Site,
    pub urls: &'a Urls,
    /// Every page job of the plan (the sitemap lists them).
    pub jobs: &'a [PageJob],
    /// Digest of what every page may read: the configuration (titles, base URL, time zone),
    /// the officials and departments, and the day it is.
    pub base: Digest,
    /// Digest of each article's summary fields (title, slug, date, summary, author, draft,
    /// image), by id.
    pub summaries: &'a [Digest],
}

/// Render a feed, a sitemap or `robots.txt`; `None` for any other kind of page. Like a
/// templated page, the file is not generated when its key is the one it had (`before`), and
/// comes back without bytes when they did not change.
pub fn render(
    inputs: &Inputs,
    job: &PageJob,
    before: Option<PageStamp>,
) -> Option<io::Result<RenderedPage>> {
    let key = key(inputs, &job.kind)?;
    let file = urls::output_file(&job.path);
    if let Some(before) = before.filter(|b| b.key == Some(key)) {
        // As for templated pages: in debug builds (the tests), a file skipped by its key must
        // be the file its inputs make, so a dependency missing from `key` cannot go unnoticed.
        #[cfg(debug_assertions)]
        if let Ok(bytes) = generate(inputs, &job.kind) {
            assert_eq!(
                fingerprint::of_bytes(&bytes),
                before.fingerprint,
                "the key of {file} missed something it is made from"
            );
        }
        return Some(Ok(RenderedPage {
            file,
            stamp: before,
            bytes: None,
        }));
    }
    Some(generate(inputs, &job.kind).map(|bytes| {
        let stamp = PageStamp {
            key: Some(key),
            fingerprint: fingerprint::of_bytes(&bytes),
        };
        let bytes = (before.map(|b| b.fingerprint) != Some(stamp.fingerprint)).then_some(bytes);
        RenderedPage { file, stamp, bytes }
    }))
}

/// A digest of everything the file of `kind` is made from; `None` for kinds not made here.
fn key(inputs: &Inputs, kind: &PageKind) -> Option<Digest> {
    let mut f = Fingerprinter::new();
    f.digest(inputs.base);
    match kind {
        PageKind::Feed(feed) => {
            let site = inputs.site;
            f.u64(1).str(&feed.path(site));
            if let Feed::Tag(id) = feed {
                f.str(&site.tags[id.0].name);
            }
            let entries = feed.entries(site);
            f.u64(entries.len() as u64);
            for id in entries {
                let a = site.article(id);
                f.digest(inputs.summaries.get(id.0).copied().unwrap_or_default());
                // What an entry shows beyond the summary's fields.
                f.u64(modified(a).timestamp().as_second() as u64);
                f.u64(a.author_department.map_or(u64::MAX, |d| d.0 as u64));
                f.u64(a.tags.len() as u64);
                for t in &a.tags {
                    f.str(&site.tags[t.0].slug).str(&site.tags[t.0].name);
                }
            }
        }
        PageKind::Sitemap(part) => {
            f.u64(2);
            sitemap::key(inputs, *part, &mut f);
        }
        PageKind::Robots => {
            f.u64(3);
        }
        _ => return None,
    }
    Some(f.finish())
}

/// The bytes of the file of `kind`.
fn generate(inputs: &Inputs, kind: &PageKind) -> io::Result<Vec<u8>> {
    match kind {
        PageKind::Feed(feed) => atom(inputs.site, inputs.urls, *feed),
        PageKind::Sitemap(part) => sitemap::xml(inputs, *part),
        PageKind::Robots => Ok(sitemap::robots(inputs.urls).into_bytes()),
        _ => Ok(Vec::new()),
    }
}

/// Whether an article is only previewed (a draft, or a scheduled article in a `--future`
/// preview): such articles stay out of feeds and the sitemap.
pub fn unpublished(a: &Article) -> bool {
    a.draft || a.scheduled
}

/// When an article last changed: its `updated` date when later than its date.
pub fn modified(a: &Article) -> &jiff::ZonedDateTime {
    match &a.updated {
        Some(u) if *u > a.date => u,
        _ => &a.date,
    }
}

/// An XML writer into a new buffer, with the XML declaration written.
pub(crate) fn xml_writer() -> io::Result<Writer<Vec<u8>>> {
    let mut w = Writer::new_with_indent(Vec::with_capacity(16 * 1024), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    Ok(w)
}

/// `<name>text</name>`, the text escaped.
pub(crate) fn text_element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_chars(text)))?;
    Ok(())
}

/// `text` without the characters XML 1.0 forbids (control characters other than tab and line
/// breaks, U+FFFE, U+FFFF). A title in TOML can hold them (`"\u0001"`), and one of them would
/// make the whole feed unreadable. quick-xml escapes markup but leaves these to the caller.
pub(crate) fn xml_chars(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| match c {
        '\t' | '\n' | '\r' => true,
        '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => false,
        _ => true,
    };
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|c| allowed(*c)).collect())
    }
}

/// The Atom document of `feed`.
fn atom(site: &Site, u: &Urls, feed: Feed) -> io::Result<Vec<u8>> {
    let c = &site.config;
    let entries = feed.entries(site);
    // A feed with no entry yet is "updated" at the start of the day it was built.
    let updated = entries
        .iter()
        .map(|id| modified(site.article(*id)))
        .max()
        .map_or_else(
            || {
                site.today
                    .to_zoned_datetime(c.timezone.clone())
                    .map(|z| datetime_iso(&z))
                    .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
            },
            datetime_iso,
        );
    let publisher = if c.contact.organisation.trim().is_empty() {
        &c.title
    } else {
        &c.contact.organisation
    };
    let self_url = u.permalink(&feed.path(site));
    let mut w = xml_writer()?;
    w.create_element("feed")
        .with_attributes([("xmlns", ATOM_NS), ("xml:lang", c.language.as_str())])
        .write_inner_content(|w| {
            text_element(w, "title", &feed.title(site))?;
            if feed == Feed::Site && !c.description.trim().is_empty() {
                text_element(w, "subtitle", &c.description)?;
            }
            w.create_element("link")
                .with_attributes([
                    ("rel", "self"),
                    ("type", "application/atom+xml"),
                    ("href", self_url.as_str()),
                ])
                .write_empty()?;
            w.create_element("link")
                .with_attributes([
                    ("rel", "alternate"),
                    ("type", "text/html"),
                    ("href", u.permalink(&feed.page_path(site)).as_str()),
                ])
                .write_empty()?;
            text_element(w, "id", &self_url)?;
            text_element(w, "updated", &updated)?;
            w.create_element("author").write_inner_content(|w| {
                text_element(w, "name", publisher)?;
                text_element(w, "uri", &u.permalink(""))
            })?;
            text_element(w, "generator", "bantin")?;
            for id in &entries {
                entry(w, site, u, site.article(*id))?;
            }
            Ok(())
        })?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

/// One `<entry>`.
fn entry(w: &mut Writer<Vec<u8>>, site: &Site, u: &Urls, a: &Article) -> io::Result<()> {
    let permalink = u.permalink(&urls::article(&a.slug));
    let author = a
        .author
        .clone()
        .or_else(|| a.author_department.map(|d| site.department(d).name.clone()));
    w.create_element("entry").write_inner_content(|w| {
        text_element(w, "title", &a.title)?;
        w.create_element("link")
            .with_attributes([
                ("rel", "alternate"),
                ("type", "text/html"),
                ("href", permalink.as_str()),
            ])
            .write_empty()?;
        text_element(w, "id", &permalink)?;
        text_element(w, "published", &datetime_iso(&a.date))?;
        text_element(w, "updated", &datetime_iso(modified(a)))?;
        // Without an author here, the entry has the feed's (the ward's organisation).
        if let Some(author) = &author {
            w.create_element("author")
                .write_inner_content(|w| text_element(w, "name", author))?;
        }
        for t in &a.tags {
            let tag = &site.tags[t.0];
            w.create_element("category")
                .with_attributes([
                    ("term", tag.slug.as_str()),
                    ("label", &xml_chars(&tag.name)),
                ])
                .write_empty()?;
        }
        if !a.summary.is_empty() {
            text_element(w, "summary", &a.summary)?;
        }
        Ok(())
    })?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Page metadata (`page.feed`, `page.image`, `json_ld`)
// ---------------------------------------------------------------------------

/// `page.feed`: `{url, title}` of the feed of the page's own articles (the site's on the home
/// page, an official's, a department's, a tag's), or none.
pub fn page_feed(site: &Site, u: &Urls, kind: &PageKind) -> Value {
    Feed::of_page(kind).map_or_else(Value::none, |feed| {
        feed_value(u.link(&feed.path(site)), feed.title(site))
    })
}

/// `site.feed`: `{url, title}` of the whole site's feed.
pub fn site_feed(title: &str, u: &Urls) -> Value {
    feed_value(u.link(&urls::feed(&urls::home())), site_feed_title(title))
}

fn feed_value(url: String, title: String) -> Value {
    Value::from(std::collections::BTreeMap::from([
        ("title", Value::from(title)),
        ("url", Value::from(url)),
    ]))
}

/// `page.image`: `{url, alt}` of the image that represents the page when it is shared (an
/// article's image, an official's photo), the URL absolute; or none.
pub fn page_image(site: &Site, u: &Urls, kind: &PageKind) -> Value {
    let image = match kind {
        PageKind::Article(id) => site.article(*id).image.as_ref(),
        PageKind::Official(id) => site.official(*id).photo.as_ref(),
        _ => None,
    };
    image.map_or_else(Value::none, |i| {
        Value::from(std::collections::BTreeMap::from([
            ("alt", Value::from(i.alt.as_str())),
            ("url", Value::from(absolute(u, &i.path))),
        ]))
    })
}

/// An image path as an absolute URL (images on other websites are given as written).
fn absolute(u: &Urls, path: &str) -> String {
    if path.contains("://") {
        path.to_string()
    } else {
        u.permalink(path)
    }
}

/// `json_ld`: the schema.org `NewsArticle` of an article page, as JSON text safe inside
/// `<script type="application/ld+json">` (marked safe), or none for other pages.
pub fn json_ld(site: &Site, u: &Urls, kind: &PageKind) -> Value {
    let PageKind::Article(id) = kind else {
        return Value::none();
    };
    let a = site.article(*id);
    let c = &site.config;
    let permalink = u.permalink(&urls::article(&a.slug));
    let publisher_name = if c.contact.organisation.trim().is_empty() {
        &c.title
    } else {
        &c.contact.organisation
    };
    let publisher = serde_json::json!({
        "@type": "GovernmentOrganization",
        "name": publisher_name,
        "url": u.permalink(""),
    });
    let department = |d: DepartmentId| {
        serde_json::json!({
            "@type": "GovernmentOrganization",
            "name": site.department(d).name,
            "url": u.permalink(&urls::department(&site.department(d).slug)),
        })
    };
    // An author written as a body's name ("Văn phòng HĐND và UBND") is that body, not a person.
    let author = match (&a.author, a.author_department) {
        (Some(name), _) => department_named(site, name).map_or_else(
            || serde_json::json!({"@type": "Person", "name": name}),
            department,
        ),
        (None, Some(d)) => department(d),
        (None, None) => publisher.clone(),
    };
    let mut doc = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "description": a.summary,
        "datePublished": datetime_iso(&a.date),
        "dateModified": datetime_iso(modified(a)),
        "author": [author],
        "publisher": publisher,
        "mainEntityOfPage": {"@type": "WebPage", "@id": permalink},
        "url": permalink,
        "inLanguage": c.language,
    });
    if let Some(image) = &a.image {
        doc["image"] = serde_json::json!([absolute(u, &image.path)]);
    }
    Value::safe_string(&script_safe_json(&doc))
}

/// The department whose name or short name `name` is (compared as references are: case,
/// Unicode form, tone placement and spacing aside).
fn department_named(site: &Site, name: &str) -> Option<DepartmentId> {
    let key = vietnamese::match_key(name);
    site.department_keys
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, d)| *d)
}

/// JSON text that cannot end the `<script>` element holding it: `<`, `>` and `&` (which only
/// occur inside strings) are written as `\u003c`, `\u003e`, `\u0026`, so neither `</script>`
/// nor `<!--` can appear, whatever an editor types in a title.
fn script_safe_json(doc: &serde_json::Value) -> String {
    let text = doc.to_string();
    if memchr::memchr3(b'<', b'>', b'&', text.as_bytes()).is_none() {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let doc = serde_json::json!({"headline": "a</script><script>alert(1)</script> & <!-- b"});
        let text = script_safe_json(&doc);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, doc, "the escaped text is the same JSON");
    }

    #[test]
    fn characters_xml_forbids_are_dropped() {
        assert_eq!(xml_chars("Họp\u{1} đầu\u{FFFF} năm\tx"), "Họp đầu năm\tx");
        assert!(matches!(xml_chars("Tin tức"), Cow::Borrowed(_)));
    }

    #[test]
    fn escaped_text_and_attributes() {
        let mut w = xml_writer().unwrap();
        w.create_element("a")
            .with_attribute(("href", "x?a=1&b=\"2\""))
            .write_text_content(BytesText::new("<b> & 'c'"))
            .unwrap();
        let text = String::from_utf8(w.into_inner()).unwrap();
        assert!(
            text.contains("href=\"x?a=1&amp;b=&quot;2&quot;\""),
            "{text}"
        );
        assert!(text.contains("&lt;b&gt; &amp;"), "{text}");
    }
}
