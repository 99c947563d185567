//! How a meeting reads in a timeline: the status its group posts and the preview
//! card beside it. Built from the public part only (invariant 4): the title, the
//! time in the meeting's own zone, and the locality — never the venue or address.

use chrono::NaiveDateTime;

use super::place::PublicPlace;

/// The facts a listing line shows.
#[derive(Debug, Clone, Copy)]
pub struct ListingFacts<'a> {
    pub title: &'a str,
    /// Wall-clock start in the meeting's zone.
    pub start_local: NaiveDateTime,
    pub zone: &'a str,
    pub place: &'a PublicPlace,
    pub online: bool,
    pub recurring: bool,
    pub cancelled: bool,
}

/// "Tue 8 Dec 2026, 18:30 (Europe/Berlin) · Leipzig, Saxony, Germany · also online".
pub fn when_and_where(f: &ListingFacts<'_>) -> String {
    let mut line = format!(
        "{} ({})",
        f.start_local.format("%a %-d %b %Y, %H:%M"),
        f.zone
    );
    if f.recurring {
        line.push_str(", repeating");
    }
    let label = f.place.label();
    match (label.is_empty(), f.online) {
        (false, true) => line.push_str(&format!(" · {label} · also online")),
        (false, false) => line.push_str(&format!(" · {label}")),
        (true, true) => line.push_str(" · online"),
        (true, false) => {}
    }
    line
}

/// The text of the status a group posts for its meeting.
pub fn status_text(f: &ListingFacts<'_>, link: &str) -> String {
    let title = if f.cancelled {
        format!("Cancelled: {}", f.title)
    } else {
        f.title.to_owned()
    };
    format!("{title}\n{}\n{link}", when_and_where(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(place: &'a PublicPlace) -> ListingFacts<'a> {
        ListingFacts {
            title: "Anxiety café",
            start_local: chrono::NaiveDate::from_ymd_opt(2026, 12, 8)
                .unwrap()
                .and_hms_opt(18, 30, 0)
                .unwrap(),
            zone: "Europe/Berlin",
            place,
            online: true,
            recurring: true,
            cancelled: false,
        }
    }

    #[test]
    fn reads_in_the_meetings_own_zone_with_the_locality_only() {
        let place = PublicPlace {
            locality: "Leipzig".into(),
            region: "Saxony".into(),
            country: "Germany".into(),
        };
        assert_eq!(
            when_and_where(&facts(&place)),
            "Tue 8 Dec 2026, 18:30 (Europe/Berlin), repeating · Leipzig, Saxony, Germany · also online"
        );
        let mut f = facts(&place);
        f.cancelled = true;
        f.online = false;
        f.recurring = false;
        assert_eq!(
            status_text(&f, "https://k.example/meetings/1"),
            "Cancelled: Anxiety café\nTue 8 Dec 2026, 18:30 (Europe/Berlin) · Leipzig, Saxony, Germany\nhttps://k.example/meetings/1"
        );
        let nowhere = PublicPlace {
            locality: String::new(),
            region: String::new(),
            country: String::new(),
        };
        assert!(when_and_where(&facts(&nowhere)).ends_with("repeating · online"));
    }
}
