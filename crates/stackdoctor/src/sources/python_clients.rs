//! Python client code, read from the same syntax trees as the rest of the
//! client facts: what functions raise (`raise_for_status()`,
//! `Exception(message)`, the project's own exception classes and the
//! attributes `self.x = …` gives them); retries, in functions decorated with
//! tenacity's `@retry` or backoff's `@backoff.on_exception`, and in
//! hand-written `for`/`while` loops around a `try`, with what they read of
//! the error; lists of codes or statuses that decide a retry; and
//! exponential sleeps (`time.sleep(2 ** attempt)`, tenacity's
//! `wait_exponential`, backoff's `jitter=None`).
//!
//! A retry "retries everything" when nothing in it tells retryable errors
//! from the rest: `@retry` without a `retry=` predicate (or with
//! `retry_if_exception_type` of a class that 4xx errors are too),
//! `on_exception` of such a class without `giveup=`, an `except` whose body
//! never looks at the error. Classes and functions are followed within the
//! file (Python imports are not resolved).

use super::api_clients::{ListedCodes, Reader};
use crate::model::api::{
    Backoff, ClassFacts, ClientFile, CodeList, FunctionFacts, PropertyRead, RetryLoop, Thrown,
    ThrownKind,
};
use crate::model::Sourced;
use codeparse::Node;

/// The nodes that open a Python function scope.
const PYTHON_FUNCTIONS: &[&str] = &["function_definition", "lambda"];

/// Python's own exceptions: they carry `args` and a message, nothing of the API's body.
const BUILTIN_EXCEPTIONS: &[&str] = &[
    "Exception",
    "RuntimeError",
    "ValueError",
    "TypeError",
    "KeyError",
    "LookupError",
    "IOError",
    "OSError",
    "ConnectionError",
    "TimeoutError",
];

/// Exception classes that 4xx answers are raised as (or a parent of them).
const BROAD_EXCEPTIONS: &[&str] = &[
    "Exception",
    "BaseException",
    "HTTPError",
    "HTTPStatusError",
    "RequestException",
    "RequestError",
];

/// Whether the file's text may hold a retry worth parsing for.
pub(super) fn may_retry(text: &str) -> bool {
    ["retry", "backoff", "sleep("]
        .iter()
        .any(|w| text.contains(w))
}

/// Adds the retry facts of a parsed Python file.
pub(super) fn extract(reader: &Reader, facts: &mut ClientFile) {
    let root = reader.parsed.root();
    let retry_after = reader
        .text(root)
        .to_ascii_lowercase()
        .contains("retry-after");
    for node in reader.nodes(root) {
        match node.kind() {
            "function_definition" => facts.functions.extend(function_facts(reader, node)),
            "class_definition" => facts.classes.extend(class_facts(reader, node)),
            "decorator" => decorator(reader, node, retry_after, facts),
            "for_statement" | "while_statement" => {
                facts.retry_loops.extend(hand_loop(reader, node));
            }
            "call" => facts.backoffs.extend(sleep(reader, node, retry_after)),
            "if_statement" | "elif_clause" => facts.code_lists.extend(code_list(reader, node)),
            _ => {}
        }
    }
}

/// What a function raises: `raise_for_status()` (every error status, 4xx
/// included; not followed further), `raise Exception(msg)`, `raise
/// ApiError(…)`, a bare `raise`.
fn function_facts(reader: &Reader, function: Node) -> Option<FunctionFacts> {
    let name = reader
        .text(function.child_by_field_name("name")?)
        .to_string();
    let own = reader.parsed.own_descendants(function, PYTHON_FUNCTIONS);
    let thrown: Vec<Thrown> = own
        .iter()
        .filter_map(|n| {
            let kind = if raises_for_status(reader, *n) {
                ThrownKind::Unknown
            } else if n.kind() == "raise_statement" {
                raised_kind(reader, *n)
            } else {
                return None;
            };
            Some(Thrown {
                origin: reader.origin(*n),
                text: raised_text(reader, *n).to_string(),
                kind,
            })
        })
        .collect();
    if thrown.is_empty() {
        return None;
    }
    let response_variable = own.iter().find_map(|n| {
        (n.kind() == "assignment")
            .then(|| n.child_by_field_name("left"))
            .flatten()
            .filter(|l| l.kind() == "identifier")
            .filter(|_| {
                n.child_by_field_name("right").is_some_and(|r| {
                    reader.text(r).contains("requests.") || reader.text(r).contains("client.")
                })
            })
            .map(|l| reader.text(l).to_string())
    });
    Some(FunctionFacts {
        name,
        origin: reader.origin(function),
        thrown,
        response_variable,
    })
}

/// The raised expression (`Exception(data["error"]["message"])`), or the call.
fn raised_text<'t>(reader: &Reader<'t>, node: Node<'t>) -> &'t str {
    match node.kind() {
        "raise_statement" => node.named_child(0).map_or("raise", |v| reader.text(v)),
        _ => reader.text(node),
    }
}

fn raised_kind(reader: &Reader, statement: Node) -> ThrownKind {
    let Some(value) = statement.named_child(0) else {
        return ThrownKind::Rethrow;
    };
    let (class, message) = match value.kind() {
        "call" => (
            value
                .child_by_field_name("function")
                .map(|f| last_name(reader, f)),
            positional(value, 0).map(|m| reader.text(m).to_string()),
        ),
        "identifier" | "attribute" => (Some(last_name(reader, value)), None),
        _ => (None, None),
    };
    match class {
        Some(class) if BUILTIN_EXCEPTIONS.contains(&class) => ThrownKind::BuiltinError {
            class: class.to_string(),
            message,
        },
        // A caught name raised again, or a project class (resolved by the checks).
        Some(class) if value.kind() == "call" => ThrownKind::Instance {
            class: class.to_string(),
        },
        _ => ThrownKind::Unknown,
    }
}

/// `class ApiError(Exception):` and the attributes `self.x = …` gives it.
fn class_facts(reader: &Reader, node: Node) -> Option<ClassFacts> {
    let name = reader.text(node.child_by_field_name("name")?).to_string();
    let extends = node
        .child_by_field_name("superclasses")
        .and_then(|b| b.named_child(0))
        .map(|b| last_name(reader, b).to_string());
    let properties = reader
        .nodes(node)
        .into_iter()
        .filter(|n| n.kind() == "assignment")
        .filter_map(|n| n.child_by_field_name("left"))
        .filter(|l| {
            l.kind() == "attribute"
                && l.child_by_field_name("object").map(|o| reader.text(o)) == Some("self")
        })
        .filter_map(|l| l.child_by_field_name("attribute"))
        .map(|a| reader.text(a).to_string())
        .collect();
    Some(ClassFacts {
        name,
        extends,
        properties,
    })
}

fn raises_for_status(reader: &Reader, node: Node) -> bool {
    node.kind() == "call"
        && node
            .child_by_field_name("function")
            .and_then(|f| f.child_by_field_name("attribute"))
            .is_some_and(|a| reader.text(a) == "raise_for_status")
}

/// The callee's last name (`retry` of `tenacity.retry`).
fn last_name<'t>(reader: &Reader<'t>, node: Node<'t>) -> &'t str {
    let text = reader.text(node);
    text.rsplit('.').next().unwrap_or(text)
}

fn keyword<'t>(reader: &Reader<'t>, call: Node<'t>, name: &str) -> Option<Node<'t>> {
    let arguments = call.child_by_field_name("arguments")?;
    (0..arguments.named_child_count())
        .filter_map(|i| arguments.named_child(i as u32))
        .filter(|a| a.kind() == "keyword_argument")
        .find(|a| a.child_by_field_name("name").map(|n| reader.text(n)) == Some(name))
        .and_then(|a| a.child_by_field_name("value"))
}

fn positional<'t>(call: Node<'t>, index: usize) -> Option<Node<'t>> {
    let arguments = call.child_by_field_name("arguments")?;
    (0..arguments.named_child_count())
        .filter_map(|i| arguments.named_child(i as u32))
        .filter(|a| a.kind() != "keyword_argument")
        .nth(index)
}

/// Whether an exception class expression (a name, a tuple) covers 4xx errors.
fn broad(classes: &str) -> bool {
    classes
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .filter(|c| !c.is_empty())
        .any(|c| BROAD_EXCEPTIONS.contains(&c.rsplit('.').next().unwrap_or(c)))
}

/// `@retry(…)` / `@backoff.on_exception(…)` on a function.
fn decorator(reader: &Reader, node: Node, retry_after: bool, facts: &mut ClientFile) {
    let Some(expression) = node.named_child(0) else {
        return;
    };
    let Some(function) = node
        .parent()
        .and_then(|d| d.child_by_field_name("definition"))
        .filter(|d| d.kind() == "function_definition")
    else {
        return;
    };
    let (callee, call) = match expression.kind() {
        "call" => match expression.child_by_field_name("function") {
            Some(f) => (last_name(reader, f), Some(expression)),
            None => return,
        },
        "identifier" | "attribute" => (last_name(reader, expression), None),
        _ => return,
    };
    let mut reads = Vec::new();
    let (library, retries_all) = match callee {
        "retry" => {
            // tenacity: without `retry=`, every exception is retried.
            let predicate = call.and_then(|c| keyword(reader, c, "retry"));
            if let Some(predicate) = predicate {
                reads = predicate_reads(reader, predicate);
            }
            let all = predicate.is_none_or(|p| {
                let text = reader.text(p);
                text.contains("retry_if_exception_type") && broad(text)
            });
            if let Some(wait) = call.and_then(|c| keyword(reader, c, "wait")) {
                facts
                    .backoffs
                    .extend(tenacity_wait(reader, wait, retry_after));
            }
            ("tenacity", all)
        }
        "on_exception" => {
            let Some(call) = call else { return };
            let classes = positional(call, 1).map(|c| reader.text(c)).unwrap_or("");
            let all = broad(classes) && keyword(reader, call, "giveup").is_none();
            if let Some(jitter) = keyword(reader, call, "jitter") {
                if reader.text(jitter) == "None" {
                    facts.backoffs.push(Backoff {
                        origin: reader.origin(jitter.parent().unwrap_or(jitter)),
                        text: reader.text(jitter.parent().unwrap_or(jitter)).to_string(),
                        jitter: false,
                        cap: keyword(reader, call, "max_value").is_some(),
                        retry_after,
                        python: true,
                    });
                }
            }
            ("backoff", all)
        }
        _ => return,
    };
    if !retries_all && reads.is_empty() {
        return;
    }
    let (Some(name), Some(body)) = (
        function.child_by_field_name("name"),
        function.child_by_field_name("body"),
    ) else {
        return;
    };
    // The decorated function, and what it calls: either may raise.
    let mut called = vec![Sourced::new(
        reader.text(name).to_string(),
        reader.origin(function),
    )];
    called.extend(calls_in(reader, body));
    facts.retry_loops.push(RetryLoop {
        origin: reader.origin(node),
        called,
        reads,
        raises_here: None,
        library: Some(library.to_string()),
    });
}

/// What `scope` reads of the value named `name`: `e.error.retryable` (the
/// outermost attribute of each chain) and `getattr(e, "retryable", …)`.
fn attribute_reads(reader: &Reader, scope: Node, name: &str) -> Vec<PropertyRead> {
    let mut reads = Vec::new();
    for n in reader.nodes(scope) {
        let path = match n.kind() {
            "attribute" if n.parent().is_none_or(|p| p.kind() != "attribute") => {
                let mut path = Vec::new();
                let mut at = n;
                while at.kind() == "attribute" {
                    if let Some(a) = at.child_by_field_name("attribute") {
                        path.insert(0, reader.text(a).to_string());
                    }
                    match at.child_by_field_name("object") {
                        Some(o) => at = o,
                        None => break,
                    }
                }
                (at.kind() == "identifier" && reader.text(at) == name).then_some(path)
            }
            "call" => {
                let getattr = n
                    .child_by_field_name("function")
                    .is_some_and(|f| reader.text(f) == "getattr");
                let target = positional(n, 0).map(|t| reader.text(t));
                let attribute = positional(n, 1)
                    .filter(|a| a.kind() == "string")
                    .map(|a| reader.text(a).trim_matches(['"', '\'']).to_string());
                (getattr && target == Some(name))
                    .then_some(attribute)
                    .flatten()
                    .map(|a| vec![a])
            }
            _ => None,
        };
        if let Some(path) = path.filter(|p| !p.is_empty()) {
            reads.push(PropertyRead {
                origin: reader.origin(n),
                path,
                text: reader.text(n).to_string(),
            });
        }
    }
    reads
}

/// What tenacity's `retry=retry_if_exception(PREDICATE)` reads of the
/// exception: a lambda's body, or a function of the same file.
fn predicate_reads(reader: &Reader, predicate: Node) -> Vec<PropertyRead> {
    let Some(argument) = reader
        .nodes(predicate)
        .into_iter()
        .filter(|n| n.kind() == "call")
        .find(|c| {
            c.child_by_field_name("function")
                .is_some_and(|f| last_name(reader, f) == "retry_if_exception")
        })
        .and_then(|c| positional(c, 0))
    else {
        return Vec::new();
    };
    let function = match argument.kind() {
        "lambda" => Some(argument),
        "identifier" => {
            let name = reader.text(argument);
            reader.nodes(reader.parsed.root()).into_iter().find(|n| {
                n.kind() == "function_definition"
                    && n.child_by_field_name("name").map(|m| reader.text(m)) == Some(name)
            })
        }
        _ => None,
    };
    let Some(function) = function else {
        return Vec::new();
    };
    let parameter = function
        .child_by_field_name("parameters")
        .and_then(|p| p.named_child(0))
        .map(|p| match p.kind() {
            "typed_parameter" | "default_parameter" | "typed_default_parameter" => {
                p.named_child(0).unwrap_or(p)
            }
            _ => p,
        })
        .map(|p| reader.text(p).to_string());
    let Some(body) = function.child_by_field_name("body") else {
        return Vec::new();
    };
    parameter.map_or_else(Vec::new, |name| attribute_reads(reader, body, &name))
}

/// The functions a function calls by name.
fn calls_in(reader: &Reader, scope: Node) -> Vec<Sourced<String>> {
    reader
        .nodes(scope)
        .into_iter()
        .filter(|n| n.kind() == "call")
        .filter_map(|c| {
            let f = c.child_by_field_name("function")?;
            (f.kind() == "identifier")
                .then(|| Sourced::new(reader.text(f).to_string(), reader.origin(c)))
        })
        .collect()
}

/// tenacity's `wait_exponential(…)` (no jitter); `wait_random_exponential`
/// and `wait_exponential_jitter` have it.
fn tenacity_wait(reader: &Reader, wait: Node, retry_after: bool) -> Vec<Backoff> {
    reader
        .nodes(wait)
        .into_iter()
        .filter(|n| n.kind() == "call")
        .filter(|c| {
            c.child_by_field_name("function")
                .is_some_and(|f| last_name(reader, f) == "wait_exponential")
        })
        .map(|c| Backoff {
            origin: reader.origin(c),
            text: reader.text(c).to_string(),
            jitter: false,
            cap: keyword(reader, c, "max").is_some(),
            retry_after,
            python: true,
        })
        .collect()
}

/// A `for`/`while` loop around a `try` whose `except` never looks at the error.
fn hand_loop(reader: &Reader, node: Node) -> Option<RetryLoop> {
    let body = node.child_by_field_name("body")?;
    let attempt = (0..body.named_child_count())
        .filter_map(|i| body.named_child(i as u32))
        .find(|s| s.kind() == "try_statement")?;
    let try_body = attempt.child_by_field_name("body")?;
    let mut blind = None;
    for clause in (0..attempt.named_child_count())
        .filter_map(|i| attempt.named_child(i as u32))
        .filter(|c| c.kind() == "except_clause")
    {
        let value = clause.child_by_field_name("value");
        let (classes, name) = match value {
            Some(v) if v.kind() == "as_pattern" => (
                v.named_child(0).map(|c| reader.text(c)).unwrap_or(""),
                v.child_by_field_name("alias").map(|a| reader.text(a)),
            ),
            Some(v) => (reader.text(v), None),
            // A bare `except:` catches everything.
            None => ("Exception", None),
        };
        if !broad(classes) {
            continue;
        }
        let handler = reader.nodes(clause);
        let looks = handler.iter().any(|n| match n.kind() {
            // `raise` in the handler: some errors are not retried.
            "raise_statement" => true,
            "identifier" => name.is_some_and(|name| reader.text(*n) == name),
            _ => false,
        });
        if !looks {
            blind = Some(Vec::new());
            break;
        }
        // What the handler's conditions read of the error decides the retry.
        let conditions: Vec<Node> = handler
            .iter()
            .filter(|n| {
                matches!(
                    n.kind(),
                    "if_statement" | "elif_clause" | "conditional_expression"
                )
            })
            .filter_map(|n| {
                n.child_by_field_name("condition")
                    .or_else(|| n.named_child(1))
            })
            .collect();
        let reads: Vec<PropertyRead> = name
            .map(|name| {
                conditions
                    .iter()
                    .flat_map(|c| attribute_reads(reader, *c, name))
                    .collect()
            })
            .unwrap_or_default();
        if !reads.is_empty() {
            blind = Some(reads);
            break;
        }
    }
    let reads = blind?;
    let inside = reader.nodes(try_body);
    let raises_here = inside
        .iter()
        .find(|n| raises_for_status(reader, **n))
        .map(|n| reader.origin(*n));
    let called = calls_in(reader, try_body);
    if raises_here.is_none() && called.is_empty() {
        return None;
    }
    Some(RetryLoop {
        origin: reader.origin(node),
        called,
        reads,
        raises_here,
        library: Some("loop".to_string()),
    })
}

/// `time.sleep(2 ** attempt)`, `await asyncio.sleep(base * 2 ** n)`.
fn sleep(reader: &Reader, call: Node, retry_after: bool) -> Option<Backoff> {
    let callee = call.child_by_field_name("function")?;
    if last_name(reader, callee) != "sleep" {
        return None;
    }
    let delay = positional(call, 0)?;
    let exponential = reader.nodes(delay).into_iter().any(|n| match n.kind() {
        "binary_operator" => {
            let op = n.child_by_field_name("operator").map(|o| reader.text(o));
            let left = n.child_by_field_name("left").map(|l| reader.text(l));
            (op == Some("**") && left == Some("2")) || op == Some("<<")
        }
        "call" => {
            n.child_by_field_name("function")
                .is_some_and(|f| reader.text(f) == "pow" || reader.text(f) == "math.pow")
                && positional(n, 0).is_some_and(|b| reader.text(b) == "2")
        }
        _ => false,
    });
    if !exponential {
        return None;
    }
    let text = reader.text(delay);
    Some(Backoff {
        origin: reader.origin(delay),
        text: text.to_string(),
        jitter: text.contains("random") || text.contains("uniform"),
        cap: text.contains("min("),
        retry_after,
        python: true,
    })
}

/// `if code in ("A", "B"): continue` / `if status == 429 or status == 503:
/// retry()`: a hard-coded list of codes or statuses that decides a retry
/// (a `continue` in a loop, or a call of something named `retry`).
fn code_list(reader: &Reader, node: Node) -> Option<CodeList> {
    let condition = node.child_by_field_name("condition")?;
    let consequence = node.child_by_field_name("consequence")?;
    let retry = reader
        .nodes(consequence)
        .into_iter()
        .find(|n| match n.kind() {
            "continue_statement" => true,
            "identifier" => {
                let name = reader.text(*n).to_ascii_lowercase();
                name.contains("retry") && !name.contains("retryable") && !name.contains("retriable")
            }
            _ => false,
        })?;
    let mut found = ListedCodes::default();
    let mut subject: Option<String> = None;
    for comparison in reader
        .nodes(condition)
        .into_iter()
        .filter(|n| n.kind() == "comparison_operator")
    {
        let operands: Vec<Node> = (0..comparison.named_child_count())
            .filter_map(|i| comparison.named_child(i as u32))
            .collect();
        let [compared, listed] = operands.as_slice() else {
            continue;
        };
        let literals: Vec<Node> = match listed.kind() {
            "tuple" | "list" | "set" => (0..listed.named_child_count())
                .filter_map(|i| listed.named_child(i as u32))
                .collect(),
            "string" | "integer" => vec![*listed],
            _ => continue,
        };
        let compared = reader.text(*compared).to_string();
        if subject.get_or_insert_with(|| compared.clone()) != &compared {
            continue;
        }
        for literal in literals {
            match literal.kind() {
                "string" => found.code(
                    reader.text(literal).trim_matches(['"', '\'']).to_string(),
                    reader.origin(literal),
                ),
                "integer" => found.status(reader.text(literal), reader.origin(literal)),
                _ => {}
            }
        }
    }
    let ListedCodes { codes, statuses } = found.at_least_two()?;
    Some(CodeList {
        origin: reader.origin(condition),
        subject: subject.unwrap_or_default(),
        codes,
        statuses,
        retry: reader.origin(retry),
        switch_cases: false,
        python: true,
    })
}
