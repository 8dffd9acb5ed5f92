//! Typed results of the calls.

use serde::Serialize;

/// `sts:GetCallerIdentity`, with the server clock compared to ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallerIdentity {
    /// The 12-digit account ID.
    pub account: String,
    /// The caller's ARN (`arn:aws:sts::…:assumed-role/Role/Session` for a role).
    pub arn: String,
    /// The unique ID (`AROA…:session` for a role).
    pub user_id: String,
    /// The response `Date` header as sent.
    pub server_date: Option<String>,
    /// Server time minus local time in whole seconds (positive: the local clock
    /// is behind). SigV4 tolerates about 5 minutes.
    pub clock_skew_seconds: Option<i64>,
    /// The request ID.
    pub request_id: Option<String>,
}

/// The instance metadata service settings of an instance (`MetadataOptions`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MetadataOptions {
    /// `pending` or `applied`.
    pub state: Option<String>,
    /// `optional` (IMDSv1 allowed) or `required` (IMDSv2 only).
    pub http_tokens: Option<String>,
    /// The IP hop limit of IMDSv2 token responses: 1 stops them reaching a
    /// container on a bridge network.
    pub http_put_response_hop_limit: Option<u32>,
    /// `enabled` or `disabled`.
    pub http_endpoint: Option<String>,
    /// `enabled` or `disabled`.
    pub http_protocol_ipv6: Option<String>,
    /// `enabled` or `disabled`.
    pub instance_metadata_tags: Option<String>,
}

/// What `ec2:DescribeInstances` says about one instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceDescription {
    /// The instance ID.
    pub instance_id: String,
    /// The instance state name (`running`, `stopped`, …).
    pub state: Option<String>,
    /// IMDS settings.
    pub metadata_options: Option<MetadataOptions>,
    /// The attached instance profile's ARN, if any.
    pub iam_instance_profile_arn: Option<String>,
    /// The attached instance profile's ID, if any.
    pub iam_instance_profile_id: Option<String>,
    /// The placement availability zone (`ap-northeast-1a`).
    pub availability_zone: Option<String>,
    /// The region the call was made in, which is the instance's region.
    pub region: String,
}

/// One entry of `bedrock:ListFoundationModels` or `GetFoundationModel`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FoundationModel {
    /// The model ID (`anthropic.claude-3-haiku-20240307-v1:0`).
    pub model_id: String,
    /// `arn:aws:bedrock:<region>::foundation-model/<id>`.
    pub model_arn: Option<String>,
    /// The display name.
    pub model_name: Option<String>,
    /// The provider (`Anthropic`).
    pub provider_name: Option<String>,
    /// `ON_DEMAND`, `INFERENCE_PROFILE`, `PROVISIONED`: a model without
    /// `ON_DEMAND` must be called through an inference profile.
    pub inference_types_supported: Vec<String>,
    /// `modelLifecycle.status`: `ACTIVE` or `LEGACY`.
    pub lifecycle_status: Option<String>,
    /// Input modalities (`TEXT`, `IMAGE`).
    pub input_modalities: Vec<String>,
    /// Output modalities.
    pub output_modalities: Vec<String>,
    /// Whether streaming is supported.
    pub response_streaming_supported: Option<bool>,
}

/// One inference profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InferenceProfile {
    /// The profile ID (`us.anthropic.claude-3-haiku-20240307-v1:0`).
    pub id: String,
    /// The profile ARN.
    pub arn: Option<String>,
    /// The profile name.
    pub name: Option<String>,
    /// `ACTIVE`.
    pub status: Option<String>,
    /// `SYSTEM_DEFINED` or `APPLICATION`.
    #[serde(rename = "type")]
    pub profile_type: Option<String>,
    /// The destination foundation-model ARNs (one per region it may route to).
    pub models: Vec<String>,
}

/// The profiles of `bedrock:ListInferenceProfiles`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InferenceProfileList {
    /// The profiles read.
    pub profiles: Vec<InferenceProfile>,
    /// More pages remained when the page limit was reached.
    pub truncated: bool,
}

/// A line and column in a policy document, as IAM counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
}

/// A statement that decided a simulation result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MatchedStatement {
    /// The policy (`PolicyArn`, `role_RoleName_PolicyName`, …).
    pub source_policy_id: Option<String>,
    /// `user`, `group`, `role`, `aws-managed`, `user-managed`, `resource`, `none`.
    pub source_policy_type: Option<String>,
    /// Where the statement starts.
    pub start: Option<Position>,
    /// Where it ends.
    pub end: Option<Position>,
}

/// A per-resource part of a simulation result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResourceSimulation {
    /// The resource ARN.
    pub resource: String,
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    pub decision: String,
    /// Statements that decided it.
    pub matched_statements: Vec<MatchedStatement>,
    /// Context keys the policies use but the request did not give.
    pub missing_context_values: Vec<String>,
    /// Whether a permissions boundary allowed it, when one applies.
    pub allowed_by_permissions_boundary: Option<bool>,
}

/// One result of `iam:SimulatePrincipalPolicy`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicySimulation {
    /// The action (`bedrock:InvokeModel`).
    pub action: String,
    /// The resource (`*` when none was given).
    pub resource: String,
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    pub decision: String,
    /// Statements that decided it.
    pub matched_statements: Vec<MatchedStatement>,
    /// Context keys the policies use but the request did not give.
    pub missing_context_values: Vec<String>,
    /// Whether the organization's SCPs allowed it, when they apply.
    pub allowed_by_organizations: Option<bool>,
    /// Whether a permissions boundary allowed it, when one applies.
    pub allowed_by_permissions_boundary: Option<bool>,
    /// Results per resource.
    pub resource_specific_results: Vec<ResourceSimulation>,
}

/// The results of `iam:SimulatePrincipalPolicy`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicySimulationList {
    /// The results read.
    pub results: Vec<PolicySimulation>,
    /// More pages remained when the page limit was reached.
    pub truncated: bool,
}

/// A context key for a policy simulation, such as
/// `aws:RequestedRegion` = `us-west-2` (type `string`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextEntry {
    /// The key name.
    pub key: String,
    /// Its values.
    pub values: Vec<String>,
    /// `string`, `stringList`, `numeric`, `boolean`, `ip`, `date`, … (IAM's names).
    pub key_type: String,
}

impl ContextEntry {
    /// A single-valued `string` key.
    pub fn string(key: impl Into<String>, value: impl Into<String>) -> Self {
        ContextEntry {
            key: key.into(),
            values: vec![value.into()],
            key_type: "string".into(),
        }
    }
}

/// One target of `elasticloadbalancing:DescribeTargetHealth`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TargetHealthDescription {
    /// The target: an instance ID, an IP address, a Lambda function ARN or
    /// an ALB ARN, depending on the target group's target type.
    pub target_id: String,
    /// The port the target receives traffic on (absent for Lambda targets).
    pub port: Option<u16>,
    /// The port health checks go to: a number, or `traffic-port`.
    pub health_check_port: Option<String>,
    /// `initial`, `healthy`, `unhealthy`, `unhealthy.draining`, `unused`,
    /// `draining` or `unavailable`.
    pub state: String,
    /// A reason code when not healthy (`Target.ResponseCodeMismatch`,
    /// `Target.Timeout`, `Target.NotInUse`, `Elb.InitialHealthChecking`, …).
    pub reason: Option<String>,
    /// A human-readable description of the reason.
    pub description: Option<String>,
}
