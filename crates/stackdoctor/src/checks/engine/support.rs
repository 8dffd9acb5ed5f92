//! Helpers of the engine checks: what an exit code means, sizes, the command
//! that recreates a service, the running container of a service.

use crate::checks::support::start_service_command;
use crate::finding::Message;
use crate::model::engine::{ContainerState, ServiceJoin};
use crate::model::{ServiceId, StackModel};

/// `container` exited with `code`, and what that code means: a message of `upstream-not-running`.
pub fn exited_with(container: &str, code: i64) -> Message {
    exit_meaning(code)
        .with("container", container)
        .with("code", code.to_string())
}

fn exit_meaning(code: i64) -> Message {
    let named = |name: &str| Message::new(format!("upstream-not-running.{name}"));
    match code {
        0 => named("exit-0"),
        1 => named("exit-1"),
        2 => named("exit-2"),
        126 => named("exit-126"),
        127 => named("exit-127"),
        137 => named("exit-137"),
        139 => named("exit-139"),
        143 => named("exit-143"),
        129..=192 => named("exit-signal").with("signal", (code - 128).to_string()),
        _ => named("exit-other"),
    }
}

/// Bytes as people write memory limits: `32 MiB`, `1.5 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    if bytes >= GIB && bytes.is_multiple_of(GIB / 2) {
        let halves = bytes / (GIB / 2);
        if halves.is_multiple_of(2) {
            format!("{} GiB", halves / 2)
        } else {
            format!("{}.5 GiB", halves / 2)
        }
    } else if bytes >= MIB {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The compose form of a limit twice as large (`64m`, `2g`), a first step up.
pub fn doubled_limit(bytes: u64) -> String {
    let doubled = bytes.saturating_mul(2);
    if doubled >= 1 << 30 && doubled.is_multiple_of(1 << 30) {
        format!("{}g", doubled >> 30)
    } else {
        format!("{}m", doubled >> 20)
    }
}

/// The command that recreates the service a record is joined to.
pub fn up_command(model: &StackModel, join: &ServiceJoin, subject: &str) -> String {
    match join.service {
        Some(id) => start_service_command(model, id, "up -d"),
        None => match &join.project {
            Some(project) => format!("docker compose -p {project} up -d {subject}"),
            None => format!("docker compose up -d {subject}"),
        },
    }
}

/// The running (or last) container of a model service that the engine
/// describes with its networks (`docker inspect`, the live engine).
pub fn inspected(model: &StackModel, id: ServiceId) -> Option<&ContainerState> {
    let mut described = model.engine.containers.iter().filter(|c| {
        c.join.service == Some(id) && c.state.from == Some(dockerengine::ContainerFrom::Inspect)
    });
    let first = described.next()?;
    let running = std::iter::once(first)
        .chain(described)
        .find(|c| c.status() == Some("running"));
    Some(running.unwrap_or(first))
}

/// A model of saved engine output `text` alone (as if given with `--logs /saved/output.txt`).
#[cfg(test)]
pub fn model_of_saved(text: &str) -> StackModel {
    let mut model = StackModel::default();
    let parsed = dockerengine::parse(text, &dockerengine::Limits::default()).expect("parse");
    crate::sources::engine::merge(&mut model, parsed, &|at| {
        crate::model::Origin::Log(crate::model::FilePosition {
            file: "/saved/output.txt".into(),
            line: at.line,
            column: at.column,
            length: 0,
        })
    });
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_exit_codes_read_as_people_write_them() {
        assert_eq!(human_bytes(32 << 20), "32 MiB");
        assert_eq!(human_bytes(3 << 29), "1.5 GiB");
        assert_eq!(human_bytes(2 << 30), "2 GiB");
        assert_eq!(doubled_limit(32 << 20), "64m");
        assert_eq!(doubled_limit(1 << 30), "2g");
        assert_eq!(exit_meaning(137).key, "upstream-not-running.exit-137");
        assert_eq!(exit_meaning(130).params["signal"], "2");
        assert_eq!(exit_meaning(3).key, "upstream-not-running.exit-other");
    }
}
