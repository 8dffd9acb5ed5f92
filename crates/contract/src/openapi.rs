//! OpenAPI 3.0/3.1 documents (YAML or JSON): error responses (`4xx`, `5xx`,
//! `4XX`, `default`), their schemas (the envelope, `enum`s of codes) and
//! examples (`example`, `examples`, `components.examples`), and `x-`
//! extensions: `x-error-codes` (a list or map of codes with `status`,
//! `retryable`, `description`), `x-retryable` on a response, and
//! `x-speakeasy-retries.statusCodes`.

use crate::envelope::values_at;
use crate::text::{has_japanese, read_retryable, read_status};
use crate::tree::{self, Node, Value};
use crate::{
    Contract, DocumentKind, Envelope, Error, ErrorCode, Example, Field, Flag, JsonKind, Language,
    Position, Status, Text, MAX_DEPTH,
};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Reads an OpenAPI document; `Ok(None)` when the YAML/JSON is not OpenAPI 3.
pub fn read(text: &str) -> Result<Option<Contract>, Error> {
    match tree::parse(text)? {
        Some(root) => read_tree(&root),
        None => Ok(None),
    }
}

/// Follows `$ref`s within the document (`#/components/...`), a few hops at most.
fn resolve<'a>(root: &'a Node, mut node: &'a Node) -> &'a Node {
    for _ in 0..16 {
        let Some(target) = node.reference().and_then(|r| r.strip_prefix("#/")) else {
            return node;
        };
        let mut at = root;
        for part in target.split('/') {
            let part = part.replace("~1", "/").replace("~0", "~");
            match at.get(&part) {
                Some(next) => at = next,
                None => return node,
            }
        }
        node = at;
    }
    node
}

pub fn read_tree(root: &Node) -> Result<Option<Contract>, Error> {
    let Some(version) = root.get("openapi").and_then(Node::as_str) else {
        return Ok(None);
    };
    if !version.starts_with('3') {
        return Ok(None);
    }
    let japanese = root
        .get("info")
        .map(|info| {
            ["title", "description"]
                .iter()
                .filter_map(|k| info.get(k).and_then(Node::as_str))
                .any(has_japanese)
        })
        .unwrap_or(false);
    let mut contract = Contract::empty(
        DocumentKind::OpenApi,
        if japanese { Language::Ja } else { Language::En },
    );
    let mut reader = Reader {
        root,
        contract: &mut contract,
        enum_codes: Vec::new(),
    };
    reader.extensions(root);
    if let Some(paths) = root.get("paths") {
        for (_, _, item) in paths.entries() {
            let item = resolve(root, item);
            for (method, _, operation) in item.entries() {
                if !METHODS.contains(&method) {
                    continue;
                }
                reader.extensions(operation);
                if let Some(responses) = operation.get("responses") {
                    for (status, at, response) in responses.entries() {
                        reader.response(status, at, response);
                    }
                }
            }
        }
    }
    if let Some(responses) = root.get("components").and_then(|c| c.get("responses")) {
        for (_, at, response) in responses.entries() {
            // Shared responses named without a status: examples still count.
            reader.response("default", at, response);
        }
    }
    reader.add_enum_codes();
    let has_content = !contract.codes.is_empty()
        || contract.envelope.is_some()
        || !contract.loose_examples.is_empty();
    Ok(has_content.then_some(contract))
}

struct Reader<'a, 'c> {
    root: &'a Node,
    contract: &'c mut Contract,
    /// Codes of `enum`s in error schemas, with the status of each response
    /// that uses them; added after the examples, which say more.
    enum_codes: Vec<ErrorCode>,
}

impl Reader<'_, '_> {
    /// `x-error-codes` and `x-speakeasy-retries` of the document or an operation.
    fn extensions(&mut self, node: &Node) {
        if let Some(codes) = node.get("x-error-codes") {
            let entries: Vec<(Option<&str>, Position, &Node)> = match &codes.value {
                Value::Seq(items) => items.iter().map(|n| (None, n.at, n)).collect(),
                Value::Map(_) => codes.entries().map(|(k, at, n)| (Some(k), at, n)).collect(),
                Value::Scalar { .. } => Vec::new(),
            };
            for (key, at, entry) in entries {
                let Some(code) = key.or_else(|| entry.get("code").and_then(Node::as_str)) else {
                    continue;
                };
                let mut code = ErrorCode::new(code, at);
                code.status = entry.get("status").and_then(status_of);
                code.retryable = entry.get("retryable").map(flag_of);
                code.description = entry.get("description").and_then(text_of);
                self.add(code);
            }
        }
        if let Some(retries) = node
            .get("x-speakeasy-retries")
            .and_then(|r| r.get("statusCodes"))
        {
            for status in retries.items() {
                if let Some(text) = status.as_str() {
                    // `5XX` stands for every status of the class.
                    let statuses: Vec<u16> = match read_status(text) {
                        Some(code) => vec![code],
                        None if text.len() == 3 && text.ends_with("XX") => text[..1]
                            .parse::<u16>()
                            .map(|class| (class * 100..class * 100 + 100).collect())
                            .unwrap_or_default(),
                        None => Vec::new(),
                    };
                    for code in statuses {
                        self.contract.retryable_statuses.push(Status {
                            code,
                            text: text.to_string(),
                            at: status.at,
                        });
                    }
                }
            }
        }
    }

    fn response(&mut self, status_key: &str, key_at: Position, response: &Node) {
        let status = read_status(status_key);
        let error_response = status.is_some_and(|s| s >= 400)
            || status_key == "default"
            || status_key.starts_with('4')
            || status_key.starts_with('5');
        if !error_response {
            return;
        }
        let response = resolve(self.root, response);
        let flag = response.get("x-retryable").map(flag_of);
        let Some(content) = response.get("content") else {
            return;
        };
        for (media, _, body) in content.entries() {
            if !media.contains("json") {
                continue;
            }
            let mut schema_codes = Vec::new();
            if let Some(schema) = body.get("schema") {
                let schema = resolve(self.root, schema);
                if self.contract.envelope.is_none() {
                    let mut fields = Vec::new();
                    schema_fields(self.root, schema, "", true, 0, &mut fields);
                    let open = schema
                        .get("additionalProperties")
                        .is_none_or(|a| a.as_str() != Some("false"));
                    if !fields.is_empty() {
                        let envelope = Envelope::with_fields(schema.at, fields, open);
                        if envelope.code_path.is_some() {
                            self.contract.envelope = Some(envelope);
                        }
                    }
                }
                let code_path = self.contract.code_path();
                let mut code_schemas = Vec::new();
                schemas_at(self.root, schema, &code_path, 0, &mut code_schemas);
                for enumeration in code_schemas.iter().filter_map(|s| s.get("enum")) {
                    schema_codes.extend(
                        enumeration
                            .items()
                            .iter()
                            .filter_map(|n| n.as_str().map(|c| (c.to_string(), n.at))),
                    );
                }
                if let Some(example) = schema.get("example") {
                    self.example(example, status, key_at, flag.as_ref());
                }
            }
            if let Some(example) = body.get("example") {
                self.example(example, status, key_at, flag.as_ref());
            }
            if let Some(examples) = body.get("examples") {
                for (_, _, example) in examples.entries() {
                    let example = resolve(self.root, example);
                    if let Some(value) = example.get("value") {
                        self.example(value, status, key_at, flag.as_ref());
                    }
                }
            }
            for (code, at) in schema_codes {
                let mut entry = ErrorCode::new(code, at);
                entry.status = status.map(|code| Status {
                    code,
                    text: status_key.to_string(),
                    at: key_at,
                });
                entry.retryable = flag.clone();
                self.enum_codes.push(entry);
            }
        }
    }

    fn example(
        &mut self,
        node: &Node,
        status: Option<u16>,
        status_at: Position,
        flag: Option<&Flag>,
    ) {
        let (body, positions) = node.to_json();
        let example = Example {
            at: node.at,
            body,
            status,
            positions,
        };
        let code_path = self.contract.code_path();
        let code = values_at(&example.body, &code_path)
            .into_iter()
            .next()
            .and_then(|v| v.as_str().map(str::to_string));
        let Some(code) = code else {
            self.contract.loose_examples.push(example);
            return;
        };
        let mut entry = ErrorCode::new(&code, example.position_of(&code_path));
        entry.status = status.map(|code| Status {
            code,
            text: code.to_string(),
            at: status_at,
        });
        entry.retryable = flag.cloned().or_else(|| {
            let path = self.contract.retryable_path()?;
            let value = values_at(&example.body, &path).into_iter().next()?;
            Some(Flag {
                value: read_retryable(&value.to_string()),
                text: value.to_string(),
                at: example.position_of(&path),
            })
        });
        entry.examples.push(example);
        self.add(entry);
    }

    /// Adds a code, merging what several responses say about the same code:
    /// the first status and flag stay, examples gather.
    /// The codes of error schemas' enums. One schema shared by responses of
    /// several statuses says nothing of each code's status: a code seen
    /// under more than one status gets none from the enum.
    fn add_enum_codes(&mut self) {
        let pending = std::mem::take(&mut self.enum_codes);
        for mut entry in pending.iter().cloned() {
            let mut statuses = pending
                .iter()
                .filter(|e| e.code == entry.code)
                .filter_map(|e| e.status.as_ref().map(|s| s.code));
            let first = statuses.next();
            if statuses.any(|s| Some(s) != first) {
                entry.status = None;
                entry.retryable = None;
            }
            self.add(entry);
        }
    }

    fn add(&mut self, entry: ErrorCode) {
        match self
            .contract
            .codes
            .iter_mut()
            .find(|c| c.code == entry.code)
        {
            Some(known) => {
                if known.status.is_none() {
                    known.status = entry.status;
                }
                if known.retryable.is_none() {
                    known.retryable = entry.retryable;
                }
                if known.description.is_none() {
                    known.description = entry.description;
                }
                known.examples.extend(entry.examples);
            }
            None => self.contract.codes.push(entry),
        }
    }
}

fn status_of(node: &Node) -> Option<Status> {
    let text = node.as_str()?;
    Some(Status {
        code: read_status(text)?,
        text: text.to_string(),
        at: node.at,
    })
}

fn flag_of(node: &Node) -> Flag {
    let text = node.as_str().unwrap_or("").to_string();
    Flag {
        value: read_retryable(&text),
        text,
        at: node.at,
    }
}

fn text_of(node: &Node) -> Option<Text> {
    Some(Text {
        text: node.as_str()?.to_string(),
        at: node.at,
    })
}

/// The fields a JSON Schema describes, by dotted path (`allOf` merged).
fn schema_fields(
    root: &Node,
    schema: &Node,
    path: &str,
    required: bool,
    depth: usize,
    out: &mut Vec<Field>,
) {
    if depth > MAX_DEPTH / 4 {
        return;
    }
    let schema = resolve(root, schema);
    for part in schema.get("allOf").map(Node::items).unwrap_or(&[]) {
        schema_fields(root, part, path, required, depth + 1, out);
    }
    let required_keys: Vec<&str> = schema
        .get("required")
        .map(|r| r.items().iter().filter_map(Node::as_str).collect())
        .unwrap_or_default();
    if let Some(properties) = schema.get("properties") {
        for (key, _, property) in properties.entries() {
            let property = resolve(root, property);
            let child = if path.is_empty() {
                key.to_string()
            } else {
                format!("{path}.{key}")
            };
            let kind = kind_of(property);
            if !out.iter().any(|f| f.path == child) {
                out.push(Field {
                    path: child.clone(),
                    kind,
                    required: required && required_keys.contains(&key),
                });
            }
            match kind {
                JsonKind::Object => schema_fields(root, property, &child, true, depth + 1, out),
                JsonKind::Array => {
                    if let Some(items) = property.get("items") {
                        schema_fields(root, items, &format!("{child}[]"), true, depth + 1, out);
                    }
                }
                _ => {}
            }
        }
    }
}

/// A schema's type: `type: string`, 3.1's `type: [string, "null"]`, or object by its properties.
fn kind_of(schema: &Node) -> JsonKind {
    match schema.get("type") {
        Some(t) => match &t.value {
            Value::Scalar { text, .. } => JsonKind::from_schema(text),
            Value::Seq(items) => {
                let kinds: Vec<JsonKind> = items
                    .iter()
                    .filter_map(Node::as_str)
                    .filter(|t| *t != "null")
                    .map(JsonKind::from_schema)
                    .collect();
                if kinds.len() == 1 {
                    kinds[0]
                } else {
                    JsonKind::Any
                }
            }
            Value::Map(_) => JsonKind::Any,
        },
        None if schema.get("properties").is_some() => JsonKind::Object,
        None => JsonKind::Any,
    }
}

/// The sub-schemas at a dotted path of a schema (through `allOf`, `oneOf`, `anyOf`).
fn schemas_at<'a>(
    root: &'a Node,
    schema: &'a Node,
    path: &str,
    depth: usize,
    out: &mut Vec<&'a Node>,
) {
    if depth > MAX_DEPTH / 4 {
        return;
    }
    let schema = resolve(root, schema);
    for combinator in ["allOf", "oneOf", "anyOf"] {
        for part in schema.get(combinator).map(Node::items).unwrap_or(&[]) {
            schemas_at(root, part, path, depth + 1, out);
        }
    }
    if path.is_empty() {
        out.push(schema);
        return;
    }
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    if let Some(next) = schema.get("properties").and_then(|p| p.get(head)) {
        schemas_at(root, next, rest, depth + 1, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swagger_2_and_plain_yaml_are_not_contracts() {
        assert!(read("swagger: '2.0'\npaths: {}\n").unwrap().is_none());
        assert!(read("services:\n  web:\n    image: x\n").unwrap().is_none());
    }

    #[test]
    fn an_enum_shared_by_two_statuses_gives_its_codes_none_but_examples_do() {
        let text = "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses:\n        '404':\n          description: x\n          content:\n            application/json:\n              schema: { $ref: '#/components/schemas/E' }\n              example: { error: { code: GONE } }\n        '503':\n          description: y\n          content:\n            application/json:\n              schema: { $ref: '#/components/schemas/E' }\ncomponents:\n  schemas:\n    E:\n      type: object\n      properties:\n        error:\n          type: object\n          properties:\n            code: { type: string, enum: [GONE, BUSY] }\n";
        let c = read(text).unwrap().unwrap();
        let status = |code: &str| c.code(code).and_then(|c| c.status.as_ref()).map(|s| s.code);
        assert_eq!(status("GONE"), Some(404), "from its example");
        assert_eq!(status("BUSY"), None, "the enum is under 404 and 503");
    }

    #[test]
    fn speakeasy_retries_name_statuses() {
        let c = read("openapi: 3.1.0\nx-speakeasy-retries:\n  statusCodes: [429, 5XX]\nx-error-codes:\n  - code: BUSY\n    status: 503\n    retryable: true\n").unwrap().unwrap();
        let statuses: Vec<u16> = c.retryable_statuses.iter().map(|s| s.code).collect();
        assert!(statuses.contains(&429) && statuses.contains(&503) && !statuses.contains(&404));
        assert_eq!(c.codes[0].code, "BUSY");
        assert_eq!(c.codes[0].status.as_ref().unwrap().code, 503);
    }
}
