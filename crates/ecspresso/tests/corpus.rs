//! Loads the ecspresso test fixtures (kayac/ecspresso, MIT) from the shared corpus.

use ecspresso::{load, load_definition, LoadOptions, NodeValue, Problem, ProblemKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// ecspresso's test corpus; `None` (the test is skipped, or fails under
/// `CI=true`) when it is absent.
fn corpus() -> Option<PathBuf> {
    testcorpus::dir("ecspresso")
}

fn options(root: &Path, config: &str) -> LoadOptions {
    let env: BTreeMap<String, String> = [
        ("AWS_REGION", "ap-northeast-1"),
        ("PWD", root.to_str().unwrap_or("")),
        ("TAG", "v1"),
        ("SERVICE", "svc"),
        ("AWS_ACCOUNT_ID", "123456789012"),
        ("JSON", "{\"a\":1}"),
        ("OPTION", "x"),
        ("DEPLOYMENT_CONTROLLER", "ECS"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let ext_str: BTreeMap<String, String> = [("WorkerID", "3"), ("DEPLOYMENT_CONTROLLER", "ECS")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let ext_code = BTreeMap::from([("EphemeralStorage".to_string(), "25".to_string())]);
    LoadOptions {
        config: Some(root.join(config)),
        dir: root.to_path_buf(),
        envfiles: Vec::new(),
        env,
        ext_str,
        ext_code,
        bounds: Default::default(),
    }
}

fn with_env(mut o: LoadOptions, k: &str, v: Option<&str>) -> LoadOptions {
    match v {
        Some(v) => {
            o.env.insert(k.to_string(), v.to_string());
        }
        None => {
            o.env.remove(k);
        }
    }
    o
}

fn has(problems: &[Problem], pred: impl Fn(&ProblemKind) -> bool) -> bool {
    problems.iter().any(|p| pred(&p.kind))
}

/// Files in the corpus that are not ecspresso configs or definitions.
const NON_ECSPRESSO: &[&str] = &[
    "LICENSE",
    "SOURCE.md",
    "appspec/test.yml",
    "docs/iam-policy-example.json",
    "tests/.ecspresso-version",
    "tests/bucket.tfstate",
    "tests/terraform.tfstate",
    "tests/ci/terraform.tfstate",
    "tests/ci/envfile",
    "tests/ci/envfile.override",
    "tests/envfile",
    "tests/envfile2",
    "tests/libs/container.libsonnet",
];

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_file_is_accounted_for() {
    let Some(root) = corpus() else { return };
    let mut files = Vec::new();
    walk(&root, &mut files);
    assert!(
        files.len() >= 60,
        "corpus looks incomplete: {}",
        files.len()
    );
    for f in files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        assert!(
            CONFIGS.contains(&rel.as_str())
                || DEFINITIONS.contains(&rel.as_str())
                || NON_ECSPRESSO.contains(&rel.as_str()),
            "corpus file {rel} is neither loaded by a test nor listed as non-ecspresso"
        );
    }
}

#[test]
fn every_config_loads() {
    let Some(root) = corpus() else { return };
    for c in CONFIGS {
        let project = load(&options(&root, c)).unwrap_or_else(|e| panic!("{c}: {e}"));
        assert!(project.config_path.ends_with(c));
        // None of the corpus configs has an unknown top-level key.
        assert!(
            !has(&project.problems, |k| matches!(
                k,
                ProblemKind::UnknownKey { .. }
            )),
            "{c}: {:?}",
            project.problems
        );
    }
}

#[test]
fn every_definition_loads() {
    let Some(root) = corpus() else { return };
    for d in DEFINITIONS {
        let (def, _problems) =
            load_definition(&root.join(d), &options(&root, "tests/ecspresso.yml"))
                .unwrap_or_else(|e| panic!("{d}: {e}"));
        assert!(!def.root.entries().is_empty(), "{d} is empty");
        assert_eq!(def.path, root.join(d));
    }
}

#[test]
fn tfstate_values_come_from_the_local_state() {
    let Some(root) = corpus() else { return };
    let p = load(&options(&root, "tests/ecspresso.yml")).unwrap();
    assert_eq!(
        p.config.region.as_ref().and_then(|n| n.as_str()),
        Some("ap-northeast-1")
    );
    let td = p.task_definition.as_ref().unwrap();
    let c0 = &td
        .root
        .get("containerDefinitions")
        .unwrap()
        .as_array()
        .unwrap()[0];
    assert_eq!(
        c0.get("image").unwrap().as_str(),
        Some("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:v1")
    );
    // {{ env `JSON` | json_escape }} inside a JSON string gives back the raw value.
    let env0 = &c0.get("environment").unwrap().as_array().unwrap()[0];
    assert_eq!(env0.get("value").unwrap().as_str(), Some("{\"a\":1}"));
    let sv = p.service_definition.as_ref().unwrap();
    let vpc = sv
        .root
        .get("networkConfiguration")
        .unwrap()
        .get("awsvpcConfiguration")
        .unwrap();
    assert_eq!(
        vpc.get("subnets").unwrap().as_array().unwrap()[0].as_str(),
        Some("subnet-07ac54af5e41a4fc4")
    );
    let sg = vpc.get("securityGroups").unwrap().as_array().unwrap()[0]
        .as_str()
        .unwrap();
    assert!(sg.starts_with("sg-"), "{sg}");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert!(p.env_used.iter().any(|(k, v)| k == "TAG" && v == "v1"));
    assert!(p.env_used.iter().any(|(k, _)| k == "AWS_REGION"));
}

#[test]
fn ci_config_if_block_and_remote_state() {
    let Some(root) = corpus() else { return };
    let base = options(&root, "tests/ci/ecspresso.yml");
    let without = load(&with_env(base.clone(), "TFSTATE_BUCKET", None)).unwrap();
    assert!(without.config.plugins.is_empty());
    assert_eq!(
        without.config.service.as_ref().and_then(|n| n.as_str()),
        Some("svc")
    );
    assert!(!has(
        &without.problems,
        |k| matches!(k, ProblemKind::Unresolved { function, .. } if function == "tfstate")
    ));

    let with = load(&with_env(base, "TFSTATE_BUCKET", Some("my-bucket"))).unwrap();
    assert_eq!(with.config.plugins.len(), 1);
    assert_eq!(with.config.plugins[0].name, "tfstate");
    let url = "s3://my-bucket/terraform.tfstate";
    assert!(
        has(
            &with.problems,
            |k| matches!(k, ProblemKind::Unresolved { function, argument } if function == "tfstate" && argument == url)
        ),
        "{:?}",
        with.problems
    );
}

#[test]
fn ssm_and_secretsmanager_stay_unresolved() {
    let Some(root) = corpus() else { return };
    let p = load(&options(&root, "tests/ci/ecspresso.yml")).unwrap();
    assert!(has(
        &p.problems,
        |k| matches!(k, ProblemKind::Unresolved { function, argument } if function == "ssm" && argument == "/ecspresso-test/foo")
    ));
    assert!(has(
        &p.problems,
        |k| matches!(k, ProblemKind::Unresolved { function, argument } if function == "secretsmanager_arn" && argument == "ecspresso-test/baz")
    ));
    let td = p.task_definition.as_ref().unwrap();
    let c0 = &td
        .root
        .get("containerDefinitions")
        .unwrap()
        .as_array()
        .unwrap()[0];
    let foo = &c0.get("environment").unwrap().as_array().unwrap()[0];
    assert_eq!(
        foo.get("value").unwrap().as_str(),
        Some("<unresolved:ssm:/ecspresso-test/foo>")
    );
    assert!(foo.get("value").unwrap().is_unresolved());
    assert!(td.root.contains_unresolved());
    // ext var DEPLOYMENT_CONTROLLER=ECS: volumes kept
    assert!(td
        .root
        .get("volumes")
        .unwrap()
        .as_array()
        .is_some_and(|v| v.len() == 1));
    let sv = p.service_definition.as_ref().unwrap();
    assert_eq!(
        sv.root
            .get("deploymentController")
            .unwrap()
            .get("type")
            .unwrap()
            .as_str(),
        Some("ECS")
    );
}

#[test]
fn unset_must_env_points_at_the_action() {
    let Some(root) = corpus() else { return };
    let p = load(&with_env(
        options(&root, "tests/ci/ecspresso.yml"),
        "SERVICE",
        None,
    ))
    .unwrap();
    let problem = p
        .problems
        .iter()
        .find(|p| matches!(&p.kind, ProblemKind::UnsetVariable { name } if name == "SERVICE"))
        .expect("UnsetVariable SERVICE");
    let pos = problem.position.as_ref().unwrap();
    assert!(pos.file.ends_with("tests/ci/ecspresso.yml"));
    assert_eq!((pos.line, pos.column, pos.exact), (3, 11, true));
    assert_eq!(
        problem.message,
        "environment variable SERVICE is not defined"
    );
    assert!(p.config.service.as_ref().unwrap().is_unresolved());
}

#[test]
fn duplicate_and_multiple_plugins() {
    let Some(root) = corpus() else { return };
    let dup = load(&options(&root, "tests/config_duplicate_plugins.yaml")).unwrap();
    let d = dup
        .problems
        .iter()
        .find(|p| matches!(&p.kind, ProblemKind::DuplicatePlugin { name } if name == "tfstate"))
        .expect("DuplicatePlugin");
    assert_eq!(d.position.as_ref().map(|p| p.line), Some(11));

    let multi = load(&options(&root, "tests/config_multiple_plugins.yaml")).unwrap();
    assert!(multi.problems.is_empty(), "{:?}", multi.problems);
    assert_eq!(
        multi.config.plugins[0].func_prefix.as_deref(),
        Some("bucket_")
    );
    let td = multi.task_definition.as_ref().unwrap();
    let c0 = &td
        .root
        .get("containerDefinitions")
        .unwrap()
        .as_array()
        .unwrap()[0];
    let s3 = &c0.get("environment").unwrap().as_array().unwrap()[1];
    assert_eq!(s3.get("value").unwrap().as_str(), Some("s3://example/"));
    assert_eq!(
        c0.get("image").unwrap().as_str(),
        Some("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:v1")
    );
}

#[test]
fn timeouts_and_deprecated_keys() {
    let Some(root) = corpus() else { return };
    let p = load(&options(&root, "tests/notimeout.yml")).unwrap();
    assert!(p.config.timeout.is_none());
    assert!(p.config.timeout_setting().is_none());
    let p = load(&options(&root, "tests/ecspresso.yml")).unwrap();
    let (setting, node) = p.config.timeout_setting().unwrap();
    assert_eq!(
        setting,
        ecspresso::TimeoutSetting::Duration(std::time::Duration::from_secs(600))
    );
    assert_eq!(node.position.line, 6);
    let p = load(&options(&root, "tests/filter_command.yml")).unwrap();
    let d = p
        .problems
        .iter()
        .find(|p| matches!(&p.kind, ProblemKind::DeprecatedKey { key } if key == "filter_command"))
        .unwrap();
    assert_eq!(
        d.position.as_ref().map(|p| (p.line, p.column)),
        Some((5, 1))
    );
    let p = load(&options(&root, "tests/td-config.yml")).unwrap();
    assert!(has(&p.problems, |k| *k
        == ProblemKind::ServiceDefinitionNotDefined));
    let p = load(&options(&root, "tests/run-without-sv.yaml")).unwrap();
    assert!(!has(&p.problems, |k| *k
        == ProblemKind::ServiceDefinitionNotDefined));
}

#[test]
fn tfstate_in_jsonnet_config_with_missing_files() {
    let Some(root) = corpus() else { return };
    let p = load(&options(
        &root,
        "newer/tests/config_tfstate_in_config.jsonnet",
    ))
    .unwrap();
    let dir = root.join("newer/tests");
    for f in ["ecs-task-def.jsonnet", "ecs-service-def.jsonnet"] {
        assert!(
            has(
                &p.problems,
                |k| matches!(k, ProblemKind::MissingFile { path } if *path == dir.join(f))
            ),
            "{f}: {:?}",
            p.problems
        );
    }
    let cluster = p.config.cluster.as_ref().unwrap();
    if dir.join("terraform.tfstate").exists() {
        assert!(!cluster.is_unresolved());
    } else {
        assert!(cluster.is_unresolved());
        assert!(has(
            &p.problems,
            |k| matches!(k, ProblemKind::Unresolved { function, argument } if function == "tfstate" && argument == "aws_ecs_cluster.main.name")
        ));
        assert!(has(
            &p.problems,
            |k| matches!(k, ProblemKind::MissingFile { path } if *path == dir.join("terraform.tfstate"))
        ));
    }
    // must_env('AWS_REGION') as a native function
    assert_eq!(
        p.config.region.as_ref().and_then(|n| n.as_str()),
        Some("ap-northeast-1")
    );
    // Jsonnet positions are approximate but on the right line.
    let key = p.config.root.get_key("service").unwrap();
    assert_eq!((key.position.line, key.position.exact), (12, false));
}

#[test]
fn wrapped_and_plain_task_definitions_agree() {
    let Some(root) = corpus() else { return };
    let o = options(&root, "tests/ecspresso.yml");
    let (plain, pp) = load_definition(&root.join("tests/td-plain.json"), &o).unwrap();
    let (wrapped, _) = load_definition(&root.join("tests/td.json"), &o).unwrap();
    assert!(!plain.wrapped);
    assert!(wrapped.wrapped);
    assert_eq!(plain.kind, ecspresso::DefinitionKind::Task);
    assert_eq!(wrapped.kind, ecspresso::DefinitionKind::Task);
    let fam = |d: &ecspresso::Definition| {
        d.root
            .get("family")
            .and_then(|n| n.as_str())
            .map(str::to_string)
    };
    assert_eq!(fam(&plain), Some("katsubushi".to_string()));
    assert_eq!(fam(&plain), fam(&wrapped));
    assert!(has(
        &pp,
        |k| matches!(k, ProblemKind::DescribeOnlyField { key } if key == "revision")
    ));
    assert!(has(
        &pp,
        |k| matches!(k, ProblemKind::DescribeOnlyField { key } if key == "status")
    ));
    // position of the `cpu` value in the JSON file (line 58: `  "cpu": "1024",`)
    let cpu = plain.root.get("cpu").unwrap();
    assert_eq!(
        (cpu.position.line, cpu.position.column, cpu.position.length),
        (58, 10, 6)
    );
    assert!(cpu.position.exact);
    assert_eq!(cpu.as_u64(), Some(1024));
    let key = plain.root.get_key("cpu").unwrap();
    assert_eq!((key.position.line, key.position.column), (58, 3));
    // the wrapped form keeps positions in the file too
    let cpu = wrapped.root.get("cpu").unwrap();
    assert_eq!((cpu.position.line, cpu.position.column), (57, 12));
    // td-in-tags: the image template renders with TAG
    let c0 = &plain
        .root
        .get("containerDefinitions")
        .unwrap()
        .as_array()
        .unwrap()[0];
    assert_eq!(
        c0.get("image").unwrap().as_str(),
        Some("katsubushi/katsubushi:v1")
    );
}

#[test]
fn jsonnet_definition_with_ext_vars_and_imports() {
    let Some(root) = corpus() else { return };
    let (td, problems) = load_definition(
        &root.join("tests/td.jsonnet"),
        &options(&root, "tests/ecspresso.yml"),
    )
    .unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(td.root.get("family").unwrap().as_str(), Some("katsubushi"));
    assert_eq!(
        td.root
            .get("ephemeralStorage")
            .unwrap()
            .get("sizeInGiB")
            .unwrap()
            .value,
        NodeValue::Number(25.0)
    );
    let c0 = &td
        .root
        .get("containerDefinitions")
        .unwrap()
        .as_array()
        .unwrap()[0];
    let env0 = &c0.get("environment").unwrap().as_array().unwrap()[0];
    assert_eq!(env0.get("value").unwrap().as_str(), Some("3"));
    // from libs/container.libsonnet, template-rendered after evaluation
    assert_eq!(
        c0.get("image").unwrap().as_str(),
        Some("katsubushi/katsubushi:v1")
    );
    let fam = td.root.get_key("family").unwrap();
    assert_eq!((fam.position.line, fam.position.exact), (4, false));
    assert!(fam.position.file.ends_with("tests/td.jsonnet"));
    // a key only the imported file has is located there
    let ulimits = c0.get_key("ulimits").unwrap();
    assert!(
        ulimits.position.file.ends_with("libs/container.libsonnet"),
        "{:?}",
        ulimits.position
    );
    assert_eq!(ulimits.position.line, 24);

    // Without the ext vars: a problem-free Err, not a panic.
    let mut o = options(&root, "tests/ecspresso.yml");
    o.ext_str.clear();
    o.ext_code.clear();
    let e = load_definition(&root.join("tests/td.jsonnet"), &o).unwrap_err();
    match e {
        ecspresso::Error::Syntax { line, message, .. } => {
            assert!(
                message.contains("EphemeralStorage") || message.contains("WorkerID"),
                "{message}"
            );
            assert!(line > 0);
        }
        other => panic!("{other}"),
    }
}

#[test]
fn envfiles_override_the_environment() {
    let Some(root) = corpus() else { return };
    let dir = scratch("envfiles");
    std::fs::write(dir.join("ecspresso.yml"), "cluster: \"{{ must_env `ECSPRESSO_TEST` }}\"\nservice: \"{{ env `ECSPRESSO_TEST2` `none` }}\"\n").unwrap();
    let mut o = options(&root, "x");
    o.config = None;
    o.dir = dir.clone();
    o.env.insert("ECSPRESSO_TEST".into(), "env".into());
    o.envfiles = vec![root.join("tests/envfile"), root.join("tests/envfile2")];
    let p = load(&o).unwrap();
    assert_eq!(
        p.config.cluster.as_ref().and_then(|n| n.as_str()),
        Some("ok2")
    );
    assert_eq!(
        p.config.service.as_ref().and_then(|n| n.as_str()),
        Some("ok2")
    );
    assert!(p
        .env_used
        .contains(&("ECSPRESSO_TEST".to_string(), "ok2".to_string())));
    o.envfiles = vec![root.join("tests/envfile")];
    let p = load(&o).unwrap();
    assert_eq!(
        p.config.cluster.as_ref().and_then(|n| n.as_str()),
        Some("ok")
    );
    assert_eq!(
        p.config.service.as_ref().and_then(|n| n.as_str()),
        Some("none")
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecspresso-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const CONFIGS: &[&str] = &[
    "newer/tests/config_simple.yaml",
    "newer/tests/config_tags.yaml",
    "newer/tests/config_tfstate_in_config.json",
    "newer/tests/config_tfstate_in_config.jsonnet",
    "newer/tests/config_tfstate_in_config.yaml",
    "newer/tests/config_tfstate_injected.yaml",
    "tests/ci/bash.yml",
    "tests/ci/config-daemon.yaml",
    "tests/ci/ecspresso.yml",
    "tests/ci/nginx.yml",
    "tests/config_abs.yaml",
    "tests/config_codedeploy.json",
    "tests/config_codedeploy.jsonnet",
    "tests/config_codedeploy.yml",
    "tests/config_duplicate_plugins.yaml",
    "tests/config_multiple_plugins.yaml",
    "tests/ecspresso.json",
    "tests/ecspresso.jsonnet",
    "tests/ecspresso.yaml",
    "tests/ecspresso.yml",
    "tests/filter_command.yml",
    "tests/notimeout.yml",
    "tests/run-with-sv.yaml",
    "tests/run-without-sv.yaml",
    "tests/td-config.yml",
    "tests/terraform/ecspresso.jsonnet",
    "tests/test.yaml",
];

const DEFINITIONS: &[&str] = &[
    "newer/tests/dd.json",
    "newer/tests/dd.jsonnet",
    "newer/tests/deployment.json",
    "newer/tests/sv-monitoring.json",
    "tests/ci/bash-service.jsonnet",
    "tests/ci/bash-taskdef.jsonnet",
    "tests/ci/ecs-service-def-daemon.json",
    "tests/ci/ecs-service-def.jsonnet",
    "tests/ci/ecs-task-def-daemon.json",
    "tests/ci/ecs-task-def.jsonnet",
    "tests/ci/nginx-service.jsonnet",
    "tests/ci/nginx-taskdef.jsonnet",
    "tests/ci/overrides.json",
    "tests/ecs-service-def.json",
    "tests/ecs-task-def-multiple-plugins.json",
    "tests/ecs-task-def.json",
    "tests/run-test-td.json",
    "tests/sv.json",
    "tests/sv.jsonnet",
    "tests/td-in-tags.json",
    "tests/td-plain-in-tags.json",
    "tests/td-plain.json",
    "tests/td.json",
    "tests/td.jsonnet",
    "tests/terraform/ecs-service-def.jsonnet",
    "tests/terraform/ecs-task-def.jsonnet",
];
