//! What bantin wrote into an output folder, file by file: the fingerprint of what each file was
//! made from, the digest of its bytes, and its size and modification time as the folder showed
//! them after the write.
//!
//! `watch` and `serve` keep it in memory between rebuilds. A build saves it in the site's
//! `.bantin-cache/` (not in the output folder, which is published as it is), and the next build
//! or session loads it and checks it against the folder: a file whose size or modification
//! time differs from what was saved (edited or replaced by hand, or by a build that was killed)
//! is not trusted and is compared byte for byte instead. With a trusted state a build renders
//! only pages whose inputs changed and writes only files whose bytes changed.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use ahash::AHashMap;

use super::{MARKER, OutputError, io};
use crate::fingerprint::{self, Digest};
use crate::render::PageStamp;

/// Size and modification time (nanoseconds since 1970) of a file in the output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Meta {
    pub len: u64,
    pub mtime: u128,
}

impl Meta {
    pub fn of(meta: &std::fs::Metadata) -> Meta {
        Meta {
            len: meta.len(),
            mtime: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos()),
        }
    }
}

/// One file of the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    /// For pages: their key (see [`PageStamp`]).
    pub key: Option<Digest>,
    pub fingerprint: Digest,
    /// Digest of the bytes.
    pub digest: Digest,
    pub meta: Meta,
}

/// What an output folder holds, as bantin last wrote it. See the module documentation.
#[derive(Debug, Default, Clone)]
pub struct OutputState {
    pub(super) files: AHashMap<String, Stamp>,
    /// Files found in the folder that the state cannot vouch for, with their size and time:
    /// compared with what the next write makes, removed if they are not part of the site.
    pub(super) unknown: AHashMap<String, Meta>,
    /// Whether `files` and `unknown` were checked against the folder since they were loaded
    /// (a state kept in memory by a session is trusted while the folder keeps its marker).
    pub(super) verified: bool,
    /// What the build that saved the state was made from (see [`BuildRecord`]); dropped as
    /// soon as anything is written.
    pub(super) record: Option<BuildRecord>,
    /// Number of files the state held when it was loaded.
    loaded: usize,
}

/// What a build was made from, saved with its output state so that the next build can tell
/// that nothing changed without reading a single source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildRecord {
    /// See [`crate::inputs::digest`].
    pub inputs: Digest,
    /// Until when the site it made stays current (seconds since 1970).
    pub valid_until: i64,
    /// Pages, articles, officials, departments: for the summary of a build with nothing to do.
    pub counts: [usize; 4],
}

/// First line of a saved state; the number changes with the format.
const HEADER: &str = "bantin output state 2";

impl OutputState {
    /// What the page at `file` (site-relative) was last written from.
    pub fn page(&self, file: &str) -> Option<PageStamp> {
        self.files.get(file).map(|s| PageStamp {
            key: s.key,
            fingerprint: s.fingerprint,
        })
    }

    /// Check the state against the folder again before the next write (see
    /// [`OutputState::verify`]); for a full rescan, which must put back files changed by hand.
    pub fn distrust(&mut self) {
        self.verified = false;
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Number of files the state vouches for.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Say what the build that wrote this state was made from (saved by [`OutputState::save`]).
    pub fn set_record(&mut self, record: BuildRecord) {
        self.record = Some(record);
    }

    /// The record of the build that left the folder, if the folder is exactly as it left it
    /// (checked against the folder first) and that build was made from `inputs` and is still
    /// current at `now` (seconds since 1970): then there is nothing to do.
    pub fn unchanged(&mut self, output: &Path, inputs: Digest, now: i64) -> Option<BuildRecord> {
        let record = self
            .record
            .filter(|r| r.inputs == inputs && now < r.valid_until)?;
        if !self.verified {
            self.verify(output);
        }
        (self.unknown.is_empty() && self.files.len() == self.loaded).then_some(record)
    }

    /// Where the state of builds of the site at `root` into `output` is saved.
    pub fn path(root: &Path, output: &Path) -> PathBuf {
        let id = fingerprint::of_bytes(output.to_string_lossy().as_bytes()) as u64;
        root.join(crate::images::CACHE_DIR)
            .join("output")
            .join(format!("{id:016x}.tsv"))
    }

    /// The state saved by the last build of `root` into `output`, not yet checked against the
    /// folder. Made by another bantin or with other options (`generator` differs), it still
    /// says which bytes each file holds, but no page is skipped unrendered on its word.
    pub fn load(root: &Path, output: &Path, generator: Digest) -> OutputState {
        let mut state = OutputState::default();
        let Ok(text) = std::fs::read_to_string(Self::path(root, output)) else {
            return state;
        };
        let mut lines = text.lines();
        let Some(mut header) = lines
            .next()
            .and_then(|h| h.strip_prefix(HEADER))
            .map(|h| h.split('\t'))
        else {
            return state;
        };
        let _ = header.next();
        let same_generator = header.next() == Some(&format!("{generator:032x}"));
        if same_generator {
            state.record = parse_record(header);
        }
        for line in lines {
            let Some((file, stamp)) = parse_line(line) else {
                // A damaged file: trust none of it.
                return OutputState::default();
            };
            let stamp = if same_generator {
                stamp
            } else {
                Stamp {
                    key: None,
                    fingerprint: 0,
                    ..stamp
                }
            };
            state.files.insert(file.to_string(), stamp);
        }
        state.loaded = state.files.len();
        state
    }

    /// Save the state for the next build (written beside, then renamed). Paths with tabs or
    /// line breaks are left out: those files are compared byte for byte next time.
    pub fn save(&self, root: &Path, output: &Path, generator: Digest) -> Result<(), OutputError> {
        let path = Self::path(root, output);
        let dir = path.parent().unwrap_or(root);
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut text = Vec::with_capacity(64 + self.files.len() * 140);
        let _ = write!(text, "{HEADER}\t{generator:032x}");
        if let Some(r) = &self.record {
            let [pages, articles, officials, departments] = r.counts;
            let _ = write!(
                text,
                "\t{:032x}\t{}\t{pages}\t{articles}\t{officials}\t{departments}",
                r.inputs, r.valid_until
            );
        }
        text.push(b'\n');
        let mut files: Vec<_> = self.files.iter().collect();
        files.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (file, s) in files {
            if file.contains(['\t', '\n', '\r']) {
                continue;
            }
            let _ = write!(text, "{:032x}\t{:032x}\t", s.digest, s.fingerprint);
            match s.key {
                Some(k) => {
                    let _ = write!(text, "{k:032x}");
                }
                None => text.push(b'-'),
            }
            let _ = writeln!(text, "\t{}\t{}\t{file}", s.meta.len, s.meta.mtime);
        }
        let tmp = path.with_extension("tsv.tmp");
        std::fs::write(&tmp, &text).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))
    }

    /// Check the state against the folder: a file whose size or modification time is not what
    /// the state says, or that the state does not know, becomes unknown; a file missing from
    /// the folder is forgotten. A folder without bantin's marker is not trusted at all.
    pub fn verify(&mut self, output: &Path) {
        self.verified = true;
        self.unknown.clear();
        if !output.join(MARKER).is_file() {
            self.files.clear();
        }
        let mut on_disk: AHashMap<String, Meta> = AHashMap::with_capacity(self.files.len());
        for entry in walkdir::WalkDir::new(output)
            .min_depth(1)
            .into_iter()
            .filter_map(Result::ok)
        {
            if entry.file_type().is_dir() {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(output) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if rel == MARKER {
                continue;
            }
            // A symbolic link is never bantin's: its time is the link's, not the file's.
            let meta = match entry.metadata() {
                Ok(m) if m.is_file() => Meta::of(&m),
                _ => Meta::default(),
            };
            on_disk.insert(rel, meta);
        }
        self.files
            .retain(|file, stamp| on_disk.get(file).is_some_and(|m| *m == stamp.meta));
        on_disk.retain(|file, _| !self.files.contains_key(file));
        self.unknown = on_disk;
    }
}

fn parse_record<'a>(mut parts: impl Iterator<Item = &'a str>) -> Option<BuildRecord> {
    let inputs = u128::from_str_radix(parts.next()?, 16).ok()?;
    let valid_until = parts.next()?.parse().ok()?;
    let mut counts = [0; 4];
    for c in &mut counts {
        *c = parts.next()?.parse().ok()?;
    }
    Some(BuildRecord {
        inputs,
        valid_until,
        counts,
    })
}

fn parse_line(line: &str) -> Option<(&str, Stamp)> {
    let mut parts = line.splitn(6, '\t');
    let hex = |s: &str| u128::from_str_radix(s, 16).ok();
    let digest = hex(parts.next()?)?;
    let fingerprint = hex(parts.next()?)?;
    let key = match parts.next()? {
        "-" => None,
        k => Some(hex(k)?),
    };
    let len = parts.next()?.parse().ok()?;
    let mtime = parts.next()?.parse().ok()?;
    let file = parts.next()?;
    Some((
        file,
        Stamp {
            key,
            fingerprint,
            digest,
            meta: Meta { len, mtime },
        },
    ))
}
