//! Which templates a page depends on, so that a template change re-renders only the pages that
//! use it.
//!
//! Tera does not expose the references it resolved, so each template's source is scanned for
//! `{% extends "…" %}`, `{% include "…" %}` and calls of components (`<name`) defined in other
//! templates. The scan over-approximates (a name matches the site's, the theme's and the parent
//! theme's template of that name) and gives up safely: a reference it cannot read (an include of
//! a variable) makes the template depend on every template.

use std::collections::{BTreeSet, HashMap};

use crate::fingerprint::{Digest, Fingerprinter};
use crate::theme::{PARENT_PREFIX, THEME_PREFIX, TemplateFile};

/// For each page template name (`article.html`), the digest of every template it may use.
#[derive(Debug, Default)]
pub struct TemplateDigests {
    by_name: HashMap<String, Digest>,
    /// Of all templates together, for names not registered.
    all: Digest,
}

impl TemplateDigests {
    pub fn new(templates: &[TemplateFile]) -> TemplateDigests {
        let graph = Graph::new(templates);
        let all = graph.digest(&(0..templates.len()).collect());
        let mut by_name = HashMap::new();
        for t in templates {
            for name in [t.name.as_str(), unprefixed(&t.name)] {
                if !by_name.contains_key(name) {
                    let closure = graph.closure(&graph.resolve(name));
                    by_name.insert(name.to_string(), graph.digest(&closure));
                }
            }
        }
        TemplateDigests { by_name, all }
    }

    /// The digest of the templates that rendering `name` may read.
    pub fn of(&self, name: &str) -> Digest {
        self.by_name.get(name).copied().unwrap_or(self.all)
    }
}

fn unprefixed(name: &str) -> &str {
    name.strip_prefix(THEME_PREFIX)
        .or_else(|| name.strip_prefix(PARENT_PREFIX))
        .unwrap_or(name)
}

/// What one template refers to.
#[derive(Debug, Default)]
struct Refs {
    names: Vec<String>,
    components: Vec<String>,
    /// A reference the scan could not read: depend on everything.
    dynamic: bool,
}

struct Graph<'a> {
    templates: &'a [TemplateFile],
    refs: Vec<Refs>,
    /// Component name → templates defining it.
    definers: HashMap<String, Vec<usize>>,
}

impl<'a> Graph<'a> {
    fn new(templates: &'a [TemplateFile]) -> Graph<'a> {
        let mut definers: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, t) in templates.iter().enumerate() {
            for name in tag_arguments(&t.text, "component") {
                let name: String = name
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                definers.entry(name).or_default().push(i);
            }
        }
        let refs = templates
            .iter()
            .map(|t| {
                let mut refs = Refs::default();
                for keyword in ["extends", "include"] {
                    for arg in tag_arguments(&t.text, keyword) {
                        match quoted(arg) {
                            Some(name) => refs.names.push(name.to_string()),
                            None => refs.dynamic = true,
                        }
                    }
                }
                refs.components = component_calls(&t.text)
                    .filter(|c| definers.contains_key(*c))
                    .map(str::to_string)
                    .collect();
                refs
            })
            .collect();
        Graph {
            templates,
            refs,
            definers,
        }
    }

    /// Indexes of the templates a reference to `name` may resolve to.
    fn resolve(&self, name: &str) -> Vec<usize> {
        let candidates: Vec<String> =
            if name.starts_with(THEME_PREFIX) || name.starts_with(PARENT_PREFIX) {
                vec![name.to_string()]
            } else {
                vec![
                    name.to_string(),
                    format!("{THEME_PREFIX}{name}"),
                    format!("{PARENT_PREFIX}{name}"),
                ]
            };
        (0..self.templates.len())
            .filter(|i| candidates.contains(&self.templates[*i].name))
            .collect()
    }

    fn closure(&self, start: &[usize]) -> BTreeSet<usize> {
        let mut seen: BTreeSet<usize> = BTreeSet::new();
        let mut stack: Vec<usize> = start.to_vec();
        while let Some(i) = stack.pop() {
            if !seen.insert(i) {
                continue;
            }
            let refs = &self.refs[i];
            if refs.dynamic {
                return (0..self.templates.len()).collect();
            }
            for name in &refs.names {
                stack.extend(self.resolve(name));
            }
            for c in &refs.components {
                stack.extend(self.definers.get(c).into_iter().flatten().copied());
            }
        }
        seen
    }

    fn digest(&self, set: &BTreeSet<usize>) -> Digest {
        let mut f = Fingerprinter::new();
        for i in set {
            f.str(&self.templates[*i].name)
                .str(&self.templates[*i].text);
        }
        f.finish()
    }
}

/// The text after `{% keyword` (or `{%- keyword`) in each such tag.
fn tag_arguments<'t>(text: &'t str, keyword: &'t str) -> impl Iterator<Item = &'t str> + 't {
    text.match_indices("{%").filter_map(move |(at, _)| {
        let rest = text[at + 2..].trim_start_matches('-').trim_start();
        let after = rest.strip_prefix(keyword)?;
        after
            .starts_with(char::is_whitespace)
            .then(|| after.trim_start())
    })
}

/// The name in `"name"` or `'name'` at the start of `text`.
fn quoted(text: &str) -> Option<&str> {
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &text[1..];
    rest.find(quote).map(|end| &rest[..end])
}

/// Identifiers written right after a `<` (component calls look like `{{ <name … }}`).
fn component_calls(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('<').filter_map(move |(at, _)| {
        let rest = &text[at + 1..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, text: &str) -> TemplateFile {
        TemplateFile {
            name: name.into(),
            text: text.into(),
            origin: name.into(),
        }
    }

    fn theme() -> Vec<TemplateFile> {
        vec![
            t(
                "theme/base.html",
                "<html>{% block content %}{% endblock content %}</html>",
            ),
            t(
                "theme/partials/components.html",
                "{% component pager(p) %}x{% endcomponent pager %}",
            ),
            t(
                "theme/article.html",
                "{% extends \"base.html\" %}{% block content %}{{ <pager p=1/> }}{% endblock content %}",
            ),
            t("theme/tags.html", "{%- extends 'base.html' %}"),
            t("theme/page.html", "{% include \"partials/extra.html\" %}"),
            t("theme/partials/extra.html", "extra"),
        ]
    }

    fn changed(before: &[TemplateFile], after: &[TemplateFile], page: &str) -> bool {
        TemplateDigests::new(before).of(page) != TemplateDigests::new(after).of(page)
    }

    #[test]
    fn a_page_depends_on_its_parents_components_and_includes_only() {
        let before = theme();
        let mut base = theme();
        base[0].text.push(' ');
        assert!(changed(&before, &base, "article.html"));
        assert!(changed(&before, &base, "tags.html"));
        let mut components = theme();
        components[1].text.push(' ');
        assert!(changed(&before, &components, "article.html"));
        assert!(!changed(&before, &components, "tags.html"));
        let mut extra = theme();
        extra[5].text.push(' ');
        assert!(changed(&before, &extra, "page.html"));
        assert!(!changed(&before, &extra, "article.html"));
    }

    #[test]
    fn a_site_template_overriding_the_theme_counts() {
        let before = theme();
        let mut after = theme();
        after.push(t("base.html", "<html>mine</html>"));
        assert!(changed(&before, &after, "article.html"));
        assert!(!changed(&before, &after, "page.html"));
    }

    #[test]
    fn an_include_of_a_variable_depends_on_everything() {
        let mut before = theme();
        before.push(t("theme/404.html", "{% include name %}"));
        let mut after = before.clone();
        after[5].text.push(' ');
        assert!(changed(&before, &after, "404.html"));
    }
}
