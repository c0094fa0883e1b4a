//! `sitemap.xml` (the sitemaps.org protocol) and `robots.txt`, which points search engines to it.
//!
//! The sitemap lists every HTML page of the plan (redirects, `404.html`, the search page,
//! drafts and generated files left out) with `lastmod`: an article's date or later `updated`
//! date; a listing page's newest article; the archive and tag indexes' newest article of the
//! site. Other pages (the officials, the organisation chart, pages) carry no `lastmod`: bantin
//! does not know when they last changed. A site of more than [`SITEMAP_LIMIT`] pages gets a
//! sitemap index at `sitemap.xml` and its parts at `sitemap-1.xml`, `sitemap-2.xml`...

use std::io;

use jiff::ZonedDateTime;

use quick_xml::escape::escape;

use crate::feeds::{Inputs, modified, text_element, unpublished, xml_chars, xml_writer};
use crate::fingerprint::Fingerprinter;
use crate::plan::{PageJob, PageKind, Plan};
use crate::render::datetime_iso;
use crate::site::Site;
use crate::urls::{self, Urls};

/// The most URLs one sitemap file may list (sitemaps.org).
pub const SITEMAP_LIMIT: usize = 50_000;

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// Whether a page job is a page for search engines.
fn listed(site: &Site, job: &PageJob) -> bool {
    let is_page = job.path.is_empty() || job.path.ends_with('/');
    is_page
        && job.kind.template().is_some()
        && match &job.kind {
            PageKind::Article(id) => !unpublished(site.article(*id)),
            // Pages that ask not to be indexed (`noindex`): search results.
            PageKind::NotFound | PageKind::Search => false,
            _ => true,
        }
}

/// Plan `sitemap.xml`, and its parts when the site has too many pages for one file.
pub fn plan(site: &Site, plan: &mut Plan) {
    plan_with_limit(site, plan, SITEMAP_LIMIT);
}

fn plan_with_limit(site: &Site, plan: &mut Plan, limit: usize) {
    let count = plan.pages.iter().filter(|j| listed(site, j)).count();
    let mut push = |path: String, part: Option<usize>| {
        plan.pages.push(PageJob {
            path,
            kind: PageKind::Sitemap(part),
            listing: None,
        })
    };
    push(urls::sitemap(), None);
    if count > limit {
        for n in 1..=count.div_ceil(limit) {
            push(urls::sitemap_part(n), Some(n));
        }
    }
}

/// One `<url>`: a site-relative path, and when the page last changed if bantin knows.
type Entry<'a> = (&'a str, Option<&'a ZonedDateTime>);

/// The pages of the sitemap, in plan order.
fn entries<'a>(site: &'a Site, jobs: &'a [PageJob]) -> Vec<Entry<'a>> {
    let published = |id: &crate::site::ArticleId| {
        let a = site.article(*id);
        (!unpublished(a)).then(|| modified(a))
    };
    let mut newest_of_site: Option<Option<&ZonedDateTime>> = None;
    jobs.iter()
        .filter(|j| listed(site, j))
        .map(|job| {
            let lastmod = match (&job.kind, &job.listing) {
                (PageKind::Article(id), _) => Some(modified(site.article(*id))),
                (_, Some(listing)) => listing.articles.iter().filter_map(published).max(),
                (PageKind::ArchiveIndex | PageKind::Tags, None) => *newest_of_site
                    .get_or_insert_with(|| {
                        site.articles
                            .iter()
                            .filter(|a| !unpublished(a))
                            .map(modified)
                            .max()
                    }),
                _ => None,
            };
            (job.path.as_str(), lastmod)
        })
        .collect()
}

/// How many parts the sitemap was planned with (0: one file).
fn parts(jobs: &[PageJob]) -> usize {
    jobs.iter()
        .filter(|j| matches!(j.kind, PageKind::Sitemap(Some(_))))
        .count()
}

/// Add to `f` what the sitemap file `part` is made from (besides the base URL, which the
/// caller counts): the listed pages and their dates.
pub fn key(inputs: &Inputs, part: Option<usize>, f: &mut Fingerprinter) {
    f.u64(part.map_or(0, |n| n as u64));
    f.u64(parts(inputs.jobs) as u64);
    let entries = entries(inputs.site, inputs.jobs);
    f.u64(entries.len() as u64);
    for (path, lastmod) in entries {
        f.str(path);
        match lastmod {
            Some(z) => f
                .u64(z.timestamp().as_second() as u64)
                .u64(z.offset().seconds() as u64),
            None => f.u64(u64::MAX),
        };
    }
}

/// The sitemap file `part` (`None`: `sitemap.xml`, the whole sitemap or the index of parts).
pub fn xml(inputs: &Inputs, part: Option<usize>) -> io::Result<Vec<u8>> {
    let u = inputs.urls;
    let entries = entries(inputs.site, inputs.jobs);
    let parts = parts(inputs.jobs);
    let size = entries.len().div_ceil(parts.max(1)).max(1);
    let chunks: Vec<&[Entry]> = entries.chunks(size).collect();
    let mut w = xml_writer()?;
    match part {
        None if parts > 0 => {
            w.create_element("sitemapindex")
                .with_attribute(("xmlns", SITEMAP_NS))
                .write_inner_content(|w| {
                    for n in 1..=parts {
                        let chunk = chunks.get(n - 1).copied().unwrap_or_default();
                        let lastmod = chunk.iter().filter_map(|(_, l)| *l).max();
                        w.create_element("sitemap").write_inner_content(|w| {
                            text_element(w, "loc", &u.permalink(&urls::sitemap_part(n)))?;
                            if let Some(l) = lastmod {
                                text_element(w, "lastmod", &datetime_iso(l))?;
                            }
                            Ok(())
                        })?;
                    }
                    Ok(())
                })?;
        }
        _ => {
            let chunk: &[Entry] = match part {
                Some(n) => chunks.get(n.wrapping_sub(1)).copied().unwrap_or_default(),
                None => &entries,
            };
            write_urlset(&mut w, u, chunk)?;
        }
    }
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

/// `<urlset>` of `entries`. Written straight into the buffer rather than through quick-xml's
/// element writer: its structure is fixed, only `loc` holds text that needs escaping (a base
/// URL with `&`), and a sitemap of 20,000 pages is written several times faster this way.
fn write_urlset(w: &mut quick_xml::Writer<Vec<u8>>, u: &Urls, entries: &[Entry]) -> io::Result<()> {
    use std::fmt::Write as _;
    let mut text = String::with_capacity(entries.len() * 140 + 128);
    let _ = write!(text, "\n<urlset xmlns=\"{SITEMAP_NS}\">");
    for (path, lastmod) in entries {
        text.push_str("\n  <url>\n    <loc>");
        let loc = u.permalink(path);
        text.push_str(&escape(&*xml_chars(&loc)));
        text.push_str("</loc>");
        if let Some(l) = lastmod {
            text.push_str("\n    <lastmod>");
            text.push_str(&datetime_iso(l));
            text.push_str("</lastmod>");
        }
        text.push_str("\n  </url>");
    }
    text.push_str("\n</urlset>");
    w.get_mut().extend_from_slice(text.as_bytes());
    Ok(())
}

/// `robots.txt`: every page may be crawled; where the sitemap is.
pub fn robots(u: &Urls) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        u.permalink(&urls::sitemap())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{self, BuildOptions};

    fn write(root: &std::path::Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// `(root element name, [loc])` of a sitemap file.
    fn locs(bytes: &[u8]) -> (String, Vec<String>) {
        let text = std::str::from_utf8(bytes).unwrap();
        let doc = roxmltree::Document::parse(text).unwrap();
        let locs = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "loc")
            .map(|n| n.text().unwrap_or_default().to_string())
            .collect();
        (doc.root_element().tag_name().name().to_string(), locs)
    }

    #[test]
    fn a_sitemap_over_the_limit_is_split_into_parts_under_an_index() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            "site.toml",
            "title = \"Phường Thử\"\nbase_url = \"https://thu.example.vn/\"\n",
        );
        for day in 1..=9 {
            write(
                root,
                &format!("content/articles/tin-{day}.md"),
                &format!("+++\ntitle = \"Tin {day}\"\ndate = 2025-03-0{day}\n+++\nNội dung.\n"),
            );
        }
        let opts = BuildOptions {
            root: root.to_path_buf(),
            ..BuildOptions::default()
        };
        let config = pipeline::load_config(&opts).unwrap();
        let generated = pipeline::generate(&opts, config).unwrap();
        let site = &generated.site;
        let mut plan = generated.plan.clone();
        plan.pages
            .retain(|j| !matches!(j.kind, PageKind::Sitemap(_)));
        let pages = plan.pages.iter().filter(|j| listed(site, j)).count();
        assert!(pages > 20, "{pages} pages");
        plan_with_limit(site, &mut plan, 7);
        let urls = Urls::new(&site.config.base_url);
        let summaries = vec![0; site.articles.len()];
        let inputs = Inputs {
            site,
            urls: &urls,
            jobs: &plan.pages,
            base: 0,
            summaries: &summaries,
        };
        let (index, parts) = locs(&xml(&inputs, None).unwrap());
        assert_eq!(index, "sitemapindex");
        assert_eq!(parts.len(), pages.div_ceil(7));
        let mut all = Vec::new();
        for (n, loc) in parts.iter().enumerate() {
            assert_eq!(
                *loc,
                format!("https://thu.example.vn/sitemap-{}.xml", n + 1)
            );
            let (root, locs) = locs(&xml(&inputs, Some(n + 1)).unwrap());
            assert_eq!(root, "urlset");
            assert!(
                !locs.is_empty() && locs.len() <= 7,
                "part {}: {}",
                n + 1,
                locs.len()
            );
            all.extend(locs);
        }
        assert_eq!(all.len(), pages, "every page in exactly one part");
        all.sort();
        all.dedup();
        assert_eq!(all.len(), pages);
        assert!(all.contains(&"https://thu.example.vn/tin-tuc/tin-5/".to_string()));
    }
}
