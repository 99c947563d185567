//! Crisis resources (help lines the admins keep) and the phrases of the opt-in
//! gentle notice (docs/moderation.md).
//!
//! A [`CrisisResource`] cannot exist without a way to reach it: [`Reach`] holds a
//! phone number, a text (SMS) line or an http(s) URL, at least one. [`CrisisPhrases`]
//! match a member's own new post word by word, after the same Unicode normalisation
//! on both sides, so "Want to DIE." matches "want to die" and "diet" never
//! matches "die".

use icu_normalizer::ComposingNormalizerBorrowed;

use crate::DomainError;

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_NUMBER_CHARS: usize = 40;
pub const MAX_TEXT_LINE_CHARS: usize = 100;
pub const MAX_URL_CHARS: usize = 500;
pub const MAX_DETAIL_CHARS: usize = 100;
pub const MAX_POSITION: i32 = 10_000;
/// Phrases an instance may configure, and words in one phrase.
pub const MAX_PHRASES: usize = 500;
pub const MAX_PHRASE_WORDS: usize = 12;

fn refuse(why: &'static str) -> DomainError {
    DomainError::InvalidCrisisResource(why)
}

/// Trimmed, non-empty, at most `max` characters, no control characters; `None` for
/// an absent or blank value.
fn optional(
    value: Option<&str>,
    max: usize,
    too_long: &'static str,
) -> Result<Option<String>, DomainError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().count() > max {
        return Err(refuse(too_long));
    }
    if v.chars().any(char::is_control) {
        return Err(refuse("fields can't hold control characters"));
    }
    Ok(Some(v.to_owned()))
}

/// How to reach a help line: at least one of a phone number, a text line, a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    phone: Option<String>,
    text: Option<String>,
    url: Option<String>,
}

impl Reach {
    /// `phone`: digits with spaces, `+`, `-`, `.`, `(`, `)`; `text`: a number or a
    /// short instruction ("SHOUT to 85258"); `url`: http or https only.
    pub fn parse(
        phone: Option<&str>,
        text: Option<&str>,
        url: Option<&str>,
    ) -> Result<Self, DomainError> {
        let phone = optional(phone, MAX_NUMBER_CHARS, "phone is too long")?;
        if let Some(p) = &phone {
            let allowed = |c: char| c.is_ascii_digit() || " +-.()/".contains(c);
            if !p.chars().all(allowed) || !p.chars().any(|c| c.is_ascii_digit()) {
                return Err(refuse(
                    "phone must be a number (digits, spaces, + - . ( ) /)",
                ));
            }
        }
        let text = optional(text, MAX_TEXT_LINE_CHARS, "text is too long")?;
        let url = optional(url, MAX_URL_CHARS, "url is too long")?
            .map(|u| {
                let parsed = url::Url::parse(&u).map_err(|_| refuse("url is not a valid URL"))?;
                if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                    return Err(refuse("url must be an http or https address"));
                }
                if !parsed.username().is_empty() || parsed.password().is_some() {
                    return Err(refuse("url can't carry a user name or password"));
                }
                Ok(parsed.to_string())
            })
            .transpose()?;
        if phone.is_none() && text.is_none() && url.is_none() {
            return Err(refuse(
                "a crisis resource needs a way to reach it: phone, text or url",
            ));
        }
        Ok(Self { phone, text, url })
    }

    pub fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
}

/// What the person sent, every field optional (the API's and the CLI's input).
#[derive(Debug, Clone, Default)]
pub struct CrisisResourceInput {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub text: Option<String>,
    pub url: Option<String>,
    pub hours: Option<String>,
    pub region: Option<String>,
    pub language: Option<String>,
    pub position: Option<i32>,
}

impl CrisisResourceInput {
    /// This input laid over a stored resource (`PUT`: fields not sent keep their
    /// value; a field sent blank is cleared).
    pub fn over(self, old: &CrisisResource) -> Self {
        let keep = |new: Option<String>, old: Option<&str>| new.or(old.map(str::to_owned));
        Self {
            name: self.name.or(Some(old.name.clone())),
            phone: keep(self.phone, old.reach.phone()),
            text: keep(self.text, old.reach.text()),
            url: keep(self.url, old.reach.url()),
            hours: keep(self.hours, old.hours.as_deref()),
            region: keep(self.region, old.region.as_deref()),
            language: keep(self.language, old.language.as_deref()),
            position: self.position.or(Some(old.position)),
        }
    }
}

/// A help line as the admins keep it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrisisResource {
    pub name: String,
    pub reach: Reach,
    /// When it answers ("24/7", "Mon–Fri 9–17").
    pub hours: Option<String>,
    /// Where it serves ("Norway", "Greater Manchester").
    pub region: Option<String>,
    /// The languages it answers in ("en", "Norwegian and English").
    pub language: Option<String>,
    /// Lower first; ties by age.
    pub position: i32,
}

impl CrisisResource {
    /// `default_position` is used when the input names none (the end of the list).
    pub fn parse(input: CrisisResourceInput, default_position: i32) -> Result<Self, DomainError> {
        let name = optional(input.name.as_deref(), MAX_NAME_CHARS, "name is too long")?
            .ok_or_else(|| refuse("name can't be blank"))?;
        let reach = Reach::parse(
            input.phone.as_deref(),
            input.text.as_deref(),
            input.url.as_deref(),
        )?;
        let detail =
            |v: Option<String>, too_long| optional(v.as_deref(), MAX_DETAIL_CHARS, too_long);
        let position = input.position.unwrap_or(default_position);
        if !(0..=MAX_POSITION).contains(&position) {
            return Err(refuse("position must be between 0 and 10000"));
        }
        Ok(Self {
            name,
            reach,
            hours: detail(input.hours, "hours is too long")?,
            region: detail(input.region, "region is too long")?,
            language: detail(input.language, "language is too long")?,
            position,
        })
    }

    /// One line for people: "Name: phone 116 123, text SHOUT to 85258, https://… (24/7;
    /// Norway; en)".
    pub fn line(&self) -> String {
        let mut ways = Vec::new();
        if let Some(p) = self.reach.phone() {
            ways.push(format!("call {p}"));
        }
        if let Some(t) = self.reach.text() {
            ways.push(format!("text {t}"));
        }
        if let Some(u) = self.reach.url() {
            ways.push(u.to_owned());
        }
        let details: Vec<&str> = [&self.hours, &self.region, &self.language]
            .into_iter()
            .filter_map(|d| d.as_deref())
            .collect();
        let mut line = format!("{}: {}", self.name, ways.join(", "));
        if !details.is_empty() {
            line.push_str(&format!(" ({})", details.join("; ")));
        }
        line
    }
}

/// Text as phrases are compared: compatibility forms folded (full-width letters,
/// ligatures), then cut into words as search does (lower-cased, accents off,
/// punctuation and symbols between words).
fn phrase_words(text: &str) -> Vec<String> {
    let folded = ComposingNormalizerBorrowed::new_nfkc().normalize(text);
    crate::search::words(&folded)
}

/// The phrases an instance configured for the gentle notice (`crisis.phrases`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrisisPhrases(Vec<Vec<String>>);

impl CrisisPhrases {
    /// At least one phrase; each of 1 to 12 words once normalised.
    pub fn parse<S: AsRef<str>>(phrases: &[S]) -> Result<Self, DomainError> {
        if phrases.is_empty() {
            return Err(DomainError::InvalidCrisisPhrase(
                "at least one phrase is needed",
            ));
        }
        if phrases.len() > MAX_PHRASES {
            return Err(DomainError::InvalidCrisisPhrase("at most 500 phrases"));
        }
        let parsed = phrases
            .iter()
            .map(|p| {
                let w = phrase_words(p.as_ref());
                if w.is_empty() {
                    Err(DomainError::InvalidCrisisPhrase(
                        "a phrase needs at least one letter or digit",
                    ))
                } else if w.len() > MAX_PHRASE_WORDS {
                    Err(DomainError::InvalidCrisisPhrase(
                        "a phrase has at most 12 words",
                    ))
                } else {
                    Ok(w)
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Self(parsed))
    }

    /// Whether a post (its text and content warning) holds one of the phrases as
    /// whole words in order.
    pub fn matches(&self, text: &str, spoiler_text: &str) -> bool {
        [spoiler_text, text].iter().any(|t| {
            let words = phrase_words(t);
            self.0
                .iter()
                .any(|phrase| words.windows(phrase.len()).any(|w| w == phrase.as_slice()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> CrisisResourceInput {
        CrisisResourceInput {
            name: Some(name.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_resource_needs_a_way_to_reach_it() {
        let e = CrisisResource::parse(input("Helpline"), 0).unwrap_err();
        assert_eq!(e.code(), "invalid_crisis_resource");
        let blank = CrisisResourceInput {
            phone: Some("  ".into()),
            url: Some("".into()),
            ..input("Helpline")
        };
        assert!(CrisisResource::parse(blank, 0).is_err());
        let ok = CrisisResource::parse(
            CrisisResourceInput {
                phone: Some(" 116 123 ".into()),
                hours: Some("24/7".into()),
                ..input("Samaritans")
            },
            3,
        )
        .unwrap();
        assert_eq!(ok.reach.phone(), Some("116 123"));
        assert_eq!(ok.position, 3);
        assert_eq!(ok.line(), "Samaritans: call 116 123 (24/7)");
    }

    #[test]
    fn urls_are_http_or_https_only() {
        for bad in [
            "javascript:alert(1)",
            "ftp://example.org/",
            "data:text/html,hi",
            "example.org",
            "https://user:pw@example.org/",
        ] {
            let i = CrisisResourceInput {
                url: Some(bad.into()),
                ..input("x")
            };
            assert!(CrisisResource::parse(i, 0).is_err(), "{bad}");
        }
        let i = CrisisResourceInput {
            url: Some("https://www.example.org/help".into()),
            ..input("x")
        };
        assert_eq!(
            CrisisResource::parse(i, 0).unwrap().reach.url(),
            Some("https://www.example.org/help")
        );
    }

    #[test]
    fn lengths_and_characters_are_bounded() {
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        let i = CrisisResourceInput {
            phone: Some("112".into()),
            ..input(&long)
        };
        assert!(CrisisResource::parse(i, 0).is_err());
        for bad_phone in ["call me", "+47 ☎", "+", "1".repeat(41).as_str()] {
            let i = CrisisResourceInput {
                phone: Some(bad_phone.into()),
                ..input("x")
            };
            assert!(CrisisResource::parse(i, 0).is_err(), "{bad_phone}");
        }
        let i = CrisisResourceInput {
            text: Some("SHOUT\u{0}to 85258".into()),
            ..input("x")
        };
        assert!(CrisisResource::parse(i, 0).is_err());
        let i = CrisisResourceInput {
            text: Some("SHOUT to 85258".into()),
            position: Some(-1),
            ..input("x")
        };
        assert!(CrisisResource::parse(i, 0).is_err());
        assert!(CrisisResource::parse(input(""), 0).is_err());
    }

    #[test]
    fn an_update_keeps_what_it_does_not_send_and_clears_what_it_blanks() {
        let old = CrisisResource::parse(
            CrisisResourceInput {
                phone: Some("116 123".into()),
                url: Some("https://example.org/".into()),
                hours: Some("24/7".into()),
                ..input("Samaritans")
            },
            0,
        )
        .unwrap();
        let new = CrisisResourceInput {
            url: Some(String::new()),
            region: Some("UK".into()),
            ..Default::default()
        }
        .over(&old);
        let new = CrisisResource::parse(new, 0).unwrap();
        assert_eq!(new.name, "Samaritans");
        assert_eq!(new.reach.phone(), Some("116 123"));
        assert_eq!(new.reach.url(), None);
        assert_eq!(new.hours.as_deref(), Some("24/7"));
        assert_eq!(new.region.as_deref(), Some("UK"));
        // Blanking the last way to reach it is refused.
        let none = CrisisResourceInput {
            phone: Some(String::new()),
            ..Default::default()
        }
        .over(&new);
        assert!(CrisisResource::parse(none, 0).is_err());
    }

    #[test]
    fn phrases_match_whole_words_whatever_the_case_accents_or_width() {
        let p = CrisisPhrases::parse(&["want to die", "Ingen vei ut", "kill myself"]).unwrap();
        assert!(p.matches("Some days I WANT to die.", ""));
        assert!(p.matches("some days i want to… die", ""));
        assert!(p.matches("", "cw: want to die"));
        assert!(p.matches("det finnes ingen véi ut", ""));
        assert!(
            p.matches("ｋｉｌｌ ｍｙｓｅｌｆ", ""),
            "full-width letters fold"
        );
        // Word boundaries: no match inside other words, nor across a gap.
        assert!(!p.matches("I want to diet", ""));
        assert!(!p.matches("I want to go and die", ""));
        assert!(!p.matches("skill myselfie", ""));
        assert!(!p.matches("", ""));
    }

    #[test]
    fn phrases_must_hold_words() {
        let none: [&str; 0] = [];
        assert!(CrisisPhrases::parse(&none).is_err());
        assert!(CrisisPhrases::parse(&["…!"]).is_err());
        assert!(CrisisPhrases::parse(&["a b c d e f g h i j k l m"]).is_err());
        assert_eq!(
            CrisisPhrases::parse(&["!!"]).unwrap_err().code(),
            "invalid_crisis_phrase"
        );
        assert!(CrisisPhrases::parse(&["x"]).is_ok());
    }
}
