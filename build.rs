//! Generates the parser from grammar/gradlang.lalrpop into `OUT_DIR`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Canonical LR(1) tables instead of LALRPOP's default lane-table ones,
    // which merge states and then reduce before detecting an error: the
    // error still lands on the right token, but the list of what was
    // expected there comes out wrong (`if x = 1` would say "expected `(`").
    // The tables are about twice as large; build time is about the same.
    std::env::set_var("LALRPOP_LANE_TABLE", "disabled");
    // Cargo reruns this only when the grammar or this file changes, and then
    // the parser must really be regenerated (LALRPOP would otherwise keep an
    // output whose grammar hash still matches).
    lalrpop::Configuration::new()
        .emit_rerun_directives(true)
        .force_build(true)
        .process_dir("grammar")
}
