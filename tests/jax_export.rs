//! `gradlang export --jax` against gradlang itself: every example and the
//! scripts in tests/data/jax/ are exported, run on JAX, and must end with
//! the params gradlang ends with, to 1e-9 relative (every optimizer follows
//! gradlang's rule: the first-order ones torch's, and newton's trust region
//! and lbfgs with its line search and bounds are gradlang's own, ported to
//! the host), and print the same lines, step counts exactly and other
//! numbers up to the last printed digit; a `save`d file must hold
//! gradlang's values. polyfit and the MLP
//! run again with XLA told to make two CPU devices, and their row data must
//! really be split over both.
//!
//! The reference is independent of the exporter's own arithmetic: gradlang
//! runs the script on its own tape and optimizers (checked against torch in
//! tests/optim_refs.rs), JAX and optax run the exported program.
//!
//! The Python packages are the pins of export/requirements.txt, installed
//! with pip into target/jax-venv once per machine (kept while the pins are
//! unchanged). A failed install fails this test; it never skips.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Scripts whose newton summary may count one step more or fewer, and why
/// (the rest of the line must agree).
const STEPS_MAY_DIFFER: &[(&str, &str)] = &[(
    "gp",
    "at step 7 the trust-region test compares a loss change of about 24 ulps with a \
     16-ulp allowance: gradlang's tape rounds it above, XLA below",
)];

/// `save` and `load`, run from target/ (a saved file lands beside the script
/// in gradlang and beside the program in the export, so both are put in one
/// folder there, out of the source tree).
const SAVE_LOAD: &str = r#"
param w = [[1, 2.5], [3, -0.5]]
param b = 0.25
loss = sum((w - [[0, 1], [2, 3]])^2) + (b - 1)^2
minimize with adam lr=0.1 steps=50
save "saved.safetensors"
save "saved.json"
w = zeros(2, 2)
b = 7
load "saved.json"
print "loaded", w, b, digits=8
minimize with adam lr=0.1 steps=50
load "saved.safetensors"
print "loaded again", w, b, digits=8
"#;

/// The files `SAVE_LOAD` writes.
const SAVED: [&str; 2] = ["saved.safetensors", "saved.json"];

/// `gradlang export --jax SCRIPT -o PY`.
fn export_jax(script: &str, py: &Path) -> std::process::Output {
    gradlang(&[
        "export",
        "--jax",
        script,
        "-o",
        py.to_str().expect("utf-8 path"),
    ])
}

/// Runs every exported program in one Python process (importing JAX and
/// compiling takes most of the time; the import is paid once), each with
/// its own stdout, stderr and exit code.
const BATCH: &str = r#"
import contextlib, io, json, runpy, sys, traceback
jobs = json.load(open(sys.argv[1]))
for job in jobs:
    out, err, code = io.StringIO(), io.StringIO(), 0
    sys.argv = [job["py"], "--safetensors", job["st"]]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_path(job["py"], run_name="__main__")
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException:
            traceback.print_exc()
            code = 1
    for key, text in (("stdout", out.getvalue()), ("stderr", err.getvalue()), ("code", str(code))):
        open(job[key], "w").write(text)
"#;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's python, made (or remade, when the pins changed) first.
fn venv() -> PathBuf {
    let dir = root().join("target/jax-venv");
    let python = dir.join("bin/python");
    let pins_file = root().join("export/requirements.txt");
    let pins = fs::read_to_string(&pins_file).expect("export/requirements.txt is readable");
    let stamp = dir.join("installed-requirements.txt");
    if python.exists() && fs::read_to_string(&stamp).ok().as_deref() == Some(pins.as_str()) {
        return python;
    }
    let _ = fs::remove_dir_all(&dir);
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&dir)
        .output();
    match made {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "cannot create the venv for the JAX export test with `python3 -m venv {}`:\n{}\n\
             (on Debian/Ubuntu: apt-get install python3-venv; .ci/run does this)",
            dir.display(),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("cannot run python3 for the JAX export test: {e} (install Python 3.11)"),
    }
    let pip = Command::new(dir.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&pins_file)
        .output()
        .expect("the venv has pip");
    if !pip.status.success() {
        let _ = fs::remove_dir_all(&dir);
        panic!(
            "pip could not install the pinned JAX packages (export/requirements.txt) into {}:\n{}\n\
             The JAX export test needs them; it does not skip. Check the network and the package index.",
            dir.display(),
            String::from_utf8_lossy(&pip.stderr)
        );
    }
    fs::write(&stamp, &pins).expect("target/ is writable");
    python
}

fn gradlang(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gradlang"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("gradlang runs")
}

/// One script: what gradlang printed and its final params, and where the
/// exported program's results go.
struct Case {
    name: String,
    stdout: String,
    code: i32,
    params: Value,
    dir: PathBuf,
}

impl Case {
    fn new(script: &str, out: &Path) -> Case {
        let name = Path::new(script)
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a script name")
            .to_string();
        let run = gradlang(&["run", script]);
        let json = gradlang(&["run", "--json", script]);
        let doc: Value = serde_json::from_slice(&json.stdout).expect("run --json gives JSON");
        let dir = out.join(&name);
        fs::create_dir_all(&dir).expect("target/ is writable");
        let py = dir.join("program.py");
        let export = export_jax(script, &py);
        assert!(
            export.status.success(),
            "{script}: export failed:\n{}",
            String::from_utf8_lossy(&export.stderr)
        );
        Case {
            name,
            stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
            code: run.status.code().unwrap_or(-1),
            params: doc["params"].clone(),
            dir,
        }
    }

    fn job(&self, tag: &str) -> Value {
        let p = |f: &str| self.dir.join(format!("{tag}{f}")).display().to_string();
        serde_json::json!({
            "py": self.dir.join("program.py").display().to_string(),
            "st": p("params.safetensors"),
            "stdout": p("stdout.txt"),
            "stderr": p("stderr.txt"),
            "code": p("code.txt"),
        })
    }

    /// What differs between gradlang's run and the exported program's.
    fn compare(&self, tag: &str) -> Vec<String> {
        let read =
            |f: &str| fs::read_to_string(self.dir.join(format!("{tag}{f}"))).unwrap_or_default();
        let mut problems = Vec::new();
        let code: i32 = read("code.txt").trim().parse().unwrap_or(-1);
        let stderr = read("stderr.txt");
        if code != self.code {
            problems.push(format!(
                "exit {code}, gradlang {}; stderr:\n{stderr}",
                self.code
            ));
            return problems;
        }
        let ours: Vec<&str> = self.stdout.lines().collect();
        let stdout = read("stdout.txt");
        let theirs: Vec<&str> = stdout.lines().collect();
        if ours.len() != theirs.len() {
            problems.push(format!(
                "{} lines, gradlang {}:\n{stdout}",
                theirs.len(),
                ours.len()
            ));
        }
        let count_free = STEPS_MAY_DIFFER.iter().any(|(n, _)| *n == self.name);
        for (a, b) in ours.iter().zip(&theirs) {
            let (a, b) = match (a.strip_prefix("newton: "), b.strip_prefix("newton: ")) {
                (Some(x), Some(y)) if count_free => (
                    x.split_once(' ').map_or(x, |(_, rest)| rest),
                    y.split_once(' ').map_or(y, |(_, rest)| rest),
                ),
                _ => (*a, *b),
            };
            if !same_line(a, b) {
                problems.push(format!("line differs:\n  gradlang: {a}\n  jax:      {b}"));
            }
        }
        let params = read_safetensors(&self.dir.join(format!("{tag}params.safetensors")));
        let tol = 1e-9;
        for (name, p) in self.params.as_object().into_iter().flatten() {
            let want = flat(&p["value"]);
            match params.iter().find(|(n, _)| n == name) {
                None => problems.push(format!("param {name} missing from the safetensors")),
                Some((_, got)) if got.len() != want.len() => problems.push(format!(
                    "param {name}: {} entries, gradlang {}",
                    got.len(),
                    want.len()
                )),
                Some((_, got)) => {
                    let scale = want.iter().fold(1e-12f64, |m, v| m.max(v.abs()));
                    let worst = want
                        .iter()
                        .zip(got)
                        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
                    if worst > tol * scale || worst.is_nan() {
                        problems.push(format!(
                            "param {name}: off by {worst:e} (relative {:e} > {tol:e}): gradlang {want:?}, jax {got:?}",
                            worst / scale
                        ));
                    }
                }
            }
        }
        problems
    }
}

/// Two printed lines agree word by word, whole numbers (step counts, rows,
/// degrees of freedom) exactly, other numbers up to their last digit (1.5
/// units of it), or both at the rounding floor (below 1e-12, where a loss
/// like 9.5e-30 is rounding noise).
fn same_line(a: &str, b: &str) -> bool {
    let (wa, wb): (Vec<&str>, Vec<&str>) = (
        a.split_whitespace().collect(),
        b.split_whitespace().collect(),
    );
    wa.len() == wb.len()
        && wa.iter().zip(&wb).all(|(x, y)| {
            let strip = |s: &str| s.trim_matches(|c| matches!(c, '[' | ']' | ',')).to_string();
            let (sx, sy) = (strip(x), strip(y));
            if x == y {
                return true;
            }
            let (Ok(u), Ok(v)) = (sx.parse::<f64>(), sy.parse::<f64>()) else {
                return false;
            };
            let whole = |s: &str| !s.contains(['.', 'e', 'n', 'i']);
            if x.replace(&sx, "") != y.replace(&sy, "") || (whole(&sx) && whole(&sy)) {
                return false;
            }
            let diff = (u - v).abs();
            if u.abs() < 1e-12 && v.abs() < 1e-12 {
                return true;
            }
            diff <= 1.5 * last_digit(&sx).max(last_digit(&sy))
        })
}

/// The value of one unit in the last printed digit of `s` (`1.0000e-05`:
/// 1e-9; `2.`: 1).
fn last_digit(s: &str) -> f64 {
    let (mantissa, exp) = match s.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (s, 0),
    };
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    10f64.powi(exp - decimals)
}

fn flat(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap_or(f64::NAN)],
        Value::String(s) => vec![s.parse().unwrap_or(f64::NAN)],
        _ => vec![f64::NAN],
    }
}

/// The params of a file `save` wrote, by name, sorted.
fn saved_values(path: &Path) -> Vec<(String, Vec<f64>)> {
    let mut values = if path.extension().is_some_and(|e| e == "json") {
        let text = fs::read_to_string(path).unwrap_or_default();
        let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        doc.as_object()
            .into_iter()
            .flatten()
            .map(|(name, p)| (name.clone(), flat(&p["data"])))
            .collect()
    } else {
        read_safetensors(path)
    };
    values.sort_by(|a, b| a.0.cmp(&b.0));
    values
}

/// Same names and values to 1e-9 relative.
fn close(a: &[(String, Vec<f64>)], b: &[(String, Vec<f64>)]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|((na, va), (nb, vb))| {
            na == nb
                && va.len() == vb.len()
                && va
                    .iter()
                    .zip(vb)
                    .all(|(x, y)| (x - y).abs() <= 1e-9 * x.abs().max(1.0))
        })
}

/// The F64 tensors of a safetensors file, by name.
fn read_safetensors(path: &Path) -> Vec<(String, Vec<f64>)> {
    let Ok(bytes) = fs::read(path) else {
        return Vec::new();
    };
    let Some(len) = bytes
        .get(..8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])) as usize)
    else {
        return Vec::new();
    };
    let Some(header) = bytes.get(8..8 + len) else {
        return Vec::new();
    };
    let header: Value = serde_json::from_slice(header).unwrap_or(Value::Null);
    let data = &bytes[8 + len..];
    let mut out = Vec::new();
    for (name, t) in header.as_object().into_iter().flatten() {
        let range = &t["data_offsets"];
        let (Some(a), Some(b)) = (range[0].as_u64(), range[1].as_u64()) else {
            continue;
        };
        let values = data
            .get(a as usize..b as usize)
            .unwrap_or_default()
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect();
        out.push((name.clone(), values));
    }
    out
}

/// Runs `cases` in one Python process with `env` set; returns its stderr.
fn run_batch(
    python: &Path,
    cases: &[&Case],
    tag: &str,
    env: &[(&str, &str)],
) -> std::process::Child {
    let dir = root().join("target/jax-export");
    let jobs: Vec<Value> = cases.iter().map(|c| c.job(tag)).collect();
    let list = dir.join(format!("{tag}jobs.json"));
    fs::write(&list, serde_json::to_string(&jobs).expect("jobs serialise"))
        .expect("target/ is writable");
    let script = dir.join("batch.py");
    fs::write(&script, BATCH).expect("target/ is writable");
    let mut cmd = Command::new(python);
    cmd.arg(&script).arg(&list).current_dir(root());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("the venv's python runs")
}

#[test]
fn exported_programs_match_gradlang() {
    let python = venv();
    let out = root().join("target/jax-export");
    fs::create_dir_all(&out).expect("target/ is writable");
    let mut scripts = Vec::new();
    for dir in ["examples", "tests/data/jax"] {
        for e in fs::read_dir(root().join(dir)).expect("the directory lists") {
            let p = e.expect("an entry").path();
            if p.extension().is_some_and(|x| x == "gl") {
                let name = p.file_name().and_then(|n| n.to_str()).expect("utf-8 name");
                scripts.push(format!("{dir}/{name}"));
            }
        }
    }
    scripts.sort();
    assert!(scripts.len() >= 17, "found only {} scripts", scripts.len());
    let saving = out.join("save_load");
    fs::create_dir_all(&saving).expect("target/ is writable");
    fs::write(saving.join("save_load.gl"), SAVE_LOAD).expect("target/ is writable");
    scripts.push("target/jax-export/save_load/save_load.gl".into());
    let cases: Vec<Case> = scripts.iter().map(|s| Case::new(s, &out)).collect();
    // gradlang's own saved files, kept apart from the program's.
    for file in SAVED {
        fs::rename(saving.join(file), saving.join(format!("gradlang-{file}")))
            .expect("gradlang saved the file");
    }
    let all: Vec<&Case> = cases.iter().collect();
    let sharded: Vec<&Case> = cases
        .iter()
        .filter(|c| c.name == "polyfit" || c.name == "mlp")
        .collect();
    assert_eq!(sharded.len(), 2, "polyfit and mlp are among the scripts");
    let mut one = run_batch(&python, &all, "", &[]);
    let mut two = run_batch(
        &python,
        &sharded,
        "two-",
        &[
            ("XLA_FLAGS", "--xla_force_host_platform_device_count=2"),
            ("GRADLANG_EXPORT_SHARDING", "1"),
        ],
    );
    let _ = one.wait();
    let _ = two.wait();

    let mut failures = Vec::new();
    for c in &cases {
        for p in c.compare("") {
            failures.push(format!("{}: {p}", c.name));
        }
    }
    for file in SAVED {
        let (ours, theirs) = (
            saved_values(&saving.join(format!("gradlang-{file}"))),
            saved_values(&saving.join(file)),
        );
        if ours.is_empty() || !close(&ours, &theirs) {
            failures.push(format!(
                "save_load: {file} differs: gradlang {ours:?}, jax {theirs:?}"
            ));
        }
    }
    for c in &sharded {
        for p in c.compare("two-") {
            failures.push(format!("{} on 2 devices: {p}", c.name));
        }
        let report = fs::read_to_string(c.dir.join("two-stderr.txt")).unwrap_or_default();
        let split = report
            .lines()
            .filter(|l| l.starts_with("sharding:") && l.contains("devices=2 sharded=True"))
            .count();
        if split < 2 {
            failures.push(format!(
                "{}: fewer than 2 data arrays split over 2 devices:\n{report}",
                c.name
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn numbers_agree_to_their_last_digit() {
    assert!(same_line("loss 0.1191 -> 2.0000", "loss 0.1192 -> 2.0000"));
    assert!(!same_line("loss 0.1191", "loss 0.1194"));
    assert!(same_line("[1.0000e-05,", "[1.0001e-05,"));
    assert!(same_line("loss 9.5452e-30", "loss 2.2995e-29"));
    assert!(!same_line("a 1.", "b 1."));
    assert!(!same_line("newton: 7 steps", "newton: 8 steps"));
    assert!(same_line("x 7.", "x 8."));
    assert_eq!(last_digit("2."), 1.0);
    assert!((last_digit("1.0000e-05") - 1e-9).abs() < 1e-20);
}
