//! Writes deterministic, realistic mixed container logs (`docker compose logs` style).
//!
//! `cargo run --release -p logscan --example gen_logs -- SIZE_MB OUT_PATH [SEED]`
//!
//! Services: caddy (JSON access and error entries), web (gunicorn + Django), db
//! (postgres), api (node), worker (Python + AWS SDK). About 0.1% of the lines are
//! known errors; a few are Python tracebacks and Node stack traces. The same seed
//! gives the same bytes.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};

/// SplitMix64: tiny, fast, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

fn civil(ms: i64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        m,
        d,
        (sod / 3600) as u32,
        (sod % 3600 / 60) as u32,
        (sod % 60) as u32,
        ms.rem_euclid(1000) as u32,
    )
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const PATHS: [&str; 8] = [
    "/",
    "/api/items",
    "/api/items/42",
    "/api/users/me",
    "/static/app.js",
    "/health",
    "/api/orders",
    "/login",
];
const METHODS: [&str; 4] = ["GET", "GET", "POST", "PUT"];
const STATUSES: [u32; 6] = [200, 200, 200, 304, 201, 404];

struct Gen {
    rng: Rng,
    ms: i64,
    out: String,
    lines: u64,
    errors: u64,
}

impl Gen {
    fn iso(&self) -> String {
        let (y, mo, d, h, mi, s, ms) = civil(self.ms);
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
    }
    fn py(&self) -> String {
        let (y, mo, d, h, mi, s, ms) = civil(self.ms);
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02},{ms:03}")
    }
    fn gunicorn(&self) -> String {
        let (y, mo, d, h, mi, s, _) = civil(self.ms);
        format!("[{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} +0000]")
    }
    fn clf(&self) -> String {
        let (y, mo, d, h, mi, s, _) = civil(self.ms);
        format!(
            "[{d:02}/{}/{y:04}:{h:02}:{mi:02}:{s:02} +0000]",
            MONTHS[mo as usize - 1]
        )
    }
    fn pg(&self) -> String {
        let (y, mo, d, h, mi, s, ms) = civil(self.ms);
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{ms:03} UTC")
    }
    fn ts(&self) -> String {
        format!("{}.{:03}", self.ms / 1000, self.ms % 1000)
    }
    fn line(&mut self, prefix: &str, text: &str) {
        self.out.push_str(prefix);
        self.out.push_str(text);
        self.out.push('\n');
        self.lines += 1;
    }

    fn normal(&mut self) {
        let r = self.rng.below(100);
        let ip = format!("172.18.0.{}", 2 + self.rng.below(8));
        let path = *self.rng.pick(&PATHS);
        let method = *self.rng.pick(&METHODS);
        let status = *self.rng.pick(&STATUSES);
        let dur = self.rng.below(90_000);
        let size = self.rng.below(20_000);
        if r < 35 {
            let t = format!(
                "{{\"level\":\"info\",\"ts\":{},\"logger\":\"http.log.access.log0\",\"msg\":\"handled request\",\"request\":{{\"remote_ip\":\"{ip}\",\"remote_port\":\"{}\",\"client_ip\":\"{ip}\",\"proto\":\"HTTP/1.1\",\"method\":\"{method}\",\"host\":\"example.com\",\"uri\":\"{path}\",\"headers\":{{\"User-Agent\":[\"Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0\"],\"Accept\":[\"*/*\"],\"Accept-Encoding\":[\"gzip, deflate, br\"]}}}},\"bytes_read\":0,\"user_id\":\"\",\"duration\":0.{dur:06},\"size\":{size},\"status\":{status},\"resp_headers\":{{\"Server\":[\"Caddy\"],\"Content-Type\":[\"application/json\"]}}}}",
                self.ts(),
                30_000 + self.rng.below(30_000)
            );
            self.line("caddy-1   | ", &t);
        } else if r < 55 {
            let t = format!(
                "{ip} - - {} \"{method} {path} HTTP/1.1\" {status} {size} \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\"",
                self.clf()
            );
            self.line("web-1     | ", &t);
        } else if r < 62 {
            let t = format!(
                "{} [{}] [INFO] Handling signal: winch",
                self.gunicorn(),
                1 + self.rng.below(9)
            );
            self.line("web-1     | ", &t);
        } else if r < 70 {
            let t = format!(
                "INFO {} views request handled user={} path={path} took={}ms",
                self.py(),
                self.rng.below(5000),
                dur / 1000
            );
            self.line("web-1     | ", &t);
        } else if r < 78 {
            let t = match self.rng.below(3) {
                0 => format!("{} [{}] LOG:  checkpoint starting: time", self.pg(), 60 + self.rng.below(20)),
                1 => format!(
                    "{} [{}] LOG:  checkpoint complete: wrote {} buffers (0.1%); 0 WAL file(s) added, 0 removed, 0 recycled; write={}.{:03} s, sync=0.002 s, total={}.{:03} s",
                    self.pg(),
                    60 + self.rng.below(20),
                    self.rng.below(300),
                    self.rng.below(30),
                    self.rng.below(1000),
                    self.rng.below(30),
                    self.rng.below(1000)
                ),
                _ => format!("{} [{}] LOG:  automatic vacuum of table \"app.public.items\": index scans: 1", self.pg(), 60 + self.rng.below(20)),
            };
            self.line("db-1      | ", &t);
        } else if r < 90 {
            let t = format!(
                "{} info: {method} {path} {status} {}ms - {size}",
                self.iso(),
                dur / 1000
            );
            self.line("api-1     | ", &t);
        } else {
            let t = match self.rng.below(3) {
                0 => format!(
                    "{} INFO botocore.credentials Found credentials in environment variables.",
                    self.py()
                ),
                1 => format!(
                    "{} INFO tasks Processed job {} in 0.{:03}s",
                    self.py(),
                    self.rng.below(1_000_000),
                    self.rng.below(1000)
                ),
                _ => format!(
                    "{} WARNING tasks Retrying job {} (attempt {}/5)",
                    self.py(),
                    self.rng.below(1_000_000),
                    1 + self.rng.below(4)
                ),
            };
            self.line("worker-1  | ", &t);
        }
    }

    fn error(&mut self) {
        self.errors += 1;
        let ip = format!("172.18.0.{}", 2 + self.rng.below(8));
        match self.rng.below(12) {
            0 => {
                let t = format!("{{\"level\":\"error\",\"ts\":{},\"logger\":\"http.log.error\",\"msg\":\"dial tcp {ip}:8000: connect: connection refused\",\"request\":{{\"remote_ip\":\"172.18.0.1\",\"proto\":\"HTTP/1.1\",\"method\":\"GET\",\"host\":\"example.com\",\"uri\":\"/api/items\"}},\"duration\":0.0012,\"status\":502}}", self.ts());
                self.line("caddy-1   | ", &t);
            }
            1 => {
                let t = format!("{{\"level\":\"error\",\"ts\":{},\"logger\":\"http.log.error\",\"msg\":\"dial tcp: lookup web on 127.0.0.11:53: no such host\",\"request\":{{\"method\":\"GET\",\"host\":\"example.com\",\"uri\":\"/\"}},\"duration\":0.0023,\"status\":502}}", self.ts());
                self.line("caddy-1   | ", &t);
            }
            2 => {
                let t = format!(
                    "{} [{}] FATAL:  password authentication failed for user \"app\"",
                    self.pg(),
                    100 + self.rng.below(50)
                );
                self.line("db-1      | ", &t);
                let t = format!("{} [{}] DETAIL:  Connection matched pg_hba.conf line 100: \"host all all all scram-sha-256\"", self.pg(), 100 + self.rng.below(50));
                self.line("db-1      | ", &t);
            }
            3 => {
                let t = format!(
                    "{} [{}] FATAL:  database \"app\" does not exist",
                    self.pg(),
                    100 + self.rng.below(50)
                );
                self.line("db-1      | ", &t);
            }
            4 => {
                let t = format!(
                    "{} ERROR django.request Internal Server Error: /api/items",
                    self.py()
                );
                self.line("web-1     | ", &t);
                let tb = [
                    "Traceback (most recent call last):",
                    "  File \"/usr/local/lib/python3.12/site-packages/django/db/backends/base/base.py\", line 275, in ensure_connection",
                    "    self.connect()",
                    "  File \"/usr/local/lib/python3.12/site-packages/psycopg2/__init__.py\", line 122, in connect",
                    "    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)",
                    "django.db.utils.OperationalError: could not connect to server: Connection refused",
                ];
                for l in tb {
                    self.line("web-1     | ", l);
                }
            }
            5 => {
                let t = format!(
                    "{} [{}] [ERROR] Exception in worker process",
                    self.gunicorn(),
                    7 + self.rng.below(3)
                );
                self.line("web-1     | ", &t);
                for l in [
                    "Traceback (most recent call last):",
                    "  File \"/usr/local/lib/python3.12/site-packages/gunicorn/arbiter.py\", line 609, in spawn_worker",
                    "    worker.init_process()",
                    "ModuleNotFoundError: No module named 'app.wsgi'",
                ] {
                    self.line("web-1     | ", l);
                }
                let t = format!(
                    "{} [{}] [INFO] Reason: Worker failed to boot.",
                    self.gunicorn(),
                    1
                );
                self.line("web-1     | ", &t);
            }
            6 => {
                let t = format!(
                    "{} error: Error: connect ECONNREFUSED {ip}:5432",
                    self.iso()
                );
                self.line("api-1     | ", &t);
                self.line(
                    "api-1     | ",
                    "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)",
                );
            }
            7 => {
                let t = format!("{} error: getaddrinfo ENOTFOUND redis", self.iso());
                self.line("api-1     | ", &t);
            }
            8 => {
                let t = format!("{} ERROR tasks Job failed", self.py());
                self.line("worker-1  | ", &t);
                for l in [
                    "Traceback (most recent call last):",
                    "  File \"/app/tasks.py\", line 88, in upload",
                    "    s3.put_object(Bucket=bucket, Key=key, Body=body)",
                    "  File \"/usr/local/lib/python3.12/site-packages/botocore/client.py\", line 1023, in _make_api_call",
                    "    raise error_class(parsed_response, operation_name)",
                    "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject operation: Access Denied",
                ] {
                    self.line("worker-1  | ", l);
                }
            }
            9 => {
                let t = format!("{} ERROR botocore.credentials botocore.exceptions.NoCredentialsError: Unable to locate credentials", self.py());
                self.line("worker-1  | ", &t);
            }
            10 => {
                // not covered by any pattern: an unrecognised error
                let t = format!(
                    "{} ERROR tasks Unexpected state for job {}: stuck in QUEUED",
                    self.py(),
                    self.rng.below(100_000)
                );
                self.line("worker-1  | ", &t);
            }
            _ => {
                let t = format!(
                    "{} [{}] [CRITICAL] WORKER TIMEOUT (pid:{})",
                    self.gunicorn(),
                    1,
                    7 + self.rng.below(3)
                );
                self.line("web-1     | ", &t);
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: gen_logs SIZE_MB OUT_PATH [SEED]");
        std::process::exit(2);
    }
    let size_mb: u64 = args[1].parse().expect("SIZE_MB must be a number");
    let seed: u64 = args
        .get(3)
        .map_or(42, |s| s.parse().expect("SEED must be a number"));
    let target = size_mb << 20;
    let file = std::fs::File::create(&args[2]).expect("cannot create OUT_PATH");
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut g = Gen {
        rng: Rng(seed),
        ms: 1_795_251_600_000,
        out: String::with_capacity(1 << 20),
        lines: 0,
        errors: 0,
    };
    let mut written = 0u64;
    while written < target {
        for _ in 0..1000 {
            g.ms += 1 + g.rng.below(40) as i64;
            if g.rng.below(1000) == 0 {
                g.error();
            } else {
                g.normal();
            }
        }
        // never exceed the target by more than one batch; cut at a line end
        let room = (target - written) as usize;
        if g.out.len() > room {
            let cut = g.out[..room].rfind('\n').map_or(0, |i| i + 1);
            g.out.truncate(cut);
            if cut == 0 {
                break;
            }
        }
        w.write_all(g.out.as_bytes()).expect("write failed");
        written += g.out.len() as u64;
        g.out.clear();
        if written >= target {
            break;
        }
    }
    w.flush().expect("write failed");
    let mut summary = String::new();
    let _ = write!(
        summary,
        "wrote {written} bytes, about {} lines, {} injected errors",
        g.lines, g.errors
    );
    eprintln!("{summary}");
}
