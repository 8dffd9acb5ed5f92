//! Differential test against `crossplane` (PyPI, the nginx config parser by
//! nginx's authors): every config of `../shared/corpus/nginx-crossplane` and
//! every SWAG sample of `../shared/corpus/swag-proxy-confs`, read at test
//! time (they are GPL-3.0 / Apache-2.0 and not copied here), each parsed as a
//! single file. Directive names, arguments, lines and block structure must
//! agree on at least 99% of the files; every file where they do not is
//! listed in [`EXCEPTIONS`] with the reason. crossplane's context check
//! (which directive may stand where) is off and its argument-count errors are
//! not counted: conf.d and SWAG
//! files are fragments included into `http`/`server`, and validity is for
//! `nginx -t` to decide, not for the syntax parser.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Files (relative to the corpus folder) where we knowingly differ, and why.
const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "configs/messy/nginx.conf",
        "crossplane joins `/abc/${uri} /abc/${uri}.html` of try_files into one argument \
         (its `${` loop runs past the blank); nginx and we read two",
    ),
    (
        "configs/bad-args/nginx.conf",
        "crossplane drops `user;` (wrong argument count) from its tree; we keep it, \
         `nginx -t` reports the count",
    ),
];

/// The corpus folders (through `testcorpus`: skipped when absent, a failure
/// under `CI=true`), and every file of them to compare.
fn corpus_files() -> Option<(PathBuf, Vec<PathBuf>)> {
    let crossplane = testcorpus::dir("nginx-crossplane")?;
    let swag = testcorpus::dir("swag-proxy-confs")?;
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&crossplane.join("tests/configs"), &mut files);
    if let Ok(entries) = std::fs::read_dir(&swag) {
        files.extend(
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(".conf.sample")),
        );
    }
    files.sort();
    let root = crossplane
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(crossplane);
    Some((root, files))
}

/// crossplane's result for each file, in one Python process.
fn crossplane(files: &[PathBuf]) -> Vec<Value> {
    let script = "import crossplane, json, sys\n\
        out = []\n\
        for f in sys.argv[1:]:\n\
        \x20   out.append(crossplane.parse(f, single=True, catch_errors=True, check_ctx=False))\n\
        print(json.dumps(out))\n";
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(files)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "crossplane is missing (pip install crossplane): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&output.stdout).expect("crossplane prints JSON")
}

/// crossplane drops the parentheses of `if (…)`.
fn if_args(args: Vec<String>) -> Vec<String> {
    let mut args = args;
    if let Some(first) = args.first_mut() {
        if let Some(rest) = first.strip_prefix('(') {
            *first = rest.trim_start().to_string();
            if let Some(last) = args.last_mut() {
                if let Some(rest) = last.strip_suffix(')') {
                    *last = rest.trim_end().to_string();
                }
            }
        }
    }
    args.retain(|a| !a.is_empty());
    args
}

fn ours_to_json(directives: &[nginx::Directive]) -> Value {
    Value::Array(
        directives
            .iter()
            .map(|d| {
                let mut args: Vec<String> = d.args.iter().map(|a| a.text.clone()).collect();
                if d.name == "if" {
                    args = if_args(args);
                }
                let mut object = serde_json::json!({
                    "directive": d.name,
                    "line": d.position.line,
                    "args": args,
                });
                if let Some(block) = &d.block {
                    object["block"] = ours_to_json(block);
                }
                object
            })
            .collect(),
    )
}

fn theirs(parsed: &Value) -> Value {
    Value::Array(
        parsed
            .as_array()
            .into_iter()
            .flatten()
            // crossplane 0.5.8 reports comments between arguments as `#`
            // directives even when asked for no comments.
            .filter(|d| d["directive"] != "#")
            .map(|d| {
                let mut object = serde_json::json!({
                    "directive": d["directive"],
                    "line": d["line"],
                    "args": d["args"],
                });
                if let Some(block) = d.get("block") {
                    object["block"] = theirs(block);
                }
                object
            })
            .collect(),
    )
}

#[test]
fn directives_and_arguments_agree_with_crossplane() {
    let Some((corpus, files)) = corpus_files() else {
        return;
    };
    assert!(files.len() > 300, "corpus incomplete: {}", corpus.display());
    let installed = Command::new("python3")
        .args(["-c", "import crossplane"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
        assert!(!ci, "crossplane is not installed (.ci/run installs it)");
        eprintln!("skipped: crossplane is not installed (pip install crossplane)");
        return;
    }
    let results = crossplane(&files);
    let mut agree = 0;
    let mut differ = Vec::new();
    for (file, result) in files.iter().zip(&results) {
        let name = file
            .strip_prefix(&corpus)
            .unwrap_or(file)
            .display()
            .to_string();
        let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).to_string();
        let ours = nginx::parse_str(file, &text);
        let their_file = &result["config"][0];
        // Argument counts are `nginx -t`'s business, not the syntax's.
        let their_ok = their_file["errors"].as_array().is_none_or(|errors| {
            errors.iter().all(|e| {
                e["error"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("invalid number of arguments"))
            })
        });
        let same = match &ours {
            Ok(directives) => their_ok && ours_to_json(directives) == theirs(&their_file["parsed"]),
            Err(_) => !their_ok,
        };
        if same {
            agree += 1;
        } else {
            differ.push((
                name,
                ours.err().map(|e| e.to_string()),
                their_file["errors"].clone(),
            ));
        }
    }
    let share = agree as f64 / files.len() as f64;
    eprintln!(
        "crossplane agreement: {agree}/{} files ({:.1}%)",
        files.len(),
        share * 100.0
    );
    for (name, ours, theirs) in &differ {
        eprintln!(
            "differs: {name}: ours {ours:?}, crossplane {}",
            theirs.to_string().chars().take(300).collect::<String>()
        );
    }
    let unlisted: Vec<_> = differ
        .iter()
        .filter(|(name, _, _)| !EXCEPTIONS.iter().any(|(e, _)| name.ends_with(e)))
        .map(|(name, _, _)| name.clone())
        .collect();
    assert!(unlisted.is_empty(), "unexplained differences: {unlisted:?}");
    assert!(share >= 0.99, "agreement {share} below 99%");
}
