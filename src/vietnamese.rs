//! TEMPORARY STUB — replaced by the real module.
use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;
pub fn nfc(s: &str) -> Cow<'_, str> {
    Cow::Owned(s.nfc().collect())
}
pub fn match_key(s: &str) -> String {
    nfc(s)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
pub fn fold(s: &str) -> String {
    deunicode::deunicode(s).to_lowercase()
}
pub fn slugify(s: &str) -> String {
    let f = fold(s);
    let mut out = String::new();
    for c in f.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c)
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-')
        }
    }
    out.trim_end_matches('-').to_string()
}
pub struct VietCollator;
impl Default for VietCollator {
    fn default() -> Self {
        VietCollator
    }
}
impl VietCollator {
    pub fn new() -> Self {
        VietCollator
    }
    pub fn compare(&self, a: &str, b: &str) -> std::cmp::Ordering {
        a.cmp(b)
    }
    pub fn compare_person_names(&self, a: &str, b: &str) -> std::cmp::Ordering {
        a.cmp(b)
    }
}
pub fn weekday_name(_w: jiff::civil::Weekday) -> &'static str {
    "Thứ Hai"
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    Full,
    Long,
    Short,
    Weekday,
    MonthYear,
}
impl std::str::FromStr for DateStyle {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "long" => DateStyle::Long,
            "short" => DateStyle::Short,
            "weekday" => DateStyle::Weekday,
            "month_year" => DateStyle::MonthYear,
            "full" => DateStyle::Full,
            _ => return Err(s.into()),
        })
    }
}
pub fn format_date(d: jiff::civil::Date, _style: DateStyle) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
}
pub fn month_name(m: i8) -> String {
    format!("Tháng {m}")
}
pub fn closest<'a>(_q: &str, _c: impl IntoIterator<Item = &'a str>, _max: usize) -> Vec<&'a str> {
    Vec::new()
}
