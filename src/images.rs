//! **Responsive images**: the photos of articles resized at build time, cached by content.
//!
//! Editors drop photos straight from a phone: 5–10 MB, stored sideways with an EXIF tag saying
//! how to turn them, and carrying the place they were taken (GPS) in their metadata. This stage
//! runs between resolve and plan. Every raster image an article uses (its `image`, the images
//! of its text, and every JPEG, PNG or WebP file of its bundle) becomes a few copies
//! ([`WIDTHS`], never wider than the original), right side up, without metadata (the ICC
//! colour profile aside): progressive JPEG (PNG for PNG sources, which are often screenshots of
//! documents) and lossy WebP. The largest copy in the original's own format replaces the
//! original at its address, so links to it keep working and no 10 MB file is published.
//!
//! Results are cached on disk by a digest of the file's bytes (`.bantin-cache/images/`, beside
//! `site.toml`), so a build encodes only new or changed photos, in parallel. Digests are kept
//! by file size and modification time (on disk, and in memory between rebuilds of a session),
//! so an unchanged photo is not even read again. Copies of photos no build has used for
//! [`KEEP_UNUSED`] (replaced or deleted photos) are removed, so the cache does not grow for
//! ever; copies only drafts use survive builds without them that long. SVG, GIF, animations
//! and images on other websites are left as they are.
//!
//! What the stage produces is data: [`Site::images`] (every processed image by site-relative
//! path, for the plan's copy jobs), [`Image::responsive`] (for templates) and article bodies
//! whose `<img>` tags carry `srcset`, `sizes`, `width`, `height` and lazy loading.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;

use crate::error::{Diagnostic, Location, Problem};
use crate::fingerprint::{self, Digest, Fingerprinter};
use crate::plan::{AssetSource, CopyJob};
use crate::site::{Image, Site};
use crate::urls::{self, Urls};

/// The folder, beside `site.toml`, that holds what bantin keeps between builds.
pub const CACHE_DIR: &str = ".bantin-cache";
/// Its sub-folder for processed images.
const IMAGES_DIR: &str = "images";
/// The widths, in pixels, images are published at (never wider than the original).
pub const WIDTHS: [u32; 3] = [480, 960, 1600];
/// A width is left out when it is this close to the largest one: 960 beside 1000 adds nothing.
const CLOSE: f64 = 0.85;
pub const JPEG_QUALITY: u8 = 80;
pub const WEBP_QUALITY: f32 = 75.0;
/// Everything that decides the bytes of the copies; part of every cache key, so a change here
/// makes new copies instead of reusing old ones.
const RECIPE: &str = "bantin images 2: widths 480 960 1600 (0.85); lanczos3; jpeg q80 progressive optimised 4:2:0; png; webp q75; icc kept; small jpeg originals kept when smaller";
/// The `sizes` of images in article text: the width of the text column of the bundled themes
/// (46rem from 60em on, the screen less the margins below).
pub const BODY_SIZES: &str = "(min-width: 60em) 46rem, calc(100vw - 2rem)";
/// Cached copies no build used for this long are removed.
pub const KEEP_UNUSED: Duration = Duration::from_secs(90 * 24 * 3600);
/// A cached entry a build uses is marked as used (its note's modification time set to now)
/// when its mark is older than this: a write per photo a month, not per build.
const MARK_EVERY: Duration = Duration::from_secs(30 * 24 * 3600);
/// Larger images are refused (a 200-megapixel photo needs 600 MB to decode).
const MAX_PIXELS: u64 = 200_000_000;

/// An image file format bantin reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
}

impl Format {
    /// The extension of the copies in this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
        }
    }

    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
        }
    }

    fn parse(name: &str) -> Option<Format> {
        match name {
            "jpg" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            "webp" => Some(Format::Webp),
            _ => None,
        }
    }

    /// The format a file name's extension promises, for the extensions that are processed.
    pub fn of_path(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "jpg" | "jpeg" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            "webp" => Some(Format::Webp),
            _ => None,
        }
    }
}

/// One published copy of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    pub format: Format,
    /// Site-relative output path (`tin-tuc/x/anh-480w.jpg`).
    pub path: String,
    /// The file in the cache.
    pub file: PathBuf,
}

/// What an image of the site became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Responsive {
    /// Digest of the source file's bytes (and of [`RECIPE`]): equal digests, equal copies.
    pub digest: Digest,
    /// Site-relative path of the original, where the largest copy in its format is published.
    pub path: String,
    /// Size of the largest copy, right side up.
    pub width: u32,
    pub height: u32,
    /// JPEG copies (PNG for PNG sources and images with transparency), narrowest first.
    pub fallback: Vec<Variant>,
    /// WebP copies, narrowest first.
    pub webp: Vec<Variant>,
}

impl Responsive {
    /// Every copy, fallback first.
    pub fn variants(&self) -> impl Iterator<Item = &Variant> {
        self.fallback.iter().chain(&self.webp)
    }

    /// `srcset` of `variants`, each URL made by `url` from the variant's site-relative path.
    pub fn srcset(variants: &[Variant], url: impl Fn(&Variant) -> String) -> String {
        let mut out = String::new();
        for v in variants {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(&url(v));
            out.push(' ');
            out.push_str(&v.width.to_string());
            out.push('w');
        }
        out
    }
}

/// Every processed image of a site, by site-relative path of the original.
pub type Published = BTreeMap<String, Arc<Responsive>>;

// ---------------------------------------------------------------------------
// The stage
// ---------------------------------------------------------------------------

/// What the stage keeps between rebuilds of a session.
#[derive(Debug, Default)]
pub struct ImageCache {
    /// Source file → its size and modification time when last read, and the digest of its bytes.
    stamps: HashMap<PathBuf, (FileStamp, Digest)>,
    /// Whether `stamps` was read from (and must be written back to) the cache folder.
    stamps_loaded: bool,
    stamps_dirty: bool,
    /// Files whose stamp was checked during this session and not reported changed since.
    verified: HashSet<PathBuf>,
    /// Whether the caller said which files changed since the last run ([`ImageCache::forget`]):
    /// then the verified files are not even looked at.
    told: bool,
    /// What each digest's bytes became (in the cache folder).
    processed: HashMap<Digest, Arc<Processed>>,
    /// Published copies by site path, while their digest stays the same.
    published: HashMap<String, Arc<Responsive>>,
    /// Rewritten article bodies: digest of the body as parsed → (digest of its images, body, its digest).
    bodies: HashMap<Digest, (Digest, Arc<str>, Digest)>,
    /// Whether the cache folder was swept of old copies (once per build or session).
    swept: bool,
}

/// A file's size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    secs: u64,
    nanos: u32,
}

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(FileStamp {
            len: meta.len(),
            secs: modified.as_secs(),
            nanos: modified.subsec_nanos(),
        })
    }
}

/// What processing some bytes made: the copies, in the cache folder.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Processed {
    /// The size of the largest copy.
    width: u32,
    height: u32,
    /// (width, height, format, file), narrowest first within each format.
    files: Vec<(u32, u32, Format, PathBuf)>,
}

/// An image to process and who uses it.
struct Wanted {
    source: AssetSource,
    /// The format its name promises.
    format: Format,
    /// (article file, where it refers to the image), a few at most: for error messages.
    users: Vec<(PathBuf, Option<Location>)>,
}

/// How many users of one image an error names.
const USERS_NAMED: usize = 3;

/// Whether an image path refers to a file of the site (not `http:`, `data:`, `//host`).
fn is_local(path: &str) -> bool {
    !(path.contains("://") || path.starts_with("//") || path.starts_with("data:"))
}

/// Process every raster image the articles of `site` use, and record the results in `site`:
/// [`Site::images`], [`Image::responsive`], and article bodies with responsive `<img>` tags.
/// `statics` are the theme's and site's static files (as the plan gets them), `root` the site
/// folder (the cache folder is made in it).
pub fn process(
    site: &mut Site,
    statics: &[(String, AssetSource)],
    root: &Path,
    cache: &mut ImageCache,
) -> Result<(), Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let wanted = wanted_images(site, statics, &mut problems);
    if wanted.is_empty() && problems.is_empty() {
        site.images.clear();
        rewrite_bodies(site, cache);
        return Ok(());
    }
    let dir = root.join(CACHE_DIR).join(IMAGES_DIR);
    cache.load_stamps(&dir);

    // Digests of the sources' bytes: from the stamps when the file looks unchanged.
    // Told what changed (a session's rebuild after a watcher's report): the photos checked
    // before and not reported are as they were, without even a `stat`.
    if !std::mem::take(&mut cache.told) {
        cache.verified.clear();
    }
    let (stamps, verified) = (&cache.stamps, &cache.verified);
    type Digested = (Option<(PathBuf, FileStamp)>, Result<Digest, String>);
    let digested: Vec<(&String, Digested)> = wanted
        .par_iter()
        .map(|(path, w)| (path, digest_source(&w.source, stamps, verified)))
        .collect();
    let mut digests: HashMap<&str, Digest> = HashMap::new();
    let mut failed: Vec<(&str, String)> = Vec::new();
    for (path, (stamp, digest)) in digested {
        if let Some((file, stamp)) = stamp
            && let Ok(d) = &digest
        {
            if cache.stamps.get(&file) != Some(&(stamp, *d)) {
                cache.stamps.insert(file.clone(), (stamp, *d));
                cache.stamps_dirty = true;
            }
            cache.verified.insert(file);
        }
        match digest {
            Ok(d) => {
                digests.insert(path, d);
            }
            Err(e) => failed.push((path, e)),
        }
    }

    // Process what neither memory nor the cache folder holds, in parallel.
    let mut missing: Vec<(Digest, &str)> = Vec::new();
    let mut seen = HashSet::new();
    for (path, d) in &digests {
        if !cache.processed.contains_key(d) && seen.insert(*d) {
            missing.push((*d, path));
        }
    }
    missing.sort_unstable();
    if !missing.is_empty()
        && let Err(e) = std::fs::create_dir_all(&dir)
    {
        problems.push(Diagnostic::new(
            CACHE_DIR,
            Problem::Read {
                error: format!(
                    "không tạo được thư mục lưu ảnh đã xử lý {}: {e}",
                    dir.display()
                ),
            },
        ));
        return Err(problems);
    }
    let results: Vec<(Digest, &str, Result<Processed, String>)> = missing
        .par_iter()
        .map(|(d, path)| {
            let w = &wanted[*path];
            let result = load_cached(&dir, *d).map_or_else(
                || {
                    source_bytes(&w.source).and_then(|bytes| {
                        if fingerprint_of(&bytes) != *d {
                            return Err("tệp ảnh vừa bị thay đổi trong lúc đọc".to_string());
                        }
                        process_bytes(&bytes, w.format, &dir, *d)
                    })
                },
                Ok,
            );
            (*d, *path, result)
        })
        .collect();
    for (d, path, result) in results {
        match result {
            Ok(p) => {
                cache.processed.insert(d, Arc::new(p));
            }
            Err(e) => failed.push((path, e)),
        }
    }
    failed.sort();
    for (path, reason) in failed {
        let w = &wanted[path];
        let shown = source_name(&w.source, root).display().to_string();
        report(w, root, &mut problems, || Problem::BadImage {
            path: shown.clone(),
            reason: reason.clone(),
        });
    }
    cache.save_stamps(&dir);
    if !problems.is_empty() {
        return Err(problems);
    }

    // What each path publishes.
    let mut published = Published::new();
    let mut used: HashSet<Digest> = HashSet::new();
    for path in wanted.keys() {
        let Some(d) = digests.get(path.as_str()) else {
            continue;
        };
        let Some(p) = cache.processed.get(d) else {
            continue;
        };
        used.insert(*d);
        let r = match cache.published.get(path) {
            Some(r) if r.digest == *d => r.clone(),
            _ => Arc::new(publish(path, *d, p)),
        };
        published.insert(path.clone(), r);
    }
    // Two photos whose copies would have the same name (`anh.jpg` and `anh.png` both make
    // `anh-480w.webp`; a photo named `anh-480w.jpg` beside `anh.jpg`): never publish one in
    // place of the other.
    let mut owners: HashMap<&str, &str> = HashMap::new();
    for (path, r) in &published {
        for v in r.variants() {
            if let Some(other) = owners.insert(&v.path, path)
                && other != path
            {
                let other = source_name(&wanted[other].source, root)
                    .display()
                    .to_string();
                report(&wanted[path.as_str()], root, &mut problems, || {
                    Problem::ImageNameClash {
                        path: path.rsplit('/').next().unwrap_or(path).to_string(),
                        other: other.clone(),
                    }
                });
            }
        }
    }
    if !problems.is_empty() {
        problems.dedup();
        return Err(problems);
    }
    if !std::mem::replace(&mut cache.swept, true) {
        sweep(&dir, &used, SystemTime::now());
    }
    cache.processed.retain(|d, _| used.contains(d));
    cache.published = published
        .iter()
        .map(|(p, r)| (p.clone(), r.clone()))
        .collect();
    for a in &mut site.articles {
        for img in a.image.iter_mut().chain(a.body_images.iter_mut()) {
            img.responsive = published.get(&img.path).cloned();
        }
    }
    site.images = published;
    rewrite_bodies(site, cache);
    Ok(())
}

/// Report `problem` about the image `w`: in each article that shows it, where it does; in the
/// image's own file when none does (a photo of a bundle that no text shows).
fn report(w: &Wanted, root: &Path, problems: &mut Vec<Diagnostic>, problem: impl Fn() -> Problem) {
    if w.users.is_empty() {
        problems.push(Diagnostic::new(source_name(&w.source, root), problem()));
    }
    for (file, location) in &w.users {
        problems.push(Diagnostic::new(file.clone(), problem()).at(location.clone()));
    }
}

/// Every image to process, by site-relative path, with its source file.
fn wanted_images(
    site: &Site,
    statics: &[(String, AssetSource)],
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Wanted> {
    let mut wanted: BTreeMap<String, Wanted> = BTreeMap::new();
    let mut by_path: Option<HashMap<&str, &AssetSource>> = None;
    for a in &site.articles {
        // Every photo of a bundle, used or not: none is published with its metadata.
        if let Some(b) = &a.bundle {
            let dir = urls::article(&a.slug);
            for asset in &b.assets {
                let rel = asset.to_string_lossy().replace('\\', "/");
                if let Some(format) = Format::of_path(&rel) {
                    wanted.entry(format!("{dir}{rel}")).or_insert(Wanted {
                        source: AssetSource::File(b.dir.join(asset)),
                        format,
                        users: Vec::new(),
                    });
                }
            }
        }
        for img in a.image.iter().chain(&a.body_images) {
            if !is_local(&img.path) {
                continue;
            }
            if is_heic(&img.path) {
                problems.push(
                    Diagnostic::new(
                        a.source.clone(),
                        Problem::BadImage {
                            path: img.path.clone(),
                            reason: "ảnh HEIC/HEIF (định dạng của iPhone) không hiển thị được trên nhiều trình duyệt".into(),
                        },
                    )
                    .at(img.location.clone()),
                );
                continue;
            }
            let Some(format) = Format::of_path(&img.path) else {
                continue;
            };
            let entry = match wanted.get_mut(&img.path) {
                Some(e) => e,
                None => {
                    let statics = by_path.get_or_insert_with(|| {
                        statics.iter().map(|(p, s)| (p.as_str(), s)).collect()
                    });
                    // Not a file of a bundle: a static file (resolve checked it exists).
                    let Some(source) = statics.get(img.path.as_str()) else {
                        continue;
                    };
                    wanted.entry(img.path.clone()).or_insert(Wanted {
                        source: (*source).clone(),
                        format,
                        users: Vec::new(),
                    })
                }
            };
            if entry.users.len() < USERS_NAMED && !entry.users.iter().any(|(f, _)| *f == a.source) {
                entry.users.push((a.source.clone(), img.location.clone()));
            }
        }
    }
    wanted
}

fn is_heic(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, ext)| {
        ext.eq_ignore_ascii_case("heic") || ext.eq_ignore_ascii_case("heif")
    })
}

/// The name of a source file for messages: relative to the site where possible.
fn source_name(source: &AssetSource, root: &Path) -> PathBuf {
    match source {
        AssetSource::File(p) => p.strip_prefix(root).unwrap_or(p).to_path_buf(),
        AssetSource::Embedded(_) => PathBuf::from("(giao diện mặc định)"),
    }
}

fn fingerprint_of(bytes: &[u8]) -> Digest {
    Fingerprinter::new()
        .str(RECIPE)
        .digest(fingerprint::of_bytes(bytes))
        .finish()
}

fn source_bytes(source: &AssetSource) -> Result<std::borrow::Cow<'_, [u8]>, String> {
    match source {
        AssetSource::Embedded(b) => Ok(std::borrow::Cow::Borrowed(b)),
        AssetSource::File(p) => std::fs::read(p)
            .map(std::borrow::Cow::Owned)
            .map_err(|e| format!("không đọc được tệp: {e}")),
    }
}

/// The digest of a source, and the stamp to remember it by (for files).
fn digest_source(
    source: &AssetSource,
    stamps: &HashMap<PathBuf, (FileStamp, Digest)>,
    verified: &HashSet<PathBuf>,
) -> (Option<(PathBuf, FileStamp)>, Result<Digest, String>) {
    match source {
        AssetSource::Embedded(b) => (None, Ok(fingerprint_of(b))),
        AssetSource::File(p) => {
            if verified.contains(p)
                && let Some((_, d)) = stamps.get(p)
            {
                return (None, Ok(*d));
            }
            let Some(stamp) = FileStamp::of(p) else {
                return (None, Err("không đọc được tệp".into()));
            };
            if let Some((s, d)) = stamps.get(p)
                && *s == stamp
            {
                return (Some((p.clone(), stamp)), Ok(*d));
            }
            let digest = source_bytes(source).map(|b| fingerprint_of(&b));
            (Some((p.clone(), stamp)), digest)
        }
    }
}

/// The copies of the image at `path` (site-relative) made from `p`.
fn publish(path: &str, digest: Digest, p: &Processed) -> Responsive {
    let (dir, name) = path.rsplit_once('/').map_or(("", path), |(d, n)| (d, n));
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let own = Format::of_path(path);
    let widest = |f: Format| p.files.iter().filter(|x| x.2 == f).map(|x| x.0).max();
    let mut r = Responsive {
        digest,
        path: path.to_string(),
        width: p.width,
        height: p.height,
        fallback: Vec::new(),
        webp: Vec::new(),
    };
    for (width, height, format, file) in &p.files {
        // The largest copy in the original's own format takes the original's place.
        let at_original = own == Some(*format) && widest(*format) == Some(*width);
        let path = if at_original {
            path.to_string()
        } else {
            let sep = if dir.is_empty() { "" } else { "/" };
            format!("{dir}{sep}{stem}-{width}w.{}", format.extension())
        };
        let v = Variant {
            width: *width,
            height: *height,
            format: *format,
            path,
            file: file.clone(),
        };
        match format {
            Format::Webp => r.webp.push(v),
            _ => r.fallback.push(v),
        }
    }
    r
}

/// Point the plan's copy of each processed original at its largest copy, and add the others.
/// Called by the plan stage.
pub fn plan_copies(site: &Site, copies: &mut Vec<CopyJob>) {
    if site.images.is_empty() {
        return;
    }
    let mut placed: HashSet<&str> = HashSet::new();
    for c in copies.iter_mut() {
        if let Some(r) = site.images.get(&c.to)
            && let Some(v) = r.variants().find(|v| v.path == c.to)
        {
            c.from = AssetSource::File(v.file.clone());
            placed.insert(&r.path);
        }
    }
    for r in site.images.values() {
        for v in r.variants() {
            if v.path != r.path || !placed.contains(r.path.as_str()) {
                copies.push(CopyJob {
                    from: AssetSource::File(v.file.clone()),
                    to: v.path.clone(),
                });
            }
        }
    }
}

/// The template fields an image adds to `{url, alt}`: `width`, `height`, `srcset`,
/// `webp_srcset` (none for images that are not processed) and `small` (the narrowest copy's
/// URL, else `url`).
pub fn template_fields(img: &Image, urls: &Urls) -> [(&'static str, tera::Value); 5] {
    use tera::Value;
    let Some(r) = &img.responsive else {
        let url = if is_local(&img.path) {
            urls.link(&img.path)
        } else {
            img.path.clone()
        };
        return [
            ("width", Value::none()),
            ("height", Value::none()),
            ("srcset", Value::none()),
            ("webp_srcset", Value::none()),
            ("small", Value::from(url)),
        ];
    };
    let link = |v: &Variant| urls.link(&v.path);
    let small = r
        .fallback
        .first()
        .map_or_else(|| urls.link(&r.path), |v| urls.link(&v.path));
    [
        ("width", Value::from(r.width)),
        ("height", Value::from(r.height)),
        ("srcset", Value::from(Responsive::srcset(&r.fallback, link))),
        (
            "webp_srcset",
            if r.webp.is_empty() {
                Value::none()
            } else {
                Value::from(Responsive::srcset(&r.webp, link))
            },
        ),
        ("small", Value::from(small)),
    ]
}

// ---------------------------------------------------------------------------
// Article bodies
// ---------------------------------------------------------------------------

/// Give the `<img>` tags of every article body their responsive attributes (memoised).
fn rewrite_bodies(site: &mut Site, cache: &mut ImageCache) {
    let mut kept: HashMap<Digest, (Digest, Arc<str>, Digest)> = HashMap::new();
    for a in &mut site.articles {
        if a.body_images.is_empty() {
            continue;
        }
        // (Not `new()`: its 4 KiB buffer is too much for a few paths, per article.)
        let mut key = Fingerprinter::default();
        for img in &a.body_images {
            key.str(&img.path)
                .digest(img.responsive.as_ref().map_or(0, |r| r.digest));
        }
        let key = key.finish();
        let (html, digest) = match cache.bodies.get(&a.html_digest) {
            Some((k, html, digest)) if *k == key => (html.clone(), *digest),
            _ => {
                let html: Arc<str> = rewrite_body(&a.html, &a.body_images).into();
                let digest = fingerprint::of_bytes(html.as_bytes());
                (html, digest)
            }
        };
        kept.insert(a.html_digest, (key, html.clone(), digest));
        a.html = html;
        a.html_digest = digest;
    }
    cache.bodies = kept;
}

/// The problem with an image address naming no file of the site: [`Problem::PathOutsideSite`]
/// when its path leaves the site folder (a `..` step, a disk path such as `C:\` or `~/`, a
/// `file:` address; never looked up outside, see docs/security.md), else
/// [`Problem::MissingFile`].
pub fn not_found_problem(src: &str) -> Problem {
    let s = src.trim();
    let disk = s.starts_with('~')
        || s.starts_with('\\')
        || s.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("file:"))
        || s.get(1..3).is_some_and(|p| p == ":\\" || p == ":/");
    let leaves = s
        .split(['/', '\\'])
        .any(|c| c == ".." || c == "%2e%2e" || c == "%2E%2E");
    if disk || leaves {
        Problem::PathOutsideSite {
            path: src.to_string(),
        }
    } else {
        Problem::MissingFile {
            path: src.to_string(),
        }
    }
}

/// `html` (comrak's rendering of a body) with its `<img>` tags, which are `images` in order,
/// made lazy, and responsive where the image was processed: `srcset`, `sizes`, `width`,
/// `height`, inside a `<picture>` offering the WebP copies first. An `<img>` whose file name
/// is not the expected image's is only made lazy (never point a tag at the wrong copies).
pub fn rewrite_body(html: &str, images: &[Image]) -> String {
    let mut out = String::with_capacity(html.len() + images.len() * 400);
    let mut rest = html;
    let mut images = images.iter();
    while let Some(start) = rest.find("<img ") {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + len + 1];
        out.push_str(&rest[..start]);
        rest = &rest[start + len + 1..];
        let body = tag
            .strip_suffix(" />")
            .or_else(|| tag.strip_suffix('>'))
            .unwrap_or(tag);
        let src = attribute(tag, "src").unwrap_or_default();
        // The image this tag shows: the next expected one naming the same file, skipping
        // expected ones whose tag did not name their file. A tag naming none of them (an
        // `<img>` written as HTML, with `raw_html = "safe"`) takes none, so the tags after it
        // still meet their own images.
        let responsive = match images.clone().position(|i| same_file_name(src, &i.path)) {
            Some(n) => images.nth(n).and_then(|i| i.responsive.as_ref()),
            None => None,
        }
        .filter(|r| same_file_name(src, &r.path));
        let Some(r) = responsive else {
            out.push_str(body);
            out.push_str(" loading=\"lazy\" decoding=\"async\" />");
            continue;
        };
        // The copies sit beside the original: their URLs are the `src` as written (relative
        // or not, base path included) with the file name replaced.
        let dir = &src[..src.rfind('/').map_or(0, |i| i + 1)];
        let url = |v: &Variant| {
            let name = v.path.rsplit('/').next().unwrap_or(&v.path);
            format!("{dir}{}", escape_url_part(name))
        };
        out.push_str("<picture>");
        if !r.webp.is_empty() {
            out.push_str("<source type=\"image/webp\" srcset=\"");
            out.push_str(&Responsive::srcset(&r.webp, url));
            out.push_str("\" sizes=\"");
            out.push_str(BODY_SIZES);
            out.push_str("\" />");
        }
        out.push_str(body);
        out.push_str(" srcset=\"");
        out.push_str(&Responsive::srcset(&r.fallback, url));
        out.push_str("\" sizes=\"");
        out.push_str(BODY_SIZES);
        out.push_str(&format!(
            "\" width=\"{}\" height=\"{}\" loading=\"lazy\" decoding=\"async\" /></picture>",
            r.width, r.height
        ));
    }
    out.push_str(rest);
    out
}

/// The value of attribute `name` in an HTML tag written by comrak (`name="value"`).
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// Whether a `src` as comrak wrote it (escaped, percent-encoded) names the file of `path`.
fn same_file_name(src: &str, path: &str) -> bool {
    let name = src.rsplit('/').next().unwrap_or(src);
    let name = name
        .replace("&amp;", "&")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"");
    let wanted = path.rsplit('/').next().unwrap_or(path);
    percent_decode(&name) == wanted
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A file name made safe for a URL inside an HTML attribute: non-ASCII and unsafe bytes
/// percent-encoded (as comrak does).
fn escape_url_part(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The location, in a document's `text`, of a position comrak gives in its body (1-based line,
/// 1-based column in bytes): for messages about images of the text.
pub fn body_location(text: &str, line: usize, column: usize) -> Option<Location> {
    let body = crate::content::front_matter::split(text).ok()?.body_offset;
    let mut offset = body;
    for _ in 1..line {
        offset += text.get(offset..)?.find('\n')? + 1;
    }
    Some(Location::from_offset(
        text,
        offset + column.saturating_sub(1),
    ))
}

// ---------------------------------------------------------------------------
// The cache folder
// ---------------------------------------------------------------------------

const STAMPS_FILE: &str = "index.tsv";
const META_FILE: &str = "meta";
const META_HEADER: &str = "bantin-images 1";

fn hex(d: Digest) -> String {
    format!("{d:032x}")
}

impl ImageCache {
    /// Forget what is known of the files at (or under) `paths`, which a watcher reported as
    /// changed: they are read again even if their size and modification time look the same
    /// (a photo swapped by `cp -p`, an unzip, or two saves within the clock's resolution).
    pub fn forget(&mut self, paths: &[PathBuf]) {
        self.told = true;
        if paths.is_empty() || self.stamps.is_empty() {
            return;
        }
        let unchanged = |p: &PathBuf| !paths.iter().any(|changed| p.starts_with(changed));
        self.stamps.retain(|p, _| unchanged(p));
        self.verified.retain(unchanged);
    }

    /// Read the digests remembered by an earlier build (once per session).
    fn load_stamps(&mut self, dir: &Path) {
        if self.stamps_loaded {
            return;
        }
        self.stamps_loaded = true;
        let Ok(text) = std::fs::read_to_string(dir.join(STAMPS_FILE)) else {
            return;
        };
        for line in text.lines() {
            let mut parts = line.splitn(5, '\t');
            let (Some(d), Some(len), Some(secs), Some(nanos), Some(path)) = (
                parts.next(),
                parts.next(),
                parts.next(),
                parts.next(),
                parts.next(),
            ) else {
                continue;
            };
            let (Ok(d), Ok(len), Ok(secs), Ok(nanos)) = (
                u128::from_str_radix(d, 16),
                len.parse(),
                secs.parse(),
                nanos.parse(),
            ) else {
                continue;
            };
            self.stamps
                .entry(PathBuf::from(path))
                .or_insert((FileStamp { len, secs, nanos }, d));
        }
    }

    /// Write the digests back for the next build, when they changed.
    fn save_stamps(&mut self, dir: &Path) {
        if !self.stamps_dirty {
            return;
        }
        let mut lines: Vec<String> = self
            .stamps
            .iter()
            .filter_map(|(p, (s, d))| {
                let p = p.to_str()?;
                (!p.contains(['\t', '\n', '\r']))
                    .then(|| format!("{}\t{}\t{}\t{}\t{p}\n", hex(*d), s.len, s.secs, s.nanos))
            })
            .collect();
        lines.sort();
        if std::fs::create_dir_all(dir).is_ok()
            && write_replacing(&dir.join(STAMPS_FILE), lines.concat().as_bytes()).is_ok()
        {
            self.stamps_dirty = false;
        }
    }
}

/// Mark the entries of `used` in the cache folder `dir` as used at `now`, and remove those no
/// build used for [`KEEP_UNUSED`]. Only speed is at stake: failures are ignored.
fn sweep(dir: &Path, used: &HashSet<Digest>, now: SystemTime) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        // Entries are named by their digest in hex; anything else (the stamps file, a copy
        // being written) is not ours to judge.
        let Some(d) = name
            .to_str()
            .filter(|n| n.len() == 32)
            .and_then(|n| u128::from_str_radix(n, 16).ok())
        else {
            continue;
        };
        let note = entry.path().join(META_FILE);
        let age = std::fs::metadata(&note)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .unwrap_or_default();
        if used.contains(&d) {
            if age > MARK_EVERY
                && let Ok(file) = std::fs::File::options().write(true).open(&note)
            {
                let _ = file.set_modified(now);
            }
        } else if age > KEEP_UNUSED {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Write through a temporary file and a rename, so a reader never sees half a file.
fn write_replacing(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// The copies of digest `d` that an earlier build left in the cache folder, if all are there.
fn load_cached(dir: &Path, d: Digest) -> Option<Processed> {
    let entry = dir.join(hex(d));
    let text = std::fs::read_to_string(entry.join(META_FILE)).ok()?;
    let mut lines = text.lines();
    if lines.next()? != META_HEADER {
        return None;
    }
    let mut size = lines.next()?.split(' ');
    let (width, height) = (size.next()?.parse().ok()?, size.next()?.parse().ok()?);
    let mut files = Vec::new();
    for line in lines {
        let mut parts = line.split(' ');
        let (w, h, f) = (
            parts.next()?.parse().ok()?,
            parts.next()?.parse().ok()?,
            Format::parse(parts.next()?)?,
        );
        let file = entry.join(format!("{w}w.{}", f.extension()));
        if !file.is_file() {
            return None;
        }
        files.push((w, h, f, file));
    }
    (!files.is_empty()).then_some(Processed {
        width,
        height,
        files,
    })
}

/// Decode, turn, resize and encode `bytes` (a file whose name promises `format`), writing the
/// copies into the cache entry of `d` under `dir`.
fn process_bytes(bytes: &[u8], format: Format, dir: &Path, d: Digest) -> Result<Processed, String> {
    // Decoders promise not to crash, not to never panic: a panic is a bad file, not a crash.
    let encoded = std::panic::catch_unwind(|| encode_all(bytes, format))
        .unwrap_or_else(|_| Err("tệp ảnh hỏng (bộ giải mã dừng giữa chừng)".to_string()))?;
    let entry = dir.join(hex(d));
    let tmp = dir.join(format!(
        "{}.tmp{}-{:?}",
        hex(d),
        std::process::id(),
        std::thread::current().id()
    ));
    let write = || -> std::io::Result<Processed> {
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp)?;
        let mut meta = format!("{META_HEADER}\n{} {}\n", encoded.width, encoded.height);
        let mut files = Vec::new();
        for (w, h, f, data) in &encoded.files {
            let name = format!("{w}w.{}", f.extension());
            std::fs::write(tmp.join(&name), data)?;
            meta.push_str(&format!("{w} {h} {}\n", f.extension()));
            files.push((*w, *h, *f, entry.join(&name)));
        }
        std::fs::write(tmp.join(META_FILE), meta)?;
        if let Err(e) = std::fs::rename(&tmp, &entry) {
            // Another build wrote the same entry meanwhile: keep theirs.
            let _ = std::fs::remove_dir_all(&tmp);
            if load_cached(dir, d).is_none() {
                return Err(e);
            }
        }
        Ok(Processed {
            width: encoded.width,
            height: encoded.height,
            files,
        })
    };
    write().map_err(|e| format!("không ghi được ảnh đã xử lý vào {}: {e}", dir.display()))
}

// ---------------------------------------------------------------------------
// Pixels
// ---------------------------------------------------------------------------

/// 8-bit RGB or RGBA pixels.
struct Pixels {
    width: u32,
    height: u32,
    /// 3 (RGB) or 4 (RGBA).
    channels: usize,
    data: Vec<u8>,
}

/// A decoded image and what its metadata says to keep or do.
struct Decoded {
    pixels: Pixels,
    /// EXIF orientation, 1–8.
    orientation: u8,
    icc: Option<Vec<u8>>,
}

/// The encoded copies of one image.
struct Encoded {
    width: u32,
    height: u32,
    files: Vec<(u32, u32, Format, Vec<u8>)>,
}

/// What the first bytes of a file say it is.
fn sniff(bytes: &[u8]) -> Result<Format, String> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(Format::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(Format::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Ok(Format::Webp)
    } else if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && [&b"heic"[..], b"heix", b"mif1", b"msf1", b"heim", b"hevc"].contains(&&bytes[8..12])
    {
        Err("đây là ảnh HEIC (định dạng của iPhone) dù tên tệp ghi khác".into())
    } else if bytes.is_empty() {
        Err("tệp rỗng".into())
    } else {
        Err("tệp không phải ảnh JPEG, PNG hay WebP (có thể bị hỏng, hoặc chỉ được đổi tên)".into())
    }
}

fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let decoded = match sniff(bytes)? {
        Format::Jpeg => decode_jpeg(bytes),
        Format::Png => decode_png(bytes),
        Format::Webp => decode_webp(bytes),
    }?;
    let p = &decoded.pixels;
    if p.width == 0
        || p.height == 0
        || p.data.len() < p.width as usize * p.height as usize * p.channels
    {
        return Err("ảnh không có điểm ảnh nào".into());
    }
    Ok(decoded)
}

fn check_size(width: usize, height: usize) -> Result<(), String> {
    if (width as u64) * (height as u64) > MAX_PIXELS {
        return Err(format!(
            "ảnh quá lớn ({width} × {height} điểm ảnh; tối đa {} triệu điểm ảnh)",
            MAX_PIXELS / 1_000_000
        ));
    }
    Ok(())
}

fn decode_jpeg(bytes: &[u8]) -> Result<Decoded, String> {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;
    let bad = |e: zune_jpeg::errors::DecodeErrors| format!("tệp JPEG hỏng: {e:?}");
    let options = DecoderOptions::new_fast()
        .jpeg_set_out_colorspace(ColorSpace::RGB)
        .set_max_width(1 << 16)
        .set_max_height(1 << 16);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(bad)?;
    let info = decoder
        .info()
        .ok_or("tệp JPEG hỏng: không đọc được kích thước")?;
    check_size(info.width as usize, info.height as usize)?;
    let orientation = decoder.exif().map_or(1, |e| exif_orientation(e));
    let icc = decoder.icc_profile();
    let data = decoder.decode().map_err(bad)?;
    Ok(Decoded {
        pixels: Pixels {
            width: u32::from(info.width),
            height: u32::from(info.height),
            channels: 3,
            data,
        },
        orientation,
        icc,
    })
}

fn decode_png(bytes: &[u8]) -> Result<Decoded, String> {
    let bad = |e: png::DecodingError| format!("tệp PNG hỏng: {e}");
    let mut decoder = png::Decoder::new_with_limits(
        std::io::Cursor::new(bytes),
        png::Limits {
            bytes: (MAX_PIXELS * 4) as usize,
        },
    );
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(bad)?;
    let info = reader.info();
    check_size(info.width as usize, info.height as usize)?;
    if info.animation_control.is_some() {
        return Err(ANIMATED.into());
    }
    let orientation = info
        .exif_metadata
        .as_ref()
        .map_or(1, |e| exif_orientation(e));
    let icc = info.icc_profile.as_ref().map(|p| p.to_vec());
    let size = reader
        .output_buffer_size()
        .ok_or("tệp PNG hỏng: kích thước không hợp lệ")?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(bad)?;
    let (w, h) = (frame.width as usize, frame.height as usize);
    let stride = frame.line_size;
    // How many bytes a decoded pixel has, and how it is appended as RGB or RGBA.
    type Copy = fn(&[u8], &mut Vec<u8>);
    let (channels, pixel): (usize, Copy) = match frame.color_type {
        png::ColorType::Rgb => (3, |p, out| out.extend_from_slice(&p[..3])),
        png::ColorType::Rgba => (4, |p, out| out.extend_from_slice(&p[..4])),
        png::ColorType::Grayscale => (1, |p, out| out.extend_from_slice(&[p[0], p[0], p[0]])),
        png::ColorType::GrayscaleAlpha => {
            (2, |p, out| out.extend_from_slice(&[p[0], p[0], p[0], p[1]]))
        }
        png::ColorType::Indexed => return Err("tệp PNG dùng bảng màu không đọc được".into()),
    };
    let out_channels = if channels == 2 || channels == 4 { 4 } else { 3 };
    let mut data = Vec::with_capacity(w * h * out_channels);
    for row in buf.chunks(stride).take(h) {
        for p in row.chunks_exact(channels).take(w) {
            pixel(p, &mut data);
        }
    }
    Ok(Decoded {
        pixels: Pixels {
            width: w as u32,
            height: h as u32,
            channels: out_channels,
            data,
        },
        orientation,
        icc,
    })
}

const ANIMATED: &str = "ảnh động";

fn decode_webp(bytes: &[u8]) -> Result<Decoded, String> {
    let bad = |e: image_webp::DecodingError| format!("tệp WebP hỏng: {e}");
    let mut decoder = image_webp::WebPDecoder::new(std::io::Cursor::new(bytes)).map_err(bad)?;
    if decoder.is_animated() {
        return Err(ANIMATED.into());
    }
    let (w, h) = decoder.dimensions();
    check_size(w as usize, h as usize)?;
    let orientation = decoder
        .exif_metadata()
        .ok()
        .flatten()
        .map_or(1, |e| exif_orientation(&e));
    let icc = decoder.icc_profile().ok().flatten();
    let size = decoder
        .output_buffer_size()
        .ok_or("tệp WebP hỏng: kích thước không hợp lệ")?;
    let mut data = vec![0; size];
    decoder.read_image(&mut data).map_err(bad)?;
    Ok(Decoded {
        pixels: Pixels {
            width: w,
            height: h,
            channels: if decoder.has_alpha() { 4 } else { 3 },
            data,
        },
        orientation,
        icc,
    })
}

/// The Orientation tag (0x0112) of EXIF data (with or without its `Exif\0\0` header), 1 when
/// absent or unreadable.
pub fn exif_orientation(exif: &[u8]) -> u8 {
    let d = exif.strip_prefix(b"Exif\0\0").unwrap_or(exif);
    let little = match d.get(..4) {
        Some(b"II*\0") => true,
        Some(b"MM\0*") => false,
        _ => return 1,
    };
    let u16_at = |i: usize| {
        d.get(i..i + 2).map(|b| {
            let b = [b[0], b[1]];
            if little {
                u16::from_le_bytes(b)
            } else {
                u16::from_be_bytes(b)
            }
        })
    };
    let u32_at = |i: usize| {
        d.get(i..i + 4).map(|b| {
            let b = [b[0], b[1], b[2], b[3]];
            if little {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            }
        })
    };
    let Some(ifd) = u32_at(4).map(|o| o as usize) else {
        return 1;
    };
    let Some(count) = u16_at(ifd) else {
        return 1;
    };
    for k in 0..usize::from(count) {
        let entry = ifd + 2 + 12 * k;
        match u16_at(entry) {
            Some(0x0112) => {
                return u16_at(entry + 8)
                    .filter(|v| (1..=8).contains(v))
                    .map_or(1, |v| v as u8);
            }
            Some(_) => {}
            None => return 1,
        }
    }
    1
}

/// Whether any pixel of RGBA data is not fully opaque.
fn has_transparency(p: &Pixels) -> bool {
    p.channels == 4 && p.data.chunks_exact(4).any(|px| px[3] != 255)
}

/// RGBA → RGB, over white where transparent.
fn flatten(p: Pixels) -> Pixels {
    if p.channels == 3 {
        return p;
    }
    let mut data = Vec::with_capacity(p.data.len() / 4 * 3);
    for px in p.data.chunks_exact(4) {
        let a = u16::from(px[3]);
        for c in &px[..3] {
            data.push(((u16::from(*c) * a + 255 * (255 - a) + 127) / 255) as u8);
        }
    }
    Pixels {
        channels: 3,
        data,
        ..p
    }
}

/// Turn pixels the way EXIF `orientation` says, so they are right side up.
fn orient(p: Pixels, orientation: u8) -> Pixels {
    if !(2..=8).contains(&orientation) {
        return p;
    }
    let (w, h, c) = (p.width as usize, p.height as usize, p.channels);
    let (ow, oh) = if orientation >= 5 { (h, w) } else { (w, h) };
    let mut data = vec![0; p.data.len()];
    for y in 0..oh {
        for x in 0..ow {
            let (sx, sy) = match orientation {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                _ => (w - 1 - y, x),
            };
            let (s, o) = ((sy * w + sx) * c, (y * ow + x) * c);
            data[o..o + c].copy_from_slice(&p.data[s..s + c]);
        }
    }
    Pixels {
        width: ow as u32,
        height: oh as u32,
        channels: c,
        data,
    }
}

/// The widths to publish an image `width` pixels wide at, narrowest first.
pub fn widths_for(width: u32) -> Vec<u32> {
    let largest = width.min(WIDTHS[WIDTHS.len() - 1]);
    let mut out: Vec<u32> = WIDTHS
        .iter()
        .copied()
        .filter(|w| f64::from(*w) <= f64::from(largest) * CLOSE)
        .collect();
    out.push(largest);
    out
}

/// Resize `p` to `width` × `height` (Lanczos 3; alpha premultiplied as needed).
fn resize(p: &Pixels, width: u32, height: u32) -> Result<Pixels, String> {
    use fast_image_resize as fr;
    if (width, height) == (p.width, p.height) {
        return Ok(Pixels {
            data: p.data.clone(),
            ..*p
        });
    }
    let kind = if p.channels == 4 {
        fr::PixelType::U8x4
    } else {
        fr::PixelType::U8x3
    };
    let bad = |e: &dyn std::fmt::Display| format!("không thu nhỏ được ảnh: {e}");
    let src = fr::images::ImageRef::new(p.width, p.height, &p.data, kind).map_err(|e| bad(&e))?;
    let mut dst = fr::images::Image::new(width, height, kind);
    let options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    fr::Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|e| bad(&e))?;
    Ok(Pixels {
        width,
        height,
        channels: p.channels,
        data: dst.into_vec(),
    })
}

impl Clone for Pixels {
    fn clone(&self) -> Pixels {
        Pixels {
            data: self.data.clone(),
            ..*self
        }
    }
}

/// Decode `bytes` and encode every copy: fallback format by `named` (the format the file's
/// name promises) and transparency, and WebP.
fn encode_all(bytes: &[u8], named: Format) -> Result<Encoded, String> {
    let Decoded {
        pixels,
        orientation,
        icc,
    } = decode(bytes)?;
    let pixels = if pixels.channels == 4 && !has_transparency(&pixels) {
        flatten(pixels)
    } else {
        pixels
    };
    let fallback = match named {
        Format::Png => Format::Png,
        Format::Webp if pixels.channels == 4 => Format::Png,
        _ => Format::Jpeg,
    };
    let pixels = if fallback == Format::Jpeg {
        flatten(pixels)
    } else {
        pixels
    };
    // Sizes right side up; resizing happens before turning (on far fewer pixels).
    let turned = orientation >= 5;
    let (width, height) = if turned {
        (pixels.height, pixels.width)
    } else {
        (pixels.width, pixels.height)
    };
    let mut files = Vec::new();
    let mut source = pixels;
    let mut largest = (width, height);
    for (i, w) in widths_for(width).into_iter().rev().enumerate() {
        let h = ((u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width))
            .max(1) as u32;
        if i == 0 {
            largest = (w, h);
        }
        let (sw, sh) = if turned { (h, w) } else { (w, h) };
        // Each copy is made from the next larger one: as good, far faster.
        let resized = resize(&source, sw, sh)?;
        let upright = orient(resized.clone(), orientation);
        files.push((w, h, fallback, encode(&upright, fallback, icc.as_deref())?));
        files.push((
            w,
            h,
            Format::Webp,
            encode(&upright, Format::Webp, icc.as_deref())?,
        ));
        source = resized;
    }
    files.reverse();
    files.sort_by_key(|(w, _, f, _)| (*f == Format::Webp, *w));
    // A JPEG already small enough and upright (a photo saved for the web) is published as it
    // was, less its metadata, when that is smaller than a new encoding: no second loss.
    if named == Format::Jpeg
        && orientation <= 1
        && sniff(bytes) == Ok(Format::Jpeg)
        && largest == (width, height)
        && let Some(stripped) = strip_jpeg_metadata(bytes)
        && let Some(copy) = files
            .iter_mut()
            .find(|(w, _, f, _)| *f == Format::Jpeg && *w == width)
        && stripped.len() <= copy.3.len()
    {
        copy.3 = stripped;
    }
    Ok(Encoded {
        width: largest.0,
        height: largest.1,
        files,
    })
}

fn encode(p: &Pixels, format: Format, icc: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let bad = |e: &dyn std::fmt::Display| format!("không mã hóa được ảnh: {e}");
    let mut out = Vec::new();
    match format {
        Format::Jpeg => {
            let mut e = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
            e.set_progressive(true);
            e.set_optimized_huffman_tables(true);
            if let Some(icc) = icc {
                // A profile too large to embed is left out rather than failing the photo.
                let _ = e.add_icc_profile(icc);
            }
            let (w, h) = (
                u16::try_from(p.width).map_err(|e| bad(&e))?,
                u16::try_from(p.height).map_err(|e| bad(&e))?,
            );
            let kind = if p.channels == 4 {
                jpeg_encoder::ColorType::Rgba
            } else {
                jpeg_encoder::ColorType::Rgb
            };
            e.encode(&p.data, w, h, kind).map_err(|e| bad(&e))?;
        }
        Format::Png => {
            let mut e = png::Encoder::new(&mut out, p.width, p.height);
            e.set_color(if p.channels == 4 {
                png::ColorType::Rgba
            } else {
                png::ColorType::Rgb
            });
            e.set_depth(png::BitDepth::Eight);
            e.set_compression(png::Compression::High);
            let mut w = e.write_header().map_err(|e| bad(&e))?;
            w.write_image_data(&p.data).map_err(|e| bad(&e))?;
            w.finish().map_err(|e| bad(&e))?;
        }
        Format::Webp => {
            let layout = if p.channels == 4 {
                webp::PixelLayout::Rgba
            } else {
                webp::PixelLayout::Rgb
            };
            let memory = webp::Encoder::new(&p.data, layout, p.width, p.height)
                .encode_simple(false, WEBP_QUALITY)
                .map_err(|e| bad(&format!("{e:?}")))?;
            out = match icc {
                Some(icc) => webp_with_icc(&memory, icc, p.width, p.height, p.channels == 4),
                None => memory.to_vec(),
            };
        }
    }
    Ok(out)
}

/// A JPEG file without its metadata segments (EXIF, XMP, IPTC, comments), its colour profile
/// and everything needed to decode it kept; `None` if it is not a plain three- or one-component
/// JPEG this can read.
fn strip_jpeg_metadata(bytes: &[u8]) -> Option<Vec<u8>> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut i = 2;
    loop {
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if *bytes.get(i)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(i + 1)?;
        if marker == 0xDA {
            // Start of scan: the compressed image and everything after it, as they are.
            out.extend_from_slice(&bytes[i..]);
            return Some(out);
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            out.extend_from_slice(&bytes[i..i + 2]);
            i += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([*bytes.get(i + 2)?, *bytes.get(i + 3)?]));
        let segment = bytes.get(i..i + 2 + len)?;
        let keep = match marker {
            // JFIF, Adobe (colour transform).
            0xE0 | 0xEE => true,
            0xE2 => segment.get(4..16) == Some(&b"ICC_PROFILE\0"[..]),
            // EXIF, XMP, IPTC, other applications' data, comments.
            0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,
            // Frame headers: only one- and three-component images.
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                if !matches!(segment.get(9), Some(1 | 3)) {
                    return None;
                }
                true
            }
            _ => true,
        };
        if len < 2 {
            return None;
        }
        if keep {
            out.extend_from_slice(segment);
        }
        i += 2 + len;
    }
}

/// A WebP file with an ICC profile added (extended format: `VP8X`, `ICCP`, then the image).
fn webp_with_icc(webp: &[u8], icc: &[u8], width: u32, height: u32, alpha: bool) -> Vec<u8> {
    const ICC_FLAG: u8 = 0x20;
    const ALPHA_FLAG: u8 = 0x10;
    let Ok(icc_len) = u32::try_from(icc.len()) else {
        return webp.to_vec();
    };
    if webp.len() < 20 || &webp[..4] != b"RIFF" || &webp[8..12] != b"WEBP" {
        return webp.to_vec();
    }
    let mut iccp = Vec::with_capacity(icc.len() + 9);
    iccp.extend_from_slice(b"ICCP");
    iccp.extend_from_slice(&icc_len.to_le_bytes());
    iccp.extend_from_slice(icc);
    if icc.len() % 2 == 1 {
        iccp.push(0);
    }
    let mut body = Vec::with_capacity(webp.len() + iccp.len() + 18);
    body.extend_from_slice(b"WEBP");
    if &webp[12..16] == b"VP8X" && webp.len() >= 30 {
        // Already extended (transparency): flag the profile, put it after VP8X.
        let mut vp8x = webp[12..30].to_vec();
        vp8x[8] |= ICC_FLAG;
        body.extend_from_slice(&vp8x);
        body.extend_from_slice(&iccp);
        body.extend_from_slice(&webp[30..]);
    } else {
        body.extend_from_slice(b"VP8X");
        body.extend_from_slice(&10u32.to_le_bytes());
        body.push(ICC_FLAG | if alpha { ALPHA_FLAG } else { 0 });
        body.extend_from_slice(&[0, 0, 0]);
        body.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
        body.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
        body.extend_from_slice(&iccp);
        body.extend_from_slice(&webp[12..]);
    }
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pixels(w: u32, h: u32) -> Pixels {
        // Each pixel holds its own coordinates.
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                data.extend_from_slice(&[x as u8, y as u8, 0]);
            }
        }
        Pixels {
            width: w,
            height: h,
            channels: 3,
            data,
        }
    }

    fn at(p: &Pixels, x: usize, y: usize) -> (u8, u8) {
        let i = (y * p.width as usize + x) * 3;
        (p.data[i], p.data[i + 1])
    }

    #[test]
    fn orientations_put_the_top_left_corner_where_exif_says() {
        // 3 × 2 source; where the source's top-left pixel (0, 0) lands after turning.
        let cases = [
            (1, (3, 2), (0, 0)),
            (2, (3, 2), (2, 0)),
            (3, (3, 2), (2, 1)),
            (4, (3, 2), (0, 1)),
            (5, (2, 3), (0, 0)),
            (6, (2, 3), (1, 0)),
            (7, (2, 3), (1, 2)),
            (8, (2, 3), (0, 2)),
        ];
        for (o, (w, h), (x, y)) in cases {
            let p = orient(pixels(3, 2), o);
            assert_eq!((p.width, p.height), (w, h), "orientation {o}");
            assert_eq!(at(&p, x, y), (0, 0), "orientation {o}");
        }
    }

    #[test]
    fn exif_orientation_is_read_in_both_byte_orders() {
        let le = b"Exif\0\0II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x06\0\0\0\0\0\0\0";
        assert_eq!(exif_orientation(le), 6);
        let be = b"MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x08\0\0\0\0\0\0";
        assert_eq!(exif_orientation(be), 8);
        assert_eq!(exif_orientation(b"garbage"), 1);
        assert_eq!(exif_orientation(b"II*\0\xff\xff\0\0"), 1);
    }

    #[test]
    fn widths_never_upscale_and_skip_near_duplicates() {
        assert_eq!(widths_for(4000), vec![480, 960, 1600]);
        assert_eq!(widths_for(1000), vec![480, 1000]);
        assert_eq!(widths_for(1200), vec![480, 960, 1200]);
        assert_eq!(widths_for(300), vec![300]);
    }

    #[test]
    fn body_images_get_their_copies_beside_the_src_as_written() {
        let r = Arc::new(Responsive {
            digest: 1,
            path: "tin-tuc/x/ảnh đẹp.jpg".into(),
            width: 960,
            height: 720,
            fallback: vec![
                Variant {
                    width: 480,
                    height: 360,
                    format: Format::Jpeg,
                    path: "tin-tuc/x/ảnh đẹp-480w.jpg".into(),
                    file: PathBuf::new(),
                },
                Variant {
                    width: 960,
                    height: 720,
                    format: Format::Jpeg,
                    path: "tin-tuc/x/ảnh đẹp.jpg".into(),
                    file: PathBuf::new(),
                },
            ],
            webp: vec![Variant {
                width: 960,
                height: 720,
                format: Format::Webp,
                path: "tin-tuc/x/ảnh đẹp-960w.webp".into(),
                file: PathBuf::new(),
            }],
        });
        let image = |path: &str, responsive| Image {
            path: path.into(),
            alt: "a".into(),
            location: None,
            responsive,
        };
        let html = "<p><img src=\"%E1%BA%A3nh%20%C4%91%E1%BA%B9p.jpg\" alt=\"a\" /> <img src=\"https://x.vn/b.gif\" alt=\"b\" /></p>";
        let out = rewrite_body(
            html,
            &[
                image("tin-tuc/x/ảnh đẹp.jpg", Some(r.clone())),
                image("https://x.vn/b.gif", None),
            ],
        );
        assert!(out.starts_with("<p><picture><source type=\"image/webp\" srcset=\"%E1%BA%A3nh%20%C4%91%E1%BA%B9p-960w.webp 960w\""), "{out}");
        assert!(out.contains("srcset=\"%E1%BA%A3nh%20%C4%91%E1%BA%B9p-480w.jpg 480w, %E1%BA%A3nh%20%C4%91%E1%BA%B9p.jpg 960w\""), "{out}");
        assert!(
            out.contains(
                "width=\"960\" height=\"720\" loading=\"lazy\" decoding=\"async\" /></picture>"
            ),
            "{out}"
        );
        assert!(out.contains("<img src=\"https://x.vn/b.gif\" alt=\"b\" loading=\"lazy\" decoding=\"async\" /></p>"), "{out}");
        // A tag that does not name the expected file is only made lazy.
        let out = rewrite_body(
            "<img src=\"khac.jpg\" alt=\"a\" />",
            &[image("tin-tuc/x/ảnh đẹp.jpg", Some(r))],
        );
        assert_eq!(
            out,
            "<img src=\"khac.jpg\" alt=\"a\" loading=\"lazy\" decoding=\"async\" />"
        );
    }

    #[test]
    fn icc_profiles_make_an_extended_webp() {
        let simple = b"RIFF\x0c\0\0\0WEBPVP8 \0\0\0\0";
        let out = webp_with_icc(simple, b"abc", 2, 3, false);
        assert_eq!(&out[12..16], b"VP8X");
        assert_eq!(out[20], 0x20);
        assert_eq!(&out[24..30], &[1, 0, 0, 2, 0, 0]);
        assert_eq!(&out[30..34], b"ICCP");
        assert_eq!(
            u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize,
            out.len() - 8
        );
    }
}
