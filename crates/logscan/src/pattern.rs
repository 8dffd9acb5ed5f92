//! Patterns and the compiled [`Scanner`].

use crate::literals::{Candidates, Literals};
use crate::Error;
use regex::Regex;

/// One thing to look for. Its id is its index in the slice given to [`Scanner::new`].
///
/// A line matches when `literal` occurs in it and, if `regex` is set, the regex
/// matches too. The literal is what the one-pass automaton looks for, so it must be
/// a substring of every text the regex can match (and must not be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// Required text, searched case-sensitively.
    pub literal: String,
    /// Optional regex (Rust `regex` syntax) confirming a line that contains `literal`.
    pub regex: Option<String>,
}

impl Pattern {
    /// A pattern that is only a literal.
    pub fn literal(literal: impl Into<String>) -> Pattern {
        Pattern {
            literal: literal.into(),
            regex: None,
        }
    }

    /// A pattern from a regex, with its required literal derived from the regex's
    /// longest run of literal text that every match must contain.
    ///
    /// Fails when the regex is invalid or has no such run (e.g. a top-level
    /// alternation, or `(?i)`).
    pub fn from_regex(regex: &str) -> Result<Pattern, Error> {
        let literal = required_literal(regex)?;
        Ok(Pattern {
            literal,
            regex: Some(regex.to_string()),
        })
    }

    /// Reads one line of a ripgrep `-f` style patterns file: a line without regex
    /// metacharacters is a literal, `literal<TAB>regex` gives both, anything else is
    /// a regex whose literal is derived with [`Pattern::from_regex`].
    pub fn from_pattern_line(line: &str) -> Result<Pattern, Error> {
        if let Some((lit, re)) = line.split_once('\t') {
            return Ok(Pattern {
                literal: lit.to_string(),
                regex: Some(re.to_string()),
            });
        }
        if !line.contains([
            '\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$',
        ]) {
            return Ok(Pattern::literal(line));
        }
        Pattern::from_regex(line)
    }
}

fn required_literal(regex: &str) -> Result<String, Error> {
    use regex_syntax::hir::{Hir, HirKind};
    let hir = regex_syntax::Parser::new()
        .parse(regex)
        .map_err(|e| Error::Regex {
            index: None,
            message: e.to_string(),
        })?;
    fn walk(h: &Hir, cur: &mut Vec<u8>, best: &mut Vec<u8>) {
        fn flush(cur: &mut Vec<u8>, best: &mut Vec<u8>) {
            if cur.len() > best.len() {
                *best = cur.clone();
            }
            cur.clear();
        }
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => {}
            HirKind::Literal(l) => cur.extend_from_slice(&l.0),
            HirKind::Capture(c) => walk(&c.sub, cur, best),
            HirKind::Concat(subs) => subs.iter().for_each(|s| walk(s, cur, best)),
            HirKind::Repetition(r) if r.min >= 1 => {
                flush(cur, best);
                walk(&r.sub, cur, best);
                flush(cur, best);
            }
            _ => flush(cur, best),
        }
    }
    let (mut cur, mut best) = (Vec::new(), Vec::new());
    walk(&hir, &mut cur, &mut best);
    if cur.len() > best.len() {
        best = cur;
    }
    // Trim to a valid UTF-8 string (literal runs always are).
    let s = String::from_utf8(best).map_err(|_| Error::NoLiteral {
        regex: regex.to_string(),
    })?;
    if s.is_empty() || s.contains('\n') {
        return Err(Error::NoLiteral {
            regex: regex.to_string(),
        });
    }
    Ok(s)
}

/// Literals that make a line worth a look even when no pattern names them, so that
/// errors nobody wrote a pattern for are still reported (as unrecognised).
const ERROR_LITERALS: &[&str] = &[
    "ERROR",
    "FATAL",
    "CRITICAL",
    "PANIC",
    "SEVERE",
    "panic:",
    "Traceback (most recent call last)",
    "Exception",
    "Error: ",
    "\"level\":\"error\"",
    "\"level\":\"fatal\"",
    "\"level\":\"panic\"",
    "\"level\": \"error\"",
    "\"level\":\"crit",
    "[error]",
    "[crit]",
    "[alert]",
    "[emerg]",
    "level=error",
    "level=fatal",
];

/// Every pattern compiled once: one Aho-Corasick automaton over all literals (plus
/// the error-looking literals) and one regex per pattern that has one.
///
/// A `Scanner` is `Send + Sync`; share it between scans and threads.
#[derive(Debug)]
pub struct Scanner {
    patterns: Vec<Pattern>,
    regexes: Vec<Option<Regex>>,
    literals: Literals,
    /// For each automaton literal: the pattern ids it stands for (empty for
    /// error-looking literals only).
    targets: Vec<Vec<usize>>,
}

fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out
}

/// The automaton's literals: every pattern's literal and its JSON-escaped
/// form, then the error-looking literals; and for each, the ids of the
/// patterns it stands for. Literals are distinct.
pub(crate) fn literal_table(patterns: &[Pattern]) -> (Vec<String>, Vec<Vec<usize>>) {
    let mut lits: Vec<String> = Vec::new();
    let mut targets: Vec<Vec<usize>> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut add = |lit: String, pid: Option<usize>| {
        let i = *index.entry(lit.clone()).or_insert_with(|| {
            lits.push(lit);
            targets.push(Vec::new());
            lits.len() - 1
        });
        if let Some(p) = pid {
            if !targets[i].contains(&p) {
                targets[i].push(p);
            }
        }
    };
    let all = patterns
        .iter()
        .enumerate()
        .map(|(i, p)| (p.literal.as_str(), Some(i)));
    for (lit, pid) in all.chain(ERROR_LITERALS.iter().map(|l| (*l, None))) {
        add(lit.to_string(), pid);
        let esc = json_escape(lit);
        if esc != lit {
            add(esc, pid);
        }
    }
    (lits, targets)
}

impl Scanner {
    /// Compiles the patterns. Fails on an empty literal, a literal with a newline,
    /// or an invalid regex.
    pub fn new(patterns: &[Pattern]) -> Result<Scanner, Error> {
        let mut regexes = Vec::with_capacity(patterns.len());
        for (i, p) in patterns.iter().enumerate() {
            if p.literal.is_empty() || p.literal.contains('\n') {
                return Err(Error::BadLiteral { index: i });
            }
            regexes.push(match &p.regex {
                Some(r) => Some(
                    regex::RegexBuilder::new(r)
                        .size_limit(50 << 20)
                        .build()
                        .map_err(|e| Error::Regex {
                            index: Some(i),
                            message: e.to_string(),
                        })?,
                ),
                None => None,
            });
        }
        let (lits, targets) = literal_table(patterns);
        let literals = Literals::new(&lits)?;
        Ok(Scanner {
            patterns: patterns.to_vec(),
            regexes,
            literals,
            targets,
        })
    }

    /// The patterns, in id order.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// The lines of `chunk` (whole lines) that contain a literal.
    pub(crate) fn candidates<'a>(&'a self, chunk: &'a [u8]) -> Candidates<'a> {
        Candidates::new(&self.literals, chunk)
    }

    /// Literal ids present in a line.
    pub(crate) fn hits(&self, line: &[u8]) -> Vec<u32> {
        self.literals.hits(line)
    }

    /// Pattern ids that really match a line, given its literal hits.
    pub(crate) fn confirm(&self, hits: &[u32], raw: &[u8], message: &str) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        let mut raw_text: Option<std::borrow::Cow<'_, str>> = None;
        for &h in hits {
            for &pid in &self.targets[h as usize] {
                if out.contains(&pid) {
                    continue;
                }
                let p = &self.patterns[pid];
                let rt = raw_text.get_or_insert_with(|| String::from_utf8_lossy(raw));
                if !message.contains(p.literal.as_str()) && !rt.contains(p.literal.as_str()) {
                    continue;
                }
                let ok = match &self.regexes[pid] {
                    None => true,
                    Some(re) => re.is_match(message) || (rt.as_ref() != message && re.is_match(rt)),
                };
                if ok {
                    out.push(pid);
                }
            }
        }
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derive_literal() {
        let p = Pattern::from_regex(
            r"dial tcp (?P<h>[a-z]+):(?P<p>[0-9]+): connect: connection refused",
        )
        .unwrap();
        assert_eq!(p.literal, ": connect: connection refused");
        let p =
            Pattern::from_regex(r"ModuleNotFoundError: No module named '(?P<m>[^']+)'").unwrap();
        assert_eq!(p.literal, "ModuleNotFoundError: No module named '");
        assert!(Pattern::from_regex("(?:a|b)").is_err());
        assert!(Pattern::from_regex("(").is_err());
        assert_eq!(
            Pattern::from_pattern_line("no such host").unwrap(),
            Pattern::literal("no such host")
        );
        let p = Pattern::from_pattern_line("x\ty+").unwrap();
        assert_eq!((p.literal.as_str(), p.regex.as_deref()), ("x", Some("y+")));
    }

    #[test]
    fn confirm_checks_regex() {
        let s = Scanner::new(&[
            Pattern::literal("refused"),
            Pattern {
                literal: "refused".into(),
                regex: Some(r"port \d+ refused".into()),
            },
        ])
        .unwrap();
        let line = b"connect to port 80 refused";
        let h = s.hits(line);
        assert_eq!(
            s.confirm(&h, line, "connect to port 80 refused"),
            vec![0, 1]
        );
        let line = b"connect refused";
        let h = s.hits(line);
        assert_eq!(s.confirm(&h, line, "connect refused"), vec![0]);
        assert!(Scanner::new(&[Pattern::literal("")]).is_err());
        assert!(Scanner::new(&[Pattern {
            literal: "a".into(),
            regex: Some("(".into())
        }])
        .is_err());
    }
}
