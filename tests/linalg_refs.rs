//! The linear-algebra builtins against torch.linalg (float64): values, and
//! gradients of `sum(expr * W)`, on the cases in tests/data/refs/linalg.json
//! (made by tests/data/refs/gen_linalg.py, which says what each case is).
//! Second-order cases have `grad(...)` inside the expression, so their
//! gradients are second derivatives.
//! `cargo test --release --test linalg_refs -- --nocapture` prints the
//! worst relative errors.

mod torch_refs;

#[test]
fn linalg_matches_torch() {
    torch_refs::compare("tests/data/refs/linalg.json", 20);
}
