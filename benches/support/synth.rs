//! A generator of synthetic ward sites for benchmarks: N articles of realistic Vietnamese text
//! (headings, lists, links, mentions of officials and departments), 13 officials, 9
//! departments, dates over several years. Deterministic from a seed.

use std::fmt::Write as _;
use std::path::Path;

/// A tiny deterministic PRNG (xorshift64*): benchmark data must be identical on every run and
/// machine, and this avoids a dependency for a few lines.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

pub const DEPARTMENTS: &[(&str, &str, &str, Option<&str>)] = &[
    ("dang-uy", "Đảng ủy phường Tô Châu", "Đảng ủy phường", None),
    (
        "hdnd",
        "Hội đồng nhân dân phường Tô Châu",
        "HĐND phường",
        Some("dang-uy"),
    ),
    (
        "ubnd",
        "Ủy ban nhân dân phường Tô Châu",
        "UBND phường",
        Some("dang-uy"),
    ),
    (
        "uy-ban-mttq",
        "Ủy ban Mặt trận Tổ quốc Việt Nam phường Tô Châu",
        "Ủy ban MTTQ phường",
        Some("dang-uy"),
    ),
    (
        "van-phong",
        "Văn phòng HĐND và UBND phường",
        "Văn phòng HĐND và UBND",
        Some("ubnd"),
    ),
    (
        "phong-kinh-te",
        "Phòng Kinh tế, Hạ tầng và Đô thị",
        "Phòng Kinh tế",
        Some("ubnd"),
    ),
    (
        "phong-van-hoa",
        "Phòng Văn hóa - Xã hội",
        "Phòng Văn hóa - Xã hội",
        Some("ubnd"),
    ),
    (
        "trung-tam-hcc",
        "Trung tâm Phục vụ hành chính công phường",
        "Trung tâm Phục vụ hành chính công",
        Some("ubnd"),
    ),
    ("cong-an", "Công an phường Tô Châu", "Công an phường", None),
];

pub const OFFICIALS: &[(&str, &str, &str, &str)] = &[
    (
        "luu-thanh-binh",
        "Lưu Thanh Bình",
        "Bí thư Đảng ủy phường",
        "dang-uy",
    ),
    (
        "ly-hoang-tuan",
        "Lý Hoàng Tuấn",
        "Chủ tịch UBND phường",
        "ubnd",
    ),
    (
        "duong-anh-phong",
        "Dương Anh Phong",
        "Phó Chủ tịch UBND phường",
        "ubnd",
    ),
    (
        "truong-the-kieu",
        "Trương Thế Kiều",
        "Phó Chủ tịch UBND phường",
        "ubnd",
    ),
    (
        "pham-minh-duc",
        "Phạm Minh Đức",
        "Phó Chủ tịch HĐND phường",
        "hdnd",
    ),
    (
        "ngo-thanh-hai",
        "Ngô Thanh Hải",
        "Chủ tịch HĐND phường",
        "hdnd",
    ),
    (
        "nguyen-thi-hong-nhung",
        "Nguyễn Thị Hồng Nhung",
        "Chủ tịch Ủy ban MTTQ phường",
        "uy-ban-mttq",
    ),
    (
        "dinh-van-loi",
        "Đinh Văn Lợi",
        "Chánh Văn phòng",
        "van-phong",
    ),
    (
        "huynh-cong-danh",
        "Huỳnh Công Danh",
        "Trưởng phòng Kinh tế",
        "phong-kinh-te",
    ),
    (
        "duong-thi-my-linh",
        "Dương Thị Mỹ Linh",
        "Trưởng phòng Văn hóa - Xã hội",
        "phong-van-hoa",
    ),
    (
        "lam-thi-anh-nguyet",
        "Lâm Thị Ánh Nguyệt",
        "Giám đốc Trung tâm",
        "trung-tam-hcc",
    ),
    (
        "tran-quoc-an",
        "Trần Quốc Ân",
        "Trưởng Công an phường",
        "cong-an",
    ),
    (
        "phan-thi-kim-cuc",
        "Phan Thị Kim Cúc",
        "Phó Chủ tịch UBND phường",
        "ubnd",
    ),
];

const TOPICS: &[&str] = &[
    "Hội nghị tổng kết công tác",
    "Tiếp xúc cử tri",
    "Ra quân vệ sinh môi trường",
    "Cải cách hành chính",
    "Chuyển đổi số",
    "Thăm, tặng quà gia đình chính sách",
    "Phòng chống thiên tai",
    "Khánh thành công trình giao thông",
    "Ngày hội Đại đoàn kết toàn dân tộc",
    "Kiểm tra an toàn thực phẩm",
];

const TAGS: &[&str] = &[
    "Hội nghị",
    "Cải cách hành chính",
    "Chuyển đổi số",
    "An sinh xã hội",
    "Môi trường",
    "Quốc phòng - An ninh",
    "Xây dựng Đảng",
    "Văn hóa - Xã hội",
];

const SENTENCES: &[&str] = &[
    "Báo cáo nêu rõ, trong thời gian qua, mặc dù còn nhiều khó khăn, thách thức, song với sự chỉ đạo sát sao của cấp ủy, sự giám sát của HĐND, sự phối hợp chặt chẽ của MTTQ và các đoàn thể, các chỉ tiêu chủ yếu đều đạt và vượt kế hoạch",
    "Kinh tế địa phương tiếp tục phát triển ổn định; công tác quản lý đô thị, trật tự xây dựng, vệ sinh môi trường có nhiều chuyển biến tích cực",
    "Các lĩnh vực văn hóa – xã hội, an sinh xã hội được quan tâm thực hiện kịp thời; quốc phòng – an ninh được giữ vững",
    "Hội nghị dành nhiều thời gian thảo luận, đóng góp ý kiến thẳng thắn, trách nhiệm về những tồn tại, hạn chế và đề xuất giải pháp thiết thực",
    "Người dân phấn khởi, đồng tình và tích cực tham gia, góp phần xây dựng khu phố ngày càng sáng, xanh, sạch, đẹp",
    "Cán bộ, công chức tiếp tục nâng cao tinh thần trách nhiệm, thái độ phục vụ Nhân dân, giải quyết hồ sơ đúng hẹn",
    "Thời gian tới, địa phương tập trung đẩy mạnh chuyển đổi số, nâng cao chất lượng dịch vụ công trực tuyến toàn trình",
    "Các khu phố, ấp chủ động rà soát, nắm chắc tình hình, kịp thời hỗ trợ các hộ có hoàn cảnh khó khăn",
];

/// Slugs of the officials and departments a body names.
#[derive(Default)]
pub struct Named {
    pub officials: Vec<&'static str>,
    pub departments: Vec<&'static str>,
}

fn note(list: &mut Vec<&'static str>, slug: &'static str) {
    if !list.contains(&slug) {
        list.push(slug);
    }
}

fn official_sentence(rng: &mut Rng, named: &mut Named) -> String {
    let (slug, name, title, _) = rng.pick(OFFICIALS);
    note(&mut named.officials, slug);
    let verbs = [
        "phát biểu chỉ đạo",
        "chủ trì hội nghị",
        "đề nghị các đơn vị",
        "ghi nhận, biểu dương",
    ];
    format!("Đồng chí {name}, {title}, {} ", rng.pick(&verbs))
}

fn department_sentence(rng: &mut Rng, named: &mut Named) -> String {
    let (slug, _, short, _) = rng.pick(DEPARTMENTS);
    note(&mut named.departments, slug);
    format!("{short} đã chỉ đạo triển khai kịp thời, hiệu quả các nhiệm vụ trọng tâm")
}

/// Markdown body of 500–800 words, and who it names.
pub fn article_body(rng: &mut Rng) -> (String, Named) {
    let mut named = Named::default();
    let mut body = String::with_capacity(6000);
    let target_words = 500 + rng.below(300);
    let mut words = 0;
    let mut section = 0;
    while words < target_words {
        if words > 0 && rng.below(4) == 0 {
            section += 1;
            let _ = writeln!(body, "## Phần {section}: {}\n", rng.pick(TOPICS));
        }
        let mut para = String::new();
        for _ in 0..3 + rng.below(3) {
            let s = match rng.below(6) {
                0 => official_sentence(rng, &mut named) + *rng.pick(SENTENCES),
                1 => department_sentence(rng, &mut named),
                _ => rng.pick(SENTENCES).to_string(),
            };
            para.push_str(&s);
            para.push_str(". ");
        }
        words += para.split_whitespace().count();
        body.push_str(para.trim_end());
        body.push_str("\n\n");
        if rng.below(5) == 0 {
            for _ in 0..3 {
                let _ = writeln!(body, "- {}", rng.pick(SENTENCES));
            }
            body.push('\n');
        }
        if rng.below(8) == 0 {
            body.push_str("Xem thêm tại [trang Giới thiệu](/gioi-thieu/).\n\n");
        }
    }
    body.push_str("Thanh Sang - Văn phòng HĐND và UBND\n");
    note(&mut named.departments, "van-phong");
    (body, named)
}

/// Who a body names, as bantin's own detection sees it (used to write the front matter of the
/// variant without detection, so that both variants build exactly the same pages).
fn detected(index: &bantin::mentions::MentionIndex, body: &str) -> Named {
    let mut named = Named::default();
    for found in index.find(body) {
        let target = &index.targets()[found.target];
        let slug: &'static str = OFFICIALS
            .iter()
            .map(|o| o.0)
            .chain(DEPARTMENTS.iter().map(|d| d.0))
            .find(|s| *s == target.slug)
            .unwrap_or("ubnd");
        match target.kind {
            bantin::error::EntityKind::Official => note(&mut named.officials, slug),
            bantin::error::EntityKind::Department => note(&mut named.departments, slug),
        }
    }
    named
}

fn mention_index() -> bantin::mentions::MentionIndex {
    use bantin::error::EntityKind;
    use bantin::mentions::{MentionIndex, Target};
    let target = |kind, slug: &str| Target {
        kind,
        slug: slug.to_string(),
    };
    MentionIndex::build(
        OFFICIALS
            .iter()
            .map(|o| (target(EntityKind::Official, o.0), vec![o.1]))
            .chain(
                DEPARTMENTS
                    .iter()
                    .map(|d| (target(EntityKind::Department, d.0), vec![d.1, d.2])),
            ),
    )
}

/// Write a whole synthetic site with `n` articles into `root`. With `detect_mentions` off, each
/// article lists in its front matter the officials and departments its text names (and its
/// byline author), so both variants produce the same pages and differ only in detection.
pub fn write_site(root: &Path, n: usize, seed: u64, detect_mentions: bool) -> std::io::Result<()> {
    let mut rng = Rng::new(seed);
    let index = mention_index();
    std::fs::create_dir_all(root.join("content/officials"))?;
    std::fs::create_dir_all(root.join("content/departments"))?;
    std::fs::create_dir_all(root.join("content/pages"))?;
    std::fs::write(
        root.join("site.toml"),
        format!(
            "title = \"Phường Tô Châu\"\nbase_url = \"https://tochau.example.gov.vn/\"\npaginate_by = 20\n\n[mentions]\ndetect = {detect_mentions}\n\n[[menu]]\nname = \"Trang chủ\"\nurl = \"/\"\n\n[contact]\norganisation = \"UBND phường Tô Châu\"\n"
        ),
    )?;
    for (i, (slug, name, short, parent)) in DEPARTMENTS.iter().enumerate() {
        let parent = parent
            .map(|p| format!("parent = \"{p}\"\n"))
            .unwrap_or_default();
        std::fs::write(
            root.join(format!("content/departments/{slug}.md")),
            format!(
                "+++\nname = \"{name}\"\nshort_name = \"{short}\"\n{parent}order = {i}\n+++\nChức năng, nhiệm vụ của {name}.\n"
            ),
        )?;
    }
    for (i, (slug, name, title, dept)) in OFFICIALS.iter().enumerate() {
        std::fs::write(
            root.join(format!("content/officials/{slug}.md")),
            format!(
                "+++\nname = \"{name}\"\norder = {i}\n\n[[positions]]\ntitle = \"{title}\"\ndepartment = \"{dept}\"\nfrom = 2020-01-01\n+++\nTiểu sử đồng chí {name}.\n"
            ),
        )?;
    }
    std::fs::write(
        root.join("content/pages/gioi-thieu.md"),
        "+++\ntitle = \"Giới thiệu\"\n+++\nPhường Tô Châu.\n",
    )?;
    let start = 2015 * 365;
    for i in 0..n {
        let day = start + (i * 3653 / n.max(1));
        let (y, m, d) = (day / 365, 1 + (day % 365) / 31 % 12, 1 + (day % 365) % 28);
        let dir = root.join(format!("content/articles/{y}"));
        std::fs::create_dir_all(&dir)?;
        let topic = rng.pick(TOPICS);
        let tags: Vec<String> = (0..2).map(|_| format!("\"{}\"", rng.pick(TAGS))).collect();
        let (body, _) = article_body(&mut rng);
        let named = if detect_mentions {
            Named::default()
        } else {
            detected(&index, &body)
        };
        let quoted = |l: &[&str]| {
            l.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let listed = if detect_mentions {
            String::new()
        } else {
            format!(
                "officials = [{}]\ndepartments = [{}]\nauthor = \"Thanh Sang\"\n",
                quoted(&named.officials),
                quoted(&named.departments)
            )
        };
        std::fs::write(
            dir.join(format!("bai-{i:06}.md")),
            format!(
                "+++\ntitle = \"{topic} số {i}\"\ndate = {y:04}-{m:02}-{d:02}\ntags = [{}]\n{listed}+++\n{body}",
                tags.join(", ")
            ),
        )?;
    }
    Ok(())
}

/// A whole number from the environment (`BANTIN_BENCH_N`, `BANTIN_BENCH_RUNS`), or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The median of some timings.
pub fn median(mut v: Vec<std::time::Duration>) -> std::time::Duration {
    v.sort();
    v[v.len() / 2]
}
