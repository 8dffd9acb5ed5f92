//! A Caddyfile parser faithful to Caddy 2.
//!
//! The pipeline mirrors Caddy's own (`caddyconfig/caddyfile`, `httpcaddyfile`):
//!
//! 1. [`env`]: `{$VAR}` / `{$VAR:default}` are substituted on the raw text
//!    before lexing, while a map keeps every output byte pointing at its
//!    place in the original file;
//! 2. [`lexer`]: tokens with quoting, backticks, heredocs, comments, escapes
//!    and line continuations;
//! 3. [`parser`]: server blocks and directives (segments), with snippets,
//!    `import` of files, globs and snippet arguments expanded;
//! 4. [`http`]: the HTTP view: sites with their addresses, and the routes
//!    (`handle`, `handle_path`, `route`, `handle_errors`, bare directives)
//!    down to each `reverse_proxy` with its upstreams and transport.
//!
//! Every token keeps a [`Position`] in the file it was written in, also
//! after an `import`, so tools can point at the exact line and column.
//!
//! ```
//! let text = "example.com {\n\treverse_proxy web:8000\n}\n";
//! let file = caddyfile::parse_str("Caddyfile", text, &caddyfile::Env::empty()).unwrap();
//! let http = caddyfile::http::HttpConfig::from_caddyfile(&file).unwrap();
//! let proxy = &http.sites[0].routes[0].proxies()[0];
//! assert_eq!(proxy.upstreams[0].dial, "web:8000");
//! assert_eq!(proxy.upstreams[0].position.line, 2);
//! ```

mod address;
pub mod env;
pub mod error;
pub mod http;
pub mod lexer;
pub mod parser;
mod source;
mod upstream;

pub use env::Env;
pub use error::Error;
pub use parser::{
    parse_file, parse_file_in, parse_file_within, parse_str, Caddyfile, Directive, ReadLimit,
    ServerBlock, SkippedImport,
};
pub use sourcefs::{Disk, FileSystem, MemoryFiles};

use std::path::PathBuf;
use std::sync::Arc;

/// Where a token was written: the file (as given or as imported), the line
/// (1-based) and the column (1-based, counted in characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Position {
    pub file: Arc<PathBuf>,
    pub line: u32,
    pub column: u32,
}

/// One token of a Caddyfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token's text after unquoting (quotes removed, `\"` unescaped).
    pub text: String,
    pub position: Position,
    /// `true` when the token was written in `"…"`, backticks or a heredoc.
    pub quoted: bool,
    /// The chain of `import`s that brought this token in (outermost first),
    /// empty for tokens of the top-level file.
    pub import_chain: Vec<Position>,
}
