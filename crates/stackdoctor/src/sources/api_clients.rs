//! Client code (TypeScript, TSX, JavaScript) parsed with `codeparse`
//! (tree-sitter) into what the API checks need: what each function throws,
//! imports between the project's files, retry loops and what their `catch`
//! reads, `response.json()` before the status is looked at, hard-coded lists
//! of codes that decide a retry, and exponential delays. No regular
//! expressions over code: every fact comes from the syntax tree.

use super::inventory::{File, Inventory, Kind};
use crate::model::api::{
    Backoff, ClassFacts, ClientFile, CodeList, EarlyJson, FunctionFacts, Import, PropertyRead,
    RetryLoop, Thrown, ThrownKind,
};
use crate::model::{Origin, Sourced, StackModel};
use codeparse::{ancestor, Lang, Node, Parsed};
use std::path::{Path, PathBuf};

/// The most client files parsed in one project.
const MAX_FILES: usize = 5_000;

/// Errors built into JavaScript: their instances carry only `message`, `name`,
/// `stack` and `cause` (and `errors` for `AggregateError`).
const BUILTIN_ERRORS: &[&str] = &[
    "Error",
    "TypeError",
    "RangeError",
    "SyntaxError",
    "ReferenceError",
    "EvalError",
    "URIError",
    "AggregateError",
    "DOMException",
];

pub(super) const FUNCTION_KINDS: &[&str] = &[
    "function_declaration",
    "function_expression",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
];

const LOOP_KINDS: &[&str] = &[
    "for_statement",
    "for_in_statement",
    "while_statement",
    "do_statement",
];

/// The files the API client source reads: TypeScript, JavaScript and
/// Python sources.
pub fn claims(file: &File) -> bool {
    !file.outside && file.size <= codeparse::MAX_BYTES as u64 && Lang::of_path(&file.path).is_some()
}

pub fn load(inventory: &Inventory, model: &mut StackModel) {
    let files: Vec<PathBuf> = inventory
        .of(Kind::ClientCode)
        .map(|f| f.path.clone())
        .collect();
    let mut servers = Vec::new();
    for file in files.into_iter().take(MAX_FILES) {
        let Some(lang) = Lang::of_path(&file) else {
            continue;
        };
        // (Larger files were not claimed.)
        let Some(text) = inventory.text(&file) else {
            continue;
        };
        // The client fact read from Python needs a `.json(` call, the server
        // facts a framework's name: skip the parse otherwise.
        let serves = super::api_servers::may_serve(&text);
        let retries = super::python_clients::may_retry(&text);
        if lang == Lang::Python && !text.contains(".json(") && !serves && !retries {
            continue;
        }
        let parsed = match codeparse::parse(lang, &text) {
            Ok(parsed) => parsed,
            Err(e) => {
                // Said, not fatal: the other files are still read.
                model.notes.push(Sourced::new(
                    format!("client code not parsed: {e}"),
                    Origin::file(&file, 1, 1, 0),
                ));
                continue;
            }
        };
        let facts = match lang {
            Lang::Python => extract_python(&file, &parsed),
            Lang::TypeScript | Lang::Tsx => extract(&file, &parsed),
        };
        // Every parsed file: a helper's calls need no framework's name.
        servers.push(super::api_servers::extract(&file, &parsed));
        let interesting = !facts.retry_loops.is_empty()
            || !facts.early_json.is_empty()
            || !facts.code_lists.is_empty()
            || !facts.backoffs.is_empty()
            || !facts.classes.is_empty()
            || facts.functions.iter().any(|f| !f.thrown.is_empty());
        if interesting {
            model.sources.insert(&file, &text);
            model.api.clients.push(facts);
        }
    }
    model.api.client_index = model
        .api
        .clients
        .iter()
        .enumerate()
        .map(|(i, c)| (c.file.clone(), i))
        .collect();
    super::api_servers::cap_calls(&mut servers);
    model.api.servers = super::api_servers::finish(servers);
    // The server files quoted by the checks (a helper's calls may be in a
    // file that was not interesting as a client).
    for server in &model.api.servers {
        if model.sources.line(&server.file, 1).is_none() {
            if let Some(text) = inventory.text(&server.file) {
                model.sources.insert(&server.file, &text);
            }
        }
    }
}

pub(super) struct Reader<'t> {
    pub(super) file: &'t Path,
    pub(super) parsed: &'t Parsed,
}

impl<'t> Reader<'t> {
    pub(super) fn origin(&self, node: Node) -> Origin {
        let at = self.parsed.position(node);
        let text = self.text(node);
        let length = text.lines().next().unwrap_or("").chars().count();
        Origin::file(self.file, at.line, at.column, length as u32)
    }

    pub(super) fn text(&self, node: Node) -> &'t str {
        self.parsed.text(node)
    }

    pub(super) fn nodes(&self, node: Node<'t>) -> Vec<Node<'t>> {
        self.parsed.descendants(node)
    }

    /// The nodes below `node` that belong to it, not to a function nested in it.
    pub(super) fn own_nodes(&self, node: Node<'t>) -> Vec<Node<'t>> {
        self.parsed.own_descendants(node, FUNCTION_KINDS)
    }
}

/// `(expr)`, `expr as T`, `expr!`, `await expr`, `<T>expr` without the wrapping.
pub(super) fn unwrap<'t>(mut node: Node<'t>) -> Node<'t> {
    loop {
        let inner = match node.kind() {
            "parenthesized_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
            | "type_assertion"
            | "await_expression" => node.named_child(0),
            _ => None,
        };
        match inner {
            Some(inner) if inner.kind() != "type_arguments" => node = inner,
            _ => return node,
        }
    }
}

fn extract(file: &Path, parsed: &Parsed) -> ClientFile {
    let reader = Reader { file, parsed };
    let root = parsed.root();
    let all = reader.nodes(root);
    let mut facts = ClientFile {
        file: file.to_path_buf(),
        ..ClientFile::default()
    };
    for node in &all {
        match node.kind() {
            "import_statement" => imports(&reader, *node, &mut facts.imports),
            "class_declaration" | "class" => {
                if let Some(class) = class_facts(&reader, *node) {
                    facts.classes.push(class);
                }
            }
            _ => {}
        }
        if FUNCTION_KINDS.contains(&node.kind()) {
            facts.functions.push(function_facts(&reader, *node));
            if let Some(early) = early_json(&reader, *node) {
                facts.early_json.push(early);
            }
        }
        if LOOP_KINDS.contains(&node.kind()) {
            retry_loops(&reader, *node, &mut facts.retry_loops);
        }
        if let Some(list) = code_list(&reader, *node) {
            facts.code_lists.push(list);
        }
        if let Some(backoff) = backoff(&reader, *node) {
            facts.backoffs.push(backoff);
        }
    }
    facts
}

/// The name a function is known by: its own, or the variable, property or
/// method it is assigned to.
pub(super) fn function_name(reader: &Reader, node: Node) -> Option<String> {
    if let Some(name) = node.child_by_field_name("name") {
        return Some(reader.text(name).to_string());
    }
    let parent = node.parent()?;
    match parent.kind() {
        "variable_declarator" | "pair" | "public_field_definition" | "assignment_expression" => {
            let key = parent
                .child_by_field_name("name")
                .or_else(|| parent.child_by_field_name("key"))
                .or_else(|| parent.child_by_field_name("left"))?;
            Some(reader.text(key).to_string())
        }
        _ => None,
    }
}

fn function_facts(reader: &Reader, node: Node) -> FunctionFacts {
    let name = function_name(reader, node).unwrap_or_default();
    let own = reader.own_nodes(node);
    let mut thrown = Vec::new();
    for throw in own.iter().filter(|n| n.kind() == "throw_statement") {
        let Some(value) = throw.named_child(0) else {
            continue;
        };
        let value = unwrap(value);
        let kind = thrown_kind(reader, node, *throw, value, &own);
        thrown.push(Thrown {
            origin: reader.origin(*throw),
            text: reader.text(value).to_string(),
            kind,
        });
    }
    let response_variable = own.iter().find_map(|n| fetch_variable(reader, *n));
    FunctionFacts {
        name,
        origin: reader.origin(node),
        thrown,
        response_variable,
    }
}

fn thrown_kind<'t>(
    reader: &Reader<'t>,
    function: Node<'t>,
    throw: Node<'t>,
    value: Node<'t>,
    own: &[Node<'t>],
) -> ThrownKind {
    match value.kind() {
        "new_expression" => {
            let class = value
                .child_by_field_name("constructor")
                .map(|c| reader.text(c).to_string())
                .unwrap_or_default();
            if BUILTIN_ERRORS.contains(&class.as_str()) {
                let message = value
                    .child_by_field_name("arguments")
                    .and_then(|a| a.named_child(0))
                    .map(|m| reader.text(m).to_string());
                ThrownKind::BuiltinError { class, message }
            } else {
                ThrownKind::Instance { class }
            }
        }
        "object" => ThrownKind::Object {
            keys: (0..value.named_child_count())
                .filter_map(|i| value.named_child(i as u32))
                .filter_map(|p| {
                    let key = p.child_by_field_name("key").unwrap_or(p);
                    Some(reader.text(key).to_string()).filter(|k| !k.is_empty())
                })
                .collect(),
        },
        "identifier" => {
            let name = reader.text(value);
            // The caught value of an enclosing catch, thrown again.
            let mut at = throw.parent();
            while let Some(n) = at {
                if n == function {
                    break;
                }
                if n.kind() == "catch_clause" {
                    if let Some(p) = n.child_by_field_name("parameter") {
                        if reader.text(p) == name {
                            return ThrownKind::Rethrow;
                        }
                    }
                }
                at = n.parent();
            }
            // `const e = new X(…); throw e;`
            own.iter()
                .filter(|n| n.kind() == "variable_declarator")
                .find(|d| d.child_by_field_name("name").map(|n| reader.text(n)) == Some(name))
                .and_then(|d| d.child_by_field_name("value"))
                .map(|v| unwrap(v))
                .filter(|v| v.kind() == "new_expression")
                .map(|v| thrown_kind(reader, function, throw, v, own))
                .unwrap_or(ThrownKind::Unknown)
        }
        _ => ThrownKind::Unknown,
    }
}

/// `const response = await fetch(…)`: the variable's name.
fn fetch_variable(reader: &Reader, node: Node) -> Option<String> {
    if node.kind() != "variable_declarator" {
        return None;
    }
    let value = unwrap(node.child_by_field_name("value")?);
    if value.kind() != "call_expression" {
        return None;
    }
    let callee = value.child_by_field_name("function")?;
    let callee_name = match callee.kind() {
        "identifier" => reader.text(callee),
        "member_expression" => reader.text(callee.child_by_field_name("property")?),
        _ => return None,
    };
    if callee_name != "fetch" {
        return None;
    }
    let name = node.child_by_field_name("name")?;
    (name.kind() == "identifier").then(|| reader.text(name).to_string())
}

/// `response.json()` before `response.ok`/`status`/`headers` in one function.
fn early_json(reader: &Reader, function: Node) -> Option<EarlyJson> {
    let own = reader.own_nodes(function);
    let variable = own.iter().find_map(|n| fetch_variable(reader, *n))?;
    let member_of = |n: &Node, props: &[&str]| {
        n.kind() == "member_expression"
            && n.child_by_field_name("object").map(|o| reader.text(o)) == Some(variable.as_str())
            && n.child_by_field_name("property")
                .is_some_and(|p| props.contains(&reader.text(p)))
    };
    let parse = own.iter().find(|n| {
        n.kind() == "call_expression"
            && n.child_by_field_name("function")
                .is_some_and(|f| member_of(&f, &["json"]))
    })?;
    let check = own
        .iter()
        .find(|n| member_of(n, &["ok", "status", "headers"]));
    let statements = [
        "lexical_declaration",
        "variable_declaration",
        "expression_statement",
        "return_statement",
    ];
    early_json_fact(reader, variable, *parse, check.copied(), &statements, false)
}

/// The fact when the parse comes first (no look at the status before it):
/// the parse, the first look after it, and the statement that parses.
fn early_json_fact(
    reader: &Reader,
    variable: String,
    parse: Node,
    check: Option<Node>,
    statements: &[&str],
    python: bool,
) -> Option<EarlyJson> {
    if check.is_some_and(|c| c.start_byte() < parse.start_byte()) {
        return None;
    }
    let statement = ancestor(parse, statements).unwrap_or(parse);
    Some(EarlyJson {
        origin: reader.origin(parse),
        variable,
        checked: check.map(|c| reader.origin(c)),
        statement: reader.text(statement).to_string(),
        python,
    })
}

/// HTTP client modules and objects whose calls return a response
/// (`requests.post(…)`, `httpx.get(…)`, `session.get(…)`, `client.request(…)`).
const PYTHON_CLIENTS: &[&str] = &["requests", "httpx", "session", "client", "http"];
const PYTHON_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "request", "head"];

/// What a Python file does with API errors: parsing before the status, and retries.
fn extract_python(file: &Path, parsed: &Parsed) -> ClientFile {
    let reader = Reader { file, parsed };
    let mut facts = ClientFile {
        file: file.to_path_buf(),
        ..ClientFile::default()
    };
    for node in reader.nodes(parsed.root()) {
        if node.kind() == "function_definition" {
            facts.early_json.extend(early_json_python(&reader, node));
        }
    }
    super::python_clients::extract(&reader, &mut facts);
    facts
}

/// `response = requests.post(…)`: the variable's name.
fn python_response_variable(reader: &Reader, node: Node) -> Option<String> {
    if node.kind() != "assignment" {
        return None;
    }
    let value = node.child_by_field_name("right")?;
    let value = match value.kind() {
        "await" => value.named_child(0)?,
        _ => value,
    };
    let callee = (value.kind() == "call").then(|| value.child_by_field_name("function"))??;
    if callee.kind() != "attribute" {
        return None;
    }
    let object = reader.text(callee.child_by_field_name("object")?);
    let method = reader.text(callee.child_by_field_name("attribute")?);
    let client = object
        .rsplit('.')
        .next()
        .unwrap_or(object)
        .to_ascii_lowercase();
    let known = PYTHON_CLIENTS.iter().any(|c| client.ends_with(c));
    if !known || !PYTHON_METHODS.contains(&method) {
        return None;
    }
    let name = node.child_by_field_name("left")?;
    (name.kind() == "identifier").then(|| reader.text(name).to_string())
}

/// `response.json()` before `response.ok`/`status_code`/`headers`/`raise_for_status()`.
fn early_json_python(reader: &Reader, function: Node) -> Option<EarlyJson> {
    let own = reader.nodes(function);
    let variable = own
        .iter()
        .find_map(|n| python_response_variable(reader, *n))?;
    let attribute_of = |n: &Node, names: &[&str]| {
        n.kind() == "attribute"
            && n.child_by_field_name("object").map(|o| reader.text(o)) == Some(variable.as_str())
            && n.child_by_field_name("attribute")
                .is_some_and(|a| names.contains(&reader.text(a)))
    };
    let parse = own.iter().find(|n| {
        n.kind() == "call"
            && n.child_by_field_name("function")
                .is_some_and(|f| attribute_of(&f, &["json"]))
    })?;
    let check = own.iter().find(|n| {
        attribute_of(
            n,
            &[
                "ok",
                "status_code",
                "headers",
                "raise_for_status",
                "is_success",
                "is_error",
            ],
        )
    });
    let statements = ["expression_statement", "return_statement"];
    early_json_fact(reader, variable, *parse, check.copied(), &statements, true)
}

fn imports(reader: &Reader, node: Node, out: &mut Vec<Import>) {
    let Some(source) = node.child_by_field_name("source") else {
        return;
    };
    let spec = reader.text(source).trim_matches(['"', '\'', '`']);
    let from = resolve_module(reader.file, spec);
    for n in reader.nodes(node) {
        if n.kind() == "import_specifier" {
            let Some(name) = n.child_by_field_name("name") else {
                continue;
            };
            let imported = reader.text(name).to_string();
            let local = n
                .child_by_field_name("alias")
                .map(|a| reader.text(a).to_string())
                .unwrap_or_else(|| imported.clone());
            out.push(Import {
                local,
                imported,
                from: from.clone(),
            });
        }
    }
}

/// The project file a relative import names (`./client` → `client.ts`, `client/index.ts`).
fn resolve_module(file: &Path, spec: &str) -> Option<PathBuf> {
    if !spec.starts_with('.') {
        return None;
    }
    let base = file.parent()?.join(spec);
    let candidates = [
        "",
        ".ts",
        ".tsx",
        ".js",
        ".jsx",
        ".mjs",
        "/index.ts",
        "/index.tsx",
        "/index.js",
    ];
    candidates
        .iter()
        .map(|ext| PathBuf::from(format!("{}{ext}", base.display())))
        .find(|p| p.is_file())
        .map(|p| normalise(&p))
}

/// `a/b/../c` → `a/c` without touching the file system (links are not followed).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn class_facts(reader: &Reader, node: Node) -> Option<ClassFacts> {
    let name = reader.text(node.child_by_field_name("name")?).to_string();
    let mut extends = None;
    let mut properties = Vec::new();
    for n in reader.nodes(node) {
        match n.kind() {
            "extends_clause" => {
                extends = n.named_child(0).map(|v| reader.text(v).to_string());
            }
            "public_field_definition" | "field_definition" => {
                if let Some(key) = n
                    .child_by_field_name("name")
                    .or_else(|| n.child_by_field_name("property"))
                {
                    properties.push(reader.text(key).to_string());
                }
            }
            // `constructor(readonly error: …)`: a parameter property.
            "required_parameter" | "optional_parameter" => {
                let modified = (0..n.child_count()).filter_map(|i| n.child(i)).any(|c| {
                    matches!(
                        c.kind(),
                        "accessibility_modifier" | "readonly" | "override_modifier"
                    )
                });
                if modified {
                    if let Some(p) = n.child_by_field_name("pattern") {
                        properties.push(reader.text(p).to_string());
                    }
                }
            }
            // `this.error = …`
            "assignment_expression" => {
                if let Some(left) = n.child_by_field_name("left") {
                    if left.kind() == "member_expression"
                        && left.child_by_field_name("object").map(|o| o.kind()) == Some("this")
                    {
                        if let Some(p) = left.child_by_field_name("property") {
                            properties.push(reader.text(p).to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Some(ClassFacts {
        name,
        extends,
        properties,
    })
}

fn retry_loops(reader: &Reader, node: Node, out: &mut Vec<RetryLoop>) {
    let own = reader.own_nodes(node);
    for attempt in own.iter().filter(|n| n.kind() == "try_statement") {
        // The nearest loop of the try is this one.
        if ancestor(*attempt, LOOP_KINDS) != Some(node) {
            continue;
        }
        let (Some(body), Some(handler)) = (
            attempt.child_by_field_name("body"),
            attempt.child_by_field_name("handler"),
        ) else {
            continue;
        };
        let Some(caught) = handler.child_by_field_name("parameter") else {
            continue;
        };
        let caught = reader.text(caught).to_string();
        let called: Vec<Sourced<String>> = reader
            .own_nodes(body)
            .into_iter()
            .filter(|n| n.kind() == "call_expression")
            .filter_map(|c| {
                let f = c.child_by_field_name("function")?;
                (f.kind() == "identifier")
                    .then(|| Sourced::new(reader.text(f).to_string(), reader.origin(c)))
            })
            .collect();
        if called.is_empty() {
            continue;
        }
        let Some(catch_body) = handler.child_by_field_name("body") else {
            continue;
        };
        let catch_nodes = reader.own_nodes(catch_body);
        // `const errorResponse = error as {…}`: names of the caught value.
        let mut names = vec![caught.clone()];
        for d in catch_nodes
            .iter()
            .filter(|n| n.kind() == "variable_declarator")
        {
            let (Some(name), Some(value)) = (
                d.child_by_field_name("name"),
                d.child_by_field_name("value"),
            ) else {
                continue;
            };
            if unwrap(value).kind() == "identifier"
                && names.iter().any(|n| n == reader.text(unwrap(value)))
            {
                names.push(reader.text(name).to_string());
            }
        }
        let mut reads = Vec::new();
        for condition in catch_nodes.iter().filter_map(|n| match n.kind() {
            "if_statement" | "ternary_expression" => n.child_by_field_name("condition"),
            _ => None,
        }) {
            for m in reader.nodes(condition) {
                if m.kind() != "member_expression"
                    || m.parent().is_some_and(|p| p.kind() == "member_expression")
                {
                    continue;
                }
                let mut path = Vec::new();
                let mut at = m;
                while at.kind() == "member_expression" {
                    if let Some(p) = at.child_by_field_name("property") {
                        path.insert(0, reader.text(p).to_string());
                    }
                    match at.child_by_field_name("object") {
                        Some(o) => at = unwrap(o),
                        None => break,
                    }
                }
                if at.kind() == "identifier" && names.iter().any(|n| n == reader.text(at)) {
                    reads.push(PropertyRead {
                        origin: reader.origin(m),
                        path,
                        text: reader.text(m).to_string(),
                    });
                }
            }
        }
        out.push(RetryLoop {
            origin: reader.origin(node),
            called,
            reads,
            raises_here: None,
            library: None,
        });
    }
}

/// Whether a subtree offers a retry: names something `retry` (`retry`,
/// `showRetryDialog`, `onRetry`).
fn retry_in<'t>(reader: &Reader<'t>, node: Node<'t>) -> Option<Node<'t>> {
    reader.nodes(node).into_iter().find(|n| {
        matches!(n.kind(), "identifier" | "property_identifier") && {
            // `retry`, `showRetryDialog`, `onRetry`; not the flag `retryable` itself.
            let name = reader.text(*n).to_ascii_lowercase();
            name.contains("retry") && !name.contains("retryable") && !name.contains("retriable")
        }
    })
}

fn string_value(reader: &Reader, node: Node) -> Option<String> {
    (node.kind() == "string").then(|| reader.text(node).trim_matches(['"', '\'']).to_string())
}

/// `x === 'A' || x === 'B' ? <retry> : …`, `['A', 'B'].includes(x)`, and
/// `case 'A': case 'B': … retry …` groups.
fn code_list(reader: &Reader, node: Node) -> Option<CodeList> {
    let (condition, consequence) = match node.kind() {
        "ternary_expression" | "if_statement" => (
            node.child_by_field_name("condition")?,
            node.child_by_field_name("consequence")?,
        ),
        // `cond && <button onClick={retry}>`
        "binary_expression"
            if node.child_by_field_name("operator").map(|o| reader.text(o)) == Some("&&") =>
        {
            if node
                .parent()
                .is_some_and(|p| p.kind() == "binary_expression")
            {
                return None;
            }
            (
                node.child_by_field_name("left")?,
                node.child_by_field_name("right")?,
            )
        }
        "switch_case" => return switch_group(reader, node),
        _ => return None,
    };
    let retry = retry_in(reader, consequence)?;
    // `const canRetry = code === 'A' || …; … canRetry && <button …>`: the
    // list is the variable's value, in the same function.
    let condition = declared_value(reader, unwrap(condition)).unwrap_or(condition);
    let mut listed = ListedCodes::default();
    let mut subject = None;
    for n in reader.nodes(condition) {
        let literal_and_subject = match n.kind() {
            "binary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| reader.text(o));
                if !matches!(op, Some("===" | "==")) {
                    continue;
                }
                let (l, r) = (
                    n.child_by_field_name("left")?,
                    n.child_by_field_name("right")?,
                );
                if matches!(r.kind(), "string" | "number") {
                    vec![(r, l)]
                } else if matches!(l.kind(), "string" | "number") {
                    vec![(l, r)]
                } else {
                    continue;
                }
            }
            // `['A', 'B'].includes(x)`
            "call_expression" => {
                let f = n.child_by_field_name("function")?;
                if f.kind() != "member_expression"
                    || f.child_by_field_name("property").map(|p| reader.text(p)) != Some("includes")
                {
                    continue;
                }
                let array = unwrap(f.child_by_field_name("object")?);
                let arg = n.child_by_field_name("arguments")?.named_child(0)?;
                if array.kind() != "array" {
                    continue;
                }
                (0..array.named_child_count())
                    .filter_map(|i| array.named_child(i as u32))
                    .map(|item| (item, arg))
                    .collect()
            }
            _ => continue,
        };
        for (literal, compared) in literal_and_subject {
            let compared = reader.text(compared).to_string();
            if subject.get_or_insert_with(|| compared.clone()) != &compared {
                continue;
            }
            match string_value(reader, literal) {
                Some(code) => listed.code(code, reader.origin(literal)),
                None => listed.status(reader.text(literal), reader.origin(literal)),
            }
        }
    }
    let ListedCodes { codes, statuses } = listed.at_least_two()?;
    Some(CodeList {
        origin: reader.origin(condition),
        subject: subject.unwrap_or_default(),
        codes,
        statuses,
        retry: reader.origin(retry),
        switch_cases: false,
        python: false,
    })
}

/// The codes and statuses a retry decision lists, literal by literal
/// (TypeScript and Python clients alike).
#[derive(Default)]
pub(super) struct ListedCodes {
    pub(super) codes: Vec<Sourced<String>>,
    pub(super) statuses: Vec<Sourced<u16>>,
}

impl ListedCodes {
    pub(super) fn code(&mut self, code: String, origin: Origin) {
        self.codes.push(Sourced::new(code, origin));
    }

    /// A number literal: kept when it is an HTTP status (100–599).
    pub(super) fn status(&mut self, literal: &str, origin: Origin) {
        if let Some(status) = literal
            .parse::<u16>()
            .ok()
            .filter(|s| (100..=599).contains(s))
        {
            self.statuses.push(Sourced::new(status, origin));
        }
    }

    /// The list, when it holds two or more codes and statuses in all: a
    /// single literal is a comparison, not a list that decides retries.
    pub(super) fn at_least_two(self) -> Option<ListedCodes> {
        (self.codes.len() + self.statuses.len() >= 2).then_some(self)
    }
}

/// The value a `const`/`let` of the same function gives the identifier `node`.
fn declared_value<'t>(reader: &Reader<'t>, node: Node<'t>) -> Option<Node<'t>> {
    if node.kind() != "identifier" {
        return None;
    }
    let name = reader.text(node);
    let scope = ancestor(node, FUNCTION_KINDS).unwrap_or(reader.parsed.root());
    reader
        .own_nodes(scope)
        .into_iter()
        .filter(|n| n.kind() == "variable_declarator")
        .find(|d| d.child_by_field_name("name").map(|n| reader.text(n)) == Some(name))
        .and_then(|d| d.child_by_field_name("value"))
}

/// A run of `case 'A': case 'B':` whose statements offer a retry; read at its first case.
fn switch_group(reader: &Reader, node: Node) -> Option<CodeList> {
    let first_of_run = node
        .prev_named_sibling()
        .is_none_or(|p| p.kind() != "switch_case" || p.named_child_count() > 1);
    if !first_of_run {
        return None;
    }
    let switch = ancestor(node, &["switch_statement"])?;
    let subject = switch
        .child_by_field_name("value")
        .map(|v| reader.text(unwrap(v)).to_string())
        .unwrap_or_default();
    let mut listed = ListedCodes::default();
    let mut at = Some(node);
    while let Some(case) = at {
        if case.kind() != "switch_case" {
            break;
        }
        if let Some(value) = case.child_by_field_name("value") {
            match string_value(reader, value) {
                Some(code) => listed.code(code, reader.origin(value)),
                None => listed.status(reader.text(value), reader.origin(value)),
            }
        }
        // The case with statements ends the run.
        if case.named_child_count() > 1 {
            let retry = (1..case.named_child_count())
                .filter_map(|i| case.named_child(i as u32))
                .find_map(|s| retry_in(reader, s))?;
            let ListedCodes { codes, statuses } = listed.at_least_two()?;
            return Some(CodeList {
                origin: reader.origin(node),
                subject,
                codes,
                statuses,
                retry: reader.origin(retry),
                switch_cases: true,
                python: false,
            });
        }
        at = case.next_named_sibling();
    }
    None
}

/// `Math.pow(2, n) * base`, `2 ** n * base`, `base * 2 ** n`, `base << n`.
fn backoff(reader: &Reader, node: Node) -> Option<Backoff> {
    let exponential = match node.kind() {
        "call_expression" => {
            reader.text(node.child_by_field_name("function")?) == "Math.pow"
                && node
                    .child_by_field_name("arguments")?
                    .named_child(0)
                    .is_some_and(|b| reader.text(b) == "2")
        }
        "binary_expression" => {
            let op = reader.text(node.child_by_field_name("operator")?);
            (op == "**" && reader.text(node.child_by_field_name("left")?) == "2")
                || (op == "<<" && node.child_by_field_name("left")?.kind() == "number")
        }
        _ => false,
    };
    if !exponential {
        return None;
    }
    // The whole delay expression (`Math.pow(2, attempt) * 1000`).
    let mut top = node;
    while let Some(parent) = top
        .parent()
        .filter(|p| matches!(p.kind(), "binary_expression" | "parenthesized_expression"))
    {
        top = parent;
    }
    let scope = ancestor(node, FUNCTION_KINDS).unwrap_or(reader.parsed.root());
    let mut jitter = false;
    let mut cap = false;
    let mut retry_after = false;
    for n in reader.nodes(scope) {
        match n.kind() {
            "member_expression" => match reader.text(n) {
                "Math.random" | "crypto.getRandomValues" => jitter = true,
                "Math.min" => cap = true,
                _ => {}
            },
            "string_fragment" if reader.text(n).eq_ignore_ascii_case("retry-after") => {
                retry_after = true;
            }
            _ => {}
        }
    }
    Some(Backoff {
        origin: reader.origin(top),
        text: reader.text(top).to_string(),
        jitter,
        cap,
        retry_after,
        python: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(name: &str, text: &str) -> ClientFile {
        let lang = Lang::of_path(Path::new(name)).unwrap();
        let parsed = codeparse::parse(lang, text).unwrap();
        match lang {
            Lang::Python => extract_python(Path::new(name), &parsed),
            _ => extract(Path::new(name), &parsed),
        }
    }

    #[test]
    fn python_parsing_before_the_status_is_found() {
        let f = facts(
            "client.py",
            "import requests\n\ndef load(i):\n    response = requests.post(f'http://api/items/{i}', json={}, timeout=5)\n    data = response.json()\n    if response.ok:\n        return data\n    raise RuntimeError(data['error'])\n\ndef safe(i):\n    r = requests.get('http://api')\n    r.raise_for_status()\n    return r.json()\n",
        );
        assert_eq!(f.early_json.len(), 1, "{:?}", f.early_json);
        let early = &f.early_json[0];
        assert!(early.python);
        assert_eq!(early.variable, "response");
        assert_eq!(early.statement, "data = response.json()");
        assert_eq!(early.origin.position().map(|p| p.line), Some(5));
        assert_eq!(
            early
                .checked
                .as_ref()
                .and_then(|c| c.position())
                .map(|p| p.line),
            Some(6)
        );
    }

    #[test]
    fn throws_rethrows_and_classes() {
        let f = facts(
            "a.ts",
            "class ApiError extends Error {\n  constructor(readonly status: number, public error: Body) { super(error.message); }\n}\nexport async function call() {\n  try {\n    const res = await fetch('/x');\n    if (!res.ok) throw new ApiError(res.status, (await res.json()).error);\n    throw new Error('boom');\n  } catch (e) {\n    throw e;\n  }\n}\n",
        );
        let call = f.functions.iter().find(|f| f.name == "call").unwrap();
        let kinds: Vec<&ThrownKind> = call.thrown.iter().map(|t| &t.kind).collect();
        assert_eq!(
            kinds,
            [
                &ThrownKind::Instance {
                    class: "ApiError".into()
                },
                &ThrownKind::BuiltinError {
                    class: "Error".into(),
                    message: Some("'boom'".into())
                },
                &ThrownKind::Rethrow,
            ]
        );
        assert_eq!(call.response_variable.as_deref(), Some("res"));
        assert_eq!(f.classes[0].properties, ["status", "error"]);
        assert!(f.early_json.is_empty(), "res.ok is read before res.json()");
    }

    #[test]
    fn retry_loop_reads_through_an_alias() {
        let f = facts(
            "b.ts",
            "async function withRetry() {\n  for (let i = 0; i < 3; i++) {\n    try {\n      return await call();\n    } catch (error) {\n      const r = error as { error?: { retryable?: boolean } };\n      if (r.error?.retryable) {\n        await sleep(Math.pow(2, i) * 1000);\n        continue;\n      }\n      throw error;\n    }\n  }\n}\n",
        );
        let l = &f.retry_loops[0];
        assert_eq!(l.called[0].value, "call");
        assert_eq!(l.reads[0].path, ["error", "retryable"]);
        assert_eq!(l.reads[0].text, "r.error?.retryable");
        let at = l.reads[0].origin.position().unwrap();
        assert_eq!((at.line, at.column), (7, 11));
        assert_eq!(f.backoffs[0].text, "Math.pow(2, i) * 1000");
        assert!(!f.backoffs[0].jitter && !f.backoffs[0].cap && !f.backoffs[0].retry_after);
    }

    #[test]
    fn json_before_status_and_code_lists() {
        let f = facts(
            "c.tsx",
            "export async function load() {\n  const response = await fetch('/api');\n  const data = await response.json();\n  if (!response.ok) throw new Error(data.error.message);\n  return data;\n}\nconst View = ({ code, retry }) => (\n  <div>{code === 'A_ERROR' || code === 'B_ERROR' ? <button onClick={retry}>retry</button> : null}</div>\n);\n",
        );
        let early = &f.early_json[0];
        assert_eq!(early.variable, "response");
        assert_eq!(early.statement, "const data = await response.json();");
        assert_eq!(early.checked.as_ref().unwrap().position().unwrap().line, 4);
        let list = &f.code_lists[0];
        let codes: Vec<&str> = list.codes.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(codes, ["A_ERROR", "B_ERROR"]);
        assert_eq!(list.subject, "code");
        assert_eq!(list.retry.position().unwrap().line, 8);
    }

    #[test]
    fn switch_groups_that_offer_a_retry() {
        let f = facts(
            "d.ts",
            "function show(error) {\n  switch (error.code) {\n    case 'X':\n      login();\n      break;\n    case 'Q':\n    case 'D':\n      showRetryDialog(error.message);\n      break;\n  }\n}\n",
        );
        assert_eq!(f.code_lists.len(), 1);
        let codes: Vec<&str> = f.code_lists[0]
            .codes
            .iter()
            .map(|c| c.value.as_str())
            .collect();
        assert_eq!(codes, ["Q", "D"]);
        assert!(f.code_lists[0].switch_cases);

        // Statuses are HTTP statuses: `case 0` (a network failure) is not one,
        // and a single status left is no list.
        let f = facts(
            "d2.ts",
            "function show(response) {\n  switch (response.status) {\n    case 0:\n    case 503:\n      showRetryDialog();\n      break;\n  }\n}\n",
        );
        assert!(f.code_lists.is_empty(), "{:?}", f.code_lists);
        let f = facts(
            "d3.ts",
            "function show(response) {\n  switch (response.status) {\n    case 502:\n    case 503:\n      showRetryDialog();\n      break;\n  }\n}\n",
        );
        let statuses: Vec<u16> = f.code_lists[0].statuses.iter().map(|s| s.value).collect();
        assert_eq!(statuses, [502, 503]);
    }

    #[test]
    fn a_list_kept_in_a_variable_of_the_same_function_decides_the_retry() {
        let f = facts(
            "e.tsx",
            "const canRetry = true;\nfunction Panel({ code, retry }) {\n  const canRetry = code === 'A' || code === 'B';\n  return <div>{canRetry && <button onClick={retry}>again</button>}</div>;\n}\n",
        );
        assert_eq!(f.code_lists.len(), 1);
        let list = &f.code_lists[0];
        let codes: Vec<&str> = list.codes.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(codes, ["A", "B"]);
        let at = list.origin.position().unwrap();
        assert_eq!((at.line, at.column), (3, 20), "the function's own variable");
    }
}
