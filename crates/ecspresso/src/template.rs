//! A subset of Go's `text/template`: lexer, parser and evaluator.
//!
//! Supported: text and actions with `{{- ` / ` -}}` trim markers, comments
//! `{{/* */}}`, raw (backquoted) and interpreted (double-quoted, Go escapes)
//! strings, numbers, `true`/`false`/`nil`, `.` and `.Field`, pipelines (the piped
//! value becomes the last argument), parenthesised calls, `if`/`else if`/`else`,
//! `with`, `range`, `end`, and the built-ins `eq ne lt le gt ge and or not len
//! index printf print println`. Other functions are asked from a [`FuncHost`].
//! Variables, `define`/`template`/`block` are rejected with an error.
//!
//! Rendering keeps a map from every output character to the source character it
//! came from: literal text maps 1:1, an action's output maps to its `{{`.

use std::fmt::Write as _;

/// Deepest nesting of blocks (`if`/`with`/`range`) and parentheses.
const MAX_DEPTH: usize = 100;
/// Largest rendered output, in characters.
const MAX_OUTPUT: usize = 64 * 1024 * 1024;
/// Most iterations of one `range` over an integer.
const MAX_RANGE: i64 = 100_000;

/// A template value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TVal {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl TVal {
    /// Go's `%v` printing.
    pub fn print(&self) -> String {
        match self {
            TVal::Nil => "<no value>".to_string(),
            TVal::Bool(b) => b.to_string(),
            TVal::Int(i) => i.to_string(),
            TVal::Float(f) => format!("{f}"),
            TVal::Str(s) => s.clone(),
        }
    }

    /// Go template truth.
    pub fn truth(&self) -> bool {
        match self {
            TVal::Nil => false,
            TVal::Bool(b) => *b,
            TVal::Int(i) => *i != 0,
            TVal::Float(f) => *f != 0.0,
            TVal::Str(s) => !s.is_empty(),
        }
    }
}

/// The character range of an action (`{{` … `}}`) in the template source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Site {
    pub start: usize,
    pub end: usize,
}

/// A template syntax or execution error at a source character offset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TemplateError {
    pub pos: usize,
    pub message: String,
}

fn err<T>(pos: usize, message: impl Into<String>) -> Result<T, TemplateError> {
    Err(TemplateError {
        pos,
        message: message.into(),
    })
}

/// Provides the non-built-in functions.
pub(crate) trait FuncHost {
    /// Calls `name`; `None` when no such function exists.
    fn call(&mut self, name: &str, args: &[TVal], site: Site) -> Option<Result<TVal, String>>;
    /// Called for a function nobody provides; returns the value to render.
    fn unknown(&mut self, name: &str, args: &[TVal], site: Site) -> TVal;
}

/// Rendered text with the map back to the source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rendered {
    pub text: String,
    /// For each character of `text`, the source character offset.
    pub map: Vec<usize>,
}

/// Parses and executes `src` (as characters).
pub(crate) fn render(src: &[char], host: &mut dyn FuncHost) -> Result<Rendered, TemplateError> {
    let items = lex(src)?;
    let mut idx = 0;
    let (nodes, term) = parse_list(&items, &mut idx, 0)?;
    match term {
        Term::Eof => {}
        Term::End(site) => return err(site.start, "unexpected {{end}}"),
        Term::Else(site, _) => return err(site.start, "unexpected {{else}}"),
    }
    let mut ev = Eval {
        src,
        host,
        out: String::with_capacity(src.len()),
        map: Vec::with_capacity(src.len()),
        site: Site::default(),
    };
    ev.exec_list(&nodes, &TVal::Nil)?;
    Ok(Rendered {
        text: ev.out,
        map: ev.map,
    })
}

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
    Dot,
    Field(Vec<String>),
    Var(String),
    Pipe,
    LParen,
    RParen,
    Comma,
    Declare,
    Assign,
}

#[derive(Debug)]
enum Item {
    Text(usize, usize),
    Action { site: Site, toks: Vec<(Tok, usize)> },
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn starts_with(src: &[char], at: usize, pat: &str) -> bool {
    (at..).zip(pat.chars()).all(|(i, p)| src.get(i) == Some(&p))
}

fn find(src: &[char], from: usize, pat: &str) -> Option<usize> {
    (from..src.len()).find(|&i| starts_with(src, i, pat))
}

fn lex(src: &[char]) -> Result<Vec<Item>, TemplateError> {
    let mut items = Vec::new();
    let mut text_start = 0;
    let mut trim_next = false;
    loop {
        let open = find(src, text_start, "{{");
        let mut t_start = text_start;
        let mut t_end = open.unwrap_or(src.len());
        if trim_next {
            while t_start < t_end && is_ws(src[t_start]) {
                t_start += 1;
            }
        }
        let Some(open) = open else {
            if t_end > t_start {
                items.push(Item::Text(t_start, t_end));
            }
            break;
        };
        let mut k = open + 2;
        let trim_left = src.get(k) == Some(&'-') && src.get(k + 1).is_some_and(|c| is_ws(*c));
        if trim_left {
            k += 2;
            while t_end > t_start && is_ws(src[t_end - 1]) {
                t_end -= 1;
            }
        }
        if t_end > t_start {
            items.push(Item::Text(t_start, t_end));
        }
        let (toks, after, trim_right, comment) = lex_action(src, k, open)?;
        if !comment {
            items.push(Item::Action {
                site: Site {
                    start: open,
                    end: after,
                },
                toks,
            });
        }
        text_start = after;
        trim_next = trim_right;
    }
    Ok(items)
}

/// Returns the tokens, the offset after `}}`, whether `-}}` trims, whether it was a comment.
#[allow(clippy::type_complexity)]
fn lex_action(
    src: &[char],
    mut i: usize,
    open: usize,
) -> Result<(Vec<(Tok, usize)>, usize, bool, bool), TemplateError> {
    let n = src.len();
    let unclosed = || err(open, "unclosed action (missing }})");
    let mut j = i;
    while j < n && is_ws(src[j]) {
        j += 1;
    }
    if starts_with(src, j, "/*") {
        let Some(close) = find(src, j + 2, "*/") else {
            return err(open, "unclosed comment");
        };
        let mut k = close + 2;
        if starts_with(src, k, "}}") {
            return Ok((Vec::new(), k + 2, false, true));
        }
        while k < n && is_ws(src[k]) {
            k += 1;
        }
        if starts_with(src, k, "-}}") {
            return Ok((Vec::new(), k + 3, true, true));
        }
        if starts_with(src, k, "}}") {
            return Ok((Vec::new(), k + 2, false, true));
        }
        return err(open, "comment ends before closing delimiter");
    }
    let mut toks = Vec::new();
    loop {
        let Some(&c) = src.get(i) else {
            return unclosed();
        };
        let next = src.get(i + 1).copied();
        if c == '}' && next == Some('}') {
            return Ok((toks, i + 2, false, false));
        }
        if is_ws(c) {
            if starts_with(src, i + 1, "-}}") {
                return Ok((toks, i + 4, true, false));
            }
            i += 1;
            continue;
        }
        let start = i;
        match c {
            '|' => {
                toks.push((Tok::Pipe, start));
                i += 1;
            }
            '(' => {
                toks.push((Tok::LParen, start));
                i += 1;
            }
            ')' => {
                toks.push((Tok::RParen, start));
                i += 1;
            }
            ',' => {
                toks.push((Tok::Comma, start));
                i += 1;
            }
            ':' if next == Some('=') => {
                toks.push((Tok::Declare, start));
                i += 2;
            }
            '=' => {
                toks.push((Tok::Assign, start));
                i += 1;
            }
            '"' => {
                let (s, after) = lex_quoted(src, i + 1, start)?;
                toks.push((Tok::Str(s), start));
                i = after;
            }
            '`' => {
                let Some(close) = (i + 1..n).find(|&x| src[x] == '`') else {
                    return err(start, "unterminated raw quoted string");
                };
                toks.push((Tok::Str(src[i + 1..close].iter().collect()), start));
                i = close + 1;
            }
            '\'' => {
                let (s, after) = lex_char(src, i + 1, start)?;
                toks.push((Tok::Int(s as i64), start));
                i = after;
            }
            '.' if next.is_some_and(|c| c.is_alphabetic() || c == '_') => {
                let mut fields = Vec::new();
                while src.get(i) == Some(&'.')
                    && src
                        .get(i + 1)
                        .is_some_and(|c| c.is_alphabetic() || *c == '_')
                {
                    let s = i + 1;
                    i = s;
                    while src.get(i).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
                        i += 1;
                    }
                    fields.push(src[s..i].iter().collect());
                }
                toks.push((Tok::Field(fields), start));
            }
            '.' if !next.is_some_and(|c| c.is_ascii_digit()) => {
                toks.push((Tok::Dot, start));
                i += 1;
            }
            '$' => {
                i += 1;
                while src.get(i).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
                    i += 1;
                }
                toks.push((Tok::Var(src[start..i].iter().collect()), start));
            }
            c if c.is_ascii_digit()
                || c == '.'
                || ((c == '-' || c == '+')
                    && next.is_some_and(|d| d.is_ascii_digit() || d == '.')) =>
            {
                i += 1;
                while src.get(i).is_some_and(|c| {
                    c.is_ascii_alphanumeric()
                        || *c == '.'
                        || *c == '_'
                        || ((*c == '-' || *c == '+')
                            && matches!(src.get(i.wrapping_sub(1)), Some('e' | 'E' | 'p' | 'P')))
                }) {
                    i += 1;
                }
                let text: String = src[start..i].iter().filter(|c| **c != '_').collect();
                toks.push((parse_number(&text, start)?, start));
            }
            c if c.is_alphabetic() || c == '_' => {
                while src.get(i).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
                    i += 1;
                }
                let word: String = src[start..i].iter().collect();
                let tok = match word.as_str() {
                    "true" => Tok::Bool(true),
                    "false" => Tok::Bool(false),
                    "nil" => Tok::Nil,
                    _ => Tok::Ident(word),
                };
                toks.push((tok, start));
            }
            c => return err(start, format!("unexpected {c:?} in command")),
        }
    }
}

fn parse_number(text: &str, pos: usize) -> Result<Tok, TemplateError> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let lower = body.to_ascii_lowercase();
    let radix = if lower.starts_with("0x") {
        Some(16)
    } else if lower.starts_with("0o") {
        Some(8)
    } else if lower.starts_with("0b") {
        Some(2)
    } else {
        None
    };
    if let Some(radix) = radix {
        if let Ok(v) = i64::from_str_radix(&lower[2..], radix) {
            return Ok(Tok::Int(if neg { -v } else { v }));
        }
    } else if let Ok(v) = text.parse::<i64>() {
        return Ok(Tok::Int(v));
    } else if let Ok(v) = text.parse::<f64>() {
        if v.is_finite() {
            return Ok(Tok::Float(v));
        }
    }
    err(pos, format!("bad number syntax: {text:?}"))
}

fn lex_char(src: &[char], i: usize, start: usize) -> Result<(char, usize), TemplateError> {
    let (s, after) = lex_escaped(src, i, start, '\'')?;
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok((c, after)),
        _ => err(start, "malformed character constant"),
    }
}

fn lex_quoted(src: &[char], i: usize, start: usize) -> Result<(String, usize), TemplateError> {
    lex_escaped(src, i, start, '"')
}

fn lex_escaped(
    src: &[char],
    mut i: usize,
    start: usize,
    quote: char,
) -> Result<(String, usize), TemplateError> {
    let mut out = String::new();
    loop {
        let Some(&c) = src.get(i) else {
            return err(start, "unterminated quoted string");
        };
        i += 1;
        if c == quote {
            return Ok((out, i));
        }
        if c == '\n' {
            return err(start, "unterminated quoted string");
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = src.get(i) else {
            return err(start, "unterminated quoted string");
        };
        i += 1;
        let hex = |i: usize, len: usize| -> Option<u32> {
            let s: String = src.get(i..i + len)?.iter().collect();
            u32::from_str_radix(&s, 16).ok()
        };
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            'x' | 'u' | 'U' => {
                let len = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let Some(v) = hex(i, len) else {
                    return err(i, "invalid escape in quoted string");
                };
                i += len;
                if e == 'x' {
                    // A byte; only ASCII is representable here.
                    out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                } else {
                    match char::from_u32(v) {
                        Some(c) => out.push(c),
                        None => return err(i, "invalid Unicode escape in quoted string"),
                    }
                }
            }
            '0'..='7' => {
                let s: String = src.get(i - 1..i + 2).unwrap_or(&[]).iter().collect();
                let Ok(v) = u32::from_str_radix(&s, 8) else {
                    return err(i, "invalid octal escape in quoted string");
                };
                i += 2;
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            _ => return err(i - 1, format!("unknown escape sequence \\{e}")),
        }
    }
}

// ---------------------------------------------------------------- parser

#[derive(Debug)]
enum TNode {
    Text(usize, usize),
    Action {
        site: Site,
        pipe: Pipe,
    },
    If {
        branches: Vec<(Site, Pipe, Vec<TNode>)>,
        else_: Option<Vec<TNode>>,
    },
    With {
        site: Site,
        pipe: Pipe,
        body: Vec<TNode>,
        else_: Option<Vec<TNode>>,
    },
    Range {
        site: Site,
        pipe: Pipe,
        body: Vec<TNode>,
        else_: Option<Vec<TNode>>,
    },
}

#[derive(Debug)]
struct Pipe {
    cmds: Vec<Cmd>,
}

#[derive(Debug)]
struct Cmd {
    args: Vec<Arg>,
    pos: usize,
}

#[derive(Debug)]
enum Arg {
    Ident(String, usize),
    Lit(TVal),
    Dot,
    Field,
    Var(String, usize),
    Sub(Pipe),
}

enum Term {
    Eof,
    End(Site),
    Else(Site, Vec<(Tok, usize)>),
}

fn parse_list(
    items: &[Item],
    idx: &mut usize,
    depth: usize,
) -> Result<(Vec<TNode>, Term), TemplateError> {
    let mut nodes = Vec::new();
    while let Some(item) = items.get(*idx) {
        *idx += 1;
        let (site, toks) = match item {
            Item::Text(s, e) => {
                nodes.push(TNode::Text(*s, *e));
                continue;
            }
            Item::Action { site, toks } => (*site, toks),
        };
        let keyword = match toks.first() {
            Some((Tok::Ident(w), _)) => w.as_str(),
            Some(_) => "",
            None => return err(site.start, "missing value for command"),
        };
        match keyword {
            "end" => {
                if toks.len() > 1 {
                    return err(site.start, "unexpected arguments after end");
                }
                return Ok((nodes, Term::End(site)));
            }
            "else" => return Ok((nodes, Term::Else(site, toks[1..].to_vec()))),
            "if" | "with" | "range" => {
                if depth >= MAX_DEPTH {
                    return err(site.start, format!("blocks nested deeper than {MAX_DEPTH}"));
                }
                let pipe = parse_pipe(&toks[1..], site.start, 0)?;
                let (body, mut term) = parse_list(items, idx, depth + 1)?;
                if keyword == "if" {
                    let mut branches = vec![(site, pipe, body)];
                    let mut else_ = None;
                    loop {
                        match term {
                            Term::Eof => return err(site.start, "unexpected EOF: unclosed {{if}}"),
                            Term::End(_) => break,
                            Term::Else(s2, rest) => {
                                if rest.is_empty() {
                                    let (b, t) = parse_list(items, idx, depth + 1)?;
                                    match t {
                                        Term::End(_) => {}
                                        Term::Eof => {
                                            return err(
                                                site.start,
                                                "unexpected EOF: unclosed {{if}}",
                                            )
                                        }
                                        Term::Else(s3, _) => {
                                            return err(
                                                s3.start,
                                                "expected {{end}}, found {{else}}",
                                            )
                                        }
                                    }
                                    else_ = Some(b);
                                    break;
                                }
                                if !matches!(rest.first(), Some((Tok::Ident(w), _)) if w == "if") {
                                    return err(s2.start, "unexpected arguments after else");
                                }
                                let p2 = parse_pipe(&rest[1..], s2.start, 0)?;
                                let (b2, t2) = parse_list(items, idx, depth + 1)?;
                                branches.push((s2, p2, b2));
                                term = t2;
                            }
                        }
                    }
                    nodes.push(TNode::If { branches, else_ });
                } else {
                    let else_ = match term {
                        Term::Eof => {
                            return err(
                                site.start,
                                format!("unexpected EOF: unclosed {{{{{keyword}}}}}"),
                            )
                        }
                        Term::End(_) => None,
                        Term::Else(s2, rest) => {
                            if !rest.is_empty() {
                                return err(s2.start, "unexpected arguments after else");
                            }
                            let (b, t) = parse_list(items, idx, depth + 1)?;
                            if !matches!(t, Term::End(_)) {
                                return err(site.start, format!("unclosed {{{{{keyword}}}}}"));
                            }
                            Some(b)
                        }
                    };
                    if keyword == "with" {
                        nodes.push(TNode::With {
                            site,
                            pipe,
                            body,
                            else_,
                        });
                    } else {
                        nodes.push(TNode::Range {
                            site,
                            pipe,
                            body,
                            else_,
                        });
                    }
                }
            }
            "define" | "template" | "block" | "break" | "continue" => {
                return err(site.start, format!("{{{{{keyword}}}}} is not supported"));
            }
            _ => {
                let pipe = parse_pipe(toks, site.start, 0)?;
                nodes.push(TNode::Action { site, pipe });
            }
        }
    }
    Ok((nodes, Term::Eof))
}

fn parse_pipe(toks: &[(Tok, usize)], pos: usize, depth: usize) -> Result<Pipe, TemplateError> {
    if depth >= MAX_DEPTH {
        return err(pos, format!("parentheses nested deeper than {MAX_DEPTH}"));
    }
    if toks.is_empty() {
        return err(pos, "missing value for command");
    }
    if let (Some((Tok::Var(_), p)), Some((Tok::Declare | Tok::Assign | Tok::Comma, _))) =
        (toks.first(), toks.get(1))
    {
        return err(*p, "template variables are not supported");
    }
    let mut cmds = Vec::new();
    let mut args = Vec::new();
    let mut cmd_pos = toks[0].1;
    let mut i = 0;
    while i < toks.len() {
        let (tok, p) = &toks[i];
        i += 1;
        let arg = match tok {
            Tok::Pipe => {
                if args.is_empty() {
                    return err(*p, "missing command before |");
                }
                cmds.push(Cmd {
                    args: std::mem::take(&mut args),
                    pos: cmd_pos,
                });
                cmd_pos = toks.get(i).map(|t| t.1).unwrap_or(*p);
                continue;
            }
            Tok::LParen => {
                let mut level = 1;
                let start = i;
                while i < toks.len() {
                    match toks[i].0 {
                        Tok::LParen => level += 1,
                        Tok::RParen => {
                            level -= 1;
                            if level == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                if level != 0 {
                    return err(*p, "unclosed left paren");
                }
                let inner = parse_pipe(&toks[start..i], *p, depth + 1)?;
                i += 1;
                Arg::Sub(inner)
            }
            Tok::RParen => return err(*p, "unexpected right paren"),
            Tok::Comma | Tok::Declare | Tok::Assign => {
                return err(*p, "unexpected token in command")
            }
            Tok::Ident(name) => Arg::Ident(name.clone(), *p),
            Tok::Str(s) => Arg::Lit(TVal::Str(s.clone())),
            Tok::Int(n) => Arg::Lit(TVal::Int(*n)),
            Tok::Float(f) => Arg::Lit(TVal::Float(*f)),
            Tok::Bool(b) => Arg::Lit(TVal::Bool(*b)),
            Tok::Nil => Arg::Lit(TVal::Nil),
            Tok::Dot => Arg::Dot,
            Tok::Field(_) => Arg::Field,
            Tok::Var(v) => Arg::Var(v.clone(), *p),
        };
        args.push(arg);
    }
    if args.is_empty() {
        return err(cmd_pos, "missing command after |");
    }
    cmds.push(Cmd { args, pos: cmd_pos });
    Ok(Pipe { cmds })
}

// ---------------------------------------------------------------- evaluator

struct Eval<'a> {
    src: &'a [char],
    host: &'a mut dyn FuncHost,
    out: String,
    map: Vec<usize>,
    site: Site,
}

impl Eval<'_> {
    fn check_size(&self) -> Result<(), TemplateError> {
        if self.map.len() > MAX_OUTPUT {
            return err(self.site.start, "rendered output too large");
        }
        Ok(())
    }

    fn exec_list(&mut self, nodes: &[TNode], dot: &TVal) -> Result<(), TemplateError> {
        for node in nodes {
            match node {
                TNode::Text(s, e) => {
                    for i in *s..*e {
                        if let Some(c) = self.src.get(i) {
                            self.out.push(*c);
                            self.map.push(i);
                        }
                    }
                }
                TNode::Action { site, pipe } => {
                    self.site = *site;
                    let v = self.eval_pipe(pipe, dot)?;
                    let text = v.print();
                    for c in text.chars() {
                        self.out.push(c);
                        self.map.push(site.start);
                    }
                }
                TNode::If { branches, else_ } => {
                    let mut done = false;
                    for (site, pipe, body) in branches {
                        self.site = *site;
                        if self.eval_pipe(pipe, dot)?.truth() {
                            self.exec_list(body, dot)?;
                            done = true;
                            break;
                        }
                    }
                    if !done {
                        if let Some(e) = else_ {
                            self.exec_list(e, dot)?;
                        }
                    }
                }
                TNode::With {
                    site,
                    pipe,
                    body,
                    else_,
                } => {
                    self.site = *site;
                    let v = self.eval_pipe(pipe, dot)?;
                    if v.truth() {
                        self.exec_list(body, &v)?;
                    } else if let Some(e) = else_ {
                        self.exec_list(e, dot)?;
                    }
                }
                TNode::Range {
                    site,
                    pipe,
                    body,
                    else_,
                } => {
                    self.site = *site;
                    let v = self.eval_pipe(pipe, dot)?;
                    let items: Vec<TVal> = match v {
                        TVal::Int(n) if n > MAX_RANGE => {
                            return err(site.start, format!("range over more than {MAX_RANGE}"))
                        }
                        TVal::Int(n) => (0..n.max(0)).map(TVal::Int).collect(),
                        TVal::Nil => Vec::new(),
                        other => {
                            return err(
                                site.start,
                                format!("range can't iterate over {}", other.print()),
                            )
                        }
                    };
                    if items.is_empty() {
                        if let Some(e) = else_ {
                            self.exec_list(e, dot)?;
                        }
                    }
                    for item in items {
                        self.exec_list(body, &item)?;
                        self.check_size()?;
                    }
                }
            }
            self.check_size()?;
        }
        Ok(())
    }

    fn eval_pipe(&mut self, pipe: &Pipe, dot: &TVal) -> Result<TVal, TemplateError> {
        let mut prev: Option<TVal> = None;
        for cmd in &pipe.cmds {
            prev = Some(self.eval_cmd(cmd, dot, prev)?);
        }
        Ok(prev.unwrap_or(TVal::Nil))
    }

    fn eval_cmd(
        &mut self,
        cmd: &Cmd,
        dot: &TVal,
        piped: Option<TVal>,
    ) -> Result<TVal, TemplateError> {
        let Some(first) = cmd.args.first() else {
            return err(cmd.pos, "empty command");
        };
        let Arg::Ident(name, pos) = first else {
            if cmd.args.len() > 1 || piped.is_some() {
                return err(cmd.pos, "can't give argument to non-function");
            }
            return self.eval_arg(first, dot);
        };
        let rest = &cmd.args[1..];
        if name == "and" || name == "or" {
            if rest.is_empty() && piped.is_none() {
                return err(
                    *pos,
                    format!("wrong number of args for {name}: want at least 1 got 0"),
                );
            }
            let mut last = TVal::Nil;
            for a in rest {
                last = self.eval_arg(a, dot)?;
                if (name == "and") != last.truth() {
                    return Ok(last);
                }
            }
            if let Some(p) = piped {
                last = p;
            }
            return Ok(last);
        }
        let mut args = Vec::with_capacity(rest.len() + 1);
        for a in rest {
            args.push(self.eval_arg(a, dot)?);
        }
        if let Some(p) = piped {
            args.push(p);
        }
        self.call(name, *pos, &args)
    }

    fn eval_arg(&mut self, arg: &Arg, dot: &TVal) -> Result<TVal, TemplateError> {
        match arg {
            Arg::Lit(v) => Ok(v.clone()),
            Arg::Dot => Ok(dot.clone()),
            // There is no data: every field is missing.
            Arg::Field => Ok(TVal::Nil),
            Arg::Var(v, p) => {
                if v == "$" {
                    Ok(TVal::Nil)
                } else {
                    err(*p, format!("undefined variable: {v}"))
                }
            }
            Arg::Sub(p) => self.eval_pipe(p, dot),
            Arg::Ident(name, pos) => self.call(name, *pos, &[]),
        }
    }

    fn call(&mut self, name: &str, pos: usize, args: &[TVal]) -> Result<TVal, TemplateError> {
        if let Some(r) = builtin(name, args) {
            return r.or_else(|m| err(pos, format!("error calling {name}: {m}")));
        }
        match self.host.call(name, args, self.site) {
            Some(Ok(v)) => Ok(v),
            Some(Err(m)) => err(pos, format!("error calling {name}: {m}")),
            None => Ok(self.host.unknown(name, args, self.site)),
        }
    }
}

fn want(name: &str, args: &[TVal], n: usize) -> Result<(), String> {
    if args.len() != n {
        return Err(format!(
            "wrong number of args for {name}: want {n} got {}",
            args.len()
        ));
    }
    Ok(())
}

fn compare(a: &TVal, b: &TVal) -> Result<std::cmp::Ordering, String> {
    use std::cmp::Ordering;
    let num = |v: &TVal| match v {
        TVal::Int(i) => Some(*i as f64),
        TVal::Float(f) => Some(*f),
        _ => None,
    };
    match (a, b) {
        (TVal::Str(x), TVal::Str(y)) => Ok(x.cmp(y)),
        (TVal::Bool(x), TVal::Bool(y)) => Ok(x.cmp(y)),
        (TVal::Nil, TVal::Nil) => Ok(Ordering::Equal),
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x
                .partial_cmp(&y)
                .ok_or_else(|| "invalid number".to_string()),
            _ => Err("incompatible types for comparison".to_string()),
        },
    }
}

fn builtin(name: &str, args: &[TVal]) -> Option<Result<TVal, String>> {
    use std::cmp::Ordering;
    let r = match name {
        "eq" => (|| {
            if args.len() < 2 {
                return Err("missing argument for comparison".to_string());
            }
            for b in &args[1..] {
                if compare(&args[0], b)? == Ordering::Equal {
                    return Ok(TVal::Bool(true));
                }
            }
            Ok(TVal::Bool(false))
        })(),
        "ne" | "lt" | "le" | "gt" | "ge" => (|| {
            want(name, args, 2)?;
            let o = compare(&args[0], &args[1])?;
            Ok(TVal::Bool(match name {
                "ne" => o != Ordering::Equal,
                "lt" => o == Ordering::Less,
                "le" => o != Ordering::Greater,
                "gt" => o == Ordering::Greater,
                _ => o != Ordering::Less,
            }))
        })(),
        "not" => want(name, args, 1).map(|_| TVal::Bool(!args[0].truth())),
        "len" => want(name, args, 1).and_then(|_| match &args[0] {
            TVal::Str(s) => Ok(TVal::Int(s.len() as i64)),
            other => Err(format!("len of {}", other.print())),
        }),
        "index" => (|| {
            let Some((first, keys)) = args.split_first() else {
                return Err("wrong number of args for index: want at least 1 got 0".to_string());
            };
            let mut cur = first.clone();
            for k in keys {
                let TVal::Int(i) = k else {
                    return Err(format!("cannot index with {}", k.print()));
                };
                cur = match cur {
                    TVal::Str(s) => s
                        .as_bytes()
                        .get(usize::try_from(*i).map_err(|_| format!("index out of range: {i}"))?)
                        .map(|b| TVal::Int(i64::from(*b)))
                        .ok_or_else(|| format!("index out of range: {i}"))?,
                    other => return Err(format!("can't index item of type {}", other.print())),
                };
            }
            Ok(cur)
        })(),
        "printf" => match args.split_first() {
            Some((f, rest)) => Ok(TVal::Str(sprintf(&f.print(), rest))),
            None => Err("wrong number of args for printf: want at least 1 got 0".to_string()),
        },
        "print" => Ok(TVal::Str(go_print(args))),
        "println" => {
            let parts: Vec<String> = args.iter().map(TVal::print).collect();
            Ok(TVal::Str(format!("{}\n", parts.join(" "))))
        }
        _ => return None,
    };
    Some(r)
}

/// Go's `fmt.Sprint`: spaces between operands when neither side is a string.
fn go_print(args: &[TVal]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !matches!(a, TVal::Str(_)) && !matches!(args[i - 1], TVal::Str(_)) {
            out.push(' ');
        }
        out.push_str(&a.print());
    }
    out
}

/// A subset of Go's `fmt.Sprintf`: `%s %v %d %q %f %g %x %X %t %%` with width and precision.
pub(crate) fn sprintf(format: &str, args: &[TVal]) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    let mut next_arg = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.peek() {
            if matches!(f, '-' | '+' | '#' | ' ' | '0') {
                flags.push(f);
                chars.next();
            } else {
                break;
            }
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit() {
                width.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let mut prec: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() {
                    p.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            prec = Some(p.parse().unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next_arg) else {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        };
        next_arg += 1;
        let s = match (verb, arg) {
            ('d', TVal::Int(i)) => i.to_string(),
            ('x', TVal::Int(i)) => format!("{i:x}"),
            ('X', TVal::Int(i)) => format!("{i:X}"),
            ('x', TVal::Str(s)) => s.bytes().map(|b| format!("{b:02x}")).collect(),
            ('f' | 'F', TVal::Float(f)) => format!("{:.*}", prec.unwrap_or(6), f),
            ('f' | 'F', TVal::Int(i)) => format!("%!f(int={i})"),
            ('g' | 'e', TVal::Float(f)) => format!("{f}"),
            ('t', TVal::Bool(b)) => b.to_string(),
            ('q', TVal::Str(s)) => go_quote(s),
            ('s' | 'v', v) => {
                let mut s = v.print();
                if let (Some(p), 's') = (prec, verb) {
                    s = s.chars().take(p).collect();
                }
                s
            }
            (v, a) => format!("%!{v}({})", a.print()),
        };
        let w: usize = width.parse().unwrap_or(0);
        let len = s.chars().count();
        if len < w {
            let pad = w - len;
            if flags.contains('-') {
                out.push_str(&s);
                out.extend(std::iter::repeat_n(' ', pad));
            } else {
                let fill = if flags.contains('0') { '0' } else { ' ' };
                out.extend(std::iter::repeat_n(fill, pad));
                out.push_str(&s);
            }
        } else {
            out.push_str(&s);
        }
    }
    if next_arg < args.len() {
        let extra: Vec<String> = args[next_arg..].iter().map(TVal::print).collect();
        let _ = write!(out, "%!(EXTRA {})", extra.join(", "));
    }
    out
}

fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `json.Marshal` of a string without the surrounding quotes
/// (escapes `<`, `>`, `&`, U+2028 and U+2029 like Go does).
pub(crate) fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Host {
        unknown: Vec<String>,
    }

    impl FuncHost for Host {
        fn call(&mut self, name: &str, args: &[TVal], _site: Site) -> Option<Result<TVal, String>> {
            match name {
                "env" => Some(Ok(TVal::Str(match args.first() {
                    Some(TVal::Str(s)) if s == "HOME" => "/home/me".to_string(),
                    _ => args.last().map(TVal::print).unwrap_or_default(),
                }))),
                "json_escape" => Some(Ok(TVal::Str(json_escape(
                    &args.first().map(TVal::print).unwrap_or_default(),
                )))),
                "upper" => Some(Ok(TVal::Str(
                    args.first()
                        .map(TVal::print)
                        .unwrap_or_default()
                        .to_uppercase(),
                ))),
                _ => None,
            }
        }
        fn unknown(&mut self, name: &str, _args: &[TVal], _site: Site) -> TVal {
            self.unknown.push(name.to_string());
            TVal::Str(format!("<?{name}>"))
        }
    }

    fn r(src: &str) -> Result<Rendered, TemplateError> {
        let chars: Vec<char> = src.chars().collect();
        render(&chars, &mut Host { unknown: vec![] })
    }

    fn text(src: &str) -> String {
        r(src).unwrap().text
    }

    #[test]
    fn plain_text_maps_one_to_one() {
        let out = r("abc").unwrap();
        assert_eq!(out.text, "abc");
        assert_eq!(out.map, vec![0, 1, 2]);
    }

    #[test]
    fn trim_markers() {
        assert_eq!(text("a  \n {{- \"x\" -}} \n  b"), "axb");
        assert_eq!(text("a {{- \"x\" }} b"), "ax b");
        assert_eq!(text("a {{ \"x\" -}} b"), "a xb");
        assert_eq!(text("a {{- /* note */ -}} b"), "ab");
        assert_eq!(text("a{{/* c */}}b"), "ab");
        // `{{-3}}` is the number -3, not a trim marker.
        assert_eq!(text("a {{-3}}"), "a -3");
    }

    #[test]
    fn pipelines_put_the_value_last() {
        assert_eq!(text(r#"{{ "a\"b" | json_escape }}"#), "a\\\"b");
        assert_eq!(text("{{ env `HOME` | printf `%s!` }}"), "/home/me!");
        assert_eq!(text("{{ printf `%s-%d` `a` 3 | upper }}"), "A-3");
        assert_eq!(text("{{ upper (printf `%s%s` `a` `b`) }}"), "AB");
    }

    #[test]
    fn if_else_chains() {
        let t = "{{ if eq 1 2 }}one{{ else if eq `a` `a` }}two{{ else }}three{{ end }}";
        assert_eq!(text(t), "two");
        assert_eq!(text("{{ if `` }}x{{ else }}y{{ end }}"), "y");
        assert_eq!(text("{{ if and 1 `s` }}x{{ end }}"), "x");
        assert_eq!(text("{{ if or 0 `` }}x{{ else }}n{{ end }}"), "n");
        assert_eq!(text("{{ if not false }}x{{ end }}"), "x");
        assert_eq!(text("{{ with `v` }}[{{ . }}]{{ end }}"), "[v]");
        assert_eq!(text("{{ range 3 }}{{ . }}{{ end }}"), "012");
        assert_eq!(text("{{ len `abc` }} {{ index `abc` 1 }}"), "3 98");
    }

    #[test]
    fn printf_and_json_escape() {
        assert_eq!(
            sprintf(
                "%s/%d/%05d/%q/%%/%.2f",
                &[
                    TVal::Str("a".into()),
                    TVal::Int(7),
                    TVal::Int(42),
                    TVal::Str("q\"".into()),
                    TVal::Float(1.5),
                ]
            ),
            "a/7/00042/\"q\\\"\"/%/1.50"
        );
        assert_eq!(sprintf("%s", &[]), "%!s(MISSING)");
        assert_eq!(
            json_escape("{\"a\":1}<&>\n"),
            "{\\\"a\\\":1}\\u003c\\u0026\\u003e\\n"
        );
    }

    #[test]
    fn action_output_maps_to_its_open_brace() {
        let out = r("ab{{ `xyz` }}c").unwrap();
        assert_eq!(out.text, "abxyzc");
        assert_eq!(out.map, vec![0, 1, 2, 2, 2, 13]);
    }

    #[test]
    fn errors_have_positions() {
        let e = r("hello {{ env `X`").unwrap_err();
        assert_eq!(e.pos, 6);
        assert!(e.message.contains("unclosed action"), "{}", e.message);
        let e = r("x\n{{ if 1 }}a").unwrap_err();
        assert_eq!(e.pos, 2);
        assert!(e.message.contains("unclosed {{if}}"));
        let e = r("{{ end }}").unwrap_err();
        assert!(e.message.contains("unexpected {{end}}"));
        let e = r("{{ \"abc }}").unwrap_err();
        assert!(e.message.contains("unterminated"));
        let e = r("{{ ((((( }}").unwrap_err();
        assert!(e.message.contains("paren"));
        assert!(r("{{ $x := 1 }}").is_err());
        assert!(r("{{ eq `a` 1 }}")
            .unwrap_err()
            .message
            .contains("incompatible"));
    }

    #[test]
    fn unknown_functions_go_to_the_host() {
        let chars: Vec<char> = "{{ nope `a` }}".chars().collect();
        let mut host = Host { unknown: vec![] };
        let out = render(&chars, &mut host).unwrap();
        assert_eq!(out.text, "<?nope>");
        assert_eq!(host.unknown, vec!["nope"]);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "{{ if 1 }}".repeat(10_000);
        assert!(r(&src).unwrap_err().message.contains("nested deeper"));
        let src = format!("{{{{ {} }}}}", "(".repeat(100_000));
        assert!(r(&src).is_err());
    }
}
