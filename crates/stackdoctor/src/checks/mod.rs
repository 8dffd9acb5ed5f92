//! Checks read the [`StackModel`] (never files) and report findings.
//!
//! Each check lives in its own file whose doc comment is its documentation
//! (`stackdoctor explain <cause>` prints it): what it detects, why it breaks
//! requests, an example, and the fix. To add a check: write the file with a
//! `pub fn run(model: &StackModel) -> Vec<Finding>`, add its line below, and
//! add its cause to `data/causes/*.toml` in English and Japanese.

use crate::finding::Finding;
use crate::model::StackModel;

pub mod ecs_support;
pub mod log_causes;
pub mod support;

/// A registered check.
pub struct Check {
    /// The cause ID the check reports.
    pub cause: &'static str,
    pub run: fn(&StackModel) -> Vec<Finding>,
    /// The check's source, whose `//!` comment is its documentation.
    source: &'static str,
}

impl Check {
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

macro_rules! checks {
    ($($module:ident => $cause:literal),* $(,)?) => {
        $(pub mod $module;)*
        /// Every check, in no particular order (the diagnosis ranks findings).
        pub const ALL: &[Check] = &[
            $(Check { cause: $cause, run: $module::run, source: include_str!(concat!(stringify!($module), ".rs")) },)*
        ];
    };
}

checks! {
    ecspresso_config_invalid => "ecspresso-config-invalid",
    ecspresso_unresolved_value => "ecspresso-unresolved-value",
    ecspresso_deploy_failed => "ecspresso-deploy-failed",
    ecs_invalid_cpu_memory => "ecs-invalid-cpu-memory",
    ecs_fargate_invalid_parameter => "ecs-fargate-invalid-parameter",
    ecs_lb_container_mismatch => "ecs-lb-container-mismatch",
    ecs_missing_execution_role => "ecs-missing-execution-role",
    ecs_network_config => "ecs-network-config",
    ecs_container_health_check_failed => "ecs-container-health-check-failed",
    ecs_deploy_timeout => "ecs-deploy-timeout",
    ecs_image_pull_failed => "ecs-image-pull-failed",
    ecs_image_arch_mismatch => "ecs-image-arch-mismatch",
    ecs_secrets_pull_failed => "ecs-secrets-pull-failed",
    ecs_container_oom => "ecs-container-oom",
    ecs_container_exited => "ecs-container-exited",
    ecs_elb_health_check_failed => "ecs-elb-health-check-failed",
    ecs_no_capacity => "ecs-no-capacity",
    ecs_rollback_failed => "ecs-rollback-failed",
    ecs_definition_drift => "ecs-definition-drift",
    iam_missing_bedrock_permission => "iam-missing-bedrock-permission",
    iam_explicit_deny => "iam-explicit-deny",
    bedrock_marketplace_permission_missing => "bedrock-marketplace-permission-missing",
    bedrock_inference_profile_required => "bedrock-inference-profile-required",
    bedrock_model_not_in_region => "bedrock-model-not-in-region",
    bedrock_invalid_model_id => "bedrock-invalid-model-id",
    bedrock_model_end_of_life => "bedrock-model-end-of-life",
    aws_region_mismatch => "aws-region-mismatch",
    aws_imds_hop_limit => "aws-imds-hop-limit",
    aws_no_credentials => "aws-no-credentials",
    aws_credentials_invalid => "aws-credentials-invalid",
    app_env_unknown_host => "app-env-unknown-host",
    proxy_config_invalid => "proxy-config-invalid",
    proxy_site_mismatch => "proxy-site-mismatch",
    upstream_unknown_host => "upstream-unknown-host",
    proxy_upstream_no_shared_network => "proxy-upstream-no-shared-network",
    proxy_dials_localhost => "proxy-dials-localhost",
    upstream_not_running => "upstream-not-running",
    upstream_crash_loop => "upstream-crash-loop",
    upstream_listens_on_localhost => "upstream-listens-on-localhost",
    upstream_wrong_port => "upstream-wrong-port",
    upstream_scheme_mismatch => "upstream-scheme-mismatch",
    upstream_port_not_published => "upstream-port-not-published",
    upstream_timeout => "upstream-timeout",
    proxy_upstream_lookup_failed => "proxy-upstream-lookup-failed",
    proxy_upstream_refused => "proxy-upstream-refused",
    proxy_no_healthy_upstreams => "proxy-no-healthy-upstreams",
    proxy_wrong_network_selected => "proxy-wrong-network-selected",
    ecs_no_essential_container => "ecs-no-essential-container",
    ecs_port_mapping_invalid => "ecs-port-mapping-invalid",
    ecs_grace_period_ineffective => "ecs-grace-period-ineffective",
    ecs_deployment_percent_deadlock => "ecs-deployment-percent-deadlock",
    ecs_awslogs_options_missing => "ecs-awslogs-options-missing",
    ecs_secret_reference_invalid => "ecs-secret-reference-invalid",
    compose_env_file_missing => "compose-env-file-missing",
}

/// Runs every check over the model.
pub fn run_all(model: &StackModel) -> Vec<Finding> {
    ALL.iter()
        .flat_map(|check| (check.run)(model))
        .chain(log_causes::run(model))
        .collect()
}

/// The check that reports `cause`.
pub fn find(cause: &str) -> Option<&'static Check> {
    ALL.iter().find(|c| c.cause == cause)
}
