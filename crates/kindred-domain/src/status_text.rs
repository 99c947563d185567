//! A status's plain text (what an app sends as `status`) to Mastodon-style HTML.
//!
//! Two steps so the caller, which owns the database, can look mentions up in between:
//! [`parse`] finds mentions, hashtags and links; [`render`] writes the HTML. Everything the
//! member typed is escaped, so no markup of theirs reaches a reader's browser.
//!
//! The scanner walks the text once and every failed attempt at a token skips past what it
//! looked at, so the work stays linear in the input whatever it contains.

use url::{Host, Url};

use crate::text::escape_html;

/// Mastodon's limit for the local part of a handle.
const MAX_MENTION_NAME: usize = 30;
/// Longer hashtags are almost always pasted junk; Mastodon ignores them too.
const MAX_HASHTAG: usize = 100;
/// What Mastodon charges for any link against the character limit.
const URL_LENGTH: usize = 23;
/// How much of a link (after `https://`) stays visible before the ellipsis.
const VISIBLE_LINK_CHARS: usize = 30;

/// One piece of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Plain text, possibly with single newlines (rendered as `<br>`).
    Text(String),
    /// `@username` or `@username@domain`; the domain is canonical (lowercase, punycode)
    /// and keeps its port, as in `localhost:8080`.
    Mention {
        username: String,
        domain: Option<String>,
    },
    /// The tag as typed, without `#`.
    Hashtag(String),
    /// An http(s) link: the parsed URL for `href` and the text as typed for display.
    Link { url: Url, text: String },
}

/// A status split into paragraphs of segments, ready for [`render`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedText {
    paragraphs: Vec<Vec<Segment>>,
}

impl ParsedText {
    /// Paragraphs as they will become `<p>` elements; blank ones are already dropped.
    pub fn paragraphs(&self) -> &[Vec<Segment>] {
        &self.paragraphs
    }

    /// All segments in reading order.
    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.paragraphs.iter().flatten()
    }

    /// Who is mentioned, first spelling kept, duplicates dropped ignoring case.
    pub fn mentions(&self) -> Vec<(String, Option<String>)> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for segment in self.segments() {
            if let Segment::Mention { username, domain } = segment {
                let key = (username.to_ascii_lowercase(), domain.clone());
                if !seen.contains(&key) {
                    seen.push(key);
                    out.push((username.clone(), domain.clone()));
                }
            }
        }
        out
    }

    /// Hashtag names, lowercased and deduplicated, in order of first use.
    pub fn hashtags(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for segment in self.segments() {
            if let Segment::Hashtag(tag) = segment {
                let name = tag.to_lowercase();
                if !out.contains(&name) {
                    out.push(name);
                }
            }
        }
        out
    }

    /// Linked URLs in order, duplicates dropped (for link previews).
    pub fn links(&self) -> Vec<&Url> {
        let mut out: Vec<&Url> = Vec::new();
        for segment in self.segments() {
            if let Segment::Link { url, .. } = segment {
                if !out.contains(&url) {
                    out.push(url);
                }
            }
        }
        out
    }
}

/// Where a resolved mention points and the name shown for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionTarget {
    /// The account's profile URL.
    pub url: String,
    /// The name shown after `@`, usually the bare username.
    pub acct_display: String,
}

/// Splits a status into paragraphs exactly like [`crate::text::plain_text_to_html`] and
/// finds the mentions, hashtags and links in each.
pub fn parse(text: &str) -> ParsedText {
    let paragraphs = text
        .trim()
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| tokenize(p.trim()))
        .collect();
    ParsedText { paragraphs }
}

/// Writes the HTML. `tags_base` is the prefix of hashtag pages, for example
/// `https://kindred.example/tags/`; the lowercased, percent-encoded tag is appended.
/// `resolve(username, domain)` returns the account for a mention, or `None` to leave the
/// mention as plain text (unknown accounts must not become links).
pub fn render(
    parsed: &ParsedText,
    tags_base: &str,
    resolve: impl Fn(&str, Option<&str>) -> Option<MentionTarget>,
) -> String {
    let mut out = String::new();
    for paragraph in &parsed.paragraphs {
        out.push_str("<p>");
        for segment in paragraph {
            match segment {
                Segment::Text(text) => push_text(&mut out, text),
                Segment::Mention { username, domain } => {
                    match resolve(username, domain.as_deref()) {
                        Some(target) => {
                            out.push_str("<span class=\"h-card\" translate=\"no\"><a href=\"");
                            out.push_str(&escape_html(&target.url));
                            out.push_str("\" class=\"u-url mention\">@<span>");
                            out.push_str(&escape_html(&target.acct_display));
                            out.push_str("</span></a></span>");
                        }
                        None => {
                            out.push('@');
                            out.push_str(&escape_html(username));
                            if let Some(domain) = domain {
                                out.push('@');
                                out.push_str(&escape_html(domain));
                            }
                        }
                    }
                }
                Segment::Hashtag(tag) => {
                    let href = format!("{tags_base}{}", percent_encode(&tag.to_lowercase()));
                    out.push_str("<a href=\"");
                    out.push_str(&escape_html(&href));
                    out.push_str("\" class=\"mention hashtag\" rel=\"tag\">#<span>");
                    out.push_str(&escape_html(tag));
                    out.push_str("</span></a>");
                }
                Segment::Link { url, text } => push_link(&mut out, url, text),
            }
        }
        out.push_str("</p>");
    }
    out
}

/// Length as Mastodon counts it against the character limit: chars, except that a link
/// costs 23 and a remote mention costs only its `@username` part.
pub fn plain_length(text: &str) -> usize {
    tokenize(text)
        .iter()
        .map(|segment| match segment {
            Segment::Text(text) => text.chars().count(),
            Segment::Mention { username, .. } => 1 + username.chars().count(),
            Segment::Hashtag(tag) => 1 + tag.chars().count(),
            Segment::Link { .. } => URL_LENGTH,
        })
        .sum()
}

fn push_text(out: &mut String, text: &str) {
    out.push_str(&escape_html(text).replace('\n', "<br>"));
}

/// Mastodon's shortened link: scheme (and `www.`) hidden, 30 chars shown, rest hidden.
fn push_link(out: &mut String, url: &Url, text: &str) {
    let prefix_len = link_prefix_len(text);
    let (prefix, rest) = text.split_at_checked(prefix_len).unwrap_or(("", text));
    let shown: String = rest.chars().take(VISIBLE_LINK_CHARS).collect();
    let hidden: String = rest.chars().skip(VISIBLE_LINK_CHARS).collect();
    let class = if hidden.is_empty() { "" } else { "ellipsis" };
    out.push_str("<a href=\"");
    out.push_str(&escape_html(url.as_str()));
    out.push_str(
        "\" target=\"_blank\" rel=\"nofollow noopener noreferrer\" translate=\"no\">\
         <span class=\"invisible\">",
    );
    out.push_str(&escape_html(prefix));
    out.push_str("</span><span class=\"");
    out.push_str(class);
    out.push_str("\">");
    out.push_str(&escape_html(&shown));
    out.push_str("</span><span class=\"invisible\">");
    out.push_str(&escape_html(&hidden));
    out.push_str("</span></a>");
}

/// Byte length of `http://`, `https://` and an optional `www.` at the start.
fn link_prefix_len(text: &str) -> usize {
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|p| starts_with_ignore_case(text, p))
        .map_or(0, str::len);
    let after = text.get(scheme..).unwrap_or("");
    if starts_with_ignore_case(after, "www.") {
        scheme + 4
    } else {
        scheme
    }
}

/// Keeps ASCII letters, digits and `_`; everything else (all of UTF-8 beyond ASCII
/// included) becomes `%XX`, so the URL is valid whatever script the tag is in.
fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'_' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Letters, digits (any script), `_` and common combining accents (a decomposed `é` is
/// `e` + U+0301): what may not touch a token's start and what hashtags are made of.
fn is_word(c: char) -> bool {
    c.is_alphanumeric()
        || c == '_'
        || matches!(
            c,
            '\u{300}'..='\u{36F}'
                | '\u{1AB0}'..='\u{1AFF}'
                | '\u{1DC0}'..='\u{1DFF}'
                | '\u{20D0}'..='\u{20FF}'
                | '\u{FE20}'..='\u{FE2F}'
        )
}

/// The text as chars with their byte offsets, so tokens are cut only on char boundaries.
struct Scanner<'a> {
    src: &'a str,
    chars: Vec<(usize, char)>,
}

impl Scanner<'_> {
    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).map(|&(_, c)| c)
    }

    fn offset(&self, i: usize) -> usize {
        self.chars.get(i).map_or(self.src.len(), |&(o, _)| o)
    }

    /// Text between two char positions.
    fn slice(&self, from: usize, to: usize) -> &str {
        self.src
            .get(self.offset(from)..self.offset(to))
            .unwrap_or("")
    }

    /// First position at or after `i` whose char fails `keep`.
    fn run_end(&self, mut i: usize, keep: impl Fn(char) -> bool) -> usize {
        while self.at(i).is_some_and(&keep) {
            i += 1;
        }
        i
    }
}

/// A token and the position after it, or where scanning should resume if there was none.
type Attempt = Result<(Segment, usize), usize>;

fn tokenize(src: &str) -> Vec<Segment> {
    let scanner = Scanner {
        src,
        chars: src.char_indices().collect(),
    };
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while let Some(c) = scanner.at(i) {
        let prev = i.checked_sub(1).and_then(|p| scanner.at(p));
        // Mastodon's look-behinds: nothing glued to a word, and `/@x`, `=#x` are URL bits.
        let free = prev.is_none_or(|p| !is_word(p));
        let attempt = match c {
            '@' if free && prev.is_none_or(|p| !matches!(p, '/' | '=')) => {
                scan_mention(&scanner, i)
            }
            '#' if free && prev.is_none_or(|p| !matches!(p, '/' | '=' | ')')) => {
                scan_hashtag(&scanner, i)
            }
            'h' | 'H' if free => scan_link(&scanner, i),
            _ => Err(i + 1),
        };
        match attempt {
            Ok((segment, end)) => {
                if text_start < i {
                    out.push(Segment::Text(scanner.slice(text_start, i).to_owned()));
                }
                out.push(segment);
                text_start = end;
                i = end;
            }
            // Always move forward, even if a scanner misreports.
            Err(resume) => i = resume.max(i + 1),
        }
    }
    if text_start < scanner.chars.len() {
        out.push(Segment::Text(
            scanner.slice(text_start, scanner.chars.len()).to_owned(),
        ));
    }
    out
}

/// `@name` or `@name@host[:port]` starting at `at` (the `@`).
fn scan_mention(s: &Scanner<'_>, at: usize) -> Attempt {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let name_start = at + 1;
    // Other servers allow `.` and `-` inside names (`@first.last@example.org`), so read
    // them too, then give trailing ones back to the sentence (`@name.`).
    let run_end = s.run_end(name_start, |c| is_name(c) || c == '.' || c == '-');
    let mut name_end = run_end;
    while name_end > name_start && !s.at(name_end - 1).is_some_and(is_name) {
        name_end -= 1;
    }
    let username = s.slice(name_start, name_end);
    // `@josé` is not a mention of `jos`, and over-long names are nobody.
    let valid = s.at(name_start).is_some_and(is_name)
        && username.len() <= MAX_MENTION_NAME // ASCII, so bytes are chars
        && !s.at(name_end).is_some_and(is_word);
    if !valid {
        return Err(s.run_end(run_end, is_word).max(at + 1));
    }
    if s.at(name_end) != Some('@') {
        // Local names never contain `.` or `-`: `@first.last` names nobody here, and
        // must not notify a member called `first`.
        if username.contains(['.', '-']) {
            return Err(run_end);
        }
        let segment = Segment::Mention {
            username: username.to_owned(),
            domain: None,
        };
        return Ok((segment, name_end));
    }
    // A second `@` promises a domain; if none is valid this is not a mention at all,
    // rather than a wrong notification to a local member with the same name.
    let host_start = name_end + 1;
    let mut host_end = s.run_end(host_start, |c| is_word(c) || c == '.' || c == '-');
    // Trailing dots and dashes belong to the sentence: `@a@b.org.`
    while host_end > host_start && !s.at(host_end - 1).is_some_and(char::is_alphanumeric) {
        host_end -= 1;
    }
    if !s.at(host_start).is_some_and(char::is_alphanumeric) || host_end <= host_start {
        return Err(name_end);
    }
    // Canonical form (lowercase, punycode) so look-ups match whatever the member typed.
    // WHATWG reads `1.2.3` as the address 1.2.0.3; only literal IPv4 hosts are kept.
    let typed = s.slice(host_start, host_end);
    let host = match Host::parse(typed) {
        Ok(Host::Domain(domain)) => domain,
        Ok(Host::Ipv4(ip)) if ip.to_string() == typed => typed.to_owned(),
        _ => return Err(host_end),
    };
    let (domain, end) = match scan_port(s, host_end) {
        Some(port_end) => (format!("{host}{}", s.slice(host_end, port_end)), port_end),
        None => (host, host_end),
    };
    let segment = Segment::Mention {
        username: username.to_owned(),
        domain: Some(domain),
    };
    Ok((segment, end))
}

/// `:1`–`:65535` right after a host, not glued to more word characters.
fn scan_port(s: &Scanner<'_>, colon: usize) -> Option<usize> {
    if s.at(colon) != Some(':') {
        return None;
    }
    let end = s.run_end(colon + 1, |c| c.is_ascii_digit());
    let digits = s.slice(colon + 1, end);
    let valid = (1..=5).contains(&digits.len())
        && digits.parse::<u16>().is_ok_and(|p| p > 0)
        && !s.at(end).is_some_and(is_word);
    valid.then_some(end)
}

/// `#tag` starting at `at` (the `#`): word characters including a letter.
fn scan_hashtag(s: &Scanner<'_>, at: usize) -> Attempt {
    let start = at + 1;
    let end = s.run_end(start, is_word);
    let len = end - start;
    let tag = s.slice(start, end);
    // `#1` is a number, not a topic (Mastodon requires a letter too).
    if len == 0 || len > MAX_HASHTAG || !tag.chars().any(char::is_alphabetic) {
        return Err(end.max(at + 1));
    }
    Ok((Segment::Hashtag(tag.to_owned()), end))
}

/// An `http://` or `https://` link starting at `at`. Other schemes stay text.
fn scan_link(s: &Scanner<'_>, at: usize) -> Attempt {
    let rest = s.src.get(s.offset(at)..).unwrap_or("");
    let Some(scheme_len) = ["https://", "http://"]
        .into_iter()
        .find(|p| starts_with_ignore_case(rest, p))
        .map(str::len)
    else {
        return Err(at + 1);
    };
    let body_start = at + scheme_len; // the scheme is ASCII: one char per byte
    let raw_end = s.run_end(body_start, |c| {
        !(c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`' | '\\'))
    });

    // Punctuation that ends a sentence is not part of the link, nor a `)` (or `]`) that
    // closes a bracket opened before the link: `(see https://x.org/a_(b)).`
    let body = s.slice(body_start, raw_end);
    let open_paren = body.matches('(').count();
    let mut close_paren = body.matches(')').count();
    let open_bracket = body.matches('[').count();
    let mut close_bracket = body.matches(']').count();
    let mut end = raw_end;
    while end > body_start {
        match s.at(end - 1) {
            Some('.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*') => {}
            Some(')') if close_paren > open_paren => close_paren -= 1,
            Some(']') if close_bracket > open_bracket => close_bracket -= 1,
            _ => break,
        }
        end -= 1;
    }
    if end == body_start {
        return Err(raw_end);
    }

    let text = s.slice(at, end);
    match Url::parse(text) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some_and(|h| !h.is_empty()) =>
        {
            Ok((
                Segment::Link {
                    url,
                    text: text.to_owned(),
                },
                end,
            ))
        }
        // Skip the whole candidate: retrying inside it could make the scan quadratic.
        _ => Err(raw_end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::plain_text_to_html;

    const TAGS: &str = "https://k.example/tags/";

    fn nobody(_: &str, _: Option<&str>) -> Option<MentionTarget> {
        None
    }

    /// Resolves everyone, to a URL built from the handle.
    fn everyone(name: &str, domain: Option<&str>) -> Option<MentionTarget> {
        Some(MentionTarget {
            url: format!("https://{}/@{name}", domain.unwrap_or("k.example")),
            acct_display: name.to_owned(),
        })
    }

    fn html(text: &str) -> String {
        render(&parse(text), TAGS, everyone)
    }

    fn mention(name: &str, domain: Option<&str>) -> Segment {
        Segment::Mention {
            username: name.to_owned(),
            domain: domain.map(str::to_owned),
        }
    }

    fn text(t: &str) -> Segment {
        Segment::Text(t.to_owned())
    }

    fn only_paragraph(input: &str) -> Vec<Segment> {
        let parsed = parse(input);
        assert_eq!(parsed.paragraphs().len(), 1, "{input:?}");
        parsed.paragraphs()[0].clone()
    }

    fn link_texts(input: &str) -> Vec<String> {
        parse(input)
            .segments()
            .filter_map(|s| match s {
                Segment::Link { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn plain_text_renders_like_plain_text_to_html() {
        for input in [
            "",
            "   ",
            "hello",
            "a\nb\n\nc",
            "\n\n\n a \n\n\n\n b\n",
            "x\r\ny",
            "a\n \nb",
            "<b>bold</b> & \"quotes\" 'single'",
            "ünïcödé 🌱 日本語",
        ] {
            assert_eq!(
                render(&parse(input), TAGS, everyone),
                plain_text_to_html(input),
                "{input:?}"
            );
        }
    }

    #[test]
    fn mention_at_start_renders_h_card() {
        assert_eq!(
            only_paragraph("@alice hi"),
            vec![mention("alice", None), text(" hi")]
        );
        assert_eq!(
            html("@alice hi"),
            "<p><span class=\"h-card\" translate=\"no\"><a href=\"https://k.example/@alice\" \
             class=\"u-url mention\">@<span>alice</span></a></span> hi</p>"
        );
    }

    #[test]
    fn unresolved_mention_stays_text() {
        assert_eq!(
            render(&parse("hi @ghost@Far.Example!"), TAGS, nobody),
            "<p>hi @ghost@far.example!</p>"
        );
    }

    #[test]
    fn remote_mentions_lowercase_host_and_keep_port() {
        assert_eq!(
            only_paragraph("cc @Bob@Social.Example.ORG, @c@localhost:8080."),
            vec![
                text("cc "),
                mention("Bob", Some("social.example.org")),
                text(", "),
                mention("c", Some("localhost:8080")),
                text("."),
            ]
        );
        // Not a port: the colon belongs to the sentence.
        assert_eq!(
            only_paragraph("@a@b.org: hi"),
            vec![mention("a", Some("b.org")), text(": hi")]
        );
        assert_eq!(
            parse("@a@b.org:99999").mentions(),
            vec![("a".to_owned(), Some("b.org".to_owned()))]
        );
    }

    #[test]
    fn email_addresses_and_glued_at_signs_are_not_mentions() {
        for input in [
            "write to a@b.org",
            "x@y",
            "https://k.example/@alice",
            "k.example/@alice",
            "a=@b",
            "@josé",
            "@",
            "@ @",
            "@!",
            "@alice@",
            "@alice@.",
            "@alice@-x.org",
            "@first.last",
            "@bob.See you",
            "@-x",
            "@x@1.2.3",
            "@x@example.123",
        ] {
            assert!(parse(input).mentions().is_empty(), "{input:?}");
        }
    }

    #[test]
    fn mention_edges() {
        assert_eq!(
            only_paragraph("@name."),
            vec![mention("name", None), text(".")]
        );
        assert_eq!(
            only_paragraph("(@a@b.org.)"),
            vec![text("("), mention("a", Some("b.org")), text(".)")]
        );
        let thirty = "a".repeat(30);
        assert_eq!(parse(&format!("@{thirty}")).mentions().len(), 1);
        assert!(parse(&format!("@{thirty}b")).mentions().is_empty());
        // Dotted and dashed names exist on other servers.
        assert_eq!(
            parse("@first.last@example.org @a-b@c.org").mentions(),
            vec![
                ("first.last".to_owned(), Some("example.org".to_owned())),
                ("a-b".to_owned(), Some("c.org".to_owned())),
            ]
        );
        assert_eq!(
            parse("@dev@127.0.0.1:3000").mentions(),
            vec![("dev".to_owned(), Some("127.0.0.1:3000".to_owned()))]
        );
        // An IDN host is stored in its canonical ASCII form.
        assert_eq!(
            parse("@x@Café.example").mentions(),
            vec![("x".to_owned(), Some("xn--caf-dma.example".to_owned()))]
        );
    }

    #[test]
    fn mentions_deduplicate_ignoring_case() {
        let parsed = parse("@Alice @alice @ALICE@x.org @alice@X.ORG @bob\n\n@BOB");
        assert_eq!(
            parsed.mentions(),
            vec![
                ("Alice".to_owned(), None),
                ("ALICE".to_owned(), Some("x.org".to_owned())),
                ("bob".to_owned(), None),
            ]
        );
    }

    #[test]
    fn hashtags_render_with_typed_case_and_encoded_lowercase_url() {
        assert_eq!(
            html("#Café time"),
            "<p><a href=\"https://k.example/tags/caf%C3%A9\" class=\"mention hashtag\" \
             rel=\"tag\">#<span>Café</span></a> time</p>"
        );
        assert_eq!(
            parse("#Rust #rust #RUST #日本語 #x_1").hashtags(),
            vec!["rust", "日本語", "x_1"]
        );
    }

    #[test]
    fn things_that_are_not_hashtags() {
        for input in [
            "#1",
            "#2024",
            "#_",
            "#",
            "# tag",
            "a#b",
            "https://x.org/#frag",
            "x.org/#frag",
            "a=#b",
            "(x)#b",
            &format!("#{}", "a".repeat(101)),
        ] {
            assert!(parse(input).hashtags().is_empty(), "{input:?}");
        }
        assert_eq!(parse(&format!("#{}", "a".repeat(100))).hashtags().len(), 1);
        assert_eq!(parse("(#tag)").hashtags(), vec!["tag"]);
        assert_eq!(parse("#tag's").hashtags(), vec!["tag"]);
        // A decomposed accent stays inside the tag.
        assert_eq!(parse("#cafe\u{301}!").hashtags(), vec!["cafe\u{301}"]);
    }

    #[test]
    fn short_link_renders_fully_visible() {
        assert_eq!(
            html("see https://x.org/a?b=1&c=2."),
            "<p>see <a href=\"https://x.org/a?b=1&amp;c=2\" target=\"_blank\" \
             rel=\"nofollow noopener noreferrer\" translate=\"no\"><span class=\"invisible\">\
             https://</span><span class=\"\">x.org/a?b=1&amp;c=2</span><span class=\"invisible\">\
             </span></a>.</p>"
        );
    }

    #[test]
    fn long_link_is_shortened_like_mastodon() {
        let url = "https://www.example.org/a/very/long/path/that/goes/on";
        assert_eq!(
            html(url),
            format!(
                "<p><a href=\"{url}\" target=\"_blank\" rel=\"nofollow noopener noreferrer\" \
                 translate=\"no\"><span class=\"invisible\">https://www.</span>\
                 <span class=\"ellipsis\">example.org/a/very/long/path/t</span>\
                 <span class=\"invisible\">hat/goes/on</span></a></p>"
            )
        );
        // Exactly 30 characters after the prefix: no ellipsis.
        let thirty = format!("http://{}", "é".repeat(30));
        assert!(html(&thirty).contains("<span class=\"\">"));
        assert!(html(&format!("{thirty}x")).contains("<span class=\"ellipsis\">"));
    }

    #[test]
    fn link_display_keeps_what_was_typed() {
        let parsed = parse("HTTPS://Example.ORG/Café");
        let Some(Segment::Link { url, text }) = parsed.segments().next() else {
            panic!("no link: {parsed:?}");
        };
        assert_eq!(url.as_str(), "https://example.org/Caf%C3%A9");
        assert_eq!(text, "HTTPS://Example.ORG/Café");
        assert_eq!(parsed.links().len(), 1);
    }

    #[test]
    fn link_boundaries() {
        let cases: [(&str, &[&str]); 12] = [
            ("(https://x.org/a_(b))", &["https://x.org/a_(b)"]),
            ("(see https://x.org/a)", &["https://x.org/a"]),
            ("https://x.org/a).", &["https://x.org/a"]),
            ("[https://x.org/a]", &["https://x.org/a"]),
            ("https://x.org/a?!;:,.", &["https://x.org/a"]),
            ("'https://x.org/it's'", &["https://x.org/it's"]),
            ("<https://x.org/a>", &["https://x.org/a"]),
            ("\"https://x.org/a\"", &["https://x.org/a"]),
            (
                "a https://x.org\nhttp://y.org",
                &["https://x.org", "http://y.org"],
            ),
            ("xhttps://x.org", &[]),
            ("https://", &[]),
            ("http://.", &[]),
        ];
        for (input, expected) in cases {
            assert_eq!(link_texts(input), expected, "{input:?}");
        }
        // The `#` and `@` inside a link are part of it.
        let parsed = parse("https://x.org/@alice#top");
        assert!(parsed.mentions().is_empty() && parsed.hashtags().is_empty());
        assert_eq!(
            link_texts("https://x.org/@alice#top"),
            ["https://x.org/@alice#top"]
        );
    }

    #[test]
    fn other_schemes_stay_text() {
        for input in [
            "javascript:alert(1)",
            "javascript://x.org/%0aalert(1)",
            "ftp://x.org/file",
            "data:text/html,<script>alert(1)</script>",
            "mailto:a@b.org",
        ] {
            assert!(link_texts(input).is_empty(), "{input:?}");
            assert_eq!(
                render(&parse(input), TAGS, nobody),
                plain_text_to_html(input),
                "{input:?}"
            );
        }
    }

    #[test]
    fn no_markup_gets_through() {
        let out = html(
            "<script>alert(1)</script> https://x.org/\"onmouseover=\"alert(1) \
             https://x.org/'onmouseover='alert(1)' #<b>tag</b> @<i>x</i> <a href=x>",
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<b>") && !out.contains("<i>"), "{out}");
        assert!(!out.contains("<a href=x>"), "{out}");
        assert!(!out.contains("\"onmouseover"), "{out}");
        assert!(!out.contains('\''), "{out}");
        // Whatever a resolver returns is escaped too.
        let hostile = |_: &str, _: Option<&str>| {
            Some(MentionTarget {
                url: "\"><script>x</script>".to_owned(),
                acct_display: "<img src=x onerror=alert(1)>".to_owned(),
            })
        };
        let out = render(&parse("@a"), "\"><b>", hostile);
        assert!(!out.contains("<script") && !out.contains("<img"), "{out}");
        let out = render(&parse("#a"), "\"><b>", nobody);
        assert!(!out.contains("<b>"), "{out}");
    }

    #[test]
    fn paragraphs_keep_tokens() {
        let out = html("Hi @bob!\nSee #Care\n\n\nhttps://x.org");
        assert!(out.starts_with("<p>Hi <span class=\"h-card\""), "{out}");
        assert!(out.contains("</span></a></span>!<br>See <a href=\"https://k.example/tags/care\""));
        assert!(
            out.contains("</a></p><p><a href=\"https://x.org/\""),
            "{out}"
        );
        assert!(out.ends_with("</a></p>"), "{out}");
        assert_eq!(parse("a\n\n#b\n\n\n\nc").paragraphs().len(), 3);
    }

    #[test]
    fn plain_length_counts_like_mastodon() {
        assert_eq!(plain_length(""), 0);
        assert_eq!(plain_length("hello"), 5);
        assert_eq!(plain_length("café 🌱"), 6);
        assert_eq!(
            plain_length("https://example.org/a/very/long/path/indeed"),
            23
        );
        assert_eq!(plain_length("see http://x.org"), 4 + 23);
        assert_eq!(plain_length("@alice@social.example.org"), 6);
        assert_eq!(plain_length("@alice hi"), 9);
        assert_eq!(plain_length("#tag a@b.org"), 12);
        // Whitespace counts too; nothing is trimmed.
        assert_eq!(plain_length(" a\n\nb "), 6);
    }

    #[test]
    fn huge_inputs_stay_linear() {
        let n = 100_000;
        let inputs = [
            "a".repeat(n),
            "@".repeat(n),
            "#".repeat(n),
            "@a".repeat(n / 2),
            " @a@".repeat(n / 4),
            "@a@b.".repeat(n / 5),
            "@a.".repeat(n / 3),
            "@a@b.c@".repeat(n / 7),
            ".#a".repeat(n / 3),
            "(http://[".repeat(n / 9),
            "http://".repeat(n / 7),
            format!("https://x.org/{}", ")".repeat(n)),
            format!("https://x.org/{}", "(".repeat(n)),
            format!("https://x.org/{}", ".".repeat(n)),
            "🌱é\u{301}".repeat(n / 3),
            "\n".repeat(n),
            "a\n\n".repeat(n / 3),
        ];
        let started = std::time::Instant::now();
        for input in &inputs {
            let parsed = parse(input);
            let _ = render(&parsed, TAGS, everyone);
            let _ = plain_length(input);
        }
        // Quadratic behaviour on 100k chars would take minutes, not seconds.
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }

    #[test]
    fn tricky_strings_never_panic() {
        let pieces = [
            "",
            " ",
            "\n",
            "\n\n",
            "@",
            "#",
            "@a",
            "@a@",
            "@a@b",
            ":",
            ":8080",
            ".",
            "(",
            ")",
            "[",
            "]",
            "http://",
            "https://x",
            "HtTp://",
            "é",
            "\u{301}",
            "🌱",
            "\u{0}",
            "\u{202E}",
            "日本",
            "&",
            "<",
            "\"",
            "'",
            "\\",
            "%",
            "www.",
            "javascript:",
            "_",
            "1",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let input = format!("{a}{b}{c}");
                    let parsed = parse(&input);
                    let out = render(&parsed, TAGS, everyone);
                    let _ = render(&parsed, TAGS, nobody);
                    let _ = plain_length(&input);
                    let _ = (parsed.mentions(), parsed.hashtags(), parsed.links());
                    // Without anything to link, the output is the plain rendering.
                    if !input.contains(['@', '#']) && !input.to_ascii_lowercase().contains("http") {
                        assert_eq!(out, plain_text_to_html(&input), "{input:?}");
                    }
                }
            }
        }
    }
}
