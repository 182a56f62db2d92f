"""What newcomers trip over, in a real browser: the QR code, one language per page, a paused
module, the welcome, the phone header and picks that show their follow-ups at once.

Every page audited with axe-core, as everywhere in tests/browser. Each test makes the people it
needs in the demo organisation, so the tests do not depend on each other.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlparse

import pyotp
import pytest

from ehealth.models import Answer, Assignment, AssignmentStatus, User
from tests.browser.support import (
    EN_DESKTOP,
    EN_PHONE,
    NL_DESKTOP,
    NL_PHONE,
    Account,
    LiveServer,
    NewClient,
    View,
    audit,
    click_to_navigate,
    focus_problem,
    html_language,
    navigate,
    press_to_navigate,
    tab_to,
    visit,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

# "At most about 120 px" for the client's header on a 375 px wide phone.
PHONE_HEADER_MAX = 120


def log_in(page: Page, account: Account) -> None:
    visit(page, "/login")
    page.locator('input[name="email"]').fill(account.email)
    page.locator('input[name="password"]').fill(account.password)
    click_to_navigate(page, 'form.auth-form button[type="submit"]')


def _header_height(page: Page) -> float:
    box = page.locator("header.site-header").bounding_box()
    assert box is not None
    return float(box["height"])


# --- the second factor's QR code -----------------------------------------------------------------

def test_the_set_up_qr_code_is_drawn_and_reads_back_as_the_otpauth_address(
        page: Page, live_server: LiveServer, demo: dict[str, Account]) -> None:
    """The image decodes in Chromium, and a QR decoder reads the key from a screenshot of it."""
    import zxingcpp
    from PIL import Image

    daan = demo["daan"]
    with live_server.database():
        User.update(totp_secret=None, totp_enabled_at=None, totp_last_step=None).where(
            User.email == daan.email).execute()
    log_in(page, daan)
    assert page.url.endswith("/login/code/setup"), page.url
    qr = page.locator("img.auth-qr")
    qr.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const img = document.querySelector('img.auth-qr'); return img.complete; }")
    assert qr.evaluate("(img) => img.naturalWidth") > 0, "the QR code image did not decode"
    screenshot = Image.open(io.BytesIO(qr.screenshot()))
    found = zxingcpp.read_barcode(screenshot)
    assert found is not None, "no QR code found in the screenshot"
    address = urlparse(found.text)
    assert address.scheme == "otpauth"
    assert address.netloc == "totp"
    assert daan.email in unquote(address.path)
    query = parse_qs(address.query)
    secret = page.locator(".auth-secret").inner_text().strip()
    assert query["secret"] == [secret]
    assert query["issuer"] == ["ehealth"]
    page.locator('input[name="code"]').fill(pyotp.TOTP(query["secret"][0]).now())
    click_to_navigate(page, 'form.auth-form button[type="submit"]')
    assert page.locator(".auth-codes, main code").count() > 0  # the recovery codes, once


# --- one language per page -----------------------------------------------------------------------

@pytest.mark.parametrize("view", [NL_DESKTOP], indirect=True, ids=str)
def test_the_language_switch_decides_the_module_text_too(
        page: Page, view: View, new_client: NewClient, live_server: LiveServer) -> None:
    """An English account in a Dutch browser: English (the account wins over the browser);
    after the switch to Nederlands, the interface and the module are both Dutch."""
    account = new_client("wat-gaat-er-goed", language="en")
    log_in(page, account)
    assert html_language(page) == "en"
    card = page.locator(".assignment-card").first
    assert card.locator("h2").inner_text() == "What goes well?"
    navigate(page, page.locator('.language-switch button[value="nl"]').click)
    assert html_language(page) == "nl"
    assert page.locator("h1").inner_text() == "Mijn modules"
    assert card.locator("h2").inner_text() == "Wat gaat er goed?"
    assert card.get_attribute("lang") is None  # one language: nothing marked as other
    navigate(page, card.locator("a.button").click)
    assert html_language(page) == "nl"
    assert page.locator("h1.player__module").inner_text() == "Wat gaat er goed?"
    assert page.locator("article.player").get_attribute("lang") is None
    assert page.locator(NEXT_BUTTON).inner_text() == "Volgende"


NEXT_BUTTON = 'form.player__form button[name="action"][value="next"]'


# --- a paused module -----------------------------------------------------------------------------

def test_a_paused_module_can_be_read_but_not_changed(
        page: Page, new_client: NewClient, live_server: LiveServer) -> None:
    account = new_client("wat-gaat-er-goed", status=AssignmentStatus.PAUSED,
                         last_step_id="goed-gaat")
    with live_server.database():
        Answer.create(assignment=account.assignment_id, step_id="goed-gaat",
                      value={"answers": {"goed-deze-week": "Ik heb elke dag gewandeld."}})
    log_in(page, account)
    card = page.locator(".assignment-card").first
    assert "Gepauzeerd door je behandelaar" in card.inner_text()
    button = card.locator("a.button")
    assert "Lees wat je schreef" in button.inner_text()
    assert card.locator(".due-date").count() == 0
    navigate(page, button.click)
    form = page.locator("form.player__form")
    assert form.get_attribute("data-autosave") is None, "a paused module must not autosave"
    assert form.locator("fieldset.player__fieldset").get_attribute("disabled") is not None
    field = form.locator("textarea").first
    assert field.input_value() == "Ik heb elke dag gewandeld."
    assert field.is_disabled()
    assert form.locator('button[name="action"]').count() == 0  # no Next, Save or Back
    # The notice says why (in Dutch once care.json is merged; "paused" until then).
    notice = page.locator("article.player .notice[role=status]")
    assert notice.is_visible()
    assert re.search(r"pau[sz]", notice.inner_text(), re.I)
    with live_server.database():
        assignment = Assignment.get_by_id(account.assignment_id)
        assert assignment.last_step_id == "goed-gaat"  # reading is not a visit
        assert assignment.started_at is None
    click_to_navigate(page, ".player__nav a.button")
    assert page.url.endswith("/my-modules")


# --- the welcome and the due date ----------------------------------------------------------------

@pytest.mark.parametrize("view", [EN_PHONE], indirect=True, ids=str)
def test_a_first_time_client_is_welcomed_and_sees_the_due_date(
        page: Page, view: View, new_client: NewClient) -> None:
    import datetime as dt

    account = new_client("krachtbronnen", language="en", due_date=dt.date(2026, 12, 9))
    log_in(page, account)
    welcome = page.locator("section.welcome")
    assert welcome.is_visible()
    assert welcome.locator("h2").inner_text() == "Welcome!"
    assert welcome.locator(".welcome__lead").inner_text().startswith("Change is possible")
    text = welcome.inner_text()
    assert "Your therapist chose 1 module for you." in text
    assert "saved" in text
    due = page.locator(".assignment-card .due-date")
    assert "December 9, 2026" in due.inner_text()
    assert due.locator("time").get_attribute("datetime") == "2026-12-09"
    navigate(page, page.locator(".assignment-card a.button").click)
    assert "December 9, 2026" in page.locator(".player__header .due-date").inner_text()
    navigate(page, page.locator(".breadcrumb a").click)
    assert page.locator("section.welcome").count() == 0, "the welcome ends once started"


# --- the header on a phone -----------------------------------------------------------------------

@pytest.mark.parametrize("view", [NL_PHONE, EN_PHONE], indirect=True, ids=str)
def test_the_client_header_is_one_small_row_on_a_phone_with_a_menu_that_opens(
        page: Page, view: View, new_client: NewClient) -> None:
    account = new_client("mijn-mensen", language=view.language)
    log_in(page, account)
    height = _header_height(page)
    print(f"client header at {view.width} px ({view.language}): {height:.0f} px")
    assert height <= PHONE_HEADER_MAX, f"the header is {height:.0f} px high"
    nav_link = page.locator(".site-nav a").nth(1)
    assert not nav_link.is_visible(), "the menu starts closed on a phone"
    assert page.locator(".language-switch button:visible").count() == 1  # the other language
    # The keyboard opens the menu (a <details>: no script involved), with a visible focus.
    tab_to(page, "summary.site-menu__toggle")
    page.keyboard.press("Enter")
    assert page.locator("details.site-menu").get_attribute("open") is not None
    assert nav_link.is_visible()
    audit(page)
    tab_to(page, ".site-nav li:nth-child(2) a")
    assert focus_problem(page) is None
    press_to_navigate(page)
    assert page.url.endswith("/strengths")
    assert not page.locator(".site-nav a").nth(1).is_visible(), "closed again on a new page"
    assert _header_height(page) <= PHONE_HEADER_MAX
    visit(page, f"/assignments/{account.assignment_id}")
    assert _header_height(page) <= PHONE_HEADER_MAX


@pytest.mark.parametrize("view", [EN_DESKTOP], indirect=True, ids=str)
def test_at_desktop_width_the_menu_stands_in_the_header_as_before(
        page: Page, view: View, new_client: NewClient) -> None:
    log_in(page, new_client("mijn-mensen", language="en"))
    assert not page.locator("summary.site-menu__toggle").is_visible()
    links = page.locator(".site-nav a")
    assert links.count() >= 4
    assert all(links.nth(i).is_visible() for i in range(links.count()))
    assert page.locator("form.logout button").is_visible()
    assert page.locator(".language-switch button:visible").count() == 2
    assert _header_height(page) < 80, "one row, as before"


# --- picks that show their follow-ups at once ----------------------------------------------------

@pytest.mark.parametrize("view", [NL_PHONE], indirect=True, ids=str)
def test_the_scale_fits_one_row_and_its_follow_ups_appear_when_a_score_is_picked(
        page: Page, view: View, new_client: NewClient) -> None:
    account = new_client("wat-gaat-er-goed")
    log_in(page, account)
    visit(page, f"/assignments/{account.assignment_id}/steps/cijfer")
    points = page.locator(".scale__point")
    assert points.count() == 11
    tops = {round(points.nth(i).bounding_box()["y"]) for i in range(11)}  # type: ignore[index]
    assert len(tops) == 1, "the scale 0-10 fits one row on a phone"
    follow_up = page.locator("[data-follow-up]").first
    assert not follow_up.is_visible()
    points.nth(4).click()
    assert follow_up.is_visible(), "the follow-up question appears as soon as a score is picked"
    assert "een 4 is en geen 0" in follow_up.locator("label").inner_text()
    follow_up.locator("textarea").fill("Ik slaap beter.")
    audit(page)
    click_to_navigate(page, NEXT_BUTTON)  # on to the next step: the questions were on screen
    assert not page.url.endswith("/steps/cijfer"), page.url


@pytest.mark.parametrize("view", [NL_PHONE], indirect=True, ids=str)
def test_the_first_step_choice_appears_as_soon_as_a_step_is_picked(
        page: Page, view: View, new_client: NewClient) -> None:
    account = new_client("wat-gaat-er-goed")
    log_in(page, account)
    visit(page, f"/assignments/{account.assignment_id}/steps/eerste-stap")
    choice = page.locator("fieldset[data-first-steps]")
    assert not choice.is_visible()
    page.locator(".pick-list .chip").nth(1).click()
    assert choice.is_visible()
    own = page.locator('input[name^="own-step."]').first
    own.fill("Mijn zus bellen")
    options = choice.locator("label")
    assert [options.nth(i).inner_text().strip() for i in range(options.count())] == [
        "Tien minuten naar buiten gaan", "Mijn zus bellen"]
    options.nth(1).click()
    audit(page)
    click_to_navigate(page, 'form.player__form button[name="action"][value="save"]')
    assert page.locator('input[name="first"]:checked').get_attribute("value") == "o:0"
