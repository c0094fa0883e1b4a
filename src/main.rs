//! The `bantin` command line: parses arguments, runs the library, prints friendly reports.

use std::path::PathBuf;
use std::process::ExitCode;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use clap::{Parser, Subcommand};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bantin::config::Config;
use bantin::error::{Diagnostic, Lang};
use bantin::pipeline::{self, BuildError, BuildOptions, Session};
use bantin::serve;
use bantin::watch::{Batch, Watcher};

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

    /// Ngôn ngữ của thông báo lỗi và tóm tắt: vi (mặc định) hoặc en (tiếng Anh).
    /// Cũng đặt được bằng biến môi trường BANTIN_LANG=en.
    #[arg(long, global = true, value_name = "NGÔN_NGỮ", value_parser = parse_lang)]
    lang: Option<Lang>,

    #[command(subcommand)]
    command: Command,
}

/// What `build` and `watch` both take: where to write and what to include.
#[derive(clap::Args, Debug)]
struct OutputOptions {
    /// Thư mục xuất. Mặc định: output_dir trong site.toml ("public").
    #[arg(long, short, value_name = "THƯ_MỤC")]
    output: Option<PathBuf>,
    /// Thay base_url của site.toml, ví dụ khi xem thử: --base-url http://localhost:8000/
    #[arg(long, value_name = "ĐỊA_CHỈ")]
    base_url: Option<String>,
    /// Xuất cả bài nháp (draft = true).
    #[arg(long)]
    drafts: bool,
    /// Đăng cả bài hẹn đăng (ngày đăng sau lúc dựng trang), đánh dấu "Hẹn đăng".
    #[arg(long)]
    future: bool,
    /// Cho phép thay thế một thư mục xuất không do bantin tạo ra.
    #[arg(long)]
    force: bool,
}

impl OutputOptions {
    fn into_build_options(self, root: PathBuf) -> BuildOptions {
        BuildOptions {
            root,
            output: self.output,
            base_url: self.base_url,
            drafts: self.drafts,
            force: self.force,
            now: None,
            future: self.future,
        }
    }
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
        #[command(flatten)]
        options: OutputOptions,
        /// In thời gian của từng bước (đọc, phân tích, dựng trang, ghi…), để báo khi thấy chậm.
        #[arg(long)]
        timings: bool,
    },
    /// Xem thử khi đang viết: dựng trang, mở máy chủ xem thử, tự dựng lại và tải lại trình duyệt
    /// mỗi khi lưu tệp.
    ///
    /// Ví dụ:
    ///   bantin serve
    ///   bantin serve --port 8080 --open
    ///
    /// Trang xem thử có cả bài nháp (đánh dấu "Bản nháp"). Nếu tệp có lỗi, lỗi hiện ở đây và
    /// trên trình duyệt; lưu lại bản đúng là hết. Nhấn Ctrl-C để dừng.
    #[command(verbatim_doc_comment)]
    Serve {
        /// Địa chỉ lắng nghe. Mặc định chỉ máy này (127.0.0.1); `--bind 0.0.0.0` mở cho mọi
        /// máy trong mạng (ai cùng mạng cũng xem được bài nháp).
        #[arg(long, default_value = "127.0.0.1", value_name = "ĐỊA_CHỈ")]
        bind: String,
        /// Cổng. Ví dụ: --port 8080
        #[arg(long, short, default_value_t = 1111, value_name = "CỔNG")]
        port: u16,
        /// Mở trình duyệt khi máy chủ sẵn sàng.
        #[arg(long)]
        open: bool,
    },
    /// Tự dựng lại trang vào thư mục xuất mỗi khi lưu tệp (không mở máy chủ).
    ///
    /// Ví dụ:
    ///   bantin watch
    ///   bantin watch --output /srv/www/phuong --drafts
    ///
    /// Chỉ những tệp thay đổi được ghi lại. Nhấn Ctrl-C để dừng.
    #[command(verbatim_doc_comment)]
    Watch {
        #[command(flatten)]
        options: OutputOptions,
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
    /// Tạo tệp cho một bài viết mới (bản nháp), hoặc một cán bộ, đơn vị, trang mới.
    ///
    /// Ví dụ:
    ///   bantin new "Hội nghị tổng kết công tác năm 2026"
    ///   bantin new --official "Nguyễn Văn An"
    ///   bantin new --department "Phòng Văn hóa - Xã hội"
    ///   bantin new --page "Giới thiệu"
    ///
    /// Bài viết mới nằm trong content/articles/<năm>/, ghi sẵn tiêu đề, ngày giờ hiện tại,
    /// tác giả (author trong site.toml) và draft = true. Không bao giờ ghi đè tệp sẵn có.
    #[command(verbatim_doc_comment)]
    New {
        /// Tiêu đề bài viết, họ tên cán bộ, tên đơn vị hay tên trang, trong ngoặc kép.
        #[arg(value_name = "TIÊU_ĐỀ")]
        title: String,
        /// Tạo tệp cán bộ trong content/officials/.
        #[arg(long, group = "loai")]
        official: bool,
        /// Tạo tệp đơn vị trong content/departments/.
        #[arg(long, group = "loai")]
        department: bool,
        /// Tạo trang (bản nháp) trong content/pages/.
        #[arg(long, group = "loai")]
        page: bool,
    },
    /// Chuyển tệp lưu bằng bảng mã cũ (TCVN3/ABC, VNI, Windows-1258, UTF-16) sang UTF-8.
    ///
    /// Ví dụ:
    ///   bantin convert content/articles/2025/bai-viet.md
    ///   bantin convert --from tcvn3 content/articles/2025/*.md
    ///   bantin convert --from mojibake content/pages/gioi-thieu.md
    ///
    /// Trước khi ghi, bản cũ được chép sang <tệp>.bak (không ghi đè .bak sẵn có, trừ khi
    /// có --force). Tệp đã là UTF-8 được giữ nguyên. Đường dẫn tính từ --root.
    /// Chi tiết: docs/encodings.md.
    #[command(verbatim_doc_comment)]
    Convert {
        /// Bảng mã của tệp: auto (tự nhận ra), tcvn3 (ABC, phông .VnTime), vni (phông VNI-Times),
        /// cp1258 (Windows-1258), utf16 (Notepad gọi là "Unicode"), mojibake (sửa lỗi phông
        /// kiểu "Ã¡" trong tệp UTF-8).
        #[arg(
            long,
            default_value = "auto",
            value_name = "BẢNG_MÃ",
            value_parser = source_parser()
        )]
        from: bantin::encoding::Source,
        /// Ghi đè tệp .bak sẵn có; chuyển cả tệp đã là UTF-8 theo bảng mã ở --from.
        #[arg(long)]
        force: bool,
        /// Các tệp cần chuyển.
        #[arg(value_name = "TỆP", required = true)]
        files: Vec<PathBuf>,
    },
    /// Kiểm tra toàn bộ trang như khi dựng, mà không ghi gì ra đĩa.
    ///
    /// Ví dụ:
    ///   bantin check
    ///   bantin check --drafts --future
    ///
    /// Mỗi vấn đề một dòng: tệp:dòng:cột: lỗi (hoặc cảnh báo): nội dung — cách sửa.
    /// Mã thoát 0: không có lỗi (có thể có cảnh báo); 1: có lỗi.
    #[command(verbatim_doc_comment)]
    Check {
        /// Kiểm tra cả bài nháp (draft = true).
        #[arg(long)]
        drafts: bool,
        /// Kiểm tra như khi đăng cả bài hẹn đăng (--future của build).
        #[arg(long)]
        future: bool,
    },
}

/// `convert --from`: one of [`bantin::encoding::Source::FLAGS`], listed in `--help` and in the
/// message for any other value.
fn source_parser() -> impl clap::builder::TypedValueParser<Value = bantin::encoding::Source> {
    use bantin::encoding::Source;
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Source::FLAGS.map(|(flag, _)| flag))
        .map(|flag| Source::from_flag(&flag).unwrap_or(Source::Auto))
}

/// `--lang`: `vi` or `en`.
fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::parse(text).ok_or_else(|| format!("«{text}» không phải ngôn ngữ có sẵn; dùng vi hoặc en"))
}

/// See Cargo.toml: the allocator is chosen for full builds of large sites.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `--lang`, else `BANTIN_LANG`, else Vietnamese (an unknown BANTIN_LANG is ignored).
    let lang = cli
        .lang
        .or_else(|| {
            std::env::var("BANTIN_LANG")
                .ok()
                .and_then(|l| Lang::parse(&l))
        })
        .unwrap_or_default();
    match cli.command {
        Command::Convert { from, force, files } => convert(lang, &cli.root, from, force, &files),
        Command::Build { options, timings } => {
            build(lang, options.into_build_options(cli.root), timings)
        }
        Command::New {
            title,
            official,
            department,
            page,
        } => {
            use bantin::content::Kind;
            let kind = match (official, department, page) {
                (true, _, _) => Kind::Official,
                (_, true, _) => Kind::Department,
                (_, _, true) => Kind::Page,
                _ => Kind::Article,
            };
            new(lang, cli.root, kind, &title)
        }
        Command::Check { drafts, future } => check(
            lang,
            BuildOptions {
                root: cli.root,
                drafts,
                future,
                ..BuildOptions::default()
            },
        ),
        // `components` drops the `.` of `--root x init .` (shown in messages as `x/.`).
        Command::Init { dir } => init(lang, cli.root.join(dir).components().collect()),
        Command::Serve { bind, port, open } => serve(lang, cli.root, &bind, port, open),
        Command::Watch { options } => watch(lang, options.into_build_options(cli.root)),
    }
}

/// Set by Ctrl-C; the watch loops poll it.
fn stop_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    // If a handler cannot be installed, Ctrl-C still ends the process (without cleanup).
    let _ = ctrlc::set_handler(move || f.store(true, Ordering::SeqCst));
    flag
}

fn clock() -> String {
    jiff::ZonedDateTime::now().strftime("%H:%M:%S").to_string()
}

/// One rebuild (of everything, or after `changed` paths changed): print what happened and tell
/// the browsers.
fn rebuild(
    lang: Lang,
    session: &mut Session,
    changed: Option<&[PathBuf]>,
    events: Option<&serve::Broadcaster>,
) {
    let result = match changed {
        Some(paths) => session.rebuild_paths(paths),
        None => session.rebuild(),
    };
    match result {
        Ok(s) => {
            let (files, removed, pages, articles, ms) = (
                s.written.len(),
                s.removed.len(),
                s.pages,
                s.articles,
                s.elapsed.as_millis(),
            );
            match lang {
                Lang::Vi => println!(
                    "[{}] Đã cập nhật: {files} tệp ghi, {removed} tệp xóa ({pages} trang, {articles} bài viết) trong {ms} ms.",
                    clock()
                ),
                Lang::En => println!(
                    "[{}] Updated: {files} files written, {removed} removed ({pages} pages, {articles} articles) in {ms} ms.",
                    clock()
                ),
            }
            if let Some(events) = events {
                events.send(serve::Event::Reloaded {
                    css_only: s.css_only(),
                });
            }
        }
        Err(BuildError::Content(diags)) => {
            report(lang, &diags);
            match lang {
                Lang::Vi => eprintln!(
                    "[{}] Chưa cập nhật: {} lỗi. Trang xem thử giữ bản đúng gần nhất; sửa rồi lưu lại.",
                    clock(),
                    diags.len()
                ),
                Lang::En => eprintln!(
                    "[{}] Not updated: {} error{}. The preview keeps the last good version; fix and save again.",
                    clock(),
                    diags.len(),
                    if diags.len() == 1 { "" } else { "s" }
                ),
            }
            if let Some(events) = events {
                events.send(serve::Event::failed(&diags, lang));
            }
        }
        Err(e) => {
            eprintln!(
                "[{}] {}: {}",
                clock(),
                lang.error_word(),
                cli_error(lang, &e)
            );
            if let Some(events) = events {
                events.send(serve::Event::Failed {
                    problems: vec![cli_error(lang, &e)],
                });
            }
        }
    }
}

/// A build error that is not about the content (the output folder, `--base-url`), in `lang`.
fn cli_error(lang: Lang, e: &BuildError) -> String {
    match (lang, e) {
        (Lang::Vi, _) => e.to_string(),
        (Lang::En, BuildError::Content(d)) => format!("{} errors in the site's content", d.len()),
        (Lang::En, BuildError::BaseUrl(url)) => {
            format!("--base-url «{url}» must be a full address, e.g. http://localhost:8000/")
        }
        (Lang::En, BuildError::Output(o)) => output_error(lang, o),
    }
}

/// An output folder error in `lang`.
fn output_error(lang: Lang, e: &bantin::output::OutputError) -> String {
    use bantin::output::OutputError;
    match (lang, e) {
        (Lang::Vi, _) => e.to_string(),
        (Lang::En, OutputError::NotOurs { path }) => format!(
            "the folder {} already holds files bantin did not make; choose another folder, delete it, or add --force if you are sure it may be replaced",
            path.display()
        ),
        (Lang::En, OutputError::Io { path, error }) => {
            format!("cannot write {}: {error}", path.display())
        }
        (Lang::En, OutputError::Interrupted) => {
            "stopped (Ctrl-C) before writing; the output folder is left as it was".into()
        }
        (Lang::En, OutputError::Dangerous { path, reason }) => {
            let reason = reason.text(Lang::En);
            format!("cannot build the site into {}: {reason}", path.display())
        }
    }
}

/// `bantin new`'s error and its fix, in `lang`.
fn new_error(lang: Lang, e: &bantin::scaffold::NewError) -> (String, String) {
    use bantin::scaffold::NewError;
    if lang == Lang::Vi {
        return (e.to_string(), e.hint());
    }
    match e {
        NewError::EmptyTitle => (
            "there is no name or title".into(),
            "write the title in double quotes, e.g. bantin new \"Hội nghị tổng kết năm 2026\"".into(),
        ),
        NewError::EmptySlug(t) => (
            format!("no file name (slug) can be made from «{t}»: it has no letters or digits"),
            "the title needs at least one letter or digit".into(),
        ),
        NewError::Exists(p) => (
            format!("the file {} already exists: bantin never overwrites a file", p.display()),
            "open that file to edit it, or choose another title (add the year, a place…) for a new file".into(),
        ),
        NewError::SlugTaken { slug, other } => (
            format!("the article {} already uses the address /tin-tuc/{slug}/", other.display()),
            "choose another title (add the year, month or a place) so the new article has its own address".into(),
        ),
        NewError::Reserved(slug) => (
            format!("the address /{slug}/ is used by bantin for another page"),
            "choose another name for the page".into(),
        ),
        NewError::Io { path, error } => (
            format!("cannot create {}: {error}", path.display()),
            "check that the content/ folder exists and that you may write to it".into(),
        ),
    }
}

/// Start watching the site (before the first build, so no save is missed).
fn start_watching(lang: Lang, root: &std::path::Path, output: &std::path::Path) -> Option<Watcher> {
    let root = bantin::output::absolute(std::path::Path::new("."), root);
    match Watcher::new(&root, vec![output.to_path_buf()]) {
        Ok(w) => Some(w),
        Err(e) => {
            let message = match (lang, &e) {
                (Lang::Vi, _) => e.to_string(),
                (Lang::En, bantin::watch::WatchError::Watch { path, error }) => {
                    format!("cannot watch the folder {}: {error}", path.display())
                }
            };
            eprintln!("{}: {message}", lang.error_word());
            None
        }
    }
}

/// Rebuild on every batch of changes until Ctrl-C.
fn watch_loop(
    lang: Lang,
    session: &mut Session,
    watcher: &Watcher,
    events: Option<&serve::Broadcaster>,
    stop: &AtomicBool,
) {
    while !stop.load(Ordering::SeqCst) {
        match watcher.next_batch(Duration::from_millis(200)) {
            Batch::Changed(paths) => rebuild(lang, session, Some(&paths), events),
            // While the editor types, save what the output folder holds for the next start.
            Batch::Idle => session.save_state(),
            Batch::Closed => break,
        }
    }
    session.save_state();
}

fn watch(lang: Lang, opts: BuildOptions) -> ExitCode {
    let config = match pipeline::load_config(&opts) {
        Ok(c) => c,
        Err(BuildError::Content(diags)) => {
            report(lang, &diags);
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("{}: {}", lang.error_word(), cli_error(lang, &e));
            return ExitCode::from(2);
        }
    };
    let out = pipeline::output_dir(&opts, &config);
    let home = std::env::var_os("HOME").map(PathBuf::from);
    if let Err(e) =
        bantin::output::validate_output_dir(&opts.root, &out, home.as_deref(), opts.force)
    {
        eprintln!("{}: {}", lang.error_word(), output_error(lang, &e));
        return ExitCode::from(1);
    }
    let stop = stop_flag();
    let root = opts.root.clone();
    let Some(watcher) = start_watching(lang, &root, &out) else {
        return ExitCode::from(1);
    };
    let mut session = Session::new(opts, out.clone());
    rebuild(lang, &mut session, None, None);
    match lang {
        Lang::Vi => println!(
            "Đang theo dõi {} — lưu tệp là trang được dựng lại vào {}. Ctrl-C để dừng.",
            root.display(),
            out.display()
        ),
        Lang::En => println!(
            "Watching {} — every save rebuilds the site into {}. Ctrl-C to stop.",
            root.display(),
            out.display()
        ),
    }
    watch_loop(lang, &mut session, &watcher, None, &stop);
    println!("{}", lang.pick("Đã dừng.", "Stopped."));
    ExitCode::SUCCESS
}

fn serve(lang: Lang, root: PathBuf, bind: &str, port: u16, open: bool) -> ExitCode {
    if let Err(e) = Config::load(&root) {
        report(lang, &e);
        return ExitCode::from(1);
    }
    // The preview is written to a private temporary folder, removed on exit.
    let out = std::env::temp_dir().join(format!("bantin-serve-{}", std::process::id()));
    let events = serve::Broadcaster::new();
    let server = match serve::Server::start(bind, port, out.clone(), events.clone(), lang) {
        Ok(s) => s,
        Err(e) => {
            let message = match (lang, &e) {
                (Lang::Vi, _) => e.to_string(),
                (Lang::En, serve::ServeError::PortInUse { addr }) => format!(
                    "the port {addr} is used by another program (perhaps another `bantin serve`); stop it, or choose another port, e.g. `--port 1112`"
                ),
                (Lang::En, serve::ServeError::Bind { addr, error }) => format!(
                    "cannot start the preview server at {addr}: {error}; check the `--bind` address, or choose another port with `--port`"
                ),
            };
            eprintln!("{}: {message}", lang.error_word());
            return ExitCode::from(2);
        }
    };
    let url = server.url();
    if !serve::is_loopback(bind) {
        // Anyone who can reach this computer sees the drafts: say so plainly (docs/security.md).
        println!(
            "{}",
            lang.pick(
                &format!(
                    "Chú ý: máy chủ xem thử đang mở cho mọi máy trong mạng (--bind {bind}): ai cùng \
                     mạng cũng xem được các bài nháp và bài hẹn đăng. Chỉ dùng trong mạng tin cậy; \
                     bỏ --bind để chỉ máy này xem được."
                ),
                &format!(
                    "Warning: the preview server is open to every machine on the network (--bind \
                     {bind}): anyone on it can see the drafts and scheduled articles. Use it only \
                     on a trusted network; leave out --bind so only this computer can see them."
                ),
            )
        );
        if let Some(lan) = serve::network_url(server.local_addr()) {
            println!(
                "{} {lan}",
                lang.pick(
                    "Trên điện thoại hay máy khác cùng mạng, mở:",
                    "On a phone or another machine of the network, open:"
                )
            );
        }
    }
    let stop = stop_flag();
    let opts = BuildOptions {
        root: root.clone(),
        output: Some(out.clone()),
        base_url: Some(url.clone()),
        drafts: true,
        force: true,
        now: None,
        // The preview shows scheduled articles too, marked "Hẹn đăng".
        future: true,
    };
    let Some(watcher) = start_watching(lang, &root, &out) else {
        server.stop();
        return ExitCode::from(1);
    };
    let mut session = Session::new(opts, out.clone());
    rebuild(lang, &mut session, None, Some(&events));
    match lang {
        Lang::Vi => println!("Xem thử tại {url} — lưu tệp là trang tự cập nhật. Ctrl-C để dừng."),
        Lang::En => println!("Preview at {url} — every save updates the page. Ctrl-C to stop."),
    }
    if open {
        open_browser(lang, &url);
    }
    watch_loop(lang, &mut session, &watcher, Some(&events), &stop);
    server.stop();
    let _ = std::fs::remove_dir_all(&out);
    println!(
        "{}",
        lang.pick("Đã dừng máy chủ xem thử.", "Preview server stopped.")
    );
    ExitCode::SUCCESS
}

/// Open `url` in the default browser, best effort.
fn open_browser(lang: Lang, url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(cmd).arg(url).spawn().is_err() {
        match lang {
            Lang::Vi => println!("Không mở được trình duyệt; hãy mở {url}"),
            Lang::En => println!("Could not open a browser; open {url}"),
        }
    }
}

fn build(lang: Lang, opts: BuildOptions, timings: bool) -> ExitCode {
    // Ctrl-C stops the build before the output folder starts changing (the old site stays as
    // it was); once files are being moved into place, the build finishes first.
    let stop = stop_flag();
    match pipeline::build_until(&opts, Some(&stop)) {
        Ok(s) => {
            let output = s
                .output
                .strip_prefix(std::env::current_dir().unwrap_or_default())
                .unwrap_or(&s.output)
                .display()
                .to_string();
            let (pages, articles, officials, departments, ms, written, removed) = (
                s.pages,
                s.articles,
                s.officials,
                s.departments,
                s.elapsed.as_millis(),
                s.written,
                s.removed,
            );
            match (lang, s.up_to_date) {
                (Lang::Vi, true) => println!(
                    "Không có tệp nguồn nào thay đổi kể từ lần dựng trước: {output} đã đúng ({pages} trang, {articles} bài viết, {officials} cán bộ, {departments} đơn vị); kiểm tra trong {ms} ms, 0 tệp ghi mới."
                ),
                (Lang::En, true) => println!(
                    "No source file changed since the last build: {output} is up to date ({pages} pages, {articles} articles, {officials} officials, {departments} departments); checked in {ms} ms, 0 files written."
                ),
                (Lang::Vi, false) => println!(
                    "Đã tạo {pages} trang ({articles} bài viết, {officials} cán bộ, {departments} đơn vị) vào {output} trong {ms} ms: {written} tệp ghi mới, {removed} tệp xóa, các tệp khác không đổi."
                ),
                (Lang::En, false) => println!(
                    "Built {pages} pages ({articles} articles, {officials} officials, {departments} departments) into {output} in {ms} ms: {written} files written, {removed} removed, the others unchanged."
                ),
            }
            if timings {
                match lang {
                    Lang::Vi => eprintln!("{} ({} trang dựng lại)", s.timings, s.rendered),
                    Lang::En => eprintln!("{} ({} pages rendered again)", s.timings, s.rendered),
                }
            }
            ExitCode::SUCCESS
        }
        Err(BuildError::Content(diags)) => {
            report(lang, &diags);
            match lang {
                Lang::Vi => eprintln!(
                    "\nKhông tạo trang: {} lỗi. Thư mục xuất cũ được giữ nguyên.",
                    diags.len()
                ),
                Lang::En => eprintln!(
                    "\nSite not built: {} error{}. The previous output folder is left as it was.",
                    diags.len(),
                    if diags.len() == 1 { "" } else { "s" }
                ),
            }
            ExitCode::from(1)
        }
        Err(e @ BuildError::BaseUrl(_)) => {
            eprintln!("{}: {}", lang.error_word(), cli_error(lang, &e));
            ExitCode::from(2)
        }
        Err(e @ BuildError::Output(bantin::output::OutputError::Interrupted)) => {
            eprintln!("{e}");
            ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("{}: {}", lang.error_word(), cli_error(lang, &e));
            ExitCode::from(1)
        }
    }
}

/// `bantin new`: create the file, print its path (stdout) and what to do next (stderr).
fn new(lang: Lang, root: PathBuf, kind: bantin::content::Kind, title: &str) -> ExitCode {
    let config = match Config::load(&root) {
        Ok(c) => c,
        Err(diags) => {
            report(lang, &diags);
            return ExitCode::from(1);
        }
    };
    match bantin::scaffold::create(&root, &config, kind, title, jiff::Timestamp::now()) {
        Ok(rel) => {
            let path = if root == std::path::Path::new(".") {
                rel.clone()
            } else {
                root.join(&rel)
            };
            println!("{}", path.display());
            let next = match kind {
                bantin::content::Kind::Article | bantin::content::Kind::Page => lang.pick(
                    "Đã tạo bản nháp. Mở tệp để viết; xem thử bằng `bantin serve`; viết xong thì xóa dòng `draft = true`.",
                    "Draft created. Open the file to write; preview with `bantin serve`; when done, delete the `draft = true` line.",
                ),
                _ => lang.pick(
                    "Đã tạo tệp. Mở tệp để điền thông tin; kiểm tra bằng `bantin check`.",
                    "File created. Open it to fill in the details; check with `bantin check`.",
                ),
            };
            eprintln!("{next}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            let (message, hint) = new_error(lang, &e);
            eprintln!(
                "{}: {message}\n{}: {hint}",
                lang.error_word(),
                lang.fix_word()
            );
            ExitCode::from(1)
        }
    }
}

/// `bantin check`: one line per problem on stdout, then a summary; exit 1 when any error.
fn check(lang: Lang, opts: BuildOptions) -> ExitCode {
    let report = bantin::check::check(&opts);
    for line in report.lines_in(lang) {
        println!("{line}");
    }
    if !report.errors.is_empty() || !report.warnings.is_empty() {
        println!();
    }
    println!("{}", report.summary_in(lang));
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn init(lang: Lang, dir: PathBuf) -> ExitCode {
    let today = jiff::ZonedDateTime::now()
        .in_tz("Asia/Ho_Chi_Minh")
        .map(|z| z.date())
        .unwrap_or_else(|_| jiff::ZonedDateTime::now().date());
    match bantin::init::init(&dir, today) {
        Ok(files) => {
            match lang {
                Lang::Vi => println!("Đã tạo trang mới trong {}:", dir.display()),
                Lang::En => println!("New site created in {}:", dir.display()),
            }
            for f in files {
                println!("  {}", f.display());
            }
            match lang {
                Lang::Vi => println!("\nBước tiếp theo: cd {} && bantin build", dir.display()),
                Lang::En => println!("\nNext: cd {} && bantin build", dir.display()),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let message = match (lang, &e) {
                (Lang::Vi, _) => e.to_string(),
                (Lang::En, bantin::init::InitError::Exists(p)) => format!(
                    "{} already exists: bantin never overwrites a site or a file",
                    p.display()
                ),
                (Lang::En, bantin::init::InitError::Io { path, error }) => {
                    format!("cannot create {}: {error}", path.display())
                }
            };
            let hint = match &e {
                bantin::init::InitError::Exists(_) => lang.pick(
                    "chọn một thư mục chưa có, ví dụ `bantin init trang-phuong-moi`",
                    "choose a folder that does not exist yet, e.g. `bantin init new-site`",
                ),
                bantin::init::InitError::Io { .. } => lang.pick(
                    "kiểm tra bạn có quyền ghi vào thư mục đó và đĩa còn chỗ trống",
                    "check that you may write to that folder and that the disk has room",
                ),
            };
            eprintln!(
                "{}: {message}\n{}: {hint}",
                lang.error_word(),
                lang.fix_word()
            );
            ExitCode::from(1)
        }
    }
}

/// `bantin convert`: rewrite each file as UTF-8 after a `.bak` copy; one report per file, all
/// files tried; exit 1 when any was left alone.
fn convert(
    lang: Lang,
    root: &std::path::Path,
    source: bantin::encoding::Source,
    force: bool,
    files: &[PathBuf],
) -> ExitCode {
    use bantin::encoding::{self, ConvertError, Source};
    let mut failed = 0;
    for file in files {
        let shown = file.display().to_string();
        match encoding::convert(&root.join(file), source, force) {
            Ok(done) => {
                let backup = done
                    .backup
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let what = match (lang, done.repaired) {
                    (Lang::Vi, true) => {
                        format!("Đã sửa lỗi phông trong {shown} (bản cũ: {backup}).")
                    }
                    (Lang::En, true) => {
                        format!("Repaired the damaged letters in {shown} (old version: {backup}).")
                    }
                    (Lang::Vi, _) => format!(
                        "Đã chuyển {shown} từ {} sang UTF-8 (bản cũ: {backup}).",
                        done.from
                    ),
                    (Lang::En, _) => format!(
                        "Converted {shown} from {} to UTF-8 (old version: {backup}).",
                        done.from
                    ),
                };
                println!("{what}");
                if let Some(line) = done.sample {
                    println!(
                        "{}",
                        lang.pick(
                            format!("  Dòng đầu có dấu giờ là: {line}\n  Nếu chữ vẫn sai, chép {backup} đè lại tệp rồi thử --from khác."),
                            format!("  The first line with accents now reads: {line}\n  If the letters are still wrong, copy {backup} back over the file and try another --from."),
                        )
                    );
                }
            }
            // Converting a folder's files (`*.md`) meets files already in UTF-8: left as they are.
            Err(ConvertError::AlreadyUtf8) if source == Source::Auto => println!(
                "{}",
                lang.pick(
                    format!("Giữ nguyên {shown}: đã là UTF-8."),
                    format!("Left {shown} as it is: already UTF-8."),
                )
            ),
            Err(e) => {
                failed += 1;
                eprintln!("{}: {shown}: {}", lang.error_word(), e.message(lang));
                if let ConvertError::Unsure(guesses) = &e {
                    eprintln!(
                        "{}",
                        lang.pick(
                            "  Dòng đầu có dấu, đọc theo từng bảng mã:",
                            "  The first line with accents, read in each encoding:"
                        )
                    );
                    for (enc, line) in guesses {
                        eprintln!("    --from {:<7} {line}", enc.flag());
                    }
                }
                eprintln!("{}: {}\n", lang.fix_word(), e.hint(lang, &shown));
            }
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Print every diagnostic like a compiler does: file:line:column, the line, and the fix.
fn report(lang: Lang, diags: &[Diagnostic]) {
    let renderer = if std::env::var_os("NO_COLOR").is_none()
        && std::io::IsTerminal::is_terminal(&std::io::stderr())
    {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for d in diags {
        let title = d.problem.message(lang);
        let path = d.file.display().to_string();
        let mut groups = Vec::new();
        let error = Level::ERROR
            .with_name(lang.error_word())
            .primary_title(title.as_str());
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
        let hint = d.problem.hint_in(lang);
        if let Some(h) = &hint {
            groups.push(Group::with_title(
                Level::HELP
                    .with_name(lang.fix_word())
                    .secondary_title(h.as_str()),
            ));
        }
        eprintln!("{}\n", renderer.render(&groups));
    }
}
