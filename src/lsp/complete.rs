//! Completion and signature help. What may come at the cursor is read from
//! the text before it ([`crate::syntax::cursor`], shared with the REPL):
//! an optimizer after `minimize with`, that optimizer's options after it,
//! or else the names in scope there, the builtins with their signatures,
//! the constants and the keywords. Signature help shows the call the
//! cursor is in, builtin or user function, with the argument it is at.

use lsp_types::{
    CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind,
    ParameterInformation, ParameterLabel, SignatureHelp, SignatureInformation,
};

use super::document::Document;
use super::index::DefKind;
use crate::eval::builtins::{self, CONSTANTS};
use crate::eval::DRIVER_OPTIONS;
use crate::optim::{self, OPTIMIZERS};
use crate::repl::help::KEYWORDS;
use crate::syntax::cursor::{open_call, want_at, word_start, Want};

/// The completions at byte `offset` that start with the word before it.
pub fn complete(doc: &Document, offset: usize) -> Vec<CompletionItem> {
    let before = &doc.text[..offset];
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    if in_comment_or_string(line) {
        return Vec::new();
    }
    let start = word_start(before);
    let prefix = &before[start..];
    if prefix.starts_with(|c: char| c.is_ascii_digit()) || before[..start].ends_with('.') {
        return Vec::new();
    }
    let items = match want_at(&before[..start]) {
        Want::Optimizer => OPTIMIZERS
            .iter()
            .map(|name| item(name, CompletionItemKind::MODULE, "optimizer".into(), None))
            .collect(),
        Want::OptionOf(optimizer) => option_items(&optimizer),
        Want::Anything => anything(doc, offset),
    };
    let mut items: Vec<CompletionItem> = items
        .into_iter()
        .filter(|i| i.label.starts_with(prefix))
        .collect();
    items.sort_by(|a, b| a.label.cmp(&b.label));
    items.dedup_by(|a, b| a.label == b.label);
    items
}

fn item(
    label: &str,
    kind: CompletionItemKind,
    detail: String,
    doc: Option<String>,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: Some(detail),
        documentation: doc.map(|value| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            })
        }),
        ..CompletionItem::default()
    }
}

/// `optimizer`'s own options with their defaults, and the driver's.
fn option_items(optimizer: &str) -> Vec<CompletionItem> {
    let own = optim::options(optimizer)
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let mut i = item(
                s.name,
                CompletionItemKind::PROPERTY,
                format!("{optimizer} option, default {}", s.default),
                None,
            );
            i.insert_text = Some(format!("{}=", s.name));
            i
        });
    let driver = DRIVER_OPTIONS.iter().map(|name| {
        let mut i = item(
            name,
            CompletionItemKind::PROPERTY,
            if *name == "steps" {
                "how many steps (required)".to_string()
            } else {
                "minimize option".to_string()
            },
            None,
        );
        i.insert_text = Some(format!("{name}="));
        i
    });
    own.chain(driver).collect()
}

/// Names in scope, builtins, calculus forms, constants and keywords.
fn anything(doc: &Document, offset: usize) -> Vec<CompletionItem> {
    let index = doc.index_near(offset);
    let mut items: Vec<CompletionItem> = index
        .visible_at(offset)
        .into_iter()
        .map(|def| {
            let kind = match def.kind {
                DefKind::Function => CompletionItemKind::FUNCTION,
                DefKind::Param => CompletionItemKind::FIELD,
                _ => CompletionItemKind::VARIABLE,
            };
            let mut detail = match def.kind {
                DefKind::Function => format!("fn {}({})", def.name, def.params.join(", ")),
                k => k.describe().to_string(),
            };
            if let Some(shape) = &def.shape {
                detail += &format!(", shape {}", crate::tensor::shape_string(shape));
            }
            item(&def.name, kind, detail, None)
        })
        .collect();
    items.extend(builtins::all().iter().map(|b| {
        item(
            b.name,
            CompletionItemKind::FUNCTION,
            b.signature.to_string(),
            Some(b.summary.to_string()),
        )
    }));
    items.extend(builtins::calculus().iter().map(|f| {
        item(
            f.name,
            CompletionItemKind::FUNCTION,
            f.signature.to_string(),
            Some(f.summary.to_string()),
        )
    }));
    items.extend(
        CONSTANTS.iter().map(|(name, _, what)| {
            item(name, CompletionItemKind::CONSTANT, what.to_string(), None)
        }),
    );
    items.extend(KEYWORDS.iter().map(|(name, usage, what)| {
        item(
            name,
            CompletionItemKind::KEYWORD,
            usage.to_string(),
            Some(what.to_string()),
        )
    }));
    items
}

/// Whether the end of `line` is inside a comment or a string.
fn in_comment_or_string(line: &str) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for c in line.chars() {
        match (in_string, c) {
            (true, _) if escaped => escaped = false,
            (true, '\\') => escaped = true,
            (_, '"') => in_string = !in_string,
            (false, '#') => return true,
            _ => {}
        }
    }
    in_string
}

/// The signature of the call the cursor at `offset` is in.
pub fn signature_help(doc: &Document, offset: usize) -> Option<SignatureHelp> {
    let call = open_call(&doc.text[..offset])?;
    let (label, summary) = if let Some(b) = builtins::lookup(&call.name) {
        (b.signature.to_string(), Some(b.summary))
    } else if let Some(f) = builtins::calculus().iter().find(|f| f.name == call.name) {
        (f.signature.to_string(), Some(f.summary))
    } else {
        let index = doc.index_near(offset);
        let def = index
            .visible_at(offset)
            .into_iter()
            .find(|d| d.name == call.name && d.kind == DefKind::Function)?;
        (format!("{}({})", def.name, def.params.join(", ")), None)
    };
    let parameters = parameter_offsets(&label);
    let active = (call.arg as u32).min(parameters.len().saturating_sub(1) as u32);
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            documentation: summary.map(|s| Documentation::String(s.to_string())),
            parameters: Some(
                parameters
                    .into_iter()
                    .map(|range| ParameterInformation {
                        label: ParameterLabel::LabelOffsets(range),
                        documentation: None,
                    })
                    .collect(),
            ),
            active_parameter: Some(active),
            label,
        }],
        active_signature: Some(0),
        active_parameter: Some(active),
    })
}

/// Where each parameter of a signature `name(a, b, ...)` is in it, in
/// UTF-16 units (signatures are ASCII, so bytes).
fn parameter_offsets(signature: &str) -> Vec<[u32; 2]> {
    let (Some(open), Some(close)) = (signature.find('('), signature.rfind(')')) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut at = open + 1;
    for part in signature[open + 1..close].split(", ") {
        if !part.is_empty() {
            out.push([at as u32, (at + part.len()) as u32]);
        }
        at += part.len() + 2;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_found_in_signatures() {
        assert_eq!(
            parameter_offsets("clamp(x, lo, hi)"),
            [[6, 7], [9, 11], [13, 15]]
        );
        assert_eq!(parameter_offsets("rand()"), Vec::<[u32; 2]>::new());
    }

    #[test]
    fn comments_and_strings_end_completion() {
        assert!(in_comment_or_string("print x # ex"));
        assert!(in_comment_or_string("print \"ex"));
        assert!(!in_comment_or_string("print \"a#b\", ex"));
        assert!(!in_comment_or_string("print \"a\\\"\", ex"));
    }
}
