//! The crate's error type.

/// Why [`crate::parse_json`] could not read its input. ([`crate::parse`] and
/// [`crate::parse_value`] never fail.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text is not one JSON document.
    #[error("invalid JSON at {line}:{column}: {message}")]
    Json {
        /// 1-based line of the error.
        line: u32,
        /// 1-based column of the error.
        column: u32,
        /// serde_json's description.
        message: String,
    },
    /// Valid JSON, but none of the recognised shapes.
    #[error("JSON document is not a recognised ECS, ELB, CloudWatch Logs, EventBridge or ecspresso output")]
    Unrecognised,
}
