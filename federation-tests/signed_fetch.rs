//! Fetching a non-public note at its ActivityPub id, instance to instance: a
//! followers-only note of alice (instance A) whose follower bob is on B. Unsigned:
//! 401. Signed by C's instance actor, C having no follower: 404, as if it did not
//! exist. Signed by B's instance actor: the note. A direct note to a local member
//! and a local-only note are 404 even to B. The same with GETs signed as Mastodon
//! signs them, without a Digest.

use serde_json::json;

use crate::common::{both_backends, Backend, TestApp};
use crate::support::{
    fetch, fetch_without_digest, follow, instance_signer, instances, member_signer,
};

async fn followers_only_fetch(backend: Backend) {
    let Some([a, b, c]) = instances(backend, 3)
        .await
        .map(|v| <[TestApp; 3]>::try_from(v).ok().unwrap())
    else {
        return;
    };
    let (alice, _) = a.member("alice").await;
    a.member("carol").await;
    let (bob, _) = b.member("bob").await;
    c.member("dave").await;
    follow(&b, &bob, &a, "alice").await;

    let post = |body: serde_json::Value| a.post_status(&alice, body);
    let private = post(json!({ "status": "for my followers", "visibility": "private" })).await;
    let direct = post(json!({ "status": "@carol only you", "visibility": "direct" })).await;
    let local =
        post(json!({ "status": "here only", "visibility": "public", "local_only": true })).await;
    let url = |id: &str| a.url(&format!("/users/alice/statuses/{id}"));
    let client = reqwest::Client::new();

    let (status, v) = fetch(&client, &url(&private), None).await;
    assert_eq!(status, 401, "unsigned: {v}");
    assert!(!v.to_string().contains("for my followers"));

    let c_actor = instance_signer(&c);
    let (status, v) = fetch(&client, &url(&private), Some(&c_actor)).await;
    assert_eq!(status, 404, "an instance without followers: {v}");
    assert!(!v.to_string().contains("for my followers"));
    // Nor by one of its members.
    let (status, _) = fetch(&client, &url(&private), Some(&member_signer(&c, "dave"))).await;
    assert_eq!(status, 404);

    let b_actor = instance_signer(&b);
    let (status, v) = fetch(&client, &url(&private), Some(&b_actor)).await;
    assert_eq!(status, 200, "the follower's instance: {v}");
    assert_eq!(v["type"], "Note", "{v}");
    assert_eq!(v["id"], url(&private));
    assert!(
        v["content"].as_str().unwrap().contains("for my followers"),
        "{v}"
    );
    assert_eq!(v["attributedTo"], a.url("/users/alice"));
    let addressed = format!("{}{}", v["to"], v["cc"]);
    assert!(addressed.contains(&a.url("/users/alice/followers")), "{v}");
    assert!(!addressed.contains("#Public"), "{v}");

    // A direct note to a local member, and a local-only note: never served.
    for (what, id) in [
        ("direct to a local member", &direct),
        ("local-only", &local),
    ] {
        let (status, v) = fetch(&client, &url(id), Some(&b_actor)).await;
        assert_eq!(status, 404, "{what}: {v}");
        let (status, _) = fetch(&client, &format!("{}/activity", url(id)), Some(&b_actor)).await;
        assert_eq!(status, 404, "{what} (activity)");
    }
    // Signed as Mastodon signs a fetch: `(request-target) host date`, no Digest.
    let (status, v) = fetch_without_digest(&client, &url(&private), &b_actor).await;
    assert_eq!(status, 200, "Mastodon-style, the follower's instance: {v}");
    assert!(
        v["content"].as_str().unwrap().contains("for my followers"),
        "{v}"
    );
    let (status, v) = fetch_without_digest(&client, &url(&private), &c_actor).await;
    assert_eq!(status, 404, "Mastodon-style, no follower there: {v}");
    let (status, _) = fetch_without_digest(&client, &url(&direct), &b_actor).await;
    assert_eq!(status, 404);
    // A Digest on a GET must name the empty body.
    let (status, v) =
        crate::support::fetch_with_digest_of(&client, &url(&private), &b_actor, b"x").await;
    assert_eq!(status, 401, "a Digest of a body the GET does not have: {v}");

    // A signature that does not verify is refused, not treated as unsigned.
    let forged = kindred_federation::http_signatures::sign::Signer::new(
        &crate::support::member_private_key(&c, "dave"),
        b.state.urls.instance_actor_key_id(),
    )
    .unwrap();
    let (status, v) = fetch(&client, &url(&private), Some(&forged)).await;
    assert_eq!(status, 401, "C's key under B's key id: {v}");
}

both_backends!(followers_only_fetch);
