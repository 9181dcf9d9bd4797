//! `gradlang lsp`: a Language Server Protocol server on stdin and stdout.
//!
//! Synchronous, one message at a time, as gleam's and nickel's servers are
//! at heart: the scripts are small and every answer comes from one parse
//! and one `check` of the document, redone on each change. The server only
//! reads: it never evaluates a script (no `minimize` runs, no file is read).
//!
//! The modules, one concern each:
//! - [`transport`]: framing, and what to say to a frame that is not a message;
//! - [`text`]: byte offsets to and from the protocol's UTF-16 positions;
//! - [`document`]: an open document's parse, diagnostics and [`index`];
//! - [`index`]: what each name refers to, scope by scope;
//! - the features: [`hover`], [`complete`] (completion, signature help),
//!   [`navigate`] (definition, references, rename), [`symbols`],
//!   [`formatting`] (through `gradlang fmt`'s formatter).
//!
//! This file holds the lifecycle (initialize, shutdown, exit, and the
//! errors for requests out of turn) and the dispatch of each method to its
//! feature. A handler that panics is answered with an internal error and
//! the server goes on.

mod complete;
mod document;
mod formatting;
mod hover;
mod index;
mod navigate;
mod symbols;
mod text;
mod transport;

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

use lsp_server::{ErrorCode, Message, Notification, Request, Response, ResponseError};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _, SignatureHelpRequest,
};
use lsp_types::{
    CompletionOptions, CompletionResponse, DiagnosticRelatedInformation, DiagnosticSeverity,
    DocumentSymbolResponse, GotoDefinitionResponse, InitializeResult, Location, NumberOrString,
    OneOf, Position, PositionEncodingKind, PrepareRenameResponse, PublishDiagnosticsParams,
    RenameOptions, SaveOptions, ServerCapabilities, ServerInfo, SignatureHelpOptions,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, Uri,
    WorkDoneProgressOptions,
};
use serde_json::Value;

use crate::diagnostic::{Diagnostic, Severity};
use document::Document;
use transport::Incoming;

/// At most this many diagnostics are published for one document.
const MAX_DIAGNOSTICS: usize = 1000;

/// Serves the client on stdin and stdout until `exit`; returns the exit
/// code: 0 after `shutdown`, 1 if `exit` (or the end of the input) comes
/// without it.
pub fn run() -> i32 {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    serve(&mut stdin.lock(), &mut stdout.lock())
}

/// [`run`] on any input and output.
pub fn serve(input: &mut impl BufRead, output: &mut impl Write) -> i32 {
    let mut server = Server::default();
    loop {
        let replies = match transport::read(input) {
            Ok(Some(Incoming::Message(message))) => server.handle(message),
            Ok(Some(Incoming::Invalid { id, code, message })) => match id {
                Some(id) => vec![Message::Response(Response::new_err(
                    id,
                    code as i32,
                    message,
                ))],
                None => {
                    if transport::write_error_without_id(output, code, &message).is_err() {
                        return 1;
                    }
                    Vec::new()
                }
            },
            Ok(None) | Err(_) => return 1,
        };
        for reply in &replies {
            if transport::write(output, reply).is_err() {
                return 1;
            }
        }
        if let Some(code) = server.exit {
            return code;
        }
    }
}

#[derive(Default, PartialEq)]
enum State {
    #[default]
    Uninitialized,
    Running,
    ShutDown,
}

/// The server: its lifecycle and the open documents.
#[derive(Default)]
struct Server {
    state: State,
    /// Open documents by URI.
    documents: HashMap<String, Document>,
    /// Set by `exit`: the process's exit code.
    exit: Option<i32>,
}

impl Server {
    /// What to send in answer to `message`.
    fn handle(&mut self, message: Message) -> Vec<Message> {
        match message {
            Message::Request(req) => vec![Message::Response(self.request(req))],
            Message::Notification(n) => self.notification(n),
            // The server sends no requests, so expects no responses.
            Message::Response(_) => Vec::new(),
        }
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match (&self.state, req.method.as_str()) {
            (State::Uninitialized, "initialize") => {
                self.state = State::Running;
                serde_json::to_value(initialize_result()).map_err(internal)
            }
            (State::Uninitialized, _) => Err(error(
                ErrorCode::ServerNotInitialized,
                "the server is not initialized yet: send `initialize` first".into(),
            )),
            (State::ShutDown, _) => Err(error(
                ErrorCode::InvalidRequest,
                "the server is shut down: only `exit` is accepted now".into(),
            )),
            (State::Running, "initialize") => Err(error(
                ErrorCode::InvalidRequest,
                "the server is already initialized".into(),
            )),
            (State::Running, "shutdown") => {
                self.state = State::ShutDown;
                Ok(Value::Null)
            }
            (State::Running, _) => {
                let documents = &self.documents;
                catch_unwind(AssertUnwindSafe(|| answer(documents, req))).unwrap_or_else(|_| {
                    Err(error(
                        ErrorCode::InternalError,
                        "the server failed on this request (a bug; the server goes on)".into(),
                    ))
                })
            }
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(e) => Response {
                id,
                response_result: Err(e),
            },
        }
    }

    fn notification(&mut self, n: Notification) -> Vec<Message> {
        if n.method == "exit" {
            self.exit = Some(if self.state == State::ShutDown { 0 } else { 1 });
            return Vec::new();
        }
        if self.state != State::Running {
            return Vec::new();
        }
        let documents = &mut self.documents;
        catch_unwind(AssertUnwindSafe(|| sync(documents, n))).unwrap_or_default()
    }
}

/// Keeps the open documents in step with the editor; returns their new
/// diagnostics.
fn sync(documents: &mut HashMap<String, Document>, n: Notification) -> Vec<Message> {
    let (uri, document) = match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let Ok(p) =
                n.extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
            else {
                return Vec::new();
            };
            let doc = p.text_document;
            (doc.uri, Document::new(doc.text, doc.version))
        }
        DidChangeTextDocument::METHOD => {
            let Ok(p) =
                n.extract::<lsp_types::DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD)
            else {
                return Vec::new();
            };
            let uri = p.text_document.uri;
            // A change to a document not open, or older than what is
            // there, is out of turn: dropped.
            match documents.get(uri.as_str()) {
                Some(old) if p.text_document.version > old.version => {
                    let new = old.changed(p.content_changes, p.text_document.version);
                    (uri, new)
                }
                _ => return Vec::new(),
            }
        }
        DidSaveTextDocument::METHOD => {
            let Ok(p) =
                n.extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
            else {
                return Vec::new();
            };
            let uri = p.text_document.uri;
            let Some(old) = documents.get(uri.as_str()) else {
                return Vec::new();
            };
            let text = p.text.unwrap_or_else(|| old.text.clone());
            let version = old.version;
            (uri, Document::new(text, version))
        }
        DidCloseTextDocument::METHOD => {
            let Ok(p) =
                n.extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
            else {
                return Vec::new();
            };
            documents.remove(p.text_document.uri.as_str());
            let params = PublishDiagnosticsParams::new(p.text_document.uri, Vec::new(), None);
            return vec![publish(params)];
        }
        // `initialized`, `$/cancelRequest`, `$/setTrace`, ...: nothing to do.
        _ => return Vec::new(),
    };
    let diagnostics = document
        .diagnostics
        .iter()
        .take(MAX_DIAGNOSTICS)
        .map(|d| to_lsp(&document, &uri, d))
        .collect();
    let params = PublishDiagnosticsParams::new(uri.clone(), diagnostics, Some(document.version));
    documents.insert(uri.as_str().to_string(), document);
    vec![publish(params)]
}

fn publish(params: PublishDiagnosticsParams) -> Message {
    Message::Notification(Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        params,
    ))
}

/// A diagnostic as the protocol has it: the title, the label at the span,
/// the notes and the help in the message; the other labels as related
/// information.
fn to_lsp(doc: &Document, uri: &Uri, d: &Diagnostic) -> lsp_types::Diagnostic {
    let mut message = d.title.clone();
    for line in std::iter::once(&d.primary.1).chain(&d.notes) {
        if !line.is_empty() {
            message += &format!("\n{line}");
        }
    }
    if let Some(help) = &d.help {
        message += &format!("\nhelp: {help}");
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .map(|(span, label)| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), doc.range(*span)),
            message: label.clone(),
        })
        .collect();
    lsp_types::Diagnostic {
        range: doc.range(d.primary.0),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some("gradlang".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

/// What the server can do.
fn initialize_result() -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(PositionEncodingKind::UTF16),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::FULL),
                    save: Some(
                        SaveOptions {
                            include_text: Some(true),
                        }
                        .into(),
                    ),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
            completion_provider: Some(CompletionOptions::default()),
            signature_help_provider: Some(SignatureHelpOptions {
                trigger_characters: Some(vec!["(".into(), ",".into()]),
                retrigger_characters: None,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            }),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })),
            document_symbol_provider: Some(OneOf::Left(true)),
            document_formatting_provider: Some(OneOf::Left(true)),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "gradlang".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    }
}

fn error(code: ErrorCode, message: String) -> ResponseError {
    ResponseError {
        code: code as i32,
        message,
        data: None,
    }
}

fn internal(e: impl std::fmt::Display) -> ResponseError {
    error(ErrorCode::InternalError, e.to_string())
}

/// The document a request is about and the byte offset of its position.
/// A document that is not open gives no answer (`null`), not an error.
fn at<'a>(
    documents: &'a HashMap<String, Document>,
    uri: &Uri,
    pos: Position,
) -> Option<(&'a Document, usize)> {
    let doc = documents.get(uri.as_str())?;
    Some((doc, doc.offset(pos)))
}

/// Parses `params` as `R`'s and serializes what `f` answers.
fn reply<R: lsp_types::request::Request>(
    params: Value,
    f: impl FnOnce(R::Params) -> Result<R::Result, ResponseError>,
) -> Result<Value, ResponseError> {
    let params = serde_json::from_value::<R::Params>(params).map_err(|e| {
        error(
            ErrorCode::InvalidParams,
            format!("bad parameters for {}: {e}", R::METHOD),
        )
    })?;
    serde_json::to_value(f(params)?).map_err(internal)
}

/// The answer to a request on the documents.
fn answer(documents: &HashMap<String, Document>, req: Request) -> Result<Value, ResponseError> {
    let failed = |message: String| error(ErrorCode::RequestFailed, message);
    match req.method.as_str() {
        HoverRequest::METHOD => reply::<HoverRequest>(req.params, |p| {
            let p = p.text_document_position_params;
            Ok(at(documents, &p.text_document.uri, p.position)
                .and_then(|(doc, offset)| hover::hover(doc, offset)))
        }),
        Completion::METHOD => reply::<Completion>(req.params, |p| {
            let p = p.text_document_position;
            Ok(at(documents, &p.text_document.uri, p.position)
                .map(|(doc, offset)| CompletionResponse::Array(complete::complete(doc, offset))))
        }),
        SignatureHelpRequest::METHOD => reply::<SignatureHelpRequest>(req.params, |p| {
            let p = p.text_document_position_params;
            Ok(at(documents, &p.text_document.uri, p.position)
                .and_then(|(doc, offset)| complete::signature_help(doc, offset)))
        }),
        GotoDefinition::METHOD => reply::<GotoDefinition>(req.params, |p| {
            let p = p.text_document_position_params;
            let uri = &p.text_document.uri;
            Ok(at(documents, uri, p.position).and_then(|(doc, offset)| {
                let mut found = navigate::definition(doc, uri, offset);
                match found.len() {
                    0 => None,
                    1 => found.pop().map(GotoDefinitionResponse::Scalar),
                    _ => Some(GotoDefinitionResponse::Array(found)),
                }
            }))
        }),
        References::METHOD => reply::<References>(req.params, |p| {
            let declarations = p.context.include_declaration;
            let p = p.text_document_position;
            let uri = &p.text_document.uri;
            Ok(at(documents, uri, p.position)
                .map(|(doc, offset)| navigate::references(doc, uri, offset, declarations)))
        }),
        PrepareRenameRequest::METHOD => reply::<PrepareRenameRequest>(req.params, |p| {
            match at(documents, &p.text_document.uri, p.position) {
                Some((doc, offset)) => navigate::prepare_rename(doc, offset)
                    .map(|range| Some(PrepareRenameResponse::Range(range)))
                    .map_err(failed),
                None => Ok(None),
            }
        }),
        Rename::METHOD => reply::<Rename>(req.params, |p| {
            let new_name = p.new_name;
            let p = p.text_document_position;
            let uri = &p.text_document.uri;
            match at(documents, uri, p.position) {
                Some((doc, offset)) => navigate::rename(doc, uri, offset, &new_name)
                    .map(Some)
                    .map_err(failed),
                None => Ok(None),
            }
        }),
        DocumentSymbolRequest::METHOD => reply::<DocumentSymbolRequest>(req.params, |p| {
            Ok(documents
                .get(p.text_document.uri.as_str())
                .map(|doc| DocumentSymbolResponse::Nested(symbols::outline(doc))))
        }),
        Formatting::METHOD => reply::<Formatting>(req.params, |p| {
            match documents.get(p.text_document.uri.as_str()) {
                Some(doc) => formatting::format(doc).map(Some).map_err(failed),
                None => Ok(None),
            }
        }),
        method => Err(error(
            ErrorCode::MethodNotFound,
            format!("gradlang lsp does not answer `{method}`"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every feature at every position of every example and error script
    /// (most of which do not parse or do not check) answers without a
    /// panic.
    #[test]
    fn every_feature_answers_everywhere_without_panicking() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let uri: Uri = "file:///x.gl".parse().expect("a URI");
        let mut scripts = 0;
        let dirs = [
            "examples",
            "tests/errors",
            "tests/warnings",
            "tests/semantics",
            "tests/toolkit",
            "tests/lsp",
        ];
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                if path.extension().is_none_or(|e| e != "gl") {
                    continue;
                }
                scripts += 1;
                let doc = Document::new(text.clone(), 1);
                let _ = symbols::outline(&doc);
                let _ = formatting::format(&doc);
                for offset in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                    let _ = hover::hover(&doc, offset);
                    let _ = complete::complete(&doc, offset);
                    let _ = complete::signature_help(&doc, offset);
                    let _ = navigate::definition(&doc, &uri, offset);
                    let _ = navigate::references(&doc, &uri, offset, true);
                    let _ = navigate::rename(&doc, &uri, offset, "renamed");
                }
            }
        }
        assert!(scripts > 50, "only {scripts} scripts found");
    }
}
