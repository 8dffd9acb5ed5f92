//! `--aws` with credentials beyond static keys: the source used, and every
//! call that could not run, are notes of the model (and so of the report);
//! tokens never reach the output.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `stackdoctor` with only the given AWS variables (none of the
/// developer's profile, keys or endpoints leak in).
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stackdoctor"));
    command.current_dir(dir).args(args).env("NO_COLOR", "1");
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") || k == "HOME" {
            command.env_remove(k);
        }
    }
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  api:\n    image: python:3.12\n    ports:\n      - \"8000:8000\"\n",
    )
    .unwrap();
    dir
}

fn notes(model: &Value) -> Vec<String> {
    model["notes"]
        .as_array()
        .unwrap_or_else(|| panic!("{model:#}"))
        .iter()
        .map(|n| n["value"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn web_identity_credentials_are_used_and_named() {
    let Some(moto) = awsapi::testing::Moto::start() else {
        return;
    };
    let project = project();
    let home = tempfile::tempdir().unwrap();
    let token = home.path().join("token");
    std::fs::write(&token, "eyJraWQiOiJ0ZXN0In0.SECRETwebIDENTITY.sig").unwrap();
    let token = token.display().to_string();
    let home_dir = home.path().display().to_string();
    let out = run(
        project.path(),
        &["model", ".", "--aws", "--format", "json"],
        &[
            ("HOME", home_dir.as_str()),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str()),
            ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/app-task"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", moto.url.as_str()),
            ("NO_PROXY", "127.0.0.1"),
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("SECRETwebIDENTITY"), "{text}");
    let model: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let api = &model["aws"]["api"];
    assert!(
        api["caller_arn"]
            .as_str()
            .is_some_and(|a| a.contains(":assumed-role/app-task/")),
        "{api:#}"
    );
    let notes = notes(&model);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("AWS API calls use web identity token")
                && n.contains("arn:aws:iam::123456789012:role/app-task")),
        "{notes:#?}"
    );
    // Calls not made say why.
    assert!(
        notes
            .iter()
            .any(|n| n.contains("ec2:DescribeInstances not made: no instance ID")),
        "{notes:#?}"
    );
}

#[test]
fn an_expired_sso_login_says_which_source_and_what_to_run() {
    let project = project();
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(aws.join("sso/cache")).unwrap();
    std::fs::write(
        aws.join("config"),
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = ap-northeast-1\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = ap-northeast-1\n",
    )
    .unwrap();
    // echo -n corp | sha1sum
    std::fs::write(
        aws.join("sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
        r#"{"accessToken":"aoaEXPIREDsecretTOKEN","expiresAt":"2021-05-01T00:00:00Z","region":"ap-northeast-1"}"#,
    )
    .unwrap();
    let home_dir = home.path().display().to_string();
    let env = [("HOME", home_dir.as_str()), ("AWS_PROFILE", "dev")];
    let out = run(
        project.path(),
        &["model", ".", "--aws", "--format", "json"],
        &env,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("aoaEXPIREDsecretTOKEN"), "{text}");
    let model: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let notes = notes(&model);
    let note = notes
        .iter()
        .find(|n| n.starts_with("AWS API calls could not run"))
        .unwrap_or_else(|| panic!("{notes:#?}"));
    assert!(
        note.contains("IAM Identity Center (profile `dev`, sso_session `corp`)")
            && note.contains("expired at 2021-05-01T00:00:00Z")
            && note.contains("run `aws sso login --sso-session corp`"),
        "{note}"
    );
    // The same note in the text form of the model.
    let out = run(project.path(), &["model", ".", "--aws"], &env);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("aoaEXPIREDsecretTOKEN"), "{text}");
}
