//! Markdown bodies: rendered once per document with comrak.
//!
//! Raw HTML in a body is never passed through (comrak's `unsafe` stays off), so an editor's
//! pasted HTML cannot break or attack a page. Besides the HTML, rendering collects what later
//! stages need without re-parsing: the first paragraph's plain text (the default summary) and
//! every image source (checked to exist).

use comrak::nodes::{NodeLink, NodeValue};
use comrak::{Arena, Options};

use crate::error::EntityKind;
use crate::mentions::MentionIndex;

/// A rendered Markdown body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// Shared: pages and caches hold the same text.
    pub html: std::sync::Arc<str>,
    /// Digest of `html`, so later stages can tell whether it changed without reading it.
    pub html_digest: crate::fingerprint::Digest,
    /// Plain text of the first paragraph, whitespace collapsed.
    pub first_paragraph: String,
    /// `src` of every image in the body, as written.
    pub images: Vec<String>,
    /// Mentioned targets (indexes into the [`MentionIndex`]), in order of first mention.
    pub mentions: Vec<usize>,
    /// The byline read from the last paragraph, when asked for and found.
    pub byline: Option<Byline>,
    /// Links to other content files (`../2025/abc.md`), whose destinations in `html` are
    /// tokens until the resolve stage rewrites them (see [`crate::links`]).
    pub links: Vec<crate::links::ContentLink>,
    /// The images of the body rendered as `<img>` tags, in order (not those inside another
    /// image's description, which are rendered as text).
    pub image_refs: Vec<ImageRef>,
}

/// An image of a body as written: `![alt](url)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub url: String,
    /// Its description, as plain text.
    pub alt: String,
    /// Where it starts in the body: 1-based line, 1-based column in bytes.
    pub line: usize,
    pub column: usize,
}

/// "Thanh Sang - Văn phòng HĐND và UBND": the author and the department they write for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Byline {
    pub author: String,
    /// Index into the [`MentionIndex`] targets.
    pub department: usize,
}

/// How to look for officials and departments named in a body.
#[derive(Debug, Clone, Copy)]
pub struct MentionScan<'a> {
    pub index: &'a MentionIndex,
    /// Site-absolute path (`/can-bo/x/`, without the base path) of each target's page.
    pub paths: &'a [String],
    /// Link the first mention of each target.
    pub link: bool,
    /// Targets not to count or link in this body.
    pub exclude: &'a [usize],
    /// Read a last paragraph "Name - Department" as the byline.
    pub byline: bool,
}

fn options(base_path: &str) -> Options<'static> {
    let mut o = Options::default();
    // Site-absolute links (`/gioi-thieu/`, `/images/a.jpg`) must include the base path when the
    // site is published under one (`https://host/phuong-to-chau/`).
    if base_path != "/" {
        let base = base_path.to_string();
        let rewrite = std::sync::Arc::new(move |url: &str| -> String {
            match url.strip_prefix('/') {
                Some(rest) if !rest.starts_with('/') => format!("{base}{rest}"),
                _ => url.to_string(),
            }
        });
        o.extension.link_url_rewriter = Some(rewrite.clone());
        o.extension.image_url_rewriter = Some(rewrite);
    }
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.autolink = true;
    o.extension.footnotes = true;
    o
}

/// Render a Markdown body for a site published under `base_path` (`/` or `/path/`).
pub fn render(body: &str, base_path: &str) -> Rendered {
    render_with(body, base_path, None)
}

/// Render a body, finding (and linking) the officials and departments it names.
pub fn render_with(body: &str, base_path: &str, scan: Option<&MentionScan>) -> Rendered {
    let arena = Arena::new();
    let opts = options(base_path);
    let root = comrak::parse_document(&arena, body, &opts);
    let byline = scan
        .filter(|s| s.byline)
        .and_then(|s| take_byline(root, s.index));
    let mentions = scan.map_or_else(Vec::new, |s| scan_mentions(&arena, root, s));
    let mut first_paragraph = String::new();
    let mut images = Vec::new();
    let mut image_refs = Vec::new();
    let mut content_links = Vec::new();
    for node in root.descendants() {
        match &node.data().value {
            NodeValue::Paragraph if first_paragraph.is_empty() => {
                first_paragraph = plain_text(node);
            }
            NodeValue::Image(link) => {
                images.push(link.url.clone());
                let nested = node
                    .ancestors()
                    .skip(1)
                    .any(|a| matches!(a.data().value, NodeValue::Image(_)));
                if !nested {
                    let start = node.data().sourcepos.start;
                    image_refs.push(ImageRef {
                        url: link.url.clone(),
                        alt: plain_text(node),
                        line: start.line,
                        column: start.column,
                    });
                }
            }
            NodeValue::Link(link) if crate::links::is_content_link(&link.url) => {
                content_links.push(node)
            }
            _ => {}
        }
    }
    let links = crate::links::mark(&content_links, body);
    let mut html = String::with_capacity(body.len() + body.len() / 4);
    // Writing into a String cannot fail.
    let _ = comrak::format_html(root, &opts, &mut html);
    Rendered {
        html_digest: crate::fingerprint::of_bytes(html.as_bytes()),
        html: html.into(),
        first_paragraph,
        images,
        mentions,
        byline,
        links,
        image_refs,
    }
}

/// If the last block is a short paragraph "Name - Department" (hyphen, en or em dash; the
/// whole line may be italic or bold) naming a known department, detach it and return it.
fn take_byline<'a>(root: comrak::Node<'a>, index: &MentionIndex) -> Option<Byline> {
    let last = root.last_child()?;
    if !matches!(last.data().value, NodeValue::Paragraph) {
        return None;
    }
    let text = plain_text(last);
    if text.chars().count() > 120 {
        return None;
    }
    // Try every dash between words: a department's own name may contain one
    // ("Thanh Sang – Phòng Văn hóa - Xã hội").
    let splits = text.match_indices([' ']).filter_map(|(i, _)| {
        let rest = &text[i + 1..];
        let dash = ['-', '–', '—'].into_iter().find(|d| rest.starts_with(*d))?;
        let after = &rest[dash.len_utf8()..];
        after.starts_with(' ').then(|| (&text[..i], &after[1..]))
    });
    let (author, department) = splits
        .filter_map(|(author, department)| {
            let author = author.trim().trim_matches(|c: char| !c.is_alphanumeric());
            let words: Vec<&str> = author.split_whitespace().collect();
            let looks_like_name = (1..=6).contains(&words.len())
                && words
                    .iter()
                    .all(|w| w.chars().next().is_some_and(char::is_uppercase))
                && !author.chars().any(|c| c.is_ascii_digit());
            let department = index.exact(department)?;
            (looks_like_name && index.targets()[department].kind == EntityKind::Department)
                .then_some((author, department))
        })
        .next()?;
    last.detach();
    Some(Byline {
        author: author.to_string(),
        department,
    })
}

/// Find every mention in the body's text; link the first of each target where allowed.
fn scan_mentions<'a>(
    arena: &'a Arena<'a>,
    root: comrak::Node<'a>,
    scan: &MentionScan,
) -> Vec<usize> {
    let mut seen: Vec<usize> = Vec::new();
    let mut linked: Vec<usize> = Vec::new();
    // Collect first: the tree is edited while linking.
    let texts: Vec<comrak::Node<'a>> = root
        .descendants()
        .filter(|n| matches!(n.data().value, NodeValue::Text(_)))
        .collect();
    for node in texts {
        let mut in_heading = false;
        let mut in_link = false;
        for a in node.ancestors().skip(1) {
            match a.data().value {
                NodeValue::Link(_) | NodeValue::Image(_) | NodeValue::WikiLink(_) => in_link = true,
                NodeValue::Heading(_) => in_heading = true,
                _ => {}
            }
        }
        if in_link {
            continue;
        }
        let found = match &node.data().value {
            NodeValue::Text(t) => scan.index.find_in_nfc(t),
            _ => continue,
        };
        let mut to_link: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
        for found in found {
            if scan.exclude.contains(&found.target) {
                continue;
            }
            if !seen.contains(&found.target) {
                seen.push(found.target);
            }
            if scan.link && !in_heading && !linked.contains(&found.target) {
                linked.push(found.target);
                to_link.push((found.range, found.target));
            }
        }
        if !to_link.is_empty() {
            let text = match &node.data().value {
                NodeValue::Text(t) => t.to_string(),
                _ => continue,
            };
            link_ranges(arena, node, &text, &to_link, scan.paths);
        }
    }
    seen
}

/// Replace a text node by text and link nodes, linking each range to its target's page.
fn link_ranges<'a>(
    arena: &'a Arena<'a>,
    node: comrak::Node<'a>,
    text: &str,
    ranges: &[(std::ops::Range<usize>, usize)],
    paths: &[String],
) {
    let new_text = |t: &str| arena.alloc(NodeValue::Text(t.to_string().into()).into());
    let mut pos = 0;
    for (range, target) in ranges {
        if range.start > pos {
            node.insert_before(new_text(&text[pos..range.start]));
        }
        let link = arena.alloc(
            NodeValue::Link(Box::new(NodeLink {
                url: paths[*target].clone(),
                title: String::new(),
            }))
            .into(),
        );
        link.append(new_text(&text[range.clone()]));
        node.insert_before(link);
        pos = range.end;
    }
    if pos < text.len() {
        node.insert_before(new_text(&text[pos..]));
    }
    node.detach();
}

/// The text of a node and its descendants, with breaks as spaces and whitespace collapsed.
fn plain_text<'a>(node: comrak::Node<'a>) -> String {
    let mut out = String::new();
    for n in node.descendants() {
        match &n.data().value {
            NodeValue::Text(t) => out.push_str(t),
            NodeValue::Code(c) => out.push_str(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cut `text` to at most `max_chars` characters at a word boundary, adding "…" when cut.
pub fn truncate_words(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut = text
        .char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..cut];
    let head = match head.rfind(char::is_whitespace) {
        Some(i) if i > 0 => &head[..i],
        _ => head,
    };
    format!(
        "{}…",
        head.trim_end_matches(|c: char| c.is_whitespace() || ",;:–-".contains(c))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_root(body: &str) -> Rendered {
        render(body, "/")
    }

    #[test]
    fn site_absolute_urls_get_the_base_path() {
        let r = render(
            "[Giới thiệu](/gioi-thieu/) ![a](/images/a.jpg) [x](https://x.vn/) ![b](b.jpg)",
            "/p/",
        );
        assert!(r.html.contains("href=\"/p/gioi-thieu/\""), "{}", r.html);
        assert!(r.html.contains("src=\"/p/images/a.jpg\""));
        assert!(r.html.contains("href=\"https://x.vn/\""));
        assert!(r.html.contains("src=\"b.jpg\""));
        assert_eq!(r.images, vec!["/images/a.jpg", "b.jpg"]);
    }

    fn index() -> (MentionIndex, Vec<String>) {
        use crate::mentions::Target;
        let t = |kind, slug: &str| Target {
            kind,
            slug: slug.into(),
        };
        let idx = MentionIndex::build([
            (
                t(EntityKind::Official, "luu-thanh-binh"),
                vec!["Lưu Thanh Bình"],
            ),
            (
                t(EntityKind::Department, "van-phong"),
                vec!["Văn phòng HĐND và UBND"],
            ),
            (t(EntityKind::Department, "ubnd"), vec!["UBND phường"]),
        ]);
        let paths = vec![
            "/can-bo/luu-thanh-binh/".to_string(),
            "/don-vi/van-phong/".to_string(),
            "/don-vi/ubnd/".to_string(),
        ];
        (idx, paths)
    }

    fn scan(body: &str, base: &str) -> Rendered {
        let (idx, paths) = index();
        let scan = MentionScan {
            index: &idx,
            paths: &paths,
            link: true,
            exclude: &[],
            byline: true,
        };
        render_with(body, base, Some(&scan))
    }

    #[test]
    fn first_mention_is_linked_with_the_text_as_written() {
        let r = scan(
            "Đồng chí LƯU THANH BÌNH, Bí thư; đồng chí Lưu Thanh Bình phát biểu.",
            "/p/",
        );
        assert_eq!(r.mentions, vec![0]);
        assert!(
            r.html
                .contains("<a href=\"/p/can-bo/luu-thanh-binh/\">LƯU THANH BÌNH</a>, Bí thư"),
            "{}",
            r.html
        );
        assert_eq!(r.html.matches("<a ").count(), 1);
    }

    #[test]
    fn mentions_in_links_code_and_headings_are_not_linked() {
        let r = scan(
            "## Lưu Thanh Bình\n\n[Lưu Thanh Bình](/x/) và `UBND phường`.",
            "/",
        );
        // Counted from the heading, but nothing new is linked.
        assert_eq!(r.mentions, vec![0]);
        assert_eq!(r.html.matches("<a ").count(), 1);
        assert!(r.html.contains("<code>UBND phường</code>"));
        let r = scan(
            "## Lưu Thanh Bình\n\nĐồng chí Lưu Thanh Bình phát biểu.",
            "/",
        );
        assert!(r.html.contains("<h2>Lưu Thanh Bình</h2>"), "{}", r.html);
        assert!(r.html.contains("chí <a href=\"/can-bo/luu-thanh-binh/\">"));
    }

    #[test]
    fn bylines_are_read_in_their_usual_forms() {
        for last in [
            "Thanh Sang - Văn phòng HĐND và UBND",
            "Thanh Sang – Văn phòng HĐND và UBND",
            "*Thanh Sang - Văn phòng HĐND và UBND*",
            "**Thanh Sang – Văn phòng HĐND và UBND**",
            "Thanh Sang — Văn phòng HĐND và UBND",
        ] {
            let r = scan(&format!("Tin chính.\n\n{last}\n"), "/");
            let b = r.byline.expect(last);
            assert_eq!(b.author, "Thanh Sang");
            assert_eq!(b.department, 1);
            assert!(!r.html.contains("Thanh Sang"), "{}", r.html);
        }
        for not_byline in [
            "Kết luận - hội nghị thành công tốt đẹp và đề ra nhiều nhiệm vụ",
            "Thanh Sang - Hà Nội",
            "Tin chính.",
        ] {
            let r = scan(&format!("Tin chính.\n\n{not_byline}\n"), "/");
            assert_eq!(r.byline, None, "{not_byline}");
        }
    }

    #[test]
    fn raw_html_is_not_passed_through() {
        let r = render_root("Xin chào <script>alert(1)</script>\n\n<div onclick=x>a</div>\n");
        assert!(!r.html.contains("<script>"));
        assert!(!r.html.contains("<div"));
    }

    #[test]
    fn first_paragraph_is_plain_text() {
        let r =
            render_root("# Tiêu đề\n\nNgày **30/12/2025** UBND\nphường [họp](/x/).\n\nĐoạn hai.");
        assert_eq!(r.first_paragraph, "Ngày 30/12/2025 UBND phường họp.");
    }

    #[test]
    fn images_are_collected() {
        let r = render_root("![Ảnh hội nghị](hoi-nghi.jpg)\n\n![b](/images/b.png)");
        assert_eq!(r.images, vec!["hoi-nghi.jpg", "/images/b.png"]);
    }

    #[test]
    fn truncation_stops_at_a_word() {
        assert_eq!(
            truncate_words("Hội nghị tổng kết", 100),
            "Hội nghị tổng kết"
        );
        assert_eq!(truncate_words("Hội nghị tổng kết", 12), "Hội nghị…");
        assert_eq!(truncate_words("Hội nghị, tổng kết", 10), "Hội nghị…");
    }
}
