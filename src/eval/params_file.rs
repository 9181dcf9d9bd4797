//! `save "FILE"` and `load "FILE"`: every param by name, as a
//! .safetensors file (f64, little-endian, the format PyTorch, JAX and NumPy
//! read through the `safetensors` package) or as readable JSON
//! (`{"w": {"shape": [3, 1], "data": [[1.0], [2.0], [3.0]]}}`, NaN and the
//! infinities as the strings "NaN", "Infinity", "-Infinity").
//!
//! `load` is all or nothing: every param declared so far must be in the
//! file with its shape (E0242), else nothing changes; names in the file
//! that are no param are a warning (W0011), so a checkpoint of a larger
//! model still loads.

use safetensors::{Dtype, SafeTensors};
use serde_json::{json, Value};

use super::error::{io_reason, EvalError, TrainingError};
use super::Interp;
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::ast::{Expr, ExprS};
use crate::syntax::span::Span;
use crate::tensor::{shape_string, Tensor};

/// A file's params: (name, shape, row-major values).
type Entries = Vec<(String, Vec<usize>, Vec<f64>)>;

/// The two formats, by the file name's ending.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Format {
    SafeTensors,
    Json,
}

impl Interp {
    /// `save "FILE"`.
    pub(super) fn save_params(&mut self, path: &ExprS) -> Result<(), EvalError> {
        let (name, format) = file_name(path, true)?;
        let entries = self.named_params();
        let bytes = match format {
            Format::SafeTensors => to_safetensors(&entries),
            Format::Json => Ok(to_json(&entries)),
        }
        .map_err(|reason| write_error(path.span, &name, reason))?;
        let Some(full) = self.files.writable_path(&name) else {
            let reason = "this run has no file system to write to (the browser playground)".into();
            return Err(write_error(path.span, &name, reason));
        };
        let missing = full.parent().is_some_and(|f| !f.is_dir());
        if let (true, Some(folder)) = (missing, std::path::Path::new(&name).parent()) {
            let reason = format!("the folder `{}` does not exist", folder.display());
            return Err(write_error(path.span, &name, reason));
        }
        std::fs::write(full, bytes).map_err(|e| write_error(path.span, &name, io_reason(&e)))
    }

    /// `load "FILE"`.
    pub(super) fn load_params(&mut self, path: &ExprS) -> Result<(), EvalError> {
        let (name, format) = file_name(path, false)?;
        let read_error = |reason: String| {
            EvalError::File {
            span: path.span,
            path: name.clone(),
            reason,
            help: Some(match format {
                Format::SafeTensors => "`load` reads files written by `save` or by Python's `safetensors` (`save_file({\"w\": tensor})`)".into(),
                Format::Json => "`load` reads the JSON `save` writes: {\"NAME\": {\"shape\": [...], \"data\": [...]}, ...}".into(),
            }),
        }
        };
        let bytes = self
            .files
            .read(&name)
            .map_err(|unreadable| read_error(unreadable.reason))?;
        let entries = match format {
            Format::SafeTensors => from_safetensors(&bytes),
            Format::Json => from_json(&bytes),
        }
        .map_err(read_error)?;
        let mut updates = Vec::new();
        for (param, value) in self.named_params() {
            let Some((_, shape, data)) = entries.iter().find(|(n, _, _)| *n == param) else {
                return Err(load_error(
                    path.span,
                    format!("`{name}` has no param `{param}`"),
                    format!("no `{param}` in this file"),
                    "a file written by `save` after declaring the same params loads; declare the params before `load`, with the names the file uses".into(),
                ));
            };
            if shape.as_slice() != value.shape() {
                return Err(load_error(
                    path.span,
                    format!(
                        "`{param}` has shape {} in `{name}` but {} here",
                        shape_string(shape),
                        shape_string(value.shape())
                    ),
                    format!("`{param}` is {} in this file", shape_string(shape)),
                    format!(
                        "declare `{param}` with the shape the file holds, {}",
                        shape_string(shape)
                    ),
                ));
            }
            updates.push((param, Tensor::from_shape_vec(shape, data.clone())));
        }
        let extra: Vec<String> = entries
            .iter()
            .filter(|(n, _, _)| !updates.iter().any(|(p, _)| p == n))
            .map(|(n, _, _)| format!("`{n}`"))
            .collect();
        if !extra.is_empty() {
            self.warn(
                Diagnostic::warning(
                    Code::W0011,
                    format!("`{name}` holds {} that no param here is named: {}", if extra.len() == 1 { "a tensor" } else { "tensors" }, extra.join(", ")),
                    path.span,
                    "not loaded",
                )
                .with_help("declare a param of that name before `load` to load it, or ignore this if the file holds more than this script needs"),
            );
        }
        for (param, value) in updates {
            if let Some(i) = self.params.iter().rposition(|p| p.name == param) {
                self.params[i].value = value;
            }
        }
        self.param_updates += 1;
        self.tape.new_epoch();
        Ok(())
    }

    /// Each param name once (the latest declaration of a name wins), in
    /// the order first declared.
    fn named_params(&self) -> Vec<(String, Tensor)> {
        let mut out: Vec<(String, Tensor)> = Vec::new();
        for p in &self.params {
            match out.iter_mut().find(|(n, _)| *n == p.name) {
                Some(slot) => slot.1 = p.value.clone(),
                None => out.push((p.name.clone(), p.value.clone())),
            }
        }
        out
    }
}

/// The file name `save`/`load` was given and its format (`gradlang check`
/// asks too).
pub(crate) fn file_name(path: &ExprS, saving: bool) -> Result<(String, Format), EvalError> {
    let Expr::Str(name) = &path.node else {
        return Err(EvalError::BadArgument {
            span: path.span,
            message: "`save` and `load` take a file name in double quotes".into(),
            help: Some("e.g. `save \"model.safetensors\"`".into()),
        });
    };
    let format = if name.ends_with(".safetensors") {
        Format::SafeTensors
    } else if name.ends_with(".json") {
        Format::Json
    } else if saving {
        return Err(write_error(path.span, name, unknown_format()));
    } else {
        return Err(EvalError::File {
            span: path.span,
            path: name.clone(),
            reason: unknown_format(),
            help: Some("`load` reads `.safetensors` and `.json` files".into()),
        });
    };
    Ok((name.clone(), format))
}

fn unknown_format() -> String {
    "the name ends in neither `.safetensors` nor `.json`".into()
}

fn write_error(span: Span, path: &str, reason: String) -> EvalError {
    EvalError::Training(TrainingError::Write {
        span,
        path: path.into(),
        reason,
    })
}

fn load_error(span: Span, message: String, label: String, help: String) -> EvalError {
    EvalError::Training(TrainingError::LoadParam {
        span,
        message,
        label,
        help,
    })
}

fn to_safetensors(params: &[(String, Tensor)]) -> Result<Vec<u8>, String> {
    let bytes: Vec<Vec<u8>> = params
        .iter()
        .map(|(_, t)| t.iter().flat_map(f64::to_le_bytes).collect())
        .collect();
    let views = params
        .iter()
        .zip(&bytes)
        .map(|((n, t), b)| {
            safetensors::tensor::TensorView::new(Dtype::F64, t.shape().to_vec(), b)
                .map(|v| (n.as_str(), v))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    safetensors::serialize(views, None).map_err(|e| e.to_string())
}

fn from_safetensors(bytes: &[u8]) -> Result<Entries, String> {
    let file = SafeTensors::deserialize(bytes)
        .map_err(|e| format!("it is not a safetensors file ({e})"))?;
    let mut out = Vec::new();
    for (name, view) in file.tensors() {
        let data = view.data();
        let values: Vec<f64> = match view.dtype() {
            Dtype::F64 => data
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect(),
            Dtype::F32 => data
                .chunks_exact(4)
                .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                .collect(),
            other => {
                return Err(format!(
                    "it holds `{name}` as {other:?}; `load` reads F64 and F32 tensors"
                ))
            }
        };
        out.push((name, view.shape().to_vec(), values));
    }
    Ok(out)
}

/// One line per param, in declaration order, so the file reads (and
/// diffs) param by param.
fn to_json(params: &[(String, Tensor)]) -> Vec<u8> {
    let lines: Vec<String> = params
        .iter()
        .map(|(name, t)| {
            let values: Vec<f64> = t.iter().collect();
            format!(
                "  {}: {}",
                Value::String(name.clone()),
                json!({ "shape": t.shape(), "data": nest(t.shape(), &values) })
            )
        })
        .collect();
    format!("{{\n{}\n}}\n", lines.join(",\n")).into_bytes()
}

/// `values` as nested lists of `shape` (a bare number for a scalar).
fn nest(shape: &[usize], values: &[f64]) -> Value {
    match shape.split_first() {
        None => values.first().map_or(Value::Null, |v| number(*v)),
        Some((&n, rest)) => {
            let each: usize = rest.iter().product();
            Value::Array(
                (0..n)
                    .map(|i| nest(rest, &values[i * each..(i + 1) * each]))
                    .collect(),
            )
        }
    }
}

fn number(v: f64) -> Value {
    match serde_json::Number::from_f64(v) {
        Some(n) => Value::Number(n),
        None if v.is_nan() => Value::String("NaN".into()),
        None if v > 0.0 => Value::String("Infinity".into()),
        None => Value::String("-Infinity".into()),
    }
}

fn from_json(bytes: &[u8]) -> Result<Entries, String> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("it is not valid JSON ({e})"))?;
    let Value::Object(map) = value else {
        return Err("it is not a JSON object of params".into());
    };
    let mut out = Vec::new();
    for (name, entry) in map {
        let bad = |what: &str| format!("`{name}` {what}");
        let shape: Vec<usize> = entry
            .get("shape")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("has no \"shape\" list"))?
            .iter()
            .map(|d| d.as_u64().map(|d| d as usize))
            .collect::<Option<_>>()
            .ok_or_else(|| bad("has a \"shape\" that is not a list of whole numbers"))?;
        let mut values = Vec::new();
        flatten(entry.get("data").unwrap_or(&Value::Null), &mut values)
            .ok_or_else(|| bad("has \"data\" that is not (nested lists of) numbers"))?;
        let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        if count != Some(values.len()) {
            return Err(bad(&format!(
                "has {} values for shape {}",
                values.len(),
                shape_string(&shape)
            )));
        }
        out.push((name, shape, values));
    }
    Ok(out)
}

/// Appends the numbers of nested lists to `out`; None on anything else.
fn flatten(v: &Value, out: &mut Vec<f64>) -> Option<()> {
    match v {
        Value::Number(n) => out.push(n.as_f64()?),
        Value::String(s) => out.push(match s.as_str() {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            _ => return None,
        }),
        Value::Array(items) => {
            for item in items {
                flatten(item, out)?;
            }
        }
        _ => return None,
    }
    Some(())
}
