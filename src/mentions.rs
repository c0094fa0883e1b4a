//! Mention detection: which officials and departments an article names in its running text.
//!
//! One Aho–Corasick automaton over the match keys of every name, short name and alias is built
//! once per build ([`MentionIndex::build`]); each text is then scanned once, in time linear in
//! its length, whatever the number of names. Matching works on [`vietnamese::match_key`]s, so it
//! ignores case, NFC/NFD and old/new tone placement but never the diacritics themselves
//! ("Đức" is not "Dục"). Only whole words match, and the longest name wins
//! ("Văn phòng HĐND và UBND" is the Văn phòng, not UBND).

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::error::EntityKind;
use crate::vietnamese;

/// What a name points to: an official or a department, by slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub kind: EntityKind,
    pub slug: String,
}

/// A name found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Byte range in the scanned text (the name exactly as written).
    pub range: Range<usize>,
    /// Index into [`MentionIndex::targets`].
    pub target: usize,
}

/// The automaton and what each of its patterns names.
#[derive(Debug, Clone)]
pub struct MentionIndex {
    automaton: Option<AhoCorasick>,
    /// Pattern id → target index.
    pattern_target: Vec<usize>,
    targets: Vec<Target>,
}

/// Names shorter than this (in characters, after normalising) are never searched for: a
/// two-letter alias would match everywhere.
const MIN_NAME_CHARS: usize = 3;

impl MentionIndex {
    /// Build from every entity's names. Duplicate keys keep the first entity (collisions are
    /// reported by the resolve stage).
    pub fn build<'a>(entities: impl IntoIterator<Item = (Target, Vec<&'a str>)>) -> MentionIndex {
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_target = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut targets = Vec::new();
        for (target, names) in entities {
            let t = targets.len();
            targets.push(target);
            for name in names {
                let key = vietnamese::match_key(name);
                if key.chars().count() < MIN_NAME_CHARS {
                    continue;
                }
                // Both tone placements, so lowercase text can be searched as it is.
                for variant in vietnamese::tone_placement_variants(&key) {
                    if seen.insert(variant.clone()) {
                        patterns.push(variant);
                        pattern_target.push(t);
                    }
                }
            }
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&patterns)
                .ok()
        };
        MentionIndex {
            automaton,
            pattern_target,
            targets,
        }
    }

    /// An index that finds nothing.
    pub fn empty() -> MentionIndex {
        MentionIndex::build(std::iter::empty())
    }

    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// Every whole-word name in `text`, left to right.
    pub fn find(&self, text: &str) -> Vec<Found> {
        let is_nfc = unicode_normalization::is_nfc_quick(text.chars())
            == unicode_normalization::IsNormalized::Yes;
        self.find_impl(text, is_nfc)
    }

    /// [`MentionIndex::find`] for text known to be NFC (every document body is: the load stage
    /// normalises), skipping the check.
    pub fn find_in_nfc(&self, text: &str) -> Vec<Found> {
        self.find_impl(text, true)
    }

    fn find_impl(&self, text: &str, is_nfc: bool) -> Vec<Found> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        // Fast path: lowercasing keeps byte offsets for Vietnamese text, and the automaton
        // holds both tone placements of every name.
        // Runs of spaces, tabs or no-break spaces need the full key, which collapses them.
        // (Byte searches: `contains` with a set of characters decodes every character.)
        let plain_spaces = || {
            let bytes = text.as_bytes();
            memchr::memchr(b'\t', bytes).is_none()
                && ["  ", "\u{a0}", "\u{202f}"]
                    .iter()
                    .all(|s| memchr::memmem::find(bytes, s.as_bytes()).is_none())
        };
        if let Some(lower) = (is_nfc && plain_spaces())
            .then(|| vietnamese::lowercase_same_offsets(text))
            .flatten()
        {
            return ac
                .find_iter(&lower)
                .filter(|m| is_word_boundary(&lower, m.start(), m.end()))
                .map(|m| Found {
                    range: m.range(),
                    target: self.pattern_target[m.pattern().as_usize()],
                })
                .collect();
        }
        let mapped = vietnamese::match_key_mapped(text);
        let key = mapped.key();
        ac.find_iter(key)
            .filter(|m| is_word_boundary(key, m.start(), m.end()))
            .map(|m| Found {
                range: mapped.source_range(m.start()..m.end()),
                target: self.pattern_target[m.pattern().as_usize()],
            })
            .collect()
    }

    /// The target a whole text names, when the text is exactly one name ("Văn phòng HĐND và
    /// UBND"), ignoring surrounding spaces and punctuation.
    pub fn exact(&self, text: &str) -> Option<usize> {
        let trimmed = text.trim_matches(|c: char| !c.is_alphanumeric());
        let found = self.find(trimmed);
        match found.as_slice() {
            [one] if one.range == (0..trimmed.len()) => Some(one.target),
            _ => None,
        }
    }
}

/// Whether `key[start..end]` stands as whole words.
fn is_word_boundary(key: &str, start: usize, end: usize) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || is_combining(c);
    let before = key[..start].chars().next_back();
    let after = key[end..].chars().next();
    !before.is_some_and(is_word) && !after.is_some_and(is_word)
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> MentionIndex {
        let t = |kind, slug: &str| Target {
            kind,
            slug: slug.into(),
        };
        MentionIndex::build([
            (
                t(EntityKind::Official, "luu-thanh-binh"),
                vec!["Lưu Thanh Bình"],
            ),
            (
                t(EntityKind::Official, "nguyen-van-an"),
                vec!["Nguyễn Văn An"],
            ),
            (
                t(EntityKind::Official, "pham-minh-duc"),
                vec!["Phạm Minh Đức"],
            ),
            (
                t(EntityKind::Department, "ubnd"),
                vec!["Ủy ban nhân dân phường", "UBND phường", "UBND"],
            ),
            (
                t(EntityKind::Department, "van-phong"),
                vec!["Văn phòng HĐND và UBND"],
            ),
            (t(EntityKind::Department, "dang-uy"), vec!["Đảng ủy phường"]),
        ])
    }

    fn names(text: &str) -> Vec<(&str, String)> {
        let idx = index();
        idx.find(text)
            .into_iter()
            .map(|f| (&text[f.range], idx.targets()[f.target].slug.clone()))
            .collect()
    }

    #[test]
    fn finds_names_as_written() {
        assert_eq!(
            names("đồng chí Lưu Thanh Bình, Bí thư Đảng ủy phường"),
            vec![
                ("Lưu Thanh Bình", "luu-thanh-binh".to_string()),
                ("Đảng ủy phường", "dang-uy".to_string())
            ]
        );
    }

    #[test]
    fn ignores_case_normal_form_and_tone_placement() {
        assert_eq!(names("ĐỒNG CHÍ LƯU THANH BÌNH")[0].0, "LƯU THANH BÌNH");
        let nfd = "Lu\u{031B}u Thanh Bi\u{0300}nh";
        assert_eq!(names(nfd)[0].0, nfd);
        assert_eq!(names("Đảng uỷ phường")[0].1, "dang-uy");
        assert_eq!(
            names("ông Lưu  Thanh\u{a0}Bình")[0].0,
            "Lưu  Thanh\u{a0}Bình"
        );
    }

    #[test]
    fn keeps_diacritics_and_whole_words() {
        assert!(names("Phạm Minh Dục").is_empty());
        assert!(names("Nguyễn Văn Anh").is_empty());
        assert_eq!(names("ông Nguyễn Văn An.").len(), 1);
    }

    #[test]
    fn longest_name_wins() {
        assert_eq!(
            names("Văn phòng HĐND và UBND phường"),
            vec![("Văn phòng HĐND và UBND", "van-phong".to_string())]
        );
        assert_eq!(names("UBND phường Tô Châu")[0].0, "UBND phường");
    }

    #[test]
    fn exact_names_a_whole_text() {
        let idx = index();
        assert!(idx.exact(" Văn phòng HĐND và UBND ").is_some());
        assert!(idx.exact("Văn phòng HĐND và UBND tỉnh").is_none());
    }
}
