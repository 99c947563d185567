//! Reading submitted forms. A browser form is never refused as "bad request": a
//! field that is missing or not valid UTF-8 is simply empty, and the page says what
//! is wrong in words (keeping what was typed).

use serde::de::DeserializeOwned;

/// The body as `T` (every field optional, `#[serde(default)]`); an unreadable body
/// gives `T::default()`.
pub fn parse<T: DeserializeOwned + Default>(body: &[u8]) -> T {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

/// Every `name=value` pair in order, for repeated fields (`answers[]`, checkboxes).
pub fn pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

/// Percent-encodes a URL component (for `next=` and links with names).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default, Debug)]
    struct F {
        #[serde(default)]
        a: Option<String>,
    }

    #[test]
    fn unreadable_bodies_are_empty_forms() {
        assert_eq!(parse::<F>(b"a=x%20y").a.as_deref(), Some("x y"));
        // Invalid UTF-8 is read lossily, never refused.
        assert!(parse::<F>(b"a=%FF%FE")
            .a
            .is_some_and(|v| v.contains(char::REPLACEMENT_CHARACTER)));
        // A field given twice is an unreadable form: empty, not a 400.
        assert!(parse::<F>(b"a=1&a=2").a.is_none());
        assert_eq!(pairs(b"x=1&x=2").len(), 2);
        assert_eq!(encode_component("/@river?x=1"), "/%40river%3Fx%3D1");
    }
}
