//! Where a meeting happens, split by who may know it (invariant 4).
//!
//! Everyone may learn the [`PublicPlace`]: locality, region, country. The venue's
//! name, street address, postal code, access notes, accessibility details and online
//! link are in [`FullPlace`], which a [`Place`] hands out only against a
//! [`Disclosure`]; a `Disclosure` is made only by [`Disclosure::decide`], for a
//! facilitator or an accepted attendee. Code that builds a public output never holds
//! one, so it cannot reach the address by mistake.

use url::Url;

use super::rsvp::{ParticipationState, Viewer};
use crate::DomainError;

pub const MAX_FIELD: usize = 200;
pub const MAX_ACCESS_NOTES: usize = 1_000;

/// The part of a place anyone may see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicPlace {
    pub locality: String,
    pub region: String,
    pub country: String,
}

impl PublicPlace {
    pub fn is_empty(&self) -> bool {
        self.locality.is_empty() && self.region.is_empty() && self.country.is_empty()
    }

    /// "Leipzig, Saxony, Germany", skipping empty parts.
    pub fn label(&self) -> String {
        [&self.locality, &self.region, &self.country]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Physical-access features a venue may offer (a fixed set, so apps can show icons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Accessibility {
    StepFree,
    HearingLoop,
    QuietRoom,
    AccessibleToilet,
    SignLanguage,
    LargePrint,
    GenderNeutralToilet,
    PublicTransport,
    Parking,
}

impl Accessibility {
    pub const ALL: &'static [Accessibility] = &[
        Self::StepFree,
        Self::HearingLoop,
        Self::QuietRoom,
        Self::AccessibleToilet,
        Self::SignLanguage,
        Self::LargePrint,
        Self::GenderNeutralToilet,
        Self::PublicTransport,
        Self::Parking,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::StepFree => "step_free",
            Self::HearingLoop => "hearing_loop",
            Self::QuietRoom => "quiet_room",
            Self::AccessibleToilet => "accessible_toilet",
            Self::SignLanguage => "sign_language",
            Self::LargePrint => "large_print",
            Self::GenderNeutralToilet => "gender_neutral_toilet",
            Self::PublicTransport => "public_transport",
            Self::Parking => "parking",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == s.trim())
            .ok_or(DomainError::InvalidPlace(
                "accessibility must be among step_free, hearing_loop, quiet_room, accessible_toilet, sign_language, large_print, gender_neutral_toilet, public_transport, parking",
            ))
    }

    /// A comma-separated list (as stored), sorted and without repeats.
    pub fn parse_list(s: &str) -> Result<Vec<Self>, DomainError> {
        let mut out = s
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(Self::parse)
            .collect::<Result<Vec<_>, _>>()?;
        out.sort();
        out.dedup();
        Ok(out)
    }

    pub fn join(list: &[Self]) -> String {
        list.iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Everything about the place, for facilitators and accepted attendees only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FullPlace {
    pub public: PublicPlace,
    pub venue_name: String,
    pub street_address: String,
    pub postal_code: String,
    /// "Ring the bell marked 3".
    pub access_notes: String,
    pub accessibility: Vec<Accessibility>,
    /// The video call of an online or hybrid meeting.
    pub online_link: Option<Url>,
}

/// A place as a client sends it, unchecked.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlaceInput<'a> {
    pub locality: &'a str,
    pub region: &'a str,
    pub country: &'a str,
    pub venue_name: &'a str,
    pub street_address: &'a str,
    pub postal_code: &'a str,
    pub access_notes: &'a str,
    pub accessibility: &'a [String],
    pub online_link: &'a str,
}

/// A checked place. Its private part is reachable only through a [`Disclosure`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place(FullPlace);

impl Place {
    /// Checks lengths, the accessibility words and the link (http or https), and that
    /// the meeting is somewhere: at least a locality or an online link.
    pub fn parse(input: &PlaceInput<'_>) -> Result<Self, DomainError> {
        let field = |s: &str, max: usize, why: &'static str| {
            let t = s.trim();
            if t.chars().count() > max || t.chars().any(|c| c.is_control() && c != '\n') {
                return Err(DomainError::InvalidPlace(why));
            }
            Ok(t.to_owned())
        };
        let line = |s: &str, why: &'static str| {
            let t = field(s, MAX_FIELD, why)?;
            if t.contains('\n') {
                return Err(DomainError::InvalidPlace(why));
            }
            Ok(t)
        };
        let public = PublicPlace {
            locality: line(
                input.locality,
                "locality is one line of at most 200 characters",
            )?,
            region: line(input.region, "region is one line of at most 200 characters")?,
            country: line(
                input.country,
                "country is one line of at most 200 characters",
            )?,
        };
        let online_link = match input.online_link.trim() {
            "" => None,
            s => {
                let url = Url::parse(s)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
                    .ok_or(DomainError::InvalidPlace(
                        "online_link must be an http or https address",
                    ))?;
                if s.len() > 2_000 {
                    return Err(DomainError::InvalidPlace("online_link is too long"));
                }
                Some(url)
            }
        };
        if public.locality.is_empty() && online_link.is_none() {
            return Err(DomainError::InvalidPlace(
                "a meeting needs a locality, an online link, or both",
            ));
        }
        let accessibility = {
            let mut a = input
                .accessibility
                .iter()
                .map(|s| Accessibility::parse(s))
                .collect::<Result<Vec<_>, _>>()?;
            a.sort();
            a.dedup();
            a
        };
        Ok(Self(FullPlace {
            public,
            venue_name: line(
                input.venue_name,
                "venue_name is one line of at most 200 characters",
            )?,
            street_address: field(
                input.street_address,
                MAX_FIELD,
                "street_address is at most 200 characters",
            )?,
            postal_code: line(
                input.postal_code,
                "postal_code is one line of at most 200 characters",
            )?,
            access_notes: field(
                input.access_notes,
                MAX_ACCESS_NOTES,
                "access_notes are at most 1000 characters",
            )?,
            accessibility,
            online_link,
        }))
    }

    /// Rebuilds a stored place (already checked when it was saved).
    pub fn from_stored(full: FullPlace) -> Self {
        Self(full)
    }

    pub fn public(&self) -> &PublicPlace {
        &self.0.public
    }

    /// Whether there is an online link: a public fact ("hybrid"), unlike the link.
    pub fn is_online(&self) -> bool {
        self.0.online_link.is_some()
    }

    /// Whether there is a physical venue (a locality).
    pub fn is_physical(&self) -> bool {
        !self.0.public.locality.is_empty()
    }

    /// The whole place, for someone a disclosure was decided for.
    pub fn full(&self, _: &Disclosure) -> &FullPlace {
        &self.0
    }

    /// For storage, which keeps the private fields in their own table.
    pub fn into_stored(self) -> FullPlace {
        self.0
    }
}

/// Proof that the viewer may learn the full place. Only [`Disclosure::decide`] makes
/// one.
#[derive(Debug)]
pub struct Disclosure(());

impl Disclosure {
    /// Facilitators (of the meeting's group, or of the instance for its own meetings)
    /// and attendees whose place is accepted. Nobody else: not the interested, not
    /// the wait list, not those waiting for approval.
    pub fn decide(viewer: &Viewer) -> Option<Self> {
        (viewer.facilitator || viewer.participation == Some(ParticipationState::Accepted))
            .then_some(Self(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(accessibility: &'a [String]) -> PlaceInput<'a> {
        PlaceInput {
            locality: "Leipzig",
            region: "Saxony",
            country: "Germany",
            venue_name: "Haus der Begegnung",
            street_address: "Lindenstr. 3",
            postal_code: "04109",
            access_notes: "Ring the bell marked 3",
            accessibility,
            online_link: "https://meet.example/room",
        }
    }

    #[test]
    fn the_full_place_needs_a_disclosure() {
        let acc = [
            "quiet_room".to_owned(),
            "step_free".to_owned(),
            "step_free".to_owned(),
        ];
        let place = Place::parse(&input(&acc)).expect("valid");
        assert_eq!(place.public().label(), "Leipzig, Saxony, Germany");
        assert!(place.is_online());
        let stranger = Viewer {
            facilitator: false,
            participation: None,
        };
        assert!(Disclosure::decide(&stranger).is_none());
        for waiting in [
            ParticipationState::Requested,
            ParticipationState::Waitlisted,
            ParticipationState::Interested,
            ParticipationState::Invited,
            ParticipationState::Rejected,
        ] {
            let v = Viewer {
                facilitator: false,
                participation: Some(waiting),
            };
            assert!(Disclosure::decide(&v).is_none(), "{waiting:?}");
        }
        let attendee = Viewer {
            facilitator: false,
            participation: Some(ParticipationState::Accepted),
        };
        let d = Disclosure::decide(&attendee).expect("accepted attendee");
        let full = place.full(&d);
        assert_eq!(full.street_address, "Lindenstr. 3");
        assert_eq!(
            full.accessibility,
            [Accessibility::StepFree, Accessibility::QuietRoom]
        );
        let facilitator = Viewer {
            facilitator: true,
            participation: None,
        };
        assert!(Disclosure::decide(&facilitator).is_some());
    }

    #[test]
    fn refuses_bad_places() {
        let bad = ["wheelchair".to_owned()];
        assert_eq!(
            Place::parse(&input(&bad)).map_err(|e| e.code()),
            Err("invalid_place")
        );
        let mut i = input(&[]);
        i.online_link = "javascript:alert(1)";
        assert!(Place::parse(&i).is_err());
        let mut i = input(&[]);
        i.locality = "";
        i.online_link = "";
        assert!(Place::parse(&i).is_err());
        let mut i = input(&[]);
        i.locality = "Leipzig\nSaxony";
        assert!(Place::parse(&i).is_err());
        let long = "x".repeat(201);
        let mut i = input(&[]);
        i.postal_code = &long;
        assert!(Place::parse(&i).is_err());
        // Online only is fine.
        let mut i = input(&[]);
        i.locality = "";
        assert!(Place::parse(&i).is_ok_and(|p| !p.is_physical()));
    }
}
