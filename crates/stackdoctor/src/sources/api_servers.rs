//! Server code (TypeScript/JavaScript: Express, Hono, Fastify, Next.js route
//! handlers; Python: FastAPI, Flask) read from the same syntax trees as the
//! client code, for what the server answers on errors: each place that sends
//! an error (status, body, code, flag), the applications created and the
//! error handlers registered with them.
//!
//! What is followed: literal answers (`res.status(400).json({…})`,
//! `c.json({…}, 400)`, `NextResponse.json({…}, { status: 400 })`,
//! `JSONResponse(status_code=400, content={…})`, Flask's `return jsonify(…),
//! 400`), a body kept in a variable of the same function, errors raised with
//! their code and status (`throw new AppError('NOT_FOUND', 404)`,
//! `raise HTTPException(404, …)`), and helpers that build the answer from
//! their parameters (`sendError(res, 'NOT_FOUND', 404)`), called from any
//! file of the project (matched by name). Not followed: values computed at
//! run time, class hierarchies (a subclass that fixes its code in `super(…)`),
//! bodies built by other functions than a helper's own parameters.

use super::api_clients::{unwrap, Reader, FUNCTION_KINDS};
use crate::model::api::{
    ErrorHandler, ErrorResponse, Framework, Handles, ResponseBody, ResponseKind, ServerApp,
    ServerFile,
};
use crate::model::{Origin, Sourced};
use codeparse::{ancestor, Lang, Node, Parsed};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// The deepest object literal read as a body.
const MAX_DEPTH: usize = 32;
/// Node kinds of literal values (TypeScript and Python).
const LITERAL_KINDS: &[&str] = &[
    "string",
    "template_string",
    "number",
    "integer",
    "true",
    "false",
    "null",
    "none",
    "object",
    "dictionary",
    "array",
    "list",
];
/// The most helper calls kept per run (calls with literal arguments).
const MAX_CALLS: usize = 100_000;

/// Python exceptions that are not the project's own error classes.
const PYTHON_BUILTIN_ERRORS: &[&str] = &[
    "Exception",
    "ValueError",
    "TypeError",
    "KeyError",
    "RuntimeError",
    "NotImplementedError",
    "AssertionError",
    "AttributeError",
    "LookupError",
    "IndexError",
    "OSError",
    "IOError",
    "PermissionError",
    "StopIteration",
];

/// What one file gives before helpers are matched with their calls.
#[derive(Default)]
pub(super) struct Extracted {
    pub server: ServerFile,
    templates: Vec<Template>,
    calls: Vec<Call>,
}

/// A value as written: literals with their place, parameters of the
/// enclosing function (bound at a helper's calls), anything else unknown.
#[derive(Debug, Clone)]
enum Written {
    Object(Vec<(String, Written)>, bool),
    Array(Vec<Written>),
    Literal(Value, Origin),
    Param(String),
    Unknown,
}

/// An answer found in the code, before parameters are bound.
#[derive(Debug, Clone)]
struct Site {
    origin: Origin,
    kind: ResponseKind,
    status: Option<Written>,
    body: Option<Written>,
    code: Option<Written>,
    text: String,
}

impl Site {
    fn uses_params(&self) -> bool {
        [&self.status, &self.body, &self.code]
            .into_iter()
            .flatten()
            .any(has_param)
    }
}

/// A function whose answer depends on its parameters.
struct Template {
    name: String,
    params: Vec<String>,
    site: Site,
}

/// A call of a named function with its arguments.
struct Call {
    name: String,
    positional: Vec<Written>,
    keywords: Vec<(String, Written)>,
    origin: Origin,
    text: String,
}

fn has_param(w: &Written) -> bool {
    match w {
        Written::Param(_) => true,
        Written::Object(fields, _) => fields.iter().any(|(_, v)| has_param(v)),
        Written::Array(items) => items.iter().any(has_param),
        _ => false,
    }
}

/// Whether the file's text may hold server code worth parsing (a cheap test
/// before the parse, on words every framework needs).
pub(super) fn may_serve(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "express",
        "hono",
        "fastify",
        "next/server",
        "fastapi",
        "flask",
        "starlette",
        "status(",
        "Response",
        "jsonify",
    ];
    WORDS.iter().any(|w| text.contains(w))
}

/// Reads the server facts of one parsed file.
pub(super) fn extract(file: &Path, parsed: &Parsed) -> Extracted {
    let reader = Reader { file, parsed };
    let mut out = Extracted {
        server: ServerFile {
            file: file.to_path_buf(),
            ..ServerFile::default()
        },
        ..Extracted::default()
    };
    let mut sites = Vec::new();
    for node in reader.nodes(parsed.root()) {
        match parsed.lang {
            Lang::Python => python_node(&reader, node, &mut out, &mut sites),
            Lang::TypeScript | Lang::Tsx => script_node(&reader, node, &mut out, &mut sites),
        }
    }
    let next_route = is_next_route(file);
    for (site, function) in sites {
        let template = site.uses_params().then_some(()).and_then(|_| {
            let function = function?;
            let name = function_name(&reader, function)?;
            Some((name, parameters(&reader, function)))
        });
        match template {
            Some((name, params)) => out.templates.push(Template { name, params, site }),
            None => out
                .server
                .responses
                .push(bind(&site, &HashMap::new(), None)),
        }
    }
    if next_route && !out.server.responses.is_empty() && out.server.apps.is_empty() {
        out.server.apps.push(ServerApp {
            framework: Framework::NextJs,
            origin: Origin::file(file, 1, 1, 0),
        });
    }
    out
}

/// Binds helpers to their calls across the files, and returns the servers
/// that answer errors or create an application.
pub(super) fn finish(files: Vec<Extracted>) -> Vec<crate::model::api::ServerFile> {
    let mut templates: HashMap<String, Vec<(&Template, &Path)>> = HashMap::new();
    for file in &files {
        for t in &file.templates {
            templates
                .entry(t.name.clone())
                .or_default()
                .push((t, file.server.file.as_path()));
        }
    }
    let mut expanded: Vec<Vec<ErrorResponse>> = Vec::with_capacity(files.len());
    for file in &files {
        let mut responses = Vec::new();
        for call in &file.calls {
            let Some(candidates) = templates.get(&call.name) else {
                continue;
            };
            // The helper of the same file first, else the only one of that name.
            let template = candidates
                .iter()
                .find(|(_, f)| *f == file.server.file)
                .or_else(|| (candidates.len() == 1).then(|| &candidates[0]))
                .map(|(t, _)| *t);
            let Some(template) = template else { continue };
            let mut args = HashMap::new();
            let params: Vec<&String> = template
                .params
                .iter()
                .filter(|p| *p != "self" && *p != "cls")
                .collect();
            for (param, value) in params.iter().zip(&call.positional) {
                args.insert(param.to_string(), value.clone());
            }
            for (name, value) in &call.keywords {
                args.insert(name.clone(), value.clone());
            }
            let mut response = bind(&template.site, &args, Some(&template.name));
            response.origin = call.origin.clone();
            response.text = call.text.clone();
            responses.push(response);
        }
        expanded.push(responses);
    }
    files
        .into_iter()
        .zip(expanded)
        .filter_map(|(file, more)| {
            let mut server = file.server;
            server.responses.extend(more);
            let keep = !server.responses.is_empty()
                || !server.apps.is_empty()
                || !server.handlers.is_empty();
            keep.then_some(server)
        })
        .collect()
}

/// Caps the calls kept over a run.
pub(super) fn cap_calls(files: &mut [Extracted]) {
    let mut left = MAX_CALLS;
    for file in files {
        let keep = file.calls.len().min(left);
        file.calls.truncate(keep);
        left -= keep;
    }
}

fn is_next_route(file: &Path) -> bool {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let under = |dir: &str| file.components().any(|c| c.as_os_str() == dir);
    (name.starts_with("route.") && under("app")) || under("api") && under("pages")
}

/// A site's answer with the helper's parameters bound to `args`.
fn bind(site: &Site, args: &HashMap<String, Written>, via: Option<&str>) -> ErrorResponse {
    let status = site.status.as_ref().and_then(|s| match resolve(s, args) {
        Written::Literal(Value::Number(n), origin) => n
            .as_u64()
            .and_then(|n| u16::try_from(n).ok())
            .map(|n| Sourced::new(n, origin)),
        _ => None,
    });
    let code = site.code.as_ref().and_then(|c| match resolve(c, args) {
        Written::Literal(Value::String(s), origin) => Some(Sourced::new(s, origin)),
        _ => None,
    });
    let body = site.body.as_ref().map(|b| {
        let mut body = ResponseBody {
            value: Value::Null,
            unknown: Vec::new(),
            open: false,
            positions: Vec::new(),
        };
        body.value = to_json(&resolve(b, args), "", &mut body);
        body
    });
    ErrorResponse {
        origin: site.origin.clone(),
        kind: site.kind,
        status,
        body,
        code,
        via: via.map(str::to_string),
        text: site.text.clone(),
    }
}

fn resolve(w: &Written, args: &HashMap<String, Written>) -> Written {
    match w {
        Written::Param(name) => args.get(name).cloned().unwrap_or(Written::Unknown),
        Written::Object(fields, open) => Written::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), resolve(v, args)))
                .collect(),
            *open,
        ),
        Written::Array(items) => Written::Array(items.iter().map(|i| resolve(i, args)).collect()),
        other => other.clone(),
    }
}

fn to_json(w: &Written, path: &str, body: &mut ResponseBody) -> Value {
    match w {
        Written::Literal(value, origin) => {
            body.positions.push((path.to_string(), origin.clone()));
            value.clone()
        }
        Written::Object(fields, open) => {
            body.open |= *open;
            let mut map = serde_json::Map::new();
            for (key, value) in fields {
                let p = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let v = to_json(value, &p, body);
                map.insert(key.clone(), v);
            }
            Value::Object(map)
        }
        Written::Array(items) => {
            let p = format!("{path}[]");
            Value::Array(items.iter().map(|i| to_json(i, &p, body)).collect())
        }
        Written::Param(_) | Written::Unknown => {
            body.unknown.push(path.to_string());
            Value::Null
        }
    }
}

fn function_name(reader: &Reader, function: Node) -> Option<String> {
    if function.kind() == "function_definition" {
        return function
            .child_by_field_name("name")
            .map(|n| reader.text(n).to_string());
    }
    super::api_clients::function_name(reader, function)
}

fn enclosing_function(node: Node) -> Option<Node> {
    ancestor(node, FUNCTION_KINDS).or_else(|| ancestor(node, &["function_definition"]))
}

/// The names of a function's parameters, in order.
fn parameters(reader: &Reader, function: Node) -> Vec<String> {
    let Some(list) = function
        .child_by_field_name("parameters")
        .or_else(|| function.child_by_field_name("parameter"))
    else {
        return Vec::new();
    };
    if list.kind() == "identifier" {
        return vec![reader.text(list).to_string()];
    }
    named_children(list)
        .filter_map(|p| {
            let name = match p.kind() {
                "identifier" => Some(p),
                "required_parameter" | "optional_parameter" => p.child_by_field_name("pattern"),
                "default_parameter" | "typed_default_parameter" => p.child_by_field_name("name"),
                "typed_parameter" => p.named_child(0),
                _ => None,
            }?;
            Some(reader.text(name).to_string())
        })
        .collect()
}

fn is_param(reader: &Reader, node: Node, name: &str) -> bool {
    enclosing_function(node).is_some_and(|f| parameters(reader, f).iter().any(|p| p == name))
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").trim().to_string()
}

fn args_of<'t>(call: Node<'t>) -> Vec<Node<'t>> {
    let Some(list) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    named_children(list)
        .filter(|n| n.kind() != "comment")
        .collect()
}

/// An error code as projects write them: `NOT_FOUND`, `AI_SERVICE_ERROR`.
fn looks_like_code(text: &str) -> bool {
    text.len() >= 3
        && text.len() <= 64
        && text.chars().any(|c| c.is_ascii_uppercase())
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn error_status(w: &Written) -> bool {
    match w {
        Written::Literal(Value::Number(n), _) => {
            n.as_u64().is_some_and(|n| (400..600).contains(&n))
        }
        Written::Param(_) => true,
        _ => false,
    }
}

/// Whether a body without a status reads as an error (`{ success: false }`, `{ error: … }`).
fn error_body(w: &Written) -> bool {
    let Written::Object(fields, _) = w else {
        return false;
    };
    fields.iter().any(|(k, v)| {
        k == "error"
            || k == "errors"
            || (k == "success" && matches!(v, Written::Literal(Value::Bool(false), _)))
    })
}

// ---------------------------------------------------------------- TypeScript

fn script_node<'t>(
    reader: &Reader<'t>,
    node: Node<'t>,
    out: &mut Extracted,
    sites: &mut Vec<(Site, Option<Node<'t>>)>,
) {
    match node.kind() {
        "call_expression" => script_call(reader, node, out, sites),
        "new_expression" => script_new(reader, node, out, sites),
        "throw_statement" => {
            if let Some(value) = node.named_child(0).map(unwrap) {
                if let Some(site) = script_thrown(reader, node, value) {
                    sites.push((site, enclosing_function(node)));
                }
            }
        }
        kind if FUNCTION_KINDS.contains(&kind) => {
            // Express's error middleware: four parameters, the first the error.
            let params = parameters(reader, node);
            if params.len() == 4 && params[0].to_ascii_lowercase().starts_with("err") {
                out.server.handlers.push(ErrorHandler {
                    handles: Handles::Errors,
                    origin: reader.origin(node),
                });
            }
        }
        _ => {}
    }
}

/// The named children of `node`, in order.
fn named_children(node: Node) -> impl Iterator<Item = Node> {
    (0..node.named_child_count()).filter_map(move |i| node.named_child(i as u32))
}

/// The values both languages write alike: whole numbers, booleans, null
/// and the enclosing function's parameters.
fn scalar_value(reader: &Reader, node: Node) -> Option<Written> {
    let literal = |v: Value| Written::Literal(v, reader.origin(node));
    Some(match node.kind() {
        "number" | "integer" => reader
            .text(node)
            .replace('_', "")
            .parse::<u64>()
            .map(|n| literal(Value::from(n)))
            .unwrap_or(Written::Unknown),
        "true" => literal(Value::Bool(true)),
        "false" => literal(Value::Bool(false)),
        "null" | "none" => literal(Value::Null),
        "identifier" => {
            let name = reader.text(node);
            if is_param(reader, node, name) {
                Written::Param(name.to_string())
            } else {
                Written::Unknown
            }
        }
        _ => return None,
    })
}

fn script_value(reader: &Reader, node: Node, depth: usize) -> Written {
    let node = unwrap(node);
    if depth > MAX_DEPTH {
        return Written::Unknown;
    }
    if let Some(value) = scalar_value(reader, node) {
        return value;
    }
    let literal = |v: Value| Written::Literal(v, reader.origin(node));
    match node.kind() {
        "string" => literal(Value::String(
            reader.text(node).trim_matches(['"', '\'']).to_string(),
        )),
        "template_string" => {
            let has_substitution =
                named_children(node).any(|c| c.kind() == "template_substitution");
            if has_substitution {
                Written::Unknown
            } else {
                literal(Value::String(
                    reader.text(node).trim_matches('`').to_string(),
                ))
            }
        }
        "object" => {
            let mut fields = Vec::new();
            let mut open = false;
            for child in named_children(node) {
                match child.kind() {
                    "pair" => {
                        let (Some(key), Some(value)) = (
                            child.child_by_field_name("key"),
                            child.child_by_field_name("value"),
                        ) else {
                            continue;
                        };
                        if key.kind() == "computed_property_name" {
                            open = true;
                            continue;
                        }
                        let key = reader.text(key).trim_matches(['"', '\'']).to_string();
                        fields.push((key, script_value(reader, value, depth + 1)));
                    }
                    "shorthand_property_identifier" => {
                        let name = reader.text(child).to_string();
                        let value = if is_param(reader, child, &name) {
                            Written::Param(name.clone())
                        } else {
                            Written::Unknown
                        };
                        fields.push((name, value));
                    }
                    "spread_element" => open = true,
                    _ => {}
                }
            }
            Written::Object(fields, open)
        }
        "array" => Written::Array(
            named_children(node)
                .map(|c| script_value(reader, c, depth + 1))
                .collect(),
        ),
        _ => Written::Unknown,
    }
}

/// A body argument: an object literal, or a variable of the same function set to one.
fn script_body(reader: &Reader, node: Node) -> Written {
    let declaration = ("variable_declarator", "name", "value");
    local_body(reader, unwrap(node), declaration, script_value)
}

/// A body written in place, or in a variable of the same function: the
/// `declaration` nodes (kind, name field, value field) that set it.
fn local_body(
    reader: &Reader,
    node: Node,
    (kind, name_field, value_field): (&str, &str, &str),
    value_of: fn(&Reader, Node, usize) -> Written,
) -> Written {
    if node.kind() == "identifier" {
        let name = reader.text(node);
        if !is_param(reader, node, name) {
            let scope = enclosing_function(node).unwrap_or(reader.parsed.root());
            let declared = reader
                .nodes(scope)
                .into_iter()
                .filter(|n| n.kind() == kind)
                .find(|d| d.child_by_field_name(name_field).map(|n| reader.text(n)) == Some(name))
                .and_then(|d| d.child_by_field_name(value_field));
            if let Some(value) = declared {
                return value_of(reader, value, 0);
            }
        }
    }
    value_of(reader, node, 0)
}

fn status_in_init(reader: &Reader, node: Node) -> Option<Written> {
    match script_value(reader, node, 0) {
        Written::Object(fields, _) => fields
            .into_iter()
            .find(|(k, _)| k == "status")
            .map(|(_, v)| v),
        other @ (Written::Literal(Value::Number(_), _) | Written::Param(_)) => Some(other),
        _ => None,
    }
}

fn script_call<'t>(
    reader: &Reader<'t>,
    node: Node<'t>,
    out: &mut Extracted,
    sites: &mut Vec<(Site, Option<Node<'t>>)>,
) {
    let Some(callee) = node.child_by_field_name("function") else {
        return;
    };
    let args = args_of(node);
    let function = enclosing_function(node);
    let site = |kind, status, body, code| Site {
        origin: reader.origin(node),
        kind,
        status,
        body,
        code,
        text: first_line(reader.text(node)),
    };
    match callee.kind() {
        "identifier" => {
            let name = reader.text(callee);
            let framework = match name {
                "express" => Some(Framework::Express),
                "Fastify" | "fastify" => Some(Framework::Fastify),
                _ => None,
            };
            if let Some(framework) = framework {
                out.server.apps.push(ServerApp {
                    framework,
                    origin: reader.origin(node),
                });
                return;
            }
            // `next(new AppError('NOT_FOUND', 404))`
            if name == "next" && args.len() == 1 && unwrap(args[0]).kind() == "new_expression" {
                if let Some(site) = script_thrown(reader, node, unwrap(args[0])) {
                    sites.push((site, function));
                }
                return;
            }
            record_call(reader, node, name, &args, out, |r, n| script_value(r, n, 0));
        }
        "member_expression" => {
            let (Some(object), Some(property)) = (
                callee.child_by_field_name("object"),
                callee.child_by_field_name("property"),
            ) else {
                return;
            };
            let method = reader.text(property);
            match method {
                "onError" | "setErrorHandler" => out.server.handlers.push(ErrorHandler {
                    handles: Handles::Errors,
                    origin: reader.origin(node),
                }),
                "sendStatus" => {
                    if let Some(status) = args.first().map(|a| script_value(reader, *a, 0)) {
                        if error_status(&status) {
                            sites.push((
                                site(ResponseKind::Text, Some(status), None, None),
                                function,
                            ));
                        }
                    }
                }
                "json" | "send" | "text" | "html" if !args.is_empty() => {
                    // `res.status(400).json(…)`, `reply.code(400).send(…)`
                    let chained = Some(unwrap(object))
                        .filter(|o| o.kind() == "call_expression")
                        .and_then(|o| {
                            let f = o.child_by_field_name("function")?;
                            let p = f.child_by_field_name("property")?;
                            matches!(reader.text(p), "status" | "code")
                                .then(|| args_of(o).first().map(|a| script_value(reader, *a, 0)))?
                        });
                    let status =
                        chained.or_else(|| args.get(1).and_then(|a| status_in_init(reader, *a)));
                    let first = unwrap(args[0]);
                    let text_body = matches!(first.kind(), "string" | "template_string");
                    let body = (!text_body).then(|| script_body(reader, first));
                    let is_error = status.as_ref().is_some_and(error_status)
                        || body.as_ref().is_some_and(error_body);
                    if !is_error {
                        return;
                    }
                    let kind = if text_body {
                        ResponseKind::Text
                    } else {
                        ResponseKind::Json
                    };
                    let body = body.filter(|b| matches!(b, Written::Object(..)));
                    sites.push((site(kind, status, body, None), function));
                }
                _ => record_call(reader, node, method, &args, out, |r, n| {
                    script_value(r, n, 0)
                }),
            }
        }
        _ => {}
    }
}

fn script_new<'t>(
    reader: &Reader<'t>,
    node: Node<'t>,
    out: &mut Extracted,
    sites: &mut Vec<(Site, Option<Node<'t>>)>,
) {
    let Some(class) = node.child_by_field_name("constructor") else {
        return;
    };
    let args = args_of(node);
    match reader.text(class) {
        "Hono" => out.server.apps.push(ServerApp {
            framework: Framework::Hono,
            origin: reader.origin(node),
        }),
        "Response" | "NextResponse" => {
            // `new Response(JSON.stringify({…}), { status: 400 })`
            let status = args.get(1).and_then(|a| status_in_init(reader, *a));
            if !status.as_ref().is_some_and(error_status) {
                return;
            }
            let body = args
                .first()
                .map(|a| unwrap(*a))
                .filter(|a| a.kind() == "call_expression")
                .filter(|a| {
                    a.child_by_field_name("function")
                        .is_some_and(|f| reader.text(f) == "JSON.stringify")
                })
                .and_then(|a| args_of(a).first().map(|b| script_body(reader, *b)));
            let kind = if body.is_some() {
                ResponseKind::Json
            } else {
                ResponseKind::Text
            };
            sites.push((
                Site {
                    origin: reader.origin(node),
                    kind,
                    status,
                    body,
                    code: None,
                    text: first_line(reader.text(node)),
                },
                enclosing_function(node),
            ));
        }
        _ => {}
    }
}

/// `throw new AppError('NOT_FOUND', 404)`: the project's error class with a
/// code and a status among its arguments (or in an object argument).
fn script_thrown(reader: &Reader, at: Node, value: Node) -> Option<Site> {
    if value.kind() != "new_expression" {
        return None;
    }
    let class = reader.text(value.child_by_field_name("constructor")?);
    if matches!(class, "Error" | "TypeError" | "RangeError" | "SyntaxError") {
        return None;
    }
    let values: Vec<Written> = args_of(value)
        .into_iter()
        .map(|a| script_value(reader, a, 0))
        .collect();
    thrown_site(reader, at, value, values, Vec::new())
}

/// A thrown or raised error of the project's own class: its code and status.
fn thrown_site(
    reader: &Reader,
    at: Node,
    value: Node,
    positional: Vec<Written>,
    keywords: Vec<(String, Written)>,
) -> Option<Site> {
    let mut code = None;
    let mut status = None;
    let mut consider = |key: Option<&str>, w: &Written| match w {
        Written::Literal(Value::String(s), _)
            if code.is_none()
                && key.is_none_or(|k| k.contains("code") || k == "type")
                && looks_like_code(s) =>
        {
            code = Some(w.clone())
        }
        Written::Literal(Value::Number(_), _)
            if status.is_none() && key.is_none_or(|k| k.contains("status")) && error_status(w) =>
        {
            status = Some(w.clone())
        }
        _ => {}
    };
    for w in &positional {
        match w {
            Written::Object(fields, _) => {
                for (k, v) in fields {
                    consider(Some(k), v);
                }
            }
            other => consider(None, other),
        }
    }
    for (k, v) in &keywords {
        consider(Some(k), v);
    }
    if code.is_none() && status.is_none() {
        return None;
    }
    Some(Site {
        origin: reader.origin(at),
        kind: ResponseKind::Thrown,
        status,
        body: None,
        code,
        text: first_line(reader.text(value)),
    })
}

/// Keeps a call with at least one literal argument: it may be a helper's.
fn record_call(
    reader: &Reader,
    node: Node,
    name: &str,
    args: &[Node],
    out: &mut Extracted,
    value: impl Fn(&Reader, Node) -> Written,
) {
    if out.calls.len() >= MAX_CALLS {
        return;
    }
    // Only a call with a literal argument can bind a helper: look at the
    // argument nodes before reading any value.
    let written = |arg: &Node| {
        let arg = match arg.kind() {
            "keyword_argument" => arg.child_by_field_name("value"),
            _ => Some(*arg),
        };
        arg.is_some_and(|a| LITERAL_KINDS.contains(&unwrap(a).kind()))
    };
    if !args.iter().any(written) {
        return;
    }
    let mut positional = Vec::new();
    let mut keywords = Vec::new();
    for arg in args {
        if arg.kind() == "keyword_argument" {
            if let (Some(k), Some(v)) = (
                arg.child_by_field_name("name"),
                arg.child_by_field_name("value"),
            ) {
                keywords.push((reader.text(k).to_string(), value(reader, v)));
            }
        } else {
            positional.push(value(reader, *arg));
        }
    }
    let literal = |w: &Written| matches!(w, Written::Literal(..) | Written::Object(..));
    if !positional.iter().any(literal) && !keywords.iter().any(|(_, w)| literal(w)) {
        return;
    }
    out.calls.push(Call {
        name: name.to_string(),
        positional,
        keywords,
        origin: reader.origin(node),
        text: first_line(reader.text(node)),
    });
}

// -------------------------------------------------------------------- Python

fn python_node<'t>(
    reader: &Reader<'t>,
    node: Node<'t>,
    out: &mut Extracted,
    sites: &mut Vec<(Site, Option<Node<'t>>)>,
) {
    match node.kind() {
        "call" => python_call(reader, node, out, sites),
        "raise_statement" => {
            let Some(value) = node.named_child(0) else {
                return;
            };
            if let Some(site) = python_raised(reader, node, value) {
                sites.push((site, enclosing_function(node)));
            }
        }
        "return_statement" => {
            if let Some(site) = flask_return(reader, node) {
                sites.push((site, enclosing_function(node)));
            }
        }
        "decorator" => {
            let Some(call) = node.named_child(0).filter(|c| c.kind() == "call") else {
                return;
            };
            let method = callee_name(reader, call);
            if matches!(
                method.as_deref(),
                Some("exception_handler" | "errorhandler")
            ) {
                if let Some(handles) = args_of(call).first().and_then(|a| handled(reader, *a)) {
                    out.server.handlers.push(ErrorHandler {
                        handles,
                        origin: reader.origin(node),
                    });
                }
            }
        }
        _ => {}
    }
}

/// The last name of a call's callee (`app.exception_handler` → `exception_handler`).
fn callee_name(reader: &Reader, call: Node) -> Option<String> {
    let callee = call.child_by_field_name("function")?;
    let name = match callee.kind() {
        "identifier" => callee,
        "attribute" => callee.child_by_field_name("attribute")?,
        _ => return None,
    };
    Some(reader.text(name).to_string())
}

/// What a handler registered for `argument` takes over.
fn handled(reader: &Reader, argument: Node) -> Option<Handles> {
    let text = reader.text(argument);
    let name = text.rsplit('.').next().unwrap_or(text);
    match name {
        "RequestValidationError" | "ValidationError" => Some(Handles::Validation),
        n if n.ends_with("HTTPException") => Some(Handles::HttpExceptions),
        "Exception" | "500" => Some(Handles::Errors),
        n if n.parse::<u16>().is_ok() => Some(Handles::HttpExceptions),
        _ => None,
    }
}

fn python_value(reader: &Reader, node: Node, depth: usize) -> Written {
    if depth > MAX_DEPTH {
        return Written::Unknown;
    }
    if let Some(value) = scalar_value(reader, node) {
        return value;
    }
    let literal = |v: Value| Written::Literal(v, reader.origin(node));
    match node.kind() {
        "string" => {
            let interpolated = named_children(node).any(|c| c.kind() == "interpolation");
            if interpolated {
                return Written::Unknown;
            }
            let content: String = named_children(node)
                .filter(|c| c.kind() == "string_content")
                .map(|c| reader.text(c))
                .collect();
            literal(Value::String(content))
        }
        // `status.HTTP_404_NOT_FOUND`
        "attribute" => {
            let name = node
                .child_by_field_name("attribute")
                .map(|a| reader.text(a))
                .unwrap_or("");
            name.strip_prefix("HTTP_")
                .and_then(|rest| rest.get(..3))
                .and_then(|digits| digits.parse::<u64>().ok())
                .map(|n| literal(Value::from(n)))
                .unwrap_or(Written::Unknown)
        }
        "dictionary" => {
            let mut fields = Vec::new();
            let mut open = false;
            for child in named_children(node) {
                match child.kind() {
                    "pair" => {
                        let (Some(key), Some(value)) = (
                            child.child_by_field_name("key"),
                            child.child_by_field_name("value"),
                        ) else {
                            continue;
                        };
                        match python_value(reader, key, depth + 1) {
                            Written::Literal(Value::String(k), _) => {
                                fields.push((k, python_value(reader, value, depth + 1)))
                            }
                            _ => open = true,
                        }
                    }
                    "dictionary_splat" => open = true,
                    _ => {}
                }
            }
            Written::Object(fields, open)
        }
        "list" | "tuple" => Written::Array(
            named_children(node)
                .map(|c| python_value(reader, c, depth + 1))
                .collect(),
        ),
        // `dict(code=…)`, `jsonify(…)`: keyword arguments as an object.
        "call"
            if matches!(
                callee_name(reader, node).as_deref(),
                Some("dict" | "jsonify")
            ) =>
        {
            let args = args_of(node);
            if let [single] = args.as_slice() {
                if single.kind() != "keyword_argument" {
                    return python_value(reader, *single, depth + 1);
                }
            }
            let mut fields = Vec::new();
            let mut open = false;
            for arg in args {
                match (
                    arg.kind(),
                    arg.child_by_field_name("name"),
                    arg.child_by_field_name("value"),
                ) {
                    ("keyword_argument", Some(k), Some(v)) => fields.push((
                        reader.text(k).to_string(),
                        python_value(reader, v, depth + 1),
                    )),
                    _ => open = true,
                }
            }
            Written::Object(fields, open)
        }
        "parenthesized_expression" => node
            .named_child(0)
            .map(|c| python_value(reader, c, depth))
            .unwrap_or(Written::Unknown),
        _ => Written::Unknown,
    }
}

/// The argument named `keyword`, else the positional one at `index`.
fn python_argument<'t>(
    call: Node<'t>,
    reader: &Reader,
    keyword: &str,
    index: usize,
) -> Option<Node<'t>> {
    let args = args_of(call);
    args.iter()
        .find(|a| {
            a.kind() == "keyword_argument"
                && a.child_by_field_name("name").map(|n| reader.text(n)) == Some(keyword)
        })
        .and_then(|a| a.child_by_field_name("value"))
        .or_else(|| {
            args.iter()
                .filter(|a| a.kind() != "keyword_argument")
                .nth(index)
                .copied()
        })
}

/// A Python body: a literal, or a variable of the same function set to one.
fn python_body(reader: &Reader, node: Node) -> Written {
    local_body(reader, node, ("assignment", "left", "right"), python_value)
}

fn python_call<'t>(
    reader: &Reader<'t>,
    node: Node<'t>,
    out: &mut Extracted,
    sites: &mut Vec<(Site, Option<Node<'t>>)>,
) {
    let Some(name) = callee_name(reader, node) else {
        return;
    };
    let function = enclosing_function(node);
    let site = |kind, status, body| Site {
        origin: reader.origin(node),
        kind,
        status,
        body,
        code: None,
        text: first_line(reader.text(node)),
    };
    match name.as_str() {
        "FastAPI" | "Flask" => out.server.apps.push(ServerApp {
            framework: if name == "Flask" {
                Framework::Flask
            } else {
                Framework::FastApi
            },
            origin: reader.origin(node),
        }),
        "JSONResponse" | "ORJSONResponse" | "UJSONResponse" => {
            let status =
                python_argument(node, reader, "status_code", 1).map(|s| python_value(reader, s, 0));
            let body = python_argument(node, reader, "content", 0).map(|b| python_body(reader, b));
            let is_error =
                status.as_ref().is_some_and(error_status) || body.as_ref().is_some_and(error_body);
            if is_error {
                let body = body.filter(|b| matches!(b, Written::Object(..)));
                sites.push((site(ResponseKind::Json, status, body), function));
            }
        }
        "abort" => {
            let status =
                python_argument(node, reader, "code", 0).map(|s| python_value(reader, s, 0));
            if status.as_ref().is_some_and(error_status) {
                sites.push((site(ResponseKind::Text, status, None), function));
            }
        }
        "make_response" => {
            let args = args_of(node);
            if let [body, status, ..] = args.as_slice() {
                let status = python_value(reader, *status, 0);
                if error_status(&status) {
                    let body = python_body(reader, *body);
                    let body = matches!(body, Written::Object(..)).then_some(body);
                    sites.push((site(ResponseKind::Json, Some(status), body), function));
                }
            }
        }
        "add_exception_handler" | "register_error_handler" => {
            if let Some(handles) = args_of(node).first().and_then(|a| handled(reader, *a)) {
                out.server.handlers.push(ErrorHandler {
                    handles,
                    origin: reader.origin(node),
                });
            }
        }
        _ => {
            let args = args_of(node);
            record_call(reader, node, &name, &args, out, |r, n| {
                python_value(r, n, 0)
            });
        }
    }
}

/// `raise HTTPException(status_code=404, detail=…)`, `raise ApiError("NOT_FOUND", 404)`.
fn python_raised(reader: &Reader, at: Node, value: Node) -> Option<Site> {
    if value.kind() != "call" {
        return None;
    }
    let name = callee_name(reader, value)?;
    if name.ends_with("HTTPException") {
        let status =
            python_argument(value, reader, "status_code", 0).map(|s| python_value(reader, s, 0));
        let detail = python_argument(value, reader, "detail", 1)
            .map(|d| python_body(reader, d))
            .unwrap_or(Written::Unknown);
        let code = match &detail {
            Written::Object(fields, _) => fields
                .iter()
                .find(|(k, _)| k == "code" || k == "error_code")
                .map(|(_, v)| v.clone()),
            _ => None,
        };
        return Some(Site {
            origin: reader.origin(at),
            kind: ResponseKind::HttpException,
            status,
            body: Some(Written::Object(vec![("detail".to_string(), detail)], false)),
            code,
            text: first_line(reader.text(at)),
        });
    }
    if PYTHON_BUILTIN_ERRORS.contains(&name.as_str()) {
        return None;
    }
    let mut positional = Vec::new();
    let mut keywords = Vec::new();
    for arg in args_of(value) {
        match (
            arg.kind(),
            arg.child_by_field_name("name"),
            arg.child_by_field_name("value"),
        ) {
            ("keyword_argument", Some(k), Some(v)) => {
                keywords.push((reader.text(k).to_string(), python_value(reader, v, 0)))
            }
            ("keyword_argument", ..) => {}
            _ => positional.push(python_value(reader, arg, 0)),
        }
    }
    thrown_site(reader, at, value, positional, keywords)
}

/// Flask's `return jsonify({…}), 400` and `return {…}, 400`.
fn flask_return(reader: &Reader, node: Node) -> Option<Site> {
    let value = node.named_child(0)?;
    if !matches!(value.kind(), "expression_list" | "tuple") {
        return None;
    }
    let body = value.named_child(0)?;
    let status = python_value(reader, value.named_child(1)?, 0);
    if !error_status(&status) {
        return None;
    }
    let is_json = match body.kind() {
        "dictionary" => true,
        "call" => callee_name(reader, body).as_deref() == Some("jsonify"),
        _ => false,
    };
    if !is_json {
        return None;
    }
    let body = python_body(reader, body);
    Some(Site {
        origin: reader.origin(node),
        kind: ResponseKind::Json,
        status: Some(status),
        body: matches!(body, Written::Object(..)).then_some(body),
        code: None,
        text: first_line(reader.text(node)),
    })
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;
    use crate::model::api::{Framework, Handles, ResponseKind, ServerFile};

    fn server<'m>(servers: &'m [ServerFile], file: &str) -> &'m ServerFile {
        servers
            .iter()
            .find(|s| s.file.ends_with(file))
            .unwrap_or_else(|| panic!("no server file {file} in {servers:#?}"))
    }

    /// `status code` of every answer of a file, in source order.
    fn answers(file: &ServerFile) -> Vec<String> {
        file.responses
            .iter()
            .map(|r| {
                let status = r.status.as_ref().map_or(0, |s| s.value);
                let code = r
                    .code
                    .as_ref()
                    .map(|c| c.value.clone())
                    .or_else(|| {
                        let body = r.body.as_ref()?;
                        contract::envelope::values_at(&body.value, "error.code")
                            .into_iter()
                            .next()?
                            .as_str()
                            .map(str::to_string)
                    })
                    .unwrap_or_default();
                format!("{status} {code}").trim().to_string()
            })
            .collect()
    }

    #[test]
    fn typescript_frameworks_answers_and_handlers_are_read() {
        let express = "import express from 'express';\nconst app = express();\napp.get('/a', (req, res) => {\n  const body = { error: { code: 'A_MISSING', retryable: false } };\n  res.status(404).json(body);\n});\napp.use((err, req, res, next) => res.sendStatus(500));\n";
        let hono = "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/b', (c) => c.json({ error: { code: 'B_LIMIT' } }, 429));\napp.onError((err, c) => c.text('failed', 500));\n";
        let fastify = "import Fastify from 'fastify';\nconst app = Fastify();\napp.get('/c', async (request, reply) => reply.code(409).send({ error: { code: 'C_TAKEN' } }));\n";
        let next = "import { NextResponse } from 'next/server';\nexport async function GET() {\n  return NextResponse.json({ error: { code: 'D_DOWN' } }, { status: 503 });\n}\n";
        let (_dir, model) = test_tree(&[
            ("src/express.ts", express),
            ("src/hono.ts", hono),
            ("src/fastify.js", fastify),
            ("app/api/d/route.ts", next),
        ]);
        let servers = &model.api.servers;
        let file = server(servers, "express.ts");
        assert_eq!(answers(file), ["404 A_MISSING", "500"]);
        assert_eq!(file.apps[0].framework, Framework::Express);
        assert_eq!(file.handlers[0].handles, Handles::Errors);
        let body = file.responses[0].body.as_ref().unwrap();
        let code_at = body.origin_of("error.code").unwrap().position().unwrap();
        assert_eq!(
            (code_at.line, code_at.column),
            (4, 33),
            "the literal in the variable"
        );
        let file = server(servers, "hono.ts");
        assert_eq!(answers(file), ["429 B_LIMIT", "500"]);
        assert_eq!(file.responses[1].kind, ResponseKind::Text);
        assert_eq!(file.handlers.len(), 1);
        assert_eq!(answers(server(servers, "fastify.js")), ["409 C_TAKEN"]);
        let file = server(servers, "route.ts");
        assert_eq!(answers(file), ["503 D_DOWN"]);
        assert_eq!(file.apps[0].framework, Framework::NextJs);
    }

    #[test]
    fn a_helper_in_another_file_is_expanded_at_each_call_with_literal_arguments() {
        let helper = "export function sendError(res, code, status, retryable = false) {\n  return res.status(status).json({ success: false, error: { code, message: code, retryable } });\n}\n";
        let routes = "import { sendError } from './errors';\nexport function a(req, res) {\n  return sendError(res, 'NOT_FOUND', 404);\n}\nexport function b(req, res) {\n  return sendError(res, 'TAKEN', 409);\n}\n";
        let (_dir, model) = test_tree(&[("src/errors.ts", helper), ("src/routes.ts", routes)]);
        let all: Vec<_> = model
            .api
            .servers
            .iter()
            .flat_map(|s| &s.responses)
            .collect();
        let bound: Vec<_> = all.iter().filter(|r| r.via.is_some()).collect();
        assert_eq!(bound.len(), 2, "{all:#?}");
        let statuses: Vec<u16> = bound
            .iter()
            .map(|r| r.status.as_ref().unwrap().value)
            .collect();
        assert_eq!(statuses, [404, 409]);
        // The status literal is where the call wrote it.
        let at = bound[1].status.as_ref().unwrap().origin.position().unwrap();
        assert!(at.file.ends_with("routes.ts") && at.line == 6, "{at:?}");
    }

    #[test]
    fn python_frameworks_answers_raises_and_handlers_are_read() {
        let fastapi = "from fastapi import FastAPI, HTTPException, status\nfrom fastapi.responses import JSONResponse\nfrom fastapi.exceptions import RequestValidationError\n\napp = FastAPI()\n\n@app.exception_handler(RequestValidationError)\nasync def invalid(request, exc):\n    return JSONResponse(status_code=400, content={'error': {'code': 'BAD_INPUT', 'retryable': False}})\n\n@app.get('/items/{id}')\ndef item(id: int):\n    raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail='no item')\n";
        let flask = "from flask import Flask, jsonify, abort\n\napp = Flask(__name__)\n\n@app.get('/x')\ndef x():\n    if True:\n        abort(403)\n    return jsonify({'error': {'code': 'X_GONE'}}), 410\n";
        let (_dir, model) = test_tree(&[("api/main.py", fastapi), ("web/app.py", flask)]);
        let servers = &model.api.servers;
        let file = server(servers, "main.py");
        assert_eq!(file.apps[0].framework, Framework::FastApi);
        assert_eq!(file.handlers[0].handles, Handles::Validation);
        assert_eq!(answers(file), ["400 BAD_INPUT", "404"]);
        let raised = &file.responses[1];
        assert_eq!(raised.kind, ResponseKind::HttpException);
        let detail = &raised.body.as_ref().unwrap().value["detail"];
        assert_eq!(detail, "no item");
        let file = server(servers, "app.py");
        assert_eq!(file.apps[0].framework, Framework::Flask);
        assert_eq!(answers(file), ["403", "410 X_GONE"]);
    }

    #[test]
    fn a_module_without_an_app_or_an_answer_is_not_a_server() {
        let code = "def add(a, b):\n    return a + b\n";
        let (_dir, model) =
            test_tree(&[("lib/math.py", code), ("src/x.ts", "export const x = 1;\n")]);
        assert!(model.api.servers.is_empty(), "{:#?}", model.api.servers);
    }
}
