//! The parser and the HTTP view on realistic configs.

use nginx::http::{HttpView, TargetKind};
use nginx::{parse_file, parse_str, ReadOptions, SkipReason};
use std::path::Path;

fn view(text: &str) -> HttpView {
    HttpView::from_directives(&parse_str("nginx.conf", text).unwrap())
}

#[test]
fn swag_set_variables_fill_proxy_pass() {
    let text = "server {\n    listen 443 ssl;\n    server_name nextcloud.*;\n    location / {\n        include /config/nginx/proxy.conf;\n        include /config/nginx/resolver.conf;\n        set $upstream_app nextcloud;\n        set $upstream_port 443;\n        set $upstream_proto https;\n        proxy_pass $upstream_proto://$upstream_app:$upstream_port;\n        proxy_read_timeout 240;\n    }\n}\n";
    let v = view(text);
    let server = &v.servers[0];
    assert_eq!(server.names[0].text, "nextcloud.*");
    assert!(server.listens[0].ssl);
    let route = &server.routes[0];
    assert_eq!(route.pass.resolved, "https://nextcloud:443");
    assert!(route.pass.tls());
    let target = &route.pass.targets[0];
    assert_eq!(
        (target.host.as_str(), target.port),
        ("nextcloud", Some(443))
    );
    // The name is where SWAG's user writes it: the `set $upstream_app` line.
    assert_eq!((target.position.line, target.position.column), (7, 27));
    assert_eq!(target.text, "https://nextcloud:443");
    assert_eq!(route.timeout("proxy_read_timeout").unwrap().millis, 240_000);
    assert_eq!(
        route.timeout("proxy_connect_timeout").unwrap().position,
        None
    );
}

#[test]
fn pools_give_their_members_with_flags() {
    let text = "http {\n  upstream app {\n    server web1:8000 weight=3;\n    server web2:8000 backup;\n    server old:8000 down;\n    server web3;\n  }\n  server {\n    location / { proxy_pass http://app; }\n  }\n}\n";
    let v = view(text);
    let targets = &v.servers[0].routes[0].pass.targets;
    assert_eq!(targets.len(), 4);
    assert_eq!(targets[0].weight, Some(3));
    assert!(targets[1].backup && targets[2].down);
    assert_eq!(targets[3].port, Some(80));
    assert_eq!(targets[2].position.line, 5);
    assert_eq!(targets[0].pool.as_deref(), Some("app"));
}

#[test]
fn unknown_variables_leave_a_runtime_target() {
    let text = "server { location / { resolver 127.0.0.11; proxy_pass http://$host:8080; } }";
    let v = view(text);
    let target = &v.servers[0].routes[0].pass.targets[0];
    assert_eq!(target.kind, TargetKind::Variable);
    assert_eq!(
        v.servers[0].routes[0].pass.unresolved,
        vec!["host".to_string()]
    );
    assert_eq!(v.resolvers.len(), 1);
}

#[test]
fn fastcgi_unix_and_grpc_targets() {
    let text = "server {\n location ~ \\.php$ { fastcgi_pass php:9000; fastcgi_read_timeout 300s; }\n location /sock { proxy_pass http://unix:/run/app.sock:/; }\n location /rpc { grpc_pass grpcs://api:50051; }\n}";
    let v = view(text);
    let routes = &v.servers[0].routes;
    assert_eq!(routes[0].pass.scheme, "fastcgi");
    assert_eq!(routes[0].pass.targets[0].port, Some(9000));
    assert_eq!(
        routes[0].timeout("fastcgi_read_timeout").unwrap().millis,
        300_000
    );
    assert_eq!(routes[1].pass.targets[0].kind, TargetKind::Unix);
    assert!(routes[2].pass.tls());
}

#[test]
fn locations_are_matched_in_nginx_order() {
    let text = "server {\n location / {}\n location /api/ {}\n location ^~ /static/ {}\n location ~* \\.(png|jpg)$ {}\n location = /health {}\n}";
    let v = view(text);
    let s = &v.servers[0];
    let pick = |p: &str| {
        s.match_location(p)
            .map(|l| format!("{} {}", l.modifier, l.path))
    };
    assert_eq!(pick("/health").unwrap(), "= /health");
    assert_eq!(pick("/api/users").unwrap(), " /api/");
    assert_eq!(pick("/api/logo.PNG").unwrap(), "~* \\.(png|jpg)$");
    assert_eq!(pick("/static/logo.png").unwrap(), "^~ /static/");
    assert_eq!(pick("/other").unwrap(), " /");
}

#[test]
fn timeouts_are_inherited_from_http_and_server() {
    let text = "http { proxy_read_timeout 5m; server { proxy_connect_timeout 3s; location / { proxy_pass http://web:80; } } }";
    let v = view(text);
    let r = &v.servers[0].routes[0];
    assert_eq!(r.timeout("proxy_read_timeout").unwrap().millis, 300_000);
    assert_eq!(r.timeout("proxy_connect_timeout").unwrap().millis, 3_000);
    assert_eq!(nginx::http::parse_time("1m30s"), Some(90_000));
    assert_eq!(nginx::http::parse_time("500ms"), Some(500));
    assert_eq!(nginx::http::parse_time("ten"), None);
}

#[test]
fn errors_name_the_place_nginx_names() {
    // `nginx -t` says: unexpected "}" in …:5 (a proxy_pass without `;` above it).
    let text = "http {\n    server {\n        location /is-broken {\n            proxy_pass http://is.broken.example\n        }\n    }\n}\n";
    let error = parse_str("default.conf", text).unwrap_err();
    let p = error.position().unwrap();
    assert_eq!((p.line, p.column), (5, 9));
    assert_eq!(error.message(), "unexpected \"}\"");
    let error = parse_str("x.conf", "http {\n server {\n").unwrap_err();
    assert!(
        error.message().contains("unexpected end of file"),
        "{error}"
    );
    assert!(parse_str("x.conf", "a \"open").is_err());
}

fn tree(files: &[(&str, &str)]) -> tempdir::Dir {
    let dir = tempdir::Dir::new();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

mod tempdir {
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "nginx-test-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&path).unwrap();
            Dir(path.canonicalize().unwrap())
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn includes_follow_globs_from_the_prefix_and_the_mounts() {
    let dir = tree(&[
        (
            "nginx/nginx.conf",
            "http {\n  include mime.types;\n  include /etc/nginx/conf.d/*.conf;\n}\n",
        ),
        ("nginx/mime.types", "types { text/html html; }\n"),
        (
            "nginx/conf.d/b.conf",
            "server { server_name b.example; location / { proxy_pass http://b:2; } }\n",
        ),
        (
            "nginx/conf.d/a.conf",
            "server { server_name a.example; location / { proxy_pass http://a:1; } }\n",
        ),
        (
            "nginx/conf.d/.hidden.conf",
            "server { server_name hidden; }\n",
        ),
    ]);
    let options = ReadOptions {
        prefix: Some(dir.path().join("nginx")),
        path_map: vec![("/etc/nginx".into(), dir.path().join("nginx"))],
        ..ReadOptions::default()
    };
    let config = parse_file(&dir.path().join("nginx/nginx.conf"), &options).unwrap();
    assert_eq!(config.files.len(), 4);
    let v = HttpView::from_directives(&config.directives);
    let names: Vec<_> = v.servers.iter().map(|s| s.names[0].text.as_str()).collect();
    assert_eq!(names, ["a.example", "b.example"]);
    assert!(v.servers[1].routes[0].pass.targets[0]
        .position
        .file
        .ends_with("conf.d/b.conf"));
}

#[test]
fn includes_outside_the_limits_or_missing_are_skipped_and_listed() {
    let dir = tree(&[
        ("project/nginx.conf", "include /etc/nginx/proxy.conf;\ninclude ../secret.conf;\nserver { location / { proxy_pass http://web:80; } }\n"),
        ("secret.conf", "server { server_name leaked; }\n"),
    ]);
    let options = ReadOptions {
        prefix: Some(dir.path().join("project")),
        dirs: vec![dir.path().join("project")],
        ..ReadOptions::default()
    };
    let config = parse_file(&dir.path().join("project/nginx.conf"), &options).unwrap();
    let reasons: Vec<_> = config.skipped_includes.iter().map(|s| s.reason).collect();
    assert_eq!(reasons, [SkipReason::NotFound, SkipReason::OutsideLimit]);
    assert_eq!(config.skipped_includes[1].position.line, 2);
    assert_eq!(config.files.len(), 1);
}

#[test]
fn limits_stop_runaway_input() {
    let dir = tree(&[("loop.conf", "include loop.conf;\n")]);
    let options = ReadOptions {
        prefix: Some(dir.path().to_path_buf()),
        ..ReadOptions::default()
    };
    let error = parse_file(&dir.path().join("loop.conf"), &options).unwrap_err();
    assert!(error.message().contains("includes itself"), "{error}");
    let deep = "a {".repeat(100) + &"}".repeat(100);
    let error = parse_str("deep.conf", &deep).unwrap_err();
    assert!(error.message().contains("limit"), "{error}");
    let big = dir.path().join("big.conf");
    std::fs::write(&big, "worker_processes 1;\n".repeat(100)).unwrap();
    let options = ReadOptions {
        max_bytes: 100,
        ..ReadOptions::default()
    };
    assert!(parse_file(Path::new(&big), &options)
        .unwrap_err()
        .message()
        .contains("bytes"));
}

#[test]
fn cut_corpus_files_never_panic() {
    let corpus =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/swag-proxy-confs");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        panic!("corpus missing: {}", corpus.display());
    };
    let mut parsed = 0;
    for entry in entries.filter_map(Result::ok).take(40) {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for cut in (0..text.len()).step_by(97) {
            if !text.is_char_boundary(cut) {
                continue;
            }
            if let Ok(d) = parse_str("cut.conf", &text[..cut]) {
                let _ = HttpView::from_directives(&d);
                parsed += 1;
            }
        }
    }
    assert!(parsed > 0);
}

#[test]
fn templates_take_values_from_the_environment() {
    let directives = parse_str(
        "default.conf",
        "server { location / { proxy_pass http://$FLASK_SERVER_ADDR; } }",
    )
    .unwrap();
    let env = vec![("FLASK_SERVER_ADDR".to_string(), "backend:9091".to_string())];
    let v = HttpView::from_template(&directives, &env);
    let t = &v.servers[0].routes[0].pass.targets[0];
    assert_eq!(
        (t.host.as_str(), t.port, t.kind),
        ("backend", Some(9091), TargetKind::Host)
    );
}

#[test]
fn container_globs_reach_single_mounted_files() {
    let dir = tree(&[
        (
            "nginx.conf",
            "http { include /etc/nginx/mime.types; include /etc/nginx/conf.d/*.conf; }\n",
        ),
        (
            "site.conf",
            "server { location / { proxy_pass http://web:8000; } }\n",
        ),
    ]);
    let options = ReadOptions {
        prefix: Some(dir.path().to_path_buf()),
        path_map: vec![(
            "/etc/nginx/conf.d/default.conf".into(),
            dir.path().join("site.conf"),
        )],
        in_container: true,
        ..ReadOptions::default()
    };
    let config = parse_file(&dir.path().join("nginx.conf"), &options).unwrap();
    assert_eq!(config.files.len(), 2);
    assert_eq!(config.skipped_includes[0].reason, SkipReason::InImage);
    assert_eq!(
        HttpView::from_directives(&config.directives).servers[0]
            .routes
            .len(),
        1
    );
}

#[test]
fn an_endless_file_stops_at_the_byte_limit() {
    // `/dev/zero` (or a pipe) has no size: the whole-file read ran until
    // memory ran out; the read now stops past the bytes left in the budget.
    // (An `include` of a device is skipped: it is not a regular file.)
    let options = ReadOptions {
        max_bytes: 1 << 20,
        ..ReadOptions::default()
    };
    let error = parse_file(Path::new("/dev/zero"), &options).unwrap_err();
    assert!(
        error.message().contains("bytes of configuration (limit)"),
        "{}",
        error.message()
    );
    let dir = tree(&[("nginx.conf", "events {}\ninclude /dev/zero;\n")]);
    let config = parse_file(&dir.path().join("nginx.conf"), &options).unwrap();
    assert_eq!(config.skipped_includes[0].reason, SkipReason::NotFound);
}

#[test]
fn a_tree_in_memory_reads_like_the_same_tree_on_disk() {
    let files = [
        (
            "nginx/nginx.conf",
            "http {\n  include mime.types;\n  include /etc/nginx/conf.d/*.conf;\n  include missing.conf;\n}\n",
        ),
        ("nginx/mime.types", "types { text/html html; }\n"),
        (
            "nginx/conf.d/b.conf",
            "server { server_name b.example; location / { proxy_pass http://b:2; } }\n",
        ),
        (
            "nginx/conf.d/a.conf",
            "server { server_name a.example; location / { proxy_pass http://a:1; } }\n",
        ),
        ("nginx/conf.d/.hidden.conf", "server { server_name hidden; }\n"),
    ];
    let dir = tree(&files);
    let mut memory = nginx::MemoryFiles::new();
    for (name, text) in files {
        memory.insert(dir.path().join(name), text);
    }
    let options = ReadOptions {
        prefix: Some(dir.path().join("nginx")),
        path_map: vec![("/etc/nginx".into(), dir.path().join("nginx"))],
        dirs: vec![dir.path().to_path_buf()],
        ..ReadOptions::default()
    };
    let main = dir.path().join("nginx/nginx.conf");
    let on_disk = parse_file(&main, &options).unwrap();
    let in_memory = nginx::parse_file_in(&main, &options, &memory).unwrap();
    assert_eq!(in_memory.files, on_disk.files);
    assert_eq!(in_memory.files.len(), 4);
    let names = |c: &nginx::Config| -> Vec<String> {
        HttpView::from_directives(&c.directives)
            .servers
            .iter()
            .map(|s| s.names[0].text.clone())
            .collect()
    };
    assert_eq!(names(&in_memory), ["a.example", "b.example"]);
    assert_eq!(names(&in_memory), names(&on_disk));
    let skipped = |c: &nginx::Config| -> Vec<(String, SkipReason)> {
        c.skipped_includes
            .iter()
            .map(|s| (s.pattern.clone(), s.reason))
            .collect()
    };
    assert_eq!(skipped(&in_memory), skipped(&on_disk));
    assert_eq!(
        skipped(&in_memory),
        [("missing.conf".to_string(), SkipReason::NotFound)]
    );
}

#[test]
fn include_globs_match_like_the_shell() {
    use nginx::parser::glob_match;
    for (pattern, name, expected) in [
        ("*.conf", "app.conf", true),
        ("*.conf", ".conf", true),
        ("*.conf", "app.conf.bak", false),
        ("a?c", "abc", true),
        ("a?c", "ac", false),
        ("[ab]*", "beta", true),
        ("[!ab]*", "beta", false),
        ("[^ab]*", "gamma", true),
        ("site-[0-9].conf", "site-7.conf", true),
        ("site-[0-9].conf", "site-x.conf", false),
        ("[abc", "[abc", true),
        ("[abc", "a", false),
        ("*a*b*c*", "xaybzc", true),
        ("*a*b*c*", "xaybz", false),
        ("**", "", true),
        ("", "", true),
        ("", "a", false),
        ("*", "日本語.conf", true),
        ("???.conf", "日本語.conf", true),
    ] {
        assert_eq!(glob_match(pattern, name), expected, "{pattern} ~ {name}");
    }
}

#[test]
fn a_glob_of_many_stars_against_a_long_name_ends() {
    // Seen reading the matcher while adding the nginx fuzz target, then found
    // by its long run (`include co****…****nf.d/*.conf`, 1,000 stars: a hang):
    // it tried every split of the name at every `*` (30 stars against a
    // 200-character name: more tries than can ever finish). `include` globs
    // are user input.
    let name = "a".repeat(200);
    let stars = "*a".repeat(30);
    assert!(!nginx::parser::glob_match(&format!("{stars}b"), &name));
    assert!(nginx::parser::glob_match(&format!("{stars}*"), &name));
    assert!(nginx::parser::glob_match(&stars, &name));
}

#[test]
fn fastcgi_routes_carry_the_root_and_script_filename_in_force() {
    let text = "server {\n    root /var/www/html/public;\n    fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n    location ~ \\.php$ {\n        fastcgi_pass php:9000;\n    }\n    location /legacy/ {\n        root /srv/legacy;\n        fastcgi_param QUERY_STRING $query_string;\n        fastcgi_pass php:9000;\n    }\n}\n";
    let v = view(text);
    let routes = &v.servers[0].routes;
    let (root, at) = routes[0].root.as_ref().unwrap();
    assert_eq!(root, "/var/www/html/public");
    assert_eq!((at.line, at.column), (2, 10));
    let (script, at) = routes[0].script_filename.as_ref().unwrap();
    assert_eq!(script, "$document_root$fastcgi_script_name");
    assert_eq!(at.line, 3);
    // The inner location sets its own root, and a fastcgi_param of its own
    // hides the server's SCRIPT_FILENAME, as nginx inherits array directives.
    assert_eq!(routes[1].root.as_ref().unwrap().0, "/srv/legacy");
    assert!(routes[1].script_filename.is_none());
}

#[test]
fn proxy_routes_carry_the_headers_and_http_version_in_force() {
    let text = "server {\n    proxy_http_version 1.1;\n    proxy_set_header Host $host;\n    location / {\n        proxy_pass http://app:3000;\n    }\n    location /ws/ {\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection \"upgrade\";\n        proxy_pass http://app:3000;\n    }\n}\n";
    let v = view(text);
    let routes = &v.servers[0].routes;
    let names = |i: usize| -> Vec<&str> {
        routes[i]
            .proxy_headers
            .iter()
            .map(|(n, _, _)| n.as_str())
            .collect()
    };
    assert_eq!(names(0), ["Host"]);
    // A level with proxy_set_header of its own does not inherit the server's.
    assert_eq!(names(1), ["Upgrade", "Connection"]);
    assert_eq!(routes[1].proxy_headers[1].1, "upgrade");
    assert_eq!(routes[1].proxy_headers[0].2.line, 8);
    for route in routes {
        assert_eq!(route.proxy_http_version.as_ref().unwrap().0, "1.1");
    }
}

#[test]
fn a_route_knows_which_includes_around_it_were_not_read() {
    let dir = tree(&[
        (
            "project/nginx.conf",
            "server {\n    include snippets/*.conf;\n    include empty.conf;\n    location / {\n        include /etc/nginx/proxy_params;\n        proxy_pass http://web:80;\n    }\n    location /api/ {\n        proxy_pass http://api:80;\n    }\n}\n",
        ),
        ("project/empty.conf", ""),
    ]);
    let options = ReadOptions {
        prefix: Some(dir.path().join("project")),
        dirs: vec![dir.path().join("project")],
        ..ReadOptions::default()
    };
    let config = parse_file(&dir.path().join("project/nginx.conf"), &options).unwrap();
    let view = HttpView::from_directives(&config.directives);
    let routes = &view.servers[0].routes;
    // A glob that matches nothing and an empty file were read: they set nothing.
    assert!(
        routes[1].unread_includes.is_empty(),
        "{:?}",
        routes[1].unread_includes
    );
    assert_eq!(routes[0].unread_includes, ["/etc/nginx/proxy_params"]);
}
