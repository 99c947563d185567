//! Search text: one normalisation for what is indexed and what is asked.
//!
//! Both databases receive the words already cut and normalised here, and are told to
//! take them as they are (SQLite's FTS5 `ascii` tokenizer splits only on the spaces we
//! put between words; PostgreSQL builds its `tsvector` from the word list without a
//! parser). So SQLite and PostgreSQL see the very same words and give the same
//! answers, whatever the language of a status.
//!
//! A word is a run of letters, marks and numbers (Unicode general categories L, M,
//! N), lower-cased, with Latin/Greek/Cyrillic accents taken off (`é` → `e`), cut to
//! [`MAX_WORD_CHARS`]. Everything else (spaces, punctuation, symbols, emoji) separates
//! words and is never searched for; so no query syntax of either database can reach
//! it.

use std::collections::HashSet;

use icu_normalizer::{ComposingNormalizerBorrowed, DecomposingNormalizerBorrowed};
use icu_properties::props::{GeneralCategory, GeneralCategoryGroup};
use icu_properties::CodePointMapData;

/// Longer words are cut (identically on both sides), keeping index entries small.
pub const MAX_WORD_CHARS: usize = 64;
/// Words of a query beyond this many are ignored.
pub const MAX_QUERY_WORDS: usize = 16;

/// Combining marks that are accents on Latin, Greek and Cyrillic letters. Marks of
/// other scripts (Devanagari vowel signs, Hebrew points...) are part of the word.
fn is_accent(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

fn is_word_char(c: char) -> bool {
    let gc: GeneralCategory = CodePointMapData::<GeneralCategory>::new().get(c);
    GeneralCategoryGroup::Letter.contains(gc)
        || GeneralCategoryGroup::Mark.contains(gc)
        || GeneralCategoryGroup::Number.contains(gc)
}

/// Lower-cased, accents removed, in composed form.
pub fn normalise(text: &str) -> String {
    let lower = text.to_lowercase();
    let decomposed = DecomposingNormalizerBorrowed::new_nfd().normalize(&lower);
    let stripped: String = decomposed.chars().filter(|c| !is_accent(*c)).collect();
    ComposingNormalizerBorrowed::new_nfc()
        .normalize(&stripped)
        .into_owned()
}

/// The words of a text, in order, repeats included.
pub fn words(text: &str) -> Vec<String> {
    normalise(text)
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(MAX_WORD_CHARS).collect())
        .collect()
}

fn dedup(words: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    words
        .into_iter()
        .filter(|w| seen.insert(w.clone()))
        .collect()
}

/// What is stored for a status and indexed: its distinct words (typed text and
/// content warning), separated by single spaces.
pub fn status_document(text: &str, spoiler_text: &str) -> String {
    let mut all = words(spoiler_text);
    all.extend(words(text));
    dedup(all).join(" ")
}

/// What is stored for an account's display name: its words, in order.
pub fn name_document(display_name: &str) -> String {
    words(display_name).join(" ")
}

/// A parsed full-text query: every word must be present; the last one may also be
/// the beginning of a longer word (so results follow what is being typed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextQuery {
    words: Vec<String>,
}

impl TextQuery {
    /// None when the query has no searchable word (only punctuation, say).
    pub fn parse(q: &str) -> Option<Self> {
        let mut words = dedup(words(q));
        words.truncate(MAX_QUERY_WORDS);
        (!words.is_empty()).then_some(Self { words })
    }

    /// The words, each made only of word characters (never quotes, spaces or
    /// operators), so a database query can quote them safely.
    pub fn words(&self) -> &[String] {
        &self.words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercased_unaccented_and_split_on_punctuation() {
        assert_eq!(
            words("Ça va? Très BIEN—merci! naïve café"),
            ["ca", "va", "tres", "bien", "merci", "naive", "cafe"]
        );
        assert_eq!(words("don't"), ["don", "t"]);
        assert_eq!(
            words("@alice #Tuesday https://x.org/a_b"),
            ["alice", "tuesday", "https", "x", "org", "a", "b"]
        );
        assert_eq!(
            words("Ελληνικά Русский ÅSTRÖM"),
            ["ελληνικα", "русскии", "astrom"]
        );
        assert_eq!(words("日本語のテキスト 😀 ok"), ["日本語のテキスト", "ok"]);
        // Devanagari keeps its vowel signs and virama inside the word.
        assert_eq!(words("नमस्ते दुनिया"), ["नमस्ते", "दुनिया"]);
        assert!(words("!!! ... \"' * : & | ( )").is_empty());
    }

    #[test]
    fn long_words_are_cut() {
        let long = "x".repeat(500);
        assert_eq!(words(&long)[0].chars().count(), MAX_WORD_CHARS);
    }

    #[test]
    fn documents_hold_distinct_words() {
        assert_eq!(
            status_document("hello hello World", "CW: world"),
            "cw world hello"
        );
        assert_eq!(status_document("", ""), "");
        assert_eq!(name_document("  José  María "), "jose maria");
    }

    #[test]
    fn queries_keep_only_words() {
        let q = TextQuery::parse("\"foo\" OR bar* NEAR(x) a:b & !c").unwrap();
        assert_eq!(q.words(), ["foo", "or", "bar", "near", "x", "a", "b", "c"]);
        assert!(TextQuery::parse("  ").is_none());
        assert!(TextQuery::parse("*:&!'\"").is_none());
        let many = (0..100)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            TextQuery::parse(&many).unwrap().words().len(),
            MAX_QUERY_WORDS
        );
        for w in TextQuery::parse("it's \"quoted\" back\\slash")
            .unwrap()
            .words()
        {
            assert!(w.chars().all(is_word_char), "{w}");
        }
    }
}
