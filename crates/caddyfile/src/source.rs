//! Turns byte offsets of the (substituted) text into positions in the original file.

use crate::env::OffsetMap;
use crate::Position;
use std::path::PathBuf;
use std::sync::Arc;

/// One file's original text, the line starts in it, and the map from the
/// text the lexer saw (after `{$VAR}` substitution) back to it.
pub(crate) struct SourceMap<'a> {
    pub file: Arc<PathBuf>,
    original: &'a str,
    line_starts: Vec<usize>,
    offsets: Option<&'a OffsetMap>,
}

impl<'a> SourceMap<'a> {
    pub fn new(file: Arc<PathBuf>, original: &'a str, offsets: Option<&'a OffsetMap>) -> Self {
        let line_starts = std::iter::once(0)
            .chain(original.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            file,
            original,
            line_starts,
            offsets,
        }
    }

    /// The position of byte `offset` of the lexed text.
    pub fn position(&self, offset: usize) -> Position {
        let orig = match self.offsets {
            Some(map) => map.original(offset),
            None => offset,
        };
        self.position_in_original(orig)
    }

    /// The position of byte `orig` of the original text.
    pub fn position_in_original(&self, orig: usize) -> Position {
        let orig = orig.min(self.original.len());
        let line_index = self.line_starts.partition_point(|&s| s <= orig).max(1) - 1;
        let start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let before = self.original.get(start..orig).unwrap_or("");
        // A byte order mark is dropped by the lexer, so it takes no column.
        let bom = usize::from(line_index == 0 && before.starts_with('\u{feff}'));
        let column = before.chars().count() - bom + 1;
        Position {
            file: Arc::clone(&self.file),
            line: u32::try_from(line_index + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let map = SourceMap::new(Arc::new(PathBuf::from("f")), "ab\nçé x\n", None);
        let p = map.position(8);
        assert_eq!((p.line, p.column), (2, 4));
        assert_eq!(map.position(0).line, 1);
    }
}
