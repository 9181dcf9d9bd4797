//! The predefined constants `pi`, `e`, `inf` and `nan`. They are not
//! bindings: a name is looked up in the scopes first and only an unbound
//! one falls back to a constant, so any `let`, `param`, function
//! parameter or loop variable named `e` shadows it without a warning
//! (users name things `e`), and assigning to `pi` is an unknown-name
//! error as for any unbound name.

/// Each constant: its name, value and one line for docs/language.md.
pub const CONSTANTS: &[(&str, f64, &str)] = &[
    (
        "pi",
        std::f64::consts::PI,
        "3.14159..., the ratio of a circle's circumference to its diameter",
    ),
    (
        "e",
        std::f64::consts::E,
        "2.71828..., the base of the natural logarithm",
    ),
    (
        "inf",
        f64::INFINITY,
        "positive infinity (`-inf` for negative)",
    ),
    ("nan", f64::NAN, "not a number"),
];

/// The value of the constant `name`, if it is one.
pub fn constant(name: &str) -> Option<f64> {
    CONSTANTS.iter().find(|c| c.0 == name).map(|c| c.1)
}
