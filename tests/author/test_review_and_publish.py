"""Review and publication through the pages: the diff, the proposed version, four eyes,
sending back, comments, and submitting a draft with problems."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ehealth.database import connected
from ehealth.models import (
    AuditEvent,
    DraftState,
    ModuleDraft,
    ModuleVersion,
    ReviewEvent,
    Role,
    User,
)
from ehealth.services import authoring
from tests.author.modules_support import (
    browser,
    change,
    draft,
    follow,
    page,
    post,
    published,
    retitle,
    step_of,
    submitted,
)
from tests.conftest import World


@pytest.fixture
def second_author(world: World) -> User:
    with connected():
        user: User = User.create(organisation=world.person("author").organisation,
                                 email="sanne@oost.example", role=Role.AUTHOR, name="Sanne")
    return user


@pytest.fixture
def changes(world: World) -> ModuleDraft:
    """oost-eigen 1.0.0 is published; the author starts a draft of its next version."""
    published(world.person("author"), world.person("admin"))
    with connected():
        return authoring.edit_published(world.person("author"), "oost-eigen")


def _versions() -> list[str]:
    with connected():
        return sorted(v.version for v in ModuleVersion.select()
                      .where(ModuleVersion.module_id == "oost-eigen"))


def _publish(test_client: FlaskClient, draft_id: int, version: str) -> TestResponse:
    return post(test_client, f"/author/drafts/{draft_id}/publish",
                {"version": version, "revision": str(draft(draft_id).revision)})


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_the_reviewer_reads_each_changed_text_side_by_side_with_the_words_marked(
        app: Flask, world: World, changes: ModuleDraft) -> None:
    retitle(world.person("author"), changes.get_id(), "welkom", "Fijn dat je hier bent",
            "Good to have you with us")
    submitted(world.person("author"), changes.get_id(), "Een warmer welkom")
    html = _text(page(browser(app, world.person("admin")),
                      f"/author/drafts/{changes.get_id()}/review"))
    assert "Een warmer welkom" in html  # the author's change note
    assert "Proposed version: 1.0.1" in html
    assert "wording only (patch)" in html
    assert "1 step changed" in html
    assert "0 steps removed" in html
    # Dutch: "er" removed, "hier" added; the rest of the sentence is kept on both sides.
    assert re.search(r'<div class="author-diff__text" lang="nl">Fijn dat je <del class="'
                     r'author-diff__del"><span class="visually-hidden" lang="en">\[removed: '
                     r'</span>er<span class="visually-hidden">\]</span></del> bent</div>', html)
    assert re.search(r'lang="nl">Fijn dat je <ins class="author-diff__ins"><span class="'
                     r'visually-hidden" lang="en">\[added: </span>hier<span', html)
    assert re.search(r'lang="en">Good to have you <del[^>]*><span[^>]*>\[removed: </span>here',
                     html)
    assert re.search(r'lang="en">Good to have you <ins[^>]*><span[^>]*>\[added: </span>with us',
                     html)
    assert "Approve and publish" in html


def test_a_wording_change_is_a_patch_and_the_reviewer_may_raise_the_version(
        app: Flask, world: World, changes: ModuleDraft) -> None:
    retitle(world.person("author"), changes.get_id(), "uitleg", "Zo gaat het", "How it goes")
    submitted(world.person("author"), changes.get_id())
    reviewer = browser(app, world.person("admin"))
    form = _text(page(reviewer, f"/author/drafts/{changes.get_id()}/review"))
    assert re.search(r'<input [^>]*name="version"[^>]*value="1.0.1"', form)
    refused = _publish(reviewer, changes.get_id(), "1.0.0")
    assert refused.status_code == 422
    assert "not higher than the published version 1.0.0" in refused.get_data(
        as_text=True)
    assert _versions() == ["1.0.0"]
    response = _publish(reviewer, changes.get_id(), "1.1.0")
    assert "Version 1.1.0 is published" in follow(reviewer, response)
    assert _versions() == ["1.0.0", "1.1.0"]
    with connected():
        version = ModuleVersion.get(ModuleVersion.version == "1.1.0",
                                    ModuleVersion.module_id == "oost-eigen")
        assert version.__data__["published_by"] == world.person("admin").id
        assert version.__data__["organisation"] == world.person("admin").__data__[
            "organisation"]
        assert not ModuleDraft.select().where(ModuleDraft.module_id == "oost-eigen").exists()
        assert AuditEvent.select().where(AuditEvent.action == "module.published",
                                         AuditEvent.object_id == "oost-eigen@1.1.0").exists()


def test_a_removed_step_calls_for_a_major_version_and_a_lower_one_is_refused(
        app: Flask, world: World, changes: ModuleDraft) -> None:
    lesson = dict(changes.content["lessons"]["begin"])
    lesson_part = {k: v for k, v in lesson.items() if k != "steps"}
    lesson_part["steps"] = [s["id"] for s in lesson["steps"] if s["id"] != "uitleg"]
    change(world.person("author"), changes.get_id(),
           {"lesson:begin": lesson_part, "step:uitleg": None})
    submitted(world.person("author"), changes.get_id(), "Uitleg eruit")
    reviewer = browser(app, world.person("admin"))
    html = _text(page(reviewer, f"/author/drafts/{changes.get_id()}/review"))
    assert "Proposed version: 2.0.0" in html
    assert "1 step removed" in html
    assert "Step &#34;uitleg&#34; removed from lesson &#34;begin&#34;." in html
    # The removed step is shown whole, its texts as they were.
    assert re.search(r'id="diff-step-uitleg".*?<del class="author-diff__del">Je antwoorden '
                     r"worden vanzelf bewaard.</del>", html)
    for too_low in ("1.0.1", "1.1.0"):
        refused = _publish(reviewer, changes.get_id(), too_low)
        assert refused.status_code == 422
        assert "the version must be at least 2.0.0" in refused.get_data(
            as_text=True)
    assert _versions() == ["1.0.0"]
    assert _publish(reviewer, changes.get_id(), "2.0.0").status_code == 303
    assert _versions() == ["1.0.0", "2.0.0"]


def test_four_eyes_the_last_editor_sees_why_and_someone_else_publishes(
        app: Flask, world: World, changes: ModuleDraft, second_author: User) -> None:
    author = browser(app, world.person("author"))
    retitle(world.person("author"), changes.get_id(), "welkom", "Hallo", "Hello")
    submitted(world.person("author"), changes.get_id())
    html = _text(page(author, f"/author/drafts/{changes.get_id()}/review"))
    assert "You made the last change to this draft, so someone else reviews it (four eyes)" \
        in html
    assert "Approve and publish" not in html
    refused = _publish(author, changes.get_id(), "1.0.1")
    assert refused.status_code == 403
    assert "four eyes" in refused.get_data(as_text=True)
    assert post(author, f"/author/drafts/{changes.get_id()}/send-back",
                {"reason": "Zelf terug"}).status_code == 403
    assert _versions() == ["1.0.0"]
    # Another author of the organisation did not make the last change: they may.
    other = browser(app, second_author)
    assert "Approve and publish" in page(other, f"/author/drafts/{changes.get_id()}/review")
    assert _publish(other, changes.get_id(), "1.0.1").status_code == 303
    assert _versions() == ["1.0.0", "1.0.1"]


def test_with_four_eyes_off_the_last_editor_may_publish_their_own_change(
        app: Flask, world: World, changes: ModuleDraft) -> None:
    admin = browser(app, world.person("admin"))
    assert post(admin, "/admin/module-review", {}).status_code == 303  # the box unticked
    with connected():
        assert AuditEvent.select().where(AuditEvent.action == "organisation.four_eyes_off"
                                         ).exists()
    assert 'id="four-eyes" name="four_eyes" value="on" aria-describedby="four-eyes-hint">' \
        in page(admin, "/admin/library")
    retitle(world.person("author"), changes.get_id(), "welkom", "Hallo", "Hello")
    submitted(world.person("author"), changes.get_id())
    author = browser(app, world.person("author"))
    assert _publish(author, changes.get_id(), "1.0.1").status_code == 303
    assert post(admin, "/admin/module-review", {"four_eyes": "on"}).status_code == 303
    with connected():
        assert world.person("admin").organisation.__class__.get_by_id(
            world.person("admin").__data__["organisation"]).four_eyes_review


def test_sending_back_needs_a_reason_and_returns_the_draft_to_its_authors(
        app: Flask, world: World, changes: ModuleDraft) -> None:
    retitle(world.person("author"), changes.get_id(), "welkom", "Hallo", "Hello")
    submitted(world.person("author"), changes.get_id(), "Korter welkom")
    reviewer = browser(app, world.person("admin"))
    refused = post(reviewer, f"/author/drafts/{changes.get_id()}/send-back", {"reason": " "})
    assert refused.status_code == 422
    assert "Tell the authors what to change." in refused.get_data(as_text=True)
    assert draft(changes.get_id()).state == DraftState.IN_REVIEW
    response = post(reviewer, f"/author/drafts/{changes.get_id()}/send-back",
                    {"reason": "Het welkom mag warmer."})
    assert response.status_code == 303
    assert draft(changes.get_id()).state == DraftState.DRAFT
    html = _text(page(browser(app, world.person("author")),
                      f"/author/drafts/{changes.get_id()}/review"))
    assert "sent it back" in html
    assert "Het welkom mag warmer." in html
    assert "Send for review" in html  # the authors can send it again
    assert _versions() == ["1.0.0"]


def test_comments_make_the_review_conversation(app: Flask, world: World,
                                               changes: ModuleDraft) -> None:
    retitle(world.person("author"), changes.get_id(), "welkom", "Hallo", "Hello")
    submitted(world.person("author"), changes.get_id())
    reviewer = browser(app, world.person("admin"))
    empty = post(reviewer, f"/author/drafts/{changes.get_id()}/comments", {"body": ""})
    assert empty.status_code == 422
    assert "Write a comment first." in empty.get_data(as_text=True)
    response = post(reviewer, f"/author/drafts/{changes.get_id()}/comments",
                    {"body": "Is <b>Hallo</b> niet te kort?"})
    html = follow(reviewer, response)
    assert "Is &lt;b&gt;Hallo&lt;/b&gt; niet te kort?" in html
    with connected():
        assert ReviewEvent.select().where(ReviewEvent.kind == "comment").count() == 1


def test_a_draft_changed_while_the_reviewer_read_it_is_not_published_unseen(
        app: Flask, world: World, changes: ModuleDraft) -> None:
    retitle(world.person("author"), changes.get_id(), "welkom", "Hallo", "Hello")
    submitted(world.person("author"), changes.get_id())
    read_at = draft(changes.get_id()).revision
    with connected():  # someone saves again and sends it back to review
        step = step_of(draft(changes.get_id()).content, "welkom")
        step["title"] = {"nl": "Hallo!", "en": "Hello!"}
        authoring.save_draft(world.person("author"), changes.get_id(), read_at,
                             {"step:welkom": step})
    submitted(world.person("author"), changes.get_id())
    response = post(browser(app, world.person("admin")),
                    f"/author/drafts/{changes.get_id()}/publish",
                    {"version": "1.0.1", "revision": str(read_at)})
    assert response.status_code == 409
    assert "changed while you were reading it" in response.get_data(as_text=True)
    assert _versions() == ["1.0.0"]


def test_submitting_a_draft_with_problems_goes_back_with_the_problems_listed(
        app: Flask, world: World, changes: ModuleDraft) -> None:
    step = step_of(changes.content, "welkom")
    step["title"] = {"nl": "Alleen Nederlands"}  # the English is missing now
    change(world.person("author"), changes.get_id(), {"step:welkom": step})
    author = browser(app, world.person("author"))
    back = f"/author/drafts/{changes.get_id()}/review"
    response = post(author, f"/author/drafts/{changes.get_id()}/submit",
                    {"note": "Klaar", "next": back})
    assert response.status_code == 303
    assert response.headers["Location"] == back
    html = _text(page(author, back))
    assert "The module has 1 problem to fix first." in html
    assert "steps[0].title.en" in html
    assert "Missing translation for &#34;en&#34;" in html
    assert draft(changes.get_id()).state == DraftState.DRAFT
    # No note: back too, saying so; an address elsewhere is not followed.
    response = post(author, f"/author/drafts/{changes.get_id()}/submit",
                    {"note": "", "next": "https://elsewhere.example/"})
    assert response.status_code == 303
    assert "elsewhere" not in response.headers["Location"]
    assert "Say in a sentence what changed" in follow(author, response)
