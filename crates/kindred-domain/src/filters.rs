//! Keyword filters: where they apply, what they do, and whether a text matches.
//! Members use them to keep triggering words out of sight (a warning to click through,
//! or hidden entirely), so matching errs on the side of matching.

use std::fmt;
use std::str::FromStr;

use crate::DomainError;

/// Where a filter applies, in Mastodon's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterContext {
    Home,
    Notifications,
    Public,
    Thread,
    Account,
}

impl FilterContext {
    pub const ALL: [FilterContext; 5] = [
        Self::Home,
        Self::Notifications,
        Self::Public,
        Self::Thread,
        Self::Account,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Home => "home",
            Self::Notifications => "notifications",
            Self::Public => "public",
            Self::Thread => "thread",
            Self::Account => "account",
        }
    }
}

impl FromStr for FilterContext {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or(DomainError::InvalidFilter("unknown filter context"))
    }
}

/// A non-empty set of contexts, stored comma-separated in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterContexts(Vec<FilterContext>);

impl FilterContexts {
    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Self, DomainError> {
        let mut set = Vec::new();
        for r in raw {
            // Tolerate a comma-separated value as well as repeated parameters.
            for part in r
                .as_ref()
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                let c: FilterContext = part.parse()?;
                if !set.contains(&c) {
                    set.push(c);
                }
            }
        }
        if set.is_empty() {
            return Err(DomainError::InvalidFilter("context can't be blank"));
        }
        set.sort_by_key(|c| FilterContext::ALL.iter().position(|x| x == c));
        Ok(Self(set))
    }

    /// Reads the stored form; unknown parts (from a newer version) are skipped.
    pub fn from_stored(s: &str) -> Self {
        Self(s.split(',').filter_map(|p| p.parse().ok()).collect())
    }

    pub fn contains(&self, c: FilterContext) -> bool {
        self.0.contains(&c)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|c| c.as_str()).collect()
    }
}

impl fmt::Display for FilterContexts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

/// What a matching filter does to a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterAction {
    /// Shown behind a warning naming the filter.
    Warn,
    /// Left out entirely.
    Hide,
}

impl FilterAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warn => "warn",
            Self::Hide => "hide",
        }
    }
}

impl FromStr for FilterAction {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "warn" => Ok(Self::Warn),
            "hide" => Ok(Self::Hide),
            _ => Err(DomainError::InvalidFilter(
                "filter_action must be warn or hide",
            )),
        }
    }
}

/// A filter's title: 1 to 256 characters after trimming.
pub fn parse_title(raw: &str) -> Result<String, DomainError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(DomainError::InvalidFilter("title can't be blank"));
    }
    if t.chars().count() > 256 {
        return Err(DomainError::InvalidFilter("title is too long"));
    }
    Ok(t.to_owned())
}

/// A keyword: 1 to 256 characters after trimming.
pub fn parse_keyword(raw: &str) -> Result<String, DomainError> {
    let k = raw.trim();
    if k.is_empty() {
        return Err(DomainError::InvalidFilter("keyword can't be blank"));
    }
    if k.chars().count() > 256 {
        return Err(DomainError::InvalidFilter("keyword is too long"));
    }
    Ok(k.to_owned())
}

/// Whether `keyword` occurs in `text`, ignoring case. With `whole_word`, an
/// occurrence counts only where it is not part of a longer word — checked only at the
/// ends of the keyword that are themselves word characters, as Mastodon does.
pub fn keyword_matches(text: &str, keyword: &str, whole_word: bool) -> bool {
    let hay: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let needle: Vec<char> = keyword
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .collect();
    if needle.is_empty() || needle.len() > hay.len() {
        return false;
    }
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let check_start = whole_word && word(needle[0]);
    let check_end = whole_word && needle.last().is_some_and(|c| word(*c));
    (0..=hay.len() - needle.len()).any(|i| {
        hay[i..i + needle.len()] == needle[..]
            && !(check_start && i > 0 && word(hay[i - 1]))
            && !(check_end && hay.get(i + needle.len()).is_some_and(|c| word(*c)))
    })
}

/// The readable text of status HTML (ours or sanitized remote HTML): tags dropped,
/// paragraph and line breaks kept as spaces, the common entities decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            _ => out.push(c),
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_ignoring_case_and_inside_words_unless_whole_word() {
        assert!(keyword_matches("Feeling Anxious today", "anxious", true));
        assert!(keyword_matches("ANXIOUSNESS", "anxious", false));
        assert!(!keyword_matches("anxiousness", "anxious", true));
        assert!(!keyword_matches("preanxious", "anxious", true));
        assert!(keyword_matches("so… anxious!", "anxious", true));
        assert!(keyword_matches("Überwältigt", "überwältigt", true));
        assert!(keyword_matches("see #relapse", "#relapse", true));
        assert!(!keyword_matches("", "x", false));
        assert!(!keyword_matches("abc", "", false));
        assert!(!keyword_matches("ab", "abc", false));
        assert!(keyword_matches("a b", "a b", true));
    }

    #[test]
    fn contexts_parse_and_refuse() {
        let c = FilterContexts::parse(&["thread", "home", "home"]).unwrap();
        assert_eq!(c.to_string(), "home,thread");
        assert_eq!(FilterContexts::from_stored("home,thread"), c);
        assert!(FilterContexts::parse(&["home,public"])
            .unwrap()
            .contains(FilterContext::Public));
        assert!(FilterContexts::parse::<&str>(&[]).is_err());
        assert!(FilterContexts::parse(&["everywhere"]).is_err());
        assert!("blur".parse::<FilterAction>().is_err());
    }

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            html_to_text("<p>a &amp; b &lt;3</p><p>c<br>d</p>")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["a", "&", "b", "<3", "c", "d"]
        );
    }
}
