//! What the text before a cursor calls for, read from its tokens alone (it
//! is usually unfinished, so it may not parse): an optimizer after
//! `minimize with`, one of its options after that, or anything; and the
//! call whose parentheses the cursor is in. Shared by the REPL's line
//! editor and the language server.

use logos::Logos;

use super::lexer::Token;
use crate::optim::option_names;

/// What may come at the cursor.
#[derive(Debug, PartialEq)]
pub enum Want {
    /// After `minimize ... with`.
    Optimizer,
    /// An option of this optimizer (`lr=`), after `with NAME`.
    OptionOf(String),
    /// A keyword or any name.
    Anything,
}

/// A call the cursor is inside: `name(a, b|`.
#[derive(Debug, PartialEq)]
pub struct OpenCall {
    pub name: String,
    /// Which argument the cursor is in, counting from 0 (commas before it
    /// at the call's own level).
    pub arg: usize,
}

/// Where the identifier ending at the end of `before` starts.
pub fn word_start(before: &str) -> usize {
    before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_ascii_alphanumeric() || c == '_')
        .last()
        .map_or(before.len(), |(i, _)| i)
}

/// The tokens of `src`, skipping what does not lex.
pub fn tokens(src: &str) -> impl Iterator<Item = (Token, std::ops::Range<usize>)> + '_ {
    Token::lexer(src)
        .spanned()
        .filter_map(|(t, range)| t.ok().map(|t| (t, range)))
}

/// What may be typed after `before` (the text up to the current word).
/// The statement starts after the last newline or `;`, except that a
/// newline after a comma continues `minimize`'s options.
pub fn want_at(before: &str) -> Want {
    let mut start = 0;
    let mut end = before.len();
    while let Some(i) = before[..end].rfind(['\n', ';']) {
        let continued = before.as_bytes()[i] == b'\n'
            && before[..i]
                .trim_end_matches([' ', '\t', '\r'])
                .ends_with(',');
        if !continued {
            start = i + 1;
            break;
        }
        end = i;
    }
    let statement = &before[start..];
    let toks: Vec<Token> = tokens(statement).map(|(t, _)| t).collect();
    let toks: Vec<Token> = toks.into_iter().filter(|t| *t != Token::Newline).collect();
    if !matches!(toks.first(), Some(Token::Minimize | Token::Maximize)) {
        return Want::Anything;
    }
    let Some(with) = toks.iter().position(|t| *t == Token::With) else {
        return Want::Anything;
    };
    match (&toks[with + 1..], toks.last()) {
        ([], _) => Want::Optimizer,
        (_, Some(Token::Assign)) => Want::Anything,
        ([Token::Ident(opt), ..], _) if option_names(opt).is_some() => Want::OptionOf(opt.clone()),
        _ => Want::Anything,
    }
}

/// How many brackets are open at the end of `src`.
pub fn open_brackets(src: &str) -> usize {
    tokens(src).fold(0usize, |depth, (t, _)| match t {
        Token::LParen | Token::LBracket | Token::LBrace => depth + 1,
        Token::RParen | Token::RBracket | Token::RBrace => depth.saturating_sub(1),
        _ => depth,
    })
}

/// The call whose parentheses the end of `before` is inside, the innermost.
pub fn open_call(before: &str) -> Option<OpenCall> {
    // Each open bracket: the name it calls (for a `(` after a name) and the
    // commas seen at its level.
    let mut stack: Vec<(Option<String>, usize)> = Vec::new();
    let mut previous = None;
    for (t, _) in tokens(before) {
        match &t {
            Token::LParen => stack.push(match previous.take() {
                Some(Token::Ident(name)) => (Some(name), 0),
                _ => (None, 0),
            }),
            Token::LBracket | Token::LBrace => stack.push((None, 0)),
            Token::RParen | Token::RBracket | Token::RBrace => {
                stack.pop();
            }
            Token::Comma => {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
            }
            _ => {}
        }
        previous = Some(t);
    }
    let (name, arg) = stack.pop()?;
    Some(OpenCall { name: name?, arg })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(before: &str) -> Option<(String, usize)> {
        open_call(before).map(|c| (c.name, c.arg))
    }

    #[test]
    fn the_open_call_is_the_innermost() {
        assert_eq!(call("sum(exp(x"), Some(("exp".into(), 0)));
        assert_eq!(call("sum(exp(x), "), Some(("sum".into(), 1)));
        assert_eq!(call("clamp(x, [1, 2], "), Some(("clamp".into(), 2)));
        assert_eq!(call("(1 + "), None);
        assert_eq!(call("f(x)"), None);
    }

    #[test]
    fn words_start_on_a_character_boundary() {
        assert_eq!(word_start("print é"), 8);
        assert_eq!(word_start("print éab"), 8);
        assert_eq!(word_start("ab"), 0);
        assert_eq!(word_start(""), 0);
    }

    #[test]
    fn wants_optimizers_then_their_options() {
        assert_eq!(want_at("minimize with "), Want::Optimizer);
        assert_eq!(want_at("maximize l with "), Want::Optimizer);
        assert_eq!(
            want_at("minimize with adam lr=0.1 "),
            Want::OptionOf("adam".into())
        );
        assert_eq!(
            want_at("minimize with adam lr=0.1,\n    "),
            Want::OptionOf("adam".into())
        );
        assert_eq!(want_at("minimize with adam lr="), Want::Anything);
        assert_eq!(want_at("minimize with adam\nlet x = "), Want::Anything);
        assert_eq!(want_at("let x = 1; "), Want::Anything);
    }
}
