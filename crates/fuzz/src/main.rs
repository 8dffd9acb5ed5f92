//! `stackdoctor-fuzz --target NAME [--inputs N] [--time SECONDS] [--seed S]`
//! (`--target all` runs each target in turn), `--list`, and
//! `--replay FILE --target NAME` to run one saved input.

use std::process::ExitCode;
use std::time::Duration;

#[global_allocator]
static ALLOC: fuzz::LimitAlloc = fuzz::LimitAlloc;

const USAGE: &str =
    "usage: stackdoctor-fuzz --target NAME|all [--inputs N] [--time SECONDS] [--seed S]
                        [--slow-ms MS] [--hang SECONDS] [--artifacts DIR] [--progress SECONDS]
       stackdoctor-fuzz --target NAME --replay FILE
       stackdoctor-fuzz --list";

struct Args {
    target: Option<String>,
    inputs: Option<u64>,
    time: Option<f64>,
    seed: u64,
    slow_ms: u64,
    hang: u64,
    artifacts: Option<String>,
    replay: Option<String>,
    progress: Option<u64>,
    list: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        target: None,
        inputs: None,
        time: None,
        seed: 1,
        slow_ms: 1000,
        hang: 10,
        artifacts: None,
        replay: None,
        progress: None,
        list: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        let number = |v: String, name: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("{name}: not a number: {v}"))
        };
        match arg.as_str() {
            "--target" => args.target = Some(value("--target")?),
            "--inputs" => args.inputs = Some(number(value("--inputs")?, "--inputs")?),
            "--time" => {
                let v = value("--time")?;
                args.time = Some(
                    v.parse()
                        .map_err(|_| format!("--time: not a number: {v}"))?,
                )
            }
            "--seed" => args.seed = number(value("--seed")?, "--seed")?,
            "--slow-ms" => args.slow_ms = number(value("--slow-ms")?, "--slow-ms")?,
            "--hang" => args.hang = number(value("--hang")?, "--hang")?,
            "--artifacts" => args.artifacts = Some(value("--artifacts")?),
            "--replay" => args.replay = Some(value("--replay")?),
            "--progress" => args.progress = Some(number(value("--progress")?, "--progress")?),
            "--list" => args.list = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    if args.list {
        for t in fuzz::TARGETS {
            println!("{:<20} {}", t.name, t.about);
        }
        return ExitCode::SUCCESS;
    }
    let Some(name) = args.target.as_deref() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let targets: Vec<&'static fuzz::Target> = if name == "all" {
        fuzz::TARGETS.iter().collect()
    } else {
        match fuzz::find(name) {
            Some(t) => vec![t],
            None => {
                eprintln!("unknown target {name}; --list shows them");
                return ExitCode::from(2);
            }
        }
    };
    if let Some(file) = &args.replay {
        let input = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{file}: {e}");
                return ExitCode::from(2);
            }
        };
        return match fuzz::replay(targets[0], &input) {
            Ok(took) => {
                println!(
                    "{}: ran in {} ms without a panic",
                    targets[0].name,
                    took.as_millis()
                );
                ExitCode::SUCCESS
            }
            Err(note) => {
                println!("{}: {note}", targets[0].name);
                ExitCode::FAILURE
            }
        };
    }
    if args.inputs.is_none() && args.time.is_none() {
        eprintln!("give --inputs or --time\n{USAGE}");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for target in targets {
        let mut config = fuzz::Config::new(target);
        config.inputs = args.inputs;
        config.time = args.time.map(Duration::from_secs_f64);
        config.seed = args.seed;
        config.slow = Duration::from_millis(args.slow_ms);
        config.hang = Duration::from_secs(args.hang.max(1));
        config.progress = args.progress.map(Duration::from_secs);
        if let Some(dir) = &args.artifacts {
            config.artifacts = dir.into();
        }
        let report = fuzz::run(&config);
        println!("{}", report.summary());
        for finding in &report.findings {
            println!("  {finding}");
        }
        failed |= !report.passed();
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
