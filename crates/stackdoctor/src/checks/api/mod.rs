//! Checks of one family: API error contracts (the catalogue itself) and the
//! clients and servers that must follow them.

pub mod api_client_backoff_no_jitter;
pub mod api_client_parses_non_json_error;
pub mod api_client_retries_non_retryable;
pub mod api_client_retry_not_from_contract;
pub mod api_client_retry_unreachable;
pub mod api_contract_inconsistent;
pub mod api_error_observed;
pub mod api_server_code_undocumented;
pub mod api_server_contract_mismatch;
pub mod support;

/// The cause of an API error code seen in logs (`api_error_observed`).
pub const API_ERROR_OBSERVED: &str = "api-error-observed";

/// The finding parameter that names the kind of an observed API error code
/// (`ai`, `database`), which the diagnosis groups under a cause of that kind.
pub const API_CODE_DOMAIN: &str = "domain";
