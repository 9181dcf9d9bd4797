//! gradlang in the browser: the exports the playground's Web Worker calls
//! (playground/src/worker.js). The work is in [`run`], which knows nothing
//! of JavaScript; this file only wires it to wasm-bindgen.
//!
//! - `run(source, name, files)` runs a script as `gradlang run --plot`
//!   does, streams its output and diagnostics to the worker's global
//!   `gradlangWrite(stream, text)` as they happen, and returns one JSON
//!   document: the exit code, every diagnostic with its span in UTF-16
//!   offsets (the editor's), and the loss-curve SVG.
//! - `Files` is the table of files the script's `csv(...)` may read.
//! - `builtins()` lists the builtins with their signatures, for hover docs.

pub mod run;

use std::collections::BTreeMap;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The worker's sink for output as it is produced: `stream` is
    /// `"out"` (the program's prints) or `"err"` (diagnostics, in ANSI
    /// colour as on a terminal).
    #[wasm_bindgen(js_namespace = globalThis, js_name = gradlangWrite)]
    fn write(stream: &str, text: &str);
}

/// The files a run can read, by name (`data/houses.csv`, or a dropped
/// file's name).
#[wasm_bindgen]
#[derive(Default)]
pub struct Files {
    table: BTreeMap<String, Vec<u8>>,
}

#[wasm_bindgen]
impl Files {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Files {
        Files::default()
    }

    /// Adds (or replaces) the file `name`.
    pub fn add(&mut self, name: String, bytes: Vec<u8>) {
        self.table.insert(name, bytes);
    }
}

/// Runs `source` (shown as `name` in diagnostics) and returns the JSON
/// document described in the module header; output goes to
/// `gradlangWrite` as it is written.
#[wasm_bindgen]
pub fn run(source: &str, name: &str, files: &Files) -> String {
    let emit: run::Emit =
        std::rc::Rc::new(|stream: run::Stream, text: &str| write(stream.as_str(), text));
    run::run(source, name, files.table.clone(), emit).to_string()
}

/// Every builtin and calculus form as JSON: `[{name, signature, summary}]`.
#[wasm_bindgen]
pub fn builtins() -> String {
    run::builtins().to_string()
}
