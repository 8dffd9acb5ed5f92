//! Checks read the [`StackModel`] (never files) and report findings.
//!
//! Each check lives in its own file whose doc comment is its documentation
//! (`stackdoctor explain <cause>` prints it): what it detects, why it breaks
//! requests, an example, and the fix. To add a check: write the file in its family's folder
//! (`proxy/`, `app/`, `api/`, `aws/`, `bedrock/`, `ecs/`, `engine/`, mirroring `data/causes/`)
//! with a `pub fn run(model: &StackModel) -> Vec<Finding>`, declare it in the
//! family's `mod.rs`, add its line to [`ALL`] below, and
//! add its cause to `data/causes/*.toml` in English and Japanese, and the
//! Japanese translation of its doc comment to `data/explain/ja/<cause>.md`.
//!
//! A check that reads an analysis several checks share (the Bedrock model
//! verdicts, the IAM calls) takes `run(facts: &Facts)` instead and is listed
//! with `, facts` after its cause: [`Facts`] computes each analysis once a run.

use crate::finding::Finding;
use crate::knowledge::Lang;
use crate::model::StackModel;

pub use facts::Facts;

/// A registered check.
pub struct Check {
    /// The cause ID the check reports.
    pub cause: &'static str,
    /// Runs the check over the model and the facts derived from it.
    pub run: fn(&Facts) -> Vec<Finding>,
    /// The check's source, whose `//!` comment is its documentation.
    source: &'static str,
    /// The documentation in Japanese (`data/explain/ja/<cause>.md`).
    documentation_ja: &'static str,
}

impl Check {
    /// The check's source file, whose `//!` comment is its documentation.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// The check's documentation: its module doc comment.
    pub fn documentation(&self) -> String {
        self.source
            .lines()
            .take_while(|line| line.starts_with("//!"))
            .map(|line| {
                line.trim_start_matches("//!")
                    .strip_prefix(' ')
                    .unwrap_or(line.trim_start_matches("//!"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The documentation in `lang`.
    pub fn documentation_in(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.documentation(),
            Lang::Ja => self.documentation_ja.trim_end().to_string(),
        }
    }
}

/// Declares a check's cause ID (`CAUSE`) and `msg(name)`, the message
/// `<cause>.<name>` of the catalogue.
macro_rules! cause {
    ($id:literal) => {
        const CAUSE: &str = $id;
        #[allow(dead_code)]
        fn msg(name: &str) -> $crate::finding::Message {
            $crate::finding::Message::of(CAUSE, name)
        }
    };
}

// After `cause!`, which the check modules use (macros are textually scoped).
pub mod api;
pub mod app;
pub mod aws;
pub mod bedrock;
pub mod ecs;
pub mod engine;
pub mod facts;
pub mod log_causes;
pub mod proxy;
pub mod support;

/// A [`Check`] of the module `family::module`, whose source is its documentation.
/// Its `run` takes the `StackModel`, or with `, facts` the run's [`Facts`].
macro_rules! check {
    ($family:ident :: $module:ident => $cause:literal) => {
        check!(@ $family::$module, $cause, |facts| $family::$module::run(facts.model))
    };
    ($family:ident :: $module:ident => $cause:literal, facts) => {
        check!(@ $family::$module, $cause, $family::$module::run)
    };
    (@ $family:ident :: $module:ident, $cause:literal, $run:expr) => {
        Check {
            cause: $cause,
            run: $run,
            source: include_str!(concat!(
                stringify!($family),
                "/",
                stringify!($module),
                ".rs"
            )),
            documentation_ja: include_str!(concat!("../../data/explain/ja/", $cause, ".md")),
        }
    };
}

/// Every check, in no particular order (the diagnosis ranks findings).
pub const ALL: &[Check] = &[
    check!(ecs::ecspresso_config_invalid => "ecspresso-config-invalid"),
    check!(ecs::ecspresso_unresolved_value => "ecspresso-unresolved-value"),
    check!(ecs::iac_file_invalid => "iac-file-invalid"),
    check!(ecs::ecspresso_deploy_failed => "ecspresso-deploy-failed"),
    check!(ecs::ecs_invalid_cpu_memory => "ecs-invalid-cpu-memory"),
    check!(ecs::ecs_fargate_invalid_parameter => "ecs-fargate-invalid-parameter"),
    check!(ecs::ecs_lb_container_mismatch => "ecs-lb-container-mismatch"),
    check!(ecs::ecs_missing_execution_role => "ecs-missing-execution-role"),
    check!(ecs::ecs_network_config => "ecs-network-config"),
    check!(ecs::ecs_container_health_check_failed => "ecs-container-health-check-failed"),
    check!(ecs::ecs_deploy_timeout => "ecs-deploy-timeout"),
    check!(ecs::ecs_image_pull_failed => "ecs-image-pull-failed"),
    check!(ecs::ecs_image_arch_mismatch => "ecs-image-arch-mismatch"),
    check!(ecs::ecs_secrets_pull_failed => "ecs-secrets-pull-failed"),
    check!(ecs::ecs_container_oom => "ecs-container-oom"),
    check!(ecs::ecs_container_exited => "ecs-container-exited"),
    check!(ecs::ecs_elb_health_check_failed => "ecs-elb-health-check-failed"),
    check!(ecs::ecs_no_capacity => "ecs-no-capacity"),
    check!(ecs::ecs_rollback_failed => "ecs-rollback-failed"),
    check!(ecs::ecs_definition_drift => "ecs-definition-drift"),
    check!(aws::iam_missing_bedrock_permission => "iam-missing-bedrock-permission", facts),
    check!(aws::iam_explicit_deny => "iam-explicit-deny", facts),
    check!(bedrock::bedrock_marketplace_permission_missing => "bedrock-marketplace-permission-missing", facts),
    check!(bedrock::bedrock_inference_profile_required => "bedrock-inference-profile-required", facts),
    check!(bedrock::bedrock_model_not_in_region => "bedrock-model-not-in-region", facts),
    check!(bedrock::bedrock_invalid_model_id => "bedrock-invalid-model-id", facts),
    check!(bedrock::bedrock_model_end_of_life => "bedrock-model-end-of-life", facts),
    check!(aws::aws_region_mismatch => "aws-region-mismatch"),
    check!(aws::aws_imds_hop_limit => "aws-imds-hop-limit"),
    check!(aws::aws_no_credentials => "aws-no-credentials"),
    check!(aws::aws_credentials_invalid => "aws-credentials-invalid"),
    check!(app::app_env_unknown_host => "app-env-unknown-host", facts),
    check!(app::app_dependency_no_shared_network => "app-dependency-no-shared-network", facts),
    check!(proxy::proxy_config_invalid => "proxy-config-invalid"),
    check!(proxy::proxy_site_mismatch => "proxy-site-mismatch"),
    check!(proxy::upstream_unknown_host => "upstream-unknown-host"),
    check!(proxy::proxy_upstream_no_shared_network => "proxy-upstream-no-shared-network"),
    check!(proxy::proxy_dials_localhost => "proxy-dials-localhost"),
    check!(proxy::upstream_not_running => "upstream-not-running"),
    check!(proxy::upstream_crash_loop => "upstream-crash-loop"),
    check!(proxy::upstream_listens_on_localhost => "upstream-listens-on-localhost"),
    check!(proxy::upstream_wrong_port => "upstream-wrong-port"),
    check!(proxy::upstream_scheme_mismatch => "upstream-scheme-mismatch"),
    check!(proxy::upstream_port_not_published => "upstream-port-not-published"),
    check!(proxy::upstream_timeout => "upstream-timeout"),
    check!(proxy::proxy_upstream_lookup_failed => "proxy-upstream-lookup-failed"),
    check!(proxy::proxy_upstream_refused => "proxy-upstream-refused"),
    check!(proxy::proxy_no_healthy_upstreams => "proxy-no-healthy-upstreams"),
    check!(proxy::proxy_wrong_network_selected => "proxy-wrong-network-selected"),
    check!(proxy::tls_acme_challenge_failed => "tls-acme-challenge-failed"),
    check!(proxy::php_fpm_script_not_found => "php-fpm-script-not-found"),
    check!(proxy::proxy_websocket_upgrade_missing => "proxy-websocket-upgrade-missing"),
    check!(proxy::proxy_redirect_loop => "proxy-redirect-loop"),
    check!(ecs::ecs_no_essential_container => "ecs-no-essential-container"),
    check!(ecs::ecs_port_mapping_invalid => "ecs-port-mapping-invalid"),
    check!(ecs::ecs_grace_period_ineffective => "ecs-grace-period-ineffective"),
    check!(ecs::ecs_deployment_percent_deadlock => "ecs-deployment-percent-deadlock"),
    check!(ecs::ecs_awslogs_options_missing => "ecs-awslogs-options-missing"),
    check!(ecs::ecs_secret_reference_invalid => "ecs-secret-reference-invalid"),
    check!(app::compose_env_file_missing => "compose-env-file-missing"),
    check!(app::image_pull_failed => "image-pull-failed"),
    check!(app::url_unreachable => "url-unreachable"),
    check!(api::api_contract_inconsistent => "api-contract-inconsistent"),
    check!(api::api_client_retry_unreachable => "api-client-retry-unreachable"),
    check!(api::api_client_retries_non_retryable => "api-client-retries-non-retryable"),
    check!(api::api_client_parses_non_json_error => "api-client-parses-non-json-error"),
    check!(api::api_client_retry_not_from_contract => "api-client-retry-not-from-contract"),
    check!(api::api_client_backoff_no_jitter => "api-client-backoff-no-jitter"),
    check!(api::api_error_observed => "api-error-observed"),
    check!(api::api_server_contract_mismatch => "api-server-contract-mismatch"),
    check!(api::api_server_code_undocumented => "api-server-code-undocumented"),
    check!(engine::container_oom_killed => "container-oom-killed"),
    check!(engine::upstream_unhealthy => "upstream-unhealthy"),
    check!(engine::stack_drift => "stack-drift"),
];

/// Runs every check over the model, with one [`Facts`] for the run.
pub fn run_all(model: &StackModel) -> Vec<Finding> {
    let facts = Facts::new(model);
    ALL.iter()
        .flat_map(|check| (check.run)(&facts))
        .chain(log_causes::run(model))
        .collect()
}

/// The check that reports `cause`.
pub fn find(cause: &str) -> Option<&'static Check> {
    ALL.iter().find(|c| c.cause == cause)
}
