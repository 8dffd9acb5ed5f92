//! Live probes: HTTP endpoints of the app and the EC2 instance metadata service.
//!
//! Static checks say what the files mean; these probes ask the running
//! services what they do: whether IMDS hands a token and role credentials to
//! a container ([`imds`]), and what the app answers on `/`, `/health` and,
//! only when asked, `POST /api/chat` ([`app`]). The HTTP client ([`http`])
//! runs on std's TCP, with rustls ([`tls`]) for `https://`, and reports which
//! phase failed (name lookup, connect, TLS handshake, response).
//!
//! # Deadline
//!
//! [`run`] takes ONE deadline, `start + timeout × 1.1`, and never waits past
//! it (a few milliseconds of thread joins aside), whatever the servers do:
//!
//! - every probe (IMDS and each request to each app) runs on its own thread,
//!   all at once, so their times do not add up;
//! - every request gets a deadline, not a timeout: name lookup (on a helper
//!   thread, abandoned when late), connect, the TLS handshake, write and each read get only what
//!   is left of it, so a server that trickles one byte at a time cannot
//!   stretch a request;
//! - app requests and the first two IMDS requests (token PUT, IMDSv1 GET) end
//!   by `start + timeout`; IMDS follow-ups (role credentials, `iam/info`,
//!   region), which need the first answers, end by `start + timeout × 1.1`;
//! - bodies are capped ([`ProbePlan::body_cap`]; IMDS documents at 16 KiB):
//!   the first bytes are kept and reading stops.

pub mod api;
pub mod app;
pub mod http;
pub mod imds;
pub mod tls;

use app::{AppOptions, AppPaths, AppProbe};
use imds::ImdsReport;
use serde::Serialize;
use std::thread;
use std::time::{Duration, Instant};

/// What to probe.
#[derive(Debug, Clone)]
pub struct ProbePlan {
    /// IMDS endpoint (see [`imds::imds_endpoint`]), or `None` to skip IMDS.
    pub imds: Option<String>,
    /// Base URLs of the app (`http://localhost:8000`).
    pub apps: Vec<String>,
    /// Also `POST` a one-word chat message (it may invoke a paid model).
    pub probe_chat: bool,
    /// The time budget; the whole run ends by `timeout × 1.1`.
    pub timeout: Duration,
    /// Body bytes kept per app response.
    pub body_cap: usize,
    /// The app paths probed (`/`, `/health`, `/api/chat` by default).
    pub app_paths: AppPaths,
    /// Show a progress line on standard error once the probes take longer
    /// than [`PROGRESS_AFTER`] (the caller decides: only on a terminal).
    pub progress: bool,
    /// API conformance requests ([`api`]), sent with the other probes.
    pub api: Vec<api::ApiRequest>,
}

/// How long probes run before the progress line appears.
pub const PROGRESS_AFTER: Duration = Duration::from_millis(500);

impl Default for ProbePlan {
    fn default() -> Self {
        ProbePlan {
            imds: None,
            apps: Vec::new(),
            probe_chat: false,
            timeout: Duration::from_secs(3),
            body_cap: app::DEFAULT_BODY_CAP,
            app_paths: AppPaths::default(),
            progress: false,
            api: Vec::new(),
        }
    }
}

/// The probes of one app base URL.
#[derive(Debug, Clone, Serialize)]
pub struct AppReport {
    /// The base URL as given.
    pub base: String,
    /// One per endpoint, in the order root, health, chat.
    pub probes: Vec<AppProbe>,
}

/// Everything the live probes saw.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LiveReport {
    /// The metadata service, when probed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imds: Option<ImdsReport>,
    /// Each app, in the plan's order.
    pub apps: Vec<AppReport>,
    /// The API conformance answers, in the plan's order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api: Vec<api::ApiAnswer>,
    /// The plan's timeout.
    pub timeout_ms: u64,
    /// Wall time of the whole run (at most about `timeout_ms × 1.1`).
    pub elapsed_ms: u64,
}

/// `probing 2 endpoint(s)… 1.2 s of at most 2.2 s` on standard error, redrawn
/// every 100 ms from [`PROGRESS_AFTER`] on until `finished`, then erased.
fn progress_line(
    count: usize,
    start: Instant,
    timeout: Duration,
    finished: &std::sync::atomic::AtomicBool,
) {
    use std::io::Write;
    let done = || finished.load(std::sync::atomic::Ordering::Acquire);
    let mut shown = false;
    while !done() {
        thread::sleep(Duration::from_millis(20));
        let elapsed = start.elapsed();
        if elapsed < PROGRESS_AFTER || done() {
            continue;
        }
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\r\x1b[Kprobing {count} endpoint(s)… {:.1} s of at most {:.1} s",
            elapsed.as_secs_f64(),
            timeout.as_secs_f64() * 1.1
        );
        let _ = stderr.flush();
        shown = true;
        drop(stderr);
        thread::sleep(Duration::from_millis(80));
    }
    if shown {
        let _ = write!(std::io::stderr(), "\r\x1b[K");
    }
}

/// Runs every probe of `plan` at once; returns by `start + timeout × 1.1`.
pub fn run(plan: &ProbePlan) -> LiveReport {
    let start = Instant::now();
    let (first, last) = deadlines(start, plan.timeout);
    let opts = AppOptions {
        paths: plan.app_paths.clone(),
        probe_chat: plan.probe_chat,
        timeout: plan.timeout,
        body_cap: plan.body_cap,
    };
    let finished = std::sync::atomic::AtomicBool::new(false);
    let (imds, apps, api) = thread::scope(|scope| {
        if plan.progress {
            let count = usize::from(plan.imds.is_some()) + plan.apps.len() + plan.api.len();
            let finished = &finished;
            scope.spawn(move || progress_line(count, start, plan.timeout, finished));
        }
        let imds = plan.imds.as_deref().map(|endpoint| {
            (
                endpoint,
                scope.spawn(move || imds::probe_imds_until(endpoint, start, first, last)),
            )
        });
        let apps: Vec<_> = plan
            .apps
            .iter()
            .map(|base| {
                let opts = &opts;
                (
                    base,
                    scope.spawn(move || app::probe_app_until(base, opts, first)),
                )
            })
            .collect();
        let api = (!plan.api.is_empty())
            .then(|| scope.spawn(move || api::send_all(&plan.api, first, plan.body_cap)));
        let imds = imds.map(|(endpoint, handle)| {
            handle
                .join()
                .unwrap_or_else(|_| imds::probe_imds_until(endpoint, start, start, start))
        });
        let apps = apps
            .into_iter()
            .map(|(base, handle)| AppReport {
                base: base.clone(),
                probes: handle.join().unwrap_or_default(),
            })
            .collect();
        let api = api
            .map(|handle| handle.join().unwrap_or_default())
            .unwrap_or_default();
        finished.store(true, std::sync::atomic::Ordering::Release);
        (imds, apps, api)
    });
    LiveReport {
        imds,
        apps,
        api,
        timeout_ms: millis(plan.timeout),
        elapsed_ms: millis(start.elapsed()),
    }
}

/// Longest timeout honoured; longer ones are cut so deadlines cannot overflow.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// The two deadlines of a run started at `start`: `timeout` and `timeout × 1.1`.
pub(crate) fn deadlines(start: Instant, timeout: Duration) -> (Instant, Instant) {
    let timeout = timeout.min(MAX_TIMEOUT);
    (start + timeout, start + timeout + timeout / 10)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_timeouts_do_not_overflow() {
        let start = Instant::now();
        let (first, last) = deadlines(start, Duration::MAX);
        assert_eq!(first - start, MAX_TIMEOUT);
        assert!(last > first);
        let (first, last) = deadlines(start, Duration::ZERO);
        assert_eq!((first, last), (start, start));
    }

    #[test]
    fn an_empty_plan_returns_at_once() {
        let report = run(&ProbePlan::default());
        assert!(report.imds.is_none() && report.apps.is_empty());
        assert!(report.elapsed_ms < 100, "{}", report.elapsed_ms);
        assert_eq!(report.timeout_ms, 3000);
    }

    #[test]
    fn the_report_serializes() {
        let plan = ProbePlan {
            imds: Some("http://[".to_string()),
            apps: vec!["ftp://x".to_string()],
            ..ProbePlan::default()
        };
        let report = run(&plan);
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(json["imds"]["verdict"], "not_reachable");
        assert_eq!(json["apps"][0]["probes"][0]["outcome"]["kind"], "failed");
        assert_eq!(
            json["apps"][0]["probes"][0]["outcome"]["error"]["kind"],
            "unsupported"
        );
    }
}
