"""Browser test harness: a real `kindred serve`, Debian's Chromium driven through
chromedriver (Selenium), and axe-core for accessibility.

Each `test_*.py` file in this directory is one journey set. It defines functions
`test_<what>(h)` that run in file order against ONE server and ONE browser (shared:
starting them is the slow part), and ends with `harness.main(globals())`. Run one:

    python tests/browser/test_member.py --kindred-bin target/debug/kindred \
        --database-url sqlite:///tmp/x/k.sqlite --workdir /tmp/x

The Rust test `crates/kindred-server/tests/integration/browser.rs` runs every file
on SQLite (and the member journey on PostgreSQL) from `scripts/test.sh`.

Nothing here reaches beyond loopback: chromedriver is Debian's at a fixed path
(Selenium's driver manager would download drivers and send statistics), Chromium
runs with background networking off, and axe-core is read from a local file
(scripts/test.sh fetches the pinned release once).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("SE_AVOID_STATS", "true")
os.environ.setdefault("SE_OFFLINE", "true")

try:
    import requests
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as e:  # pragma: no cover - environment problem
    print(f"FAIL: cannot import selenium/requests ({e}); run scripts/test.sh", file=sys.stderr)
    sys.exit(2)

__all__ = ["By", "Keys", "H", "CheckFailed", "check", "main"]

CHROMEDRIVER = os.environ.get("KINDRED_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("KINDRED_CHROMIUM", "/usr/bin/chromium")
WAIT = 20  # seconds: an upper bound for event-driven waits, never a sleep
INSTANCE_NAME = "Kindred browser test"
ROOT = Path(__file__).resolve().parents[2]
# The neutral page the quick exit leads to: on loopback (a closed port), so no test
# ever reaches the internet.
QUICK_EXIT = "http://127.0.0.1:9/neutral"


class CheckFailed(Exception):
    pass


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise CheckFailed(msg)


def ok(msg: str) -> None:
    print(f"ok: {msg}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env() -> dict:
    return {k: v for k, v in os.environ.items()
            if not k.startswith("KINDRED__") and k != "KINDRED_CONFIG"}


class Server:
    """One `kindred serve` process with its own config, database and log."""

    def __init__(self, bin_path: str, db_url: str, workdir: Path, extra_toml: str = "") -> None:
        self.bin = str(Path(bin_path).resolve())
        self.db_url = db_url
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://localhost:{self.port}"
        self.config = workdir / "kindred.toml"
        self.log_path = workdir / "server.log"
        self.proc: subprocess.Popen | None = None
        self.extra_toml = extra_toml

    def write_config(self) -> None:
        self.config.write_text(
            "[server]\n"
            f"bind = {json.dumps(f'127.0.0.1:{self.port}')}\n"
            "rate_limits = false\n"
            "[instance]\n"
            f"domain = {json.dumps(f'localhost:{self.port}')}\n"
            f"name = {json.dumps(INSTANCE_NAME)}\n"
            'description = "A peer-support community for browser tests."\n'
            'rules = ["Be kind.", "What is shared in a group stays in the group."]\n'
            "[database]\n"
            f"url = {json.dumps(self.db_url)}\n"
            "[registration]\n"
            'mode = "open"\n'
            "[security]\n"
            f"key_file = {json.dumps(str(self.workdir / 'secret.key'))}\n"
            "[federation]\n"
            "allow_http = true\n"
            "allow_private_networks = true\n"
            "[web]\n"
            f"quick_exit_url = {json.dumps(QUICK_EXIT)}\n"
            + self.extra_toml,
            encoding="utf-8",
        )

    def kindred(self, *args: str, stdin: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
        cp = subprocess.run([self.bin, "--config", str(self.config), *args], input=stdin,
                            capture_output=True, text=True, timeout=timeout, env=child_env(),
                            cwd=self.workdir)
        check(cp.returncode == 0,
              f"`kindred {' '.join(args)}` exited {cp.returncode}\n{cp.stdout}\n{cp.stderr}")
        return cp

    def start(self) -> None:
        self.write_config()
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([self.bin, "--config", str(self.config), "serve"],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                     env=child_env(), cwd=self.workdir)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            check(self.proc.poll() is None, f"kindred serve exited early\n{self.read_log()}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise CheckFailed(f"server did not answer /healthz within 60 s\n{self.read_log()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def read_log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


class H:
    """What a test gets: the server, the browser and helpers."""

    def __init__(self, server: Server, driver, axe_js: str | None, shots: Path | None) -> None:
        self.server = server
        self.base = server.base
        self.driver = driver
        self.axe_js = axe_js
        self.shots = shots
        self.axe_checked: list[str] = []

    # ---- accounts and the API ------------------------------------------

    def create_user(self, name: str, password: str, role: str = "member", email: str | None = None) -> None:
        args = ["admin", "create-user", name, "--role", role, "--password-stdin"]
        if email:
            args += ["--email", email]
        self.server.kindred(*args, stdin=password + "\n")

    def api_token(self, name: str, password: str,
                  scopes: str = "read write follow push admin:read admin:write") -> str:
        """A bearer token through the password grant, to set things up quickly."""
        r = requests.post(f"{self.base}/api/v1/apps", timeout=30, data={
            "client_name": "browser-test-setup", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": scopes})
        check(r.status_code == 200, f"app registration: {r.status_code} {r.text}")
        app = r.json()
        r = requests.post(f"{self.base}/oauth/token", timeout=30, data={
            "grant_type": "password", "client_id": app["client_id"],
            "client_secret": app["client_secret"], "username": name, "password": password,
            "scope": scopes})
        check(r.status_code == 200, f"password grant for {name}: {r.status_code} {r.text}")
        return r.json()["access_token"]

    def api(self, method: str, path: str, token: str | None = None, **kw) -> requests.Response:
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, self.base + path, headers=headers, timeout=30, **kw)

    # ---- the browser -----------------------------------------------------

    def get(self, path: str) -> None:
        self.driver.get(self.base + path)

    def path(self) -> str:
        url = self.driver.current_url
        return url[len(self.base):] if url.startswith(self.base) else url

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def html(self) -> str:
        return self.driver.page_source

    def wait_for(self, cond, what: str, timeout: float = WAIT):
        """Waits until `cond(driver)` is truthy (polls; no fixed sleep)."""
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(cond)
        except Exception as e:  # noqa: BLE001 - report what we waited for
            raise CheckFailed(f"timed out waiting for {what} (at {self.path()}): {e}\n"
                              f"--- page text ---\n{self.text()[:1500]}")

    def wait_path(self, prefix: str) -> None:
        self.wait_for(lambda d: self.path().startswith(prefix), f"the page {prefix}")

    def fill(self, name: str, value: str, form: str = "") -> None:
        el = self.find(f"{form} [name='{name}']".strip())
        el.clear()
        el.send_keys(value)

    def submit(self, css: str = "main form button[type=submit]") -> None:
        """Clicks a submit button and waits for the next page to load."""
        old = self.find("html")
        self.find(css).click()
        self.wait_for(lambda d: _stale(old), "the next page after submitting")

    def sign_in(self, name: str, password: str, next_path: str = "/home") -> None:
        self.get(f"/auth/sign_in?next={next_path}")
        self.fill("username", name)
        self.fill("password", password)
        self.submit()
        check("/auth/sign_in" not in self.path(),
              f"sign-in as {name} failed: {self.text()[:500]}")

    def press(self, *keys) -> None:
        """Keys pressed on whatever has the focus (the keyboard alone)."""
        ActionChains(self.driver).send_keys(*keys).perform()

    def focused(self):
        return self.driver.switch_to.active_element

    def sign_out(self) -> None:
        self.driver.delete_all_cookies()

    def set_language(self, lang: str) -> None:
        """Chromium's Accept-Language for the next requests (DevTools)."""
        ua = self.driver.execute_script("return navigator.userAgent")
        self.driver.execute_cdp_cmd("Emulation.setUserAgentOverride",
                                    {"userAgent": ua, "acceptLanguage": lang})

    def axe(self, label: str) -> None:
        """Runs axe-core on the current page: no violation of any impact."""
        check(self.axe_js is not None, "axe-core is not available (KINDRED_AXE_JS)")
        self.driver.execute_script(self.axe_js)
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(r => done(JSON.stringify(r.violations)))"
            ".catch(e => done(JSON.stringify([{id: 'axe-error', help: String(e), nodes: []}])));")
        violations = json.loads(result)
        if violations:
            lines = []
            for v in violations:
                targets = [", ".join(n.get("target", [])) for n in v.get("nodes", [])][:5]
                lines.append(f"- {v['id']} ({v.get('impact')}): {v.get('help')} at {targets}")
            raise CheckFailed(f"axe-core found {len(violations)} violation(s) on {label} "
                              f"({self.path()}):\n" + "\n".join(lines))
        self.axe_checked.append(label)
        ok(f"axe-core: no violations on {label}")

    def screenshot(self, name: str) -> None:
        """Saves a screenshot for docs/web.md when KINDRED_SCREENSHOTS names a directory."""
        if self.shots is not None:
            self.shots.mkdir(parents=True, exist_ok=True)
            self.driver.save_screenshot(str(self.shots / f"{name}.png"))

    def assert_absent(self, needle: str, where: str) -> None:
        """`needle` is nowhere in the page's HTML (check a positive control first)."""
        check(needle not in self.html(), f"{where}: the page shows {needle!r}")


def _stale(el) -> bool:
    try:
        el.is_enabled()
        return False
    except Exception:  # noqa: BLE001 - StaleElementReferenceException
        return True


def make_driver(width: int = 1280, height: int = 900):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-default-apps", "--disable-sync",
              "--disable-extensions", "--no-first-run", "--disable-dev-shm-usage",
              "--metrics-recording-only", "--disable-domain-reliability",
              f"--window-size={width},{height}", "--lang=en-GB"]:
        opts.add_argument(a)
    service = Service(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=opts)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def main(module_globals: dict, extra_toml: str = "") -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kindred-bin", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--only", default=None, help="run only tests whose name contains this")
    args = parser.parse_args()
    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    axe_path = os.environ.get("KINDRED_AXE_JS")
    axe_js = Path(axe_path).read_text(encoding="utf-8") if axe_path and Path(axe_path).is_file() else None
    shots = os.environ.get("KINDRED_SCREENSHOTS")
    server = Server(args.kindred_bin, args.database_url, workdir,
                    module_globals.get("EXTRA_TOML", extra_toml))
    tests = [(n, f) for n, f in module_globals.items()
             if n.startswith("test_") and callable(f) and (args.only is None or args.only in n)]
    driver = None
    failed = 0
    try:
        server.start()
        ok(f"server up at {server.base}")
        driver = make_driver()
        h = H(server, driver, axe_js, Path(shots) if shots else None)
        for name, fn in tests:
            t0 = time.monotonic()
            try:
                fn(h)
                ok(f"{name} ({time.monotonic() - t0:.1f} s)")
            except Exception as e:  # noqa: BLE001 - report every failure
                failed += 1
                print(f"FAIL: {name}: {e}", flush=True)
                traceback.print_exc()
                if not isinstance(e, CheckFailed):
                    print(f"--- page ({h.path()}) ---\n{h.text()[:1500]}", flush=True)
    except Exception as e:  # noqa: BLE001
        failed += 1
        print(f"FAIL: setup: {e}", flush=True)
        traceback.print_exc()
    finally:
        if driver is not None:
            driver.quit()
        server.stop()
    if failed:
        print(f"--- server log (tail) ---\n{server.read_log()[-4000:]}", flush=True)
        sys.exit(1)
    print(f"all {len(tests)} browser checks passed", flush=True)
