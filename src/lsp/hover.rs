//! Hover: on a name, what it is (data, formula, param, loss, function...)
//! and its shape where `check` knows it; on a builtin, calculus form or
//! keyword, what `:help` says of it (its signature and summary from the
//! builtin table); on an optimizer, its options with their defaults; on
//! one of its options in a `minimize`, that option's default; on a
//! constant, its value.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::document::Document;
use super::index::{Def, DefKind};
use crate::eval::builtins::CONSTANTS;
use crate::eval::DRIVER_OPTIONS;
use crate::optim;
use crate::syntax::cursor::{tokens, want_at, Want};
use crate::syntax::lexer::Token;
use crate::syntax::span::Span;

/// The hover at byte `offset`, if there is anything to say.
pub fn hover(doc: &Document, offset: usize) -> Option<Hover> {
    if let Some((span, symbol)) = doc.index.at(offset) {
        let defs = doc.index.definitions(symbol, span.start);
        let text = defs
            .iter()
            .map(|&d| describe(doc, &doc.index.defs[d]))
            .collect::<Vec<_>>()
            .join("\n\n---\n\n");
        return Some(markdown(text, doc, span));
    }
    let (word, span) = word_at(&doc.text, offset)?;
    let text = match want_at(&doc.text[..span.start]) {
        Want::OptionOf(optimizer) => option_help(&optimizer, &word)?,
        _ => help(&word)?,
    };
    Some(markdown(text, doc, span))
}

/// What hover says of option `name` of `minimize with OPTIMIZER`.
fn option_help(optimizer: &str, name: &str) -> Option<String> {
    let what = match optim::options(optimizer)?.iter().find(|s| s.name == name) {
        Some(spec) => format!("`{optimizer}` option, default {}", spec.default),
        None if name == "steps" => "how many steps to take at most (required)".to_string(),
        None if DRIVER_OPTIONS.contains(&name) => {
            "an option of every `minimize` (see `:help minimize`)".to_string()
        }
        None => return None,
    };
    Some(format!(
        "```gradlang
{name}=
```
{what}"
    ))
}

fn markdown(value: String, doc: &Document, span: Span) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(doc.range(span)),
    }
}

/// A definition as hover shows it: its first line of source, then what it
/// is and its shape.
fn describe(doc: &Document, def: &Def) -> String {
    let head = match def.kind {
        DefKind::Function => format!("fn {}({})", def.name, def.params.join(", ")),
        DefKind::Argument | DefKind::LoopVar => def.name.clone(),
        _ => {
            let stmt = doc.text.get(def.stmt.range()).unwrap_or_default();
            let line = stmt.lines().next().unwrap_or_default();
            shorten(line.trim_end())
        }
    };
    let mut what = format!("*{}*", def.kind.describe());
    if let Some(shape) = &def.shape {
        what += &format!(", shape `{}`", crate::tensor::shape_string(shape));
    }
    let line = doc.lines.position(&doc.text, def.span.start).line + 1;
    format!("```gradlang\n{head}\n```\n{what}, defined on line {line}")
}

/// At most 80 characters of `line`, marked when cut.
fn shorten(line: &str) -> String {
    match line.char_indices().nth(80) {
        Some((at, _)) => format!("{} ...", &line[..at]),
        None => line.to_string(),
    }
}

/// The keyword or name at `offset` (outside comments and strings) and
/// its span.
pub fn word_at(text: &str, offset: usize) -> Option<(String, Span)> {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    tokens(&text[start..end]).find_map(|(token, range)| {
        let span = Span::new(start + range.start, start + range.end);
        let inside = span.start <= offset && offset <= span.end;
        let word = &text[span.range()];
        let is_word = matches!(token, Token::Ident(_)) || crate::syntax::lexer::is_keyword(word);
        (inside && is_word).then(|| (word.to_string(), span))
    })
}

/// What hover says of a builtin, calculus form, keyword, optimizer or
/// constant named `word`.
fn help(word: &str) -> Option<String> {
    if let Some(specs) = optim::options(word) {
        let mut text = format!("```gradlang\nminimize with {word} option=value ...\n```\noptimizer; its options (default):\n");
        for s in specs {
            text += &format!("- `{}` ({})\n", s.name, s.default);
        }
        let driver: Vec<String> = DRIVER_OPTIONS.iter().map(|o| format!("`{o}`")).collect();
        let steps = if crate::eval::minimize_options::needs_steps(word) {
            "`steps` is required"
        } else {
            "`steps` is optional: it stops on its own tests"
        };
        text += &format!("\nand for every optimizer: {} ({steps})", driver.join(", "));
        return Some(text);
    }
    if let Some((name, _, what)) = CONSTANTS.iter().find(|c| c.0 == word) {
        return Some(format!("```gradlang\n{name}\n```\nconstant: {what}"));
    }
    let (signature, text) = crate::repl::help::topic(word).ok()?;
    let text: Vec<&str> = text.lines().map(str::trim).collect();
    Some(format!(
        "```gradlang\n{signature}\n```\n{}",
        text.join("  \n")
    ))
}

#[cfg(test)]
mod tests {
    use super::help;

    #[test]
    fn optimizer_hover_says_whether_steps_is_required() {
        let adam = help("adam").unwrap_or_default();
        assert!(adam.contains("`steps` is required"), "{adam}");
        let lm = help("lm").unwrap_or_default();
        assert!(lm.contains("`steps` is optional"), "{lm}");
    }
}
