//! Reads a Terraform configuration (one module folder of `.tf` files) into
//! blocks whose attribute values are evaluated as far as they can be offline,
//! each with the file, line and column it was written at.
//!
//! * Parsing is `hcl-edit`'s (spans in bytes, turned into 1-based lines and
//!   character columns here).
//! * Variables take their value the way `terraform plan` does: `default`,
//!   then `TF_VAR_name`, `terraform.tfvars`, `terraform.tfvars.json`,
//!   `*.auto.tfvars(.json)` in name order, then the `-var-file`s given, later
//!   winning.
//! * `local.*`, `var.*`, `path.module`, literals, templates, arithmetic,
//!   comparisons, conditionals and a few pure functions (`jsonencode`,
//!   `jsondecode`, `file`, `templatefile`, `tostring`, `tonumber`, `lower`,
//!   `upper`, `merge`, `concat`, `coalesce`, `try`, `lookup`, `format` with
//!   `%s`/`%d`) are evaluated.
//! * Anything else (resource and data attributes, module outputs, remote
//!   state, `for` expressions, unknown functions) becomes
//!   [`Value::Unresolved`] with the expression's text: never guessed.
//! * `jsonencode(x)` keeps `x` ([`Value::Encoded`]) so that a reader of the
//!   JSON gets positions in the `.tf` file; `file()`/`templatefile()` keep the
//!   file they read ([`Value::FileText`]).
//!
//! Budgets: files over [`MAX_FILE_BYTES`] are refused, evaluation depth is
//! bounded by [`MAX_DEPTH`], and files read by `file()` must be allowed by
//! [`Options::may_read`].

#![forbid(unsafe_code)]

mod eval;
mod json;
mod position;

pub use json::parse_json;
pub use position::{Lines, Span};

use hcl_edit::structure::Body;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Largest `.tf`, tfvars or `file()` file read.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Deepest nesting of expressions evaluated (and of JSON parsed).
pub const MAX_DEPTH: usize = 64;

/// Why a configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{}:{}: {message}", span.file.display(), span.line, span.column)]
    Syntax { span: Span, message: String },
}

/// A value with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// An evaluated value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(Key, Node)>),
    /// `jsonencode(value)`: a string holding the JSON of the value.
    Encoded(Box<Node>),
    /// The text of a file read by `file()` or rendered by `templatefile()`;
    /// positions inside it are lines of `path`.
    FileText {
        path: PathBuf,
        text: String,
    },
    /// Cannot be known offline: the expression as written.
    Unresolved(String),
}

/// An object key with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// True when this value, or any value inside it, is unresolved.
    pub fn has_unresolved(&self) -> bool {
        match &self.value {
            Value::Unresolved(_) => true,
            Value::Array(items) => items.iter().any(Node::has_unresolved),
            Value::Object(entries) => entries.iter().any(|(_, v)| v.has_unresolved()),
            Value::Encoded(inner) => inner.has_unresolved(),
            _ => false,
        }
    }

    /// The value as JSON (an unresolved value becomes its placeholder text).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => serde_json::Number::from_f64(*n)
                .map(|n| {
                    if n.as_f64()
                        .is_some_and(|f| f.fract() == 0.0 && f.abs() < 1e15)
                    {
                        J::from(n.as_f64().unwrap_or_default() as i64)
                    } else {
                        J::Number(n)
                    }
                })
                .unwrap_or(J::Null),
            Value::String(s) => J::String(s.clone()),
            Value::Array(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Object(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
            Value::Encoded(inner) => J::String(inner.to_json().to_string()),
            Value::FileText { text, .. } => J::String(text.clone()),
            Value::Unresolved(text) => J::String(placeholder(text)),
        }
    }
}

/// The text an unresolved value shows: `<unresolved:terraform:EXPRESSION>`
/// (the form ecspresso's loader uses for its AWS lookups).
pub fn placeholder(expression: &str) -> String {
    let clean: String = expression
        .chars()
        .map(|c| match c {
            '"' | '\\' | '<' | '>' | '\'' | '`' => '_',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let short: String = clean.chars().take(120).collect();
    format!("<unresolved:terraform:{short}>")
}

/// One block (`resource "aws_ecs_service" "api" { … }`) with its attributes
/// evaluated and its nested blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub span: Span,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
}

/// An attribute and its evaluated value.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub key_span: Span,
    pub value: Node,
}

impl Block {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn get(&self, name: &str) -> Option<&Node> {
        self.attribute(name).map(|a| &a.value)
    }

    pub fn blocks_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }

    pub fn block(&self, kind: &str) -> Option<&Block> {
        self.blocks.iter().find(|b| b.kind == kind)
    }
}

/// Where a variable's value came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub name: String,
    /// The value in force (None: declared without default and set nowhere).
    pub value: Option<Node>,
    /// The `variable` block.
    pub declared: Span,
}

/// A loaded module folder.
#[derive(Debug, Clone)]
pub struct Module {
    pub dir: PathBuf,
    /// The `.tf` files read, in name order.
    pub files: Vec<PathBuf>,
    /// Every top-level block of every file, evaluated.
    pub blocks: Vec<Block>,
    pub variables: Vec<Variable>,
    /// The tfvars files read, in the order they were applied.
    pub tfvars: Vec<PathBuf>,
}

impl Module {
    /// `resource "TYPE" "NAME"` blocks of one type.
    pub fn resources<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.top("resource", kind)
    }

    /// `data "TYPE" "NAME"` blocks of one type.
    pub fn data<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.top("data", kind)
    }

    fn top<'a>(&'a self, block: &'a str, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks
            .iter()
            .filter(move |b| b.kind == block && b.labels.first().is_some_and(|l| l == kind))
    }
}

/// What to read besides the module's own `.tf` files.
#[derive(Default)]
pub struct Options<'a> {
    /// `-var-file` files, in command-line order.
    pub var_files: Vec<PathBuf>,
    /// The environment (`TF_VAR_name`).
    pub env: BTreeMap<String, String>,
    /// Whether `file()`/`templatefile()` may read a path (None: any).
    pub may_read: Option<&'a dyn Fn(&Path) -> bool>,
}

pub(crate) fn read_text(path: &Path) -> Result<String, Error> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("more than the {MAX_FILE_BYTES} bytes accepted"),
            ),
        });
    }
    String::from_utf8(bytes).map_err(|e| Error::Read {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })
}

/// A parsed file: its text (for positions) and body.
pub struct ParsedFile {
    pub path: PathBuf,
    pub lines: Lines,
    pub body: Body,
}

/// Parses one HCL file (`.tf` or `.tfvars`).
pub fn parse_file(path: &Path) -> Result<ParsedFile, Error> {
    let text = read_text(path)?;
    parse_text(path, &text)
}

/// Parses HCL text that was read from `path`.
pub fn parse_text(path: &Path, text: &str) -> Result<ParsedFile, Error> {
    let lines = Lines::new(path, text);
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Ok(ParsedFile {
            path: path.to_path_buf(),
            lines,
            body,
        }),
        Err(error) => {
            let location = error.location();
            let span = Span {
                file: path.to_path_buf(),
                line: location.line() as u32,
                column: location.column() as u32,
                length: 0,
            };
            Err(Error::Syntax {
                span,
                message: error.message().to_string(),
            })
        }
    }
}

/// The `.tf` files of a folder, in name order.
pub fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "tf") && p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The tfvars files Terraform reads by itself in `dir`, in the order it applies them.
pub fn automatic_tfvars(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        let path = dir.join(name);
        if path.is_file() {
            out.push(path);
        }
    }
    let mut auto: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.file_name().map(|n| n.to_string_lossy().to_string());
                    name.is_some_and(|n| {
                        n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    out.extend(auto);
    out
}

/// Loads the module in `dir`: every `.tf` file, variables resolved, every
/// block evaluated. A file that does not parse is an error with its position.
pub fn load_module(dir: &Path, options: &Options) -> Result<Module, Error> {
    let files = tf_files(dir);
    let parsed: Vec<ParsedFile> = files
        .iter()
        .map(|f| parse_file(f))
        .collect::<Result<_, _>>()?;
    let mut tfvars = automatic_tfvars(dir);
    tfvars.extend(options.var_files.iter().cloned());
    eval::load(dir, files, parsed, tfvars, options)
}

/// Every block of one parsed file evaluated on its own: no variables,
/// locals or files, so only literals (and what is computed from literals)
/// resolve. What a syntax-only reader such as python-hcl2 sees.
pub fn evaluate_alone(file: &ParsedFile) -> Vec<Block> {
    let refuse = |_: &Path| false;
    let options = Options {
        may_read: Some(&refuse),
        ..Options::default()
    };
    let dir = file.path.parent().unwrap_or(Path::new("."));
    let scope = eval::Scope {
        dir,
        variables: BTreeMap::new(),
        locals: BTreeMap::new(),
        template_vars: None,
        options: &options,
    };
    file.body
        .iter()
        .filter_map(|s| s.as_block())
        .map(|b| scope.block(b, &file.lines, 0))
        .collect()
}
