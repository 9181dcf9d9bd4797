//! The toolkit around `minimize`, driven through the built binary: bounds,
//! `maximize`, the stopping rules for every optimizer, `run --json` (parsed
//! and checked value by value), `run --plot` (a well-formed SVG with the
//! expected points) and the live progress bar on a real terminal.
//!
//! Scripts go in on stdin (`gradlang run -`); the text output of the same
//! features is pinned by the golden cases in `tests/toolkit/`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// Every optimizer with options that make `(x - 1)^2` from 3 converge in a
/// few hundred steps.
const OPTIMIZERS: [&str; 9] = [
    "sgd lr=0.1",
    "adam lr=0.1",
    "adamw lr=0.1 weight_decay=0",
    "nadam lr=0.1",
    "rmsprop lr=0.05",
    "adagrad lr=1",
    "lbfgs",
    "lbfgs line_search=\"strong_wolfe\"",
    "newton",
];

/// Runs `gradlang run ARGS -` with `script` on stdin.
fn gradlang(args: &[&str], script: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gradlang"))
        .arg("run")
        .args(args)
        .arg("-")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start gradlang");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(script.as_bytes())
        .expect("cannot write the script");
    child.wait_with_output().expect("cannot wait for gradlang")
}

/// The `--json` document of a script that must succeed.
fn json(script: &str) -> Value {
    let out = gradlang(&["--json"], script);
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    parse(&out)
}

fn parse(out: &Output) -> Value {
    let text = String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The text output of a script that must succeed.
fn text(script: &str) -> String {
    let out = gradlang(&[], script);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

fn num(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, found {v}"))
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, found {v}"))
        .iter()
        .map(num)
        .collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// Checks what every minimize record must satisfy, whatever its options.
fn check_run(run: &Value) {
    let history = nums(&run["history"]);
    let steps = run["steps"].as_u64().expect("steps is an integer");
    assert_eq!(
        history.len() as u64,
        steps + 1,
        "one loss before each step run, then the final one: {run}"
    );
    assert_eq!(num(&run["initial_loss"]), history[0]);
    assert_eq!(num(&run["final_loss"]), history[history.len() - 1]);
    let stop = run["stop"].as_str().expect("stop is a string");
    assert_eq!(run["message"].is_null(), stop == "steps", "{run}");
}

#[test]
fn json_holds_prints_minimizes_and_params_as_values() {
    let doc = json(
        "param w = [1, 2] in [0, 3.5]\n\
         param b = 0.5\n\
         loss fit = sum((w - [3, 4])^2) + (b - 1)^2\n\
         print \"start\", w, [[1, 2], [3, 4]]\n\
         minimize fit with sgd lr=0.1 momentum=0.5 steps=200 target=0.250001 tol=1e-9 every=10\n\
         print w[0], log(0), -log(0), sqrt(-1)\n",
    );
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["ok"], true);

    let prints = doc["prints"].as_array().unwrap();
    assert_eq!(prints.len(), 2);
    assert_eq!(
        prints[0],
        serde_json::json!([
            "start",
            {"shape": [2], "value": [1.0, 2.0]},
            {"shape": [2, 2], "value": [[1.0, 2.0], [3.0, 4.0]]}
        ])
    );
    assert_eq!(prints[1][0]["shape"], serde_json::json!([]));
    // The run stops within 1e-6 of the best loss, so within 1e-3 of w = 3.
    assert!(close(num(&prints[1][0]["value"]), 3.0, 1e-3));
    assert_eq!(prints[1][1]["value"], "-inf");
    assert_eq!(prints[1][2]["value"], "inf");
    assert_eq!(prints[1][3]["value"], "nan");

    let runs = doc["minimizes"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    check_run(run);
    assert_eq!(run["optimizer"], "sgd");
    assert_eq!(run["loss"], "fit");
    assert_eq!(run["maximize"], false);
    assert_eq!(
        run["options"],
        serde_json::json!({"lr": 0.1, "momentum": 0.5, "steps": 200, "target": 0.250001, "tol": 1e-9, "every": 10})
    );
    // w = [1, 2], b = 0.5: 4 + 4 + 0.25. The bound keeps w[1] at 3.5.
    assert_eq!(num(&run["initial_loss"]), 8.25);
    assert!((0.25..=0.250001).contains(&num(&run["final_loss"])));
    assert_eq!(run["stop"], "target");
    assert!(run["steps"].as_u64().unwrap() < 200);

    let params = doc["params"].as_object().unwrap();
    assert_eq!(params.len(), 2);
    let w = nums(&params["w"]["value"]);
    assert!(close(w[0], 3.0, 1e-3) && w[1] == 3.5, "{w:?}");
    assert_eq!(params["w"]["shape"], serde_json::json!([2]));
    assert_eq!(
        params["w"]["bounds"],
        serde_json::json!([{"shape": [], "value": 0.0}, {"shape": [], "value": 3.5}])
    );
    assert!(close(num(&params["b"]["value"]), 1.0, 1e-3));
    assert!(params["b"]["bounds"].is_null());
}

#[test]
fn json_holds_a_least_squares_fit_with_its_standard_errors() {
    // A line through noisy points; the references are numpy's lstsq and
    // sqrt(diag(s²(XᵀX)⁻¹)) with s² = RSS / 8.
    let doc = json(
        "let x = arange(10)\n\
         let y = 2 + 3 * x + [0.3, -0.2, 0.1, -0.4, 0.25, 0.05, -0.15, 0.2, -0.1, -0.05]\n\
         param a = 0\nparam b = 0\nresidual = y - (a + b * x)\nminimize with lm\n",
    );
    let run = &doc["minimizes"][0];
    check_run(run);
    assert_eq!(run["optimizer"], "lm");
    assert!(run["options"].get("steps").is_none(), "{run}");
    let fit = &run["fit"];
    assert_eq!(fit["residuals"], 10);
    assert_eq!(fit["dof"], 8);
    assert!(close(num(&fit["rss"]), 0.43406060606060654, 1e-12), "{fit}");
    assert!(close(
        num(&fit["stderr"]["a"]["value"]),
        0.136906998253555,
        1e-12
    ));
    assert!(close(
        num(&fit["stderr"]["b"]["value"]),
        0.02564503041410388,
        1e-12
    ));
    assert!(close(
        num(&doc["params"]["b"]["value"]),
        2.991515151515153,
        1e-12
    ));
    let stop = run["stop"].as_str().unwrap_or_default();
    assert!(
        ["ftol", "xtol", "ftol_xtol", "gtol"].contains(&stop),
        "{run}"
    );
}

#[test]
fn json_keys_come_in_schema_and_declaration_order() {
    let out = gradlang(
        &["--json"],
        "param zeta = 1\nparam alpha = 2\nloss = (zeta - alpha)^2\n\
         minimize with sgd lr=0.1 steps=2\n",
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let at = |key: &str| {
        text.find(&format!("\"{key}\":"))
            .unwrap_or_else(|| panic!("no {key} in {text}"))
    };
    let order = [
        "version",
        "ok",
        "prints",
        "minimizes",
        "params",
        "zeta",
        "alpha",
    ];
    assert!(order.windows(2).all(|k| at(k[0]) < at(k[1])), "{text}");
    let run = [
        "optimizer",
        "loss",
        "maximize",
        "options",
        "steps",
        "stop",
        "message",
        "history",
        "fit",
    ];
    assert!(run.windows(2).all(|k| at(k[0]) < at(k[1])), "{text}");
}

#[test]
fn json_of_a_failed_script_has_ok_false_and_what_ran() {
    let out = gradlang(
        &["--json"],
        "param x = 3\n\
         loss = (x - 1)^2\n\
         print x\n\
         minimize with adam lr=0.1 steps=5\n\
         assert x > 5, \"too small\"\n\
         print \"never\"\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let doc = parse(&out);
    assert_eq!(doc["ok"], false);
    assert_eq!(
        doc["prints"],
        serde_json::json!([[{"shape": [], "value": 3.0}]])
    );
    let runs = doc["minimizes"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    check_run(&runs[0]);
    assert_eq!(runs[0]["steps"], 5);
    assert!(num(&doc["params"]["x"]["value"]) < 3.0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("too small"), "{stderr}");
}

#[test]
fn json_of_a_script_that_does_not_parse_is_still_json() {
    let out = gradlang(&["--json"], "print (1 +\n");
    assert_eq!(out.status.code(), Some(1));
    let doc = parse(&out);
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["prints"], serde_json::json!([]));
    assert_eq!(doc["params"], serde_json::json!({}));
}

#[test]
fn bounds_are_projected_after_every_step_for_every_optimizer() {
    for opt in OPTIMIZERS {
        let doc = json(&format!(
            "param p = [0.5, 0.5, -0.5] in [[-1, 0, -1], [1, 1, 0]]\n\
             loss = sum((p - [3, -2, 0.25])^2)\n\
             minimize with {opt} steps=40\n"
        ));
        assert_eq!(
            nums(&doc["params"]["p"]["value"]),
            [1.0, 0.0, 0.0],
            "{opt}: each entry ends exactly on its active bound"
        );
        let run = &doc["minimizes"][0];
        check_run(run);
        // Inside the box the loss is at least 4 + 4 + 1/16; a point outside
        // it (an unprojected step) would score lower.
        for (k, v) in nums(&run["history"]).iter().enumerate() {
            assert!(*v >= 8.0625 - 1e-12, "{opt}: step {k} left the box");
        }
    }
}

#[test]
fn maximize_climbs_with_every_optimizer() {
    for opt in OPTIMIZERS {
        let doc = json(&format!(
            "param s = 0\n\
             loss height = 1 - (s - 3)^2\n\
             maximize height with {opt} steps=2000 tol=1e-7\n"
        ));
        let run = &doc["minimizes"][0];
        check_run(run);
        assert_eq!(run["maximize"], true);
        assert_eq!(run["loss"], "height");
        assert_eq!(
            num(&run["initial_loss"]),
            -8.0,
            "{opt}: the value, not its negation"
        );
        assert!(
            close(num(&run["final_loss"]), 1.0, 1e-9),
            "{opt}: final value {}",
            run["final_loss"]
        );
        assert_eq!(run["stop"], "tol", "{opt}");
        assert!(close(num(&doc["params"]["s"]["value"]), 3.0, 1e-6), "{opt}");
    }
}

#[test]
fn target_stops_at_the_first_step_that_reaches_it() {
    for opt in OPTIMIZERS {
        for (verb, loss, target) in [
            ("minimize", "(x - 1)^2", 1e-6),
            ("maximize", "-(x - 1)^2", -1e-6),
        ] {
            let doc = json(&format!(
                "param x = 3\nloss = {loss}\n{verb} with {opt} steps=5000 target={target}\n"
            ));
            let run = &doc["minimizes"][0];
            check_run(run);
            assert_eq!(run["stop"], "target", "{opt} {verb}: {run}");
            let history = nums(&run["history"]);
            let reached = |v: f64| {
                if verb == "minimize" {
                    v <= target
                } else {
                    v >= target
                }
            };
            assert!(reached(history[history.len() - 1]), "{opt} {verb}");
            assert!(
                history[..history.len() - 1].iter().all(|&v| !reached(v)),
                "{opt} {verb}: it went on after reaching the target"
            );
        }
    }
}

#[test]
fn tol_stops_once_every_gradient_entry_is_below_it() {
    for opt in OPTIMIZERS {
        let doc = json(&format!(
            "param x = [3, -1]\nloss = sum((x - [1, 2])^2)\n\
             minimize with {opt} steps=5000 tol=1e-4\n"
        ));
        let run = &doc["minimizes"][0];
        check_run(run);
        assert_eq!(run["stop"], "tol", "{opt}: {run}");
        let x = nums(&doc["params"]["x"]["value"]);
        // The gradient is 2 (x - [1, 2]).
        assert!(
            (2.0 * (x[0] - 1.0)).abs() < 1e-4 && (2.0 * (x[1] - 2.0)).abs() < 1e-4,
            "{opt}: {x:?}"
        );
    }
}

#[test]
fn tol_ignores_a_gradient_that_pushes_against_an_active_bound() {
    // At p = 1 the gradient is -2 forever; the bound stops the params, so
    // the run is as converged as it can be.
    for opt in OPTIMIZERS {
        let doc = json(&format!(
            "param p = [0, 0] in [-1, 1]\nloss = sum((p - [2, 0.5])^2)\n\
             minimize with {opt} steps=5000 tol=1e-4\n"
        ));
        let run = &doc["minimizes"][0];
        assert_eq!(run["stop"], "tol", "{opt}: {run}");
        let p = nums(&doc["params"]["p"]["value"]);
        assert!(p[0] == 1.0 && close(p[1], 0.5, 1e-4), "{opt}: {p:?}");
    }
}

#[test]
fn every_prints_a_line_every_n_steps_for_every_optimizer() {
    for opt in OPTIMIZERS {
        let name = opt.split(' ').next().unwrap();
        let out = text(&format!(
            "param x = 3\nloss = (x - 1)^2 + 1\nminimize with {opt} steps=12 every=4\n"
        ));
        let lines: Vec<&str> = out.lines().collect();
        // Lines at steps 4 and 8 (step 12 is the summary), unless the run
        // converged sooner.
        let summary = lines.last().unwrap();
        assert!(summary.starts_with(&format!("{name}: ")), "{out}");
        let steps: u64 = summary[name.len() + 2..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let expected: Vec<String> = (1..)
            .map(|k| 4 * k)
            .take_while(|&s| s < 12 && s <= steps)
            .map(|s| format!("{name} step {s}: loss "))
            .collect();
        assert_eq!(lines.len(), expected.len() + 1, "{opt}:\n{out}");
        for (line, prefix) in lines.iter().zip(&expected) {
            assert!(line.starts_with(prefix.as_str()), "{opt}: {line}");
        }
    }
}

#[test]
fn second_order_methods_stop_on_their_gradient_tolerance() {
    for (opt, message) in [
        ("newton", "every gradient entry within gtol 1.0000e-10"),
        (
            "lbfgs",
            "every gradient entry within tolerance_grad 1.0000e-07",
        ),
    ] {
        let doc = json(&format!(
            "param x = [1, 2]\nloss = sum((x - [3, -1])^2) + x[0]^4\nminimize with {opt} steps=50\n"
        ));
        let run = &doc["minimizes"][0];
        assert_eq!(run["stop"], "gtol", "{opt}: {run}");
        assert_eq!(run["message"], message, "{opt}: {run}");
    }
}

#[test]
fn newton_and_lbfgs_reach_the_rosenbrock_minimum() {
    // torch's default tolerances stop L-BFGS ~2e-5 short; tighter ones
    // reach the minimum to the last digits.
    for (opt, within) in [
        ("newton steps=100 gtol=1e-10", 1e-9),
        ("lbfgs line_search=\"strong_wolfe\" steps=100", 1e-4),
        (
            "lbfgs line_search=\"strong_wolfe\" tolerance_grad=1e-12 \
             tolerance_change=1e-15 steps=100",
            1e-7,
        ),
        ("lbfgs steps=500", 1e-5),
    ] {
        let doc = json(&format!(
            "param x = -1.2\nparam y = 1\n\
             loss = (1 - x)^2 + 100 * (y - x^2)^2\n\
             minimize with {opt}\n"
        ));
        let (x, y) = (
            num(&doc["params"]["x"]["value"]),
            num(&doc["params"]["y"]["value"]),
        );
        assert!(
            close(x, 1.0, within) && close(y, 1.0, within),
            "{opt}: ({x}, {y})"
        );
        check_run(&doc["minimizes"][0]);
    }
}

/// A path in a fresh directory under the system's temp dir.
fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradlang-toolkit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("cannot create a temp dir");
    dir.join(name)
}

/// Checks that `svg` is well formed: one root, tags balanced and properly
/// nested, attribute values quoted. Returns the start tags, in order.
fn svg_tags(svg: &str) -> Vec<(String, String)> {
    let body = svg
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("an XML declaration");
    let mut stack: Vec<String> = Vec::new();
    let mut tags = Vec::new();
    let mut rest = body;
    let mut roots = 0;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        check_text(text);
        let close = rest[open..].find('>').expect("an unterminated tag") + open;
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        assert_eq!(
            attrs.matches('"').count() % 2,
            0,
            "unbalanced quotes in <{tag}>"
        );
        let names: Vec<&str> = attrs
            .split('"')
            .step_by(2)
            .filter_map(|a| a.trim().strip_suffix('='))
            .collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "a repeated attribute in <{tag}>");
        if stack.is_empty() {
            roots += 1;
        }
        tags.push((name.to_string(), attrs.to_string()));
        if !self_closing {
            stack.push(name.to_string());
        }
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
    assert_eq!(roots, 1, "one root element");
    assert_eq!(tags[0].0, "svg");
    tags
}

/// Character data: no stray `>`, and every `&` starts an entity.
fn check_text(text: &str) {
    assert!(!text.contains('>'), "a bare > in {text:?}");
    for (i, _) in text.match_indices('&') {
        let entity = ["&amp;", "&lt;", "&gt;", "&quot;"];
        assert!(
            entity.iter().any(|e| text[i..].starts_with(e)),
            "a bare & in {text:?}"
        );
    }
}

fn attr<'a>(attrs: &'a str, name: &str) -> &'a str {
    let key = format!("{name}=\"");
    let start = attrs
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {attrs}"))
        + key.len();
    let len = attrs[start..].find('"').expect("a closing quote");
    &attrs[start..start + len]
}

#[test]
fn plot_draws_one_polyline_per_minimize_with_its_points() {
    let path = temp_path("plot.svg");
    let script = "param x = 3\nparam y = 1\n\
                  loss = (x - 1)^2 + (y + 2)^2 + 1e-3\n\
                  minimize with sgd lr=0.1 steps=30\n\
                  param x = 3\n\
                  minimize with adam lr=0.01 steps=5000\n\
                  loss fit = (x - y)^2 - 20\n\
                  minimize fit with newton steps=0\n\
                  print x\n";
    let plain = gradlang(&[], script);
    let out = gradlang(&["--plot", path.to_str().unwrap()], script);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.stdout, plain.stdout,
        "--plot leaves the text output alone"
    );
    let svg = std::fs::read_to_string(&path).expect("the plot was written");
    let tags = svg_tags(&svg);

    let polylines: Vec<&str> = tags
        .iter()
        .filter(|(n, _)| n == "polyline")
        .map(|(_, a)| attr(a, "points"))
        .collect();
    assert_eq!(polylines.len(), 3);
    let points: Vec<Vec<(f64, f64)>> = polylines
        .iter()
        .map(|p| {
            p.split(' ')
                .map(|xy| {
                    let (x, y) = xy.split_once(',').expect("x,y");
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect();
    assert_eq!(points[0].len(), 31, "every step of a short run");
    assert!(
        (900..=1000).contains(&points[1].len()),
        "a long run is thinned to at most 1000 points, not {}",
        points[1].len()
    );
    assert_eq!(points[2].len(), 1);
    let (w, h): (f64, f64) = (
        attr(&tags[0].1, "width").parse().unwrap(),
        attr(&tags[0].1, "height").parse().unwrap(),
    );
    for (x, y) in points.iter().flatten() {
        assert!(
            (0.0..=w).contains(x) && (0.0..=h).contains(y),
            "({x}, {y}) off the canvas"
        );
    }
    // Steps run left to right; both runs start at step 0, on the same x.
    assert!(points[0].windows(2).all(|p| p[0].0 < p[1].0));
    assert_eq!(points[0][0].0, points[1][0].0);
    // The falling losses span decades, but one value is negative: linear.
    assert!(!svg.contains("log scale"));
    for entry in [
        "1. sgd, minimize loss: 30 steps",
        "2. adam, minimize loss: 5000 steps",
        "3. newton, minimize fit: 0 steps",
    ] {
        assert!(svg.contains(entry), "legend entry {entry:?}");
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn plot_uses_a_log_scale_when_the_loss_spans_decades() {
    let path = temp_path("log.svg");
    let out = gradlang(
        &["--plot", path.to_str().unwrap()],
        "param x = -1.2\nparam y = 1\n\
         loss = (1 - x)^2 + 100 * (y - x^2)^2\n\
         minimize with newton steps=50 gtol=1e-12\n",
    );
    assert!(out.status.success());
    let svg = std::fs::read_to_string(&path).unwrap();
    svg_tags(&svg);
    assert!(svg.contains("loss (log scale)"));
    // Newton ends at a loss of exactly 0, which a log scale cannot show.
    assert!(svg.contains("drawn on the bottom edge"));
    let _ = std::fs::remove_file(&path);
}

#[test]
fn plot_without_a_minimize_is_an_empty_chart() {
    let path = temp_path("empty.svg");
    let out = gradlang(&["--plot", path.to_str().unwrap()], "print 1\n");
    assert!(out.status.success());
    let svg = std::fs::read_to_string(&path).unwrap();
    let tags = svg_tags(&svg);
    assert!(!tags.iter().any(|(n, _)| n == "polyline"));
    assert!(svg.contains("no minimize ran"));
    let _ = std::fs::remove_file(&path);
}

#[test]
fn plot_to_an_unwritable_path_is_a_usage_error() {
    let path = temp_path("no/such/dir/plot.svg");
    let out = gradlang(&["--plot", path.to_str().unwrap()], "print 1\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
}

/// Runs a script in a pseudo-terminal (so stderr is a terminal) and
/// returns everything it wrote there.
fn run_in_pty(name: &str, script: &str) -> String {
    let path = temp_path(name);
    std::fs::write(&path, script).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gradlang"));
    cmd.arg("run")
        .arg(&path)
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut session = rexpect::session::spawn_command(cmd, Some(60_000)).expect("a pty");
    let output = session.exp_eof().expect("the run ends");
    let _ = std::fs::remove_file(&path);
    output
}

/// Runs `script(n)` in a pty with n = 1, 4, 16, ... until the run is long
/// enough for the progress bar to show, whatever the machine's speed.
fn run_until_the_bar_shows(name: &str, script: impl Fn(u64) -> String) -> String {
    let mut n = 1;
    loop {
        let output = run_in_pty(name, &script(n));
        if output.contains("steps/s") || n >= 1 << 10 {
            return output;
        }
        n *= 4;
    }
}

#[test]
fn the_progress_bar_shows_on_a_terminal_and_clears_itself() {
    // About 0.5 s per million steps here; a faster machine takes a retry.
    let output = run_until_the_bar_shows("long.gl", |n| {
        format!(
            "param x = 3\nloss = (x - 1)^2 + 1\nminimize with sgd lr=1e-9 steps={}\n",
            2_000_000 * n
        )
    });
    let bar = output.rfind("steps/s").expect("the bar showed up");
    assert!(
        output.contains("sgd [") && output.contains(" loss "),
        "{output:?}"
    );
    let summary = output.find("sgd: ").expect("the summary line");
    // The bar erases its line before the summary is written.
    assert!(output[bar..summary].contains("\x1b[2K"), "{output:?}");
}

#[test]
fn the_progress_bar_is_cleared_before_an_error_is_reported() {
    // log(x) runs x down to 0 in x^2 / (2 lr) steps, then turns NaN.
    let output = run_until_the_bar_shows("nonfinite.gl", |n| {
        format!(
            "param x = 1\nloss = log(x)\nminimize with sgd lr={} steps=1e12\n",
            1e-7 / n as f64
        )
    });
    let error = output.find("[E0212]").expect("the error");
    let bar = output[..error].rfind("steps/s").expect("the bar showed up");
    assert!(
        output[bar..error].contains("\x1b[2K"),
        "the diagnostic starts on a line of its own: {output:?}"
    );
}
