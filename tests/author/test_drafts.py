"""Drafts of an organisation's modules: saved part by part, never overwritten silently."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask

from ehealth.database import connected
from ehealth.models import AuditEvent, ModuleDraft, ModuleVersion, ReviewEvent, Role, User
from ehealth.services import authoring
from ehealth.services.authoring import (
    DraftConflict,
    DraftHasProblems,
    DraftNotFound,
    InvalidChange,
    ModuleIdTaken,
    NotAllowed,
    VersionTooLow,
    WrongState,
)
from tests.conftest import FIXTURE_MEDIA, World


@pytest.fixture
def second_author(world: World) -> User:
    with connected():
        user: User = User.create(organisation=world.person("author").organisation,
                                 email="author2@oost.example", role=Role.AUTHOR, name="Sanne")
    return user


@pytest.fixture
def copied(world: World) -> ModuleDraft:
    """Zorg Oost's author copies the shipped voorbeeld module into "mijn-voorbeeld"."""
    with connected():
        version = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
        return authoring.copy_module(world.person("author"), version, "mijn-voorbeeld")


def _first_step(draft: ModuleDraft) -> dict[str, Any]:
    lesson = draft.content["module"]["lessons"][0]
    step: dict[str, Any] = draft.content["lessons"][lesson]["steps"][0]
    return step


def _retitled(step: dict[str, Any], text: str) -> dict[str, Any]:
    changed = copy.deepcopy(step)
    changed["title"] = {"nl": text, "en": text}
    return changed


def test_a_copy_is_a_draft_of_the_organisation_linked_to_its_origin(
        world: World, copied: ModuleDraft) -> None:
    with connected():
        assert copied.content["module"]["id"] == "mijn-voorbeeld"
        assert copied.origin_version.module_id == "voorbeeld"
        assert authoring.check_content(copied.content, FIXTURE_MEDIA) == []
        own, _shipped = authoring.modules_of(world.person("author").organisation, {})
        assert [(m.module_id, m.state, m.origin) for m in own] == [
            ("mijn-voorbeeld", "draft", f"voorbeeld {copied.origin_version.version}")]
        west, _ = authoring.modules_of(world.person("other_admin").organisation, {})
        assert west == []
        assert AuditEvent.get(AuditEvent.action == "module.copied").object_id == "mijn-voorbeeld"


def test_a_module_id_in_use_anywhere_is_refused(world: World, copied: ModuleDraft) -> None:
    with connected():
        version = ModuleVersion.get(ModuleVersion.module_id == "voorbeeld")
        with pytest.raises(ModuleIdTaken):
            authoring.copy_module(world.person("other_admin"), version, "mijn-voorbeeld")
        with pytest.raises(ModuleIdTaken):
            authoring.new_draft(world.person("admin"), "voorbeeld", "Voorbeeld")
        with pytest.raises(InvalidChange):
            authoring.new_draft(world.person("admin"), "Mijn Module!", "Titel")


def test_therapists_and_clients_cannot_author(world: World) -> None:
    with connected():
        for role in ("own_therapist", "client_a"):
            with pytest.raises(NotAllowed):
                authoring.new_draft(world.person(role), "van-een-therapeut", "Titel")


def test_another_organisation_cannot_reach_a_draft(world: World, copied: ModuleDraft) -> None:
    with connected():
        with pytest.raises(DraftNotFound):
            authoring.draft_of(world.person("other_admin"), copied.get_id())
        step = _first_step(copied)
        with pytest.raises(DraftNotFound):
            authoring.save_draft(world.person("other_admin"), copied.get_id(), 1,
                                 {f"step:{step['id']}": _retitled(step, "Van West")})


def test_two_authors_changing_different_steps_both_keep_their_work(
        world: World, copied: ModuleDraft, second_author: User) -> None:
    with connected():
        lesson_id = copied.content["module"]["lessons"][0]
        first, second = copied.content["lessons"][lesson_id]["steps"][:2]
        authoring.save_draft(world.person("author"), copied.get_id(), 1,
                             {f"step:{first['id']}": _retitled(first, "Eerste")})
        # The second author's page was built from revision 1 too.
        saved = authoring.save_draft(second_author, copied.get_id(), 1,
                                     {f"step:{second['id']}": _retitled(second, "Tweede")})
        steps = saved.draft.content["lessons"][lesson_id]["steps"]
        assert steps[0]["title"]["nl"] == "Eerste"
        assert steps[1]["title"]["nl"] == "Tweede"
        assert saved.draft.revision == 3


def test_a_stale_save_of_the_same_step_shows_both_versions_and_changes_nothing(
        world: World, copied: ModuleDraft, second_author: User) -> None:
    with connected():
        step = _first_step(copied)
        key = f"step:{step['id']}"
        authoring.save_draft(world.person("author"), copied.get_id(), 1,
                             {key: _retitled(step, "Van de eerste")})
        with pytest.raises(DraftConflict) as conflict:
            authoring.save_draft(second_author, copied.get_id(), 1,
                                 {key: _retitled(step, "Van de tweede")})
        [part] = conflict.value.conflicts
        assert part.key == key
        assert part.mine["title"]["nl"] == "Van de tweede"
        assert part.theirs["title"]["nl"] == "Van de eerste"
        stored = ModuleDraft.get_by_id(copied.get_id())
        assert _first_step(stored)["title"]["nl"] == "Van de eerste"
        assert stored.revision == 2
        # Having seen theirs, the second author keeps their own: saved on the new revision.
        saved = authoring.save_draft(second_author, copied.get_id(), stored.revision,
                                     {key: _retitled(step, "Van de tweede")})
        assert _first_step(saved.draft)["title"]["nl"] == "Van de tweede"


def test_a_save_that_changes_nothing_keeps_the_revision(world: World,
                                                        copied: ModuleDraft) -> None:
    with connected():
        step = _first_step(copied)
        saved = authoring.save_draft(world.person("author"), copied.get_id(), 1,
                                     {f"step:{step['id']}": step})
        assert saved.draft.revision == 1


def test_steps_move_between_lessons_and_duplicate_ids_are_refused(
        world: World, copied: ModuleDraft) -> None:
    author = world.person("author")
    with connected():
        first, second = copied.content["module"]["lessons"][:2]
        lesson_one = authoring.part(copied.content, f"lesson:{first}")
        lesson_two = authoring.part(copied.content, f"lesson:{second}")
        moved = lesson_one["steps"].pop()
        lesson_two["steps"].insert(0, moved)
        saved = authoring.save_draft(author, copied.get_id(), 1, {
            f"lesson:{first}": lesson_one, f"lesson:{second}": lesson_two})
        assert saved.draft.content["lessons"][second]["steps"][0]["id"] == moved
        assert moved not in [s["id"] for s in saved.draft.content["lessons"][first]["steps"]]
        clash = copy.deepcopy(authoring.part(saved.draft.content, f"step:{moved}"))
        other = saved.draft.content["lessons"][first]["steps"][0]["id"]
        clash["id"] = other
        with pytest.raises(InvalidChange):
            authoring.save_draft(author, copied.get_id(), saved.draft.revision,
                                 {f"step:{moved}": clash})
        assert ModuleDraft.get_by_id(copied.get_id()).revision == saved.draft.revision


def test_a_draft_with_problems_is_saved_but_cannot_be_submitted(world: World,
                                                                copied: ModuleDraft) -> None:
    author = world.person("author")
    with connected():
        step = _first_step(copied)
        broken = {**step, "title": {"nl": "", "en": ""}}
        broken.pop("body", None)
        saved = authoring.save_draft(author, copied.get_id(), 1, {f"step:{step['id']}": broken})
        assert saved.problems
        assert all(problem.file.startswith("mijn-voorbeeld") for problem in saved.problems)
        with pytest.raises(DraftHasProblems):
            authoring.submit(author, copied.get_id(), "Titel aangepast", FIXTURE_MEDIA)


def _submitted(world: World, draft: ModuleDraft, by: str = "author") -> ModuleDraft:
    return authoring.submit(world.person(by), draft.get_id(), "Eerste versie", FIXTURE_MEDIA)


def test_four_eyes_the_last_editor_cannot_publish_their_own_change(
        world: World, copied: ModuleDraft) -> None:
    with connected():
        _submitted(world, copied)
        with pytest.raises(NotAllowed):
            authoring.publish(world.person("author"), copied.get_id(), "1.0.0",
                              media_dir=FIXTURE_MEDIA)
        authoring.set_four_eyes(world.person("admin"), False)
        version = authoring.publish(world.person("author"), copied.get_id(), "1.0.0",
                                    media_dir=FIXTURE_MEDIA)
        assert version.organisation.get_id() == world.person("author").organisation.get_id()


def test_publishing_creates_an_immutable_version_of_the_organisation_and_ends_the_draft(
        world: World, copied: ModuleDraft) -> None:
    admin = world.person("admin")
    with connected():
        _submitted(world, copied)
        with pytest.raises(VersionTooLow):
            authoring.publish(admin, copied.get_id(), "1.0", media_dir=FIXTURE_MEDIA)
        version = authoring.publish(admin, copied.get_id(), "1.0.0", "Eerste versie",
                                    media_dir=FIXTURE_MEDIA)
        assert version.content["module"]["version"] == "1.0.0"
        assert version.__data__["published_by"] == admin.id
        assert version.origin_module_id == "voorbeeld"
        assert not ModuleDraft.select().where(ModuleDraft.module_id == "mijn-voorbeeld").exists()
        kinds = [e.kind for e in authoring.review_events(admin, "mijn-voorbeeld")]
        assert kinds == ["submitted", "published"]
        assert all(e.module_version_id == version.get_id() for e in ReviewEvent.select())
        assert AuditEvent.get(AuditEvent.action == "module.published").object_id == (
            "mijn-voorbeeld@1.0.0")
        # A next draft starts from the published version; its number must go up.
        draft = authoring.edit_published(world.person("author"), "mijn-voorbeeld")
        assert draft.base_version.get_id() == version.get_id()
        step = _first_step(draft)
        authoring.save_draft(world.person("author"), draft.get_id(), draft.revision,
                             {f"step:{step['id']}": _retitled(step, "Nieuw")})
        _submitted(world, draft)
        with pytest.raises(VersionTooLow):
            authoring.publish(admin, draft.get_id(), "1.0.0", media_dir=FIXTURE_MEDIA)
        newer = authoring.publish(admin, draft.get_id(), "1.0.1", media_dir=FIXTURE_MEDIA)
        assert [v.version for v in authoring.history(admin, "mijn-voorbeeld")] == [
            "1.0.1", "1.0.0"]
        assert newer.origin_module_id == "voorbeeld"


def test_a_draft_changed_after_the_reviewer_read_it_is_not_published_unseen(
        world: World, copied: ModuleDraft) -> None:
    with connected():
        submitted = _submitted(world, copied)
        step = _first_step(submitted)
        authoring.save_draft(world.person("author"), copied.get_id(), submitted.revision,
                             {f"step:{step['id']}": _retitled(step, "Nog even")})
        # Saving took it back to draft: it has to be submitted again.
        with pytest.raises(WrongState):
            authoring.publish(world.person("admin"), copied.get_id(), "1.0.0",
                              media_dir=FIXTURE_MEDIA, revision=submitted.revision)


def test_sending_back_returns_the_draft_with_the_reviewers_words(world: World,
                                                                copied: ModuleDraft) -> None:
    admin = world.person("admin")
    with connected():
        _submitted(world, copied)
        with pytest.raises(InvalidChange):
            authoring.send_back(admin, copied.get_id(), "  ")
        draft = authoring.send_back(admin, copied.get_id(), "De opening mag warmer.")
        assert draft.state == "draft"
        events = authoring.review_events(admin, "mijn-voorbeeld")
        assert [(e.kind, e.body) for e in events][-1] == ("sent_back", "De opening mag warmer.")
        assert authoring.review_events(world.person("other_admin"), "mijn-voorbeeld") == []


def test_revert_makes_a_new_draft_revision_from_an_old_version(world: World,
                                                               copied: ModuleDraft) -> None:
    admin, author = world.person("admin"), world.person("author")
    with connected():
        _submitted(world, copied)
        first = authoring.publish(admin, copied.get_id(), "1.0.0", media_dir=FIXTURE_MEDIA)
        draft = authoring.edit_published(author, "mijn-voorbeeld")
        step = _first_step(draft)
        authoring.save_draft(author, draft.get_id(), draft.revision,
                             {f"step:{step['id']}": _retitled(step, "Anders")})
        _submitted(world, draft)
        authoring.publish(admin, draft.get_id(), "1.1.0", media_dir=FIXTURE_MEDIA)
        reverted = authoring.revert(author, first.get_id(), FIXTURE_MEDIA)
        assert _first_step(reverted)["title"] == _first_step(first)["title"]
        assert reverted.revision > 1
        assert AuditEvent.get(AuditEvent.action == "module.reverted").object_id == (
            "mijn-voorbeeld@1.0.0")
        with pytest.raises(DraftNotFound):
            authoring.revert(world.person("other_admin"), first.get_id())


def test_the_parts_of_a_module_put_back_together_give_the_same_content(
        copied: ModuleDraft, app: Flask) -> None:
    parts = authoring.parts_of(copied.content)
    rebuilt = authoring.apply_parts({"module": None, "lessons": {}}, parts)
    assert rebuilt == copied.content
