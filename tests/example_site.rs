//! The example site (the repository root) built by the real binary: every kind of page exists
//! and shows what the content says, links resolve, pagination is right, builds are repeatable.
//!
//! Expectations are computed from the content files' front matter (see `common`), not from
//! bantin's own code.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::*;
use scraper::Html;

fn out() -> &'static Path {
    example_output()
}

fn content() -> &'static Content {
    example_content()
}

fn per_page() -> usize {
    content().paginate_by
}

fn h1s(doc: &Html) -> Vec<String> {
    doc.select(&sel("main h1")).map(text).collect()
}

/// The links of `<main>` that start with `prefix`, as a set.
fn links_under(doc: &Html, prefix: &str) -> BTreeSet<String> {
    main_links(doc)
        .into_iter()
        .filter(|h| h.starts_with(prefix) && h.len() > prefix.len())
        .collect()
}

// ---------------------------------------------------------------------------
// Home
// ---------------------------------------------------------------------------

#[test]
fn home_lists_every_published_article_newest_first() {
    let expected = content().published_slugs(|_| true);
    assert!(
        expected.len() > per_page(),
        "the example site should need more than one home page"
    );
    let first_page = listed_articles(&page(out(), "/"));
    assert_eq!(
        first_page.first(),
        expected.first(),
        "the newest article comes first on /"
    );
    assert_eq!(listing_articles(out(), "/", per_page()), expected);
}

#[test]
fn home_pagination_has_numbered_pages_and_prev_next_links() {
    let total = content().published().len().div_ceil(per_page());
    assert!(total >= 2);
    let pages = check_listing(out(), "/", per_page());
    assert_eq!(pages.len(), total, "number of home pages");
    let second = page(out(), "/trang/2/");
    assert_eq!(
        rel_links(&second, "prev"),
        BTreeSet::from(["/".to_string()])
    );
    let next: BTreeSet<String> = if total > 2 {
        BTreeSet::from(["/trang/3/".to_string()])
    } else {
        BTreeSet::new()
    };
    assert_eq!(rel_links(&second, "next"), next);
    let last = page(out(), &page_url("/", total));
    assert!(
        rel_links(&last, "next").is_empty(),
        "the last page has no next link"
    );
    assert!(!exists(out(), &page_url("/", total + 1)));
}

// ---------------------------------------------------------------------------
// Articles
// ---------------------------------------------------------------------------

#[test]
fn article_pages_show_title_vietnamese_date_officials_departments_and_tags() {
    for a in content().published() {
        let doc = page(out(), &a.url());
        let url = a.url();
        assert_eq!(
            h1s(&doc).first(),
            Some(&a.title),
            "h1 of {url} ({})",
            a.source
        );
        let expected_date = full_date_vi(a.date);
        let times: Vec<(String, String)> = main_of(&doc)
            .select(&sel("time"))
            .map(|t| {
                (
                    text(t),
                    t.value().attr("datetime").unwrap_or_default().to_string(),
                )
            })
            .collect();
        assert!(
            times
                .iter()
                .any(|(t, dt)| *t == expected_date && dt.starts_with(&a.date.to_string())),
            "{url} should show the date «{expected_date}» in a <time datetime=\"{}…\">, found {times:?}",
            a.date
        );
        // Officials and departments: those of the front matter, and those the text names
        // (bantin finds names in the running text; a full name always counts).
        let slug_of = |href: &String, prefix: &str| {
            href.trim_start_matches(prefix)
                .trim_end_matches('/')
                .to_string()
        };
        let officials: BTreeSet<String> = links_under(&doc, "/can-bo/")
            .iter()
            .map(|h| slug_of(h, "/can-bo/"))
            .collect();
        let at_least = content().officials_at_least(a);
        let at_most = content().officials_at_most(a);
        assert!(
            at_least.is_subset(&officials),
            "{url} must link the officials {:?}; links {officials:?}",
            at_least.difference(&officials).collect::<Vec<_>>()
        );
        assert!(
            officials.is_subset(&at_most),
            "{url} links officials it does not name: {:?}",
            officials.difference(&at_most).collect::<Vec<_>>()
        );
        let departments: BTreeSet<String> = links_under(&doc, "/don-vi/")
            .iter()
            .map(|h| slug_of(h, "/don-vi/"))
            .collect();
        let named: BTreeSet<String> = a.departments.iter().cloned().collect();
        let at_most = content().departments_at_most(a);
        assert!(
            named.is_subset(&departments),
            "{url} must link the departments of its front matter {:?}; links {departments:?}",
            named.difference(&departments).collect::<Vec<_>>()
        );
        assert!(
            departments.is_subset(&at_most),
            "{url} links departments it does not name: {:?}",
            departments.difference(&at_most).collect::<Vec<_>>()
        );
        let tags: BTreeSet<String> = a
            .tags
            .iter()
            .map(|t| format!("/chu-de/{}/", slugify(t)))
            .collect();
        assert_eq!(links_under(&doc, "/chu-de/"), tags, "tag links of {url}");
    }
}

#[test]
fn a_known_article_date_is_written_the_vietnamese_way() {
    // 29/12/2025 was a Monday.
    let a = content().article("dang-uy-tong-ket-cong-tac-nam-2025");
    assert_eq!(full_date_vi(a.date), "Thứ Hai, 29/12/2025");
    let doc = page(out(), &a.url());
    let times: Vec<String> = main_of(&doc).select(&sel("time")).map(text).collect();
    assert!(
        times.iter().any(|t| t == "Thứ Hai, 29/12/2025"),
        "{times:?}"
    );
}

#[test]
fn article_pages_link_the_previous_older_and_next_newer_article() {
    let published = content().published();
    for (i, a) in published.iter().enumerate() {
        let doc = page(out(), &a.url());
        // `published` is newest first: the next (newer) article is before it.
        let newer: BTreeSet<String> = i
            .checked_sub(1)
            .map(|j| published[j].url())
            .into_iter()
            .collect();
        let older: BTreeSet<String> = published.get(i + 1).map(|o| o.url()).into_iter().collect();
        assert_eq!(
            rel_links(&doc, "prev"),
            older,
            "rel=prev (older) of {}",
            a.url()
        );
        assert_eq!(
            rel_links(&doc, "next"),
            newer,
            "rel=next (newer) of {}",
            a.url()
        );
    }
}

#[test]
fn article_pages_give_an_officials_position_held_on_the_article_date() {
    let mut checked = 0;
    for a in content().published() {
        let doc = page(out(), &a.url());
        for slug in &a.officials {
            let official = content()
                .officials
                .iter()
                .find(|o| &o.slug == slug)
                .expect("resolved official");
            let held: Vec<_> = official
                .positions
                .iter()
                .filter(|p| p.from <= a.date && p.to.is_none_or(|to| a.date <= to))
                .collect();
            // With several positions the spec does not say which one is shown.
            let [position] = held.as_slice() else {
                continue;
            };
            let href = format!("/can-bo/{slug}/");
            // The list of the article's officials (not a link in the text).
            let item = main_of(&doc)
                .select(&sel("li a[href]"))
                .filter(|l| l.value().attr("href") == Some(href.as_str()))
                .filter_map(|l| {
                    element_ancestors(l)
                        .into_iter()
                        .find(|e| e.value().name() == "li")
                })
                .next()
                .unwrap_or_else(|| panic!("{} does not list {href}", a.url()));
            assert!(
                text(item).contains(&position.title),
                "{} should give {} the title «{}» held on {}; the item reads «{}»",
                a.url(),
                official.name,
                position.title,
                a.date,
                text(item)
            );
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "no article names an official with one position"
    );
}

#[test]
fn alias_pages_redirect_to_their_article() {
    let mut seen = 0;
    for a in content().published() {
        for alias in &a.aliases {
            seen += 1;
            let path = alias.trim_start_matches('/');
            let last = path.rsplit('/').next().unwrap_or_default();
            let rel = if last.contains('.') {
                path.to_string()
            } else {
                format!("{}/index.html", path.trim_end_matches('/'))
            };
            let file = out().join(&rel);
            let html = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("alias {alias} of {} not written: {e}", a.source));
            let doc = Html::parse_document(&html);
            let refresh = attrs(&doc, "meta[http-equiv=\"refresh\" i]", "content");
            let target = a.url();
            assert!(
                refresh.iter().any(|c| {
                    let c = c.to_ascii_lowercase();
                    c.split_once("url=")
                        .is_some_and(|(_, url)| url.trim().trim_matches(['\'', '"']) == target)
                }),
                "alias {alias} should refresh to {target}; meta refresh: {refresh:?}"
            );
            assert!(
                main_links(&doc).contains(&target),
                "alias page {alias} should also link to {target} for readers without refresh"
            );
        }
    }
    assert!(seen > 0, "the example site has an article with aliases");
}

#[test]
fn drafts_are_only_built_with_the_drafts_flag() {
    let drafts: Vec<&Article> = content().articles.iter().filter(|a| a.draft).collect();
    assert!(!drafts.is_empty(), "the example site has a draft article");
    for d in &drafts {
        assert!(!exists(out(), &d.url()), "draft {} was published", d.source);
        for (rel, doc) in html_files(out()) {
            assert!(
                !main_links(&doc).contains(&d.url()),
                "{rel} links to the draft {}",
                d.url()
            );
        }
    }
    let with_drafts = build_example(&["--drafts"]);
    let out = with_drafts.path().join("public");
    for d in &drafts {
        let doc = page(&out, &d.url());
        assert_eq!(h1s(&doc).first(), Some(&d.title), "draft page {}", d.url());
    }
    let home = listing_articles(&out, "/", per_page());
    for d in &drafts {
        assert!(
            home.contains(&d.slug),
            "--drafts lists the draft on the home page"
        );
    }
}

#[test]
fn bundle_files_are_copied_beside_their_article() {
    let mut copied = 0;
    for a in content().published() {
        let Some(dir) = &a.bundle else { continue };
        for entry in std::fs::read_dir(dir).expect("bundle folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "md") || path.is_dir() {
                continue;
            }
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            let dest = out().join("tin-tuc").join(&a.slug).join(&name);
            let bytes = std::fs::read(&dest).unwrap_or_else(|e| {
                panic!("{} not copied to {}: {e}", path.display(), dest.display())
            });
            let source = std::fs::read(&path).expect("source");
            if name.ends_with(".jpg") {
                // Photos are published re-encoded, at most 1600 px wide (docs/images.md).
                let width = |b: &[u8]| {
                    let mut d = zune_jpeg::JpegDecoder::new(zune_core::bytestream::ZCursor::new(b));
                    d.decode_headers().expect("a JPEG");
                    d.info().expect("its size").width
                };
                assert_eq!(width(&bytes), width(&source).min(1600), "{name} published");
            } else {
                assert_eq!(bytes, source, "{name} copied intact");
            }
            copied += 1;
        }
        let doc = page(out(), &a.url());
        let srcs = attrs(&doc, "main img", "src");
        assert!(
            srcs.iter().any(|s| s.starts_with(&a.url())),
            "the bundle article {} shows its own image; img src: {srcs:?}",
            a.url()
        );
    }
    assert!(
        copied > 0,
        "the example site has a bundle article with an image"
    );
}

// ---------------------------------------------------------------------------
// Date indexes
// ---------------------------------------------------------------------------

#[test]
fn year_month_and_day_indexes_list_exactly_their_articles() {
    let published = content().published();
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in &published {
        let (y, m, d) = (a.date.year(), a.date.month(), a.date.day());
        for url in [
            format!("/{y:04}/"),
            format!("/{y:04}/{m:02}/"),
            format!("/{y:04}/{m:02}/{d:02}/"),
        ] {
            expected.entry(url).or_default().push(a.slug.clone());
        }
    }
    // The period pages in the output are exactly those of the content.
    let is_period = |rel: &str| {
        let parts: Vec<&str> = rel.split('/').collect();
        let (last, dirs) = parts.split_last().expect("non-empty");
        *last == "index.html"
            && !dirs.is_empty()
            && dirs[0].len() == 4
            && dirs.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
            && dirs[1..].iter().all(|p| p.len() == 2)
            && dirs.len() <= 3
    };
    let found: BTreeSet<String> = files(out())
        .into_keys()
        .filter(|rel| is_period(rel))
        .map(|rel| format!("/{}", rel.trim_end_matches("index.html")))
        .collect();
    let wanted: BTreeSet<String> = expected.keys().cloned().collect();
    assert_eq!(found, wanted, "year, month and day pages");
    assert!(expected.keys().any(|u| u.len() == "/2025/12/30/".len()));
    for (url, slugs) in &expected {
        assert_eq!(
            &listing_articles(out(), url, per_page()),
            slugs,
            "articles of {url}"
        );
    }
}

#[test]
fn archive_overview_lists_years_and_months_with_counts() {
    let doc = page(out(), "/luu-tru/");
    let mut years: BTreeMap<i16, usize> = BTreeMap::new();
    let mut months: BTreeMap<(i16, i8), usize> = BTreeMap::new();
    for a in content().published() {
        *years.entry(a.date.year()).or_default() += 1;
        *months.entry((a.date.year(), a.date.month())).or_default() += 1;
    }
    let count_of = |href: &str| -> Option<usize> {
        let link = main_of(&doc)
            .select(&sel("a[href]"))
            .find(|l| l.value().attr("href") == Some(href))?;
        let parent = element_ancestors(link).into_iter().next()?;
        count_in_parens(&text(parent)).or_else(|| count_in_parens(&text(link)))
    };
    for (y, n) in &years {
        assert_eq!(
            count_of(&format!("/{y:04}/")),
            Some(*n),
            "count of year {y}"
        );
    }
    for ((y, m), n) in &months {
        assert_eq!(
            count_of(&format!("/{y:04}/{m:02}/")),
            Some(*n),
            "count of month {m}/{y}"
        );
    }
    // No period without articles.
    let wanted: BTreeSet<String> = years
        .keys()
        .map(|y| format!("/{y:04}/"))
        .chain(months.keys().map(|(y, m)| format!("/{y:04}/{m:02}/")))
        .collect();
    let linked: BTreeSet<String> = main_links(&doc)
        .into_iter()
        .filter(|h| {
            let inner = h.trim_matches('/');
            !inner.is_empty()
                && inner.split('/').count() <= 2
                && inner.chars().all(|c| c.is_ascii_digit() || c == '/')
        })
        .collect();
    assert_eq!(linked, wanted, "periods linked from /luu-tru/");
}

// ---------------------------------------------------------------------------
// Officials, departments, tags
// ---------------------------------------------------------------------------

/// Slugs of the published articles (newest first) whose own page links to `url`.
fn articles_linking(url: &str) -> Vec<String> {
    static LINKS: std::sync::OnceLock<Vec<(String, BTreeSet<String>)>> = std::sync::OnceLock::new();
    let links = LINKS.get_or_init(|| {
        content()
            .published()
            .into_iter()
            .map(|a| {
                let doc = page(out(), &a.url());
                (a.slug.clone(), main_links(&doc).into_iter().collect())
            })
            .collect()
    });
    links
        .iter()
        .filter(|(_, l)| l.contains(url))
        .map(|(slug, _)| slug.clone())
        .collect()
}

#[test]
fn officials_index_and_each_officials_page() {
    let index = page(out(), "/can-bo/");
    let linked = links_under(&index, "/can-bo/");
    for o in &content().officials {
        let url = format!("/can-bo/{}/", o.slug);
        assert!(linked.contains(&url), "/can-bo/ links to {url}");
        let doc = page(out(), &url);
        assert_eq!(h1s(&doc).first(), Some(&o.name), "h1 of {url}");
        let expected = articles_linking(&url);
        let listed = listing_articles(out(), &url, per_page());
        assert_eq!(
            listed, expected,
            "articles of {}: those whose page names them",
            o.name
        );
        for a in content().published() {
            if content().officials_at_least(a).contains(&o.slug) {
                assert!(listed.contains(&a.slug), "{url} must list {}", a.url());
            }
        }
    }
    let known: BTreeSet<String> = content()
        .officials
        .iter()
        .map(|o| format!("/can-bo/{}/", o.slug))
        .collect();
    assert!(linked.is_subset(&known), "/can-bo/ links only to officials");
}

/// The department whose link comes first in the list item enclosing `slug`'s own item.
fn tree_parent(doc: &Html, slug: &str) -> Option<String> {
    let href = format!("/don-vi/{slug}/");
    let link = main_of(doc)
        .select(&sel("li a[href]"))
        .find(|l| l.value().attr("href") == Some(href.as_str()))
        .unwrap_or_else(|| panic!("the tree has no item for {href}"));
    let items: Vec<_> = element_ancestors(link)
        .into_iter()
        .filter(|e| e.value().name() == "li")
        .collect();
    let outer = items.get(1)?;
    outer
        .select(&sel("a[href^=\"/don-vi/\"]"))
        .next()
        .and_then(|a| a.value().attr("href"))
        .and_then(|h| h.strip_prefix("/don-vi/"))
        .map(|s| s.trim_end_matches('/').to_string())
}

#[test]
fn department_tree_nests_each_body_under_its_parent() {
    let doc = page(out(), "/don-vi/");
    for d in &content().departments {
        assert_eq!(
            tree_parent(&doc, &d.slug),
            d.parent.clone(),
            "parent of {} in the tree of /don-vi/",
            d.slug
        );
    }
}

#[test]
fn org_chart_shows_every_department() {
    let doc = page(out(), "/co-cau-to-chuc/");
    assert!(!h1s(&doc).is_empty(), "/co-cau-to-chuc/ has a heading");
    let wanted: BTreeSet<String> = content()
        .departments
        .iter()
        .map(|d| format!("/don-vi/{}/", d.slug))
        .collect();
    assert_eq!(
        links_under(&doc, "/don-vi/"),
        wanted,
        "departments on /co-cau-to-chuc/"
    );
}

#[test]
fn each_department_page_lists_its_articles() {
    for d in &content().departments {
        let url = format!("/don-vi/{}/", d.slug);
        let doc = page(out(), &url);
        assert_eq!(h1s(&doc).first(), Some(&d.name), "h1 of {url}");
        let expected = articles_linking(&url);
        let listed = listing_articles(out(), &url, per_page());
        assert_eq!(
            listed, expected,
            "articles of {}: those whose page names it",
            d.name
        );
        for a in content().published() {
            if a.departments.contains(&d.slug) {
                assert!(listed.contains(&a.slug), "{url} must list {}", a.url());
            }
        }
    }
}

/// Distinct tags of the published articles: slug → (spellings, article slugs newest first).
fn tags() -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    let mut tags: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for a in content().published() {
        for t in &a.tags {
            let entry = tags.entry(slugify(t)).or_default();
            entry.0.push(t.clone());
            if !entry.1.contains(&a.slug) {
                entry.1.push(a.slug.clone());
            }
        }
    }
    tags
}

#[test]
fn tags_index_lists_every_tag_with_its_count_and_each_tag_page_its_articles() {
    let index = page(out(), "/chu-de/");
    let tags = tags();
    let wanted: BTreeSet<String> = tags.keys().map(|s| format!("/chu-de/{s}/")).collect();
    assert_eq!(links_under(&index, "/chu-de/"), wanted, "tags on /chu-de/");
    for (slug, (names, articles)) in &tags {
        let url = format!("/chu-de/{slug}/");
        let link = main_of(&index)
            .select(&sel("a[href]"))
            .find(|l| l.value().attr("href") == Some(url.as_str()))
            .expect("tag link");
        let label = element_ancestors(link)
            .into_iter()
            .next()
            .map(text)
            .unwrap_or_default();
        assert_eq!(
            count_in_parens(&label),
            Some(articles.len()),
            "count of {url} in «{label}»"
        );
        let doc = page(out(), &url);
        let h1 = h1s(&doc).first().cloned().unwrap_or_default();
        assert!(
            names.iter().any(|n| match_key(n) == match_key(&h1)),
            "h1 of {url} is «{h1}», not one of {names:?}"
        );
        assert_eq!(
            &listing_articles(out(), &url, per_page()),
            articles,
            "articles of tag {url}"
        );
    }
}

/// Position of a letter in the Vietnamese alphabet (ă, â, đ, ê, ô, ơ, ư are letters).
fn viet_sort_key(s: &str) -> (Vec<u32>, Vec<u32>) {
    use unicode_normalization::UnicodeNormalization;
    const ALPHABET: &str = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz";
    const TONES: [char; 5] = ['\u{300}', '\u{309}', '\u{303}', '\u{301}', '\u{323}'];
    let mut primary = Vec::new();
    let mut tones = Vec::new();
    for c in s.to_lowercase().chars() {
        let decomposed: Vec<char> = c.nfd().collect();
        let tone = decomposed
            .iter()
            .find_map(|m| TONES.iter().position(|t| t == m))
            .map_or(0, |i| i as u32 + 1);
        let letter: String = decomposed
            .into_iter()
            .filter(|m| !TONES.contains(m))
            .collect::<String>()
            .nfc()
            .collect();
        let letter = letter.chars().next().unwrap_or(c);
        primary.push(if letter.is_whitespace() {
            1
        } else if letter.is_ascii_digit() {
            10 + letter as u32 - '0' as u32
        } else if let Some(i) = ALPHABET.chars().position(|a| a == letter) {
            100 + i as u32
        } else {
            2
        });
        tones.push(tone);
    }
    (primary, tones)
}

#[test]
fn tags_index_is_in_vietnamese_alphabetical_order() {
    let index = page(out(), "/chu-de/");
    let names: Vec<String> = main_of(&index)
        .select(&sel("a[href^=\"/chu-de/\"]"))
        .map(|a| {
            let t = text(a);
            t.split(" (").next().unwrap_or_default().trim().to_string()
        })
        .collect();
    assert!(names.len() > 2, "{names:?}");
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| viet_sort_key(n));
    assert_eq!(
        names, sorted,
        "tags in Vietnamese order (Đ after D, Ư after U)"
    );
}

// ---------------------------------------------------------------------------
// Pages, 404
// ---------------------------------------------------------------------------

#[test]
fn standalone_pages_and_the_not_found_page() {
    let slugs: BTreeSet<&str> = content().pages.iter().map(|p| p.slug.as_str()).collect();
    assert!(slugs.contains("gioi-thieu") && slugs.contains("lien-he"));
    for p in &content().pages {
        let url = format!("/{}/", p.slug);
        let doc = page(out(), &url);
        assert_eq!(h1s(&doc).first(), Some(&p.title), "h1 of {url}");
    }
    let not_found = out().join("404.html");
    let html = std::fs::read_to_string(&not_found).expect("404.html at the output root");
    let doc = Html::parse_document(&html);
    assert!(!h1s(&doc).is_empty(), "404.html has a heading");
    assert!(
        main_links(&doc).iter().any(|h| h == "/"),
        "404.html links back to the home page"
    );
}

// ---------------------------------------------------------------------------
// Whole-output properties
// ---------------------------------------------------------------------------

#[test]
fn every_output_path_is_ascii() {
    for rel in files(out()).keys() {
        assert!(rel.is_ascii(), "non-ASCII output path {rel}");
        assert!(!rel.contains(' '), "space in output path {rel}");
    }
}

/// URLs a page points to: href, src, and the target of a meta refresh.
fn page_urls(doc: &Html) -> Vec<String> {
    let mut urls = attrs(doc, "[href]", "href");
    urls.extend(attrs(doc, "[src]", "src"));
    for c in attrs(doc, "meta[http-equiv=\"refresh\" i]", "content") {
        if let Some((_, url)) = c.split_once("url=").or_else(|| c.split_once("URL=")) {
            urls.push(url.trim().trim_matches(['\'', '"']).to_string());
        }
    }
    urls
}

/// Every internal URL of every page starts with `base_path` and names a file of the output;
/// absolute URLs to the site itself (`permalink`) do too. No link is document-relative.
fn check_links(out: &Path, base_path: &str, absolute_base: &str) {
    let all = files(out);
    let mut checked = 0;
    for (rel, doc) in html_files(out) {
        for url in page_urls(&doc) {
            let internal = if let Some(rest) = url.strip_prefix(absolute_base) {
                format!("{base_path}{rest}")
            } else if url.starts_with('/') && !url.starts_with("//") {
                url.clone()
            } else {
                let scheme = url.split_once(':').is_some_and(|(s, _)| {
                    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '+')
                });
                assert!(
                    scheme || url.starts_with('#') || url.starts_with("//"),
                    "{rel}: document-relative URL «{url}» breaks when the page moves"
                );
                continue;
            };
            assert!(internal.is_ascii(), "{rel}: non-ASCII URL {internal}");
            let target = url_to_rel(&internal, base_path)
                .unwrap_or_else(|| panic!("{rel}: «{url}» is outside the base path {base_path}"));
            let found =
                all.contains_key(&target) || all.contains_key(&format!("{target}/index.html"));
            assert!(
                found,
                "{rel}: «{url}» points to {target}, which was not built"
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} links checked");
}

#[test]
fn every_internal_link_resolves() {
    check_links(out(), "/", "https://tochau.angiang.gov.vn/");
}

#[test]
fn every_internal_link_carries_the_base_path_and_resolves() {
    let tmp = build_example(&["--base-url", "https://example.org/phuong-to-chau/"]);
    let out = tmp.path().join("public");
    check_links(
        &out,
        "/phuong-to-chau/",
        "https://example.org/phuong-to-chau/",
    );
    for (rel, doc) in html_files(&out) {
        for url in page_urls(&doc) {
            if url.starts_with('/') && !url.starts_with("//") {
                assert!(
                    url.starts_with("/phuong-to-chau/"),
                    "{rel}: «{url}» lacks the base path"
                );
            }
            assert!(
                !url.contains("tochau.angiang.gov.vn"),
                "{rel}: «{url}» still uses site.toml's base_url"
            );
        }
        for canonical in attrs(&doc, "link[rel=\"canonical\"]", "href") {
            assert!(
                canonical.starts_with("https://example.org/phuong-to-chau/"),
                "{rel}: canonical {canonical}"
            );
        }
    }
    // The same pages exist as without a base path: the base path is in links, not folders.
    assert_eq!(
        files(&out).keys().collect::<Vec<_>>(),
        files(example_output()).keys().collect::<Vec<_>>()
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let a = build_example(&[]);
    let b = build_example(&[]);
    let fa = files(&a.path().join("public"));
    let fb = files(&b.path().join("public"));
    assert_eq!(
        fa.keys().collect::<Vec<_>>(),
        fb.keys().collect::<Vec<_>>(),
        "same files"
    );
    for (rel, bytes) in &fa {
        assert!(bytes == &fb[rel], "{rel} differs between two builds");
    }
}

/// The example's article written like the reference article names five officials with their
/// titles and several bodies in its running text, and ends with a byline; none of them is in
/// its front matter. Every one is found and linked from the text, and the byline is read.
#[test]
fn the_reference_style_article_resolves_every_official_and_body_it_names() {
    let source = std::fs::read_to_string(
        repo_root().join("content/articles/2025/dang-uy-tong-ket-cong-tac-nam-2025.md"),
    )
    .unwrap();
    let front_matter = source.split("+++").nth(1).unwrap();
    assert!(!front_matter.contains("officials") && !front_matter.contains("author"));
    let doc = page(out(), "/tin-tuc/dang-uy-tong-ket-cong-tac-nam-2025/");
    // Links inside the article's body text (the theme puts it in `.content`).
    let links: BTreeSet<String> = doc
        .select(&sel("main article .content a[href]"))
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    for expected in [
        "/can-bo/luu-thanh-binh/",
        "/can-bo/ly-hoang-tuan/",
        "/can-bo/duong-anh-phong/",
        "/can-bo/truong-the-kieu/",
        "/can-bo/pham-minh-duc/",
        "/don-vi/dang-uy/",
        "/don-vi/ubnd/",
        "/don-vi/hdnd/",
    ] {
        assert!(links.contains(expected), "{expected} not linked: {links:?}");
    }
    let main_text = text(main_of(&doc));
    assert!(main_text.contains("Minh Khoa"), "byline author shown");
    assert!(
        !main_text.contains("Minh Khoa - Văn phòng"),
        "the byline paragraph is not left in the text"
    );
}
