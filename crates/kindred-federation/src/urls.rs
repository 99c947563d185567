use kindred_domain::InstanceDomain;
use url::Url;

/// Builds the URLs of local things. Every actor id is derived here, so the layout is
/// defined once.
#[derive(Debug, Clone)]
pub struct LocalUrls {
    base: Url,
    domain: InstanceDomain,
}

impl LocalUrls {
    /// `https` in production; `http` only for test and development setups.
    pub fn new(domain: InstanceDomain, https: bool) -> Self {
        let scheme = if https { "https" } else { "http" };
        #[allow(clippy::expect_used)] // a parsed InstanceDomain always forms a valid URL
        let base = Url::parse(&format!("{scheme}://{domain}/")).expect("valid base url");
        Self { base, domain }
    }

    pub fn domain(&self) -> &InstanceDomain {
        &self.domain
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn is_https(&self) -> bool {
        self.base.scheme() == "https"
    }

    fn join(&self, path: &str) -> Url {
        let mut u = self.base.clone();
        u.set_path(path);
        u
    }

    pub fn actor(&self, username: &str) -> Url {
        self.join(&format!("/users/{username}"))
    }

    pub fn actor_key_id(&self, username: &str) -> String {
        format!("{}#main-key", self.actor(username))
    }

    pub fn inbox(&self, username: &str) -> Url {
        self.join(&format!("/users/{username}/inbox"))
    }

    pub fn outbox(&self, username: &str) -> Url {
        self.join(&format!("/users/{username}/outbox"))
    }

    pub fn followers(&self, username: &str) -> Url {
        self.join(&format!("/users/{username}/followers"))
    }

    pub fn following(&self, username: &str) -> Url {
        self.join(&format!("/users/{username}/following"))
    }

    /// A group's members collection (a total only).
    pub fn members(&self, username: &str) -> Url {
        self.join(&format!("/users/{username}/members"))
    }

    /// A group's facilitators collection, its `attributedTo` (a total only).
    pub fn facilitators(&self, username: &str) -> Url {
        self.join(&format!("/users/{username}/facilitators"))
    }

    /// A group's pinned public announcements.
    pub fn featured(&self, username: &str) -> Url {
        self.join(&format!("/users/{username}/featured"))
    }

    pub fn profile_page(&self, username: &str) -> Url {
        self.join(&format!("/@{username}"))
    }

    pub fn shared_inbox(&self) -> Url {
        self.join("/inbox")
    }

    pub fn instance_actor(&self) -> Url {
        self.join("/actor")
    }

    pub fn instance_actor_key_id(&self) -> String {
        format!("{}#main-key", self.instance_actor())
    }

    pub fn instance_actor_inbox(&self) -> Url {
        self.join("/actor/inbox")
    }

    pub fn instance_actor_outbox(&self) -> Url {
        self.join("/actor/outbox")
    }

    /// ActivityPub id of a local status.
    pub fn status(&self, username: &str, id: i64) -> Url {
        self.path(&format!("/users/{username}/statuses/{id}"))
    }

    /// ActivityPub id (and page) of a local meeting's public listing.
    pub fn meeting(&self, id: i64) -> Url {
        self.path(&format!("/meetings/{id}"))
    }

    /// The meeting id in one of our meeting URLs (`/meetings/ID`), or `None`.
    pub fn meeting_id(&self, url: &Url) -> Option<i64> {
        if !self.is_local(url) {
            return None;
        }
        url.path()
            .trim_end_matches('/')
            .strip_prefix("/meetings/")?
            .parse()
            .ok()
    }

    /// Web page of a local status.
    pub fn status_page(&self, username: &str, id: i64) -> Url {
        self.path(&format!("/@{username}/{id}"))
    }

    /// Prefix of hashtag pages; the tag name is appended.
    pub fn tags_base(&self) -> String {
        self.path("/tags/").to_string()
    }

    /// A version (`original`/`small`) of a picture, with its file extension,
    /// served from our origin (local uploads and cached remote pictures alike).
    pub fn media_file(&self, token: &str, variant: &str, extension: &str) -> Url {
        self.join(&format!("/media/{token}/{variant}.{extension}"))
    }

    pub fn path(&self, path: &str) -> Url {
        self.join(path)
    }

    /// WebSocket base for the streaming API.
    pub fn streaming(&self) -> String {
        let scheme = if self.is_https() { "wss" } else { "ws" };
        format!("{scheme}://{}", self.domain)
    }
}

/// What a URL of this instance points at, as far as search resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalObject {
    /// `/@name` or `/users/name`.
    Account(String),
    /// `/@name/ID` or `/users/name/statuses/ID`.
    Status(String, i64),
}

impl LocalUrls {
    /// Whether a URL names this instance (host and port; any scheme), so that no
    /// remote data is ever stored over a local object.
    pub fn is_local(&self, url: &Url) -> bool {
        url.host_str().is_some_and(|h| {
            h.trim_end_matches('.')
                .eq_ignore_ascii_case(self.base.host_str().unwrap_or_default())
        }) && (url.port() == self.base.port()
            || url.port_or_known_default() == self.base.port_or_known_default())
    }

    /// Reads back a profile or status URL built above; None for other hosts and paths.
    pub fn parse_local(&self, url: &str) -> Option<LocalObject> {
        let url = Url::parse(url.trim()).ok()?;
        let ours = url.scheme() == self.base.scheme()
            && url.host_str() == self.base.host_str()
            && url.port_or_known_default() == self.base.port_or_known_default();
        if !ours {
            return None;
        }
        let parts: Vec<&str> = url.path().trim_matches('/').split('/').collect();
        let name = |n: &str| (!n.is_empty()).then(|| n.to_owned());
        let id = |i: &str| i.parse::<i64>().ok();
        match parts.as_slice() {
            [at] => Some(LocalObject::Account(name(at.strip_prefix('@')?)?)),
            ["users", n] => Some(LocalObject::Account(name(n)?)),
            [at, i] => Some(LocalObject::Status(name(at.strip_prefix('@')?)?, id(i)?)),
            ["users", n, "statuses", i] => Some(LocalObject::Status(name(n)?, id(i)?)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_actor_urls() {
        let u = LocalUrls::new(InstanceDomain::parse("localhost:8080").unwrap(), false);
        assert_eq!(
            u.actor("river").as_str(),
            "http://localhost:8080/users/river"
        );
        assert_eq!(
            u.actor_key_id("river"),
            "http://localhost:8080/users/river#main-key"
        );
        assert_eq!(u.streaming(), "ws://localhost:8080");
        let s = LocalUrls::new(InstanceDomain::parse("peer.example").unwrap(), true);
        assert_eq!(s.shared_inbox().as_str(), "https://peer.example/inbox");
    }

    #[test]
    fn knows_its_own_host_and_port() {
        let u = LocalUrls::new(InstanceDomain::parse("localhost:8080").unwrap(), false);
        let is = |s: &str| u.is_local(&Url::parse(s).unwrap());
        assert!(is("http://localhost:8080/users/a"));
        assert!(is("https://LOCALHOST:8080/x"));
        assert!(!is("http://localhost:8081/users/a"));
        assert!(!is("http://localhost/users/a"));
        let p = LocalUrls::new(InstanceDomain::parse("peer.example").unwrap(), true);
        let is = |s: &str| p.is_local(&Url::parse(s).unwrap());
        assert!(is("https://peer.example/users/a"));
        assert!(is("http://peer.example./users/a"));
        assert!(!is("https://other.example/users/a"));
        assert!(!is("https://peer.example:8443/users/a"));
    }

    #[test]
    fn reads_back_local_urls() {
        let u = LocalUrls::new(InstanceDomain::parse("peer.example").unwrap(), true);
        for (url, want) in [
            (
                u.profile_page("river").to_string(),
                Some(LocalObject::Account("river".into())),
            ),
            (
                u.actor("river").to_string(),
                Some(LocalObject::Account("river".into())),
            ),
            (
                u.status_page("river", 42).to_string(),
                Some(LocalObject::Status("river".into(), 42)),
            ),
            (
                u.status("river", 42).to_string(),
                Some(LocalObject::Status("river".into(), 42)),
            ),
            ("https://other.example/@river".into(), None),
            ("http://peer.example/@river".into(), None),
            ("https://peer.example/@river/x".into(), None),
            ("https://peer.example/tags/river".into(), None),
            ("https://peer.example/".into(), None),
            ("not a url".into(), None),
        ] {
            assert_eq!(u.parse_local(&url), want, "{url}");
        }
    }
}
