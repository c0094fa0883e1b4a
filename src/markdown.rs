//! Markdown bodies: rendered once per document with comrak.
//!
//! Raw HTML in a body is never passed through (comrak's `unsafe` stays off), so an editor's
//! pasted HTML cannot break or attack a page. Besides the HTML, rendering collects what later
//! stages need without re-parsing: the first paragraph's plain text (the default summary) and
//! every image source (checked to exist).

use comrak::nodes::NodeValue;
use comrak::{Arena, Options};

/// A rendered Markdown body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    pub html: String,
    /// Plain text of the first paragraph, whitespace collapsed.
    pub first_paragraph: String,
    /// `src` of every image in the body, as written.
    pub images: Vec<String>,
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
    let arena = Arena::new();
    let opts = options(base_path);
    let root = comrak::parse_document(&arena, body, &opts);
    let mut first_paragraph = String::new();
    let mut images = Vec::new();
    for node in root.descendants() {
        match &node.data().value {
            NodeValue::Paragraph if first_paragraph.is_empty() => {
                first_paragraph = plain_text(node);
            }
            NodeValue::Image(link) => images.push(link.url.clone()),
            _ => {}
        }
    }
    let mut html = String::with_capacity(body.len() + body.len() / 4);
    // Writing into a String cannot fail.
    let _ = comrak::format_html(root, &opts, &mut html);
    Rendered {
        html,
        first_paragraph,
        images,
    }
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
