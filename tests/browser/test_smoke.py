#!/usr/bin/env python3
"""The portal's frame: signing in and out, CSRF, headers, language, quick exit and
accessibility of the shared pages. See harness.py for how to run it."""

from __future__ import annotations

import requests

import harness
from harness import By, Keys, check, ok

PASSWORD = "a long enough test password 1"


def test_sign_in_page_is_accessible(h):
    h.create_user("river", PASSWORD)
    h.get("/auth/sign_in")
    check(h.find("html").get_attribute("lang") == "en", "html lang is not en")
    check(h.find("input[name=username]").is_displayed(), "no username field")
    check(h.find("input[name=csrf_token]").get_attribute("value"), "no csrf_token in the form")
    h.axe("the sign-in page")
    h.screenshot("sign-in")


def test_profile_page(h):
    h.get("/@river")
    check("@river@" in h.text(), f"the profile does not show the handle: {h.text()[:300]}")
    h.axe("a profile page")
    h.get("/@nobody-here")
    check("Not found" in h.text(), "an unknown name is not a readable 404 page")


def test_headers_are_strict(h):
    r = requests.get(h.base + "/auth/sign_in", timeout=30)
    csp = r.headers.get("Content-Security-Policy", "")
    check("script-src 'self'" in csp and "unsafe-inline" not in csp, f"weak CSP: {csp!r}")
    check("frame-ancestors 'none'" in csp, f"CSP allows framing: {csp!r}")
    check(r.headers.get("X-Frame-Options") == "DENY", "X-Frame-Options missing")
    check("<script>" not in r.text and " style=" not in r.text, "inline script or style in the page")
    check("http://" not in r.text.replace(h.base, "").replace(harness.QUICK_EXIT, "")
          and "https://" not in r.text, "the page refers to another origin")


def test_wrong_password_keeps_the_name_not_the_password(h):
    h.get("/auth/sign_in")
    h.fill("username", "river")
    h.fill("password", "not the password")
    h.submit()
    check("do not match" in h.text(), f"no clear error: {h.text()[:300]}")
    check(h.find("input[name=username]").get_attribute("value") == "river", "the name was not kept")
    check(h.find("input[name=password]").get_attribute("value") == "", "the password was kept")
    h.axe("the sign-in page with an error")


def test_sign_in_and_out(h):
    h.sign_in("river", PASSWORD, next_path="/")
    check("Signed in as river" in h.text(), "the frame does not show who is signed in")
    cookie = h.driver.get_cookie("kindred_session")
    check(cookie is not None and cookie.get("httpOnly"), f"session cookie not HttpOnly: {cookie}")
    check(cookie.get("sameSite") in ("Lax", "Strict"), f"session cookie SameSite: {cookie}")
    stolen = cookie["value"]
    # Signed in, the sign-in page goes straight on.
    h.get("/auth/sign_in?next=/about")
    h.wait_path("/about")
    h.find("header form[action='/auth/sign_out'] button").click()
    h.wait_for(lambda d: d.get_cookie("kindred_session") is None, "the session cookie to go")
    # The old session token no longer works anywhere.
    r = requests.get(h.base + "/api/v1/accounts/verify_credentials",
                     headers={"Authorization": f"Bearer {stolen}"}, timeout=30)
    check(r.status_code == 401, f"a signed-out session still works: {r.status_code}")


def test_forms_need_their_token(h):
    s = requests.Session()
    r = s.post(h.base + "/auth/sign_in", data={"username": "river", "password": PASSWORD},
               allow_redirects=False, timeout=30)
    check(r.status_code == 403, f"a sign-in without csrf_token answered {r.status_code}")
    check("kindred_session" not in r.headers.get("Set-Cookie", ""), "a session was started")
    # Positive control: the same with the page's token signs in.
    page = s.get(h.base + "/auth/sign_in", timeout=30).text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = s.post(h.base + "/auth/sign_in", data={"username": "river", "password": PASSWORD,
                                               "csrf_token": token},
               allow_redirects=False, timeout=30)
    check(r.status_code == 303 and "kindred_session" in r.headers.get("Set-Cookie", ""),
          f"the control sign-in failed: {r.status_code}")


def test_norwegian(h):
    h.set_language("nb-NO,nb;q=0.9")
    try:
        h.get("/auth/sign_in")
        check(h.find("html").get_attribute("lang") == "nb", "html lang is not nb")
        check("Logg inn" in h.text() and "Rask utgang" in h.text(), f"not Norwegian: {h.text()[:300]}")
        h.axe("the sign-in page in Norwegian")
    finally:
        h.set_language("en")


def test_keyboard_skip_link_and_quick_exit(h):
    # A page the person interacted with (Chromium's back button skips entries left
    # without any user activation), then the page to leave.
    h.get("/about")
    h.find("main h1").click()
    h.get("/auth/sign_in")
    h.press(Keys.TAB)
    check(h.focused().get_attribute("class") == "skip-link", "the first Tab stop is not the skip link")
    h.press(Keys.ENTER)
    h.wait_for(lambda d: h.focused().get_attribute("id") == "main", "the skip link to focus main")
    h.get("/auth/sign_in")
    h.press(Keys.TAB, Keys.TAB)
    check(h.focused().get_attribute("id") == "quick-exit",
          "the quick exit is not the next Tab stop after the skip link")
    check(h.focused().get_attribute("href") == harness.QUICK_EXIT, "quick exit leads elsewhere")
    # With script: Escape twice leaves, replacing the history entry.
    # A page the person interacted with (Chromium's back button skips entries left
    # without any user activation), then the page to leave.
    h.get("/about")
    h.find("main h1").click()
    h.get("/auth/sign_in")
    h.press(Keys.ESCAPE, Keys.ESCAPE)
    h.wait_for(lambda d: d.current_url.startswith(harness.QUICK_EXIT), "the quick exit")
    h.driver.back()
    h.wait_for(lambda d: d.current_url.startswith(h.base + "/about"),
               "back to the page before the one left (the left one is replaced)")
    ok("Escape twice left for the neutral page and back does not return")


if __name__ == "__main__":
    harness.main(globals())
