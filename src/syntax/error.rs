//! Lexical and syntax errors, and the words each one is reported with.

use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;

use super::span::Span;

/// Why a number literal could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberProblem {
    /// Letters run straight on from the digits: `2x`, `0x1f`.
    TrailingLetters,
    /// `1e` or `1e+` with no exponent digits.
    MissingExponent,
    /// More than one decimal point: `1.2.3`.
    ExtraDot,
    /// Beyond the range of an f64: `1e999`.
    TooLarge,
}

/// Everything that can be wrong with a script before it runs. Each variant
/// carries the span it is about; [`SyntaxError::code`] is its stable code.
#[derive(Debug, Clone, PartialEq)]
pub enum SyntaxError {
    /// Characters that start no token, such as `$` or `é` outside a string.
    InvalidCharacter { span: Span, text: String },
    /// A string with no closing `"` on its line.
    UnterminatedString { span: Span },
    /// A backslash escape other than `\"`, `\\`, `\n`, `\t`.
    InvalidEscape { span: Span, escape: String },
    /// A malformed number literal.
    InvalidNumber {
        span: Span,
        text: String,
        problem: NumberProblem,
    },
    /// A token the grammar does not allow here. `found` and `expected` are
    /// already in words ("`)`", "an expression"); `unclosed` is a bracket
    /// left open around this point.
    UnexpectedToken {
        span: Span,
        found: String,
        expected: Vec<String>,
        unclosed: Option<(Span, char)>,
    },
    /// The input ended in the middle of a statement.
    UnexpectedEnd {
        span: Span,
        expected: Vec<String>,
        unclosed: Option<(Span, char)>,
    },
    /// A closing bracket with nothing open to close.
    UnmatchedBracket { span: Span, found: char },
    /// A closing bracket of the wrong kind for the one open.
    MismatchedBracket {
        span: Span,
        found: char,
        open: Span,
        open_char: char,
    },
    /// More than `limit` brackets open at once; lexing stopped here.
    NestingTooDeep { span: Span, limit: usize },
    /// An expression nested more than `limit` levels (long operator chains).
    ExpressionTooDeep { span: Span, limit: usize },
    /// `x.name` for a name other than `T`.
    BadField { span: Span, name: String },
    /// `f(x) = ...` or `(a + b) = ...`: only a name or a name's entries
    /// can be assigned to.
    BadAssignTarget { span: Span },
    /// `a < b < c`: comparisons do not associate. `first` is the first
    /// operator, `span` the second.
    ChainedComparison { span: Span, first: Span },
    /// A positional argument after a `name=value` option.
    PositionalAfterOption { span: Span, option: Span },
    /// Stands for the errors after the first `shown`: `more` of them,
    /// starting at `span`.
    TooManyErrors {
        span: Span,
        more: usize,
        shown: usize,
    },
}

impl SyntaxError {
    /// The stable code, listed in docs/errors.md.
    pub fn code(&self) -> Code {
        match self {
            SyntaxError::InvalidCharacter { .. } => Code::E0101,
            SyntaxError::UnterminatedString { .. } => Code::E0102,
            SyntaxError::InvalidEscape { .. } => Code::E0103,
            SyntaxError::InvalidNumber { .. } => Code::E0104,
            SyntaxError::UnexpectedToken { .. } => Code::E0105,
            SyntaxError::UnexpectedEnd { .. } => Code::E0106,
            SyntaxError::UnmatchedBracket { .. } => Code::E0107,
            SyntaxError::MismatchedBracket { .. } => Code::E0108,
            SyntaxError::NestingTooDeep { .. } => Code::E0109,
            SyntaxError::ExpressionTooDeep { .. } => Code::E0110,
            SyntaxError::BadField { .. } => Code::E0111,
            SyntaxError::BadAssignTarget { .. } => Code::E0115,
            SyntaxError::ChainedComparison { .. } => Code::E0112,
            SyntaxError::PositionalAfterOption { .. } => Code::E0113,
            SyntaxError::TooManyErrors { .. } => Code::E0114,
        }
    }

    /// The span the error is reported at.
    pub fn span(&self) -> Span {
        match self {
            SyntaxError::InvalidCharacter { span, .. }
            | SyntaxError::UnterminatedString { span }
            | SyntaxError::InvalidEscape { span, .. }
            | SyntaxError::InvalidNumber { span, .. }
            | SyntaxError::UnexpectedToken { span, .. }
            | SyntaxError::UnexpectedEnd { span, .. }
            | SyntaxError::UnmatchedBracket { span, .. }
            | SyntaxError::MismatchedBracket { span, .. }
            | SyntaxError::NestingTooDeep { span, .. }
            | SyntaxError::ExpressionTooDeep { span, .. }
            | SyntaxError::BadField { span, .. }
            | SyntaxError::BadAssignTarget { span }
            | SyntaxError::ChainedComparison { span, .. }
            | SyntaxError::PositionalAfterOption { span, .. }
            | SyntaxError::TooManyErrors { span, .. } => *span,
        }
    }

    /// The error as a diagnostic: what was found, what was expected, and how
    /// to fix it.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let code = self.code();
        match self {
            SyntaxError::InvalidCharacter { span, text } => {
                let plural = if text.chars().count() > 1 { "characters" } else { "character" };
                // Invisible characters are named by code point, the rest shown.
                let shown = if text.chars().any(invisible) {
                    describe_run(text)
                } else {
                    format!("`{text}`")
                };
                let d = Diagnostic::error(code, format!("invalid {plural} {shown}"), *span, "not part of any token");
                match invalid_char_help(text) {
                    Some(help) => d.with_help(help),
                    None => d,
                }
            }
            SyntaxError::UnterminatedString { span } => {
                Diagnostic::error(code, "unterminated string", *span, "this string has no closing `\"`")
                    .with_help("close the string with `\"` on the same line; write `\\n` for a line break inside it")
            }
            SyntaxError::InvalidEscape { span, escape } => {
                Diagnostic::error(code, format!("invalid escape `{escape}` in a string"), *span, "unknown escape")
                    .with_help("the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`; write `\\\\` for a backslash")
            }
            SyntaxError::InvalidNumber { span, text, problem } => {
                let (label, help) = match problem {
                    NumberProblem::TrailingLetters => (
                        "letters run on from the digits",
                        "numbers are written like `3`, `3.6`, `.5` or `1e-3`; to multiply, write `2 * x`",
                    ),
                    NumberProblem::MissingExponent => {
                        ("the exponent has no digits", "write the exponent in full, e.g. `1e-3` or `2.5E+4`")
                    }
                    NumberProblem::ExtraDot => ("a number has at most one `.`", "remove the extra `.`"),
                    NumberProblem::TooLarge => {
                        ("too large for a 64-bit float", "the largest finite value is about `1.8e308`")
                    }
                };
                Diagnostic::error(code, format!("invalid number `{text}`"), *span, label).with_help(help)
            }
            SyntaxError::UnexpectedToken { span, found, expected, unclosed } => {
                let title = if expected.is_empty() {
                    format!("unexpected {found}")
                } else {
                    format!("expected {}, found {found}", list(expected))
                };
                let label = if expected.is_empty() {
                    "not expected here".to_string()
                } else {
                    format!("expected {} here", list(expected))
                };
                let mut d = Diagnostic::error(code, title, *span, label);
                if let Some(help) = unexpected_help(found, expected) {
                    d = d.with_help(help);
                }
                with_unclosed(d, *unclosed)
            }
            SyntaxError::UnexpectedEnd { span, expected, unclosed } => {
                let label = if expected.is_empty() {
                    "the input ends here".to_string()
                } else {
                    format!("expected {} here", list(expected))
                };
                let d = Diagnostic::error(code, "unexpected end of input", *span, label)
                    .with_help("the script ends in the middle of a statement: complete it, or remove it");
                with_unclosed(d, *unclosed)
            }
            SyntaxError::UnmatchedBracket { span, found } => {
                let open = match found {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                Diagnostic::error(code, format!("unmatched `{found}`"), *span, format!("no `{open}` is open here"))
                    .with_help(format!("remove this `{found}`, or add the `{open}` it should close"))
            }
            SyntaxError::MismatchedBracket { span, found, open, open_char } => {
                let close = super::lexer::closer_of(*open_char);
                Diagnostic::error(
                    code,
                    format!("mismatched `{found}`: expected `{close}`"),
                    *span,
                    format!("expected `{close}` here"),
                )
                .with_label(*open, format!("to close this `{open_char}`"))
                .with_help(format!("close `{open_char}` with `{close}`"))
            }
            SyntaxError::NestingTooDeep { span, limit } => {
                Diagnostic::error(code, "brackets nested too deeply", *span, format!("more than {limit} brackets open here"))
                    .with_help("split the expression into smaller parts with `let`")
            }
            SyntaxError::ExpressionTooDeep { span, limit } => Diagnostic::error(
                code,
                "expression nested too deeply",
                *span,
                format!("this expression nests more than {limit} levels"),
            )
            .with_help("split the expression into smaller parts with `let`"),
            SyntaxError::BadField { span, name } => Diagnostic::error(
                code,
                format!("unknown field `.{name}`"),
                *span,
                "only `.T` (transpose) may follow a `.`",
            )
            .with_help(format!("values have no fields; to apply a function write `{name}(x)`, to transpose write `x.T`")),
            SyntaxError::BadAssignTarget { span } => Diagnostic::error(
                code,
                "cannot assign to this",
                *span,
                "not a name",
            )
            .with_help("only a name (`x = ...`) or entries of one (`x[i] = ...`) can be assigned to; to define a function write `fn f(x) = ...`"),
            SyntaxError::ChainedComparison { span, first } => {
                Diagnostic::error(code, "comparisons cannot be chained", *span, "second comparison")
                    .with_label(*first, "first comparison")
                    .with_help("write `a < b and b < c`, or add parentheses")
            }
            SyntaxError::PositionalAfterOption { span, option } => Diagnostic::error(
                code,
                "positional argument after an option",
                *span,
                "this argument comes after an option",
            )
            .with_label(*option, "option given here")
            .with_help("put `name=value` options after all positional arguments"),
            SyntaxError::TooManyErrors { span, more, shown } => Diagnostic::error(
                code,
                format!("{more} more syntax errors are not shown"),
                *span,
                "the next one is here",
            )
            .with_help(format!("fix the first {shown} and run again")),
        }
    }
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_diagnostic().title)
    }
}

impl std::error::Error for SyntaxError {}

/// `a`, `a or b`, `a, b or c`.
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn with_unclosed(d: Diagnostic, unclosed: Option<(Span, char)>) -> Diagnostic {
    match unclosed {
        Some((open, ch)) => {
            let close = super::lexer::closer_of(ch);
            d.with_label(open, format!("this `{ch}` is never closed"))
                .with_help(format!("add the missing `{close}`"))
        }
        None => d,
    }
}

/// Characters that would not show up in a message: control characters,
/// whitespace other than a plain space, zero-width and direction marks.
fn invisible(c: char) -> bool {
    c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{202A}'..='\u{202E}')
}

/// A run of characters with an invisible one among them, briefly: each
/// distinct character once, and how many there are when it is more than a
/// few (a binary file is one long run).
fn describe_run(text: &str) -> String {
    let mut distinct: Vec<char> = Vec::new();
    for c in text.chars() {
        if !distinct.contains(&c) {
            distinct.push(c);
        }
    }
    let count = text.chars().count();
    let shown: Vec<String> = distinct.iter().take(4).map(|&c| describe_char(c)).collect();
    let more = if distinct.len() > 4 { ", ..." } else { "" };
    if count > 4 || count > distinct.len() {
        format!("{}{more} ({count} in a row)", shown.join(", "))
    } else {
        format!("{}{more}", shown.join(", "))
    }
}

/// `` `x` ``, or `U+00A0 (a no-break space)` for an invisible character.
fn describe_char(c: char) -> String {
    let name = match c {
        '\0' => " (NUL)",
        '\u{1B}' => " (escape)",
        '\u{A0}' => " (a no-break space)",
        '\u{200B}' => " (a zero-width space)",
        '\u{85}' | '\u{2028}' | '\u{2029}' => " (a line separator)",
        '\u{3000}' => " (an ideographic space)",
        _ => "",
    };
    if invisible(c) {
        format!("U+{:04X}{name}", c as u32)
    } else {
        format!("`{c}`")
    }
}

/// Hints for characters that other languages, word processors or other
/// encodings bring in.
fn invalid_char_help(text: &str) -> Option<&'static str> {
    if text.contains('\0') {
        return Some("remove it; gradlang scripts are UTF-8 text, and a NUL byte usually means the file is binary or saved as UTF-16");
    }
    Some(match text.chars().next()? {
        '!' => "write `not x` for logical negation; `!=` means not equal",
        '&' => "write `and` for logical and",
        '|' => "write `or` for logical or",
        '\'' => "strings use double quotes: \"...\"",
        '%' => "there is no `%` operator",
        '“' | '”' | '„' => "strings use straight double quotes: \"...\"",
        '‘' | '’' => "strings use straight double quotes: \"...\"",
        '−' | '–' | '—' => "write the minus sign as `-`",
        '×' | '·' => "write multiplication as `*`",
        '÷' => "write division as `/`",
        '≤' => "write `<=`",
        '≥' => "write `>=`",
        '≠' => "write `!=`",
        c if c.is_control() => "remove it; control characters have no meaning in a script",
        c if invisible(c) => "replace it with a plain space, or remove it",
        c if !c.is_ascii() && c.is_alphabetic() => "names use only ASCII letters, digits and `_`",
        _ => "remove it, or move it into a string or a `#` comment",
    })
}

/// For a line that starts with operator `op` (in backquotes) after a
/// complete statement: how to continue the line above instead.
pub fn continue_line_help(op: &str) -> String {
    format!(
        "a line starting with {op} begins a new statement; to continue the expression on the line above, end that line with {op} (a line ending with an operator goes on), or wrap the whole expression in parentheses"
    )
}

fn unexpected_help(found: &str, expected: &[String]) -> Option<String> {
    let expects = |what: &str| expected.iter().any(|e| e == what);
    if found == "`=`" && expects("an operator") {
        return Some(
            "to compare values, use `==`; only a plain name can be assigned with `=`".to_string(),
        );
    }
    if found == "`..`" {
        return Some("a range `a..b` may only follow `for i in`".to_string());
    }
    if found == "`//`" {
        return Some("gradlang comments start with `#`: write `# ...`".to_string());
    }
    if found == "`{`" && expects("`..`") {
        return Some(
            "a `for` loop runs over a range `a..b`: write `for i in 0..10`, not `range(10)`"
                .to_string(),
        );
    }
    if found == "`**`" {
        return Some("there is no `**`; write powers as `x^2`".to_string());
    }
    if found == "`else`" {
        return Some("`else` must follow the `}` of an `if` block".to_string());
    }
    if found == "`:`" && expects("`=`") {
        return Some("to assign, write `x = 3`; `let x = 3` introduces a new name".to_string());
    }
    if expected == ["`if`", "`{`"] {
        return Some("`else` is followed by a block, `else { ... }`, or another `if`".to_string());
    }
    if found == "`=`" && expects("a name") {
        return Some("a name is missing before `=`, e.g. `let x = 1`".to_string());
    }
    let operator = [
        "`*`", "`/`", "`@`", "`^`", "`<`", "`<=`", "`>`", "`>=`", "`==`", "`!=`", "`and`", "`or`",
    ];
    if expects("a statement") && (operator.contains(&found) || found == "`+`") {
        return Some(continue_line_help(found));
    }
    if expects("an expression") && operator.contains(&found) {
        return Some(format!("{found} needs a value on each side"));
    }
    if expects("a name")
        && found.starts_with('`')
        && super::lexer::is_keyword(found.trim_matches('`'))
    {
        return Some(format!("{found} is a keyword and cannot be used as a name"));
    }
    if expects("a newline") && expects("`,`") && found != "a newline" {
        return Some("separate items with `,`, and statements with a newline or `;`".to_string());
    }
    if expects("a newline") && found != "a newline" {
        return Some("put each statement on its own line, or separate them with `;`".to_string());
    }
    None
}
