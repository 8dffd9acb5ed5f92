//! The policy model: documents, statements and conditions, each with source positions.

use serde::Serialize;
use std::fmt::{self, Write as _};

/// Where a value sits in the source text.
///
/// `line` and `column` are 1-based and counted in characters (a tab or a
/// non-ASCII letter is one column). `length` is the number of characters of the
/// JSON token, including the quotes of a string; for objects it spans the whole
/// `{...}`, possibly over several lines.
///
/// Values decoded from an embedded document (a URL-encoded or JSON-in-a-string
/// policy) all carry the span of the enclosing string literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Length in characters.
    pub length: usize,
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A value together with the position it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Its position in the source.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a value that has no source position (the span is all zeros),
    /// e.g. for statements built in code.
    pub fn new(value: T) -> Self {
        Spanned {
            value,
            span: Span::default(),
        }
    }
}

impl Spanned<String> {
    /// The value as a string slice.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// The `Version` element. When it is missing AWS uses `2008-10-17`, in which
    /// policy variables such as `${aws:username}` are plain text.
    pub version: Option<Spanned<String>>,
    /// The optional `Id` element.
    pub id: Option<Spanned<String>>,
    /// The statements, in document order.
    pub statements: Vec<Statement>,
    /// The span of the policy object (or of the string it was decoded from).
    pub span: Span,
    /// Where the policy was found inside the input, as a dotted path such as
    /// `PolicyVersion.Document` or `Resources.Role.Properties.Policies[0].PolicyDocument`;
    /// empty when the whole input is the policy.
    pub path: String,
    /// Problems that do not stop evaluation (see [`Warning`]).
    pub warnings: Vec<Warning>,
}

/// A non-fatal problem found while reading a policy.
///
/// Warnings are raised for: a statement without `Resource`/`NotResource` (invalid in
/// an identity policy; such a statement never applies), a missing `Version`, an
/// action without a `service:` prefix, a `Principal` in what is read as an identity
/// policy, unknown top-level elements and an empty `Statement` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

impl Effect {
    /// `"Allow"` or `"Deny"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `Action` or `NotAction` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ActionMatch {
    /// Matches the listed actions (wildcards allowed, case-insensitive).
    Action(Vec<Spanned<String>>),
    /// Matches every action except the listed ones.
    NotAction(Vec<Spanned<String>>),
}

/// The `Resource` or `NotResource` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ResourceMatch {
    /// Matches the listed resource ARNs (wildcards allowed, case-sensitive).
    Resource(Vec<Spanned<String>>),
    /// Matches every resource except the listed ones.
    NotResource(Vec<Spanned<String>>),
    /// Neither element is present: invalid in an identity policy (reported as a
    /// [`Warning`]); the statement never applies.
    Absent,
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    /// 0-based position in the policy's `Statement` list.
    pub index: usize,
    /// The optional `Sid`.
    pub sid: Option<Spanned<String>>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// The span of the `Effect` value.
    pub effect_span: Span,
    /// The span of a `Principal`/`NotPrincipal` element, if any. Such elements only
    /// belong in resource-based and trust policies; they are not evaluated and not
    /// rendered.
    pub principal: Option<Span>,
    /// `Action` or `NotAction`.
    pub action: ActionMatch,
    /// `Resource`, `NotResource` or neither.
    pub resource: ResourceMatch,
    /// Every (operator, key) pair of the `Condition` block, in document order.
    pub conditions: Vec<Condition>,
    /// The span of the statement object.
    pub span: Span,
}

/// One condition: an operator applied to one context key with one or more values.
///
/// `"Condition": {"StringNotEquals": {"aws:RequestedRegion": ["ap-northeast-1"]}}`
/// gives `operator = "StringNotEquals"`, `key = "aws:RequestedRegion"` and one value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// The operator as written, e.g. `StringNotEquals`, `ForAnyValue:StringLike`,
    /// `ArnLikeIfExists`.
    pub operator: String,
    /// The condition key as written (keys are compared case-insensitively).
    pub key: String,
    /// The values; numbers and booleans are kept as their JSON text.
    pub values: Vec<Spanned<String>>,
    /// From the key to the end of its value(s).
    pub span: Span,
}

impl Policy {
    /// True when the policy says `"Version": "2012-10-17"`, the only version in
    /// which policy variables (`${aws:username}`) are substituted.
    pub fn supports_variables(&self) -> bool {
        self.version
            .as_ref()
            .is_some_and(|v| v.value == "2012-10-17")
    }

    /// Renders the policy as indented JSON (two spaces), statements as in
    /// [`Statement::to_json_pretty`].
    pub fn to_json_pretty(&self) -> String {
        let mut out = String::from("{\n");
        if let Some(version) = &self.version {
            let _ = writeln!(out, "  \"Version\": {},", quote(&version.value));
        }
        if let Some(id) = &self.id {
            let _ = writeln!(out, "  \"Id\": {},", quote(&id.value));
        }
        out.push_str("  \"Statement\": [");
        for (i, statement) in self.statements.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            statement.write_json(&mut out, 4);
        }
        out.push_str(if self.statements.is_empty() {
            "]\n}"
        } else {
            "\n  ]\n}"
        });
        out
    }
}

impl Statement {
    /// Builds a statement in code, e.g. to suggest a fix. Positions are zero.
    pub fn new(effect: Effect, actions: &[&str], resources: &[&str]) -> Statement {
        let list = |items: &[&str]| items.iter().map(|s| Spanned::new(s.to_string())).collect();
        Statement {
            index: 0,
            sid: None,
            effect,
            effect_span: Span::default(),
            principal: None,
            action: ActionMatch::Action(list(actions)),
            resource: ResourceMatch::Resource(list(resources)),
            conditions: Vec::new(),
            span: Span::default(),
        }
    }

    /// The `Sid`, if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_ref().map(|s| s.value.as_str())
    }

    /// Renders the statement as indented JSON in the conventional element order
    /// (`Sid`, `Effect`, `Action`, `Resource`, `Condition`). A list with one item is
    /// written as a plain string. `Principal` is not rendered.
    ///
    /// ```
    /// use iampolicy::{Effect, Statement};
    /// let s = Statement::new(Effect::Allow, &["bedrock:InvokeModel"], &["*"]);
    /// assert_eq!(
    ///     s.to_json_pretty(),
    ///     "{\n  \"Effect\": \"Allow\",\n  \"Action\": \"bedrock:InvokeModel\",\n  \"Resource\": \"*\"\n}"
    /// );
    /// ```
    pub fn to_json_pretty(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out, 0);
        out
    }

    fn write_json(&self, out: &mut String, indent: usize) {
        let pad = " ".repeat(indent + 2);
        let mut fields: Vec<String> = Vec::new();
        if let Some(sid) = &self.sid {
            fields.push(format!("\"Sid\": {}", quote(&sid.value)));
        }
        fields.push(format!("\"Effect\": {}", quote(self.effect.as_str())));
        let (name, actions) = match &self.action {
            ActionMatch::Action(a) => ("Action", a),
            ActionMatch::NotAction(a) => ("NotAction", a),
        };
        fields.push(format!("\"{name}\": {}", list_json(actions, indent + 2)));
        match &self.resource {
            ResourceMatch::Resource(r) => {
                fields.push(format!("\"Resource\": {}", list_json(r, indent + 2)))
            }
            ResourceMatch::NotResource(r) => {
                fields.push(format!("\"NotResource\": {}", list_json(r, indent + 2)))
            }
            ResourceMatch::Absent => {}
        }
        if !self.conditions.is_empty() {
            fields.push(format!(
                "\"Condition\": {}",
                conditions_json(&self.conditions, indent + 2)
            ));
        }
        out.push_str("{\n");
        for (i, field) in fields.iter().enumerate() {
            out.push_str(&pad);
            out.push_str(field);
            out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
        }
        out.push_str(&" ".repeat(indent));
        out.push('}');
    }
}

/// Groups conditions by operator (keeping first-seen order) and renders the block.
fn conditions_json(conditions: &[Condition], indent: usize) -> String {
    let mut groups: Vec<(&str, Vec<&Condition>)> = Vec::new();
    for c in conditions {
        match groups.iter_mut().find(|(op, _)| *op == c.operator) {
            Some((_, list)) => list.push(c),
            None => groups.push((&c.operator, vec![c])),
        }
    }
    let pad1 = " ".repeat(indent + 2);
    let pad2 = " ".repeat(indent + 4);
    let mut out = String::from("{\n");
    for (gi, (op, list)) in groups.iter().enumerate() {
        let _ = writeln!(out, "{pad1}{}: {{", quote(op));
        for (ci, c) in list.iter().enumerate() {
            let sep = if ci + 1 < list.len() { "," } else { "" };
            let _ = writeln!(
                out,
                "{pad2}{}: {}{sep}",
                quote(&c.key),
                list_json(&c.values, indent + 4)
            );
        }
        let sep = if gi + 1 < groups.len() { "," } else { "" };
        let _ = writeln!(out, "{pad1}}}{sep}");
    }
    out.push_str(&" ".repeat(indent));
    out.push('}');
    out
}

fn list_json(items: &[Spanned<String>], indent: usize) -> String {
    if items.len() == 1 {
        return quote(&items[0].value);
    }
    if items.is_empty() {
        return "[]".to_string();
    }
    let pad = " ".repeat(indent + 2);
    let mut out = String::from("[\n");
    for (i, item) in items.iter().enumerate() {
        out.push_str(&pad);
        out.push_str(&quote(&item.value));
        out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
    }
    out.push_str(&" ".repeat(indent));
    out.push(']');
    out
}

/// Quotes a string as a JSON string literal.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
