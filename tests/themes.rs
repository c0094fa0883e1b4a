//! Themes: the embedded default, a theme folder in the site, the site's own templates and
//! static files winning over the theme's, and an unknown theme.

mod common;

use std::path::Path;

use common::*;

fn body_classes(out: &Path, url: &str) -> Vec<String> {
    attrs(&page(out, url), "body", "class")
        .iter()
        .flat_map(|c| c.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// A small site using the high-contrast theme, copied from the repository.
fn high_contrast_site() -> tempfile::TempDir {
    let site = small_site("theme = \"tuong-phan-cao\"");
    copy_dir(
        &repo_root().join("themes/tuong-phan-cao"),
        &site.path().join("themes/tuong-phan-cao"),
    );
    site
}

#[test]
fn a_site_without_themes_uses_the_embedded_default_theme() {
    let site = small_site("");
    let out = site.path().join("public");
    build_ok(site.path(), &out, &[]);
    for url in ["/", "/tin-tuc/ra-quan/", "/404.html"] {
        assert!(
            body_classes(&out, url).contains(&"theme-phuong".to_string()),
            "{url}: {:?}",
            body_classes(&out, url)
        );
    }
    let css = std::fs::read(out.join("style.css")).expect("the theme's style.css is copied");
    assert!(!css.is_empty());
    let stylesheets = attrs(&page(&out, "/"), "link[rel=\"stylesheet\"]", "href");
    assert!(
        stylesheets.contains(&"/style.css".to_string()),
        "{stylesheets:?}"
    );
}

#[test]
fn a_theme_folder_in_the_site_is_used() {
    let site = high_contrast_site();
    let out = site.path().join("public");
    build_ok(site.path(), &out, &[]);
    for url in [
        "/",
        "/tin-tuc/hop-dau-nam/",
        "/can-bo/nguyen-van-an/",
        "/404.html",
    ] {
        let classes = body_classes(&out, url);
        assert!(
            classes.contains(&"theme-tuong-phan-cao".to_string()),
            "{url}: {classes:?}"
        );
        assert!(
            !classes.contains(&"theme-phuong".to_string()),
            "{url}: {classes:?}"
        );
    }
    assert_eq!(
        std::fs::read(out.join("style.css")).unwrap(),
        std::fs::read(repo_root().join("themes/tuong-phan-cao/static/style.css")).unwrap(),
        "the theme's own style.css is published"
    );
}

#[test]
fn an_unknown_theme_is_an_error_naming_it() {
    for theme in ["khong-co-giao-dien-nay", "tuong-phan-cao"] {
        // "tuong-phan-cao" exists in the repository but not in this site.
        let site = small_site(&format!("theme = \"{theme}\""));
        let out = run_build(site.path(), &site.path().join("public"), &[]);
        assert_eq!(out.status.code(), Some(1), "{theme}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(theme),
            "the error names the theme «{theme}»: {}",
            stderr(&out)
        );
        assert!(!site.path().join("public").exists(), "nothing is built");
    }
}

const OVERRIDE_404: &str = r#"{% extends "base.html" %}
{% block content %}
<h1 id="trang-rieng">Trang riêng của phường</h1>
{% endblock content %}
"#;

#[test]
fn a_site_template_overrides_the_themes() {
    for (site, theme_class) in [
        (small_site(""), "theme-phuong"),
        (high_contrast_site(), "theme-tuong-phan-cao"),
    ] {
        write(site.path(), "templates/404.html", OVERRIDE_404);
        let out = site.path().join("public");
        build_ok(site.path(), &out, &[]);
        let doc = page(&out, "/404.html");
        let h1: Vec<String> = doc.select(&sel("h1#trang-rieng")).map(text).collect();
        assert_eq!(
            h1,
            vec!["Trang riêng của phường".to_string()],
            "{theme_class}"
        );
        assert!(
            body_classes(&out, "/404.html").contains(&theme_class.to_string()),
            "the override extends the theme's base.html ({theme_class})"
        );
        // Only 404.html is overridden.
        let home = page(&out, "/");
        assert_eq!(home.select(&sel("#trang-rieng")).count(), 0);
        assert!(!listed_articles(&home).is_empty());
    }
}

#[test]
fn a_site_static_file_wins_over_the_themes() {
    let css = "/* giao diện riêng của phường */\nbody { color: #000; }\n";
    for site in [small_site(""), high_contrast_site()] {
        write(site.path(), "static/style.css", css);
        write(site.path(), "static/images/logo.png", "png");
        let out = site.path().join("public");
        build_ok(site.path(), &out, &[]);
        assert_eq!(std::fs::read_to_string(out.join("style.css")).unwrap(), css);
        assert_eq!(
            std::fs::read_to_string(out.join("images/logo.png")).unwrap(),
            "png"
        );
    }
}

#[test]
fn a_theme_can_extend_another_and_keeps_only_what_it_changes() {
    // The high-contrast theme holds base.html, one component and its stylesheet; every other
    // page comes from its parent, the built-in phuong theme.
    assert!(
        !repo_root()
            .join("themes/tuong-phan-cao/templates/article.html")
            .exists()
    );
    let site = high_contrast_site();
    let out = site.path().join("public");
    build_ok(site.path(), &out, &[]);
    let doc = page(&out, "/tin-tuc/hop-dau-nam/");
    assert!(
        body_classes(&out, "/tin-tuc/hop-dau-nam/").contains(&"theme-tuong-phan-cao".to_string())
    );
    assert_eq!(
        doc.select(&sel("main h1")).count(),
        1,
        "the parent's article.html is used"
    );
    // The child's article_list component wins over the parent's: full dates, no thumbnails.
    let home = page(&out, "/");
    let dates: Vec<String> = home.select(&sel("main time")).map(text).collect();
    assert!(
        dates
            .iter()
            .any(|d| d.starts_with("Thứ ") || d.starts_with("Chủ Nhật")),
        "{dates:?}"
    );
}

#[test]
fn a_theme_extending_an_unknown_theme_is_an_error() {
    let site = high_contrast_site();
    write(
        site.path(),
        "themes/tuong-phan-cao/theme.toml",
        "extends = \"khong-co\"\n",
    );
    let out = site.path().join("public");
    let o = run_build(site.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("khong-co"), "{err}");
    assert!(err.contains("theme.toml"), "{err}");
}
