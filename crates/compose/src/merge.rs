//! Merging compose files (`-f a -f b`, `extends`, `include`) the way
//! compose-go's `override.Merge` does, on position-carrying YAML trees.
//!
//! Before merging, each service is brought to one canonical shape by
//! [`normalize_service`] (list forms of `environment`, `labels`, `networks`,
//! `depends_on`… become mappings), so the merge itself is mostly a recursive
//! mapping merge with a few per-field rules. The winning node keeps its
//! position, so provenance survives the merge.

use crate::yaml::{Entry, Node, Value};
use std::collections::HashMap;

/// How a field merges.
enum Rule {
    /// Mappings recursively; scalars and mismatched kinds: later wins; sequences appended.
    Default,
    /// The later value replaces the earlier one entirely.
    Replace,
    /// Sequences appended, then de-duplicated (identical items).
    Unique,
    /// Sequences appended, later entries replacing earlier ones on the same mount target.
    ByTarget,
}

fn rule(path: &[&str]) -> Rule {
    match path {
        ["services", _, "command" | "entrypoint"] => Rule::Replace,
        ["services", _, "healthcheck", "test"] => Rule::Replace,
        ["services", _, "volumes" | "devices"] => Rule::ByTarget,
        ["services", _, _] => Rule::Unique,
        _ => Rule::Default,
    }
}

/// Merges `over` into `base` (the later file wins). `path` is the key path of `base`.
pub fn merge(base: &mut Node, over: Node, path: &mut Vec<String>) {
    if over.tag.as_deref() == Some("!override") {
        *base = Node { tag: None, ..over };
        return;
    }
    let segments: Vec<&str> = path.iter().map(String::as_str).collect();
    let rule = rule(&segments);
    match (&mut base.value, over.value) {
        (Value::Map(entries), Value::Map(more)) => {
            let mut index = key_index(entries);
            for e in more {
                merge_entry(entries, &mut index, e, path);
            }
        }
        (Value::Seq(items), Value::Seq(more)) => match rule {
            Rule::Replace => {
                *items = more;
                base.position = over.position;
            }
            Rule::Unique | Rule::Default => {
                for item in more {
                    if matches!(rule, Rule::Default) || !items.iter().any(|i| same(i, &item)) {
                        items.push(item);
                    }
                }
            }
            Rule::ByTarget => {
                for item in more {
                    let target = mount_target(&item);
                    match items
                        .iter_mut()
                        .find(|i| target.is_some() && mount_target(i) == target)
                    {
                        Some(slot) => *slot = item,
                        None => items.push(item),
                    }
                }
            }
        },
        // compose ignores a null override (mergo semantics).
        (_, Value::Null) => {}
        (_, value) => {
            *base = Node {
                value,
                position: over.position,
                tag: None,
            }
        }
    }
}

/// Each key's position in `entries`.
fn key_index(entries: &[Entry]) -> HashMap<String, usize> {
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key.clone(), i))
        .collect()
}

fn merge_entry(
    entries: &mut Vec<Entry>,
    index: &mut HashMap<String, usize>,
    e: Entry,
    path: &mut Vec<String>,
) {
    let existing = index.get(&e.key).copied();
    if e.value.tag.as_deref() == Some("!reset") {
        if let Some(i) = existing {
            entries.remove(i);
            *index = key_index(entries);
        }
        return;
    }
    match existing {
        Some(i) => {
            path.push(e.key);
            merge(&mut entries[i].value, e.value, path);
            path.pop();
        }
        None => {
            let mut e = e;
            strip_resets(&mut e.value);
            index.insert(e.key.clone(), entries.len());
            entries.push(e);
        }
    }
}

/// Removes entries tagged `!reset` (nothing to reset them against) and drops `!override` tags.
pub fn strip_resets(node: &mut Node) {
    match &mut node.value {
        Value::Map(entries) => {
            entries.retain(|e| e.value.tag.as_deref() != Some("!reset"));
            for e in entries {
                strip_resets(&mut e.value);
            }
        }
        Value::Seq(items) => {
            items.retain(|i| i.tag.as_deref() != Some("!reset"));
            for i in items {
                strip_resets(i);
            }
        }
        _ => {}
    }
    if node.tag.as_deref() == Some("!override") {
        node.tag = None;
    }
}

/// Structural equality that ignores positions.
fn same(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Null, Value::Null) => true,
        (Value::Scalar { text: x, .. }, Value::Scalar { text: y, .. }) => x == y,
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(a, b)| a.key == b.key && same(&a.value, &b.value))
        }
        _ => false,
    }
}

/// The container path of a `volumes`/`devices` entry (short or long syntax).
pub fn mount_target(node: &Node) -> Option<String> {
    match &node.value {
        Value::Scalar { text, .. } => {
            let parts = split_volume(text);
            Some(match parts.len() {
                1 => parts[0].to_string(),
                _ => parts[1].to_string(),
            })
        }
        Value::Map(_) => node.get("target")?.as_str().map(str::to_string),
        _ => None,
    }
}

/// Splits `src:dst[:mode]`, keeping a Windows drive letter (`C:\x`) in the source.
pub fn split_volume(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let skip = if bytes.len() > 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'\\' | b'/')
    {
        2
    } else {
        0
    };
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices().skip(skip) {
        if c == ':' {
            parts.push(&text[start..i]);
            start = i + 1;
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Fields whose list form (`K=V` items) is turned into a mapping before merging.
const KEYED_LISTS: &[&str] = &[
    "environment",
    "labels",
    "annotations",
    "sysctls",
    "extra_hosts",
];

/// Brings a service definition to the canonical shape the merge and the
/// model expect: mapping forms for key/value lists, `networks` and
/// `depends_on`, and `build: <context>` as `build: {context: …}`.
pub fn normalize_service(service: &mut Node) {
    let Value::Map(entries) = &mut service.value else {
        return;
    };
    for e in entries.iter_mut() {
        let field = e.key.as_str();
        if KEYED_LISTS.contains(&field) {
            let separators: &[char] = if field == "extra_hosts" {
                &['=', ':']
            } else {
                &['=']
            };
            list_to_map(&mut e.value, separators);
        } else if field == "networks" || field == "depends_on" {
            names_to_map(&mut e.value);
        } else if field == "build" {
            if let Value::Scalar { .. } = e.value.value {
                let context = e.value.clone();
                e.value.value = Value::Map(vec![Entry {
                    key: "context".into(),
                    key_position: context.position.clone(),
                    value: context,
                }]);
            } else if let Some(args) = e_get_mut(&mut e.value, "args") {
                list_to_map(args, &['=']);
            }
        }
    }
}

fn e_get_mut<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut node.value {
        Value::Map(entries) => entries
            .iter_mut()
            .find(|e| e.key == key)
            .map(|e| &mut e.value),
        _ => None,
    }
}

/// `["K=V", "K2"]` → `{K: V, K2: null}`; each key keeps its item's position.
fn list_to_map(node: &mut Node, separators: &[char]) {
    let Value::Seq(items) = &node.value else {
        return;
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for item in items {
        let Some(text) = item.as_str() else { continue };
        let (key, value) = match text.find(separators) {
            Some(i) => {
                let value = Node::new(
                    Value::Scalar {
                        text: text[i + 1..].to_string(),
                        plain: false,
                    },
                    item.position.clone(),
                );
                (text[..i].to_string(), value)
            }
            None => (
                text.to_string(),
                Node::new(Value::Null, item.position.clone()),
            ),
        };
        // Later entries win, kept at the first position (compose's de-duplication).
        match index.get(&key) {
            Some(&i) => entries[i].value = value,
            None => {
                index.insert(key.clone(), entries.len());
                entries.push(Entry {
                    key,
                    key_position: item.position.clone(),
                    value,
                })
            }
        }
    }
    node.value = Value::Map(entries);
}

/// `[a, b]` → `{a: null, b: null}`.
fn names_to_map(node: &mut Node) {
    let Value::Seq(items) = &node.value else {
        return;
    };
    let entries = items
        .iter()
        .filter_map(|item| {
            Some(Entry {
                key: item.as_str()?.to_string(),
                key_position: item.position.clone(),
                value: Node::new(Value::Null, item.position.clone()),
            })
        })
        .collect();
    node.value = Value::Map(entries);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;
    use std::path::PathBuf;
    use std::sync::Arc;

    fn tree(text: &str, name: &str) -> Node {
        let mut root = yaml::parse(text, &Arc::new(PathBuf::from(name)))
            .unwrap()
            .unwrap();
        if let Value::Map(entries) = &mut root.value {
            for e in entries.iter_mut().filter(|e| e.key == "services") {
                if let Value::Map(services) = &mut e.value.value {
                    for s in services {
                        normalize_service(&mut s.value);
                    }
                }
            }
        }
        root
    }

    fn merged(a: &str, b: &str) -> Node {
        let mut base = tree(a, "a.yaml");
        merge(&mut base, tree(b, "b.yaml"), &mut Vec::new());
        strip_resets(&mut base);
        base
    }

    fn web(root: &Node) -> &Node {
        root.get("services").unwrap().get("web").unwrap()
    }

    #[test]
    fn rules() {
        let a = "services:\n  web:\n    image: a\n    command: [x, y]\n    ports: ['8080:80']\n    environment: [A=1, B=2]\n    volumes: ['./a:/data', './c:/c']\n    networks: [front]\n";
        let b = "services:\n  web:\n    image: b\n    command: [z]\n    ports: ['8080:80', '8081:80']\n    environment: {B: 3, C: 4}\n    volumes: ['./b:/data']\n    networks: {back: {aliases: [w]}}\n";
        let root = merged(a, b);
        let web = web(&root);
        let image = web.get("image").unwrap();
        assert_eq!(image.as_str(), Some("b"));
        assert_eq!(&**image.position.file, &PathBuf::from("b.yaml"));
        assert_eq!(web.get("command").unwrap().as_seq().unwrap().len(), 1);
        assert_eq!(web.get("ports").unwrap().as_seq().unwrap().len(), 2);
        let env = web.get("environment").unwrap();
        assert_eq!(env.get("A").unwrap().as_str(), Some("1"));
        assert_eq!(env.get("B").unwrap().as_str(), Some("3"));
        assert_eq!(env.get("C").unwrap().as_str(), Some("4"));
        let volumes = web.get("volumes").unwrap().as_seq().unwrap();
        assert_eq!(volumes.len(), 2);
        assert_eq!(volumes[0].as_str(), Some("./b:/data"));
        let networks = web.get("networks").unwrap();
        assert!(networks.get("front").is_some() && networks.get("back").is_some());
    }

    #[test]
    fn reset_and_override() {
        let a = "services:\n  web:\n    image: a\n    ports: ['80:80']\n    environment: {A: 1, B: 2}\n";
        let b = "services:\n  web:\n    ports: !reset []\n    environment: !override {C: 3}\n";
        let root = merged(a, b);
        let web = web(&root);
        assert!(web.get("ports").is_none());
        let env = web.get("environment").unwrap();
        assert!(env.get("A").is_none() && env.get("C").is_some());
    }
}
