//! Typed deserialisation of editor-written TOML and YAML, with located errors.
//!
//! `site.toml` and every front-matter block go through [`from_toml`] or [`from_yaml`]. Validation
//! that can be done per value (dates, URLs) happens inside `Deserialize` impls, so that the parser
//! attaches the exact position of the bad value; this module turns parser errors into
//! [`Problem`]s with a [`Location`] in the whole file (the block's offset is added).

use serde::de::DeserializeOwned;

use crate::error::{Location, Problem};

/// A parse failure: what is wrong and where, in the coordinates of the whole file.
pub type Located = (Problem, Option<Location>);

/// Deserialise `block` (which starts at byte `offset` of `file_text`) as TOML.
pub fn from_toml<T: DeserializeOwned>(
    file_text: &str,
    block: &str,
    offset: usize,
) -> Result<T, Located> {
    toml::from_str(block).map_err(|e| {
        let location = e
            .span()
            .map(|span| Location::from_offset(file_text, offset + span.start));
        (problem_from_message(e.message()), location)
    })
}

/// Deserialise `block` (which starts at byte `offset` of `file_text`) as YAML.
pub fn from_yaml<T: DeserializeOwned>(
    file_text: &str,
    block: &str,
    offset: usize,
) -> Result<T, Located> {
    // An empty YAML block is `null`, not an empty map: give serde an empty map instead so that
    // the editor sees "missing field `title`" rather than a type error.
    let block = if block.trim().is_empty() { "{}" } else { block };
    serde_norway::from_str(block).map_err(|e| {
        let location = e
            .location()
            .map(|l| Location::from_offset(file_text, offset + l.index()));
        let message = e.to_string();
        // serde_norway appends " at line X column Y": the location is shown separately.
        let message = match message.find(" at line ") {
            Some(i) => &message[..i],
            None => &message,
        };
        (problem_from_message(message), location)
    })
}

/// Classify a serde/parser message into a [`Problem`] an editor can act on.
fn problem_from_message(message: &str) -> Problem {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default().to_string();
        let expected = backticked(rest.get(key.len() + 1..).unwrap_or_default());
        return Problem::UnknownKey {
            suggestion: closest_key(&key, &expected),
            key,
        };
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default().to_string();
        return Problem::MissingKey { key };
    }
    if message.starts_with("invalid type")
        || message.starts_with("invalid value")
        || message.starts_with("bantin:")
    {
        let message = message.trim_start_matches("bantin:").trim();
        return Problem::InvalidValue {
            message: translate_types(message),
        };
    }
    Problem::Syntax {
        message: message.to_string(),
    }
}

/// The `quoted` names in a serde "expected one of `a`, `b`" tail.
fn backticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The valid key closest to a misspelt one, when it is close enough to be a likely typo.
pub fn closest_key(key: &str, expected: &[String]) -> Option<String> {
    expected
        .iter()
        .map(|k| (strsim::levenshtein(key, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3) || k.contains(key) || key.contains(k.as_str()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.clone())
}

/// serde's type words, in the editor's language.
fn translate_types(message: &str) -> String {
    let mut out = message.to_string();
    for (en, vi) in [
        ("invalid type: ", "sai kiểu: "),
        ("invalid value: ", "giá trị sai: "),
        ("expected a string", "cần một chuỗi chữ trong dấu ngoặc kép"),
        (
            "expected a sequence",
            "cần một danh sách [\"...\", \"...\"]",
        ),
        ("expected a boolean", "cần true hoặc false"),
        ("expected usize", "cần một số nguyên dương"),
        ("expected u32", "cần một số nguyên dương"),
        ("expected i64", "cần một số nguyên"),
        ("integer", "số nguyên"),
        ("string", "chuỗi chữ"),
        ("sequence", "danh sách"),
        ("boolean", "true/false"),
        ("found ", "nhưng gặp "),
    ] {
        out = out.replace(en, vi);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Meta {
        title: String,
        paginate_by: Option<u32>,
    }

    #[test]
    fn unknown_key_suggests_the_closest_and_points_at_it() {
        let file = "+++\ntitel = \"A\"\n+++\n";
        let (problem, loc) = from_toml::<Meta>(file, "titel = \"A\"\n", 4).unwrap_err();
        assert_eq!(
            problem,
            Problem::UnknownKey {
                key: "titel".into(),
                suggestion: Some("title".into())
            }
        );
        assert_eq!(loc.unwrap().line, 2);
    }

    #[test]
    fn missing_key_is_named() {
        let (problem, _) = from_toml::<Meta>("", "paginate_by = 3", 0).unwrap_err();
        assert_eq!(
            problem,
            Problem::MissingKey {
                key: "title".into()
            }
        );
    }

    #[test]
    fn wrong_type_is_invalid_value_with_position() {
        let text = "title = \"A\"\npaginate_by = \"mười\"\n";
        let (problem, loc) = from_toml::<Meta>(text, text, 0).unwrap_err();
        assert!(
            matches!(problem, Problem::InvalidValue { .. }),
            "{problem:?}"
        );
        assert_eq!(loc.unwrap().line, 2);
    }

    #[test]
    fn yaml_errors_are_located_in_the_file() {
        let file = "---\ntitle: A\ntitel: B\n---\n";
        let (problem, loc) = from_yaml::<Meta>(file, "title: A\ntitel: B\n", 4).unwrap_err();
        assert!(matches!(problem, Problem::UnknownKey { .. }), "{problem:?}");
        assert_eq!(loc.unwrap().line, 3);
    }
}
