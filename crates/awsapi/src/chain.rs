//! The credential sources beyond static keys, in the order the AWS SDKs
//! document: web identity from the environment, a profile (assume role
//! through STS with `source_profile` or `credential_source`, web identity,
//! IAM Identity Center, static keys, `credential_process`), the ECS
//! container credentials endpoint, then the instance metadata service.
//!
//! Every network call is bounded by the client's timeouts and body cap, a
//! `credential_process` by the overall timeout and an output cap. Secrets
//! (tokens read from files, process output, keys) never reach an error
//! message; a failure says which source failed and why.

use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::config::ClientConfig;
use crate::credentials::{Credentials, CredentialsSource};
use crate::error::Error;
use crate::http::{HttpRequest, Method, Transport};
use crate::profile::ProfileFile;

/// Longest chain of profiles (`source_profile` hops) followed.
pub(crate) const MAX_ROLE_CHAIN: usize = 8;
/// Cap on a `credential_process`'s standard output.
pub(crate) const MAX_PROCESS_OUTPUT: u64 = 64 * 1024;
/// Cap on token files (web identity, SSO cache, container authorization).
const MAX_TOKEN_FILE: u64 = 64 * 1024;

fn fail(origin: impl Into<String>, message: impl Into<String>) -> Error {
    Error::CredentialSource {
        origin: origin.into(),
        message: message.into(),
    }
}

/// Reads a small file (a token), refusing larger ones.
fn read_capped(path: &Path, what: &str) -> Result<String, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))?;
    let mut text = String::new();
    file.take(MAX_TOKEN_FILE + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))?;
    if text.len() as u64 > MAX_TOKEN_FILE {
        return Err(format!(
            "the {what} {} is larger than {MAX_TOKEN_FILE} bytes",
            path.display()
        ));
    }
    Ok(text)
}

/// `2026-12-03T14:00:00Z`, with optional fractions and `UTC`/`+00:00` forms
/// (the SSO cache and `credential_process` write these).
pub(crate) fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.chars().take_while(char::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" | "UTC" | "" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = rest[1..].split_once(':')?;
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
        }
    };
    let days = civildate::days_from_civil(y, mo as u32, d as u32);
    let secs = days * 86_400 + h * 3600 + mi * 60 + se - offset;
    let secs = u64::try_from(secs).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// Fails when `expiration` (RFC 3339) is in the past.
fn check_not_expired(origin: &str, expiration: Option<&str>) -> Result<(), Error> {
    if let Some(at) = expiration.and_then(parse_rfc3339) {
        if at <= SystemTime::now() {
            return Err(fail(
                origin,
                format!(
                    "the credentials it returned expired at {}",
                    expiration.unwrap_or_default()
                ),
            ));
        }
    }
    Ok(())
}

/// A JSON string field.
fn field<'a>(v: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    v.get(name)
        .and_then(|f| f.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Credentials from a JSON document with the given field names. The message
/// names the missing field, never a value.
fn credentials_from_json(
    v: &serde_json::Value,
    key: &str,
    secret: &str,
    token: &str,
) -> Result<Credentials, String> {
    let akid = field(v, key).ok_or_else(|| format!("no {key} in the reply"))?;
    let secret_value = field(v, secret).ok_or_else(|| format!("no {secret} in the reply"))?;
    Ok(Credentials::new(
        akid,
        secret_value,
        field(v, token).map(str::to_owned),
    ))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Which profile settings name a role to assume, and where from.
pub(crate) struct RoleSettings {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
}

impl ClientConfig {
    /// A transport for credential calls, with the client's limits.
    fn credential_transport(&self, proxy: bool) -> Transport {
        let mut cfg = self.clone();
        cfg.use_env_proxy = proxy && self.use_env_proxy;
        Transport::new(&cfg)
    }

    /// A client for STS calls signed with `credentials` (or unsigned ones).
    fn sts_client(&self, credentials: Credentials) -> Result<crate::Client, Error> {
        let mut cfg = self.clone();
        cfg.credentials = Some(credentials);
        cfg.provider = None;
        if cfg.resolve_region().is_err() {
            // STS has a global endpoint; the SDKs fall back to it too.
            cfg.region = Some("us-east-1".to_owned());
        }
        crate::Client::new(cfg)
    }

    fn session_name(&self, configured: Option<String>) -> String {
        configured.unwrap_or_else(|| {
            format!(
                "stackdoctor-{}",
                crate::time::unix_seconds(SystemTime::now())
            )
        })
    }

    /// `sts:AssumeRole` with `source` credentials.
    pub(crate) fn assume_role(
        &self,
        source: (Credentials, CredentialsSource),
        role: RoleSettings,
        profile: &str,
    ) -> Result<(Credentials, CredentialsSource), Error> {
        let origin = format!("assume role {} (profile `{profile}`)", role.role_arn);
        let (source_credentials, source_source) = source;
        let mut related = source_credentials.related.clone();
        related.extend(source_credentials.secret_values());
        let client = self.sts_client(source_credentials)?;
        let session = self.session_name(role.session_name);
        let mut params = vec![
            ("RoleArn", role.role_arn.as_str()),
            ("RoleSessionName", session.as_str()),
        ];
        if let Some(id) = &role.external_id {
            params.push(("ExternalId", id));
        }
        let mut credentials = client
            .sts_credentials("AssumeRole", &params, true)
            .map_err(|e| fail(&origin, e.to_string()))?;
        credentials.related.extend(related);
        Ok((
            credentials,
            CredentialsSource::AssumeRole {
                role_arn: role.role_arn,
                profile: profile.to_owned(),
                source: Box::new(source_source),
            },
        ))
    }

    /// `sts:AssumeRoleWithWebIdentity` with the token in `token_file`
    /// (unsigned, as the call requires).
    pub(crate) fn web_identity(
        &self,
        token_file: &str,
        role_arn: &str,
        session_name: Option<String>,
        profile: Option<&str>,
    ) -> Result<(Credentials, CredentialsSource), Error> {
        let origin = match profile {
            Some(p) => format!("web identity {role_arn} (profile `{p}`)"),
            None => format!("web identity {role_arn} (AWS_WEB_IDENTITY_TOKEN_FILE)"),
        };
        let path = self.env.expand_home(token_file);
        let token = read_capped(&path, "web identity token file").map_err(|m| fail(&origin, m))?;
        let token = token.trim().to_owned();
        if token.is_empty() {
            return Err(fail(
                &origin,
                format!("the token file {} is empty", path.display()),
            ));
        }
        let client = self.sts_client(Credentials::new("", "", None))?;
        let session = self.session_name(session_name);
        let mut credentials = client
            .sts_credentials(
                "AssumeRoleWithWebIdentity",
                &[
                    ("RoleArn", role_arn),
                    ("RoleSessionName", &session),
                    ("WebIdentityToken", &token),
                ],
                false,
            )
            .map_err(|e| fail(&origin, e.to_string()))?;
        credentials.related.push(token);
        Ok((
            credentials,
            CredentialsSource::WebIdentity {
                role_arn: role_arn.to_owned(),
                token_file: path.display().to_string(),
                profile: profile.map(str::to_owned),
            },
        ))
    }

    /// Runs `credential_process` with the overall timeout and an output cap.
    /// Its output holds secrets: no error quotes it.
    pub(crate) fn credential_process(
        &self,
        command: &str,
        profile: &str,
    ) -> Result<(Credentials, CredentialsSource), Error> {
        let origin = format!("credential_process of profile `{profile}`");
        let mut cmd = if cfg!(windows) {
            let mut c = Command::new("cmd");
            c.args(["/C", command]);
            c
        } else {
            let mut c = Command::new("sh");
            c.args(["-c", command]);
            c
        };
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // Its error output may echo secrets too; it is not kept.
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| fail(&origin, format!("cannot start it: {e}")))?;
        let stdout = child.stdout.take();
        let reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(s) = stdout {
                let _ = s.take(MAX_PROCESS_OUTPUT + 1).read_to_end(&mut out);
            }
            out
        });
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(fail(
                        &origin,
                        format!(
                            "it did not finish within {} ms and was stopped",
                            self.timeout.as_millis()
                        ),
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => return Err(fail(&origin, format!("cannot wait for it: {e}"))),
            }
        };
        // The process has exited; its pipe ends with it (unless a child of
        // it keeps the pipe open: the read is then abandoned).
        let output = {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let _ = tx.send(reader.join().unwrap_or_default());
            });
            rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_default()
        };
        if output.len() as u64 > MAX_PROCESS_OUTPUT {
            return Err(fail(
                &origin,
                format!("its output is larger than {MAX_PROCESS_OUTPUT} bytes"),
            ));
        }
        if !status.success() {
            return Err(fail(
                &origin,
                format!("it exited with {status} (its output is not shown: it may hold secrets)"),
            ));
        }
        let value: serde_json::Value = serde_json::from_slice(&output).map_err(|_| {
            fail(
                &origin,
                format!(
                    "its output is not a JSON document ({} bytes, not shown)",
                    output.len()
                ),
            )
        })?;
        match value.get("Version").and_then(|v| v.as_u64()) {
            Some(1) => {}
            _ => return Err(fail(&origin, "its output lacks \"Version\": 1")),
        }
        let mut credentials =
            credentials_from_json(&value, "AccessKeyId", "SecretAccessKey", "SessionToken")
                .map_err(|m| fail(&origin, m.replace("the reply", "its output")))?;
        check_not_expired(&origin, field(&value, "Expiration"))?;
        credentials
            .related
            .push(String::from_utf8_lossy(&output).into_owned());
        Ok((
            credentials,
            CredentialsSource::Process {
                profile: profile.to_owned(),
            },
        ))
    }

    /// IAM Identity Center: the cached token of `sso login`, then the
    /// portal's `GetRoleCredentials`.
    pub(crate) fn sso(
        &self,
        profile: &str,
        settings: &SsoSettings,
    ) -> Result<(Credentials, CredentialsSource), Error> {
        let origin = match &settings.session {
            Some(s) => format!("IAM Identity Center (profile `{profile}`, sso_session `{s}`)"),
            None => format!("IAM Identity Center (profile `{profile}`)"),
        };
        let login = match &settings.session {
            Some(s) => format!("aws sso login --sso-session {s}"),
            None => format!("aws sso login --profile {profile}"),
        };
        let key = settings.session.as_deref().unwrap_or(&settings.start_url);
        let digest = <sha1::Sha1 as sha1::Digest>::digest(key.as_bytes());
        let Some(home) = self.env.home() else {
            return Err(fail(&origin, "no home directory for ~/.aws/sso/cache"));
        };
        let path: PathBuf = home
            .join(".aws")
            .join("sso")
            .join("cache")
            .join(format!("{}.json", hex(&digest)));
        let text = match read_capped(&path, "SSO token cache file") {
            Ok(t) => t,
            Err(_) if !path.exists() => {
                return Err(fail(
                    &origin,
                    format!(
                        "no cached SSO token ({} is missing): run `{login}`",
                        path.display()
                    ),
                ))
            }
            Err(m) => return Err(fail(&origin, m)),
        };
        let cache: serde_json::Value = serde_json::from_str(&text).map_err(|_| {
            fail(
                &origin,
                format!(
                    "{} is not JSON: run `{login}` to write it again",
                    path.display()
                ),
            )
        })?;
        let token = field(&cache, "accessToken").ok_or_else(|| {
            fail(
                &origin,
                format!("{} holds no accessToken: run `{login}`", path.display()),
            )
        })?;
        let expires = field(&cache, "expiresAt");
        match expires.and_then(parse_rfc3339) {
            Some(at) if at <= SystemTime::now() => {
                return Err(fail(
                    &origin,
                    format!(
                        "the SSO token in {} expired at {}: run `{login}`",
                        path.display(),
                        expires.unwrap_or_default()
                    ),
                ))
            }
            Some(_) => {}
            None => {
                return Err(fail(
                    &origin,
                    format!(
                        "{} has no readable expiresAt: run `{login}`",
                        path.display()
                    ),
                ))
            }
        }
        let base = self.sso_portal(&settings.region);
        let url = format!(
            "{}/federation/credentials?account_id={}&role_name={}",
            base.trim_end_matches('/'),
            percent_encode(&settings.account_id),
            percent_encode(&settings.role_name)
        );
        let transport = self.credential_transport(true);
        let response = transport.send(
            "sso:GetRoleCredentials",
            HttpRequest {
                method: Method::Get,
                url,
                headers: vec![("x-amz-sso_bearer_token".to_owned(), token.to_owned())],
                body: Vec::new(),
            },
        )?;
        if response.status == 401 || response.status == 403 {
            return Err(fail(
                &origin,
                format!(
                    "the portal refused the cached SSO token (HTTP {}): run `{login}`",
                    response.status
                ),
            ));
        }
        if !(200..300).contains(&response.status) {
            return Err(fail(
                &origin,
                format!(
                    "sso:GetRoleCredentials for role {} in account {}: HTTP {}",
                    settings.role_name, settings.account_id, response.status
                ),
            ));
        }
        let value: serde_json::Value = serde_json::from_slice(&response.body).map_err(|_| {
            fail(
                &origin,
                "sso:GetRoleCredentials: the reply is not JSON".to_owned(),
            )
        })?;
        let role = value.get("roleCredentials").cloned().unwrap_or_default();
        let mut credentials =
            credentials_from_json(&role, "accessKeyId", "secretAccessKey", "sessionToken")
                .map_err(|m| fail(&origin, format!("sso:GetRoleCredentials: {m}")))?;
        credentials.related.push(token.to_owned());
        Ok((
            credentials,
            CredentialsSource::Sso {
                profile: profile.to_owned(),
                account_id: settings.account_id.clone(),
                role_name: settings.role_name.clone(),
            },
        ))
    }

    /// `AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL`, else the region's portal.
    fn sso_portal(&self, region: &str) -> String {
        let ignore = self
            .env
            .var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        if !ignore {
            for var in ["AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL"] {
                if let Some(url) = self.env.var(var) {
                    return url.trim().to_owned();
                }
            }
        }
        let suffix = if region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        format!("https://portal.sso.{region}.{suffix}")
    }

    /// The ECS container credentials endpoint, when the environment names one.
    pub(crate) fn container_credentials(
        &self,
    ) -> Option<Result<(Credentials, CredentialsSource), Error>> {
        let (url, variable) =
            if let Some(rel) = self.env.var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
                let rel = rel.trim().to_owned();
                let rel = if rel.starts_with('/') {
                    rel
                } else {
                    format!("/{rel}")
                };
                (
                    format!("http://169.254.170.2{rel}"),
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                )
            } else {
                let full = self.env.var("AWS_CONTAINER_CREDENTIALS_FULL_URI")?;
                (full.trim().to_owned(), "AWS_CONTAINER_CREDENTIALS_FULL_URI")
            };
        Some(self.fetch_container_credentials(&url, variable))
    }

    fn fetch_container_credentials(
        &self,
        url: &str,
        variable: &str,
    ) -> Result<(Credentials, CredentialsSource), Error> {
        let origin = format!("container credentials endpoint {url} ({variable})");
        if variable.ends_with("FULL_URI") {
            allowed_container_url(url).map_err(|m| fail(&origin, m))?;
        }
        let mut related = Vec::new();
        let token = if let Some(file) = self.env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            let path = self.env.expand_home(&file);
            Some(
                read_capped(&path, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
                    .map_err(|m| fail(&origin, m))?
                    .trim()
                    .to_owned(),
            )
        } else {
            self.env
                .var("AWS_CONTAINER_AUTHORIZATION_TOKEN")
                .map(|t| t.trim().to_owned())
        };
        let mut headers = vec![("accept".to_owned(), "application/json".to_owned())];
        if let Some(token) = token.filter(|t| !t.is_empty()) {
            if token.contains(['\r', '\n']) {
                return Err(fail(&origin, "the authorization token has a line break"));
            }
            related.push(token.clone());
            headers.push(("authorization".to_owned(), token));
        }
        let transport = self.credential_transport(false);
        let response = transport
            .send(
                "container credentials",
                HttpRequest {
                    method: Method::Get,
                    url: url.to_owned(),
                    headers,
                    body: Vec::new(),
                },
            )
            .map_err(|e| fail(&origin, e.to_string()))?;
        if !(200..300).contains(&response.status) {
            return Err(fail(
                &origin,
                format!("HTTP {} from the endpoint", response.status),
            ));
        }
        let value: serde_json::Value = serde_json::from_slice(&response.body)
            .map_err(|_| fail(&origin, "the reply is not JSON"))?;
        let mut credentials =
            credentials_from_json(&value, "AccessKeyId", "SecretAccessKey", "Token")
                .map_err(|m| fail(&origin, m))?;
        check_not_expired(&origin, field(&value, "Expiration"))?;
        credentials.related.extend(related);
        Ok((
            credentials,
            CredentialsSource::Container {
                url: url.to_owned(),
            },
        ))
    }

    /// The instance role's credentials from IMDS (token first, IMDSv1 when
    /// no token is handed out), at the endpoint given to
    /// [`ClientConfig::instance_metadata`].
    pub(crate) fn imds_credentials(
        &self,
        endpoint: &str,
    ) -> Result<(Credentials, CredentialsSource), Error> {
        let base = endpoint.trim_end_matches('/');
        let origin = format!("instance metadata {base}");
        let transport = self.credential_transport(false);
        let token = transport
            .send(
                "imds:token",
                HttpRequest {
                    method: Method::Put,
                    url: format!("{base}/latest/api/token"),
                    headers: vec![(
                        "x-aws-ec2-metadata-token-ttl-seconds".to_owned(),
                        "60".to_owned(),
                    )],
                    body: Vec::new(),
                },
            )
            .ok()
            .filter(|r| r.status == 200)
            .map(|r| String::from_utf8_lossy(&r.body).trim().to_owned())
            .filter(|t| !t.is_empty() && !t.contains(['\r', '\n']));
        let get = |path: &str| -> Result<String, Error> {
            let mut headers = Vec::new();
            if let Some(t) = &token {
                headers.push(("x-aws-ec2-metadata-token".to_owned(), t.clone()));
            }
            let r = transport
                .send(
                    "imds:get",
                    HttpRequest {
                        method: Method::Get,
                        url: format!("{base}{path}"),
                        headers,
                        body: Vec::new(),
                    },
                )
                .map_err(|e| fail(&origin, e.to_string()))?;
            match r.status {
                200 => Ok(String::from_utf8_lossy(&r.body).into_owned()),
                404 => Err(fail(&origin, "no instance role is attached (HTTP 404)")),
                s => Err(fail(&origin, format!("HTTP {s} for {path}"))),
            }
        };
        let roles = get("/latest/meta-data/iam/security-credentials/")?;
        let role = roles
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .ok_or_else(|| fail(&origin, "no instance role is attached"))?
            .to_owned();
        if !role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
        {
            return Err(fail(&origin, "the role name is not a valid IAM name"));
        }
        let document = get(&format!(
            "/latest/meta-data/iam/security-credentials/{role}"
        ))?;
        let value: serde_json::Value = serde_json::from_str(&document)
            .map_err(|_| fail(&origin, "the role credentials are not JSON"))?;
        let mut credentials =
            credentials_from_json(&value, "AccessKeyId", "SecretAccessKey", "Token")
                .map_err(|m| fail(&origin, m))?;
        check_not_expired(&origin, field(&value, "Expiration"))?;
        credentials.related.extend(token);
        Ok((credentials, CredentialsSource::InstanceMetadata { role }))
    }
}

/// The SSO settings of a profile (and its `[sso-session]`).
pub(crate) struct SsoSettings {
    pub session: Option<String>,
    pub start_url: String,
    pub region: String,
    pub account_id: String,
    pub role_name: String,
}

/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` may be `https://` anywhere, or
/// `http://` only to a loopback address or the ECS/EKS agent addresses (as
/// the SDKs require).
fn allowed_container_url(url: &str) -> Result<(), String> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Ok(());
    }
    let Some(rest) = lower.strip_prefix("http://") else {
        return Err("the URL must be http:// or https://".to_owned());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    let allowed = match host.parse::<IpAddr>() {
        Ok(ip) => {
            ip.is_loopback()
                || ip == IpAddr::from([169, 254, 170, 2])
                || ip == IpAddr::from([169, 254, 170, 23])
                || ip == "fd00:ec2::23".parse::<IpAddr>().unwrap_or(ip)
        }
        Err(_) => host == "localhost",
    };
    if allowed {
        Ok(())
    } else {
        Err(format!(
            "http:// is only allowed to loopback or the ECS/EKS agent addresses, not {host}"
        ))
    }
}

/// The `sso_*` settings of a profile, or why they are incomplete.
pub(crate) fn sso_settings(
    get: &dyn Fn(&str) -> Option<String>,
    config: Option<&ProfileFile>,
    profile: &str,
) -> Result<Option<SsoSettings>, Error> {
    let session = get("sso_session");
    let legacy_url = get("sso_start_url");
    if session.is_none() && legacy_url.is_none() {
        return Ok(None);
    }
    let origin = format!("IAM Identity Center (profile `{profile}`)");
    let (start_url, region) = match &session {
        Some(name) => {
            let section = config
                .and_then(|c| c.section(&format!("sso-session {name}")))
                .ok_or_else(|| {
                    fail(
                        &origin,
                        format!("no [sso-session {name}] section in the config file"),
                    )
                })?;
            let value = |k: &str| section.get(k).filter(|v| !v.is_empty()).cloned();
            (
                value("sso_start_url").unwrap_or_default(),
                value("sso_region").or_else(|| get("sso_region")),
            )
        }
        None => (legacy_url.unwrap_or_default(), get("sso_region")),
    };
    let need = |v: Option<String>, key: &str| {
        v.ok_or_else(|| fail(&origin, format!("`{key}` is missing")))
    };
    Ok(Some(SsoSettings {
        session,
        start_url,
        region: need(region, "sso_region")?,
        account_id: need(get("sso_account_id"), "sso_account_id")?,
        role_name: need(get("sso_role_name"), "sso_role_name")?,
    }))
}
