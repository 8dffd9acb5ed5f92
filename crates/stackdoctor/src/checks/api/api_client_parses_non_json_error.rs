//! # api-client-parses-non-json-error
//!
//! **What it detects:** client code that parses a `fetch` response as JSON
//! (`await response.json()`) before it looks at `response.ok`,
//! `response.status` or the `Content-Type` header. With a log line showing
//! the parse failing on an HTML or text body (`SyntaxError: Unexpected token
//! '<', "<html>"... is not valid JSON`, `Unexpected end of JSON input`) it is
//! an error, not a risk. In Python the same with `requests` or `httpx`:
//! `response.json()` before `response.ok`, `response.status_code` or
//! `response.raise_for_status()`.
//!
//! **Why it breaks requests:** error bodies are not always the API's JSON: a
//! reverse proxy answers 502/504 with an HTML page, a framework's default
//! handler answers plain `Internal Server Error`, a 204 or a 502 may have no
//! body at all. Parsing first turns each of those into a `SyntaxError` that
//! hides the status, so the user sees "Unexpected token '<'" instead of
//! "the service is unavailable", and the retry logic never sees a 502/503.
//!
//! **Example:** the seed's `generateActions` runs `const data = await
//! response.json();` and only then `if (!response.ok)`.
//!
//! **Fix:** check the status and the content type first, and parse only JSON:
//!
//! ```ts
//! const isJson = response.headers.get('content-type')?.includes('application/json');
//! const data = isJson ? await response.json() : null;
//! if (!response.ok) {
//!   throw new ApiError(response.status, data?.error ?? {
//!     code: `HTTP_${response.status}`, message: response.statusText,
//!     retryable: [408, 429, 502, 503, 504].includes(response.status) });
//! }
//! ```

use crate::finding::{Edit, Finding, FixStep, Severity};
use crate::model::StackModel;

cause!("api-client-parses-non-json-error");

pub fn run(model: &StackModel) -> Vec<Finding> {
    // What the logs show of parses failing on non-JSON bodies.
    let lines: Vec<_> = model.log_events_of(CAUSE).take(3).collect();
    let mut findings = Vec::new();
    for file in &model.api.clients {
        for early in &file.early_json {
            let r = &early.variable;
            let mut finding = Finding::new(CAUSE)
                .subject(r)
                .param("variable", r)
                .evidence(early.origin.clone(), msg("parses").with("variable", r));
            finding = match &early.checked {
                Some(checked) => {
                    finding.evidence(checked.clone(), msg("checked-after").with("variable", r))
                }
                None => finding.evidence(
                    early.origin.clone(),
                    msg("never-checked").with("variable", r),
                ),
            };
            let corrected = if early.python {
                format!(
                    "is_json = \"application/json\" in {r}.headers.get(\"content-type\", \"\")\ndata = {r}.json() if is_json else None\nif not {r}.ok:\n    raise ApiError({r}.status_code, (data or {{}}).get(\"error\") or {{\"code\": f\"HTTP_{{{r}.status_code}}\", \"message\": {r}.reason, \"retryable\": {r}.status_code in (408, 429, 502, 503, 504)}})"
                )
            } else {
                format!(
                "const isJson = {r}.headers.get('content-type')?.includes('application/json');\nconst data = isJson ? await {r}.json() : null;\nif (!{r}.ok) {{\n  throw new ApiError({r}.status, data?.error ?? {{ code: `HTTP_${{{r}.status}}`, message: {r}.statusText, retryable: [408, 429, 502, 503, 504].includes({r}.status) }});\n}}"
            )
            };
            // Continuation lines keep the indentation of the line they replace.
            let indent: String = model
                .sources
                .line(
                    &early
                        .origin
                        .position()
                        .map(|p| p.file.clone())
                        .unwrap_or_default(),
                    early.origin.position().map_or(0, |p| p.line),
                )
                .unwrap_or("")
                .chars()
                .take_while(|c| c.is_whitespace())
                .collect();
            let corrected = corrected.replace('\n', &format!("\n{indent}"));
            let step = msg("check-first").with("variable", r);
            finding = finding.fix(match early.origin.position() {
                Some(_) => FixStep::edit(
                    step,
                    Edit {
                        origin: early.origin.clone(),
                        before: early.statement.clone(),
                        after: corrected,
                    },
                ),
                None => FixStep::say(step),
            });
            if lines.is_empty() {
                finding = finding.about_setting();
            } else {
                finding = finding
                    .severity(Severity::Error)
                    .log_lines(lines.iter().copied());
            }
            findings.push(finding);
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;
    use crate::finding::Severity;

    const CLIENT: &str = "export async function load() {\n  const response = await fetch('/api/items');\n  const data = await response.json();\n  if (!response.ok) throw new Error(data.error.message);\n  return data;\n}\n";

    #[test]
    fn python_parsing_before_the_status_gets_a_python_fix() {
        let client = "import requests\n\ndef load():\n    response = requests.get('http://api/items', timeout=5)\n    data = response.json()\n    if not response.ok:\n        raise RuntimeError(data)\n    return data\n";
        let (_dir, model) = test_tree(&[("app/client.py", client)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let at = findings[0].evidence[0].origin.position().unwrap();
        assert_eq!((at.line, at.column), (5, 12));
        let edit = findings[0].fix[0].edit.as_ref().expect("an edit");
        assert_eq!(edit.before, "data = response.json()");
        assert!(
            edit.after
                .contains("data = response.json() if is_json else None\n    if not response.ok:"),
            "{}",
            edit.after
        );
    }

    #[test]
    fn parsing_before_the_status_is_a_risk_and_an_error_with_the_log_line() {
        let (_dir, model) = test_tree(&[("src/api.ts", CLIENT)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Warning);
        let at = findings[0].evidence[0].origin.position().unwrap();
        assert_eq!((at.line, at.column), (3, 22));
        let edit = findings[0].fix[0].edit.as_ref().unwrap();
        assert_eq!(edit.before, "const data = await response.json();");
        assert!(edit
            .after
            .starts_with("const isJson = response.headers.get('content-type')"));

        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/api.ts"), CLIENT).unwrap();
        let log = dir.path().join("browser.log");
        std::fs::write(&log, "アクション生成エラー: SyntaxError: Unexpected token '<', \"<html><bod\"... is not valid JSON\n").unwrap();
        let model = crate::sources::build_model(&crate::sources::Inputs {
            root: dir.path().to_path_buf(),
            logs: vec![log],
            ..Default::default()
        })
        .unwrap();
        let findings = super::run(&model);
        assert_eq!(findings[0].severity, Severity::Error);
        assert!(findings[0].observed());
    }

    #[test]
    fn nothing_when_the_status_is_checked_first() {
        let client = "export async function load() {\n  const res = await fetch('/api');\n  if (!res.ok) throw new Error(res.statusText);\n  return await res.json();\n}\n";
        let (_dir, model) = test_tree(&[("src/api.ts", client)]);
        assert!(super::run(&model).is_empty());
    }
}
