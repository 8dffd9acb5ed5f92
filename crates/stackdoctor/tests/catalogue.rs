//! The cause catalogue, the checks and their documentation agree.

use stackdoctor::checks::ALL;
use stackdoctor::knowledge::{catalogue, Lang};
use std::process::Command;

#[test]
fn every_check_has_a_cause_in_both_languages_and_back() {
    let catalogue = catalogue();
    for check in ALL {
        let cause = catalogue
            .cause(check.cause)
            .unwrap_or_else(|| panic!("{} not in data/causes/*.toml", check.cause));
        for text in [&cause.title, &cause.summary] {
            assert!(
                !text.en.is_empty() && !text.ja.is_empty(),
                "{}",
                check.cause
            );
            assert!(
                text.ja.chars().any(|c| c > '\u{3000}'),
                "{}: Japanese text is not Japanese",
                check.cause
            );
        }
        for (name, text) in &cause.messages {
            assert!(
                !text.en.is_empty() && !text.ja.is_empty(),
                "{}.{name}",
                check.cause
            );
        }
        for symptom in &cause.explains {
            assert!(
                catalogue.cause(symptom).is_some(),
                "{} explains unknown {symptom}",
                check.cause
            );
        }
    }
    // A cause without a check is raised from logs only; its `details` document it.
    for (id, cause) in catalogue.causes() {
        let documented = ALL.iter().any(|c| c.cause == id)
            || cause
                .details
                .as_ref()
                .is_some_and(|d| !d.en.is_empty() && !d.ja.is_empty());
        assert!(documented, "cause {id} has no check and no details");
    }
}

/// Every template a check names exists: scans the checks' sources for `msg("…")` and `common.…`.
#[test]
fn every_message_a_check_names_exists() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks");
    let catalogue = catalogue();
    let msg = regex::Regex::new(r#"(?:^|[^A-Za-z_.:])msg\("([a-z\-]+)"\)"#).unwrap();
    let common = regex::Regex::new(r#""common\.([a-z\-]+)""#).unwrap();
    let mut checked = 0;
    for check in ALL {
        for captures in msg.captures_iter(check.source()) {
            let key = format!("{}.{}", check.cause, &captures[1]);
            assert!(
                catalogue.template(&key).is_some(),
                "{key} (used in the check {}) is missing",
                check.cause
            );
            checked += 1;
        }
    }
    let mut folders = vec![dir];
    let mut files = Vec::new();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for captures in common.captures_iter(&source) {
            assert!(
                catalogue.common(&captures[1]).is_some(),
                "common.{} is missing",
                &captures[1]
            );
            checked += 1;
        }
    }
    assert!(
        checked > 40,
        "only {checked} templates found: is the scan broken?"
    );
}

#[test]
fn every_check_documents_what_why_example_fix() {
    for check in ALL {
        let doc = check.documentation();
        assert!(
            doc.starts_with(&format!("# {}", check.cause)),
            "{}: {doc}",
            check.cause
        );
        for section in [
            "**What it detects:**",
            "**Why it breaks requests:**",
            "**Example:**",
            "**Fix:**",
        ] {
            assert!(doc.contains(section), "{} lacks {section}", check.cause);
        }
    }
}

/// The code spans and fenced blocks of a documentation text, whitespace in
/// a span collapsed (a translation may wrap its lines elsewhere).
fn code_spans(doc: &str) -> Vec<String> {
    let mut spans = Vec::new();
    let mut prose = String::new();
    for (i, part) in doc.split("```").enumerate() {
        if i % 2 == 1 {
            let body = part.split_once('\n').map_or(part, |(_, b)| b);
            spans.push(format!("```{}", body.trim()));
        } else {
            prose.push_str(part);
        }
    }
    for (i, part) in prose.split('`').enumerate() {
        if i % 2 == 1 {
            spans.push(part.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    spans
}

#[test]
fn every_check_has_its_documentation_in_japanese_with_the_same_code() {
    for check in ALL {
        let (en, ja) = (check.documentation(), check.documentation_in(Lang::Ja));
        assert!(
            ja.starts_with(&format!("# {}\n", check.cause)),
            "{}: {ja}",
            check.cause
        );
        let mut at = 0;
        for section in [
            "**検出内容:**",
            "**リクエストが失敗する理由:**",
            "**例:**",
            "**対処:**",
        ] {
            let found = ja[at..].find(&format!("\n{section}"));
            assert!(
                found.is_some(),
                "{}: {section} missing or out of order",
                check.cause
            );
            at += found.unwrap_or(0) + 1;
        }
        assert!(
            ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
            "{}: no kana",
            check.cause
        );
        // Commands, log lines and config in the examples are the same in both.
        let mut translated = code_spans(&ja);
        for span in code_spans(&en) {
            let found = translated.iter().position(|t| *t == span);
            assert!(
                found.is_some(),
                "{}: `{span}` not in the Japanese text",
                check.cause
            );
            translated.remove(found.unwrap_or(0));
        }
    }
}

#[test]
fn code_spans_of_a_translation_are_compared_whitespace_free() {
    let en = "Run `docker compose\nup -d`, then\n```yaml\nports: [\"80:80\"]\n```\n";
    let ja = "`docker compose up -d` を実行します。\n```yaml\nports: [\"80:80\"]\n```";
    assert_eq!(code_spans(en), code_spans(ja));
    assert_eq!(
        code_spans(en),
        ["```ports: [\"80:80\"]", "docker compose up -d"]
    );
}

#[test]
fn explain_prints_the_documentation_and_rejects_unknown_causes() {
    let bin = env!("CARGO_BIN_EXE_stackdoctor");
    let out = Command::new(bin)
        .args(["explain", "upstream-wrong-port"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("**What it detects:**") && text.contains("reverse_proxy web:8000"),
        "{text}"
    );

    let out = Command::new(bin)
        .args(["explain", "upstream-wrong-port", "--lang", "ja"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("転送先のポート")
            && text.contains("**検出内容:**")
            && text.contains("gunicorn --bind 0.0.0.0:8000")
            && !text.contains("**What it detects:**"),
        "{text}"
    );

    let out = Command::new(bin).args(["explain"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), catalogue().ids().count(), "{text}");

    let out = Command::new(bin)
        .args(["explain", "no-such-cause"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("`no-such-cause` is neither a cause ID nor a code"));
}

/// `explain CODE` in a project: the code's entry in its contract, in the
/// contract's language unless `--lang` says otherwise.
fn explain_in(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(dir)
        .arg("explain")
        .args(args)
        .env("LANG", "C")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn explain_looks_an_api_error_code_up_in_the_projects_contract() {
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/api-retry-unreachable");
    let (code, text, _) = explain_in(&seed, &["INTERNAL_ERROR"]);
    assert_eq!(code, Some(0), "{text}");
    // The seed's catalogue is Japanese: its texts and the labels are too.
    assert!(
        text.starts_with("INTERNAL_ERROR  [docs/api/action-generation-error-codes.md:")
            && text.contains("HTTP ステータス: 500 Internal Server Error")
            && text.contains("リトライ可能: はい")
            && text.contains("  1. しばらく待ってから再試行する")
            && text.contains("\"code\": \"INTERNAL_ERROR\""),
        "{text}"
    );
    // A flag that is neither yes nor no is shown as written.
    let (_, text, _) = explain_in(&seed, &["AI_SERVICE_ERROR", "--lang", "en"]);
    assert!(
        text.contains("HTTP status: 503 Service Unavailable")
            && text.contains("Retryable: depends (はい（一部の場合はいいえ）)"),
        "{text}"
    );
    let (code, _, error) = explain_in(&seed, &["RATE_LIMITED"]);
    assert_eq!(code, Some(2));
    assert!(
        error.contains("`RATE_LIMITED` is neither a cause ID nor a code")
            && error.contains("AI_SERVICE_ERROR, AUTHENTICATION_ERROR"),
        "{error}"
    );
}

#[test]
fn explain_reads_a_contract_named_on_the_command_line() {
    let openapi = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../contract/tests/data/openapi-actions.yaml");
    let empty = tempfile::tempdir().unwrap();
    let (code, _, error) = explain_in(empty.path(), &["VALIDATION_ERROR"]);
    assert_eq!(code, Some(2));
    assert!(error.contains("(none found)"), "{error}");
    let contract = openapi.display().to_string();
    let (code, text, error) =
        explain_in(empty.path(), &["VALIDATION_ERROR", "--contract", &contract]);
    assert_eq!(code, Some(0), "{error}");
    assert!(
        text.starts_with("VALIDATION_ERROR  [") && text.contains("HTTP status: 400"),
        "{text}"
    );
}

#[test]
fn explain_code_masks_a_token_in_the_contracts_example() {
    let dir = tempfile::tempdir().unwrap();
    let token = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
    std::fs::write(
        dir.path().join("errors.md"),
        format!("# Errors\n\n### AUTH_EXPIRED\n\n- **HTTP status**: 401 Unauthorized\n- **Retryable**: No\n\n```json\n{{\"error\": {{\"code\": \"AUTH_EXPIRED\", \"message\": \"token {token} expired\", \"retryable\": false}}}}\n```\n"),
    )
    .unwrap();
    let (code, text, error) = explain_in(dir.path(), &["AUTH_EXPIRED"]);
    assert_eq!(code, Some(0), "{error}");
    assert!(text.contains("HTTP status: 401 Unauthorized"), "{text}");
    assert!(text.contains("expired") && !text.contains(token), "{text}");
}
