//! gradlang: a small scripting language whose values carry gradients.
//!
//! The pipeline, one module per stage:
//! - [`syntax`]: source text → tokens (logos) → AST with spans (lalrpop).
//! - [`eval`]: the interpreter — bindings (data, formulas, params), builtins,
//!   `minimize`.
//! - [`autodiff`]: the tape; each op's forward and backward side by side.
//! - [`tensor`]: f64 tensors with a heap-free scalar path and broadcasting.
//! - [`optim`]: the optimizers, one file each, on flat parameter vectors.
//! - [`format`]: PyTorch-style printing of tensors.
//! - [`fmt`]: `gradlang fmt`, the source formatter (comments kept beside
//!   the tokens by [`syntax::trivia`]).
//! - [`diagnostic`]: the one place errors become text.
//! - [`rng`]: the portable random generator.
//! - [`export`]: a script as a standalone JAX program (`export --jax`).
//! - Front ends: [`driver`] (run a whole script), [`check`], [`repl`],
//!   [`lsp`] (the language server), [`report`] (`--json`, `--plot`),
//!   [`progress`]; `main.rs` is the CLI.
//!
//! The `cli` feature (on by default) holds what needs a terminal or
//! threads: [`repl`], [`lsp`], [`progress`] and the thread pool of the fused
//! replay. Without it the library builds for wasm32-unknown-unknown (the
//! browser playground in playground/wasm), where no clock, thread or file is used.

// Errors carry their spans and words by value; they are the cold path, so
// their size in `Result` is not worth boxing for.
#![allow(clippy::result_large_err)]

pub mod autodiff;
pub mod check;
pub mod diagnostic;
pub mod driver;
pub mod eval;
pub mod export;
pub mod fmt;
pub mod format;
pub mod lint;
#[cfg(feature = "cli")]
pub mod lsp;
pub mod optim;
#[cfg(feature = "cli")]
pub mod progress;
#[cfg(feature = "cli")]
pub mod repl;
pub mod report;
pub mod rng;
pub mod syntax;
pub mod tensor;
pub mod vecmath;
