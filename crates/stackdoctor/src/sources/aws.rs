//! The AWS source: what each service needs from AWS and how it will get it.
//!
//! It reads the app's code for Bedrock clients (model IDs, regions, the SDK),
//! resolves each client's region the way its SDK does, reads how each
//! container gets credentials, and loads the project's IAM policies. It runs
//! after compose (it needs services, their environment and build contexts).

use super::aws_credentials::credentials_of;
use super::bedrock_use::{self, BedrockUse, Sdk, UseKind};
use super::inventory::{File, Inventory, Kind};
use crate::model::aws::{
    BedrockClient, CodeEnvRead, ModelSetting, RegionResolution, RegionSource, RegionStep,
    ServiceCredentials,
};
use crate::model::origin::relative;
use crate::model::{EnvEntry, Origin, Service, ServiceId, Sourced, StackModel, ValueFrom};

/// Example env files: what the project's author meant the values to be.
const ENV_EXAMPLES: &[&str] = &[
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.dist",
    "env.example",
];

/// Fills `model.aws` from the files (the live part is added by the probes).
pub fn load(
    inventory: &Inventory,
    model: &mut StackModel,
    environment: &std::collections::BTreeMap<String, String>,
) {
    model.aws.today = environment
        .get("STACKDOCTOR_TODAY")
        .cloned()
        .unwrap_or_else(today);
    load_clients(inventory, model);
    model.aws.credentials = model
        .services
        .iter()
        .enumerate()
        .filter(|(id, s)| {
            uses_aws_config(s) || model.aws.clients.iter().any(|c| c.service == Some(*id))
        })
        .map(|(id, s)| ServiceCredentials {
            service: id,
            name: s.name.clone(),
            view: credentials_of(model, s),
        })
        .collect();
    model.aws.env_examples = env_examples(model);
}

/// Reads a user's model catalogue file (`--bedrock-models`).
pub fn load_catalogue(model: &mut StackModel, path: &std::path::Path) -> Result<(), crate::Error> {
    let text = std::fs::read_to_string(path).map_err(|source| crate::Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let catalogue = bedrock::Catalogue::with_user_file(&text).map_err(|e| match e {
        bedrock::CatalogueError::Toml(e) => crate::config::toml_error(path, &text, &e),
        // A catalogue that parses but does not hold together has no one position.
        other => crate::Error::Usage(format!("{}: {other}", path.display())),
    })?;
    model.aws.user_catalogue = Some(Box::new(catalogue));
    Ok(())
}

/// Today's date (UTC, `YYYY-MM-DD`); `STACKDOCTOR_TODAY` in the environment
/// fixes it for reproducible runs.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (y, m, d) = civildate::civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// A service whose environment or mounts say it talks to AWS.
fn uses_aws_config(service: &crate::model::Service) -> bool {
    service
        .environment
        .iter()
        .any(|e| e.name.to_ascii_uppercase().contains("AWS_"))
        || service.mounts.iter().any(|m| m.value.1.contains(".aws"))
}

/// `KEY=value` lines of the projects' example env files (secrets skipped).
fn env_examples(model: &mut StackModel) -> Vec<Sourced<(String, String)>> {
    let mut out = Vec::new();
    let mut sources = Vec::new();
    for project in &model.projects {
        for name in ENV_EXAMPLES {
            let path = project.dir.join(name);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(entries) = compose::dotenv::parse(&text, &|_| None) else {
                continue;
            };
            sources.push((path.clone(), text));
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
    for (path, text) in sources {
        model.sources.insert(&path, &text);
    }
    out
}

/// Policy files are small; larger JSON files are data, not policies.
const MAX_POLICY_FILE: u64 = 1 << 20;

/// Loads the IAM policies of the project (JSON files that hold a `Statement`)
/// and those given with `--iam-policy`. A given file that does not parse is
/// an error; a found one that does not parse becomes a note.
pub fn load_policies(
    inventory: &Inventory,
    model: &mut StackModel,
    given: &[std::path::PathBuf],
) -> Result<(), crate::Error> {
    for path in given {
        let text = std::fs::read_to_string(path).map_err(|source| crate::Error::Read {
            path: path.clone(),
            source,
        })?;
        let policies = iampolicy::find_policies(&text).map_err(|e| crate::Error::Data {
            path: path.clone(),
            line: e.line() as u32,
            column: e.column() as u32,
            message: e.message(),
        })?;
        if policies.is_empty() {
            return Err(crate::Error::Usage(format!(
                "{}: no IAM policy (no `Statement`) in this file",
                path.display()
            )));
        }
        model.sources.insert(path, &text);
        model.aws.policies.push(crate::model::aws::PolicyFile {
            path: path.clone(),
            policies,
            given: true,
        });
    }
    for path in inventory.of(Kind::Json).map(|f| f.path.clone()) {
        if given
            .iter()
            .any(|g| g.canonicalize().ok() == path.canonicalize().ok())
        {
            continue;
        }
        let Some(text) = inventory.text(&path) else {
            continue;
        };
        if !text.contains("\"Statement\"") {
            continue;
        }
        match iampolicy::find_policies(&text) {
            Ok(policies) if !policies.is_empty() => {
                model.sources.insert(&path, &text);
                model.aws.policies.push(crate::model::aws::PolicyFile {
                    path,
                    policies,
                    given: false,
                });
            }
            Ok(_) => {}
            Err(e) => model.notes.push(Sourced::new(
                format!("not read as an IAM policy: {}", e.message()),
                Origin::file(&path, e.line() as u32, e.column() as u32, 0),
            )),
        }
    }
    Ok(())
}

/// The files the IAM policy source reads: JSON files that are not a
/// package manager's, small enough to be a policy.
pub fn claims(file: &File) -> bool {
    file.name.ends_with(".json")
        && !file.outside
        && !matches!(
            file.name.as_str(),
            "package.json" | "package-lock.json" | "tsconfig.json" | "composer.json"
        )
        && file.size <= MAX_POLICY_FILE
}

/// Builds one Bedrock client per service (or code folder) whose code calls Bedrock.
pub fn load_clients(inventory: &Inventory, model: &mut StackModel) {
    // Env files: compose gives their values to services by interpolation, so
    // only model IDs no service receives are kept (below, after the code's).
    let (env_uses, uses): (Vec<BedrockUse>, Vec<BedrockUse>) = bedrock_use::scan_files(inventory)
        .into_iter()
        .partition(|u| is_env_file(&u.file));
    let env_models: Vec<BedrockUse> = env_uses
        .into_iter()
        .filter(|u| matches!(u.kind, UseKind::ModelId { .. }))
        .collect();
    // Evidence shows source lines: keep the text of every file a use is in.
    let mut files: Vec<&std::path::Path> = uses
        .iter()
        .chain(&env_models)
        .map(|u| u.file.as_path())
        .collect();
    files.dedup();
    for file in files {
        if model.sources.text(file).is_none() {
            if let Some(bytes) = inventory.read(file) {
                model.sources.insert(file, &String::from_utf8_lossy(&bytes));
            }
        }
    }
    // Where each service's files are: its build context, and what it bind-mounts
    // (a gateway's `config.yaml` mounted into its container).
    let contexts: Vec<(ServiceId, std::path::PathBuf)> = model
        .services
        .iter()
        .enumerate()
        .flat_map(|(id, s)| {
            let build = s
                .build_context
                .as_ref()
                .and_then(|b| b.value.canonicalize().ok());
            let mounts = s
                .mounts
                .iter()
                .filter_map(|m| m.value.0.canonicalize().ok());
            build.into_iter().chain(mounts).map(move |dir| (id, dir))
        })
        .collect();
    // The service whose build context (or mount) is the deepest path holding the file.
    let owner = |file: &std::path::Path| -> Option<ServiceId> {
        let file = file.canonicalize().ok()?;
        contexts
            .iter()
            .filter(|(_, dir)| file.starts_with(dir))
            .max_by_key(|(_, dir)| dir.components().count())
            .map(|(id, _)| *id)
    };
    // What the code reads itself: a name no SDK reads may be the app's own setting.
    let code_env_reads: Vec<CodeEnvRead> = uses
        .iter()
        .filter_map(|u| {
            let variable = match &u.kind {
                UseKind::RegionFromEnv { variable, .. }
                | UseKind::ModelFromEnv { variable, .. }
                | UseKind::EnvRead { variable } => variable.clone(),
                _ => return None,
            };
            Some(CodeEnvRead {
                service: owner(&u.file),
                variable,
                origin: u.origin(),
            })
        })
        .collect();
    model.aws.code_env_reads = code_env_reads;
    // Uses grouped by owner (a service, else the code's folder), in first-seen order.
    let mut groups: Vec<(Result<ServiceId, std::path::PathBuf>, Vec<BedrockUse>)> = Vec::new();
    for u in uses {
        let key = owner(&u.file)
            .ok_or_else(|| u.file.parent().map(|p| p.to_path_buf()).unwrap_or_default());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(u),
            None => groups.push((key, vec![u])),
        }
    }
    for (key, uses) in groups {
        let client_use = uses
            .iter()
            .find(|u| matches!(u.kind, UseKind::Client { .. }));
        let has_model = uses.iter().any(|u| {
            matches!(
                u.kind,
                UseKind::ModelId { .. } | UseKind::ModelFromEnv { .. }
            )
        });
        let Some(client_use) = client_use.or(if has_model { uses.first() } else { None }) else {
            continue;
        };
        let (service, name) = match &key {
            Ok(id) => (Some(*id), model.services[*id].name.clone()),
            Err(dir) => (None, relative(dir, &model.root).display().to_string()),
        };
        let sdk = match &client_use.kind {
            UseKind::Client { sdk, .. } => Some(*sdk),
            _ => None,
        };
        let region_argument = match &client_use.kind {
            UseKind::Client {
                region_argument, ..
            } => region_argument.clone(),
            _ => None,
        };
        let svc = service.map(|id| &model.services[id]);
        let region = resolve_region(
            model,
            svc,
            sdk,
            region_argument.as_deref(),
            client_use,
            &uses,
        );
        let operations: Vec<Sourced<String>> = uses
            .iter()
            .filter_map(|u| match &u.kind {
                UseKind::Api { operation } => {
                    Some(Sourced::new(format!("{operation:?}"), u.origin()))
                }
                _ => None,
            })
            .collect();
        let mut actions: Vec<String> = uses
            .iter()
            .filter_map(|u| match &u.kind {
                UseKind::Api { operation } => Some(operation.iam_action().to_string()),
                _ => None,
            })
            .collect();
        if actions.is_empty() {
            actions = vec![
                "bedrock:InvokeModel".into(),
                "bedrock:InvokeModelWithResponseStream".into(),
            ];
        }
        actions.sort();
        actions.dedup();
        let models = model_settings(svc, &uses);
        model.aws.clients.push(BedrockClient {
            service,
            name,
            sdk,
            origin: client_use.origin(),
            operations,
            actions,
            models,
            region,
        });
    }
    add_env_file_models(model, env_models);
}

/// Model IDs in env files that reach no client: a `.env` that lists models
/// (`BEDROCK_MODELS=a,b`) for a tool or script the scan does not see is
/// still checked against the catalogue, as a client of its folder.
fn add_env_file_models(model: &mut StackModel, env_models: Vec<BedrockUse>) {
    for u in env_models {
        let UseKind::ModelId { model: id } = &u.kind else {
            continue;
        };
        // Example files (`.env.example`) document values; nothing runs with them.
        let name = u.file.file_name().map(|n| n.to_string_lossy().to_string());
        if name.is_some_and(|n| ENV_EXAMPLES.contains(&n.as_str())) {
            continue;
        }
        if model
            .aws
            .clients
            .iter()
            .any(|c| c.models.iter().any(|m| &m.id == id))
        {
            continue;
        }
        let dir = u.file.parent().map(|p| p.to_path_buf()).unwrap_or_default();
        let name = relative(&dir, &model.root).display().to_string();
        let setting = ModelSetting {
            id: id.clone(),
            origin: u.origin(),
            set_in: "environment".to_string(),
        };
        match model
            .aws
            .clients
            .iter_mut()
            .find(|c| c.service.is_none() && c.name == name)
        {
            Some(client) => client.models.push(setting),
            None => model.aws.clients.push(BedrockClient {
                service: None,
                name,
                sdk: None,
                origin: u.origin(),
                operations: Vec::new(),
                actions: vec![
                    "bedrock:InvokeModel".into(),
                    "bedrock:InvokeModelWithResponseStream".into(),
                ],
                models: vec![setting],
                region: RegionResolution::default(),
            }),
        }
    }
}

/// A literal's setting that configures a client (`region_name=`, `region:`,
/// `config.WithRegion(`), not a variable's default or free text.
fn is_client_setting(setting: &str) -> bool {
    !(setting == "literal"
        || setting == "in text"
        || setting.starts_with("default of")
        || setting.starts_with("AWS_"))
}

fn is_env_file(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    name.starts_with(".env") || name.ends_with(".env")
}

/// A non-empty value of the service's environment.
fn env_value<'a>(service: Option<&'a Service>, name: &str) -> Option<&'a EnvEntry> {
    service?
        .env(name)
        .filter(|e| e.value.as_deref().is_some_and(|v| !v.trim().is_empty()))
}

/// The steps that say where a container variable's value came from.
fn variable_steps(
    model: &StackModel,
    service: &Service,
    entry: &EnvEntry,
    source: RegionSource,
    decided: bool,
) -> Vec<RegionStep> {
    let mut steps = vec![RegionStep {
        source,
        variable: Some(entry.name.clone()),
        value: entry.value.clone(),
        origin: entry.origin.clone(),
        decided,
    }];
    if let (ValueFrom::Default, Some(origin)) = (entry.value_from, &entry.value_origin) {
        let variable = entry.variable.clone().unwrap_or_else(|| entry.name.clone());
        steps.push(RegionStep {
            source: RegionSource::ComposeValue,
            variable: Some(variable.clone()),
            value: entry.value.clone(),
            origin: origin.clone(),
            decided: false,
        });
        let project = &model.projects[service.project];
        let env_file = project.dir.join(".env");
        let reason = if project.env_files.is_empty() {
            format!(
                "{} does not exist",
                relative(&env_file, &model.root).display()
            )
        } else {
            format!("no env file sets {variable}")
        };
        steps.push(RegionStep {
            source: RegionSource::MissingEnvFile,
            variable: Some(variable),
            value: None,
            origin: Origin::implied(reason),
            decided: false,
        });
    } else if let (ValueFrom::EnvFile | ValueFrom::Shell, Some(origin)) =
        (entry.value_from, &entry.value_origin)
    {
        steps.push(RegionStep {
            source: RegionSource::ComposeValue,
            variable: entry.variable.clone(),
            value: entry.value.clone(),
            origin: origin.clone(),
            decided: false,
        });
    }
    steps
}

/// Resolves the client's region the way its SDK does, keeping every step.
fn resolve_region(
    model: &StackModel,
    service: Option<&Service>,
    sdk: Option<Sdk>,
    region_argument: Option<&str>,
    client: &BedrockUse,
    uses: &[BedrockUse],
) -> RegionResolution {
    let mut steps = Vec::new();
    let decide = |steps: Vec<RegionStep>| RegionResolution {
        value: steps
            .iter()
            .find(|s| s.decided)
            .and_then(|s| s.value.clone()),
        steps,
    };
    let same_file = |u: &&BedrockUse| u.file == client.file;
    if region_argument.is_some() {
        // A literal given where the client is created.
        if let Some(lit) = uses.iter().filter(same_file).find_map(|u| match &u.kind {
            UseKind::RegionLiteral { region, setting } if is_client_setting(setting) => {
                Some((u, region))
            }
            _ => None,
        }) {
            steps.push(RegionStep {
                source: RegionSource::CodeLiteral,
                variable: None,
                value: Some(lit.1.clone()),
                origin: lit.0.origin(),
                decided: true,
            });
            return decide(steps);
        }
        // The code reads a variable, with or without a default.
        if let Some((read, variable, default)) = uses.iter().find_map(|u| match &u.kind {
            UseKind::RegionFromEnv {
                variable, default, ..
            } => Some((u, variable, default)),
            _ => None,
        }) {
            steps.push(RegionStep {
                source: RegionSource::CodeReadsVariable,
                variable: Some(variable.clone()),
                value: None,
                origin: read.origin(),
                decided: false,
            });
            match (service, env_value(service, variable)) {
                (Some(svc), Some(entry)) => steps.extend(variable_steps(
                    model,
                    svc,
                    entry,
                    RegionSource::ContainerVariable,
                    true,
                )),
                _ => steps.push(RegionStep {
                    source: RegionSource::CodeDefault,
                    variable: Some(variable.clone()),
                    value: default.clone(),
                    origin: read.origin(),
                    decided: default.is_some(),
                }),
            }
            return decide(steps);
        }
        steps.push(RegionStep {
            source: RegionSource::CodeExpression,
            variable: None,
            value: None,
            origin: client.origin(),
            decided: true,
        });
        return decide(steps);
    }
    let Some(sdk) = sdk else {
        // No client seen (a gateway's config, a notebook's values): a region
        // the same files give to a region setting (`aws_region_name:`), when
        // they name only one.
        let named: Vec<&BedrockUse> = uses
            .iter()
            .filter(|u| match &u.kind {
                UseKind::RegionLiteral { setting, .. } => {
                    setting.to_ascii_lowercase().contains("region")
                        && !setting.starts_with("default of")
                }
                _ => false,
            })
            .collect();
        let region_of = |u: &BedrockUse| match &u.kind {
            UseKind::RegionLiteral { region, .. } => region.clone(),
            _ => String::new(),
        };
        if let Some(first) = named.first() {
            if named.iter().all(|u| region_of(u) == region_of(first)) {
                steps.push(RegionStep {
                    source: RegionSource::CodeLiteral,
                    variable: None,
                    value: Some(region_of(first)),
                    origin: first.origin(),
                    decided: true,
                });
            }
        }
        return decide(steps);
    };
    let variables = sdk.region_variables();
    for name in variables {
        if let (Some(svc), Some(entry)) = (service, env_value(service, name)) {
            steps.extend(variable_steps(
                model,
                svc,
                entry,
                RegionSource::ContainerVariable,
                true,
            ));
            return decide(steps);
        }
    }
    // boto3 reads AWS_DEFAULT_REGION only: an AWS_REGION it ignores is worth showing.
    for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if variables.contains(&name) {
            continue;
        }
        if let Some(entry) = env_value(service, name) {
            steps.push(RegionStep {
                source: RegionSource::IgnoredVariable,
                variable: Some(name.to_string()),
                value: entry.value.clone(),
                origin: entry.origin.clone(),
                decided: false,
            });
        }
    }
    if let Some(region) = sdk.fallback_region() {
        steps.push(RegionStep {
            source: RegionSource::SdkDefault,
            variable: None,
            value: Some(region.to_string()),
            origin: client.origin(),
            decided: true,
        });
    } else if matches!(sdk, Sdk::AwsSdkRust | Sdk::AwsSdkJavaV2 | Sdk::AwsSdkKotlin) {
        if let Some(region) = model.aws.imds().and_then(|i| i.region.clone()) {
            steps.push(RegionStep {
                source: RegionSource::InstanceMetadata,
                variable: None,
                value: Some(region),
                origin: Origin::Probe {
                    probe: "IMDS placement/region".into(),
                },
                decided: true,
            });
        }
    }
    decide(steps)
}

/// The models a client calls: env values the code reads (or their code
/// defaults), model-like env values, and literals in the code.
fn model_settings(service: Option<&Service>, uses: &[BedrockUse]) -> Vec<ModelSetting> {
    let mut out: Vec<ModelSetting> = Vec::new();
    let mut push = |id: String, origin: Origin, set_in: &str| {
        if !out.iter().any(|m| m.id == id) {
            out.push(ModelSetting {
                id,
                origin,
                set_in: set_in.to_string(),
            });
        }
    };
    let mut defaults_at = Vec::new();
    for u in uses {
        if let UseKind::ModelFromEnv { variable, default } = &u.kind {
            match env_value(service, variable) {
                Some(entry) => {
                    let origin = entry
                        .value_origin
                        .clone()
                        .filter(|_| entry.value_from == ValueFrom::Default)
                        .unwrap_or_else(|| entry.origin.clone());
                    push(
                        entry.value.clone().unwrap_or_default(),
                        origin,
                        "environment",
                    );
                }
                None => {
                    if let Some(d) = default {
                        push(d.clone(), u.origin(), "code");
                    }
                }
            }
            defaults_at.push((u.file.clone(), u.line));
        }
    }
    if let Some(svc) = service {
        for e in &svc.environment {
            let value = e.value.as_deref().unwrap_or_default();
            if e.name.to_ascii_uppercase().contains("MODEL") {
                // One ID, or a list (`BEDROCK_MODELS=a,b`).
                let ids = bedrock::ids::model_ids_in(value);
                if ids.is_empty() && bedrock::ids::ModelRef::parse(value).is_some() {
                    push(value.to_string(), e.origin.clone(), "environment");
                }
                for id in ids {
                    push(id, e.origin.clone(), "environment");
                }
            }
        }
    }
    for u in uses {
        if let UseKind::ModelId { model } = &u.kind {
            if !defaults_at.contains(&(u.file.clone(), u.line)) {
                push(model.clone(), u.origin(), "code");
            }
        }
    }
    out
}
