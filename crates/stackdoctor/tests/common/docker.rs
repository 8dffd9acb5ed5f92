//! Helpers for the tests that run containers on this machine's Docker
//! Engine: no image can be pulled, so images are built here `FROM scratch`
//! (a static C program, or Debian's Caddy with the libraries `ldd` lists).
#![allow(dead_code)] // each test file uses some of them

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

pub const CADDY: &str = "/usr/bin/caddy";
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

pub fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `docker {}`: {e}", args.join(" ")))
}

/// Runs docker, asserts success, and returns its trimmed stdout.
pub fn docker_ok(args: &[&str]) -> String {
    let output = docker(args);
    assert!(
        output.status.success(),
        "`docker {}` failed ({}):\n{}{}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Whether the test can run here; panics where it must run but cannot.
pub fn docker_available() -> bool {
    let works = Command::new("docker")
        .arg("info")
        .output()
        .is_ok_and(|o| o.status.success());
    if !works {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but `docker info` fails: the live tests need a running Docker Engine"
        );
        eprintln!("note: skipped: `docker info` fails (no Docker Engine here)");
    }
    works
}

/// The absolute paths of the shared libraries `ldd` lists for `binary`.
fn shared_libraries(binary: &str) -> Vec<PathBuf> {
    let output = Command::new("ldd")
        .arg(binary)
        .output()
        .expect("cannot run ldd");
    assert!(
        output.status.success(),
        "ldd {binary} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Lines look like `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)`
    // or `/lib64/ld-linux-x86-64.so.2 (0x…)`; linux-vdso has no file.
    let libraries: Vec<PathBuf> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().find(|word| word.starts_with('/')))
        .map(PathBuf::from)
        .collect();
    assert!(
        !libraries.is_empty(),
        "ldd lists no library for {binary}; is it static? {}",
        String::from_utf8_lossy(&output.stdout)
    );
    libraries
}

/// Copies `source` (following symlinks) to the same absolute path below `root`.
fn copy_into(root: &Path, source: &Path) {
    let target = root.join(source.strip_prefix("/").expect("absolute path"));
    std::fs::create_dir_all(target.parent().expect("has a parent")).unwrap();
    std::fs::copy(source, &target)
        .unwrap_or_else(|e| panic!("cannot copy {} into the image: {e}", source.display()));
}

/// Builds a `FROM scratch` image holding Caddy and the libraries it links.
pub fn build_caddy_image(tag: &str) {
    use std::os::unix::fs::PermissionsExt;
    let context = tempfile::tempdir().unwrap();
    let rootfs = context.path().join("rootfs");
    copy_into(&rootfs, Path::new(CADDY));
    for library in shared_libraries(CADDY) {
        copy_into(&rootfs, &library);
    }
    // Caddy writes its autosave and certificate storage below HOME/XDG dirs.
    let tmp = rootfs.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::write(
        context.path().join("Dockerfile"),
        "FROM scratch\n\
         COPY rootfs/ /\n\
         ENV HOME=/tmp XDG_DATA_HOME=/tmp XDG_CONFIG_HOME=/tmp\n\
         ENTRYPOINT [\"/usr/bin/caddy\"]\n\
         CMD [\"run\", \"--config\", \"/etc/caddy/Caddyfile\", \"--adapter\", \"caddyfile\"]\n",
    )
    .unwrap();
    docker_build(tag, context.path());
}

/// The host address docker published a container port on.
pub fn published_address(container: &str, port: u16) -> SocketAddr {
    let text = docker_ok(&["port", container, &format!("{port}/tcp")]);
    let first = text.lines().next().unwrap_or_default();
    first
        .parse()
        .unwrap_or_else(|e| panic!("`docker port {container} {port}` printed {text:?}: {e}"))
}

/// A plain HTTP/1.1 GET of `/`; returns the status code and the body.
pub fn http_get(address: SocketAddr) -> std::io::Result<(u16, String)> {
    http_get_path(address, "/")
}

/// A plain HTTP/1.1 GET of `path`; returns the status code and the body.
pub fn http_get_path(address: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&address, HTTP_TIMEOUT)?;
    stream.set_read_timeout(Some(HTTP_TIMEOUT))?;
    stream.set_write_timeout(Some(HTTP_TIMEOUT))?;
    stream.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| invalid(&response))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid(&response))?;
    Ok((status, body.to_string()))
}

fn invalid(response: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("not an HTTP response: {response:?}"),
    )
}

/// `docker build -q -t TAG CONTEXT`.
pub fn docker_build(tag: &str, context: &Path) {
    docker_ok(&["build", "-q", "-t", tag, &context.display().to_string()]);
}

/// Builds a `FROM scratch` image of the static test program
/// (`dockerengine/tests/live/app.c`: `serve ADDR PORT`, `exit1`, `oom`, `health`, `sleep`).
pub fn build_app_image(tag: &str) {
    let context = tempfile::tempdir().unwrap();
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../dockerengine/tests/live/app.c"
    );
    let built = Command::new("gcc")
        .args(["-static", "-O2", "-o"])
        .arg(context.path().join("app"))
        .arg(source)
        .status()
        .expect("cannot run gcc");
    assert!(built.success(), "gcc -static {source} failed");
    std::fs::write(
        context.path().join("Dockerfile"),
        "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n",
    )
    .unwrap();
    docker_build(tag, context.path());
}

/// Runs commands when dropped (last registered first), even when an
/// assertion failed; never panics (a panic while unwinding would abort).
#[derive(Default)]
pub struct Undo(pub Vec<Vec<String>>);

impl Undo {
    pub fn push(&mut self, command: &[&str]) {
        self.0.push(command.iter().map(|s| s.to_string()).collect());
    }
}

impl Drop for Undo {
    fn drop(&mut self) {
        for args in self.0.iter().rev() {
            match Command::new(&args[0]).args(&args[1..]).output() {
                Ok(o) if o.status.success() => {}
                Ok(o) => eprintln!(
                    "cleanup `{}` failed: {}",
                    args.join(" "),
                    String::from_utf8_lossy(&o.stderr)
                ),
                Err(e) => eprintln!("cleanup `{}` failed: {e}", args.join(" ")),
            }
        }
    }
}
