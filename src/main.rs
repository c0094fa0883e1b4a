//! The `bantin` command line: parses arguments, runs the library, prints friendly reports.

use std::path::PathBuf;
use std::process::ExitCode;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use clap::{Parser, Subcommand};

use bantin::error::Diagnostic;
use bantin::pipeline::{self, BuildError, BuildOptions};

/// bantin: trình tạo trang tin tĩnh cho phường, xã.
///
/// Viết bài bằng Markdown trong thư mục content/, chạy `bantin build` để tạo trang web
/// trong thư mục public/, rồi chép thư mục đó lên máy chủ.
#[derive(Parser, Debug)]
#[command(name = "bantin", version, propagate_version = true)]
struct Cli {
    /// Thư mục của trang (nơi có site.toml). Mặc định: thư mục hiện tại.
    /// Ví dụ: bantin --root ~/trang-phuong build
    #[arg(long, global = true, value_name = "THƯ_MỤC", default_value = ".")]
    root: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Tạo trang web từ nội dung, vào thư mục public/ (hoặc output_dir trong site.toml).
    ///
    /// Ví dụ:
    ///   bantin build
    ///   bantin build --output /tmp/xem-thu --base-url http://localhost:8000/
    ///
    /// Nếu có lỗi, bantin liệt kê mọi lỗi (tệp, dòng, cột, cách sửa) và giữ nguyên
    /// thư mục xuất cũ.
    #[command(verbatim_doc_comment)]
    Build {
        /// Thư mục xuất. Mặc định: output_dir trong site.toml ("public").
        #[arg(long, short, value_name = "THƯ_MỤC")]
        output: Option<PathBuf>,
        /// Thay base_url của site.toml, ví dụ khi xem thử: --base-url http://localhost:8000/
        #[arg(long, value_name = "ĐỊA_CHỈ")]
        base_url: Option<String>,
        /// Xuất cả bài nháp (draft = true).
        #[arg(long)]
        drafts: bool,
        /// Cho phép thay thế một thư mục xuất không do bantin tạo ra.
        #[arg(long)]
        force: bool,
    },
    /// Tạo một trang mới, dựng được ngay: site.toml và content/ với bài, cán bộ, đơn vị mẫu.
    ///
    /// Ví dụ:
    ///   bantin init trang-phuong-moi
    ///   cd trang-phuong-moi && bantin build
    #[command(verbatim_doc_comment)]
    Init {
        /// Thư mục của trang mới (tạo nếu chưa có), tính từ --root.
        #[arg(value_name = "THƯ_MỤC")]
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            output,
            base_url,
            drafts,
            force,
        } => build(BuildOptions {
            root: cli.root,
            output,
            base_url,
            drafts,
            force,
            now: None,
        }),
        Command::Init { dir } => init(cli.root.join(dir)),
    }
}

fn build(opts: BuildOptions) -> ExitCode {
    match pipeline::build(&opts) {
        Ok(s) => {
            let output = s
                .output
                .strip_prefix(std::env::current_dir().unwrap_or_default())
                .unwrap_or(&s.output)
                .display()
                .to_string();
            println!(
                "Đã tạo {} trang ({} bài viết, {} cán bộ, {} đơn vị; {} tệp) vào {} trong {} ms.",
                s.pages,
                s.articles,
                s.officials,
                s.departments,
                s.files,
                output,
                s.elapsed.as_millis()
            );
            ExitCode::SUCCESS
        }
        Err(BuildError::Content(diags)) => {
            report(&diags);
            eprintln!(
                "\nKhông tạo trang: {} lỗi. Thư mục xuất cũ được giữ nguyên.",
                diags.len()
            );
            ExitCode::from(1)
        }
        Err(e @ BuildError::BaseUrl(_)) => {
            eprintln!("lỗi: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("lỗi: {e}");
            ExitCode::from(1)
        }
    }
}

fn init(dir: PathBuf) -> ExitCode {
    let today = jiff::ZonedDateTime::now()
        .in_tz("Asia/Ho_Chi_Minh")
        .map(|z| z.date())
        .unwrap_or_else(|_| jiff::ZonedDateTime::now().date());
    match bantin::init::init(&dir, today) {
        Ok(files) => {
            println!("Đã tạo trang mới trong {}:", dir.display());
            for f in files {
                println!("  {}", f.display());
            }
            println!("\nBước tiếp theo: cd {} && bantin build", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("lỗi: {e}");
            ExitCode::from(1)
        }
    }
}

/// Print every diagnostic like a compiler does: file:line:column, the line, and the fix.
fn report(diags: &[Diagnostic]) {
    let renderer = if std::env::var_os("NO_COLOR").is_none()
        && std::io::IsTerminal::is_terminal(&std::io::stderr())
    {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for d in diags {
        let title = d.problem.to_string();
        let path = d.file.display().to_string();
        let mut groups = Vec::new();
        let error = Level::ERROR.with_name("lỗi").primary_title(title.as_str());
        let group = match &d.location {
            Some(loc) => {
                let start = loc
                    .line_text
                    .char_indices()
                    .nth(loc.column - 1)
                    .map_or(loc.line_text.len(), |(i, _)| i);
                let end = if loc.length > 0 {
                    loc.line_text[start..]
                        .char_indices()
                        .nth(loc.length)
                        .map_or(loc.line_text.len(), |(i, _)| start + i)
                } else {
                    loc.line_text[start..]
                        .find(|c: char| c.is_whitespace() || c == '=')
                        .map_or(loc.line_text.len(), |i| start + i)
                        .max((start + 1).min(loc.line_text.len()))
                };
                error.element(
                    Snippet::source(loc.line_text.as_str())
                        .line_start(loc.line)
                        .path(path.as_str())
                        .annotation(AnnotationKind::Primary.span(start..end)),
                )
            }
            None => error.element(Origin::path(path.as_str())),
        };
        groups.push(group);
        let hint = d.problem.hint();
        if let Some(h) = &hint {
            groups.push(Group::with_title(
                Level::HELP
                    .with_name("cách sửa")
                    .secondary_title(h.as_str()),
            ));
        }
        eprintln!("{}\n", renderer.render(&groups));
    }
}
