//! Source code parsed into syntax trees with positions, for the checks that
//! read application code: TypeScript, TSX and JavaScript (the TSX grammar
//! reads JavaScript and JSX), and Python, through one API over tree-sitter.
//!
//! Budgets: at most [`MAX_BYTES`] of source, a parse deadline ([`DEADLINE`]),
//! and walks that use a cursor (no recursion, so no stack overflow on deep
//! nesting) and stop after [`MAX_NODES`] nodes. Syntax errors do not fail a
//! parse: tree-sitter recovers and marks them ([`Parsed::has_errors`]).
//! No dependency on the rest of stackdoctor.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::{Duration, Instant};

pub use tree_sitter::Node;

/// The largest source file parsed (bytes).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// How long one parse may take.
pub const DEADLINE: Duration = Duration::from_secs(2);
/// The most nodes one walk visits.
pub const MAX_NODES: usize = 2_000_000;

/// Why a file was not parsed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{bytes} bytes, more than the {limit} parsed")]
    TooLarge { bytes: usize, limit: usize },
    #[error("parsing took longer than {0:?}")]
    Timeout(Duration),
    #[error("the {0:?} grammar could not be loaded")]
    Grammar(Lang),
}

/// A language (grammar) of source files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    TypeScript,
    /// TSX, also used for JavaScript and JSX.
    Tsx,
    Python,
}

impl Lang {
    /// The grammar for a file name: `.ts` `.mts` `.cts` → TypeScript; `.tsx`
    /// `.js` `.jsx` `.mjs` `.cjs` → TSX; `.py` → Python; declaration files
    /// (`.d.ts`) none.
    pub fn of_path(path: &Path) -> Option<Lang> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if name.ends_with(".d.ts") || name.ends_with(".min.js") {
            return None;
        }
        match name.rsplit_once('.')?.1 {
            "ts" | "mts" | "cts" => Some(Lang::TypeScript),
            "tsx" | "js" | "jsx" | "mjs" | "cjs" => Some(Lang::Tsx),
            "py" => Some(Lang::Python),
            _ => None,
        }
    }

    fn grammar(self) -> tree_sitter::Language {
        match self {
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
        }
    }
}

/// A place in a file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// A parsed file.
pub struct Parsed {
    pub lang: Lang,
    text: String,
    tree: tree_sitter::Tree,
}

impl std::fmt::Debug for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parsed").field("lang", &self.lang).finish()
    }
}

/// Parses `text` as `lang` within the budgets.
pub fn parse(lang: Lang, text: &str) -> Result<Parsed, Error> {
    if text.len() > MAX_BYTES {
        return Err(Error::TooLarge {
            bytes: text.len(),
            limit: MAX_BYTES,
        });
    }
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&lang.grammar())
        .map_err(|_| Error::Grammar(lang))?;
    let started = Instant::now();
    let mut past_deadline = |_: &tree_sitter::ParseState| {
        if started.elapsed() > DEADLINE {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let bytes = text.as_bytes();
    let tree = parser
        .parse_with_options(
            &mut |offset, _| bytes.get(offset..).unwrap_or(&[]),
            None,
            Some(tree_sitter::ParseOptions::new().progress_callback(&mut past_deadline)),
        )
        .ok_or(Error::Timeout(DEADLINE))?;
    Ok(Parsed {
        lang,
        text: text.to_string(),
        tree,
    })
}

impl Parsed {
    pub fn root(&self) -> Node<'_> {
        self.tree.root_node()
    }

    pub fn source(&self) -> &str {
        &self.text
    }

    /// The source text of a node.
    pub fn text(&self, node: Node) -> &str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    /// Where a node starts.
    pub fn position(&self, node: Node) -> Position {
        self.position_of(node.start_byte())
    }

    /// The position of a byte offset.
    pub fn position_of(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position {
            line: before.matches('\n').count() as u32 + 1,
            column: self.text[line_start..offset].chars().count() as u32 + 1,
        }
    }

    /// Line `n` (1-based), without its end.
    pub fn line(&self, n: u32) -> &str {
        self.text
            .lines()
            .nth(n.saturating_sub(1) as usize)
            .unwrap_or("")
    }

    /// Whether tree-sitter had to recover from syntax errors.
    pub fn has_errors(&self) -> bool {
        self.root().has_error()
    }

    /// Every node below `node` (itself included), in source order, at most
    /// [`MAX_NODES`]; named nodes only.
    pub fn descendants<'t>(&'t self, node: Node<'t>) -> Vec<Node<'t>> {
        self.own_descendants(node, &[])
    }
}

impl Parsed {
    /// As [`Parsed::descendants`], without entering nodes below `node` whose
    /// kind is one of `scopes` (nested functions): the nodes that belong to
    /// `node` itself. One cursor walk, no parent lookups (tree-sitter finds a
    /// parent by walking down from the root).
    pub fn own_descendants<'t>(&'t self, node: Node<'t>, scopes: &[&str]) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        let mut cursor = node.walk();
        let mut visited = 0usize;
        loop {
            let current = cursor.node();
            visited += 1;
            if current.is_named() {
                out.push(current);
            }
            if visited >= MAX_NODES {
                break;
            }
            let enter = current == node || !scopes.contains(&current.kind());
            if enter && cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.node() == node {
                    return out;
                }
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return out;
                }
            }
        }
        out
    }
}

/// The nearest ancestor of `node` whose kind is one of `kinds`.
pub fn ancestor<'t>(node: Node<'t>, kinds: &[&str]) -> Option<Node<'t>> {
    let mut at = node.parent();
    while let Some(n) = at {
        if kinds.contains(&n.kind()) {
            return Some(n);
        }
        at = n.parent();
    }
    None
}

/// Whether `inner` lies within `outer`.
pub fn contains(outer: Node, inner: Node) -> bool {
    outer.start_byte() <= inner.start_byte() && inner.end_byte() <= outer.end_byte()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typescript_tsx_and_python_parse_with_positions() {
        let ts = parse(
            Lang::TypeScript,
            "const a: number = 1;\nthrow new Error('エラー');\n",
        )
        .unwrap();
        let throw = ts
            .descendants(ts.root())
            .into_iter()
            .find(|n| n.kind() == "throw_statement")
            .unwrap();
        assert_eq!(ts.position(throw), Position { line: 2, column: 1 });
        assert!(!ts.has_errors());
        let tsx = parse(
            Lang::Tsx,
            "const b = <button onClick={retry}>再試行</button>;\n",
        )
        .unwrap();
        assert!(tsx
            .descendants(tsx.root())
            .iter()
            .any(|n| n.kind() == "jsx_element"));
        let py = parse(Lang::Python, "def f():\n    raise ValueError('x')\n").unwrap();
        let raise = py
            .descendants(py.root())
            .into_iter()
            .find(|n| n.kind() == "raise_statement")
            .unwrap();
        assert_eq!(py.position(raise), Position { line: 2, column: 5 });
    }

    #[test]
    fn columns_count_characters_after_japanese() {
        let ts = parse(Lang::TypeScript, "const メッセージ = f(x);\n").unwrap();
        let call = ts
            .descendants(ts.root())
            .into_iter()
            .find(|n| n.kind() == "call_expression")
            .unwrap();
        assert_eq!(
            ts.position(call),
            Position {
                line: 1,
                column: 15
            }
        );
    }

    #[test]
    fn hostile_sources_are_bounded() {
        // Deep nesting either parses (and walks without recursion) or meets the deadline.
        let deep = "(".repeat(50_000) + &")".repeat(50_000);
        let started = Instant::now();
        match parse(Lang::Tsx, &deep) {
            Ok(parsed) => assert!(!parsed.descendants(parsed.root()).is_empty()),
            Err(e) => assert!(matches!(e, Error::Timeout(_)), "{e}"),
        }
        assert!(started.elapsed() < DEADLINE * 3);
        let nested = "[".repeat(3_000) + &"]".repeat(3_000);
        let parsed = parse(Lang::Tsx, &nested).unwrap();
        assert!(parsed.descendants(parsed.root()).len() >= 3_000);
        let big = "x".repeat(MAX_BYTES + 1);
        assert!(matches!(
            parse(Lang::Python, &big),
            Err(Error::TooLarge { .. })
        ));
        let broken = parse(Lang::TypeScript, "function (").unwrap();
        assert!(broken.has_errors());
    }

    #[test]
    fn file_names_choose_the_grammar() {
        assert_eq!(Lang::of_path(Path::new("a/b.ts")), Some(Lang::TypeScript));
        assert_eq!(Lang::of_path(Path::new("page.jsx")), Some(Lang::Tsx));
        assert_eq!(Lang::of_path(Path::new("x.d.ts")), None);
        assert_eq!(Lang::of_path(Path::new("app.py")), Some(Lang::Python));
        assert_eq!(Lang::of_path(Path::new("README.md")), None);
    }
}
