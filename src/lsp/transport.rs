//! The base protocol: messages framed by a `Content-Length` header on
//! stdin and stdout. lsp-server's own stdio transport stops reading at the
//! first frame it cannot decode and allocates whatever length a header
//! claims, so the server reads frames here instead: a bad frame becomes an
//! [`Incoming::Invalid`] (answered with a JSON-RPC error) and reading goes
//! on with the next one; a header line or a body too large is skipped, not
//! stored. lsp-server's [`Message`] does the JSON-RPC (de)serialization.

use std::io::{self, BufRead, Read, Write};

use lsp_server::{ErrorCode, Message, RequestId};
use serde_json::Value;

/// The largest body read: a few times the largest document an editor
/// would send (JSON escaping grows text).
const MAX_BODY: usize = 64 << 20;
/// The longest header line kept; longer ones are garbage anyway.
const MAX_HEADER_LINE: u64 = 1024;

/// One frame read from the client.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A frame that is not a JSON-RPC message: the error to answer with,
    /// for the request id if one could be read.
    Invalid {
        id: Option<RequestId>,
        code: ErrorCode,
        message: String,
    },
}

/// Reads the next frame; `None` at the end of the input.
pub fn read(input: &mut impl BufRead) -> io::Result<Option<Incoming>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut bad_header = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        let n = input
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() && line.ends_with(b"\n") {
            if saw_header {
                break;
            }
            // Blank lines between frames are skipped.
            continue;
        }
        saw_header = true;
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                length = Some(value.trim().parse::<usize>().map_err(|_| value.to_string()));
            }
            Some(_) => {} // Content-Type and the like
            None => bad_header = Some(text.chars().take(80).collect::<String>()),
        }
    }
    let invalid = |message: String| {
        Ok(Some(Incoming::Invalid {
            id: None,
            code: ErrorCode::ParseError,
            message,
        }))
    };
    let length = match (length, bad_header) {
        (Some(Ok(n)), _) => n,
        (Some(Err(value)), _) => {
            return invalid(format!("Content-Length `{}` is not a number", value.trim()))
        }
        (None, Some(line)) => return invalid(format!("expected a header, found `{line}`")),
        (None, None) => return invalid("a frame without Content-Length".to_string()),
    };
    if length > MAX_BODY {
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return invalid(format!(
            "a message of {length} bytes is larger than the {MAX_BODY} this server reads"
        ));
    }
    let mut body = vec![0; length];
    if let Err(e) = input.read_exact(&mut body) {
        return match e.kind() {
            io::ErrorKind::UnexpectedEof => Ok(None),
            _ => Err(e),
        };
    }
    Ok(Some(decode(&body)))
}

/// A frame's body as a message, or the error to answer it with.
fn decode(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Incoming::Invalid {
                id: None,
                code: ErrorCode::ParseError,
                message: format!("the message is not JSON: {e}"),
            }
        }
    };
    let id = value
        .get("id")
        .and_then(|id| serde_json::from_value::<RequestId>(id.clone()).ok());
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(_) => Incoming::Invalid {
            id,
            code: ErrorCode::InvalidRequest,
            message: "the message is not a JSON-RPC request, response or notification".to_string(),
        },
    }
}

/// Writes `message` framed.
pub fn write(out: &mut impl Write, message: &Message) -> io::Result<()> {
    message.write(out)
}

/// Writes an error response whose id could not be read (`"id": null`, as
/// JSON-RPC asks), framed.
pub fn write_error_without_id(
    out: &mut impl Write,
    code: ErrorCode,
    message: &str,
) -> io::Result<()> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": code as i32, "message": message },
    })
    .to_string();
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<String> {
        let mut reader = io::BufReader::new(input.as_bytes());
        let mut out = Vec::new();
        while let Ok(Some(frame)) = read(&mut reader) {
            out.push(match frame {
                Incoming::Message(Message::Request(r)) => format!("request {}", r.method),
                Incoming::Message(Message::Notification(n)) => format!("notification {}", n.method),
                Incoming::Message(Message::Response(_)) => "response".to_string(),
                Incoming::Invalid { id, code, .. } => format!("invalid {code:?} {id:?}"),
            });
        }
        out
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn bad_frames_are_reported_and_skipped() {
        let input = [
            frame("{not json"),
            "garbage line\r\n\r\n".to_string(),
            "Content-Length: x\r\n\r\n".to_string(),
            frame(r#"{"id": 7, "what": 1}"#),
            "Content-Length: 99999999999\r\n\r\n".to_string(),
        ]
        .concat();
        assert_eq!(
            frames(&input),
            [
                "invalid ParseError None",
                "invalid ParseError None",
                "invalid ParseError None",
                "invalid InvalidRequest Some(RequestId(I32(7)))",
                "invalid ParseError None",
            ]
        );
        let good = [frame(
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        )]
        .concat();
        assert_eq!(frames(&good), ["notification initialized"]);
    }
}
