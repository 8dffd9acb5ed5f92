//! The client and its calls.

use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::config::{ClientConfig, Endpoint, RegionSource, Service};
use crate::credentials::{Credentials, CredentialsSource};
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse, Method, Transport};
use crate::sigv4::{self, uri_encode, SigningSettings};
use crate::time::{parse_http_date, unix_seconds};
use crate::types::*;
use crate::xml::{self, Element};

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";
const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// `ecs:DescribeTasks` takes at most this many tasks per call.
const ECS_DESCRIBE_TASKS_MAX: usize = 100;
/// `ecs:DescribeServices` takes at most this many services per call.
const ECS_DESCRIBE_SERVICES_MAX: usize = 10;
/// Page size asked of ECS list calls (their maximum).
const ECS_LIST_PAGE_SIZE: u32 = 100;

/// A configured client. Each call makes one or a few signed HTTP exchanges,
/// each bounded by the configured timeouts and body cap; calls are blocking
/// and never retried.
pub struct Client {
    region: String,
    region_source: RegionSource,
    credentials: Credentials,
    credentials_source: CredentialsSource,
    endpoints: BTreeMap<Service, Endpoint>,
    transport: Transport,
    max_pages: usize,
    /// Sends requests unsigned (`sts:AssumeRoleWithWebIdentity`).
    pub(crate) unsigned: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("region", &self.region)
            .field("region_source", &self.region_source)
            .field("credentials", &self.credentials)
            .field("credentials_source", &self.credentials_source)
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

/// How a client was set up, for reports. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// The region.
    pub region: String,
    /// Where it came from.
    pub region_source: RegionSource,
    /// Where the credentials came from.
    pub credentials_source: CredentialsSource,
    /// `AKIA…MPLE`.
    pub access_key_id_hint: String,
    /// Whether the credentials are temporary (carry a session token).
    pub temporary_credentials: bool,
    /// The endpoint of each service.
    pub endpoints: BTreeMap<Service, Endpoint>,
}

impl ClientConfig {
    /// Resolves region, credentials and endpoints and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        Client::new(self)
    }
}

/// The reply of a successful exchange, with the clock comparison.
struct Reply {
    response: HttpResponse,
}

impl Reply {
    fn request_id(&self) -> Option<String> {
        request_id(&self.response)
    }
    fn xml(&self, operation: &str) -> Result<Element, Error> {
        xml::parse(&self.response.body).map_err(|message| Error::Parse {
            operation: operation.to_owned(),
            status: self.response.status,
            message,
        })
    }
    fn json<T: for<'de> Deserialize<'de>>(&self, operation: &str) -> Result<T, Error> {
        serde_json::from_slice(&self.response.body).map_err(|e| Error::Parse {
            operation: operation.to_owned(),
            status: self.response.status,
            message: format!("JSON: {e}"),
        })
    }
}

fn request_id(r: &HttpResponse) -> Option<String> {
    ["x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"]
        .iter()
        .find_map(|h| r.header(h))
        .map(str::to_owned)
}

fn clock_skew(r: &HttpResponse) -> Option<i64> {
    let server = parse_http_date(r.header("date")?)?;
    Some(unix_seconds(server) - unix_seconds(r.received_at))
}

/// A printable excerpt of a body that is not an AWS error document.
fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 300;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX * 4)]);
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX)
        .collect();
    out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.is_empty() {
        "(empty body)".to_owned()
    } else if text.chars().count() > MAX || body.len() > MAX * 4 {
        out + "…"
    } else {
        out
    }
}

/// Code and message of an error reply: XML (`ErrorResponse/Error`,
/// EC2's `Response/Errors/Error`), JSON (`__type`, `code`, `message`) or the
/// `x-amzn-ErrorType` header.
fn parse_error_body(r: &HttpResponse) -> (Option<String>, String, Option<String>) {
    let header_code = r
        .header("x-amzn-errortype")
        .map(|v| v.split(':').next().unwrap_or(v).trim().to_owned())
        .filter(|v| !v.is_empty());
    let trimmed = trim_ascii_start(&r.body);
    if trimmed.starts_with(b"<") {
        if let Ok(root) = xml::parse(&r.body) {
            let error = root.find("Error");
            let code = error.and_then(|e| e.text_at(&["Code"]));
            let message = error.and_then(|e| e.text_at(&["Message"]));
            let rid = root
                .find("RequestId")
                .or_else(|| root.find("RequestID"))
                .map(|e| e.text.trim().to_owned())
                .filter(|s| !s.is_empty());
            if code.is_some() || message.is_some() {
                return (
                    code.or(header_code),
                    message.unwrap_or_else(|| excerpt(&r.body)),
                    rid,
                );
            }
        }
    } else if trimmed.starts_with(b"{") {
        if let Ok(serde_json::Value::Object(map)) =
            serde_json::from_slice::<serde_json::Value>(&r.body)
        {
            let s = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            let code = header_code.clone().or_else(|| {
                s("__type")
                    .or_else(|| s("code"))
                    .or_else(|| s("Code"))
                    .map(|t| t.rsplit('#').next().unwrap_or(&t).to_owned())
            });
            let message = s("message")
                .or_else(|| s("Message"))
                .or_else(|| s("errorMessage"));
            if code.is_some() || message.is_some() {
                return (code, message.unwrap_or_else(|| excerpt(&r.body)), None);
            }
        }
    }
    (header_code, excerpt(&r.body), None)
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let i = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[i..]
}

fn form_encode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", uri_encode(k, false), uri_encode(v, false)))
        .collect::<Vec<_>>()
        .join("&")
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn parse_bool(s: Option<String>) -> Option<bool> {
    match s?.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The IAM principal to simulate for a caller ARN from `GetCallerIdentity`:
/// users and roles as they are; an assumed-role session becomes its role.
///
/// A role's path (`role/service-role/Name`) cannot be recovered from a session
/// ARN, so a role with a path comes back without it and IAM answers
/// `NoSuchEntity`. Federated users and the root user have no simulatable
/// principal: `None`.
pub fn simulation_principal_arn(caller_arn: &str) -> Option<String> {
    let parts: Vec<&str> = caller_arn.splitn(6, ':').collect();
    let [arn, partition, service, _region, account, resource] = parts[..] else {
        return None;
    };
    if arn != "arn" || account.is_empty() {
        return None;
    }
    match service {
        "iam" if resource.starts_with("user/") || resource.starts_with("role/") => {
            Some(caller_arn.to_owned())
        }
        "sts" => {
            let rest = resource.strip_prefix("assumed-role/")?;
            let (role, _session) = rest.split_once('/')?;
            Some(format!("arn:{partition}:iam::{account}:role/{role}"))
        }
        _ => None,
    }
}

// ---- Bedrock wire shapes (REST-JSON) -------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WireLifecycle {
    status: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WireModel {
    model_id: Option<String>,
    model_arn: Option<String>,
    model_name: Option<String>,
    provider_name: Option<String>,
    inference_types_supported: Vec<String>,
    input_modalities: Vec<String>,
    output_modalities: Vec<String>,
    response_streaming_supported: Option<bool>,
    model_lifecycle: Option<WireLifecycle>,
}

impl WireModel {
    fn into_model(self) -> Option<FoundationModel> {
        Some(FoundationModel {
            model_id: self.model_id?,
            model_arn: self.model_arn,
            model_name: self.model_name,
            provider_name: self.provider_name,
            inference_types_supported: self.inference_types_supported,
            lifecycle_status: self.model_lifecycle.and_then(|l| l.status),
            input_modalities: self.input_modalities,
            output_modalities: self.output_modalities,
            response_streaming_supported: self.response_streaming_supported,
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WireModelList {
    model_summaries: Vec<WireModel>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WireModelDetails {
    model_details: Option<WireModel>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WireProfileModel {
    model_arn: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WireProfile {
    inference_profile_id: Option<String>,
    inference_profile_arn: Option<String>,
    inference_profile_name: Option<String>,
    status: Option<String>,
    #[serde(rename = "type")]
    profile_type: Option<String>,
    models: Vec<WireProfileModel>,
}

impl WireProfile {
    fn into_profile(self) -> Option<InferenceProfile> {
        Some(InferenceProfile {
            id: self.inference_profile_id?,
            arn: self.inference_profile_arn,
            name: self.inference_profile_name,
            status: self.status,
            profile_type: self.profile_type,
            models: self
                .models
                .into_iter()
                .filter_map(|m| m.model_arn)
                .collect(),
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WireProfileList {
    inference_profile_summaries: Vec<WireProfile>,
    next_token: Option<String>,
}

// ---- IAM simulation XML ---------------------------------------------------

fn members<'a>(e: Option<&'a Element>) -> impl Iterator<Item = &'a Element> + 'a {
    e.into_iter().flat_map(|e| e.children_named("member"))
}

fn position(e: Option<&Element>) -> Option<Position> {
    let e = e?;
    Some(Position {
        line: e.text_at(&["Line"])?.parse().ok()?,
        column: e.text_at(&["Column"])?.parse().ok()?,
    })
}

fn statements(e: &Element) -> Vec<MatchedStatement> {
    members(e.child("MatchedStatements"))
        .map(|s| MatchedStatement {
            source_policy_id: s.text_at(&["SourcePolicyId"]),
            source_policy_type: s.text_at(&["SourcePolicyType"]),
            start: position(s.child("StartPosition")),
            end: position(s.child("EndPosition")),
        })
        .collect()
}

fn missing_context(e: &Element) -> Vec<String> {
    members(e.child("MissingContextValues"))
        .map(|m| m.text.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn simulation(e: &Element) -> PolicySimulation {
    PolicySimulation {
        action: e.text_at(&["EvalActionName"]).unwrap_or_default(),
        resource: e.text_at(&["EvalResourceName"]).unwrap_or_default(),
        decision: e.text_at(&["EvalDecision"]).unwrap_or_default(),
        matched_statements: statements(e),
        missing_context_values: missing_context(e),
        allowed_by_organizations: parse_bool(
            e.text_at(&["OrganizationsDecisionDetail", "AllowedByOrganizations"]),
        ),
        allowed_by_permissions_boundary: parse_bool(e.text_at(&[
            "PermissionsBoundaryDecisionDetail",
            "AllowedByPermissionsBoundary",
        ])),
        resource_specific_results: members(e.child("ResourceSpecificResults"))
            .map(|r| ResourceSimulation {
                resource: r.text_at(&["EvalResourceName"]).unwrap_or_default(),
                decision: r.text_at(&["EvalResourceDecision"]).unwrap_or_default(),
                matched_statements: statements(r),
                missing_context_values: missing_context(r),
                allowed_by_permissions_boundary: parse_bool(r.text_at(&[
                    "PermissionsBoundaryDecisionDetail",
                    "AllowedByPermissionsBoundary",
                ])),
            })
            .collect(),
    }
}

// ---- ELBv2 target health XML ---------------------------------------------

fn target_health(result: &Element) -> Vec<TargetHealthDescription> {
    members(result.child("TargetHealthDescriptions"))
        .filter_map(|m| {
            Some(TargetHealthDescription {
                target_id: m.text_at(&["Target", "Id"])?,
                port: m.text_at(&["Target", "Port"]).and_then(|p| p.parse().ok()),
                health_check_port: m.text_at(&["HealthCheckPort"]),
                state: m.text_at(&["TargetHealth", "State"]).unwrap_or_default(),
                reason: m.text_at(&["TargetHealth", "Reason"]),
                description: m.text_at(&["TargetHealth", "Description"]),
            })
        })
        .collect()
}

impl Client {
    /// Resolves region, credentials and endpoints (see [`ClientConfig`]) and
    /// builds the client. Nothing is sent.
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let (region, region_source) = config.resolve_region()?;
        let mut endpoints = BTreeMap::new();
        for s in Service::ALL {
            endpoints.insert(s, config.resolve_endpoint(s, &region)?);
        }
        let (credentials, credentials_source) = config.resolve_credentials()?;
        Ok(Client {
            transport: Transport::new(&config),
            region,
            region_source,
            credentials,
            credentials_source,
            endpoints,
            max_pages: config.max_pages,
            unsigned: false,
        })
    }

    /// A client configured from the process environment alone.
    pub fn from_env() -> Result<Client, Error> {
        Client::new(ClientConfig::new())
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The endpoint used for `service`.
    pub fn endpoint(&self, service: Service) -> &Endpoint {
        &self.endpoints[&service]
    }

    /// Where region, credentials and endpoints came from.
    pub fn resolution(&self) -> Resolution {
        Resolution {
            region: self.region.clone(),
            region_source: self.region_source.clone(),
            credentials_source: self.credentials_source.clone(),
            access_key_id_hint: self.credentials.access_key_id_hint(),
            temporary_credentials: self.credentials.has_session_token(),
            endpoints: self.endpoints.clone(),
        }
    }

    /// Every secret value this client holds or used to get its credentials
    /// (secret key, session token, web identity / SSO / container tokens,
    /// `credential_process` output), for an output masker to hide. Never
    /// print these; pass them only to something that removes them from text.
    pub fn secret_values_for_masking(&self) -> Vec<String> {
        self.credentials.secret_values()
    }

    /// An STS call that returns credentials (`AssumeRole`,
    /// `AssumeRoleWithWebIdentity`): `<Result><Credentials>…`.
    pub(crate) fn sts_credentials(
        &self,
        action: &str,
        params: &[(&str, &str)],
        signed: bool,
    ) -> Result<Credentials, Error> {
        let operation = format!("sts:{action}");
        let reply = if signed {
            self.query(Service::Sts, action, &pairs(params))?
        } else {
            let client = Client {
                region: self.region.clone(),
                region_source: self.region_source.clone(),
                credentials: self.credentials.clone(),
                credentials_source: self.credentials_source.clone(),
                endpoints: self.endpoints.clone(),
                transport: Transport::new_like(&self.transport),
                max_pages: self.max_pages,
                unsigned: true,
            };
            client.query(Service::Sts, action, &pairs(params))?
        };
        let root = reply.xml(&operation)?;
        let creds = root.find("Credentials").ok_or_else(|| Error::Parse {
            operation: operation.clone(),
            status: reply.response.status,
            message: format!("no Credentials in <{}>", root.name),
        })?;
        let field = |name: &str| {
            creds.text_at(&[name]).ok_or_else(|| Error::Parse {
                operation: operation.clone(),
                status: reply.response.status,
                message: format!("no {name}"),
            })
        };
        Ok(Credentials::new(
            field("AccessKeyId")?,
            field("SecretAccessKey")?,
            creds.text_at(&["SessionToken"]),
        ))
    }

    /// Signs and sends one request; non-2xx statuses become [`Error::Api`].
    // One private funnel for every exchange; the arguments are the request.
    #[allow(clippy::too_many_arguments)]
    fn execute(
        &self,
        service: Service,
        operation: &str,
        method: Method,
        path: &str,
        query: &[(String, String)],
        extra_headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Reply, Error> {
        let endpoint = &self.endpoints[&service];
        let wire_path = format!("{}{}", endpoint.base_path, path);
        let mut headers = vec![("host".to_owned(), endpoint.authority.clone())];
        headers.extend(
            extra_headers
                .iter()
                .map(|(k, v)| ((*k).to_ascii_lowercase(), (*v).to_owned())),
        );
        if !self.unsigned {
            sigv4::sign(
                method.as_str(),
                &wire_path,
                query,
                &mut headers,
                &body,
                &self.credentials,
                &endpoint.signing_region,
                service.signing_name(),
                SystemTime::now(),
                SigningSettings::default(),
            );
        }
        let mut url = format!("{}://{}{}", endpoint.scheme, endpoint.authority, wire_path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&form_encode(query));
        }
        let response = self.transport.send(
            operation,
            HttpRequest {
                method,
                url,
                headers,
                body,
            },
        )?;
        if !(200..300).contains(&response.status) {
            let (code, message, rid) = parse_error_body(&response);
            return Err(Error::Api {
                operation: operation.to_owned(),
                status: response.status,
                code,
                message,
                request_id: rid.or_else(|| request_id(&response)),
                clock_skew_seconds: clock_skew(&response),
            });
        }
        Ok(Reply { response })
    }

    fn query(
        &self,
        service: Service,
        action: &str,
        params: &[(String, String)],
    ) -> Result<Reply, Error> {
        let operation = format!("{}:{action}", service.signing_name());
        let version = service.api_version().ok_or_else(|| Error::Config {
            message: format!("{service} does not use the query protocol"),
        })?;
        let mut all = pairs(&[("Action", action), ("Version", version)]);
        all.extend_from_slice(params);
        self.execute(
            service,
            &operation,
            Method::Post,
            "/",
            &[],
            &[("content-type", FORM_CONTENT_TYPE)],
            form_encode(&all).into_bytes(),
        )
    }

    /// One JSON-protocol (`x-amz-json-1.1`) exchange: `POST /` with
    /// `X-Amz-Target: <prefix>.<target>`.
    fn json_call(
        &self,
        service: Service,
        target: &str,
        body: &serde_json::Value,
    ) -> Result<Reply, Error> {
        let operation = format!("{}:{target}", service.signing_name());
        let prefix = service.json_target_prefix().ok_or_else(|| Error::Config {
            message: format!("{service} does not use the JSON protocol"),
        })?;
        let amz_target = format!("{prefix}.{target}");
        let body = serde_json::to_vec(body).map_err(|e| Error::Config {
            message: format!("{operation}: cannot serialize the request: {e}"),
        })?;
        self.execute(
            service,
            &operation,
            Method::Post,
            "/",
            &[],
            &[
                ("content-type", JSON_CONTENT_TYPE),
                ("x-amz-target", &amz_target),
            ],
            body,
        )
    }

    /// [`Self::json_call`] and the reply as a JSON object (an empty body
    /// reads as `{}`).
    fn json_value(
        &self,
        service: Service,
        target: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        let operation = format!("{}:{target}", service.signing_name());
        let reply = self.json_call(service, target, body)?;
        if trim_ascii_start(&reply.response.body).is_empty() {
            return Ok(serde_json::Value::Object(Default::default()));
        }
        let value: serde_json::Value = reply.json(&operation)?;
        if !value.is_object() {
            return Err(Error::Parse {
                operation,
                status: reply.response.status,
                message: "the reply is not a JSON object".into(),
            });
        }
        Ok(value)
    }

    /// Calls a JSON-protocol action (ECS) with a JSON request body and
    /// returns the reply as JSON. `target` is the operation name
    /// (`CreateCluster`); the `X-Amz-Target` prefix comes from
    /// [`Service::json_target_prefix`]. An escape hatch for actions without a
    /// method here; tests use it to set up moto. The same limits apply as to
    /// every call (timeouts, body cap); AWS errors become [`Error::Api`].
    pub fn raw_json(
        &self,
        service: Service,
        target: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        self.json_value(service, target, body)
    }

    /// Calls a query-protocol action (STS, EC2, IAM) with extra form
    /// parameters and returns the XML body of a 2xx reply as text. An escape
    /// hatch for actions without a typed method; tests use it to set up moto.
    pub fn raw_query(
        &self,
        service: Service,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<String, Error> {
        let reply = self.query(service, action, &pairs(params))?;
        Ok(String::from_utf8_lossy(&reply.response.body).into_owned())
    }

    /// `sts:GetCallerIdentity`: who the credentials belong to, and how far the
    /// local clock is from the server's.
    pub fn sts_get_caller_identity(&self) -> Result<CallerIdentity, Error> {
        const OP: &str = "sts:GetCallerIdentity";
        let reply = self.query(Service::Sts, "GetCallerIdentity", &[])?;
        let root = reply.xml(OP)?;
        let result = root
            .child("GetCallerIdentityResult")
            .ok_or_else(|| Error::Parse {
                operation: OP.into(),
                status: reply.response.status,
                message: format!("no GetCallerIdentityResult in <{}>", root.name),
            })?;
        let field = |name: &str| {
            result.text_at(&[name]).ok_or_else(|| Error::Parse {
                operation: OP.into(),
                status: reply.response.status,
                message: format!("no {name}"),
            })
        };
        Ok(CallerIdentity {
            account: field("Account")?,
            arn: field("Arn")?,
            user_id: field("UserId")?,
            server_date: reply.response.header("date").map(str::to_owned),
            clock_skew_seconds: clock_skew(&reply.response),
            request_id: root
                .text_at(&["ResponseMetadata", "RequestId"])
                .or_else(|| reply.request_id()),
        })
    }

    /// `ec2:DescribeInstances` for one instance: IMDS settings, instance
    /// profile and placement.
    pub fn ec2_describe_instance(&self, instance_id: &str) -> Result<InstanceDescription, Error> {
        const OP: &str = "ec2:DescribeInstances";
        let reply = self.query(
            Service::Ec2,
            "DescribeInstances",
            &pairs(&[("InstanceId.1", instance_id)]),
        )?;
        let root = reply.xml(OP)?;
        let instance = root
            .child("reservationSet")
            .into_iter()
            .flat_map(|s| s.children_named("item"))
            .filter_map(|r| r.child("instancesSet"))
            .flat_map(|s| s.children_named("item"))
            .find(|i| i.text_at(&["instanceId"]).as_deref() == Some(instance_id))
            .ok_or_else(|| Error::NotFound {
                operation: OP.into(),
                what: format!("instance {instance_id}"),
            })?;
        let metadata_options = instance.child("metadataOptions").map(|m| MetadataOptions {
            state: m.text_at(&["state"]),
            http_tokens: m.text_at(&["httpTokens"]),
            http_put_response_hop_limit: m
                .text_at(&["httpPutResponseHopLimit"])
                .and_then(|s| s.parse().ok()),
            http_endpoint: m.text_at(&["httpEndpoint"]),
            http_protocol_ipv6: m.text_at(&["httpProtocolIpv6"]),
            instance_metadata_tags: m.text_at(&["instanceMetadataTags"]),
        });
        Ok(InstanceDescription {
            instance_id: instance_id.to_owned(),
            state: instance.text_at(&["instanceState", "name"]),
            metadata_options,
            iam_instance_profile_arn: instance.text_at(&["iamInstanceProfile", "arn"]),
            iam_instance_profile_id: instance.text_at(&["iamInstanceProfile", "id"]),
            availability_zone: instance.text_at(&["placement", "availabilityZone"]),
            region: self.endpoints[&Service::Ec2].signing_region.clone(),
        })
    }

    fn bedrock_get(
        &self,
        operation: &str,
        path: &str,
        query: &[(String, String)],
    ) -> Result<Reply, Error> {
        self.execute(
            Service::Bedrock,
            operation,
            Method::Get,
            path,
            query,
            &[],
            Vec::new(),
        )
    }

    /// `bedrock:ListFoundationModels` in the client's region (no filters).
    pub fn bedrock_list_foundation_models(&self) -> Result<Vec<FoundationModel>, Error> {
        const OP: &str = "bedrock:ListFoundationModels";
        let reply = self.bedrock_get(OP, "/foundation-models", &[])?;
        let list: WireModelList = reply.json(OP)?;
        Ok(list
            .model_summaries
            .into_iter()
            .filter_map(WireModel::into_model)
            .collect())
    }

    /// `bedrock:GetFoundationModel` for a model ID or foundation-model ARN.
    pub fn bedrock_get_foundation_model(&self, model_id: &str) -> Result<FoundationModel, Error> {
        const OP: &str = "bedrock:GetFoundationModel";
        let path = format!("/foundation-models/{}", uri_encode(model_id, false));
        let reply = self.bedrock_get(OP, &path, &[])?;
        let details: WireModelDetails = reply.json(OP)?;
        details
            .model_details
            .and_then(WireModel::into_model)
            .ok_or_else(|| Error::Parse {
                operation: OP.into(),
                status: reply.response.status,
                message: "no modelDetails.modelId".into(),
            })
    }

    /// `bedrock:ListInferenceProfiles`, following `nextToken` up to the page
    /// limit.
    pub fn bedrock_list_inference_profiles(&self) -> Result<InferenceProfileList, Error> {
        const OP: &str = "bedrock:ListInferenceProfiles";
        let mut out = InferenceProfileList::default();
        let mut token: Option<String> = None;
        for _ in 0..self.max_pages {
            let mut query = pairs(&[("maxResults", "1000")]);
            if let Some(t) = &token {
                query.push(("nextToken".into(), t.clone()));
            }
            let page: WireProfileList = self
                .bedrock_get(OP, "/inference-profiles", &query)?
                .json(OP)?;
            out.profiles.extend(
                page.inference_profile_summaries
                    .into_iter()
                    .filter_map(WireProfile::into_profile),
            );
            token = page.next_token.filter(|t| !t.is_empty());
            if token.is_none() {
                return Ok(out);
            }
        }
        out.truncated = true;
        Ok(out)
    }

    /// `bedrock:GetInferenceProfile` for a profile ID or ARN.
    pub fn bedrock_get_inference_profile(&self, id: &str) -> Result<InferenceProfile, Error> {
        const OP: &str = "bedrock:GetInferenceProfile";
        let path = format!("/inference-profiles/{}", uri_encode(id, false));
        let reply = self.bedrock_get(OP, &path, &[])?;
        let profile: WireProfile = reply.json(OP)?;
        profile.into_profile().ok_or_else(|| Error::Parse {
            operation: OP.into(),
            status: reply.response.status,
            message: "no inferenceProfileId".into(),
        })
    }

    /// `iam:SimulatePrincipalPolicy`: the identity policies (with SCPs and
    /// permissions boundary as IAM applies them) of `principal_arn` evaluated
    /// for each action on each resource (all resources, `*`, when
    /// `resources` is empty). See [`simulation_principal_arn`].
    pub fn iam_simulate_principal_policy(
        &self,
        principal_arn: &str,
        actions: &[&str],
        resources: &[&str],
    ) -> Result<PolicySimulationList, Error> {
        self.iam_simulate_principal_policy_with_context(principal_arn, actions, resources, &[])
    }

    /// [`Client::iam_simulate_principal_policy`] with condition context keys
    /// (for example `aws:RequestedRegion` of a cross-region inference
    /// destination).
    pub fn iam_simulate_principal_policy_with_context(
        &self,
        principal_arn: &str,
        actions: &[&str],
        resources: &[&str],
        context: &[ContextEntry],
    ) -> Result<PolicySimulationList, Error> {
        const OP: &str = "iam:SimulatePrincipalPolicy";
        let mut params = pairs(&[("PolicySourceArn", principal_arn)]);
        for (i, a) in actions.iter().enumerate() {
            params.push((format!("ActionNames.member.{}", i + 1), (*a).to_owned()));
        }
        for (i, r) in resources.iter().enumerate() {
            params.push((format!("ResourceArns.member.{}", i + 1), (*r).to_owned()));
        }
        for (i, c) in context.iter().enumerate() {
            let p = format!("ContextEntries.member.{}", i + 1);
            params.push((format!("{p}.ContextKeyName"), c.key.clone()));
            params.push((format!("{p}.ContextKeyType"), c.key_type.clone()));
            for (j, v) in c.values.iter().enumerate() {
                params.push((format!("{p}.ContextKeyValues.member.{}", j + 1), v.clone()));
            }
        }
        let mut out = PolicySimulationList::default();
        let mut marker: Option<String> = None;
        for _ in 0..self.max_pages {
            let mut page_params = params.clone();
            if let Some(m) = &marker {
                page_params.push(("Marker".into(), m.clone()));
            }
            let reply = self.query(Service::Iam, "SimulatePrincipalPolicy", &page_params)?;
            let root = reply.xml(OP)?;
            let result =
                root.child("SimulatePrincipalPolicyResult")
                    .ok_or_else(|| Error::Parse {
                        operation: OP.into(),
                        status: reply.response.status,
                        message: format!("no SimulatePrincipalPolicyResult in <{}>", root.name),
                    })?;
            out.results
                .extend(members(result.child("EvaluationResults")).map(simulation));
            let truncated = parse_bool(result.text_at(&["IsTruncated"])).unwrap_or(false);
            marker = result.text_at(&["Marker"]);
            if !truncated || marker.is_none() {
                return Ok(out);
            }
        }
        out.truncated = true;
        Ok(out)
    }

    // ---- ECS (JSON 1.1) ----------------------------------------------------

    /// Follows `nextToken` of an ECS list call up to the page limit and
    /// collects the strings under `key`.
    fn ecs_list(
        &self,
        target: &str,
        request: serde_json::Map<String, serde_json::Value>,
        key: &str,
    ) -> Result<Vec<String>, Error> {
        let operation = format!("ecs:{target}");
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..self.max_pages {
            let mut body = request.clone();
            body.insert("maxResults".into(), ECS_LIST_PAGE_SIZE.into());
            if let Some(t) = &token {
                body.insert("nextToken".into(), t.clone().into());
            }
            let page = self.json_value(Service::Ecs, target, &body.into())?;
            match page.get(key) {
                None | Some(serde_json::Value::Null) => {}
                Some(serde_json::Value::Array(items)) => {
                    for item in items {
                        let s = item.as_str().ok_or_else(|| Error::Parse {
                            operation: operation.clone(),
                            status: 200,
                            message: format!("`{key}` holds a non-string: {item}"),
                        })?;
                        out.push(s.to_owned());
                    }
                }
                Some(other) => {
                    return Err(Error::Parse {
                        operation,
                        status: 200,
                        message: format!("`{key}` is not an array: {other}"),
                    })
                }
            }
            token = page
                .get("nextToken")
                .and_then(|t| t.as_str())
                .filter(|t| !t.is_empty())
                .map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// Describes `items` in chunks of `chunk` (the API's per-call maximum),
    /// at most `max_pages` calls, and merges the `result_key` and `failures`
    /// arrays of the replies into the first reply. Items past the call limit
    /// are not described: the result then carries `"truncated": true`.
    fn ecs_describe_chunked<S: AsRef<str>>(
        &self,
        target: &str,
        cluster: &str,
        request_key: &str,
        items: &[S],
        chunk: usize,
        result_key: &str,
    ) -> Result<serde_json::Value, Error> {
        let mut merged = serde_json::Map::new();
        merged.insert(result_key.into(), serde_json::Value::Array(Vec::new()));
        merged.insert("failures".into(), serde_json::Value::Array(Vec::new()));
        let chunks: Vec<&[S]> = items.chunks(chunk).collect();
        for (i, part) in chunks.iter().enumerate() {
            if i == self.max_pages {
                merged.insert("truncated".into(), true.into());
                break;
            }
            let mut body = serde_json::Map::new();
            if !cluster.is_empty() {
                body.insert("cluster".into(), cluster.into());
            }
            let part: Vec<&str> = part.iter().map(AsRef::as_ref).collect();
            body.insert(request_key.into(), part.into());
            let reply = self.json_value(Service::Ecs, target, &body.into())?;
            let serde_json::Value::Object(reply) = reply else {
                unreachable!("json_value returns objects")
            };
            for (k, v) in reply {
                match (merged.get_mut(&k), v) {
                    (Some(serde_json::Value::Array(all)), serde_json::Value::Array(more))
                        if k == result_key || k == "failures" =>
                    {
                        all.extend(more)
                    }
                    (_, serde_json::Value::Null) if k == result_key || k == "failures" => {}
                    (_, v) => {
                        merged.entry(k).or_insert(v);
                    }
                }
            }
        }
        Ok(serde_json::Value::Object(merged))
    }

    /// `ecs:DescribeServices` for services (names or ARNs) of `cluster` (the
    /// default cluster when empty). Returns the whole reply:
    /// `{"services": [...], "failures": [...]}`. ECS takes at most 10
    /// services per call; more are described in several calls (at most the
    /// page limit, after which the reply carries `"truncated": true`) whose
    /// `services` and `failures` are merged. No services: no call, empty
    /// arrays.
    pub fn ecs_describe_services<S: AsRef<str>>(
        &self,
        cluster: &str,
        services: &[S],
    ) -> Result<serde_json::Value, Error> {
        self.ecs_describe_chunked(
            "DescribeServices",
            cluster,
            "services",
            services,
            ECS_DESCRIBE_SERVICES_MAX,
            "services",
        )
    }

    /// `ecs:ListTasks`: the task ARNs of `cluster` (the default cluster when
    /// empty), of the service `service_name` when not empty, with the desired
    /// status `desired_status` (`RUNNING`, `PENDING` or `STOPPED`; ECS's
    /// default is `RUNNING`). Follows `nextToken` up to the page limit (100
    /// tasks a page); ARNs past the limit are not fetched. ECS keeps stopped
    /// tasks for about an hour only.
    pub fn ecs_list_tasks(
        &self,
        cluster: &str,
        service_name: &str,
        desired_status: Option<&str>,
    ) -> Result<Vec<String>, Error> {
        let mut body = serde_json::Map::new();
        if !cluster.is_empty() {
            body.insert("cluster".into(), cluster.into());
        }
        if !service_name.is_empty() {
            body.insert("serviceName".into(), service_name.into());
        }
        if let Some(s) = desired_status {
            body.insert("desiredStatus".into(), s.into());
        }
        self.ecs_list("ListTasks", body, "taskArns")
    }

    /// `ecs:DescribeTasks` for task ARNs (or IDs) of `cluster` (the default
    /// cluster when empty). Returns `{"tasks": [...], "failures": [...]}`.
    /// ECS takes at most 100 tasks per call; more are described in several
    /// calls (at most the page limit, after which the reply carries
    /// `"truncated": true`) whose `tasks` and `failures` are merged. No
    /// tasks: no call, empty arrays.
    pub fn ecs_describe_tasks<S: AsRef<str>>(
        &self,
        cluster: &str,
        task_arns: &[S],
    ) -> Result<serde_json::Value, Error> {
        self.ecs_describe_chunked(
            "DescribeTasks",
            cluster,
            "tasks",
            task_arns,
            ECS_DESCRIBE_TASKS_MAX,
            "tasks",
        )
    }

    /// `ecs:DescribeTaskDefinition` for a family (latest active revision),
    /// `family:revision` or an ARN. Returns the whole reply:
    /// `{"taskDefinition": {...}}` (and `tags` when ECS sends them).
    pub fn ecs_describe_task_definition(
        &self,
        task_definition: &str,
    ) -> Result<serde_json::Value, Error> {
        self.json_value(
            Service::Ecs,
            "DescribeTaskDefinition",
            &serde_json::json!({ "taskDefinition": task_definition }),
        )
    }

    /// `ecs:ListTaskDefinitions`: task definition ARNs of families starting
    /// with `family_prefix` (all families when empty), with `status`
    /// (`ACTIVE`, `INACTIVE`, `DELETE_IN_PROGRESS`; ECS's default is
    /// `ACTIVE`), sorted by family and revision, newest first when
    /// `sort_desc`. Follows `nextToken` up to the page limit (100 a page).
    pub fn ecs_list_task_definitions(
        &self,
        family_prefix: &str,
        status: Option<&str>,
        sort_desc: bool,
    ) -> Result<Vec<String>, Error> {
        let mut body = serde_json::Map::new();
        if !family_prefix.is_empty() {
            body.insert("familyPrefix".into(), family_prefix.into());
        }
        if let Some(s) = status {
            body.insert("status".into(), s.into());
        }
        body.insert("sort".into(), if sort_desc { "DESC" } else { "ASC" }.into());
        self.ecs_list("ListTaskDefinitions", body, "taskDefinitionArns")
    }

    // ---- Elastic Load Balancing v2 (query) ----------------------------------

    /// `elasticloadbalancing:DescribeTargetHealth` for every registered
    /// target of a target group (ELBv2: ALB/NLB/GWLB). One call; the API
    /// does not paginate.
    pub fn elbv2_describe_target_health(
        &self,
        target_group_arn: &str,
    ) -> Result<Vec<TargetHealthDescription>, Error> {
        const OP: &str = "elasticloadbalancing:DescribeTargetHealth";
        let reply = self.query(
            Service::Elbv2,
            "DescribeTargetHealth",
            &pairs(&[("TargetGroupArn", target_group_arn)]),
        )?;
        let root = reply.xml(OP)?;
        let result = root
            .child("DescribeTargetHealthResult")
            .ok_or_else(|| Error::Parse {
                operation: OP.into(),
                status: reply.response.status,
                message: format!("no DescribeTargetHealthResult in <{}>", root.name),
            })?;
        Ok(target_health(result))
    }
}

#[cfg(feature = "fuzzing")]
#[path = "fuzzing.rs"]
pub mod fuzzing;

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: pairs(headers),
            body: body.as_bytes().to_vec(),
            received_at: SystemTime::now(),
        }
    }

    #[test]
    fn error_bodies() {
        let r = response(
            403,
            &[],
            r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>abc</RequestId></ErrorResponse>"#,
        );
        assert_eq!(
            parse_error_body(&r),
            (
                Some("ExpiredToken".into()),
                "The security token included in the request is expired".into(),
                Some("abc".into())
            )
        );
        let r = response(
            400,
            &[],
            "<?xml version=\"1.0\"?>\n<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>The instance ID 'i-1' does not exist</Message></Error></Errors><RequestID>r2</RequestID></Response>",
        );
        assert_eq!(
            parse_error_body(&r).0.as_deref(),
            Some("InvalidInstanceID.NotFound")
        );
        assert_eq!(parse_error_body(&r).2.as_deref(), Some("r2"));
        let r = response(
            400,
            &[(
                "x-amzn-ErrorType",
                "ValidationException:http://internal.amazon.com/coral/",
            )],
            r#"{"message":"The provided model identifier is invalid."}"#,
        );
        assert_eq!(
            parse_error_body(&r),
            (
                Some("ValidationException".into()),
                "The provided model identifier is invalid.".into(),
                None
            )
        );
        let r = response(
            403,
            &[],
            r#"{"__type":"com.amazon#AccessDeniedException","Message":"no"}"#,
        );
        assert_eq!(
            parse_error_body(&r).0.as_deref(),
            Some("AccessDeniedException")
        );
        let r = response(502, &[], "<html>\n<body>Bad gateway</body></html>");
        assert_eq!(parse_error_body(&r).0, None);
        let r = response(500, &[], "");
        assert_eq!(parse_error_body(&r).1, "(empty body)");
        let long = "x".repeat(5000);
        let r = response(500, &[], &long);
        assert!(parse_error_body(&r).1.ends_with('…'));
    }

    #[test]
    fn skew_from_date_header() {
        let mut r = response(200, &[("Date", "Sun, 30 Aug 2015 12:36:00 GMT")], "");
        r.received_at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_440_938_160 + 90);
        assert_eq!(clock_skew(&r), Some(-90));
    }

    #[test]
    fn principal_arns() {
        assert_eq!(
            simulation_principal_arn("arn:aws:sts::123456789012:assumed-role/app-role/i-0abc"),
            Some("arn:aws:iam::123456789012:role/app-role".into())
        );
        assert_eq!(
            simulation_principal_arn("arn:aws-cn:sts::123456789012:assumed-role/r/s"),
            Some("arn:aws-cn:iam::123456789012:role/r".into())
        );
        assert_eq!(
            simulation_principal_arn("arn:aws:iam::123456789012:user/path/alice"),
            Some("arn:aws:iam::123456789012:user/path/alice".into())
        );
        assert_eq!(
            simulation_principal_arn("arn:aws:iam::123456789012:root"),
            None
        );
        assert_eq!(
            simulation_principal_arn("arn:aws:sts::123456789012:federated-user/bob"),
            None
        );
        assert_eq!(simulation_principal_arn("nonsense"), None);
    }

    #[test]
    fn simulation_xml() {
        let doc = br#"<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <SimulatePrincipalPolicyResult>
    <IsTruncated>false</IsTruncated>
    <EvaluationResults>
      <member>
        <EvalActionName>bedrock:InvokeModel</EvalActionName>
        <EvalResourceName>arn:aws:bedrock:us-east-1::foundation-model/x</EvalResourceName>
        <EvalDecision>explicitDeny</EvalDecision>
        <MatchedStatements>
          <member>
            <SourcePolicyId>deny-regions</SourcePolicyId>
            <SourcePolicyType>user-managed</SourcePolicyType>
            <StartPosition><Line>3</Line><Column>5</Column></StartPosition>
            <EndPosition><Line>9</Line><Column>6</Column></EndPosition>
          </member>
        </MatchedStatements>
        <MissingContextValues><member>aws:RequestedRegion</member></MissingContextValues>
        <OrganizationsDecisionDetail><AllowedByOrganizations>true</AllowedByOrganizations></OrganizationsDecisionDetail>
      </member>
    </EvaluationResults>
  </SimulatePrincipalPolicyResult>
</SimulatePrincipalPolicyResponse>"#;
        let root = xml::parse(doc).unwrap();
        let r = root.child("SimulatePrincipalPolicyResult").unwrap();
        let sims: Vec<_> = members(r.child("EvaluationResults"))
            .map(simulation)
            .collect();
        assert_eq!(sims.len(), 1);
        let s = &sims[0];
        assert_eq!(s.decision, "explicitDeny");
        assert_eq!(
            s.matched_statements[0].start,
            Some(Position { line: 3, column: 5 })
        );
        assert_eq!(s.missing_context_values, ["aws:RequestedRegion"]);
        assert_eq!(s.allowed_by_organizations, Some(true));
        assert_eq!(s.allowed_by_permissions_boundary, None);
    }
}
