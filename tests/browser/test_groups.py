#!/usr/bin/env python3
"""Groups in the browser: the directory, a group's page, asking to join with the
group's questions, the facilitator's pages (requests, review queue, pinning, bans,
settings), and who sees what (discussion, member list, join answers). See harness.py
for how to run it."""

from __future__ import annotations

import requests

import harness
from harness import Keys, check, ok

PASSWORD = "a long enough test password 1"
QUESTION = "What brings you to this circle?"
S: dict = {}


def post_ok(r: requests.Response, what: str) -> dict:
    check(r.status_code == 200, f"{what}: {r.status_code} {r.text[:300]}")
    return r.json()


def test_setup(h):
    for name, role in [("fac", "facilitator"), ("mia", "member"), ("nina", "member"),
                       ("pat", "member"), ("troll", "member"), ("modi", "moderator"),
                       ("kim", "member")]:
        h.create_user(name, PASSWORD, role=role)
        S[name] = h.api_token(name, PASSWORD)
        S[name + "_id"] = post_ok(h.api("GET", "/api/v1/accounts/verify_credentials", S[name]),
                                  "verify")["id"]
    fac = S["fac"]
    S["circle"] = post_ok(h.api("POST", "/api/v1/groups", fac, json={
        "username": "circle", "display_name": "Evening circle",
        "note": "A closed circle for evenings.", "rules": "Listen first.\nNo advice unless asked.",
        "questions": [QUESTION], "visibility": "closed", "review_first_posts": "1"}),
        "create the closed group")["id"]
    S["open"] = post_ok(h.api("POST", "/api/v1/groups", fac, json={
        "username": "opencircle", "display_name": "Open circle", "note": "Anyone may join.",
        "visibility": "public"}), "create the public group")["id"]
    S["hidden"] = post_ok(h.api("POST", "/api/v1/groups", fac, json={
        "username": "hiddencircle", "display_name": "Hidden circle", "note": "Invitation only.",
        "visibility": "private"}), "create the private group")["id"]
    post_ok(h.api("POST", "/api/v1/statuses", fac, data={
        "status": "@circle ANNOUNCE-TEXT: we meet on Tuesdays.", "visibility": "public"}),
        "an announcement")
    gid = S["circle"]
    # A member to ban later, and a pending request with a confidential answer.
    post_ok(h.api("POST", f"/api/v1/groups/{gid}/join", S["troll"], json={"answers": ["x"]}), "troll asks")
    post_ok(h.api("POST", f"/api/v1/groups/{gid}/accounts/{S['troll_id']}/approve", fac), "approve troll")
    post_ok(h.api("POST", f"/api/v1/groups/{gid}/join", S["pat"],
                  json={"answers": ["PAT-SECRET-ANSWER"]}), "pat asks")


def test_directory(h):
    h.get("/groups")
    text = h.text()
    check("Evening circle" in text and "Open circle" in text, f"the directory misses groups: {text[:500]}")
    h.assert_absent("Hidden circle", "the directory for an anonymous visitor")
    h.axe("the groups directory (signed out)")
    h.sign_in("fac", PASSWORD, next_path="/groups")
    check("Hidden circle" in h.text(), "the private group's facilitator does not find it")
    h.sign_out()
    h.sign_in("mia", PASSWORD, next_path="/groups")
    check("Evening circle" in h.text(), "a member does not find the group")
    h.assert_absent("Hidden circle", "the directory for a non-member")
    h.axe("the groups directory (signed in)")
    h.screenshot("groups-directory")
    h.find("a[href='/@circle']").click()
    h.wait_path("/@circle")


def test_ask_to_join_with_answers(h):
    # Signed in as mia, on the closed group's page.
    text = h.text()
    check("Listen first." in text and QUESTION in text, f"rules or question missing: {text[:800]}")
    check("ANNOUNCE-TEXT" in text, "a non-member does not see the announcement")
    h.axe("a closed group's page (non-member)")
    h.fill("answers", "MIA-ANSWER-TEXT")
    h.submit("#join-form button[type=submit]")
    check("Your request was sent" in h.text(), f"no confirmation: {h.text()[:500]}")
    check("Withdraw my request" in h.text(), "no way to withdraw the request")
    h.assert_absent("MIA-ANSWER-TEXT", "the requester's own group page")


def test_join_with_the_keyboard_alone(h):
    h.get("/@opencircle")
    for _ in range(60):
        h.press(Keys.TAB)
        if h.focused().text == "Join this group":
            break
    check(h.focused().text == "Join this group", "Tab never reached the join button")
    old = h.find("html")
    h.press(Keys.ENTER)
    h.wait_for(lambda d: harness._stale(old), "the page after joining")
    check("you are now a member" in h.text(), f"joining by keyboard failed: {h.text()[:400]}")
    ok("joined a public group with Tab and Enter only")


def test_facilitator_approves_in_the_browser(h):
    h.sign_out()
    h.sign_in("fac", PASSWORD, next_path=f"/groups/{S['circle']}/manage")
    text = h.text()
    check("MIA-ANSWER-TEXT" in text and "PAT-SECRET-ANSWER" in text and QUESTION in text,
          f"the requests do not show their answers: {text[:800]}")
    h.axe("the facilitator's page")
    h.submit(f"form[action$='/accounts/{S['mia_id']}/approve'] button")
    check("The request was approved" in h.text(), f"no confirmation: {h.text()[:400]}")
    h.assert_absent("MIA-ANSWER-TEXT", "the requests after approving")
    check("PAT-SECRET-ANSWER" in h.text(), "the other request went too")


def test_member_posts_and_first_post_is_held(h):
    h.sign_out()
    h.sign_in("mia", PASSWORD, next_path="/@circle")
    check("You are a member" in h.text(), "mia is not shown as a member")
    h.fill("spoiler_text", "sleep")
    h.fill("status", "MIA-FIRST-POST about the long nights")
    h.submit("#compose button[type=submit]")
    check("waits for a facilitator's review" in h.text(), f"the held post is not explained: {h.text()[:600]}")
    # The author sees her held post (behind its content warning).
    check("MIA-FIRST-POST" in h.html(), "the author does not see her held post")
    h.axe("a group's page with the discussion (member)")
    # An empty post is refused with words, nothing posted.
    h.fill("spoiler_text", "kept warning")
    h.find("#status").clear()
    h.driver.execute_script("document.getElementById('status').removeAttribute('required')")
    h.submit("#compose button[type=submit]")
    check("Please write something first" in h.text(), "no clear error for an empty post")
    check(h.find("#spoiler_text").get_attribute("value") == "kept warning", "what was typed was lost")
    h.axe("the compose form with an error")


def test_facilitator_reviews_pins_and_bans(h):
    gid = S["circle"]
    h.sign_out()
    h.sign_in("kim", PASSWORD, next_path="/@circle")
    h.assert_absent("MIA-FIRST-POST", "a signed-in non-member, while the post is held")
    h.sign_out()
    h.sign_in("fac", PASSWORD, next_path=f"/groups/{gid}/manage")
    check("MIA-FIRST-POST" in h.html(), "the held post is not in the review queue")
    h.submit("#review ~ article form[action$='/approve'] button")
    check("The post was approved" in h.text(), f"approving failed: {h.text()[:400]}")
    h.submit("#pins ~ article form[action$='/pin'] button")
    check("The announcement is pinned" in h.text(), f"pinning failed: {h.text()[:400]}")
    h.submit(f"form[action$='/accounts/{S['troll_id']}/ban'] button")
    check("The person was banned" in h.text(), f"banning failed: {h.text()[:400]}")
    bans = h.find("section[aria-labelledby=bans]").text
    check("@troll" in bans, f"troll is not listed as banned: {bans}")
    h.screenshot("groups-manage")
    h.get("/@circle")
    check("Pinned" in h.text() and "MIA-FIRST-POST" in h.html(), "pin or approved post not on the page")
    h.screenshot("groups-page")
    # The banned member reads nothing more.
    r = h.api("GET", f"/api/v1/groups/{gid}", S["troll"])
    check(r.status_code == 200 and r.json()["membership"]["state"] == "banned", f"troll not banned: {r.text}")


def test_settings(h):
    gid = S["circle"]
    h.get(f"/groups/{gid}/manage/settings")
    check(h.find("#question-0").get_attribute("value") == QUESTION, "the question is not in the form")
    h.axe("the group settings")
    h.fill("review_first_posts", "")
    h.driver.execute_script("document.getElementById('review_first_posts').type = 'text'")
    h.fill("review_first_posts", "many")
    h.fill("rules", "CHANGED-RULES")
    h.submit("main form button[type=submit]")
    check("must be a whole number" in h.text(), "no clear error for a bad number")
    check(h.find("#rules").get_attribute("value") == "CHANGED-RULES", "what was typed was lost")
    r = h.api("GET", f"/api/v1/groups/{gid}", S["fac"]).json()
    check(r["rules"] != "CHANGED-RULES", "a refused form changed the group")
    h.fill("review_first_posts", "0")
    h.submit("main form button[type=submit]")
    check("The settings were saved" in h.text(), f"saving failed: {h.text()[:300]}")
    check(h.api("GET", f"/api/v1/groups/{gid}", S["fac"]).json()["rules"] == "CHANGED-RULES",
          "the rules were not saved")


def test_who_sees_what(h):
    gid = S["circle"]
    manage = f"/groups/{gid}/manage"
    # Positive controls first: the facilitator sees the discussion, the members and the
    # pending answer; a member sees the discussion.
    viewers = [("fac", True, True), ("mia", True, False), (None, False, False),
               ("nina", False, False), ("pat", False, False), ("modi", False, False)]
    for name, reads, manages in viewers:
        h.sign_out()
        if name:
            h.sign_in(name, PASSWORD, next_path="/@circle")
        else:
            h.get("/@circle")
        who = name or "an anonymous visitor"
        check("ANNOUNCE-TEXT" in h.html(), f"{who} does not see the announcement (control)")
        if reads:
            check("MIA-FIRST-POST" in h.html(), f"{who} does not see the discussion")
        else:
            h.assert_absent("MIA-FIRST-POST", f"the group page for {who}")
            h.assert_absent('id="compose"', f"the group page for {who}")
        h.assert_absent("PAT-SECRET-ANSWER", f"the group page for {who}")
        h.get(manage)
        if manages:
            check("PAT-SECRET-ANSWER" in h.html() and "@mia" in h.text(),
                  f"{who} does not see the requests and members")
        else:
            h.assert_absent("PAT-SECRET-ANSWER", f"the facilitator page for {who}")
            h.assert_absent("@mia", f"the facilitator page for {who}")
            if name:
                check("Not allowed" in h.text(), f"{who} is not refused on {manage}: {h.text()[:300]}")
            else:
                check(h.path().startswith("/auth/sign_in"), "an anonymous visitor is not sent to sign in")
    # Answers and members are the facilitators' only, also as the API answers.
    r = h.api("GET", f"/api/v1/groups/{gid}/requests", S["modi"])
    check(r.status_code == 403, f"the API shows requests to a moderator: {r.status_code}")
    # A private group does not exist outside it: 404 for a non-member, the page for
    # its facilitator (control).
    h.sign_out()
    h.sign_in("fac", PASSWORD, next_path="/@hiddencircle")
    check("Hidden circle" in h.text(), "the facilitator does not see the private group")
    h.get(f"/groups/{S['hidden']}/manage")
    check("Managing Hidden circle" in h.text(), "the private group's manage page (control)")
    h.sign_out()
    h.sign_in("nina", PASSWORD, next_path="/@hiddencircle")
    check("Not found" in h.text(), "a private group is shown to a non-member")
    h.assert_absent("Hidden circle", "a private group's page for a non-member")
    h.get(f"/groups/{S['hidden']}/manage")
    check("Not found" in h.text(), "a private group's manage page is not 404 for a non-member")


def test_forms_need_their_token(h):
    gid = S["circle"]
    s = requests.Session()
    page = s.get(h.base + "/auth/sign_in", timeout=30).text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = s.post(h.base + "/auth/sign_in", data={"username": "nina", "password": PASSWORD,
                                               "csrf_token": token}, allow_redirects=False, timeout=30)
    check(r.status_code == 303, f"sign-in for the token check failed: {r.status_code}")
    r = s.post(h.base + f"/groups/{gid}/join", data={"answers": "no token"}, allow_redirects=False,
               timeout=30)
    check(r.status_code == 403, f"a join without csrf_token answered {r.status_code}")
    g = h.api("GET", f"/api/v1/groups/{gid}", S["nina"]).json()
    check(g["membership"] is None, "a join without a token changed something")
    # Control: the same with the token asks to join.
    r = s.post(h.base + f"/groups/{gid}/join", data={"answers": "ok", "csrf_token": token},
               allow_redirects=False, timeout=30)
    check(r.status_code == 303, f"the control join failed: {r.status_code}")
    g = h.api("GET", f"/api/v1/groups/{gid}", S["nina"]).json()
    check(g["membership"]["state"] == "requested", f"the control join did not ask: {g['membership']}")


if __name__ == "__main__":
    harness.main(globals())
