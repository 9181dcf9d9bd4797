//! The `gradlang` command: `run` a script, `check` it, or open the REPL.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gradlang::driver::{self, Reporter, EXIT_USAGE};
use gradlang::eval::Interp;

#[derive(Parser)]
#[command(name = "gradlang", version, about = "A small scripting language whose values carry gradients", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Seed of the random generator (a `seed` statement overrides it).
    #[arg(long, global = true, default_value_t = 0)]
    seed: u64,
}

#[derive(Subcommand)]
enum Command {
    /// Run a script (`-` reads it from standard input).
    Run {
        /// The script to run.
        file: PathBuf,
    },
}

/// Deep but legal programs (long expression chains, recursion up to the
/// limit) need more than the main thread's default stack.
const STACK_BYTES: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE as u8 } else { 0 });
        }
    };
    let worker = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli));
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => ExitCode::from(code as u8),
        _ => ExitCode::from(101),
    }
}

fn run(cli: Cli) -> i32 {
    let mut stderr = std::io::stderr();
    let color = gradlang::diagnostic::stderr_wants_color();
    let mut reporter = Reporter {
        err: &mut stderr,
        color,
    };
    match cli.command {
        Some(Command::Run { file }) => {
            let (name, bytes, dir) = if file.as_os_str() == "-" {
                let mut buf = Vec::new();
                if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
                    eprintln!("error: cannot read standard input: {e}");
                    return EXIT_USAGE;
                }
                ("<stdin>".to_string(), buf, PathBuf::from("."))
            } else {
                match std::fs::read(&file) {
                    Ok(b) => (file.display().to_string(), b, driver::script_dir(&file)),
                    Err(e) => {
                        eprintln!("error: cannot read `{}`: {e}", file.display());
                        return EXIT_USAGE;
                    }
                }
            };
            let mut interp = Interp::new(cli.seed, Box::new(std::io::stdout()));
            interp.set_base_dir(dir);
            driver::run_source(&mut interp, &name, &bytes, &mut reporter)
        }
        None => {
            let mut buf = Vec::new();
            if std::io::stdin().is_terminal() {
                eprintln!(
                    "gradlang {}: the REPL is not built yet; run a script with `gradlang run FILE`",
                    env!("CARGO_PKG_VERSION")
                );
                return EXIT_USAGE;
            }
            if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
                eprintln!("error: cannot read standard input: {e}");
                return EXIT_USAGE;
            }
            let mut interp = Interp::new(cli.seed, Box::new(std::io::stdout()));
            driver::run_source(&mut interp, "<stdin>", &buf, &mut reporter)
        }
    }
}
