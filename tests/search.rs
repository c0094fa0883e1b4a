//! The search index, read the way a reader's browser reads it (`bantin::search::Reader` follows
//! the algorithm of `search.js`; `tests/search_browser.rs` runs the real script in Chromium).
//!
//! The index of the example site is checked against the built pages themselves: every word of
//! every article page (read with an HTML parser) finds that article; titles, URLs and dates of
//! the search files match the pages; queries with or without diacritics, in any case and with
//! either tone placement find the same articles, exact diacritics first, titles before bodies,
//! newer before older. Also: the shared text-rule vectors, the search page and the header box,
//! the base path, incremental rebuilds and indexes of more than one block.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use bantin::pipeline::{BuildOptions, Session};
use bantin::search::{self, DocFile, Reader, Term};
use bantin::vietnamese;
use common::*;
use serde::Deserialize;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// One shared test vector (`tests/search_vectors.json`, also run in Chromium).
#[derive(Debug, Deserialize)]
struct Vector {
    input: String,
    fold: String,
    words: Vec<String>,
    /// Per word: `[folded, tone key, bucket]`, or null for a word that is not indexed.
    terms: Vec<Option<(String, String, usize)>>,
}

fn vectors() -> Vec<Vector> {
    let text = std::fs::read_to_string(repo_root().join("tests/search_vectors.json"))
        .expect("tests/search_vectors.json");
    serde_json::from_str(&text).expect("valid vectors")
}

/// A reader of the index in `out` (built with `base_path`), fetching files from the folder
/// and remembering which it fetched.
fn reader(out: &Path, base_path: &str) -> Reader<impl FnMut(&str) -> Option<Vec<u8>> + use<>> {
    let out = out.to_path_buf();
    let base = base_path.to_string();
    let mut cache: HashMap<String, Vec<u8>> = HashMap::new();
    let fetch = move |url: &str| -> Option<Vec<u8>> {
        assert!(url.contains("?v=") || url.ends_with(".json"), "{url}");
        let rel = url_to_rel(url, &base)?;
        if let Some(bytes) = cache.get(&rel) {
            return Some(bytes.clone());
        }
        let bytes = std::fs::read(out.join(&rel)).ok()?;
        cache.insert(rel, bytes.clone());
        Some(bytes)
    };
    Reader::open(fetch, &format!("{base_path}tim-kiem/chi-muc.json")).expect("the manifest")
}

/// Every article file of the index, by number.
fn docs<F: FnMut(&str) -> Option<Vec<u8>>>(r: &mut Reader<F>) -> Vec<DocFile> {
    (0..r.manifest.docs)
        .map(|n| r.doc(n).unwrap_or_else(|e| panic!("article file {n}: {e}")))
        .collect()
}

fn hit_docs<F: FnMut(&str) -> Option<Vec<u8>>>(r: &mut Reader<F>, q: &str) -> Vec<usize> {
    r.search(q)
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .hits
        .iter()
        .map(|h| h.doc)
        .collect()
}

fn set(v: &[usize]) -> BTreeSet<usize> {
    v.iter().copied().collect()
}

/// The number of the article at `url`.
fn doc_of(docs: &[DocFile], url: &str) -> usize {
    docs.iter()
        .position(|d| d.u == url)
        .unwrap_or_else(|| panic!("no search file for {url}"))
}

/// Whether `text` has a word that folds to `folded`.
fn has_folded(text: &str, folded: &str) -> bool {
    search::words(text).any(|w| vietnamese::fold(w) == folded)
}

/// What a reader sees of the article at `url` that the index covers: its title, body, tags
/// and summary (the page's description), read from the built page.
fn page_text(out: &Path, url: &str) -> String {
    let doc = page(out, url);
    let mut parts: Vec<String> = ["h1#tieu-de", ".content", ".tags li a"]
        .iter()
        .flat_map(|s| doc.select(&sel(s)).map(text).collect::<Vec<_>>())
        .collect();
    parts.extend(attrs(&doc, "meta[name=description]", "content"));
    parts.join(" ")
}

/// The article pages of an output (`tin-tuc/<slug>/index.html`, redirects left out).
fn article_pages(out: &Path) -> Vec<(String, scraper::Html)> {
    html_files(out)
        .into_iter()
        .filter(|(rel, doc)| {
            rel.starts_with("tin-tuc/")
                && rel.matches('/').count() == 2
                && doc.select(&sel("h1#tieu-de")).next().is_some()
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Text rules
// ---------------------------------------------------------------------------

#[test]
fn shared_vectors_hold_for_the_rust_text_rules() {
    let vectors = vectors();
    assert!(vectors.len() > 20);
    for v in &vectors {
        assert_eq!(vietnamese::fold(&v.input), v.fold, "fold({:?})", v.input);
        let words: Vec<&str> = search::words(&v.input).collect();
        assert_eq!(words, v.words, "words({:?})", v.input);
        let terms: Vec<Option<(String, String, usize)>> = words
            .iter()
            .map(|w| Term::of(w).map(|t| (t.folded.clone(), t.key, search::bucket(&t.folded))))
            .collect();
        assert_eq!(terms, v.terms, "terms of {:?}", v.input);
    }
    // The cases the brief names, spelled out.
    let key = |w: &str| vietnamese::tone_key(w);
    assert_eq!(vietnamese::fold("Đảng ủy"), "dang uy");
    assert_eq!(key("Hội"), "hôi.");
    assert_eq!(key("hoà"), key("hòa"));
    assert_eq!(key("ĐẢNG"), key("đảng"));
    assert_ne!(key("Đảng"), key("đang"));
    assert_ne!(key("Đức"), key("Dục"));
}

// ---------------------------------------------------------------------------
// The example site's index
// ---------------------------------------------------------------------------

#[test]
fn every_article_has_a_search_file_matching_its_page_oldest_first() {
    let out = example_output();
    let pages = article_pages(out);
    let mut r = reader(out, "/");
    assert_eq!(r.manifest.docs, pages.len(), "one search file per article");
    assert_eq!(r.manifest.versions.len(), 1, "one block");
    let docs = docs(&mut r);
    let urls: BTreeSet<String> = pages
        .iter()
        .map(|(rel, _)| format!("/{}", rel.trim_end_matches("index.html")))
        .collect();
    assert_eq!(
        docs.iter().map(|d| d.u.clone()).collect::<BTreeSet<_>>(),
        urls
    );
    for d in &docs {
        let page = page(out, &d.u);
        let h1 = page.select(&sel("h1#tieu-de")).next().expect("a title");
        assert_eq!(text(h1), d.t, "title of {}", d.u);
        let time = attrs(
            &page,
            "article time[datetime], main time[datetime]",
            "datetime",
        );
        assert!(time[0].starts_with(&d.d), "{}: {} vs {:?}", d.u, d.d, time);
        assert!(!d.b, "no drafts without --drafts");
    }
    for pair in docs.windows(2) {
        assert!(
            pair[0].d <= pair[1].d,
            "oldest first: {} then {}",
            pair[0].d,
            pair[1].d
        );
    }
    // No other files in the index's folders.
    let files = files(out);
    let shards = files
        .keys()
        .filter(|k| k.starts_with("tim-kiem/chi-muc/"))
        .count();
    let doc_files = files
        .keys()
        .filter(|k| k.starts_with("tim-kiem/bai/"))
        .count();
    assert_eq!(shards, search::BUCKETS);
    assert_eq!(doc_files, docs.len());
}

#[test]
fn every_word_of_an_article_page_finds_that_article() {
    let out = example_output();
    let mut r = reader(out, "/");
    let docs = docs(&mut r);
    let mut checked = 0;
    for (rel, page) in article_pages(out) {
        let url = format!("/{}", rel.trim_end_matches("index.html"));
        let doc = doc_of(&docs, &url);
        let content = page
            .select(&sel(".content"))
            .next()
            .expect("article content");
        let mut words: BTreeSet<String> = BTreeSet::new();
        for t in content.text() {
            words.extend(search::words(t).map(str::to_string));
        }
        let title = page
            .select(&sel("h1#tieu-de"))
            .next()
            .map(text)
            .unwrap_or_default();
        words.extend(search::words(&title).map(str::to_string));
        assert!(words.len() > 20, "{url}: {} words", words.len());
        for w in &words {
            let results = r.search(w).unwrap();
            if results.terms.is_empty() {
                continue; // longer than a word can be
            }
            assert!(
                results.hits.iter().any(|h| h.doc == doc),
                "«{w}» does not find {url}"
            );
            // Typed without diacritics and in capitals, it still does.
            let plain = vietnamese::fold(w).to_uppercase();
            assert!(
                hit_docs(&mut r, &plain).contains(&doc),
                "«{plain}» does not find {url}"
            );
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} words checked");
}

#[test]
fn diacritics_case_and_tone_placement_are_optional() {
    let out = example_output();
    let mut r = reader(out, "/");
    let docs = docs(&mut r);
    let tong_ket = [
        doc_of(&docs, "/tin-tuc/hoi-nghi-tong-ket-nam-2024/"),
        doc_of(&docs, "/tin-tuc/dang-uy-tong-ket-cong-tac-nam-2025/"),
    ];
    let base = hit_docs(&mut r, "hoi nghi tong ket");
    for d in tong_ket {
        assert!(base.contains(&d), "{} not found", docs[d].u);
    }
    for q in [
        "Hội nghị tổng kết",
        "HỘI NGHỊ TỔNG KẾT",
        "HOI NGHI TONG KET",
        "  hội,nghị   TỔNG-kết ",
    ] {
        assert_eq!(set(&hit_docs(&mut r, q)), set(&base), "{q}");
    }
    // Every article found holds the four words, by its own text.
    for d in &base {
        let all = format!("{} {}", docs[*d].t, docs[*d].x);
        for w in ["hoi", "nghi", "tong", "ket"] {
            assert!(has_folded(&all, w), "{} lacks {w}", docs[*d].u);
        }
    }
    let dang_uy = doc_of(&docs, "/tin-tuc/dang-uy-tong-ket-cong-tac-nam-2025/");
    let plain = r.search("dang uy").unwrap();
    assert_eq!(
        plain.hits[0].doc, dang_uy,
        "«Đảng ủy» in the title comes first"
    );
    let old_style = r.search("Đảng ủy").unwrap();
    let new_style = r.search("ĐẢNG UỶ").unwrap();
    assert_eq!(
        set(&plain.hits.iter().map(|h| h.doc).collect::<Vec<_>>()),
        set(&old_style.hits.iter().map(|h| h.doc).collect::<Vec<_>>())
    );
    assert_eq!(
        old_style.hits, new_style.hits,
        "tone placement does not change anything"
    );
    assert!(old_style.hits.iter().any(|h| h.exact == 2));
    assert_eq!(hit_docs(&mut r, "HOI NGHI"), hit_docs(&mut r, "hoi nghi"));
}

#[test]
fn exact_diacritics_rank_above_folded_matches() {
    let out = example_output();
    let mut r = reader(out, "/");
    let docs = docs(&mut r);
    let mut cases = 0;
    for q in ["Đảng", "đang", "hội", "hồi", "Tết", "kết", "công", "cổng"] {
        let key = vietnamese::tone_key(q);
        let results = r.search(q).unwrap();
        // By the articles' own text: which hold the word with exactly these diacritics.
        let exact: Vec<bool> = results
            .hits
            .iter()
            .map(|h| {
                search::words(&page_text(out, &docs[h.doc].u))
                    .any(|w| vietnamese::tone_key(w) == key)
            })
            .collect();
        let first_folded = exact.iter().position(|e| !e).unwrap_or(exact.len());
        assert!(
            exact[first_folded..].iter().all(|e| !e),
            "«{q}»: an exact match comes after a folded one: {exact:?}"
        );
        for (h, e) in results.hits.iter().zip(&exact) {
            assert_eq!(h.exact == 1, *e, "«{q}»: {}", docs[h.doc].u);
        }
        if first_folded > 0 && first_folded < exact.len() {
            // Both kinds found, and a folded match would come first by title and date alone.
            let by_weight = results.hits.iter().enumerate().any(|(i, h)| {
                !exact[i]
                    && results.hits[..first_folded]
                        .iter()
                        .any(|e| (h.weight, h.doc) > (e.weight, e.doc))
            });
            if by_weight {
                cases += 1;
            }
        }
    }
    assert!(
        cases >= 2,
        "only {cases} queries where exact diacritics change the order"
    );
}

#[test]
fn titles_rank_above_bodies_then_newer_articles_first() {
    let out = example_output();
    let mut r = reader(out, "/");
    let docs = docs(&mut r);
    let mut both = 0;
    for q in [
        "ket",
        "phuong",
        "dan",
        "tet",
        "bau",
        "ve sinh",
        "hanh chinh",
    ] {
        let results = r.search(q).unwrap();
        let folded: Vec<String> = results.terms.iter().map(|t| t.folded.clone()).collect();
        let in_title: Vec<usize> = results
            .hits
            .iter()
            .map(|h| {
                folded
                    .iter()
                    .filter(|f| has_folded(&docs[h.doc].t, f))
                    .count()
            })
            .collect();
        assert!(
            in_title.windows(2).all(|w| w[0] >= w[1]),
            "«{q}»: more words in the title ranks higher: {in_title:?}"
        );
        // Among articles with none of the words in their title: newest first.
        let body_only: Vec<usize> = results
            .hits
            .iter()
            .zip(&in_title)
            .filter(|(_, t)| **t == 0)
            .map(|(h, _)| h.doc)
            .collect();
        assert!(
            body_only.windows(2).all(|w| w[0] > w[1]),
            "«{q}»: {body_only:?}"
        );
        let dates: Vec<&str> = body_only.iter().map(|d| docs[*d].d.as_str()).collect();
        assert!(dates.windows(2).all(|w| w[0] >= w[1]), "«{q}»: {dates:?}");
        if in_title.iter().any(|t| *t > 0) && !body_only.is_empty() {
            both += 1;
        }
    }
    assert!(both >= 4, "only {both} queries with title and body matches");
}

#[test]
fn missing_words_and_partial_matches() {
    let out = example_output();
    let mut r = reader(out, "/");
    let none = r.search("xyzzyq").unwrap();
    assert!(none.hits.is_empty() && !none.complete);
    let only_punctuation = r.search("… – !!").unwrap();
    assert!(only_punctuation.terms.is_empty() && only_punctuation.hits.is_empty());
    let partial = r.search("bầu cử xyzzyq").unwrap();
    assert!(!partial.complete);
    let either: BTreeSet<usize> = hit_docs(&mut r, "bầu")
        .into_iter()
        .chain(hit_docs(&mut r, "cử"))
        .collect();
    let found: Vec<usize> = partial.hits.iter().map(|h| h.doc).collect();
    assert_eq!(set(&found), either, "articles with any of the words");
    assert!(partial.hits.iter().all(|h| h.matched >= 1 && h.matched < 3));
    assert!(
        partial
            .hits
            .windows(2)
            .all(|w| w[0].matched >= w[1].matched),
        "more words found ranks higher"
    );
    let complete = r.search("bầu cử").unwrap();
    assert!(complete.complete);
    assert!(complete.hits.iter().all(|h| h.matched == 2));
}

// ---------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------

#[test]
fn the_search_page_and_the_search_box_of_every_page() {
    let out = example_output();
    let page = page(out, "/tim-kiem/");
    assert_eq!(
        text(page.select(&sel("main h1")).next().unwrap()),
        "Tìm kiếm"
    );
    let form = page
        .select(&sel("main form[role=search]"))
        .next()
        .expect("a search form");
    assert_eq!(form.value().attr("action"), Some("/tim-kiem/"));
    assert_eq!(form.value().attr("method"), Some("get"));
    let input = page
        .select(&sel("main form input[name=q]"))
        .next()
        .expect("a q field");
    let id = input.value().attr("id").unwrap();
    assert!(
        page.select(&sel(&format!("label[for={id}]")))
            .next()
            .is_some()
    );
    assert_eq!(
        attrs(&page, "#ket-qua", "data-index"),
        ["/tim-kiem/chi-muc.json"]
    );
    assert_eq!(attrs(&page, "#ket-qua", "data-date-format"), ["short"]);
    assert_eq!(attrs(&page, "meta[name=robots]", "content"), ["noindex"]);
    let scripts = attrs(&page, "script[src]", "src");
    assert!(scripts.contains(&"/search.js".to_string()));
    assert!(exists(out, "/search.js"));
    assert!(exists(out, "/tim-kiem/chi-muc.json"));
    assert!(
        page.select(&sel("noscript")).next().is_some(),
        "a message for browsers without JavaScript"
    );
    let mut pages = 0;
    for (rel, doc) in html_files(out) {
        if doc
            .select(&sel("meta[http-equiv=refresh]"))
            .next()
            .is_some()
        {
            continue;
        }
        let boxes: Vec<_> = doc
            .select(&sel("header form.site-search[role=search]"))
            .collect();
        assert_eq!(boxes.len(), 1, "{rel}: one search box in the header");
        assert_eq!(boxes[0].value().attr("action"), Some("/tim-kiem/"), "{rel}");
        assert_eq!(boxes[0].value().attr("method"), Some("get"), "{rel}");
        let input = boxes[0]
            .select(&sel("input[type=search][name=q]"))
            .next()
            .expect("q");
        let id = input.value().attr("id").unwrap();
        assert!(
            doc.select(&sel(&format!("label[for={id}]")))
                .next()
                .is_some(),
            "{rel}"
        );
        pages += 1;
    }
    assert!(pages > 50);
}

#[test]
fn the_base_path_is_in_every_search_url() {
    let tmp = build_example(&["--base-url", "https://example.org/phuong-to-chau/"]);
    let out = tmp.path().join("public");
    let manifest = std::fs::read_to_string(out.join("tim-kiem/chi-muc.json")).unwrap();
    let mut r = reader(&out, "/phuong-to-chau/");
    assert!(
        r.manifest
            .shard
            .starts_with("/phuong-to-chau/tim-kiem/chi-muc/"),
        "{manifest}"
    );
    assert!(
        r.manifest.doc.starts_with("/phuong-to-chau/tim-kiem/bai/"),
        "{manifest}"
    );
    let hits = hit_docs(&mut r, "dang uy");
    assert!(!hits.is_empty());
    for d in hits {
        let doc = r.doc(d).unwrap();
        assert!(doc.u.starts_with("/phuong-to-chau/tin-tuc/"), "{}", doc.u);
        let rel = url_to_rel(&doc.u, "/phuong-to-chau/").unwrap();
        assert!(out.join(rel).is_file(), "{} is built", doc.u);
    }
    let search_page = std::fs::read_to_string(out.join("tim-kiem/index.html")).unwrap();
    assert!(search_page.contains("data-index=\"/phuong-to-chau/tim-kiem/chi-muc.json\""));
    assert!(search_page.contains("action=\"/phuong-to-chau/tim-kiem/\""));
}

#[test]
fn drafts_are_indexed_only_in_builds_with_drafts_and_marked() {
    let tmp = build_example(&["--drafts"]);
    let out = tmp.path().join("public");
    let mut r = reader(&out, "/");
    let docs = docs(&mut r);
    let drafts: Vec<&DocFile> = docs.iter().filter(|d| d.b).collect();
    assert!(!drafts.is_empty(), "the example has a draft");
    let published = reader(example_output(), "/").manifest.docs;
    assert_eq!(docs.len(), published + drafts.len());
    for d in drafts {
        let found = hit_docs(&mut r, &d.t);
        assert!(found.contains(&doc_of(&docs, &d.u)));
        assert!(
            !reader(example_output(), "/")
                .search(&d.t)
                .unwrap()
                .hits
                .iter()
                .any(|h| h.doc >= published)
        );
    }
}

// ---------------------------------------------------------------------------
// Incremental rebuilds and large sites
// ---------------------------------------------------------------------------

fn now() -> jiff::Timestamp {
    "2030-01-01T03:00:00Z".parse().unwrap()
}

#[test]
fn editing_one_article_rewrites_only_its_search_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_dir(&repo_root().join("content"), &root.join("content"));
    copy_dir(&repo_root().join("static"), &root.join("static"));
    std::fs::copy(repo_root().join("site.toml"), root.join("site.toml")).unwrap();
    let out = tmp.path().join("public");
    let opts = BuildOptions {
        root: root.clone(),
        output: Some(out.clone()),
        now: Some(now()),
        ..BuildOptions::default()
    };
    let mut session = Session::new(opts.clone(), out.clone());
    session.rebuild().expect("first build");
    let article = root.join("content/articles/2024/hoi-nghi-tong-ket-nam-2024.md");
    let original = std::fs::read_to_string(&article).unwrap();
    let word = "Sầuriêngxanhmướt";
    std::fs::write(
        &article,
        format!("{original}\nGiống {word} được giới thiệu.\n"),
    )
    .unwrap();
    let summary = session
        .rebuild_paths(std::slice::from_ref(&article))
        .unwrap();
    let search_files: Vec<&String> = summary
        .written
        .iter()
        .filter(|f| f.starts_with("tim-kiem/"))
        .collect();
    let mut r = reader(&out, "/");
    let docs = docs(&mut r);
    let doc = doc_of(&docs, "/tin-tuc/hoi-nghi-tong-ket-nam-2024/");
    assert!(
        search_files.contains(&&"tim-kiem/chi-muc.json".to_string()),
        "{search_files:?}"
    );
    assert!(
        search_files.contains(&&format!("tim-kiem/bai/{doc}.json")),
        "{search_files:?}"
    );
    assert!(
        !search_files
            .iter()
            .any(|f| f.starts_with("tim-kiem/bai/") && **f != format!("tim-kiem/bai/{doc}.json")),
        "{search_files:?}"
    );
    let shards = search_files
        .iter()
        .filter(|f| f.starts_with("tim-kiem/chi-muc/"))
        .count();
    assert!(
        (1..=4).contains(&shards),
        "{shards} shards rewritten: {search_files:?}"
    );
    assert!(
        !r.search("sau rieng xanh muot").unwrap().complete,
        "one word, not four"
    );
    assert_eq!(hit_docs(&mut r, "SAURIENGXANHMUOT"), [doc]);
    assert_eq!(hit_docs(&mut r, word), [doc]);
    // The index is exactly what a clean build writes.
    let clean = tmp.path().join("clean");
    bantin::pipeline::build(&BuildOptions {
        output: Some(clean.clone()),
        ..opts.clone()
    })
    .unwrap();
    let index = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
        files(dir)
            .into_iter()
            .filter(|(k, _)| k.starts_with("tim-kiem/"))
            .collect()
    };
    assert!(
        index(&out) == index(&clean),
        "incremental index differs from a clean build"
    );
    // Saved back: the word is gone again.
    std::fs::write(&article, &original).unwrap();
    session
        .rebuild_paths(std::slice::from_ref(&article))
        .unwrap();
    let mut r = reader(&out, "/");
    assert!(hit_docs(&mut r, word).is_empty());
    // A new article (the newest) takes the next number: no other article's file changes.
    let new = root.join("content/articles/2026/bai-moi.md");
    std::fs::write(
        &new,
        "+++\ntitle = \"Bài mới về sầu riêng\"\ndate = 2029-12-31\n+++\nNội dung bài mới.\n",
    )
    .unwrap();
    let summary = session.rebuild_paths(std::slice::from_ref(&new)).unwrap();
    let docs_written: Vec<&String> = summary
        .written
        .iter()
        .filter(|f| f.starts_with("tim-kiem/bai/"))
        .collect();
    let mut r = reader(&out, "/");
    let n = r.manifest.docs;
    assert_eq!(docs_written, [&format!("tim-kiem/bai/{}.json", n - 1)]);
    assert_eq!(hit_docs(&mut r, "sau rieng"), [n - 1]);
}

/// A site of `n` one-paragraph articles, one per day from 2020-01-01.
fn many_articles(n: usize) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "site.toml",
        "title = \"Phường Thử\"\nbase_url = \"https://thu.example.vn/\"\n",
    );
    let start: jiff::civil::Date = "2020-01-01".parse().unwrap();
    for i in 0..n {
        let date = start.checked_add(jiff::Span::new().days(i as i64)).unwrap();
        let extra = match i {
            0 => " Bài đầu tiên có từ khởiđầuhiếm.",
            _ if i == n - 1 => " Bài cuối cùng có từ kếtthúchiếm.",
            _ => "",
        };
        write(
            root,
            &format!("content/articles/thong-bao-{i}.md"),
            &format!(
                "+++\ntitle = \"Thông báo số {i}\"\ndate = {date}\n+++\nNội dung thông báo số {i} của phường.{extra}\n"
            ),
        );
    }
    tmp
}

#[test]
fn an_index_of_more_than_one_block() {
    let n = search::BLOCK + 7;
    let site = many_articles(n);
    let out = site.path().join("public");
    build_ok(site.path(), &out, &[]);
    let mut r = reader(&out, "/");
    assert_eq!(r.manifest.docs, n);
    assert_eq!(r.manifest.versions.len(), 2);
    assert!(
        !r.search("khoi dau hiem").unwrap().complete,
        "one word, not three"
    );
    assert_eq!(hit_docs(&mut r, "khởiđầuhiếm"), [0]);
    assert_eq!(hit_docs(&mut r, "KETTHUCHIEM"), [n - 1]);
    assert_eq!(
        r.doc(n - 1).unwrap().u,
        format!("/tin-tuc/thong-bao-{}/", n - 1)
    );
    assert_eq!(r.doc(n - 1).unwrap().t, format!("Thông báo số {}", n - 1));
    // Every article has the words; newest first, with the numbers in the title first.
    let all = hit_docs(&mut r, "thong bao");
    assert_eq!(all, (0..n).rev().collect::<Vec<_>>());
    let number = search::BLOCK + 3;
    let hits = hit_docs(&mut r, &format!("thông báo {number}"));
    assert_eq!(hits, [number]);
    assert_eq!(r.doc(number).unwrap().t, format!("Thông báo số {number}"));
    // A query fetches one shard per word and block.
    let urls = r.shard_urls("thong");
    assert_eq!(urls.len(), 2);
    assert!(urls[0].contains("/tim-kiem/chi-muc/0-") && urls[1].contains("/tim-kiem/chi-muc/1-"));
    assert_ne!(r.manifest.versions[0], r.manifest.versions[1]);
}
