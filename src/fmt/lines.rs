//! The formatter's view of a script: its lines as the author broke them,
//! each with its tokens and its comment, and whether blank lines came
//! before it. The formatter never joins or splits lines, so this is also
//! the shape of its output.

use crate::syntax::lexer::Token;
use crate::syntax::trivia::{pieces, Piece};

/// One non-blank line of source.
#[derive(Debug, Default)]
pub struct Line<'s> {
    /// The tokens, with their text as written (numbers and strings are
    /// never rewritten).
    pub tokens: Vec<(Token, &'s str)>,
    /// A trailing comment, or the whole line's when it has no tokens.
    pub comment: Option<&'s str>,
    /// Whether one or more blank lines came before it (they collapse to
    /// one; none are kept at the start of the file).
    pub blank_before: bool,
}

/// The non-blank lines of `src`. A `;` that ends a line after other tokens,
/// or comes right before a `}`, is dropped: it separates nothing there.
pub fn lines(src: &str) -> Vec<Line<'_>> {
    let mut out: Vec<Line> = Vec::new();
    let mut current = Line::default();
    let mut blank = false;
    for (piece, span) in pieces(src) {
        let text = src.get(span.range()).unwrap_or_default();
        match piece {
            Piece::Comment => current.comment = Some(text),
            Piece::Token(Token::Newline) => {
                if current.tokens.is_empty() && current.comment.is_none() {
                    blank = !out.is_empty();
                } else {
                    finish(&mut current, &mut blank, &mut out);
                }
            }
            Piece::Token(Token::RBrace)
                if current
                    .tokens
                    .last()
                    .is_some_and(|(t, _)| *t == Token::Semi) =>
            {
                // `{ a; }`: the `;` separates nothing.
                current.tokens.pop();
                current.tokens.push((Token::RBrace, text));
            }
            Piece::Token(token) => current.tokens.push((token, text)),
        }
    }
    if !current.tokens.is_empty() || current.comment.is_some() {
        finish(&mut current, &mut blank, &mut out);
    }
    out
}

fn finish<'s>(current: &mut Line<'s>, blank: &mut bool, out: &mut Vec<Line<'s>>) {
    let mut line = std::mem::take(current);
    if let Some(last_code) = line.tokens.iter().rposition(|(t, _)| *t != Token::Semi) {
        line.tokens.truncate(last_code + 1);
    }
    line.blank_before = std::mem::take(blank);
    out.push(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_runs_collapse_and_trailing_semicolons_go() {
        let src = "\n\na = 1;\n\n\n\n# note\nb;;  # why\n;\n\n";
        let lines = lines(src);
        let shape: Vec<(usize, Option<&str>, bool)> = lines
            .iter()
            .map(|l| (l.tokens.len(), l.comment, l.blank_before))
            .collect();
        assert_eq!(
            shape,
            vec![
                (3, None, false),
                (0, Some("# note"), true),
                (1, Some("# why"), false),
                (1, None, false),
            ]
        );
    }
}
