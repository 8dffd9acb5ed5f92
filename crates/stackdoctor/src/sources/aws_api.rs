//! `--aws`: asks AWS itself, with the caller's credentials (the shell's
//! environment and profile, as the AWS CLI would): who the caller is and how
//! far its clock is off (STS), this instance's metadata options (EC2, when the
//! IMDS probe gave the instance ID), and the models the region offers
//! (Bedrock). The calls run at once, each bounded by the probe timeout.
//!
//! Credentials come from awsapi's chain (environment, web identity, profile
//! with assume role / SSO / `credential_process`, container endpoint, and
//! IMDS when the live probe found it answering). Every call that could not
//! run, or was not made, is a note saying which and why; every secret the
//! chain handled goes to the masker.

use crate::model::aws::{AwsApiReport, InstanceMetadataOptions};
use crate::model::{Origin, Sourced, StackModel};
use liveprobe::imds::Reachability;
use std::collections::BTreeMap;
use std::time::Duration;

/// Runs the calls and stores what they said in `model.aws.api`.
pub fn ask_aws(model: &mut StackModel, environment: &BTreeMap<String, String>, timeout: Duration) {
    let region = model
        .aws
        .clients
        .iter()
        .find_map(|c| c.region.value.clone())
        .or_else(|| model.aws.imds().and_then(|i| i.region.clone()));
    let env =
        awsapi::Environment::from_vars(environment.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut config = awsapi::ClientConfig::new()
        .environment(env)
        .connect_timeout(timeout)
        .timeout(timeout);
    if let Some(region) = &region {
        config = config.region(region.clone());
    }
    // The instance role is asked for only where IMDS answered the probe:
    // elsewhere its address only times out.
    if let Some(imds) = model
        .aws
        .imds()
        .filter(|i| matches!(i.reachability, Reachability::Answered))
    {
        config = config.instance_metadata(imds.endpoint.clone());
    }
    let client = match config.build() {
        Ok(client) => client,
        Err(e) => {
            let report = AwsApiReport {
                region: region.unwrap_or_default(),
                errors: vec![format!("client: {e}")],
                ..AwsApiReport::default()
            };
            note(
                model,
                "aws credentials",
                format!("AWS API calls could not run: {e}"),
            );
            model.aws.api = Some(report);
            return;
        }
    };
    model
        .secret_values
        .extend(client.secret_values_for_masking());
    let how = client.resolution();
    note(
        model,
        "aws credentials",
        format!(
            "AWS API calls use {} ({}{}) in region {}",
            how.credentials_source,
            how.access_key_id_hint,
            if how.temporary_credentials {
                ", temporary"
            } else {
                ""
            },
            how.region
        ),
    );
    let instance_id = model.aws.imds().and_then(|i| i.instance_id.clone());
    let mut report = AwsApiReport {
        region: client.region().to_string(),
        credentials: Some(how.credentials_source.to_string()),
        ..AwsApiReport::default()
    };
    let (caller, instance, models) = std::thread::scope(|scope| {
        let caller = scope.spawn(|| client.sts_get_caller_identity());
        let instance = scope.spawn(|| {
            instance_id
                .as_deref()
                .map(|id| client.ec2_describe_instance(id))
        });
        // Only a stack that calls Bedrock needs the region's model list.
        let models = scope.spawn(|| {
            (!model.aws.clients.is_empty()).then(|| client.bedrock_list_foundation_models())
        });
        (
            caller.join().ok(),
            instance.join().ok().flatten(),
            models.join().ok().flatten(),
        )
    });
    // The role the caller runs as, for the policy simulator.
    let principal = match &caller {
        Some(Ok(identity)) => awsapi::simulation_principal_arn(&identity.arn),
        _ => None,
    };
    match caller {
        Some(Ok(identity)) => {
            report.caller_arn = Some(identity.arn);
            report.account = Some(identity.account);
            report.clock_skew_seconds = identity.clock_skew_seconds;
        }
        Some(Err(e)) => report.errors.push(format!("sts:GetCallerIdentity: {e}")),
        None => {}
    }
    match instance {
        Some(Ok(description)) => {
            let options = description.metadata_options.unwrap_or_default();
            report.instance = Some(InstanceMetadataOptions {
                instance_id: description.instance_id,
                http_tokens: options.http_tokens,
                hop_limit: options.http_put_response_hop_limit,
                instance_profile_arn: description.iam_instance_profile_arn,
            });
        }
        Some(Err(e)) => report.errors.push(format!("ec2:DescribeInstances: {e}")),
        None => {}
    }
    match models {
        Some(Ok(models)) => {
            report.foundation_models = models
                .into_iter()
                .map(|m| (m.model_id, m.inference_types_supported))
                .collect();
        }
        Some(Err(e)) => report
            .errors
            .push(format!("bedrock:ListFoundationModels: {e}")),
        None => {}
    }
    let skipped_simulation = principal.is_none();
    if let Some(principal) = principal {
        simulate(model, &client, &principal, &mut report);
    }
    for error in &report.errors {
        let call = error.split(": ").next().unwrap_or("aws");
        note(model, call, format!("AWS call {error}"));
    }
    if instance_id.is_none() {
        note(
            model,
            "ec2:DescribeInstances",
            "AWS call ec2:DescribeInstances not made: no instance ID (the instance metadata probe did not run or did not answer)".to_string(),
        );
    }
    if model.aws.clients.is_empty() {
        note(
            model,
            "bedrock:ListFoundationModels",
            "AWS call bedrock:ListFoundationModels not made: no Bedrock client in the code"
                .to_string(),
        );
    }
    if skipped_simulation && !model.aws.clients.is_empty() {
        note(
            model,
            "iam:SimulatePrincipalPolicy",
            "AWS call iam:SimulatePrincipalPolicy not made: the caller's role is unknown (sts:GetCallerIdentity gave no role)".to_string(),
        );
    }
    model.aws.api = Some(report);
}

/// A note about an AWS call, next to the probe notes.
fn note(model: &mut StackModel, call: &str, text: String) {
    model.notes.push(Sourced::new(
        text,
        Origin::Probe {
            probe: format!("aws {call}"),
        },
    ));
}

/// Asks IAM's policy simulator whether the caller's role may make each call
/// the app's Bedrock clients need (every action on every required ARN).
fn simulate(
    model: &StackModel,
    client: &awsapi::Client,
    principal: &str,
    report: &mut AwsApiReport,
) {
    if model.aws.clients.is_empty() {
        return;
    }
    let catalogue = model.aws.catalogue();
    for bedrock in &model.aws.clients {
        let Some(region) = &bedrock.region.value else {
            continue;
        };
        for setting in &bedrock.models {
            let Some(model_ref) = bedrock::ModelRef::parse(&setting.id) else {
                continue;
            };
            let account = report.account.as_deref();
            let arns: Vec<String> = catalogue
                .required_arns(&model_ref, region, account)
                .into_iter()
                .map(|r| r.arn)
                .collect();
            let arns: Vec<&str> = arns.iter().map(String::as_str).collect();
            let actions: Vec<&str> = bedrock.actions.iter().map(String::as_str).collect();
            match client.iam_simulate_principal_policy(principal, &actions, &arns) {
                Ok(list) => report.simulations.extend(
                    list.results
                        .into_iter()
                        .map(|r| (r.action, r.resource, r.decision)),
                ),
                Err(e) => {
                    report
                        .errors
                        .push(format!("iam:SimulatePrincipalPolicy: {e}"));
                    return;
                }
            }
        }
    }
}
