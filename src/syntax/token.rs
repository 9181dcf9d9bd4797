//! The tokens of gradlang as logos recognises them, with their names in
//! messages and the keywords. [`super::lexer`] decides which newlines
//! become separators and decodes numbers and strings.

use logos::Logos;

/// A token as the grammar sees it. Logos recognises every variant but
/// [`Token::Error`]; the values of `Number` and `Str` are filled in by
/// [`tokenize`].
#[derive(Debug, Clone, PartialEq, Logos)]
#[logos(skip r"[ \t\r\f\u{FEFF}]+")]
#[logos(skip(r"#[^\n]*", allow_greedy = true))]
pub enum Token {
    // Literals and names. Logos only recognises their shape; `tokenize`
    // decodes the text, so a bad escape or number keeps its exact span.
    #[regex(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?", |_| 0.0, priority = 10)]
    #[regex(r"\.[0-9]+([eE][+-]?[0-9]+)?", |_| 0.0, priority = 10)]
    Number(f64),
    #[regex(r#""([^"\\\n]|\\[^\n])*""#, |_| String::new())]
    Str(String),
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice().to_string())]
    Ident(String),

    // Keywords.
    #[token("let")]
    Let,
    #[token("param")]
    Param,
    #[token("loss")]
    Loss,
    #[token("residual")]
    Residual,
    #[token("minimize")]
    Minimize,
    #[token("maximize")]
    Maximize,
    #[token("with")]
    With,
    #[token("print")]
    Print,
    #[token("fn")]
    Fn,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("for")]
    For,
    #[token("while")]
    While,
    #[token("break")]
    Break,
    #[token("continue")]
    Continue,
    #[token("in")]
    In,
    #[token("seed")]
    Seed,
    #[token("save")]
    Save,
    #[token("load")]
    Load,
    #[token("assert")]
    Assert,
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("not")]
    Not,
    #[token("true")]
    True,
    #[token("false")]
    False,

    // Operators and punctuation.
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("@")]
    At,
    #[token("^")]
    Caret,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("==")]
    EqEq,
    #[token("!=")]
    Ne,
    #[token("=")]
    Assign,
    #[token("+=")]
    PlusAssign,
    #[token("-=")]
    MinusAssign,
    #[token("*=")]
    StarAssign,
    #[token("/=")]
    SlashAssign,
    #[token("%=")]
    PercentAssign,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token(":")]
    Colon,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,

    /// A newline. The layout pass keeps one only where it ends a statement:
    /// not inside `()` or `[]`, not right after a binary operator, `,`, `..`,
    /// `=` or an opening bracket, not right before `}`, `else` or the end of
    /// input, and at most one in a run of newlines and `;`.
    #[token("\n")]
    Newline,

    // Malformed input, recognised only to report it precisely.
    /// A number running into letters (`2x`), or an exponent without digits.
    #[regex(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?[A-Za-z_][A-Za-z0-9_]*")]
    #[regex(r"\.[0-9]+([eE][+-]?[0-9]+)?[A-Za-z_][A-Za-z0-9_]*")]
    #[regex(r"[0-9]+(\.[0-9]+)?[eE][+-]")]
    BadNumber,
    /// A string that reaches the end of the line without its closing quote.
    #[regex(r#""([^"\\\n]|\\[^\n])*\\?"#)]
    OpenString,

    /// Stands for input that could not be read; the error is already
    /// reported, and no grammar rule accepts this token.
    Error,
}

impl Token {
    /// Describes the token for "found ..." in messages; `text` is its source.
    pub fn describe(&self, text: &str) -> String {
        match self {
            Token::Number(_) | Token::Ident(_) => format!("`{text}`"),
            Token::Str(_) => "a string".to_string(),
            Token::Newline => "a newline".to_string(),
            Token::Error => "an invalid token".to_string(),
            _ => format!("`{text}`"),
        }
    }

    /// Whether a newline right after this token continues the statement.
    pub(crate) fn continues_line(&self) -> bool {
        use Token::*;
        matches!(
            self,
            Plus | Minus
                | Star
                | Slash
                | Percent
                | At
                | Caret
                | Lt
                | Le
                | Gt
                | Ge
                | EqEq
                | Ne
                | And
                | Or
                | Not
                | Assign
                | PlusAssign
                | MinusAssign
                | StarAssign
                | SlashAssign
                | PercentAssign
                | Comma
                | DotDot
                | LParen
                | LBracket
                | LBrace
        )
    }

    /// Keywords that begin a statement and can never appear inside an
    /// expression, so one after a newline inside `(` shows a missing `)`.
    pub(super) fn starts_statement_only(&self) -> bool {
        use Token::*;
        matches!(
            self,
            Let | Param
                | Residual
                | Fn
                | For
                | While
                | Break
                | Continue
                | Print
                | Minimize
                | Maximize
                | Seed
                | Save
                | Load
                | Assert
        )
    }

    pub(super) fn opening(&self) -> Option<char> {
        match self {
            Token::LParen => Some('('),
            Token::LBracket => Some('['),
            Token::LBrace => Some('{'),
            _ => None,
        }
    }

    pub(super) fn closing(&self) -> Option<char> {
        match self {
            Token::RParen => Some(')'),
            Token::RBracket => Some(']'),
            Token::RBrace => Some('}'),
            _ => None,
        }
    }
}

/// Whether `word` is reserved, so it cannot name anything.
pub fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "let"
            | "param"
            | "loss"
            | "residual"
            | "minimize"
            | "maximize"
            | "with"
            | "print"
            | "fn"
            | "if"
            | "else"
            | "for"
            | "while"
            | "break"
            | "continue"
            | "in"
            | "seed"
            | "save"
            | "load"
            | "assert"
            | "and"
            | "or"
            | "not"
            | "true"
            | "false"
    )
}
