//! `import`: snippets, files and globs, snippet arguments and blocks, cycles.

use super::{on_new_line, read_text, Parser, Tok, MAX_IMPORTS, MAX_IMPORT_DEPTH, MAX_TOKENS};
use crate::{Error, Position};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// Which file or snippet imports which, to report cycles like Caddy.
#[derive(Debug, Default)]
pub(super) struct ImportGraph {
    edges: HashMap<String, Vec<String>>,
}

impl ImportGraph {
    fn add_edges(&mut self, from: &str, to: &[String]) -> Result<(), String> {
        for target in to {
            if self.reaches(target, from) {
                return Err(format!(
                    "a cycle of imports exists between {from} and {target}"
                ));
            }
            let list = self.edges.entry(from.to_string()).or_default();
            if !list.contains(target) {
                list.push(target.clone());
            }
        }
        Ok(())
    }

    /// Whether `to` can be reached from `from` through at least one edge.
    fn reaches(&self, from: &str, to: &str) -> bool {
        let mut seen = HashSet::new();
        let mut stack: Vec<&str> = self
            .edges
            .get(from)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default();
        while let Some(node) = stack.pop() {
            if node == to {
                return true;
            }
            if seen.insert(node) {
                if let Some(next) = self.edges.get(node) {
                    stack.extend(next.iter().map(String::as_str));
                }
            }
        }
        false
    }
}

/// The lines of an import's `{ … }` block, by their first token (`{blocks.key}`).
type BlockMapping = HashMap<String, Vec<Tok>>;

impl Parser<'_> {
    /// Replaces `import pattern [args…] [{ block }]` (the cursor is on
    /// `import`) with the imported tokens; afterwards the cursor is on the
    /// first imported token (or what followed the import).
    pub(super) fn do_import(&mut self, nesting: i64) -> Result<(), Error> {
        let start = usize::try_from(self.cursor).unwrap_or(0);
        let import_token = match self.current() {
            Some(tok) => tok.clone(),
            None => return Err(self.eof_err()),
        };
        if !self.next_arg() {
            return Err(self.arg_err());
        }
        let pattern = self.val().to_string();
        if pattern.is_empty() {
            return Err(self.err("Import requires a non-empty filepath"));
        }
        let mut args = Vec::new();
        while self.next_arg() {
            args.push(self.val().to_string());
        }
        let block = self.import_block()?;
        let mapping = block_mapping(&block).map_err(|at| Error::Syntax {
            position: at,
            message: "anonymous blocks are not supported".to_string(),
        })?;
        let end = usize::try_from(self.cursor).unwrap_or(0) + 1;

        self.imports += 1;
        if self.imports > MAX_IMPORTS {
            return Err(Error::Syntax {
                position: import_token.position().clone(),
                message: format!("more than {MAX_IMPORTS} imports to expand"),
            });
        }
        if import_token.lexeme.token.import_chain.len() >= MAX_IMPORT_DEPTH {
            return Err(Error::Syntax {
                position: import_token.position().clone(),
                message: format!("imports are nested more than {MAX_IMPORT_DEPTH} levels deep"),
            });
        }

        let (imported, nodes) = match self.snippets.get(&pattern) {
            Some(tokens) => {
                let nodes = tokens
                    .first()
                    .map(|t| {
                        let name = t.snippet.as_deref().unwrap_or_default();
                        vec![format!("{}:{name}", t.position().file.display())]
                    })
                    .unwrap_or_default();
                (tokens.clone(), nodes)
            }
            None => self.import_files(&import_token, &pattern)?,
        };

        let mut node = import_token.position().file.display().to_string();
        if let Some(snippet) = &import_token.snippet {
            node.push(':');
            node.push_str(snippet);
        }
        self.graph
            .add_edges(&node, &nodes)
            .map_err(|message| Error::Syntax {
                position: import_token.position().clone(),
                message,
            })?;

        let replaced =
            substitute_imported(imported, &import_token, &args, &block, &mapping, nesting);
        if self.tokens.len() - (end - start) + replaced.len() > MAX_TOKENS {
            return Err(self.limit_error(import_token.position().clone()));
        }
        self.tokens.splice(start..end, replaced);
        self.cursor = start as isize;
        Ok(())
    }

    /// The tokens inside a `{ … }` that follows the import's arguments on the same line.
    fn import_block(&mut self) -> Result<Vec<Tok>, Error> {
        let opens = match (self.current(), self.at(1)) {
            (Some(cur), Some(next)) => next.is("{") && !on_new_line(cur, next),
            _ => false,
        };
        if !opens {
            return Ok(Vec::new());
        }
        self.cursor += 1;
        let mut depth = 1usize;
        let mut tokens = Vec::new();
        while self.next() {
            if self.current_is("}") {
                depth -= 1;
                if depth == 0 {
                    return Ok(tokens);
                }
            } else if self.current_is("{") {
                depth += 1;
            }
            tokens.extend(self.current().cloned());
        }
        Err(self.eof_err())
    }

    /// Lexes every file matched by `pattern`, relative to the importing file.
    fn import_files(
        &mut self,
        import_token: &Tok,
        pattern: &str,
    ) -> Result<(Vec<Tok>, Vec<String>), Error> {
        let here = |message: String| Error::Syntax {
            position: import_token.position().clone(),
            message,
        };
        let base = import_token
            .position()
            .file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let glob = if Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            base.join(pattern)
        };
        let glob_text = glob.to_string_lossy().to_string();
        if glob_text.matches('*').count() > 1
            || glob_text.matches('?').count() > 1
            || (glob_text.contains('[') && glob_text.contains(']'))
        {
            return Err(here(format!(
                "Glob pattern may only contain one wildcard (*), but has others: {glob_text}"
            )));
        }
        // Out of bounds: neither the file nor (for a glob) its folder is read.
        let wildcard = glob_text.contains(['*', '?']);
        let checked = if wildcard {
            glob.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            glob.clone()
        };
        if !self.limit.allows_in(&checked, self.fs) {
            self.skipped_imports.push(super::SkippedImport {
                position: import_token.position().clone(),
                path: glob,
            });
            return Ok((Vec::new(), Vec::new()));
        }
        let mut matches = expand_glob(&glob, self.fs);
        // A glob's match may be a link that leads out of bounds.
        matches.retain(|m| {
            let allowed = self.limit.allows_in(m, self.fs);
            if !allowed {
                self.skipped_imports.push(super::SkippedImport {
                    position: import_token.position().clone(),
                    path: m.clone(),
                });
            }
            allowed
        });
        if matches.is_empty() && !glob_text.contains(['*', '?', '[', ']']) {
            return Err(here(format!("File to import not found: {pattern}")));
        }
        // like Caddy, `dir/*…` skips dotfiles
        let last = glob.file_name().map(|n| n.to_string_lossy().to_string());
        if last.is_some_and(|l| l.starts_with('*')) {
            matches.retain(|m| {
                !m.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            });
        }
        let mut tokens = Vec::new();
        for file in &matches {
            if self.fs.is_dir(file) {
                return Err(here(format!(
                    "Could not import {}: is a directory",
                    file.display()
                )));
            }
            let text = read_text(self.fs, file)
                .map_err(|e| here(format!("Could not import {}: {e}", file.display())))?;
            self.files.push(file.clone());
            if text.trim().is_empty() {
                continue;
            }
            let loaded = self.load(file, &text).map_err(|e| match e {
                Error::Syntax { position, message } => Error::Syntax {
                    position,
                    message: format!(
                        "Could not read tokens while importing {}: {message}",
                        file.display()
                    ),
                },
                other => other,
            })?;
            if tokens.len() + loaded.len() > MAX_TOKENS {
                return Err(self.limit_error(import_token.position().clone()));
            }
            tokens.extend(loaded);
        }
        let nodes = matches.iter().map(|m| m.display().to_string()).collect();
        Ok((tokens, nodes))
    }
}

/// Splits an import block into `{blocks.key}` values: a key followed by
/// arguments on its line, or by a block of its own.
fn block_mapping(block: &[Tok]) -> Result<BlockMapping, Position> {
    let mut mapping = BlockMapping::new();
    let mut index = 0;
    while let Some(key) = block.get(index) {
        if key.is("{") {
            return Err(key.position().clone());
        }
        index += 1;
        let mut values = Vec::new();
        let mut prev = key;
        while let Some(tok) = block.get(index) {
            if on_new_line(prev, tok) {
                break;
            }
            index += 1;
            prev = tok;
            if !tok.is("{") {
                values.push(tok.clone());
                continue;
            }
            let mut depth = 1usize;
            let take = values.is_empty();
            while let Some(inner) = block.get(index) {
                index += 1;
                prev = inner;
                if inner.is("}") {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                } else if inner.is("{") {
                    depth += 1;
                }
                if take {
                    values.push(inner.clone());
                }
            }
        }
        mapping.insert(key.text().to_string(), values);
    }
    Ok(mapping)
}

/// Copies the imported tokens with their import chain, `{block}`,
/// `{blocks.key}`, `{args[i:j]}` and `{args[N]}` replaced. Arguments are not
/// replaced inside snippets that a top-level import defines.
fn substitute_imported(
    imported: Vec<Tok>,
    import_token: &Tok,
    args: &[String],
    block: &[Tok],
    mapping: &BlockMapping,
    mut nesting: i64,
) -> Vec<Tok> {
    let mut chain = import_token.lexeme.token.import_chain.clone();
    chain.push(import_token.position().clone());
    let mut out = Vec::with_capacity(imported.len());
    let (mut in_snippet, mut maybe_snippet_name) = (false, false);
    let mut index_on_line = 0usize;
    let mut prev: Option<Tok> = None;
    for mut tok in imported {
        tok.lexeme.token.import_chain = chain.clone();
        if !in_snippet && nesting == 0 {
            let starts_line = prev.as_ref().is_none_or(|p| on_new_line(p, &tok));
            index_on_line = if starts_line { 0 } else { index_on_line + 1 };
            let text = tok.text();
            if index_on_line == 0 && text.len() >= 3 && text.starts_with('(') && text.ends_with(')')
            {
                maybe_snippet_name = true;
            }
        }
        prev = Some(tok.clone());
        if tok.is("{") {
            nesting += 1;
            if index_on_line == 1 && maybe_snippet_name && nesting == 1 {
                in_snippet = true;
                maybe_snippet_name = false;
            }
        } else if tok.is("}") {
            nesting -= 1;
            if nesting == 0 && in_snippet {
                in_snippet = false;
            }
        }

        let text = tok.text();
        let block_value = if text == "{block}" {
            Some(block)
        } else {
            text.strip_prefix("{blocks.")
                .and_then(|rest| rest.strip_suffix('}'))
                .map(|key| mapping.get(key).map_or(&[][..], Vec::as_slice))
        };
        if let Some(value) = block_value {
            if value.is_empty() {
                // nothing given: the placeholder stays, as in Caddy
                out.push(tok);
            } else {
                out.extend(value.iter().cloned());
            }
            continue;
        }
        if in_snippet {
            out.push(tok);
            continue;
        }
        if let Some(range) = variadic_range(text, args.len()) {
            for arg in args.get(range).unwrap_or_default() {
                let mut copy = tok.clone();
                copy.lexeme.token.text = arg.clone();
                out.push(copy);
            }
            continue;
        }
        tok.lexeme.token.text = replace_args(text, args);
        out.push(tok);
    }
    out
}

/// The argument range of a whole-token `{args[i:j]}` (either bound optional).
fn variadic_range(text: &str, count: usize) -> Option<std::ops::Range<usize>> {
    let inner = text.strip_prefix("{args[")?.strip_suffix("]}")?;
    let (start, end) = inner.split_once(':')?;
    let start = if start.is_empty() {
        0
    } else {
        start.parse().ok()?
    };
    let end = if end.is_empty() {
        count
    } else {
        end.parse().ok()?
    };
    (start <= end && end <= count).then_some(start..end)
}

/// Replaces `{args[N]}` and the deprecated `{args.N}` when argument N exists.
fn replace_args(text: &str, args: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let key = &rest[open + 1..close];
        let index = key
            .strip_prefix("args[")
            .and_then(|k| k.strip_suffix(']'))
            .or_else(|| key.strip_prefix("args."))
            .and_then(|n| n.parse::<usize>().ok());
        match index.and_then(|i| args.get(i)) {
            Some(value) => {
                out.push_str(&rest[..open]);
                out.push_str(value);
                rest = &rest[close + 1..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Expands a path with at most one `*`/`?` wildcard (in any component), sorted.
fn expand_glob(pattern: &Path, files: &dyn sourcefs::FileSystem) -> Vec<PathBuf> {
    let mut found = vec![PathBuf::new()];
    for component in pattern.components() {
        let part = component.as_os_str().to_string_lossy();
        let wild = matches!(component, Component::Normal(_)) && part.contains(['*', '?']);
        let mut next = Vec::new();
        for dir in &found {
            if !wild {
                next.push(dir.join(component.as_os_str()));
                continue;
            }
            let listing = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir.as_path()
            };
            let Ok(mut names) = files.list_dir(listing) else {
                continue;
            };
            names.retain(|name| wildcard_match(&part, name));
            names.sort();
            next.extend(names.into_iter().map(|n| dir.join(n)));
        }
        found = next;
    }
    found.retain(|p| !p.as_os_str().is_empty() && files.exists(p));
    found
}

/// `*` matches any run of characters, `?` one character.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == '?' || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_and_variadic() {
        let args = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            replace_args("x{args[1]}y{args.0}{args[5]}", &args),
            "xbya{args[5]}"
        );
        assert_eq!(variadic_range("{args[:]}", 2), Some(0..2));
        assert_eq!(variadic_range("{args[1:]}", 2), Some(1..2));
        assert_eq!(variadic_range("{args[0]}", 2), None);
        assert_eq!(variadic_range("{args[1:5]}", 2), None);
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*.txt", "a.txt"));
        assert!(wildcard_match("import_*", "import_glob0.txt"));
        assert!(!wildcard_match("*.txt", "a.conf"));
        assert!(wildcard_match("a?c", "abc"));
    }

    #[test]
    fn cycles() {
        let mut graph = ImportGraph::default();
        graph.add_edges("A", &["B".to_string()]).unwrap();
        graph.add_edges("B", &["C".to_string()]).unwrap();
        let err = graph.add_edges("C", &["A".to_string()]).unwrap_err();
        assert_eq!(err, "a cycle of imports exists between C and A");
    }
}
