// Runs scripts in a Web Worker (worker.js) and stops them: stopping
// terminates the worker and starts a fresh one from the already compiled
// WebAssembly module, so the next run starts at once.

export class Runner {
  /**
   * `module`: the compiled interpreter (WebAssembly.Module).
   * `handlers`: {write(stream, text), done(result, ms), crash(message)}.
   */
  constructor(module, handlers) {
    this.module = module;
    this.handlers = handlers;
    this.nextId = 1;
    this.running = null;
    this.spawn();
  }

  spawn() {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.ready = new Promise((resolve) => {
      this.worker.onmessage = (event) => {
        const m = event.data;
        if (m.type === 'ready') resolve();
        else this.receive(m);
      };
    });
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail(`the interpreter's worker failed: ${event.message}`);
    };
    this.worker.postMessage({ type: 'init', module: this.module });
  }

  receive(m) {
    if (!this.running || m.id !== this.running) return;
    if (m.type === 'write') this.handlers.write(m.stream, m.text);
    else if (m.type === 'done') {
      this.running = null;
      this.handlers.done(m.result, m.ms);
    } else if (m.type === 'crash') this.fail(m.message);
  }

  fail(message) {
    this.running = null;
    this.restart();
    this.handlers.crash(message);
  }

  /** Runs `source` (named `name`) with `files` ([{name, bytes}]). */
  async run(source, name, files) {
    if (this.running) this.stop();
    const id = this.nextId;
    this.nextId += 1;
    this.running = id;
    await this.ready;
    if (this.running !== id) return;
    this.worker.postMessage({ type: 'run', id, source, name, files });
  }

  /** Stops the running script, if any; returns whether one was running. */
  stop() {
    if (!this.running) return false;
    this.running = null;
    this.restart();
    return true;
  }

  restart() {
    this.worker.terminate();
    this.spawn();
  }
}
