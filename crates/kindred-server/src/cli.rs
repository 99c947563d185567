use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Kindred: a federated peer-support community server.
#[derive(Debug, Parser)]
#[command(name = "kindred", version, about)]
pub struct Cli {
    /// Configuration file (overrides config/default.toml; environment overrides both).
    #[arg(long, global = true, env = "KINDRED_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (applies pending migrations first).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Administration commands.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a local account. Without --password-stdin a strong password is generated
    /// and printed once.
    CreateUser {
        username: String,
        #[arg(long, default_value = "member", value_parser = ["member", "facilitator", "moderator", "admin"])]
        role: String,
        #[arg(long, value_name = "ADDR")]
        email: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Approve a pending sign-up (registration.mode = approval).
    ApproveUser { username: String },
    /// Issue an invite code (registration.mode = invite). Printed once.
    CreateInvite {
        /// How many sign-ups the code allows (default: one).
        #[arg(long, default_value_t = 1)]
        max_uses: i32,
        /// Days until the code expires (default: 7; 0 for never).
        #[arg(long, default_value_t = 7)]
        expires_in_days: i64,
    },
    /// A consistent snapshot of the database, taken while the server runs, into a
    /// new directory DEST (SQLite: `VACUUM INTO`; PostgreSQL: `pg_dump`, custom
    /// format). The instance secret and the configuration are not in it.
    Backup { dest: PathBuf },
    /// Restore a SQLite backup (a directory made by `backup`, or a database file)
    /// into database.url's path. Stop the server first. PostgreSQL: use pg_restore.
    Restore {
        src: PathBuf,
        /// Replace a database that already holds data.
        #[arg(long)]
        force: bool,
    },
    /// Copy this SQLite instance into an empty PostgreSQL database, verifying row
    /// counts table by table. Stop the server first.
    CopyDatabase {
        /// The target, postgres://user:password@host/db (or KINDRED_COPY_TO, which
        /// keeps the password off the command line).
        #[arg(
            long,
            env = "KINDRED_COPY_TO",
            value_name = "URL",
            hide_env_values = true
        )]
        to: String,
    },
    /// Instance announcements shown in members' apps (crisis lines, opening hours).
    #[command(subcommand)]
    Announcement(AnnouncementCommand),
    /// Federation with other servers.
    #[command(subcommand)]
    Federation(FederationCommand),
    /// Crisis resources: the help lines shown in the instance rules, the public
    /// list and the gentle notice (docs/moderation.md).
    #[command(subcommand)]
    Crisis(CrisisCommand),
    /// Reports (docs/moderation.md), read and resolved as the moderator named by --as.
    #[command(subcommand)]
    Reports(ReportsCommand),
    /// Accounts: list, show, suspend, silence, roles, sign-up decisions
    /// (docs/moderation.md). Every change is in the audit log.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// The audit log, newest first: moderation actions, role changes, sign-up
    /// decisions, federation-policy and partner-directory changes.
    Audit {
        /// Only entries from this time on (RFC 3339, e.g. 2026-12-01T00:00:00Z).
        #[arg(long, value_name = "RFC3339")]
        since: Option<String>,
        /// At most this many entries.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum CrisisCommand {
    /// Every crisis resource, in order, with its id.
    List,
    /// Add a help line: a name and at least one of --phone, --text, --url.
    Add {
        #[arg(long)]
        name: String,
        /// A phone number (digits, spaces, + - . ( ) /).
        #[arg(long)]
        phone: Option<String>,
        /// A text (SMS) line: a number or a short instruction ("SHOUT to 85258").
        #[arg(long)]
        text: Option<String>,
        /// A web page (http or https).
        #[arg(long)]
        url: Option<String>,
        /// When it answers, e.g. "24/7".
        #[arg(long)]
        hours: Option<String>,
        /// Where it serves, e.g. "Norway".
        #[arg(long)]
        region: Option<String>,
        /// The languages it answers in, e.g. "en, nb".
        #[arg(long)]
        language: Option<String>,
        /// Its place in the list (lower first; default: last).
        #[arg(long)]
        position: Option<i32>,
    },
    /// Remove a help line by its id (see `list`).
    Remove { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum ReportsCommand {
    /// Open reports, newest first (--resolved: resolved ones).
    List {
        #[arg(long = "as", value_name = "MODERATOR")]
        actor: String,
        #[arg(long)]
        resolved: bool,
    },
    /// One report in full: reporter, comment, statuses, groups, what was done.
    Show {
        id: i64,
        #[arg(long = "as", value_name = "MODERATOR")]
        actor: String,
    },
    /// Mark a report resolved.
    Resolve {
        id: i64,
        #[arg(long = "as", value_name = "MODERATOR")]
        actor: String,
    },
}

/// NAME is a local username, or `user@domain` for a remote account known here.
#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Accounts, newest first (local and remote people; groups are not listed).
    List {
        /// Sign-ups waiting for approval only.
        #[arg(long)]
        pending: bool,
        #[arg(long)]
        suspended: bool,
        #[arg(long)]
        silenced: bool,
        /// Remote accounts only (default: local only).
        #[arg(long)]
        remote: bool,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// One account's role and state.
    Show {
        name: String,
    },
    /// Suspend: hidden everywhere, its logins ended, other servers told.
    Suspend {
        name: String,
        /// Why, as the member will read it in their account warning.
        #[arg(long, default_value = "")]
        reason: String,
        /// The report acted on (its id).
        #[arg(long)]
        report: Option<i64>,
    },
    Unsuspend {
        name: String,
    },
    /// Silence (limit): kept out of public timelines and group discovery.
    Silence {
        name: String,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long)]
        report: Option<i64>,
    },
    Unsilence {
        name: String,
    },
    /// Change a local account's instance role.
    Role {
        name: String,
        #[arg(value_parser = ["member", "facilitator", "moderator", "admin"])]
        role: String,
    },
    /// Approve a sign-up waiting for approval (as `approve-user`).
    Approve {
        name: String,
    },
    /// Reject a sign-up waiting for approval (the pending account is deleted).
    Reject {
        name: String,
    },
    // `reset-password NAME` (mail) and `export NAME` (erasure) belong here too.
    /// Write a member's data export (the same zip the API gives them) to OUT
    /// (default: NAME-export.zip in the current directory), readable by its owner
    /// only. For a member who cannot use the API.
    Export {
        username: String,
        #[arg(long, value_name = "OUT")]
        out: Option<PathBuf>,
    },
    /// Reset a member's password (for instances without email, or a member without
    /// an address): prints a one-time link, valid for an hour, to give to the member
    /// securely; every session and token ends when it is used. With
    /// --new-password: sets a generated password, printed once, and ends every
    /// session and token now.
    ResetPassword {
        username: String,
        #[arg(long)]
        new_password: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum FederationCommand {
    /// The delivery queue per remote instance: backlog, age of the oldest waiting
    /// activity, last success, consecutive failures, dead or alive.
    Queue {
        /// Also list instances with nothing waiting and no failures.
        #[arg(long)]
        all: bool,
    },
    /// Federate with everyone not blocked (`open`) or only with allowed partner
    /// domains (`allowlist`). Without a value: print the mode in force.
    Mode {
        #[arg(value_parser = ["open", "allowlist"])]
        mode: Option<String>,
    },
    /// Block a domain (and its subdomains), with Mastodon's severities.
    Block {
        domain: String,
        /// suspend: no traffic either way, follows severed; silence: content reaches
        /// only its followers; noop: only the flags below.
        #[arg(long, default_value = "silence", value_parser = ["suspend", "silence", "noop"])]
        severity: String,
        #[arg(long)]
        reject_media: bool,
        #[arg(long)]
        reject_reports: bool,
        /// Shown in the public list of blocked domains (when that list is shown).
        #[arg(long, value_name = "TEXT")]
        public_comment: Option<String>,
        /// For admins only.
        #[arg(long, value_name = "TEXT")]
        private_comment: Option<String>,
        /// Show the domain partly masked in the public list.
        #[arg(long)]
        obfuscate: bool,
    },
    /// Lift the block of a domain.
    Unblock { domain: String },
    /// Allow a partner domain (used in allowlist mode), optionally limited to some
    /// kinds of traffic.
    Allow {
        domain: String,
        /// Comma-separated: follows, announcements, meetings, rsvps, reports, direct
        /// (default: all).
        #[arg(long, value_name = "KINDS")]
        scope: Option<String>,
    },
    /// Remove a partner domain from the allowlist.
    Disallow { domain: String },
    /// The mode, blocked domains and allowed partners.
    List,
    /// Import a blocklist: Mastodon's CSV (#domain,#severity,#reject_media,
    /// #reject_reports,#public_comment,#obfuscate) or one domain per line. A bad
    /// line is reported with its number and nothing is applied.
    Import {
        file: std::path::PathBuf,
        /// Print what would change and what would be cut off; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print every block as Mastodon's blocklist CSV.
    Export,
    /// Known remote instances: software, last success, failures, dead or alive,
    /// queued deliveries, and what the policy says.
    Instances,
    /// The partner meeting directory: partners' public meeting listings received
    /// here, and partners receiving ours.
    #[command(subcommand)]
    Directory(DirectoryCommand),
}

#[derive(Debug, Subcommand)]
pub enum DirectoryCommand {
    /// Partners subscribed to, with their answer, and partners subscribed to us.
    List,
    /// Subscribe to a partner instance's public meeting listings (its instance
    /// actor, found by WebFinger; the policy must allow it meeting traffic).
    Subscribe { domain: String },
    /// Stop receiving a partner's listings; the ones it sent are removed.
    Unsubscribe { domain: String },
}

#[derive(Debug, Subcommand)]
pub enum AnnouncementCommand {
    /// Write an announcement; published at once unless --draft.
    Create {
        text: String,
        /// When what it announces starts (RFC 3339, or YYYY-MM-DD with --all-day).
        #[arg(long, value_name = "TIME")]
        starts_at: Option<String>,
        /// When it ends; members stop seeing it then.
        #[arg(long, value_name = "TIME")]
        ends_at: Option<String>,
        #[arg(long)]
        all_day: bool,
        #[arg(long)]
        draft: bool,
    },
    /// List every announcement, newest first.
    List,
    Publish {
        id: i64,
    },
    Unpublish {
        id: i64,
    },
    Delete {
        id: i64,
    },
}
