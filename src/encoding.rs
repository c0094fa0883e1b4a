//! Text encodings: what an editor's file really is, and turning it into UTF-8.
//!
//! Every text file bantin reads (articles, officials, departments, pages, `site.toml`, theme
//! files) goes through [`decode`]: UTF-8 with or without a byte-order mark, CRLF → LF, NFC.
//! Files from Notepad, Word exports, phones and old office machines are often something else;
//! [`detect`] says what, so that the message can name the encoding and the command that fixes
//! it (`bantin convert`, which uses [`convert`]):
//!
//! - **UTF-16 with a byte-order mark** (Notepad's "Unicode"): unambiguous, so it is simply read.
//!   Without a mark it is recognised by its pattern of zero bytes, but that is a guess, so the
//!   editor is asked to convert it (and sees the result) rather than having it read silently.
//! - **Binary files** with a `.md` name (photos, PDF, Word documents, archives): named by their
//!   signature ("magic bytes").
//! - **Legacy Vietnamese encodings**: TCVN3 (ABC), VNI-Windows and Windows-1258. The bytes are
//!   decoded with each table and the result is scored by how many of its words are well-formed
//!   Vietnamese syllables (letters of the Vietnamese alphabet, at most one tone mark, marks only
//!   on the vowels that take them); the wrong tables give words like `Phửụứng` or `Phöôøng`.
//! - **Mojibake**: valid UTF-8 whose Vietnamese letters went through a Windows-1252 (or 1258)
//!   round trip (`Ã¡` for `á`, `Æ°` for `ư`, `á»‡` for `ệ`). Only sequences that decode back to
//!   a Vietnamese letter count, so real text is never taken for it; [`repair_mojibake`] undoes it.
//!
//! Windows-1258 and UTF-16 come from `encoding_rs` (the WHATWG tables, already in the
//! dependency tree). TCVN3 and VNI have no maintained crate (crates.io has only an input-method
//! engine that carries them as a side feature), so their tables are written out below from the
//! standards; the tests check them against fixtures produced independently (glibc's
//! `TCVN5712-1` converter for TCVN3, a published VNI sample, Python's `cp1258` codec).

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use unicode_normalization::UnicodeNormalization;

use crate::error::{Diagnostic, Lang, Location, Problem};
use crate::vietnamese;

/// An encoding bantin can read besides UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Utf16Le,
    Utf16Be,
    /// TCVN 5712:1993 "VN3", the ABC fonts (`.VnTime`).
    Tcvn3,
    /// VNI-Windows (`VNI-Times` fonts): base letter followed by a mark byte.
    Vni,
    /// Windows-1258 (CP1258): base letter followed by a combining tone byte.
    Cp1258,
}

impl Encoding {
    /// The legacy Vietnamese encodings, in the order they are tried.
    pub const LEGACY: [Encoding; 3] = [Encoding::Tcvn3, Encoding::Vni, Encoding::Cp1258];

    /// The value of `bantin convert --from` for this encoding.
    pub fn flag(self) -> &'static str {
        match self {
            Encoding::Utf16Le | Encoding::Utf16Be => "utf16",
            Encoding::Tcvn3 => "tcvn3",
            Encoding::Vni => "vni",
            Encoding::Cp1258 => "cp1258",
        }
    }

    /// The name editors know it by (the same in both languages).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf16Le => "UTF-16 LE",
            Encoding::Utf16Be => "UTF-16 BE",
            Encoding::Tcvn3 => "TCVN3 (ABC)",
            Encoding::Vni => "VNI (VNI-Windows)",
            Encoding::Cp1258 => "Windows-1258 (CP1258)",
        }
    }

    /// Decode `bytes` (no byte-order mark) as this encoding; NFC. Bytes a table does not
    /// define are kept as the Windows-1252 character of that byte, so nothing is lost.
    pub fn decode(self, bytes: &[u8]) -> String {
        let raw = match self {
            Encoding::Utf16Le => encoding_rs::UTF_16LE
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            Encoding::Utf16Be => encoding_rs::UTF_16BE
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            Encoding::Cp1258 => encoding_rs::WINDOWS_1258
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            Encoding::Tcvn3 => decode_tcvn3(bytes),
            Encoding::Vni => decode_vni(bytes),
        };
        vietnamese::nfc(&raw).into_owned()
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a file that is not text looks like, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Pdf,
    /// A Word document (`.docx`: a ZIP archive holding `word/`).
    Docx,
    /// An Excel workbook (`.xlsx`).
    Xlsx,
    /// An old Word or Excel file (`.doc`, `.xls`: OLE compound file).
    OldOffice,
    /// A rich-text file (Word's "Save as RTF").
    Rtf,
    Zip,
    /// Anything else with zero bytes or many control characters.
    Binary,
}

impl FileKind {
    /// What it is, in Vietnamese ("ảnh PNG").
    pub fn name_vi(self) -> &'static str {
        match self {
            FileKind::Png => "ảnh PNG",
            FileKind::Jpeg => "ảnh JPEG",
            FileKind::Gif => "ảnh GIF",
            FileKind::Webp => "ảnh WebP",
            FileKind::Pdf => "tệp PDF",
            FileKind::Docx => "tệp Word (.docx)",
            FileKind::Xlsx => "tệp Excel (.xlsx)",
            FileKind::OldOffice => "tệp Word hoặc Excel đời cũ (.doc, .xls)",
            FileKind::Rtf => "tệp RTF của Word",
            FileKind::Zip => "tệp nén ZIP",
            FileKind::Binary => "tệp nhị phân (không phải chữ)",
        }
    }

    /// What it is, in English ("a PNG image").
    pub fn name_en(self) -> &'static str {
        match self {
            FileKind::Png => "a PNG image",
            FileKind::Jpeg => "a JPEG image",
            FileKind::Gif => "a GIF image",
            FileKind::Webp => "a WebP image",
            FileKind::Pdf => "a PDF file",
            FileKind::Docx => "a Word document (.docx)",
            FileKind::Xlsx => "an Excel workbook (.xlsx)",
            FileKind::OldOffice => "an old Word or Excel file (.doc, .xls)",
            FileKind::Rtf => "a Word RTF file",
            FileKind::Zip => "a ZIP archive",
            FileKind::Binary => "a binary file (not text)",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(
            self,
            FileKind::Png | FileKind::Jpeg | FileKind::Gif | FileKind::Webp
        )
    }

    /// A document an office program opens (its text can be copied out).
    pub fn is_document(self) -> bool {
        matches!(
            self,
            FileKind::Pdf | FileKind::Docx | FileKind::Xlsx | FileKind::OldOffice | FileKind::Rtf
        )
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_vi())
    }
}

/// What a file's bytes are.
#[derive(Debug, Clone, PartialEq)]
pub enum Detected {
    /// UTF-8 text, already decoded (byte-order mark dropped, CRLF → LF, NFC).
    Utf8 { text: String, bom: bool },
    /// UTF-16 with a byte-order mark: read as it is (decoded like UTF-8 text).
    Utf16Bom { text: String, encoding: Encoding },
    /// UTF-8 whose Vietnamese letters went through a Windows-1252 round trip.
    Mojibake(Mojibake),
    /// Text in another encoding (UTF-16 without a mark, or a legacy Vietnamese one), decoded
    /// with it (CRLF → LF) for showing the editor.
    Other { encoding: Encoding, text: String },
    /// UTF-8 but for a few bytes (text pasted from an old program, two files joined): the text
    /// with U+FFFD for each bad stretch (LF line endings), where the first is, and how many.
    BrokenUtf8 {
        text: String,
        offset: usize,
        count: usize,
    },
    /// Not UTF-8, and no table reads it as Vietnamese with confidence.
    Unknown { guesses: Vec<Guess> },
    /// Not text at all.
    Binary(FileKind),
}

/// Mojibake found in a UTF-8 text.
#[derive(Debug, Clone, PartialEq)]
pub struct Mojibake {
    /// The decoded text (LF line endings).
    pub text: String,
    /// How many damaged letters.
    pub count: usize,
    /// The first one as it reads (`Ã¡`), its byte offset in `text`, and what it should be (`á`).
    pub found: String,
    pub offset: usize,
    pub meant: char,
}

/// How well a legacy table reads a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Guess {
    pub encoding: Encoding,
    /// Words with non-ASCII letters that are well-formed Vietnamese syllables.
    pub good: usize,
    /// Words with non-ASCII characters that are not.
    pub bad: usize,
    /// The text decoded with this table.
    pub text: String,
}

impl Guess {
    fn score(&self) -> isize {
        self.good as isize - self.bad as isize
    }

    /// Confident enough to name the encoding: mostly good words, and better than the others.
    fn confident(&self, runner_up: Option<&Guess>) -> bool {
        self.good >= 2
            && self.bad * 4 <= self.good
            && runner_up.is_none_or(|r| self.score() > r.score())
    }
}

/// Read a text file: UTF-8 (with or without byte-order mark) or UTF-16 with a byte-order mark;
/// CRLF → LF; NFC. Anything else is an error saying what the file is and how to convert it;
/// `rel_path` (relative to the site root) is the file named in the command to run.
pub fn decode_file(bytes: &[u8], rel_path: &Path) -> Result<String, Diagnostic> {
    let path = rel_path.to_string_lossy().replace('\\', "/");
    match detect(bytes) {
        Detected::Utf8 { text, .. } | Detected::Utf16Bom { text, .. } => Ok(text),
        Detected::Mojibake(m) => {
            let location = Location {
                length: m.found.chars().count(),
                ..Location::from_offset(&m.text, m.offset)
            };
            Err(Diagnostic::new(
                rel_path,
                Problem::Mojibake {
                    found: m.found,
                    meant: m.meant,
                    count: m.count,
                    path,
                },
            )
            .at(Some(location)))
        }
        Detected::Other { encoding, text } => {
            // The first word with a non-ASCII letter, whole.
            let in_word = |c: char| c.is_alphanumeric() || !(c.is_ascii() || c.is_whitespace());
            let location = text.find(|c: char| !c.is_ascii()).map(|i| {
                let start = text[..i]
                    .char_indices()
                    .rev()
                    .take_while(|(_, c)| in_word(*c))
                    .last()
                    .map_or(i, |(j, _)| j);
                Location {
                    length: text[start..]
                        .chars()
                        .take_while(|c| in_word(*c))
                        .count()
                        .max(1),
                    ..Location::from_offset(&text, start)
                }
            });
            Err(Diagnostic::new(rel_path, Problem::WrongEncoding { encoding, path }).at(location))
        }
        Detected::BrokenUtf8 {
            text,
            offset,
            count,
        } => Err(
            Diagnostic::new(rel_path, Problem::BrokenUtf8 { count }).at(Some(Location {
                length: 1,
                ..Location::from_offset(&text, offset)
            })),
        ),
        Detected::Unknown { .. } => {
            Err(Diagnostic::new(rel_path, Problem::UnknownEncoding { path }))
        }
        Detected::Binary(kind) => Err(Diagnostic::new(rel_path, Problem::NotText { kind })),
    }
}

/// [`decode_file`] when the file's path is not known (the problem names no command).
pub fn decode(bytes: &[u8]) -> Result<String, Problem> {
    decode_file(bytes, Path::new("")).map_err(|d| d.problem)
}

/// What `bytes` are; text is decoded (CRLF → LF, NFC).
pub fn detect(bytes: &[u8]) -> Detected {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16_with_bom(rest, Encoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16_with_bom(rest, Encoding::Utf16Be);
    }
    if let Some(kind) = signature(bytes) {
        return Detected::Binary(kind);
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        return Detected::Other {
            encoding,
            text: lf(&encoding.decode(bytes)).into_owned(),
        };
    }
    let (body, bom) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    if looks_binary(body) {
        return Detected::Binary(FileKind::Binary);
    }
    // simdutf8: the same check as `std::str::from_utf8`, several times faster on text that is
    // not mostly ASCII (every file of a build goes through it).
    match simdutf8::basic::from_utf8(body) {
        Ok(text) => {
            let text = normalise(text);
            match find_mojibake(&text) {
                Some(m) => Detected::Mojibake(m),
                None => Detected::Utf8 { text, bom },
            }
        }
        Err(_) => match guess_legacy(body) {
            Detected::Unknown { guesses } => {
                broken_utf8(body).unwrap_or(Detected::Unknown { guesses })
            }
            legacy => legacy,
        },
    }
}

fn utf16_with_bom(rest: &[u8], encoding: Encoding) -> Detected {
    let codec = match encoding {
        Encoding::Utf16Be => encoding_rs::UTF_16BE,
        _ => encoding_rs::UTF_16LE,
    };
    match codec.decode_without_bom_handling_and_without_replacement(rest) {
        Some(text) if !looks_binary_text(&text) => Detected::Utf16Bom {
            text: normalise(&text),
            encoding,
        },
        _ => Detected::Binary(FileKind::Binary),
    }
}

/// CRLF and lone CR → LF.
fn lf(text: &str) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// CRLF → LF, then NFC, copying the text once at most.
fn normalise(text: &str) -> String {
    match lf(text) {
        Cow::Borrowed(t) => vietnamese::nfc(t).into_owned(),
        Cow::Owned(t) => match vietnamese::nfc(&t) {
            Cow::Borrowed(_) => t,
            Cow::Owned(n) => n,
        },
    }
}

/// A file type known by its first bytes.
fn signature(bytes: &[u8]) -> Option<FileKind> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    Some(if starts(b"\x89PNG\r\n\x1a\n") {
        FileKind::Png
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        FileKind::Jpeg
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        FileKind::Gif
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        FileKind::Webp
    } else if starts(b"%PDF-") {
        FileKind::Pdf
    } else if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        FileKind::OldOffice
    } else if starts(b"{\\rtf") {
        FileKind::Rtf
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        // An Office Open XML file is a ZIP whose entries' names show what it holds.
        let head = &bytes[..bytes.len().min(64 * 1024)];
        let has = |name: &[u8]| head.windows(name.len()).any(|w| w == name);
        if has(b"word/") {
            FileKind::Docx
        } else if has(b"xl/") {
            FileKind::Xlsx
        } else {
            FileKind::Zip
        }
    } else {
        return None;
    })
}

/// UTF-16 without a byte-order mark: in Vietnamese text most characters are ASCII, so every
/// other byte is zero (the high byte), and the text it decodes to has no control characters.
fn utf16_without_bom(bytes: &[u8]) -> Option<Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let head = &bytes[..bytes.len().min(8192)];
    if !head.contains(&0) {
        return None;
    }
    let pairs = head.len() / 2;
    let zero_even = head.iter().step_by(2).filter(|b| **b == 0).count();
    let zero_odd = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    let encoding = if zero_odd * 10 >= pairs * 3 && zero_even * 20 <= pairs {
        Encoding::Utf16Le
    } else if zero_even * 10 >= pairs * 3 && zero_odd * 20 <= pairs {
        Encoding::Utf16Be
    } else {
        return None;
    };
    let codec = match encoding {
        Encoding::Utf16Be => encoding_rs::UTF_16BE,
        _ => encoding_rs::UTF_16LE,
    };
    let text = codec.decode_without_bom_handling_and_without_replacement(bytes)?;
    (!looks_binary_text(&text)).then_some(encoding)
}

/// Zero bytes, or more than a few control characters other than tab, line feed, form feed and
/// carriage return (a stray one pasted from Word is not enough).
fn looks_binary(bytes: &[u8]) -> bool {
    let controls = bytes
        .iter()
        .map(|&b| usize::from(b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)))
        .sum::<usize>();
    controls > 8.max(bytes.len() / 100) || (controls > 0 && bytes.contains(&0))
}

fn looks_binary_text(text: &str) -> bool {
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{C}'))
        .count();
    text.contains('\0') || controls > 8.max(text.len() / 100)
}

/// Mostly UTF-8 (at least twice as many non-ASCII characters as bad stretches, and three of
/// them): the few bad bytes are damage, not another encoding.
fn broken_utf8(bytes: &[u8]) -> Option<Detected> {
    let (mut good, mut bad, mut first) = (0, 0, None);
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        good += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            bad += 1;
            first.get_or_insert(text.len());
            text.push('\u{FFFD}');
        }
    }
    let first = first?;
    if good < 3 || good < 2 * bad {
        return None;
    }
    // U+FFFD composes with nothing, so the text before it normalises on its own.
    let offset = normalise(&text[..first]).len();
    Some(Detected::BrokenUtf8 {
        text: normalise(&text),
        offset,
        count: bad,
    })
}

/// Decode `bytes` with every legacy table and keep the one that reads as Vietnamese.
fn guess_legacy(bytes: &[u8]) -> Detected {
    let mut guesses: Vec<Guess> = Encoding::LEGACY
        .iter()
        .map(|&encoding| {
            let text = lf(&encoding.decode(bytes)).into_owned();
            let (good, bad) = score_vietnamese(&text);
            Guess {
                encoding,
                good,
                bad,
                text,
            }
        })
        .collect();
    guesses.sort_by_key(|g| std::cmp::Reverse(g.score()));
    if guesses[0].confident(guesses.get(1)) {
        let best = guesses.swap_remove(0);
        return Detected::Other {
            encoding: best.encoding,
            text: best.text,
        };
    }
    Detected::Unknown { guesses }
}

/// The legacy encoding `bytes` are most likely in, when confident (for `bantin convert`).
pub fn best_guess(guesses: &[Guess]) -> Option<&Guess> {
    let first = guesses.first()?;
    first.confident(guesses.get(1)).then_some(first)
}

/// Count the words holding non-ASCII characters that are, and are not, well-formed
/// Vietnamese syllables. A word is a run of letters and non-ASCII characters (typographic
/// punctuation aside), so the symbols a wrong table produces (`©`, `¸`, soft hyphens) spoil
/// the word they are in.
pub fn score_vietnamese(text: &str) -> (usize, usize) {
    let is_word_char = |c: char| {
        c.is_ascii_alphanumeric()
            || (!c.is_ascii() && !c.is_whitespace() && !TYPOGRAPHIC.contains(&c))
    };
    let (mut good, mut bad) = (0, 0);
    for word in text.split(|c: char| !is_word_char(c)) {
        if word.is_ascii() {
            continue;
        }
        if is_vietnamese_syllable(word) {
            good += 1;
        } else {
            bad += 1;
        }
    }
    (good, bad)
}

/// Punctuation that appears in real Vietnamese text and separates words.
const TYPOGRAPHIC: &[char] = &[
    '“', '”', '‘', '’', '–', '—', '…', '«', '»', '•', '·', '°', '\u{A0}', '€', '№', '§', '©',
];

/// Letters of the Vietnamese alphabet (plus f, j, w, z for loanwords) with at most one tone
/// mark; tone marks only on vowels, the circumflex on a/e/o, the breve on a, the horn on o/u.
fn is_vietnamese_syllable(word: &str) -> bool {
    let mut tones = 0;
    let mut base: Option<char> = None;
    for c in word.nfd() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | 'đ' | 'Đ' => base = Some(c.to_ascii_lowercase()),
            '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}' => {
                tones += 1;
                if tones > 1 || !base.is_some_and(|b| "aeiouy".contains(b)) {
                    return false;
                }
            }
            '\u{302}' if base.is_some_and(|b| "aeo".contains(b)) => {}
            '\u{306}' if base == Some('a') => {}
            '\u{31B}' if base.is_some_and(|b| "ou".contains(b)) => {}
            _ => return false,
        }
    }
    true
}

/// Find letters damaged by a Windows-1252 (or 1258) round trip: the bytes of a UTF-8
/// Vietnamese letter each shown as a character of their own. Two or more are needed, so a
/// text that quotes one such sequence is not refused.
fn find_mojibake(text: &str) -> Option<Mojibake> {
    if text.is_ascii() {
        return None;
    }
    let mut first = None;
    let mut count = 0;
    let mut i = 0;
    // Every damaged letter starts with one of Â…ï (U+00C2-U+00EF) or Ă (U+0102), whose UTF-8
    // lead byte is C3 or C4: only those places are looked at.
    let bytes = text.as_bytes();
    while let Some(p) = memchr::memchr2(0xC3, 0xC4, &bytes[i..]) {
        let at = i + p;
        // Cheap first look (most C3s are à, á, â… followed by an ASCII letter): the lead must
        // be Â…ï or Ă, and the next character start like one of Windows-1252's 0x80-0xBF.
        let second = bytes.get(at + 1).copied().unwrap_or(0);
        let lead = if bytes[at] == 0xC3 {
            (0x82..=0xAF).contains(&second)
        } else {
            second == 0x82
        };
        let next = bytes.get(at + 2).copied().unwrap_or(0);
        if !lead || !matches!(next, 0xC2 | 0xC5 | 0xC6 | 0xCB | 0xE2) {
            i = at + 1;
            continue;
        }
        match mojibake_at(&text[at..]) {
            Some((len, meant)) => {
                count += 1;
                if first.is_none() {
                    first = Some((at, text[at..at + len].to_string(), meant));
                }
                i = at + len;
            }
            None => i = at + 1,
        }
    }
    let (offset, found, meant) = first?;
    (count >= 2).then(|| Mojibake {
        text: text.to_string(),
        count,
        found,
        offset,
        meant,
    })
}

/// If `s` starts with the Windows-1252 reading of a UTF-8 Vietnamese letter: its length in `s`
/// and the letter.
fn mojibake_at(s: &str) -> Option<(usize, char)> {
    let mut chars = s.char_indices();
    let (_, lead) = chars.next()?;
    let lead = cp1252_byte(lead)?;
    let need = match lead {
        0xC2..=0xDF => 1,
        0xE0..=0xEF => 2,
        _ => return None,
    };
    let mut utf8 = vec![lead];
    let mut end = lead_len(s);
    for _ in 0..need {
        let (i, c) = chars.next()?;
        let b = cp1252_byte(c).filter(|b| (0x80..=0xBF).contains(b))?;
        utf8.push(b);
        end = i + c.len_utf8();
    }
    let letter = std::str::from_utf8(&utf8).ok()?.chars().next()?;
    let vietnamese = !letter.is_ascii()
        && letter.is_alphabetic()
        && is_vietnamese_syllable(letter.encode_utf8(&mut [0; 4]));
    vietnamese.then_some((end, letter))
}

fn lead_len(s: &str) -> usize {
    s.chars().next().map_or(0, char::len_utf8)
}

/// The Windows-1252 byte of `c` (Windows-1258's `Ă` too, and the five bytes 1252 leaves
/// undefined, which decoders pass through as C1 controls).
fn cp1252_byte(c: char) -> Option<u8> {
    let b = match c {
        '\u{80}'..='\u{FF}' => c as u32 as u8,
        'Ă' => 0xC3,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(b)
}

/// Undo a Windows-1252 round trip: every damaged letter found by the detector is put back;
/// the rest of the text is left as it is. Returns the text (NFC) and how many letters changed.
pub fn repair_mojibake(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        match mojibake_at(rest) {
            Some((len, letter)) => {
                out.push(letter);
                count += 1;
                i += len;
            }
            None => {
                let c = rest.chars().next().unwrap_or('\u{FFFD}');
                out.push(c);
                i += c.len_utf8().max(1);
            }
        }
    }
    (vietnamese::nfc(&out).into_owned(), count)
}

// ---------------------------------------------------------------------------------------------
// `bantin convert`
// ---------------------------------------------------------------------------------------------

/// What `bantin convert --from` reads a file as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Whatever [`detect`] recognises with confidence.
    Auto,
    Tcvn3,
    Vni,
    Cp1258,
    /// UTF-16, little- or big-endian by its byte-order mark (little-endian without one, unless
    /// its zero bytes say otherwise).
    Utf16,
    /// UTF-8 damaged by a Windows-1252 round trip ([`repair_mojibake`]).
    Mojibake,
}

impl Source {
    /// Every value of `bantin convert --from`, with what it reads a file as.
    pub const FLAGS: [(&'static str, Source); 6] = [
        ("auto", Source::Auto),
        ("tcvn3", Source::Tcvn3),
        ("vni", Source::Vni),
        ("cp1258", Source::Cp1258),
        ("utf16", Source::Utf16),
        ("mojibake", Source::Mojibake),
    ];

    /// The source named `flag` (a value of [`Source::FLAGS`]).
    pub fn from_flag(flag: &str) -> Option<Source> {
        Self::FLAGS
            .iter()
            .find(|(f, _)| *f == flag)
            .map(|(_, s)| *s)
    }
}

/// A file rewritten by [`convert`].
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// What it was read as ("TCVN3 (ABC)"; "mojibake" for a repair).
    pub from: String,
    /// Damaged letters were repaired (`Source::Mojibake`, or found by `Source::Auto`).
    pub repaired: bool,
    /// The copy of the original.
    pub backup: std::path::PathBuf,
    /// The first line with non-ASCII letters, as it now reads (for the editor to check).
    pub sample: Option<String>,
}

/// Why [`convert`] left a file alone.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConvertError {
    #[error("không đọc được tệp: {0}")]
    Read(String),
    #[error("tệp đã là văn bản UTF-8, không cần chuyển")]
    AlreadyUtf8,
    #[error("tệp đã là văn bản UTF-8 và không có chữ nào bị hỏng bảng mã: không có gì để sửa")]
    NoMojibake,
    #[error("tệp không phải văn bản UTF-8 nên không phải lỗi phông kiểu này")]
    NotUtf8,
    #[error("tệp này không phải văn bản mà có vẻ là {0}")]
    NotText(FileKind),
    /// Auto-detection is not sure: the first line with non-ASCII bytes read with each table.
    #[error("không đoán chắc được bảng mã của tệp")]
    Unsure(Vec<(Encoding, String)>),
    #[error("đã có tệp sao lưu {0} từ lần chuyển trước")]
    BackupExists(String),
    #[error("không ghi được tệp: {0}")]
    Write(String),
    /// UTF-8 with a few bad bytes: not another encoding, nothing to convert from.
    #[error(
        "tệp là văn bản UTF-8 nhưng có {count} chỗ hỏng (dòng {line}, cột {column}): không có bảng mã nào để chuyển"
    )]
    Damaged {
        count: usize,
        line: usize,
        column: usize,
    },
}

impl ConvertError {
    /// What went wrong, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::Vi {
            return self.to_string();
        }
        match self {
            ConvertError::Read(e) => format!("cannot read the file: {e}"),
            ConvertError::AlreadyUtf8 => {
                "the file is already UTF-8 text: nothing to convert".into()
            }
            ConvertError::NoMojibake => {
                "the file is UTF-8 text with no damaged letters: nothing to repair".into()
            }
            ConvertError::NotUtf8 => {
                "the file is not UTF-8 text, so it is not this kind of damage".into()
            }
            ConvertError::NotText(kind) => {
                format!("this file is not text: it looks like {}", kind.name_en())
            }
            ConvertError::Unsure(_) => "the file's encoding cannot be told for sure".into(),
            ConvertError::BackupExists(name) => {
                format!("the backup {name} from an earlier conversion is already there")
            }
            ConvertError::Write(e) => format!("cannot write the file: {e}"),
            ConvertError::Damaged {
                count,
                line,
                column,
            } => format!(
                "the file is UTF-8 text with {count} damaged spots (line {line}, column {column}): there is no encoding to convert from"
            ),
        }
    }

    /// How to go on, in `lang`; `file` is the file as the editor wrote it.
    pub fn hint(&self, lang: Lang, file: &str) -> String {
        match self {
            ConvertError::AlreadyUtf8 => lang.pick(
                "không cần làm gì; nếu chữ trong tệp vẫn sai kiểu «Ã¡», «Æ°», dùng `--from mojibake`".into(),
                "nothing to do; if the letters still read like «Ã¡», «Æ°», use `--from mojibake`".into(),
            ),
            ConvertError::NoMojibake => lang.pick("không cần làm gì", "nothing to do").into(),
            ConvertError::NotUtf8 => lang.pick(
                format!("thử `bantin convert {file}` để tự nhận ra bảng mã"),
                format!("try `bantin convert {file}` to recognise the encoding"),
            ),
            ConvertError::NotText(kind) => Problem::NotText { kind: *kind }
                .hint_in(lang)
                .unwrap_or_default(),
            ConvertError::Unsure(guesses) => {
                let flag = guesses.first().map_or("tcvn3", |(e, _)| e.flag());
                lang.pick(
                    format!("chọn bảng mã cho chữ đọc đúng rồi chạy lại, ví dụ `bantin convert --from {flag} {file}`"),
                    format!("pick the encoding whose line reads right and run again, e.g. `bantin convert --from {flag} {file}`"),
                )
            }
            ConvertError::BackupExists(_) => lang.pick(
                format!("tệp có thể đã được chuyển rồi: mở {file} để kiểm tra; nếu vẫn muốn chuyển lại, thêm --force (tệp .bak cũ sẽ bị ghi đè)"),
                format!("the file may be converted already: open {file} to check; to convert it again anyway, add --force (the old .bak is overwritten)"),
            ),
            ConvertError::Damaged { .. } => Problem::BrokenUtf8 { count: 0 }
                .hint_in(lang)
                .unwrap_or_default(),
            ConvertError::Read(_) | ConvertError::Write(_) => lang.pick(
                "kiểm tra đường dẫn (tính từ thư mục của trang) và quyền đọc, ghi tệp".into(),
                "check the path (from the site's folder) and that you may read and write the file".into(),
            ),
        }
    }
}

/// Rewrite the file at `path` as UTF-8 (NFC, no byte-order mark, line endings kept) after
/// copying it to `<path>.bak`. A file that is already UTF-8 is left alone unless `force` (or
/// `Source::Mojibake`, which only repairs UTF-8); an existing `.bak` is never replaced unless
/// `force`.
pub fn convert(path: &Path, from: Source, force: bool) -> Result<Converted, ConvertError> {
    let bytes = std::fs::read(path).map_err(|e| ConvertError::Read(e.to_string()))?;
    let detected = detect(&bytes);
    if let Detected::Binary(kind) = detected {
        return Err(ConvertError::NotText(kind));
    }
    let is_utf8 = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes));
    let (from_name, text) = match from {
        Source::Mojibake => {
            let text = is_utf8.map_err(|_| ConvertError::NotUtf8)?;
            let (fixed, count) = repair_mojibake(text);
            if count == 0 {
                return Err(ConvertError::NoMojibake);
            }
            ("mojibake".to_string(), fixed)
        }
        Source::Auto if matches!(detected, Detected::Mojibake(_)) => {
            let (fixed, _) = repair_mojibake(is_utf8.map_err(|_| ConvertError::NotUtf8)?);
            ("mojibake".to_string(), fixed)
        }
        _ if is_utf8.is_ok() && !force && !matches!(detected, Detected::Utf16Bom { .. }) => {
            return Err(ConvertError::AlreadyUtf8);
        }
        Source::Auto => match detected {
            Detected::Utf16Bom { encoding, .. } => (encoding.name().to_string(), {
                encoding.decode(&bytes[2..])
            }),
            Detected::Other { encoding, .. } => {
                (encoding.name().to_string(), encoding.decode(&bytes))
            }
            Detected::BrokenUtf8 {
                text,
                offset,
                count,
            } => {
                let at = Location::from_offset(&text, offset);
                return Err(ConvertError::Damaged {
                    count,
                    line: at.line,
                    column: at.column,
                });
            }
            Detected::Unknown { guesses } => {
                return Err(ConvertError::Unsure(
                    guesses
                        .into_iter()
                        .map(|g| {
                            (
                                g.encoding,
                                first_non_ascii_line(&g.text).unwrap_or_default(),
                            )
                        })
                        .collect(),
                ));
            }
            // Valid UTF-8 (with --force): nothing to read it as.
            _ => return Err(ConvertError::AlreadyUtf8),
        },
        Source::Utf16 => {
            let encoding = if bytes.starts_with(&[0xFE, 0xFF]) {
                Encoding::Utf16Be
            } else if bytes.starts_with(&[0xFF, 0xFE]) {
                Encoding::Utf16Le
            } else {
                utf16_without_bom(&bytes).unwrap_or(Encoding::Utf16Le)
            };
            let body = if bytes.starts_with(&[0xFE, 0xFF]) || bytes.starts_with(&[0xFF, 0xFE]) {
                &bytes[2..]
            } else {
                &bytes[..]
            };
            (encoding.name().to_string(), encoding.decode(body))
        }
        Source::Tcvn3 | Source::Vni | Source::Cp1258 => {
            let encoding = match from {
                Source::Tcvn3 => Encoding::Tcvn3,
                Source::Vni => Encoding::Vni,
                _ => Encoding::Cp1258,
            };
            (encoding.name().to_string(), encoding.decode(&bytes))
        }
    };
    let mut backup = path.as_os_str().to_owned();
    backup.push(".bak");
    let backup = std::path::PathBuf::from(backup);
    if backup.exists() && !force {
        let name = backup.file_name().unwrap_or_default().to_string_lossy();
        return Err(ConvertError::BackupExists(name.into_owned()));
    }
    let write_err = |e: std::io::Error| ConvertError::Write(e.to_string());
    std::fs::write(&backup, &bytes).map_err(write_err)?;
    // Written beside the file, then renamed over it: an interrupted run leaves the file whole.
    let mut temp = path.as_os_str().to_owned();
    temp.push(".bantin-tmp");
    let temp = std::path::PathBuf::from(temp);
    std::fs::write(&temp, text.as_bytes()).map_err(write_err)?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        write_err(e)
    })?;
    Ok(Converted {
        repaired: from_name == "mojibake",
        from: from_name,
        backup,
        sample: first_non_ascii_line(&text),
    })
}

/// The first line holding a non-ASCII character, trimmed (for showing what a file reads as).
pub fn first_non_ascii_line(text: &str) -> Option<String> {
    let line = text.lines().find(|l| !l.is_ascii())?.trim();
    Some(match line.char_indices().nth(100) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    })
}

// ---------------------------------------------------------------------------------------------
// TCVN3 (ABC)
//
// TCVN 5712:1993 defines VN1 (all precomposed letters, capitals partly in the C0 control range)
// and its subset VN3, the "ABC" encoding of the `.VnTime` fonts that offices used: lowercase
// letters with every tone at 0xA8-0xFE, the capitals Ă Â Ê Ô Ơ Ư Đ at 0xA1-0xA7, and the five tone
// marks as combining characters at 0xB0-0xB4. Capitals with tones are typed in VN3 with the
// lowercase codes in the capital-only fonts (`.VnTimeH`), so they come out lowercase: nothing
// in the bytes says otherwise. The table below is VN1 for 0x80-0xFF (a superset of VN3, so a VN1
// file reads too); VN1's capitals in the C0 range are left as control characters, which text
// files never hold. Checked against glibc's TCVN5712-1 converter (see the tests).
// ---------------------------------------------------------------------------------------------

#[rustfmt::skip]
const TCVN3_HIGH: [char; 128] = [
    // 0x80
    'À', 'Ả', 'Ã', 'Á', 'Ạ', 'Ặ', 'Ậ', 'È', 'Ẻ', 'Ẽ', 'É', 'Ẹ', 'Ệ', 'Ì', 'Ỉ', 'Ĩ',
    // 0x90
    'Í', 'Ị', 'Ò', 'Ỏ', 'Õ', 'Ó', 'Ọ', 'Ộ', 'Ờ', 'Ở', 'Ỡ', 'Ớ', 'Ợ', 'Ù', 'Ủ', 'Ũ',
    // 0xA0
    '\u{A0}', 'Ă', 'Â', 'Ê', 'Ô', 'Ơ', 'Ư', 'Đ', 'ă', 'â', 'ê', 'ô', 'ơ', 'ư', 'đ', 'Ằ',
    // 0xB0
    '\u{300}', '\u{309}', '\u{303}', '\u{301}', '\u{323}', 'à', 'ả', 'ã',
    'á', 'ạ', 'Ẳ', 'ằ', 'ẳ', 'ẵ', 'ắ', 'Ẵ',
    // 0xC0
    'Ắ', 'Ầ', 'Ẩ', 'Ẫ', 'Ấ', 'Ề', 'ặ', 'ầ', 'ẩ', 'ẫ', 'ấ', 'ậ', 'è', 'Ể', 'ẻ', 'ẽ',
    // 0xD0
    'é', 'ẹ', 'ề', 'ể', 'ễ', 'ế', 'ệ', 'ì', 'ỉ', 'Ễ', 'Ế', 'Ồ', 'ĩ', 'í', 'ị', 'ò',
    // 0xE0
    'Ổ', 'ỏ', 'õ', 'ó', 'ọ', 'ồ', 'ổ', 'ỗ', 'ố', 'ộ', 'ờ', 'ở', 'ỡ', 'ớ', 'ợ', 'ù',
    // 0xF0
    'Ỗ', 'ủ', 'ũ', 'ú', 'ụ', 'ừ', 'ử', 'ữ', 'ứ', 'ự', 'ỳ', 'ỷ', 'ỹ', 'ý', 'ỵ', 'Ố',
];

fn decode_tcvn3(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b < 0x80 {
                b as char
            } else {
                TCVN3_HIGH[(b - 0x80) as usize]
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// VNI-Windows
//
// VNI (VNI Software, 1987; the `VNI-Times` fonts) stores text as Windows-1252 bytes and draws
// Vietnamese letters by composition: a base letter followed by one mark byte that the font
// draws over it (`a` + `ù` → á, `a` + `á` → ấ, `a` + `é` → ắ). ơ, ư, đ, the toned i's and ỵ
// are single bytes. Each mark byte maps to one or two combining marks here; NFC then composes
// them with the letter. A mark byte that does not follow a vowel is kept as the character it is
// in Windows-1252 (it is not VNI text there). Table from the VNI-Windows code chart, checked
// against published samples (see the tests).
// ---------------------------------------------------------------------------------------------

/// Single bytes that are letters in VNI.
fn vni_letter(b: u8) -> Option<char> {
    Some(match b {
        0xF1 => 'đ',
        0xD1 => 'Đ',
        0xF4 => 'ơ',
        0xD4 => 'Ơ',
        0xF6 => 'ư',
        0xD6 => 'Ư',
        0xEC => 'ì',
        0xCC => 'Ì',
        0xED => 'í',
        0xCD => 'Í',
        0xE6 => 'ỉ',
        0xC6 => 'Ỉ',
        0xF3 => 'ĩ',
        0xD3 => 'Ĩ',
        0xF2 => 'ị',
        0xD2 => 'Ị',
        0xEE => 'ỵ',
        0xCE => 'Ỵ',
        _ => return None,
    })
}

/// Mark bytes (lowercase and uppercase forms) and the combining marks they stand for.
fn vni_mark(b: u8) -> Option<&'static str> {
    Some(match b {
        0xF8 | 0xD8 => "\u{300}",        // grave
        0xF9 | 0xD9 => "\u{301}",        // acute
        0xFB | 0xDB => "\u{309}",        // hook above
        0xF5 | 0xD5 => "\u{303}",        // tilde
        0xEF | 0xCF => "\u{323}",        // dot below
        0xE2 | 0xC2 => "\u{302}",        // circumflex
        0xE0 | 0xC0 => "\u{302}\u{300}", // circumflex + grave
        0xE1 | 0xC1 => "\u{302}\u{301}", // circumflex + acute
        0xE5 | 0xC5 => "\u{302}\u{309}", // circumflex + hook
        0xE3 | 0xC3 => "\u{302}\u{303}", // circumflex + tilde
        0xE4 | 0xC4 => "\u{302}\u{323}", // circumflex + dot
        0xEA | 0xCA => "\u{306}",        // breve
        0xE8 | 0xC8 => "\u{306}\u{300}", // breve + grave
        0xE9 | 0xC9 => "\u{306}\u{301}", // breve + acute
        0xFA | 0xDA => "\u{306}\u{309}", // breve + hook
        0xFC | 0xDC => "\u{306}\u{303}", // breve + tilde
        0xEB | 0xCB => "\u{306}\u{323}", // breve + dot
        _ => return None,
    })
}

fn decode_vni(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 4);
    // The base vowel the next mark byte may go on (a, e, i, o, u, y, ơ, ư in either case).
    let mut vowel = false;
    for &b in bytes {
        if b < 0x80 {
            out.push(b as char);
            vowel = b"aeiouyAEIOUY".contains(&b);
            continue;
        }
        if let Some(c) = vni_letter(b) {
            out.push(c);
            vowel = matches!(c, 'ơ' | 'Ơ' | 'ư' | 'Ư');
            continue;
        }
        match vni_mark(b) {
            Some(marks) if vowel => {
                out.push_str(marks);
                vowel = false;
            }
            _ => {
                let byte = [b];
                let (c, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
                out.push_str(&c);
                vowel = false;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENTENCES: &[&str] = &[
        "Ủy ban nhân dân phường Tô Châu",
        "Đồng chí Lưu Thanh Bình, Bí thư Đảng ủy phường",
        "Hội nghị tổng kết công tác năm 2025: đạt và vượt 18/20 chỉ tiêu.",
        "Người dân khu phố Xuân Hòa được hướng dẫn thủ tục trực tuyến.",
    ];

    /// Every vowel with every tone, and đ.
    fn all_letters() -> String {
        let mut s = String::new();
        for base in ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"] {
            for tone in ["", "\u{300}", "\u{301}", "\u{309}", "\u{303}", "\u{323}"] {
                s.push_str(&format!("{base}{tone}").nfc().collect::<String>());
            }
            s.push(' ');
        }
        s + "đ"
    }

    /// TCVN3 encoder for tests: lowercase and plain capitals only (what VN3 holds).
    fn encode_tcvn3(text: &str) -> Vec<u8> {
        text.chars()
            .map(|c| {
                if c.is_ascii() {
                    c as u8
                } else {
                    let i = TCVN3_HIGH
                        .iter()
                        .position(|&t| t == c)
                        .unwrap_or_else(|| panic!("{c} not in TCVN3"));
                    0x80 + i as u8
                }
            })
            .collect()
    }

    /// VNI encoder for tests: decompose, then the letter byte or base + mark byte.
    fn encode_vni(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for c in text.chars() {
            if c.is_ascii() {
                out.push(c as u8);
                continue;
            }
            if let Some(b) = (0x80..=0xFFu8).find(|&b| vni_letter(b) == Some(c)) {
                out.push(b);
                continue;
            }
            let d: String = c.to_string().nfd().collect();
            let mut it = d.chars();
            let base = it.next().unwrap();
            // Horn, then circumflex or breve, then the tone: the order of the VNI mark bytes.
            let rest: Vec<char> = it.collect();
            let marks: String = ['\u{31B}', '\u{302}', '\u{306}']
                .into_iter()
                .filter(|m| rest.contains(m))
                .chain(
                    rest.iter()
                        .copied()
                        .filter(|m| !['\u{31B}', '\u{302}', '\u{306}'].contains(m)),
                )
                .collect();
            // ơ/ư with a tone: the letter byte, then the tone mark.
            let (base_byte, marks) = match marks.strip_prefix('\u{31B}') {
                Some(rest) => {
                    let letter = if base.eq_ignore_ascii_case(&'o') {
                        'ơ'
                    } else {
                        'ư'
                    };
                    let letter = if base.is_uppercase() {
                        letter.to_uppercase().next().unwrap()
                    } else {
                        letter
                    };
                    let b = (0x80..=0xFFu8)
                        .find(|&b| vni_letter(b) == Some(letter))
                        .unwrap();
                    (b, rest.to_string())
                }
                None => (base as u8, marks),
            };
            out.push(base_byte);
            let upper = base.is_uppercase();
            let b = (0x80..=0xFFu8)
                .filter(|b| (*b >= 0xE0) != upper)
                .find(|&b| vni_mark(b) == Some(marks.as_str()))
                .unwrap_or_else(|| panic!("no VNI mark for {c}"));
            out.push(b);
        }
        out
    }

    /// Windows-1258 as Windows writes it: the letter without its tone (precomposed when the code
    /// page has it), then the combining tone.
    fn encode_cp1258(text: &str) -> Vec<u8> {
        let tones = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
        let mut out = Vec::new();
        for c in text.chars() {
            let s = c.to_string();
            let (b, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&s);
            if !unmappable {
                out.extend_from_slice(&b);
                continue;
            }
            let nfd: String = s.nfd().collect();
            let base: String = nfd.chars().filter(|c| !tones.contains(c)).nfc().collect();
            let tone: String = nfd.chars().filter(|c| tones.contains(c)).collect();
            let both = base + &tone;
            let (b, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&both);
            assert!(!unmappable, "{c}");
            out.extend_from_slice(&b);
        }
        out
    }

    #[test]
    fn cp1258_round_trips_every_letter_and_sentence() {
        let mut texts: Vec<String> = SENTENCES.iter().map(|s| s.to_string()).collect();
        texts.push(all_letters());
        texts.push(all_letters().to_uppercase());
        for text in texts {
            assert_eq!(Encoding::Cp1258.decode(&encode_cp1258(&text)), text);
        }
    }

    #[test]
    fn tcvn3_round_trips_every_letter_and_sentence() {
        let mut texts: Vec<String> = SENTENCES.iter().map(|s| s.to_string()).collect();
        texts.push(all_letters());
        for text in texts {
            let bytes = encode_tcvn3(&text);
            assert_eq!(Encoding::Tcvn3.decode(&bytes), text);
        }
    }

    #[test]
    fn vni_round_trips_every_letter_and_sentence() {
        let mut texts: Vec<String> = SENTENCES.iter().map(|s| s.to_string()).collect();
        texts.push(all_letters());
        texts.push(all_letters().to_uppercase());
        for text in texts {
            let bytes = encode_vni(&text);
            assert_eq!(Encoding::Vni.decode(&bytes), text, "{bytes:x?}");
        }
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn tcvn3_matches_glibc() {
        // printf '%s' "$TEXT" | iconv -f UTF-8 -t TCVN5712-1 | xxd -p
        for (text, bytes) in [
            (
                "Ủy ban nhân dân phường Tô Châu",
                "9e792062616e206e68a96e2064a96e207068adea6e672054ab204368a975",
            ),
            (
                "đồng chí lưu thanh bình, bí thư đảng ủy phường",
                "aee56e67206368dd206cad75207468616e682062d76e682c2062dd207468ad20aeb66e6720f179207068adea6e67",
            ),
            (
                "Đắk Lắk, Nghệ An, Quảng Ngãi, Thừa Thiên Huế",
                "a7be6b204cbe6b2c204e6768d620416e2c205175b66e67204e67b7692c205468f56120546869aa6e204875d5",
            ),
        ] {
            assert_eq!(Encoding::Tcvn3.decode(&hex(bytes)), text);
        }
    }

    #[test]
    fn vni_matches_a_published_sample() {
        // The README of the npm package `vietnamese-conversion`: "Xin chào các bạn" in VNI.
        let sample = encoding_rs::WINDOWS_1252.encode("Xin chaøo caùc baïn").0;
        assert_eq!(Encoding::Vni.decode(&sample), "Xin chào các bạn");
        // VNI-Windows code chart: Phường = Ph + ư (F6) + ơ (F4) + grave (F8) + ng.
        assert_eq!(Encoding::Vni.decode(b"Ph\xF6\xF4\xF8ng"), "Phường");
        assert_eq!(Encoding::Vni.decode(b"\xD1a\xE9k La\xE9k"), "Đắk Lắk");
    }

    #[test]
    fn cp1258_matches_python() {
        // Python's cp1258 codec, letters it has no precomposed form for written as the letter
        // without tone + the combining tone (what Windows does): see docs/encodings.md.
        for (text, bytes) in [
            ("Phường Tô Châu", "5068fdf5cc6e672054f4204368e275"),
            (
                "Đồng chí Lưu Thanh Bình, Bí thư Đảng ủy phường",
                "d0f4cc6e67206368ed204cfd75205468616e68204269cc6e682c2042ed207468fd20d061d26e672075d279207068fdf5cc6e67",
            ),
        ] {
            assert_eq!(Encoding::Cp1258.decode(&hex(bytes)), text);
        }
    }

    #[test]
    fn detects_each_legacy_encoding() {
        for text in SENTENCES {
            for (enc, bytes) in [
                (Encoding::Tcvn3, encode_tcvn3(&text.to_lowercase())),
                (Encoding::Vni, encode_vni(text)),
                (Encoding::Cp1258, encode_cp1258(text)),
            ] {
                match detect(&bytes) {
                    Detected::Other { encoding, .. } => assert_eq!(encoding, enc, "{text}"),
                    other => panic!("{enc:?} {text}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn utf8_with_bom_and_crlf_just_works() {
        let nfd = "Ho\u{0300}a";
        let bytes = [&[0xEF, 0xBB, 0xBF][..], format!("a\r\n{nfd}\r").as_bytes()].concat();
        assert_eq!(decode(&bytes).unwrap(), "a\nHòa\n");
    }

    #[test]
    fn utf16_with_bom_is_read() {
        let text = "+++\r\ntitle = \"Ủy ban nhân dân\"\r\n+++\r\n";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in text.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        let want = "+++\ntitle = \"Ủy ban nhân dân\"\n+++\n";
        assert_eq!(decode(&le).unwrap(), want);
        assert_eq!(decode(&be).unwrap(), want);
    }

    #[test]
    fn utf16_without_bom_is_named_not_read() {
        let text = "+++\ntitle = \"Ủy ban nhân dân phường\"\n+++\nBài viết.\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for (bytes, want) in [(le, Encoding::Utf16Le), (be, Encoding::Utf16Be)] {
            let d = decode_file(&bytes, Path::new("content/articles/a.md")).unwrap_err();
            match d.problem {
                Problem::WrongEncoding { encoding, path } => {
                    assert_eq!(encoding, want);
                    assert_eq!(path, "content/articles/a.md");
                }
                p => panic!("{p:?}"),
            }
            let loc = d.location.unwrap();
            assert_eq!(loc.line_text, "title = \"Ủy ban nhân dân phường\"");
            assert_eq!((loc.line, loc.column, loc.length), (2, 10, 2));
        }
    }

    #[test]
    fn binary_files_are_named() {
        let cases: &[(&[u8], FileKind)] = &[
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", FileKind::Png),
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF", FileKind::Jpeg),
            (b"%PDF-1.7\n", FileKind::Pdf),
            (
                b"PK\x03\x04\x14\0\0\0[Content_Types].xml word/document.xml",
                FileKind::Docx,
            ),
            (b"PK\x03\x04\x14\0\0\0a.txt", FileKind::Zip),
            (b"{\\rtf1\\ansi ...}", FileKind::Rtf),
            (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", FileKind::OldOffice),
            (
                b"ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0",
                FileKind::Binary,
            ),
        ];
        for (bytes, kind) in cases {
            assert_eq!(detect(bytes), Detected::Binary(*kind), "{kind:?}");
        }
        // A stray control character pasted from Word is not enough.
        assert!(matches!(detect(b"a\x0Bb\n"), Detected::Utf8 { .. }));
    }

    #[test]
    fn mojibake_is_found_and_repaired() {
        let good = "Ủy ban nhân dân phường Tô Châu đã họp";
        // The UTF-8 bytes read as Windows-1252, saved as UTF-8 again.
        let bad = encoding_rs::WINDOWS_1252
            .decode(good.as_bytes())
            .0
            .into_owned();
        assert!(bad.contains("Æ°"), "{bad}");
        match detect(bad.as_bytes()) {
            Detected::Mojibake(m) => {
                assert_eq!((m.found.as_str(), m.meant), ("á»¦", 'Ủ'));
                assert_eq!(m.offset, 0);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(repair_mojibake(&bad).0, good);
        // Through Windows-1258 (Vietnamese Windows) the lead byte of á is Ă, not Ã.
        let bad = encoding_rs::WINDOWS_1258
            .decode("Hòa Bình".as_bytes())
            .0
            .into_owned();
        assert_eq!(repair_mojibake(&bad).0, "Hòa Bình");
        // Real text is left alone, and one quoted sequence is not enough.
        for text in [good, "Lỗi phông như «Ã¡» hay gặp", "Ã Ä Å Æ á» São Paulo"] {
            assert!(
                matches!(detect(text.as_bytes()), Detected::Utf8 { .. }),
                "{text}"
            );
        }
    }

    #[test]
    fn scoring_separates_the_tables() {
        assert_eq!(score_vietnamese("Phường Tô Châu"), (3, 0));
        assert_eq!(score_vietnamese("Phửụứng"), (0, 1));
        assert_eq!(score_vietnamese("Phöôøng"), (0, 1));
        assert_eq!(score_vietnamese("Ph\u{AD}êng"), (0, 1));
        assert_eq!(score_vietnamese("“Hòa” — 5°C"), (1, 0));
    }

    #[test]
    fn utf8_with_a_few_bad_bytes_is_located() {
        let bytes = b"+++\r\ntitle = \"H\xE1\xBB\x99i ngh\xE1\xBB\x8B\"\r\n+++\r\nPh\xF2ng T\xC3\xB4 Ch\xC3\xA2u\r\n";
        let d = decode_file(bytes, Path::new("a.md")).unwrap_err();
        assert_eq!(d.problem, Problem::BrokenUtf8 { count: 1 });
        let loc = d.location.unwrap();
        assert_eq!((loc.line, loc.column), (4, 3));
        assert_eq!(loc.line_text, "Ph\u{FFFD}ng Tô Châu");
    }

    /// Whatever the bytes, detection, decoding, repair and the message never panic.
    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        // Bytes drawn from the interesting ones: ASCII, line ends, NUL, C3/C4/E1 leads,
        // continuation bytes, TCVN3 and VNI letters, BOMs.
        let pool: Vec<u8> =
            b"aoe +\r\n\0\xC3\xC4\xE1\xBB\x80\xA1\xBF\xFF\xFE\xEF\xF6\xF4\xF8\xD1\xAD\xEA\xCC"
                .to_vec();
        for round in 0..3000 {
            let len = (next() % 64) as usize + round % 3;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next();
                    if r % 4 == 0 {
                        (r >> 8) as u8
                    } else {
                        pool[(r >> 8) as usize % pool.len()]
                    }
                })
                .collect();
            let _ = decode_file(&bytes, Path::new("a.md"));
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let _ = repair_mojibake(text);
            }
            for encoding in Encoding::LEGACY {
                let _ = encoding.decode(&bytes);
            }
        }
    }

    #[test]
    fn undecidable_bytes_are_unknown() {
        assert!(matches!(
            detect(b"caf\xE9 \xFF\xFE\xFD"),
            Detected::Unknown { .. }
        ));
        // One letter is not enough to name an encoding.
        assert!(matches!(detect(b"\xFF"), Detected::Unknown { .. }));
        assert!(matches!(
            decode(b"\xFF"),
            Err(Problem::UnknownEncoding { .. })
        ));
    }
}
