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
    /// A syntax error or a broken limit, worded like `nginx -t` where nginx has a wording.
    #[error("{}:{}:{}: {message}", position.file.display(), position.line, position.column)]
    Syntax { position: Position, message: String },
}

impl Error {
    /// Where the error is, when it points into a file.
    pub fn position(&self) -> Option<&Position> {
        match self {
            Error::Syntax { position, .. } => Some(position),
            Error::Io { .. } => None,
        }
    }

    /// The message without the position prefix.
    pub fn message(&self) -> String {
        match self {
            Error::Syntax { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}
