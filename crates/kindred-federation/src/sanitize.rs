//! Remote HTML, cleaned before it is stored. Other servers send statuses and bios as
//! HTML; we keep only Mastodon's small set (paragraphs, line breaks, links, spans with
//! the classes Mastodon uses for mentions, hashtags and shortened links) and drop
//! everything else, including the content of `<script>` and `<style>`.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use ammonia::{Builder, UrlRelative};

fn builder() -> &'static Builder<'static> {
    static B: OnceLock<Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = Builder::empty();
        b.tags(HashSet::from(["p", "br", "a", "span"]))
            .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
            .allowed_classes(HashMap::from([
                (
                    "a",
                    HashSet::from(["mention", "hashtag", "u-url", "status-link"]),
                ),
                ("span", HashSet::from(["h-card", "invisible", "ellipsis"])),
            ]))
            .url_schemes(HashSet::from(["http", "https"]))
            .url_relative(UrlRelative::Deny)
            // Links from elsewhere earn no ranking and get no window.opener.
            .link_rel(Some("nofollow noopener noreferrer"))
            .clean_content_tags(HashSet::from(["script", "style", "template", "noscript"]))
            .strip_comments(true);
        b
    })
}

fn text_builder() -> &'static Builder<'static> {
    static B: OnceLock<Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = Builder::empty();
        b.clean_content_tags(HashSet::from(["script", "style", "template", "noscript"]));
        b
    })
}

/// Remote HTML reduced to the tags and attributes Mastodon allows.
pub fn html(input: &str) -> String {
    builder().clean(input).to_string()
}

/// Remote HTML as plain text (for bios shown as text and for the search index):
/// paragraph and line breaks become newlines, entities are decoded.
pub fn plain_text(input: &str) -> String {
    let mut marked = String::with_capacity(input.len());
    let lower = input.to_ascii_lowercase();
    let mut last = 0;
    for (i, _) in lower.match_indices('<') {
        let rest = &lower[i..];
        if rest.starts_with("<br") || rest.starts_with("</p") {
            marked.push_str(&input[last..i]);
            marked.push('\n');
            last = i;
        }
    }
    marked.push_str(&input[last..]);
    let cleaned = text_builder().clean(&marked).to_string();
    decode_entities(&cleaned).trim().to_owned()
}

/// The entities ammonia writes, back to characters, in one pass (so an escaped
/// entity such as `&amp;lt;` becomes the text `&lt;`, never `<`).
fn decode_entities(s: &str) -> String {
    const ENTITIES: [(&str, char); 6] = [
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&nbsp;", ' '),
        ("&amp;", '&'),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let (decoded, len) = ENTITIES
            .iter()
            .find(|(entity, _)| tail.starts_with(entity))
            .map_or(('&', 1), |(entity, c)| (*c, entity.len()));
        out.push(decoded);
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

/// At most `max` characters.
pub fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_mastodon_markup_only() {
        let out = html(
            r#"<p>Hi <a href="https://x.example/@a" class="u-url mention" onclick="x()">@<span>a</span></a></p><script>alert(1)</script><img src=x onerror=alert(1)><b>bold</b>"#,
        );
        assert!(!out.contains("script"), "{out}");
        assert!(!out.contains("alert"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(!out.contains("<b>"), "{out}");
        assert!(out.contains("bold"), "{out}");
        assert!(out.contains(r#"href="https://x.example/@a""#), "{out}");
        assert!(out.contains("mention"), "{out}");
        assert!(
            out.contains("rel=\"nofollow noopener noreferrer\""),
            "{out}"
        );
    }

    #[test]
    fn refuses_dangerous_links() {
        let out = html(
            r#"<a href="javascript:alert(1)">x</a><a href="/relative">y</a><span class="evil">z</span>"#,
        );
        assert!(!out.contains("javascript"), "{out}");
        assert!(!out.contains("/relative"), "{out}");
        assert!(!out.contains("evil"), "{out}");
    }

    #[test]
    fn plain_text_keeps_words_and_breaks() {
        assert_eq!(
            plain_text("<p>One &amp; two</p><p>three<br>four</p><script>x</script>"),
            "One & two\nthree\nfour"
        );
    }

    #[test]
    fn entities_are_decoded_once() {
        assert_eq!(
            decode_entities("&lt;b&gt; &quot;x&#39;s&quot;&nbsp;&amp;lt; & &amp;amp; &bogus; &"),
            "<b> \"x's\" &lt; & &amp; &bogus; &"
        );
        assert_eq!(plain_text("<p>a &amp;lt;b&amp;gt; é</p>"), "a &lt;b&gt; é");
    }
}
