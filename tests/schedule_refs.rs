//! The learning-rate schedules against torch.optim.lr_scheduler.
//!
//! `tests/data/refs/schedules.json` (made by `gen_schedules.py`) holds torch
//! runs on the puzzle with a scheduler stepped after every optimizer step:
//! the rate each step used and the params after it. Each case is checked
//! twice: the schedule alone must give torch's rates at every step, to the
//! last bit (both use the same chainable formulas), and the
//! whole `minimize ... schedule=...` run, through the interpreter, must end
//! where torch ended.

use gradlang::driver::eval_str;
use gradlang::eval::Interp;
use gradlang::optim::schedule::Schedule;
use gradlang::optim::OptValue;
use serde_json::Value;

struct Case {
    name: String,
    optimizer: String,
    gradlang: String,
    steps: u64,
    lrs: Vec<f64>,
    last: Vec<f64>,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string("tests/data/refs/schedules.json").expect("schedules.json");
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    let numbers = |v: &Value| -> Vec<f64> {
        v.as_array()
            .expect("a list")
            .iter()
            .map(|x| x.as_f64().expect("a number"))
            .collect()
    };
    json["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().expect("name").into(),
            optimizer: c["optimizer"].as_str().expect("optimizer").into(),
            gradlang: c["gradlang"].as_str().expect("options").into(),
            steps: c["steps"].as_u64().expect("steps"),
            lrs: numbers(&c["lrs"]),
            last: numbers(c["params"].as_array().and_then(|r| r.last()).expect("rows")),
        })
        .collect()
}

/// The `name=value` words of a case, split into the optimizer's `lr` and
/// the schedule's options.
fn schedule_options(words: &str) -> (f64, Vec<(String, OptValue)>) {
    let mut lr = f64::NAN;
    let mut opts = Vec::new();
    for word in words.split_whitespace() {
        let (name, value) = word.split_once('=').expect("name=value");
        let value = match value.strip_prefix('"') {
            Some(s) => OptValue::Str(s.trim_end_matches('"').into()),
            None => OptValue::Number(value.parse().expect("a number")),
        };
        match (name, value) {
            ("lr", OptValue::Number(v)) => lr = v,
            (n, v) if gradlang::optim::schedule::is_option(n) => opts.push((n.to_string(), v)),
            _ => {}
        }
    }
    (lr, opts)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs())
}

#[test]
fn schedules_give_torchs_rates_at_every_step() {
    let mut wrong = Vec::new();
    for case in cases() {
        let (lr, opts) = schedule_options(&case.gradlang);
        let mut schedule = Schedule::build(&opts, lr, case.steps)
            .expect("options accepted")
            .expect("a schedule");
        for (k, want) in case.lrs.iter().enumerate() {
            if schedule.lr() != *want {
                wrong.push(format!(
                    "{}: step {k}: lr {} vs torch {want}",
                    case.name,
                    schedule.lr()
                ));
            }
            schedule.step();
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn minimize_with_a_schedule_ends_where_torch_ends() {
    let mut wrong = Vec::new();
    for case in cases() {
        let src = format!(
            "param A = 0.1\nparam B = 0.2\nparam C = 0.3\nparam D = 0.4\n\
             loss = (A + B - 9)^2 + (C - D - 1)^2 + (A + C - 8)^2 + (B - D - 2)^2\n\
             minimize with {} {} steps={}\n",
            case.optimizer, case.gradlang, case.steps
        );
        let mut interp = Interp::new(0, Box::new(std::io::sink()));
        if let Err(e) = eval_str(&mut interp, &src) {
            panic!("{}: {e:?}", case.name);
        }
        for (p, want) in interp.params().iter().zip(&case.last) {
            let got = p.value.as_scalar().expect("a scalar param");
            if !close(got, *want, 1e-9) {
                wrong.push(format!("{}: {} = {got} vs torch {want}", case.name, p.name));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
