//! Service and user text made safe to display and log.
//!
//! Codes, messages, RequestIds and URLs come from servers or configuration; written raw,
//! an ANSI escape recolours a terminal, a CR/LF forges a log line and a 64 KiB code floods
//! it. Everything shown goes through [`Shown`]: control and bidirectional-override
//! characters escaped, length capped. Accessors still return the raw values.

use std::fmt;

/// Displays `text` escaped and capped at `max` characters.
pub(crate) struct Shown<'a> {
    text: &'a str,
    max: usize,
}

/// Longest error code shown (real codes are under 100 characters).
pub(crate) const CODE_SHOWN: usize = 128;
/// Longest message shown.
pub(crate) const MESSAGE_SHOWN: usize = 1024;
/// Longest RequestId shown (real ones are 36).
pub(crate) const REQUEST_ID_SHOWN: usize = 128;
/// Longest URL or other configuration value shown.
pub(crate) const VALUE_SHOWN: usize = 256;

impl<'a> Shown<'a> {
    pub(crate) fn new(text: &'a str, max: usize) -> Self {
        Self { text, max }
    }
}

/// Characters that change how a terminal or log viewer renders what follows.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (shown, (at, c)) in self.text.char_indices().enumerate() {
            if shown == self.max {
                return write!(f, "...({} more bytes)", self.text.len() - at);
            }
            if needs_escape(c) {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

/// A RequestId fit to record as a log field as is: short printable ASCII.
pub(crate) fn loggable_id(id: &str) -> Option<&str> {
    (id.len() <= REQUEST_ID_SHOWN && id.bytes().all(|b| b.is_ascii_graphic())).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_caps() {
        let s = Shown::new("a\u{1b}[31mb\r\nc\u{202e}d", 100).to_string();
        assert_eq!(s, "a\\u{1b}[31mb\\r\\nc\\u{202e}d");
        assert!(!s.chars().any(needs_escape));
        let long = "x".repeat(70_000);
        let s = Shown::new(&long, 128).to_string();
        assert_eq!(s, format!("{}...(69872 more bytes)", "x".repeat(128)));
        assert_eq!(
            Shown::new("中文消息", 2).to_string(),
            "中文...(6 more bytes)"
        );
        assert_eq!(Shown::new("ok", 2).to_string(), "ok");
    }

    #[test]
    fn loggable_ids() {
        assert_eq!(loggable_id("6c3b-1"), Some("6c3b-1"));
        assert_eq!(loggable_id("a\nb"), None);
        assert_eq!(loggable_id("a b"), None);
        assert_eq!(loggable_id(&"x".repeat(129)), None);
    }
}
