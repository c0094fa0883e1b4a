//! Officials and departments: names, positions over time, and the name index that resolves an
//! editor's reference ("luu-thanh-binh", "Lưu Thanh Bình", "LƯU THANH BÌNH", "UBND phường") to
//! one entity.

use std::collections::HashMap;
use std::path::PathBuf;

use jiff::civil::Date;

use crate::vietnamese;

/// One position held by an official during a period (`to = None`: still held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position<D> {
    pub title: String,
    pub department: D,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl<D> Position<D> {
    /// Whether the position was held on `date`.
    pub fn held_on(&self, date: Date) -> bool {
        self.from.is_none_or(|f| f <= date) && self.to.is_none_or(|t| date <= t)
    }
}

/// Maps the match key of every name, alias and slug to one entity of one kind.
#[derive(Debug, Clone)]
pub struct NameIndex<Id> {
    by_key: HashMap<String, (Id, PathBuf)>,
    /// Display names, for "did you mean" suggestions.
    names: Vec<String>,
}

impl<Id> Default for NameIndex<Id> {
    fn default() -> Self {
        NameIndex {
            by_key: HashMap::new(),
            names: Vec::new(),
        }
    }
}

impl<Id: Copy + PartialEq> NameIndex<Id> {
    /// Register `name` for `id` (defined in `file`). Returns the file of the other entity when
    /// the name already belongs to a different one.
    pub fn insert(&mut self, name: &str, id: Id, file: &std::path::Path) -> Result<(), PathBuf> {
        let key = vietnamese::match_key(name);
        if key.is_empty() {
            return Ok(());
        }
        match self.by_key.get(&key) {
            Some((other, other_file)) if *other != id => Err(other_file.clone()),
            Some(_) => Ok(()),
            None => {
                self.by_key.insert(key, (id, file.to_path_buf()));
                self.names.push(name.to_string());
                Ok(())
            }
        }
    }

    /// The entity a reference names, or up to three close names to suggest.
    pub fn resolve(&self, reference: &str) -> Result<Id, Vec<String>> {
        let key = vietnamese::match_key(reference);
        if let Some((id, _)) = self.by_key.get(&key) {
            return Ok(*id);
        }
        // A slug written with capitals or spaces ("Luu-Thanh-Binh"): only for ASCII references,
        // so that "Phạm Minh Dục" never falls through to `pham-minh-duc`.
        if reference.is_ascii() {
            let slug_key = vietnamese::slugify(reference);
            if let Some((id, _)) = self.by_key.get(&slug_key) {
                return Ok(*id);
            }
        }
        Err(
            vietnamese::closest(reference, self.names.iter().map(String::as_str), 3)
                .into_iter()
                .map(str::to_string)
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn references_ignore_case_normal_form_and_tone_placement() {
        let mut idx = NameIndex::default();
        idx.insert("Nguyễn Thị Hòa", 1, Path::new("a.md")).unwrap();
        idx.insert("nguyen-thi-hoa", 1, Path::new("a.md")).unwrap();
        idx.insert("Đảng ủy phường", 2, Path::new("b.md")).unwrap();
        assert_eq!(idx.resolve("NGUYỄN THỊ HOÀ"), Ok(1));
        assert_eq!(
            idx.resolve("Nguye\u{0302}\u{0303}n Thi\u{0323} Ho\u{0300}a"),
            Ok(1)
        );
        assert_eq!(idx.resolve("nguyen-thi-hoa"), Ok(1));
        assert_eq!(idx.resolve("Nguyen-Thi-Hoa"), Ok(1));
        assert!(idx.resolve("Nguyễn Thị Hóa").is_err());
        assert_eq!(idx.resolve("Đảng uỷ phường"), Ok(2));
        let err = idx.resolve("Nguyễn Thị Hoà Bình").unwrap_err();
        assert_eq!(err, vec!["Nguyễn Thị Hòa".to_string()]);
    }

    #[test]
    fn a_name_of_two_entities_is_reported() {
        let mut idx = NameIndex::default();
        idx.insert("UBND", 1, Path::new("ubnd.md")).unwrap();
        assert_eq!(
            idx.insert("ubnd", 2, Path::new("x.md")),
            Err(PathBuf::from("ubnd.md"))
        );
    }

    #[test]
    fn positions_are_held_between_their_dates() {
        let p = Position {
            title: "Chủ tịch".to_string(),
            department: (),
            from: Some(jiff::civil::date(2025, 7, 1)),
            to: Some(jiff::civil::date(2026, 6, 30)),
        };
        assert!(!p.held_on(jiff::civil::date(2025, 6, 30)));
        assert!(p.held_on(jiff::civil::date(2025, 7, 1)));
        assert!(p.held_on(jiff::civil::date(2026, 6, 30)));
        assert!(!p.held_on(jiff::civil::date(2026, 7, 1)));
    }
}
