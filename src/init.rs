//! `bantin init`: a new, buildable site with one example of each kind of document.

use std::path::{Path, PathBuf};

/// Why a site could not be created.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{0} đã có: bantin không ghi đè lên trang hay tệp sẵn có")]
    Exists(PathBuf),
    #[error("không tạo được {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

const SITE_TOML: &str = r#"# Cấu hình trang tin. Xem docs/configuration.md.
title = "Phường Mới"
description = "Trang thông tin điện tử phường Mới"
base_url = "https://phuong-moi.example.gov.vn/"
language = "vi"
timezone = "Asia/Ho_Chi_Minh"
theme = "phuong"
paginate_by = 20
output_dir = "public"

[[menu]]
name = "Trang chủ"
url = "/"

[[menu]]
name = "Giới thiệu"
url = "/gioi-thieu/"

[[menu]]
name = "Lãnh đạo"
url = "/can-bo/"

[[menu]]
name = "Đơn vị"
url = "/don-vi/"

[[menu]]
name = "Lưu trữ"
url = "/luu-tru/"

[contact]
organisation = "Ủy ban nhân dân phường Mới"
address = "Số 1, đường Chính, phường Mới"
phone = "0123 456 789"
email = "ubnd@phuong-moi.example.gov.vn"
working_hours = "Sáng 7g00–11g30, chiều 13g00–17g00, thứ Hai đến thứ Sáu"
"#;

const ARTICLE: &str = r#"+++
title = "Chào mừng đến với trang thông tin điện tử của phường"
date = {DATE}
author = "Văn phòng HĐND và UBND"
officials = ["nguyen-van-a"]
departments = ["ubnd"]
tags = ["Thông báo"]
+++
Trang thông tin điện tử của phường chính thức hoạt động, đăng tải tin tức, thông báo và
văn bản của Đảng ủy, HĐND và UBND phường.

## Viết bài mới

Mỗi bài viết là một tệp `.md` trong thư mục `content/articles/`. Phần đầu bài (giữa hai dòng
`+++`) ghi tiêu đề, ngày đăng, tác giả và những cán bộ, đơn vị được nhắc đến.
"#;

const OFFICIAL: &str = r#"+++
name = "Nguyễn Văn A"
order = 1

[contact]
phone = "0123 456 789"
email = "nguyenvana@phuong-moi.example.gov.vn"

[[positions]]
title = "Chủ tịch UBND phường"
department = "ubnd"
from = 2025-07-01
+++
Đồng chí Nguyễn Văn A sinh năm 1975, quê quán tại phường Mới.
"#;

const DEPARTMENT: &str = r#"+++
name = "Ủy ban nhân dân phường Mới"
short_name = "UBND phường"
aliases = ["UBND phường", "Ủy ban nhân dân phường"]
order = 1

[contact]
address = "Số 1, đường Chính, phường Mới"
phone = "0123 456 789"
email = "ubnd@phuong-moi.example.gov.vn"
+++
Ủy ban nhân dân phường là cơ quan hành chính nhà nước ở địa phương.
"#;

const PAGE: &str = r#"+++
title = "Giới thiệu"
description = "Giới thiệu chung về phường Mới"
+++
Phường Mới có diện tích tự nhiên … km², dân số khoảng … người.
"#;

/// Create a new site in `dir`. Returns the files written.
pub fn init(dir: &Path, today: jiff::civil::Date) -> Result<Vec<PathBuf>, InitError> {
    if dir.join(crate::config::CONFIG_FILE).exists() {
        return Err(InitError::Exists(dir.to_path_buf()));
    }
    let article = ARTICLE.replace("{DATE}", &today.to_string());
    let files: [(PathBuf, &str); 5] = [
        (PathBuf::from(crate::config::CONFIG_FILE), SITE_TOML),
        (
            Path::new("content/articles")
                .join(today.year().to_string())
                .join("chao-mung.md"),
            &article,
        ),
        (PathBuf::from("content/officials/nguyen-van-a.md"), OFFICIAL),
        (PathBuf::from("content/departments/ubnd.md"), DEPARTMENT),
        (PathBuf::from("content/pages/gioi-thieu.md"), PAGE),
    ];
    if let Some((rel, _)) = files.iter().find(|(rel, _)| dir.join(rel).exists()) {
        return Err(InitError::Exists(dir.join(rel)));
    }
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(&rel);
        let fail = |error| InitError::Io {
            path: path.clone(),
            error,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        std::fs::write(&path, text).map_err(fail)?;
        written.push(rel);
    }
    Ok(written)
}
