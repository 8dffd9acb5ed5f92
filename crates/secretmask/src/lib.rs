//! Keeps secrets out of every output.
//!
//! Two layers: patterns that look like secrets wherever they appear (AWS
//! access key IDs, `PASSWORD=…` assignments, passwords in URLs, bearer
//! tokens, well-known token formats, private keys), and known secret
//! values (those of secret-named variables a caller read), which are
//! replaced wherever they occur. No dependency on the rest of stackdoctor:
//! the probes and the report share it.

use regex::Regex;
use std::sync::OnceLock;

const MASK: &str = "****";

/// Whether a variable's name says it holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "KEY",
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "CREDENTIAL",
        "PRIVATE",
        "AUTH",
    ]
    .iter()
    .any(|word| upper.contains(word))
}

fn patterns() -> &'static [(Regex, &'static str)] {
    static PATTERNS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            // AWS access key IDs (long-term AKIA, temporary ASIA, and the other documented prefixes).
            (
                r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b",
                MASK,
            ),
            // GitHub tokens: classic (`ghp_`, OAuth `gho_`, user/server `ghu_`/`ghs_`,
            // refresh `ghr_`) and fine-grained (`github_pat_`).
            (r"\bgh[pousr]_[A-Za-z0-9]{20,}", MASK),
            (r"\bgithub_pat_[A-Za-z0-9_]{20,}", MASK),
            // Stripe secret and restricted keys.
            (r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{10,}", MASK),
            // OpenAI / Anthropic style keys (`sk-…`, `sk-proj-…`, `sk-ant-api03-…`).
            (r"\bsk-[A-Za-z0-9_\-]{20,}", MASK),
            // Slack bot, user, app and refresh tokens.
            (r"\bxox[abprs]-[A-Za-z0-9\-]{10,}", MASK),
            // JSON Web Tokens: base64url header `{"…` . payload . signature.
            (
                r"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*",
                MASK,
            ),
            // Passwords in URLs: scheme://user:password@host, the user may be empty
            // (`redis://:password@redis:6379/0`).
            (
                r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:)[^\s@/]+@",
                "${head}****@",
            ),
            // Bearer tokens.
            (
                r"(?i)(?P<head>bearer\s+)[A-Za-z0-9\-._~+/]+=*",
                "${head}****",
            ),
        ]
        .into_iter()
        .map(|(pattern, replacement)| (Regex::new(pattern).expect("static regex"), replacement))
        .collect()
    })
}

/// Private key blocks (PEM), to their END line or, cut off, to the end of the
/// text. Masked before assignments: `"private_key": "-----BEGIN …` would
/// otherwise lose only its first word.
fn private_key_block() -> &'static Regex {
    static BLOCK: OnceLock<Regex> = OnceLock::new();
    BLOCK.get_or_init(|| {
        Regex::new(r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)")
            .expect("static regex")
    })
}

/// `NAME=value` / `NAME: value` / `"name": "value"` where NAME is secret-like.
fn assignment() -> &'static Regex {
    static ASSIGNMENT: OnceLock<Regex> = OnceLock::new();
    ASSIGNMENT.get_or_init(|| {
        Regex::new(r#"(?i)(?P<key>(?P<quote>["']?)(?P<name>[A-Z0-9_.\-]*(?:KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE)[A-Z0-9_.\-]*)["']?\s*(?P<sep>[=:])\s*["']?)(?P<value>[^\s"',;&]+)"#)
            .expect("static regex")
    })
}

/// Bytes at the end of `value` that are closing brackets without their
/// opening one inside it (`abc)` → 1, `f(x)` → 0).
fn unbalanced_closers(value: &str) -> usize {
    let mut kept = 0;
    let mut rest = value;
    while let Some(last) = rest.chars().last() {
        let open = match last {
            ')' => '(',
            ']' => '[',
            '}' => '{',
            '>' => '<',
            _ => break,
        };
        rest = &rest[..rest.len() - 1];
        if rest.contains(open) {
            break;
        }
        kept += 1;
    }
    kept
}

/// Masks, then cuts to at most `max` characters (with `…`): cutting first
/// could leave half a secret that no pattern recognises any more.
pub fn mask_then_shorten(text: &str, max: usize) -> String {
    let masked = mask_patterns(text);
    match masked.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &masked[..cut]),
        None => masked,
    }
}

/// Masks everything that looks like a secret.
pub fn mask_patterns(text: &str) -> String {
    let mut out = text.to_string();
    if private_key_block().is_match(&out) {
        out = private_key_block()
            .replace_all(
                &out,
                "-----BEGIN PRIVATE KEY-----****-----END PRIVATE KEY-----",
            )
            .into_owned();
    }
    if assignment().is_match(&out) {
        let haystack = out.as_str();
        out = assignment()
            .replace_all(haystack, |c: &regex::Captures<'_>| {
                // AWS CLI's tag shorthand `Key=name,Value=v`: the key of a tag, not a secret.
                let end = c.get(0).map_or(0, |m| m.end());
                let tag_key =
                    c["name"].eq_ignore_ascii_case("key") && haystack[end..].starts_with(",Value=");
                // `NoCredentialsError: Unable to …` is an exception's name, not a secret's.
                let name = c["name"].to_ascii_lowercase();
                // `${AWS_SECRET_ACCESS_KEY}` is a reference to a secret, not one.
                let reference = c["value"].starts_with('$');
                // `session token: dispatch failure` is prose: a bare lower-case
                // word before `:` names no variable or key.
                let prose = &c["sep"] == ":"
                    && c["quote"].is_empty()
                    && c["name"].bytes().all(|b| b.is_ascii_lowercase());
                // A short number (`ttl-seconds: 60`) is a setting, not a secret.
                let number =
                    c["value"].len() < 12 && c["value"].bytes().all(|b| b.is_ascii_digit());
                if reference
                    || tag_key
                    || prose
                    || number
                    || name.ends_with("error")
                    || name.ends_with("exception")
                {
                    c[0].to_string()
                } else {
                    // `(…?token=abc)`: the closing bracket belongs to the text around.
                    let value = &c["value"];
                    let kept = unbalanced_closers(value);
                    format!("{}{MASK}{}", &c["key"], &value[value.len() - kept..])
                }
            })
            .into_owned();
    }
    for (regex, replacement) in patterns() {
        if regex.is_match(&out) {
            out = regex.replace_all(&out, *replacement).into_owned();
        }
    }
    out
}

/// Masks secret patterns and the known secret values of a model.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    values: Vec<String>,
}

impl Masker {
    /// A masker that also replaces these known secret values. Short values
    /// ("1", "true") would mask unrelated text and are no real secret.
    pub fn with_values(values: impl IntoIterator<Item = String>) -> Masker {
        let mut values: Vec<String> = values
            .into_iter()
            .filter(|v| v.chars().count() >= 4)
            .collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Masker { values }
    }

    pub fn mask(&self, text: &str) -> String {
        let mut out = mask_patterns(text);
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), MASK);
            }
        }
        out
    }
}

/// Masks every string of a JSON value, and the whole value of an
/// environment entry (`{"name": "DB_PASSWORD", "value": "…"}`) whose name is secret.
pub fn mask_json(value: &mut serde_json::Value, masker: &Masker) {
    mask_json_inner(value, masker, false);
}

fn mask_json_inner(value: &mut serde_json::Value, masker: &Masker, secret: bool) {
    match value {
        serde_json::Value::String(s) => {
            *s = if secret {
                "****".to_string()
            } else {
                masker.mask(s)
            };
        }
        serde_json::Value::Array(items) => items
            .iter_mut()
            .for_each(|v| mask_json_inner(v, masker, secret)),
        serde_json::Value::Object(map) => {
            // An environment entry: {"name": "DB_PASSWORD", "value": "…"}.
            let secret_entry = map
                .get("name")
                .and_then(|n| n.as_str())
                .is_some_and(is_secret_name);
            for (key, v) in map.iter_mut() {
                mask_json_inner(v, masker, secret || (secret_entry && key == "value"));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_mask_keys_passwords_and_urls() {
        let cases = [
            (
                "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
                "AKIAIOSFODNN7EXAMPLE",
            ),
            (
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "wJalrXUtnFEMI",
            ),
            ("DB_PASSWORD: hunter22", "hunter22"),
            (r#"{"api_token": "abcd1234efgh"}"#, "abcd1234efgh"),
            ("postgres://app:s3cr3t@db:5432/app", "s3cr3t"),
            ("Authorization: Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi"),
        ];
        for (text, secret) in cases {
            let masked = mask_patterns(text);
            assert!(!masked.contains(secret), "{text} -> {masked}");
            assert!(masked.contains("****"), "{text} -> {masked}");
        }
    }

    /// AWS CLI's tag shorthand names a tag, not a secret; a key that is a
    /// secret's name is still masked.
    #[test]
    fn tag_shorthand_keys_are_not_secrets() {
        let text = "--tags Key=copilot-application,Value=shop Key=copilot-environment,Value=prod";
        assert_eq!(mask_patterns(text), text);
        assert!(!mask_patterns("API_KEY=abcdef123456,Value=x").contains("abcdef123456"));
        assert!(!mask_patterns("key=abcdef123456").contains("abcdef123456"));
    }

    /// Well-known token formats are masked whatever the variable is called,
    /// or with no name at all; an empty URL user still hides the password.
    #[test]
    fn token_formats_are_masked_without_a_secret_name() {
        let cases = [
            (
                "CACHE_URL=redis://:Sup3rPassw0rd@redis:6379/0",
                "Sup3rPassw0rd",
            ),
            (
                "GH: ghp_R2d2C3poL8ke5kyW4lker0bi1Wan9Ken0",
                "R2d2C3poL8ke5kyW4lker0bi1Wan9Ken0",
            ),
            (
                "pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ used",
                "11ABCDEFG0123456789",
            ),
            (
                "OPENAI=sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34",
                "Ab12Cd34Ef56Gh78",
            ),
            (
                "stripe sk_live_51HxYzAbCdEfGhIjKlMn declined",
                "51HxYzAbCdEfGhIjKlMn",
            ),
            (
                "slack xoxb-123456789012-1234567890123-AbCdEfGhIjKl",
                "1234567890123-AbCdEfGhIjKl",
            ),
            (
                "slack xoxp-123456789012-1234567890123-AbCdEfGhIjKl",
                "1234567890123-AbCdEfGhIjKl",
            ),
            ("id AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
            ("id ASIAQWERTYUIOPASDFGH", "ASIAQWERTYUIOPASDFGH"),
            (
                "session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4fwpM",
                "SflKxwRJSMeKKF2QT4fwpM",
            ),
            (
                r#"{"private_key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7x9fQ\n-----END RSA PRIVATE KEY-----\n"}"#,
                "MIIEowIBAAKCAQEA7x9fQ",
            ),
            (
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA (cut)",
                "b3BlbnNzaC1rZXktdjEAAAA",
            ),
        ];
        for (text, secret) in cases {
            let masked = mask_patterns(text);
            assert!(!masked.contains(secret), "{text} -> {masked}");
            assert!(masked.contains(MASK), "{text} -> {masked}");
        }
    }

    /// The value of `?token=…` stops before the bracket that closes the text around it.
    #[test]
    fn masking_keeps_closing_brackets() {
        assert_eq!(
            mask_patterns("(see https://api.example.com/v1?token=abcdefghijklmnop) failed"),
            "(see https://api.example.com/v1?token=****) failed"
        );
        assert_eq!(mask_patterns("[password=hunter22]"), "[password=****]");
        // A bracket inside the value is part of it.
        assert_eq!(mask_patterns("password=f(x)y"), "password=****");
    }

    #[test]
    fn near_misses_of_token_formats_are_kept() {
        for text in [
            "pip install scikit-learn sk-learn",
            "task-definition ghp_short",
            "image: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "url http://user@host/path",
        ] {
            assert_eq!(mask_patterns(text), text);
        }
    }

    #[test]
    fn exception_names_are_not_secrets() {
        let line = "botocore.exceptions.NoCredentialsError: Unable to locate credentials";
        assert_eq!(mask_patterns(line), line);
    }

    #[test]
    fn prose_references_and_settings_are_not_secrets() {
        for line in [
            "failed to load IMDS session token: dispatch failure: timeout",
            "aws_config::imds::credentials: failed to load credentials",
            "AWS_SECRET_ACCESS_KEY: ${AWS_SECRET_ACCESS_KEY}",
            "-H 'X-aws-ec2-metadata-token-ttl-seconds: 60'",
        ] {
            assert_eq!(mask_patterns(line), line);
        }
        // Still masked: quoted keys, `=`, and names with underscores.
        for (line, secret) in [
            (r#""token": "s3cr3tvalue""#, "s3cr3tvalue"),
            ("token=s3cr3tvalue", "s3cr3tvalue"),
            ("api_key: s3cr3tvalue", "s3cr3tvalue"),
            ("x-api-key: s3cr3tvalue", "s3cr3tvalue"),
        ] {
            assert!(!mask_patterns(line).contains(secret), "{line}");
        }
    }

    #[test]
    fn harmless_text_is_unchanged() {
        let text = "reverse_proxy web:8000 { transport http { read_timeout 30s } }";
        assert_eq!(mask_patterns(text), text);
    }

    #[test]
    fn names_that_hold_secrets() {
        for name in [
            "SECRET_KEY",
            "DB_PASSWORD",
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "api_key",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["AWS_REGION", "DB_HOST", "PORT"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
