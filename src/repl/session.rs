//! One REPL session: the interpreter, the texts it has run, and what an
//! input does — run its statements and show their values, or a `:command`.
//! Nothing here knows about the terminal, so tests drive it with strings.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::interrupt;
use super::sources::Sources;
use crate::diagnostic::{render, Diagnostic};
use crate::driver;
use crate::eval::{Binding, Interp};
use crate::syntax::ast::{Stmt, StmtS};
use crate::syntax::lexer::Token;

/// A writer shared by the session and its interpreter, so that shown values
/// and `print` output come out in the order they happen.
#[derive(Clone)]
pub(super) struct Shared(Rc<RefCell<dyn Write>>);

impl Shared {
    pub fn new(w: impl Write + 'static) -> Self {
        Shared(Rc::new(RefCell::new(w)))
    }
}

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// What the session does after an input.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Flow {
    Continue,
    Quit,
}

/// How output should look.
#[derive(Clone, Copy)]
pub(super) struct Style {
    /// Colours in diagnostics and messages.
    pub color: bool,
    /// A progress bar for long `minimize` runs.
    pub progress: bool,
}

pub(super) struct Session {
    pub(super) interp: Interp,
    seed: u64,
    pub(super) out: Shared,
    err: Shared,
    style: Style,
    sources: Sources,
    /// Names defined by `loss NAME = ...`, which are formulas to the
    /// interpreter but losses to the user.
    pub(super) losses: BTreeSet<String>,
}

impl Session {
    pub fn new(seed: u64, out: Shared, err: Shared, style: Style) -> Self {
        Session {
            interp: new_interp(seed, &out, style),
            seed,
            out,
            err,
            style,
            sources: Sources::default(),
            losses: BTreeSet::new(),
        }
    }

    /// Handles one input from the editor.
    pub fn handle(&mut self, input: &str) -> Flow {
        let flow = match input.trim_start() {
            "" => Flow::Continue,
            command if command.starts_with(':') => self.command(command.trim_end()),
            _ => {
                self.run_text(None, input);
                Flow::Continue
            }
        };
        let _ = self.out.flush();
        let _ = self.err.flush();
        flow
    }

    /// The global names, each with its call signature if it is a function.
    pub fn names(&self) -> Vec<(String, Option<String>)> {
        let mut names: Vec<_> = self
            .interp
            .scopes()
            .globals
            .iter()
            .map(|(name, binding)| {
                let signature = match binding {
                    Binding::Fn(def) => Some(signature(name, &def.params)),
                    _ => None,
                };
                (name.clone(), signature)
            })
            .collect();
        names.sort();
        names
    }

    /// Parses and runs `src`: an input, or the script at `file`. An input
    /// shows the value of each bare expression (but a last one followed by
    /// `;`); a script, as with `gradlang run`, shows none.
    fn run_text(&mut self, file: Option<&str>, src: &str) {
        let program = match self.sources.add(file, src) {
            Ok(program) => program,
            Err(errors) => {
                for e in &errors {
                    self.report(&e.to_diagnostic());
                }
                return;
            }
        };
        let last = program.stmts.len().saturating_sub(1);
        let hide_last = ends_with_semicolon(src);
        let show = |i| file.is_none() && !(hide_last && i == last);
        self.run_stmts(&program.stmts, show);
    }

    /// Runs `stmts` in order, showing the value of statement `i` when
    /// `echo(i)`; stops at the first error, or after a statement during
    /// which Ctrl-C was pressed.
    fn run_stmts(&mut self, stmts: &[StmtS], echo: impl Fn(usize) -> bool) {
        for (i, stmt) in stmts.iter().enumerate() {
            interrupt::clear();
            let result = self.interp.run_top(stmt);
            for warning in self.interp.take_warnings() {
                self.report(&warning);
            }
            match result {
                Ok(value) => {
                    self.note_definition(stmt);
                    if let Some(v) = value.filter(|_| echo(i)) {
                        let _ = writeln!(self.out, "{}", v.text(4));
                    }
                }
                Err(e) => {
                    self.report(&e.to_diagnostic());
                    break;
                }
            }
            if interrupt::pressed() && i + 1 < stmts.len() {
                self.note("interrupted: the rest of the input was not run");
                break;
            }
        }
        interrupt::clear();
    }

    /// Keeps track of which names are named losses.
    fn note_definition(&mut self, stmt: &StmtS) {
        match &stmt.node {
            Stmt::Loss { name: Some(n), .. } => {
                self.losses.insert(n.node.clone());
            }
            Stmt::Let { name, .. } | Stmt::Param { name, .. } | Stmt::Fn { name, .. } => {
                self.losses.remove(&name.node);
            }
            _ => {}
        }
    }

    /// `:load FILE`: runs a script in this session.
    pub(super) fn load(&mut self, arg: &str) {
        let path = expand_path(arg);
        let name = path.display().to_string();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => return self.complain(&format!("cannot read `{name}`: {e}")),
        };
        let src = match driver::decode(&bytes) {
            Ok(src) => src,
            Err((diag, lossy)) => {
                let _ = self
                    .err
                    .write_all(render(&diag, &name, &lossy, self.style.color).as_bytes());
                return;
            }
        };
        // Its relative paths (`csv`) start from its directory.
        self.interp.set_base_dir(driver::script_dir(&path));
        self.run_text(Some(&name), src);
        self.interp.set_base_dir(PathBuf::from("."));
    }

    /// `:reset`: a fresh interpreter with the starting seed.
    pub(super) fn reset(&mut self) {
        self.interp = new_interp(self.seed, &self.out, self.style);
        self.sources = Sources::default();
        self.losses.clear();
        let seed = self.seed;
        self.note(&format!(
            "every name is gone; the random seed is {seed} again"
        ));
    }

    fn report(&mut self, diag: &Diagnostic) {
        let text = self.sources.render(diag, self.style.color);
        let _ = self.err.write_all(text.as_bytes());
    }

    /// An error that is not about gradlang code (a command, a file).
    pub(super) fn complain(&mut self, message: &str) {
        let label = self.paint("error", "1;31");
        let _ = writeln!(self.err, "{label}: {message}");
    }

    /// A remark about the session, on stderr.
    pub(super) fn note(&mut self, message: &str) {
        let text = self.paint(&format!("({message})"), "2");
        let _ = writeln!(self.err, "{text}");
    }

    /// `text` in the SGR style `sgr` when colour is on.
    pub(super) fn paint(&self, text: &str, sgr: &str) -> String {
        if self.style.color {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

fn new_interp(seed: u64, out: &Shared, style: Style) -> Interp {
    let mut interp = Interp::new(seed, Box::new(out.clone()));
    interp.set_interrupt(interrupt::flag());
    if style.progress {
        interp.set_observer(Box::new(crate::progress::ProgressBar::new()));
    }
    interp
}

/// `f(x, y)`.
fn signature(name: &str, params: &[crate::syntax::ast::Ident]) -> String {
    let params: Vec<&str> = params.iter().map(|p| p.node.as_str()).collect();
    format!("{name}({})", params.join(", "))
}

/// Whether the input's last token is `;`, which (as in Julia and MATLAB)
/// keeps its value from being shown.
fn ends_with_semicolon(src: &str) -> bool {
    use logos::Logos;
    Token::lexer(src)
        .filter_map(Result::ok)
        .filter(|t| *t != Token::Newline)
        .last()
        == Some(Token::Semi)
}

/// The path in `:load`'s argument: quotes removed, `~/` expanded.
fn expand_path(arg: &str) -> PathBuf {
    let arg = arg.trim();
    let unquoted = ['"', '\'']
        .iter()
        .find_map(|q| arg.strip_prefix(*q).and_then(|a| a.strip_suffix(*q)))
        .unwrap_or(arg);
    match (unquoted.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => Path::new(unquoted).to_path_buf(),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// What a test session writes into.
    pub type Buffer = Rc<RefCell<Vec<u8>>>;

    /// A session writing into buffers: (session, stdout, stderr).
    pub fn session() -> (Session, Buffer, Buffer) {
        let out = Rc::new(RefCell::new(Vec::new()));
        let err = Rc::new(RefCell::new(Vec::new()));
        let style = Style {
            color: false,
            progress: false,
        };
        let s = Session::new(0, Shared(out.clone()), Shared(err.clone()), style);
        (s, out, err)
    }

    /// Everything written to `buf` since the last call.
    pub fn take(buf: &Buffer) -> String {
        String::from_utf8(std::mem::take(&mut *buf.borrow_mut())).unwrap()
    }

    #[test]
    fn expressions_show_their_values_and_statements_print() {
        let (mut s, out, err) = session();
        s.handle("param x = 3.6");
        s.handle("let y = x * x");
        s.handle("grad(y, x)");
        s.handle("print y, \"done\"");
        assert_eq!(take(&out), "7.2000\n12.9600 done\n");
        assert_eq!(take(&err), "");
    }

    #[test]
    fn a_trailing_semicolon_hides_the_value() {
        let (mut s, out, _) = session();
        s.handle("1 + 1; 2 + 2;");
        s.handle("3 + 3 # comment;");
        assert_eq!(take(&out), "2.\n6.\n");
    }

    #[test]
    fn state_survives_errors() {
        let (mut s, out, err) = session();
        s.handle("param w = 2");
        s.handle("w + nope");
        let e = take(&err);
        assert!(e.contains("<repl>:1:5"), "{e}");
        s.handle("let = 1");
        assert!(take(&err).contains("<repl>"));
        s.handle("w * 3");
        assert_eq!(take(&out), "6.\n");
    }

    #[test]
    fn errors_in_earlier_definitions_point_at_them() {
        let (mut s, _, err) = session();
        s.handle("fn f(v) = v * [1, 2]");
        s.handle("let unrelated = 1");
        s.handle("f([1, 2, 3])");
        let e = take(&err);
        assert!(e.contains("1 \u{2502} fn f(v) = v * [1, 2]"), "{e}");
        assert!(!e.contains("unrelated"), "{e}");
    }

    #[test]
    fn redeclaring_replaces_params_and_functions() {
        let (mut s, out, _) = session();
        s.handle("param p = 1; let q = p * 2; fn g(a) = a + 1");
        s.handle("param p = 5; fn g(a) = a + 10");
        s.handle("q; g(1)");
        assert_eq!(take(&out), "10.\n11.\n");
    }

    #[test]
    fn minimize_runs_in_steps() {
        let (mut s, out, _) = session();
        s.handle("param w = 0; loss = (w - 3)^2");
        s.handle("minimize with sgd lr=0.1 steps=2");
        s.handle("w");
        s.handle("minimize with sgd lr=0.1 steps=2");
        s.handle("w");
        let text = take(&out);
        assert_eq!(
            text,
            "sgd: 2 steps, loss 9. -> 3.6864\n1.0800\nsgd: 2 steps, loss 3.6864 -> 1.5099\n1.7712\n"
        );
    }

    #[test]
    fn load_runs_a_script_into_the_session() {
        let dir = std::env::temp_dir().join(format!("gradlang-repl-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("s.gl");
        std::fs::write(
            &script,
            "param a = 2\na * 100\nprint \"loaded\"\nlet b = a +\n",
        )
        .unwrap();
        let (mut s, out, err) = session();
        s.handle(&format!(":load {}", script.display()));
        let e = take(&err);
        assert!(e.contains("s.gl:4:"), "{e}");
        std::fs::write(&script, "param a = 2\na * 100\nprint \"loaded\"\n").unwrap();
        s.handle(&format!(":load \"{}\"", script.display()));
        s.handle("a");
        assert_eq!(take(&out), "loaded\n2.\n");
        s.handle(":load /no/such/file.gl");
        assert!(take(&err).starts_with("error: cannot read `/no/such/file.gl`"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reset_forgets_everything() {
        let (mut s, _, err) = session();
        s.handle("let a = 1; loss L = a");
        assert!(s.losses.contains("L"));
        s.handle(":reset");
        assert!(s.names().is_empty());
        assert!(s.losses.is_empty());
        take(&err);
        s.handle("a");
        assert!(take(&err).contains("a"));
    }

    #[test]
    fn names_carry_function_signatures() {
        let (mut s, _, _) = session();
        s.handle("let a = 1; fn f(x, y) = x + y");
        assert_eq!(
            s.names(),
            vec![
                ("a".to_string(), None),
                ("f".to_string(), Some("f(x, y)".to_string()))
            ]
        );
    }
}
