// Tokenizes gradlang source with the engine VS Code itself uses
// (vscode-textmate on the Oniguruma regex library compiled to wasm), so the
// tests see the scopes an editor would show.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const textmate = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const ROOT = path.join(__dirname, '..');
const GRAMMAR = path.join(ROOT, 'syntaxes', 'gradlang.tmLanguage.json');
const SCOPE = 'source.gradlang';

let grammarPromise;

/** The grammar, loaded once. */
function grammar() {
  if (!grammarPromise) {
    grammarPromise = (async () => {
      const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
      await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
      const registry = new textmate.Registry({
        onigLib: Promise.resolve({
          createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
          createOnigString: (s) => new oniguruma.OnigString(s),
        }),
        loadGrammar: async (scopeName) =>
          scopeName === SCOPE
            ? textmate.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR)
            : null,
      });
      return registry.loadGrammar(SCOPE);
    })();
  }
  return grammarPromise;
}

/**
 * Each line of `source` as { text, tokens: [{ text, start, end, scopes }],
 * open: the scopes still open at the end of the line (the root excluded) }.
 */
async function tokenize(source) {
  const g = await grammar();
  let stack = textmate.INITIAL;
  const lines = [];
  for (const text of source.split(/\r?\n/)) {
    const r = g.tokenizeLine(text, stack);
    stack = r.ruleStack;
    const tokens = r.tokens.map((t) => ({
      text: text.slice(t.startIndex, t.endIndex),
      start: t.startIndex,
      end: t.endIndex,
      scopes: t.scopes,
    }));
    const open = stack.contentNameScopesList.getScopeNames().slice(1);
    lines.push({ text, tokens, open });
  }
  return lines;
}

module.exports = { tokenize, ROOT };
