//! The email messages the instance sends, as plain English text, all in this one
//! module (the portal's translations take them over later).
//!
//! A mailbox may be shared or read over someone's shoulder, so a message never
//! carries a post, a group's discussion, a group's name or a meeting's title or
//! place, nor the member's pseudonym: subjects name the instance ("A reminder from
//! <instance>"), bodies say what happened and where to sign in to see more. What a
//! message may carry is typed: a link (the only secret, for resets and address
//! confirmation) and nothing else.

/// What a queued message is; stored as `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    PasswordReset,
    SignUpApproved,
    SignUpRejected,
    ConfirmAddress,
    MeetingReminder,
    PlaceConfirmed,
}

impl MailKind {
    pub const ALL: [MailKind; 6] = [
        Self::PasswordReset,
        Self::SignUpApproved,
        Self::SignUpRejected,
        Self::ConfirmAddress,
        Self::MeetingReminder,
        Self::PlaceConfirmed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::SignUpApproved => "sign_up_approved",
            Self::SignUpRejected => "sign_up_rejected",
            Self::ConfirmAddress => "confirm_address",
            Self::MeetingReminder => "meeting_reminder",
            Self::PlaceConfirmed => "place_confirmed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the message is built around a link the caller made (and sealed).
    pub fn carries_link(self) -> bool {
        matches!(self, Self::PasswordReset | Self::ConfirmAddress)
    }

    /// How long a message may wait for the SMTP server before it is dropped: a
    /// reminder or a reset link is useless once late.
    pub fn useful_for(self) -> chrono::Duration {
        match self {
            Self::PasswordReset => chrono::Duration::hours(1),
            Self::MeetingReminder => chrono::Duration::hours(12),
            Self::ConfirmAddress | Self::PlaceConfirmed => chrono::Duration::days(2),
            Self::SignUpApproved | Self::SignUpRejected => chrono::Duration::days(7),
        }
    }
}

/// Where a message comes from.
pub struct Sender<'a> {
    /// `instance.name`.
    pub instance: &'a str,
    /// The instance's base URL (`https://domain`), where members sign in.
    pub base_url: &'a str,
}

/// A composed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub body: String,
}

/// How long a password-reset link works.
pub fn reset_link_lifetime() -> chrono::Duration {
    chrono::Duration::hours(1)
}

/// How long an address-confirmation link works.
pub fn confirm_link_lifetime() -> chrono::Duration {
    chrono::Duration::days(2)
}

/// The message of `kind`; `link` is the URL for the kinds that carry one (without
/// it such a message is not composed).
pub fn compose(kind: MailKind, from: &Sender<'_>, link: Option<&str>) -> Option<Composed> {
    let (instance, site) = (from.instance, from.base_url);
    let signature = format!("\n\n-- \n{instance}\n{site}\n");
    let (subject, text) = match kind {
        MailKind::PasswordReset => (
            format!("Reset your password at {instance}"),
            format!(
                "Someone, perhaps you, asked to reset the password of an account at \
                 {instance} that uses this email address.\n\n\
                 To choose a new password, open this link within an hour:\n\n{}\n\n\
                 The link works once. Choosing a new password signs you out of every \
                 app. If you did not ask for this, you can ignore this message: your \
                 password stays as it is.",
                link?
            ),
        ),
        MailKind::ConfirmAddress => (
            format!("Confirm your email address at {instance}"),
            format!(
                "This email address was given for an account at {instance}.\n\n\
                 To confirm that it is yours, open this link within two days:\n\n{}\n\n\
                 If you did not give this address, you can ignore this message.",
                link?
            ),
        ),
        MailKind::SignUpApproved => (
            format!("Welcome to {instance}"),
            format!(
                "Your request to join {instance} has been approved. You can now sign \
                 in at {site} or with any Mastodon app."
            ),
        ),
        MailKind::SignUpRejected => (
            format!("Your request to join {instance}"),
            format!(
                "Your request to join {instance} was not approved. Nothing of your \
                 request is kept. If you think this is a mistake, please contact the \
                 organization that runs {instance}."
            ),
        ),
        MailKind::MeetingReminder => (
            format!("A reminder from {instance}"),
            format!(
                "You have a place at a meeting that starts within the next day. \
                 Sign in at {site} to see when and where.\n\n\
                 You get this reminder because you asked for meeting reminders by \
                 email; you can turn them off in your settings."
            ),
        ),
        MailKind::PlaceConfirmed => (
            format!("News from {instance}"),
            format!(
                "Your place at a meeting is confirmed. Sign in at {site} to see \
                 when and where.\n\n\
                 You get this message because you asked to hear of confirmed places \
                 by email; you can turn this off in your settings."
            ),
        ),
    };
    Some(Composed {
        subject,
        body: format!("{text}{signature}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM: Sender<'static> = Sender {
        instance: "Peer Harbour",
        base_url: "https://harbour.example",
    };

    #[test]
    fn kinds_round_trip() {
        for k in MailKind::ALL {
            assert_eq!(MailKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(MailKind::parse("other"), None);
    }

    #[test]
    fn subjects_name_the_instance_only() {
        for k in MailKind::ALL {
            let m = compose(k, &FROM, Some("https://harbour.example/x")).unwrap();
            assert!(m.subject.contains("Peer Harbour"), "{k:?}: {}", m.subject);
            assert!(m.body.contains("https://harbour.example"), "{k:?}");
        }
        let r = compose(MailKind::MeetingReminder, &FROM, None).unwrap();
        assert_eq!(r.subject, "A reminder from Peer Harbour");
    }

    #[test]
    fn a_link_message_needs_its_link() {
        assert_eq!(compose(MailKind::PasswordReset, &FROM, None), None);
        assert_eq!(compose(MailKind::ConfirmAddress, &FROM, None), None);
        let m = compose(
            MailKind::PasswordReset,
            &FROM,
            Some("https://harbour.example/auth/password/reset/abc"),
        )
        .unwrap();
        assert!(m.body.contains("/auth/password/reset/abc"));
        // Messages without a link ignore one given by mistake.
        let m = compose(
            MailKind::PlaceConfirmed,
            &FROM,
            Some("https://evil.example"),
        )
        .unwrap();
        assert!(!m.body.contains("evil"));
    }
}
