#!/usr/bin/env python3
"""The moderators' and admins' pages (/admin): a moderator works a report to a
resolution with a warning; an admin approves a sign-up, makes an invite, blocks a
server, adds a partner, edits the crisis resources and publishes an announcement;
the audit log shows the steps. Privacy from the outside: every /admin page refuses
the signed-out, members and facilitators (moderator as the positive control),
admin-only pages refuse moderators, and no page shows an email address.
See harness.py for how to run it."""

from __future__ import annotations

import json

import requests

import harness
from harness import check, ok

PASSWORD = "a long enough test password 1"
EMAIL = "newcomer-secret@example.org"
COMMENT = "They keep posting hurtful things XQ7"
TROLL_POST = "A hurtful troll post ZK4"
REASON = "I would like to find a peer group near me"

# Registration waits for a moderator here (the harness writes "open").
_write_config = harness.Server.write_config


def _approval_config(self) -> None:
    _write_config(self)
    text = self.config.read_text(encoding="utf-8")
    self.config.write_text(text.replace('mode = "open"', 'mode = "approval"', 1), encoding="utf-8")


harness.Server.write_config = _approval_config

S: dict = {}

STAFF_PAGES = ["/admin", "/admin/reports", "/admin/accounts", "/admin/sign_ups",
               "/admin/invites", "/admin/audit_log", "/admin/crisis"]
ADMIN_PAGES = ["/admin/federation", "/admin/announcements"]


def web_session(h, name: str) -> requests.Session:
    """A signed-in browser session without the browser (for many quick reads)."""
    s = requests.Session()
    page = s.get(h.base + "/auth/sign_in", timeout=30).text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = s.post(h.base + "/auth/sign_in", data={"username": name, "password": PASSWORD,
                                               "csrf_token": token},
               allow_redirects=False, timeout=30)
    check(r.status_code == 303, f"sign-in of {name}: {r.status_code}")
    s.csrf = token  # type: ignore[attr-defined]
    return s


def test_setup(h):
    for name, role in [("ada", "admin"), ("mona", "moderator"), ("fay", "facilitator"),
                       ("mel", "member"), ("trent", "member")]:
        h.create_user(name, PASSWORD, role=role)
    S["mel"] = h.api_token("mel", PASSWORD)
    S["trent"] = h.api_token("trent", PASSWORD)
    S["ada"] = h.api_token("ada", PASSWORD)
    r = h.api("POST", "/api/v1/statuses", S["trent"], data={"status": TROLL_POST,
                                                            "visibility": "public"})
    check(r.status_code == 200, f"post: {r.status_code} {r.text}")
    status_id = r.json()["id"]
    S["trent_id"] = r.json()["account"]["id"]
    r = h.api("POST", "/api/v1/reports", S["mel"], json={
        "account_id": S["trent_id"], "status_ids": [status_id], "comment": COMMENT,
        "category": "violation", "rule_ids": ["1"]})
    check(r.status_code == 200, f"report: {r.status_code} {r.text}")
    S["report_id"] = r.json()["id"]
    # A sign-up waiting for approval, with an email address no page may show.
    r = requests.post(h.base + "/api/v1/apps", timeout=30, data={
        "client_name": "sign-up", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
        "scopes": "read write"})
    app = r.json()
    r = requests.post(h.base + "/oauth/token", timeout=30, data={
        "grant_type": "client_credentials", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "scope": "write"})
    check(r.status_code == 200, f"app token: {r.status_code} {r.text}")
    r = h.api("POST", "/api/v1/accounts", r.json()["access_token"], data={
        "username": "newcomer", "email": EMAIL, "password": PASSWORD,
        "agreement": "true", "locale": "en", "reason": REASON})
    check(r.status_code == 200, f"sign-up: {r.status_code} {r.text}")
    r = h.api("GET", "/api/v1/admin/accounts?pending=true", S["ada"])
    pending = [a for a in r.json() if a["username"] == "newcomer"]
    check(len(pending) == 1 and not pending[0]["approved"], f"newcomer not pending: {r.text[:300]}")
    S["newcomer_id"] = pending[0]["id"]


def test_outsiders_are_refused(h):
    report = f"/admin/reports/{S['report_id']}"
    account = f"/admin/accounts/{S['trent_id']}"
    pages = STAFF_PAGES + ADMIN_PAGES + [report, account]
    # Positive control: a moderator reads every moderator page, the report with its
    # comment among them.
    mona = web_session(h, "mona")
    for p in STAFF_PAGES + [report, account]:
        r = mona.get(h.base + p, allow_redirects=False, timeout=30)
        check(r.status_code == 200, f"moderator on {p}: {r.status_code}")
    check(COMMENT in mona.get(h.base + report, timeout=30).text, "the report's comment is missing")
    # The signed-out are sent to sign in.
    for p in pages:
        r = requests.get(h.base + p, allow_redirects=False, timeout=30)
        check(r.status_code == 303 and "/auth/sign_in" in r.headers.get("Location", ""),
              f"anonymous on {p}: {r.status_code} {r.headers.get('Location')}")
    # Members and facilitators get 403, as the admin API answers them.
    for name in ["mel", "fay"]:
        s = web_session(h, name)
        for p in pages:
            r = s.get(h.base + p, allow_redirects=False, timeout=30)
            check(r.status_code == 403, f"{name} on {p}: {r.status_code}")
            check(COMMENT not in r.text and TROLL_POST not in r.text and REASON not in r.text,
                  f"{name} sees moderation data on {p}")
        r = h.api("GET", "/api/v1/admin/reports", h.api_token(name, PASSWORD))
        check(r.status_code == 403, f"the API answers {name} {r.status_code}")
        # A form with a valid token changes nothing either.
        r = s.post(h.base + f"/admin/accounts/{S['trent_id']}/action",
                   data={"csrf_token": s.csrf, "type": "suspend"},  # type: ignore[attr-defined]
                   allow_redirects=False, timeout=30)
        check(r.status_code == 403, f"{name} POST action: {r.status_code}")
    r = h.api("GET", f"/api/v1/admin/accounts/{S['trent_id']}", S["ada"])
    check(not r.json()["suspended"], "a member's form suspended an account")
    # Admin-only pages refuse a moderator; the admin reads them (control).
    ada = web_session(h, "ada")
    for p in ADMIN_PAGES:
        r = mona.get(h.base + p, allow_redirects=False, timeout=30)
        check(r.status_code == 403, f"moderator on admin page {p}: {r.status_code}")
        r = ada.get(h.base + p, allow_redirects=False, timeout=30)
        check(r.status_code == 200, f"admin on {p}: {r.status_code}")
    r = mona.post(h.base + "/admin/federation/block",
                  data={"csrf_token": mona.csrf, "domain": "nope.example"},  # type: ignore[attr-defined]
                  allow_redirects=False, timeout=30)
    check(r.status_code == 403, f"moderator POST block: {r.status_code}")
    # Without the form token nothing happens, even for a moderator.
    r = mona.post(h.base + f"/admin/reports/{S['report_id']}/resolve", data={},
                  allow_redirects=False, timeout=30)
    check(r.status_code == 403, f"a POST without csrf_token: {r.status_code}")
    ok("members, facilitators and the signed-out are refused; moderators not on admin pages")


def test_no_page_shows_an_email(h):
    for name in ["mona", "ada"]:
        s = web_session(h, name)
        # Positive control: the same read finds the sign-up's reason.
        page = s.get(h.base + "/admin/sign_ups", timeout=30).text
        check(REASON in page, f"{name}: the sign-up's reason is missing")
        for p in STAFF_PAGES + [f"/admin/accounts/{S['newcomer_id']}",
                                "/admin/accounts?status=pending"]:
            text = s.get(h.base + p, timeout=30).text.replace(harness.QUICK_EXIT, "")
            check(EMAIL not in text and "example.org" not in text, f"{name} sees an email on {p}")
            check("127.0.0.1" not in text, f"{name} sees an IP on {p}")


def test_moderator_works_a_report(h):
    h.sign_in("mona", PASSWORD, next_path="/admin")
    check("One report is waiting" in h.text(), f"overview: {h.text()[:400]}")
    h.axe("the moderation overview")
    h.find("main a[href='/admin/reports']").click()
    h.wait_path("/admin/reports")
    h.axe("the reports queue")
    h.screenshot("admin-reports")
    h.find(f"main a[href='/admin/reports/{S['report_id']}']").click()
    h.wait_path(f"/admin/reports/{S['report_id']}")
    text = h.text()
    check(COMMENT in text and TROLL_POST in text and "@mel" in text and "@trent" in text,
          f"the report page lacks its parts: {text[:800]}")
    check("Be kind." in text, "the rule broken is not named")
    h.axe("a report's page")
    h.submit(f"form[action='/admin/reports/{S['report_id']}/assign_to_self'] button")
    check("@mona" in h.find("main dl").text, "not assigned to the moderator")
    h.fill("text", "Please keep to the rules.")
    h.submit(f"form[action='/admin/reports/{S['report_id']}/account_action'] button[type=submit]")
    text = h.text()
    check("Resolved" in text, f"the report is not resolved: {text[:600]}")
    check("Assigned" in text, "the history does not show the assignment")
    h.screenshot("admin-report")
    r = h.api("GET", "/api/v1/notifications", S["trent"])
    warnings = [n for n in r.json() if n["type"] == "moderation_warning"]
    check(len(warnings) == 1, f"the member got no warning: {r.text[:400]}")
    check('"mel"' not in json.dumps(warnings[0]), "the warning names the reporter")
    # Resolved reports leave the open queue and show under the filter.
    h.get("/admin/reports")
    check(f"/admin/reports/{S['report_id']}" not in h.html(), "a resolved report is still open")
    h.get("/admin/reports?resolved=1")
    check(f"/admin/reports/{S['report_id']}" in h.html(), "the resolved report is not listed")
    # The account's page shows the warning in its history and the report.
    h.get(f"/admin/accounts/{S['trent_id']}")
    check("account.warn" in h.text() and f"Report {S['report_id']}" in h.text(),
          f"the account's page: {h.text()[:800]}")
    h.axe("an account's page")
    h.get("/admin/accounts?origin=local&status=active&username=tre")
    check("@trent" in h.text() and "@mel" not in h.text(), "the account search")
    h.axe("the accounts list")
    h.sign_out()


def test_admin_approves_and_invites(h):
    h.sign_in("ada", PASSWORD, next_path="/admin/sign_ups")
    check(REASON in h.text(), "the sign-up is not listed")
    h.axe("the sign-ups waiting")
    h.submit(f"form[action='/admin/accounts/{S['newcomer_id']}/approve'] button")
    h.wait_path("/admin/sign_ups")
    check("Nobody is waiting" in h.text(), f"still waiting: {h.text()[:400]}")
    r = h.api("GET", f"/api/v1/admin/accounts/{S['newcomer_id']}", S["ada"])
    check(r.json()["approved"], "the sign-up was not approved")
    # The browser refuses 0 itself (min="1"); the server explains it too.
    s = web_session(h, "ada")
    r = s.post(h.base + "/admin/invites", data={"csrf_token": s.csrf, "max_uses": "0",  # type: ignore[attr-defined]
                                                "expires_days": "7"}, timeout=30)
    check(r.status_code == 422 and "from 1 to 1000" in r.text, f"bad uses: {r.status_code}")
    check('value="0"' in r.text and "invite-code" not in r.text, "what was typed is lost")
    h.get("/admin/invites")
    h.fill("max_uses", "5")
    h.fill("expires_days", "7")
    h.submit("form[action='/admin/invites'] button")
    code = h.find("code.invite-code").text
    check(len(code) >= 16, f"no invite code shown: {h.text()[:400]}")
    check("0 / 5" in h.text() and "Valid" in h.text(), "the invite is not listed")
    h.axe("the invites page")
    h.get("/admin/invites")
    check(code not in h.html(), "the invite code is shown again")


def test_admin_federation(h):
    h.get("/admin/federation")
    h.axe("the federation page")
    h.fill("domain", "bad.example", form="form[action='/admin/federation/block']")
    h.find("#block-reject_media").click()
    h.fill("public_comment", "Harassment of our members")
    h.fill("private_comment", "See report 12")
    h.submit("form[action='/admin/federation/block'] button[type=submit]")
    h.wait_path("/admin/federation")
    check("bad.example" in h.text() and "Refuse its media" in h.text(), "the block is not listed")
    h.fill("domain", "friend.example", form="form[action='/admin/federation/allow']")
    h.find("#scope-direct").click()
    h.submit("form[action='/admin/federation/allow'] button[type=submit]")
    cards = [c.text for c in h.find_all("main li.card") if "friend.example" in c.text]
    check(len(cards) == 1 and "Meetings" in cards[0] and "Direct messages" not in cards[0],
          f"the partner's scopes: {cards}")
    h.screenshot("admin-federation")
    r = h.api("GET", "/api/v1/admin/domain_blocks", S["ada"])
    blocks = [b for b in r.json() if b["domain"] == "bad.example"]
    check(blocks and blocks[0]["severity"] == "suspend" and blocks[0]["reject_media"],
          f"the API does not show the block: {r.text[:300]}")


def test_admin_crisis_and_announcement(h):
    h.get("/admin/crisis")
    h.fill("name", "Helpline Test", form="form[action='/admin/crisis/create']")
    h.fill("phone", "116 123", form="form[action='/admin/crisis/create']")
    h.submit("form[action='/admin/crisis/create'] button")
    h.wait_path("/admin/crisis")
    form = [f for f in h.find_all("main form") if "update" in (f.get_attribute("action") or "")]
    check(len(form) == 1, "the new resource has no edit form")
    action = form[0].get_attribute("action").replace(h.base, "")
    h.fill("hours", "Around the clock", form=f"form[action='{action}']")
    h.submit(f"form[action='{action}'] button")
    r = h.api("GET", "/api/v1/admin/kindred/crisis_resources", S["ada"])
    check("Around the clock" in r.text and "116 123" in r.text, f"crisis: {r.text[:300]}")
    h.axe("the crisis resources")
    h.get("/admin/announcements")
    h.fill("text", "The Friday cafe is closed this week", form="form[action='/admin/announcements/create']")
    h.submit("form[action='/admin/announcements/create'] button")
    h.wait_path("/admin/announcements")
    check("Published" in h.text(), "the announcement is not published")
    h.axe("the announcements")
    r = h.api("GET", "/api/v1/announcements", S["mel"])
    check("Friday cafe" in r.text, f"members do not see the announcement: {r.text[:300]}")


def test_audit_log_shows_the_steps(h):
    h.get("/admin/audit_log")
    text = h.text()
    for kind in ["report.assign", "account.warn", "report.resolve", "sign_up.approve",
                 "federation.block", "federation.allow"]:
        check(kind in text, f"the audit log lacks {kind}: {text[:1200]}")
    h.axe("the audit log")
    h.screenshot("admin-audit-log")
    h.get("/admin/audit_log?kind=federation.&actor=")
    check("federation.block" in h.text() and "account.warn" not in h.text(), "the kind filter")
    h.get("/admin/audit_log?actor=mona")
    check("account.warn" in h.text() and "federation.block" not in h.text(), "the actor filter")
    h.get("/admin/audit_log?actor=nobody-at-all")
    check("no local account" in h.text(), "an unknown actor is not explained")


def test_norwegian_admin(h):
    h.set_language("nb-NO,nb;q=0.9")
    try:
        h.get("/admin")
        check("Oversikt over modereringen" in h.text(), f"not Norwegian: {h.text()[:300]}")
        h.axe("the overview in Norwegian")
    finally:
        h.set_language("en")


if __name__ == "__main__":
    harness.main(globals())
