//! Diagnostics: every problem found in an editor's files, with where it is and how to fix it.
//!
//! Library code never prints. Each stage collects [`Diagnostic`]s (one per problem, all of them,
//! not just the first) and returns them; the CLI turns them into friendly reports. Messages are
//! written for ward editors, in Vietnamese, and every one says what to do.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file a problem is: 1-based line and column (column counted in characters, which is
/// what an editor shows for Vietnamese text), plus the text of that line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub line_text: String,
    /// How many characters the problem spans (0: unknown, point at the column).
    pub length: usize,
}

impl Location {
    /// Location of a byte offset in `text` (clamped to the text and to a char boundary).
    pub fn from_offset(text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let line = text[..line_start].matches('\n').count() + 1;
        let column = text[line_start..offset].chars().count() + 1;
        Location {
            line,
            column,
            line_text: text[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
            length: 0,
        }
    }

    /// Location of the first line of `text` at or after byte `from` that contains `needle`.
    pub fn find(text: &str, from: usize, needle: &str) -> Option<Location> {
        let from = from.min(text.len());
        if !text.is_char_boundary(from) || needle.is_empty() {
            return None;
        }
        text[from..].find(needle).map(|i| Location {
            length: needle.chars().count(),
            ..Location::from_offset(text, from + i)
        })
    }
}

/// Which kind of entity a reference points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Official,
    Department,
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EntityKind::Official => "cán bộ",
            EntityKind::Department => "đơn vị",
        })
    }
}

/// Every problem bantin can find in a site's files. The `Display` text says what is wrong;
/// [`Problem::hint`] says how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("không đọc được tệp: {error}")]
    Read { error: String },
    #[error("tệp không phải văn bản UTF-8 (có vẻ là {encoding})")]
    NotUtf8 { encoding: String },
    #[error("phần đầu bài mở bằng `{delimiter}` nhưng không có dòng `{delimiter}` nào đóng lại")]
    UnclosedFrontMatter { delimiter: String },
    #[error("tệp không có phần đầu bài (front matter) giữa hai dòng `+++`")]
    MissingFrontMatter,
    #[error("phần đầu bài viết sai cú pháp: {message}")]
    Syntax { message: String },
    #[error("khóa `{key}` không dùng được ở đây")]
    UnknownKey {
        key: String,
        suggestion: Option<String>,
    },
    #[error("thiếu trường bắt buộc `{key}`")]
    MissingKey { key: String },
    #[error("giá trị không hợp lệ: {message}")]
    InvalidValue { message: String },
    #[error("không tìm thấy {kind} «{name}»")]
    UnknownReference {
        kind: EntityKind,
        name: String,
        suggestions: Vec<String>,
    },
    #[error("địa chỉ `{url}` trùng với tệp {other}")]
    DuplicateUrl { url: String, other: String },
    #[error("không tạo được địa chỉ (slug) từ «{text}»: không còn chữ hay số nào")]
    EmptySlug { text: String },
    #[error("địa chỉ `/{slug}/` đã được bantin dùng cho trang khác")]
    ReservedSlug { slug: String },
    #[error("không tìm thấy tệp ảnh `{path}`")]
    MissingFile { path: String },
    #[error("ảnh `{path}` chưa có mô tả (image_alt)")]
    MissingAlt { path: String },
    #[error("tên «{name}» của {kind} này trùng với {other}")]
    NameCollision {
        kind: EntityKind,
        name: String,
        other: String,
    },
    #[error("đơn vị cấp trên tạo thành vòng lặp: {chain}")]
    ParentCycle { chain: String },
    #[error("lỗi trong mẫu giao diện: {message}")]
    Template { message: String },
    #[error("không tìm thấy giao diện «{name}»")]
    ThemeNotFound {
        name: String,
        available: Vec<String>,
    },
    #[error("không tìm thấy tệp cấu hình site.toml")]
    ConfigMissing,
    #[error("ảnh `{path}` chưa có mô tả")]
    MissingImageText { path: String },
    #[error("không xử lý được ảnh `{path}`: {reason}")]
    BadImage { path: String, reason: String },
    #[error("các bản thu nhỏ của ảnh `{path}` sẽ trùng tên với ảnh {other}")]
    ImageNameClash { path: String, other: String },
    #[error("liên kết `{link}` trỏ tới một tệp không có trong content/ (hoặc tệp đó đang có lỗi)")]
    BrokenLink {
        link: String,
        /// The path to write instead, when a content file of that name exists elsewhere.
        suggestion: Option<String>,
    },
    #[error("liên kết `{link}` trỏ tới một bản nháp (draft = true): trang đó không được đăng")]
    LinkToDraft { link: String },
    #[error("liên kết `{link}` trỏ tới bài hẹn đăng {when}: trước lúc đó liên kết chưa mở được")]
    LinkToScheduled { link: String, when: String },
    #[error("bài hẹn đăng {when}: chưa được đăng trong lần dựng này")]
    Scheduled { when: String },
}

impl Problem {
    /// A plain-words fix for the editor, when there is one to give.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Problem::Read { .. } => "kiểm tra tệp còn tồn tại và bạn có quyền đọc nó".into(),
            Problem::NotUtf8 { .. } => {
                "mở tệp bằng trình soạn thảo rồi lưu lại với bảng mã UTF-8 (Save As → Encoding: UTF-8)"
                    .into()
            }
            Problem::UnclosedFrontMatter { delimiter } => {
                format!("thêm một dòng chỉ có `{delimiter}` sau trường cuối cùng của phần đầu bài")
            }
            Problem::MissingFrontMatter => {
                "thêm vào đầu tệp:\n+++\ntitle = \"Tiêu đề\"\ndate = 2025-12-30\n+++".into()
            }
            Problem::Syntax { .. } => {
                "mỗi dòng có dạng `khóa = giá trị`; chữ phải nằm trong dấu ngoặc kép \"...\"".into()
            }
            Problem::UnknownKey {
                suggestion: Some(s),
                ..
            } => format!("có phải bạn muốn viết `{s}`?"),
            Problem::UnknownKey { .. } => {
                "xóa dòng này, hoặc xem danh sách khóa trong docs/content.md".into()
            }
            Problem::MissingKey { key } => format!("thêm dòng `{key} = ...` vào phần đầu bài"),
            Problem::InvalidValue { .. } => return None,
            Problem::UnknownReference {
                kind, suggestions, ..
            } => {
                if suggestions.is_empty() {
                    format!("kiểm tra lại chính tả, hoặc tạo tệp cho {kind} này")
                } else {
                    format!("có phải bạn muốn viết: {}?", suggestions.join(", "))
                }
            }
            Problem::DuplicateUrl { .. } => {
                "đổi tên một trong hai tệp, hoặc đặt `slug = \"...\"` khác nhau".into()
            }
            Problem::EmptySlug { .. } => {
                "đặt tên tệp có chữ hoặc số, hoặc thêm `slug = \"ten-bai-viet\"`".into()
            }
            Problem::ReservedSlug { .. } => "đổi tên tệp hoặc đặt `slug` khác".into(),
            Problem::MissingFile { .. } => {
                "đặt ảnh cạnh bài viết (bài dạng thư mục) hoặc trong thư mục static/, rồi ghi đúng tên tệp"
                    .into()
            }
            Problem::MissingAlt { .. } => {
                "thêm `image_alt = \"mô tả ngắn nội dung ảnh\"` cho người đọc không xem được ảnh".into()
            }
            Problem::NameCollision { .. } => {
                "đổi tên hoặc bí danh (aliases) để mỗi tên chỉ thuộc về một người/đơn vị".into()
            }
            Problem::ParentCycle { .. } => "sửa trường `parent` để cây đơn vị có gốc".into(),
            Problem::Template { .. } => "sửa mẫu giao diện ở dòng được chỉ ra".into(),
            Problem::ThemeNotFound { available, .. } => {
                if available.is_empty() {
                    "xóa dòng `theme` trong site.toml để dùng giao diện mặc định «phuong»".into()
                } else {
                    format!("các giao diện có sẵn: {}", available.join(", "))
                }
            }
            Problem::ConfigMissing => {
                "chạy lệnh trong thư mục của trang, dùng `--root THƯ_MỤC`, hoặc tạo trang mới bằng `bantin init`"
                    .into()
            }
            Problem::MissingImageText { path } => format!(
                "viết mô tả ngắn nội dung ảnh giữa hai dấu ngoặc vuông, cho người đọc không xem được ảnh: `![Mô tả ảnh]({path})`"
            ),
            Problem::ImageNameClash { .. } => {
                "đổi tên một trong hai tệp ảnh, ví dụ thêm số vào cuối tên (anh-1.jpg); nhớ sửa cả chỗ dùng ảnh trong bài"
                    .into()
            }
            Problem::BadImage { .. } => {
                "mở ảnh trên máy tính để kiểm tra; nếu xem được, lưu (xuất) lại thành tệp JPEG rồi chép đè tệp cũ; nếu không, chép lại ảnh từ điện thoại hoặc máy ảnh"
                    .into()
            }
            Problem::BrokenLink {
                suggestion: Some(s),
                ..
            } => format!("có phải bạn muốn viết `{s}`?"),
            Problem::BrokenLink { .. } => {
                "kiểm tra tên tệp; đường dẫn tính từ thư mục của tệp đang viết, ví dụ `../2025/ten-bai.md` hoặc `../../pages/gioi-thieu.md`"
                    .into()
            }
            Problem::LinkToDraft { .. } => {
                "đăng bài đó trước (xóa dòng `draft = true` của nó), hoặc bỏ liên kết này".into()
            }
            Problem::LinkToScheduled { .. } => {
                "không cần sửa nếu bài này cũng đăng sau lúc đó; nếu không, bỏ liên kết hoặc sửa ngày đăng"
                    .into()
            }
            Problem::Scheduled { .. } => {
                "bài tự được đăng khi dựng lại trang sau lúc đó; xem trước bằng `--future`; nếu ghi nhầm ngày, sửa `date`"
                    .into()
            }
        })
    }
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The file, relative to the site root where possible.
    pub file: PathBuf,
    /// Boxed: most diagnostics travel inside `Result`s and should stay small.
    pub location: Option<Box<Location>>,
    pub problem: Problem,
}

impl Diagnostic {
    pub fn new(file: impl Into<PathBuf>, problem: Problem) -> Self {
        Diagnostic {
            file: file.into(),
            location: None,
            problem,
        }
    }

    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location.map(Box::new);
        self
    }

    pub fn file(&self) -> &Path {
        &self.file
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(loc) = &self.location {
            write!(f, ":{}:{}", loc.line, loc.column)?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// Sort diagnostics by file then position so reports read top to bottom.
pub fn sort_diagnostics(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        a.file.cmp(&b.file).then_with(|| {
            let pos = |d: &Diagnostic| d.location.as_ref().map(|l| (l.line, l.column));
            pos(a).cmp(&pos(b))
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_characters_not_bytes() {
        let text = "+++\ntitle = \"Hội nghị\"\ndate = x\n+++\n";
        let off = text.find("x").unwrap();
        let loc = Location::from_offset(text, off);
        assert_eq!((loc.line, loc.column), (3, 8));
        let off = text.find("nghị").unwrap();
        let loc = Location::from_offset(text, off);
        assert_eq!((loc.line, loc.column), (2, 14));
        assert_eq!(loc.line_text, "title = \"Hội nghị\"");
    }

    #[test]
    fn location_clamps_offsets() {
        let loc = Location::from_offset("ab\ncd", 99);
        assert_eq!((loc.line, loc.column), (2, 3));
        let loc = Location::from_offset("ộ", 1);
        assert_eq!((loc.line, loc.column), (1, 1));
    }
}
