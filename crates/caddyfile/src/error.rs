//! The crate's one error type. Every syntax error names file, line and column.

use crate::Position;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not UTF-8 text (invalid byte at offset {byte})")]
    NotUtf8 { path: PathBuf, byte: usize },
    /// A syntax or semantic error, with Caddy's wording where Caddy has one.
    #[error("{}:{}:{}: {message}", position.file.display(), position.line, position.column)]
    Syntax { position: Position, message: String },
}

impl Error {
    /// Where the error is, when it points into a file.
    pub fn position(&self) -> Option<&Position> {
        match self {
            Error::Syntax { position, .. } => Some(position),
            _ => None,
        }
    }
}
