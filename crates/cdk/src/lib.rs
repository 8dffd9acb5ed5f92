//! AWS CDK apps read as data: every construct the code creates
//! (`new ecs.FargateTaskDefinition(this, "Task", {...})`,
//! `ecs.FargateTaskDefinition(self, "Task", cpu=256)`) and every method
//! called on a variable (`taskDef.addContainer("App", {...})`), with their
//! props as values.
//!
//! * TypeScript/JavaScript and Python through `codeparse` (tree-sitter): no
//!   pattern matching over text.
//! * Literals (numbers, strings, booleans, arrays, objects, dicts) are
//!   values; an identifier bound once in the file (`const mem = 512`,
//!   `mem = 512`) is followed; enum members (`ecs.CpuArchitecture.ARM64`)
//!   and calls (`ecs.ContainerImage.fromRegistry("nginx")`,
//!   `Duration.seconds(30)`) are kept as such for the reader to interpret;
//!   anything else is [`Value::Unresolved`] with its text: never guessed.
//! * Python keyword arguments are renamed to the TypeScript props they are
//!   (`memory_limit_mib` → `memoryLimitMiB`, `add_container` →
//!   `addContainer`), so one reader serves both languages.
//!
//! Budgets: codeparse's (size, parse deadline, node count), [`MAX_DEPTH`]
//! for nested values and followed identifiers, and [`MAX_VALUES`] values per
//! file (past it, values are unresolved).

#![forbid(unsafe_code)]

use codeparse::{Lang, Node as Syntax, Parsed};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use codeparse::Position;

/// Deepest nesting of values read (and of identifiers followed).
pub const MAX_DEPTH: usize = 48;
/// Most values one file may produce: a constant used twice in a construct
/// that another constant's construct uses twice … copies values, and the
/// copies grow exponentially with the chain's length without a bound.
pub const MAX_VALUES: usize = 50_000;
/// Longest expression text kept (a member or callee that is a whole
/// function body would otherwise be copied for each use).
const MAX_TEXT: usize = 160;

/// A value of the app and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub position: Position,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Node>),
    /// An object literal, a Python dict, or a call's keyword arguments.
    Object(Vec<Prop>),
    /// `a.b.C` that is not a call: an enum member or a reference.
    Member(String),
    /// A call or `new`: the callee's text, its positional arguments and its
    /// props (the last object argument in TypeScript, the keyword arguments
    /// in Python).
    Call {
        callee: String,
        args: Vec<Node>,
        props: Vec<Prop>,
    },
    /// Not known from this file alone: the expression's text.
    Unresolved(String),
}

/// One `key: value` of an object or keyword argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Prop {
    pub name: String,
    pub position: Position,
    pub value: Node,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The props of an object or call.
    pub fn props(&self) -> &[Prop] {
        match &self.value {
            Value::Object(props) => props,
            Value::Call { props, .. } => props,
            _ => &[],
        }
    }

    /// The prop `name` of an object or call.
    pub fn get(&self, name: &str) -> Option<&Node> {
        self.props()
            .iter()
            .find(|p| p.name == name)
            .map(|p| &p.value)
    }

    /// The prop entry (with the name's position).
    pub fn get_prop(&self, name: &str) -> Option<&Prop> {
        self.props().iter().find(|p| p.name == name)
    }

    /// The last segment of a call's callee (`fromRegistry`), or of a member.
    pub fn call_name(&self) -> Option<&str> {
        match &self.value {
            Value::Call { callee, .. } => callee.rsplit('.').next(),
            _ => None,
        }
    }
}

/// A construct created in the app.
#[derive(Debug, Clone, PartialEq)]
pub struct Construct {
    /// The class's last name (`FargateTaskDefinition`).
    pub class: String,
    /// The class as written (`ecs.FargateTaskDefinition`).
    pub written: String,
    /// The variable it is assigned to (`taskDef`, `self.service`).
    pub variable: Option<String>,
    /// The construct ID (second argument), when a literal.
    pub id: Option<String>,
    pub props: Node,
    pub position: Position,
}

/// A method called on a variable.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodCall {
    /// What the method is called on (`taskDef`, `service.taskDefinition`).
    pub receiver: String,
    /// The method, in TypeScript's spelling (`addContainer`).
    pub method: String,
    pub args: Vec<Node>,
    /// The props (last object argument / keyword arguments).
    pub props: Node,
    pub position: Position,
}

/// What a CDK source file creates and calls.
#[derive(Debug, Clone, PartialEq)]
pub struct App {
    pub file: PathBuf,
    pub constructs: Vec<Construct>,
    pub calls: Vec<MethodCall>,
}

/// Why a file was not read.
pub use codeparse::Error;

/// Whether `text` is CDK code worth parsing: it imports the CDK.
pub fn is_cdk(text: &str) -> bool {
    text.contains("aws-cdk-lib") || text.contains("aws_cdk") || text.contains("@aws-cdk/")
}

/// Reads a TypeScript, JavaScript or Python file; `None` for other files.
pub fn read(path: &Path, text: &str) -> Option<Result<App, Error>> {
    let lang = Lang::of_path(path)?;
    Some(codeparse::parse(lang, text).map(|parsed| Reader::new(&parsed).app(path)))
}

/// `memory_limit_mib` → `memoryLimitMiB`, `add_container` → `addContainer`.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = !out.is_empty();
            continue;
        }
        if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    // CDK spells mebibytes `MiB`.
    if let Some(stem) = out.strip_suffix("Mib") {
        return format!("{stem}MiB");
    }
    out
}

/// `text`, cut to [`MAX_TEXT`] characters.
fn short(text: &str) -> String {
    text.chars().take(MAX_TEXT).collect()
}

struct Reader<'a> {
    parsed: &'a Parsed,
    python: bool,
    /// Identifiers bound once in the file, to their value's syntax node.
    bindings: HashMap<String, Syntax<'a>>,
    /// Values produced so far ([`MAX_VALUES`]).
    produced: std::cell::Cell<usize>,
}

impl<'a> Reader<'a> {
    fn new(parsed: &'a Parsed) -> Self {
        let python = parsed.lang == Lang::Python;
        let mut counts: HashMap<String, (usize, Option<Syntax<'a>>)> = HashMap::new();
        for node in parsed.descendants(parsed.root()) {
            let (name, value) = match node.kind() {
                "variable_declarator" => (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ),
                "assignment" if python => (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ),
                // A reassignment (`a = 2`) makes a second binding.
                "assignment_expression" => (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ),
                _ => continue,
            };
            let (Some(name), Some(value)) = (name, value) else {
                continue;
            };
            if name.kind() != "identifier" {
                continue;
            }
            let entry = counts
                .entry(parsed.text(name).to_string())
                .or_insert((0, None));
            entry.0 += 1;
            entry.1 = Some(value);
        }
        // A name bound twice has no one value: it is not followed.
        let bindings = counts
            .into_iter()
            .filter_map(|(k, (n, v))| (n == 1).then_some((k, v?)))
            .collect();
        Reader {
            parsed,
            python,
            bindings,
            produced: std::cell::Cell::new(0),
        }
    }

    fn text(&self, node: Syntax) -> &'a str {
        self.parsed.text(node)
    }

    fn app(&self, path: &Path) -> App {
        let mut constructs = Vec::new();
        let mut calls = Vec::new();
        for node in self.parsed.descendants(self.parsed.root()) {
            match (node.kind(), self.python) {
                ("new_expression", false) => constructs.extend(self.construct(node)),
                ("call_expression", false) => calls.extend(self.method_call(node)),
                ("call", true) => {
                    let Some(function) = node.child_by_field_name("function") else {
                        continue;
                    };
                    let last = self.text(function).rsplit('.').next().unwrap_or("");
                    if last.starts_with(|c: char| c.is_ascii_uppercase()) {
                        constructs.extend(self.construct(node));
                    } else {
                        calls.extend(self.method_call(node));
                    }
                }
                _ => {}
            }
        }
        App {
            file: path.to_path_buf(),
            constructs,
            calls,
        }
    }

    /// The variable a construct or call result is assigned to.
    fn assigned_to(&self, node: Syntax) -> Option<String> {
        let parent = node.parent()?;
        let target = match parent.kind() {
            "variable_declarator" => parent.child_by_field_name("name")?,
            "assignment" | "assignment_expression" => parent.child_by_field_name("left")?,
            _ => return None,
        };
        Some(
            self.text(target)
                .trim_start_matches("this.")
                .trim_start_matches("self.")
                .to_string(),
        )
    }

    fn arguments(&self, node: Syntax<'a>, depth: usize) -> (Vec<Node>, Vec<Prop>) {
        let Some(list) = node.child_by_field_name("arguments") else {
            return (Vec::new(), Vec::new());
        };
        let mut args = Vec::new();
        let mut props = Vec::new();
        let mut cursor = list.walk();
        for arg in list.named_children(&mut cursor) {
            match arg.kind() {
                "keyword_argument" => {
                    let (Some(name), Some(value)) = (
                        arg.child_by_field_name("name"),
                        arg.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    props.push(Prop {
                        name: camel_case(self.text(name)),
                        position: self.parsed.position(name),
                        value: self.value(value, depth + 1),
                    });
                }
                "comment" => {}
                _ => args.push(self.value(arg, depth + 1)),
            }
        }
        // TypeScript: the last object argument holds the props (moved, not
        // copied: a copy at every level of nested calls doubles per level).
        if !self.python
            && props.is_empty()
            && matches!(
                args.last(),
                Some(Node {
                    value: Value::Object(_),
                    ..
                })
            )
        {
            if let Some(Node {
                value: Value::Object(last),
                ..
            }) = args.pop()
            {
                props = last;
            }
        }
        (args, props)
    }

    fn construct(&self, node: Syntax<'a>) -> Option<Construct> {
        let callee = node.child_by_field_name(if self.python {
            "function"
        } else {
            "constructor"
        })?;
        let written = self.text(callee).to_string();
        let class = written.rsplit('.').next().unwrap_or(&written).to_string();
        let (args, props) = self.arguments(node, 0);
        let id = args.get(1).and_then(Node::as_str).map(String::from);
        let position = self.parsed.position(node);
        Some(Construct {
            class,
            written,
            variable: self.assigned_to(node),
            id,
            props: Node {
                value: Value::Object(props),
                position,
            },
            position,
        })
    }

    fn method_call(&self, node: Syntax<'a>) -> Option<MethodCall> {
        let function = node.child_by_field_name("function")?;
        if !matches!(function.kind(), "member_expression" | "attribute") {
            return None;
        }
        let object = function.child_by_field_name("object")?;
        let method =
            function.child_by_field_name(if self.python { "attribute" } else { "property" })?;
        let (args, props) = self.arguments(node, 0);
        let position = self.parsed.position(node);
        Some(MethodCall {
            receiver: self
                .text(object)
                .trim_start_matches("this.")
                .trim_start_matches("self.")
                .to_string(),
            method: camel_case(self.text(method)),
            args,
            props: Node {
                value: Value::Object(props),
                position,
            },
            position,
        })
    }

    fn string_text(&self, node: Syntax) -> Option<String> {
        let mut cursor = node.walk();
        let mut out = String::new();
        for part in node.named_children(&mut cursor) {
            match part.kind() {
                "string_fragment" | "string_content" | "escape_sequence" => {
                    out.push_str(self.text(part))
                }
                "string_start" | "string_end" => {}
                // `${x}` or `{x}`: not a literal.
                _ => return None,
            }
        }
        Some(out)
    }

    fn value(&self, node: Syntax<'a>, depth: usize) -> Node {
        let position = self.parsed.position(node);
        let unresolved = || Node {
            value: Value::Unresolved(short(self.text(node))),
            position,
        };
        self.produced.set(self.produced.get() + 1);
        if depth > MAX_DEPTH || self.produced.get() > MAX_VALUES {
            return unresolved();
        }
        let value = match node.kind() {
            "number" | "integer" | "float" => match self.text(node).replace('_', "").parse::<f64>()
            {
                Ok(n) => Value::Number(n),
                Err(_) => return unresolved(),
            },
            "string" | "template_string" => match self.string_text(node) {
                Some(s) => Value::String(s),
                None => return unresolved(),
            },
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" | "undefined" | "none" => Value::Null,
            "array" | "list" | "tuple" => {
                let mut cursor = node.walk();
                Value::Array(
                    node.named_children(&mut cursor)
                        .filter(|c| c.kind() != "comment")
                        .map(|c| self.value(c, depth + 1))
                        .collect(),
                )
            }
            "object" | "dictionary" => {
                let mut props = Vec::new();
                let mut cursor = node.walk();
                for item in node.named_children(&mut cursor) {
                    match item.kind() {
                        "pair" => {
                            let (Some(key), Some(value)) = (
                                item.child_by_field_name("key"),
                                item.child_by_field_name("value"),
                            ) else {
                                continue;
                            };
                            let name = match key.kind() {
                                "string" => self.string_text(key).unwrap_or_default(),
                                _ => self.text(key).to_string(),
                            };
                            props.push(Prop {
                                name,
                                position: self.parsed.position(key),
                                value: self.value(value, depth + 1),
                            });
                        }
                        // `{ logging }`: the constant of that name.
                        "shorthand_property_identifier" => props.push(Prop {
                            name: self.text(item).to_string(),
                            position: self.parsed.position(item),
                            value: self.identifier(item, depth + 1),
                        }),
                        _ => {}
                    }
                }
                Value::Object(props)
            }
            "identifier" => return self.identifier(node, depth + 1),
            "member_expression" | "attribute" => Value::Member(short(self.text(node))),
            "call_expression" | "call" | "new_expression" => {
                let callee = node
                    .child_by_field_name("function")
                    .or_else(|| node.child_by_field_name("constructor"));
                let Some(callee) = callee else {
                    return unresolved();
                };
                let (args, props) = self.arguments(node, depth + 1);
                let mut callee = short(self.text(callee));
                // Python's `from_registry` is TypeScript's `fromRegistry`.
                if self.python {
                    if let Some((head, last)) = callee.rsplit_once('.') {
                        callee = format!("{head}.{}", camel_case(last));
                    }
                }
                Value::Call {
                    callee,
                    args,
                    props,
                }
            }
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression" => match node.named_child(0) {
                Some(inner) => return self.value(inner, depth + 1),
                None => return unresolved(),
            },
            "unary_expression" | "unary_operator" => {
                let operand = node
                    .child_by_field_name("argument")
                    .or_else(|| node.child_by_field_name("operand"));
                match operand.map(|o| self.value(o, depth + 1).value) {
                    Some(Value::Number(n)) if self.text(node).trim_start().starts_with('-') => {
                        Value::Number(-n)
                    }
                    _ => return unresolved(),
                }
            }
            _ => return unresolved(),
        };
        Node { value, position }
    }

    /// An identifier bound once in the file: its value (at the binding's
    /// position, the line to edit); otherwise unresolved.
    fn identifier(&self, node: Syntax<'a>, depth: usize) -> Node {
        let name = self.text(node);
        match self.bindings.get(name) {
            Some(bound) if depth <= MAX_DEPTH && bound.id() != node.id() => {
                self.value(*bound, depth + 1)
            }
            _ => Node {
                value: Value::Unresolved(name.to_string()),
                position: self.parsed.position(node),
            },
        }
    }
}

#[cfg(test)]
mod tests;
