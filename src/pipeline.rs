//! The build pipeline, end to end: load → parse → resolve → plan → render → write.
//!
//! `build`, and later `watch` and `serve`, all go through [`generate`]; only [`build`] writes.
//! Every problem of every stage that could run is reported together.

use std::collections::HashSet;

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::config::{BaseUrl, Config};
use crate::content::{self, Kind};
use crate::error::{Diagnostic, Problem, sort_diagnostics};
use crate::fingerprint::{Digest, Fingerprinter};
use crate::output::{self, BuildRecord, OutputError, OutputState, Transaction};
use crate::plan::{self, Plan};
use crate::render::{PageSink, PageStamp, RenderedPage, Renderer};
use crate::site::{self, ResolveOptions, Site, StaticFiles};
use crate::theme;
use crate::urls::Urls;

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site folder (holding `site.toml`).
    pub root: PathBuf,
    /// Output folder; default: `output_dir` of site.toml, relative to the root.
    pub output: Option<PathBuf>,
    /// Replaces `base_url` of site.toml (for previews).
    pub base_url: Option<String>,
    /// Include drafts.
    pub drafts: bool,
    /// Replace a non-empty output folder bantin did not create.
    pub force: bool,
    /// The current time (default: now); decides which positions are current.
    pub now: Option<jiff::Timestamp>,
    /// Include articles dated after now (by default they wait for a build after their date).
    pub future: bool,
}

/// What a build produced, for the summary line.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    pub output: PathBuf,
    /// Pages of the site (including feeds and the search index's files).
    pub pages: usize,
    /// Pages rendered (the others were made from the same inputs as the output holds).
    pub rendered: usize,
    /// Files written (new or changed bytes); the others were left untouched.
    pub written: usize,
    /// Files removed (no longer part of the site).
    pub removed: usize,
    /// Nothing a build reads changed since the last build, which left the output folder as it
    /// is: nothing was read, rendered or written.
    pub up_to_date: bool,
    pub articles: usize,
    pub officials: usize,
    pub departments: usize,
    pub elapsed: Duration,
    pub timings: Timings,
}

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{} lỗi trong nội dung của trang", .0.len())]
    Content(Vec<Diagnostic>),
    #[error("--base-url «{0}» phải là địa chỉ đầy đủ, ví dụ http://localhost:8000/")]
    BaseUrl(String),
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// How long each stage of a build took (the write stage is the caller's).
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    pub load: Duration,
    pub parse: Duration,
    pub resolve: Duration,
    /// Resizing photos (only new or changed ones are; see [`crate::images`]).
    pub images: Duration,
    pub plan: Duration,
    pub render: Duration,
    /// Writing the search index's files (in memory).
    pub search: Duration,
    /// Checking the output folder against its saved state, then moving files into place.
    pub write: Duration,
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        write!(
            f,
            "load {:.1} ms, parse {:.1} ms, resolve {:.1} ms, images {:.1} ms, plan {:.1} ms, render {:.1} ms, search {:.1} ms, write {:.1} ms",
            ms(self.load),
            ms(self.parse),
            ms(self.resolve),
            ms(self.images),
            ms(self.plan),
            ms(self.render),
            ms(self.search),
            ms(self.write)
        )
    }
}

/// A generated site, in memory.
pub struct Generated {
    pub timings: Timings,
    pub site: Site,
    pub plan: Plan,
    /// One per page job, in plan order, then the search index's files.
    pub pages: Vec<RenderedPage>,
    /// How many pages were rendered (the others were made from unchanged inputs).
    pub rendered: usize,
}

/// Read the configuration, applying a `--base-url` override.
pub fn load_config(opts: &BuildOptions) -> Result<Config, BuildError> {
    let mut config = Config::load(&opts.root).map_err(BuildError::Content)?;
    if let Some(url) = &opts.base_url {
        config.base_url = BaseUrl::parse(url).ok_or_else(|| BuildError::BaseUrl(url.clone()))?;
    }
    Ok(config)
}

/// The output folder a build of `config` writes to.
pub fn output_dir(opts: &BuildOptions, config: &Config) -> PathBuf {
    let out = opts
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(&config.output_dir));
    output::absolute(&opts.root, &out)
}

/// Run every stage but the write; the pages keep their bytes.
pub fn generate(opts: &BuildOptions, config: Config) -> Result<Generated, Vec<Diagnostic>> {
    let sources = content::load(&opts.root);
    generate_cached(
        opts,
        config,
        sources,
        &mut Caches::default(),
        &|_| None,
        &|_| Ok(()),
    )
}

/// What a [`Session`] keeps in memory between rebuilds, besides the files read.
#[derive(Default)]
pub struct Caches {
    pub parse: content::ParseCache,
    pub resolve: site::ResolveCache,
    /// The template engine, with the digest of the templates and base URL it was made from.
    renderer: Option<(Digest, Renderer)>,
    /// The words of every article and the keys of the search index's files.
    pub search: crate::search::Cache,
    /// Digests of the photos and what they became (see [`crate::images`]).
    pub images: crate::images::ImageCache,
}

/// [`generate`] from already loaded `sources`, reusing what `caches` hold that still applies,
/// and leaving out the bytes of pages whose fingerprint is still `previous(file)`. Every page
/// goes through `sink` as soon as it is made (the write stage takes its bytes there). An
/// error without diagnostics means the sink stopped the build.
pub fn generate_cached(
    opts: &BuildOptions,
    config: Config,
    sources: content::Sources,
    caches: &mut Caches,
    previous: &(dyn Fn(&str) -> Option<PageStamp> + Sync),
    sink: &PageSink,
) -> Result<Generated, Vec<Diagnostic>> {
    let root = &opts.root;
    let mut timings = Timings::default();
    let mut clock = Instant::now();
    let mut lap = |slot: &mut Duration| {
        *slot = clock.elapsed();
        clock = Instant::now();
    };
    let mut problems = Vec::new();
    let assets = match theme::load(root, &config) {
        Ok(a) => Some(a),
        Err(p) => {
            problems.extend(p);
            None
        }
    };
    problems.extend(sources.problems);
    let people_failed = |problems: &[Diagnostic]| {
        problems.iter().any(|d| {
            [Kind::Official, Kind::Department].iter().any(|k| {
                d.file
                    .starts_with(Path::new(content::CONTENT_DIR).join(k.folder()))
            })
        })
    };
    let parse_opts = content::ParseOptions {
        base_path: config.base_url.path(),
        mentions: config.mentions,
        raw_html: config.markdown.raw_html,
    };
    lap(&mut timings.load);
    let (docs, parse_problems) =
        content::parse_all_cached(sources.files, &parse_opts, &mut caches.parse);
    lap(&mut timings.parse);
    problems.extend(parse_problems);
    let statics: StaticFiles = assets
        .as_ref()
        .map(|a| a.statics.iter().map(|(p, _)| p.clone()).collect())
        .unwrap_or_default();
    let now = opts.now.unwrap_or_else(jiff::Timestamp::now);
    let resolve_opts = ResolveOptions {
        drafts: opts.drafts,
        today: now.to_zoned_datetime(config.timezone.clone()).date(),
        now,
        future: opts.future,
    };
    if people_failed(&problems) {
        return Err(finish(problems));
    }
    let site =
        match site::resolve_cached(config, docs, &statics, &resolve_opts, &mut caches.resolve) {
            Ok(site) => site,
            Err(p) => {
                problems.extend(p);
                return Err(finish(problems));
            }
        };
    lap(&mut timings.resolve);
    let Some(assets) = assets else {
        return Err(finish(problems));
    };
    // Photos resized, or taken from the cache, before the plan copies them.
    let mut site = site;
    if let Err(p) = crate::images::process(&mut site, &assets.statics, root, &mut caches.images) {
        problems.extend(p);
        return Err(finish(problems));
    }
    lap(&mut timings.images);
    let urls = Urls::new(&site.config.base_url);
    // The template engine is kept while the templates and the base URL stay the same.
    let mut wanted = Fingerprinter::new();
    wanted.str(&format!("{:?}", site.config.base_url));
    for t in &assets.templates {
        wanted.str(&t.name).str(&t.text);
    }
    let wanted = wanted.finish();
    let renderer = match caches.renderer.take() {
        Some((digest, r)) if digest == wanted => Ok(r),
        _ => Renderer::new(&assets.templates, urls),
    };
    let plan = plan::plan(&site, &assets.statics);
    let (renderer, plan) = match (renderer, plan) {
        (Ok(r), Ok(p)) if problems.is_empty() => (r, p),
        (r, p) => {
            problems.extend(r.err().unwrap_or_default());
            problems.extend(p.err().unwrap_or_default());
            return Err(finish(problems));
        }
    };
    lap(&mut timings.plan);
    let rendered = std::sync::atomic::AtomicUsize::new(0);
    let counted = |page: &mut RenderedPage| {
        if page.bytes.is_some() {
            rendered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        sink(page)
    };
    let pages = renderer.render_changed(&site, &plan.pages, previous, &counted);
    caches.renderer = Some((wanted, renderer));
    let mut pages = match pages {
        Ok(pages) => pages,
        Err(p) if p.is_empty() => return Err(p),
        Err(p) => return Err(finish(p)),
    };
    lap(&mut timings.render);
    // The search index's files come after the plan's pages.
    let mut search = crate::search::render(&site, &mut caches.search, previous);
    search
        .par_iter_mut()
        .try_for_each(counted)
        .map_err(|_| Vec::new())?;
    pages.append(&mut search);
    lap(&mut timings.search);
    Ok(Generated {
        timings,
        site,
        plan,
        pages,
        rendered: rendered.into_inner(),
    })
}

fn finish(mut problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if problems.is_empty() {
        problems.push(Diagnostic::new(
            ".",
            Problem::Read {
                error: "lỗi không rõ nguyên nhân".into(),
            },
        ));
    }
    sort_diagnostics(&mut problems);
    problems.dedup();
    problems
}

/// [`generate_cached`] with `tx` as the write stage: unchanged pages are skipped on what the
/// folder holds, the others staged as they are made. On failure the folder is untouched and
/// its state is given back.
fn generate_through<'a>(
    opts: &BuildOptions,
    config: Config,
    sources: content::Sources,
    caches: &mut Caches,
    tx: Transaction<'a>,
) -> Result<(Generated, Transaction<'a>), Box<(BuildError, OutputState)>> {
    let generated = generate_cached(
        opts,
        config,
        sources,
        caches,
        &|file| tx.state().page(file),
        &|page| tx.page(page),
    );
    match generated {
        Ok(g) => Ok((g, tx)),
        Err(p) if !p.is_empty() => Err(Box::new((BuildError::Content(p), tx.abort()))),
        // The write stage stopped rendering: the commit says why.
        Err(_) => {
            let (report, state) = tx.commit(&[], &[], &HashSet::new());
            let error = report.err().unwrap_or(OutputError::Interrupted);
            Err(Box::new((error.into(), state)))
        }
    }
}

/// Build the site into its output folder. On any error the previous output stays as it was.
pub fn build(opts: &BuildOptions) -> Result<BuildSummary, BuildError> {
    build_until(opts, None)
}

/// What decides the output besides the site's files: this bantin (its sources, theme and
/// dependencies) and the options. The output state saved by a build is trusted only by a build
/// with the same generator.
pub fn generator(opts: &BuildOptions) -> Digest {
    let mut f = Fingerprinter::new();
    f.str(env!("BANTIN_BUILD_ID"))
        .u64(u64::from(opts.drafts))
        .u64(u64::from(opts.future))
        .str(opts.base_url.as_deref().unwrap_or(""));
    f.finish()
}

/// [`build`], giving up as soon as `stop` becomes true, with the output folder untouched
/// (once the folder has started changing, the build completes first).
pub fn build_until(
    opts: &BuildOptions,
    stop: Option<&AtomicBool>,
) -> Result<BuildSummary, BuildError> {
    let started = Instant::now();
    let config = load_config(opts)?;
    let out = output_dir(opts, &config);
    let home = std::env::var_os("HOME").map(PathBuf::from);
    output::validate_output_dir(&opts.root, &out, home.as_deref(), opts.force)?;
    let generator = generator(opts);
    let checking = Instant::now();
    let mut state = OutputState::load(&opts.root, &out, generator);
    // Taken before any file is read: a file saved during the build counts as changed next time.
    let inputs = crate::inputs::digest(&opts.root);
    let now = opts.now.unwrap_or_else(jiff::Timestamp::now);
    if let Some(BuildRecord { counts, .. }) = state.unchanged(&out, inputs, now.as_second()) {
        // Nothing a build reads changed, the site is still current and the folder is as the
        // last build left it: nothing to read, render or write.
        let [pages, articles, officials, departments] = counts;
        return Ok(BuildSummary {
            output: out,
            pages,
            rendered: 0,
            written: 0,
            removed: 0,
            up_to_date: true,
            articles,
            officials,
            departments,
            elapsed: started.elapsed(),
            timings: Timings {
                write: checking.elapsed(),
                ..Timings::default()
            },
        });
    }
    let opts = &BuildOptions {
        now: Some(now),
        ..opts.clone()
    };
    let tx = Transaction::begin(&out, state, stop);
    let checked = checking.elapsed();
    let loading = Instant::now();
    let sources = content::load(&opts.root);
    let loaded = loading.elapsed();
    let (generated, tx) = generate_through(opts, config, sources, &mut Caches::default(), tx)
        .map_err(|failed| failed.0)?;
    let writing = Instant::now();
    let (report, mut state) = tx.commit(&generated.pages, &generated.plan.copies, &HashSet::new());
    let report = report?;
    let site = &generated.site;
    let record = BuildRecord {
        inputs,
        valid_until: site.valid_until().as_second(),
        counts: [
            generated.pages.len(),
            site.articles.len(),
            site.officials.len(),
            site.departments.len(),
        ],
    };
    state.set_record(record);
    // Only speed is lost if the state cannot be saved: the next build compares every file.
    let _ = state.save(&opts.root, &out, generator);
    let mut timings = generated.timings;
    timings.load += loaded;
    timings.write = writing.elapsed() + checked;
    Ok(BuildSummary {
        output: out,
        pages: generated.pages.len(),
        rendered: generated.rendered,
        written: report.written.len(),
        removed: report.removed.len(),
        up_to_date: false,
        articles: generated.site.articles.len(),
        officials: generated.site.officials.len(),
        departments: generated.site.departments.len(),
        elapsed: started.elapsed(),
        timings,
    })
}

/// What one rebuild of a [`Session`] changed.
#[derive(Debug, Clone)]
pub struct RebuildSummary {
    pub timings: Timings,
    pub written: Vec<String>,
    pub removed: Vec<String>,
    pub pages: usize,
    /// Pages rendered (the others were unchanged).
    pub rendered: usize,
    pub articles: usize,
    pub elapsed: Duration,
}

impl RebuildSummary {
    /// Whether only stylesheets changed (a browser can swap them without reloading).
    pub fn css_only(&self) -> bool {
        !self.written.is_empty()
            && self.removed.is_empty()
            && self.written.iter().all(|p| p.ends_with(".css"))
    }
}

/// A build kept alive between rebuilds, for `watch` and `serve`: each rebuild runs the whole
/// pipeline and syncs the output folder in place, touching only the files whose bytes changed.
/// A failed rebuild leaves the output as the last good build left it.
pub struct Session {
    opts: BuildOptions,
    output: PathBuf,
    sources: content::SourceSet,
    caches: Caches,
    /// What the output folder holds, as the last successful rebuild left it.
    state: OutputState,
    generator: Digest,
    /// Whether `state` changed since it was last saved.
    unsaved: bool,
}

impl Session {
    /// A session writing to `output` (already validated by the caller).
    pub fn new(mut opts: BuildOptions, output: PathBuf) -> Session {
        // Absolute and resolved the way the watcher resolves it, so the paths it reports can be
        // matched with the files read.
        opts.root = output::absolute(Path::new("."), &opts.root);
        let generator = generator(&opts);
        // What an earlier build or session left, checked against the folder before the first
        // write: unchanged pages are then neither rendered nor written at start.
        let state = OutputState::load(&opts.root, &output, generator);
        Session {
            opts,
            output,
            sources: content::SourceSet::default(),
            caches: Caches::default(),
            state,
            generator,
            unsaved: false,
        }
    }

    pub fn output(&self) -> &Path {
        &self.output
    }

    /// Rebuild after the files at `paths` (absolute, as the watcher reports them: created,
    /// changed, deleted or renamed, files or folders) changed, and bring the output folder up to
    /// date. The result is the same as [`Session::rebuild`]'s; only the work done differs.
    pub fn rebuild_paths(&mut self, paths: &[PathBuf]) -> Result<RebuildSummary, BuildError> {
        let started = Instant::now();
        self.sources.refresh(&self.opts.root, paths);
        self.caches.images.forget(paths);
        self.run(started, &paths.iter().cloned().collect())
    }

    /// Save what the output folder holds for the next build or session, if it changed since
    /// the last save (call when idle: it is a few megabytes for a large site). Only speed is
    /// lost if it cannot be saved: the next start compares every file.
    pub fn save_state(&mut self) {
        if std::mem::take(&mut self.unsaved) {
            let _ = self
                .state
                .save(&self.opts.root, &self.output, self.generator);
        }
    }

    /// Read every file again, rebuild, and bring the output folder up to date, comparing every
    /// file in it (so files deleted or changed there by hand are put back).
    pub fn rebuild(&mut self) -> Result<RebuildSummary, BuildError> {
        let started = Instant::now();
        self.sources.reload(&self.opts.root);
        self.state.distrust();
        self.run(started, &HashSet::new())
    }

    fn run(
        &mut self,
        started: Instant,
        changed: &HashSet<PathBuf>,
    ) -> Result<RebuildSummary, BuildError> {
        let loaded = started.elapsed();
        let config = load_config(&self.opts)?;
        let state = std::mem::take(&mut self.state);
        let tx = Transaction::begin(&self.output, state, None);
        let (generated, tx) = match generate_through(
            &self.opts,
            config,
            self.sources.sources(),
            &mut self.caches,
            tx,
        ) {
            Ok(done) => done,
            Err(failed) => {
                let (e, state) = *failed;
                self.state = state;
                return Err(e);
            }
        };
        let written = Instant::now();
        let (report, state) = tx.commit(&generated.pages, &generated.plan.copies, changed);
        self.state = state;
        let report = report?;
        self.unsaved |= report.restamped > 0 || !report.removed.is_empty();
        let mut timings = generated.timings;
        timings.load += loaded;
        timings.write = written.elapsed();
        let summary = RebuildSummary {
            timings,
            written: report.written,
            removed: report.removed,
            pages: generated.pages.len(),
            rendered: generated.rendered,
            articles: generated.site.articles.len(),
            elapsed: started.elapsed(),
        };
        // Freeing a whole site's worth of small allocations takes milliseconds the editor
        // would otherwise wait for; the output is already written.
        std::thread::spawn(move || drop(generated));
        Ok(summary)
    }
}
