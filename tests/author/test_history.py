"""A module's history through the pages: every version with who, when and the note; the diff
between any two; going back to an old version as a new draft."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from ehealth.database import connected
from ehealth.models import AuditEvent, DraftState, ModuleDraft, ModuleVersion
from ehealth.services import authoring
from tests.author.modules_support import (
    browser,
    draft,
    follow,
    page,
    post,
    published,
    retitle,
    step_of,
    submitted,
)
from tests.conftest import FIXTURE_MEDIA, World


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", html)


@pytest.fixture
def two_versions(world: World) -> tuple[ModuleVersion, ModuleVersion]:
    """oost-eigen 1.0.0, then 1.0.1 with a warmer welcome, both published by the admin."""
    author, admin = world.person("author"), world.person("admin")
    first = published(author, admin)
    with connected():
        changing = authoring.edit_published(author, "oost-eigen")
    retitle(author, changing.get_id(), "welkom", "Welkom, fijn dat je er bent",
            "Welcome, good to have you here")
    submitted(author, changing.get_id(), "Een warmer welkom")
    with connected():
        authoring.comment(admin, changing.get_id(), "Mooi zo.")
        second = authoring.publish(admin, changing.get_id(), "1.0.1",
                                   "Welkom herschreven", FIXTURE_MEDIA)
    return first, second


def test_the_history_lists_every_version_with_who_when_and_the_note(
        app: Flask, world: World, two_versions: tuple[ModuleVersion, ModuleVersion]) -> None:
    html = _text(page(browser(app, world.person("author")), "/author/modules/oost-eigen/history"))
    newest, oldest = html.index('id="version-1.0.1"'), html.index('id="version-1.0.0"')
    assert newest < oldest
    second = html[newest:oldest]
    assert "Version 1.0.1" in second
    assert "current" in second
    assert "<dt>By</dt><dd>admin</dd>" in second
    assert "Welkom herschreven" in second
    assert "<time datetime=" in second
    assert "Copied from</dt><dd><code>voorbeeld 1.0.0</code>" in second
    # The review conversation that led to it.
    assert "Een warmer welkom" in second
    assert "Mooi zo." in second
    assert "/author/modules/oost-eigen/compare?old=1.0.0&amp;new=1.0.1" in second
    # Zorg West does not see it at all.
    page(browser(app, world.person("other_admin")), "/author/modules/oost-eigen/history", 404)


def test_any_two_versions_are_compared_per_step_and_language(
        app: Flask, world: World, two_versions: tuple[ModuleVersion, ModuleVersion]) -> None:
    author = browser(app, world.person("author"))
    html = _text(page(author, "/author/modules/oost-eigen/compare?old=1.0.0&new=1.0.1"))
    assert "From version 1.0.0 to version 1.0.1" in html
    assert "1 step changed" in html
    hidden = '<span class="visually-hidden" lang="en">'
    assert (f'lang="nl"><ins class="author-diff__ins">{hidden}[added: </span>Welkom, fijn'
            '<span class="visually-hidden">]</span></ins> dat je er bent' in html)
    assert (f'lang="nl"><del class="author-diff__del">{hidden}[removed: </span>Fijn'
            '<span class="visually-hidden">]</span></del> dat je er bent' in html)
    assert 'id="diff-step-welkom"' in html
    assert 'id="diff-step-uitleg"' not in html  # unchanged steps are only counted
    backwards = _text(page(author, "/author/modules/oost-eigen/compare?old=1.0.1&new=1.0.0"))
    assert "From version 1.0.1 to version 1.0.0" in backwards
    page(author, "/author/modules/oost-eigen/compare?old=1.0.0&new=9.9.9", 404)
    page(author, "/author/modules/voorbeeld/compare?old=1.0.0&new=1.0.0", 404)


def test_going_back_makes_a_new_draft_from_an_old_version(
        app: Flask, world: World, two_versions: tuple[ModuleVersion, ModuleVersion]) -> None:
    first, _second = two_versions
    author = browser(app, world.person("author"))
    response = post(author, f"/author/versions/{first.get_id()}/revert")
    assert response.status_code == 303
    with connected():
        reverted = ModuleDraft.get(ModuleDraft.module_id == "oost-eigen")
        assert AuditEvent.select().where(AuditEvent.action == "module.reverted",
                                         AuditEvent.object_id == "oost-eigen@1.0.0").exists()
        assert [v.version for v in authoring.history(world.person("author"), "oost-eigen")] \
            == ["1.0.1", "1.0.0"]  # nothing published by going back
    assert step_of(reverted.content, "welkom")["title"] == step_of(first.content,
                                                                   "welkom")["title"]
    assert reverted.state == DraftState.DRAFT
    assert "The draft holds version 1.0.0 again." in follow(author, response)
    # The draft's review page shows the way back against the current version, 1.0.1.
    review = _text(page(author, f"/author/drafts/{reverted.get_id()}/review"))
    assert "version 1.0.1 of" in review
    assert "Proposed version: 1.0.2" in review
    # With a draft that has other changes, going back is a new revision of that draft.
    retitle(world.person("author"), reverted.get_id(), "uitleg", "Anders", "Different")
    before = draft(reverted.get_id()).revision
    assert post(author, f"/author/versions/{first.get_id()}/revert").status_code == 303
    again = draft(reverted.get_id())
    assert again.revision == before + 1
    assert step_of(again.content, "uitleg") == step_of(first.content, "uitleg")
    # Another organisation cannot go back to Zorg Oost's version.
    west = browser(app, world.person("other_admin"))
    assert post(west, f"/author/versions/{first.get_id()}/revert").status_code == 404
