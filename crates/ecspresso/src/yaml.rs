//! YAML (the rendered config) to a [`Node`] tree, from saphyr-parser events.

use crate::node::{Key, Node, NodeValue, Position};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

/// Deepest nesting of sequences and mappings accepted.
pub(crate) const MAX_DEPTH: usize = 200;
/// Most nodes alias expansion may create.
const ALIAS_NODE_LIMIT: usize = 100_000;

/// A YAML error at a character offset of the parsed text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct YamlError {
    pub pos: usize,
    pub message: String,
}

enum Frame {
    Seq(Node, usize, Vec<Node>),
    Map(Node, usize, Vec<(Key, Node)>, Option<Key>),
}

fn count(node: &Node) -> usize {
    1 + match &node.value {
        NodeValue::Array(items) => items.iter().map(count).sum(),
        NodeValue::Object(entries) => entries.iter().map(|(_, v)| 1 + count(v)).sum(),
        _ => 0,
    }
}

/// Parses the first document of `text`. An empty stream gives a null node.
pub(crate) fn parse(
    text: &str,
    locate: &dyn Fn(usize, usize) -> Position,
) -> Result<Node, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut expanded = 0usize;
    let mut root: Option<Node> = None;
    let pos_of = |span: &Span| locate(span.start.index(), span.end.index().max(span.start.index()));
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| YamlError {
            pos: e.marker().index(),
            message: e.info().to_string(),
        })?;
        let fail = |m: &str| YamlError {
            pos: span.start.index(),
            message: m.to_string(),
        };
        let (node, anchor) = match event {
            Event::DocumentStart(_) => {
                if root.is_some() {
                    break;
                }
                continue;
            }
            Event::DocumentEnd => {
                if root.is_some() {
                    break;
                }
                continue;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let is_str_tag = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = if style == ScalarStyle::Plain && !is_str_tag {
                    plain_scalar(&text)
                } else {
                    NodeValue::String(text.into_owned())
                };
                (
                    Node {
                        value,
                        position: pos_of(&span),
                    },
                    anchor,
                )
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(fail(&format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                let start = Node {
                    value: NodeValue::Null,
                    position: locate(span.start.index(), span.start.index()),
                };
                if matches!(event, Event::SequenceStart(..)) {
                    stack.push(Frame::Seq(start, anchor, Vec::new()));
                } else {
                    stack.push(Frame::Map(start, anchor, Vec::new(), None));
                }
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(mut n, anchor, items)) => {
                    n.value = NodeValue::Array(items);
                    (n, anchor)
                }
                Some(Frame::Map(mut n, anchor, entries, _)) => {
                    n.value = NodeValue::Object(entries);
                    (n, anchor)
                }
                None => continue,
            },
            Event::Alias(id) => {
                let Some(node) = anchors.get(&id) else {
                    return Err(fail("alias to an unknown anchor"));
                };
                expanded += count(node);
                if expanded > ALIAS_NODE_LIMIT {
                    return Err(fail("alias expansion too large"));
                }
                (node.clone(), 0)
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => continue,
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq(_, _, items)) => items.push(node),
            Some(Frame::Map(_, _, entries, key)) => match key.take() {
                None => {
                    let name = match &node.value {
                        NodeValue::String(s) => s.clone(),
                        NodeValue::Null => String::new(),
                        NodeValue::Bool(b) => b.to_string(),
                        NodeValue::Number(_) => {
                            // keep the key text as written
                            scalar_text(text, &span).unwrap_or_default()
                        }
                        _ => return Err(fail("mapping keys must be scalars")),
                    };
                    *key = Some(Key {
                        name,
                        position: node.position,
                    });
                }
                Some(k) if k.name == "<<" => {
                    let sources = match node.value {
                        NodeValue::Object(_) => vec![node],
                        NodeValue::Array(items) => items,
                        _ => return Err(fail("a << merge key takes mappings only")),
                    };
                    for src in sources {
                        if let NodeValue::Object(extra) = src.value {
                            for (ek, ev) in extra {
                                if !entries.iter().any(|(k2, _)| k2.name == ek.name) {
                                    entries.push((ek, ev));
                                }
                            }
                        }
                    }
                }
                Some(k) => {
                    if let Some(slot) = entries.iter_mut().find(|(k2, _)| k2.name == k.name) {
                        *slot = (k, node);
                    } else {
                        entries.push((k, node));
                    }
                }
            },
        }
    }
    Ok(root.unwrap_or(Node {
        value: NodeValue::Null,
        position: locate(0, 0),
    }))
}

fn scalar_text(text: &str, span: &Span) -> Option<String> {
    let s: String = text
        .chars()
        .skip(span.start.index())
        .take(span.end.index().saturating_sub(span.start.index()))
        .collect();
    Some(s.trim().to_string())
}

/// YAML 1.2 core schema typing of a plain scalar (plus YAML 1.1 octal/`yes`-less).
fn plain_scalar(text: &str) -> NodeValue {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        "true" | "True" | "TRUE" => return NodeValue::Bool(true),
        "false" | "False" | "FALSE" => return NodeValue::Bool(false),
        _ => {}
    }
    let t = text.replace('_', "");
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let sign = if neg { -1.0 } else { 1.0 };
    if let Some(hex) = body.strip_prefix("0x") {
        if let Ok(v) = u64::from_str_radix(hex, 16) {
            return NodeValue::Number(sign * v as f64);
        }
    }
    if let Some(oct) = body.strip_prefix("0o") {
        if let Ok(v) = u64::from_str_radix(oct, 8) {
            return NodeValue::Number(sign * v as f64);
        }
    }
    let numeric = !body.is_empty()
        && body
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.')
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if numeric {
        if let Ok(v) = t.parse::<f64>() {
            if v.is_finite() {
                return NodeValue::Number(v);
            }
        }
    }
    NodeValue::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn p(text: &str) -> Result<Node, YamlError> {
        let chars: Vec<char> = text.chars().collect();
        let locate = |s: usize, e: usize| {
            let line = chars[..s.min(chars.len())]
                .iter()
                .filter(|c| **c == '\n')
                .count() as u32
                + 1;
            Position {
                file: PathBuf::from("t.yml"),
                line,
                column: 0,
                length: (e - s) as u32,
                exact: true,
            }
        };
        parse(text, &locate)
    }

    #[test]
    fn typing_and_structure() {
        let n = p("a: 1\nb: \"1\"\nc: 10m0s\nd: ~\ne: [true, 0.5]\nf: &x {g: h}\ni: *x\n").unwrap();
        assert_eq!(n.get("a").unwrap().value, NodeValue::Number(1.0));
        assert_eq!(n.get("b").unwrap().as_str(), Some("1"));
        assert_eq!(n.get("c").unwrap().as_str(), Some("10m0s"));
        assert!(n.get("d").unwrap().is_null());
        assert_eq!(
            n.get("e").unwrap().as_array().unwrap()[1].as_f64(),
            Some(0.5)
        );
        assert_eq!(n.get("i").unwrap().get("g").unwrap().as_str(), Some("h"));
        assert_eq!(n.get_key("c").unwrap().position.line, 3);
        assert!(p("").unwrap().is_null());
    }

    #[test]
    fn errors_and_depth() {
        let e = p("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(!e.message.is_empty());
        let deep = "[".repeat(100_000);
        assert!(p(&deep).is_err());
    }
}
