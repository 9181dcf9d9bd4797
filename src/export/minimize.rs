//! `minimize` and `maximize` as a call of the runtime's `_minimize`: the
//! optimizer's own options as Python values, the driver's (`steps`,
//! `target`, ...), and what gradlang's run decided step by step (a
//! schedule's rates, the batches' row orders), stored as data.

use super::translate::{py_str, refuse};
use super::{training, Exporter};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{Binding, Interp};
use crate::optim::schedule;
use crate::syntax::ast::{Expr, Ident, Opt};
use crate::syntax::span::Span;

impl Exporter {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn minimize(
        &mut self,
        interp: &Interp,
        span: Span,
        maximize: bool,
        loss: Option<&Ident>,
        optimizer: &Ident,
        opts: &[Opt],
    ) -> Result<(), Diagnostic> {
        let loss = loss.map_or("loss", |l| l.node.as_str());
        let names = match self.scope.formulas.get(loss) {
            Some(f) => self.scope.params_of(f),
            None => Vec::new(),
        };
        let first_order = !matches!(optimizer.node.as_str(), "lbfgs" | "newton" | "lm");
        let mut own = Vec::new();
        let mut driver = Vec::new();
        for o in opts {
            let name = o.name.node.as_str();
            let batched = matches!(name, "batch" | "over");
            if batched && !first_order {
                return Err(refuse(
                    Code::E0251,
                    o.name.span,
                    &format!(
                        "mini-batches are exported for the first-order optimizers, not `{}`",
                        optimizer.node
                    ),
                    "not exported",
                    "the exported lbfgs, newton and lm step on all the rows; export the script without `batch` and `over`",
                ));
            }
            let per_step = batched || schedule::is_option(name);
            if per_step {
                // Carried over as data below.
                continue;
            }
            let v = match &o.value.node {
                Expr::Str(s) => py_str(s),
                _ => format!("float({})", self.translator().expr(&o.value)?),
            };
            match name {
                "steps" | "every" => driver.push(format!("{name}=int({v})")),
                "target" | "tol" => driver.push(format!("{name}={v}")),
                name if crate::optim::option_names(&optimizer.node)
                    .is_some_and(|names| names.contains(&name)) =>
                {
                    own.push(format!("{}: {v}", py_str(name)))
                }
                _ => {
                    return Err(refuse(
                        Code::E0251,
                        o.name.span,
                        "this `minimize` option cannot be exported to JAX yet",
                        "not exported",
                        "export the script without this option",
                    ))
                }
            }
        }
        if maximize {
            driver.push("maximize=True".into());
        } else if self.residuals.contains(loss) {
            driver.push(format!("residual=r_{loss}"));
        }
        driver.extend(self.per_step_data(interp, span)?);
        let list: Vec<String> = names.iter().map(|n| py_str(n)).collect();
        self.code(format!(
            "P = _minimize(P, D, {}, f_{loss}, [{}], B, options={{{}}}, {})",
            py_str(&optimizer.node),
            list.join(", "),
            own.join(", "),
            driver.join(", ")
        ));
        Ok(())
    }

    /// The `lrs=` and `batches=` arguments of the `minimize` that just ran:
    /// its schedule's rates and its batches' row orders, stored as data.
    fn per_step_data(&mut self, interp: &Interp, span: Span) -> Result<Vec<String>, Diagnostic> {
        let Some(rec) = interp.record.as_ref().and_then(|r| r.minimizes.last()) else {
            return Ok(Vec::new());
        };
        let mut args = Vec::new();
        if let Some(lrs) = training::rates(rec, span)? {
            args.push(format!("lrs=_NPZ[{}]", py_str(&self.store("lr", &lrs))));
        }
        if let Some((names, batch)) = training::batched(rec) {
            let rows = match names.first().and_then(|n| interp.scopes().globals.get(n)) {
                Some(Binding::Data(t)) => t.shape().first().copied().unwrap_or(1),
                _ => 1,
            };
            let before = self.rng_before.take().unwrap_or_else(|| interp.rng.clone());
            let orders = training::orders(rec, before, &interp.rng, rows, span)?;
            let key = self.store("order", &orders);
            let list: Vec<String> = names.iter().map(|n| py_str(n)).collect();
            args.push(format!(
                "batches=([{}], _NPZ[{}], {})",
                list.join(", "),
                py_str(&key),
                crate::eval::batch::layout(rows, batch).0
            ));
        }
        Ok(args)
    }
}
