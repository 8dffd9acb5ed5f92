use crate::Position;

/// Why a document could not be read as a contract.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the document has {bytes} bytes, more than the {limit} read")]
    TooLarge { bytes: usize, limit: usize },
    #[error("{at}: nesting deeper than {limit} levels")]
    TooDeep { at: Position, limit: usize },
    #[error("{at}: more than {limit} values (aliases counted expanded)")]
    TooManyNodes { at: Position, limit: usize },
    #[error("{at}: {message}")]
    Syntax { at: Position, message: String },
    #[error("{name}: not a kind of contract document (markdown, OpenAPI YAML/JSON, JSON or TOML catalogue)")]
    UnknownKind { name: String },
}
