//! Helpers of the Bedrock checks: the request path of a Bedrock call, what the model catalogue says of each model a client calls, and the step that replaces a model ID.

use crate::checks::aws::support::aws_log_events;
use crate::checks::support::{recreate_service_step, replace_on_line, service_hop};
use crate::finding::{FixStep, Hop, HopState, Message};
use crate::model::StackModel;

/// The request path of a Bedrock call: service → SDK client → region → model
/// (→ the ARN IAM checks, when given).
pub fn bedrock_path(
    model: &StackModel,
    client: &crate::model::aws::BedrockClient,
    arn: Option<(&str, HopState)>,
) -> Vec<Hop> {
    let region_state = if client.region.value.is_some() {
        HopState::Ok
    } else {
        HopState::Broken
    };
    let mut hops = Vec::new();
    if let Some(id) = client.service {
        hops.push(service_hop(model, id, HopState::Ok));
    }
    hops.push(Hop {
        label: format!(
            "{} bedrock-runtime client",
            client.sdk.map_or("(no SDK call seen)", |s| s.name())
        ),
        state: HopState::Ok,
        origin: Some(client.origin.clone()),
    });
    let decided = client.region.decided();
    hops.push(Hop {
        label: format!(
            "region {}",
            client.region.value.as_deref().unwrap_or("(none)")
        ),
        state: region_state,
        origin: decided.map(|s| s.origin.clone()),
    });
    if let Some(m) = client.models.first() {
        hops.push(Hop {
            label: format!("model {}", m.id),
            state: HopState::Unknown,
            origin: Some(m.origin.clone()),
        });
    }
    if let Some((arn, state)) = arn {
        hops.push(Hop {
            label: arn.to_string(),
            state,
            origin: None,
        });
    }
    hops
}

/// A model a client calls, with what the catalogue says of it in the client's region.
#[derive(Clone)]
pub struct ModelVerdict<'a> {
    pub client: &'a crate::model::aws::BedrockClient,
    pub setting: &'a crate::model::aws::ModelSetting,
    pub model: bedrock::ModelRef,
    pub region: String,
    pub availability: bedrock::Availability,
}

impl ModelVerdict<'_> {
    /// A finding of `cause` about this model: subject, parameters, where the
    /// model is set (with `label`), and the client's log lines for `cause`.
    pub fn finding(
        &self,
        model: &StackModel,
        cause: &str,
        label: Message,
    ) -> crate::finding::Finding {
        crate::finding::Finding::new(cause)
            .subject(&self.client.name)
            .param("model", &self.setting.id)
            .param("region", &self.region)
            .evidence(
                self.setting.origin.clone(),
                label
                    .with("model", &self.setting.id)
                    .with("region", &self.region),
            )
            .log_lines(
                aws_log_events(model, &self.client.name, cause)
                    .events
                    .into_iter()
                    .take(3),
            )
    }

    /// The last fix step (recreate the service) and the request path, broken at `hop`.
    pub fn close(
        &self,
        model: &StackModel,
        mut finding: crate::finding::Finding,
        hop: &str,
    ) -> crate::finding::Finding {
        if let Some(id) = self.client.service {
            finding = finding.fix(recreate_service_step(model, id));
        }
        finding.path(bedrock_path(
            model,
            self.client,
            Some((hop, HopState::Broken)),
        ))
    }
}

/// Every model of every client whose region is known, judged by the catalogue.
///
/// Read through [`Facts::model_verdicts`](crate::checks::Facts::model_verdicts), which computes it once a run.
pub(in crate::checks) fn model_verdicts(model: &StackModel) -> Vec<ModelVerdict<'_>> {
    #[cfg(test)]
    crate::checks::facts::count("model_verdicts");
    if model.aws.clients.is_empty() {
        return Vec::new();
    }
    let catalogue = model.aws.catalogue();
    let mut out = Vec::new();
    for client in &model.aws.clients {
        let Some(region) = client.region.value.clone() else {
            continue;
        };
        for setting in &client.models {
            let Some(model_ref) = bedrock::ModelRef::parse(&setting.id) else {
                continue;
            };
            let availability = catalogue.availability(&model_ref, &region);
            out.push(ModelVerdict {
                client,
                setting,
                model: model_ref,
                region: region.clone(),
                availability,
            });
        }
    }
    out
}

/// Every model of every client whose region is not known, judged by what the
/// catalogue says of it anywhere (`region` is empty): an ID it does not know,
/// a profile prefix the model never has, and the lifecycle.
///
/// Read through [`Facts::regionless_verdicts`](crate::checks::Facts::regionless_verdicts), which computes it once a run.
pub(in crate::checks) fn regionless_verdicts(model: &StackModel) -> Vec<ModelVerdict<'_>> {
    #[cfg(test)]
    crate::checks::facts::count("regionless_verdicts");
    if model.aws.clients.is_empty() {
        return Vec::new();
    }
    let catalogue = model.aws.catalogue();
    let mut out = Vec::new();
    for client in model
        .aws
        .clients
        .iter()
        .filter(|c| c.region.value.is_none())
    {
        for setting in &client.models {
            let Some(model_ref) = bedrock::ModelRef::parse(&setting.id) else {
                continue;
            };
            let availability = catalogue.availability_anywhere(&model_ref);
            out.push(ModelVerdict {
                client,
                setting,
                model: model_ref,
                region: String::new(),
                availability,
            });
        }
    }
    out
}

/// The fix step that replaces a model ID where it is set.
pub fn replace_model_step(
    model: &StackModel,
    setting: &crate::model::aws::ModelSetting,
    new_id: &str,
    message: Message,
) -> FixStep {
    match replace_on_line(model, &setting.origin, &setting.id, new_id) {
        Some(edit) => FixStep::edit(message, edit),
        None => FixStep::say(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::support::test_tree;

    fn tree(region: &str) -> (tempfile::TempDir, StackModel) {
        test_tree(&[
            ("compose.yaml", &format!("services:\n  app:\n    build: .\n    environment:\n{region}      LOG_LEVEL: info\n")),
            ("app.py", "import boto3\nclient = boto3.client(\"bedrock-runtime\")\nclient.converse(modelId=\"amazon.nova-micro-v1:0\", messages=[])\n"),
        ])
    }

    /// A client with a region is judged there; one without, anywhere.
    #[test]
    fn verdicts_split_on_whether_the_region_is_known() {
        let (_dir, model) = tree("      AWS_DEFAULT_REGION: us-east-1\n");
        let verdicts = model_verdicts(&model);
        assert_eq!(verdicts.len(), 1);
        assert_eq!(
            (verdicts[0].setting.id.as_str(), verdicts[0].region.as_str()),
            ("amazon.nova-micro-v1:0", "us-east-1")
        );
        assert!(regionless_verdicts(&model).is_empty());
        let (_dir, model) = tree("");
        assert!(model_verdicts(&model).is_empty());
        assert_eq!(regionless_verdicts(&model)[0].region, "");
    }

    /// The path runs service → client → region → model → ARN, broken where told.
    #[test]
    fn the_bedrock_path_and_the_model_replacement() {
        let (_dir, model) = tree("      AWS_DEFAULT_REGION: us-east-1\n");
        let client = &model.aws.clients[0];
        let hops = bedrock_path(&model, client, Some(("arn:x", HopState::Broken)));
        let labels: Vec<&str> = hops.iter().map(|h| h.label.as_str()).collect();
        assert!(labels[0].starts_with("service app"), "{labels:?}");
        assert!(
            labels.contains(&"region us-east-1")
                && labels.contains(&"model amazon.nova-micro-v1:0"),
            "{labels:?}"
        );
        assert_eq!(
            hops.last().map(|h| (h.label.as_str(), h.state)),
            Some(("arn:x", HopState::Broken))
        );
        let step = replace_model_step(
            &model,
            &client.models[0],
            "amazon.nova-lite-v1:0",
            Message::new("x"),
        );
        let edit = step.edit.expect("an edit where the model is set");
        assert!(
            edit.after.contains("modelId=\"amazon.nova-lite-v1:0\""),
            "{}",
            edit.after
        );
    }
}
