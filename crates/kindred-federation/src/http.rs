//! The one HTTP client federation uses for every fetch and delivery. A remote server
//! chooses the URLs and host names we connect to, so the client connects only to
//! globally routable addresses: host names are resolved by [`GlobalOnlyResolver`],
//! which drops every other address at connect time (no DNS-rebinding window), and
//! URLs naming an IP address are checked by [`check_url`] before any connection.
//! At most one redirect is followed, by [`UrlGuard`] itself, and its target passes
//! the same checks as the first URL — the address rules and the federation policy —
//! so an allowed server cannot lead a fetch to a blocked one. Every request times out
//! after 10 seconds. The client for fetches signs every GET with the instance
//! actor's key ([`FetchSigning`], AWS-LC), so no RSA private-key operation is left
//! to `activitypub_federation` (its `rsa` crate signs unblinded: RUSTSEC-2023-0071).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use kindred_domain::address::is_global;

use crate::http_signatures::sign::Signer;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest_middleware::{ClientWithMiddleware, Next};
use url::{Host, Url};

/// Whole-request timeout for fetches and deliveries.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Largest response body federation reads.
pub const MAX_RESPONSE_BODY: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct HttpPolicy {
    /// Tests on loopback only: lifts the address rule.
    pub allow_private_networks: bool,
    /// Tests only: plain `http://` peers.
    pub allow_http: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum HttpRefusal {
    #[error("only https URLs are fetched")]
    Scheme,
    #[error("the URL has no host")]
    NoHost,
    #[error("the address is not a public internet address")]
    NonGlobalAddress,
    #[error("the host name has no public internet address")]
    NoGlobalAddress,
    #[error("the federation policy refuses this domain")]
    Policy,
}

/// Whether a URL may be requested at all: scheme, host, and an IP-literal host that
/// is global. Host names are checked again when they are resolved.
pub fn check_url(url: &Url, policy: HttpPolicy) -> Result<(), HttpRefusal> {
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        _ => return Err(HttpRefusal::Scheme),
    }
    let ip = match url.host() {
        None => return Err(HttpRefusal::NoHost),
        Some(Host::Domain(_)) => return Ok(()),
        Some(Host::Ipv4(v4)) => std::net::IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => std::net::IpAddr::V6(v6),
    };
    if policy.allow_private_networks || is_global(ip) {
        Ok(())
    } else {
        Err(HttpRefusal::NonGlobalAddress)
    }
}

/// Resolves host names with the system resolver and keeps only global addresses.
#[derive(Debug, Clone, Copy)]
pub struct GlobalOnlyResolver {
    pub allow_private_networks: bool,
}

impl Resolve for GlobalOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private_networks;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let kept: Vec<SocketAddr> = found
                .filter(|a| allow_private || is_global(a.ip()))
                .collect();
            if kept.is_empty() {
                return Err(Box::new(HttpRefusal::NoGlobalAddress) as _);
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

/// Makes aws-lc-rs the process's TLS crypto provider, so that TLS runs on the
/// implementation that also signs and verifies. Without it reqwest would use ring,
/// which stays compiled in (activitypub_federation turns on reqwest's `rustls-tls`)
/// but then never runs. Idempotent: called at start-up and by [`client`].
pub fn use_aws_lc_rs() {
    // Err only when a provider is already installed: this one, by an earlier call.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// Builds the federation client: address rules, one redirect (followed by the
/// guard, not by reqwest), 10 s timeout, no proxy from the environment (a proxy
/// would resolve names where we cannot check). With `fetch_signer`, every GET that
/// is not signed yet is signed with it (the instance actor, for fetches).
pub fn client(
    policy: HttpPolicy,
    user_agent: &str,
    rules: Option<Arc<crate::policy::PolicyHandle>>,
    fetch_signer: Option<Signer>,
) -> Result<ClientWithMiddleware, reqwest::Error> {
    use_aws_lc_rs();
    let inner = reqwest::Client::builder()
        .dns_resolver(Arc::new(GlobalOnlyResolver {
            allow_private_networks: policy.allow_private_networks,
        }))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .no_proxy()
        .user_agent(user_agent)
        .build()?;
    let builder = reqwest_middleware::ClientBuilder::new(inner).with(UrlGuard(policy, rules));
    // Inside the guard: a redirect it follows is signed again, for its own URL.
    Ok(match fetch_signer {
        Some(signer) => builder.with(FetchSigning(signer)),
        None => builder,
    }
    .build())
}

/// Signs GETs as Mastodon and `activitypub_federation` do: `(request-target) host
/// date digest`, the digest of the empty body (servers built on that library want
/// one even on a GET; Mastodon and Kindred accept it). A request already signed is
/// left alone.
struct FetchSigning(Signer);

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for FetchSigning {
    async fn handle(
        &self,
        mut req: reqwest::Request,
        ext: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        if *req.method() == reqwest::Method::GET && !req.headers().contains_key("signature") {
            let signed = self
                .0
                .sign("get", req.url(), Some(b""), std::time::SystemTime::now())
                .map_err(reqwest_middleware::Error::middleware)?;
            let headers = req.headers_mut();
            for (name, value) in signed.pairs() {
                if name == "host" {
                    // reqwest writes the same Host from the URL.
                    continue;
                }
                let value = reqwest::header::HeaderValue::from_str(&value)
                    .map_err(reqwest_middleware::Error::middleware)?;
                headers.insert(name, value);
            }
        }
        next.run(req, ext).await
    }
}

/// Checks every request's URL (IP literals included) before it is sent, and the
/// federation policy for its host: a refused domain is never contacted. Follows one
/// redirect whose target passes the same checks; otherwise the redirect itself is
/// the answer.
struct UrlGuard(HttpPolicy, Option<Arc<crate::policy::PolicyHandle>>);

impl UrlGuard {
    async fn admit(&self, url: &Url) -> Result<(), HttpRefusal> {
        check_url(url, self.0)?;
        if let Some(rules) = &self.1 {
            if rules.decide(url.as_str()).await.is_refused() {
                return Err(HttpRefusal::Policy);
            }
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for UrlGuard {
    async fn handle(
        &self,
        req: reqwest::Request,
        ext: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        self.admit(req.url())
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        // Kept to follow a redirect with (our bodies are bytes, so it clones).
        let again = req.try_clone();
        let resp = next.clone().run(req, ext).await?;
        let (Some(target), Some(mut again)) = (redirect_target(&resp), again) else {
            return Ok(resp);
        };
        if self.admit(&target).await.is_err() {
            return Ok(resp);
        }
        redirect(&mut again, resp.status(), target);
        next.run(again, ext).await
    }
}

/// Where a redirect answer points (relative locations resolved), if it is one.
fn redirect_target(resp: &reqwest::Response) -> Option<Url> {
    use reqwest::StatusCode as S;
    let redirects = [
        S::MOVED_PERMANENTLY,
        S::FOUND,
        S::SEE_OTHER,
        S::TEMPORARY_REDIRECT,
        S::PERMANENT_REDIRECT,
    ];
    if !redirects.contains(&resp.status()) {
        return None;
    }
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)?
        .to_str()
        .ok()?;
    resp.url().join(location).ok()
}

/// Turns `req` into the request a redirect asks for, as reqwest would: 303 (and 301
/// or 302 after a POST) becomes a GET without a body; credentials are not carried to
/// another origin.
fn redirect(req: &mut reqwest::Request, status: reqwest::StatusCode, target: Url) {
    use reqwest::header::{
        AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, PROXY_AUTHORIZATION,
    };
    use reqwest::{Method, StatusCode as S};
    let becomes_get = status == S::SEE_OTHER
        || (matches!(status, S::MOVED_PERMANENTLY | S::FOUND) && *req.method() == Method::POST);
    if becomes_get && *req.method() != Method::HEAD {
        *req.method_mut() = Method::GET;
        *req.body_mut() = None;
        for h in [CONTENT_TYPE, CONTENT_LENGTH] {
            req.headers_mut().remove(h);
        }
        req.headers_mut().remove("digest");
    }
    if target.origin() != req.url().origin() {
        for h in [AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION] {
            req.headers_mut().remove(h);
        }
    }
    *req.url_mut() = target;
}

/// Reads a response body, refusing more than `limit` bytes.
pub async fn read_limited(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    if resp.content_length().is_some_and(|n| n as usize > limit) {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("response body is too large")]
    TooLarge,
    #[error("could not read the response body: {0}")]
    Read(reqwest::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: HttpPolicy = HttpPolicy {
        allow_private_networks: false,
        allow_http: false,
    };

    #[test]
    fn urls_are_checked_before_connecting() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(check_url(&u("https://example.org/x"), STRICT).is_ok());
        assert!(check_url(&u("https://93.184.216.34/x"), STRICT).is_ok());
        for bad in [
            "http://example.org/",
            "ftp://example.org/",
            "https://127.0.0.1/",
            "https://10.0.0.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[fd00::1]/",
            "https://0.0.0.0/",
            "https://2130706433/",
        ] {
            assert!(check_url(&u(bad), STRICT).is_err(), "{bad}");
        }
        let open = HttpPolicy {
            allow_private_networks: true,
            allow_http: true,
        };
        assert!(check_url(&u("http://127.0.0.1:8080/"), open).is_ok());
    }

    #[tokio::test]
    async fn loopback_names_and_addresses_are_refused_at_connect_time() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let strict = client(
            HttpPolicy {
                allow_private_networks: false,
                allow_http: true,
            },
            "kindred-test",
            None,
            None,
        )
        .unwrap();
        for url in [
            format!("http://localhost:{port}/"),
            format!("http://127.0.0.1:{port}/"),
            format!("http://[::ffff:127.0.0.1]:{port}/"),
        ] {
            let err = strict.get(&url).send().await.unwrap_err();
            assert!(
                err.to_string().contains("public internet address")
                    || format!("{err:?}").contains("NoGlobalAddress"),
                "{url}: {err:?}"
            );
        }
    }

    /// A server that answers each request from a fixed table of raw responses, one
    /// request per connection: every answer says `Connection: close`, or the client
    /// could reuse a connection this server has already dropped (a reset, by chance).
    fn redirecting_server() -> u16 {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let path = line.split(' ').nth(1).unwrap_or("/").to_owned();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let response = match path.as_str() {
                    "/target" => {
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                            .to_owned()
                    }
                    "/one" => redirect("/target"),
                    "/two" => redirect("/one"),
                    "/ftp" => redirect("ftp://example.org/x"),
                    _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_owned(),
                };
                let mut stream = stream;
                let _ = stream.write_all(response.as_bytes());
            }
        });
        port
    }

    fn redirect(to: &str) -> String {
        format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }

    #[tokio::test]
    async fn one_redirect_is_followed_and_checked() {
        let port = redirecting_server();
        let open = client(
            HttpPolicy {
                allow_private_networks: true,
                allow_http: true,
            },
            "kindred-test",
            None,
            None,
        )
        .unwrap();
        let get = |p: &str| open.get(format!("http://127.0.0.1:{port}{p}")).send();
        let one = get("/one").await.unwrap();
        assert_eq!(one.status(), 200, "one redirect is followed");
        assert_eq!(one.text().await.unwrap(), "ok");
        let two = get("/two").await.unwrap();
        assert_eq!(two.status(), 302, "a second redirect is not followed");
        let ftp = get("/ftp").await.unwrap();
        assert_eq!(
            ftp.status(),
            302,
            "a redirect to a refused URL is not followed"
        );
    }

    /// A GET through the fetching client carries a signature by the instance actor's
    /// key over `(request-target) host date digest` that our own verifier accepts
    /// (and that another key does not: the control).
    #[tokio::test]
    async fn fetches_are_signed_by_the_client() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut sock, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = sock.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                head.extend_from_slice(&buf[..n]);
            }
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                .unwrap();
            String::from_utf8(head).unwrap()
        });
        let keys = crate::keys::generate_keypair().unwrap();
        let key_id = "http://a.example/actor#main-key".to_owned();
        let signer = Signer::new(&keys.private_key_pem, key_id.clone()).unwrap();
        let open = HttpPolicy {
            allow_private_networks: true,
            allow_http: true,
        };
        let fetching = client(open, "kindred-test", None, Some(signer)).unwrap();
        let resp = fetching
            .get(format!("http://127.0.0.1:{port}/users/x?page=1"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let head = server.join().unwrap();

        let mut lines = head.split("\r\n");
        assert_eq!(lines.next(), Some("GET /users/x?page=1 HTTP/1.1"));
        let mut req = actix_web::test::TestRequest::get().uri("/users/x?page=1");
        for line in lines {
            if let Some((name, value)) = line.split_once(": ") {
                req = req.insert_header((name, value));
            }
        }
        let req = req.to_http_request();
        let signature = req.headers().get("signature").unwrap().to_str().unwrap();
        assert!(
            signature.contains(&format!("keyId=\"{key_id}\"")),
            "{signature}"
        );
        assert!(
            signature.contains("headers=\"(request-target) host date digest\""),
            "{signature}"
        );
        let ours = crate::http_signatures::verify::PublicKey::parse(&keys.public_key_pem).unwrap();
        assert!(crate::http_signatures::verify::verifies(&req, &ours, true));
        let other = crate::keys::generate_keypair().unwrap();
        let theirs =
            crate::http_signatures::verify::PublicKey::parse(&other.public_key_pem).unwrap();
        assert!(!crate::http_signatures::verify::verifies(
            &req, &theirs, true
        ));
    }
}
