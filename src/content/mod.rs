//! Content: the **load** and **parse** stages.
//!
//! [`load`] walks `content/` and reads every file into a [`Source`]: decoded from UTF-8 (with or
//! without a byte-order mark, CRLF turned into LF) and NFC-normalised, so nothing downstream
//! ever sees another encoding or normal form. Nothing here knows what Markdown is.
//! [`front_matter`] splits a source into its front matter and body; [`meta`] holds the typed,
//! validated front matter of each kind of document; [`parse_all`] turns sources into
//! [`Document`]s in parallel.

pub mod front_matter;
pub mod meta;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::MentionSettings;
use crate::error::{Diagnostic, EntityKind, Location, Problem};
use crate::markdown::{self, MentionScan, Rendered};
use crate::mentions::{MentionIndex, Target};
use crate::{urls, vietnamese};
pub use meta::{ArticleMeta, DateInput, DepartmentMeta, OfficialMeta, PageMeta};

/// The folder under the site root that holds every document.
pub const CONTENT_DIR: &str = "content";

/// What a file under `content/` is, decided by the folder it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Article,
    Official,
    Department,
    Page,
}

impl Kind {
    const ALL: [(Kind, &'static str); 4] = [
        (Kind::Article, "articles"),
        (Kind::Official, "officials"),
        (Kind::Department, "departments"),
        (Kind::Page, "pages"),
    ];

    /// How deep under its folder a document of this kind may be (articles: in any sub-folder).
    fn max_depth(self) -> usize {
        if self == Kind::Article { usize::MAX } else { 1 }
    }

    /// The folder under `content/` that holds documents of this kind.
    pub fn folder(self) -> &'static str {
        Kind::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("", |(_, f)| f)
    }
}

/// One document file, read and decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub kind: Kind,
    /// Path relative to the site root (for messages), NFC-normalised.
    pub rel_path: PathBuf,
    /// The file's name without `.md`, or the bundle folder's name for `index.md`.
    pub stem: String,
    /// For an article bundle (`slug/index.md`): the bundle folder, absolute.
    pub bundle_dir: Option<PathBuf>,
    /// Files beside a bundle's `index.md`, relative to the bundle folder.
    pub bundle_assets: Vec<PathBuf>,
    pub text: String,
    /// Digest of `text` and `bundle_assets`: what the document is made of.
    pub digest: crate::fingerprint::Digest,
}

/// Everything read from `content/`, plus the problems met while reading.
#[derive(Debug, Default)]
pub struct Sources {
    pub files: Vec<Arc<Source>>,
    pub problems: Vec<Diagnostic>,
}

/// Decode a file's bytes: UTF-8 with or without BOM (or UTF-16 with BOM); CRLF → LF; NFC.
/// Anything else is a problem naming the encoding (see [`crate::encoding`]).
pub fn decode(bytes: &[u8]) -> Result<String, Problem> {
    crate::encoding::decode(bytes)
}

/// Read every document under `root/content/`. Problems (unreadable files, wrong encodings) are
/// collected, not fatal, so that one run reports them all.
pub fn load(root: &Path) -> Sources {
    let mut set = SourceSet::default();
    set.reload(root);
    set.sources()
}

/// The documents of a site kept between rebuilds (`watch`, `serve`): after the first load only
/// the files a watcher reports are read again. Files are kept by path, so their order is the
/// order of a sorted walk whatever order changes come in.
#[derive(Debug, Default)]
pub struct SourceSet {
    files: BTreeMap<PathBuf, Result<Arc<Source>, Diagnostic>>,
    /// Problems of the walk itself (unreadable folders).
    walk_problems: Vec<Diagnostic>,
    loaded: bool,
}

impl SourceSet {
    /// Walk `content/` and read every document again.
    pub fn reload(&mut self, root: &Path) {
        let content = root.join(CONTENT_DIR);
        let mut paths: Vec<(Kind, PathBuf)> = Vec::new();
        self.walk_problems.clear();
        if let Some(d) = symlink_problem(root, &content) {
            self.walk_problems.push(d);
            self.loaded = true;
            self.files.clear();
            return;
        }
        for (kind, folder) in Kind::ALL {
            let dir = content.join(folder);
            if let Some(d) = symlink_problem(root, &dir) {
                self.walk_problems.push(d);
                continue;
            }
            if !dir.is_dir() {
                continue;
            }
            let walker = WalkDir::new(&dir)
                .max_depth(kind.max_depth())
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()));
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() && is_markdown(e.path()) => {
                        paths.push((kind, e.into_path()))
                    }
                    // Never followed (walkdir does not): reported, so nothing is silently
                    // missing and nothing outside the site is read.
                    Ok(e) if e.path_is_symlink() => {
                        self.walk_problems.extend(symlink_problem(root, e.path()))
                    }
                    Ok(_) => {}
                    Err(err) => self.walk_problems.push(Diagnostic::new(
                        relative(root, err.path().unwrap_or(&dir)),
                        Problem::Read {
                            error: err.to_string(),
                        },
                    )),
                }
            }
        }
        let read: Vec<(PathBuf, Result<Arc<Source>, Diagnostic>)> = paths
            .into_par_iter()
            .map(|(kind, path)| {
                let source = read_source(root, kind, &path).map(Arc::new);
                (path, source)
            })
            .collect();
        // Keep the old `Arc` of a file whose text did not change: later stages see it as
        // unchanged without comparing texts.
        let mut old = std::mem::take(&mut self.files);
        for (path, new) in read {
            let kept = match (old.remove(&path), new) {
                (Some(Ok(old)), Ok(new)) if *old == *new => Ok(old),
                (_, new) => new,
            };
            self.files.insert(path, kept);
        }
        self.loaded = true;
    }

    /// Bring the set up to date after the files at `paths` (absolute) changed: created, edited,
    /// deleted, or renamed. Reads only those; a folder created or renamed under `content/` (or
    /// the first call) walks everything again.
    pub fn refresh(&mut self, root: &Path, paths: &[PathBuf]) {
        if !self.loaded {
            return self.reload(root);
        }
        let content = root.join(CONTENT_DIR);
        for path in paths {
            // `content/` itself or a folder holding it (moved, replaced, restored from a backup).
            if content.starts_with(path) {
                return self.reload(root);
            }
            let Ok(rel) = path.strip_prefix(&content) else {
                continue;
            };
            let mut components = rel.components().map(|c| c.as_os_str());
            let Some(kind) = components
                .next()
                .and_then(|f| Kind::ALL.iter().find(|(_, name)| f == *name))
                .map(|(k, _)| *k)
            else {
                continue;
            };
            if rel.components().count() == 1 {
                // A whole kind's folder (`content/articles`) appeared, went or was replaced.
                return self.reload(root);
            }
            if rel.components().skip(1).any(|c| is_ignored(c.as_os_str())) {
                continue;
            }
            let depth = rel.components().count() - 1;
            let meta = std::fs::symlink_metadata(path);
            match meta {
                // Symbolic links are walk problems: walk again to report (or forget) them.
                Ok(m) if m.is_dir() || m.is_symlink() => return self.reload(root),
                Ok(m) if m.is_file() && is_markdown(path) && depth <= kind.max_depth() => {
                    let read = read_source(root, kind, path).map(Arc::new);
                    let unchanged = matches!(
                        (self.files.get(path), &read),
                        (Some(Ok(old)), Ok(new)) if **old == **new
                    );
                    if !unchanged {
                        self.files.insert(path.clone(), read);
                    }
                }
                Ok(_) => {}
                Err(_) => {
                    // Gone: the file, or a folder and everything in it.
                    self.files.remove(path);
                    let gone: Vec<PathBuf> = self
                        .files
                        .range(path.clone()..)
                        .take_while(|(p, _)| p.starts_with(path))
                        .map(|(p, _)| p.clone())
                        .collect();
                    for p in gone {
                        self.files.remove(&p);
                    }
                }
            }
            // A file beside a bundle's index.md is one of its assets: read the bundle again.
            if kind == Kind::Article && !is_markdown(path) {
                let bundle_index = path
                    .ancestors()
                    .skip(1)
                    .take_while(|d| d.starts_with(&content) && *d != content.join("articles"))
                    .map(|d| d.join("index.md"))
                    .find(|i| self.files.contains_key(i));
                if let Some(index) = bundle_index {
                    let read = read_source(root, kind, &index).map(Arc::new);
                    self.files.insert(index, read);
                }
            }
        }
    }

    /// The documents read and the problems met, in walk order.
    pub fn sources(&self) -> Sources {
        let mut sources = Sources {
            files: Vec::with_capacity(self.files.len()),
            problems: self.walk_problems.clone(),
        };
        for r in self.files.values() {
            match r {
                Ok(s) => sources.files.push(s.clone()),
                Err(d) => sources.problems.push(d.clone()),
            }
        }
        sources
    }
}

/// The largest document bantin reads, in megabytes. A long article is a few hundred kilobytes;
/// a file this big is a mistake (a picture pasted as text, a wrong file renamed to `.md`), and
/// reading it would make every build and preview slow, so it is refused with a message.
pub const MAX_DOCUMENT_MB: u64 = 5;

fn read_source(root: &Path, kind: Kind, path: &Path) -> Result<Source, Diagnostic> {
    let rel_path = relative(root, path);
    let read_error = |e: std::io::Error| {
        Diagnostic::new(
            &rel_path,
            Problem::Read {
                error: e.to_string(),
            },
        )
    };
    // Opened once; its size (from the open file) is checked before it is read.
    let mut file = std::fs::File::open(path).map_err(read_error)?;
    let len = file.metadata().map_err(read_error)?.len();
    if len > MAX_DOCUMENT_MB * 1024 * 1024 {
        return Err(Diagnostic::new(
            &rel_path,
            Problem::TooLarge {
                megabytes: len.div_ceil(1024 * 1024),
                limit: MAX_DOCUMENT_MB,
            },
        ));
    }
    let mut bytes = Vec::with_capacity(len as usize + 1);
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(read_error)?;
    let text = crate::encoding::decode_file(&bytes, &rel_path)?;
    let file_stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let is_bundle = kind == Kind::Article && file_stem == "index";
    let (stem, bundle_dir, bundle_assets) = if is_bundle {
        let dir = path.parent().unwrap_or(root).to_path_buf();
        let stem = dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let assets = bundle_assets(&dir).map_err(|link| {
            symlink_problem(root, &link).unwrap_or_else(|| {
                Diagnostic::new(
                    relative(root, &link),
                    Problem::Read {
                        error: "liên kết tượng trưng".into(),
                    },
                )
            })
        })?;
        (stem, Some(dir), assets)
    } else {
        (file_stem, None, Vec::new())
    };
    let mut digest = crate::fingerprint::Fingerprinter::new();
    digest.str(&text);
    for a in &bundle_assets {
        digest.str(&a.to_string_lossy());
    }
    Ok(Source {
        kind,
        rel_path,
        stem: vietnamese::nfc(&stem).into_owned(),
        bundle_dir,
        bundle_assets,
        digest: digest.finish(),
        text,
    })
}

/// The non-Markdown files of a bundle folder (images and attachments), relative to it; the
/// path of the first symbolic link met instead, if any (never followed, never copied: it could
/// publish any file of the computer).
fn bundle_assets(dir: &Path) -> Result<Vec<PathBuf>, PathBuf> {
    let mut assets = Vec::new();
    let walker = WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_ignored(e.file_name()));
    for e in walker.filter_map(Result::ok) {
        if e.path_is_symlink() {
            return Err(e.into_path());
        }
        if e.file_type().is_file()
            && !is_markdown(e.path())
            && let Ok(rel) = e.path().strip_prefix(dir)
        {
            assets.push(rel.to_path_buf());
        }
    }
    Ok(assets)
}

/// One problem per symbolic link under `dir` (the site's `static/`): never followed nor copied,
/// and reported rather than silently left out.
pub fn symlinks_under(root: &Path, dir: &Path) -> Vec<Diagnostic> {
    WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_ignored(e.file_name()))
        .filter_map(Result::ok)
        .filter(|e| e.path_is_symlink())
        .filter_map(|e| symlink_problem(root, e.path()))
        .collect()
}

/// The problem with `path` if it is a symbolic link: bantin follows none under `content/`, and
/// says where it points, and whether that is outside the site folder.
fn symlink_problem(root: &Path, path: &Path) -> Option<Diagnostic> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_symlink() {
        return None;
    }
    let target = std::fs::read_link(path)
        .map(|t| t.to_string_lossy().into_owned())
        .unwrap_or_default();
    let inside = match (path.canonicalize(), root.canonicalize()) {
        (Ok(real), Ok(root)) => real.starts_with(root),
        // Pointing nowhere (or the site folder is gone): nothing to read either way.
        _ => true,
    };
    let problem = if inside {
        Problem::Symlink { target }
    } else {
        Problem::SymlinkOutsideSite { target }
    };
    Some(Diagnostic::new(relative(root, path), problem))
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

/// Hidden files, editor swap and backup files are never content.
pub fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.starts_with('~')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name == "4913"
        || name == "Thumbs.db"
}

/// `path` relative to `root` for messages, NFC-normalised (macOS writes NFD names).
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    let rel = path.strip_prefix(root).unwrap_or(path);
    PathBuf::from(vietnamese::nfc(&rel.to_string_lossy()).into_owned())
}

/// A parsed document: its typed front matter and rendered body.
#[derive(Debug, Clone)]
pub struct Document<M> {
    pub source: Arc<Source>,
    pub meta: M,
    pub body: Rendered,
    /// Byte offset of the front matter block in the source text (for locating problems).
    pub front_matter_offset: usize,
}

/// Every parsed document of a site, by kind.
#[derive(Debug)]
pub struct Documents {
    pub articles: Vec<Arc<Document<ArticleMeta>>>,
    pub officials: Vec<Document<OfficialMeta>>,
    pub departments: Vec<Document<DepartmentMeta>>,
    pub pages: Vec<Document<PageMeta>>,
    /// The names of every official and department, as searched for in articles.
    pub mentions: MentionIndex,
}

/// How bodies are rendered.
#[derive(Debug, Clone, Copy)]
pub struct ParseOptions<'a> {
    /// The base path of the site (`/` or `/path/`).
    pub base_path: &'a str,
    pub mentions: MentionSettings,
    /// What happens to HTML written in Markdown (`[markdown] raw_html`).
    pub raw_html: crate::config::RawHtml,
}

/// The slug of an official or department: its file name, slugified.
pub fn entity_slug(stem: &str) -> String {
    vietnamese::slugify(stem)
}

/// Parse every source in parallel: officials, departments and pages first, then articles,
/// scanned for the names of the first two. Returns the documents that parsed and one
/// diagnostic per document that did not.
pub fn parse_all(sources: Vec<Arc<Source>>, opts: &ParseOptions) -> (Documents, Vec<Diagnostic>) {
    parse_all_cached(sources, opts, &mut ParseCache::default())
}

/// Parsed articles kept between rebuilds (`watch`, `serve`): an article whose text did not
/// change is not parsed again, as long as nothing its parse depends on changed (the officials'
/// and departments' files, the base path, the mention settings).
#[derive(Debug, Default)]
pub struct ParseCache {
    /// What every cached parse depends on besides the article's own text.
    depends_on: Option<ParseInputs>,
    articles: std::collections::HashMap<PathBuf, Arc<Document<ArticleMeta>>>,
}

/// Everything an article's parse depends on besides its own text: the base path, the mention
/// settings, and the officials' and departments' files (their names make the mention index).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ParseInputs {
    base_path: String,
    raw_html: crate::config::RawHtml,
    detect: bool,
    link: bool,
    people: Vec<(PathBuf, String)>,
}

/// [`parse_all`], reusing and refreshing `cache`.
pub fn parse_all_cached(
    sources: Vec<Arc<Source>>,
    opts: &ParseOptions,
    cache: &mut ParseCache,
) -> (Documents, Vec<Diagnostic>) {
    let (articles, others): (Vec<Arc<Source>>, Vec<Arc<Source>>) =
        sources.into_iter().partition(|s| s.kind == Kind::Article);
    let mut people: Vec<(PathBuf, String)> = others
        .iter()
        .filter(|s| s.kind != Kind::Page)
        .map(|s| (s.rel_path.clone(), s.text.clone()))
        .collect();
    people.sort();
    let depends_on = Some(ParseInputs {
        base_path: opts.base_path.to_string(),
        raw_html: opts.raw_html,
        detect: opts.mentions.detect,
        link: opts.mentions.link,
        people,
    });
    if cache.depends_on != depends_on {
        cache.articles.clear();
        cache.depends_on = depends_on;
    }
    let mut problems = Vec::new();
    let mut officials = Vec::new();
    let mut departments = Vec::new();
    let mut pages = Vec::new();
    let parsed: Vec<Result<AnyDocument, Diagnostic>> = others
        .into_par_iter()
        .map(|s| {
            Ok(match s.kind {
                Kind::Official => AnyDocument::Official(parse_document_as(s, opts)?),
                Kind::Department => AnyDocument::Department(parse_document_as(s, opts)?),
                _ => AnyDocument::Page(parse_document_as(s, opts)?),
            })
        })
        .collect();
    for p in parsed {
        match p {
            Ok(AnyDocument::Official(d)) => officials.push(d),
            Ok(AnyDocument::Department(d)) => departments.push(d),
            Ok(AnyDocument::Page(d)) => pages.push(d),
            Err(d) => problems.push(d),
        }
    }
    let mentions = mention_index(&officials, &departments);
    let paths: Vec<String> = mentions
        .targets()
        .iter()
        .map(|t| {
            let path = match t.kind {
                EntityKind::Official => urls::official(&t.slug),
                EntityKind::Department => urls::department(&t.slug),
            };
            format!("/{path}")
        })
        .collect();
    let cached = &cache.articles;
    // (document, whether it was parsed now rather than taken from the cache)
    type Parsed = Result<(Arc<Document<ArticleMeta>>, bool), Diagnostic>;
    let parsed: Vec<Parsed> = articles
        .into_par_iter()
        .map(|s| match cached.get(&s.rel_path) {
            Some(doc) if Arc::ptr_eq(&doc.source, &s) || *doc.source == *s => {
                Ok((doc.clone(), false))
            }
            _ => parse_article(s, opts, &mentions, &paths).map(|d| (Arc::new(d), true)),
        })
        .collect();
    let mut docs = Documents {
        articles: Vec::with_capacity(parsed.len()),
        officials,
        departments,
        pages,
        mentions,
    };
    for p in parsed {
        match p {
            Ok((d, fresh)) => {
                if fresh {
                    cache.articles.insert(d.source.rel_path.clone(), d.clone());
                }
                docs.articles.push(d);
            }
            Err(d) => problems.push(d),
        }
    }
    // Forget documents that are gone (deleted, renamed, or failing to parse now).
    if cache.articles.len() != docs.articles.len() {
        let current: std::collections::HashSet<&Path> = docs
            .articles
            .iter()
            .map(|d| d.source.rel_path.as_path())
            .collect();
        cache.articles.retain(|p, _| current.contains(p.as_path()));
    }
    (docs, problems)
}

enum AnyDocument {
    Official(Document<OfficialMeta>),
    Department(Document<DepartmentMeta>),
    Page(Document<PageMeta>),
}

/// One automaton over every official's and department's names.
fn mention_index(
    officials: &[Document<OfficialMeta>],
    departments: &[Document<DepartmentMeta>],
) -> MentionIndex {
    let officials = officials.iter().map(|d| {
        let names = std::iter::once(d.meta.name.as_str())
            .chain(d.meta.aliases.iter().map(String::as_str))
            .collect();
        (
            Target {
                kind: EntityKind::Official,
                slug: entity_slug(&d.source.stem),
            },
            names,
        )
    });
    let departments = departments.iter().map(|d| {
        let names = std::iter::once(d.meta.name.as_str())
            .chain(d.meta.short_name.as_deref())
            .chain(d.meta.aliases.iter().map(String::as_str))
            .collect();
        (
            Target {
                kind: EntityKind::Department,
                slug: entity_slug(&d.source.stem),
            },
            names,
        )
    });
    MentionIndex::build(officials.chain(departments))
}

fn parse_article(
    source: Arc<Source>,
    opts: &ParseOptions,
    mentions: &MentionIndex,
    paths: &[String],
) -> Result<Document<ArticleMeta>, Diagnostic> {
    let (split, meta) = split_and_deserialize::<ArticleMeta>(&source)?;
    let mut exclude = Vec::new();
    for name in &meta.exclude_mentions {
        let slug = vietnamese::slugify(name);
        let target = mentions
            .exact(name)
            .or_else(|| mentions.targets().iter().position(|t| t.slug == slug));
        match target {
            Some(t) => exclude.push(t),
            None => {
                return Err(Diagnostic::new(
                    &source.rel_path,
                    Problem::UnknownReference {
                        kind: EntityKind::Official,
                        name: name.clone(),
                        suggestions: Vec::new(),
                    },
                )
                .at(Location::find(&source.text, split.block_offset, name)));
            }
        }
    }
    let scan = MentionScan {
        index: mentions,
        paths,
        link: opts.mentions.link,
        exclude: &exclude,
        byline: meta.author.is_none(),
    };
    let detect = meta.detect_mentions.unwrap_or(opts.mentions.detect);
    let body = markdown::render_html(
        split.body(&source.text),
        opts.base_path,
        opts.raw_html,
        detect.then_some(&scan),
    );
    let front_matter_offset = split.block_offset;
    Ok(Document {
        source,
        meta,
        body,
        front_matter_offset,
    })
}

fn split_and_deserialize<M: serde::de::DeserializeOwned>(
    source: &Source,
) -> Result<(front_matter::Split, M), Diagnostic> {
    let split = front_matter::split(&source.text)
        .map_err(|(p, loc)| Diagnostic::new(&source.rel_path, p).at(loc))?;
    let meta: M = split
        .deserialize(&source.text)
        .map_err(|(p, loc)| Diagnostic::new(&source.rel_path, p).at(loc))?;
    Ok((split, meta))
}

/// Split, deserialise and render one document (no mention scanning; raw HTML escaped).
pub fn parse_document<M: serde::de::DeserializeOwned>(
    source: Arc<Source>,
    base_path: &str,
) -> Result<Document<M>, Diagnostic> {
    let opts = ParseOptions {
        base_path,
        mentions: MentionSettings::default(),
        raw_html: crate::config::RawHtml::Escape,
    };
    parse_document_as(source, &opts)
}

/// Split, deserialise and render one document as `opts` say (no mention scanning).
fn parse_document_as<M: serde::de::DeserializeOwned>(
    source: Arc<Source>,
    opts: &ParseOptions,
) -> Result<Document<M>, Diagnostic> {
    let (split, meta) = split_and_deserialize::<M>(&source)?;
    let body = markdown::render_html(
        split.body(&source.text),
        opts.base_path,
        opts.raw_html,
        None,
    );
    let front_matter_offset = split.block_offset;
    Ok(Document {
        source,
        meta,
        body,
        front_matter_offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_and_hidden_files_are_ignored() {
        for name in [
            ".#a.md",
            "a.md~",
            "a.md.swp",
            "4913",
            ".DS_Store",
            "a.md.bak",
        ] {
            assert!(is_ignored(std::ffi::OsStr::new(name)), "{name}");
        }
        assert!(!is_ignored(std::ffi::OsStr::new("hoi-nghi.md")));
    }
}
