//! The command line: `diagnose`, `model`, `explain`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "stackdoctor",
    version,
    about = "Finds out why a containerized web service is broken, and says how to fix it.",
    after_help = "Exit codes: 0 healthy, 1 problems found, 2 bad usage or unreadable input."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diagnose the stack in PATH (default: the current folder): root cause first, evidence, fix.
    Diagnose(DiagnoseArgs),
    /// Show what stackdoctor understood: services, networks, routes, upstreams, with their sources.
    Model(ModelArgs),
    /// Print the documentation of a cause (or list all causes).
    Explain(ExplainArgs),
    /// Find known errors in logs (files, folders, .gz, or - for stdin), grouped by cause.
    Logs(LogsArgs),
    /// List the log signatures stackdoctor knows.
    Signatures(SignaturesArgs),
    /// Print a shell completion script (bash, zsh, fish) to standard output.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to standard output: `stackdoctor man > stackdoctor.1`.
    Man,
}

#[derive(Debug, Clone, Args)]
pub struct StackArgs {
    /// The project folder.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Compose file of the root project, as `docker compose -f` (repeatable, merged in order).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Env file for compose interpolation, as `docker compose --env-file` (repeatable).
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
    /// Compose project name, as `docker compose -p`.
    #[arg(short = 'p', long = "project-name", value_name = "NAME")]
    pub project_name: Option<String>,
    /// Enable a compose profile (repeatable).
    #[arg(long = "profile", value_name = "PROFILE")]
    pub profiles: Vec<String>,
    /// A Caddyfile to read instead of those found in the tree (repeatable).
    #[arg(long = "caddyfile", value_name = "FILE")]
    pub caddyfiles: Vec<PathBuf>,
    /// A log file to scan for known errors, or `-` for standard input (repeatable).
    #[arg(long = "logs", value_name = "FILE")]
    pub logs: Vec<PathBuf>,
    /// An extra signature file, same format as the built-in ones (repeatable).
    #[arg(long = "signatures", value_name = "FILE")]
    pub signatures: Vec<PathBuf>,
    /// An IAM identity policy (JSON) of the role or user the app runs as, in
    /// addition to those found in the project (repeatable).
    #[arg(long = "iam-policy", value_name = "FILE")]
    pub iam_policies: Vec<PathBuf>,
    /// A Bedrock model catalogue (TOML) that replaces or extends the built-in one.
    #[arg(long = "bedrock-models", value_name = "FILE")]
    pub bedrock_models: Option<PathBuf>,
    /// An API error contract (markdown catalogue, OpenAPI YAML/JSON, or a JSON/TOML
    /// catalogue), in addition to those found in the project (repeatable).
    #[arg(long = "contract", value_name = "FILE")]
    pub contracts: Vec<PathBuf>,
    /// ecspresso config (as `ecspresso --config`); default: `ECSPRESSO_CONFIG`,
    /// else ecspresso.yml/.yaml/.json/.jsonnet in the folder or below.
    #[arg(long = "config", value_name = "FILE")]
    pub ecspresso_config: Option<PathBuf>,
    /// Env file for ecspresso's templates, as `ecspresso --envfile` (repeatable).
    #[arg(long = "envfile", value_name = "FILE")]
    pub ecspresso_envfiles: Vec<PathBuf>,
    /// Jsonnet external string variable, as `ecspresso --ext-str NAME=VALUE` (repeatable).
    #[arg(long = "ext-str", value_name = "NAME=VALUE", value_parser = parse_assignment)]
    pub ext_str: Vec<(String, String)>,
    /// Jsonnet external code variable, as `ecspresso --ext-code NAME=CODE` (repeatable).
    #[arg(long = "ext-code", value_name = "NAME=CODE", value_parser = parse_assignment)]
    pub ext_code: Vec<(String, String)>,
    /// Terraform variable file, as `terraform plan -var-file` (repeatable); read
    /// after `terraform.tfvars` and `*.auto.tfvars` of every module.
    #[arg(long = "tfvars", value_name = "FILE")]
    pub tfvars: Vec<PathBuf>,
    /// Language of the texts (en, ja); default from `.stackdoctor.toml`, else the locale.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// The configuration file to use instead of the `.stackdoctor.toml`
    /// found in the project folder or the nearest folder above it.
    #[arg(long = "config-file", value_name = "FILE")]
    pub config_file: Option<PathBuf>,
}

/// `NAME=VALUE` of `--ext-str`/`--ext-code`.
fn parse_assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!("`{text}`: write NAME=VALUE")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Output formats of `diagnose`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

/// The lowest severity that makes `diagnose` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Error,
    Warning,
    Info,
    /// Exit 0 whatever is found (2 still means unreadable input).
    Never,
}

/// Shells `completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// The URL that fails, e.g. https://toybox.example.jp/api/health/ (checked against the sites).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Files and logs only: probe nothing live.
    #[arg(long)]
    pub offline: bool,
    /// Ask AWS itself with the shell's credentials: caller identity and clock
    /// skew (STS), this instance's metadata options (EC2), the region's models (Bedrock).
    #[arg(long)]
    pub aws: bool,
    /// Also send the app a tiny chat request (`POST /api/chat`); it may cost money.
    #[arg(long)]
    pub probe_chat: bool,
    /// Also check that the API at `--url` answers errors as its contract
    /// says: requests that cannot change data (no credentials, a body that is
    /// not JSON, with `--header` an ID that does not exist).
    #[arg(long, requires = "url")]
    pub probe_api: bool,
    /// A header sent with the `--probe-api` requests that need credentials,
    /// `NAME: VALUE` (repeatable); its value never appears in any output.
    #[arg(long = "header", value_name = "NAME: VALUE", requires = "probe_api")]
    pub headers: Vec<String>,
    /// Seconds every live probe may take; all probes run at once [default: 2].
    #[arg(long, value_name = "SECONDS")]
    pub probe_timeout: Option<f64>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Exit 1 when a finding of this severity or a higher one is found
    /// [default: warning]; `never` exits 0. Unreadable input still exits 2.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Print only the summary line (the exit code tells the rest).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print to standard error what was read, what was skipped and why,
    /// what each probe answered and which findings were ignored.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct ModelArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Also ask AWS (as `diagnose --aws`) and show what it said.
    #[arg(long)]
    pub aws: bool,
    /// Also ask the Docker Engine what runs (as `diagnose` does) and show
    /// each container next to its service.
    #[arg(long)]
    pub engine: bool,
    /// Seconds the engine may take (with `--engine`).
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0)]
    pub probe_timeout: f64,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The cause ID, e.g. upstream-wrong-port; none lists every cause. Or an
    /// error code of the project's API (e.g. RATE_LIMIT_EXCEEDED), looked up
    /// in its contracts.
    pub cause: Option<String>,
    /// The project whose API contracts define error codes.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub project: PathBuf,
    /// An API error contract, in addition to those found in the project (repeatable).
    #[arg(long = "contract", value_name = "FILE")]
    pub contracts: Vec<PathBuf>,
    /// Language (en, ja); default from the locale.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Log files, folders (searched recursively), .gz files, or `-` for standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// An extra signature file (repeatable).
    #[arg(long = "signatures", value_name = "FILE")]
    pub signatures: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Language (en, ja); default from the locale.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// The configuration file instead of the `.stackdoctor.toml` found from the current folder upward.
    #[arg(long = "config-file", value_name = "FILE")]
    pub config_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SignaturesArgs {
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write every signature's regular expression, one per line (for `rg -f`), to FILE or `-`.
    #[arg(long, value_name = "FILE")]
    pub export_patterns: Option<PathBuf>,
    /// An extra signature file (repeatable).
    #[arg(long = "signatures", value_name = "FILE")]
    pub signatures: Vec<PathBuf>,
    /// Language (en, ja); default from the locale.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// The configuration file instead of the `.stackdoctor.toml` found from the current folder upward.
    #[arg(long = "config-file", value_name = "FILE")]
    pub config_file: Option<PathBuf>,
}
