// The Web Worker a script runs in, so the page stays responsive and a long
// run can be stopped (the page terminates this worker and starts another).
// Messages in: {type: 'init', module} (a compiled WebAssembly.Module) once,
// then {type: 'run', id, source, name, files: [{name, bytes}]}.
// Messages out: {type: 'ready'}; {type: 'write', id, stream, text} as the
// script writes (a worker busy in WebAssembly cannot batch by a timer, so
// each piece is posted at once and the page batches); then {type: 'done',
// id, result, ms} or, if the interpreter trapped, {type: 'crash', id,
// message}.

import init, { Files, run } from '../build/pkg/gradlang_playground.js';

let loaded = null;
let runId = 0;

// The interpreter's output as it is written (see playground/wasm/src/lib.rs).
globalThis.gradlangWrite = (stream, text) => {
  self.postMessage({ type: 'write', id: runId, stream, text });
};

async function start(message) {
  await loaded;
  runId = message.id;
  try {
    const files = new Files();
    for (const f of message.files) files.add(f.name, f.bytes);
    const t0 = performance.now();
    const result = JSON.parse(run(message.source, message.name, files));
    const ms = performance.now() - t0;
    files.free();
    self.postMessage({ type: 'done', id: runId, result, ms });
  } catch (e) {
    // A trap (the browser's stack exhausted, say) leaves the instance in
    // an unknown state (`files` still borrowed): the page replaces this
    // worker.
    self.postMessage({ type: 'crash', id: runId, message: String(e && e.message ? e.message : e) });
  }
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'init') {
    loaded = init({ module_or_path: message.module }).then(() => self.postMessage({ type: 'ready' }));
  } else if (message.type === 'run') {
    start(message);
  }
};
