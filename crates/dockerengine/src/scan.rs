//! Finds where a JSON value ends without parsing it, so values can be found
//! inside other text, with a depth and a byte budget.

/// How far a JSON value starting at byte 0 reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// It closes after this many bytes.
    Value(usize),
    /// The text ends (after this many bytes) before it closes.
    Open(usize),
    /// It nests deeper than allowed (after this many bytes).
    TooDeep(usize),
    /// The byte budget ran out first.
    Budget,
}

/// The extent of the object or array at the start of `bytes`.
pub fn extent(bytes: &[u8], max_depth: usize, budget: usize) -> Extent {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if i >= budget {
            return Extent::Budget;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max_depth {
                    return Extent::TooDeep(i + 1);
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Extent::Value(i + 1);
                }
            }
            _ => {}
        }
    }
    Extent::Open(bytes.len())
}

/// Byte offsets of the elements of the JSON array `bytes` (which is whole and valid).
pub fn element_offsets(bytes: &[u8]) -> Vec<usize> {
    let mut offsets = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut expecting = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        if expecting && depth == 1 && !b.is_ascii_whitespace() && b != b']' {
            offsets.push(i);
            expecting = false;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth == 1 {
                    expecting = true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expecting = true,
            _ => {}
        }
    }
    offsets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_close_past_strings_with_brackets_and_escapes() {
        let text = br#"{"a": "}\"]", "b": [1, {"c": 2}]} tail"#;
        assert_eq!(extent(text, 8, usize::MAX), Extent::Value(text.len() - 5));
        assert_eq!(extent(b"{\"a\": [", 8, usize::MAX), Extent::Open(7));
        assert_eq!(extent(b"[[[[", 3, usize::MAX), Extent::TooDeep(4));
        assert_eq!(extent(b"{\"aaaa\"}", 8, 3), Extent::Budget);
    }

    #[test]
    fn elements_are_found_at_the_top_level_only() {
        let text = br#"[ {"a": [1, 2]}, "x,y" ,3]"#;
        let offsets = element_offsets(text);
        assert_eq!(offsets.len(), 3);
        assert_eq!(text[offsets[0]], b'{');
        assert_eq!(text[offsets[1]], b'"');
        assert_eq!(text[offsets[2]], b'3');
        assert!(element_offsets(b"[]").is_empty());
    }
}
