//! Finds where JSON records are in the input text without re-parsing it:
//! records are located by searching for `"key": <JSON-encoded value>` from a
//! cursor that only moves forward.

use std::cell::Cell;

use crate::model::Position;

/// Byte offset → 1-based line/column, plus forward searches.
pub(crate) struct Locator<'a> {
    pub(crate) text: &'a str,
    line_starts: Vec<usize>,
    /// (offset, line index, column) of the last answer, so that increasing
    /// offsets on one long line are counted incrementally.
    last: Cell<(usize, usize, u32)>,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Locator {
            text,
            line_starts,
            last: Cell::new((0, 0, 1)),
        }
    }

    /// 0-based index of the line holding `offset`.
    pub(crate) fn line_index(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset where 0-based line `index` starts.
    pub(crate) fn line_start(&self, index: usize) -> usize {
        self.line_starts
            .get(index)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// 1-based position of a byte offset (columns count characters).
    pub(crate) fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let idx = self.line_index(offset);
        let start = self.line_starts[idx];
        let (last_off, last_idx, last_col) = self.last.get();
        let (from, mut col) = if last_idx == idx && last_off <= offset && last_off >= start {
            (last_off, last_col)
        } else {
            (start, 1u32)
        };
        let slice = self.text.get(from..offset).unwrap_or("");
        col = col.saturating_add(u32::try_from(slice.chars().count()).unwrap_or(u32::MAX));
        self.last.set((offset, idx, col));
        Position {
            line: u32::try_from(idx + 1).unwrap_or(u32::MAX),
            column: col,
        }
    }

    /// Offset of `"key"` followed by `:` and the JSON encoding of `value`,
    /// searching `[from, end)`.
    pub(crate) fn find_key_value(
        &self,
        from: usize,
        end: usize,
        key: &str,
        value: &serde_json::Value,
    ) -> Option<usize> {
        let encoded = serde_json::to_string(value).ok()?;
        let hay = self.text.get(from..end.min(self.text.len()))?;
        let pattern = format!("\"{key}\"");
        let mut pos = 0;
        while let Some(i) = hay[pos..].find(&pattern) {
            let key_at = pos + i;
            let rest = hay[key_at + pattern.len()..].trim_start();
            if let Some(rest) = rest.strip_prefix(':') {
                if rest.trim_start().starts_with(&encoded) {
                    return Some(from + key_at);
                }
            }
            pos = key_at + pattern.len();
        }
        None
    }
}
