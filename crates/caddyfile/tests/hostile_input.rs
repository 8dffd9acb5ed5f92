//! Input Caddy refuses must not parse here either, each case confirmed with
//! the real `caddy adapt` (Debian's caddy 2.6.2) when it is installed; and
//! imports read no file outside the bounds the caller sets.

use caddyfile::http::HttpConfig;
use caddyfile::{parse_file_within, parse_str, Env, Error, ReadLimit};
use std::path::Path;
use std::process::Command;

fn ours(text: &str) -> Result<HttpConfig, Error> {
    parse_str("Caddyfile", text, &Env::empty()).and_then(|f| HttpConfig::from_caddyfile(&f))
}

/// `caddy adapt`'s verdict and message, or `None` without the binary.
fn real_caddy(text: &str) -> Option<(bool, String)> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Caddyfile");
    std::fs::write(&file, text).unwrap();
    let output = Command::new("caddy")
        .args(["adapt", "--adapter", "caddyfile", "--config"])
        .arg(&file)
        .output()
        .ok()?;
    Some((
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

/// Each of these, Caddy 2.6.2 refuses (`caddy adapt` exits 1 with the
/// quoted message); this crate accepted them before.
const REJECTED: &[(&str, &str, &str, (u32, u32))] = &[
    (
        // A stray `}` after a site: Caddy reads it as another site's address.
        "example.com {\n\treverse_proxy web:8000\n}\n}\n",
        "subject does not qualify for certificate: '}'",
        "subject does not qualify for certificate: '}'",
        (4, 1),
    ),
    (
        ":8080 {\n\treverse_proxy web:8000\n}\n}\n",
        "subject does not qualify for certificate: '}'",
        "subject does not qualify for certificate: '}'",
        (4, 1),
    ),
    (
        // Followed by another site, the stray `}` takes that site's address as a directive.
        "a.example.com {\n\treverse_proxy web:8000\n}\n}\nb.example.com {\n\treverse_proxy web:8001\n}\n",
        "Did you mean to define a second site?",
        "unrecognized directive: b.example.com\nDid you mean to define a second site? If so, you must use curly braces around each site to separate their configurations.",
        (5, 1),
    ),
    (
        // `header_up` takes one to three arguments.
        "example.com {\n\treverse_proxy web:8000 {\n\t\theader_up Host a b c\n\t}\n}\n",
        "Wrong argument count or unexpected line ending after 'c'",
        "parsing caddyfile tokens for 'reverse_proxy': wrong argument count or unexpected line ending after 'c'",
        (3, 22),
    ),
    (
        "example.com {\n\treverse_proxy web:8000 {\n\t\theader_down -Server x y z\n\t}\n}\n",
        "Wrong argument count or unexpected line ending after 'z'",
        "parsing caddyfile tokens for 'reverse_proxy': wrong argument count or unexpected line ending after 'z'",
        (3, 27),
    ),
];

#[test]
fn input_caddy_rejects_is_an_error_here() {
    for (text, caddy_says, we_say, (line, column)) in REJECTED {
        if let Some((ok, stderr)) = real_caddy(text) {
            assert!(!ok, "caddy accepts:\n{text}");
            assert!(stderr.contains(caddy_says), "{stderr}");
        }
        match ours(text) {
            Err(Error::Syntax { position, message }) => {
                assert_eq!(message, *we_say, "{text}");
                assert_eq!((position.line, position.column), (*line, *column), "{text}");
            }
            other => panic!("accepted:\n{text}\n{other:?}"),
        }
    }
}

/// The near misses: one to three `header_up` arguments, a `}` that closes.
#[test]
fn input_caddy_accepts_still_parses() {
    for text in [
        "example.com {\n\treverse_proxy web:8000 {\n\t\theader_up Host\n\t}\n}\n",
        "example.com {\n\treverse_proxy web:8000 {\n\t\theader_up Host {upstream_hostport}\n\t}\n}\n",
        "example.com {\n\treverse_proxy web:8000 {\n\t\theader_up X-Id ^a(.*)$ b$1\n\t}\n}\n",
        "example.com {\n\treverse_proxy web:8000\n}\n",
    ] {
        if let Some((ok, stderr)) = real_caddy(text) {
            assert!(ok, "caddy refuses:\n{text}\n{stderr}");
        }
        ours(text).unwrap();
    }
}

/// `import` of a file outside the bounds (absolute, `../..`, a link that
/// leads out, a glob's folder) reads nothing and is listed; inside, it is read.
#[test]
fn imports_outside_the_limit_are_not_read() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.caddy"),
        "respond \"outside content\"\n",
    )
    .unwrap();
    let project = tempfile::tempdir().unwrap();
    let root = project.path().canonicalize().unwrap();
    std::fs::write(root.join("inside.caddy"), "respond \"inside\"\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.caddy"), root.join("link.caddy"))
        .unwrap();
    let relative = pathdiff(&outside.path().join("secret.caddy"), &root);
    let imports = [
        outside.path().join("secret.caddy").display().to_string(),
        relative,
        "link.caddy".to_string(),
        format!("{}/*.caddy", outside.path().display()),
    ];
    let limit = ReadLimit {
        dirs: vec![root.clone()],
        files: Vec::new(),
    };
    for import in imports {
        let caddyfile = root.join("Caddyfile");
        std::fs::write(
            &caddyfile,
            format!("example.com {{\n\timport inside.caddy\n\timport {import}\n}}\n"),
        )
        .unwrap();
        let parsed = parse_file_within(&caddyfile, &Env::empty(), &limit).unwrap();
        let texts: Vec<String> = parsed.server_blocks[0]
            .directives
            .iter()
            .flat_map(|d| d.args.iter().map(|a| a.text.clone()))
            .collect();
        assert_eq!(texts, vec!["inside"], "{import}");
        assert_eq!(parsed.skipped_imports.len(), 1, "{import}");
        assert_eq!(parsed.skipped_imports[0].position.line, 3);
        assert!(!parsed.files.iter().any(|f| f.ends_with("secret.caddy")));
        // Without a limit, as Caddy does, the file is read.
        let free = caddyfile::parse_file(&caddyfile, &Env::empty()).unwrap();
        assert!(free.skipped_imports.is_empty());
        assert_eq!(free.server_blocks[0].directives.len(), 2, "{import}");
    }
    // A file named by the caller is allowed wherever it is.
    let limit = ReadLimit {
        dirs: vec![root.clone()],
        files: vec![outside.path().join("secret.caddy").canonicalize().unwrap()],
    };
    assert!(limit.allows(&root.join("link.caddy")));
}

/// `to` relative to `from` (`../../tmp/x/secret.caddy`).
fn pathdiff(to: &Path, from: &Path) -> String {
    let ups = from.components().count() - 1;
    format!(
        "{}{}",
        "../".repeat(ups),
        to.strip_prefix("/").unwrap().display()
    )
}
