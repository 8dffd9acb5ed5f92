//! The fuzz targets: one per reader of user files or of replies.

use crate::seeds::{self, file_name};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// One fuzz target.
pub struct Target {
    pub name: &'static str,
    pub about: &'static str,
    /// Tokens of the format, inserted by the mutator.
    pub dictionary: &'static [&'static str],
    /// Inputs are cut to this many bytes.
    pub max_len: usize,
    /// Stack of the worker thread: the size the app runs this code with.
    pub stack: usize,
    /// Inputs the smoke test runs (debug build, whole test about a minute).
    pub smoke_inputs: u64,
    seed_files: fn(&Path) -> bool,
    /// Turns a seed file into an input (e.g. adds the `.env` part).
    prepare: fn(&Path, Vec<u8>) -> Vec<u8>,
    builtin: &'static [&'static str],
    extra_seeds: fn(&mut Vec<Vec<u8>>),
    make: fn() -> RunInput,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Runs one input, keeping the target's state between inputs.
pub type RunInput = Box<dyn FnMut(&[u8])>;

/// A target's state between inputs (scratch folder, scanner, …).
pub struct Harness(RunInput);

impl Harness {
    pub fn run(&mut self, input: &[u8]) {
        (self.0)(input)
    }
}

/// Seeds per target at most (spread over the sorted files found).
const SEED_LIMIT: usize = 300;

impl Target {
    pub fn harness(&self) -> Harness {
        Harness((self.make)())
    }

    /// The seed inputs: matching files, then the built-in ones.
    pub fn seeds(&self) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = seeds::collect(self.seed_files, SEED_LIMIT)
            .into_iter()
            .map(|(path, bytes)| (self.prepare)(&path, bytes))
            .collect();
        out.extend(
            self.builtin
                .iter()
                .map(|s| (self.prepare)(Path::new(""), s.as_bytes().to_vec())),
        );
        (self.extra_seeds)(&mut out);
        let mut seen = std::collections::HashSet::new();
        out.retain(|s| seen.insert(s.clone()));
        if out.is_empty() {
            out.push(Vec::new());
        }
        out
    }
}

pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

// ---- helpers -------------------------------------------------------------

/// A line that splits one input into two files: what follows it is the
/// second file (`.env` of a compose project, an imported Caddyfile).
const SPLIT: &[u8] = b"\n#---8<---\n";

fn split(input: &[u8]) -> (&[u8], Option<&[u8]>) {
    match input.windows(SPLIT.len()).position(|w| w == SPLIT) {
        Some(at) => (&input[..at], Some(&input[at + SPLIT.len()..])),
        None => (input, None),
    }
}

fn joined(first: &[u8], second: &[u8]) -> Vec<u8> {
    let mut out = first.to_vec();
    out.extend_from_slice(SPLIT);
    out.extend_from_slice(second);
    out
}

/// A folder removed when the harness is dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        // A memory file system when there is one: compose's loader reads
        // the project from disk, and ext4 writes cost more than the parsing.
        let dir = crate::run::memory_dir().join(format!(
            "stackdoctor-fuzz-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create the scratch folder");
        Scratch(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).expect("write into the scratch folder");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ext(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

fn in_dir(path: &Path, part: &str) -> bool {
    path.components().any(|c| c.as_os_str() == part)
}

fn same(_: &Path, bytes: Vec<u8>) -> Vec<u8> {
    bytes
}

fn no_extra(_: &mut Vec<Vec<u8>>) {}

fn text(input: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(input)
}

fn environment() -> BTreeMap<String, String> {
    [
        ("HOME", "/home/app"),
        ("USER", "app"),
        ("TAG", "1.4.2"),
        ("PORT", "8080"),
        ("AWS_REGION", "ap-northeast-1"),
        ("IMAGE", "registry.example.com/app"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

// ---- compose -------------------------------------------------------------

const DEFAULT_DOTENV: &str = "TAG=1.0\nPORT=8000\nDB_PASSWORD='s3cr3t'\n";

fn compose_files(path: &Path) -> bool {
    let name = file_name(path);
    matches!(ext(path).as_str(), "yml" | "yaml")
        && (name.starts_with("compose")
            || name.starts_with("docker-compose")
            || in_dir(path, "compose-go"))
}

fn compose_prepare(path: &Path, bytes: Vec<u8>) -> Vec<u8> {
    let env = path
        .parent()
        .and_then(|d| std::fs::read(d.join(".env")).ok())
        .unwrap_or_else(|| DEFAULT_DOTENV.as_bytes().to_vec());
    joined(&bytes, &env)
}

fn compose_make() -> RunInput {
    let scratch = Scratch::new("compose");
    let environment = environment();
    Box::new(move |input| {
        let (file, env) = split(input);
        let path = scratch.write("compose.yaml", file);
        scratch.write(".env", env.unwrap_or_default());
        let options = compose::Options {
            working_dir: scratch.0.clone(),
            files: vec![path],
            environment: environment.clone(),
            ..compose::Options::default()
        };
        let _ = compose::load(&options);
    })
}

// ---- dotenv --------------------------------------------------------------

fn dotenv_files(path: &Path) -> bool {
    let name = file_name(path);
    name == ".env" || name.ends_with(".env") || name.starts_with(".env.")
}

fn dotenv_make() -> RunInput {
    let environment = environment();
    Box::new(move |input| {
        let lookup = |k: &str| environment.get(k).cloned();
        if let Ok(entries) = compose::dotenv::parse(&text(input), &lookup) {
            let _ = compose::dotenv::to_map(&entries);
        }
    })
}

// ---- caddyfile -----------------------------------------------------------

const SNIPPETS: &str = "(common) {\n\theader X-Served-By fuzz\n\treverse_proxy app:8080 {\n\t\thealth_uri /health\n\t}\n}\n";

fn caddy_files(path: &Path) -> bool {
    let name = file_name(path);
    name.starts_with("Caddyfile")
        || matches!(ext(path).as_str(), "caddy" | "caddyfile")
        || in_dir(path, "caddyfile_adapt")
}

fn caddy_prepare(path: &Path, bytes: Vec<u8>) -> Vec<u8> {
    let mut bytes = bytes;
    if in_dir(path, "caddyfile_adapt") {
        // Caddy's adapt tests: the Caddyfile, a `----------` line, the JSON.
        if let Some(at) = bytes.windows(10).position(|w| w == b"----------") {
            bytes.truncate(at);
        }
    }
    joined(&bytes, SNIPPETS.as_bytes())
}

fn caddy_make() -> RunInput {
    // In memory: the parser reads no disk (`import` globs list the folder).
    let mut files = caddyfile::MemoryFiles::new();
    let path = Path::new("/srv/Caddyfile");
    let snippets_path = Path::new("/srv/snippets.caddy");
    files.insert(
        "/srv/sites/app.caddy",
        "app.example.com {\n\treverse_proxy app:8080\n}\n",
    );
    let env = caddyfile::Env::from_pairs([("HOST", "example.com"), ("PORT", "8080")]);
    let limit = caddyfile::ReadLimit {
        dirs: vec![PathBuf::from("/srv")],
        files: Vec::new(),
    };
    Box::new(move |input| {
        let (file, snippets) = split(input);
        files.insert(path, file);
        files.insert(snippets_path, snippets.unwrap_or_default());
        if let Ok(parsed) = caddyfile::parse_file_in(path, &env, &limit, &files) {
            if let Ok(http) = caddyfile::http::HttpConfig::from_caddyfile(&parsed) {
                for site in &http.sites {
                    let _ = site.proxy_paths().len();
                }
            }
        }
    })
}

// ---- nginx ---------------------------------------------------------------

/// The included file a seed gets when it has none (`include conf.d/*.conf`).
const NGINX_SITE: &str = "upstream app {\n    server web:8000 max_fails=3;\n    server web2:8000 backup;\n}\nserver {\n    listen 80;\n    server_name app.example.com;\n    set $upstream_app web;\n    location / {\n        include snippets/proxy.conf;\n        proxy_pass http://$upstream_app:8000;\n    }\n    location ~ \\.php$ { fastcgi_pass php:9000; }\n}\n";

const NGINX_MAIN: &str = "user nginx;\nevents { worker_connections 1024; }\nhttp {\n    include mime.types;\n    proxy_read_timeout 30s;\n    resolver 127.0.0.11 valid=10s;\n    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n    include conf.d/*.conf;\n    server {\n        listen 443 ssl http2 default_server;\n        server_name _;\n        location = /health { return 200; }\n        location ^~ /api/ { proxy_pass http://app/; }\n        location @fallback { grpc_pass grpcs://grpc:50051; }\n    }\n}\n";

fn nginx_files(path: &Path) -> bool {
    let name = file_name(path);
    (ext(path) == "conf" || name.ends_with(".conf.sample") || name == "nginx.conf")
        && !in_dir(path, "traefik-docs")
}

/// A seed that is a whole config (has `http {` or `events`) includes the
/// default site; a site file is included by the default main config.
fn nginx_prepare(_: &Path, bytes: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8_lossy(&bytes);
    if text.contains("http {") || text.contains("events") {
        joined(&bytes, NGINX_SITE.as_bytes())
    } else {
        joined(NGINX_MAIN.as_bytes(), &bytes)
    }
}

fn nginx_make() -> RunInput {
    // In memory: the parser reads no disk (include globs list the folders).
    let root = PathBuf::from("/etc/nginx");
    let mut files = nginx::MemoryFiles::new();
    files.insert(
        root.join("mime.types"),
        "types {\n    text/html html htm;\n    application/json json;\n}\n",
    );
    files.insert(
        root.join("snippets/proxy.conf"),
        "proxy_set_header Host $host;\nproxy_connect_timeout 5s;\nproxy_http_version 1.1;\n",
    );
    let on_host = nginx::ReadOptions {
        prefix: Some(root.clone()),
        dirs: vec![root.clone()],
        max_includes: 64,
        ..nginx::ReadOptions::default()
    };
    // nginx in a container: SWAG's site file mounted on its own.
    let in_container = nginx::ReadOptions {
        prefix: Some(root.clone()),
        path_map: vec![
            ("/etc/nginx".to_string(), root.clone()),
            (
                "/config/nginx/site-confs/default.conf".to_string(),
                root.join("conf.d/site.conf"),
            ),
        ],
        dirs: vec![root.clone()],
        in_container: true,
        max_includes: 64,
        ..nginx::ReadOptions::default()
    };
    let environment = vec![
        ("NGINX_HOST".to_string(), "example.com".to_string()),
        ("UPSTREAM".to_string(), "web:8000".to_string()),
    ];
    let main_path = root.join("nginx.conf");
    let site_path = root.join("conf.d/site.conf");
    Box::new(move |input| {
        let (main, site) = split(input);
        let text = text(main);
        if let Ok(directives) = nginx::parse_str("nginx.conf", &text) {
            nginx_view(&nginx::http::HttpView::from_template(
                &directives,
                &environment,
            ));
        }
        files.insert(&main_path, main);
        files.insert(&site_path, site.unwrap_or_default());
        for options in [&on_host, &in_container] {
            if let Ok(config) = nginx::parse_file_in(&main_path, options, &files) {
                nginx_view(&nginx::http::HttpView::from_directives(&config.directives));
            }
        }
    })
}

/// Asks the view what the app asks: location matching and the targets.
fn nginx_view(view: &nginx::http::HttpView) {
    for server in &view.servers {
        for path in ["/", "/api/users", "/health", "/index.php", ""] {
            let _ = server.match_location(path);
        }
        for route in &server.routes {
            let _ = (route.pass.tls(), route.timeout("proxy_read_timeout"));
        }
    }
}

// ---- label grammar (Traefik, caddy-docker-proxy) -------------------------

/// Lines of the Traefik docs and of the examples that hold a rule or a label.
fn label_lines(seeds: &mut Vec<Vec<u8>>) {
    let mut lines = Vec::new();
    for path in seeds::all_files() {
        let wanted = (in_dir(path, "traefik-docs") && ext(path) == "md")
            || (in_dir(path, "examples") && matches!(ext(path).as_str(), "yml" | "yaml" | "toml"));
        if !wanted {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for line in text.lines() {
            let line = line.trim().trim_start_matches("- ").trim_matches('"');
            if line.len() < 400
                && (line.contains("Host(")
                    || line.contains("Path")
                    || line.contains("traefik.")
                    || line.contains("{{upstreams")
                    || line.contains("{{ upstreams"))
            {
                lines.push(line.to_string());
            }
        }
    }
    lines.sort();
    lines.dedup();
    let step = lines.len().div_ceil(SEED_LIMIT).max(1);
    seeds.extend(lines.into_iter().step_by(step).map(String::into_bytes));
}

fn labels_make() -> RunInput {
    Box::new(|input| {
        let text = text(input);
        // A label line: `key=value` or `key: value`; the value is also read alone.
        let (key, value) = text
            .split_once('=')
            .or_else(|| text.split_once(": "))
            .unwrap_or(("", &text));
        for candidate in [&*text, value] {
            let _ = labels::parse_rule(candidate);
            let _ = labels::parse_v1_rule(candidate);
            let _ = labels::caddy_upstreams(candidate);
        }
        let _ = labels::traefik_key(key.trim());
        let _ = labels::traefik_key(&text);
    })
}

// ---- ecspresso -----------------------------------------------------------

const TASK_DEF: &str = r#"{
  "family": "{{ must_env `APP` }}",
  "cpu": "256",
  "memory": "512",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
  "containerDefinitions": [
    {
      "name": "app",
      "image": "{{ env `IMAGE` `nginx` }}:{{ env `TAG` `latest` }}",
      "essential": true,
      "portMappings": [{ "containerPort": 8080, "protocol": "tcp" }],
      "logConfiguration": {
        "logDriver": "awslogs",
        "options": { "awslogs-group": "/ecs/app", "awslogs-region": "{{ env `AWS_REGION` }}", "awslogs-stream-prefix": "app" }
      }
    }
  ]
}
"#;

const SERVICE_DEF: &str = r#"{
  "launchType": "FARGATE",
  "desiredCount": 1,
  "healthCheckGracePeriodSeconds": 30,
  "networkConfiguration": {
    "awsvpcConfiguration": { "subnets": ["subnet-0123"], "securityGroups": ["sg-0123"], "assignPublicIp": "DISABLED" }
  },
  "loadBalancers": [
    { "targetGroupArn": "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/app/0123", "containerName": "app", "containerPort": 8080 }
  ]
}
"#;

const ECSPRESSO_CONFIG: &str = "region: ap-northeast-1\ncluster: default\nservice: app\nservice_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\ntimeout: \"10m0s\"\nplugins:\n  - name: tfstate\n    config:\n      path: terraform.tfstate\n";

const JSONNET_DEF: &str = r#"local env = std.native('env');
local must_env = std.native('must_env');
{
  family: 'app',
  cpu: '256',
  memory: '512',
  networkMode: 'awsvpc',
  containerDefinitions: [
    {
      name: 'app',
      image: env('IMAGE', 'nginx') + ':' + env('TAG', 'latest'),
      essential: true,
      portMappings: [{ containerPort: 8080 + i, protocol: 'tcp' } for i in std.range(0, 2)],
      environment: std.objectValues({ a: { name: 'A', value: std.toString(1 + 2) } }),
    },
  ],
}
"#;

/// The folder of the in-memory ecspresso project.
const ECSPRESSO_DIR: &str = "/project";

const TFSTATE: &str = r#"{"version":4,"resources":[{"mode":"managed","type":"aws_lb_target_group","name":"app","instances":[{"attributes":{"arn":"arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/app/0123"}}]}],"outputs":{"subnet":{"value":"subnet-0123"}}}"#;

const JSONNET_LIB: &str = "{ port: 8080, name(x):: 'app-' + x }\n";

fn ecspresso_options() -> ecspresso::LoadOptions {
    let mut env = environment();
    env.insert("APP".into(), "app".into());
    ecspresso::LoadOptions {
        dir: PathBuf::from(ECSPRESSO_DIR),
        env,
        ..ecspresso::LoadOptions::default()
    }
}

/// The project's other files, in memory: the loader reads no disk.
fn ecspresso_files() -> ecspresso::MemoryFiles {
    let mut files = ecspresso::MemoryFiles::new();
    let dir = Path::new(ECSPRESSO_DIR);
    files.insert(dir.join("ecs-task-def.json"), TASK_DEF);
    files.insert(dir.join("ecs-service-def.json"), SERVICE_DEF);
    files.insert(dir.join("terraform.tfstate"), TFSTATE);
    files.insert(dir.join("lib.libsonnet"), JSONNET_LIB);
    files
}

fn ecspresso_config_files(path: &Path) -> bool {
    let name = file_name(path);
    matches!(ext(path).as_str(), "yml" | "yaml" | "json")
        && (name.starts_with("ecspresso")
            || (in_dir(path, "ecspresso") && name.starts_with("config")))
}

fn ecspresso_config_make() -> RunInput {
    let mut files = ecspresso_files();
    let options = ecspresso_options();
    let config = Path::new(ECSPRESSO_DIR).join("ecspresso.yml");
    Box::new(move |input| {
        files.insert(&config, input);
        let _ = ecspresso::load_in(&options, &files);
    })
}

fn ecspresso_template_files(path: &Path) -> bool {
    let name = file_name(path);
    ext(path) == "json"
        && name.contains("def")
        && (in_dir(path, "ecspresso") || in_dir(path, "examples"))
}

fn ecspresso_definition_make(name: &'static str) -> RunInput {
    let mut files = ecspresso_files();
    let options = ecspresso_options();
    let path = Path::new(ECSPRESSO_DIR).join(name);
    Box::new(move |input| {
        files.insert(&path, input);
        let _ = ecspresso::load_definition_in(&path, &options, &files);
    })
}

fn ecspresso_template_make() -> RunInput {
    ecspresso_definition_make("ecs-task-def.json")
}

fn jsonnet_files(path: &Path) -> bool {
    matches!(ext(path).as_str(), "jsonnet" | "libsonnet")
}

fn ecspresso_jsonnet_make() -> RunInput {
    ecspresso_definition_make("ecs-task-def.jsonnet")
}

// ---- IAM policies --------------------------------------------------------

const POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "InvokeClaude",
      "Effect": "Allow",
      "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
      "Resource": [
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-*",
        "arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/apac.*"
      ],
      "Condition": {
        "StringEquals": { "aws:RequestedRegion": ["ap-northeast-1", "ap-northeast-3"] },
        "Bool": { "aws:SecureTransport": "true" },
        "ForAnyValue:StringLike": { "aws:TagKeys": ["team*"] }
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "bedrock:List*",
      "NotResource": "arn:aws:bedrock:*::foundation-model/*",
      "Condition": { "IpAddress": { "aws:SourceIp": "10.0.0.0/8" }, "Null": { "aws:TokenIssueTime": "false" } }
    }
  ]
}
"#;

const ROLE_DOC: &str = r#"{"RoleName":"app","PolicyDocument":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/${aws:username}/*","Condition":{"NumericLessThan":{"s3:max-keys":"10"},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}}}"#;

fn iam_files(path: &Path) -> bool {
    let p = path.to_string_lossy().to_ascii_lowercase();
    ext(path) == "json" && (p.contains("iam") || p.contains("polic"))
}

fn iam_make() -> RunInput {
    let context = iampolicy::Context::new()
        .with("aws:RequestedRegion", "ap-northeast-1")
        .with("aws:SecureTransport", "true")
        .with("aws:SourceIp", "10.1.2.3")
        .with_values("aws:TagKeys", ["team", "env"])
        .absent("aws:TokenIssueTime");
    let requests = [
        iampolicy::Request::new(
            "bedrock:InvokeModel",
            "arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
        )
        .with_context(context.clone()),
        iampolicy::Request::new("s3:GetObject", "arn:aws:s3:::bucket/app/key")
            .with_context(context.clone().with("aws:username", "app")),
        iampolicy::Request::new("iam:PassRole", "*"),
    ];
    Box::new(move |input| {
        let text = text(input);
        if let Ok(policy) = iampolicy::parse_policy(&text) {
            for request in &requests {
                let _ = iampolicy::evaluate(std::slice::from_ref(&policy), request);
            }
        }
        if let Ok(policies) = iampolicy::find_policies(&text) {
            for request in &requests {
                let _ = iampolicy::evaluate(&policies, request);
            }
        }
    })
}

// ---- Docker Engine outputs -------------------------------------------------

fn dockerengine_files(path: &Path) -> bool {
    let name = file_name(path);
    (in_dir(path, "fixtures") && path.to_string_lossy().contains("dockerengine"))
        || (in_dir(path, "examples")
            && (name.starts_with("inspect") || name.starts_with("compose-up")))
}

fn dockerengine_make() -> RunInput {
    Box::new(|input| {
        let text = text(input);
        let small = dockerengine::Limits {
            max_records: 64,
            max_scan: 256 << 10,
            ..dockerengine::Limits::default()
        };
        let _ = dockerengine::parse(&text, &small).map(|p| p.is_empty());
        let _ = dockerengine::demux_log_stream(input);
        let _ = dockerengine::client::parse_response(input, false, 4096);
        // What `cat` in a container prints is the container's to choose.
        let _ = dockerengine::parse_socket_table(&text);
    })
}

// ---- ECS and ecspresso outputs -------------------------------------------

fn ecsstate_files(path: &Path) -> bool {
    let name = file_name(path);
    in_dir(path, "fixtures") && path.to_string_lossy().contains("ecsstate")
        || (in_dir(path, "examples")
            && (name.starts_with("describe-")
                || name.starts_with("list-")
                || name.contains("ecspresso")
                || name.starts_with("deploy"))
            && matches!(ext(path).as_str(), "json" | "txt" | "log" | "jsonl"))
}

fn ecsstate_make() -> RunInput {
    Box::new(|input| {
        let text = text(input);
        let _ = ecsstate::parse(&text).is_empty();
        let _ = ecsstate::parse_json(&text);
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
            let _ = ecsstate::parse_value(&value).is_empty();
        }
    })
}

// ---- logs ----------------------------------------------------------------

fn log_files(path: &Path) -> bool {
    matches!(ext(path).as_str(), "log" | "txt") && (in_dir(path, "logs") || ext(path) == "log")
}

fn log_extra(seeds: &mut Vec<Vec<u8>>) {
    // Gzip copies of a few logs: the scanner decompresses by magic bytes.
    let mut compressed = Vec::new();
    for seed in seeds.iter().take(8) {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        if encoder.write_all(seed).is_ok() {
            if let Ok(bytes) = encoder.finish() {
                compressed.push(bytes);
            }
        }
    }
    seeds.extend(compressed);
}

/// The app's signatures, read from its data files (`literal` and `pattern`
/// of each `[[signatures]]` entry).
fn signature_patterns() -> Vec<logscan::Pattern> {
    let dir = seeds::repo_root().join("crates/stackdoctor/data/signatures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| ext(p) == "toml")
        .collect();
    files.sort();
    let mut patterns = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let mut current: Option<logscan::Pattern> = None;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("[[") {
                patterns.extend(current.take());
            } else if let Some(v) = line.strip_prefix("literal = ") {
                current = Some(logscan::Pattern::literal(toml_string(v)));
            } else if let Some(v) = line.strip_prefix("pattern = ") {
                if let Some(p) = current.as_mut() {
                    p.regex = Some(toml_string(v));
                }
            }
        }
        patterns.extend(current);
    }
    patterns
}

/// A one-line TOML string: `'literal'` or `"basic"` with `\\` and `\"`.
fn toml_string(v: &str) -> String {
    if let Some(s) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return s.to_string();
    }
    let inner = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v);
    inner.replace("\\\"", "\"").replace("\\\\", "\\")
}

fn logscan_make() -> RunInput {
    let patterns = signature_patterns();
    let scanner = logscan::Scanner::new(&patterns).unwrap_or_else(|_| {
        let valid: Vec<logscan::Pattern> = patterns
            .into_iter()
            .filter(|p| logscan::Scanner::new(std::slice::from_ref(p)).is_ok())
            .collect();
        logscan::Scanner::new(&valid).expect("valid patterns build a scanner")
    });
    let options = logscan::Options {
        threads: 1,
        ..logscan::Options::default()
    };
    Box::new(move |input| {
        let mut events = 0usize;
        let _ = logscan::scan_reader(
            Path::new("fuzz.log"),
            input,
            &scanner,
            &options,
            &mut |_| events += 1,
        );
    })
}

// ---- AWS replies ---------------------------------------------------------

const XML_REPLIES: &[&str] = &[
    r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::123456789012:assumed-role/app-task/1f2e3d</Arn>
    <UserId>AROAEXAMPLE:1f2e3d</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#,
    r#"<?xml version="1.0" encoding="UTF-8"?>
<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <SimulatePrincipalPolicyResult>
    <IsTruncated>false</IsTruncated>
    <EvaluationResults>
      <member>
        <EvalActionName>bedrock:InvokeModel</EvalActionName>
        <EvalResourceName>arn:aws:bedrock:us-east-1::foundation-model/x</EvalResourceName>
        <EvalDecision>explicitDeny</EvalDecision>
        <MatchedStatements><member><SourcePolicyId>deny-bedrock</SourcePolicyId><SourcePolicyType>IAM Policy</SourcePolicyType>
          <StartPosition><Line>3</Line><Column>17</Column></StartPosition><EndPosition><Line>9</Line><Column>6</Column></EndPosition></member></MatchedStatements>
        <MissingContextValues><member>aws:RequestedRegion</member></MissingContextValues>
        <OrganizationsDecisionDetail><AllowedByOrganizations>true</AllowedByOrganizations></OrganizationsDecisionDetail>
        <ResourceSpecificResults><member><EvalResourceName>*</EvalResourceName><EvalResourceDecision>allowed</EvalResourceDecision></member></ResourceSpecificResults>
      </member>
    </EvaluationResults>
  </SimulatePrincipalPolicyResult>
</SimulatePrincipalPolicyResponse>"#,
    r#"<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeTargetHealthResult>
    <TargetHealthDescriptions>
      <member><HealthCheckPort>8080</HealthCheckPort><Target><Port>8080</Port><Id>10.0.1.23</Id></Target>
        <TargetHealth><State>unhealthy</State><Reason>Target.ResponseCodeMismatch</Reason><Description>Health checks failed with these codes: [502]</Description></TargetHealth></member>
    </TargetHealthDescriptions>
  </DescribeTargetHealthResult>
</DescribeTargetHealthResponse>"#,
    r#"<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><reservationSet><item><instancesSet><item>
<instanceId>i-0123456789abcdef0</instanceId><instanceState><name>running</name></instanceState>
<metadataOptions><state>applied</state><httpTokens>required</httpTokens><httpPutResponseHopLimit>1</httpPutResponseHopLimit></metadataOptions>
<iamInstanceProfile><arn>arn:aws:iam::123456789012:instance-profile/app</arn><id>AIPA</id></iamInstanceProfile>
<placement><availabilityZone>ap-northeast-1a</availabilityZone></placement></item></instancesSet></item></reservationSet></DescribeInstancesResponse>"#,
    r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/app/x is not authorized to perform: iam:SimulatePrincipalPolicy &amp; more &#x41;</Message></Error><RequestId>abc</RequestId></ErrorResponse>"#,
    "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>def</RequestID></Response>",
];

const JSON_REPLIES: &[&str] = &[
    r#"{"modelSummaries":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0","modelId":"anthropic.claude-3-haiku-20240307-v1:0","modelName":"Claude 3 Haiku","providerName":"Anthropic","inputModalities":["TEXT","IMAGE"],"outputModalities":["TEXT"],"responseStreamingSupported":true,"inferenceTypesSupported":["ON_DEMAND"],"modelLifecycle":{"status":"LEGACY"}}]}"#,
    r#"{"modelDetails":{"modelId":"anthropic.claude-sonnet-4-20250514-v1:0","inferenceTypesSupported":["INFERENCE_PROFILE"],"modelLifecycle":{"status":"ACTIVE"}}}"#,
    r#"{"inferenceProfileSummaries":[{"inferenceProfileId":"apac.anthropic.claude-3-haiku-20240307-v1:0","inferenceProfileArn":"arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/apac.anthropic.claude-3-haiku-20240307-v1:0","status":"ACTIVE","type":"SYSTEM_DEFINED","models":[{"modelArn":"arn:aws:bedrock:ap-northeast-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"}]}],"nextToken":"abc"}"#,
    r#"{"__type":"com.amazon.coral.service#AccessDeniedException","message":"User is not authorized to perform: bedrock:ListFoundationModels"}"#,
    r#"{"code":"ThrottlingException","Message":"Rate exceeded"}"#,
];

const PROFILES: &[&str] = &[
    "[default]\nregion = ap-northeast-1\noutput = json\n\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = default\ns3 =\n  max_concurrent_requests = 20\n; comment\n[profile prod] # inline\nregion=us-east-1 ; trailing\nsso_session = corp\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n",
    "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n[dev]\naws_session_token=abc==\n",
];

fn cloudformation_files(path: &Path) -> bool {
    let e = ext(path);
    (e == "yaml" || e == "yml" || e == "json" || e == "template")
        && std::fs::read_to_string(path).is_ok_and(|t| cloudformation::is_template(&t))
}

fn cloudformation_make() -> RunInput {
    Box::new(|input| {
        let mut options = cloudformation::Options::default();
        options
            .pseudo
            .insert("AWS::Region".into(), "eu-west-1".into());
        let _ = cloudformation::parse(&text(input), Path::new("template.yaml"), &options);
    })
}

fn copilot_files(path: &Path) -> bool {
    file_name(path).ends_with("manifest.yml")
}

fn copilot_make() -> RunInput {
    Box::new(|input| {
        let path = Path::new("copilot/api/manifest.yml");
        if let Ok(Some(manifest)) = copilot::parse(&text(input), path) {
            for environment in manifest.environments() {
                let _ = manifest.for_environment(Some(&environment));
            }
        }
        let _ = copilot::workspace_application(&text(input));
        let _ = copilot::duration_seconds(&text(input));
    })
}

fn cdk_files(path: &Path) -> bool {
    let e = ext(path);
    (e == "ts" || e == "py") && std::fs::read_to_string(path).is_ok_and(|t| cdk::is_cdk(&t))
}

fn cdk_make() -> RunInput {
    Box::new(|input| {
        let text = text(input);
        let _ = cdk::read(Path::new("stack.ts"), &text);
        let _ = cdk::read(Path::new("app.py"), &text);
    })
}

fn no_files(_: &Path) -> bool {
    false
}

fn xml_files(path: &Path) -> bool {
    ext(path) == "xml"
}

fn aws_xml_make() -> RunInput {
    Box::new(|input| {
        let _ = awsapi::fuzzing::query_reply(input);
        let _ = awsapi::fuzzing::error_reply(403, "", input);
    })
}

fn aws_json_make() -> RunInput {
    Box::new(|input| {
        let _ = awsapi::fuzzing::bedrock_reply(input);
        // The first two lines double as the x-amzn-ErrorType and Date headers.
        let head = text(&input[..input.len().min(200)]).into_owned();
        let _ = awsapi::fuzzing::error_reply(400, &head, input);
        let _ = awsapi::parse_http_date(head.lines().next().unwrap_or(""));
        let _ = awsapi::simulation_principal_arn(head.lines().next().unwrap_or(""));
    })
}

fn aws_profile_make() -> RunInput {
    Box::new(|input| {
        let _ = awsapi::fuzzing::profile_file(&text(input));
    })
}

// ---- the list ------------------------------------------------------------

const MIB: usize = 1 << 20;
/// The main thread's stack (parsers run there in the app).
const MAIN_STACK: usize = 8 * MIB;
/// A spawned thread's default stack (ecspresso configs are evaluated on one).
const SPAWNED_STACK: usize = 2 * MIB;

pub static TARGETS: &[Target] = &[
    Target {
        name: "cloudformation",
        about: "CloudFormation/SAM templates: YAML short forms or JSON, parameters, intrinsic functions, conditions",
        dictionary: &[
            "!Ref ", "!Sub ", "!GetAtt ", "!If ", "!Join ", "!Select ", "!FindInMap ", "!Equals ",
            "!Not ", "!And ", "!Or ", "!Condition ", "!ImportValue ", "!Base64 ", "Fn::Sub", "Ref",
            "${", "}", "${!", "AWS::NoValue", "AWS::Region", "Resources:\n", "Parameters:\n",
            "Conditions:\n", "Mappings:\n", "  Type: AWS::ECS::TaskDefinition\n", "    Properties:\n",
            "Default: ", "- ", ": ", "[", "]", "{", "}", "&a ", "*a", "\"", "'", "\n", "  ",
        ],
        max_len: 64 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 600,
        seed_files: cloudformation_files,
        prepare: same,
        builtin: &["Parameters:\n  Mem: {Type: String, Default: '4096'}\nConditions:\n  Arm: !Equals [!Ref Mem, '4096']\nMappings:\n  M: {a: {b: [1, 2]}}\nResources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Memory: !Ref Mem\n      Cpu: !If [Arm, 1024, 256]\n      Family: !Sub '${AWS::StackName}-${Mem}'\n      L: !FindInMap [M, a, b]\n      J: !Join ['-', [a, !Ref Mem]]\n"],
        extra_seeds: no_extra,
        make: cloudformation_make,
    },
    Target {
        name: "copilot",
        about: "AWS Copilot manifests: YAML, environment overrides, durations, the workspace file",
        dictionary: &[
            "name: ", "type: Load Balanced Web Service\n", "type: Backend Service\n", "image:\n",
            "  location: ", "  port: ", "cpu: ", "memory: ", "platform: linux/arm64\n", "secrets:\n",
            "variables:\n", "environments:\n", "  prod:\n", "    ", "from_cfn: ", "secretsmanager: ",
            "1m30s", "10s", "application: ", "- ", ": ", "[", "]", "{", "}", "&a ", "*a", "<<: *a",
        ],
        max_len: 32 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 1_000,
        seed_files: copilot_files,
        prepare: same,
        builtin: &["name: api\ntype: Load Balanced Web Service\nimage:\n  build: ./Dockerfile\n  port: 8080\n  healthcheck:\n    command: [CMD-SHELL, curl -f http://localhost/]\n    interval: 1m30s\ncpu: 256\nmemory: 512\nsecrets:\n  DB: /app/db\nenvironments:\n  prod:\n    cpu: 1024\n    image:\n      location: repo/api:v1\n"],
        extra_seeds: no_extra,
        make: copilot_make,
    },
    Target {
        name: "cdk",
        about: "CDK apps in TypeScript and Python: constructs, method calls, props, constants followed",
        dictionary: &[
            "new ", "ecs.FargateTaskDefinition(this, 'T', {", "})", "addContainer(", "add_container(",
            "const ", " = ", "memoryLimitMiB: ", "memory_limit_mib=", "cpu: ", "cpu=", "{", "}", "(",
            ")", "[", "]", ",", ":", "'", "\"", "`", "${", "Duration.seconds(", "ecs.CpuArchitecture.ARM64",
            "import * as ecs from 'aws-cdk-lib/aws-ecs';\n", "from aws_cdk import aws_ecs as ecs\n",
        ],
        max_len: 64 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 300,
        seed_files: cdk_files,
        prepare: same,
        builtin: &["import * as ecs from 'aws-cdk-lib/aws-ecs';\nconst mem = 4096;\nconst t = new ecs.FargateTaskDefinition(this, 'T', { cpu: 256, memoryLimitMiB: mem });\nt.addContainer('app', { image: ecs.ContainerImage.fromRegistry('nginx'), healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/'], interval: cdk.Duration.seconds(30) } });\n"],
        extra_seeds: no_extra,
        make: cdk_make,
    },
    Target {
        name: "compose",
        about: "compose.yaml + .env: YAML, interpolation, extends/include, merge, schema",
        dictionary: &[
            "${", "}", "$$", "${VAR:-", "${VAR:?", "${TAG}", ":-", ":?", ":+", "- ", ": ", "<<: *",
            "&a ", "*a", "!!str ", "!reset ", "!override ", "---\n", "...\n", "|\n", "|-\n", ">\n",
            "{", "}", "[", "]", "\"", "'", "#", "\t", "  ", "services:\n", "  web:\n", "    image: ",
            "    ports:\n", "      - ", "extends:\n", "include:\n", "env_file: ", "environment:\n",
            "networks:\n", "volumes:\n", "depends_on:\n", "profiles: ", "x-", "file: ", "service: ",
            "8080:80", "127.0.0.1:", "/dev/zero", "/dev/urandom", "../",
        ],
        max_len: 64 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 600,
        seed_files: compose_files,
        prepare: compose_prepare,
        builtin: &["services:\n  web:\n    image: ${IMAGE:-nginx}:${TAG}\n    ports:\n      - \"${PORT:-80}:80\"\n    env_file: .env\n    environment:\n      - DB=${DB_PASSWORD:?set it}\n"],
        extra_seeds: no_extra,
        make: compose_make,
    },
    Target {
        name: "dotenv",
        about: ".env files with compose's dotenv rules",
        dictionary: &[
            "export ", "=", ":", "'", "\"", "\\n", "\\\"", "${", "}", "${TAG:-", "${X:?", "$", "#", " #",
            "\n", "\r\n", "\u{feff}", "\\", "`",
        ],
        max_len: 16 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 2_000,
        seed_files: dotenv_files,
        prepare: same,
        builtin: &["# comment\nexport A=1\nB = 'single ${A}'\nC=\"double ${A:-x}\\n\"\nD=plain # comment\nE\nF=\"multi\nline\"\nG=${UNSET:-${TAG}}\n"],
        extra_seeds: no_extra,
        make: dotenv_make,
    },
    Target {
        name: "caddyfile",
        about: "Caddyfile (with an imported snippets file): env, lexer, parser, imports, HTTP view",
        dictionary: &[
            "{", "}", "{$HOST}", "{$PORT:80}", "{$", "{env.", "import ", "import snippets.caddy\n",
            "import common\n", "import *\n", "import sites/*\n", "import sites/*.caddy\n", "(", ")", "\"", "`", "<<EOF\n", "EOF", "\\\n", "#", "@",
            "handle ", "handle_path ", "route ", "reverse_proxy ", "to ", "transport http {\n",
            "tls ", "localhost:", ":443", "http://", "https://", "unix//", "{args[0]}", "{args[:]}",
            "*", "/dev/zero", "/dev/urandom", "../",
        ],
        max_len: 64 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 600,
        seed_files: caddy_files,
        prepare: caddy_prepare,
        builtin: &["{$HOST}:443 {\n\timport common\n\thandle_path /api/* {\n\t\treverse_proxy {$PORT:api:3000} {\n\t\t\ttransport http {\n\t\t\t\ttls_insecure_skip_verify\n\t\t\t}\n\t\t}\n\t}\n}\n"],
        extra_seeds: no_extra,
        make: caddy_make,
    },
    Target {
        name: "nginx",
        about: "nginx config with an included site file: parse_str, parse_file (host and container mounts, includes), HTTP view",
        dictionary: &[
            "{", "}", ";", "\"", "'", "\\", "#", "$", "${", "$upstream_app", "include ",
            "include conf.d/*.conf;\n", "include snippets/proxy.conf;\n", "include /etc/nginx/conf.d/*;\n",
            "include /config/nginx/site-confs/*.conf;\n", "include *;\n", "include nginx.conf;\n",
            "http {\n", "server {\n", "location ", "location ~* ", "location = ", "location ^~ ",
            "location @", "upstream ", "listen ", " ssl", " default_server", "[::]:", "server_name ",
            "proxy_pass ", "http://", "https://", "unix:", "fastcgi_pass ", "grpc_pass ", "set ",
            "map ", "if (", ")", "return ", "proxy_read_timeout ", "1h", "5s", "10m", "content_by_lua_block {",
            "resolver ", "[", "]", "*", "?", "/dev/zero", "../",
        ],
        max_len: 64 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 600,
        seed_files: nginx_files,
        prepare: nginx_prepare,
        builtin: &[NGINX_MAIN],
        extra_seeds: no_extra,
        make: nginx_make,
    },
    Target {
        name: "labels",
        about: "Traefik router rules (v1, v2/v3), Traefik label keys, caddy-docker-proxy {{upstreams}}",
        dictionary: &[
            "Host(`", "`)", "PathPrefix(`", "Path(`", "HostRegexp(`", "Header(`", "\"", "`", "(", ")",
            " && ", " || ", "!", ",", "Host:", "PathPrefixStrip:", ";", "traefik.", "http.", "tcp.",
            "routers.", "services.", "loadbalancer.server.port=", ".rule=", "{{upstreams", "}}",
            "{{ upstreams https 8443 }}", " ", "é", "\u{0}",
        ],
        max_len: 4 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 2_000,
        seed_files: no_files,
        prepare: same,
        builtin: &[
            "traefik.http.routers.web.rule=Host(`app.example.com`) && PathPrefix(`/api`)",
            "(Host(\"a.test\", \"b.test\") || Host(`c.test`)) && !Method(`POST`)",
            "traefik.frontend.rule=Host:Example.com,www.example.com;PathPrefixStrip:/api",
            "traefik.http.services.web.loadbalancer.server.port=8080",
            "caddy.reverse_proxy={{upstreams https 8443}}",
        ],
        extra_seeds: label_lines,
        make: labels_make,
    },
    Target {
        name: "ecspresso-config",
        about: "ecspresso.yml with its task and service definitions (templates, plugins)",
        dictionary: &[
            "{{", "}}", "{{ env `", "{{ must_env `", "` }}", "{{ tfstate `", "{{ ssm `", "`", "\"",
            "region: ", "cluster: ", "service: ", "task_definition: ", "service_definition: ",
            "timeout: ", "plugins:\n", "  - name: ", "    config:\n", "path: ", "url: ",
            "required_version: ", "1h", "10m0s", "-1ns", "- ", ": ", "{", "}", "[", "]", "/dev/zero",
            "../",
        ],
        max_len: 32 << 10,
        stack: SPAWNED_STACK,
        smoke_inputs: 600,
        seed_files: ecspresso_config_files,
        prepare: same,
        builtin: &[ECSPRESSO_CONFIG],
        extra_seeds: no_extra,
        make: ecspresso_config_make,
    },
    Target {
        name: "ecspresso-template",
        about: "a task/service definition JSON rendered as an ecspresso (Go) template",
        dictionary: &[
            "{{", "}}", "{{ env `", "{{ must_env `", "` }}", "{{ json_escape ", "{{ tfstate `",
            "{{ if ", "{{ else }}", "{{ end }}", "{{ range ", "{{- ", " -}}", "`", "\"", "\\u0000",
            ":", ",", "{", "}", "[", "]", "null", "true", "\"cpu\": ", "\"memory\": ", "512",
        ],
        max_len: 32 << 10,
        stack: SPAWNED_STACK,
        smoke_inputs: 600,
        seed_files: ecspresso_template_files,
        prepare: same,
        builtin: &[TASK_DEF, SERVICE_DEF],
        extra_seeds: no_extra,
        make: ecspresso_template_make,
    },
    Target {
        name: "ecspresso-jsonnet",
        about: "a Jsonnet definition evaluated with ecspresso's native functions (input capped at 4 KiB)",
        dictionary: &[
            "local ", " = ", ";", "function(", ")", "std.native('env')", "std.native('must_env')",
            "std.range(", "std.repeat(", "std.join(", "std.toString(", "import '", "importstr '",
            "import 'lib.libsonnet'", "importbin 'terraform.tfstate'",
            "self", "super", "$", "if ", " then ", " else ", "for ", " in ", "[", "]", "{", "}",
            "::", "+:", "|||\n", "'", "\"", "assert ", "error ", "%", "std.parseJson(",
        ],
        max_len: 4 << 10,
        stack: SPAWNED_STACK,
        smoke_inputs: 600,
        seed_files: jsonnet_files,
        prepare: same,
        builtin: &[JSONNET_DEF],
        extra_seeds: no_extra,
        make: ecspresso_jsonnet_make,
    },
    Target {
        name: "iampolicy",
        about: "IAM policy JSON: parse, find policies in documents, evaluate three requests",
        dictionary: &[
            "\"Statement\"", "\"Effect\"", "\"Allow\"", "\"Deny\"", "\"Action\"", "\"NotAction\"",
            "\"Resource\"", "\"NotResource\"", "\"Condition\"", "\"StringLike\"", "\"ForAllValues:",
            "\"ForAnyValue:", "IfExists", "\"Null\"", "\"IpAddress\"", "\"Bool\"", "\"NumericLessThan\"",
            "\"DateGreaterThan\"", "\"ArnLike\"", "${aws:username}", "${*}", "*", "?", "arn:aws:",
            "\"", ":", ",", "{", "}", "[", "]", "null", "::/0", "/33",
        ],
        max_len: 32 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 2_000,
        seed_files: iam_files,
        prepare: same,
        builtin: &[POLICY, ROLE_DOC],
        extra_seeds: no_extra,
        make: iam_make,
    },
    Target {
        name: "dockerengine",
        about: "saved Docker Engine output (inspect, compose ps JSON, network inspect, events, compose lines), log stream frames, HTTP responses",
        dictionary: &[
            "{", "}", "[", "]", "\"", ":", ",", "\n", "\"State\"", "\"Config\"", "\"HostConfig\"",
            "\"OOMKilled\": true", "\"ExitCode\": 137", "\"Health\"", "\"Service\"", "\"IPAM\"",
            "\"Driver\"", "\"Type\"", "\"Action\"", "\"Actor\"", " exited with code ",
            "dependency failed to start: container ", " Container ", "  Error", "\x01\0\0\0",
            "HTTP/1.1 200 OK\r\n", "Transfer-Encoding: chunked\r\n", "\r\n\r\n",
        ],
        max_len: 64 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 2_000,
        seed_files: dockerengine_files,
        prepare: same,
        builtin: &[],
        extra_seeds: no_extra,
        make: dockerengine_make,
    },
    Target {
        name: "ecsstate",
        about: "ECS API JSON, EventBridge events, ecspresso output and CloudWatch exports (text, JSON, value)",
        dictionary: &[
            "{", "}", "[", "]", "\"", ":", ",", "\n", "\"services\"", "\"tasks\"", "\"events\"",
            "\"deployments\"", "\"stoppedReason\"", "\"lastStatus\"", "\"exitCode\"", "\"failures\"",
            "\"detail-type\"", "\"detail\"", "\"createdAt\"", "1.7e9", "2026-12-03T13:00:00Z",
            "2026/12/03 13:00:00 ", "[INFO] ", "[ERROR] ", "FAILED.", "Service is stable now",
            "Deployment ", "\t",
        ],
        max_len: 64 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 2_000,
        seed_files: ecsstate_files,
        prepare: same,
        builtin: &[],
        extra_seeds: no_extra,
        make: ecsstate_make,
    },
    Target {
        name: "logscan",
        about: "log bytes (plain and gzip) against the app's signatures, one thread",
        dictionary: &[
            "\n", "\r\n", "\t", "\0", "ERROR ", "FATAL ", "panic: ", "Traceback (most recent call last):\n",
            "  File \"", "    at ", "Exception", "{\"level\":\"error\",\"msg\":\"", "\"}", "\x1b[31m",
            "connection refused", "dial tcp ", "no such host", "i/o timeout",
        ],
        max_len: 128 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 300,
        seed_files: log_files,
        prepare: same,
        builtin: &["2026-12-03T13:00:00Z ERROR dial tcp 172.18.0.3:8000: connect: connection refused\nTraceback (most recent call last):\n  File \"app.py\", line 1, in <module>\nValueError: x\n"],
        extra_seeds: log_extra,
        make: logscan_make,
    },
    Target {
        name: "awsapi-xml",
        about: "query-protocol XML replies (STS, EC2, IAM simulation, ELBv2) and XML error replies",
        dictionary: &[
            "<", ">", "</", "/>", "<member>", "</member>", "<?xml version=\"1.0\"?>", "<!DOCTYPE a [",
            "<!ENTITY e \"", "&e;", "&amp;", "&#x41;", "&#0;", "&#xFFFFFFFF;", "<![CDATA[", "]]>",
            "<!--", "-->", "xmlns:a=\"", "<a:", "\"",
        ],
        max_len: 64 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 2_000,
        seed_files: xml_files,
        prepare: same,
        builtin: XML_REPLIES,
        extra_seeds: no_extra,
        make: aws_xml_make,
    },
    Target {
        name: "awsapi-json",
        about: "Bedrock REST-JSON replies, JSON error replies, x-amzn-ErrorType and Date headers",
        dictionary: &[
            "{", "}", "[", "]", "\"", ":", ",", "null", "true", "\\u0000", "\\ud800", "\"modelId\"",
            "\"inferenceProfileId\"", "\"__type\"", "\"message\"", "#", "Thu, 03 Dec 2026 13:00:00 GMT\n",
        ],
        max_len: 64 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 2_000,
        seed_files: no_files,
        prepare: same,
        builtin: JSON_REPLIES,
        extra_seeds: no_extra,
        make: aws_json_make,
    },
    Target {
        name: "aws-profile",
        about: "~/.aws/config and ~/.aws/credentials files",
        dictionary: &["[", "]", "[profile ", "[default]", "=", " ;", " #", "\n  ", "region", "\t"],
        max_len: 16 << 10,
        stack: MAIN_STACK,
        smoke_inputs: 2_000,
        seed_files: no_files,
        prepare: same,
        builtin: PROFILES,
        extra_seeds: no_extra,
        make: aws_profile_make,
    },
];
