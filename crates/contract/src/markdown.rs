//! Markdown catalogues: `### CODE` sections with labelled values
//! (`**HTTPステータスコード**: 400 Bad Request`, `**Retryable**: No`), lists of
//! causes and fixes, JSON examples in fenced blocks, the envelope's example
//! before the sections, and tables with a code column. Read with `pulldown-cmark`.

use crate::text::{has_japanese, is_code_word, read_retryable, read_status, LineIndex};
use crate::{
    tree, Contract, DocumentKind, Envelope, Error, ErrorCode, Example, Flag, Language, Position,
    Status, Text, MAX_DEPTH,
};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// The labels of a section's values, lower-cased, longest first within each kind.
const STATUS_LABELS: &[&str] = &[
    "httpステータスコード",
    "http ステータスコード",
    "httpステータス",
    "ステータスコード",
    "ステータス",
    "http status code",
    "http status",
    "status code",
    "status",
    "http",
];
const RETRY_LABELS: &[&str] = &[
    "リトライ可能",
    "リトライ可否",
    "リトライ",
    "再試行可能",
    "再試行",
    "retryable",
    "retriable",
    "retry",
    "can retry",
];
const DESCRIPTION_LABELS: &[&str] = &["説明", "概要", "意味", "description", "meaning"];
const CAUSE_LABELS: &[&str] = &[
    "原因",
    "主な原因",
    "causes",
    "cause",
    "possible causes",
    "common causes",
];
const FIX_LABELS: &[&str] = &[
    "対処方法",
    "対処",
    "対応方法",
    "解決方法",
    "対策",
    "fix",
    "fixes",
    "how to fix",
    "resolution",
    "solution",
    "what to do",
];
const EXAMPLE_LABELS: &[&str] = &[
    "例",
    "レスポンス例",
    "example",
    "response example",
    "example response",
];
const OPTIONAL_WORDS: &[&str] = &["オプション", "任意", "optional"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Label {
    Status,
    Retry,
    Description,
    Causes,
    Fixes,
    Example,
}

fn label_of(text: &str) -> Option<Label> {
    let text = text.trim().trim_matches(['*', '_', ' ']).to_lowercase();
    let table: [(&[&str], Label); 6] = [
        (STATUS_LABELS, Label::Status),
        (RETRY_LABELS, Label::Retry),
        (DESCRIPTION_LABELS, Label::Description),
        (CAUSE_LABELS, Label::Causes),
        (FIX_LABELS, Label::Fixes),
        (EXAMPLE_LABELS, Label::Example),
    ];
    table
        .iter()
        .find(|(labels, _)| labels.contains(&text.as_str()))
        .map(|(_, label)| *label)
}

/// A text gathered from events, with the source offset of each piece so a
/// character of it can be placed back in the document.
#[derive(Debug, Default, Clone)]
struct Gathered {
    text: String,
    pieces: Vec<(usize, usize)>,
}

impl Gathered {
    fn push(&mut self, text: &str, source: usize) {
        self.pieces.push((self.text.len(), source));
        self.text.push_str(text);
    }

    /// The source offset of byte `at` of the gathered text.
    fn source(&self, at: usize) -> usize {
        let piece = self.pieces.partition_point(|(start, _)| *start <= at);
        match piece.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some((start, source)) => source + (at - start),
            None => self.pieces.first().map_or(0, |(_, s)| *s),
        }
    }
}

#[derive(Debug)]
enum Block {
    Heading {
        level: usize,
        text: Gathered,
    },
    /// A paragraph or a list item (`depth` 0 for paragraphs).
    Line {
        text: Gathered,
        depth: usize,
    },
    Code {
        lang: String,
        text: String,
        offset: usize,
    },
    Table {
        rows: Vec<Vec<Gathered>>,
    },
}

fn blocks(text: &str) -> Result<Vec<Block>, Error> {
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    let mut heading: Option<(usize, Gathered)> = None;
    let mut items: Vec<Gathered> = Vec::new();
    let mut emitted: Vec<bool> = Vec::new();
    let mut paragraph: Option<Gathered> = None;
    let mut code: Option<(String, String, usize)> = None;
    let mut table: Option<Vec<Vec<Gathered>>> = None;
    let mut depth = 0usize;
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(tag) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Error::TooDeep {
                        at: index.position(range.start),
                        limit: MAX_DEPTH,
                    });
                }
                match tag {
                    Tag::Heading { level, .. } => {
                        heading = Some((level as usize, Gathered::default()))
                    }
                    Tag::Item => {
                        items.push(Gathered::default());
                        emitted.push(false);
                    }
                    // An item's own text comes before its nested list's items.
                    Tag::List(_) => {
                        if let (Some(text), Some(done)) = (items.last(), emitted.last_mut()) {
                            if !*done {
                                *done = true;
                                out.push(Block::Line {
                                    text: text.clone(),
                                    depth: items.len(),
                                });
                            }
                        }
                    }
                    Tag::Paragraph if items.is_empty() => paragraph = Some(Gathered::default()),
                    Tag::CodeBlock(kind) => {
                        let lang = match kind {
                            CodeBlockKind::Fenced(info) => {
                                info.split_whitespace().next().unwrap_or("").to_lowercase()
                            }
                            CodeBlockKind::Indented => String::new(),
                        };
                        code = Some((lang, String::new(), usize::MAX));
                    }
                    Tag::Table(_) => table = Some(Vec::new()),
                    Tag::TableHead | Tag::TableRow => {
                        if let Some(rows) = &mut table {
                            rows.push(Vec::new());
                        }
                    }
                    Tag::TableCell => {
                        if let Some(row) = table.as_mut().and_then(|t| t.last_mut()) {
                            row.push(Gathered::default());
                        }
                    }
                    _ => {}
                }
            }
            Event::End(tag) => {
                depth = depth.saturating_sub(1);
                match tag {
                    TagEnd::Heading(_) => {
                        if let Some((level, text)) = heading.take() {
                            out.push(Block::Heading { level, text });
                        }
                    }
                    TagEnd::Item => {
                        let done = emitted.pop().unwrap_or(false);
                        if let Some(text) = items.pop().filter(|_| !done) {
                            out.push(Block::Line {
                                text,
                                depth: items.len() + 1,
                            });
                        }
                    }
                    TagEnd::Paragraph => {
                        if let Some(text) = paragraph.take() {
                            out.push(Block::Line { text, depth: 0 });
                        }
                    }
                    TagEnd::CodeBlock => {
                        if let Some((lang, text, offset)) = code.take() {
                            let offset = if offset == usize::MAX {
                                range.start
                            } else {
                                offset
                            };
                            out.push(Block::Code { lang, text, offset });
                        }
                    }
                    TagEnd::Table => {
                        if let Some(rows) = table.take() {
                            out.push(Block::Table { rows });
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(_) | Event::Code(_) | Event::InlineHtml(_) => {
                let inline_code = matches!(event, Event::Code(_));
                let (Event::Text(t) | Event::Code(t) | Event::InlineHtml(t)) = event else {
                    continue;
                };
                if let Some((_, body, offset)) = &mut code {
                    if *offset == usize::MAX {
                        *offset = range.start;
                    }
                    body.push_str(&t);
                    continue;
                }
                // Inline code keeps no backticks in the event: point past the opening one.
                let source = if inline_code {
                    range.start + text[range.clone()].find(t.as_ref()).unwrap_or(0)
                } else {
                    range.start
                };
                let sink = if let Some((_, h)) = &mut heading {
                    Some(h)
                } else if let Some(cell) = table
                    .as_mut()
                    .and_then(|t| t.last_mut())
                    .and_then(|r| r.last_mut())
                {
                    Some(cell)
                } else if let Some(item) = items.last_mut() {
                    Some(item)
                } else {
                    paragraph.as_mut()
                };
                if let Some(sink) = sink {
                    // Inline code keeps its backticks, as written.
                    if inline_code {
                        sink.push("`", source.saturating_sub(1));
                        sink.push(&t, source);
                        sink.push("`", source + t.len());
                    } else {
                        sink.push(&t, source);
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(item) = items.last_mut() {
                    item.push(" ", range.start);
                } else if let Some(p) = &mut paragraph {
                    p.push(" ", range.start);
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The code a heading names: `VALIDATION_ERROR`, `` `E1001` ``, `RATE_LIMITED (429)`.
fn heading_code(text: &str) -> Option<(String, usize)> {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let word = trimmed
        .split([' ', '\t', ':', '（', '(', '—', '-'])
        .next()?;
    let code = word.trim_matches('`');
    // `RATE_LIMITED (429)`, `E1001: …`, `NOT_FOUND — …` name a code; `API
    // errors`, `HTTP status codes` are titles that begin with a capital word.
    let rest = trimmed[word.len()..].trim_start();
    let names_code = rest.is_empty()
        || rest.starts_with(['(', '（', ':', '：', '—', '–', '-', '|'])
        || rest.chars().next().is_some_and(|c| c.is_ascii_digit());
    (names_code && is_code_word(code))
        .then(|| (code.to_string(), lead + word.find(code).unwrap_or(0)))
}

/// Splits `Label: value` (half- or full-width colon) into the label and the value's byte offset.
fn split_label(text: &str) -> Option<(Label, usize)> {
    let (cut, colon_len) = [':', '：']
        .iter()
        .filter_map(|c| text.find(*c).map(|i| (i, c.len_utf8())))
        .min()?;
    let label = label_of(&text[..cut])?;
    let rest = &text[cut + colon_len..];
    Some((
        label,
        cut + colon_len + (rest.len() - rest.trim_start().len()),
    ))
}

fn is_json_block(lang: &str, body: &str) -> bool {
    matches!(lang, "json" | "jsonc" | "json5" | "javascript" | "js")
        || (lang.is_empty() && body.trim_start().starts_with('{'))
}

struct Section {
    code: ErrorCode,
    level: usize,
    /// Where list items go: after `**原因**:` the causes, after `**対処方法**:` the fixes.
    list: Option<Label>,
}

/// Reads a markdown catalogue; `Ok(None)` when the text has no code section.
pub fn read(text: &str) -> Result<Option<Contract>, Error> {
    if text.len() > crate::MAX_BYTES {
        return Err(Error::TooLarge {
            bytes: text.len(),
            limit: crate::MAX_BYTES,
        });
    }
    let index = LineIndex::new(text);
    let blocks = blocks(text)?;
    let japanese = blocks.iter().any(|b| match b {
        Block::Heading { text, .. } | Block::Line { text, .. } => has_japanese(&text.text),
        _ => false,
    });
    let mut contract = Contract::empty(
        DocumentKind::Markdown,
        if japanese { Language::Ja } else { Language::En },
    );
    let mut optional: Vec<String> = Vec::new();
    let mut envelope_example: Option<(Position, serde_json::Value)> = None;
    let mut section: Option<Section> = None;
    let close = |section: Option<Section>, contract: &mut Contract| {
        if let Some(s) = section {
            let c = s.code;
            if c.status.is_some() || c.retryable.is_some() || !c.examples.is_empty() {
                contract.codes.push(c);
            }
        }
    };
    for block in &blocks {
        match block {
            Block::Heading { level, text } => {
                if let Some(s) = &mut section {
                    // A deeper heading is a label of the section, unless the
                    // section has nothing yet and the heading names a code
                    // (`## ERRORS` over `### NOT_FOUND`).
                    let empty = s.code.status.is_none()
                        && s.code.retryable.is_none()
                        && s.code.examples.is_empty();
                    if *level > s.level && !(empty && heading_code(&text.text).is_some()) {
                        // A sub-heading inside the section (`#### 原因`) works as a label.
                        s.list = label_of(&text.text);
                        continue;
                    }
                }
                close(section.take(), &mut contract);
                if let Some((code, at)) = heading_code(&text.text) {
                    section = Some(Section {
                        code: ErrorCode::new(code, index.position(text.source(at))),
                        level: *level,
                        list: None,
                    });
                }
            }
            Block::Line { text, depth } => {
                let Some(s) = &mut section else {
                    // Outside sections: the envelope's field list marks optional fields.
                    if *depth > 0
                        && OPTIONAL_WORDS
                            .iter()
                            .any(|w| text.text.to_lowercase().contains(w))
                    {
                        if let Some(path) = text.text.split('`').nth(1).filter(|p| !p.contains(' '))
                        {
                            optional.push(path.to_string());
                        }
                    }
                    continue;
                };
                if let Some((label, value_at)) = split_label(&text.text) {
                    let value = text.text[value_at..].trim();
                    let at = index.position(text.source(value_at));
                    s.list = None;
                    match label {
                        Label::Status => {
                            if let Some(code) = read_status(value) {
                                s.code.status = Some(Status {
                                    code,
                                    text: value.to_string(),
                                    at,
                                });
                            } else {
                                contract.notes.push(Text {
                                    text: format!(
                                        "{}: status `{value}` is not an HTTP status",
                                        s.code.code
                                    ),
                                    at,
                                });
                            }
                        }
                        Label::Retry => {
                            s.code.retryable = Some(Flag {
                                value: read_retryable(value),
                                text: value.to_string(),
                                at,
                            })
                        }
                        Label::Description => {
                            s.code.description = Some(Text {
                                text: value.to_string(),
                                at,
                            })
                        }
                        Label::Causes | Label::Fixes => {
                            if value.is_empty() {
                                s.list = Some(label);
                            } else {
                                let entry = Text {
                                    text: value.to_string(),
                                    at,
                                };
                                if label == Label::Causes {
                                    s.code.causes.push(entry);
                                } else {
                                    s.code.fixes.push(entry);
                                }
                            }
                        }
                        Label::Example => {}
                    }
                    continue;
                }
                if *depth == 0 {
                    continue;
                }
                let target = match s.list {
                    Some(Label::Causes) => &mut s.code.causes,
                    Some(Label::Fixes) => &mut s.code.fixes,
                    _ => continue,
                };
                let item = text.text.trim().to_string();
                match (depth, target.last_mut()) {
                    // A nested item belongs to the step above it.
                    (d, Some(last)) if *d > 1 => {
                        last.text.push_str(&format!("\n  - {item}"));
                    }
                    _ => target.push(Text {
                        text: item,
                        at: index.position(text.source(0)),
                    }),
                }
            }
            Block::Code {
                lang,
                text: body,
                offset,
            } => {
                if !is_json_block(lang, body) {
                    continue;
                }
                let start = index.position(*offset);
                let parsed = match tree::parse(body) {
                    Ok(Some(node)) => node,
                    Ok(None) => continue,
                    Err(e) => {
                        contract.notes.push(Text {
                            text: format!("a JSON example could not be read: {e}"),
                            at: start,
                        });
                        continue;
                    }
                };
                let (json, positions) = parsed.to_json();
                let shift = |p: Position| {
                    Position::new(p.line + start.line - 1, p.column + start.column - 1)
                };
                let example = Example {
                    at: start,
                    body: json,
                    status: None,
                    positions: positions.into_iter().map(|(k, p)| (k, shift(p))).collect(),
                };
                match &mut section {
                    Some(s) => s.code.examples.push(example),
                    None => {
                        if envelope_example.is_none() && example.body.is_object() {
                            envelope_example = Some((example.at, example.body));
                        }
                    }
                }
            }
            Block::Table { rows } => {
                close(section.take(), &mut contract);
                read_table(rows, &index, &mut contract);
            }
        }
    }
    close(section.take(), &mut contract);
    if let Some((at, body)) = envelope_example {
        let envelope = Envelope::from_example(at, &body, &optional);
        if envelope.code_path.is_some() {
            contract.envelope = Some(envelope);
        }
    }
    Ok((!contract.codes.is_empty()).then_some(contract))
}

/// A table with a code column: one code per row.
fn read_table(rows: &[Vec<Gathered>], index: &LineIndex, contract: &mut Contract) {
    let Some((head, body)) = rows.split_first() else {
        return;
    };
    let column = |names: &[&str]| {
        head.iter()
            .position(|cell| names.contains(&cell.text.trim().to_lowercase().as_str()))
    };
    let Some(code_column) = column(&["code", "error code", "コード", "エラーコード", "error"])
    else {
        return;
    };
    let status_column = column(STATUS_LABELS);
    let retry_column = column(RETRY_LABELS);
    let description_column = column(&["description", "meaning", "message", "説明", "意味", "概要"]);
    for row in body {
        let Some(cell) = row.get(code_column) else {
            continue;
        };
        let code = cell.text.trim().trim_matches('`');
        if !is_code_word(code) {
            continue;
        }
        let lead = cell.text.find(code).unwrap_or(0);
        let mut entry = ErrorCode::new(code, index.position(cell.source(lead)));
        let value = |c: Option<usize>| {
            c.and_then(|c| row.get(c)).map(|cell| {
                let trimmed = cell.text.trim();
                let lead = cell.text.len() - cell.text.trim_start().len();
                (trimmed.to_string(), index.position(cell.source(lead)))
            })
        };
        if let Some((text, at)) = value(status_column) {
            if let Some(code) = read_status(&text) {
                entry.status = Some(Status { code, text, at });
            }
        }
        if let Some((text, at)) = value(retry_column).filter(|(t, _)| !t.is_empty()) {
            entry.retryable = Some(Flag {
                value: read_retryable(&text),
                text,
                at,
            });
        }
        if let Some((text, at)) = value(description_column) {
            entry.description = Some(Text { text, at });
        }
        contract.codes.push(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Retryable;

    const ENGLISH: &str = "# Errors\n\nEvery error is:\n\n```json\n{\"error\": {\"code\": \"X\", \"message\": \"m\", \"retryable\": false}}\n```\n\n## RATE_LIMITED\n\n- **HTTP status**: 429 Too Many Requests\n- **Retryable**: Yes\n\n**Causes**:\n\n- too many requests\n\n### Example\n\n```json\n{\"error\": {\"code\": \"RATE_LIMITED\", \"message\": \"slow down\", \"retryable\": true}}\n```\n\n## Status table\n\n| Code | HTTP status | Retryable | Description |\n|---|---|---|---|\n| `NOT_FOUND` | 404 | No | no such item |\n";

    #[test]
    fn english_sections_lists_and_tables() {
        let c = read(ENGLISH).unwrap().unwrap();
        assert_eq!(c.language, Language::En);
        let codes: Vec<_> = c.codes.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["RATE_LIMITED", "NOT_FOUND"]);
        let rate = &c.codes[0];
        assert_eq!(rate.at, Position::new(9, 4));
        assert_eq!(rate.status.as_ref().unwrap().code, 429);
        assert_eq!(rate.status.as_ref().unwrap().at, Position::new(11, 20));
        assert_eq!(rate.retryable.as_ref().unwrap().value, Retryable::Yes);
        assert_eq!(rate.causes[0].text, "too many requests");
        assert_eq!(rate.examples.len(), 1);
        assert_eq!(
            rate.examples[0].position_of("error.code"),
            Position::new(21, 20)
        );
        let missing = &c.codes[1];
        assert_eq!(missing.status.as_ref().unwrap().code, 404);
        assert_eq!(missing.retryable.as_ref().unwrap().value, Retryable::No);
        assert_eq!(missing.at, Position::new(28, 4));
        assert_eq!(
            c.envelope.as_ref().unwrap().code_path.as_deref(),
            Some("error.code")
        );
    }

    #[test]
    fn a_readme_without_code_sections_is_no_contract() {
        assert!(read("# API\n\n## INSTALL\n\nRun it.\n").unwrap().is_none());
    }

    #[test]
    fn hostile_markdown_is_bounded() {
        let deep = "> ".repeat(500) + "x";
        assert!(matches!(read(&deep), Err(Error::TooDeep { .. })));
        let broken = "### BROKEN_JSON\n\n**Retryable**: No\n\n```json\n{\"a\": \n```\n";
        let c = read(broken).unwrap().unwrap();
        assert_eq!(c.notes.len(), 1);
    }

    #[test]
    fn a_title_that_begins_with_a_capital_word_is_not_a_code() {
        let text = "# API errors\n\n### RATE_LIMITED\n\n- **HTTP status**: 429 Too Many Requests\n- **Retryable**: Yes\n\n### VALIDATION_ERROR (400)\n\n- **HTTP status**: 400\n- **Retryable**: No\n";
        let c = read(text).unwrap().unwrap();
        let codes: Vec<&str> = c.codes.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["RATE_LIMITED", "VALIDATION_ERROR"]);
        let nested = "## ERRORS\n\n### NOT_FOUND\n\n**HTTP status**: 404\n";
        let c = read(nested).unwrap().unwrap();
        assert_eq!(c.codes[0].code, "NOT_FOUND");
        assert_eq!(c.codes[0].status.as_ref().unwrap().code, 404);
    }
}
