//! Markdown bodies: rendered once per document with comrak.
//!
//! Raw HTML written in a body (`<b>`, a pasted `<iframe>`) is handled as `[markdown] raw_html`
//! says (see docs/security.md):
//! - [`RawHtml::Escape`] (the default): shown as text, exactly as written. The editor sees what
//!   they typed and nothing of it is lost (comrak's `escape`; dropping it, comrak's default,
//!   would silently lose a whole pasted `<div>` block with its text).
//! - [`RawHtml::Safe`]: the page is rendered with the HTML and the whole body is then cleaned
//!   by ammonia ([`sanitize`]) against an allowlist of formatting tags, links and images with
//!   safe addresses, and `<iframe>` video embeds from YouTube and Facebook only.
//!
//! Besides the HTML, rendering collects what later stages need without re-parsing: the first
//! paragraph's plain text (the default summary) and every image source (checked to exist).

use comrak::nodes::{NodeLink, NodeValue};
use comrak::{Arena, Options};

use crate::config::RawHtml;
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

fn options(base_path: &str, raw_html: RawHtml) -> Options<'static> {
    let mut o = Options::default();
    match raw_html {
        RawHtml::Escape => o.render.escape = true,
        // Cleaned afterwards by `sanitize`, links' and images' addresses included.
        RawHtml::Safe => o.render.r#unsafe = true,
    }
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

/// Render a body, finding (and linking) the officials and departments it names (raw HTML
/// escaped).
pub fn render_with(body: &str, base_path: &str, scan: Option<&MentionScan>) -> Rendered {
    render_html(body, base_path, RawHtml::Escape, scan)
}

/// Render a body with raw HTML handled as `raw_html` says, finding (and linking) the officials
/// and departments it names.
pub fn render_html(
    body: &str,
    base_path: &str,
    raw_html: RawHtml,
    scan: Option<&MentionScan>,
) -> Rendered {
    let arena = Arena::new();
    let opts = options(base_path, raw_html);
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
    if raw_html == RawHtml::Safe {
        html = sanitize(&html);
    }
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
        if in_link || inside_raw_link(node) {
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

/// Whether a text node follows a raw `<a …>` (allowed with `raw_html = "safe"`) not closed
/// yet in its paragraph: a name there is inside someone else's link and is not linked again.
fn inside_raw_link<'a>(node: comrak::Node<'a>) -> bool {
    for at in node.ancestors() {
        if matches!(
            at.data().value,
            NodeValue::Paragraph
                | NodeValue::Heading(_)
                | NodeValue::TableCell
                | NodeValue::Item(_)
        ) {
            return false;
        }
        for sibling in at.preceding_siblings().skip(1) {
            if let NodeValue::HtmlInline(tag) = &sibling.data().value {
                let tag = tag.trim_start().to_ascii_lowercase();
                if tag.starts_with("</a") {
                    break;
                }
                if tag.starts_with("<a")
                    && tag[2..].starts_with(|c: char| c.is_ascii_whitespace() || c == '>')
                {
                    return true;
                }
            }
        }
    }
    false
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

/// Addresses an `<iframe>` may show with `raw_html = "safe"`: YouTube's embed player (also its
/// privacy-enhanced host) and Facebook's video plugin. A prefix up to the path, so neither the
/// host nor the scheme can be changed (`https://www.youtube.com.evil.vn/` does not match).
const EMBED_PREFIXES: &[&str] = &[
    "https://www.youtube.com/embed/",
    "https://www.youtube-nocookie.com/embed/",
    "https://www.facebook.com/plugins/video.php?",
    "https://web.facebook.com/plugins/video.php?",
];

/// Whether `src` (an `<iframe>`'s address, entities decoded) is an allowed video embed.
pub fn is_allowed_embed(src: &str) -> bool {
    let src = src.trim();
    EMBED_PREFIXES.iter().any(|p| src.starts_with(p))
        && !src.contains("..")
        && !src
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

/// Whether `url` (an `<img>` address) is `http(s)` or relative: no `data:`, `javascript:` or
/// other scheme (a scheme is a colon before the first `/`, `?` or `#`).
fn is_web_or_relative(url: &str) -> bool {
    let url = url.trim();
    let head = &url[..url.find(['/', '?', '#']).unwrap_or(url.len())];
    match head.find(':') {
        None => true,
        Some(i) => ["http", "https"]
            .iter()
            .any(|s| head[..i].eq_ignore_ascii_case(s)),
    }
}

/// The ammonia configuration of `raw_html = "safe"`, built once.
fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    CLEANER.get_or_init(|| {
        use std::collections::{HashMap, HashSet};
        let set = |items: &[&'static str]| items.iter().copied().collect::<HashSet<_>>();
        let mut b = ammonia::Builder::empty();
        b.tags(set(&[
            // What comrak writes for Markdown (footnotes included).
            "p",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "ul",
            "ol",
            "li",
            "blockquote",
            "pre",
            "code",
            "em",
            "strong",
            "del",
            "a",
            "img",
            "hr",
            "br",
            "table",
            "thead",
            "tbody",
            "tfoot",
            "tr",
            "th",
            "td",
            "sup",
            "section",
            // Common formatting an editor pastes.
            "b",
            "i",
            "u",
            "s",
            "sub",
            "small",
            "mark",
            "ins",
            "abbr",
            "cite",
            "q",
            "span",
            "div",
            "dl",
            "dt",
            "dd",
            "caption",
            "colgroup",
            "col",
            "figure",
            "figcaption",
            // Video embeds: only an allowed `src` survives (see `attribute_filter`), and
            // `harden` removes every iframe left without one.
            "iframe",
        ]))
        .clean_content_tags(set(&[
            "script", "style", "object", "embed", "form", "template", "svg", "math", "noscript",
            "textarea", "select", "button",
        ]))
        .generic_attributes(set(&["title", "lang", "dir"]))
        .tag_attributes(HashMap::from([
            (
                "a",
                set(&[
                    "href",
                    "id",
                    "aria-label",
                    "data-footnote-ref",
                    "data-footnote-backref",
                ]),
            ),
            ("img", set(&["src", "alt", "width", "height"])),
            ("ol", set(&["start"])),
            ("li", set(&["id"])),
            ("sup", set(&["id"])),
            ("section", set(&["data-footnotes"])),
            ("th", set(&["align", "colspan", "rowspan", "scope"])),
            ("td", set(&["align", "colspan", "rowspan"])),
            ("col", set(&["span"])),
            ("colgroup", set(&["span"])),
            ("iframe", set(&["src", "width", "height"])),
        ]))
        .allowed_classes(HashMap::from([
            ("a", set(&["footnote-ref", "footnote-backref"])),
            ("section", set(&["footnotes"])),
        ]))
        .set_tag_attribute_values(HashMap::from([(
            "iframe",
            HashMap::from([
                ("loading", "lazy"),
                ("allowfullscreen", ""),
                ("referrerpolicy", "strict-origin-when-cross-origin"),
                (
                    "allow",
                    "accelerometer; clipboard-write; encrypted-media; gyroscope; \
                     picture-in-picture; web-share",
                ),
                (
                    "sandbox",
                    "allow-scripts allow-same-origin allow-presentation allow-popups \
                     allow-popups-to-escape-sandbox",
                ),
                ("frameborder", "0"),
            ]),
        )]))
        // Links: web, mail, phone, and the tokens of links between content files.
        .url_schemes(set(&[
            "http",
            "https",
            "mailto",
            "tel",
            "bantin-content-link",
        ]))
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None)
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("iframe", "src") => is_allowed_embed(value).then(|| value.trim().into()),
            ("img", "src") => is_web_or_relative(value).then_some(value.into()),
            _ => Some(value.into()),
        });
        b
    })
}

/// Clean a body rendered with its raw HTML (`raw_html = "safe"`): ammonia keeps the allowlist
/// of [`cleaner`], then [`harden`] removes frames without an allowed address.
pub fn sanitize(html: &str) -> String {
    harden(&cleaner().clean(html).to_string())
}

/// Finish ammonia's output for the string-level passes that follow (links, responsive images):
/// `<` and `>` inside attribute values become `&lt;` and `&gt;` (html5ever writes them as is,
/// and a pass looking for a tag's end at the first `>` would otherwise cut the tag there and
/// turn the rest of the value into markup), an `<iframe>` without `src` (its address was not
/// allowed) is removed, and every iframe's content (fallback text, never shown) is dropped.
///
/// Hand-written because it reads html5ever's own serialisation, which is regular: every
/// attribute value is double-quoted with `"` escaped, `<` in text is always `&lt;`, and the
/// only raw-text element ammonia lets through is `<iframe>`, whose content ends at the first
/// `</iframe>`.
fn harden(html: &str) -> String {
    const IFRAME_END: &str = "</iframe>";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        // The tag, up to its `>` outside quotes.
        let mut quoted = false;
        let mut end = None;
        for (i, c) in rest.char_indices().skip(1) {
            match c {
                '"' => quoted = !quoted,
                '>' if !quoted => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            // Never produced by the serialiser; drop the broken rest rather than guess.
            return out;
        };
        let tag = &rest[..=end];
        rest = &rest[end + 1..];
        let mut quoted = false;
        let mut clean = String::with_capacity(tag.len());
        for c in tag.chars() {
            match c {
                '"' => {
                    quoted = !quoted;
                    clean.push(c);
                }
                '<' if quoted => clean.push_str("&lt;"),
                '>' if quoted => clean.push_str("&gt;"),
                _ => clean.push(c),
            }
        }
        if tag.starts_with("<iframe") && tag[7..].starts_with([' ', '>', '/']) {
            let close = rest
                .find(IFRAME_END)
                .map_or(rest.len(), |i| i + IFRAME_END.len());
            rest = &rest[close..];
            if clean.contains(" src=\"") {
                out.push_str(&clean);
                out.push_str(IFRAME_END);
            }
            continue;
        }
        out.push_str(&clean);
    }
    out.push_str(rest);
    out
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
    fn raw_html_is_shown_as_text_by_default() {
        let r = render_root("Chữ <b>đậm</b>\n\n<div class=\"x\">\nKhối <i>HTML</i>\n</div>\n");
        assert!(r.html.contains("Chữ &lt;b&gt;đậm&lt;/b&gt;"), "{}", r.html);
        assert!(
            r.html.contains("&lt;div class=&quot;x&quot;&gt;\nKhối"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("<b>") && !r.html.contains("<div"));
    }

    fn safe(body: &str) -> String {
        render_html(body, "/", RawHtml::Safe, None).html.to_string()
    }

    #[test]
    fn safe_raw_html_keeps_formatting_and_drops_the_dangerous() {
        let html = safe(concat!(
            "Chữ <b>đậm</b>, <u>gạch</u>, H<sub>2</sub>O <span style=\"color:red\" onclick=\"x()\">đỏ</span>",
            " <a href=\"javascript:alert(1)\">xấu</a> <a href=\"https://x.vn/\" onmouseover=\"x()\">tốt</a>",
            " <a href=\"mailto:a@b.vn\">thư</a> <img src=\"data:text/html,x\" alt=\"d\"> <img src=\"a.jpg\" onerror=\"x()\" alt=\"a\">\n\n",
            "<script>alert(1)</script>\n\n<form action=\"/x\"><input name=\"a\"></form>\n\n",
            "<table><tr><td colspan=\"2\">Ô</td></tr></table>\n\n",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">\n\n",
            "[md](javascript:alert(2)) **đậm**\n",
        ));
        for kept in [
            "<b>đậm</b>",
            "<u>gạch</u>",
            "<sub>2</sub>",
            "<span>đỏ</span>",
            "<a href=\"https://x.vn/\">tốt</a>",
            "<a href=\"mailto:a@b.vn\">thư</a>",
            "<img alt=\"d\">",
            "<img src=\"a.jpg\" alt=\"a\">",
            "<td colspan=\"2\">Ô</td>",
            "<strong>đậm</strong>",
        ] {
            assert!(html.contains(kept), "{kept} in {html}");
        }
        for gone in [
            "script",
            "alert",
            "onclick",
            "onerror",
            "onmouseover",
            "style",
            "javascript",
            "<form",
            "<input",
            "<object",
            "<embed",
            "swf",
        ] {
            assert!(!html.contains(gone), "{gone} in {html}");
        }
    }

    #[test]
    fn only_youtube_and_facebook_frames_are_kept_with_safe_attributes() {
        let html = safe(concat!(
            "<iframe width=\"560\" height=\"315\" src=\"https://www.youtube.com/embed/abc?si=x&amp;t=1\" ",
            "title=\"YouTube\" frameborder=\"1\" allow=\"camera\" onload=\"x()\" style=\"border:0\">dự phòng</iframe>\n\n",
            "<iframe src=\"https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fx\"></iframe>\n\n",
            "<iframe src=\"https://evil.vn/embed/\">a</iframe>\n\n",
            "<iframe src=\"https://www.youtube.com.evil.vn/embed/x\"></iframe>\n\n",
            "<iframe src=\"javascript:alert(1)\"></iframe><iframe srcdoc=\"&lt;script&gt;\"></iframe>\n\n",
            "<iframe src=\"http://www.youtube.com/embed/x\"></iframe>\n",
        ));
        assert_eq!(html.matches("<iframe").count(), 2, "{html}");
        assert_eq!(html.matches("</iframe>").count(), 2, "{html}");
        assert!(
            html.contains("src=\"https://www.youtube.com/embed/abc?si=x&amp;t=1\""),
            "{html}"
        );
        assert!(html.contains("width=\"560\" height=\"315\""), "{html}");
        for forced in [
            "loading=\"lazy\"",
            "allowfullscreen=\"\"",
            "referrerpolicy=\"strict-origin-when-cross-origin\"",
            "sandbox=\"allow-scripts allow-same-origin",
            "frameborder=\"0\"",
        ] {
            assert_eq!(html.matches(forced).count(), 2, "{forced} in {html}");
        }
        for gone in [
            "evil",
            "javascript",
            "srcdoc",
            "onload",
            "style",
            "camera",
            "dự phòng",
            "http://",
        ] {
            assert!(!html.contains(gone), "{gone} in {html}");
        }
    }

    #[test]
    fn markup_inside_attribute_values_cannot_escape_later_passes() {
        let html = safe(
            "<img src=\"a.jpg\" alt=\"x><script>alert(1)</script>\"> <a href=\"/x\" title=\"a>b\">c</a>",
        );
        assert!(
            html.contains("alt=\"x&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""),
            "{html}"
        );
        assert!(html.contains("title=\"a&gt;b\""), "{html}");
        // The responsive-image pass looks for a tag's end at its first `>`.
        assert!(!crate::images::rewrite_body(&html, &[]).contains("<script"));
    }

    /// Classic XSS vectors, each through `raw_html = "safe"` and the responsive-image pass that
    /// follows, read back by an HTML parser as a browser would.
    #[test]
    fn xss_vectors_are_inert_after_every_pass() {
        use scraper::{Html, Selector};
        let vectors = [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=//x.vn/x.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<img src=\"x\" alt=\"a><script>alert(1)</script>\">",
            "<img src=\"javascript:alert(1)\">",
            "<img src=\" jav&#x09;ascript:alert(1)\">",
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>",
            "<a href=\"vbscript:msgbox(1)\">x</a>",
            "<svg onload=alert(1)><script>alert(1)</script></svg>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<iframe src=\"https://www.youtube.com/embed/x\"><script>alert(1)</script></iframe>",
            "<iframe src=\"https://www.youtube.com/embed/x\" srcdoc=\"<script>alert(1)</script>\"></iframe>",
            "<iframe src=\"https://www.youtube.com/embed/../../redirect?q=x\"></iframe>",
            "<iframe src=\"https://www.youtube.com/embed/x\"></iframe><img src=x onerror=alert(1)>",
            "<xmp><script>alert(1)</script></xmp>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
            "<style>*{display:none}</style><p style=\"position:fixed\">x</p>",
            "<base href=\"https://evil.vn/\"><meta http-equiv=\"refresh\" content=\"0;url=https://evil.vn\">",
            "<link rel=stylesheet href=https://evil.vn/x.css>",
            "<form action=https://evil.vn><input name=p><button>Gửi</button></form>",
            "<object data=x.swf></object><embed src=x.swf>",
            "<div onmouseover=\"alert(1)\" class=\"site-header\" id=\"main\">x</div>",
            "<!--<img src=x onerror=alert(1)>-->",
            "<a href=\"https://x.vn/\" target=\"_top\" rel=\"opener\">x</a>",
            "<details open ontoggle=alert(1)>",
            "<video><source onerror=alert(1)></video>",
            "<img src=\"https://x.vn/a.jpg\" srcset=\"javascript:alert(1) 1x\">",
        ];
        let all = Selector::parse("*").unwrap();
        for v in vectors {
            for body in [
                v.to_string(),
                format!("Chữ {v} chữ"),
                format!("- {v}\n\n| a |\n|---|\n| {v} |"),
            ] {
                let html = safe(&body);
                let html = crate::images::rewrite_body(&html, &[]);
                let doc = Html::parse_fragment(&html);
                for el in doc.select(&all) {
                    let name = el.value().name();
                    assert!(
                        ![
                            "script", "style", "svg", "math", "base", "meta", "link", "form",
                            "input", "button", "object", "embed", "xmp", "noscript", "details",
                            "video", "source"
                        ]
                        .contains(&name),
                        "<{name}> from {v:?}: {html}"
                    );
                    if name == "iframe" {
                        let src = el.value().attr("src").unwrap_or_default();
                        assert!(is_allowed_embed(src), "{src} from {v:?}: {html}");
                        assert!(el.value().attr("srcdoc").is_none());
                        assert_eq!(el.children().count(), 0, "{html}");
                    }
                    for (attr, value) in el.value().attrs() {
                        assert!(
                            !attr.starts_with("on")
                                && !["style", "srcdoc", "target", "srcset", "class", "id"]
                                    .contains(&attr),
                            "{attr} on <{name}> from {v:?}: {html}"
                        );
                        let value = value.trim().to_ascii_lowercase();
                        for scheme in ["javascript:", "vbscript:", "data:"] {
                            assert!(!value.starts_with(scheme), "{value} from {v:?}: {html}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn unclosed_raw_html_cannot_swallow_the_page() {
        let html = safe("<div><table><tr><td>a\n\n<b>đậm\n");
        assert!(
            html.ends_with("</div>") || html.ends_with("</div>\n"),
            "{html}"
        );
        assert_eq!(html.matches("<b>").count(), html.matches("</b>").count());
    }

    #[test]
    fn mentions_work_around_raw_html() {
        let (idx, paths) = index();
        let scan = MentionScan {
            index: &idx,
            paths: &paths,
            link: true,
            exclude: &[],
            byline: false,
        };
        for raw in [RawHtml::Escape, RawHtml::Safe] {
            let r = render_html(
                "Đồng chí <b>Lưu Thanh Bình</b> và <a href=\"https://x.vn/\">UBND phường</a>, UBND phường.",
                "/",
                raw,
                Some(&scan),
            );
            assert_eq!(r.mentions, vec![0, 2], "{raw:?}");
            assert!(
                r.html
                    .contains("<a href=\"/can-bo/luu-thanh-binh/\">Lưu Thanh Bình</a>"),
                "{}",
                r.html
            );
            // The name inside the raw link is not linked again (safe), the next one is.
            assert_eq!(
                r.html.matches("<a href=\"/don-vi/ubnd/\">").count(),
                1,
                "{}",
                r.html
            );
            if raw == RawHtml::Safe {
                assert!(
                    r.html.contains(
                        "<a href=\"https://x.vn/\">UBND phường</a>, <a href=\"/don-vi/ubnd/\">"
                    ),
                    "{}",
                    r.html
                );
            }
        }
    }

    #[test]
    fn content_links_survive_sanitising() {
        let r = render_html("[bài](../2025/a.md#b) <i>x</i>", "/", RawHtml::Safe, None);
        assert_eq!(r.links.len(), 1);
        assert!(
            r.html.contains("href=\"bantin-content-link:0#b\""),
            "{}",
            r.html
        );
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
