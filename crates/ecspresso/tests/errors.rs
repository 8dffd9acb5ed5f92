//! Syntax errors, positions through templates, and hostile input, on scratch files.

use ecspresso::{load, load_definition, Error, LoadOptions, ProblemKind};
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecspresso-errors-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn opts(dir: &Path, config: &str) -> LoadOptions {
    LoadOptions {
        config: Some(dir.join(config)),
        dir: dir.to_path_buf(),
        ..LoadOptions::default()
    }
}

fn syntax(e: Error) -> (PathBuf, u32, u32, String) {
    match e {
        Error::Syntax {
            path,
            line,
            column,
            message,
        } => (path, line, column, message),
        other => panic!("expected a syntax error, got {other}"),
    }
}

#[test]
fn yaml_config_syntax_error_has_line_and_column() {
    let dir = scratch("yaml");
    std::fs::write(
        dir.join("ecspresso.yml"),
        "region: x\ncluster: [a, b\nservice: s\n",
    )
    .unwrap();
    let e = load(&opts(&dir, "ecspresso.yml")).unwrap_err();
    let shown = e.to_string();
    let (path, line, column, message) = syntax(e);
    assert!(path.ends_with("ecspresso.yml"));
    assert!(line >= 2 && column >= 1, "{line}:{column} {message}");
    assert!(
        shown.contains(&format!("ecspresso.yml:{line}:{column}: ")),
        "{shown}"
    );
}

#[test]
fn json_config_syntax_error_maps_through_the_template() {
    let dir = scratch("json");
    // The first line's template output is much longer than its source.
    std::fs::write(
        dir.join("ecspresso.json"),
        "{\"region\": \"{{ env `NOPE` `a-very-long-default-region-name` }}\",\n  \"cluster\": \"c\"\n  \"service\": \"s\"\n}\n",
    )
    .unwrap();
    let e = load(&opts(&dir, "ecspresso.json")).unwrap_err();
    let (_, line, column, _) = syntax(e);
    assert_eq!((line, column), (3, 3));
}

#[test]
fn template_error_in_config_is_a_syntax_error() {
    let dir = scratch("tpl");
    std::fs::write(
        dir.join("ecspresso.yml"),
        "region: x\ncluster: {{ env `X`\n",
    )
    .unwrap();
    let (_, line, column, message) = syntax(load(&opts(&dir, "ecspresso.yml")).unwrap_err());
    assert_eq!((line, column), (2, 10));
    assert!(message.contains("unclosed action"), "{message}");
}

#[test]
fn jsonnet_config_errors_have_positions() {
    let dir = scratch("jsonnet");
    std::fs::write(
        dir.join("ecspresso.jsonnet"),
        "{\n  region: 'x',\n  cluster: std.extVar('CLUSTER'),\n}\n",
    )
    .unwrap();
    let (_, line, _, message) = syntax(load(&opts(&dir, "ecspresso.jsonnet")).unwrap_err());
    assert!(message.contains("CLUSTER"), "{message}");
    assert_eq!(line, 3);
    let mut o = opts(&dir, "ecspresso.jsonnet");
    o.ext_str.insert("CLUSTER".into(), "prod".into());
    let p = load(&o).unwrap();
    assert_eq!(
        p.config.cluster.as_ref().and_then(|n| n.as_str()),
        Some("prod")
    );

    std::fs::write(dir.join("bad.jsonnet"), "{\n  region: 'x',,\n}\n").unwrap();
    let (_, line, column, _) = syntax(load(&opts(&dir, "bad.jsonnet")).unwrap_err());
    assert_eq!((line, column), (2, 15));
}

#[test]
fn positions_survive_templates_that_change_line_lengths() {
    let dir = scratch("positions");
    std::fs::write(
        dir.join("ecspresso.yml"),
        "task_definition: td.json\nregion: \"{{ env `R` `somewhere-far-away-1` }}\"\ncluster: c\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("td.json"),
        "{\n  \"family\": \"{{ env `FAM` `a-family-name-much-longer-than-the-action` }}\", \"cpu\": \"1 vCPU\",\n  \"memory\": \"{{ env `M` `2 GB` }}\"\n}\n",
    )
    .unwrap();
    let p = load(&opts(&dir, "ecspresso.yml")).unwrap();
    let cluster = p.config.cluster.as_ref().unwrap();
    assert_eq!((cluster.position.line, cluster.position.column), (3, 10));
    let region = p.config.region.as_ref().unwrap();
    assert_eq!(region.as_str(), Some("somewhere-far-away-1"));
    assert_eq!((region.position.line, region.position.column), (2, 9));
    let td = p.task_definition.as_ref().unwrap();
    let cpu = td.root.get("cpu").unwrap();
    assert_eq!(
        (cpu.position.line, cpu.position.column, cpu.position.length),
        (2, 83, 8)
    );
    assert_eq!(cpu.as_str().and_then(ecspresso::cpu_units), Some(1024));
    let mem = td.root.get("memory").unwrap();
    assert_eq!((mem.position.line, mem.position.column), (3, 13));
    assert_eq!(mem.as_str().and_then(ecspresso::memory_mib), Some(2048));
    // a value produced by an action points at its `{{`… inside the quoted string
    let fam = td.root.get("family").unwrap();
    assert_eq!((fam.position.line, fam.position.column), (2, 13));
}

#[test]
fn definition_problems_do_not_stop_loading() {
    let dir = scratch("defs");
    std::fs::write(
        dir.join("ecspresso.yml"),
        "cluster: c\nservice: s\ntask_definition: td.json\nservice_definition: sv.json\nbogus: 1\nplugins:\n  - name: nope\n",
    )
    .unwrap();
    std::fs::write(dir.join("td.json"), "{\n  \"family\": \"{{ nope `x` }}\",\n  \"Cpu\": \"256\",\n  \"containerDefinitions\": [{\"name\": \"a\", \"imagee\": \"x\"}]\n}\n").unwrap();
    std::fs::write(dir.join("sv.json"), "{\n  \"desiredCount\": {{ env `N`").unwrap();
    let p = load(&opts(&dir, "ecspresso.yml")).unwrap();
    let kinds: Vec<&ProblemKind> = p.problems.iter().map(|p| &p.kind).collect();
    assert!(
        kinds.contains(&&ProblemKind::UnknownKey {
            key: "bogus".into()
        }),
        "{kinds:?}"
    );
    assert!(kinds.contains(&&ProblemKind::UnknownPlugin {
        name: "nope".into()
    }));
    assert!(kinds.contains(&&ProblemKind::UnknownFunction {
        name: "nope".into()
    }));
    // a key differing only in case is accepted, like ecspresso's decoder does
    assert!(!kinds.contains(&&ProblemKind::UnknownKey { key: "Cpu".into() }));
    let imagee = p
        .problems
        .iter()
        .find(|p| {
            p.kind
                == ProblemKind::UnknownKey {
                    key: "imagee".into(),
                }
        })
        .unwrap();
    assert_eq!(
        imagee.position.as_ref().map(|p| (p.line, p.column)),
        Some((4, 42))
    );
    let td = p.task_definition.as_ref().unwrap();
    assert_eq!(
        td.root.get("family").unwrap().as_str(),
        Some("<unresolved:nope:x>")
    );
    // sv.json has an unclosed action: a DefinitionSyntax problem with its position
    assert!(p.service_definition.is_none());
    let syn = p
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::DefinitionSyntax)
        .unwrap();
    assert_eq!(
        syn.position.as_ref().map(|p| (p.line, p.column)),
        Some((2, 19))
    );
    assert!(syn.message.contains("unclosed action"), "{}", syn.message);
}

#[test]
fn unsupported_extension_and_not_found() {
    let dir = scratch("ext");
    std::fs::write(dir.join("conf.toml"), "cluster: c\n").unwrap();
    let p = load(&opts(&dir, "conf.toml")).unwrap();
    assert!(p.problems.iter().any(|p| p.kind
        == ProblemKind::UnsupportedExtension {
            extension: "toml".into()
        }));
    assert_eq!(
        p.config.cluster.as_ref().and_then(|n| n.as_str()),
        Some("c")
    );
    let empty = scratch("empty");
    let o = LoadOptions {
        dir: empty.clone(),
        ..LoadOptions::default()
    };
    assert!(matches!(load(&o), Err(Error::NotFound { .. })));
    assert_eq!(ecspresso::discover(&empty), None);
    assert!(matches!(
        load(&opts(&empty, "missing.yml")),
        Err(Error::Read { .. })
    ));
    assert!(matches!(
        load_definition(&empty.join("nope.json"), &o),
        Err(Error::Read { .. })
    ));
}

#[test]
fn timeouts() {
    let dir = scratch("timeouts");
    for (text, expect) in [
        ("timeout: 300\n", Some(ProblemKind::BareNumberTimeout)),
        ("timeout: 10 minutes\n", Some(ProblemKind::InvalidTimeout)),
        ("timeout: \"\"\n", Some(ProblemKind::InvalidTimeout)),
        ("timeout: 1h30m\n", None),
        ("required_version: \">= 2.0\"\n", None),
        (
            "required_version: \"latest\"\n",
            Some(ProblemKind::InvalidRequiredVersion),
        ),
    ] {
        std::fs::write(dir.join("ecspresso.yml"), text).unwrap();
        let p = load(&opts(&dir, "ecspresso.yml")).unwrap();
        match &expect {
            Some(k) => assert!(
                p.problems.iter().any(|p| p.kind == *k),
                "{text}: {:?}",
                p.problems
            ),
            None => assert!(p.problems.is_empty(), "{text}: {:?}", p.problems),
        }
    }
    std::fs::write(dir.join("ecspresso.yml"), "timeout: 300\n").unwrap();
    let p = load(&opts(&dir, "ecspresso.yml")).unwrap();
    assert!(
        matches!(p.config.timeout_setting(), Some((ecspresso::TimeoutSetting::BareNumber { nanoseconds }, _)) if nanoseconds == 300.0)
    );
}

#[test]
fn deeply_nested_input_is_an_error_not_a_crash() {
    let dir = scratch("deep");
    let deep = "[".repeat(100_000);
    std::fs::write(dir.join("a.json"), format!("{{\"cluster\": {deep}}}")).unwrap();
    assert!(matches!(
        load(&opts(&dir, "a.json")),
        Err(Error::Syntax { .. })
    ));
    std::fs::write(dir.join("b.yml"), format!("cluster: {deep}")).unwrap();
    assert!(matches!(
        load(&opts(&dir, "b.yml")),
        Err(Error::Syntax { .. })
    ));
    std::fs::write(dir.join("c.jsonnet"), format!("{{cluster: {deep}}}")).unwrap();
    assert!(matches!(
        load(&opts(&dir, "c.jsonnet")),
        Err(Error::Syntax { .. })
    ));
    std::fs::write(dir.join("d.yml"), "{{ if 1 }}".repeat(100_000)).unwrap();
    assert!(matches!(
        load(&opts(&dir, "d.yml")),
        Err(Error::Syntax { .. })
    ));
    std::fs::write(dir.join("e.yml"), "task_definition: td.json\n").unwrap();
    std::fs::write(dir.join("td.json"), &deep).unwrap();
    let p = load(&opts(&dir, "e.yml")).unwrap();
    assert!(p
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::DefinitionSyntax));
    // recursion in Jsonnet itself
    std::fs::write(
        dir.join("f.jsonnet"),
        "local f(x) = f(x + 1); {cluster: f(0)}",
    )
    .unwrap();
    assert!(matches!(
        load(&opts(&dir, "f.jsonnet")),
        Err(Error::Syntax { .. })
    ));
}

#[test]
fn garbage_never_panics() {
    let dir = scratch("garbage");
    let inputs = [
        "{{",
        "}}",
        "{{ (",
        "{{ ) }}",
        "{{ | }}",
        "{{ printf }}",
        "{{ index }}",
        "{{ 0x }}",
        "{{ \"\\q\" }}",
        "{{ '' }}",
        "{{ else }}",
        "{{ range `x` }}{{ end }}",
        "\u{0}\u{ffff}",
        "{\"a\": \"\\ud800\"}",
        "[1, 2",
        "- a\n- : b\n",
        "&a [*a, *a]",
        "!!binary x",
        "{{ tfstatef }}",
        "{{ must_env `A` `B` }}",
        "{{ 1 2 }}",
        "{{ nil }}",
        "{{ .Foo.Bar }}",
        "{{ $ }}",
    ];
    for (i, text) in inputs.iter().enumerate() {
        for ext in ["yml", "json", "jsonnet"] {
            let name = format!("g{i}.{ext}");
            std::fs::write(dir.join(&name), text).unwrap();
            let _ = load(&opts(&dir, &name));
            let _ = load_definition(&dir.join(&name), &opts(&dir, &name));
        }
    }
    // reached without a panic
    assert!(dir.exists());
}

/// Files the config makes the loader read (Jsonnet `import`/`importstr`/
/// `importbin`, definitions, local tfstate) outside the bounds are never
/// read: the messages say so and quote nothing of them. Before, `importstr`
/// of `/path` put the file's content into the error text.
#[test]
fn files_outside_the_bounds_are_not_read() {
    let outside = scratch("outside");
    let secret = "OUTSIDE-CONTENT-hunter2";
    // A Jsonnet string literal, so that `import` evaluates it too.
    std::fs::write(outside.join("secret.txt"), format!("\"{secret}\"\n")).unwrap();
    std::fs::write(
        outside.join("td.json"),
        format!("{{\"family\": \"{secret}\"}}\n"),
    )
    .unwrap();
    std::fs::write(
        outside.join("terraform.tfstate"),
        format!("{{\"version\": 4, \"x\": \"{secret}\"}}\n"),
    )
    .unwrap();
    let dir = scratch("bounded");
    let bounds = ecspresso::ReadBounds {
        dirs: vec![dir.canonicalize().unwrap()],
        files: Vec::new(),
    };
    let secret_file = outside.join("secret.txt").display().to_string();
    for import in ["importstr", "importbin", "import"] {
        std::fs::write(
            dir.join("ecspresso.jsonnet"),
            format!("{{ region: 'ap-northeast-1', cluster: 'c', service: 's', x: error {import} '{secret_file}' }}\n"),
        )
        .unwrap();
        // Unbounded, as ecspresso does: the file is read (and its content shows).
        let free = load(&opts(&dir, "ecspresso.jsonnet"))
            .unwrap_err()
            .to_string();
        assert!(!free.contains("outside the project"), "{free}");
        if import != "importbin" {
            assert!(free.contains(secret), "{free}");
        }
        let bounded = LoadOptions {
            bounds: bounds.clone(),
            ..opts(&dir, "ecspresso.jsonnet")
        };
        let (_, line, _, message) = syntax(load(&bounded).unwrap_err());
        assert_eq!(line, 1);
        assert!(
            message.contains("outside the project, not read"),
            "{message}"
        );
        assert!(!message.contains("OUTSIDE-CONTENT"), "{message}");
    }
    std::fs::write(
        dir.join("ecspresso.yml"),
        format!(
            "region: ap-northeast-1\ncluster: c\nservice: s\ntask_definition: {}\nplugins:\n  - name: tfstate\n    config:\n      path: {}\n",
            outside.join("td.json").display(),
            outside.join("terraform.tfstate").display()
        ),
    )
    .unwrap();
    let bounded = LoadOptions {
        bounds,
        ..opts(&dir, "ecspresso.yml")
    };
    let project = load(&bounded).unwrap();
    assert!(project.task_definition.is_none());
    let outside_problems: Vec<_> = project
        .problems
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::OutsideBounds { .. }))
        .collect();
    assert_eq!(outside_problems.len(), 2, "{:?}", project.problems);
    for p in &outside_problems {
        assert!(
            p.message.contains("outside the project, not read"),
            "{}",
            p.message
        );
        assert!(p.position.is_some());
    }
    assert!(!format!("{project:?}").contains("OUTSIDE-CONTENT"));
    // Unbounded, the definition is read.
    let free = load(&opts(&dir, "ecspresso.yml")).unwrap();
    assert!(free.task_definition.is_some());
}

/// Found by `crates/fuzz` (targets ecspresso-config and ecspresso-jsonnet): a
/// config, definition, envfile or Jsonnet import naming an endless device was
/// read until memory ran out (its metadata size is 0). Reads stop past 16 MiB.
#[test]
fn endless_files_are_refused_after_16_mib() {
    let zero = Path::new("/dev/zero");
    if !zero.exists() {
        eprintln!("skipped: no /dev/zero");
        return;
    }
    let dir = scratch("endless");
    std::fs::write(
        dir.join("ecspresso.yml"),
        "region: ap-northeast-1\ncluster: default\nservice: app\ntask_definition: /dev/zero\n",
    )
    .unwrap();
    let mut options = opts(&dir, "ecspresso.yml");
    options.envfiles = vec![zero.to_path_buf()];
    let project = load(&options).expect("the config itself is fine");
    assert!(project.task_definition.is_none());
    assert!(
        format!("{:?}", project.problems).contains("/dev/zero"),
        "{:?}",
        project.problems
    );

    let error = load(&LoadOptions {
        config: Some(zero.to_path_buf()),
        dir: dir.clone(),
        ..LoadOptions::default()
    })
    .expect_err("an endless config");
    assert!(error.to_string().contains("bytes accepted"), "{error}");

    for (name, text) in [
        ("def.jsonnet", "local z = import '/dev/zero'; { family: z }"),
        (
            "bin.jsonnet",
            "{ family: std.length(importbin '/dev/zero') }",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let error = load_definition(&path, &options).expect_err(name);
        assert!(error.to_string().contains("/dev/zero"), "{name}: {error}");
    }
}

/// Found by `crates/fuzz` (target ecspresso-jsonnet): `if if if …` about
/// 1,300 times in a 4 KiB definition overflowed the 2 MiB stack the app
/// evaluates Jsonnet on, aborting the process; only bracket nesting was
/// limited. Prefix constructs count as nesting now.
#[test]
fn deep_prefix_nesting_in_jsonnet_is_an_error_not_a_stack_overflow() {
    let dir = scratch("prefix-nesting");
    let cases = [
        ("ifs.jsonnet", format!("{}1", "if true then ".repeat(3000))),
        (
            "broken-ifs.jsonnet",
            format!("{{ a: {}", "if ".repeat(3000)),
        ),
        (
            "nots.jsonnet",
            format!("{{ a: {}true }}", "!".repeat(20000)),
        ),
        ("minus.jsonnet", format!("{{ a: {}1 }}", "- ".repeat(20000))),
        (
            "locals.jsonnet",
            format!("{}{{}}", "local a = 1; ".repeat(3000)),
        ),
        (
            "functions.jsonnet",
            format!("{}0", "function(x) ".repeat(3000)),
        ),
    ];
    for (name, text) in cases {
        let path = dir.join(name);
        std::fs::write(&path, &text).unwrap();
        let options = opts(&dir, "ecspresso.yml");
        // The app evaluates on a spawned thread: 2 MiB of stack.
        let outcome = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || load_definition(&path, &options).map(|_| ()))
            .unwrap()
            .join()
            .expect("no panic");
        let error = outcome.expect_err(name).to_string();
        assert!(error.contains("nesting deeper than"), "{name}: {error}");
    }
    // Ordinary prefix use is far below the limit.
    let path = dir.join("ordinary.jsonnet");
    std::fs::write(
        &path,
        "local a = 1;\nlocal f(x) = if x > 0 then -x else !false;\n{ family: 'app', cpu: std.toString(f(a) + -2 - -3), memory: '512' }\n",
    )
    .unwrap();
    let (definition, _) = load_definition(&path, &opts(&dir, "ecspresso.yml")).unwrap();
    assert!(format!("{definition:?}").contains("app"));
}

#[test]
fn a_project_in_memory_loads_like_the_same_project_on_disk() {
    let dir = scratch("in-memory");
    let files = [
        (
            "ecspresso.yml",
            "region: ap-northeast-1\ncluster: default\nservice: app\ntask_definition: td.jsonnet\nservice_definition: sv.json\nplugins:\n  - name: tfstate\n    config:\n      path: terraform.tfstate\n",
        ),
        (
            "td.jsonnet",
            "local lib = import 'lib/common.libsonnet';\n{ family: lib.name, cpu: std.native('env')('CPU', '256'), containerDefinitions: [] }\n",
        ),
        ("lib/common.libsonnet", "{ name: 'app' }\n"),
        (
            "sv.json",
            "{\n  \"desiredCount\": 1,\n  \"loadBalancers\": [{\"targetGroupArn\": \"{{ tfstate `aws_lb_target_group.app.arn` }}\"}],\n  \"bogusKey\": \"{{ must_env `UNSET` }}\"\n}\n",
        ),
        (
            "terraform.tfstate",
            r#"{"version":4,"resources":[{"mode":"managed","type":"aws_lb_target_group","name":"app","instances":[{"attributes":{"arn":"arn:tg"}}]}]}"#,
        ),
    ];
    let mut memory = ecspresso::MemoryFiles::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        memory.insert(path, text);
    }
    let options = LoadOptions {
        dir: dir.clone(),
        ..LoadOptions::default()
    };
    let on_disk = load(&options).unwrap();
    let in_memory = ecspresso::load_in(&options, &memory).unwrap();
    assert_eq!(in_memory, on_disk);
    let task = in_memory
        .task_definition
        .as_ref()
        .expect("the Jsonnet import is read");
    assert_eq!(
        task.root.get("family").and_then(|n| n.as_str()),
        Some("app")
    );
    assert!(format!("{:?}", in_memory.service_definition).contains("arn:tg"));

    // Nothing on disk is read: a file only on disk is missing in memory.
    std::fs::write(dir.join("other.json"), "{\"family\": \"disk\"}").unwrap();
    let missing = ecspresso::load_definition_in(Path::new("other.json"), &options, &memory);
    assert!(matches!(missing, Err(Error::Read { .. })), "{missing:?}");
    memory.insert(dir.join("other.json"), "{\"family\": \"memory\"}");
    let (definition, _) =
        ecspresso::load_definition_in(Path::new("other.json"), &options, &memory).unwrap();
    assert_eq!(
        definition.root.get("family").and_then(|n| n.as_str()),
        Some("memory")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
