//! What was read of the `--logs` inputs, and what could not be.

use serde::Serialize;
use std::path::PathBuf;

/// How much of the log inputs was scanned.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scanned {
    pub files: u64,
    pub bytes: u64,
    pub lines: u64,
    pub warnings: Vec<String>,
}

/// Something about a `--logs` input that was skipped or read only in part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputNote {
    pub file: PathBuf,
    pub kind: InputNoteKind,
}

/// What happened to the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InputNoteKind {
    /// Not text (a NUL byte in its first 8 KiB): skipped.
    Binary,
    /// A `.gz` that ends early or is corrupt: read up to there.
    GzipTruncated { bytes: u64 },
    /// The budget per input was reached: the rest was not read.
    BudgetExceeded { bytes: u64 },
    /// A pipe or device stayed open and silent: read up to there.
    Idle { bytes: u64, seconds: u64 },
    /// A read failed part way.
    ReadError { bytes: u64 },
    /// A file or folder could not be opened or listed.
    Unreadable,
    /// Scanned line by line, but not parsed as a whole (ECS or Docker
    /// outputs): the inputs kept whole had used diagnose's budget.
    NotParsedWhole { bytes: u64 },
}
