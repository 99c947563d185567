//! Scenario 4: one Kindred instance attacks another. The attacker signs with its
//! own member's real key (read from its database) and sends what a compromised or
//! malicious server could: forged and misattributed signatures, tampered bodies,
//! incomplete signatures, replays, stale or future dates, oversized and deeply
//! nested bodies, changes to objects it does not own, and boosts that smuggle a
//! third instance's object. Every refusal is a 4xx and leaves the target's
//! database exactly as it was; a boost's object is taken from its origin, never
//! from the boost.

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::{both_backends, Backend, TestApp};
use crate::support::{
    counts, deliver, drained, fetch, follow, instances, member_private_key, member_signer,
    resolve_status, send, sign_post, Signed, PUBLIC,
};

/// A correct signature over `covered` only (e.g. leaving out `host`): the
/// coverage rule, not the signature check, has to refuse it.
fn sign_covering(
    to: &TestApp,
    key_pem: &str,
    key_id: &str,
    body: Vec<u8>,
    covered: &[&str],
) -> Signed {
    let signer =
        kindred_federation::http_signatures::sign::Signer::new(key_pem, key_id.to_owned()).unwrap();
    let mut s = sign_post(to, "/inbox", &signer, body, SystemTime::now());
    let value = |name: &str| match name {
        "(request-target)" => "post /inbox".to_owned(),
        "host" => to.domain.clone(),
        other => s
            .headers
            .iter()
            .find(|(k, _)| k == other)
            .unwrap()
            .1
            .clone(),
    };
    let signing = covered
        .iter()
        .map(|h| format!("{h}: {}", value(h)))
        .collect::<Vec<_>>()
        .join("\n");
    let key = RsaPrivateKey::from_pkcs8_pem(key_pem).unwrap();
    let sig = key
        .sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(signing.as_bytes()),
        )
        .unwrap();
    *s.header("signature") = format!(
        "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
        covered.join(" "),
        BASE64.encode(sig)
    );
    s
}

fn note(id: &str, author: &str, content: &str) -> Value {
    json!({
        "id": id,
        "type": "Note",
        "attributedTo": author,
        "to": [PUBLIC],
        "cc": [],
        "content": content,
        "published": "2026-11-20T10:00:00Z",
    })
}

fn activity(id: &str, kind: &str, actor: &str, object: Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": kind,
        "actor": actor,
        "to": [PUBLIC],
        "object": object,
    })
}

/// The content of a status at `app`, as its owner there sees it.
async fn content(app: &TestApp, token: &str, id: &str) -> String {
    let (status, v) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(token))
        .await;
    assert_eq!(status, 200, "{v}");
    v["content"].as_str().unwrap().to_owned()
}

async fn hostile_instance(backend: Backend) {
    // T is attacked by M; B is a bystander whose objects M tries to misuse.
    let Some([t, m, b]) = instances(backend, 3)
        .await
        .map(|v| <[TestApp; 3]>::try_from(v).ok().unwrap())
    else {
        return;
    };
    let (alice, _) = t.member("alice").await;
    let (mallory, _) = m.member("mallory").await;
    let (eve, _) = m.member("eve").await;
    let (bob, _) = b.member("bob").await;

    // The world as it is before the attack: mallory follows alice (so T knows
    // mallory), T holds a public note of bob's and one of eve's.
    follow(&m, &mallory, &t, "alice").await;
    let alice_status = t
        .post_status(&alice, json!({ "status": "mine", "visibility": "public" }))
        .await;
    let alice_uri = t.url(&format!("/users/alice/statuses/{alice_status}"));
    let bob_public = b
        .post_status(
            &bob,
            json!({ "status": "bob's own words", "visibility": "public" }),
        )
        .await;
    let bob_uri = b.url(&format!("/users/bob/statuses/{bob_public}"));
    let bob_unseen = b
        .post_status(
            &bob,
            json!({ "status": "bob's unseen words", "visibility": "public" }),
        )
        .await;
    let bob_unseen_uri = b.url(&format!("/users/bob/statuses/{bob_unseen}"));
    let bob_private = b
        .post_status(
            &bob,
            json!({ "status": "bob's private words", "visibility": "private" }),
        )
        .await;
    let bob_private_uri = b.url(&format!("/users/bob/statuses/{bob_private}"));
    let eve_status = m
        .post_status(
            &eve,
            json!({ "status": "eve's own words", "visibility": "public" }),
        )
        .await;
    let eve_uri = m.url(&format!("/users/eve/statuses/{eve_status}"));
    let bob_at_t = resolve_status(&t, &alice, &bob_uri).await;
    let eve_at_t = resolve_status(&t, &alice, &eve_uri).await;
    drained(&[&t, &m, &b]).await;

    let mallory_actor = m.url("/users/mallory");
    let eve_actor = m.url("/users/eve");
    let bob_actor = b.url("/users/bob");
    let mallory_key = member_private_key(&m, "mallory");
    let eve_key = member_private_key(&m, "eve");
    let mallory_signer = member_signer(&m, "mallory");
    let id = |n: &str| format!("{mallory_actor}#hostile/{n}");
    let create = activity(
        &id("create"),
        "Create",
        &mallory_actor,
        note(
            &format!("{mallory_actor}/notes/1"),
            &mallory_actor,
            "<p>new</p>",
        ),
    );
    let body = serde_json::to_vec(&create).unwrap();
    let signed = |key: &str, key_id: &str, at: SystemTime| {
        let signer =
            kindred_federation::http_signatures::sign::Signer::new(key, key_id.to_owned()).unwrap();
        sign_post(&t, "/inbox", &signer, body.clone(), at)
    };
    let mallory_key_id = format!("{mallory_actor}#main-key");
    let now = SystemTime::now;

    let before = counts(&t);
    let mut cases: Vec<(&str, Signed, u16, &str)> = Vec::new();
    // The signature bytes replaced.
    let mut forged = signed(&mallory_key, &mallory_key_id, now());
    let sig = forged.header("signature");
    let start = sig.find("signature=\"").unwrap() + "signature=\"".len();
    sig.replace_range(start..start + 8, "AAAAAAAA");
    cases.push(("forged signature", forged, 401, "signature_invalid"));
    // Signed with eve's key under mallory's key id, and under eve's own key id for
    // an activity whose actor is mallory.
    cases.push((
        "another actor's key under the actor's key id",
        signed(&eve_key, &mallory_key_id, now()),
        401,
        "signature_invalid",
    ));
    cases.push((
        "signed by another actor",
        signed(&eve_key, &format!("{eve_actor}#main-key"), now()),
        401,
        "signature_invalid",
    ));
    // The body changed after signing; then also the Digest made to match it.
    let mut tampered = signed(&mallory_key, &mallory_key_id, now());
    tampered.body = String::from_utf8(body.clone())
        .unwrap()
        .replace("new", "NEW")
        .into_bytes();
    cases.push(("digest mismatch", tampered.clone(), 401, "digest_mismatch"));
    *tampered.header("digest") =
        kindred_federation::http_signatures::sign::digest_header(&tampered.body);
    cases.push((
        "digest replaced to match a tampered body",
        tampered,
        401,
        "signature_invalid",
    ));
    // A valid signature that leaves out host.
    cases.push((
        "host not covered",
        sign_covering(
            &t,
            &mallory_key,
            &mallory_key_id,
            body.clone(),
            &["(request-target)", "date", "digest"],
        ),
        401,
        "signature_incomplete",
    ));
    cases.push((
        "digest not covered",
        sign_covering(
            &t,
            &mallory_key,
            &mallory_key_id,
            body.clone(),
            &["(request-target)", "host", "date"],
        ),
        401,
        "signature_incomplete",
    ));
    // Dates just outside the window.
    cases.push((
        "Date over an hour old",
        signed(
            &mallory_key,
            &mallory_key_id,
            now() - Duration::from_secs(3600 + 100),
        ),
        401,
        "date_out_of_window",
    ));
    cases.push((
        "Date over five minutes ahead",
        signed(
            &mallory_key,
            &mallory_key_id,
            now() + Duration::from_secs(300 + 30),
        ),
        401,
        "date_out_of_window",
    ));
    // More than 1 MiB, and nested 100 deep; both signed correctly.
    let mut big = create.clone();
    big["object"]["content"] = json!("x".repeat(1024 * 1024 + 10));
    cases.push((
        "over 1 MiB",
        sign_post(
            &t,
            "/inbox",
            &mallory_signer,
            serde_json::to_vec(&big).unwrap(),
            now(),
        ),
        413,
        "payload_too_large",
    ));
    let mut deep = create.clone();
    let mut nested = json!("bottom");
    for _ in 0..100 {
        nested = json!([nested]);
    }
    deep["object"]["tag"] = nested;
    cases.push((
        "nested 100 deep",
        sign_post(
            &t,
            "/inbox",
            &mallory_signer,
            serde_json::to_vec(&deep).unwrap(),
            now(),
        ),
        400,
        "json_too_deep",
    ));
    for (what, s, want, code) in &cases {
        let (status, v) = send(&t, "/inbox", s).await;
        assert_eq!(status, *want, "{what}: {v}");
        assert_eq!(v["error_code"], *code, "{what}: {v}");
        assert!(v["error"].is_string(), "{what}: {v}");
        assert_eq!(counts(&t), before, "{what} changed the database");
    }

    // A correct request is taken once; the very same request again is a replay.
    let like = activity(&id("like"), "Like", &mallory_actor, json!(alice_uri));
    let original = sign_post(
        &t,
        "/inbox",
        &mallory_signer,
        serde_json::to_vec(&like).unwrap(),
        now(),
    );
    let (status, v) = send(&t, "/inbox", &original).await;
    assert_eq!(status, 202, "{v}");
    let before = counts(&t);
    let (status, v) = send(&t, "/inbox", &original).await;
    assert_eq!(
        (status, v["error_code"].as_str()),
        (401, Some("replayed_request")),
        "{v}"
    );
    assert_eq!(counts(&t), before, "the replay changed the database");

    // Correctly signed by mallory, but not hers to do.
    let mut bob_edit = note(&bob_uri, &mallory_actor, "<p>mallory was here</p>");
    let mut eve_claimed = note(&eve_uri, &mallory_actor, "<p>mallory was here</p>");
    let refused: Vec<(&str, Value, u16, &str)> = vec![
        (
            "Update of a third instance's note",
            activity(&id("u-1"), "Update", &mallory_actor, {
                bob_edit["attributedTo"] = json!(bob_actor);
                bob_edit.clone()
            }),
            403,
            "not_owner",
        ),
        (
            "Update claiming a third instance's note",
            activity(&id("u-2"), "Update", &mallory_actor, {
                bob_edit["attributedTo"] = json!(mallory_actor);
                bob_edit
            }),
            403,
            "not_owner",
        ),
        (
            "Update of a note by another member of the same instance",
            activity(&id("u-3"), "Update", &mallory_actor, {
                let mut n = eve_claimed.clone();
                n["attributedTo"] = json!(eve_actor);
                n
            }),
            403,
            "not_owner",
        ),
        (
            "Update claiming a note of another member of the same instance",
            activity(&id("u-4"), "Update", &mallory_actor, {
                eve_claimed["content"] = json!("<p>claimed</p>");
                eve_claimed
            }),
            403,
            "not_owner",
        ),
        (
            "Update of the target's own status",
            activity(
                &id("u-5"),
                "Update",
                &mallory_actor,
                note(&alice_uri, &mallory_actor, "<p>hijack</p>"),
            ),
            403,
            "local_object",
        ),
        (
            "Delete of a third instance's note",
            activity(&id("d-1"), "Delete", &mallory_actor, json!(bob_uri)),
            403,
            "not_owner",
        ),
        (
            "Delete of another member's note",
            activity(
                &id("d-2"),
                "Delete",
                &mallory_actor,
                json!({ "id": eve_uri, "type": "Tombstone" }),
            ),
            403,
            "not_owner",
        ),
        (
            "Delete of the target's own status",
            activity(&id("d-3"), "Delete", &mallory_actor, json!(alice_uri)),
            403,
            "local_object",
        ),
        (
            "Create of a note on a third instance",
            activity(
                &id("c-1"),
                "Create",
                &mallory_actor,
                note(&format!("{bob_actor}/notes/9"), &mallory_actor, "<p>x</p>"),
            ),
            401,
            "origin_mismatch",
        ),
        (
            "Create attributed to another member",
            activity(
                &id("c-2"),
                "Create",
                &mallory_actor,
                note(&format!("{eve_actor}/notes/9"), &eve_actor, "<p>x</p>"),
            ),
            403,
            "not_owner",
        ),
        (
            "activity id on a third instance",
            activity(
                &format!("{bob_actor}#hostile/1"),
                "Like",
                &mallory_actor,
                json!(alice_uri),
            ),
            401,
            "origin_mismatch",
        ),
        (
            "an activity in the name of the target's own member",
            activity(
                &t.url("/users/alice#hostile/1"),
                "Follow",
                &t.url("/users/alice"),
                json!(mallory_actor),
            ),
            401,
            "actor_unverifiable",
        ),
        (
            "Announce of a note its origin does not have",
            activity(
                &id("a-1"),
                "Announce",
                &mallory_actor,
                note(
                    &b.url("/users/bob/statuses/1"),
                    &bob_actor,
                    "<p>fabricated</p>",
                ),
            ),
            400,
            "object_unavailable",
        ),
        (
            "Announce smuggling a followers-only note of a third instance",
            activity(
                &id("a-2"),
                "Announce",
                &mallory_actor,
                note(&bob_private_uri, &bob_actor, "<p>bob's private words</p>"),
            ),
            400,
            "object_unavailable",
        ),
    ];
    let before = counts(&t);
    for (what, activity, want, code) in refused {
        let (status, v) = deliver(&t, &mallory_signer, &activity).await;
        assert_eq!(status, want, "{what}: {v}");
        assert_eq!(v["error_code"], code, "{what}: {v}");
        assert_eq!(counts(&t), before, "{what} changed the database");
    }
    // In the name of bob (on B), signed with mallory's key under bob's key id.
    let as_bob = activity(
        &format!("{bob_actor}#hostile/2"),
        "Like",
        &bob_actor,
        json!(alice_uri),
    );
    let s = sign_post(
        &t,
        "/inbox",
        &kindred_federation::http_signatures::sign::Signer::new(
            &mallory_key,
            format!("{bob_actor}#main-key"),
        )
        .unwrap(),
        serde_json::to_vec(&as_bob).unwrap(),
        now(),
    );
    let (status, v) = send(&t, "/inbox", &s).await;
    assert_eq!(
        (status, v["error_code"].as_str()),
        (401, Some("signature_invalid")),
        "{v}"
    );
    assert_eq!(counts(&t), before, "impersonating bob changed the database");

    // Nothing changed what T shows.
    assert_eq!(content(&t, &alice, &alice_status).await, "<p>mine</p>");
    assert!(content(&t, &alice, &bob_at_t).await.contains("own words"));
    assert!(content(&t, &alice, &eve_at_t).await.contains("own words"));
    let (_, s) = t
        .get_json(&format!("/api/v1/statuses/{alice_status}"), Some(&alice))
        .await;
    assert_eq!(s["favourites_count"], 1, "only the one Like: {s}");

    // A boost whose embedded copy lies: T takes the object from its origin. For a
    // note T holds, the stored one; for one it does not, a fetch from B.
    for (n, uri, real) in [
        (1, &bob_uri, "own words"),
        (2, &bob_unseen_uri, "unseen words"),
    ] {
        let (status, mut doc) = fetch(&t.client, uri, None).await;
        assert_eq!(status, 200, "{doc}");
        doc["content"] = json!("<p>FAKE words</p>");
        let boost = activity(&id(&format!("boost-{n}")), "Announce", &mallory_actor, doc);
        let (status, v) = deliver(&t, &mallory_signer, &boost).await;
        assert_eq!(status, 202, "{v}");
        let stored = t
            .state
            .db
            .run_blocking({
                let uri = uri.clone();
                move |c| kindred_db::models::federated::status_by_uri(c, &uri)
            })
            .unwrap()
            .expect("the boosted note is stored");
        assert!(stored.content.contains(real), "{}", stored.content);
        assert!(!stored.content.contains("FAKE"), "{}", stored.content);
    }
    let _ = (mallory, eve);
}

both_backends!(hostile_instance);
