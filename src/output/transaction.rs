//! One write of a site into its output folder, all or nothing.
//!
//! Pages are handed over one by one as they are rendered, in parallel ([`Transaction::page`]):
//! a page whose bytes the folder already holds is dropped at once; any other is written into a
//! staging folder beside the output, so a whole site's pages never sit in memory together.
//! Nothing in the output folder changes until [`Transaction::commit`], which copies the static
//! files into staging too, then moves every staged file into place and removes the files that
//! are no longer part of the site. An error, or a stop asked for before the commit, leaves the
//! folder exactly as it was (dropping the transaction removes the staging folder).
//!
//! Into a folder without bantin's marker (new, empty, or replaced with `--force`), staging
//! receives the whole site and is swapped in as one folder.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use ahash::AHashSet;
use rayon::prelude::*;

use super::state::{Meta, OutputState, Stamp};
use super::{MARKER, OutputError, Refusal, io, safe_join, sibling, source_fingerprint, swap_in};
use crate::fingerprint::{self, Digest};
use crate::plan::{AssetSource, CopyJob};
use crate::render::{RenderedPage, Stop};

/// What a commit changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Site-relative paths written (new or changed bytes).
    pub written: Vec<String>,
    /// Site-relative paths removed (no longer part of the site).
    pub removed: Vec<String>,
    /// Files whose entry in the state changed (written, or made from new inputs).
    pub restamped: usize,
}

/// A file whose stamp changes with this write.
struct Update {
    file: String,
    stamp: Stamp,
    /// Written into staging (else the folder already holds these bytes).
    staged: bool,
}

/// See the module documentation.
pub struct Transaction<'a> {
    output: PathBuf,
    staging: PathBuf,
    state: OutputState,
    /// Staging holds the whole site, swapped in as one folder.
    whole: bool,
    stop: Option<&'a AtomicBool>,
    updates: Mutex<Vec<Update>>,
    error: Mutex<Option<OutputError>>,
    /// Staging folders made so far: each is made once (making one that exists still locks
    /// its parent in the kernel, and ten thousand pages share `tim-kiem/bai/`).
    made: Mutex<AHashSet<String>>,
    /// Pages handed to [`Transaction::page`], and pages and copies found in the state: when
    /// every page came through once and the state holds no other file, nothing is to be
    /// removed, which the commit then knows without looking up every file again.
    seen: AtomicUsize,
    present: AtomicUsize,
    done: bool,
}

impl<'a> Transaction<'a> {
    /// Start writing into `output`, which holds what `state` says (it is checked against the
    /// folder first unless already trusted). When `stop` becomes true, rendering stops and the
    /// commit refuses: the folder is left as it was.
    pub fn begin(output: &Path, mut state: OutputState, stop: Option<&'a AtomicBool>) -> Self {
        let whole = !output.join(MARKER).is_file();
        if whole {
            state = OutputState::default();
        } else if !state.verified {
            state.verify(output);
        }
        // Staging folders are made as files are staged; one left by a killed build goes first.
        let staging = sibling(output, "bantin-staging");
        let mut error = None;
        if staging.exists()
            && let Err(e) = std::fs::remove_dir_all(&staging)
        {
            error = Some(io(&staging)(e));
        }
        Transaction {
            output: output.to_path_buf(),
            staging,
            state,
            whole,
            stop,
            updates: Mutex::new(Vec::new()),
            error: Mutex::new(error),
            made: Mutex::new(AHashSet::new()),
            seen: AtomicUsize::new(0),
            present: AtomicUsize::new(0),
            done: false,
        }
    }

    /// What the folder holds (for deciding which pages need rendering).
    pub fn state(&self) -> &OutputState {
        &self.state
    }

    /// Give up: the folder was not touched; here is its state back.
    pub fn abort(mut self) -> OutputState {
        std::mem::take(&mut self.state)
    }

    fn stopped(&self) -> bool {
        self.stop.is_some_and(|s| s.load(Ordering::SeqCst))
    }

    fn fail(&self, e: OutputError) -> Stop {
        let mut error = self.error.lock().unwrap_or_else(|p| p.into_inner());
        error.get_or_insert(e);
        Stop
    }

    fn take_error(&mut self) -> Option<OutputError> {
        self.error
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    fn record(&self, update: Update) {
        self.updates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(update);
    }

    /// Take a rendered page: drop its bytes if the folder holds them already, else stage them.
    /// A page without bytes (not rendered) is left for the commit to check. [`Stop`] means the
    /// transaction failed or was asked to stop: [`Transaction::commit`] will say why.
    pub fn page(&self, page: &mut RenderedPage) -> Result<(), Stop> {
        if self.stopped() {
            return Err(self.fail(OutputError::Interrupted));
        }
        self.seen.fetch_add(1, Ordering::Relaxed);
        let old = self.state.files.get(&page.file);
        if old.is_some() {
            self.present.fetch_add(1, Ordering::Relaxed);
        }
        let Some(bytes) = page.bytes.take() else {
            // Not rendered: its bytes are those of the folder, but it may now be known by a
            // new key (made from other inputs that gave the same context).
            let Some(old) = old else {
                // Not rendered, yet never written: only a caller's mistake gets here.
                return Err(self.fail(OutputError::Dangerous {
                    path: PathBuf::from(&page.file),
                    reason: Refusal::NotRendered,
                }));
            };
            if (old.key, old.fingerprint) != (page.stamp.key, page.stamp.fingerprint) {
                self.record(Update {
                    file: page.file.clone(),
                    stamp: Stamp {
                        key: page.stamp.key,
                        fingerprint: page.stamp.fingerprint,
                        ..*old
                    },
                    staged: false,
                });
            }
            return Ok(());
        };
        let digest = fingerprint::of_bytes(&bytes);
        let stamp = |meta| Stamp {
            key: page.stamp.key,
            fingerprint: page.stamp.fingerprint,
            digest,
            meta,
        };
        match self.put(&page.file, old, &bytes, digest) {
            Ok((meta, staged)) => {
                let stamp = stamp(meta);
                if staged || old != Some(&stamp) {
                    self.record(Update {
                        file: page.file.clone(),
                        stamp,
                        staged,
                    });
                }
                Ok(())
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Stage `bytes` for `rel` (whose stamp in the state is `old`) unless the folder holds them
    /// already. Returns the file's size and time as they will be in the folder, and whether it
    /// was staged.
    fn put(
        &self,
        rel: &str,
        old: Option<&Stamp>,
        bytes: &[u8],
        digest: Digest,
    ) -> Result<(Meta, bool), OutputError> {
        let bad_path = || OutputError::Dangerous {
            path: PathBuf::from(rel),
            reason: Refusal::Escapes,
        };
        let dest = safe_join(&self.staging, rel).ok_or_else(bad_path)?;
        if !self.whole {
            if let Some(old) = old
                && old.digest == digest
            {
                return Ok((old.meta, false));
            }
            if let Some(meta) = self.state.unknown.get(rel)
                && meta.len == bytes.len() as u64
                && let Some(path) = safe_join(&self.output, rel)
                && std::fs::read(&path).is_ok_and(|old| old == bytes)
            {
                return Ok((*meta, false));
            }
        }
        // Known by its site-relative name (`tin-tuc/x`): cheaper to hash than a path.
        let folder = rel.rsplit_once('/').map_or("", |(folder, _)| folder);
        let made = || self.made.lock().unwrap_or_else(|p| p.into_inner());
        let known = made().contains(folder);
        if !known && let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
            made().insert(folder.to_string());
        }
        let mut file = std::fs::File::create(&dest).map_err(io(&dest))?;
        std::io::Write::write_all(&mut file, bytes).map_err(io(&dest))?;
        let meta = file.metadata().map_err(io(&dest))?;
        Ok((Meta::of(&meta), true))
    }

    /// Copy what changed of `copies` into staging, then move every staged file into the
    /// output folder and remove the files that are not part of the site (`pages` and
    /// `copies`). `changed` are source files known to have changed (a copy of one of them is
    /// compared with its source even if its size and time look the same). Returns what changed
    /// and the state of the folder: the new one, or on error the old one (or, if the folder
    /// was half changed, one that will be checked against it).
    pub fn commit(
        mut self,
        pages: &[RenderedPage],
        copies: &[CopyJob],
        changed: &HashSet<PathBuf>,
    ) -> (Result<SyncReport, OutputError>, OutputState) {
        let result = self.commit_inner(pages, copies, changed);
        let mut state = std::mem::take(&mut self.state);
        match &result {
            Ok(_) => {}
            Err(OutputError::Io { .. }) if self.done => {
                // Moving files in failed half way: trust nothing, compare everything next time.
                state = OutputState::default();
            }
            Err(_) => {}
        }
        (result, state)
    }

    fn commit_inner(
        &mut self,
        pages: &[RenderedPage],
        copies: &[CopyJob],
        changed: &HashSet<PathBuf>,
    ) -> Result<SyncReport, OutputError> {
        if let Some(e) = self.take_error() {
            return Err(e);
        }
        let mut wanted: AHashSet<&str> = AHashSet::with_capacity(pages.len() + copies.len());
        wanted.extend(pages.iter().map(|p| p.file.as_str()));
        let distinct_pages = wanted.len() == pages.len();
        let copies: Vec<&CopyJob> = copies
            .iter()
            .filter(|c| !wanted.contains(c.to.as_str()))
            .collect();
        wanted.extend(copies.iter().map(|c| c.to.as_str()));
        let distinct = distinct_pages && wanted.len() == pages.len() + copies.len();
        copies.par_iter().try_for_each(|c| self.copy(c, changed))?;
        for p in pages.iter().filter(|p| p.bytes.is_some()) {
            // Not handed to `page`: stage it now.
            let _ = self.page(&mut p.clone());
        }
        if *self.seen.get_mut() != pages.len() {
            // Some pages were not handed to `page`, which checks that a page without bytes is
            // in the folder: check them here.
            let updated: AHashSet<&str> = self
                .updates
                .get_mut()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|u| u.file.as_str())
                .collect();
            if let Some(p) = pages.iter().find(|p| {
                !self.state.files.contains_key(&p.file) && !updated.contains(p.file.as_str())
            }) {
                // Not rendered, yet never written: only a caller's mistake gets here.
                return Err(OutputError::Dangerous {
                    path: PathBuf::from(&p.file),
                    reason: Refusal::NotRendered,
                });
            }
        }
        if let Some(e) = self.take_error() {
            return Err(e);
        }
        // The last moment to stop: from here on the folder changes.
        if self.stopped() {
            return Err(OutputError::Interrupted);
        }
        let mut updates = std::mem::take(self.updates.get_mut().unwrap_or_else(|p| p.into_inner()));
        updates.sort_unstable_by(|a, b| a.file.cmp(&b.file));
        // Every file the state holds was found among the distinct pages and copies, each
        // handed over once: none is to be removed.
        let nothing_gone = distinct
            && *self.seen.get_mut() == pages.len()
            && self.state.unknown.is_empty()
            && *self.present.get_mut() == self.state.files.len();
        self.done = true;
        let mut removed = Vec::new();
        if self.whole {
            std::fs::write(
                self.staging.join(MARKER),
                b"This folder is written by bantin.\n",
            )
            .map_err(io(&self.staging))?;
            swap_in(&self.staging, &self.output)?;
            self.state.files.clear();
        } else {
            // Folders first (each once), then the moves.
            let dirs: HashSet<&Path> = updates
                .iter()
                .filter(|u| u.staged)
                .filter_map(|u| Path::new(&u.file).parent())
                .filter(|d| !d.as_os_str().is_empty())
                .collect();
            for d in dirs {
                let d = self.output.join(d);
                std::fs::create_dir_all(&d).map_err(io(&d))?;
            }
            updates.par_iter().filter(|u| u.staged).try_for_each(|u| {
                let to = self.output.join(&u.file);
                std::fs::rename(self.staging.join(&u.file), &to).map_err(io(&to))
            })?;
            let gone: Vec<String> = if nothing_gone {
                Vec::new()
            } else {
                self.state
                    .files
                    .keys()
                    .chain(self.state.unknown.keys())
                    .filter(|f| !wanted.contains(f.as_str()))
                    .cloned()
                    .collect()
            };
            for rel in gone {
                let Some(path) = safe_join(&self.output, &rel) else {
                    continue;
                };
                match std::fs::remove_file(&path) {
                    Ok(()) => removed.push(rel.clone()),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io(&path)(e)),
                }
                self.state.files.remove(&rel);
                // Folders left empty, up to the output folder.
                let mut dir = path.parent();
                while let Some(d) = dir.filter(|d| *d != self.output && d.starts_with(&self.output))
                {
                    if std::fs::remove_dir(d).is_err() {
                        break;
                    }
                    dir = d.parent();
                }
            }
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        self.state.unknown.clear();
        self.state.verified = true;
        // What the folder was built from is for the caller to say again.
        self.state.record = None;
        let mut written = Vec::new();
        let restamped = updates.len();
        for u in updates {
            if u.staged {
                written.push(u.file.clone());
            }
            self.state.files.insert(u.file, u.stamp);
        }
        removed.sort();
        Ok(SyncReport {
            written,
            removed,
            restamped,
        })
    }

    /// Stage a copied file unless the folder holds it already.
    fn copy(&self, c: &CopyJob, changed: &HashSet<PathBuf>) -> Result<(), OutputError> {
        let fingerprint = source_fingerprint(&c.from);
        let reported = matches!(&c.from, AssetSource::File(p) if changed.contains(p));
        let old = self.state.files.get(&c.to);
        if old.is_some() {
            self.present.fetch_add(1, Ordering::Relaxed);
        }
        if !self.whole && !reported && old.is_some_and(|s| s.fingerprint == fingerprint) {
            return Ok(());
        }
        let bytes: std::borrow::Cow<[u8]> = match &c.from {
            AssetSource::Embedded(b) => std::borrow::Cow::Borrowed(b),
            AssetSource::File(src) => std::borrow::Cow::Owned(std::fs::read(src).map_err(io(src))?),
        };
        let digest = fingerprint::of_bytes(&bytes);
        let (meta, staged) = self.put(&c.to, old, &bytes, digest)?;
        let stamp = Stamp {
            key: None,
            fingerprint,
            digest,
            meta,
        };
        if staged || old != Some(&stamp) {
            self.record(Update {
                file: c.to.clone(),
                stamp,
                staged,
            });
        }
        Ok(())
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.staging.exists() {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}
