//! Helpers the API checks share: the contract in force, and words of its language.

use crate::model::api::ContractDoc;
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

/// Whether the project documents any contract.
pub fn has_contract(model: &StackModel) -> bool {
    !model.api.contracts.is_empty()
}
