//! Where a service listens: read from its command and entrypoint (known
//! servers and their options, `data/servers.toml`), its environment
//! (`PORT`, `UVICORN_PORT`, …), `expose:`/`ports:`, and its image.

pub use crate::knowledge::image_repository;
use crate::knowledge::{servers, ServerSpec};
use crate::model::{Bind, ListenEvidence, Listener, Origin, ServerBinding};

/// Reads the server program and its address from a command line.
/// `env` gives the service's environment variables.
pub fn server_binding(
    words: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<ServerBinding> {
    let knowledge = servers();
    // The program is a word equal to the spec's name, or its last path segment
    // (`/usr/local/bin/gunicorn`), or `-m NAME` for Python modules.
    let (index, spec) = words.iter().enumerate().find_map(|(i, word)| {
        let name = word.rsplit('/').next().unwrap_or(word);
        knowledge
            .servers
            .iter()
            .find(|s| s.program == name)
            .map(|s| (i, s))
    })?;
    let rest = &words[index + 1..];
    let mut host = None;
    let mut host_word = None;
    let mut port = None;
    let mut iter = rest.iter().peekable();
    let mut positional_seen = false;
    while let Some(word) = iter.next() {
        let (option, inline) = match word.split_once('=') {
            Some((o, v)) if o.starts_with('-') => (o, Some(v.to_string())),
            _ => (word.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| iter.next().cloned());
        if spec.bind_options.iter().any(|o| o == option) {
            if let Some(v) = value() {
                let (h, p) = split_address(&v);
                if let Some(h) = h {
                    host = Some(h.to_string());
                    host_word = Some(v.clone());
                }
                port = p.or(port);
            }
        } else if spec.host_options.iter().any(|o| o == option) {
            if let Some(v) = value() {
                host = Some(v.clone());
                host_word = Some(v);
            }
        } else if spec.port_options.iter().any(|o| o == option) {
            port = value().and_then(|v| v.parse().ok()).or(port);
        } else if spec.positional_address && !positional_seen && !word.starts_with('-') {
            positional_seen = true;
            let (h, p) = split_address(word);
            if let Some(h) = h {
                host = Some(h.to_string());
                host_word = Some(word.clone());
            }
            port = p.or(port);
        }
    }
    let from_env = |names: &[String]| names.iter().find_map(|n| env(n));
    let host = host.or_else(|| from_env(&spec.host_env));
    let port = port
        .or_else(|| from_env(&spec.port_env).and_then(|v| v.parse().ok()))
        .unwrap_or(spec.default_port);
    Some(ServerBinding {
        program: spec.program.clone(),
        host: host.unwrap_or_else(|| spec.default_host.clone()),
        port,
        host_word,
        listen_all: listen_all_option(spec, port),
    })
}

fn listen_all_option(spec: &ServerSpec, port: u16) -> String {
    if spec.positional_address {
        format!("0.0.0.0:{port}")
    } else if let Some(option) = spec.bind_options.first() {
        format!("{option} 0.0.0.0:{port}")
    } else if let Some(option) = spec.host_options.last() {
        format!("{option} 0.0.0.0")
    } else {
        "0.0.0.0".to_string()
    }
}

/// Splits `HOST:PORT`, `[::1]:PORT`, `PORT` or `HOST` (unix sockets give nothing).
fn split_address(text: &str) -> (Option<&str>, Option<u16>) {
    let text = text
        .trim_start_matches("tcp://")
        .trim_start_matches("http://");
    if text.starts_with("unix:") {
        return (None, None);
    }
    if let Ok(port) = text.parse::<u16>() {
        return (None, Some(port));
    }
    if let Some(rest) = text.strip_prefix('[') {
        if let Some((host, port)) = rest.split_once("]:") {
            return (Some(host), port.parse().ok());
        }
        return (Some(rest.trim_end_matches(']')), None);
    }
    match text.rsplit_once(':') {
        Some((host, port)) => (Some(host), port.parse().ok()),
        None => (Some(text), None),
    }
}

pub fn is_loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "::1" | "ip6-localhost") || host.starts_with("127.")
}

/// The command as a server sees it: `sh -c "…"` is split into words again.
pub fn effective_words(words: &[String]) -> Vec<String> {
    match words {
        [shell, flag, script, ..] if shell.ends_with("sh") && flag == "-c" => {
            script.split_whitespace().map(str::to_string).collect()
        }
        _ => words.to_vec(),
    }
}

/// `NAME=value` words before the program (`PORT=3000 node server.js`), which set the server's environment.
pub fn command_assignments(words: &[String]) -> Vec<(String, String)> {
    effective_words(words)
        .iter()
        .filter_map(|w| {
            let (name, value) = w.split_once('=')?;
            let valid =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            valid.then(|| (name.to_string(), value.to_string()))
        })
        .collect()
}

/// The listener a command line declares, if it starts a known server.
pub fn listener_from_command(
    words: &[String],
    origin: &Origin,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<Listener> {
    // Assignments in the command itself win over the service's environment.
    let assignments = command_assignments(words);
    let env = |name: &str| {
        assignments
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .or_else(|| env(name))
    };
    let binding = server_binding(&effective_words(words), &env)?;
    let listener = Listener {
        port: binding.port,
        bind: if is_loopback(&binding.host) {
            Bind::Loopback
        } else {
            Bind::All
        },
        tls: false,
        evidence: ListenEvidence::Command,
        origin: origin.clone(),
        detail: one_line(&words.join(" ")),
        server: Some(binding),
    };
    Some(listener)
}

/// A command as one short line: whitespace collapsed, at most 100 characters.
pub fn one_line(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", &collapsed[..cut]),
        None => collapsed,
    }
}

/// The ports a known image listens on by default.
pub fn image_listeners(image: &str, origin: &Origin) -> Vec<Listener> {
    let name = image_repository(image);
    servers()
        .images
        .iter()
        .filter(|spec| spec.image == name)
        .flat_map(|spec| {
            spec.ports.iter().map(move |&port| Listener {
                port,
                bind: Bind::All,
                tls: spec.tls_ports.contains(&port),
                evidence: ListenEvidence::ImageDefault,
                origin: origin.clone(),
                detail: format!("image {image}"),
                server: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }
    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn runserver_without_address_binds_loopback_8000() {
        let b = server_binding(&words("python manage.py runserver"), &no_env).unwrap();
        assert_eq!(
            (b.host.as_str(), b.port, b.host_word),
            ("127.0.0.1", 8000, None)
        );
        assert_eq!(b.listen_all, "0.0.0.0:8000");
    }

    #[test]
    fn runserver_with_address_and_port_only() {
        let b = server_binding(&words("python manage.py runserver 0.0.0.0:8001"), &no_env).unwrap();
        assert_eq!((b.host.as_str(), b.port), ("0.0.0.0", 8001));
        let b = server_binding(&words("python manage.py runserver 9000"), &no_env).unwrap();
        assert_eq!((b.host.as_str(), b.port), ("127.0.0.1", 9000));
    }

    #[test]
    fn gunicorn_bind_forms() {
        let b = server_binding(
            &words("gunicorn app.wsgi:application --bind 0.0.0.0:8000"),
            &no_env,
        )
        .unwrap();
        assert_eq!((b.host.as_str(), b.port), ("0.0.0.0", 8000));
        let b = server_binding(&words("gunicorn -b=127.0.0.1:9000 app:app"), &no_env).unwrap();
        assert_eq!((b.host.as_str(), b.port), ("127.0.0.1", 9000));
        assert_eq!(b.host_word.as_deref(), Some("127.0.0.1:9000"));
        let b = server_binding(&words("/usr/local/bin/gunicorn app:app"), &no_env).unwrap();
        assert_eq!((b.host.as_str(), b.port), ("127.0.0.1", 8000));
        assert_eq!(b.listen_all, "-b 0.0.0.0:8000");
    }

    #[test]
    fn uvicorn_options_and_environment() {
        let b =
            server_binding(&words("uvicorn main:app --host 0.0.0.0 --port 80"), &no_env).unwrap();
        assert_eq!((b.host.as_str(), b.port), ("0.0.0.0", 80));
        let env = |n: &str| (n == "UVICORN_PORT").then(|| "9000".to_string());
        let b = server_binding(&words("uvicorn main:app"), &env).unwrap();
        assert_eq!((b.host.as_str(), b.port), ("127.0.0.1", 9000));
        assert_eq!(b.listen_all, "--host 0.0.0.0");
    }

    #[test]
    fn shell_form_is_split_again() {
        let w = vec![
            "sh".into(),
            "-c".into(),
            "python manage.py migrate && python manage.py runserver 0.0.0.0:8000".into(),
        ];
        let origin = Origin::implied("test");
        let listener = listener_from_command(&w, &origin, &no_env).unwrap();
        assert_eq!((listener.port, listener.bind), (8000, Bind::All));
    }

    #[test]
    fn assignments_in_the_command_count() {
        let w = vec![
            "sh".into(),
            "-c".into(),
            "UVICORN_PORT=9001 uvicorn app:app".into(),
        ];
        let listener = listener_from_command(&w, &Origin::implied("test"), &no_env).unwrap();
        assert_eq!(listener.port, 9001);
        assert_eq!(
            command_assignments(&words("PORT=3000 node server.js")),
            vec![("PORT".to_string(), "3000".to_string())]
        );
    }

    #[test]
    fn unknown_programs_give_nothing() {
        assert!(server_binding(&words("node server.js"), &no_env).is_none());
    }

    #[test]
    fn image_names_are_reduced_to_the_repository() {
        assert_eq!(image_repository("nginx:1.27-alpine"), "nginx");
        assert_eq!(
            image_repository("docker.io/library/postgres:16"),
            "postgres"
        );
        assert_eq!(image_repository("localhost:5000/caddy"), "caddy");
        assert_eq!(
            image_repository("traefik/whoami@sha256:abc"),
            "traefik/whoami"
        );
        let origin = Origin::implied("test");
        let ports: Vec<u16> = image_listeners("caddy:2-alpine", &origin)
            .iter()
            .map(|l| l.port)
            .collect();
        assert_eq!(ports, vec![80, 443]);
        // Images off Docker Hub and images whose port moved: the registry
        // host and tag go, the documented ports (and which speak TLS) stay.
        let keycloak = image_listeners("quay.io/keycloak/keycloak:26.0", &origin);
        let ports: Vec<(u16, bool)> = keycloak.iter().map(|l| (l.port, l.tls)).collect();
        assert_eq!(ports, vec![(8080, false), (8443, true)]);
        let bitnami: Vec<u16> = image_listeners("bitnami/nginx:1.27", &origin)
            .iter()
            .map(|l| l.port)
            .collect();
        assert_eq!(bitnami, vec![8080, 8443]);
    }
}
