//! Vietnamese text rules of bantin.
//!
//! This module owns every rule of the project that depends on Vietnamese
//! orthography or conventions; other modules call it instead of handling
//! Vietnamese text themselves:
//!
//! * Unicode normalisation ([`nfc`]): content is compared and stored in NFC;
//!   editors' files may be NFD or use combining tone marks.
//! * Name matching ([`match_key`], [`match_key_mapped`]): keys that make
//!   "Hoà" and "Hòa", "Uỷ ban" and "Ủy ban" equal while keeping every other
//!   diacritic ("Đức" is not "Dục").
//! * Search folding ([`fold`]): lowercase without any diacritic, đ → d.
//! * URL slugs ([`slugify`]): ASCII, one `-` between words.
//! * Vietnamese alphabetical order ([`VietCollator`], [`shared_collator`]):
//!   a ă â b c d đ e ê …, tones in dictionary order, people sorted by
//!   given name.
//! * Dates in Vietnamese ([`weekday_name`], [`month_name`], [`format_date`],
//!   [`DateStyle`]).
//! * "Did you mean" hints ([`closest`]).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use std::sync::OnceLock;

use icu_collator::options::CollatorOptions;
use icu_collator::preferences::CollationNumericOrdering;
use icu_collator::{Collator, CollatorBorrowed, CollatorPreferences};
use jiff::civil::{Date, Weekday};
use unicode_normalization::char::{canonical_combining_class, is_combining_mark};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc, is_nfc_quick};

// ---------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------

/// NFC-normalises `s`.
///
/// Returns [`Cow::Borrowed`] when `s` is already in NFC (checked with the
/// quick-check property first, so the common case costs one scan and no
/// allocation).
pub fn nfc(s: &str) -> Cow<'_, str> {
    if surely_nfc(s) {
        return Cow::Borrowed(s);
    }
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => Cow::Borrowed(s),
        IsNormalized::Maybe if is_nfc(s) => Cow::Borrowed(s),
        _ => Cow::Owned(s.nfc().collect()),
    }
}

/// Whether `s` is NFC because every character is in [`ALWAYS_NFC`]: starters whose
/// NFC_Quick_Check is Yes, which NFC leaves as they are whatever surrounds them. Vietnamese
/// text in NFC passes with range comparisons only, where the quick check looks up two tables
/// per character (every content file is checked on every build); a test checks the ranges
/// against unicode-normalization's tables.
fn surely_nfc(s: &str) -> bool {
    s.chars()
        .all(|c| ALWAYS_NFC.iter().any(|r| r.contains(&u32::from(c))))
}

/// See [`surely_nfc`]: ASCII, Latin-1, Latin Extended-A and -B and the spacing modifiers;
/// Latin Extended Additional (the Vietnamese letters ạ…ỹ); punctuation (dashes, quotes, …,
/// ‰) and currency signs (₫).
const ALWAYS_NFC: [std::ops::RangeInclusive<u32>; 5] = [
    0..=0x2FF,
    0x1E00..=0x1EFF,
    0x2010..=0x2027,
    0x2030..=0x205E,
    0x20A0..=0x20C0,
];

/// Invisible format characters that are dropped when building keys: soft
/// hyphen, zero-width space, word joiner and byte-order mark. They sneak into
/// names pasted from word processors and web pages.
fn is_ignorable(c: char) -> bool {
    IGNORABLE.contains(&c)
}

/// See [`is_ignorable`].
const IGNORABLE: [char; 4] = ['\u{AD}', '\u{200B}', '\u{2060}', '\u{FEFF}'];

/// True when NFC never changes `c` nor composes it with the text before it,
/// so the text can be cut in front of `c` and both sides normalised
/// separately: `c` is a starter (canonical combining class 0) whose
/// NFC_Quick_Check value is Yes (characters that may combine with a
/// preceding one, such as combining marks and Hangul vowel jamo, are Maybe).
fn starts_nfc_piece(c: char) -> bool {
    c.is_ascii()
        || (canonical_combining_class(c) == 0
            && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes)
}

// ---------------------------------------------------------------------------
// Vowel tables
// ---------------------------------------------------------------------------

/// The twelve Vietnamese vowel letters (lowercase) with their six tones, in
/// the order: level (ngang), grave (huyền), acute (sắc), hook above (hỏi),
/// tilde (ngã), dot below (nặng).
const VOWELS: [[char; 6]; 12] = [
    ['a', 'à', 'á', 'ả', 'ã', 'ạ'],
    ['ă', 'ằ', 'ắ', 'ẳ', 'ẵ', 'ặ'],
    ['â', 'ầ', 'ấ', 'ẩ', 'ẫ', 'ậ'],
    ['e', 'è', 'é', 'ẻ', 'ẽ', 'ẹ'],
    ['ê', 'ề', 'ế', 'ể', 'ễ', 'ệ'],
    ['i', 'ì', 'í', 'ỉ', 'ĩ', 'ị'],
    ['o', 'ò', 'ó', 'ỏ', 'õ', 'ọ'],
    ['ô', 'ồ', 'ố', 'ổ', 'ỗ', 'ộ'],
    ['ơ', 'ờ', 'ớ', 'ở', 'ỡ', 'ợ'],
    ['u', 'ù', 'ú', 'ủ', 'ũ', 'ụ'],
    ['ư', 'ừ', 'ứ', 'ử', 'ữ', 'ự'],
    ['y', 'ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ'],
];

/// Row of `i` in [`VOWELS`].
const BASE_I: u8 = 5;
/// Row of `u` in [`VOWELS`].
const BASE_U: u8 = 9;

/// The letter of each [`VOWELS`] row without any diacritic.
const PLAIN_VOWELS: [char; 12] = ['a', 'a', 'a', 'e', 'e', 'i', 'o', 'o', 'o', 'u', 'u', 'y'];

/// Rows of [`VOWELS`] whose letter carries a vowel-quality mark (ă â ê ô ơ ư).
/// In a syllable such a vowel is the main vowel and takes the tone mark.
fn has_quality_mark(base: u8) -> bool {
    matches!(base, 1 | 2 | 4 | 7 | 8 | 10)
}

/// [`VOWELS`] in uppercase.
const VOWELS_UPPER: [[char; 6]; 12] = [
    ['A', 'À', 'Á', 'Ả', 'Ã', 'Ạ'],
    ['Ă', 'Ằ', 'Ắ', 'Ẳ', 'Ẵ', 'Ặ'],
    ['Â', 'Ầ', 'Ấ', 'Ẩ', 'Ẫ', 'Ậ'],
    ['E', 'È', 'É', 'Ẻ', 'Ẽ', 'Ẹ'],
    ['Ê', 'Ề', 'Ế', 'Ể', 'Ễ', 'Ệ'],
    ['I', 'Ì', 'Í', 'Ỉ', 'Ĩ', 'Ị'],
    ['O', 'Ò', 'Ó', 'Ỏ', 'Õ', 'Ọ'],
    ['Ô', 'Ồ', 'Ố', 'Ổ', 'Ỗ', 'Ộ'],
    ['Ơ', 'Ờ', 'Ớ', 'Ở', 'Ỡ', 'Ợ'],
    ['U', 'Ù', 'Ú', 'Ủ', 'Ũ', 'Ụ'],
    ['Ư', 'Ừ', 'Ứ', 'Ử', 'Ữ', 'Ự'],
    ['Y', 'Ỳ', 'Ý', 'Ỷ', 'Ỹ', 'Ỵ'],
];

/// Flag in the vowel lookup tables for an uppercase letter.
const UPPER_FLAG: u8 = 0x80;

/// Lookup table from code point (offset by `start`) to `row * 6 + tone + 1`
/// (plus [`UPPER_FLAG`] for uppercase letters), 0 for characters that are
/// not Vietnamese vowels.
const fn build_vowel_lut<const N: usize>(start: u32) -> [u8; N] {
    let mut lut = [0u8; N];
    let mut row = 0;
    while row < VOWELS.len() {
        let mut tone = 0;
        while tone < 6 {
            let code = (row * 6 + tone + 1) as u8;
            let lower = VOWELS[row][tone] as u32;
            if lower >= start && ((lower - start) as usize) < N {
                lut[(lower - start) as usize] = code;
            }
            let upper = VOWELS_UPPER[row][tone] as u32;
            if upper >= start && ((upper - start) as usize) < N {
                lut[(upper - start) as usize] = code | UPPER_FLAG;
            }
            tone += 1;
        }
        row += 1;
    }
    lut
}

/// Covers U+0000..U+01B0 (ASCII, Latin-1, Latin Extended-A/B up to ư).
static VOWEL_LUT_LOW: [u8; 0x1B1] = build_vowel_lut(0);
/// First code point of the Latin Extended Additional Vietnamese block.
const VOWEL_EXT_START: u32 = 0x1EA0;
/// Covers U+1EA0..=U+1EF9 (Ạ ạ … Ỹ ỹ).
static VOWEL_LUT_EXT: [u8; 0x5A] = build_vowel_lut(VOWEL_EXT_START);

#[inline]
fn vowel_code(c: char) -> u8 {
    let cp = c as u32;
    if let Some(&code) = VOWEL_LUT_LOW.get(cp as usize) {
        code
    } else if let Some(&code) = VOWEL_LUT_EXT.get(cp.wrapping_sub(VOWEL_EXT_START) as usize) {
        code
    } else {
        0
    }
}

/// A lowercase Vietnamese vowel split into its row in [`VOWELS`] and tone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Vowel {
    base: u8,
    tone: u8,
}

/// Splits a lowercase, precomposed Vietnamese vowel into letter and tone.
#[inline]
fn vowel(c: char) -> Option<Vowel> {
    let code = vowel_code(c);
    (code != 0 && code & UPPER_FLAG == 0).then(|| Vowel {
        base: (code - 1) / 6,
        tone: (code - 1) % 6,
    })
}

/// Lowercase form of a precomposed Vietnamese vowel or of đ (Đ, and ð/Ð,
/// which stand in for it); `None` for anything else. A table lookup, much
/// cheaper than the general Unicode lowercase mapping.
#[inline]
fn lower_vietnamese_letter(c: char) -> Option<char> {
    match vowel_code(c) & !UPPER_FLAG {
        0 => matches!(c, 'đ' | 'Đ' | 'ð' | 'Ð').then_some('đ'),
        code => {
            let i = (code - 1) as usize;
            Some(VOWELS[i / 6][i % 6])
        }
    }
}

/// The letter without diacritics used by [`closest`] to spot substitutions
/// that only change a diacritic (lowercase input).
fn plain_letter(c: char) -> char {
    match vowel(c) {
        Some(v) => PLAIN_VOWELS[v.base as usize],
        None if c == 'đ' => 'd',
        None => c,
    }
}

// ---------------------------------------------------------------------------
// Tone placement
// ---------------------------------------------------------------------------

/// Longest letter run treated as a possible syllable ("nghiêng" has 7).
const SYLLABLE_CAP: usize = 8;

/// Moves the tone mark of one lowercase NFC syllable to its canonical vowel.
///
/// The syllable is read as onset consonants, one run of vowels, and final
/// consonants. A letter run that has no tone, more than one tone, vowels in
/// two places ("café") or more than three vowels is not a Vietnamese syllable
/// and is left alone. After an onset of exactly `q` the `u`, and after
/// exactly `g` the `i`, belong to the consonant ("qu", "gi") when another
/// vowel follows, so "quý", "quỳnh", "giá", "giữa" keep the tone on the real
/// vowel (and misspellings like "qúy", "gía" are repaired). The tone then
/// goes on:
///
/// 1. the last vowel with a quality mark (ă â ê ô ơ ư) if there is one
///    ("người", "thuyền", "tuần");
/// 2. otherwise the only vowel; the middle one of three ("hoài", "khuỷu");
///    of two, the second when a final consonant follows ("hoàng", "huỳnh")
///    and the first when none does ("mái", "múa", and the old-style "hòa",
///    "khỏe", "thủy", "ủy").
fn place_tone(syllable: &mut [char]) {
    let n = syllable.len();
    debug_assert!(n <= SYLLABLE_CAP);
    let mut info = [None; SYLLABLE_CAP];
    for (slot, &c) in info.iter_mut().zip(syllable.iter()) {
        *slot = vowel(c);
    }
    let info = &info[..n];
    let Some(first) = info.iter().position(Option::is_some) else {
        return;
    };
    let end = first + info[first..].iter().take_while(|v| v.is_some()).count();
    if info[end..].iter().any(Option::is_some) {
        return;
    }
    let mut tone = 0;
    for v in info[first..end].iter().flatten() {
        if v.tone != 0 {
            if tone != 0 {
                return;
            }
            tone = v.tone;
        }
    }
    if tone == 0 {
        return;
    }
    let base_of = |k: usize| info[k].map_or(0, |v| v.base);
    let mut start = first;
    if first == 1
        && end - first >= 2
        && ((syllable[0] == 'q' && base_of(first) == BASE_U)
            || (syllable[0] == 'g' && base_of(first) == BASE_I))
    {
        start = first + 1;
    }
    let count = end - start;
    if count > 3 {
        return;
    }
    let target = match (start..end).rev().find(|&k| has_quality_mark(base_of(k))) {
        Some(k) => k,
        None => match count {
            1 => start,
            2 if end < n => start + 1,
            2 => start,
            _ => start + 1,
        },
    };
    for k in first..end {
        let row = &VOWELS[base_of(k) as usize];
        syllable[k] = if k == target {
            row[tone as usize]
        } else {
            row[0]
        };
    }
}

// ---------------------------------------------------------------------------
// Match keys
// ---------------------------------------------------------------------------

/// Source byte range `(start, end)` that one key character comes from.
type Span = (usize, usize);

/// Receives, for each byte of a key being built, the span of the source
/// text it comes from.
trait OffsetSink {
    fn record(&mut self, key_bytes: usize, source: Span);
}

/// Used by [`match_key`]: offsets are not needed, and all calls compile away.
struct NoOffsets;

impl OffsetSink for NoOffsets {
    #[inline(always)]
    fn record(&mut self, _: usize, _: Span) {}
}

impl OffsetSink for Vec<Span> {
    fn record(&mut self, key_bytes: usize, source: Span) {
        self.extend(std::iter::repeat_n(source, key_bytes));
    }
}

/// Streaming builder for match keys: lowercases, collapses whitespace and
/// buffers letter runs (on the stack) so that [`place_tone`] can fix each
/// syllable before it is written.
struct KeyBuilder<'a, S: OffsetSink> {
    out: &'a mut String,
    sink: S,
    syllable: [char; SYLLABLE_CAP],
    syllable_src: [Span; SYLLABLE_CAP],
    syllable_len: usize,
    /// The current letter run outgrew [`SYLLABLE_CAP`] and is copied as is.
    overflow: bool,
    /// Span of the first character of a whitespace run not yet written as
    /// one space.
    pending_space: Option<Span>,
    /// Length of `out` before this key (keys can be appended to a buffer).
    base: usize,
}

impl<'a, S: OffsetSink> KeyBuilder<'a, S> {
    fn new(out: &'a mut String, sink: S) -> Self {
        Self {
            base: out.len(),
            out,
            sink,
            syllable: ['\0'; SYLLABLE_CAP],
            syllable_src: [(0, 0); SYLLABLE_CAP],
            syllable_len: 0,
            overflow: false,
            pending_space: None,
        }
    }

    #[inline]
    fn emit(&mut self, c: char, src: Span) {
        self.out.push(c);
        self.sink.record(c.len_utf8(), src);
    }

    #[inline]
    fn emit_pending_space(&mut self) {
        if let Some(src) = self.pending_space.take() {
            self.emit(' ', src);
        }
    }

    fn flush_syllable(&mut self) {
        let len = self.syllable_len;
        if len > 0 {
            place_tone(&mut self.syllable[..len]);
        }
        self.flush_syllable_unchanged();
    }

    fn flush_syllable_unchanged(&mut self) {
        for k in 0..self.syllable_len {
            self.emit(self.syllable[k], self.syllable_src[k]);
        }
        self.syllable_len = 0;
        self.overflow = false;
    }

    /// Feeds one NFC character that comes from the source span `src`.
    #[inline]
    fn push(&mut self, c: char, src: Span) {
        if c.is_ascii() {
            if c.is_ascii_alphabetic() {
                self.push_letter(c.to_ascii_lowercase(), src);
            } else if matches!(c, '\t'..='\r' | ' ') {
                self.push_whitespace(src);
            } else {
                self.push_other(c, src);
            }
        } else if let Some(lower) = lower_vietnamese_letter(c) {
            self.push_letter(lower, src);
        } else if c.is_whitespace() {
            self.push_whitespace(src);
        } else {
            for lower in c.to_lowercase() {
                if lower.is_alphabetic() {
                    self.push_letter(lower, src);
                } else {
                    if is_combining_mark(lower) {
                        // A mark NFC could not compose (ỵ + tilde): the letter
                        // run is not clean Vietnamese, and moving a tone would
                        // let the mark compose differently next time.
                        self.flush_syllable_unchanged();
                    }
                    self.push_other(lower, src);
                }
            }
        }
    }

    #[inline]
    fn push_whitespace(&mut self, src: Span) {
        self.flush_syllable();
        if self.out.len() > self.base && self.pending_space.is_none() {
            self.pending_space = Some(src);
        }
    }

    #[inline]
    fn push_letter(&mut self, c: char, src: Span) {
        self.emit_pending_space();
        if self.overflow {
            self.emit(c, src);
        } else if self.syllable_len == SYLLABLE_CAP {
            // Too long for a Vietnamese syllable: copy the run unchanged.
            self.flush_syllable_unchanged();
            self.overflow = true;
            self.emit(c, src);
        } else {
            self.syllable[self.syllable_len] = c;
            self.syllable_src[self.syllable_len] = src;
            self.syllable_len += 1;
        }
    }

    #[inline]
    fn push_other(&mut self, c: char, src: Span) {
        self.flush_syllable();
        self.emit_pending_space();
        self.emit(c, src);
    }

    fn finish(mut self) -> S {
        self.flush_syllable();
        self.sink
    }
}

/// Appends the match key of `s` to `out`, reporting source spans to `sink`.
fn build_key<S: OffsetSink>(s: &str, out: &mut String, sink: S) -> S {
    out.reserve(s.len());
    if !s.is_ascii() && s.contains(IGNORABLE) {
        // Remove invisible characters before normalising, so that what is
        // around them composes as if they had never been there.
        let mut filtered = String::with_capacity(s.len());
        let mut shifts = Vec::new();
        let mut removed = 0;
        for c in s.chars() {
            if is_ignorable(c) {
                removed += c.len_utf8();
                match shifts.last_mut() {
                    Some((at, total)) if *at == filtered.len() => *total = removed,
                    _ => shifts.push((filtered.len(), removed)),
                }
            } else {
                filtered.push(c);
            }
        }
        let sink = Shifted {
            inner: sink,
            shifts,
        };
        return build_clean_key(&filtered, out, sink).inner;
    }
    build_clean_key(s, out, sink)
}

/// Translates spans in a text with ignorable characters removed back to the
/// original text.
struct Shifted<S> {
    inner: S,
    /// (offset in the filtered text, bytes removed before it), ascending.
    shifts: Vec<(usize, usize)>,
}

impl<S> Shifted<S> {
    /// Bytes removed before filtered offset `at`; `inclusive` also counts
    /// those removed exactly at `at` (they precede the character there).
    fn removed_before(&self, at: usize, inclusive: bool) -> usize {
        let i = self
            .shifts
            .partition_point(|&(p, _)| if inclusive { p <= at } else { p < at });
        i.checked_sub(1).map_or(0, |i| self.shifts[i].1)
    }
}

impl<S: OffsetSink> OffsetSink for Shifted<S> {
    fn record(&mut self, key_bytes: usize, (start, end): Span) {
        let start = start + self.removed_before(start, true);
        let end = end + self.removed_before(end, false);
        self.inner.record(key_bytes, (start, end));
    }
}

/// [`build_key`] for text without ignorable characters.
fn build_clean_key<S: OffsetSink>(s: &str, out: &mut String, mut sink: S) -> S {
    if s.is_ascii() {
        // Fast path: no normalisation, no tones, byte-wise lowercase.
        let base = out.len();
        let mut pending_space = None;
        for (i, b) in s.bytes().enumerate() {
            if (b as char).is_whitespace() {
                if out.len() > base && pending_space.is_none() {
                    pending_space = Some(i);
                }
                continue;
            }
            if let Some(at) = pending_space.take() {
                out.push(' ');
                sink.record(1, (at, at + 1));
            }
            out.push(b.to_ascii_lowercase() as char);
            sink.record(1, (i, i + 1));
        }
        return sink;
    }
    let mut builder = KeyBuilder::new(out, sink);
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        for (i, c) in s.char_indices() {
            builder.push(c, (i, i + c.len_utf8()));
        }
    } else {
        // Normalise piece by piece so that every key character can still be
        // traced back to the source; see `starts_nfc_piece` for why this
        // equals normalising the whole text.
        let feed = |builder: &mut KeyBuilder<'_, S>, span: Span| {
            for c in s[span.0..span.1].nfc() {
                builder.push(c, span);
            }
        };
        let mut piece_start = 0;
        for (i, c) in s.char_indices() {
            if i > piece_start && starts_nfc_piece(c) {
                feed(&mut builder, (piece_start, i));
                piece_start = i;
            }
        }
        if piece_start < s.len() {
            feed(&mut builder, (piece_start, s.len()));
        }
    }
    builder.finish()
}

/// Key for matching names of officials, departments and tags.
///
/// The key is NFC, lowercase, with whitespace runs collapsed to one space
/// and trimmed, invisible format characters (soft hyphen, zero-width space,
/// word joiner, BOM) removed, ð (eth, a common stand-in) read as đ, and the
/// tone mark of every syllable moved to one canonical vowel, so "Hoà" ==
/// "hòa", "thuỷ" == "thủy", "Uỷ ban" == "Ủy ban", "khoẻ" == "khỏe".
/// Every other diacritic is kept: "Đức" != "Dục", "Bình" != "Binh", and
/// "quý" != "quí" (different letters, not a placement choice). NFD input and
/// input with separate combining tone marks give the same key, and the key
/// of a key is the key itself.
///
/// # Canonical placement
///
/// The canonical placement is the traditional ("old") style: in an open
/// syllable with `oa`, `oe` or `uy` the tone goes on the first vowel (hòa,
/// khỏe, thủy, ủy). It is the spelling of official names in administrative
/// documents ("Ủy ban nhân dân", "Đảng ủy"), so keys read like the names
/// editors type most, and it lets one rule cover every open two-vowel
/// syllable (mái, múa, hòa, thủy: tone on the first vowel) without word
/// lists. Onsets "qu" and "gi" are recognised, so "quý", "quỳnh", "giá",
/// "giữ" are never changed (and "qúy", "gía" become "quý", "giá"). The full
/// rule is documented on the private `place_tone` function.
///
/// # Byte length
///
/// The key does **not** keep the byte length of the input in general, even
/// for NFC input: whitespace is collapsed and trimmed, ignorable characters
/// are dropped, a few lowercase mappings change length (İ, the Kelvin sign),
/// and some tone moves change the UTF-8 length because one of the two
/// precomposed letters is in Latin-1 and the other is not (tuỳ → tùy, uỹ →
/// ũy, oẽ → õe lose one byte; misspellings such as qùy → quỳ gain one).
/// Common Vietnamese NFC text without such cases keeps its length (hoà →
/// hòa, thuỷ → thủy, Uỷ → ủy all do). Code that needs to map a match in the
/// key back to the source (mention detection) should use
/// [`match_key_mapped`], which records the exact source spans.
///
/// # Performance
///
/// ASCII input takes a byte-wise fast path. Otherwise the text is scanned
/// once for the NFC quick check and once to build the key; Vietnamese
/// letters are lowercased by table lookup and buffered per syllable on the
/// stack, so the only allocation is the output.
pub fn match_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    build_key(s, &mut out, NoOffsets);
    out
}

/// Like [`match_key`] but appends the key to `out` (reuse one buffer when
/// building many keys).
pub fn match_key_into(s: &str, out: &mut String) {
    build_key(s, out, NoOffsets);
}

/// A [`match_key`] together with a map from key bytes back to the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedKey {
    key: String,
    /// For each key byte, the source span of the character it comes from
    /// (for NFD input: the base character with its marks; for a collapsed
    /// space: the first whitespace character of the run).
    spans: Vec<Span>,
}

impl MappedKey {
    /// The key, identical to `match_key(source)`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Consumes the map and returns the key.
    pub fn into_key(self) -> String {
        self.key
    }

    /// Source byte offset where the key character at `key_offset` starts;
    /// `key().len()` gives the end of the last source character that
    /// produced key text (0 for an empty key).
    ///
    /// # Panics
    /// If `key_offset > key().len()`.
    pub fn source_offset(&self, key_offset: usize) -> usize {
        if key_offset == self.key.len() {
            self.spans.last().map_or(0, |s| s.1)
        } else {
            self.spans[key_offset].0
        }
    }

    /// Source byte range of the text that produced `key_range` (a range of
    /// char boundaries in the key), e.g. to highlight or link a name found in
    /// the key: from the start of the first character to the end of the last
    /// one, so surrounding whitespace and invisible characters are left out.
    ///
    /// # Panics
    /// If the range is reversed or goes past the end of the key.
    pub fn source_range(&self, key_range: Range<usize>) -> Range<usize> {
        assert!(key_range.start <= key_range.end, "reversed key range");
        let start = self.source_offset(key_range.start);
        if key_range.is_empty() {
            return start..start;
        }
        start..self.spans[key_range.end - 1].1.max(start)
    }
}

/// [`match_key`] with a map back to byte offsets in `s`, for finding names
/// inside longer text: search the key, then translate the match with
/// [`MappedKey::source_range`]. Works on NFC and NFD input alike.
pub fn match_key_mapped(s: &str) -> MappedKey {
    let mut key = String::with_capacity(s.len());
    let spans = build_key(s, &mut key, Vec::with_capacity(s.len()));
    debug_assert_eq!(spans.len(), key.len());
    MappedKey { key, spans }
}

/// Lowercase `s` when every character keeps its UTF-8 length (true of every Vietnamese
/// letter), so that byte offsets in the result are byte offsets in `s`; `None` otherwise.
/// Mention detection uses it as its fast path: lowercasing is several times faster than
/// building a full [`match_key`] with offsets.
pub fn lowercase_same_offsets(s: &str) -> Option<String> {
    // ASCII lowercased in one pass over the copy; then only the non-ASCII characters (a few
    // per word in Vietnamese) are looked at, and the rare capitals among them replaced in place.
    let mut out = s.to_ascii_lowercase();
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(p) = bytes[i..].iter().position(|b| !b.is_ascii()) {
        let at = i + p;
        // Most letters are lowercase already, and those of Latin-1 (à…ÿ, but ð, read as đ)
        // and of Vietnamese (ạ…ỹ, where lowercase letters have odd code points) are known by
        // their bytes.
        match (bytes[at], bytes.get(at + 1), bytes.get(at + 2)) {
            (0xC3, Some(0xA0..=0xAF | 0xB1..), _) => {
                i = at + 2;
                continue;
            }
            (0xE1, Some(0xBA | 0xBB), Some(last)) if last & 1 == 1 => {
                i = at + 3;
                continue;
            }
            _ => {}
        }
        let c = s[at..].chars().next()?;
        // Vietnamese letters by table; anything else through Unicode's mapping.
        let l = match lower_vietnamese_letter(c) {
            Some(l) => l,
            None if c.is_uppercase() => {
                let mut lower = c.to_lowercase();
                let l = lower.next()?;
                if lower.next().is_some() {
                    return None;
                }
                l
            }
            None => c,
        };
        let len = c.len_utf8();
        if l != c {
            if l.len_utf8() != len {
                return None;
            }
            out.replace_range(at..at + len, l.encode_utf8(&mut [0; 4]));
        }
        i = at + len;
    }
    Some(out)
}

/// Tone marks that old/new placement moves.
const TONE_MARKS: [char; 5] = ['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}'];

/// The new-style spelling of one lowercase NFC word whose tone [`match_key`] put on the first
/// vowel of a final open "oa", "oe" or "uy" (hòa → hoà, khỏe → khoẻ, thủy → thuỷ); `None` when
/// the two styles agree.
fn new_style_tone(word: &str) -> Option<String> {
    let chars: Vec<char> = word.nfd().collect();
    let bases: Vec<usize> = chars
        .iter()
        .enumerate()
        .filter(|(_, c)| !is_combining_mark(**c))
        .map(|(i, _)| i)
        .collect();
    let [.., before, first, second] = bases[..] else {
        if let [first, second] = bases[..] {
            return move_tone(&chars, None, first, second);
        }
        return None;
    };
    move_tone(&chars, Some(chars[before]), first, second)
}

fn move_tone(chars: &[char], before: Option<char>, first: usize, second: usize) -> Option<String> {
    let pair = (chars[first], chars[second]);
    let open_pair = matches!(pair, ('o', 'a') | ('o', 'e') | ('u', 'y'));
    if !open_pair || (pair.0 == 'u' && before == Some('q')) {
        return None;
    }
    let tone = chars[first + 1..second]
        .iter()
        .position(|c| TONE_MARKS.contains(c))
        .map(|i| first + 1 + i)?;
    let mut moved: Vec<char> = chars.to_vec();
    let mark = moved.remove(tone);
    moved.push(mark);
    Some(moved.into_iter().collect::<String>().nfc().collect())
}

/// Every spelling of a [`match_key`] under old and new tone placement ("đảng ủy" →
/// ["đảng ủy", "đảng uỷ"]), the key itself first. Used to search lowercase text directly.
///
/// A name with more than [`MAX_TONE_WORDS`] words spelled either way would have too many
/// spellings to list (two to the power of their number: an alias of 25 such words would not fit
/// in memory); it gets two, every word the old way or every word the new way, as one typist
/// writes them.
pub fn tone_placement_variants(key: &str) -> Vec<String> {
    // Only real alternatives: in a word that is not one syllable ("bìnthủy", two tones)
    // `match_key` moves nothing, so the other placement would not be the same name.
    let words: Vec<(&str, Option<String>)> = key
        .split(' ')
        .map(|w| (w, new_style_tone(w).filter(|alt| match_key(alt) == w)))
        .collect();
    if words.iter().filter(|(_, alt)| alt.is_some()).count() > MAX_TONE_WORDS {
        let other: Vec<&str> = words
            .iter()
            .map(|(w, alt)| alt.as_deref().unwrap_or(w))
            .collect();
        return vec![key.to_string(), other.join(" ")];
    }
    let mut variants = vec![String::new()];
    for (i, (word, alt)) in words.iter().enumerate() {
        let alternatives: Vec<&str> = std::iter::once(*word).chain(alt.as_deref()).collect();
        variants = variants
            .iter()
            .flat_map(|v| {
                alternatives.iter().map(move |a| {
                    if i == 0 {
                        a.to_string()
                    } else {
                        format!("{v} {a}")
                    }
                })
            })
            .collect();
    }
    variants
}

/// See [`tone_placement_variants`]: at most 2⁶ = 64 spellings of one name.
pub const MAX_TONE_WORDS: usize = 6;

// ---------------------------------------------------------------------------
// Search folding and slugs
// ---------------------------------------------------------------------------

/// Letters without a canonical decomposition that still read as `d`.
fn is_d_with_stroke(c: char) -> bool {
    matches!(c, 'đ' | 'Đ' | 'ð' | 'Ð')
}

/// Search folding: lowercase, all diacritics removed, đ → d, whitespace runs
/// collapsed to one space and trimmed, invisible format characters removed.
/// "Đảng ủy" → "dang uy". Works on NFC and NFD input alike. Characters other
/// than letters (punctuation, digits) are kept.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut push = |out: &mut String, c: char| {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    };
    if s.is_ascii() {
        for b in s.bytes() {
            push(&mut out, b.to_ascii_lowercase() as char);
        }
        return out;
    }
    for c in s.chars().nfd() {
        if is_combining_mark(c) || is_ignorable(c) {
            continue;
        }
        if is_d_with_stroke(c) {
            push(&mut out, 'd');
            continue;
        }
        for lower in c.to_lowercase() {
            if !is_combining_mark(lower) {
                push(&mut out, lower);
            }
        }
    }
    if out.is_ascii() {
        out
    } else {
        // Recompose what decomposition split apart without being a mark
        // (Hangul syllables, for instance).
        match nfc(&out) {
            Cow::Borrowed(_) => out,
            Cow::Owned(composed) => composed,
        }
    }
}

/// Search key of one word that keeps every diacritic but not where the tone
/// mark sits: lowercase NFC letters with their quality marks (ă â ê ô ơ ư đ),
/// the tone marks removed and appended as VIQR signs (` huyền, ' sắc, ? hỏi,
/// ~ ngã, . nặng). "Hội" → "hôi.", "hoà" and "hòa" → "hoa`", "Đảng" →
/// "đang?", "dang" → "dang". ð is read as đ, invisible format characters are
/// dropped. The search index ranks a word typed with exactly these diacritics
/// above words that only match once folded ([`fold`]); `search.js` computes
/// the same key in the browser.
pub fn tone_key(word: &str) -> String {
    let mut base = String::with_capacity(word.len());
    let mut tones = String::new();
    for c in word.chars().nfd() {
        if is_ignorable(c) {
            continue;
        }
        for lower in c.to_lowercase() {
            match lower {
                '\u{0300}' => tones.push('`'),
                '\u{0301}' => tones.push('\''),
                '\u{0309}' => tones.push('?'),
                '\u{0303}' => tones.push('~'),
                '\u{0323}' => tones.push('.'),
                'ð' => base.push('đ'),
                other => base.push(other),
            }
        }
    }
    let mut key = nfc(&base).into_owned();
    key.push_str(&tones);
    key
}

/// Writes slug characters: lowercase ASCII letters and digits, one `-` for
/// every run of anything else between them.
struct SlugWriter {
    out: String,
    separator: bool,
}

impl SlugWriter {
    fn push_ascii(&mut self, b: u8) {
        if b.is_ascii_alphanumeric() {
            if self.separator && !self.out.is_empty() {
                self.out.push('-');
            }
            self.separator = false;
            self.out.push(b.to_ascii_lowercase() as char);
        } else {
            self.separator = true;
        }
    }
}

/// ASCII URL slug: "Hội nghị tổng kết công tác năm 2025" →
/// "hoi-nghi-tong-ket-cong-tac-nam-2025".
///
/// Diacritics are removed, đ/Đ → d, every word is kept, each run of
/// characters that are not ASCII letters or digits becomes one `-`, and the
/// result is trimmed and lowercase. Letters of other scripts are
/// transliterated with `deunicode` (ß → ss); symbols and emoji only separate
/// words. NFD input gives the same result. Returns an empty string when
/// nothing alphanumeric is left (callers report that as an error).
pub fn slugify(s: &str) -> String {
    let mut w = SlugWriter {
        out: String::with_capacity(s.len()),
        separator: false,
    };
    for c in s.chars().nfd() {
        if c.is_ascii() {
            w.push_ascii(c as u8);
        } else if is_combining_mark(c) || is_ignorable(c) {
            // Diacritics vanish without splitting the word.
        } else if is_d_with_stroke(c) {
            w.push_ascii(b'd');
        } else if c.is_alphanumeric() {
            match deunicode::deunicode_char(c) {
                Some(ascii) => ascii.bytes().for_each(|b| w.push_ascii(b)),
                None => w.separator = true,
            }
        } else {
            w.separator = true;
        }
    }
    w.out
}

// ---------------------------------------------------------------------------
// Collation
// ---------------------------------------------------------------------------

/// Vietnamese alphabetical order, using ICU4X's collator for the `vi` locale
/// (compiled data): a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x
/// y, then tones in dictionary order (level, grave, hook, tilde, acute, dot
/// below), then case. Digit runs compare by numeric value ("Khu phố 2" <
/// "Khu phố 10").
///
/// Build it once and reuse it (or use [`shared_collator`]). The wrapped
/// `CollatorBorrowed<'static>` only holds `'static` references to the baked
/// data, so `VietCollator` is `Send + Sync` (checked at compile time) and can
/// be shared across rayon threads without a lock.
#[derive(Debug)]
pub struct VietCollator {
    inner: CollatorBorrowed<'static>,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<VietCollator>();
};

impl VietCollator {
    /// Creates the Vietnamese collator from ICU4X's compiled data.
    pub fn new() -> Self {
        let locale = icu_locale_core::locale!("vi");
        let mut prefs = CollatorPreferences::from(&locale);
        prefs.numeric_ordering = Some(CollationNumericOrdering::True);
        let inner = Collator::try_new(prefs, CollatorOptions::default())
            .expect("ICU4X compiled data includes the Vietnamese collation");
        Self { inner }
    }

    /// Compares two strings in Vietnamese order. Canonically equivalent
    /// strings (NFC and NFD of the same text) compare equal.
    pub fn compare(&self, a: &str, b: &str) -> Ordering {
        self.inner.compare(a, b)
    }

    /// Compares people's full names the Vietnamese way: by given name (the
    /// last word) first, then by the rest from the family name on. "Lý Hoàng
    /// Tuấn" sorts under T, and "Nguyễn Văn An" < "Trần Thị An" < "Lê Văn
    /// Bình". A one-word name is its own given name.
    pub fn compare_person_names(&self, a: &str, b: &str) -> Ordering {
        let (given_a, rest_a) = split_person_name(a);
        let (given_b, rest_b) = split_person_name(b);
        self.compare(given_a, given_b).then_with(|| {
            let mut words_a = rest_a.split_whitespace();
            let mut words_b = rest_b.split_whitespace();
            loop {
                match (words_a.next(), words_b.next()) {
                    (Some(x), Some(y)) => match self.compare(x, y) {
                        Ordering::Equal => {}
                        unequal => return unequal,
                    },
                    (x, y) => return x.is_some().cmp(&y.is_some()),
                }
            }
        })
    }
}

impl Default for VietCollator {
    fn default() -> Self {
        Self::new()
    }
}

/// One process-wide [`VietCollator`], built on first use.
pub fn shared_collator() -> &'static VietCollator {
    static COLLATOR: OnceLock<VietCollator> = OnceLock::new();
    COLLATOR.get_or_init(VietCollator::new)
}

/// Splits a full name into (given name, family and middle names).
fn split_person_name(name: &str) -> (&str, &str) {
    let name = name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((rest, given)) => (given, rest),
        None => (name, ""),
    }
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// Vietnamese weekday name: "Thứ Hai" (Monday) … "Thứ Bảy", "Chủ Nhật".
pub fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Thứ Hai",
        Weekday::Tuesday => "Thứ Ba",
        Weekday::Wednesday => "Thứ Tư",
        Weekday::Thursday => "Thứ Năm",
        Weekday::Friday => "Thứ Sáu",
        Weekday::Saturday => "Thứ Bảy",
        Weekday::Sunday => "Chủ Nhật",
    }
}

/// "Tháng 1" … "Tháng 12" (no leading zero).
pub fn month_name(month: i8) -> String {
    format!("Tháng {month}")
}

/// How [`format_date`] writes a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// "Thứ Ba, 30/12/2025"
    Full,
    /// "ngày 30 tháng 12 năm 2025"
    Long,
    /// "30/12/2025"
    Short,
    /// "Thứ Ba"
    Weekday,
    /// "Tháng 12/2025"
    MonthYear,
}

impl DateStyle {
    /// Every style, in declaration order.
    pub const ALL: [DateStyle; 5] = [
        DateStyle::Full,
        DateStyle::Long,
        DateStyle::Short,
        DateStyle::Weekday,
        DateStyle::MonthYear,
    ];

    /// The name used in templates: "full", "long", "short", "weekday",
    /// "month_year".
    pub fn as_str(self) -> &'static str {
        match self {
            DateStyle::Full => "full",
            DateStyle::Long => "long",
            DateStyle::Short => "short",
            DateStyle::Weekday => "weekday",
            DateStyle::MonthYear => "month_year",
        }
    }
}

impl fmt::Display for DateStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DateStyle {
    type Err = String;

    /// Parses "full", "long", "short", "weekday" or "month_year".
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateStyle::ALL
            .into_iter()
            .find(|style| style.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "không có định dạng ngày «{s}» (dùng: full, long, short, weekday, month_year)"
                )
            })
    }
}

/// Formats a date in Vietnamese.
///
/// * `Full`: "Thứ Ba, 30/12/2025"
/// * `Long`: "ngày 30 tháng 12 năm 2025" (prose, no leading zeros: "ngày 5
///   tháng 1 năm 2026")
/// * `Short`: "30/12/2025"
/// * `Weekday`: "Thứ Ba"
/// * `MonthYear`: "Tháng 12/2025" (month without leading zero, like
///   [`month_name`]: "Tháng 1/2026")
///
/// Day and month are two digits in the dd/mm/yyyy forms (05/01/2026).
pub fn format_date(d: Date, style: DateStyle) -> String {
    let (day, month, year) = (d.day(), d.month(), d.year());
    match style {
        DateStyle::Full => format!("{}, {day:02}/{month:02}/{year}", weekday_name(d.weekday())),
        DateStyle::Long => format!("ngày {day} tháng {month} năm {year}"),
        DateStyle::Short => format!("{day:02}/{month:02}/{year}"),
        DateStyle::Weekday => weekday_name(d.weekday()).to_owned(),
        DateStyle::MonthYear => format!("Tháng {month}/{year}"),
    }
}

// ---------------------------------------------------------------------------
// "Did you mean"
// ---------------------------------------------------------------------------

/// Edit distance between two match keys (optimal string alignment: the
/// Levenshtein operations plus swapping two neighbouring letters), in half
/// edits: inserting, deleting, replacing or swapping letters costs 2,
/// replacing a letter by the same letter with other diacritics (a/ă/á, d/đ)
/// costs 1. `rows` is scratch space reused between calls.
fn weighted_distance(a: &[char], b: &[char], rows: &mut Vec<u32>) -> u32 {
    let width = b.len() + 1;
    rows.clear();
    rows.resize(3 * width, 0);
    let (mut older, rest) = rows.split_at_mut(width);
    let (mut previous, mut current) = rest.split_at_mut(width);
    for (j, cell) in previous.iter_mut().enumerate() {
        *cell = 2 * j as u32;
    }
    for (i, &ca) in a.iter().enumerate() {
        current[0] = 2 * (i as u32 + 1);
        let plain_a = plain_letter(ca);
        for (j, &cb) in b.iter().enumerate() {
            let substitution = if ca == cb {
                0
            } else if plain_a == plain_letter(cb) {
                1
            } else {
                2
            };
            let mut best = (previous[j] + substitution)
                .min(previous[j + 1] + 2)
                .min(current[j] + 2);
            if i > 0 && j > 0 && ca == b[j - 1] && a[i - 1] == cb {
                best = best.min(older[j - 1] + 2);
            }
            current[j + 1] = best;
        }
        std::mem::swap(&mut older, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// True when `needle` occurs in `haystack` between word boundaries.
fn contains_word_sequence(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(start, m)| {
        let end = start + m.len();
        let before = haystack[..start].chars().next_back();
        let after = haystack[end..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Up to `max` candidates close to `query`, best first, for "did you mean"
/// hints.
///
/// Names are compared by their [`match_key`] with a Levenshtein distance
/// (swapping two neighbouring letters counts as one edit) in which a
/// diacritic-only difference counts half an edit ("Binh" is closer to
/// "Bình" than to "Binz"). A candidate is kept when its
/// distance is at most a third of the longer key's length (at least one
/// edit), or when it contains the query as whole words, with or without
/// diacritics ("Bình" and "binh" find "Lưu Thanh Bình"; a query needs two
/// characters for that). Ties keep the candidates' order; duplicates are
/// returned once.
pub fn closest<'a>(
    query: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Vec<&'a str> {
    let query_key = match_key(query);
    if max == 0 || query_key.is_empty() {
        return Vec::new();
    }
    let query_chars: Vec<char> = query_key.chars().collect();
    let query_fold = fold(query);
    let by_containment = query_chars.len() >= 2;
    let mut seen = HashSet::new();
    let mut scored: Vec<(u32, usize, &'a str)> = Vec::new();
    let mut row = Vec::new();
    let mut candidate_chars = Vec::new();
    let mut candidate_key = String::new();
    for (index, candidate) in candidates.into_iter().enumerate() {
        if !seen.insert(candidate) {
            continue;
        }
        candidate_key.clear();
        match_key_into(candidate, &mut candidate_key);
        candidate_chars.clear();
        candidate_chars.extend(candidate_key.chars());
        let distance = weighted_distance(&query_chars, &candidate_chars, &mut row);
        let longest = query_chars.len().max(candidate_chars.len());
        let allowed = 2 * (longest / 3).max(1) as u32;
        let keep = distance <= allowed
            || (by_containment
                && (contains_word_sequence(&candidate_key, &query_key)
                    || contains_word_sequence(&fold(candidate), &query_fold)));
        if keep {
            scored.push((distance, index, candidate));
        }
    }
    scored.sort_unstable_by_key(|&(distance, index, _)| (distance, index));
    scored.truncate(max);
    scored.into_iter().map(|(_, _, c)| c).collect()
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_taken_as_nfc_without_the_tables_are_starters_nfc_keeps() {
        for r in ALWAYS_NFC {
            for c in r.filter_map(char::from_u32) {
                assert_eq!(canonical_combining_class(c), 0, "{c:?}");
                assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            }
        }
        assert!(surely_nfc("Hội nghị – «tổng kết» 100.000₫"));
        assert!(!surely_nfc("Ho\u{0300}a"));
        assert_eq!(nfc("Ho\u{0300}a"), "Hòa");
    }

    #[test]
    fn a_name_with_many_words_spelled_either_way_has_two_spellings() {
        // A match key: tones the old way (hòa), the other spelling new (hoà).
        let name = ["hòa"; 30].join(" ");
        let variants = tone_placement_variants(&name);
        assert_eq!(variants, vec![name.clone(), ["hoà"; 30].join(" ")]);
        let six = ["hòa"; 6].join(" ");
        assert_eq!(tone_placement_variants(&six).len(), 64);
        assert_eq!(tone_placement_variants(&six)[0], six);
    }
    use jiff::civil::date;

    fn nfd(s: &str) -> String {
        s.nfd().collect()
    }

    /// (input, expected match key). Every input is also checked in NFD.
    const KEYS: &[(&str, &str)] = &[
        ("ĐỒNG CHÍ LƯU THANH BÌNH", "đồng chí lưu thanh bình"),
        ("Đồng chí Lưu Thanh Bình", "đồng chí lưu thanh bình"),
        ("  Lưu   Thanh\t\nBình  ", "lưu thanh bình"),
        ("hoà", "hòa"),
        ("hòa", "hòa"),
        ("HOÀ BÌNH", "hòa bình"),
        ("thuỷ", "thủy"),
        ("thủy", "thủy"),
        ("Uỷ ban nhân dân", "ủy ban nhân dân"),
        ("Ủy ban nhân dân", "ủy ban nhân dân"),
        ("Đảng uỷ phường", "đảng ủy phường"),
        ("khoẻ", "khỏe"),
        ("Hoá", "hóa"),
        ("loè", "lòe"),
        ("tuỳ", "tùy"),
        ("hoạ sĩ", "họa sĩ"),
        ("quý", "quý"),
        ("QUÝ", "quý"),
        ("qúy", "quý"),
        ("quí", "quí"),
        ("quỳnh", "quỳnh"),
        ("Quốc", "quốc"),
        ("quá", "quá"),
        ("qúa", "quá"),
        ("giá", "giá"),
        ("gía", "giá"),
        ("giữ", "giữ"),
        ("giữa", "giữa"),
        ("gì", "gì"),
        ("gìn giữ", "gìn giữ"),
        ("giường", "giường"),
        ("Nguyễn", "nguyễn"),
        ("Huỳnh", "huỳnh"),
        ("hoàng", "hoàng"),
        ("hoài", "hoài"),
        ("hòai", "hoài"),
        ("người", "người"),
        ("thuở", "thuở"),
        ("mùa", "mùa"),
        ("muà", "mùa"),
        ("khuỷu", "khuỷu"),
        ("Đức", "đức"),
        ("Ðức", "đức"),
        ("Bì\u{AD}nh", "bình"),
        ("café", "café"),
        (
            "UBND phường Tô Châu, năm 2025!",
            "ubnd phường tô châu, năm 2025!",
        ),
        ("  Hello   World ", "hello world"),
        ("", ""),
        (" \t ", ""),
        ("Thuỷ\u{A0}Tiên", "thủy tiên"),
    ];

    #[test]
    fn match_key_table() {
        for &(input, expected) in KEYS {
            assert_eq!(match_key(input), expected, "match_key({input:?})");
            let decomposed = nfd(input);
            assert_eq!(match_key(&decomposed), expected, "match_key(NFD {input:?})");
            assert_eq!(match_key(expected), expected, "key of key {expected:?}");
        }
    }

    #[test]
    fn vowel_tables_agree_with_unicode() {
        for (lower_row, upper_row) in VOWELS.iter().zip(VOWELS_UPPER.iter()) {
            for (&lower, &upper) in lower_row.iter().zip(upper_row.iter()) {
                assert_eq!(upper.to_lowercase().collect::<String>(), lower.to_string());
                assert_eq!(lower_vietnamese_letter(upper), Some(lower));
                assert_eq!(lower_vietnamese_letter(lower), Some(lower));
                assert!(vowel(lower).is_some() && vowel(upper).is_none());
                assert!(lower.is_alphabetic());
            }
        }
        assert_eq!(lower_vietnamese_letter('Đ'), Some('đ'));
        assert_eq!(lower_vietnamese_letter('b'), None);
        assert_eq!(lower_vietnamese_letter('ü'), None);
    }

    #[test]
    fn match_key_combining_tone_marks() {
        // Base letter with quality mark precomposed, tone as a combining mark
        // ("Unicode tổ hợp", produced by some old input methods).
        assert_eq!(match_key("Nguye\u{302}\u{303}n"), "nguyễn");
        assert_eq!(match_key("Nguyê\u{303}n"), "nguyễn");
        assert_eq!(match_key("Tho\u{300}a"), "thòa");
        assert_eq!(match_key("hoa\u{300}"), "hòa");
        assert_eq!(match_key("thuy\u{309}"), "thủy");
    }

    #[test]
    fn match_key_equal_and_different() {
        let equal = [
            ("hoà", "hòa"),
            ("thuỷ", "thủy"),
            ("Uỷ ban", "Ủy ban"),
            ("khoẻ", "khỏe"),
            ("Hoá", "Hóa"),
            ("loè", "lòe"),
            ("tuỳ", "tùy"),
            ("Sở Y tế", "sở y  tế"),
            ("Lưu Thanh Bình", &nfd("LƯU THANH BÌNH")),
        ];
        for (a, b) in equal {
            assert_eq!(match_key(a), match_key(b), "{a:?} == {b:?}");
        }
        let different = [
            ("quý", "quí"),
            ("Đức", "Dục"),
            ("Đức", "Đục"),
            ("Đức", "Duc"),
            ("Bình", "Binh"),
            ("hoa", "hòa"),
            ("giá", "già"),
        ];
        for (a, b) in different {
            assert_ne!(match_key(a), match_key(b), "{a:?} != {b:?}");
        }
    }

    #[test]
    fn match_key_byte_length() {
        for s in ["Hoà Bình", "Uỷ ban nhân dân", "thuỷ", "khoẻ", "Quý", "Đảng"] {
            assert_eq!(match_key(s).len(), s.len(), "{s:?}");
        }
        // Documented exception: ỳ is 3 bytes in UTF-8, ù only 2.
        assert_eq!(match_key("tuỳ").len() + 1, "tuỳ".len());
    }

    #[test]
    fn match_key_long_runs_and_into() {
        let long = "Abcdefghijklmnopqrstuvwxyzàáạ";
        assert_eq!(match_key(long), long.to_lowercase());
        let mut buf = String::from("x|");
        match_key_into(" Hoà ", &mut buf);
        assert_eq!(buf, "x|hòa");
        match_key_into("  Ab ", &mut buf);
        assert_eq!(buf, "x|hòaab");
    }

    #[test]
    fn match_key_mapped_offsets() {
        for text in [
            "Ông  Lưu Thanh Bình, Bí thư Đảng uỷ",
            &nfd("Ông  Lưu Thanh Bình, Bí thư Đảng uỷ"),
            "  ông Lưu Thanh Bình ",
        ] {
            let mapped = match_key_mapped(text);
            assert_eq!(mapped.key(), match_key(text));
            let needle = match_key("lưu thanh bình");
            let at = mapped.key().find(&needle).expect("name in key");
            let range = mapped.source_range(at..at + needle.len());
            assert_eq!(nfc(&text[range]), "Lưu Thanh Bình", "{text:?}");
            let uy = match_key("Đảng ủy");
            if let Some(at) = mapped.key().find(&uy) {
                let range = mapped.source_range(at..at + uy.len());
                assert_eq!(nfc(&text[range]), "Đảng uỷ");
            }
        }
        let tuy = match_key_mapped("Tuỳ ý");
        assert_eq!(tuy.key(), "tùy ý");
        assert_eq!(tuy.source_range(0..4), 0..5);
        assert_eq!(tuy.source_offset(tuy.key().len()), "Tuỳ ý".len());
        assert_eq!(tuy.source_range(4..4), 5..5);
        assert_eq!(match_key_mapped(" ").source_offset(0), 0);
        let hidden = "\u{FEFF}Bì\u{AD}nh\u{200B} Lưu\u{AD}";
        let mapped = match_key_mapped(hidden);
        assert_eq!(mapped.key(), "bình lưu");
        assert_eq!(mapped.source_range(0..5), 3..10);
        assert_eq!(&hidden[mapped.source_range(6..10)], "Lưu");
        let ascii = match_key_mapped(" A  b ");
        assert_eq!(ascii.key(), "a b");
        assert_eq!(ascii.source_range(0..3), 1..5);
    }

    /// Pseudo-random strings over Vietnamese letters (both cases, NFC and
    /// NFD), spaces and punctuation: keys are idempotent, equal for NFC and
    /// NFD, and their offset maps are monotonic char boundaries.
    #[test]
    fn match_key_properties() {
        const PIECES: &[&str] = &[
            "a", "ă", "Â", "ờ", "Ữ", "y", "ỹ", "Ỳ", "u", "o", "e", "i", "ê", "q", "g", "h", "t",
            "ng", "Đ", "đ", " ", "  ", "\t", ",", "-", "1", "ü", "ß", "İ", "\u{AD}", "\u{301}",
            "\u{300}", "\u{323}", "\u{A0}", "한",
        ];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let len = (next() % 14) as usize;
            let s: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let key = match_key(&s);
            assert_eq!(match_key(&key), key, "idempotent for {s:?}");
            assert_eq!(match_key(&nfd(&s)), key, "NFD of {s:?}");
            assert_eq!(match_key(&nfc(&s)), key, "NFC of {s:?}");
            assert!(!key.starts_with(' ') && !key.ends_with(' ') && !key.contains("  "));
            let mapped = match_key_mapped(&s);
            assert_eq!(mapped.key(), key);
            let mut previous = 0;
            for i in 0..=key.len() {
                let offset = mapped.source_offset(i);
                assert!(offset >= previous && offset <= s.len(), "{s:?}");
                assert!(s.is_char_boundary(offset), "{s:?}");
                previous = offset;
            }
            let whole = mapped.source_range(0..key.len());
            assert!(s.is_char_boundary(whole.start) && s.is_char_boundary(whole.end));
        }
    }

    #[test]
    fn nfc_borrows_when_normalised() {
        assert!(matches!(nfc("Nguyễn"), Cow::Borrowed(_)));
        assert!(matches!(nfc("ascii"), Cow::Borrowed(_)));
        let decomposed = nfd("Nguyễn");
        assert!(matches!(nfc(&decomposed), Cow::Owned(ref s) if s == "Nguyễn"));
    }

    /// Normalising piece by piece must equal normalising the whole text.
    #[test]
    fn nfc_pieces_are_independent() {
        let mut second_parts = HashSet::new();
        let mut decomposed = Vec::new();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut d = Vec::new();
            unicode_normalization::char::decompose_canonical(c, |x| d.push(x));
            if let [prefix @ .., last] = d.as_slice()
                && !prefix.is_empty()
            {
                // `last` is a second part if the primary composition
                // (first, last) -> c exists (not for composition exclusions).
                let mut first = prefix.iter().copied().nfc();
                if let (Some(p), None) = (first.next(), first.next())
                    && unicode_normalization::char::compose(p, *last) == Some(c)
                {
                    second_parts.insert(*last);
                }
            }
            decomposed.push((c, d));
        }
        for part in ['\u{301}', '\u{323}', '\u{1161}', '\u{11A8}'] {
            assert!(second_parts.contains(&part), "{part:?}");
        }
        for (c, d) in &decomposed {
            if starts_nfc_piece(*c) {
                assert_eq!(canonical_combining_class(d[0]), 0, "{c:?}");
                assert!(!second_parts.contains(&d[0]), "{c:?} may compose backwards");
            }
        }
        for s in [
            "\u{1100}\u{1161}\u{11A8}",
            "Nguye\u{302}\u{303}n",
            "a\u{323}\u{302}",
            "e\u{301}\u{302}",
            "\u{301}abc",
        ] {
            let mapped = match_key_mapped(s);
            let expected: String = s.nfc().collect::<String>().to_lowercase();
            assert_eq!(mapped.key(), match_key(&expected), "{s:?}");
        }
    }

    /// (input, expected slug).
    const SLUGS: &[(&str, &str)] = &[
        (
            "Hội nghị tổng kết công tác năm 2025",
            "hoi-nghi-tong-ket-cong-tac-nam-2025",
        ),
        ("Hội nghị: tổng kết (2025)!", "hoi-nghi-tong-ket-2025"),
        ("Đảng ủy phường Tô Châu", "dang-uy-phuong-to-chau"),
        ("ĐỒNG CHÍ LƯU THANH BÌNH", "dong-chi-luu-thanh-binh"),
        ("  nhiều    khoảng   trắng  ", "nhieu-khoang-trang"),
        ("Quyết định số 12/QĐ-UBND", "quyet-dinh-so-12-qd-ubnd"),
        ("Năm 2025 – 2026", "nam-2025-2026"),
        ("“Tiếng Việt” có dấu…", "tieng-viet-co-dau"),
        ("Ðoàn", "doan"),
        ("Straße", "strasse"),
        ("phòng 101", "phong-101"),
        ("a---b", "a-b"),
        ("!!! ... ???", ""),
        ("", ""),
        ("🎉", ""),
    ];

    #[test]
    fn slugify_table() {
        for &(input, expected) in SLUGS {
            assert_eq!(slugify(input), expected, "slugify({input:?})");
            assert_eq!(slugify(&nfd(input)), expected, "slugify(NFD {input:?})");
        }
    }

    /// (input, expected folding).
    const FOLDS: &[(&str, &str)] = &[
        ("Đảng ủy", "dang uy"),
        ("ĐỒNG CHÍ  LƯU THANH BÌNH", "dong chi luu thanh binh"),
        ("Nguyễn", "nguyen"),
        ("Ưu tiên, ưu đãi", "uu tien, uu dai"),
        ("  Hello\tWorld ", "hello world"),
        ("Hoà/Hòa", "hoa/hoa"),
        ("한국", "한국"),
    ];

    #[test]
    fn fold_table() {
        for &(input, expected) in FOLDS {
            assert_eq!(fold(input), expected, "fold({input:?})");
            assert_eq!(fold(&nfd(input)), expected, "fold(NFD {input:?})");
        }
    }

    #[test]
    fn collation_order() {
        let collator = VietCollator::new();
        let expected = ["Anh", "Ánh", "Ăn", "Ân", "Bình", "Dũng", "Đức", "Út"];
        let mut names = expected;
        names.reverse();
        names.sort_by(|a, b| collator.compare(a, b));
        assert_eq!(names, expected);
        let mut bytes = expected;
        bytes.sort();
        assert_ne!(bytes, expected, "byte order differs");

        let tones = ["a", "à", "ả", "ã", "á", "ạ"];
        let mut sorted = tones;
        sorted.reverse();
        sorted.sort_by(|a, b| collator.compare(a, b));
        assert_eq!(sorted, tones);

        assert_eq!(collator.compare("Khu phố 2", "Khu phố 10"), Ordering::Less);
        assert_eq!(collator.compare("Hòa", &nfd("Hòa")), Ordering::Equal);
        assert_eq!(shared_collator().compare("d", "đ"), Ordering::Less);
    }

    #[test]
    fn person_name_order() {
        let collator = VietCollator::default();
        let expected = [
            "Nguyễn Văn An",
            "Trần Thị An",
            "Lê Văn Bình",
            "Lưu Thanh Bình",
            "Lý Hoàng Tuấn",
            "Út",
        ];
        let mut names = expected;
        names.reverse();
        names.sort_by(|a, b| collator.compare_person_names(a, b));
        assert_eq!(names, expected);
        assert_eq!(
            collator.compare_person_names(" Trần  Thị An ", "Trần Thị An"),
            Ordering::Equal
        );
    }

    #[test]
    fn weekdays() {
        assert_eq!(weekday_name(date(2025, 12, 30).weekday()), "Thứ Ba");
        assert_eq!(weekday_name(date(2026, 11, 22).weekday()), "Chủ Nhật");
        let week: Vec<&str> = (22..=28)
            .map(|d| weekday_name(date(2026, 11, d).weekday()))
            .collect();
        assert_eq!(
            week,
            [
                "Chủ Nhật",
                "Thứ Hai",
                "Thứ Ba",
                "Thứ Tư",
                "Thứ Năm",
                "Thứ Sáu",
                "Thứ Bảy"
            ]
        );
    }

    #[test]
    fn date_styles() {
        let cases = [
            (date(2025, 12, 30), DateStyle::Full, "Thứ Ba, 30/12/2025"),
            (
                date(2025, 12, 30),
                DateStyle::Long,
                "ngày 30 tháng 12 năm 2025",
            ),
            (date(2025, 12, 30), DateStyle::Short, "30/12/2025"),
            (date(2025, 12, 30), DateStyle::Weekday, "Thứ Ba"),
            (date(2025, 12, 30), DateStyle::MonthYear, "Tháng 12/2025"),
            (date(2026, 1, 5), DateStyle::Full, "Thứ Hai, 05/01/2026"),
            (date(2026, 1, 5), DateStyle::Long, "ngày 5 tháng 1 năm 2026"),
            (date(2026, 1, 5), DateStyle::Short, "05/01/2026"),
            (date(2026, 1, 5), DateStyle::MonthYear, "Tháng 1/2026"),
            (date(2026, 11, 22), DateStyle::Weekday, "Chủ Nhật"),
        ];
        for (d, style, expected) in cases {
            assert_eq!(format_date(d, style), expected, "{d} {style}");
        }
        for style in DateStyle::ALL {
            assert_eq!(style.as_str().parse::<DateStyle>(), Ok(style));
        }
        assert_eq!("month_year".parse(), Ok(DateStyle::MonthYear));
        assert!("Full".parse::<DateStyle>().is_err());
        assert!(
            "time"
                .parse::<DateStyle>()
                .unwrap_err()
                .contains("month_year")
        );
        assert_eq!(month_name(1), "Tháng 1");
        assert_eq!(month_name(12), "Tháng 12");
    }

    #[test]
    fn closest_candidates() {
        let officials = [
            "Lưu Thanh Bình",
            "Lý Hoàng Tuấn",
            "Nguyễn Văn An",
            "Trần Thị An",
            "Lê Văn Bình",
        ];
        assert_eq!(closest("Luu Thanh Binh", officials, 3), ["Lưu Thanh Bình"]);
        assert_eq!(closest("lưu thanh binh", officials, 3), ["Lưu Thanh Bình"]);
        assert_eq!(closest("Ly Hoang Tuan", officials, 3), ["Lý Hoàng Tuấn"]);
        assert_eq!(closest("Lý Hoàng Tuân", officials, 3), ["Lý Hoàng Tuấn"]);
        // Both contain the word; the shorter name is closer.
        assert_eq!(
            closest("An", officials, 3),
            ["Trần Thị An", "Nguyễn Văn An"]
        );
        assert_eq!(closest("An", officials, 1), ["Trần Thị An"]);
        assert_eq!(
            closest("Bình", officials, 5),
            ["Lê Văn Bình", "Lưu Thanh Bình"]
        );
        assert!(closest("xyz", officials, 3).is_empty());
        assert!(closest("", officials, 3).is_empty());
        assert!(closest("An", officials, 0).is_empty());

        let departments = ["ubnd", "dang-uy", "mat-tran", "UBND phường", "ubnd"];
        assert_eq!(closest("ubdn", departments, 5), ["ubnd"]);
        assert_eq!(closest("UBND", departments, 5), ["ubnd", "UBND phường"]);
        assert_eq!(closest("dang uy", departments, 5), ["dang-uy"]);
        // A diacritic-only difference is closer than a different letter.
        assert_eq!(closest("Binh", ["Binz", "Bình"], 2), ["Bình", "Binz"]);
    }

    #[test]
    fn lowercase_keeps_offsets_for_vietnamese() {
        let s = "ĐỒNG CHÍ LƯU THANH BÌNH, Bí thư Đảng Uỷ";
        let l = lowercase_same_offsets(s).unwrap();
        assert_eq!(l, "đồng chí lưu thanh bình, bí thư đảng uỷ");
        assert_eq!(l.len(), s.len());
        assert_eq!(lowercase_same_offsets("İ"), None);
    }

    #[test]
    fn lowercase_same_offsets_agrees_with_char_by_char_lowercasing() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let s = format!("A{c}bĐ");
            // Vietnamese letters by table, other capitals by Unicode (one character of the same
            // length, or no fast path), anything else as it is.
            let expected = match lower_vietnamese_letter(c) {
                Some(l) => Some(l),
                None if c.is_uppercase() => {
                    let mut lower = c.to_lowercase();
                    let l = lower.next().unwrap();
                    (lower.next().is_none() && l.len_utf8() == c.len_utf8()).then_some(l)
                }
                None => Some(c),
            };
            match expected {
                Some(l) => assert_eq!(lowercase_same_offsets(&s), Some(format!("a{l}bđ")), "{c:?}"),
                None => assert_eq!(lowercase_same_offsets(&s), None, "{c:?}"),
            }
        }
    }

    #[test]
    fn tone_variants_cover_both_placements() {
        assert_eq!(
            tone_placement_variants("đảng ủy phường"),
            vec!["đảng ủy phường", "đảng uỷ phường"]
        );
        assert_eq!(
            tone_placement_variants("hòa khỏe"),
            vec!["hòa khỏe", "hòa khoẻ", "hoà khỏe", "hoà khoẻ"]
        );
        assert_eq!(
            tone_placement_variants("quý huỳnh hoàng"),
            vec!["quý huỳnh hoàng"]
        );
        for v in tone_placement_variants("thủy hòa") {
            assert_eq!(match_key(&v), "thủy hòa");
        }
    }
}
