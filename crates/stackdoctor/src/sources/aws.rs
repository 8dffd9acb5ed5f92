//! The AWS source: what each service needs from AWS and how it will get it.
//!
//! It reads the app's code for Bedrock clients (model IDs, regions, the SDK),
//! resolves each client's region the way its SDK does, reads how each
//! container gets credentials, and loads the project's IAM policies. It runs
//! after compose (it needs services, their environment and build contexts).

use super::aws_credentials::credentials_of;
use crate::model::aws::ServiceCredentials;
use crate::model::{Origin, Sourced, StackModel};

/// Example env files: what the project's author meant the values to be.
const ENV_EXAMPLES: &[&str] = &[".env.example", ".env.sample", ".env.template", ".env.dist", "env.example"];

/// Fills `model.aws` from the files (the live part is added by the probes).
pub fn load(model: &mut StackModel) {
    model.aws.credentials = model
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| uses_aws_config(s))
        .map(|(id, s)| ServiceCredentials {
            service: id,
            name: s.name.clone(),
            view: credentials_of(model, s),
        })
        .collect();
    model.aws.env_examples = env_examples(model);
}

/// A service whose environment or mounts say it talks to AWS.
fn uses_aws_config(service: &crate::model::Service) -> bool {
    service.environment.iter().any(|e| e.name.starts_with("AWS_"))
        || service.mounts.iter().any(|m| m.value.1.contains(".aws"))
}

/// `KEY=value` lines of the projects' example env files (secrets skipped).
fn env_examples(model: &StackModel) -> Vec<Sourced<(String, String)>> {
    let mut out = Vec::new();
    for project in &model.projects {
        for name in ENV_EXAMPLES {
            let path = project.dir.join(name);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(entries) = compose::dotenv::parse(&text, &|_| None) else {
                continue;
            };
            for e in entries {
                if crate::secrets::is_secret_name(&e.key) {
                    continue;
                }
                out.push(Sourced::new(
                    (e.key, e.value),
                    Origin::file(&path, e.line, e.column, 0),
                ));
            }
        }
    }
    out
}
