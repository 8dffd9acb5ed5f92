//! Property names allowed by the compose specification
//! (derived from compose-spec.json), used to reject unknown keys.

use crate::yaml::Node;
use crate::Error;

/// Top-level properties.
pub const TOP_LEVEL: &[&str] = &[
    "configs", "include", "models", "name", "networks", "secrets", "services", "version", "volumes",
];
/// Properties of a service.
pub const SERVICE: &[&str] = &[
    "annotations",
    "attach",
    "blkio_config",
    "build",
    "cap_add",
    "cap_drop",
    "cgroup",
    "cgroup_parent",
    "command",
    "configs",
    "container_name",
    "cpu_count",
    "cpu_percent",
    "cpu_period",
    "cpu_quota",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "cpu_shares",
    "cpus",
    "cpuset",
    "credential_spec",
    "depends_on",
    "deploy",
    "develop",
    "device_cgroup_rules",
    "devices",
    "dns",
    "dns_opt",
    "dns_search",
    "domainname",
    "entrypoint",
    "env_file",
    "environment",
    "expose",
    "extends",
    "external_links",
    "extra_hosts",
    "gpus",
    "group_add",
    "healthcheck",
    "hostname",
    "image",
    "init",
    "ipc",
    "isolation",
    "label_file",
    "labels",
    "links",
    "logging",
    "mac_address",
    "mem_limit",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "models",
    "network_mode",
    "networks",
    "oom_kill_disable",
    "oom_score_adj",
    "pid",
    "pids_limit",
    "platform",
    "ports",
    "post_start",
    "pre_start",
    "pre_stop",
    "privileged",
    "profiles",
    "provider",
    "pull_policy",
    "pull_refresh_after",
    "read_only",
    "restart",
    "runtime",
    "scale",
    "secrets",
    "security_opt",
    "shm_size",
    "stdin_open",
    "stop_grace_period",
    "stop_signal",
    "storage_opt",
    "sysctls",
    "tmpfs",
    "tty",
    "ulimits",
    "use_api_socket",
    "user",
    "userns_mode",
    "uts",
    "volumes",
    "volumes_from",
    "working_dir",
];
/// Properties of a top-level network.
pub const NETWORK: &[&str] = &[
    "attachable",
    "driver",
    "driver_opts",
    "enable_ipv4",
    "enable_ipv6",
    "external",
    "internal",
    "ipam",
    "labels",
    "name",
];
/// Properties of a healthcheck.
pub const HEALTHCHECK: &[&str] = &[
    "disable",
    "interval",
    "retries",
    "start_interval",
    "start_period",
    "test",
    "timeout",
];

/// Rejects keys of the mapping `node` that are neither in `allowed` nor `x-` extensions.
/// `path` names the mapping in the message, as compose's validator does.
pub fn check_keys(node: &Node, allowed: &[&str], path: &str) -> Result<(), Error> {
    for e in node.as_map().unwrap_or_default() {
        if !e.key.starts_with("x-") && !allowed.contains(&e.key.as_str()) {
            let message = if path.is_empty() {
                format!("additional properties '{}' not allowed", e.key)
            } else {
                format!("{path} additional properties '{}' not allowed", e.key)
            };
            return Err(Error::Syntax {
                position: e.key_position.clone(),
                message,
            });
        }
    }
    Ok(())
}
