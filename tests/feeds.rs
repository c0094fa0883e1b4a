//! How residents and search engines find the news: Atom feeds, `sitemap.xml`, `robots.txt`,
//! the metadata in every page's `<head>` and printing. Sites are built with the real binary;
//! feeds are read with `feed-rs` (and, for the exact text of dates, with `roxmltree`), the
//! sitemap with `roxmltree`, pages with `scraper` and JSON-LD with `serde_json`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::*;
use feed_rs::model::{Feed, FeedType};
use scraper::Html;

const BASE: &str = "https://tochau.angiang.gov.vn/";
const SITE_TITLE: &str = "Phường Tô Châu";
const ORGANISATION: &str = "Ủy ban nhân dân phường Tô Châu";
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The feed at `rel` of an output folder, parsed by feed-rs, and checked to be Atom whose
/// dates are all written with the site's offset.
fn feed(out: &Path, rel: &str) -> Feed {
    let text = read(out, rel);
    let feed = feed_rs::parser::parse(text.as_bytes())
        .unwrap_or_else(|e| panic!("{rel} is not a readable feed: {e}"));
    assert_eq!(feed.feed_type, FeedType::Atom, "{rel}");
    check_atom_dates(rel, &text);
    feed
}

/// Every `<updated>` and `<published>` of an Atom document is RFC 3339 with `+07:00`.
fn check_atom_dates(rel: &str, text: &str) {
    let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().namespace(), Some(ATOM_NS), "{rel}");
    assert_eq!(root.tag_name().name(), "feed", "{rel}");
    let mut dates = 0;
    for node in doc
        .descendants()
        .filter(|n| n.is_element() && matches!(n.tag_name().name(), "updated" | "published"))
    {
        let value = node.text().unwrap_or_default();
        assert!(
            value.ends_with("+07:00") && value.parse::<jiff::Timestamp>().is_ok(),
            "{rel}: <{}> {value:?} is not an RFC 3339 time in +07:00",
            node.tag_name().name()
        );
        dates += 1;
    }
    assert!(dates > 0, "{rel} has no dates");
}

fn title(f: &Feed) -> String {
    f.title
        .as_ref()
        .map(|t| t.content.clone())
        .unwrap_or_default()
}

fn permalink(slug: &str) -> String {
    format!("{BASE}tin-tuc/{slug}/")
}

/// Slugs of a feed's entries, from their ids (which must be the permalinks, and the same as
/// the entries' alternate links).
fn entry_slugs(rel: &str, f: &Feed) -> Vec<String> {
    f.entries
        .iter()
        .map(|e| {
            let alternate: Vec<&str> = e
                .links
                .iter()
                .filter(|l| l.rel.as_deref().unwrap_or("alternate") == "alternate")
                .map(|l| l.href.as_str())
                .collect();
            assert_eq!(
                alternate,
                [e.id.as_str()],
                "{rel}: the link of entry {}",
                e.id
            );
            e.id.strip_prefix(&format!("{BASE}tin-tuc/"))
                .and_then(|s| s.strip_suffix('/'))
                .unwrap_or_else(|| panic!("{rel}: entry id {} is not a permalink", e.id))
                .to_string()
        })
        .collect()
}

/// The feed's `rel="self"` and `rel="alternate"` links.
fn feed_links(f: &Feed) -> (String, String) {
    let find = |rel: &str| {
        f.links
            .iter()
            .find(|l| l.rel.as_deref() == Some(rel))
            .map(|l| l.href.clone())
            .unwrap_or_default()
    };
    (find("self"), find("alternate"))
}

/// A feed follows the listing at `page` (root-relative): its title, its links, and its entries
/// are the listing's first 20 articles in the listing's order, each with its title, dates and
/// an author.
fn check_feed_of(out: &Path, page_url: &str, expected_title: &str) -> Feed {
    let content = example_content();
    let rel = format!("{}atom.xml", page_url.trim_start_matches('/'));
    let f = feed(out, &rel);
    assert_eq!(title(&f), expected_title, "{rel}");
    let self_url = format!("{BASE}{rel}");
    assert_eq!(
        feed_links(&f),
        (
            self_url.clone(),
            format!("{BASE}{}", page_url.trim_start_matches('/'))
        ),
        "{rel}: self and alternate links"
    );
    assert_eq!(f.id, self_url, "{rel}: the feed's id");
    let listed = listing_articles(out, page_url, content.paginate_by);
    let expected: Vec<String> = listed.iter().take(20).cloned().collect();
    let slugs = entry_slugs(&rel, &f);
    assert_eq!(
        slugs, expected,
        "{rel}: the newest 20 articles of {page_url}"
    );
    for (e, slug) in f.entries.iter().zip(&slugs) {
        let a = content.article(slug);
        assert_eq!(
            e.title.as_ref().map(|t| t.content.as_str()),
            Some(a.title.as_str()),
            "{rel}: title of {slug}"
        );
        let published = e
            .published
            .unwrap_or_else(|| panic!("{rel}: {slug} has no published"));
        assert_eq!(
            published.timestamp(),
            a.instant.as_second(),
            "{rel}: published of {slug}"
        );
        let updated = e
            .updated
            .unwrap_or_else(|| panic!("{rel}: {slug} has no updated"));
        assert!(updated >= published, "{rel}: updated of {slug}");
        assert!(
            e.summary
                .as_ref()
                .is_some_and(|s| !s.content.trim().is_empty()),
            "{rel}: {slug} has a summary"
        );
        let authors = if e.authors.is_empty() {
            &f.authors
        } else {
            &e.authors
        };
        assert!(
            authors
                .iter()
                .any(|p| p.name.as_deref().is_some_and(|n| !n.trim().is_empty())),
            "{rel}: {slug} has an author (its own or the feed's)"
        );
    }
    // The feed is updated when its newest entry is.
    assert_eq!(
        f.updated,
        f.entries.iter().filter_map(|e| e.updated).max(),
        "{rel}: the feed's updated"
    );
    f
}

/// The page at `url` links its feed in `<head>` and shows a link to it.
fn check_page_links_feed(out: &Path, page_url: &str, expected_title: &str, visible: &str) {
    let doc = page(out, page_url);
    let feed_url = format!("{page_url}atom.xml");
    let alternates: BTreeMap<String, String> = doc
        .select(&sel(
            "head link[rel=alternate][type=\"application/atom+xml\"]",
        ))
        .map(|l| {
            (
                l.value().attr("href").unwrap_or_default().to_string(),
                l.value().attr("title").unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        alternates.get(&feed_url).map(String::as_str),
        Some(expected_title),
        "{page_url}: <link rel=alternate> to its feed, with its title; found {alternates:?}"
    );
    assert_eq!(
        alternates.get("/atom.xml").map(String::as_str),
        Some("Tin tức – Phường Tô Châu"),
        "{page_url}: <link rel=alternate> to the site's feed"
    );
    let shown: Vec<String> = doc
        .select(&sel("body a[href]"))
        .filter(|a| a.value().attr("href") == Some(feed_url.as_str()))
        .map(text)
        .collect();
    assert!(
        shown.iter().any(|t| t == visible),
        "{page_url}: a visible link «{visible}» to {feed_url}; found {shown:?}"
    );
}

#[test]
fn the_site_feed_carries_the_twenty_newest_articles() {
    let out = example_output();
    let content = example_content();
    assert!(
        content.published().len() > 20,
        "the example has more articles than a feed carries"
    );
    let f = check_feed_of(out, "/", "Tin tức – Phường Tô Châu");
    assert_eq!(f.entries.len(), 20);
    let newest: Vec<String> = content
        .published()
        .iter()
        .take(20)
        .map(|a| a.slug.clone())
        .collect();
    assert_eq!(entry_slugs("atom.xml", &f), newest);
    assert_eq!(f.language.as_deref(), Some("vi"));
    assert!(
        f.authors
            .iter()
            .any(|p| p.name.as_deref() == Some(ORGANISATION)),
        "the feed's author is the ward's organisation: {:?}",
        f.authors
    );
    // An article with an `updated` date: the entry's updated is that day.
    let source = "content/articles/2026/cu-tri-di-bau-cu-15-3-2026.md";
    assert_eq!(
        front_matter(&repo_root().join(source))["updated"],
        "2026-03-16"
    );
    let updated_article = content
        .articles
        .iter()
        .find(|a| a.source == source)
        .expect("the article is read");
    let e = f
        .entries
        .iter()
        .find(|e| e.id == permalink(&updated_article.slug))
        .expect("the article with an updated date is among the newest");
    let expected: jiff::Timestamp = "2026-03-16T00:00:00+07:00".parse().unwrap();
    assert_eq!(e.updated.map(|u| u.timestamp()), Some(expected.as_second()));
    // Home page: the site's feed in <head> and a visible link to it.
    check_page_links_feed(
        out,
        "/",
        "Tin tức – Phường Tô Châu",
        "Theo dõi tin mới (RSS/Atom)",
    );
}

#[test]
fn every_official_department_and_tag_has_its_feed() {
    let out = example_output();
    let content = example_content();
    let mut with_entries = 0;
    for o in &content.officials {
        let url = format!("/can-bo/{}/", o.slug);
        let expected = format!("Đồng chí {} – {SITE_TITLE}", o.name);
        let f = check_feed_of(out, &url, &expected);
        if !f.entries.is_empty() {
            with_entries += 1;
            check_page_links_feed(out, &url, &expected, "Theo dõi (RSS/Atom)");
        }
    }
    for d in &content.departments {
        let url = format!("/don-vi/{}/", d.slug);
        let expected = format!("{} – {SITE_TITLE}", d.name);
        let f = check_feed_of(out, &url, &expected);
        if !f.entries.is_empty() {
            with_entries += 1;
            check_page_links_feed(out, &url, &expected, "Theo dõi (RSS/Atom)");
        }
    }
    // Tags as residents find them: the links of the tags index.
    let index = page(out, "/chu-de/");
    let tags: BTreeSet<String> = main_links(&index)
        .into_iter()
        .filter(|h| h.starts_with("/chu-de/") && h != "/chu-de/")
        .collect();
    assert!(tags.len() >= 3, "the example has tags: {tags:?}");
    for url in &tags {
        let doc = page(out, url);
        let name = text(
            doc.select(&sel("h1"))
                .next()
                .expect("a tag page has a title"),
        );
        let expected = format!("Chủ đề {name} – {SITE_TITLE}");
        let f = check_feed_of(out, url, &expected);
        assert!(!f.entries.is_empty(), "{url}: a tag has articles");
        check_page_links_feed(out, url, &expected, "Theo dõi (RSS/Atom)");
    }
    assert!(
        with_entries > 5,
        "most officials and departments have articles"
    );
}

/// (loc → lastmod) of a sitemap, checked against the protocol's shape.
fn sitemap(out: &Path) -> BTreeMap<String, Option<String>> {
    let text = read(out, "sitemap.xml");
    let doc = roxmltree::Document::parse(&text).expect("sitemap.xml is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(root.tag_name().namespace(), Some(SITEMAP_NS));
    let mut out = BTreeMap::new();
    for url in root.children().filter(|n| n.is_element()) {
        assert_eq!(url.tag_name().name(), "url");
        let child = |name: &str| {
            url.children()
                .find(|n| n.tag_name().name() == name)
                .and_then(|n| n.text())
                .map(str::to_string)
        };
        let loc = child("loc").expect("every <url> has a <loc>");
        let previous = out.insert(loc.clone(), child("lastmod"));
        assert!(previous.is_none(), "{loc} is listed twice");
    }
    out
}

fn instant(text: &str) -> jiff::Timestamp {
    assert!(text.ends_with("+07:00"), "{text} is in the site's offset");
    text.parse()
        .unwrap_or_else(|e| panic!("{text} is not RFC 3339: {e}"))
}

#[test]
fn the_sitemap_lists_every_page_with_its_last_change() {
    let out = example_output();
    let content = example_content();
    let map = sitemap(out);
    // Every HTML page a reader can land on is there, and nothing else: not 404.html, not the
    // redirect pages, not drafts, not pages marked noindex, not feeds.
    let mut pages = BTreeSet::new();
    for (rel, doc) in html_files(out) {
        let redirect = doc
            .select(&sel("meta[http-equiv=refresh]"))
            .next()
            .is_some();
        // A page that asks search engines not to index it must not be submitted to them.
        let noindex = attrs(&doc, "meta[name=robots]", "content")
            .iter()
            .any(|c| c.contains("noindex"));
        // Pages are folders (`x/index.html`); other HTML files are not pages readers land on.
        let Some(path) = rel.strip_suffix("index.html") else {
            continue;
        };
        if redirect || noindex {
            continue;
        }
        pages.insert(format!("{BASE}{path}"));
    }
    let listed: BTreeSet<String> = map.keys().cloned().collect();
    let extra: Vec<&String> = listed.difference(&pages).collect();
    let missing: Vec<&String> = pages.difference(&listed).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "the sitemap lists exactly the site's pages; not pages: {extra:?}; missing: {missing:?}"
    );
    for draft in content.articles.iter().filter(|a| a.draft) {
        assert!(!map.contains_key(&permalink(&draft.slug)));
    }
    // Articles: their date, or their later `updated` date.
    for a in content.published() {
        let lastmod = map[&permalink(&a.slug)]
            .as_deref()
            .unwrap_or_else(|| panic!("{} has a lastmod", a.slug));
        let fm = front_matter(&repo_root().join(&a.source));
        match fm.get("updated").and_then(|u| u.as_str()) {
            None => assert_eq!(instant(lastmod), a.instant, "lastmod of {}", a.slug),
            Some(day) => assert_eq!(&lastmod[..10], day, "lastmod of {}", a.slug),
        }
    }
    // Listings: the newest article they show.
    let newest = content.published()[0];
    let home = map[BASE].as_deref().expect("the home page has a lastmod");
    assert_eq!(instant(home), newest.instant);
    let second = map[&format!("{BASE}trang/2/")]
        .as_deref()
        .expect("page 2 has a lastmod");
    assert_eq!(
        instant(second),
        content.published()[content.paginate_by].instant,
        "page 2 of the home page: its first article"
    );
    for (loc, lastmod) in &map {
        if let Some(l) = lastmod {
            instant(l);
        }
        assert!(loc.starts_with(BASE), "{loc} is absolute");
    }
}

#[test]
fn robots_txt_points_to_the_sitemap() {
    let out = example_output();
    let robots = read(out, "robots.txt");
    let lines: Vec<&str> = robots.lines().map(str::trim).collect();
    assert!(lines.contains(&"User-agent: *"), "{robots}");
    assert!(
        !lines.iter().any(|l| l.starts_with("Disallow: /")),
        "{robots}"
    );
    assert!(
        lines.contains(&"Sitemap: https://tochau.angiang.gov.vn/sitemap.xml"),
        "{robots}"
    );
}

/// `<meta property|name=...>` of a page's head.
fn meta(doc: &Html, key: &str) -> Option<String> {
    doc.select(&sel(&format!(
        "head meta[property=\"{key}\"], head meta[name=\"{key}\"]"
    )))
    .next()
    .and_then(|m| m.value().attr("content").map(str::to_string))
}

fn json_ld(doc: &Html) -> Vec<serde_json::Value> {
    doc.select(&sel("script[type=\"application/ld+json\"]"))
        .map(|s| {
            let text: String = s.text().collect();
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("JSON-LD {text}: {e}"))
        })
        .collect()
}

#[test]
fn article_pages_carry_open_graph_twitter_and_news_article_data() {
    let out = example_output();
    let content = example_content();
    // One article with an image, one without.
    let with_image = "ra-quan-lam-cho-the-gioi-sach-hon-2024";
    let fm = front_matter(&repo_root().join(&content.article(with_image).source));
    let image = fm["image"]
        .as_str()
        .expect("the article has an image")
        .to_string();
    let without = content
        .published()
        .into_iter()
        .find(|a| {
            front_matter(&repo_root().join(&a.source))
                .get("image")
                .is_none()
        })
        .expect("an article without image");

    for (slug, has_image) in [(with_image, true), (without.slug.as_str(), false)] {
        let a = content.article(slug);
        let url = a.url();
        let doc = page(out, &url);
        let canonical = permalink(slug);
        assert_eq!(
            attrs(&doc, "head link[rel=canonical]", "href"),
            [canonical.as_str()],
            "{url}"
        );
        assert_eq!(meta(&doc, "og:title").as_deref(), Some(a.title.as_str()));
        assert_eq!(meta(&doc, "og:url"), Some(canonical.clone()));
        assert_eq!(meta(&doc, "og:type").as_deref(), Some("article"));
        assert_eq!(meta(&doc, "og:locale").as_deref(), Some("vi_VN"));
        assert_eq!(meta(&doc, "og:site_name").as_deref(), Some(SITE_TITLE));
        let description = meta(&doc, "og:description").expect("og:description");
        assert!(!description.is_empty());
        assert_eq!(meta(&doc, "description"), Some(description.clone()));
        assert_eq!(
            meta(&doc, "twitter:title").as_deref(),
            Some(a.title.as_str())
        );
        let ld = json_ld(&doc);
        assert_eq!(ld.len(), 1, "{url}: one JSON-LD block");
        let ld = &ld[0];
        assert_eq!(ld["@context"], "https://schema.org");
        assert_eq!(ld["@type"], "NewsArticle");
        assert_eq!(ld["headline"], a.title.as_str());
        assert_eq!(ld["mainEntityOfPage"]["@id"], canonical.as_str());
        assert_eq!(ld["publisher"]["name"], ORGANISATION);
        assert_eq!(ld["publisher"]["url"], BASE);
        let published = ld["datePublished"].as_str().expect("datePublished");
        assert_eq!(instant(published), a.instant, "{url}: datePublished");
        let time = attrs(&doc, ".article-head time", "datetime");
        assert_eq!(time.first().map(String::as_str), Some(published));
        let modified = ld["dateModified"].as_str().expect("dateModified");
        assert!(instant(modified) >= a.instant);
        let author = ld["author"][0]["name"].as_str().unwrap_or_default();
        assert!(!author.is_empty(), "{url}: an author");
        let byline = doc
            .select(&sel(".byline"))
            .next()
            .map(text)
            .unwrap_or_default();
        assert!(
            byline.contains(author),
            "{url}: author {author} is the byline's «{byline}»"
        );
        if has_image {
            let og_image = meta(&doc, "og:image").expect("og:image");
            assert!(
                og_image.starts_with(BASE) && og_image.ends_with(image.trim_start_matches('/')),
                "{url}: og:image {og_image} is the absolute URL of {image}"
            );
            assert_eq!(
                meta(&doc, "twitter:card").as_deref(),
                Some("summary_large_image")
            );
            assert_eq!(meta(&doc, "twitter:image"), Some(og_image.clone()));
            assert_eq!(ld["image"][0], og_image.as_str());
            let alt = attrs(&doc, ".article-image img", "alt");
            assert_eq!(meta(&doc, "og:image:alt"), alt.first().cloned());
        } else {
            assert_eq!(meta(&doc, "og:image"), None, "{url}");
            assert_eq!(meta(&doc, "twitter:card").as_deref(), Some("summary"));
            assert!(ld.get("image").is_none());
        }
        // Only the site's feed: an article has none of its own.
        assert_eq!(
            attrs(&doc, "head link[rel=alternate]", "href"),
            ["/atom.xml"],
            "{url}"
        );
    }
}

#[test]
fn an_author_named_like_a_department_is_that_organisation() {
    let out = example_output();
    let content = example_content();
    let source = "content/articles/2026/cu-tri-di-bau-cu-15-3-2026.md";
    assert_eq!(
        front_matter(&repo_root().join(source))["author"],
        "Văn phòng HĐND và UBND"
    );
    let a = content
        .articles
        .iter()
        .find(|a| a.source == source)
        .expect("the article is read");
    let ld = json_ld(&page(out, &a.url()));
    assert_eq!(ld[0]["author"][0]["@type"], "GovernmentOrganization");
    assert_eq!(
        ld[0]["author"][0]["name"],
        "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân phường"
    );
    assert_eq!(
        ld[0]["author"][0]["url"],
        format!("{BASE}don-vi/van-phong-hdnd-ubnd/").as_str()
    );
    // A person's name stays a person.
    let person = page(out, "/tin-tuc/khai-giang-nam-hoc-2025-2026/");
    let ld = json_ld(&person);
    assert_eq!(ld[0]["author"][0]["@type"], "Person");
    assert_eq!(ld[0]["author"][0]["name"], "Ngọc Trâm");
}

#[test]
fn the_home_page_is_a_website_with_the_site_feed() {
    let out = example_output();
    let doc = page(out, "/");
    assert_eq!(attrs(&doc, "head link[rel=canonical]", "href"), [BASE]);
    assert_eq!(meta(&doc, "og:type").as_deref(), Some("website"));
    assert_eq!(meta(&doc, "og:url").as_deref(), Some(BASE));
    assert_eq!(meta(&doc, "og:title").as_deref(), Some(SITE_TITLE));
    assert_eq!(meta(&doc, "twitter:card").as_deref(), Some("summary"));
    assert!(json_ld(&doc).is_empty(), "no NewsArticle on the home page");
    assert!(
        doc.select(&sel("button.print-button")).next().is_none(),
        "the print button is for articles"
    );
    // Every page links the site's feed, the footer visibly.
    for url in ["/can-bo/", "/luu-tru/", "/gioi-thieu/", "/co-cau-to-chuc/"] {
        let doc = page(out, url);
        assert_eq!(
            attrs(
                &doc,
                "head link[rel=alternate][type=\"application/atom+xml\"]",
                "href"
            ),
            ["/atom.xml"],
            "{url}"
        );
        assert!(
            doc.select(&sel("footer a[href=\"/atom.xml\"]"))
                .any(|a| text(a) == "Theo dõi tin mới (RSS/Atom)"),
            "{url}: footer link to the feed"
        );
    }
}

/// The blocks of `@media print { … }` in a stylesheet (comments removed).
fn print_rules(css: &str) -> String {
    let mut css = css.to_string();
    while let Some(start) = css.find("/*") {
        let end = css[start..].find("*/").map_or(css.len(), |e| start + e + 2);
        css.replace_range(start..end, "");
    }
    let mut out = String::new();
    let mut rest = css.as_str();
    while let Some(at) = rest.find("@media print") {
        let body = &rest[at..];
        let open = body.find('{').expect("a block");
        let mut depth = 0;
        let mut end = body.len();
        for (i, c) in body.char_indices().skip(open) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push_str(&body[open + 1..end]);
        out.push('\n');
        rest = &body[end..];
    }
    out
}

/// Whether some rule of `css` whose selector list names `selector` sets `declaration`.
fn rule_sets(css: &str, selector: &str, declaration: &str) -> bool {
    css.split('}').any(|rule| {
        let Some((selectors, body)) = rule.split_once('{') else {
            return false;
        };
        selectors.split(',').any(|s| s.trim() == selector)
            && body.replace(' ', "").contains(declaration)
    })
}

#[test]
fn articles_print_cleanly_with_a_print_button() {
    let out = example_output();
    let content = example_content();
    let a = content.published()[0];
    let doc = page(out, &a.url());
    let buttons: Vec<_> = doc.select(&sel("article button.print-button")).collect();
    assert_eq!(buttons.len(), 1, "one print button on an article page");
    let b = buttons[0];
    assert_eq!(text(b), "In bài viết");
    assert_eq!(b.value().attr("type"), Some("button"));
    assert_eq!(b.value().attr("onclick"), Some("window.print()"));
    // Without JavaScript the button could not work: it stays hidden, and the script that
    // shows it names it.
    assert!(b.value().attr("hidden").is_some());
    let id = b.value().attr("id").expect("the button has an id");
    assert!(
        doc.select(&sel("script:not([type])")).any(|s| s
            .text()
            .collect::<String>()
            .contains(&format!("getElementById(\"{id}\").hidden=false"))),
        "a script shows the button"
    );
    // The stylesheet the page links has a print section that keeps the article alone.
    let css_href = attrs(&doc, "link[rel=stylesheet]", "href");
    assert_eq!(css_href, ["/style.css"]);
    let print = print_rules(&read(out, "style.css"));
    for selector in [
        ".menu",
        ".site-footer",
        ".print-button",
        ".related",
        ".prevnext",
        ".article-aside",
        ".feed-link",
        "[role=\"search\"]",
    ] {
        assert!(
            rule_sets(&print, selector, "display:none"),
            "the print style hides {selector}"
        );
    }
    assert!(rule_sets(&print, "*", "color:#000"), "black text");
    assert!(
        rule_sets(&print, "*", "background:#fff"),
        "white background"
    );
    assert!(
        print.contains(".content a[href^=\"http\"]::after") && print.contains("attr(href)"),
        "link addresses are printed after links"
    );
    assert!(read(out, "style.css").contains("@page"), "page margins");
    // What identifies the printed article is not hidden: title, date, byline, source.
    for kept in [
        ".article-head",
        ".meta",
        ".byline",
        "h1",
        ".content",
        ".print-only",
    ] {
        assert!(
            !rule_sets(&print, kept, "display:none"),
            "the print style keeps {kept}"
        );
    }
    assert!(
        doc.select(&sel(".print-only"))
            .any(|p| text(p).contains(&permalink(&a.slug))),
        "the printed page names its address"
    );
}

/// A small site in a temporary folder, with `files` (path → text) added.
fn site_with(files: &[(&str, &str)], extra_config: &str) -> tempfile::TempDir {
    let site = small_site(extra_config);
    for (rel, text) in files {
        write(site.path(), rel, text);
    }
    site
}

#[test]
fn titles_with_markup_and_control_characters_stay_data() {
    let title = r#"Họp </script><script>alert("x")</script> & <!-- bàn "việc" 'khó'"#;
    let toml_title = title.replace('\\', "\\\\").replace('"', "\\\"");
    let site = site_with(
        &[(
            "content/articles/tieu-de-kho.md",
            &format!(
                "+++\ntitle = \"{toml_title}\\u0001\"\ndate = 2025-04-01T09:30:00\nauthor = \"A & B <c>\"\n\
                     tags = [\"Chính quyền\"]\n+++\nNội dung <b>đậm</b> & xong.\n"
            ),
        )],
        "",
    );
    let out = site.path().join("public");
    build_ok(site.path(), &out, &[]);
    let doc = page(&out, "/tin-tuc/tieu-de-kho/");
    let ld = json_ld(&doc);
    assert_eq!(ld.len(), 1);
    let headline = ld[0]["headline"].as_str().unwrap_or_default();
    assert!(headline.starts_with(title), "JSON-LD headline {headline:?}");
    assert_eq!(ld[0]["author"][0]["name"], "A & B <c>");
    assert_eq!(
        doc.select(&sel("script")).count(),
        2,
        "the JSON-LD and the print button's script, nothing injected"
    );
    for rel in ["atom.xml", "chu-de/chinh-quyen/atom.xml"] {
        let f = feed(&out, rel);
        let e = f
            .entries
            .iter()
            .find(|e| e.id == "https://thu.example.vn/tin-tuc/tieu-de-kho/")
            .unwrap_or_else(|| panic!("{rel} has the article"));
        assert_eq!(
            e.title.as_ref().map(|t| t.content.as_str()),
            Some(title),
            "{rel}: the title, its forbidden control character left out"
        );
        assert_eq!(e.authors[0].name.as_deref(), Some("A & B <c>"));
        assert_eq!(
            e.published.map(|p| p.timestamp()),
            Some(
                "2025-04-01T09:30:00+07:00"
                    .parse::<jiff::Timestamp>()
                    .unwrap()
                    .as_second()
            )
        );
    }
}

#[test]
fn drafts_stay_out_of_feeds_and_the_sitemap() {
    let site = site_with(
        &[(
            "content/articles/ban-nhap.md",
            "+++\ntitle = \"Bản nháp chưa duyệt\"\ndate = 2025-12-01\ndraft = true\n\
             officials = [\"nguyen-van-an\"]\ntags = [\"Chính quyền\"]\n+++\nChưa đăng.\n",
        )],
        "",
    );
    let out = site.path().join("public");
    build_ok(site.path(), &out, &["--drafts"]);
    assert!(exists(&out, "/tin-tuc/ban-nhap/"), "the draft is previewed");
    let draft = "https://thu.example.vn/tin-tuc/ban-nhap/";
    for rel in [
        "atom.xml",
        "can-bo/nguyen-van-an/atom.xml",
        "chu-de/chinh-quyen/atom.xml",
    ] {
        let f = feed(&out, rel);
        assert!(!f.entries.is_empty(), "{rel} has the published articles");
        assert!(
            f.entries.iter().all(|e| e.id != draft),
            "{rel} has no draft"
        );
    }
    let text = read(&out, "sitemap.xml");
    let doc = roxmltree::Document::parse(&text).expect("XML");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "loc")
        .filter_map(|n| n.text())
        .collect();
    assert!(locs.contains(&"https://thu.example.vn/tin-tuc/hop-dau-nam/"));
    assert!(!locs.contains(&draft), "no draft in the sitemap");
}

#[test]
fn scheduled_articles_previewed_with_future_stay_out_of_feeds_and_the_sitemap() {
    let site = site_with(
        &[(
            "content/articles/hen-dang.md",
            "+++\ntitle = \"Tin hẹn đăng\"\ndate = 2999-01-01\n\
             officials = [\"nguyen-van-an\"]\ntags = [\"Chính quyền\"]\n+++\nSẽ đăng sau.\n",
        )],
        "",
    );
    let out = site.path().join("public");
    build_ok(site.path(), &out, &["--future"]);
    assert!(
        exists(&out, "/tin-tuc/hen-dang/"),
        "the article is previewed"
    );
    let scheduled = "https://thu.example.vn/tin-tuc/hen-dang/";
    for rel in [
        "atom.xml",
        "can-bo/nguyen-van-an/atom.xml",
        "chu-de/chinh-quyen/atom.xml",
    ] {
        let f = feed(&out, rel);
        assert!(!f.entries.is_empty(), "{rel} has the published articles");
        assert!(f.entries.iter().all(|e| e.id != scheduled), "{rel}");
    }
    assert!(!read(&out, "sitemap.xml").contains(scheduled));
}

#[test]
fn a_site_in_a_sub_folder_gets_absolute_addresses_everywhere() {
    let site = small_site("");
    let out = site.path().join("public");
    build_ok(
        site.path(),
        &out,
        &["--base-url", "https://example.vn/phuong-thu/"],
    );
    let base = "https://example.vn/phuong-thu/";
    let robots = read(&out, "robots.txt");
    assert!(
        robots.contains(&format!("Sitemap: {base}sitemap.xml")),
        "{robots}"
    );
    let f = feed(&out, "atom.xml");
    assert_eq!(
        feed_links(&f),
        (format!("{base}atom.xml"), base.to_string())
    );
    assert_eq!(title(&f), "Tin tức – Phường Thử");
    assert!(
        f.entries
            .iter()
            .all(|e| e.id.starts_with(&format!("{base}tin-tuc/")))
    );
    let text = read(&out, "sitemap.xml");
    let doc = roxmltree::Document::parse(&text).expect("XML");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "loc")
        .filter_map(|n| n.text())
        .collect();
    assert!(locs.contains(&base));
    assert!(locs.iter().all(|l| l.starts_with(base)), "{locs:?}");
    let home = Html::parse_document(&read(&out, "index.html"));
    assert_eq!(
        attrs(&home, "head link[rel=alternate]", "href"),
        ["/phuong-thu/atom.xml"]
    );
    // An official with no article yet still has a feed, empty and valid.
    write(
        site.path(),
        "content/officials/tran-thi-binh.md",
        "+++\nname = \"Trần Thị Bình\"\norder = 2\n+++\nTiểu sử.\n",
    );
    build_ok(site.path(), &out, &[]);
    let f = feed(&out, "can-bo/tran-thi-binh/atom.xml");
    assert!(f.entries.is_empty());
    assert_eq!(title(&f), "Đồng chí Trần Thị Bình – Phường Thử");
}

#[test]
fn a_robots_txt_of_the_site_is_kept() {
    let mine = "User-agent: *\nDisallow: /tai-lieu/noi-bo/\n";
    let site = site_with(&[("static/robots.txt", mine)], "");
    let out = site.path().join("public");
    build_ok(site.path(), &out, &[]);
    assert_eq!(read(&out, "robots.txt"), mine);
    assert!(out.join("sitemap.xml").is_file());
}
