//! Typed front matter of each kind of document.
//!
//! Every struct denies unknown keys (so a typo such as `titel` is an error with a suggestion,
//! not silently ignored). Values that can be checked on their own, like dates, are checked while
//! deserialising so the error points at the value.

use std::fmt;

use jiff::civil;
use serde::Deserialize;
use serde::de::{self, Visitor};

use crate::error::DateProblem;
use crate::parse::BAD_DATE;

/// A date or date-time as an editor writes it: `2025-12-30`, `2025-12-30 08:00`,
/// `2025-12-30T08:00:00` (in the site's timezone) or `2025-12-30T08:00:00+07:00` (exact instant).
/// TOML's unquoted dates and quoted strings are both accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateInput {
    Date(civil::Date),
    Local(civil::DateTime),
    Instant(jiff::Timestamp),
}

impl DateInput {
    /// Parse the text forms listed on the type; what is wrong when it is none of them.
    pub fn parse(text: &str) -> Result<DateInput, DateProblem> {
        let text = text.trim();
        if let Ok(ts) = text.parse::<jiff::Timestamp>() {
            return Ok(DateInput::Instant(ts));
        }
        if let Ok(dt) = text.replacen(' ', "T", 1).parse::<civil::DateTime>()
            && text.len() > 10
        {
            return Ok(DateInput::Local(dt));
        }
        if let Ok(d) = text.parse::<civil::Date>() {
            return Ok(DateInput::Date(d));
        }
        Err(Self::problem(text))
    }

    /// Why `text` is not a date: not on the calendar (2025-02-30), no year (30/12), written
    /// day-first as Vietnamese do by hand (30/12/2025, 30-12-2025, 30.12.2025), or no date at all.
    pub fn problem(text: &str) -> DateProblem {
        let text = text.trim();
        let head = text.get(..10).unwrap_or(text);
        let parts: Vec<&str> = head.split(['-', '/', '.']).collect();
        let number = |p: &str| -> Option<i16> {
            (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        };
        let numbers: Vec<Option<i16>> = parts.iter().map(|p| number(p)).collect();
        match (parts.as_slice(), numbers.as_slice()) {
            ([y, _, _], [Some(y_n), Some(m), Some(d)])
                if y.len() == 4
                    && civil::Date::new(*y_n, (*m).clamp(0, 99) as i8, (*d).clamp(0, 99) as i8)
                        .is_err() =>
            {
                DateProblem::NotOnCalendar {
                    year: *y_n,
                    month: (*m).clamp(0, 99) as i8,
                }
            }
            ([_, _, y], [Some(d), Some(m), Some(y_n)]) if y.len() == 4 && *d <= 31 && *m <= 99 => {
                let (d, m) = (*d as i8, *m as i8);
                match civil::Date::new(*y_n, m, d) {
                    Ok(date) => DateProblem::DayFirst {
                        iso: date.to_string(),
                    },
                    Err(_) => DateProblem::NotOnCalendar {
                        year: *y_n,
                        month: m,
                    },
                }
            }
            ([d, m], [Some(d_n), Some(m_n)]) if d.len() <= 2 && m.len() <= 2 => {
                DateProblem::NoYear {
                    day: *d_n as i8,
                    month: *m_n as i8,
                }
            }
            _ => DateProblem::NotADate,
        }
    }

    /// The instant this input means in `tz` (a bare date is midnight there).
    pub fn to_zoned(self, tz: &jiff::tz::TimeZone) -> Option<jiff::ZonedDateTime> {
        match self {
            DateInput::Date(d) => d.to_zoned_datetime(tz.clone()).ok(),
            DateInput::Local(dt) => dt.to_zoned_datetime(tz.clone()).ok(),
            DateInput::Instant(ts) => Some(ts.to_zoned_datetime(tz.clone())),
        }
    }

    /// The calendar date of this input in `tz`.
    pub fn civil_date(self, tz: &jiff::tz::TimeZone) -> civil::Date {
        match self {
            DateInput::Date(d) => d,
            DateInput::Local(dt) => dt.date(),
            DateInput::Instant(ts) => ts.to_zoned_datetime(tz.clone()).date(),
        }
    }
}

impl<'de> Deserialize<'de> for DateInput {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl<'de> Visitor<'de> for DateVisitor {
            type Value = DateInput;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date such as 2025-12-30")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateInput, E> {
                // Classified again from the text by `parse` (serde errors carry a string).
                DateInput::parse(v).map_err(|_| E::custom(format!("{BAD_DATE}{v}")))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<DateInput, A::Error> {
                // TOML's own datetime values arrive as a one-entry map.
                let dt =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                self.visit_str(&dt.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DateInput, E> {
                Err(E::custom(format!("{BAD_DATE}{v}")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DateInput, E> {
                self.visit_i64(v as i64)
            }
        }
        deserializer.deserialize_any(DateVisitor)
    }
}

/// Front matter of a news article.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleMeta {
    pub title: String,
    pub date: DateInput,
    #[serde(default)]
    pub updated: Option<DateInput>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub image_alt: Option<String>,
    #[serde(default)]
    pub officials: Vec<String>,
    #[serde(default)]
    pub departments: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Find officials and departments named in the text (default: the site's setting).
    #[serde(default)]
    pub detect_mentions: Option<bool>,
    /// Names (or slugs) found in the text by mistake, not to count or link.
    #[serde(default)]
    pub exclude_mentions: Vec<String>,
}

/// Phone and email of an official.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PersonContact {
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

/// One position an official holds or held.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionMeta {
    pub title: String,
    pub department: String,
    #[serde(default)]
    pub from: Option<DateInput>,
    #[serde(default)]
    pub to: Option<DateInput>,
}

/// Front matter of an official (`content/officials/<slug>.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficialMeta {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub photo: Option<String>,
    #[serde(default)]
    pub order: Option<i64>,
    #[serde(default)]
    pub contact: PersonContact,
    #[serde(default)]
    pub positions: Vec<PositionMeta>,
}

/// Address, phone and email of a department.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentContact {
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

/// Front matter of a department or body (`content/departments/<slug>.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentMeta {
    pub name: String,
    #[serde(default)]
    pub short_name: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub order: Option<i64>,
    #[serde(default)]
    pub contact: DepartmentContact,
}

/// Front matter of a standalone page (`content/pages/<slug>.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub draft: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Problem;
    use crate::parse::{from_toml, from_yaml};

    #[derive(Deserialize)]
    struct D {
        date: DateInput,
    }

    fn date(text: &str) -> Result<DateInput, Problem> {
        from_toml::<D>(text, text, 0)
            .map(|d| d.date)
            .map_err(|e| e.0)
    }

    #[test]
    fn all_date_forms_are_read() {
        let d = civil::date(2025, 12, 30);
        assert_eq!(date("date = 2025-12-30").unwrap(), DateInput::Date(d));
        assert_eq!(date("date = \"2025-12-30\"").unwrap(), DateInput::Date(d));
        assert_eq!(
            date("date = 2025-12-30T08:00:00").unwrap(),
            DateInput::Local(d.at(8, 0, 0, 0))
        );
        assert_eq!(
            date("date = \"2025-12-30 08:00\"").unwrap(),
            DateInput::Local(d.at(8, 0, 0, 0))
        );
        let tz = jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").unwrap();
        let inst = date("date = 2025-12-30T08:00:00+07:00").unwrap();
        assert!(matches!(inst, DateInput::Instant(_)));
        assert_eq!(inst.to_zoned(&tz).unwrap().hour(), 8);
        // 23:30 UTC on the 29th is already the 30th in Vietnam.
        let late = date("date = 2025-12-29T23:30:00Z").unwrap();
        assert_eq!(late.civil_date(&tz), d);
        let y: D = from_yaml("date: 2025-12-30", "date: 2025-12-30", 0).unwrap();
        assert_eq!(y.date, DateInput::Date(d));
    }

    #[test]
    fn impossible_and_malformed_dates_say_why() {
        let p = date("date = \"2025-02-30\"").unwrap_err();
        assert!(p.to_string().contains("không có trên lịch"), "{p}");
        assert!(p.hint().unwrap().contains("28 ngày"), "{p:?}");
        let p = date("date = 2025-02-30").unwrap_err();
        assert!(p.hint().unwrap().contains("28 ngày"), "{p:?}");
        let p = date("date = \"30/12/2025\"").unwrap_err();
        assert!(p.hint().unwrap().contains("`2025-12-30`"), "{p:?}");
        let p = date("date = 30/12/2025").unwrap_err();
        assert!(p.hint().unwrap().contains("`2025-12-30`"), "{p:?}");
        let p = date("date = \"30.12.2025\"").unwrap_err();
        assert!(p.hint().unwrap().contains("`2025-12-30`"), "{p:?}");
        let p = date("date = \"30/12\"").unwrap_err();
        assert!(p.to_string().contains("thiếu năm"), "{p}");
        assert!(p.hint().unwrap().contains("2025-12-30"), "{p:?}");
        let p = date("date = \"2025-13-01\"").unwrap_err();
        assert!(p.hint().unwrap().contains("12 tháng"), "{p:?}");
        let p = date("date = 2025").unwrap_err();
        assert!(p.hint().unwrap().contains("năm-tháng-ngày"), "{p:?}");
        let p = date("date = \"hôm qua\"").unwrap_err();
        assert!(p.to_string().contains("không phải là ngày"), "{p}");
    }
}
