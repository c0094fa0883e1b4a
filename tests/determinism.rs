//! Builds are deterministic: the same content gives byte-identical output, built twice, and
//! built on one thread or on four (the parse, render and image stages run in parallel with
//! rayon; `RAYON_NUM_THREADS` sets the pool size). Every file of the two output folders is
//! compared, and a failure lists each file that is missing on one side or differs, with where.
//!
//! The parallel check uses a generated site of a few hundred articles (officials and
//! departments named in the text, same-day articles, tags written two ways, YAML and TOML front
//! matter, links between articles, bundles with photos, drafts), so every parallel stage really
//! has work for several threads.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::*;

/// Build `root` with the real binary into `out`, with `threads` rayon threads (None: default).
/// The photo cache is emptied first, so every build resizes and encodes the photos itself.
fn build(root: &Path, out: &Path, threads: Option<usize>) {
    let cache = root.join(bantin::images::CACHE_DIR);
    if cache.exists() {
        std::fs::remove_dir_all(&cache).unwrap();
    }
    let mut cmd = bantin();
    cmd.arg("--root")
        .arg(root)
        .arg("build")
        .arg("--output")
        .arg(out);
    match threads {
        Some(n) => cmd.env("RAYON_NUM_THREADS", n.to_string()),
        None => cmd.env_remove("RAYON_NUM_THREADS"),
    };
    let o = cmd.output().expect("bantin runs");
    assert_success(&o, "bantin build");
}

fn assert_identical(a: &Path, b: &Path, what: &str) {
    let (fa, fb) = (files(a), files(b));
    assert!(
        fa.len() > 10,
        "{what}: the build wrote only {} files",
        fa.len()
    );
    let diffs = differences(&fa, &fb);
    assert!(
        diffs.is_empty(),
        "{what}: {} of {} files differ:\n{}",
        diffs.len(),
        fa.len().max(fb.len()),
        diffs.join("\n")
    );
}

#[test]
fn the_example_site_builds_byte_identical_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let repo = repo_root();
    std::fs::create_dir_all(&root).unwrap();
    std::fs::copy(repo.join("site.toml"), root.join("site.toml")).unwrap();
    for dir in ["content", "static", "themes", "templates"] {
        if repo.join(dir).is_dir() {
            copy_dir(&repo.join(dir), &root.join(dir));
        }
    }
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    build(&root, &a, None);
    build(&root, &b, None);
    assert_identical(&a, &b, "the example site built twice");
}

#[test]
fn a_parallel_build_is_byte_identical_to_a_single_threaded_one() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    write_synthetic_site(&root, 300);
    let one = tmp.path().join("one-thread");
    let four = tmp.path().join("four-threads");
    let again = tmp.path().join("four-threads-again");
    build(&root, &one, Some(1));
    build(&root, &four, Some(4));
    build(&root, &again, Some(4));
    // The site really is large: hundreds of article pages, with photos.
    let written = files(&four);
    let articles = written
        .keys()
        .filter(|k| k.starts_with("tin-tuc/") && k.ends_with("/index.html"))
        .count();
    assert!(articles >= 250, "only {articles} article pages");
    assert!(
        written.keys().any(|k| k.ends_with(".webp")),
        "no photo was processed"
    );
    assert_identical(&one, &four, "1 thread against 4 threads");
    assert_identical(&four, &again, "4 threads, built twice");
}

// ---------------------------------------------------------------------------
// A generated site
// ---------------------------------------------------------------------------

/// (slug, name, alias written with the other tone placement or a short form)
const OFFICIALS: &[(&str, &str, &str)] = &[
    ("luu-thanh-binh", "Lưu Thanh Bình", "Lưu T. Bình"),
    ("ly-hoang-tuan", "Lý Hoàng Tuấn", "Lý H. Tuấn"),
    ("nguyen-van-hoa", "Nguyễn Văn Hoà", "Ông Văn Hòa"),
    ("tran-thi-thuy", "Trần Thị Thuỷ", "Bà Trần Thị Thủy"),
    ("pham-minh-duc", "Phạm Minh Đức", "Phạm M. Đức"),
    ("ngo-thanh-hai", "Ngô Thanh Hải", "Ngô T. Hải"),
    ("duong-anh-phong", "Dương Anh Phong", "Dương A. Phong"),
    ("le-thi-khoe", "Lê Thị Khoẻ", "Lê Thị Khỏe"),
    ("huynh-cong-danh", "Huỳnh Công Danh", "Huỳnh C. Danh"),
    ("dinh-van-loi", "Đinh Văn Lợi", "Đinh V. Lợi"),
    ("vo-thi-lan", "Võ Thị Lan", "Võ T. Lan"),
    ("tran-quoc-an", "Trần Quốc Ân", "Trần Q. Ân"),
];

/// (slug, name, short name, parent)
const DEPARTMENTS: &[(&str, &str, &str, &str)] = &[
    ("dang-uy", "Đảng uỷ phường Thử", "Đảng ủy phường", ""),
    (
        "hdnd",
        "Hội đồng nhân dân phường Thử",
        "HĐND phường",
        "dang-uy",
    ),
    (
        "ubnd",
        "Ủy ban nhân dân phường Thử",
        "UBND phường",
        "dang-uy",
    ),
    (
        "van-phong",
        "Văn phòng HĐND và UBND phường",
        "Văn phòng",
        "ubnd",
    ),
    ("van-hoa", "Phòng Văn hoá - Xã hội", "Phòng Văn hóa", "ubnd"),
    (
        "kinh-te",
        "Phòng Kinh tế, Hạ tầng và Đô thị",
        "Phòng Kinh tế",
        "ubnd",
    ),
    (
        "mttq",
        "Ủy ban MTTQ Việt Nam phường Thử",
        "Ủy ban MTTQ",
        "dang-uy",
    ),
    ("cong-an", "Công an phường Thử", "Công an phường", ""),
];

/// Tags, some the same tag written two ways (the build must pick one spelling every time).
const TAGS: &[&str] = &[
    "Hội nghị",
    "hội nghị",
    "Hoà giải",
    "Hòa giải",
    "Chuyển đổi số",
    "An sinh xã hội",
    "Môi trường",
    "Quốc phòng - An ninh",
    "Thủy lợi",
    "Thuỷ lợi",
];

const SENTENCES: &[&str] = &[
    "Hội nghị đánh giá kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội",
    "Người dân phấn khởi, đồng tình và tích cực tham gia",
    "Công tác cải cách hành chính có nhiều chuyển biến tích cực",
    "Các khu phố chủ động rà soát, kịp thời hỗ trợ các hộ khó khăn",
    "Thời gian tới, địa phương tập trung đẩy mạnh chuyển đổi số",
];

/// A tiny RGB PNG, different for each `seed`.
fn png(seed: usize) -> Vec<u8> {
    let (w, h) = (24u32, 16u32);
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().unwrap();
        let data: Vec<u8> = (0..w * h * 3)
            .map(|i| (i as usize * 7 + seed * 31) as u8)
            .collect();
        writer.write_image_data(&data).unwrap();
    }
    bytes
}

fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A site of `n` articles over six years, many sharing a date, naming officials and
/// departments in their text and front matter.
fn write_synthetic_site(root: &Path, n: usize) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    write(
        root,
        "site.toml",
        "title = \"Phường Thử\"\nbase_url = \"https://thu.example.vn/\"\npaginate_by = 7\n\n\
         [[menu]]\nname = \"Trang chủ\"\nurl = \"/\"\n\n[[menu]]\nname = \"Giới thiệu\"\n\
         url = \"/gioi-thieu/\"\n\n[contact]\norganisation = \"UBND phường Thử\"\n",
    );
    for (i, (slug, name, short, parent)) in DEPARTMENTS.iter().enumerate() {
        let parent = if parent.is_empty() {
            String::new()
        } else {
            format!("parent = \"{parent}\"\n")
        };
        write(
            root,
            &format!("content/departments/{slug}.md"),
            &format!(
                "+++\nname = \"{name}\"\nshort_name = \"{short}\"\n{parent}order = {}\n+++\nChức năng, nhiệm vụ.\n",
                i % 3
            ),
        );
    }
    for (i, (slug, name, alias)) in OFFICIALS.iter().enumerate() {
        let dept = DEPARTMENTS[i % DEPARTMENTS.len()].0;
        write(
            root,
            &format!("content/officials/{slug}.md"),
            &format!(
                "+++\nname = \"{name}\"\naliases = [\"{alias}\"]\norder = {}\n\n[[positions]]\n\
                 title = \"Phó Chủ tịch\"\ndepartment = \"{dept}\"\nfrom = 2021-01-01\nto = 2024-06-30\n\n\
                 [[positions]]\ntitle = \"Chủ tịch\"\ndepartment = \"{dept}\"\nfrom = 2024-07-01\n+++\n\
                 Tiểu sử đồng chí {name}.\n",
                i % 4
            ),
        );
    }
    write(
        root,
        "content/pages/gioi-thieu.md",
        "+++\ntitle = \"Giới thiệu\"\n+++\nPhường Thử có [Ủy ban nhân dân](/don-vi/ubnd/).\n",
    );
    write(
        root,
        "content/pages/lien-he.md",
        "---\ntitle: Liên hệ\ndescription: Địa chỉ và điện thoại\n---\nGọi 0297 3 852 150.\n",
    );
    for i in 0..n {
        // Three articles a day on many days: ties in every listing and archive.
        let day = i / 3;
        let year = 2021 + (day / 40) % 6;
        let month = 1 + (day / 4) % 12;
        let dom = 1 + (day * 7) % 28;
        let folder = format!("content/articles/{year}");
        let title = format!(
            "{} {}",
            rng.pick(&[
                "Hội nghị tổng kết",
                "Tiếp xúc cử tri",
                "Ra quân vệ sinh",
                "Hoà giải ở cơ sở"
            ]),
            i % 37
        );
        let mut officials = vec![OFFICIALS[rng.below(OFFICIALS.len())].1];
        if i % 4 == 0 {
            officials.push(OFFICIALS[rng.below(OFFICIALS.len())].2);
        }
        officials.dedup();
        let departments = [DEPARTMENTS[rng.below(DEPARTMENTS.len())].2];
        let tags = [rng.pick(TAGS), rng.pick(TAGS)];
        let mut body = String::new();
        for p in 0..2 + rng.below(3) {
            if p == 1 {
                let _ = writeln!(body, "## Phần {p}\n");
            }
            let (slug, name, _) = OFFICIALS[rng.below(OFFICIALS.len())];
            let _ = slug;
            let (_, dname, dshort, _) = DEPARTMENTS[rng.below(DEPARTMENTS.len())];
            let _ = writeln!(
                body,
                "Đồng chí {name} cùng {} đã dự. {}. {dshort} ghi nhận.\n",
                if i % 2 == 0 { dname } else { dshort },
                rng.pick(SENTENCES)
            );
        }
        if i % 5 == 0 {
            body.push_str("- Một\n- Hai\n\n| Cột | Giá trị |\n|---|---|\n| a | 1 |\n\n");
        }
        if i > 0 && i % 6 == 0 && (i - 1) % 41 != 0 {
            let other = i - 1;
            let other_year = 2021 + ((other / 3) / 40) % 6;
            let _ = writeln!(
                body,
                "Xem thêm [bài trước](../{other_year}/bai-{other:04}.md) và [giới thiệu](/gioi-thieu/).\n"
            );
        }
        if i % 9 == 0 {
            body.push_str("Ghi chú[^1].\n\n[^1]: Theo báo cáo của UBND phường.\n\n");
        }
        body.push_str("Thanh Sang - Văn phòng HĐND và UBND phường\n");
        let draft = if i % 41 == 0 { "draft = true\n" } else { "" };
        let summary = if i % 3 == 0 {
            "summary = \"Tóm tắt riêng của bài.\"\n"
        } else {
            ""
        };
        let bundle = i % 60 == 7;
        let image = if bundle {
            "image = \"anh-chinh.png\"\nimage_alt = \"Ảnh hội nghị\"\n"
        } else {
            ""
        };
        let text = if i % 7 == 3 && !bundle {
            format!(
                "---\ntitle: \"{title}\"\ndate: {year:04}-{month:02}-{dom:02}\nofficials: [{}]\n\
                 departments: [{}]\ntags: [{}]\n{}---\n{body}",
                quoted(&officials),
                quoted(&departments),
                quoted(&tags),
                draft.replace(" = ", ": ")
            )
        } else {
            format!(
                "+++\ntitle = \"{title}\"\ndate = {year:04}-{month:02}-{dom:02}\nofficials = [{}]\n\
                 departments = [{}]\ntags = [{}]\n{draft}{summary}{image}+++\n{body}",
                quoted(&officials),
                quoted(&departments),
                quoted(&tags)
            )
        };
        if bundle {
            let dir = format!("{folder}/bai-{i:04}");
            let text = format!("{text}\n![Ảnh thứ hai](anh-phu.png)\n");
            write(root, &format!("{dir}/index.md"), &text);
            std::fs::write(root.join(&dir).join("anh-chinh.png"), png(i)).unwrap();
            std::fs::write(root.join(&dir).join("anh-phu.png"), png(i + 1)).unwrap();
        } else {
            write(root, &format!("{folder}/bai-{i:04}.md"), &text);
        }
    }
}
