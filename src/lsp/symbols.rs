//! Document symbols, the editor's outline: the params, losses and
//! functions the [`Index`](super::index::Index) found, and every
//! `minimize`/`maximize` (at the top level and in loop bodies), in source
//! order.

use lsp_types::{DocumentSymbol, SymbolKind};

use super::document::Document;
use super::index::DefKind;
use crate::syntax::ast::{Stmt, StmtS};
use crate::syntax::span::Span;

/// The outline of `doc`.
pub fn outline(doc: &Document) -> Vec<DocumentSymbol> {
    let mut found: Vec<(Span, DocumentSymbol)> = doc
        .index
        .defs
        .iter()
        .filter_map(|def| {
            let (kind, detail) = match def.kind {
                DefKind::Param => (SymbolKind::VARIABLE, "param".to_string()),
                DefKind::Loss => (SymbolKind::OBJECT, "loss".to_string()),
                DefKind::Function => (
                    SymbolKind::FUNCTION,
                    format!("fn({})", def.params.join(", ")),
                ),
                _ => return None,
            };
            let detail = match &def.shape {
                Some(shape) => format!("{detail}, shape {}", crate::tensor::shape_string(shape)),
                None => detail,
            };
            Some((
                def.stmt,
                symbol(doc, def.name.clone(), detail, kind, def.stmt, def.span),
            ))
        })
        .collect();
    if let Some(program) = &doc.program {
        let mut minimizes = Vec::new();
        program
            .stmts
            .iter()
            .for_each(|s| collect_minimizes(s, &mut minimizes));
        found.extend(minimizes.into_iter().map(|(stmt, name, optimizer)| {
            let detail = format!("with {}", optimizer.node);
            (
                stmt,
                symbol(doc, name, detail, SymbolKind::EVENT, stmt, optimizer.span),
            )
        }));
    }
    found.sort_by_key(|(span, _)| (span.start, span.end));
    found.into_iter().map(|(_, s)| s).collect()
}

fn symbol(
    doc: &Document,
    name: String,
    detail: String,
    kind: SymbolKind,
    range: Span,
    selection: Span,
) -> DocumentSymbol {
    #[allow(deprecated)] // `deprecated` must be written; `tags` replaces it.
    DocumentSymbol {
        name,
        detail: Some(detail),
        kind,
        tags: None,
        deprecated: None,
        range: doc.range(range),
        selection_range: doc.range(selection),
        children: None,
    }
}

/// Every `minimize` in `stmt` and the loops in it: its span, its name in
/// the outline (`minimize NAME`) and its optimizer.
fn collect_minimizes(stmt: &StmtS, out: &mut Vec<(Span, String, crate::syntax::ast::Ident)>) {
    match &stmt.node {
        Stmt::Minimize {
            maximize,
            loss,
            optimizer,
            ..
        } => {
            let verb = if *maximize { "maximize" } else { "minimize" };
            let name = format!(
                "{verb} {}",
                loss.as_ref().map_or("loss", |l| l.node.as_str())
            );
            out.push((stmt.span, name, optimizer.clone()));
        }
        Stmt::For { body, .. } | Stmt::While { body, .. } => {
            body.stmts.iter().for_each(|s| collect_minimizes(s, out))
        }
        _ => {}
    }
}
