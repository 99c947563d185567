//! The one place that decodes pictures (`image`). Every stored picture, uploaded or
//! fetched from another server, goes through [`process`]: the format is sniffed
//! from the bytes, the declared dimensions are checked against the pixel limit
//! before anything is decoded, the decoder's memory is bounded (`image::Limits`),
//! and the picture is decoded and written anew, so no EXIF, GPS, XMP, ICC comment
//! or maker note survives (nothing of the original file is copied, only pixels).
//! CPU-heavy and blocking: callers run it on `spawn_blocking`.

use std::io::Cursor;

use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{AnimationDecoder, DynamicImage, ImageDecoder, ImageReader, Limits};
use kindred_domain::media::{self, ImageFormat, MediaLimits, MediaRefusal, StoredFormat};

/// JPEG quality of re-encoded photos and of every small version.
const JPEG_QUALITY: u8 = 85;
/// Blurhash components (Mastodon's 4 × 4).
const BLURHASH_COMPONENTS: u32 = 4;
/// The blurhash is computed from a copy this small (it only needs the colours).
const BLURHASH_SIDE: u32 = 32;

/// A picture ready to store: the re-encoded original, its small version, sizes and
/// the placeholder.
#[derive(Debug, Clone)]
pub struct Processed {
    pub format: StoredFormat,
    pub original: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// `format.small_for()`: JPEG or PNG (the first frame of an animation).
    pub small: Vec<u8>,
    pub small_format: StoredFormat,
    pub small_width: u32,
    pub small_height: u32,
    pub blurhash: String,
}

/// Checks, decodes and re-encodes `bytes` (see the module). A refusal says why;
/// nothing here panics on any input (a fuzz-style test feeds it mutated files).
pub fn process(bytes: &[u8], limits: &MediaLimits) -> Result<Processed, MediaRefusal> {
    if bytes.is_empty() {
        return Err(MediaRefusal::Missing);
    }
    if bytes.len() as u64 > limits.max_bytes {
        return Err(MediaRefusal::TooLarge);
    }
    let format = ImageFormat::sniff(bytes).ok_or(MediaRefusal::NotAnImage)?;
    if format == ImageFormat::Jpeg && !media::jpeg_is_complete(bytes) {
        return Err(MediaRefusal::Unreadable);
    }
    let decoder_limits = {
        let mut l = Limits::default();
        l.max_alloc = Some(limits.decoder_bytes());
        l
    };
    // Dimensions from the header only: nothing is decoded yet.
    let (w, h) = reader(bytes, format, &decoder_limits)?
        .into_dimensions()
        .map_err(|_| MediaRefusal::Unreadable)?;
    limits.admits(w, h)?;

    if format == ImageFormat::Gif {
        let frames = gif_frames(bytes, limits, &decoder_limits)?;
        if frames.len() > 1 {
            return animated(frames, w, h);
        }
    }

    let mut decoder = reader(bytes, format, &decoder_limits)?
        .into_decoder()
        .map_err(|_| MediaRefusal::Unreadable)?;
    // The camera's orientation is applied to the pixels, since the tag saying it
    // does not survive.
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| MediaRefusal::Unreadable)?;
    if let Some(o) = orientation {
        image.apply_orientation(o);
    }
    let has_alpha = image.color().has_alpha();
    let stored = StoredFormat::for_input(format, has_alpha, false);
    let original = encode(&image, stored)?;
    let (small, small_format, sw, sh) = small_version(&image, stored.small_for())?;
    Ok(Processed {
        format: stored,
        original,
        width: image.width(),
        height: image.height(),
        small,
        small_format,
        small_width: sw,
        small_height: sh,
        blurhash: blurhash_of(&image),
    })
}

fn reader<'a>(
    bytes: &'a [u8],
    format: ImageFormat,
    limits: &Limits,
) -> Result<ImageReader<Cursor<&'a [u8]>>, MediaRefusal> {
    let mut r = ImageReader::new(Cursor::new(bytes));
    r.set_format(match format {
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Png => image::ImageFormat::Png,
        ImageFormat::Gif => image::ImageFormat::Gif,
        ImageFormat::Webp => image::ImageFormat::WebP,
    });
    r.limits(limits.clone());
    Ok(r)
}

/// The frames of a GIF, at most the limit (one more is a refusal), each decoded
/// under the memory bound.
fn gif_frames(
    bytes: &[u8],
    limits: &MediaLimits,
    decoder_limits: &Limits,
) -> Result<Vec<image::Frame>, MediaRefusal> {
    let mut decoder = GifDecoder::new(Cursor::new(bytes)).map_err(|_| MediaRefusal::Unreadable)?;
    decoder
        .set_limits(decoder_limits.clone())
        .map_err(|_| MediaRefusal::TooManyPixels)?;
    let max = limits.max_gif_frames.max(1) as usize;
    let mut frames = Vec::new();
    // All frames together are bounded like one picture of the pixel limit.
    let mut budget = limits.max_pixels.saturating_mul(4);
    for frame in decoder.into_frames() {
        let frame = frame.map_err(|_| MediaRefusal::Unreadable)?;
        if frames.len() == max {
            return Err(MediaRefusal::TooManyFrames);
        }
        let size = u64::from(frame.buffer().width()) * u64::from(frame.buffer().height());
        budget = budget
            .checked_sub(size)
            .ok_or(MediaRefusal::TooManyPixels)?;
        frames.push(frame);
    }
    if frames.is_empty() {
        return Err(MediaRefusal::Unreadable);
    }
    Ok(frames)
}

fn animated(frames: Vec<image::Frame>, w: u32, h: u32) -> Result<Processed, MediaRefusal> {
    let first = DynamicImage::ImageRgba8(frames[0].buffer().clone());
    let mut original = Vec::new();
    {
        // Speed 10 of 30: quantizing each frame again is the slow part.
        let mut enc = GifEncoder::new_with_speed(&mut original, 10);
        enc.set_repeat(Repeat::Infinite)
            .map_err(|_| MediaRefusal::Unreadable)?;
        enc.encode_frames(frames)
            .map_err(|_| MediaRefusal::Unreadable)?;
    }
    let (small, small_format, sw, sh) = small_version(&first, StoredFormat::Gif.small_for())?;
    Ok(Processed {
        format: StoredFormat::Gif,
        original,
        width: w,
        height: h,
        small,
        small_format,
        small_width: sw,
        small_height: sh,
        blurhash: blurhash_of(&first),
    })
}

fn encode(image: &DynamicImage, format: StoredFormat) -> Result<Vec<u8>, MediaRefusal> {
    let mut out = Vec::new();
    let written = match format {
        StoredFormat::Jpeg => {
            // JPEG has no alpha: flatten to RGB.
            let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
            rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
        }
        StoredFormat::Png => {
            let img = match image {
                DynamicImage::ImageRgba8(_) | DynamicImage::ImageRgb8(_) => image.clone(),
                _ if image.color().has_alpha() => DynamicImage::ImageRgba8(image.to_rgba8()),
                _ => DynamicImage::ImageRgb8(image.to_rgb8()),
            };
            img.write_with_encoder(PngEncoder::new(&mut out))
        }
        StoredFormat::Gif => {
            let rgba = image.to_rgba8();
            GifEncoder::new(&mut out).encode_frame(image::Frame::new(rgba))
        }
    };
    written.map_err(|_| MediaRefusal::Unreadable)?;
    Ok(out)
}

fn small_version(
    image: &DynamicImage,
    format: StoredFormat,
) -> Result<(Vec<u8>, StoredFormat, u32, u32), MediaRefusal> {
    let (sw, sh) = media::small_size(image.width(), image.height());
    let small = if (sw, sh) == (image.width(), image.height()) {
        image.clone()
    } else {
        image.resize_exact(sw, sh, image::imageops::FilterType::Triangle)
    };
    Ok((encode(&small, format)?, format, sw, sh))
}

fn blurhash_of(image: &DynamicImage) -> String {
    let tiny = image
        .resize(
            BLURHASH_SIDE,
            BLURHASH_SIDE,
            image::imageops::FilterType::Triangle,
        )
        .to_rgba8();
    blurhash::encode(
        BLURHASH_COMPONENTS,
        BLURHASH_COMPONENTS,
        tiny.width(),
        tiny.height(),
        tiny.as_raw(),
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90))
            .unwrap();
        out
    }

    #[test]
    fn a_photo_is_rewritten_with_a_small_version() {
        let p = process(&jpeg(1000, 500), &MediaLimits::DEFAULT).unwrap();
        assert_eq!((p.width, p.height), (1000, 500));
        assert_eq!((p.small_width, p.small_height), (640, 320));
        assert_eq!(p.format, StoredFormat::Jpeg);
        assert!(p.original.starts_with(&[0xFF, 0xD8]));
        assert!(!p.blurhash.is_empty());
    }

    #[test]
    fn refusals() {
        let l = MediaLimits::DEFAULT;
        assert_eq!(process(b"", &l).unwrap_err(), MediaRefusal::Missing);
        assert_eq!(process(b"hello", &l).unwrap_err(), MediaRefusal::NotAnImage);
        let j = jpeg(64, 64);
        for cut in [j.len() / 3, j.len() / 2, j.len() - 2] {
            assert_eq!(
                process(&j[..cut], &l).unwrap_err(),
                MediaRefusal::Unreadable
            );
        }
        let small = MediaLimits {
            max_pixels: 64 * 63,
            ..l
        };
        assert_eq!(
            process(&j, &small).unwrap_err(),
            MediaRefusal::TooManyPixels
        );
        let tiny = MediaLimits { max_bytes: 10, ..l };
        assert_eq!(process(&j, &tiny).unwrap_err(), MediaRefusal::TooLarge);
    }

    fn png_rgba(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_fn(w, h, |x, y| {
            image::Rgba([x as u8, y as u8, 7, (x ^ y) as u8])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(img)
            .write_with_encoder(PngEncoder::new(&mut out))
            .unwrap();
        out
    }

    fn gif(frames: u32) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = GifEncoder::new(&mut out);
            for i in 0..frames {
                let img =
                    image::RgbaImage::from_pixel(24, 16, image::Rgba([(i * 30) as u8, 9, 9, 255]));
                enc.encode_frame(image::Frame::new(img)).unwrap();
            }
        }
        out
    }

    #[test]
    fn transparency_and_animation_are_kept() {
        let p = process(&png_rgba(50, 40), &MediaLimits::DEFAULT).unwrap();
        assert_eq!(
            (p.format, p.small_format),
            (StoredFormat::Png, StoredFormat::Png)
        );
        let a = process(&gif(3), &MediaLimits::DEFAULT).unwrap();
        assert_eq!(a.format, StoredFormat::Gif);
        let few = MediaLimits {
            max_gif_frames: 2,
            ..MediaLimits::DEFAULT
        };
        assert_eq!(
            process(&gif(3), &few).unwrap_err(),
            MediaRefusal::TooManyFrames
        );
    }

    /// A few hundred mutated pictures (deterministic seed): flipped bytes, cuts,
    /// inserted junk, rewritten header fields. None panics; each is refused or
    /// comes out as a picture within the limits.
    #[test]
    fn mutated_pictures_never_panic() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(28);
        let seeds = [jpeg(64, 48), png_rgba(40, 30), gif(2)];
        let limits = MediaLimits {
            max_pixels: 512 * 512,
            ..MediaLimits::DEFAULT
        };
        let (mut ok, mut refused) = (0, 0);
        for i in 0..360 {
            let mut b = seeds[i % seeds.len()].clone();
            match rng.gen_range(0..4) {
                0 => {
                    for _ in 0..rng.gen_range(1..8) {
                        let at = rng.gen_range(0..b.len());
                        b[at] ^= 1 << rng.gen_range(0..8);
                    }
                }
                1 => {
                    let keep = rng.gen_range(0..b.len());
                    b.truncate(keep);
                }
                2 => {
                    let at = rng.gen_range(0..b.len());
                    let junk: Vec<u8> = (0..rng.gen_range(1..64)).map(|_| rng.gen()).collect();
                    b.splice(at..at, junk);
                }
                _ => {
                    // The header's size fields (PNG's IHDR, GIF's screen, JPEG's early bytes).
                    for at in 6..24.min(b.len()) {
                        if rng.gen_bool(0.3) {
                            b[at] = 0xFF;
                        }
                    }
                }
            }
            match std::panic::catch_unwind(|| process(&b, &limits)) {
                Ok(Ok(p)) => {
                    ok += 1;
                    assert!(u64::from(p.width) * u64::from(p.height) <= limits.max_pixels);
                    assert!(!p.original.is_empty() && !p.small.is_empty());
                }
                Ok(Err(_)) => refused += 1,
                Err(_) => panic!("mutation {i} panicked"),
            }
        }
        assert!(ok > 0 && refused > 0, "ok {ok}, refused {refused}");
    }

    /// Upload-to-ready time of a 12-megapixel photo and CPU per small version.
    /// Run in release: `cargo test -p kindred-core --release -- --ignored
    /// --nocapture media::process::tests::measure`.
    #[test]
    #[ignore]
    fn measure() {
        let big = jpeg(4000, 3000);
        let runs = 3;
        let start = std::time::Instant::now();
        for _ in 0..runs {
            process(&big, &MediaLimits::DEFAULT).unwrap();
        }
        let per = start.elapsed() / runs;
        let decoded = image::load_from_memory(&big).unwrap();
        let start = std::time::Instant::now();
        for _ in 0..runs {
            small_version(&decoded, StoredFormat::Jpeg).unwrap();
        }
        let thumb = start.elapsed() / runs;
        println!(
            "12 MP JPEG ({} bytes): ready in {per:?}; small version {thumb:?}",
            big.len()
        );
    }
}
