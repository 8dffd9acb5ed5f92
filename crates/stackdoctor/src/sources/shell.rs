//! Shell words as `sh` splits them, for the cases deploy scripts and
//! Makefile recipes use: quotes, backslash escapes and backslash-newline
//! continuations, comments, `&&`/`||`/`;`/`|`/`&` between commands,
//! redirections and here-documents (skipped). Expansions (`$VAR`, `${VAR:-x}`,
//! `$(…)`, backticks) are kept as their written text and marked, so that a
//! caller can replace the ones it knows and leave the rest unresolved.
//!
//! Makefiles are first turned into the shell text of their recipes: make's
//! own variables (`NAME = …`, `:=`, `?=`, `+=`, `include .env`) are expanded,
//! `$$` becomes `$`, the recipe prefixes `@`, `-`, `+` are dropped. Every
//! character keeps the file position it was written at.

use std::collections::BTreeMap;

/// A 1-based line and column (in characters) in the source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// A character of the text the shell sees, with the place it was written.
pub type Located = (char, Pos);

/// A word after quote removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Where the word begins as written (its opening quote, if any).
    pub start: Pos,
    pub text: String,
    /// The position of each character of `text`.
    pub positions: Vec<Pos>,
    /// Character ranges of `text` that are expansions (`$HOME`, `$(pwd)`), as written.
    pub expansions: Vec<(usize, usize)>,
}

impl Word {
    fn new(start: Pos) -> Word {
        Word {
            start,
            text: String::new(),
            positions: Vec::new(),
            expansions: Vec::new(),
        }
    }

    fn push(&mut self, c: char, pos: Pos) {
        self.text.push(c);
        self.positions.push(pos);
    }

    fn len(&self) -> usize {
        self.positions.len()
    }

    /// Where the word starts.
    pub fn pos(&self) -> Pos {
        self.start
    }

    /// The part of the word from character `from` on (`--env=A=1` → `A=1`).
    pub fn from_char(&self, from: usize) -> Word {
        let start = self
            .text
            .char_indices()
            .nth(from)
            .map_or(self.text.len(), |(i, _)| i);
        Word {
            start: self.positions.get(from).copied().unwrap_or(self.start),
            text: self.text[start..].to_string(),
            positions: self.positions.get(from..).unwrap_or_default().to_vec(),
            expansions: self
                .expansions
                .iter()
                .filter(|(a, _)| *a >= from)
                .map(|(a, b)| (a - from, b - from))
                .collect(),
        }
    }

    /// Whether some expansion is still in the text.
    pub fn has_expansion(&self) -> bool {
        !self.expansions.is_empty()
    }

    /// The word with the expansions `lookup` knows replaced by their value
    /// (each character of a value at the position of its `$`).
    pub fn resolved(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Word {
        let chars: Vec<char> = self.text.chars().collect();
        let mut out = Word::new(self.start);
        let mut i = 0;
        let mut spans = self.expansions.iter().peekable();
        while i < chars.len() {
            if let Some(&&(start, end)) = spans.peek() {
                if start == i {
                    spans.next();
                    let written: String = chars[start..end.min(chars.len())].iter().collect();
                    match expansion_value(&written, lookup) {
                        Some(value) => {
                            for c in value.chars() {
                                out.push(c, self.positions[start]);
                            }
                        }
                        None => {
                            let begin = out.len();
                            for (c, p) in chars[start..end.min(chars.len())]
                                .iter()
                                .zip(&self.positions[start..])
                            {
                                out.push(*c, *p);
                            }
                            out.expansions.push((begin, out.len()));
                        }
                    }
                    i = end.max(i + 1);
                    continue;
                }
            }
            out.push(chars[i], self.positions[i]);
            i += 1;
        }
        out
    }
}

/// The value of `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`,
/// `${NAME:=default}`, `$(NAME)` when `lookup` knows it (`$(pwd)` is asked as `$(pwd)`).
fn expansion_value(written: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    if let Some(value) = lookup(written) {
        return Some(value);
    }
    let inner = written
        .strip_prefix("${")
        .and_then(|s| s.strip_suffix('}'))
        .or_else(|| written.strip_prefix('$'))?;
    let name_end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let (name, rest) = inner.split_at(name_end);
    if name.is_empty() {
        return None;
    }
    let value = lookup(name).filter(|v| !v.is_empty());
    for operator in [":-", ":=", "-", "="] {
        if let Some(default) = rest.strip_prefix(operator) {
            let set = if operator.starts_with(':') {
                value
            } else {
                lookup(name)
            };
            return Some(set.unwrap_or_else(|| default.to_string())).filter(|v| !v.contains('$'));
        }
    }
    if rest.is_empty() {
        lookup(name)
    } else {
        None
    }
}

/// What the tokenizer produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Word(Word),
    /// Between two commands: newline, `;`, `&&`, `||`, `|`, `&`, parentheses.
    Break,
}

/// The characters of a shell script with their positions.
pub fn script_chars(text: &str) -> Vec<Located> {
    let mut out = Vec::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        let line_number = u32::try_from(n + 1).unwrap_or(u32::MAX);
        let mut column = 0u32;
        for c in line.trim_end_matches('\r').chars() {
            column = column.saturating_add(1);
            out.push((
                c,
                Pos {
                    line: line_number,
                    column,
                },
            ));
        }
        out.push((
            '\n',
            Pos {
                line: line_number,
                column: column.saturating_add(1),
            },
        ));
    }
    out
}

/// Splits shell text into words and command breaks.
pub fn tokenize(chars: &[Located]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word: Option<Word> = None;
    let mut drop_next_word = false;
    let mut heredocs: Vec<(String, bool)> = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).map(|(c, _)| *c);
    let finish = |word: &mut Option<Word>, tokens: &mut Vec<Token>, drop: &mut bool| {
        if let Some(w) = word.take() {
            if *drop {
                *drop = false;
            } else {
                tokens.push(Token::Word(w));
            }
        }
    };
    while i < chars.len() {
        let (c, pos) = chars[i];
        match c {
            '\\' if at(i + 1) == Some('\n') => i += 2,
            ' ' | '\t' => {
                finish(&mut word, &mut tokens, &mut drop_next_word);
                i += 1;
            }
            '\n' => {
                finish(&mut word, &mut tokens, &mut drop_next_word);
                tokens.push(Token::Break);
                i += 1;
                for (delimiter, strip_tabs) in std::mem::take(&mut heredocs) {
                    i = skip_heredoc(chars, i, &delimiter, strip_tabs);
                }
            }
            '#' if word.is_none() => {
                while i < chars.len() && chars[i].0 != '\n' {
                    i += 1;
                }
            }
            ';' | '&' | '|' | '(' | ')' => {
                finish(&mut word, &mut tokens, &mut drop_next_word);
                tokens.push(Token::Break);
                i += 1;
            }
            '<' | '>' => {
                // A file descriptor number before the operator (`2>&1`) goes with it.
                if word
                    .as_ref()
                    .is_some_and(|w| w.text.chars().all(|c| c.is_ascii_digit()))
                {
                    word = None;
                }
                finish(&mut word, &mut tokens, &mut drop_next_word);
                let heredoc = c == '<' && at(i + 1) == Some('<') && at(i + 2) != Some('<');
                i += 1;
                while matches!(at(i), Some('<' | '>' | '&' | '|')) {
                    i += 1;
                }
                let strip_tabs = heredoc && at(i) == Some('-');
                if strip_tabs {
                    i += 1;
                }
                // `>&2` needs no target word.
                if at(i).is_some_and(|c| c.is_ascii_digit()) && chars[i - 1].0 == '&' {
                    i += 1;
                    continue;
                }
                if heredoc {
                    while matches!(at(i), Some(' ' | '\t')) {
                        i += 1;
                    }
                    let mut delimiter = String::new();
                    while let Some(c) =
                        at(i).filter(|c| !c.is_whitespace() && !";&|<>".contains(*c))
                    {
                        if !"'\"\\".contains(c) {
                            delimiter.push(c);
                        }
                        i += 1;
                    }
                    heredocs.push((delimiter, strip_tabs));
                } else {
                    drop_next_word = true;
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(|| Word::new(pos));
                i += 1;
                while let Some((c, p)) = chars.get(i).copied() {
                    i += 1;
                    if c == '\'' {
                        break;
                    }
                    w.push(c, p);
                }
            }
            '"' => {
                let w = word.get_or_insert_with(|| Word::new(pos));
                i += 1;
                while let Some((c, p)) = chars.get(i).copied() {
                    match c {
                        '"' => {
                            i += 1;
                            break;
                        }
                        '\\' => match at(i + 1) {
                            Some('\n') => i += 2,
                            Some(next @ ('$' | '`' | '"' | '\\')) => {
                                w.push(next, chars[i + 1].1);
                                i += 2;
                            }
                            _ => {
                                w.push(c, p);
                                i += 1;
                            }
                        },
                        '$' | '`' => i = expansion(chars, i, w),
                        _ => {
                            w.push(c, p);
                            i += 1;
                        }
                    }
                }
            }
            '\\' => {
                let w = word.get_or_insert_with(|| Word::new(pos));
                if let Some((next, p)) = chars.get(i + 1).copied() {
                    w.push(next, p);
                }
                i += 2;
            }
            '$' if at(i + 1) == Some('\'') => {
                // `$'…'`: ANSI-C quoting, read as single quotes.
                i += 1;
            }
            '$' | '`' => {
                let w = word.get_or_insert_with(|| Word::new(pos));
                i = expansion(chars, i, w);
            }
            _ => {
                word.get_or_insert_with(|| Word::new(pos)).push(c, pos);
                i += 1;
            }
        }
    }
    finish(&mut word, &mut tokens, &mut drop_next_word);
    tokens
}

/// Copies the expansion starting at `i` (`$` or a backtick) into `w` as
/// written, marks it, and returns the index after it.
fn expansion(chars: &[Located], start: usize, w: &mut Word) -> usize {
    let at = |i: usize| chars.get(i).map(|(c, _)| *c);
    let mut i = start + 1;
    match (chars[start].0, at(i)) {
        ('`', _) => {
            while at(i).is_some_and(|c| c != '`') {
                i += 1;
            }
            i += 1;
        }
        ('$', Some(open @ ('(' | '{'))) => {
            let close = if open == '(' { ')' } else { '}' };
            let mut depth = 0usize;
            while let Some(c) = at(i) {
                i += 1;
                if c == open {
                    depth += 1;
                } else if c == close {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                } else if c == '\n' && open == '{' {
                    break;
                }
            }
        }
        ('$', Some(c)) if c.is_ascii_alphabetic() || c == '_' => {
            while at(i).is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                i += 1;
            }
        }
        ('$', Some(c)) if c.is_ascii_digit() || "@*#?$!-".contains(c) => i += 1,
        _ => {
            // A lone `$` is just a dollar sign.
            w.push('$', chars[start].1);
            return start + 1;
        }
    }
    let end = i.min(chars.len());
    let begin = w.len();
    for (c, p) in &chars[start..end] {
        // A continuation inside `$(…)` is not part of the text.
        if *c != '\n' {
            w.push(*c, *p);
        }
    }
    w.expansions.push((begin, w.len()));
    end
}

/// The index after the body of a here-document that starts at `i`.
fn skip_heredoc(chars: &[Located], mut i: usize, delimiter: &str, strip_tabs: bool) -> usize {
    while i < chars.len() {
        let start = i;
        while i < chars.len() && chars[i].0 != '\n' {
            i += 1;
        }
        let line: String = chars[start..i].iter().map(|(c, _)| *c).collect();
        i += 1;
        let line = if strip_tabs {
            line.trim_start_matches('\t')
        } else {
            line.as_str()
        };
        if line == delimiter {
            break;
        }
    }
    i
}

/// The words of each command, in order.
pub fn commands(tokens: Vec<Token>) -> Vec<Vec<Word>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for token in tokens {
        match token {
            Token::Word(w) => current.push(w),
            Token::Break => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `NAME=value` (a shell assignment word), split.
pub fn assignment(word: &Word) -> Option<(String, Word)> {
    let (name, _) = word.text.split_once('=')?;
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| (name.to_string(), word.from_char(name.chars().count() + 1)))
}

/// A Makefile recipe line, as the shell text make hands to `sh -c`.
#[derive(Debug, Clone)]
pub struct Recipe {
    /// The rule's first target (`make TARGET` runs it).
    pub target: String,
    pub chars: Vec<Located>,
}

/// The recipes of a Makefile with make's variables expanded. `preset` holds
/// variables make knows before reading the file (`CURDIR`).
pub fn makefile_recipes(
    text: &str,
    preset: &BTreeMap<String, String>,
    read_include: &dyn Fn(&str) -> Option<String>,
) -> Vec<Recipe> {
    let mut variables = preset.clone();
    let mut recipes = Vec::new();
    let mut target: Option<String> = None;
    let lines: Vec<Vec<Located>> = {
        let all = script_chars(text);
        all.split(|(c, _)| *c == '\n')
            .map(<[Located]>::to_vec)
            .collect()
    };
    let mut n = 0;
    while n < lines.len() {
        let line = &lines[n];
        let plain: String = line.iter().map(|(c, _)| *c).collect();
        n += 1;
        if plain.starts_with('\t') && target.is_some() {
            // One recipe line with its continuations (make strips one leading tab of each).
            let mut logical: Vec<Located> = line[1..].to_vec();
            while logical.last().is_some_and(|(c, _)| *c == '\\') && n < lines.len() {
                let last = logical
                    .last()
                    .map(|(_, p)| *p)
                    .unwrap_or(Pos { line: 1, column: 1 });
                logical.push(('\n', last));
                let next = &lines[n];
                n += 1;
                let skip = usize::from(next.first().is_some_and(|(c, _)| *c == '\t'));
                logical.extend_from_slice(&next[skip..]);
            }
            let start = logical
                .iter()
                .position(|(c, _)| !matches!(c, '@' | '-' | '+' | ' ' | '\t'))
                .unwrap_or(logical.len());
            let mut chars = expand_make(&logical[start..], &variables, target.as_deref(), 0);
            let end = chars
                .last()
                .map(|(_, p)| *p)
                .unwrap_or(Pos { line: 1, column: 1 });
            chars.push(('\n', end));
            recipes.push(Recipe {
                target: target.clone().unwrap_or_default(),
                chars,
            });
            continue;
        }
        let trimmed = plain.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(file) = trimmed
            .strip_prefix("include ")
            .or_else(|| trimmed.strip_prefix("-include "))
            .or_else(|| trimmed.strip_prefix("sinclude "))
        {
            for name in file.split_whitespace() {
                if let Some(included) = read_include(name) {
                    for entry in included.lines() {
                        if let Some((name, value)) = make_assignment(entry) {
                            variables.insert(name, value.1);
                        }
                    }
                }
            }
            continue;
        }
        if let Some((name, (operator, value))) = make_assignment(&plain) {
            let value = if operator == ":=" || operator == "::=" {
                expand_text(&value, &variables, None)
            } else {
                value
            };
            match operator.as_str() {
                "?=" => {
                    variables.entry(name).or_insert(value);
                }
                "+=" => {
                    let entry = variables.entry(name).or_default();
                    if !entry.is_empty() {
                        entry.push(' ');
                    }
                    entry.push_str(&value);
                }
                "!=" => {}
                _ => {
                    variables.insert(name, value);
                }
            }
            continue;
        }
        // A rule: `target other: prerequisites`.
        if let Some((targets, _)) = plain.split_once(':') {
            if !plain.starts_with(' ') && !targets.trim().is_empty() && !targets.contains('=') {
                target = targets.split_whitespace().next().map(str::to_string);
                continue;
            }
        }
        if !plain.starts_with('\t') {
            target = None;
        }
    }
    recipes
}

/// `NAME = value`, `NAME := value`, `export NAME ?= value`, `KEY=value` of an env file.
fn make_assignment(line: &str) -> Option<(String, (String, String))> {
    if line.starts_with('\t') {
        return None;
    }
    let line = line.trim();
    let line = line
        .strip_prefix("export ")
        .or_else(|| line.strip_prefix("override "))
        .unwrap_or(line)
        .trim_start();
    let name_end = line.find(|c: char| !(c.is_ascii_alphanumeric() || "_.-".contains(c)))?;
    let (name, rest) = line.split_at(name_end);
    if name.is_empty() {
        return None;
    }
    let rest = rest.trim_start();
    for operator in [":::=", "::=", ":=", "?=", "+=", "!=", "="] {
        if let Some(value) = rest.strip_prefix(operator) {
            let value = value.trim();
            // `include .env` files quote their values the dotenv way.
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            return Some((name.to_string(), (operator.to_string(), value.to_string())));
        }
    }
    None
}

/// Expands make references in plain text (for `:=`).
fn expand_text(text: &str, variables: &BTreeMap<String, String>, target: Option<&str>) -> String {
    let chars: Vec<Located> = text
        .chars()
        .map(|c| (c, Pos { line: 1, column: 1 }))
        .collect();
    expand_make(&chars, variables, target, 0)
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

/// Make's expansion of a recipe line: `$$` → `$`, `$(NAME)`/`${NAME}`/`$@`
/// replaced when known, unknown references kept as written.
fn expand_make(
    chars: &[Located],
    variables: &BTreeMap<String, String>,
    target: Option<&str>,
    depth: usize,
) -> Vec<Located> {
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let (c, pos) = chars[i];
        if c != '$' {
            out.push((c, pos));
            i += 1;
            continue;
        }
        match chars.get(i + 1).map(|(c, _)| *c) {
            Some('$') => {
                out.push(('$', pos));
                i += 2;
            }
            Some(open @ ('(' | '{')) => {
                let close = if open == '(' { ')' } else { '}' };
                let mut j = i + 2;
                let mut nesting = 0usize;
                while j < chars.len() {
                    let c = chars[j].0;
                    if c == open {
                        nesting += 1;
                    } else if c == close {
                        if nesting == 0 {
                            break;
                        }
                        nesting -= 1;
                    }
                    j += 1;
                }
                let name: String = chars[i + 2..j.min(chars.len())]
                    .iter()
                    .map(|(c, _)| *c)
                    .collect();
                let value = match name.as_str() {
                    "shell pwd" => variables.get("CURDIR").cloned(),
                    _ => variables.get(name.trim()).cloned(),
                };
                match value {
                    Some(value) if depth < 8 => {
                        let inner: Vec<Located> = value.chars().map(|c| (c, pos)).collect();
                        out.extend(expand_make(&inner, variables, target, depth + 1));
                    }
                    _ => out.extend_from_slice(&chars[i..(j + 1).min(chars.len())]),
                }
                i = j + 1;
            }
            Some('@') if target.is_some() => {
                out.extend(target.unwrap_or_default().chars().map(|c| (c, pos)));
                i += 2;
            }
            _ => {
                out.push((c, pos));
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Vec<String>> {
        commands(tokenize(&script_chars(text)))
            .into_iter()
            .map(|c| c.into_iter().map(|w| w.text).collect())
            .collect()
    }

    #[test]
    fn quotes_escapes_and_continuations() {
        let text = "docker run -d \\\n  --name 'my app' \\\n  -e \"GREETING=hello world\" \\\n  -v \"$PWD/Caddyfile\":/etc/caddy/Caddyfile:ro \\\n  caddy:2 # the proxy\n";
        assert_eq!(
            words(text),
            [[
                "docker",
                "run",
                "-d",
                "--name",
                "my app",
                "-e",
                "GREETING=hello world",
                "-v",
                "$PWD/Caddyfile:/etc/caddy/Caddyfile:ro",
                "caddy:2"
            ]]
        );
        let command = &commands(tokenize(&script_chars(text)))[0];
        assert_eq!(
            command[4].pos(),
            Pos {
                line: 2,
                column: 10
            }
        );
        assert_eq!(command[9].pos(), Pos { line: 5, column: 3 });
        assert_eq!(command[8].expansions, [(0, 4)]);
    }

    #[test]
    fn several_commands_redirections_and_heredocs() {
        let text = "docker network create web 2>/dev/null || true; docker rm -f app >/dev/null 2>&1 && docker run -d --name app app:latest &\ncat <<EOF > notes\ndocker run not-a-command\nEOF\necho done\n";
        assert_eq!(
            words(text),
            vec![
                vec!["docker", "network", "create", "web"],
                vec!["true"],
                vec!["docker", "rm", "-f", "app"],
                vec!["docker", "run", "-d", "--name", "app", "app:latest"],
                vec!["cat"],
                vec!["echo", "done"],
            ]
        );
    }

    #[test]
    fn expansions_are_kept_and_resolved_when_known() {
        let text =
            "docker run -p ${HOST_PORT:-8080}:80 -v $(pwd)/data:/data -e TOKEN=$TOKEN $IMAGE\n";
        let command = &commands(tokenize(&script_chars(text)))[0];
        let known = |name: &str| match name {
            "IMAGE" => Some("ghcr.io/acme/api:1.2".to_string()),
            "$(pwd)" => Some("/srv/app".to_string()),
            _ => None,
        };
        let resolved: Vec<String> = command.iter().map(|w| w.resolved(&known).text).collect();
        assert_eq!(
            resolved,
            [
                "docker",
                "run",
                "-p",
                "8080:80",
                "-v",
                "/srv/app/data:/data",
                "-e",
                "TOKEN=$TOKEN",
                "ghcr.io/acme/api:1.2"
            ]
        );
        let token = command[7].resolved(&known);
        assert!(token.has_expansion());
        // A resolved value points at its `$`.
        assert_eq!(
            command[8].resolved(&known).pos(),
            Pos {
                line: 1,
                column: 74
            }
        );
    }

    #[test]
    fn makefile_recipes_expand_make_variables() {
        let text = "IMAGE ?= pokesys-app\nENV_FILE := .env\nPORT=8080\n\n.PHONY: run\nrun: build\n\t@docker run --rm -p $(PORT):8000 \\\n\t\t--env-file $(ENV_FILE) \\\n\t\t-e HOME=$$HOME $(IMAGE)\n\nbuild:\n\tdocker build -t $(IMAGE) .\n";
        let recipes = makefile_recipes(text, &BTreeMap::new(), &|_| None);
        assert_eq!(recipes.len(), 2);
        assert_eq!(recipes[0].target, "run");
        let command = &commands(tokenize(&recipes[0].chars))[0];
        let texts: Vec<&str> = command.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "docker",
                "run",
                "--rm",
                "-p",
                "8080:8000",
                "--env-file",
                ".env",
                "-e",
                "HOME=$HOME",
                "pokesys-app"
            ]
        );
        assert_eq!(command[0].pos(), Pos { line: 7, column: 3 });
        assert_eq!(
            command[6].pos(),
            Pos {
                line: 8,
                column: 14
            }
        );
        assert_eq!(recipes[1].target, "build");
    }

    #[test]
    fn bad_input_never_panics() {
        for text in [
            "\"unterminated",
            "'x",
            "$(",
            "${",
            "a \\",
            "<<",
            "cat <<'E'\nx",
            "`",
            "$",
            "\u{0}\u{ffff}",
        ] {
            let _ = commands(tokenize(&script_chars(text)));
            let _ = makefile_recipes(&format!("x:\n\t{text}\n"), &BTreeMap::new(), &|_| None);
        }
    }
}
