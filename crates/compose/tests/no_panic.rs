//! Truncated and mutated corpus compose files give errors or projects, never panics.

mod common;

use common::{corpus, scratch};
use compose::{load, Options};
use std::path::{Path, PathBuf};

fn compose_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let path = e.path();
        if path.is_dir() {
            compose_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(path);
        }
    }
}

/// A small deterministic generator (xorshift64), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[u8] = b"${}:-?+&*<>!|\"'#\n\t [],{}%@`\\\xff\xc3";

#[test]
fn truncations_and_mutations_never_panic() {
    let (Some(awesome), Some(compose_go)) = (corpus("awesome-compose"), corpus("compose-go"))
    else {
        return;
    };
    let mut files = Vec::new();
    compose_files(&awesome, &mut files);
    compose_files(&compose_go, &mut files);
    files.sort();
    assert!(files.len() > 70, "{} files", files.len());
    let dir = scratch("no-panic");
    let target = dir.join("compose.yaml");
    let mut rng = Rng(0x5eed_cafe_f00d);
    let (mut ok, mut errors) = (0, 0);
    let mut run = |bytes: &[u8]| {
        std::fs::write(&target, bytes).unwrap();
        let options = Options {
            working_dir: dir.clone(),
            files: vec![target.clone()],
            ..Options::default()
        };
        match load(&options) {
            Ok(_) => ok += 1,
            Err(_) => errors += 1,
        }
    };
    for file in &files {
        let original = std::fs::read(file).unwrap();
        for k in 1..=12 {
            run(&original[..original.len() * k / 13]);
        }
        for _ in 0..24 {
            let mut bytes = original.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                let b = INTERESTING[rng.below(INTERESTING.len())];
                match rng.below(3) {
                    0 if !bytes.is_empty() => bytes[at] = b,
                    1 => bytes.insert(at, b),
                    _ if !bytes.is_empty() => {
                        bytes.remove(at);
                    }
                    _ => {}
                }
            }
            run(&bytes);
        }
    }
    // Both outcomes occur; nothing panicked.
    assert!(ok > 100 && errors > 100, "ok {ok}, errors {errors}");
}

#[test]
fn hostile_inputs_are_errors() {
    let dir = scratch("hostile");
    let target = dir.join("compose.yaml");
    let cases = [
        "[".repeat(100_000),
        format!("a:\n  {}x\n", "- ".repeat(50_000)),
        format!(
            "services:\n  a:\n    image: \"{}\"\n",
            "${A:-".repeat(20_000)
        ),
        "&a [*a]".to_string(),
        "services:\n  a: &a\n    <<: *a\n".to_string(),
    ];
    for text in &cases {
        std::fs::write(&target, text).unwrap();
        let result = load(&Options {
            working_dir: dir.clone(),
            files: vec![target.clone()],
            ..Options::default()
        });
        assert!(result.is_err(), "{}", &text[..40.min(text.len())]);
    }
}
