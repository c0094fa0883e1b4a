//! `bantin check`: everything `bantin build` checks, without writing anything, plus the things
//! worth knowing that do not stop a build (warnings): articles left out because they are dated
//! after now, and links to them.
//!
//! It runs the same pipeline as a build (load → parse → resolve → plan → render), so it finds
//! exactly what a build would find, templates included, and then throws the pages away.

use crate::content;
use crate::error::{Diagnostic, Lang, Problem};
use crate::pipeline::{self, BuildError, BuildOptions, Caches};

/// What a check found.
#[derive(Debug, Default)]
pub struct Report {
    /// Problems that stop a build.
    pub errors: Vec<Diagnostic>,
    /// Things a build does not stop for.
    pub warnings: Vec<Diagnostic>,
    /// What the site would hold, when it could be built.
    pub counts: Option<Counts>,
}

/// How much a successful build would publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub articles: usize,
    pub officials: usize,
    pub departments: usize,
    pub pages: usize,
}

/// Check the site of `opts.root` as `bantin build` with the same options would build it
/// (`opts.output` is never written, nor anything else).
pub fn check(opts: &BuildOptions) -> Report {
    let config = match pipeline::load_config(opts) {
        Ok(c) => c,
        Err(BuildError::Content(errors)) => {
            return Report {
                errors,
                ..Report::default()
            };
        }
        Err(e) => {
            return Report {
                errors: vec![Diagnostic::new(
                    crate::config::CONFIG_FILE,
                    Problem::InvalidValue {
                        message: e.to_string().into(),
                    },
                )],
                ..Report::default()
            };
        }
    };
    let mut caches = Caches::default();
    let sources = content::load(&opts.root);
    let generated =
        pipeline::generate_cached(opts, config, sources, &mut caches, &|_| None, &|_| Ok(()));
    let mut warnings = caches.resolve.warnings().to_vec();
    crate::error::sort_diagnostics(&mut warnings);
    match generated {
        Ok(g) => Report {
            errors: Vec::new(),
            warnings,
            counts: Some(Counts {
                articles: g.site.articles.len(),
                officials: g.site.officials.len(),
                departments: g.site.departments.len(),
                pages: g.site.pages.len(),
            }),
        },
        Err(errors) => Report {
            errors,
            warnings,
            counts: None,
        },
    }
}

impl Report {
    /// One line per problem, errors first: `file:line:column: lỗi: what — cách sửa: how`.
    pub fn lines(&self) -> Vec<String> {
        self.lines_in(Lang::Vi)
    }

    /// [`Report::lines`] in `lang`.
    pub fn lines_in(&self, lang: Lang) -> Vec<String> {
        let errors = self
            .errors
            .iter()
            .map(|d| line_in(lang, d, lang.error_word()));
        let warnings = self
            .warnings
            .iter()
            .map(|d| line_in(lang, d, lang.pick("cảnh báo", "warning")));
        errors.chain(warnings).collect()
    }

    /// [`Report::summary`] in `lang`.
    pub fn summary_in(&self, lang: Lang) -> String {
        if lang == Lang::Vi {
            return self.summary();
        }
        let warnings = match self.warnings.len() {
            0 => String::new(),
            1 => ", 1 warning".into(),
            n => format!(", {n} warnings"),
        };
        match (self.errors.len(), self.counts) {
            (0, Some(c)) => {
                let count = |n: usize, one: &str, many: &str| {
                    format!("{n} {}", if n == 1 { one } else { many })
                };
                format!(
                    "No errors{warnings}: the site will have {}, {}, {}, {}.",
                    count(c.articles, "article", "articles"),
                    count(c.officials, "official", "officials"),
                    count(c.departments, "department", "departments"),
                    count(c.pages, "page", "pages")
                )
            }
            (n, _) => format!(
                "{n} error{}{warnings}. Fix them as «how to fix» says, then run `bantin check` again.",
                if n == 1 { "" } else { "s" }
            ),
        }
    }

    /// The closing sentence.
    pub fn summary(&self) -> String {
        let warnings = match self.warnings.len() {
            0 => String::new(),
            n => format!(", {n} cảnh báo"),
        };
        match (self.errors.len(), self.counts) {
            (0, Some(c)) => format!(
                "Không có lỗi{warnings}: trang sẽ có {} bài viết, {} cán bộ, {} đơn vị, {} trang.",
                c.articles, c.officials, c.departments, c.pages
            ),
            (n, _) => {
                format!("Có {n} lỗi{warnings}. Sửa theo «cách sửa» rồi chạy lại `bantin check`.")
            }
        }
    }

    /// Whether a build with the same options would succeed.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// `file:line:column: <severity>: what — cách sửa: how`, on one line.
pub fn line(d: &Diagnostic, severity: &str) -> String {
    line_in(Lang::Vi, d, severity)
}

/// [`line`] in `lang` (`severity` already in `lang`).
pub fn line_in(lang: Lang, d: &Diagnostic, severity: &str) -> String {
    let flat = |s: &str| s.lines().map(str::trim).collect::<Vec<_>>().join(" / ");
    let mut out = d.file.display().to_string();
    if let Some(loc) = &d.location {
        out.push_str(&format!(":{}:{}", loc.line, loc.column));
    }
    out.push_str(&format!(": {severity}: {}", flat(&d.problem.message(lang))));
    if let Some(hint) = d.problem.hint_in(lang) {
        let fix = lang.fix_word();
        out.push_str(&format!(" — {fix}: {}", flat(&hint)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;

    #[test]
    fn a_line_names_the_place_and_the_fix() {
        let d = Diagnostic::new(
            "content/articles/a.md",
            Problem::MissingKey { key: "date".into() },
        )
        .at(Some(Location::from_offset("+++\ntitle = \"A\"\n", 4)));
        assert_eq!(
            line(&d, "lỗi"),
            "content/articles/a.md:2:1: lỗi: thiếu trường bắt buộc `date` — cách sửa: thêm một dòng, ví dụ `date = 2025-12-30`"
        );
        let d = Diagnostic::new("content/articles/a.md", Problem::MissingFrontMatter);
        assert!(!line(&d, "lỗi").contains('\n'));
    }
}
