use activitypub_federation::fetch::webfinger::{Webfinger, WebfingerLink};
use std::collections::HashMap;
use url::Url;

use crate::{FederationError, LocalUrls, FEDERATION_CONTENT_TYPE};

/// What a WebFinger `resource` names, once we know it is ours.
#[derive(Debug, PartialEq, Eq)]
pub enum LocalResource {
    /// A member, by username as given (look-up is case-insensitive).
    Account(String),
    /// The instance actor.
    InstanceActor,
}

/// Parses `acct:name@domain`, `name@domain` or an actor URL. Errors distinguish a
/// malformed resource (400) from one that is well-formed but not ours (404).
pub fn parse_resource(resource: &str, urls: &LocalUrls) -> Result<LocalResource, FederationError> {
    let resource = resource.trim();
    if resource.starts_with("http://") || resource.starts_with("https://") {
        let url = Url::parse(resource).map_err(|_| FederationError::MalformedResource)?;
        let ours = url.scheme() == urls.base().scheme()
            && url.host_str() == urls.base().host_str()
            && url.port_or_known_default() == urls.base().port_or_known_default();
        if !ours {
            return Err(FederationError::NotLocal);
        }
        let path = url.path().trim_end_matches('/');
        if path == "/actor" {
            return Ok(LocalResource::InstanceActor);
        }
        let name = path
            .strip_prefix("/users/")
            .or_else(|| path.strip_prefix("/@"))
            .filter(|n| !n.is_empty() && !n.contains('/'))
            .ok_or(FederationError::NotLocal)?;
        return Ok(LocalResource::Account(name.to_owned()));
    }
    let acct = resource.strip_prefix("acct:").unwrap_or(resource);
    let acct = acct.strip_prefix('@').unwrap_or(acct);
    let (name, domain) = acct
        .rsplit_once('@')
        .ok_or(FederationError::MalformedResource)?;
    if name.is_empty() || domain.is_empty() {
        return Err(FederationError::MalformedResource);
    }
    let domain = kindred_domain::InstanceDomain::parse(domain)
        .map_err(|_| FederationError::MalformedResource)?;
    if &domain != urls.domain() {
        return Err(FederationError::NotLocal);
    }
    // `domain@domain` names the instance actor (Mastodon's convention), written
    // with the port where there is one.
    let names_domain = name == domain.host()
        || kindred_domain::InstanceDomain::parse(name).is_ok_and(|n| n == domain);
    if name == crate::local_actors::INSTANCE_ACTOR_NAME || names_domain {
        return Ok(LocalResource::InstanceActor);
    }
    Ok(LocalResource::Account(name.to_owned()))
}

/// The WebFinger answer for an actor: `self` link for ActivityPub, profile page for people.
pub fn response(
    subject_name: &str,
    actor: Url,
    profile: Option<Url>,
    urls: &LocalUrls,
) -> Webfinger {
    let mut links = vec![WebfingerLink {
        rel: Some("self".to_owned()),
        kind: Some(FEDERATION_CONTENT_TYPE.to_owned()),
        href: Some(actor.clone()),
        template: None,
        properties: HashMap::new(),
    }];
    let mut aliases = vec![actor];
    if let Some(profile) = profile {
        links.push(WebfingerLink {
            rel: Some("http://webfinger.net/rel/profile-page".to_owned()),
            kind: Some("text/html".to_owned()),
            href: Some(profile.clone()),
            template: None,
            properties: HashMap::new(),
        });
        aliases.push(profile);
    }
    Webfinger {
        subject: format!("acct:{subject_name}@{}", urls.domain()),
        links,
        aliases,
        properties: HashMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindred_domain::InstanceDomain;

    fn urls() -> LocalUrls {
        LocalUrls::new(InstanceDomain::parse("localhost:8080").unwrap(), false)
    }

    #[test]
    fn parses_resources() {
        let u = urls();
        assert_eq!(
            parse_resource("acct:River@localhost:8080", &u).unwrap(),
            LocalResource::Account("River".into())
        );
        assert_eq!(
            parse_resource("river@LOCALHOST:8080", &u).unwrap(),
            LocalResource::Account("river".into())
        );
        assert_eq!(
            parse_resource("http://localhost:8080/users/river", &u).unwrap(),
            LocalResource::Account("river".into())
        );
        assert_eq!(
            parse_resource("acct:kindred.internal@localhost:8080", &u).unwrap(),
            LocalResource::InstanceActor
        );
        assert!(matches!(
            parse_resource("acct:river@other.example", &u),
            Err(FederationError::NotLocal)
        ));
        assert!(matches!(
            parse_resource("acct:river", &u),
            Err(FederationError::MalformedResource)
        ));
        assert!(matches!(
            parse_resource("acct:@localhost:8080", &u),
            Err(FederationError::MalformedResource)
        ));
        assert!(matches!(
            parse_resource("http://localhost:9999/users/river", &u),
            Err(FederationError::NotLocal)
        ));
    }
}
