//! Server blocks and directives, with snippets and imports expanded.
//!
//! The grouping follows Caddy's `parse.go`: a flat token list is walked with
//! a cursor, `import` splices the imported tokens in place, and every server
//! block is cut into segments (one directive with its block). Segments are
//! then folded into [`Directive`] trees.

mod imports;

use crate::env::{self, EnvUse};
use crate::lexer::{self, Lexeme, Quote};
use crate::source::SourceMap;
use crate::{Env, Error, Position, Token};
use imports::ImportGraph;
use sourcefs::{Disk, FileSystem};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Most tokens a Caddyfile may expand to (imports and snippets included).
const MAX_TOKENS: usize = 100_000;
/// Most `import`s expanded in one Caddyfile.
const MAX_IMPORTS: usize = 10_000;
/// Longest chain of nested imports.
const MAX_IMPORT_DEPTH: usize = 32;
/// Deepest `{ … }` nesting.
const MAX_NESTING: usize = 64;

/// A parsed Caddyfile: the optional global options block and the server
/// blocks in file order, snippets and imports already expanded.
#[derive(Debug, Clone, Default)]
pub struct Caddyfile {
    /// Directives of the first, key-less `{ … }` block (global options).
    pub global_options: Vec<Directive>,
    pub server_blocks: Vec<ServerBlock>,
    /// Named routes `&(name) { … }`: the key is the name, the directives the route's.
    pub named_routes: Vec<ServerBlock>,
    /// Every `{$VAR}` placeholder that was substituted, in file order.
    pub env_uses: Vec<crate::env::EnvUse>,
    /// Every file read (the top-level one first, then imports).
    pub files: Vec<std::path::PathBuf>,
    /// Imports left unread because [`ReadLimit`] puts their files out of bounds.
    pub skipped_imports: Vec<SkippedImport>,
}

/// Which files imports may read: those under one of `dirs` or among `files`
/// (after symlinks are resolved). The default reads every file, like Caddy.
#[derive(Debug, Clone, Default)]
pub struct ReadLimit {
    /// Canonical folders whose files may be read; empty with `files` empty means no limit.
    pub dirs: Vec<PathBuf>,
    /// Canonical files that may be read wherever they are.
    pub files: Vec<PathBuf>,
}

impl ReadLimit {
    /// Whether `path` may be read. A path that does not resolve (missing)
    /// is allowed: reading it fails with Caddy's own error, which shows no content.
    pub fn allows(&self, path: &Path) -> bool {
        self.allows_in(path, &Disk)
    }

    /// [`ReadLimit::allows`] with links resolved in `files`.
    pub fn allows_in(&self, path: &Path, files: &dyn FileSystem) -> bool {
        if self.dirs.is_empty() && self.files.is_empty() {
            return true;
        }
        match files.canonicalize(path) {
            Ok(real) => self.dirs.iter().any(|d| real.starts_with(d)) || self.files.contains(&real),
            Err(_) => true,
        }
    }
}

/// An `import` whose file lies outside the [`ReadLimit`]: not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedImport {
    /// Where the `import` is written.
    pub position: Position,
    /// The file or glob it names, resolved against the importing file's folder.
    pub path: PathBuf,
}

/// A server block: its keys (site addresses) and directives.
#[derive(Debug, Clone)]
pub struct ServerBlock {
    pub keys: Vec<Token>,
    pub directives: Vec<Directive>,
    /// Position of the opening `{` or, for a brace-less single site, of the first key.
    pub position: Position,
    /// `false` for a brace-less single site (`example.com` then directives).
    pub has_braces: bool,
}

/// One directive (a "segment" in Caddy's words): its name, its arguments on
/// the same logical line, and the directives of the block that ends the line.
#[derive(Debug, Clone)]
pub struct Directive {
    pub name: Token,
    pub args: Vec<Token>,
    pub block: Vec<Directive>,
}

impl Directive {
    /// The position of the directive's name.
    pub fn position(&self) -> &Position {
        &self.name.position
    }
}

/// Parses the file at `path`; imports are resolved relative to its folder.
pub fn parse_file(path: &Path, env: &Env) -> Result<Caddyfile, Error> {
    parse_file_within(path, env, &ReadLimit::default())
}

/// Like [`parse_file`], but imports read only the files `limit` allows; the
/// others are listed in [`Caddyfile::skipped_imports`] and add no tokens.
pub fn parse_file_within(path: &Path, env: &Env, limit: &ReadLimit) -> Result<Caddyfile, Error> {
    parse_file_in(path, env, limit, &Disk)
}

/// Like [`parse_file_within`], with the Caddyfile and every import read from
/// `files` instead of the disk (e.g. a [`sourcefs::MemoryFiles`]).
pub fn parse_file_in(
    path: &Path,
    env: &Env,
    limit: &ReadLimit,
    files: &dyn FileSystem,
) -> Result<Caddyfile, Error> {
    let text = read_text(files, path)?;
    parse_str_at(path, &text, env, limit, files)
}

/// Parses `text` as if read from a file named `name` (imports are resolved
/// relative to the current directory, like Caddy's adapt tests).
pub fn parse_str(name: &str, text: &str, env: &Env) -> Result<Caddyfile, Error> {
    parse_str_at(Path::new(name), text, env, &ReadLimit::default(), &Disk)
}

/// Largest Caddyfile (or imported file) read.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads at most [`MAX_FILE_BYTES`] and fails past that: `/dev/zero` or a
/// pipe has no size in its metadata and never ends.
fn read_text(files: &dyn FileSystem, path: &Path) -> Result<String, Error> {
    let bytes = files
        .read(path, MAX_FILE_BYTES)
        .map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
    String::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
        path: path.to_path_buf(),
        byte: e.utf8_error().valid_up_to(),
    })
}

fn parse_str_at(
    path: &Path,
    text: &str,
    env: &Env,
    limit: &ReadLimit,
    files: &dyn FileSystem,
) -> Result<Caddyfile, Error> {
    let mut parser = Parser {
        limit,
        fs: files,
        skipped_imports: Vec::new(),
        tokens: Vec::new(),
        cursor: -1,
        env,
        snippets: HashMap::new(),
        nesting: 0,
        graph: ImportGraph::default(),
        files: vec![path.to_path_buf()],
        env_uses: Vec::new(),
        block: RawBlock::default(),
        eof: false,
        imports: 0,
        start: Position {
            file: Arc::new(path.to_path_buf()),
            line: 1,
            column: 1,
        },
    };
    parser.tokens = parser.load(path, text)?;
    let blocks = parser.parse_all()?;
    assemble(parser, blocks)
}

/// A token in the parser's list, with what grouping and imports need.
#[derive(Debug, Clone)]
struct Tok {
    lexeme: Lexeme,
    /// The snippet the token was defined in, if any (import cycles are tracked per snippet).
    snippet: Option<Arc<str>>,
}

impl Tok {
    fn text(&self) -> &str {
        &self.lexeme.token.text
    }

    fn is(&self, text: &str) -> bool {
        self.lexeme.quote == Quote::None && self.lexeme.token.text == text
    }

    fn position(&self) -> &Position {
        &self.lexeme.token.position
    }
}

/// Caddy's `isNextOnNewLine`: tokens of different files or import chains
/// are always on different lines.
fn on_new_line(prev: &Tok, next: &Tok) -> bool {
    let (a, b) = (&prev.lexeme.token, &next.lexeme.token);
    if a.position.file != b.position.file || a.import_chain != b.import_chain {
        return true;
    }
    prev.lexeme.line.saturating_add(prev.lexeme.line_breaks()) < next.lexeme.line
}

#[derive(Debug, Default)]
struct RawBlock {
    keys: Vec<Tok>,
    segments: Vec<Vec<Tok>>,
    has_braces: bool,
    named_route: bool,
    brace: Option<Position>,
}

struct Parser<'e> {
    /// Which files imports may read.
    limit: &'e ReadLimit,
    /// Where they are read from.
    fs: &'e dyn FileSystem,
    skipped_imports: Vec<SkippedImport>,
    tokens: Vec<Tok>,
    /// Index of the current token; -1 before the first.
    cursor: isize,
    env: &'e Env,
    snippets: HashMap<String, Vec<Tok>>,
    nesting: usize,
    graph: ImportGraph,
    files: Vec<PathBuf>,
    env_uses: Vec<EnvUse>,
    block: RawBlock,
    eof: bool,
    /// `import`s expanded so far.
    imports: usize,
    /// Where errors point when there is no token at all.
    start: Position,
}

impl Parser<'_> {
    /// Substitutes `{$VAR}`, lexes, and records the file's env uses.
    fn load(&mut self, path: &Path, text: &str) -> Result<Vec<Tok>, Error> {
        let substituted = env::substitute(text, self.env);
        let map = SourceMap::new(Arc::new(path.to_path_buf()), text, Some(&substituted.map));
        for raw in &substituted.uses {
            self.env_uses.push(EnvUse {
                name: raw.name.clone(),
                default: raw.default.clone(),
                value: raw.value.clone(),
                position: map.position_in_original(raw.offset),
            });
        }
        let lexemes = lexer::lex(&substituted.text, &map)?;
        if lexemes.len() > MAX_TOKENS {
            return Err(self.limit_error(map.position(0)));
        }
        Ok(lexemes
            .into_iter()
            .map(|lexeme| Tok {
                lexeme,
                snippet: None,
            })
            .collect())
    }

    fn limit_error(&self, position: Position) -> Error {
        Error::Syntax {
            position,
            message: format!("Caddyfile expands to more than {MAX_TOKENS} tokens (imports and snippets included)"),
        }
    }

    // --- dispenser ---

    fn current(&self) -> Option<&Tok> {
        usize::try_from(self.cursor)
            .ok()
            .and_then(|i| self.tokens.get(i))
    }

    fn at(&self, offset: isize) -> Option<&Tok> {
        usize::try_from(self.cursor + offset)
            .ok()
            .and_then(|i| self.tokens.get(i))
    }

    fn val(&self) -> &str {
        self.current().map_or("", Tok::text)
    }

    fn current_is(&self, text: &str) -> bool {
        self.current().is_some_and(|t| t.is(text))
    }

    fn next(&mut self) -> bool {
        if self.cursor + 1 < self.tokens.len() as isize {
            self.cursor += 1;
            true
        } else {
            false
        }
    }

    /// Whether the current token starts a line.
    fn is_new_line(&self) -> bool {
        match (self.at(-1), self.current()) {
            (_, None) if self.cursor < 1 => true,
            (None, _) => true,
            (Some(prev), Some(cur)) => on_new_line(prev, cur),
            (Some(_), None) => false,
        }
    }

    /// Whether the token after the current one starts a line (or there is none).
    fn is_next_on_new_line(&self) -> bool {
        match (self.current(), self.at(1)) {
            (Some(cur), Some(next)) => on_new_line(cur, next),
            (None, _) => self.cursor >= 0,
            (Some(_), None) => true,
        }
    }

    /// Advances to the next token if it is on the same line and not a `{`.
    fn next_arg(&mut self) -> bool {
        let same_line = match (self.current(), self.at(1)) {
            (Some(cur), Some(next)) => !on_new_line(cur, next) && !next.is("{"),
            (None, Some(next)) => self.cursor < 0 && !next.is("{"),
            _ => false,
        };
        if same_line {
            self.cursor += 1;
        }
        same_line
    }

    fn position(&self) -> Position {
        self.current()
            .or_else(|| self.tokens.last())
            .map_or_else(|| self.start.clone(), |t| t.position().clone())
    }

    fn err(&self, message: impl Into<String>) -> Error {
        Error::Syntax {
            position: self.position(),
            message: message.into(),
        }
    }

    fn eof_err(&self) -> Error {
        self.err("Unexpected EOF")
    }

    fn arg_err(&self) -> Error {
        self.err(format!(
            "wrong argument count or unexpected line ending after '{}'",
            self.val()
        ))
    }

    fn syntax_err(&self, expected: &str) -> Error {
        self.err(format!(
            "syntax error: unexpected token '{}', expecting '{expected}'",
            self.val()
        ))
    }

    // --- server blocks ---

    fn parse_all(&mut self) -> Result<Vec<RawBlock>, Error> {
        let mut blocks = Vec::new();
        while self.next() {
            self.block = RawBlock::default();
            self.begin()?;
            let block = std::mem::take(&mut self.block);
            if !block.keys.is_empty() || !block.segments.is_empty() {
                blocks.push(block);
            }
            if self.nesting > 0 {
                return Err(self.eof_err());
            }
        }
        Ok(blocks)
    }

    fn begin(&mut self) -> Result<(), Error> {
        self.addresses()?;
        if self.eof {
            // a file holding only a line of addresses
            return Ok(());
        }
        if let Some(name) = self.single_key_between("&(", ")") {
            let mut tokens = self.block_tokens(true)?;
            let mut key = self.block.keys.swap_remove(0);
            key.lexeme.token.text = name;
            // the name leads the segment, so the block folds as its directive
            tokens.insert(0, key.clone());
            self.block.keys = vec![key];
            self.block.named_route = true;
            self.block.segments = vec![tokens];
            return Ok(());
        }
        if let Some(name) = self.single_key_between("(", ")") {
            if self.snippets.contains_key(&name) {
                return Err(self.err(format!(
                    "redeclaration of previously declared snippet {name}"
                )));
            }
            let shared: Arc<str> = Arc::from(name.as_str());
            let tokens = self
                .block_tokens(false)?
                .into_iter()
                .map(|mut t| {
                    t.snippet = Some(Arc::clone(&shared));
                    t
                })
                .collect();
            self.snippets.insert(name, tokens);
            self.block.keys.clear();
            return Ok(());
        }
        self.block_contents()
    }

    /// The name inside a lone key such as `(name)` or `&(name)`.
    fn single_key_between(&self, open: &str, close: &str) -> Option<String> {
        match self.block.keys.as_slice() {
            [key] => key
                .text()
                .strip_prefix(open)
                .and_then(|rest| rest.strip_suffix(close))
                .map(str::to_string),
            _ => None,
        }
    }

    fn addresses(&mut self) -> Result<(), Error> {
        let mut expecting_another = false;
        loop {
            let value = self.val().to_string();
            if value.starts_with('@') {
                return Err(self.err(format!("request matchers may not be defined globally, they must be in a site block; found {value}")));
            }
            if value == "import" && self.is_new_line() {
                self.do_import(0)?;
                continue;
            }
            if self.current_is("{") {
                if expecting_another {
                    return Err(self.err(format!(
                        "Expected another address but had '{value}' - check for extra comma"
                    )));
                }
                self.block.has_braces = true;
                self.block.brace = Some(self.position());
                break;
            }
            if value.ends_with('{') {
                return Err(self.err(format!("Site addresses cannot end with a curly brace: '{value}' - put a space between the token and the brace")));
            }
            if !value.is_empty() {
                let address = match value.strip_suffix(',') {
                    Some(stripped) => {
                        expecting_another = true;
                        stripped
                    }
                    None => {
                        expecting_another = false;
                        value.as_str()
                    }
                };
                if address.contains(',') {
                    return Err(self.err(format!("Site addresses cannot contain a comma ',': '{address}' - put a space after the comma to separate site addresses")));
                }
                if !address.is_empty() {
                    if let Some(current) = self.current() {
                        let mut key = current.clone();
                        key.lexeme.token.text = address.to_string();
                        self.block.keys.push(key);
                    }
                }
            }
            let has_next = self.next();
            if expecting_another && !has_next {
                return Err(self.eof_err());
            }
            if !has_next {
                self.eof = true;
                break;
            }
            if !expecting_another && self.is_new_line() {
                break;
            }
        }
        Ok(())
    }

    fn block_contents(&mut self) -> Result<(), Error> {
        let braced = self.current_is("{");
        if !braced {
            // a single site may omit the braces
            self.cursor -= 1;
        }
        self.directives()?;
        if braced && !self.current_is("}") {
            return Err(self.syntax_err("}"));
        }
        Ok(())
    }

    fn directives(&mut self) -> Result<(), Error> {
        while self.next() {
            if self.current_is("}") {
                break;
            }
            if self.val() == "import" {
                self.do_import(1)?;
                self.cursor -= 1;
                continue;
            }
            self.directive()?;
        }
        Ok(())
    }

    /// Collects one segment: the directive's line and the block it opens.
    fn directive(&mut self) -> Result<(), Error> {
        let mut segment: Vec<Tok> = self.current().cloned().into_iter().collect();
        while self.next() {
            let quoted = self
                .current()
                .is_some_and(|t| t.lexeme.quote != Quote::None);
            let value = self.val();
            if value == "{" && !quoted {
                self.nesting += 1;
                if self.nesting > MAX_NESTING {
                    return Err(self.err(format!(
                        "blocks are nested more than {MAX_NESTING} levels deep"
                    )));
                }
                if !self.is_next_on_new_line() {
                    return Err(self.err("Unexpected next token after '{' on same line"));
                }
                if self.is_new_line() {
                    return Err(self.err("Unexpected '{' on a new line; did you mean to place the '{' on the previous line?"));
                }
            } else if value == "{}" && !quoted {
                if self.is_next_on_new_line() {
                    return Err(self.err("Unexpected '{}' at end of line"));
                }
            } else if self.is_new_line() && self.nesting == 0 {
                self.cursor -= 1;
                break;
            } else if value == "}" && !quoted && self.nesting > 0 {
                self.nesting -= 1;
            } else if value == "}" && !quoted {
                return Err(self.err("Unexpected '}' because no matching opening brace"));
            } else if value == "import" && self.is_new_line() {
                self.do_import(1)?;
                self.cursor -= 1;
                continue;
            }
            segment.extend(self.current().cloned());
        }
        self.block.segments.push(segment);
        if self.nesting > 0 {
            return Err(self.eof_err());
        }
        Ok(())
    }

    /// Reads a whole `{ … }` block for later replay (snippets, named routes).
    fn block_tokens(&mut self, keep_braces: bool) -> Result<Vec<Tok>, Error> {
        if !self.current_is("{") {
            return Err(self.syntax_err("{"));
        }
        let mut tokens = Vec::new();
        if keep_braces {
            tokens.extend(self.current().cloned());
        }
        let mut nesting = 1usize;
        while self.next() {
            if self.current_is("}") {
                nesting -= 1;
                if nesting == 0 {
                    if keep_braces {
                        tokens.extend(self.current().cloned());
                    }
                    break;
                }
            }
            if self.current_is("{") {
                nesting += 1;
            }
            tokens.extend(self.current().cloned());
        }
        if nesting != 0 {
            return Err(self.syntax_err("}"));
        }
        Ok(tokens)
    }
}

/// Turns the flat blocks into the public tree.
fn assemble(parser: Parser<'_>, blocks: Vec<RawBlock>) -> Result<Caddyfile, Error> {
    let mut file = Caddyfile {
        env_uses: parser.env_uses,
        files: parser.files,
        skipped_imports: parser.skipped_imports,
        ..Caddyfile::default()
    };
    for (index, block) in blocks.into_iter().enumerate() {
        let position = block
            .brace
            .clone()
            .or_else(|| block.keys.first().map(|k| k.position().clone()))
            .or_else(|| {
                block
                    .segments
                    .first()
                    .and_then(|s| s.first())
                    .map(|t| t.position().clone())
            })
            .unwrap_or_else(|| parser.start.clone());
        if block.named_route {
            // the one segment is `name { … }`: fold it as a directive
            let mut directives = Vec::new();
            for segment in &block.segments {
                directives.extend(fold_segment(segment)?);
            }
            let block_directives = directives.into_iter().flat_map(|d| d.block).collect();
            file.named_routes.push(ServerBlock {
                keys: block.keys.into_iter().map(|k| k.lexeme.token).collect(),
                directives: block_directives,
                position,
                has_braces: true,
            });
            continue;
        }
        let mut directives = Vec::new();
        for segment in &block.segments {
            directives.extend(fold_segment(segment)?);
        }
        if block.keys.is_empty() {
            if index != 0 {
                return Err(Error::Syntax {
                    position,
                    message: "server block without any key is global configuration, and if used, it must be first".to_string(),
                });
            }
            file.global_options = directives;
            continue;
        }
        file.server_blocks.push(ServerBlock {
            keys: block.keys.into_iter().map(|k| k.lexeme.token).collect(),
            directives,
            position,
            has_braces: block.has_braces,
        });
    }
    Ok(file)
}

/// Folds one segment into a directive (none for an empty segment).
fn fold_segment(segment: &[Tok]) -> Result<Option<Directive>, Error> {
    let mut index = 0;
    match segment.first() {
        Some(name) => fold_directive(name, segment, &mut index, 0).map(Some),
        None => Ok(None),
    }
}

/// Folds the directive named by `tokens[*index]` (`name`): its arguments on
/// the same line, then the directives of any block the line opens.
fn fold_directive(
    name: &Tok,
    tokens: &[Tok],
    index: &mut usize,
    depth: usize,
) -> Result<Directive, Error> {
    *index += 1;
    let mut directive = Directive {
        name: name.lexeme.token.clone(),
        args: Vec::new(),
        block: Vec::new(),
    };
    let mut prev = name;
    while let Some(tok) = tokens.get(*index) {
        if on_new_line(prev, tok) {
            break;
        }
        *index += 1;
        prev = tok;
        if !tok.is("{") {
            directive.args.push(tok.lexeme.token.clone());
            continue;
        }
        if depth >= MAX_NESTING {
            return Err(Error::Syntax {
                position: tok.position().clone(),
                message: format!("blocks are nested more than {MAX_NESTING} levels deep"),
            });
        }
        while let Some(inner) = tokens.get(*index) {
            if inner.is("}") {
                *index += 1;
                prev = inner;
                break;
            }
            directive
                .block
                .push(fold_directive(inner, tokens, index, depth + 1)?);
            prev = tokens.get(*index - 1).unwrap_or(inner);
        }
    }
    Ok(directive)
}
