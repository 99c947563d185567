//! How people type an account's address when they look one up: `name`, `@name`,
//! `name@host`, `@name@host` — and `!name@host`, the form Lemmy users share a
//! community (a group) by. The `!` form is for look-ups only (search, account
//! look-up, the meeting directory); post text keeps its own mention rules
//! (`status_text`), where `!name@host` stays plain text.

/// The address without surrounding space and one leading `@` or `!`.
pub fn lookup_address(q: &str) -> &str {
    let q = q.trim();
    q.strip_prefix('@')
        .or_else(|| q.strip_prefix('!'))
        .unwrap_or(q)
        .trim_start()
}

/// `(name, host)` of an address that names a host (`name@host` after its sigil);
/// None without one.
pub fn split_address(q: &str) -> Option<(&str, &str)> {
    let (name, host) = lookup_address(q).split_once('@')?;
    (!name.is_empty() && !host.trim().is_empty()).then(|| (name, host.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lemmy_community_addresses_read_as_account_addresses() {
        assert_eq!(lookup_address("!cafe@lemmy.example"), "cafe@lemmy.example");
        assert_eq!(
            lookup_address("  @cafe@lemmy.example "),
            "cafe@lemmy.example"
        );
        assert_eq!(lookup_address("cafe@lemmy.example"), "cafe@lemmy.example");
        assert_eq!(lookup_address("!cafe"), "cafe");
        assert_eq!(
            split_address("!cafe@lemmy.example"),
            Some(("cafe", "lemmy.example"))
        );
        assert_eq!(
            split_address("@cafe@localhost:8080"),
            Some(("cafe", "localhost:8080"))
        );
    }

    #[test]
    fn only_one_sigil_is_taken() {
        assert_eq!(lookup_address("!!cafe@host"), "!cafe@host");
        assert_eq!(lookup_address("@!cafe@host"), "!cafe@host");
        assert_eq!(split_address("cafe"), None);
        assert_eq!(split_address("!@host"), None);
        assert_eq!(split_address("!cafe@"), None);
    }
}
