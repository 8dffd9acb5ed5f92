//! An nginx configuration parser that keeps positions.
//!
//! 1. [`lexer`]: words, quotes, `;` `{` `}`, comments, `${var}`;
//! 2. [`parser`]: directives and blocks, `include` globs expanded relative
//!    to the prefix (container paths through the mounts) within read limits;
//! 3. [`http`]: the HTTP view: servers with `listen` and `server_name`,
//!    their locations in nginx's matching order, and the upstream targets of
//!    `proxy_pass`/`fastcgi_pass`/`uwsgi_pass`/`grpc_pass` (through
//!    `upstream {}` pools and `set` variables), with the timeouts in force.
//!
//! ```
//! let text = "http {\n  server {\n    listen 80;\n    location / { proxy_pass http://web:8000; }\n  }\n}\n";
//! let directives = nginx::parse_str("nginx.conf", text).unwrap();
//! let view = nginx::http::HttpView::from_directives(&directives);
//! let target = &view.servers[0].routes[0].pass.targets[0];
//! assert_eq!((target.host.as_str(), target.port), ("web", Some(8000)));
//! assert_eq!(target.position.line, 4);
//! ```

pub mod error;
pub mod http;
pub mod lexer;
pub mod parser;

pub use error::Error;
pub use parser::{
    parse_file, parse_file_in, parse_str, Arg, Config, Directive, ReadOptions, SkipReason,
    SkippedInclude,
};
pub use sourcefs::{Disk, FileSystem, MemoryFiles};

use std::path::Path;
use std::sync::Arc;

/// Where a token was written: file, line and column (1-based, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub file: Arc<Path>,
    pub line: u32,
    pub column: u32,
}
