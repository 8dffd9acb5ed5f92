//! # api-server-code-undocumented
//!
//! **What it detects:** an error code the server sends (in the body at the
//! contract's code path, or thrown as `new AppError('CODE', 409)`) that no
//! contract of the project documents.
//!
//! **Why it breaks requests:** clients are written from the contract. A code
//! it lacks has no documented status, no `retryable` flag and no fix, so
//! every client falls into its generic branch: it shows "unknown error",
//! and retries or gives up by guess.
//!
//! **Example:** the catalogue documents `NOT_FOUND`, the handler sends
//! `res.status(404).json({ success: false, error: { code: 'ITEM_NOT_FOUND', … } })`.
//!
//! **Fix:** send a documented code (the finding names those with the same
//! status), or document the new code: the finding gives the section to add,
//! in the contract's own language and form.

use super::support::{response_code, server_contract, yes_no};
use crate::finding::{Finding, FixStep};
use crate::model::api::ContractDoc;
use crate::model::origin::relative;
use crate::model::{Origin, StackModel};
use contract::envelope::values_at;
use std::collections::BTreeMap;
use std::path::Path;

cause!("api-server-code-undocumented");

/// The most places quoted for one code.
const MAX_SITES: usize = 5;

/// A place that sends a code: a line of the server, or an answer to a probe.
struct Site {
    origin: Origin,
    status: Option<u16>,
    probed: bool,
}

pub fn run(model: &StackModel) -> Vec<Finding> {
    let Some(doc) = server_contract(model) else {
        return Vec::new();
    };
    // Every place of each undocumented code, in code order.
    let mut by_code: BTreeMap<String, Vec<Site>> = BTreeMap::new();
    let mut add = |code: String, site: Site| {
        if model.api.code(&code).is_none() && plausible_code(&code) {
            by_code.entry(code).or_default().push(site);
        }
    };
    for response in model.api.servers.iter().flat_map(|s| &s.responses) {
        if let Some((code, origin)) = response_code(doc, response) {
            let site = Site {
                origin: origin.unwrap_or_else(|| response.origin.clone()),
                status: response.status.as_ref().map(|s| s.value),
                probed: false,
            };
            add(code, site);
        }
    }
    for answer in &model.api.answers {
        let code = answer
            .body
            .as_ref()
            .and_then(|b| values_at(b, &doc.contract.code_path()).into_iter().next())
            .and_then(|v| v.as_str().map(str::to_string));
        if let Some(code) = code {
            let site = Site {
                origin: answer.origin.clone(),
                status: Some(answer.status),
                probed: true,
            };
            add(code, site);
        }
    }
    by_code
        .into_iter()
        .map(|(code, sites)| finding(&model.root, doc, &code, &sites))
        .collect()
}

/// A value that names a code rather than a message: no spaces, short.
fn plausible_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 64 && !code.contains(char::is_whitespace)
}

fn finding(root: &Path, doc: &ContractDoc, code: &str, sites: &[Site]) -> Finding {
    let status = sites.iter().find_map(|s| s.status);
    let mut finding = Finding::new(CAUSE)
        .subject(code)
        .param("code", code)
        .param("count", sites.len().to_string());
    // An answer the API gave is a failure seen; lines alone are a risk.
    if !sites.iter().any(|s| s.probed) {
        finding = finding.about_setting();
    }
    for site in sites.iter().take(MAX_SITES) {
        finding = finding.evidence(site.origin.clone(), msg("sends").with("code", code));
    }
    // Documented codes with the same status are the likely intended ones.
    let alternatives: Vec<&str> = doc
        .contract
        .codes
        .iter()
        .filter(|c| status.is_some() && c.status.as_ref().map(|s| s.code) == status)
        .map(|c| c.code.as_str())
        .collect();
    if !alternatives.is_empty() {
        finding = finding.fix(FixStep::say(
            msg("use-documented").with("codes", alternatives.join(", ")),
        ));
    }
    finding.fix(FixStep::say(
        msg("document")
            .with("file", relative(&doc.file, root).display().to_string())
            .with("section", section(doc, code, status)),
    ))
}

/// The entry to add to the contract, in its own form and language.
fn section(doc: &ContractDoc, code: &str, status: Option<u16>) -> String {
    let status_text = status.map_or_else(|| "…".to_string(), |s| s.to_string());
    // Without a status the flag is a guess; HTTP's semantics give it otherwise.
    let retryable = status
        .and_then(super::support::http_retryable)
        .unwrap_or(false);
    match doc.contract.kind {
        contract::DocumentKind::Markdown => match doc.contract.language {
            contract::Language::Ja => format!(
                "### {code}\n\n**HTTPステータスコード**: {status_text}\n**リトライ可能**: {}\n",
                yes_no(doc, retryable)
            ),
            contract::Language::En => format!(
                "### {code}\n\n**HTTP status**: {status_text}\n**Retryable**: {}\n",
                yes_no(doc, retryable)
            ),
        },
        contract::DocumentKind::OpenApi => format!(
            "add `{code}` to the enum of the error code schema, and a `{status_text}` response example with it"
        ),
        contract::DocumentKind::Catalogue => format!(
            "{{\"code\": \"{code}\", \"status\": {status_text}, \"retryable\": {retryable}}}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;

    const CONTRACT: &str = "# エラーコード\n\n### NOT_FOUND\n\n**HTTPステータスコード**: 404 Not Found\n**リトライ可能**: いいえ\n\n```json\n{\"success\": false, \"error\": {\"code\": \"NOT_FOUND\", \"message\": \"見つかりません\", \"retryable\": false}}\n```\n";

    #[test]
    fn a_code_the_contract_lacks_is_found_at_each_place_with_a_japanese_section() {
        let server = "import { Hono } from 'hono';\n\nconst app = new Hono();\n\napp.get('/items/:id', (c) => {\n  return c.json({ success: false, error: { code: 'ITEM_MISSING', message: 'no item', retryable: false } }, 404);\n});\n\napp.get('/users/:id', (c) => {\n  return c.json({ success: false, error: { code: 'ITEM_MISSING', message: 'no user', retryable: false } }, 404);\n});\n\napp.get('/ok/:id', (c) => {\n  return c.json({ success: false, error: { code: 'NOT_FOUND', message: 'no', retryable: false } }, 404);\n});\n";
        let (_dir, model) = test_tree(&[("docs/errors.md", CONTRACT), ("src/app.ts", server)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let finding = &findings[0];
        assert_eq!(finding.params["code"], "ITEM_MISSING");
        let lines: Vec<u32> = finding
            .evidence
            .iter()
            .filter_map(|e| e.origin.position().map(|p| p.line))
            .collect();
        assert_eq!(lines, vec![6, 10]);
        assert_eq!(finding.fix[0].message.params["codes"], "NOT_FOUND");
        let section = &finding.fix[1].message.params["section"];
        assert!(section.contains("### ITEM_MISSING"), "{section}");
        assert!(
            section.contains("**HTTPステータスコード**: 404"),
            "{section}"
        );
        assert!(section.contains("**リトライ可能**: いいえ"), "{section}");
    }

    #[test]
    fn without_a_contract_no_code_is_undocumented() {
        let server = "from fastapi import FastAPI\nfrom fastapi.responses import JSONResponse\n\napp = FastAPI()\n\n@app.get('/x')\ndef x():\n    return JSONResponse(status_code=404, content={'error': {'code': 'GONE'}})\n";
        let (_dir, model) = test_tree(&[("main.py", server)]);
        assert!(super::run(&model).is_empty());
    }
}
