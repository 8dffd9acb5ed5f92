//! Sources read one thing each and fill the [`StackModel`]. The project is
//! walked once ([`inventory`]); each source takes the files it claimed there.
//!
//! Order matters only where one source needs another's result: compose
//! first (services and networks), then the `docker run` commands of scripts
//! (they join compose's networks by name), then Caddyfiles (they take `{$VAR}` from
//! the Caddy service's environment), then logs, then name resolution.

pub mod api_answers;
pub mod api_clients;
pub mod api_probes;
pub mod api_servers;
pub mod aws;
#[cfg(feature = "aws")]
pub mod aws_api;
pub mod aws_credentials;
pub mod aws_variables;
pub mod bedrock_use;
pub mod budget;
pub mod caddy;
pub mod cdk;
pub mod cloudformation;
pub mod compose;
pub mod contracts;
pub mod copilot;
pub mod docker_run;
#[cfg(feature = "aws")]
pub mod ecs_api;
pub mod ecs_definitions;
pub mod ecs_runtime;
pub mod ecspresso;
pub mod engine;
pub mod engine_live;
pub mod iac;
pub mod inventory;
pub mod labels;
pub mod listen;
pub mod logs;
pub mod nginx;
pub mod probes;
pub mod python_clients;
pub mod resolve;
pub mod shell;
pub mod terraform;

use crate::error::Error;
use crate::model::{RequestedUrl, StackModel};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Everything the user pointed stackdoctor at.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub root: PathBuf,
    pub compose: compose::ComposeInputs,
    pub caddyfiles: Vec<PathBuf>,
    pub logs: Vec<PathBuf>,
    /// The user's extra signature files.
    pub signatures: Vec<PathBuf>,
    pub url: Option<String>,
    /// ecspresso flags (`--config`, `--envfile`, `--ext-str`, `--ext-code`).
    pub ecspresso: ecspresso::EcspressoInputs,
    /// IAM policy files given with `--iam-policy`.
    pub iam_policies: Vec<PathBuf>,
    /// Terraform variable files given with `--tfvars`.
    pub tfvars: Vec<PathBuf>,
    /// A Bedrock model catalogue file given with `--bedrock-models`.
    pub bedrock_models: Option<PathBuf>,
    /// API error contracts given with `--contract`.
    pub contracts: Vec<PathBuf>,
    /// What to probe live; `None` with `--offline`. The IMDS endpoint is only
    /// probed when the stack uses AWS.
    pub probes: Option<liveprobe::ProbePlan>,
    /// How long a named pipe or device given with `--logs` may stay silent
    /// (`--probe-timeout`; 2 s when unset).
    pub logs_idle: Option<std::time::Duration>,
    /// `--aws`: ask AWS itself (needs the `aws` feature).
    pub ask_aws: bool,
    /// The shell environment compose interpolation sees.
    pub environment: BTreeMap<String, String>,
}

/// What may be read: files under the project's folder, and outside it only
/// the files the user named on the command line. Links are resolved first,
/// so a link in the project that leads out of it is outside.
#[derive(Debug, Clone, Default)]
pub struct ReadScope {
    /// The canonical project folder.
    pub root: PathBuf,
    /// Canonical files named on the command line.
    pub named: Vec<PathBuf>,
}

/// What is said of a file that is outside the project. Written in brackets
/// after the path: `secret.txt: outside …` would read as a secret's assignment.
pub const OUTSIDE: &str = "outside the project, not read";

impl ReadScope {
    pub fn new(root: &std::path::Path, inputs: &Inputs) -> ReadScope {
        let named = inputs
            .compose
            .files
            .iter()
            .chain(&inputs.compose.env_files)
            .chain(&inputs.caddyfiles)
            .chain(&inputs.logs)
            .chain(&inputs.signatures)
            .chain(&inputs.iam_policies)
            .chain(&inputs.tfvars)
            .chain(&inputs.bedrock_models)
            .chain(&inputs.contracts)
            .chain(&inputs.ecspresso.config)
            .chain(&inputs.ecspresso.envfiles)
            .filter_map(|p| p.canonicalize().ok())
            .collect();
        ReadScope {
            root: root.to_path_buf(),
            named,
        }
    }

    /// Whether `path` may be read. A path that does not resolve is allowed:
    /// reading it fails with an error that shows no content.
    pub fn allows(&self, path: &std::path::Path) -> bool {
        match path.canonicalize() {
            Ok(real) => real.starts_with(&self.root) || self.named.contains(&real),
            Err(_) => true,
        }
    }

    pub fn caddy_limit(&self) -> caddyfile::ReadLimit {
        caddyfile::ReadLimit {
            dirs: vec![self.root.clone()],
            files: self.named.clone(),
        }
    }

    pub fn ecspresso_bounds(&self) -> ::ecspresso::ReadBounds {
        ::ecspresso::ReadBounds {
            dirs: vec![self.root.clone()],
            files: self.named.clone(),
        }
    }
}

/// Reads every source and returns the model of the stack.
/// The project folder, canonical; an error when it is not a folder.
fn project_root(inputs: &Inputs) -> Result<PathBuf, Error> {
    if !inputs.root.is_dir() {
        return Err(Error::Usage(format!(
            "{}: not a folder (give the folder of the project)",
            inputs.root.display()
        )));
    }
    inputs.root.canonicalize().map_err(|source| Error::Read {
        path: inputs.root.clone(),
        source,
    })
}

/// Only the project's API contracts (for `explain CODE`): the same walk and
/// reader as [`build_model`], none of the other sources.
pub fn load_contracts(inputs: &Inputs) -> Result<StackModel, Error> {
    let root = project_root(inputs)?;
    let inventory = inventory::Inventory::scan(&root);
    let scope = ReadScope::new(&root, inputs);
    let mut model = StackModel {
        root,
        ..StackModel::default()
    };
    contracts::load(&inventory, &mut model, &inputs.contracts, &scope);
    Ok(model)
}

pub fn build_model(inputs: &Inputs) -> Result<StackModel, Error> {
    let root = project_root(inputs)?;
    let mut model = StackModel {
        root: root.clone(),
        ..StackModel::default()
    };
    // The one walk of the project: every source takes its files from here.
    let inventory = inventory::Inventory::scan(&root);
    if let Some(cut) = &inventory.cut {
        model.notes.push(crate::model::Sourced::new(
            cut.clone(),
            crate::model::Origin::implied(root.display().to_string()),
        ));
    }
    compose::load_projects(&inventory, &inputs.compose, &inputs.environment, &mut model)?;
    docker_run::load(&inventory, &mut model);
    let scope = ReadScope::new(&root, inputs);
    let caddyfiles = caddy::find_caddyfiles(&inventory, &inputs.caddyfiles, &model);
    caddy::load_caddyfiles(&caddyfiles, &mut model, &scope);
    labels::load(&inventory, &mut model, &scope);
    nginx::load(&inventory, &mut model, &scope);
    ecspresso::load(
        &inventory,
        &mut model,
        &inputs.ecspresso,
        &inputs.environment,
        &scope,
    )?;
    contracts::load(&inventory, &mut model, &inputs.contracts, &scope);
    api_clients::load(&inventory, &mut model);
    ecs_definitions::load(&inventory, &mut model, &inputs.environment, &scope);
    terraform::load(
        &inventory,
        &mut model,
        &inputs.tfvars,
        &inputs.environment,
        &scope,
    );
    cloudformation::load(&inventory, &mut model, &scope);
    copilot::load(&inventory, &mut model, &scope);
    cdk::load(&inventory, &mut model, &scope);
    let signatures = logs::Signatures::new(&inputs.signatures)?;
    // Streams have a byte budget, and named pipes an idle timeout: the probe timeout.
    let idle = inputs
        .logs_idle
        .unwrap_or(std::time::Duration::from_secs(2));
    let limits = logs::ReadLimits::diagnose(idle, &inputs.environment);
    let scan = if inputs.logs.is_empty() {
        logs::LogScan::default()
    } else {
        logs::scan_inputs(&inputs.logs, signatures.get()?, limits)?
    };
    ecs_runtime::load(&mut model, &scan.texts);
    engine::load(&mut model, &scan.texts);
    contracts::observe_codes(&mut model, &scan.texts);
    api_answers::load(&mut model, &scan.texts);
    model.log_notes = scan.notes;
    model.log_events = scan.events;
    labels::join_log_lines(&mut model);
    ecs_runtime::attribute_lines(&mut model);
    model.unrecognised_errors = scan.unrecognised;
    model.logs_read = crate::model::LogsRead {
        inputs: scan.scanned.files,
        lines: scan.scanned.lines,
    };
    if let Some(url) = &inputs.url {
        model.requested_url = Some(parse_url(url)?);
    }
    resolve::resolve_upstreams(&mut model);
    if let Some(path) = &inputs.bedrock_models {
        aws::load_catalogue(&mut model, path)?;
    }
    aws::load(&inventory, &mut model, &inputs.environment);
    aws::load_policies(&inventory, &mut model, &inputs.iam_policies)?;
    if let Some(plan) = &inputs.probes {
        // Headers given for the API probes (credentials) are never printed.
        model.secret_values.extend(
            plan.api
                .iter()
                .flat_map(|r| &r.headers)
                .map(|(_, value)| value.clone()),
        );
        let mut plan = plan.clone();
        if !model.aws.uses_aws() {
            plan.imds = None;
        }
        // The engine is asked on its own thread while the other probes run.
        let engine = engine_live::start(&model, &inputs.environment, plan.timeout);
        if plan.imds.is_some() || !plan.apps.is_empty() || !plan.api.is_empty() {
            let live = liveprobe::run(&plan);
            probes::add_probe_events(&mut model, &live, &signatures)?;
            probes::add_probe_notes(&mut model, &live);
            api_probes::load(&mut model, &live.api);
            model.aws.live = Some(live);
        }
        if let Some(engine) = engine {
            engine_live::finish(&mut model, engine, &signatures)?;
        }
    }
    engine::name_log_addresses(&mut model);
    if inputs.ask_aws {
        let timeout = inputs
            .probes
            .as_ref()
            .map_or(std::time::Duration::from_secs(2), |p| p.timeout);
        ask_aws(&mut model, &inputs.environment, timeout)?;
    }
    Ok(model)
}

#[cfg(feature = "aws")]
fn ask_aws(
    model: &mut StackModel,
    environment: &BTreeMap<String, String>,
    timeout: std::time::Duration,
) -> Result<(), Error> {
    if model.ecs.deployments.is_empty() || model.aws.uses_aws() {
        aws_api::ask_aws(model, environment, timeout);
    }
    ecs_api::ask_ecs(model, environment, timeout);
    Ok(())
}

#[cfg(not(feature = "aws"))]
fn ask_aws(
    _model: &mut StackModel,
    _environment: &BTreeMap<String, String>,
    _timeout: std::time::Duration,
) -> Result<(), Error> {
    Err(Error::Usage(
        "--aws: this stackdoctor was built without the `aws` feature".into(),
    ))
}

/// Parses `--url` (`https://host[:port][/path]`; a bare host means https).
pub fn parse_url(text: &str) -> Result<RequestedUrl, Error> {
    let (scheme, rest) = match text.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => ("https".to_string(), text),
    };
    if scheme != "http" && scheme != "https" {
        return Err(Error::Usage(format!(
            "--url {text}: the scheme must be http or https"
        )));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
            let port = port
                .parse::<u16>()
                .map_err(|_| Error::Usage(format!("--url {text}: `{port}` is not a port")))?;
            (host, Some(port))
        }
        _ => (authority, None),
    };
    if host.is_empty() {
        return Err(Error::Usage(format!("--url {text}: no host")));
    }
    Ok(RequestedUrl {
        text: text.to_string(),
        scheme,
        host: host.trim_matches(['[', ']']).to_ascii_lowercase(),
        port,
        path: path.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::parse_url;

    #[test]
    fn urls_are_split_into_parts() {
        let u = parse_url("https://toybox.example.jp/api/health/").unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.host.as_str(), u.port, u.path.as_str()),
            ("https", "toybox.example.jp", None, "/api/health/")
        );
        let u = parse_url("http://localhost:8080").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("localhost", Some(8080), "/")
        );
        let u = parse_url("Example.COM").unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.host.as_str()),
            ("https", "example.com")
        );
        assert!(parse_url("ftp://x").is_err());
        assert!(parse_url("http://x:99999").is_err());
    }
}
