//! Byte offsets (what every span holds) to and from LSP positions, which
//! count lines and, within a line, UTF-16 code units. Lines end at `\n`,
//! `\r\n` or a lone `\r`, as the protocol says. A position past the end of
//! its line or of the text is clamped to that end, never an error.

use lsp_types::{Position, Range};

use crate::syntax::span::Span;

/// Where each line of a text starts.
pub struct LineIndex {
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    /// The line holding byte `offset` (clamped to the text) and its start.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        (line, self.starts[line])
    }

    /// The position of byte `offset`; an offset inside a character counts
    /// from that character's start.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (line, start) = self.line_of(offset);
        let column: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(line as u32, column as u32)
    }

    /// The byte offset of `pos`: a line past the last is the end of the
    /// text, a column past the line's end is that end (before its line
    /// break), and a column inside a surrogate pair is the pair's start.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .copied()
            .unwrap_or(text.len());
        let line = text[start..end].trim_end_matches(['\n', '\r']);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            units += c.len_utf16();
            if units > pos.character as usize {
                return start + i;
            }
        }
        start + line.len()
    }

    /// The range `span` covers.
    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        // `é` is 2 bytes and 1 unit, `𝑥` 4 bytes and 2 units.
        let text = "a\nlet é𝑥 = 1\r\nb\rc";
        let index = LineIndex::new(text);
        let at = |s: &str| text.find(s).unwrap();
        assert_eq!(index.position(text, at("=")), Position::new(1, 8));
        assert_eq!(index.offset(text, Position::new(1, 8)), at("="));
        assert_eq!(index.position(text, at("b")), Position::new(2, 0));
        assert_eq!(index.position(text, at("c")), Position::new(3, 0));
        // Inside the surrogate pair: the character's start.
        assert_eq!(index.offset(text, Position::new(1, 6)), at("𝑥"));
        // Past the end of a line, of the text.
        assert_eq!(index.offset(text, Position::new(1, 99)), at("\r\n"));
        assert_eq!(index.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(index.position(text, 999), Position::new(3, 1));
        // Inside a character: its start.
        assert_eq!(index.position(text, at("é") + 1), Position::new(1, 4));
    }
}
