//! The application's one error type, reported once at the edge (`main`).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Compose(#[from] compose::Error),
    #[error(transparent)]
    Caddyfile(#[from] caddyfile::Error),
    #[error(transparent)]
    Ecspresso(#[from] ecspresso::Error),
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    /// A data file (a user's signature file) that does not parse.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Data {
        path: PathBuf,
        line: u32,
        column: u32,
        message: String,
    },
    #[error("cannot write the report: {0}")]
    Output(#[source] std::io::Error),
}
