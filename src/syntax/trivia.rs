//! Comments, kept beside the token stream rather than in it.
//!
//! The lexer skips comments and the grammar never sees them, which is what
//! the parser wants. Tools that must give the text back (the formatter) or
//! show it (an editor) read them here instead: [`pieces`] is the raw token
//! stream — every newline and `;` as written, before the layout pass
//! decides which ones separate statements — with each comment in its place.
//! Nothing here decodes or reports anything; the parser does that.

use logos::Logos;

use super::lexer::Token;
use super::span::Span;

/// One piece of source text, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// A token as logos reads it (numbers and strings not yet decoded;
    /// unreadable input is [`Token::Error`]).
    Token(Token),
    /// A `#` comment, without the newline that ends it and without trailing
    /// whitespace.
    Comment,
}

/// Every token and comment of `src` with its span, in source order;
/// whitespace is all that lies between them. Never fails.
pub fn pieces(src: &str) -> Vec<(Piece, Span)> {
    let mut out = Vec::new();
    let mut end = 0;
    for (result, range) in Token::lexer(src).spanned() {
        push_comment(src, end, range.start, &mut out);
        out.push((
            Piece::Token(result.unwrap_or(Token::Error)),
            Span::new(range.start, range.end),
        ));
        end = range.end;
    }
    push_comment(src, end, src.len(), &mut out);
    out
}

/// The text of every comment of `src`, in order (trailing whitespace
/// removed).
pub fn comments(src: &str) -> Vec<&str> {
    pieces(src)
        .into_iter()
        .filter(|(p, _)| *p == Piece::Comment)
        .filter_map(|(_, span)| src.get(span.range()))
        .collect()
}

/// The comment in the gap `from..to` between two tokens, if any. A gap holds
/// only whitespace and at most one comment, which runs to the gap's end (the
/// next token is the newline that ends it, or there is none).
fn push_comment(src: &str, from: usize, to: usize, out: &mut Vec<(Piece, Span)>) {
    let Some(gap) = src.get(from..to) else {
        return;
    };
    if let Some(at) = gap.find('#') {
        let text = gap[at..].trim_end();
        let start = from + at;
        out.push((Piece::Comment, Span::new(start, start + text.len())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_sit_between_tokens() {
        let src = "# head\nlet x = 1  # after \"a # b\"\r\n{ # open\n}\n# end";
        assert_eq!(
            comments(src),
            vec!["# head", "# after \"a # b\"", "# open", "# end"]
        );
    }

    #[test]
    fn a_hash_inside_a_string_is_not_a_comment() {
        assert!(comments("print \"# not a comment\"").is_empty());
        assert!(comments("print \"open # string").is_empty());
    }

    #[test]
    fn newlines_and_semicolons_are_kept_as_written() {
        let kinds: Vec<Piece> = pieces("a;;\n\nb").into_iter().map(|(p, _)| p).collect();
        let t = |t| Piece::Token(t);
        assert_eq!(
            kinds,
            vec![
                t(Token::Ident("a".into())),
                t(Token::Semi),
                t(Token::Semi),
                t(Token::Newline),
                t(Token::Newline),
                t(Token::Ident("b".into())),
            ]
        );
    }
}
