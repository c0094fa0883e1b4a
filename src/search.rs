//! The **search index**: what the page `/tim-kiem/` searches, entirely in the reader's browser
//! (`themes/phuong/static/search.js`), with no server and no outside service.
//!
//! Files written under `tim-kiem/` (see `docs/search.md` for the format and the reasons):
//!
//! * `chi-muc.json`, the manifest: number of articles, the block size, the number of buckets,
//!   URL patterns and one version token per block;
//! * `chi-muc/<block>-<bucket>.json`, the shards of an inverted index over folded words
//!   ([`vietnamese::fold`]): articles are numbered oldest first and cut into blocks of
//!   [`BLOCK`]; the words of a block are spread over [`BUCKETS`] shards by a hash of the folded
//!   word, so a query fetches one shard per word and block. Each folded word lists its spellings
//!   ([`vietnamese::tone_key`]), each with its postings (article, title/body);
//! * `bai/<n>.json`, one per article: title, URL, date and plain text, fetched only for the
//!   results shown (snippet with the words found).
//!
//! Incremental: each article's words are kept between rebuilds (keyed by a digest of what they
//! are read from), each file has a key made of the digests of its inputs, and only files whose
//! key changed are written again: editing one article rewrites its own `bai/<n>.json`, the
//! shards of its block whose words changed, and the manifest.
//!
//! [`Reader`] reads an index the way `search.js` does (same ranking), for tests and benchmarks.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::fingerprint::{self, Digest, Fingerprinter};
use crate::render::{PageStamp, RenderedPage};
use crate::site::{Article, Site};
use crate::urls::{self, Urls};
use crate::vietnamese;

/// Version of the file format; part of every key, so a new format rewrites every file.
pub const FORMAT: u64 = 1;
/// Articles per block. Articles are numbered oldest first, so new articles fill the last block
/// and older blocks stay as they are.
pub const BLOCK: usize = 1024;
/// Shards per block.
pub const BUCKETS: usize = 64;
/// Longer words (after folding, in characters) are not indexed: web addresses, codes.
pub const MAX_TERM_CHARS: usize = 40;
/// Words of a query beyond this many are ignored (each costs one file per block).
pub const MAX_QUERY_TERMS: usize = 10;

/// Field bits of a posting.
const BODY: u8 = 1;
const TITLE: u8 = 2;

// ---------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------

/// Whether `c` separates words. Hand-written ranges rather than Unicode classes: `search.js`
/// must split a query exactly like this, and browsers older than 2018 have no `\p{L}` in
/// regular expressions. ASCII: anything but letters and digits. Other characters: Latin-1
/// punctuation and symbols, general punctuation and spaces, currency signs (₫), symbols,
/// arrows, dingbats, CJK and full-width punctuation, private use, specials and emoji; every
/// other character (letters of any script, combining marks) is part of a word.
pub fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_alphanumeric();
    }
    matches!(
        c as u32,
        0x80..=0xBF
            | 0xD7
            | 0xF7
            | 0x1680
            | 0x2000..=0x206F
            | 0x20A0..=0x20CF
            | 0x2100..=0x2BFF
            | 0x3000..=0x303F
            | 0xE000..=0xF8FF
            | 0xFE30..=0xFE4F
            | 0xFEFF
            | 0xFF00..=0xFF0F
            | 0xFF1A..=0xFF20
            | 0xFF3B..=0xFF40
            | 0xFF5B..=0xFF65
            | 0xFFF0..=0xFFFF
            | 0x1F000..=0x1FAFF
    )
}

/// The words of `text`, in order: the runs between [`is_separator`] characters.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    Words { text, pos: 0 }
}

/// [`words`]' iterator. It looks at bytes, decoding a character only where its first byte
/// leaves the answer open: `str::split` decodes every character, and the search index splits
/// every article of a site (the same words either way: a test checks every character).
struct Words<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        // ASCII bytes (most of Vietnamese text) are classified inline; other characters
        // through `separator_at`.
        let bytes = self.text.as_bytes();
        let len = bytes.len();
        let mut i = self.pos;
        loop {
            while i < len && bytes[i].is_ascii() && !bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if i >= len {
                self.pos = len;
                return None;
            }
            if bytes[i].is_ascii() {
                break;
            }
            let (sep, n) = separator_at(self.text, i);
            if !sep {
                break;
            }
            i += n;
        }
        let start = i;
        loop {
            while i < len && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if i >= len || bytes[i].is_ascii() {
                break;
            }
            let (sep, n) = separator_at(self.text, i);
            if sep {
                break;
            }
            i += n;
        }
        self.pos = i;
        Some(&self.text[start..i])
    }
}

/// Whether the character starting at byte `i` of `text` is a separator, and its length.
#[inline]
fn separator_at(text: &str, i: usize) -> (bool, usize) {
    let bytes = text.as_bytes();
    match bytes[i] {
        b @ 0..=0x7F => (!b.is_ascii_alphanumeric(), 1),
        // U+0080-U+00BF.
        0xC2 => (true, 2),
        // U+00C0-U+00FF: letters, but × and ÷.
        0xC3 => (matches!(bytes[i + 1], 0x97 | 0xB7), 2),
        // U+0100-U+07FF: letters and marks.
        0xC4..=0xDF => (false, 2),
        // U+1000-U+1FFF: letters and marks (ạ…ỹ are U+1EA0-U+1EF9), but U+1680, a space.
        0xE1 => (bytes[i + 1..].starts_with(&[0x9A, 0x80]), 3),
        _ => {
            let c = text[i..].chars().next().unwrap_or(' ');
            (is_separator(c), c.len_utf8())
        }
    }
}

/// One word as the index knows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Term {
    /// [`vietnamese::fold`] of the word: what the index is searched by ("hoi").
    pub folded: String,
    /// [`vietnamese::tone_key`] of the word: its exact spelling ("hôi.").
    pub key: String,
}

impl Term {
    /// The term of one word (from [`words`]); `None` for words that are not indexed (empty
    /// once folded, or longer than [`MAX_TERM_CHARS`]).
    pub fn of(word: &str) -> Option<Term> {
        let folded = vietnamese::fold(word);
        if folded.is_empty() || folded.chars().count() > MAX_TERM_CHARS {
            return None;
        }
        Some(Term {
            key: vietnamese::tone_key(word),
            folded,
        })
    }

    /// Whether the word was written with diacritics (only then does an exact spelling rank
    /// higher).
    pub fn has_diacritics(&self) -> bool {
        self.key != self.folded
    }
}

/// The shard bucket of a folded word: 32-bit FNV-1a of its UTF-8 bytes, modulo [`BUCKETS`].
/// Hand-written: the browser computes the same in a few lines, a crate would add nothing.
pub fn bucket(folded: &str) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for b in folded.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h as usize % BUCKETS
}

/// The words of a query, as searched: one term per folded word (the first spelling typed), at
/// most [`MAX_QUERY_TERMS`].
pub fn query_terms(query: &str) -> Vec<Term> {
    let mut seen = HashSet::new();
    words(query)
        .filter_map(Term::of)
        .filter(|t| seen.insert(t.folded.clone()))
        .take(MAX_QUERY_TERMS)
        .collect()
}

/// The text of an article's HTML, as bantin renders it from Markdown (raw HTML off): tags
/// removed (block elements and line breaks become spaces), the entities Markdown rendering
/// writes decoded, whitespace collapsed. Hand-written: the input is always bantin's own
/// well-formed output, and an HTML parser would be a large dependency for this.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    // Whether whitespace (or a block tag) came since the last character written.
    let mut space = false;
    let mut rest = html;
    while !rest.is_empty() {
        let next = memchr::memchr2(b'<', b'&', rest.as_bytes()).unwrap_or(rest.len());
        push_text(&mut out, &mut space, &rest[..next]);
        rest = &rest[next..];
        if rest.starts_with('<') {
            // Skip the tag, quoted attribute values included.
            let mut quote = None;
            let mut end = rest.len();
            for (i, b) in rest.bytes().enumerate().skip(1) {
                match (quote, b) {
                    (None, b'"' | b'\'') => quote = Some(b),
                    (Some(q), _) if b == q => quote = None,
                    (None, b'>') => {
                        end = i + 1;
                        break;
                    }
                    _ => {}
                }
            }
            let tag = rest[1..end].trim_start_matches('/');
            let name = &tag[..tag
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(tag.len())];
            if !INLINE_TAGS.iter().any(|t| t.eq_ignore_ascii_case(name)) {
                space = true;
            }
            rest = &rest[end..];
        } else if rest.starts_with('&') {
            let entity = rest
                .bytes()
                .take(12)
                .position(|b| b == b';')
                .and_then(|i| Some((decode_entity(&rest[1..i])?, i + 1)));
            let (decoded, len) = entity.unwrap_or(('&', 1));
            push_text(&mut out, &mut space, decoded.encode_utf8(&mut [0; 4]));
            rest = &rest[len..];
        }
    }
    out
}

/// Append `text` to `out` with whitespace runs collapsed to one space (none at the start).
/// Whitespace is `char::is_whitespace`, found by bytes: a character is decoded only where its
/// first byte could start a non-ASCII space (this runs over the text of every article). Runs of
/// text that need no change (words and the single spaces between them) are copied whole.
fn push_text(out: &mut String, space: &mut bool, text: &str) {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut i = 0;
    while i < len {
        let n = whitespace_at(text, i);
        if n > 0 {
            *space = true;
            i += n;
            continue;
        }
        let start = i;
        i += 1;
        loop {
            while i < len && BYTE_CLASS[usize::from(bytes[i])] == PLAIN {
                i += 1;
            }
            if i >= len {
                break;
            }
            match BYTE_CLASS[usize::from(bytes[i])] {
                // One space between two words stays as it is.
                SPACE
                    if bytes
                        .get(i + 1)
                        .is_some_and(|b| BYTE_CLASS[usize::from(*b)] == PLAIN) =>
                {
                    i += 2
                }
                MAYBE_SPACE if whitespace_at(text, i) == 0 => i += 1,
                _ => break,
            }
        }
        if *space && !out.is_empty() {
            out.push(' ');
        }
        *space = false;
        out.push_str(&text[start..i]);
    }
}

/// [`BYTE_CLASS`]: a byte that is no whitespace and starts none.
const PLAIN: u8 = 0;
/// An ASCII space.
const SPACE: u8 = 1;
/// Other ASCII whitespace.
const OTHER_SPACE: u8 = 2;
/// The first byte of characters among which are non-ASCII spaces (see [`whitespace_at`]).
const MAYBE_SPACE: u8 = 3;
/// The class of every byte, for [`push_text`] and [`whitespace_at`]: the one list of the bytes
/// that start whitespace.
const BYTE_CLASS: [u8; 256] = {
    let mut class = [PLAIN; 256];
    class[b' ' as usize] = SPACE;
    let mut b = 0;
    while b < 256 {
        if matches!(b as u8, b'\t' | b'\n' | 0x0B | 0x0C | b'\r') {
            class[b] = OTHER_SPACE;
        }
        if matches!(b as u8, 0xC2 | 0xE1 | 0xE2 | 0xE3) {
            class[b] = MAYBE_SPACE;
        }
        b += 1;
    }
    class
};

/// The length of the whitespace character starting at byte `i` of `text`, or 0 when there is
/// none there (also when `i` is inside a character: its bytes are never lead bytes).
#[inline]
fn whitespace_at(text: &str, i: usize) -> usize {
    let bytes = text.as_bytes();
    match BYTE_CLASS[usize::from(bytes[i])] {
        PLAIN => 0,
        SPACE | OTHER_SPACE => 1,
        // U+0085, U+00A0; U+1680; U+2000-U+200A, U+2028, U+2029, U+202F, U+205F; U+3000.
        // Vietnamese letters ạ…ỹ start with E1 too: only E1 9A 80 is a space.
        _ if bytes[i] == 0xE1 => {
            if bytes[i + 1..].starts_with(&[0x9A, 0x80]) {
                3
            } else {
                0
            }
        }
        _ => text[i..]
            .chars()
            .next()
            .filter(|c| c.is_whitespace())
            .map_or(0, char::len_utf8),
    }
}

/// Tags that do not separate words (`<strong>Hội</strong> nghị`, a linked name).
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q", "s", "small",
    "span", "strong", "u",
];

/// `amp`, `#39`, `#x27`… (without `&` and `;`).
fn decode_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)?
        }
    })
}

// ---------------------------------------------------------------------------
// The words of one article
// ---------------------------------------------------------------------------

/// The indexed words of one article, grouped by bucket.
#[derive(Debug)]
struct Terms {
    /// One line per spelling, `<bits><folded>\t<key>\n` (bits: an ASCII digit, 1 body, 2
    /// title, 3 both), grouped by bucket and ordered by a digest inside each bucket. One string
    /// instead of many: at 10,000 articles the words of every article stay in memory between
    /// rebuilds.
    lines: String,
    /// Bucket `k`'s lines are `lines[starts[k]..starts[k + 1]]`.
    starts: [u32; BUCKETS + 1],
    /// Per bucket, a 64-bit digest of its lines (0 when empty): a shard's fingerprint is made
    /// of these, so a block's 64 fingerprints cost a few kilobytes of hashing, not its words.
    bucket_digests: [u64; BUCKETS],
}

impl Terms {
    fn extract(title: &str, bodies: &[&str], cache: &mut WordCache) -> Terms {
        // Each word is looked up once in the cache, which holds the terms of the words of the
        // articles extracted before on this thread (folding is the costly part, and most
        // words repeat); its bits are gathered by the word's number in the cache.
        let texts = std::iter::once((title, TITLE)).chain(bodies.iter().map(|b| (*b, BODY)));
        for (text, bit) in texts {
            for w in words(text) {
                let id = cache.id(w);
                if cache.bits[id] == 0 {
                    cache.touched.push(id);
                }
                cache.bits[id] |= bit;
            }
        }
        let mut entries: Vec<(usize, u64, &str, u8)> = Vec::with_capacity(cache.touched.len());
        for id in cache.touched.drain(..) {
            let bits = std::mem::take(&mut cache.bits[id]);
            if let Some(t) = &cache.terms[id] {
                entries.push((t.bucket, t.hash, &t.line, bits));
            }
        }
        // Sorted by bucket, then by a digest of the term (one integer comparison, where
        // comparing the terms themselves was a tenth of a full build; the order only has to
        // be the same on every build); spellings of one term from several words ("Hội",
        // "hội") merged.
        entries.sort_unstable();
        entries.dedup_by(|next, kept| {
            let same = next.2 == kept.2;
            if same {
                kept.3 |= next.3;
            }
            same
        });
        let mut lines = String::new();
        let mut starts = [0u32; BUCKETS + 1];
        let mut k = 0;
        for (b, _, line, bits) in entries {
            while k < b {
                k += 1;
                starts[k] = lines.len() as u32;
            }
            lines.push(char::from(b'0' + bits));
            lines.push_str(line);
            lines.push('\n');
        }
        while k < BUCKETS {
            k += 1;
            starts[k] = lines.len() as u32;
        }
        let mut bucket_digests = [0; BUCKETS];
        for (k, d) in bucket_digests.iter_mut().enumerate() {
            let slice = &lines[starts[k] as usize..starts[k + 1] as usize];
            if !slice.is_empty() {
                *d = xxhash_rust::xxh3::xxh3_64(slice.as_bytes()) | 1;
            }
        }
        Terms {
            lines,
            starts,
            bucket_digests,
        }
    }

    fn bucket(&self, k: usize) -> &str {
        &self.lines[self.starts[k] as usize..self.starts[k + 1] as usize]
    }
}

/// The two keys of an article: what its words are read from (title, body, summary, tag names)
/// and what its file is made from (`base`: the base path; slug, title, date, draft, body,
/// summary). Both run for every article on every rebuild, so they are made of digests bantin
/// already has: the article file's (`source_digest`: title, front-matter summary, draft) and
/// the rendered body's (`html_digest`: the text and the summary taken from it), in one reused
/// buffer. Debug builds check every skipped file against its bytes, and `tests/incremental.rs`
/// every rebuild against a clean build, so an input missing here would show up.
fn article_keys(site: &Site, base: &str, a: &Article, buf: &mut Vec<u8>) -> (Digest, Digest) {
    fn put(buf: &mut Vec<u8>, bytes: &[u8]) {
        buf.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        buf.extend_from_slice(bytes);
    }
    buf.clear();
    buf.extend_from_slice(&FORMAT.to_le_bytes());
    buf.extend_from_slice(&a.source_digest.to_le_bytes());
    buf.extend_from_slice(&a.html_digest.to_le_bytes());
    for t in &a.tags {
        put(buf, site.tags[t.0].name.as_bytes());
    }
    let terms = fingerprint::of_bytes(buf);
    buf.clear();
    buf.extend_from_slice(&FORMAT.to_le_bytes());
    put(buf, base.as_bytes());
    put(buf, a.slug.as_bytes());
    buf.extend_from_slice(&a.source_digest.to_le_bytes());
    buf.extend_from_slice(&a.html_digest.to_le_bytes());
    let day = a.day;
    buf.extend_from_slice(&[day.month() as u8, day.day() as u8, u8::from(a.draft)]);
    buf.extend_from_slice(&day.year().to_le_bytes());
    (terms, fingerprint::of_bytes(buf))
}

/// The terms of the words already seen on one thread, by number.
#[derive(Default)]
struct WordCache {
    /// Each word seen, by its number.
    ids: AHashMap<Box<str>, usize>,
    /// Per number, the word's term (`None`: not indexed).
    terms: Vec<Option<CachedTerm>>,
    /// Per number, the bits of the word in the article being extracted (0: not in it).
    bits: Vec<u8>,
    /// The numbers whose bits are set.
    touched: Vec<usize>,
}

/// A term as [`Terms`] lists it.
struct CachedTerm {
    bucket: usize,
    /// Digest of `line`, to sort by.
    hash: u64,
    /// `<folded>\t<key>`.
    line: Box<str>,
}

impl WordCache {
    /// The number of `word`, given it a term the first time.
    fn id(&mut self, word: &str) -> usize {
        if let Some(id) = self.ids.get(word) {
            return *id;
        }
        let id = self.terms.len();
        self.terms.push(Term::of(word).map(|t| {
            let line = format!("{}\t{}", t.folded, t.key);
            CachedTerm {
                bucket: bucket(&t.folded),
                hash: xxhash_rust::xxh3::xxh3_64(line.as_bytes()),
                line: line.into(),
            }
        }));
        self.bits.push(0);
        self.ids.insert(word.into(), id);
        id
    }
}

/// The words of article `a`, whose body's text is `text` ([`html_text`] of its HTML).
fn extract(site: &Site, a: &Article, text: &str, cache: &mut WordCache) -> Terms {
    let mut bodies: Vec<&str> = vec![text, &a.summary];
    bodies.extend(a.tags.iter().map(|t| site.tags[t.0].name.as_str()));
    Terms::extract(&a.title, &bodies, cache)
}

// ---------------------------------------------------------------------------
// Output files
// ---------------------------------------------------------------------------

/// What [`render`] keeps between rebuilds.
#[derive(Default)]
pub struct Cache {
    /// Each article's words, by the digest of what they are read from.
    terms: AHashMap<Digest, Arc<Terms>>,
}

/// The manifest, `tim-kiem/chi-muc.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u64,
    /// Number of articles; article `n` (0 = oldest) is in block `n / block`.
    pub docs: usize,
    pub block: usize,
    pub buckets: usize,
    /// URL of a shard, with `{block}` and `{bucket}` to replace.
    pub shard: String,
    /// URL of an article's file, with `{doc}` to replace.
    pub doc: String,
    /// Per block, a token that changes whenever one of its files changes; added to their URLs
    /// as `?v=` so browsers never mix files of two builds.
    pub versions: Vec<String>,
}

/// An article's file, `tim-kiem/bai/<n>.json`, as [`Reader`] reads it (written by
/// [`doc_bytes`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DocFile {
    /// Title.
    pub t: String,
    /// URL (root-relative, with the base path).
    pub u: String,
    /// Date, ISO (`2025-12-30`).
    pub d: String,
    /// Plain text of the body (the summary when the body is empty), for snippets.
    pub x: String,
    /// Draft (only in builds with drafts; absent otherwise).
    #[serde(default)]
    pub b: bool,
}

/// Generate the search index of `site`: the manifest, the shards and one file per article.
/// Files whose key is still `previous(file)`'s come back without bytes.
pub fn render(
    site: &Site,
    cache: &mut Cache,
    previous: &(dyn Fn(&str) -> Option<PageStamp> + Sync),
) -> Vec<RenderedPage> {
    let urls = Urls::new(&site.config.base_url);
    let n = site.articles.len();
    // Article number `doc` (0 = oldest) is `site.articles[n - 1 - doc]` (newest first).
    let article = |doc: usize| &site.articles[n - 1 - doc];

    // Words of every article, extracted only for articles whose text changed.
    let base = urls.link("");
    let (inputs, doc_keys): (Vec<Digest>, Vec<Digest>) = (0..n)
        .into_par_iter()
        .map_init(Vec::new, |buf, doc| {
            article_keys(site, &base, article(doc), buf)
        })
        .unzip();
    // A block's shards are made from the words of its articles, which are made from the
    // articles' `inputs`: keys need no words, so words are extracted only for blocks with a
    // shard to render (a build with nothing changed extracts none).
    let blocks = n.div_ceil(BLOCK);
    let block_range = |b: usize| b * BLOCK..((b + 1) * BLOCK).min(n);
    let block_keys: Vec<Digest> = (0..blocks)
        .map(|b| {
            let mut f = Fingerprinter::new();
            f.u64(FORMAT).u64(b as u64);
            for doc in block_range(b) {
                f.digest(inputs[doc]);
            }
            f.finish()
        })
        .collect();
    let shard_key = |block: usize, bucket: usize| {
        let mut f = Fingerprinter::new();
        f.u64(FORMAT).digest(block_keys[block]).u64(bucket as u64);
        f.finish()
    };
    let shard_file =
        |block: usize, bucket: usize| urls::output_file(&urls::search_shard(block, bucket));
    let needed: Vec<bool> = (0..blocks)
        .map(|b| {
            // Debug builds render every shard, to check the keys of those not written.
            cfg!(debug_assertions)
                || (0..BUCKETS).any(|k| {
                    previous(&shard_file(b, k)).map(|s| s.key) != Some(Some(shard_key(b, k)))
                })
        })
        .collect();
    // The words of the articles that have none yet, and the files of those whose key
    // changed: both are made from the body's text, taken from its HTML once.
    let made: Vec<(Option<Arc<Terms>>, DocState)> = (0..n)
        .into_par_iter()
        .map_init(WordCache::default, |words, doc| {
            let terms = needed[doc / BLOCK] && !cache.terms.contains_key(&inputs[doc]);
            // A `.json` path is its own output file (no `output_file` copy per article).
            let file = urls::search_doc(doc);
            let kept = previous(&file).filter(|b| b.key == Some(doc_keys[doc]));
            if let (false, Some(stamp)) = (terms, kept) {
                return (None, DocState::Kept { file, stamp });
            }
            let a = article(doc);
            let text = html_text(&a.html);
            let terms = terms.then(|| Arc::new(extract(site, a, &text, words)));
            let state = match kept {
                Some(stamp) => DocState::Kept { file, stamp },
                None => DocState::Made {
                    file,
                    bytes: doc_bytes(&urls, a, text),
                },
            };
            (terms, state)
        })
        .collect();
    let mut docs = Vec::with_capacity(n);
    for (doc, (terms, state)) in made.into_iter().enumerate() {
        if let Some(terms) = terms {
            cache.terms.insert(inputs[doc], terms);
        }
        docs.push(state);
    }
    // Words of articles that changed stay until a few dozen have piled up: dropping them on
    // every save would cost a set of ten thousand digests each time.
    if cache.terms.len() > n + 64 {
        let used: AHashSet<Digest> = inputs.iter().copied().collect();
        cache.terms.retain(|d, _| used.contains(d));
    }
    let terms: Vec<Option<Arc<Terms>>> = (0..n)
        .map(|doc| needed[doc / BLOCK].then(|| cache.terms[&inputs[doc]].clone()))
        .collect();
    // A block's version (in the manifest, so browsers fetch changed shards anew) also follows
    // what its articles' own files are made from.
    let versions: Vec<String> = (0..blocks)
        .map(|b| {
            let mut f = Fingerprinter::new();
            f.digest(block_keys[b]);
            for doc in block_range(b) {
                f.digest(doc_keys[doc]);
            }
            format!("{:010x}", f.finish() >> 88)
        })
        .collect();

    let manifest = Manifest {
        format: FORMAT,
        docs: n,
        block: BLOCK,
        buckets: BUCKETS,
        shard: urls.link(&urls::search_shard("{block}", "{bucket}")),
        doc: urls.link(&urls::search_doc("{doc}")),
        versions,
    };
    let manifest_bytes = serde_json::to_vec(&manifest).unwrap_or_default();
    let manifest_file = urls::output_file(&urls::search_manifest());
    let stamp = PageStamp {
        key: None,
        fingerprint: fingerprint::of_bytes(&manifest_bytes),
    };
    let manifest_page = RenderedPage {
        bytes: (previous(&manifest_file) != Some(stamp)).then_some(manifest_bytes),
        file: manifest_file,
        stamp,
    };

    // A shard: skipped by its key (its block's inputs) without words; else by its fingerprint
    // (the words its bucket holds), so an edit renders only the shards whose words changed.
    let block_words = |block: usize| -> Vec<Arc<Terms>> {
        terms[block_range(block)]
            .iter()
            .map(|t| {
                t.clone()
                    .expect("the words of a block with shards to check")
            })
            .collect()
    };
    let shard_page = |block: usize, bucket: usize| -> RenderedPage {
        let file = shard_file(block, bucket);
        let key = shard_key(block, bucket);
        let before = previous(&file);
        if let Some(before) = before.filter(|b| b.key == Some(key)) {
            // Debug builds check that equal keys mean equal words (see `render`).
            #[cfg(debug_assertions)]
            assert_eq!(
                shard_fingerprint(block, bucket, &block_words(block)),
                before.fingerprint,
                "the key of {file} missed something its words depend on"
            );
            return RenderedPage {
                file,
                stamp: before,
                bytes: None,
            };
        }
        let words = block_words(block);
        let stamp = PageStamp {
            key: Some(key),
            fingerprint: shard_fingerprint(block, bucket, &words),
        };
        let same = before.is_some_and(|b| b.fingerprint == stamp.fingerprint);
        RenderedPage {
            file,
            stamp,
            bytes: (!same).then(|| shard_bytes(&words, bucket)),
        }
    };
    // Each article's own file: its key is what it is made from; made above when it changed.
    let doc_page = |(doc, state): (usize, DocState)| -> RenderedPage {
        match state {
            DocState::Kept { file, stamp } => {
                // As for pages (see `render`): debug builds check that equal keys mean equal
                // bytes, so an input missing from a key shows up in the tests.
                #[cfg(debug_assertions)]
                {
                    let a = article(doc);
                    assert_eq!(
                        fingerprint::of_bytes(&doc_bytes(&urls, a, html_text(&a.html))),
                        stamp.fingerprint,
                        "the key of {file} missed something its bytes depend on"
                    );
                }
                RenderedPage {
                    file,
                    stamp,
                    bytes: None,
                }
            }
            DocState::Made { file, bytes } => RenderedPage {
                stamp: PageStamp {
                    key: Some(doc_keys[doc]),
                    fingerprint: fingerprint::of_bytes(&bytes),
                },
                file,
                bytes: Some(bytes),
            },
        }
    };
    let mut pages: Vec<RenderedPage> = (0..blocks * BUCKETS)
        .into_par_iter()
        .map(|i| shard_page(i / BUCKETS, i % BUCKETS))
        .chain(docs.into_par_iter().enumerate().map(doc_page))
        .collect();
    pages.push(manifest_page);
    pages
}

/// What a shard is made from: its place and the words of its bucket in each article of its block.
fn shard_fingerprint(block: usize, bucket: usize, docs: &[Arc<Terms>]) -> Digest {
    let mut f = Fingerprinter::new();
    f.u64(FORMAT).u64(block as u64).u64(bucket as u64);
    for (rel, t) in docs.iter().enumerate() {
        let d = t.bucket_digests[bucket];
        if d != 0 {
            f.u64(rel as u64).u64(d);
        }
    }
    f.finish()
}

/// An article's file in a build: the folder's, still right (its key is unchanged), or made.
enum DocState {
    Kept { file: String, stamp: PageStamp },
    Made { file: String, bytes: Vec<u8> },
}

/// An article's file; `text` is [`html_text`] of its body.
fn doc_bytes(urls: &Urls, a: &Article, text: String) -> Vec<u8> {
    // Written by hand, in `DocFile`'s order: the text, thousands of characters per article,
    // rarely needs escaping at all, and `json_str` copies it as it is then (its test: the same
    // bytes as serde_json).
    let x = if text.is_empty() { &a.summary } else { &text };
    let mut out = Vec::with_capacity(x.len() + a.title.len() + 96);
    out.extend_from_slice(b"{\"t\":");
    json_str(&mut out, &a.title);
    out.extend_from_slice(b",\"u\":");
    json_str(&mut out, &urls.link(&urls::article(&a.slug)));
    out.extend_from_slice(b",\"d\":");
    json_str(&mut out, &a.day.to_string());
    out.extend_from_slice(b",\"x\":");
    json_str(&mut out, x);
    if a.draft {
        out.extend_from_slice(b",\"b\":true");
    }
    out.push(b'}');
    out
}

/// A shard: `{"<folded>": {"<key>": [postings]}}`, words and spellings sorted. A posting is
/// `delta * 4 + bits`: `delta` the article's number minus the previous posting's (the first:
/// minus the block's first article), `bits` 1 body, 2 title, 3 both.
fn shard_bytes(docs: &[Arc<Terms>], bucket: usize) -> Vec<u8> {
    // Postings gathered by line (`<folded>\t<key>`: one hash lookup per line of each article),
    // then the distinct lines sorted once. A tab sorts before every character of a word, so
    // lines sort as (folded word, spelling) pairs do.
    let mut postings: AHashMap<&str, Vec<(usize, u8)>> = AHashMap::new();
    for (rel, t) in docs.iter().enumerate() {
        for line in t.bucket(bucket).lines() {
            let bits = line.as_bytes()[0] - b'0';
            postings.entry(&line[1..]).or_default().push((rel, bits));
        }
    }
    let mut lines: Vec<(&str, Vec<(usize, u8)>)> = postings.into_iter().collect();
    lines.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::with_capacity(1024);
    let mut number = itoa::Buffer::new();
    out.push(b'{');
    let mut previous: Option<&str> = None;
    for (line, postings) in &lines {
        let Some((folded, key)) = line.split_once('\t') else {
            continue;
        };
        if previous == Some(folded) {
            out.push(b',');
        } else {
            if previous.is_some() {
                out.extend_from_slice(b"},");
            }
            json_str(&mut out, folded);
            out.extend_from_slice(b":{");
        }
        previous = Some(folded);
        json_str(&mut out, key);
        out.extend_from_slice(b":[");
        let mut prev = 0;
        for (p, (rel, bits)) in postings.iter().enumerate() {
            if p > 0 {
                out.push(b',');
            }
            let value = (rel - prev) * 4 + usize::from(*bits);
            out.extend_from_slice(number.format(value).as_bytes());
            prev = *rel;
        }
        out.push(b']');
    }
    if previous.is_some() {
        out.push(b'}');
    }
    out.push(b'}');
    out
}

/// `s` as a JSON string, as serde_json writes it: copied as it is when nothing in it needs
/// escaping (checked 32 bytes at a time, which compiles to vector instructions: several times
/// faster than serde_json's byte-by-byte escaping).
fn json_str(out: &mut Vec<u8>, s: &str) {
    let special = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    let mut chunks = s.as_bytes().chunks_exact(32);
    let escape = chunks
        .by_ref()
        .any(|chunk| chunk.iter().fold(false, |found, &b| found | special(b)))
        || chunks.remainder().iter().any(|&b| special(b));
    if escape {
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

// ---------------------------------------------------------------------------
// Reading an index (tests, benchmarks): the algorithm of search.js
// ---------------------------------------------------------------------------

/// One article found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Article number (0 = oldest).
    pub doc: usize,
    /// Query words found.
    pub matched: usize,
    /// Query words written with diacritics and found with exactly those diacritics.
    pub exact: usize,
    /// Sum over the words found: 4 when in the title, plus 1 when in the body.
    pub weight: u32,
}

/// The answer to a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Results {
    pub terms: Vec<Term>,
    /// Best first: most words found, then most exact spellings, then highest weight, then the
    /// newest article.
    pub hits: Vec<Hit>,
    /// Whether the hits hold every query word (otherwise no article holds them all, and the
    /// hits are those holding some).
    pub complete: bool,
}

/// Reads a search index through `fetch` (URL → bytes, `None` when missing), as `search.js`
/// does, remembering nothing but the manifest.
pub struct Reader<F> {
    fetch: F,
    pub manifest: Manifest,
}

impl<F: FnMut(&str) -> Option<Vec<u8>>> Reader<F> {
    /// Read the manifest at `url`.
    pub fn open(mut fetch: F, url: &str) -> Result<Reader<F>, String> {
        let bytes = fetch(url).ok_or_else(|| format!("{url}: missing"))?;
        let manifest: Manifest =
            serde_json::from_slice(&bytes).map_err(|e| format!("{url}: {e}"))?;
        Ok(Reader { fetch, manifest })
    }

    fn get<T: for<'de> Deserialize<'de>>(&mut self, url: &str) -> Result<T, String> {
        let bytes = (self.fetch)(url).ok_or_else(|| format!("{url}: missing"))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{url}: {e}"))
    }

    /// The URLs of the shards holding `folded`, one per block.
    pub fn shard_urls(&self, folded: &str) -> Vec<String> {
        let m = &self.manifest;
        let k = bucket(folded) % m.buckets.max(1);
        (0..m.versions.len())
            .map(|b| {
                format!(
                    "{}?v={}",
                    m.shard
                        .replace("{block}", &b.to_string())
                        .replace("{bucket}", &k.to_string()),
                    m.versions[b]
                )
            })
            .collect()
    }

    /// The URL of article `doc`'s file.
    pub fn doc_url(&self, doc: usize) -> String {
        let m = &self.manifest;
        let version = m
            .versions
            .get(doc / m.block.max(1))
            .map_or("", String::as_str);
        format!("{}?v={version}", m.doc.replace("{doc}", &doc.to_string()))
    }

    /// Search, ranked as `search.js` ranks.
    pub fn search(&mut self, query: &str) -> Result<Results, String> {
        let terms = query_terms(query);
        // doc → (per term: bits, exact)
        let mut found: BTreeMap<usize, Vec<(u8, bool)>> = BTreeMap::new();
        let mut shards: HashMap<String, BTreeMap<String, BTreeMap<String, Vec<usize>>>> =
            HashMap::new();
        for (i, term) in terms.iter().enumerate() {
            for (b, url) in self.shard_urls(&term.folded).into_iter().enumerate() {
                if !shards.contains_key(&url) {
                    let shard = self.get(&url)?;
                    shards.insert(url.clone(), shard);
                }
                let Some(spellings) = shards[&url].get(&term.folded) else {
                    continue;
                };
                for (key, postings) in spellings {
                    let exact = term.has_diacritics() && *key == term.key;
                    let mut doc = b * self.manifest.block;
                    for p in postings {
                        doc += p / 4;
                        let slot = found
                            .entry(doc)
                            .or_insert_with(|| vec![(0, false); terms.len()]);
                        slot[i].0 |= (p % 4) as u8;
                        slot[i].1 |= exact;
                    }
                }
            }
        }
        let mut hits: Vec<Hit> = found
            .into_iter()
            .map(|(doc, per_term)| Hit {
                doc,
                matched: per_term.iter().filter(|(bits, _)| *bits != 0).count(),
                exact: per_term.iter().filter(|(_, exact)| *exact).count(),
                weight: per_term
                    .iter()
                    .map(|(bits, _)| {
                        (if bits & TITLE != 0 { 4 } else { 0 }) + u32::from(bits & BODY)
                    })
                    .sum(),
            })
            .collect();
        hits.sort_by(|a, b| {
            (b.matched, b.exact, b.weight, b.doc).cmp(&(a.matched, a.exact, a.weight, a.doc))
        });
        let complete = hits.first().is_some_and(|h| h.matched == terms.len());
        if complete {
            hits.retain(|h| h.matched == terms.len());
        }
        Ok(Results {
            terms,
            hits,
            complete,
        })
    }

    /// The file of article `doc`.
    pub fn doc(&mut self, doc: usize) -> Result<DocFile, String> {
        let url = self.doc_url(doc);
        self.get(&url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_drops_tags_and_decodes_entities() {
        let html = "<h2 id=\"a\">Kết quả</h2>\n<p>Ủy ban &amp; <strong>Hội</strong>đồng \
                    <a href=\"/x?a=1&amp;b=&quot;&gt;\" title=\"a > b\">nhân dân</a>&#39;s&nbsp;x</p>\
                    <ul><li>một</li><li>hai</li></ul>";
        assert_eq!(
            html_text(html),
            "Kết quả Ủy ban & Hộiđồng nhân dân's x một hai"
        );
        assert_eq!(html_text("a &unknown; b & c"), "a &unknown; b & c");
    }

    #[test]
    fn words_split_like_is_separator_for_every_character() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let text = format!("{c}ab{c}cd ạ{c}x{c}");
            let expected: Vec<&str> = text.split(is_separator).filter(|w| !w.is_empty()).collect();
            assert_eq!(words(&text).collect::<Vec<_>>(), expected, "{c:?}");
        }
    }

    #[test]
    fn json_strings_are_written_as_serde_json_writes_them() {
        let long = "Hội nghị tổng kết công tác năm của phường";
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            // The character in the last bytes; for the first planes (controls, Latin,
            // Vietnamese, punctuation) also in the first 32 bytes and after them.
            let mut texts = vec![format!("Hội {c}nghị")];
            if u32::from(c) < 0x3000 {
                texts.extend([format!("{c}{long}{long}"), format!("{long}{c}{long}")]);
            }
            for s in texts {
                let mut out = Vec::new();
                json_str(&mut out, &s);
                assert_eq!(out, serde_json::to_vec(&s).unwrap(), "{c:?}");
            }
        }
    }

    #[test]
    fn push_text_collapses_whitespace_like_split_whitespace() {
        let pieces = [
            "a", "ạ", "Ủy", " ", "  ", "\t", "\n", "\u{A0}", "\u{85}", "\u{1680}", "\u{2003}",
            "\u{3000}", "—", "\u{2060}",
        ];
        let n = pieces.len();
        for code in 0..n.pow(4) {
            let text: String = (0..4).map(|k| pieces[code / n.pow(k) % n]).collect();
            let mut out = String::new();
            push_text(&mut out, &mut false, &text);
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(out, expected, "{text:?}");
        }
    }

    #[test]
    fn byte_scans_agree_with_the_definitions_for_every_character() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            assert_eq!(
                separator_at(&s, 1),
                (is_separator(c), c.len_utf8()),
                "{c:?}"
            );
            let space = if c.is_whitespace() { c.len_utf8() } else { 0 };
            assert_eq!(whitespace_at(&s, 1), space, "{c:?}");
        }
        let text = "  Hội\u{A0}nghị ×2 ÷ «tổng kết»\u{3000}năm\u{2028}2025 ạ\u{1680}ỹ…\t\n";
        let split: Vec<&str> = text.split(is_separator).filter(|w| !w.is_empty()).collect();
        assert_eq!(words(text).collect::<Vec<_>>(), split);
        let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(html_text(text), collapsed);
    }

    #[test]
    fn words_split_on_punctuation_but_not_on_diacritics() {
        let text = "Hội nghị (tổng kết) «năm 2025»–2026, UBND/HĐND… 100.000₫ e\u{301}";
        assert_eq!(
            words(text).collect::<Vec<_>>(),
            [
                "Hội", "nghị", "tổng", "kết", "năm", "2025", "2026", "UBND", "HĐND", "100", "000",
                "e\u{301}"
            ]
        );
    }

    #[test]
    fn terms_of_one_article_are_grouped_by_bucket_with_their_fields() {
        let t = Terms::extract(
            "Hội nghị",
            &["hội nghị tổng kết, Hồi"],
            &mut WordCache::default(),
        );
        let all: Vec<&str> = (0..BUCKETS).flat_map(|k| t.bucket(k).lines()).collect();
        let mut expect = vec![
            "3hoi\thôi.",
            "1hoi\thôi`",
            "3nghi\tnghi.",
            "1tong\ttông?",
            "1ket\tkêt'",
        ];
        expect.sort_by_key(|l| {
            (
                bucket(l[1..].split('\t').next().unwrap()),
                xxhash_rust::xxh3::xxh3_64(&l.as_bytes()[1..]),
            )
        });
        assert_eq!(all, expect);
        for k in 0..BUCKETS {
            for line in t.bucket(k).lines() {
                assert_eq!(bucket(line[1..].split('\t').next().unwrap()), k);
            }
        }
    }

    #[test]
    fn shards_encode_postings_as_deltas_with_field_bits() {
        let docs: Vec<Arc<Terms>> = [("Hội nghị", "x"), ("a", "hội"), ("b", "c"), ("Hội", "hội")]
            .iter()
            .map(|(title, body)| {
                Arc::new(Terms::extract(title, &[body], &mut WordCache::default()))
            })
            .collect();
        let shard = shard_bytes(&docs, bucket("hoi"));
        let value: serde_json::Value = serde_json::from_slice(&shard).unwrap();
        // docs 0 (title), 1 (body), 3 (title and body): deltas 0, 1, 2.
        assert_eq!(value["hoi"]["hôi."], serde_json::json!([2, 5, 11]));
    }
}
