//! The value tree with positions, shared by configs and definitions.

use std::fmt;
use std::path::{Path, PathBuf};

/// The text every unresolved placeholder starts with.
pub const PLACEHOLDER_PREFIX: &str = "<unresolved:";

/// Builds the placeholder text `<unresolved:FUNCTION:ARGUMENT>` put in place of a
/// value that cannot be resolved offline.
///
/// Quotes, backslashes, angle brackets and control characters in either part are
/// replaced by `_`, so the placeholder stays valid inside a JSON or YAML string.
pub fn placeholder(function: &str, argument: &str) -> String {
    fn clean(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '"' | '\\' | '<' | '>' | '\'' | '`' => '_',
                c if c.is_control() => '_',
                c => c,
            })
            .collect()
    }
    format!(
        "{PLACEHOLDER_PREFIX}{}:{}>",
        clean(function),
        clean(argument)
    )
}

/// Where a value was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The source file (not the rendered text).
    pub file: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
    /// Length in characters, 0 when unknown.
    pub length: u32,
    /// False when the position was located approximately (Jsonnet output).
    pub exact: bool,
}

impl Position {
    /// Start of `file` (line 1, column 1), not exact.
    pub fn file_start(file: &Path) -> Self {
        Position {
            file: file.to_path_buf(),
            line: 1,
            column: 1,
            length: 0,
            exact: false,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: NodeValue,
    /// Where the value starts in its source file.
    pub position: Position,
}

/// The content of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    /// `null` (or an empty YAML value).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// Any number.
    Number(f64),
    /// A string (quoted or, in YAML, a plain scalar that is not null/bool/number).
    String(String),
    /// An array / sequence.
    Array(Vec<Node>),
    /// An object / mapping, in source order (Jsonnet output: sorted by key).
    Object(Vec<(Key, Node)>),
}

/// An object key and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key text.
    pub name: String,
    /// Where the key is written.
    pub position: Position,
}

impl Node {
    /// The value of `key` when this is an object (exact, case-sensitive match).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// The key `key` itself (with its position) when this is an object.
    pub fn get_key(&self, key: &str) -> Option<&Key> {
        self.entries()
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(k, _)| k)
    }

    /// The text of a string node.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// A number node's value, or a string that parses as a number.
    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            NodeValue::Number(n) => Some(*n),
            NodeValue::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
            _ => None,
        }
    }

    /// A non-negative integral number, or a numeric string such as `"512"`.
    pub fn as_u64(&self) -> Option<u64> {
        match &self.value {
            NodeValue::Number(n) => {
                if n.is_finite() && *n >= 0.0 && n.fract() == 0.0 && *n <= u64::MAX as f64 {
                    Some(*n as u64)
                } else {
                    None
                }
            }
            NodeValue::String(s) => s.trim().parse::<u64>().ok(),
            _ => None,
        }
    }

    /// A boolean node's value.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            NodeValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The items of an array node.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of an object node; empty when this is not an object.
    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.value {
            NodeValue::Object(entries) => entries,
            _ => &[],
        }
    }

    /// True when this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.value, NodeValue::Null)
    }

    /// True when this is a string that contains an unresolved placeholder
    /// (see [`placeholder`]).
    pub fn is_unresolved(&self) -> bool {
        self.as_str()
            .is_some_and(|s| s.contains(PLACEHOLDER_PREFIX))
    }

    /// True when this node or any node below it is unresolved.
    pub fn contains_unresolved(&self) -> bool {
        match &self.value {
            NodeValue::String(_) => self.is_unresolved(),
            NodeValue::Array(items) => items.iter().any(Node::contains_unresolved),
            NodeValue::Object(entries) => entries.iter().any(|(_, v)| v.contains_unresolved()),
            _ => false,
        }
    }

    /// The value as JSON (positions dropped). Integral numbers become JSON integers.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Number(n) => number_to_json(*n),
            NodeValue::String(s) => Value::String(s.clone()),
            NodeValue::Array(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        if n >= 0.0 {
            return serde_json::Value::from(n as u64);
        }
        return serde_json::Value::from(n as i64);
    }
    serde_json::Number::from_f64(n)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

/// A source file's text with a line index, to turn character offsets into positions.
#[derive(Debug, Clone)]
pub(crate) struct SourceText {
    pub path: PathBuf,
    pub chars: Vec<char>,
    line_starts: Vec<usize>,
}

impl SourceText {
    pub fn new(path: &Path, text: &str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let mut line_starts = vec![0];
        for (i, c) in chars.iter().enumerate() {
            if *c == '\n' {
                line_starts.push(i + 1);
            }
        }
        SourceText {
            path: path.to_path_buf(),
            chars,
            line_starts,
        }
    }

    /// Position of character offset `index`.
    pub fn position(&self, index: usize, length: usize, exact: bool) -> Position {
        let index = index.min(self.chars.len());
        let line = match self.line_starts.binary_search(&index) {
            Ok(l) => l,
            Err(l) => l.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        Position {
            file: self.path.clone(),
            line: clamp_u32(line + 1),
            column: clamp_u32(index - start + 1),
            length: clamp_u32(length),
            exact,
        }
    }

    /// Character offset of byte offset `byte` in the original text.
    pub fn char_index_of_byte(text: &str, byte: usize) -> usize {
        let byte = byte.min(text.len());
        let mut b = byte;
        while b > 0 && !text.is_char_boundary(b) {
            b -= 1;
        }
        text.get(..b).map(|s| s.chars().count()).unwrap_or(0)
    }
}

pub(crate) fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Maps character offsets of a rendered text back to its source file.
pub(crate) struct Mapped<'a> {
    pub source: &'a SourceText,
    /// For each rendered character, the source character offset it came from.
    pub map: &'a [usize],
}

impl Mapped<'_> {
    /// Position of the rendered range `start..end`.
    pub fn position(&self, start: usize, end: usize) -> Position {
        let src_start = match self.map.get(start) {
            Some(s) => *s,
            None => self.map.last().map(|l| l + 1).unwrap_or(0),
        };
        let mut length = 0;
        if end > start {
            if let (Some(a), Some(b)) = (self.map.get(start), self.map.get(end - 1)) {
                if b >= a && b - a == end - 1 - start {
                    length = end - start;
                }
            }
        }
        self.source.position(src_start, length, true)
    }
}
