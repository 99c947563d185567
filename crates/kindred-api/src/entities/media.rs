//! Mastodon's `MediaAttachment` entity.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct MediaAttachment {
    pub id: String,
    /// `image` or `gifv`-less `image` for animations too (we keep GIFs as GIFs).
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub url: Option<String>,
    pub preview_url: Option<String>,
    /// Always null: apps must never load a picture from another server (the
    /// member's address would reach it); ours serves the cached copy at `url`.
    pub remote_url: Option<String>,
    pub meta: MediaMeta,
    pub description: Option<String>,
    pub blurhash: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MediaMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<MediaSize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub small: Option<MediaSize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focus: Option<MediaFocus>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MediaSize {
    pub width: i32,
    pub height: i32,
    pub size: String,
    pub aspect: f64,
}

impl MediaSize {
    pub fn of(width: Option<i32>, height: Option<i32>) -> Option<Self> {
        let (w, h) = (width?, height?);
        (w > 0 && h > 0).then(|| Self {
            width: w,
            height: h,
            size: format!("{w}x{h}"),
            aspect: f64::from(w) / f64::from(h),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MediaFocus {
    pub x: f64,
    pub y: f64,
}
