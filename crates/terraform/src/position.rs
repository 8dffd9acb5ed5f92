//! Byte offsets to 1-based lines and character columns.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// Where a value was written: 1-based line and column (in characters),
/// and its length in characters (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub length: u32,
}

/// A file's text with the start of every line, to turn byte ranges into spans.
#[derive(Debug, Clone)]
pub struct Lines {
    pub path: PathBuf,
    pub text: String,
    starts: Vec<usize>,
    /// Added to every line (text that starts inside a bigger file, such as a heredoc).
    line_offset: u32,
    /// Added to the columns of the first line.
    column_offset: u32,
}

impl Lines {
    pub fn new(path: &Path, text: &str) -> Lines {
        Lines::at(path, text, 0, 0)
    }

    /// Text that sits in `path` starting at line `line_offset + 1`, column `column_offset + 1`.
    pub fn at(path: &Path, text: &str, line_offset: u32, column_offset: u32) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines {
            path: path.to_path_buf(),
            text: text.to_string(),
            starts,
            line_offset,
            column_offset,
        }
    }

    /// The span of a byte range (the whole file's start when unknown).
    pub fn span(&self, range: Option<Range<usize>>) -> Span {
        let Some(range) = range else {
            return Span {
                file: self.path.clone(),
                line: self.line_offset + 1,
                column: 1,
                length: 0,
            };
        };
        let start = range.start.min(self.text.len());
        let end = range.end.clamp(start, self.text.len());
        let index = self.starts.partition_point(|&s| s <= start) - 1;
        let line_start = self.starts[index];
        let column = char_count(&self.text, line_start, start) as u32 + 1;
        let column = if index == 0 {
            column + self.column_offset
        } else {
            column
        };
        Span {
            file: self.path.clone(),
            line: index as u32 + 1 + self.line_offset,
            column,
            length: char_count(&self.text, start, end) as u32,
        }
    }

    /// The text of a byte range.
    pub fn slice(&self, range: Option<Range<usize>>) -> &str {
        match range {
            Some(r)
                if r.end <= self.text.len()
                    && self.text.is_char_boundary(r.start)
                    && self.text.is_char_boundary(r.end) =>
            {
                &self.text[r]
            }
            _ => "",
        }
    }
}

fn char_count(text: &str, from: usize, to: usize) -> usize {
    text.get(from..to).map_or(0, |s| s.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_become_lines_and_character_columns() {
        let lines = Lines::new(Path::new("a.tf"), "x = 1\né = \"v\"\n");
        let span = lines.span(Some(11..14));
        assert_eq!((span.line, span.column, span.length), (2, 5, 3));
        let shifted = Lines::at(Path::new("a.tf"), "[1]", 9, 4);
        let span = shifted.span(Some(1..2));
        assert_eq!((span.line, span.column), (10, 6));
    }
}
