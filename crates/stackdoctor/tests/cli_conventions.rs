//! The conventions of the linters people already run in CI (hadolint,
//! ruff, Checkov): `--fail-on` thresholds, `.stackdoctor.toml` found upward
//! or named with `--config-file` (flag > file > default), ignores in the
//! file and in comments of compose YAML, Caddyfiles, nginx configs, Python
//! and TypeScript, the unused-ignore report, `--quiet`, `--verbose`, the
//! progress line, shell completions and the man page. Each runs the binary
//! on a copy of a bundled example.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// A copy of an example in a fresh folder (so no `.stackdoctor.toml` above
/// it but the test's own), at `<tmp>/project`.
fn copy(example: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("project");
    copy_dir(&examples().join(example), &to);
    (dir, to)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap()
}

fn diagnose(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["diagnose", ".", "--offline"];
    args.extend(extra);
    run(dir, &args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// Replaces `old` by `new` in the file (it must be there).
fn edit(path: &Path, old: &str, new: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(old), "{}: no `{old}`", path.display());
    write(path, &text.replacen(old, new, 1));
}

#[test]
fn each_threshold_decides_the_exit_code() {
    // wrong-port has one error; [severity] makes it a warning or an info.
    let (_tmp, project) = copy("wrong-port");
    let code = |extra: &[&str]| diagnose(&project, extra).status.code();
    assert_eq!(code(&[]), Some(1), "default: errors and warnings fail");
    assert_eq!(code(&["--fail-on", "error"]), Some(1));
    assert_eq!(code(&["--fail-on", "info"]), Some(1));
    assert_eq!(code(&["--fail-on", "never"]), Some(0));
    write(
        &project.join(".stackdoctor.toml"),
        "[severity]\nupstream-wrong-port = \"warning\"\n",
    );
    assert_eq!(code(&[]), Some(1), "a warning fails by default");
    assert_eq!(code(&["--fail-on", "error"]), Some(0));
    assert_eq!(code(&["--fail-on", "warning"]), Some(1));
    write(
        &project.join(".stackdoctor.toml"),
        "[severity]\nupstream-wrong-port = \"info\"\n",
    );
    assert_eq!(code(&[]), Some(0), "an info does not fail by default");
    assert_eq!(code(&["--fail-on", "warning"]), Some(0));
    assert_eq!(code(&["--fail-on", "info"]), Some(1));
    let json = diagnose(&project, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["findings"][0]["severity"], "info");
    // Unreadable input is 2 whatever the threshold.
    let (_tmp, broken) = copy("config-invalid");
    assert_eq!(
        diagnose(&broken, &["--fail-on", "never"]).status.code(),
        Some(2)
    );
    // A threshold that is no severity is a usage error.
    assert_eq!(code(&["--fail-on", "fatal"]), Some(2));
}

#[test]
fn a_flag_beats_the_file_and_the_file_beats_the_default() {
    let (tmp, project) = copy("wrong-port");
    let settings = |extra: &[&str]| {
        let mut args = vec!["--verbose"];
        args.extend(extra);
        let output = diagnose(&project, &args);
        let err = stderr(&output);
        let line = err
            .lines()
            .find(|l| l.starts_with("stackdoctor: settings:"))
            .unwrap_or_else(|| panic!("no settings line: {err}"))
            .to_string();
        (output.status.code(), line)
    };
    // No file: the defaults.
    let (code, line) = settings(&[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        line,
        "stackdoctor: settings: fail-on warning (default), probe-timeout 2 s (default), lang en (default)"
    );
    // The file, found in the folder above the project (as ruff finds its config).
    write(
        &tmp.path().join(".stackdoctor.toml"),
        "fail-on = \"never\"\nprobe-timeout = 7.5\nlang = \"ja\"\n",
    );
    let (code, line) = settings(&[]);
    assert_eq!(code, Some(0));
    assert_eq!(
        line,
        "stackdoctor: settings: fail-on never (configuration), probe-timeout 7.5 s (configuration), lang ja (configuration)"
    );
    assert!(stdout(&diagnose(&project, &[])).contains("エラー 1 件"));
    // Flags win.
    let (code, line) = settings(&["--fail-on", "error", "--probe-timeout", "1", "--lang", "en"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        line,
        "stackdoctor: settings: fail-on error (flag), probe-timeout 1 s (flag), lang en (flag)"
    );
    // A file in the project is nearer than the one above it.
    write(&project.join(".stackdoctor.toml"), "fail-on = \"error\"\n");
    let (code, line) = settings(&[]);
    assert_eq!(code, Some(1));
    assert!(line.contains("lang en (default)"), "{line}");
    // --config-file replaces both.
    let other = tmp.path().join("ci.toml");
    write(&other, "fail-on = \"never\"\n");
    let (code, _) = settings(&["--config-file", other.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    let missing = diagnose(&project, &["--config-file", "no-such.toml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no-such.toml"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn configuration_errors_point_at_the_file_line_and_column() {
    let (_tmp, project) = copy("wrong-port");
    let cases = [
        ("ignore = []\nfail_on = \"error\"\n", ":2:1:"),
        (
            "ignore = [\"upstream-wrong-prot\"]\n",
            ":1:11: unknown cause `upstream-wrong-prot`",
        ),
        (
            "[per-path-ignores]\n\"legacy/**\" = [\"nope\"]\n",
            ":2:16: unknown cause `nope`",
        ),
        ("[severity]\nupstream-wrong-port = \"fatal\"\n", ":2:23:"),
    ];
    for (text, place) in cases {
        write(&project.join(".stackdoctor.toml"), text);
        let output = diagnose(&project, &[]);
        assert_eq!(output.status.code(), Some(2), "{text}");
        let err = stderr(&output);
        assert!(
            err.contains(&format!(".stackdoctor.toml{place}")),
            "{text}: {err}"
        );
    }
}

#[test]
fn the_signatures_key_still_adds_signature_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("extra.toml"),
        "[[signatures]]\nid = \"test.custom\"\ncomponents = [\"app\"]\nliteral = \"FROBNICATOR EXPLODED\"\ncauses = [[\"upstream-crash-loop\", 90]]\nmeaning.en = \"the frobnicator exploded\"\nmeaning.ja = \"フロブニケーターが壊れました\"\nsource = \"test\"\nexamples = [\"FROBNICATOR EXPLODED\"]\n",
    );
    write(
        &dir.path().join(".stackdoctor.toml"),
        "signatures = [\"extra.toml\"]\n",
    );
    let output = run(dir.path(), &["signatures"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("test.custom"));
}

#[test]
fn ignores_in_the_file_and_per_path() {
    let (_tmp, project) = copy("wrong-port");
    write(
        &project.join(".stackdoctor.toml"),
        "ignore = [\"upstream-wrong-port\"]\n",
    );
    let output = diagnose(&project, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["ignored"], 1);
    assert_eq!(report["ignored"][0]["cause"], "upstream-wrong-port");
    assert_eq!(report["ignored"][0]["at"], "Caddyfile:3:16");
    // Per path: a pattern for another file ignores nothing, the Caddyfile's does.
    write(
        &project.join(".stackdoctor.toml"),
        "[per-path-ignores]\n\"legacy/**\" = [\"upstream-wrong-port\"]\n",
    );
    assert_eq!(diagnose(&project, &[]).status.code(), Some(1));
    write(
        &project.join(".stackdoctor.toml"),
        "[per-path-ignores]\n\"Caddyfile\" = [\"upstream-wrong-port\"]\n",
    );
    let output = diagnose(&project, &["--verbose"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("ignored upstream-wrong-port at Caddyfile:3:16 by `[per-path-ignores] \"Caddyfile\"` in .stackdoctor.toml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn inline_ignores_in_a_caddyfile_and_compose_yaml() {
    let (_tmp, project) = copy("wrong-port");
    let caddyfile = project.join("Caddyfile");
    // On the line above.
    edit(
        &caddyfile,
        "\treverse_proxy api:8080",
        "\t# stackdoctor: ignore[upstream-wrong-port]\n\treverse_proxy api:8080",
    );
    let output = diagnose(&project, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("1 finding(s) ignored"),
        "{}",
        stdout(&output)
    );
    // A comment that names another cause ignores nothing, and is reported.
    let compose = project.join("compose.yaml");
    edit(
        &compose,
        "      - \"8080:8000\"",
        "      - \"8080:8000\" # stackdoctor: ignore[upstream-port-not-published]",
    );
    let output = diagnose(&project, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let unused = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == "unused-ignore")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(unused["severity"], "info");
    assert_eq!(unused["evidence"][0]["file"], "compose.yaml");
    assert_eq!(unused["evidence"][0]["line"], 19);
    assert_eq!(
        unused["fix"][0]["edit"]["after"], "      - \"8080:8000\"",
        "the fix deletes the comment"
    );
    // An info: the default threshold passes, `--fail-on info` does not.
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        diagnose(&project, &["--fail-on", "info"]).status.code(),
        Some(1)
    );
    // A misspelt cause is a warning: it fails by default.
    edit(
        &compose,
        "ignore[upstream-port-not-published]",
        "ignore[upstream-wrong-prot]",
    );
    let output = diagnose(&project, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("warning[unused-ignore]: `stackdoctor: ignore[upstream-wrong-prot]` names an unknown cause"),
        "{}",
        stdout(&output)
    );
    // Unused ignores can themselves be ignored by the configuration.
    write(
        &project.join(".stackdoctor.toml"),
        "ignore = [\"unused-ignore\"]\n",
    );
    assert_eq!(diagnose(&project, &[]).status.code(), Some(0));
}

#[test]
fn inline_ignores_in_nginx_python_and_typescript() {
    // nginx: a trailing comment on the line of the evidence.
    let (_tmp, project) = copy("nginx-wrong-port");
    let conf = project.join("nginx/conf.d/notes.conf");
    assert_eq!(diagnose(&project, &[]).status.code(), Some(1));
    edit(
        &conf,
        "server web:5000;",
        "server web:5000; # stackdoctor: ignore[upstream-wrong-port]",
    );
    let output = diagnose(&project, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));

    // Python: the model ID's line.
    let (_tmp, project) = copy("bedrock-invalid-model-id");
    let code = project.join("app/triage.py");
    edit(
        &code,
        "MODEL = \"anthropic.claude-3-hiaku-20240307-v1:0\"",
        "MODEL = \"anthropic.claude-3-hiaku-20240307-v1:0\"  # stackdoctor: ignore[bedrock-invalid-model-id]",
    );
    let output = diagnose(&project, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["cause"] != "bedrock-invalid-model-id"),
        "{report:#}"
    );
    assert_eq!(report["ignored"][0]["cause"], "bedrock-invalid-model-id");

    // TypeScript: a `//` comment alone on the line above.
    std::fs::remove_file(&code).unwrap();
    write(
        &project.join("app/triage.ts"),
        "import { BedrockRuntimeClient, InvokeModelCommand } from \"@aws-sdk/client-bedrock-runtime\";\n\nconst client = new BedrockRuntimeClient({ region: \"us-east-1\" });\n// stackdoctor: ignore[bedrock-invalid-model-id]\nconst MODEL = \"anthropic.claude-3-hiaku-20240307-v1:0\";\n\nexport async function triage(text: string) {\n  return client.send(new InvokeModelCommand({ modelId: MODEL, body: text }));\n}\n",
    );
    let output = diagnose(&project, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["ignored"][0]["cause"], "bedrock-invalid-model-id");
    assert_eq!(report["ignored"][0]["at"], "app/triage.ts:5:16");
    let without = std::fs::read_to_string(project.join("app/triage.ts"))
        .unwrap()
        .replace("// stackdoctor: ignore[bedrock-invalid-model-id]\n", "");
    write(&project.join("app/triage.ts"), &without);
    let output = diagnose(&project, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["ignored"], 0);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["cause"] == "bedrock-invalid-model-id"));
}

#[test]
fn quiet_prints_the_summary_line_and_verbose_what_was_read() {
    let (_tmp, project) = copy("wrong-port");
    let full = diagnose(&project, &[]);
    let quiet = diagnose(&project, &["--quiet"]);
    assert_eq!(quiet.status.code(), Some(1));
    let line = stdout(&quiet);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.starts_with("1 error(s), 0 warning(s)"), "{line}");
    assert_eq!(stdout(&full).lines().last(), line.lines().next());
    let verbose = diagnose(&project, &["--verbose"]);
    assert_eq!(
        stdout(&verbose),
        stdout(&full),
        "verbose output goes to stderr"
    );
    let err = stderr(&verbose);
    for expected in [
        "stackdoctor: read Caddyfile (4 line(s))",
        "stackdoctor: read compose.yaml",
        "stackdoctor: skipped hidden folders and node_modules",
        "stackdoctor: probes: none (--offline)",
    ] {
        assert!(err.contains(expected), "{expected}: {err}");
    }
    assert_eq!(
        diagnose(&project, &["--quiet", "--verbose"]).status.code(),
        Some(2)
    );
}

#[test]
fn completions_for_bash_zsh_and_fish_know_the_commands_and_flags() {
    let here = std::env::temp_dir();
    for shell in ["bash", "zsh", "fish"] {
        let output = run(&here, &["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = stdout(&output);
        for word in ["diagnose", "explain", "fail-on", "config-file", "sarif"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    // bash loads the script and completes the first word and `--format`'s values.
    let script = stdout(&run(&here, &["completions", "bash"]));
    let file = tempfile::NamedTempFile::new().unwrap();
    write(file.path(), &script);
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let program = format!(
            "source {}; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT={}; _stackdoctor stackdoctor '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            file.path().display(),
            words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" "),
            words.len() - 1,
            line.len(),
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let output = Command::new("bash")
            .args(["-c", &program])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    let first = complete("stackdoctor di");
    assert!(first.lines().any(|w| w == "diagnose"), "{first}");
    let formats = complete("stackdoctor diagnose --format ");
    let mut values: Vec<&str> = formats.lines().collect();
    values.sort_unstable();
    assert_eq!(values, ["json", "sarif", "text"]);
    assert_eq!(
        run(&here, &["completions", "powershell"]).status.code(),
        Some(2)
    );
}

#[test]
fn the_man_page_is_roff_that_man_renders() {
    let here = std::env::temp_dir();
    let output = run(&here, &["man"]);
    assert_eq!(output.status.code(), Some(0));
    let page = stdout(&output);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH stackdoctor 1"),
        "{page}"
    );
    assert!(page.contains(".TH stackdoctor 1"), "{page}");
    assert!(page.contains("diagnose"));
    // `man -l` (groff) renders it when installed.
    if Command::new("man").arg("--version").output().is_err() {
        eprintln!("skipped: no man to render the page");
        return;
    }
    let file = tempfile::Builder::new().suffix(".1").tempfile().unwrap();
    write(file.path(), &page);
    let rendered = Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(file.path())
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    let text = stdout(&rendered);
    assert!(text.contains("stackdoctor"), "{}", stderr(&rendered));
    assert!(
        text.contains("SUBCOMMANDS") || text.contains("COMMANDS"),
        "{text}"
    );
}

/// A server that accepts connections and never answers, so probes wait.
fn silent_server() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    (listener, url)
}

#[test]
fn a_progress_line_shows_on_a_terminal_while_probes_run_long() {
    let (_tmp, project) = copy("wrong-port");
    let (_listener, url) = silent_server();
    let args = ["--url", url.as_str(), "--probe-timeout", "1.5"];
    // Not a terminal: nothing on stderr but what a report needs.
    let mut plain = vec!["diagnose", "."];
    plain.extend(args);
    let output = run(&project, &plain);
    assert!(!stderr(&output).contains("probing"), "{}", stderr(&output));
    // A terminal (util-linux `script` gives the command a pseudo-terminal).
    if Command::new("script").arg("--version").output().is_err() {
        assert!(
            std::env::var("CI").is_err(),
            "util-linux `script` is needed"
        );
        eprintln!("skipped: no `script` for a pseudo-terminal");
        return;
    }
    let command = format!(
        "{} diagnose . {} > /dev/null",
        env!("CARGO_BIN_EXE_stackdoctor"),
        args.join(" ")
    );
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(&project)
        .env("NO_COLOR", "1")
        .env_remove("LANG")
        .output()
        .unwrap();
    let screen = stdout(&output);
    assert!(
        screen.contains("probing 1 endpoint(s)… "),
        "{screen:?} {}",
        stderr(&output)
    );
    // Erased at the end: the last thing written is the erase sequence.
    assert!(
        screen.trim_end_matches(['\r', '\n']).ends_with("\r\x1b[K"),
        "{screen:?}"
    );
    // `--quiet` shows none.
    let quiet = Command::new("script")
        .args(["-qec", &format!("{command} --quiet"), "/dev/null"])
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(!stdout(&quiet).contains("probing"), "{}", stdout(&quiet));
}

#[test]
fn model_text_describes_the_stack_in_words_in_english_and_japanese() {
    let dir = examples().join("toybox");
    let args = [
        "model",
        ".",
        "-f",
        "docker-compose.yml",
        "-f",
        "docker-compose.prod.yml",
    ];
    let english = stdout(&run(&dir, &args));
    for expected in [
        "Compose project `backend` in backend with 3 service(s):",
        "  Service `web`: built from backend [backend/docker-compose.yml:2:3]",
        "listens on port 8000 on all interfaces, from its command: gunicorn",
        "publishes container port 443 on the host as 443",
        "is on network `backend_default`",
        "Caddy proxy configured by Caddyfile, in service `caddy`:",
        "      web:8000 leads to service `web` (by its service name) [Caddyfile:16:17]",
        "      backend:4000 names no service, alias or container [Caddyfile:6:17]",
    ] {
        assert!(english.contains(expected), "{expected}\n{english}");
    }
    // No debug structures.
    for debug in ["Services {", "candidates", "Command", "Some("] {
        assert!(!english.contains(debug), "{debug}\n{english}");
    }
    let mut ja_args = args.to_vec();
    ja_args.extend(["--lang", "ja"]);
    let japanese = stdout(&run(&dir, &ja_args));
    assert!(
        japanese.contains("web:8000 の転送先はサービス `web`（サービス名）")
            || japanese.contains("web:8000 の転送先はサービス `web` (サービス名)"),
        "{japanese}"
    );
    assert!(
        japanese.contains("サービス `db`: イメージ postgres:16"),
        "{japanese}"
    );
    // AWS calls.
    let bedrock = stdout(&run(
        &examples().join("bedrock-invalid-model-id"),
        &["model", "."],
    ));
    assert!(
        bedrock.contains("`worker` calls Amazon Bedrock (Converse) with boto3 in us-east-1: [app/triage.py:11:11]"),
        "{bedrock}"
    );
    assert!(bedrock.contains(
        "model anthropic.claude-3-hiaku-20240307-v1:0 (set in code) [app/triage.py:14:10]"
    ));
}

/// `model` puts what the engine says runs under the service it belongs to,
/// after what the files say of it; containers no file defines stand alone.
#[test]
fn model_text_shows_the_running_state_next_to_the_files() {
    let joined = stdout(&run(
        &examples().join("engine-compose-up"),
        &["model", ".", "--logs", "compose-up.txt"],
    ));
    let web = joined.find("  Service `web`").expect(&joined);
    let web_running = joined
        .find("    running shop-web-1: created")
        .expect(&joined);
    let db = joined.find("  Service `db`").expect(&joined);
    assert!(web < web_running && web_running < db, "{joined}");
    // Created, never started: no exit code is shown for it.
    assert!(
        joined.contains("running shop-web-1: created (image shop-web) on shop_default"),
        "{joined}"
    );
    let alone = stdout(&run(
        &examples().join("engine-saved-stack"),
        &["model", ".", "--logs", "inspect.json"],
    ));
    assert!(!alone.contains("Nothing of a stack"), "{alone}");
    assert!(
        alone.contains("container web (no service in the files)\n    running shop_web_1: exited (exit 137, OOM killed, 5 restarts"),
        "{alone}"
    );
}
