//! The edge: parse arguments, run, report an error once, set the exit code.

use clap::Parser;
use std::process::ExitCode;

// Loading a large project allocates millions of small nodes and strings;
// glibc's allocator spent a third of a 5,000-service diagnosis in
// malloc/free (see BENCHMARKS.md, "Diagnosis at scale").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match stackdoctor::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version are not errors.
        Err(error) if !error.use_stderr() => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            // A usage error quotes the argument (`--url https://:pw@…`): masked too.
            let message = stackdoctor::secrets::mask_patterns(&error.render().to_string());
            eprint!("{message}");
            return ExitCode::from(2);
        }
    };
    match stackdoctor::run::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            // Errors may quote input (a YAML line, a template): mask before printing.
            let message = stackdoctor::secrets::mask_patterns(&error.to_string());
            eprintln!("stackdoctor: error: {message}");
            ExitCode::from(2)
        }
    }
}
