//! Reading policies from JSON text: whole documents, and policies embedded in
//! larger documents (AWS CLI output, CloudFormation, Terraform JSON, ...).

use crate::json::{self, span_between, Kind, Member, Node};
use crate::policy::{
    ActionMatch, Condition, Effect, Policy, ResourceMatch, Span, Spanned, Statement, Warning,
};
use crate::Error;

/// Parses a text that is exactly one policy document
/// (`{"Version": ..., "Statement": ...}`).
///
/// A URL-encoded document (as the IAM API returns it, starting with `%7B`) is
/// decoded first; positions then all point at the start of the text.
pub fn parse_policy(text: &str) -> Result<Policy, Error> {
    if let Some(decoded) = url_decoded_document(text) {
        let whole = Span {
            line: 1,
            column: 1,
            length: text.chars().count(),
        };
        return parse_policy(&decoded)
            .map(|mut p| {
                relocate_policy(&mut p, whole);
                p
            })
            .map_err(|e| e.relocate(whole, "URL-encoded policy document"));
    }
    let root = json::parse(text)?;
    if !has_statement(&root) {
        return Err(Error::policy(
            root.span(),
            "expected a policy document: an object with a \"Statement\" element",
        ));
    }
    policy_from_node(&root, String::new())
}

/// Finds every policy in a JSON document: each object that has a `Statement`
/// key, at any depth, in document order.
///
/// This reads `aws iam get-policy-version` output (`{"PolicyVersion":
/// {"Document": {...}}}`), `get-role-policy` output (`{"PolicyDocument": ...}`),
/// CloudFormation templates (`PolicyDocument`, `AssumeRolePolicyDocument`),
/// Terraform plan JSON and plain documents. A string value holding a policy —
/// JSON text or URL-encoded JSON text, as the IAM API returns `Document` — is
/// decoded and searched too; the spans of such a policy all point at that string.
///
/// CloudFormation intrinsic functions in element values are read as policy
/// variables: `{"Ref": "B"}` becomes `${B}`, `{"Fn::GetAtt": ["R", "Arn"]}`
/// becomes `${R.Arn}`, `{"Fn::Sub": "..."}` its template, `Fn::Join` joins its
/// parts, and any other function `${Fn::Name}`. Unless the context supplies them,
/// such values evaluate to unknown.
///
/// Trust policies (with `Principal` and no `Resource`) are returned as well; check
/// [`Statement::principal`] to tell them apart.
///
/// Returns an error for invalid JSON, or for an object with a `Statement` key
/// that is not a valid policy. Strings that are not JSON are ignored unless they
/// mention `"Statement"`.
pub fn find_policies(text: &str) -> Result<Vec<Policy>, Error> {
    if let Some(decoded) = url_decoded_document(text) {
        let whole = Span {
            line: 1,
            column: 1,
            length: text.chars().count(),
        };
        return find_policies(&decoded)
            .map(|mut ps| {
                ps.iter_mut().for_each(|p| relocate_policy(p, whole));
                ps
            })
            .map_err(|e| e.relocate(whole, "URL-encoded document"));
    }
    let root = json::parse(text)?;
    let mut found = Vec::new();
    walk(&root, "", 0, &mut found)?;
    Ok(found)
}

fn has_statement(node: &Node) -> bool {
    matches!(&node.kind, Kind::Object(members) if members.iter().any(|m| m.key == "Statement"))
}

fn join_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// How many documents-in-strings deep [`find_policies`] looks.
const MAX_EMBEDDING: usize = 4;

fn walk(node: &Node, path: &str, embedding: usize, found: &mut Vec<Policy>) -> Result<(), Error> {
    match &node.kind {
        Kind::Object(members) => {
            if has_statement(node) {
                found.push(policy_from_node(node, path.to_string())?);
                return Ok(());
            }
            for member in members {
                walk(
                    &member.value,
                    &join_path(path, &member.key),
                    embedding,
                    found,
                )?;
            }
        }
        Kind::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{i}]"), embedding, found)?;
            }
        }
        Kind::String(s) if embedding < MAX_EMBEDDING => {
            embedded(s, node.span(), path, embedding + 1, found)?
        }
        _ => {}
    }
    Ok(())
}

/// Searches a string value that may hold a JSON or URL-encoded JSON document.
fn embedded(
    s: &str,
    span: Span,
    path: &str,
    embedding: usize,
    found: &mut Vec<Policy>,
) -> Result<(), Error> {
    let trimmed = s.trim_start();
    let (text, what) = if trimmed.starts_with('{') {
        (s.to_string(), "embedded policy document")
    } else if let Some(decoded) = url_decoded_document(s) {
        (decoded, "URL-encoded policy document")
    } else {
        return Ok(());
    };
    let parsed = match json::parse(&text) {
        Ok(node) => node,
        Err(e) if text.contains("\"Statement\"") => return Err(e.relocate(span, what)),
        Err(_) => return Ok(()),
    };
    let mut inner = Vec::new();
    walk(&parsed, path, embedding, &mut inner).map_err(|e| e.relocate(span, what))?;
    for mut policy in inner {
        relocate_policy(&mut policy, span);
        found.push(policy);
    }
    Ok(())
}

/// Decodes `%XX` escapes if the text looks like a URL-encoded JSON object.
fn url_decoded_document(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let head = trimmed.get(..3)?;
    if !head.eq_ignore_ascii_case("%7B") {
        return None;
    }
    let decoded = percent_decode(trimmed);
    // RFC 3986 encoders escape spaces as %20; form encoders use `+`.
    if json::parse(&decoded).is_err() && decoded.contains('+') {
        let plus = percent_decode(&trimmed.replace('+', " "));
        if json::parse(&plus).is_ok() {
            return Some(plus);
        }
    }
    Some(decoded)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Points every span of a policy decoded from a string at that string.
fn relocate_policy(policy: &mut Policy, span: Span) {
    policy.span = span;
    let fix = |s: &mut Spanned<String>| s.span = span;
    policy.version.iter_mut().for_each(fix);
    policy.id.iter_mut().for_each(fix);
    for w in &mut policy.warnings {
        w.span = span;
    }
    for st in &mut policy.statements {
        st.span = span;
        st.effect_span = span;
        if let Some(p) = &mut st.principal {
            *p = span;
        }
        st.sid.iter_mut().for_each(fix);
        match &mut st.action {
            ActionMatch::Action(l) | ActionMatch::NotAction(l) => l.iter_mut().for_each(fix),
        }
        match &mut st.resource {
            ResourceMatch::Resource(l) | ResourceMatch::NotResource(l) => {
                l.iter_mut().for_each(fix)
            }
            ResourceMatch::Absent => {}
        }
        for c in &mut st.conditions {
            c.span = span;
            c.values.iter_mut().for_each(fix);
        }
    }
}

/// Rejects a repeated key in one object.
fn check_duplicates(members: &[Member]) -> Result<(), Error> {
    for (i, m) in members.iter().enumerate() {
        if members[..i].iter().any(|earlier| earlier.key == m.key) {
            let span = m.key_span();
            return Err(Error::DuplicateKey {
                key: m.key.clone(),
                line: span.line,
                column: span.column,
            });
        }
    }
    Ok(())
}

fn object_members<'a>(node: &'a Node, what: &str) -> Result<&'a [Member], Error> {
    match &node.kind {
        Kind::Object(members) => {
            check_duplicates(members)?;
            Ok(members)
        }
        _ => Err(Error::policy(
            node.span(),
            format!("{what} must be an object, found {}", node.type_name()),
        )),
    }
}

fn string_value(node: &Node, what: &str) -> Result<Spanned<String>, Error> {
    match &node.kind {
        Kind::String(s) => Ok(Spanned {
            value: s.clone(),
            span: node.span(),
        }),
        _ => Err(Error::policy(
            node.span(),
            format!("{what} must be a string, found {}", node.type_name()),
        )),
    }
}

fn policy_from_node(node: &Node, path: String) -> Result<Policy, Error> {
    let members = object_members(node, "a policy document")?;
    let mut policy = Policy {
        version: None,
        id: None,
        statements: Vec::new(),
        span: node.span(),
        path,
        warnings: Vec::new(),
    };
    let mut statement_node = None;
    for m in members {
        match m.key.as_str() {
            "Version" => {
                let v = string_value(&m.value, "Version")?;
                if v.value != "2012-10-17" && v.value != "2008-10-17" {
                    return Err(Error::policy(
                        v.span,
                        format!(
                            "unsupported Version \"{}\" (expected \"2012-10-17\" or \"2008-10-17\")",
                            v.value
                        ),
                    ));
                }
                policy.version = Some(v);
            }
            "Id" => policy.id = Some(string_value(&m.value, "Id")?),
            "Statement" => statement_node = Some(&m.value),
            other => policy.warnings.push(Warning {
                message: format!("unknown policy element \"{other}\" is ignored"),
                span: m.key_span(),
            }),
        }
    }
    if policy.version.is_none() {
        policy.warnings.push(Warning {
            message: "no Version: AWS assumes 2008-10-17, in which policy variables are not substituted; add \"Version\": \"2012-10-17\"".into(),
            span: policy.span,
        });
    }
    let Some(statement_node) = statement_node else {
        return Err(Error::policy(policy.span, "policy has no Statement"));
    };
    let items: Vec<&Node> = match &statement_node.kind {
        Kind::Object(_) => vec![statement_node],
        Kind::Array(items) => items.iter().collect(),
        _ => {
            return Err(Error::policy(
                statement_node.span(),
                format!(
                    "Statement must be an object or an array of objects, found {}",
                    statement_node.type_name()
                ),
            ))
        }
    };
    if items.is_empty() {
        policy.warnings.push(Warning {
            message: "Statement is empty: the policy allows nothing".into(),
            span: statement_node.span(),
        });
    }
    for (index, item) in items.into_iter().enumerate() {
        let statement = statement_from_node(item, index, &mut policy.warnings)?;
        policy.statements.push(statement);
    }
    Ok(policy)
}

const STATEMENT_ELEMENTS: &str =
    "Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition";

fn statement_from_node(
    node: &Node,
    index: usize,
    warnings: &mut Vec<Warning>,
) -> Result<Statement, Error> {
    let members = object_members(node, "a statement")?;
    let span = node.span();
    let find = |name: &str| members.iter().find(|m| m.key == name);
    for m in members {
        if !STATEMENT_ELEMENTS.split(", ").any(|e| e == m.key) {
            return Err(Error::policy(
                m.key_span(),
                format!(
                    "unknown statement element \"{}\" (expected one of {STATEMENT_ELEMENTS})",
                    m.key
                ),
            ));
        }
    }

    let sid = find("Sid")
        .map(|m| string_value(&m.value, "Sid"))
        .transpose()?;
    let effect_member =
        find("Effect").ok_or_else(|| Error::policy(span, "statement has no Effect"))?;
    let effect_value = string_value(&effect_member.value, "Effect")?;
    let effect = match effect_value.value.as_str() {
        "Allow" => Effect::Allow,
        "Deny" => Effect::Deny,
        other => {
            return Err(Error::policy(
                effect_value.span,
                format!("Effect must be \"Allow\" or \"Deny\", found \"{other}\""),
            ))
        }
    };

    let principal = match (find("Principal"), find("NotPrincipal")) {
        (Some(_), Some(b)) => {
            return Err(Error::policy(
                b.key_span(),
                "statement has both Principal and NotPrincipal",
            ))
        }
        (Some(m), None) | (None, Some(m)) => {
            warnings.push(Warning {
                message: format!(
                    "statement {index} has a {} element, which belongs in resource-based or trust policies; it is not evaluated",
                    m.key
                ),
                span: m.key_span(),
            });
            Some(m.span())
        }
        (None, None) => None,
    };

    let action = match (find("Action"), find("NotAction")) {
        (Some(_), Some(b)) => {
            return Err(Error::policy(
                b.key_span(),
                "statement has both Action and NotAction",
            ))
        }
        (Some(m), None) => ActionMatch::Action(string_list(&m.value, "Action")?),
        (None, Some(m)) => ActionMatch::NotAction(string_list(&m.value, "NotAction")?),
        (None, None) => {
            return Err(Error::policy(
                span,
                "statement has neither Action nor NotAction",
            ))
        }
    };
    let (ActionMatch::Action(list) | ActionMatch::NotAction(list)) = &action;
    for a in list {
        if a.value != "*" && !a.value.contains(':') {
            warnings.push(Warning {
                message: format!(
                    "action \"{}\" has no service prefix (expected \"service:Action\")",
                    a.value
                ),
                span: a.span,
            });
        }
    }

    let resource = match (find("Resource"), find("NotResource")) {
        (Some(_), Some(b)) => {
            return Err(Error::policy(
                b.key_span(),
                "statement has both Resource and NotResource",
            ))
        }
        (Some(m), None) => ResourceMatch::Resource(string_list(&m.value, "Resource")?),
        (None, Some(m)) => ResourceMatch::NotResource(string_list(&m.value, "NotResource")?),
        (None, None) => {
            if principal.is_none() {
                warnings.push(Warning {
                    message: format!(
                        "statement {index} has neither Resource nor NotResource, which is invalid in an identity policy; it never applies"
                    ),
                    span,
                });
            }
            ResourceMatch::Absent
        }
    };

    let conditions = match find("Condition") {
        Some(m) => conditions_from_node(&m.value)?,
        None => Vec::new(),
    };

    Ok(Statement {
        index,
        sid,
        effect,
        effect_span: effect_value.span,
        principal,
        action,
        resource,
        conditions,
        span,
    })
}

/// Reads `"x"` or `["x", "y"]` (non-empty) as a list of strings.
fn string_list(node: &Node, what: &str) -> Result<Vec<Spanned<String>>, Error> {
    let list = match &node.kind {
        Kind::Array(items) => items
            .iter()
            .map(|item| element_string(item, what))
            .collect::<Result<Vec<_>, _>>()?,
        _ => vec![element_string(node, what)?],
    };
    if list.is_empty() {
        return Err(Error::policy(
            node.span(),
            format!("{what} must not be empty"),
        ));
    }
    Ok(list)
}

/// A string, or a CloudFormation intrinsic function rendered as policy variables.
fn element_string(node: &Node, what: &str) -> Result<Spanned<String>, Error> {
    if let Some(value) = intrinsic(node) {
        return Ok(Spanned {
            value,
            span: node.span(),
        });
    }
    string_value(node, &format!("each {what} entry"))
}

/// Renders `{"Ref": ...}`, `{"Fn::...": ...}` in `Fn::Sub` syntax.
fn intrinsic(node: &Node) -> Option<String> {
    let Kind::Object(members) = &node.kind else {
        return None;
    };
    let [member] = members.as_slice() else {
        return None;
    };
    let name = member.key.as_str();
    if name != "Ref" && !name.starts_with("Fn::") {
        return None;
    }
    let text = |n: &Node| match &n.kind {
        Kind::String(s) => Some(s.clone()),
        _ => intrinsic(n),
    };
    let rendered = match (name, &member.value.kind) {
        ("Ref", Kind::String(s)) => format!("${{{s}}}"),
        ("Fn::GetAtt", Kind::String(s)) => format!("${{{s}}}"),
        ("Fn::GetAtt", Kind::Array(parts)) => {
            let parts: Option<Vec<String>> = parts.iter().map(text).collect();
            format!("${{{}}}", parts?.join("."))
        }
        ("Fn::Sub", Kind::String(s)) => s.clone(),
        ("Fn::Sub", Kind::Array(parts)) => text(parts.first()?)?,
        ("Fn::Join", Kind::Array(parts)) => match parts.as_slice() {
            [delim, list] => {
                let Kind::String(delim) = &delim.kind else {
                    return None;
                };
                let Kind::Array(items) = &list.kind else {
                    return Some(format!("${{{name}}}"));
                };
                let items: Option<Vec<String>> = items.iter().map(text).collect();
                items
                    .map(|i| i.join(delim))
                    .unwrap_or(format!("${{{name}}}"))
            }
            _ => return None,
        },
        _ => format!("${{{name}}}"),
    };
    Some(rendered)
}

fn conditions_from_node(node: &Node) -> Result<Vec<Condition>, Error> {
    let mut conditions = Vec::new();
    for op in object_members(node, "Condition")? {
        for key in object_members(&op.value, "a condition operator block")? {
            let values = match &key.value.kind {
                Kind::Array(items) => items
                    .iter()
                    .map(condition_value)
                    .collect::<Result<Vec<_>, _>>()?,
                _ => vec![condition_value(&key.value)?],
            };
            conditions.push(Condition {
                operator: op.key.clone(),
                key: key.key.clone(),
                values,
                span: span_between(key.key_start, key.value.end),
            });
        }
    }
    Ok(conditions)
}

/// Condition values may be strings, numbers or booleans (kept as written).
fn condition_value(node: &Node) -> Result<Spanned<String>, Error> {
    let value = match &node.kind {
        Kind::String(s) => s.clone(),
        Kind::Number(n) => n.clone(),
        Kind::Bool(b) => b.to_string(),
        _ => match intrinsic(node) {
            Some(v) => v,
            None => {
                return Err(Error::policy(
                    node.span(),
                    format!(
                        "a condition value must be a string, number or boolean, found {}",
                        node.type_name()
                    ),
                ))
            }
        },
    };
    Ok(Spanned {
        value,
        span: node.span(),
    })
}
