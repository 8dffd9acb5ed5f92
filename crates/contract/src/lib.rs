//! API error contracts: which error codes an API answers with, their HTTP
//! status, whether a client may retry them, the envelope every error body
//! follows, causes and fixes, each with its line and column in the document.
//!
//! Three kinds of documents are read into one [`Contract`]:
//! - markdown catalogues in Japanese or English (`### CODE` sections with
//!   `**HTTP status**: 400` / `**HTTPステータスコード**: 400 Bad Request`,
//!   `**Retryable**: No` / `**リトライ可能**: いいえ`, causes, fixes and JSON
//!   examples in fenced blocks), through `pulldown-cmark` ([`markdown`]);
//! - OpenAPI 3.0/3.1 in YAML or JSON: error responses, their schemas and
//!   examples, enums of codes, `x-` extensions ([`openapi`]);
//! - a plain catalogue in JSON or TOML ([`catalogue`]).
//!
//! Every reader has budgets (bytes, nesting depth, nodes) and reports hostile
//! input as an [`Error`] with its position instead of panicking.
//! No dependency on the rest of stackdoctor.

pub mod catalogue;
pub mod envelope;
mod error;
pub mod markdown;
pub mod openapi;
mod text;
pub mod tree;

pub use envelope::{Envelope, Field, JsonKind};
pub use error::Error;
pub use text::Position;

use serde::Serialize;
use std::path::Path;

/// The largest document read (bytes).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;
/// The deepest nesting of YAML/JSON values and markdown blocks.
pub const MAX_DEPTH: usize = 64;
/// The most YAML/JSON nodes in one document (aliases counted expanded).
pub const MAX_NODES: usize = 500_000;

/// What kind of document a contract was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Markdown,
    OpenApi,
    Catalogue,
}

/// The language a catalogue is written in (its labels and prose).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Ja,
}

/// Whether a client may retry an error, as the document says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Retryable {
    Yes,
    No,
    /// Yes or no with a condition (`はい（一部の場合はいいえ）`, `Yes (except …)`):
    /// `usually` is the answer the text starts with.
    Conditional {
        usually: Option<bool>,
    },
    /// A text that is neither (`depends`, `-`).
    Unrecognised,
}

impl Retryable {
    /// A definite answer, when there is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Retryable::Yes => Some(true),
            Retryable::No => Some(false),
            _ => None,
        }
    }
}

/// The retryable flag of a code with the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub value: Retryable,
    /// The text as written (`はい（一部の場合はいいえ）`, `true`).
    pub text: String,
    pub at: Position,
}

/// The HTTP status of a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub code: u16,
    /// The text as written (`400 Bad Request`, `'503'`).
    pub text: String,
    pub at: Position,
}

/// A text of the document (a cause, a fix step) with its position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text {
    pub text: String,
    pub at: Position,
}

/// An example error body given for a code or a response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    /// Where the example starts (the first line of the JSON).
    pub at: Position,
    pub body: serde_json::Value,
    /// The HTTP status the example is given for, when the document says (OpenAPI).
    pub status: Option<u16>,
    /// Positions of the example's values by JSON path (`error.code`), when known.
    pub positions: Vec<(String, Position)>,
}

impl Example {
    /// The position of the value at `path`, or the example's own.
    pub fn position_of(&self, path: &str) -> Position {
        self.positions
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, at)| *at)
            .unwrap_or(self.at)
    }
}

/// One documented error code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorCode {
    pub code: String,
    /// The heading or key that names the code.
    pub at: Position,
    pub status: Option<Status>,
    pub retryable: Option<Flag>,
    pub description: Option<Text>,
    pub causes: Vec<Text>,
    pub fixes: Vec<Text>,
    pub examples: Vec<Example>,
}

impl ErrorCode {
    pub fn new(code: impl Into<String>, at: Position) -> Self {
        ErrorCode {
            code: code.into(),
            at,
            status: None,
            retryable: None,
            description: None,
            causes: Vec::new(),
            fixes: Vec::new(),
            examples: Vec::new(),
        }
    }
}

/// A contract read from one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contract {
    pub kind: DocumentKind,
    pub language: Language,
    /// The shape every error body follows, when the document gives one.
    pub envelope: Option<Envelope>,
    /// Every code in document order; a code written twice appears twice.
    pub codes: Vec<ErrorCode>,
    /// Examples not tied to a code section (OpenAPI responses without a code).
    pub loose_examples: Vec<Example>,
    /// Statuses the document marks retryable as a whole (`x-speakeasy-retries`).
    pub retryable_statuses: Vec<Status>,
    /// Things the reader could not understand (an example that is not JSON),
    /// so a caller never calls a contract complete by omission.
    pub notes: Vec<Text>,
}

impl Contract {
    pub fn empty(kind: DocumentKind, language: Language) -> Self {
        Contract {
            kind,
            language,
            envelope: None,
            codes: Vec::new(),
            loose_examples: Vec::new(),
            retryable_statuses: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The first entry of `code`.
    pub fn code(&self, code: &str) -> Option<&ErrorCode> {
        self.codes.iter().find(|c| c.code == code)
    }

    /// The JSON path of the code in error bodies (`error.code`).
    pub fn code_path(&self) -> String {
        self.envelope
            .as_ref()
            .and_then(|e| e.code_path.clone())
            .unwrap_or_else(|| "error.code".to_string())
    }

    /// The JSON path of the retryable flag in error bodies (`error.retryable`).
    pub fn retryable_path(&self) -> Option<String> {
        self.envelope
            .as_ref()
            .and_then(|e| e.retryable_path.clone())
    }
}

/// Reads `text` as the kind of document its name says (`.md`, `.yaml`/`.yml`,
/// `.json`, `.toml`); `Ok(None)` when it holds no contract (a README without
/// error sections, a YAML file that is not OpenAPI).
pub fn read(path: &Path, text: &str) -> Result<Option<Contract>, Error> {
    if text.len() > MAX_BYTES {
        return Err(Error::TooLarge {
            bytes: text.len(),
            limit: MAX_BYTES,
        });
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "md" | "markdown" => markdown::read(text),
        "yaml" | "yml" => openapi::read(text),
        "json" => {
            let tree = tree::parse(text)?;
            match tree {
                Some(root) if root.get("openapi").is_some() => openapi::read_tree(&root),
                Some(root) => catalogue::read_tree(&root),
                None => Ok(None),
            }
        }
        "toml" => catalogue::read_toml(text),
        _ => Err(Error::UnknownKind {
            name: path.display().to_string(),
        }),
    }
}
