//! The `gradlang` command: `run` a script, `check` it, `fmt` it, serve
//! editors (`lsp`), or open the REPL.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gradlang::driver::{self, Reporter, EXIT_SCRIPT_ERROR, EXIT_USAGE};
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
        /// Print one JSON document with every print, minimize and param
        /// instead of the text output.
        #[arg(long)]
        json: bool,
        /// Write the loss curve of every minimize to this SVG file.
        #[arg(long, value_name = "FILE.svg", value_parser = svg_path)]
        plot: Option<PathBuf>,
        /// The script to run.
        file: PathBuf,
    },
    /// Write the script as a standalone Python program on JAX (its data
    /// in an .npz beside it); see docs/export.md.
    Export {
        /// Export to JAX (the one target there is).
        #[arg(long, required = true)]
        jax: bool,
        /// The program to write (default: the script's name with .py).
        #[arg(short = 'o', long = "output", value_name = "OUT.py")]
        output: Option<PathBuf>,
        /// The script to export.
        file: PathBuf,
    },
    /// Parse a script and resolve its names without running it.
    Check {
        /// The script to check.
        file: PathBuf,
    },
    /// Rewrite scripts in the canonical style (docs/formatting.md).
    Fmt {
        /// Write nothing: list the files that are not formatted and exit
        /// with 1 if there are any.
        #[arg(long)]
        check: bool,
        /// The scripts to format in place (`-` reads standard input and
        /// writes standard output).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Serve the Language Server Protocol on stdin and stdout, for editors.
    Lsp,
}

/// `--plot`'s file: the chart is SVG, so a name ending in another image
/// format (`out.png`) is refused rather than written as SVG under it.
fn svg_path(arg: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(arg);
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if !ext.eq_ignore_ascii_case("svg") => Err(format!(
            "the plot is written as SVG only, not .{ext}; name the file `{}`",
            path.with_extension("svg").display()
        )),
        _ => Ok(path),
    }
}

/// A script given without a subcommand (`gradlang FILE.gl`): the message
/// to print instead of clap's "unrecognized subcommand", if it looks like one.
fn bare_script_hint(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::InvalidSubcommand {
        return None;
    }
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidSubcommand) else {
        return None;
    };
    let path = std::path::Path::new(arg);
    (path.extension().is_some_and(|x| x == "gl") || path.is_file()).then(|| {
        format!(
            "error: `{arg}` is not a subcommand\n\n  \
             tip: to run the script, write `gradlang run {arg}` (or `gradlang check {arg}` to check it)\n"
        )
    })
}

/// Deep but legal programs (long expression chains, recursion up to the
/// limit) need more than the main thread's default stack.
const STACK_BYTES: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if let Some(hint) = bare_script_hint(&e) {
                eprint!("{hint}");
                return ExitCode::from(EXIT_USAGE as u8);
            }
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

/// The script at `file` (or stdin for `-`): its display name, bytes and the
/// directory its relative paths start from.
fn read_script(file: &PathBuf) -> Result<(String, Vec<u8>, PathBuf), i32> {
    if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        return match std::io::stdin().read_to_end(&mut buf) {
            Ok(_) => Ok(("<stdin>".to_string(), buf, PathBuf::from("."))),
            Err(e) => {
                eprintln!("error: cannot read standard input: {e}");
                Err(EXIT_USAGE)
            }
        };
    }
    match std::fs::read(file) {
        Ok(b) => Ok((file.display().to_string(), b, driver::script_dir(file))),
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", file.display());
            Err(EXIT_USAGE)
        }
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
        Some(Command::Run { json, plot, file }) => {
            let (name, bytes, dir) = match read_script(&file) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let out: Box<dyn Write> = if json {
                Box::new(std::io::sink())
            } else {
                Box::new(std::io::BufWriter::new(std::io::stdout()))
            };
            let mut interp = Interp::new(cli.seed, out);
            interp.set_base_dir(dir);
            if json || plot.is_some() {
                interp.enable_record();
            }
            if std::io::stderr().is_terminal() && !json {
                interp.set_observer(Box::new(gradlang::progress::ProgressBar::new()));
            }
            let code = driver::run_source(&mut interp, &name, &bytes, &mut reporter);
            let record = interp.take_record().unwrap_or_default();
            if json {
                let doc = gradlang::report::json(&record, interp.params(), code == 0);
                let _ = writeln!(std::io::stdout(), "{doc}");
            }
            if let Some(path) = plot {
                if let Err(e) = std::fs::write(&path, gradlang::report::svg(&record)) {
                    eprintln!("error: cannot write `{}`: {e}", path.display());
                    return EXIT_USAGE;
                }
            }
            code
        }
        Some(Command::Export {
            jax: _,
            output,
            file,
        }) => {
            let (name, bytes, dir) = match read_script(&file) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let output = output.unwrap_or_else(|| file.with_extension("py"));
            let mut interp = Interp::new(cli.seed, Box::new(std::io::sink()));
            interp.set_base_dir(dir);
            driver::export_jax(&mut interp, &name, &bytes, &output, &mut reporter)
        }
        Some(Command::Check { file }) => match read_script(&file) {
            Ok((name, bytes, _)) => gradlang::check::check_source(&name, &bytes, &mut reporter),
            Err(code) => code,
        },
        Some(Command::Fmt { check, files }) => {
            gradlang::fmt::command::run(&files, check, &mut reporter)
        }
        Some(Command::Lsp) => gradlang::lsp::run(),
        None if std::io::stdin().is_terminal() => gradlang::repl::run(cli.seed),
        None => {
            // Not a terminal: run the input as a script, no prompts or colours.
            let mut buf = Vec::new();
            if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
                eprintln!("error: cannot read standard input: {e}");
                return EXIT_USAGE;
            }
            let mut interp = Interp::new(
                cli.seed,
                Box::new(std::io::BufWriter::new(std::io::stdout())),
            );
            let mut plain = Reporter {
                err: reporter.err,
                color: false,
            };
            let code = driver::run_source(&mut interp, "<stdin>", &buf, &mut plain);
            if code == 0 {
                0
            } else {
                EXIT_SCRIPT_ERROR
            }
        }
    }
}
