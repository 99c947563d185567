#!/usr/bin/env python3
"""End-to-end client test: drives a real `kindred` binary with the Mastodon.py library.

Usage:
    python tests/client/test_mastodon_py.py --kindred-bin PATH --database-url URL --workdir DIR

The database URL is `sqlite://DIR/x.sqlite` or a `postgres://...` URL of an empty
database. Exit code 0 means every check passed; on failure the script prints what
failed and the tail of the server log, and exits non-zero.

Needs the packages in tests/client/requirements.txt (scripts/test.sh installs them
into .venv).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import struct
import time
import traceback
import warnings
from datetime import datetime, timedelta, timezone
import zlib
from html.parser import HTMLParser
from pathlib import Path

try:
    import requests
    from mastodon import Mastodon, StreamListener
    from mastodon.errors import (
        MastodonAPIError,
        MastodonIllegalArgumentError,
        MastodonUnauthorizedError,
    )
except ImportError as e:  # pragma: no cover - environment problem
    print(f"FAIL: cannot import the client libraries ({e}); "
          f"install them with: pip install -r tests/client/requirements.txt", file=sys.stderr)
    sys.exit(2)

OOB = "urn:ietf:wg:oauth:2.0:oob"
ALICE_PASSWORD = "correct horse battery staple 42"
ALICE_EMAIL = "alice@example.org"
CAROL_PASSWORD = "another long password 99"
CAROL_EMAIL = "carol@example.org"
INSTANCE_NAME = "Kindred test"
APP_SCOPES = ["read", "write", "follow"]
HTTP_TIMEOUT = 30


class CheckFailed(Exception):
    pass


def tiny_png(width: int = 24, height: int = 16) -> bytes:
    """A small RGB PNG, written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 10 % 256, y * 15 % 256, 90)) for x in range(width))
        for y in range(height)
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def ok(msg: str) -> None:
    print(f"ok: {msg}", flush=True)


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise CheckFailed(msg)


def snippet(text: str, n: int = 600) -> str:
    text = text if isinstance(text, str) else repr(text)
    return text if len(text) <= n else text[:n] + "…"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def toml_str(s: str) -> str:
    # A JSON string literal is a valid TOML basic string for our purposes.
    return json.dumps(s)


def child_env() -> dict:
    """The environment for kindred, without settings that would override the config file."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KINDRED__") and k != "KINDRED_CONFIG"}
    return env


def keys_recursive(value, path="$"):
    """Yield (path, key) for every dict key in a JSON value."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield f"{path}.{k}", k
            yield from keys_recursive(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from keys_recursive(v, f"{path}[{i}]")


class FormParser(HTMLParser):
    """Collects forms, inputs, buttons and the text of <code id="authorization-code">."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.inputs: list[dict] = []     # every <input>, with attrs (values already unescaped)
        self.buttons: list[dict] = []    # every <button> and <input type=submit>
        self.auth_code_parts: list[str] | None = None
        self._in_code = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.forms.append(a)
        elif tag == "input":
            self.inputs.append(a)
            if a.get("type", "").lower() == "submit":
                self.buttons.append(a)
        elif tag == "button":
            self.buttons.append(a)
        elif tag == "code" and a.get("id") == "authorization-code":
            self._in_code = True
            self.auth_code_parts = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "code":
            self._in_code = False

    def handle_data(self, data):
        if self._in_code and self.auth_code_parts is not None:
            self.auth_code_parts.append(data)

    @property
    def auth_code(self) -> str | None:
        if self.auth_code_parts is None:
            return None
        return "".join(self.auth_code_parts).strip()

    def hidden_fields(self) -> dict:
        return {i["name"]: i.get("value", "") for i in self.inputs
                if i.get("type", "").lower() == "hidden" and "name" in i}


def parse_html(text: str) -> FormParser:
    p = FormParser()
    p.feed(text)
    p.close()
    return p


# --------------------------------------------------------------------------
# the test
# --------------------------------------------------------------------------

class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.bin = str(Path(args.kindred_bin).resolve())
        self.db_url = args.database_url
        self.workdir = Path(args.workdir).resolve()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://localhost:{self.port}"
        self.config = self.workdir / "kindred.toml"
        self.log_path = self.workdir / "server.log"
        self.proc: subprocess.Popen | None = None
        self.log_file = None
        self.warnings: list[warnings.WarningMessage] = []

    # ---- process management -------------------------------------------

    def write_config(self) -> None:
        key_file = str(self.workdir / "secret.key")
        self.config.write_text(
            "[server]\n"
            f"bind = {toml_str(f'127.0.0.1:{self.port}')}\n"
            "[instance]\n"
            f"domain = {toml_str(f'localhost:{self.port}')}\n"
            f"name = {toml_str(INSTANCE_NAME)}\n"
            "[database]\n"
            f"url = {toml_str(self.db_url)}\n"
            "[registration]\n"
            'mode = "open"\n'
            "[security]\n"
            f"key_file = {toml_str(key_file)}\n"
            "[federation]\n"
            "allow_http = true\n"
            "allow_private_networks = true\n",
            encoding="utf-8",
        )
        ok(f"wrote config {self.config} (port {self.port})")

    def kindred(self, *args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [self.bin, "--config", str(self.config), *args]
        try:
            return subprocess.run(cmd, input=stdin if stdin is not None else "", capture_output=True,
                                  text=True, timeout=timeout, env=child_env(), cwd=self.workdir)
        except subprocess.TimeoutExpired as e:
            raise CheckFailed(f"`kindred {' '.join(args)}` did not finish within {timeout} s; "
                              f"stdout={e.stdout!r} stderr={e.stderr!r}")

    def expect_success(self, what: str, cp: subprocess.CompletedProcess) -> None:
        check(cp.returncode == 0,
              f"{what} exited with {cp.returncode}\n--- stdout ---\n{cp.stdout}\n--- stderr ---\n{cp.stderr}")

    def start_server(self) -> None:
        self.log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [self.bin, "--config", str(self.config), "serve"],
            stdin=subprocess.DEVNULL, stdout=self.log_file, stderr=subprocess.STDOUT,
            env=child_env(), cwd=self.workdir,
        )
        deadline = time.monotonic() + 60
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise CheckFailed(f"kindred serve exited early with code {self.proc.returncode}\n"
                                  f"--- server log ---\n{self.read_log()}")
            try:
                r = requests.get(f"{self.base}/healthz", timeout=2)
                if r.status_code == 200:
                    ok(f"server is up at {self.base} (pid {self.proc.pid})")
                    return
                last = f"HTTP {r.status_code}: {snippet(r.text, 200)}"
            except requests.RequestException as e:
                last = str(e)
            time.sleep(0.25)
        raise CheckFailed(f"GET /healthz did not answer 200 within 60 s (last: {last})\n"
                          f"--- server log ---\n{self.read_log()}")

    def stop_server_gracefully(self) -> None:
        assert self.proc is not None
        check(self.proc.poll() is None, f"server died during the test with code {self.proc.returncode}")
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise CheckFailed("server did not exit within 15 s of SIGTERM")
        check(code == 0, f"server exited with code {code} after SIGTERM (expected 0)")
        ok("server exited with code 0 within 15 s of SIGTERM")

    def kill_server(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None

    def read_log(self, tail_lines: int | None = None) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError as e:
            return f"(cannot read {self.log_path}: {e})"
        if tail_lines is not None:
            text = "\n".join(text.splitlines()[-tail_lines:])
        return text

    # ---- API helpers ----------------------------------------------------

    def masto(self, **kwargs) -> Mastodon:
        kwargs.setdefault("api_base_url", self.base)
        kwargs.setdefault("request_timeout", HTTP_TIMEOUT)
        # "created": Mastodon.py reads /api/v1/instance and refuses endpoints newer than
        # the version the server reports, so this also checks that it accepts the server.
        kwargs.setdefault("version_check_mode", "created")
        return Mastodon(**kwargs)

    def get_json(self, path: str, token: str | None = None) -> tuple[requests.Response, object]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = requests.get(self.base + path, headers=headers, timeout=HTTP_TIMEOUT)
        try:
            body = r.json()
        except ValueError:
            body = None
        return r, body

    def token_request(self, data: dict) -> requests.Response:
        return requests.post(f"{self.base}/oauth/token", data=data, timeout=HTTP_TIMEOUT)

    def assert_no_email(self, what: str, text: str, body, email: str, allow_email_key: bool = False) -> None:
        check(email not in text, f"{what}: the email address {email!r} appears in the response: {snippet(text)}")
        if not allow_email_key:
            bad = [p for p, k in keys_recursive(body) if k == "email"]
            check(not bad, f"{what}: response has an 'email' key at {bad}: {snippet(text)}")

    # ---- the steps ------------------------------------------------------

    def run(self) -> None:
        try:
            from importlib.metadata import version as dist_version
            mpy_version = dist_version("Mastodon.py")
        except Exception:
            mpy_version = "?"
        print(f"Mastodon.py {mpy_version}, requests {requests.__version__}, "
              f"python {sys.version.split()[0]}, kindred {self.bin}", flush=True)
        self.write_config()

        # migrate and create users with the CLI
        cp = self.kindred("migrate", timeout=300)
        self.expect_success("kindred migrate", cp)
        ok("kindred migrate")

        cp = self.kindred("admin", "create-user", "alice", "--role", "admin", "--email", ALICE_EMAIL,
                          "--password-stdin", stdin=ALICE_PASSWORD + "\n")
        self.expect_success("kindred admin create-user alice", cp)
        check(ALICE_PASSWORD not in cp.stdout + cp.stderr,
              "create-user echoed the password given on stdin")
        ok("kindred admin create-user alice --role admin --email … --password-stdin")

        cp = self.kindred("admin", "create-user", "bob")
        self.expect_success("kindred admin create-user bob", cp)
        pw_lines = [line.strip() for line in (cp.stdout + "\n" + cp.stderr).splitlines()
                    if line.strip().startswith("password:")]
        check(pw_lines, f"create-user bob printed no 'password: …' line\n--- stdout ---\n{cp.stdout}"
                        f"\n--- stderr ---\n{cp.stderr}")
        bob_password = pw_lines[-1].split()[-1]
        check(len(bob_password) >= 20 and bob_password != "password:",
              f"generated password is too short ({len(bob_password)} characters, want >= 20)")
        ok(f"kindred admin create-user bob generated a {len(bob_password)}-character password")

        self.start_server()

        # ---- app registration and version detection ----
        client_id, client_secret = Mastodon.create_app(
            "kindred-test", api_base_url=self.base, scopes=APP_SCOPES, redirect_uris=OOB,
            request_timeout=HTTP_TIMEOUT)
        check(bool(client_id) and bool(client_secret), "create_app returned an empty client id or secret")
        ok("Mastodon.create_app → client_id/client_secret")

        api = self.masto(client_id=client_id, client_secret=client_secret)
        version = api.retrieve_mastodon_version(fail_hard=True)
        check((api.mastodon_major, api.mastodon_minor, api.mastodon_patch) >= (4, 3, 0),
              f"Mastodon.py detected version {version!r} "
              f"({api.mastodon_major}.{api.mastodon_minor}.{api.mastodon_patch}); expected >= 4.3.0")
        check(api.mastodon_api_version >= 1,
              f"Mastodon.py found no api_versions.mastodon in /api/v2/instance "
              f"(mastodon_api_version={api.mastodon_api_version})")
        check(api.verify_minimum_version("4.3.0", cached=True), "verify_minimum_version('4.3.0') is false")
        ok(f"Mastodon.py accepted the server as Mastodon {version} (API version {api.mastodon_api_version})")

        oauth_info = api.oauth_authorization_server_info()
        check("token_endpoint" in oauth_info,
              f"/.well-known/oauth-authorization-server has no token_endpoint: {dict(oauth_info)}")
        check("password" in oauth_info.get("grant_types_supported", ["password"]),
              "grant_types_supported lacks 'password', so Mastodon.py refuses the password flow")
        ok("oauth_authorization_server_info()")

        # ---- password grant ----
        # allow_http: the server's metadata advertises http:// endpoints (plain-HTTP test
        # instance), and Mastodon.py only follows http:// OAuth URLs when told to.
        alice_token = api.log_in("alice", ALICE_PASSWORD, scopes=APP_SCOPES, allow_http=True)
        check(bool(alice_token), "log_in returned an empty token")
        ok("log_in(username, password) → token")

        me = api.account_verify_credentials()
        check(me["username"] == "alice", f"verify_credentials username is {me.get('username')!r}")
        check(me["acct"] == "alice", f"verify_credentials acct is {me.get('acct')!r}")
        ok("account_verify_credentials() → alice")

        r, body = self.get_json("/api/v1/accounts/verify_credentials", alice_token)
        check(r.status_code == 200, f"raw verify_credentials: HTTP {r.status_code}: {snippet(r.text)}")
        self.assert_no_email("verify_credentials", r.text, body, ALICE_EMAIL)
        ok("verify_credentials JSON has no 'email' key and no email address")

        inst = api.instance()
        check(inst["title"] == INSTANCE_NAME, f"instance() title is {inst.get('title')!r}")
        check("Kindred" in inst["version"], f"instance() version is {inst.get('version')!r}")
        ok(f"instance() → title {inst['title']!r}, version {inst['version']!r}")
        inst1 = api.instance_v1()
        check(inst1["title"] == INSTANCE_NAME, f"instance_v1() title is {inst1.get('title')!r}")
        check("Kindred" in inst1["version"], f"instance_v1() version is {inst1.get('version')!r}")
        ok("instance_v1()")
        if hasattr(api, "instance_v2"):
            inst2 = api.instance_v2()
            check(inst2["title"] == INSTANCE_NAME, f"instance_v2() title is {inst2.get('title')!r}")
            check("Kindred" in inst2["version"], f"instance_v2() version is {inst2.get('version')!r}")
            check(inst2.get("domain") == f"localhost:{self.port}",
                  f"instance_v2() domain is {inst2.get('domain')!r}")
            ok("instance_v2()")
        for path in ("/api/v1/instance", "/api/v2/instance"):
            r, body = self.get_json(path)
            check(r.status_code == 200, f"GET {path}: HTTP {r.status_code}")
            self.assert_no_email(path, r.text, body, ALICE_EMAIL, allow_email_key=True)
        ok("instance documents do not show the admin's email address")

        # ---- password grant with the email address as username ----
        api_email = self.masto(client_id=client_id, client_secret=client_secret)
        api_email.log_in(ALICE_EMAIL, ALICE_PASSWORD, scopes=APP_SCOPES, allow_http=True)
        me = api_email.account_verify_credentials()
        check(me["username"] == "alice", f"login by email gave username {me.get('username')!r}")
        ok("log_in(email, password) → alice")

        # ---- wrong password / unknown user ----
        api_bad = self.masto(client_id=client_id, client_secret=client_secret)
        try:
            api_bad.log_in("alice", "wrong password 123456", scopes=APP_SCOPES, allow_http=True)
            raise CheckFailed("log_in with a wrong password succeeded")
        except (MastodonUnauthorizedError, MastodonIllegalArgumentError) as e:
            ok(f"log_in with a wrong password raised {type(e).__name__}")

        def password_grant(username: str, password: str) -> requests.Response:
            return self.token_request({
                "grant_type": "password", "client_id": client_id, "client_secret": client_secret,
                "username": username, "password": password, "scope": " ".join(APP_SCOPES),
            })

        wrong = password_grant("alice", "wrong password 123456")
        unknown = password_grant("nosuchuser", "wrong password 123456")
        unknown_email = password_grant("nobody@example.org", "wrong password 123456")
        for name, resp in (("wrong password", wrong), ("unknown user", unknown),
                           ("unknown email", unknown_email)):
            check(resp.status_code in (400, 401),
                  f"{name}: /oauth/token answered HTTP {resp.status_code} (want 400 or 401): {snippet(resp.text)}")
            try:
                j = resp.json()
            except ValueError:
                raise CheckFailed(f"{name}: /oauth/token error body is not JSON: {snippet(resp.text)}")
            check(isinstance(j, dict) and "error" in j, f"{name}: error body has no 'error': {snippet(resp.text)}")
        wj, uj, ej = wrong.json(), unknown.json(), unknown_email.json()
        for name, resp, j in (("unknown user", unknown, uj), ("unknown email", unknown_email, ej)):
            check(resp.status_code == wrong.status_code and j.get("error") == wj.get("error")
                  and j.get("error_description") == wj.get("error_description"),
                  f"{name} and wrong password answer differently (username enumeration): "
                  f"{wrong.status_code} {wj} vs {resp.status_code} {j}")
        ok(f"wrong password and unknown user both give HTTP {wrong.status_code} {wj.get('error')!r}")

        # ---- authorization code flow (out-of-band redirect) ----
        url = api.auth_request_url(client_id=client_id, redirect_uris=OOB, scopes=["read"], allow_http=True)
        check(url.startswith(self.base + "/oauth/authorize?"), f"auth_request_url gave {url!r}")
        ok("auth_request_url()")

        web = requests.Session()

        def get_form() -> tuple[dict, FormParser]:
            r = web.get(url, timeout=HTTP_TIMEOUT)
            check(r.status_code == 200, f"GET authorize page: HTTP {r.status_code}: {snippet(r.text)}")
            check("text/html" in r.headers.get("content-type", ""),
                  f"authorize page content-type is {r.headers.get('content-type')!r}")
            page = parse_html(r.text)
            forms = [f for f in page.forms
                     if f.get("method", "").lower() == "post" and f.get("action") == "/oauth/authorize"]
            check(forms, f'authorize page has no <form method="post" action="/oauth/authorize">: {snippet(r.text)}')
            hidden = page.hidden_fields()
            check(hidden.get("csrf_token"), f"authorize form has no hidden csrf_token: {hidden}")
            check(hidden.get("client_id") == client_id, f"hidden client_id is {hidden.get('client_id')!r}")
            names = {i.get("name"): i.get("type", "text").lower() for i in page.inputs}
            check(names.get("username") == "text", f"authorize form lacks a text input 'username': {names}")
            check("password" in names, f"authorize form lacks a 'password' input: {names}")
            decisions = {(b.get("name"), b.get("value")) for b in page.buttons}
            check(("decision", "approve") in decisions and ("decision", "deny") in decisions,
                  f"authorize form lacks decision=approve/deny buttons: {decisions}")
            check("kindred_csrf" in web.cookies.keys(),
                  f"authorize page set no kindred_csrf cookie (cookies: {list(web.cookies.keys())})")
            return hidden, page

        hidden, _ = get_form()
        ok("authorize page: form, hidden fields, csrf_token, kindred_csrf cookie, approve/deny")

        # CSRF: a wrong token must not yield a code
        tampered = dict(hidden)
        tampered["csrf_token"] = ("x" if not hidden["csrf_token"].startswith("x") else "y") + hidden["csrf_token"][1:]
        r = web.post(f"{self.base}/oauth/authorize",
                     data={**tampered, "username": "alice", "password": ALICE_PASSWORD, "decision": "approve"},
                     timeout=HTTP_TIMEOUT, allow_redirects=False)
        check("authorization-code" not in r.text, "a POST with a wrong csrf_token produced an authorization code")
        check(400 <= r.status_code < 500, f"a POST with a wrong csrf_token answered HTTP {r.status_code} (want 4xx)")
        ok(f"wrong csrf_token rejected with HTTP {r.status_code}")

        # Without the cookie the (correct) token must not work either.
        r = requests.post(f"{self.base}/oauth/authorize",
                          data={**hidden, "username": "alice", "password": ALICE_PASSWORD, "decision": "approve"},
                          timeout=HTTP_TIMEOUT, allow_redirects=False)
        check("authorization-code" not in r.text and 400 <= r.status_code < 500,
              f"a POST without the kindred_csrf cookie answered HTTP {r.status_code} "
              f"{'with a code' if 'authorization-code' in r.text else ''}")
        ok(f"POST without the csrf cookie rejected with HTTP {r.status_code}")

        # Deny gives no code.
        hidden, _ = get_form()
        r = web.post(f"{self.base}/oauth/authorize",
                     data={**hidden, "username": "alice", "password": ALICE_PASSWORD, "decision": "deny"},
                     timeout=HTTP_TIMEOUT, allow_redirects=False)
        check("authorization-code" not in r.text, "decision=deny produced an authorization code")
        ok(f"decision=deny gives no code (HTTP {r.status_code})")

        # Wrong password on the form gives no code.
        hidden, _ = get_form()
        r = web.post(f"{self.base}/oauth/authorize",
                     data={**hidden, "username": "alice", "password": "not the password", "decision": "approve"},
                     timeout=HTTP_TIMEOUT, allow_redirects=False)
        check("authorization-code" not in r.text, "a wrong password on the authorize form produced a code")
        ok(f"wrong password on the authorize form gives no code (HTTP {r.status_code})")

        # Approve.
        hidden, _ = get_form()
        r = web.post(f"{self.base}/oauth/authorize",
                     data={**hidden, "username": "alice", "password": ALICE_PASSWORD, "decision": "approve"},
                     timeout=HTTP_TIMEOUT, allow_redirects=False)
        check(r.status_code == 200, f"approving the authorize form: HTTP {r.status_code}: {snippet(r.text)}")
        code = parse_html(r.text).auth_code
        check(bool(code), f'no <code id="authorization-code"> on the approval page: {snippet(r.text)}')
        ok("approved the authorize form, got an out-of-band code")

        api_code = self.masto(client_id=client_id, client_secret=client_secret)
        code_token = api_code.log_in(code=code, redirect_uri=OOB, scopes=["read"], allow_http=True)
        check(bool(code_token), "log_in(code=…) returned an empty token")
        me = api_code.account_verify_credentials()
        check(me["username"] == "alice", f"code-flow token belongs to {me.get('username')!r}")
        ok("log_in(code=…) → token for alice")

        api_reuse = self.masto(client_id=client_id, client_secret=client_secret)
        try:
            api_reuse.log_in(code=code, redirect_uri=OOB, scopes=["read"], allow_http=True)
            raise CheckFailed("an authorization code could be exchanged twice")
        except (MastodonUnauthorizedError, MastodonIllegalArgumentError):
            ok("an authorization code works only once")

        # The code-flow token has only 'read': writing must be refused.
        r = requests.patch(f"{self.base}/api/v1/accounts/update_credentials",
                           headers={"Authorization": f"Bearer {code_token}"},
                           data={"note": "should not be saved"}, timeout=HTTP_TIMEOUT)
        check(r.status_code in (401, 403),
              f"a read-only token could call update_credentials: HTTP {r.status_code}: {snippet(r.text)}")
        ok(f"read-only token cannot write (HTTP {r.status_code})")

        # ---- authorization code flow with PKCE (S256) ----
        self.pkce_flow(web, url, client_id, client_secret)

        # ---- app_verify_credentials ----
        app = api.app_verify_credentials()
        check(app["name"] == "kindred-test", f"app_verify_credentials name is {app.get('name')!r}")
        check("client_secret" not in app or app.get("client_secret") in (None, client_secret),
              "app_verify_credentials returned a different client_secret")
        ok("app_verify_credentials() with a user token")

        # ---- registration ----
        r = self.token_request({"grant_type": "client_credentials", "client_id": client_id,
                                "client_secret": client_secret, "scope": "read write"})
        check(r.status_code == 200, f"client_credentials grant: HTTP {r.status_code}: {snippet(r.text)}")
        app_token = r.json().get("access_token")
        check(bool(app_token), f"client_credentials response has no access_token: {snippet(r.text)}")
        ok("client_credentials grant → app token")

        api_app = self.masto(access_token=app_token)
        app = api_app.app_verify_credentials()
        check(app["name"] == "kindred-test", f"app_verify_credentials (app token) name is {app.get('name')!r}")
        ok("app_verify_credentials() with an app token")

        # create_account(username, password, email, agreement=False, reason=None, locale="en",
        #                scopes=…, to_file=None, return_detailed_error=False, date_of_birth=None)
        # It fetches its own client_credentials token from /oauth/token, then POSTs a form to
        # /api/v1/accounts with that token.
        api_reg = self.masto(client_id=client_id, client_secret=client_secret)
        carol_token, err = api_reg.create_account(
            username="carol", password=CAROL_PASSWORD, email=CAROL_EMAIL, agreement=True,
            locale="en", scopes=APP_SCOPES, return_detailed_error=True)
        check(carol_token is not None, f"create_account failed: {err}")
        me = api_reg.account_verify_credentials()
        check(me["username"] == "carol", f"new account's verify_credentials username is {me.get('username')!r}")
        r, body = self.get_json("/api/v1/accounts/verify_credentials", carol_token)
        check(r.status_code == 200, f"raw verify_credentials (carol): HTTP {r.status_code}")
        self.assert_no_email("verify_credentials (carol)", r.text, body, CAROL_EMAIL)
        ok("create_account(carol) → token; verify_credentials → carol")

        api_dup = self.masto(client_id=client_id, client_secret=client_secret)
        token, err = api_dup.create_account(
            username="carol", password=CAROL_PASSWORD, email="carol2@example.org", agreement=True,
            locale="en", scopes=APP_SCOPES, return_detailed_error=True)
        check(token is None and err is not None, "a second account named carol could be created")
        ok(f"create_account with a taken username is refused ({snippet(str(err.get('error')), 120)})")

        api_carol = self.masto(client_id=client_id, client_secret=client_secret)
        api_carol.log_in("carol", CAROL_PASSWORD, scopes=APP_SCOPES, allow_http=True)
        check(api_carol.account_verify_credentials()["username"] == "carol", "carol cannot log in")
        ok("carol can log in with her password")

        # ---- statuses, timelines, notifications ----
        alice_id = api_email.account_verify_credentials()["id"]
        post = api_email.status_post("Hello from Mastodon.py #kindred", spoiler_text="cw: test",
                                     visibility="public")
        check(post["spoiler_text"] == "cw: test" and post["visibility"] == "public" and post["sensitive"],
              f"status_post with a content warning came back as {post.get('spoiler_text')!r}/{post.get('visibility')!r}")
        reply = api_carol.status_reply(post, "a reply", visibility="public")
        check(str(reply["in_reply_to_id"]) == str(post["id"]), "status_reply is not a reply")
        check(api_carol.status_favourite(post["id"])["favourited"], "status_favourite did not favourite")
        check(api_carol.status_reblog(post["id"])["reblog"] is not None, "status_reblog returned no boost")
        check(api_carol.account_follow(alice_id)["following"], "account_follow did not follow")
        for i in range(3):
            api_email.status_post(f"note {i}", visibility="public")
        home = api_carol.timeline_home(limit=2)
        check(len(home) == 2, f"timeline_home(limit=2) gave {len(home)} statuses")
        older = api_carol.fetch_next(home)
        check(older is not None and len(older) >= 1 and int(older[0]["id"]) < int(home[-1]["id"]),
              "fetch_next on the home timeline did not go older")
        public = api_carol.timeline_public(local=True)
        check(any(str(s["id"]) == str(post["id"]) for s in public), "the public post is not in timeline_public")
        kinds = {n["type"] for n in api_email.notifications()}
        check({"favourite", "reblog", "mention", "follow"} <= kinds, f"alice's notifications are {kinds}")
        ctx = api_email.status_context(post["id"])
        check(any(str(s["id"]) == str(reply["id"]) for s in ctx["descendants"]), "status_context lacks the reply")
        ok("status_post with a CW, reply, favourite, boost, follow, home timeline with fetch_next, "
           "public timeline, notifications, context")

        # ---- polls and scheduled statuses (issue 28) ----
        asked = api_email.status_post("Coming on Thursday?", visibility="public",
                                      poll=api_email.make_poll(["yes", "no"], expires_in=600))
        check(asked["poll"] is not None and [o["title"] for o in asked["poll"]["options"]] == ["yes", "no"],
              f"status_post with a poll gave {asked.get('poll')}")
        voted = api_carol.poll_vote(asked["poll"]["id"], [1])
        check(voted["voted"] and list(voted["own_votes"]) == [1] and voted["votes_count"] == 1,
              f"poll_vote gave {voted}")
        check(api_email.poll(asked["poll"]["id"])["voters_count"] == 1, "poll() does not count the vote")
        later = datetime.now(timezone.utc) + timedelta(minutes=30)
        sched = api_email.status_post("Thursday reminder", visibility="public", scheduled_at=later)
        check(sched.get("params", {}).get("text") == "Thursday reminder", f"a scheduled status_post gave {sched}")
        check([str(s["id"]) for s in api_email.scheduled_statuses()] == [str(sched["id"])],
              "scheduled_statuses() lacks the scheduled post")
        api_email.scheduled_status_update(sched["id"], later + timedelta(hours=1))
        api_email.scheduled_status_delete(sched["id"])
        check(api_email.scheduled_statuses() == [], "scheduled_status_delete left the post")
        ok("status_post with a poll, poll_vote, poll, scheduled status_post, scheduled_statuses, "
           "scheduled_status_update, scheduled_status_delete")
        # ---- pictures ----
        media = api_email.media_post(tiny_png(), mime_type="image/png", description="a tiny drawing",
                                     focus=(0.5, -0.5))
        check(media["type"] == "image" and media["url"] and media["preview_url"]
              and media["meta"]["original"]["width"] == 24 and media["description"] == "a tiny drawing",
              f"media_post gave {media}")
        pictured = api_email.status_post("a drawing", media_ids=[media], visibility="public")
        check([str(m["id"]) for m in pictured["media_attachments"]] == [str(media["id"])],
              f"status_post(media_ids=...) gave {pictured.get('media_attachments')}")
        got = requests.get(pictured["media_attachments"][0]["url"], timeout=HTTP_TIMEOUT)
        check(got.status_code == 200 and got.headers.get("Content-Type") == "image/png"
              and got.headers.get("X-Content-Type-Options") == "nosniff" and got.content.startswith(b"\x89PNG"),
              f"the public picture was served as {got.status_code} {got.headers.get('Content-Type')}")
        try:
            api_email.media_post(b"not a picture at all", mime_type="image/png")
            check(False, "media_post of a non-picture was accepted")
        except MastodonAPIError as e:
            check(len(e.args) > 1 and e.args[1] == 422, f"a non-picture gave {e}")
        ok("media_post (alt text, focus), status_post(media_ids=...), the picture served from our origin, "
           "a non-picture refused")

        # ---- lists, filters, conversations, hashtags, announcements ----
        lst = api_carol.list_create("people I follow", replies_policy="list")
        api_carol.list_accounts_add(lst["id"], [alice_id])
        check([str(a["id"]) for a in api_carol.list_accounts(lst["id"])] == [str(alice_id)],
              "list_accounts does not show the added account")
        listed = api_carol.timeline_list(lst["id"])
        check(any(str(s["id"]) == str(post["id"]) for s in listed), "timeline_list lacks alice's post")
        check([str(l["id"]) for l in api_carol.lists()] == [str(lst["id"])], "lists() does not show the list")
        flt = api_carol.create_filter_v2("kw", ["home"], "warn",
                                         keywords_attributes=[{"keyword": "note", "whole_word": True}])
        warned = [s for s in api_carol.timeline_home(limit=40) if s.get("filtered")]
        check(warned and all("note" in (s["filtered"][0]["keyword_matches"] or []) for s in warned),
              f"a warn filter marked nothing: {[s.get('filtered') for s in api_carol.timeline_home()]}")
        check([str(f["id"]) for f in api_carol.filters_v2()] == [str(flt["id"])], "filters_v2 lacks the filter")
        api_carol.delete_filter_v2(flt["id"])
        dm = api_email.status_post("@carol just between us", visibility="direct")
        convs = api_carol.conversations()
        check(len(convs) == 1 and str(convs[0]["last_status"]["id"]) == str(dm["id"]) and convs[0]["unread"],
              f"conversations() gave {convs}")
        check(not api_carol.conversations_read(convs[0]["id"])["unread"], "conversations_read left it unread")
        api_carol.tag_follow("kindred")
        check([t["name"] for t in api_carol.followed_tags()] == ["kindred"], "followed_tags lacks #kindred")
        check(api_carol.announcements() == [], "announcements() is not an empty list")
        api_carol.list_delete(lst["id"])
        ok("lists with timeline_list, a v2 warn filter, a direct-message conversation, "
           "tag_follow/followed_tags, announcements")

        # ---- search ----
        found = api_carol.search_v2("mastodon.py", result_type="statuses")
        check(any(str(s["id"]) == str(post["id"]) for s in found["statuses"]),
              f"search_v2 did not find the post: {snippet(str(found))}")
        tags = [t["name"] for t in api_carol.search_v2("#kindr", result_type="hashtags")["hashtags"]]
        check(tags == ["kindred"], f"search_v2 hashtags for #kindr: {tags}")
        found = api_carol.search_v2("alice")
        check([str(a["id"]) for a in found["accounts"]] == [str(alice_id)],
              f"search_v2 accounts for alice: {snippet(str(found['accounts']))}")
        check(ALICE_EMAIL not in str(found), "search_v2 answer holds alice's email")
        ok("search_v2: statuses by words, hashtags by prefix, accounts by username")

        # ---- groups: following a group joins it; a discussion post stays with members ----
        r = requests.post(f"{self.base}/api/v1/groups", timeout=HTTP_TIMEOUT,
                          headers={"Authorization": f"Bearer {api_email.access_token}"},
                          data={"username": "peers", "display_name": "Peer group", "visibility": "public"})
        check(r.status_code == 200, f"creating a group gave {r.status_code}: {snippet(r.text)}")
        group_id = r.json()["id"]
        group = api_carol.account(group_id)
        check(group["group"] is True, f"the group's Account has group={group.get('group')!r}")
        check(api_carol.account_follow(group_id)["following"], "account_follow on a public group did not join it")
        talk = api_carol.status_post("@peers a hard day, glad you are here", visibility="public")
        check(talk["visibility"] == "private", f"a discussion post shows visibility {talk['visibility']!r}")
        check(any(str(s["id"]) == str(talk["id"]) for s in api_carol.timeline_home(limit=40)),
              "the discussion post is not in the member's home timeline")
        check(any(str(s["id"]) == str(talk["id"]) for s in api_email.timeline_home(limit=40)),
              "the discussion post is not in the owner's home timeline")
        api_bob = self.masto(client_id=client_id, client_secret=client_secret)
        api_bob.log_in("bob", bob_password, scopes=APP_SCOPES, allow_http=True)
        api_bob.account_follow(api_carol.account_verify_credentials()["id"])
        check(not any(str(s["id"]) == str(talk["id"]) for s in api_bob.timeline_home(limit=40)),
              "a non-member following the author sees the discussion post at home")
        check(not any(str(s["id"]) == str(talk["id"]) for s in api_bob.timeline_public(local=True)),
              "the discussion post is in the public timeline")
        r, _ = self.get_json(f"/api/v1/statuses/{talk['id']}", api_bob.access_token)
        check(r.status_code == 404, f"a non-member fetched the discussion post: {r.status_code}")
        check(not api_bob.account_statuses(group_id), "a non-member sees the group's discussion")
        check(not api_carol.account_unfollow(group_id)["following"], "account_unfollow did not leave the group")
        ok("groups: account_follow joins, a discussion post is in members' home timelines only, "
           "a non-member (even following the author) sees it nowhere, account_unfollow leaves")

        # ---- reports (issue 24): report, admin_reports, admin_report_resolve ----
        carol_id = api_carol.account_verify_credentials()["id"]
        rep = api_bob.report(carol_id, comment="carol was unkind", category="other")
        check(str(rep["target_account"]["id"]) == str(carol_id) and rep["category"] == "other"
              and rep["action_taken"] is False, f"report() gave {snippet(str(rep))}")
        admin_scopes = APP_SCOPES + ["admin:read", "admin:write"]
        admin_client, admin_secret = Mastodon.create_app(
            "kindred-admin-test", api_base_url=self.base, scopes=admin_scopes, redirect_uris=OOB,
            request_timeout=HTTP_TIMEOUT)
        api_admin = self.masto(client_id=admin_client, client_secret=admin_secret)
        api_admin.log_in("alice", ALICE_PASSWORD, scopes=admin_scopes, allow_http=True)
        waiting = api_admin.admin_reports()
        check([str(r["id"]) for r in waiting] == [str(rep["id"])], f"admin_reports() gave {snippet(str(waiting))}")
        check(waiting[0]["account"]["username"] == "bob" and str(waiting[0]["target_account"]["id"]) == str(carol_id),
              f"the admin report names {snippet(str(waiting[0]))}")
        check(ALICE_EMAIL not in str(waiting), "admin_reports() holds an email address")
        resolved = api_admin.admin_report_resolve(rep["id"])
        check(resolved["action_taken"] is True, f"admin_report_resolve gave {snippet(str(resolved))}")
        check(api_admin.admin_reports() == [], "a resolved report is still in admin_reports()")
        check([str(r["id"]) for r in api_admin.admin_reports(resolved=True)] == [str(rep["id"])],
              "admin_reports(resolved=True) lacks the resolved report")
        r, _ = self.get_json("/api/v1/admin/reports", api_bob.access_token)
        check(r.status_code == 403, f"a member read the admin reports: {r.status_code}")
        ok("report(); admin_reports() shows it with its reporter to the admin; admin_report_resolve(); "
           "a member gets 403")

        # ---- streaming (Mastodon.py streams over HTTP server-sent events) ----
        self.streaming_checks(api_email, api_carol)

        # ---- account moderation (issue 24): Mastodon.py's admin methods ----
        admin_scopes = APP_SCOPES + ["admin:read", "admin:write"]
        admin_id, admin_secret = Mastodon.create_app(
            "kindred-admin-test", api_base_url=self.base, scopes=admin_scopes, redirect_uris=OOB,
            request_timeout=HTTP_TIMEOUT)
        api_admin = self.masto(client_id=admin_id, client_secret=admin_secret)
        api_admin.log_in("alice", ALICE_PASSWORD, scopes=admin_scopes, allow_http=True)
        bob_id = api_bob.account_verify_credentials()["id"]
        listed = api_admin.admin_accounts_v2(origin="local")
        check(any(str(a["id"]) == str(bob_id) for a in listed),
              "admin_accounts_v2(origin='local') does not list bob")
        check(all(not a.get("email") for a in listed), "admin_accounts_v2 shows an email address")
        check(api_admin.admin_accounts_v2(ip="127.0.0.1") == [],
              "admin_accounts_v2(ip=…) answered something: Kindred keeps no IPs")
        api_admin.admin_account_moderate(bob_id, action="suspend", text="testing suspension")
        r, _ = self.get_json("/api/v1/accounts/verify_credentials", api_bob.access_token)
        check(r.status_code == 401, f"a suspended member's token answered HTTP {r.status_code} (want 401)")
        suspended = api_admin.admin_accounts_v2(status="suspended")
        check([str(a["id"]) for a in suspended] == [str(bob_id)],
              f"admin_accounts_v2(status='suspended') lists {[a['username'] for a in suspended]}")
        check(api_admin.admin_account(bob_id)["suspended"] is True, "admin_account does not show the suspension")
        api_admin.admin_account_unsuspend(bob_id)
        check(api_admin.admin_account(bob_id)["suspended"] is False, "admin_account_unsuspend did not lift it")
        try:
            api_bob.admin_accounts_v2()
            raise CheckFailed("a member read the admin accounts API")
        except (MastodonUnauthorizedError, MastodonAPIError):
            pass
        ok("admin_accounts_v2 (no email, IP filter empty), admin_account_moderate suspends "
           "(token 401 at once), admin_account_unsuspend; members refused")

        # ---- revocation ----
        api.revoke_access_token(allow_http=True)
        check(api.access_token is None, "revoke_access_token left the token in place")
        r, _ = self.get_json("/api/v1/accounts/verify_credentials", alice_token)
        check(r.status_code == 401, f"revoked token: verify_credentials answered HTTP {r.status_code} (want 401)")
        try:
            self.masto(access_token=alice_token).account_verify_credentials()
            raise CheckFailed("revoked token still works with Mastodon.py")
        except MastodonUnauthorizedError:
            pass
        # Other tokens of the same user are untouched.
        check(api_email.account_verify_credentials()["username"] == "alice",
              "revoking one token revoked another one too")
        ok("revoke_access_token(); the token now gets 401, other tokens still work")

        # ---- shutdown ----
        self.stop_server_gracefully()

        bad = [w for w in self.warnings if "no API version found" in str(w.message)]
        check(not bad, f"Mastodon.py warned: {bad[0].message if bad else ''}")
        for w in self.warnings:
            print(f"note: warning from {w.filename}:{w.lineno}: {w.category.__name__}: {w.message}")

    def streaming_checks(self, api_alice: Mastodon, api_carol: Mastodon) -> None:
        """carol follows alice: her user stream gets alice's followers-only post, and
        her notification stream gets a mention; a direct post to someone else does not
        arrive (the followers-only post after it is the next update)."""
        check(api_carol.stream_healthy(), "stream_healthy() is not True")

        class Collect(StreamListener):
            def __init__(self) -> None:
                super().__init__()
                self.updates: list = []
                self.notifications: list = []
                self.heartbeats = 0
                self.cond = threading.Condition()

            def handle_heartbeat(self) -> None:
                with self.cond:
                    self.heartbeats += 1
                    self.cond.notify_all()

            def on_update(self, status) -> None:
                with self.cond:
                    self.updates.append(status)
                    self.cond.notify_all()

            def on_notification(self, notification) -> None:
                with self.cond:
                    self.notifications.append(notification)
                    self.cond.notify_all()

            def wait(self, pred, what: str) -> None:
                with self.cond:
                    if not self.cond.wait_for(pred, timeout=15):
                        raise CheckFailed(f"stream: {what} did not arrive within 15 s")

        listener = Collect()
        handle = api_carol.stream_user(listener, run_async=True, timeout=30)
        try:
            # The server's opening comment line says the stream is subscribed.
            listener.wait(lambda: listener.heartbeats >= 1, "the opening comment")
            api_alice.status_post("@nobody-here secret", visibility="direct")
            private = api_alice.status_post("streamed to followers", visibility="private")
            listener.wait(lambda: len(listener.updates) >= 1, "an update")
            first = listener.updates[0]
            check(str(first["id"]) == str(private["id"]),
                  f"the first streamed update is {first.get('id')} ({first.get('visibility')}), "
                  f"not the followers-only post {private['id']}")
            check(first["visibility"] == "private", "the streamed status lost its visibility")
            mention = api_alice.status_post("@carol over to you", visibility="private")
            listener.wait(lambda: any(n["type"] == "mention" for n in listener.notifications),
                          "a mention notification")
            note = next(n for n in listener.notifications if n["type"] == "mention")
            check(str(note["status"]["id"]) == str(mention["id"]), "the streamed mention is for another status")
            check(CAROL_EMAIL not in json.dumps(listener.notifications, default=str)
                  and ALICE_EMAIL not in json.dumps(listener.updates, default=str),
                  "an email address appeared in a streamed event")
        finally:
            handle.close()
        ok("stream_healthy(); stream_user: followers-only update, mention notification, "
           "nothing of a direct post to someone else")

    def pkce_flow(self, web: requests.Session, url: str, client_id: str, client_secret: str) -> None:
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        pkce_url = url + "&code_challenge=" + challenge + "&code_challenge_method=S256"

        def approve() -> str:
            r = web.get(pkce_url, timeout=HTTP_TIMEOUT)
            check(r.status_code == 200, f"PKCE authorize page: HTTP {r.status_code}: {snippet(r.text)}")
            hidden = parse_html(r.text).hidden_fields()
            check(hidden.get("code_challenge") == challenge,
                  f"the authorize form dropped the code_challenge: {hidden}")
            r = web.post(f"{self.base}/oauth/authorize",
                         data={**hidden, "username": "alice", "password": ALICE_PASSWORD, "decision": "approve"},
                         timeout=HTTP_TIMEOUT, allow_redirects=False)
            check(r.status_code == 200, f"PKCE approve: HTTP {r.status_code}: {snippet(r.text)}")
            code = parse_html(r.text).auth_code
            check(bool(code), f"PKCE approve page has no code: {snippet(r.text)}")
            return code

        code = approve()
        base_req = {"grant_type": "authorization_code", "client_id": client_id, "client_secret": client_secret,
                    "redirect_uri": OOB, "code": code}
        r = self.token_request(base_req)
        check(r.status_code in (400, 401) and "access_token" not in r.text,
              f"PKCE code redeemed without code_verifier: HTTP {r.status_code}: {snippet(r.text)}")
        code = approve()
        r = self.token_request({**base_req, "code": code, "code_verifier": secrets.token_urlsafe(48)})
        check(r.status_code in (400, 401) and "access_token" not in r.text,
              f"PKCE code redeemed with a wrong code_verifier: HTTP {r.status_code}: {snippet(r.text)}")
        code = approve()
        r = self.token_request({**base_req, "code": code, "code_verifier": verifier})
        check(r.status_code == 200, f"PKCE code with the right verifier: HTTP {r.status_code}: {snippet(r.text)}")
        token = r.json().get("access_token")
        me = self.masto(access_token=token).account_verify_credentials()
        check(me["username"] == "alice", f"PKCE token belongs to {me.get('username')!r}")
        # A public client proves possession with the verifier instead of the secret
        # (the metadata advertises token_endpoint_auth_methods_supported "none").
        code = approve()
        public_req = {k: v for k, v in base_req.items() if k != "client_secret"}
        r = self.token_request({**public_req, "code": code, "code_verifier": verifier})
        check(r.status_code == 200,
              f"PKCE code with the right verifier and no client_secret: HTTP {r.status_code}: {snippet(r.text)}")
        ok("authorization code + PKCE (S256): missing/wrong verifier refused, right verifier works "
           "(with and without client_secret)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kindred-bin", required=True, help="path of the kindred binary")
    ap.add_argument("--database-url", required=True, help="sqlite://… or postgres://… (an empty database)")
    ap.add_argument("--workdir", required=True, help="directory for the config, key file and server log")
    args = ap.parse_args()

    if not Path(args.kindred_bin).is_file():
        print(f"FAIL: kindred binary not found at {args.kindred_bin}", file=sys.stderr)
        return 2

    run = Run(args)
    failed = True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run.warnings = caught
        try:
            run.run()
            failed = False
        except CheckFailed as e:
            print(f"FAIL: {e}", file=sys.stderr)
        except Exception as e:  # a library error or a crash of this script
            print(f"FAIL: unexpected {type(e).__name__}: {e}", file=sys.stderr)
            traceback.print_exc()
        finally:
            run.kill_server()
    if failed:
        if run.log_path.exists():
            print(f"--- last 80 lines of the server log ({run.log_path}) ---", file=sys.stderr)
            print(run.read_log(tail_lines=80), file=sys.stderr)
        else:
            print("(the server was not started, so there is no server log)", file=sys.stderr)
        return 1
    print("PASS: Mastodon.py client test", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
