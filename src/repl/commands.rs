//! The `:commands`: `:help`, `:vars`, `:load`, `:reset`, `:quit`.

use std::io::Write;

use super::session::{Flow, Session};
use crate::diagnostic::did_you_mean;
use crate::eval::Binding;
use crate::format::{format_scalar, format_tensor};
use crate::tensor::{shape_string, Tensor};

/// Every command: name, argument, what it does. Commands may be shortened
/// to any prefix, except `:reset`, which forgets everything.
pub(super) const COMMANDS: &[(&str, &str, &str)] = &[
    (
        ":help",
        "[NAME]",
        "this help, or what a builtin, keyword, optimizer or error code is",
    ),
    (":vars", "", "every name: kind, shape and value"),
    (":load", "FILE", "run a script into this session"),
    (":reset", "", "forget every name and start over"),
    (":quit", "", "leave (Ctrl-D does too)"),
];

/// Options every optimizer takes (handled by `minimize` itself).
pub(super) const DRIVER_OPTIONS: &[&str] = &crate::eval::DRIVER_OPTIONS;

const TOUR: &str = "\
A short tour (type the lines after gl>):
  gl> param x = 3.6              # a number to learn
  gl> let y = x * x              # a formula: it follows x
  gl> grad(y, x)                 # dy/dx
  7.2000
  gl> loss = (x - 1)^2
  gl> minimize with adam lr=0.1 steps=100
  gl> x                          # moved towards 1
  gl> :vars
An expression shows its value; end it with ; to hide it. Re-declaring a
param or fn replaces it. The scripts in gradlang's examples/ are good to
:load and explore.
";

const KEYS: &str = "\
Keys: Tab completes names, builtins, optimizers and their options. Enter on
an unfinished input (an open bracket, a trailing operator) starts a new
line. Up and Down recall inputs, from earlier sessions too. Ctrl-C clears
the input; during a minimize it stops after the current step and keeps the
params. Other computations cannot stop midway: a second Ctrl-C ends the
session. Ctrl-D quits.
";

impl Session {
    /// Runs a `:command` line.
    pub(super) fn command(&mut self, line: &str) -> Flow {
        let (word, arg) = line
            .split_once(char::is_whitespace)
            .map_or((line, ""), |(w, a)| (w, a.trim()));
        let Some(command) = resolve(word) else {
            let names = COMMANDS.iter().map(|c| c.0);
            let hint = match did_you_mean(word, names) {
                Some(name) => format!("; did you mean `{name}`?"),
                None => "; `:help` lists the commands".to_string(),
            };
            self.complain(&format!("unknown command `{word}`{hint}"));
            return Flow::Continue;
        };
        match command {
            ":help" => self.help(arg),
            ":vars" => self.vars(),
            ":load" if arg.is_empty() => {
                self.complain("`:load` needs a file, e.g. `:load examples/puzzle.gl`")
            }
            ":load" => self.load(arg),
            ":reset" => self.reset(),
            _ => return Flow::Quit,
        }
        Flow::Continue
    }

    fn help(&mut self, topic: &str) {
        let text = if topic.is_empty() {
            let mut text = String::from("gradlang: a language whose values carry gradients.\n\n");
            for (name, arg, what) in COMMANDS {
                text += &format!("  {:<14}{what}\n", format!("{name} {arg}"));
            }
            text += "\n";
            text += TOUR;
            text += "\n";
            text += KEYS;
            text
        } else {
            match super::help::topic(topic) {
                Ok((form, text)) => format!("{}\n{text}", self.paint(&form, "1")),
                Err(why) => return self.complain(&why),
            }
        };
        let _ = self.out.write_all(text.as_bytes());
    }

    /// `:vars`: one row per global name, grouped by kind.
    fn vars(&mut self) {
        let mut rows: Vec<(usize, [String; 4])> = Vec::new();
        for (name, sig) in self.names() {
            let Some(binding) = self.interp.scopes().lookup(&name).cloned() else {
                continue;
            };
            let is_loss = name == "loss" || self.losses.contains(&name);
            let (rank, kind, value) = match binding {
                Binding::Param(i) => {
                    let p = &self.interp.params()[i];
                    let kind = match &p.bounds {
                        Some((lo, hi)) => format!("param in [{}, {}]", brief(lo), brief(hi)),
                        None => "param".to_string(),
                    };
                    (0, kind, Ok(p.value.clone()))
                }
                Binding::Formula(_) | Binding::Data(_) if is_loss => {
                    (1, "loss".to_string(), self.current_value(&name))
                }
                Binding::Formula(_) => (2, "formula".to_string(), self.current_value(&name)),
                Binding::Data(t) => (3, "data".to_string(), Ok((*t).clone())),
                Binding::Fn(_) => {
                    let sig = sig.unwrap_or_default();
                    rows.push((4, [name, "fn".into(), String::new(), sig]));
                    continue;
                }
                Binding::Node(_) => continue,
            };
            let (shape, value) = match value {
                Ok(t) => (shape_string(t.shape()), describe(&t)),
                Err(why) => (String::new(), format!("cannot evaluate: {why}")),
            };
            rows.push((rank, [name, kind, shape, value]));
        }
        if rows.is_empty() {
            let _ = writeln!(
                self.out,
                "no names yet: try `param x = 1`, `let y = x * 2` or `fn f(a) = a + 1`"
            );
            return;
        }
        rows.sort_by(|a, b| (a.0, &a.1[0]).cmp(&(b.0, &b.1[0])));
        let header = ["name", "kind", "shape", "value"].map(String::from);
        let widths: Vec<usize> = (0..3)
            .map(|c| {
                rows.iter()
                    .map(|r| r.1[c].chars().count())
                    .chain([header[c].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String; 4]| {
            let mut line = String::new();
            for (cell, width) in cells.iter().zip(&widths) {
                line += &format!("{cell:<width$}  ");
            }
            line += &cells[3];
            line.trim_end().to_string()
        };
        let mut text = self.paint(&line(&header), "2") + "\n";
        for (_, cells) in &rows {
            text += &line(cells);
            text += "\n";
        }
        let _ = self.out.write_all(text.as_bytes());
    }

    /// The current value of the formula `name`, evaluated as an expression.
    fn current_value(&mut self, name: &str) -> Result<Tensor, String> {
        let program = crate::syntax::parse(name).map_err(|_| "not a name".to_string())?;
        let stmt = program.stmts.first().ok_or("not a name")?;
        // A formula may draw random numbers; looking must not move the seed.
        let rng = self.interp.rng.clone();
        let value = self.interp.run_top(stmt);
        self.interp.rng = rng;
        match value {
            Ok(Some(v)) => Ok(v.tensor),
            Ok(None) => Err("no value".into()),
            Err(e) => Err(e.to_diagnostic().title),
        }
    }
}

/// The command `word` names: itself or a unique prefix of one.
pub(super) fn resolve(word: &str) -> Option<&'static str> {
    let mut matches = COMMANDS
        .iter()
        .map(|c| c.0)
        .filter(|c| c.starts_with(word) && word.len() > 1);
    let first = matches.next()?;
    let unique = matches.next().is_none();
    (first == word || (unique && first != ":reset")).then_some(first)
}

/// A value in one line: small tensors in full, larger ones summarised.
fn describe(t: &Tensor) -> String {
    if t.len() <= 6 {
        return brief(t);
    }
    let n = t.len() as f64;
    let (min, max) = t
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let mean = t.iter().sum::<f64>() / n;
    format!(
        "min {}, mean {}, max {}",
        format_scalar(min, 4),
        format_scalar(mean, 4),
        format_scalar(max, 4)
    )
}

/// A tensor as `print` shows it, on one line.
fn brief(t: &Tensor) -> String {
    let text = format_tensor(&t.view(), 4);
    text.split('\n')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::session::tests::{session, take};
    use super::*;

    #[test]
    fn commands_resolve_from_prefixes() {
        assert_eq!(resolve(":q"), Some(":quit"));
        assert_eq!(resolve(":vars"), Some(":vars"));
        assert_eq!(resolve(":r"), None, ":reset is never abbreviated");
        assert_eq!(resolve(":"), None);
        assert_eq!(resolve(":x"), None);
    }

    #[test]
    fn vars_lists_every_name_by_kind() {
        let (mut s, out, _) = session();
        s.handle("param w = [1, 2] ; param b = 0.5 in [0, 1]");
        s.handle("let X = linspace(0, 1, 11); let y = w * 2; loss = sum(y); loss L2 = sum(w^2)");
        s.handle("fn f(a, c) = a + c");
        take(&out);
        s.handle(":vars");
        let text = take(&out);
        let expected = "\
name  kind               shape  value
b     param in [0., 1.]  ()     0.5000
w     param              (2)    [1., 2.]
L2    loss               ()     5.
loss  loss               ()     6.
y     formula            (2)    [2., 4.]
X     data               (11)   min 0., mean 0.5000, max 1.
f     fn                        f(a, c)
";
        assert_eq!(text, expected);
    }

    #[test]
    fn vars_does_not_move_the_random_stream() {
        let (mut s, out, _) = session();
        s.handle("param w = 1; let noisy = w * rand()");
        s.handle(":vars");
        s.handle("rand()");
        let shown = take(&out);
        let (mut fresh, out2, _) = session();
        fresh.handle("param w = 1; let noisy = w * rand()");
        fresh.handle("rand()");
        assert!(shown.ends_with(&take(&out2)), "{shown}");
    }

    #[test]
    fn help_describes_builtins_and_optimizers() {
        let (mut s, out, err) = session();
        s.handle(":help");
        let text = take(&out);
        assert!(text.contains(":vars") && text.contains("tour"), "{text}");
        s.handle(":help clamp");
        assert_eq!(take(&out), "clamp(x, lo, hi)\n  x limited to [lo, hi]\n");
        s.handle(":h sgd");
        let sgd = take(&out);
        let row = |l: &str| l.split_whitespace().eq(["momentum", "0"]);
        assert!(sgd.lines().any(row), "{sgd}");
        s.handle(":help clamb");
        assert!(take(&err).contains("did you mean `clamp`"));
    }

    #[test]
    fn unknown_commands_suggest_a_known_one() {
        let (mut s, _, err) = session();
        assert_eq!(s.handle(":vras"), Flow::Continue);
        assert!(take(&err).contains("did you mean `:vars`"));
        assert_eq!(s.handle(":load"), Flow::Continue);
        assert!(take(&err).contains("needs a file"));
        assert_eq!(s.handle(":quit"), Flow::Quit);
    }
}
