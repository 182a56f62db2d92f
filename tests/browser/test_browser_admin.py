"""The organisation's admin in a real browser: log in (password and second factor), invite a
therapist, deactivate an account, and look at the library, the figures and the access log.

Every page is audited with axe-core; on a phone no page may scroll sideways (wide tables
scroll inside their own region). The demo admin (``ehealth demo``: marieke@demo.example) is
used as printed; the phone walk uses an admin of its own in the demo organisation.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import pyotp
import pytest

from ehealth.models import Role, User
from tests.browser.support import (
    EN_PHONE,
    NL_DESKTOP,
    NL_PHONE,
    Account,
    LiveServer,
    click_to_navigate,
    focus_problem,
    navigate,
    tab_to,
    visit,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def _staff(live_server: LiveServer, demo: dict[str, Account], role: str, name: str) -> Account:
    """A new staff member of the demo organisation (no second factor set up yet)."""
    from ehealth.services.accounts import hash_password

    account = Account(f"{role}-{secrets.token_hex(4)}@browser.example",
                      f"browser-{secrets.token_urlsafe(12)}")
    with live_server.database():
        admin = User.get(User.email == demo["marieke"].email)
        User.create(organisation=admin.organisation, email=account.email, name=name, role=role,
                    language="nl", password_hash=hash_password(account.password))
    return account


def log_in_as_staff(page: Page, account: Account) -> None:
    """Password, then the first-time set-up of the second factor, then the admin's start."""
    visit(page, "/login")
    page.locator('input[name="email"]').fill(account.email)
    page.locator('input[name="password"]').fill(account.password)
    click_to_navigate(page, 'form.auth-form button[type="submit"]')
    assert page.url.endswith("/login/code/setup"), page.url
    secret = page.locator("code.auth-secret").inner_text().strip()
    page.locator('input[name="code"]').fill(pyotp.TOTP(secret).now())
    click_to_navigate(page, 'form.auth-form button[type="submit"]')
    assert page.locator("ul.auth-codes li").count() > 0, "recovery codes shown"
    click_to_navigate(page, ".auth a.button")
    assert page.url.endswith("/admin/"), f"not on the people page: {page.url}"


@pytest.mark.parametrize("view", [NL_DESKTOP], indirect=True, ids=str)
def test_the_demo_admin_invites_a_therapist_and_deactivates_an_account(
    page: Page, live_server: LiveServer, demo: dict[str, Account]
) -> None:
    leaving = _staff(live_server, demo, Role.THERAPIST, "Vertrekkende Collega")
    log_in_as_staff(page, demo["marieke"])
    assert page.locator("h1").inner_text() in {"Mensen", "People"}

    # Invite a therapist: e-mail, name, role and language; the mail goes out.
    invited = f"nieuw-{secrets.token_hex(3)}@browser.example"
    page.locator("#email").fill(invited)
    page.locator("#name").fill("Noor Haddou")
    page.locator('label[for="role"]').click()  # therapist
    page.locator('label[for="language-en"]').click()
    click_to_navigate(page, "form.admin-form button[type=submit]")
    assert page.locator(".flash--success").count() == 1
    assert page.locator("table", has_text=invited).count() == 1
    outbox = Path(live_server.app.config["INSTANCE_DIR"]) / "outbox"
    assert any(invited in mail.read_text("utf-8", "replace") for mail in outbox.glob("*.eml"))

    # Deactivate an account from the person's page.
    click_to_navigate(page, 'a:has-text("Vertrekkende Collega")')
    click_to_navigate(page, ".admin-button--warning")
    assert page.locator(".flash--success").count() == 1
    assert page.locator(".admin-details").inner_text().count("Uitgezet") + page.locator(
        ".admin-details").inner_text().count("Deactivated") == 1
    with live_server.database():
        assert not User.get(User.email == leaving.email).active

    # The other pages of the area, each audited; the log shows what just happened.
    for path in ("/admin/library", "/admin/figures"):
        visit(page, path)
    visit(page, "/admin/audit-log")
    assert page.locator("tbody tr").count() >= 2  # the invitation and the deactivation


@pytest.mark.parametrize("view", [EN_PHONE], indirect=True, ids=str)
def test_every_admin_page_fits_a_phone_and_its_tables_scroll_inside(
    page: Page, live_server: LiveServer, demo: dict[str, Account]
) -> None:
    admin = _staff(live_server, demo, Role.ADMIN, "Phone Admin")
    log_in_as_staff(page, admin)
    with live_server.database():
        anna = User.get(User.email == demo["anna"].email)
    for path in (f"/admin/people/{anna.id}", "/admin/library", "/admin/figures",
                 f"/admin/audit-log?client={anna.id}", "/admin/audit-log?since=yesterday"):
        visit(page, path)
    # A wide table is reached with the keyboard and shows where the focus is.
    visit(page, "/admin/")
    tab_to(page, ".admin-table-region")
    assert focus_problem(page) is None
    navigate(page, lambda: page.locator('a:has-text("Anna Visser")').first.click())
    assert page.locator("#care-team").count() == 1  # the care team and its history
    assert page.locator("#history-title").count() == 1


@pytest.mark.parametrize("view", [NL_PHONE], indirect=True, ids=str)
def test_a_client_sees_who_looked_at_their_data(
    page: Page, live_server: LiveServer, demo: dict[str, Account]
) -> None:
    from ehealth.services import audit

    with live_server.database():
        anna = User.get(User.email == demo["anna"].email)
        fatima = User.get(User.email == demo["fatima"].email)
        audit.record(fatima, audit.ANSWERS_VIEWED, client=anna)
    visit(page, "/login")
    page.locator('input[name="email"]').fill(demo["anna"].email)
    page.locator('input[name="password"]').fill(demo["anna"].password)
    click_to_navigate(page, 'form.auth-form button[type="submit"]')
    visit(page, "/my-data/access-log")
    assert "Fatima de Vries" in page.locator("tbody").inner_text()


@pytest.mark.parametrize("view", [NL_DESKTOP], indirect=True, ids=str)
def test_the_admin_keeps_a_clients_care_team(
    page: Page, live_server: LiveServer, demo: dict[str, Account]
) -> None:
    """Move a client to another primary therapist and add a co-therapist, by keyboard."""
    from ehealth.services import care

    admin = _staff(live_server, demo, Role.ADMIN, "Team Admin")
    newcomer = _staff(live_server, demo, Role.THERAPIST, "Nieuwe Behandelaar")
    helper = _staff(live_server, demo, Role.THERAPIST, "Tweede Behandelaar")
    with live_server.database():
        fatima = User.get(User.email == demo["fatima"].email)
        client = User.create(organisation=fatima.organisation, role=Role.CLIENT,
                             email=f"team-{secrets.token_hex(3)}@browser.example",
                             name="Team Cliënt", language="nl")
        care.start_primary(client, fatima)
        new_id = User.get(User.email == newcomer.email).id
        helper_id = User.get(User.email == helper.email).id
    log_in_as_staff(page, admin)
    visit(page, f"/admin/people/{client.id}")
    assert "Fatima de Vries" in page.locator("#care-team + p + .admin-table-region").inner_text()
    page.locator("#therapist").select_option(str(new_id))
    page.locator("#reason").fill("Andere wijk")
    tab_to(page, 'form[action$="/move"] button[type="submit"]')
    navigate(page, lambda: page.keyboard.press("Enter"))
    assert page.locator(".flash--success").count() == 1
    team = page.locator("#care-team + p + .admin-table-region").inner_text()
    assert "Nieuwe Behandelaar" in team
    assert "Fatima de Vries" not in team
    history = page.locator("#history-title + .admin-table-region").inner_text()
    assert "Fatima de Vries" in history
    assert "Andere wijk" in history
    page.locator("#co-therapist").select_option(str(helper_id))
    click_to_navigate(page, 'form[action$="/co-therapists"] button[type="submit"]')
    assert "Tweede Behandelaar" in page.locator(
        "#care-team + p + .admin-table-region").inner_text()
    with live_server.database():
        assert [r.therapist.email for r in care.team_of(client)] == [newcomer.email,
                                                                       helper.email]
