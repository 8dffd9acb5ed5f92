//! A YAML node tree that keeps the position of every node, built from
//! saphyr-parser events.
//!
//! Aliases are expanded here, with a budget so that an alias bomb is an
//! error rather than unbounded memory; `<<` merge keys are applied; duplicate
//! keys and excessive nesting are rejected with their position. Local tags
//! (`!reset`, CloudFormation's `!Ref`) are kept on their node.

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// Most nodes that alias expansion may create in one document.
pub const ALIAS_NODE_LIMIT: usize = 100_000;
/// Deepest nesting of sequences and mappings accepted.
pub const MAX_DEPTH: usize = 200;

/// Where a node was written: file, line (1-based), column (1-based, characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Position {
    pub file: Arc<PathBuf>,
    pub line: u32,
    pub column: u32,
}

/// Why a text is not a YAML tree: a syntax error, an alias bomb, nesting
/// past [`MAX_DEPTH`], a duplicate key, a second document; always with its
/// position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}:{}:{}: {message}", position.file.display(), position.line, position.column)]
pub struct Error {
    pub position: Position,
    pub message: String,
}

impl Error {
    /// Where the error is (kept as a method for callers that handle several error types).
    pub fn position(&self) -> Option<&Position> {
        Some(&self.position)
    }
}

/// A YAML node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub position: Position,
    /// A local tag such as `!reset` or `!override` (core-schema `!!` tags are dropped).
    pub tag: Option<String>,
}

/// The content of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// A scalar's text; `plain` is false for quoted and block scalars, which are never typed.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping (keys are always strings in compose).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_position: Position,
    pub value: Node,
}

impl Node {
    /// A node with no tag.
    pub fn new(value: Value, position: Position) -> Self {
        Node {
            value,
            position,
            tag: None,
        }
    }

    /// The text of a scalar node.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The entries of a mapping node.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items of a sequence node.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The entry for `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|e| &e.value)
    }

    /// The whole entry (key position included) for `key`.
    pub fn get_entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    /// A short name of the node's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Scalar { .. } => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Number of nodes in this tree, stopping early once `limit` is passed.
    fn count(&self, limit: usize) -> usize {
        let mut n = 1;
        match &self.value {
            Value::Seq(items) => {
                for item in items {
                    n += item.count(limit);
                    if n > limit {
                        break;
                    }
                }
            }
            Value::Map(entries) => {
                for e in entries {
                    n += e.value.count(limit) + 1;
                    if n > limit {
                        break;
                    }
                }
            }
            _ => {}
        }
        n
    }
}

/// Parses one YAML document (a second one is an error). An empty stream gives `None`.
pub fn parse(text: &str, file: &Arc<PathBuf>) -> Result<Option<Node>, Error> {
    Builder::new(file).run(text)
}

enum Frame {
    Seq {
        start: Node,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: Node,
        anchor: usize,
        entries: Vec<Entry>,
        /// The keys of `entries`, so a duplicate is found without a scan.
        keys: HashSet<String>,
        key: Option<(String, Position)>,
        merges: Vec<Node>,
    },
}

struct Builder<'a> {
    file: &'a Arc<PathBuf>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    expanded: usize,
    root: Option<Node>,
    documents: usize,
}

impl<'a> Builder<'a> {
    fn new(file: &'a Arc<PathBuf>) -> Self {
        Builder {
            file,
            stack: Vec::new(),
            anchors: HashMap::new(),
            expanded: 0,
            root: None,
            documents: 0,
        }
    }

    fn position(&self, span: &Span) -> Position {
        Position {
            file: self.file.clone(),
            line: span.start.line() as u32,
            column: span.start.col() as u32 + 1,
        }
    }

    fn error(&self, position: Position, message: impl Into<String>) -> Error {
        Error {
            position,
            message: message.into(),
        }
    }

    fn scan_error(&self, e: &ScanError) -> Error {
        let m = e.marker();
        self.error(
            Position {
                file: self.file.clone(),
                line: m.line() as u32,
                column: m.col() as u32 + 1,
            },
            format!("invalid YAML: {}", e.info()),
        )
    }

    fn run(mut self, text: &str) -> Result<Option<Node>, Error> {
        let mut parser = Parser::new_from_str(text);
        while let Some(event) = parser.next_event() {
            let (event, span) = event.map_err(|e| self.scan_error(&e))?;
            let position = self.position(&span);
            match event {
                Event::DocumentStart(_) => {
                    self.documents += 1;
                    if self.documents > 1 {
                        return Err(
                            self.error(position, "the file must hold a single YAML document")
                        );
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let tag = tag.and_then(|t| local_tag(&t.handle, &t.suffix));
                    let plain = style == ScalarStyle::Plain;
                    let value = if plain && is_null(&text) {
                        Value::Null
                    } else {
                        Value::Scalar {
                            text: text.into_owned(),
                            plain,
                        }
                    };
                    let node = Node {
                        value,
                        position,
                        tag,
                    };
                    self.finish(node, anchor)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    self.check_depth(&position)?;
                    let tag = tag.and_then(|t| local_tag(&t.handle, &t.suffix));
                    let start = Node {
                        value: Value::Null,
                        position,
                        tag,
                    };
                    self.stack.push(Frame::Seq {
                        start,
                        anchor,
                        items: Vec::new(),
                    });
                }
                Event::MappingStart(anchor, tag) => {
                    self.check_depth(&position)?;
                    let tag = tag.and_then(|t| local_tag(&t.handle, &t.suffix));
                    let start = Node {
                        value: Value::Null,
                        position,
                        tag,
                    };
                    self.stack.push(Frame::Map {
                        start,
                        anchor,
                        entries: Vec::new(),
                        keys: HashSet::new(),
                        key: None,
                        merges: Vec::new(),
                    });
                }
                Event::SequenceEnd => {
                    if let Some(Frame::Seq {
                        mut start,
                        anchor,
                        items,
                    }) = self.stack.pop()
                    {
                        start.value = Value::Seq(items);
                        self.finish(start, anchor)?;
                    }
                }
                Event::MappingEnd => {
                    if let Some(Frame::Map {
                        mut start,
                        anchor,
                        mut entries,
                        merges,
                        ..
                    }) = self.stack.pop()
                    {
                        apply_merges(&mut entries, merges);
                        start.value = Value::Map(entries);
                        self.finish(start, anchor)?;
                    }
                }
                Event::Alias(id) => {
                    let Some(node) = self.anchors.get(&id) else {
                        return Err(self.error(position, "alias to an unknown anchor"));
                    };
                    self.expanded += node.count(ALIAS_NODE_LIMIT);
                    if self.expanded > ALIAS_NODE_LIMIT {
                        return Err(self.error(
                            position,
                            format!(
                                "alias expansion exceeds {ALIAS_NODE_LIMIT} nodes (an alias bomb?)"
                            ),
                        ));
                    }
                    let node = node.clone();
                    self.finish(node, 0)?;
                }
                Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
            }
        }
        Ok(self.root)
    }

    fn check_depth(&self, position: &Position) -> Result<(), Error> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error(
                position.clone(),
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    /// Hands a completed node to its parent (or makes it the document root).
    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), Error> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                keys,
                key,
                merges,
                ..
            }) => match key.take() {
                None => {
                    let name = match &node.value {
                        Value::Scalar { text, .. } => text.clone(),
                        Value::Null => String::new(),
                        _ => return Err(self.error(node.position, "mapping keys must be strings")),
                    };
                    if name != "<<" && !keys.insert(name.clone()) {
                        return Err(self.error(node.position, format!("duplicate key \"{name}\"")));
                    }
                    *key = Some((name, node.position));
                }
                Some((name, key_position)) if name == "<<" => match node.value {
                    Value::Map(_) => merges.push(node),
                    Value::Seq(items) => {
                        for item in items {
                            if item.as_map().is_none() {
                                return Err(
                                    self.error(item.position, "a << merge key takes mappings only")
                                );
                            }
                            merges.push(item);
                        }
                    }
                    _ => return Err(self.error(key_position, "a << merge key takes mappings only")),
                },
                Some((name, key_position)) => entries.push(Entry {
                    key: name,
                    key_position,
                    value: node,
                }),
            },
        }
        Ok(())
    }
}

/// `<<` merges: keys written in the mapping win, then earlier merge sources.
fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Node>) {
    if merges.is_empty() {
        return;
    }
    let mut present: HashSet<String> = entries.iter().map(|e| e.key.clone()).collect();
    for source in merges {
        if let Value::Map(extra) = source.value {
            for e in extra {
                if present.insert(e.key.clone()) {
                    entries.push(e);
                }
            }
        }
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// Keeps `!name` tags (compose's `!reset`, `!override`); drops `!!str`-style core tags.
fn local_tag(handle: &str, suffix: &str) -> Option<String> {
    (handle == "!").then(|| format!("!{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Arc<PathBuf> {
        Arc::new(PathBuf::from("t.yaml"))
    }

    fn parse_ok(text: &str) -> Node {
        parse(text, &file()).unwrap().unwrap()
    }

    fn parse_err(text: &str) -> Error {
        parse(text, &file()).unwrap_err()
    }

    #[test]
    fn positions_are_one_based_in_characters() {
        let root = parse_ok("# 日本語\nservices:\n  web:\n    image: \"é\"\n");
        let e = root.get("services").unwrap().get_entry("web").unwrap();
        assert_eq!((e.key_position.line, e.key_position.column), (3, 3));
        let image = e.value.get("image").unwrap();
        assert_eq!((image.position.line, image.position.column), (4, 12));
        assert_eq!(image.as_str(), Some("é"));
    }

    #[test]
    fn duplicate_key_is_an_error_with_position() {
        let err = parse_err("a: 1\nb: 2\na: 3\n");
        let p = err.position().unwrap();
        assert_eq!((p.line, p.column), (3, 1));
        assert!(err.to_string().contains("duplicate key \"a\""), "{err}");
    }

    #[test]
    fn merge_keys_and_aliases() {
        let root = parse_ok("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\nd: *b\n");
        let c = root.get("c").unwrap();
        assert_eq!(c.get("x").unwrap().as_str(), Some("1"));
        assert_eq!(c.get("y").unwrap().as_str(), Some("3"));
        assert_eq!(root.get("d").unwrap().get("y").unwrap().as_str(), Some("2"));
    }

    #[test]
    fn alias_bomb_is_an_error() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i", "j"])
        {
            let refs = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let err = parse_err(&text);
        assert!(err.to_string().contains("alias"), "{err}");
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = "[".repeat(10_000);
        assert!(parse(&text, &file()).is_err());
        let text = format!("{}1{}", "[".repeat(150), "]".repeat(150));
        assert!(parse(&text, &file()).is_ok());
    }

    #[test]
    fn tags_and_nulls() {
        let root = parse_ok("a: !reset\nb: !override [1]\nc: ~\nd: !!str 5\n");
        let a = root.get("a").unwrap();
        assert!(a.is_null());
        assert_eq!(a.tag.as_deref(), Some("!reset"));
        assert_eq!(root.get("b").unwrap().tag.as_deref(), Some("!override"));
        assert!(root.get("c").unwrap().is_null());
        assert_eq!(root.get("d").unwrap().tag, None);
    }

    #[test]
    fn syntax_error_has_position() {
        let err = parse_err("a: [1, 2\nb: 3\n");
        assert!(err.position().is_some());
    }
}
