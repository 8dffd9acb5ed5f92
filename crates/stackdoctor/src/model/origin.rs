//! Where a value of the model came from: a place in a file, a log line, or a probe.

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A place in a file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FilePosition {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    /// How many characters the value spans on that line (0 = unknown).
    #[serde(skip_serializing_if = "is_zero")]
    pub length: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The provenance of a value or a piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// Written in a file at this position.
    File(FilePosition),
    /// A line of a log given with `--logs`.
    Log(FilePosition),
    /// Implied by a rule rather than written anywhere (e.g. compose's implicit `default` network).
    Implied { reason: String },
    /// Seen by a live probe.
    Probe { probe: String },
    /// Answered by the Docker Engine itself (what was asked, e.g. `GET /containers/shop-web-1/json`).
    Engine { call: String },
}

impl Origin {
    pub fn file(file: &Path, line: u32, column: u32, length: u32) -> Origin {
        Origin::File(FilePosition {
            file: file.to_path_buf(),
            line,
            column,
            length,
        })
    }

    /// A line of a `--logs` input (or a saved command output): what was
    /// seen, not a setting. Positions are 1-based; 0 is read as 1.
    pub fn log(file: &Path, line: u32, column: u32) -> Origin {
        Origin::Log(FilePosition {
            file: file.to_path_buf(),
            line: line.max(1),
            column: column.max(1),
            length: 0,
        })
    }

    pub fn implied(reason: impl Into<String>) -> Origin {
        Origin::Implied {
            reason: reason.into(),
        }
    }

    /// The file position, for file and log origins.
    pub fn position(&self) -> Option<&FilePosition> {
        match self {
            Origin::File(p) | Origin::Log(p) => Some(p),
            _ => None,
        }
    }

    /// `file:line:column` (relative to `root` when inside it), or the description.
    pub fn display(&self, root: &Path) -> String {
        match self {
            Origin::File(p) | Origin::Log(p) => {
                format!(
                    "{}:{}:{}",
                    relative(&p.file, root).display(),
                    p.line,
                    p.column
                )
            }
            Origin::Implied { reason } => reason.clone(),
            Origin::Probe { probe } => probe.clone(),
            Origin::Engine { call } => format!("Docker Engine: {call}"),
        }
    }
}

/// `path` relative to `root` when it lies inside it (`.` for the root itself).
pub fn relative<'a>(path: &'a Path, root: &Path) -> &'a Path {
    match path.strip_prefix(root) {
        Ok(rest) if rest.as_os_str().is_empty() => Path::new("."),
        Ok(rest) => rest,
        Err(_) => path,
    }
}

impl From<&compose::Position> for Origin {
    fn from(p: &compose::Position) -> Origin {
        Origin::file(&p.file, p.line, p.column, 0)
    }
}

impl From<&nginx::Position> for Origin {
    fn from(p: &nginx::Position) -> Origin {
        Origin::file(&p.file, p.line, p.column, 0)
    }
}

impl From<&caddyfile::Position> for Origin {
    fn from(p: &caddyfile::Position) -> Origin {
        Origin::file(&p.file, p.line, p.column, 0)
    }
}

/// A value together with its origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sourced<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Sourced<T> {
    pub fn new(value: T, origin: Origin) -> Self {
        Sourced { value, origin }
    }
}

/// The text of every file the sources read, so reports can quote lines
/// without reading files again.
#[derive(Debug, Clone, Default)]
pub struct SourceTexts {
    texts: BTreeMap<PathBuf, SourceText>,
}

/// One file's text and, once a line of it is asked for, where its lines start
/// (so that quoting line 80,000 of a large compose file does not scan it).
#[derive(Debug, Clone)]
struct SourceText {
    text: Arc<str>,
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceText {
    fn line(&self, index: usize) -> Option<&str> {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(at, _)| at + 1))
                .collect()
        });
        let start = *starts.get(index)?;
        if start == self.text.len() {
            return None;
        }
        let end = starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        Some(self.text[start..end].trim_end_matches('\r'))
    }
}

impl SourceTexts {
    pub fn insert(&mut self, path: &Path, text: &str) {
        let text = SourceText {
            text: Arc::from(text),
            line_starts: std::sync::OnceLock::new(),
        };
        self.texts.insert(path.to_path_buf(), text);
    }

    /// Every file read, with its text, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &str)> {
        self.texts
            .iter()
            .map(|(path, text)| (path.as_path(), &*text.text))
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.texts.contains_key(path)
    }

    /// The whole text of `path`, if a source read it.
    pub fn text(&self, path: &Path) -> Option<&str> {
        self.texts.get(path).map(|t| &*t.text)
    }

    /// Line `line` (1-based) of `path`, without its line ending.
    pub fn line(&self, path: &Path, line: u32) -> Option<&str> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        self.texts.get(path)?.line(index)
    }
}

#[cfg(test)]
mod tests {
    use super::SourceTexts;
    use std::path::Path;

    #[test]
    fn lines_are_quoted_as_str_lines_would_give_them() {
        let mut texts = SourceTexts::default();
        let path = Path::new("compose.yaml");
        for text in ["a\r\nb\n\nd\n", "a\nb", "", "\n", "x\r\n"] {
            texts.insert(path, text);
            let expected: Vec<&str> = text.lines().collect();
            for (index, line) in expected.iter().enumerate() {
                assert_eq!(texts.line(path, index as u32 + 1), Some(*line), "{text:?}");
            }
            assert_eq!(
                texts.line(path, expected.len() as u32 + 1),
                None,
                "{text:?}"
            );
            assert_eq!(texts.line(path, 0), None);
        }
        assert_eq!(texts.line(Path::new("other"), 1), None);
    }
}
