//! Reports (docs/moderation.md): what a report is and who may see which part of it.
//! Pure rules; storage and routing are `kindred_core::reports`.

use crate::DomainError;

/// Mastodon's report categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Spam,
    Legal,
    Violation,
    Other,
}

impl Category {
    pub const ALL: [Category; 4] = [Self::Spam, Self::Legal, Self::Violation, Self::Other];

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or(DomainError::InvalidReport(
                "category must be one of spam, legal, violation, other",
            ))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Legal => "legal",
            Self::Violation => "violation",
            Self::Other => "other",
        }
    }
}

/// Longest comment taken (Mastodon's 1,000 characters; a remote `Flag` is cut to it).
pub const MAX_COMMENT_CHARS: usize = 1000;
/// Most statuses one report names.
pub const MAX_STATUSES: usize = 20;

/// The instance rules a report cites, as Mastodon numbers them (1-based, as
/// `GET /api/v1/instance/rules` shows them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleIds(Vec<u32>);

impl RuleIds {
    /// Parses the ids given against the number of rules the instance has.
    pub fn parse(ids: &[String], rules: usize) -> Result<Self, DomainError> {
        let mut out = Vec::with_capacity(ids.len());
        for raw in ids {
            let id: u32 = raw.trim().parse().map_err(|_| {
                DomainError::InvalidReport("rule_ids must name rules of this instance")
            })?;
            if id == 0 || id as usize > rules {
                return Err(DomainError::InvalidReport(
                    "rule_ids must name rules of this instance",
                ));
            }
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out.sort_unstable();
        Ok(Self(out))
    }

    /// The stored form: comma-separated ids.
    pub fn stored(&self) -> String {
        self.0
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored form back; anything unreadable is left out.
    pub fn from_stored(s: &str) -> Self {
        Self(s.split(',').filter_map(|p| p.trim().parse().ok()).collect())
    }

    pub fn ids(&self) -> &[u32] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Mastodon's category rule: rules are cited only with `violation`; without a
/// category, citing rules makes it a violation, and nothing makes it `other`.
pub fn settle_category(
    given: Option<Category>,
    rules: RuleIds,
) -> Result<(Category, RuleIds), DomainError> {
    match given {
        None if !rules.is_empty() => Ok((Category::Violation, rules)),
        None => Ok((Category::Other, rules)),
        Some(Category::Violation) => Ok((Category::Violation, rules)),
        Some(c) if rules.is_empty() => Ok((c, rules)),
        Some(_) => Err(DomainError::InvalidReport(
            "rule_ids are only taken with the category violation",
        )),
    }
}

/// A comment as taken: trimmed, at most [`MAX_COMMENT_CHARS`].
pub fn comment(input: &str) -> Result<String, DomainError> {
    let c = input.trim();
    if c.chars().count() > MAX_COMMENT_CHARS {
        return Err(DomainError::InvalidReport(
            "comment must be at most 1000 characters",
        ));
    }
    Ok(c.to_owned())
}

/// A remote server's comment: cut rather than refused (the report still counts).
pub fn remote_comment(input: &str) -> String {
    input.trim().chars().take(MAX_COMMENT_CHARS).collect()
}

/// How much of a report someone sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportView {
    /// An instance moderator or admin: everything, the reporter included.
    Full,
    /// A facilitator of a group the report reaches: the reported posts in their
    /// group and the reported member, never the reporter.
    Facilitator,
}

/// Who sees a report: moderators everything; a facilitator of a group it reaches
/// its group part; nobody else (the reporter themselves, the reported member and
/// facilitators of other groups) anything beyond the reporter's own answer to
/// `POST /api/v1/reports`.
pub fn view_for(may_moderate: bool, facilitates_a_reached_group: bool) -> Option<ReportView> {
    if may_moderate {
        Some(ReportView::Full)
    } else if facilitates_a_reached_group {
        Some(ReportView::Facilitator)
    } else {
        None
    }
}

/// What was done on a report, as recorded against it (`report_actions.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// A post removed: a local one deleted and federated, or a group's post removed
    /// by its facilitator.
    RemovePost,
    /// A remote post hidden here (our copy removed).
    HidePost,
    /// A facilitator muted the reported member in their group.
    Mute,
    /// A facilitator banned the reported member from their group.
    Ban,
    /// A facilitator marked their group's part done.
    Done,
    Assign,
    Unassign,
    Resolve,
    Reopen,
    /// The category or rules changed.
    Update,
}

impl ActionKind {
    pub const ALL: [ActionKind; 10] = [
        Self::RemovePost,
        Self::HidePost,
        Self::Mute,
        Self::Ban,
        Self::Done,
        Self::Assign,
        Self::Unassign,
        Self::Resolve,
        Self::Reopen,
        Self::Update,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RemovePost => "remove_post",
            Self::HidePost => "hide_post",
            Self::Mute => "mute",
            Self::Ban => "ban",
            Self::Done => "done",
            Self::Assign => "assign",
            Self::Unassign => "unassign",
            Self::Resolve => "resolve",
            Self::Reopen => "reopen",
            Self::Update => "update",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(DomainError::InvalidReport("unknown report action"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rule_ids_name_existing_rules_only() {
        let r = RuleIds::parse(&ids(&["2", "1", "2"]), 3).unwrap();
        assert_eq!(r.ids(), &[1, 2]);
        assert_eq!(RuleIds::from_stored(&r.stored()), r);
        for bad in ["0", "4", "x", "-1"] {
            assert!(RuleIds::parse(&ids(&[bad]), 3).is_err(), "{bad}");
        }
        assert!(RuleIds::parse(&ids(&["1"]), 0).is_err());
    }

    #[test]
    fn categories_follow_mastodon() {
        let one = RuleIds::parse(&ids(&["1"]), 1).unwrap();
        assert_eq!(
            settle_category(None, one.clone()).unwrap().0,
            Category::Violation
        );
        assert_eq!(
            settle_category(None, RuleIds::default()).unwrap().0,
            Category::Other
        );
        assert_eq!(
            settle_category(Some(Category::Spam), RuleIds::default())
                .unwrap()
                .0,
            Category::Spam
        );
        assert!(settle_category(Some(Category::Spam), one).is_err());
        assert!(Category::parse("nonsense").is_err());
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()).unwrap(), c);
        }
    }

    #[test]
    fn comments_are_bounded() {
        assert_eq!(comment("  hi ").unwrap(), "hi");
        assert!(comment(&"x".repeat(1001)).is_err());
        assert!(comment(&"é".repeat(1000)).is_ok());
        assert_eq!(remote_comment(&"x".repeat(2000)).len(), 1000);
    }

    #[test]
    fn only_moderators_and_reached_facilitators_see_a_report() {
        assert_eq!(view_for(true, false), Some(ReportView::Full));
        assert_eq!(view_for(false, true), Some(ReportView::Facilitator));
        assert_eq!(view_for(false, false), None);
    }

    #[test]
    fn action_kinds_round_trip() {
        for k in ActionKind::ALL {
            assert_eq!(ActionKind::parse(k.as_str()).unwrap(), k);
        }
    }
}
