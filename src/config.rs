//! The site's configuration: `site.toml`.
//!
//! Owns the typed [`Config`], its defaults, and its validation. Unknown keys and wrong types are
//! errors naming the key, line and column, with the closest valid key suggested.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Diagnostic, Location, Problem, Text};
use crate::parse;

/// The name of the configuration file at the site root.
pub const CONFIG_FILE: &str = "site.toml";

/// The configuration as written in `site.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_timezone")]
    pub timezone: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_paginate_by")]
    pub paginate_by: usize,
    #[serde(default = "default_output_dir")]
    pub output_dir: String,
    /// Default author for `bantin new`.
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub menu: Vec<MenuItem>,
    #[serde(default)]
    pub contact: Contact,
    #[serde(default)]
    pub mentions: MentionSettings,
    #[serde(default)]
    pub markdown: MarkdownSettings,
}

/// `[markdown]`: how articles' Markdown is turned into HTML.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownSettings {
    /// What happens to HTML tags written inside Markdown (see docs/security.md).
    #[serde(default)]
    pub raw_html: RawHtml,
}

/// `raw_html` of `[markdown]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// Shown as text, exactly as written (`<b>` appears as `<b>`): nothing is lost and nothing
    /// runs.
    #[default]
    Escape,
    /// A safe subset (formatting, tables, links, images, YouTube and Facebook video embeds) is
    /// kept; everything else (scripts, event handlers, styles, forms, other frames) is removed.
    Safe,
}

/// `[mentions]`: finding officials and departments named in articles' text.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentionSettings {
    /// Scan articles for names (an article can still turn it off with `detect_mentions`).
    #[serde(default = "yes")]
    pub detect: bool,
    /// Link the first mention of each official and department to their page.
    #[serde(default = "yes")]
    pub link: bool,
}

impl Default for MentionSettings {
    fn default() -> Self {
        MentionSettings {
            detect: true,
            link: true,
        }
    }
}

fn yes() -> bool {
    true
}

fn default_language() -> String {
    "vi".into()
}
fn default_timezone() -> String {
    "Asia/Ho_Chi_Minh".into()
}
fn default_theme() -> String {
    "phuong".into()
}
fn default_paginate_by() -> usize {
    20
}
fn default_output_dir() -> String {
    "public".into()
}

/// One entry of the site menu. `url` is a site path (`/can-bo/`) or an absolute `http(s)` URL.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct MenuItem {
    pub name: String,
    pub url: String,
}

/// The ward's contact block shown in every page's footer.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub working_hours: String,
}

/// A site's base URL, split into the absolute prefix and the path every internal link starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `https://host/path/`, always ending with `/`.
    absolute: String,
    /// `/path/`, always starting and ending with `/`.
    path: String,
}

impl BaseUrl {
    /// Parse an `http(s)://host[/path]` URL; `None` when it is not one.
    pub fn parse(text: &str) -> Option<BaseUrl> {
        let text = text.trim();
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))?;
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if host.is_empty() || host.contains(char::is_whitespace) {
            return None;
        }
        let mut path = path.to_string();
        if !path.ends_with('/') {
            path.push('/');
        }
        let scheme_len = text.len() - rest.len();
        Some(BaseUrl {
            absolute: format!("{}{}{}", &text[..scheme_len], host, path),
            path,
        })
    }

    pub fn absolute(&self) -> &str {
        &self.absolute
    }

    pub fn path(&self) -> &str {
        &self.path
    }
}

/// The validated configuration used by the rest of the pipeline.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: String,
    pub base_url: BaseUrl,
    pub language: String,
    pub timezone: jiff::tz::TimeZone,
    pub timezone_name: String,
    pub theme: String,
    pub paginate_by: usize,
    pub output_dir: String,
    pub author: Option<String>,
    pub menu: Vec<MenuItem>,
    pub contact: Contact,
    pub mentions: MentionSettings,
    pub markdown: MarkdownSettings,
}

impl Config {
    /// Read and validate `site.toml` in `root`.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let bytes = std::fs::read(&path).map_err(|e| {
            let problem = if e.kind() == std::io::ErrorKind::NotFound {
                Problem::ConfigMissing
            } else {
                Problem::Read {
                    error: e.to_string(),
                }
            };
            vec![Diagnostic::new(CONFIG_FILE, problem)]
        })?;
        let text =
            crate::encoding::decode_file(&bytes, Path::new(CONFIG_FILE)).map_err(|d| vec![d])?;
        Config::parse(&text)
    }

    /// Validate the text of a `site.toml`.
    pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let raw: RawConfig = parse::from_toml(text, text, 0)
            .map_err(|(p, loc)| vec![Diagnostic::new(CONFIG_FILE, p).at(loc)])?;
        let mut diags = Vec::new();
        let mut bad = |key: &str, message: Text| {
            diags.push(
                Diagnostic::new(CONFIG_FILE, Problem::InvalidValue { message })
                    .at(Location::of_key(text, key).or_else(|| Location::find(text, 0, key))),
            );
        };
        let base_url = BaseUrl::parse(&raw.base_url);
        if base_url.is_none() {
            bad(
                "base_url",
                Text::new(
                    format!(
                        "base_url «{}» phải là địa chỉ đầy đủ, bắt đầu bằng https://, ví dụ \"https://phuong.example.gov.vn/\"",
                        raw.base_url
                    ),
                    format!(
                        "base_url «{}» must be a full address starting with https://, e.g. \"https://phuong.example.gov.vn/\"",
                        raw.base_url
                    ),
                ),
            );
        }
        let timezone = jiff::tz::TimeZone::get(&raw.timezone).ok();
        if timezone.is_none() {
            bad(
                "timezone",
                Text::new(
                    format!(
                        "không biết múi giờ «{}»; ở Việt Nam dùng \"Asia/Ho_Chi_Minh\"",
                        raw.timezone
                    ),
                    format!(
                        "unknown timezone «{}»; in Vietnam use \"Asia/Ho_Chi_Minh\"",
                        raw.timezone
                    ),
                ),
            );
        }
        if raw.paginate_by == 0 {
            bad(
                "paginate_by",
                Text::new(
                    "paginate_by phải lớn hơn 0, ví dụ 20",
                    "paginate_by must be greater than 0, e.g. 20",
                ),
            );
        }
        if raw.title.trim().is_empty() {
            bad(
                "title",
                Text::new(
                    "title không được để trống: ghi tên trang, ví dụ \"Phường Tô Châu\"",
                    "title cannot be empty: write the site's name, e.g. \"Phường Tô Châu\"",
                ),
            );
        }
        match (base_url, timezone) {
            (Some(base_url), Some(timezone)) if diags.is_empty() => Ok(Config {
                title: raw.title,
                description: raw.description,
                base_url,
                language: raw.language,
                timezone,
                timezone_name: raw.timezone,
                theme: raw.theme,
                paginate_by: raw.paginate_by,
                output_dir: raw.output_dir,
                author: raw.author,
                menu: raw.menu,
                contact: raw.contact,
                mentions: raw.mentions,
                markdown: raw.markdown,
            }),
            _ => Err(diags),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_keeps_its_path() {
        let b = BaseUrl::parse("https://host.vn/phuong-to-chau").unwrap();
        assert_eq!(b.absolute(), "https://host.vn/phuong-to-chau/");
        assert_eq!(b.path(), "/phuong-to-chau/");
        let b = BaseUrl::parse("http://localhost:1111").unwrap();
        assert_eq!(b.absolute(), "http://localhost:1111/");
        assert_eq!(b.path(), "/");
        assert!(BaseUrl::parse("tochau.gov.vn").is_none());
        assert!(BaseUrl::parse("https:///x").is_none());
    }

    #[test]
    fn defaults_apply() {
        let c = Config::parse("title = \"P\"\nbase_url = \"https://a.vn/\"\n").unwrap();
        assert_eq!(c.language, "vi");
        assert_eq!(c.timezone_name, "Asia/Ho_Chi_Minh");
        assert_eq!(c.theme, "phuong");
        assert_eq!(c.paginate_by, 20);
        assert_eq!(c.output_dir, "public");
    }

    #[test]
    fn unknown_key_names_line_and_suggestion() {
        let err = Config::parse("title = \"P\"\nbase_url = \"https://a.vn/\"\npaginat_by = 5\n")
            .unwrap_err();
        assert_eq!(err.len(), 1);
        let d = &err[0];
        assert_eq!(d.location.as_ref().unwrap().line, 3);
        assert!(
            matches!(
                &d.problem,
                Problem::UnknownKey { key, suggestion: Some(s), valid }
                    if key == "paginat_by" && s == "paginate_by" && valid.iter().any(|k| k == "base_url")
            ),
            "{:?}",
            d.problem
        );
    }

    #[test]
    fn all_value_errors_are_reported_together() {
        let err = Config::parse(
            "title = \"P\"\nbase_url = \"a.vn\"\ntimezone = \"Mars/Base\"\npaginate_by = 0\n",
        )
        .unwrap_err();
        let lines: Vec<usize> = err
            .iter()
            .map(|d| d.location.as_ref().unwrap().line)
            .collect();
        assert_eq!(lines, vec![2, 3, 4]);
    }
}
