//! Hostile but well-formed projects stay within bounded memory and time:
//! interpolation output has a budget, and large maps and lists load in
//! linear time (before the fix, 50,000 list labels took 14 s in release,
//! a million items hours, and 1,000 copies of a 4 MiB variable ≈ 10 GB).

use compose::{load, Options};
use std::collections::BTreeMap;

fn project(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn options(dir: &std::path::Path) -> Options {
    Options {
        working_dir: dir.to_path_buf(),
        environment: BTreeMap::new(),
        ..Options::default()
    }
}

#[test]
fn a_large_variable_repeated_everywhere_stops_at_the_interpolation_budget() {
    let big = "x".repeat(4 * 1024 * 1024);
    let mut compose = String::from("services:\n  web:\n    image: nginx\n    labels:\n");
    for i in 0..1000 {
        compose.push_str(&format!("      l{i}: ${{BIG}}\n"));
    }
    let dir = project(&[(".env", format!("BIG={big}\n")), ("compose.yaml", compose)]);
    let error = load(&options(dir.path())).unwrap_err();
    let position = error.position().expect("a position");
    // Each label costs 8 MiB (its value and the substitution's record): 64 MiB
    // hold l0…l7, and l8 (line 13, at its value) goes past.
    assert_eq!((position.line, position.column), (13, 11), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("services.web.labels.l8") && message.contains("64 MiB"),
        "{message}"
    );
}

#[test]
fn ordinary_interpolation_is_far_below_the_budget() {
    let value = "y".repeat(1024);
    let mut compose = String::from("services:\n  web:\n    image: nginx\n    labels:\n");
    for i in 0..1000 {
        compose.push_str(&format!("      l{i}: ${{V}}\n"));
    }
    let dir = project(&[(".env", format!("V={value}\n")), ("compose.yaml", compose)]);
    let project = load(&options(dir.path())).unwrap();
    assert_eq!(project.services[0].labels.len(), 1000);
}

#[test]
fn large_label_lists_and_maps_load_and_keep_compose_semantics() {
    // A list with a repeated key: the later value wins at the first position.
    let mut list = String::from("services:\n  web:\n    image: nginx\n    labels:\n");
    for i in 0..100_000 {
        list.push_str(&format!("      - l{i}=v{i}\n"));
    }
    list.push_str("      - l5=last\n");
    let dir = project(&[("compose.yaml", list)]);
    let loaded = load(&options(dir.path())).unwrap();
    let labels = &loaded.services[0].labels;
    assert_eq!(labels.len(), 100_000);
    assert_eq!(labels["l5"].value, "last");

    // A map: duplicate keys are still refused, with the position of the second.
    let mut map = String::from("services:\n  web:\n    image: nginx\n    labels:\n");
    for i in 0..100_000 {
        map.push_str(&format!("      l{i}: v\n"));
    }
    map.push_str("      l42: again\n");
    let dir = project(&[("compose.yaml", map)]);
    let error = load(&options(dir.path())).unwrap_err();
    assert!(
        error.to_string().contains("duplicate key \"l42\""),
        "{error}"
    );
    assert_eq!(error.position().unwrap().line, 100_005);
}

#[test]
fn an_override_file_merges_large_maps_key_by_key() {
    let mut base = String::from("services:\n  web:\n    image: nginx\n    environment:\n");
    let mut over = String::from("services:\n  web:\n    environment:\n");
    for i in 0..50_000 {
        base.push_str(&format!("      E{i}: base\n"));
        if i % 2 == 0 {
            over.push_str(&format!("      E{i}: over\n"));
        }
    }
    over.push_str("      NEW: added\n");
    let dir = project(&[("compose.yaml", base), ("compose.override.yaml", over)]);
    let loaded = load(&options(dir.path())).unwrap();
    let env = &loaded.services[0].environment;
    assert_eq!(env.len(), 50_001);
    let value = |name: &str| {
        env.iter()
            .find(|e| e.name == name)
            .and_then(|e| e.value.as_deref())
    };
    assert_eq!(value("E0"), Some("over"));
    assert_eq!(value("E1"), Some("base"));
    assert_eq!(value("NEW"), Some("added"));
}

/// Found by `crates/fuzz` (target compose): an `env_file` naming an endless device was read until memory ran out, since
/// its size in the metadata is 0. Reads now stop past 16 MiB.
#[test]
fn endless_files_named_by_the_project_are_refused_after_16_mib() {
    if !std::path::Path::new("/dev/zero").exists() {
        eprintln!("skipped: no /dev/zero");
        return;
    }
    let cases = [
        "services:\n  web:\n    image: nginx\n    env_file: /dev/zero\n",
        "services:\n  web:\n    image: nginx\n    env_file:\n      - path: /dev/zero\n        required: false\n",
    ];
    for compose in cases {
        let dir = project(&[("compose.yaml", compose.to_string())]);
        let error = load(&options(dir.path())).expect_err(compose);
        let message = error.to_string();
        assert!(message.contains("bytes accepted"), "{compose}: {message}");
    }
    // A missing optional env file is still skipped.
    let dir = project(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    env_file:\n      - path: ./missing.env\n        required: false\n"
            .to_string(),
    )]);
    assert!(load(&options(dir.path())).is_ok());
}

#[test]
fn an_env_file_whose_lines_double_each_other_stops_at_the_values_budget() {
    // Found by the dotenv fuzz target (85 MiB for one 16 KiB input, then by
    // hand): `A1=${A0}${A0}`, `A2=${A1}${A1}`, … doubles a value per line;
    // 40 lines asked for terabytes before anything stopped them.
    let mut env = String::from("A0=0123456789abcdef0123456789abcdef\n");
    for i in 1..40 {
        env.push_str(&format!("A{i}=${{A{}}}${{A{}}}\n", i - 1, i - 1));
    }
    let error = compose::dotenv::parse(&env, &|_| None).unwrap_err();
    assert!(error.message.contains("MiB once interpolated"), "{error}");
    // The line that went past the budget: A0 is 2^5 bytes, A19 (line 20) is
    // 2^24 and the values up to it add up to just under 2^25.
    assert_eq!(error.line, 20);

    // Through the loader: the project's `.env` is an error at its line.
    let dir = project(&[
        (
            "compose.yaml",
            "services:\n  web:\n    image: nginx:${A39}\n".to_string(),
        ),
        (".env", env.clone()),
    ]);
    let error = load(&options(dir.path())).unwrap_err();
    assert!(
        error.to_string().contains("MiB once interpolated"),
        "{error}"
    );

    // Ordinary files with large values are far below it.
    let big = format!("CERT=\"{}\"\nCOPY=${{CERT}}\n", "k".repeat(4 << 20));
    let entries = compose::dotenv::parse(&big, &|_| None).unwrap();
    assert_eq!(entries[1].value.len(), 4 << 20);
}
