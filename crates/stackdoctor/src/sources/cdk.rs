//! AWS CDK apps (TypeScript, JavaScript, Python) through the `cdk` crate:
//! task definitions (`FargateTaskDefinition`, `Ec2TaskDefinition`) with the
//! containers added to them (`addContainer`), services (`FargateService`,
//! `Ec2Service`) and the ECS patterns (`ApplicationLoadBalancedFargateService`
//! and kin, with their `taskImageOptions`) become deployments of the ECS
//! model in ECS's JSON shape, with the CDK's defaults (Fargate cpu 256 and
//! memory 512, container port 80, a 60 s grace period behind a load
//! balancer) placed at the construct and marked as not written there.
//! `PolicyStatement`s go to the IAM evaluator. Every value keeps the line
//! of the CDK file; what the file alone cannot tell (props passed in, other
//! files' values) stays an `info` placeholder.

use super::ecspresso::{
    mask_environment_secrets, remember_text, service_definition, task_definition,
};
use super::iac::definition;
use super::inventory::{File, Inventory, Kind};
use crate::model::ecs::{DefinitionSource, EcspressoDeployment};
use crate::model::{InvalidInput, Origin, StackModel};
use cdk::{App, Construct, Node as Cdk, Value as CdkValue};
use ecspresso::{Key, Node, NodeValue, Position};
use std::path::Path;

const TASK_CLASSES: &[&str] = &[
    "FargateTaskDefinition",
    "Ec2TaskDefinition",
    "TaskDefinition",
];
const SERVICE_CLASSES: &[&str] = &["FargateService", "Ec2Service"];
const PATTERN_CLASSES: &[&str] = &[
    "ApplicationLoadBalancedFargateService",
    "NetworkLoadBalancedFargateService",
    "ApplicationLoadBalancedEc2Service",
    "NetworkLoadBalancedEc2Service",
    "ApplicationMultipleTargetGroupsFargateService",
    "QueueProcessingFargateService",
    "ScheduledFargateTask",
];

/// The files the CDK source reads: TypeScript, JavaScript and Python
/// (the text decides: only files that import the CDK are parsed).
pub fn claims(file: &File) -> bool {
    !file.outside
        && file.size <= codeparse::MAX_BYTES as u64
        && codeparse::Lang::of_path(&file.path).is_some()
}

/// Reads every CDK app file of the tree.
pub fn load(inventory: &Inventory, model: &mut StackModel, scope: &super::ReadScope) {
    let files: Vec<std::path::PathBuf> = inventory.of(Kind::Cdk).map(|f| f.path.clone()).collect();
    for path in files {
        if !scope.allows(&path) {
            continue;
        }
        let Some(text) = inventory.text(&path) else {
            continue;
        };
        if !cdk::is_cdk(&text) {
            continue;
        }
        match cdk::read(&path, &text) {
            Some(Ok(app)) => add_app(model, &app),
            Some(Err(error)) => {
                remember_text(model, &path);
                model.invalid_inputs.push(InvalidInput {
                    kind: "cdk".into(),
                    message: error.to_string(),
                    origin: Origin::file(&path, 1, 1, 0),
                });
            }
            None => {}
        }
    }
}

/// Builds ECS JSON nodes at positions of one file.
struct Builder<'a> {
    file: &'a Path,
    unresolved: Vec<(String, Origin)>,
}

impl Builder<'_> {
    fn at(&self, p: cdk::Position, exact: bool) -> Position {
        Position {
            file: self.file.to_path_buf(),
            line: p.line,
            column: p.column,
            length: 0,
            exact,
        }
    }

    fn string(&self, text: impl Into<String>, at: cdk::Position, exact: bool) -> Node {
        super::iac::string(text, &self.at(at, exact))
    }

    fn number(&self, n: f64, at: cdk::Position, exact: bool) -> Node {
        super::iac::number(n, &self.at(at, exact))
    }

    fn object(&self, entries: Vec<(&str, Node)>, at: cdk::Position) -> Node {
        super::iac::object(entries, &self.at(at, true))
    }

    fn array(&self, items: Vec<Node>, at: cdk::Position) -> Node {
        super::iac::array(items, &self.at(at, true))
    }

    /// A placeholder for what the CDK decides at synth time (not reported).
    fn made_by_cdk(&self, what: &str, at: cdk::Position) -> Node {
        self.string(ecspresso::placeholder("cdk", what), at, false)
    }

    /// A value the file cannot tell: a placeholder, reported as info.
    fn unknown(&mut self, node: &Cdk) -> Node {
        let text = match &node.value {
            CdkValue::Unresolved(t) | CdkValue::Member(t) => t.clone(),
            CdkValue::Call { callee, .. } => format!("{callee}(…)"),
            _ => "value".into(),
        };
        self.unresolved.push((
            text.clone(),
            Origin::file(self.file, node.position.line, node.position.column, 0),
        ));
        self.string(ecspresso::placeholder("cdk", &text), node.position, true)
    }

    /// A literal as its JSON value; a duration as seconds; an enum member as its name.
    fn value(&mut self, node: &Cdk) -> Node {
        let at = node.position;
        match &node.value {
            CdkValue::Null => Node {
                value: NodeValue::Null,
                position: self.at(at, true),
            },
            CdkValue::Bool(b) => Node {
                value: NodeValue::Bool(*b),
                position: self.at(at, true),
            },
            CdkValue::Number(n) => self.number(*n, at, true),
            CdkValue::String(s) => self.string(s.clone(), at, true),
            CdkValue::Array(items) => {
                let items = items.iter().map(|i| self.value(i)).collect();
                self.array(items, at)
            }
            CdkValue::Object(_) => {
                let entries: Vec<(String, Node)> = node
                    .props()
                    .iter()
                    .map(|p| (p.name.clone(), self.value(&p.value)))
                    .collect();
                Node {
                    value: NodeValue::Object(
                        entries
                            .into_iter()
                            .map(|(name, v)| {
                                (
                                    Key {
                                        name,
                                        position: v.position.clone(),
                                    },
                                    v,
                                )
                            })
                            .collect(),
                    ),
                    position: self.at(at, true),
                }
            }
            CdkValue::Member(text) if is_enum(text) => {
                self.string(text.rsplit('.').next().unwrap_or(text), at, true)
            }
            CdkValue::Call { .. } => match seconds(node) {
                Some(s) => self.number(s, at, true),
                None => self.unknown(node),
            },
            _ => self.unknown(node),
        }
    }
}

/// `ecs.CpuArchitecture.ARM64`, `ecs.NetworkMode.BRIDGE`, `iam.Effect.DENY`.
fn is_enum(text: &str) -> bool {
    let mut parts = text.rsplit('.');
    let member = parts.next().unwrap_or("");
    let class = parts.next().unwrap_or("");
    class.starts_with(|c: char| c.is_ascii_uppercase())
        && member
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// `Duration.seconds(30)`, `cdk.Duration.minutes(2)` in seconds.
fn seconds(node: &Cdk) -> Option<f64> {
    let CdkValue::Call { callee, args, .. } = &node.value else {
        return None;
    };
    let unit = callee.strip_prefix("cdk.").unwrap_or(callee);
    let unit = unit.strip_prefix("Duration.")?;
    let n = args.first()?.as_f64()?;
    Some(match unit {
        "seconds" => n,
        "minutes" => n * 60.0,
        "hours" => n * 3600.0,
        "millis" => n / 1000.0,
        _ => return None,
    })
}

/// An image: `fromRegistry("nginx")` is that name; an asset or repository
/// the CDK resolves at synth time.
fn image(b: &mut Builder, node: &Cdk) -> Node {
    match node.call_name() {
        Some("fromRegistry") => match &node.value {
            CdkValue::Call { args, .. } => match args.first() {
                Some(name) if name.as_str().is_some() => b.value(name),
                _ => b.unknown(node),
            },
            _ => b.unknown(node),
        },
        Some("fromAsset" | "fromDockerImageAsset" | "fromTarball") => {
            b.made_by_cdk("image built by the CDK", node.position)
        }
        Some("fromEcrRepository") => b.made_by_cdk("ECR repository image", node.position),
        _ => b.unknown(node),
    }
}

/// `addContainer` props (or `taskImageOptions`) as an ECS container definition.
fn container(b: &mut Builder, name: Node, props: &Cdk, default_port: Option<f64>) -> Node {
    let mut entries: Vec<(&str, Node)> = vec![("name", name)];
    if let Some(i) = props.get("image") {
        entries.push(("image", image(b, i)));
    }
    for (cdk_name, ecs_name) in [
        ("memoryLimitMiB", "memory"),
        ("memoryReservationMiB", "memoryReservation"),
        ("cpu", "cpu"),
        ("essential", "essential"),
        ("command", "command"),
        ("entryPoint", "entryPoint"),
    ] {
        if let Some(v) = props.get(cdk_name) {
            entries.push((ecs_name, b.value(v)));
        }
    }
    let mut ports: Vec<Node> = Vec::new();
    if let Some(CdkValue::Array(items)) = props.get("portMappings").map(|p| &p.value) {
        for item in items {
            let mut mapping = Vec::new();
            for key in ["containerPort", "hostPort"] {
                if let Some(v) = item.get(key) {
                    mapping.push((key, b.value(v)));
                }
            }
            ports.push(b.object(mapping, item.position));
        }
    }
    if let Some(port) = props.get("containerPort") {
        let v = b.value(port);
        ports.push(b.object(vec![("containerPort", v)], port.position));
    } else if let (true, Some(default)) = (ports.is_empty(), default_port) {
        let n = b.number(default, props.position, false);
        ports.push(b.object(vec![("containerPort", n)], props.position));
    }
    if !ports.is_empty() {
        entries.push(("portMappings", b.array(ports, props.position)));
    }
    if let Some(check) = props.get("healthCheck") {
        let mut fields = Vec::new();
        for key in ["command", "interval", "timeout", "retries", "startPeriod"] {
            if let Some(v) = check.get(key) {
                fields.push((key, b.value(v)));
            }
        }
        entries.push(("healthCheck", b.object(fields, check.position)));
    }
    if let Some(env) = props.get("environment") {
        let items = env
            .props()
            .iter()
            .map(|p| {
                let name = b.string(p.name.clone(), p.position, true);
                let value = b.value(&p.value);
                b.object(vec![("name", name), ("value", value)], p.position)
            })
            .collect();
        entries.push(("environment", b.array(items, env.position)));
    }
    if let Some(secrets) = props.get("secrets") {
        let items = secrets
            .props()
            .iter()
            .map(|p| {
                let name = b.string(p.name.clone(), p.position, true);
                let from = b.made_by_cdk("secret reference", p.value.position);
                b.object(vec![("name", name), ("valueFrom", from)], p.position)
            })
            .collect();
        entries.push(("secrets", b.array(items, secrets.position)));
    }
    let logs = props.get("logging").is_some()
        || props
            .get("enableLogging")
            .is_none_or(|e| e.value != CdkValue::Bool(false))
            && props.get("containerPort").is_some();
    if logs {
        let at = props.get("logging").map_or(props.position, |l| l.position);
        let options = b.object(
            vec![
                ("awslogs-group", b.made_by_cdk("log group", at)),
                ("awslogs-region", b.made_by_cdk("region", at)),
                ("awslogs-stream-prefix", b.made_by_cdk("stream prefix", at)),
            ],
            at,
        );
        let driver = b.string("awslogs", at, false);
        entries.push((
            "logConfiguration",
            b.object(vec![("logDriver", driver), ("options", options)], at),
        ));
    }
    b.object(entries, props.position)
}

/// The task-level fields of a task definition or pattern.
fn task(b: &mut Builder, construct: &Construct, fargate: bool, containers: Vec<Node>) -> Node {
    let props = &construct.props;
    let at = construct.position;
    let mut entries: Vec<(&str, Node)> = vec![(
        "family",
        b.string(construct.id.clone().unwrap_or_default(), at, false),
    )];
    let defaults = fargate.then_some((256.0, 512.0));
    // An EC2 pattern's cpu and memory are its container's, not the task's.
    let pattern = PATTERN_CLASSES.contains(&construct.class.as_str());
    let sized = fargate || !pattern;
    for (cdk_name, ecs_name, default) in [
        ("cpu", "cpu", defaults.map(|d| d.0)),
        ("memoryLimitMiB", "memory", defaults.map(|d| d.1)),
    ] {
        match props.get(cdk_name).filter(|_| sized) {
            Some(v) => entries.push((ecs_name, b.value(v))),
            None => {
                if let Some(d) = default {
                    entries.push((ecs_name, b.string(format!("{d}"), at, false)));
                }
            }
        }
    }
    let network = match props.get("networkMode") {
        Some(mode) => b.value(mode),
        None => b.string(if fargate { "awsvpc" } else { "bridge" }, at, false),
    };
    entries.push(("networkMode", network));
    let compatibility = b.string(if fargate { "FARGATE" } else { "EC2" }, at, false);
    entries.push(("requiresCompatibilities", b.array(vec![compatibility], at)));
    entries.push(("executionRoleArn", b.made_by_cdk("execution role", at)));
    entries.push(("taskRoleArn", b.made_by_cdk("task role", at)));
    if let Some(platform) = props.get("runtimePlatform") {
        let mut fields = Vec::new();
        for key in ["cpuArchitecture", "operatingSystemFamily"] {
            if let Some(v) = platform.get(key) {
                fields.push((key, b.value(v)));
            }
        }
        entries.push(("runtimePlatform", b.object(fields, platform.position)));
    }
    entries.push(("containerDefinitions", b.array(containers, at)));
    b.object(entries, at)
}

/// The service fields of a service construct or pattern.
fn service(
    b: &mut Builder,
    construct: &Construct,
    fargate: bool,
    load_balancer: Option<(Node, Node)>,
) -> Node {
    let props = &construct.props;
    let at = construct.position;
    let mut entries: Vec<(&str, Node)> = vec![
        (
            "serviceName",
            b.string(construct.id.clone().unwrap_or_default(), at, false),
        ),
        ("taskDefinition", b.made_by_cdk("task definition", at)),
        (
            "launchType",
            b.string(if fargate { "FARGATE" } else { "EC2" }, at, false),
        ),
    ];
    if let Some(count) = props.get("desiredCount") {
        entries.push(("desiredCount", b.value(count)));
    }
    let grace = match props.get("healthCheckGracePeriod") {
        Some(g) => Some(b.value(g)),
        // The CDK sets 60 s when a load balancer is attached (aws-cdk #2942).
        None => load_balancer.as_ref().map(|_| b.number(60.0, at, false)),
    };
    if let Some(grace) = grace {
        entries.push(("healthCheckGracePeriodSeconds", grace));
    }
    if fargate {
        let public = match props.get("assignPublicIp") {
            Some(p) => match p.value {
                CdkValue::Bool(true) => b.string("ENABLED", p.position, true),
                CdkValue::Bool(false) => b.string("DISABLED", p.position, true),
                _ => b.unknown(p),
            },
            None => b.string("DISABLED", at, false),
        };
        let subnets = b.made_by_cdk(
            "subnets",
            props.get("taskSubnets").map_or(at, |s| s.position),
        );
        let awsvpc = b.object(
            vec![
                ("assignPublicIp", public),
                ("subnets", b.array(vec![subnets], at)),
            ],
            at,
        );
        entries.push((
            "networkConfiguration",
            b.object(vec![("awsvpcConfiguration", awsvpc)], at),
        ));
    }
    if let Some((name, port)) = load_balancer {
        let target = b.made_by_cdk("target group", at);
        let lb = b.object(
            vec![
                ("containerName", name),
                ("containerPort", port),
                ("targetGroupArn", target),
            ],
            at,
        );
        entries.push(("loadBalancers", b.array(vec![lb], at)));
    }
    b.object(entries, at)
}

/// The task construct a service's `taskDefinition` prop names.
fn named_task<'a>(app: &'a App, service: &Construct) -> Option<&'a Construct> {
    let named = service.props.get("taskDefinition")?;
    let CdkValue::Call { callee, args, .. } = &named.value else {
        return None;
    };
    let id = args.get(1).and_then(Cdk::as_str)?;
    app.constructs
        .iter()
        .find(|c| c.written == *callee && c.id.as_deref() == Some(id))
}

fn containers_of(
    b: &mut Builder,
    app: &App,
    task: &Construct,
    services: &[&Construct],
) -> Vec<Node> {
    let receivers: Vec<String> = task
        .variable
        .iter()
        .cloned()
        .chain(
            services
                .iter()
                .filter_map(|s| s.variable.as_ref().map(|v| format!("{v}.taskDefinition"))),
        )
        .collect();
    app.calls
        .iter()
        .filter(|c| c.method == "addContainer" && receivers.contains(&c.receiver))
        .map(|call| {
            let name = match call.props.get("containerName") {
                Some(n) => b.value(n),
                None => match call.args.first() {
                    Some(id) => b.value(id),
                    None => b.made_by_cdk("container", call.position),
                },
            };
            container(b, name, &call.props, None)
        })
        .collect()
}

fn add_app(model: &mut StackModel, app: &App) {
    let mut b = Builder {
        file: &app.file,
        unresolved: Vec::new(),
    };
    let mut deployments: Vec<(Option<Node>, Option<Node>)> = Vec::new();
    let services: Vec<&Construct> = app
        .constructs
        .iter()
        .filter(|c| {
            SERVICE_CLASSES.contains(&c.class.as_str())
                || PATTERN_CLASSES.contains(&c.class.as_str())
        })
        .collect();
    let mut used_tasks = Vec::new();
    for service_construct in &services {
        let fargate = service_construct.class.contains("Fargate");
        let paired = named_task(app, service_construct);
        let pattern = PATTERN_CLASSES.contains(&service_construct.class.as_str());
        let (task_node, load_balancer) = match paired {
            Some(task_construct) => {
                used_tasks.push(task_construct.position);
                let task_fargate = task_construct.class != "Ec2TaskDefinition";
                let containers = containers_of(&mut b, app, task_construct, &[service_construct]);
                let lb = pattern.then(|| first_port(&containers)).flatten();
                (task(&mut b, task_construct, task_fargate, containers), lb)
            }
            None if pattern => {
                // The pattern makes the task from `taskImageOptions`.
                let options = service_construct.props.get("taskImageOptions");
                let at = options.map_or(service_construct.position, |o| o.position);
                let name = match options.and_then(|o| o.get("containerName")) {
                    Some(n) => b.value(n),
                    None => b.string("web", at, false),
                };
                let mut containers = Vec::new();
                if let Some(options) = options {
                    let mut made = container(&mut b, name, options, Some(80.0));
                    // On EC2 the pattern's sizes are the container's (CDK API docs).
                    if !fargate {
                        if let NodeValue::Object(fields) = &mut made.value {
                            for (cdk_name, ecs_name) in [
                                ("memoryLimitMiB", "memory"),
                                ("memoryReservationMiB", "memoryReservation"),
                                ("cpu", "cpu"),
                            ] {
                                if let Some(v) = service_construct.props.get(cdk_name) {
                                    let node = b.value(v);
                                    fields.push((
                                        Key {
                                            name: ecs_name.into(),
                                            position: node.position.clone(),
                                        },
                                        node,
                                    ));
                                }
                            }
                        }
                    }
                    containers.push(made);
                }
                let extra = containers_of(&mut b, app, service_construct, &[service_construct]);
                containers.extend(extra);
                let lb = first_port(&containers);
                (task(&mut b, service_construct, fargate, containers), lb)
            }
            None => (
                b.made_by_cdk("task definition", service_construct.position),
                None,
            ),
        };
        let service_node = service(&mut b, service_construct, fargate, load_balancer);
        let task_node = matches!(task_node.value, NodeValue::Object(_)).then_some(task_node);
        deployments.push((task_node, Some(service_node)));
    }
    for task_construct in app
        .constructs
        .iter()
        .filter(|c| TASK_CLASSES.contains(&c.class.as_str()))
    {
        if used_tasks.contains(&task_construct.position) {
            continue;
        }
        let fargate = task_construct.class != "Ec2TaskDefinition";
        let containers = containers_of(&mut b, app, task_construct, &[]);
        deployments.push((
            Some(task(&mut b, task_construct, fargate, containers)),
            None,
        ));
    }
    add_policies(model, &mut b, app);
    if deployments.is_empty() {
        return;
    }
    remember_text(model, &app.file);
    let problems =
        super::iac::unresolved_problems(b.unresolved.clone(), "the CDK app is synthesized");
    for (task_node, service_node) in deployments {
        let task = task_node
            .map(|t| task_definition(&definition(&app.file, t, ecspresso::DefinitionKind::Task)));
        if let Some(t) = &task {
            mask_environment_secrets(model, t);
        }
        let service = service_node.map(|s| {
            service_definition(&definition(
                &app.file,
                s,
                ecspresso::DefinitionKind::Service,
            ))
        });
        model.ecs.deployments.push(EcspressoDeployment {
            source: DefinitionSource::Cdk,
            config_file: app.file.clone(),
            dir: app.file.parent().map(Path::to_path_buf).unwrap_or_default(),
            region: None,
            cluster: None,
            service: None,
            timeout: None,
            problems: problems.clone(),
            task,
            service_definition: service,
            copilot: None,
        });
    }
}

/// The first container's name and first port, for a pattern's load balancer.
fn first_port(containers: &[Node]) -> Option<(Node, Node)> {
    let first = containers.first()?;
    let name = first.get("name")?.clone();
    let port = first
        .get("portMappings")?
        .as_array()?
        .first()?
        .get("containerPort")?
        .clone();
    Some((name, port))
}

/// `PolicyStatement`s as one-statement policies for the IAM evaluator.
fn add_policies(model: &mut StackModel, b: &mut Builder, app: &App) {
    for statement in app
        .constructs
        .iter()
        .filter(|c| c.class == "PolicyStatement")
    {
        let props = &statement.props;
        let at = statement.position;
        let effect = match props.get("effect").map(|e| &e.value) {
            Some(CdkValue::Member(m)) if m.ends_with("DENY") => "Deny",
            _ => "Allow",
        };
        let mut fields = vec![(
            "Effect",
            b.string(effect, props.get("effect").map_or(at, |e| e.position), true),
        )];
        for (cdk_name, iam_name) in [
            ("actions", "Action"),
            ("resources", "Resource"),
            ("notActions", "NotAction"),
        ] {
            if let Some(v) = props.get(cdk_name) {
                fields.push((iam_name, b.value(v)));
            }
        }
        if fields.len() < 2 {
            continue;
        }
        let document = b.object(
            vec![
                ("Version", b.string("2012-10-17", at, false)),
                ("Statement", b.array(vec![b.object(fields, at)], at)),
            ],
            at,
        );
        super::iac::add_policy_document(model, &app.file, &document);
    }
}
