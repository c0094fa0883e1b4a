//! `bantin new`: a new article (as a draft), official, department or page, with its front
//! matter filled in and short Vietnamese hints, at the place and under the name bantin expects.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content::{CONTENT_DIR, Kind};
use crate::vietnamese;

/// Why a file could not be created.
#[derive(Debug, thiserror::Error)]
pub enum NewError {
    #[error("chưa có tên hay tiêu đề")]
    EmptyTitle,
    #[error("không tạo được tên tệp (slug) từ «{0}»: không còn chữ hay số nào")]
    EmptySlug(String),
    #[error("tệp {0} đã có: bantin không ghi đè lên tệp sẵn có")]
    Exists(PathBuf),
    #[error("bài {other} đã dùng địa chỉ /tin-tuc/{slug}/")]
    SlugTaken { slug: String, other: PathBuf },
    #[error("địa chỉ /{0}/ đã được bantin dùng cho trang khác")]
    Reserved(String),
    #[error("không tạo được {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl NewError {
    /// How to fix it, in plain words.
    pub fn hint(&self) -> String {
        match self {
            NewError::EmptyTitle => {
                "viết tiêu đề trong ngoặc kép, ví dụ: bantin new \"Hội nghị tổng kết năm 2026\""
                    .into()
            }
            NewError::EmptySlug(_) => "tiêu đề cần có ít nhất một chữ cái hoặc chữ số".into(),
            NewError::Exists(_) => {
                "mở tệp đó để sửa, hoặc đặt tiêu đề khác (thêm năm, địa danh…) để tạo tệp mới"
                    .into()
            }
            NewError::SlugTaken { .. } => {
                "đặt tiêu đề khác (thêm năm, tháng hay địa danh) để bài mới có địa chỉ riêng".into()
            }
            NewError::Reserved(_) => "đặt tên trang khác".into(),
            NewError::Io { .. } => {
                "kiểm tra thư mục content/ có tồn tại và bạn có quyền ghi".into()
            }
        }
    }
}

/// Create the file of a new document of `kind` named `title` in the site at `root`; returns its
/// path relative to `root`. `now` dates an article (in the site's time zone).
pub fn create(
    root: &Path,
    config: &Config,
    kind: Kind,
    title: &str,
    now: jiff::Timestamp,
) -> Result<PathBuf, NewError> {
    let title = vietnamese::nfc(title)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if title.is_empty() {
        return Err(NewError::EmptyTitle);
    }
    let slug = vietnamese::slugify(&title);
    if slug.is_empty() {
        return Err(NewError::EmptySlug(title));
    }
    let now = now.to_zoned_datetime(config.timezone.clone());
    let folder = Path::new(CONTENT_DIR).join(kind.folder());
    let rel = match kind {
        Kind::Article => folder.join(now.year().to_string()),
        _ => folder,
    }
    .join(format!("{slug}.md"));
    if kind == Kind::Page
        && (crate::site::RESERVED_SLUGS.contains(&slug.as_str())
            || slug.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(NewError::Reserved(slug));
    }
    if root.join(&rel).exists() {
        return Err(NewError::Exists(rel));
    }
    if kind == Kind::Article
        && let Some(other) = article_with_slug(root, &slug)
    {
        return Err(NewError::SlugTaken { slug, other });
    }
    let text = match kind {
        Kind::Article => article(&title, &now, config.author.as_deref()),
        Kind::Official => official(&title, &slug, &now),
        Kind::Department => department(&title),
        Kind::Page => page(&title),
    };
    let path = root.join(&rel);
    let io = |error| NewError::Io {
        path: rel.clone(),
        error,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    // `create_new`: never replace a file, even one created since the check above.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => NewError::Exists(rel.clone()),
            _ => io(e),
        })?;
    file.write_all(text.as_bytes()).map_err(io)?;
    Ok(rel)
}

/// An article file already published at `/tin-tuc/<slug>/` by its file or folder name.
fn article_with_slug(root: &Path, slug: &str) -> Option<PathBuf> {
    let dir = root.join(CONTENT_DIR).join(Kind::Article.folder());
    walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !crate::content::is_ignored(e.file_name()))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .find(|e| {
            let path = e.path();
            let is_md = path
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("md"));
            let stem = match path.file_stem() {
                Some(s) if s == "index" => path.parent().and_then(Path::file_name),
                s => s,
            };
            is_md && stem.is_some_and(|s| vietnamese::slugify(&s.to_string_lossy()) == slug)
        })
        .map(|e| crate::content::relative(root, e.path()))
}

/// A TOML basic string, `"…"` with `\"` inside, as docs/content.md teaches editors to write.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn article(title: &str, now: &jiff::ZonedDateTime, author: Option<&str>) -> String {
    let author = author
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| format!("author = {}\n", quoted(a)))
        .unwrap_or_default();
    let day = vietnamese::format_date(now.date(), vietnamese::DateStyle::Short);
    format!(
        "+++\n\
         title = {title}\n\
         date = {date}\n\
         {author}\
         draft = true\n\
         tags = []\n\
         # Gợi ý: viết xong thì xóa dòng `draft = true` để đăng bài. Có thể thêm các dòng\n\
         # summary = \"…\", officials = [\"Họ Tên\"], departments = [\"UBND phường\"] (xem docs/content.md).\n\
         +++\n\
         Ngày {day}, … (đoạn mở đầu: việc gì, ở đâu, ai tham dự; đoạn này hiện trong danh sách bài).\n\
         \n\
         ## Nội dung chính\n\
         \n\
         Viết nội dung bài ở đây.\n",
        title = quoted(title),
        date = now.strftime("%Y-%m-%dT%H:%M:00%:z"),
    )
}

fn official(name: &str, slug: &str, now: &jiff::ZonedDateTime) -> String {
    format!(
        "+++\n\
         name = {name}\n\
         # Gợi ý: xóa dấu # ở đầu những dòng cần dùng (xem docs/content.md, mục 5).\n\
         # aliases = [\"Tên viết khác trong bài\"]\n\
         # photo = \"/images/can-bo/{slug}.jpg\"\n\
         # order = 10\n\
         #\n\
         # [contact]\n\
         # phone = \"…\"\n\
         # email = \"…\"\n\
         #\n\
         # Mỗi chức vụ một khối [[positions]]; chức vụ chính ghi trước:\n\
         # [[positions]]\n\
         # title = \"Phó Chủ tịch UBND phường\"\n\
         # department = \"ubnd\"\n\
         # from = {today}\n\
         +++\n\
         Tóm tắt quá trình công tác, lĩnh vực phụ trách của đồng chí {plain}.\n",
        name = quoted(name),
        plain = name,
        today = now.date(),
    )
}

fn department(name: &str) -> String {
    format!(
        "+++\n\
         name = {quoted}\n\
         # Gợi ý: xóa dấu # ở đầu những dòng cần dùng (xem docs/content.md, mục 7).\n\
         # short_name = \"Tên ngắn\"\n\
         # aliases = [\"Tên gọi khác trong bài\"]\n\
         # parent = \"ubnd\"\n\
         # order = 10\n\
         #\n\
         # [contact]\n\
         # address = \"…\"\n\
         # phone = \"…\"\n\
         # email = \"…\"\n\
         +++\n\
         Chức năng, nhiệm vụ của {name}.\n",
        quoted = quoted(name),
    )
}

fn page(title: &str) -> String {
    format!(
        "+++\n\
         title = {title}\n\
         draft = true\n\
         # Gợi ý: viết xong thì xóa dòng `draft = true`; thêm trang vào [[menu]] của site.toml nếu cần.\n\
         # description = \"Một câu giới thiệu trang\"\n\
         +++\n\
         Viết nội dung trang ở đây.\n",
        title = quoted(title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_quoted_as_toml() {
        assert_eq!(
            quoted("Phát động \"Ngày Chủ nhật xanh\""),
            r#""Phát động \"Ngày Chủ nhật xanh\"""#
        );
        assert_eq!(quoted("Hội nghị"), "\"Hội nghị\"");
    }

    #[test]
    fn every_skeleton_parses_as_its_kind() {
        use crate::content::front_matter::split;
        use crate::content::{ArticleMeta, DepartmentMeta, OfficialMeta, PageMeta};
        let now: jiff::Timestamp = "2026-11-26T01:30:00Z".parse().unwrap();
        let now = now.to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").unwrap());
        let text = article("Hội \"nghị\" 1\\2", &now, Some("Văn phòng"));
        let meta: ArticleMeta = split(&text).unwrap().deserialize(&text).unwrap();
        assert_eq!(meta.title, "Hội \"nghị\" 1\\2");
        assert!(meta.draft && meta.tags.is_empty());
        assert_eq!(meta.author.as_deref(), Some("Văn phòng"));
        assert!(text.contains("date = 2026-11-26T08:30:00+07:00"), "{text}");
        let text = official("Nguyễn Văn A", "nguyen-van-a", &now);
        let meta: OfficialMeta = split(&text).unwrap().deserialize(&text).unwrap();
        assert_eq!(meta.name, "Nguyễn Văn A");
        let text = department("Phòng Văn hóa - Xã hội");
        let _: DepartmentMeta = split(&text).unwrap().deserialize(&text).unwrap();
        let text = page("Giới thiệu");
        let meta: PageMeta = split(&text).unwrap().deserialize(&text).unwrap();
        assert!(meta.draft);
    }
}
