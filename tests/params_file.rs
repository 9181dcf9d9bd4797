//! `save` and `load` of params: a file written by Python's `safetensors`
//! package loads with the values it holds, and what `save` writes (both
//! formats) loads back bit for bit, awkward values included.

use gradlang::driver::eval_str;
use gradlang::eval::Interp;

fn run(interp: &mut Interp, src: &str) {
    if let Err(e) = eval_str(interp, src) {
        panic!("{src}: {e:?}");
    }
}

fn values(interp: &Interp, name: &str) -> Vec<f64> {
    let p = interp.params().iter().rev().find(|p| p.name == name);
    p.expect("a param of that name").value.to_vec()
}

#[test]
fn loads_a_file_written_by_python_safetensors() {
    // tests/data/params/gen_fixture.py wrote W[i, j] = (3i + j) / 8,
    // b = -1.25, v = [0.5, -2, 3.75] as float32, and an `extra` tensor.
    let mut interp = Interp::new(0, Box::new(std::io::sink()));
    run(
        &mut interp,
        "param W = zeros(2, 3)\nparam b = 0\nparam v = zeros(3)\n\
         load \"tests/data/params/fixture.safetensors\"\n",
    );
    let w: Vec<f64> = (0..6).map(|k| f64::from(k) / 8.0).collect();
    assert_eq!(values(&interp, "W"), w);
    assert_eq!(values(&interp, "b"), vec![-1.25]);
    assert_eq!(values(&interp, "v"), vec![0.5, -2.0, 3.75]);
    let warnings = interp.take_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].code.as_str(), "W0011");
}

#[test]
fn save_then_load_restores_every_bit() {
    let dir = std::env::temp_dir().join(format!("gradlang-params-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let awkward = [
        1.0 / 3.0,
        -0.0,
        1e-310,
        f64::MAX,
        f64::NAN,
        f64::NEG_INFINITY,
    ];
    for file in ["m.safetensors", "m.json"] {
        let mut interp = Interp::new(7, Box::new(std::io::sink()));
        interp.set_base_dir(dir.clone());
        run(
            &mut interp,
            "param a = randn(2, 3)\nparam s = 0.1\nparam e = zeros(0, 4)\nparam q = zeros(6)\n",
        );
        let before_a = values(&interp, "a");
        // q holds what a literal cannot write: set it entry by entry.
        for (k, v) in awkward.iter().enumerate() {
            let text = match *v {
                v if v.is_nan() => "0 / 0".to_string(),
                v if v.is_infinite() => "-1 / 0".to_string(),
                v => format!("{v:e}"),
            };
            run(&mut interp, &format!("q[{k}] = {text}\n"));
        }
        run(
            &mut interp,
            &format!("save \"{file}\"\na = a * 0\ns = 5\nq = q * 0 + 1\nload \"{file}\"\n"),
        );
        assert_eq!(values(&interp, "a"), before_a, "{file}");
        assert_eq!(values(&interp, "s"), vec![0.1], "{file}");
        assert!(values(&interp, "e").is_empty(), "{file}");
        let q = values(&interp, "q");
        for (got, want) in q.iter().zip(&awkward) {
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{file}: {got:e} vs {want:e}"
            );
        }
        assert!(interp.take_warnings().is_empty(), "{file}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
