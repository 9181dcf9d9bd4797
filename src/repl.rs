//! The interactive session (`gradlang` on a terminal).
//!
//! - `session`: what an input does — statements run against one
//!   interpreter that lives as long as the session, values are shown,
//!   errors are reported and the state survives them.
//! - `commands`: `:help`, `:vars`, `:load`, `:reset`, `:quit`.
//! - `help`: what `:help NAME` says, from the program's own tables.
//! - `sources`: every text the session has run, so diagnostics point at
//!   what the user typed, even inputs ago.
//! - `helper`: the line editor's completion, hints, highlighting and
//!   multi-line input.
//! - `interrupt`: Ctrl-C while a statement runs.
//!
//! This file wires them to rustyline and keeps the history file.

mod commands;
pub mod help;
mod helper;
mod interrupt;
mod session;
mod sources;

use std::io::IsTerminal;
use std::path::PathBuf;

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{CompletionType, Config, Editor, EventHandler, KeyCode, KeyEvent, Modifiers};

use helper::{ContinueLine, Dedent, Helper, PROMPT};
use session::{Flow, Session, Shared, Style};

/// Runs the REPL until the user quits; returns the exit code.
pub fn run(seed: u64) -> i32 {
    let mut editor = match editor() {
        Ok(editor) => editor,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return crate::driver::EXIT_USAGE;
        }
    };
    let history = history_file();
    if let Some(path) = &history {
        // A first session has no history yet.
        let _ = editor.load_history(path);
    }
    interrupt::install();
    let style = Style {
        color: crate::diagnostic::stderr_wants_color(),
        progress: std::io::stderr().is_terminal(),
    };
    let mut session = Session::new(
        seed,
        Shared::new(std::io::stdout()),
        Shared::new(std::io::stderr()),
        style,
    );
    println!(
        "gradlang {}: values that carry gradients. {} for a tour, Ctrl-D to quit.",
        env!("CARGO_PKG_VERSION"),
        session.paint(":help", "1"),
    );
    let mut history_failed = false;
    loop {
        if let Some(helper) = editor.helper_mut() {
            helper.names = session.names();
        }
        let input = match editor.readline(PROMPT) {
            Ok(input) => input,
            // Ctrl-C at the prompt: drop the input, ask again.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => return 0,
            Err(e) => {
                eprintln!("error: cannot read the input: {e}");
                return crate::driver::EXIT_SCRIPT_ERROR;
            }
        };
        if !input.trim().is_empty() {
            let _ = editor.add_history_entry(input.as_str());
            // Appended at once, so a session that ends abruptly keeps it.
            if let Some(path) = &history {
                if let Err(e) = editor.append_history(path) {
                    if !history_failed {
                        session.note(&format!("history is not saved to {}: {e}", path.display()));
                        history_failed = true;
                    }
                }
            }
        }
        if session.handle(&input) == Flow::Quit {
            return 0;
        }
    }
}

fn editor() -> rustyline::Result<Editor<Helper, DefaultHistory>> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .history_ignore_dups(true)?
        .max_history_size(10_000)?
        .build();
    let mut editor = Editor::with_config(config)?;
    let color = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    editor.set_helper(Some(Helper::new(color)));
    // Enter, and Ctrl-J, which terminals send for some Enter keys.
    for enter in [
        KeyEvent(KeyCode::Enter, Modifiers::NONE),
        KeyEvent(KeyCode::Char('J'), Modifiers::CTRL),
    ] {
        editor.bind_sequence(enter, EventHandler::Conditional(Box::new(ContinueLine)));
    }
    for closer in ['}', ')', ']'] {
        editor.bind_sequence(
            KeyEvent(KeyCode::Char(closer), Modifiers::NONE),
            EventHandler::Conditional(Box::new(Dedent)),
        );
    }
    Ok(editor)
}

/// `history` in gradlang's directory under the user's data directory
/// (`$XDG_DATA_HOME/gradlang` on Linux), created if need be.
fn history_file() -> Option<PathBuf> {
    let dir = dirs::data_dir()?.join("gradlang");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}
