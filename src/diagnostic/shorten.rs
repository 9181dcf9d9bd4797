//! Long lines in a rendered diagnostic, cut down to the part around their
//! labels. A minified or generated script can have a line of thousands of
//! columns; shown whole, it wraps across the terminal and buries the
//! labels. Each line longer than [`MAX_COLUMNS`] that a label touches keeps
//! a window around its labels, and what is cut is marked with `…`. Spans
//! are moved to match, so every label still points at the same text.

use std::ops::Range;

/// Lines up to this many characters are shown whole.
pub const MAX_COLUMNS: usize = 150;

/// The marker that stands for cut text.
const CUT: &str = "…";

/// A text with some byte ranges replaced by [`CUT`].
pub struct Shortened {
    pub text: String,
    /// The replaced ranges of the original, in order.
    cuts: Vec<Range<usize>>,
}

impl Shortened {
    /// `text` with every over-long line that one of `spans` touches cut
    /// down around them; `None` when no line needs it.
    pub fn new(text: &str, spans: &[Range<usize>]) -> Option<Shortened> {
        let mut cuts = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let body = line.strip_suffix('\n').unwrap_or(line);
            let end = start + body.len();
            cuts.extend(line_cuts(body, start, spans));
            start = end + (line.len() - body.len());
        }
        if cuts.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for c in &cuts {
            out.push_str(&text[at..c.start]);
            out.push_str(CUT);
            at = c.end;
        }
        out.push_str(&text[at..]);
        Some(Shortened { text: out, cuts })
    }

    /// Where `offset` of the original text is in the shortened one (an
    /// offset inside a cut moves to its marker).
    pub fn map(&self, offset: usize) -> usize {
        let mut shift = 0isize;
        for c in &self.cuts {
            if offset >= c.end {
                shift += CUT.len() as isize - c.len() as isize;
            } else if offset > c.start {
                return (c.start as isize + shift) as usize;
            }
        }
        (offset as isize + shift) as usize
    }

    /// A range of the original text, moved into the shortened one.
    pub fn map_range(&self, r: &Range<usize>) -> Range<usize> {
        self.map(r.start)..self.map(r.end)
    }
}

/// The cuts for one line (`body`, without its newline, starting at byte
/// `start` of the text): none if it is short or no span touches it.
fn line_cuts(body: &str, start: usize, spans: &[Range<usize>]) -> Vec<Range<usize>> {
    let len = body.chars().count();
    if len <= MAX_COLUMNS {
        return Vec::new();
    }
    let end = start + body.len();
    let touching = spans
        .iter()
        .filter(|s| s.start <= end && s.end >= start)
        .map(|s| s.start.max(start) - start..s.end.min(end) - start);
    let (lo, hi) = touching.fold((usize::MAX, 0), |(lo, hi), r| {
        (lo.min(r.start), hi.max(r.end))
    });
    if lo > hi {
        return Vec::new();
    }
    // In characters from here on: the window keeps the labelled part and
    // as much context around it as fits.
    let column = |byte: usize| body[..byte].chars().count();
    let (lo, hi) = (column(lo), column(hi));
    let context = MAX_COLUMNS.saturating_sub(hi - lo) / 2;
    let mut from = lo.saturating_sub(context.max(10));
    let mut to = (hi + context.max(10)).min(len);
    if from == 0 {
        to = to.max(MAX_COLUMNS.min(len));
    }
    if to == len {
        from = from.min(len.saturating_sub(MAX_COLUMNS));
    }
    let byte = |col: usize| body.char_indices().nth(col).map_or(body.len(), |(b, _)| b);
    let mut cuts = Vec::new();
    if from > 0 {
        cuts.push(start..start + byte(from));
    }
    if to < len {
        cuts.push(start + byte(to)..end);
    }
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-span list (a literal `[a..b]` reads like a mistake to clippy).
    fn one(span: Range<usize>) -> [Range<usize>; 1] {
        [span]
    }

    #[test]
    fn short_lines_are_kept() {
        assert!(Shortened::new("let x = 1\nprint y\n", &one(17..18)).is_none());
    }

    #[test]
    fn a_long_line_is_cut_around_its_span_and_spans_follow() {
        let text = format!(
            "let a = 1\nprint {}y{}\nprint 2\n",
            "1 + ".repeat(100),
            " + 1".repeat(100)
        );
        let at = text.find('y').unwrap();
        let s = Shortened::new(&text, &[at..at + 1, 0..3]).unwrap();
        let moved = s.map_range(&(at..at + 1));
        assert_eq!(&s.text[moved], "y");
        assert_eq!(&s.text[s.map_range(&(0..3))], "let");
        let long = s.text.lines().nth(1).unwrap();
        assert!(long.starts_with('…') && long.ends_with('…'), "{long}");
        assert!(long.chars().count() <= MAX_COLUMNS + 2, "{long}");
        // Lines after the cut keep their text.
        assert!(s.text.ends_with("\nprint 2\n"));
    }

    #[test]
    fn a_span_near_the_start_cuts_only_the_end() {
        let text = format!("y = {}\n", "1 + ".repeat(100));
        let s = Shortened::new(&text, &one(0..1)).unwrap();
        assert!(s.text.starts_with("y = 1 + "));
        assert!(s.text.ends_with("…\n"));
        assert_eq!(s.map(0), 0);
    }

    #[test]
    fn an_untouched_long_line_is_left_alone() {
        let text = format!("{}\nprint y\n", "1 + ".repeat(100));
        assert!(Shortened::new(&text, &one(407..408)).is_none());
    }
}
