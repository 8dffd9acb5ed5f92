//! The crate's error type.

use crate::Span;

/// Why a text could not be read as a policy. Every variant carries the 1-based
/// line and column (in characters) of the offending token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text is not valid JSON (RFC 8259; no comments or trailing commas).
    #[error("{line}:{column}: invalid JSON: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column in characters.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The same key appears twice in one object of a policy.
    #[error("{line}:{column}: duplicate key \"{key}\"")]
    DuplicateKey {
        /// The repeated key.
        key: String,
        /// 1-based line of the second occurrence.
        line: usize,
        /// 1-based column of the second occurrence.
        column: usize,
    },
    /// Valid JSON but not a valid policy (e.g. `Effect` other than Allow/Deny,
    /// both `Action` and `NotAction`, neither).
    #[error("{line}:{column}: {message}")]
    Policy {
        /// 1-based line.
        line: usize,
        /// 1-based column in characters.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    pub(crate) fn policy(span: Span, message: impl Into<String>) -> Error {
        Error::Policy {
            line: span.line,
            column: span.column,
            message: message.into(),
        }
    }

    /// The 1-based line of the problem.
    pub fn line(&self) -> usize {
        match self {
            Error::Json { line, .. }
            | Error::DuplicateKey { line, .. }
            | Error::Policy { line, .. } => *line,
        }
    }

    /// The 1-based column (in characters) of the problem.
    pub fn column(&self) -> usize {
        match self {
            Error::Json { column, .. }
            | Error::DuplicateKey { column, .. }
            | Error::Policy { column, .. } => *column,
        }
    }

    /// What is wrong, without the position (for callers that print the
    /// position themselves, after the file name).
    pub fn message(&self) -> String {
        match self {
            Error::Json { message, .. } => format!("invalid JSON: {message}"),
            Error::DuplicateKey { key, .. } => format!("duplicate key \"{key}\""),
            Error::Policy { message, .. } => message.clone(),
        }
    }

    /// Moves an error found inside an embedded document to the position of the
    /// string that held it, keeping the inner position in the message.
    pub(crate) fn relocate(self, span: Span, what: &str) -> Error {
        let (inner_line, inner_column) = (self.line(), self.column());
        let note = |m: &str| {
            format!("{m} (in the {what} at its line {inner_line}, column {inner_column})")
        };
        match self {
            Error::Json { message, .. } => Error::Json {
                line: span.line,
                column: span.column,
                message: note(&message),
            },
            Error::DuplicateKey { key, .. } => Error::DuplicateKey {
                key,
                line: span.line,
                column: span.column,
            },
            Error::Policy { message, .. } => Error::Policy {
                line: span.line,
                column: span.column,
                message: note(&message),
            },
        }
    }
}
