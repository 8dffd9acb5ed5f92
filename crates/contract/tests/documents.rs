//! The readers on real documents: the team's own error catalogue (the seed of
//! `examples/api-retry-unreachable`, Japanese), an OpenAPI 3.1 file, and both
//! through `contract::read` by file name.

use contract::envelope::Breach;
use contract::{DocumentKind, Language, Position, Retryable};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed_catalogue() -> (PathBuf, String) {
    let path =
        repo().join("examples/api-retry-unreachable/docs/api/action-generation-error-codes.md");
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

#[test]
fn the_seed_catalogue_gives_eight_codes_with_status_flag_causes_and_fixes() {
    let (path, text) = seed_catalogue();
    let c = contract::read(&path, &text).unwrap().unwrap();
    assert_eq!(c.kind, DocumentKind::Markdown);
    assert_eq!(c.language, Language::Ja);
    let codes: Vec<(&str, u16)> = c
        .codes
        .iter()
        .map(|c| (c.code.as_str(), c.status.as_ref().unwrap().code))
        .collect();
    assert_eq!(
        codes,
        [
            ("VALIDATION_ERROR", 400),
            ("AUTHENTICATION_ERROR", 401),
            ("FORBIDDEN", 403),
            ("NOT_FOUND", 404),
            ("QUALITY_ERROR", 422),
            ("DATABASE_ERROR", 500),
            ("AI_SERVICE_ERROR", 503),
            ("INTERNAL_ERROR", 500),
        ]
    );
    let validation = c.code("VALIDATION_ERROR").unwrap();
    assert_eq!(validation.at, Position::new(38, 5));
    assert_eq!(validation.status.as_ref().unwrap().text, "400 Bad Request");
    assert_eq!(
        validation.status.as_ref().unwrap().at,
        Position::new(40, 19)
    );
    assert_eq!(validation.retryable.as_ref().unwrap().value, Retryable::No);
    assert_eq!(
        validation.retryable.as_ref().unwrap().at,
        Position::new(44, 13)
    );
    assert_eq!(validation.causes.len(), 3);
    assert_eq!(validation.causes[1].text, "`subGoalId` がUUID形式でない");
    assert_eq!(validation.fixes.len(), 3);
    assert!(
        validation.fixes[1]
            .text
            .contains("\n  - `subGoalId`: UUID v4形式、必須"),
        "{:?}",
        validation.fixes[1]
    );
    assert_eq!(validation.examples.len(), 1);
    assert_eq!(
        validation.examples[0].body["error"]["code"],
        "VALIDATION_ERROR"
    );
    assert_eq!(
        validation.examples[0].position_of("error.code"),
        Position::new(66, 13)
    );

    let ai = c.code("AI_SERVICE_ERROR").unwrap();
    let flag = ai.retryable.as_ref().unwrap();
    assert_eq!(flag.text, "はい（一部の場合はいいえ）");
    assert_eq!(
        flag.value,
        Retryable::Conditional {
            usually: Some(true)
        }
    );
    assert_eq!(
        c.code("INTERNAL_ERROR")
            .unwrap()
            .retryable
            .as_ref()
            .unwrap()
            .value,
        Retryable::Yes
    );

    let envelope = c.envelope.as_ref().unwrap();
    assert_eq!(envelope.at, Position::new(12, 1));
    assert_eq!(envelope.code_path.as_deref(), Some("error.code"));
    assert_eq!(envelope.retryable_path.as_deref(), Some("error.retryable"));
    let details = envelope
        .fields
        .iter()
        .find(|f| f.path == "error.details")
        .unwrap();
    assert!(
        !details.required,
        "the field list says `error.details` is optional"
    );
    // Every example of the document follows its envelope.
    for code in &c.codes {
        for example in &code.examples {
            assert!(envelope.breaches(&example.body).is_empty(), "{}", code.code);
        }
    }
    // The troubleshooting headings and the flowchart are no codes.
    assert!(c.notes.is_empty(), "{:?}", c.notes);
}

#[test]
fn the_openapi_file_gives_codes_from_examples_refs_and_enums() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/openapi-actions.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let c = contract::read(&path, &text).unwrap().unwrap();
    assert_eq!(c.kind, DocumentKind::OpenApi);
    let codes: Vec<(&str, Option<u16>)> = c
        .codes
        .iter()
        .map(|c| (c.code.as_str(), c.status.as_ref().map(|s| s.code)))
        .collect();
    assert_eq!(
        codes,
        [
            ("VALIDATION_ERROR", Some(400)),
            ("AUTHENTICATION_ERROR", Some(401)),
            ("AI_SERVICE_ERROR", Some(503)),
            ("DATABASE_ERROR", Some(500)),
            ("INTERNAL_ERROR", Some(500)),
        ]
    );
    let validation = c.code("VALIDATION_ERROR").unwrap();
    assert_eq!(validation.status.as_ref().unwrap().at, Position::new(23, 9));
    assert_eq!(validation.retryable.as_ref().unwrap().value, Retryable::No);
    assert_eq!(
        validation.examples[0].position_of("error.code"),
        Position::new(32, 25)
    );
    // x-retryable on the 503 response wins over the example's flag.
    let ai = c.code("AI_SERVICE_ERROR").unwrap();
    assert_eq!(ai.retryable.as_ref().unwrap().at, Position::new(42, 24));
    assert_eq!(ai.examples.len(), 1);
    let statuses: Vec<u16> = c.retryable_statuses.iter().map(|s| s.code).collect();
    assert_eq!(statuses, [429, 503]);

    let envelope = c.envelope.as_ref().unwrap();
    assert_eq!(envelope.code_path.as_deref(), Some("error.code"));
    assert!(!envelope.open);
    // The shared 401 example writes the flag as a string.
    let unauthorized = &c.code("AUTHENTICATION_ERROR").unwrap().examples[0];
    assert_eq!(
        envelope.breaches(&unauthorized.body),
        vec![Breach::WrongType {
            path: "error.retryable".into(),
            expected: contract::JsonKind::Boolean,
            found: contract::JsonKind::String
        }]
    );
}

#[test]
fn the_same_openapi_as_json_reads_the_same_codes() {
    let yaml = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/openapi-actions.yaml"),
    )
    .unwrap();
    let tree = contract::tree::parse(&yaml).unwrap().unwrap();
    let json = serde_json::to_string_pretty(&tree.to_json().0).unwrap();
    let from_json = contract::read(Path::new("openapi.json"), &json)
        .unwrap()
        .unwrap();
    let from_yaml = contract::read(Path::new("openapi.yaml"), &yaml)
        .unwrap()
        .unwrap();
    // serde_json orders keys, so the JSON text lists the responses in another order.
    let codes = |c: &contract::Contract| {
        let mut codes: Vec<_> = c
            .codes
            .iter()
            .map(|c| (c.code.clone(), c.status.as_ref().map(|s| s.code)))
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(codes(&from_json), codes(&from_yaml));
}

#[test]
fn oversized_and_unknown_documents_are_errors() {
    let big = "x".repeat(contract::MAX_BYTES + 1);
    assert!(matches!(
        contract::read(Path::new("a.md"), &big),
        Err(contract::Error::TooLarge { .. })
    ));
    assert!(matches!(
        contract::read(Path::new("a.txt"), "x"),
        Err(contract::Error::UnknownKind { .. })
    ));
}
