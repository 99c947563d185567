//! Pictures (issue 28): uploads are decoded and written anew (no EXIF, GPS or
//! camera serial survives in the stored original, the served file or the small
//! version), bad input is a 422 with nothing stored, `media_ids` on create and
//! edit take only the author's own free uploads, and a picture follows its post's
//! audience: an outsider gets 404 for a followers-only or group-discussion post's
//! picture, a follower or member gets it, a public post's picture is public.

use std::path::{Path, PathBuf};

use image::{DynamicImage, Rgb, RgbImage, Rgba, RgbaImage};
use kindred_domain::Role;
use serde_json::{json, Value};

use crate::common::{both_backends, spawn_app, spawn_app_with, Backend, TestApp};

both_backends!(
    metadata_never_survives,
    bad_input_is_refused_and_nothing_stored,
    attaching_takes_only_own_free_uploads,
    pictures_follow_their_posts_audience,
    erasure_deletes_the_members_pictures,
);

const SERIAL: &str = "SN-CAMERA-93417";

/// The GPS latitude 59° 54' 32.17" as EXIF stores it: three little-endian
/// rationals (numerator, denominator).
fn gps_rationals() -> Vec<u8> {
    [59u32, 1, 54, 1, 321_700, 10_000]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect()
}

/// A minimal EXIF APP1 segment (little-endian TIFF): IFD0 with a camera serial
/// (BodySerialNumber) and a pointer to a GPS IFD holding latitude N 59° 54' 32.17".
fn exif_app1() -> Vec<u8> {
    let mut t: Vec<u8> = Vec::new();
    let u16le = |v: u16| v.to_le_bytes();
    let u32le = |v: u32| v.to_le_bytes();
    t.extend(b"II");
    t.extend(u16le(42));
    t.extend(u32le(8));
    // IFD0 at 8: two entries, then the next-IFD offset: ends at 8 + 2 + 24 + 4 = 38.
    let serial = format!("{SERIAL}\0");
    let serial_at = 38u32;
    let gps_at = serial_at + serial.len() as u32;
    t.extend(u16le(2));
    t.extend(u16le(0xA431));
    t.extend(u16le(2));
    t.extend(u32le(serial.len() as u32));
    t.extend(u32le(serial_at));
    t.extend(u16le(0x8825));
    t.extend(u16le(4));
    t.extend(u32le(1));
    t.extend(u32le(gps_at));
    t.extend(u32le(0));
    t.extend(serial.as_bytes());
    // The GPS IFD: latitude reference and latitude.
    let rationals_at = gps_at + 2 + 24 + 4;
    t.extend(u16le(2));
    t.extend(u16le(1));
    t.extend(u16le(2));
    t.extend(u32le(2));
    t.extend(b"N\0\0\0");
    t.extend(u16le(2));
    t.extend(u16le(5));
    t.extend(u32le(3));
    t.extend(u32le(rationals_at));
    t.extend(u32le(0));
    t.extend(gps_rationals());
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(t);
    let mut seg = vec![0xFF, 0xE1];
    seg.extend(((payload.len() + 2) as u16).to_be_bytes());
    seg.extend(payload);
    seg
}

fn photo(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        Rgb([
            (x * 7 % 256) as u8,
            (y * 5 % 256) as u8,
            ((x + y) % 256) as u8,
        ])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, 90,
        ))
        .unwrap();
    out
}

/// A phone photo: a JPEG with the EXIF segment right after its start marker.
fn phone_photo() -> Vec<u8> {
    let plain = photo(800, 600);
    let mut out = plain[..2].to_vec();
    out.extend(exif_app1());
    out.extend(&plain[2..]);
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn leaks(bytes: &[u8]) -> Vec<&'static str> {
    let mut found = Vec::new();
    if contains(bytes, SERIAL.as_bytes()) {
        found.push("camera serial");
    }
    if contains(bytes, &gps_rationals()) {
        found.push("GPS latitude");
    }
    if contains(bytes, b"Exif\0\0") {
        found.push("EXIF segment");
    }
    found
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG of a few hundred bytes whose header declares `w` × `h` pixels: a
/// decompression bomb (its one IDAT is all it has).
fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    out
}

fn animated_gif(frames: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = image::codecs::gif::GifEncoder::new(&mut out);
        for i in 0..frames {
            let img = RgbaImage::from_pixel(16, 16, Rgba([(i * 40) as u8, 0, 0, 255]));
            enc.encode_frame(image::Frame::new(img)).unwrap();
        }
    }
    out
}

async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>, name: &str) -> (u16, Value) {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str("image/jpeg")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .part("file", part)
        .text("description", "a walk by the lake")
        .text("focus", "0.5,-0.25");
    let resp = app
        .client
        .post(app.url("/api/v2/media"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn upload_ok(app: &TestApp, token: &str) -> Value {
    let (status, v) = upload(app, token, photo(320, 240), "walk.jpg").await;
    assert_eq!(status, 200, "{v}");
    v
}

fn media_dir(app: &TestApp) -> PathBuf {
    app.dir.0.join("files").join("media")
}

/// Every file in the media store.
fn stored_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for area in ["original", "small"] {
        if let Ok(entries) = std::fs::read_dir(dir.join(area)) {
            out.extend(entries.filter_map(Result::ok).map(|e| e.path()));
        }
    }
    out
}

/// Fetches a URL of ours (absolute), with or without a token: status, headers, body.
async fn fetch(
    app: &TestApp,
    url: &str,
    token: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut req = app.client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.bytes().await.unwrap().to_vec())
}

fn unsigned(url: &str) -> String {
    url.split('?').next().unwrap().to_owned()
}

async fn metadata_never_survives(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let input = phone_photo();
    // Positive control: the search finds all three in what is sent.
    assert_eq!(
        leaks(&input).len(),
        3,
        "the test photo carries its metadata"
    );
    let (status, m) = upload(&app, &alice, input, "IMG_0001.jpg").await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["type"], "image");
    assert_eq!(m["meta"]["original"]["width"], 800);
    assert_eq!(m["meta"]["original"]["height"], 600);
    assert_eq!(m["meta"]["small"]["width"], 640);
    assert_eq!(m["description"], "a walk by the lake");
    assert_eq!(m["meta"]["focus"]["x"], 0.5);
    assert!(m["blurhash"].as_str().is_some_and(|b| b.len() > 6), "{m}");
    assert!(m["remote_url"].is_null());
    // Stored: both versions, neither carrying anything of it.
    let files = stored_files(&media_dir(&app));
    assert_eq!(files.len(), 2, "{files:?}");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        assert!(bytes.starts_with(&[0xFF, 0xD8]), "{f:?} is a JPEG");
        assert_eq!(leaks(&bytes), Vec::<&str>::new(), "{f:?}");
    }
    // Served (an unposted upload: to its uploader), the same.
    for key in ["url", "preview_url"] {
        let url = m[key].as_str().unwrap();
        assert!(url.starts_with(&app.base), "served from our origin: {url}");
        let (status, headers, bytes) = fetch(&app, url, Some(&alice)).await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], "image/jpeg");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'"));
        assert_eq!(leaks(&bytes), Vec::<&str>::new(), "{key}");
    }
    // The database keeps none of it either.
    let rest = app.at_rest().await;
    assert!(!contains(&rest, SERIAL.as_bytes()));
    // GET and PUT of one's own upload.
    let id = m["id"].as_str().unwrap();
    let (status, got) = app
        .get_json(&format!("/api/v1/media/{id}"), Some(&alice))
        .await;
    assert_eq!((status, got["id"].clone()), (200, json!(id)));
    let updated = app
        .send_ok(
            reqwest::Method::PUT,
            &format!("/api/v1/media/{id}"),
            Some(&alice),
            json!({"description": "the lake at dusk", "focus": "0,0"}),
        )
        .await;
    assert_eq!(updated["description"], "the lake at dusk");
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/media/{id}"),
            Some(&alice),
            json!({"focus": "3,3"}),
        )
        .await;
    assert_eq!(status, 422);
    // Someone else's upload does not exist for them.
    let (bob, _) = app.member("bob").await;
    let (status, _) = app
        .get_json(&format!("/api/v1/media/{id}"), Some(&bob))
        .await;
    assert_eq!(status, 404);
}

async fn bad_input_is_refused_and_nothing_stored(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("KINDRED__MEDIA__MAX_GIF_FRAMES", "3")]).await
    else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let jpeg = photo(200, 150);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not an image",
            b"<svg onload=alert(1)></svg>".to_vec(),
            "media_not_an_image",
        ),
        (
            "truncated",
            jpeg[..jpeg.len() / 2].to_vec(),
            "media_unreadable",
        ),
        (
            "bomb",
            png_declaring(100_000, 100_000),
            "media_too_many_pixels",
        ),
        ("too many frames", animated_gif(5), "media_too_many_frames"),
        ("empty", Vec::new(), "media_missing"),
    ];
    for (what, bytes, code) in cases {
        let (status, v) = upload(&app, &alice, bytes, "x.jpg").await;
        assert_eq!(status, 422, "{what}: {v}");
        assert_eq!(v["error_code"].as_str(), Some(code), "{what}: {v}");
        assert!(
            stored_files(&media_dir(&app)).is_empty(),
            "{what}: nothing stored"
        );
    }
    // Positive controls: an animation within the limit and a photo are stored.
    let (status, v) = upload(&app, &alice, animated_gif(3), "a.gif").await;
    assert_eq!(status, 200, "{v}");
    assert!(v["url"].as_str().unwrap().contains(".gif"), "{v}");
    let (status, v) = upload(&app, &alice, jpeg, "ok.jpg").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(stored_files(&media_dir(&app)).len(), 4);
}

async fn attaching_takes_only_own_free_uploads(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let mine: Vec<String> = {
        let mut ids = Vec::new();
        for _ in 0..5 {
            ids.push(
                upload_ok(&app, &alice).await["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        ids
    };
    let bobs = upload_ok(&app, &bob).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (what, ids) in [
        ("someone else's", vec![bobs.clone()]),
        ("five", mine.clone()),
        ("unknown", vec!["12345".to_owned()]),
        ("not a number", vec!["abc".to_owned()]),
    ] {
        let (status, v) = app
            .post_json(
                "/api/v1/statuses",
                &alice,
                json!({"status": "look", "media_ids": ids}),
            )
            .await;
        assert_eq!(status, 422, "{what}: {v}");
    }
    // Nothing was posted by the refusals.
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&alice))
        .await;
    assert_eq!(me["statuses_count"], 0);
    // Pictures alone, no text: a post.
    let (status, post) = app
        .post_json(
            "/api/v1/statuses",
            &alice,
            json!({"status": "", "media_ids": [mine[0], mine[1]]}),
        )
        .await;
    assert_eq!(status, 200, "{post}");
    let got: Vec<&str> = post["media_attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec![mine[0].as_str(), mine[1].as_str()]);
    // An attached upload is not free any more.
    let (status, _) = app
        .post_json(
            "/api/v1/statuses",
            &alice,
            json!({"status": "again", "media_ids": [mine[0]]}),
        )
        .await;
    assert_eq!(status, 422);
    // An edit replaces the set.
    let id = post["id"].as_str().unwrap();
    let edited = app
        .send_ok(
            reqwest::Method::PUT,
            &format!("/api/v1/statuses/{id}"),
            Some(&alice),
            json!({"status": "now with words", "media_ids": [mine[2]]}),
        )
        .await;
    assert_eq!(edited["media_attachments"][0]["id"], mine[2].as_str());
    assert_eq!(edited["media_attachments"].as_array().unwrap().len(), 1);
}

async fn facilitator(app: &TestApp, name: &str) -> String {
    let password = format!("{name}'s password");
    app.create_user(name, &password, None, Role::Facilitator)
        .await;
    app.login(name, &password).await
}

async fn pictures_follow_their_posts_audience(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let (olly, _) = app.member("olly").await;
    let alice_id = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&alice))
        .await
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post_ok(
        &format!("/api/v1/accounts/{alice_id}/follow"),
        &bob,
        json!({}),
    )
    .await;

    // Followers-only.
    let m = upload_ok(&app, &alice).await;
    let post = app
        .post_ok(
            "/api/v1/statuses",
            &alice,
            json!({"status": "just for you", "visibility": "private", "media_ids": [m["id"]]}),
        )
        .await;
    let signed = post["media_attachments"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(signed.contains("?e="), "not public: a signed URL {signed}");
    let plain = unsigned(&signed);
    // Positive controls first: the author, a follower, the signed URL.
    assert_eq!(fetch(&app, &plain, Some(&alice)).await.0, 200);
    assert_eq!(fetch(&app, &plain, Some(&bob)).await.0, 200);
    assert_eq!(fetch(&app, &signed, None).await.0, 200);
    // An outsider and an anonymous visitor: not found.
    assert_eq!(fetch(&app, &plain, Some(&olly)).await.0, 404);
    assert_eq!(fetch(&app, &plain, None).await.0, 404);
    // A signature for another version, or tampered, or expired, opens nothing.
    let small_sig = post["media_attachments"][0]["preview_url"]
        .as_str()
        .unwrap();
    let swapped = format!("{plain}?{}", small_sig.split('?').nth(1).unwrap());
    assert_eq!(fetch(&app, &swapped, None).await.0, 404);
    let tampered = signed.replace("&s=", "&s=x");
    assert_eq!(fetch(&app, &tampered, None).await.0, 404);
    let expired = format!("{plain}?e=1000&s=abc");
    assert_eq!(fetch(&app, &expired, None).await.0, 404);
    // Through the status: a follower sees the picture, the outsider no status.
    let sid = post["id"].as_str().unwrap();
    let (status, seen) = app
        .get_json(&format!("/api/v1/statuses/{sid}"), Some(&bob))
        .await;
    assert_eq!(status, 200);
    assert_eq!(seen["media_attachments"][0]["id"], m["id"]);
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{sid}"), Some(&olly))
        .await;
    assert_eq!(status, 404);

    // An unposted upload: its uploader only.
    let free = upload_ok(&app, &alice).await;
    let free_url = unsigned(free["url"].as_str().unwrap());
    assert_eq!(fetch(&app, &free_url, Some(&alice)).await.0, 200);
    assert_eq!(fetch(&app, &free_url, Some(&bob)).await.0, 404);

    // A group discussion post: members only.
    let fac = facilitator(&app, "fran").await;
    let g = app
        .post_ok(
            "/api/v1/groups",
            &fac,
            json!({"username": "walkers", "display_name": "Walkers", "visibility": "closed"}),
        )
        .await;
    let gid = g["id"].as_str().unwrap();
    let (mia, mia_id) = app.member("mia").await;
    app.post_ok(&format!("/api/v1/accounts/{gid}/follow"), &mia, json!({}))
        .await;
    app.post_ok(
        &format!("/api/v1/groups/{gid}/accounts/{mia_id}/approve"),
        &fac,
        json!({}),
    )
    .await;
    let gm = upload_ok(&app, &mia).await;
    let gpost = app
        .post_ok(
            "/api/v1/statuses",
            &mia,
            json!({"status": "@walkers the view today", "media_ids": [gm["id"]]}),
        )
        .await;
    assert_eq!(gpost["local_only"], true, "a discussion post: {gpost}");
    let gurl = unsigned(gpost["media_attachments"][0]["url"].as_str().unwrap());
    assert_eq!(fetch(&app, &gurl, Some(&fac)).await.0, 200);
    assert_eq!(fetch(&app, &gurl, Some(&mia)).await.0, 200);
    assert_eq!(fetch(&app, &gurl, Some(&olly)).await.0, 404);
    assert_eq!(fetch(&app, &gurl, Some(&alice)).await.0, 404);
    assert_eq!(fetch(&app, &gurl, None).await.0, 404);

    // Public: anyone, unsigned.
    let pm = upload_ok(&app, &alice).await;
    let ppost = app
        .post_ok(
            "/api/v1/statuses",
            &alice,
            json!({"status": "the lake", "visibility": "public", "media_ids": [pm["id"]]}),
        )
        .await;
    let purl = ppost["media_attachments"][0]["url"].as_str().unwrap();
    assert!(!purl.contains('?'), "{purl}");
    let (status, headers, _) = fetch(&app, purl, None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-content-type-options"], "nosniff");

    // A deleted post takes its picture with it (at the next sweep).
    let pid = ppost["id"].as_str().unwrap();
    app.send_ok(
        reqwest::Method::DELETE,
        &format!("/api/v1/statuses/{pid}"),
        Some(&alice),
        json!({}),
    )
    .await;
    assert_eq!(fetch(&app, purl, None).await.0, 404);
    let before = stored_files(&media_dir(&app)).len();
    kindred_api::services::media::sweep(&app.state, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(stored_files(&media_dir(&app)).len(), before - 2);
}

async fn erasure_deletes_the_members_pictures(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (alice, _) = app.member("alice").await;
    let (bob, _) = app.member("bob").await;
    let m = upload_ok(&app, &alice).await;
    app.post_ok(
        "/api/v1/statuses",
        &alice,
        json!({"status": "hello", "visibility": "public", "media_ids": [m["id"]]}),
    )
    .await;
    upload_ok(&app, &bob).await;
    assert_eq!(stored_files(&media_dir(&app)).len(), 4);
    let (status, v) = app
        .post_json(
            "/api/v1/kindred/account/delete",
            &alice,
            json!({"password": "alice's password"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    // Alice's two files went at once; Bob's stay (the positive control).
    assert_eq!(stored_files(&media_dir(&app)).len(), 2);
}
