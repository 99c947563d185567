//! A made-up community, generated deterministically and written in bulk through
//! `kindred_db::bench::seed`: accounts with a skewed follow graph (a few popular accounts,
//! everyone following 100–200 others), then statuses spread over a year with a
//! realistic mix of audiences, replies, mentions, hashtags, boosts and favourites.

use kindred_domain::Visibility;
use std::collections::{HashSet, VecDeque};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use kindred_api::crypto::sha256_hex;
use kindred_db::bench::seed::*;
use kindred_domain::status_text::{self, MentionTarget};
use kindred_domain::IdGenerator;
use kindred_federation::urls::LocalUrls;
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Statuses per bulk transaction.
pub const CHUNK: usize = 20_000;

const WORDS: &[&str] = &[
    "today",
    "was",
    "hard",
    "but",
    "I",
    "made",
    "it",
    "through",
    "thanks",
    "to",
    "this",
    "group",
    "feeling",
    "better",
    "after",
    "talking",
    "with",
    "my",
    "peer",
    "supporter",
    "sleep",
    "has",
    "been",
    "rough",
    "again",
    "anyone",
    "else",
    "find",
    "mornings",
    "difficult",
    "walked",
    "outside",
    "for",
    "ten",
    "minutes",
    "small",
    "wins",
    "count",
    "grateful",
    "for",
    "you",
    "all",
    "breathing",
    "exercise",
    "helped",
    "a",
    "lot",
    "meeting",
    "tonight",
    "at",
    "seven",
    "remember",
    "to",
    "drink",
    "water",
    "and",
    "rest",
    "one",
    "step",
    "at",
    "a",
    "time",
    "the",
    "anxiety",
    "is",
    "loud",
    "but",
    "I",
    "am",
    "louder",
    "journaling",
    "works",
    "for",
    "me",
    "how",
    "do",
    "you",
    "cope",
    "with",
    "evenings",
    "sending",
    "care",
    "to",
    "everyone",
    "struggling",
    "new",
    "here",
    "hello",
    "therapy",
    "appointment",
    "went",
    "well",
    "so",
    "proud",
    "of",
    "this",
    "community",
];

const TAG_NAMES: usize = 300;

pub struct Member {
    pub id: i64,
    pub username: String,
    pub active: bool,
}

/// A seeded status remembered for replies and boosts.
#[derive(Clone, Copy)]
struct Recent {
    id: i64,
    author: usize,
    rank: u8, // 0 public, 1 unlisted, 2 private, 3 direct
    local_only: bool,
}

const VISIBILITY: [Visibility; 4] = [
    Visibility::Public,
    Visibility::Unlisted,
    Visibility::Private,
    Visibility::Direct,
];

pub struct World {
    rng: StdRng,
    ids: IdGenerator,
    urls: LocalUrls,
    pub members: Vec<Member>,
    following: Vec<Vec<usize>>,
    author_weights: WeightedIndex<f64>,
    tag_weights: WeightedIndex<f64>,
    tag_ids: Vec<i64>,
    recent: VecDeque<Recent>,
    /// Time of the next status, in milliseconds, and the step between statuses.
    clock_ms: i64,
    step_ms: i64,
    pub statuses: u64,
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn naive(ms: i64) -> NaiveDateTime {
    at(ms).naive_utc()
}

impl World {
    /// Accounts, follows, blocks, mutes, tags and the tokens: the first batch. Statuses
    /// for up to `max_statuses` will spread over the year before now.
    pub fn new(urls: LocalUrls, accounts: usize, max_statuses: u64) -> (Self, Batch) {
        let mut rng = StdRng::seed_from_u64(0x6b696e64);
        let ids = IdGenerator::new();
        let now = Utc::now();
        let year_ago = now - Duration::days(365);
        let mut b = Batch::default();
        // Ids for relation rows: one millisecond apart before the first status, as the
        // generator's 16-bit counter would repeat within one millisecond.
        let mut relation_ms = year_ago.timestamp_millis() - 10 * 86_400_000;
        let mut relation_id = || {
            relation_ms += 1;
            ids.next_at(at(relation_ms))
        };
        let mut members = Vec::with_capacity(accounts);
        for i in 0..accounts {
            let created = year_ago - Duration::days(rng.gen_range(1..700));
            let id = ids.next_at(created);
            // A few suspended accounts: their statuses exist but nobody sees them.
            let suspended = i > 100 && rng.gen_bool(0.002);
            let username = format!("member{i}");
            b.accounts.push(SeedAccount {
                id,
                username: username.clone(),
                username_lower: username.clone(),
                domain: String::new(),
                display_name: format!("Member {i}"),
                note: String::new(),
                role: "member".into(),
                public_key_pem: "-----BEGIN PUBLIC KEY-----\nseeded\n-----END PUBLIC KEY-----\n"
                    .into(),
                locked: false,
                discoverable: false,
                // Hidden by default; some members show their follower totals.
                hide_collections: !rng.gen_bool(0.2),
                approved: true,
                suspended,
                created_at: created.naive_utc(),
                updated_at: created.naive_utc(),
            });
            b.users.push(SeedUser {
                account_id: id,
                private_key_pem: "seeded".into(),
                default_privacy: "public".into(),
                created_at: created.naive_utc(),
            });
            members.push(Member {
                id,
                username,
                active: !suspended,
            });
        }
        // Follows: 100–200 each; about a third go to popular accounts (low index),
        // the rest anywhere.
        let popular = WeightedIndex::new((0..accounts).map(|i| 1.0 / (i as f64 + 5.0))).unwrap();
        let mut pairs: HashSet<(usize, usize)> = HashSet::new();
        let mut following: Vec<Vec<usize>> = vec![Vec::new(); accounts];
        for (a, list) in following.iter_mut().enumerate() {
            let want = rng.gen_range(100..=200).min(accounts.saturating_sub(1));
            while list.len() < want {
                let t = if rng.gen_bool(0.35) {
                    popular.sample(&mut rng)
                } else {
                    rng.gen_range(0..accounts)
                };
                if t != a && pairs.insert((a, t)) {
                    list.push(t);
                }
            }
        }
        // A few blocks, which sever follows both ways, and a few mutes of followed
        // accounts (mutes keep the follow).
        let mut blocks = Vec::new();
        for a in 0..accounts {
            if rng.gen_bool(0.01) {
                let t = rng.gen_range(0..accounts);
                if t != a {
                    pairs.remove(&(a, t));
                    pairs.remove(&(t, a));
                    following[a].retain(|x| *x != t);
                    following[t].retain(|x| *x != a);
                    blocks.push((a, t));
                }
            }
        }
        for (a, t) in blocks {
            b.blocks.push(SeedBlock {
                id: relation_id(),
                account_id: members[a].id,
                target_account_id: members[t].id,
                created_at: year_ago.naive_utc(),
            });
        }
        for (a, list) in following.iter().enumerate() {
            if rng.gen_bool(0.03) && !list.is_empty() {
                let t = list[rng.gen_range(0..list.len())];
                b.mutes.push(SeedMute {
                    id: relation_id(),
                    account_id: members[a].id,
                    target_account_id: members[t].id,
                    hide_notifications: true,
                    expires_at: None,
                    created_at: year_ago.naive_utc(),
                });
            }
            for t in list {
                b.follows.push(SeedFollow {
                    id: relation_id(),
                    account_id: members[a].id,
                    target_account_id: members[*t].id,
                    show_reblogs: !rng.gen_bool(0.05),
                    notify: rng.gen_bool(0.01),
                    created_at: year_ago.naive_utc(),
                });
            }
        }
        let mut tag_ids = Vec::with_capacity(TAG_NAMES);
        for i in 0..TAG_NAMES {
            let id = relation_id();
            tag_ids.push(id);
            b.tags.push(SeedTag {
                id,
                name: format!("topic{i}"),
                created_at: year_ago.naive_utc(),
            });
        }
        // Popular accounts also post more: weights fall off with the index.
        let author_weights =
            WeightedIndex::new((0..accounts).map(|i| 1.0 / (i as f64 + 20.0).powf(0.8))).unwrap();
        let tag_weights =
            WeightedIndex::new((0..TAG_NAMES).map(|i| 1.0 / (i as f64 + 1.0))).unwrap();
        let span_ms = (now - year_ago).num_milliseconds() - 60_000;
        let step_ms = (span_ms / max_statuses.max(1) as i64).max(1);
        let world = Self {
            rng,
            ids,
            urls,
            members,
            following,
            author_weights,
            tag_weights,
            tag_ids,
            recent: VecDeque::with_capacity(4096),
            clock_ms: year_ago.timestamp_millis(),
            step_ms,
            statuses: 0,
        };
        (world, b)
    }

    /// An application and one read/write token for each of `n` active members; returns
    /// (member index, bearer token).
    pub fn tokens(&mut self, n: usize) -> (Batch, Vec<(usize, String)>) {
        let mut b = Batch::default();
        let now = Utc::now();
        let app_id = self.ids.next_at(now);
        b.applications.push(SeedApplication {
            id: app_id,
            name: "bench".into(),
            website: None,
            redirect_uris: "urn:ietf:wg:oauth:2.0:oob".into(),
            scopes: "read write".into(),
            client_id: format!("bench-{app_id}"),
            client_secret_hash: sha256_hex("bench secret"),
            created_at: now.naive_utc(),
        });
        let mut chosen: Vec<usize> = (0..self.members.len())
            .filter(|i| self.members[*i].active)
            .collect();
        // Deterministic sample spread over popular and quiet members alike.
        for i in (1..chosen.len()).rev() {
            let j = self.rng.gen_range(0..=i);
            chosen.swap(i, j);
        }
        chosen.truncate(n);
        let mut out = Vec::new();
        for m in chosen {
            let token = format!("bench-{m}-{:016x}", self.rng.gen::<u64>());
            b.tokens.push(SeedToken {
                id: self.ids.next_at(now),
                token_hash: sha256_hex(&token),
                application_id: app_id,
                account_id: Some(self.members[m].id),
                scopes: "read write".into(),
                created_at: now.naive_utc(),
            });
            out.push((m, token));
        }
        (b, out)
    }

    /// Takes the ids an earlier run stored for the same members and tags.
    pub fn adopt_ids(&mut self, accounts: &[(String, i64)], tags: &[(String, i64)]) {
        let accounts: std::collections::HashMap<&str, i64> =
            accounts.iter().map(|(n, id)| (n.as_str(), *id)).collect();
        for m in &mut self.members {
            if let Some(id) = accounts.get(m.username.as_str()) {
                m.id = *id;
            }
        }
        let tags: std::collections::HashMap<&str, i64> =
            tags.iter().map(|(n, id)| (n.as_str(), *id)).collect();
        for (i, id) in self.tag_ids.iter_mut().enumerate() {
            if let Some(stored) = tags.get(format!("topic{i}").as_str()) {
                *id = *stored;
            }
        }
    }

    /// Continues after `n` statuses written by an earlier run.
    pub fn resume_after(&mut self, n: u64) {
        self.statuses = n;
        self.clock_ms += self.step_ms * n as i64;
    }

    fn text(&mut self, mention: Option<usize>, tags: &[usize]) -> String {
        let mut s = String::new();
        if let Some(m) = mention {
            s.push('@');
            s.push_str(&self.members[m].username);
            s.push(' ');
        }
        let n = self.rng.gen_range(6..40);
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(WORDS[self.rng.gen_range(0..WORDS.len())]);
        }
        for t in tags {
            s.push_str(&format!(" #topic{t}"));
        }
        s
    }

    fn render(&self, text: &str) -> String {
        let parsed = status_text::parse(text);
        status_text::render(&parsed, &self.urls.tags_base(), |name, _| {
            Some(MentionTarget {
                url: self.urls.profile_page(name).to_string(),
                acct_display: name.to_owned(),
            })
        })
    }

    /// The next `n` statuses (and their mentions, tags and favourites) as one batch.
    pub fn statuses(&mut self, n: usize) -> Batch {
        let mut b = Batch::default();
        for _ in 0..n {
            self.clock_ms += self.step_ms;
            let ms = self.clock_ms - self.rng.gen_range(0..self.step_ms);
            let created = naive(ms);
            let id = self.ids.next_at(at(ms));
            let author = self.author_weights.sample(&mut self.rng);
            let username = self.members[author].username.clone();
            let roll: f64 = self.rng.gen();
            // 8% boosts of a recent public or unlisted status by someone else.
            if roll < 0.08 {
                let pick = self
                    .recent
                    .iter()
                    .rev()
                    .take(500)
                    .filter(|r| r.rank <= 1 && r.author != author)
                    .nth(self.rng.gen_range(0..50));
                if let Some(target) = pick.copied() {
                    b.statuses.push(SeedStatus {
                        id,
                        uri: format!("{}/activity", self.urls.status(&username, id)),
                        account_id: self.members[author].id,
                        local: true,
                        in_reply_to_id: None,
                        in_reply_to_account_id: None,
                        reblog_of_id: Some(target.id),
                        text: String::new(),
                        content: String::new(),
                        spoiler_text: String::new(),
                        sensitive: false,
                        visibility: Visibility::Public,
                        local_only: target.local_only,
                        language: None,
                        created_at: created,
                    });
                    self.statuses += 1;
                    continue;
                }
            }
            // Audience: public 55%, unlisted 20%, followers-only 17%, direct 4%,
            // local-only public 4%.
            let v: f64 = self.rng.gen();
            let (mut rank, mut local_only) = match v {
                x if x < 0.55 => (0u8, false),
                x if x < 0.75 => (1, false),
                x if x < 0.92 => (2, false),
                x if x < 0.96 => (3, false),
                _ => (0, true),
            };
            // A quarter are replies to a recent status, mentioning its author; a reply
            // is never more public than its parent.
            let mut reply = None;
            if self.rng.gen_bool(0.25) && !self.recent.is_empty() {
                let back = self.rng.gen_range(0..self.recent.len().min(2000));
                let parent = self.recent[self.recent.len() - 1 - back];
                rank = rank.max(parent.rank);
                local_only |= parent.local_only;
                reply = Some(parent);
            }
            let mut mention = reply.map(|p| p.author).filter(|a| *a != author);
            if rank == 3 && mention.is_none() {
                let list = &self.following[author];
                mention = if list.is_empty() {
                    Some(self.rng.gen_range(0..self.members.len()))
                } else {
                    Some(list[self.rng.gen_range(0..list.len())])
                }
                .filter(|m| *m != author);
            }
            let tags: Vec<usize> = if self.rng.gen_bool(0.12) {
                let k = self.rng.gen_range(1..=2);
                let mut t: Vec<usize> = (0..k)
                    .map(|_| self.tag_weights.sample(&mut self.rng))
                    .collect();
                t.dedup();
                t
            } else {
                Vec::new()
            };
            let text = self.text(mention, &tags);
            let content = self.render(&text);
            b.statuses.push(SeedStatus {
                id,
                uri: self.urls.status(&username, id).to_string(),
                account_id: self.members[author].id,
                local: true,
                in_reply_to_id: reply.map(|p| p.id),
                in_reply_to_account_id: reply.map(|p| self.members[p.author].id),
                reblog_of_id: None,
                text,
                content,
                spoiler_text: String::new(),
                sensitive: false,
                visibility: VISIBILITY[rank as usize],
                local_only,
                language: Some("en".into()),
                created_at: created,
            });
            if let Some(m) = mention {
                b.mentions.push(SeedMention {
                    status_id: id,
                    account_id: self.members[m].id,
                });
            }
            for t in &tags {
                b.status_tags.push(SeedStatusTag {
                    status_id: id,
                    tag_id: self.tag_ids[*t],
                });
            }
            // About 0.4 favourites per status, a few statuses with many.
            if rank <= 2 {
                let favs = match self.rng.gen::<f64>() {
                    x if x < 0.70 => 0,
                    x if x < 0.95 => 1,
                    _ => self.rng.gen_range(2..12),
                };
                let mut seen = HashSet::new();
                for _ in 0..favs {
                    let who = self.rng.gen_range(0..self.members.len());
                    if seen.insert(who) {
                        b.favourites.push(SeedFavourite {
                            id: self.ids.next_at(at(ms + 1000)),
                            account_id: self.members[who].id,
                            status_id: id,
                            created_at: naive(ms + 1000),
                        });
                    }
                }
            }
            if self.recent.len() == 4096 {
                self.recent.pop_front();
            }
            self.recent.push_back(Recent {
                id,
                author,
                rank,
                local_only,
            });
            self.statuses += 1;
        }
        b
    }
}
