//! Retries in Python client code, read from the same syntax trees as the
//! rest of the client facts: functions decorated with tenacity's `@retry` or
//! backoff's `@backoff.on_exception`, hand-written `for`/`while` loops around
//! a `try`, and exponential sleeps (`time.sleep(2 ** attempt)`, tenacity's
//! `wait_exponential`, backoff's `jitter=None`).
//!
//! A retry "retries everything" when nothing in it tells retryable errors
//! from the rest: `@retry` without a `retry=` predicate (or with
//! `retry_if_exception_type` of a class that 4xx errors are too),
//! `on_exception` of such a class without `giveup=`, an `except` whose body
//! never looks at the error. The functions that raise for 4xx are those that
//! call `raise_for_status()`.

use super::api_clients::Reader;
use crate::model::api::{Backoff, ClientFile, FunctionFacts, RetryLoop, Thrown, ThrownKind};
use crate::model::Sourced;
use codeparse::{ancestor, Node};

/// The nodes that open a Python function scope.
const PYTHON_FUNCTIONS: &[&str] = &["function_definition", "lambda"];

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
            "function_definition" => {
                if let Some(function) = raising_function(reader, node) {
                    facts.functions.push(function);
                }
            }
            "decorator" => decorator(reader, node, retry_after, facts),
            "for_statement" | "while_statement" => {
                facts.retry_loops.extend(hand_loop(reader, node));
            }
            "call" => facts.backoffs.extend(sleep(reader, node, retry_after)),
            _ => {}
        }
    }
}

/// A function that raises for every error status (`response.raise_for_status()`).
fn raising_function(reader: &Reader, function: Node) -> Option<FunctionFacts> {
    let name = reader
        .text(function.child_by_field_name("name")?)
        .to_string();
    let raise = reader
        .nodes(function)
        .into_iter()
        .filter(|n| ancestor(*n, PYTHON_FUNCTIONS) == Some(function))
        .find(|n| raises_for_status(reader, *n))?;
    Some(FunctionFacts {
        name,
        origin: reader.origin(function),
        thrown: vec![Thrown {
            origin: reader.origin(raise),
            text: reader.text(raise).to_string(),
            kind: ThrownKind::Unknown,
        }],
        response_variable: None,
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
    let (library, retries_all) = match callee {
        "retry" => {
            // tenacity: without `retry=`, every exception is retried.
            let predicate = call.and_then(|c| keyword(reader, c, "retry"));
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
    if !retries_all {
        return;
    }
    let Some(name) = function.child_by_field_name("name") else {
        return;
    };
    facts.retry_loops.push(RetryLoop {
        origin: reader.origin(node),
        called: vec![Sourced::new(
            reader.text(name).to_string(),
            reader.origin(function),
        )],
        reads: Vec::new(),
        raises_here: None,
        library: Some(library.to_string()),
    });
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
            blind = Some(clause);
            break;
        }
    }
    blind?;
    let inside = reader.nodes(try_body);
    let raises_here = inside
        .iter()
        .find(|n| raises_for_status(reader, **n))
        .map(|n| reader.origin(*n));
    let called: Vec<Sourced<String>> = inside
        .iter()
        .filter(|n| n.kind() == "call")
        .filter_map(|c| {
            let f = c.child_by_field_name("function")?;
            (f.kind() == "identifier")
                .then(|| Sourced::new(reader.text(f).to_string(), reader.origin(*c)))
        })
        .collect();
    if raises_here.is_none() && called.is_empty() {
        return None;
    }
    Some(RetryLoop {
        origin: reader.origin(node),
        called,
        reads: Vec::new(),
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
