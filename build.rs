//! Rebuild the binary when the built-in theme changes: it is embedded with `include_dir!`,
//! which does not tell Cargo which files it read.
fn main() {
    println!("cargo:rerun-if-changed=themes/phuong");
}
