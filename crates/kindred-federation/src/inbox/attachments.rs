//! Pictures attached to a remote note, as Mastodon sends them: `Document` or
//! `Image` objects with `url` (a string, or a `Link` with `href`), `mediaType`,
//! `name` (alt text), `blurhash`, `width`, `height`. Only what we show is taken:
//! pictures of the four formats we accept, at most four, `http(s)` URLs. Nothing is
//! fetched here: the picture is fetched by our server on its first view, stripped
//! like an upload and served from our origin (`kindred_api::services::remote_media`).

use kindred_domain::media::{MAX_ATTACHMENTS, MAX_DESCRIPTION_CHARS};
use serde_json::Value;
use url::Url;

/// Longest blurhash taken (9 × 9 components need 4 + 2 × 81 characters).
const MAX_BLURHASH: usize = 200;
/// Longest URL taken.
const MAX_URL: usize = 2048;

#[derive(Debug, Clone, PartialEq)]
pub struct RemoteAttachment {
    pub url: String,
    /// The stored type until the picture is fetched (then what we wrote).
    pub content_type: &'static str,
    pub description: Option<String>,
    pub blurhash: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

/// The pictures of a note's `attachment` (one object or an array).
pub fn pictures(attachment: &Value) -> Vec<RemoteAttachment> {
    let items = match attachment {
        Value::Array(items) => items.as_slice(),
        Value::Null => &[],
        one => std::slice::from_ref(one),
    };
    items
        .iter()
        .filter_map(picture)
        .take(MAX_ATTACHMENTS)
        .collect()
}

fn picture(a: &Value) -> Option<RemoteAttachment> {
    let kind = a.get("type")?.as_str()?;
    if !matches!(kind, "Document" | "Image") {
        return None;
    }
    let media_type = a.get("mediaType").and_then(Value::as_str).unwrap_or("");
    let content_type = match media_type.to_ascii_lowercase().as_str() {
        "image/jpeg" | "image/jpg" => "image/jpeg",
        "image/png" => "image/png",
        "image/gif" => "image/gif",
        // WebP is stored as JPEG or PNG once fetched; JPEG until then.
        "image/webp" => "image/jpeg",
        _ => return None,
    };
    let raw_url = match a.get("url")? {
        Value::String(s) => s.as_str(),
        Value::Object(link) => link.get("href")?.as_str()?,
        Value::Array(list) => list.iter().find_map(|l| match l {
            Value::String(s) => Some(s.as_str()),
            Value::Object(link) => link.get("href")?.as_str(),
            _ => None,
        })?,
        _ => return None,
    };
    if raw_url.len() > MAX_URL {
        return None;
    }
    let url = Url::parse(raw_url).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let description = a
        .get("name")
        .and_then(Value::as_str)
        .map(|n| {
            n.chars()
                .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
                .take(MAX_DESCRIPTION_CHARS)
                .collect::<String>()
                .trim()
                .to_owned()
        })
        .filter(|n| !n.is_empty());
    let blurhash = a
        .get("blurhash")
        .and_then(Value::as_str)
        .filter(|b| b.len() <= MAX_BLURHASH && b.bytes().all(is_base83))
        .map(str::to_owned);
    let dim = |k: &str| {
        a.get(k)
            .and_then(Value::as_i64)
            .filter(|v| (1..=100_000).contains(v))
            .map(|v| v as i32)
    };
    Some(RemoteAttachment {
        url: url.to_string(),
        content_type,
        description,
        blurhash,
        width: dim("width"),
        height: dim("height"),
    })
}

fn is_base83(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"#$%*+,-.:;=?@[]^_{|}~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mastodon_documents_are_read() {
        let a = json!([{
            "type": "Document", "mediaType": "image/jpeg",
            "url": "https://remote.example/system/media/1.jpg",
            "name": "a cat", "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
            "width": 800, "height": 600
        }, {"type": "Link", "href": "https://x.example/"},
           {"type": "Document", "mediaType": "video/mp4", "url": "https://r.example/v.mp4"},
           {"type": "Image", "mediaType": "image/png", "url": {"type": "Link", "href": "https://r.example/p.png"}}]);
        let p = pictures(&a);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].description.as_deref(), Some("a cat"));
        assert_eq!((p[0].width, p[0].height), (Some(800), Some(600)));
        assert_eq!(p[1].url, "https://r.example/p.png");
        assert_eq!(p[1].content_type, "image/png");
    }

    #[test]
    fn odd_input_is_left_out() {
        for bad in [
            json!({"type": "Document", "mediaType": "image/jpeg", "url": "javascript:alert(1)"}),
            json!({"type": "Document", "mediaType": "image/svg+xml", "url": "https://r.example/a.svg"}),
            json!({"type": "Document", "mediaType": "image/jpeg"}),
            json!("https://r.example/a.jpg"),
            json!(null),
        ] {
            assert!(pictures(&bad).is_empty(), "{bad}");
        }
        let odd = json!({"type": "Document", "mediaType": "image/jpeg",
            "url": "https://r.example/a.jpg", "blurhash": "<script>", "width": -5});
        let p = pictures(&odd);
        assert_eq!((p[0].blurhash.as_ref(), p[0].width), (None, None));
        let many: Vec<_> = (0..9)
            .map(|i| json!({"type": "Image", "mediaType": "image/gif", "url": format!("https://r.example/{i}.gif")}))
            .collect();
        assert_eq!(pictures(&json!(many)).len(), 4);
    }
}
