//! Pictures across instances (issue 28): a public post's picture reaches a
//! follower's instance as a Mastodon `Document`; that instance fetches it itself,
//! strips it and serves it from its own origin (the member's app never contacts
//! the author's server); a domain block with `reject_media` stops the fetch (the
//! post still arrives).

use kindred_domain::Role;
use serde_json::{json, Value};

use crate::common::{both_backends, Backend, TestApp};
use crate::support::{eventually, follow, instances};

both_backends!(remote_pictures_come_from_our_origin);

fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(300, 200, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 77])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, 90,
        ))
        .unwrap();
    out
}

async fn upload(app: &TestApp, token: &str) -> Value {
    let part = reqwest::multipart::Part::bytes(photo())
        .file_name("lake.jpg")
        .mime_str("image/jpeg")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .part("file", part)
        .text("description", "the lake");
    let resp = app
        .client
        .post(app.url("/api/v2/media"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    resp.json().await.unwrap()
}

async fn arrives(app: &TestApp, token: &str, text: &str) -> Value {
    eventually(&format!("{text:?} at {}", app.domain), || async {
        let (_, v) = app.get_json("/api/v1/timelines/home", Some(token)).await;
        v.as_array()?
            .iter()
            .find(|s| s["content"].as_str().unwrap_or("").contains(text))
            .cloned()
    })
    .await
}

async fn get(app: &TestApp, url: &str) -> (u16, Option<String>, Vec<u8>) {
    let resp = app.client.get(url).send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, ct, resp.bytes().await.unwrap().to_vec())
}

async fn remote_pictures_come_from_our_origin(backend: Backend) {
    let Some([a, b]) = instances(backend, 2)
        .await
        .map(|v| <[TestApp; 2]>::try_from(v).ok().unwrap())
    else {
        return;
    };
    let (alice, _) = a.member("alice").await;
    let (bob, _) = b.member("bob").await;
    follow(&b, &bob, &a, "alice").await;

    let m = upload(&a, &alice).await;
    a.post_ok(
        "/api/v1/statuses",
        &alice,
        json!({"status": "walk by the lake", "visibility": "public", "media_ids": [m["id"]]}),
    )
    .await;
    let seen = arrives(&b, &bob, "walk by the lake").await;
    let pic = &seen["media_attachments"][0];
    assert_eq!(pic["description"], "the lake", "{seen}");
    assert_eq!(pic["meta"]["original"]["width"], 300, "{pic}");
    assert!(pic["blurhash"].is_string(), "{pic}");
    assert!(
        pic["remote_url"].is_null(),
        "apps never get the remote URL: {pic}"
    );
    let url = pic["url"].as_str().unwrap();
    assert!(
        url.starts_with(&b.base),
        "served from the receiving origin: {url}"
    );
    assert!(!url.contains(&a.domain), "{url}");
    // Fetched, stripped and served by B.
    let (status, ct, bytes) = get(&b, url).await;
    assert_eq!(status, 200);
    assert_eq!(ct.as_deref(), Some("image/jpeg"));
    assert!(bytes.starts_with(&[0xFF, 0xD8]));
    let cached = b
        .state
        .db
        .run(kindred_db::models::media::cached_bytes)
        .await
        .unwrap();
    assert!(cached > 0, "B keeps the copy it serves");

    // B's admin rejects A's media: a new post arrives, its picture is not fetched.
    let admin = b
        .user_with_token("boss", Role::Admin, "read write admin:read admin:write")
        .await;
    let (status, v) = b
        .post_json(
            "/api/v1/admin/domain_blocks",
            &admin,
            json!({"domain": a.domain, "severity": "noop", "reject_media": true}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let m2 = upload(&a, &alice).await;
    a.post_ok(
        "/api/v1/statuses",
        &alice,
        json!({"status": "second walk", "visibility": "public", "media_ids": [m2["id"]]}),
    )
    .await;
    let seen = arrives(&b, &bob, "second walk").await;
    let url2 = seen["media_attachments"][0]["url"].as_str().unwrap();
    assert!(url2.starts_with(&b.base), "{url2}");
    assert_eq!(get(&b, url2).await.0, 404, "reject_media: not fetched");
    // Positive control: the first picture, already cached, is still served.
    assert_eq!(get(&b, url).await.0, 200);
}
