// The TextMate grammar, run through vscode-textmate and Oniguruma as VS
// Code runs it: every example script tokenizes without a scope left open
// where it should not be, and hand-picked lines get the scopes a theme
// colours by. The lists of keywords, builtins and optimizers inside the
// grammar are checked against the Rust tables by tests/editor.rs.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { tokenize, ROOT } = require('../support/tokenize');

const EXAMPLES = path.join(ROOT, '..', '..', 'examples');

/** Scopes that may stay open at the end of a line, and when. */
const SPANNING = {
  // Newlines inside () and a fn's parameter list do not end a statement.
  'meta.parens.gradlang': () => true,
  'meta.function.parameters.gradlang': () => true,
  // minimize and print go on after a trailing comma only.
  'meta.statement.minimize.gradlang': endsWithComma,
  'meta.statement.print.gradlang': endsWithComma,
};

/** Whether the code of `line` (its comment and trailing blanks dropped) ends with a comma. */
function endsWithComma(line) {
  return /,\s*(#.*)?$/.test(line.replace(/"([^"\\]|\\.)*"/g, '""'));
}

function exampleScripts() {
  return fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.gl'))
    .sort();
}

test('the examples are there to tokenize', () => {
  assert.ok(exampleScripts().length >= 5, `few .gl files in ${EXAMPLES}`);
});

for (const file of exampleScripts()) {
  test(`examples/${file}: no scope left open where it should not be, nothing invalid`, async () => {
    const lines = await tokenize(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
    lines.forEach((line, i) => {
      const where = `examples/${file}:${i + 1}: ${line.text}`;
      for (const scope of line.open) {
        const allowed = SPANNING[scope];
        assert.ok(allowed && allowed(line.text), `${where}\n  ends inside ${scope} (open: ${line.open.join(' ')})`);
      }
      for (const t of line.tokens) {
        assert.ok(!t.scopes.some((s) => s.startsWith('invalid')), `${where}\n  ${JSON.stringify(t.text)} is ${t.scopes.join(' ')}`);
      }
    });
    assert.deepEqual(lines[lines.length - 1].open, [], `examples/${file} ends inside a scope`);
  });
}

// [source, fragment, scope]: every token overlapping the first occurrence
// of `fragment` in `source` has `scope`; with a leading `!`, none of them
// has a scope starting with what follows. Where the fragment needs context
// to be found, the part checked is marked «like this».
const EXPECTATIONS = [
  // comments
  ['# comment', '# comment', 'comment.line.number-sign.gradlang'],
  ['# comment', '#', 'punctuation.definition.comment.gradlang'],
  ['x = 1  # set x', '# set x', 'comment.line.number-sign.gradlang'],
  ['x = 1  # set x', 'x', '!comment'],
  ['# a "quoted" word', '"quoted"', 'comment.line.number-sign.gradlang'],
  ['print "a # b"', '# b', 'string.quoted.double.gradlang'],
  ['print "a # b"', '# b', '!comment'],
  // strings and escapes
  ['print "XOR not learned"', '"XOR not learned"', 'string.quoted.double.gradlang'],
  ['print "a\\tb\\n"', '\\t', 'constant.character.escape.gradlang'],
  ['print "a\\tb\\n"', '\\n', 'constant.character.escape.gradlang'],
  ['print "say \\"hi\\""', '\\"', 'constant.character.escape.gradlang'],
  ['print "back\\\\slash"', '\\\\', 'constant.character.escape.gradlang'],
  ['print "bad \\q"', '\\q', 'invalid.illegal.unknown-escape.gradlang'],
  ['print "open\nx = 1', 'x', '!string'],
  ['print "open\nx = 1', 'x', 'variable.other.assignment.gradlang'],
  ['print "open', 'ope«n»', 'invalid.illegal.newline.gradlang'],
  // numbers
  ['x = 3', '3', 'constant.numeric.decimal.gradlang'],
  ['param x = 3.6', '3.6', 'constant.numeric.decimal.gradlang'],
  ['x = .5', '.5', 'constant.numeric.decimal.gradlang'],
  ['minimize with sgd tol=1e-3', '1e-3', 'constant.numeric.decimal.gradlang'],
  ['x = 2.5E+4', '2.5E+4', 'constant.numeric.decimal.gradlang'],
  ['param W1 = 0', 'W1', '!constant'],
  ['for i in 0..10 { }', '0', 'constant.numeric.decimal.gradlang'],
  ['for i in 0..10 { }', '..', 'keyword.operator.range.gradlang'],
  ['for i in 0..10 { }', '10', 'constant.numeric.decimal.gradlang'],
  // keywords, one line per kind
  ['let y = x * x', 'let', 'storage.type.gradlang'],
  ['param w = randn(3, 1)', 'param', 'storage.type.gradlang'],
  ['loss = mean(w^2)', 'loss', 'storage.type.gradlang'],
  ['fn f(a, b) = a + b', 'fn', 'storage.type.gradlang'],
  ['if a { x = 1 } else { x = 2 }', 'if', 'keyword.control.gradlang'],
  ['if a { x = 1 } else { x = 2 }', 'else', 'keyword.control.gradlang'],
  ['for i in 0..3 { continue }', 'for', 'keyword.control.gradlang'],
  ['for i in 0..3 { continue }', 'in', 'keyword.control.gradlang'],
  ['for i in 0..3 { continue }', 'continue', 'keyword.control.gradlang'],
  ['while true { break }', 'while', 'keyword.control.gradlang'],
  ['while true { break }', 'break', 'keyword.control.gradlang'],
  ['while true { break }', 'true', 'constant.language.boolean.gradlang'],
  ['x = false or not y and z', 'false', 'constant.language.boolean.gradlang'],
  ['x = false or not y and z', 'or', 'keyword.operator.logical.gradlang'],
  ['x = false or not y and z', 'not', 'keyword.operator.logical.gradlang'],
  ['x = false or not y and z', 'and', 'keyword.operator.logical.gradlang'],
  ['seed 42', 'seed', 'keyword.other.gradlang'],
  ['assert f == 1, "holds"', 'assert', 'keyword.other.gradlang'],
  ['print x', 'print', 'keyword.other.gradlang'],
  ['param f = 0.5 in [0, 1]', 'in', 'keyword.control.gradlang'],
  ['format = 1', 'for', '!keyword'],
  ['input = 1', 'in', '!keyword'],
  // minimize / maximize: optimizer and options
  ['minimize with adam lr=0.1', 'minimize', 'keyword.other.gradlang'],
  ['minimize with adam lr=0.1', 'with', 'keyword.other.gradlang'],
  ['minimize with adam lr=0.1', 'adam', 'support.function.optimizer.gradlang'],
  ['minimize with adam lr=0.1', 'lr', 'variable.parameter.option.gradlang'],
  ['minimize with adam lr=0.1', '=', 'keyword.operator.assignment.gradlang'],
  ['minimize with adam lr=0.1', '0.1', 'constant.numeric.decimal.gradlang'],
  ['maximize with lbfgs line_search="strong_wolfe"', 'lbfgs', 'support.function.optimizer.gradlang'],
  ['maximize with lbfgs line_search="strong_wolfe"', 'line_search', 'variable.parameter.option.gradlang'],
  ['maximize with lbfgs line_search="strong_wolfe"', '"strong_wolfe"', 'string.quoted.double.gradlang'],
  ['minimize bounded with newton steps=10', 'bounded', 'variable.other.loss.gradlang'],
  ['minimize with adamx steps=10', 'adamx', '!support'],
  ['minimize with adam lr=0.1,\n    steps=100', 'steps', 'variable.parameter.option.gradlang'],
  ['minimize with adam lr=0.1,  # a note\n    steps=100', 'steps', 'variable.parameter.option.gradlang'],
  ['minimize with adam lr=0.1  # a note\nsteps = 100', 'steps', 'variable.other.assignment.gradlang'],
  ['for lr in [0.1, 0.01] { minimize with adam lr=lr steps=50 }', 'steps', 'variable.parameter.option.gradlang'],
  ['for lr in [0.1, 0.01] { minimize with adam lr=lr steps=50 }', 'lr', 'entity.name.variable.loop.gradlang'],
  ['for lr in [0.1, 0.01] { minimize with adam lr=lr steps=50 }\nx = 1', 'x', 'variable.other.assignment.gradlang'],
  // options elsewhere
  ['print loss, digits=12', 'digits', 'variable.parameter.option.gradlang'],
  ['print loss, digits=12', 'loss', 'storage.type.gradlang'],
  ['print "a",\n  b, digits=4', 'digits', 'variable.parameter.option.gradlang'],
  ['let m = max(v, axis=0)', 'axis', 'variable.parameter.option.gradlang'],
  ['let r = arange(0, 1,\n  step=0.1)', 'step', 'variable.parameter.option.gradlang'],
  ['assert x == 1', 'x', '!variable'],
  // builtins and calls
  ['param w = randn(3, 1)', 'randn', 'support.function.builtin.gradlang'],
  ['print grad(grad(y, x), x)', 'grad', 'support.function.builtin.gradlang'],
  ['print hessian(y, x)', 'hessian', 'support.function.builtin.gradlang'],
  ['let L = cholesky(A)', 'cholesky', 'support.function.builtin.gradlang'],
  ['let z = forward(X)', 'forward', 'entity.name.function.call.gradlang'],
  ['let z = expo(X)', 'expo', '!support'],
  // declarations
  ['param w = randn(3, 1)', 'w', 'entity.name.variable.param.gradlang'],
  ['let y = x * x', 'y', 'entity.name.variable.let.gradlang'],
  ['loss fit = mean(r^2)', 'fit', 'entity.name.variable.loss.gradlang'],
  ['fn mix(f, g) = f * A', 'mix', 'entity.name.function.gradlang'],
  ['fn mix(f, g) = f * A', '(«f»', 'variable.parameter.gradlang'],
  ['fn mix(f, g) = f * A', 'g', 'variable.parameter.gradlang'],
  ['fn forward(X) {\n    let h = X\n}', 'h', 'entity.name.variable.let.gradlang'],
  ['x = 3', 'x', 'variable.other.assignment.gradlang'],
  ['x += 1', '+=', 'keyword.operator.assignment.gradlang'],
  ['x /= 2', '/=', 'keyword.operator.assignment.gradlang'],
  // operators
  ['let p = X @ w + b', '@', 'keyword.operator.matmul.gradlang'],
  ['let p = X @ w + b', '+', 'keyword.operator.arithmetic.gradlang'],
  ['let q = (a - b) / c ^ 2 * d', '-', 'keyword.operator.arithmetic.gradlang'],
  ['let q = (a - b) / c ^ 2 * d', '/', 'keyword.operator.arithmetic.gradlang'],
  ['let q = (a - b) / c ^ 2 * d', '^', 'keyword.operator.arithmetic.gradlang'],
  ['let q = (a - b) / c ^ 2 * d', '*', 'keyword.operator.arithmetic.gradlang'],
  ['assert a <= b', '<=', 'keyword.operator.comparison.gradlang'],
  ['assert a != b', '!=', 'keyword.operator.comparison.gradlang'],
  ['assert a == b', '==', 'keyword.operator.comparison.gradlang'],
  ['assert a > b', '>', 'keyword.operator.comparison.gradlang'],
  ['let g = X.T @ X', '.T', 'keyword.operator.transpose.gradlang'],
  ['let c = data[:, 0:2]', ':', 'punctuation.separator.slice.gradlang'],
];

/** The tokens overlapping the first occurrence of `fragment` in `source` (or its «marked» part). */
async function tokensAt(source, fragment) {
  const marked = /^(.*)«(.+)»(.*)$/.exec(fragment);
  const [before, target, after] = marked ? marked.slice(1) : ['', fragment, ''];
  const lines = await tokenize(source);
  for (const line of lines) {
    const found = line.text.indexOf(before + target + after);
    if (found >= 0) {
      const at = found + before.length;
      return line.tokens.filter((t) => t.start < at + target.length && t.end > at);
    }
  }
  assert.fail(`${JSON.stringify(fragment)} is not in ${JSON.stringify(source)}`);
}

for (const [source, fragment, scope] of EXPECTATIONS) {
  test(`${JSON.stringify(source)}: ${JSON.stringify(fragment)} ${scope.startsWith('!') ? 'is not ' + scope.slice(1) : 'is ' + scope}`, async () => {
    const tokens = await tokensAt(source, fragment);
    assert.ok(tokens.length > 0);
    const shown = tokens.map((t) => `${JSON.stringify(t.text)}: ${t.scopes.join(' ')}`).join('\n  ');
    if (scope.startsWith('!')) {
      const prefix = scope.slice(1);
      assert.ok(!tokens.some((t) => t.scopes.some((s) => s.startsWith(prefix))), `found ${prefix}:\n  ${shown}`);
    } else {
      assert.ok(tokens.every((t) => t.scopes.includes(scope)), `expected ${scope}:\n  ${shown}`);
    }
  });
}
