//! Evaluation of the offline subset of Terraform's expression language.

use crate::position::Lines;
use crate::{
    parse_file, parse_json, Attribute, Block, Error, Key, Module, Node, Options, ParsedFile, Value,
    Variable, MAX_DEPTH,
};
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What names mean while evaluating.
pub(crate) struct Scope<'a> {
    pub dir: &'a Path,
    pub variables: BTreeMap<String, Node>,
    pub locals: BTreeMap<String, Node>,
    /// Top-level names of a `templatefile()` (its second argument).
    pub template_vars: Option<BTreeMap<String, Node>>,
    pub options: &'a Options<'a>,
}

pub(crate) fn load(
    dir: &Path,
    files: Vec<PathBuf>,
    parsed: Vec<ParsedFile>,
    tfvars: Vec<PathBuf>,
    options: &Options,
) -> Result<Module, Error> {
    let mut scope = Scope {
        dir,
        variables: BTreeMap::new(),
        locals: BTreeMap::new(),
        template_vars: None,
        options,
    };
    // Variables: defaults, then TF_VAR_, then tfvars files in order.
    let mut declared = Vec::new();
    for file in &parsed {
        for block in file.body.get_blocks("variable") {
            let Some(name) = block.labels.first().map(|l| l.as_str().to_string()) else {
                continue;
            };
            let default = block
                .body
                .get_attribute("default")
                .map(|a| scope.eval(&a.value, &file.lines, 0));
            declared.push((name, default, file.lines.span(block.span())));
        }
    }
    let mut values: BTreeMap<String, Node> = BTreeMap::new();
    for (name, default, _) in &declared {
        if let Some(d) = default {
            values.insert(name.clone(), d.clone());
        }
        if let Some(text) = options.env.get(&format!("TF_VAR_{name}")) {
            values.insert(
                name.clone(),
                Node {
                    value: Value::String(text.clone()),
                    span: crate::Span {
                        file: PathBuf::from(format!("TF_VAR_{name}")),
                        line: 1,
                        column: 1,
                        length: 0,
                    },
                },
            );
        }
    }
    let mut read_tfvars = Vec::new();
    for path in &tfvars {
        let is_json = path.to_string_lossy().ends_with(".json");
        if is_json {
            let text = crate::read_text(path)?;
            let lines = Lines::new(path, &text);
            if let Some(Node {
                value: Value::Object(entries),
                ..
            }) = parse_json(&lines)
            {
                for (key, value) in entries {
                    values.insert(key.name, value);
                }
            }
        } else {
            let file = parse_file(path)?;
            for attribute in file.body.attributes() {
                let value = scope.eval(&attribute.value, &file.lines, 0);
                values.insert(attribute.key.as_str().to_string(), value);
            }
        }
        read_tfvars.push(path.clone());
    }
    scope.variables = values;
    // Locals may use each other: evaluate until nothing more resolves.
    let local_exprs: Vec<(String, &Expression, &Lines)> = parsed
        .iter()
        .flat_map(|file| {
            file.body.get_blocks("locals").flat_map(move |block| {
                block
                    .body
                    .attributes()
                    .map(move |a| (a.key.as_str().to_string(), &a.value, &file.lines))
            })
        })
        .collect();
    for _ in 0..8 {
        let mut changed = false;
        for (name, expression, lines) in &local_exprs {
            let value = scope.eval(expression, lines, 0);
            if scope.locals.get(name) != Some(&value) {
                scope.locals.insert(name.clone(), value);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut blocks = Vec::new();
    for file in &parsed {
        for structure in file.body.iter() {
            if let Structure::Block(block) = structure {
                blocks.push(scope.block(block, &file.lines, 0));
            }
        }
    }
    let variables = declared
        .into_iter()
        .map(|(name, _, declared)| Variable {
            value: scope.variables.get(&name).cloned(),
            name,
            declared,
        })
        .collect();
    Ok(Module {
        dir: dir.to_path_buf(),
        files,
        blocks,
        variables,
        tfvars: read_tfvars,
    })
}

fn unresolved(expression: &Expression, lines: &Lines) -> Node {
    let text = lines.slice(expression.span()).trim().to_string();
    Node {
        value: Value::Unresolved(text),
        span: lines.span(expression.span()),
    }
}

fn to_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(if n.fract() == 0.0 && n.abs() < 1e15 {
            format!("{}", *n as i64)
        } else {
            n.to_string()
        }),
        Value::Bool(b) => Some(b.to_string()),
        Value::Encoded(inner) if !inner.has_unresolved() => Some(inner.to_json().to_string()),
        Value::FileText { text, .. } => Some(text.clone()),
        _ => None,
    }
}

impl Scope<'_> {
    pub(crate) fn block(
        &self,
        block: &hcl_edit::structure::Block,
        lines: &Lines,
        depth: usize,
    ) -> Block {
        let mut out = Block {
            kind: block.ident.as_str().to_string(),
            labels: block
                .labels
                .iter()
                .map(|l| l.as_str().to_string())
                .collect(),
            span: lines.span(block.span()),
            attributes: Vec::new(),
            blocks: Vec::new(),
        };
        self.body(&block.body, lines, depth, &mut out);
        out
    }

    fn body(&self, body: &Body, lines: &Lines, depth: usize, out: &mut Block) {
        for structure in body.iter() {
            match structure {
                Structure::Attribute(a) => out.attributes.push(Attribute {
                    name: a.key.as_str().to_string(),
                    key_span: lines.span(a.key.span()),
                    value: self.eval(&a.value, lines, 0),
                }),
                Structure::Block(b) if depth < MAX_DEPTH => {
                    out.blocks.push(self.block(b, lines, depth + 1))
                }
                Structure::Block(_) => {}
            }
        }
    }

    pub(crate) fn eval(&self, expression: &Expression, lines: &Lines, depth: usize) -> Node {
        if depth > MAX_DEPTH {
            return unresolved(expression, lines);
        }
        let span = lines.span(expression.span());
        let value = match expression {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => match n.value().as_f64() {
                Some(f) => Value::Number(f),
                None => return unresolved(expression, lines),
            },
            Expression::String(s) => Value::String(s.value().to_string()),
            Expression::StringTemplate(t) => {
                let elements: Vec<&Element> = t.iter().collect();
                match self.template(&elements, lines, depth) {
                    Some(single) => return single.with_span(span),
                    None => return unresolved(expression, lines),
                }
            }
            Expression::HeredocTemplate(h) => {
                match self.template(&h.template.iter().collect::<Vec<_>>(), lines, depth) {
                    Some(single) => return single.with_span(span),
                    None => return unresolved(expression, lines),
                }
            }
            Expression::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.eval(i, lines, depth + 1))
                    .collect(),
            ),
            Expression::Object(object) => {
                let mut entries = Vec::new();
                for (key, value) in object.iter() {
                    let name = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_string(),
                        ObjectKey::Expression(e) => {
                            match to_text(&self.eval(e, lines, depth + 1)) {
                                Some(name) => name,
                                None => return unresolved(expression, lines),
                            }
                        }
                    };
                    entries.push((
                        Key {
                            name,
                            span: lines.span(key.span()),
                        },
                        self.eval(value.expr(), lines, depth + 1),
                    ));
                }
                Value::Object(entries)
            }
            Expression::Parenthesis(p) => return self.eval(p.inner(), lines, depth + 1),
            Expression::Variable(v) => {
                match self.template_vars.as_ref().and_then(|t| t.get(v.as_str())) {
                    Some(value) => return value.clone().with_span(span),
                    None => return unresolved(expression, lines),
                }
            }
            Expression::Traversal(t) => return self.traversal(t, expression, lines, depth),
            Expression::FuncCall(call) => return self.call(call, expression, lines, depth),
            Expression::Conditional(c) => {
                let condition = self.eval(&c.cond_expr, lines, depth + 1);
                return match condition.value {
                    Value::Bool(true) => self.eval(&c.true_expr, lines, depth + 1),
                    Value::Bool(false) => self.eval(&c.false_expr, lines, depth + 1),
                    _ => unresolved(expression, lines),
                };
            }
            Expression::UnaryOp(op) => {
                let inner = self.eval(&op.expr, lines, depth + 1);
                match (op.operator.value(), inner.value) {
                    (UnaryOperator::Neg, Value::Number(n)) => Value::Number(-n),
                    (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
                    _ => return unresolved(expression, lines),
                }
            }
            Expression::BinaryOp(op) => {
                let left = self.eval(&op.lhs_expr, lines, depth + 1);
                let right = self.eval(&op.rhs_expr, lines, depth + 1);
                match binary(op.operator.value(), &left.value, &right.value) {
                    Some(v) => v,
                    None => return unresolved(expression, lines),
                }
            }
            Expression::ForExpr(_) => return unresolved(expression, lines),
        };
        Node { value, span }
    }

    /// A template's value: a lone interpolation keeps its type; else a string.
    fn template(&self, elements: &[&Element], lines: &Lines, depth: usize) -> Option<Node> {
        if let [Element::Interpolation(i)] = elements {
            let value = self.eval(&i.expr, lines, depth + 1);
            return (!matches!(value.value, Value::Unresolved(_))).then_some(value);
        }
        let mut text = String::new();
        for element in elements {
            match element {
                Element::Literal(l) => text.push_str(l.value()),
                Element::Interpolation(i) => {
                    text.push_str(&to_text(&self.eval(&i.expr, lines, depth + 1))?)
                }
                Element::Directive(_) => return None,
            }
        }
        Some(Node {
            value: Value::String(text),
            span: lines.span(None),
        })
    }

    fn traversal(
        &self,
        t: &hcl_edit::expr::Traversal,
        expression: &Expression,
        lines: &Lines,
        depth: usize,
    ) -> Node {
        let span = lines.span(expression.span());
        let root = match &t.expr {
            Expression::Variable(v) => v.as_str().to_string(),
            _ => {
                let base = self.eval(&t.expr, lines, depth + 1);
                return self.follow(base, &t.operators, expression, lines, depth);
            }
        };
        let mut operators = t.operators.iter();
        let base = match root.as_str() {
            "var" | "local" => {
                let Some(TraversalOperator::GetAttr(name)) = operators.next().map(|o| o.value())
                else {
                    return unresolved(expression, lines);
                };
                let table = if root == "var" {
                    &self.variables
                } else {
                    &self.locals
                };
                match table.get(name.as_str()) {
                    Some(value) => value.clone(),
                    None => return unresolved(expression, lines),
                }
            }
            "path" => match operators.next().map(|o| o.value()) {
                Some(TraversalOperator::GetAttr(name))
                    if matches!(name.as_str(), "module" | "root" | "cwd") =>
                {
                    return Node {
                        value: Value::String(self.dir.display().to_string()),
                        span,
                    };
                }
                _ => return unresolved(expression, lines),
            },
            name => match self.template_vars.as_ref().and_then(|v| v.get(name)) {
                Some(value) => value.clone(),
                None => return unresolved(expression, lines),
            },
        };
        let rest: Vec<_> = operators.cloned().collect();
        self.follow(base, &rest, expression, lines, depth)
    }

    fn follow(
        &self,
        mut current: Node,
        operators: &[hcl_edit::Decorated<TraversalOperator>],
        expression: &Expression,
        lines: &Lines,
        depth: usize,
    ) -> Node {
        for operator in operators {
            let next = match operator.value() {
                TraversalOperator::GetAttr(name) => current.get(name.as_str()).cloned(),
                TraversalOperator::Index(index) => {
                    let key = self.eval(index, lines, depth + 1);
                    match (&current.value, &key.value) {
                        (Value::Array(items), Value::Number(n)) if *n >= 0.0 => {
                            items.get(*n as usize).cloned()
                        }
                        (Value::Object(_), Value::String(name)) => current.get(name).cloned(),
                        _ => None,
                    }
                }
                TraversalOperator::LegacyIndex(n) => match &current.value {
                    Value::Array(items) => items.get(*n.value() as usize).cloned(),
                    _ => None,
                },
                _ => None,
            };
            match next {
                Some(n) => current = n,
                None => return unresolved(expression, lines),
            }
        }
        if matches!(current.value, Value::Unresolved(_)) {
            return unresolved(expression, lines);
        }
        current
    }

    fn call(
        &self,
        call: &hcl_edit::expr::FuncCall,
        expression: &Expression,
        lines: &Lines,
        depth: usize,
    ) -> Node {
        let span = lines.span(expression.span());
        let name = call.name.name.as_str();
        if call.name.is_namespaced() {
            return unresolved(expression, lines);
        }
        let args: Vec<&Expression> = call.args.iter().collect();
        let arg = |i: usize| args.get(i).map(|e| self.eval(e, lines, depth + 1));
        let text_arg = |i: usize| arg(i).and_then(|n| to_text(&n));
        let value = match (name, args.len()) {
            ("jsonencode", 1) => {
                let Some(inner) = arg(0) else {
                    return unresolved(expression, lines);
                };
                Value::Encoded(Box::new(inner))
            }
            ("jsondecode", 1) => {
                let Some(inner) = arg(0) else {
                    return unresolved(expression, lines);
                };
                match inner.value {
                    Value::Encoded(node) => return *node,
                    Value::FileText { path, text } => match parse_json(&Lines::new(&path, &text)) {
                        Some(node) => return node,
                        None => return unresolved(expression, lines),
                    },
                    _ => return unresolved(expression, lines),
                }
            }
            ("file", 1) | ("templatefile", 2) => {
                let Some(path) = text_arg(0) else {
                    return unresolved(expression, lines);
                };
                let path = if Path::new(&path).is_absolute() {
                    PathBuf::from(path)
                } else {
                    self.dir.join(path)
                };
                if self.options.may_read.is_some_and(|may| !may(&path)) {
                    return unresolved(expression, lines);
                }
                let Ok(text) = crate::read_text(&path) else {
                    return unresolved(expression, lines);
                };
                if name == "templatefile" {
                    let Some(vars) = arg(1) else {
                        return unresolved(expression, lines);
                    };
                    match self.render(&path, &text, &vars, depth) {
                        Some(rendered) => Value::FileText {
                            path,
                            text: rendered,
                        },
                        None => return unresolved(expression, lines),
                    }
                } else {
                    Value::FileText { path, text }
                }
            }
            ("tostring", 1) => match text_arg(0) {
                Some(t) => Value::String(t),
                None => return unresolved(expression, lines),
            },
            ("tonumber", 1) => match arg(0).map(|n| n.value) {
                Some(Value::Number(n)) => Value::Number(n),
                Some(Value::String(s)) => match s.trim().parse::<f64>() {
                    Ok(n) => Value::Number(n),
                    Err(_) => return unresolved(expression, lines),
                },
                _ => return unresolved(expression, lines),
            },
            ("lower" | "upper", 1) => match text_arg(0) {
                Some(t) if name == "lower" => Value::String(t.to_lowercase()),
                Some(t) => Value::String(t.to_uppercase()),
                None => return unresolved(expression, lines),
            },
            ("tolist" | "toset", 1) => match arg(0) {
                Some(
                    n @ Node {
                        value: Value::Array(_),
                        ..
                    },
                ) => n.value,
                _ => return unresolved(expression, lines),
            },
            ("merge", _) => {
                let mut merged: Vec<(Key, Node)> = Vec::new();
                for i in 0..args.len() {
                    match arg(i).map(|n| n.value) {
                        Some(Value::Object(entries)) => {
                            for (k, v) in entries {
                                merged.retain(|(old, _)| old.name != k.name);
                                merged.push((k, v));
                            }
                        }
                        Some(Value::Null) => {}
                        _ => return unresolved(expression, lines),
                    }
                }
                Value::Object(merged)
            }
            ("concat", _) => {
                let mut all = Vec::new();
                for i in 0..args.len() {
                    match arg(i).map(|n| n.value) {
                        Some(Value::Array(items)) => all.extend(items),
                        _ => return unresolved(expression, lines),
                    }
                }
                Value::Array(all)
            }
            ("coalesce", _) => {
                for i in 0..args.len() {
                    match arg(i) {
                        Some(Node {
                            value: Value::Unresolved(_),
                            ..
                        }) => return unresolved(expression, lines),
                        Some(Node {
                            value: Value::Null, ..
                        }) => continue,
                        Some(Node {
                            value: Value::String(s),
                            ..
                        }) if s.is_empty() => continue,
                        Some(node) => return node,
                        None => break,
                    }
                }
                return unresolved(expression, lines);
            }
            ("try", _) => {
                // The first argument that evaluates; an unresolved one may or
                // may not fail in Terraform, so it decides nothing.
                match arg(0) {
                    Some(node) if !node.has_unresolved() => return node,
                    _ => return unresolved(expression, lines),
                }
            }
            ("lookup", 2 | 3) => match (arg(0), text_arg(1)) {
                (Some(map), Some(key)) if !matches!(map.value, Value::Unresolved(_)) => {
                    match map.get(&key) {
                        Some(v) => return v.clone(),
                        None => match arg(2) {
                            Some(d) => return d,
                            None => return unresolved(expression, lines),
                        },
                    }
                }
                _ => return unresolved(expression, lines),
            },
            ("format", n) if n >= 1 => {
                let Some(pattern) = text_arg(0) else {
                    return unresolved(expression, lines);
                };
                let mut out = String::new();
                let mut next = 1;
                let mut chars = pattern.chars().peekable();
                while let Some(c) = chars.next() {
                    if c != '%' {
                        out.push(c);
                        continue;
                    }
                    match chars.next() {
                        Some('%') => out.push('%'),
                        Some('s' | 'd' | 'v') => match text_arg(next) {
                            Some(t) => {
                                out.push_str(&t);
                                next += 1;
                            }
                            None => return unresolved(expression, lines),
                        },
                        _ => return unresolved(expression, lines),
                    }
                }
                Value::String(out)
            }
            _ => return unresolved(expression, lines),
        };
        Node { value, span }
    }

    /// Renders a `templatefile()` template with its variables.
    fn render(&self, path: &Path, text: &str, vars: &Node, depth: usize) -> Option<String> {
        let Value::Object(entries) = &vars.value else {
            return None;
        };
        let template: Template = hcl_edit::parser::parse_template(text).ok()?;
        let scope = Scope {
            dir: self.dir,
            variables: BTreeMap::new(),
            locals: BTreeMap::new(),
            template_vars: Some(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.clone()))
                    .collect(),
            ),
            options: self.options,
        };
        let lines = Lines::new(path, text);
        let node = scope.template(&template.iter().collect::<Vec<_>>(), &lines, depth + 1)?;
        to_text(&node)
    }
}

impl Node {
    fn with_span(mut self, span: crate::Span) -> Node {
        self.span = span;
        self
    }
}

fn binary(operator: &BinaryOperator, left: &Value, right: &Value) -> Option<Value> {
    use BinaryOperator as B;
    Some(match (operator, left, right) {
        (B::Plus, Value::Number(a), Value::Number(b)) => Value::Number(a + b),
        (B::Minus, Value::Number(a), Value::Number(b)) => Value::Number(a - b),
        (B::Mul, Value::Number(a), Value::Number(b)) => Value::Number(a * b),
        (B::Div, Value::Number(a), Value::Number(b)) if *b != 0.0 => Value::Number(a / b),
        (B::Mod, Value::Number(a), Value::Number(b)) if *b != 0.0 => Value::Number(a % b),
        (B::Less, Value::Number(a), Value::Number(b)) => Value::Bool(a < b),
        (B::LessEq, Value::Number(a), Value::Number(b)) => Value::Bool(a <= b),
        (B::Greater, Value::Number(a), Value::Number(b)) => Value::Bool(a > b),
        (B::GreaterEq, Value::Number(a), Value::Number(b)) => Value::Bool(a >= b),
        (B::And, Value::Bool(a), Value::Bool(b)) => Value::Bool(*a && *b),
        (B::Or, Value::Bool(a), Value::Bool(b)) => Value::Bool(*a || *b),
        (B::Eq | B::NotEq, a, b) => {
            let scalar = |v: &Value| {
                matches!(
                    v,
                    Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_)
                )
            };
            if !scalar(a) || !scalar(b) {
                return None;
            }
            let equal = a == b;
            Value::Bool(if matches!(operator, B::Eq) {
                equal
            } else {
                !equal
            })
        }
        _ => return None,
    })
}
