//! `stackdoctor explain CODE`: an error code of the project's own API,
//! looked up in its contract (markdown catalogue, OpenAPI, JSON/TOML): what
//! it means, its HTTP status, whether a client may retry, its causes and
//! fixes, as the document says them and where.

use crate::finding::Message;
use crate::knowledge::{catalogue, Lang};
use crate::model::api::{ApiModel, ContractDoc};
use std::path::Path;

/// The language of a contract's own texts.
pub fn language_of(doc: &ContractDoc) -> Lang {
    match doc.contract.language {
        contract::Language::Ja => Lang::Ja,
        contract::Language::En => Lang::En,
    }
}

/// The text for `code`, or `None` when no contract documents it.
pub fn render(api: &ApiModel, code: &str, lang: Option<Lang>, root: &Path) -> Option<String> {
    let (doc, entry) = api.code(code)?;
    let lang = lang.unwrap_or_else(|| language_of(doc));
    let text = |name: &str, params: &[(&str, String)]| {
        let message = params.iter().fold(
            Message::new(format!("common.contract-{name}")),
            |message, (key, value)| message.with(key, value.clone()),
        );
        catalogue().render(&message, lang)
    };
    let file = crate::model::origin::relative(&doc.file, root)
        .display()
        .to_string();
    let place = |at: contract::Position| format!("{file}:{}:{}", at.line, at.column);
    let mut out = format!("{code}  [{}]\n\n", place(entry.at));
    if let Some(description) = &entry.description {
        out.push_str(&format!("{}\n\n", description.text));
    }
    let status = entry
        .status
        .as_ref()
        .map_or_else(|| text("unknown", &[]), |s| s.text.clone());
    out.push_str(&text("status", &[("status", status)]));
    out.push('\n');
    let retryable = match entry.retryable.as_ref().map(|f| (&f.value, &f.text)) {
        Some((contract::Retryable::Yes, _)) => text("yes", &[]),
        Some((contract::Retryable::No, _)) => text("no", &[]),
        Some((_, written)) => text("conditional", &[("text", written.clone())]),
        None => text("unknown", &[]),
    };
    out.push_str(&text("retryable", &[("retryable", retryable)]));
    out.push('\n');
    for (title, items) in [("causes", &entry.causes), ("fixes", &entry.fixes)] {
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{}\n", text(title, &[])));
        for (i, item) in items.iter().enumerate() {
            let bullet = match title {
                "fixes" => format!("{}.", i + 1),
                _ => "-".to_string(),
            };
            out.push_str(&format!("  {bullet} {}\n", item.text));
        }
    }
    if let Some(example) = entry.examples.first() {
        out.push_str(&format!(
            "\n{}  [{}]\n",
            text("example", &[]),
            place(example.at)
        ));
        let body = serde_json::to_string_pretty(&example.body).unwrap_or_default();
        for line in body.lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    Some(out)
}

/// The codes the contracts document, for the error that lists them.
pub fn known_codes(api: &ApiModel) -> Vec<&str> {
    let mut codes: Vec<&str> = api
        .contracts
        .iter()
        .flat_map(|doc| doc.contract.codes.iter().map(|c| c.code.as_str()))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}
