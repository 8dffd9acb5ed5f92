//! Behaviour of the parser and the HTTP view on small inputs.

mod common;

use caddyfile::http::HttpConfig;
use caddyfile::{parse_str, Env, Error};
use std::time::Duration;

fn http(text: &str) -> HttpConfig {
    let file = parse_str("Caddyfile", text, &Env::empty()).unwrap();
    HttpConfig::from_caddyfile(&file).unwrap()
}

fn error(text: &str) -> String {
    let result =
        parse_str("Caddyfile", text, &Env::empty()).and_then(|f| HttpConfig::from_caddyfile(&f));
    match result {
        Err(Error::Syntax { message, .. }) => message,
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

fn dials(text: &str) -> Vec<String> {
    http(text).sites[0].routes[0].proxies()[0]
        .upstreams
        .iter()
        .map(|u| u.dial.clone())
        .collect()
}

#[test]
fn positions_after_env_substitution_are_in_the_original() {
    let env = Env::from_pairs([("SITE", "example.com localhost"), ("UP", "web:8000")]);
    let text = "{$SITE} {\n\treverse_proxy {$UP} api:9000\n}\n";
    let file = parse_str("Caddyfile", text, &env).unwrap();
    let up = &file.server_blocks[0].directives[0].args;
    assert_eq!(up[0].text, "web:8000");
    assert_eq!((up[0].position.line, up[0].position.column), (2, 16));
    // the text after the placeholder keeps its own column
    assert_eq!((up[1].position.line, up[1].position.column), (2, 22));
    assert_eq!(file.env_uses.len(), 2);
    assert_eq!(file.env_uses[1].value.as_deref(), Some("web:8000"));
}

#[test]
fn positions_after_import_name_the_imported_file() {
    let Some(dir) = common::adapt_dir() else {
        return;
    };
    let text = "example.com {\n\timport testdata/import_respond.txt Alice Bob\n}\n";
    let name = dir.join("Caddyfile");
    let file = parse_str(&name.to_string_lossy(), text, &Env::empty()).unwrap();
    let respond = &file.server_blocks[0].directives[0];
    assert_eq!(respond.name.text, "respond");
    assert!(respond
        .name
        .position
        .file
        .ends_with("testdata/import_respond.txt"));
    assert_eq!(
        (respond.name.position.line, respond.name.position.column),
        (1, 1)
    );
    assert_eq!(respond.name.import_chain.len(), 1);
    assert_eq!(respond.name.import_chain[0].line, 2);
    assert_eq!(respond.args[0].text, "'I am Alice', hears Bob");
    assert!(file.files.len() == 2);
}

#[test]
fn heredoc_is_one_argument() {
    let file = parse_str(
        "Caddyfile",
        "a.com {\n\trespond <<HTML\n\t\t<p>hi</p>\n\t\tHTML 200\n}\n",
        &Env::empty(),
    )
    .unwrap();
    let respond = &file.server_blocks[0].directives[0];
    assert_eq!(respond.args.len(), 2);
    assert_eq!(respond.args[0].text, "<p>hi</p>");
    assert_eq!(respond.args[1].text, "200");
}

#[test]
fn snippet_arguments_and_blocks() {
    let text = "(proxy) {\n\treverse_proxy {args[0]} {args[1:]} {\n\t\t{block}\n\t}\n}\nexample.com {\n\timport proxy a:1 b:2 c:3 {\n\t\tlb_retries 2\n\t}\n}\n";
    let config = http(text);
    let proxy = config.sites[0].routes[0].proxies()[0].clone();
    let dials: Vec<_> = proxy.upstreams.iter().map(|u| u.dial.as_str()).collect();
    assert_eq!(dials, ["a:1", "b:2", "c:3"]);
    assert_eq!(proxy.lb_retries.unwrap().value, 2);
}

#[test]
fn import_cycles_are_errors() {
    let text = "(a) {\n\timport b\n}\n(b) {\n\timport a\n}\nimport a\n";
    assert_eq!(
        error(text),
        "a cycle of imports exists between Caddyfile:b and Caddyfile:a"
    );
    let Some(adapt_dir) = common::adapt_dir() else {
        return;
    };
    let dir = adapt_dir.join("parser-testdata/caddyfile");
    let file = dir.join("import_recursive0.txt");
    let err = caddyfile::parse_file(&file, &Env::empty())
        .unwrap_err()
        .to_string();
    assert!(err.contains("a cycle of imports exists"), "{err}");
}

#[test]
fn glob_import_skips_dotfiles_and_sorts() {
    let Some(adapt_dir) = common::adapt_dir() else {
        return;
    };
    let dir = adapt_dir.join("parser-testdata/caddyfile");
    let name = dir.join("Caddyfile");
    let file = parse_str(
        &name.to_string_lossy(),
        "import import_glob*\n",
        &Env::empty(),
    )
    .unwrap();
    let keys: Vec<_> = file
        .server_blocks
        .iter()
        .map(|b| b.keys[0].text.as_str())
        .collect();
    assert_eq!(
        keys,
        ["glob0.host0", "glob0.host1", "glob1.host0", "glob2.host0"]
    );
    let file = parse_str(&name.to_string_lossy(), "import glob/*\n", &Env::empty()).unwrap();
    assert_eq!(
        file.files.len(),
        2,
        "the dotfile is skipped: {:?}",
        file.files
    );
    assert!(error("import nothing-here.txt\n").starts_with("File to import not found"));
    assert!(error("import a*b*\n").starts_with("Glob pattern may only contain one wildcard"));
}

#[test]
fn handle_nesting_and_proxy_paths() {
    let text = "example.com {\n\t@api path /api/*\n\thandle_path /static/* {\n\t\tfile_server\n\t}\n\thandle @api {\n\t\troute {\n\t\t\treverse_proxy api:8080\n\t\t}\n\t}\n\thandle {\n\t\treverse_proxy web:3000\n\t}\n\thandle_errors 5xx {\n\t\treverse_proxy errors:80\n\t}\n}\n";
    let config = http(text);
    let site = &config.sites[0];
    let order: Vec<_> = site.routes.iter().map(|r| r.directive.as_str()).collect();
    assert_eq!(order, ["handle", "handle", "handle_path", "handle_errors"]);
    let paths = site.proxy_paths();
    let labels: Vec<Vec<&str>> = paths
        .iter()
        .map(|(chain, _)| chain.iter().map(|r| r.directive.as_str()).collect())
        .collect();
    assert_eq!(labels[0], ["handle", "route", "reverse_proxy"]);
    assert_eq!(site.routes[0].matcher.as_ref().unwrap().paths, ["/api/*"]);
    assert_eq!(labels[1], ["handle", "reverse_proxy"]);
    assert_eq!(labels[2], ["handle_errors", "reverse_proxy"]);
    assert_eq!(site.routes[3].error_codes, ["5xx"]);
    assert!(error("a.com {\n\thandle @nope {\n\t\trespond hi\n\t}\n}\n")
        .contains("unrecognized matcher name: @nope"));
}

#[test]
fn transports_and_timeouts() {
    let text = "a.com {\n\treverse_proxy https://api.internal {\n\t\tlb_try_duration 5s\n\t\thealth_uri /health\n\t\tfail_duration 30s\n\t\ttransport http {\n\t\t\tdial_timeout 2s\n\t\t\tresponse_header_timeout 1m\n\t\t\tread_timeout 10s\n\t\t\twrite_timeout 500ms\n\t\t\ttls_insecure_skip_verify\n\t\t}\n\t}\n\tphp_fastcgi php:9000 {\n\t\tdial_timeout 1s\n\t}\n}\n";
    let config = http(text);
    let routes = &config.sites[0].routes;
    let proxy = routes[0].reverse_proxy.as_ref().unwrap();
    let t = &proxy.transport;
    assert_eq!(t.protocol, "http");
    assert!(t.tls && t.tls_insecure_skip_verify);
    assert_eq!(
        t.dial_timeout.as_ref().unwrap().value,
        Duration::from_secs(2)
    );
    assert_eq!(t.dial_timeout.as_ref().unwrap().position.line, 7);
    assert_eq!(
        t.response_header_timeout.as_ref().unwrap().value,
        Duration::from_secs(60)
    );
    assert_eq!(
        t.read_timeout.as_ref().unwrap().value,
        Duration::from_secs(10)
    );
    assert_eq!(
        t.write_timeout.as_ref().unwrap().value,
        Duration::from_millis(500)
    );
    assert_eq!(
        proxy.lb_try_duration.as_ref().unwrap().value,
        Duration::from_secs(5)
    );
    assert_eq!(proxy.health.uri.as_ref().unwrap().value, "/health");
    assert_eq!(
        proxy.health.fail_duration.as_ref().unwrap().value,
        Duration::from_secs(30)
    );
    assert_eq!(proxy.upstreams[0].dial, "api.internal:443");
    let fastcgi = routes[1].reverse_proxy.as_ref().unwrap();
    assert_eq!(fastcgi.transport.protocol, "fastcgi");
    assert_eq!(
        fastcgi.transport.dial_timeout.as_ref().unwrap().value,
        Duration::from_secs(1)
    );
    assert!(error("a.com {\n\treverse_proxy x {\n\t\ttransport http {\n\t\t\tdial_timeout soon\n\t\t}\n\t}\n}\n").contains("bad timeout value 'soon'"));
}

#[test]
fn site_address_errors() {
    assert!(error("foo://a.com {\n}\n").contains("unsupported URL scheme foo://"));
    assert!(error("a.com:8000-8010 {\n}\n").contains("invalid port '8000-8010'"));
    assert!(error("a.com:99999 {\n}\n").contains("port 99999 is out of range"));
    assert!(error("http://a.com:443 {\n}\n").contains("scheme and port violate convention"));
    assert!(error("a.com{\n}\n").contains("Site addresses cannot end with a curly brace"));
    assert!(error("a.com,b.com {\n}\n").contains("Site addresses cannot contain a comma"));
    let config = http("https://a.com:8443/api, :8080 {\n\trespond hi\n}\n");
    let a = &config.sites[0].addresses;
    assert_eq!(
        (
            a[0].scheme.as_deref(),
            a[0].host.as_str(),
            a[0].port,
            a[0].path.as_deref()
        ),
        (Some("https"), "a.com", Some(8443), Some("/api"))
    );
    assert_eq!((a[1].host.as_str(), a[1].port), ("", Some(8080)));
}

#[test]
fn every_upstream_form() {
    let cases: &[(&str, &[&str])] = &[
        ("web:8000", &["web:8000"]),
        ("web", &["web:80"]),
        ("[::1]:4000", &["[::1]:4000"]),
        ("::1", &["[::1]:80"]),
        ("http://web", &["web:80"]),
        ("https://web", &["web:443"]),
        ("h2c://web:8080", &["web:8080"]),
        ("unix//run/app.sock", &["unix//run/app.sock"]),
        ("unix+h2c//run/app.sock", &["unix//run/app.sock"]),
        ("web:8001-8003", &["web:8001", "web:8002", "web:8003"]),
        ("{env.BACKEND}", &["{env.BACKEND}"]),
        ("app:{env.PORT}", &["app:{env.PORT}"]),
    ];
    for (written, expected) in cases {
        let text = format!("a.com {{\n\treverse_proxy {written}\n}}\n");
        assert_eq!(dials(&text), *expected, "{written}");
    }
    let config =
        http("a.com {\n\treverse_proxy unix//s.sock {env.X}\n\treverse_proxy /h2 h2c://a\n}\n");
    let routes = &config.sites[0].routes;
    let ups = &routes[1].proxies()[0].upstreams;
    assert_eq!(ups[0].scheme.as_deref(), Some("unix"));
    assert_eq!(ups[0].port, None);
    assert!(ups[1].has_placeholder);
    let h2c = routes[0].proxies()[0];
    assert_eq!(h2c.upstreams[0].scheme.as_deref(), Some("h2c"));
    assert_eq!(h2c.transport.versions, ["h2c", "2"]);
    assert!(error("a.com {\n\treverse_proxy http://a https://b\n}\n")
        .contains("all proxy upstreams must use the same scheme"));
    assert!(error("a.com {\n\treverse_proxy http://a/path\n}\n")
        .contains("only support scheme, host, and port"));
    assert!(error("a.com {\n\treverse_proxy https://{env.X}\n}\n")
        .contains("placeholders are not allowed"));
    assert!(error("a.com {\n\treverse_proxy https://a:80\n}\n").contains("conflicting scheme"));
    assert!(error("a.com {\n\treverse_proxy ws://a\n}\n")
        .contains("ws:// is only supported in browsers"));
    assert_eq!(
        dials("a.com {\n\treverse_proxy {\n\t\tto a:1 b:2\n\t}\n}\n"),
        ["a:1", "b:2"]
    );
}

#[test]
fn brace_rules() {
    assert_eq!(
        error("a.com {\n\thandle { respond hi }\n}\n"),
        "Unexpected next token after '{' on same line"
    );
    assert!(error("a.com {\n\thandle\n\t{\n\t}\n}\n").starts_with("Unexpected '{' on a new line"));
    assert!(error("a.com {\n\trespond hi\n").contains("expecting '}'"));
    assert_eq!(error("a.com {\n\trespond {\n"), "Unexpected EOF");
    assert!(error("{\n\tnot_an_option\n}\n").contains("unrecognized global option: not_an_option"));
    assert!(error("a.com {\n}\n{\n\tdebug\n}\n").contains("must be first"));
}

#[test]
fn deep_nesting_and_huge_expansions_are_errors() {
    let deep = format!(
        "a.com {{\n{}{}}}\n",
        "route {\n".repeat(200),
        "}\n".repeat(200)
    );
    assert!(error(&deep).contains("nested more than"));
    // each snippet imports the previous one ten times: 10^9 tokens unless limited
    let mut text = String::from("(s0) {\n\trespond hi\n}\n");
    for i in 1..10 {
        text.push_str(&format!(
            "(s{i}) {{\n{}}}\n",
            format!("\timport s{}\n", i - 1).repeat(10)
        ));
    }
    text.push_str("a.com {\n\timport s9\n}\n");
    assert!(error(&text).contains("more than"));
}

/// Found by `crates/fuzz` (target caddyfile): `import /dev/zero` read the
/// device until memory ran out (its metadata size is 0). Reads stop past
/// 16 MiB with an error naming the file.
#[test]
fn importing_an_endless_file_is_an_error_not_an_oom() {
    if !std::path::Path::new("/dev/zero").exists() {
        eprintln!("skipped: no /dev/zero");
        return;
    }
    let err = error("example.com {\n\timport /dev/zero\n}\n");
    assert!(
        err.contains("/dev/zero") && err.contains("bytes accepted"),
        "{err}"
    );
    let err = caddyfile::parse_file(std::path::Path::new("/dev/zero"), &Env::empty())
        .unwrap_err()
        .to_string();
    assert!(err.contains("bytes accepted"), "{err}");
}

#[test]
fn a_tree_in_memory_parses_like_the_same_tree_on_disk() {
    let dir = std::env::temp_dir().join(format!("caddyfile-memory-{}", std::process::id()));
    let files = [
        (
            "srv/Caddyfile",
            "import snippets.caddy\nimport sites/*\nimport ../outside.caddy\n",
        ),
        ("srv/snippets.caddy", "(common) {\n\theader X-A b\n}\n"),
        (
            "srv/sites/b.caddy",
            "b.example {\n\timport common\n\treverse_proxy b:2\n}\n",
        ),
        ("srv/sites/a.caddy", "a.example {\n\treverse_proxy a:1\n}\n"),
        ("srv/sites/.hidden", "hidden.example {\n}\n"),
        ("outside.caddy", "leak.example {\n}\n"),
    ];
    let mut memory = caddyfile::MemoryFiles::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        memory.insert(path, text);
    }
    let dir = dir.canonicalize().unwrap();
    let limit = caddyfile::ReadLimit {
        dirs: vec![dir.join("srv")],
        files: Vec::new(),
    };
    let main = dir.join("srv/Caddyfile");
    let env = Env::empty();
    let on_disk = caddyfile::parse_file_within(&main, &env, &limit).unwrap();
    let in_memory = caddyfile::parse_file_in(&main, &env, &limit, &memory).unwrap();
    let keys = |file: &caddyfile::Caddyfile| -> Vec<String> {
        file.server_blocks
            .iter()
            .map(|b| b.keys[0].text.clone())
            .collect()
    };
    assert_eq!(keys(&in_memory), ["a.example", "b.example"]);
    assert_eq!(keys(&in_memory), keys(&on_disk));
    assert_eq!(in_memory.files, on_disk.files);
    assert_eq!(in_memory.skipped_imports, on_disk.skipped_imports);
    assert_eq!(in_memory.skipped_imports.len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
