//! Keeps secrets out of every output.
//!
//! Two layers: patterns that look like secrets wherever they appear (AWS
//! access key IDs, `PASSWORD=…` assignments, passwords in URLs, bearer
//! tokens), and the values of secret-named variables the sources read,
//! which are replaced wherever they occur in the output.

use crate::model::StackModel;
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
            // Passwords in URLs: scheme://user:password@host.
            (
                r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]+:)[^\s@/]+@",
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

/// `NAME=value` / `NAME: value` / `"name": "value"` where NAME is secret-like.
fn assignment() -> &'static Regex {
    static ASSIGNMENT: OnceLock<Regex> = OnceLock::new();
    ASSIGNMENT.get_or_init(|| {
        Regex::new(r#"(?i)(?P<key>(?P<quote>["']?)(?P<name>[A-Z0-9_.\-]*(?:KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE)[A-Z0-9_.\-]*)["']?\s*(?P<sep>[=:])\s*["']?)(?P<value>[^\s"',;&]+)"#)
            .expect("static regex")
    })
}

/// Masks everything that looks like a secret.
pub fn mask_patterns(text: &str) -> String {
    let mut out = text.to_string();
    if assignment().is_match(&out) {
        out = assignment()
            .replace_all(&out, |c: &regex::Captures<'_>| {
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
                    || prose
                    || number
                    || name.ends_with("error")
                    || name.ends_with("exception")
                {
                    c[0].to_string()
                } else {
                    format!("{}{MASK}", &c["key"])
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
    /// Collects the values of secret-named variables of every service and env file.
    pub fn for_model(model: &StackModel) -> Masker {
        let mut values: Vec<String> = model
            .services
            .iter()
            .flat_map(|s| &s.environment)
            .filter(|e| is_secret_name(&e.name))
            .filter_map(|e| e.value.clone())
            .chain(model.secret_values.iter().cloned())
            // Short values ("1", "true") would mask unrelated text; they are no real secret.
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
