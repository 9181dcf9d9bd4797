// The manifest, the language configuration and the server command: what
// VS Code reads from this folder fits together, and the client starts
// `gradlang lsp` (or the configured executable) over stdio. extension.js
// itself needs VS Code to load; what it computes lives in server.js.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { executable, serverOptions } = require('../server');

const ROOT = path.join(__dirname, '..');
const read = (f) => JSON.parse(fs.readFileSync(path.join(ROOT, f), 'utf8'));
const pkg = read('package.json');

test('package.json contributes the language, its grammar and configuration', () => {
  const [lang] = pkg.contributes.languages;
  assert.equal(lang.id, 'gradlang');
  assert.deepEqual(lang.extensions, ['.gl']);
  assert.ok(fs.existsSync(path.join(ROOT, lang.configuration)));
  const [grammar] = pkg.contributes.grammars;
  assert.equal(grammar.language, 'gradlang');
  assert.equal(read(grammar.path).scopeName, grammar.scopeName);
  assert.equal(pkg.contributes.configuration.properties['gradlang.path'].default, 'gradlang');
  assert.ok(fs.existsSync(path.join(ROOT, pkg.main)));
  assert.match(pkg.engines.vscode, /^\^1\.\d+\.\d+$/);
});

test('package.json pins its dependencies and the lockfile holds those versions', () => {
  const lock = read('package-lock.json');
  const all = { ...pkg.dependencies, ...pkg.devDependencies };
  for (const [name, version] of Object.entries(all)) {
    assert.match(version, /^\d+\.\d+\.\d+$/, `${name} is not pinned`);
    assert.equal(lock.packages[`node_modules/${name}`].version, version, name);
  }
});

test('language configuration: # comments, brackets, and indentation around { }', () => {
  const conf = read('language-configuration.json');
  assert.equal(conf.comments.lineComment, '#');
  assert.deepEqual(conf.brackets, [['{', '}'], ['[', ']'], ['(', ')']]);
  const increase = new RegExp(conf.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(conf.indentationRules.decreaseIndentPattern);
  for (const line of ['fn forward(X) {', 'if a > 0 {   # positive', '} else {', 'for i in 0..3 {']) {
    assert.ok(increase.test(line), `indents after ${JSON.stringify(line)}`);
  }
  for (const line of ['for lr in [0.1] { minimize with adam lr=lr }', 'x = 1', '# {', 'print "{"']) {
    assert.ok(!increase.test(line), `does not indent after ${JSON.stringify(line)}`);
  }
  assert.ok(decrease.test('    }'));
  assert.ok(decrease.test('} else {'));
  assert.ok(!decrease.test('x = 1'));
});

test('the server is `gradlang lsp` over stdio unless gradlang.path says otherwise', () => {
  assert.equal(executable(undefined), 'gradlang');
  assert.equal(executable(''), 'gradlang');
  assert.equal(executable('   '), 'gradlang');
  assert.equal(executable(' /opt/gradlang/bin/gradlang '), '/opt/gradlang/bin/gradlang');
  const opts = serverOptions('/x/target/release/gradlang');
  assert.deepEqual(opts.run, { command: '/x/target/release/gradlang', args: ['lsp'], transport: 0 });
  assert.deepEqual(opts.debug, opts.run);
});

test('server.js spells stdio as vscode-languageclient does', () => {
  // TransportKind is defined in the client's node module, which needs VS
  // Code to load: read its definition instead.
  const main = fs.readFileSync(require.resolve('vscode-languageclient/node').replace(/node\.js$/, 'lib/node/main.js'), 'utf8');
  assert.match(main, /TransportKind\["stdio"\] = 0\]/);
});
