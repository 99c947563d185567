//! What the HTTP side tells `/metrics` (through the `metrics` facade: nothing is
//! recorded until `metrics.enabled` installs a recorder). Labels are route patterns,
//! methods, status codes and fixed refusal codes: never a path, a name, a domain or
//! an id.

use std::time::Duration;

use actix_web::http::{Method, StatusCode};

/// One request answered: counted by method, route pattern and status, timed by
/// method and route pattern. `route` is the pattern actix matched (`/users/{name}`),
/// or `<unmatched>`: never the path itself.
pub fn request_served(method: &Method, route: String, status: StatusCode, elapsed: Duration) {
    let method = method_label(method);
    metrics::counter!(
        "kindred_http_requests_total",
        "method" => method,
        "route" => route.clone(),
        "status" => status_label(status),
    )
    .increment(1);
    metrics::histogram!(
        "kindred_http_request_duration_seconds",
        "method" => method,
        "route" => route,
    )
    .record(elapsed.as_secs_f64());
}

/// An activity that reached the shared or a personal inbox: accepted (with the
/// outcome, e.g. `accepted` or `duplicate`) or refused (with the refusal code).
pub fn inbox_answered(outcome: Result<&'static str, &'static str>) {
    match outcome {
        Ok(outcome) => {
            metrics::counter!("kindred_inbox_accepted_total", "outcome" => outcome).increment(1)
        }
        Err(reason) => {
            metrics::counter!("kindred_inbox_refused_total", "reason" => reason).increment(1)
        }
    }
}

/// The standard methods by name; anything a client made up is `other`.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::CONNECT, "CONNECT"),
        (Method::TRACE, "TRACE"),
    ];
    KNOWN
        .iter()
        .find(|(m, _)| m == method)
        .map_or("other", |(_, name)| name)
}

/// The status as its three digits (a fixed set of values).
fn status_label(status: StatusCode) -> String {
    status.as_u16().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_fixed_words() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(
            method_label(&Method::from_bytes(b"WILLOW").unwrap()),
            "other",
            "a made-up method is not a label value"
        );
        assert_eq!(status_label(StatusCode::NOT_FOUND), "404");
    }
}
