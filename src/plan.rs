//! The **plan** stage: every output file of a build, as data.
//!
//! Each page kind has one planner function; together they turn a [`Site`] into [`PageJob`]s
//! (pages to render) and [`CopyJob`]s (files to copy). The plan knows nothing of templates'
//! contents; two plans can be compared to see what a change affects.

use std::path::PathBuf;

use jiff::civil::Date;

use crate::error::{Diagnostic, Problem};
use crate::site::{ArticleId, DepartmentId, OfficialId, Site, TagId};
use crate::urls;

/// Where the bytes of a copied file come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetSource {
    File(PathBuf),
    Embedded(&'static [u8]),
}

/// What a page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageKind {
    Home,
    Article(ArticleId),
    Year(i16),
    Month(i16, i8),
    Day(Date),
    ArchiveIndex,
    Officials,
    Official(OfficialId),
    Departments,
    OrgChart,
    Department(DepartmentId),
    Tags,
    Tag(TagId),
    Page(usize),
    NotFound,
    /// The search page (`/tim-kiem/`); its index is written by `search`.
    Search,
    /// A page that sends the reader to `target` (a site-relative path).
    Redirect {
        target: String,
    },
    /// An Atom feed (built in, see `feeds`).
    Feed(crate::feeds::Feed),
    /// `sitemap.xml` (`None`), or part `n` of a sitemap too large for one file (`sitemap`).
    Sitemap(Option<usize>),
    /// `robots.txt`.
    Robots,
}

impl PageKind {
    /// The theme template that renders this kind of page (`None`: built in).
    pub fn template(&self) -> Option<&'static str> {
        Some(match self {
            PageKind::Home => "index.html",
            PageKind::Article(_) => "article.html",
            PageKind::Year(_) | PageKind::Month(..) | PageKind::Day(_) => "archive.html",
            PageKind::ArchiveIndex => "archive_index.html",
            PageKind::Officials => "officials.html",
            PageKind::Official(_) => "official.html",
            PageKind::Departments => "departments.html",
            PageKind::OrgChart => "org_chart.html",
            PageKind::Department(_) => "department.html",
            PageKind::Tags => "tags.html",
            PageKind::Tag(_) => "tag.html",
            PageKind::Page(_) => "page.html",
            PageKind::NotFound => "404.html",
            PageKind::Search => "search.html",
            PageKind::Redirect { .. } => return None,
            PageKind::Feed(_) | PageKind::Sitemap(_) | PageKind::Robots => return None,
        })
    }

    /// The name templates see as `page.kind`.
    pub fn name(&self) -> &'static str {
        match self {
            PageKind::Home => "home",
            PageKind::Article(_) => "article",
            PageKind::Year(_) => "year",
            PageKind::Month(..) => "month",
            PageKind::Day(_) => "day",
            PageKind::ArchiveIndex => "archive",
            PageKind::Officials => "officials",
            PageKind::Official(_) => "official",
            PageKind::Departments => "departments",
            PageKind::OrgChart => "org_chart",
            PageKind::Department(_) => "department",
            PageKind::Tags => "tags",
            PageKind::Tag(_) => "tag",
            PageKind::Page(_) => "page",
            PageKind::NotFound => "not_found",
            PageKind::Search => "search",
            PageKind::Redirect { .. } => "redirect",
            PageKind::Feed(_) => "feed",
            PageKind::Sitemap(_) => "sitemap",
            PageKind::Robots => "robots",
        }
    }
}

/// One page of a paginated article listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The articles on this page.
    pub articles: Vec<ArticleId>,
    /// 1-based page number and page count.
    pub number: usize,
    pub total: usize,
    /// Site-relative path of the listing's first page.
    pub base: String,
}

/// One page to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageJob {
    /// Site-relative URL path (`tin-tuc/x/`, `404.html`).
    pub path: String,
    pub kind: PageKind,
    pub listing: Option<Listing>,
}

/// One file to copy into the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyJob {
    pub from: AssetSource,
    /// Site-relative output path.
    pub to: String,
}

/// Everything a build writes.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub pages: Vec<PageJob>,
    pub copies: Vec<CopyJob>,
}

impl Plan {
    fn page(&mut self, path: String, kind: PageKind) {
        self.pages.push(PageJob {
            path,
            kind,
            listing: None,
        });
    }

    /// One job per page of a listing of `articles` at `base`. A listing with no articles still
    /// gets its first page.
    fn listing(&mut self, base: String, kind: PageKind, articles: &[ArticleId], per_page: usize) {
        let total = articles.len().div_ceil(per_page).max(1);
        for n in 1..=total {
            let start = (n - 1) * per_page;
            let end = (start + per_page).min(articles.len());
            self.pages.push(PageJob {
                path: urls::paginated(&base, n),
                kind: kind.clone(),
                listing: Some(Listing {
                    articles: articles[start..end].to_vec(),
                    number: n,
                    total,
                    base: base.clone(),
                }),
            });
        }
    }
}

/// Plan every output file of `site`. `statics` are the theme's and site's static files
/// (site-relative path → source), already merged with the site's winning.
pub fn plan(site: &Site, statics: &[(String, AssetSource)]) -> Result<Plan, Vec<Diagnostic>> {
    let mut plan = Plan::default();
    let per_page = site.config.paginate_by.max(1);
    let all: Vec<ArticleId> = (0..site.articles.len()).map(ArticleId).collect();

    plan.listing(urls::home(), PageKind::Home, &all, per_page);
    plan_articles(site, &mut plan);
    plan_dates(site, &mut plan, per_page);
    plan.page(urls::officials(), PageKind::Officials);
    for (i, o) in site.officials.iter().enumerate() {
        plan.listing(
            urls::official(&o.slug),
            PageKind::Official(OfficialId(i)),
            &site.articles_by_official[i],
            per_page,
        );
    }
    plan.page(urls::departments(), PageKind::Departments);
    plan.page(urls::org_chart(), PageKind::OrgChart);
    for (i, d) in site.departments.iter().enumerate() {
        plan.listing(
            urls::department(&d.slug),
            PageKind::Department(DepartmentId(i)),
            &site.articles_by_department[i],
            per_page,
        );
    }
    plan.page(urls::tags(), PageKind::Tags);
    for (i, t) in site.tags.iter().enumerate() {
        plan.listing(
            urls::tag(&t.slug),
            PageKind::Tag(TagId(i)),
            &t.articles,
            per_page,
        );
    }
    for (i, p) in site.pages.iter().enumerate() {
        plan.page(urls::page(&p.slug), PageKind::Page(i));
    }
    plan.page(urls::not_found(), PageKind::NotFound);
    plan.page(urls::search(), PageKind::Search);
    // `/tin-tuc/` holds every article page; readers who trim the URL land on the news list.
    plan.page(
        urls::news_root(),
        PageKind::Redirect {
            target: urls::home(),
        },
    );
    for (to, from) in statics {
        plan.copies.push(CopyJob {
            from: from.clone(),
            to: to.clone(),
        });
    }
    // Feeds, sitemap and robots.txt last: the sitemap lists the pages planned above.
    crate::feeds::plan(site, statics, &mut plan);
    // Processed photos are published from the image cache, with their resized copies.
    crate::images::plan_copies(site, &mut plan.copies);
    check_collisions(site, &plan)?;
    Ok(plan)
}

fn plan_articles(site: &Site, plan: &mut Plan) {
    for (i, a) in site.articles.iter().enumerate() {
        let path = urls::article(&a.slug);
        if let Some(bundle) = &a.bundle {
            for asset in &bundle.assets {
                plan.copies.push(CopyJob {
                    from: AssetSource::File(bundle.dir.join(asset)),
                    to: format!("{path}{}", asset.to_string_lossy().replace('\\', "/")),
                });
            }
        }
        for alias in &a.aliases {
            if let Some(alias) = urls::alias_path(alias) {
                plan.page(
                    alias,
                    PageKind::Redirect {
                        target: path.clone(),
                    },
                );
            }
        }
        plan.page(path, PageKind::Article(ArticleId(i)));
    }
}

fn plan_dates(site: &Site, plan: &mut Plan, per_page: usize) {
    let mut years: Vec<i16> = site.by_day.keys().map(|d| d.year()).collect();
    years.dedup();
    let mut months: Vec<(i16, i8)> = site.by_day.keys().map(|d| (d.year(), d.month())).collect();
    months.dedup();
    plan.page(urls::archive_index(), PageKind::ArchiveIndex);
    for &y in &years {
        let ids = site.articles_between(Date::new(y, 1, 1).unwrap_or_default(), last_day(y, 12));
        plan.listing(urls::year(y), PageKind::Year(y), &ids, per_page);
    }
    for &(y, m) in &months {
        let ids = site.articles_between(Date::new(y, m, 1).unwrap_or_default(), last_day(y, m));
        plan.listing(urls::month(y, m), PageKind::Month(y, m), &ids, per_page);
    }
    for (day, ids) in &site.by_day {
        plan.listing(urls::day(*day), PageKind::Day(*day), ids, per_page);
    }
}

/// The last day of a month.
pub fn last_day(year: i16, month: i8) -> Date {
    Date::new(year, month, 1)
        .map(|d| d.last_of_month())
        .unwrap_or_default()
}

/// Two pages or files at one path: an alias that hides a page, a static file named like a page.
fn check_collisions(site: &Site, plan: &Plan) -> Result<(), Vec<Diagnostic>> {
    // Keyed by the URL's folder form, which names the same file as `urls::output_file` does
    // without making a string per page.
    let mut seen: ahash::AHashMap<&str, &PageJob> =
        ahash::AHashMap::with_capacity(plan.pages.len());
    let mut problems = Vec::new();
    let is_alias = |j: &PageJob| matches!(j.kind, PageKind::Redirect { .. });
    let source = |job: &PageJob| -> PathBuf {
        match &job.kind {
            PageKind::Article(id) => site.article(*id).source.clone(),
            PageKind::Page(i) => site.pages[*i].source.clone(),
            PageKind::Redirect { target } => site
                .articles
                .iter()
                .find(|a| urls::article(&a.slug) == *target)
                .map_or_else(|| PathBuf::from("site.toml"), |a| a.source.clone()),
            _ => PathBuf::from("site.toml"),
        }
    };
    for job in &plan.pages {
        let file = job
            .path
            .strip_suffix("index.html")
            .filter(|folder| folder.is_empty() || folder.ends_with('/'))
            .unwrap_or(&job.path);
        if let Some(first) = seen.insert(file, job) {
            // An alias is what gives way: reported on the article that lists it.
            let (here, there) = if is_alias(first) && !is_alias(job) {
                (first, job)
            } else {
                (job, first)
            };
            let url = format!("/{}", here.path);
            let other = source(there).display().to_string();
            problems.push(Diagnostic::new(
                source(here),
                if is_alias(here) {
                    Problem::AliasTaken { url, other }
                } else {
                    Problem::DuplicateUrl { url, other }
                },
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}
