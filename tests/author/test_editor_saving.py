"""Saving in the editor: autosave and Save, conflicts between authors, and the buttons that
change a draft's structure (through the routes, as a browser posts them)."""

from __future__ import annotations

import copy
import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import ModuleDraft, Role, User
from ehealth.services import authoring
from tests.author.editor_support import (
    FormData,
    copy_of_voorbeeld,
    form_of,
    page_form,
    post,
    prefix_of,
    step_of,
    stored,
)
from tests.conftest import World, login


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    login(client, user)
    return client


@pytest.fixture
def draft(world: World) -> ModuleDraft:
    return copy_of_voorbeeld(world.person("author"))


@pytest.fixture
def author(app: Flask, world: World) -> FlaskClient:
    return _client(app, world.person("author"))


@pytest.fixture
def second_author(app: Flask, world: World) -> FlaskClient:
    with connected():
        user: User = User.create(organisation=world.person("author").organisation,
                                 email="sanne@oost.example", role=Role.AUTHOR, name="Sanne")
    return _client(app, user)


def _lesson(draft: ModuleDraft, lesson: str = "begin") -> str:
    return f"/author/drafts/{draft.id}/lessons/{lesson}"


def _save(draft: ModuleDraft) -> str:
    return f"/author/drafts/{draft.id}/save"


def test_the_autosave_saves_the_edited_step_and_answers_with_its_new_fingerprints(
        author: FlaskClient, draft: ModuleDraft) -> None:
    form = page_form(author, _lesson(draft))
    prefix = prefix_of(form, "step:uitleg")
    form[f"{prefix}.body.nl"] = ["Nieuwe uitleg, **vet**."]
    response = post(author, _save(draft), form, as_json=True)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "saved"
    assert body["revision"] == 2
    assert list(body["parts"]) == [prefix] or prefix in body["parts"]
    assert step_of(stored(draft.id), "uitleg")["body"]["nl"] == "Nieuwe uitleg, **vet**."
    assert body["stale"] == []
    assert "Saved at" in body["state"] or "Opgeslagen om" in body["state"]
    assert 'id="ed-checks"' in body["checks_html"]
    with connected():
        assert ModuleDraft.get_by_id(draft.id).part_revisions == {"step:uitleg": 2}


def test_a_page_saved_without_changes_changes_nothing(author: FlaskClient,
                                                      draft: ModuleDraft) -> None:
    for page in (_lesson(draft), _lesson(draft, "verder"), f"/author/drafts/{draft.id}"):
        response = post(author, _save(draft), page_form(author, page), op="save")
        assert response.status_code == 303, page
    assert stored(draft.id).revision == 1
    assert stored(draft.id).content == draft.content


def test_the_save_button_works_without_javascript_and_comes_back_to_the_page(
        author: FlaskClient, draft: ModuleDraft) -> None:
    form = page_form(author, f"/author/drafts/{draft.id}")
    form["m.title.en"] = ["One small step, our way"]
    form["m.estimated_minutes"] = ["20"]
    response = post(author, _save(draft), form, op="save")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/author/drafts/{draft.id}")
    module = stored(draft.id).content["module"]
    assert module["title"]["en"] == "One small step, our way"
    assert module["estimated_minutes"] == 20
    assert module["lessons"] == ["begin", "verder"]
    page = author.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved." in page or "Opgeslagen." in page


def test_two_authors_on_different_steps_both_keep_their_work(
        author: FlaskClient, second_author: FlaskClient, draft: ModuleDraft) -> None:
    mine, theirs = page_form(author, _lesson(draft)), page_form(second_author, _lesson(draft))
    theirs[f"{prefix_of(theirs, 'step:cijfer')}.question.nl"] = ["Hoe gaat het vandaag?"]
    assert post(second_author, _save(draft), theirs, as_json=True).status_code == 200
    # My page was built before their save, and still shows their step as it was.
    mine[f"{prefix_of(mine, 'step:hulp')}.question.nl"] = ["Wil je een tip van iemand?"]
    response = post(author, _save(draft), mine, as_json=True)
    assert response.status_code == 200
    saved = stored(draft.id)
    assert step_of(saved, "cijfer")["question"]["nl"] == "Hoe gaat het vandaag?"
    assert step_of(saved, "hulp")["question"]["nl"] == "Wil je een tip van iemand?"
    # The page hears that a part it shows was changed meanwhile, so it can be reloaded.
    assert response.get_json()["stale"] == [prefix_of(mine, "step:cijfer")]


def test_a_stale_save_of_the_same_step_shows_both_versions_and_applies_nothing(
        author: FlaskClient, second_author: FlaskClient, draft: ModuleDraft) -> None:
    mine, theirs = page_form(author, _lesson(draft)), page_form(second_author, _lesson(draft))
    prefix = prefix_of(mine, "step:cijfer")
    theirs[f"{prefix}.question.nl"] = ["Hun vraag"]
    post(second_author, _save(draft), theirs, as_json=True)
    mine[f"{prefix}.question.nl"] = ["Mijn vraag"]
    mine[f"{prefix_of(mine, 'step:hulp')}.question.nl"] = ["Ook mijn wijziging"]
    response = post(author, _save(draft), mine, as_json=True)
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "conflict"
    assert "Hun vraag" in body["html"]
    assert "Mijn vraag" in body["html"]
    saved = stored(draft.id)
    assert step_of(saved, "cijfer")["question"]["nl"] == "Hun vraag"
    assert step_of(saved, "hulp")["question"]["nl"] != "Ook mijn wijziging"  # nothing applied
    # Without JavaScript the Save button gets the same choice as a page.
    page = post(author, _save(draft), mine, op="save")
    assert page.status_code == 409
    assert "Hun vraag" in page.get_data(as_text=True)


def _resolve(author: FlaskClient, html: str, choice: str) -> FormData:
    form = form_of(html, "ed-conflict-form")
    key = next(name for name in form if name.startswith("theirs."))
    form[f"choice.{key.removeprefix('theirs.')}"] = [choice]
    return form


def test_after_a_conflict_the_author_can_take_their_own_version(
        author: FlaskClient, second_author: FlaskClient, draft: ModuleDraft) -> None:
    mine, theirs = page_form(author, _lesson(draft)), page_form(second_author, _lesson(draft))
    prefix = prefix_of(mine, "step:cijfer")
    theirs[f"{prefix}.question.nl"] = ["Hun vraag"]
    post(second_author, _save(draft), theirs, as_json=True)
    mine[f"{prefix}.question.nl"] = ["Mijn vraag"]
    mine[f"{prefix_of(mine, 'step:hulp')}.question.nl"] = ["Ook mijn wijziging"]
    conflict = post(author, _save(draft), mine, op="save").get_data(as_text=True)
    resolved = author.post(f"/author/drafts/{draft.id}/resolve",
                           data=_resolve(author, conflict, "mine"))
    assert resolved.status_code == 303
    saved = stored(draft.id)
    assert step_of(saved, "cijfer")["question"]["nl"] == "Mijn vraag"
    assert step_of(saved, "hulp")["question"]["nl"] == "Ook mijn wijziging"


def test_after_a_conflict_the_author_can_keep_the_other_version(
        author: FlaskClient, second_author: FlaskClient, draft: ModuleDraft) -> None:
    mine, theirs = page_form(author, _lesson(draft)), page_form(second_author, _lesson(draft))
    prefix = prefix_of(mine, "step:cijfer")
    theirs[f"{prefix}.question.nl"] = ["Hun vraag"]
    post(second_author, _save(draft), theirs, as_json=True)
    mine[f"{prefix}.question.nl"] = ["Mijn vraag"]
    mine[f"{prefix_of(mine, 'step:hulp')}.question.nl"] = ["Ook mijn wijziging"]
    conflict = post(author, _save(draft), mine, op="save").get_data(as_text=True)
    author.post(f"/author/drafts/{draft.id}/resolve", data=_resolve(author, conflict, "theirs"))
    saved = stored(draft.id)
    assert step_of(saved, "cijfer")["question"]["nl"] == "Hun vraag"
    assert step_of(saved, "hulp")["question"]["nl"] == "Ook mijn wijziging"


def test_a_choice_left_open_shows_the_conflict_again(
        author: FlaskClient, second_author: FlaskClient, draft: ModuleDraft) -> None:
    mine, theirs = page_form(author, _lesson(draft)), page_form(second_author, _lesson(draft))
    prefix = prefix_of(mine, "step:cijfer")
    theirs[f"{prefix}.question.nl"] = ["Hun vraag"]
    post(second_author, _save(draft), theirs, as_json=True)
    mine[f"{prefix}.question.nl"] = ["Mijn vraag"]
    conflict = post(author, _save(draft), mine, op="save").get_data(as_text=True)
    again = author.post(f"/author/drafts/{draft.id}/resolve",
                        data=form_of(conflict, "ed-conflict-form"))
    assert again.status_code == 409
    assert step_of(stored(draft.id), "cijfer")["question"]["nl"] == "Hun vraag"


def test_a_conflict_form_that_was_tampered_with_is_refused(author: FlaskClient,
                                                          draft: ModuleDraft) -> None:
    form = {"csrf_token": page_form(author, _lesson(draft))["csrf_token"],
            "edits": ["[{\"key\": 5}]"], "page": ["overview"]}
    assert author.post(f"/author/drafts/{draft.id}/resolve", data=form).status_code == 400
    assert stored(draft.id).revision == 1


def test_renaming_a_step_renames_the_conditions_that_test_it(author: FlaskClient,
                                                            draft: ModuleDraft) -> None:
    form = page_form(author, _lesson(draft))
    prefix = prefix_of(form, "step:hulp")
    form[f"{prefix}.id"] = ["wil-je-hulp"]
    response = post(author, _save(draft), form, as_json=True)
    assert response.status_code == 200
    assert response.get_json()["parts"][prefix]["key"] == "step:wil-je-hulp"
    saved = stored(draft.id)
    assert step_of(saved, "tip")["show_if"] == {"step": "wil-je-hulp", "equals": "ja"}
    assert authoring.check_content(saved.content, None) == []


def test_an_id_used_twice_is_refused_with_the_typed_text_kept(author: FlaskClient,
                                                             draft: ModuleDraft) -> None:
    form = page_form(author, _lesson(draft))
    prefix = prefix_of(form, "step:hulp")
    form[f"{prefix}.id"] = ["cijfer"]
    form[f"{prefix}.question.nl"] = ["Iets wat ik net typte"]
    response = post(author, _save(draft), form, op="save")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "cijfer" in page
    assert "Iets wat ik net typte" in page
    assert stored(draft.id).revision == 1
    as_json = post(author, _save(draft), form, as_json=True)
    assert as_json.status_code == 422
    assert "cijfer" in as_json.get_json()["message"]


def _focus(response: object) -> str:
    location = response.headers["Location"]  # type: ignore[attr-defined]
    match = re.search(r"focus=([^&#]+)", location)
    assert match, location
    return match.group(1)


def test_moving_a_step_keeps_the_focus_on_the_moved_step(author: FlaskClient,
                                                        draft: ModuleDraft) -> None:
    form = page_form(author, _lesson(draft))
    down = post(author, _save(draft), form, op=f"step-down:{prefix_of(form, 'step:uitleg')}")
    assert down.status_code == 303
    ids = [s["id"] for s in stored(draft.id).content["lessons"]["begin"]["steps"]]
    assert ids == ["welkom", "cijfer", "uitleg", "hulp", "tip"]
    assert _focus(down) == "ed-s2-down"
    page = author.get(down.headers["Location"]).get_data(as_text=True)
    assert 'data-focus="ed-s2-down"' in page
    form = form_of(page)
    last = post(author, _save(draft), form, op=f"step-down:{prefix_of(form, 'step:hulp')}")
    form = page_form(author, _lesson(draft))
    at_end = post(author, _save(draft), form, op=f"step-down:{prefix_of(form, 'step:hulp')}")
    # The last step has no "down" any more: focus goes to its "up".
    assert _focus(last) == "ed-s4-up"
    assert _focus(at_end) == "ed-s4-up"


def test_a_step_of_any_registered_type_can_be_added(author: FlaskClient,
                                                   draft: ModuleDraft) -> None:
    from ehealth.content.steps import STEP_TYPES

    for step_type in STEP_TYPES:
        form = page_form(author, _lesson(draft, "verder"))
        response = post(author, _save(draft), {**form, "new_step_type": [step_type]},
                        op="step-add")
        assert response.status_code == 303, step_type
        added = stored(draft.id).content["lessons"]["verder"]["steps"][-1]
        assert added["type"] == step_type
    problems = authoring.check_content(stored(draft.id).content, None)
    # Each new step is its type's example, valid as it stands (a summary of earlier answers).
    assert problems == [], problems


def test_duplicating_gives_the_copy_a_fresh_id(author: FlaskClient,
                                              draft: ModuleDraft) -> None:
    form = page_form(author, _lesson(draft))
    response = post(author, _save(draft), form, op=f"step-duplicate:{prefix_of(form, 'step:hulp')}")
    steps = stored(draft.id).content["lessons"]["begin"]["steps"]
    assert [s["id"] for s in steps] == ["welkom", "uitleg", "cijfer", "hulp", "hulp-copy", "tip"]
    assert {k: v for k, v in steps[4].items() if k != "id"} == {
        k: v for k, v in steps[3].items() if k != "id"}
    assert _focus(response) == "ed-s4-heading"


def test_a_removed_step_can_be_put_back(author: FlaskClient, draft: ModuleDraft) -> None:
    form = page_form(author, _lesson(draft))
    removed = post(author, _save(draft), form, op=f"step-remove:{prefix_of(form, 'step:cijfer')}")
    assert removed.status_code == 200
    assert "cijfer" not in [s["id"] for s in stored(draft.id).content["lessons"]["begin"]["steps"]]
    undo = form_of(removed.get_data(as_text=True), "ed-undo-form")
    back = author.post(f"/author/drafts/{draft.id}/restore", data=undo)
    assert back.status_code == 303
    assert stored(draft.id).content["lessons"]["begin"] == draft.content["lessons"]["begin"]
    assert _focus(back) == "ed-s2-heading"


def test_lessons_are_added_moved_renamed_and_removed_with_undo(
        author: FlaskClient, draft: ModuleDraft) -> None:
    overview = f"/author/drafts/{draft.id}"
    form = page_form(author, overview)
    form["new_lesson.nl"], form["new_lesson.en"] = ["Nog een les"], ["One more lesson"]
    added = post(author, _save(draft), form, op="lesson-add")
    assert added.status_code == 303
    content = stored(draft.id).content
    assert content["module"]["lessons"] == ["begin", "verder", "nog-een-les"]
    new = content["lessons"]["nog-een-les"]
    assert new["title"] == {"nl": "Nog een les", "en": "One more lesson"}
    assert [s["type"] for s in new["steps"]] == ["opening"]
    form = page_form(author, overview)
    moved = post(author, _save(draft), form, op="lesson-up:l2")
    assert stored(draft.id).content["module"]["lessons"] == ["begin", "nog-een-les", "verder"]
    assert _focus(moved) == "ed-l1-up"
    form = page_form(author, overview)
    form["l1.title.nl"] = ["Andere naam"]
    post(author, _save(draft), form, op="save")
    assert stored(draft.id).content["lessons"]["nog-een-les"]["title"]["nl"] == "Andere naam"
    form = page_form(author, overview)
    removed = post(author, _save(draft), form, op="lesson-remove:l1")
    assert stored(draft.id).content["module"]["lessons"] == ["begin", "verder"]
    undo = form_of(removed.get_data(as_text=True), "ed-undo-form")
    author.post(f"/author/drafts/{draft.id}/restore", data=undo)
    restored = stored(draft.id).content
    assert restored["module"]["lessons"] == ["begin", "nog-een-les", "verder"]
    assert restored["lessons"]["nog-een-les"]["title"]["nl"] == "Andere naam"


def test_list_buttons_save_what_was_typed_and_change_the_list(author: FlaskClient,
                                                              draft: ModuleDraft) -> None:
    form = page_form(author, _lesson(draft))
    prefix = prefix_of(form, "step:hulp")
    form[f"{prefix}.question.en"] = ["Typed just before"]
    response = post(author, _save(draft), form, op=f"list-add:{prefix}.options")
    assert response.status_code == 303
    hulp = step_of(stored(draft.id), "hulp")
    assert hulp["question"]["en"] == "Typed just before"
    assert hulp["options"][-1] == {"id": "option-3"}
    assert _focus(response) == f"ed-{prefix}-options-2"
    form = page_form(author, _lesson(draft))
    up = post(author, _save(draft), form, op=f"list-up:{prefix}.options.2")
    assert [o["id"] for o in step_of(stored(draft.id), "hulp")["options"]] == [
        "ja", "option-3", "nee"]
    assert _focus(up) == f"ed-{prefix}-options-1-_up"
    form = page_form(author, _lesson(draft))
    top = post(author, _save(draft), form, op=f"list-up:{prefix}.options.1")
    assert _focus(top) == f"ed-{prefix}-options-0-_down"  # first now: its "up" is off
    form = page_form(author, _lesson(draft))
    post(author, _save(draft), form, op=f"list-remove:{prefix}.options.0")
    assert [o["id"] for o in step_of(stored(draft.id), "hulp")["options"]] == ["ja", "nee"]


def test_a_button_for_something_not_on_the_page_is_refused(author: FlaskClient,
                                                           draft: ModuleDraft) -> None:
    form = page_form(author, _lesson(draft))
    assert post(author, _save(draft), form, op="step-remove:s99").status_code == 422
    assert post(author, _save(draft), form, op="list-add:s0.nothing").status_code == 422
    assert post(author, _save(draft), {**form, "new_step_type": ["nope"]},
                op="step-add").status_code == 422
    assert stored(draft.id).revision == 1


def test_an_edit_of_a_step_someone_removed_meanwhile_can_put_it_back(
        author: FlaskClient, second_author: FlaskClient, draft: ModuleDraft) -> None:
    mine, theirs = page_form(author, _lesson(draft)), page_form(second_author, _lesson(draft))
    prefix = prefix_of(mine, "step:uitleg")
    post(second_author, _save(draft), theirs, op=f"step-remove:{prefix}")
    mine[f"{prefix}.body.nl"] = ["Ik werkte hier nog aan"]
    conflict = post(author, _save(draft), mine, op="save")
    assert conflict.status_code == 409
    author.post(f"/author/drafts/{draft.id}/resolve",
                data=_resolve(author, conflict.get_data(as_text=True), "mine"))
    steps = stored(draft.id).content["lessons"]["begin"]["steps"]
    assert steps[1]["id"] == "uitleg"
    assert steps[1]["body"]["nl"] == "Ik werkte hier nog aan"


def test_saving_a_draft_in_review_takes_it_back_to_draft(author: FlaskClient, world: World,
                                                         draft: ModuleDraft) -> None:
    with connected():
        authoring.submit(world.person("author"), draft.id, "Klaar", None)
    page = author.get(_lesson(draft)).get_data(as_text=True)
    assert "waiting for review" in page or "wacht op een beoordeling" in page
    form = form_of(page)
    form[f"{prefix_of(form, 'step:uitleg')}.body.nl"] = ["Toch nog iets"]
    post(author, _save(draft), form, as_json=True)
    assert stored(draft.id).state == "draft"


def test_a_module_detail_edit_keeps_what_the_form_does_not_show(
        author: FlaskClient, draft: ModuleDraft) -> None:
    with connected():
        row = ModuleDraft.get_by_id(draft.id)
        content = copy.deepcopy(row.content)
        content["module"]["$schema"] = "../schema.json"
        row.content = content
        row.save()
    form = page_form(author, f"/author/drafts/{draft.id}")
    form["m.summary.nl"] = ["Anders gezegd."]
    post(author, _save(draft), form, as_json=True)
    module = stored(draft.id).content["module"]
    assert module["$schema"] == "../schema.json"
    assert module["summary"]["nl"] == "Anders gezegd."
    assert module["id"] == "mijn-voorbeeld"
    assert module["version"] == "0.1.0"


def test_the_languages_of_the_module_decide_which_translations_are_required(
        author: FlaskClient, draft: ModuleDraft) -> None:
    form = page_form(author, f"/author/drafts/{draft.id}")
    form["m.languages"] = ["nl"]
    form["m.title.en"] = [""]
    post(author, _save(draft), form, op="save")
    assert stored(draft.id).content["module"]["languages"] == ["nl"]
    page = author.get(_lesson(draft)).get_data(as_text=True)
    # English is shown beside Dutch, marked as not one of the module's languages now.
    assert page.count("not a language of this module") + page.count(
        "geen taal van deze module") > 0
    form = form_of(page)
    prefix = prefix_of(form, "step:welkom")
    form[f"{prefix}.title.nl"] = [""]
    response = post(author, _save(draft), form, op="save")
    shown = author.get(response.headers["Location"]).get_data(as_text=True)
    assert f'id="ed-{prefix}-title-nl-missing"' in shown
    assert f'id="ed-{prefix}-title-en-missing"' not in shown


def test_json_edits_are_posted_as_a_list_of_parts(draft: ModuleDraft) -> None:
    # The conflict form carries the edits as JSON: what it holds is what resolve reads.
    from ehealth.services.draft_editing import PartEdit

    edit = PartEdit("step:uitleg", {"id": "uitleg"}, "abc", frozenset({"id"}), "begin", 1)
    assert PartEdit.from_json(json.loads(json.dumps(edit.as_json()))) == edit
