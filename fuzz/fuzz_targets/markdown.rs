//! cargo-fuzz target `markdown`: the body is shared with `tests/fuzz_regressions.rs` (see
//! `fuzz/src/lib.rs` and docs/fuzzing.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bantin_fuzz::markdown(data));
