//! The **render** stage: Tera templates, the filters themes use, and page contexts.
//!
//! Contexts are built from pieces serialised once per build ([`Shared`]: the site block, one
//! summary per article, one card per official...) and shared by reference counting, never from
//! a clone of the whole site per page. Pages render in parallel.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use jiff::civil::Date;
use rayon::prelude::*;
use tera::{Context, Kwargs, State, Tera, Value};

mod deps;

use crate::error::{Diagnostic, Problem};
use crate::fingerprint::{self, Digest, Fingerprinter};
use crate::plan::{Listing, PageJob, PageKind};
use crate::site::{ArticleId, DepartmentId, OfficialId, Site};
use crate::theme::{self, TemplateFile};
use crate::urls::{self, Urls};
use crate::vietnamese::{self, DateStyle, VietCollator};

/// A template engine loaded with a theme, ready to render pages.
pub struct Renderer {
    tera: Tera,
    urls: Urls,
    /// Template name as rendered (`article.html`) → the file it comes from, for messages.
    origins: std::collections::HashMap<String, std::path::PathBuf>,
    /// Per page template, the digest of every template it may read.
    digests: deps::TemplateDigests,
}

/// What a page was made from, as digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageStamp {
    /// Digest of the page's inputs (its templates, and the digests of the site data its context
    /// is built from), for the kinds of page numerous enough to need it: equal keys mean equal
    /// contexts, so the context need not even be built.
    pub key: Option<Digest>,
    /// Digest of its templates and its whole context.
    pub fingerprint: Digest,
}

/// One page of [`Renderer::render_changed`].
#[derive(Debug, Clone)]
pub struct RenderedPage {
    /// Site-relative output file (`tin-tuc/x/index.html`).
    pub file: String,
    pub stamp: PageStamp,
    /// The page; `None` when it is made from what it was made from before (not rendered).
    pub bytes: Option<Vec<u8>>,
}

/// Said by a [`PageSink`] when rendering should stop (the pages are not wanted any more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop;

/// Takes each page as soon as it is rendered, on the thread that rendered it: the write stage
/// takes the bytes there, so a whole site's pages are never held in memory together.
pub type PageSink<'a> = dyn Fn(&mut RenderedPage) -> Result<(), Stop> + Sync + 'a;

/// The variables of one page's context, in insertion order (hashed, then handed to Tera).
#[derive(Default)]
struct Vars {
    vars: Vec<(&'static str, Value)>,
    /// A large text left out of `vars` until the page is rendered: it counts in the
    /// fingerprint by its digest, so pages that are not rendered never copy or hash it.
    deferred: Option<Deferred>,
}

/// `vars[var][key]` = `text`, marked safe.
struct Deferred {
    var: &'static str,
    key: &'static str,
    text: Arc<str>,
    digest: Digest,
}

impl Vars {
    fn insert_value(&mut self, key: &'static str, value: Value) {
        self.vars.push((key, value));
    }

    fn fingerprint(&self, template: &str, templates: Digest, memo: &fingerprint::Memo) -> Digest {
        let mut f = Fingerprinter::new();
        f.str(template).digest(templates);
        for (key, value) in &self.vars {
            f.str(key).value_with(value, memo);
        }
        if let Some(d) = &self.deferred {
            f.str(d.var).str(d.key).digest(d.digest);
        }
        f.finish()
    }

    fn into_context(self) -> Context {
        let mut ctx = Context::new();
        let mut deferred = self.deferred;
        for (key, mut value) in self.vars {
            if let Some(d) = deferred.take_if(|d| d.var == key)
                && let Some(map) = value.as_map()
            {
                let mut map = map.clone();
                map.insert(tera::value::Key::Str(d.key), Value::safe_string(&d.text));
                map.sort_keys();
                value = Value::from(map);
            }
            ctx.insert_value(key, value);
        }
        ctx
    }
}

/// Build a template value from `(key, value)` pairs. Keys are put in sorted order (as a
/// `BTreeMap` would), straight into Tera's map type.
fn obj<const N: usize>(mut pairs: [(&'static str, Value); N]) -> Value {
    pairs.sort_unstable_by_key(|(k, _)| *k);
    let mut map = tera::Map::with_capacity(N);
    for (k, v) in pairs {
        map.insert(tera::value::Key::Str(k), v);
    }
    Value::from(map)
}

fn opt_str(s: Option<&str>) -> Value {
    s.map_or_else(Value::none, Value::from)
}

fn date_iso(d: Date) -> String {
    d.to_string()
}

/// RFC 3339 text of a date-time with the site's offset (`2025-12-30T08:00:00+07:00`).
pub(crate) fn datetime_iso(z: &jiff::ZonedDateTime) -> String {
    // Written out by hand: `strftime` parses its format string on every call, and this runs
    // for every article on every rebuild.
    let seconds = z.offset().seconds();
    let (sign, seconds) = if seconds < 0 {
        ('-', -seconds)
    } else {
        ('+', seconds)
    };
    format!(
        "{}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        z.date(),
        z.hour(),
        z.minute(),
        z.second(),
        seconds / 3600,
        seconds % 3600 / 60
    )
}

/// The date and wall-clock time an ISO date or RFC 3339 date-time states.
fn parse_iso_date(text: &str) -> Option<(Date, Option<(i8, i8)>)> {
    if let Some(dt) = text
        .get(..19)
        .and_then(|t| t.parse::<jiff::civil::DateTime>().ok())
    {
        return Some((dt.date(), Some((dt.hour(), dt.minute()))));
    }
    text.get(..10)
        .and_then(|d| d.parse::<Date>().ok())
        .map(|d| (d, None))
}

impl Renderer {
    /// Register bantin's filters and functions, then the theme's and the site's templates.
    pub fn new(templates: &[TemplateFile], urls: Urls) -> Result<Renderer, Vec<Diagnostic>> {
        let mut tera = Tera::new();
        let collator = Arc::new(VietCollator::new());
        tera.register_filter("date_vi", |value: &str, kwargs: Kwargs, _: &State| {
            let format = kwargs.get::<&str>("format")?.unwrap_or("full");
            let (date, time) = parse_iso_date(value).ok_or_else(|| {
                tera::Error::message(format!("date_vi: «{value}» không phải là ngày"))
            })?;
            if format == "time" {
                let (h, m) = time.unwrap_or((0, 0));
                return Ok(format!("{h:02}:{m:02}"));
            }
            let style: DateStyle = format.parse().map_err(tera::Error::message)?;
            Ok(vietnamese::format_date(date, style))
        });
        tera.register_filter("slugify", |value: &str, _: Kwargs, _: &State| {
            vietnamese::slugify(value)
        });
        let c = collator.clone();
        tera.register_filter(
            "sort_vi",
            move |values: Vec<Value>, kwargs: Kwargs, _: &State| {
                let attribute = kwargs.get::<&str>("attribute")?;
                let key = |v: &Value| -> String {
                    let v = match attribute {
                        Some(a) => v.get_from_path(a).cloned().unwrap_or_else(Value::none),
                        None => v.clone(),
                    };
                    v.as_str().map(str::to_string).unwrap_or_default()
                };
                let mut keyed: Vec<(String, Value)> =
                    values.into_iter().map(|v| (key(&v), v)).collect();
                keyed.sort_by(|a, b| c.compare(&a.0, &b.0));
                Ok::<_, tera::Error>(keyed.into_iter().map(|(_, v)| v).collect::<Vec<_>>())
            },
        );
        let base = urls.base_path().to_string();
        tera.register_function("asset", move |kwargs: Kwargs, _: &State| {
            let path = kwargs.must_get::<&str>("path")?;
            Ok::<_, tera::Error>(format!("{base}{}", path.trim_start_matches('/')))
        });
        tera.set_fallback_prefixes([theme::THEME_PREFIX, theme::PARENT_PREFIX])
            .map_err(|e| {
                vec![Diagnostic::new(
                    "templates",
                    Problem::Template {
                        message: error_text(&e),
                    },
                )]
            })?;
        let pairs: Vec<(&str, &str)> = templates
            .iter()
            .map(|t| (t.name.as_str(), t.text.as_str()))
            .collect();
        if let Err(e) = tera.add_raw_templates(pairs) {
            // Tera's report names the template and line; point the diagnostic at its file.
            let message = error_text(&e);
            let file = templates
                .iter()
                .find(|t| message.contains(&format!("{}:", t.name)))
                .map_or_else(
                    || std::path::PathBuf::from("templates"),
                    |t| t.origin.clone(),
                );
            return Err(vec![Diagnostic::template(file, &message)]);
        }
        // Where each template name resolves: the site's file, else the theme's, else the parent's.
        let mut origins = std::collections::HashMap::new();
        let is_site = |name: &str| {
            !name.starts_with(theme::THEME_PREFIX) && !name.starts_with(theme::PARENT_PREFIX)
        };
        for prefix in [theme::PARENT_PREFIX, theme::THEME_PREFIX, ""] {
            for t in templates {
                let name = if prefix.is_empty() {
                    is_site(&t.name).then_some(t.name.as_str())
                } else {
                    t.name.strip_prefix(prefix)
                };
                if let Some(name) = name {
                    origins.insert(name.to_string(), t.origin.clone());
                }
            }
        }
        Ok(Renderer {
            tera,
            urls,
            origins,
            digests: deps::TemplateDigests::new(templates),
        })
    }

    /// Render every page job in parallel. Returns (site-relative output file, bytes) in plan order.
    pub fn render_all(
        &self,
        site: &Site,
        jobs: &[PageJob],
    ) -> Result<Vec<(String, Vec<u8>)>, Vec<Diagnostic>> {
        let pages = self.render_changed(site, jobs, &|_| None, &|_| Ok(()))?;
        Ok(pages
            .into_iter()
            .map(|p| (p.file, p.bytes.unwrap_or_default()))
            .collect())
    }

    /// Render, in parallel, the page jobs not made from the same inputs as `previous(file)`
    /// says; the others come back without bytes. Every page goes through `sink` as soon as it
    /// is made. Results are in plan order. If the sink says [`Stop`], rendering stops and the
    /// error holds no diagnostics.
    pub fn render_changed(
        &self,
        site: &Site,
        jobs: &[PageJob],
        previous: &(dyn Fn(&str) -> Option<PageStamp> + Sync),
        sink: &PageSink,
    ) -> Result<Vec<RenderedPage>, Vec<Diagnostic>> {
        let shared = Shared::new(site, &self.urls);
        let results: Result<Vec<Result<RenderedPage, Diagnostic>>, Stop> = jobs
            .par_iter()
            .map(
                |job| match self.render_page(site, &shared, jobs, job, previous) {
                    Ok(mut page) => sink(&mut page).map(|()| Ok(page)),
                    Err(d) => Ok(Err(d)),
                },
            )
            .collect();
        let Ok(results) = results else {
            return Err(Vec::new());
        };
        let mut out = Vec::with_capacity(results.len());
        let mut problems = Vec::new();
        for r in results {
            match r {
                Ok(page) => out.push(page),
                Err(d) if !problems.contains(&d) => problems.push(d),
                Err(_) => {}
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }

    fn render_page(
        &self,
        site: &Site,
        shared: &Shared,
        jobs: &[PageJob],
        job: &PageJob,
        previous: &(dyn Fn(&str) -> Option<PageStamp> + Sync),
    ) -> Result<RenderedPage, Diagnostic> {
        let file = urls::output_file(&job.path);
        let before = previous(&file);
        let Some(template) = job.kind.template() else {
            // Feeds, the sitemap and robots.txt: generated by code, keyed (see `feeds`).
            let inputs = crate::feeds::Inputs {
                site,
                urls: &self.urls,
                jobs,
                base: shared.base,
                summaries: &shared.summary_digests,
            };
            if let Some(page) = crate::feeds::render(&inputs, job, before) {
                return page.map_err(|e| {
                    let message = format!("không tạo được tệp {file}: {e}");
                    Diagnostic::new(file.as_str(), Problem::Template { message })
                });
            }
            let bytes = match &job.kind {
                PageKind::Redirect { target } => {
                    redirect_html(&self.urls.permalink(target), &self.urls.link(target))
                        .into_bytes()
                }
                _ => Vec::new(),
            };
            let stamp = PageStamp {
                key: None,
                fingerprint: fingerprint::of_bytes(&bytes),
            };
            let bytes = (before != Some(stamp)).then_some(bytes);
            return Ok(RenderedPage { file, stamp, bytes });
        };
        let templates = self.digests.of(template);
        let key = self.key(site, shared, job, templates);
        if let Some(before) = before.filter(|b| key.is_some() && b.key == key) {
            // Tests run debug builds: there, every page skipped by its key is checked against
            // its full context, so a dependency missing from `key` cannot go unnoticed.
            #[cfg(debug_assertions)]
            {
                let vars = self.context(site, shared, job);
                assert_eq!(
                    vars.fingerprint(template, templates, &shared.memo),
                    before.fingerprint,
                    "the key of {file} missed something its context depends on"
                );
            }
            return Ok(RenderedPage {
                file,
                stamp: before,
                bytes: None,
            });
        }
        let vars = self.context(site, shared, job);
        let stamp = PageStamp {
            key,
            fingerprint: vars.fingerprint(template, templates, &shared.memo),
        };
        if before.is_some_and(|b| b.fingerprint == stamp.fingerprint) {
            return Ok(RenderedPage {
                file,
                stamp,
                bytes: None,
            });
        }
        let ctx = vars.into_context();
        // Rendered straight into bytes: Tera's `render` would validate the UTF-8 it just wrote.
        let mut out = Vec::with_capacity(16 * 1024);
        self.tera.render_to(template, &ctx, &mut out).map_err(|e| {
            Diagnostic::template(
                self.origins
                    .get(template)
                    .cloned()
                    .unwrap_or_else(|| template.into()),
                &error_text(&e),
            )
        })?;
        Ok(RenderedPage {
            file,
            stamp,
            bytes: Some(out),
        })
    }

    /// The key of a numerous kind of page (articles and listings): a digest of the digests of
    /// everything its context is built from. `None` for the few other pages.
    fn key(
        &self,
        site: &Site,
        shared: &Shared,
        job: &PageJob,
        templates: Digest,
    ) -> Option<Digest> {
        let mut f = Fingerprinter::new();
        f.digest(shared.base).digest(templates).str(&job.path);
        let summary = |f: &mut Fingerprinter, i: usize| {
            f.digest(shared.summary_digests.get(i).copied().unwrap_or_default());
        };
        match &job.kind {
            PageKind::Article(id) => {
                let a = site.article(*id);
                // The file, and what parsing it against the officials' and departments' names
                // (aliases included) made of it.
                f.u64(0).digest(a.source_digest).digest(a.html_digest);
                // The lead photo's copies (its bytes are not in the file's digest).
                f.digest(
                    a.image
                        .as_ref()
                        .and_then(|i| i.responsive.as_ref())
                        .map_or(0, |r| r.digest),
                );
                f.u64(u64::from(a.scheduled));
                f.ids(a.officials.iter().map(|o| o.0));
                f.ids(a.departments.iter().map(|d| d.0));
                f.u64(a.author_department.map_or(u64::MAX, |d| d.0 as u64));
                f.str(a.author.as_deref().unwrap_or_default());
                summary(&mut f, id.0 + 1);
                summary(&mut f, id.0.wrapping_sub(1));
                f.u64(a.related.len() as u64);
                for r in &a.related {
                    summary(&mut f, r.0);
                }
                f.u64(a.tags.len() as u64);
                for t in &a.tags {
                    f.digest(shared.tag_digests[t.0]);
                }
            }
            PageKind::Home => {
                f.u64(1);
            }
            PageKind::Year(_) | PageKind::Month(..) | PageKind::Day(_) => {
                f.u64(2).digest(shared.archive);
            }
            PageKind::Official(id) => {
                f.u64(3)
                    .u64(id.0 as u64)
                    .u64(site.articles_by_official[id.0].len() as u64);
            }
            PageKind::Department(id) => {
                f.u64(4)
                    .u64(id.0 as u64)
                    .u64(site.articles_by_department[id.0].len() as u64);
            }
            PageKind::Tag(id) => {
                let t = &site.tags[id.0];
                f.u64(5).digest(shared.tag_digests[id.0]);
                f.u64(t.articles.len() as u64);
            }
            _ => return None,
        }
        if let Some(l) = &job.listing {
            f.u64(l.number as u64).u64(l.total as u64).str(&l.base);
            f.u64(l.articles.len() as u64);
            for a in &l.articles {
                summary(&mut f, a.0);
            }
        }
        Some(f.finish())
    }

    /// Every variable a page's template sees.
    fn context(&self, site: &Site, shared: &Shared, job: &PageJob) -> Vars {
        let mut ctx = Vars::default();
        ctx.insert_value("site", shared.site.clone());
        ctx.insert_value("current_url", Value::from(self.urls.link(&job.path)));
        let (title, description) = self.fill(site, shared, job, &mut ctx);
        ctx.insert_value(
            "page",
            obj([
                ("kind", Value::from(job.kind.name())),
                ("title", Value::from(title)),
                ("url", Value::from(self.urls.link(&job.path))),
                ("permalink", Value::from(self.urls.permalink(&job.path))),
                ("feed", crate::feeds::page_feed(site, &self.urls, &job.kind)),
                (
                    "image",
                    crate::feeds::page_image(site, &self.urls, &job.kind),
                ),
                (
                    "description",
                    Value::from(description.unwrap_or_else(|| site.config.description.clone())),
                ),
            ]),
        );
        ctx.insert_value(
            "json_ld",
            crate::feeds::json_ld(site, &self.urls, &job.kind),
        );
        if let Some(listing) = &job.listing {
            ctx.insert_value("articles", shared.summaries(site, &listing.articles));
            ctx.insert_value("pagination", self.pagination(listing));
        }
        ctx
    }

    /// The pager of a listing page. `pages` holds only the links worth showing (the first and
    /// last pages, the current one and its neighbours) with `{gap: true}` between runs, so a
    /// listing of a thousand pages does not put a thousand links on each of them.
    fn pagination(&self, l: &Listing) -> Value {
        let link = |n: usize| Value::from(self.urls.link(&urls::paginated(&l.base, n)));
        let mut shown: Vec<usize> = [
            1,
            l.number.saturating_sub(1),
            l.number,
            l.number + 1,
            l.total,
        ]
        .into_iter()
        .filter(|n| (1..=l.total).contains(n))
        .collect();
        shown.sort_unstable();
        shown.dedup();
        let mut pages: Vec<Value> = Vec::with_capacity(shown.len() * 2);
        for (i, n) in shown.iter().enumerate() {
            if i > 0 && *n > shown[i - 1] + 1 {
                pages.push(obj([("gap", Value::from(true))]));
            }
            pages.push(obj([
                ("number", Value::from(*n)),
                ("url", link(*n)),
                ("is_current", Value::from(*n == l.number)),
            ]));
        }
        obj([
            ("current", Value::from(l.number)),
            ("total", Value::from(l.total)),
            (
                "prev_url",
                if l.number > 1 {
                    link(l.number - 1)
                } else {
                    Value::none()
                },
            ),
            (
                "next_url",
                if l.number < l.total {
                    link(l.number + 1)
                } else {
                    Value::none()
                },
            ),
            ("pages", Value::from(pages)),
        ])
    }

    /// Insert the kind-specific variables; return the page title and description.
    fn fill(
        &self,
        site: &Site,
        shared: &Shared,
        job: &PageJob,
        ctx: &mut Vars,
    ) -> (String, Option<String>) {
        let u = &self.urls;
        match &job.kind {
            PageKind::Home => (site.config.title.clone(), None),
            PageKind::Article(id) => {
                let a = site.article(*id);
                let officials: Vec<Value> = a
                    .officials
                    .iter()
                    .map(|o| {
                        let off = site.official(*o);
                        obj([
                            ("name", Value::from(off.name.as_str())),
                            ("url", Value::from(u.link(&urls::official(&off.slug)))),
                            (
                                "title",
                                opt_str(site.main_position(*o, a.day).map(|p| p.title.as_str())),
                            ),
                            ("photo", shared.official_photo(site, *o)),
                        ])
                    })
                    .collect();
                let neighbour = |i: Option<usize>| {
                    i.filter(|i| *i < site.articles.len())
                        .map_or_else(Value::none, |i| shared.summary(site, i))
                };
                ctx.insert_value(
                    "article",
                    obj([
                        ("title", Value::from(a.title.as_str())),
                        ("url", Value::from(u.link(&urls::article(&a.slug)))),
                        (
                            "permalink",
                            Value::from(u.permalink(&urls::article(&a.slug))),
                        ),
                        ("date", Value::from(date_iso(a.day))),
                        ("datetime", Value::from(datetime_iso(&a.date))),
                        (
                            "updated",
                            a.updated
                                .as_ref()
                                .map_or_else(Value::none, |d| Value::from(date_iso(d.date()))),
                        ),
                        ("author", opt_str(a.author.as_deref())),
                        (
                            "author_department",
                            a.author_department
                                .map_or_else(Value::none, |d| shared.departments[d.0].clone()),
                        ),
                        ("summary", Value::from(a.summary.as_str())),
                        ("image", shared.image(a.image.as_ref())),
                        ("officials", Value::from(officials)),
                        (
                            "departments",
                            Value::from(
                                a.departments
                                    .iter()
                                    .map(|d| shared.departments[d.0].clone())
                                    .collect::<Vec<_>>(),
                            ),
                        ),
                        (
                            "tags",
                            Value::from(
                                a.tags
                                    .iter()
                                    .map(|t| shared.tags[t.0].clone())
                                    .collect::<Vec<_>>(),
                            ),
                        ),
                        ("draft", Value::from(a.draft)),
                        ("scheduled", Value::from(a.scheduled)),
                    ]),
                );
                ctx.deferred = Some(Deferred {
                    var: "article",
                    key: "content",
                    text: a.html.clone(),
                    digest: a.html_digest,
                });
                ctx.insert_value("prev", neighbour(Some(id.0 + 1)));
                ctx.insert_value("next", neighbour(id.0.checked_sub(1)));
                ctx.insert_value("related", shared.summaries(site, &a.related));
                (a.title.clone(), Some(a.summary.clone()))
            }
            PageKind::Year(y) => self.period(site, shared, ctx, Period::Year(*y)),
            PageKind::Month(y, m) => self.period(site, shared, ctx, Period::Month(*y, *m)),
            PageKind::Day(d) => self.period(site, shared, ctx, Period::Day(*d)),
            PageKind::ArchiveIndex => {
                ctx.insert_value("years", self.archive_years(site));
                ctx.insert_value("total", Value::from(site.articles.len()));
                ("Lưu trữ".into(), None)
            }
            PageKind::Officials => {
                self.officials_index(site, shared, ctx);
                ("Lãnh đạo phường".into(), None)
            }
            PageKind::Official(id) => {
                let o = site.official(*id);
                let position = |p: &crate::people::Position<DepartmentId>| {
                    obj([
                        ("title", Value::from(p.title.as_str())),
                        ("department", shared.departments[p.department.0].clone()),
                        (
                            "from",
                            p.from
                                .map_or_else(Value::none, |d| Value::from(date_iso(d))),
                        ),
                        (
                            "to",
                            p.to.map_or_else(Value::none, |d| Value::from(date_iso(d))),
                        ),
                    ])
                };
                let (current, past): (Vec<_>, Vec<_>) =
                    o.positions.iter().partition(|p| p.held_on(site.today));
                let mut past = past;
                past.sort_by(|a, b| b.to.cmp(&a.to).then(b.from.cmp(&a.from)));
                ctx.insert_value(
                    "official",
                    obj([
                        ("name", Value::from(o.name.as_str())),
                        ("url", Value::from(u.link(&urls::official(&o.slug)))),
                        ("photo", shared.official_photo(site, *id)),
                        ("is_former", Value::from(o.is_former(site.today))),
                        (
                            "current_positions",
                            Value::from(current.into_iter().map(position).collect::<Vec<_>>()),
                        ),
                        (
                            "past_positions",
                            Value::from(past.into_iter().map(position).collect::<Vec<_>>()),
                        ),
                        ("biography", Value::safe_string(&o.biography)),
                        (
                            "contact",
                            obj([
                                ("phone", Value::from(o.contact.phone.as_str())),
                                ("email", Value::from(o.contact.email.as_str())),
                            ]),
                        ),
                        (
                            "article_count",
                            Value::from(site.articles_by_official[id.0].len()),
                        ),
                    ]),
                );
                (o.name.clone(), None)
            }
            PageKind::Departments | PageKind::OrgChart => {
                let tree: Vec<Value> = site
                    .root_departments
                    .iter()
                    .map(|d| self.dept_node(site, shared, *d, 0))
                    .collect();
                ctx.insert_value("tree", Value::from(tree));
                let title = if job.kind == PageKind::OrgChart {
                    "Cơ cấu tổ chức"
                } else {
                    "Cơ quan, đơn vị"
                };
                (title.into(), None)
            }
            PageKind::Department(id) => {
                let d = site.department(*id);
                let officials: Vec<Value> = self
                    .department_officials(site, *id)
                    .into_iter()
                    .map(|(o, title)| shared.official_card(site, o, Some(title)))
                    .collect();
                ctx.insert_value(
                    "department",
                    obj([
                        ("name", Value::from(d.name.as_str())),
                        ("short_name", opt_str(d.short_name.as_deref())),
                        ("url", Value::from(u.link(&urls::department(&d.slug)))),
                        ("description", Value::safe_string(&d.description)),
                        (
                            "contact",
                            obj([
                                ("address", Value::from(d.contact.address.as_str())),
                                ("phone", Value::from(d.contact.phone.as_str())),
                                ("email", Value::from(d.contact.email.as_str())),
                            ]),
                        ),
                        (
                            "parent",
                            d.parent
                                .map_or_else(Value::none, |p| shared.departments[p.0].clone()),
                        ),
                        (
                            "children",
                            Value::from(
                                d.children
                                    .iter()
                                    .map(|c| shared.departments[c.0].clone())
                                    .collect::<Vec<_>>(),
                            ),
                        ),
                        ("officials", Value::from(officials)),
                        (
                            "article_count",
                            Value::from(site.articles_by_department[id.0].len()),
                        ),
                    ]),
                );
                (d.name.clone(), None)
            }
            PageKind::Tags => {
                let tags: Vec<Value> = site
                    .tags
                    .iter()
                    .map(|t| {
                        obj([
                            ("name", Value::from(t.name.as_str())),
                            ("url", Value::from(u.link(&urls::tag(&t.slug)))),
                            ("count", Value::from(t.articles.len())),
                        ])
                    })
                    .collect();
                ctx.insert_value("tags", Value::from(tags));
                ("Chủ đề".into(), None)
            }
            PageKind::Tag(id) => {
                let t = &site.tags[id.0];
                ctx.insert_value(
                    "tag",
                    obj([
                        ("name", Value::from(t.name.as_str())),
                        ("url", Value::from(u.link(&urls::tag(&t.slug)))),
                        ("count", Value::from(t.articles.len())),
                    ]),
                );
                (format!("Chủ đề: {}", t.name), None)
            }
            PageKind::Page(i) => {
                let p = &site.pages[*i];
                ctx.insert_value(
                    "content_page",
                    obj([
                        ("title", Value::from(p.title.as_str())),
                        ("url", Value::from(u.link(&urls::page(&p.slug)))),
                        ("content", Value::safe_string(&p.html)),
                        ("description", opt_str(p.description.as_deref())),
                    ]),
                );
                (p.title.clone(), p.description.clone())
            }
            PageKind::NotFound => ("Không tìm thấy trang".into(), None),
            PageKind::Search => {
                ctx.insert_value(
                    "search",
                    obj([("index", Value::from(u.link(&urls::search_manifest())))]),
                );
                ("Tìm kiếm".into(), None)
            }
            PageKind::Redirect { .. } => (String::new(), None),
            PageKind::Feed(_) | PageKind::Sitemap(_) | PageKind::Robots => (String::new(), None),
        }
    }

    fn period(
        &self,
        site: &Site,
        shared: &Shared,
        ctx: &mut Vars,
        period: Period,
    ) -> (String, Option<String>) {
        let u = &self.urls;
        let title = period.title();
        let (first, last) = period.range();
        // Neighbouring periods that have articles.
        let siblings = match period {
            Period::Year(_) => &shared.periods.years,
            Period::Month(..) => &shared.periods.months,
            Period::Day(_) => &shared.periods.days,
        };
        let pos = siblings.binary_search(&period).ok();
        let at = |i: Option<usize>| {
            i.and_then(|i| siblings.get(i))
                .map_or_else(Value::none, |p| {
                    obj([
                        ("name", Value::from(p.title())),
                        ("url", Value::from(u.link(&p.path()))),
                    ])
                })
        };
        let (prev, next) = (
            at(pos.and_then(|p| p.checked_sub(1))),
            at(pos.map(|p| p + 1)),
        );
        let children = match period {
            Period::Year(_) => {
                self.children(site, first, last, |d| Period::Month(d.year(), d.month()))
            }
            Period::Month(..) => self.children(site, first, last, Period::Day),
            Period::Day(_) => Vec::new(),
        };
        let parent = match period {
            Period::Year(_) => None,
            Period::Month(y, _) => Some(Period::Year(y)),
            Period::Day(d) => Some(Period::Month(d.year(), d.month())),
        };
        let (year, month, day) = period.parts();
        ctx.insert_value(
            "period",
            obj([
                ("kind", Value::from(period.kind())),
                ("title", Value::from(title.as_str())),
                ("year", Value::from(year)),
                ("month", month.map_or_else(Value::none, Value::from)),
                ("day", day.map_or_else(Value::none, Value::from)),
            ]),
        );
        ctx.insert_value("prev_period", prev);
        ctx.insert_value("next_period", next);
        ctx.insert_value(
            "parent_period",
            parent.map_or_else(Value::none, |p| {
                obj([
                    ("name", Value::from(p.title())),
                    ("url", Value::from(u.link(&p.path()))),
                ])
            }),
        );
        let children: Vec<Value> = children
            .into_iter()
            .map(|(p, count)| {
                obj([
                    ("name", Value::from(p.title())),
                    ("url", Value::from(u.link(&p.path()))),
                    ("count", Value::from(count)),
                ])
            })
            .collect();
        ctx.insert_value("children", Value::from(children));
        (title, None)
    }

    /// Sub-periods of `[first, last]` with their article counts, oldest first.
    fn children(
        &self,
        site: &Site,
        first: Date,
        last: Date,
        key: impl Fn(Date) -> Period,
    ) -> Vec<(Period, usize)> {
        let mut out: Vec<(Period, usize)> = Vec::new();
        for (d, ids) in site.by_day.range(first..=last) {
            let k = key(*d);
            match out.last_mut() {
                Some((p, n)) if *p == k => *n += ids.len(),
                _ => out.push((k, ids.len())),
            }
        }
        out
    }

    fn archive_years(&self, site: &Site) -> Value {
        let mut years: BTreeMap<i16, BTreeMap<i8, usize>> = BTreeMap::new();
        for (d, ids) in &site.by_day {
            *years
                .entry(d.year())
                .or_default()
                .entry(d.month())
                .or_default() += ids.len();
        }
        let years: Vec<Value> = years
            .into_iter()
            .rev()
            .map(|(y, months)| {
                let count: usize = months.values().sum();
                let months: Vec<Value> = months
                    .into_iter()
                    .rev()
                    .map(|(m, n)| {
                        obj([
                            ("month", Value::from(m)),
                            ("name", Value::from(vietnamese::month_name(m))),
                            ("url", Value::from(self.urls.link(&urls::month(y, m)))),
                            ("count", Value::from(n)),
                        ])
                    })
                    .collect();
                obj([
                    ("year", Value::from(y)),
                    ("url", Value::from(self.urls.link(&urls::year(y)))),
                    ("count", Value::from(count)),
                    ("months", Value::from(months)),
                ])
            })
            .collect();
        Value::from(years)
    }

    /// Current officials of a department with their title there, by precedence.
    fn department_officials(&self, site: &Site, dept: DepartmentId) -> Vec<(OfficialId, String)> {
        let mut out = Vec::new();
        for (i, o) in site.officials.iter().enumerate() {
            if let Some(p) = o.positions_on(site.today).find(|p| p.department == dept) {
                out.push((OfficialId(i), p.title.clone()));
            }
        }
        out
    }

    fn dept_node(&self, site: &Site, shared: &Shared, id: DepartmentId, depth: usize) -> Value {
        let d = site.department(id);
        let children: Vec<Value> = if depth < 8 {
            d.children
                .iter()
                .map(|c| self.dept_node(site, shared, *c, depth + 1))
                .collect()
        } else {
            Vec::new()
        };
        // The head is the first official by precedence whose title is not a deputy's ("Phó …");
        // deputies hold "Phó …" titles; everyone else with a position there is a member.
        let officials = self.department_officials(site, id);
        let is_deputy = |t: &str| {
            let t = t.trim_start().to_lowercase();
            t.starts_with("phó ") || t.starts_with("phó-")
        };
        let head_index = officials
            .iter()
            .position(|(_, t)| !is_deputy(t))
            .or(if officials.is_empty() { None } else { Some(0) });
        let card = |(o, t): &(OfficialId, String)| shared.official_card(site, *o, Some(t.clone()));
        let head = head_index.map_or_else(Value::none, |i| card(&officials[i]));
        let (deputies, members): (Vec<_>, Vec<_>) = officials
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != head_index)
            .map(|(_, o)| o)
            .partition(|(_, t)| is_deputy(t));
        let deputies: Vec<Value> = deputies.into_iter().map(card).collect();
        let members: Vec<Value> = members.into_iter().map(card).collect();
        obj([
            ("name", Value::from(d.name.as_str())),
            ("short_name", opt_str(d.short_name.as_deref())),
            (
                "url",
                Value::from(self.urls.link(&urls::department(&d.slug))),
            ),
            ("head", head),
            ("deputies", Value::from(deputies)),
            ("members", Value::from(members)),
            ("children", Value::from(children)),
        ])
    }

    fn officials_index(&self, site: &Site, shared: &Shared, ctx: &mut Vars) {
        let mut groups: Vec<(DepartmentId, Vec<Value>)> = Vec::new();
        let mut former = Vec::new();
        for i in 0..site.officials.len() {
            let id = OfficialId(i);
            match site.main_position(id, site.today) {
                Some(p) => match groups.iter_mut().find(|(d, _)| *d == p.department) {
                    Some((_, list)) => list.push(shared.official_card(site, id, None)),
                    None => groups.push((p.department, vec![shared.official_card(site, id, None)])),
                },
                None if site.official(id).is_former(site.today) => {
                    former.push(shared.official_card(site, id, None))
                }
                // No position yet (or none recorded): only in the A–Z list.
                None => {}
            }
        }
        groups.sort_by_key(|(d, _)| site.department(*d).order);
        let groups: Vec<Value> = groups
            .into_iter()
            .map(|(d, list)| {
                obj([
                    ("department", shared.departments[d.0].clone()),
                    ("officials", Value::from(list)),
                ])
            })
            .collect();
        let mut alpha: Vec<OfficialId> = (0..site.officials.len()).map(OfficialId).collect();
        alpha.sort_by(|a, b| {
            shared
                .collator
                .compare_person_names(&site.official(*a).name, &site.official(*b).name)
        });
        ctx.insert_value("groups", Value::from(groups));
        ctx.insert_value("former", Value::from(former));
        ctx.insert_value(
            "alphabetical",
            Value::from(
                alpha
                    .into_iter()
                    .map(|o| shared.official_card(site, o, None))
                    .collect::<Vec<_>>(),
            ),
        );
    }
}

/// A year, month or day of the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Period {
    Year(i16),
    Month(i16, i8),
    Day(Date),
}

impl Period {
    fn kind(&self) -> &'static str {
        match self {
            Period::Year(_) => "year",
            Period::Month(..) => "month",
            Period::Day(_) => "day",
        }
    }
    fn title(&self) -> String {
        match self {
            Period::Year(y) => format!("Năm {y}"),
            Period::Month(y, m) => format!("Tháng {m}/{y}"),
            Period::Day(d) => format!("Ngày {}", vietnamese::format_date(*d, DateStyle::Short)),
        }
    }
    fn path(&self) -> String {
        match self {
            Period::Year(y) => urls::year(*y),
            Period::Month(y, m) => urls::month(*y, *m),
            Period::Day(d) => urls::day(*d),
        }
    }
    fn range(&self) -> (Date, Date) {
        match self {
            Period::Year(y) => (
                Date::new(*y, 1, 1).unwrap_or_default(),
                crate::plan::last_day(*y, 12),
            ),
            Period::Month(y, m) => (
                Date::new(*y, *m, 1).unwrap_or_default(),
                crate::plan::last_day(*y, *m),
            ),
            Period::Day(d) => (*d, *d),
        }
    }
    fn parts(&self) -> (i16, Option<i8>, Option<i8>) {
        match self {
            Period::Year(y) => (*y, None, None),
            Period::Month(y, m) => (*y, Some(*m), None),
            Period::Day(d) => (d.year(), Some(d.month()), Some(d.day())),
        }
    }
}

/// The years, months and days that have articles, oldest first.
struct Periods {
    years: Vec<Period>,
    months: Vec<Period>,
    days: Vec<Period>,
}

impl Periods {
    fn new(site: &Site) -> Periods {
        let days: Vec<Period> = site.by_day.keys().map(|d| Period::Day(*d)).collect();
        let mut months: Vec<Period> = site
            .by_day
            .keys()
            .map(|d| Period::Month(d.year(), d.month()))
            .collect();
        months.dedup();
        let mut years: Vec<Period> = site.by_day.keys().map(|d| Period::Year(d.year())).collect();
        years.dedup();
        Periods {
            years,
            months,
            days,
        }
    }
}

/// Template values built once per build and shared by every page.
struct Shared {
    /// The digests of the values below, for page fingerprints.
    memo: fingerprint::Memo,
    /// Digest of what every page may read: the configuration, officials and departments, the
    /// day it is, and the `site` value.
    base: Digest,
    /// Digests of `articles` and `tags`, by id.
    summary_digests: Vec<Digest>,
    tag_digests: Vec<Digest>,
    /// Digest of which days have how many articles (what year, month and day pages link).
    archive: Digest,
    periods: Periods,
    site: Value,
    /// One ArticleSummary per article, by id, built when first needed: most rebuilds render a
    /// handful of pages, and only need the summaries' digests.
    articles: Vec<OnceLock<Value>>,
    /// One `{name, url}` per department and tag, by id.
    departments: Vec<Value>,
    tags: Vec<Value>,
    urls: Urls,
    collator: VietCollator,
}

impl Shared {
    fn new(site: &Site, urls: &Urls) -> Shared {
        let c = &site.config;
        let menu: Vec<Value> = c
            .menu
            .iter()
            .map(|m| {
                obj([
                    ("name", Value::from(m.name.as_str())),
                    ("url", Value::from(urls.menu(&m.url))),
                ])
            })
            .collect();
        let site_value = obj([
            ("title", Value::from(c.title.as_str())),
            ("description", Value::from(c.description.as_str())),
            ("base_url", Value::from(urls.permalink(""))),
            ("language", Value::from(c.language.as_str())),
            ("feed", crate::feeds::site_feed(&c.title, urls)),
            ("menu", Value::from(menu)),
            (
                "urls",
                obj([
                    ("home", Value::from(urls.link(&urls::home()))),
                    ("archive", Value::from(urls.link(&urls::archive_index()))),
                    ("officials", Value::from(urls.link(&urls::officials()))),
                    ("departments", Value::from(urls.link(&urls::departments()))),
                    ("org_chart", Value::from(urls.link(&urls::org_chart()))),
                    ("tags", Value::from(urls.link(&urls::tags()))),
                    ("search", Value::from(urls.link(&urls::search()))),
                ]),
            ),
            (
                "contact",
                obj([
                    ("organisation", Value::from(c.contact.organisation.as_str())),
                    ("address", Value::from(c.contact.address.as_str())),
                    ("phone", Value::from(c.contact.phone.as_str())),
                    ("email", Value::from(c.contact.email.as_str())),
                    (
                        "working_hours",
                        Value::from(c.contact.working_hours.as_str()),
                    ),
                ]),
            ),
        ]);
        let articles: Vec<OnceLock<Value>> =
            site.articles.iter().map(|_| OnceLock::new()).collect();
        let summary_digests: Vec<Digest> = site.articles.par_iter().map(summary_digest).collect();
        let reference = |name: &str, path: String| {
            obj([
                ("name", Value::from(name)),
                ("url", Value::from(urls.link(&path))),
            ])
        };
        let tags: Vec<Value> = site
            .tags
            .iter()
            .map(|t| reference(&t.name, urls::tag(&t.slug)))
            .collect();
        let mut memo = fingerprint::Memo::default();
        memo.remember(&site_value);
        let tag_digests = memo.remember_all(&tags);
        let base = Fingerprinter::new()
            .value(&site_value)
            .str(&format!(
                "{:?}{:?}{:?}{:?}{:?}",
                site.config, site.officials, site.departments, site.root_departments, site.today
            ))
            .finish();
        let mut archive = Fingerprinter::new();
        for (day, ids) in &site.by_day {
            archive.str(&day.to_string()).u64(ids.len() as u64);
        }
        Shared {
            memo,
            base,
            summary_digests,
            tag_digests,
            archive: archive.finish(),
            periods: Periods::new(site),
            site: site_value,
            articles,
            departments: site
                .departments
                .iter()
                .map(|d| reference(&d.name, urls::department(&d.slug)))
                .collect(),
            tags,
            urls: urls.clone(),
            collator: VietCollator::new(),
        }
    }

    /// The summary of article `i`, built the first time a page needs it.
    fn summary(&self, site: &Site, i: usize) -> Value {
        self.articles[i]
            .get_or_init(|| summary_value(&self.urls, &site.articles[i]))
            .clone()
    }

    fn summaries(&self, site: &Site, ids: &[ArticleId]) -> Value {
        Value::from(
            ids.iter()
                .map(|i| self.summary(site, i.0))
                .collect::<Vec<_>>(),
        )
    }

    fn image(&self, img: Option<&crate::site::Image>) -> Value {
        image_value(&self.urls, img)
    }

    fn official_photo(&self, site: &Site, id: OfficialId) -> Value {
        self.image(site.official(id).photo.as_ref())
    }

    /// OfficialCard; `title` overrides the main current title.
    fn official_card(&self, site: &Site, id: OfficialId, title: Option<String>) -> Value {
        let o = site.official(id);
        let main = site.main_position(id, site.today);
        let title = title.or_else(|| main.map(|p| p.title.clone()));
        obj([
            ("name", Value::from(o.name.as_str())),
            ("url", Value::from(self.urls.link(&urls::official(&o.slug)))),
            ("photo", self.official_photo(site, id)),
            ("title", title.map_or_else(Value::none, Value::from)),
            (
                "department",
                main.map_or_else(Value::none, |p| self.departments[p.department.0].clone()),
            ),
        ])
    }
}

/// The ArticleSummary of an article.
fn summary_value(urls: &Urls, a: &crate::site::Article) -> Value {
    obj([
        ("title", Value::from(a.title.as_str())),
        ("url", Value::from(urls.link(&urls::article(&a.slug)))),
        ("date", Value::from(date_iso(a.day))),
        ("datetime", Value::from(datetime_iso(&a.date))),
        ("summary", Value::from(a.summary.as_str())),
        ("author", opt_str(a.author.as_deref())),
        ("image", image_value(urls, a.image.as_ref())),
        ("draft", Value::from(a.draft)),
        ("scheduled", Value::from(a.scheduled)),
    ])
}

/// A digest of everything [`summary_value`] reads of an article (the URLs and time zone it
/// also depends on are the same for every article and counted in each page's key). Debug
/// builds check page keys against full contexts, so a field added there and forgotten here
/// shows up in the tests.
fn summary_digest(a: &crate::site::Article) -> Digest {
    let mut f = Fingerprinter::new();
    let time = a.date.timestamp();
    f.str(&a.title)
        .str(&a.slug)
        .u64(time.as_second() as u64)
        .u64(u64::from(time.subsec_nanosecond() as u32))
        .u64(a.date.offset().seconds() as u64)
        .str(&a.summary)
        .str(a.author.as_deref().unwrap_or("\u{0}"))
        .u64(u64::from(a.draft))
        .u64(u64::from(a.scheduled));
    match &a.image {
        Some(i) => f
            .u64(1)
            .str(&i.path)
            .str(&i.alt)
            .digest(i.responsive.as_ref().map_or(0, |r| r.digest)),
        None => f.u64(0),
    };
    f.finish()
}

fn image_value(urls: &Urls, img: Option<&crate::site::Image>) -> Value {
    img.map_or_else(Value::none, |i| {
        let url = if i.path.contains("://") {
            i.path.clone()
        } else {
            urls.link(&i.path)
        };
        let [width, height, srcset, webp_srcset, small] = crate::images::template_fields(i, urls);
        obj([
            ("url", Value::from(url)),
            ("alt", Value::from(i.alt.as_str())),
            width,
            height,
            srcset,
            webp_srcset,
            small,
        ])
    })
}

/// A page that sends readers (and search engines, via canonical) to `target`.
fn redirect_html(permalink: &str, link: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let p = escape(permalink);
    let l = escape(link);
    format!(
        "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <title>Đã chuyển địa chỉ</title><link rel=\"canonical\" href=\"{p}\">\
         <meta http-equiv=\"refresh\" content=\"0; url={l}\"></head>\
         <body><p>Trang này đã chuyển đến <a href=\"{l}\">{l}</a>.</p></body></html>\n"
    )
}

/// The message of a template error and its causes, on one line each.
fn error_text(e: &tera::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push('\n');
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn datetimes_are_rfc3339_with_the_site_offset() {
        let tz = jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").unwrap();
        let z = jiff::civil::date(2025, 12, 30)
            .at(8, 5, 9, 0)
            .to_zoned_datetime(tz)
            .unwrap();
        assert_eq!(super::datetime_iso(&z), "2025-12-30T08:05:09+07:00");
        assert_eq!(
            super::datetime_iso(&z),
            z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
        );
    }
}
