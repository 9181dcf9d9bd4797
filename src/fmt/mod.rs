//! `gradlang fmt`: one canonical layout for a script (docs/formatting.md).
//!
//! The formatter works on lines and tokens, not on the syntax tree: it keeps
//! every line break, token and comment the author wrote and rewrites only
//! the whitespace around them — indentation, the spaces between tokens,
//! blank lines (at most one in a row), the alignment of trailing comments —
//! and drops a `;` that ends a line. Since tokens are never added, removed
//! or re-spelled (parentheses, number literals and strings stay as
//! written) and lines are never joined or split, the script means what it
//! meant. That is also checked on every call: the output's tokens, after
//! the lexer's newline rules, must be the input's, or nothing is changed.
//!
//! Comments come from the side channel in [`crate::syntax::trivia`]; the
//! parser is only asked whether the script is well formed.

pub mod command;
mod lines;
mod style;

use std::fmt;

use crate::syntax::lexer::{tokenize, Token};
use crate::syntax::span::Span;
use crate::syntax::SyntaxError;

/// Why a script was not formatted.
#[derive(Debug, Clone, PartialEq)]
pub enum FormatError {
    /// The script does not parse: every syntax error, as `gradlang check`
    /// reports them. A script is formatted only once it parses.
    Syntax(Vec<SyntaxError>),
    /// The formatted text would have read differently from the input,
    /// starting at this span of the input. This is a bug in the formatter;
    /// the script is left as it is.
    Changed(Span),
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Syntax(errors) => write!(
                f,
                "the script has {} syntax error(s); fix them before formatting",
                errors.len()
            ),
            FormatError::Changed(span) => write!(
                f,
                "formatting would change the tokens at bytes {}..{} (a bug in the formatter; \
                 please report it); the script is left as it is",
                span.start, span.end
            ),
        }
    }
}

/// Spaces per level of indentation.
const INDENT: &str = "    ";
/// Spaces between code and a trailing comment (at least).
const COMMENT_GAP: usize = 2;

/// `source` in the canonical style, or why it cannot be formatted. The
/// result always ends with one newline (unless it is empty) and formatting
/// it again gives it back unchanged.
pub fn format_source(source: &str) -> Result<String, FormatError> {
    crate::syntax::parse(source).map_err(FormatError::Syntax)?;
    let lines = lines::lines(source);
    let mut styler = style::Styler::default();
    let styled: Vec<(String, Option<&str>, bool)> = lines
        .iter()
        .map(|line| {
            let (depth, code) = styler.line(line);
            let code = INDENT.repeat(depth) + &code;
            (code, line.comment, line.blank_before)
        })
        .collect();
    let out = render(&styled);
    same_tokens(source, &out)?;
    Ok(out)
}

/// Joins styled lines, `(code, comment, blank line before)`. The trailing
/// comments of a paragraph (the lines between two blank lines) line up in
/// one column, two spaces after the longest code line that has one.
fn render(lines: &[(String, Option<&str>, bool)]) -> String {
    let width = |code: &str| code.chars().count();
    let trailing = |(code, comment, _): &(String, Option<&str>, bool)| {
        comment.is_some() && !code.trim_start().is_empty()
    };
    let mut out = String::new();
    let mut column = 0;
    for (i, line) in lines.iter().enumerate() {
        let (code, comment, blank) = line;
        if *blank {
            out.push('\n');
        }
        if i == 0 || *blank {
            let paragraph = lines[i..]
                .iter()
                .enumerate()
                .take_while(|(j, l)| *j == 0 || !l.2)
                .map(|(_, l)| l);
            column = paragraph
                .filter(|l| trailing(l))
                .map(|l| width(&l.0))
                .max()
                .unwrap_or(0)
                + COMMENT_GAP;
        }
        out.push_str(code);
        if let Some(comment) = comment {
            if trailing(line) {
                out.push_str(&" ".repeat(column - width(code)));
            }
            out.push_str(comment);
        }
        out.push('\n');
    }
    out
}

/// Checks that `after` reads as the same tokens as `before`: the same
/// kinds, spelled the same, with statements separated at the same places (a
/// `;` and a separating newline count as the same).
fn same_tokens(before: &str, after: &str) -> Result<(), FormatError> {
    let read = |src: &str| -> Vec<(Token, String, Span)> {
        tokenize(src)
            .tokens
            .into_iter()
            .map(|(start, token, end)| {
                let span = Span::new(start, end);
                match token {
                    Token::Semi | Token::Newline => (Token::Newline, String::new(), span),
                    token => (
                        token,
                        src.get(span.range()).unwrap_or_default().to_string(),
                        span,
                    ),
                }
            })
            .collect()
    };
    let (old, new) = (read(before), read(after));
    let differs = old
        .iter()
        .zip(&new)
        .find(|(a, b)| (&a.0, &a.1) != (&b.0, &b.1))
        .map(|(a, _)| a.2);
    match differs {
        Some(span) => Err(FormatError::Changed(span)),
        None if old.len() != new.len() => {
            let at = old.get(new.len()).map_or(before.len(), |t| t.2.start);
            Err(FormatError::Changed(Span::new(at, at)))
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(src: &str) -> String {
        match format_source(src) {
            Ok(out) => out,
            Err(e) => panic!("{e}: {src}"),
        }
    }

    #[test]
    fn spaces_operators_and_keeps_options_and_powers_tight() {
        assert_eq!(fmt("let  y=x *x^ 2+-1"), "let y = x * x^2 + -1\n");
        assert_eq!(
            fmt("minimize with adam lr = 0.1 , steps = 10"),
            "minimize with adam lr=0.1, steps=10\n"
        );
        assert_eq!(
            fmt("print f( x , dim = 0 )[ 1 : , :: -1 ]"),
            "print f(x, dim=0)[1:, ::-1]\n"
        );
    }

    #[test]
    fn a_syntax_error_is_refused() {
        assert!(matches!(
            format_source("let = 1"),
            Err(FormatError::Syntax(_))
        ));
    }

    #[test]
    fn the_token_check_catches_a_change() {
        assert!(same_tokens("a = 1\nb", "a = 1; b").is_ok());
        assert!(matches!(
            same_tokens("a - b", "a\n- b"),
            Err(FormatError::Changed(_))
        ));
        assert!(matches!(
            same_tokens("x = 1.0", "x = 1."),
            Err(FormatError::Changed(_))
        ));
    }
}
