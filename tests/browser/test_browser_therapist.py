"""The therapist in a real browser: caseload, inviting, assigning, reading, feedback.

The demo therapist (``ehealth demo``) logs in, invites a client, assigns a module to Sem, reads
Sem's answers and score chart and answers one of them; Sem logs in and reads the reply. Every
page audited with axe-core, at 1280 px and on a 375 px phone (no sideways page scroll: the
caseload table scrolls inside its own region).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pyotp
import pytest

from ehealth.models import Feedback, Invitation, User
from tests.browser.support import (
    EN_PHONE,
    NL_DESKTOP,
    NL_PHONE,
    Account,
    LiveServer,
    View,
    click_to_navigate,
    navigate,
    press_to_navigate,
    tab_to,
    visit,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

FEEDBACK = "Een 6, en je bent elke dag naar school gegaan. Wat hielp je daarbij?"


def log_in(page: Page, live_server: LiveServer, account: Account, lands_on: str) -> None:
    """Log in through the real log-in form, by mouse; the role's start page opens.

    Staff set up their second factor on the way (afresh each time: a code counts once).
    """
    with live_server.database():
        User.update(totp_secret=None, totp_enabled_at=None, totp_last_step=None).where(
            User.email == account.email).execute()
    visit(page, "/login")
    page.locator('input[name="email"]').fill(account.email)
    page.locator('input[name="password"]').fill(account.password)
    click_to_navigate(page, 'form.auth-form button[type="submit"]')
    if page.url.endswith("/login/code/setup"):
        secret = page.locator(".auth-secret").inner_text().strip()
        page.locator('input[name="code"]').fill(pyotp.TOTP(secret).now())
        click_to_navigate(page, 'form.auth-form button[type="submit"]')
        click_to_navigate(page, "main a.button")  # the recovery codes are saved: continue
    assert page.url.endswith(lands_on), f"not logged in: {page.url}"


def log_out(page: Page) -> None:
    click_to_navigate(page, "form.logout button")


def client_id(live_server: LiveServer, handle: str) -> int:
    with live_server.database():
        return int(User.get(User.email == f"{handle}@demo.example").id)


def test_therapist_invites_assigns_reads_and_replies_and_the_client_reads_it(
    page: Page, live_server: LiveServer, demo: dict[str, Account]
) -> None:
    log_in(page, live_server, demo["fatima"], "/therapist/")
    names = page.locator(".th-caseload__name a").all_inner_texts()
    assert names == ["Anna Visser", "Sem de Boer"]
    assert page.locator("progress").count() == 4  # two modules each

    # Invite a client.
    click_to_navigate(page, 'a[href="/therapist/clients/invite"]')
    page.locator("#email").fill("nieuwe.client@browser.example")
    page.locator("#name").fill("Noor")
    page.locator('label[for="language-en"]').click()
    click_to_navigate(page, "form.auth-form button[type=submit]")
    assert "nieuwe.client@browser.example" in page.locator(".flash").inner_text()
    with live_server.database():
        invitation = Invitation.get(Invitation.email == "nieuwe.client@browser.example")
        assert invitation.language == "en"

    # Sem's record: answers, the score chart, assigning a module.
    sem = client_id(live_server, "sem")
    visit(page, "/therapist/")
    click_to_navigate(page, f'.th-caseload__name a[href="/therapist/clients/{sem}"]')
    main = page.locator("main").inner_text()
    assert "Ik heb mijn toets gehaald." in main
    assert "Mijn broer Daan." in main
    chart = page.locator("#chart-wat-gaat-er-goed-cijfer svg[role=img]")
    assert chart.is_visible()
    assert chart.locator("title").count() == 1
    assert chart.locator("circle").count() == 1
    assert page.locator("#chart-wat-gaat-er-goed-cijfer table td").first.inner_text() \
        .startswith("6 ")
    page.locator("#assign-module").select_option("ik-ben-ik-kan")
    page.locator("#assign-message").fill("Kijk eens wat je allemaal al kunt.")
    click_to_navigate(page, ".th-assign button[type=submit]")
    assert re.search(r"#assignment-\d+$", page.url)
    assert page.locator(".th-assignment").count() == 3

    # Reply to Sem's score, with the keyboard.
    step = page.locator('li.th-step[id$="-cijfer"]')
    tab_to(page, 'li.th-step[id$="-cijfer"] textarea')
    page.keyboard.type(FEEDBACK)
    tab_to(page, 'li.th-step[id$="-cijfer"] button[type=submit]')
    press_to_navigate(page)
    step = page.locator('li.th-step[id$="-cijfer"]')
    assert FEEDBACK in step.locator(".th-feedback").inner_text()
    log_out(page)

    # Sem reads it: a link on "Mijn modules" to the step, the message there, then read.
    log_in(page, live_server, demo["sem"], "/my-modules")
    link = page.locator(".badge--feedback a")
    assert link.count() == 1
    click_to_navigate(page, ".badge--feedback a")
    assert page.url.endswith("/steps/cijfer")
    note = page.locator(".feedback-note")
    assert FEEDBACK in note.inner_text()
    assert "Fatima de Vries" in note.inner_text()
    with live_server.database():
        assert Feedback.get(Feedback.body == FEEDBACK).read_at is not None
    navigate(page, lambda: page.locator(".breadcrumb a").click())
    assert page.locator(".badge--feedback").count() == 0
    # The newly assigned module is there, with the therapist's message.
    assert "Kijk eens wat je allemaal al kunt." in page.locator("main").inner_text()


@pytest.mark.parametrize("view", [NL_PHONE, EN_PHONE, NL_DESKTOP], indirect=True, ids=str)
def test_the_therapist_pages_fit_every_screen(page: Page, view: View, live_server: LiveServer,
                                              demo: dict[str, Account]) -> None:
    """Caseload, a client's record and the invitation form: audited, no sideways scroll."""
    log_in(page, live_server, demo["fatima"], "/therapist/")
    table = page.locator(".th-table-wrap").first
    assert table.get_attribute("role") == "region"
    assert table.get_attribute("tabindex") == "0"
    visit(page, "/therapist/?sort=inactive&dir=desc")
    assert page.locator("th[aria-sort=descending]").count() == 1
    visit(page, "/therapist/?awaiting=1")
    visit(page, f"/therapist/clients/{client_id(live_server, 'anna')}")
    visit(page, f"/therapist/clients/{client_id(live_server, 'sem')}")
    visit(page, "/therapist/clients/invite")
