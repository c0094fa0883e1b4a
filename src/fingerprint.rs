//! **Fingerprints**: 128-bit digests that say whether something changed since the last build.
//!
//! `watch` and `serve` keep, for every output file, the fingerprint of what it was made from
//! (a page's template and context, a copied file's source) and the digest of the bytes written.
//! A page whose fingerprint did not change is not rendered again; a file whose bytes did not
//! change is not written again. xxh3 is not cryptographic, but nothing here is adversarial: a
//! collision would at worst leave one page stale until the next change to it.

use tera::Value;

/// A 128-bit digest.
pub type Digest = u128;

/// The digest of some bytes.
pub fn of_bytes(bytes: &[u8]) -> Digest {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// Strings longer than this are digested on their own and only their digest is buffered.
const LONG: usize = 512;

/// Builds a digest from a sequence of parts. Every part is length- or tag-prefixed, so
/// different sequences cannot produce the same stream of bytes. Parts are gathered in a buffer
/// and digested once: far faster than feeding a streaming hasher many small pieces.
#[derive(Default, Clone)]
pub struct Fingerprinter(Vec<u8>);

impl Fingerprinter {
    pub fn new() -> Fingerprinter {
        Fingerprinter(Vec::with_capacity(4096))
    }

    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        if bytes.len() > LONG {
            self.0.push(0xFF);
            return self.digest(of_bytes(bytes));
        }
        self.0
            .extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        self.0.extend_from_slice(bytes);
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    pub fn u64(&mut self, n: u64) -> &mut Self {
        self.0.extend_from_slice(&n.to_le_bytes());
        self
    }

    /// A list of indexes (ids), with its length.
    pub fn ids(&mut self, ids: impl ExactSizeIterator<Item = usize>) -> &mut Self {
        self.u64(ids.len() as u64);
        for id in ids {
            self.u64(id as u64);
        }
        self
    }

    pub fn digest(&mut self, d: Digest) -> &mut Self {
        self.0.extend_from_slice(&d.to_le_bytes());
        self
    }

    /// A template value, structurally: strings with their "safe" mark, maps in order.
    pub fn value(&mut self, v: &Value) -> &mut Self {
        self.value_with(v, &Memo::default())
    }

    /// [`Fingerprinter::value`], taking the digests of maps known to `memo` instead of walking
    /// them again.
    pub fn value_with(&mut self, v: &Value, memo: &Memo) -> &mut Self {
        use tera::value::ValueKind as K;
        if let Some(d) = memo.get(v) {
            self.0.push(9);
            return self.digest(d);
        }
        match v.kind() {
            K::String => {
                self.0.extend_from_slice(&[1, u8::from(v.is_safe())]);
                self.str(v.as_str().unwrap_or_default());
            }
            K::Array => {
                let items = v.as_array().unwrap_or_default();
                self.0.extend_from_slice(&[2]);
                self.u64(items.len() as u64);
                for item in items {
                    self.value_with(item, memo);
                }
            }
            K::Map => {
                self.0.extend_from_slice(&[3]);
                if let Some(map) = v.as_map() {
                    self.u64(map.len() as u64);
                    for (key, item) in map {
                        match key.as_str() {
                            Some(k) => self.str(k),
                            None => self.str(&key.to_string()),
                        };
                        self.value_with(item, memo);
                    }
                }
            }
            K::Bool => {
                self.0
                    .extend_from_slice(&[4, u8::from(v.as_bool().unwrap_or_default())]);
            }
            K::Bytes => {
                self.0.extend_from_slice(&[5]);
                self.bytes(v.as_bytes().unwrap_or_default());
            }
            K::None => {
                self.0.extend_from_slice(&[6]);
            }
            K::Undefined => {
                self.0.extend_from_slice(&[7]);
            }
            // Numbers (and any kind Tera adds later): Display is exact for integers and
            // round-trips floats.
            _ => {
                self.0.extend_from_slice(&[8]);
                self.str(&v.to_string());
            }
        }
        self
    }

    pub fn finish(&self) -> Digest {
        of_bytes(&self.0)
    }
}

/// The digests of template values shared by many pages (the site block, article summaries),
/// computed once per build. Values are known by the address of their map: clones of a
/// [`Value`] share it, and the values remembered outlive every lookup (they belong to the
/// render stage's shared data), so an address cannot be reused for another map meanwhile.
#[derive(Debug, Default)]
pub struct Memo(std::collections::HashMap<usize, Digest>);

impl Memo {
    fn address(v: &Value) -> Option<usize> {
        v.as_map().map(|m| std::ptr::from_ref(m) as usize)
    }

    /// Remember the digest of `v` (a map; anything else is ignored).
    pub fn remember(&mut self, v: &Value) {
        if let Some(address) = Memo::address(v) {
            let digest = Fingerprinter::new().value_with(v, self).finish();
            self.0.insert(address, digest);
        }
    }

    /// [`Memo::remember`] each of `values`, digesting them in parallel; returns their digests.
    pub fn remember_all(&mut self, values: &[Value]) -> Vec<Digest> {
        use rayon::prelude::*;
        let memo: &Memo = self;
        let digests: Vec<(Option<usize>, Digest)> = values
            .par_iter()
            .map(|v| {
                let digest = Fingerprinter::new().value_with(v, memo).finish();
                (Memo::address(v), digest)
            })
            .collect();
        let mut out = Vec::with_capacity(digests.len());
        for (address, digest) in digests {
            if let Some(a) = address {
                self.0.insert(a, digest);
            }
            out.push(digest);
        }
        out
    }

    fn get(&self, v: &Value) -> Option<Digest> {
        if self.0.is_empty() {
            return None;
        }
        Memo::address(v).and_then(|a| self.0.get(&a).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn fp(v: &Value) -> Digest {
        Fingerprinter::new().value(v).finish()
    }

    #[test]
    fn values_differing_anywhere_differ() {
        let a = Value::from(BTreeMap::from([
            ("a", Value::from("x")),
            ("b", Value::from(1)),
        ]));
        let b = Value::from(BTreeMap::from([
            ("a", Value::from("x")),
            ("b", Value::from(2)),
        ]));
        let c = Value::from(BTreeMap::from([
            ("a", Value::safe_string("x")),
            ("b", Value::from(1)),
        ]));
        assert_ne!(fp(&a), fp(&b));
        assert_ne!(
            fp(&a),
            fp(&c),
            "the safe mark changes escaping, so it counts"
        );
        assert_eq!(fp(&a), fp(&a.clone()));
    }

    #[test]
    fn remembered_values_count_by_their_digest() {
        let shared = Value::from(BTreeMap::from([("title", Value::from("Tin"))]));
        let page = |v: &Value| Value::from(vec![v.clone(), Value::from(1)]);
        let mut memo = Memo::default();
        memo.remember(&shared);
        let with = |v: &Value, memo: &Memo| Fingerprinter::new().value_with(v, memo).finish();
        assert_eq!(with(&page(&shared), &memo), with(&page(&shared), &memo));
        let other = Value::from(BTreeMap::from([("title", Value::from("Khác"))]));
        assert_ne!(with(&page(&shared), &memo), with(&page(&other), &memo));
    }

    #[test]
    fn parts_are_delimited() {
        let ab_c = Fingerprinter::new().str("ab").str("c").finish();
        let a_bc = Fingerprinter::new().str("a").str("bc").finish();
        assert_ne!(ab_c, a_bc);
        let arr = |xs: &[&str]| Value::from(xs.iter().map(|x| Value::from(*x)).collect::<Vec<_>>());
        assert_ne!(fp(&arr(&["a", "b"])), fp(&arr(&["ab"])));
        assert_ne!(fp(&Value::none()), fp(&Value::from("")));
    }
}
