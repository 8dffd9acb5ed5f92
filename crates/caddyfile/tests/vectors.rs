//! Caddy's own test vectors: lexer, `{$VAR}` replacement, and the adapt
//! tests that must fail (with Caddy's error text).

mod common;

use caddyfile::http::HttpConfig;
use caddyfile::lexer::{lex_str, Lexeme};
use serde_json::Value;

/// A vector file of the corpus; `None` (the test is skipped) without the corpus.
fn load(name: &str) -> Option<Value> {
    let path = common::adapt_dir()?.join("expected").join(name);
    Some(serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap())
}

fn lines_and_texts(lexemes: &[Lexeme]) -> Vec<(u64, String)> {
    lexemes
        .iter()
        .map(|l| (u64::from(l.line), l.token.text.clone()))
        .collect()
}

#[test]
fn lexer_vectors() {
    let Some(cases) = load("lexer.json") else {
        return;
    };
    let cases = cases["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 50);
    for (index, case) in cases.iter().enumerate() {
        let mut input = case["input"].as_str().unwrap().to_string();
        if let Some(rest) = input.strip_prefix("\u{ef}\u{bb}\u{bf}") {
            // Exception: the transcription turned the UTF-8 byte order mark
            // (bytes EF BB BF) into three Latin-1 characters; restore it.
            input = format!("\u{feff}{rest}");
        }
        let input = input.as_str();
        let result = lex_str("", input);
        if let Some(error) = case["error"].as_str() {
            match result {
                Err(caddyfile::Error::Syntax { message, .. }) => {
                    assert_eq!(message, error, "case {index}")
                }
                other => panic!("case {index}: expected error {error:?}, got {other:?}"),
            }
            continue;
        }
        let mut expected: Vec<(u64, String)> = case["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["line"].as_u64().unwrap(),
                    t["text"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        if input.starts_with("\nheredoc <<ss") {
            // Exception: the mechanical transcription lost this case's tokens;
            // lexer_test.go expects these four (lines 2, 2, 5, 6).
            let body = "\u{bf}W\u{1}\u{0}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}=\u{1f}";
            expected = vec![
                (2, "heredoc".to_string()),
                (2, body.to_string()),
                (5, body.to_string()),
                (6, format!("\u{bf}{body}")),
            ];
        }
        let actual = result.unwrap_or_else(|e| panic!("case {index}: {e}"));
        assert_eq!(
            lines_and_texts(&actual),
            expected,
            "case {index}: {input:?}"
        );
    }
}

#[test]
fn env_replacement_vectors() {
    let Some(data) = load("env-replacement.json") else {
        return;
    };
    let env = caddyfile::Env::from_pairs(
        data["environment"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())),
    );
    let cases = data["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 20);
    for case in cases {
        let input = case["input"].as_str().unwrap();
        assert_eq!(
            caddyfile::env::replace(input, &env),
            case["expect"].as_str().unwrap(),
            "input {input:?}"
        );
    }
}

/// Error cases we do not reproduce: they come from modules we do not model.
const ERROR_EXCEPTIONS: &[(&str, &str)] = &[
    (
        "acme_dns_naked_without_dns.caddyfiletest",
        "acme_dns/tls DNS provider settings are not modelled",
    ),
    (
        "duplicate_listener_address_global.caddyfiletest",
        "`servers` global option contents are not modelled",
    ),
    (
        "forward_auth_duplicate_uri.caddyfiletest",
        "forward_auth options are not modelled",
    ),
    (
        "intercept_handle_response_too_many_args.caddyfiletest",
        "`intercept` contents are not modelled",
    ),
    (
        "tls_dns_multiple_options_without_provider.caddyfiletest",
        "tls DNS challenge options are not modelled",
    ),
    (
        "tls_dns_propagation_timeout_without_provider.caddyfiletest",
        "tls DNS challenge options are not modelled",
    ),
    (
        "tls_dns_propagation_without_provider.caddyfiletest",
        "tls DNS challenge options are not modelled",
    ),
];

#[test]
fn adapt_error_cases() {
    let Some(adapt_dir) = common::adapt_dir() else {
        return;
    };
    let cases: Vec<_> = common::adapt_cases(&adapt_dir)
        .into_iter()
        .filter(|c| !c.expected.starts_with('{'))
        .collect();
    assert_eq!(cases.len(), 28);
    let name = adapt_dir.join("Caddyfile");
    let shown = name.to_string_lossy().to_string();
    let mut failures = Vec::new();
    for case in &cases {
        let result = caddyfile::parse_str(&shown, &case.caddyfile, &caddyfile::Env::empty())
            .and_then(|f| HttpConfig::from_caddyfile(&f));
        let listed = ERROR_EXCEPTIONS.iter().any(|(n, _)| *n == case.name);
        // `Caddyfile:N: ` in front is the token's line; `, at Caddyfile:N` at
        // the end is where Caddy's cursor was, which we do not reproduce.
        let mut expected = case.expected.as_str();
        let mut line = None;
        if let Some(rest) = expected.strip_prefix("Caddyfile:") {
            if let Some((number, text)) = rest.split_once(": ") {
                line = number.parse::<u32>().ok();
                expected = text;
            }
        }
        let expected = expected.split(", at Caddyfile:").next().unwrap_or(expected);
        let ok = match &result {
            Err(caddyfile::Error::Syntax { position, message }) => {
                let message = message.replace(&format!("{shown}:"), "Caddyfile:");
                message.contains(expected) && line.is_none_or(|l| position.line == l)
            }
            _ => false,
        };
        if ok == listed {
            failures.push(format!(
                "{} (listed: {listed}): {:?}",
                case.name,
                result.map(|_| ())
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
