//! # api-client-retry-unreachable
//!
//! **What it detects:** a retry loop whose `catch` decides to retry on a
//! property of the caught error (`error.error?.retryable`,
//! `err.response.status`) that the called function never puts on what it
//! throws: the fetch wrapper throws `new Error(message)` (only `message`,
//! `name`, `stack`, `cause`), so the property is always `undefined`. The
//! wrapper is followed within the file and through the project's own imports;
//! its classes (`class ApiError extends Error`) and their properties are read.
//! In Python the same for an `except` in a loop, or tenacity's
//! `retry=retry_if_exception(lambda e: getattr(e, "retryable", False))`,
//! around a function that raises `Exception(message)`: its classes
//! (`class ApiError(Exception)` with `self.retryable = …`) are read within
//! the file.
//!
//! **Why it breaks requests:** the retry never happens. Every transient error
//! the API marks retryable (`503 AI_SERVICE_ERROR`, `500 DATABASE_ERROR`)
//! reaches the user at the first failure, and the backoff code below the
//! condition is dead. Nothing fails loudly, so it goes unnoticed until load
//! or an outage.
//!
//! **Example:** the seed's `generateActions` ends its error branch with
//! `throw new Error(error.message)`, while `generateActionsWithRetry` checks
//! `errorResponse.error?.retryable`.
//!
//! **Fix:** throw an error that carries the API's error body and status, and
//! test it by type:
//!
//! ```ts
//! class ApiError extends Error {
//!   constructor(readonly status: number, readonly error: ErrorResponse['error']) {
//!     super(error.message);
//!   }
//! }
//! throw new ApiError(response.status, data.error);
//! // in the retry loop
//! if (error instanceof ApiError && error.error.retryable) { … }
//! ```

use super::support::{resolve_function, thrown_properties};
use crate::checks::support::{replace_on_line, shown};
use crate::finding::{Finding, FixStep};
use crate::model::api::ThrownKind;
use crate::model::StackModel;

cause!("api-client-retry-unreachable");

const APIERROR_CLASS: &str = "class ApiError extends Error {\n  constructor(readonly status: number, readonly error: { code: string; message: string; retryable: boolean }) {\n    super(error.message);\n  }\n}";

const APIERROR_CLASS_PYTHON: &str = "class ApiError(Exception):\n    def __init__(self, status: int, error: dict):\n        super().__init__(error.get(\"message\", \"\"))\n        self.status = status\n        self.error = error\n        self.code = error.get(\"code\")\n        self.retryable = bool(error.get(\"retryable\"))";

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for file in &model.api.clients {
        for retry in &file.retry_loops {
            for called in &retry.called {
                let Some((wrapper_file, wrapper)) = resolve_function(model, file, &called.value)
                else {
                    continue;
                };
                let Some(carried) = thrown_properties(model, wrapper_file, wrapper) else {
                    continue;
                };
                for read in &retry.reads {
                    let Some(property) = read.path.first() else {
                        continue;
                    };
                    if carried.contains(property) {
                        continue;
                    }
                    findings.push(finding(
                        model,
                        wrapper_file,
                        wrapper,
                        read,
                        property,
                        called,
                    ));
                }
            }
        }
    }
    findings
}

fn finding(
    model: &StackModel,
    wrapper_file: &crate::model::api::ClientFile,
    wrapper: &crate::model::api::FunctionFacts,
    read: &crate::model::api::PropertyRead,
    property: &str,
    called: &crate::model::Sourced<String>,
) -> Finding {
    let mut finding = Finding::new(CAUSE)
        .subject(&wrapper.name)
        .param("wrapper", &wrapper.name)
        .param("read", &read.text)
        .param("property", property)
        .about_setting()
        .evidence(
            read.origin.clone(),
            msg("reads")
                .with("read", &read.text)
                .with("property", property),
        )
        .evidence(
            called.origin.clone(),
            msg("calls").with("wrapper", &wrapper.name),
        );
    let python = wrapper_file
        .file
        .extension()
        .is_some_and(|e| e == "py" || e == "pyi");
    let response = wrapper.response_variable.as_deref().unwrap_or("response");
    let mut edits = Vec::new();
    for thrown in &wrapper.thrown {
        if let ThrownKind::BuiltinError { class, message } = &thrown.kind {
            finding = finding.evidence(
                thrown.origin.clone(),
                msg(if python { "throws-python" } else { "throws" })
                    .with("wrapper", &wrapper.name)
                    .with("thrown", &thrown.text)
                    .with("class", class),
            );
            // `new Error(error.message)` → `new ApiError(response.status, error)`;
            // `Exception(data["error"]["message"])` → `ApiError(response.status_code, data["error"])`.
            let corrected = if python {
                let body = message
                    .as_deref()
                    .and_then(|m| {
                        m.strip_suffix("[\"message\"]")
                            .or_else(|| m.strip_suffix("['message']"))
                    })
                    .unwrap_or("data[\"error\"]");
                format!("ApiError({response}.status_code, {body})")
            } else {
                let body = message
                    .as_deref()
                    .and_then(|m| m.strip_suffix(".message"))
                    .unwrap_or("data.error");
                format!("new ApiError({response}.status, {body})")
            };
            if let Some(edit) = replace_on_line(model, &thrown.origin, &thrown.text, &corrected) {
                edits.push(edit);
            }
        }
    }
    let class = if python {
        APIERROR_CLASS_PYTHON
    } else {
        APIERROR_CLASS
    };
    finding = finding.fix(FixStep::say(
        msg("define-class")
            .with("file", shown(model, &wrapper_file.file))
            .with("code", class),
    ));
    for edit in edits {
        finding = finding.fix(FixStep::edit(msg("throw-it"), edit));
    }
    let root = read
        .text
        .trim_start_matches("getattr(")
        .split(['.', '?', ','])
        .next()
        .unwrap_or("error");
    let rest = read.path.join(".");
    let predicate = if python {
        format!("isinstance({root}, ApiError) and {root}.{rest}")
    } else {
        format!("{root} instanceof ApiError && {root}.{rest}")
    };
    let step = msg("test-it").with("predicate", &predicate);
    finding.fix(
        match replace_on_line(model, &read.origin, &read.text, &predicate) {
            Some(edit) => FixStep::edit(step, edit),
            None => FixStep::say(step),
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;

    const WRAPPER: &str = "export async function getItems() {\n  const response = await fetch('/api/items');\n  const data = await response.json();\n  if (!response.ok) {\n    throw new Error(data.error.message);\n  }\n  return data;\n}\n";
    const RETRY: &str = "import { getItems } from './client';\n\nexport async function getItemsWithRetry() {\n  for (let attempt = 0; attempt < 3; attempt++) {\n    try {\n      return await getItems();\n    } catch (err) {\n      const e = err as { error?: { retryable?: boolean } };\n      if (e.error?.retryable) continue;\n      throw err;\n    }\n  }\n}\n";

    #[test]
    fn a_predicate_reading_what_the_wrapper_never_throws_across_an_import() {
        let (_dir, model) = test_tree(&[("src/client.ts", WRAPPER), ("src/retry.ts", RETRY)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.params["wrapper"], "getItems");
        assert_eq!(f.params["property"], "error");
        let read = f.evidence[0].origin.position().unwrap();
        assert!(read.file.ends_with("src/retry.ts"));
        assert_eq!((read.line, read.column), (9, 11));
        let thrown = f.evidence[2].origin.position().unwrap();
        assert!(thrown.file.ends_with("src/client.ts"));
        assert_eq!((thrown.line, thrown.column), (5, 5));
        let throw_fix = f.fix[1].edit.as_ref().unwrap();
        assert_eq!(
            throw_fix.after.trim(),
            "throw new ApiError(response.status, data.error);"
        );
        let predicate = f.fix[2].edit.as_ref().unwrap();
        assert_eq!(
            predicate.after.trim(),
            "if (e instanceof ApiError && e.error.retryable) continue;"
        );
    }

    #[test]
    fn nothing_when_the_wrapper_throws_a_class_carrying_the_property() {
        let wrapper = "class ApiError extends Error {\n  constructor(readonly status: number, readonly error: any) { super(error.message); }\n}\nexport async function getItems() {\n  const response = await fetch('/api/items');\n  if (!response.ok) throw new ApiError(response.status, (await response.json()).error);\n  return response.json();\n}\n";
        let (_dir, model) = test_tree(&[("src/client.ts", wrapper), ("src/retry.ts", RETRY)]);
        assert!(super::run(&model).is_empty());
    }

    #[test]
    fn nothing_when_what_is_thrown_is_not_followed() {
        let wrapper = "import { toError } from 'some-package';\nexport async function getItems() {\n  const response = await fetch('/api/items');\n  if (!response.ok) throw toError(response);\n  return response.json();\n}\n";
        let (_dir, model) = test_tree(&[("src/client.ts", wrapper), ("src/retry.ts", RETRY)]);
        assert!(super::run(&model).is_empty());
    }

    #[test]
    fn python_a_tenacity_predicate_reading_what_exception_never_carries() {
        let client = "import requests\nfrom tenacity import retry, retry_if_exception, stop_after_attempt\n\n\ndef generate(payload):\n    response = requests.post('http://api/generate', json=payload)\n    data = response.json() if response.headers.get('content-type') == 'application/json' else {}\n    if not response.ok:\n        raise Exception(data[\"error\"][\"message\"])\n    return data\n\n\n@retry(stop=stop_after_attempt(3), retry=retry_if_exception(lambda e: getattr(e, 'retryable', False)))\ndef generate_with_retry(payload):\n    return generate(payload)\n";
        let (_dir, model) = test_tree(&[("app/client.py", client)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.params["wrapper"], "generate");
        assert_eq!(f.params["property"], "retryable");
        let thrown_fix = f.fix[1].edit.as_ref().unwrap();
        assert_eq!(
            thrown_fix.after.trim(),
            "raise ApiError(response.status_code, data[\"error\"])"
        );
        let predicate = f.fix[2].edit.as_ref().unwrap();
        assert!(
            predicate
                .after
                .contains("lambda e: isinstance(e, ApiError) and e.retryable"),
            "{}",
            predicate.after
        );
        // The class the fix defines carries the flag: the fixed code is clean.
        let fixed = client.replace(
            "raise Exception(data[\"error\"][\"message\"])",
            "raise ApiError(response.status_code, data[\"error\"])",
        );
        let fixed = format!(
            "{}\n\n{fixed}",
            super::APIERROR_CLASS_PYTHON.replace("\\\"", "\"")
        );
        let (_dir, model) = test_tree(&[("app/client.py", fixed.as_str())]);
        assert!(super::run(&model).is_empty(), "{:#?}", super::run(&model));
    }

    #[test]
    fn python_a_hand_loop_reading_what_exception_never_carries() {
        let client = "import time\nimport requests\n\n\ndef fetch(url):\n    r = requests.get(url)\n    if r.status_code >= 400:\n        raise RuntimeError(r.text)\n    return r.json()\n\n\ndef fetch_with_retry(url):\n    for attempt in range(3):\n        try:\n            return fetch(url)\n        except Exception as e:\n            if e.retryable:\n                time.sleep(1)\n                continue\n            raise\n";
        let (_dir, model) = test_tree(&[("app/client.py", client)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let read = findings[0].evidence[0].origin.position().unwrap();
        assert_eq!((read.line, read.column), (17, 16));
    }
}
