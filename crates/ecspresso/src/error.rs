//! The crate's error type.

use std::path::PathBuf;

/// Why a config (or, for [`crate::load_definition`], a definition) could not be loaded at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file does not parse (YAML, JSON, Jsonnet or Go template syntax).
    /// `line` and `column` are 1-based (column in characters); 0 when unknown.
    #[error("{}", syntax_message(path, *line, *column, message))]
    Syntax {
        /// The file where parsing failed.
        path: PathBuf,
        /// 1-based line, 0 when unknown.
        line: u32,
        /// 1-based column in characters, 0 when unknown.
        column: u32,
        /// The parser's words.
        message: String,
    },
    /// No config was given and none of `ecspresso.yml`, `.yaml`, `.json`, `.jsonnet` exists.
    #[error("no ecspresso config (ecspresso.yml, ecspresso.yaml, ecspresso.json or ecspresso.jsonnet) in {}", dir.display())]
    NotFound {
        /// The directory searched.
        dir: PathBuf,
    },
}

fn syntax_message(path: &std::path::Path, line: u32, column: u32, message: &str) -> String {
    if line == 0 {
        format!("{}: {message}", path.display())
    } else {
        format!("{}:{line}:{column}: {message}", path.display())
    }
}
