//! What `:help NAME` says, from the tables the program already runs on:
//! the builtin table and the calculus forms (`eval::builtins`), the
//! optimizers' option tables with their defaults (`optim`), the error
//! codes (`diagnostic::Code`), plus the keyword table here, which the
//! editor also completes from. Nothing is written twice, so the help cannot
//! fall behind what the program does.

use crate::diagnostic::{did_you_mean, Code};
use crate::eval::builtins;
use crate::eval::DRIVER_OPTIONS;
use crate::optim::{self, OPTIMIZERS};

/// Every keyword: name, how it is written, what it does.
pub const KEYWORDS: &[(&str, &str, &str)] = &[
    (
        "let",
        "let NAME = expr",
        "bind data, or a formula if it depends on a param",
    ),
    (
        "param",
        "param NAME = expr [in [lo, hi]]",
        "declare a trainable tensor, optionally boxed",
    ),
    (
        "loss",
        "loss [NAME] = expr",
        "define the (unnamed or named) scalar objective",
    ),
    (
        "residual",
        "residual [NAME] = expr",
        "define a least-squares objective, the sum of squares of expr's entries",
    ),
    (
        "minimize",
        "minimize [NAME] with OPTIMIZER option=value ...",
        "run an optimizer on the loss's params",
    ),
    (
        "maximize",
        "maximize [NAME] with OPTIMIZER option=value ...",
        "like minimize, climbing instead",
    ),
    (
        "with",
        "minimize with OPTIMIZER",
        "names the optimizer of a minimize or maximize",
    ),
    (
        "print",
        "print a, b, \"text\", ... [digits=N]",
        "write values on one line",
    ),
    (
        "fn",
        "fn NAME(a, b) = expr  or  fn NAME(a, b) { ... }",
        "define a function",
    ),
    (
        "if",
        "if cond { ... } else { ... }",
        "choose a branch by a scalar condition (an expression)",
    ),
    (
        "else",
        "if cond { ... } else { ... }",
        "the branch taken when the condition is 0",
    ),
    (
        "for",
        "for i in a..b { ... }",
        "run the body for i = a, a+1, ..., b-1",
    ),
    (
        "while",
        "while cond { ... }",
        "run the body as long as the scalar condition is non-zero",
    ),
    ("break", "break", "leave the innermost for or while loop"),
    (
        "continue",
        "continue",
        "go on with the next iteration of the innermost loop",
    ),
    (
        "in",
        "for i in a..b  or  param p = x in [lo, hi]",
        "a loop's range, or a param's box",
    ),
    (
        "seed",
        "seed expr",
        "restart the random generator from a whole number >= 0",
    ),
    (
        "save",
        "save \"FILE.safetensors\"  or  save \"FILE.json\"",
        "write every param to a file (PyTorch, JAX and NumPy read .safetensors)",
    ),
    (
        "load",
        "load \"FILE.safetensors\"  or  load \"FILE.json\"",
        "set the params from a file written by save (or by Python's safetensors)",
    ),
    (
        "assert",
        "assert cond [, message]",
        "stop with E0213 unless every entry of cond is non-zero",
    ),
    (
        "and",
        "a and b",
        "1 where both are non-zero, else 0 (elementwise)",
    ),
    (
        "or",
        "a or b",
        "1 where either is non-zero, else 0 (elementwise)",
    ),
    ("not", "not a", "1 where a is 0, else 0 (elementwise)"),
    ("true", "true", "the number 1"),
    ("false", "false", "the number 0"),
];

/// Every name `:help` answers for, except the error codes: builtins,
/// calculus forms, keywords and optimizers (for completion and
/// did-you-mean).
pub fn topics() -> impl Iterator<Item = &'static str> {
    builtins::function_names()
        .chain(KEYWORDS.iter().map(|k| k.0))
        .chain(OPTIMIZERS.iter().copied())
}

/// The help on `topic`, its first line being the form to write (which the
/// caller may highlight), or why there is none.
pub fn topic(topic: &str) -> Result<(String, String), String> {
    if let Some(b) = builtins::lookup(topic) {
        let mut text = format!("  {}\n", b.summary);
        if !b.options.is_empty() {
            let opts: Vec<String> = b.options.iter().map(|o| format!("{o}=")).collect();
            text += &format!("  options: {}\n", opts.join(" "));
        }
        return Ok((b.signature.to_string(), text));
    }
    if let Some(f) = builtins::calculus().iter().find(|f| f.name == topic) {
        let text = format!("  {}\n  p must be a param, named\n", f.summary);
        return Ok((f.signature.to_string(), text));
    }
    if let Some((_, usage, what)) = KEYWORDS.iter().find(|k| k.0 == topic) {
        return Ok((usage.to_string(), format!("  {what}\n")));
    }
    if let Some(specs) = optim::options(topic) {
        let width = specs.iter().map(|s| s.name.len()).max().unwrap_or(0);
        let mut text = String::from("  option (default):\n");
        for s in specs {
            text += &format!("    {:<width$}  {}\n", s.name, s.default);
        }
        let driver: Vec<String> = DRIVER_OPTIONS.iter().map(|o| format!("{o}=")).collect();
        text += &format!(
            "  and for every optimizer: {} (steps is required)\n",
            driver.join(" ")
        );
        return Ok((format!("minimize with {topic} option=value ..."), text));
    }
    if let Some(code) = Code::parse(topic) {
        let text = "  see docs/errors.md for an example and the fix\n".to_string();
        return Ok((format!("{code}: {}", code.summary()), text));
    }
    let hint = match did_you_mean(topic, topics()) {
        Some(name) => format!("; did you mean `{name}`?"),
        None => String::new(),
    };
    Err(format!(
        "no builtin, keyword, optimizer or error code is named `{topic}`{hint}"
    ))
}
