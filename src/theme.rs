//! Themes: where templates and theme assets come from.
//!
//! A theme is `themes/<name>/templates/*.html` plus `themes/<name>/static/**`. The default theme
//! `phuong` is compiled into the binary, so a site without a `themes/` folder still builds; a
//! site's own `themes/phuong/` folder, when present, is used instead. A site's `templates/`
//! folder overrides single templates of whichever theme is in use, and its `static/` folder wins
//! over the theme's static files.
//!
//! A theme can build on another one: `themes/<name>/theme.toml` with `extends = "phuong"` makes
//! every template, component and static file of the parent available, and the theme only holds
//! what it changes (the high-contrast theme is a `base.html`, one component and a stylesheet).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use walkdir::WalkDir;

use crate::config::Config;
use crate::content::{decode, is_ignored, relative};
use crate::error::{Diagnostic, Location, Problem};
use crate::plan::AssetSource;

/// The default theme, embedded at compile time.
static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/phuong");
/// The name of the embedded theme.
pub const DEFAULT_THEME_NAME: &str = "phuong";
/// The prefix theme templates are registered under; site templates are registered bare.
pub const THEME_PREFIX: &str = "theme/";
/// The prefix of the parent theme's templates (`extends` in `theme.toml`).
pub const PARENT_PREFIX: &str = "parent/";

/// `themes/<name>/theme.toml`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeConfig {
    /// The theme this one builds on.
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
}

/// One template to register.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Name in the template engine (`theme/base.html` or `base.html`).
    pub name: String,
    pub text: String,
    /// Where it came from, for messages.
    pub origin: PathBuf,
}

/// Templates and static files of a site's look.
#[derive(Debug, Clone, Default)]
pub struct Assets {
    pub templates: Vec<TemplateFile>,
    /// Site-relative output path → source; the site's files already override the theme's.
    pub statics: Vec<(String, AssetSource)>,
}

/// Load the theme named in the config and the site's overrides.
pub fn load(root: &Path, config: &Config) -> Result<Assets, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut assets = Assets::default();
    let mut statics: BTreeMap<String, AssetSource> = BTreeMap::new();
    let theme_dir = root.join("themes").join(&config.theme);
    if theme_dir.is_dir() {
        let theme_config = read_theme_config(root, &theme_dir, &mut problems);
        if let Some(parent) = theme_config.extends {
            let parent_dir = root.join("themes").join(&parent);
            if parent != config.theme && parent_dir.is_dir() {
                add_theme_dir(
                    root,
                    &parent_dir,
                    PARENT_PREFIX,
                    &mut assets,
                    &mut statics,
                    &mut problems,
                );
            } else if parent == DEFAULT_THEME_NAME {
                embedded(&DEFAULT_THEME, PARENT_PREFIX, &mut assets, &mut statics);
            } else {
                let text =
                    std::fs::read_to_string(theme_dir.join("theme.toml")).unwrap_or_default();
                problems.push(
                    Diagnostic::new(
                        relative(root, &theme_dir.join("theme.toml")),
                        Problem::ThemeNotFound {
                            name: parent,
                            available: available_themes(root),
                        },
                    )
                    .at(Location::of_key(&text, "extends")),
                );
            }
        }
        add_theme_dir(
            root,
            &theme_dir,
            THEME_PREFIX,
            &mut assets,
            &mut statics,
            &mut problems,
        );
    } else if config.theme == DEFAULT_THEME_NAME {
        embedded(&DEFAULT_THEME, THEME_PREFIX, &mut assets, &mut statics);
    } else {
        let text =
            std::fs::read_to_string(root.join(crate::config::CONFIG_FILE)).unwrap_or_default();
        return Err(vec![
            Diagnostic::new(
                crate::config::CONFIG_FILE,
                Problem::ThemeNotFound {
                    name: config.theme.clone(),
                    available: available_themes(root),
                },
            )
            .at(Location::of_key(&text, "theme")),
        ]);
    }
    for (rel, path) in walk(&root.join("templates")) {
        read_template(root, &path, rel, &mut assets, &mut problems);
    }
    for (rel, path) in walk(&root.join("static")) {
        statics.insert(rel, AssetSource::File(path));
    }
    problems.extend(crate::content::symlinks_under(root, &root.join("static")));
    assets.statics = statics.into_iter().collect();
    if problems.is_empty() {
        Ok(assets)
    } else {
        Err(problems)
    }
}

/// Theme names a site can use: its `themes/` folders and the embedded default.
pub fn available_themes(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("themes"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if !names.iter().any(|n| n == DEFAULT_THEME_NAME) {
        names.push(DEFAULT_THEME_NAME.into());
    }
    names.sort();
    names
}

/// The theme's `theme.toml`, if it has one.
fn read_theme_config(root: &Path, dir: &Path, problems: &mut Vec<Diagnostic>) -> ThemeConfig {
    let path = dir.join("theme.toml");
    let Ok(bytes) = std::fs::read(&path) else {
        return ThemeConfig::default();
    };
    let origin = relative(root, &path);
    let parsed = decode(&bytes)
        .map_err(|p| (p, None))
        .and_then(|text| crate::parse::from_toml::<ThemeConfig>(&text, &text, 0));
    match parsed {
        Ok(c) => c,
        Err((p, loc)) => {
            problems.push(Diagnostic::new(origin, p).at(loc));
            ThemeConfig::default()
        }
    }
}

/// Register a theme folder's templates under `prefix` and its static files.
fn add_theme_dir(
    root: &Path,
    dir: &Path,
    prefix: &str,
    assets: &mut Assets,
    statics: &mut BTreeMap<String, AssetSource>,
    problems: &mut Vec<Diagnostic>,
) {
    for (rel, path) in walk(&dir.join("templates")) {
        read_template(root, &path, format!("{prefix}{rel}"), assets, problems);
    }
    for (rel, path) in walk(&dir.join("static")) {
        statics.insert(rel, AssetSource::File(path));
    }
}

fn read_template(
    root: &Path,
    path: &Path,
    name: String,
    assets: &mut Assets,
    problems: &mut Vec<Diagnostic>,
) {
    let origin = relative(root, path);
    let text = std::fs::read(path)
        .map_err(|e| Problem::Read {
            error: e.to_string(),
        })
        .and_then(|b| decode(&b));
    match text {
        Ok(text) => assets.templates.push(TemplateFile { name, text, origin }),
        Err(p) => problems.push(Diagnostic::new(origin, p)),
    }
}

fn embedded(
    dir: &Dir<'static>,
    prefix: &str,
    assets: &mut Assets,
    statics: &mut BTreeMap<String, AssetSource>,
) {
    for entry in dir.entries() {
        if let Some(d) = entry.as_dir() {
            embedded(d, prefix, assets, statics);
        } else if let Some(f) = entry.as_file() {
            let path = f.path().to_string_lossy().replace('\\', "/");
            if let Some(rel) = path.strip_prefix("templates/") {
                assets.templates.push(TemplateFile {
                    name: format!("{prefix}{rel}"),
                    text: String::from_utf8_lossy(f.contents()).into_owned(),
                    origin: PathBuf::from(format!("(giao diện mặc định)/{path}")),
                });
            } else if let Some(rel) = path.strip_prefix("static/") {
                statics.insert(rel.to_string(), AssetSource::Embedded(f.contents()));
            }
        }
    }
}

/// Files under `dir` as (relative path with `/`, absolute path), sorted; nothing if absent.
fn walk(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_ignored(e.file_name()))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((rel, e.into_path()))
        })
        .collect()
}
