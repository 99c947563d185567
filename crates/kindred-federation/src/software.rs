//! What software a remote instance runs, read from its NodeInfo: the
//! `/.well-known/nodeinfo` document, then the 2.x schema document it links to on the
//! same origin. Through the one outbound client (its address and policy guards), with
//! small body limits; only a validated `name` and `version` are kept, as
//! `"name version"`, so nothing else of the remote's answer is stored.

use std::time::Duration;

use reqwest_middleware::ClientWithMiddleware;
use serde::Deserialize;
use url::Url;

use crate::http;

/// NodeInfo documents are a few hundred bytes; anything far larger is not one.
const BODY_LIMIT: usize = 64 * 1024;
const MAX_NAME: usize = 64;
const MAX_VERSION: usize = 64;
const SCHEMA_2X: &str = "http://nodeinfo.diaspora.software/ns/schema/2.";

#[derive(Deserialize)]
struct Links {
    #[serde(default)]
    links: Vec<Link>,
}

#[derive(Deserialize)]
struct Link {
    rel: String,
    href: String,
}

#[derive(Deserialize)]
struct NodeInfo {
    software: Software,
}

#[derive(Deserialize)]
struct Software {
    name: String,
    #[serde(default)]
    version: Option<String>,
}

/// `/.well-known/nodeinfo` on `origin` (the scheme, host and port of any URL there).
pub fn well_known(origin: &Url) -> Option<Url> {
    origin.join("/.well-known/nodeinfo").ok()
}

/// The 2.x document linked from a `/.well-known/nodeinfo` body, if it is on the
/// same origin (a link elsewhere is not followed: the instance speaks for itself
/// only). The highest 2.x schema wins.
pub fn schema_link(well_known: &Url, body: &[u8]) -> Option<Url> {
    let links: Links = serde_json::from_slice(body).ok()?;
    links
        .links
        .into_iter()
        .filter_map(|l| Some((l.rel.strip_prefix(SCHEMA_2X)?.to_owned(), l.href)))
        .filter_map(|(minor, href)| Some((minor, Url::parse(&href).ok()?)))
        .filter(|(_, u)| u.origin() == well_known.origin())
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, u)| u)
}

/// `"name version"` from a NodeInfo 2.x body, when the name is NodeInfo's
/// `[a-z0-9-]+` (lower-cased first) and the version printable ASCII without spaces.
pub fn software(body: &[u8]) -> Option<String> {
    let info: NodeInfo = serde_json::from_slice(body).ok()?;
    let name = info.software.name.trim().to_ascii_lowercase();
    let name_ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !name_ok {
        return None;
    }
    let version = info
        .software
        .version
        .map(|v| v.trim().to_owned())
        .filter(|v| {
            !v.is_empty() && v.len() <= MAX_VERSION && v.bytes().all(|b| b.is_ascii_graphic())
        });
    Some(match version {
        Some(v) => format!("{name} {v}"),
        None => name,
    })
}

/// GETs `url` and reads at most `BODY_LIMIT` of a 2xx answer.
async fn get(client: &ClientWithMiddleware, timeout: Duration, url: Url) -> Option<Vec<u8>> {
    let resp = client
        .get(url)
        .timeout(timeout)
        .header("accept", "application/json")
        .send()
        .await
        .ok()?;
    if !resp.status().is_success() {
        return None;
    }
    http::read_limited(resp, BODY_LIMIT).await.ok()
}

/// The software of the instance at `origin`, or None when it does not say (no
/// NodeInfo, unreadable, or unusable values).
pub async fn discover(
    client: &ClientWithMiddleware,
    timeout: Duration,
    origin: &Url,
) -> Option<String> {
    let wk = well_known(origin)?;
    let body = get(client, timeout, wk.clone()).await?;
    from_well_known(client, timeout, &wk, &body).await
}

/// The rest of [`discover`] once the `/.well-known/nodeinfo` body is read (the dead
/// instance probe reads it anyway).
pub async fn from_well_known(
    client: &ClientWithMiddleware,
    timeout: Duration,
    well_known: &Url,
    body: &[u8],
) -> Option<String> {
    let link = schema_link(well_known, body)?;
    software(&get(client, timeout, link).await?)
}

/// Whether an instance's software reads group activities the FEP-1b12 way
/// (`Announce` wrapping `Create`, `Update`, `Delete`). Others (Mastodon and most
/// microblogs) read a group's announcement as a boost of the post, and edits and
/// deletions from the post's author. `software` is as recorded: "name version".
pub fn reads_wrapped_announces(software: &str) -> bool {
    let name = software.split(' ').next().unwrap_or_default();
    matches!(
        name,
        "lemmy" | "mbin" | "kbin" | "piefed" | "lotide" | "kindred"
    )
}

/// Whether an instance's software is an events platform that reads a group's
/// `Create(Event)`, `Update(Event)` and `Delete` as they are (Mobilizon, Gancio),
/// rather than as a boost or wrapped in an `Announce`.
pub fn reads_events(software: &str) -> bool {
    let name = software.split(' ').next().unwrap_or_default();
    matches!(name, "mobilizon" | "gancio")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_name_and_version() {
        let body = br#"{"version":"2.0","software":{"name":"Mastodon","version":"4.3.0+glitch"},"protocols":["activitypub"]}"#;
        assert_eq!(software(body).as_deref(), Some("mastodon 4.3.0+glitch"));
        assert_eq!(
            software(br#"{"software":{"name":"kindred"}}"#).as_deref(),
            Some("kindred")
        );
        // Unusable values are refused or dropped, never stored as sent.
        assert_eq!(software(br#"{"software":{"name":"<script>"}}"#), None);
        assert_eq!(software(br#"{"software":{"name":""}}"#), None);
        assert_eq!(
            software(br#"{"software":{"name":"x","version":"1 2"}}"#).as_deref(),
            Some("x")
        );
        let long = format!(r#"{{"software":{{"name":"{}"}}}}"#, "a".repeat(65));
        assert_eq!(software(long.as_bytes()), None);
        assert_eq!(software(b"not json"), None);
    }

    #[test]
    fn follows_only_same_origin_2x_links() {
        let wk = Url::parse("https://a.example/.well-known/nodeinfo").unwrap();
        let body = br#"{"links":[
            {"rel":"http://nodeinfo.diaspora.software/ns/schema/2.0","href":"https://a.example/nodeinfo/2.0"},
            {"rel":"http://nodeinfo.diaspora.software/ns/schema/2.1","href":"https://a.example/nodeinfo/2.1"},
            {"rel":"http://nodeinfo.diaspora.software/ns/schema/1.0","href":"https://a.example/nodeinfo/1.0"}]}"#;
        assert_eq!(
            schema_link(&wk, body).unwrap().as_str(),
            "https://a.example/nodeinfo/2.1"
        );
        let elsewhere = br#"{"links":[{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.1","href":"https://b.example/nodeinfo/2.1"}]}"#;
        assert_eq!(schema_link(&wk, elsewhere), None);
        assert_eq!(schema_link(&wk, b"[]"), None);
    }
}
