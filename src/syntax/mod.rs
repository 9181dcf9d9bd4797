//! Source text to syntax tree: the lexer (tokens and the newline rules), the
//! parser (grammar, error recovery, errors in words), the AST with byte
//! spans, the syntax errors, and the comments beside the tokens (trivia).

pub mod ast;
pub mod cursor;
pub mod error;
pub mod lexer;
pub mod parser;
pub mod span;
pub mod token;
pub mod trivia;
pub mod visit;

pub use error::SyntaxError;
pub use parser::{is_incomplete, parse, parse_recovering};
