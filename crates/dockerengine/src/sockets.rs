//! Which addresses a container's processes listen on, seen from outside
//! without a shell in the image: the kernel's socket tables of the
//! container's network namespace (`/proc/<pid>/net/tcp` and `tcp6`, read on
//! the engine's host), or the same tables printed by `cat` run in the
//! container (`docker exec`) when the host's `/proc` is not the engine's.
//!
//! ```
//! let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0\n";
//! let sockets = dockerengine::parse_socket_table(table).unwrap();
//! assert_eq!(sockets[0].to_string(), "127.0.0.1:8000");
//! ```

use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// The kernel's state code of a listening TCP socket (`TCP_LISTEN`).
const LISTEN_STATE: &str = "0A";

/// Socket table lines read at most (a table lists every socket, open or not).
const MAX_TABLE_LINES: usize = 100_000;

/// Bytes of one socket table read at most.
pub const MAX_TABLE_BYTES: u64 = 16 << 20;

/// One listening TCP socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ListeningSocket {
    pub address: IpAddr,
    pub port: u16,
}

impl ListeningSocket {
    /// Only this container can connect (`127.0.0.1`, `::1`).
    pub fn is_loopback(&self) -> bool {
        self.address.is_loopback()
    }

    /// Docker's embedded DNS server, which every container on a user-defined
    /// network has listening on `127.0.0.11` (a random TCP port): not the app.
    pub fn is_docker_resolver(&self) -> bool {
        self.address == IpAddr::V4(Ipv4Addr::new(127, 0, 0, 11))
    }
}

impl std::fmt::Display for ListeningSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.address {
            IpAddr::V4(a) => write!(f, "{a}:{}", self.port),
            IpAddr::V6(a) => write!(f, "[{a}]:{}", self.port),
        }
    }
}

impl Sockets {
    /// The sockets read from `source`, without Docker's embedded DNS
    /// server (which is no app's): what the container's processes listen on.
    pub fn read(source: String, mut listening: Vec<ListeningSocket>) -> Sockets {
        listening.retain(|s| !s.is_docker_resolver());
        Sockets::Read { source, listening }
    }
}

/// What could be seen of a container's listening sockets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "seen")]
pub enum Sockets {
    /// The tables were read; `source` says how (`/proc/4242/net/tcp`, `docker exec … cat`).
    Read {
        source: String,
        listening: Vec<ListeningSocket>,
    },
    /// They could not be read, and why.
    Unseen { reason: String },
}

/// The listening sockets of a `/proc/net/tcp`-style table (IPv4 or IPv6
/// lines, several tables one after another); `None` when the text has no
/// table header, so it is not such a table (an error message, say).
pub fn parse_socket_table(text: &str) -> Option<Vec<ListeningSocket>> {
    let mut header = false;
    let mut listening = Vec::new();
    for line in text.lines().take(MAX_TABLE_LINES) {
        let mut fields = line.split_whitespace();
        let Some(first) = fields.next() else {
            continue;
        };
        if first == "sl" {
            header = true;
            continue;
        }
        if !first.ends_with(':') {
            continue;
        }
        let (Some(local), Some(_remote), Some(state)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if state != LISTEN_STATE {
            continue;
        }
        if let Some(socket) = parse_address(local) {
            if !listening.contains(&socket) {
                listening.push(socket);
            }
        }
    }
    listening.sort();
    header.then_some(listening)
}

/// `0100007F:1F40` → 127.0.0.1:8000. The address is the kernel's bytes in
/// network order printed as host-order 32-bit words.
fn parse_address(text: &str) -> Option<ListeningSocket> {
    let (address, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |hex: &str| u32::from_str_radix(hex, 16).ok().map(u32::to_ne_bytes);
    let address = match address.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(address)?)),
        32 => {
            let mut bytes = [0u8; 16];
            for (i, chunk) in bytes.chunks_mut(4).enumerate() {
                chunk.copy_from_slice(&word(address.get(i * 8..i * 8 + 8)?)?);
            }
            let v6 = Ipv6Addr::from(bytes);
            // `::ffff:127.0.0.1` is the IPv4 loopback seen through an IPv6 socket.
            v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
        }
        _ => return None,
    };
    Some(ListeningSocket { address, port })
}

/// Reads the socket tables of the network namespace of process `pid` under
/// `proc_root` (`/proc` on the engine's host), after checking the process
/// belongs to container `container_id` (its cgroup path names the ID), so a
/// `/proc` of another machine or PID namespace is never taken for it.
pub fn read_from_proc(proc_root: &Path, pid: u32, container_id: &str) -> Result<Sockets, String> {
    let process = proc_root.join(pid.to_string());
    let cgroup = read_capped(&process.join("cgroup"), 1 << 20)
        .map_err(|e| format!("{}: {e}", process.join("cgroup").display()))?;
    if container_id.len() < 12 || !cgroup.contains(container_id) {
        return Err(format!(
            "process {pid} under {} is not this container's (another host or PID namespace)",
            proc_root.display()
        ));
    }
    let mut text = String::new();
    let mut read = Vec::new();
    for table in ["net/tcp", "net/tcp6"] {
        let path = process.join(table);
        // `tcp6` is missing when the kernel has no IPv6.
        if let Ok(part) = read_capped(&path, MAX_TABLE_BYTES) {
            text.push_str(&part);
            text.push('\n');
            read.push(path.display().to_string());
        }
    }
    let listening = parse_socket_table(&text)
        .ok_or_else(|| format!("{}: no socket table", process.join("net/tcp").display()))?;
    Ok(Sockets::read(read.join(" and "), listening))
}

fn read_capped(path: &Path, cap: u64) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(cap)
        .read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    fn row(local: &str, state: &str) -> String {
        format!("   0: {local} 00000000:0000 {state} 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n")
    }

    #[test]
    fn listening_rows_of_both_families_are_read_and_others_skipped() {
        let table = format!(
            "{HEADER}{}{}{}{HEADER}{}{}",
            row("0100007F:1F40", "0A"),
            row("00000000:0050", "0A"),
            row("0100007F:1F40", "01"),
            row("00000000000000000000000000000000:0BB8", "0A"),
            row("0000000000000000FFFF00000100007F:1F41", "0A"),
        );
        let listening: Vec<String> = parse_socket_table(&table)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            listening,
            [
                "0.0.0.0:80",
                "127.0.0.1:8000",
                "127.0.0.1:8001",
                "[::]:3000"
            ]
        );
    }

    #[test]
    fn ipv6_loopback_is_loopback() {
        let table = format!(
            "{HEADER}{}",
            row("00000000000000000000000001000000:1F90", "0A")
        );
        let socket = parse_socket_table(&table).unwrap()[0];
        assert_eq!(socket.to_string(), "[::1]:8080");
        assert!(socket.is_loopback());
    }

    #[test]
    fn text_without_a_table_header_is_not_a_table() {
        assert_eq!(
            parse_socket_table(
                "OCI runtime exec failed: exec: \"cat\": executable file not found in $PATH"
            ),
            None
        );
        assert_eq!(parse_socket_table(HEADER), Some(Vec::new()));
    }

    #[test]
    fn hostile_rows_are_skipped_not_trusted() {
        let table = format!(
            "{HEADER}   0: ZZZZ:1F40 0 0A\n   1: 0100007F 0 0A\n   2: 0100007F:FFFFF 0 0A\n   3:\n{}",
            row("0100007F:0016", "0A")
        );
        assert_eq!(
            parse_socket_table(&table).unwrap(),
            [ListeningSocket {
                address: IpAddr::V4(Ipv4Addr::LOCALHOST),
                port: 22
            }]
        );
    }

    #[test]
    fn a_process_of_another_container_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let process = root.path().join("42");
        std::fs::create_dir_all(process.join("net")).unwrap();
        std::fs::write(
            process.join("cgroup"),
            "12:memory:/docker/aaaaaaaaaaaaaaaa\n",
        )
        .unwrap();
        std::fs::write(
            process.join("net/tcp"),
            // Docker's DNS server listens in every user-network container.
            format!(
                "{HEADER}{}{}",
                row("0B00007F:A1B3", "0A"),
                row("0100007F:1F40", "0A")
            ),
        )
        .unwrap();
        let error = read_from_proc(root.path(), 42, "bbbbbbbbbbbbbbbb").unwrap_err();
        assert!(error.contains("not this container's"), "{error}");
        let seen = read_from_proc(root.path(), 42, "aaaaaaaaaaaaaaaa").unwrap();
        let Sockets::Read { source, listening } = seen else {
            panic!("not read: {seen:?}");
        };
        assert!(source.ends_with("42/net/tcp"), "{source}");
        let shown: Vec<String> = listening.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["127.0.0.1:8000"]);
    }

    #[test]
    fn this_process_own_table_reads() {
        // A real kernel table: a listener this test opens is in it.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let text = std::fs::read_to_string("/proc/self/net/tcp").unwrap();
        let listening = parse_socket_table(&text).unwrap();
        assert!(
            listening.iter().any(|s| s.port == port && s.is_loopback()),
            "{port} not in {listening:?}"
        );
    }
}
