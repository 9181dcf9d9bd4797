//! The line editor's side of the REPL (a rustyline `Helper`): Tab
//! completion, signature hints, highlighting, and whether Enter runs the
//! input or continues it on a new line.
//!
//! rustyline has no continuation prompt, and whatever the highlighter draws
//! must be as wide as the text. So Enter on an unfinished input inserts a
//! newline and a margin of four spaces (plus one indent per open bracket),
//! and the highlighter draws that margin as `... `. Without colours the
//! margin stays blank, which still lines the code up under the first line.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeSet;

use logos::Logos;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{
    Cmd, ConditionalEventHandler, Context, Event, EventContext, KeyCode, Movement, RepeatCount,
};

use super::commands::{resolve, COMMANDS, DRIVER_OPTIONS};
use super::help::KEYWORDS;
use crate::eval::builtins;
use crate::optim::{option_names, OPTIMIZERS};
use crate::syntax::cursor::{open_brackets, open_call, tokens, want_at, word_start, Want};
use crate::syntax::is_incomplete;
use crate::syntax::lexer::{is_keyword, Token};

pub(super) const PROMPT: &str = "gl> ";
/// Starts every continuation line, under the first line's text.
const MARGIN: &str = "    ";
/// How the highlighter draws [`MARGIN`]: as wide as [`PROMPT`].
const CONTINUATION: &str = "... ";
/// One level of nesting.
const INDENT: &str = "    ";

/// SGR styles.
const KEYWORD: &str = "1;35";
const NUMBER: &str = "36";
const STRING: &str = "32";
const COMMAND: &str = "33";
const FAINT: &str = "2";
const BRACKET: &str = "1;4";

#[derive(Default)]
pub(super) struct Helper {
    /// The session's global names, each with its signature if a function.
    pub names: Vec<(String, Option<String>)>,
    /// Whether the editor shows colours; hints that could pass for typed
    /// text are only given when it does.
    pub color: bool,
    files: FilenameCompleter,
    /// Where the partner of the bracket at the cursor is, to underline it.
    partner: Cell<Option<usize>>,
}

impl rustyline::Helper for Helper {}

impl Helper {
    pub fn new(color: bool) -> Self {
        Helper {
            color,
            ..Helper::default()
        }
    }

    /// The completions for `want`, sorted.
    fn candidates(&self, want: &Want) -> BTreeSet<String> {
        match want {
            Want::Optimizer => OPTIMIZERS.iter().map(|s| s.to_string()).collect(),
            Want::OptionOf(opt) => option_names(opt)
                .unwrap_or_default()
                .iter()
                .chain(DRIVER_OPTIONS)
                .map(|o| format!("{o}="))
                .collect(),
            Want::Anything => KEYWORDS
                .iter()
                .map(|k| k.0.to_string())
                .chain(builtins::function_names().map(String::from))
                .chain(self.names.iter().map(|(n, _)| n.clone()))
                .collect(),
        }
    }

    /// `name`'s call signature and what it does, if it is a function.
    fn signature(&self, name: &str) -> Option<(String, &str)> {
        if let Some(b) = builtins::lookup(name) {
            return Some((b.signature.to_string(), b.summary));
        }
        self.names
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, sig)| sig.clone())
            .map(|sig| (sig, ""))
    }
}

impl Completer for Helper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        if is_command(line) {
            let command = before.trim_start();
            return match command.split_once(char::is_whitespace) {
                Some((word, _)) if resolve(word) == Some(":load") => {
                    self.files.complete(line, pos, ctx)
                }
                Some((word, arg)) if resolve(word) == Some(":help") => {
                    let arg = arg.trim_start();
                    let topics = super::help::topics().map(String::from);
                    Ok((pos - arg.len(), pairs(topics, arg)))
                }
                Some(_) => Ok((pos, Vec::new())),
                None => {
                    let names = COMMANDS.iter().map(|c| c.0.to_string());
                    Ok((pos - command.len(), pairs(names, command)))
                }
            };
        }
        let start = word_start(before);
        let word = &before[start..];
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            return Ok((pos, Vec::new()));
        }
        let want = want_at(&before[..start]);
        Ok((start, pairs(self.candidates(&want), word)))
    }
}

/// The candidates that start with `prefix`, as completion pairs.
fn pairs(candidates: impl IntoIterator<Item = String>, prefix: &str) -> Vec<Pair> {
    let mut found: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.starts_with(prefix))
        .collect();
    found.sort();
    found.dedup();
    found
        .into_iter()
        .map(|c| Pair {
            display: c.clone(),
            replacement: c,
        })
        .collect()
}

/// A hint after the cursor: the rest of a function's signature while its
/// name is typed, or the signature of the call the cursor is in.
pub(super) struct SignatureHint {
    display: String,
    /// What Right arrow inserts.
    completion: Option<String>,
}

impl Hint for SignatureHint {
    fn display(&self) -> &str {
        &self.display
    }

    fn completion(&self) -> Option<&str> {
        self.completion.as_deref()
    }
}

impl Hinter for Helper {
    type Hint = SignatureHint;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<SignatureHint> {
        if pos < line.len() || is_command(line) {
            return None;
        }
        let start = word_start(line);
        let word = &line[start..];
        if self.color && !word.is_empty() && want_at(&line[..start]) == Want::Anything {
            let candidates = self.candidates(&Want::Anything);
            let mut matches = candidates.into_iter().filter(|c| c.starts_with(word));
            if let (Some(only), None) = (matches.next(), matches.next()) {
                if let Some((signature, _)) = self.signature(&only) {
                    return Some(SignatureHint {
                        display: signature[word.len()..].to_string(),
                        completion: Some(format!("{}(", &only[word.len()..])),
                    });
                }
            }
        }
        let (signature, summary) = self.signature(&open_call(line)?.name)?;
        let summary = if summary.is_empty() {
            String::new()
        } else {
            format!(": {summary}")
        };
        Some(SignatureHint {
            display: format!("  # {signature}{summary}"),
            completion: None,
        })
    }
}

impl Highlighter for Helper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Owned(paint(line, self.partner.get()))
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        match prompt.strip_suffix(' ') {
            Some(p) => Cow::Owned(format!("{} ", style(p, "1;32"))),
            None => Cow::Borrowed(prompt),
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(style(hint, FAINT))
    }

    fn highlight_char(&self, line: &str, pos: usize, kind: CmdKind) -> bool {
        let forced = kind == CmdKind::ForcedRefresh;
        self.partner
            .set(if forced { None } else { partner(line, pos) });
        // Repaint on every key: a word turns into a keyword as it is typed.
        !forced
    }
}

impl Validator for Helper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if wants_more(ctx.input()) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

/// Enter at the end of an unfinished input: a new line, past the margin
/// and indented one level per open bracket. Elsewhere Enter does what it
/// always does (and the validator still keeps an unfinished input open).
pub(super) struct ContinueLine;

impl ConditionalEventHandler for ContinueLine {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        let line = ctx.line();
        (ctx.pos() == line.len() && wants_more(line)).then(|| {
            let indent = INDENT.repeat(open_brackets(line));
            Cmd::Insert(1, format!("\n{MARGIN}{indent}"))
        })
    }
}

/// A closing bracket typed on a continuation line holding only indentation
/// takes one level of it back.
pub(super) struct Dedent;

impl ConditionalEventHandler for Dedent {
    fn handle(&self, evt: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        let KeyCode::Char(closer) = evt.get(0)?.0 else {
            return None;
        };
        let before = &ctx.line()[..ctx.pos()];
        let row = &before[before.rfind('\n')? + 1..];
        let blank = row.len() >= MARGIN.len() + INDENT.len() && row.bytes().all(|b| b == b' ');
        // Rewrites the row: rustyline resets a movement's repeat count.
        blank.then(|| {
            let row = format!("{}{closer}", &row[INDENT.len()..]);
            Cmd::Replace(Movement::BeginningOfLine, Some(row))
        })
    }
}

/// Whether Enter should continue `input` rather than run it.
pub(super) fn wants_more(input: &str) -> bool {
    !is_command(input) && is_incomplete(input)
}

fn is_command(line: &str) -> bool {
    line.trim_start().starts_with(':')
}

/// Where the bracket matching the one at (or just before) `pos` is.
fn partner(line: &str, pos: usize) -> Option<usize> {
    let mut open = Vec::new();
    let mut pairs = Vec::new();
    for (t, range) in tokens(line) {
        match t {
            Token::LParen | Token::LBracket | Token::LBrace => open.push(range.start),
            Token::RParen | Token::RBracket | Token::RBrace => {
                if let Some(o) = open.pop() {
                    pairs.push((o, range.start));
                }
            }
            _ => {}
        }
    }
    let at = |p: usize| {
        pairs
            .iter()
            .find_map(|&(o, c)| (o == p).then_some(c).or((c == p).then_some(o)))
    };
    at(pos).or_else(|| pos.checked_sub(1).and_then(at))
}

fn style(text: &str, sgr: &str) -> String {
    format!("\x1b[{sgr}m{text}\x1b[0m")
}

/// `line` with colours: keywords, numbers, strings, comments, the margin
/// of continuation lines, and the bracket at `partner`. Only escape
/// sequences are added, so it is exactly as wide as `line`.
fn paint(line: &str, partner: Option<usize>) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    if is_command(line) {
        let end = line.trim_end().len();
        let word_end = line
            .trim_start()
            .find(char::is_whitespace)
            .map_or(end, |i| i + line.len() - line.trim_start().len());
        out += &style(&line[..word_end], COMMAND);
        out += &line[word_end..];
        return out;
    }
    let mut at = 0;
    let mut row_start = false;
    for (t, range) in Token::lexer(line).spanned() {
        paint_gap(&line[at..range.start], row_start, &mut out);
        let text = &line[range.clone()];
        let sgr = match t {
            Ok(Token::True | Token::False | Token::Number(_)) => Some(NUMBER),
            Ok(Token::Str(_) | Token::OpenString) => Some(STRING),
            Ok(_) if partner == Some(range.start) => Some(BRACKET),
            Ok(_) if is_keyword(text) => Some(KEYWORD),
            _ => None,
        };
        match sgr {
            Some(sgr) => out += &style(text, sgr),
            None => out += text,
        }
        row_start = t == Ok(Token::Newline);
        at = range.end;
    }
    paint_gap(&line[at..], row_start, &mut out);
    out
}

/// Text between tokens: blanks, perhaps a continuation margin first and a
/// comment last.
fn paint_gap(gap: &str, row_start: bool, out: &mut String) {
    let mut gap = gap;
    if row_start {
        if let Some(rest) = gap.strip_prefix(MARGIN) {
            *out += &style(CONTINUATION, FAINT);
            gap = rest;
        }
    }
    match gap.find('#') {
        Some(i) => {
            *out += &gap[..i];
            *out += &style(&gap[i..], FAINT);
        }
        None => *out += gap,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustyline::history::DefaultHistory;

    fn helper() -> Helper {
        Helper {
            names: vec![
                ("weights".into(), None),
                ("wiggle".into(), Some("wiggle(t, k)".into())),
            ],
            color: true,
            ..Helper::default()
        }
    }

    fn complete(line: &str) -> (usize, Vec<String>) {
        let history = DefaultHistory::new();
        let (start, found) = helper()
            .complete(line, line.len(), &Context::new(&history))
            .unwrap();
        (start, found.into_iter().map(|p| p.replacement).collect())
    }

    fn hint(line: &str) -> Option<(String, Option<String>)> {
        let history = DefaultHistory::new();
        helper()
            .hint(line, line.len(), &Context::new(&history))
            .map(|h| (h.display, h.completion))
    }

    /// `s` with its escape sequences removed.
    fn plain(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                chars.by_ref().find(|&c| c == 'm');
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn keywords_match_the_lexer() {
        for (k, _, _) in KEYWORDS {
            assert!(is_keyword(k), "{k}");
        }
    }

    #[test]
    fn completes_names_builtins_and_keywords() {
        assert_eq!(complete("let a = linsp"), (8, vec!["linspace".into()]));
        assert_eq!(
            complete("w"),
            (
                0,
                vec![
                    "weights".into(),
                    "where".into(),
                    "while".into(),
                    "wiggle".into(),
                    "with".into()
                ]
            )
        );
        assert_eq!(
            complete("print mi"),
            (6, vec!["min".into(), "minimize".into()])
        );
        assert_eq!(complete("x = 2").1, Vec::<String>::new());
    }

    #[test]
    fn completes_optimizers_and_their_options() {
        assert_eq!(complete("minimize with na"), (14, vec!["nadam".into()]));
        let (_, options) = complete("minimize L with sgd lr=0.1 mom");
        assert_eq!(options, vec!["momentum=".to_string()]);
        let (_, options) = complete("maximize with adam ");
        assert!(options.contains(&"amsgrad=".to_string()));
        assert!(options.contains(&"steps=".to_string()));
        assert_eq!(
            complete("minimize with adam lr=wei").1,
            vec!["weights".to_string()]
        );
    }

    #[test]
    fn completes_commands_and_help_topics() {
        assert_eq!(complete(":v"), (0, vec![":vars".into()]));
        assert_eq!(complete(":help clam"), (6, vec!["clamp".into()]));
    }

    #[test]
    fn hints_signatures() {
        assert_eq!(
            hint("let a = linsp"),
            Some(("ace(a, b, n)".into(), Some("ace(".into())))
        );
        assert_eq!(hint("wig"), Some(("gle(t, k)".into(), Some("gle(".into()))));
        let (display, completion) = hint("clamp(x, ").unwrap();
        assert_eq!(display, "  # clamp(x, lo, hi): x limited to [lo, hi]");
        assert_eq!(completion, None);
        assert_eq!(hint("wiggle(1, [1, 2"), None);
        assert_eq!(hint("wiggle(1, [1, 2]").unwrap().0, "  # wiggle(t, k)");
        assert_eq!(hint("1 + 2"), None);
    }

    #[test]
    fn enter_continues_unfinished_input() {
        assert!(wants_more("fn f(x) {"));
        assert!(wants_more("let y = 1 +"));
        assert!(!wants_more("let y = 1 + 2"));
        assert!(!wants_more(":load (unbalanced"));
        assert!(!wants_more("let y = )"));
        assert_eq!(open_brackets("fn f(x) { g([1,"), 3);
    }

    #[test]
    fn painting_keeps_the_width() {
        let line = "fn f(x) {\n    let s = \"a\" # note\n        s + 1.5\n    }";
        let painted = paint(line, Some(8));
        assert_eq!(plain(&painted).len(), line.len());
        assert!(painted.contains("\x1b[1;35mfn\x1b[0m"));
        assert!(painted.contains("\x1b[32m\"a\"\x1b[0m"));
        assert!(painted.contains("\x1b[36m1.5\x1b[0m"));
        assert!(painted.contains("\x1b[2m# note\x1b[0m"));
        assert!(painted.contains("\x1b[1;4m{\x1b[0m"));
        assert_eq!(plain(&painted), line.replace("\n    ", "\n... "));
        assert_eq!(paint(":load x.gl", None), "\x1b[33m:load\x1b[0m x.gl");
    }

    #[test]
    fn brackets_find_their_partners() {
        assert_eq!(partner("f((1), 2)", 1), Some(8));
        assert_eq!(partner("f((1), 2)", 9), Some(1));
        assert_eq!(partner("f((1), 2", 1), None);
        assert_eq!(partner("\"(\"", 1), None);
    }
}
