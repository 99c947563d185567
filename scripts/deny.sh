#!/usr/bin/env bash
# cargo deny (deny.toml: advisories, licences, duplicate versions, sources), offline,
# against a dated snapshot of the RustSec advisory database, which cannot be fetched
# on the machines that run CI. .ci/run calls it; it works the same by hand:
#   scripts/deny.sh                 # needs cargo-deny: cargo install cargo-deny --locked
# The snapshot is the directory KINDRED_ADVISORY_DB names, else the first
# `shared/advisory-db` (with its SNAPSHOT file) in the repository's directory or
# one of its parents (CI: ../shared/advisory-db next to the clone).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_snapshot() {
    if [ -n "${KINDRED_ADVISORY_DB:-}" ]; then
        echo "$KINDRED_ADVISORY_DB"
        return 0
    fi
    local dir
    dir="$(pwd -P)"
    while :; do
        if [ -f "$dir/shared/advisory-db/SNAPSHOT" ]; then
            echo "$dir/shared/advisory-db"
            return 0
        fi
        [ "$dir" = / ] && return 1
        dir="$(dirname "$dir")"
    done
}

snapshot="$(find_snapshot)" || {
    echo "no advisory database snapshot: set KINDRED_ADVISORY_DB or put it in ../shared/advisory-db" >&2
    exit 1
}
[ -d "$snapshot/crates" ] || { echo "$snapshot is not a RustSec advisory database" >&2; exit 1; }
echo "advisory database: $snapshot"
if [ -f "$snapshot/SNAPSHOT" ]; then
    cat "$snapshot/SNAPSHOT"
    snapshot_date="$(grep -o '[0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}' "$snapshot/SNAPSHOT" | head -n 1 || true)"
    if [ -n "$snapshot_date" ]; then
        echo "snapshot date: $snapshot_date ($(( ($(date +%s) - $(date -d "$snapshot_date" +%s)) / 86400 )) days old: advisories published since are not checked)"
    fi
else
    echo "(no SNAPSHOT file: the snapshot's date is unknown)"
fi

# cargo-deny opens its database as a git repository, in a directory named after the
# URL it would fetch (the default, https://github.com/rustsec/advisory-db: name and
# xxHash64 of the URL, cargo-deny 0.18-0.20). deny.toml reads the parent directory
# from KINDRED_ADVISORY_DBS.
dbs="$(mktemp -d)"
trap 'rm -rf "$dbs"' EXIT
repo="$dbs/advisory-db-3157b0e258782691"
cp -r "$snapshot" "$repo"
rm -rf "$repo/.git"
commit_date="${snapshot_date:-}"
(
    cd "$repo"
    export GIT_AUTHOR_NAME=snapshot GIT_AUTHOR_EMAIL=snapshot@localhost
    export GIT_COMMITTER_NAME=snapshot GIT_COMMITTER_EMAIL=snapshot@localhost
    if [ -n "$commit_date" ]; then
        export GIT_AUTHOR_DATE="${commit_date}T00:00:00Z" GIT_COMMITTER_DATE="${commit_date}T00:00:00Z"
    fi
    git init -q -b main .
    git add -A
    git commit -q -m "RustSec advisory database snapshot"
)

# cargo deny reads every package's manifest (`cargo metadata`), for every target
# platform, so the sources of the whole lock file must be on the machine first, also
# those a Linux build never compiles (crates.io is reachable; the advisories are not).
cargo fetch --locked
# --offline: no index, no advisory fetch (yanked crates are not checked offline).
KINDRED_ADVISORY_DBS="$dbs" cargo deny --offline --locked check
