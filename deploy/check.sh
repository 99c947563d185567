#!/usr/bin/env bash
# Checks the deploy/ files with the real programs (Debian 12 packages: systemd,
# nginx, caddy, openssl); .ci/run installs what is missing and calls this.
#   deploy/check.sh [PATH-TO-KINDRED-BINARY]
# Without an argument the debug binary in the cargo target directory is used (built
# if missing). Nothing outside a temporary directory is written; nothing is started.
# The Dockerfile and compose.yml are NOT checked here (no container runtime).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bin="${1:-${CARGO_TARGET_DIR:-target}/debug/kindred}"
if [ ! -x "$bin" ]; then
    cargo build -p kindred-server --bin kindred
fi
bin="$(realpath "$bin")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step() { printf '\n--- %s ---\n' "$*"; }

step "deploy/kindred.toml is a valid configuration"
# `migrate` loads it exactly as `serve` does (unknown keys and bad values stop it
# with exit 2); the environment moves only its two paths into the scratch directory.
KINDRED__DATABASE__URL="sqlite://$work/kindred.sqlite" \
    KINDRED__SECURITY__KEY_FILE="$work/secret.key" \
    "$bin" --config deploy/kindred.toml migrate
grep -q '^ExecStart=/usr/local/bin/kindred --config /etc/kindred/kindred.toml serve$' \
    deploy/kindred.service

step "systemd-analyze verify deploy/kindred.service"
# The unit as installed: the binary at its ExecStart path inside a scratch root.
root="$work/root"
mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system" "$root/usr/lib/systemd"
ln "$bin" "$root/usr/local/bin/kindred" 2>/dev/null || cp "$bin" "$root/usr/local/bin/kindred"
# The targets and services it is ordered against (network-online.target, ...).
cp -r /usr/lib/systemd/system "$root/usr/lib/systemd/system"
cp deploy/kindred.service "$root/etc/systemd/system/kindred.service"
# verify prints its findings on stderr and may still exit 0: any output fails.
out="$(systemd-analyze verify --root="$root" /etc/systemd/system/kindred.service 2>&1)" || {
    printf '%s\n' "$out"
    exit 1
}
if [ -n "$out" ]; then
    printf '%s\n' "$out"
    echo "systemd-analyze verify reported problems" >&2
    exit 1
fi
echo "ok"

step "nginx -t with deploy/nginx.conf"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=peer.example.org" \
    -keyout "$work/privkey.pem" -out "$work/fullchain.pem" 2>/dev/null
# Only the certificate paths change: a throwaway self-signed pair.
sed -e "s#/etc/letsencrypt/live/peer.example.org/#$work/#" deploy/nginx.conf > "$work/kindred.conf"
cmp -s deploy/nginx.conf "$work/kindred.conf" && { echo "certificate paths not found" >&2; exit 1; }
cat > "$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log stderr;
events {}
http {
    access_log off;
    include $work/kindred.conf;
}
CONF
nginx -t -p "$work" -c "$work/nginx.conf"

step "caddy validate deploy/Caddyfile"
XDG_DATA_HOME="$work/caddy-data" XDG_CONFIG_HOME="$work/caddy-config" \
    KINDRED_DOMAIN=peer.example.org \
    caddy validate --adapter caddyfile --config deploy/Caddyfile
