//! How many bytes a reader's phone downloads for a first search, at 1,000 and 10,000 articles.
//!
//! For each size (`BANTIN_BENCH_SIZES`, default `1000,10000`) generates the synthetic ward site
//! of `benches/support/synth.rs`, builds it as `bantin build` does, then replays a few typical
//! queries the way `search.js` runs them (through `bantin::search::Reader`, which follows the
//! same steps) and sums the files a browser with an empty cache fetches: the search page, its
//! stylesheet and script, the manifest, one shard per query word and block, and the files of
//! the ten results shown. Sizes are given raw and gzip-compressed (level 6, what static hosts
//! commonly serve). Also prints the whole index's size and the time the search stage took.
//!
//! Run: `cargo bench --bench search_size` (everything is written under a temporary folder).

#[path = "support/synth.rs"]
#[allow(dead_code)] // the timing helpers are for the other benchmarks
mod synth;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use bantin::output;
use bantin::pipeline::{self, BuildOptions};
use bantin::search::Reader;

const QUERIES: &[&str] = &[
    "hội nghị tổng kết",
    "hoi nghi tong ket",
    "dang uy",
    "cải cách hành chính",
    "chuyen doi so",
    "vệ sinh môi trường",
    "Đinh Văn Lợi",
    "thiên tai",
];

/// Files shown after the results: the ten first.
const SHOWN: usize = 10;

fn gzip_len(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    e.write_all(bytes).expect("in memory");
    e.finish().expect("in memory").len()
}

fn kb(n: usize) -> String {
    format!("{:.1} KB", n as f64 / 1024.0)
}

/// Raw and gzip size of the file at `rel` (relative to the output).
fn sizes(out: &Path, rel: &str) -> (usize, usize) {
    let bytes = std::fs::read(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    (bytes.len(), gzip_len(&bytes))
}

fn rel_of(url: &str) -> String {
    let path = url.split('?').next().unwrap_or("").trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

fn measure(n: usize) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("site");
    synth::write_site(&root, n, 42, true).expect("write site");
    let out = tmp.path().join("public");
    let opts = BuildOptions {
        root: root.clone(),
        output: Some(out.clone()),
        ..BuildOptions::default()
    };
    let config = pipeline::load_config(&opts).expect("site.toml");
    let started = Instant::now();
    let generated = pipeline::generate(&opts, config).expect("the synthetic site builds");
    let in_memory = started.elapsed();
    output::write_site(&out, &generated.pages, &generated.plan.copies).expect("write");
    println!(
        "\n== {n} articles: built in {:.1} s ({} files); search stage {:.0} ms",
        in_memory.as_secs_f64(),
        generated.pages.len() + generated.plan.copies.len(),
        generated.timings.search.as_secs_f64() * 1e3
    );
    drop(generated);

    // Shards and article files, separately: (raw, gzip, files).
    let mut shards = (0, 0, 0usize);
    let mut articles = (0, 0, 0usize);
    let files = walkdir::WalkDir::new(out.join("tim-kiem"))
        .into_iter()
        .flatten();
    for entry in files.filter(|e| e.file_type().is_file()) {
        let rel = entry
            .path()
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let sum = if rel.starts_with("tim-kiem/chi-muc/") {
            &mut shards
        } else if rel.starts_with("tim-kiem/bai/") {
            &mut articles
        } else {
            continue;
        };
        let (raw, gz) = sizes(&out, &rel);
        *sum = (sum.0 + raw, sum.1 + gz, sum.2 + 1);
    }
    let manifest = sizes(&out, "tim-kiem/chi-muc.json");
    println!(
        "index: {} shards {} raw, {} gzip; {} article files {} raw, {} gzip; manifest {} B",
        shards.2,
        kb(shards.0),
        kb(shards.1),
        articles.2,
        kb(articles.0),
        kb(articles.1),
        manifest.0
    );

    // What every first search loads before the index.
    let page = ["tim-kiem/index.html", "style.css", "search.js"];
    let page_sizes: Vec<(usize, usize)> = page.iter().map(|p| sizes(&out, p)).collect();
    let page_raw: usize = page_sizes.iter().map(|s| s.0).sum();
    let page_gz: usize = page_sizes.iter().map(|s| s.1).sum();
    println!(
        "search page + style.css + search.js: {} raw, {} gzip",
        kb(page_raw),
        kb(page_gz)
    );
    println!(
        "{:<24} {:>7} {:>6} {:>6} {:>11} {:>11} {:>11} {:>11}",
        "query", "results", "shards", "files", "index raw", "index gzip", "total raw", "total gzip"
    );
    let mut worst = (0, 0);
    for q in QUERIES {
        let mut fetched: BTreeSet<String> = BTreeSet::new();
        let base = out.clone();
        let seen = std::cell::RefCell::new(&mut fetched);
        let fetch = |url: &str| {
            let rel = rel_of(url);
            seen.borrow_mut().insert(rel.clone());
            std::fs::read(base.join(rel)).ok()
        };
        let mut r = Reader::open(fetch, "/tim-kiem/chi-muc.json").expect("manifest");
        let results = r.search(q).expect("search");
        for h in results.hits.iter().take(SHOWN) {
            r.doc(h.doc).expect("article file");
        }
        drop(r);
        let shards = fetched.iter().filter(|f| f.contains("/chi-muc/")).count();
        let (mut raw, mut gz) = (0, 0);
        for f in &fetched {
            let (a, b) = sizes(&out, f);
            raw += a;
            gz += b;
        }
        let total = (raw + page_raw, gz + page_gz);
        worst = (worst.0.max(total.0), worst.1.max(total.1));
        println!(
            "{:<24} {:>7} {:>6} {:>6} {:>11} {:>11} {:>11} {:>11}",
            q,
            results.hits.len(),
            shards,
            fetched.len(),
            kb(raw),
            kb(gz),
            kb(total.0),
            kb(total.1)
        );
    }
    println!(
        "largest first search at {n} articles: {} raw, {} gzip",
        kb(worst.0),
        kb(worst.1)
    );
}

fn main() {
    let sizes = std::env::var("BANTIN_BENCH_SIZES").unwrap_or_else(|_| "1000,10000".into());
    for n in sizes
        .split(',')
        .filter_map(|s| s.trim().parse::<usize>().ok())
    {
        measure(n);
    }
}
