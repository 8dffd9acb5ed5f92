//! `{$VAR}` and `{$VAR:default}` substitution on the raw text, as Caddy does
//! before lexing; a map keeps output offsets pointing at the original text.

use crate::Position;
use std::collections::HashMap;

/// The environment the Caddy process sees (for a container: its compose
/// `environment` and `env_file` after interpolation).
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    /// An environment where no variable is set.
    pub fn empty() -> Self {
        Self::default()
    }

    /// An environment holding exactly the given variables.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The variable's value, `None` when unset (set-but-empty is `Some("")`).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }
}

/// One `{$NAME}` or `{$NAME:default}` found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvUse {
    pub name: String,
    pub default: Option<String>,
    /// The variable's value when set, else `None` (then the default, or empty, was used).
    pub value: Option<String>,
    pub position: Position,
}

/// `text` with every `{$VAR}` replaced (see [`crate::parse_str`] for positions).
pub fn replace(text: &str, env: &Env) -> String {
    substitute(text, env).text
}

/// A placeholder found by [`substitute`], located by its byte offset in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawEnvUse {
    pub name: String,
    pub default: Option<String>,
    pub value: Option<String>,
    pub offset: usize,
}

/// One run of the substituted text: either copied from the original, or the
/// value of a placeholder (all of whose bytes map to the placeholder's `{`).
#[derive(Debug, Clone, Copy)]
struct Span {
    out_start: usize,
    orig_start: usize,
    copied: bool,
}

/// Maps byte offsets of the substituted text back to the original text.
#[derive(Debug, Clone)]
pub(crate) struct OffsetMap {
    spans: Vec<Span>,
}

impl OffsetMap {
    /// The byte offset in the original text that produced `out` in the substituted text.
    pub fn original(&self, out: usize) -> usize {
        let index = self.spans.partition_point(|s| s.out_start <= out);
        match index.checked_sub(1).and_then(|i| self.spans.get(i)) {
            Some(span) if span.copied => span.orig_start + (out - span.out_start),
            Some(span) => span.orig_start,
            None => out,
        }
    }
}

/// The result of [`substitute`].
#[derive(Debug, Clone)]
pub(crate) struct Substituted {
    pub text: String,
    pub map: OffsetMap,
    pub uses: Vec<RawEnvUse>,
}

/// Replaces `{$NAME}` / `{$NAME:default}` like Caddy's `replaceEnvVars`: the
/// default applies only when the variable is unset, the first `:` splits name
/// and default, replaced text is not scanned again, `{$}` and an unterminated
/// `{$X` are left alone.
pub(crate) fn substitute(input: &str, env: &Env) -> Substituted {
    let mut text = String::with_capacity(input.len());
    let mut spans = Vec::new();
    let mut uses = Vec::new();
    let mut copy_from = 0;
    let mut search_from = 0;
    while let Some(found) = input.get(search_from..).and_then(|rest| rest.find("{$")) {
        let begin = search_from + found;
        let name_start = begin + 2;
        let Some(close) = input.get(name_start..).and_then(|rest| rest.find('}')) else {
            break;
        };
        let end = name_start + close;
        let inner = &input[name_start..end];
        if inner.is_empty() {
            search_from = end + 1;
            continue;
        }
        let (name, default) = match inner.split_once(':') {
            Some((name, default)) => (name, Some(default)),
            None => (inner, None),
        };
        let value = env.get(name);
        let replacement = value.or(default).unwrap_or("");
        spans.push(Span {
            out_start: text.len(),
            orig_start: copy_from,
            copied: true,
        });
        text.push_str(&input[copy_from..begin]);
        spans.push(Span {
            out_start: text.len(),
            orig_start: begin,
            copied: false,
        });
        text.push_str(replacement);
        uses.push(RawEnvUse {
            name: name.to_string(),
            default: default.map(str::to_string),
            value: value.map(str::to_string),
            offset: begin,
        });
        copy_from = end + 1;
        search_from = copy_from;
    }
    spans.push(Span {
        out_start: text.len(),
        orig_start: copy_from,
        copied: true,
    });
    text.push_str(&input[copy_from..]);
    Substituted {
        text,
        map: OffsetMap { spans },
        uses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_into_the_original() {
        let env = Env::from_pairs([("HOST", "example.com")]);
        let out = substitute("a {$HOST} b {$NOPE:x}c", &env);
        assert_eq!(out.text, "a example.com b xc");
        // "example.com" maps to the `{` of `{$HOST}`, the text after it back to itself.
        assert_eq!(out.map.original(2), 2);
        assert_eq!(out.map.original(10), 2);
        assert_eq!(out.map.original(14), 10);
        assert_eq!(out.map.original(16), 12);
        assert_eq!(out.map.original(17), 21);
        assert_eq!(out.uses.len(), 2);
        assert_eq!(out.uses[1].default.as_deref(), Some("x"));
        assert_eq!(out.uses[1].value, None);
    }

    #[test]
    fn set_but_empty_does_not_use_the_default() {
        let env = Env::from_pairs([("EMPTY", "")]);
        assert_eq!(substitute("[{$EMPTY:d}]", &env).text, "[]");
    }
}
