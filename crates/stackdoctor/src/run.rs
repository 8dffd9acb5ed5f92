//! Runs a parsed command line: the glue between the CLI and the pipeline.

use crate::cli::{
    Cli, ColorChoice, Command, DiagnoseArgs, ExplainArgs, FailOn, Format, LogsArgs, ReportFormat,
    SignaturesArgs, StackArgs,
};
use crate::config::Config;
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
        Command::Diagnose(args) => diagnose(&args),
        Command::Model(args) => {
            let config = project_config(&args.stack)?;
            let mut inputs = inputs(&args.stack, None, &config)?;
            inputs.ask_aws = args.aws;
            if args.engine {
                if !(args.probe_timeout.is_finite() && args.probe_timeout > 0.0) {
                    return Err(Error::Usage(format!(
                        "--probe-timeout {}: give a positive number of seconds",
                        args.probe_timeout
                    )));
                }
                // No IMDS, no app: only the engine is asked.
                inputs.probes = Some(liveprobe::ProbePlan {
                    timeout: std::time::Duration::from_secs_f64(args.probe_timeout.min(3600.0)),
                    ..liveprobe::ProbePlan::default()
                });
            }
            let model = build_model(&inputs)?;
            let lang = lang(args.stack.lang.as_deref().or(config.lang.as_deref()));
            let text = match args.format {
                Format::Json => model_json(&model) + "\n",
                Format::Text => crate::report::model::render(&model, lang),
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
        Command::Completions(args) => {
            write_stdout(&completions(args.shell))?;
            Ok(HEALTHY)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut page)
                .map_err(Error::Output)?;
            write_stdout(&String::from_utf8_lossy(&page))?;
            Ok(HEALTHY)
        }
    }
}

/// The completion script of `shell`, from the command line's definition.
pub fn completions(shell: crate::cli::Shell) -> String {
    use clap_complete::Shell as S;
    let shell = match shell {
        crate::cli::Shell::Bash => S::Bash,
        crate::cli::Shell::Zsh => S::Zsh,
        crate::cli::Shell::Fish => S::Fish,
    };
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "stackdoctor", &mut script);
    String::from_utf8_lossy(&script).into_owned()
}

/// `--config-file` (relative to the current folder), else the nearest
/// `.stackdoctor.toml` from the project folder upward.
fn project_config(stack: &StackArgs) -> Result<Config, Error> {
    let explicit = stack
        .config_file
        .as_ref()
        .map(|p| user_file(p, &stack.path));
    Config::resolve(explicit.as_deref(), &stack.path)
}

/// Exit 1 when a finding at or above `fail_on` was found.
pub fn fails(summary: &crate::report::Summary, fail_on: FailOn) -> bool {
    match fail_on {
        FailOn::Error => summary.errors > 0,
        FailOn::Warning => summary.errors + summary.warnings > 0,
        FailOn::Info => summary.errors + summary.warnings + summary.infos > 0,
        FailOn::Never => false,
    }
}

/// Default of `--probe-timeout`, in seconds.
pub const DEFAULT_PROBE_TIMEOUT: f64 = 2.0;

fn diagnose(args: &DiagnoseArgs) -> Result<u8, Error> {
    // Precedence: a flag, then `.stackdoctor.toml`, then the default.
    let config = project_config(&args.stack)?;
    let lang = lang(args.stack.lang.as_deref().or(config.lang.as_deref()));
    let probe_timeout = args
        .probe_timeout
        .or(config.probe_timeout)
        .unwrap_or(DEFAULT_PROBE_TIMEOUT);
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Warning);
    let mut inputs = inputs(&args.stack, args.url.clone(), &config)?;
    if args.offline && args.aws {
        return Err(Error::Usage(
            "--offline and --aws exclude each other".into(),
        ));
    }
    if args.offline && args.probe_api {
        return Err(Error::Usage(
            "--offline and --probe-api exclude each other".into(),
        ));
    }
    if !args.offline {
        let mut plan = probe_plan(args, probe_timeout, &inputs.environment)?;
        if args.probe_api {
            // The header values are masked from the plan on (`build_model`).
            let headers = parse_headers(&args.headers)?;
            // The URL as the app probe reads it (a bare host is https).
            if let Some(url) = plan.apps.first() {
                plan.api = crate::sources::api_probes::requests(url, &headers);
            }
        }
        plan.progress = !args.quiet && std::io::stderr().is_terminal();
        inputs.probes = Some(plan);
    }
    if probe_timeout.is_finite() && probe_timeout > 0.0 {
        // A named pipe given with --logs that stays silent this long is read no further.
        inputs.logs_idle = Some(std::time::Duration::from_secs_f64(
            probe_timeout.min(3600.0),
        ));
    }
    inputs.ask_aws = args.aws;
    let model = build_model(&inputs)?;
    let diagnosis = crate::diagnosis::diagnose_with(&model, &config);
    let report = crate::report::build(&model, &diagnosis, lang);
    if args.verbose {
        let from = |flag: bool, file: bool| {
            if flag {
                "flag"
            } else if file {
                "configuration"
            } else {
                "default"
            }
        };
        let settings = format!(
            "stackdoctor: settings: fail-on {} ({}), probe-timeout {probe_timeout} s ({}), lang {} ({})\n",
            format!("{fail_on:?}").to_lowercase(),
            from(args.fail_on.is_some(), config.fail_on.is_some()),
            from(args.probe_timeout.is_some(), config.probe_timeout.is_some()),
            match lang {
                Lang::En => "en",
                Lang::Ja => "ja",
            },
            from(args.stack.lang.is_some(), config.lang.is_some()),
        );
        let text = settings + &verbose(&model, &report, &config, args);
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
    let style = Style {
        color: use_color(args.color),
    };
    let text = match args.format {
        ReportFormat::Json => crate::report::to_json(&report) + "\n",
        ReportFormat::Sarif => crate::report::sarif::render(&report, lang),
        ReportFormat::Text if args.quiet => crate::report::terminal::summary(&report, lang, style),
        ReportFormat::Text => crate::report::terminal::render(&report, lang, style),
    };
    write_stdout(&text)?;
    Ok(
        if !model.invalid_inputs.is_empty() || report.nothing_diagnosed.is_some() {
            BAD_INPUT
        } else if fails(&report.summary, fail_on) {
            PROBLEMS
        } else {
            HEALTHY
        },
    )
}

/// `--verbose`: what was read, what was skipped and why, what each probe
/// answered, which findings were ignored (for standard error; masked).
fn verbose(
    model: &StackModel,
    report: &crate::report::Report,
    config: &Config,
    args: &DiagnoseArgs,
) -> String {
    use std::fmt::Write as _;
    let masker = crate::secrets::masker_for(model);
    let root = &model.root;
    let shown = |p: &std::path::Path| {
        crate::model::origin::relative(p, root)
            .display()
            .to_string()
    };
    let mut out = String::new();
    match &config.file {
        Some(file) => {
            let _ = writeln!(out, "stackdoctor: configuration {}", shown(file));
        }
        None => {
            let _ = writeln!(
                out,
                "stackdoctor: no {} in {} or a folder above it",
                crate::config::FILE_NAME,
                root.display()
            );
        }
    }
    for (file, text) in model.sources.iter() {
        let _ = writeln!(
            out,
            "stackdoctor: read {} ({} line(s))",
            shown(file),
            text.lines().count()
        );
    }
    let _ = writeln!(
        out,
        "stackdoctor: read {} log input(s), {} line(s)",
        model.logs_read.inputs, model.logs_read.lines
    );
    let _ = writeln!(
        out,
        "stackdoctor: skipped hidden folders and {} (dependencies, build output), and folders deeper than {} levels",
        crate::sources::inventory::SKIPPED_DIRS.join(", "),
        crate::sources::inventory::MAX_DEPTH
    );
    for note in &report.inputs.log_notes {
        let _ = writeln!(out, "stackdoctor: skipped {note}");
    }
    for input in &model.invalid_inputs {
        let _ = writeln!(
            out,
            "stackdoctor: not understood {}: {} [{}]",
            input.kind,
            masker.mask(&input.message),
            masker.mask(&input.origin.display(root))
        );
    }
    if args.offline {
        let _ = writeln!(out, "stackdoctor: probes: none (--offline)");
    }
    for note in &model.notes {
        let kind = match note.origin {
            crate::model::Origin::Probe { .. } => "probe",
            _ => "note",
        };
        let _ = writeln!(
            out,
            "stackdoctor: {kind} {} [{}]",
            masker.mask(&note.value),
            masker.mask(&note.origin.display(root))
        );
    }
    for ignored in &report.ignored {
        let _ = writeln!(
            out,
            "stackdoctor: ignored {}{} by {}",
            ignored.cause,
            ignored
                .at
                .as_ref()
                .map(|a| format!(" at {a}"))
                .unwrap_or_default(),
            ignored.by
        );
    }
    out
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

/// Signature files from the flags, then from the configuration.
fn signature_files(flags: &[std::path::PathBuf], config: &Config) -> Vec<std::path::PathBuf> {
    let mut files = flags.to_vec();
    files.extend(config.signatures.iter().cloned());
    files
}

/// The configuration of `logs` and `signatures`: `--config-file`, else
/// the nearest `.stackdoctor.toml` from the current folder upward.
fn here_config(explicit: Option<&std::path::Path>) -> Result<Config, Error> {
    Config::resolve(explicit, std::path::Path::new("."))
}

fn inputs(stack: &StackArgs, url: Option<String>, config: &Config) -> Result<Inputs, Error> {
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
        signatures: signature_files(&files(&stack.signatures), config),
        url,
        iam_policies: files(&stack.iam_policies),
        contracts: files(&stack.contracts),
        tfvars: files(&stack.tfvars),
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
    probe_timeout: f64,
    environment: &std::collections::BTreeMap<String, String>,
) -> Result<liveprobe::ProbePlan, Error> {
    if !(probe_timeout.is_finite() && probe_timeout > 0.0) {
        return Err(Error::Usage(format!(
            "--probe-timeout {probe_timeout}: give a positive number of seconds"
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
        timeout: std::time::Duration::from_secs_f64(probe_timeout.min(3600.0)),
        ..liveprobe::ProbePlan::default()
    })
}

/// `--header 'NAME: VALUE'` values as pairs.
fn parse_headers(headers: &[String]) -> Result<Vec<(String, String)>, Error> {
    headers
        .iter()
        .map(|h| {
            let (name, value) = h
                .split_once(':')
                .ok_or_else(|| Error::Usage("--header: write it as 'NAME: VALUE'".to_string()))?;
            let name = name.trim();
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
            if !valid || value.contains(['\r', '\n']) {
                return Err(Error::Usage(format!(
                    "--header: `{name}` is not a header name, or the value has a line break"
                )));
            }
            Ok((name.to_string(), value.trim().to_string()))
        })
        .collect()
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

fn explain(args: &ExplainArgs) -> Result<u8, Error> {
    // A configuration that does not read is no reason not to explain.
    let configured = here_config(None).ok().and_then(|c| c.lang);
    let lang = lang(args.lang.as_deref().or(configured.as_deref()));
    let catalogue = catalogue();
    let Some(id) = &args.cause else {
        let mut out = String::new();
        for (id, cause) in catalogue.causes() {
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
        return explain_code(args, id);
    };
    let documentation = crate::report::sarif::documentation(id, lang);
    let mut out = format!(
        "{id} ({})\n\n{}\n\n",
        cause.severity.as_str(),
        cause.summary.get(lang)
    );
    out.push_str(&documentation);
    out.push('\n');
    write_stdout(&out)?;
    Ok(HEALTHY)
}

/// `explain CODE`: a code of the project's API contracts.
fn explain_code(args: &ExplainArgs, code: &str) -> Result<u8, Error> {
    let here = std::env::current_dir().unwrap_or_default();
    let root = here.join(&args.project);
    let inputs = crate::sources::Inputs {
        root: root.clone(),
        contracts: args.contracts.iter().map(|c| here.join(c)).collect(),
        ..crate::sources::Inputs::default()
    };
    let model = crate::sources::load_contracts(&inputs)?;
    // The contract's own language unless asked (its texts are in it).
    let asked = args.lang.as_deref().map(|flag| lang(Some(flag)));
    match crate::report::contract_code::render(&model.api, code, asked, &model.root) {
        Some(text) => {
            // A contract's examples may hold a token like any file.
            write_stdout(&crate::secrets::mask_patterns(&text))?;
            Ok(HEALTHY)
        }
        None => {
            let known = crate::report::contract_code::known_codes(&model.api);
            let known = match known.is_empty() {
                true => "none found".to_string(),
                false => known.join(", "),
            };
            let message = crate::finding::Message::new("common.contract-unknown-code")
                .with("code", code)
                .with("known", known);
            Err(Error::Usage(
                catalogue().render(&message, lang(args.lang.as_deref())),
            ))
        }
    }
}

fn logs(args: &LogsArgs) -> Result<u8, Error> {
    let config = here_config(args.config_file.as_deref())?;
    let lang = lang(args.lang.as_deref().or(config.lang.as_deref()));
    let set =
        crate::sources::logs::SignatureSet::load(&signature_files(&args.signatures, &config))?;
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
    let config = here_config(args.config_file.as_deref())?;
    let lang = lang(args.lang.as_deref().or(config.lang.as_deref()));
    let set =
        crate::sources::logs::SignatureSet::load(&signature_files(&args.signatures, &config))?;
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
