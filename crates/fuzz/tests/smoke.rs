//! Every fuzz target runs a fixed number of inputs (seeds first, then
//! mutants) without a panic, a slow input or an allocation over the limit.
//! `cargo test --workspace` (and so `.ci/run`) covers this; the long runs
//! are in FUZZING.md.

use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: fuzz::LimitAlloc = fuzz::LimitAlloc;

#[test]
fn every_target_survives_a_short_run() {
    let start = Instant::now();
    let mut failures = Vec::new();
    for target in fuzz::TARGETS {
        let mut config = fuzz::Config::new(target);
        config.inputs = Some(target.smoke_inputs);
        config.seed = 20261203;
        // A debug build is 10–30× slower than the release runs the 1 s limit is for.
        config.slow = Duration::from_secs(if cfg!(debug_assertions) { 10 } else { 1 });
        config.hang = Duration::from_secs(60);
        let report = fuzz::run(&config);
        eprintln!("{}", report.summary());
        assert_eq!(report.inputs, target.smoke_inputs, "{}", target.name);
        assert!(report.seeds > 0, "{}: no seeds", target.name);
        if !report.passed() {
            failures.push(format!("{}: {:?}", report.summary(), report.findings));
        }
    }
    eprintln!("all targets: {:.1} s", start.elapsed().as_secs_f64());
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn reproducers_are_saved_under_a_hash_of_their_bytes() {
    let dir = std::env::temp_dir().join(format!("stackdoctor-fuzz-save-{}", std::process::id()));
    let first = fuzz::run::save(&dir, "crash", b"services: {").expect("saved");
    let again = fuzz::run::save(&dir, "crash", b"services: {").expect("saved");
    let other = fuzz::run::save(&dir, "crash", b"services: [").expect("saved");
    assert_eq!(std::fs::read(&first).unwrap(), b"services: {");
    assert_eq!(first, again, "the same input keeps one file");
    assert_ne!(first, other);
    assert!(first
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("crash-"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every input a long run found a defect with (`crates/fuzz/regressions/<target>/`)
/// runs through its target without a panic.
#[test]
fn saved_findings_replay_without_a_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut replayed = 0;
    for dir in std::fs::read_dir(&root)
        .expect("the regressions folder")
        .flatten()
    {
        let name = dir.file_name().to_string_lossy().into_owned();
        let target = fuzz::find(&name).unwrap_or_else(|| panic!("no target named {name}"));
        for file in std::fs::read_dir(dir.path())
            .expect("a target folder")
            .flatten()
        {
            let input = std::fs::read(file.path()).expect("a saved input");
            let outcome = fuzz::replay(target, &input);
            assert!(outcome.is_ok(), "{}: {outcome:?}", file.path().display());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no saved input under {}", root.display());
}
