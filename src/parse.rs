//! Typed deserialisation of editor-written TOML and YAML, with located errors.
//!
//! `site.toml` and every front-matter block go through [`from_toml`] or [`from_yaml`]. Validation
//! that can be done per value (dates, URLs) happens inside `Deserialize` impls, so that the parser
//! attaches the exact position of the bad value; this module turns parser errors into
//! [`Problem`]s with a [`Location`] in the whole file (the block's offset is added).

use serde::de::DeserializeOwned;

use crate::error::{DataFormat, DateProblem, Location, Problem, SyntaxKind, Text, ValueKind};

/// A parse failure: what is wrong and where, in the coordinates of the whole file.
pub type Located = (Problem, Option<Location>);

/// Deserialise `block` (which starts at byte `offset` of `file_text`) as TOML.
pub fn from_toml<T: DeserializeOwned>(
    file_text: &str,
    block: &str,
    offset: usize,
) -> Result<T, Located> {
    toml::from_str(block).map_err(|e| {
        let span = e.span();
        let location = span
            .clone()
            .map(|span| Location::from_offset(file_text, offset + span.start));
        let token = span.and_then(|s| block.get(s)).unwrap_or_default().trim();
        let line = location.as_ref().map_or("", |l| l.line_text.as_str());
        (
            problem_from_message(e.message(), DataFormat::Toml, token, line),
            location,
        )
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
        let line = location.as_ref().map_or("", |l| l.line_text.as_str());
        (
            problem_from_message(message, DataFormat::Yaml, "", line),
            location,
        )
    })
}

/// The prefix of the serde error a date that cannot be read raises (followed by its text), so
/// that the problem can be classified here (serde errors carry only a string).
pub const BAD_DATE: &str = "bantin-date:";

/// Classify a serde/parser message into a [`Problem`] an editor can act on. The parsers' messages
/// are English and not meant for editors: they are recognised by their wording and never shown.
/// `token` is the text the parser pointed at (TOML only) and `line` the line it is on.
fn problem_from_message(message: &str, format: DataFormat, token: &str, line: &str) -> Problem {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default().to_string();
        let valid = backticked(rest.get(key.len() + 1..).unwrap_or_default());
        return Problem::UnknownKey {
            suggestion: closest_key(&key, &valid),
            key,
            valid: valid.into(),
        };
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default().to_string();
        return Problem::MissingKey { key };
    }
    if let Some(text) = message.strip_prefix(BAD_DATE) {
        let text = text.trim().to_string();
        return Problem::BadDate {
            problem: crate::content::DateInput::problem(&text),
            text,
        };
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        return wrong_type(rest);
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let value = rest.split('`').next().unwrap_or_default();
        let choices = backticked(rest.get(value.len() + 1..).unwrap_or_default()).join(", ");
        return Problem::InvalidValue {
            message: Text::new(
                format!("«{value}» không phải là lựa chọn có sẵn; chọn một trong: {choices}"),
                format!("«{value}» is not one of the choices; choose one of: {choices}"),
            ),
        };
    }
    if message.starts_with("invalid date") || message.starts_with("invalid time") {
        // TOML's own (unquoted) dates: `date = 2025-02-30`.
        return Problem::BadDate {
            problem: crate::content::DateInput::problem(token),
            text: token.to_string(),
        };
    }
    let curly = line.contains(['“', '”']);
    let kind = if curly {
        SyntaxKind::CurlyQuotes
    } else if message.starts_with("invalid basic string")
        || message.starts_with("invalid literal string")
    {
        SyntaxKind::UnclosedString
    } else if message.starts_with("key with no value") {
        SyntaxKind::MissingEquals
    } else if message.starts_with("unclosed array") {
        SyntaxKind::UnclosedList
    } else if message.starts_with("missing comma between array elements") {
        SyntaxKind::MissingComma
    } else if message.starts_with("string values must be quoted") {
        let problem = crate::content::DateInput::problem(token);
        if matches!(
            problem,
            DateProblem::DayFirst { .. } | DateProblem::NoYear { .. }
        ) {
            return Problem::BadDate {
                problem,
                text: token.to_string(),
            };
        }
        SyntaxKind::UnquotedText
    } else if message.starts_with("duplicate key") || message.starts_with("duplicated key") {
        SyntaxKind::DuplicateKey
    } else if message.starts_with("mapping values are not allowed") {
        SyntaxKind::ColonInValue
    } else if message.contains("unexpected end of stream") {
        SyntaxKind::UnexpectedEnd
    } else if line.starts_with('\t') || message.contains("tab") {
        SyntaxKind::Tab
    } else {
        SyntaxKind::Other
    };
    Problem::Syntax { format, kind }
}

/// `invalid type: string "mười", expected usize` as a [`Problem::WrongType`].
fn wrong_type(rest: &str) -> Problem {
    let (found, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
    let expected = match expected.trim() {
        "a string" | "string" => ValueKind::Text,
        "a sequence" | "sequence" => ValueKind::List,
        "a boolean" | "boolean" => ValueKind::Bool,
        "usize" | "u8" | "u16" | "u32" | "u64" => ValueKind::PositiveInteger,
        "isize" | "i8" | "i16" | "i32" | "i64" => ValueKind::Integer,
        "f32" | "f64" => ValueKind::Decimal,
        e if e.starts_with("a date") => ValueKind::Date,
        e if e.starts_with("struct ") || e.starts_with("a map") || e == "map" => ValueKind::Table,
        _ => ValueKind::Other,
    };
    let (kind, value) = found.split_once(' ').unwrap_or((found, ""));
    let found_kind = match kind {
        "string" => ValueKind::Text,
        "integer" => ValueKind::Integer,
        "floating" => ValueKind::Decimal,
        "boolean" => ValueKind::Bool,
        "sequence" => ValueKind::List,
        "map" => ValueKind::Table,
        _ => ValueKind::Other,
    };
    let value = value
        .trim_start_matches("point ")
        .trim_matches(['`', '"'])
        .to_string();
    Problem::WrongType {
        expected,
        found: found_kind,
        value: (!value.is_empty() && value.chars().count() <= 60).then_some(value),
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

/// Keys editors write in Vietnamese (without accents, as file names are), and the key meant.
const VIETNAMESE_KEYS: [(&str, &str); 19] = [
    ("tieu_de", "title"),
    ("tieude", "title"),
    ("ten", "name"),
    ("ho_ten", "name"),
    ("ngay", "date"),
    ("ngay_dang", "date"),
    ("tac_gia", "author"),
    ("the", "tags"),
    ("nhan", "tags"),
    ("can_bo", "officials"),
    ("don_vi", "departments"),
    ("tom_tat", "summary"),
    ("mo_ta", "description"),
    ("anh", "image"),
    ("hinh", "image"),
    ("nhap", "draft"),
    ("ban_nhap", "draft"),
    ("link", "url"),
    ("href", "url"),
];

/// The valid key closest to a misspelt one, when it is close enough to be a likely typo (or a
/// Vietnamese name for it).
pub fn closest_key(key: &str, expected: &[String]) -> Option<String> {
    let folded = crate::vietnamese::slugify(key).replace('-', "_");
    if let Some((_, meant)) = VIETNAMESE_KEYS
        .iter()
        .find(|(vi, en)| *vi == folded && expected.iter().any(|k| k == en))
    {
        return Some(meant.to_string());
    }
    expected
        .iter()
        .map(|k| (strsim::levenshtein(key, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3) || k.contains(key) || key.contains(k.as_str()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.clone())
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
        assert!(
            matches!(&problem, Problem::UnknownKey { key, suggestion: Some(s), .. } if key == "titel" && s == "title"),
            "{problem:?}"
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
            matches!(
                &problem,
                Problem::WrongType { expected: ValueKind::PositiveInteger, found: ValueKind::Text, value: Some(v) } if v == "mười"
            ),
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

    fn toml_problem(block: &str) -> Problem {
        let file = format!("+++\n{block}+++\n");
        from_toml::<Meta>(&file, block, 4).unwrap_err().0
    }

    #[test]
    fn toml_syntax_errors_are_recognised_not_shown() {
        let kind = |block: &str| match toml_problem(block) {
            Problem::Syntax { kind, .. } => kind,
            other => panic!("{other:?}"),
        };
        assert_eq!(kind("title = \"A\n"), SyntaxKind::UnclosedString);
        assert_eq!(kind("title \"A\"\n"), SyntaxKind::MissingEquals);
        assert_eq!(kind("title = A b\n"), SyntaxKind::UnquotedText);
        assert_eq!(kind("title = “A”\n"), SyntaxKind::CurlyQuotes);
        assert_eq!(
            kind("title = \"A\"\ntitle = \"B\"\n"),
            SyntaxKind::DuplicateKey
        );
        for problem in [toml_problem("title = \"A\n"), toml_problem("title = A b\n")] {
            let vi = problem.to_string();
            assert!(!vi.contains("expected") && !vi.contains("invalid"), "{vi}");
        }
    }

    #[test]
    fn vietnamese_key_names_suggest_the_real_key() {
        let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let expected = keys(&["title", "date", "tags", "officials"]);
        assert_eq!(closest_key("tieu_de", &expected).as_deref(), Some("title"));
        assert_eq!(closest_key("Tiêu đề", &expected).as_deref(), Some("title"));
        assert_eq!(closest_key("ngay", &expected).as_deref(), Some("date"));
        assert_eq!(
            closest_key("ofcials", &expected).as_deref(),
            Some("officials")
        );
        assert_eq!(closest_key("xyz_abc", &expected), None);
        // A Vietnamese name is only suggested where its key exists.
        assert_eq!(closest_key("ten", &expected), None);
    }
}
