//! A real moto server for tests (`pip install 'moto[server]'`), started on a
//! free loopback port and killed on drop. Only with the `testing` feature.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server; killed when dropped.
pub struct Moto {
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    child: Child,
}

/// What to do when moto is missing.
pub const MOTO_HINT: &str = "moto server not found: install it with `pip install 'moto[server]'` \
     (or set STACKDOCTOR_SKIP_MOTO=1 to skip the moto tests)";

impl Moto {
    /// A client that sends every service's calls to this server, in `region`,
    /// with moto's fixed test credentials and no proxy.
    pub fn client(&self, region: &str) -> crate::Client {
        crate::ClientConfig::new()
            .environment(crate::Environment::from_vars(Vec::<(String, String)>::new()))
            .region(region)
            .credentials(crate::Credentials::new("AKIATESTMOTO0000", "testing", None))
            .endpoint_url(&self.url)
            .use_env_proxy(false)
            .build()
            .expect("a client for a local moto server")
    }

    /// Starts moto, or returns `None` (after saying so) when it is missing and
    /// `STACKDOCTOR_SKIP_MOTO=1`; panics with install instructions otherwise.
    pub fn start() -> Option<Moto> {
        let skip = std::env::var("STACKDOCTOR_SKIP_MOTO").is_ok_and(|v| v == "1");
        let Some(mut cmd) = moto_command() else {
            if skip {
                eprintln!("skipping: {MOTO_HINT}");
                return None;
            }
            panic!("{MOTO_HINT}");
        };
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = cmd
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto ({e}); {MOTO_HINT}"));
        let mut moto = Moto {
            url: format!("http://127.0.0.1:{port}"),
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!("moto server exited with {status}; {MOTO_HINT}");
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(moto);
            }
            if Instant::now() > deadline {
                panic!("moto server did not listen on port {port} within 60 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `moto_server` on PATH, else `python3 -m moto.server` when that imports.
fn moto_command() -> Option<Command> {
    let on_path = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join("moto_server").is_file()));
    if on_path {
        // pyenv shims exist for every installed version; check it runs.
        let ok = Command::new("moto_server")
            .arg("--help")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(Command::new("moto_server"));
        }
    }
    for py in ["python3", "python"] {
        let ok = Command::new(py)
            .args(["-c", "import moto.server, flask, flask_cors"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let mut c = Command::new(py);
            c.args(["-m", "moto.server"]);
            return Some(c);
        }
    }
    None
}
