//! Tokens of nginx's configuration language, as `ngx_conf_read_token` reads
//! them: words separated by blanks, `;` `{` `}` as their own tokens, `#`
//! comments at the start of a word, `"…"`/`'…'` quoting (`\"` keeps the
//! quote), `\x` escapes kept as written, and `${var}` inside a word.

use crate::Position;
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    /// A `"…"` or `'…'` word; the text is without the quotes.
    Quoted,
    Semicolon,
    Open,
    Close,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub kind: TokenKind,
    pub text: String,
    pub position: Position,
}

/// Splits `text` into tokens. An unterminated quote is reported where it starts.
pub fn tokenize(file: &Arc<Path>, text: &str) -> Result<Vec<Token>, crate::Error> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let (mut line, mut column) = (1u32, 1u32);
    let mut i = 0;
    // The first word of the current directive, for `*_by_lua_block` bodies.
    let mut directive: Option<String> = None;
    let at = |line, column| Position {
        file: file.clone(),
        line,
        column,
    };
    // Advances over chars[i], keeping line and column.
    macro_rules! bump {
        () => {{
            if chars[i] == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
            i += 1;
        }};
    }
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            bump!();
            continue;
        }
        let start = at(line, column);
        match c {
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    bump!();
                }
            }
            '{' if directive
                .as_deref()
                .is_some_and(|d| d.ends_with("_by_lua_block")) =>
            {
                // A Lua body is one raw argument (as OpenResty's lexer reads it).
                bump!();
                let mut body = String::new();
                let mut depth = 1;
                let mut quote: Option<char> = None;
                loop {
                    if i >= chars.len() {
                        return Err(crate::Error::Syntax {
                            position: start,
                            message: "unexpected end of file, expecting \"}\"".into(),
                        });
                    }
                    let ch = chars[i];
                    match (quote, ch) {
                        (Some(_), '\\') if i + 1 < chars.len() => {
                            body.push(ch);
                            bump!();
                        }
                        (Some(q), c) if c == q => quote = None,
                        (None, '"' | '\'') => quote = Some(ch),
                        // A Lua comment runs to the end of the line.
                        (None, '-') if chars.get(i + 1) == Some(&'-') => {
                            while i < chars.len() && chars[i] != '\n' {
                                body.push(chars[i]);
                                bump!();
                            }
                            continue;
                        }
                        (None, '{') => depth += 1,
                        (None, '}') => {
                            depth -= 1;
                            if depth == 0 {
                                bump!();
                                break;
                            }
                        }
                        _ => {}
                    }
                    body.push(chars[i]);
                    bump!();
                }
                tokens.push(Token {
                    kind: TokenKind::Quoted,
                    text: body,
                    position: start.clone(),
                });
                tokens.push(Token {
                    kind: TokenKind::Semicolon,
                    text: ";".into(),
                    position: start,
                });
                directive = None;
            }
            ';' | '{' | '}' => {
                directive = None;
                let kind = match c {
                    ';' => TokenKind::Semicolon,
                    '{' => TokenKind::Open,
                    _ => TokenKind::Close,
                };
                tokens.push(Token {
                    kind,
                    text: c.to_string(),
                    position: start,
                });
                bump!();
            }
            '"' | '\'' => {
                let quote = c;
                bump!();
                let mut word = String::new();
                loop {
                    if i >= chars.len() {
                        return Err(crate::Error::Syntax {
                            position: start,
                            message: "unexpected end of file, expecting closing quote".into(),
                        });
                    }
                    let ch = chars[i];
                    if ch == quote {
                        bump!();
                        break;
                    }
                    if ch == '\\' && i + 1 < chars.len() {
                        let next = chars[i + 1];
                        bump!();
                        if next == quote {
                            word.push(quote);
                        } else {
                            word.push('\\');
                            word.push(next);
                        }
                        bump!();
                        continue;
                    }
                    word.push(ch);
                    bump!();
                }
                directive.get_or_insert_with(|| word.clone());
                tokens.push(Token {
                    kind: TokenKind::Quoted,
                    text: word,
                    position: start,
                });
            }
            _ => {
                let mut word = String::new();
                while i < chars.len() {
                    let ch = chars[i];
                    if ch.is_whitespace() || ch == ';' || ch == '}' {
                        break;
                    }
                    if ch == '{' {
                        // `${var}` stays in the word; any other `{` opens a block.
                        if word.ends_with('$') {
                            while i < chars.len() && chars[i] != '}' && !chars[i].is_whitespace() {
                                word.push(chars[i]);
                                bump!();
                            }
                            if i < chars.len() && chars[i] == '}' {
                                word.push('}');
                                bump!();
                            }
                            continue;
                        }
                        break;
                    }
                    if ch == '\\' && i + 1 < chars.len() {
                        word.push(ch);
                        bump!();
                        word.push(chars[i]);
                        bump!();
                        continue;
                    }
                    word.push(ch);
                    bump!();
                }
                directive.get_or_insert_with(|| word.clone());
                tokens.push(Token {
                    kind: TokenKind::Word,
                    text: word,
                    position: start,
                });
            }
        }
    }
    Ok(tokens)
}
