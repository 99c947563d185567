//! Mastodon's addressing, read back: who a remote status is for.

use kindred_domain::Visibility;
use url::Url;

const PUBLIC: [&str; 3] = [
    "https://www.w3.org/ns/activitystreams#Public",
    "as:Public",
    "Public",
];

pub fn is_public(u: &str) -> bool {
    PUBLIC.contains(&u)
}

/// Public in `to` → public; in `cc` → unlisted; the author's followers collection →
/// private (followers only); otherwise direct (only those addressed).
pub fn visibility(to: &[String], cc: &[String], followers: Option<&str>) -> Visibility {
    if to.iter().any(|u| is_public(u)) {
        Visibility::Public
    } else if cc.iter().any(|u| is_public(u)) {
        Visibility::Unlisted
    } else if followers.is_some_and(|f| to.iter().chain(cc).any(|u| u == f)) {
        Visibility::Private
    } else {
        Visibility::Direct
    }
}

/// Scheme, host and port, for "same origin" checks (ports matter: two servers may
/// share a host name on different ports, as tests on loopback do).
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Lower-cased `host[:port]` (port only when not the default), as `accounts.domain`
/// and `instances.domain` store it.
pub fn domain_of(u: &Url) -> Option<String> {
    let host = u.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    Some(match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn mastodon_addressing() {
        let f = "https://a.example/users/x/followers";
        let p = "https://www.w3.org/ns/activitystreams#Public";
        assert_eq!(visibility(&v(&[p]), &v(&[f]), Some(f)), Visibility::Public);
        assert_eq!(
            visibility(&v(&[f]), &v(&[p]), Some(f)),
            Visibility::Unlisted
        );
        assert_eq!(visibility(&v(&[f]), &v(&[]), Some(f)), Visibility::Private);
        assert_eq!(
            visibility(&v(&["https://b.example/users/y"]), &v(&[]), Some(f)),
            Visibility::Direct
        );
        assert_eq!(
            visibility(&v(&["as:Public"]), &v(&[]), None),
            Visibility::Public
        );
    }

    #[test]
    fn origins_include_ports() {
        let a = Url::parse("http://localhost:1000/a").unwrap();
        let b = Url::parse("http://localhost:2000/a").unwrap();
        let c = Url::parse("http://LOCALHOST:1000/b").unwrap();
        assert!(!same_origin(&a, &b));
        assert!(same_origin(&a, &c));
        assert_eq!(domain_of(&a).unwrap(), "localhost:1000");
        assert_eq!(
            domain_of(&Url::parse("https://Peer.Example./x").unwrap()).unwrap(),
            "peer.example"
        );
    }
}
