//! Checks on an incoming signed request that come before any parsing or key fetch:
//! which headers the signature covers, whether its `Host` is ours, whether its `Date`
//! is fresh, and whether the body's JSON nests too deeply. Cheap and pure, so a flood of bad requests costs
//! little and each rule is tested on its own.

use std::time::{Duration, SystemTime};

use kindred_domain::InstanceDomain;

/// A `Date` older than this is a replay (or a badly wrong clock).
pub const MAX_AGE: Duration = Duration::from_secs(60 * 60);
/// A `Date` further in the future than this is refused.
pub const MAX_SKEW_AHEAD: Duration = Duration::from_secs(5 * 60);
/// Deepest JSON nesting accepted in an activity (Mastodon's are under 10).
pub const MAX_JSON_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboundRefusal {
    #[error("missing Signature header")]
    NoSignature,
    #[error("malformed Signature header")]
    MalformedSignature,
    #[error("the signature does not cover {0}")]
    NotCovered(&'static str),
    #[error("missing or malformed Date header")]
    BadDate,
    #[error("the Date header is outside the accepted window")]
    StaleDate,
    #[error("the JSON body nests too deeply")]
    TooDeep,
    #[error("the request is addressed to another host")]
    WrongHost,
}

impl InboundRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoSignature => "signature_missing",
            Self::MalformedSignature => "signature_malformed",
            Self::NotCovered(_) => "signature_incomplete",
            Self::BadDate | Self::StaleDate => "date_out_of_window",
            Self::TooDeep => "json_too_deep",
            Self::WrongHost => "host_mismatch",
        }
    }
}

/// The parts of a `Signature` header we check ourselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParams {
    pub key_id: String,
    pub algorithm: Option<String>,
    /// Lower-cased names of the covered headers, in order.
    pub headers: Vec<String>,
}

/// Parses `keyId="...",algorithm="...",headers="...",signature="..."`.
pub fn parse_signature(value: &str) -> Result<SignatureParams, InboundRefusal> {
    let mut key_id = None;
    let mut algorithm = None;
    let mut headers = None;
    let mut signature = false;
    let mut rest = value.trim();
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once('=')
            .ok_or(InboundRefusal::MalformedSignature)?;
        let after = after
            .strip_prefix('"')
            .ok_or(InboundRefusal::MalformedSignature)?;
        let end = after.find('"').ok_or(InboundRefusal::MalformedSignature)?;
        let val = &after[..end];
        match name.trim() {
            "keyId" => key_id = Some(val.to_owned()),
            "algorithm" => algorithm = Some(val.to_owned()),
            "headers" => {
                headers = Some(
                    val.split_ascii_whitespace()
                        .map(str::to_ascii_lowercase)
                        .collect(),
                )
            }
            "signature" => signature = !val.is_empty(),
            _ => {}
        }
        rest = after[end + 1..].trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    match (key_id, signature) {
        (Some(key_id), true) if !key_id.is_empty() => Ok(SignatureParams {
            key_id,
            algorithm,
            // Without `headers`, the draft says only `date` is signed.
            headers: headers.unwrap_or_else(|| vec!["date".to_owned()]),
        }),
        _ => Err(InboundRefusal::MalformedSignature),
    }
}

/// The signature must cover the request target, host and date, and on a POST the
/// digest: otherwise a captured signature could be replayed against another inbox,
/// host, time or body.
pub fn require_covered(p: &SignatureParams, is_post: bool) -> Result<(), InboundRefusal> {
    let mut required = vec!["(request-target)", "host", "date"];
    if is_post {
        required.push("digest");
    }
    for h in required {
        if !p.headers.iter().any(|c| c == h) {
            return Err(InboundRefusal::NotCovered(h));
        }
    }
    Ok(())
}

/// The `Host` header (which the signature covers) must name this instance: a request
/// signed for another server, replayed here, verifies over the `Host` it was sent
/// with. Compared as domains (case, a trailing dot and the scheme's default port do
/// not matter). A reverse proxy must pass the client's `Host` on unchanged.
pub fn check_host(value: Option<&str>, ours: &InstanceDomain) -> Result<(), InboundRefusal> {
    match value.map(InstanceDomain::parse) {
        Some(Ok(host)) if host == *ours => Ok(()),
        _ => Err(InboundRefusal::WrongHost),
    }
}

/// `Date` no more than an hour old and no more than five minutes ahead.
pub fn check_date(value: Option<&str>, now: SystemTime) -> Result<(), InboundRefusal> {
    let date = value
        .and_then(|v| httpdate::parse_http_date(v.trim()).ok())
        .ok_or(InboundRefusal::BadDate)?;
    match now.duration_since(date) {
        Ok(age) if age > MAX_AGE => Err(InboundRefusal::StaleDate),
        Ok(_) => Ok(()),
        Err(ahead) if ahead.duration() > MAX_SKEW_AHEAD => Err(InboundRefusal::StaleDate),
        Err(_) => Ok(()),
    }
}

/// Refuses JSON nested deeper than `max` before any parser sees it (serde_json's own
/// limit is 128 and recursion is what a hostile body aims at). Linear, no allocation.
pub fn check_json_depth(body: &[u8], max: usize) -> Result<(), InboundRefusal> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in body {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return Err(InboundRefusal::TooDeep);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = r#"keyId="https://a.example/users/x#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="c2ln""#;

    #[test]
    fn signature_headers_are_parsed_and_coverage_enforced() {
        let p = parse_signature(SIG).unwrap();
        assert_eq!(p.key_id, "https://a.example/users/x#main-key");
        assert!(require_covered(&p, true).is_ok());
        let no_digest = SIG.replace(" digest", "");
        let p = parse_signature(&no_digest).unwrap();
        assert!(require_covered(&p, false).is_ok());
        assert_eq!(
            require_covered(&p, true),
            Err(InboundRefusal::NotCovered("digest"))
        );
        let no_host = SIG.replace(" host", "");
        assert_eq!(
            require_covered(&parse_signature(&no_host).unwrap(), true),
            Err(InboundRefusal::NotCovered("host"))
        );
        // No headers list: only date is covered.
        let bare = r#"keyId="k",signature="c2ln""#;
        assert!(require_covered(&parse_signature(bare).unwrap(), false).is_err());
        for bad in [
            "",
            "keyId=",
            r#"keyId="k""#,
            r#"signature="x""#,
            r#"keyId="k,signature="x"#,
        ] {
            assert!(parse_signature(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_outside_the_window_are_refused() {
        let now = SystemTime::now();
        let fmt = |t: SystemTime| httpdate::fmt_http_date(t);
        assert!(check_date(Some(&fmt(now)), now).is_ok());
        assert!(check_date(Some(&fmt(now - Duration::from_secs(3500))), now).is_ok());
        assert!(check_date(Some(&fmt(now + Duration::from_secs(200))), now).is_ok());
        assert_eq!(
            check_date(Some(&fmt(now - Duration::from_secs(3700))), now),
            Err(InboundRefusal::StaleDate)
        );
        assert_eq!(
            check_date(Some(&fmt(now + Duration::from_secs(400))), now),
            Err(InboundRefusal::StaleDate)
        );
        assert_eq!(check_date(None, now), Err(InboundRefusal::BadDate));
        assert_eq!(
            check_date(Some("yesterday"), now),
            Err(InboundRefusal::BadDate)
        );
    }

    #[test]
    fn only_our_host_is_accepted() {
        let ours = InstanceDomain::parse("kindred.example").unwrap();
        for good in [
            "kindred.example",
            "Kindred.Example",
            "kindred.example.",
            "kindred.example:443",
        ] {
            assert_eq!(check_host(Some(good), &ours), Ok(()), "{good}");
        }
        for bad in [
            None,
            Some(""),
            Some("other.example"),
            Some("kindred.example.other.example"),
            Some("kindred.example:8443"),
            Some("127.0.0.1"),
            Some("kindred.example/inbox"),
        ] {
            assert_eq!(
                check_host(bad, &ours),
                Err(InboundRefusal::WrongHost),
                "{bad:?}"
            );
        }
        let dev = InstanceDomain::parse("localhost:3000").unwrap();
        assert_eq!(check_host(Some("localhost:3000"), &dev), Ok(()));
        assert!(check_host(Some("localhost:3001"), &dev).is_err());
        assert!(check_host(Some("localhost"), &dev).is_err());
    }

    #[test]
    fn deep_json_is_refused_without_parsing() {
        assert!(check_json_depth(br#"{"a":[{"b":1}]}"#, 3).is_ok());
        assert!(check_json_depth(br#"{"a":[{"b":[1]}]}"#, 3).is_err());
        // brackets inside strings do not count
        assert!(check_json_depth(br#"{"a":"[[[[[[\"[[["}"#, 2).is_ok());
        let bomb = "[".repeat(100_000);
        assert_eq!(
            check_json_depth(bomb.as_bytes(), MAX_JSON_DEPTH),
            Err(InboundRefusal::TooDeep)
        );
    }
}
