//! The edge: parse arguments, run, report an error once, set the exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match stackdoctor::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // --help and --version are not errors.
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
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
