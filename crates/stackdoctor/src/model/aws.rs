//! What the stack needs from AWS, and how each service will get it: the
//! Bedrock clients the app's code creates, the region each resolves to (with
//! every step of the resolution), the credentials that reach each container,
//! the IAM policies of the project, and what live probes saw.

use super::{Origin, ServiceId, Sourced};
use serde::Serialize;
use std::path::PathBuf;

/// The AWS side of the stack.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AwsModel {
    /// One per service (or code folder) whose code calls Bedrock.
    pub clients: Vec<BedrockClient>,
    /// How each service that uses AWS (by its code, environment or logs) gets credentials.
    pub credentials: Vec<ServiceCredentials>,
    /// IAM identity policies found in the project or given with `--iam-policy`.
    pub policies: Vec<PolicyFile>,
    /// Values set in example env files (`.env.example`): what the author meant.
    pub env_examples: Vec<Sourced<(String, String)>>,
    /// Environment variables the app's own code reads (region, model and
    /// AWS-like names), with the service whose code it is.
    pub code_env_reads: Vec<CodeEnvRead>,
    /// The Bedrock model catalogue in use: the embedded one unless `--bedrock-models` gave a file.
    #[serde(skip)]
    pub user_catalogue: Option<Box<bedrock::Catalogue>>,
    /// The day the diagnosis runs (`YYYY-MM-DD`), for lifecycle dates.
    pub today: String,
    /// What AWS itself said (`--aws`); `None` without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<AwsApiReport>,
    /// Instance metadata options written in infrastructure code (Terraform
    /// `metadata_options`, CloudFormation `MetadataOptions`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metadata_settings: Vec<MetadataOptionsSetting>,
    /// What live probes saw (IMDS, the app's endpoints); `None` offline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<liveprobe::LiveReport>,
}

/// How a service's code calls Amazon Bedrock.
#[derive(Debug, Clone, Serialize)]
pub struct BedrockClient {
    /// The compose service whose build context holds the code; `None` when no service builds it.
    pub service: Option<ServiceId>,
    /// The service's name, or the code folder when no service builds it.
    pub name: String,
    /// The SDK that creates the client; `None` when the code names models but no client was recognised.
    pub sdk: Option<bedrock::Sdk>,
    /// Where the client is created.
    pub origin: Origin,
    /// Runtime operations the code calls (`InvokeModel`, `Converse`, …).
    pub operations: Vec<Sourced<String>>,
    /// The IAM actions those operations need (`bedrock:InvokeModel`, …); both
    /// when the code shows no operation.
    pub actions: Vec<String>,
    /// Model IDs, profile IDs or ARNs the service may call, with where each is set.
    pub models: Vec<ModelSetting>,
    pub region: RegionResolution,
}

/// A variable the app's code reads (`os.getenv("AWS_REGION_NAME")`).
#[derive(Debug, Clone, Serialize)]
pub struct CodeEnvRead {
    /// The service whose build context holds the code; `None` for code no service builds.
    pub service: Option<ServiceId>,
    pub variable: String,
    pub origin: Origin,
}

/// A model identifier and where it is set.
#[derive(Debug, Clone, Serialize)]
pub struct ModelSetting {
    pub id: String,
    pub origin: Origin,
    /// `code` (a literal in source) or `environment` (a container variable).
    pub set_in: String,
}

/// The region a client resolves to, and how.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RegionResolution {
    /// The resolved region; `None` when nothing sets one (the SDK raises "You must specify a region").
    pub value: Option<String>,
    /// Every place looked at, in the SDK's order; the one that decided has `decided`.
    pub steps: Vec<RegionStep>,
}

impl RegionResolution {
    /// The step that gave the value.
    pub fn decided(&self) -> Option<&RegionStep> {
        self.steps.iter().find(|s| s.decided)
    }
}

/// What a step of the resolution is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionSource {
    /// A region written in the code where the client is created.
    CodeLiteral,
    /// The code reads an environment variable (`os.getenv("AWS_REGION", "us-east-1")`).
    CodeReadsVariable,
    /// The default the code falls back to when the variable is unset.
    CodeDefault,
    /// A variable of the container's environment (read by the SDK, or by the code).
    ContainerVariable,
    /// Where compose took that variable's value from (`.env`, a `${VAR:-default}`, the shell).
    ComposeValue,
    /// An `.env` file that does not exist or does not set the variable.
    MissingEnvFile,
    /// The region of the EC2 instance (IMDS), for SDKs that ask it.
    InstanceMetadata,
    /// A variable the SDK ignores (boto3 does not read `AWS_REGION`).
    IgnoredVariable,
    /// The SDK's own fallback (the anthropic library uses `us-east-1`).
    SdkDefault,
    /// The code passes an expression the scan cannot follow: the region is not known.
    CodeExpression,
}

/// One step of a region resolution.
#[derive(Debug, Clone, Serialize)]
pub struct RegionStep {
    pub source: RegionSource,
    /// The variable involved, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
    pub value: Option<String>,
    pub origin: Origin,
    /// `true` for the step whose value the client uses.
    pub decided: bool,
}

/// The credential view of one service.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceCredentials {
    pub service: ServiceId,
    pub name: String,
    pub view: CredentialsView,
}

/// Where a container's AWS credentials can come from.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CredentialsView {
    /// Sources present in the container's configuration, in the SDK chain's order.
    pub sources: Vec<CredentialSource>,
    /// Credential-like variables the SDKs do not read, or that never reach the container.
    pub misplaced: Vec<MisplacedCredential>,
    /// Region-like variables no SDK reads (`AWS_DEFAULT_REGIONS`, `VITE_AWS_REGION`)
    /// that neither the app's code nor a tool it runs reads either.
    pub region_misnamed: Vec<MisplacedCredential>,
    /// Problems with the keys that are there (temporary key without session token, malformed).
    pub defects: Vec<CredentialDefect>,
    /// `AWS_EC2_METADATA_DISABLED=true`: the instance role is off for this container.
    pub imds_disabled: Option<Origin>,
    /// The service runs on a bridge network (not `network_mode: host`): IMDSv2 needs a hop limit of 2.
    pub bridge_network: bool,
}

/// Kinds of credential sources, in the order SDKs try them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` in the container.
    EnvironmentKeys,
    /// A Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`).
    BedrockApiKey,
    /// A profile: `AWS_PROFILE` and/or a mounted `~/.aws`.
    SharedProfile,
    /// `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`.
    WebIdentity,
    /// The ECS agent's endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`).
    ContainerEndpoint,
}

#[derive(Debug, Clone, Serialize)]
pub struct CredentialSource {
    pub kind: CredentialKind,
    pub origin: Origin,
    pub detail: String,
}

/// A credential set where the SDK will not find it.
#[derive(Debug, Clone, Serialize)]
pub struct MisplacedCredential {
    /// The variable as written (`AWS_ACCESS_KEY`, or `AWS_ACCESS_KEY_ID` in `.env` only).
    pub variable: String,
    /// The name the SDK reads.
    pub expected: String,
    pub origin: Origin,
    /// `wrong-name`, `tool-prefix` (a known name behind a prefix) or
    /// `not-passed` (in `.env`, which compose reads for interpolation only).
    pub problem: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CredentialDefect {
    pub variable: String,
    pub origin: Origin,
    /// `temporary-key-without-session-token`, `malformed-access-key-id`,
    /// `malformed-secret-key`, `partial-keys`, `profile-without-files`,
    /// `profile-not-in-files` (a mounted `~/.aws` without the selected
    /// profile), `forwarded-keys-without-session-token` (keys taken from the
    /// shell that runs compose, with no session token: fails if they are temporary).
    pub problem: String,
    /// Something the message names (the missing profile and those present), when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A file holding IAM identity policies.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyFile {
    pub path: PathBuf,
    pub policies: Vec<iampolicy::Policy>,
    /// `true` when the user named the file (`--iam-policy`), `false` when found in the project.
    pub given: bool,
}

impl AwsModel {
    /// The Bedrock model catalogue in use.
    pub fn catalogue(&self) -> &bedrock::Catalogue {
        self.user_catalogue
            .as_deref()
            .unwrap_or_else(|| bedrock::Catalogue::embedded())
    }

    /// The catalogue's date (`YYYY-MM-DD`). Read on demand: the embedded
    /// catalogue is parsed only by a run that looks a model up.
    pub fn catalogue_as_of(&self) -> &str {
        &self.catalogue().as_of
    }

    /// Every policy of every file, with the file it came from.
    pub fn all_policies(&self) -> impl Iterator<Item = (&PathBuf, &iampolicy::Policy)> {
        self.policies
            .iter()
            .flat_map(|f| f.policies.iter().map(move |p| (&f.path, p)))
    }

    /// Whether anything in the stack calls AWS (code, credentials or their absence).
    pub fn uses_aws(&self) -> bool {
        !self.clients.is_empty() || !self.credentials.is_empty()
    }

    /// What the live IMDS probe saw, if it ran.
    pub fn imds(&self) -> Option<&liveprobe::imds::ImdsReport> {
        self.live.as_ref().and_then(|l| l.imds.as_ref())
    }

    /// The credential view of a service, by name.
    pub fn credentials_of(&self, service: &str) -> Option<&ServiceCredentials> {
        self.credentials.iter().find(|c| c.name == service)
    }
}

impl CredentialsView {
    /// Whether some source of the SDK chain other than the instance role is configured.
    pub fn has_explicit_source(&self) -> bool {
        !self.sources.is_empty()
    }
}

/// What the AWS APIs said with the caller's credentials (`--aws`). Failed
/// calls are kept as one line each; no secret is stored.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AwsApiReport {
    /// The region the calls went to.
    pub region: String,
    /// Where the credentials came from (`role … assumed through STS (profile …)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
    /// `sts:GetCallerIdentity`: who the credentials are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Server clock minus local clock, from STS's `Date` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_skew_seconds: Option<i64>,
    /// `ec2:DescribeInstances` of this instance (its ID from IMDS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<InstanceMetadataOptions>,
    /// `bedrock:ListFoundationModels` in the region: model ID and inference types.
    pub foundation_models: Vec<(String, Vec<String>)>,
    /// `iam:SimulatePrincipalPolicy` of the caller's role for each action and
    /// ARN the app's Bedrock calls need: (action, resource, decision).
    pub simulations: Vec<(String, String, String)>,
    /// Calls that failed: `call: code: message` (or the phase that failed).
    pub errors: Vec<String>,
}

/// IMDS options of a launch template or instance as the code writes them.
#[derive(Debug, Clone, Serialize)]
pub struct MetadataOptionsSetting {
    /// `aws_launch_template.ecs`, `LaunchTemplate` (the resource's address).
    pub resource: String,
    /// `http_tokens` / `HttpTokens` (`required`, `optional`).
    pub http_tokens: Option<Sourced<String>>,
    /// `http_put_response_hop_limit` / `HttpPutResponseHopLimit`.
    pub hop_limit: Option<Sourced<u32>>,
    /// False when the values are a module's defaults (the origin is the
    /// module call): a fix then sets them in the call rather than editing a value.
    pub written: bool,
    /// The block.
    pub origin: Origin,
}

/// The metadata options of the instance.
#[derive(Debug, Clone, Default, Serialize)]
pub struct InstanceMetadataOptions {
    pub instance_id: String,
    pub http_tokens: Option<String>,
    pub hop_limit: Option<u32>,
    pub instance_profile_arn: Option<String>,
}
