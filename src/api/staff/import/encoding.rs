//! The character encoding of an imported table, and its text as UTF-8. Spreadsheets save
//! CSV as UTF-8, with or without a byte order mark, or in the code page of the machine:
//! Windows-1250 for Slovenian. A charset the request declares (`Content-Type: text/csv;
//! charset=windows-1250`, or `--charset` on the command line) is taken as given;
//! otherwise a byte order mark decides, then text that is valid UTF-8 throughout is UTF-8,
//! and anything else is read as Windows-1250. Decoding is `encoding_rs`, as browsers do it.

use std::io::{self, Read, Seek, SeekFrom};

use encoding_rs::{Decoder, DecoderResult, Encoding, UTF_8, WINDOWS_1250};

/// The encoding a charset label names (`utf-8`, `windows-1250`, `cp1250`, `iso-8859-2`…).
pub fn named(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// The encoding to read `reader` in: `declared`, or else detected. Detection reads to the
/// end (the text must be UTF-8 throughout) and rewinds. A byte order mark overrides either
/// when the text is decoded.
pub fn detect<R: Read + Seek>(
    reader: &mut R,
    declared: Option<&'static Encoding>,
) -> io::Result<&'static Encoding> {
    if let Some(encoding) = declared {
        return Ok(encoding);
    }
    let utf8 = is_utf8(&mut *reader)?;
    reader.seek(SeekFrom::Start(0))?;
    Ok(if utf8 { UTF_8 } else { WINDOWS_1250 })
}

/// Whether everything `reader` holds is UTF-8, read a block at a time.
fn is_utf8(mut reader: impl Read) -> io::Result<bool> {
    let mut block = vec![0u8; 64 * 1024];
    // Bytes of a character cut by the end of the previous block.
    let mut carried = 0;
    loop {
        let read = match reader.read(&mut block[carried..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if read == 0 {
            return Ok(carried == 0);
        }
        let filled = carried + read;
        match std::str::from_utf8(&block[..filled]) {
            Ok(_) => carried = 0,
            Err(e) if e.error_len().is_none() => {
                let valid = e.valid_up_to();
                block.copy_within(valid..filled, 0);
                carried = filled - valid;
            }
            Err(_) => return Ok(false),
        }
    }
}

/// Reads `inner` in an encoding and yields its text as UTF-8, without the byte order mark;
/// a byte sequence the encoding does not have is an `InvalidData` error, never a silent
/// replacement character.
pub struct Utf8Reader<R> {
    inner: R,
    decoder: Decoder,
    input: Box<[u8]>,
    input_start: usize,
    input_end: usize,
    input_done: bool,
    output: Box<[u8]>,
    output_start: usize,
    output_end: usize,
    finished: bool,
}

impl<R: Read> Utf8Reader<R> {
    pub fn new(inner: R, encoding: &'static Encoding) -> Utf8Reader<R> {
        const BLOCK: usize = 32 * 1024;
        Utf8Reader {
            inner,
            // Sniffs a byte order mark (which then decides the encoding) and drops it.
            decoder: encoding.new_decoder(),
            input: vec![0; BLOCK].into_boxed_slice(),
            input_start: 0,
            input_end: 0,
            input_done: false,
            // Room for a block of the widest case (three UTF-8 bytes per input byte).
            output: vec![0; BLOCK * 3 + 16].into_boxed_slice(),
            output_start: 0,
            output_end: 0,
            finished: false,
        }
    }

    /// Decodes more input into the empty output buffer.
    fn refill(&mut self) -> io::Result<()> {
        if self.input_start == self.input_end && !self.input_done {
            let read = loop {
                match self.inner.read(&mut self.input) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            self.input_start = 0;
            self.input_end = read;
            self.input_done = read == 0;
        }
        let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
            &self.input[self.input_start..self.input_end],
            &mut self.output,
            self.input_done,
        );
        self.input_start += read;
        self.output_start = 0;
        self.output_end = written;
        match result {
            DecoderResult::Malformed(_, _) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the text is not valid {}", self.decoder.encoding().name()),
            )),
            DecoderResult::InputEmpty if self.input_done => {
                self.finished = true;
                Ok(())
            }
            DecoderResult::InputEmpty | DecoderResult::OutputFull => Ok(()),
        }
    }
}

impl<R: Read> Read for Utf8Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.output_start == self.output_end {
            if self.finished {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.output_end - self.output_start);
        buf[..n].copy_from_slice(&self.output[self.output_start..self.output_start + n]);
        self.output_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn decoded(bytes: &[u8], declared: Option<&'static Encoding>) -> io::Result<String> {
        let mut cursor = Cursor::new(bytes.to_vec());
        let encoding = detect(&mut cursor, declared)?;
        let mut text = String::new();
        Utf8Reader::new(cursor, encoding).read_to_string(&mut text)?;
        Ok(text)
    }

    #[test]
    fn utf8_with_or_without_bom_and_windows_1250_read_alike() {
        let expected = "Čudežni šal, žaba";
        let (cp1250, _, _) = WINDOWS_1250.encode(expected);
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend_from_slice(expected.as_bytes());
        assert_eq!(decoded(expected.as_bytes(), None).unwrap(), expected);
        assert_eq!(decoded(&with_bom, None).unwrap(), expected);
        assert_eq!(decoded(&cp1250, None).unwrap(), expected);
        assert_eq!(decoded(&cp1250, named("cp1250")).unwrap(), expected);
    }

    #[test]
    fn a_character_cut_by_a_block_end_is_still_utf8() {
        let text = "ž".repeat(100_000);
        assert!(is_utf8(text.as_bytes()).unwrap());
        assert!(!is_utf8(&text.as_bytes()[..text.len() - 1]).unwrap());
        assert_eq!(decoded(text.as_bytes(), None).unwrap(), text);
    }

    #[test]
    fn text_that_is_not_what_it_declares_is_refused() {
        let (cp1250, _, _) = WINDOWS_1250.encode("žaba");
        let error = decoded(&cp1250, Some(UTF_8)).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(named("no-such-charset").is_none());
    }
}
