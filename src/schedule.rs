//! Scheduled articles: an article dated after "now" (in the site's time zone) is published
//! only from that moment on, so an editor can write news ahead and let a later build publish it.
//!
//! Such an article is resolved and checked like every other one (a problem in it is reported
//! now, not on the day it goes out), then left out of the site unless the build asks for
//! `future` articles; `bantin check` lists it as a warning. With `future` (the preview of
//! `bantin serve`, `build --future`) it stays, marked [`Article::scheduled`].

use crate::content::Documents;
use crate::error::{Diagnostic, Location, Problem};
use crate::site::{Article, ResolveOptions};

/// Leave out of `articles` (or mark, with `opts.future`) those dated after `opts.now`; a
/// warning for each one left out goes to `warnings`. Returns when the first of them falls due:
/// from then on the site is not what this build makes of it.
pub fn hold_back(
    articles: &mut Vec<(Article, Vec<String>)>,
    docs: &Documents,
    opts: &ResolveOptions,
    warnings: &mut Vec<Diagnostic>,
) -> Option<jiff::Timestamp> {
    let later = |a: &Article| a.date.timestamp() > opts.now;
    let next_due = articles
        .iter()
        .map(|(a, _)| a.date.timestamp())
        .filter(|t| *t > opts.now)
        .min();
    hold_back_inner(articles, docs, opts, warnings, later);
    next_due
}

fn hold_back_inner(
    articles: &mut Vec<(Article, Vec<String>)>,
    docs: &Documents,
    opts: &ResolveOptions,
    warnings: &mut Vec<Diagnostic>,
    later: impl Fn(&Article) -> bool,
) {
    if opts.future {
        for (a, _) in articles.iter_mut() {
            a.scheduled = later(a);
        }
        return;
    }
    if !articles.iter().any(|(a, _)| later(a)) {
        return;
    }
    articles.retain(|(a, _)| {
        if !later(a) {
            return true;
        }
        let location = docs
            .articles
            .iter()
            .find(|d| d.source.rel_path == a.source)
            .and_then(|d| field_location(&d.source.text, d.front_matter_offset, "date"));
        warnings.push(
            Diagnostic::new(
                &a.source,
                Problem::Scheduled {
                    when: crate::links::when_text(&a.date),
                },
            )
            .at(location),
        );
        false
    });
}

/// Where the front matter line of `key` (`date = …`, `date: …`) starts, at or after `from`.
fn field_location(text: &str, from: usize, key: &str) -> Option<Location> {
    let mut offset = from.min(text.len());
    for line in text.get(offset..)?.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with(['=', ':'])
        {
            let at = offset + (line.len() - trimmed.len());
            return Some(Location {
                length: key.chars().count(),
                ..Location::from_offset(text, at)
            });
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_line_is_found_not_updated() {
        let text = "+++\ntitle = \"A\"\nupdated = 2026-01-02\n  date = 2026-01-01\n+++\n";
        let loc = field_location(text, 4, "date").unwrap();
        assert_eq!((loc.line, loc.column), (4, 3));
        assert!(field_location(text, 4, "author").is_none());
    }
}
