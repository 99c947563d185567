#!/usr/bin/env python3
"""The member pages: signing up, home with compose, notifications, profiles,
settings (language, password, sessions, apps, export, deletion) and help, one
journey with the keyboard alone, and a phone-sized window. See harness.py for how
to run it."""

from __future__ import annotations

import requests

import harness
from harness import By, Keys, check, ok

PASSWORD = "a long enough test password 1"
NEW_PASSWORD = "another long test password 2"


def csrf_of(session: requests.Session, base: str, path: str) -> str:
    page = session.get(base + path, timeout=30).text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_sign_up_errors_keep_what_was_typed(h):
    h.sign_out()
    h.get("/auth/sign_up")
    check("don't use your real name" in h.text(), f"no pseudonym guidance: {h.text()[:400]}")
    check("What is shared in a group stays in the group." in h.text(), "the rules are not shown")
    h.axe("the sign-up page")
    h.screenshot("member-sign-up")
    # Without agreeing: refused, the name and email kept, the password not.
    h.fill("username", "willow")
    h.fill("password", PASSWORD)
    h.fill("email", "willow@example.org")
    h.driver.execute_script("document.getElementById('agreement').removeAttribute('required')")
    h.submit()
    check("tick the box" in h.text(), f"no clear error without agreement: {h.text()[:400]}")
    check(h.find("input[name=username]").get_attribute("value") == "willow", "name not kept")
    check(h.find("input[name=email]").get_attribute("value") == "willow@example.org", "email not kept")
    check(h.find("input[name=password]").get_attribute("value") == "", "the password was kept")
    h.axe("the sign-up page with an error")
    # Nothing was created: the name is still free (positive control below).
    r = h.api("GET", "/api/v1/accounts/lookup?acct=willow")
    check(r.status_code == 404, f"a refused sign-up created the account: {r.status_code}")
    # A taken name.
    h.create_user("taken", PASSWORD)
    h.fill("username", "taken")
    h.fill("password", PASSWORD)
    h.find("#agreement").click()
    h.submit()
    check("cannot be used" in h.text(), f"no clear error for a taken name: {h.text()[:400]}")


def test_sign_up_open_mode_records_the_rules(h):
    h.sign_out()
    h.get("/auth/sign_up")
    h.fill("username", "willow")
    h.fill("password", PASSWORD)
    h.find("#agreement").click()
    h.submit()
    h.wait_path("/home")
    check("Signed in as willow" in h.text(), f"not signed in after sign-up: {h.text()[:300]}")
    r = h.api("GET", "/api/v1/accounts/lookup?acct=willow")
    check(r.status_code == 200, f"the account was not created: {r.status_code}")


def test_compose_with_cw_and_home(h):
    h.sign_out()
    h.sign_in("willow", PASSWORD)
    h.get("/home")
    h.axe("the home page (empty)")
    check(h.find("select[name=visibility] option[selected]").get_attribute("value") == "private",
          "the member's default audience is not preselected")
    h.fill("spoiler_text", "about a hard day")
    h.fill("status", "Today was heavy, but I walked by the river.")
    h.submit("main form[action='/compose'] button[type=submit]")
    h.wait_path("/home")
    summary = h.find("main details summary")
    check("about a hard day" in summary.text, f"the CW is not the summary: {summary.text}")
    details = h.find("main details")
    check(details.get_attribute("open") is None, "the content warning is not collapsed")
    check(not h.find("main details .content").is_displayed(), "the text shows under a CW")
    summary.click()
    check("walked by the river" in h.find("main details .content").text, "the text does not open")
    h.axe("the home page with a post")
    h.screenshot("member-home")
    # An empty post: a clear error, the CW kept.
    h.get("/compose")
    h.fill("spoiler_text", "kept words")
    h.driver.execute_script("document.getElementById('status').removeAttribute('required')")
    h.submit()
    check("write something" in h.text(), f"no clear error for an empty post: {h.text()[:300]}")
    check(h.find("input[name=spoiler_text]").get_attribute("value") == "kept words", "CW not kept")
    h.axe("the compose page with an error")


def test_profile_follow_and_notifications(h):
    h.create_user("alder", PASSWORD)
    alder = h.api_token("alder", PASSWORD)
    r = h.api("POST", "/api/v1/statuses", alder, data={"status": "A public note from alder",
                                                        "visibility": "public"})
    check(r.status_code == 200, f"seed post: {r.status_code} {r.text}")
    r = h.api("POST", "/api/v1/statuses", alder, data={"status": "Only for alder's followers",
                                                        "visibility": "private"})
    check(r.status_code == 200, f"seed post: {r.status_code} {r.text}")
    # Anonymous: the public post (positive control), not the followers-only one.
    h.sign_out()
    h.get("/@alder")
    check("A public note from alder" in h.text(), "the public post is not on the profile")
    h.assert_absent("Only for alder", "the profile for an anonymous visitor")
    # A member who does not follow: the same.
    h.sign_out()
    h.sign_in("willow", PASSWORD, next_path="/@alder")
    check("A public note from alder" in h.text(), "the public post is not shown to a member")
    h.assert_absent("Only for alder", "the profile for a non-follower")
    h.axe("a profile page with posts")
    h.submit("main form[action='/@alder/follow'] button")
    check("Unfollow" in h.text(), f"following did not take: {h.text()[:300]}")
    check("Only for alder" in h.text(), "a follower does not see the followers-only post")
    # alder is told; mentions reach willow's notifications.
    r = h.api("POST", "/api/v1/statuses", alder, data={"status": "@willow welcome here!",
                                                        "visibility": "direct"})
    check(r.status_code == 200, f"mention: {r.status_code} {r.text}")
    h.get("/notifications")
    check("mentioned you" in h.text() and "welcome here" in h.text(),
          f"the mention is not in the notifications: {h.text()[:400]}")
    h.axe("the notifications page")
    h.get("/@alder")
    h.submit("main form[action='/@alder/unfollow'] button")
    check("Follow alder" in h.text(), "unfollowing did not take")
    h.assert_absent("Only for alder", "the profile after unfollowing")


def test_settings_language_and_profile(h):
    h.sign_out()
    h.sign_in("willow", PASSWORD, next_path="/settings")
    h.axe("the settings page")
    h.fill("display_name", "Willow W")
    h.fill("note", "Here to listen.")
    h.find("#ui_language option[value='nb']").click()
    h.submit()
    h.wait_path("/settings")
    check(h.find("html").get_attribute("lang") == "nb", "the next page is not Norwegian")
    check("Lagret" in h.text() and "Innstillinger" in h.text(), f"not Norwegian: {h.text()[:300]}")
    h.axe("the settings page in Norwegian")
    h.screenshot("member-settings")
    h.get("/home")
    check(h.find("html").get_attribute("lang") == "nb", "home is not Norwegian")
    # A too-long display name: 422 with the text kept, nothing changed.
    h.get("/settings")
    h.driver.execute_script("document.getElementById('display_name').removeAttribute('maxlength')")
    h.fill("display_name", "x" * 40)
    h.submit()
    check("for langt" in h.text(), f"no clear error: {h.text()[:300]}")
    check(h.find("#display_name").get_attribute("value") == "x" * 40, "the text was not kept")
    r = h.api("GET", "/api/v1/accounts/lookup?acct=willow")
    check(r.json()["display_name"] == "Willow W", "a refused form changed the display name")
    # Back to English for the rest.
    h.find("#ui_language option[value='en']").click()
    h.fill("display_name", "Willow W")
    h.submit()
    check(h.find("html").get_attribute("lang") == "en", "back to English failed")


def test_password_change_ends_other_sessions(h):
    # A second browser session (requests) and an app token.
    other = requests.Session()
    token = csrf_of(other, h.base, "/auth/sign_in")
    r = other.post(h.base + "/auth/sign_in", data={"username": "willow", "password": PASSWORD,
                                                   "csrf_token": token}, timeout=30)
    check(r.ok and "Signed in as willow" in other.get(h.base + "/home", timeout=30).text,
          "the second session did not start")
    h.sign_out()
    h.sign_in("willow", PASSWORD, next_path="/settings/sessions")
    check(len(h.find_all("main li.card")) >= 2, "the sessions list does not show both sessions")
    h.axe("the sessions page")
    h.get("/settings/password")
    h.axe("the password page")
    h.fill("current_password", "wrong password here")
    h.fill("password", NEW_PASSWORD)
    h.submit()
    check("not correct" in h.text(), f"a wrong current password was not refused: {h.text()[:300]}")
    check(other.get(h.base + "/home", allow_redirects=False, timeout=30).status_code == 200,
          "a refused change ended the other session")
    h.fill("current_password", PASSWORD)
    h.fill("password", NEW_PASSWORD)
    h.submit()
    check("Saved" in h.text(), f"the password change did not say so: {h.text()[:300]}")
    r = other.get(h.base + "/home", allow_redirects=False, timeout=30)
    check(r.status_code == 303, f"the other session survived the password change: {r.status_code}")
    h.get("/home")
    check("Signed in as willow" in h.text(), "this session did not survive the password change")


def test_sessions_revoke_and_apps(h):
    other = requests.Session()
    token = csrf_of(other, h.base, "/auth/sign_in")
    other.post(h.base + "/auth/sign_in", data={"username": "willow", "password": NEW_PASSWORD,
                                               "csrf_token": token}, timeout=30)
    check(other.get(h.base + "/home", allow_redirects=False, timeout=30).status_code == 200,
          "the second session did not start")
    h.get("/settings/sessions")
    h.submit("main form[action='/settings/sessions/revoke'] button.danger")
    check(other.get(h.base + "/home", allow_redirects=False, timeout=30).status_code == 303,
          "a revoked session still works")
    check("Signed in as willow" in h.text(), "revoking another session ended this one")
    # An app's access, then removed.
    app_token = h.api_token("willow", NEW_PASSWORD)
    check(h.api("GET", "/api/v1/accounts/verify_credentials", app_token).status_code == 200,
          "the app token does not work (control)")
    h.get("/settings/apps")
    check("browser-test-setup" in h.text(), f"the app is not listed: {h.text()[:300]}")
    h.axe("the apps page")
    h.submit("main form[action='/settings/apps/revoke'] button")
    check(h.api("GET", "/api/v1/accounts/verify_credentials", app_token).status_code == 401,
          "a removed app still has access")
    check("browser-test-setup" not in h.text(), "the removed app is still listed")


def test_export_and_help(h):
    h.get("/settings/export")
    h.axe("the export page")
    h.submit()
    check("being prepared" in h.text() or "ready" in h.text(),
          f"the export did not start: {h.text()[:300]}")
    h.sign_out()
    h.get("/help")
    check("Help in a crisis" in h.text(), "the help page is not readable signed out")
    h.axe("the help page")


def test_keyboard_alone_sign_up_and_post(h):
    h.sign_out()
    h.get("/auth/sign_up")

    def tab_to(css: str, limit: int = 40) -> None:
        target = h.find(css)
        for _ in range(limit):
            if h.focused() == target:
                return
            h.press(Keys.TAB)
        raise harness.CheckFailed(f"Tab never reached {css}")

    tab_to("#username")
    h.press("keyboardonly")
    tab_to("#password")
    h.press(PASSWORD)
    tab_to("#agreement")
    h.press(Keys.SPACE)
    tab_to("main form[action='/auth/sign_up'] button[type=submit]")
    old = h.find("html")
    h.press(Keys.ENTER)
    h.wait_for(lambda d: harness._stale(old), "the page after signing up")
    h.wait_path("/home")
    tab_to("#status")
    h.press("Posted with the keyboard alone.")
    tab_to("main form[action='/compose'] button[type=submit]")
    old = h.find("html")
    h.press(Keys.ENTER)
    h.wait_for(lambda d: harness._stale(old), "the page after posting")
    check("Posted with the keyboard alone." in h.text(), "the keyboard post is not on home")
    ok("signed up and posted with the keyboard alone")


def test_phone_width(h):
    phone = harness.make_driver(width=360, height=740)
    try:
        # Desktop Chromium keeps windows wider than 360 px: emulate the phone's viewport.
        phone.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                              {"width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": True})
        for path in ["/auth/sign_up", "/help", "/@alder"]:
            phone.get(h.base + path)
            inner = phone.execute_script("return window.innerWidth")
            check(inner == 360, f"the emulated viewport is {inner} px wide, not 360")
            width = phone.execute_script("return document.documentElement.scrollWidth")
            check(width <= 360, f"{path} scrolls sideways at 360 px: {width}")
        ok("no horizontal scrolling at 360 px")
    finally:
        phone.quit()


def test_account_deletion(h):
    h.sign_out()
    h.sign_in("keyboardonly", PASSWORD, next_path="/settings/delete")
    h.axe("the account deletion page")
    h.fill("password", "not my password at all")
    h.submit()
    check("not correct" in h.text(), f"a wrong password was not refused: {h.text()[:300]}")
    check(h.api("GET", "/api/v1/accounts/lookup?acct=keyboardonly").status_code == 200,
          "a refused deletion deleted the account")
    h.fill("password", PASSWORD)
    h.submit()
    check("Your account is deleted" in h.text() and "Receipt" in h.text(),
          f"no receipt after deletion: {h.text()[:300]}")
    check("Signed in as" not in h.text(), "still signed in after deletion")
    h.axe("the deletion receipt")
    check(h.api("GET", "/api/v1/accounts/lookup?acct=keyboardonly").status_code == 404,
          "the deleted account is still there")


if __name__ == "__main__":
    harness.main(globals())
