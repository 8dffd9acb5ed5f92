//! The few AWS API calls stackdoctor makes for `--aws`, without the AWS SDK.
//!
//! | call | protocol | method |
//! |---|---|---|
//! | `sts:GetCallerIdentity` (+ clock skew from `Date`) | query, XML | [`Client::sts_get_caller_identity`] |
//! | `ec2:DescribeInstances` (one instance: IMDS options, instance profile, AZ) | EC2 query, XML | [`Client::ec2_describe_instance`] |
//! | `bedrock:ListFoundationModels`, `GetFoundationModel` | REST-JSON `GET /foundation-models[/{id}]` | [`Client::bedrock_list_foundation_models`], [`Client::bedrock_get_foundation_model`] |
//! | `bedrock:ListInferenceProfiles`, `GetInferenceProfile` | REST-JSON `GET /inference-profiles[/{id}]` | [`Client::bedrock_list_inference_profiles`], [`Client::bedrock_get_inference_profile`] |
//! | `iam:SimulatePrincipalPolicy` | query, XML | [`Client::iam_simulate_principal_policy`] |
//! | `ecs:DescribeServices`, `ListTasks`, `DescribeTasks` | JSON 1.1 | [`Client::ecs_describe_services`], [`Client::ecs_list_tasks`], [`Client::ecs_describe_tasks`] |
//! | `ecs:DescribeTaskDefinition`, `ListTaskDefinitions` | JSON 1.1 | [`Client::ecs_describe_task_definition`], [`Client::ecs_list_task_definitions`] |
//! | `elasticloadbalancing:DescribeTargetHealth` (ELBv2) | query, XML | [`Client::elbv2_describe_target_health`] |
//!
//! Every exchange is bounded: a connect timeout (default 3 s), an overall
//! timeout per HTTP exchange from DNS to the last body byte (default 10 s), a
//! response body cap (default 4 MiB, read through a limited reader), no
//! redirects and no retries; paginated calls stop after a page limit (default
//! 20) and say so. Failures are one [`Error`] type that keeps the AWS error
//! code and message, the HTTP status, and the [`Phase`] that failed.
//!
//! **Why not the SDK**: a release build of the AWS SDK crates takes over ten
//! minutes on a 2-core machine; this crate builds in well under a minute on
//! ureq (blocking, rustls with the *ring* provider, no tokio, no aws-lc).
//!
//! **Signing** is SigV4 implemented here on `hmac` + `sha2` (see [`sigv4`]),
//! checked against the AWS SigV4 test-suite vectors.
//!
//! **Credentials and region** follow the AWS SDKs' documented chain:
//! explicit values, environment keys, web identity
//! (`AWS_WEB_IDENTITY_TOKEN_FILE`), the profile (assume role through STS with
//! `source_profile` or `credential_source`, web identity, IAM Identity Center
//! from the `aws sso login` token cache, static keys, `credential_process`),
//! the ECS container credentials endpoint, IMDS when asked, then a
//! caller-supplied [`ProvideCredentials`]. A configured source that fails is
//! [`Error::CredentialSource`] saying which and why. Endpoints honour
//! `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` (`_SSO` for the
//! Identity Center portal). Details in [`ClientConfig`]'s module docs.
//! Secrets never appear in `Debug`, errors or serialized output;
//! [`Client::secret_values_for_masking`] hands them to an output masker.
//!
//! **XML**: query-protocol replies are read with `quick-xml` into a small
//! element tree. It costs one crate (memchr, already used by serde_json) and
//! handles what a hand-written scanner tends to get wrong: entity and
//! character references, CDATA, comments, namespace prefixes, nesting, and
//! malformed input reported as an error rather than misread.
//!
//! ```
//! use awsapi::{ClientConfig, CredentialsSource, Environment, Service};
//!
//! // Configuration as a container would see it (no network traffic here).
//! let client = ClientConfig::new()
//!     .environment(Environment::from_vars([
//!         ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
//!         ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
//!         ("AWS_REGION", "ap-northeast-1"),
//!         ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:5000"),
//!     ]))
//!     .build()?;
//! let how = client.resolution();
//! assert_eq!(how.region, "ap-northeast-1");
//! assert_eq!(how.credentials_source, CredentialsSource::Environment);
//! assert_eq!(how.access_key_id_hint, "AKIA…MPLE");
//! assert_eq!(client.endpoint(Service::Sts).url(), "http://127.0.0.1:5000");
//! assert_eq!(
//!     client.endpoint(Service::Bedrock).url(),
//!     "https://bedrock.ap-northeast-1.amazonaws.com"
//! );
//! // The secret shows nowhere.
//! assert!(!format!("{client:?}").contains("wJalr"));
//! # Ok::<(), awsapi::Error>(())
//! ```
//!
//! Real calls, with IMDS credentials as the last resort:
//!
//! ```no_run
//! use std::time::Duration;
//! use awsapi::{ClientConfig, Credentials, FnProvider, Phase};
//!
//! let client = ClientConfig::new()
//!     .timeout(Duration::from_secs(5))
//!     .credentials_provider(FnProvider::new("imds", || {
//!         // stackdoctor reads /latest/meta-data/iam/security-credentials/<role> here.
//!         Ok(Credentials::new("ASIA…", "…", Some("…".to_owned())))
//!     }))
//!     .build()?;
//! let me = client.sts_get_caller_identity()?;
//! println!("{} in {} (clock skew {:?} s)", me.arn, me.account, me.clock_skew_seconds);
//! match client.bedrock_list_foundation_models() {
//!     Ok(models) => {
//!         for m in models.iter().filter(|m| !m.inference_types_supported.iter().any(|t| t == "ON_DEMAND")) {
//!             println!("{} needs an inference profile", m.model_id);
//!         }
//!     }
//!     Err(e) if e.phase() == Phase::Api => println!("AWS said {:?}: {e}", e.code()),
//!     Err(e) => println!("{} failure: {e}", e.phase()),
//! }
//! # Ok::<(), awsapi::Error>(())
//! ```

#![warn(missing_docs)]

mod chain;
mod client;
mod config;
mod credentials;
mod error;
mod http;
mod profile;
pub mod sigv4;
mod time;
mod types;
mod xml;

#[cfg(feature = "testing")]
pub mod testing;

/// Entry points for the fuzz targets in crates/fuzz (not a stable API).
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use client::fuzzing;
pub use client::{simulation_principal_arn, Client, Resolution};
pub use config::{ClientConfig, Endpoint, EndpointSource, Environment, RegionSource, Service};
pub use credentials::{Credentials, CredentialsSource, FnProvider, ProvideCredentials};
pub use error::{Error, Phase};
pub use time::{amz_date, parse_http_date};
pub use types::{
    CallerIdentity, ContextEntry, FoundationModel, InferenceProfile, InferenceProfileList,
    InstanceDescription, MatchedStatement, MetadataOptions, PolicySimulation, PolicySimulationList,
    Position, ResourceSimulation, TargetHealthDescription,
};
