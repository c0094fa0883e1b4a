//! Splitting a document into front matter and body.
//!
//! TOML front matter sits between two `+++` lines, YAML between two `---` lines, at the very top
//! of the file (blank lines before it are allowed).

use crate::error::{Location, Problem};
use crate::parse::{self, Located};

/// The format of a front-matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
}

/// Byte ranges of a document's parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub format: Format,
    /// Start of the front-matter block (the line after the opening delimiter).
    pub block_offset: usize,
    pub block_end: usize,
    /// Start of the body (the line after the closing delimiter).
    pub body_offset: usize,
}

impl Split {
    pub fn block<'t>(&self, text: &'t str) -> &'t str {
        &text[self.block_offset..self.block_end]
    }

    pub fn body<'t>(&self, text: &'t str) -> &'t str {
        &text[self.body_offset..]
    }

    /// Deserialise the block into typed metadata, with errors located in the whole file.
    pub fn deserialize<M: serde::de::DeserializeOwned>(&self, text: &str) -> Result<M, Located> {
        let block = self.block(text);
        match self.format {
            Format::Toml => parse::from_toml(text, block, self.block_offset),
            Format::Yaml => parse::from_yaml(text, block, self.block_offset),
        }
    }
}

/// Find the front matter of `text` (already decoded: LF line endings).
pub fn split(text: &str) -> Result<Split, Located> {
    let start = text.len() - text.trim_start_matches(['\n', ' ', '\t']).len();
    let start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let rest = &text[start..];
    let first_line = rest.lines().next().unwrap_or("").trim_end();
    let (format, delimiter) = match first_line {
        "+++" => (Format::Toml, "+++"),
        "---" => (Format::Yaml, "---"),
        _ => {
            return Err((
                Problem::MissingFrontMatter,
                Some(Location::from_offset(text, start)),
            ));
        }
    };
    let block_offset = start + rest.find('\n').map_or(rest.len(), |i| i + 1);
    let mut pos = block_offset;
    for line in text[block_offset..].split_inclusive('\n') {
        if line.trim_end() == delimiter {
            return Ok(Split {
                format,
                block_offset,
                block_end: pos,
                body_offset: pos + line.len(),
            });
        }
        pos += line.len();
    }
    Err((
        Problem::UnclosedFrontMatter {
            delimiter: delimiter.into(),
        },
        Some(Location::from_offset(text, start)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_toml_and_yaml() {
        let t = "+++\ntitle = \"A\"\n+++\nBody\n";
        let s = split(t).unwrap();
        assert_eq!(s.format, Format::Toml);
        assert_eq!(s.block(t), "title = \"A\"\n");
        assert_eq!(s.body(t), "Body\n");
        let t = "\n---\ntitle: A\n---  \nBody";
        let s = split(t).unwrap();
        assert_eq!(s.format, Format::Yaml);
        assert_eq!(s.block(t), "title: A\n");
        assert_eq!(s.body(t), "Body");
    }

    #[test]
    fn closing_delimiter_at_end_of_file() {
        let t = "+++\ntitle = \"A\"\n+++";
        assert_eq!(split(t).unwrap().body(t), "");
    }

    #[test]
    fn unclosed_and_missing_are_reported_at_line_one() {
        let (p, loc) = split("+++\ntitle = \"A\"\nBody\n").unwrap_err();
        assert!(matches!(p, Problem::UnclosedFrontMatter { .. }));
        assert_eq!(loc.unwrap().line, 1);
        let (p, _) = split("Just text").unwrap_err();
        assert_eq!(p, Problem::MissingFrontMatter);
        let (p, _) = split("").unwrap_err();
        assert_eq!(p, Problem::MissingFrontMatter);
    }
}
