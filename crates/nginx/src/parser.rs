//! Directives and blocks, with `include` expanded (globs, relative to the
//! prefix) inside read limits: depth of blocks, number of included files,
//! bytes read, and the folders and files that may be read at all.

use crate::lexer::{tokenize, Token, TokenKind};
use crate::{Error, Position};
use sourcefs::{Disk, FileSystem};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A word of a directive.
#[derive(Debug, Clone)]
pub struct Arg {
    /// Without quotes; escapes as written (`\"` is `"`).
    pub text: String,
    pub quoted: bool,
    pub position: Position,
}

/// One directive: `name args… ;` or `name args… { block }`.
#[derive(Debug, Clone)]
pub struct Directive {
    pub name: String,
    pub args: Vec<Arg>,
    pub position: Position,
    pub block: Option<Vec<Directive>>,
    /// For `include`: the directives of the files it included, in order.
    pub included: Vec<Directive>,
    /// For `include`: a file it names was not read (outside the limits,
    /// missing, in the image, or includes not followed), so what it sets is
    /// unknown. A glob that matches nothing and an empty file are read.
    pub unread: bool,
}

impl Directive {
    pub fn arg(&self, index: usize) -> Option<&str> {
        self.args.get(index).map(|a| a.text.as_str())
    }
}

/// An `include` that was not followed.
#[derive(Debug, Clone)]
pub struct SkippedInclude {
    pub pattern: String,
    /// The host path it would read.
    pub path: PathBuf,
    pub position: Position,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// Outside the folders and files that may be read.
    OutsideLimit,
    /// No such file.
    NotFound,
    /// A container path no mount maps: a file of the image.
    InImage,
}

/// What may be read and how container paths map to files.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The folder relative includes start from (nginx's `--conf-path` folder, `/etc/nginx`).
    pub prefix: Option<PathBuf>,
    /// Container path prefixes and the host paths mounted there, e.g. `/etc/nginx/conf.d` → `./nginx/conf.d`.
    pub path_map: Vec<(String, PathBuf)>,
    /// Folders whose files may be read; empty means any.
    pub dirs: Vec<PathBuf>,
    /// Single files that may be read although outside `dirs`.
    pub files: Vec<PathBuf>,
    pub follow_includes: bool,
    /// nginx runs in a container: an absolute path no mount maps is a
    /// file of the image, not of this machine.
    pub in_container: bool,
    pub max_depth: usize,
    pub max_includes: usize,
    pub max_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            prefix: None,
            path_map: Vec::new(),
            dirs: Vec::new(),
            files: Vec::new(),
            follow_includes: true,
            in_container: false,
            max_depth: 64,
            max_includes: 512,
            max_bytes: 16 * 1024 * 1024,
        }
    }
}

/// A parsed configuration file with everything it included.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The main file first, then included files in the order they were read.
    pub files: Vec<PathBuf>,
    pub directives: Vec<Directive>,
    pub skipped_includes: Vec<SkippedInclude>,
}

/// Parses text of one file; `include` is kept but not followed.
pub fn parse_str(file: impl AsRef<Path>, text: &str) -> Result<Vec<Directive>, Error> {
    let file: Arc<Path> = Arc::from(file.as_ref());
    let tokens = tokenize(&file, text)?;
    let mut pos = 0;
    let options = ReadOptions {
        follow_includes: false,
        ..ReadOptions::default()
    };
    let mut state = State::new(&options, &Disk);
    let end = end_of_text(&file, text);
    state.block(&tokens, &mut pos, 0, &end)
}

/// Reads `path` and every file it includes.
pub fn parse_file(path: &Path, options: &ReadOptions) -> Result<Config, Error> {
    parse_file_in(path, options, &Disk)
}

/// Like [`parse_file`], with the file and every include read from `files`
/// instead of the disk (e.g. a [`sourcefs::MemoryFiles`]).
pub fn parse_file_in(
    path: &Path,
    options: &ReadOptions,
    files: &dyn FileSystem,
) -> Result<Config, Error> {
    let mut state = State::new(options, files);
    let directives = state.file(path, None)?;
    Ok(Config {
        files: state.files,
        directives,
        skipped_includes: state.skipped,
    })
}

struct State<'a> {
    options: &'a ReadOptions,
    fs: &'a dyn FileSystem,
    files: Vec<PathBuf>,
    skipped: Vec<SkippedInclude>,
    bytes: u64,
    /// Files being read, to stop include cycles.
    stack: Vec<PathBuf>,
}

impl<'a> State<'a> {
    fn new(options: &'a ReadOptions, fs: &'a dyn FileSystem) -> Self {
        State {
            options,
            fs,
            files: Vec::new(),
            skipped: Vec::new(),
            bytes: 0,
            stack: Vec::new(),
        }
    }

    fn file(&mut self, path: &Path, from: Option<&Position>) -> Result<Vec<Directive>, Error> {
        // The read stops past the bytes left: `/dev/zero` or a pipe has no
        // size in its metadata and never ends.
        let left = self.options.max_bytes.saturating_sub(self.bytes);
        let bytes = match self.fs.read(path, left) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Err(limit_error(
                    path,
                    from,
                    format!(
                        "more than {} bytes of configuration (limit)",
                        self.options.max_bytes
                    ),
                ))
            }
            Err(source) => {
                return Err(Error::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        self.bytes += bytes.len() as u64;
        // nginx reads bytes; text that is not UTF-8 (latin-1 comments) is read lossily.
        let text = String::from_utf8_lossy(&bytes);
        let file: Arc<Path> = Arc::from(path);
        let tokens = tokenize(&file, &text)?;
        self.files.push(path.to_path_buf());
        self.stack.push(
            self.fs
                .canonicalize(path)
                .unwrap_or_else(|_| path.to_path_buf()),
        );
        let mut pos = 0;
        let end = end_of_text(&file, &text);
        let result = self.block(&tokens, &mut pos, 0, &end);
        self.stack.pop();
        result
    }

    fn block(
        &mut self,
        tokens: &[Token],
        pos: &mut usize,
        depth: usize,
        end: &Position,
    ) -> Result<Vec<Directive>, Error> {
        let mut out = Vec::new();
        loop {
            let Some(first) = tokens.get(*pos) else {
                if depth > 0 {
                    let position = end.clone();
                    return Err(Error::Syntax {
                        position,
                        message: "unexpected end of file, expecting \"}\"".into(),
                    });
                }
                return Ok(out);
            };
            match first.kind {
                TokenKind::Close => {
                    *pos += 1;
                    if depth == 0 {
                        return Err(syntax(first, "unexpected \"}\""));
                    }
                    return Ok(out);
                }
                TokenKind::Semicolon | TokenKind::Open => {
                    return Err(syntax(first, &format!("unexpected \"{}\"", first.text)));
                }
                TokenKind::Word | TokenKind::Quoted => {}
            }
            *pos += 1;
            let mut directive = Directive {
                name: first.text.clone(),
                args: Vec::new(),
                position: first.position.clone(),
                block: None,
                included: Vec::new(),
                unread: false,
            };
            loop {
                let Some(token) = tokens.get(*pos) else {
                    return Err(Error::Syntax {
                        position: end.clone(),
                        message: "unexpected end of file, expecting \";\" or \"}\"".into(),
                    });
                };
                *pos += 1;
                match token.kind {
                    TokenKind::Word | TokenKind::Quoted => directive.args.push(Arg {
                        text: token.text.clone(),
                        quoted: token.kind == TokenKind::Quoted,
                        position: token.position.clone(),
                    }),
                    TokenKind::Semicolon => break,
                    TokenKind::Open => {
                        if depth + 1 > self.options.max_depth {
                            return Err(syntax(
                                token,
                                &format!(
                                    "blocks nested deeper than {} (limit)",
                                    self.options.max_depth
                                ),
                            ));
                        }
                        directive.block = Some(self.block(tokens, pos, depth + 1, end)?);
                        break;
                    }
                    TokenKind::Close => {
                        return Err(syntax(token, "unexpected \"}\""));
                    }
                }
            }
            if directive.name == "include" && directive.block.is_none() {
                match directive.arg(0).map(str::to_string) {
                    Some(pattern) if self.options.follow_includes => {
                        let before = self.skipped.len();
                        directive.included = self.include(&pattern, &directive.position)?;
                        directive.unread = self.skipped[before..]
                            .iter()
                            .any(|s| s.position == directive.position);
                    }
                    _ => directive.unread = true,
                }
            }
            out.push(directive);
        }
    }

    fn include(&mut self, pattern: &str, at: &Position) -> Result<Vec<Directive>, Error> {
        let is_glob = pattern.contains(['*', '?', '[']);
        let Some(host) = self.host_path(pattern, &at.file) else {
            // Single files mounted or copied to where the glob points.
            let mapped: Vec<PathBuf> = self
                .options
                .path_map
                .iter()
                .filter(|(container, _)| is_glob && path_glob_match(pattern, container))
                .map(|(_, host)| host.clone())
                .collect();
            if mapped.is_empty() {
                self.skipped.push(SkippedInclude {
                    pattern: pattern.to_string(),
                    path: PathBuf::from(pattern),
                    position: at.clone(),
                    reason: SkipReason::InImage,
                });
            }
            let mut out = Vec::new();
            for path in mapped {
                out.extend(self.include_one(pattern, path, is_glob, at)?);
            }
            return Ok(out);
        };
        let mut paths = if is_glob {
            expand_glob(&host, self.fs)
        } else {
            vec![host.clone()]
        };
        paths.sort();
        let mut out = Vec::new();
        for path in paths {
            out.extend(self.include_one(pattern, path, is_glob, at)?);
        }
        Ok(out)
    }

    fn include_one(
        &mut self,
        pattern: &str,
        path: PathBuf,
        is_glob: bool,
        at: &Position,
    ) -> Result<Vec<Directive>, Error> {
        let mut out = Vec::new();
        {
            if !self.fs.is_file(&path) {
                if !is_glob {
                    self.skipped.push(SkippedInclude {
                        pattern: pattern.to_string(),
                        path,
                        position: at.clone(),
                        reason: SkipReason::NotFound,
                    });
                }
                return Ok(out);
            }
            if !self.allowed(&path) {
                self.skipped.push(SkippedInclude {
                    pattern: pattern.to_string(),
                    path,
                    position: at.clone(),
                    reason: SkipReason::OutsideLimit,
                });
                return Ok(out);
            }
            let canonical = self.fs.canonicalize(&path).unwrap_or_else(|_| path.clone());
            if self.stack.contains(&canonical) {
                return Err(Error::Syntax {
                    position: at.clone(),
                    message: format!("include of {} includes itself", path.display()),
                });
            }
            if self.files.len() >= self.options.max_includes {
                return Err(Error::Syntax {
                    position: at.clone(),
                    message: format!(
                        "more than {} included files (limit)",
                        self.options.max_includes
                    ),
                });
            }
            out.extend(self.file(&path, Some(at))?);
        }
        Ok(out)
    }

    /// The host file an include names: container paths through the mounts,
    /// relative paths from the prefix (else from the including file's folder).
    fn host_path(&self, pattern: &str, including: &Path) -> Option<PathBuf> {
        if pattern.starts_with('/') {
            let best = self
                .options
                .path_map
                .iter()
                .filter(|(container, _)| {
                    let c = container.trim_end_matches('/');
                    pattern == c || pattern.starts_with(&format!("{c}/"))
                })
                .max_by_key(|(container, _)| container.len());
            if let Some((container, host)) = best {
                let rest = pattern[container.trim_end_matches('/').len()..].trim_start_matches('/');
                return Some(if rest.is_empty() {
                    host.clone()
                } else {
                    host.join(rest)
                });
            }
            return (!self.options.in_container).then(|| PathBuf::from(pattern));
        }
        match &self.options.prefix {
            Some(prefix) => Some(prefix.join(pattern)),
            // In a container without a mounted prefix, `include mime.types` is the image's.
            None if self.options.in_container => None,
            None => Some(including.parent().unwrap_or(Path::new(".")).join(pattern)),
        }
    }

    fn allowed(&self, path: &Path) -> bool {
        if self.options.dirs.is_empty() && self.options.files.is_empty() {
            return true;
        }
        let Ok(real) = self.fs.canonicalize(path) else {
            return true;
        };
        self.options.dirs.iter().any(|d| real.starts_with(d)) || self.options.files.contains(&real)
    }
}

fn syntax(token: &Token, message: &str) -> Error {
    Error::Syntax {
        position: token.position.clone(),
        message: message.to_string(),
    }
}

fn limit_error(path: &Path, from: Option<&Position>, message: String) -> Error {
    Error::Syntax {
        position: from.cloned().unwrap_or_else(|| Position {
            file: Arc::from(path),
            line: 1,
            column: 1,
        }),
        message,
    }
}

/// Where nginx says a file ends: the line after its last newline (an
/// unclosed block in a 4-line file ending with a newline is reported at 5).
fn end_of_text(file: &Arc<Path>, text: &str) -> Position {
    let line = 1 + text.matches('\n').count() as u32;
    let last = text.rsplit('\n').next().unwrap_or_default();
    Position {
        file: file.clone(),
        line,
        column: 1 + last.chars().count() as u32,
    }
}

/// Expands `*`, `?` and `[…]` in any component of `pattern`.
fn expand_glob(pattern: &Path, files: &dyn FileSystem) -> Vec<PathBuf> {
    let mut current = vec![PathBuf::new()];
    for component in pattern.components() {
        let part = component.as_os_str().to_string_lossy().to_string();
        let mut next = Vec::new();
        for base in &current {
            if part.contains(['*', '?', '[']) {
                let dir = if base.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    base.clone()
                };
                let Ok(names) = files.list_dir(&dir) else {
                    continue;
                };
                for name in names {
                    // Like glob(3): a leading dot is matched only explicitly.
                    if name.starts_with('.') && !part.starts_with('.') {
                        continue;
                    }
                    if glob_match(&part, &name) {
                        next.push(base.join(&name));
                    }
                }
            } else {
                next.push(base.join(component.as_os_str()));
            }
        }
        current = next;
        if current.len() > 10_000 {
            break;
        }
    }
    current
}

/// Whether a whole path matches a glob, component by component.
fn path_glob_match(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let n: Vec<&str> = path.split('/').collect();
    p.len() == n.len() && p.iter().zip(&n).all(|(p, n)| glob_match(p, n))
}

/// Whether `name` matches a shell glob component.
///
/// One pass with a return to the last `*` (no recursion per `*`): a pattern
/// of many stars against a long name costs its length times the name's, not
/// a number of tries that grows with the power of the stars.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    // After the last `*`: where the pattern goes on, and the name index it was tried at.
    let mut last_star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if p.get(pi) == Some(&'*') {
            pi += 1;
            last_star = Some((pi, ni));
            continue;
        }
        if let Some(next) = match_one(&p, pi, n[ni]) {
            pi = next;
            ni += 1;
            continue;
        }
        match last_star {
            Some((after, tried)) => {
                pi = after;
                ni = tried + 1;
                last_star = Some((after, tried + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether the pattern item at `pi` (`?`, a `[…]` class or a character)
/// matches `c`; the index after the item when it does.
fn match_one(p: &[char], pi: usize, c: char) -> Option<usize> {
    match p.get(pi)? {
        '?' => Some(pi + 1),
        '[' => {
            let Some(end) = p[pi..]
                .iter()
                .skip(1)
                .position(|&x| x == ']')
                .map(|e| pi + e + 1)
            else {
                return (c == '[').then_some(pi + 1);
            };
            let class = &p[pi + 1..end];
            let (negate, class) = match class.first() {
                Some('!') | Some('^') => (true, &class[1..]),
                _ => (false, class),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            (hit != negate).then_some(end + 1)
        }
        &x => (x == c).then_some(pi + 1),
    }
}
