//! API error contracts: markdown catalogues whose text has error-code sections,
//! `openapi.{yaml,yml,json}` files, and the files named with `--contract`, read
//! with the `contract` crate into [`ApiModel::contracts`](crate::model::api::ApiModel).

use super::inventory::{File, Inventory, Kind};
use super::ReadScope;
use crate::model::api::ContractDoc;
use crate::model::{InvalidInput, Origin, StackModel};
use std::path::{Path, PathBuf};

/// Words a markdown catalogue labels its codes' values with; a markdown file
/// without any is not read as a contract.
const CATALOGUE_WORDS: &[&str] = &[
    "リトライ可能",
    "再試行可能",
    "httpステータス",
    "http status",
    "retryable",
];

/// Names of OpenAPI documents looked for in the project.
const OPENAPI_NAMES: &[&str] = &[
    "openapi.yaml",
    "openapi.yml",
    "openapi.json",
    "swagger.yaml",
    "swagger.json",
];

/// The files the contract source reads: markdown documents (their text
/// decides later whether they are catalogues) and OpenAPI documents by name.
pub fn claims(file: &File) -> bool {
    let name = file.name.to_ascii_lowercase();
    name.ends_with(".md") || name.ends_with(".markdown") || OPENAPI_NAMES.contains(&name.as_str())
}

/// Reads the project's contracts and those named with `--contract`.
pub fn load(inventory: &Inventory, model: &mut StackModel, named: &[PathBuf], scope: &ReadScope) {
    for file in inventory.of(Kind::Contract).map(|f| f.path.clone()) {
        if named.iter().any(|n| same_file(n, &file)) {
            continue;
        }
        read_one(model, &file, false, scope);
    }
    for file in named {
        read_one(model, file, true, scope);
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn read_one(model: &mut StackModel, file: &Path, named: bool, scope: &ReadScope) {
    let invalid = |model: &mut StackModel, message: String, line: u32, column: u32| {
        model.invalid_inputs.push(InvalidInput {
            kind: "contract".to_string(),
            message,
            origin: Origin::file(file, line, column, 0),
        });
    };
    if !scope.allows(file) {
        invalid(model, super::OUTSIDE.to_string(), 1, 1);
        return;
    }
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    if size > contract::MAX_BYTES as u64 {
        if named {
            invalid(
                model,
                format!("{size} bytes, more than the {} read", contract::MAX_BYTES),
                1,
                1,
            );
        }
        return;
    }
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            if named {
                invalid(model, format!("cannot be read: {e}"), 1, 1);
            }
            return;
        }
    };
    let is_markdown = matches!(
        file.extension().and_then(|e| e.to_str()),
        Some("md" | "markdown")
    );
    if is_markdown && !named {
        let lower = text.to_lowercase();
        if !CATALOGUE_WORDS.iter().any(|w| lower.contains(w)) {
            return;
        }
    }
    match contract::read(file, &text) {
        Ok(Some(contract)) => {
            model.sources.insert(file, &text);
            model.api.contracts.push(ContractDoc {
                file: file.to_path_buf(),
                contract,
            });
        }
        Ok(None) => {
            if named {
                invalid(
                    model,
                    "no error codes found (markdown `### CODE` sections with a status or retryable flag, OpenAPI error responses, or a catalogue's `errors`)".to_string(),
                    1,
                    1,
                );
            }
        }
        Err(e) => {
            let (line, column) = match &e {
                contract::Error::Syntax { at, .. }
                | contract::Error::TooDeep { at, .. }
                | contract::Error::TooManyNodes { at, .. } => (at.line, at.column),
                _ => (1, 1),
            };
            model.sources.insert(file, &text);
            invalid(model, e.to_string(), line, column);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;

    #[test]
    fn catalogues_and_openapi_are_found_and_readmes_are_not() {
        let (_dir, model) = test_tree(&[
            ("README.md", "# Service\n\n## INSTALL\n\nRun `make`.\n"),
            (
                "docs/errors.md",
                "## RATE_LIMITED\n\n**HTTP status**: 429\n\n**Retryable**: Yes\n",
            ),
            (
                "api/openapi.yaml",
                "openapi: 3.0.3\npaths: {}\nx-error-codes:\n  - code: GONE\n    status: 410\n",
            ),
            ("openapi-broken/openapi.json", "{\"openapi\": \"3.0.0\", "),
        ]);
        let files: Vec<String> = model
            .api
            .contracts
            .iter()
            .map(|c| {
                c.file
                    .strip_prefix(&model.root)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(files, ["api/openapi.yaml", "docs/errors.md"]);
        assert_eq!(model.invalid_inputs.len(), 1);
        assert_eq!(model.invalid_inputs[0].kind, "contract");
        assert!(model.invalid_inputs[0]
            .message
            .contains("invalid YAML/JSON"));
    }
}

/// Lines of the kept log texts observed at most (the first ones of each code).
const MAX_OBSERVED: usize = 200;

/// Finds the contracts' codes in the log inputs kept whole: a documented code
/// written as a JSON string value (`"code":"AI_SERVICE_ERROR"`, `"code": "…"`)
/// is a response of the API, whatever logged it.
pub fn observe_codes(model: &mut StackModel, texts: &[(PathBuf, String)]) {
    let codes: Vec<String> = {
        let mut codes: Vec<String> = model
            .api
            .contracts
            .iter()
            .flat_map(|doc| doc.contract.codes.iter().map(|c| c.code.clone()))
            .filter(|c| !c.is_empty())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    };
    if codes.is_empty() {
        return;
    }
    let quoted: Vec<String> = codes.iter().map(|c| format!("\"{c}\"")).collect();
    for (file, text) in texts {
        for (index, line) in text.lines().enumerate() {
            if model.api.observed.len() >= MAX_OBSERVED {
                return;
            }
            // A JSON body says `"code"` before its value; escaped (`\"code\"`) in a log message too.
            if !line.contains("code") {
                continue;
            }
            let unescaped = line.replace("\\\"", "\"");
            let Some(code) = codes
                .iter()
                .zip(&quoted)
                .find(|(_, q)| names_code(&unescaped, q))
                .map(|(c, _)| c.clone())
            else {
                continue;
            };
            // On the line as written (escaped quotes shift an unescaped copy's columns).
            let column = line.find(code.as_str()).map_or(1, |at| at + 1);
            model.api.observed.push(crate::model::api::ObservedCode {
                code,
                origin: Origin::Log(crate::model::FilePosition {
                    file: file.clone(),
                    line: u32::try_from(index + 1).unwrap_or(u32::MAX),
                    column: u32::try_from(column).unwrap_or(1),
                    length: 0,
                }),
                text: crate::secrets::mask_then_shorten(line, 200),
            });
        }
    }
}

/// `"code": "X"` (any spacing), with `quoted` = `"X"`, and `code` the key.
fn names_code(line: &str, quoted: &str) -> bool {
    line.match_indices(quoted).any(|(at, _)| {
        let before = line[..at].trim_end();
        before.ends_with(':')
            && before[..before.len() - 1]
                .trim_end()
                .to_ascii_lowercase()
                .ends_with("code\"")
    })
}

#[cfg(test)]
mod observed_tests {
    use super::names_code;

    #[test]
    fn a_code_counts_only_as_the_value_of_a_code_key() {
        let q = "\"AI_SERVICE_ERROR\"";
        assert!(names_code(
            r#"{"error":{"code":"AI_SERVICE_ERROR","retryable":true}}"#,
            q
        ));
        assert!(names_code(r#"{"errorCode" : "AI_SERVICE_ERROR"}"#, q));
        assert!(!names_code(r#"{"message":"AI_SERVICE_ERROR"}"#, q));
        assert!(!names_code(r#"code AI_SERVICE_ERROR"#, q));
        assert!(!names_code(r#"{"code":"AI_SERVICE_ERROR_X"}"#, q));
    }
}
