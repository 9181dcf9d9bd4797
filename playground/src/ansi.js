// Terminal text with ANSI colour codes (what the interpreter writes to a
// terminal: ariadne's diagnostics) as DOM nodes, so the page shows
// diagnostics exactly as `gradlang run` does in a colour terminal.
// Understood: reset (0), bold (1), dim (2), the 16 colours (30-37, 90-97),
// 256 colours (38;5;N) and default colour (39, 22); others are ignored.

const BASIC = [
  '#000000', '#cd3131', '#0dbc79', '#b58900', '#2472c8', '#bc3fbc', '#11a8cd', '#808080',
  '#666666', '#f14c4c', '#23d18b', '#c7a600', '#3b8eea', '#d670d6', '#29b8db', '#a0a0a0',
];

/** The CSS colour of xterm's 256-colour palette entry `n`. */
export function xterm256(n) {
  if (n < 16) return BASIC[n];
  if (n < 232) {
    const level = (v) => (v === 0 ? 0 : 55 + v * 40);
    const i = n - 16;
    return `rgb(${level(Math.floor(i / 36))}, ${level(Math.floor(i / 6) % 6)}, ${level(i % 6)})`;
  }
  const grey = 8 + (n - 232) * 10;
  return `rgb(${grey}, ${grey}, ${grey})`;
}

/** Applies the SGR parameters `codes` to the style `s` (mutated). */
function apply(s, codes) {
  for (let i = 0; i < codes.length; i += 1) {
    const c = codes[i];
    if (c === 0) Object.assign(s, { color: null, bold: false, dim: false });
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 22) Object.assign(s, { bold: false, dim: false });
    else if (c >= 30 && c <= 37) s.color = BASIC[c - 30];
    else if (c >= 90 && c <= 97) s.color = BASIC[c - 90 + 8];
    else if (c === 39) s.color = null;
    else if (c === 38 && codes[i + 1] === 5 && i + 2 < codes.length) {
      s.color = xterm256(codes[i + 2]);
      i += 2;
    } else if (c === 38 && codes[i + 1] === 2 && i + 4 < codes.length) {
      s.color = `rgb(${codes[i + 2]}, ${codes[i + 3]}, ${codes[i + 4]})`;
      i += 4;
    }
  }
}

/**
 * Appends `text` to `parent` as text nodes and coloured spans. `style` is
 * the state carried from the previous piece of the same stream.
 */
export function appendAnsi(parent, text, style = { color: null, bold: false, dim: false }) {
  const escape = /\x1b\[([0-9;]*)m/g;
  let at = 0;
  const emit = (piece) => {
    if (!piece) return;
    if (!style.color && !style.bold && !style.dim) {
      parent.append(piece);
      return;
    }
    const span = document.createElement('span');
    if (style.color) span.style.color = style.color;
    if (style.bold) span.style.fontWeight = 'bold';
    if (style.dim) span.style.opacity = '0.7';
    span.textContent = piece;
    parent.append(span);
  };
  for (let m = escape.exec(text); m; m = escape.exec(text)) {
    emit(text.slice(at, m.index));
    apply(style, m[1] === '' ? [0] : m[1].split(';').map(Number));
    at = escape.lastIndex;
  }
  emit(text.slice(at));
  return style;
}
