//! The crate's one error type; errors in a file name file, line and column.

use crate::Position;
use std::path::PathBuf;

/// Why a project could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Something wrong at a place in a file (YAML, interpolation, keys, types, references).
    #[error("{}:{}:{}: {message}", position.file.display(), position.line, position.column)]
    Syntax { position: Position, message: String },
    /// A project-level problem with no single position (no file found, bad project name).
    #[error("{message}")]
    Project { message: String },
}

impl From<yamltree::Error> for Error {
    fn from(error: yamltree::Error) -> Self {
        Error::Syntax {
            position: error.position,
            message: error.message,
        }
    }
}

impl Error {
    /// The file position of a [`Error::Syntax`].
    pub fn position(&self) -> Option<&Position> {
        match self {
            Error::Syntax { position, .. } => Some(position),
            _ => None,
        }
    }
}
