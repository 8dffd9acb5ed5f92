//! A small strict JSON parser (RFC 8259) that keeps the position of every value.
//!
//! No comments, trailing commas, single quotes or other extensions are accepted.
//! Duplicate object keys are kept (in order); the policy layer decides whether
//! they are an error. Nesting is limited to [`MAX_DEPTH`] so that hostile input
//! cannot overflow the stack.

use crate::{Error, Span};

/// Deepest nesting of arrays and objects accepted.
pub(crate) const MAX_DEPTH: usize = 200;

/// A position in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    /// Index in characters from the start of the text.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// A JSON value with the range of source text it came from.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: Kind,
    pub start: Pos,
    /// Character offset one past the last character of the value.
    pub end: usize,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Null,
    Bool(bool),
    /// The number exactly as written.
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

/// One `"key": value` pair of an object.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub key: String,
    pub key_start: Pos,
    pub key_end: usize,
    pub value: Node,
}

impl Node {
    pub fn span(&self) -> Span {
        span_between(self.start, self.end)
    }

    /// A short description of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }
}

impl Member {
    pub fn key_span(&self) -> Span {
        span_between(self.key_start, self.key_end)
    }

    /// From the key's opening quote to the end of the value.
    pub fn span(&self) -> Span {
        span_between(self.key_start, self.value.end)
    }
}

pub(crate) fn span_between(start: Pos, end: usize) -> Span {
    Span {
        line: start.line,
        column: start.column,
        length: end.saturating_sub(start.offset),
    }
}

/// Parses one JSON value that makes up the whole text (surrounding whitespace allowed).
pub(crate) fn parse(text: &str) -> Result<Node, Error> {
    let mut chars: Vec<char> = text.chars().collect();
    // A leading byte-order mark is invisible in editors; drop it so columns match.
    if chars.first() == Some(&'\u{feff}') {
        chars.remove(0);
    }
    let mut parser = Parser {
        chars,
        pos: Pos {
            offset: 0,
            line: 1,
            column: 1,
        },
        depth: 0,
    };
    parser.skip_ws();
    let node = parser.value()?;
    parser.skip_ws();
    if let Some(c) = parser.peek() {
        return Err(parser.error(format!(
            "unexpected {} after the end of the JSON value",
            describe(c)
        )));
    }
    Ok(node)
}

struct Parser {
    chars: Vec<char>,
    pos: Pos,
    depth: usize,
}

fn describe(c: char) -> String {
    if c.is_control() {
        format!("character U+{:04X}", c as u32)
    } else {
        format!("character `{c}`")
    }
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos.offset).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos.offset += 1;
        if c == '\n' {
            self.pos.line += 1;
            self.pos.column = 1;
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    fn error(&self, message: impl Into<String>) -> Error {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, pos: Pos, message: impl Into<String>) -> Error {
        Error::Json {
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }

    fn unexpected(&self, expected: &str) -> Error {
        match self.peek() {
            Some(c) => self.error(format!("expected {expected}, found {}", describe(c))),
            None => self.error(format!("expected {expected}, found the end of the input")),
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, wanted: char, what: &str) -> Result<(), Error> {
        if self.peek() == Some(wanted) {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    fn value(&mut self) -> Result<Node, Error> {
        let start = self.pos;
        let kind = match self.peek() {
            Some('{') => self.nested(start, Self::object)?,
            Some('[') => self.nested(start, Self::array)?,
            Some('"') => Kind::String(self.string()?),
            Some('t') => self.literal("true", Kind::Bool(true))?,
            Some('f') => self.literal("false", Kind::Bool(false))?,
            Some('n') => self.literal("null", Kind::Null)?,
            Some('-' | '0'..='9') => Kind::Number(self.number()?),
            _ => return Err(self.unexpected("a JSON value")),
        };
        Ok(Node {
            kind,
            start,
            end: self.pos.offset,
        })
    }

    fn nested(
        &mut self,
        start: Pos,
        parse: fn(&mut Self) -> Result<Kind, Error>,
    ) -> Result<Kind, Error> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error_at(
                start,
                format!("nesting deeper than {MAX_DEPTH} levels is not supported"),
            ));
        }
        self.depth += 1;
        let kind = parse(self);
        self.depth -= 1;
        kind
    }

    fn literal(&mut self, word: &str, kind: Kind) -> Result<Kind, Error> {
        let start = self.pos;
        for expected in word.chars() {
            if self.peek() != Some(expected) {
                return Err(self.error_at(start, "invalid literal (expected true, false or null)"));
            }
            self.bump();
        }
        Ok(kind)
    }

    fn digits(&mut self, out: &mut String) -> usize {
        let mut n = 0;
        while let Some(c @ '0'..='9') = self.peek() {
            out.push(c);
            self.bump();
            n += 1;
        }
        n
    }

    fn number(&mut self) -> Result<String, Error> {
        let mut out = String::new();
        if self.peek() == Some('-') {
            out.push('-');
            self.bump();
        }
        match self.peek() {
            Some('0') => {
                out.push('0');
                self.bump();
                if matches!(self.peek(), Some('0'..='9')) {
                    return Err(self.error("leading zeros are not allowed in numbers"));
                }
            }
            Some('1'..='9') => {
                self.digits(&mut out);
            }
            _ => return Err(self.unexpected("a digit")),
        }
        if self.peek() == Some('.') {
            out.push('.');
            self.bump();
            if self.digits(&mut out) == 0 {
                return Err(self.unexpected("a digit after the decimal point"));
            }
        }
        if let Some(e @ ('e' | 'E')) = self.peek() {
            out.push(e);
            self.bump();
            if let Some(sign @ ('+' | '-')) = self.peek() {
                out.push(sign);
                self.bump();
            }
            if self.digits(&mut out) == 0 {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        Ok(out)
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut value = 0u32;
        for _ in 0..4 {
            let digit = self.peek().and_then(|c| c.to_digit(16));
            match digit {
                Some(d) => {
                    value = value * 16 + d;
                    self.bump();
                }
                None => return Err(self.unexpected("four hexadecimal digits after \\u")),
            }
        }
        Ok(value)
    }

    fn string(&mut self) -> Result<String, Error> {
        let open = self.pos;
        self.bump(); // opening quote
        let mut out = String::new();
        loop {
            let here = self.pos;
            match self.bump() {
                None => return Err(self.error_at(open, "unterminated string")),
                Some('"') => return Ok(out),
                Some('\\') => {
                    let escaped = match self.bump() {
                        Some('"') => '"',
                        Some('\\') => '\\',
                        Some('/') => '/',
                        Some('b') => '\u{8}',
                        Some('f') => '\u{c}',
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('t') => '\t',
                        Some('u') => self.unicode_escape(here)?,
                        Some(_) => return Err(self.error_at(here, "invalid escape sequence")),
                        None => return Err(self.error_at(open, "unterminated string")),
                    };
                    out.push(escaped);
                }
                Some(c) if (c as u32) < 0x20 => {
                    return Err(self.error_at(
                        here,
                        "control characters must be escaped in strings (unterminated string?)",
                    ))
                }
                Some(c) => out.push(c),
            }
        }
    }

    /// Reads the digits of `\uXXXX` (the `\u` is consumed), joining surrogate pairs.
    fn unicode_escape(&mut self, escape_start: Pos) -> Result<char, Error> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.peek() != Some('\\') {
                    return Err(self.error_at(escape_start, "unpaired surrogate in \\u escape"));
                }
                self.bump();
                if self.peek() != Some('u') {
                    return Err(self.error_at(escape_start, "unpaired surrogate in \\u escape"));
                }
                self.bump();
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error_at(escape_start, "unpaired surrogate in \\u escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => {
                return Err(self.error_at(escape_start, "unpaired surrogate in \\u escape"))
            }
            other => other,
        };
        char::from_u32(code).ok_or_else(|| self.error_at(escape_start, "invalid \\u escape"))
    }

    fn array(&mut self) -> Result<Kind, Error> {
        self.bump(); // [
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(Kind::Array(items));
        }
        loop {
            self.skip_ws();
            if self.peek() == Some(']') && !items.is_empty() {
                return Err(self.error("trailing comma before `]`"));
            }
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(']') => {
                    self.bump();
                    return Ok(Kind::Array(items));
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
    }

    fn object(&mut self) -> Result<Kind, Error> {
        self.bump(); // {
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Kind::Object(members));
        }
        loop {
            self.skip_ws();
            match self.peek() {
                Some('"') => {}
                Some('}') if !members.is_empty() => {
                    return Err(self.error("trailing comma before `}`"))
                }
                _ => return Err(self.unexpected("a string key")),
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_end = self.pos.offset;
            self.skip_ws();
            self.expect(':', "`:` after the object key")?;
            self.skip_ws();
            let value = self.value()?;
            members.push(Member {
                key,
                key_start,
                key_end,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some('}') => {
                    self.bump();
                    return Ok(Kind::Object(members));
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> (usize, usize, String) {
        match parse(text) {
            Err(Error::Json {
                line,
                column,
                message,
            }) => (line, column, message),
            other => panic!("expected a JSON error for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn positions_are_one_based_characters() {
        let node = parse("{\n  \"ä\": [1, \"x\"]\n}").unwrap();
        let Kind::Object(members) = &node.kind else {
            panic!("object expected")
        };
        assert_eq!(members[0].key, "ä");
        assert_eq!(
            members[0].key_span(),
            Span {
                line: 2,
                column: 3,
                length: 3
            }
        );
        let Kind::Array(items) = &members[0].value.kind else {
            panic!("array expected")
        };
        // `"ä": [` — the 1 is at column 9 (ä counts as one character).
        assert_eq!(
            items[0].span(),
            Span {
                line: 2,
                column: 9,
                length: 1
            }
        );
        assert_eq!(
            items[1].span(),
            Span {
                line: 2,
                column: 12,
                length: 3
            }
        );
        assert_eq!(
            node.span(),
            Span {
                line: 1,
                column: 1,
                length: 19
            }
        );
    }

    #[test]
    fn escapes_are_decoded() {
        let node = parse(r#""a\"b\\c\/\n\u00e9\ud83d\ude00""#).unwrap();
        let Kind::String(s) = node.kind else {
            panic!("string expected")
        };
        assert_eq!(s, "a\"b\\c/\né😀");
    }

    #[test]
    fn numbers_follow_the_json_grammar() {
        assert!(matches!(parse("-0.5e+10").unwrap().kind, Kind::Number(n) if n == "-0.5e+10"));
        assert_eq!(err("01").2, "leading zeros are not allowed in numbers");
        assert_eq!(err("1.").0, 1);
        assert_eq!(err("-").1, 2);
    }

    #[test]
    fn extensions_are_rejected() {
        assert_eq!(err("[1,]").2, "trailing comma before `]`");
        assert_eq!(err("{\"a\":1,}").2, "trailing comma before `}`");
        assert_eq!(err("// c\n{}").1, 1);
        assert_eq!(err("{'a':1}").1, 2);
        assert_eq!(
            err("{\"a\":1} x"),
            (
                1,
                9,
                "unexpected character `x` after the end of the JSON value".into()
            )
        );
    }

    #[test]
    fn error_positions() {
        assert_eq!(
            err("{\n  \"a\": tru\n}"),
            (
                2,
                8,
                "invalid literal (expected true, false or null)".into()
            )
        );
        assert_eq!(
            err("{\"a\" 1}").2,
            "expected `:` after the object key, found character `1`"
        );
        assert_eq!(err("\"abc").2, "unterminated string");
        assert_eq!(
            err("").2,
            "expected a JSON value, found the end of the input"
        );
        assert_eq!(err("\"\\ud800\"").2, "unpaired surrogate in \\u escape");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        assert!(err(&text).2.contains("nesting deeper"));
    }

    #[test]
    fn duplicate_keys_are_kept() {
        let node = parse(r#"{"a":1,"a":2}"#).unwrap();
        let Kind::Object(members) = node.kind else {
            panic!("object expected")
        };
        assert_eq!(members.len(), 2);
    }

    #[test]
    fn bom_is_skipped() {
        let node = parse("\u{feff}{}").unwrap();
        assert_eq!(
            node.span(),
            Span {
                line: 1,
                column: 1,
                length: 2
            }
        );
    }
}
