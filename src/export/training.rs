//! A `minimize`'s learning-rate schedule and mini-batches, carried to the
//! exported program as data: the rate of every step, computed by gradlang's
//! own schedule (torch's chainable formulas, whose last bits a closed form
//! in JAX would not reproduce), and the order of the rows in every epoch,
//! replayed from the script's random stream as it stood before the
//! `minimize`. Both go into the .npz, so the two programs take the same
//! steps on the same rows.

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::batch::{draw_order, layout};
use crate::eval::minimize_options::OwnOptions;
use crate::eval::record::MinimizeRecord;
use crate::optim::{schedule, OptValue};
use crate::rng::Rng;
use crate::syntax::span::Span;
use crate::tensor::Tensor;

use super::translate::refuse;

/// More rates (or row indices) than this are not written out.
const MAX_ENTRIES: u64 = 50_000_000;

fn number(rec: &MinimizeRecord, name: &str) -> Option<f64> {
    rec.options.iter().find_map(|(n, v)| match v {
        OptValue::Number(v) if n == name => Some(*v),
        _ => None,
    })
}

/// The learning rate of each of the run's `steps` steps, when it has a
/// schedule; `span` is the `minimize` (for a refusal).
pub(super) fn rates(rec: &MinimizeRecord, span: Span) -> Result<Option<Tensor>, Diagnostic> {
    let mut options = OwnOptions::default();
    for (name, value) in &rec.options {
        if schedule::is_option(name) {
            options.push(name, value.clone(), span);
        }
    }
    if options.values.is_empty() {
        return Ok(None);
    }
    let steps = number(rec, "steps").unwrap_or(0.0) as u64;
    if steps > MAX_ENTRIES {
        return Err(refuse(
            Code::E0251,
            span,
            "a schedule over this many steps cannot be exported to JAX",
            "scheduled over more than 50,000,000 steps",
            "the export writes one learning rate per step; run fewer steps",
        ));
    }
    let schedule = options
        .build(&rec.optimizer, span, number(rec, "lr"), steps)
        .map_err(|e| e.to_diagnostic())?;
    let Some(mut schedule) = schedule else {
        return Ok(None);
    };
    let mut lrs = Vec::with_capacity(steps as usize);
    for _ in 0..steps {
        lrs.push(schedule.lr());
        schedule.step();
    }
    Ok(Some(Tensor::from_shape_vec(&[lrs.len()], lrs)))
}

/// The names `over=` lists and the batch size, when the run used batches.
pub(super) fn batched(rec: &MinimizeRecord) -> Option<(Vec<String>, u64)> {
    let over = rec.options.iter().find_map(|(n, v)| match v {
        OptValue::Str(s) if n == "over" => Some(s),
        _ => None,
    })?;
    let names = over.split(", ").map(str::to_string).collect();
    Some((names, number(rec, "batch")? as u64))
}

/// Every epoch's order of the `rows` rows (epochs × rows), drawn again
/// from `before`, the random stream as the `minimize` found it; `after` is
/// the stream as it left it. The replay must arrive where the run did:
/// otherwise something besides the batches drew numbers during the run
/// (a random draw in the loss), and the orders would not be the run's.
pub(super) fn orders(
    rec: &MinimizeRecord,
    mut before: Rng,
    after: &Rng,
    rows: usize,
    span: Span,
) -> Result<Tensor, Diagnostic> {
    let batch = number(rec, "batch").unwrap_or(1.0) as u64;
    let per_epoch = layout(rows, batch).1;
    let steps = number(rec, "steps").unwrap_or(0.0) as u64;
    let epochs = steps.div_ceil(per_epoch).max(1);
    if epochs.saturating_mul(rows as u64) > MAX_ENTRIES {
        return Err(refuse(
            Code::E0251,
            span,
            "this many epochs of mini-batches cannot be exported to JAX",
            "the rows' orders would take more than 400 MB",
            "run fewer steps, or use larger batches",
        ));
    }
    let mut flat = Vec::new();
    let mut arrived = before == *after;
    for _ in 0..epochs {
        flat.extend(draw_order(&mut before, rows).into_iter().map(|i| i as f64));
        arrived |= before == *after;
    }
    if !arrived {
        return Err(refuse(
            Code::E0252,
            span,
            "the mini-batches of this `minimize` cannot be replayed for JAX",
            "something here draws random numbers while it runs",
            "the export replays the batch orders from the random stream; draw random data before the `minimize`, not in its loss",
        ));
    }
    let count = flat.len() / rows.max(1);
    Ok(Tensor::from_shape_vec(&[count, rows], flat))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(options: &[(&str, OptValue)]) -> MinimizeRecord {
        MinimizeRecord {
            optimizer: "sgd".into(),
            loss: "loss".into(),
            maximize: false,
            options: options
                .iter()
                .map(|(n, v)| (n.to_string(), v.clone()))
                .collect(),
            steps: 0,
            stop: None,
            initial_loss: 0.0,
            final_loss: 0.0,
            history: Vec::new(),
            fit: None,
        }
    }

    #[test]
    fn rates_follow_the_schedule_one_per_step() {
        let rec = record(&[
            ("lr", OptValue::Number(0.4)),
            ("steps", OptValue::Number(5.0)),
            ("schedule", OptValue::Str("step".into())),
            ("step_size", OptValue::Number(2.0)),
            ("gamma", OptValue::Number(0.5)),
        ]);
        let lrs = rates(&rec, Span::default()).unwrap().unwrap();
        assert_eq!(lrs.to_vec(), [0.4, 0.4, 0.2, 0.2, 0.1]);
        let plain = record(&[("lr", OptValue::Number(0.4))]);
        assert!(rates(&plain, Span::default()).unwrap().is_none());
    }

    #[test]
    fn orders_replay_the_run_or_refuse() {
        let rec = record(&[
            ("steps", OptValue::Number(5.0)),
            ("batch", OptValue::Number(2.0)),
        ]);
        // 3 rows in batches of 2: two per epoch, so five steps draw three
        // orders; a run stopped after its first step drew one.
        let mut run = Rng::new(9);
        let first = draw_order(&mut run, 3);
        let orders = orders(&rec, Rng::new(9), &run, 3, Span::default()).unwrap();
        assert_eq!(orders.shape(), [3, 3]);
        assert_eq!(
            orders.to_vec()[..3],
            first.iter().map(|&i| i as f64).collect::<Vec<_>>()
        );
        // A stream moved by something else is not replayed.
        run.normal();
        assert!(super::orders(&rec, Rng::new(9), &run, 3, Span::default()).is_err());
    }
}
