//! The canonical style of one line: its indentation and the spaces between
//! its tokens (docs/formatting.md describes the result).
//!
//! Spacing depends on what a token does, which the token alone does not
//! say: `-` is unary or binary, `=` assigns or names an option. [`Styler`]
//! reads the lines in order and tracks just enough of the grammar to tell
//! (open brackets, where statements start, whether a statement is a
//! `print` or `minimize`, whose `=`s are options). It never decides where
//! a line breaks, so it cannot move a statement boundary.

use crate::syntax::lexer::Token;

use super::lines::Line;

/// How a statement reads `=` so far.
#[derive(Debug, Clone, Copy, Default)]
struct Statement {
    /// The next token starts a statement.
    at_start: bool,
    /// A `print`, `minimize` or `maximize`: every `=` is an option.
    options_only: bool,
    /// Its assignment operator has been seen: a later `=` is an option.
    assigned: bool,
}

impl Statement {
    fn fresh() -> Self {
        Statement {
            at_start: true,
            ..Statement::default()
        }
    }
}

/// An open bracket.
#[derive(Debug)]
struct Open {
    token: Token,
    /// The indentation of the line it opened on: lines inside are one
    /// deeper, and a line starting with its closer is at this depth.
    line_indent: usize,
    /// The statement around a `{`, resumed after its `}`.
    outer: Statement,
}

/// What a token does here, as far as spacing cares.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    /// Unary `-`: written against its operand.
    Prefix,
    /// `=` of an option (`lr=0.1`): written tight.
    OptionEq,
    Plain,
}

/// Styles lines one after another; see the module doc.
#[derive(Debug)]
pub struct Styler {
    stack: Vec<Open>,
    stmt: Statement,
    /// The previous token and its role, across lines.
    prev: Option<(Token, Role)>,
}

impl Default for Styler {
    fn default() -> Self {
        Styler {
            stack: Vec::new(),
            stmt: Statement::fresh(),
            prev: None,
        }
    }
}

impl Styler {
    /// The line's indentation depth and its tokens, spaced; the state moves
    /// past the line and the newline after it.
    pub fn line(&mut self, line: &Line) -> (usize, String) {
        let indent = self.indent(line.tokens.first().map(|(t, _)| t));
        let mut text = String::new();
        for (i, (token, written)) in line.tokens.iter().enumerate() {
            let role = self.role(token);
            if i > 0 && self.space_before(token, role) {
                text.push(' ');
            }
            text.push_str(written);
            self.advance(token, role, indent);
        }
        self.newline();
        (indent, text)
    }

    /// Whether the innermost open bracket is `(` or `[`, where newlines do
    /// not end statements and `=` names an option.
    fn in_parens(&self) -> bool {
        self.stack
            .last()
            .is_some_and(|open| open.token != Token::LBrace)
    }

    fn prev_token(&self) -> Option<&Token> {
        self.prev.as_ref().map(|(t, _)| t)
    }

    fn indent(&self, first: Option<&Token>) -> usize {
        let inside = self.stack.last().map_or(0, |open| open.line_indent + 1);
        if first.is_some_and(is_closer) {
            return inside.saturating_sub(1);
        }
        let after_operator = self.prev_token().is_some_and(|p| {
            p.continues_line() && !is_opener(p) && !(*p == Token::Comma && self.in_parens())
        });
        let leading_operator = self.in_parens()
            && self.prev_token().is_some_and(ends_value)
            && first.is_some_and(is_infix);
        inside + usize::from(after_operator || leading_operator)
    }

    fn role(&self, token: &Token) -> Role {
        match token {
            Token::Minus
                if self.stmt.at_start && !self.in_parens()
                    || !self.prev_token().is_some_and(ends_value) =>
            {
                Role::Prefix
            }
            Token::Assign if self.in_parens() || self.stmt.options_only || self.stmt.assigned => {
                Role::OptionEq
            }
            _ => Role::Plain,
        }
    }

    /// Whether one space goes between the previous token and `token`.
    fn space_before(&self, token: &Token, role: Role) -> bool {
        let Some((prev, prev_role)) = &self.prev else {
            return false;
        };
        let tight_before = match token {
            Token::Comma
            | Token::Semi
            | Token::RParen
            | Token::RBracket
            | Token::Dot
            | Token::DotDot
            | Token::Caret => true,
            // `x[1:3]`, but `x[0, :]`.
            Token::Colon => *prev != Token::Comma,
            Token::Assign => role == Role::OptionEq,
            // A call `f(x)` or an index `x[i]`.
            Token::LParen => matches!(prev, Token::Ident(_)),
            Token::LBracket => ends_value(prev),
            Token::RBrace => *prev == Token::LBrace,
            _ => false,
        };
        let tight_after = match prev {
            Token::LParen
            | Token::LBracket
            | Token::Dot
            | Token::DotDot
            | Token::Colon
            | Token::Caret => true,
            Token::Minus | Token::Assign => *prev_role != Role::Plain,
            _ => false,
        };
        !tight_before && !tight_after
    }

    fn advance(&mut self, token: &Token, role: Role, indent: usize) {
        if self.stmt.at_start {
            self.stmt.at_start = false;
            self.stmt.options_only =
                matches!(token, Token::Print | Token::Minimize | Token::Maximize);
        }
        match token {
            Token::LParen | Token::LBracket | Token::LBrace => {
                self.stack.push(Open {
                    token: token.clone(),
                    line_indent: indent,
                    outer: self.stmt,
                });
                if *token == Token::LBrace {
                    self.stmt = Statement::fresh();
                }
            }
            Token::RParen | Token::RBracket | Token::RBrace => {
                if let Some(open) = self.stack.pop() {
                    if open.token == Token::LBrace {
                        self.stmt = open.outer;
                    }
                }
            }
            Token::Semi if !self.in_parens() => self.stmt = Statement::fresh(),
            Token::Assign
            | Token::PlusAssign
            | Token::MinusAssign
            | Token::StarAssign
            | Token::SlashAssign
            | Token::PercentAssign
                if role == Role::Plain =>
            {
                self.stmt.assigned = true
            }
            _ => {}
        }
        self.prev = Some((token.clone(), role));
    }

    /// The end of a line: the lexer's rule for whether it ends the statement.
    fn newline(&mut self) {
        let continues = self.prev_token().is_some_and(Token::continues_line);
        if !self.in_parens() && !continues {
            self.stmt = Statement::fresh();
        }
    }
}

fn is_opener(token: &Token) -> bool {
    matches!(token, Token::LParen | Token::LBracket | Token::LBrace)
}

fn is_closer(token: &Token) -> bool {
    matches!(token, Token::RParen | Token::RBracket | Token::RBrace)
}

/// Whether an expression can end with this token, so a `-` after it is
/// binary.
fn ends_value(token: &Token) -> bool {
    matches!(
        token,
        Token::Number(_)
            | Token::Str(_)
            | Token::Ident(_)
            | Token::True
            | Token::False
            | Token::Loss
            | Token::RParen
            | Token::RBracket
            | Token::RBrace
    )
}

/// Tokens that continue an expression from the left: a line inside
/// brackets starting with one is a continuation.
fn is_infix(token: &Token) -> bool {
    matches!(
        token,
        Token::Plus
            | Token::Minus
            | Token::Star
            | Token::Slash
            | Token::Percent
            | Token::At
            | Token::Caret
            | Token::Lt
            | Token::Le
            | Token::Gt
            | Token::Ge
            | Token::EqEq
            | Token::Ne
            | Token::And
            | Token::Or
            | Token::Dot
            | Token::DotDot
    )
}
