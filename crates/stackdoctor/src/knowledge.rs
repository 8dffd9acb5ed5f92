//! Knowledge that is data, embedded in the binary: the cause catalogue
//! (titles, summaries and fix texts in English and Japanese), the log
//! signatures, and what known images and servers listen on.

use crate::finding::{Message, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The cause catalogue, one file per family; later files may add causes and `common` texts.
const CAUSES: &[(&str, &str)] = &[("proxy", include_str!("../data/causes/proxy.toml"))];
const SIGNATURES: &[(&str, &str)] = &[
    ("caddy", include_str!("../data/signatures/caddy.toml")),
    ("apps", include_str!("../data/signatures/apps.toml")),
];
const SERVERS: &str = include_str!("../data/servers.toml");

/// The language of texts for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    /// `--lang` if given, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`).
    pub fn detect(flag: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> Lang {
        let from = |value: &str| {
            if value.to_ascii_lowercase().starts_with("ja") {
                Lang::Ja
            } else {
                Lang::En
            }
        };
        if let Some(flag) = flag {
            return from(flag);
        }
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|name| env(name).filter(|v| !v.is_empty()))
            .map(|v| from(&v))
            .unwrap_or(Lang::En)
    }
}

/// A text in both languages.
#[derive(Debug, Clone, Deserialize)]
pub struct Text {
    pub en: String,
    pub ja: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}

/// One cause of the catalogue.
#[derive(Debug, Clone, Deserialize)]
pub struct Cause {
    pub severity: Severity,
    /// Lower is more fundamental: ranks root causes before what follows from them.
    pub priority: u32,
    /// Causes that are symptoms of this one when they concern the same subject.
    #[serde(default)]
    pub explains: Vec<String>,
    pub title: Text,
    pub summary: Text,
    /// The documentation of a cause that no check file documents (causes
    /// raised from logs only): what it means, why it breaks, the fix.
    #[serde(default)]
    pub details: Option<Text>,
    #[serde(default)]
    pub messages: BTreeMap<String, Text>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Catalogue {
    #[serde(default)]
    pub causes: BTreeMap<String, Cause>,
    /// Texts shared by several causes (`common.<name>`).
    #[serde(default)]
    pub common: BTreeMap<String, Text>,
}

impl Catalogue {
    pub fn cause(&self, id: &str) -> Option<&Cause> {
        self.causes.get(id)
    }

    /// The template a message key names, if it exists.
    pub fn template(&self, key: &str) -> Option<&Text> {
        let (scope, name) = key.split_once('.')?;
        if scope == "common" {
            return self.common.get(name);
        }
        self.causes.get(scope)?.messages.get(name)
    }

    /// The message in `lang` with its parameters filled in. A missing key
    /// renders as the key itself (tests assert none is missing).
    pub fn render(&self, message: &Message, lang: Lang) -> String {
        match self.template(&message.key) {
            Some(text) => fill(text.get(lang), &message.params),
            None => format!("[{}]", message.key),
        }
    }

    /// The title of a cause with the finding's parameters.
    pub fn title(&self, cause: &str, params: &BTreeMap<String, String>, lang: Lang) -> String {
        match self.causes.get(cause) {
            Some(c) => fill(c.title.get(lang), params),
            None => cause.to_string(),
        }
    }
}

/// Replaces `{name}` with the parameter's value; unknown names stay as written.
pub fn fill(template: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if params.contains_key(&after[..end]) => {
                out.push_str(&params[&after[..end]]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The cause catalogue, parsed once from every embedded file.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut all = Catalogue::default();
        for (family, text) in CAUSES {
            let part: Catalogue = toml::from_str(text)
                .unwrap_or_else(|e| panic!("embedded data/causes/{family}.toml: {e}"));
            for (id, cause) in part.causes {
                assert!(
                    all.causes.insert(id.clone(), cause).is_none(),
                    "cause {id} defined twice"
                );
            }
            all.common.extend(part.common);
        }
        all
    })
}

/// A log signature: a pattern and the causes a matching line supports.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureSpec {
    pub id: String,
    /// A literal every matching line contains (case-sensitive). Alone it is
    /// the whole pattern; with `pattern` it is the prefilter.
    pub literal: String,
    /// A regular expression, where a literal is not enough; named groups
    /// `host`, `port` and `service` capture what the line names.
    #[serde(default)]
    pub pattern: Option<String>,
    /// The programs that print it (`caddy`, `botocore`, `ecs-agent`, …).
    pub components: Vec<String>,
    /// The log shapes it appears in (`caddy-json`, `plain`, `python-traceback`, …).
    #[serde(default)]
    pub formats: Vec<String>,
    /// Where the example lines come from (a document, an issue thread, a seed guide).
    pub source: String,
    /// `(cause ID, weight 1–100)`.
    pub causes: Vec<(String, u8)>,
    pub meaning: Text,
    /// Lines that must match (tests run them).
    pub examples: Vec<String>,
    /// Lines that must not match.
    #[serde(default)]
    pub near_misses: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct SignatureFile {
    signatures: Vec<SignatureSpec>,
}

/// All embedded signatures, with the family (file) each came from.
pub fn signature_specs() -> Vec<(&'static str, SignatureSpec)> {
    SIGNATURES
        .iter()
        .flat_map(|(family, text)| {
            let file: SignatureFile = toml::from_str(text)
                .unwrap_or_else(|e| panic!("embedded data/signatures/{family}.toml: {e}"));
            file.signatures.into_iter().map(move |s| (*family, s))
        })
        .collect()
}

/// How a known server program binds, from its command line.
#[derive(Debug, Clone, Deserialize)]
pub struct ServerSpec {
    /// A word of the command that identifies the server (`gunicorn`, `runserver`).
    pub program: String,
    /// Where it listens when no option says otherwise.
    pub default_host: String,
    pub default_port: u16,
    /// Options that take `HOST:PORT` (`--bind`, `-b`).
    #[serde(default)]
    pub bind_options: Vec<String>,
    #[serde(default)]
    pub host_options: Vec<String>,
    #[serde(default)]
    pub port_options: Vec<String>,
    /// Whether the first plain argument after the program is `[HOST:]PORT` (`runserver 0.0.0.0:8000`).
    #[serde(default)]
    pub positional_address: bool,
    /// Environment variables that set host or port.
    #[serde(default)]
    pub host_env: Vec<String>,
    #[serde(default)]
    pub port_env: Vec<String>,
}

/// What an image listens on when nothing else is said.
#[derive(Debug, Clone, Deserialize)]
pub struct ImageSpec {
    /// Repository name without registry and tag (`nginx`, `caddy`, `postgres`).
    pub image: String,
    pub ports: Vec<u16>,
    #[serde(default)]
    pub tls_ports: Vec<u16>,
}

#[derive(Debug, Deserialize)]
pub struct ServerKnowledge {
    pub servers: Vec<ServerSpec>,
    pub images: Vec<ImageSpec>,
    /// Environment variables that set the port for many servers (`PORT`).
    pub port_env: Vec<String>,
}

pub fn servers() -> &'static ServerKnowledge {
    static SERVERS_DATA: OnceLock<ServerKnowledge> = OnceLock::new();
    SERVERS_DATA.get_or_init(|| {
        toml::from_str(SERVERS).unwrap_or_else(|e| panic!("embedded data/servers.toml: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_comes_from_the_flag_then_the_locale() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Lang::detect(Some("ja"), &env(&[])), Lang::Ja);
        assert_eq!(
            Lang::detect(Some("en"), &env(&[("LANG", "ja_JP.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::detect(None, &env(&[("LANG", "ja_JP.UTF-8")])),
            Lang::Ja
        );
        assert_eq!(
            Lang::detect(None, &env(&[("LC_ALL", "C"), ("LANG", "ja_JP.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::detect(None, &env(&[("LC_ALL", ""), ("LANG", "ja_JP.UTF-8")])),
            Lang::Ja
        );
        assert_eq!(Lang::detect(None, &env(&[])), Lang::En);
    }

    #[test]
    fn templates_fill_known_parameters_only() {
        let params = BTreeMap::from([("upstream".to_string(), "web:8000".to_string())]);
        assert_eq!(
            fill("dial `{upstream}` {other} {", &params),
            "dial `web:8000` {other} {"
        );
    }
}
