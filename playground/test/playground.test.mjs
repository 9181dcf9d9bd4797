// The playground in a real browser: Debian's Chromium, headless, driven by
// playwright-core, against playground/dist served on 127.0.0.1. Run by
// tests/playground.rs after playground/build.sh (or by hand: `node --test
// test/` in playground/, with CHROMIUM and GRADLANG_BIN set as below).
//
// - CHROMIUM: the browser (default /usr/bin/chromium); a missing one fails.
// - GRADLANG_BIN: the native gradlang, the reference the page's output is
//   compared with (the browser must print what the terminal prints).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { serve } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const dist = path.resolve(here, '../dist');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const gradlangBin = process.env.GRADLANG_BIN || path.join(repo, 'target/release/gradlang');

const PUZZLE = fs.readFileSync(path.join(repo, 'examples/puzzle.gl'), 'utf8');

/** A golden file's stdout and stderr sections (tests/golden.rs's format). */
function golden(file) {
  const text = fs.readFileSync(file, 'utf8');
  const out = text.indexOf('--- stdout\n');
  const err = text.indexOf('--- stderr\n');
  assert.ok(out >= 0 && err > out, `${file} has no stdout/stderr sections`);
  return { stdout: text.slice(out + 11, err), stderr: text.slice(err + 11) };
}

/** What the native gradlang prints for `source` saved as `name`. */
function native(source, name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlang-playground-'));
  try {
    fs.writeFileSync(path.join(dir, name), source);
    const r = spawnSync(gradlangBin, ['run', name], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.ok(!r.error, `cannot run ${gradlangBin}: ${r.error}`);
    return { stdout: r.stdout, stderr: r.stderr, status: r.status };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Whether two outputs agree: the same text, where numbers may differ only
 * at round-off level (both below 1e-12 in size, such as a final loss of
 * 9.5452e-30 against 9.9791e-30: WebAssembly's libm and the native one
 * round differently in the last bits, which a loss near zero shows).
 */
function sameOutput(got, want) {
  // newton stops when its gradient falls below a tolerance near rounding
  // level; WebAssembly's last bits (no SIMD in the factorizations) can get
  // there a step sooner or later, with the same printed params. Only the
  // step count of a second-order method's summary is let go.
  const steps = /^(newton|lbfgs): \d+ steps/gm;
  [got, want] = [got, want].map((s) => s.replace(steps, '$1: N steps'));
  const number = /-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?/g;
  const words = (s) => s.split(number);
  const numbers = (s) => s.match(number) ?? [];
  if (words(got).join('|') !== words(want).join('|')) return false;
  const [a, b] = [numbers(got), numbers(want)];
  return a.length === b.length && a.every((x, i) => x === b[i]
    || (Math.abs(Number(x)) < 1e-12 && Math.abs(Number(b[i])) < 1e-12));
}

let server;
let browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(dist, 'index.html')),
    'playground/dist is not built: run playground/build.sh');
  assert.ok(fs.existsSync(executablePath),
    `no Chromium at ${executablePath}: install Debian's (apt-get install chromium) or set CHROMIUM`);
  assert.ok(fs.existsSync(gradlangBin), `no native gradlang at ${gradlangBin}: cargo build --release`);
  server = await serve(dist);
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh page at `hash`, with the interpreter loaded. */
async function open(hash = '') {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(server.url + hash);
  await page.waitForSelector('[data-testid="status"][data-state="ready"]', { timeout: 30_000 });
  page.problems = problems;
  return page;
}

const editorText = (page) => page.evaluate(() => window.gradlangPlayground.view.state.doc.toString());

/** Replaces the editor's text, as a paste would. */
async function setEditor(page, text) {
  await page.click('[data-testid="editor"] .cm-content');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(text);
  assert.equal(await editorText(page), text);
}

/** Runs with the Run button (or Ctrl+Enter) and waits for the end. */
async function run(page, { keys = false, until = 'done|error' } = {}) {
  if (keys) {
    await page.click('[data-testid="editor"] .cm-content');
    await page.keyboard.press('Control+Enter');
  } else {
    await page.click('[data-testid="run"]');
  }
  const states = until.split('|').map((s) => `[data-testid="status"][data-state="${s}"]`).join(', ');
  await page.waitForSelector(states, { timeout: 60_000 });
}

/** The output pane's text, stream by stream (colours are spans). */
function output(page) {
  return page.evaluate(() => {
    const pane = document.querySelector('[data-testid="output"]');
    const text = (cls) => [...pane.querySelectorAll(`.${cls}`)].map((e) => e.textContent).join('');
    return { stdout: text('gl-out'), stderr: text('gl-err'), all: pane.textContent };
  });
}

describe('the playground page', () => {
  it('runs the puzzle: A..D solve the equations, as the terminal prints them, and the plot appears', async (t) => {
    const page = await open();
    assert.equal(await page.inputValue('[data-testid="example-picker"]'), 'puzzle.gl');
    assert.equal(await editorText(page), PUZZLE);
    await run(page);
    const out = await output(page);
    assert.equal(out.stdout, golden(path.join(repo, 'examples/puzzle.golden')).stdout);
    assert.equal(out.stderr, '');
    // Independently of any golden: the printed A..D solve the puzzle.
    const [A, B, C, D] = out.stdout.trim().split('\n').at(-1).split(/\s+/).map(Number);
    for (const residual of [A + B - 9, C - D - 1, A + C - 8, B - D - 2]) {
      assert.ok(Math.abs(residual) < 1e-3, `A..D = ${[A, B, C, D]} do not solve the puzzle`);
    }
    const plot = page.locator('[data-testid="plot"] img');
    await plot.waitFor({ state: 'visible' });
    const size = await plot.evaluate(async (img) => {
      await img.decode();
      return [img.naturalWidth, img.naturalHeight];
    });
    assert.deepEqual(size, [800, 480]);
    const svg = await plot.evaluate(async (img) => (await fetch(img.src)).text());
    assert.match(svg, /<polyline/);
    assert.match(svg, /nadam/);
    // The first run's time includes compiling the WebAssembly it reaches
    // (V8 compiles lazily); the following runs are the interpreter's own.
    const times = [Number(await page.getAttribute('[data-testid="status"]', 'data-ms'))];
    for (let i = 0; i < 5; i += 1) {
      await run(page);
      assert.equal((await output(page)).stdout, golden(path.join(repo, 'examples/puzzle.golden')).stdout);
      times.push(Number(await page.getAttribute('[data-testid="status"]', 'data-ms')));
    }
    const warm = Math.min(...times.slice(1));
    t.diagnostic(`puzzle in the browser's worker: first run ${times[0].toFixed(1)} ms, then ${warm.toFixed(1)} ms (best of 5)`);
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  it('runs every example as the terminal does (its golden file)', async () => {
    const page = await open();
    const names = await page.$$eval('[data-testid="example-picker"] option', (os) => os.map((o) => o.value).filter(Boolean));
    const expected = fs.readdirSync(path.join(repo, 'examples')).filter((f) => f.endsWith('.gl')).sort();
    assert.deepEqual(names, expected);
    const differ = [];
    for (const name of names) {
      await page.selectOption('[data-testid="example-picker"]', name);
      assert.equal(await editorText(page), fs.readFileSync(path.join(repo, 'examples', name), 'utf8'));
      await run(page);
      const want = golden(path.join(repo, 'examples', name.replace(/\.gl$/, '.golden')));
      const got = await output(page);
      if (!sameOutput(got.stdout, want.stdout) || got.stderr !== want.stderr) {
        differ.push(`${name}:\n--- browser\n${got.stdout}${got.stderr}--- golden\n${want.stdout}${want.stderr}`);
      }
    }
    assert.deepEqual(differ, []);
    await page.close();
  });

  it('shows an error as the terminal does, with its code, and marks its span in the editor', async () => {
    const page = await open();
    // Introduce the error by typing, with Ctrl+Enter to run.
    await page.click('[data-testid="editor"] .cm-content');
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('\nprint A + Q');
    const source = `${PUZZLE}\nprint A + Q`;
    assert.equal(await editorText(page), source);
    await run(page, { keys: true });
    assert.equal(await page.getAttribute('[data-testid="status"]', 'data-state'), 'error');
    const got = await output(page);
    const want = native(source, 'puzzle.gl');
    assert.equal(want.status, 1);
    assert.equal(got.stdout, want.stdout);
    assert.equal(got.stderr, want.stderr);
    // E0201 (docs/errors.md): a name that is not defined.
    assert.match(got.stderr, /\[E0201\]/);
    // In colour, as on a terminal.
    const coloured = await page.$$eval('[data-testid="output"] .gl-err span', (s) => s.filter((e) => e.style.color).length);
    assert.ok(coloured > 0, 'the diagnostic has no colours');
    const mark = page.locator('[data-testid="error-mark"]');
    assert.equal(await mark.count(), 1);
    assert.equal(await mark.getAttribute('data-code'), 'E0201');
    assert.equal(await mark.textContent(), 'Q');
    // The mark sits on the last line, where the `Q` was typed.
    const line = await mark.evaluate((m) => m.closest('.cm-line').textContent);
    assert.equal(line, 'print A + Q');
    // Hovering it tells the error.
    await mark.hover();
    const tip = page.locator('.gl-hover-error');
    await tip.waitFor();
    assert.match(await tip.textContent(), /E0201: unknown name `Q`/);
    await page.close();
  });

  it('stops recursion at the browser\'s lower limit with E0214, not a crash', async () => {
    const page = await open();
    // Natively the limit is 400 calls; the browser's stack allows 200
    // (docs/language.md, Limits).
    await setEditor(page, 'fn f(n) = if n > 0 {\n    let a = 2 * n\n    f(n - 1) + a - a + 1\n} else { 0 }\nprint f(199)\nprint f(1000)\n');
    await run(page);
    assert.equal(await page.getAttribute('[data-testid="status"]', 'data-state'), 'error');
    const got = await output(page);
    assert.equal(got.stdout, '199.\n');
    assert.match(got.stderr, /\[E0214\] Error: calls nested more than 200 deep/);
    await page.close();
  });

  it('stops a long run, and the next run works at once', async () => {
    const page = await open();
    await setEditor(page, 'print "start"\nlet i = 0\nwhile true {\n    i += 1\n}\n');
    await page.click('[data-testid="run"]');
    await page.waitForSelector('[data-testid="status"][data-state="running"]');
    // The output streams while it runs.
    await page.waitForFunction(() => document.querySelector('[data-testid="output"]').textContent.includes('start'));
    await page.waitForTimeout(500);
    assert.equal(await page.getAttribute('[data-testid="status"]', 'data-state'), 'running');
    assert.ok(await page.isEnabled('[data-testid="stop"]'));
    await page.click('[data-testid="stop"]');
    assert.equal(await page.getAttribute('[data-testid="status"]', 'data-state'), 'stopped');
    assert.match((await output(page)).all, /Stopped after \d+\.\d s\./);
    assert.ok(await page.isDisabled('[data-testid="stop"]'));
    await page.selectOption('[data-testid="example-picker"]', 'puzzle.gl');
    await run(page);
    assert.equal(await page.getAttribute('[data-testid="status"]', 'data-state'), 'done');
    assert.match((await output(page)).stdout, /4\.6765 4\.3235 3\.3235 2\.3235/);
    await page.close();
  });

  it('opens a share link with the script in it', async () => {
    const page = await open();
    // Not only ASCII: the link must keep every byte.
    const script = 'print "héllo, 𝑥"   # ünïcode\nprint 6 * 7\n';
    await setEditor(page, script);
    await page.click('[data-testid="share"]');
    const link = page.locator('[data-testid="share-link"]');
    await link.waitFor({ state: 'visible' });
    const url = await link.inputValue();
    assert.ok(url.startsWith(`${server.url}#code=`), url);
    await page.close();
    const shared = await browser.newPage();
    await shared.goto(url);
    await shared.waitForSelector('[data-testid="status"][data-state="ready"]');
    assert.equal(await editorText(shared), script);
    await run(shared);
    assert.equal((await output(shared)).stdout, 'héllo, 𝑥\n42.\n');
    await shared.close();
  });

  it('reads a file given to the page with csv()', async () => {
    const page = await open();
    await page.setInputFiles('[data-testid="file-input"]', {
      name: 'points.csv', mimeType: 'text/csv', buffer: Buffer.from('x,y\n1,2\n3,4.5\n'),
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="files"]').textContent.includes('points.csv'));
    await setEditor(page, 'let t = csv("points.csv")\nprint sum(t), shape(t)\nprint csv("missing.csv")\n');
    await run(page);
    const got = await output(page);
    assert.equal(got.stdout, '10.5000 [2, 2]\n');
    assert.match(got.stderr, /cannot read `missing\.csv`: there is no such file/);
    assert.match(got.stderr, /`data\/houses\.csv`, `points\.csv`/);
    await page.close();
  });
});
