//! Every word the portal shows goes through Project Fluent. Two complete languages:
//! English and Norwegian Bokmål. Each page set keeps its messages in its own `.ftl`
//! file per language (listed in [`FILES`]), so page sets can grow side by side; a test
//! checks that both languages carry the same message ids and that each parses.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Timelike};
use chrono_tz::Tz;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// A language the portal speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Nb,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Nb];

    /// The BCP 47 tag, for `<html lang>` and the settings form.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nb => "nb",
        }
    }

    /// A stored or submitted language code; `no` and `nn` readers get Bokmål rather
    /// than English.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "nb" | "no" | "nn" => Some(Lang::Nb),
            _ => None,
        }
    }

    /// The first language of an `Accept-Language` header we speak, by weight; English
    /// when none.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (i, part) in header.split(',').enumerate().take(16) {
            let mut pieces = part.split(';');
            let code = pieces.next().unwrap_or_default();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            if let Some(lang) = Lang::from_code(code) {
                let better = match best {
                    None => true,
                    Some((bq, bi, _)) => q > bq || (q == bq && i < bi),
                };
                if better {
                    best = Some((q, i, lang));
                }
            }
        }
        best.map(|(_, _, l)| l).unwrap_or(Lang::En)
    }
}

/// The message files: (language, file name, text). Add a line per language when a
/// page set adds a file.
const FILES: &[(Lang, &str, &str)] = &[
    (
        Lang::En,
        "common.ftl",
        include_str!("../locales/en/common.ftl"),
    ),
    (
        Lang::Nb,
        "common.ftl",
        include_str!("../locales/nb/common.ftl"),
    ),
    (
        Lang::En,
        "member.ftl",
        include_str!("../locales/en/member.ftl"),
    ),
    (
        Lang::Nb,
        "member.ftl",
        include_str!("../locales/nb/member.ftl"),
    ),
    (
        Lang::En,
        "meetings.ftl",
        include_str!("../locales/en/meetings.ftl"),
    ),
    (
        Lang::Nb,
        "meetings.ftl",
        include_str!("../locales/nb/meetings.ftl"),
    ),
    (
        Lang::En,
        "groups.ftl",
        include_str!("../locales/en/groups.ftl"),
    ),
    (
        Lang::Nb,
        "groups.ftl",
        include_str!("../locales/nb/groups.ftl"),
    ),
    (
        Lang::En,
        "admin.ftl",
        include_str!("../locales/en/admin.ftl"),
    ),
    (
        Lang::Nb,
        "admin.ftl",
        include_str!("../locales/nb/admin.ftl"),
    ),
];

struct Catalog {
    bundles: HashMap<Lang, FluentBundle<FluentResource>>,
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut bundles = HashMap::new();
        for lang in Lang::ALL {
            #[allow(clippy::expect_used)] // constant tags
            let id: LanguageIdentifier = lang.tag().parse().expect("language tag");
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // maud escapes what we interpolate; Unicode isolation marks would only
            // show up as stray characters in form values and titles.
            bundle.set_use_isolating(false);
            for (l, name, text) in FILES {
                if *l != lang {
                    continue;
                }
                match FluentResource::try_new((*text).to_owned()) {
                    Ok(res) => {
                        if let Err(errors) = bundle.add_resource(res) {
                            tracing::error!(
                                file = name,
                                lang = lang.tag(),
                                count = errors.len(),
                                "duplicate message ids"
                            );
                        }
                    }
                    Err((_, errors)) => {
                        tracing::error!(
                            file = name,
                            lang = lang.tag(),
                            count = errors.len(),
                            "message file does not parse"
                        );
                    }
                }
            }
            bundles.insert(lang, bundle);
        }
        Catalog { bundles }
    })
}

/// The message `id` in `lang`; the id itself when it is missing (a test keeps that
/// from shipping).
pub fn tr(lang: Lang, id: &str) -> String {
    format(lang, id, None)
}

/// The message `id` with its variables.
pub fn tr_args(lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let mut fa = FluentArgs::new();
    for (k, v) in args {
        fa.set(*k, v.clone());
    }
    format(lang, id, Some(&fa))
}

fn format(lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> String {
    let Some(bundle) = catalog().bundles.get(&lang) else {
        return id.to_owned();
    };
    let (msg_id, attr) = match id.split_once('.') {
        Some((m, a)) => (m, Some(a)),
        None => (id, None),
    };
    let Some(msg) = bundle.get_message(msg_id) else {
        return id.to_owned();
    };
    let pattern = match attr {
        Some(a) => msg.get_attribute(a).map(|at| at.value()),
        None => msg.value(),
    };
    let Some(pattern) = pattern else {
        return id.to_owned();
    };
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned()
}

/// A date and time as people of `lang` write it, in zone `tz`: "7 December 2026,
/// 19:30" / "7. desember 2026 kl. 19:30".
pub fn datetime(lang: Lang, at: DateTime<chrono::Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    let month = tr(lang, &format!("month-{}", local.month()));
    let args = [
        ("day", FluentValue::from(local.day())),
        ("month", FluentValue::from(month)),
        ("year", FluentValue::from(local.year())),
        (
            "time",
            FluentValue::from(format!("{:02}:{:02}", local.hour(), local.minute())),
        ),
    ];
    tr_args(lang, "datetime", &args)
}

/// A date alone: "7 December 2026" / "7. desember 2026".
pub fn date(lang: Lang, day: chrono::NaiveDate) -> String {
    let month = tr(lang, &format!("month-{}", day.month()));
    let args = [
        ("day", FluentValue::from(day.day())),
        ("month", FluentValue::from(month)),
        ("year", FluentValue::from(day.year())),
    ];
    tr_args(lang, "date", &args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(lang: Lang) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (l, name, text) in FILES {
            if *l != lang {
                continue;
            }
            let res = match FluentResource::try_new((*text).to_owned()) {
                Ok(r) => r,
                Err((_, e)) => panic!("{} {name} does not parse: {e:?}", lang.tag()),
            };
            for entry in res.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    let id = m.id.name.to_owned();
                    for a in &m.attributes {
                        out.insert(format!("{id}.{}", a.id.name));
                    }
                    assert!(out.insert(id.clone()), "{} {name}: {id} twice", lang.tag());
                }
            }
        }
        out
    }

    #[test]
    fn both_languages_carry_the_same_messages() {
        let en = ids(Lang::En);
        let nb = ids(Lang::Nb);
        let only_en: Vec<_> = en.difference(&nb).collect();
        let only_nb: Vec<_> = nb.difference(&en).collect();
        assert!(only_en.is_empty(), "missing in nb: {only_en:?}");
        assert!(only_nb.is_empty(), "missing in en: {only_nb:?}");
        assert!(en.len() > 20);
    }

    #[test]
    fn every_file_is_listed_for_both_languages() {
        for lang in Lang::ALL {
            let names: BTreeSet<_> = FILES.iter().filter(|f| f.0 == lang).map(|f| f.1).collect();
            let en: BTreeSet<_> = FILES
                .iter()
                .filter(|f| f.0 == Lang::En)
                .map(|f| f.1)
                .collect();
            assert_eq!(names, en, "{}", lang.tag());
        }
    }

    #[test]
    fn messages_render_without_isolation_marks() {
        let s = tr_args(
            Lang::En,
            "signed-in-as",
            &[("name", FluentValue::from("river"))],
        );
        assert!(s.contains("river"), "{s}");
        assert!(!s.contains('\u{2068}'), "{s:?}");
        assert_eq!(tr(Lang::En, "no-such-message"), "no-such-message");
    }

    #[test]
    fn accept_language_picks_by_weight() {
        assert_eq!(
            Lang::from_accept_language("nb-NO,nb;q=0.9,en;q=0.8"),
            Lang::Nb
        );
        assert_eq!(
            Lang::from_accept_language("de, en;q=0.5, nb;q=0.7"),
            Lang::Nb
        );
        assert_eq!(Lang::from_accept_language("en-GB,no;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr"), Lang::En);
        assert_eq!(Lang::from_accept_language("nn;q=0"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
    }

    #[test]
    fn dates_in_each_locale() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-07T18:30:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(
            datetime(Lang::En, at, chrono_tz::Europe::Oslo),
            "7 December 2026, 19:30"
        );
        assert_eq!(
            datetime(Lang::Nb, at, chrono_tz::Europe::Oslo),
            "7. desember 2026 kl. 19:30"
        );
    }
}
