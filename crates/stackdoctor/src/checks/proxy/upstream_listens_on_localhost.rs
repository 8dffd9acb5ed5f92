//! # upstream-listens-on-localhost
//!
//! **What it detects:** the service an upstream reaches binds its server to
//! `127.0.0.1`/`localhost` inside its container: `python manage.py
//! runserver` without an address, `uvicorn` without `--host`, `gunicorn`
//! without `--bind`, `--host 127.0.0.1`, or a start-up line such as
//! `Starting development server at http://127.0.0.1:8000/` in its logs.
//! When the engine runs on this machine, the running container's listening
//! sockets are read (`/proc/<pid>/net/tcp`, or `cat` in the container): a
//! socket on `127.0.0.1` is then a fact, and a socket on every interface
//! overrules what the command suggests.
//!
//! **Why it breaks requests:** a server bound to loopback accepts only
//! connections from its own container. The proxy's connection arrives on
//! the container's network interface and is refused: 502.
//!
//! **Example:** `command: python manage.py runserver` (Django binds
//! `127.0.0.1:8000` by default).
//!
//! **Fix:** bind all interfaces: `runserver 0.0.0.0:8000`,
//! `uvicorn … --host 0.0.0.0`, `gunicorn --bind 0.0.0.0:8000`; then recreate
//! the service.

use super::support::{
    effective_listeners, log_evidence, main_listener, main_of, reached_upstreams,
};
use crate::checks::support::{
    insert_after_word, recreate_service_step, replace_on_line, service_hop,
};
use crate::finding::{Finding, FixStep, HopState, Message};
use crate::model::{Bind, ListenEvidence, StackModel};

cause!("upstream-listens-on-localhost");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (ctx, id) in reached_upstreams(model) {
        let upstream = ctx.upstream;
        let service = &model.services[id];
        let dialled = upstream.port.unwrap_or(80);
        let loopback_command = |l: &&crate::model::Listener| {
            l.evidence == ListenEvidence::Command && l.bind == Bind::Loopback
        };
        // On the dialled port; or, when nothing listens there (a wrong port,
        // reported too), on the port the proxy should dial instead: fixing
        // only the port would still leave the app unreachable.
        let command_listener = match service.listeners_on(dialled).next() {
            Some(_) => service.listeners_on(dialled).find(loopback_command),
            None => main_listener(&service.listeners).filter(loopback_command),
        };
        // With sockets read, the listeners are the sockets: on the dialled port, else the main one.
        let socket_listener = service
            .sockets_read
            .as_ref()
            .and_then(|_| {
                let sockets = effective_listeners(service);
                let on_dialled = sockets.iter().copied().find(|l| l.port == dialled);
                on_dialled.or_else(|| main_of(&sockets))
            })
            .filter(|l| l.bind == Bind::Loopback);
        // The running container's sockets overrule the command's reading.
        let command_listener = match (service.sockets_read.is_some(), socket_listener) {
            (true, None) => None,
            (true, Some(socket)) => command_listener.filter(|l| l.port == socket.port),
            (false, _) => command_listener,
        };
        let port = socket_listener
            .or(command_listener)
            .map_or(dialled, |l| l.port);
        let log_lines: Vec<_> = model
            .log_events_of_service(&service.name, "upstream-listens-on-localhost")
            .filter(|e| e.port.is_none_or(|p| p == port))
            .take(2)
            .collect();
        if command_listener.is_none() && socket_listener.is_none() && log_lines.is_empty() {
            continue;
        }
        let mut finding = Finding::new(CAUSE)
            .subject(&service.name)
            .param("service", &service.name)
            .param("port", port.to_string());
        if let Some(socket) = socket_listener {
            let label = msg("socket-loopback").with("socket", &socket.detail);
            finding = finding.evidence(socket.origin.clone(), label);
        }
        if let Some(listener) = command_listener {
            let label = msg("binds-loopback").with("command", &listener.detail);
            finding = finding.evidence(listener.origin.clone(), label);
            if let Some(server) = &listener.server {
                let message = msg("bind-all").with("option", &server.listen_all);
                let edit = match &server.host_word {
                    Some(word) => {
                        let all = word
                            .replace("127.0.0.1", "0.0.0.0")
                            .replace("localhost", "0.0.0.0");
                        replace_on_line(model, &listener.origin, word, &all)
                    }
                    None => insert_after_word(
                        model,
                        &listener.origin,
                        &server.program,
                        &server.listen_all,
                    ),
                };
                finding = match edit {
                    Some(edit) => finding.fix(FixStep::edit(message, edit)),
                    None => finding.fix(FixStep::say(message)),
                };
            }
        } else {
            // No known server to edit: say what to change, not where.
            let message = msg("bind-all-program").with("port", port.to_string());
            finding = finding.fix(FixStep::say(message));
        }
        finding = finding.log_lines(log_lines);
        finding = finding.log_lines(log_evidence(
            model,
            &upstream.host,
            upstream.port,
            &["proxy-upstream-refused"],
        ));
        finding = finding.evidence(
            upstream.origin.clone(),
            Message::new("common.upstream-here").with("upstream", &upstream.text),
        );
        let tail = vec![service_hop(model, id, HopState::Broken)];
        findings.push(
            finding
                .fix(recreate_service_step(model, id))
                .path(ctx.path(HopState::Ok, tail)),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn runserver_without_an_address_is_told_to_bind_every_interface() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("listens-on-localhost", &["--logs", "logs/compose.log"]),
            "docker-compose.yml:14",
            &["runserver 0.0.0.0:8000", "--force-recreate web"],
        );
    }

    #[test]
    fn runserver_on_every_interface_is_quiet() {
        assert_example_quiet(
            super::run,
            ("listens-on-localhost", &[]),
            &[(
                "docker-compose.yml",
                "manage.py runserver\"",
                "manage.py runserver 0.0.0.0:8000\"",
            )],
        );
    }
}
