#!/usr/bin/env python3
"""Meetings in the portal: the directory, a meeting's page, answering (also with the
keyboard alone), the exact place only once accepted, the wait list, the facilitator's
pages (create, participants, approvals, cancel one occurrence) and who sees what.
See harness.py for how to run it."""

from __future__ import annotations

import datetime

import requests

import harness
from harness import Keys, check, ok

PASSWORD = "a long enough test password 1"
ADDRESS = "Hemmeligveien 7"
VENUE = "Secret Hall"
S: dict = {}


def start_in(days: int, hour: int = 18) -> str:
    d = datetime.date.today() + datetime.timedelta(days=days)
    return f"{d.isoformat()}T{hour:02d}:30"


def set_value(h, name: str, value: str) -> None:
    """Date and time fields take their value as the browser stores it (the typed
    form depends on the browser's locale)."""
    h.driver.execute_script("arguments[0].value = arguments[1];", h.find(f"[name='{name}']"), value)


def as_user(h, name: str, path: str) -> None:
    h.sign_out()
    h.sign_in(name, PASSWORD, next_path=path)


def test_setup(h):
    for name, role in [("fac", "facilitator"), ("ann", "member"), ("ben", "member"),
                       ("cat", "member"), ("mod", "moderator")]:
        h.create_user(name, PASSWORD, role=role)
    S["fac"] = h.api_token("fac", PASSWORD)
    r = h.api("POST", "/api/v1/groups", S["fac"], data={
        "username": "harbour", "display_name": "Harbour circle", "visibility": "public"})
    check(r.status_code == 200, f"group: {r.status_code} {r.text}")
    S["group"] = r.json()["id"]
    for name in ["ann", "ben"]:
        S[name] = h.api_token(name, PASSWORD)
        r = h.api("POST", f"/api/v1/groups/{S['group']}/join", S[name])
        check(r.status_code == 200, f"{name} joins: {r.status_code} {r.text}")
    # A members-only meeting: only the group's members see it.
    r = h.api("POST", "/api/v1/pleroma/events", S["fac"], data={
        "group_id": S["group"], "title": "Members circle", "start_time": start_in(3),
        "end_time": start_in(3, 20), "time_zone": "Europe/Oslo", "audience": "members",
        "locality": "Bergen"})
    check(r.status_code == 200, f"members-only meeting: {r.status_code} {r.text}")
    S["members_only"] = r.json()["id"]


def test_facilitator_creates_a_meeting(h):
    as_user(h, "fac", "/meetings/new")
    h.axe("the new meeting form")
    h.fill("title", "Evening peer circle")
    h.fill("description", "A calm evening together.")
    set_value(h, "start_time", start_in(2))
    set_value(h, "end_time", start_in(2, 20))
    h.fill("time_zone", "Europe/Oslo")
    h.find("#recurrence option[value='FREQ=WEEKLY']").click()
    h.fill("locality", "Bergen")
    h.fill("country", "Norway")
    h.fill("venue_name", VENUE)
    h.fill("street_address", ADDRESS)
    h.fill("capacity", "1")
    h.find("#join_mode option[value='approval']").click()
    h.screenshot("meetings-new")
    h.submit("main form button[type=submit]")
    check(h.path().startswith("/meetings/"), f"not on the meeting's page: {h.path()}")
    S["id"] = h.path().split("/")[2]
    text = h.text()
    check("Evening peer circle" in text and "Europe/Oslo" in text, f"page: {text[:500]}")
    check("In UTC" in text, "the time in UTC is not shown")
    # The facilitator sees the exact place (the positive control for every check below).
    check(ADDRESS in h.html() and VENUE in h.html(), "the facilitator does not see the place")
    h.axe("a meeting's page (facilitator)")
    h.screenshot("meetings-meeting-facilitator")


def test_a_bad_meeting_keeps_what_was_typed(h):
    h.get("/meetings/new")
    h.fill("title", "Half a meeting")
    set_value(h, "start_time", start_in(2, 20))
    set_value(h, "end_time", start_in(2, 18))
    h.fill("time_zone", "Europe/Oslo")
    h.submit("main form button[type=submit]")
    check(h.path() == "/meetings/new", f"went on: {h.path()}")
    check(h.find("#form-errors").is_displayed(), "no error shown")
    check(h.find("input[name=title]").get_attribute("value") == "Half a meeting", "title lost")
    h.axe("the meeting form with an error")


def test_ap_clients_still_get_the_event(h):
    r = requests.get(f"{h.base}/meetings/{S['id']}", timeout=30,
                     headers={"Accept": "application/activity+json"})
    check(r.status_code == 200 and r.json().get("type") == "Event", f"AP: {r.status_code} {r.text[:200]}")
    check(ADDRESS not in r.text, "the federated Event carries the address")
    r = requests.get(f"{h.base}/meetings/{S['id']}", timeout=30, headers={"Accept": "text/html"})
    check(r.status_code == 200 and "Your answer" in r.text, "a browser does not get the portal page")


def test_directory_and_filters(h):
    h.sign_out()
    h.get("/meetings")
    check("Evening peer circle" in h.text(), f"the directory misses the meeting: {h.text()[:500]}")
    h.assert_absent("Members circle", "the directory for an anonymous visitor")
    h.assert_absent(ADDRESS, "the directory for an anonymous visitor")
    h.axe("the meetings directory")
    h.screenshot("meetings-directory")
    h.fill("place", "Tromsø")
    h.submit("form[role=search] button")
    check("Evening peer circle" not in h.text(), "the place filter does not filter")
    h.fill("place", "bergen")
    far = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
    set_value(h, "from", far)
    h.submit("form[role=search] button")
    check("Evening peer circle" in h.text() or "No meetings match" in h.text(), "filter page")
    h.get("/meetings?place=bergen&from=" + datetime.date.today().isoformat())
    check("Evening peer circle" in h.text(), "the matching filter hides the meeting")
    # A member sees the members-only meeting of their group (positive control)...
    as_user(h, "ann", "/meetings")
    check("Members circle" in h.text(), f"a member misses her group's meeting: {h.text()[:600]}")
    # ...which does not exist for anyone else.
    as_user(h, "cat", "/meetings")
    h.assert_absent("Members circle", "the directory for a non-member")
    h.get(f"/meetings/{S['members_only']}")
    check("Not found" in h.text(), "a non-member reads a members-only meeting")
    h.sign_out()
    r = requests.get(f"{h.base}/meetings/{S['members_only']}", headers={"Accept": "text/html"}, timeout=30)
    check(r.status_code == 404, f"anonymous members-only meeting: {r.status_code}")


def tab_to(h, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        if h.focused().get_attribute("id") == element_id:
            return
        h.press(Keys.TAB)
    raise harness.CheckFailed(f"Tab never reached #{element_id}")


def test_member_answers_with_the_keyboard_alone(h):
    as_user(h, "ann", f"/meetings/{S['id']}")
    h.assert_absent(ADDRESS, "the meeting for a member who has not answered")
    tab_to(h, "rsvp-going")
    h.press(Keys.SPACE)
    check(h.find("#rsvp-going").is_selected(), "Space did not choose going")
    tab_to(h, "name_for_meeting")
    h.press("Annie R")
    h.press(Keys.TAB)
    check(h.focused().get_attribute("type") == "submit", "the send button is not next")
    old = h.find("html")
    h.press(Keys.ENTER)
    h.wait_for(lambda d: harness._stale(old), "the answer to be sent")
    check("You asked for a place" in h.text(), f"no requested state: {h.text()[:600]}")
    h.assert_absent(ADDRESS, "the meeting for a member whose place is requested")
    h.assert_absent(VENUE, "the meeting for a member whose place is requested")
    h.axe("a meeting's page (member, requested)")
    ok("answered a meeting with Tab, Space, typing and Enter")


def test_facilitator_accepts_and_the_member_sees_the_place(h):
    as_user(h, "fac", f"/meetings/{S['id']}/participants")
    check("Annie R" in h.text(), f"the name for the meeting is not listed: {h.text()[:600]}")
    h.axe("the participants page")
    h.screenshot("meetings-participants")
    h.submit("form[action$='/approve'] button")
    check("Annie R" in h.find("#accepted").find_element(harness.By.XPATH, "..").text,
          "Annie is not among those with a place")
    as_user(h, "ann", f"/meetings/{S['id']}")
    check("You have a place" in h.text(), f"not accepted: {h.text()[:600]}")
    check(ADDRESS in h.html() and VENUE in h.html(), "the accepted member does not see the place")
    h.axe("a meeting's page (member, accepted)")
    h.screenshot("meetings-meeting-accepted")


def test_the_wait_list_when_full(h):
    as_user(h, "ben", f"/meetings/{S['id']}")
    h.find("#rsvp-going").click()
    h.fill("name_for_meeting", "Benji")
    h.submit("form[action$='/answer'] button")
    as_user(h, "fac", f"/meetings/{S['id']}/participants")
    h.submit("form[action$='/approve'] button")
    waitlist = h.find("#waitlist").find_element(harness.By.XPATH, "..").text
    check("Benji" in waitlist, f"Benji is not on the wait list: {waitlist}")
    as_user(h, "ben", f"/meetings/{S['id']}")
    check("wait list" in h.text(), f"no wait-list state: {h.text()[:600]}")
    h.assert_absent(ADDRESS, "the meeting for a wait-listed member")


def test_who_sees_what(h):
    path = f"/meetings/{S['id']}"
    people = f"{path}/participants"
    # Positive controls: the facilitator sees the place and everyone's names.
    as_user(h, "fac", people)
    check("Annie R" in h.text() and "Benji" in h.text(), "control: the facilitator sees the names")
    h.get(path)
    # Seen once to fail under a loaded CI machine (not reproduced alone): look again a
    # few times, and show the page if it still lacks the place.
    for _ in range(5):
        if ADDRESS in h.html():
            break
        h.driver.refresh()
    check(ADDRESS in h.html(),
          f"control: the facilitator sees the place ({h.path()}):\n{h.text()[:1500]}")
    # The accepted member sees the place but nobody's names.
    as_user(h, "ann", path)
    check(ADDRESS in h.html(), "control: the accepted member sees the place")
    h.assert_absent("Benji", "the meeting page for another attendee")
    h.get(people)
    check("Not allowed" in h.text(), "a member reads the participants")
    h.assert_absent("Benji", "the participants page for a member")
    # A non-member, a moderator (not the group's facilitator) and the anonymous.
    for who in ["cat", "mod"]:
        as_user(h, who, path)
        check("Evening peer circle" in h.text(), f"control: {who} reads the public meeting")
        for secret in [ADDRESS, VENUE, "Annie R", "Benji"]:
            h.assert_absent(secret, f"the meeting page for {who}")
        h.get(people)
        check("Not allowed" in h.text(), f"{who} reads the participants")
        h.assert_absent("Annie R", f"the participants page for {who}")
    h.sign_out()
    r = requests.get(h.base + path, headers={"Accept": "text/html"}, timeout=30)
    check(r.status_code == 200 and "Evening peer circle" in r.text, "control: anonymous read")
    for secret in [ADDRESS, VENUE, "Annie R", "Benji"]:
        check(secret not in r.text, f"the anonymous page shows {secret!r}")
    r = requests.get(h.base + people, headers={"Accept": "text/html"}, timeout=30,
                     allow_redirects=False)
    check(r.status_code == 303 and "Annie" not in r.text, f"anonymous participants: {r.status_code}")
    # Forms without their token change nothing.
    r = requests.post(h.base + path + "/answer", data={"rsvp": "going"}, timeout=30,
                      allow_redirects=False)
    check(r.status_code in (303, 403), f"a token-less answer: {r.status_code}")
    ok("the place and the names show only where they must")


def test_cancel_one_occurrence(h):
    as_user(h, "fac", f"/meetings/{S['id']}/edit")
    h.axe("the edit meeting page")
    first = h.find("#occurrence option").get_attribute("value")
    h.submit("form[action$='/cancel'] button.secondary")
    check(h.path() == f"/meetings/{S['id']}", f"not back on the meeting: {h.path()}")
    r = h.api("GET", f"/api/v1/pleroma/events/{S['id']}", S["fac"])
    cancelled = r.json()["cancelled_occurrences"]
    check(any(c.startswith(first) for c in cancelled), f"{first} not cancelled: {cancelled}")
    check(r.json()["status"] != "cancelled", "the whole meeting was cancelled")
    h.get(f"/meetings/{S['id']}/edit")
    values = [o.get_attribute("value") for o in h.find_all("#occurrence option")]
    check(first not in values, "the cancelled occurrence is still offered")


def test_calendar_feed(h):
    as_user(h, "ann", "/meetings/calendar")
    h.axe("the calendar feed page")
    h.submit("main form button[type=submit]:not(.secondary)")
    url = h.find("#feed-url").get_attribute("value")
    check("/api/v1/pleroma/calendars/personal/" in url, f"no feed address: {url}")
    r = requests.get(url, timeout=30)
    check(r.status_code == 200 and "BEGIN:VCALENDAR" in r.text, f"feed: {r.status_code}")
    h.get(f"/meetings/{S['id']}")
    ics = h.find("a[href$='/ics']").get_attribute("href")
    r = requests.get(ics, timeout=30)
    check(r.status_code == 200 and "BEGIN:VEVENT" in r.text and ADDRESS not in r.text,
          f"the public .ics: {r.status_code}")


def test_norwegian(h):
    h.set_language("nb-NO,nb;q=0.9")
    try:
        as_user(h, "ann", f"/meetings/{S['id']}")
        check("Du har plass på dette møtet" in h.text(), f"not Norwegian: {h.text()[:400]}")
        h.axe("a meeting's page in Norwegian")
        h.get("/meetings")
        check("Kommende møter" in h.text(), "the directory is not Norwegian")
    finally:
        h.set_language("en")


if __name__ == "__main__":
    harness.main(globals())
