//! Tokens, and the layout pass that turns logos' raw tokens into what the
//! grammar sees.
//!
//! Why two stages: logos matches regular patterns and nothing else. Whether a
//! newline ends a statement depends on context (open brackets, the token
//! before it, whether `else` follows), and logos errors carry no position.
//! So [`tokenize`] walks the raw tokens once and
//! - decides which newlines and `;` become statement separators (see
//!   [`Token::Newline`]),
//! - decodes strings and numbers, reporting bad ones with their spans,
//! - tracks bracket nesting, reporting stray or mismatched closers and
//!   stopping beyond [`MAX_NESTING`] levels,
//! - replaces anything it could not read with [`Token::Error`], so the parser
//!   skips that statement instead of reporting the same problem twice.
//!
//! It runs eagerly into a `Vec`: the parser wrapper needs the bracket facts
//! afterwards to explain syntax errors.

use logos::Logos;

use super::error::{NumberProblem, SyntaxError};
use super::span::Span;
pub use super::token::{is_keyword, Token};

/// How many brackets (`(`, `[`, `{`) may be open at once.
pub const MAX_NESTING: usize = 256;

/// The bracket that closes `open`.
pub fn closer_of(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

fn opener_of(close: char) -> char {
    match close {
        ')' => '(',
        ']' => '[',
        _ => '{',
    }
}

/// An opening bracket and, once seen, the closer that matched it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bracket {
    pub open: Span,
    pub ch: char,
    /// The closer that ended it (even a mismatched one); `None` when it
    /// was left open.
    pub close: Option<Span>,
    /// Where the lexer gave up on it when left open: the end of the line
    /// after which a new statement began.
    pub abandoned: Option<usize>,
}

impl Bracket {
    /// Whether the bracket is open at byte `pos`.
    pub fn is_open_at(&self, pos: usize) -> bool {
        self.open.start < pos
            && match (self.close, self.abandoned) {
                (Some(close), _) => close.start >= pos,
                (None, Some(end)) => end >= pos,
                (None, None) => true,
            }
    }
}

/// The result of [`tokenize`].
#[derive(Debug, Clone, Default)]
pub struct Lexed {
    /// Tokens for the parser, as `(start, token, end)`.
    pub tokens: Vec<(usize, Token, usize)>,
    /// Lexical and bracket errors, in source order.
    pub errors: Vec<SyntaxError>,
    /// Every opening bracket, in source order.
    pub brackets: Vec<Bracket>,
    /// Where lexing stopped early (brackets nested too deeply), if it did.
    pub cut: Option<usize>,
}

/// Lexes `src` and applies the newline rules; never fails, never panics.
pub fn tokenize(src: &str) -> Lexed {
    let mut layout = Layout {
        src,
        out: Lexed::default(),
        pending: None,
        newline_in_parens: None,
        stack: Vec::new(),
    };
    let mut raw = Token::lexer(src).spanned().peekable();
    while let Some((result, range)) = raw.next() {
        let mut span = Span::new(range.start, range.end);
        let token = match result {
            Ok(token) => token,
            Err(()) => {
                // Merge a run of unreadable characters into one error, and
                // keep the span on character boundaries.
                while let Some((Err(()), next)) = raw.peek() {
                    if next.start != span.end {
                        break;
                    }
                    span.end = next.end;
                    raw.next();
                }
                span = char_span(src, span);
                let text = src.get(span.range()).unwrap_or_default().to_string();
                layout
                    .out
                    .errors
                    .push(SyntaxError::InvalidCharacter { span, text });
                Token::Error
            }
        };
        let token = match token {
            Token::Number(_) => {
                // `1.2.3` lexes as `1.2` then `.3`: one bad number.
                if let Some((Ok(Token::Number(_)), next)) = raw.peek() {
                    if next.start == span.end {
                        span.end = next.end;
                        raw.next();
                        layout.bad_number(span, NumberProblem::ExtraDot)
                    } else {
                        layout.number(span)
                    }
                } else {
                    layout.number(span)
                }
            }
            Token::BadNumber => {
                // What follows the digits tells the two mistakes apart.
                let text = src.get(span.range()).unwrap_or_default();
                let rest = text.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
                let problem = if matches!(rest, "e" | "E" | "e+" | "e-" | "E+" | "E-") {
                    NumberProblem::MissingExponent
                } else {
                    NumberProblem::TrailingLetters
                };
                layout.bad_number(span, problem)
            }
            Token::Str(_) => layout.string(span),
            Token::OpenString => {
                layout
                    .out
                    .errors
                    .push(SyntaxError::UnterminatedString { span });
                Token::Error
            }
            other => other,
        };
        if !layout.push(token, span) {
            break;
        }
    }
    layout.out
}

/// Widens `span` to whole UTF-8 characters of `src`.
fn char_span(src: &str, span: Span) -> Span {
    let mut start = span.start.min(src.len());
    while !src.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, src.len());
    while !src.is_char_boundary(end) {
        end += 1;
    }
    Span::new(start, end)
}

struct Layout<'s> {
    src: &'s str,
    out: Lexed,
    /// A separator waiting to see what follows it: dropped before `}`,
    /// `else` or the end, emitted otherwise.
    pending: Option<(usize, Token, usize)>,
    /// The first newline of a run inside `()` or `[]`, kept until the next
    /// token shows whether the bracket was really left open.
    newline_in_parens: Option<(usize, Token, usize)>,
    /// Indices into `out.brackets` of the brackets now open.
    stack: Vec<usize>,
}

impl Layout<'_> {
    fn number(&mut self, span: Span) -> Token {
        let text = self.src.get(span.range()).unwrap_or_default();
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Token::Number(value),
            _ => self.bad_number(span, NumberProblem::TooLarge),
        }
    }

    fn bad_number(&mut self, span: Span, problem: NumberProblem) -> Token {
        let text = self.src.get(span.range()).unwrap_or_default().to_string();
        self.out.errors.push(SyntaxError::InvalidNumber {
            span,
            text,
            problem,
        });
        // A number still stands where the user meant one, so parsing goes on.
        Token::Number(0.0)
    }

    /// Decodes a complete string literal, reporting unknown escapes.
    fn string(&mut self, span: Span) -> Token {
        let raw = self
            .src
            .get(span.start + 1..span.end - 1)
            .unwrap_or_default();
        let mut value = String::with_capacity(raw.len());
        let mut chars = raw.char_indices();
        while let Some((_, c)) = chars.next() {
            if c != '\\' {
                value.push(c);
                continue;
            }
            match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, '"')) => value.push('"'),
                Some((_, '\\')) => value.push('\\'),
                Some((at, other)) => {
                    // `at` is the offset of the escaped character in `raw`.
                    let start = span.start + at;
                    let esc = Span::new(start, start + 1 + other.len_utf8());
                    self.out.errors.push(SyntaxError::InvalidEscape {
                        span: esc,
                        escape: format!("\\{other}"),
                    });
                    value.push(other);
                }
                None => value.push('\\'),
            }
        }
        Token::Str(value)
    }

    fn last(&self) -> Option<&Token> {
        self.out.tokens.last().map(|(_, t, _)| t)
    }

    /// Handles one token; returns false when lexing must stop.
    fn push(&mut self, token: Token, span: Span) -> bool {
        match token {
            Token::Newline | Token::Semi => {
                self.separator(token, span);
                return true;
            }
            _ => {}
        }
        if let Some(newline) = self.newline_in_parens.take() {
            if token.starts_statement_only() {
                // A `(` or `[` was left open on an earlier line. Close the
                // open ones (they stay unclosed in `brackets`, for the error
                // message) and let the newline end the statement, so the
                // parser can resume here instead of swallowing the rest of
                // the file.
                let keep = self
                    .stack
                    .iter()
                    .rposition(|&i| self.out.brackets[i].ch == '{');
                for i in self.stack.drain(keep.map_or(0, |k| k + 1)..) {
                    self.out.brackets[i].abandoned = Some(newline.0);
                }
                self.out.tokens.push(newline);
            }
        }
        if let Some(sep) = self.pending.take() {
            let drop = token == Token::RBrace || (token == Token::Else && sep.1 == Token::Newline);
            if !drop {
                self.out.tokens.push(sep);
            }
        }
        if let Some(ch) = token.opening() {
            if self.stack.len() >= MAX_NESTING {
                self.out.errors.push(SyntaxError::NestingTooDeep {
                    span,
                    limit: MAX_NESTING,
                });
                self.out.cut = Some(span.start);
                return false;
            }
            self.stack.push(self.out.brackets.len());
            self.out.brackets.push(Bracket {
                open: span,
                ch,
                close: None,
                abandoned: None,
            });
        } else if let Some(ch) = token.closing() {
            self.close(ch, span);
        }
        self.out.tokens.push((span.start, token, span.end));
        true
    }

    fn separator(&mut self, token: Token, span: Span) {
        let in_parens = self
            .stack
            .last()
            .is_some_and(|&i| self.out.brackets[i].ch != '{');
        if token == Token::Newline && in_parens {
            self.newline_in_parens
                .get_or_insert((span.start, token, span.end));
            return;
        }
        if let Some(pending) = self.pending.as_mut() {
            // A run collapses into one separator; a `;` in it wins, so that
            // `}` `;` `else` stays an error instead of joining up.
            if token == Token::Semi {
                pending.1 = Token::Semi;
            }
            return;
        }
        let skip = match self.last() {
            // Nothing to separate yet.
            None | Some(Token::LBrace) => true,
            Some(last) => token == Token::Newline && last.continues_line(),
        };
        if !skip {
            self.pending = Some((span.start, token, span.end));
        }
    }

    fn close(&mut self, ch: char, span: Span) {
        let want = opener_of(ch);
        let Some(&top) = self.stack.last() else {
            self.out
                .errors
                .push(SyntaxError::UnmatchedBracket { span, found: ch });
            return;
        };
        if self.out.brackets[top].ch == want {
            self.stack.pop();
            self.out.brackets[top].close = Some(span);
            return;
        }
        // Closes an outer bracket: the inner ones were left open, and the
        // parser's error at this token will point at them.
        if let Some(pos) = self
            .stack
            .iter()
            .rposition(|&i| self.out.brackets[i].ch == want)
        {
            for inner in self.stack.drain(pos + 1..) {
                self.out.brackets[inner].abandoned = Some(span.start);
            }
            let outer = self.stack[pos];
            self.stack.truncate(pos);
            self.out.brackets[outer].close = Some(span);
            return;
        }
        // A `)` or `]` inside a block is more likely one too many; between
        // `(` and `]` it is more likely a typo for the right closer.
        let open = self.out.brackets[top];
        if open.ch == '{' {
            self.out
                .errors
                .push(SyntaxError::UnmatchedBracket { span, found: ch });
            return;
        }
        self.stack.pop();
        self.out.brackets[top].close = Some(span);
        self.out.errors.push(SyntaxError::MismatchedBracket {
            span,
            found: ch,
            open: open.open,
            open_char: open.ch,
        });
    }
}
