//! Problem documents for requests that never reach a handler.
//!
//! actix-http answers a request it cannot parse — a head larger than its buffer (431),
//! bytes that make no URI, a malformed `Content-Length` or chunked body (400), a head
//! that does not arrive in time (408) — with an empty body and closes the connection. It
//! offers no hook for that answer, so the connection's writes pass through
//! [`ProblemStream`], which replaces exactly such an answer (an error status, `content-length: 0`
//! and no `content-type`; every answer of the application carries a problem document)
//! with the same status as `application/problem+json`.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::http::StatusCode;
use actix_web::rt::net::TcpStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::{PROBLEM_JSON, Problem};

/// A connection whose parser-level error answers become problem documents.
pub struct ProblemStream {
    inner: TcpStream,
    /// A replacement answer not yet fully written.
    pending: Vec<u8>,
}

impl ProblemStream {
    pub fn new(inner: TcpStream) -> ProblemStream {
        ProblemStream {
            inner,
            pending: Vec::new(),
        }
    }

    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending.is_empty() {
            match Pin::new(&mut self.inner).poll_write(cx, &self.pending) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    self.pending.drain(..n);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

/// The parser's answers are a status line and a few headers.
const LONGEST_PARSER_ANSWER: usize = 512;

/// The status of an answer the parser made, if `bytes` is exactly one: an error status
/// line, no body and no content type.
fn parser_answer(bytes: &[u8]) -> Option<StatusCode> {
    // Every write passes here: look no further than the first bytes of anything that is
    // not a short error answer.
    let error_line = [
        &b"HTTP/1.1 4"[..],
        b"HTTP/1.1 5",
        b"HTTP/1.0 4",
        b"HTTP/1.0 5",
    ];
    if bytes.len() > LONGEST_PARSER_ANSWER || !error_line.iter().any(|p| bytes.starts_with(p)) {
        return None;
    }
    let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    if head_end + 4 != bytes.len() {
        return None;
    }
    let head = std::str::from_utf8(&bytes[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let code: u16 = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))?
        .get(..3)?
        .parse()
        .ok()?;
    let status = StatusCode::from_u16(code).ok()?;
    let mut empty = false;
    for line in lines {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("content-type:") {
            return None;
        }
        if lower == "content-length: 0" {
            empty = true;
        }
    }
    (empty && (status.is_client_error() || status.is_server_error())).then_some(status)
}

/// The problem document answer for a parser-level error.
fn problem_answer(status: StatusCode) -> Vec<u8> {
    let detail = match status {
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            "the request head (request line and headers) is larger than this service reads"
        }
        StatusCode::REQUEST_TIMEOUT => "the request head did not arrive in time",
        StatusCode::BAD_REQUEST => {
            "the request is not valid HTTP/1.1: its request line, a header, the Content-Length or the chunked framing cannot be read"
        }
        _ => "the request could not be read",
    };
    let reason = status.canonical_reason().unwrap_or("Error");
    let problem = Problem {
        kind: format!(
            "urn:mobility-directory:problem:{}",
            reason.to_lowercase().replace(' ', "-")
        ),
        title: reason.to_owned(),
        status: status.as_u16(),
        detail: detail.to_owned(),
        ..Problem::default()
    };
    let body = serde_json::to_string(&problem).unwrap_or_default();
    format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: {PROBLEM_JSON}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        status.as_u16(),
        body.len()
    )
    .into_bytes()
}

impl AsyncRead for ProblemStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ProblemStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.drain(cx) {
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        }
        if let Some(status) = parser_answer(buf) {
            self.pending = problem_answer(status);
            // The whole answer is taken; it is written out by this and later polls.
            let _ = self.drain(cx);
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut self.inner).poll_shutdown(cx),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_empty_error_answer_without_a_content_type_is_the_parsers() {
        let parser = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: Wed, 25 Nov 2026 16:00:00 GMT\r\n\r\n";
        assert_eq!(parser_answer(parser), Some(StatusCode::BAD_REQUEST));
        let big = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(
            parser_answer(big),
            Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        );
        let app = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(parser_answer(app), None);
        let ok = b"HTTP/1.1 304 Not Modified\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(parser_answer(ok), None);
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\n";
        assert_eq!(parser_answer(with_body), None);
    }

    #[test]
    fn the_replacement_is_a_parseable_problem_document() {
        let answer = String::from_utf8(problem_answer(StatusCode::BAD_REQUEST)).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let problem: Problem = serde_json::from_str(body).unwrap();
        assert_eq!(problem.status, 400);
    }
}
