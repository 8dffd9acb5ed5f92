//! The fuzz loop: a worker thread runs one input after another (panics
//! caught), the calling thread watches the clock, and the allocator stops
//! the process on a huge allocation. Every failure leaves its input in the
//! artifacts folder, named after a hash of its bytes.

use crate::mutate::Mutator;
use crate::targets::Target;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// What to run and for how long.
#[derive(Debug, Clone)]
pub struct Config {
    pub target: &'static Target,
    /// Stop after this many inputs (seeds included).
    pub inputs: Option<u64>,
    /// Stop after this long.
    pub time: Option<Duration>,
    pub seed: u64,
    /// An input slower than this is reported and saved.
    pub slow: Duration,
    /// An input still running after this long ends the run (it may never return).
    pub hang: Duration,
    /// Where reproducers go: `<artifacts>/<target>/`.
    pub artifacts: PathBuf,
    /// Print a progress line every this many seconds (None: quiet).
    pub progress: Option<Duration>,
}

impl Config {
    pub fn new(target: &'static Target) -> Config {
        Config {
            target,
            inputs: None,
            time: None,
            seed: 1,
            slow: Duration::from_secs(1),
            hang: Duration::from_secs(10),
            artifacts: Path::new(env!("CARGO_MANIFEST_DIR")).join("crashes"),
            progress: None,
        }
    }
}

/// The outcome of a run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub target: String,
    pub seeds: usize,
    pub inputs: u64,
    pub elapsed: Duration,
    pub crashes: u64,
    pub slow: u64,
    /// Inputs slow once but not when run again (the machine was busy).
    pub unconfirmed_slow: u64,
    /// The longest an input took (its fastest time when re-timed).
    pub slowest: Duration,
    /// Highest live heap seen during the run (whole process).
    pub peak_bytes: usize,
    /// Reproducers written (crashes and slow inputs).
    pub saved: Vec<PathBuf>,
    /// One line per distinct panic location.
    pub findings: Vec<String>,
}

impl Report {
    pub fn execs_per_second(&self) -> f64 {
        self.inputs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn passed(&self) -> bool {
        self.crashes == 0 && self.slow == 0
    }

    pub fn summary(&self) -> String {
        format!(
            "{}: inputs run {}, {:.0} execs/s, {:.1} s, crashes {}, slow inputs {} (+{} not slow again), slowest {} ms, peak heap {} MiB, seeds {}",
            self.target,
            self.inputs,
            self.execs_per_second(),
            self.elapsed.as_secs_f64(),
            self.crashes,
            self.slow,
            self.unconfirmed_slow,
            self.slowest.as_millis(),
            self.peak_bytes >> 20,
            self.seeds,
        )
    }
}

/// The input being run, for the allocator and the watchdog.
struct Current {
    target: String,
    dir: PathBuf,
    input: Vec<u8>,
}

static CURRENT: Mutex<Option<Current>> = Mutex::new(None);
static PANIC_NOTE: Mutex<Option<String>> = Mutex::new(None);
const WORKER_NAME: &str = "fuzz-worker";

fn install_panic_hook() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some(WORKER_NAME) {
                let location = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                if let Ok(mut note) = PANIC_NOTE.lock() {
                    *note = Some(format!("panicked at {location}: {message}"));
                }
            } else {
                default(info);
            }
        }));
    });
}

/// FNV-1a, for reproducer names.
fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Writes `input` as `<dir>/<kind>-<hash>` and returns the path.
pub fn save(dir: &Path, kind: &str, input: &[u8]) -> Option<PathBuf> {
    std::fs::create_dir_all(dir).ok()?;
    let path = dir.join(format!("{kind}-{:016x}", hash(input)));
    std::fs::write(&path, input).ok()?;
    Some(path)
}

/// Called by the allocator (once) when an allocation goes over the limit.
pub(crate) fn allocation_limit_hit(size: usize, live: usize) -> ! {
    let saved = CURRENT.try_lock().ok().and_then(|c| {
        c.as_ref()
            .and_then(|c| save(&c.dir, "oom", &c.input).map(|p| (c.target.clone(), p)))
    });
    match saved {
        Some((target, path)) => eprintln!(
            "{target}: allocation of {size} bytes with {live} bytes live is over the {} MiB limit; input saved to {}",
            crate::alloc::ALLOCATION_LIMIT >> 20,
            path.display()
        ),
        None => eprintln!(
            "allocation of {size} bytes with {live} bytes live is over the {} MiB limit (no input being run)",
            crate::alloc::ALLOCATION_LIMIT >> 20
        ),
    }
    std::process::abort()
}

/// Where the input being run is kept: a memory file system when there is
/// one (`/dev/shm`), since it is rewritten for every input (on ext4 that
/// cost more than most targets), else the temp folder.
pub(crate) fn memory_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    let writable =
        shm.is_dir() && std::fs::metadata(shm).is_ok_and(|m| !m.permissions().readonly());
    if writable {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// Runs inputs against the target until the input count or the time is used up.
pub fn run(config: &Config) -> Report {
    install_panic_hook();
    let target = config.target;
    let dir = config.artifacts.join(target.name);
    let seeds = target.seeds();
    let seed_count = seeds.len();
    let mut mutator = Mutator::new(seeds, target.dictionary, target.max_len, config.seed);

    let stop = Arc::new(AtomicBool::new(false));
    // Start time (ns since `epoch`) of the input being run, 0 when none.
    let started = Arc::new(AtomicU64::new(0));
    let epoch = Instant::now();
    // Stack overflows and aborts cannot be caught: the input being run is
    // also kept in a file, which survives them.
    let current_path = memory_dir().join(format!(
        "stackdoctor-fuzz-{}-{}.current",
        target.name,
        std::process::id()
    ));
    let current_file = File::create(&current_path).ok();
    if config.progress.is_some() {
        eprintln!(
            "{}: {} seeds; the input being run is kept in {} (read it after a stack overflow)",
            target.name,
            seed_count,
            current_path.display()
        );
    }

    let worker = {
        let stop = stop.clone();
        let started = started.clone();
        let dir = dir.clone();
        let limit = config.inputs.unwrap_or(u64::MAX);
        let slow = config.slow;
        let name = target.name.to_string();
        std::thread::Builder::new()
            .name(WORKER_NAME.into())
            .stack_size(target.stack)
            .spawn(move || {
                let mut report = Report {
                    target: name.clone(),
                    seeds: seed_count,
                    ..Report::default()
                };
                let mut harness = target.harness();
                let mut seen_panics = std::collections::BTreeSet::new();
                let mut index = 0u64;
                while index < limit && !stop.load(Ordering::Relaxed) {
                    let input = mutator.next_input(index);
                    index += 1;
                    if let Ok(mut current) = CURRENT.lock() {
                        match current.as_mut() {
                            Some(c) => {
                                c.input.clear();
                                c.input.extend_from_slice(&input);
                            }
                            None => {
                                *current = Some(Current {
                                    target: name.clone(),
                                    dir: dir.clone(),
                                    input: input.clone(),
                                })
                            }
                        }
                    }
                    if let Some(f) = &current_file {
                        let _ = f.set_len(0);
                        let _ = f.write_at(&input, 0);
                    }
                    let t0 = Instant::now();
                    started.store((t0 - epoch).as_nanos().max(1) as u64, Ordering::SeqCst);
                    let outcome = catch_unwind(AssertUnwindSafe(|| harness.run(&input)));
                    let took = t0.elapsed();
                    started.store(0, Ordering::SeqCst);
                    report.inputs += 1;
                    if took > slow && outcome.is_ok() {
                        // On a shared, loaded machine a niced run can be starved of
                        // the CPU: an input counts as slow only when it is slow again.
                        let retimed = (0..2)
                            .map(|_| {
                                let t = Instant::now();
                                started
                                    .store((t - epoch).as_nanos().max(1) as u64, Ordering::SeqCst);
                                let _ = catch_unwind(AssertUnwindSafe(|| harness.run(&input)));
                                started.store(0, Ordering::SeqCst);
                                t.elapsed()
                            })
                            .min()
                            .unwrap_or(took);
                        report.slowest = report.slowest.max(retimed);
                        if retimed > slow {
                            report.slow += 1;
                            if let Some(p) = save(&dir, "slow", &input) {
                                eprintln!(
                                    "{name}: input took {} ms (again {} ms): {}",
                                    took.as_millis(),
                                    retimed.as_millis(),
                                    p.display()
                                );
                                report.findings.push(format!(
                                    "slow: {} ms ({})",
                                    retimed.as_millis(),
                                    p.display()
                                ));
                                report.saved.push(p);
                            }
                        } else {
                            report.unconfirmed_slow += 1;
                            let _ = std::fs::remove_file(
                                dir.join(format!("slow-{:016x}", hash(&input))),
                            );
                            eprintln!(
                                "{name}: input took {} ms once, {} ms when run again: not counted",
                                took.as_millis(),
                                retimed.as_millis()
                            );
                        }
                    } else {
                        report.slowest = report.slowest.max(took);
                    }
                    if outcome.is_err() {
                        report.crashes += 1;
                        let note = PANIC_NOTE
                            .lock()
                            .ok()
                            .and_then(|mut n| n.take())
                            .unwrap_or_else(|| "panicked".into());
                        let location = note.split(": ").next().unwrap_or("").to_string();
                        if seen_panics.insert(location) {
                            if let Some(p) = save(&dir, "crash", &input) {
                                eprintln!("{name}: {note}\n  input saved to {}", p.display());
                                report.findings.push(format!("{note} ({})", p.display()));
                                report.saved.push(p);
                            }
                        }
                        // The harness may hold state a panic left half-done.
                        harness = target.harness();
                    }
                }
                report
            })
            .expect("spawn the fuzz worker")
    };

    crate::alloc::reset_peak();
    let mut last_progress = Instant::now();
    let mut reported_slow_at = 0u64;
    while !worker.is_finished() {
        std::thread::sleep(Duration::from_millis(20));
        let now = epoch.elapsed();
        if config.time.is_some_and(|t| now >= t) {
            stop.store(true, Ordering::Relaxed);
        }
        let start = started.load(Ordering::SeqCst);
        if start != 0 {
            let running = now.saturating_sub(Duration::from_nanos(start));
            if running > config.slow && reported_slow_at != start {
                reported_slow_at = start;
                let input = CURRENT
                    .lock()
                    .ok()
                    .and_then(|c| c.as_ref().map(|c| c.input.clone()));
                if let Some(p) = input.and_then(|i| save(&dir, "slow", &i)) {
                    eprintln!(
                        "{}: input running for over {} ms: {}",
                        target.name,
                        config.slow.as_millis(),
                        p.display()
                    );
                }
            }
            if running > config.hang {
                let input = CURRENT
                    .lock()
                    .ok()
                    .and_then(|c| c.as_ref().map(|c| c.input.clone()));
                let saved = input.and_then(|i| save(&dir, "hang", &i));
                eprintln!(
                    "{}: input still running after {} s, stopping; input saved to {}",
                    target.name,
                    config.hang.as_secs(),
                    saved.map_or("(not saved)".into(), |p| p.display().to_string())
                );
                let _ = std::fs::remove_file(&current_path);
                std::process::exit(3);
            }
        }
        if let Some(every) = config.progress {
            if last_progress.elapsed() >= every {
                last_progress = Instant::now();
                eprintln!(
                    "{}: {:.0} s, heap {} MiB",
                    target.name,
                    now.as_secs_f64(),
                    crate::alloc::live_bytes() >> 20
                );
            }
        }
    }
    let mut report = worker.join().unwrap_or_default();
    report.elapsed = epoch.elapsed();
    report.peak_bytes = crate::alloc::peak_bytes();
    if let Ok(mut current) = CURRENT.lock() {
        *current = None;
    }
    let _ = std::fs::remove_file(&current_path);
    report
}

/// Runs one saved input (a reproducer) and says what happened.
pub fn replay(target: &'static Target, input: &[u8]) -> Result<Duration, String> {
    install_panic_hook();
    let input = input.to_vec();
    let worker = std::thread::Builder::new()
        .name(WORKER_NAME.into())
        .stack_size(target.stack)
        .spawn(move || {
            if let Ok(mut current) = CURRENT.lock() {
                *current = Some(Current {
                    target: target.name.to_string(),
                    dir: std::env::temp_dir(),
                    input: input.clone(),
                });
            }
            let mut harness = target.harness();
            let t0 = Instant::now();
            catch_unwind(AssertUnwindSafe(|| harness.run(&input)))
                .map(|_| t0.elapsed())
                .map_err(|_| {
                    PANIC_NOTE
                        .lock()
                        .ok()
                        .and_then(|mut n| n.take())
                        .unwrap_or_else(|| "panicked".into())
                })
        })
        .map_err(|e| e.to_string())?;
    worker.join().map_err(|_| "the worker died".to_string())?
}
