//! Scans paths (or stdin, `-`) for the patterns of a ripgrep `-f` style file and
//! prints how many events each pattern had, plus the stats.
//!
//! `cargo run --release -p logscan --example scan -- [--threads N] [--events] PATTERNS PATH...`
//!
//! Each line of PATTERNS is a regex (a line without regex metacharacters is a
//! literal); `literal<TAB>regex` gives the required literal explicitly, and
//! `literal<TAB>` a literal with no regex.

use logscan::{scan_path, scan_reader, Event, EventKind, Options, Pattern, Scanner};
use std::path::Path;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut options = Options::default();
    let mut print_events = false;
    loop {
        match args.first().map(String::as_str) {
            Some("--threads") if args.len() > 1 => {
                options.threads = args[1].parse().expect("--threads N");
                args.drain(..2);
            }
            Some("--events") => {
                print_events = true;
                args.remove(0);
            }
            _ => break,
        }
    }
    if args.len() < 2 {
        eprintln!("usage: scan [--threads N] [--events] PATTERNS PATH...");
        std::process::exit(2);
    }
    let text = std::fs::read_to_string(&args[0]).expect("cannot read the patterns file");
    let mut patterns = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        // `literal<TAB>` (no regex) is a literal alone, as a signature without a pattern
        let parsed = match line.strip_suffix('\t') {
            Some(lit) if !lit.contains('\t') => Ok(Pattern::literal(lit)),
            _ => Pattern::from_pattern_line(line),
        };
        match parsed {
            Ok(p) => patterns.push(p),
            Err(e) => eprintln!("patterns line {}: skipped: {e}", i + 1),
        }
    }
    let scanner = match Scanner::new(&patterns) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let mut counts = vec![0u64; patterns.len()];
    let mut unrecognised = 0u64;
    let mut sink = |e: Event| {
        if print_events {
            println!(
                "{}:{}-{} {:?} {:?} {:?} {:?} {:?}",
                e.source.display(),
                e.line,
                e.end_line,
                e.kind,
                e.matches,
                e.service,
                e.level,
                e.message.lines().next().unwrap_or("")
            );
        }
        match e.kind {
            EventKind::Matched => e.matches.iter().for_each(|&m| counts[m] += 1),
            EventKind::UnrecognisedError => unrecognised += 1,
        }
    };
    let mut total = logscan::Stats::default();
    for p in &args[1..] {
        let r = if p == "-" {
            scan_reader(
                Path::new("<stdin>"),
                std::io::stdin(),
                &scanner,
                &options,
                &mut sink,
            )
        } else {
            scan_path(Path::new(p), &scanner, &options, &mut sink)
        };
        match r {
            Ok(s) => {
                total.bytes += s.bytes;
                total.lines += s.lines;
                total.events += s.events;
                total.warnings.extend(s.warnings);
            }
            Err(e) => eprintln!("{e}"),
        }
    }
    for (i, c) in counts.iter().enumerate() {
        if *c > 0 {
            println!(
                "{c}\t{}",
                patterns[i].regex.as_deref().unwrap_or(&patterns[i].literal)
            );
        }
    }
    println!("{unrecognised}\t(unrecognised errors)");
    println!(
        "bytes={} lines={} events={} warnings={}",
        total.bytes,
        total.lines,
        total.events,
        total.warnings.len()
    );
    for w in &total.warnings {
        eprintln!("warning: {}: {}", w.path.display(), w.message);
    }
}
