//! The lines `docker compose up`/`logs` print about containers.
//!
//! - `web-1 exited with code 137` (compose v2) / `shop_web_1 exited with code 3` (v1);
//! - `dependency failed to start: container db-1 is unhealthy`, `… exited (1)`,
//!   `… for service "db" is unhealthy`;
//! - the progress line ` ✘ Container shop-db-1  Error` (`⠿` before 2.20).
//!
//! Terminal colours are ignored.

use crate::At;
use serde::Serialize;

/// What a compose line says about a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LineKind {
    /// The container exited with this code.
    Exited { code: i64 },
    /// A dependent service was not started: this container never became healthy.
    DependencyUnhealthy,
    /// A dependent service was not started: this container exited with this code.
    DependencyExited { code: i64 },
    /// compose's progress line shows the container in `Error`.
    ContainerError,
}

/// One such line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComposeLine {
    pub kind: LineKind,
    /// The container name as printed (or the service, when [`ComposeLine::by_service`]).
    pub container: String,
    /// The line names a service (`for service "db"`), not a container.
    pub by_service: bool,
    /// The line, colours removed.
    pub text: String,
    pub at: At,
}

/// The line without ANSI escape sequences (`ESC [ … letter`).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

fn is_name(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= 255
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// What `line` says about a container, if it is one of compose's lines.
pub fn parse_line(line: &str) -> Option<ComposeLine> {
    if !(line.contains("exited with code")
        || line.contains("dependency failed to start")
        || line.contains("Container "))
    {
        return None;
    }
    let text = strip_ansi(line);
    let found = |kind, container: &str, by_service| {
        Some(ComposeLine {
            kind,
            container: container.to_string(),
            by_service,
            text: text.trim().to_string(),
            at: At::default(),
        })
    };
    if let Some(i) = text.find(" exited with code ") {
        let name = text[..i].split_whitespace().last().unwrap_or_default();
        let digits: String = text[i + 18..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let code = digits.parse::<i64>().ok()?;
        // `web-1  | worker exited with code 3` is the app's own line, not compose's.
        if is_name(name) && !text[..i].contains('|') {
            return found(LineKind::Exited { code }, name, false);
        }
        return None;
    }
    if let Some(i) = text.find("dependency failed to start: container ") {
        let rest = &text[i + 38..];
        if let Some(service) = rest.strip_prefix("for service \"") {
            let name = service.split('"').next().unwrap_or_default();
            let after = &service[name.len()..];
            if is_name(name) && after.contains("is unhealthy") {
                return found(LineKind::DependencyUnhealthy, name, true);
            }
            return None;
        }
        let mut words = rest.split_whitespace();
        let name = words.next().unwrap_or_default();
        if !is_name(name) {
            return None;
        }
        let tail: Vec<&str> = words.collect();
        if tail.starts_with(&["is", "unhealthy"]) {
            return found(LineKind::DependencyUnhealthy, name, false);
        }
        if tail.first() == Some(&"exited") {
            let code = tail
                .get(1)
                .and_then(|c| c.trim_matches(['(', ')']).parse().ok())?;
            return found(LineKind::DependencyExited { code }, name, false);
        }
        return None;
    }
    // ` ✘ Container shop-db-1  Error   0.0s`: a status word after the name, nothing else.
    let body = text.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    let rest = body.strip_prefix("Container ")?;
    let mut words = rest.split_whitespace();
    let name = words.next()?;
    let status = words.next()?;
    let tail: Vec<&str> = words.collect();
    let timing = tail.is_empty() || (tail.len() == 1 && tail[0].ends_with('s'));
    if status == "Error" && is_name(name) && timing {
        return found(LineKind::ContainerError, name, false);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_lines_are_read() {
        let exited = parse_line("web-1 exited with code 137").unwrap();
        assert_eq!(
            (exited.kind, exited.container.as_str()),
            (LineKind::Exited { code: 137 }, "web-1")
        );
        let v1 = parse_line("\u{1b}[36mshop_web_1 exited with code 3\u{1b}[0m").unwrap();
        assert_eq!(v1.container, "shop_web_1");
        let dep =
            parse_line("dependency failed to start: container shop-db-1 is unhealthy").unwrap();
        assert_eq!(dep.kind, LineKind::DependencyUnhealthy);
        let dep = parse_line("Error response from daemon: dependency failed to start: container hrm_database exited (0)").unwrap();
        assert_eq!(
            (dep.kind, dep.container.as_str()),
            (LineKind::DependencyExited { code: 0 }, "hrm_database")
        );
        let service =
            parse_line("dependency failed to start: container for service \"db\" is unhealthy")
                .unwrap();
        assert!(service.by_service);
        assert_eq!(service.container, "db");
        let error = parse_line(" ✘ Container shop-db-1  Error                    12.1s").unwrap();
        assert_eq!(
            (error.kind, error.container.as_str()),
            (LineKind::ContainerError, "shop-db-1")
        );
        assert!(parse_line(" ⠿ Container shop-db-1  Error").is_some());
    }

    #[test]
    fn near_misses_are_not_read() {
        assert!(parse_line("web-1  | worker 7 exited with code 3").is_none());
        assert!(parse_line(" ✔ Container shop-db-1  Healthy").is_none());
        assert!(parse_line("Container shop-db-1  Error response from daemon: x").is_none());
        assert!(parse_line("The process exited with code").is_none());
        assert!(parse_line("dependency failed to start: container").is_none());
    }
}
