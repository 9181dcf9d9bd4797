//! `gradlang run --json FILE`: one JSON document on stdout.
//!
//! ```text
//! {
//!   "version": 1,                 // of this schema; bumped on a breaking change
//!   "ok": true,                   // false: the script failed (diagnostic on
//!                                 // stderr); what ran before is still here
//!   "prints": [[ITEM, ...], ...], // one array per `print`, in order
//!   "minimizes": [RUN, ...],      // one per `minimize` / `maximize`, in order
//!   "params": {"NAME": PARAM, ...} // every param at the end, in declaration order
//! }
//! ITEM   = "text" | TENSOR        // a string literal | a value
//! TENSOR = {"shape": [d, ...], "value": NUMBER or nested arrays, row-major}
//!                                 // a scalar has shape [] and a bare number
//! NUMBER = a JSON number | "nan" | "inf" | "-inf"   (JSON has no non-finite)
//! PARAM  = {"shape", "value" as in TENSOR, "bounds": null | [TENSOR, TENSOR]}
//! RUN    = {
//!   "optimizer": "adam",
//!   "loss": "loss",               // the loss's name; `loss` for the unnamed one
//!   "maximize": false,
//!   "options": {"lr": 0.02, "steps": 5000, "target": 1e-10},
//!                                 // as written, then steps/target/tol/every;
//!                                 // numbers, or strings (line_search)
//!   "steps": 3645,                // steps run
//!   "stop": "target",             // why it ended: "steps" (ran them all),
//!                                 // "target", "tol", "gtol" (the optimizer's
//!                                 // own gradient tolerance; lm's too),
//!                                 // "line_search", "converged",
//!                                 // "interrupted", and lm's
//!                                 // "ftol", "xtol", "ftol_xtol",
//!                                 // "maxfev", "rounding" ("other" for
//!                                 // a reason this version does not know)
//!   "message": "loss reached the target 1.0000e-10",  // null for "steps"
//!   "initial_loss": 24.2, "final_loss": 9.93e-11,     // NUMBERs
//!   "history": [24.2, ...],       // the loss before each step, then the final
//!                                 // one; the maximized value for maximize
//!   "fit": null | FIT             // for a `residual`'s loss
//! }
//! FIT    = {"residuals": 11, "dof": 7, "rss": NUMBER,
//!           "stderr": {"NAME": TENSOR, ...}}  // fitted params, declaration order
//! ```
//!
//! Objects are written with their keys in the order above, one per line
//! unless short; arrays of numbers stay on one line, so a long history is
//! one line, not thousands.

use crate::eval::fit::FitSummary;
use crate::eval::record::{MinimizeRecord, PrintItem, Record};
use crate::eval::Param;
use crate::optim::OptValue;
use crate::tensor::Tensor;

/// The schema's version, the document's first key.
const VERSION: i64 = 1;
/// An object or array with nested objects is written on one line when that
/// line is at most this wide.
const WIDTH: usize = 100;

/// One JSON document with every print, every minimize and the final value
/// of every param.
pub fn json(record: &Record, params: &[Param], ok: bool) -> String {
    let doc = Json::Obj(vec![
        ("version".into(), Json::Int(VERSION)),
        ("ok".into(), Json::Bool(ok)),
        (
            "prints".into(),
            Json::Arr(record.prints.iter().map(|p| print(p)).collect()),
        ),
        (
            "minimizes".into(),
            Json::Arr(record.minimizes.iter().map(minimize).collect()),
        ),
        (
            "params".into(),
            Json::Obj(params.iter().map(|p| (p.name.clone(), param(p))).collect()),
        ),
    ]);
    let mut out = String::new();
    doc.write(&mut out, 0);
    out
}

fn print(items: &[PrintItem]) -> Json {
    Json::Arr(
        items
            .iter()
            .map(|item| match item {
                PrintItem::Text(s) => Json::Str(s.clone()),
                PrintItem::Value(t) => tensor(t),
            })
            .collect(),
    )
}

fn minimize(m: &MinimizeRecord) -> Json {
    let options = m
        .options
        .iter()
        .map(|(name, v)| {
            let v = match v {
                OptValue::Number(x) => option_number(*x),
                OptValue::Str(s) => Json::Str(s.clone()),
            };
            (name.clone(), v)
        })
        .collect();
    Json::Obj(vec![
        ("optimizer".into(), Json::Str(m.optimizer.clone())),
        ("loss".into(), Json::Str(m.loss.clone())),
        ("maximize".into(), Json::Bool(m.maximize)),
        ("options".into(), Json::Obj(options)),
        ("steps".into(), Json::Int(m.steps as i64)),
        (
            "stop".into(),
            Json::Str(stop_code(m.stop.as_deref()).into()),
        ),
        (
            "message".into(),
            m.stop.as_ref().map_or(Json::Null, |s| Json::Str(s.clone())),
        ),
        ("initial_loss".into(), Json::Num(m.initial_loss)),
        ("final_loss".into(), Json::Num(m.final_loss)),
        (
            "history".into(),
            Json::Arr(m.history.iter().map(|&v| Json::Num(v)).collect()),
        ),
        ("fit".into(), m.fit.as_ref().map_or(Json::Null, fit)),
    ])
}

fn fit(f: &FitSummary) -> Json {
    Json::Obj(vec![
        ("residuals".into(), Json::Int(f.residuals as i64)),
        ("dof".into(), Json::Int(f.dof)),
        ("rss".into(), Json::Num(f.rss)),
        (
            "stderr".into(),
            Json::Obj(
                f.stderr
                    .iter()
                    .map(|(name, t)| (name.clone(), tensor(t)))
                    .collect(),
            ),
        ),
    ])
}

/// A stable word for why a run stopped, from the summary line's words
/// (the record keeps only those); "steps" when it ran them all.
fn stop_code(stop: Option<&str>) -> &'static str {
    const CODES: [(&str, &str); 12] = [
        ("loss reached the target", "target"),
        (
            "the sum of squares changed by less than ftol and",
            "ftol_xtol",
        ),
        ("the sum of squares changed by less than ftol", "ftol"),
        ("the step was smaller than xtol", "xtol"),
        ("the residuals are orthogonal", "gtol"),
        ("maxfev", "maxfev"),
        ("no further improvement possible", "rounding"),
        ("every gradient entry below tol", "tol"),
        ("every gradient entry within", "gtol"),
        ("the line search", "line_search"),
        ("converged", "converged"),
        ("interrupted", "interrupted"),
    ];
    match stop {
        None => "steps",
        Some(why) => CODES
            .iter()
            .find(|(prefix, _)| why.starts_with(prefix))
            .map_or("other", |(_, code)| code),
    }
}

fn param(p: &Param) -> Json {
    let bounds = match &p.bounds {
        Some((lo, hi)) => Json::Arr(vec![tensor(lo), tensor(hi)]),
        None => Json::Null,
    };
    Json::Obj(vec![
        ("shape".into(), shape(p.value.shape())),
        ("value".into(), nested(p.value.shape(), &p.value.to_vec())),
        ("bounds".into(), bounds),
    ])
}

fn tensor(t: &Tensor) -> Json {
    Json::Obj(vec![
        ("shape".into(), shape(t.shape())),
        ("value".into(), nested(t.shape(), &t.to_vec())),
    ])
}

fn shape(dims: &[usize]) -> Json {
    Json::Arr(dims.iter().map(|&d| Json::Int(d as i64)).collect())
}

/// Row-major `data` of `shape` as nested arrays (a bare number for `[]`).
fn nested(shape: &[usize], data: &[f64]) -> Json {
    match shape.split_first() {
        None => Json::Num(data.first().copied().unwrap_or(f64::NAN)),
        Some((&n, rest)) => {
            let stride: usize = rest.iter().product();
            Json::Arr(
                (0..n)
                    .map(|i| nested(rest, &data[i * stride..(i + 1) * stride]))
                    .collect(),
            )
        }
    }
}

/// Options are counts and flags more often than not: `steps=5000` reads
/// back as 5000, not 5000.0.
fn option_number(x: f64) -> Json {
    if x.fract() == 0.0 && x.abs() < 2f64.powi(53) {
        Json::Int(x as i64)
    } else {
        Json::Num(x)
    }
}

/// A JSON value whose objects keep their keys in insertion order.
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    /// Non-finite numbers are written as the strings "nan", "inf", "-inf".
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// No object anywhere inside: a value that always goes on one line.
    fn is_flat(&self) -> bool {
        match self {
            Json::Obj(_) => false,
            Json::Arr(items) => items.iter().all(Json::is_flat),
            _ => true,
        }
    }

    /// Writes the value, nested lines indented by two spaces per `depth`.
    fn write(&self, out: &mut String, depth: usize) {
        if self.is_flat() {
            return self.write_inline(out);
        }
        let mut line = String::new();
        self.write_inline(&mut line);
        if line.len() + 2 * depth <= WIDTH {
            out.push_str(&line);
            return;
        }
        let pad = "  ".repeat(depth + 1);
        let (open, close) = match self {
            Json::Arr(_) => ('[', ']'),
            _ => ('{', '}'),
        };
        out.push(open);
        let mut first = true;
        let mut sep = |out: &mut String| {
            out.push_str(if first { "\n" } else { ",\n" });
            out.push_str(&pad);
            first = false;
        };
        match self {
            Json::Arr(items) => {
                for item in items {
                    sep(out);
                    item.write(out, depth + 1);
                }
            }
            Json::Obj(fields) => {
                for (key, value) in fields {
                    sep(out);
                    write_str(out, key);
                    out.push_str(": ");
                    value.write(out, depth + 1);
                }
            }
            _ => unreachable!("invariant: flat values are written inline above"),
        }
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
        out.push(close);
    }

    fn write_inline(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(n) => out.push_str(&n.to_string()),
            Json::Num(x) => write_number(out, *x),
            Json::Str(s) => write_str(out, s),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_inline(out);
                }
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_str(out, key);
                    out.push_str(": ");
                    value.write_inline(out);
                }
                out.push('}');
            }
        }
    }
}

/// The shortest text that reads back as `x` (serde_json's), or a string
/// for the values JSON cannot hold.
fn write_number(out: &mut String, x: f64) {
    match serde_json::Number::from_f64(x) {
        Some(n) => out.push_str(&n.to_string()),
        None if x.is_nan() => out.push_str("\"nan\""),
        None if x > 0.0 => out.push_str("\"inf\""),
        None => out.push_str("\"-inf\""),
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push_str(&serde_json::Value::from(s).to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inline(j: &Json) -> String {
        let mut s = String::new();
        j.write(&mut s, 0);
        s
    }

    #[test]
    fn numbers_round_trip_and_non_finite_become_strings() {
        let arr = Json::Arr(
            [
                0.1,
                -2.0,
                1e-300,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ]
            .iter()
            .map(|&v| Json::Num(v))
            .collect(),
        );
        let text = inline(&arr);
        assert_eq!(text, r#"[0.1, -2.0, 1e-300, "nan", "inf", "-inf"]"#);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back[2].as_f64(), Some(1e-300));
    }

    #[test]
    fn tensors_nest_row_major() {
        let t = Tensor::from_shape_vec(&[2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(
            inline(&tensor(&t)),
            r#"{"shape": [2, 3], "value": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]}"#
        );
        assert_eq!(
            inline(&tensor(&Tensor::Scalar(7.5))),
            r#"{"shape": [], "value": 7.5}"#
        );
        let empty = Tensor::from_shape_vec(&[2, 0], vec![]);
        assert_eq!(
            inline(&tensor(&empty)),
            r#"{"shape": [2, 0], "value": [[], []]}"#
        );
    }

    #[test]
    fn options_that_are_whole_numbers_are_integers() {
        assert_eq!(inline(&option_number(5000.0)), "5000");
        assert_eq!(inline(&option_number(-3.0)), "-3");
        assert_eq!(inline(&option_number(0.02)), "0.02");
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(inline(&Json::Str("a \"b\"\n".into())), r#""a \"b\"\n""#);
    }

    #[test]
    fn stop_codes_cover_every_reason() {
        assert_eq!(stop_code(None), "steps");
        assert_eq!(stop_code(Some("loss reached the target 0.1000")), "target");
        assert_eq!(
            stop_code(Some("every gradient entry below tol 1.0000e-06")),
            "tol"
        );
        assert_eq!(
            stop_code(Some("the line search found no better point")),
            "line_search"
        );
    }

    #[test]
    fn long_objects_break_into_lines() {
        let obj = Json::Obj(
            (0..20)
                .map(|i| {
                    (
                        format!("key{i}"),
                        Json::Obj(vec![("a".into(), Json::Int(i))]),
                    )
                })
                .collect(),
        );
        let text = inline(&obj);
        assert!(text.starts_with("{\n  \"key0\": {\"a\": 0},\n"), "{text}");
        assert!(text.ends_with("\n}"));
        serde_json::from_str::<serde_json::Value>(&text).unwrap();
    }
}
