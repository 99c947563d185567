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

    /// Web page of a local status.
    pub fn status_page(&self, username: &str, id: i64) -> Url {
        self.path(&format!("/@{username}/{id}"))
    }

    /// Prefix of hashtag pages; the tag name is appended.
    pub fn tags_base(&self) -> String {
        self.path("/tags/").to_string()
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
}
