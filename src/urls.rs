//! Every output URL, one function per page kind.
//!
//! Paths here are site-relative and ASCII (`tin-tuc/hoi-nghi/`); [`Urls`] adds the base path
//! for links (`/phuong-to-chau/tin-tuc/hoi-nghi/`) and the host for permalinks. Templates
//! never build URLs themselves.

use jiff::civil::Date;

/// The folder of paginated listings: `<listing>/trang/<n>/`.
pub const PAGE_DIR: &str = "trang";

/// Page `n` (1-based) of a listing whose first page is at `base`.
pub fn paginated(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}{PAGE_DIR}/{n}/")
    }
}

pub fn home() -> String {
    String::new()
}
pub fn article(slug: &str) -> String {
    format!("tin-tuc/{slug}/")
}
pub fn news_root() -> String {
    "tin-tuc/".into()
}
pub fn year(year: i16) -> String {
    format!("{year:04}/")
}
pub fn month(year: i16, month: i8) -> String {
    format!("{year:04}/{month:02}/")
}
pub fn day(date: Date) -> String {
    format!("{:04}/{:02}/{:02}/", date.year(), date.month(), date.day())
}
pub fn archive_index() -> String {
    "luu-tru/".into()
}
pub fn officials() -> String {
    "can-bo/".into()
}
pub fn official(slug: &str) -> String {
    format!("can-bo/{slug}/")
}
pub fn departments() -> String {
    "don-vi/".into()
}
pub fn department(slug: &str) -> String {
    format!("don-vi/{slug}/")
}
pub fn org_chart() -> String {
    "co-cau-to-chuc/".into()
}
pub fn tags() -> String {
    "chu-de/".into()
}
pub fn tag(slug: &str) -> String {
    format!("chu-de/{slug}/")
}
pub fn page(slug: &str) -> String {
    format!("{slug}/")
}
pub fn not_found() -> String {
    "404.html".into()
}
/// The search page (`search` module).
pub fn search() -> String {
    "tim-kiem/".into()
}
/// The manifest of the search index.
pub fn search_manifest() -> String {
    "tim-kiem/chi-muc.json".into()
}
/// One shard of the search index (numbers, or `{block}`-style placeholders for the manifest).
pub fn search_shard(block: impl std::fmt::Display, bucket: impl std::fmt::Display) -> String {
    format!("tim-kiem/chi-muc/{block}-{bucket}.json")
}
/// The search file of article number `doc` (0 = oldest).
pub fn search_doc(doc: impl std::fmt::Display) -> String {
    format!("tim-kiem/bai/{doc}.json")
}
/// The Atom feed of the listing at `page` (`atom.xml`, `can-bo/<slug>/atom.xml`).
pub fn feed(page: &str) -> String {
    format!("{page}atom.xml")
}
pub fn sitemap() -> String {
    "sitemap.xml".into()
}
/// Part `n` (1-based) of a sitemap too large for one file.
pub fn sitemap_part(n: usize) -> String {
    format!("sitemap-{n}.xml")
}
pub fn robots() -> String {
    "robots.txt".into()
}

/// The file that serves a URL path: folders get `index.html`.
pub fn output_file(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// Turns site-relative paths into links and permalinks for one base URL.
#[derive(Debug, Clone)]
pub struct Urls {
    base_path: String,
    absolute: String,
}

impl Urls {
    pub fn new(base: &crate::config::BaseUrl) -> Urls {
        Urls {
            base_path: base.path().to_string(),
            absolute: base.absolute().to_string(),
        }
    }

    /// Root-relative link: `/base/path`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path.trim_start_matches('/'))
    }

    /// Absolute URL: `https://host/base/path`.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.absolute, path.trim_start_matches('/'))
    }

    /// A menu entry: site paths get the base path, absolute URLs stay as written.
    pub fn menu(&self, url: &str) -> String {
        if url.contains("://") || url.starts_with("mailto:") || url.starts_with("tel:") {
            url.to_string()
        } else {
            self.link(url)
        }
    }

    pub fn base_path(&self) -> &str {
        &self.base_path
    }
}

/// Normalise an alias (an old URL an editor gives) into a site-relative output path.
/// `None` for an alias that is not a plain site path (a full URL, `..`).
pub fn alias_path(alias: &str) -> Option<String> {
    let alias = alias.trim();
    if alias.contains("://") || alias.split('/').any(|c| c == ".." || c == ".") {
        return None;
    }
    let path = alias.trim_start_matches('/');
    if path.is_empty() {
        return None;
    }
    let looks_like_file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    Some(if looks_like_file || path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BaseUrl;

    #[test]
    fn pagination_and_dates_are_padded_and_ascii() {
        assert_eq!(paginated("", 1), "");
        assert_eq!(paginated("", 2), "trang/2/");
        assert_eq!(paginated("2025/10/", 3), "2025/10/trang/3/");
        assert_eq!(month(2025, 9), "2025/09/");
        assert_eq!(day(jiff::civil::date(2026, 1, 5)), "2026/01/05/");
    }

    #[test]
    fn links_carry_the_base_path() {
        let u = Urls::new(&BaseUrl::parse("https://h.vn/phuong-to-chau/").unwrap());
        assert_eq!(u.link(&article("a")), "/phuong-to-chau/tin-tuc/a/");
        assert_eq!(u.permalink(""), "https://h.vn/phuong-to-chau/");
        assert_eq!(u.menu("/can-bo/"), "/phuong-to-chau/can-bo/");
        assert_eq!(u.menu("https://x.vn/"), "https://x.vn/");
    }

    #[test]
    fn aliases_become_output_paths() {
        assert_eq!(alias_path("/tin/cu.html").as_deref(), Some("tin/cu.html"));
        assert_eq!(alias_path("/tin/cu").as_deref(), Some("tin/cu/"));
        assert_eq!(alias_path("../etc/passwd"), None);
        assert_eq!(alias_path("/"), None);
        assert_eq!(output_file(""), "index.html");
        assert_eq!(output_file("a/b.html"), "a/b.html");
    }
}
