//! Wildcard patterns, ARN matching and policy-variable substitution.

use crate::evaluate::{Context, KeyState};

/// One element of a pattern after policy variables have been substituted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A character that must match itself.
    Lit(char),
    /// `*`: any sequence of characters, including none.
    Star,
    /// `?`: exactly one character.
    One,
}

/// How [`glob`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Case-sensitive; `*` matches anything (condition values, ARN segments).
    Plain,
    /// Case-insensitive; `*` matches anything (actions).
    IgnoreCase,
    /// Case-sensitive resource ARNs: a `*` inside a colon-separated segment stays in
    /// that segment, while a `*` that ends a segment (followed by `:` or the end
    /// of the pattern) may also match colons.
    Resource,
}

/// A policy string after substituting `${...}` variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expanded {
    /// Every variable resolved.
    Pattern(Vec<Tok>),
    /// A variable's key is absent (or multi-valued) and has no default: the value
    /// can never match. The string explains why.
    Missing(String),
    /// Some variables refer to keys whose presence is unknown.
    Unknown(Vec<String>),
}

/// Turns `*` and `?` into wildcards; everything else is literal.
pub(crate) fn tokens(s: &str) -> Vec<Tok> {
    s.chars()
        .map(|c| match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(c),
        })
        .collect()
}

/// The tokens written back as text (`*` and `?` as themselves).
pub(crate) fn literal(toks: &[Tok]) -> String {
    toks.iter()
        .map(|t| match t {
            Tok::Lit(c) => *c,
            Tok::Star => '*',
            Tok::One => '?',
        })
        .collect()
}

/// Substitutes policy variables (`${aws:username}`, `${key, 'default'}`, and the
/// escapes `${*}`, `${?}`, `${$}`) when `variables` is true (policy Version
/// 2012-10-17); otherwise the text is taken as written. Substituted text never acts
/// as a wildcard.
pub(crate) fn expand(raw: &str, variables: bool, ctx: &Context) -> Expanded {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut unknown = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if variables && c == '$' && chars.get(i + 1) == Some(&'{') {
            if let Some(close) = chars[i + 2..].iter().position(|&c| c == '}') {
                let inner: String = chars[i + 2..i + 2 + close].iter().collect();
                let whole: String = chars[i..i + 3 + close].iter().collect();
                i += 3 + close;
                match resolve(&inner, ctx) {
                    Resolved::Text(text) => out.extend(text.chars().map(Tok::Lit)),
                    Resolved::Missing(why) => {
                        return Expanded::Missing(format!(
                            "policy variable {whole} in \"{raw}\" {why}, so the value never matches"
                        ))
                    }
                    Resolved::Unknown(key) => unknown.push(key),
                    Resolved::NotAVariable => out.extend(whole.chars().map(Tok::Lit)),
                }
                continue;
            }
        }
        out.push(match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(c),
        });
        i += 1;
    }
    if unknown.is_empty() {
        Expanded::Pattern(out)
    } else {
        Expanded::Unknown(unknown)
    }
}

enum Resolved {
    Text(String),
    Missing(&'static str),
    Unknown(String),
    NotAVariable,
}

fn resolve(inner: &str, ctx: &Context) -> Resolved {
    match inner.trim() {
        "*" => return Resolved::Text("*".into()),
        "?" => return Resolved::Text("?".into()),
        "$" => return Resolved::Text("$".into()),
        _ => {}
    }
    let (name, default) = match inner.split_once(',') {
        Some((name, rest)) => {
            let rest = rest.trim();
            match rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
                Some(d) if rest.len() >= 2 => (name.trim(), Some(d.replace("''", "'"))),
                _ => return Resolved::NotAVariable,
            }
        }
        None => (inner.trim(), None),
    };
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Resolved::NotAVariable;
    }
    match ctx.get(name) {
        KeyState::Unknown => Resolved::Unknown(name.to_string()),
        KeyState::Present([one]) => Resolved::Text(one.clone()),
        KeyState::Present([_, _, ..]) => match default {
            Some(d) => Resolved::Text(d),
            None => Resolved::Missing("refers to a multi-valued key"),
        },
        KeyState::Present([]) | KeyState::Absent => match default {
            Some(d) => Resolved::Text(d),
            None => Resolved::Missing("refers to a key absent from the request"),
        },
    }
}

fn same_char(a: char, b: char, mode: Mode) -> bool {
    a == b || (mode == Mode::IgnoreCase && a.to_lowercase().eq(b.to_lowercase()))
}

/// Matches `text` against a wildcard pattern (whole string).
pub(crate) fn glob(pattern: &[Tok], text: &str, mode: Mode) -> bool {
    let text: Vec<char> = text.chars().collect();
    let n = text.len();
    // reach[j]: the pattern consumed so far can match text[..j].
    let mut reach = vec![false; n + 1];
    reach[0] = true;
    for (ti, tok) in pattern.iter().enumerate() {
        let mut next = vec![false; n + 1];
        match tok {
            Tok::Star => {
                let stays_in_segment = mode == Mode::Resource
                    && !matches!(pattern.get(ti + 1), None | Some(Tok::Lit(':')));
                let mut open = false;
                for j in 0..=n {
                    open |= reach[j];
                    next[j] = open;
                    if stays_in_segment && j < n && text[j] == ':' {
                        open = false;
                    }
                }
            }
            Tok::One => next[1..].copy_from_slice(&reach[..n]),
            Tok::Lit(c) => {
                for j in 0..n {
                    next[j + 1] = reach[j] && same_char(text[j], *c, mode);
                }
            }
        }
        if !next.contains(&true) {
            return false;
        }
        reach = next;
    }
    reach[n]
}

/// `ArnLike`/`ArnEquals`: the six colon-separated parts (`arn:partition:service:
/// region:account:resource`) are matched separately, each with `*`/`?` wildcards;
/// the resource part may itself contain colons. A pattern with fewer than six
/// parts (e.g. `"*"`) is matched against the whole value like a `Resource` element.
pub(crate) fn arn_match(pattern: &[Tok], value: &str) -> bool {
    let mut segments: Vec<&[Tok]> = Vec::with_capacity(6);
    let mut start = 0;
    for (i, t) in pattern.iter().enumerate() {
        if *t == Tok::Lit(':') && segments.len() < 5 {
            segments.push(&pattern[start..i]);
            start = i + 1;
        }
    }
    segments.push(&pattern[start..]);
    if segments.len() < 6 {
        return glob(pattern, value, Mode::Resource);
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    parts.len() == 6
        && segments
            .iter()
            .zip(&parts)
            .all(|(seg, part)| glob(seg, part, Mode::Plain))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(raw: &str, ctx: &Context) -> Expanded {
        expand(raw, true, ctx)
    }

    #[test]
    fn variables_substitute_known_keys_literally() {
        let ctx = Context::new().with("aws:username", "a*b");
        assert_eq!(
            expanded("home/${aws:username}/*", &ctx),
            Expanded::Pattern({
                let mut t = tokens("home/");
                t.extend("a*b".chars().map(Tok::Lit));
                t.extend(tokens("/*"));
                t
            })
        );
    }

    #[test]
    fn variable_names_are_case_insensitive_and_defaults_apply() {
        let ctx = Context::new()
            .with("AWS:UserName", "bob")
            .absent("aws:PrincipalTag/team");
        assert_eq!(literal_of(&expanded("${aws:username}", &ctx)), "bob");
        assert_eq!(
            literal_of(&expanded("${aws:PrincipalTag/team, 'it''s'}", &ctx)),
            "it's"
        );
        assert!(matches!(
            expanded("${aws:PrincipalTag/team}", &ctx),
            Expanded::Missing(_)
        ));
        assert_eq!(
            expanded("${aws:userid}-${aws:SourceVpc}", &ctx),
            Expanded::Unknown(vec!["aws:userid".into(), "aws:SourceVpc".into()])
        );
    }

    #[test]
    fn escapes_and_version_2008() {
        let ctx = Context::new();
        assert_eq!(
            expanded("a${*}b${?}${$}", &ctx),
            Expanded::Pattern("a*b?$".chars().map(Tok::Lit).collect())
        );
        // Without Version 2012-10-17 the text is literal, only * and ? are wildcards.
        assert_eq!(
            literal_of(&expand("${aws:username}", false, &ctx)),
            "${aws:username}"
        );
        // An unterminated variable is plain text.
        assert_eq!(
            literal_of(&expanded("${aws:username", &ctx)),
            "${aws:username"
        );
    }

    fn literal_of(e: &Expanded) -> String {
        match e {
            Expanded::Pattern(t) => literal(t),
            other => panic!("expected a pattern, got {other:?}"),
        }
    }

    #[test]
    fn glob_basics() {
        assert!(glob(&tokens("a*c"), "abbbc", Mode::Plain));
        assert!(glob(&tokens("a*c"), "ac", Mode::Plain));
        assert!(!glob(&tokens("a?c"), "ac", Mode::Plain));
        assert!(glob(&tokens("a?c"), "abc", Mode::Plain));
        assert!(!glob(&tokens("abc"), "ABC", Mode::Plain));
        assert!(glob(&tokens("abc"), "ABC", Mode::IgnoreCase));
        assert!(glob(&tokens("*"), "", Mode::Plain));
        assert!(!glob(&tokens(""), "x", Mode::Plain));
    }

    #[test]
    fn resource_star_inside_a_segment_does_not_cross_colons() {
        let p = tokens("arn:aws:s3:::a*z");
        assert!(glob(&p, "arn:aws:s3:::abcz", Mode::Resource));
        assert!(!glob(&p, "arn:aws:s3:::ab:cz", Mode::Resource));
        // A trailing star crosses colons and slashes.
        let p = tokens("arn:aws:bedrock:*");
        assert!(glob(
            &p,
            "arn:aws:bedrock:us-east-1::foundation-model/x:0",
            Mode::Resource
        ));
    }

    #[test]
    fn arn_like_is_segment_wise() {
        let p = tokens("arn:aws:iam::*:role/*");
        assert!(arn_match(&p, "arn:aws:iam::123456789012:role/a/b"));
        assert!(!arn_match(&p, "arn:aws:iam::123456789012:user/a"));
        // The star in the account segment cannot eat the colon before `role`.
        assert!(!arn_match(
            &tokens("arn:aws:iam::*role/x"),
            "arn:aws:iam::1:role/x"
        ));
        assert!(arn_match(&tokens("*"), "anything"));
        assert!(!arn_match(&tokens("arn:aws:iam::1:role/x"), "not-an-arn"));
    }

    #[test]
    fn glob_is_fast_on_pathological_patterns() {
        let pattern = tokens(&"*a".repeat(200));
        let text = "a".repeat(2000) + "b";
        assert!(!glob(&pattern, &text, Mode::Plain));
    }
}
