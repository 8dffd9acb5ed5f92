//! Bad input never panics: every corpus Caddyfile, cut at a few dozen
//! points and with bytes changed, parses to `Ok` or `Err`.

mod common;

use caddyfile::http::HttpConfig;
use caddyfile::{parse_str, Env};

fn run(name: &str, text: &str) {
    let env = Env::from_pairs([("HOST", "example.com"), ("PORT", "{")]);
    if let Ok(file) = parse_str(name, text, &env) {
        let _ = HttpConfig::from_caddyfile(&file);
    }
}

#[test]
fn truncated_and_mutated_inputs_do_not_panic() {
    let Some(adapt_dir) = common::adapt_dir() else {
        return;
    };
    let name = adapt_dir.join("Caddyfile");
    let name = name.to_string_lossy();
    let replacements = [
        '{', '}', '"', '`', '<', '\\', '\n', '#', ' ', '$', ':', '/', '@', 'é',
    ];
    let mut runs = 0;
    for case in common::adapt_cases(&adapt_dir) {
        let chars: Vec<char> = case.caddyfile.chars().collect();
        for cut in 0..=30 {
            let end = chars.len() * cut / 30;
            run(&name, &chars[..end].iter().collect::<String>());
            runs += 1;
        }
        // a cheap deterministic generator is enough to vary the mutations
        let mut seed = chars.len() as u64 + 7;
        for round in 0..12 {
            let mut mutated = chars.clone();
            for _ in 0..=round % 3 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                if mutated.is_empty() {
                    break;
                }
                let at = (seed >> 33) as usize % mutated.len();
                mutated[at] = replacements[(seed >> 17) as usize % replacements.len()];
            }
            run(&name, &mutated.iter().collect::<String>());
            runs += 1;
        }
    }
    assert!(runs > 239 * 40);
}
