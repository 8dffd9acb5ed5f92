//! A strict JSON parser (like Go's `encoding/json`) that keeps character offsets.

use crate::node::{Key, Node, NodeValue, Position};

/// Deepest nesting of arrays and objects accepted.
pub(crate) const MAX_DEPTH: usize = 200;

/// A JSON syntax error at a character offset of the parsed text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonError {
    pub pos: usize,
    pub message: String,
}

/// Parses `text`; `locate(start, end)` turns a character range into a [`Position`].
pub(crate) fn parse(
    text: &[char],
    locate: &dyn Fn(usize, usize) -> Position,
) -> Result<Node, JsonError> {
    let mut p = Parser {
        s: text,
        i: 0,
        locate,
    };
    p.ws();
    let node = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return p.fail(format!(
            "invalid character {:?} after top-level value",
            p.s[p.i]
        ));
    }
    Ok(node)
}

struct Parser<'a> {
    s: &'a [char],
    i: usize,
    locate: &'a dyn Fn(usize, usize) -> Position,
}

impl Parser<'_> {
    fn fail<T>(&self, message: String) -> Result<T, JsonError> {
        Err(JsonError {
            pos: self.i,
            message,
        })
    }

    fn ws(&mut self) {
        while self
            .s
            .get(self.i)
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            self.i += 1;
        }
    }

    fn unexpected<T>(&self, context: &str) -> Result<T, JsonError> {
        match self.s.get(self.i) {
            Some(c) => self.fail(format!("invalid character {c:?} {context}")),
            None => self.fail("unexpected end of JSON input".to_string()),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, JsonError> {
        let start = self.i;
        let Some(&c) = self.s.get(self.i) else {
            return self.unexpected("looking for beginning of value");
        };
        let value = match c {
            '{' | '[' if depth >= MAX_DEPTH => {
                return self.fail(format!("nesting deeper than {MAX_DEPTH} levels"));
            }
            '{' => {
                self.i += 1;
                let mut entries: Vec<(Key, Node)> = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        if self.s.get(self.i) != Some(&'"') {
                            return self.unexpected("looking for beginning of object key string");
                        }
                        let kstart = self.i;
                        let name = self.string()?;
                        let key = Key {
                            name,
                            position: (self.locate)(kstart, self.i),
                        };
                        self.ws();
                        if self.s.get(self.i) != Some(&':') {
                            return self.unexpected("after object key");
                        }
                        self.i += 1;
                        self.ws();
                        let v = self.value(depth + 1)?;
                        // Go's decoder keeps the last of duplicate keys.
                        if let Some(slot) = entries.iter_mut().find(|(k, _)| k.name == key.name) {
                            *slot = (key, v);
                        } else {
                            entries.push((key, v));
                        }
                        self.ws();
                        match self.s.get(self.i) {
                            Some(',') => self.i += 1,
                            Some('}') => {
                                self.i += 1;
                                break;
                            }
                            _ => return self.unexpected("after object key:value pair"),
                        }
                    }
                }
                NodeValue::Object(entries)
            }
            '[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&']') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        items.push(self.value(depth + 1)?);
                        self.ws();
                        match self.s.get(self.i) {
                            Some(',') => self.i += 1,
                            Some(']') => {
                                self.i += 1;
                                break;
                            }
                            _ => return self.unexpected("after array element"),
                        }
                    }
                }
                NodeValue::Array(items)
            }
            '"' => NodeValue::String(self.string()?),
            't' => self.word("true", NodeValue::Bool(true))?,
            'f' => self.word("false", NodeValue::Bool(false))?,
            'n' => self.word("null", NodeValue::Null)?,
            '-' | '0'..='9' => self.number()?,
            _ => return self.unexpected("looking for beginning of value"),
        };
        Ok(Node {
            value,
            position: (self.locate)(start, self.i),
        })
    }

    fn word(&mut self, w: &str, v: NodeValue) -> Result<NodeValue, JsonError> {
        for expected in w.chars() {
            if self.s.get(self.i) != Some(&expected) {
                return self.unexpected(&format!("in literal {w} (expecting {expected:?})"));
            }
            self.i += 1;
        }
        Ok(v)
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<NodeValue, JsonError> {
        let start = self.i;
        if self.s.get(self.i) == Some(&'-') {
            self.i += 1;
        }
        match self.s.get(self.i) {
            Some('0') => self.i += 1,
            Some(c) if c.is_ascii_digit() => {
                self.digits();
            }
            _ => return self.unexpected("in numeric literal"),
        }
        if self.s.get(self.i) == Some(&'.') {
            self.i += 1;
            if self.digits() == 0 {
                return self.unexpected("after decimal point in numeric literal");
            }
        }
        if matches!(self.s.get(self.i), Some('e' | 'E')) {
            self.i += 1;
            if matches!(self.s.get(self.i), Some('+' | '-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return self.unexpected("in exponent of numeric literal");
            }
        }
        let text: String = self.s[start..self.i].iter().collect();
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(NodeValue::Number(n)),
            _ => Err(JsonError {
                pos: start,
                message: format!("number {text} out of range"),
            }),
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let Some(digits) = self.s.get(self.i..self.i + 4) else {
            return self.fail("invalid \\u escape in string literal".to_string());
        };
        let text: String = digits.iter().collect();
        match u32::from_str_radix(&text, 16) {
            Ok(v) => {
                self.i += 4;
                Ok(v)
            }
            Err(_) => self.fail("invalid \\u escape in string literal".to_string()),
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        // at the opening quote
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return self.fail("unexpected end of JSON input (unterminated string)".to_string());
            };
            self.i += 1;
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let Some(&e) = self.s.get(self.i) else {
                        return self.fail("unexpected end of JSON input".to_string());
                    };
                    self.i += 1;
                    match e {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        '/' => out.push('/'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi)
                                && self.s.get(self.i) == Some(&'\\')
                                && self.s.get(self.i + 1) == Some(&'u')
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    self.i = save;
                                    0xFFFD
                                }
                            } else {
                                hi
                            };
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        other => {
                            self.i -= 1;
                            return self.fail(format!(
                                "invalid character {other:?} in string escape code"
                            ));
                        }
                    }
                }
                c if (c as u32) < 0x20 => {
                    self.i -= 1;
                    return self.fail(format!("invalid character {c:?} in string literal"));
                }
                c => out.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn locate(s: usize, e: usize) -> Position {
        Position {
            file: PathBuf::from("t.json"),
            line: 1,
            column: s as u32 + 1,
            length: (e - s) as u32,
            exact: true,
        }
    }

    fn p(s: &str) -> Result<Node, JsonError> {
        let chars: Vec<char> = s.chars().collect();
        parse(&chars, &locate)
    }

    #[test]
    fn values_and_positions() {
        let n = p(r#" {"a": [1, -2.5e1, "x\u00e9\n"], "b": {"c": null, "d": true}} "#).unwrap();
        let a = n.get("a").unwrap().as_array().unwrap();
        assert_eq!(a[0].as_f64(), Some(1.0));
        assert_eq!(a[1].as_f64(), Some(-25.0));
        assert_eq!(a[2].as_str(), Some("xé\n"));
        assert_eq!(a[2].position.column, 20);
        assert!(n.get("b").unwrap().get("c").unwrap().is_null());
        assert_eq!(n.get_key("b").unwrap().position.column, 34);
        assert_eq!(p(r#""\ud83d\ude00""#).unwrap().as_str(), Some("😀"));
    }

    #[test]
    fn errors() {
        assert_eq!(p("{\"a\": 1,}").unwrap_err().pos, 8);
        assert_eq!(p("[1 2]").unwrap_err().pos, 3);
        assert!(p("").unwrap_err().message.contains("unexpected end"));
        assert!(p("01").is_err());
        assert!(p("[1] x").is_err());
        assert!(p("\"a\tb\"").is_err());
        assert!(p("1e999").is_err());
        let deep = "[".repeat(100_000);
        assert!(p(&deep).unwrap_err().message.contains("nesting"));
    }
}
