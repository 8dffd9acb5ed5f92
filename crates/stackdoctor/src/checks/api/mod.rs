//! Checks of one family: API error contracts (the catalogue itself) and the
//! clients and servers that must follow them.

pub mod api_contract_inconsistent;
pub mod support;
