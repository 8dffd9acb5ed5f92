//! # app-env-unknown-host
//!
//! **What it detects:** a service's environment names a host for one of its
//! dependencies (`DB_HOST`, `REDIS_HOST`, `DATABASE_URL`, `REDIS_URL`,
//! `*_HOST`, `*_URL`, `*_DSN`, …) that is no compose service name, network
//! alias or container name the service can reach. Hosts with a dot, IP
//! addresses, `localhost` and values with placeholders are left alone.
//!
//! **Why it breaks requests:** the app cannot resolve its database or cache
//! (`could not translate host name "database" to address`), fails at
//! start-up or on every request, and the proxy in front answers 502 (or the
//! app 500).
//!
//! **Example:** `DB_HOST: database` while the compose service is `db`.
//!
//! **Fix:** use the service name of the dependency (`DB_HOST: db`,
//! `postgres://app:…@db:5432/app`), then recreate the app's container.

use crate::checks::support::{edit_distance, recreate_service_step, replace_on_line};
use crate::checks::Facts;
use crate::finding::{Finding, FixStep, Message};
use crate::model::service_names::ServiceNames;
use crate::model::{Activation, EnvEntry, Service, ServiceId, StackModel};
use std::net::IpAddr;

cause!("app-env-unknown-host");

/// Name endings of variables that hold a dependency's host or URL.
const HOST_VARIABLES: &[&str] = &[
    "_HOST",
    "_HOSTNAME",
    "_SERVER",
    "_ADDR",
    "_ADDRESS",
    "_URL",
    "_URI",
    "_DSN",
];

/// Default ports of URL schemes, to find the service the URL meant.
const SCHEME_PORTS: &[(&str, u16)] = &[
    ("postgres", 5432),
    ("postgresql", 5432),
    ("mysql", 3306),
    ("mariadb", 3306),
    ("redis", 6379),
    ("rediss", 6379),
    ("mongodb", 27017),
    ("amqp", 5672),
    ("memcached", 11211),
];

/// Ports a variable's name implies when its value has none (`DB_HOST` → a database).
const NAME_PORTS: &[(&str, &[u16])] = &[
    ("POSTGRES", &[5432]),
    ("PG", &[5432]),
    ("MYSQL", &[3306]),
    ("MARIADB", &[3306]),
    ("DB", &[5432, 3306, 27017]),
    ("DATABASE", &[5432, 3306, 27017]),
    ("REDIS", &[6379]),
    ("CACHE", &[6379, 11211]),
    ("MONGO", &[27017]),
    ("RABBIT", &[5672]),
    ("AMQP", &[5672]),
];

/// The host (and port) a variable's value names, if it names one.
pub fn host_of(value: &str) -> Option<(String, Option<u16>)> {
    let (scheme, rest) = match value.split_once("://") {
        Some((scheme, rest)) => (Some(scheme.split('+').next().unwrap_or(scheme)), rest),
        None => (None, value),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    // Several hosts (`a:1,b:2`) are not one name.
    if authority.contains(',') || authority.starts_with('[') {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().ok()),
        None => (authority, None),
    };
    let port = port.or_else(|| {
        let scheme = scheme?.to_ascii_lowercase();
        SCHEME_PORTS
            .iter()
            .find(|(s, _)| *s == scheme)
            .map(|(_, p)| *p)
    });
    // Flags and numbers (`REV_SERVER=true`, `SMTP_PORT=25`) are no host names.
    let word = matches!(
        host.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null"
    );
    let plain = !host.is_empty()
        && !word
        && host.chars().any(|c| c.is_ascii_alphabetic())
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    plain.then(|| (host.to_string(), port))
}

fn names_host(entry: &EnvEntry) -> bool {
    let upper = entry.name.to_ascii_uppercase();
    HOST_VARIABLES.iter().any(|suffix| upper.ends_with(suffix))
}

/// The environment entries of a service that name a dependency's host,
/// with the host and port (values with placeholders left alone).
pub(super) fn named_hosts(
    service: &Service,
) -> impl Iterator<Item = (&EnvEntry, String, Option<u16>)> {
    service
        .environment
        .iter()
        .filter(|e| names_host(e))
        .filter_map(|entry| {
            let value = entry.value.as_ref()?;
            if value.contains(['$', '{']) {
                return None;
            }
            let (host, port) = host_of(value)?;
            Some((entry, host, port))
        })
}

/// Whether `host` is a name of some service `from` could resolve.
fn known(model: &StackModel, names: &ServiceNames, from: ServiceId, host: &str) -> bool {
    !names.carrying(host).is_empty()
        || model.services[from]
            .links
            .iter()
            .any(|l| l.value.1.eq_ignore_ascii_case(host))
}

/// The service the value most likely meant: one listening on its port (or
/// on a port its variable's name implies), else the closest name.
fn suggest(
    model: &StackModel,
    from: ServiceId,
    variable: &str,
    host: &str,
    port: Option<u16>,
) -> Option<String> {
    let candidates: Vec<ServiceId> = (0..model.services.len())
        .filter(|&id| id != from && !model.shared_networks(from, id).is_empty())
        .collect();
    let upper = variable.to_ascii_uppercase();
    let ports: Vec<u16> = match port {
        Some(p) => vec![p],
        None => NAME_PORTS
            .iter()
            .filter(|(word, _)| upper.split('_').any(|part| part == *word))
            .flat_map(|(_, ports)| ports.iter().copied())
            .collect(),
    };
    let by_port = candidates.iter().find(|&&id| {
        ports
            .iter()
            .any(|&p| model.services[id].listeners_on(p).next().is_some())
    });
    by_port
        .or_else(|| {
            candidates
                .iter()
                .filter(|&&id| edit_distance(&model.services[id].name, host) <= host.len() / 2 + 1)
                .min_by_key(|&&id| edit_distance(&model.services[id].name, host))
        })
        .map(|&id| model.services[id].name.clone())
}

pub fn run(facts: &Facts) -> Vec<Finding> {
    let model = facts.model;
    let names = facts.service_names();
    let mut findings = Vec::new();
    for (id, service) in model.services.iter().enumerate() {
        if service.activation != Activation::Active || service.uses_host_network() {
            continue;
        }
        for (entry, host, port) in named_hosts(service) {
            let lower = host.to_ascii_lowercase();
            if lower == "localhost"
                || host.parse::<IpAddr>().is_ok()
                || known(model, names, id, &host)
            {
                continue;
            }
            let mut finding = Finding::new(CAUSE)
                .subject(&service.name)
                .param("service", &service.name)
                .param("variable", &entry.name)
                .param("host", &host);
            finding = finding.evidence(
                entry.origin.clone(),
                msg("names-host")
                    .with("variable", &entry.name)
                    .with("host", &host),
            );
            // Show where the value comes from when that is another line (a
            // `.env` file), unless the host is written on the entry's own line
            // and only another part (a password) was interpolated.
            let same_line = |o: &crate::model::Origin| matches!((o.position(), entry.origin.position()), (Some(a), Some(b)) if a.file == b.file && a.line == b.line);
            let host_written_here = entry.origin.position().is_some_and(|at| {
                model
                    .sources
                    .line(&at.file, at.line)
                    .and_then(|line| line.split_once([':', '=']))
                    .is_some_and(|(_, value)| value.contains(host.as_str()))
            });
            if let Some(value_origin) = entry
                .value_origin
                .as_ref()
                .filter(|o| o.position().is_some() && !same_line(o) && !host_written_here)
            {
                finding = finding.evidence(
                    value_origin.clone(),
                    msg("value-from").with("variable", &entry.name),
                );
            }
            let mut shown = Vec::new();
            for event in model.log_events.iter().filter(|e| {
                e.service.as_deref() == Some(service.name.as_str())
                    && e.message.contains(host.as_str())
            }) {
                // One event can match several signatures: show its line once.
                if shown.contains(&&event.origin) || shown.len() == 2 {
                    continue;
                }
                shown.push(&event.origin);
                finding = finding.evidence(
                    event.origin.clone(),
                    Message::new("common.log-line").with("line", &event.message),
                );
            }
            finding = match suggest(model, id, &entry.name, &host, port) {
                Some(name) => {
                    let message = msg("use-service")
                        .with("variable", &entry.name)
                        .with("host", &host)
                        .with("service", &name);
                    // Where the host is written: the compose entry, else the `.env` line.
                    let place = entry
                        .value_origin
                        .as_ref()
                        .filter(|o| o.position().is_some() && !host_written_here)
                        .unwrap_or(&entry.origin);
                    let edit = ["@", "//", ": ", "=", ":"].iter().find_map(|lead| {
                        replace_on_line(
                            model,
                            place,
                            &format!("{lead}{host}"),
                            &format!("{lead}{name}"),
                        )
                    });
                    match edit {
                        Some(edit) => finding.fix(FixStep::edit(message, edit)),
                        None => finding.fix(FixStep::say(message)),
                    }
                }
                None => finding.fix(FixStep::say(
                    msg("name-a-service")
                        .with("variable", &entry.name)
                        .with("host", &host),
                )),
            };
            findings.push(finding.fix(recreate_service_step(model, id)));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::host_of;
    use crate::checks::support::{assert_example_finding, assert_example_quiet, test_tree};
    use crate::checks::Facts;
    use crate::model::StackModel;

    fn run(model: &StackModel) -> Vec<crate::finding::Finding> {
        super::run(&Facts::new(model))
    }

    #[test]
    fn a_database_host_that_is_no_service_is_told_the_service_name() {
        assert_example_finding(
            run,
            super::CAUSE,
            ("db-host-typo", &[]),
            "docker-compose.yml:15",
            &["DB_HOST: db", "up -d --force-recreate web"],
        );
        assert_example_quiet(
            run,
            ("db-host-typo", &[]),
            &[("docker-compose.yml", "DB_HOST: database", "DB_HOST: db")],
        );
    }

    #[test]
    fn a_host_written_in_compose_is_edited_there_even_when_a_password_came_from_env() {
        let (dir, model) = test_tree(&[
            ("compose.yaml", "services:\n  worker:\n    image: worker\n    environment:\n      DATABASE_URL: postgres://app:${DB_PASSWORD}@db-old:5432/app\n  db:\n    image: postgres:16\n"),
            (".env", "DB_PASSWORD=not-a-secret-42\n"),
        ]);
        let findings = run(&model);
        let (at, fix) = crate::checks::support::the_finding(dir.path(), &findings, super::CAUSE);
        assert_eq!(at, "compose.yaml:5");
        assert!(fix.contains("@db:5432/app"), "{fix}");
        // The .env line only gave the password: it is no evidence of the host.
        let files: Vec<_> = findings[0]
            .evidence
            .iter()
            .filter_map(|e| e.origin.position())
            .map(|p| p.file.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(files, ["compose.yaml"]);
    }

    #[test]
    fn hosts_are_read_from_urls_and_bare_values() {
        assert_eq!(host_of("database"), Some(("database".into(), None)));
        assert_eq!(host_of("db:5433"), Some(("db".into(), Some(5433))));
        assert_eq!(
            host_of("postgresql+psycopg://app:pw@pg/app"),
            Some(("pg".into(), Some(5432)))
        );
        assert_eq!(
            host_of("redis://redis:6379/0"),
            Some(("redis".into(), Some(6379)))
        );
        assert_eq!(host_of("https://api.example.com/v1"), None);
        assert_eq!(host_of("mongodb://a:1,b:2/x"), None);
        assert_eq!(host_of(""), None);
        assert_eq!(host_of("true"), None);
        assert_eq!(host_of("8080"), None);
    }
}
