//! The bodies of bantin's fuzz targets, shared by the cargo-fuzz binaries (`fuzz_targets/`) and
//! by `tests/fuzz_regressions.rs` (which includes this file with `#[path]`), so a regression
//! input always goes through exactly the code the fuzzer ran.
//!
//! Every target takes raw bytes and must never panic. Besides "no panic", each checks properties
//! that must hold for any input (see docs/fuzzing.md): a diagnostic's position is inside the file,
//! a slug is plain ASCII and stable, match keys ignore NFC/NFD and old/new tone placement, a found
//! mention lies on character boundaries, no page is written outside the output folder.
//!
//! Only the public API of the `bantin` library is used.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use bantin::config::RawHtml;
use bantin::content::{self, ArticleMeta, DepartmentMeta, Kind, OfficialMeta, PageMeta, Source};
use bantin::error::{Diagnostic, EntityKind};
use bantin::markdown::{self, MentionScan};
use bantin::mentions::{MentionIndex, Target};
use bantin::pipeline::{self, BuildOptions};
use bantin::vietnamese;
use unicode_normalization::UnicodeNormalization;

/// Inputs longer than this are cut (the fuzzer's own `-max_len` is smaller; the regression test
/// may feed anything).
const MAX_INPUT: usize = 64 * 1024;

fn cut(data: &[u8]) -> &[u8] {
    &data[..data.len().min(MAX_INPUT)]
}

/// A document read from `bytes` the way the load stage reads a file.
fn source(kind: Kind, rel_path: &str, bytes: &[u8]) -> Option<Arc<Source>> {
    let text = content::decode(bytes).ok()?;
    // What decoding promises every later stage.
    assert!(!text.contains('\r'), "decoded text has a CR");
    assert!(!text.contains('\0'), "decoded text has a NUL");
    assert_eq!(
        vietnamese::nfc(&text),
        text.as_str(),
        "decoded text is not NFC"
    );
    let stem = Path::new(rel_path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Some(Arc::new(Source {
        kind,
        rel_path: PathBuf::from(rel_path),
        stem,
        bundle_dir: None,
        bundle_assets: Vec::new(),
        digest: bantin::fingerprint::of_bytes(text.as_bytes()),
        text,
    }))
}

/// A diagnostic must point inside the file it is about, and print without panicking.
fn check_diagnostic(d: &Diagnostic, text: &str) {
    let _ = d.to_string();
    let _ = d.problem.hint();
    if let Some(loc) = &d.location {
        assert!(loc.line >= 1 && loc.column >= 1, "0-based location: {d:?}");
        let lines = text.split('\n').count();
        assert!(loc.line <= lines, "line {} of {lines}: {d:?}", loc.line);
        assert!(!loc.line_text.contains('\n'), "line text spans lines");
        let chars = loc.line_text.chars().count();
        assert!(loc.column <= chars + 1, "column past the line's end: {d:?}");
    }
}

// ---------------------------------------------------------------------------
// (a) front matter
// ---------------------------------------------------------------------------

/// Front matter split and deserialisation, for every kind of document.
pub fn front_matter(data: &[u8]) {
    let data = cut(data);
    let Some(src) = source(Kind::Article, "content/articles/fuzz.md", data) else {
        return;
    };
    let text = src.text.as_str();
    match content::front_matter::split(text) {
        Ok(split) => {
            assert!(split.block_offset <= split.block_end);
            assert!(split.block_end <= split.body_offset);
            assert!(split.body_offset <= text.len());
            let _ = split.block(text);
            let _ = split.body(text);
        }
        Err((problem, loc)) => {
            check_diagnostic(&Diagnostic::new("x", problem).at(loc), text);
        }
    }
    fn one<M: serde::de::DeserializeOwned>(src: &Arc<Source>) {
        if let Err(d) = content::parse_document::<M>(src.clone(), "/") {
            check_diagnostic(&d, &src.text);
        }
    }
    one::<ArticleMeta>(&src);
    one::<OfficialMeta>(&src);
    one::<DepartmentMeta>(&src);
    one::<PageMeta>(&src);
    // A date that parses is usable in the site's timezone.
    if let Ok(doc) = content::parse_document::<ArticleMeta>(src.clone(), "/phuong/") {
        let tz = jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").expect("bundled tzdb");
        let _ = doc.meta.date.to_zoned(&tz);
        let _ = doc.meta.date.civil_date(&tz);
    }
}

// ---------------------------------------------------------------------------
// (b) Markdown with mentions
// ---------------------------------------------------------------------------

/// Officials and departments of the fuzzed sites: names with both tone placements, short
/// names and aliases that overlap ("UBND phường" inside "Văn phòng HĐND và UBND phường").
const OFFICIALS: &[(&str, &[&str])] = &[
    ("luu-thanh-binh", &["Lưu Thanh Bình"]),
    ("nguyen-van-hoa", &["Nguyễn Văn Hoà", "Ông Hòa"]),
    ("pham-minh-duc", &["Phạm Minh Đức", "Đức"]),
    ("tran-thi-thuy", &["Trần Thị Thuỷ"]),
];
const DEPARTMENTS: &[(&str, &[&str])] = &[
    ("ubnd", &["Ủy ban nhân dân phường Tô Châu", "UBND phường"]),
    ("van-phong", &["Văn phòng HĐND và UBND phường"]),
    ("dang-uy", &["Đảng uỷ phường", "Đảng ủy"]),
    ("phong-van-hoa", &["Phòng Văn hoá - Xã hội"]),
];

fn mention_index() -> (MentionIndex, Vec<String>) {
    let target = |kind, slug: &str| Target {
        kind,
        slug: slug.to_string(),
    };
    let index = MentionIndex::build(
        OFFICIALS
            .iter()
            .map(|(s, n)| (target(EntityKind::Official, s), n.to_vec()))
            .chain(
                DEPARTMENTS
                    .iter()
                    .map(|(s, n)| (target(EntityKind::Department, s), n.to_vec())),
            ),
    );
    let paths = index
        .targets()
        .iter()
        .map(|t| match t.kind {
            EntityKind::Official => format!("/{}", bantin::urls::official(&t.slug)),
            EntityKind::Department => format!("/{}", bantin::urls::department(&t.slug)),
        })
        .collect();
    (index, paths)
}

/// Rendering a body with mention detection and linking. The first byte chooses the options
/// (base path, linking, byline, an excluded target, detection, raw HTML escaped or sanitised);
/// the rest is the body.
pub fn markdown(data: &[u8]) {
    let data = cut(data);
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    let Ok(body) = content::decode(body) else {
        return;
    };
    static INDEX: OnceLock<(MentionIndex, Vec<String>)> = OnceLock::new();
    let (index, paths) = INDEX.get_or_init(mention_index);
    let base_path = if flags & 1 == 0 {
        "/"
    } else {
        "/phuong-to-chau/"
    };
    let exclude: Vec<usize> = if flags & 8 != 0 { vec![1] } else { Vec::new() };
    let scan = MentionScan {
        index,
        paths,
        link: flags & 2 != 0,
        exclude: &exclude,
        byline: flags & 4 != 0,
    };
    let with = flags & 16 == 0;
    let raw_html = if flags & 32 == 0 {
        RawHtml::Escape
    } else {
        RawHtml::Safe
    };
    let rendered = markdown::render_html(&body, base_path, raw_html, with.then_some(&scan));
    let targets = index.targets().len();
    let mut seen = Vec::new();
    for &m in &rendered.mentions {
        assert!(m < targets, "mention {m} of {targets} targets");
        assert!(!seen.contains(&m), "mention {m} listed twice");
        assert!(!exclude.contains(&m), "excluded target {m} counted");
        seen.push(m);
    }
    if let Some(b) = &rendered.byline {
        assert!(b.department < targets);
        assert_eq!(index.targets()[b.department].kind, EntityKind::Department);
    }
    // Raw HTML never passes through unescaped, and what the sanitiser keeps cannot run.
    check_inert_html(&rendered.html);
    // Rendering is a function of its input.
    let again = markdown::render_html(&body, base_path, raw_html, with.then_some(&scan));
    assert_eq!(again, rendered, "two renders of one body differ");
    let _ = markdown::truncate_words(&rendered.first_paragraph, 160);
}

/// No element or attribute of `html` can run script: no `<script>`, `<object>`, `<embed>`,
/// `<style>` (and other elements that load or restyle), no `on…` event handler, no `style`
/// attribute, no `javascript:`, `vbscript:` or `data:text/html` address. Text is escaped by both
/// renderers (`<` as `&lt;`), so every `<` starts a tag, and attribute values are quoted with `"`.
fn check_inert_html(html: &str) {
    let lower = html.to_lowercase();
    let mut rest = lower.as_str();
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>').unwrap_or(after.len());
        let tag = &after[..end];
        rest = &after[end..];
        if tag.starts_with('!') {
            continue; // a comment (comrak's "raw HTML omitted")
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            ![
                "script", "object", "embed", "style", "base", "meta", "link", "form"
            ]
            .contains(&name.as_str()),
            "<{name}> in {html}"
        );
        // Attributes: the names are outside the quotes, the values inside.
        for (i, part) in tag.split('"').enumerate() {
            if i % 2 == 1 {
                let value: String = part.chars().filter(|c| !c.is_whitespace()).collect();
                let value = value.replace("&#x3a;", ":").replace("&colon;", ":");
                for scheme in ["javascript:", "vbscript:", "data:text/html"] {
                    assert!(!value.starts_with(scheme), "{scheme} address in {html}");
                }
                continue;
            }
            for word in part.split(|c: char| c.is_whitespace() || c == '/') {
                let attr = word.split('=').next().unwrap_or("");
                assert!(
                    !(attr.starts_with("on") && attr.len() > 2) && attr != "style",
                    "attribute {attr} in {html}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// (c) slugs
// ---------------------------------------------------------------------------

/// `slugify`: plain ASCII words joined by single dashes, stable under re-slugifying and under
/// NFC/NFD.
pub fn slugify(data: &[u8]) {
    let s = String::from_utf8_lossy(cut(data));
    let slug = vietnamese::slugify(&s);
    assert!(
        slug.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "slug {slug:?} of {s:?}"
    );
    assert!(!slug.starts_with('-') && !slug.ends_with('-'), "{slug:?}");
    assert!(!slug.contains("--"), "{slug:?}");
    assert_eq!(vietnamese::slugify(&slug), slug, "slug of a slug");
    let nfd: String = s.nfd().collect();
    assert_eq!(vietnamese::slugify(&nfd), slug, "NFD of {s:?}");
    let nfc: String = s.nfc().collect();
    assert_eq!(vietnamese::slugify(&nfc), slug, "NFC of {s:?}");
    assert_eq!(content::entity_slug(&s), slug);
}

// ---------------------------------------------------------------------------
// (d) the Vietnamese name matcher
// ---------------------------------------------------------------------------

/// Most words a name may have for its tone-placement variants to be checked one by one
/// (they multiply: 2^words).
const MAX_VARIANT_WORDS: usize = 12;

/// Match keys, tone keys and search folding: no panics; NFC/NFD and old/new tone placement give
/// the same key; keys are idempotent; mapped ranges lie on character boundaries; a name is
/// found in text wherever it stands as whole words. The input is `name \n text`.
pub fn matcher(data: &[u8]) {
    let s = String::from_utf8_lossy(cut(data));
    let nfd: String = s.nfd().collect();
    let nfc: String = s.nfc().collect();
    let key = vietnamese::match_key(&s);
    assert_eq!(vietnamese::match_key(&nfd), key, "key of NFD");
    assert_eq!(vietnamese::match_key(&nfc), key, "key of NFC");
    assert_eq!(vietnamese::match_key(&key), key, "key of a key");
    let mut reused = String::from("x");
    vietnamese::match_key_into(&s, &mut reused);
    assert_eq!(reused[1..], key);

    let mapped = vietnamese::match_key_mapped(&s);
    assert_eq!(mapped.key(), key, "mapped key");
    for (i, _) in key.char_indices().chain([(key.len(), ' ')]) {
        let at = mapped.source_offset(i);
        assert!(s.is_char_boundary(at), "offset {at} inside a character");
    }
    for word in key.split(' ').scan(0, |pos, w| {
        let r = *pos..*pos + w.len();
        *pos += w.len() + 1;
        Some(r)
    }) {
        let r = mapped.source_range(word.clone());
        assert!(r.start <= r.end && r.end <= s.len(), "{r:?} of {}", s.len());
        assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
        // The source of a key word has that word as its key.
        assert_eq!(
            vietnamese::match_key(&s[r]),
            key[word].trim(),
            "source of a key word"
        );
    }

    if key.split(' ').count() <= MAX_VARIANT_WORDS {
        let variants = vietnamese::tone_placement_variants(&key);
        assert_eq!(variants.first(), Some(&key), "the key comes first");
        for v in &variants {
            assert_eq!(vietnamese::match_key(v), key, "old/new placement {v:?}");
        }
    }

    if let Some(lower) = vietnamese::lowercase_same_offsets(&s) {
        assert_eq!(lower.len(), s.len(), "lowercase changed offsets");
        for (i, _) in s.char_indices() {
            assert!(lower.is_char_boundary(i), "boundary {i} moved");
        }
    }

    let folded = vietnamese::fold(&s);
    assert_eq!(vietnamese::fold(&nfd), folded, "fold of NFD");
    for word in s.split_whitespace().take(64) {
        let t = vietnamese::tone_key(word);
        let w_nfd: String = word.nfd().collect();
        assert_eq!(vietnamese::tone_key(&w_nfd), t, "tone key of NFD {word:?}");
        let w_key = vietnamese::match_key(word);
        if !w_key.contains(' ') && w_key.split(' ').count() <= MAX_VARIANT_WORDS {
            for v in vietnamese::tone_placement_variants(&w_key) {
                assert_eq!(
                    vietnamese::tone_key(&v),
                    vietnamese::tone_key(&w_key),
                    "tone key of old/new placement {v:?}"
                );
            }
        }
    }

    // A name, then a text to look for it in.
    let (name, text) = s.split_once('\n').unwrap_or((&s, ""));
    let name_key = vietnamese::match_key(name);
    if name_key.split(' ').count() > MAX_VARIANT_WORDS {
        return;
    }
    let index = MentionIndex::build([(
        Target {
            kind: EntityKind::Official,
            slug: "x".into(),
        },
        vec![name],
    )]);
    for found in index.find(text) {
        let r = found.range.clone();
        assert!(r.start <= r.end && r.end <= text.len(), "{r:?}");
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        assert_eq!(found.target, 0);
        assert_eq!(
            vietnamese::match_key(&text[r]),
            name_key,
            "found text is the name"
        );
    }
    let _ = index.exact(text);
    let _ = vietnamese::closest(name, text.split('\n'), 3);
}

// ---------------------------------------------------------------------------
// (e) the whole pipeline
// ---------------------------------------------------------------------------

/// A small site on disk that the pipeline target builds with the fuzz input as one article.
pub struct FuzzSite {
    root: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl FuzzSite {
    /// Write the site into a new temporary folder.
    pub fn new() -> FuzzSite {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path().to_path_buf();
        let w = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().expect("a parent")).expect("folder");
            std::fs::write(p, text).expect("file written");
        };
        w(
            "site.toml",
            "title = \"Phường Thử\"\nbase_url = \"https://thu.example.vn/phuong/\"\npaginate_by = 2\n\n\
             [[menu]]\nname = \"Trang chủ\"\nurl = \"/\"\n",
        );
        for (i, (slug, names)) in DEPARTMENTS.iter().enumerate() {
            let aliases: Vec<String> = names[1..].iter().map(|n| format!("\"{n}\"")).collect();
            let parent = if *slug == "ubnd" || *slug == "dang-uy" {
                String::new()
            } else {
                "parent = \"ubnd\"\n".into()
            };
            w(
                &format!("content/departments/{slug}.md"),
                &format!(
                    "+++\nname = \"{}\"\naliases = [{}]\n{parent}order = {i}\n+++\nChức năng.\n",
                    names[0],
                    aliases.join(", ")
                ),
            );
        }
        for (i, (slug, names)) in OFFICIALS.iter().enumerate() {
            let aliases: Vec<String> = names[1..].iter().map(|n| format!("\"{n}\"")).collect();
            w(
                &format!("content/officials/{slug}.md"),
                &format!(
                    "+++\nname = \"{}\"\naliases = [{}]\norder = {i}\n\n[[positions]]\n\
                     title = \"Phó Chủ tịch\"\ndepartment = \"ubnd\"\nfrom = 2024-01-01\n+++\nTiểu sử.\n",
                    names[0],
                    aliases.join(", ")
                ),
            );
        }
        w(
            "content/pages/gioi-thieu.md",
            "+++\ntitle = \"Giới thiệu\"\n+++\nPhường Thử.\n",
        );
        w(
            "content/articles/2025/hop-dau-nam.md",
            "+++\ntitle = \"Họp đầu năm\"\ndate = 2025-02-10\nofficials = [\"Lưu Thanh Bình\"]\n\
             tags = [\"Hội nghị\"]\n+++\nỦy ban nhân dân phường Tô Châu họp. Xem [bài](fuzz.md).\n",
        );
        FuzzSite {
            root,
            _dir: Some(dir),
        }
    }

    fn article(&self) -> PathBuf {
        self.root.join("content/articles/2025/fuzz.md")
    }
}

impl Default for FuzzSite {
    fn default() -> Self {
        FuzzSite::new()
    }
}

/// The text a diagnostic about a file with these bytes points into: the file as decoded, or, for
/// a file in a legacy encoding or with damaged letters, as read with the encoding detected (the
/// report shows the editor the offending line as it reads).
fn shown_text(data: &[u8]) -> String {
    use bantin::encoding::Detected;
    match bantin::encoding::detect(data) {
        Detected::Utf8 { text, .. }
        | Detected::Utf16Bom { text, .. }
        | Detected::Other { text, .. }
        | Detected::BrokenUtf8 { text, .. } => text,
        Detected::Mojibake(m) => m.text,
        Detected::Unknown { .. } | Detected::Binary(_) => String::new(),
    }
}

/// The whole pipeline but the write, on a site created once per process.
pub fn pipeline(data: &[u8]) {
    static SITE: OnceLock<FuzzSite> = OnceLock::new();
    pipeline_in(SITE.get_or_init(FuzzSite::new), data);
}

/// The whole pipeline but the write (load, parse, resolve, plan, render, search index) with
/// `data` as the bytes of one article of `site`. A build either succeeds with every page inside
/// the output folder, or fails with diagnostics that point inside their files.
pub fn pipeline_in(site: &FuzzSite, data: &[u8]) {
    let data = cut(data);
    std::fs::write(site.article(), data).expect("article written");
    let opts = BuildOptions {
        root: site.root.clone(),
        drafts: data.first().is_some_and(|b| b & 1 == 1),
        future: data.last().is_some_and(|b| b & 1 == 1),
        now: Some("2026-06-01T00:00:00Z".parse().expect("a timestamp")),
        ..BuildOptions::default()
    };
    let config = pipeline::load_config(&opts).expect("the fuzz site's config");
    match pipeline::generate(&opts, config) {
        Ok(generated) => {
            for page in &generated.pages {
                let p = Path::new(&page.file);
                assert!(
                    p.is_relative()
                        && p.components()
                            .all(|c| matches!(c, std::path::Component::Normal(_))),
                    "page written outside the output folder: {:?}",
                    page.file
                );
            }
            for copy in &generated.plan.copies {
                let p = Path::new(&copy.to);
                assert!(
                    p.is_relative()
                        && p.components()
                            .all(|c| matches!(c, std::path::Component::Normal(_))),
                    "file copied outside the output folder: {:?}",
                    copy.to
                );
            }
        }
        Err(diags) => {
            assert!(!diags.is_empty());
            for d in &diags {
                let text = if d.file.ends_with("fuzz.md") {
                    shown_text(data)
                } else {
                    std::fs::read_to_string(site.root.join(&d.file)).unwrap_or_default()
                };
                check_diagnostic(d, &text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_inert_html;

    fn fails(html: &str) -> bool {
        std::panic::catch_unwind(|| check_inert_html(html)).is_err()
    }

    #[test]
    fn the_inert_html_check_catches_what_runs() {
        for bad in [
            "<p onclick=\"x\">a</p>",
            "<img src=\"a.jpg\" onerror=\"x\">",
            "<a href=\"javascript:alert(1)\">a</a>",
            "<a href=\" JavaScript&#x3a;alert(1)\">a</a>",
            "<script>x</script>",
            "<p style=\"color:red\">a</p>",
            "<iframe src=\"data:text/html,x\"></iframe>",
        ] {
            assert!(fails(bad), "{bad}");
        }
        for good in [
            "<p title=\"a onclick=b\">one = two</p>",
            "<!-- raw HTML omitted --><p>&lt;script&gt;</p>",
            "<a href=\"/don-vi/ubnd/\">UBND</a>",
        ] {
            assert!(!fails(good), "{good}");
        }
    }
}
