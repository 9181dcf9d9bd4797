//! Learning-rate schedules for `minimize ... schedule="NAME"`, following
//! torch.optim.lr_scheduler's StepLR, ExponentialLR, CosineAnnealingLR,
//! LinearLR and OneCycleLR. Like torch's `scheduler.step()` they are
//! chainable: each new rate is computed from the previous one (the
//! recursive form of `get_lr`, not the closed form), so a run retraces
//! torch's rates to the last bit (`tests/schedule_refs.rs`).
//!
//! A schedule steps once per optimizer step (per batch with mini-batches),
//! as torch's OneCycleLR is meant to; torch recipes that step StepLR or
//! CosineAnnealingLR once per epoch convert by multiplying `step_size` or
//! `T_max` by the batches per epoch (docs/optimizers.md).

use super::options::{spec, DefaultValue, OptValue, OptionError, OptionSpec, Options};

/// The schedules `schedule=` names.
pub const SCHEDULES: &[&str] = &["step", "exponential", "cosine", "linear", "onecycle"];

/// Every schedule option with its default; `schedule` itself picks which
/// of the others apply ([`options_of`]).
pub const OPTIONS: &[OptionSpec] = {
    use DefaultValue::*;
    &[
        spec("schedule", Choice("none")),
        spec("step_size", Derived("required")),
        spec("gamma", Derived("0.1 for step; required for exponential")),
        spec("T_max", Derived("steps")),
        spec("eta_min", Number(0.0)),
        spec("start_factor", Number(1.0 / 3.0)),
        spec("end_factor", Number(1.0)),
        spec("total_iters", Count(5)),
        spec("max_lr", Derived("lr")),
        spec("total_steps", Derived("steps")),
        spec("pct_start", Number(0.3)),
        spec("anneal_strategy", Choice("cos")),
        spec("div_factor", Number(25.0)),
        spec("final_div_factor", Number(1e4)),
        spec("three_phase", Flag(false)),
    ]
};

/// The options (besides `schedule`) that schedule `name` takes.
pub fn options_of(name: &str) -> &'static [&'static str] {
    match name {
        "step" => &["step_size", "gamma"],
        "exponential" => &["gamma"],
        "cosine" => &["T_max", "eta_min"],
        "linear" => &["start_factor", "end_factor", "total_iters"],
        "onecycle" => &[
            "max_lr",
            "total_steps",
            "pct_start",
            "anneal_strategy",
            "div_factor",
            "final_div_factor",
            "three_phase",
        ],
        _ => &[],
    }
}

/// Whether `name` is a schedule option (`schedule` included).
pub fn is_option(name: &str) -> bool {
    OPTIONS.iter().any(|s| s.name == name)
}

/// The schedule options that take a string.
pub const STRING_OPTIONS: &[&str] = &["schedule", "anneal_strategy"];

/// One schedule's own parameters.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Step {
        step_size: u64,
        gamma: f64,
    },
    Exponential {
        gamma: f64,
    },
    Cosine {
        t_max: f64,
        eta_min: f64,
    },
    Linear {
        start: f64,
        end: f64,
        total_iters: f64,
    },
    OneCycle(OneCycle),
}

#[derive(Debug, Clone, PartialEq)]
struct OneCycle {
    total_steps: u64,
    /// (end step, start lr, end lr) of each phase, as torch lays them out.
    phases: Vec<(f64, f64, f64)>,
    cos: bool,
}

/// A learning-rate schedule with its state: the rate of the current step.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    kind: Kind,
    base_lr: f64,
    lr: f64,
    /// torch's `last_epoch`: how many times the schedule has stepped.
    epoch: u64,
}

impl Schedule {
    /// The schedule the options ask for (None without `schedule=`), for an
    /// optimizer whose `lr` is `base_lr`, in a run of `steps` steps. Options
    /// are `(name, value)` pairs of schedule options only; errors carry the
    /// index of the offending one.
    pub fn build(
        opts: &[(String, OptValue)],
        base_lr: f64,
        steps: u64,
    ) -> Result<Option<Schedule>, OptionError> {
        let o = Options::new("schedule", OPTIONS, opts)?;
        let name = o.choice("schedule", &SCHEDULES_AND_NONE, SCHEDULE_EXPECTED)?;
        let allowed = options_of(name);
        for (index, (option, _)) in opts.iter().enumerate() {
            if option != "schedule" && !allowed.contains(&option.as_str()) {
                return Err(OptionError::BadValue {
                    index,
                    option: OPTIONS
                        .iter()
                        .find(|s| s.name == option)
                        .map_or("schedule", |s| s.name),
                    expected: "an option of the schedule given (docs/optimizers.md)",
                });
            }
        }
        let required = |option: &'static str| -> Result<f64, OptionError> {
            o.given_number(option).ok_or(OptionError::BadValue {
                index: opts.len(),
                option,
                expected: "given: this schedule has no default for it",
            })
        };
        let kind = match name {
            "none" => return Ok(None),
            "step" => Kind::Step {
                step_size: o.derived_count("step_size", required("step_size")? as usize)? as u64,
                gamma: o.non_negative_or("gamma", 0.1)?,
            },
            "exponential" => {
                required("gamma")?;
                Kind::Exponential {
                    gamma: o.non_negative_or("gamma", 0.1)?,
                }
            }
            "cosine" => Kind::Cosine {
                t_max: o.derived_count("T_max", steps.max(1) as usize)? as f64,
                eta_min: o.non_negative("eta_min")?,
            },
            "linear" => {
                let start = o.number_in(
                    "start_factor",
                    |v| v > 0.0 && v <= 1.0,
                    "a number in (0, 1]",
                )?;
                let end = o.number_in(
                    "end_factor",
                    |v| (0.0..=1.0).contains(&v),
                    "a number in [0, 1]",
                )?;
                Kind::Linear {
                    start,
                    end,
                    total_iters: o.count("total_iters")? as f64,
                }
            }
            _ => Kind::OneCycle(one_cycle(&o, base_lr, steps)?),
        };
        Ok(Some(Schedule::start(kind, base_lr)))
    }

    /// The schedule after torch's constructor (its initial step).
    fn start(kind: Kind, base_lr: f64) -> Schedule {
        let lr = match &kind {
            Kind::Linear { start, .. } => base_lr * start,
            Kind::OneCycle(c) => c.lr_at(0),
            _ => base_lr,
        };
        Schedule {
            kind,
            base_lr,
            lr,
            epoch: 0,
        }
    }

    /// The learning rate of the current step.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// torch's `scheduler.step()`, after an optimizer step: moves to the
    /// next step's rate.
    pub fn step(&mut self) {
        self.epoch += 1;
        let (k, lr) = (self.epoch as f64, self.lr);
        self.lr = match &self.kind {
            Kind::Step { step_size, gamma } if self.epoch.is_multiple_of(*step_size) => lr * gamma,
            Kind::Step { .. } => lr,
            Kind::Exponential { gamma } => lr * gamma,
            Kind::Cosine { t_max, eta_min } => {
                let pi = std::f64::consts::PI;
                if (k - 1.0 - t_max).rem_euclid(2.0 * t_max) == 0.0 {
                    lr + (self.base_lr - eta_min) * (1.0 - (pi / t_max).cos()) / 2.0
                } else {
                    (1.0 + (pi * k / t_max).cos()) / (1.0 + (pi * (k - 1.0) / t_max).cos())
                        * (lr - eta_min)
                        + eta_min
                }
            }
            Kind::Linear { total_iters, .. } if k > *total_iters => lr,
            Kind::Linear {
                start,
                end,
                total_iters,
            } => lr * (1.0 + (end - start) / (total_iters * start + (k - 1.0) * (end - start))),
            // Past total_steps torch raises; the driver never gets there
            // (total_steps >= steps).
            Kind::OneCycle(c) => c.lr_at(self.epoch.min(c.total_steps)),
        };
    }
}

const SCHEDULES_AND_NONE: [&str; 6] = [
    "step",
    "exponential",
    "cosine",
    "linear",
    "onecycle",
    "none",
];
const SCHEDULE_EXPECTED: &str =
    "one of \"step\", \"exponential\", \"cosine\", \"linear\", \"onecycle\"";

/// OneCycleLR's phases from its options (torch's constructor).
fn one_cycle(o: &Options, base_lr: f64, steps: u64) -> Result<OneCycle, OptionError> {
    let max_lr = o.non_negative_or("max_lr", base_lr)?;
    let total = o.derived_count("total_steps", steps.max(1) as usize)? as u64;
    if total < steps {
        return Err(o.conflict("total_steps", "at least `steps`"));
    }
    let pct = o.number_in(
        "pct_start",
        |v| (0.0..=1.0).contains(&v),
        "a number in [0, 1]",
    )?;
    let cos = o.choice(
        "anneal_strategy",
        &["cos", "linear"],
        "\"cos\" or \"linear\"",
    )? == "cos";
    let div = o.positive("div_factor")?;
    let final_div = o.positive("final_div_factor")?;
    let initial = max_lr / div;
    let min = initial / final_div;
    let t = total as f64;
    let phases = if o.flag("three_phase")? {
        vec![
            (pct * t - 1.0, initial, max_lr),
            (2.0 * pct * t - 2.0, max_lr, initial),
            (t - 1.0, initial, min),
        ]
    } else {
        vec![(pct * t - 1.0, initial, max_lr), (t - 1.0, max_lr, min)]
    };
    Ok(OneCycle {
        total_steps: total,
        phases,
        cos,
    })
}

impl OneCycle {
    /// torch's `OneCycleLR.get_lr` at step `step`: the phase it falls in,
    /// annealed from the phase's start to its end.
    fn lr_at(&self, step: u64) -> f64 {
        let step = step as f64;
        let mut start_step = 0.0;
        let last = self.phases.len() - 1;
        for (i, &(end_step, from, to)) in self.phases.iter().enumerate() {
            if step <= end_step || i == last {
                // A phase of no length (torch divides by zero there) ends
                // where it starts.
                let span = end_step - start_step;
                let pct = if span == 0.0 {
                    1.0
                } else {
                    (step - start_step) / span
                };
                return if self.cos {
                    let cos_out = (std::f64::consts::PI * pct).cos() + 1.0;
                    to + (from - to) / 2.0 * cos_out
                } else {
                    (to - from) * pct + from
                };
            }
            start_step = end_step;
        }
        self.phases[last].2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(opts: &[(&str, OptValue)]) -> Result<Option<Schedule>, OptionError> {
        let opts: Vec<(String, OptValue)> = opts
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect();
        Schedule::build(&opts, 0.1, 100)
    }

    fn s(v: &str) -> OptValue {
        OptValue::Str(v.into())
    }

    #[test]
    fn no_schedule_is_none_and_options_must_match_the_schedule() {
        assert_eq!(build(&[]), Ok(None));
        assert!(build(&[("schedule", s("cosine")), ("gamma", OptValue::Number(0.5))]).is_err());
        assert!(build(&[("gamma", OptValue::Number(0.5))]).is_err());
        assert!(build(&[("schedule", s("exponential"))]).is_err());
        assert!(build(&[("schedule", s("step"))]).is_err());
        assert!(build(&[("schedule", s("warp"))]).is_err());
    }

    #[test]
    fn step_schedule_decays_every_step_size_steps() {
        let mut s = build(&[
            ("schedule", s("step")),
            ("step_size", OptValue::Number(2.0)),
        ])
        .unwrap()
        .unwrap();
        let mut lrs = vec![s.lr()];
        for _ in 0..4 {
            s.step();
            lrs.push(s.lr());
        }
        let want = [0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1, 0.1 * 0.1 * 0.1];
        assert_eq!(lrs, want);
    }

    #[test]
    fn cosine_ends_at_eta_min_after_t_max() {
        let mut s = build(&[("schedule", s("cosine"))]).unwrap().unwrap();
        for _ in 0..100 {
            s.step();
        }
        assert!(s.lr().abs() < 1e-15, "{}", s.lr());
    }
}
