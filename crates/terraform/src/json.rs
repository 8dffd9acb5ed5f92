//! JSON text (a heredoc, a `file()`) read into [`Node`]s with positions.
//!
//! JSON's values are HCL expressions too (objects with `"key": value`,
//! arrays, strings with the same escapes, numbers, `true`/`false`/`null`),
//! so `hcl-edit`'s expression parser reads them with spans; anything that is
//! not plain JSON (an interpolation, a bare word) is refused.

use crate::position::Lines;
use crate::{Key, Node, Value, MAX_DEPTH};
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::Span as _;

/// Parses JSON `lines.text` into a node; `None` when it is not JSON.
pub fn parse_json(lines: &Lines) -> Option<Node> {
    // Quick check with a real JSON parser first: what it refuses is not JSON.
    serde_json::from_str::<serde_json::Value>(&lines.text).ok()?;
    let trimmed_start = lines.text.len() - lines.text.trim_start().len();
    let expression = hcl_edit::parser::parse_expr(lines.text.trim()).ok()?;
    convert(&expression, lines, trimmed_start, 0)
}

fn shift(range: Option<std::ops::Range<usize>>, by: usize) -> Option<std::ops::Range<usize>> {
    range.map(|r| r.start + by..r.end + by)
}

fn convert(expression: &Expression, lines: &Lines, offset: usize, depth: usize) -> Option<Node> {
    if depth > MAX_DEPTH {
        return None;
    }
    let span = lines.span(shift(expression.span(), offset));
    let value = match expression {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => Value::Number(n.value().as_f64()?),
        Expression::String(s) => Value::String(s.value().to_string()),
        Expression::StringTemplate(t) => {
            // Only literal parts: `${` in JSON text is not an interpolation here.
            let mut text = String::new();
            for element in t.iter() {
                text.push_str(element.as_literal()?.value());
            }
            Value::String(text)
        }
        Expression::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| convert(i, lines, offset, depth + 1))
                .collect::<Option<_>>()?,
        ),
        Expression::Object(object) => {
            let mut entries = Vec::new();
            for (key, value) in object.iter() {
                let name = match key {
                    ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                    _ => return None,
                };
                let key_span = lines.span(shift(key.span(), offset));
                entries.push((
                    Key {
                        name,
                        span: key_span,
                    },
                    convert(value.expr(), lines, offset, depth + 1)?,
                ));
            }
            Value::Object(entries)
        }
        Expression::UnaryOp(op) => match (&op.expr, op.operator.value()) {
            (Expression::Number(n), hcl_edit::expr::UnaryOperator::Neg) => {
                Value::Number(-n.value().as_f64()?)
            }
            _ => return None,
        },
        _ => return None,
    };
    Some(Node { value, span })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn json_values_keep_their_lines_and_columns() {
        let text =
            "[\n  {\"name\": \"app\", \"cpu\": 256, \"env\": [], \"x\": null, \"neg\": -1.5}\n]";
        let node = parse_json(&Lines::at(Path::new("t.tf"), text, 10, 0)).unwrap();
        let Value::Array(items) = &node.value else {
            panic!()
        };
        let cpu = items[0].get("cpu").unwrap();
        assert_eq!(cpu.value, Value::Number(256.0));
        assert_eq!((cpu.span.line, cpu.span.column), (12, 26));
        assert_eq!(items[0].get("neg").unwrap().value, Value::Number(-1.5));
        assert!(parse_json(&Lines::new(Path::new("t"), "{name = 1}")).is_none());
        // `${` would be an interpolation to HCL: such text is refused, not misread.
        assert!(parse_json(&Lines::new(Path::new("t"), "{\"a\": \"${x}\"}")).is_none());
    }
}
