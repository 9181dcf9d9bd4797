//! `run --json` and `run --plot`: a run's results as data, for other
//! programs ([`json`]) and for eyes ([`svg`]). Both read the
//! [`Record`](crate::eval::record::Record) the interpreter kept; neither
//! touches the text output.

mod json;
mod svg;

pub use json::json;
pub use svg::svg;
