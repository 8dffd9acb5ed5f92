//! The project is walked once per run: every source takes its files from
//! the one inventory. Counted on a fixture tree where every source has
//! something to read (alone in this test binary, so the count is this
//! run's).

use stackdoctor::sources::{build_model, inventory, Inputs};

fn write(root: &std::path::Path, path: &str, text: &str) {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

#[test]
fn every_folder_of_the_project_is_read_once_per_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "compose.yaml",
        "services:\n  proxy:\n    image: caddy:2\n    volumes:\n      - ./proxy/Caddyfile:/etc/caddy/Caddyfile\n  web:\n    build: ./app\n",
    );
    write(
        root,
        "proxy/Caddyfile",
        "example.com {\n  reverse_proxy web:8000\n}\n",
    );
    write(
        root,
        "app/main.py",
        "import boto3\nclient = boto3.client('bedrock-runtime')\n",
    );
    write(root, "app/lib/util.py", "x = 1\n");
    write(
        root,
        "nginx/conf.d/site.conf",
        "server { listen 80; location / { proxy_pass http://web:8000; } }\n",
    );
    write(
        root,
        "scripts/run.sh",
        "#!/bin/sh\ndocker run -d --name api -p 8080:8000 api\n",
    );
    write(
        root,
        "deploy/ecspresso.yml",
        "region: ap-northeast-1\ncluster: c\nservice: s\ntask_definition: taskdef.json\n",
    );
    write(
        root,
        "deploy/taskdef.json",
        "{\"family\": \"s\", \"containerDefinitions\": []}\n",
    );
    write(
        root,
        "iam/policy.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": []}\n",
    );
    write(
        root,
        "other/compose.yaml",
        "services:\n  db:\n    image: postgres:16\n",
    );
    write(root, "node_modules/x/compose.yaml", "services: {}\n");

    let before = inventory::folder_reads();
    let model = build_model(&Inputs {
        root: root.to_path_buf(),
        ..Inputs::default()
    })
    .unwrap();
    let reads = inventory::folder_reads() - before;

    // root, app, app/lib, deploy, iam, nginx, nginx/conf.d, other, proxy, scripts
    // (node_modules is skipped, not read).
    assert_eq!(reads, 10, "folders listed in one run");
    // And every source still found its files.
    let dirs: Vec<_> = model
        .projects
        .iter()
        .map(|p| p.dir.strip_prefix(root).unwrap().display().to_string())
        .collect();
    assert_eq!(dirs, ["", "other", "scripts"]);
    assert!(!model.proxies.is_empty());
    assert!(model.services.iter().any(|s| s.name == "api"));
}
