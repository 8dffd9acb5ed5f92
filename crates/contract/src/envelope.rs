//! The envelope every error body follows (`{"success": false, "error": {"code", …}}`),
//! and whether a body follows it.

use crate::Position;
use serde::Serialize;
use serde_json::Value;

/// The JSON type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonKind {
    String,
    Number,
    Boolean,
    Object,
    Array,
    Null,
    /// Any type (a schema without `type`).
    Any,
}

impl JsonKind {
    pub fn of(value: &Value) -> JsonKind {
        match value {
            Value::String(_) => JsonKind::String,
            Value::Number(_) => JsonKind::Number,
            Value::Bool(_) => JsonKind::Boolean,
            Value::Object(_) => JsonKind::Object,
            Value::Array(_) => JsonKind::Array,
            Value::Null => JsonKind::Null,
        }
    }

    /// From a JSON Schema `type` (`integer` is a number).
    pub fn from_schema(name: &str) -> JsonKind {
        match name {
            "string" => JsonKind::String,
            "number" | "integer" => JsonKind::Number,
            "boolean" => JsonKind::Boolean,
            "object" => JsonKind::Object,
            "array" => JsonKind::Array,
            "null" => JsonKind::Null,
            _ => JsonKind::Any,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JsonKind::String => "string",
            JsonKind::Number => "number",
            JsonKind::Boolean => "boolean",
            JsonKind::Object => "object",
            JsonKind::Array => "array",
            JsonKind::Null => "null",
            JsonKind::Any => "any",
        }
    }
}

/// One field of the envelope: its dotted path (`error.details[].field`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub path: String,
    pub kind: JsonKind,
    pub required: bool,
}

/// The documented shape of error bodies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Envelope {
    pub at: Position,
    pub fields: Vec<Field>,
    /// Where the error code sits (`error.code`).
    pub code_path: Option<String>,
    /// Where the retryable flag sits (`error.retryable`).
    pub retryable_path: Option<String>,
    /// Where the message sits (`error.message`).
    pub message_path: Option<String>,
    /// Whether fields besides the listed ones are allowed (`additionalProperties`).
    pub open: bool,
}

/// How a body breaks the envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Breach {
    Missing {
        path: String,
    },
    WrongType {
        path: String,
        expected: JsonKind,
        found: JsonKind,
    },
    Unknown {
        path: String,
    },
}

impl Breach {
    pub fn path(&self) -> &str {
        match self {
            Breach::Missing { path }
            | Breach::WrongType { path, .. }
            | Breach::Unknown { path } => path,
        }
    }
}

const CODE_KEYS: &[&str] = &["code", "error_code", "errorCode", "type"];
const RETRYABLE_KEYS: &[&str] = &[
    "retryable",
    "retriable",
    "isRetryable",
    "is_retryable",
    "retry",
];
const MESSAGE_KEYS: &[&str] = &["message", "msg", "detail", "error_description"];

impl Envelope {
    /// The envelope an example body shows: every field it has is required,
    /// except the `optional` paths (from the document's field list).
    pub fn from_example(at: Position, body: &Value, optional: &[String]) -> Envelope {
        let mut fields = Vec::new();
        collect(body, "", &mut fields);
        for field in &mut fields {
            field.required = !optional.iter().any(|o| {
                field.path == *o
                    || field.path.starts_with(&format!("{o}."))
                    || field.path.starts_with(&format!("{o}[]"))
            });
        }
        Envelope::with_fields(at, fields, false)
    }

    /// An envelope from its fields, finding where code, flag and message sit.
    pub fn with_fields(at: Position, fields: Vec<Field>, open: bool) -> Envelope {
        let find = |keys: &[&str], kinds: &[JsonKind]| {
            // The shallowest field with one of the names wins (`error.code`, not `error.details[].code`).
            fields
                .iter()
                .filter(|f| !f.path.contains("[]"))
                .filter(|f| keys.contains(&f.path.rsplit('.').next().unwrap_or("")))
                .filter(|f| kinds.contains(&f.kind) || f.kind == JsonKind::Any)
                .min_by_key(|f| f.path.matches('.').count())
                .map(|f| f.path.clone())
        };
        Envelope {
            at,
            code_path: find(CODE_KEYS, &[JsonKind::String, JsonKind::Number]),
            retryable_path: find(RETRYABLE_KEYS, &[JsonKind::Boolean]),
            message_path: find(MESSAGE_KEYS, &[JsonKind::String]),
            fields,
            open,
        }
    }

    /// The ways `body` breaks the envelope, in field order.
    pub fn breaches(&self, body: &Value) -> Vec<Breach> {
        let mut out = Vec::new();
        for field in &self.fields {
            let found = values_at(body, &field.path);
            if found.is_empty() {
                // A required field inside an optional array item counts only when the item exists.
                if field.required && parent_present(body, &field.path) {
                    out.push(Breach::Missing {
                        path: field.path.clone(),
                    });
                }
                continue;
            }
            for value in found {
                let kind = JsonKind::of(value);
                if field.kind != JsonKind::Any
                    && kind != field.kind
                    && (kind != JsonKind::Null || field.required)
                {
                    out.push(Breach::WrongType {
                        path: field.path.clone(),
                        expected: field.kind,
                        found: kind,
                    });
                }
            }
        }
        if !self.open {
            let mut present = Vec::new();
            collect(body, "", &mut present);
            for field in present {
                let known = self.fields.iter().any(|f| {
                    f.path == field.path
                        || field.path.starts_with(&format!("{}.", f.path))
                        || field.path.starts_with(&format!("{}[]", f.path))
                });
                // Report the outermost unknown field only.
                let parent_unknown = out.iter().any(|b| {
                    matches!(b, Breach::Unknown { path } if field.path.starts_with(&format!("{path}.")) || field.path.starts_with(&format!("{path}[]")))
                });
                if !known && !parent_unknown {
                    out.push(Breach::Unknown { path: field.path });
                }
            }
        }
        out
    }

    /// The code, status-independent flag and message a body carries.
    pub fn read<'v>(&self, body: &'v Value) -> (Option<&'v Value>, Option<&'v Value>) {
        let at = |path: &Option<String>| {
            path.as_ref()
                .and_then(|p| values_at(body, p).into_iter().next())
        };
        (at(&self.code_path), at(&self.retryable_path))
    }
}

/// Every field of a value by dotted path; array items share `path[]`.
fn collect(value: &Value, path: &str, out: &mut Vec<Field>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let p = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if !out.iter().any(|f| f.path == p) {
                    out.push(Field {
                        path: p.clone(),
                        kind: JsonKind::of(v),
                        required: true,
                    });
                }
                collect(v, &p, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                if let Value::Object(_) = item {
                    collect(item, &format!("{path}[]"), out);
                }
            }
        }
        _ => {}
    }
}

/// The values at a dotted path (`a.b[].c` gives one per item).
pub fn values_at<'v>(body: &'v Value, path: &str) -> Vec<&'v Value> {
    let mut current = vec![body];
    for part in path.split('.') {
        let (key, each) = match part.strip_suffix("[]") {
            Some(key) => (key, true),
            None => (part, false),
        };
        let mut next = Vec::new();
        for value in current {
            if let Some(v) = value.get(key) {
                if each {
                    next.extend(v.as_array().into_iter().flatten());
                } else {
                    next.push(v);
                }
            }
        }
        current = next;
    }
    current
}

fn parent_present(body: &Value, path: &str) -> bool {
    match path.rsplit_once('.') {
        None => true,
        Some((parent, _)) => {
            !values_at(body, parent.trim_end_matches("[]")).is_empty()
                && (!parent.ends_with("[]") || !values_at(body, parent).is_empty())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn seed_envelope() -> Envelope {
        let body = json!({"success": false, "error": {"code": "ERROR_CODE", "message": "m", "retryable": true,
            "details": [{"field": "f", "message": "m"}]}});
        Envelope::from_example(Position::new(1, 1), &body, &["error.details".to_string()])
    }

    #[test]
    fn paths_of_code_flag_and_message() {
        let e = seed_envelope();
        assert_eq!(e.code_path.as_deref(), Some("error.code"));
        assert_eq!(e.retryable_path.as_deref(), Some("error.retryable"));
        assert_eq!(e.message_path.as_deref(), Some("error.message"));
        assert!(
            !e.fields
                .iter()
                .find(|f| f.path == "error.details")
                .unwrap()
                .required
        );
    }

    #[test]
    fn breaches_of_a_body() {
        let e = seed_envelope();
        let ok =
            json!({"success": false, "error": {"code": "X", "message": "m", "retryable": false}});
        assert!(e.breaches(&ok).is_empty(), "{:?}", e.breaches(&ok));
        let bad = json!({"success": false, "error": {"code": "X", "message": "m", "retryable": "no"}, "detail": 1});
        assert_eq!(
            e.breaches(&bad),
            vec![
                Breach::WrongType {
                    path: "error.retryable".into(),
                    expected: JsonKind::Boolean,
                    found: JsonKind::String
                },
                Breach::Unknown {
                    path: "detail".into()
                },
            ]
        );
        let fastapi = json!({"detail": [{"loc": ["body"], "msg": "x", "type": "missing"}]});
        let b = e.breaches(&fastapi);
        assert!(b.contains(&Breach::Missing {
            path: "error".into()
        }));
        assert!(b.contains(&Breach::Missing {
            path: "success".into()
        }));
        // Fields under a missing object are not reported again.
        assert!(!b.contains(&Breach::Missing {
            path: "error.code".into()
        }));
    }
}
