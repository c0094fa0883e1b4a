//! The **resolve** stage: from parsed documents to one consistent [`Site`].
//!
//! All cross-document knowledge lives here: stable ids, slugs and their uniqueness, references
//! from articles to officials, departments and tags (through [`NameIndex`]), the department
//! tree, grouping by date, previous/next and related articles. Later stages only read the
//! `Site`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::ZonedDateTime;
use jiff::civil::Date;

use crate::config::Config;
use crate::content::meta::{DepartmentContact, PersonContact};
use crate::content::{ArticleMeta, DepartmentMeta, Document, Documents, OfficialMeta, PageMeta};
use crate::error::{Diagnostic, EntityKind, Location, Problem, Text};
use crate::fingerprint::{Digest, Fingerprinter};
use crate::markdown;
use crate::people::{NameIndex, Position};
use crate::urls;
use crate::vietnamese::{self, VietCollator};

macro_rules! id_type {
    ($name:ident) => {
        /// Index of an entity in its `Site` vector.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub usize);
    };
}
id_type!(ArticleId);
id_type!(OfficialId);
id_type!(DepartmentId);
id_type!(TagId);

/// Words of the URL space that bantin's own pages use; a page may not take them.
pub const RESERVED_SLUGS: &[&str] = &[
    "tin-tuc",
    "trang",
    "can-bo",
    "don-vi",
    "chu-de",
    "luu-tru",
    "co-cau-to-chuc",
    "tim-kiem",
    "404",
];

/// How many characters a generated summary keeps.
const SUMMARY_CHARS: usize = 220;
/// How many related articles an article shows.
const RELATED_COUNT: usize = 5;
/// How far (in articles of a shared official/department/tag) related candidates are looked for.
const RELATED_WINDOW: usize = 40;

/// An image with its text alternative. `path` is site-relative (`tin-tuc/x/anh.jpg`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub path: String,
    pub alt: String,
    /// Where the document names it (for messages).
    pub location: Option<Location>,
    /// Its resized copies, once the images stage has made them (see [`crate::images`]).
    pub responsive: Option<Arc<crate::images::Responsive>>,
}

/// An article's bundle folder and the files to copy beside its page.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub dir: PathBuf,
    pub assets: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct Article {
    pub source: PathBuf,
    pub slug: String,
    pub title: String,
    pub date: ZonedDateTime,
    pub day: Date,
    pub updated: Option<ZonedDateTime>,
    pub author: Option<String>,
    /// The department of a byline ("Thanh Sang - Văn phòng HĐND và UBND").
    pub author_department: Option<DepartmentId>,
    pub summary: String,
    pub image: Option<Image>,
    pub html: Arc<str>,
    pub html_digest: Digest,
    /// Digest of the article's file (text and bundle files): with the officials, departments
    /// and configuration, it decides everything resolved here.
    pub source_digest: Digest,
    pub officials: Vec<OfficialId>,
    pub departments: Vec<DepartmentId>,
    pub tags: Vec<TagId>,
    pub draft: bool,
    /// Dated after now, and published anyway (`--future`, the preview): shown as "Hẹn đăng".
    pub scheduled: bool,
    pub aliases: Vec<String>,
    pub bundle: Option<Bundle>,
    /// The images of the text, in the order of their `<img>` tags in `html`.
    pub body_images: Vec<Image>,
    /// Up to five articles sharing officials, departments or tags, best first.
    pub related: Vec<ArticleId>,
}

#[derive(Debug, Clone)]
pub struct Official {
    pub source: PathBuf,
    pub slug: String,
    pub name: String,
    pub photo: Option<Image>,
    pub order: i64,
    pub contact: PersonContact,
    pub positions: Vec<Position<DepartmentId>>,
    pub biography: Arc<str>,
}

impl Official {
    /// The positions held on `date`, in the order written.
    pub fn positions_on(&self, date: Date) -> impl Iterator<Item = &Position<DepartmentId>> {
        self.positions.iter().filter(move |p| p.held_on(date))
    }

    /// Whether every position of the official ended before `date`.
    pub fn is_former(&self, date: Date) -> bool {
        !self.positions.is_empty()
            && self
                .positions
                .iter()
                .all(|p| p.to.is_some_and(|t| t < date))
    }
}

#[derive(Debug, Clone)]
pub struct Department {
    pub source: PathBuf,
    pub slug: String,
    pub name: String,
    pub short_name: Option<String>,
    pub parent: Option<DepartmentId>,
    pub children: Vec<DepartmentId>,
    pub order: i64,
    pub contact: DepartmentContact,
    pub description: Arc<str>,
}

#[derive(Debug, Clone)]
pub struct Tag {
    pub slug: String,
    pub name: String,
    /// Newest first.
    pub articles: Vec<ArticleId>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub source: PathBuf,
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    pub html: Arc<str>,
}

/// What the resolve stage needs besides documents.
#[derive(Debug, Clone)]
pub struct ResolveOptions {
    /// Include drafts.
    pub drafts: bool,
    /// The day "now" is in the site's timezone: decides which positions are current.
    pub today: Date,
    /// Now: articles dated after it are left out unless `future`.
    pub now: jiff::Timestamp,
    /// Include articles dated after `now` (marked as scheduled).
    pub future: bool,
}

/// A whole site, resolved. Articles are sorted newest first and `ArticleId(i)` is `articles[i]`.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub today: Date,
    pub articles: Vec<Article>,
    pub officials: Vec<Official>,
    pub departments: Vec<Department>,
    pub tags: Vec<Tag>,
    pub pages: Vec<Page>,
    /// Articles per official / department, newest first.
    pub articles_by_official: Vec<Vec<ArticleId>>,
    pub articles_by_department: Vec<Vec<ArticleId>>,
    /// Articles per calendar day (site timezone), newest first within a day.
    pub by_day: BTreeMap<Date, Vec<ArticleId>>,
    /// Departments with no parent, in order.
    pub root_departments: Vec<DepartmentId>,
    /// Every image processed by the images stage, by site-relative path (empty until then).
    pub images: crate::images::Published,
    /// When the first scheduled article falls due (its page appears, or loses its mark).
    pub next_due: Option<jiff::Timestamp>,
    /// [`vietnamese::match_key`] of every department's name and short name, to recognise a
    /// department in a name written as free text (an article's `author`).
    pub department_keys: Vec<(String, DepartmentId)>,
}

impl Site {
    /// Until when this site stays what it is, all files unchanged: the first scheduled article
    /// falls due, or the day changes (officials' positions are read as of `today`).
    pub fn valid_until(&self) -> jiff::Timestamp {
        let tomorrow = self
            .today
            .tomorrow()
            .ok()
            .and_then(|d| d.to_zoned_datetime(self.config.timezone.clone()).ok())
            .map_or(jiff::Timestamp::MIN, |z| z.timestamp());
        self.next_due.map_or(tomorrow, |t| t.min(tomorrow))
    }
}

/// Site-relative paths of the static files (site's and theme's) that will be in the output.
pub type StaticFiles = BTreeSet<String>;

/// Collects problems of the whole stage so that all are reported together.
struct Problems(Vec<Diagnostic>);

impl Problems {
    fn push(&mut self, file: &Path, problem: Problem, location: Option<Location>) {
        self.0.push(Diagnostic::new(file, problem).at(location));
    }
}

/// Location of the first line mentioning `needle` in a document's front matter.
fn locate<M>(doc: &Document<M>, needle: &str) -> Option<Location> {
    Location::find(&doc.source.text, doc.front_matter_offset, needle)
}

/// What [`resolve_cached`] keeps between rebuilds: the related articles, which depend only on
/// which officials, departments and tags each article has, in date order.
#[derive(Debug, Default)]
pub struct ResolveCache {
    related: Option<(Digest, Vec<Vec<ArticleId>>)>,
    /// Digest of what articles were resolved against (configuration, officials, departments,
    /// static files), and the articles resolved without problems, by file.
    world: Digest,
    articles: HashMap<PathBuf, (Arc<Document<ArticleMeta>>, Tagged)>,
    /// Articles whose links to other content files were rewritten.
    links: crate::links::LinkCache,
    /// What the last resolve found worth telling but not wrong (see [`ResolveCache::warnings`]).
    warnings: Vec<Diagnostic>,
}

impl ResolveCache {
    /// Things the last resolve noticed that do not stop a build (articles left out because
    /// they are dated after now, links to them), for `bantin check`.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }
}

/// Resolve parsed documents into a [`Site`], or every problem found.
pub fn resolve(
    config: Config,
    docs: Documents,
    static_files: &StaticFiles,
    opts: &ResolveOptions,
) -> Result<Site, Vec<Diagnostic>> {
    resolve_cached(
        config,
        docs,
        static_files,
        opts,
        &mut ResolveCache::default(),
    )
}

/// [`resolve`], reusing what `cache` holds when it still applies.
pub fn resolve_cached(
    config: Config,
    docs: Documents,
    static_files: &StaticFiles,
    opts: &ResolveOptions,
    cache: &mut ResolveCache,
) -> Result<Site, Vec<Diagnostic>> {
    let mut problems = Problems(Vec::new());
    let collator = VietCollator::new();

    let (mut departments, dept_index) = resolve_departments(&docs.departments, &mut problems);
    let (mut officials, official_index) = resolve_officials(
        &docs.officials,
        &departments,
        &dept_index,
        static_files,
        &config,
        &mut problems,
    );
    let mut pages = resolve_pages(&docs.pages, opts, &mut problems);
    // What every article is resolved against: when it is unchanged, so is an article whose
    // document is the same.
    let mut world = Fingerprinter::new();
    world.str(&format!("{config:?}"));
    for d in &docs.officials {
        world.digest(d.source.digest);
    }
    for d in &docs.departments {
        world.digest(d.source.digest);
    }
    for f in static_files {
        world.str(f);
    }
    let world = world.finish();
    if cache.world != world {
        cache.articles.clear();
        cache.world = world;
    }
    let env = ArticleEnv::new(&docs, &config, &official_index, &dept_index, static_files);
    let mut articles = resolve_articles(&docs, opts, &env, &mut cache.articles, &mut problems);
    // Links between content files get their targets' addresses (see `links`); articles dated
    // after now, checked like the others, are then left out unless `future` (see `schedule`).
    let mut found = crate::links::Findings::default();
    crate::links::Linker::new(&docs, &config, opts.drafts, opts.future, opts.now).rewrite_site(
        &mut articles,
        &mut pages,
        &mut officials,
        &mut departments,
        &mut cache.links,
        &mut found,
    );
    let next_due = crate::schedule::hold_back(&mut articles, &docs, opts, &mut found.warnings);
    problems.0.extend(found.errors);
    cache.warnings = found.warnings;

    // Newest first; ties broken by slug so the order never depends on the file system.
    // Sorted as indexes: moving whole articles around costs more than comparing them.
    let mut order: Vec<usize> = (0..articles.len()).collect();
    order.sort_unstable_by(|i, j| {
        let (a, b) = (&articles[*i].0, &articles[*j].0);
        b.date
            .timestamp()
            .cmp(&a.date.timestamp())
            .then_with(|| a.slug.cmp(&b.slug))
    });
    let mut slots: Vec<Option<Tagged>> = articles.into_iter().map(Some).collect();
    let (articles, tag_names): (Vec<Article>, Vec<Vec<String>>) =
        order.iter().filter_map(|i| slots[*i].take()).unzip();
    let (tags, article_tags) = resolve_tags(&docs, &articles, &tag_names, &collator, &mut problems);
    let mut articles = articles;
    for (article, ids) in articles.iter_mut().zip(article_tags) {
        article.tags = ids;
    }
    check_page_slugs(&pages, &mut problems);

    if !problems.0.is_empty() {
        return Err(problems.0);
    }

    let mut articles_by_official = vec![Vec::new(); officials.len()];
    let mut articles_by_department = vec![Vec::new(); departments.len()];
    let mut by_day: BTreeMap<Date, Vec<ArticleId>> = BTreeMap::new();
    for (i, a) in articles.iter().enumerate() {
        for o in &a.officials {
            articles_by_official[o.0].push(ArticleId(i));
        }
        for d in &a.departments {
            articles_by_department[d.0].push(ArticleId(i));
        }
        by_day.entry(a.day).or_default().push(ArticleId(i));
    }
    let mut links = Fingerprinter::new();
    for a in &articles {
        links.ids(a.tags.iter().map(|t| t.0));
        links.ids(a.officials.iter().map(|o| o.0));
        links.ids(a.departments.iter().map(|d| d.0));
    }
    let links = links.finish();
    let related = match cache.related.take() {
        Some((digest, related)) if digest == links => related,
        _ => related_articles(
            &articles,
            &articles_by_official,
            &articles_by_department,
            &tags,
        ),
    };
    cache.related = Some((links, related.clone()));
    for (a, r) in articles.iter_mut().zip(related) {
        a.related = r;
    }
    let root_departments = departments
        .iter()
        .enumerate()
        .filter(|(_, d)| d.parent.is_none())
        .map(|(i, _)| DepartmentId(i))
        .collect();

    let department_keys = departments
        .iter()
        .enumerate()
        .flat_map(|(i, d)| {
            std::iter::once(&d.name)
                .chain(&d.short_name)
                .map(move |n| (vietnamese::match_key(n), DepartmentId(i)))
        })
        .collect();
    Ok(Site {
        config,
        today: opts.today,
        articles,
        officials,
        departments,
        tags,
        pages,
        articles_by_official,
        articles_by_department,
        by_day,
        root_departments,
        images: Default::default(),
        next_due,
        department_keys,
    })
}

/// Slug of a department or official: its file name, slugified.
fn file_slug<M>(doc: &Document<M>, problems: &mut Problems) -> Option<String> {
    let slug = crate::content::entity_slug(&doc.source.stem);
    if slug.is_empty() {
        problems.push(
            &doc.source.rel_path,
            Problem::EmptySlug {
                text: doc.source.stem.clone(),
            },
            None,
        );
        return None;
    }
    Some(slug)
}

fn resolve_departments(
    docs: &[Document<DepartmentMeta>],
    problems: &mut Problems,
) -> (Vec<Department>, NameIndex<DepartmentId>) {
    let mut index = NameIndex::default();
    let mut departments: Vec<Department> = Vec::new();
    let mut metas = Vec::new();
    let mut sorted: Vec<&Document<DepartmentMeta>> = docs.iter().collect();
    sorted.sort_by(|a, b| {
        (a.meta.order.unwrap_or(i64::MAX), &a.source.stem)
            .cmp(&(b.meta.order.unwrap_or(i64::MAX), &b.source.stem))
    });
    for doc in sorted {
        let Some(slug) = file_slug(doc, problems) else {
            continue;
        };
        let id = DepartmentId(departments.len());
        let names = std::iter::once(&slug)
            .chain(std::iter::once(&doc.meta.name))
            .chain(doc.meta.short_name.iter())
            .chain(doc.meta.aliases.iter());
        for name in names {
            if let Err(other) = index.insert(name, id, &doc.source.rel_path) {
                problems.push(
                    &doc.source.rel_path,
                    Problem::NameCollision {
                        kind: EntityKind::Department,
                        name: name.clone(),
                        other: other.display().to_string(),
                    },
                    locate(doc, name),
                );
            }
        }
        departments.push(Department {
            source: doc.source.rel_path.clone(),
            slug,
            name: doc.meta.name.trim().to_string(),
            short_name: doc.meta.short_name.clone(),
            parent: None,
            children: Vec::new(),
            order: doc.meta.order.unwrap_or(i64::MAX),
            contact: doc.meta.contact.clone(),
            description: doc.body.html.clone(),
        });
        metas.push(doc);
    }
    for (i, doc) in metas.iter().enumerate() {
        let Some(parent) = &doc.meta.parent else {
            continue;
        };
        match index.resolve(parent) {
            Ok(p) if p.0 == i => problems.push(
                &doc.source.rel_path,
                Problem::ParentCycle {
                    chain: departments[i].slug.clone(),
                },
                locate(doc, "parent"),
            ),
            Ok(p) => departments[i].parent = Some(p),
            Err(suggestions) => problems.push(
                &doc.source.rel_path,
                Problem::UnknownReference {
                    kind: EntityKind::Department,
                    name: parent.clone(),
                    suggestions,
                },
                locate(doc, "parent"),
            ),
        }
    }
    // A parent chain that never reaches a root is a cycle.
    for (i, doc) in metas.iter().enumerate() {
        let mut seen = vec![i];
        let mut cur = departments[i].parent;
        while let Some(p) = cur {
            if seen.contains(&p.0) {
                if p.0 == i {
                    let chain: Vec<&str> =
                        seen.iter().map(|s| departments[*s].slug.as_str()).collect();
                    problems.push(
                        &doc.source.rel_path,
                        Problem::ParentCycle {
                            chain: format!("{} → {}", chain.join(" → "), departments[i].slug),
                        },
                        locate(doc, "parent"),
                    );
                }
                break;
            }
            seen.push(p.0);
            cur = departments[p.0].parent;
        }
    }
    for i in 0..departments.len() {
        if let Some(p) = departments[i].parent
            && p.0 != i
        {
            departments[p.0].children.push(DepartmentId(i));
        }
    }
    (departments, index)
}

fn resolve_officials(
    docs: &[Document<OfficialMeta>],
    department_list: &[Department],
    departments: &NameIndex<DepartmentId>,
    static_files: &StaticFiles,
    config: &Config,
    problems: &mut Problems,
) -> (Vec<Official>, NameIndex<OfficialId>) {
    let mut index = NameIndex::default();
    let mut officials = Vec::new();
    // Precedence: the `order` field, then the order of the body of the first position, then the
    // name the Vietnamese way.
    let collator = VietCollator::new();
    let body_order = |doc: &Document<OfficialMeta>| {
        doc.meta
            .positions
            .first()
            .and_then(|p| departments.resolve(&p.department).ok())
            .map_or(i64::MAX, |d| department_list[d.0].order)
    };
    let mut sorted: Vec<&Document<OfficialMeta>> = docs.iter().collect();
    sorted.sort_by(|a, b| {
        (a.meta.order.unwrap_or(i64::MAX), body_order(a))
            .cmp(&(b.meta.order.unwrap_or(i64::MAX), body_order(b)))
            .then_with(|| collator.compare_person_names(&a.meta.name, &b.meta.name))
            .then_with(|| a.source.stem.cmp(&b.source.stem))
    });
    for doc in sorted {
        let Some(slug) = file_slug(doc, problems) else {
            continue;
        };
        let id = OfficialId(officials.len());
        let names = std::iter::once(&slug)
            .chain(std::iter::once(&doc.meta.name))
            .chain(doc.meta.aliases.iter());
        for name in names {
            if let Err(other) = index.insert(name, id, &doc.source.rel_path) {
                problems.push(
                    &doc.source.rel_path,
                    Problem::NameCollision {
                        kind: EntityKind::Official,
                        name: name.clone(),
                        other: other.display().to_string(),
                    },
                    locate(doc, name),
                );
            }
        }
        let mut positions = Vec::new();
        for p in &doc.meta.positions {
            match departments.resolve(&p.department) {
                Ok(department) => positions.push(Position {
                    title: p.title.trim().to_string(),
                    department,
                    from: p.from.map(|d| d.civil_date(&config.timezone)),
                    to: p.to.map(|d| d.civil_date(&config.timezone)),
                }),
                Err(suggestions) => problems.push(
                    &doc.source.rel_path,
                    Problem::UnknownReference {
                        kind: EntityKind::Department,
                        name: p.department.clone(),
                        suggestions,
                    },
                    locate(doc, &p.department),
                ),
            }
        }
        let photo = doc.meta.photo.as_deref().and_then(|photo| {
            let path = photo.trim_start_matches('/').to_string();
            if !static_files.contains(&path) {
                problems.push(
                    &doc.source.rel_path,
                    Problem::MissingFile {
                        path: photo.to_string(),
                    },
                    locate(doc, photo),
                );
                return None;
            }
            Some(Image {
                path,
                alt: format!("Ảnh {}", doc.meta.name.trim()),
                location: locate(doc, photo),
                responsive: None,
            })
        });
        officials.push(Official {
            source: doc.source.rel_path.clone(),
            slug,
            name: doc.meta.name.trim().to_string(),
            photo,
            order: doc.meta.order.unwrap_or(i64::MAX),
            contact: doc.meta.contact.clone(),
            positions,
            biography: doc.body.html.clone(),
        });
    }
    (officials, index)
}

fn resolve_pages(
    docs: &[Document<PageMeta>],
    opts: &ResolveOptions,
    problems: &mut Problems,
) -> Vec<Page> {
    let mut pages = Vec::new();
    for doc in docs {
        if doc.meta.draft && !opts.drafts {
            continue;
        }
        let slug = vietnamese::slugify(doc.meta.slug.as_deref().unwrap_or(&doc.source.stem));
        if slug.is_empty() {
            problems.push(
                &doc.source.rel_path,
                Problem::EmptySlug {
                    text: doc.source.stem.clone(),
                },
                None,
            );
            continue;
        }
        pages.push(Page {
            source: doc.source.rel_path.clone(),
            slug,
            title: doc.meta.title.trim().to_string(),
            description: doc.meta.description.clone(),
            html: doc.body.html.clone(),
        });
    }
    pages.sort_by(|a, b| a.slug.cmp(&b.slug));
    pages
}

fn check_page_slugs(pages: &[Page], problems: &mut Problems) {
    let mut seen: HashMap<&str, &Path> = HashMap::new();
    for p in pages {
        let numeric = p.slug.chars().all(|c| c.is_ascii_digit());
        if RESERVED_SLUGS.contains(&p.slug.as_str()) || numeric {
            problems.push(
                &p.source,
                Problem::ReservedSlug {
                    slug: p.slug.clone(),
                },
                None,
            );
        } else if let Some(other) = seen.insert(&p.slug, &p.source) {
            problems.push(
                &p.source,
                Problem::DuplicateUrl {
                    url: format!("/{}/", p.slug),
                    other: other.display().to_string(),
                },
                None,
            );
        }
    }
}

/// Articles (in file order) with the tag names they gave, to be sorted by the caller. Each
/// article is resolved on its own, in parallel; duplicate slugs are found afterwards, in file
/// order, so the first file keeps its URL.
fn resolve_articles(
    all: &Documents,
    opts: &ResolveOptions,
    env: &ArticleEnv,
    cache: &mut HashMap<PathBuf, (Arc<Document<ArticleMeta>>, Tagged)>,
    problems: &mut Problems,
) -> Vec<(Article, Vec<String>)> {
    use rayon::prelude::*;
    // (article, its problems, its document, whether it was resolved now)
    type Resolved<'d> = (
        Option<Tagged>,
        Problems,
        &'d Arc<Document<ArticleMeta>>,
        bool,
    );
    let resolved: Vec<Resolved> = all
        .articles
        .par_iter()
        .filter(|doc| !doc.meta.draft || opts.drafts)
        .map(|doc| {
            let mut own = Problems(Vec::new());
            let (article, fresh) = match cache.get(&doc.source.rel_path) {
                Some((d, tagged)) if Arc::ptr_eq(d, doc) => (Some(tagged.clone()), false),
                _ => (resolve_article(doc, env, &mut own), true),
            };
            (article, own, doc, fresh)
        })
        .collect();
    // Remember the articles resolved now; those with problems are resolved again next time,
    // so that their problems are reported again.
    for (article, own, doc, fresh) in &resolved {
        match article.as_ref().filter(|_| own.0.is_empty()) {
            Some(a) if *fresh => {
                cache.insert(doc.source.rel_path.clone(), ((*doc).clone(), a.clone()));
            }
            Some(_) => {}
            None => {
                cache.remove(&doc.source.rel_path);
            }
        }
    }
    if cache.len() != resolved.len() {
        let current: std::collections::HashSet<&Path> = resolved
            .iter()
            .map(|r| r.2.source.rel_path.as_path())
            .collect();
        cache.retain(|p, _| current.contains(p.as_path()));
    }
    // The first file at each address keeps it; the others are reported. Found before the
    // articles are taken out of `resolved`, by index, so no address or path is copied.
    let slugs: Vec<std::borrow::Cow<str>> = resolved
        .iter()
        .map(|(article, _, doc, _)| match article {
            Some((a, _)) => a.slug.as_str().into(),
            None => {
                vietnamese::slugify(doc.meta.slug.as_deref().unwrap_or(&doc.source.stem)).into()
            }
        })
        .collect();
    let mut first: ahash::AHashMap<&str, usize> = ahash::AHashMap::with_capacity(slugs.len());
    let mut taken: Vec<(usize, Problem)> = Vec::new();
    for (i, slug) in slugs.iter().enumerate() {
        if slug.is_empty() {
            continue;
        }
        if let Some(&j) = first.get(slug.as_ref()) {
            let problem = Problem::DuplicateUrl {
                url: format!("/tin-tuc/{slug}/"),
                other: resolved[j].2.source.rel_path.display().to_string(),
            };
            taken.push((i, problem));
        } else {
            first.insert(slug, i);
        }
    }
    drop(first);
    drop(slugs);
    let mut taken = taken.into_iter().peekable();
    let mut out = Vec::with_capacity(resolved.len());
    for (i, (article, own, doc, _)) in resolved.into_iter().enumerate() {
        if let Some((_, problem)) = taken.next_if(|(t, _)| *t == i) {
            problems.push(
                &doc.source.rel_path,
                problem,
                doc.meta.slug.as_ref().and_then(|_| locate(doc, "slug")),
            );
            continue;
        }
        problems.0.extend(own.0);
        out.extend(article);
    }
    out
}

/// An article and the tag names its front matter gave.
type Tagged = (Article, Vec<String>);

/// What a mention target stands for.
#[derive(Debug, Clone, Copy)]
enum Mentioned {
    Official(OfficialId),
    Department(DepartmentId),
    Nothing,
}

/// Everything an article is resolved against.
struct ArticleEnv<'a> {
    config: &'a Config,
    officials: &'a NameIndex<OfficialId>,
    departments: &'a NameIndex<DepartmentId>,
    static_files: &'a StaticFiles,
    /// What each mention target is, by index: looked up once rather than once per mention.
    targets: Vec<Mentioned>,
}

impl<'a> ArticleEnv<'a> {
    fn new(
        all: &Documents,
        config: &'a Config,
        officials: &'a NameIndex<OfficialId>,
        departments: &'a NameIndex<DepartmentId>,
        static_files: &'a StaticFiles,
    ) -> ArticleEnv<'a> {
        let targets = all
            .mentions
            .targets()
            .iter()
            .map(|t| match t.kind {
                EntityKind::Official => officials
                    .resolve(&t.slug)
                    .map_or(Mentioned::Nothing, Mentioned::Official),
                EntityKind::Department => departments
                    .resolve(&t.slug)
                    .map_or(Mentioned::Nothing, Mentioned::Department),
            })
            .collect();
        ArticleEnv {
            config,
            officials,
            departments,
            static_files,
            targets,
        }
    }
}

/// One article and the tag names it gave, or `None` when it cannot be published; problems go
/// to `problems`.
fn resolve_article(
    doc: &Document<ArticleMeta>,
    env: &ArticleEnv,
    problems: &mut Problems,
) -> Option<(Article, Vec<String>)> {
    let tz = &env.config.timezone;
    let (officials, departments, static_files) = (env.officials, env.departments, env.static_files);
    let meta = &doc.meta;
    let file = &doc.source.rel_path;
    let slug_source = meta.slug.as_deref().unwrap_or(&doc.source.stem);
    let slug = vietnamese::slugify(slug_source);
    if slug.is_empty() {
        let location = meta.slug.as_ref().and_then(|_| locate(doc, "slug"));
        problems.push(
            file,
            Problem::EmptySlug {
                text: slug_source.to_string(),
            },
            location,
        );
        return None;
    }
    if !meta.title.chars().any(char::is_alphanumeric) {
        // Empty, or only punctuation ("???", "..."): a placeholder left in by mistake.
        let message = if meta.title.trim().is_empty() {
            Text::new(
                "tiêu đề (title) không được để trống",
                "the title cannot be empty",
            )
        } else {
            Text::new(
                format!(
                    "tiêu đề «{}» không có chữ nào: hãy viết tiêu đề thật của bài",
                    meta.title.trim()
                ),
                format!(
                    "the title «{}» has no letters: write the article's real title",
                    meta.title.trim()
                ),
            )
        };
        problems.push(
            file,
            Problem::InvalidValue { message },
            locate(doc, "title"),
        );
    }
    let Some(date) = meta.date.to_zoned(tz) else {
        problems.push(
            file,
            Problem::InvalidValue {
                message: Text::new(
                    "ngày giờ này không tồn tại ở múi giờ của trang (giờ bị bỏ qua khi đổi giờ)",
                    "this date and time does not exist in the site's timezone (skipped by a clock change)",
                ),
            },
            locate(doc, "date"),
        );
        return None;
    };
    let day = date.date();

    let mut official_ids = Vec::new();
    for name in &meta.officials {
        match officials.resolve(name) {
            Ok(id) if !official_ids.contains(&id) => official_ids.push(id),
            Ok(_) => {}
            Err(suggestions) => problems.push(
                file,
                Problem::UnknownReference {
                    kind: EntityKind::Official,
                    name: name.clone(),
                    suggestions,
                },
                locate(doc, name),
            ),
        }
    }
    let mut department_ids = Vec::new();
    for name in &meta.departments {
        match departments.resolve(name) {
            Ok(id) if !department_ids.contains(&id) => department_ids.push(id),
            Ok(_) => {}
            Err(suggestions) => problems.push(
                file,
                Problem::UnknownReference {
                    kind: EntityKind::Department,
                    name: name.clone(),
                    suggestions,
                },
                locate(doc, name),
            ),
        }
    }

    // Names found in the text come after those given in front matter.
    for t in &doc.body.mentions {
        match env.targets[*t] {
            Mentioned::Official(id) if !official_ids.contains(&id) => official_ids.push(id),
            Mentioned::Department(id) if !department_ids.contains(&id) => department_ids.push(id),
            _ => {}
        }
    }
    let byline = doc.body.byline.as_ref();
    let author_department = byline.and_then(|b| match env.targets[b.department] {
        Mentioned::Department(id) => Some(id),
        _ => None,
    });
    if let Some(d) = author_department
        && !department_ids.contains(&d)
    {
        department_ids.push(d);
    }

    let bundle = doc.source.bundle_dir.as_ref().map(|dir| Bundle {
        dir: dir.clone(),
        assets: doc.source.bundle_assets.clone(),
    });
    let article_dir = format!("tin-tuc/{slug}/");
    let find_image = |src: &str| -> Option<String> {
        resolve_image(src, &article_dir, bundle.as_ref(), static_files)
    };
    let image = match (&meta.image, &meta.image_alt) {
        (Some(src), alt) => match find_image(src) {
            Some(path) => {
                let alt = alt.as_deref().unwrap_or("").trim().to_string();
                if alt.is_empty() {
                    problems.push(
                        file,
                        Problem::MissingAlt { path: src.clone() },
                        locate(doc, "image"),
                    );
                }
                Some(Image {
                    path,
                    alt,
                    location: locate(doc, src),
                    responsive: None,
                })
            }
            None => {
                problems.push(
                    file,
                    crate::images::not_found_problem(src),
                    locate(doc, src),
                );
                None
            }
        },
        (None, _) => None,
    };
    // The images of the text, in the order of their `<img>` tags: each must exist and be
    // described.
    let mut body_images = Vec::with_capacity(doc.body.image_refs.len());
    for r in &doc.body.image_refs {
        let location = crate::images::body_location(&doc.source.text, r.line, r.column);
        let found = if is_local(&r.url) {
            find_image(&r.url)
        } else {
            Some(r.url.clone())
        };
        let Some(path) = found else {
            problems.push(file, crate::images::not_found_problem(&r.url), location);
            continue;
        };
        if r.alt.trim().is_empty() {
            problems.push(
                file,
                Problem::MissingImageText {
                    path: r.url.clone(),
                },
                location.clone(),
            );
        }
        body_images.push(Image {
            path,
            alt: r.alt.clone(),
            location,
            responsive: None,
        });
    }
    // Images inside another image's description (shown as text) must exist all the same.
    for src in &doc.body.images {
        if is_local(src)
            && find_image(src).is_none()
            && !doc.body.image_refs.iter().any(|r| r.url == *src)
        {
            problems.push(
                file,
                crate::images::not_found_problem(src),
                Location::find(&doc.source.text, doc.front_matter_offset, src),
            );
        }
    }

    for alias in &meta.aliases {
        if urls::alias_path(alias).is_none() {
            problems.push(
                file,
                Problem::InvalidValue {
                    message: Text::new(
                        format!(
                            "địa chỉ cũ «{alias}» phải là một đường dẫn trong trang, ví dụ \"/tin-tuc/cu/bai-viet.html\""
                        ),
                        format!(
                            "the old address «{alias}» must be a path on this site, e.g. \"/tin-tuc/cu/bai-viet.html\""
                        ),
                    ),
                },
                locate(doc, alias),
            );
        }
    }
    let summary = match &meta.summary {
        Some(s) if !s.trim().is_empty() => s.trim().to_string(),
        _ => markdown::truncate_words(&doc.body.first_paragraph, SUMMARY_CHARS),
    };
    Some((
        Article {
            source: file.clone(),
            slug,
            title: meta.title.trim().to_string(),
            day,
            date,
            updated: meta.updated.and_then(|u| u.to_zoned(tz)),
            author: meta
                .author
                .as_ref()
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .or_else(|| byline.map(|b| b.author.clone())),
            author_department,
            summary,
            image,
            html: doc.body.html.clone(),
            html_digest: doc.body.html_digest,
            source_digest: doc.source.digest,
            officials: official_ids,
            departments: department_ids,
            tags: Vec::new(),
            draft: meta.draft,
            scheduled: false,
            aliases: meta.aliases.clone(),
            bundle,
            body_images,
            related: Vec::new(),
        },
        meta.tags.clone(),
    ))
}

/// Whether an image source refers to a file of the site (not `http:`, `data:`, `//host`).
fn is_local(src: &str) -> bool {
    !(src.contains("://") || src.starts_with("//") || src.starts_with("data:"))
}

/// The site-relative path of an image referenced from an article, if the file exists.
fn resolve_image(
    src: &str,
    article_dir: &str,
    bundle: Option<&Bundle>,
    static_files: &StaticFiles,
) -> Option<String> {
    if !is_local(src) {
        return Some(src.to_string());
    }
    if let Some(rest) = src.strip_prefix('/') {
        return static_files.contains(rest).then(|| rest.to_string());
    }
    let rel = src.trim_start_matches("./");
    if rel.split('/').any(|c| c == "..") {
        return None;
    }
    let bundle = bundle?;
    bundle
        .assets
        .iter()
        .any(|a| a.to_string_lossy() == rel)
        .then(|| format!("{article_dir}{rel}"))
}

fn resolve_tags(
    docs: &Documents,
    articles: &[Article],
    tag_names: &[Vec<String>],
    collator: &VietCollator,
    problems: &mut Problems,
) -> (Vec<Tag>, Vec<Vec<TagId>>) {
    // Each distinct spelling is slugified once; the first spelling met (newest article first)
    // names the tag. Tags are numbered as met, then sorted.
    let mut tags: Vec<Tag> = Vec::new();
    let mut by_slug: ahash::AHashMap<String, usize> = ahash::AHashMap::new();
    let mut by_name: ahash::AHashMap<&str, Option<usize>> = ahash::AHashMap::new();
    let mut met: Vec<Vec<usize>> = Vec::with_capacity(articles.len());
    for (i, (article, names)) in articles.iter().zip(tag_names).enumerate() {
        let mut own = Vec::with_capacity(names.len());
        for name in names {
            let tag = *by_name.entry(name.as_str()).or_insert_with(|| {
                let slug = vietnamese::slugify(name);
                (!slug.is_empty()).then(|| {
                    *by_slug.entry(slug).or_insert_with_key(|slug| {
                        tags.push(Tag {
                            slug: slug.clone(),
                            name: name.trim().to_string(),
                            articles: Vec::new(),
                        });
                        tags.len() - 1
                    })
                })
            });
            let Some(tag) = tag else {
                // At the topic in the front matter, after the `tags` key.
                let at = docs
                    .articles
                    .iter()
                    .find(|d| d.source.rel_path == article.source)
                    .and_then(|d| {
                        let text = &d.source.text;
                        let from = d.front_matter_offset.min(text.len());
                        let key = from + text.get(from..)?.find("tags")?;
                        Location::find(text, key, name).or_else(|| locate(d, "tags"))
                    });
                problems.push(
                    &article.source,
                    Problem::EmptyTag { text: name.clone() },
                    at,
                );
                continue;
            };
            let list = &mut tags[tag].articles;
            if list.last() != Some(&ArticleId(i)) {
                list.push(ArticleId(i));
            }
            own.push(tag);
        }
        met.push(own);
    }
    let mut order: Vec<usize> = (0..tags.len()).collect();
    order.sort_by(|a, b| {
        let (a, b) = (&tags[*a], &tags[*b]);
        collator.compare(&a.name, &b.name).then(a.slug.cmp(&b.slug))
    });
    let mut id = vec![TagId(0); tags.len()];
    for (sorted, met) in order.iter().enumerate() {
        id[*met] = TagId(sorted);
    }
    let mut slots: Vec<Option<Tag>> = tags.into_iter().map(Some).collect();
    let tags = order.iter().filter_map(|i| slots[*i].take()).collect();
    let article_tags = met
        .into_iter()
        .map(|own| {
            let mut ids: Vec<TagId> = own.into_iter().map(|t| id[t]).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        })
        .collect();
    (tags, article_tags)
}

/// For each article, up to five others that share officials, departments or tags, best first.
///
/// Candidates come only from a window of nearby articles in each shared list (lists are sorted
/// by date), so the cost stays linear in the number of articles even when one body (UBND)
/// appears in most of them.
fn related_articles(
    articles: &[Article],
    by_official: &[Vec<ArticleId>],
    by_department: &[Vec<ArticleId>],
    tags: &[Tag],
) -> Vec<Vec<ArticleId>> {
    use rayon::prelude::*;
    // Per thread: each candidate's summed weight, indexed by article (zero between articles),
    // and the candidates touched for the current article. No sorting and no hashing: an
    // article has a few hundred hits, from which the best five are kept as they come.
    let scratch = || (vec![0u32; articles.len()], Vec::<usize>::new());
    (0..articles.len())
        .into_par_iter()
        .map_init(scratch, |(weights, touched), i| {
            let a = &articles[i];
            let lists = a
                .tags
                .iter()
                .map(|t| (&tags[t.0].articles, 3))
                .chain(a.officials.iter().map(|o| (&by_official[o.0], 2)))
                .chain(a.departments.iter().map(|d| (&by_department[d.0], 1)));
            for (list, weight) in lists {
                let pos = list.binary_search(&ArticleId(i)).unwrap_or(0);
                let lo = pos.saturating_sub(RELATED_WINDOW / 2);
                let hi = (pos + RELATED_WINDOW / 2 + 1).min(list.len());
                for other in &list[lo..hi] {
                    let j = other.0;
                    if j != i {
                        if weights[j] == 0 {
                            touched.push(j);
                        }
                        weights[j] += weight;
                    }
                }
            }
            // Best first: highest weight, then nearest in date order, then oldest.
            let rank = |j: usize, w: u32| (std::cmp::Reverse(w), j.abs_diff(i), j);
            let mut best: Vec<(std::cmp::Reverse<u32>, usize, usize)> =
                Vec::with_capacity(RELATED_COUNT + 1);
            for j in touched.drain(..) {
                let key = rank(j, std::mem::take(&mut weights[j]));
                if best.len() < RELATED_COUNT || key < best[best.len() - 1] {
                    let at = best.partition_point(|b| *b < key);
                    best.insert(at, key);
                    best.truncate(RELATED_COUNT);
                }
            }
            best.into_iter().map(|(_, _, j)| ArticleId(j)).collect()
        })
        .collect()
}

impl Site {
    pub fn article(&self, id: ArticleId) -> &Article {
        &self.articles[id.0]
    }
    pub fn official(&self, id: OfficialId) -> &Official {
        &self.officials[id.0]
    }
    pub fn department(&self, id: DepartmentId) -> &Department {
        &self.departments[id.0]
    }

    /// Articles of one year, month or day (site timezone), newest first.
    pub fn articles_between(&self, from: Date, to_inclusive: Date) -> Vec<ArticleId> {
        self.by_day
            .range(from..=to_inclusive)
            .rev()
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect()
    }

    /// The main position of an official on `date`: the first one held then.
    pub fn main_position(
        &self,
        official: OfficialId,
        date: Date,
    ) -> Option<&Position<DepartmentId>> {
        self.official(official).positions_on(date).next()
    }
}
