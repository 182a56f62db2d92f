"""The module editor in a real browser: an author builds a module with every step type, by
keyboard and mouse, sees its problems and fixes them (autosaved while typing), previews it as a
client in Dutch and English at 375 px, and submits it for review; an admin reads the diff and
publishes it, a therapist assigns it and a client completes it.

Every editor page is audited with axe-core at 1280 and 375 px, in Dutch and English (the
overview, a lesson, the JSON view, the preview, the conflict page, the undo after a removal, a
refused save and the writing rules); on a phone no page scrolls sideways.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ehealth.content.steps import STEP_TYPES
from ehealth.models import (
    Assignment,
    AssignmentStatus,
    CareRelationship,
    CareRole,
    DraftState,
    ModuleDraft,
    ModuleVersion,
    Organisation,
    Role,
    User,
)
from ehealth.services import authoring, media
from tests.browser.support import (
    ALL_VIEWS,
    DONE_URL,
    NL_DESKTOP,
    LiveServer,
    View,
    answer_by_mouse,
    audit,
    click_to_navigate,
    complete_module,
    focused_matches,
    navigate,
    press_to_navigate,
    sign_in_as,
    submit_by_mouse,
    tab_to,
    visit,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

LIBRARY_MODULE = "wat-gaat-er-goed"
COVER = (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20">'
         b'<rect width="40" height="20" fill="#e6f4ef"/></svg>')


def _author(live_server: LiveServer) -> User:
    """An author of an organisation of its own, with one uploaded image."""
    with live_server.database():
        organisation = Organisation.create(name=f"Zorg {secrets.token_hex(3)}",
                                           slug=f"zorg-{secrets.token_hex(4)}")
        author: User = User.create(organisation=organisation, role=Role.AUTHOR, name="Sanne",
                                   email=f"auteur-{secrets.token_hex(4)}@browser.example")
        media.store_upload(author, COVER, "omslag.svg",
                           Path(live_server.app.config["INSTANCE_DIR"]))
    return author




def _fits(page: Page, view: View) -> None:
    if view.phone:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= view.width, f"{page.url} scrolls sideways: {width}px"


def _draft(live_server: LiveServer, draft_id: int) -> ModuleDraft:
    with live_server.database():
        draft: ModuleDraft = ModuleDraft.get_by_id(draft_id)
    return draft


def _saved(page: Page) -> None:
    """Wait until the autosave says the last change is saved."""
    page.wait_for_function("""() => {
      const state = document.querySelector("[data-save-state]");
      return state && /^(Opgeslagen om|Saved at)/.test(state.textContent.trim());
    }""")


def _problem_count(page: Page) -> int:
    return page.locator("#ed-checks .ed-checks__list").first.locator("li").count() if page.locator(
        "#ed-checks .ed-checks__problems-title").count() else 0


def test_an_author_builds_a_module_with_every_step_type_and_submits_it(
        page: Page, live_server: LiveServer) -> None:
    author = _author(live_server)
    sign_in_as(page, live_server, author)
    view = NL_DESKTOP
    module_id = f"eigen-{secrets.token_hex(3)}"

    # A new module (the module list's form), then the editor.
    visit(page, "/author/new")
    page.locator("#module_id").fill(module_id)
    page.locator("#title").fill("Mijn eigen stap")
    click_to_navigate(page, "main form button.admin-button[type=submit]")
    match = re.search(r"/author/drafts/(\d+)$", page.url)
    assert match, page.url
    draft_id = int(match.group(1))
    assert _problem_count(page) > 0  # a blank module: texts to write, a cover to choose

    # The module's details, by mouse and typing; autosaved while typing.
    page.locator("#ed-m-summary-nl").click()
    page.keyboard.type("Je ontdekt wat goed gaat.")
    page.locator("#ed-m-summary-en").fill("You discover what goes well.")
    page.locator("#ed-m-cover-src").select_option(index=1)
    page.locator("#ed-m-cover-alt-nl").fill("Een lichtgroen vlak.")
    page.locator("#ed-m-cover-alt-en").fill("A light green area.")
    page.locator("#ed-l0-title-nl").fill("Beginnen")
    page.locator("#ed-l0-title-en").fill("Getting started")
    _saved(page)
    module = _draft(live_server, draft_id).content["module"]
    assert module["cover"]["alt"] == {"nl": "Een lichtgroen vlak.", "en": "A light green area."}
    assert module["summary"]["en"] == "You discover what goes well."

    # The lesson's steps: one of every registered type, added with the keyboard.
    click_to_navigate(page, "#ed-l0 a.ed-edit-steps")
    for step_type in STEP_TYPES:
        page.locator("#ed-new-step-type").select_option(step_type)
        tab_to(page, "#ed-add-step")
        press_to_navigate(page, "Enter")
        # The new step's heading has the focus, for keyboard users to carry on from there.
        assert focused_matches(page, ".ed-step:last-of-type .ed-step__title"), step_type
    steps = _draft(live_server, draft_id).content["lessons"]["begin"]["steps"]
    assert [s["type"] for s in steps[1:]] == list(STEP_TYPES)

    # Move the last step up with the keyboard: the focus stays on the moved step's button.
    last = len(steps) - 1
    tab_to(page, f"#ed-s{last}-up")
    press_to_navigate(page, "Enter")
    assert focused_matches(page, f"#ed-s{last - 1}-up")
    moved = _draft(live_server, draft_id).content["lessons"]["begin"]["steps"]
    assert moved[last - 1]["type"] == steps[last]["type"]

    # Duplicate a step, remove the copy, and undo the removal, by mouse.
    click_to_navigate(page, "#ed-s1-duplicate")
    assert len(_draft(live_server, draft_id).content["lessons"]["begin"]["steps"]) == len(steps) + 1
    click_to_navigate(page, "#ed-s2-remove")
    assert page.locator("#ed-undo").is_visible()
    click_to_navigate(page, "#ed-undo")
    assert len(_draft(live_server, draft_id).content["lessons"]["begin"]["steps"]) == len(steps) + 1
    click_to_navigate(page, "#ed-s2-remove")
    assert len(_draft(live_server, draft_id).content["lessons"]["begin"]["steps"]) == len(steps)
    visit(page, f"/author/drafts/{draft_id}/lessons/begin")

    # A condition: show the step after the choice step only after "nee" to it.
    steps = _draft(live_server, draft_id).content["lessons"]["begin"]["steps"]
    choice_index = next(i for i, s in enumerate(steps) if s["type"] == "choice")
    text_step = choice_index + 1
    conditional, following = steps[text_step]["type"], steps[text_step + 1]["type"]
    page.locator(f"#ed-s{text_step}-show_if-step").select_option("choice")
    page.locator(f"#ed-s{text_step}-show_if-op").select_option("equals")
    page.locator(f"#ed-s{text_step}-show_if-value").select_option("nee")
    _saved(page)
    shown_if = _draft(live_server, draft_id).content["lessons"]["begin"]["steps"][text_step]
    assert shown_if.get("show_if") == {"step": "choice", "equals": "nee"}, shown_if

    # The problems: each link leads to its field; fixing it there (typing) clears it.
    for _ in range(12):
        if not _problem_count(page):
            break
        link = page.locator("#ed-checks .ed-checks__list li a").first
        href = link.get_attribute("href") or ""
        if href.startswith("#"):
            link.click()
            field = page.locator(href)
            assert focused_matches(page, href), href
        else:
            click_to_navigate(page, f"#ed-checks .ed-checks__list li a[href='{href}']")
            field = page.locator(href[href.index("#"):])
            field.focus()
        page.keyboard.type("Goed gedaan, stap voor stap." if "-nl" in href else
                           "Well done, step by step.")
        _saved(page)
        page.reload()
        audit(page)
    assert _problem_count(page) == 0, page.locator("#ed-checks").inner_text()
    assert page.locator("#ed-submit-button").is_enabled()
    assert authoring.check_content(_draft(live_server, draft_id).content,
                                   Path(live_server.app.config["MEDIA_DIR"]),
                                   uploads=_uploads(live_server, author)) == []

    # The preview, at phone width: the real player in a 375 px frame, in Dutch, then English.
    click_to_navigate(page, "nav.ed-nav a[href$='/preview']")
    frame_box = page.locator("#preview-frame").bounding_box()
    assert frame_box is not None
    assert 370 <= frame_box["width"] <= 377
    frame = page.frame_locator("#preview-frame")
    assert frame.locator("form.player__form").count() == 1
    assert "Goed gedaan, stap voor stap." in frame.locator("main").inner_text()
    # Walk to the choice step: "ja" skips the step with the condition, "nee" shows it.
    for _ in range(choice_index):
        _in_preview(page, "next")
    frame.locator("form.step--choice").wait_for()
    frame.locator('input[name="selected"][value="ja"]').check()
    _in_preview(page, "next")
    frame.locator(f"form.step--{following}").wait_for()
    _in_preview(page, "back")
    frame.locator("form.step--choice").wait_for()
    frame.locator('input[name="selected"][value="nee"]').check()
    _in_preview(page, "next")
    frame.locator(f"form.step--{conditional}").wait_for()
    navigate(page, lambda: page.locator(".preview-controls button[value='en']").click())
    frame = page.frame_locator("#preview-frame")
    assert frame.locator("html[lang=en]").count() == 1
    assert "Well done, step by step." in frame.locator("main").inner_text()
    assert frame.locator('button[name="action"][value="next"]').inner_text().strip() == "Next"
    navigate(page, lambda: page.locator(".preview-controls button[value='nl']").click())

    # Submit, with a note for the reviewer: the draft waits for review.
    visit(page, f"/author/drafts/{draft_id}")
    page.locator("#ed-submit-note").fill("Een nieuwe module met elke soort stap.")
    click_to_navigate(page, "#ed-submit-button")
    assert _draft(live_server, draft_id).state == DraftState.IN_REVIEW
    assert page.url.endswith(f"/author/drafts/{draft_id}/review"), page.url
    _fits(page, view)

    # An admin of the organisation reads the diff and publishes it with the proposed version.
    admin, therapist, client = _colleagues(live_server, author)
    sign_in_as(page, live_server, admin)
    visit(page, f"/author/drafts/{draft_id}/review")
    assert "Een nieuwe module met elke soort stap." in page.locator("main").inner_text()
    assert page.locator("input#version").input_value() == "1.0.0"
    click_to_navigate(page, "form[action$='/publish'] button[type=submit]")
    with live_server.database():
        published = ModuleVersion.get(ModuleVersion.module_id == module_id)
        assert published.__data__["organisation"] == author.__data__["organisation"]

    # The client's therapist assigns it (the library refreshes itself within seconds) ...
    sign_in_as(page, live_server, therapist)
    for _ in range(40):
        visit(page, f"/therapist/clients/{client.id}")
        if page.locator(f"#assign-module option[value='{module_id}']").count():
            break
        page.wait_for_timeout(250)
    page.locator("#assign-module").select_option(module_id)
    click_to_navigate(page, ".th-assign button[type=submit]")
    assert re.search(r"#assignment-\d+$", page.url), page.url

    # ... and the client completes it, by mouse, up to the finish page.
    sign_in_as(page, live_server, client)
    visit(page, "/my-modules")
    card = page.locator(".assignment-card").filter(
        has=page.get_by_role("heading", name="Mijn eigen stap"))
    navigate(page, card.locator("a.button").first.click)
    walk = complete_module(page, answer_by_mouse, submit_by_mouse)
    assert DONE_URL.search(page.url), page.url
    assert [s for s in walk.steps if s != "welkom"], walk.steps
    with live_server.database():
        assignment = Assignment.get((Assignment.client == client)
                                    & (Assignment.module_version == published))
        assert assignment.status == AssignmentStatus.COMPLETED


def _colleagues(live_server: LiveServer, author: User) -> tuple[User, User, User]:
    """The author's organisation's admin, a therapist and a client in that therapist's care."""
    with live_server.database():
        organisation = author.organisation
        tag = secrets.token_hex(4)
        admin: User = User.create(organisation=organisation, role=Role.ADMIN, name="Marieke",
                                  email=f"beheer-{tag}@browser.example")
        therapist: User = User.create(organisation=organisation, role=Role.THERAPIST,
                                      name="Fatima", email=f"behandelaar-{tag}@browser.example")
        client: User = User.create(organisation=organisation, role=Role.CLIENT, name="Anna",
                                   email=f"client-{tag}@browser.example")
        CareRelationship.create(organisation=organisation, client=client, therapist=therapist,
                                role=CareRole.PRIMARY)
    return admin, therapist, client


def _in_preview(page: Page, action: str) -> None:
    """Press Next or Back in the preview's frame and wait for the frame's next page."""
    handle = page.locator("#preview-frame").element_handle()
    assert handle is not None
    frame = handle.content_frame()
    assert frame is not None
    with frame.expect_navigation():
        frame.locator(f'button[name="action"][value="{action}"]').click()


def _uploads(live_server: LiveServer, author: User) -> frozenset[str]:
    from ehealth.models import MediaFile

    with live_server.database():
        return MediaFile.paths_of(author.organisation)


@pytest.mark.parametrize("view", ALL_VIEWS, indirect=True, ids=str)
def test_every_editor_page_passes_axe_and_fits_the_screen(
        page: Page, live_server: LiveServer, view: View) -> None:
    author = _author(live_server)
    with live_server.database():
        library = (ModuleVersion.select().where(ModuleVersion.module_id == LIBRARY_MODULE)
                   .order_by(ModuleVersion.id.desc()).get())
        draft = authoring.copy_module(author, library, f"eigen-{secrets.token_hex(3)}")
    draft_id = draft.get_id()
    lessons = draft.content["module"]["lessons"]
    sign_in_as(page, live_server, author)
    base = f"/author/drafts/{draft_id}"
    for path in (base, *(f"{base}/lessons/{lesson}" for lesson in lessons),
                 f"{base}/lessons/{lessons[0]}/json", f"{base}/preview",
                 f"{base}/preview?width=wide", "/author/writing-guide"):
        visit(page, path)
        _fits(page, view)

    # A refused save (an id used twice) comes back with the typed text and a message.
    visit(page, f"{base}/lessons/{lessons[0]}")
    page.locator("#ed-s1-id").fill(draft.content["lessons"][lessons[0]]["steps"][0]["id"])
    navigate(page, lambda: page.locator("#ed-save").click())
    assert page.locator("#ed-error").is_visible()
    _fits(page, view)

    # A removal, with its undo.
    visit(page, f"{base}/lessons/{lessons[0]}")
    navigate(page, lambda: page.locator("#ed-s1-remove").click())
    assert page.locator("#ed-undo").is_visible()
    _fits(page, view)

    # Someone else saves the same step meanwhile: the conflict page shows both versions.
    visit(page, f"{base}/lessons/{lessons[1]}")
    with live_server.database():
        current = ModuleDraft.get_by_id(draft_id)
        step = dict(current.content["lessons"][lessons[1]]["steps"][0])
        step["title"] = {"nl": "Hun titel", "en": "Their title"}
        authoring.save_draft(author, draft_id, current.revision, {f"step:{step['id']}": step})
    page.locator("#ed-s0-title-nl").fill("Mijn titel")
    page.evaluate("() => { const f = document.querySelector('#ed-form'); if (f.editor) "
                  "{ f.editor.blocked = true; } }")  # the plain post, as without JavaScript
    navigate(page, lambda: page.locator("#ed-save").click())
    assert page.locator("#ed-conflict-form").is_visible()
    assert "Hun titel" in page.locator("main").inner_text()
    _fits(page, view)
