//! Budgets for evaluators that have none of their own.
//!
//! The Jsonnet evaluator limits only its stack: `std.range(1, 1e8)` fills
//! gigabytes and `local f(n) = f(n-1) + f(n-1); f(40)` runs for hours within
//! a shallow stack. Such work runs on its own thread while this one watches
//! the clock and the process's resident memory; past either budget the
//! caller gets [`Exceeded`] and the diagnosis goes on without the result.
//! The abandoned thread stops with the process, which ends once the report
//! is written.

use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How much time and memory a piece of work may take.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub time: Duration,
    /// Growth of the process's resident memory while the work runs.
    pub memory: u64,
}

impl Budget {
    /// For evaluating one configuration file (Jsonnet, templates): far more
    /// than any real ecspresso config needs (milliseconds, a few MiB).
    pub const CONFIG: Budget = Budget {
        time: Duration::from_secs(5),
        memory: 256 * 1024 * 1024,
    };
}

/// Which budget ran out, and how much was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exceeded {
    Time(Duration),
    Memory(u64),
}

impl std::fmt::Display for Exceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exceeded::Time(limit) => write!(
                f,
                "evaluation stopped after {} s (its time budget); look for unbounded recursion or huge ranges",
                limit.as_secs()
            ),
            Exceeded::Memory(limit) => write!(
                f,
                "evaluation stopped after using more than {} MiB (its memory budget); look for huge ranges or repeated strings",
                limit / (1024 * 1024)
            ),
        }
    }
}

/// The resident memory of this process in bytes, where the system tells it.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Runs `work` within `budget`.
pub fn run<T: Send + 'static>(
    budget: Budget,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Exceeded> {
    let (sender, receiver) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("budgeted".into())
        .spawn(move || {
            let _ = sender.send(work());
        });
    if spawned.is_err() {
        return Err(Exceeded::Time(Duration::ZERO));
    }
    let start = Instant::now();
    let baseline = resident_bytes();
    loop {
        match receiver.recv_timeout(Duration::from_millis(20)) {
            Ok(result) => return Ok(result),
            // The work panicked: the caller reports it like a time-out of nothing.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Exceeded::Time(start.elapsed()))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if start.elapsed() >= budget.time {
            return Err(Exceeded::Time(budget.time));
        }
        if let (Some(before), Some(now)) = (baseline, resident_bytes()) {
            if now.saturating_sub(before) > budget.memory {
                return Err(Exceeded::Memory(budget.memory));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_work_returns_its_result() {
        assert_eq!(run(Budget::CONFIG, || 6 * 7), Ok(42));
    }

    #[test]
    fn endless_work_is_abandoned_at_the_time_budget() {
        let budget = Budget {
            time: Duration::from_millis(200),
            memory: u64::MAX,
        };
        let start = Instant::now();
        let result = run(budget, || loop {
            std::hint::spin_loop();
        });
        assert_eq!(result, Err(Exceeded::Time(Duration::from_millis(200))));
        assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn growing_work_is_abandoned_at_the_memory_budget() {
        if resident_bytes().is_none() {
            eprintln!("skipped: no /proc/self/statm on this system");
            return;
        }
        let budget = Budget {
            time: Duration::from_secs(30),
            memory: 64 * 1024 * 1024,
        };
        let result = run(budget, || {
            let mut kept: Vec<Vec<u8>> = Vec::new();
            loop {
                // Touch every page so it is resident; stop by itself at 1 GiB.
                kept.push(vec![1u8; 1024 * 1024]);
                if kept.len() > 1024 {
                    return kept.len();
                }
            }
        });
        assert_eq!(result, Err(Exceeded::Memory(64 * 1024 * 1024)));
    }
}
