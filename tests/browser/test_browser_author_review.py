"""Review and publication in a real browser: an admin opens a draft sent for review, reads
what changed (each text side by side, the words removed and added marked), is stopped when
choosing a version number below the proposal, publishes with the proposed one, and reads the
history and the diff between the two versions. The author who made the last change sees why
they cannot publish it themselves (four eyes).

Every page is audited with axe-core, at 1280 and 375 px, in Dutch and English; on a phone no
page scrolls sideways.
"""

from __future__ import annotations

import copy
import secrets
from typing import TYPE_CHECKING, Any

import pytest

from ehealth.models import ModuleVersion, Organisation, Role, User
from ehealth.services import authoring
from tests.browser.support import (
    EN_PHONE,
    NL_DESKTOP,
    LiveServer,
    View,
    click_to_navigate,
    sign_in_as,
    visit,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

LIBRARY_MODULE = "wat-gaat-er-goed"


def _people(live_server: LiveServer) -> tuple[User, User]:
    """An organisation of its own with an author and an admin."""
    with live_server.database():
        organisation = Organisation.create(name=f"Zorg {secrets.token_hex(3)}",
                                           slug=f"zorg-{secrets.token_hex(4)}")
        author: User = User.create(organisation=organisation, role=Role.AUTHOR, name="Sanne",
                                   email=f"auteur-{secrets.token_hex(4)}@browser.example")
        admin: User = User.create(organisation=organisation, role=Role.ADMIN, name="Marieke",
                                  email=f"beheer-{secrets.token_hex(4)}@browser.example")
    return author, admin




def _submitted_changes(live_server: LiveServer, author: User, admin: User) -> tuple[str, int]:
    """The organisation's copy of a library module, published as 1.0.0; then the author's
    draft of its next version: the opening reworded and a step added, sent for review."""
    module_id = f"eigen-{secrets.token_hex(3)}"
    with live_server.database():
        library = (ModuleVersion.select().where(ModuleVersion.module_id == LIBRARY_MODULE)
                   .order_by(ModuleVersion.id.desc()).get())
        first = authoring.copy_module(author, library, module_id)
        authoring.submit(author, first.get_id(), "Onze eigen versie",
                         live_server.app.config["MEDIA_DIR"])
        authoring.publish(admin, first.get_id(), "1.0.0",
                          media_dir=live_server.app.config["MEDIA_DIR"])
        draft = authoring.edit_published(author, module_id)
        lesson_id = draft.content["module"]["lessons"][0]
        lesson: dict[str, Any] = draft.content["lessons"][lesson_id]
        opening = copy.deepcopy(lesson["steps"][0])
        opening["title"] = {"nl": "Welkom, fijn dat je hier bent",
                            "en": "Welcome, good to see you here"}
        added = {"id": "even-stilstaan", "type": "text",
                 "title": {"nl": "Even stilstaan", "en": "A moment to pause"},
                 "body": {"nl": "Neem de tijd. Er is geen haast.",
                          "en": "Take your time. There is no hurry."}}
        order = {k: v for k, v in lesson.items() if k != "steps"}
        order["steps"] = [opening["id"], added["id"], *[s["id"] for s in lesson["steps"][1:]]]
        saved = authoring.save_draft(author, draft.get_id(), draft.revision, {
            f"step:{opening['id']}": opening, f"step:{added['id']}": added,
            f"lesson:{lesson_id}": order}, live_server.app.config["MEDIA_DIR"])
        assert saved.problems == [], saved.problems
        authoring.submit(author, draft.get_id(), "Een warmer welkom en een rustpunt",
                         live_server.app.config["MEDIA_DIR"])
    return module_id, draft.get_id()


def _fits(page: Page, view: View) -> None:
    if view.phone:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= view.width, f"{page.url} scrolls sideways: {width}px"


@pytest.mark.parametrize("view", [NL_DESKTOP, EN_PHONE], indirect=True, ids=str)
def test_an_admin_reads_the_diff_of_a_submitted_draft_and_publishes_it(
        page: Page, live_server: LiveServer, view: View) -> None:
    author, admin = _people(live_server)
    module_id, draft_id = _submitted_changes(live_server, author, admin)

    # The author made the last change: four eyes keeps them from publishing it.
    sign_in_as(page, live_server, author)
    visit(page, f"/author/drafts/{draft_id}/review")
    _fits(page, view)
    assert page.locator("form[action$='/publish']").count() == 0
    assert "(vier ogen)" in page.locator("main").inner_text() or \
        "(four eyes)" in page.locator("main").inner_text()

    # The admin finds it through the menu and the list of drafts waiting for review.
    sign_in_as(page, live_server, admin)
    visit(page, "/admin/library")
    _fits(page, view)
    if view.phone:
        page.locator("summary.site-menu__toggle").click()
    click_to_navigate(page, "nav.site-nav a[href='/author/']")
    _fits(page, view)
    click_to_navigate(page, f".author-list__plain a[href='/author/drafts/{draft_id}/review']")
    _fits(page, view)

    # What changed: the opening's words, side by side; the new step whole.
    changed = page.locator(".author-diff__step--changed").first
    before = changed.locator(".author-diff__side--old .author-diff__text[lang=nl]").first
    after = changed.locator(".author-diff__side--new .author-diff__text[lang=nl]").first
    removed = [text.split("\n") for text in before.locator("del").all_inner_texts()]
    assert [parts[1] for parts in removed] == ["Fijn", "er"]  # after the hidden "removed:"
    assert [text.split("\n")[1] for text in after.locator("ins").all_inner_texts()] == [
        "Welkom, fijn", "hier"]
    added = page.locator("#diff-step-even-stilstaan")
    assert added.count() == 1
    assert "Neem de tijd." in added.inner_text()
    version = page.locator("input#version")
    assert version.input_value() == "1.1.0"  # a step added: a minor version

    # A lower number is refused, saying why; then the proposal is published.
    version.fill("1.0.1")
    click_to_navigate(page, "form[action$='/publish'] button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    assert "1.1.0" in page.locator(".error-summary").inner_text()
    _fits(page, view)
    with live_server.database():
        assert not ModuleVersion.select().where(ModuleVersion.module_id == module_id,
                                                ModuleVersion.version == "1.0.1").exists()
    page.locator("input#version").fill("1.1.0")
    click_to_navigate(page, "form[action$='/publish'] button[type=submit]")
    assert page.url.endswith(f"/author/modules/{module_id}/history")
    assert page.locator(".flash--success").count() == 1
    assert page.locator("#version-1\\.1\\.0").count() == 1
    assert "Marieke" in page.locator("#version-1\\.1\\.0").inner_text()
    _fits(page, view)
    with live_server.database():
        published = ModuleVersion.get(ModuleVersion.module_id == module_id,
                                      ModuleVersion.version == "1.1.0")
        assert published.__data__["published_by"] == admin.id

    # The diff between the two published versions, from the history.
    click_to_navigate(page, f"a[href*='/author/modules/{module_id}/compare?old=1.0.0']")
    assert page.locator("#diff-step-even-stilstaan").count() == 1
    _fits(page, view)


@pytest.mark.parametrize("view", [NL_DESKTOP, EN_PHONE], indirect=True, ids=str)
def test_the_other_module_pages_pass_the_audit(page: Page, live_server: LiveServer,
                                               view: View) -> None:
    author, admin = _people(live_server)
    _module_id, draft_id = _submitted_changes(live_server, author, admin)
    sign_in_as(page, live_server, author)
    for path in ("/author/", "/author/new", f"/author/copy/{LIBRARY_MODULE}", "/author/import",
                 f"/author/import?draft={draft_id}"):
        visit(page, path)
        _fits(page, view)
    # Forms with mistakes: the error summary and the fields with their messages.
    visit(page, "/author/new")
    page.locator("input#module_id").fill("Geen Id!")
    page.locator("input#languages").uncheck()
    page.locator("input#languages-en").uncheck()
    click_to_navigate(page, "form.admin-form button[type=submit]")
    assert page.locator(".error-summary li").count() == 3
    _fits(page, view)
    visit(page, "/author/import")
    click_to_navigate(page, "form.admin-form button[type=submit]")
    assert page.locator(".field--error").count() == 1
    _fits(page, view)
