//! The engine's multiplexed log stream (`GET /containers/{id}/logs` of a
//! container without a TTY): frames of an 8-byte header `[type, 0, 0, 0,
//! size as big-endian u32]` and `size` bytes of payload; type 0 is stdin,
//! 1 stdout, 2 stderr. A container with `Tty: true` sends raw bytes instead:
//! check `Config.Tty` before splitting.

use crate::Error;
use serde::Serialize;

/// The stream a frame belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamKind {
    Stdin,
    Stdout,
    Stderr,
}

/// One frame's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFrame {
    pub stream: StreamKind,
    pub payload: Vec<u8>,
}

/// Splits `bytes` into frames. A last frame cut short (the reader stopped at
/// its byte cap) keeps what arrived; a header that is not a frame header
/// (raw TTY output) is an error.
pub fn demux_log_stream(bytes: &[u8]) -> Result<Vec<LogFrame>, Error> {
    let mut frames = Vec::new();
    let mut offset = 0usize;
    while offset < bytes.len() {
        let header = &bytes[offset..];
        if header.len() < 8 {
            return Err(Error::Frame {
                offset,
                reason: "header cut short",
            });
        }
        let stream = match header[0] {
            0 => StreamKind::Stdin,
            1 => StreamKind::Stdout,
            2 => StreamKind::Stderr,
            _ => {
                return Err(Error::Frame {
                    offset,
                    reason: "unknown stream type (a TTY's raw output?)",
                })
            }
        };
        if header[1..4] != [0, 0, 0] {
            return Err(Error::Frame {
                offset,
                reason: "header padding is not zero",
            });
        }
        let size = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let start = offset + 8;
        let end = start.saturating_add(size).min(bytes.len());
        frames.push(LogFrame {
            stream,
            payload: bytes[start..end].to_vec(),
        });
        offset = start.saturating_add(size);
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![kind, 0, 0, 0];
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn frames_are_split_by_stream() {
        let mut bytes = frame(1, b"listening on 127.0.0.1:8000\n");
        bytes.extend(frame(2, b"Traceback (most recent call last):\n"));
        let frames = demux_log_stream(&bytes).unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].stream, StreamKind::Stdout);
        assert_eq!(frames[1].stream, StreamKind::Stderr);
        assert_eq!(frames[1].payload, b"Traceback (most recent call last):\n");
    }

    #[test]
    fn a_cut_frame_keeps_what_arrived_and_raw_text_is_refused() {
        let bytes = frame(1, b"hello world");
        let frames = demux_log_stream(&bytes[..12]).unwrap();
        assert_eq!(frames[0].payload, b"hell");
        assert!(demux_log_stream(b"plain tty output\n").is_err());
        assert!(demux_log_stream(&[1, 0, 0]).is_err());
        // A size near u32::MAX does not overflow or allocate.
        let frames = demux_log_stream(&[2, 0, 0, 0, 255, 255, 255, 255, b'x']).unwrap();
        assert_eq!(frames[0].payload, b"x");
    }
}
