//! What a run produced, kept as values for `--json` and `--plot`, and the
//! hook a front end uses to watch (or stop) a long `minimize`.

use crate::optim::OptValue;
use crate::tensor::Tensor;

/// One item of a `print` statement.
#[derive(Debug, Clone, PartialEq)]
pub enum PrintItem {
    Text(String),
    Value(Tensor),
}

/// One `minimize` / `maximize` run.
#[derive(Debug, Clone, PartialEq)]
pub struct MinimizeRecord {
    pub optimizer: String,
    /// The loss's name (`loss` for the unnamed one).
    pub loss: String,
    pub maximize: bool,
    /// Every option as written, driver options (`steps`, ...) included.
    pub options: Vec<(String, OptValue)>,
    pub steps: u64,
    /// Why it stopped before `steps`, in words; None when it ran them all.
    pub stop: Option<String>,
    /// Over all rows with mini-batches, as the summary line prints.
    pub initial_loss: f64,
    pub final_loss: f64,
    /// The loss before each step, then the final loss. With mini-batches
    /// the per-step entries are batch losses and the last is over all rows.
    pub history: Vec<f64>,
    /// For a `residual`'s loss: the RSS and standard errors at the end.
    pub fit: Option<super::fit::FitSummary>,
}

/// Everything a script printed and optimized, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub prints: Vec<Vec<PrintItem>>,
    pub minimizes: Vec<MinimizeRecord>,
}

/// Watches a `minimize` as it runs (a progress bar, for instance).
pub trait Observer {
    fn start(&mut self, optimizer: &str, steps: u64);
    /// After evaluating the loss before step `step`.
    fn step(&mut self, step: u64, loss: f64);
    fn finish(&mut self);
}
