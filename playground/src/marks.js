// The spans of a run's diagnostics, marked in the editor: a wavy underline
// (red for an error, yellow for a warning) with the message on hover. Marks
// follow edits and are replaced by the next run's.

import { StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, hoverTooltip } from '@codemirror/view';

const setDiagnostics = StateEffect.define();

/** The decorations and, beside them, the diagnostics they stand for. */
const diagnosticsField = StateField.define({
  create: () => ({ decorations: Decoration.none, items: [] }),
  update(value, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setDiagnostics)) return build(tr.state.doc, effect.value);
    }
    if (!tr.docChanged) return value;
    return {
      decorations: value.decorations.map(tr.changes),
      items: value.items.map((d) => ({
        ...d,
        from: tr.changes.mapPos(d.from),
        to: tr.changes.mapPos(d.to),
      })),
    };
  },
  provide: (field) => EditorView.decorations.from(field, (v) => v.decorations),
});

/** A non-empty range inside the document for a diagnostic's span. */
function visibleRange(doc, from, to) {
  let a = Math.min(from, doc.length);
  let b = Math.min(Math.max(to, a), doc.length);
  if (a === b) {
    // An empty span (a missing token at the end) marks the character there.
    if (b < doc.length && doc.sliceString(b, b + 1) !== '\n') b += 1;
    else if (a > 0) a -= 1;
  }
  return a < b ? { from: a, to: b } : null;
}

function build(doc, diagnostics) {
  const ranges = [];
  const items = [];
  for (const d of diagnostics) {
    const range = visibleRange(doc, d.from, d.to);
    if (!range) continue;
    const kind = d.severity === 'error' ? 'error' : 'warning';
    ranges.push(Decoration.mark({
      class: `gl-mark gl-mark-${kind}`,
      attributes: { 'data-testid': `${kind}-mark`, 'data-code': d.code },
    }).range(range.from, range.to));
    items.push({ ...d, ...range });
  }
  ranges.sort((x, y) => x.from - y.from);
  return { decorations: Decoration.set(ranges), items };
}

/** Marks `diagnostics` (the run's JSON) in `view` and scrolls to the first. */
export function showDiagnostics(view, diagnostics) {
  const effects = [setDiagnostics.of(diagnostics)];
  const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
  if (first) {
    const range = visibleRange(view.state.doc, first.from, first.to);
    if (range) effects.push(EditorView.scrollIntoView(range.from, { y: 'center' }));
  }
  view.dispatch({ effects });
}

/** The message of a marked diagnostic under the pointer. */
const diagnosticHover = hoverTooltip((view, pos) => {
  const hit = view.state.field(diagnosticsField).items
    .find((d) => d.from <= pos && pos <= d.to);
  if (!hit) return null;
  return {
    pos: hit.from,
    end: hit.to,
    above: true,
    create() {
      const dom = document.createElement('div');
      dom.className = `gl-hover gl-hover-${hit.severity}`;
      const head = document.createElement('div');
      head.textContent = `${hit.code}: ${hit.title}`;
      dom.append(head);
      if (hit.help) {
        const help = document.createElement('div');
        help.className = 'gl-hover-help';
        help.textContent = `help: ${hit.help}`;
        dom.append(help);
      }
      return { dom };
    },
  };
});

export const diagnosticMarks = [diagnosticsField, diagnosticHover];
