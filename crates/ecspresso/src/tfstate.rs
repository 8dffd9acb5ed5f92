//! Lookups in a local Terraform state (format version 4), like the `tfstate` plugin
//! (fujiwara/tfstate-lookup) does.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Name(String),
    Index(Value),
}

/// Splits `module.x.aws_lb.this["k"].attr[0].y` into names and indexes.
fn split(addr: &str) -> Option<Vec<Seg>> {
    let chars: Vec<char> = addr.trim().chars().collect();
    let mut segs = Vec::new();
    let mut i = 0;
    let mut name = String::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            '.' => {
                if !name.is_empty() {
                    segs.push(Seg::Name(std::mem::take(&mut name)));
                }
                i += 1;
            }
            '[' => {
                if !name.is_empty() {
                    segs.push(Seg::Name(std::mem::take(&mut name)));
                }
                let close = (i + 1..chars.len()).find(|&j| {
                    chars[j] == ']' && {
                        // a `]` inside quotes does not close
                        let inner: String = chars[i + 1..j].iter().collect();
                        let t = inner.trim();
                        !(t.starts_with('"') || t.starts_with('\''))
                            || (t.len() >= 2 && t.ends_with(t.chars().next().unwrap_or('"')))
                    }
                })?;
                let inner: String = chars[i + 1..close].iter().collect();
                let t = inner.trim();
                let v = if (t.starts_with('"') && t.ends_with('"') && t.len() >= 2)
                    || (t.starts_with('\'') && t.ends_with('\'') && t.len() >= 2)
                {
                    Value::String(t[1..t.len() - 1].to_string())
                } else if let Ok(n) = t.parse::<u64>() {
                    Value::from(n)
                } else {
                    Value::String(t.to_string())
                };
                segs.push(Seg::Index(v));
                i = close + 1;
            }
            c => {
                name.push(c);
                i += 1;
            }
        }
    }
    if !name.is_empty() {
        segs.push(Seg::Name(name));
    }
    Some(segs)
}

fn index_matches(key: Option<&Value>, want: &Value) -> bool {
    match (key, want) {
        (Some(Value::String(a)), Value::String(b)) => a == b,
        (Some(Value::Number(a)), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Some(Value::Number(a)), Value::String(b)) => a.to_string() == *b,
        _ => false,
    }
}

fn walk<'v>(mut cur: &'v Value, segs: &[Seg]) -> Option<&'v Value> {
    for seg in segs {
        cur = match (seg, cur) {
            (Seg::Name(n), Value::Object(m)) => match m.get(n) {
                Some(v) => v,
                // terraform_remote_state outputs: {"value": {...}, "type": ...}
                None => m.get("value").and_then(|v| v.get(n))?,
            },
            (Seg::Index(Value::Number(i)), Value::Array(a)) => {
                a.get(usize::try_from(i.as_u64()?).ok()?)?
            }
            (Seg::Index(Value::String(k)), Value::Object(m)) => m.get(k)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Looks up `addr` (`output.name`, `[module.m.]…[data.]type.name[index].attr…`) in a state.
pub(crate) fn lookup(state: &Value, addr: &str) -> Option<Value> {
    let segs = split(addr)?;
    if let Some(Seg::Name(first)) = segs.first() {
        if first == "output" {
            let Some(Seg::Name(name)) = segs.get(1) else {
                return None;
            };
            let out = state.get("outputs")?.get(name)?.get("value")?;
            return walk(out, &segs[2..]).cloned();
        }
    }
    let mut i = 0;
    let mut module = Vec::new();
    while let Some(Seg::Name(n)) = segs.get(i) {
        if n != "module" {
            break;
        }
        let Some(Seg::Name(m)) = segs.get(i + 1) else {
            return None;
        };
        let mut part = format!("module.{m}");
        i += 2;
        if let Some(Seg::Index(k)) = segs.get(i) {
            match k {
                Value::String(s) => part.push_str(&format!("[\"{s}\"]")),
                other => part.push_str(&format!("[{other}]")),
            }
            i += 1;
        }
        module.push(part);
    }
    let module = module.join(".");
    let mut mode = "managed";
    if let Some(Seg::Name(n)) = segs.get(i) {
        if n == "data" {
            mode = "data";
            i += 1;
        }
    }
    let (Some(Seg::Name(ty)), Some(Seg::Name(name))) = (segs.get(i), segs.get(i + 1)) else {
        return None;
    };
    i += 2;
    let index = match segs.get(i) {
        Some(Seg::Index(k)) => {
            i += 1;
            Some(k)
        }
        _ => None,
    };
    let resource = state.get("resources")?.as_array()?.iter().find(|r| {
        r.get("mode").and_then(Value::as_str).unwrap_or("managed") == mode
            && r.get("type").and_then(Value::as_str) == Some(ty)
            && r.get("name").and_then(Value::as_str) == Some(name)
            && r.get("module").and_then(Value::as_str).unwrap_or("") == module
    })?;
    let instances = resource.get("instances")?.as_array()?;
    let instance = match index {
        Some(k) => instances
            .iter()
            .find(|inst| index_matches(inst.get("index_key"), k))?,
        None => instances
            .iter()
            .find(|inst| inst.get("index_key").is_none())?,
    };
    let attributes = instance.get("attributes")?;
    walk(attributes, &segs[i..]).cloned()
}

/// How tfstate-lookup prints a value: strings bare, others as JSON, null as empty.
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> Value {
        serde_json::json!({
            "version": 4,
            "outputs": {"foo": {"value": "FOO"}, "obj": {"value": {"a": [1, 2]}}},
            "resources": [
                {"mode": "managed", "type": "aws_ecr_repository", "name": "all",
                 "instances": [{"index_key": "app", "attributes": {"repository_url": "r/app"}}]},
                {"mode": "data", "type": "aws_security_group", "name": "default",
                 "instances": [{"index_key": "first", "attributes": {"id": "sg-1"}}]},
                {"module": "module.subnets", "mode": "managed", "type": "aws_subnet", "name": "main",
                 "instances": [{"index_key": 0, "attributes": {"id": "subnet-0", "tags": {"Name": "a"}}},
                               {"index_key": 1, "attributes": {"id": "subnet-1"}}]},
                {"mode": "managed", "type": "aws_subnet", "name": "private-a",
                 "instances": [{"attributes": {"id": "subnet-a", "list": [{"z": 5}]}}]}
            ]
        })
    }

    fn get(addr: &str) -> Option<String> {
        lookup(&state(), addr).map(|v| value_text(&v))
    }

    #[test]
    fn addresses() {
        assert_eq!(
            get("aws_ecr_repository.all['app'].repository_url").as_deref(),
            Some("r/app")
        );
        assert_eq!(
            get("aws_ecr_repository.all[\"app\"].repository_url").as_deref(),
            Some("r/app")
        );
        assert_eq!(
            get("data.aws_security_group.default['first'].id").as_deref(),
            Some("sg-1")
        );
        assert_eq!(
            get("module.subnets.aws_subnet.main[1].id").as_deref(),
            Some("subnet-1")
        );
        assert_eq!(
            get("module.subnets.aws_subnet.main[0].tags.Name").as_deref(),
            Some("a")
        );
        assert_eq!(get("aws_subnet.private-a.id").as_deref(), Some("subnet-a"));
        assert_eq!(get("aws_subnet.private-a.list[0].z").as_deref(), Some("5"));
        assert_eq!(get("output.foo").as_deref(), Some("FOO"));
        assert_eq!(get("output.obj.a[1]").as_deref(), Some("2"));
        assert_eq!(get("output.obj").as_deref(), Some("{\"a\":[1,2]}"));
        assert_eq!(get("aws_subnet.nope.id"), None);
        assert_eq!(get("aws_ecr_repository.all.repository_url"), None);
        assert_eq!(get("data.aws_security_group.default['second'].id"), None);
        assert_eq!(get("x[unclosed"), None);
        assert_eq!(get(""), None);
    }
}
