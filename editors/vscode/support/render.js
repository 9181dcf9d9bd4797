// Renders a gradlang script as VS Code would show it, to an HTML page that
// a headless browser turns into the screenshots of docs/editors.md
// (support/screenshots.sh). The colours come from the extension's own
// grammar, tokenized by vscode-textmate (support/tokenize.js) and painted
// with Dark+ colours; with --server, the squiggles, messages, hovers and
// completion lists come from a real `gradlang lsp`, asked over stdio as
// the extension's client asks it.
//
//   node support/render.js OUT.html SCRIPT.gl [--title TEXT] [--lines N]
//        [--server PATH/TO/gradlang] [--hover L:C]... [--complete L:C]...
//
// --lines N shows only the first N lines (the server still sees them all).
//
// L:C counts from 1, C in characters (the cursor before that character).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { tokenize } = require('./tokenize');

/** Dark+ colours by scope prefix; the longest matching prefix wins. */
const THEME = [
  ['comment', '#6a9955'],
  ['string', '#ce9178'],
  ['constant.character.escape', '#d7ba7d'],
  ['constant.numeric', '#b5cea8'],
  ['constant.language', '#569cd6'],
  ['keyword.control', '#c586c0'],
  ['keyword.other', '#569cd6'],
  ['storage.type', '#569cd6'],
  ['keyword.operator', '#d4d4d4'],
  ['entity.name.function', '#dcdcaa'],
  ['support.function', '#dcdcaa'],
  ['support.function.optimizer', '#4ec9b0'],
  ['variable', '#9cdcfe'],
  ['entity.name.variable', '#9cdcfe'],
  ['invalid', '#f44747'],
];

function colour(scopes) {
  for (const scope of [...scopes].reverse()) {
    let best = null;
    for (const [prefix, c] of THEME) {
      if ((scope === prefix || scope.startsWith(prefix + '.')) && (!best || prefix.length > best[0].length)) {
        best = [prefix, c];
      }
    }
    if (best) return best[1];
  }
  return '#d4d4d4';
}

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `{line, character}` (from 0, UTF-16) of `L:C` (from 1, characters) in `lines`. */
function position(lines, at) {
  const [l, c] = at.split(':').map(Number);
  const text = lines[l - 1] || '';
  return { line: l - 1, character: [...text].slice(0, c - 1).join('').length };
}

/** Asks `gradlang lsp` for the diagnostics of `text` and the given requests' answers. */
function askServer(server, text, requests) {
  return new Promise((resolve, reject) => {
    const child = spawn(server, ['lsp'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const uri = 'file:///' + 'script.gl';
    const send = (msg) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }));
      child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
      child.stdin.write(body);
    };
    let buffer = Buffer.alloc(0);
    let diagnostics = null;
    const answers = new Map();
    const expected = requests.length + 2; // initialize, shutdown
    child.stdout.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(buffer.slice(0, end).toString())[1]);
        if (buffer.length < end + 4 + length) return;
        const msg = JSON.parse(buffer.slice(end + 4, end + 4 + length).toString());
        buffer = buffer.slice(end + 4 + length);
        if (msg.method === 'textDocument/publishDiagnostics') diagnostics = msg.params.diagnostics;
        if (msg.id !== undefined) answers.set(msg.id, msg.result);
        if (answers.size === expected - 1 && diagnostics && !answers.has(999)) {
          send({ id: 999, method: 'shutdown' });
        }
        if (answers.has(999)) send({ method: 'exit' });
      }
    });
    child.on('exit', (code) =>
      code === 0 ? resolve({ diagnostics, answers: requests.map((_, k) => answers.get(k + 2)) }) : reject(new Error(`gradlang lsp exited with ${code}`))
    );
    send({ id: 1, method: 'initialize', params: { capabilities: {} } });
    send({ method: 'initialized', params: {} });
    send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'gradlang', version: 1, text } } });
    requests.forEach(([method, pos], k) =>
      send({ id: k + 2, method: `textDocument/${method}`, params: { textDocument: { uri }, position: pos } })
    );
  });
}

/** A line's tokens as coloured HTML, with squiggles under `marks` ({start, end, severity}). */
function paint(line, marks) {
  let html = '';
  for (const t of line.tokens) {
    for (let i = t.start; i < t.end; ) {
      // Split the token where a mark starts or ends.
      const cuts = marks.flatMap((m) => [m.start, m.end]).filter((x) => x > i && x < t.end);
      const j = Math.min(t.end, ...cuts);
      const mark = marks.find((m) => m.start <= i && i < m.end);
      const style = `color:${colour(t.scopes)}` + (mark ? `;text-decoration:underline wavy ${mark.severity === 1 ? '#f14c4c' : '#cca700'}` : '');
      html += `<span style="${style}">${escape(line.text.slice(i, j))}</span>`;
      i = j;
    }
  }
  // A zero-width or end-of-line mark still shows.
  if (marks.some((m) => m.start >= line.text.length)) html += '<span class="eol">&nbsp;</span>';
  return html;
}

/** Hover markdown as HTML: code fences highlighted, `code`, *emphasis*, lists. */
async function markdown(md) {
  let html = '';
  const parts = md.split(/```gradlang\n([\s\S]*?)\n```\n?/);
  for (let k = 0; k < parts.length; k++) {
    if (k % 2 === 1) {
      const lines = await tokenize(parts[k]);
      html += `<div class="code">${lines.map((l) => paint(l, [])).join('<br>')}</div>`;
    } else if (parts[k].trim()) {
      html += parts[k]
        .trim()
        .split('\n')
        .map((l) => escape(l).replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\*([^*]+)\*/g, '<em>$1</em>'))
        .map((l) => (l.startsWith('- ') ? `<div class="li">• ${l.slice(2)}</div>` : `<div>${l || '&nbsp;'}</div>`))
        .join('');
    }
  }
  return html;
}

async function main() {
  const args = process.argv.slice(2);
  const [out, script] = args;
  const opt = (name) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));
  const source = fs.readFileSync(script, 'utf8');
  const lines = await tokenize(source.replace(/\n$/, ''));
  const texts = lines.map((l) => l.text);
  const title = opt('--title')[0] || path.basename(script);
  const hovers = opt('--hover').map((at) => ['hover', position(texts, at)]);
  const completions = opt('--complete').map((at) => ['completion', position(texts, at)]);
  const requests = [...hovers, ...completions];
  const server = opt('--server')[0];
  const { diagnostics, answers } = server ? await askServer(server, source, requests) : { diagnostics: [], answers: [] };

  const below = new Map(); // line -> HTML boxes shown under it
  // Boxes start under what they are about, but not so far right that they leave the page.
  const indent = (character) => Math.min(character, 30);
  const addBelow = (line, html) => below.set(line, (below.get(line) || '') + html);
  for (const d of diagnostics) {
    const [first, ...rest] = d.message.split('\n');
    const help = rest.find((l) => l.startsWith('help: '));
    const cls = d.severity === 1 ? 'error' : 'warning';
    const related = (d.relatedInformation || []).map(
      (r) => `<div class="help">${r.location.range.start.line + 1}:${r.location.range.start.character + 1}: ${escape(r.message)}</div>`
    );
    addBelow(
      d.range.start.line,
      `<div class="diag ${cls}" style="margin-left:${indent(d.range.start.character)}ch"><b>${escape(d.code)}</b> ${escape(first)}` +
        related.join('') +
        (help ? `<div class="help">${escape(help)}</div>` : '') +
        `</div>`
    );
  }
  for (let k = 0; k < requests.length; k++) {
    const [method, pos] = requests[k];
    const answer = answers[k];
    if (!answer) continue;
    if (method === 'hover') {
      addBelow(pos.line, `<div class="popup" style="margin-left:${indent(pos.character)}ch">${await markdown(answer.contents.value)}</div>`);
    } else {
      const items = (Array.isArray(answer) ? answer : answer.items).slice(0, 10);
      addBelow(
        pos.line,
        `<div class="popup list" style="margin-left:${indent(pos.character)}ch">` +
          items.map((i) => `<div><span class="label">${escape(i.label)}</span><span class="detail">${escape(i.detail || '')}</span></div>`).join('') +
          `</div>`
      );
    }
  }

  const shown = Number(opt('--lines')[0]) || lines.length;
  const rows = lines.slice(0, shown).map((line, n) => {
    const marks = diagnostics
      .filter((d) => d.range.start.line <= n && n <= d.range.end.line)
      .map((d) => ({
        start: d.range.start.line === n ? d.range.start.character : 0,
        end: d.range.end.line === n ? Math.max(d.range.end.character, d.range.start.character + 1) : line.text.length + 1,
        severity: d.severity,
      }));
    return `<div class="row"><span class="n">${n + 1}</span><span class="src">${paint(line, marks) || '&nbsp;'}</span></div>` +
      (below.has(n) ? `<div class="row"><span class="n"></span><span class="src">${below.get(n)}</span></div>` : '');
  });

  const page = `<!doctype html><meta charset="utf-8"><title>${escape(title)}</title>
<style>
body { margin: 0; background: #1e1e1e; font: 14px/1.45 "DejaVu Sans Mono", monospace; color: #d4d4d4; }
.tab { background: #252526; color: #ffffff; padding: 6px 14px; font-family: "DejaVu Sans", sans-serif; font-size: 13px; border-bottom: 1px solid #333; }
.editor { padding: 8px 0 14px; }
.row { white-space: pre; display: flex; }
.n { color: #858585; width: 4ch; text-align: right; padding-right: 2ch; flex: none; }
.src { flex: 1; }
.diag { white-space: normal; display: table; max-width: 80ch; padding: 2px 8px; margin: 2px 0 4px; border-left: 3px solid; font-size: 13px; }
.diag.error { background: #3b1d1d; border-color: #f14c4c; }
.diag.warning { background: #3a3419; border-color: #cca700; }
.help { color: #a6a6a6; }
.popup { white-space: normal; display: table; max-width: 70ch; background: #252526; border: 1px solid #454545; padding: 6px 10px; margin: 2px 0 6px; font-size: 13px; box-shadow: 0 2px 8px #000a; }
.popup .code { white-space: pre; padding-bottom: 4px; border-bottom: 1px solid #454545; margin-bottom: 4px; }
.popup code { color: #ce9178; }
.li { padding-left: 1ch; }
.list div { display: flex; gap: 3ch; }
.list .label { color: #18a3ff; min-width: 10ch; }
.list .detail { color: #a6a6a6; }
</style>
<div class="tab">${escape(title)}</div>
<div class="editor">${rows.join('\n')}</div>
`;
  fs.writeFileSync(out, page);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
