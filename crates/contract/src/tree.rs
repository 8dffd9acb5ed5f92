//! YAML (and so JSON) read into a tree whose every node keeps its position,
//! over `saphyr-parser` events, within [`MAX_DEPTH`] and [`MAX_NODES`].

use crate::{Error, Position, MAX_DEPTH, MAX_NODES};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

/// A value with where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub at: Position,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar as written; `plain` when unquoted (so `true`, `3` and `null` are typed).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Keys are scalars' texts; each keeps the key's position.
    Map(Vec<(String, Position, Node)>),
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, n)| n)
    }

    /// A map's entries (none for other values).
    pub fn entries(&self) -> impl Iterator<Item = (&str, Position, &Node)> {
        let entries: &[(String, Position, Node)] = match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        };
        entries.iter().map(|(k, at, n)| (k.as_str(), *at, n))
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A `$ref` of the node, when it is a reference object.
    pub fn reference(&self) -> Option<&str> {
        self.get("$ref").and_then(Node::as_str)
    }

    /// The node as JSON (plain scalars typed the YAML 1.2 core way), and the
    /// positions of its values by dotted path.
    pub fn to_json(&self) -> (serde_json::Value, Vec<(String, Position)>) {
        let mut positions = Vec::new();
        let value = self.json_at("", &mut positions);
        (value, positions)
    }

    fn json_at(&self, path: &str, positions: &mut Vec<(String, Position)>) -> serde_json::Value {
        if !path.is_empty() {
            positions.push((path.to_string(), self.at));
        }
        match &self.value {
            Value::Scalar { text, plain } => scalar_json(text, *plain),
            Value::Seq(items) => serde_json::Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| n.json_at(&join(path, &i.to_string()), positions))
                    .collect(),
            ),
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, _, n)| (k.clone(), n.json_at(&join(path, k), positions)))
                    .collect(),
            ),
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn scalar_json(text: &str, plain: bool) -> serde_json::Value {
    if !plain {
        return serde_json::Value::String(text.to_string());
    }
    match text {
        "true" | "True" | "TRUE" => serde_json::Value::Bool(true),
        "false" | "False" | "FALSE" => serde_json::Value::Bool(false),
        "null" | "Null" | "NULL" | "~" | "" => serde_json::Value::Null,
        _ => {
            if let Ok(n) = text.parse::<i64>() {
                serde_json::Value::from(n)
            } else if let Some(n) = text
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .and_then(serde_json::Number::from_f64)
            {
                serde_json::Value::Number(n)
            } else {
                serde_json::Value::String(text.to_string())
            }
        }
    }
}

enum Open {
    Seq(Position, usize, Vec<Node>),
    Map(
        Position,
        usize,
        Vec<(String, Position, Node)>,
        Option<(String, Position)>,
    ),
}

/// Parses one YAML or JSON document; `Ok(None)` for an empty one.
pub fn parse(text: &str) -> Result<Option<Node>, Error> {
    let mut open: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut nodes = 0usize;
    let mut root = None;
    let position =
        |span: &Span| Position::new(span.start.line() as u32, span.start.col() as u32 + 1);
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| Error::Syntax {
            at: Position::new(e.marker().line() as u32, e.marker().col() as u32 + 1),
            message: format!("invalid YAML/JSON: {}", e.info()),
        })?;
        let at = position(&span);
        let done = match event {
            Event::Scalar(text, style, anchor, _) => {
                nodes += 1;
                Some((
                    Node {
                        value: Value::Scalar {
                            text: text.into_owned(),
                            plain: style == ScalarStyle::Plain,
                        },
                        at,
                    },
                    anchor,
                ))
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() >= MAX_DEPTH {
                    return Err(Error::TooDeep {
                        at,
                        limit: MAX_DEPTH,
                    });
                }
                open.push(if matches!(event, Event::SequenceStart(..)) {
                    Open::Seq(at, anchor, Vec::new())
                } else {
                    Open::Map(at, anchor, Vec::new(), None)
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match open.pop() {
                Some(Open::Seq(at, anchor, items)) => Some((
                    Node {
                        value: Value::Seq(items),
                        at,
                    },
                    anchor,
                )),
                Some(Open::Map(at, anchor, entries, _)) => Some((
                    Node {
                        value: Value::Map(entries),
                        at,
                    },
                    anchor,
                )),
                None => None,
            },
            Event::Alias(id) => {
                let node = anchors.get(&id).cloned().ok_or(Error::Syntax {
                    at,
                    message: "alias to an unknown anchor".to_string(),
                })?;
                nodes += count(&node);
                Some((node, 0))
            }
            _ => None,
        };
        if nodes > MAX_NODES {
            return Err(Error::TooManyNodes {
                at,
                limit: MAX_NODES,
            });
        }
        let Some((node, anchor)) = done else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match open.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
            Some(Open::Seq(_, _, items)) => items.push(node),
            Some(Open::Map(_, _, entries, key)) => match key.take() {
                None => {
                    // A key: scalars by their text, other keys by a placeholder.
                    let text = node.as_str().unwrap_or("<complex key>").to_string();
                    *key = Some((text, node.at));
                }
                Some((k, at)) => entries.push((k, at, node)),
            },
        }
    }
    Ok(root)
}

fn count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Scalar { .. } => 0,
        Value::Seq(items) => items.iter().map(count).sum(),
        Value::Map(entries) => entries.iter().map(|(_, _, n)| count(n)).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_keep_positions() {
        let yaml = parse("a:\n  b: [1, \"x\", true]\n  c: ~\n")
            .unwrap()
            .unwrap();
        let (json, positions) = yaml.to_json();
        assert_eq!(
            json,
            serde_json::json!({"a": {"b": [1, "x", true], "c": null}})
        );
        assert!(positions.contains(&("a.b.1".to_string(), Position::new(2, 10))));
        let json = parse("{\n  \"code\": \"E1\",\n  \"n\": 2\n}")
            .unwrap()
            .unwrap();
        assert_eq!(json.get("code").unwrap().at, Position::new(2, 11));
        assert_eq!(json.to_json().0, serde_json::json!({"code": "E1", "n": 2}));
    }

    #[test]
    fn hostile_documents_are_errors() {
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(matches!(parse(&deep), Err(Error::TooDeep { .. })));
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            bomb.push_str(&format!(
                "l{i}: &l{i} [{}]\n",
                vec![format!("*{prev}"); 10].join(", ")
            ));
        }
        assert!(matches!(parse(&bomb), Err(Error::TooManyNodes { .. })));
        assert!(matches!(parse("a: [1, 2"), Err(Error::Syntax { .. })));
    }
}
