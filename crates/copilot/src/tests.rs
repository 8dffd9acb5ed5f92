use super::*;

const MANIFEST: &str = "name: api
type: Load Balanced Web Service
image:
  build: ./Dockerfile
  port: 8080
cpu: 256
memory: 512
platform: linux/arm64
secrets:
  DB_PASSWORD: /myapp/prod/db-password
environments:
  prod:
    cpu: 1024
    memory: 2048
    image:
      location: 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1
    network:
      vpc:
        placement: private
";

fn manifest() -> Manifest {
    parse(MANIFEST, Path::new("copilot/api/manifest.yml"))
        .unwrap()
        .unwrap()
}

#[test]
fn an_environment_overrides_key_by_key_with_its_own_positions() {
    let m = manifest();
    assert_eq!(m.name, "api");
    assert_eq!(m.environments(), ["prod"]);
    let base = m.for_environment(None);
    assert!(base.get("environments").is_none());
    assert_eq!(base.get("cpu").unwrap().as_str(), Some("256"));
    assert!(Manifest::public_placement(&base));
    let prod = m.for_environment(Some("prod"));
    let cpu = prod.get("cpu").unwrap();
    assert_eq!((cpu.as_str(), cpu.position.line), (Some("1024"), 13));
    // image merges: the base's port stays, the location is added.
    let image = prod.get("image").unwrap();
    assert_eq!(image.get("port").unwrap().as_str(), Some("8080"));
    assert_eq!(image.get("port").unwrap().position.line, 5);
    assert!(image.get("location").is_some());
    assert!(!Manifest::public_placement(&prod));
    assert!(m
        .for_environment(Some("staging"))
        .get("environments")
        .is_none());
}

#[test]
fn other_yaml_is_not_a_workload() {
    for text in [
        "name: test\ntype: Environment\n",
        "services:\n  web:\n    image: x\n",
        "name: site\ntype: Static Site\n",
    ] {
        assert!(parse(text, Path::new("m.yml")).unwrap().is_none(), "{text}");
    }
    assert!(parse("a: [", Path::new("m.yml")).is_err());
    // Without `name:`, the folder names the workload.
    let m = parse(
        "type: Backend Service\n",
        Path::new("copilot/worker/manifest.yml"),
    )
    .unwrap()
    .unwrap();
    assert_eq!(m.name, "worker");
}

#[test]
fn durations_and_the_workspace() {
    assert_eq!(duration_seconds("10s"), Some(10));
    assert_eq!(duration_seconds("1m30s"), Some(90));
    assert_eq!(duration_seconds("2m"), Some(120));
    assert_eq!(duration_seconds("45"), Some(45));
    assert_eq!(duration_seconds("soon"), None);
    assert_eq!(duration_seconds("99999999999h"), None);
    assert_eq!(
        workspace_application("application: shop\n"),
        Some("shop".into())
    );
    assert_eq!(workspace_application("# nothing\n"), None);
}

/// Every workload manifest of copilot-cli's end-to-end apps and test data
/// reads, with the type Copilot lists and a name.
#[test]
fn the_corpus_manifests_read() {
    let Some(dir) = testcorpus::dir("iac/copilot") else {
        return;
    };
    let files = testcorpus::files(&dir, |p| {
        // `template-with-…-manifest.yml` are CloudFormation output.
        let n = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        n.ends_with("manifest.yml") && !n.starts_with("template-")
    });
    let mut workloads = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        if let Some(m) = parse(&text, file).unwrap_or_else(|e| panic!("{e}")) {
            assert!(!m.name.is_empty());
            for env in m.environments() {
                let merged = m.for_environment(Some(&env));
                assert_eq!(
                    merged.get("type").and_then(Node::as_str),
                    Some(m.kind.as_str())
                );
            }
            workloads += 1;
        }
    }
    assert!(workloads >= 15, "{workloads} of {}", files.len());
}
