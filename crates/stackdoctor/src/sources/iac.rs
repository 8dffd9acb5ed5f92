//! What the infrastructure-code sources (Terraform, CloudFormation) share:
//! IAM policy documents written in their own syntax handed to the IAM reader
//! with positions in the user's file.

use super::ecspresso::remember_text;
use crate::model::ecs::ConfigProblem;
use crate::model::{Origin, Sourced, StackModel};
use ecspresso::{Node, NodeValue, Position};
use std::path::Path;

/// A string of ECS JSON written at `at`.
pub fn string(text: impl Into<String>, at: &Position) -> Node {
    Node {
        value: NodeValue::String(text.into()),
        position: at.clone(),
    }
}

/// A number of ECS JSON written at `at`.
pub fn number(n: f64, at: &Position) -> Node {
    Node {
        value: NodeValue::Number(n),
        position: at.clone(),
    }
}

/// An object of ECS JSON; each key stands where its value does.
pub fn object(entries: Vec<(&str, Node)>, at: &Position) -> Node {
    Node {
        value: NodeValue::Object(
            entries
                .into_iter()
                .map(|(name, node)| {
                    (
                        ecspresso::Key {
                            name: name.to_string(),
                            position: node.position.clone(),
                        },
                        node,
                    )
                })
                .collect(),
        ),
        position: at.clone(),
    }
}

/// An array of ECS JSON.
pub fn array(items: Vec<Node>, at: &Position) -> Node {
    Node {
        value: NodeValue::Array(items),
        position: at.clone(),
    }
}

/// A definition of the ECS model read from another tool's file.
pub fn definition(
    file: &Path,
    root: Node,
    kind: ecspresso::DefinitionKind,
) -> ecspresso::Definition {
    ecspresso::Definition {
        path: file.to_path_buf(),
        root,
        wrapped: false,
        kind,
    }
}

/// One `info` problem per distinct expression known only when the tool
/// (`when`: "Terraform applies") deploys, at its first place.
pub fn unresolved_problems(
    found: impl IntoIterator<Item = (String, Origin)>,
    when: &str,
) -> Vec<ConfigProblem> {
    let mut seen = std::collections::BTreeSet::new();
    found
        .into_iter()
        .filter(|(text, _)| seen.insert(text.clone()))
        .map(|(text, origin)| ConfigProblem {
            kind: "unresolved".into(),
            message: format!("`{text}` is known only when {when}"),
            name: text,
            origin,
            blocking: false,
        })
        .collect()
}

/// Reads `node` (a policy document as JSON values with positions in `file`)
/// as an IAM policy of the project; a document the IAM reader refuses is a
/// note at its position.
pub fn add_policy_document(model: &mut StackModel, file: &Path, node: &Node) {
    let text = layout_json(node, file);
    match iampolicy::parse_policy(&text) {
        Ok(policy) => {
            remember_text(model, file);
            model.aws.policies.push(crate::model::aws::PolicyFile {
                path: file.to_path_buf(),
                policies: vec![policy],
                given: false,
            });
        }
        Err(e) => model.notes.push(Sourced::new(
            format!("not read as an IAM policy: {}", e.message()),
            Origin::file(file, e.line() as u32, e.column() as u32, 0),
        )),
    }
}

/// JSON text of `node` laid out so that every value from `file` stands at
/// the line and column where the `.tf` file writes it (values written
/// earlier than the text already reached follow on the same line): the IAM
/// reader's positions are then positions in the `.tf` file.
fn layout_json(node: &Node, file: &Path) -> String {
    struct Writer<'a> {
        out: String,
        line: u32,
        column: u32,
        file: &'a Path,
    }
    impl Writer<'_> {
        fn move_to(&mut self, at: &Position) {
            if at.file != self.file {
                return;
            }
            while self.line < at.line {
                self.out.push('\n');
                self.line += 1;
                self.column = 1;
            }
            if self.line == at.line {
                while self.column < at.column {
                    self.out.push(' ');
                    self.column += 1;
                }
            }
        }
        fn write(&mut self, text: &str) {
            self.out.push_str(text);
            self.column += text.chars().count() as u32;
        }
        fn value(&mut self, node: &Node) {
            self.move_to(&node.position);
            match &node.value {
                NodeValue::Array(items) => {
                    self.write("[");
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.write(",");
                        }
                        self.value(item);
                    }
                    self.write("]");
                }
                NodeValue::Object(entries) => {
                    self.write("{");
                    for (i, (key, value)) in entries.iter().enumerate() {
                        if i > 0 {
                            self.write(",");
                        }
                        self.move_to(&key.position);
                        self.write(&serde_json::Value::String(key.name.clone()).to_string());
                        self.write(":");
                        self.value(value);
                    }
                    self.write("}");
                }
                NodeValue::Null => self.write("null"),
                NodeValue::Bool(b) => self.write(&b.to_string()),
                NodeValue::Number(n) => {
                    self.write(&serde_json::json!(n).to_string());
                }
                NodeValue::String(s) => {
                    self.write(&serde_json::Value::String(s.clone()).to_string())
                }
            }
        }
    }
    let mut writer = Writer {
        out: String::new(),
        line: 1,
        column: 1,
        file,
    };
    writer.value(node);
    writer.out
}
