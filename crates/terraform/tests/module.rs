//! Loading a module: variable precedence, locals, the functions evaluated
//! offline, files read by `file()`/`templatefile()`, and what stays unresolved.

use std::collections::BTreeMap;
use std::path::Path;
use terraform::{load_module, Options, Value};

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn attribute<'a>(module: &'a terraform::Module, name: &str) -> &'a terraform::Node {
    module
        .resources("test_resource")
        .next()
        .unwrap()
        .get(name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn variables_follow_terraforms_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "main.tf",
        r#"
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }
resource "test_resource" "x" {
  a = var.a
  b = var.b
  c = var.c
  d = var.d
  e = var.e
}
"#,
    );
    write(
        d,
        "terraform.tfvars",
        "b = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\n",
    );
    write(
        d,
        "x.auto.tfvars.json",
        r#"{"c": "auto-json", "d": "auto-json"}"#,
    );
    write(d, "given.tfvars", "d = \"flag\"\n");
    let options = Options {
        var_files: vec![d.join("given.tfvars")],
        env: BTreeMap::from([
            ("TF_VAR_e".to_string(), "env".to_string()),
            ("TF_VAR_b".to_string(), "env".to_string()),
        ]),
        ..Options::default()
    };
    let module = load_module(d, &options).unwrap();
    let text = |n: &str| attribute(&module, n).as_str().unwrap().to_string();
    assert_eq!(text("a"), "default");
    assert_eq!(text("b"), "tfvars"); // tfvars beats TF_VAR_
    assert_eq!(text("c"), "auto-json");
    assert_eq!(text("d"), "flag");
    assert_eq!(text("e"), "env");
    // The value keeps where it was written.
    let d_value = attribute(&module, "d");
    assert!(d_value.span.file.ends_with("given.tfvars"));
    assert_eq!((d_value.span.line, d_value.span.column), (1, 5));
}

#[test]
fn locals_functions_and_files_are_evaluated_offline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "containers.json",
        "[\n  {\"name\": \"app\", \"cpu\": 128}\n]\n",
    );
    write(
        d,
        "tpl/containers.json.tpl",
        "[{\"name\": \"${name}\", \"memory\": ${memory}}]\n",
    );
    write(
        d,
        "main.tf",
        r#"
variable "env" { default = "prod" }
locals {
  name   = "api-${var.env}"
  sizes  = { prod = 1024, dev = 512 }
  memory = local.sizes[var.env]
  tags   = merge({ a = "1" }, { b = "2" })
}
resource "test_resource" "x" {
  name      = local.name
  memory    = local.memory * 2
  big       = local.memory >= 1024 ? "yes" : "no"
  upper     = upper(var.env)
  formatted = format("%s-%d", local.name, 3)
  tags      = local.tags
  encoded   = jsonencode({ cpu = 256 })
  file      = file("${path.module}/containers.json")
  rendered  = templatefile("tpl/containers.json.tpl", { name = local.name, memory = local.memory })
  role      = aws_iam_role.exec.arn
  listed    = [for s in var.subnets : s]
  unknown   = some_function(1)
}
"#,
    );
    let module = load_module(d, &Options::default()).unwrap();
    assert_eq!(attribute(&module, "name").as_str(), Some("api-prod"));
    assert_eq!(attribute(&module, "memory").value, Value::Number(2048.0));
    assert_eq!(attribute(&module, "big").as_str(), Some("yes"));
    assert_eq!(attribute(&module, "upper").as_str(), Some("PROD"));
    assert_eq!(attribute(&module, "formatted").as_str(), Some("api-prod-3"));
    assert_eq!(
        attribute(&module, "tags").to_json(),
        serde_json::json!({"a": "1", "b": "2"})
    );
    assert!(matches!(
        attribute(&module, "encoded").value,
        Value::Encoded(_)
    ));
    let Value::FileText { path, text } = &attribute(&module, "file").value else {
        panic!("file() is read");
    };
    assert!(path.ends_with("containers.json"));
    let parsed = terraform::parse_json(&terraform::Lines::new(path, text)).unwrap();
    let Value::Array(items) = &parsed.value else {
        panic!()
    };
    let cpu = items[0].get("cpu").unwrap();
    assert_eq!((cpu.span.line, cpu.span.column), (2, 26));
    let Value::FileText { text, .. } = &attribute(&module, "rendered").value else {
        panic!("templatefile() is rendered");
    };
    assert_eq!(text, "[{\"name\": \"api-prod\", \"memory\": 1024}]\n");
    for name in ["role", "listed", "unknown"] {
        assert!(
            matches!(attribute(&module, name).value, Value::Unresolved(_)),
            "{name} is unresolved"
        );
    }
    assert_eq!(
        attribute(&module, "role").to_json(),
        serde_json::json!("<unresolved:terraform:aws_iam_role.exec.arn>")
    );
}

#[test]
fn a_file_outside_what_may_be_read_stays_unresolved() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "main.tf",
        "resource \"test_resource\" \"x\" {\n  f = file(\"/etc/passwd\")\n}\n",
    );
    let inside = |p: &Path| p.starts_with(d);
    let options = Options {
        may_read: Some(&inside),
        ..Options::default()
    };
    let module = load_module(d, &options).unwrap();
    assert!(matches!(
        attribute(&module, "f").value,
        Value::Unresolved(_)
    ));
}

#[test]
fn syntax_errors_and_hostile_input_are_errors_with_positions_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "main.tf", "resource \"a\" \"b\" {\n  x = \n}\n");
    let error = load_module(d, &Options::default()).unwrap_err();
    let terraform::Error::Syntax { span, .. } = error else {
        panic!("a syntax error");
    };
    assert_eq!(span.line, 2);
    // Deep nesting stays within the depth budget.
    let deep = format!(
        "resource \"test_resource\" \"x\" {{\n  v = {}1{}\n}}\n",
        "[".repeat(500),
        "]".repeat(500)
    );
    write(d, "main.tf", &deep);
    if let Ok(module) = load_module(d, &Options::default()) {
        assert!(attribute(&module, "v").has_unresolved());
    }
}
