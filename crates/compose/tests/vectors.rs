//! compose-go's interpolation and dotenv vectors (expected/*.json).

mod common;

use common::{corpus_file, json};
use compose::interpolate::{substitute, TemplateError};
use compose::{dotenv, Position, VarSource};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

fn here() -> Position {
    Position {
        file: Arc::new(PathBuf::from("compose.yaml")),
        line: 1,
        column: 1,
    }
}

#[test]
fn template_vectors() {
    let Some(data) = json("compose-go", "expected/template.json") else {
        return;
    };
    let mapping: BTreeMap<String, String> = data["mapping"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let lookup = |name: &str| mapping.get(name).map(|v| (v.clone(), VarSource::Shell));
    let cases = data["cases"].as_array().unwrap();
    let mut checked = 0;
    for case in cases {
        let template = case["template"].as_str().unwrap();
        let result = substitute(template, &lookup, &here());
        let wanted_error = case["error_contains"]
            .as_str()
            .map(str::to_string)
            .or_else(|| {
                case["error"].as_object().map(|e| {
                    format!(
                        "required variable {} is missing a value: {}",
                        e["variable"].as_str().unwrap(),
                        e["reason"].as_str().unwrap()
                    )
                })
            });
        match (wanted_error, result) {
            (Some(w), Err(e)) => assert!(e.to_string().contains(&w), "{template}: {e} !~ {w}"),
            (Some(w), Ok((v, _))) => panic!("{template}: expected error {w}, got {v:?}"),
            (None, Ok((v, _))) => assert_eq!(v, case["expected"].as_str().unwrap(), "{template}"),
            (None, Err(e)) => panic!("{template}: unexpected error {e}"),
        }
        checked += 1;
    }
    assert_eq!(checked, cases.len());
    assert!(checked >= 69, "only {checked} vectors");

    // The operator right after the name is the one applied.
    for case in data["operator_choice"]["cases"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        let op = case["operator"].as_str().unwrap();
        let unset = |_: &str| None;
        let set = |_: &str| Some(("v".to_string(), VarSource::Shell));
        let arg = &input["VARNAME".len() + op.len()..];
        let template = format!("${{{input}}}");
        let (u, s) = (
            substitute(&template, &unset, &here()),
            substitute(&template, &set, &here()),
        );
        match op.trim_start_matches(':') {
            "-" => assert_eq!(
                (u.unwrap().0, s.unwrap().0),
                (arg.into(), "v".into()),
                "{input}"
            ),
            "+" => assert_eq!(
                (u.unwrap().0, s.unwrap().0),
                ("".into(), arg.into()),
                "{input}"
            ),
            "?" => {
                assert!(
                    matches!(u, Err(TemplateError::MissingRequired { ref message, .. }) if message == arg),
                    "{input}"
                );
                assert_eq!(s.unwrap().0, "v");
            }
            other => panic!("operator {other}"),
        }
    }
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn parse_map(
    text: &str,
    env: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, dotenv::DotenvError> {
    let lookup = |k: &str| env.get(k).cloned();
    dotenv::parse(text, &lookup).map(|e| dotenv::to_map(&e))
}

fn obj(v: &serde_json::Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn dotenv_fixtures() {
    let Some(data) = json("compose-go", "expected/dotenv.json") else {
        return;
    };
    let mut checked = 0;
    for case in data["fixtures"].as_array().unwrap() {
        let file = case["file"].as_str().unwrap();
        if file.ends_with("custom.format") {
            // Exception: only meaningful with compose-go's pluggable custom format, not dotenv.
            continue;
        }
        let text = std::fs::read_to_string(corpus_file("compose-go", file)).unwrap();
        let text = text.replace("\r\n", "\n");
        let env = obj(&case["env"]);
        let result = parse_map(&text, &env);
        if let Some(err) = case["expected_error_contains"].as_str() {
            let e = result.unwrap_err().to_string();
            assert!(e.contains(err), "{file}: {e}");
            checked += 1;
            continue;
        }
        let got = result.unwrap_or_else(|e| panic!("{file}: {e}"));
        let expected = obj(&case["expected"]);
        if case["exhaustive"].as_bool() == Some(true) {
            assert_eq!(got, expected, "{file}");
        } else {
            for (k, v) in &expected {
                assert_eq!(got.get(k), Some(v), "{file}: {k}");
            }
        }
        for absent in case["expected_absent"].as_array().into_iter().flatten() {
            assert!(!got.contains_key(absent.as_str().unwrap()), "{file}");
        }
        checked += 1;
    }
    assert_eq!(checked, 15);
}

#[test]
fn dotenv_lines_and_errors() {
    let Some(data) = json("compose-go", "expected/dotenv.json") else {
        return;
    };
    let cases = data["parse_lines"]["cases"].as_array().unwrap();
    for case in cases {
        let input = case["input"].as_str().unwrap();
        let got = parse_map(input, &BTreeMap::new()).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(
            got.get(case["key"].as_str().unwrap()).map(String::as_str),
            case["value"].as_str(),
            "{input:?}"
        );
    }
    assert_eq!(cases.len(), 51);
    for case in data["parse_lines"]["error_cases"].as_array().unwrap() {
        assert!(dotenv::parse(case["input"].as_str().unwrap(), &no_env).is_err());
    }
    for input in data["unterminated_quotes"]["inputs"].as_array().unwrap() {
        let input = input.as_str().unwrap();
        let e = dotenv::parse(input, &no_env).unwrap_err().to_string();
        assert!(e.contains("unterminated quoted value"), "{input}: {e}");
    }
    for case in data["expanding"]["cases"].as_array().unwrap() {
        let got = parse_map(case["input"].as_str().unwrap(), &BTreeMap::new()).unwrap();
        for (k, v) in obj(&case["expected"]) {
            assert_eq!(got.get(&k), Some(&v), "{case}");
        }
    }
}

/// Later files override earlier ones; `${…}` looks at the OS environment first.
#[test]
fn dotenv_multiple_files() {
    let Some(data) = json("compose-go", "expected/dotenv.json") else {
        return;
    };
    let m = &data["multiple_files"];
    for case in m["cases"].as_array().unwrap() {
        let os = obj(&case["os_env"]);
        let mut read: BTreeMap<String, String> = BTreeMap::new();
        for name in ["base.env", "override.env"] {
            let text = m["files"][name].as_str().unwrap();
            let lookup = |k: &str| os.get(k).cloned();
            let earlier = |k: &str| read.get(k).cloned();
            let entries = dotenv::parse_layered(text, &lookup, &earlier).unwrap();
            read.extend(dotenv::to_map(&entries));
        }
        assert_eq!(read, obj(&case["expected"]));
    }
}

#[test]
fn dotenv_template_vars() {
    let Some(data) = json("compose-go", "expected/dotenv.json") else {
        return;
    };
    let t = &data["template_vars"];
    let env = obj(&t["mapping"]);
    for case in t["cases"].as_array().unwrap() {
        let got = parse_map(case["input"].as_str().unwrap(), &env).unwrap();
        let (_, want) = case["result"].as_str().unwrap().split_once('=').unwrap();
        assert_eq!(got["RESULT"], want, "{}", case["name"]);
    }
}
