//! The application's one error type, reported once at the edge (`main`).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Compose(#[from] compose::Error),
    #[error(transparent)]
    Caddyfile(#[from] caddyfile::Error),
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    #[error("cannot write the report: {0}")]
    Output(#[source] std::io::Error),
}
