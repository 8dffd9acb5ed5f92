//! The crate's one error type.

/// What can go wrong reading engine output.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// The input is larger than [`crate::Limits::max_bytes`].
    #[error("input of {size} bytes is over the budget of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    /// The engine's address or transport is not one this client speaks.
    #[error("{what}")]
    Unsupported { what: String },
    /// The engine could not be reached or the connection failed.
    #[error("{what}: {message}")]
    Io { what: String, message: String },
    /// The deadline passed before the engine answered.
    #[error("no answer within the probe timeout")]
    Timeout,
    /// The engine answered with an error or something that is not its API.
    #[error("engine answered {status}: {message}")]
    Reply { status: u16, message: String },
    /// A log stream frame is cut short or has an unknown stream type.
    #[error("log stream frame at byte {offset}: {reason}")]
    Frame { offset: usize, reason: &'static str },
}
