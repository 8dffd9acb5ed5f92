//! Caddyfile tokens: quoting, backticks, heredocs, comments, escapes, line
//! continuations, with the same rules (and error wordings) as Caddy's lexer.

use crate::source::SourceMap;
use crate::{Error, Position, Token};
use std::path::PathBuf;
use std::str::CharIndices;
use std::sync::Arc;

/// How a token was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    /// A bare word.
    None,
    /// `"…"`.
    Double,
    /// `` `…` ``.
    Backtick,
    /// `<<MARKER … MARKER`.
    Heredoc,
}

/// A token with what the parser needs beyond [`Token`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lexeme {
    pub token: Token,
    /// Caddy's line number: the line the token starts on in the lexed text,
    /// where a line continued with `\` counts as the line it continues (so
    /// its tokens stay arguments of the same directive).
    pub line: u32,
    pub quote: Quote,
}

impl Lexeme {
    /// Line breaks inside the token, as Caddy counts them to tell whether the
    /// next token is on a new line (a heredoc adds its two marker lines).
    pub fn line_breaks(&self) -> u32 {
        let inner = self.token.text.matches('\n').count();
        let extra = if self.quote == Quote::Heredoc { 2 } else { 0 };
        u32::try_from(inner + extra).unwrap_or(u32::MAX)
    }
}

/// Splits `text` (already free of `{$VAR}`) into tokens; positions are in `text`.
pub fn tokenize(file: &str, text: &str) -> Result<Vec<Token>, Error> {
    Ok(lex_str(file, text)?.into_iter().map(|l| l.token).collect())
}

/// Splits `text` (already free of `{$VAR}`) into lexemes with Caddy's line numbers.
pub fn lex_str(file: &str, text: &str) -> Result<Vec<Lexeme>, Error> {
    let map = SourceMap::new(Arc::new(PathBuf::from(file)), text, None);
    lex(text, &map)
}

/// Splits `text` into lexemes; `map` turns offsets into original positions.
pub(crate) fn lex(text: &str, map: &SourceMap<'_>) -> Result<Vec<Lexeme>, Error> {
    let mut lexer = Lexer {
        chars: text.char_indices(),
        map,
        line: 1,
        skipped: 0,
    };
    if text.starts_with('\u{feff}') {
        lexer.chars.next();
    }
    let mut out = Vec::new();
    while let Some(lexeme) = lexer.next()? {
        out.push(lexeme);
    }
    Ok(out)
}

struct Lexer<'t, 'm> {
    chars: CharIndices<'t>,
    map: &'m SourceMap<'m>,
    /// Current line as Caddy counts it.
    line: u32,
    /// Lines consumed by continuations or heredocs, added at the next plain newline.
    skipped: u32,
}

/// The token being read.
struct Pending {
    text: String,
    /// Characters in `text` (heredoc detection looks at the first few).
    len: usize,
    start: Option<(usize, u32)>,
}

impl Pending {
    fn push(&mut self, ch: char) {
        self.text.push(ch);
        self.len += 1;
    }
}

impl Lexer<'_, '_> {
    fn error(&self, offset: usize, message: String) -> Error {
        Error::Syntax {
            position: self.map.position(offset),
            message,
        }
    }

    fn make(&self, pending: Pending, quote: Quote, fallback: usize) -> Lexeme {
        let (offset, line) = pending.start.unwrap_or((fallback, self.line));
        let position: Position = self.map.position(offset);
        Lexeme {
            token: Token {
                text: pending.text,
                position,
                quoted: quote != Quote::None,
                import_chain: Vec::new(),
            },
            line,
            quote,
        }
    }

    fn next(&mut self) -> Result<Option<Lexeme>, Error> {
        let mut val = Pending {
            text: String::new(),
            len: 0,
            start: None,
        };
        let (mut comment, mut quoted, mut backtick) = (false, false, false);
        let (mut in_heredoc, mut heredoc_escaped, mut escaped) = (false, false, false);
        let mut escape_offset = 0;
        let mut marker = String::new();
        let mut last_offset = 0;

        loop {
            let Some((offset, ch)) = self.chars.next() else {
                if val.len > 0 {
                    if in_heredoc {
                        let line = self.line + self.skipped;
                        let message = format!(
                            "incomplete heredoc <<{marker} on line #{line}, expected ending marker {marker}"
                        );
                        return Err(self.error(start_offset(&val, last_offset), message));
                    }
                    return Ok(Some(self.make(val, Quote::None, last_offset)));
                }
                return Ok(None);
            };
            last_offset = offset;

            // `<<` at the start of a bare token may open a heredoc
            if !(quoted || backtick || in_heredoc || heredoc_escaped)
                && val.len > 1
                && val.text.starts_with("<<")
            {
                match ch {
                    ' ' => return Ok(Some(self.make(val, Quote::None, offset))),
                    '\r' => continue,
                    '\n' => {
                        let at = start_offset(&val, offset);
                        if val.len == 2 {
                            return Err(self.error(at, format!("missing opening heredoc marker on line #{}; must contain only alphanumeric characters, dashes and underscores; got empty string", self.line)));
                        }
                        if val.text.starts_with("<<<") {
                            return Err(self.error(at, format!("too many '<' for heredoc on line #{}; only use two, for example <<END", self.line)));
                        }
                        marker = val.text[2..].to_string();
                        if !marker
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                        {
                            return Err(self.error(at, format!("heredoc marker on line #{} must contain only alphanumeric characters, dashes and underscores; got '{marker}'", self.line)));
                        }
                        in_heredoc = true;
                        self.skipped += 1;
                        val.text.clear();
                        val.len = 0;
                        continue;
                    }
                    _ => {
                        val.push(ch);
                        continue;
                    }
                }
            }

            if in_heredoc {
                val.push(ch);
                if ch == '\n' {
                    self.skipped += 1;
                }
                if val.text.ends_with(marker.as_str()) {
                    let at = start_offset(&val, offset);
                    val.text = self
                        .finalize_heredoc(&val.text, &marker)
                        .map_err(|message| self.error(at, message))?;
                    self.line += self.skipped;
                    self.skipped = 0;
                    return Ok(Some(self.make(val, Quote::Heredoc, offset)));
                }
                continue;
            }

            if !escaped && !backtick && ch == '\\' {
                escaped = true;
                escape_offset = offset;
                continue;
            }

            if quoted || backtick {
                if quoted && escaped {
                    // inside quotes only `\"` is an escape
                    if ch != '"' {
                        val.push('\\');
                    }
                    escaped = false;
                } else if (quoted && ch == '"') || (backtick && ch == '`') {
                    let quote = if quoted {
                        Quote::Double
                    } else {
                        Quote::Backtick
                    };
                    return Ok(Some(self.make(val, quote, offset)));
                }
                if ch == '\n' {
                    self.line += 1 + self.skipped;
                    self.skipped = 0;
                }
                val.push(ch);
                continue;
            }

            if ch.is_whitespace() {
                if ch == '\r' {
                    continue;
                }
                if ch == '\n' {
                    if escaped {
                        // a line continuation: the next line counts as this one
                        self.skipped += 1;
                        escaped = false;
                    } else {
                        self.line += 1 + self.skipped;
                        self.skipped = 0;
                    }
                    comment = false;
                }
                if val.len > 0 {
                    return Ok(Some(self.make(val, Quote::None, offset)));
                }
                continue;
            }

            if ch == '#' && val.len == 0 {
                comment = true;
            }
            if comment {
                continue;
            }

            if val.len == 0 && val.start.is_none() {
                let at = if escaped { escape_offset } else { offset };
                val.start = Some((at, self.line));
                if ch == '"' {
                    quoted = true;
                    continue;
                }
                if ch == '`' {
                    backtick = true;
                    continue;
                }
            }

            if escaped {
                // `\<<` is a literal `<<`, not a heredoc
                if ch == '<' {
                    heredoc_escaped = true;
                } else {
                    val.push('\\');
                }
                escaped = false;
            }
            val.push(ch);
        }
    }

    /// Strips the closing marker's indentation from every line of a heredoc.
    fn finalize_heredoc(&self, val: &str, marker: &str) -> Result<String, String> {
        let body_end = val.rfind('\n').map_or(0, |i| i + 1);
        let padding = val.get(body_end..val.len() - marker.len()).unwrap_or("");
        let body = &val[..body_end];
        let mut out = String::with_capacity(body.len());
        let lines: Vec<&str> = body.split('\n').collect();
        for (index, line) in lines.iter().take(lines.len().saturating_sub(1)).enumerate() {
            if line.is_empty() || *line == "\r" {
                out.push('\n');
                continue;
            }
            let Some(rest) = line.strip_prefix(padding) else {
                let number = self.line as usize + index + 1;
                return Err(format!(
                    "mismatched leading whitespace in heredoc <<{marker} on line #{number} [{line}], expected whitespace [{padding}] to match the closing marker"
                ));
            };
            out.extend(rest.chars().filter(|&c| c != '\r'));
            out.push('\n');
        }
        if out.ends_with('\n') {
            out.pop();
        }
        Ok(out)
    }
}

fn start_offset(val: &Pending, fallback: usize) -> usize {
    val.start.map_or(fallback, |(offset, _)| offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_and_texts(input: &str) -> Vec<(u32, String)> {
        let map = SourceMap::new(Arc::new(PathBuf::from("t")), input, None);
        lex(input, &map)
            .unwrap()
            .into_iter()
            .map(|l| (l.line, l.token.text))
            .collect()
    }

    #[test]
    fn heredoc_with_arguments_after_the_marker() {
        let tokens = lines_and_texts("respond <<HTML\n\t<b>hi</b>\n\tHTML 200\nnext");
        assert_eq!(
            tokens,
            vec![
                (1, "respond".to_string()),
                (1, "<b>hi</b>".to_string()),
                (3, "200".to_string()),
                (4, "next".to_string())
            ]
        );
    }

    #[test]
    fn physical_position_after_a_line_continuation() {
        let map = SourceMap::new(Arc::new(PathBuf::from("t")), "a \\\n  b", None);
        let lexemes = lex("a \\\n  b", &map).unwrap();
        assert_eq!(lexemes[1].line, 1);
        assert_eq!(lexemes[1].token.position.line, 2);
        assert_eq!(lexemes[1].token.position.column, 3);
    }

    #[test]
    fn quoted_flag_and_line_breaks() {
        let map = SourceMap::new(Arc::new(PathBuf::from("t")), "x <<E\na\nb\nE", None);
        let lexemes = lex("x <<E\na\nb\nE", &map).unwrap();
        assert!(lexemes[1].token.quoted);
        assert_eq!(lexemes[1].line_breaks(), 3);
    }
}
