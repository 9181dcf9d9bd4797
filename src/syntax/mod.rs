//! Source text to syntax tree.
pub mod ast;
pub mod span;
