//! `.env` / `env_file` parsing with compose-go's dotenv rules: `export`
//! prefix, `=` or `:` separators, single quotes literal, double quotes with
//! escapes, ` #` comments on unquoted values, inherited bare keys, and
//! `${…}` interpolation (looking at the given environment first, then at
//! keys already read).

use crate::interpolate;
use crate::{Position, VarSource};
use std::path::PathBuf;
use std::sync::Arc;

/// What the values of one env file may add up to after interpolation: each
/// `${A}${A}` line can double the one before it (16 lines turn 4 KiB into
/// 256 MiB), so past this the file is an error, not an out-of-memory.
pub const VALUES_BUDGET: usize = 16 * 1024 * 1024;

/// One `KEY=value` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    /// Line (1-based) and column (1-based, characters) of the key.
    pub line: u32,
    pub column: u32,
}

/// A parse error, displayed as compose does: `line N: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DotenvError {
    pub line: u32,
    pub message: String,
}

/// Parses an env file. `lookup` is consulted before the file's own earlier
/// keys, both for `${VAR}` in values and for bare inherited keys.
pub fn parse(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Entry>, DotenvError> {
    parse_layered(text, lookup, &|_| None)
}

/// Like [`parse`], with `fallback` consulted after the file's own keys: the
/// keys of env files read before this one.
pub fn parse_layered(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    fallback: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Entry>, DotenvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Cursor {
        chars: text.chars().collect(),
        i: 0,
        line: 1,
        column: 1,
    };
    let mut out: Vec<Entry> = Vec::new();
    let mut produced = 0usize;
    loop {
        p.skip_while(char::is_whitespace);
        let Some(c) = p.peek() else { break };
        if c == '#' {
            p.skip_while(|c| c != '\n');
            continue;
        }
        let (line, column) = (p.line, p.column);
        let err = |message: String| DotenvError { line, message };
        if p.starts_with("export") && matches!(p.at(6), Some(' ' | '\t')) {
            for _ in 0..6 {
                p.bump();
            }
            p.skip_while(is_inline_space);
        }
        let key_start = p.i;
        let inherited = loop {
            match p.peek() {
                None | Some('\n') => break true,
                Some('=' | ':') => break false,
                Some(c) if is_inline_space(c) || is_key_char(c) => {
                    p.bump();
                }
                Some(c) => {
                    let rest: String = p.chars[key_start..]
                        .iter()
                        .take_while(|&&c| c != '\n')
                        .collect();
                    return Err(err(format!(
                        "unexpected character \"{c}\" in variable name \"{}\"",
                        rest.trim_end()
                    )));
                }
            }
        };
        let key: String = p.chars[key_start..p.i].iter().collect();
        let key = key.trim_end().to_string();
        if key.contains(|c: char| c.is_whitespace()) {
            return Err(err("key cannot contain a space".into()));
        }
        let keep = !key.starts_with(|c: char| c.is_ascii_digit());
        if inherited {
            if let Some(value) = lookup(&key).filter(|_| keep) {
                out.push(Entry {
                    key,
                    value,
                    line,
                    column,
                });
            }
            continue;
        }
        p.bump(); // the separator
        p.skip_while(is_inline_space);
        let value = match p.peek() {
            Some(q @ ('"' | '\'')) => {
                p.bump();
                let quote_start = p.i;
                let raw = p.quoted(q).ok_or_else(|| {
                    let rest: String = p.chars[quote_start..]
                        .iter()
                        .take_while(|&&c| c != '\n')
                        .collect();
                    err(format!("unterminated quoted value {q}{rest}"))
                })?;
                // Whatever follows the closing quote on its line is a comment.
                p.skip_while(|c| c != '\n');
                if q == '"' {
                    expand(&unescape(&raw), lookup, &out, fallback)
                } else {
                    raw.replace("\\'", "'")
                }
            }
            _ => {
                let start = p.i;
                p.skip_while(|c| c != '\n');
                let raw = &p.chars[start..p.i];
                // ` #` starts a comment; `a#b` does not.
                let end = (0..raw.len())
                    .find(|&j| raw[j] == '#' && j > 0 && raw[j - 1].is_whitespace())
                    .unwrap_or(raw.len());
                let value: String = raw[..end].iter().collect();
                expand(value.trim_end(), lookup, &out, fallback)
            }
        };
        produced = produced.saturating_add(value.len());
        if produced > VALUES_BUDGET {
            return Err(err(format!(
                "the values go past {} MiB once interpolated (stackdoctor's budget): a variable that repeats another, line after line?",
                VALUES_BUDGET >> 20
            )));
        }
        if keep {
            out.push(Entry {
                key,
                value,
                line,
                column,
            });
        }
    }
    Ok(out)
}

/// The entries as an environment: later keys win.
pub fn to_map(entries: &[Entry]) -> std::collections::BTreeMap<String, String> {
    entries
        .iter()
        .map(|e| (e.key.clone(), e.value.clone()))
        .collect()
}

/// Interpolates a value; on error compose keeps the text unchanged.
fn expand(
    value: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    read: &[Entry],
    fallback: &dyn Fn(&str) -> Option<String>,
) -> String {
    if !value.contains('$') {
        return value.to_string();
    }
    let find = |name: &str| {
        lookup(name)
            .or_else(|| {
                read.iter()
                    .rev()
                    .find(|e| e.key == name)
                    .map(|e| e.value.clone())
            })
            .or_else(|| fallback(name))
            .map(|v| (v, VarSource::Unset))
    };
    let here = Position {
        file: Arc::new(PathBuf::new()),
        line: 0,
        column: 0,
    };
    match interpolate::substitute(value, &find, &here) {
        Ok((v, _)) => v,
        Err(_) => value.to_string(),
    }
}

/// Double-quote escapes; `\$` becomes `$$` so that interpolation keeps a literal `$`.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('v') => out.push('\u{b}'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('$') => out.push_str("$$"),
            Some('0') => {
                let mut code = 0u32;
                let mut digits = 0;
                while digits < 3 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            code = code * 8 + d;
                            digits += 1;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn is_inline_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{b}' | '\u{c}' | '\r' | '\u{85}' | '\u{a0}'
    )
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '[' | ']')
}

struct Cursor {
    chars: Vec<char>,
    i: usize,
    line: u32,
    column: u32,
}

impl Cursor {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.i + offset).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars().enumerate().all(|(j, c)| self.at(j) == Some(c))
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_while(&mut self, f: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&f) {
            self.bump();
        }
    }

    /// Reads up to the closing `quote` (a backslash escapes the next
    /// character); `None` when the quote is never closed.
    fn quoted(&mut self, quote: char) -> Option<String> {
        let mut raw = String::new();
        loop {
            let c = self.bump()?;
            if c == quote {
                return Some(raw);
            }
            raw.push(c);
            if c == '\\' {
                if let Some(next) = self.peek() {
                    if quote == '"' || next == '\'' {
                        raw.push(next);
                        self.bump();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn positions_and_comments() {
        let e = parse("# c\n\n  A=1 # x\nexport B='2'\n", &none).unwrap();
        assert_eq!(
            (e[0].key.as_str(), e[0].value.as_str(), e[0].line),
            ("A", "1", 3)
        );
        assert_eq!(e[0].column, 3);
        assert_eq!((e[1].key.as_str(), e[1].line), ("B", 4));
    }

    #[test]
    fn digit_keys_are_dropped() {
        let e = parse("1A=x\nB=y\n", &none).unwrap();
        assert_eq!(e.len(), 1);
    }
}
