//! Finds the app's Bedrock use in source files: model IDs, region literals, SDK clients.
//!
//! It reads the files the project's inventory gives it ([`claims`]: files up
//! to 1 MiB, the walk skips VCS, dependency, build and hidden folders) —
//! Python, JavaScript/TypeScript, Go, Java/Kotlin and Rust sources and
//! `.env*` / `*.env` files. A small lexer per language separates string
//! literals and comments, so that model IDs and regions are only taken from
//! string literals (or env values), and calls only from code.
//!
//! What it reports ([`UseKind`]):
//! - model IDs, system profile IDs and Bedrock ARNs written in strings;
//! - region literals and what sets them (`region_name=`, `region:`,
//!   `config.WithRegion(`, `Region.of(`, `Region.AP_NORTHEAST_1`, `AWS_REGION=`);
//!   in files that show no Bedrock use (no model ID, client or the word
//!   "bedrock"), only regions given to a setting named for a region;
//! - environment reads of region and model variables with their defaults
//!   (`os.getenv("AWS_REGION", "us-east-1")`, `process.env.AWS_REGION || "…"`);
//! - the SDK that creates the Bedrock runtime client, and the region argument
//!   of that call when the call has one;
//! - the runtime operations called (IAM needs `bedrock:InvokeModel` for
//!   InvokeModel/Converse, `bedrock:InvokeModelWithResponseStream` for the streams);
//! - the app's own log messages about its Bedrock client.

use crate::model::Origin;
use bedrock::ids::{model_id_at, ModelRef};
pub use bedrock::sdk::{Operation, Sdk};
use regex::Regex;
use serde::Serialize;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// Larger files are data or bundles, not the app's code.
const MAX_FILE: u64 = 1 << 20;

/// One place where the code (or an env file) touches Bedrock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BedrockUse {
    /// The file, as found under the scanned root (`root.join(relative path)`).
    pub file: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Length of `text` in characters.
    pub length: u32,
    /// The matched text (`anthropic.claude-…`, `boto3.client("bedrock-runtime"`, …).
    pub text: String,
    pub kind: UseKind,
}

impl BedrockUse {
    /// The finding's place as a model [`Origin`].
    pub fn origin(&self) -> Origin {
        Origin::file(&self.file, self.line, self.column, self.length)
    }
}

/// What a [`BedrockUse`] is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UseKind {
    /// A model ID, system profile ID or Bedrock ARN in a string literal or env value.
    ModelId { model: String },
    /// The code reads the model from an environment variable (`BEDROCK_MODEL_ID`).
    ModelFromEnv {
        variable: String,
        default: Option<String>,
    },
    /// A region code in a string (or a Java `Region.X` constant). `setting` is
    /// what it is given to (`region_name=`, `region:`, `config.WithRegion(`,
    /// `Region.of(`, `AWS_REGION=`, `default of AWS_REGION`), `literal` when
    /// nothing names it, `in text` when the string says more than the region.
    RegionLiteral { region: String, setting: String },
    /// The code reads the region from an environment variable.
    RegionFromEnv {
        variable: String,
        default: Option<String>,
        /// What the value is given to (`region_name=`, `region:`, `region=`
        /// for an assignment), as for literals; `expression` when nothing names it.
        setting: String,
    },
    /// The SDK call that creates a Bedrock runtime client. `region_argument` is
    /// the expression passed as region in that call (`None`: the SDK's default
    /// chain decides, see [`Sdk::region_variables`]).
    Client {
        sdk: Sdk,
        region_argument: Option<String>,
    },
    /// A runtime operation the code calls.
    Api { operation: Operation },
    /// A message the app prints about its Bedrock client (placeholders kept).
    LogMessage { message: String },
    /// The code reads another AWS-like variable itself (`os.getenv("AWS_SECRET_KEY")`):
    /// a name no SDK reads may still be the app's own setting.
    EnvRead { variable: String },
}

/// The source languages read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Python,
    Js,
    Go,
    /// Java and Kotlin.
    Java,
    Rust,
    Env,
    /// YAML and TOML configuration (an LLM gateway's `config.yaml`, Helm values, …).
    Config,
    /// JSON configuration.
    Json,
    /// A Jupyter notebook: its code cells are read as Python.
    Notebook,
}

impl Lang {
    /// Source code, where clients and operations are looked for.
    fn is_code(self) -> bool {
        matches!(
            self,
            Lang::Python | Lang::Js | Lang::Go | Lang::Java | Lang::Rust
        )
    }
}

/// JSON files that are never an app's settings.
const SKIPPED_JSON: &[&str] = &[
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "composer.json",
    "composer.lock",
    "yarn.lock",
];

/// Configuration files are read up to this size; larger ones are data.
const MAX_CONFIG_FILE: u64 = 256 << 10;

/// Compose files are read by the compose source (their environment becomes the services').
fn is_compose_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.starts_with("docker-compose") || lower.starts_with("compose"))
        && (lower.ends_with(".yml") || lower.ends_with(".yaml"))
}

fn language_of(path: &Path) -> Option<Lang> {
    let name = path.file_name()?.to_str()?;
    // Env files are read as `KEY=value` lines, never with the code patterns.
    if name.starts_with(".env") || name.ends_with(".env") {
        return Some(Lang::Env);
    }
    let ext = name.rsplit_once('.')?.1;
    Some(match ext {
        "yaml" | "yml" if !is_compose_file(name) => Lang::Config,
        "toml" if name != "Cargo.toml" && name != "pyproject.toml" => Lang::Config,
        "json" if !SKIPPED_JSON.contains(&name) => Lang::Json,
        "ipynb" => Lang::Notebook,
        "py" => Lang::Python,
        "js" | "mjs" | "cjs" | "ts" | "tsx" | "jsx" | "mts" | "cts" => Lang::Js,
        "go" => Lang::Go,
        "java" | "kt" | "kts" => Lang::Java,
        "rs" => Lang::Rust,
        _ => return None,
    })
}

/// Every Bedrock use in the project under `root`, ordered by file, line,
/// column (one walk of its own: for callers outside a run).
pub fn scan_project(root: &Path) -> Vec<BedrockUse> {
    scan_files(&super::inventory::Inventory::scan(root))
}

/// Every Bedrock use in the files the inventory gave this source, ordered
/// by file, line, column.
pub fn scan_files(inventory: &super::inventory::Inventory) -> Vec<BedrockUse> {
    let mut out = Vec::new();
    for file in inventory.of(super::inventory::Kind::Code) {
        if let Some(bytes) = inventory.read(&file.path) {
            out.extend(scan_source(&file.path, &String::from_utf8_lossy(&bytes)));
        }
    }
    out.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    out
}

/// The files the code scan reads: code, config and env files by name,
/// within their size limits; never a link out of the project.
pub fn claims(file: &super::inventory::File) -> bool {
    !file.outside
        && language_of(&file.path).is_some_and(|lang| {
            let limit = if matches!(lang, Lang::Config | Lang::Json) {
                MAX_CONFIG_FILE
            } else {
                MAX_FILE
            };
            file.size <= limit
        })
}

/// Scans one file's text; the language comes from `path`'s name. Files of
/// other kinds give nothing.
pub fn scan_source(path: &Path, text: &str) -> Vec<BedrockUse> {
    let Some(lang) = language_of(path) else {
        return Vec::new();
    };
    if lang == Lang::Notebook {
        return scan_notebook(path, text);
    }
    if matches!(lang, Lang::Config | Lang::Json) && is_policy_document(text) {
        // IAM policies name model ARNs they allow, not models the app calls.
        return Vec::new();
    }
    let lexed = match lang {
        Lang::Env => lex_env(text),
        Lang::Config => lex_config(text),
        Lang::Json => lex_json(text),
        _ => lex(text, lang),
    };
    let mut scan = Scan {
        path,
        text,
        lang,
        lexed: &lexed,
        lines: line_starts(text),
        out: Vec::new(),
    };
    scan.run();
    let mut out = scan.out;
    out.sort_by_key(|u| (u.line, u.column));
    out.dedup();
    out
}

// ---------------------------------------------------------------------------
// Lexing
// ---------------------------------------------------------------------------

/// A string literal (or env value): the whole token and its contents.
#[derive(Debug, Clone)]
struct Literal {
    /// From the prefix/opening quote to the closing quote.
    full: Range<usize>,
    /// The characters between the quotes.
    content: Range<usize>,
    /// For env values: the variable name.
    key: Option<String>,
}

struct Lexed {
    literals: Vec<Literal>,
    /// The text with comments blanked (newlines kept, offsets unchanged).
    code: String,
}

impl Lexed {
    /// Whether `offset` lies inside a string literal.
    fn in_string(&self, offset: usize) -> bool {
        let i = self.literals.partition_point(|l| l.full.end <= offset);
        self.literals
            .get(i)
            .is_some_and(|l| l.full.start <= offset && offset < l.full.end)
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Lexes a source file: string literals and comments, per language.
fn lex(text: &str, lang: Lang) -> Lexed {
    let b = text.as_bytes();
    let n = b.len();
    let mut literals = Vec::new();
    let mut comments: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    let c_like = lang != Lang::Python;
    while i < n {
        let c = b[i];
        // Comments.
        if lang == Lang::Python && c == b'#' {
            let end = memchr(b, i, b'\n');
            comments.push(i..end);
            i = end;
            continue;
        }
        if c_like && c == b'/' && i + 1 < n && b[i + 1] == b'/' {
            let end = memchr(b, i, b'\n');
            comments.push(i..end);
            i = end;
            continue;
        }
        if c_like && c == b'/' && i + 1 < n && b[i + 1] == b'*' {
            let mut depth = 1;
            let mut j = i + 2;
            while j < n && depth > 0 {
                if b[j] == b'*' && j + 1 < n && b[j + 1] == b'/' {
                    depth -= 1;
                    j += 2;
                } else if lang == Lang::Rust && b[j] == b'/' && j + 1 < n && b[j + 1] == b'*' {
                    depth += 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            comments.push(i..j);
            i = j;
            continue;
        }
        // Identifiers (which may be string prefixes).
        if is_ident_byte(c) {
            let start = i;
            while i < n && is_ident_byte(b[i]) {
                i += 1;
            }
            let word = &text[start..i];
            if i < n {
                if lang == Lang::Python && (b[i] == b'"' || b[i] == b'\'') && is_python_prefix(word)
                {
                    let raw = word.to_ascii_lowercase().contains('r');
                    let (lit, end) = python_string(b, start, i, raw);
                    literals.push(lit);
                    i = end;
                } else if lang == Lang::Rust
                    && matches!(word, "r" | "br" | "b" | "c" | "cr")
                    && (b[i] == b'"' || b[i] == b'#')
                {
                    if let Some((lit, end)) = rust_prefixed_string(b, start, i, word.ends_with('r'))
                    {
                        literals.push(lit);
                        i = end;
                    }
                }
            }
            continue;
        }
        match (lang, c) {
            (Lang::Python, b'"' | b'\'') => {
                let (lit, end) = python_string(b, i, i, false);
                literals.push(lit);
                i = end;
            }
            (Lang::Js, b'"' | b'\'') | (Lang::Go, b'"' | b'\'') => {
                let (lit, end) = quoted(b, i, c, true, true);
                literals.push(lit);
                i = end;
            }
            (Lang::Js, b'`') => {
                let (lit, end) = quoted(b, i, c, true, false);
                literals.push(lit);
                i = end;
            }
            (Lang::Go, b'`') => {
                let (lit, end) = quoted(b, i, c, false, false);
                literals.push(lit);
                i = end;
            }
            (Lang::Java, b'"') if b[i..].starts_with(b"\"\"\"") => {
                let end = find_from(b, i + 3, b"\"\"\"").map_or(n, |e| e + 3);
                literals.push(Literal {
                    full: i..end,
                    content: i + 3..end.saturating_sub(3).max(i + 3),
                    key: None,
                });
                i = end;
            }
            (Lang::Java, b'"' | b'\'') => {
                let (lit, end) = quoted(b, i, c, true, true);
                literals.push(lit);
                i = end;
            }
            (Lang::Rust, b'"') => {
                let (lit, end) = quoted(b, i, c, true, false);
                literals.push(lit);
                i = end;
            }
            (Lang::Rust, b'\'') => {
                // A char literal ('a', '\n', '\u{1F600}') or a lifetime ('a).
                i = rust_char_end(text, i).unwrap_or(i + 1);
            }
            _ => i += 1,
        }
    }
    let mut code = text.as_bytes().to_vec();
    for r in comments {
        for byte in &mut code[r] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    }
    Lexed {
        literals,
        code: String::from_utf8(code).unwrap_or_default(),
    }
}

fn memchr(b: &[u8], from: usize, needle: u8) -> usize {
    b[from..]
        .iter()
        .position(|&x| x == needle)
        .map_or(b.len(), |p| from + p)
}

fn find_from(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from > b.len() {
        return None;
    }
    b[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn is_python_prefix(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "r" | "b" | "u" | "f" | "rb" | "br" | "fr" | "rf" | "t" | "rt" | "tr"
    )
}

/// A Python string starting at `quote` (its prefix starts at `start`).
fn python_string(b: &[u8], start: usize, quote: usize, raw: bool) -> (Literal, usize) {
    let q = b[quote];
    let n = b.len();
    let triple = quote + 2 < n && b[quote + 1] == q && b[quote + 2] == q;
    let open = if triple { 3 } else { 1 };
    let mut j = quote + open;
    let content_start = j;
    while j < n {
        if b[j] == b'\\' {
            j += 2;
            continue;
        }
        if !triple && b[j] == b'\n' {
            let _ = raw;
            return (
                Literal {
                    full: start..j,
                    content: content_start..j,
                    key: None,
                },
                j,
            );
        }
        if b[j] == q && (!triple || (j + 2 < n && b[j + 1] == q && b[j + 2] == q)) {
            let end = j + open;
            return (
                Literal {
                    full: start..end,
                    content: content_start..j,
                    key: None,
                },
                end,
            );
        }
        j += 1;
    }
    (
        Literal {
            full: start..n,
            content: content_start..n,
            key: None,
        },
        n,
    )
}

/// A string between `q` quotes from `open`; `escapes`: backslash escapes;
/// `single_line`: a newline ends an unterminated literal.
fn quoted(b: &[u8], open: usize, q: u8, escapes: bool, single_line: bool) -> (Literal, usize) {
    let n = b.len();
    let mut j = open + 1;
    while j < n {
        if escapes && b[j] == b'\\' {
            j += 2;
            continue;
        }
        if single_line && b[j] == b'\n' {
            return (
                Literal {
                    full: open..j,
                    content: open + 1..j,
                    key: None,
                },
                j,
            );
        }
        if b[j] == q {
            return (
                Literal {
                    full: open..j + 1,
                    content: open + 1..j,
                    key: None,
                },
                j + 1,
            );
        }
        j += 1;
    }
    (
        Literal {
            full: open..n,
            content: (open + 1).min(n)..n,
            key: None,
        },
        n,
    )
}

/// Rust `r"…"`, `r#"…"#`, `b"…"`, `br#"…"#` starting at `start`, after the prefix at `at`.
fn rust_prefixed_string(b: &[u8], start: usize, at: usize, raw: bool) -> Option<(Literal, usize)> {
    let n = b.len();
    if !raw {
        if b[at] != b'"' {
            return None;
        }
        let (mut lit, end) = quoted(b, at, b'"', true, false);
        lit.full.start = start;
        return Some((lit, end));
    }
    let mut j = at;
    let mut hashes = 0;
    while j < n && b[j] == b'#' {
        hashes += 1;
        j += 1;
    }
    if j >= n || b[j] != b'"' {
        return None;
    }
    let content_start = j + 1;
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat_n(b'#', hashes));
    let end = find_from(b, content_start, &close);
    Some(match end {
        Some(e) => (
            Literal {
                full: start..e + close.len(),
                content: content_start..e,
                key: None,
            },
            e + close.len(),
        ),
        None => (
            Literal {
                full: start..n,
                content: content_start..n,
                key: None,
            },
            n,
        ),
    })
}

/// The end of a Rust char literal at `at`, or `None` for a lifetime.
fn rust_char_end(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at + 1..];
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    if first == '\\' {
        // Skip the escaped character itself (`'\''`), then find the closing quote.
        let close = rest.get(2..)?.find('\'')?;
        return (close < 10).then_some(at + 1 + 2 + close + 1);
    }
    let (i, second) = chars.next()?;
    (second == '\'').then_some(at + 1 + i + 1)
}

/// Env files: `KEY=value` lines (`export` allowed, quotes stripped, `#` comments).
fn lex_env(text: &str) -> Lexed {
    let mut literals = Vec::new();
    let mut code = String::with_capacity(text.len());
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        let lead = body.len() - trimmed.len();
        let decl = trimmed
            .strip_prefix("export ")
            .map(str::trim_start)
            .unwrap_or(trimmed);
        let decl_at = offset + lead + (trimmed.len() - decl.len());
        if let Some((key, value)) = decl
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty() && !k.trim_start().starts_with('#'))
        {
            let key = key.trim();
            let value_at = decl_at + decl.find('=').unwrap_or(0) + 1;
            let vtrim = value.trim_start();
            let vstart = value_at + (value.len() - vtrim.len());
            let (content, full) = match vtrim.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let close = vtrim[1..].find(q).map_or(vtrim.len(), |c| c + 1);
                    (
                        vstart + 1..vstart + close,
                        vstart..(vstart + close + 1).min(vstart + vtrim.len()),
                    )
                }
                _ => {
                    let end = vtrim.find(" #").unwrap_or(vtrim.len());
                    let v = vtrim[..end].trim_end();
                    (vstart..vstart + v.len(), vstart..vstart + v.len())
                }
            };
            if key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
            {
                literals.push(Literal {
                    full,
                    content,
                    key: Some(key.to_string()),
                });
            }
        }
        code.push_str(&" ".repeat(body.len()));
        code.push_str(&line[body.len()..]);
        offset += line.len();
    }
    Lexed { literals, code }
}

/// A YAML or TOML document that is an IAM policy (CloudFormation, SAM, Terraform JSON).
fn is_policy_document(text: &str) -> bool {
    text.contains("Statement") && text.contains("Effect")
}

/// YAML and TOML: the value of each `key: value` / `key = value` line and of
/// each `- item`, quotes stripped, `#` comments dropped; the key is kept.
fn lex_config(text: &str) -> Lexed {
    let mut literals = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        let mut at = offset + (body.len() - trimmed.len());
        let mut rest = trimmed;
        if rest.starts_with('#') || rest.starts_with('[') && !rest.contains('=') {
            offset += line.len();
            continue;
        }
        if let Some(item) = rest.strip_prefix("- ") {
            at += rest.len() - item.len();
            rest = item;
        }
        // `key: value` (YAML) or `key = value` (TOML); a key has no spaces or quotes inside.
        let mut key = None;
        if let Some(split) = rest.find([':', '=']) {
            let candidate = rest[..split].trim().trim_matches(['"', '\'']);
            let after = &rest[split + 1..];
            let is_key = !candidate.is_empty()
                && candidate
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                && (after.is_empty()
                    || after.starts_with([' ', '\t'])
                    || rest.as_bytes()[split] == b'=');
            if is_key {
                key = Some(candidate.to_string());
                let value = after.trim_start();
                at += rest.len() - value.len();
                rest = value;
            }
        }
        let value = match rest.find(" #") {
            Some(end) => rest[..end].trim_end(),
            None => rest.trim_end(),
        };
        if !value.is_empty() {
            let (content, full) = match value.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let close = value[1..].find(q).map_or(value.len(), |c| c + 1);
                    (
                        at + 1..at + close,
                        at..(at + close + 1).min(at + value.len()),
                    )
                }
                _ => (at..at + value.len(), at..at + value.len()),
            };
            literals.push(Literal { full, content, key });
        }
        offset += line.len();
    }
    // Nothing in a config file is code (offsets kept, newlines kept).
    let code: String = text
        .bytes()
        .map(|c| if c == b'\n' { '\n' } else { ' ' })
        .collect();
    Lexed { literals, code }
}

/// JSON: every string; a string that follows `"key":` keeps that key.
fn lex_json(text: &str) -> Lexed {
    let b = text.as_bytes();
    let mut literals: Vec<Literal> = Vec::new();
    let mut i = 0;
    let mut pending_key: Option<String> = None;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let (mut lit, end) = quoted(b, i, b'"', true, true);
                let after = text[end..].trim_start();
                if after.starts_with(':') {
                    pending_key = Some(text[lit.content.clone()].to_string());
                } else {
                    lit.key = pending_key.take();
                    literals.push(lit);
                }
                i = end;
            }
            b',' | b'{' | b'[' => {
                if b[i] != b'[' {
                    pending_key = None;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    Lexed {
        literals,
        code: text
            .bytes()
            .map(|c| if c == b'\n' { '\n' } else { ' ' })
            .collect(),
    }
}

/// A notebook's code cells, scanned as one Python file, each use placed on
/// the notebook's own line (and column, where the text is found there).
fn scan_notebook(path: &Path, text: &str) -> Vec<BedrockUse> {
    let Ok(notebook) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let Some(cells) = notebook.get("cells").and_then(|c| c.as_array()) else {
        return Vec::new();
    };
    let file_lines: Vec<&str> = text.lines().collect();
    let mut python = String::new();
    // For each line of `python`: the notebook's line (0-based), if found.
    let mut line_map: Vec<Option<usize>> = Vec::new();
    let mut search_from = 0;
    for cell in cells {
        if cell.get("cell_type").and_then(|t| t.as_str()) != Some("code") {
            continue;
        }
        let source: Vec<String> = match cell.get("source") {
            Some(serde_json::Value::Array(parts)) => parts
                .iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect(),
            Some(serde_json::Value::String(s)) => {
                s.split_inclusive('\n').map(str::to_string).collect()
            }
            _ => continue,
        };
        for part in source {
            let line = part.trim_end_matches('\n');
            // nbformat writes one source string per line, JSON-escaped.
            let encoded = serde_json::to_string(line).unwrap_or_default();
            let needle = encoded.trim_matches('"');
            let found = (search_from..file_lines.len())
                .find(|&n| !needle.is_empty() && file_lines[n].contains(needle));
            if let Some(n) = found {
                search_from = n + 1;
            }
            python.push_str(line);
            python.push('\n');
            line_map.push(found);
        }
        python.push('\n');
        line_map.push(None);
    }
    let mut out = Vec::new();
    for mut u in scan_source(&path.with_extension("py"), &python) {
        let Some(Some(n)) = line_map.get(u.line as usize - 1) else {
            continue;
        };
        let file_line = file_lines[*n];
        let encoded = serde_json::to_string(&u.text).unwrap_or_default();
        let needle = encoded.trim_matches('"');
        u.file = path.to_path_buf();
        u.line = *n as u32 + 1;
        u.column = file_line
            .find(needle)
            .map_or(1, |at| file_line[..at].chars().count() as u32 + 1);
        u.length = needle.chars().count() as u32;
        out.push(u);
    }
    out
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

// ---------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------

struct Patterns {
    arn: Lazy,
    model: Lazy,
    region: Lazy,
    java_region_const: Lazy,
    setting: Lazy,
    env_python: Lazy,
    env_js: Lazy,
    env_go: Lazy,
    env_java: Lazy,
    env_rust: Lazy,
    boto3: Lazy,
    anthropic: Lazy,
    langchain: Lazy,
    js_v3: Lazy,
    go_v2: Lazy,
    java_v2: Lazy,
    kotlin: Lazy,
    rust_client: Lazy,
    api_snake: Lazy,
    api_js: Lazy,
    api_go: Lazy,
    api_java: Lazy,
    api_anthropic: Lazy,
    log_call: Lazy,
    kwarg_region: Lazy,
    js_region: Lazy,
    kotlin_region: Lazy,
}

/// Each pattern compiles on first use: an `.env` file needs three of them,
/// a Python file about ten, none of them all.
type Lazy = LazyLock<Regex, fn() -> Regex>;

/// Whether `text` may hold a region name (`<area>-<letters>-<digit>`,
/// the shape the region pattern looks for): a look before the pattern runs.
fn may_name_region(text: &str) -> bool {
    const AREAS: [&str; 11] = [
        "us-gov", "us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn",
    ];
    let bytes = text.as_bytes();
    text.match_indices('-').any(|(at, _)| {
        let letters = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_lowercase())
            .count();
        let end = at + 1 + letters;
        letters > 0
            && bytes.get(end) == Some(&b'-')
            && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
            && AREAS.iter().any(|area| text[..at].ends_with(area))
    })
}

/// Patterns compiled in this process (for the test that files which need
/// none compile none).
static COMPILED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many of the code scanner's patterns were compiled in this process.
pub fn compiled_patterns() -> usize {
    COMPILED.load(std::sync::atomic::Ordering::Relaxed)
}

fn compile(pattern: &str) -> Regex {
    COMPILED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Regex::new(pattern).unwrap_or_else(|e| panic!("pattern {pattern}: {e}"))
}

/// A `, default` after an environment lookup (Python's `getenv`, `environ.get`).
const ENV_DEFAULT: &str =
    r#"(?:\s*,\s*(?:default\s*=\s*)?(?:"(?P<d1>[^"\n]*)"|'(?P<d2>[^'\n]*)'))?"#;

static PATTERNS: Patterns = Patterns {
    arn: LazyLock::new(|| compile(bedrock::ids::ARN_PATTERN)),
    model: LazyLock::new(|| compile(&bedrock::ids::model_pattern())),
    region: LazyLock::new(|| {
        compile(r"(?:us-gov|us|eu|ap|sa|ca|me|af|il|mx|cn)-[a-z]+-[0-9]{1,2}")
    }),
    java_region_const: LazyLock::new(|| compile(r"\bRegion\.([A-Z]{2}(?:_[A-Z]+)+_[0-9]{1,2})\b")),
    setting: LazyLock::new(|| compile(r"([A-Za-z_][A-Za-z0-9_.:]*?)\s*(:=|=|:|\(|\?\?|\|\|)\s*$")),
    env_python: LazyLock::new(|| {
        compile(&format!(
            r#"\b(?:os\.)?(?:(?:environ\.get|getenv)\(\s*(?:"(?P<v1>\w+)"|'(?P<v2>\w+)'){ENV_DEFAULT}\s*\)|environ\[\s*(?:"(?P<v3>\w+)"|'(?P<v4>\w+)')\s*\])"#
        ))
    }),
    env_js: LazyLock::new(|| {
        compile(
            r#"\bprocess\.env(?:\.(?P<v1>[A-Za-z_]\w*)|\[\s*["'`](?P<v2>\w+)["'`]\s*\])(?:\s*(?:\|\||\?\?)\s*(?:"(?P<d1>[^"\n]*)"|'(?P<d2>[^'\n]*)'|`(?P<d3>[^`\n]*)`))?"#,
        )
    }),
    env_go: LazyLock::new(|| compile(r#"\bos\.(?:Getenv|LookupEnv)\(\s*"(?P<v1>\w+)"\s*\)"#)),
    env_java: LazyLock::new(|| {
        compile(
            r#"\bSystem\.getenv\((?:\s*"(?P<v1>\w+)"\s*\)(?:\s*\?:\s*"(?P<d1>[^"\n]*)")?|\s*\)\.getOrDefault\(\s*"(?P<v2>\w+)"\s*,\s*"(?P<d2>[^"\n]*)"\s*\))"#,
        )
    }),
    env_rust: LazyLock::new(|| {
        compile(
            r#"\b(?:std::)?env::var(?:_os)?\(\s*"(?P<v1>\w+)"\s*\)(?:\s*\.unwrap_or(?:_else)?\(\s*(?:\|_\|\s*)?"(?P<d1>[^"\n]*)")?"#,
        )
    }),
    boto3: LazyLock::new(|| {
        compile(r#"\.client\(\s*(?:service_name\s*=\s*)?["']bedrock-runtime["']"#)
    }),
    anthropic: LazyLock::new(|| compile(r"\b(?:new\s+)?(?:Async)?AnthropicBedrock\(")),
    langchain: LazyLock::new(|| {
        compile(r"\b(?:new\s+)?(?:ChatBedrockConverse|ChatBedrock|BedrockChat|BedrockLLM)\(")
    }),
    js_v3: LazyLock::new(|| compile(r"\bnew\s+BedrockRuntimeClient\(")),
    go_v2: LazyLock::new(|| compile(r"\bbedrockruntime\.NewFromConfig\(")),
    java_v2: LazyLock::new(|| {
        compile(r"\bBedrockRuntime(?:Async)?Client\s*\.\s*(?:builder|create)\(\s*\)")
    }),
    kotlin: LazyLock::new(|| compile(r"\bBedrockRuntimeClient(?:\s*\{|\.fromEnvironment\()")),
    rust_client: LazyLock::new(|| {
        compile(r"\b(?:aws_sdk_bedrockruntime::)?Client::(?:new|from_conf)\(")
    }),
    api_snake: LazyLock::new(|| {
        compile(r"\.(invoke_model_with_response_stream|invoke_model|converse_stream|converse)\(")
    }),
    api_js: LazyLock::new(|| {
        compile(
            r"\bnew\s+(InvokeModelWithResponseStreamCommand|InvokeModelCommand|ConverseStreamCommand|ConverseCommand)\(",
        )
    }),
    api_go: LazyLock::new(|| {
        compile(r"\.(InvokeModelWithResponseStream|InvokeModel|ConverseStream|Converse)\(")
    }),
    api_java: LazyLock::new(|| {
        compile(r"\.(invokeModelWithResponseStream|invokeModel|converseStream|converse)\(")
    }),
    api_anthropic: LazyLock::new(|| compile(r"\.messages\.(create|stream)\(")),
    log_call: LazyLock::new(|| {
        compile(
            r"(?:\bprint|\blog\w*|\blogger\.\w+|\blogging\.\w+|\bconsole\.\w+|\bfmt\.\w+|\blog\.\w+|\bprintln!|\bprint!|\beprintln!|\binfo!|\bwarn!|\berror!|\bdebug!|\bSystem\.out\.\w+|\bLOG(?:GER)?\.\w+)\s*\(\s*[A-Za-z]?$",
        )
    }),
    kwarg_region: LazyLock::new(|| {
        compile(r"\b(?:region_name|aws_region|region)\s*=\s*([^,)\n]+)")
    }),
    js_region: LazyLock::new(|| compile(r"\bregion\s*:\s*([^,}\n]+)")),
    kotlin_region: LazyLock::new(|| compile(r"\bregion\s*=\s*([^\n;}]+)")),
};

fn patterns() -> &'static Patterns {
    &PATTERNS
}

// ---------------------------------------------------------------------------
// Scanning one file
// ---------------------------------------------------------------------------

struct Scan<'a> {
    path: &'a Path,
    text: &'a str,
    lang: Lang,
    lexed: &'a Lexed,
    lines: Vec<usize>,
    out: Vec<BedrockUse>,
}

impl Scan<'_> {
    fn run(&mut self) {
        let env_defaults = self.env_reads();
        self.literals(&env_defaults);
        let mut anthropic = false;
        if self.lang.is_code() {
            self.java_region_constants();
            anthropic = self.clients();
        }
        let bedrock_file = self.text.to_ascii_lowercase().contains("bedrock")
            || self.out.iter().any(|u| {
                matches!(
                    u.kind,
                    UseKind::ModelId { .. } | UseKind::ModelFromEnv { .. } | UseKind::Client { .. }
                )
            });
        if !bedrock_file {
            // Elsewhere only regions given to something named for a region count
            // (`REGION = "…"`, `region_name=`, `AWS_REGION=`); other region
            // strings in unrelated code are noise.
            self.out.retain(|u| match &u.kind {
                UseKind::RegionLiteral { setting, .. } => {
                    setting.to_ascii_lowercase().contains("region")
                }
                _ => true,
            });
        } else if self.lang.is_code() {
            self.apis(anthropic);
            self.log_messages();
        }
    }

    fn push(&mut self, at: usize, text: &str, kind: UseKind) {
        let line_index = self.lines.partition_point(|&s| s <= at).saturating_sub(1);
        let line_start = self.lines[line_index];
        let column = self.text[line_start..at].chars().count() as u32 + 1;
        self.out.push(BedrockUse {
            file: self.path.to_path_buf(),
            line: line_index as u32 + 1,
            column,
            length: text.chars().count() as u32,
            text: text.to_string(),
            kind,
        });
    }

    /// What a value at `at` (a literal or expression start) is given to, from
    /// the code before it on the same line.
    fn setting_before(&self, at: usize) -> Option<String> {
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let before = &self.lexed.code[line_start..at];
        let caps = patterns().setting.captures(before)?;
        let op = match &caps[2] {
            "??" | "||" => return None,
            ":=" => "=",
            op => op,
        };
        Some(format!("{}{}", &caps[1], op))
    }

    /// Environment reads; returns the content ranges of their default literals.
    fn env_reads(&mut self) -> Vec<(Range<usize>, String)> {
        let p = patterns();
        let re = match self.lang {
            Lang::Python => &p.env_python,
            Lang::Js => &p.env_js,
            Lang::Go => &p.env_go,
            Lang::Java => &p.env_java,
            Lang::Rust => &p.env_rust,
            Lang::Env | Lang::Config | Lang::Json | Lang::Notebook => return Vec::new(),
        };
        let mut defaults = Vec::new();
        let mut found = Vec::new();
        for caps in re.captures_iter(&self.lexed.code) {
            let whole = caps.get(0).expect("match");
            if self.lexed.in_string(whole.start()) {
                continue;
            }
            let Some(var) = ["v1", "v2", "v3", "v4"].iter().find_map(|g| caps.name(g)) else {
                continue;
            };
            let default = ["d1", "d2", "d3"].iter().find_map(|g| caps.name(g));
            let variable = var.as_str().to_string();
            let upper = variable.to_ascii_uppercase();
            let kind = if upper.contains("REGION") {
                if let Some(d) = default {
                    defaults.push((d.range(), variable.clone()));
                }
                UseKind::RegionFromEnv {
                    variable,
                    default: default.map(|d| d.as_str().to_string()),
                    setting: self
                        .setting_before(whole.start())
                        .unwrap_or_else(|| "expression".to_string()),
                }
            } else if upper.contains("MODEL") || upper.contains("INFERENCE_PROFILE") {
                UseKind::ModelFromEnv {
                    variable,
                    default: default.map(|d| d.as_str().to_string()),
                }
            } else if upper.contains("AWS") {
                UseKind::EnvRead { variable }
            } else {
                continue;
            };
            found.push((whole.start(), whole.as_str().to_string(), kind));
        }
        for (at, text, kind) in found {
            self.push(at, &text, kind);
        }
        defaults
    }

    /// Model IDs, ARNs, regions in string literals (env values).
    fn literals(&mut self, env_defaults: &[(Range<usize>, String)]) {
        let p = patterns();
        let mut found: Vec<(usize, String, UseKind)> = Vec::new();
        for lit in &self.lexed.literals {
            let content = &self.text[lit.content.clone()];
            if content.is_empty() {
                continue;
            }
            let base = lit.content.start;
            // Cheap looks first: most literals (passwords, ports, paths)
            // can hold no model and no region, and need no pattern at all.
            let may_name_model = bedrock::ids::may_name_model(content);
            let may_name_region = may_name_region(content);
            if !may_name_model && !may_name_region {
                continue;
            }
            let mut arn_spans: Vec<Range<usize>> = Vec::new();
            for m in may_name_model
                .then(|| p.arn.find_iter(content))
                .into_iter()
                .flatten()
            {
                let arn = m.as_str().trim_end_matches(['.', ':', '-']);
                if ModelRef::parse(arn).is_some() {
                    arn_spans.push(m.range());
                    found.push((
                        base + m.start(),
                        arn.to_string(),
                        UseKind::ModelId {
                            model: arn.to_string(),
                        },
                    ));
                }
            }
            for m in may_name_model
                .then(|| p.model.find_iter(content))
                .into_iter()
                .flatten()
            {
                if arn_spans
                    .iter()
                    .any(|s| s.start <= m.start() && m.start() < s.end)
                {
                    continue;
                }
                if let Some(id) = model_id_at(content, m.range()) {
                    found.push((
                        base + m.start(),
                        id.to_string(),
                        UseKind::ModelId {
                            model: id.to_string(),
                        },
                    ));
                }
            }
            for m in may_name_region
                .then(|| p.region.find_iter(content))
                .into_iter()
                .flatten()
            {
                let bytes = content.as_bytes();
                let before_ok = m.start() == 0
                    || !matches!(bytes[m.start() - 1], b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_');
                let after_ok = m.end() == bytes.len()
                    || !matches!(bytes[m.end()], b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_');
                if !before_ok || !after_ok || !bedrock::is_region(m.as_str()) {
                    continue;
                }
                if arn_spans
                    .iter()
                    .any(|s| s.start <= m.start() && m.start() < s.end)
                {
                    continue;
                }
                let at = base + m.start();
                let setting = if let Some((_, var)) = env_defaults
                    .iter()
                    .find(|(r, _)| r.start <= at && at < r.end)
                {
                    format!("default of {var}")
                } else if let Some(key) = &lit.key {
                    format!("{key}=")
                } else if content.trim() != m.as_str() {
                    "in text".to_string()
                } else {
                    self.setting_before(lit.full.start)
                        .unwrap_or_else(|| "literal".to_string())
                };
                found.push((
                    at,
                    m.as_str().to_string(),
                    UseKind::RegionLiteral {
                        region: m.as_str().to_string(),
                        setting,
                    },
                ));
            }
        }
        for (at, text, kind) in found {
            self.push(at, &text, kind);
        }
    }

    /// Java/Kotlin `Region.AP_NORTHEAST_1`.
    fn java_region_constants(&mut self) {
        if self.lang != Lang::Java {
            return;
        }
        let mut found = Vec::new();
        for caps in patterns().java_region_const.captures_iter(&self.lexed.code) {
            let whole = caps.get(0).expect("match");
            if self.lexed.in_string(whole.start()) {
                continue;
            }
            let region = caps[1].to_ascii_lowercase().replace('_', "-");
            if !bedrock::is_region(&region) {
                continue;
            }
            let setting = self
                .setting_before(whole.start())
                .unwrap_or_else(|| "literal".to_string());
            found.push((
                whole.start(),
                whole.as_str().to_string(),
                UseKind::RegionLiteral { region, setting },
            ));
        }
        for (at, text, kind) in found {
            self.push(at, &text, kind);
        }
    }

    /// Client constructors; returns whether an Anthropic client was seen.
    fn clients(&mut self) -> bool {
        let p = patterns();
        let code = &self.lexed.code;
        let mut found: Vec<(usize, usize, Sdk)> = Vec::new();
        let add = |re: &Regex, sdk: Sdk, found: &mut Vec<(usize, usize, Sdk)>| {
            for m in re.find_iter(code) {
                if !self.lexed.in_string(m.start()) {
                    found.push((m.start(), m.end(), sdk));
                }
            }
        };
        match self.lang {
            Lang::Python => {
                add(&p.boto3, Sdk::Boto3, &mut found);
                add(&p.anthropic, Sdk::AnthropicBedrockPython, &mut found);
                add(&p.langchain, Sdk::Langchain, &mut found);
            }
            Lang::Js => {
                add(&p.js_v3, Sdk::AwsSdkJsV3, &mut found);
                add(&p.anthropic, Sdk::AnthropicBedrockJs, &mut found);
                add(&p.langchain, Sdk::Langchain, &mut found);
            }
            Lang::Go => add(&p.go_v2, Sdk::AwsSdkGoV2, &mut found),
            Lang::Java => {
                add(&p.java_v2, Sdk::AwsSdkJavaV2, &mut found);
                add(&p.kotlin, Sdk::AwsSdkKotlin, &mut found);
            }
            Lang::Rust => {
                if code.contains("aws_sdk_bedrockruntime") {
                    add(&p.rust_client, Sdk::AwsSdkRust, &mut found);
                    if found.is_empty() {
                        if let Some(at) = code.find("aws_sdk_bedrockruntime") {
                            found.push((at, at + "aws_sdk_bedrockruntime".len(), Sdk::AwsSdkRust));
                        }
                    }
                }
            }
            Lang::Env | Lang::Config | Lang::Json | Lang::Notebook => {}
        }
        let anthropic = found
            .iter()
            .any(|f| matches!(f.2, Sdk::AnthropicBedrockPython | Sdk::AnthropicBedrockJs));
        for (start, end, sdk) in found {
            // boto3: the receiver (`boto3`, `session`, `boto3.Session()`) starts the text.
            let start = if sdk == Sdk::Boto3 {
                let b = code.as_bytes();
                let mut s = start;
                while s > 0 && (is_ident_byte(b[s - 1]) || matches!(b[s - 1], b'.' | b'(' | b')')) {
                    s -= 1;
                }
                while s < start && matches!(b[s], b'(' | b')' | b'.') {
                    s += 1;
                }
                s
            } else {
                start
            };
            let region_argument = self.region_argument(sdk, end);
            let text = code[start..end].to_string();
            self.push(
                start,
                &text,
                UseKind::Client {
                    sdk,
                    region_argument,
                },
            );
        }
        anthropic
    }

    /// The region expression passed in the constructor call that ends at `after`.
    fn region_argument(&self, sdk: Sdk, after: usize) -> Option<String> {
        let p = patterns();
        let code = &self.lexed.code;
        match sdk {
            Sdk::Boto3 | Sdk::AnthropicBedrockPython | Sdk::Langchain
                if self.lang == Lang::Python =>
            {
                let args = self.call_arguments(after, b'(', b')')?;
                let caps = p.kwarg_region.captures(&code[args])?;
                Some(caps[1].trim().to_string())
            }
            Sdk::AwsSdkJsV3 | Sdk::AnthropicBedrockJs | Sdk::Langchain => {
                let args = self.call_arguments(after, b'(', b')')?;
                let caps = p.js_region.captures(&code[args])?;
                Some(caps[1].trim().to_string())
            }
            Sdk::AwsSdkJavaV2 => {
                let end = code[after..].find(';').map_or(code.len(), |e| after + e);
                let at = code[after..end].find(".region(")? + after + ".region".len();
                let args = self.call_arguments(at + 1, b'(', b')')?;
                Some(code[args].trim().to_string())
            }
            Sdk::AwsSdkKotlin if code[..after].ends_with('{') => {
                let args = self.call_arguments(after, b'{', b'}')?;
                let caps = p.kotlin_region.captures(&code[args])?;
                Some(caps[1].trim().to_string())
            }
            _ => None,
        }
    }

    /// The text between the bracket just before `after` and its match
    /// (strings skipped), as a range of the code.
    fn call_arguments(&self, after: usize, open: u8, close: u8) -> Option<Range<usize>> {
        let b = self.lexed.code.as_bytes();
        let start = b[..after].iter().rposition(|&c| c == open)?;
        let mut depth = 0usize;
        let mut i = start;
        let limit = (start + 4000).min(b.len());
        while i < limit {
            if self.lexed.in_string(i) {
                i += 1;
                continue;
            }
            if b[i] == open {
                depth += 1;
            } else if b[i] == close {
                depth -= 1;
                if depth == 0 {
                    return Some(start + 1..i);
                }
            }
            i += 1;
        }
        None
    }

    fn apis(&mut self, anthropic: bool) {
        let p = patterns();
        let code = &self.lexed.code;
        let re = match self.lang {
            Lang::Python | Lang::Rust => &p.api_snake,
            Lang::Js => &p.api_js,
            Lang::Go => &p.api_go,
            Lang::Java => &p.api_java,
            Lang::Env | Lang::Config | Lang::Json | Lang::Notebook => return,
        };
        let mut found = Vec::new();
        for caps in re.captures_iter(code) {
            let name = caps.get(1).expect("group");
            if self.lexed.in_string(name.start()) {
                continue;
            }
            if let Some(operation) = Operation::from_name(name.as_str()) {
                found.push((name.start(), name.as_str().to_string(), operation));
            }
        }
        if anthropic && matches!(self.lang, Lang::Python | Lang::Js) {
            for caps in p.api_anthropic.captures_iter(code) {
                let name = caps.get(1).expect("group");
                if self.lexed.in_string(name.start()) {
                    continue;
                }
                let streaming = name.as_str() == "stream"
                    || self
                        .call_arguments(caps.get(0).expect("match").end(), b'(', b')')
                        .is_some_and(|args| {
                            let a = &code[args];
                            a.contains("stream=True") || a.contains("stream: true")
                        });
                let operation = if streaming {
                    Operation::InvokeModelWithResponseStream
                } else {
                    Operation::InvokeModel
                };
                let start = caps.get(0).expect("match").start() + 1;
                found.push((start, code[start..name.end()].to_string(), operation));
            }
        }
        for (at, text, operation) in found {
            self.push(at, &text, UseKind::Api { operation });
        }
    }

    /// String literals given to a print/log call that speak of the Bedrock client.
    fn log_messages(&mut self) {
        let p = patterns();
        let mut found = Vec::new();
        for lit in &self.lexed.literals {
            let content = &self.text[lit.content.clone()];
            let lower = content.to_ascii_lowercase();
            if !lower.contains("bedrock")
                || !["region", "client", "initiali", "model"]
                    .iter()
                    .any(|w| lower.contains(w))
            {
                continue;
            }
            let line_start = self.text[..lit.full.start].rfind('\n').map_or(0, |i| i + 1);
            if !p
                .log_call
                .is_match(&self.lexed.code[line_start..lit.full.start])
            {
                continue;
            }
            found.push((lit.content.start, content.to_string()));
        }
        for (at, message) in found {
            self.push(at, &message.clone(), UseKind::LogMessage { message });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_region_shaped_text_runs_the_region_pattern() {
        assert!(may_name_region("us-east-1"));
        assert!(may_name_region("arn:aws:bedrock:ap-northeast-1:1:x"));
        assert!(may_name_region("us-gov-west-1"));
        assert!(!may_name_region("not-a-secret-42"));
        assert!(!may_name_region("2.3.1"));
        assert!(!may_name_region("east-1"));
    }

    fn scan(name: &str, text: &str) -> Vec<(u32, u32, String, UseKind)> {
        scan_source(Path::new(name), text)
            .into_iter()
            .map(|u| (u.line, u.column, u.text, u.kind))
            .collect()
    }

    fn model(m: &str) -> UseKind {
        UseKind::ModelId {
            model: m.to_string(),
        }
    }

    #[test]
    fn python_lexer_separates_strings_and_comments() {
        let src = "x = 'a#b'  # c 'd'\ny = r\"\\\"\" + f'''t\n'''\n";
        let l = lex(src, Lang::Python);
        let contents: Vec<&str> = l.literals.iter().map(|x| &src[x.content.clone()]).collect();
        assert_eq!(contents, ["a#b", "\\\"", "t\n"]);
        assert!(!l.code.contains("c 'd'"));
        assert!(l.code.contains("'a#b'"));
    }

    #[test]
    fn c_like_lexers_handle_their_literals() {
        let go = "s := `raw \"x\"` // c\nr := 'x'\n";
        let l = lex(go, Lang::Go);
        assert_eq!(&go[l.literals[0].content.clone()], "raw \"x\"");
        let rs = "let a: &'static str = r#\"q\"uote\"#; /* x /* y */ z */ let c = '\\'';";
        let l = lex(rs, Lang::Rust);
        assert_eq!(&rs[l.literals[0].content.clone()], "q\"uote");
        assert!(!l.code.contains('z'));
        let java = "String s = \"\"\"\n  block \"q\"\n  \"\"\"; char c = '\"';";
        let l = lex(java, Lang::Java);
        assert!(java[l.literals[0].content.clone()].contains("block"));
        assert_eq!(l.literals.len(), 2);
    }

    #[test]
    fn model_ids_only_in_strings_and_not_in_urls_or_hosts() {
        let src = "# model = 'anthropic.claude-3-haiku-20240307-v1:0'\n\
                   import anthropic.types\n\
                   a = \"https://docs.anthropic.com/x\"\n\
                   b = \"anthropic.com\"\n\
                   c = \"https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1:0/invoke\"\n\
                   d = \"bedrock/anthropic.claude-3-haiku-20240307-v1:0\"\n\
                   e = f\"{geo}.anthropic.claude-3-haiku-20240307-v1:0\"\n\
                   g = \"Use meta.llama3-8b-instruct-v1:0.\"\n";
        let found = scan("app.py", src);
        let models: Vec<(u32, u32, &str)> = found
            .iter()
            .filter(|f| matches!(f.3, UseKind::ModelId { .. }))
            .map(|f| (f.0, f.1, f.2.as_str()))
            .collect();
        assert_eq!(
            models,
            [
                (6, 14, "anthropic.claude-3-haiku-20240307-v1:0"),
                (7, 13, "anthropic.claude-3-haiku-20240307-v1:0"),
                (8, 10, "meta.llama3-8b-instruct-v1:0"),
            ]
        );
    }

    #[test]
    fn arns_are_one_finding() {
        let src = "const id = 'arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/apac.anthropic.claude-3-sonnet-20240229-v1:0';\n";
        let found = scan("x.ts", src);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].3, model("arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/apac.anthropic.claude-3-sonnet-20240229-v1:0"));
        assert_eq!((found[0].0, found[0].1), (1, 13));
    }

    #[test]
    fn env_files() {
        let src = "# AWS_REGION=us-west-2\nexport AWS_REGION=ap-northeast-1\nBEDROCK_MODEL_ID=\"apac.anthropic.claude-3-sonnet-20240229-v1:0\" # x\n";
        let found = scan(".env", src);
        assert_eq!(
            found,
            [
                (
                    2,
                    19,
                    "ap-northeast-1".to_string(),
                    UseKind::RegionLiteral {
                        region: "ap-northeast-1".into(),
                        setting: "AWS_REGION=".into()
                    }
                ),
                (
                    3,
                    19,
                    "apac.anthropic.claude-3-sonnet-20240229-v1:0".to_string(),
                    model("apac.anthropic.claude-3-sonnet-20240229-v1:0")
                ),
            ]
        );
        assert_eq!(scan("prod.env", "AWS_REGION=eu-west-1\n").len(), 1);
        assert!(scan("notes.txt", "AWS_REGION=eu-west-1\n").is_empty());
    }

    #[test]
    fn region_text_inside_longer_strings_and_invalid_codes() {
        let src =
            "x = 'deploy to us-east-1 now'\ny = 'us-east-9'\nz = 'aus-east-1'\nr = 'eu-west-1'\n";
        // Outside Bedrock code, only regions given to a region setting count.
        let found = scan("a.py", src);
        assert_eq!(found.len(), 0, "{found:?}");
        let found = scan("b.py", &format!("# bedrock\n{src}"));
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[1].3,
            UseKind::RegionLiteral {
                region: "eu-west-1".into(),
                setting: "r=".into()
            }
        );
        assert_eq!(scan("c.py", "REGION = 'eu-west-1'\n").len(), 1);
        assert_eq!(
            found[0].3,
            UseKind::RegionLiteral {
                region: "us-east-1".into(),
                setting: "in text".into()
            }
        );
    }

    #[test]
    fn operations_need_a_bedrock_file() {
        assert!(scan("bot.py", "bot.converse(x)\n").is_empty());
        let found = scan("bot.py", "# bedrock\nclient.converse(modelId=m)\n");
        assert_eq!(
            found[0].3,
            UseKind::Api {
                operation: Operation::Converse
            }
        );
        assert_eq!(
            Operation::ConverseStream.iam_action(),
            "bedrock:InvokeModelWithResponseStream"
        );
        assert_eq!(Operation::Converse.iam_action(), "bedrock:InvokeModel");
    }

    #[test]
    fn go_assignments_and_bare_reads() {
        let found = scan(
            "main.go",
            "package main\n// bedrock\nfunc f() {\n\tregion := os.Getenv(\"AWS_REGION\")\n\tuse(os.Getenv(\"BEDROCK_REGION\"))\n}\n",
        );
        let settings: Vec<(u32, u32, UseKind)> =
            found.into_iter().map(|f| (f.0, f.1, f.3)).collect();
        assert_eq!(
            settings,
            [
                (
                    4,
                    12,
                    UseKind::RegionFromEnv {
                        variable: "AWS_REGION".into(),
                        default: None,
                        setting: "region=".into()
                    }
                ),
                (
                    5,
                    6,
                    UseKind::RegionFromEnv {
                        variable: "BEDROCK_REGION".into(),
                        default: None,
                        setting: "use(".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn sdk_facts() {
        assert_eq!(Sdk::Boto3.region_variables(), ["AWS_DEFAULT_REGION"]);
        assert_eq!(
            Sdk::AnthropicBedrockPython.fallback_region(),
            Some("us-east-1")
        );
        assert_eq!(Sdk::AwsSdkJsV3.name(), "aws-sdk-js-v3");
    }
}
