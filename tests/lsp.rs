//! The language server end to end: spawns the built `gradlang lsp` and
//! speaks Content-Length framed JSON-RPC to it, as an editor does.
//!
//! Each `tests/lsp/NAME.gl` is a session: initialize, open the script,
//! then one step per `# lsp: ...` line at its end, then shutdown and exit
//! (which must give exit code 0). The diagnostics published on open and
//! after each edit, and every response, are compared with
//! `tests/lsp/NAME.lsp.json`; `GRADLANG_BLESS=1 cargo test --release
//! --test lsp` rewrites those (review the diff). Steps:
//! - `hover L:C`, `completion L:C`, `signatureHelp L:C`, `definition L:C`,
//!   `references L:C`, `prepareRename L:C`, `rename L:C NEW`,
//!   `documentSymbol`, `formatting`: the request at line L, column C
//!   (both from 1, C in characters, the cursor before that character);
//! - `replace OLD => NEW`: the script with OLD replaced by NEW (`\n` for
//!   a newline) is sent as a change.
//!
//! The scripts start with `# command: check`, so tests/golden.rs checks
//! `gradlang check`'s own report of them beside the server's.
//!
//! `robustness` sends what an editor should not: garbage frames, requests
//! before `initialize`, unknown methods and documents, positions past the
//! end, a 1 MB document.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long any one answer may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A running `gradlang lsp` and what it has sent.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gradlang"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cannot start gradlang lsp");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (send, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut reader) {
                if send.send(message).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            stdin,
            messages,
            next_id: 0,
        }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin
            .write_all(bytes)
            .expect("the server closed its input");
        self.stdin.flush().expect("the server closed its input");
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message the server sends that `wanted` accepts; the ones
    /// before it are dropped.
    fn wait(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(message) if wanted(&message) => return message,
                Ok(_) => {}
                Err(e) => panic!("no {what} from the server within {TIMEOUT:?}: {e}"),
            }
        }
    }

    /// Sends a request and returns its whole response (`result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(&format!("response to {method}"), |m| m["id"] == json!(id))
    }

    fn diagnostics(&mut self) -> Value {
        let published = self.wait("diagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics"
        });
        published["params"].clone()
    }

    fn initialize(&mut self) {
        let response = self.request("initialize", json!({"capabilities": {}}));
        assert!(
            response["result"]["capabilities"].is_object(),
            "initialize: {response}"
        );
        self.notify("initialized", json!({}));
    }

    /// shutdown, exit, and the exit code.
    fn finish(mut self) -> i32 {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "shutdown: {response}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("cannot wait for the server") {
                return status.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit within {TIMEOUT:?} of `exit`");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// One framed message, or `None` at the end of the output.
fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the server sent a frame that is not JSON"))
}

fn uri(name: &str) -> String {
    format!("file:///lsp/{name}")
}

/// The protocol position of `L:C` (from 1, C in characters) in `text`.
fn position(text: &str, at: &str) -> Value {
    let (line, column) = at.split_once(':').expect("a position is L:C");
    let line: usize = line.parse().expect("L is a number");
    let column: usize = column.parse().expect("C is a number");
    let text_line = text.lines().nth(line - 1).unwrap_or("");
    let units: usize = text_line
        .chars()
        .take(column - 1)
        .map(char::len_utf16)
        .sum();
    json!({"line": line - 1, "character": units})
}

/// Runs the session `tests/lsp/NAME.gl` describes; returns every step.
fn session(name: &str, text: &str) -> Value {
    let uri = uri(name);
    let doc = json!({"uri": uri});
    let mut server = Server::start();
    server.initialize();
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "gradlang", "version": 1, "text": text}}),
    );
    let mut steps = vec![json!({"step": "open", "diagnostics": server.diagnostics()})];
    let mut current = text.to_string();
    let mut version = 1;
    for line in text.lines() {
        let Some(step) = line.strip_prefix("# lsp: ") else {
            continue;
        };
        let words: Vec<&str> = step.split_whitespace().collect();
        let at = |k: usize| position(&current, words.get(k).copied().unwrap_or("1:1"));
        let pos = |k: usize| json!({"textDocument": doc, "position": at(k)});
        let outcome = match words[0] {
            "replace" => {
                let (old, new) = step["replace ".len()..]
                    .split_once(" => ")
                    .expect("replace OLD => NEW");
                let (old, new) = (old.replace("\\n", "\n"), new.replace("\\n", "\n"));
                assert!(
                    current.contains(&old),
                    "{name}: `{old}` is not in the script"
                );
                current = current.replacen(&old, &new, 1);
                version += 1;
                server.notify(
                    "textDocument/didChange",
                    json!({
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [{"text": current}],
                    }),
                );
                json!({"step": step, "diagnostics": server.diagnostics()})
            }
            method => {
                let params = match method {
                    "references" => {
                        let mut p = pos(1);
                        p["context"] = json!({"includeDeclaration": true});
                        p
                    }
                    "rename" => {
                        let mut p = pos(1);
                        p["newName"] = json!(words.get(2).copied().unwrap_or(""));
                        p
                    }
                    "documentSymbol" => json!({"textDocument": doc}),
                    "formatting" => json!({
                        "textDocument": doc,
                        "options": {"tabSize": 4, "insertSpaces": true},
                    }),
                    _ => pos(1),
                };
                let mut response = server.request(&format!("textDocument/{method}"), params);
                let response = response
                    .as_object_mut()
                    .map(|o| {
                        o.remove("jsonrpc");
                        o.remove("id");
                        Value::Object(o.clone())
                    })
                    .unwrap_or(response);
                json!({"step": step, "response": response})
            }
        };
        steps.push(outcome);
    }
    let code = server.finish();
    assert_eq!(code, 0, "{name}: exit code after shutdown and exit");
    Value::Array(steps)
}

#[test]
fn sessions_match_their_goldens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless =
        matches!(std::env::var("GRADLANG_BLESS").as_deref(), Ok(v) if !v.is_empty() && v != "0");
    let dir = root.join("tests/lsp");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("cannot list tests/lsp")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".gl"))
        .collect();
    names.sort();
    assert!(names.len() >= 4, "the fixtures are missing: {names:?}");
    let mut failures = Vec::new();
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).expect("cannot read a fixture");
        let actual = serde_json::to_string_pretty(&session(name, &text)).expect("JSON") + "\n";
        let golden = dir.join(name.replace(".gl", ".lsp.json"));
        if bless {
            std::fs::write(&golden, &actual).expect("cannot write a golden");
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if expected != actual {
            let first = expected
                .lines()
                .zip(actual.lines())
                .position(|(e, a)| e != a)
                .unwrap_or(expected.lines().count().min(actual.lines().count()));
            let show = |text: &str| {
                text.lines()
                    .skip(first.saturating_sub(3))
                    .take(12)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            failures.push(format!(
                "{name}: differs from {} from line {}\n--- expected\n{}\n--- actual\n{}\n",
                golden.display(),
                first + 1,
                show(&expected),
                show(&actual)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(GRADLANG_BLESS=1 cargo test --release --test lsp rewrites the goldens)",
        failures.concat()
    );
}

/// A script of about `bytes` bytes: params, formulas and losses.
fn big_script(bytes: usize) -> String {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < bytes {
        text += &format!(
            "param w{i} = [0.1, 0.2, 0.3]\nlet y{i} = sum(w{i} * [1, 2, 3]) # a formula\nloss l{i} = (y{i} - {i})^2\n"
        );
        i += 1;
    }
    text + "minimize l0 with adam lr=0.1 steps=1000000000\nprint unknown_name\n"
}

#[test]
fn robustness() {
    let mut server = Server::start();
    // Before initialize: requests are refused, notifications dropped.
    let early = server.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    server.notify("textDocument/didOpen", json!({"nonsense": true}));
    // Garbage: not JSON, a header that is not one, JSON that is not JSON-RPC.
    server.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let garbage = server.wait("parse error", |m| m["error"].is_object());
    assert_eq!(garbage["error"]["code"], -32700, "{garbage}");
    assert_eq!(garbage["id"], Value::Null, "{garbage}");
    server.send_raw(b"this is not a header\r\n\r\n");
    let header = server.wait("parse error", |m| m["error"].is_object());
    assert_eq!(header["error"]["code"], -32700, "{header}");
    server.send(json!({"id": 77, "what": "ever"}));
    let shapeless = server.wait("invalid request", |m| m["id"] == 77);
    assert_eq!(shapeless["error"]["code"], -32600, "{shapeless}");

    server.initialize();
    let unknown = server.request("textDocument/frobnicate", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let bad_params = server.request("textDocument/hover", json!({"textDocument": 3}));
    assert_eq!(bad_params["error"]["code"], -32602, "{bad_params}");
    server.notify("workspace/frobnicate", json!({}));
    // A document that was never opened: changes dropped, no answers.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri("never.gl"), "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    let position = json!({"line": 0, "character": 0});
    let nothing = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri("never.gl")}, "position": position}),
    );
    assert_eq!(nothing["result"], Value::Null, "{nothing}");

    // A 1 MB document: analysed (never run: its minimize would take
    // forever) and answered within the timeout, positions past its end too.
    let big = big_script(1 << 20);
    let started = Instant::now();
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri("big.gl"), "languageId": "gradlang", "version": 1, "text": big}}),
    );
    let published = server.diagnostics();
    let codes: Vec<&str> = published["diagnostics"]
        .as_array()
        .expect("a list of diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["E0201"], "{published}");
    let lines = big.lines().count() as u64;
    let doc = json!({"uri": uri("big.gl")});
    for (line, character) in [
        (lines - 1, 8),
        (lines + 100, 0),
        (3, 10_000),
        (u32::MAX as u64, u32::MAX as u64),
    ] {
        let at = json!({"textDocument": doc, "position": {"line": line, "character": character}});
        for method in ["hover", "completion", "definition", "signatureHelp"] {
            let response = server.request(&format!("textDocument/{method}"), at.clone());
            assert!(
                response.get("result").is_some(),
                "{method} at {line}:{character}: {response}"
            );
        }
    }
    let symbols = server.request("textDocument/documentSymbol", json!({"textDocument": doc}));
    assert!(symbols["result"]
        .as_array()
        .is_some_and(|s| s.len() > 10_000));
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri("big.gl"), "version": 2}, "contentChanges": [{"text": big.replace("unknown_name", "w0")}]}),
    );
    let fixed = server.diagnostics();
    assert_eq!(fixed["diagnostics"], json!([]), "{fixed}");
    assert!(
        started.elapsed() < TIMEOUT,
        "the 1 MB document took {:?}",
        started.elapsed()
    );
    // An out-of-date change (an older version) is dropped.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri("big.gl"), "version": 1}, "contentChanges": [{"text": "print nope"}]}),
    );
    assert_eq!(server.finish(), 0);
}

#[test]
fn exit_without_shutdown_is_an_error() {
    let mut server = Server::start();
    server.initialize();
    server.notify("exit", Value::Null);
    let status = server.child.wait().expect("cannot wait for the server");
    assert_eq!(status.code(), Some(1));
}
