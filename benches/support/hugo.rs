//! The synthetic ward site of `synth.rs`, written as a Hugo site, so both generators are timed
//! on the same articles.
//!
//! The articles are the variant with detection off: each one lists in its front matter the
//! officials and departments its text names, which Hugo turns into taxonomies (a page per
//! official, per department and per tag, paginated like bantin's). The templates do what the
//! `phuong` theme does on the same pages: header and menu, article with byline, its officials,
//! departments and tags, paginated lists of summaries.
//!
//! bantin shows five related articles on every article page; the Hugo site does too when
//! written with `related`. Hugo's related content makes its build grow with the square of the
//! number of articles (3,000 articles: 20 s with it, 6 s without, on the 2-core machine), so
//! the main comparison leaves it out: Hugo then does less work than bantin, its best case.

use std::path::Path;

const CONFIG: &str = r#"baseURL = "https://tochau.example.gov.vn/"
languageCode = "vi"
title = "Phường Tô Châu"
paginate = 20
[taxonomies]
tag = "tags"
official = "officials"
department = "departments"
[[menu.main]]
name = "Trang chủ"
url = "/"
"#;

const BASEOF: &str = r#"<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} – {{ .Site.Title }}</title><link rel="stylesheet" href="/style.css"></head>
<body><header class="site-header"><a class="brand" href="/">{{ .Site.Title }}</a>
<nav class="menu"><ul>{{ range .Site.Menus.main }}<li><a href="{{ .URL }}">{{ .Name }}</a></li>{{ end }}</ul></nav></header>
<main id="noi-dung">{{ block "main" . }}{{ end }}</main>
<footer class="site-footer"><p>{{ .Site.Title }}</p></footer></body></html>
"#;

/// What `related` adds: the configuration and the list at the end of each article.
const RELATED_CONFIG: &str = r#"[related]
includeNewer = true
threshold = 1
toLower = false
[[related.indices]]
name = "tags"
weight = 3
[[related.indices]]
name = "officials"
weight = 2
[[related.indices]]
name = "departments"
weight = 1
"#;

const RELATED_LIST: &str = r#"{{ with .Site.RegularPages.Related . | first 5 }}<section class="related"><h2>Tin liên quan</h2><ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "02/01/2006" }}</time></li>{{ end }}</ul></section>{{ end }}
"#;

const SINGLE: &str = r#"{{ define "main" }}<article class="article"><h1>{{ .Title }}</h1>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "02/01/2006" }}</time>{{ with .Params.author }} · {{ . }}{{ end }}</p>
<div class="content">{{ .Content }}</div>
<ul class="people">{{ range .GetTerms "officials" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<ul class="bodies">{{ range .GetTerms "departments" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
</article>{{ end }}
"#;

const LIST: &str = r#"{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = .Site.RegularPages }}{{ end }}
{{ $pager := .Paginate $pages }}
<ul class="news">{{ range $pager.Pages }}<li class="item"><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "02/01/2006" }}</time><p>{{ .Summary | plainify | truncate 220 }}</p></li>{{ end }}</ul>
<nav class="pager">{{ if $pager.HasPrev }}<a href="{{ $pager.Prev.URL }}">Trang trước</a>{{ end }} Trang {{ $pager.PageNumber }}/{{ $pager.TotalPages }} {{ if $pager.HasNext }}<a href="{{ $pager.Next.URL }}">Trang sau</a>{{ end }}</nav>
{{ end }}
"#;

const TERMS: &str = r#"{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
"#;

/// Write the Hugo version of a synthetic site of `n` articles into `root`, with or without
/// `related` articles. `bantin_variant` is a bantin site written by
/// `synth::write_site(_, n, seed, false)`: its articles are copied.
pub fn write_site(root: &Path, bantin_variant: &Path, related: bool) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join("layouts/_default"))?;
    std::fs::create_dir_all(root.join("static"))?;
    let config = if related {
        CONFIG.replace("[[menu.main]]", &format!("{RELATED_CONFIG}[[menu.main]]"))
    } else {
        CONFIG.to_string()
    };
    std::fs::write(root.join("hugo.toml"), config)?;
    let single = if related {
        SINGLE.replace(
            "</article>{{ end }}",
            &format!("{RELATED_LIST}</article>{{{{ end }}}}"),
        )
    } else {
        SINGLE.to_string()
    };
    for (name, text) in [
        ("baseof.html", BASEOF),
        ("single.html", single.as_str()),
        ("list.html", LIST),
        ("terms.html", TERMS),
    ] {
        std::fs::write(root.join("layouts/_default").join(name), text)?;
    }
    std::fs::write(
        root.join("static/style.css"),
        "body{font-family:sans-serif}\n",
    )?;
    let from = bantin_variant.join("content/articles");
    let to = root.join("content/tin-tuc");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry?;
        let rel = entry.path().strip_prefix(&from).unwrap_or(entry.path());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(to.join(rel))?;
        } else {
            std::fs::copy(entry.path(), to.join(rel))?;
        }
    }
    Ok(())
}
