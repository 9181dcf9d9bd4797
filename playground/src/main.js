// The playground page: the editor, Run/Stop, the output as a terminal
// shows it, the loss-curve plot, the example picker, files for `csv(...)`
// and share links. The interpreter runs in a Web Worker (runner.js).

import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentUnit } from '@codemirror/language';
import { EditorState, Prec } from '@codemirror/state';
import {
  EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers,
} from '@codemirror/view';

import { EXAMPLES, EXAMPLE_FILES } from '../build/generated.js';
import { appendAnsi } from './ansi.js';
import { gradlang, highlighting, hoverDocs } from './language.js';
import { diagnosticMarks, showDiagnostics } from './marks.js';
import { Runner } from './runner.js';
import { shareUrl, sharedSource } from './share.js';

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const ui = {
  editor: $('editor'),
  run: $('run'),
  stop: $('stop'),
  output: $('output'),
  status: $('status'),
  plot: $('plot'),
  picker: $('example-picker'),
  share: $('share'),
  shareLink: $('share-link'),
  fileInput: $('file-input'),
  files: $('files'),
};

const DEFAULT_EXAMPLE = 'puzzle.gl';

/** Files a run can read: the examples' data, then those the user dropped. */
const files = new Map(Object.entries(EXAMPLE_FILES)
  .map(([name, b64]) => [name, Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]));
const exampleFileNames = new Set(files.keys());

let scriptName = DEFAULT_EXAMPLE;

const view = new EditorView({
  parent: ui.editor,
  state: EditorState.create({
    doc: '',
    extensions: [
      lineNumbers(),
      history(),
      drawSelection(),
      highlightActiveLine(),
      bracketMatching(),
      indentUnit.of('    '),
      gradlang,
      highlighting,
      hoverDocs,
      diagnosticMarks,
      Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => { runScript(); return true; } }])),
      keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) ui.shareLink.hidden = true;
      }),
    ],
  }),
});
// For the browser test and the developer console.
window.gradlangPlayground = { view };

function setSource(text, name) {
  scriptName = name;
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  showDiagnostics(view, []);
}

// --- output -----------------------------------------------------------------

/** The most output kept on the page; a run printing more is cut short. */
const MAX_OUTPUT = 2_000_000;

/** Output received and not yet shown, and the ANSI state of each stream. */
let queued = [];
let shown = 0;
let ansiStyles = {};

function clearOutput() {
  ui.output.replaceChildren();
  queued = [];
  shown = 0;
  ansiStyles = {};
  ui.plot.replaceChildren();
  ui.plot.hidden = true;
}

/** Shows the queued output: once per frame, however many pieces arrived. */
function render() {
  const pieces = queued;
  queued = [];
  for (let i = 0; i < pieces.length; i += 1) {
    const stream = pieces[i][0];
    let text = pieces[i][1];
    while (i + 1 < pieces.length && pieces[i + 1][0] === stream) {
      i += 1;
      text += pieces[i][1];
    }
    if (shown >= MAX_OUTPUT) return;
    if (shown + text.length > MAX_OUTPUT) {
      text = text.slice(0, MAX_OUTPUT - shown);
      shown = MAX_OUTPUT;
      note(`(output cut after ${MAX_OUTPUT} characters; the run goes on)`, 'stopped');
    }
    shown += text.length;
    const span = document.createElement('span');
    span.className = `gl-${stream}`;
    ansiStyles[stream] = appendAnsi(span, text, ansiStyles[stream]);
    ui.output.append(span);
  }
  ui.output.scrollTop = ui.output.scrollHeight;
}

function write(stream, text) {
  if (queued.length === 0) requestAnimationFrame(render);
  queued.push([stream, text]);
}

function note(text, kind) {
  const line = document.createElement('div');
  line.className = `gl-note gl-note-${kind}`;
  line.textContent = text;
  ui.output.append(line);
}

function setStatus(text, state) {
  ui.status.textContent = text;
  ui.status.dataset.state = state;
}

function showPlot(svg) {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  const img = document.createElement('img');
  img.src = url;
  img.alt = 'the loss per step of every minimize';
  img.dataset.testid = 'plot-image';
  const download = document.createElement('a');
  download.href = url;
  download.download = scriptName.replace(/\.gl$/, '') + '-loss.svg';
  download.textContent = 'download SVG';
  ui.plot.replaceChildren(img, download);
  ui.plot.hidden = false;
}

// --- running ----------------------------------------------------------------

let runner = null;
let runStarted = 0;

function setRunning(running) {
  ui.run.disabled = running || !runner;
  ui.stop.disabled = !running;
}

function finished(result, ms) {
  render();
  setRunning(false);
  showDiagnostics(view, result.diagnostics);
  if (result.svg) showPlot(result.svg);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const time = `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  if (result.exit === 0) setStatus(`done in ${time}`, 'done');
  else setStatus(`stopped by ${errors === 1 ? 'an error' : `${errors} errors`} after ${time}`, 'error');
  ui.status.dataset.ms = ms.toFixed(2);
}

function crashed(message) {
  render();
  setRunning(false);
  note(`The interpreter stopped: ${message}. This happens when a script recurses `
    + 'deeper or needs more memory than the browser allows.', 'crash');
  setStatus('crashed', 'crashed');
}

function runScript() {
  if (!runner) return;
  clearOutput();
  showDiagnostics(view, []);
  setRunning(true);
  setStatus('running…', 'running');
  runStarted = performance.now();
  const list = [...files].map(([name, bytes]) => ({ name, bytes }));
  runner.run(view.state.doc.toString(), scriptName, list);
}

function stopScript() {
  if (!runner || !runner.stop()) return;
  render();
  setRunning(false);
  const seconds = ((performance.now() - runStarted) / 1000).toFixed(1);
  note(`Stopped after ${seconds} s.`, 'stopped');
  setStatus('stopped', 'stopped');
}

ui.run.addEventListener('click', runScript);
ui.stop.addEventListener('click', stopScript);
document.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    runScript();
  } else if (e.key === 'Escape' && runner && runner.running) stopScript();
});

// --- examples, files, sharing -----------------------------------------------

for (const example of EXAMPLES) {
  const option = document.createElement('option');
  option.value = example.name;
  option.textContent = example.name;
  ui.picker.append(option);
}
ui.picker.addEventListener('change', () => {
  const example = EXAMPLES.find((e) => e.name === ui.picker.value);
  if (example) setSource(example.source, example.name);
});

function showFiles() {
  ui.files.replaceChildren(...[...files.keys()].map((name) => {
    const item = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = `csv("${name}")`;
    item.append(code, ` ${files.get(name).length} bytes`);
    if (!exampleFileNames.has(name)) {
      const remove = document.createElement('button');
      remove.textContent = 'remove';
      remove.addEventListener('click', () => {
        files.delete(name);
        showFiles();
      });
      item.append(' ', remove);
    }
    return item;
  }));
}

async function addFiles(list) {
  for (const file of list) files.set(file.name, new Uint8Array(await file.arrayBuffer()));
  showFiles();
}

ui.fileInput.addEventListener('change', () => addFiles(ui.fileInput.files));
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => {
  e.preventDefault();
  if (e.dataTransfer && e.dataTransfer.files.length > 0) addFiles(e.dataTransfer.files);
});

ui.share.addEventListener('click', async () => {
  const url = await shareUrl(view.state.doc.toString());
  window.history.replaceState(null, '', url);
  ui.shareLink.value = url;
  ui.shareLink.hidden = false;
  ui.shareLink.select();
  try {
    await navigator.clipboard.writeText(url);
    setStatus('share link copied', 'shared');
  } catch {
    setStatus('share link below', 'shared');
  }
});

async function openFromLocation() {
  const shared = await sharedSource(window.location.hash);
  if (shared instanceof Error) {
    note(shared.message, 'crash');
  } else if (shared !== null) {
    ui.picker.value = '';
    setSource(shared, 'shared.gl');
    return;
  }
  ui.picker.value = DEFAULT_EXAMPLE;
  setSource(EXAMPLES.find((e) => e.name === DEFAULT_EXAMPLE).source, DEFAULT_EXAMPLE);
}

window.addEventListener('hashchange', openFromLocation);

// --- start ------------------------------------------------------------------

async function start() {
  showFiles();
  await openFromLocation();
  setRunning(false);
  setStatus('loading the interpreter…', 'loading');
  try {
    const response = await fetch(new URL('./gradlang.wasm', import.meta.url));
    if (!response.ok) throw new Error(`gradlang.wasm: HTTP ${response.status}`);
    const module = await WebAssembly.compile(await response.arrayBuffer());
    runner = new Runner(module, { write, done: finished, crash: crashed });
    await runner.ready;
    if (!runner.running) {
      setRunning(false);
      setStatus('ready', 'ready');
    }
  } catch (e) {
    setStatus(`cannot load the interpreter: ${e.message}`, 'crashed');
  }
}

start();
