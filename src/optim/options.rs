//! Each optimizer's options as data (name and torch's default, for the
//! builders and for help), and reading the `name=value` options of a
//! script, with errors that point at the offending option by its index
//! (the caller maps indices to spans).

use std::fmt;

/// The largest count any option takes (`steps`, `max_iter`, ...): far
/// beyond any run that finishes, and small enough to be exact in an f64.
pub const MAX_COUNT: f64 = 1e15;

/// One option's value as written in the script.
#[derive(Debug, Clone, PartialEq)]
pub enum OptValue {
    /// A number; booleans are 0 or 1.
    Number(f64),
    /// A string, e.g. lbfgs's `line_search="strong_wolfe"`.
    Str(String),
}

/// One option an optimizer takes, with its default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptionSpec {
    pub name: &'static str,
    pub default: DefaultValue,
}

/// What an option is when the script does not give it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    Number(f64),
    /// A boolean, written 0 or 1 (or `false`, `true`).
    Flag(bool),
    /// A whole number.
    Count(usize),
    /// One of a few strings.
    Choice(&'static str),
    /// Computed from other options; the text says how.
    Derived(&'static str),
}

impl fmt::Display for DefaultValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // `{:?}` keeps 1e-8 short where `{}` would write 0.00000001.
            DefaultValue::Number(v) => write!(f, "{}", format!("{v:?}").trim_end_matches(".0")),
            DefaultValue::Flag(b) => write!(f, "{}", u8::from(*b)),
            DefaultValue::Count(n) => write!(f, "{n}"),
            DefaultValue::Choice(s) => write!(f, "\"{s}\""),
            DefaultValue::Derived(how) => write!(f, "{how}"),
        }
    }
}

/// An option spec, for the optimizers' `OPTIONS` tables.
pub(super) const fn spec(name: &'static str, default: DefaultValue) -> OptionSpec {
    OptionSpec { name, default }
}

/// Why `build` refused an optimizer or its options.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionError {
    /// No optimizer has this name; `known` lists those that exist.
    UnknownOptimizer {
        name: String,
        known: &'static [&'static str],
    },
    /// Option `index` is not one of `optimizer`'s; `valid` lists those that are.
    UnknownOption {
        index: usize,
        optimizer: &'static str,
        valid: Vec<&'static str>,
    },
    /// Option `index` repeats the one at `first`.
    DuplicateOption { index: usize, first: usize },
    /// Option `index` has a value the optimizer cannot use; `expected` says
    /// what it accepts (e.g. "a number >= 0").
    BadValue {
        index: usize,
        option: &'static str,
        expected: &'static str,
    },
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionError::UnknownOptimizer { name, .. } => write!(f, "unknown optimizer `{name}`"),
            OptionError::UnknownOption { optimizer, .. } => {
                write!(f, "`{optimizer}` has no such option")
            }
            OptionError::DuplicateOption { .. } => write!(f, "option given twice"),
            OptionError::BadValue {
                option, expected, ..
            } => write!(f, "`{option}` must be {expected}"),
        }
    }
}

impl std::error::Error for OptionError {}

/// The options given for one optimizer, already checked to be known and
/// unique; each getter falls back to the spec's default when one is absent.
pub(super) struct Options<'a> {
    specs: &'static [OptionSpec],
    given: &'a [(String, OptValue)],
}

impl<'a> Options<'a> {
    /// Rejects names not in `specs` and repeated names.
    pub(super) fn new(
        optimizer: &'static str,
        specs: &'static [OptionSpec],
        given: &'a [(String, OptValue)],
    ) -> Result<Self, OptionError> {
        for (index, (name, _)) in given.iter().enumerate() {
            if !specs.iter().any(|s| s.name == name) {
                return Err(OptionError::UnknownOption {
                    index,
                    optimizer,
                    valid: specs.iter().map(|s| s.name).collect(),
                });
            }
            if let Some(first) = given[..index].iter().position(|(n, _)| n == name) {
                return Err(OptionError::DuplicateOption { index, first });
            }
        }
        Ok(Options { specs, given })
    }

    /// The default of option `name`. An optimizer asking for an option its
    /// table lacks, or with another kind of default, is refused as a bad
    /// value (a bug the build-with-defaults test catches), not a panic.
    fn default(&self, name: &'static str) -> Result<DefaultValue, OptionError> {
        self.specs
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.default)
            .ok_or(OptionError::BadValue {
                index: 0,
                option: name,
                expected: "an option in the optimizer's table",
            })
    }

    /// The default of a numeric option, as a number.
    fn number_default(&self, name: &'static str) -> Result<f64, OptionError> {
        match self.default(name)? {
            DefaultValue::Number(v) => Ok(v),
            DefaultValue::Count(n) => Ok(n as f64),
            DefaultValue::Flag(b) => Ok(f64::from(u8::from(b))),
            DefaultValue::Choice(_) | DefaultValue::Derived(_) => Err(OptionError::BadValue {
                index: 0,
                option: name,
                expected: "an option with a numeric default",
            }),
        }
    }

    /// Index and value of option `name`, if given.
    fn find(&self, name: &str) -> Option<(usize, &'a OptValue)> {
        self.given
            .iter()
            .enumerate()
            .find(|(_, (n, _))| n == name)
            .map(|(i, (_, v))| (i, v))
    }

    /// A number satisfying `ok`, else `BadValue` with `expected`.
    fn number_where(
        &self,
        name: &'static str,
        default: f64,
        expected: &'static str,
        ok: impl Fn(f64) -> bool,
    ) -> Result<f64, OptionError> {
        match self.find(name) {
            None => Ok(default),
            Some((_, OptValue::Number(v))) if v.is_finite() && ok(*v) => Ok(*v),
            Some((index, _)) => Err(OptionError::BadValue {
                index,
                option: name,
                expected,
            }),
        }
    }

    /// A finite number >= 0 (learning rates, decays, epsilons).
    pub(super) fn non_negative(&self, name: &'static str) -> Result<f64, OptionError> {
        let default = self.number_default(name)?;
        self.number_where(name, default, "a number >= 0", |v| v >= 0.0)
    }

    /// A finite number >= 0 whose default the caller computed (a
    /// `DefaultValue::Derived` in the table).
    pub(super) fn non_negative_or(
        &self,
        name: &'static str,
        default: f64,
    ) -> Result<f64, OptionError> {
        self.number_where(name, default, "a number >= 0", |v| v >= 0.0)
    }

    /// A finite number satisfying `ok` (`expected` says which), with the
    /// table's default.
    pub(super) fn number_in(
        &self,
        name: &'static str,
        ok: impl Fn(f64) -> bool,
        expected: &'static str,
    ) -> Result<f64, OptionError> {
        let default = self.number_default(name)?;
        self.number_where(name, default, expected, ok)
    }

    /// The number given for `name`, if one was.
    pub(super) fn given_number(&self, name: &str) -> Option<f64> {
        match self.find(name) {
            Some((_, OptValue::Number(v))) => Some(*v),
            _ => None,
        }
    }

    /// A finite number > 0 (newton's trust radii).
    pub(super) fn positive(&self, name: &'static str) -> Result<f64, OptionError> {
        let default = self.number_default(name)?;
        self.number_where(name, default, "a number > 0", |v| v > 0.0)
    }

    /// A number in [0, 1), as torch demands of Adam's betas.
    pub(super) fn beta(&self, name: &'static str) -> Result<f64, OptionError> {
        let default = self.number_default(name)?;
        self.number_where(name, default, "a number in [0, 1)", |v| {
            (0.0..1.0).contains(&v)
        })
    }

    /// A boolean written as 0 or 1.
    pub(super) fn flag(&self, name: &'static str) -> Result<bool, OptionError> {
        let default = self.number_default(name)?;
        let v = self.number_where(name, default, "0 or 1", |v| v == 0.0 || v == 1.0)?;
        Ok(v == 1.0)
    }

    /// A whole number >= 1 (iteration counts, history length).
    pub(super) fn count(&self, name: &'static str) -> Result<usize, OptionError> {
        let default = self.number_default(name)?;
        self.count_or(name, default)
    }

    /// A whole number >= 1 whose default (`DefaultValue::Derived`) the
    /// optimizer computed from other options.
    pub(super) fn derived_count(
        &self,
        name: &'static str,
        default: usize,
    ) -> Result<usize, OptionError> {
        match self.default(name)? {
            DefaultValue::Derived(_) => self.count_or(name, default as f64),
            _ => Err(OptionError::BadValue {
                index: 0,
                option: name,
                expected: "an option with a derived default",
            }),
        }
    }

    fn count_or(&self, name: &'static str, default: f64) -> Result<usize, OptionError> {
        let v = self.number_where(name, default, "a whole number >= 1", |v| {
            v >= 1.0 && v.fract() == 0.0
        })?;
        // Capped well below usize::MAX so the cast below is exact.
        if v > MAX_COUNT {
            return Err(self.conflict(name, "at most 1e15"));
        }
        Ok(v as usize)
    }

    /// One of the strings in `choices`.
    pub(super) fn choice(
        &self,
        name: &'static str,
        choices: &'static [&'static str],
        expected: &'static str,
    ) -> Result<&'static str, OptionError> {
        let default = match self.default(name)? {
            DefaultValue::Choice(c) => c,
            _ => {
                return Err(OptionError::BadValue {
                    index: 0,
                    option: name,
                    expected: "an option with a string default",
                })
            }
        };
        match self.find(name) {
            None => Ok(default),
            Some((index, value)) => {
                let found = match value {
                    OptValue::Str(s) => choices.iter().find(|c| **c == s.as_str()),
                    OptValue::Number(_) => None,
                };
                found.copied().ok_or(OptionError::BadValue {
                    index,
                    option: name,
                    expected,
                })
            }
        }
    }

    /// A `BadValue` at option `name` for a constraint between options (e.g.
    /// nesterov without momentum); only called for an option that was given.
    pub(super) fn conflict(&self, name: &'static str, expected: &'static str) -> OptionError {
        let index = self.find(name).map_or(0, |(i, _)| i);
        OptionError::BadValue {
            index,
            option: name,
            expected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &[OptionSpec] = &[
        spec("lr", DefaultValue::Number(0.5)),
        spec("nesterov", DefaultValue::Flag(true)),
        spec("line_search", DefaultValue::Choice("none")),
    ];

    fn opts(given: &[(&str, OptValue)]) -> Vec<(String, OptValue)> {
        given
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn unknown_and_duplicate_names_point_at_the_option() {
        let given = opts(&[
            ("lr", OptValue::Number(0.1)),
            ("lrr", OptValue::Number(1.0)),
        ]);
        assert_eq!(
            Options::new("sgd", VALID, &given).err(),
            Some(OptionError::UnknownOption {
                index: 1,
                optimizer: "sgd",
                valid: vec!["lr", "nesterov", "line_search"]
            })
        );
        let given = opts(&[("lr", OptValue::Number(0.1)), ("lr", OptValue::Number(1.0))]);
        assert_eq!(
            Options::new("sgd", VALID, &given).err(),
            Some(OptionError::DuplicateOption { index: 1, first: 0 })
        );
    }

    #[test]
    fn values_are_checked() {
        let given = opts(&[
            ("lr", OptValue::Number(-1.0)),
            ("nesterov", OptValue::Number(0.5)),
            ("line_search", OptValue::Number(1.0)),
        ]);
        let o = Options::new("x", VALID, &given).unwrap();
        assert!(matches!(
            o.non_negative("lr"),
            Err(OptionError::BadValue { index: 0, .. })
        ));
        assert!(matches!(
            o.flag("nesterov"),
            Err(OptionError::BadValue { index: 1, .. })
        ));
        assert!(matches!(
            o.choice("line_search", &["none"], "\"none\""),
            Err(OptionError::BadValue { index: 2, .. })
        ));
    }

    #[test]
    fn defaults_apply_when_absent() {
        let o = Options::new("x", VALID, &[]).unwrap();
        assert_eq!(o.non_negative("lr"), Ok(0.5));
        assert_eq!(o.flag("nesterov"), Ok(true));
        assert_eq!(o.choice("line_search", &["none"], "\"none\""), Ok("none"));
    }
}
