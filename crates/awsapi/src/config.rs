//! Client configuration and a small resolver for region, credentials and
//! endpoints.
//!
//! This is deliberately **not** the full AWS SDK provider chain. It resolves:
//!
//! * **Credentials**, first match wins, in the order the AWS SDKs document:
//!   1. explicit [`ClientConfig::credentials`];
//!   2. the environment: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY`
//!      (+ `AWS_SESSION_TOKEN`, or the legacy `AWS_SECURITY_TOKEN`);
//!   3. web identity: `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`
//!      (+ `AWS_ROLE_SESSION_NAME`) → `sts:AssumeRoleWithWebIdentity`;
//!   4. the profile (explicit [`ClientConfig::profile`], else `AWS_PROFILE`,
//!      else `AWS_DEFAULT_PROFILE`, else `default`) in the shared files
//!      `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`) and
//!      `AWS_CONFIG_FILE` (default `~/.aws/config`). Within the profile:
//!      `role_arn` (assumed with `sts:AssumeRole` using `source_profile`,
//!      followed up to 8 hops, loops refused, or `credential_source`
//!      `Environment`/`EcsContainer`/`Ec2InstanceMetadata`; or with its
//!      `web_identity_token_file`), IAM Identity Center (`sso_session` or
//!      `sso_start_url`: the `aws sso login` token cache, then the portal's
//!      `GetRoleCredentials`), static keys, then `credential_process` (run
//!      with the overall timeout and a 64 KiB output cap, its output never
//!      shown). A profile named explicitly but absent is
//!      [`Error::ProfileNotFound`]; an absent `default` profile moves on;
//!   5. the ECS container credentials endpoint
//!      (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on 169.254.170.2, or
//!      `AWS_CONTAINER_CREDENTIALS_FULL_URI` with
//!      `AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]`);
//!   6. the instance metadata service, only when asked
//!      ([`ClientConfig::instance_metadata`]);
//!   7. the caller-supplied [`ProvideCredentials`].
//!
//!   A source that is configured but fails is [`Error::CredentialSource`],
//!   naming the source and the reason; nothing found is
//!   [`Error::NoCredentials`] with what was looked at.
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

    pub(crate) fn home(&self) -> Option<PathBuf> {
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

    pub(crate) fn expand_home(&self, p: &str) -> PathBuf {
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
    pub(crate) instance_metadata: Option<String>,
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
            .field("instance_metadata", &self.instance_metadata)
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
            instance_metadata: None,
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

    /// Also tries the instance role's credentials from the instance metadata
    /// service at `endpoint` (`http://169.254.169.254`), after the container
    /// endpoint. Off by default: off EC2 the address only times out.
    pub fn instance_metadata(mut self, endpoint: impl Into<String>) -> Self {
        self.instance_metadata = Some(endpoint.into());
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

        // Web identity from the environment.
        if let Some(token_file) = self.env.var("AWS_WEB_IDENTITY_TOKEN_FILE") {
            let Some(role_arn) = self.env.var("AWS_ROLE_ARN") else {
                return Err(Error::PartialCredentials {
                    origin: "environment variables (web identity)".into(),
                    missing: "AWS_ROLE_ARN".into(),
                });
            };
            return self.web_identity(
                &token_file,
                role_arn.trim(),
                self.env.var("AWS_ROLE_SESSION_NAME"),
                None,
            );
        }
        tried.push("web identity (AWS_WEB_IDENTITY_TOKEN_FILE unset)".to_owned());

        // Shared files.
        let (profile, named) = self.profile_name();
        let files = self.load_files()?;
        let looked = files.describe();
        match self.profile_credentials(&files, &profile, &mut Vec::new())? {
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

        // ECS container credentials endpoint.
        match self.container_credentials() {
            Some(result) => return result,
            None => tried.push(
                "container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI unset)"
                    .to_owned(),
            ),
        }

        // Instance metadata, when asked for.
        match &self.instance_metadata {
            Some(endpoint) => match self.imds_credentials(endpoint) {
                Ok(found) => return Ok(found),
                Err(e) if self.provider.is_none() => return Err(e),
                Err(e) => tried.push(e.to_string()),
            },
            None => tried.push("instance metadata (not asked)".to_owned()),
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

    /// The sections of `profile`: the credentials file's first, then the config file's.
    fn sections(&self, profile: &str) -> Vec<(&ProfileFile, &Section)> {
        let in_creds = self
            .credentials
            .as_ref()
            .and_then(|f| Some((f, f.credentials_profile(profile)?)));
        let in_config = self
            .config
            .as_ref()
            .and_then(|f| Some((f, f.config_profile(profile)?)));
        in_creds.into_iter().chain(in_config).collect()
    }
}

/// The first non-empty value of `key` among `sections`, with its file.
fn setting(sections: &[(&ProfileFile, &Section)], key: &str) -> Option<(String, String)> {
    sections.iter().find_map(|(file, section)| {
        section
            .get(key)
            .filter(|v| !v.is_empty())
            .map(|v| (v.clone(), file.path.display().to_string()))
    })
}

impl ClientConfig {
    /// The credentials of `profile`, following `source_profile` hops
    /// (`chain` holds the profiles already visited).
    fn profile_credentials(
        &self,
        files: &SharedFiles,
        profile: &str,
        chain: &mut Vec<String>,
    ) -> Result<ProfileLookup, Error> {
        let sections = files.sections(profile);
        if sections.is_empty() {
            return Ok(ProfileLookup::Absent);
        }
        let get = |key: &str| setting(&sections, key).map(|(v, _)| v);
        let origin = || format!("profile `{profile}`");

        if let Some(role_arn) = get("role_arn") {
            if chain.iter().any(|p| p == profile) {
                chain.push(profile.to_owned());
                return Err(Error::CredentialSource {
                    origin: origin(),
                    message: format!("source_profile loop: {}", chain.join(" → ")),
                });
            }
            if chain.len() >= crate::chain::MAX_ROLE_CHAIN {
                return Err(Error::CredentialSource {
                    origin: origin(),
                    message: format!(
                        "more than {} source_profile hops: {} → {profile}",
                        crate::chain::MAX_ROLE_CHAIN,
                        chain.join(" → ")
                    ),
                });
            }
            let role = crate::chain::RoleSettings {
                role_arn: role_arn.clone(),
                session_name: get("role_session_name"),
                external_id: get("external_id"),
            };
            let source = if let Some(source_profile) = get("source_profile") {
                chain.push(profile.to_owned());
                let found = if source_profile == profile {
                    // A profile may assume a role with its own static keys.
                    static_keys(&sections, profile)?
                } else {
                    self.profile_credentials(files, &source_profile, chain)?
                };
                chain.pop();
                match found {
                    ProfileLookup::Found(c, s) => (c, s),
                    ProfileLookup::NoKeys => {
                        return Err(Error::CredentialSource {
                            origin: origin(),
                            message: format!(
                                "its source_profile `{source_profile}` holds no credentials"
                            ),
                        })
                    }
                    ProfileLookup::Absent => {
                        return Err(Error::ProfileNotFound {
                            profile: source_profile,
                            files: files.describe(),
                        })
                    }
                }
            } else if let Some(token_file) = get("web_identity_token_file") {
                return self
                    .web_identity(&token_file, &role_arn, role.session_name, Some(profile))
                    .map(|(c, s)| ProfileLookup::Found(c, s));
            } else if let Some(kind) = get("credential_source") {
                self.credential_source(&kind, profile)?
            } else {
                return Err(Error::CredentialSource {
                    origin: origin(),
                    message: "role_arn needs source_profile, credential_source or web_identity_token_file".into(),
                });
            };
            return self
                .assume_role(source, role, profile)
                .map(|(c, s)| ProfileLookup::Found(c, s));
        }
        if get("web_identity_token_file").is_some() {
            return Err(Error::PartialCredentials {
                origin: origin(),
                missing: "role_arn (for web_identity_token_file)".into(),
            });
        }
        if let Some(sso) = crate::chain::sso_settings(&get, files.config.as_ref(), profile)? {
            return self
                .sso(profile, &sso)
                .map(|(c, s)| ProfileLookup::Found(c, s));
        }
        match static_keys(&sections, profile)? {
            ProfileLookup::NoKeys => {}
            found => return Ok(found),
        }
        if let Some(command) = get("credential_process") {
            return self
                .credential_process(&command, profile)
                .map(|(c, s)| ProfileLookup::Found(c, s));
        }
        if get("login_session").is_some() {
            return Err(Error::UnsupportedProfile {
                profile: profile.to_owned(),
                kind: "console login (login_session)".into(),
                file: setting(&sections, "login_session")
                    .map(|(_, f)| f)
                    .unwrap_or_default(),
            });
        }
        // The profile exists but holds no credentials (only a region, say).
        Ok(ProfileLookup::NoKeys)
    }

    /// The credentials a `credential_source` names.
    fn credential_source(
        &self,
        kind: &str,
        profile: &str,
    ) -> Result<(Credentials, CredentialsSource), Error> {
        let origin = format!("credential_source {kind} of profile `{profile}`");
        match kind {
            "Environment" => {
                match (
                    self.env.var("AWS_ACCESS_KEY_ID"),
                    self.env.var("AWS_SECRET_ACCESS_KEY"),
                ) {
                    (Some(a), Some(s)) => Ok((
                        Credentials::new(a, s, self.env.var("AWS_SESSION_TOKEN")),
                        CredentialsSource::Environment,
                    )),
                    _ => Err(Error::CredentialSource {
                        origin,
                        message: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set"
                            .into(),
                    }),
                }
            }
            "EcsContainer" => self.container_credentials().unwrap_or_else(|| {
                Err(Error::CredentialSource {
                    origin,
                    message: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are unset"
                        .into(),
                })
            }),
            "Ec2InstanceMetadata" => {
                let endpoint = self
                    .instance_metadata
                    .clone()
                    .or_else(|| self.env.var("AWS_EC2_METADATA_SERVICE_ENDPOINT"))
                    .unwrap_or_else(|| "http://169.254.169.254".to_owned());
                self.imds_credentials(&endpoint)
            }
            other => Err(Error::CredentialSource {
                origin,
                message: format!(
                    "unknown credential_source `{other}` (Environment, EcsContainer or Ec2InstanceMetadata)"
                ),
            }),
        }
    }
}

/// Static keys of a profile, or why they are incomplete.
fn static_keys(
    sections: &[(&ProfileFile, &Section)],
    profile: &str,
) -> Result<ProfileLookup, Error> {
    for (file, section) in sections {
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
    Ok(ProfileLookup::NoKeys)
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

    fn resolve(
        base: &Environment,
        profile: &str,
    ) -> Result<(Credentials, CredentialsSource), Error> {
        ClientConfig::new()
            .environment(base.clone())
            .profile(profile)
            .timeout(Duration::from_millis(1500))
            .resolve_credentials()
    }

    fn message(e: Error) -> String {
        match e {
            Error::CredentialSource { origin, message } => format!("{origin}: {message}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn misconfigured_profiles_say_which_source_and_why() {
        let d = Dir::new("misconfigured");
        let config = d.file(
            "config",
            "[profile orphan-role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = nowhere\n\
             [profile bare-role]\nrole_arn = arn:aws:iam::1:role/r\n\
             [profile loop-a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop-b\n\
             [profile loop-b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = loop-a\n\
             [profile sso-nosection]\nsso_session = gone\nsso_account_id = 111122223333\nsso_role_name = Dev\n\
             [profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n\
             [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\
             [profile sso-legacy]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = R\n\
             [profile keys-and-proc]\naws_access_key_id=AKIAK\naws_secret_access_key=s\ncredential_process = false\n",
        );
        let creds = d.file("credentials", "");
        let home = d.0.display().to_string();
        let base = env(&[
            ("AWS_CONFIG_FILE", config.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", creds.as_str()),
            ("HOME", home.as_str()),
        ]);
        assert!(matches!(
            resolve(&base, "orphan-role"),
            Err(Error::ProfileNotFound { profile, .. }) if profile == "nowhere"
        ));
        let m = message(resolve(&base, "bare-role").unwrap_err());
        assert!(m.contains("role_arn needs source_profile"), "{m}");
        let m = message(resolve(&base, "loop-a").unwrap_err());
        assert!(m.contains("loop-a → loop-b → loop-a"), "{m}");
        let m = message(resolve(&base, "sso-nosection").unwrap_err());
        assert!(m.contains("no [sso-session gone] section"), "{m}");

        // No token cached yet, then an expired one: both say to log in.
        let m = message(resolve(&base, "sso").unwrap_err());
        assert!(m.contains("run `aws sso login --sso-session corp`"), "{m}");
        assert!(
            m.contains("IAM Identity Center (profile `sso`, sso_session `corp`)"),
            "{m}"
        );
        let cache = d.0.join(".aws/sso/cache");
        std::fs::create_dir_all(&cache).unwrap();
        // The cache file is named by the SHA-1 of the session name (`echo -n corp | sha1sum`).
        let corp = cache.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json");
        std::fs::write(
            &corp,
            r#"{"startUrl":"https://corp.awsapps.com/start","region":"us-east-1","accessToken":"aoaSECRETTOKEN","expiresAt":"2020-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        let m = message(resolve(&base, "sso").unwrap_err());
        assert!(m.contains("expired at 2020-01-01T00:00:00Z"), "{m}");
        assert!(m.contains("aws sso login"), "{m}");
        assert!(!m.contains("aoaSECRETTOKEN"), "{m}");
        let m = message(resolve(&base, "sso-legacy").unwrap_err());
        assert!(
            m.contains("run `aws sso login --profile sso-legacy`"),
            "{m}"
        );

        // Static keys come before credential_process, as in the SDKs.
        let (c, _) = resolve(&base, "keys-and-proc").unwrap();
        assert_eq!(c.access_key_id(), "AKIAK");
    }

    #[test]
    fn credential_process_runs_bounded_and_its_output_stays_secret() {
        let d = Dir::new("process");
        let good = r#"{"Version": 1, "AccessKeyId": "ASIAPROCESS00001", "SecretAccessKey": "procSECRETvalue", "SessionToken": "procTOKENvalue", "Expiration": "2999-01-01T00:00:00Z"}"#;
        let script = d.file("good.sh", &format!("echo '{good}'\n"));
        let leaky = d.file("leaky.sh", "echo 'leakedSECRET123'; exit 3\n");
        let garbage = d.file("garbage.sh", "echo 'not json leakedSECRET456'\n");
        let expired = d.file(
            "expired.sh",
            "echo '{\"Version\":1,\"AccessKeyId\":\"ASIAX0000000\",\"SecretAccessKey\":\"s\",\"Expiration\":\"2001-01-01T00:00:00Z\"}'\n",
        );
        let config = d.file(
            "config",
            &format!(
                "[profile good]\ncredential_process = sh '{script}'\n\
                 [profile leaky]\ncredential_process = sh '{leaky}'\n\
                 [profile garbage]\ncredential_process = sh '{garbage}'\n\
                 [profile expired]\ncredential_process = sh '{expired}'\n\
                 [profile slow]\ncredential_process = sleep 30\n\
                 [profile huge]\ncredential_process = head -c 200000 /dev/zero\n"
            ),
        );
        let base = env(&[
            ("AWS_CONFIG_FILE", config.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
        ]);
        let (c, src) = resolve(&base, "good").unwrap();
        assert_eq!(c.access_key_id(), "ASIAPROCESS00001");
        assert!(c.has_session_token());
        assert_eq!(src.to_string(), "credential_process of profile `good`");
        assert!(c.secret_values().iter().any(|v| v == "procSECRETvalue"));

        let m = message(resolve(&base, "leaky").unwrap_err());
        assert!(
            m.contains("exit status: 3") && !m.contains("leakedSECRET"),
            "{m}"
        );
        let m = message(resolve(&base, "garbage").unwrap_err());
        assert!(
            m.contains("not a JSON document") && !m.contains("leaked"),
            "{m}"
        );
        let m = message(resolve(&base, "expired").unwrap_err());
        assert!(m.contains("expired at 2001-01-01"), "{m}");
        let m = message(resolve(&base, "huge").unwrap_err());
        assert!(m.contains("larger than 65536 bytes"), "{m}");
        let start = std::time::Instant::now();
        let m = message(resolve(&base, "slow").unwrap_err());
        assert!(m.contains("did not finish within 1500 ms"), "{m}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn rfc3339_times() {
        use crate::chain::parse_rfc3339;
        let t = |s: &str| parse_rfc3339(s).map(crate::time::unix_seconds);
        assert_eq!(t("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(t("2020-01-01T00:00:00Z"), Some(1_577_836_800));
        assert_eq!(t("2020-01-01T00:00:00.123Z"), Some(1_577_836_800));
        assert_eq!(t("2020-01-01T09:00:00+09:00"), Some(1_577_836_800));
        assert_eq!(t("2020-01-01T00:00:00UTC"), Some(1_577_836_800));
        assert_eq!(t("yesterday"), None);
        assert_eq!(t("2020-13-01T00:00:00Z"), None);
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
        assert_eq!(tried.len(), 6, "{tried:?}");
        assert!(tried[2].contains("/nonexistent-home/.aws/credentials (missing)"));
        assert!(tried[3].contains("container credentials"), "{tried:?}");
        assert!(
            tried[4].contains("instance metadata (not asked)"),
            "{tried:?}"
        );
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
