//! Entry points into the response readers, for the fuzz targets in
//! `crates/fuzz`: the same code paths a reply from AWS (or from anything
//! answering on a configured endpoint) goes through, without a network.
//! Each returns a small number derived from the result so the work is not
//! optimised away.

use super::*;
use crate::profile::ProfileFile;

fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.to_vec(),
        received_at: SystemTime::UNIX_EPOCH,
    }
}

/// A query-protocol (XML) reply read as STS, EC2, IAM simulation and ELBv2
/// target health would read it.
pub fn query_reply(body: &[u8]) -> usize {
    let Ok(root) = xml::parse(body) else { return 0 };
    let mut seen = 0;
    if let Some(result) = root.child("GetCallerIdentityResult") {
        seen += ["Account", "Arn", "UserId"]
            .iter()
            .filter_map(|f| result.text_at(&[f]))
            .count();
    }
    seen += root
        .child("reservationSet")
        .into_iter()
        .flat_map(|s| s.children_named("item"))
        .filter_map(|r| r.child("instancesSet"))
        .flat_map(|s| s.children_named("item"))
        .filter_map(|i| i.text_at(&["instanceId"]))
        .count();
    if let Some(result) = root.child("SimulatePrincipalPolicyResult") {
        seen += members(result.child("EvaluationResults"))
            .map(simulation)
            .map(|s| s.matched_statements.len() + s.resource_specific_results.len())
            .sum::<usize>();
    }
    if let Some(result) = root.child("DescribeTargetHealthResult") {
        seen += target_health(result).len();
    }
    seen
}

/// A REST-JSON Bedrock reply read as each Bedrock call reads it.
pub fn bedrock_reply(body: &[u8]) -> usize {
    let mut seen = 0;
    if let Ok(list) = serde_json::from_slice::<WireModelList>(body) {
        seen += list
            .model_summaries
            .into_iter()
            .filter_map(WireModel::into_model)
            .count();
    }
    if let Ok(details) = serde_json::from_slice::<WireModelDetails>(body) {
        seen += details
            .model_details
            .and_then(WireModel::into_model)
            .is_some() as usize;
    }
    if let Ok(page) = serde_json::from_slice::<WireProfileList>(body) {
        seen += page
            .inference_profile_summaries
            .into_iter()
            .filter_map(WireProfile::into_profile)
            .count();
    }
    if let Ok(profile) = serde_json::from_slice::<WireProfile>(body) {
        seen += profile.into_profile().is_some() as usize;
    }
    seen
}

/// An error reply (XML, JSON or neither) with an `x-amzn-ErrorType` and a
/// `Date` header taken from the first two lines of `header_lines`.
pub fn error_reply(status: u16, header_lines: &str, body: &[u8]) -> usize {
    let mut lines = header_lines.lines();
    let error_type = lines.next().unwrap_or("");
    let date = lines.next().unwrap_or("");
    let r = response(
        status,
        &[
            ("x-amzn-ErrorType", error_type),
            ("Date", date),
            ("x-amzn-RequestId", "fuzz"),
        ],
        body,
    );
    let (code, message, rid) = parse_error_body(&r);
    code.map_or(0, |c| c.len())
        + message.len()
        + rid.map_or(0, |r| r.len())
        + clock_skew(&r).is_some() as usize
        + request_id(&r).is_some() as usize
}

/// A shared config or credentials file.
pub fn profile_file(text: &str) -> usize {
    let file = ProfileFile::parse(std::path::PathBuf::from("config"), text);
    let mut seen = 0;
    for name in ["default", "dev", "prod"] {
        seen += file.credentials_profile(name).map_or(0, |s| s.len());
        seen += file.config_profile(name).map_or(0, |s| s.len());
    }
    seen
}
