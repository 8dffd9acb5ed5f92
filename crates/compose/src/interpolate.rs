//! Compose variable interpolation: `$V`, `${V}`, `${V:-d}`, `${V-d}`,
//! `${V:?e}`, `${V?e}`, `${V:+a}`, `${V+a}` and `$$`, with nested defaults.
//!
//! Every variable looked at is reported with where its value came from.

use crate::yaml::{Node, Value};
use crate::{Error, Position, Substitution, VarSource};

/// Nesting of `${…}` inside defaults deeper than this is rejected (stack safety).
const MAX_NESTING: usize = 64;

/// Why a template could not be substituted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// Malformed `${…}`; holds the whole template.
    Invalid(String),
    /// `${V:?msg}` / `${V?msg}` with `V` missing.
    MissingRequired { variable: String, message: String },
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TemplateError::Invalid(t) => write!(f, "Invalid template: \"{t}\""),
            TemplateError::MissingRequired { variable, message } if message.is_empty() => {
                write!(f, "required variable {variable} is missing a value")
            }
            TemplateError::MissingRequired { variable, message } => {
                write!(
                    f,
                    "required variable {variable} is missing a value: {message}"
                )
            }
        }
    }
}

/// One variable used by a template: its name, the text inserted, and its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub variable: String,
    /// Byte offset of the `$` in the template.
    pub offset: usize,
    pub value: String,
    /// [`VarSource::Default`] carries the `default_position` given to [`substitute`].
    pub source: VarSource,
}

/// Substitutes `template`. `lookup` gives a variable's value and source;
/// defaults are reported as `VarSource::Default(default_position)`.
pub fn substitute<F>(
    template: &str,
    lookup: &F,
    default_position: &Position,
) -> Result<(String, Vec<Use>), TemplateError>
where
    F: Fn(&str) -> Option<(String, VarSource)>,
{
    let mut uses = Vec::new();
    let out = Substituter {
        template,
        lookup,
        default_position,
    }
    .run(template, 0, 0, &mut uses)?;
    Ok((out, uses))
}

struct Substituter<'a, F> {
    template: &'a str,
    lookup: &'a F,
    default_position: &'a Position,
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

impl<F> Substituter<'_, F>
where
    F: Fn(&str) -> Option<(String, VarSource)>,
{
    fn invalid(&self) -> TemplateError {
        TemplateError::Invalid(self.template.to_string())
    }

    /// Substitutes `text`, which starts at byte `base` of the template.
    fn run(
        &self,
        text: &str,
        base: usize,
        depth: usize,
        uses: &mut Vec<Use>,
    ) -> Result<String, TemplateError> {
        if depth > MAX_NESTING {
            return Err(self.invalid());
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let at = base + text.len() - rest.len() + i;
            let after = &rest[i + 1..];
            match after.chars().next() {
                Some('$') => {
                    out.push('$');
                    rest = &after[1..];
                }
                Some(c) if is_name_start(c) => {
                    let end = after.find(|c| !is_name_char(c)).unwrap_or(after.len());
                    out.push_str(&self.plain(&after[..end], at, uses));
                    rest = &after[end..];
                }
                Some('{') => {
                    let close = matching_brace(&after[1..]).ok_or_else(|| self.invalid())?;
                    let inner = &after[1..1 + close];
                    out.push_str(&self.braced(inner, at, depth, uses)?);
                    rest = &after[close + 2..];
                }
                _ => {
                    out.push('$');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `$V` / `${V}`: the value, or empty when unset.
    fn plain(&self, name: &str, at: usize, uses: &mut Vec<Use>) -> String {
        let (value, source) = (self.lookup)(name).unwrap_or((String::new(), VarSource::Unset));
        uses.push(Use {
            variable: name.to_string(),
            offset: at,
            value: value.clone(),
            source,
        });
        value
    }

    /// `${inner}`, whose `$` is at byte `at` of the template.
    fn braced(
        &self,
        inner: &str,
        at: usize,
        depth: usize,
        uses: &mut Vec<Use>,
    ) -> Result<String, TemplateError> {
        let name_end = inner.find(|c| !is_name_char(c)).unwrap_or(inner.len());
        let name = &inner[..name_end];
        if !name.chars().next().is_some_and(is_name_start) {
            return Err(self.invalid());
        }
        let op_text = &inner[name_end..];
        if op_text.is_empty() {
            return Ok(self.plain(name, at, uses));
        }
        let (colon, op_text) = match op_text.strip_prefix(':') {
            Some(r) => (true, r),
            None => (false, op_text),
        };
        let mut chars = op_text.chars();
        let op = chars.next().ok_or_else(|| self.invalid())?;
        let arg = chars.as_str();
        // `$` `{` name [`:`] operator, then the argument.
        let arg_at = at + 2 + inner.len() - arg.len();
        if !matches!(op, '-' | '?' | '+') {
            return Err(self.invalid());
        }
        let found = (self.lookup)(name);
        // With a colon, an empty value counts as missing.
        let present = found.as_ref().is_some_and(|(v, _)| !colon || !v.is_empty());
        let (value, source) = match (op, present, found) {
            ('-', true, Some(found)) | ('?', true, Some(found)) => found,
            ('-', _, _) => {
                let v = self.run(arg, arg_at, depth + 1, uses)?;
                (v, VarSource::Default(self.default_position.clone()))
            }
            ('?', _, _) => {
                let message = self.run(arg, arg_at, depth + 1, uses)?;
                return Err(TemplateError::MissingRequired {
                    variable: name.to_string(),
                    message,
                });
            }
            ('+', true, Some((_, source))) => (self.run(arg, arg_at, depth + 1, uses)?, source),
            (_, _, Some((v, source))) => (v, source),
            (_, _, None) => (String::new(), VarSource::Unset),
        };
        uses.push(Use {
            variable: name.to_string(),
            offset: at,
            value: value.clone(),
            source,
        });
        Ok(value)
    }
}

/// Index of the `}` closing a `${` whose content starts `text`, counting nested braces.
fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Bytes that interpolation may produce for one project, all files together.
/// Real projects produce kilobytes; one large `.env` value repeated in
/// thousands of labels would otherwise take gigabytes.
pub const OUTPUT_BUDGET: usize = 64 * 1024 * 1024;

/// What interpolation may still produce (see [`OUTPUT_BUDGET`]).
#[derive(Debug, Clone, Copy)]
pub struct OutputBudget {
    pub remaining: usize,
}

impl Default for OutputBudget {
    fn default() -> Self {
        OutputBudget {
            remaining: OUTPUT_BUDGET,
        }
    }
}

/// Interpolates every scalar value of a YAML tree in place (keys are left
/// alone, as compose does), appending each substitution to `out`.
/// `path` is the dotted path of `node`, used in error messages. Values that
/// a substitution made count against `budget`; past it, an error at the value.
pub fn interpolate_tree<F>(
    node: &mut Node,
    path: &mut Vec<String>,
    lookup: &F,
    out: &mut Vec<Substitution>,
    budget: &mut OutputBudget,
) -> Result<(), Error>
where
    F: Fn(&str) -> Option<(String, VarSource)>,
{
    match &mut node.value {
        Value::Scalar { text, plain } => {
            if !text.contains('$') {
                return Ok(());
            }
            let position = node.position.clone();
            let (value, uses) = substitute(text, lookup, &position).map_err(|e| {
                let message = match &e {
                    TemplateError::Invalid(t) => format!(
                        "invalid interpolation format for {}.\nYou may need to escape any $ with another $.\n{t}",
                        path.join(".")
                    ),
                    TemplateError::MissingRequired { .. } => {
                        format!("error while interpolating {}: {e}", path.join("."))
                    }
                };
                Error::Syntax {
                    position: position.clone(),
                    message,
                }
            })?;
            let produced = value.len() + uses.iter().map(|u| u.value.len()).sum::<usize>();
            budget.remaining = budget.remaining.checked_sub(produced).ok_or_else(|| Error::Syntax {
                position: position.clone(),
                message: format!(
                    "interpolating {} goes past {} MiB of values for the project (stackdoctor's budget): a large variable repeated in many places?",
                    path.join("."),
                    OUTPUT_BUDGET / (1024 * 1024)
                ),
            })?;
            // On a short one-line scalar, point at the `$` itself (quotes take one column).
            let exact = text.len() <= 4096 && !text.contains('\n');
            let quote = u32::from(!*plain);
            out.extend(uses.into_iter().map(|u| {
                let mut at = position.clone();
                if exact {
                    at.column += quote + text[..u.offset].chars().count() as u32;
                }
                // A default is written where its `${…}` is.
                let source = match u.source {
                    VarSource::Default(_) => VarSource::Default(at.clone()),
                    other => other,
                };
                Substitution {
                    variable: u.variable,
                    value: u.value,
                    source,
                    position: at,
                    value_position: position.clone(),
                }
            }));
            // A substituted value is a string now, whatever it looks like.
            *plain = *plain && value.is_empty();
            *text = value;
            Ok(())
        }
        Value::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                path.push(format!("[{i}]"));
                interpolate_tree(item, path, lookup, out, budget)?;
                path.pop();
            }
            Ok(())
        }
        Value::Map(entries) => {
            for e in entries.iter_mut() {
                path.push(e.key.clone());
                interpolate_tree(&mut e.value, path, lookup, out, budget)?;
                path.pop();
            }
            Ok(())
        }
        Value::Null => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::sync::Arc;

    fn pos() -> Position {
        Position {
            file: Arc::new(PathBuf::from("c.yaml")),
            line: 3,
            column: 5,
        }
    }

    fn lookup(name: &str) -> Option<(String, VarSource)> {
        match name {
            "FOO" => Some(("first".into(), VarSource::Shell)),
            "BAR" => Some((String::new(), VarSource::Shell)),
            _ => None,
        }
    }

    #[test]
    fn records_sources() {
        let (v, uses) = substitute("${AWS_REGION:-us-east-1}/$FOO", &lookup, &pos()).unwrap();
        assert_eq!(v, "us-east-1/first");
        assert_eq!(uses[0].source, VarSource::Default(pos()));
        assert_eq!(uses[1].source, VarSource::Shell);
        assert_eq!((uses[0].offset, uses[1].offset), (0, 25));
        let (_, uses) = substitute("x${A:-${FOO}}", &lookup, &pos()).unwrap();
        assert_eq!((uses[0].variable.as_str(), uses[0].offset), ("FOO", 6));
        assert_eq!((uses[1].variable.as_str(), uses[1].offset), ("A", 1));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let t = "${A:-".repeat(10_000) + &"}".repeat(10_000);
        assert!(substitute(&t, &lookup, &pos()).is_err());
    }
}
