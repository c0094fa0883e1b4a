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

    /// Location of the line of a TOML `text` that sets `key` (`key = …` at the start of a line),
    /// pointing at the key.
    pub fn of_key(text: &str, key: &str) -> Option<Location> {
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix(key)
                && rest.trim_start().starts_with('=')
            {
                let start = offset + (line.len() - trimmed.len());
                return Some(Location {
                    length: key.chars().count(),
                    ..Location::from_offset(text, start)
                });
            }
            offset += line.len();
        }
        None
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

/// The language of every editor-facing message: Vietnamese (the default) or English
/// (`--lang en`, `BANTIN_LANG=en`). Passed explicitly to whatever writes a message; there is no
/// global setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// `vi` or `en` (case-insensitive, `vi-VN`/`en_US` forms too); `None` for anything else.
    pub fn parse(code: &str) -> Option<Lang> {
        let code = code.trim().to_ascii_lowercase();
        match code.get(..2) {
            Some("vi") if code.len() == 2 || code[2..].starts_with(['-', '_', '.']) => {
                Some(Lang::Vi)
            }
            Some("en") if code.len() == 2 || code[2..].starts_with(['-', '_', '.']) => {
                Some(Lang::En)
            }
            _ => None,
        }
    }

    /// The text for this language.
    pub fn pick<T>(self, vi: T, en: T) -> T {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// The word before a problem: "lỗi" / "error".
    pub fn error_word(self) -> &'static str {
        self.pick("lỗi", "error")
    }

    /// The words before a fix: "cách sửa" / "how to fix".
    pub fn fix_word(self) -> &'static str {
        self.pick("cách sửa", "how to fix")
    }
}

/// A sentence built from values, in both languages. Made from a plain `String` it is the same
/// text in both (for names and paths, which are not translated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub vi: String,
    pub en: String,
}

impl Text {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            vi: vi.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.vi, &self.en)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text {
            en: s.clone(),
            vi: s,
        }
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        s.to_string().into()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.vi)
    }
}

/// Which kind of entity a reference points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Official,
    Department,
}

impl EntityKind {
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            EntityKind::Official => lang.pick("cán bộ", "official"),
            EntityKind::Department => lang.pick("đơn vị", "department"),
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name(Lang::Vi))
    }
}

/// The language a settings block is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataFormat {
    Toml,
    Yaml,
}

impl fmt::Display for DataFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DataFormat::Toml => "TOML",
            DataFormat::Yaml => "YAML",
        })
    }
}

/// What is wrong with the syntax of a TOML or YAML block, recognised from the parser's message
/// (the parsers only speak English; see `parse::syntax_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyntaxKind {
    /// `title = "Hội nghị` with no closing `"`.
    UnclosedString,
    /// `title "Hội nghị"`: no `=` between key and value.
    MissingEquals,
    /// `tags = ["a", "b"` with no closing `]`.
    UnclosedList,
    /// `tags = ["a" "b"]`.
    MissingComma,
    /// `title = Hội nghị`: text without quotes.
    UnquotedText,
    /// `title = “Hội nghị”`: Word's curly quotes instead of straight ones.
    CurlyQuotes,
    /// `date = 30/12/2025` without quotes.
    UnquotedDate,
    /// The same key twice.
    DuplicateKey,
    /// YAML: `title: Thông báo: lịch…` (a second `: ` in an unquoted value) or a wrongly
    /// indented line.
    ColonInValue,
    /// YAML: a quote or bracket left open until the end of the block.
    UnexpectedEnd,
    /// YAML: a tab used for indentation.
    Tab,
    /// Anything else: the position is still shown.
    Other,
}

/// What kind of value a key takes, or was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    Text,
    List,
    Bool,
    Integer,
    PositiveInteger,
    Decimal,
    Date,
    Table,
    Other,
}

impl ValueKind {
    /// The kind with its article: "một chuỗi chữ", "a list".
    pub fn describe(self, lang: Lang) -> &'static str {
        match self {
            ValueKind::Text => {
                lang.pick("một chuỗi chữ trong dấu ngoặc kép", "text in double quotes")
            }
            ValueKind::List => lang.pick(
                "một danh sách [\"...\", \"...\"]",
                "a list [\"...\", \"...\"]",
            ),
            ValueKind::Bool => lang.pick("true hoặc false", "true or false"),
            ValueKind::Integer => lang.pick("một số nguyên", "a whole number"),
            ValueKind::PositiveInteger => {
                lang.pick("một số nguyên dương", "a positive whole number")
            }
            ValueKind::Decimal => lang.pick("một số thập phân", "a decimal number"),
            ValueKind::Date => lang.pick("một ngày, ví dụ 2025-12-30", "a date such as 2025-12-30"),
            ValueKind::Table => lang.pick("một nhóm khóa [tên_nhóm]", "a [table] of keys"),
            ValueKind::Other => lang.pick("một giá trị khác", "another kind of value"),
        }
    }

    /// The kind alone, for "here it is …": "chữ", "a number".
    fn found(self, lang: Lang) -> &'static str {
        match self {
            ValueKind::Text => lang.pick("chữ", "text"),
            ValueKind::List => lang.pick("một danh sách", "a list"),
            ValueKind::Bool => lang.pick("true/false", "true/false"),
            ValueKind::Integer | ValueKind::PositiveInteger => lang.pick("một số", "a number"),
            ValueKind::Decimal => lang.pick("một số thập phân", "a decimal number"),
            ValueKind::Date => lang.pick("một ngày", "a date"),
            ValueKind::Table => lang.pick("một nhóm khóa", "a table"),
            ValueKind::Other => lang.pick("một giá trị khác", "another kind of value"),
        }
    }
}

/// Why a date cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DateProblem {
    /// Well formed but not on the calendar (2025-02-30, 2025-13-01).
    NotOnCalendar { year: i16, month: i8 },
    /// `30/12`: day and month, no year.
    NoYear { day: i8, month: i8 },
    /// `30/12/2025`: the Vietnamese day-first order; `iso` is the same date written right.
    DayFirst { iso: String },
    /// Not a date at all (`hôm qua`, `2025`).
    NotADate,
}

/// Every problem bantin can find in a site's files. `Display` is the Vietnamese message;
/// [`Problem::message`] and [`Problem::hint_in`] give it and the fix in either language.
///
/// Adding a variant: give it an `#[error]` (Vietnamese), an arm in `english` and in `hint_in`
/// (both are exhaustive, so the compiler asks for them), and a section in
/// `docs/troubleshooting.md`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("không đọc được tệp: {}", read_vi(.error))]
    Read {
        /// The system's (English) description, as `io::Error` writes it.
        error: String,
    },
    #[error("tệp không phải văn bản UTF-8 (có vẻ là {encoding})")]
    NotUtf8 { encoding: String },
    /// Text in UTF-16 without a byte-order mark or in a legacy Vietnamese encoding; the
    /// location's line is shown decoded with it. `path`: the file as `bantin convert` takes it.
    #[error(
        "tệp được lưu bằng bảng mã {encoding}, không phải UTF-8 (dòng dưới đây đã được đọc theo bảng mã đó)"
    )]
    WrongEncoding {
        encoding: crate::encoding::Encoding,
        path: String,
    },
    /// UTF-8 but for a few bytes; the location is the first.
    #[error(
        "tệp là văn bản UTF-8 nhưng có {count} chỗ hỏng: byte không phải chữ (hiện là �), thường do dán chữ từ một chương trình cũ hoặc ghép hai tệp"
    )]
    BrokenUtf8 { count: usize },
    /// Not UTF-8, and no legacy table reads it as Vietnamese with confidence.
    #[error("tệp không phải văn bản UTF-8, và không đoán chắc được nó được lưu bằng bảng mã nào")]
    UnknownEncoding { path: String },
    #[error("tệp này không phải văn bản mà có vẻ là {kind}")]
    NotText { kind: crate::encoding::FileKind },
    /// UTF-8 whose Vietnamese letters went through a Windows-1252 round trip.
    #[error(
        "chữ tiếng Việt trong tệp bị hỏng do chuyển sai bảng mã (lỗi phông): «{found}» đáng lẽ là «{meant}» ({count} chỗ như vậy)"
    )]
    Mojibake {
        found: String,
        meant: char,
        count: usize,
        path: String,
    },
    #[error("tệp quá lớn ({megabytes} MB): một bài viết chỉ được tới {limit} MB")]
    TooLarge { megabytes: u64, limit: u64 },
    #[error("phần đầu bài mở bằng `{delimiter}` nhưng không có dòng `{delimiter}` nào đóng lại")]
    UnclosedFrontMatter { delimiter: String },
    #[error("tệp không có phần đầu bài (front matter) giữa hai dòng `+++`")]
    MissingFrontMatter,
    #[error("sai cú pháp {format}: {}", syntax_vi(*.kind))]
    Syntax {
        format: DataFormat,
        kind: SyntaxKind,
    },
    #[error("khóa `{key}` không dùng được ở đây")]
    UnknownKey {
        key: String,
        suggestion: Option<String>,
        /// The keys that can be written here.
        valid: Box<[String]>,
    },
    #[error("thiếu trường bắt buộc `{key}`")]
    MissingKey { key: String },
    #[error("cần {}, nhưng ở đây là {}", .expected.describe(Lang::Vi), .found.found(Lang::Vi))]
    WrongType {
        expected: ValueKind,
        found: ValueKind,
        /// The value as written, when it is short.
        value: Option<String>,
    },
    #[error("{}", date_vi(.text, .problem))]
    BadDate { text: String, problem: DateProblem },
    #[error("giá trị không hợp lệ: {message}")]
    InvalidValue { message: Text },
    #[error("không tìm thấy {kind} «{name}»")]
    UnknownReference {
        kind: EntityKind,
        name: String,
        suggestions: Vec<String>,
    },
    #[error("địa chỉ `{url}` trùng với tệp {other}")]
    DuplicateUrl { url: String, other: String },
    /// An old address in `aliases` that another page of the site has.
    #[error("địa chỉ cũ `{url}` trong `aliases` đã là địa chỉ của tệp {other}")]
    AliasTaken { url: String, other: String },
    #[error("không tạo được địa chỉ (slug) từ «{text}»: không còn chữ hay số nào")]
    EmptySlug { text: String },
    /// A topic in `tags` with nothing to make its address from.
    #[error("chủ đề «{text}» trong `tags` không có chữ hay số nào nên không tạo được địa chỉ")]
    EmptyTag { text: String },
    #[error("địa chỉ `/{slug}/` đã được bantin dùng cho trang khác")]
    ReservedSlug { slug: String },
    #[error("không tìm thấy tệp ảnh `{path}`")]
    MissingFile { path: String },
    #[error("ảnh `{path}` chưa có mô tả (image_alt)")]
    MissingAlt { path: String },
    /// A symbolic link under `content/`, pointing inside the site folder (never followed).
    #[error(
        "đây là một liên kết tượng trưng (symlink) tới `{target}`: bantin không đi theo liên kết"
    )]
    Symlink { target: String },
    /// A symbolic link under `content/` pointing outside the site folder (never followed).
    #[error(
        "đây là một liên kết tượng trưng (symlink) trỏ ra ngoài thư mục trang web, tới `{target}`"
    )]
    SymlinkOutsideSite { target: String },
    /// A file path in content (an image) that leaves the site folder (`..`, a disk path).
    #[error("đường dẫn `{path}` đi ra ngoài thư mục trang web")]
    PathOutsideSite { path: String },
    #[error("tên «{name}» của {kind} này trùng với {other}")]
    NameCollision {
        kind: EntityKind,
        name: String,
        other: String,
    },
    #[error("đơn vị cấp trên tạo thành vòng lặp: {chain}")]
    ParentCycle { chain: String },
    #[error("lỗi trong mẫu giao diện: {}", template_vi(.message))]
    Template {
        /// The template engine's own (English) description.
        message: String,
    },
    #[error("không tìm thấy giao diện «{name}»")]
    ThemeNotFound {
        name: String,
        available: Vec<String>,
    },
    #[error("không tìm thấy tệp cấu hình site.toml")]
    ConfigMissing,
    #[error("ảnh `{path}` chưa có mô tả")]
    MissingImageText { path: String },
    #[error("không xử lý được ảnh `{path}`: {}", image_reason(.reason, Lang::Vi))]
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

/// The path as written in a command: quoted when it has spaces; a placeholder when unknown.
fn command_path(path: &str) -> String {
    if path.is_empty() {
        "TỆP".into()
    } else if path.contains(' ') {
        format!("\"{path}\"")
    } else {
        path.into()
    }
}

/// How to convert a file saved in `encoding`: the command, and the way without bantin.
fn encoding_hint(encoding: crate::encoding::Encoding, path: &str, lang: Lang) -> String {
    use crate::encoding::Encoding;
    let (flag, path) = (encoding.flag(), command_path(path));
    let command = lang.pick(
        format!(
            "chuyển tệp sang UTF-8 bằng lệnh (chạy trong thư mục của trang): `bantin convert --from {flag} {path}` (bản cũ được giữ trong tệp .bak)"
        ),
        format!(
            "convert the file to UTF-8 with the command (run in the site's folder): `bantin convert --from {flag} {path}` (the old version is kept in a .bak file)"
        ),
    );
    let other = match encoding {
        Encoding::Utf16Le | Encoding::Utf16Be | Encoding::Cp1258 => lang.pick(
            "hoặc mở tệp bằng Notepad, chọn File → Save As, ở ô Encoding chọn UTF-8 rồi lưu",
            "or open the file in Notepad, choose File → Save As, pick UTF-8 under Encoding and save",
        ),
        Encoding::Tcvn3 | Encoding::Vni => lang.pick(
            "hoặc dùng công cụ chuyển mã của UniKey (Ctrl+Shift+F6) để chuyển sang Unicode, rồi lưu tệp với bảng mã UTF-8",
            "or convert it to Unicode with UniKey's converter (Ctrl+Shift+F6), then save the file as UTF-8",
        ),
    };
    format!("{command}; {other}")
}

/// What to do with a file that is not text.
fn not_text_hint(kind: crate::encoding::FileKind, lang: Lang) -> String {
    let text = if kind.is_image() {
        lang.pick(
            "đây là ảnh, không phải bài viết: đổi đuôi tệp cho đúng loại ảnh (.jpg, .png) rồi đặt cạnh bài viết (bài dạng thư mục) hoặc trong static/, và chèn vào bài bằng `![Mô tả ảnh](ten-anh.jpg)`",
            "this is a picture, not an article: give the file the right extension (.jpg, .png), put it beside the article (an article folder) or in static/, and insert it with `![Description](photo.jpg)`",
        )
    } else if kind.is_document() {
        lang.pick(
            "bài viết phải là tệp chữ .md: mở tệp này bằng Word (hoặc trình đọc PDF), chép nội dung rồi dán vào một bài mới tạo bằng `bantin new \"Tiêu đề\"`, rồi xóa tệp này khỏi content/",
            "an article must be a .md text file: open this file in Word (or a PDF reader), copy its text into a new article made with `bantin new \"Title\"`, then remove this file from content/",
        )
    } else {
        lang.pick(
            "bài viết phải là tệp chữ .md mở được bằng Notepad: nếu tệp này bị đặt nhầm chỗ hoặc bị hỏng, chuyển nó ra khỏi content/ (giải nén trước nếu là tệp nén)",
            "an article must be a .md text file that Notepad opens: if this file is in the wrong place or damaged, move it out of content/ (unpack it first if it is an archive)",
        )
    };
    text.to_string()
}

/// A system error in Vietnamese, recognised by its `(os error N)` code; walkdir's loop message
/// too. Anything else gets a general sentence.
fn read_vi(error: &str) -> String {
    let code = error
        .rsplit_once("(os error ")
        .and_then(|(_, c)| c.trim_end_matches(')').parse::<i32>().ok());
    match code {
        Some(2) => "tệp không còn ở đó (có thể vừa bị xóa hoặc đổi tên)".into(),
        Some(13) | Some(1) => "không có quyền đọc tệp này".into(),
        Some(21) => "đây là thư mục, không phải tệp".into(),
        Some(40) => "liên kết (symlink) trỏ vòng về chính nó".into(),
        Some(5) => "lỗi đọc ổ đĩa".into(),
        Some(c) => format!("lỗi hệ thống (mã {c})"),
        None if error.contains("File system loop") => {
            "liên kết (symlink) trỏ ngược lên thư mục chứa nó, tạo thành vòng lặp".into()
        }
        None if error.is_empty() || error.is_ascii() => "lỗi không rõ nguyên nhân".into(),
        None => error.to_string(),
    }
}

/// Why a photo could not be processed, from `images`' Vietnamese reason. The decoders' own
/// (English, sometimes debug-formatted) details after the Vietnamese sentence are left out; in
/// English the sentence is translated from a table of the reasons `images` gives.
fn image_reason(reason: &str, lang: Lang) -> String {
    let kept: Vec<&str> = reason
        .split(": ")
        .map(str::trim)
        .take_while(|part| !part.is_ascii())
        .collect();
    let vietnamese = if kept.is_empty() {
        "tệp ảnh hỏng hoặc không phải ảnh".to_string()
    } else {
        kept.join(": ")
    };
    if lang == Lang::Vi {
        return vietnamese;
    }
    const ENGLISH: [(&str, &str); 14] = [
        (
            "tệp ảnh vừa bị thay đổi",
            "the file changed while it was being read",
        ),
        (
            "ảnh HEIC/HEIF",
            "HEIC/HEIF pictures (the iPhone's format) do not show in many browsers",
        ),
        (
            "đây là ảnh HEIC",
            "this is a HEIC picture (the iPhone's format), whatever its name says",
        ),
        ("không đọc được tệp", "the file cannot be read"),
        (
            "tệp ảnh hỏng (bộ giải mã",
            "the picture is damaged (the decoder stopped half-way)",
        ),
        (
            "không ghi được ảnh",
            "the processed picture cannot be written",
        ),
        (
            "tệp không phải ảnh",
            "the file is not a JPEG, PNG or WebP picture (it may be damaged, or only renamed)",
        ),
        ("ảnh không có điểm ảnh", "the picture has no pixels"),
        ("tệp JPEG hỏng", "the JPEG file is damaged"),
        (
            "tệp PNG dùng bảng màu",
            "the PNG file uses a palette that cannot be read",
        ),
        ("tệp PNG hỏng", "the PNG file is damaged"),
        ("tệp WebP hỏng", "the WebP file is damaged"),
        ("không thu nhỏ được ảnh", "the picture cannot be resized"),
        ("không mã hóa được ảnh", "the picture cannot be encoded"),
    ];
    ENGLISH
        .iter()
        .find(|(vi, _)| vietnamese.starts_with(vi))
        .map_or("the file is damaged or not a picture", |(_, en)| en)
        .to_string()
}

/// `links::when_text`'s «lúc 08:00 ngày 30/12/2025» as «08:00 on 30/12/2025».
fn when_en(when: &str) -> String {
    when.trim_start_matches("lúc ")
        .replacen(" ngày ", " on ", 1)
}

fn syntax_vi(kind: SyntaxKind) -> &'static str {
    syntax_text(kind, Lang::Vi)
}

fn syntax_text(kind: SyntaxKind, lang: Lang) -> &'static str {
    match kind {
        SyntaxKind::UnclosedString => lang.pick(
            "chuỗi chữ mở dấu ngoặc kép nhưng không đóng lại trên cùng dòng",
            "the text opens a double quote but does not close it on the same line",
        ),
        SyntaxKind::MissingEquals => lang.pick(
            "thiếu dấu `=` giữa tên khóa và giá trị",
            "a `=` is missing between the key and its value",
        ),
        SyntaxKind::UnclosedList => lang.pick(
            "danh sách mở bằng `[` nhưng không có `]` đóng lại",
            "the list opens with `[` but is never closed with `]`",
        ),
        SyntaxKind::MissingComma => lang.pick(
            "thiếu dấu phẩy giữa các mục của danh sách",
            "a comma is missing between the items of the list",
        ),
        SyntaxKind::UnquotedText => lang.pick(
            "chữ chưa đặt trong dấu ngoặc kép",
            "the text is not in double quotes",
        ),
        SyntaxKind::CurlyQuotes => lang.pick(
            "dùng dấu ngoặc kép cong “…” (của Word); cần dấu ngoặc kép thẳng \"…\"",
            "curly quotes “…” (from Word) are used; straight quotes \"…\" are needed",
        ),
        SyntaxKind::UnquotedDate => lang.pick(
            "ngày viết theo dạng ngày/tháng/năm, không đọc được",
            "the date is written day/month/year, which cannot be read",
        ),
        SyntaxKind::DuplicateKey => lang.pick(
            "khóa này đã được ghi ở một dòng phía trên",
            "this key is already written on a line above",
        ),
        SyntaxKind::ColonInValue => lang.pick(
            "có dấu `:` trong giá trị chưa đặt trong ngoặc kép, hoặc dòng bị thụt lề",
            "a `:` inside a value that is not quoted, or an indented line",
        ),
        SyntaxKind::UnexpectedEnd => lang.pick(
            "một dấu ngoặc kép hoặc ngoặc vuông mở ra nhưng không đóng lại",
            "a quote or bracket is opened but never closed",
        ),
        SyntaxKind::Tab => lang.pick(
            "dòng được thụt lề bằng phím Tab",
            "a line is indented with the Tab key",
        ),
        SyntaxKind::Other => lang.pick("không đọc được dòng này", "this line cannot be read"),
    }
}

fn syntax_hint(kind: SyntaxKind, format: DataFormat, lang: Lang) -> String {
    let generic = match format {
        DataFormat::Toml => lang.pick(
            "mỗi dòng có dạng `khóa = giá trị`; chữ đặt trong dấu ngoặc kép, ví dụ `title = \"Hội nghị tổng kết\"`",
            "each line reads `key = value`; text goes in double quotes, e.g. `title = \"Hội nghị tổng kết\"`",
        ),
        DataFormat::Yaml => lang.pick(
            "mỗi dòng có dạng `khóa: giá trị`, không thụt lề; hoặc đổi sang phần đầu bài TOML giữa hai dòng `+++` (xem docs/content.md)",
            "each line reads `key: value`, not indented; or switch to TOML front matter between two `+++` lines (see docs/content.md)",
        ),
    };
    match kind {
        SyntaxKind::UnclosedString => lang.pick(
            "thêm dấu \" ở cuối chữ, ví dụ `title = \"Hội nghị tổng kết\"`",
            "add a \" at the end of the text, e.g. `title = \"Hội nghị tổng kết\"`",
        )
        .into(),
        SyntaxKind::MissingEquals => lang.pick(
            "viết dấu `=` giữa tên khóa và giá trị, ví dụ `title = \"Hội nghị tổng kết\"`",
            "write `=` between the key and the value, e.g. `title = \"Hội nghị tổng kết\"`",
        )
        .into(),
        SyntaxKind::UnclosedList => lang.pick(
            "thêm `]` ở cuối danh sách, ví dụ `tags = [\"Hội nghị\", \"Cuối năm\"]`",
            "add `]` at the end of the list, e.g. `tags = [\"Hội nghị\", \"Cuối năm\"]`",
        )
        .into(),
        SyntaxKind::MissingComma => lang.pick(
            "đặt dấu phẩy giữa các mục, ví dụ `tags = [\"Hội nghị\", \"Cuối năm\"]`",
            "put a comma between the items, e.g. `tags = [\"Hội nghị\", \"Cuối năm\"]`",
        )
        .into(),
        SyntaxKind::UnquotedText => lang.pick(
            "đặt chữ trong dấu ngoặc kép, ví dụ `title = \"Hội nghị tổng kết\"`",
            "put the text in double quotes, e.g. `title = \"Hội nghị tổng kết\"`",
        )
        .into(),
        SyntaxKind::CurlyQuotes => lang.pick(
            "gõ lại hai dấu ngoặc kép bằng bàn phím trong Notepad (hoặc tắt \"smart quotes\" của Word), ví dụ `title = \"Hội nghị tổng kết\"`",
            "type both quotes again in Notepad (or turn off Word's \"smart quotes\"), e.g. `title = \"Hội nghị tổng kết\"`",
        )
        .into(),
        SyntaxKind::UnquotedDate => lang.pick(
            "viết theo thứ tự năm-tháng-ngày, ví dụ ngày 30/12/2025 là `date = 2025-12-30`",
            "write year-month-day, e.g. 30/12/2025 is `date = 2025-12-30`",
        )
        .into(),
        SyntaxKind::DuplicateKey => lang.pick(
            "giữ một dòng cho mỗi khóa: xóa dòng này hoặc dòng phía trên",
            "keep one line per key: delete this line or the one above",
        )
        .into(),
        SyntaxKind::ColonInValue => lang.pick(
            "đặt giá trị có dấu `:` trong dấu ngoặc kép, ví dụ `title: \"Thông báo: lịch tiếp công dân\"`, và bỏ khoảng trắng ở đầu dòng",
            "put a value containing `:` in double quotes, e.g. `title: \"Thông báo: lịch tiếp công dân\"`, and remove spaces at the start of the line",
        )
        .into(),
        SyntaxKind::UnexpectedEnd => lang.pick(
            "tìm dấu \" hoặc [ chưa đóng ở các dòng phía trên và thêm dấu đóng",
            "find the \" or [ left open on the lines above and close it",
        )
        .into(),
        SyntaxKind::Tab => lang.pick(
            "xóa phím Tab ở đầu dòng; các khóa viết sát lề trái",
            "remove the Tab at the start of the line; keys start at the left margin",
        )
        .into(),
        SyntaxKind::Other => generic.into(),
    }
}

fn date_vi(text: &str, problem: &DateProblem) -> String {
    date_text(text, problem, Lang::Vi)
}

fn date_text(text: &str, problem: &DateProblem, lang: Lang) -> String {
    match problem {
        DateProblem::NotOnCalendar { .. } => lang.pick(
            format!("ngày «{text}» không có trên lịch"),
            format!("the date «{text}» is not on the calendar"),
        ),
        DateProblem::NoYear { .. } => lang.pick(
            format!("ngày «{text}» thiếu năm"),
            format!("the date «{text}» has no year"),
        ),
        DateProblem::DayFirst { .. } => lang.pick(
            format!("ngày «{text}» viết theo thứ tự ngày/tháng/năm"),
            format!("the date «{text}» is written day/month/year"),
        ),
        DateProblem::NotADate => lang.pick(
            format!("«{text}» không phải là ngày"),
            format!("«{text}» is not a date"),
        ),
    }
}

fn date_hint(problem: &DateProblem, lang: Lang) -> String {
    match problem {
        DateProblem::NotOnCalendar { year, month } => {
            match jiff::civil::Date::new(*year, *month, 1) {
                Ok(first) => lang.pick(
                    format!(
                        "tháng {month} năm {year} chỉ có {} ngày; kiểm tra lại ngày và tháng (thứ tự năm-tháng-ngày)",
                        first.days_in_month()
                    ),
                    format!(
                        "month {month} of {year} has only {} days; check the day and the month (the order is year-month-day)",
                        first.days_in_month()
                    ),
                ),
                Err(_) => lang.pick(
                    "một năm chỉ có 12 tháng; ngày viết theo thứ tự năm-tháng-ngày, ví dụ `2025-12-30`".into(),
                    "a year has only 12 months; dates are written year-month-day, e.g. `2025-12-30`".into(),
                ),
            }
        }
        DateProblem::NoYear { day, month } => lang.pick(
            format!(
                "viết đủ năm, theo thứ tự năm-tháng-ngày: ngày {day}/{month} năm 2025 là `2025-{month:02}-{day:02}`"
            ),
            format!(
                "write the year too, in the order year-month-day: {day}/{month} of 2025 is `2025-{month:02}-{day:02}`"
            ),
        ),
        DateProblem::DayFirst { iso } => lang.pick(
            format!("bantin đọc ngày theo thứ tự năm-tháng-ngày: viết `{iso}`"),
            format!("bantin reads dates as year-month-day: write `{iso}`"),
        ),
        DateProblem::NotADate => lang.pick(
            "viết ngày theo dạng năm-tháng-ngày, ví dụ `2025-12-30`, hoặc có giờ: `2025-12-30T08:00:00+07:00`".into(),
            "write the date as year-month-day, e.g. `2025-12-30`, or with a time: `2025-12-30T08:00:00+07:00`".into(),
        ),
    }
}

/// Tera's (English) template messages in Vietnamese, for the common ones; anything else gets a
/// general sentence (the position is shown with it).
fn template_vi(message: &str) -> String {
    let first = message.lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let tick = |s: &str| s.split('`').nth(1).unwrap_or("").to_string();
    if first.starts_with("Found ") && first.contains(" but expected ") {
        let rest = &first["Found ".len()..];
        let (found, expected) = rest.split_once(" but expected ").unwrap_or((rest, ""));
        return format!(
            "gặp {} nhưng cần {}",
            found.trim(),
            expected.trim().trim_end_matches('.')
        );
    }
    if first.starts_with("Unknown tag") {
        return "thẻ {% … %} không đúng chỗ hoặc không có: kiểm tra các khối {% if %}, {% for %}, {% block %} đều được đóng".into();
    }
    if first.starts_with("Field `") && first.contains("is not defined") {
        let available = first
            .split_once("Available fields: ")
            .map(|(_, a)| format!("; các trường có: {}", a.trim_end_matches('.')))
            .unwrap_or_default();
        return format!("không có trường `{}`{available}", tick(first));
    }
    if (first.starts_with("Variable `") || first.contains("not found in context"))
        && !tick(first).is_empty()
    {
        return format!("không có biến `{}`", tick(first));
    }
    if first.starts_with("Unknown template") {
        return format!("không có mẫu `{}`", tick(first));
    }
    if first.starts_with("Template `") || first.starts_with("Template '") {
        return format!(
            "không có mẫu {}",
            first.split_whitespace().nth(1).unwrap_or("")
        );
    }
    if first.starts_with("Filter `") || first.starts_with("Unknown filter") {
        return format!("không có bộ lọc `{}`", tick(first));
    }
    if first.starts_with("Function `") || first.starts_with("Unknown function") {
        return format!("không có hàm `{}`", tick(first));
    }
    if first.starts_with("Unexpected end of") || first.contains("end of input") {
        return "mẫu kết thúc khi một thẻ hoặc khối chưa đóng".into();
    }
    "mẫu giao diện có lỗi ở vị trí được chỉ ra".into()
}

impl Problem {
    /// What is wrong, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Vi => self.to_string(),
            Lang::En => self.english(),
        }
    }

    fn english(&self) -> String {
        let en = Lang::En;
        match self {
            Problem::Read { error } => format!("cannot read the file: {error}"),
            Problem::NotUtf8 { encoding } => {
                format!("the file is not UTF-8 text (it looks like {encoding})")
            }
            Problem::WrongEncoding { encoding, .. } => format!(
                "the file is saved in the {encoding} encoding, not UTF-8 (the line below was read in that encoding)"
            ),
            Problem::BrokenUtf8 { count } => format!(
                "the file is UTF-8 text but has {count} damaged spots: bytes that are not letters (shown as �), usually from text pasted from an old program or two files joined"
            ),
            Problem::UnknownEncoding { .. } => {
                "the file is not UTF-8 text, and which encoding it is saved in cannot be told for sure".into()
            }
            Problem::NotText { kind } => {
                format!("this file is not text: it looks like {}", kind.name_en())
            }
            Problem::Mojibake {
                found,
                meant,
                count,
                ..
            } => format!(
                "Vietnamese letters in the file were damaged by a wrong encoding conversion: «{found}» should be «{meant}» ({count} such places)"
            ),
            Problem::TooLarge { megabytes, limit } => format!(
                "the file is too large ({megabytes} MB): an article can be at most {limit} MB"
            ),
            Problem::UnclosedFrontMatter { delimiter } => format!(
                "the front matter opens with `{delimiter}` but no `{delimiter}` line closes it"
            ),
            Problem::MissingFrontMatter => {
                "the file has no front matter between two `+++` lines".into()
            }
            Problem::Syntax { format, kind } => {
                format!("{format} syntax error: {}", syntax_text(*kind, en))
            }
            Problem::UnknownKey { key, .. } => format!("the key `{key}` cannot be used here"),
            Problem::MissingKey { key } => format!("the required key `{key}` is missing"),
            Problem::WrongType {
                expected, found, ..
            } => format!(
                "this must be {}, but it is {}",
                expected.describe(en),
                found.found(en)
            ),
            Problem::BadDate { text, problem } => date_text(text, problem, en),
            Problem::InvalidValue { message } => format!("invalid value: {}", message.en),
            Problem::UnknownReference { kind, name, .. } => {
                format!("no {} named «{name}»", kind.name(en))
            }
            Problem::DuplicateUrl { url, other } => {
                format!("the address `{url}` is already the address of the file {other}")
            }
            Problem::AliasTaken { url, other } => format!(
                "the old address `{url}` in `aliases` is already the address of the file {other}"
            ),
            Problem::EmptySlug { text } => {
                format!("no address (slug) can be made from «{text}»: it has no letters or digits")
            }
            Problem::EmptyTag { text } => format!(
                "the topic «{text}» in `tags` has no letters or digits, so it cannot have an address"
            ),
            Problem::ReservedSlug { slug } => {
                format!("the address `/{slug}/` is used by bantin for another page")
            }
            Problem::MissingFile { path } => format!("the image file `{path}` is not found"),
            Problem::Symlink { target } => format!(
                "this is a symbolic link (symlink) to `{target}`: bantin does not follow links"
            ),
            Problem::SymlinkOutsideSite { target } => format!(
                "this is a symbolic link (symlink) pointing outside the site folder, to `{target}`"
            ),
            Problem::PathOutsideSite { path } => {
                format!("the path `{path}` leads outside the site folder")
            }
            Problem::MissingAlt { path } => {
                format!("the image `{path}` has no description (image_alt)")
            }
            Problem::NameCollision { kind, name, other } => format!(
                "the name «{name}» of this {} is already used by {other}",
                kind.name(en)
            ),
            Problem::ParentCycle { chain } => {
                format!("the parent departments form a loop: {chain}")
            }
            Problem::Template { message } => {
                let first = message.lines().next().unwrap_or("").trim();
                let first = first.strip_prefix("error: ").unwrap_or(first);
                format!("error in a theme template: {first}")
            }
            Problem::ThemeNotFound { name, .. } => format!("no theme named «{name}»"),
            Problem::ConfigMissing => "the configuration file site.toml is not found".into(),
            Problem::MissingImageText { path } => {
                format!("the image `{path}` has no description")
            }
            Problem::BadImage { path, reason } => format!(
                "the image `{path}` cannot be processed: {}",
                image_reason(reason, en)
            ),
            Problem::ImageNameClash { path, other } => format!(
                "the resized copies of the image `{path}` would have the same names as the image {other}'s"
            ),
            Problem::BrokenLink { link, .. } => format!(
                "the link `{link}` points to a file that is not in content/ (or that file has errors)"
            ),
            Problem::LinkToDraft { link } => format!(
                "the link `{link}` points to a draft (draft = true): that page is not published"
            ),
            Problem::LinkToScheduled { link, when } => format!(
                "the link `{link}` points to an article scheduled for {}: it does not open before then",
                when_en(when)
            ),
            Problem::Scheduled { when } => {
                format!("scheduled for {}: not published by this build", when_en(when))
            }
        }
    }

    /// A plain-words fix for the editor, in Vietnamese, when there is one to give.
    pub fn hint(&self) -> Option<String> {
        self.hint_in(Lang::Vi)
    }

    /// A plain-words fix for the editor, in `lang`, when there is one to give.
    pub fn hint_in(&self, lang: Lang) -> Option<String> {
        let pick = |vi: &str, en: &str| -> String { lang.pick(vi, en).to_string() };
        Some(match self {
            Problem::Read { .. } => pick(
                "kiểm tra tệp còn tồn tại và bạn có quyền đọc nó",
                "check that the file exists and that you may read it",
            ),
            Problem::NotUtf8 { .. } => pick(
                "mở tệp bằng trình soạn thảo rồi lưu lại với bảng mã UTF-8 (Save As → Encoding: UTF-8)",
                "open the file in a text editor and save it again as UTF-8 (Save As → Encoding: UTF-8)",
            ),
            Problem::WrongEncoding { encoding, path } => encoding_hint(*encoding, path, lang),
            Problem::NotText { kind } => not_text_hint(*kind, lang),
            Problem::BrokenUtf8 { .. } => pick(
                "mở tệp, gõ lại chữ ở chỗ được chỉ ra (và ở mọi chỗ có dấu �) rồi lưu với bảng mã UTF-8",
                "open the file, type the letters at the place shown again (and wherever � appears), and save it as UTF-8",
            ),
            Problem::UnknownEncoding { path } => lang.pick(
                format!(
                    "chạy `bantin convert {}` (trong thư mục của trang): lệnh cho xem dòng đầu đọc theo từng bảng mã TCVN3, VNI, Windows-1258 để bạn chọn bảng mã đúng; hoặc mở tệp bằng trình soạn thảo rồi lưu lại với bảng mã UTF-8 (Save As → Encoding: UTF-8)",
                    command_path(path)
                ),
                format!(
                    "run `bantin convert {}` (in the site's folder): it shows the first line read as TCVN3, VNI and Windows-1258 so you can pick the right one; or open the file in a text editor and save it again as UTF-8 (Save As → Encoding: UTF-8)",
                    command_path(path)
                ),
            ),
            Problem::Mojibake { path, .. } => lang.pick(
                format!(
                    "sửa lại bằng lệnh (chạy trong thư mục của trang): `bantin convert --from mojibake {}` (bản cũ được giữ trong tệp .bak); hoặc gõ lại những chữ bị hỏng",
                    command_path(path)
                ),
                format!(
                    "repair it with the command (run in the site's folder): `bantin convert --from mojibake {}` (the old version is kept in a .bak file); or type the damaged words again",
                    command_path(path)
                ),
            ),
            Problem::TooLarge { .. } => pick(
                "một bài thường dưới 1 MB: nếu đã dán ảnh vào giữa chữ (data:image…), lưu ảnh thành tệp riêng và chèn bằng `![Mô tả](anh.jpg)`; nếu đây không phải bài viết, chuyển tệp ra khỏi content/",
                "an article is usually under 1 MB: if a picture was pasted into the text (data:image…), save it as its own file and insert it with `![Description](photo.jpg)`; if this is not an article, move it out of content/",
            ),
            Problem::UnclosedFrontMatter { delimiter } => lang.pick(
                format!("thêm một dòng chỉ có `{delimiter}` sau trường cuối cùng của phần đầu bài"),
                format!("add a line holding only `{delimiter}` after the last key of the front matter"),
            ),
            Problem::MissingFrontMatter => pick(
                "thêm vào đầu tệp:\n+++\ntitle = \"Tiêu đề\"\ndate = 2025-12-30\n+++",
                "add at the top of the file:\n+++\ntitle = \"Title\"\ndate = 2025-12-30\n+++",
            ),
            Problem::Syntax { format, kind } => syntax_hint(*kind, *format, lang),
            Problem::UnknownKey {
                suggestion: Some(s),
                ..
            } => lang.pick(
                format!("có phải bạn muốn viết `{s}`?"),
                format!("did you mean `{s}`?"),
            ),
            Problem::UnknownKey { valid, .. } if !valid.is_empty() => lang.pick(
                format!(
                    "xóa dòng này, hoặc dùng một trong các khóa: {}",
                    valid.join(", ")
                ),
                format!("delete this line, or use one of the keys: {}", valid.join(", ")),
            ),
            Problem::UnknownKey { .. } => pick(
                "xóa dòng này; các khóa được liệt kê trong docs/content.md và docs/configuration.md",
                "delete this line; the keys are listed in docs/content.md and docs/configuration.md",
            ),
            Problem::MissingKey { key } => {
                let example = match key.as_str() {
                    "title" => "title = \"Hội nghị tổng kết năm 2025\"",
                    "date" => "date = 2025-12-30",
                    "name" => "name = \"Nguyễn Văn An\"",
                    "base_url" => "base_url = \"https://phuong.example.gov.vn/\"",
                    "department" => "department = \"ubnd\"",
                    _ => "",
                };
                match (example.is_empty(), lang) {
                    (true, Lang::Vi) => format!("thêm một dòng `{key} = ...`"),
                    (true, Lang::En) => format!("add a line `{key} = ...`"),
                    (false, Lang::Vi) => format!("thêm một dòng, ví dụ `{example}`"),
                    (false, Lang::En) => format!("add a line such as `{example}`"),
                }
            }
            Problem::WrongType {
                expected, value, ..
            } => {
                let v = value.as_deref().unwrap_or("...");
                let v = v.trim_matches('"');
                match expected {
                    ValueKind::Text => lang.pick(
                        format!("đặt giá trị trong dấu ngoặc kép: `\"{v}\"`"),
                        format!("put the value in double quotes: `\"{v}\"`"),
                    ),
                    ValueKind::List => lang.pick(
                        format!("viết danh sách trong ngoặc vuông, các mục cách nhau bằng dấu phẩy: `[\"{v}\"]`"),
                        format!("write a list in square brackets, items separated by commas: `[\"{v}\"]`"),
                    ),
                    ValueKind::Bool => pick(
                        "viết `true` (có) hoặc `false` (không), không có dấu ngoặc kép",
                        "write `true` or `false`, without quotes",
                    ),
                    ValueKind::Integer | ValueKind::PositiveInteger | ValueKind::Decimal => pick(
                        "viết số bằng chữ số, không có dấu ngoặc kép, ví dụ `10`",
                        "write the number in digits, without quotes, e.g. `10`",
                    ),
                    ValueKind::Date => date_hint(&DateProblem::NotADate, lang),
                    ValueKind::Table | ValueKind::Other => pick(
                        "xem ví dụ trong docs/content.md hoặc docs/configuration.md",
                        "see the examples in docs/content.md or docs/configuration.md",
                    ),
                }
            }
            Problem::BadDate { problem, .. } => date_hint(problem, lang),
            Problem::InvalidValue { .. } => return None,
            Problem::UnknownReference {
                kind, suggestions, ..
            } => {
                if suggestions.is_empty() {
                    lang.pick(
                        format!("kiểm tra lại chính tả, hoặc tạo tệp cho {} này", kind.name(lang)),
                        format!("check the spelling, or create a file for this {}", kind.name(lang)),
                    )
                } else {
                    lang.pick(
                        format!("có phải bạn muốn viết: {}?", suggestions.join(", ")),
                        format!("did you mean: {}?", suggestions.join(", ")),
                    )
                }
            }
            Problem::DuplicateUrl { .. } => pick(
                "đổi tên một trong hai tệp, hoặc đặt `slug = \"...\"` khác nhau",
                "rename one of the two files, or give them different `slug = \"...\"`",
            ),
            Problem::AliasTaken { .. } => pick(
                "bỏ địa chỉ này khỏi `aliases`: tệp kia đang dùng nó",
                "remove this address from `aliases`: the other file uses it",
            ),
            Problem::EmptySlug { .. } => pick(
                "đặt tên tệp có chữ hoặc số, hoặc thêm `slug = \"ten-bai-viet\"`",
                "give the file a name with letters or digits, or add `slug = \"article-name\"`",
            ),
            Problem::EmptyTag { .. } => pick(
                "viết chủ đề bằng chữ hoặc số, hoặc bỏ nó khỏi `tags`",
                "write the topic with letters or digits, or remove it from `tags`",
            ),
            Problem::ReservedSlug { .. } => pick(
                "đổi tên tệp hoặc đặt `slug` khác",
                "rename the file or set another `slug`",
            ),
            Problem::MissingFile { .. } => pick(
                "đặt ảnh cạnh bài viết (bài dạng thư mục) hoặc trong thư mục static/, rồi ghi đúng tên tệp",
                "put the image beside the article (an article folder) or in static/, and write its file name exactly",
            ),
            Problem::Symlink { .. } => pick(
                "chép hoặc di chuyển tệp (thư mục) thật vào đây thay cho liên kết",
                "copy or move the real file (or folder) here instead of the link",
            ),
            Problem::SymlinkOutsideSite { .. } => pick(
                "bantin không đọc gì ngoài thư mục trang web: chép tệp (thư mục) thật vào đây thay cho liên kết, hoặc xóa liên kết",
                "bantin reads nothing outside the site folder: copy the real file (or folder) here instead of the link, or delete the link",
            ),
            Problem::PathOutsideSite { .. } => pick(
                "đặt ảnh cạnh bài viết (bài dạng thư mục) hoặc trong static/, rồi ghi tên không có `..`, ví dụ `anh.jpg` hoặc `/images/anh.jpg`",
                "put the image beside the article (an article folder) or in static/, and write its name without `..`, for example `photo.jpg` or `/images/photo.jpg`",
            ),
            Problem::MissingAlt { .. } => pick(
                "thêm `image_alt = \"mô tả ngắn nội dung ảnh\"` cho người đọc không xem được ảnh",
                "add `image_alt = \"a short description of the image\"` for readers who cannot see it",
            ),
            Problem::NameCollision { .. } => pick(
                "đổi tên hoặc bí danh (aliases) để mỗi tên chỉ thuộc về một người/đơn vị",
                "change a name or alias (aliases) so that each name belongs to one person or department",
            ),
            Problem::ParentCycle { .. } => pick(
                "sửa trường `parent` để cây đơn vị có gốc",
                "fix `parent` so that the tree of departments has a root",
            ),
            Problem::Template { .. } => pick(
                "sửa mẫu giao diện ở dòng được chỉ ra; các biến có trong mẫu được liệt kê trong docs/themes.md",
                "fix the template at the line shown; the variables templates receive are listed in docs/themes.md",
            ),
            Problem::ThemeNotFound { available, .. } => {
                if available.is_empty() {
                    pick(
                        "xóa dòng `theme` trong site.toml để dùng giao diện mặc định «phuong»",
                        "delete the `theme` line of site.toml to use the default theme «phuong»",
                    )
                } else {
                    lang.pick(
                        format!("sửa tên giao diện (`theme` trong site.toml, `extends` trong theme.toml); các giao diện có sẵn: {}", available.join(", ")),
                        format!("fix the theme's name (`theme` in site.toml, `extends` in theme.toml); the themes available: {}", available.join(", ")),
                    )
                }
            }
            Problem::ConfigMissing => pick(
                "chạy lệnh trong thư mục của trang, dùng `--root THƯ_MỤC`, hoặc tạo trang mới bằng `bantin init`",
                "run the command in the site's folder, use `--root FOLDER`, or create a new site with `bantin init`",
            ),
            Problem::MissingImageText { path } => lang.pick(
                format!("viết mô tả ngắn nội dung ảnh giữa hai dấu ngoặc vuông, cho người đọc không xem được ảnh: `![Mô tả ảnh]({path})`"),
                format!("write a short description of the image between the square brackets, for readers who cannot see it: `![Description]({path})`"),
            ),
            Problem::ImageNameClash { .. } => pick(
                "đổi tên một trong hai tệp ảnh, ví dụ thêm số vào cuối tên (anh-1.jpg); nhớ sửa cả chỗ dùng ảnh trong bài",
                "rename one of the two images, e.g. add a number to the name (photo-1.jpg), and change where the article uses it",
            ),
            Problem::BadImage { .. } => pick(
                "mở ảnh trên máy tính để kiểm tra; nếu xem được, lưu (xuất) lại thành tệp JPEG rồi chép đè tệp cũ; nếu không, chép lại ảnh từ điện thoại hoặc máy ảnh",
                "open the image on a computer: if it shows, save (export) it again as a JPEG over the old file; if not, copy it again from the phone or camera",
            ),
            Problem::BrokenLink {
                suggestion: Some(s),
                ..
            } => lang.pick(
                format!("có phải bạn muốn viết `{s}`?"),
                format!("did you mean `{s}`?"),
            ),
            Problem::BrokenLink { .. } => pick(
                "kiểm tra tên tệp; đường dẫn tính từ thư mục của tệp đang viết, ví dụ `../2025/ten-bai.md` hoặc `../../pages/gioi-thieu.md`",
                "check the file name; the path starts from the folder of the file being written, e.g. `../2025/article.md` or `../../pages/gioi-thieu.md`",
            ),
            Problem::LinkToDraft { .. } => pick(
                "đăng bài đó trước (xóa dòng `draft = true` của nó), hoặc bỏ liên kết này",
                "publish that article first (delete its `draft = true` line), or remove this link",
            ),
            Problem::LinkToScheduled { .. } => pick(
                "không cần sửa nếu bài này cũng đăng sau lúc đó; nếu không, bỏ liên kết hoặc sửa ngày đăng",
                "nothing to do if this article is published after then too; otherwise remove the link or change the date",
            ),
            Problem::Scheduled { .. } => pick(
                "bài tự được đăng khi dựng lại trang sau lúc đó; xem trước bằng `--future`; nếu ghi nhầm ngày, sửa `date`",
                "the article is published by the first build after then; preview it with `--future`; if the date is a mistake, fix `date`",
            ),
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

    /// A template engine error in `file`. Tera reports its own position and the offending line
    /// (`--> page.html:3:27`, `3 | <h1>…`, `  ^^^`); they become the diagnostic's location, so
    /// the report looks like every other one, and only Tera's first line stays as the message.
    pub fn template(file: impl Into<PathBuf>, message: &str) -> Diagnostic {
        let mut lines = message.lines();
        let first = lines.next().unwrap_or("").trim();
        let first = first.strip_prefix("error: ").unwrap_or(first).to_string();
        let mut position = None;
        let mut line_text = None;
        let mut length = 0;
        for l in message.lines().skip(1) {
            let t = l.trim_start();
            if let Some(rest) = t.strip_prefix("--> ") {
                let mut parts = rest.rsplitn(3, ':');
                let column = parts.next().and_then(|c| c.trim().parse::<usize>().ok());
                let line = parts.next().and_then(|c| c.trim().parse::<usize>().ok());
                if let (Some(line), Some(column)) = (line, column) {
                    position = Some((line, column));
                }
            } else if let Some((number, text)) = t.split_once(" | ")
                && let Some((line, _)) = position
                && number.trim().parse::<usize>() == Ok(line)
            {
                line_text = Some(text.to_string());
            } else if t.starts_with('|') && t.contains('^') {
                length = t.chars().filter(|c| *c == '^').count();
            }
        }
        let mut rest: Vec<&str> = Vec::new();
        // Causes Tera adds after its snippet (one per line), kept for the English message.
        let mut after_snippet = false;
        for l in lines {
            let t = l.trim_start();
            if t.starts_with("-->") || t.starts_with('|') || t.split_once(" | ").is_some() {
                after_snippet = true;
                continue;
            }
            if after_snippet && !t.is_empty() {
                rest.push(t);
            }
        }
        let mut text = first;
        for r in rest {
            text.push('\n');
            text.push_str(r);
        }
        let location = match (position, line_text) {
            (Some((line, column)), Some(line_text)) => Some(Location {
                line,
                column: column.max(1),
                line_text,
                length,
            }),
            _ => None,
        };
        Diagnostic::new(file, Problem::Template { message: text }).at(location)
    }

    /// `file:line:column: what`, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let mut out = self.file.display().to_string();
        if let Some(loc) = &self.location {
            out.push_str(&format!(":{}:{}", loc.line, loc.column));
        }
        out.push_str(": ");
        out.push_str(&self.problem.message(lang));
        out
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

    #[test]
    fn languages_are_read_from_codes() {
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("EN_us.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("vi-VN"), Some(Lang::Vi));
        assert_eq!(Lang::parse("eng"), None);
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn every_message_has_both_languages() {
        let p = Problem::Syntax {
            format: DataFormat::Toml,
            kind: SyntaxKind::MissingComma,
        };
        assert!(p.message(Lang::Vi).contains("dấu phẩy"));
        assert!(p.message(Lang::En).contains("comma"));
        assert!(p.hint_in(Lang::En).unwrap().contains("comma"));
        let p = Problem::BadDate {
            text: "2025-02-30".into(),
            problem: DateProblem::NotOnCalendar {
                year: 2025,
                month: 2,
            },
        };
        assert!(p.hint().unwrap().contains("28 ngày"), "{:?}", p.hint());
        assert!(p.hint_in(Lang::En).unwrap().contains("28 days"));
    }

    #[test]
    fn template_reports_become_locations() {
        let tera = "error: Found `}` but expected }}.\n      --> page.html:3:27\n       |\n     3 | <h1>{{ content_page.title }</h1>\n       |                           ^\n";
        let d = Diagnostic::template("templates/page.html", tera);
        let loc = d.location.as_deref().unwrap();
        assert_eq!((loc.line, loc.column, loc.length), (3, 27, 1));
        assert_eq!(loc.line_text, "<h1>{{ content_page.title }</h1>");
        assert_eq!(
            d.problem.message(Lang::Vi),
            "lỗi trong mẫu giao diện: gặp `}` nhưng cần }}"
        );
        assert!(
            d.problem
                .message(Lang::En)
                .ends_with("Found `}` but expected }}.")
        );
    }

    #[test]
    fn read_errors_are_told_in_words() {
        let denied = std::io::Error::from_raw_os_error(13).to_string();
        let p = Problem::Read { error: denied };
        assert_eq!(
            p.to_string(),
            "không đọc được tệp: không có quyền đọc tệp này"
        );
        assert!(
            p.message(Lang::En).contains("denied"),
            "{}",
            p.message(Lang::En)
        );
        let p = Problem::Read {
            error: "something odd".into(),
        };
        assert_eq!(
            p.to_string(),
            "không đọc được tệp: lỗi không rõ nguyên nhân"
        );
    }

    #[test]
    fn keys_are_found_at_the_start_of_their_line() {
        let text = "description = \"theme xanh\"\n  theme = \"xanh\"\n";
        let loc = Location::of_key(text, "theme").unwrap();
        assert_eq!((loc.line, loc.column, loc.length), (2, 3, 5));
        assert!(Location::of_key(text, "them").is_none());
    }

    #[test]
    fn decoder_details_are_left_out_of_image_reasons() {
        let p = Problem::BadImage {
            path: "anh.jpg".into(),
            reason: "tệp JPEG hỏng: I/O errors Not enough bytes, expected 64\n   ".into(),
        };
        assert_eq!(
            p.to_string(),
            "không xử lý được ảnh `anh.jpg`: tệp JPEG hỏng"
        );
        assert_eq!(
            p.message(Lang::En),
            "the image `anh.jpg` cannot be processed: the JPEG file is damaged"
        );
    }
}
