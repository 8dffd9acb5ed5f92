//! Runs a parsed command line: the glue between the CLI and the pipeline.

use crate::cli::{
    Cli, ColorChoice, Command, ExplainArgs, Format, LogsArgs, SignaturesArgs, StackArgs,
};
use crate::error::Error;
use crate::knowledge::{catalogue, Lang};
use crate::model::StackModel;
use crate::report::terminal::Style;
use crate::sources::{build_model, compose::ComposeInputs, Inputs};
use std::io::{IsTerminal, Write};

/// Exit codes.
pub const HEALTHY: u8 = 0;
pub const PROBLEMS: u8 = 1;
pub const BAD_INPUT: u8 = 2;

pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Diagnose(args) => {
            let lang = lang(args.stack.lang.as_deref());
            let mut inputs = inputs(&args.stack, args.url.clone())?;
            if args.offline && args.aws {
                return Err(Error::Usage(
                    "--offline and --aws exclude each other".into(),
                ));
            }
            if !args.offline {
                inputs.probes = Some(probe_plan(&args, &inputs.environment)?);
            }
            if args.probe_timeout.is_finite() && args.probe_timeout > 0.0 {
                // A named pipe given with --logs that stays silent this long is read no further.
                inputs.logs_idle = Some(std::time::Duration::from_secs_f64(
                    args.probe_timeout.min(3600.0),
                ));
            }
            inputs.ask_aws = args.aws;
            let model = build_model(&inputs)?;
            let diagnosis = crate::diagnosis::diagnose(&model);
            let report = crate::report::build(&model, &diagnosis, lang);
            let text = match args.format {
                Format::Json => crate::report::to_json(&report) + "\n",
                Format::Text => crate::report::terminal::render(
                    &report,
                    lang,
                    Style {
                        color: use_color(args.color),
                    },
                ),
            };
            write_stdout(&text)?;
            Ok(
                if !model.invalid_inputs.is_empty() || report.nothing_diagnosed.is_some() {
                    BAD_INPUT
                } else if diagnosis.has_problems() {
                    PROBLEMS
                } else {
                    HEALTHY
                },
            )
        }
        Command::Model(args) => {
            let mut inputs = inputs(&args.stack, None)?;
            inputs.ask_aws = args.aws;
            let model = build_model(&inputs)?;
            let text = match args.format {
                Format::Json => model_json(&model) + "\n",
                Format::Text => model_text(&model),
            };
            write_stdout(&text)?;
            Ok(if model.invalid_inputs.is_empty() {
                HEALTHY
            } else {
                BAD_INPUT
            })
        }
        Command::Explain(args) => explain(&args),
        Command::Logs(args) => logs(&args),
        Command::Signatures(args) => signatures(&args),
    }
}

fn lang(flag: Option<&str>) -> Lang {
    Lang::detect(flag, &|name| std::env::var(name).ok())
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn write_stdout(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // A closed pipe (`| head`) is not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(Error::Output),
    }
}

/// A file named on the command line: relative to the current folder, as
/// `docker compose -f` reads it (made absolute, so that no loader joins it
/// to the project folder a second time); when it is not there but is in the
/// project folder, that one. `-` (stdin) stays as it is.
fn user_file(path: &std::path::Path, project: &std::path::Path) -> std::path::PathBuf {
    if path.is_absolute() || path.as_os_str() == "-" {
        return path.to_path_buf();
    }
    let here = std::env::current_dir()
        .map(|dir| dir.join(path))
        .unwrap_or_else(|_| path.to_path_buf());
    if !here.exists() && project.join(path).exists() {
        project.join(path)
    } else {
        here
    }
}

/// Signature files from the flags, then from the folder's `.stackdoctor.toml`.
fn signature_files(
    flags: &[std::path::PathBuf],
    dir: &std::path::Path,
) -> Result<Vec<std::path::PathBuf>, Error> {
    let mut files = flags.to_vec();
    files.extend(crate::config::Config::load(dir)?.signatures);
    Ok(files)
}

fn inputs(stack: &StackArgs, url: Option<String>) -> Result<Inputs, Error> {
    let files =
        |paths: &[std::path::PathBuf]| paths.iter().map(|p| user_file(p, &stack.path)).collect();
    Ok(Inputs {
        root: stack.path.clone(),
        compose: ComposeInputs {
            files: files(&stack.files),
            env_files: files(&stack.env_files),
            project_name: stack.project_name.clone(),
            profiles: stack.profiles.clone(),
        },
        caddyfiles: files(&stack.caddyfiles),
        logs: files(&stack.logs),
        signatures: signature_files(&files(&stack.signatures), &stack.path)?,
        url,
        iam_policies: files(&stack.iam_policies),
        bedrock_models: stack
            .bedrock_models
            .as_ref()
            .map(|p| user_file(p, &stack.path)),
        ecspresso: crate::sources::ecspresso::EcspressoInputs {
            config: stack
                .ecspresso_config
                .as_ref()
                .map(|p| user_file(p, &stack.path)),
            envfiles: files(&stack.ecspresso_envfiles),
            ext_str: stack.ext_str.iter().cloned().collect(),
            ext_code: stack.ext_code.iter().cloned().collect(),
        },
        probes: None,
        logs_idle: None,
        ask_aws: false,
        environment: std::env::vars().collect(),
    })
}

/// What to probe live: the app at `--url` (plain HTTP), and the instance
/// metadata service when this machine is an EC2 instance or an endpoint is set.
fn probe_plan(
    args: &crate::cli::DiagnoseArgs,
    environment: &std::collections::BTreeMap<String, String>,
) -> Result<liveprobe::ProbePlan, Error> {
    if !(args.probe_timeout.is_finite() && args.probe_timeout > 0.0) {
        return Err(Error::Usage(format!(
            "--probe-timeout {}: give a positive number of seconds",
            args.probe_timeout
        )));
    }
    let env: std::collections::HashMap<String, String> = environment
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let imds = if environment.contains_key("AWS_EC2_METADATA_SERVICE_ENDPOINT") || on_ec2() {
        liveprobe::imds::imds_endpoint(&env)
    } else {
        None
    };
    // Every --url is probed, http:// and https:// alike (other schemes are
    // refused as a usage error when the URL is read).
    // A bare host means https, as for the site match (`sources::parse_url`).
    let apps = args
        .url
        .iter()
        .map(|u| {
            if u.contains("://") {
                u.clone()
            } else {
                format!("https://{u}")
            }
        })
        .collect();
    Ok(liveprobe::ProbePlan {
        imds,
        apps,
        probe_chat: args.probe_chat,
        timeout: std::time::Duration::from_secs_f64(args.probe_timeout.min(3600.0)),
        ..liveprobe::ProbePlan::default()
    })
}

/// Whether this machine is an EC2 instance (its DMI vendor or Xen UUID says so).
fn on_ec2() -> bool {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    read("/sys/devices/virtual/dmi/id/sys_vendor").trim() == "Amazon EC2"
        || read("/sys/devices/virtual/dmi/id/board_vendor").trim() == "Amazon EC2"
        || read("/sys/hypervisor/uuid").starts_with("ec2")
}

/// The model as JSON, every secret-named value and every secret-looking string masked.
pub fn model_json(model: &StackModel) -> String {
    let masker = crate::secrets::masker_for(model);
    let mut value = serde_json::to_value(model).unwrap_or_default();
    crate::secrets::mask_json(&mut value, &masker);
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

fn model_text(model: &StackModel) -> String {
    use std::fmt::Write as _;
    let masker = crate::secrets::masker_for(model);
    let root = &model.root;
    let mut out = String::new();
    for (i, project) in model.projects.iter().enumerate() {
        let _ = writeln!(
            out,
            "project {} ({})",
            project.name,
            crate::model::origin::relative(&project.dir, root).display()
        );
        for service in model.services.iter().filter(|s| s.project == i) {
            let _ = writeln!(
                out,
                "  service {}  [{}]",
                service.name,
                service.origin.display(root)
            );
            for attachment in &service.attachments {
                let aliases: Vec<&str> = attachment
                    .aliases
                    .iter()
                    .map(|a| a.value.as_str())
                    .collect();
                let _ = writeln!(
                    out,
                    "    network {}{}",
                    model.networks[attachment.network].name,
                    if aliases.is_empty() {
                        String::new()
                    } else {
                        format!(" (aliases {})", aliases.join(", "))
                    }
                );
            }
            for listener in &service.listeners {
                let _ = writeln!(
                    out,
                    "    listens {:?} {} ({:?}: {})  [{}]",
                    listener.bind,
                    listener.port,
                    listener.evidence,
                    masker.mask(&listener.detail),
                    listener.origin.display(root)
                );
            }
        }
    }
    for proxy in &model.proxies {
        let runs_as = proxy.service.map_or("the host".to_string(), |id| {
            format!("service {}", model.services[id].name)
        });
        let _ = writeln!(
            out,
            "proxy {} (runs as {runs_as})",
            crate::model::origin::relative(&proxy.config_file, root).display()
        );
        for site in &proxy.sites {
            let _ = writeln!(out, "  site {}", crate::checks::support::site_label(site));
            for route in &site.routes {
                let steps: Vec<&str> = route.steps.iter().map(|s| s.label.as_str()).collect();
                let _ = writeln!(out, "    {}", steps.join(" → "));
                for upstream in &route.upstreams {
                    let _ = writeln!(
                        out,
                        "      upstream {} → {:?}  [{}]",
                        upstream.text,
                        upstream.target,
                        upstream.origin.display(root)
                    );
                }
            }
        }
    }
    for note in &model.notes {
        let _ = writeln!(
            out,
            "note: {} [{}]",
            masker.mask(&note.value),
            masker.mask(&note.origin.display(root))
        );
    }
    for input in &model.invalid_inputs {
        let _ = writeln!(
            out,
            "invalid {}: {} [{}]",
            input.kind,
            masker.mask(&input.message),
            input.origin.display(root)
        );
    }
    out
}

fn explain(args: &ExplainArgs) -> Result<u8, Error> {
    let lang = lang(args.lang.as_deref());
    let catalogue = catalogue();
    let Some(id) = &args.cause else {
        let mut out = String::new();
        for (id, cause) in &catalogue.causes {
            out.push_str(&format!(
                "{:<40} {:<8} {}\n",
                id,
                cause.severity.as_str(),
                cause.summary.get(lang)
            ));
        }
        write_stdout(&out)?;
        return Ok(HEALTHY);
    };
    let Some(cause) = catalogue.cause(id) else {
        return Err(Error::Usage(format!(
            "unknown cause `{id}`; `stackdoctor explain` lists them"
        )));
    };
    // A check's doc comment documents its cause; causes seen only in logs have `details`.
    let documentation = match (crate::checks::find(id), &cause.details) {
        (Some(check), _) => check.documentation(),
        (None, Some(details)) => details.get(lang).to_string(),
        (None, None) => String::new(),
    };
    let mut out = format!(
        "{id} ({})\n\n{}\n\n",
        cause.severity.as_str(),
        cause.summary.get(lang)
    );
    if lang == Lang::Ja && crate::checks::find(id).is_some() {
        out.push_str("--- 詳細 (英語) ---\n\n");
    }
    out.push_str(&documentation);
    out.push('\n');
    write_stdout(&out)?;
    Ok(HEALTHY)
}

fn logs(args: &LogsArgs) -> Result<u8, Error> {
    let lang = lang(args.lang.as_deref());
    let set = crate::sources::logs::SignatureSet::load(&signature_files(
        &args.signatures,
        std::path::Path::new("."),
    )?)?;
    let scan = crate::sources::logs::scan_inputs(
        &args.paths,
        &set,
        crate::sources::logs::ReadLimits::default(),
    )?;
    let report = crate::report::logs::build(
        &scan.events,
        &scan.counts,
        &set.specs,
        &scan.unrecognised,
        scan.scanned.clone(),
        lang,
    );
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
        Format::Text => crate::report::logs::render_text(&report, lang, use_color(args.color)),
    };
    write_stdout(&text)?;
    Ok(if report.has_problems() {
        PROBLEMS
    } else {
        HEALTHY
    })
}

fn signatures(args: &SignaturesArgs) -> Result<u8, Error> {
    let lang = lang(args.lang.as_deref());
    let set = crate::sources::logs::SignatureSet::load(&signature_files(
        &args.signatures,
        std::path::Path::new("."),
    )?)?;
    if let Some(path) = &args.export_patterns {
        let patterns = set.export_patterns();
        if path.as_os_str() == "-" {
            write_stdout(&patterns)?;
        } else {
            std::fs::write(path, patterns).map_err(Error::Output)?;
        }
        return Ok(HEALTHY);
    }
    let text = match args.format {
        Format::Json => {
            let list: Vec<serde_json::Value> = set
                .specs
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "id": s.id,
                        "components": s.components,
                        "formats": s.formats,
                        "literal": s.literal,
                        "pattern": s.pattern,
                        "causes": s.causes.iter().map(|(c, w)| serde_json::json!({"cause": c, "weight": w})).collect::<Vec<_>>(),
                        "meaning": s.meaning.get(lang),
                        "source": s.source,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
        }
        Format::Text => set
            .specs
            .iter()
            .map(|s| {
                let causes: Vec<String> =
                    s.causes.iter().map(|(c, w)| format!("{c}:{w}")).collect();
                format!(
                    "{:<48} {:<14} {}\n",
                    s.id,
                    s.components.join(","),
                    causes.join(" ")
                )
            })
            .collect(),
    };
    write_stdout(&text)?;
    Ok(HEALTHY)
}
