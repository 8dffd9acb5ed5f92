//! Reads a CloudFormation or SAM template into its parameters and resources,
//! with every property evaluated as far as it can be without AWS, each value
//! keeping the file, line and column where it is written.
//!
//! * YAML and JSON are both read through [`yamltree`] (JSON is YAML's flow
//!   style); short-form tags become the long form they stand for
//!   (`!Ref X` → `{"Ref": "X"}`, `!GetAtt R.Attr` → `{"Fn::GetAtt": ["R",
//!   "Attr"]}`, `!Sub …` → `{"Fn::Sub": …}`).
//! * `Ref` to a parameter takes the value given in [`Options::parameters`],
//!   else its `Default`; pseudo parameters take [`Options::pseudo`];
//!   `AWS::NoValue` removes the property. `Fn::Sub`, `Fn::Join`,
//!   `Fn::Select`, `Fn::FindInMap`, `Fn::If` and the condition functions are
//!   evaluated when their inputs are known.
//! * Anything CloudFormation only knows when it creates the stack (`Ref` to a
//!   resource, `Fn::GetAtt`, `Fn::ImportValue`, `Fn::GetAZs`, a parameter
//!   without a value) becomes [`Value::Unresolved`] with a short text of the
//!   expression, listed in [`Template::unresolved`]: never guessed.
//!
//! Budgets: texts over [`MAX_FILE_BYTES`] are refused; evaluation stops with
//! an error after [`MAX_STEPS`] nodes (copies from `Fn::FindInMap` count) or
//! [`MAX_DEPTH`] nested conditions; the YAML reader bounds aliases and depth.

#![forbid(unsafe_code)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
pub use yamltree::Position;
use yamltree::Value as Yaml;

/// Largest template read (CloudFormation itself takes 1 MB from S3).
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;
/// Most nodes evaluation may visit or create in one template.
pub const MAX_STEPS: usize = 2_000_000;
/// Deepest chain of conditions naming conditions (and of nested intrinsics).
pub const MAX_DEPTH: usize = 64;

/// Why a template could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not YAML/JSON, or a tree the YAML reader refuses (with its position).
    #[error(transparent)]
    Yaml(#[from] yamltree::Error),
    /// A template-level problem at a position (budget exceeded, a shape
    /// CloudFormation refuses).
    #[error("{}:{}:{}: {message}", position.file.display(), position.line, position.column)]
    Template { position: Position, message: String },
}

impl Error {
    pub fn position(&self) -> &Position {
        match self {
            Error::Yaml(e) => &e.position,
            Error::Template { position, .. } => position,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Error::Yaml(e) => &e.message,
            Error::Template { message, .. } => message,
        }
    }
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub position: Position,
}

/// The content of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Entry>),
    /// Known only when the stack is created: the expression in short form
    /// (`Fn::GetAtt TaskRole.Arn`, `Ref Cluster`).
    Unresolved(String),
}

/// One `key: value` pair of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_position: Position,
    pub value: Node,
}

impl Node {
    /// The value of `key` when this is an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|e| &e.value)
    }

    /// The entry of `key` (with the key's position) when this is an object.
    pub fn get_entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Object(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The value as CloudFormation writes it into a string (`Fn::Sub`,
    /// `Fn::Join`, equality): strings, numbers and booleans.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(number_text(*n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// A template parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub position: Position,
    /// `Type:` (`String`, `Number`, `AWS::EC2::Subnet::Id`, …).
    pub kind: Option<String>,
    /// The value a stack gets when none is passed.
    pub default: Option<Node>,
}

/// A resource with its properties evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub logical_id: String,
    /// Where the logical ID is written.
    pub position: Position,
    /// `Type:` (`AWS::ECS::TaskDefinition`).
    pub type_name: String,
    pub properties: Option<Node>,
    /// Whether the resource's `Condition` holds: `None` when it has none or
    /// its value is known only at deploy time.
    pub created: Option<bool>,
}

/// A template read and evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub file: PathBuf,
    /// `Transform:` names (`AWS::Serverless-2016-10-31` for SAM).
    pub transforms: Vec<String>,
    pub parameters: Vec<Parameter>,
    pub resources: Vec<Resource>,
    /// Each expression left unresolved, once, where it is written.
    pub unresolved: Vec<(String, Position)>,
}

impl Template {
    /// The resources of one type, in template order.
    pub fn resources_of<'a>(&'a self, type_name: &'a str) -> impl Iterator<Item = &'a Resource> {
        self.resources
            .iter()
            .filter(move |r| r.type_name == type_name)
    }
}

/// Values the stack is created with.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Parameter values passed to the stack (`--parameter-overrides`).
    pub parameters: BTreeMap<String, String>,
    /// Pseudo parameters known (`AWS::Region`, `AWS::AccountId`, …).
    pub pseudo: BTreeMap<String, String>,
}

/// Whether `text` looks like a template: a cheap test on the text before
/// any parsing (`AWSTemplateFormatVersion`, or `Resources` with an `AWS::`
/// resource type).
pub fn is_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && text.contains("Type") && text.contains("AWS::"))
}

/// Reads and evaluates a template. `Ok(None)` when the text is YAML or JSON
/// but not a template (no `Resources` mapping of typed resources).
pub fn parse(text: &str, file: &Path, options: &Options) -> Result<Option<Template>, Error> {
    let arc = Arc::new(file.to_path_buf());
    if text.len() > MAX_FILE_BYTES {
        return Err(Error::Template {
            position: start(&arc),
            message: format!("the template is larger than {MAX_FILE_BYTES} bytes"),
        });
    }
    let Some(root) = parse_yaml(text, &arc)? else {
        return Ok(None);
    };
    let mut steps = 0usize;
    let root = long_form(&root, &mut steps)?;
    let Some(resources) = root.get("Resources") else {
        return Ok(None);
    };
    let Value::Object(resource_entries) = &resources.value else {
        return Ok(None);
    };
    let typed = resource_entries
        .iter()
        .any(|e| e.value.get("Type").and_then(Node::as_str).is_some());
    let has_version = root.get("AWSTemplateFormatVersion").is_some();
    if !typed && !has_version {
        return Ok(None);
    }
    let parameters = read_parameters(&root);
    let mut evaluator = Evaluator {
        options,
        parameters: &parameters,
        mappings: root.get("Mappings"),
        conditions: root.get("Conditions"),
        condition_values: HashMap::new(),
        steps,
        unresolved: Vec::new(),
    };
    let mut out = Vec::new();
    for entry in resource_entries {
        let Some(type_name) = entry.value.get("Type").and_then(Node::as_str) else {
            continue;
        };
        let created = match entry.value.get("Condition").and_then(Node::as_str) {
            Some(name) => evaluator.condition(name, &entry.value.position, 0)?,
            None => None,
        };
        let properties = match entry.value.get("Properties") {
            Some(p) => evaluator.eval(p, 0)?,
            None => None,
        };
        out.push(Resource {
            logical_id: entry.key.clone(),
            position: entry.key_position.clone(),
            type_name: type_name.to_string(),
            properties,
            created,
        });
    }
    let transforms = match root.get("Transform").map(|t| &t.value) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    let unresolved = evaluator
        .unresolved
        .into_iter()
        .filter(|(text, _)| seen.insert(text.clone()))
        .collect();
    Ok(Some(Template {
        file: file.to_path_buf(),
        transforms,
        parameters,
        resources: out,
        unresolved,
    }))
}

/// Most closing brackets [`parse_yaml`] re-indents in one template.
const MAX_BRACKET_FIXES: usize = 256;

/// The YAML tree of a template. CloudFormation's parser, like PyYAML, takes
/// a flow list or mapping whose closing `]`/`}` stands at its key's
/// indentation (Copilot writes such templates); the YAML spec and saphyr do
/// not, so such a line is indented by one space and the text read again
/// (lines and the positions of every other line unchanged).
fn parse_yaml(text: &str, file: &Arc<PathBuf>) -> Result<Option<yamltree::Node>, Error> {
    let mut fixed: Option<String> = None;
    // Each fix reads the text again: at most 64 MiB read in all.
    let fixes = MAX_BRACKET_FIXES.min((64 << 20) / text.len().max(1));
    for _ in 0..=fixes {
        let current = fixed.as_deref().unwrap_or(text);
        match yamltree::parse(current, file) {
            Ok(root) => return Ok(root),
            Err(error) if error.message.contains("indentation") => {
                let line = error.position.line as usize;
                let mut lines: Vec<&str> = current.split('\n').collect();
                let closes = lines.get(line.wrapping_sub(1)).is_some_and(|l| {
                    let t = l.trim_start();
                    t.starts_with(']') || t.starts_with('}')
                });
                if !closes {
                    return Err(error.into());
                }
                let shifted = format!(" {}", lines[line - 1]);
                lines[line - 1] = &shifted;
                fixed = Some(lines.join("\n"));
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(Error::Template {
        position: start(file),
        message: format!(
            "more than {MAX_BRACKET_FIXES} closing brackets at their key's indentation"
        ),
    })
}

fn start(file: &Arc<PathBuf>) -> Position {
    Position {
        file: file.clone(),
        line: 1,
        column: 1,
    }
}

fn budget(steps: &mut usize, at: &Position) -> Result<(), Error> {
    *steps += 1;
    if *steps > MAX_STEPS {
        return Err(Error::Template {
            position: at.clone(),
            message: format!("evaluating the template takes more than {MAX_STEPS} steps"),
        });
    }
    Ok(())
}

/// A YAML plain scalar as the JSON value it stands for (YAML 1.2 core schema).
fn typed_scalar(text: &str) -> Value {
    match text {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let numeric = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        && text.chars().any(|c| c.is_ascii_digit());
    // A leading zero (`0123`, an account ID) stays text: YAML 1.2 reads it as decimal, CloudFormation users mean the string.
    let leading_zero = text.len() > 1 && text.starts_with('0') && !text.starts_with("0.");
    match text.parse::<f64>() {
        Ok(n) if numeric && !leading_zero && n.is_finite() => Value::Number(n),
        _ => Value::String(text.to_string()),
    }
}

/// The YAML tree with short-form tags written out in long form.
fn long_form(node: &yamltree::Node, steps: &mut usize) -> Result<Node, Error> {
    budget(steps, &node.position)?;
    let at = node.position.clone();
    let value = match &node.value {
        Yaml::Null => Value::Null,
        Yaml::Scalar { text, plain } => {
            if *plain && node.tag.is_none() {
                typed_scalar(text)
            } else {
                Value::String(text.clone())
            }
        }
        Yaml::Seq(items) => Value::Array(
            items
                .iter()
                .map(|i| long_form(i, steps))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|e| {
                    Ok(Entry {
                        key: e.key.clone(),
                        key_position: e.key_position.clone(),
                        value: long_form(&e.value, steps)?,
                    })
                })
                .collect::<Result<_, Error>>()?,
        ),
    };
    let plain = Node {
        value,
        position: at.clone(),
    };
    let Some(tag) = node.tag.as_deref().and_then(|t| t.strip_prefix('!')) else {
        return Ok(plain);
    };
    let (key, inner) = match tag {
        "Ref" | "Condition" => (tag.to_string(), plain),
        "GetAtt" => {
            // `!GetAtt Resource.Attribute.Part` splits at the first dot.
            let inner = match &plain.value {
                Value::String(s) => {
                    let (resource, attribute) = s.split_once('.').unwrap_or((s, ""));
                    let part = |t: &str| Node {
                        value: Value::String(t.to_string()),
                        position: at.clone(),
                    };
                    Node {
                        value: Value::Array(vec![part(resource), part(attribute)]),
                        position: at.clone(),
                    }
                }
                _ => plain,
            };
            ("Fn::GetAtt".to_string(), inner)
        }
        other => (format!("Fn::{other}"), plain),
    };
    Ok(Node {
        value: Value::Object(vec![Entry {
            key,
            key_position: at.clone(),
            value: inner,
        }]),
        position: at,
    })
}

fn read_parameters(root: &Node) -> Vec<Parameter> {
    let Some(Value::Object(entries)) = root.get("Parameters").map(|p| &p.value) else {
        return Vec::new();
    };
    entries
        .iter()
        .map(|e| Parameter {
            name: e.key.clone(),
            position: e.key_position.clone(),
            kind: e.value.get("Type").and_then(Node::as_str).map(String::from),
            default: e.value.get("Default").cloned(),
        })
        .collect()
}

/// The names CloudFormation defines itself.
const PSEUDO_PARAMETERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

struct Evaluator<'a> {
    options: &'a Options,
    parameters: &'a [Parameter],
    mappings: Option<&'a Node>,
    conditions: Option<&'a Node>,
    condition_values: HashMap<String, Option<bool>>,
    steps: usize,
    unresolved: Vec<(String, Position)>,
}

/// What an intrinsic function's evaluation gives.
enum Outcome {
    Value(Value),
    /// A value written elsewhere (a parameter's default): it keeps its own
    /// position, the line a fix edits.
    Located(Node),
    /// `AWS::NoValue`: the property is removed.
    Removed,
}

impl Evaluator<'_> {
    fn unresolved(&mut self, text: String, at: &Position) -> Outcome {
        self.unresolved.push((text.clone(), at.clone()));
        Outcome::Value(Value::Unresolved(text))
    }

    fn too_deep(at: &Position) -> Error {
        Error::Template {
            position: at.clone(),
            message: format!("intrinsic functions nested deeper than {MAX_DEPTH} levels"),
        }
    }

    /// Evaluates `node`; `None` when it is `AWS::NoValue`.
    fn eval(&mut self, node: &Node, depth: usize) -> Result<Option<Node>, Error> {
        budget(&mut self.steps, &node.position)?;
        if depth > MAX_DEPTH {
            return Err(Self::too_deep(&node.position));
        }
        let value = match &node.value {
            Value::Object(entries) if entries.len() == 1 && is_intrinsic(&entries[0].key) => {
                match self.intrinsic(&entries[0].key, &entries[0].value, &node.position, depth)? {
                    Outcome::Value(v) => v,
                    Outcome::Located(n) => return Ok(Some(n)),
                    Outcome::Removed => return Ok(None),
                }
            }
            Value::Object(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for e in entries {
                    if let Some(value) = self.eval(&e.value, depth + 1)? {
                        out.push(Entry {
                            key: e.key.clone(),
                            key_position: e.key_position.clone(),
                            value,
                        });
                    }
                }
                Value::Object(out)
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    if let Some(value) = self.eval(i, depth + 1)? {
                        out.push(value);
                    }
                }
                Value::Array(out)
            }
            other => other.clone(),
        };
        Ok(Some(Node {
            value,
            position: node.position.clone(),
        }))
    }

    fn eval_value(&mut self, node: &Node, depth: usize) -> Result<Value, Error> {
        Ok(self.eval(node, depth + 1)?.map_or(Value::Null, |n| n.value))
    }

    fn intrinsic(
        &mut self,
        name: &str,
        argument: &Node,
        at: &Position,
        depth: usize,
    ) -> Result<Outcome, Error> {
        let args = argument.as_array().unwrap_or(&[]);
        Ok(match name {
            "Ref" => {
                let Some(target) = argument.as_str() else {
                    return Ok(self.unresolved("Ref".into(), at));
                };
                self.reference(target, at)
            }
            "Fn::Sub" => self.sub(argument, at, depth)?,
            "Fn::Join" => {
                let (Some(delimiter), Some(list)) = (args.first(), args.get(1)) else {
                    return Ok(self.unresolved("Fn::Join".into(), at));
                };
                let delimiter = delimiter.scalar_text().unwrap_or_default();
                let list = self.eval_value(list, depth)?;
                let parts: Option<Vec<String>> = match &list {
                    Value::Array(items) => items.iter().map(Node::scalar_text).collect(),
                    _ => None,
                };
                match parts {
                    Some(parts) => Outcome::Value(Value::String(parts.join(&delimiter))),
                    None => self.unresolved("Fn::Join".into(), at),
                }
            }
            "Fn::Select" => {
                let (Some(index), Some(list)) = (args.first(), args.get(1)) else {
                    return Ok(self.unresolved("Fn::Select".into(), at));
                };
                let index = self.eval_value(index, depth)?;
                let list = self.eval_value(list, depth)?;
                let i = match index {
                    Value::Number(n) if n >= 0.0 && n.fract() == 0.0 => Some(n as usize),
                    Value::String(s) => s.trim().parse::<usize>().ok(),
                    _ => None,
                };
                match (i, list) {
                    (Some(i), Value::Array(items)) if i < items.len() => {
                        Outcome::Value(items[i].value.clone())
                    }
                    _ => self.unresolved("Fn::Select".into(), at),
                }
            }
            "Fn::FindInMap" => self.find_in_map(args, at, depth)?,
            "Fn::If" => {
                let (Some(condition), Some(yes), Some(no)) = (
                    args.first().and_then(Node::as_str),
                    args.get(1),
                    args.get(2),
                ) else {
                    return Ok(self.unresolved("Fn::If".into(), at));
                };
                match self.condition(condition, at, depth + 1)? {
                    Some(holds) => match self.eval(if holds { yes } else { no }, depth + 1)? {
                        Some(n) => Outcome::Located(n),
                        None => Outcome::Removed,
                    },
                    None => self.unresolved(format!("Fn::If {condition}"), at),
                }
            }
            "Fn::Base64" => Outcome::Value(self.eval_value(argument, depth)?),
            "Fn::GetAtt" => {
                let text = match &argument.value {
                    Value::Array(parts) => parts
                        .iter()
                        .filter_map(Node::scalar_text)
                        .collect::<Vec<_>>()
                        .join("."),
                    Value::String(s) => s.clone(),
                    _ => String::new(),
                };
                self.unresolved(format!("Fn::GetAtt {text}"), at)
            }
            "Fn::ImportValue" => {
                let export = self.eval_value(argument, depth)?;
                let text = match export {
                    Value::String(s) => s,
                    Value::Unresolved(t) => t,
                    _ => String::new(),
                };
                self.unresolved(format!("Fn::ImportValue {text}"), at)
            }
            "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" | "Condition" => {
                match self.condition_value(name, argument, at, depth + 1)? {
                    Some(b) => Outcome::Value(Value::Bool(b)),
                    None => self.unresolved(name.to_string(), at),
                }
            }
            other => self.unresolved(other.to_string(), at),
        })
    }

    fn reference(&mut self, target: &str, at: &Position) -> Outcome {
        if target == "AWS::NoValue" {
            return Outcome::Removed;
        }
        if let Some(v) = self.options.pseudo.get(target) {
            return Outcome::Value(Value::String(v.clone()));
        }
        if PSEUDO_PARAMETERS.contains(&target) {
            return self.unresolved(format!("Ref {target}"), at);
        }
        if let Some(v) = self.options.parameters.get(target) {
            return Outcome::Value(Value::String(v.clone()));
        }
        if let Some(parameter) = self.parameters.iter().find(|p| p.name == target) {
            if let Some(default) = &parameter.default {
                return Outcome::Located(default.clone());
            }
        }
        self.unresolved(format!("Ref {target}"), at)
    }

    /// The text a `${name}` of `Fn::Sub` stands for, if known.
    fn sub_variable(
        &mut self,
        name: &str,
        variables: &[(String, Value)],
        at: &Position,
    ) -> Option<String> {
        if let Some((_, v)) = variables.iter().find(|(k, _)| k == name) {
            return match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(number_text(*n)),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            };
        }
        if name.contains('.') && !name.starts_with("AWS::") {
            return None;
        }
        let value = match self.reference(name, at) {
            Outcome::Value(v) => v,
            Outcome::Located(n) => n.value,
            Outcome::Removed => return None,
        };
        match value {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(number_text(n)),
            _ => None,
        }
    }

    fn sub(&mut self, argument: &Node, at: &Position, depth: usize) -> Result<Outcome, Error> {
        let (template, variables) = match &argument.value {
            Value::String(s) => (s.clone(), Vec::new()),
            Value::Array(items) => {
                let Some(template) = items.first().and_then(Node::as_str) else {
                    return Ok(self.unresolved("Fn::Sub".into(), at));
                };
                let mut variables = Vec::new();
                if let Some(Value::Object(entries)) = items.get(1).map(|m| &m.value) {
                    for e in entries {
                        let value = self.eval_value(&e.value, depth)?;
                        variables.push((e.key.clone(), value));
                    }
                }
                (template.to_string(), variables)
            }
            _ => return Ok(self.unresolved("Fn::Sub".into(), at)),
        };
        let mut out = String::with_capacity(template.len());
        let mut rest = template.as_str();
        let mut known = true;
        // Unknown names are recorded once for the whole string, not one by one.
        let before = self.unresolved.len();
        while let Some(open) = rest.find("${") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                rest = "";
                break;
            };
            let name = &after[..close];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                match self.sub_variable(name.trim(), &variables, at) {
                    Some(text) => out.push_str(&text),
                    None => known = false,
                }
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        self.unresolved.truncate(before);
        Ok(if known {
            Outcome::Value(Value::String(out))
        } else {
            self.unresolved(format!("Fn::Sub {template}"), at)
        })
    }

    fn find_in_map(
        &mut self,
        args: &[Node],
        at: &Position,
        depth: usize,
    ) -> Result<Outcome, Error> {
        let mut keys = Vec::new();
        for a in args.iter().take(3) {
            match self.eval_value(a, depth)? {
                Value::String(s) => keys.push(s),
                Value::Number(n) => keys.push(number_text(n)),
                _ => return Ok(self.unresolved("Fn::FindInMap".into(), at)),
            }
        }
        let found = match keys.as_slice() {
            [map, top, second] => self
                .mappings
                .and_then(|m| m.get(map))
                .and_then(|m| m.get(top))
                .and_then(|m| m.get(second))
                .cloned(),
            _ => None,
        };
        match found {
            Some(node) => {
                // The copy counts against the budget like any evaluated node.
                Ok(match self.eval(&node, depth + 1)? {
                    Some(n) => Outcome::Located(n),
                    None => Outcome::Removed,
                })
            }
            None => Ok(self.unresolved(format!("Fn::FindInMap {}", keys.join(".")), at)),
        }
    }

    /// A named condition of `Conditions:` (memoised; `None` when unknown
    /// offline or undefined).
    fn condition(
        &mut self,
        name: &str,
        at: &Position,
        depth: usize,
    ) -> Result<Option<bool>, Error> {
        if let Some(known) = self.condition_values.get(name) {
            return Ok(*known);
        }
        if depth > MAX_DEPTH {
            return Err(Self::too_deep(at));
        }
        let Some(definition) = self.conditions.and_then(|c| c.get(name)) else {
            return Ok(None);
        };
        let value = match &definition.value {
            Value::Object(entries) if entries.len() == 1 => {
                let (key, argument) = (&entries[0].key, &entries[0].value);
                self.condition_value(key, argument, &definition.position, depth + 1)?
            }
            _ => None,
        };
        self.condition_values.insert(name.to_string(), value);
        Ok(value)
    }

    fn condition_value(
        &mut self,
        function: &str,
        argument: &Node,
        at: &Position,
        depth: usize,
    ) -> Result<Option<bool>, Error> {
        budget(&mut self.steps, at)?;
        if depth > MAX_DEPTH {
            return Err(Self::too_deep(at));
        }
        let args = argument.as_array().unwrap_or(&[]);
        let operand = |this: &mut Self, node: &Node| -> Result<Option<bool>, Error> {
            match &node.value {
                Value::Object(entries) if entries.len() == 1 => {
                    this.condition_value(&entries[0].key, &entries[0].value, at, depth + 1)
                }
                Value::Bool(b) => Ok(Some(*b)),
                _ => Ok(None),
            }
        };
        Ok(match function {
            "Condition" => match argument.as_str() {
                Some(name) => self.condition(name, at, depth + 1)?,
                None => None,
            },
            "Fn::Equals" => {
                let (Some(a), Some(b)) = (args.first(), args.get(1)) else {
                    return Ok(None);
                };
                let a = self.eval(a, depth)?.and_then(|n| n.scalar_text());
                let b = self.eval(b, depth)?.and_then(|n| n.scalar_text());
                a.zip(b).map(|(a, b)| a == b)
            }
            "Fn::Not" => args
                .first()
                .map(|a| operand(self, a))
                .transpose()?
                .flatten()
                .map(|b| !b),
            "Fn::And" | "Fn::Or" => {
                let mut values = Vec::new();
                for a in args {
                    values.push(operand(self, a)?);
                }
                let and = function == "Fn::And";
                if values.contains(&Some(!and)) {
                    Some(!and)
                } else if values.iter().all(Option::is_some) {
                    Some(and)
                } else {
                    None
                }
            }
            _ => None,
        })
    }
}

fn is_intrinsic(key: &str) -> bool {
    key == "Ref" || key == "Condition" || key.starts_with("Fn::")
}

impl Template {
    /// The resource with this logical ID (callers pair `Ref X` with it).
    pub fn resource(&self, logical_id: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.logical_id == logical_id)
    }
}

#[cfg(test)]
mod tests;
