//! One delivery attempt: sign, POST, and read the answer into what the queue does
//! next. Nothing of the response body is kept: error texts are fixed phrases and
//! status codes, so no remote content or personal data reaches the database or logs.

use std::time::{Duration, SystemTime};

use kindred_db::models::deliveries::DeliveryRow;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest_middleware::ClientWithMiddleware;
use url::Url;

use super::backoff::parse_retry_after;
use crate::http::{self, HttpPolicy};
use crate::http_signatures::sign::Signer;

/// Most of an answer's body read (and thrown away) so the connection can be reused.
const DRAIN_LIMIT: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// 2xx.
    Delivered,
    /// A 4xx other than 408 and 429: the receiver will never take it.
    Refused(u16),
    /// Cannot be sent at all (the address is refused by policy, a bad URL).
    Unsendable(&'static str),
    /// Try again later: a timeout, a failed connection, 408, 429, 5xx.
    Retry {
        error: String,
        retry_after: Option<Duration>,
    },
}

/// What a status code means for a delivery.
pub fn classify(status: u16, retry_after: Option<Duration>) -> Attempt {
    match status {
        200..=299 => Attempt::Delivered,
        408 | 429 => Attempt::Retry {
            error: format!("HTTP {status}"),
            retry_after,
        },
        400..=499 => Attempt::Refused(status),
        _ => Attempt::Retry {
            error: format!("HTTP {status}"),
            retry_after,
        },
    }
}

fn transport_error(e: &reqwest_middleware::Error) -> Attempt {
    match e {
        // Only the URL guard fails as middleware: the address is refused by policy.
        reqwest_middleware::Error::Middleware(_) => Attempt::Unsendable("address refused"),
        reqwest_middleware::Error::Reqwest(e) => {
            let error = if e.is_timeout() {
                "timeout"
            } else if e.is_connect() {
                // Also where the resolver refuses non-global addresses; the host may
                // change its DNS, so this stays retryable.
                "connection failed"
            } else {
                "request failed"
            };
            Attempt::Retry {
                error: error.to_owned(),
                retry_after: None,
            }
        }
    }
}

/// POSTs a signed delivery.
pub async fn post(
    client: &ClientWithMiddleware,
    policy: HttpPolicy,
    timeout: Duration,
    signer: &Signer,
    item: &DeliveryRow,
) -> Attempt {
    let Ok(url) = Url::parse(&item.inbox_url) else {
        return Attempt::Unsendable("invalid inbox URL");
    };
    if http::check_url(&url, policy).is_err() {
        return Attempt::Unsendable("address refused");
    }
    let body = item.body.as_bytes();
    let Ok(signed) = signer.sign("POST", &url, Some(body), SystemTime::now()) else {
        return Attempt::Unsendable("cannot sign");
    };
    let mut req = client
        .post(url)
        .timeout(timeout)
        .header(CONTENT_TYPE, crate::FEDERATION_CONTENT_TYPE)
        .header("date", signed.date)
        .header("signature", signed.signature);
    if let Some(d) = signed.digest {
        req = req.header("digest", d);
    }
    match req.body(item.body.clone()).send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            let _ = http::read_limited(resp, DRAIN_LIMIT).await;
            classify(status, retry_after)
        }
        Err(e) => transport_error(&e),
    }
}

/// Asks a dead instance whether it is back: an unsigned `GET /.well-known/nodeinfo`
/// on the inbox's origin through the same client. Any 2xx counts; its URL and (at
/// most 64 KiB of) body are returned, for the instance's software.
pub async fn probe(
    client: &ClientWithMiddleware,
    timeout: Duration,
    inbox_url: &str,
) -> Option<(Url, Vec<u8>)> {
    let url = Url::parse(inbox_url)
        .ok()
        .and_then(|u| crate::software::well_known(&u))?;
    match client.get(url.clone()).timeout(timeout).send().await {
        Ok(resp) => {
            let ok = resp.status().is_success();
            let body = http::read_limited(resp, DRAIN_LIMIT)
                .await
                .unwrap_or_default();
            ok.then_some((url, body))
        }
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(classify(200, None), Attempt::Delivered);
        assert_eq!(classify(202, None), Attempt::Delivered);
        assert_eq!(classify(400, None), Attempt::Refused(400));
        assert_eq!(classify(401, None), Attempt::Refused(401));
        assert_eq!(classify(410, None), Attempt::Refused(410));
        for s in [408, 429, 500, 502, 503, 301] {
            assert!(matches!(classify(s, None), Attempt::Retry { .. }), "{s}");
        }
        let ra = Some(Duration::from_secs(5));
        assert_eq!(
            classify(429, ra),
            Attempt::Retry {
                error: "HTTP 429".into(),
                retry_after: ra
            }
        );
    }
}
