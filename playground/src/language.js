// gradlang for CodeMirror: highlighting by a small tokenizer over the word
// lists of the VS Code grammar (build/generated.js), colours close to the
// terminal's, and hover docs from the interpreter's builtin table.

import { HighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { hoverTooltip } from '@codemirror/view';
import { tags } from '@lezer/highlight';

import { BUILTINS, KEYWORDS, OPTIMIZERS } from '../build/generated.js';

const keywords = new Set(KEYWORDS);
const optimizers = new Set(OPTIMIZERS);
const docs = new Map(BUILTINS.map((b) => [b.name, b]));

const NUMBER = /^(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATOR = /^(?:\.\.|==|!=|<=|>=|\+=|-=|\*=|\/=|%=|\.T\b|[-+*/%^@<>=!])/;

const gradlangMode = {
  name: 'gradlang',
  // `afterWith`: the next name is an optimizer (`minimize with adam`).
  startState: () => ({ afterWith: false }),
  copyState: (s) => ({ ...s }),
  token(stream, state) {
    if (stream.eatSpace()) return null;
    if (stream.eat('#')) {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.eat('"')) {
      // Strings end on their line; `\"` does not end them (the lexer's rules).
      while (!stream.eol()) {
        const c = stream.next();
        if (c === '\\') stream.next();
        else if (c === '"') break;
      }
      return 'string';
    }
    if (stream.match(NUMBER)) return 'number';
    if (stream.match(OPERATOR)) return 'operator';
    if (stream.match(NAME)) {
      const word = stream.current();
      const optimizer = state.afterWith && optimizers.has(word);
      state.afterWith = word === 'with';
      if (optimizer) return 'optimizer';
      if (keywords.has(word)) return 'keyword';
      // A builtin name is highlighted where it is called, as in the grammar.
      if (docs.has(word) && stream.match(/^\s*\(/, false)) return 'builtin';
      return 'variableName';
    }
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '#' } },
  tokenTable: {
    builtin: tags.standard(tags.function(tags.variableName)),
    optimizer: tags.atom,
  },
};

export const gradlang = StreamLanguage.define(gradlangMode);

const style = HighlightStyle.define([
  { tag: tags.comment, color: '#6a737d', fontStyle: 'italic' },
  { tag: tags.string, color: '#22863a' },
  { tag: tags.number, color: '#005cc5' },
  { tag: tags.keyword, color: '#d73a49', fontWeight: 'bold' },
  { tag: tags.operator, color: '#d73a49' },
  { tag: tags.standard(tags.function(tags.variableName)), color: '#6f42c1' },
  { tag: tags.atom, color: '#e36209' },
]);

export const highlighting = syntaxHighlighting(style);

/** The word of the document around `pos`, with its range. */
function wordAt(doc, pos) {
  const line = doc.lineAt(pos);
  const text = line.text;
  let start = pos - line.from;
  let end = start;
  while (start > 0 && /\w/.test(text[start - 1])) start -= 1;
  while (end < text.length && /\w/.test(text[end])) end += 1;
  if (start === end) return null;
  return { from: line.from + start, to: line.from + end, word: text.slice(start, end) };
}

function tooltipDom(head, body) {
  const dom = document.createElement('div');
  dom.className = 'gl-hover';
  const code = document.createElement('code');
  code.textContent = head;
  dom.append(code);
  if (body) {
    const p = document.createElement('div');
    p.textContent = body;
    dom.append(p);
  }
  return dom;
}

/** Hover docs: a builtin's signature and summary, or what an optimizer is. */
export const hoverDocs = hoverTooltip((view, pos) => {
  const at = wordAt(view.state.doc, pos);
  if (!at) return null;
  const doc = docs.get(at.word);
  let dom = null;
  if (doc) dom = tooltipDom(doc.signature, doc.summary);
  else if (optimizers.has(at.word)) {
    dom = tooltipDom(`minimize with ${at.word}`, 'an optimizer, with torch.optim\'s update rule');
  }
  if (!dom) return null;
  return { pos: at.from, end: at.to, above: true, create: () => ({ dom }) };
});
