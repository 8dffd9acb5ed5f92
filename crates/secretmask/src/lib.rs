//! Keeps secrets out of every output.
//!
//! Two layers: patterns that look like secrets wherever they appear (AWS
//! access key IDs, `PASSWORD=…` assignments, passwords in URLs, bearer
//! tokens, well-known token formats, private keys), and known secret
//! values (those of secret-named variables a caller read), which are
//! replaced wherever they occur. No dependency on the rest of stackdoctor:
//! the probes and the report share it.

use regex::Regex;
use regex_automata::meta;
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

/// A secret pattern, compiled at its first use, and a cheap test every text
/// it can match passes (a literal it must contain): most texts pass none, so
/// a run masks them without compiling a regular expression.
struct Pattern {
    could_match: fn(&str) -> bool,
    source: &'static str,
    replacement: &'static str,
    compiled: OnceLock<Regex>,
}

impl Pattern {
    const fn new(
        could_match: fn(&str) -> bool,
        source: &'static str,
        replacement: &'static str,
    ) -> Pattern {
        Pattern {
            could_match,
            source,
            replacement,
            compiled: OnceLock::new(),
        }
    }

    /// The compiled pattern if `text` could hold a match.
    fn for_text(&self, text: &str) -> Option<&Regex> {
        (self.could_match)(text).then(|| {
            self.compiled
                .get_or_init(|| Regex::new(self.source).expect("static regex"))
        })
    }
}

fn contains_any(text: &str, literals: &[&str]) -> bool {
    literals.iter().any(|literal| text.contains(literal))
}

/// Whether `text` contains one of `words` (lower-case ASCII) in any case. Unicode
/// case folding also maps the Kelvin sign to `k` and the long s to `s`;
/// a text holding either is taken to contain every word.
fn contains_word_any_case(text: &str, words: &[&str]) -> bool {
    let bytes = text.as_bytes();
    words.iter().any(|word| {
        bytes
            .windows(word.len())
            .any(|window| window.eq_ignore_ascii_case(word.as_bytes()))
    }) || text.contains(['\u{212A}', '\u{17F}'])
}

static PATTERNS: [Pattern; 8] = [
    // AWS access key IDs (long-term AKIA, temporary ASIA, and the other documented prefixes).
    Pattern::new(
        |t| {
            contains_any(
                t,
                &[
                    "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA",
                    "APKA",
                ],
            )
        },
        r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b",
        MASK,
    ),
    // GitHub tokens: classic (`ghp_`, OAuth `gho_`, user/server `ghu_`/`ghs_`,
    // refresh `ghr_`) and fine-grained (`github_pat_`).
    Pattern::new(
        |t| contains_any(t, &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]),
        r"\bgh[pousr]_[A-Za-z0-9]{20,}",
        MASK,
    ),
    Pattern::new(
        |t| t.contains("github_pat_"),
        r"\bgithub_pat_[A-Za-z0-9_]{20,}",
        MASK,
    ),
    // Stripe secret and restricted keys.
    Pattern::new(
        |t| contains_any(t, &["k_live_", "k_test_"]),
        r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{10,}",
        MASK,
    ),
    // OpenAI / Anthropic style keys (`sk-…`, `sk-proj-…`, `sk-ant-api03-…`).
    Pattern::new(|t| t.contains("sk-"), r"\bsk-[A-Za-z0-9_\-]{20,}", MASK),
    // Slack bot, user, app and refresh tokens.
    Pattern::new(
        |t| t.contains("xox"),
        r"\bxox[abprs]-[A-Za-z0-9\-]{10,}",
        MASK,
    ),
    // JSON Web Tokens: base64url header `{"…` . payload . signature.
    Pattern::new(
        |t| t.contains("eyJ"),
        r"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*",
        MASK,
    ),
    // Bearer tokens.
    Pattern::new(
        |t| contains_word_any_case(t, &["bearer"]),
        r"(?i)(?P<head>bearer\s+)[A-Za-z0-9\-._~+/]+=*",
        "${head}****",
    ),
];

/// Masks the password of every `scheme://user:password@` in `text` (the
/// user may be empty: `redis://:password@redis:6379/0`), as the regular
/// expression `[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:[^\s@/]+@` would find
/// them (the tests compare the two), without compiling one: its Unicode
/// classes cost more to build than a run's whole masking.
fn mask_url_passwords(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let is_scheme_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-');
    // The end of the run from `from` of characters that are not whitespace
    // and not one of `stops`.
    let run_end = |from: usize, stops: &[char]| {
        text[from..]
            .char_indices()
            .find(|&(_, c)| c.is_whitespace() || stops.contains(&c))
            .map_or(text.len(), |(i, _)| from + i)
    };
    let mut out = String::new();
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find("://") {
        let separator = search + found;
        search = separator + 1;
        // The scheme: the run of scheme characters before `://`, from its first letter.
        let mut run_start = separator;
        while run_start > copied && is_scheme_byte(bytes[run_start - 1]) {
            run_start -= 1;
        }
        let Some(scheme) = (run_start..separator).find(|&i| bytes[i].is_ascii_alphabetic()) else {
            continue;
        };
        let user_end = run_end(separator + 3, &[':', '/', '@']);
        if bytes.get(user_end) != Some(&b':') {
            continue;
        }
        let password_end = run_end(user_end + 1, &['@', '/']);
        if password_end == user_end + 1 || bytes.get(password_end) != Some(&b'@') {
            continue;
        }
        out.push_str(&text[copied..scheme]);
        out.push_str(&text[scheme..=user_end]);
        out.push_str(MASK);
        out.push('@');
        copied = password_end + 1;
        search = copied;
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

/// Private key blocks (PEM), to their END line or, cut off, to the end of the
/// text. Masked before assignments: `"private_key": "-----BEGIN …` would
/// otherwise lose only its first word.
static PRIVATE_KEY_BLOCK: Pattern = Pattern::new(
    |t| t.contains("PRIVATE KEY"),
    r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)",
    "-----BEGIN PRIVATE KEY-----****-----END PRIVATE KEY-----",
);

/// `NAME=value` / `NAME: value` / `"name": "value"` where NAME is secret-like.
const ASSIGNMENT: &str = r#"(?i)(?P<key>(?P<quote>["']?)(?P<name>[A-Z0-9_.\-]*(?:KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE)[A-Z0-9_.\-]*)["']?\s*(?P<sep>[=:])\s*["']?)(?P<value>[^\s"',;&]+)"#;

/// Whether `ASSIGNMENT` matches somewhere in `text`, decided without it:
/// a secret word inside a run of name characters, then an optional quote,
/// whitespace, `=` or `:`, whitespace, an optional quote and a value
/// character. Most texts that name a secret hold no assignment (`${DB_PASSWORD}`
/// in a URL), and need no pattern compiled. A text with a Kelvin sign or a
/// long s (which case folding makes name characters) is left to the pattern.
fn assignment_could_match(text: &str) -> bool {
    const WORDS: [&str; 7] = [
        "key",
        "secret",
        "token",
        "password",
        "passwd",
        "credential",
        "private",
    ];
    if text.contains(['\u{212A}', '\u{17F}']) {
        return true;
    }
    let bytes = text.as_bytes();
    let is_name = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    let is_quote = |b: Option<&u8>| matches!(b, Some(b'"' | b'\''));
    let skip_whitespace = |from: usize| {
        text[from..]
            .char_indices()
            .find(|&(_, c)| !c.is_whitespace())
            .map_or(text.len(), |(i, _)| from + i)
    };
    (0..bytes.len()).any(|start| {
        let rest = &bytes[start..];
        if !WORDS
            .iter()
            .any(|w| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w.as_bytes()))
        {
            return false;
        }
        let mut at = start;
        while at < bytes.len() && is_name(bytes[at]) {
            at += 1;
        }
        at += usize::from(is_quote(bytes.get(at)));
        at = skip_whitespace(at);
        if !matches!(bytes.get(at), Some(b'=' | b':')) {
            return false;
        }
        at = skip_whitespace(at + 1);
        at += usize::from(is_quote(bytes.get(at)));
        text[at..]
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | ',' | ';' | '&'))
    })
}

/// The assignment pattern, built at first use by regex-automata's meta
/// engine without its literal prefilter and with only the lazy DFA and the
/// PikeVM: the case-insensitive secret words expand to hundreds of literals
/// whose automata cost 0.7 ms to build (0.1 ms without), and
/// `assignment_could_match` already skips the texts without them.
fn assignment_regex() -> &'static meta::Regex {
    ASSIGNMENT_REGEX.get_or_init(|| {
        meta::Regex::builder()
            .configure(
                meta::Config::new()
                    .auto_prefilter(false)
                    .onepass(false)
                    .backtrack(false),
            )
            .build(ASSIGNMENT)
            .expect("static regex")
    })
}

static ASSIGNMENT_REGEX: OnceLock<meta::Regex> = OnceLock::new();

/// Masks the values of secret-named assignments; `None` when there are none.
fn mask_assignments(text: &str) -> Option<String> {
    if !assignment_could_match(text) {
        return None;
    }
    let regex = assignment_regex();
    let mut out = String::new();
    let mut copied = 0;
    for captures in regex.captures_iter(text) {
        let Some(whole) = captures.get_match() else {
            continue;
        };
        let group = |name: &str| {
            captures
                .get_group_by_name(name)
                .map_or("", |span| &text[span.range()])
        };
        let (name, value) = (group("name"), group("value"));
        // AWS CLI's tag shorthand `Key=name,Value=v`: the key of a tag, not a secret.
        let tag_key =
            name.eq_ignore_ascii_case("key") && text[whole.end()..].starts_with(",Value=");
        // `NoCredentialsError: Unable to …` is an exception's name, not a secret's.
        let lower = name.to_ascii_lowercase();
        // `${AWS_SECRET_ACCESS_KEY}` is a reference to a secret, not one.
        let reference = value.starts_with('$');
        // `session token: dispatch failure` is prose: a bare lower-case
        // word before `:` names no variable or key.
        let prose = group("sep") == ":"
            && group("quote").is_empty()
            && name.bytes().all(|b| b.is_ascii_lowercase());
        // A short number (`ttl-seconds: 60`) is a setting, not a secret.
        let number = value.len() < 12 && value.bytes().all(|b| b.is_ascii_digit());
        if reference
            || tag_key
            || prose
            || number
            || lower.ends_with("error")
            || lower.ends_with("exception")
        {
            continue;
        }
        // `(…?token=abc)`: the closing bracket belongs to the text around.
        let kept = unbalanced_closers(value);
        out.push_str(&text[copied..whole.start()]);
        out.push_str(group("key"));
        out.push_str(MASK);
        out.push_str(&value[value.len() - kept..]);
        copied = whole.end();
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

/// How many of the secret patterns this process has compiled (a test checks
/// that texts with nothing secret-like compile none).
pub fn compiled_patterns() -> usize {
    PATTERNS
        .iter()
        .chain([&PRIVATE_KEY_BLOCK])
        .filter(|p| p.compiled.get().is_some())
        .count()
        + usize::from(ASSIGNMENT_REGEX.get().is_some())
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
    if let Some(block) = PRIVATE_KEY_BLOCK
        .for_text(&out)
        .filter(|r| r.is_match(&out))
    {
        out = block
            .replace_all(&out, PRIVATE_KEY_BLOCK.replacement)
            .into_owned();
    }
    if let Some(masked) = mask_assignments(&out) {
        out = masked;
    }
    if let Some(masked) = mask_url_passwords(&out) {
        out = masked;
    }
    for pattern in &PATTERNS {
        if let Some(regex) = pattern.for_text(&out).filter(|r| r.is_match(&out)) {
            out = regex.replace_all(&out, pattern.replacement).into_owned();
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

    /// The URL scanner masks what the regular expression it replaces masks,
    /// on texts made of the pieces that decide it.
    #[test]
    fn url_passwords_are_masked_as_the_regular_expression_would() {
        let regex =
            Regex::new(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:)[^\s@/]+@").unwrap();
        let pieces = [
            "redis",
            "://",
            ":",
            "@",
            "/",
            " ",
            "\u{3000}",
            "pw",
            "x",
            "é",
            "9a",
            "+",
            "-",
            ".",
            "u",
            "ß",
            "\t",
            "::",
            "postgres://app:s3cr3t@db:5432/app",
            "ftp://",
        ];
        let mut texts = Vec::new();
        // Every sequence of up to four pieces, and some longer ones.
        let mut frontier = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for prefix in &frontier {
                for piece in pieces {
                    next.push(format!("{prefix}{piece}"));
                }
            }
            texts.extend(next.iter().cloned());
            frontier = next;
        }
        texts.extend([
            "DATABASE_URL: postgres://app:p@ss:word@db:5432/app and redis://:Sup3r@redis:6379/0"
                .to_string(),
            "a://b:c@d://e:f@g".to_string(),
            "1://u:p@h 9a+b://u:p@h".to_string(),
            "mongodb+srv://user:パスワード@cluster0.example.net/db".to_string(),
            "http://user:pass\u{3000}word@host".to_string(),
        ]);
        let mut masked = 0;
        for text in &texts {
            let expected = regex.replace_all(text, "${head}****@");
            let actual = mask_url_passwords(text);
            assert_eq!(actual.as_deref().unwrap_or(text), expected, "{text:?}");
            masked += usize::from(actual.is_some());
        }
        assert!(masked > 1000, "{masked} of {}", texts.len());
    }

    /// The assignment test says yes exactly where the pattern matches.
    #[test]
    fn the_assignment_test_agrees_with_the_pattern() {
        let regex = Regex::new(ASSIGNMENT).unwrap();
        let pieces = [
            "DB_PASSWORD",
            "api_key",
            "Token",
            "x",
            "\"",
            "'",
            " ",
            "\u{3000}",
            "=",
            ":",
            "$",
            "${DB_PASSWORD}",
            "@",
            ",",
            "v",
            "é",
            "-",
            "PRIVATE.",
        ];
        let mut frontier = vec![String::new()];
        let (mut agreed, mut matched) = (0, 0);
        for _ in 0..4 {
            let mut next = Vec::new();
            for prefix in &frontier {
                for piece in pieces {
                    let text = format!("{prefix}{piece}");
                    let expected = regex.is_match(&text);
                    assert_eq!(assignment_could_match(&text), expected, "{text:?}");
                    agreed += 1;
                    matched += usize::from(expected);
                    next.push(text);
                }
            }
            frontier = next;
        }
        assert!(
            matched > 1000 && agreed - matched > 1000,
            "{matched} of {agreed}"
        );
    }

    /// The literal test of a pattern passes every text the pattern matches:
    /// checked on texts that each pattern matches, in several cases and
    /// with the Unicode letters that fold to ASCII ones.
    #[test]
    fn every_text_a_pattern_matches_passes_its_literal_test() {
        let texts = [
            "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
            "id ASIAQWERTYUIOPASDFGH and APKAQWERTYUIOPASDFGH",
            "ghp_R2d2C3poL8ke5kyW4lker0bi1Wan9Ken0 ghs_R2d2C3poL8ke5kyW4lker0bi1Wan9Ken0",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
            "rk_test_51HxYzAbCdEfGhIjKlMn sk_live_51HxYzAbCdEfGhIjKlMn",
            "sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34",
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKl",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4fwpM",
            "authorization: BeArEr abc.def",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
            "Db_PassWd: hunter22",
            "\u{212A}EY=abcdef123456",
            "PA\u{17F}\u{17F}WORD=abcdef123456",
            "\"Private\": \"abcdef123456\"",
            "plain text with nothing secret",
        ];
        let mut matched = 0;
        let tests = PATTERNS
            .iter()
            .chain([&PRIVATE_KEY_BLOCK])
            .map(|p| (p.source, p.could_match))
            .chain([(ASSIGNMENT, assignment_could_match as fn(&str) -> bool)]);
        for (source, could_match) in tests {
            let regex = Regex::new(source).unwrap();
            for text in texts {
                if regex.is_match(text) {
                    matched += 1;
                    assert!(could_match(text), "{source} on {text:?}");
                }
            }
        }
        assert!(matched >= 14, "{matched}");
        assert!(!mask_patterns("\u{212A}EY=abcdef123456").contains("abcdef123456"));
    }

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
