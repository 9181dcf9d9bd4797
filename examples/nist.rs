//! NIST StRD nonlinear regression: fits all 27 problems from both starts
//! with `residual` + `minimize with lm` and prints, per problem and start,
//! the log relative error (LRE, digits that agree, capped at 11) of the
//! worst certified parameter and of the worst certified standard deviation.
//! With `--scipy PYTHON`, it also runs examples/nist_scipy.py under that
//! Python on the same problems (SciPy's `least_squares`, methods lm and trf)
//! and prints their LREs beside gradlang's, as in docs/fitting.md.
//!
//! ```text
//! cargo run --release --example nist -- NIST_FOLDER [--scipy VENV/bin/python]
//! ```
//!
//! The data stay where NIST's files are: the argument is the folder holding
//! `dat/NAME.dat`, each with its model, starts, certified values and data.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gradlang::eval::Interp;

/// Each problem with its model in gradlang's syntax (`x` the predictor,
/// `y` the response; Nelson's two predictors are `x1`, `x2`), in NIST's
/// order of difficulty.
const PROBLEMS: &[(&str, &str)] = &[
    ("Misra1a", "b1 * (1 - exp(-b2 * x))"),
    ("Chwirut2", "exp(-b1 * x) / (b2 + b3 * x)"),
    ("Chwirut1", "exp(-b1 * x) / (b2 + b3 * x)"),
    ("Lanczos3", "b1 * exp(-b2 * x) + b3 * exp(-b4 * x) + b5 * exp(-b6 * x)"),
    ("Gauss1", GAUSS),
    ("Gauss2", GAUSS),
    ("DanWood", "b1 * x ^ b2"),
    ("Misra1b", "b1 * (1 - (1 + b2 * x / 2) ^ (-2))"),
    ("Kirby2", "(b1 + b2 * x + b3 * x^2) / (1 + b4 * x + b5 * x^2)"),
    ("Hahn1", CUBIC_RATIO),
    ("Nelson", "b1 - b2 * x1 * exp(-b3 * x2)"),
    ("MGH17", "b1 + b2 * exp(-x * b4) + b3 * exp(-x * b5)"),
    ("Lanczos1", "b1 * exp(-b2 * x) + b3 * exp(-b4 * x) + b5 * exp(-b6 * x)"),
    ("Lanczos2", "b1 * exp(-b2 * x) + b3 * exp(-b4 * x) + b5 * exp(-b6 * x)"),
    ("Gauss3", GAUSS),
    ("Misra1c", "b1 * (1 - (1 + 2 * b2 * x) ^ (-0.5))"),
    ("Misra1d", "b1 * b2 * x * (1 + b2 * x) ^ (-1)"),
    ("Roszman1", "b1 - b2 * x - atan(b3 / (x - b4)) / pi"),
    ("ENSO", "b1 + b2 * cos(2 * pi * x / 12) + b3 * sin(2 * pi * x / 12) + b5 * cos(2 * pi * x / b4) + b6 * sin(2 * pi * x / b4) + b8 * cos(2 * pi * x / b7) + b9 * sin(2 * pi * x / b7)"),
    ("MGH09", "b1 * (x^2 + x * b2) / (x^2 + x * b3 + b4)"),
    ("Thurber", CUBIC_RATIO),
    ("BoxBOD", "b1 * (1 - exp(-b2 * x))"),
    ("Rat42", "b1 / (1 + exp(b2 - b3 * x))"),
    ("MGH10", "b1 * exp(b2 / (x + b3))"),
    ("Eckerle4", "(b1 / b2) * exp(-0.5 * ((x - b3) / b2)^2)"),
    ("Rat43", "b1 / (1 + exp(b2 - b3 * x)) ^ (1 / b4)"),
    ("Bennett5", "b1 * (b2 + x) ^ (-1 / b3)"),
];

const GAUSS: &str =
    "b1 * exp(-b2 * x) + b3 * exp(-(x - b4)^2 / b5^2) + b6 * exp(-(x - b7)^2 / b8^2)";
const CUBIC_RATIO: &str =
    "(b1 + b2 * x + b3 * x^2 + b4 * x^3) / (1 + b5 * x + b6 * x^2 + b7 * x^3)";

/// One NIST file: starts, certified values and standard deviations, data
/// (each row the response, then the predictors).
struct Problem {
    name: &'static str,
    model: &'static str,
    starts: [Vec<f64>; 2],
    certified: Vec<f64>,
    sd: Vec<f64>,
    rows: Vec<Vec<f64>>,
}

fn read(dir: &Path, name: &'static str, model: &'static str) -> Result<Problem, String> {
    let path = dir.join("dat").join(format!("{name}.dat"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let numbers = |line: &str| -> Vec<f64> {
        line.split_whitespace()
            .filter_map(|w| w.parse::<f64>().ok())
            .collect()
    };
    let (mut s1, mut s2, mut certified, mut sd, mut rows) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut in_data = false;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if in_data {
            let row = numbers(line);
            if !row.is_empty() {
                rows.push(row);
            }
        } else if words.first() == Some(&"Data:") && words.get(1) == Some(&"y") {
            in_data = true;
        } else if words.len() == 6 && words[0].starts_with('b') && words[1] == "=" {
            let v = numbers(&words[2..].join(" "));
            if v.len() == 4 {
                s1.push(v[0]);
                s2.push(v[1]);
                certified.push(v[2]);
                sd.push(v[3]);
            }
        }
    }
    if certified.is_empty() || rows.is_empty() {
        return Err(format!(
            "{}: no parameters or no data found",
            path.display()
        ));
    }
    Ok(Problem {
        name,
        model,
        starts: [s1, s2],
        certified,
        sd,
        rows,
    })
}

/// The column `k` of the data as a gradlang tensor literal.
fn column(rows: &[Vec<f64>], k: usize) -> String {
    let v: Vec<String> = rows.iter().map(|r| format!("{:e}", r[k])).collect();
    format!("[{}]", v.join(", "))
}

impl Problem {
    /// The gradlang script fitting this problem from `start`.
    fn script(&self, start: &[f64]) -> String {
        let mut s = String::new();
        let predictors = self.rows[0].len() - 1;
        if predictors == 1 {
            s += &format!("let x = {}\n", column(&self.rows, 1));
        } else {
            for k in 1..=predictors {
                s += &format!("let x{k} = {}\n", column(&self.rows, k));
            }
        }
        s += &format!("let y = {}\n", column(&self.rows, 0));
        for (i, b) in start.iter().enumerate() {
            s += &format!("param b{} = {b:e}\n", i + 1);
        }
        // Nelson's response is log(y).
        let response = if self.name == "Nelson" { "log(y)" } else { "y" };
        s += &format!(
            "residual = {response} - ({})\nminimize with lm\n",
            self.model
        );
        s
    }

    /// Fits from `start`: the params, their standard errors, steps and the
    /// stop reason; or the error's message.
    fn fit(&self, start: &[f64]) -> Result<(Vec<f64>, Vec<f64>, String), String> {
        let mut interp = Interp::new(0, Box::new(std::io::sink()));
        interp.enable_record();
        gradlang::driver::eval_str(&mut interp, &self.script(start)).map_err(|d| {
            d.iter()
                .map(|d| d.title.clone())
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        let params: Vec<f64> = interp
            .params()
            .iter()
            .map(|p| p.value.as_scalar().unwrap_or(f64::NAN))
            .collect();
        let record = interp.take_record().unwrap_or_default();
        let run = record.minimizes.last().ok_or("no minimize ran")?;
        let se = run.fit.as_ref().map_or_else(Vec::new, |f| {
            f.stderr
                .iter()
                .map(|(_, t)| t.as_scalar().unwrap_or(f64::NAN))
                .collect()
        });
        let how = format!(
            "{} steps, {}",
            run.steps,
            run.stop.as_deref().unwrap_or("ran every step")
        );
        Ok((params, se, how))
    }
}

/// Digits of `est` that agree with `cert`, 0 to 11 (NIST's convention).
fn lre(est: f64, cert: f64) -> f64 {
    let rel = if cert == 0.0 {
        est.abs()
    } else {
        (est - cert).abs() / cert.abs()
    };
    if rel == 0.0 {
        11.0
    } else if rel.is_nan() {
        0.0
    } else {
        (-rel.log10()).clamp(0.0, 11.0)
    }
}

/// The smallest LRE over the entries (0 when there are none).
fn min_lre(est: &[f64], cert: &[f64]) -> f64 {
    if est.len() != cert.len() {
        return 0.0;
    }
    est.iter()
        .zip(cert)
        .map(|(e, c)| lre(*e, *c))
        .fold(11.0, f64::min)
}

/// Runs examples/nist_scipy.py under `python`, giving it every problem as
/// JSON on stdin; returns per problem and start the estimates of lm and trf.
fn scipy(python: &str, problems: &[Problem]) -> Result<Vec<[[Vec<f64>; 2]; 2]>, String> {
    let input: Vec<serde_json::Value> = problems
        .iter()
        .map(|p| {
            serde_json::json!({
                "name": p.name,
                "model": p.model,
                "starts": p.starts,
                "rows": p.rows,
            })
        })
        .collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nist_scipy.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{python}: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(serde_json::Value::Array(input).to_string().as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("{python} examples/nist_scipy.py failed"));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("SciPy's output: {e}"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: nist DATA_DIR [--scipy PYTHON]");
        std::process::exit(2);
    };
    let python = args
        .iter()
        .position(|a| a == "--scipy")
        .and_then(|i| args.get(i + 1));
    let problems: Vec<Problem> = match PROBLEMS
        .iter()
        .map(|(name, model)| read(&dir, name, model))
        .collect()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let peers = python.map(|py| match scipy(py, &problems) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    });
    let (mut at4, mut at6, mut sd3, mut runs) = (0, 0, 0, 0);
    print!("| problem | start | gradlang lm | stderr |");
    if peers.is_some() {
        print!(" SciPy lm | SciPy trf |");
    }
    println!(" gradlang's run |");
    print!("|---|---|---|---|");
    if peers.is_some() {
        print!("---|---|");
    }
    println!("---|");
    for (i, p) in problems.iter().enumerate() {
        for (s, start) in p.starts.iter().enumerate() {
            runs += 1;
            let (params, se, how) = match p.fit(start) {
                Ok(v) => v,
                Err(e) => (Vec::new(), Vec::new(), format!("error: {e}")),
            };
            let (lp, ls) = (min_lre(&params, &p.certified), min_lre(&se, &p.sd));
            at4 += usize::from(lp >= 4.0);
            at6 += usize::from(lp >= 6.0);
            sd3 += usize::from(ls >= 3.0);
            print!("| {} | {} | {lp:.1} | {ls:.1} |", p.name, s + 1);
            if let Some(peers) = &peers {
                let [lm, trf] = &peers[i][s];
                print!(
                    " {:.1} | {:.1} |",
                    min_lre(lm, &p.certified),
                    min_lre(trf, &p.certified)
                );
            }
            println!(" {how} |");
        }
    }
    println!();
    println!("gradlang lm: LRE >= 4 on {at4}/{runs} runs, >= 6 on {at6}/{runs}; standard errors LRE >= 3 on {sd3}/{runs}");
    if let Some(peers) = &peers {
        for (m, method) in ["lm", "trf"].iter().enumerate() {
            let lres: Vec<f64> = problems
                .iter()
                .enumerate()
                .flat_map(|(i, p)| (0..2).map(move |s| min_lre(&peers[i][s][m], &p.certified)))
                .collect();
            let c4 = lres.iter().filter(|&&l| l >= 4.0).count();
            let c6 = lres.iter().filter(|&&l| l >= 6.0).count();
            println!("SciPy {method}: LRE >= 4 on {c4}/{runs} runs, >= 6 on {c6}/{runs}");
        }
    }
}
