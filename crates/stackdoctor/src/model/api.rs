//! The project's API error contracts (and, from the code, how its clients use them).

use super::Origin;
use serde::Serialize;
use std::path::PathBuf;

/// What the project says and does about its API's errors.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApiModel {
    /// Every contract document found in the project or named with `--contract`.
    pub contracts: Vec<ContractDoc>,
}

/// One contract document and what it holds.
#[derive(Debug, Clone, Serialize)]
pub struct ContractDoc {
    pub file: PathBuf,
    pub contract: contract::Contract,
}

impl ContractDoc {
    /// The origin of a position of the document, spanning `length` characters.
    pub fn origin(&self, at: contract::Position, length: usize) -> Origin {
        Origin::file(&self.file, at.line, at.column, length as u32)
    }
}

impl ApiModel {
    /// The documented entry of `code` in any contract, with its document.
    pub fn code(&self, code: &str) -> Option<(&ContractDoc, &contract::ErrorCode)> {
        self.contracts
            .iter()
            .find_map(|doc| doc.contract.code(code).map(|c| (doc, c)))
    }
}
