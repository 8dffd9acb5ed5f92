//! Positions and the small readings of written values shared by the readers.

use crate::Retryable;
use serde::Serialize;
use std::fmt;

/// A place in the document: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub fn new(line: u32, column: u32) -> Self {
        Position { line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Turns byte offsets of a text into line:column positions.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Position::new(line as u32 + 1, column as u32 + 1)
    }
}

/// Words that answer "retryable?" with yes or no, in English and Japanese.
const YES: &[&str] = &["yes", "true", "はい", "可", "可能", "○", "◯", "y"];
const NO: &[&str] = &["no", "false", "いいえ", "不可", "不可能", "×", "n"];

/// Reads a retryable flag as written: `いいえ` is no, `Yes` yes,
/// `はい（一部の場合はいいえ）` a conditional yes.
pub fn read_retryable(text: &str) -> Retryable {
    let trimmed = text.trim().trim_matches('`').trim();
    let lower = trimmed.to_lowercase();
    let bare = lower.trim_end_matches(['.', '。']);
    if YES.contains(&bare) {
        return Retryable::Yes;
    }
    if NO.contains(&bare) {
        return Retryable::No;
    }
    // The first word decides what it usually is; the rest is a condition.
    let first: String = lower
        .chars()
        .take_while(|c| c.is_alphanumeric() && !is_japanese_punctuation(*c))
        .collect();
    let starts = |words: &[&str]| {
        words.iter().any(|w| first == *w)
            || words
                .iter()
                .any(|w| !w.is_ascii() && lower.starts_with(w) && w.chars().count() >= 2)
    };
    if starts(YES) {
        Retryable::Conditional {
            usually: Some(true),
        }
    } else if starts(NO) {
        Retryable::Conditional {
            usually: Some(false),
        }
    } else if ["depends", "sometimes", "conditional", "場合", "条件"]
        .iter()
        .any(|w| lower.contains(w))
    {
        Retryable::Conditional { usually: None }
    } else {
        Retryable::Unrecognised
    }
}

fn is_japanese_punctuation(c: char) -> bool {
    matches!(c, '（' | '）' | '、' | '。' | '：' | '・')
}

/// The HTTP status at the start of a text (`400 Bad Request`, `'503'`).
pub fn read_status(text: &str) -> Option<u16> {
    let digits: String = text
        .trim()
        .trim_matches(['`', '"', '\''])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let code: u16 = digits.parse().ok()?;
    (digits.len() == 3 && (100..=599).contains(&code)).then_some(code)
}

/// Whether a word is written like an error code: `VALIDATION_ERROR`,
/// `ERR_RATE_LIMIT`, `E1001` (capitals, digits and underscores, with a letter
/// first and at least one capital besides).
pub fn is_code_word(word: &str) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_ascii_uppercase()
        && word.len() >= 3
        && word.len() <= 80
        && word.chars().all(|c| {
            c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '.' || c == '-'
        })
}

/// Whether a text has Japanese characters (kana or CJK ideographs).
pub fn has_japanese(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c as u32, 0x3040..=0x30FF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_in_both_languages() {
        assert_eq!(read_retryable("いいえ"), Retryable::No);
        assert_eq!(read_retryable("はい"), Retryable::Yes);
        assert_eq!(read_retryable(" No "), Retryable::No);
        assert_eq!(read_retryable("`true`"), Retryable::Yes);
        assert_eq!(
            read_retryable("はい（一部の場合はいいえ）"),
            Retryable::Conditional {
                usually: Some(true)
            }
        );
        assert_eq!(
            read_retryable("Yes, except when the quota is exhausted"),
            Retryable::Conditional {
                usually: Some(true)
            }
        );
        assert_eq!(
            read_retryable("depends on the upstream"),
            Retryable::Conditional { usually: None }
        );
        assert_eq!(read_retryable("-"), Retryable::Unrecognised);
    }

    #[test]
    fn statuses_and_codes() {
        assert_eq!(read_status("400 Bad Request"), Some(400));
        assert_eq!(read_status("'503'"), Some(503));
        assert_eq!(read_status("4000"), None);
        assert_eq!(read_status("Bad"), None);
        assert!(is_code_word("VALIDATION_ERROR"));
        assert!(is_code_word("E1001"));
        assert!(!is_code_word("Overview"));
        assert!(!is_code_word("OK"));
    }

    #[test]
    fn columns_count_characters() {
        let index = LineIndex::new("ab\nエラー: x\n");
        assert_eq!(index.position(0), Position::new(1, 1));
        // "x" sits after three 3-byte characters, ':' and a space.
        let x = "ab\nエラー: x".find('x').unwrap();
        assert_eq!(index.position(x), Position::new(2, 6));
    }
}
