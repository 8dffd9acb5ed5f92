//! A plain error catalogue in JSON or TOML:
//!
//! ```toml
//! language = "en"            # or "ja"
//! [envelope]                 # an example error body (optional)
//! error = { code = "X", message = "m", retryable = false }
//! [[errors]]
//! code = "RATE_LIMITED"
//! status = 429
//! retryable = true           # or a text: "yes, except …"
//! description = "Too many requests"
//! causes = ["…"]
//! fixes = ["…"]
//! example = { error = { code = "RATE_LIMITED", message = "…", retryable = true } }
//! ```
//!
//! `errors` may also be a table keyed by code (`[errors.RATE_LIMITED]`).

use crate::text::{read_retryable, read_status, LineIndex};
use crate::tree::{Node, Value};
use crate::{
    Contract, DocumentKind, Envelope, Error, ErrorCode, Example, Flag, Language, Position, Status,
    Text,
};

/// Reads a JSON catalogue already parsed into a tree; `Ok(None)` without `errors`.
pub fn read_tree(root: &Node) -> Result<Option<Contract>, Error> {
    let Some(errors) = root.get("errors").or_else(|| root.get("codes")) else {
        return Ok(None);
    };
    let language = match root.get("language").and_then(Node::as_str) {
        Some("ja") => Language::Ja,
        _ => Language::En,
    };
    let mut contract = Contract::empty(DocumentKind::Catalogue, language);
    if let Some(envelope) = root.get("envelope") {
        let (body, _) = envelope.to_json();
        let optional: Vec<String> = root
            .get("optional")
            .map(|o| {
                o.items()
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        contract.envelope = Some(Envelope::from_example(envelope.at, &body, &optional));
    }
    let entries: Vec<(Option<&str>, Position, &Node)> = match &errors.value {
        Value::Seq(items) => items.iter().map(|n| (None, n.at, n)).collect(),
        Value::Map(_) => errors
            .entries()
            .map(|(k, at, n)| (Some(k), at, n))
            .collect(),
        Value::Scalar { .. } => Vec::new(),
    };
    for (key, at, entry) in entries {
        let (code, at) = match key {
            Some(k) => (k.to_string(), at),
            None => match entry.get("code") {
                Some(c) => (c.as_str().unwrap_or_default().to_string(), c.at),
                None => continue,
            },
        };
        let mut code = ErrorCode::new(code, at);
        if let Some(status) = entry.get("status").or_else(|| entry.get("http_status")) {
            let text = status.as_str().unwrap_or_default();
            match read_status(text) {
                Some(s) => {
                    code.status = Some(Status {
                        code: s,
                        text: text.to_string(),
                        at: status.at,
                    })
                }
                None => contract.notes.push(Text {
                    text: format!("{}: status `{text}` is not an HTTP status", code.code),
                    at: status.at,
                }),
            }
        }
        if let Some(flag) = entry.get("retryable") {
            let text = flag.as_str().unwrap_or_default().to_string();
            code.retryable = Some(Flag {
                value: read_retryable(&text),
                text,
                at: flag.at,
            });
        }
        code.description = entry.get("description").and_then(|d| {
            Some(Text {
                text: d.as_str()?.to_string(),
                at: d.at,
            })
        });
        for (name, list) in [("causes", &mut code.causes), ("fixes", &mut code.fixes)] {
            for item in entry.get(name).map(Node::items).unwrap_or(&[]) {
                if let Some(text) = item.as_str() {
                    list.push(Text {
                        text: text.to_string(),
                        at: item.at,
                    });
                }
            }
        }
        if let Some(example) = entry.get("example") {
            let (body, positions) = example.to_json();
            code.examples.push(Example {
                at: example.at,
                body,
                status: None,
                positions,
            });
        }
        contract.codes.push(code);
    }
    Ok(Some(contract))
}

/// Reads a TOML catalogue. TOML values carry no positions here: each code is
/// placed at its first mention in the text (`code = "X"` or `[errors.X]`).
pub fn read_toml(text: &str) -> Result<Option<Contract>, Error> {
    let index = LineIndex::new(text);
    let table: toml::Table = toml::from_str(text).map_err(|e| Error::Syntax {
        at: e
            .span()
            .map_or(Position::new(1, 1), |s| index.position(s.start)),
        message: format!("invalid TOML: {}", e.message()),
    })?;
    let json = serde_json::to_value(&table).map_err(|e| Error::Syntax {
        at: Position::new(1, 1),
        message: e.to_string(),
    })?;
    let root = from_json(&json, Position::new(1, 1), 0)?;
    let Some(mut contract) = read_tree(&root)? else {
        return Ok(None);
    };
    for code in &mut contract.codes {
        let quoted = format!("\"{}\"", code.code);
        let keyed = format!("errors.{}]", code.code);
        if let Some(at) = text
            .find(&quoted)
            .map(|i| i + 1)
            .or_else(|| text.find(&keyed).map(|i| i + 7))
        {
            code.at = index.position(at);
        }
    }
    Ok(Some(contract))
}

/// A tree of a JSON value (every node at `at`), within the depth budget.
fn from_json(value: &serde_json::Value, at: Position, depth: usize) -> Result<Node, Error> {
    if depth > crate::MAX_DEPTH {
        return Err(Error::TooDeep {
            at,
            limit: crate::MAX_DEPTH,
        });
    }
    let value = match value {
        serde_json::Value::Array(items) => Value::Seq(
            items
                .iter()
                .map(|v| from_json(v, at, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        serde_json::Value::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), at, from_json(v, at, depth + 1)?)))
                .collect::<Result<_, Error>>()?,
        ),
        serde_json::Value::String(s) => Value::Scalar {
            text: s.clone(),
            plain: false,
        },
        other => Value::Scalar {
            text: other.to_string(),
            plain: true,
        },
    };
    Ok(Node { value, at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Retryable;

    #[test]
    fn toml_catalogue_with_positions_of_codes() {
        let text = "language = \"ja\"\n\n[errors.RATE_LIMITED]\nstatus = 429\nretryable = true\ncauses = [\"多すぎる\"]\n\n[errors.BAD_INPUT]\nstatus = \"400\"\nretryable = \"no\"\n";
        let c = read_toml(text).unwrap().unwrap();
        assert_eq!(c.language, Language::Ja);
        assert_eq!(c.codes.len(), 2);
        let rate = c.code("RATE_LIMITED").unwrap();
        assert_eq!(rate.at, Position::new(3, 9));
        assert_eq!(rate.status.as_ref().unwrap().code, 429);
        assert_eq!(rate.retryable.as_ref().unwrap().value, Retryable::Yes);
        assert_eq!(
            c.code("BAD_INPUT")
                .unwrap()
                .retryable
                .as_ref()
                .unwrap()
                .value,
            Retryable::No
        );
    }

    #[test]
    fn json_catalogue_list_form() {
        let root = crate::tree::parse(
            "{\"errors\": [\n {\"code\": \"GONE\", \"status\": 410, \"retryable\": false}\n]}",
        )
        .unwrap()
        .unwrap();
        let c = read_tree(&root).unwrap().unwrap();
        assert_eq!(c.codes[0].code, "GONE");
        assert_eq!(c.codes[0].at, Position::new(2, 11));
        assert!(read_toml("a = [").is_err());
    }
}
