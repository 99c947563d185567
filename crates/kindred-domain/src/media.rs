//! Pictures (issue 28): the limits an upload is held to, the formats taken, alt text
//! and focus, how many a post may carry. Pure rules; the decoding happens in
//! `kindred_core::media::process`, which asks these before it decodes anything.

use std::fmt;

/// Most pictures one post carries (Mastodon's four).
pub const MAX_ATTACHMENTS: usize = 4;
/// Longest alt text, in characters (Mastodon's 1,500).
pub const MAX_DESCRIPTION_CHARS: usize = 1500;
/// The small version fits in a square of this side (pixels).
pub const SMALL_SIDE: u32 = 640;

/// `media.*` limits (docs/configuration.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaLimits {
    /// Largest upload (or remote file) in bytes.
    pub max_bytes: u64,
    /// Most pixels (width × height) a picture may declare; checked from the header,
    /// before decoding, so a small file claiming a huge canvas is refused unread.
    pub max_pixels: u64,
    /// Most frames of an animated GIF.
    pub max_gif_frames: u32,
}

impl MediaLimits {
    /// The defaults of config/default.toml.
    pub const DEFAULT: Self = Self {
        max_bytes: 16 * 1024 * 1024,
        max_pixels: 33_177_600,
        max_gif_frames: 200,
    };

    /// Whether a picture of these declared dimensions may be decoded at all.
    pub fn admits(&self, width: u32, height: u32) -> Result<(), MediaRefusal> {
        if width == 0 || height == 0 {
            return Err(MediaRefusal::Unreadable);
        }
        if u64::from(width) * u64::from(height) > self.max_pixels {
            return Err(MediaRefusal::TooManyPixels);
        }
        Ok(())
    }

    /// Memory the decoder may hold: the picture as RGBA plus as much again for the
    /// decoder's own buffers, never more than the pixel limit allows.
    pub fn decoder_bytes(&self) -> u64 {
        self.max_pixels.saturating_mul(4).saturating_mul(2)
    }
}

/// The formats taken, found from the bytes (never from the name or the claimed type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl ImageFormat {
    /// From the first bytes of a file (magic numbers).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Self::Gif)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }
}

/// Whether a JPEG ends its last scan: an end-of-image marker after the last
/// start-of-scan. The decoder pads a cut-off file with grey instead of failing,
/// so a truncated upload is caught here. (Neither marker can occur inside the
/// entropy-coded data, where every 0xFF byte is stuffed; an EXIF thumbnail's own
/// markers come before the main image's scans.)
pub fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match last_scan {
        Some(at) => bytes[at..].windows(2).any(|w| w == [0xFF, 0xD9]),
        None => false,
    }
}

/// What is stored: the format written by re-encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredFormat {
    Jpeg,
    Png,
    Gif,
}

impl StoredFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Gif => "image/gif",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Gif => "gif",
        }
    }

    /// The small version's format: JPEG for a photo, PNG for anything that may
    /// have transparency (an animation's is its first frame).
    pub fn small_for(self) -> Self {
        match self {
            Self::Jpeg => Self::Jpeg,
            Self::Png | Self::Gif => Self::Png,
        }
    }

    pub fn from_content_type(s: &str) -> Option<Self> {
        match s {
            "image/jpeg" => Some(Self::Jpeg),
            "image/png" => Some(Self::Png),
            "image/gif" => Some(Self::Gif),
            _ => None,
        }
    }

    /// What a picture read as `format` is written as: photos stay JPEG, a picture
    /// with transparency PNG, an animation GIF; WebP (whose encoder here is
    /// lossless only) becomes JPEG or PNG.
    pub fn for_input(format: ImageFormat, has_alpha: bool, animated: bool) -> Self {
        match format {
            ImageFormat::Gif if animated => Self::Gif,
            ImageFormat::Jpeg => Self::Jpeg,
            ImageFormat::Png | ImageFormat::Gif => Self::Png,
            ImageFormat::Webp if has_alpha => Self::Png,
            ImageFormat::Webp => Self::Jpeg,
        }
    }
}

/// Why a picture is refused (all answered 422, nothing stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaRefusal {
    /// No file part, or an empty one.
    Missing,
    /// Bigger than `media.max_upload_bytes`.
    TooLarge,
    /// Not a JPEG, PNG, GIF or WebP, whatever its name or claimed type says.
    NotAnImage,
    /// Truncated or corrupt: it does not decode.
    Unreadable,
    /// Declares more pixels than `media.max_pixels` (a decompression bomb).
    TooManyPixels,
    /// An animated GIF with more than `media.max_gif_frames` frames.
    TooManyFrames,
    /// Alt text longer than [`MAX_DESCRIPTION_CHARS`].
    DescriptionTooLong,
    /// A focus that is not two numbers from -1 to 1.
    BadFocus,
    /// More than [`MAX_ATTACHMENTS`] on a post.
    TooManyAttachments,
    /// A media id that is not the author's own, unattached upload.
    NotAttachable,
}

impl MediaRefusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "media_missing",
            Self::TooLarge => "media_too_large",
            Self::NotAnImage => "media_not_an_image",
            Self::Unreadable => "media_unreadable",
            Self::TooManyPixels => "media_too_many_pixels",
            Self::TooManyFrames => "media_too_many_frames",
            Self::DescriptionTooLong => "media_description_too_long",
            Self::BadFocus => "media_bad_focus",
            Self::TooManyAttachments => "media_too_many",
            Self::NotAttachable => "media_not_attachable",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "Validation failed: file is missing",
            Self::TooLarge => "Validation failed: file is too large",
            Self::NotAnImage => "Validation failed: file is not a JPEG, PNG, GIF or WebP picture",
            Self::Unreadable => "Validation failed: the picture is truncated or corrupt",
            Self::TooManyPixels => "Validation failed: the picture has too many pixels",
            Self::TooManyFrames => "Validation failed: the animation has too many frames",
            Self::DescriptionTooLong => "Validation failed: description is too long",
            Self::BadFocus => "Validation failed: focus must be two numbers from -1 to 1",
            Self::TooManyAttachments => "Validation failed: a post carries at most 4 pictures",
            Self::NotAttachable => {
                "Validation failed: media is not an upload of yours that is free to attach"
            }
        }
    }
}

impl fmt::Display for MediaRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// Where the eye should rest when an app crops the picture: Mastodon's `focus`,
/// x and y from -1 (left, bottom) to 1 (right, top).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Focus {
    pub x: f64,
    pub y: f64,
}

impl Focus {
    /// `"x,y"` as Mastodon takes it.
    pub fn parse(s: &str) -> Result<Self, MediaRefusal> {
        let (x, y) = s.split_once(',').ok_or(MediaRefusal::BadFocus)?;
        let num = |p: &str| {
            p.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && (-1.0..=1.0).contains(v))
                .ok_or(MediaRefusal::BadFocus)
        };
        Ok(Self {
            x: num(x)?,
            y: num(y)?,
        })
    }

    /// The stored form (`"x,y"`, two decimals).
    pub fn stored(&self) -> String {
        format!("{:.2},{:.2}", self.x, self.y)
    }
}

/// Alt text: trimmed, at most [`MAX_DESCRIPTION_CHARS`]; empty means none.
pub fn description(raw: &str) -> Result<Option<String>, MediaRefusal> {
    let d = raw.trim();
    if d.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(MediaRefusal::DescriptionTooLong);
    }
    Ok((!d.is_empty()).then(|| d.to_owned()))
}

/// Which uploads a post may take: at most [`MAX_ATTACHMENTS`], no repeats (kept in
/// the order given).
pub fn attachment_ids(ids: &[i64]) -> Result<Vec<i64>, MediaRefusal> {
    let mut out: Vec<i64> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    if out.len() > MAX_ATTACHMENTS {
        return Err(MediaRefusal::TooManyAttachments);
    }
    Ok(out)
}

/// The size of the small version: the picture scaled to fit [`SMALL_SIDE`],
/// never enlarged.
pub fn small_size(width: u32, height: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= SMALL_SIDE || longest == 0 {
        return (width.max(1), height.max(1));
    }
    let scale =
        |v: u32| ((u64::from(v) * u64::from(SMALL_SIDE)) / u64::from(longest)).max(1) as u32;
    (scale(width), scale(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixel_limit_is_checked_before_decoding() {
        let l = MediaLimits {
            max_pixels: 100,
            ..MediaLimits::DEFAULT
        };
        assert!(l.admits(10, 10).is_ok());
        assert_eq!(l.admits(10, 11), Err(MediaRefusal::TooManyPixels));
        assert_eq!(l.admits(0, 5), Err(MediaRefusal::Unreadable));
        // No overflow at the edges of u32.
        assert_eq!(
            MediaLimits::DEFAULT.admits(u32::MAX, u32::MAX),
            Err(MediaRefusal::TooManyPixels)
        );
    }

    #[test]
    fn formats_come_from_the_bytes() {
        assert_eq!(
            ImageFormat::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageFormat::Jpeg)
        );
        assert_eq!(
            ImageFormat::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(ImageFormat::Png)
        );
        assert_eq!(ImageFormat::sniff(b"GIF89a"), Some(ImageFormat::Gif));
        assert_eq!(
            ImageFormat::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(ImageFormat::Webp)
        );
        assert_eq!(ImageFormat::sniff(b"<svg xmlns="), None);
        assert_eq!(ImageFormat::sniff(b""), None);
    }

    #[test]
    fn a_cut_off_jpeg_is_incomplete() {
        let whole = [0xFF, 0xD8, 0xFF, 0xDA, 1, 2, 0xFF, 0x00, 3, 0xFF, 0xD9];
        assert!(jpeg_is_complete(&whole));
        assert!(!jpeg_is_complete(&whole[..8]));
        assert!(!jpeg_is_complete(&[0xFF, 0xD8, 0xFF, 0xD9]));
    }

    #[test]
    fn focus_and_description() {
        assert_eq!(Focus::parse("0.5,-1").unwrap(), Focus { x: 0.5, y: -1.0 });
        for bad in ["", "1", "2,0", "a,b", "NaN,0", "0,inf"] {
            assert_eq!(Focus::parse(bad), Err(MediaRefusal::BadFocus), "{bad}");
        }
        assert_eq!(description("  ").unwrap(), None);
        assert_eq!(description(" a cat ").unwrap().as_deref(), Some("a cat"));
        assert!(description(&"x".repeat(1501)).is_err());
    }

    #[test]
    fn at_most_four_distinct_attachments() {
        assert_eq!(attachment_ids(&[1, 2, 2, 3]).unwrap(), vec![1, 2, 3]);
        assert_eq!(
            attachment_ids(&[1, 2, 3, 4, 5]),
            Err(MediaRefusal::TooManyAttachments)
        );
    }

    #[test]
    fn small_version_fits_and_never_grows() {
        assert_eq!(small_size(4000, 3000), (640, 480));
        assert_eq!(small_size(300, 200), (300, 200));
        assert_eq!(small_size(10000, 1), (640, 1));
    }
}
