//! Helpers the API checks share: the contract in force, and words of its language.

use crate::model::api::{
    ClassFacts, ClientFile, ContractDoc, ErrorResponse, FunctionFacts, ThrownKind,
};
use crate::model::Origin;
use crate::model::StackModel;

/// The answer words of a contract's language for a retryable flag.
pub fn yes_no(doc: &ContractDoc, value: bool) -> &'static str {
    match (doc.contract.language, value) {
        (contract::Language::Ja, true) => "はい",
        (contract::Language::Ja, false) => "いいえ",
        (contract::Language::En, true) => "Yes",
        (contract::Language::En, false) => "No",
    }
}

/// A JSON value as it would be written in an example (`true`, `"X"`).
pub fn json_text(value: &serde_json::Value) -> String {
    value.to_string()
}

/// Whether a status is retryable by HTTP's own semantics (RFC 9110 and common
/// practice): 408, 425, 429, 502, 503 and 504 are; other 4xx are not; other
/// 5xx are unknown (`None`).
pub fn http_retryable(status: u16) -> Option<bool> {
    match status {
        408 | 425 | 429 | 502 | 503 | 504 => Some(true),
        400..=499 => Some(false),
        _ => None,
    }
}

/// The code an answer carries: thrown with it, or in the body at the contract's path.
pub fn response_code(
    doc: &ContractDoc,
    response: &ErrorResponse,
) -> Option<(String, Option<Origin>)> {
    if let Some(code) = &response.code {
        return Some((code.value.clone(), Some(code.origin.clone())));
    }
    let body = response.body.as_ref()?;
    let path = doc.contract.code_path();
    let value = contract::envelope::values_at(&body.value, &path)
        .into_iter()
        .next()?;
    let code = value.as_str()?.to_string();
    Some((code, body.origin_of(&path).cloned()))
}

/// The contract whose envelope server answers follow: the first that
/// documents one, else the first contract.
pub fn server_contract(model: &StackModel) -> Option<&ContractDoc> {
    let contracts = &model.api.contracts;
    contracts
        .iter()
        .find(|d| d.contract.envelope.is_some())
        .or_else(|| contracts.first())
}

/// Whether the project documents any contract.
pub fn has_contract(model: &StackModel) -> bool {
    !model.api.contracts.is_empty()
}

/// A function called by name from `file`: defined there, or imported from
/// another file of the project (`import { f } from './client'`).
pub fn resolve_function<'m>(
    model: &'m StackModel,
    file: &'m ClientFile,
    name: &str,
) -> Option<(&'m ClientFile, &'m FunctionFacts)> {
    if let Some(f) = file.functions.iter().find(|f| f.name == name) {
        return Some((file, f));
    }
    let import = file.imports.iter().find(|i| i.local == name)?;
    let from = import.from.as_ref()?;
    let other = model.api.client(from)?;
    other
        .functions
        .iter()
        .find(|f| f.name == import.imported)
        .map(|f| (other, f))
}

/// A class visible from `file` (defined there or imported from the project).
pub fn resolve_class<'m>(
    model: &'m StackModel,
    file: &'m ClientFile,
    name: &str,
) -> Option<&'m ClassFacts> {
    if let Some(c) = file.classes.iter().find(|c| c.name == name) {
        return Some(c);
    }
    let import = file.imports.iter().find(|i| i.local == name)?;
    let from = import.from.as_ref()?;
    model
        .api
        .client(from)?
        .classes
        .iter()
        .find(|c| c.name == import.imported)
}

/// Properties every built-in error instance has: JavaScript's `Error`s and
/// Python's `BaseException`.
pub const ERROR_PROPERTIES: &[&str] = &[
    "message",
    "name",
    "stack",
    "cause",
    "errors",
    "code",
    "args",
    "__cause__",
    "__context__",
    "__traceback__",
    "__notes__",
    "with_traceback",
    "add_note",
];

/// The properties a value thrown by `function` can carry, or `None` when
/// something it throws is not followed (a variable, a call, a class from a package).
pub fn thrown_properties(
    model: &StackModel,
    file: &ClientFile,
    function: &FunctionFacts,
) -> Option<Vec<String>> {
    let mut properties: Vec<String> = Vec::new();
    let mut explicit = false;
    for thrown in &function.thrown {
        match &thrown.kind {
            ThrownKind::BuiltinError { .. } => {
                explicit = true;
                properties.extend(ERROR_PROPERTIES.iter().map(|p| p.to_string()));
            }
            ThrownKind::Instance { class } => {
                explicit = true;
                let mut class = resolve_class(model, file, class)?;
                properties.extend(ERROR_PROPERTIES.iter().map(|p| p.to_string()));
                // Up the project's own class hierarchy, a few levels.
                for _ in 0..8 {
                    properties.extend(class.properties.iter().cloned());
                    match &class.extends {
                        Some(parent) if !BUILTIN_PARENTS.contains(&parent.as_str()) => {
                            class = resolve_class(model, file, parent)?;
                        }
                        _ => break,
                    }
                }
            }
            ThrownKind::Object { keys } => {
                explicit = true;
                properties.extend(keys.iter().cloned());
            }
            ThrownKind::Rethrow => {}
            ThrownKind::Unknown => return None,
        }
    }
    explicit.then_some(properties)
}

const BUILTIN_PARENTS: &[&str] = &[
    "Error",
    "TypeError",
    "RangeError",
    "SyntaxError",
    "Exception",
    "BaseException",
    "RuntimeError",
    "ValueError",
];
