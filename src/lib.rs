//! bantin: a static site generator for the news website of a Vietnamese ward or commune.
//!
//! The library is one pipeline (see `docs/architecture.md`):
//! [`content`] loads and parses files → [`site`] resolves articles, officials, departments and
//! their links → [`plan`] lists every output page → [`render`] fills the theme's templates in
//! parallel → [`output`] writes through a staging folder. [`pipeline`] runs the stages;
//! [`vietnamese`] owns every Vietnamese text rule; the binary (`src/main.rs`) only parses
//! arguments and prints.

pub mod check;
pub mod config;
pub mod content;
pub mod encoding;
pub mod error;
pub mod feeds;
pub mod fingerprint;
pub mod images;
pub mod init;
pub mod inputs;
pub mod links;
pub mod markdown;
pub mod mentions;
pub mod output;
pub mod parse;
pub mod people;
pub mod pipeline;
pub mod plan;
pub mod render;
pub mod scaffold;
pub mod schedule;
pub mod search;
pub mod serve;
pub mod site;
pub mod sitemap;
pub mod theme;
pub mod urls;
pub mod vietnamese;
pub mod watch;
