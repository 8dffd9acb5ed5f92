//! Client configuration and a small resolver for region, credentials and
//! endpoints.
//!
//! This is deliberately **not** the full AWS SDK provider chain. It resolves:
//!
//! * **Credentials**, first match wins:
//!   1. explicit [`ClientConfig::credentials`];
//!   2. the environment: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY`
//!      (+ `AWS_SESSION_TOKEN`, or the legacy `AWS_SECURITY_TOKEN`);
//!   3. the profile (explicit [`ClientConfig::profile`], else `AWS_PROFILE`,
//!      else `AWS_DEFAULT_PROFILE`, else `default`) in the shared files
//!      `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`) and
//!      `AWS_CONFIG_FILE` (default `~/.aws/config`). Only static keys are
//!      used. A profile that assumes a role (`role_arn`), uses web identity,
//!      SSO, a `credential_process` or `credential_source` is reported as
//!      [`Error::UnsupportedProfile`] with its name, never silently skipped.
//!      A profile named explicitly but absent is [`Error::ProfileNotFound`];
//!      an absent `default` profile just moves on;
//!   4. the caller-supplied [`ProvideCredentials`] (stackdoctor passes the
//!      instance role's credentials read from IMDS).
//!
//!   Container credentials (`AWS_CONTAINER_CREDENTIALS_*`), web identity and
//!   IMDS are not fetched here.
//! * **Region**: explicit [`ClientConfig::region`], `AWS_REGION`,
//!   `AWS_DEFAULT_REGION`, then `region` of the profile in the config file.
//!   (The AWS CLI and the Rust and Go SDKs read both variables; boto3 reads
//!   only `AWS_DEFAULT_REGION`, which stackdoctor diagnoses separately.)
//! * **Endpoints**, per service: an explicit URL for the service, an explicit
//!   URL for all services, `AWS_ENDPOINT_URL_<SERVICE>` (`STS`, `EC2`, `IAM`,
//!   `BEDROCK`, `ECS`, `ELASTIC_LOAD_BALANCING_V2`), `AWS_ENDPOINT_URL`, then
//!   the public endpoint of the region's partition. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns the two
//!   environment variables off. Profile `endpoint_url` / `services` sections
//!   are not read.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::credentials::{Credentials, CredentialsSource, ProvideCredentials};
use crate::error::Error;
use crate::profile::{ProfileFile, Section};

/// The environment the resolver reads: the process environment, or a fixed
/// set of variables (tests, or a container's environment that stackdoctor
/// read from `docker inspect`).
///
/// Empty values count as unset.
#[derive(Clone, Default)]
pub struct Environment {
    /// `None`: the process environment.
    vars: Option<BTreeMap<String, String>>,
}

impl Environment {
    /// The process environment.
    pub fn process() -> Self {
        Environment { vars: None }
    }

    /// Exactly these variables; `~` is `HOME` among them.
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Environment {
            vars: Some(
                vars.into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
        }
    }

    /// The value of `name`, if set and not empty.
    pub fn var(&self, name: &str) -> Option<String> {
        let v = match &self.vars {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        };
        v.filter(|v| !v.trim().is_empty())
    }

    fn home(&self) -> Option<PathBuf> {
        self.var("HOME")
            .or_else(|| self.var("USERPROFILE"))
            .map(PathBuf::from)
    }

    fn shared_file(&self, var: &str, default_name: &str) -> Option<PathBuf> {
        if let Some(p) = self.var(var) {
            return Some(self.expand_home(&p));
        }
        self.home().map(|h| h.join(".aws").join(default_name))
    }

    fn expand_home(&self, p: &str) -> PathBuf {
        match (p.strip_prefix("~/"), self.home()) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(p),
        }
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Variable values may be secrets: show names only.
        match &self.vars {
            None => f.write_str("Environment::process()"),
            Some(map) => f
                .debug_struct("Environment")
                .field("vars", &map.keys().collect::<Vec<_>>())
                .finish(),
        }
    }
}

/// The AWS services this crate calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// AWS Security Token Service (query protocol).
    Sts,
    /// Amazon EC2 (EC2 query protocol).
    Ec2,
    /// AWS IAM (query protocol, global endpoint).
    Iam,
    /// Amazon Bedrock control plane (REST-JSON).
    Bedrock,
    /// Amazon ECS (JSON 1.1 protocol, `X-Amz-Target` header).
    Ecs,
    /// Elastic Load Balancing v2: application and network load balancers
    /// (query protocol).
    Elbv2,
}

impl Service {
    /// All services.
    pub const ALL: [Service; 6] = [
        Service::Sts,
        Service::Ec2,
        Service::Iam,
        Service::Bedrock,
        Service::Ecs,
        Service::Elbv2,
    ];

    /// The SigV4 signing name and endpoint prefix.
    pub fn signing_name(self) -> &'static str {
        match self {
            Service::Sts => "sts",
            Service::Ec2 => "ec2",
            Service::Iam => "iam",
            Service::Bedrock => "bedrock",
            Service::Ecs => "ecs",
            Service::Elbv2 => "elasticloadbalancing",
        }
    }

    /// The suffix of `AWS_ENDPOINT_URL_<SUFFIX>`: the service ID upper-cased,
    /// spaces as underscores.
    pub fn env_suffix(self) -> &'static str {
        match self {
            Service::Sts => "STS",
            Service::Ec2 => "EC2",
            Service::Iam => "IAM",
            Service::Bedrock => "BEDROCK",
            Service::Ecs => "ECS",
            Service::Elbv2 => "ELASTIC_LOAD_BALANCING_V2",
        }
    }

    /// The query-protocol API version (`None` for REST and JSON services).
    pub fn api_version(self) -> Option<&'static str> {
        match self {
            Service::Sts => Some("2011-06-15"),
            Service::Ec2 => Some("2016-11-15"),
            Service::Iam => Some("2010-05-08"),
            Service::Elbv2 => Some("2015-12-01"),
            Service::Bedrock | Service::Ecs => None,
        }
    }

    /// The `X-Amz-Target` prefix of a JSON-protocol service (the header is
    /// `<prefix>.<Operation>`); `None` for the other protocols.
    pub fn json_target_prefix(self) -> Option<&'static str> {
        match self {
            Service::Ecs => Some("AmazonEC2ContainerServiceV20141113"),
            _ => None,
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.signing_name())
    }
}

/// Where the region came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RegionSource {
    /// [`ClientConfig::region`].
    Explicit,
    /// An environment variable.
    Environment {
        /// `AWS_REGION` or `AWS_DEFAULT_REGION`.
        variable: String,
    },
    /// The `region` key of a profile in the config file.
    Profile {
        /// The profile name.
        profile: String,
        /// The config file.
        file: String,
    },
}

/// Where an endpoint URL came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EndpointSource {
    /// The public AWS endpoint.
    Default,
    /// [`ClientConfig::endpoint_url`] or [`ClientConfig::service_endpoint_url`].
    Explicit,
    /// An environment variable.
    Environment {
        /// `AWS_ENDPOINT_URL` or `AWS_ENDPOINT_URL_<SERVICE>`.
        variable: String,
    },
}

/// A resolved endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// `http` or `https`.
    pub scheme: String,
    /// The `Host` header value: host, and port when not the scheme's default.
    pub authority: String,
    /// A path prefix without a trailing `/` (usually empty).
    pub base_path: String,
    /// The region in the SigV4 credential scope.
    pub signing_region: String,
    /// Where the URL came from.
    pub source: EndpointSource,
}

impl Endpoint {
    /// `scheme://authority/base_path` without a trailing slash.
    pub fn url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.authority, self.base_path)
    }

    fn parse(url: &str, signing_region: &str, source: EndpointSource) -> Result<Endpoint, Error> {
        let bad = |why: &str| Error::Config {
            message: format!("endpoint URL `{url}`: {why}"),
        };
        let (scheme, rest) = url
            .trim()
            .split_once("://")
            .ok_or_else(|| bad("no scheme"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(bad("scheme must be http or https"));
        }
        if rest.contains(['?', '#']) {
            return Err(bad("query strings and fragments are not allowed"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.is_empty()
            || authority.contains('@')
            || authority.contains(char::is_whitespace)
        {
            return Err(bad("bad host"));
        }
        let default_port = if scheme == "https" { ":443" } else { ":80" };
        let authority = authority
            .strip_suffix(default_port)
            .unwrap_or(authority)
            .to_ascii_lowercase();
        let port = if let Some(v6) = authority.strip_prefix('[') {
            let (_, after) = v6.split_once(']').ok_or_else(|| bad("bad IPv6 host"))?;
            match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or_else(|| bad("bad host"))?),
            }
        } else {
            match authority.split_once(':') {
                Some((host, port)) if !host.is_empty() && !port.contains(':') => Some(port),
                Some(_) => return Err(bad("bad host (IPv6 addresses need brackets)")),
                None => None,
            }
        };
        if port.is_some_and(|p| p.parse::<u16>().is_err()) {
            return Err(bad("bad port"));
        }
        Ok(Endpoint {
            scheme,
            authority,
            base_path: path.trim_end_matches('/').to_owned(),
            signing_region: signing_region.to_owned(),
            source,
        })
    }
}

/// The DNS suffix of the region's partition.
fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}

fn default_endpoint(service: Service, region: &str) -> Endpoint {
    let suffix = dns_suffix(region);
    let (host, signing_region) = match service {
        // IAM is global per partition.
        Service::Iam if region.starts_with("cn-") => {
            (format!("iam.cn-north-1.{suffix}"), "cn-north-1".to_owned())
        }
        Service::Iam if region.starts_with("us-gov-") => (
            "iam.us-gov.amazonaws.com".to_owned(),
            "us-gov-west-1".to_owned(),
        ),
        Service::Iam => ("iam.amazonaws.com".to_owned(), "us-east-1".to_owned()),
        _ => (
            format!("{}.{region}.{suffix}", service.signing_name()),
            region.to_owned(),
        ),
    };
    Endpoint {
        scheme: "https".into(),
        authority: host,
        base_path: String::new(),
        signing_region,
        source: EndpointSource::Default,
    }
}

/// Settings of a [`Client`](crate::Client). `ClientConfig::default()` reads the
/// process environment and uses the default limits.
#[derive(Clone)]
pub struct ClientConfig {
    pub(crate) env: Environment,
    pub(crate) region: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) provider: Option<Arc<dyn ProvideCredentials>>,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) service_endpoints: BTreeMap<Service, String>,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) max_pages: usize,
    pub(crate) use_env_proxy: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig::new()
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("env", &self.env)
            .field("region", &self.region)
            .field("profile", &self.profile)
            .field("credentials", &self.credentials)
            .field(
                "provider",
                &self.provider.as_ref().map(|p| p.name().to_owned()),
            )
            .field("endpoint_url", &self.endpoint_url)
            .field("service_endpoints", &self.service_endpoints)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_pages", &self.max_pages)
            .field("use_env_proxy", &self.use_env_proxy)
            .finish()
    }
}

impl ClientConfig {
    /// Default connect timeout: 3 s.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
    /// Default limit for one HTTP exchange, body included: 10 s.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default response body cap: 4 MiB.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 4 << 20;
    /// Default page limit of paginated calls: 20.
    pub const DEFAULT_MAX_PAGES: usize = 20;

    /// Defaults, reading the process environment.
    pub fn new() -> Self {
        ClientConfig {
            env: Environment::process(),
            region: None,
            profile: None,
            credentials: None,
            provider: None,
            endpoint_url: None,
            service_endpoints: BTreeMap::new(),
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            timeout: Self::DEFAULT_TIMEOUT,
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
            max_pages: Self::DEFAULT_MAX_PAGES,
            use_env_proxy: true,
        }
    }

    /// Reads `env` instead of the process environment.
    pub fn environment(mut self, env: Environment) -> Self {
        self.env = env;
        self
    }

    /// Uses this region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Uses this profile of the shared files instead of `AWS_PROFILE`.
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Uses these credentials, before any other source.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Tries this provider after the environment and the shared files.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.provider = Some(Arc::new(provider));
        self
    }

    /// Sends every service's calls to this URL (`http://127.0.0.1:5000` for a
    /// local moto server).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Sends one service's calls to this URL.
    pub fn service_endpoint_url(mut self, service: Service, url: impl Into<String>) -> Self {
        self.service_endpoints.insert(service, url.into());
        self
    }

    /// Limit for establishing a connection (TCP and TLS).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Limit for one HTTP exchange, from DNS to the end of the body.
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Cap on a response body.
    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.max_body_bytes = n;
        self
    }

    /// Page limit for paginated calls.
    pub fn max_pages(mut self, n: usize) -> Self {
        self.max_pages = n.max(1);
        self
    }

    /// Whether to honour `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY`
    /// (default true, as the SDKs do).
    pub fn use_env_proxy(mut self, yes: bool) -> Self {
        self.use_env_proxy = yes;
        self
    }

    fn profile_name(&self) -> (String, bool) {
        if let Some(p) = &self.profile {
            return (p.clone(), true);
        }
        for var in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"] {
            if let Some(p) = self.env.var(var) {
                return (p, true);
            }
        }
        ("default".to_owned(), false)
    }

    fn load_files(&self) -> Result<SharedFiles, Error> {
        let credentials_path = self
            .env
            .shared_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
        let config_path = self.env.shared_file("AWS_CONFIG_FILE", "config");
        let credentials = match &credentials_path {
            Some(p) => ProfileFile::load(p)?,
            None => None,
        };
        let config = match &config_path {
            Some(p) => ProfileFile::load(p)?,
            None => None,
        };
        Ok(SharedFiles {
            credentials_path,
            config_path,
            credentials,
            config,
        })
    }

    /// Resolves the region and says where it came from.
    pub fn resolve_region(&self) -> Result<(String, RegionSource), Error> {
        if let Some(r) = self.region.as_ref().filter(|r| !r.trim().is_empty()) {
            return Ok((r.trim().to_owned(), RegionSource::Explicit));
        }
        for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let Some(r) = self.env.var(var) {
                return Ok((
                    r.trim().to_owned(),
                    RegionSource::Environment {
                        variable: var.to_owned(),
                    },
                ));
            }
        }
        let (profile, _) = self.profile_name();
        let files = self.load_files()?;
        if let Some(cfg) = &files.config {
            if let Some(r) = cfg
                .config_profile(&profile)
                .and_then(|s| s.get("region"))
                .filter(|r| !r.is_empty())
            {
                return Ok((
                    r.clone(),
                    RegionSource::Profile {
                        profile,
                        file: cfg.path.display().to_string(),
                    },
                ));
            }
        }
        Err(Error::NoRegion)
    }

    /// Resolves credentials and says where they came from. Secret values are
    /// never part of an error.
    pub fn resolve_credentials(&self) -> Result<(Credentials, CredentialsSource), Error> {
        if let Some(c) = &self.credentials {
            return Ok((c.clone(), CredentialsSource::Explicit));
        }
        let mut tried = Vec::new();

        // Environment.
        let akid = self.env.var("AWS_ACCESS_KEY_ID");
        let secret = self.env.var("AWS_SECRET_ACCESS_KEY");
        match (akid, secret) {
            (Some(a), Some(s)) => {
                let token = self
                    .env
                    .var("AWS_SESSION_TOKEN")
                    .or_else(|| self.env.var("AWS_SECURITY_TOKEN"));
                return Ok((
                    Credentials::new(a, s, token),
                    CredentialsSource::Environment,
                ));
            }
            (Some(_), None) => {
                return Err(Error::PartialCredentials {
                    origin: "environment variables".into(),
                    missing: "AWS_SECRET_ACCESS_KEY".into(),
                })
            }
            (None, Some(_)) => {
                return Err(Error::PartialCredentials {
                    origin: "environment variables".into(),
                    missing: "AWS_ACCESS_KEY_ID".into(),
                })
            }
            (None, None) => tried.push("environment variables (unset)".to_owned()),
        }

        // Shared files.
        let (profile, named) = self.profile_name();
        let files = self.load_files()?;
        let looked = files.describe();
        match files.profile_credentials(&profile)? {
            ProfileLookup::Found(c, src) => return Ok((c, src)),
            ProfileLookup::NoKeys => tried.push(format!(
                "profile `{profile}` in {looked} (no credentials in it)"
            )),
            ProfileLookup::Absent if named => {
                return Err(Error::ProfileNotFound {
                    profile,
                    files: looked,
                })
            }
            ProfileLookup::Absent => {
                tried.push(format!("profile `{profile}` in {looked} (absent)"))
            }
        }

        // Caller-supplied provider.
        if let Some(p) = &self.provider {
            return match p.provide() {
                Ok(c) => Ok((
                    c,
                    CredentialsSource::Provider {
                        name: p.name().to_owned(),
                    },
                )),
                Err(message) => Err(Error::Provider {
                    name: p.name().to_owned(),
                    message,
                }),
            };
        }
        tried.push("no credentials provider given".to_owned());
        Err(Error::NoCredentials { tried })
    }

    /// Resolves the endpoint of `service` for `region`.
    pub fn resolve_endpoint(&self, service: Service, region: &str) -> Result<Endpoint, Error> {
        if let Some(url) = self
            .service_endpoints
            .get(&service)
            .or(self.endpoint_url.as_ref())
        {
            return Endpoint::parse(url, region, EndpointSource::Explicit);
        }
        let ignore = self
            .env
            .var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        if !ignore {
            let specific = format!("AWS_ENDPOINT_URL_{}", service.env_suffix());
            for var in [specific.as_str(), "AWS_ENDPOINT_URL"] {
                if let Some(url) = self.env.var(var) {
                    return Endpoint::parse(
                        &url,
                        region,
                        EndpointSource::Environment {
                            variable: var.to_owned(),
                        },
                    );
                }
            }
        }
        Ok(default_endpoint(service, region))
    }
}

enum ProfileLookup {
    Found(Credentials, CredentialsSource),
    NoKeys,
    Absent,
}

struct SharedFiles {
    credentials_path: Option<PathBuf>,
    config_path: Option<PathBuf>,
    credentials: Option<ProfileFile>,
    config: Option<ProfileFile>,
}

/// Ways of getting credentials that this resolver does not implement, in the
/// order botocore would try them before static keys.
const UNSUPPORTED_BEFORE_KEYS: &[(&str, &str)] = &[
    ("role_arn", "assume role (role_arn)"),
    (
        "web_identity_token_file",
        "web identity (web_identity_token_file)",
    ),
    ("sso_session", "IAM Identity Center (sso_session)"),
    ("sso_start_url", "IAM Identity Center (sso_start_url)"),
    ("login_session", "console login (login_session)"),
];
const UNSUPPORTED_AFTER_KEYS: &[(&str, &str)] = &[
    ("credential_process", "credential_process"),
    ("credential_source", "credential_source"),
];

impl SharedFiles {
    fn describe(&self) -> String {
        let show = |p: &Option<PathBuf>, f: &Option<ProfileFile>| match p {
            Some(p) if f.is_some() => p.display().to_string(),
            Some(p) => format!("{} (missing)", p.display()),
            None => "(no home directory)".to_owned(),
        };
        format!(
            "{}, {}",
            show(&self.credentials_path, &self.credentials),
            show(&self.config_path, &self.config)
        )
    }

    fn profile_credentials(&self, profile: &str) -> Result<ProfileLookup, Error> {
        let in_creds = self
            .credentials
            .as_ref()
            .and_then(|f| Some((f, f.credentials_profile(profile)?)));
        let in_config = self
            .config
            .as_ref()
            .and_then(|f| Some((f, f.config_profile(profile)?)));
        if in_creds.is_none() && in_config.is_none() {
            return Ok(ProfileLookup::Absent);
        }
        let sections: Vec<(&ProfileFile, &Section)> =
            in_creds.into_iter().chain(in_config).collect();
        let unsupported = |table: &[(&str, &str)]| -> Option<Error> {
            for (file, section) in &sections {
                for (key, kind) in table {
                    if section.get(*key).is_some_and(|v| !v.is_empty()) {
                        return Some(Error::UnsupportedProfile {
                            profile: profile.to_owned(),
                            kind: (*kind).to_owned(),
                            file: file.path.display().to_string(),
                        });
                    }
                }
            }
            None
        };
        if let Some(e) = unsupported(UNSUPPORTED_BEFORE_KEYS) {
            return Err(e);
        }
        for (file, section) in &sections {
            let akid = section.get("aws_access_key_id").filter(|v| !v.is_empty());
            let secret = section
                .get("aws_secret_access_key")
                .filter(|v| !v.is_empty());
            let origin = || format!("profile `{profile}` in {}", file.path.display());
            match (akid, secret) {
                (Some(a), Some(s)) => {
                    let token = section
                        .get("aws_session_token")
                        .or_else(|| section.get("aws_security_token"))
                        .cloned();
                    return Ok(ProfileLookup::Found(
                        Credentials::new(a.clone(), s.clone(), token),
                        CredentialsSource::Profile {
                            profile: profile.to_owned(),
                            file: file.path.display().to_string(),
                        },
                    ));
                }
                (Some(_), None) => {
                    return Err(Error::PartialCredentials {
                        origin: origin(),
                        missing: "aws_secret_access_key".into(),
                    })
                }
                (None, Some(_)) => {
                    return Err(Error::PartialCredentials {
                        origin: origin(),
                        missing: "aws_access_key_id".into(),
                    })
                }
                (None, None) => {}
            }
        }
        if let Some(e) = unsupported(UNSUPPORTED_AFTER_KEYS) {
            return Err(e);
        }
        // The profile exists but holds no credentials (only a region, say).
        Ok(ProfileLookup::NoKeys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    struct Dir(PathBuf);
    impl Dir {
        fn new(tag: &str) -> Dir {
            let p = std::env::temp_dir().join(format!(
                "awsapi-cfg-{tag}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        fn file(&self, name: &str, text: &str) -> String {
            let p = self.0.join(name);
            std::fs::File::create(&p)
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            p.display().to_string()
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn env_credentials_and_region() {
        let cfg = ClientConfig::new().environment(env(&[
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "tok"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("HOME", "/nonexistent"),
        ]));
        let (c, src) = cfg.resolve_credentials().unwrap();
        assert_eq!(c.access_key_id(), "AKIAENV");
        assert!(c.has_session_token());
        assert_eq!(src, CredentialsSource::Environment);
        let (r, src) = cfg.resolve_region().unwrap();
        assert_eq!(r, "eu-west-1");
        assert_eq!(
            src,
            RegionSource::Environment {
                variable: "AWS_DEFAULT_REGION".into()
            }
        );
        // AWS_REGION wins over AWS_DEFAULT_REGION; explicit wins over both.
        let cfg = cfg.environment(env(&[
            ("AWS_REGION", "us-west-2"),
            ("AWS_DEFAULT_REGION", "x"),
        ]));
        assert_eq!(cfg.resolve_region().unwrap().0, "us-west-2");
        assert_eq!(
            cfg.region("ap-northeast-1").resolve_region().unwrap().0,
            "ap-northeast-1"
        );
    }

    #[test]
    fn partial_env_credentials_are_an_error_without_the_secret() {
        let cfg = ClientConfig::new().environment(env(&[("AWS_ACCESS_KEY_ID", "AKIAENV")]));
        let e = cfg.resolve_credentials().unwrap_err();
        assert!(
            matches!(e, Error::PartialCredentials { ref missing, .. } if missing == "AWS_SECRET_ACCESS_KEY")
        );
        let cfg = ClientConfig::new().environment(env(&[("AWS_SECRET_ACCESS_KEY", "topsecret")]));
        let e = cfg.resolve_credentials().unwrap_err();
        assert!(!e.to_string().contains("topsecret"));
        assert!(!format!("{e:?}").contains("topsecret"));
    }

    #[test]
    fn shared_files_static_keys_and_region() {
        let d = Dir::new("static");
        let creds = d.file(
            "credentials",
            "[default]\naws_access_key_id=AKIADEF\naws_secret_access_key=s3cr3t\n[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\naws_session_token = t\n",
        );
        let config = d.file(
            "config",
            "[default]\nregion = us-east-2\n[profile dev]\nregion = ap-northeast-1\n[profile regiononly]\nregion = eu-north-1\n",
        );
        let base = [
            ("AWS_SHARED_CREDENTIALS_FILE", creds.as_str()),
            ("AWS_CONFIG_FILE", config.as_str()),
        ];
        let cfg = ClientConfig::new().environment(env(&base));
        let (c, src) = cfg.resolve_credentials().unwrap();
        assert_eq!(c.access_key_id(), "AKIADEF");
        assert_eq!(
            src,
            CredentialsSource::Profile {
                profile: "default".into(),
                file: creds.clone()
            }
        );
        assert_eq!(cfg.resolve_region().unwrap().0, "us-east-2");

        let mut vars = base.to_vec();
        vars.push(("AWS_PROFILE", "dev"));
        let cfg = ClientConfig::new().environment(env(&vars));
        let (c, _) = cfg.resolve_credentials().unwrap();
        assert_eq!(c.access_key_id(), "AKIADEV");
        assert!(c.has_session_token());
        let (r, src) = cfg.resolve_region().unwrap();
        assert_eq!(r, "ap-northeast-1");
        assert!(matches!(src, RegionSource::Profile { ref profile, .. } if profile == "dev"));

        // A profile with only a region: no credentials, falls to the provider.
        let cfg = ClientConfig::new()
            .environment(env(&base))
            .profile("regiononly")
            .credentials_provider(crate::FnProvider::new("imds", || {
                Ok(Credentials::new("ASIAIMDS", "s", Some("t".into())))
            }));
        let (c, src) = cfg.resolve_credentials().unwrap();
        assert_eq!(c.access_key_id(), "ASIAIMDS");
        assert_eq!(
            src,
            CredentialsSource::Provider {
                name: "imds".into()
            }
        );

        // A named profile that does not exist.
        let e = ClientConfig::new()
            .environment(env(&base))
            .profile("ghost")
            .resolve_credentials()
            .unwrap_err();
        assert!(matches!(e, Error::ProfileNotFound { ref profile, .. } if profile == "ghost"));
    }

    #[test]
    fn unsupported_profile_kinds_are_named() {
        let d = Dir::new("unsupported");
        let config = d.file(
            "config",
            "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\n[profile sso]\nsso_session = corp\n[profile proc]\ncredential_process = /bin/creds\n[profile keys-and-proc]\naws_access_key_id=AKIAK\naws_secret_access_key=s\ncredential_process = /bin/creds\n",
        );
        let creds = d.file("credentials", "");
        let base = env(&[
            ("AWS_CONFIG_FILE", config.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", creds.as_str()),
        ]);
        for (profile, kind) in [
            ("role", "assume role (role_arn)"),
            ("sso", "IAM Identity Center (sso_session)"),
            ("proc", "credential_process"),
        ] {
            let e = ClientConfig::new()
                .environment(base.clone())
                .profile(profile)
                .resolve_credentials()
                .unwrap_err();
            match e {
                Error::UnsupportedProfile {
                    profile: p,
                    kind: k,
                    file,
                } => {
                    assert_eq!((p.as_str(), k.as_str()), (profile, kind));
                    assert_eq!(file, config);
                }
                other => panic!("{profile}: {other:?}"),
            }
        }
        // Static keys come before credential_process, as in botocore.
        let (c, _) = ClientConfig::new()
            .environment(base)
            .profile("keys-and-proc")
            .resolve_credentials()
            .unwrap();
        assert_eq!(c.access_key_id(), "AKIAK");
    }

    #[test]
    fn nothing_found_lists_what_was_tried() {
        let e = ClientConfig::new()
            .environment(env(&[("HOME", "/nonexistent-home")]))
            .resolve_credentials()
            .unwrap_err();
        let Error::NoCredentials { tried } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(tried.len(), 3, "{tried:?}");
        assert!(tried[1].contains("/nonexistent-home/.aws/credentials (missing)"));
        assert_eq!(
            ClientConfig::new()
                .environment(env(&[]))
                .resolve_region()
                .unwrap_err(),
            Error::NoRegion
        );
    }

    #[test]
    fn provider_errors_are_reported() {
        let e = ClientConfig::new()
            .environment(env(&[]))
            .credentials_provider(crate::FnProvider::new("imds", || {
                Err("IMDS token PUT timed out".to_owned())
            }))
            .resolve_credentials()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "credentials provider `imds` failed: IMDS token PUT timed out"
        );
    }

    #[test]
    fn endpoints() {
        let cfg = ClientConfig::new().environment(env(&[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000/"),
            ("AWS_ENDPOINT_URL_BEDROCK", "https://bedrock.example:443"),
        ]));
        let e = cfg.resolve_endpoint(Service::Sts, "us-east-1").unwrap();
        assert_eq!(e.url(), "http://127.0.0.1:5000");
        assert_eq!(
            e.source,
            EndpointSource::Environment {
                variable: "AWS_ENDPOINT_URL".into()
            }
        );
        let e = cfg.resolve_endpoint(Service::Bedrock, "us-east-1").unwrap();
        assert_eq!(e.authority, "bedrock.example");
        assert_eq!(e.scheme, "https");

        let cfg = cfg.clone().environment(env(&[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ]));
        let e = cfg
            .resolve_endpoint(Service::Bedrock, "ap-northeast-1")
            .unwrap();
        assert_eq!(e.url(), "https://bedrock.ap-northeast-1.amazonaws.com");
        let e = cfg
            .resolve_endpoint(Service::Iam, "ap-northeast-1")
            .unwrap();
        assert_eq!(
            (e.authority.as_str(), e.signing_region.as_str()),
            ("iam.amazonaws.com", "us-east-1")
        );
        let e = cfg.resolve_endpoint(Service::Ec2, "cn-north-1").unwrap();
        assert_eq!(e.authority, "ec2.cn-north-1.amazonaws.com.cn");

        let cfg = cfg
            .endpoint_url("http://localhost:4566")
            .service_endpoint_url(Service::Iam, "http://[::1]:9000/base/");
        let e = cfg.resolve_endpoint(Service::Iam, "eu-west-1").unwrap();
        assert_eq!(e.url(), "http://[::1]:9000/base");
        assert_eq!(e.signing_region, "eu-west-1");
        assert_eq!(
            cfg.resolve_endpoint(Service::Sts, "x").unwrap().authority,
            "localhost:4566"
        );

        for bad in [
            "localhost:4566",
            "ftp://x",
            "http://",
            "http://a:b",
            "http://h/?q=1",
        ] {
            assert!(
                ClientConfig::new()
                    .environment(env(&[]))
                    .endpoint_url(bad)
                    .resolve_endpoint(Service::Sts, "us-east-1")
                    .is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn ecs_and_elbv2_endpoints() {
        let cfg = ClientConfig::new().environment(env(&[
            ("AWS_ENDPOINT_URL_ECS", "http://127.0.0.1:5001"),
            (
                "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2",
                "http://127.0.0.1:5002",
            ),
        ]));
        let e = cfg.resolve_endpoint(Service::Ecs, "eu-west-1").unwrap();
        assert_eq!(e.url(), "http://127.0.0.1:5001");
        assert_eq!(
            e.source,
            EndpointSource::Environment {
                variable: "AWS_ENDPOINT_URL_ECS".into()
            }
        );
        let e = cfg.resolve_endpoint(Service::Elbv2, "eu-west-1").unwrap();
        assert_eq!(e.url(), "http://127.0.0.1:5002");
        assert_eq!(e.signing_region, "eu-west-1");

        let cfg = ClientConfig::new().environment(env(&[]));
        assert_eq!(
            cfg.resolve_endpoint(Service::Ecs, "ap-northeast-1")
                .unwrap()
                .url(),
            "https://ecs.ap-northeast-1.amazonaws.com"
        );
        assert_eq!(
            cfg.resolve_endpoint(Service::Elbv2, "cn-north-1")
                .unwrap()
                .url(),
            "https://elasticloadbalancing.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(Service::Elbv2.signing_name(), "elasticloadbalancing");
        assert_eq!(Service::Elbv2.api_version(), Some("2015-12-01"));
        assert_eq!(Service::Ecs.api_version(), None);
        assert_eq!(
            Service::Ecs.json_target_prefix(),
            Some("AmazonEC2ContainerServiceV20141113")
        );
        assert_eq!(serde_json::to_value(Service::Elbv2).unwrap(), "elbv2");
    }

    #[test]
    fn debug_shows_no_values() {
        let cfg = ClientConfig::new()
            .environment(env(&[("AWS_SECRET_ACCESS_KEY", "topsecret")]))
            .credentials(Credentials::new("AKIAEXAMPLEKEY", "alsosecret", None));
        let s = format!("{cfg:?}");
        assert!(!s.contains("topsecret") && !s.contains("alsosecret"), "{s}");
    }
}
