#!/usr/bin/env bash
# The project's one test command: builds everything and runs every test.
#
#   scripts/test.sh                      # all tests
#   scripts/test.sh -p kindred-api       # arguments go to `cargo test`
#   scripts/test.sh oauth -- --nocapture # ... including test-binary arguments after --
#
# The end-to-end client test (tests/client/test_mastodon_py.py) runs from the Rust
# test harness with the Python in .venv, which this script creates and fills from
# tests/client/requirements.txt. Set KINDRED_REQUIRE_POSTGRES=1 to make the
# PostgreSQL variants fail instead of skip when PostgreSQL is not installed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

# Python environment for the client tests.
if [ ! -x "$ROOT/.venv/bin/python" ] || ! "$ROOT/.venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    echo "test.sh: creating $ROOT/.venv"
    rm -rf "$ROOT/.venv"
    python3 -m venv "$ROOT/.venv"
fi
"$ROOT/.venv/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/tests/client/requirements.txt"
export KINDRED_TEST_PYTHON="$ROOT/.venv/bin/python"
# axe-core for the browser tests (tests/browser/): fetched once, pinned and checked.
KINDRED_AXE_JS="$(python3 "$ROOT/scripts/fetch-axe.py")"
export KINDRED_AXE_JS

# The megalodon client test's npm packages (tests/client/megalodon/package.json).
if command -v npm >/dev/null 2>&1; then
    (cd "$ROOT/tests/client/megalodon" && npm install --no-audit --no-fund --silent)
fi

# Split our arguments into cargo-test arguments and test-binary arguments (after --).
cargo_args=()
harness_args=()
seen_sep=0
for a in "$@"; do
    if [ "$seen_sep" -eq 0 ] && [ "$a" = "--" ]; then
        seen_sep=1
        continue
    fi
    if [ "$seen_sep" -eq 0 ]; then
        cargo_args+=("$a")
    else
        harness_args+=("$a")
    fi
done

# Import circles inside crates: at most 2, each explained in docs/ARCHITECTURE.md.
python3 "$ROOT/scripts/import-circles.py" --max 2

cargo build --workspace --all-targets
cargo test --workspace --no-fail-fast ${cargo_args[@]+"${cargo_args[@]}"} \
    -- --test-threads=2 ${harness_args[@]+"${harness_args[@]}"}
