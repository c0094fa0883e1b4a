//! Responsive images, as editors and readers meet them.
//!
//! Every test writes a small site into a temporary folder, with photos made here: a large JPEG
//! stored sideways with an EXIF Orientation of 6 (as phones save portrait photos) and GPS data,
//! a PNG with transparency, a GIF, a corrupt "JPEG". The site is built for real, and the
//! tests look at what a reader gets: the pages' HTML (parsed with scraper) and the published
//! images (decoded: size, which way up, no metadata left), and at what an editor gets when
//! something is wrong (the file, line and column of the problem).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bantin::error::{Diagnostic, Problem};
use bantin::pipeline::{self, BuildError, BuildOptions};
use scraper::{ElementRef, Html, Selector};

// ---------------------------------------------------------------------------
// Photos
// ---------------------------------------------------------------------------

/// What the phone's EXIF says about where a photo was taken: must never be published.
const GPS_MARK: &[u8] = b"GPS 10.3829N 104.4893E bantin-test";

/// EXIF data (from the TIFF header on) with an Orientation tag and a GPS block.
fn exif(orientation: u16) -> Vec<u8> {
    let mut d = b"II*\0".to_vec();
    d.extend_from_slice(&8u32.to_le_bytes());
    // IFD0: Orientation, and the offset of the GPS IFD (8 + 2 + 2 × 12 + 4 = 38).
    d.extend_from_slice(&2u16.to_le_bytes());
    for (tag, kind, value) in [(0x0112u16, 3u16, u32::from(orientation)), (0x8825, 4, 38)] {
        d.extend_from_slice(&tag.to_le_bytes());
        d.extend_from_slice(&kind.to_le_bytes());
        d.extend_from_slice(&1u32.to_le_bytes());
        d.extend_from_slice(&value.to_le_bytes());
    }
    d.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD: one entry (GPSProcessingMethod) pointing at the text after it (38 + 18 = 56).
    d.extend_from_slice(&1u16.to_le_bytes());
    d.extend_from_slice(&0x001Bu16.to_le_bytes());
    d.extend_from_slice(&7u16.to_le_bytes());
    d.extend_from_slice(&(GPS_MARK.len() as u32).to_le_bytes());
    d.extend_from_slice(&56u32.to_le_bytes());
    d.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(d.len(), 56);
    d.extend_from_slice(GPS_MARK);
    d
}

/// RGB pixels `width` × `height` as stored: a red block in the top-left corner, the rest a
/// blue-green gradient with some grain (so the file is as heavy as a photo).
fn photo_pixels(width: u32, height: u32) -> Vec<u8> {
    let mut px = Vec::with_capacity((width * height * 3) as usize);
    let mut seed: u32 = 0x9e37_79b9;
    for y in 0..height {
        for x in 0..width {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let grain = (seed % 24) as u8;
            if x < width / 4 && y < height / 4 {
                px.extend_from_slice(&[230 + grain / 3, grain, grain]);
            } else {
                let g = (60 + 120 * x / width) as u8;
                let b = (120 + 120 * y / height) as u8;
                px.extend_from_slice(&[grain, g.saturating_add(grain), b.saturating_sub(grain)]);
            }
        }
    }
    px
}

/// A JPEG as a phone saves it: `width` × `height` stored, EXIF orientation and GPS.
fn phone_jpeg(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = jpeg_encoder::Encoder::new(&mut out, 95);
    e.add_exif_metadata(&exif(orientation)).expect("EXIF fits");
    e.encode(
        &photo_pixels(width, height),
        width as u16,
        height as u16,
        jpeg_encoder::ColorType::Rgb,
    )
    .expect("encodes");
    out
}

/// A JPEG saved for the web: small, plain (baseline, quality 60), but with a phone's EXIF.
fn web_jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = jpeg_encoder::Encoder::new(&mut out, 60);
    e.add_exif_metadata(&exif(1)).expect("EXIF fits");
    e.encode(
        &photo_pixels(width, height),
        width as u16,
        height as u16,
        jpeg_encoder::ColorType::Rgb,
    )
    .expect("encodes");
    out
}

/// A PNG `width` × `height` whose left half is transparent.
fn transparent_png(width: u32, height: u32) -> Vec<u8> {
    let mut data = Vec::new();
    for _ in 0..height {
        for x in 0..width {
            let alpha = if x < width / 2 { 0 } else { 255 };
            data.extend_from_slice(&[200, 30, 30, alpha]);
        }
    }
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, width, height);
    e.set_color(png::ColorType::Rgba);
    e.set_depth(png::BitDepth::Eight);
    let mut w = e.write_header().expect("header");
    w.write_image_data(&data).expect("data");
    w.finish().expect("finish");
    out
}

/// A 1 × 1 GIF.
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

/// Decoded RGB pixels.
struct Picture {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Picture {
    fn jpeg(bytes: &[u8]) -> Picture {
        use zune_core::bytestream::ZCursor;
        use zune_core::colorspace::ColorSpace;
        use zune_core::options::DecoderOptions;
        let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::RGB);
        let mut d = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
        let rgb = d.decode().expect("a published JPEG decodes");
        let info = d.info().expect("size");
        Picture {
            width: info.width as usize,
            height: info.height as usize,
            rgb,
        }
    }

    /// Size and channel count of a WebP, and its pixels.
    fn webp(bytes: &[u8]) -> (Picture, bool) {
        let mut d = image_webp::WebPDecoder::new(std::io::Cursor::new(bytes)).expect("WebP");
        let (w, h) = d.dimensions();
        let alpha = d.has_alpha();
        let mut buf = vec![0; d.output_buffer_size().expect("size")];
        d.read_image(&mut buf).expect("a published WebP decodes");
        let rgb = if alpha {
            buf.chunks(4).flat_map(|p| p[..3].to_vec()).collect()
        } else {
            buf
        };
        let p = Picture {
            width: w as usize,
            height: h as usize,
            rgb,
        };
        (p, alpha)
    }

    /// The average colour of a small square around (`fx`, `fy`), given as fractions of the size.
    fn colour_at(&self, fx: f64, fy: f64) -> [u8; 3] {
        let (cx, cy) = (
            (fx * self.width as f64) as usize,
            (fy * self.height as f64) as usize,
        );
        let mut sum = [0usize; 3];
        let mut n = 0;
        for y in cy.saturating_sub(4)..(cy + 4).min(self.height) {
            for x in cx.saturating_sub(4)..(cx + 4).min(self.width) {
                let i = (y * self.width + x) * 3;
                for (total, value) in sum.iter_mut().zip(&self.rgb[i..i + 3]) {
                    *total += *value as usize;
                }
                n += 1;
            }
        }
        sum.map(|s| (s / n.max(1)) as u8)
    }

    fn is_red_at(&self, fx: f64, fy: f64) -> bool {
        let [r, g, b] = self.colour_at(fx, fy);
        r > 180 && g < 80 && b < 80
    }
}

// ---------------------------------------------------------------------------
// Sites
// ---------------------------------------------------------------------------

/// A site in a temporary folder, built into `out`.
struct TestSite {
    dir: tempfile::TempDir,
}

impl TestSite {
    fn new() -> TestSite {
        let site = TestSite {
            dir: tempfile::tempdir().expect("a temporary folder"),
        };
        site.write(
            "site.toml",
            b"title = \"Ph\xc6\xb0\xe1\xbb\x9dng Th\xe1\xbb\xad\"\nbase_url = \"https://phuong.example/\"\n",
        );
        site
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn out(&self) -> PathBuf {
        self.root().join("public")
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write");
    }

    /// An article with extra front matter lines (each ending with a newline) and a body.
    fn article(&self, rel: &str, title: &str, date: &str, front: &str, body: &str) {
        let text = format!(
            "+++\ntitle = \"{title}\"\ndate = {date}\nauthor = \"Ban biên tập\"\n{front}+++\n{body}\n"
        );
        self.write(&format!("content/articles/{rel}"), text.as_bytes());
    }

    fn options(&self, out: &Path) -> BuildOptions {
        BuildOptions {
            root: self.root().to_path_buf(),
            output: Some(out.to_path_buf()),
            now: Some("2026-05-20T03:00:00Z".parse().expect("a timestamp")),
            ..BuildOptions::default()
        }
    }

    fn build_into(&self, out: &Path) {
        if let Err(e) = pipeline::build(&self.options(out)) {
            panic!("the build failed: {}", describe(&e));
        }
    }

    fn build(&self) {
        self.build_into(&self.out());
    }

    /// Build; it must fail with problems in the content, which are returned.
    fn build_failing(&self) -> Vec<Diagnostic> {
        match pipeline::build(&self.options(&self.out())) {
            Err(BuildError::Content(problems)) => problems,
            Err(e) => panic!("failed, but not because of the content: {e}"),
            Ok(_) => panic!("the build succeeded"),
        }
    }

    fn output(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.out().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    fn page(&self, url: &str) -> Html {
        let rel = format!("{}index.html", url.trim_start_matches('/'));
        Html::parse_document(&String::from_utf8(self.output(&rel)).expect("UTF-8 page"))
    }

    /// Every file of the image cache, with its modification time.
    fn cache_files(&self) -> BTreeMap<PathBuf, SystemTime> {
        let mut out = BTreeMap::new();
        let dir = self.root().join(".bantin-cache/images");
        for entry in walkdir::WalkDir::new(&dir).into_iter().flatten() {
            if entry.file_type().is_file() && entry.file_name() != "index.tsv" {
                let modified = entry.metadata().expect("stat").modified().expect("mtime");
                out.insert(entry.path().to_path_buf(), modified);
            }
        }
        out
    }
}

fn describe(e: &BuildError) -> String {
    match e {
        BuildError::Content(problems) => problems
            .iter()
            .map(|d| format!("{d}"))
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

fn attr<'a>(e: &ElementRef<'a>, name: &str) -> Option<&'a str> {
    e.value().attr(name)
}

/// `srcset` → (URL, width) pairs.
fn srcset(value: &str) -> Vec<(String, u32)> {
    value
        .split(", ")
        .map(|c| {
            let (url, w) = c.rsplit_once(' ').expect("URL and width");
            let w = w.strip_suffix('w').expect("a width descriptor");
            (url.to_string(), w.parse().expect("a number"))
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

const SLUG: &str = "khanh-thanh-cau-kenh-xang";
const URL: &str = "/tin-tuc/khanh-thanh-cau-kenh-xang/";

/// A site with a bundle article: a portrait phone photo as its `image` (stored 2400 × 1800,
/// Orientation 6), a landscape one and a GIF in its text, and a newer article without images
/// (so the photo article is not the first of the home page).
fn photo_site() -> TestSite {
    let site = TestSite::new();
    let bundle = format!("2026/{SLUG}");
    site.article(
        &format!("{bundle}/index.md"),
        "Khánh thành cầu Kênh Xáng",
        "2026-05-01",
        "image = \"cau-moi.jpg\"\nimage_alt = \"Người dân đi trên cầu mới\"\n",
        "Sáng 1/5/2026, phường khánh thành cầu Kênh Xáng.\n\n\
         ![Toàn cảnh lễ khánh thành](toan-canh.jpg)\n\n\
         ![Sơ đồ vị trí cầu](so-do.gif)\n\n\
         ![Bản đồ](https://ban-do.example/cau.png)\n",
    );
    site.write(
        &format!("content/articles/{bundle}/cau-moi.jpg"),
        &phone_jpeg(2400, 1800, 6),
    );
    site.write(
        &format!("content/articles/{bundle}/toan-canh.jpg"),
        &phone_jpeg(1200, 800, 1),
    );
    site.write(&format!("content/articles/{bundle}/so-do.gif"), GIF);
    site.article(
        "2026/hop-dan-khu-pho-3.md",
        "Họp dân khu phố 3",
        "2026-05-10",
        "",
        "Khu phố 3 họp dân.",
    );
    site
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn a_phone_photo_is_published_right_side_up_small_and_without_its_metadata() {
    let site = photo_site();
    site.build();
    let dir = format!("tin-tuc/{SLUG}");

    // The original's address holds the largest copy: 1600 wide, turned upright (portrait),
    // the red corner (stored top-left) now at the top right, as the phone showed it.
    let original = std::fs::read(
        site.root()
            .join(format!("content/articles/2026/{SLUG}/cau-moi.jpg")),
    )
    .expect("the source");
    let largest = site.output(&format!("{dir}/cau-moi.jpg"));
    let p = Picture::jpeg(&largest);
    assert_eq!((p.width, p.height), (1600, 2133));
    assert!(
        p.is_red_at(0.9, 0.1),
        "top right: {:?}",
        p.colour_at(0.9, 0.1)
    );
    assert!(
        !p.is_red_at(0.1, 0.1),
        "top left: {:?}",
        p.colour_at(0.1, 0.1)
    );
    assert!(
        !p.is_red_at(0.9, 0.9),
        "bottom right: {:?}",
        p.colour_at(0.9, 0.9)
    );
    assert!(
        largest.len() * 3 < original.len(),
        "{} bytes published for a {}-byte photo",
        largest.len(),
        original.len()
    );
    // Progressive (SOF2), so a slow connection shows the whole photo early.
    assert!(contains(&largest, &[0xFF, 0xC2]), "not progressive");

    for (name, w, h) in [
        ("cau-moi-480w.jpg", 480, 640),
        ("cau-moi-960w.jpg", 960, 1280),
    ] {
        let p = Picture::jpeg(&site.output(&format!("{dir}/{name}")));
        assert_eq!((p.width, p.height), (w, h), "{name}");
        assert!(p.is_red_at(0.9, 0.1), "{name} is not upright");
    }
    for (name, w, h) in [
        ("cau-moi-480w.webp", 480, 640),
        ("cau-moi-960w.webp", 960, 1280),
        ("cau-moi-1600w.webp", 1600, 2133),
    ] {
        let (p, alpha) = Picture::webp(&site.output(&format!("{dir}/{name}")));
        assert_eq!((p.width, p.height), (w, h), "{name}");
        assert!(!alpha, "{name}");
        assert!(p.is_red_at(0.9, 0.1), "{name} is not upright");
    }

    // No published file carries the phone's EXIF (GPS, orientation).
    for entry in walkdir::WalkDir::new(site.out()).into_iter().flatten() {
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).expect("read");
            assert!(
                !contains(&bytes, GPS_MARK),
                "{} has GPS data",
                entry.path().display()
            );
            assert!(
                !contains(&bytes, b"Exif\0"),
                "{} has EXIF",
                entry.path().display()
            );
        }
    }
    // The GIF is published as it is.
    assert_eq!(site.output(&format!("{dir}/so-do.gif")), GIF);
    // The cache is beside site.toml, not in the output.
    assert!(site.root().join(".bantin-cache/images").is_dir());
    assert!(!site.out().join(".bantin-cache").exists());
}

#[test]
fn article_pages_offer_every_width_and_keep_the_layout_steady() {
    let site = photo_site();
    site.build();
    let page = site.page(URL);

    // The lead photo: eager (it is the first thing seen), with its size and every copy.
    let lead = page
        .select(&sel("figure.article-image picture img"))
        .next()
        .expect("the lead photo");
    assert_eq!(
        attr(&lead, "src"),
        Some("/tin-tuc/khanh-thanh-cau-kenh-xang/cau-moi.jpg")
    );
    assert_eq!(attr(&lead, "alt"), Some("Người dân đi trên cầu mới"));
    assert_eq!(
        (attr(&lead, "width"), attr(&lead, "height")),
        (Some("1600"), Some("2133"))
    );
    assert_eq!(attr(&lead, "loading"), None, "the lead photo must not wait");
    assert_eq!(attr(&lead, "fetchpriority"), Some("high"));
    assert_eq!(attr(&lead, "decoding"), Some("async"));
    assert!(attr(&lead, "sizes").is_some_and(|s| s.contains("46rem")));
    let set = srcset(attr(&lead, "srcset").expect("srcset"));
    assert_eq!(
        set,
        vec![
            (format!("{URL}cau-moi-480w.jpg"), 480),
            (format!("{URL}cau-moi-960w.jpg"), 960),
            (format!("{URL}cau-moi.jpg"), 1600),
        ]
    );
    // Every URL of the srcset is a published file of that width.
    for (url, w) in &set {
        let p = Picture::jpeg(&site.output(url.trim_start_matches('/')));
        assert_eq!(p.width as u32, *w, "{url}");
    }
    let webp = page
        .select(&sel(
            "figure.article-image picture source[type=\"image/webp\"]",
        ))
        .next()
        .expect("a WebP source");
    assert_eq!(
        srcset(attr(&webp, "srcset").expect("srcset"))
            .iter()
            .map(|(_, w)| *w)
            .collect::<Vec<_>>(),
        vec![480, 960, 1600]
    );

    // Images of the text: lazy, with their sizes; relative to the page as written.
    let body: Vec<ElementRef> = page.select(&sel(".content img")).collect();
    assert_eq!(body.len(), 3, "{}", page.html());
    let photo = &body[0];
    assert_eq!(attr(photo, "src"), Some("toan-canh.jpg"));
    assert_eq!(attr(photo, "alt"), Some("Toàn cảnh lễ khánh thành"));
    assert_eq!(
        (attr(photo, "width"), attr(photo, "height")),
        (Some("1200"), Some("800"))
    );
    assert_eq!(attr(photo, "loading"), Some("lazy"));
    assert_eq!(attr(photo, "decoding"), Some("async"));
    assert!(attr(photo, "sizes").is_some());
    assert_eq!(
        srcset(attr(photo, "srcset").expect("srcset")),
        vec![
            ("toan-canh-480w.jpg".to_string(), 480),
            ("toan-canh-960w.jpg".to_string(), 960),
            ("toan-canh.jpg".to_string(), 1200),
        ]
    );
    let parent = ElementRef::wrap(photo.parent().expect("a parent")).expect("an element");
    assert_eq!(parent.value().name(), "picture");
    let source = parent
        .select(&sel("source[type=\"image/webp\"]"))
        .next()
        .expect("a WebP source in the text");
    for (url, w) in srcset(attr(&source, "srcset").expect("srcset")) {
        let (p, _) = Picture::webp(&site.output(&format!("tin-tuc/{SLUG}/{url}")));
        assert_eq!(p.width as u32, w, "{url}");
    }
    // The GIF and the image of another website: lazy, otherwise as written.
    for (img, src) in [
        (&body[1], "so-do.gif"),
        (&body[2], "https://ban-do.example/cau.png"),
    ] {
        assert_eq!(attr(img, "src"), Some(src));
        assert_eq!(attr(img, "loading"), Some("lazy"));
        assert_eq!(attr(img, "srcset"), None);
    }
}

#[test]
fn listings_show_the_small_copy() {
    let site = photo_site();
    site.build();
    let home = site.page("/");
    let thumbs: Vec<ElementRef> = home.select(&sel("main img.thumb")).collect();
    assert_eq!(thumbs.len(), 1, "one article has a photo");
    let t = &thumbs[0];
    assert_eq!(
        attr(t, "src"),
        Some("/tin-tuc/khanh-thanh-cau-kenh-xang/cau-moi-480w.jpg")
    );
    assert_eq!(
        attr(t, "loading"),
        Some("lazy"),
        "not the first article: lazy"
    );
    assert_eq!(
        (attr(t, "width"), attr(t, "height")),
        (Some("1600"), Some("2133"))
    );
    assert!(attr(t, "sizes").is_some_and(|s| s.contains("6.5rem")));
    assert_eq!(srcset(attr(t, "srcset").expect("srcset")).len(), 3);
    let picture = ElementRef::wrap(t.parent().expect("a parent")).expect("an element");
    assert_eq!(picture.value().name(), "picture");
}

#[test]
fn photos_are_processed_once_and_then_taken_from_the_cache() {
    let site = photo_site();
    site.build();
    let first = site.cache_files();
    // Two photos (the GIF is not processed), each with a few copies and a note.
    assert_eq!(
        first.keys().filter(|p| p.ends_with("meta")).count(),
        2,
        "{first:#?}"
    );
    let published = site.output(&format!("tin-tuc/{SLUG}/cau-moi-480w.jpg"));

    // A second build into another folder re-encodes nothing: the cache is untouched.
    let again = site.root().join("public-2");
    site.build_into(&again);
    assert_eq!(site.cache_files(), first, "the cache was rewritten");
    assert_eq!(
        std::fs::read(again.join(format!("tin-tuc/{SLUG}/cau-moi-480w.jpg"))).expect("read"),
        published
    );

    // It publishes what the cache holds (here a marked copy), so it did not encode anew.
    let (cached, _) = first
        .iter()
        .find(|(p, _)| {
            p.ends_with("480w.jpg") && Picture::jpeg(&std::fs::read(p).unwrap()).height == 640
        })
        .expect("the cached 480 px copy of the portrait photo");
    let mut marked = std::fs::read(cached).expect("read");
    marked.extend_from_slice(b"cached copy");
    std::fs::write(cached, &marked).expect("write");
    // Into a new folder: the first one is up to date, and a build with no source file changed
    // leaves it as it is without looking at the cache.
    let third = site.root().join("public-3");
    site.build_into(&third);
    assert_eq!(
        std::fs::read(third.join(format!("tin-tuc/{SLUG}/cau-moi-480w.jpg"))).expect("read"),
        marked
    );

    // A photo replaced by another one (other bytes, same name) is processed again.
    site.write(
        &format!("content/articles/2026/{SLUG}/cau-moi.jpg"),
        &phone_jpeg(2000, 1000, 1),
    );
    site.build();
    let p = Picture::jpeg(&site.output(&format!("tin-tuc/{SLUG}/cau-moi.jpg")));
    assert_eq!((p.width, p.height), (1600, 800));
    assert_eq!(
        site.cache_files()
            .keys()
            .filter(|p| p.ends_with("meta"))
            .count(),
        3
    );
    let page = site.page(URL);
    let lead = page
        .select(&sel("figure.article-image img"))
        .next()
        .expect("the lead photo");
    assert_eq!(
        (attr(&lead, "width"), attr(&lead, "height")),
        (Some("1600"), Some("800"))
    );
}

#[test]
fn copies_no_build_used_for_three_months_leave_the_cache() {
    let site = photo_site();
    site.build();
    let dir = site.root().join(".bantin-cache/images");
    let entries = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("the cache folder")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|n| n.len() == 32)
            .collect();
        names.sort();
        names
    };
    let used = entries(&dir);
    assert_eq!(used.len(), 2, "two photos, two entries: {used:?}");
    let day = std::time::Duration::from_secs(24 * 3600);
    let now = SystemTime::now();
    let age = |entry: &str, days: u32| {
        let note = std::fs::File::options()
            .write(true)
            .open(dir.join(entry).join("meta"))
            .expect("the note of an entry");
        note.set_modified(now - day * days).expect("set the time");
    };
    let mtime = |entry: &str| {
        std::fs::metadata(dir.join(entry).join("meta"))
            .expect("stat")
            .modified()
            .expect("mtime")
    };
    // The copies of photos since replaced or deleted: one unused for 91 days, one for 10.
    let (old, recent) = (format!("{:032x}", 1), format!("{:032x}", 2));
    for (name, days) in [(&old, 91), (&recent, 10)] {
        let copy = dir.join(name);
        std::fs::create_dir_all(&copy).expect("mkdir");
        for file in std::fs::read_dir(dir.join(&used[0])).expect("an entry") {
            let file = file.expect("a file");
            std::fs::copy(file.path(), copy.join(file.file_name())).expect("copy");
        }
        age(name, days);
    }
    // A photo in use whose mark is 40 days old, and one marked 5 days ago.
    age(&used[0], 40);
    age(&used[1], 5);
    let five_days_ago = mtime(&used[1]);

    // The next build that has something to do (one with nothing changed does not even look).
    site.article(
        "2026/hop-dan-khu-pho-3.md",
        "Họp dân khu phố 3",
        "2026-05-10",
        "",
        "Khu phố 3 họp dân, bàn về vệ sinh môi trường.",
    );
    site.build();
    let left = entries(&dir);
    assert!(
        !left.contains(&old),
        "unused for 91 days: removed ({left:?})"
    );
    assert!(
        left.contains(&recent),
        "unused for 10 days: kept ({left:?})"
    );
    assert!(used.iter().all(|u| left.contains(u)), "{left:?}");
    assert!(
        now.duration_since(mtime(&used[0])).unwrap_or_default() < day,
        "a copy in use is marked as used again once its mark is a month old"
    );
    assert_eq!(mtime(&used[1]), five_days_ago, "not marked at every build");
    // The site still shows its photos.
    let page = site.page(URL);
    assert!(
        page.select(&sel("figure.article-image img"))
            .next()
            .is_some()
    );
}

#[test]
fn a_session_rebuild_reuses_the_photos() {
    let site = photo_site();
    let out = site.out();
    let mut session = pipeline::Session::new(site.options(&out), out.clone());
    session
        .rebuild()
        .unwrap_or_else(|e| panic!("{}", describe(&e)));
    let cached = site.cache_files();
    let index = site
        .root()
        .join(format!("content/articles/2026/{SLUG}/index.md"));
    let text = std::fs::read_to_string(&index).expect("read");
    std::fs::write(&index, format!("{text}\nBuổi lễ kết thúc lúc 10 giờ.\n")).expect("write");
    let summary = session
        .rebuild_paths(std::slice::from_ref(&index))
        .unwrap_or_else(|e| panic!("{}", describe(&e)));
    let page = format!("tin-tuc/{SLUG}/index.html");
    assert!(summary.written.contains(&page), "{:?}", summary.written);
    assert!(
        !summary
            .written
            .iter()
            .any(|f| f.ends_with(".jpg") || f.ends_with(".webp")),
        "photos written again: {:?}",
        summary.written
    );
    assert_eq!(site.cache_files(), cached);
    let html = String::from_utf8(site.output(&page)).expect("UTF-8");
    assert!(html.contains("10 giờ"));
    assert!(html.contains("cau-moi-480w.webp 480w"));
}

#[test]
fn transparent_png_stays_png_and_keeps_its_transparency() {
    let site = TestSite::new();
    site.article(
        "2026/so-do/index.md",
        "Sơ đồ",
        "2026-05-01",
        "",
        "![Sơ đồ khu phố](so-do.png)",
    );
    site.write(
        "content/articles/2026/so-do/so-do.png",
        &transparent_png(1000, 500),
    );
    site.build();
    let page = site.page("/tin-tuc/so-do/");
    let img = page.select(&sel(".content img")).next().expect("the image");
    assert_eq!(
        srcset(attr(&img, "srcset").expect("srcset")),
        vec![
            ("so-do-480w.png".to_string(), 480),
            ("so-do.png".to_string(), 1000)
        ]
    );
    let png = site.output("tin-tuc/so-do/so-do-480w.png");
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let reader = decoder.read_info().expect("a PNG");
    let info = reader.info();
    assert_eq!((info.width, info.height), (480, 240));
    assert_eq!(info.color_type, png::ColorType::Rgba);
    let (_, alpha) = Picture::webp(&site.output("tin-tuc/so-do/so-do-480w.webp"));
    assert!(alpha, "the WebP copy lost the transparency");
}

#[test]
fn a_photo_already_small_is_published_as_it_was_less_its_metadata() {
    let site = TestSite::new();
    site.article(
        "2026/nho/index.md",
        "Ảnh nhỏ",
        "2026-05-01",
        "image = \"nho.jpg\"\nimage_alt = \"Ảnh nhỏ\"\n",
        "Thân bài.",
    );
    let source = web_jpeg(800, 600);
    site.write("content/articles/2026/nho/nho.jpg", &source);
    site.build();
    let published = site.output("tin-tuc/nho/nho.jpg");
    assert!(
        !contains(&published, GPS_MARK),
        "the location was published"
    );
    assert!(published.len() < source.len());
    // Not encoded again: the very same pixels.
    let (a, b) = (Picture::jpeg(&published), Picture::jpeg(&source));
    assert_eq!((a.width, a.height), (800, 600));
    assert!(a.rgb == b.rgb, "the photo was encoded again");
    // The smaller copy is made as usual.
    assert_eq!(
        Picture::jpeg(&site.output("tin-tuc/nho/nho-480w.jpg")).width,
        480
    );
}

#[test]
fn two_photos_whose_copies_would_share_a_name_are_refused() {
    let site = TestSite::new();
    site.article(
        "2026/trung/index.md",
        "Trùng tên",
        "2026-05-01",
        "image = \"anh.jpg\"\nimage_alt = \"Ảnh\"\n",
        "Thân bài.",
    );
    site.write("content/articles/2026/trung/anh.jpg", &web_jpeg(64, 48));
    // Both would publish `anh-64w.webp`.
    site.write(
        "content/articles/2026/trung/anh.png",
        &transparent_png(64, 48),
    );
    let problems = site.build_failing();
    let clash: Vec<String> = problems
        .iter()
        .filter(|d| matches!(d.problem, Problem::ImageNameClash { .. }))
        .map(|d| d.to_string())
        .collect();
    assert_eq!(clash.len(), 1, "{problems:#?}");
    assert!(
        clash[0].contains("content/articles/2026/trung/anh.jpg")
            || clash[0].contains("content/articles/2026/trung/anh.png"),
        "{clash:?}"
    );
}

/// The line and column of a problem.
fn at(d: &Diagnostic) -> (usize, usize) {
    let l = d.location.as_ref().expect("a location");
    (l.line, l.column)
}

#[test]
fn a_missing_photo_or_description_is_reported_where_it_is_written() {
    let site = TestSite::new();
    // Front matter: lines 1–5; body from line 6.
    site.article(
        "2026/le-hoi/index.md",
        "Lễ hội",
        "2026-05-01",
        "",
        "Mở đầu.\n\nẢnh đầu: ![](anh-1.jpg)\n\n![Ảnh hai](anh-2.jpg) và ![  ](/images/khong-co.jpg)\n",
    );
    site.write(
        "content/articles/2026/le-hoi/anh-1.jpg",
        &phone_jpeg(64, 48, 1),
    );
    site.article(
        "2026/tet.md",
        "Tết",
        "2026-01-01",
        "image = \"/images/tet.jpg\"\n",
        "Tết.",
    );
    let problems = site.build_failing();
    let file = |d: &Diagnostic| d.file.to_string_lossy().replace('\\', "/");
    let found: Vec<(String, (usize, usize), String)> = problems
        .iter()
        .map(|d| (file(d), at(d), d.problem.to_string()))
        .collect();
    let expect = [
        (
            "content/articles/2026/le-hoi/index.md",
            (8, 10),
            "ảnh `anh-1.jpg` chưa có mô tả",
        ),
        (
            "content/articles/2026/le-hoi/index.md",
            (10, 1),
            "không tìm thấy tệp ảnh `anh-2.jpg`",
        ),
        (
            "content/articles/2026/le-hoi/index.md",
            (10, 26),
            "không tìm thấy tệp ảnh `/images/khong-co.jpg`",
        ),
        (
            "content/articles/2026/tet.md",
            (5, 10),
            "không tìm thấy tệp ảnh `/images/tet.jpg`",
        ),
    ];
    for (f, pos, message) in expect {
        assert!(
            found
                .iter()
                .any(|(ff, p, m)| ff == f && *p == pos && m == message),
            "{f}:{}:{} {message}\nnot among:\n{found:#?}",
            pos.0,
            pos.1
        );
    }
    let alt = problems
        .iter()
        .find(|d| matches!(d.problem, Problem::MissingImageText { .. }))
        .expect("the missing description");
    assert!(
        alt.problem
            .hint()
            .is_some_and(|h| h.contains("![Mô tả ảnh](anh-1.jpg)"))
    );
}

#[test]
fn a_corrupt_photo_is_a_clear_error_not_a_crash() {
    let site = TestSite::new();
    site.article(
        "2026/hong/index.md",
        "Ảnh hỏng",
        "2026-05-01",
        "image = \"bia.jpg\"\nimage_alt = \"Bìa\"\n",
        "Thân bài.\n\n![Ảnh cắt dở](cat-do.jpg)\n",
    );
    site.write(
        "content/articles/2026/hong/bia.jpg",
        b"this is not a photo at all",
    );
    // A real JPEG cut short after its headers.
    let whole = phone_jpeg(800, 600, 1);
    site.write("content/articles/2026/hong/cat-do.jpg", &whole[..700]);
    // A photo of the bundle that no text uses, but that would be published: checked too.
    site.write(
        "content/articles/2026/hong/thua.jpg",
        &[0xFF, 0xD8, 0xFF, 0xE0, 0, 4],
    );

    let problems = site.build_failing();
    let bad: Vec<&Diagnostic> = problems
        .iter()
        .filter(|d| matches!(d.problem, Problem::BadImage { .. }))
        .collect();
    let text: Vec<String> = bad.iter().map(|d| d.to_string()).collect();
    let cover = bad
        .iter()
        .find(|d| d.to_string().contains("bia.jpg"))
        .unwrap_or_else(|| panic!("{text:#?}"));
    assert_eq!(cover.file, Path::new("content/articles/2026/hong/index.md"));
    assert_eq!(at(cover), (5, 10), "the line of `image = \"bia.jpg\"`");
    assert!(
        cover
            .to_string()
            .contains("content/articles/2026/hong/bia.jpg"),
        "{text:#?}"
    );
    assert!(cover.problem.hint().is_some_and(|h| h.contains("JPEG")));
    let cut = bad.iter().find(|d| d.to_string().contains("cat-do.jpg"));
    if let Some(cut) = cut {
        assert_eq!(at(cut), (10, 1), "{text:#?}");
    }
    assert!(
        bad.iter()
            .any(|d| d.file == Path::new("content/articles/2026/hong/thua.jpg")),
        "{text:#?}"
    );
    // Nothing was published.
    assert!(!site.out().exists());
}

#[test]
fn the_cli_names_the_broken_photo_and_says_what_to_do() {
    let site = TestSite::new();
    site.article(
        "2026/hong/index.md",
        "Ảnh hỏng",
        "2026-05-01",
        "image = \"bia.jpg\"\nimage_alt = \"Bìa\"\n",
        "Thân bài.",
    );
    // An iPhone photo renamed to .jpg.
    site.write(
        "content/articles/2026/hong/bia.jpg",
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
    );
    let out = assert_cmd::Command::cargo_bin("bantin")
        .expect("the binary")
        .env("NO_COLOR", "1")
        .arg("--root")
        .arg(site.root())
        .arg("build")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("content/articles/2026/hong/index.md:5:10"),
        "{stderr}"
    );
    assert!(stderr.contains("HEIC"), "{stderr}");
    assert!(stderr.contains("lưu (xuất) lại thành tệp JPEG"), "{stderr}");
}
