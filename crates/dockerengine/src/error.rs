//! The crate's one error type.

/// What can go wrong reading engine output.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// The input is larger than [`crate::Limits::max_bytes`].
    #[error("input of {size} bytes is over the budget of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    /// A log stream frame is cut short or has an unknown stream type.
    #[error("log stream frame at byte {offset}: {reason}")]
    Frame { offset: usize, reason: &'static str },
}
