//! The staple reductions and rearrangements (keepdims, std/var, cumsum,
//! cumprod, sort, argmax/argmin, any/all, diag, trace, tril/triu, outer,
//! stack, flip, tile) against torch (float64): values, and gradients of
//! `sum(expr * W)`, on the cases in tests/data/refs/staples.json (made by
//! tests/data/refs/gen_staples.py, which says what each case is).
//! Second-order cases have `grad(...)` inside the expression.
//! `cargo test --release --test staples_refs -- --nocapture` prints the
//! worst relative errors.

mod torch_refs;

#[test]
fn staples_match_torch() {
    torch_refs::compare("tests/data/refs/staples.json", 40);
}
