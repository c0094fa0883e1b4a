//! The command line as a user meets it: exit codes, error reports, `init`, `--help`, and the
//! safety of the output folder.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// 1-based line of the first line of `file` that starts with `prefix`.
fn line_of(file: &Path, prefix: &str) -> usize {
    std::fs::read_to_string(file)
        .expect("readable")
        .lines()
        .position(|l| l.starts_with(prefix))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{} has no line starting with {prefix}", file.display()))
}

/// The `line:column` positions given for `rel` in a report (`rel:12:5`).
fn positions(report: &str, rel: &str) -> Vec<(usize, usize)> {
    let needle = format!("{rel}:");
    report
        .match_indices(&needle)
        .filter_map(|(i, m)| {
            let rest = &report[i + m.len()..];
            let mut parts = rest.splitn(3, ':');
            let line = parts.next()?.parse().ok()?;
            let column: String = parts
                .next()?
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            Some((line, column.parse().ok()?))
        })
        .collect()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("readable folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn run(root: &Path, args: &[&str]) -> std::process::Output {
    bantin()
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .expect("bantin runs")
}

#[test]
fn a_successful_build_says_how_many_articles_it_published() {
    let site = small_site("");
    let out = run(site.path(), &["build"]);
    assert_success(&out, "build of the small site");
    assert!(
        stdout(&out).contains("2 bài viết"),
        "summary should mention the 2 articles: {}",
        stdout(&out)
    );
    assert!(site.path().join("public/index.html").is_file());
    assert!(
        site.path()
            .join("public/tin-tuc/ra-quan/index.html")
            .is_file()
    );
}

#[test]
fn every_content_error_is_reported_with_file_line_and_column_and_the_old_output_is_kept() {
    let site = small_site("");
    let root = site.path();
    assert_success(&run(root, &["build"]), "first build");
    let before = files(&root.join("public"));
    let root_before = entries(root);
    assert!(before.contains_key("index.html"));

    // 1. A date that is not on the calendar.
    let a = root.join("content/articles/hop-dau-nam.md");
    let text = std::fs::read_to_string(&a).unwrap();
    std::fs::write(
        &a,
        text.replace("date = 2025-02-10", "date = \"2025-02-30\""),
    )
    .unwrap();
    // 2. A misspelt key.
    let b = root.join("content/articles/ra-quan.md");
    let text = std::fs::read_to_string(&b).unwrap();
    std::fs::write(&b, text.replace("title = ", "titel = ")).unwrap();
    // 3. An official who does not exist.
    write(
        root,
        "content/articles/tiep-dan.md",
        "+++\ntitle = \"Tiếp công dân\"\ndate = 2025-03-05\nofficials = [\"Trần Văn Không Có\"]\n+++\nNội dung.\n",
    );
    let c = root.join("content/articles/tiep-dan.md");

    let out = run(root, &["build"]);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "content errors exit with 1\n{err}"
    );
    for (file, rel, prefix) in [
        (&a, "content/articles/hop-dau-nam.md", "date"),
        (&b, "content/articles/ra-quan.md", "titel"),
        (&c, "content/articles/tiep-dan.md", "officials"),
    ] {
        let line = line_of(file, prefix);
        let found = positions(&err, rel);
        assert!(
            found.iter().any(|&(l, c)| l == line && c >= 1),
            "the report should point at {rel}:{line}:<column> ({prefix}); found {found:?} in\n{err}"
        );
    }
    assert!(
        positions(&err, "content/articles/ra-quan.md").contains(&(line_of(&b, "titel"), 1)),
        "the misspelt key starts at column 1\n{err}"
    );
    assert!(
        err.contains("titel"),
        "the report names the unknown key\n{err}"
    );
    assert!(
        err.contains("Trần Văn Không Có"),
        "the report names the unknown official\n{err}"
    );

    assert_eq!(
        files(&root.join("public")),
        before,
        "a failed build leaves the previous output byte for byte"
    );
    assert_eq!(
        entries(root),
        root_before,
        "no staging folder is left behind"
    );
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let site = small_site("");
    let out = run(site.path(), &["build", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!site.path().join("public").exists(), "nothing is built");
    let out = run(site.path(), &["no-such-command"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_folder_without_site_toml_is_refused_with_a_message_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "content/articles/a.md",
        "+++\ntitle = \"A\"\ndate = 2025-01-01\n+++\n",
    );
    let out = run(tmp.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("site.toml"),
        "the message names site.toml: {}",
        stderr(&out)
    );
    assert!(!tmp.path().join("public").exists());
}

#[test]
fn init_creates_a_site_that_builds_with_the_embedded_theme() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["init", "trang-moi"]);
    assert_success(&out, "bantin init");
    let site = tmp.path().join("trang-moi");
    assert!(site.join("site.toml").is_file());
    assert!(
        !site.join("themes").exists(),
        "the default theme is embedded"
    );
    let public = tmp.path().join("public");
    build_ok(&site, &public, &[]);
    let home = page(&public, "/");
    let classes: Vec<String> = attrs(&home, "body", "class");
    assert!(
        classes
            .iter()
            .any(|c| c.split_whitespace().any(|c| c == "theme-phuong")),
        "body classes {classes:?}"
    );
    let articles = listed_articles(&home);
    assert!(!articles.is_empty(), "the new site has an example article");
    for slug in articles {
        assert!(exists(&public, &format!("/tin-tuc/{slug}/")));
    }
}

#[test]
fn init_refuses_to_overwrite_an_existing_site() {
    let tmp = tempfile::tempdir().unwrap();
    assert_success(&run(tmp.path(), &["init", "trang"]), "first init");
    let site = tmp.path().join("trang");
    let config = site.join("site.toml");
    let edited = format!("{}\n# sửa tay\n", std::fs::read_to_string(&config).unwrap());
    std::fs::write(&config, &edited).unwrap();
    let before = files(&site);
    let out = run(tmp.path(), &["init", "trang"]);
    assert!(!out.status.success(), "init over a site must fail");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).trim().is_empty(), "it says why");
    assert_eq!(files(&site), before, "the existing site is untouched");
}

#[test]
fn help_of_build_and_init_shows_examples() {
    for command in ["build", "init"] {
        let out = bantin().args([command, "--help"]).output().unwrap();
        assert_success(&out, &format!("{command} --help"));
        assert!(
            stdout(&out).contains("Ví dụ"),
            "`bantin {command} --help` has examples:\n{}",
            stdout(&out)
        );
    }
}

#[test]
fn a_foreign_non_empty_output_folder_needs_force() {
    let site = small_site("");
    let tmp = tempfile::tempdir().unwrap();
    let documents = tmp.path().join("tai-lieu");
    write(&documents, "bao-cao.docx", "quan trọng");
    write(&documents, "anh/nha.jpg", "ảnh");
    let before = files(&documents);

    let out = run_build(site.path(), &documents, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--force"),
        "the message tells about --force: {}",
        stderr(&out)
    );
    assert_eq!(files(&documents), before, "the folder is untouched");
    assert_eq!(
        entries(tmp.path()),
        vec!["tai-lieu".to_string()],
        "nothing written beside it"
    );

    build_ok(site.path(), &documents, &["--force"]);
    assert!(documents.join("index.html").is_file());
    // A folder bantin made can be rebuilt without --force.
    build_ok(site.path(), &documents, &[]);
}

#[test]
fn dangerous_output_folders_are_refused_even_with_force() {
    use bantin::output::{OutputError, validate_output_dir};
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let root = home.join("trang-phuong");
    write(
        &root,
        "site.toml",
        "title = \"x\"\nbase_url = \"https://x.vn/\"\n",
    );
    write(
        &root,
        "content/articles/a.md",
        "+++\ntitle = \"A\"\ndate = 2025-01-01\n+++\n",
    );
    let bad: Vec<PathBuf> = vec![
        PathBuf::from("/"),
        home.clone(),
        root.clone(),
        PathBuf::from("."),
        root.parent().unwrap().to_path_buf(),
        PathBuf::from(".."),
        tmp.path().to_path_buf(),
        PathBuf::from("content"),
        root.join("content"),
        root.join("content/articles"),
    ];
    for force in [false, true] {
        for out in &bad {
            let r = validate_output_dir(&root, out, Some(&home), force);
            assert!(
                matches!(r, Err(OutputError::Dangerous { .. })),
                "{} (force = {force}) was not refused as dangerous: {r:?}",
                out.display()
            );
        }
    }
    assert!(validate_output_dir(&root, Path::new("public"), Some(&home), false).is_ok());
    assert!(validate_output_dir(&root, &tmp.path().join("xem-thu"), Some(&home), false).is_ok());
}
