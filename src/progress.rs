//! A live progress bar on stderr for long `minimize` runs.
//!
//! The interpreter calls the observer before every step, and a step can
//! take well under a microsecond, so the usual call must cost one
//! comparison: the clock is read only at `next_check`, a step chosen from
//! the measured speed so that checks come about every [`CHECK_EVERY`]. The
//! bar appears once a run has taken [`SHOW_AFTER`], so short runs never
//! flicker, and is erased when the run ends, so the terminal keeps only the
//! program's own output. `main.rs` installs it only when stderr is a
//! terminal; indicatif's stderr target also stays silent otherwise.

use std::time::{Duration, Instant};

use indicatif::{ProgressDrawTarget, ProgressStyle};

use crate::eval::record::Observer;
use crate::format::format_scalar;

/// How long a run goes unseen before the bar appears.
pub const SHOW_AFTER: Duration = Duration::from_millis(500);
/// About how often the clock is read (and the bar updated).
const CHECK_EVERY: Duration = Duration::from_millis(50);
/// The bar takes what the terminal width leaves; the rest fits in ~60
/// columns, so the line never wraps (a wrapped line cannot be redrawn).
const TEMPLATE: &str = "{prefix} [{wide_bar}] {pos}/{len} {msg}";

/// Shows step, loss, steps/s and ETA once a run has taken ~0.5 s.
pub struct ProgressBar {
    show_after: Duration,
    target: fn() -> ProgressDrawTarget,
    run: Option<Run>,
}

/// The state of the run being watched.
struct Run {
    optimizer: String,
    steps: u64,
    started: Instant,
    /// The step at which the clock is read next.
    next_check: u64,
    /// Steps between clock reads; adapts to the speed, at most doubling.
    stride: u64,
    /// The step and time of the last clock read.
    last: (u64, Instant),
    /// How often the clock was read (for the tests).
    checks: u64,
    bar: Option<indicatif::ProgressBar>,
}

impl Default for ProgressBar {
    fn default() -> Self {
        ProgressBar::new()
    }
}

impl ProgressBar {
    /// A bar on stderr that shows up after [`SHOW_AFTER`].
    pub fn new() -> Self {
        ProgressBar {
            show_after: SHOW_AFTER,
            target: ProgressDrawTarget::stderr,
            run: None,
        }
    }

    fn clear(&mut self) {
        if let Some(bar) = self.run.take().and_then(|r| r.bar) {
            bar.finish_and_clear();
        }
    }
}

impl Observer for ProgressBar {
    fn start(&mut self, optimizer: &str, steps: u64) {
        // A run that ended in an error never reached `finish`.
        self.clear();
        let now = Instant::now();
        self.run = Some(Run {
            optimizer: optimizer.to_string(),
            steps,
            started: now,
            next_check: 0,
            stride: 1,
            last: (0, now),
            checks: 0,
            bar: None,
        });
    }

    #[inline]
    fn step(&mut self, step: u64, loss: f64) {
        if let Some(run) = &mut self.run {
            if step >= run.next_check {
                run.check(step, loss, self.show_after, self.target);
            }
        }
    }

    fn finish(&mut self) {
        self.clear();
    }
}

impl Drop for ProgressBar {
    fn drop(&mut self) {
        self.clear();
    }
}

impl Run {
    /// Reads the clock: plans the next read, shows or updates the bar.
    fn check(
        &mut self,
        step: u64,
        loss: f64,
        show_after: Duration,
        target: fn() -> ProgressDrawTarget,
    ) {
        let now = Instant::now();
        self.checks += 1;
        let (last_step, last_time) = self.last;
        let dt = now.duration_since(last_time).as_secs_f64();
        let fits = if dt > 0.0 {
            (step.saturating_sub(last_step) as f64 * CHECK_EVERY.as_secs_f64() / dt) as u64
        } else {
            u64::MAX
        };
        self.stride = fits.clamp(1, self.stride.saturating_mul(2));
        self.next_check = step.saturating_add(self.stride);
        self.last = (step, now);

        let elapsed = now.duration_since(self.started);
        let message = || status(step, self.steps, loss, elapsed);
        match &self.bar {
            Some(bar) => {
                bar.set_position(step);
                bar.set_message(message());
            }
            None if elapsed >= show_after => {
                let style = ProgressStyle::with_template(TEMPLATE)
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
                // Built whole before its first frame, so no frame is partial.
                let bar = indicatif::ProgressBar::with_draw_target(Some(self.steps), target())
                    .with_style(style)
                    .with_prefix(self.optimizer.clone())
                    .with_position(step)
                    .with_message(message());
                bar.tick();
                self.bar = Some(bar);
            }
            None => {}
        }
    }
}

/// `loss 1.2346e-05, 48.2k steps/s, ETA 1m05s`, from the average speed.
fn status(step: u64, steps: u64, loss: f64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let mut s = format!("loss {}", format_scalar(loss, 4));
    if step > 0 && secs > 0.0 {
        let rate = step as f64 / secs;
        let eta = steps.saturating_sub(step) as f64 / rate;
        s += &format!(", {} steps/s, ETA {}", per_sec(rate), clock(eta));
    }
    s
}

/// `0.52`, `48`, `482`, `4823`, `48.2k`, `1.9M`: at most five characters.
fn per_sec(rate: f64) -> String {
    match rate {
        r if r < 10.0 => format!("{r:.2}"),
        r if r < 1e4 => format!("{r:.0}"),
        r if r < 1e6 => format!("{:.1}k", r / 1e3),
        r => format!("{:.1}M", r / 1e6),
    }
}

/// `7s`, `3m05s`, `2h01m`.
fn clock(secs: f64) -> String {
    let s = secs.ceil() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden(show_after: Duration) -> ProgressBar {
        ProgressBar {
            show_after,
            target: ProgressDrawTarget::hidden,
            run: None,
        }
    }

    #[test]
    fn a_short_run_reads_the_clock_rarely_and_shows_nothing() {
        let mut p = hidden(Duration::from_secs(3600));
        p.start("sgd", 1_000_000);
        for step in 0..1_000_000 {
            p.step(step, 1.0);
        }
        let run = p.run.as_ref().unwrap();
        assert!(run.bar.is_none());
        // The stride doubles from 1, so ~20 reads reach a stride that spans
        // the whole (fast) run.
        assert!(run.checks < 100, "{} clock reads", run.checks);
        p.finish();
        assert!(p.run.is_none());
    }

    #[test]
    fn a_long_run_shows_the_bar_and_finish_removes_it() {
        let mut p = hidden(Duration::ZERO);
        p.start("adam", 100);
        for step in 0..10 {
            p.step(step, 0.5);
            std::thread::sleep(Duration::from_millis(1));
        }
        let bar = p.run.as_ref().unwrap().bar.clone().unwrap();
        assert_eq!(bar.length(), Some(100));
        assert!(bar.position() > 0);
        assert!(bar.message().contains("steps/s"), "{}", bar.message());
        assert_eq!(bar.prefix(), "adam");
        p.finish();
        assert!(bar.is_finished());
    }

    #[test]
    fn a_new_run_clears_one_that_never_finished() {
        let mut p = hidden(Duration::ZERO);
        p.start("adam", 100);
        p.step(0, 1.0);
        let bar = p.run.as_ref().unwrap().bar.clone().unwrap();
        p.start("sgd", 10);
        assert!(bar.is_finished());
    }

    #[test]
    fn status_line() {
        assert_eq!(status(0, 10, 2.5, Duration::ZERO), "loss 2.5000");
        assert_eq!(
            status(500, 2000, 1e-5, Duration::from_secs(1)),
            "loss 1.0000e-05, 500 steps/s, ETA 3s"
        );
        assert_eq!(per_sec(0.5), "0.50");
        assert_eq!(per_sec(48_213.0), "48.2k");
        assert_eq!(per_sec(1_918_825.0), "1.9M");
        assert_eq!(clock(185.0), "3m05s");
        assert_eq!(clock(7260.0), "2h01m");
    }
}
