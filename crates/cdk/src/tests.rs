use super::*;

const TS: &str = r#"import * as ecs from 'aws-cdk-lib/aws-ecs';
const mem = 4096;
const logging = new ecs.AwsLogDriver({ streamPrefix: "api" });
const taskDef = new ecs.FargateTaskDefinition(this, "Task", {
  memoryLimitMiB: mem,
  cpu: 256,
  runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64 },
});
taskDef.addContainer("App", {
  image: ecs.ContainerImage.fromRegistry("nginx:1.27"),
  logging,
  healthCheck: { command: ["CMD-SHELL", `curl -f http://localhost/ || exit 1`], interval: cdk.Duration.seconds(30) },
  portMappings: [{ containerPort: 8080 }],
  environment: { LOG_LEVEL: "info", HOST: props.host },
});
"#;

const PY: &str = r#"from aws_cdk import aws_ecs as ecs
mem = 4096
task_def = ecs.FargateTaskDefinition(self, "Task", memory_limit_mib=mem, cpu=256)
task_def.add_container(
    "App",
    image=ecs.ContainerImage.from_registry("nginx:1.27"),
    port_mappings=[ecs.PortMapping(container_port=8080)],
    environment={"LOG_LEVEL": "info"},
)
"#;

fn app(name: &str, text: &str) -> App {
    read(Path::new(name), text).unwrap().unwrap()
}

#[test]
fn typescript_constructs_props_and_calls_with_positions() {
    let app = app("stack.ts", TS);
    let task = app
        .constructs
        .iter()
        .find(|c| c.class == "FargateTaskDefinition")
        .unwrap();
    assert_eq!(task.variable.as_deref(), Some("taskDef"));
    assert_eq!(task.id.as_deref(), Some("Task"));
    let memory = task.props.get("memoryLimitMiB").unwrap();
    // The constant's value, where it is written.
    assert_eq!((memory.as_f64(), memory.position.line), (Some(4096.0), 2));
    assert_eq!(
        task.props
            .get("runtimePlatform")
            .unwrap()
            .get("cpuArchitecture")
            .unwrap()
            .value,
        Value::Member("ecs.CpuArchitecture.ARM64".into())
    );
    let add = app
        .calls
        .iter()
        .find(|c| c.method == "addContainer")
        .unwrap();
    assert_eq!(add.receiver, "taskDef");
    assert_eq!(add.args[0].as_str(), Some("App"));
    let image = add.props.get("image").unwrap();
    assert_eq!(image.call_name(), Some("fromRegistry"));
    assert_eq!(
        image.value,
        Value::Call {
            callee: "ecs.ContainerImage.fromRegistry".into(),
            args: vec![Node {
                value: Value::String("nginx:1.27".into()),
                position: Position {
                    line: 10,
                    column: 42
                }
            }],
            props: vec![]
        }
    );
    assert_eq!(
        add.props.get("logging").unwrap().call_name(),
        Some("AwsLogDriver")
    );
    let check = add.props.get("healthCheck").unwrap();
    assert_eq!(
        check.get("command").unwrap(),
        &Node {
            value: Value::Array(vec![
                Node {
                    value: Value::String("CMD-SHELL".into()),
                    position: Position {
                        line: 12,
                        column: 28
                    }
                },
                Node {
                    value: Value::String("curl -f http://localhost/ || exit 1".into()),
                    position: Position {
                        line: 12,
                        column: 41
                    }
                },
            ]),
            position: Position {
                line: 12,
                column: 27
            }
        }
    );
    let environment = add.props.get("environment").unwrap();
    assert_eq!(environment.get("LOG_LEVEL").unwrap().as_str(), Some("info"));
    assert_eq!(
        environment.get("HOST").unwrap().value,
        Value::Member("props.host".into())
    );
}

#[test]
fn python_reads_as_typescript_does() {
    let app = app("app.py", PY);
    let task = app
        .constructs
        .iter()
        .find(|c| c.class == "FargateTaskDefinition")
        .unwrap();
    assert_eq!(task.variable.as_deref(), Some("task_def"));
    assert_eq!(
        task.props.get("memoryLimitMiB").unwrap().as_f64(),
        Some(4096.0)
    );
    assert_eq!(task.props.get("cpu").unwrap().as_f64(), Some(256.0));
    let add = app
        .calls
        .iter()
        .find(|c| c.method == "addContainer")
        .unwrap();
    assert_eq!(add.receiver, "task_def");
    let mapping = &add.props.get("portMappings").unwrap();
    let Value::Array(items) = &mapping.value else {
        panic!("{mapping:?}")
    };
    assert_eq!(
        items[0].get("containerPort").unwrap().as_f64(),
        Some(8080.0)
    );
    // dict keys are the user's, not renamed.
    assert!(add
        .props
        .get("environment")
        .unwrap()
        .get("LOG_LEVEL")
        .is_some());
}

#[test]
fn names_are_renamed_and_unknowns_stay_unknown() {
    assert_eq!(camel_case("memory_limit_mib"), "memoryLimitMiB");
    assert_eq!(camel_case("add_container"), "addContainer");
    assert_eq!(camel_case("cpu"), "cpu");
    assert_eq!(camel_case("_private"), "private");
    let app = app("x.ts", "let a = 1; a = 2;\nnew ecs.FargateTaskDefinition(this, 'T', { cpu: a, memoryLimitMiB: f(3) });\n");
    let task = &app.constructs[0];
    assert_eq!(
        task.props.get("cpu").unwrap().value,
        Value::Unresolved("a".into())
    );
    assert!(is_cdk("import * as cdk from 'aws-cdk-lib';"));
    assert!(!is_cdk("import express from 'express';"));
    // A self-referencing constant and deep nesting end.
    let deep = format!(
        "const x = x;\nnew A(this, 'a', {{ v: x, w: {}1{} }});\n",
        "[".repeat(500),
        "]".repeat(500)
    );
    let app = app_of("deep.ts", &deep);
    assert_eq!(app.constructs.len(), 1);
    // A constant defined through itself in a call, and calls nested deeply
    // (found by the fuzzer: a stack overflow), end as unresolved values.
    let looped = "const x = f(x);\nnew A(this, 'a', { v: x });\n";
    assert_eq!(app_of("loop.ts", looped).constructs.len(), 1);
    let nested = format!(
        "new A(this, 'a', {{ v: {}1{} }});\n",
        "f(".repeat(3000),
        ")".repeat(3000)
    );
    assert_eq!(app_of("nested.ts", &nested).constructs.len(), 1);
    let py = "x = f(x)\nA(self, 'a', v=x)\n";
    assert_eq!(app_of("loop.py", py).constructs.len(), 1);
}

fn app_of(name: &str, text: &str) -> App {
    app(name, text)
}

/// Every CDK app of aws-cdk-examples' ECS samples reads, and each defines
/// an ECS construct.
#[test]
fn the_corpus_apps_read() {
    let Some(dir) = testcorpus::dir("iac/cdk") else {
        return;
    };
    let files = testcorpus::files(&dir, |p| {
        p.file_name()
            .is_some_and(|n| n == "index.ts" || n == "app.py")
    });
    assert!(files.len() >= 15, "{}", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // The sample's own Flask app is not CDK code.
        if !is_cdk(&text) {
            continue;
        }
        let app = read(&file, &text).unwrap().unwrap();
        assert!(
            app.constructs.iter().any(|c| c.written.starts_with("ecs")
                || c.written.contains("ecs_patterns")
                || c.written.contains("ecsPatterns")),
            "{}: {:?}",
            file.display(),
            app.constructs
                .iter()
                .map(|c| &c.written)
                .collect::<Vec<_>>()
        );
    }
}
