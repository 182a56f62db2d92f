"""'Mijn krachten': strengths from every module and the client's own, to change and print."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from ehealth.database import connected
from ehealth.models import Answer, Assignment, AssignmentStatus, Strength, User
from ehealth.services.answers import save_answer
from tests.conftest import World, csrf_token, login

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def browser(client: FlaskClient, world: World) -> FlaskClient:
    """Client A (account in Dutch), signed in, reading the pages in English: module content too."""
    client.set_cookie("lang", "en")  # the interface language switch
    login(client, world.client_a)
    return client


def save_strengths(assignment: Assignment, items: list[dict[str, Any]], base: int = 0) -> Answer:
    with connected():
        return save_answer(assignment, "krachten", {"items": items}, base_revision=base)


def stored_items(assignment: Assignment) -> tuple[int, list[dict[str, Any]]]:
    with connected():
        answer = Answer.get((Answer.assignment == assignment) & (Answer.step_id == "krachten"))
    return answer.revision, answer.value["items"]


def group(page: str, kind: str) -> str:
    """The HTML of one group (by kind) on the page."""
    match = re.search(rf'<section[^>]*id="kind-{kind}".*?</section>', page, re.S)
    assert match, f"no group {kind}"
    return match.group(0)


def post(browser: FlaskClient, path: str, **form: str) -> Any:
    return browser.post(path, data={**form, "csrf_token": csrf_token(browser, "/strengths")})


EXAMPLE = [
    {"category": "ik-ben", "suggestion": "humor", "follow_up": "Gisteren aan tafel"},
    {"category": "ik-heb", "text": "Mijn hond Bo"},
]


def test_strengths_from_a_module_answer_appear_grouped_with_module_and_follow_up(
    browser: FlaskClient, world: World
) -> None:
    save_strengths(world.assignment_a, EXAMPLE)
    page = browser.get("/strengths").get_data(as_text=True)
    qualities = group(page, "qualities")
    assert "I am…" in qualities
    assert '<p class="cp-strength__label">funny</p>' in qualities  # the module's own words
    assert "Gisteren aan tafel" in qualities
    assert "When did you last use this?" in qualities
    assert "From the module “One small step”" in qualities
    resources = group(page, "resources")
    assert "I have… / around me" in resources
    assert "Mijn hond Bo" in resources
    assert "funny" not in resources
    for heading in ("I can…", "Pleasant memories", "I want…"):
        assert heading in page


def test_an_empty_page_invites_warmly(browser: FlaskClient) -> None:
    page = browser.get("/strengths").get_data(as_text=True)
    assert "You have not collected any strengths yet." in page
    assert "Add a strength yourself" in page


def test_the_client_adds_changes_and_removes_a_strength_of_their_own(
    browser: FlaskClient, world: World
) -> None:
    response = post(browser, "/strengths", kind="skills", text="Goed luisteren",
                    note="Mijn zus zegt dat vaak")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/strengths#kind-skills")
    page = browser.get("/strengths").get_data(as_text=True)
    assert "Goed luisteren" in group(page, "skills")
    assert "Mijn zus zegt dat vaak" in group(page, "skills")
    assert "Added by you" in group(page, "skills")
    assert "Added to your strengths." in page

    with connected():
        strength = Strength.get(Strength.client == world.client_a)
    response = post(browser, f"/strengths/{strength.id}", kind="qualities", text="Geduldig",
                    note="")
    assert response.status_code == 303
    page = browser.get("/strengths").get_data(as_text=True)
    assert "Geduldig" in group(page, "qualities")
    assert "Goed luisteren" not in page

    response = post(browser, f"/strengths/{strength.id}/remove", kind="qualities")
    assert response.status_code == 303
    with connected():
        assert not Strength.select().where(Strength.client == world.client_a).exists()
    assert "Geduldig" not in browser.get("/strengths").get_data(as_text=True)


def test_a_strength_without_words_is_shown_again_with_the_note_kept(
    browser: FlaskClient, world: World
) -> None:
    response = post(browser, "/strengths", kind="memories", text="  ", note="Zomer 2019")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Write a few words" in page
    assert "Zomer 2019" in page
    assert re.search(r'<option value="memories" selected>', page)
    with connected():
        assert not Strength.select().exists()


def test_an_unknown_kind_is_refused(browser: FlaskClient) -> None:
    response = post(browser, "/strengths", kind="weaknesses", text="Iets")
    assert response.status_code == 422
    assert "Choose which kind of strength this is." in response.get_data(as_text=True)


def test_changing_a_module_strength_saves_a_new_revision_of_the_answer(
    browser: FlaskClient, world: World
) -> None:
    answer = save_strengths(world.assignment_a, EXAMPLE)
    response = post(browser, f"/strengths/modules/{world.assignment_a.id}/krachten/0",
                    revision=str(answer.revision), follow_up="Vanochtend nog", kind="qualities")
    assert response.status_code == 303
    response = post(browser, f"/strengths/modules/{world.assignment_a.id}/krachten/1",
                    revision=str(answer.revision + 1), text="Mijn hond Bo en mijn kat",
                    follow_up="", kind="resources")
    assert response.status_code == 303
    revision, items = stored_items(world.assignment_a)
    assert revision == answer.revision + 2
    assert items == [
        {"category": "ik-ben", "suggestion": "humor", "follow_up": "Vanochtend nog"},
        {"category": "ik-heb", "text": "Mijn hond Bo en mijn kat"},
    ]
    page = browser.get("/strengths").get_data(as_text=True)
    assert "Vanochtend nog" in page
    assert "Mijn hond Bo en mijn kat" in page


def test_the_label_of_a_picked_suggestion_stays_the_modules(
    browser: FlaskClient, world: World
) -> None:
    answer = save_strengths(world.assignment_a, EXAMPLE)
    response = post(browser, f"/strengths/modules/{world.assignment_a.id}/krachten/0",
                    revision=str(answer.revision), text="iets anders", follow_up="Ja")
    assert response.status_code == 303
    _, items = stored_items(world.assignment_a)
    assert items[0] == {"category": "ik-ben", "suggestion": "humor", "follow_up": "Ja"}


def test_removing_a_module_strength_saves_a_new_revision_without_it(
    browser: FlaskClient, world: World
) -> None:
    answer = save_strengths(world.assignment_a, EXAMPLE)
    response = post(browser, f"/strengths/modules/{world.assignment_a.id}/krachten/0/remove",
                    revision=str(answer.revision), kind="qualities")
    assert response.status_code == 303
    revision, items = stored_items(world.assignment_a)
    assert revision == answer.revision + 1
    assert items == [{"category": "ik-heb", "text": "Mijn hond Bo"}]
    assert "grappig" not in browser.get("/strengths").get_data(as_text=True)


def test_a_change_based_on_an_old_revision_is_refused_and_the_words_are_kept(
    browser: FlaskClient, world: World
) -> None:
    first = save_strengths(world.assignment_a, EXAMPLE)
    # Meanwhile, in the module: a follow-up is added to the dog.
    save_strengths(world.assignment_a, [EXAMPLE[0], {**EXAMPLE[1], "follow_up": "Elke dag"}],
                   base=first.revision)
    response = post(browser, f"/strengths/modules/{world.assignment_a.id}/krachten/1",
                    revision=str(first.revision), text="Mijn lieve hond Bo", follow_up="",
                    kind="resources", category="ik-heb")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "changed somewhere else" in page
    assert 'value="Mijn lieve hond Bo"' in page  # the client's words, still in the form
    assert f'name="revision" value="{first.revision + 1}"' in page  # to try again
    revision, items = stored_items(world.assignment_a)
    assert revision == first.revision + 1
    assert items[1] == {"category": "ik-heb", "text": "Mijn hond Bo", "follow_up": "Elke dag"}


def test_words_for_a_strength_that_vanished_elsewhere_are_offered_as_an_own_strength(
    browser: FlaskClient, world: World
) -> None:
    first = save_strengths(world.assignment_a, EXAMPLE)
    save_strengths(world.assignment_a, [EXAMPLE[1]], base=first.revision)
    response = post(browser, f"/strengths/modules/{world.assignment_a.id}/krachten/0",
                    revision=str(first.revision), follow_up="Bij mijn oma", kind="qualities",
                    category="ik-ben", suggestion="humor", label="grappig")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    add_form = page[page.index('id="add"'):]
    assert 'value="grappig"' in add_form
    assert "Bij mijn oma" in add_form
    assert '<option value="qualities" selected>' in add_form


def test_a_stale_removal_is_refused(browser: FlaskClient, world: World) -> None:
    first = save_strengths(world.assignment_a, EXAMPLE)
    save_strengths(world.assignment_a, EXAMPLE[:1], base=first.revision)
    response = post(browser, f"/strengths/modules/{world.assignment_a.id}/krachten/0/remove",
                    revision=str(first.revision))
    assert response.status_code == 409
    assert stored_items(world.assignment_a)[1] == EXAMPLE[:1]


def test_strengths_in_a_withdrawn_module_stay_visible_but_cannot_change(
    browser: FlaskClient, world: World
) -> None:
    answer = save_strengths(world.assignment_a, EXAMPLE)
    with connected():
        Assignment.update(status=AssignmentStatus.WITHDRAWN).where(
            Assignment.id == world.assignment_a.id).execute()
    page = browser.get("/strengths").get_data(as_text=True)
    assert "funny" in page
    assert "This module is closed for now" in page
    assert f"/strengths/modules/{world.assignment_a.id}/" not in page
    response = post(browser, f"/strengths/modules/{world.assignment_a.id}/krachten/0/remove",
                    revision=str(answer.revision))
    assert response.status_code == 409
    assert stored_items(world.assignment_a)[0] == answer.revision


def test_another_clients_strengths_never_show_and_cannot_be_changed(
    app: Flask, browser: FlaskClient, world: World
) -> None:
    client_b = world.people["client_b"]
    assert client_b is not None
    other = save_strengths(world.assignment_b, [{"category": "ik-heb", "text": "Tuin van B"}])
    with connected():
        theirs = Strength.create(client=client_b, kind="skills", text="Fietsen van B")
    page = browser.get("/strengths").get_data(as_text=True)
    assert "Tuin van B" not in page
    assert "Fietsen van B" not in page
    base = f"/strengths/modules/{world.assignment_b.id}/krachten/0"
    attempts = [
        (base, {"revision": str(other.revision), "text": "weg", "follow_up": ""}),
        (base + "/remove", {"revision": str(other.revision)}),
        (f"/strengths/{theirs.id}", {"kind": "skills", "text": "weg"}),
        (f"/strengths/{theirs.id}/remove", {}),
    ]
    for path, form in attempts:
        assert post(browser, path, **form).status_code == 404, path
    assert stored_items(world.assignment_b) == (other.revision,
                                                [{"category": "ik-heb", "text": "Tuin van B"}])
    with connected():
        assert Strength.get_by_id(theirs.id).text == "Fietsen van B"


@pytest.mark.parametrize("role", ["own_therapist", "author", "admin", "other_admin"])
def test_only_clients_have_a_strengths_page(app: Flask, world: World, role: str) -> None:
    staff = app.test_client()
    staff.environ_base["HTTP_REFERER"] = "https://localhost/"
    user = world.people[role]
    assert isinstance(user, User)
    login(staff, user)
    assert staff.get("/strengths").status_code == 403


def test_visitors_are_sent_to_log_in(client: FlaskClient) -> None:
    response = client.get("/strengths")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_page_is_not_cached_and_has_no_inline_script_or_style(
    browser: FlaskClient, world: World
) -> None:
    save_strengths(world.assignment_a, EXAMPLE)
    response = browser.get("/strengths")
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "<script" not in page
    assert " style=" not in page
    assert not re.search(r"\son[a-z]+=", page)
    assert page.count('name="csrf_token"') == page.count("<form")


def test_every_field_has_a_label(browser: FlaskClient, world: World) -> None:
    save_strengths(world.assignment_a, EXAMPLE)
    post(browser, "/strengths", kind="skills", text="Koken")
    page = browser.get("/strengths").get_data(as_text=True)
    fields = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*id="([^"]+)"',
                        page)
    assert fields
    for field_id in fields:
        assert f'for="{field_id}"' in page, field_id


def test_the_printed_card_carries_the_clients_name_and_a_print_hint(
    browser: FlaskClient, world: World
) -> None:
    save_strengths(world.assignment_a, EXAMPLE)
    page = browser.get("/strengths").get_data(as_text=True)
    assert re.search(r'class="cp-print-only cp-print-meta">a · ', page)
    assert "Save as PDF" in page
    with browser.get("/static/css/client-pages.css") as response:
        assert response.status_code == 200
        assert "@media print" in response.get_data(as_text=True)


def _messages(paths: list[Path]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        method = "jinja2.ext.babel_extract" if path.suffix == ".html" else "python"
        for message in extract_from_file(method, str(path),
                                         keywords={"_": None, "gettext": None,
                                                   "lazy_gettext": None,
                                                   "ngettext": (1, 2)}):
            text = message[1]
            found.add(text[0] if isinstance(text, tuple) else text)
    return found


def test_every_text_on_the_client_pages_has_a_dutch_translation() -> None:
    package = ROOT / "ehealth"
    paths = [package / "client" / "strengths_routes.py", package / "client" / "goals_routes.py",
             *sorted((package / "templates" / "client").glob("strengths*.html")),
             *sorted((package / "templates" / "client").glob("goals*.html"))]
    pending_file = package / "translations" / "pending" / "client-pages.json"
    pending = json.loads(pending_file.read_text("utf-8")) if pending_file.exists() else {}
    with (package / "translations" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {str(m.id if isinstance(m.id, str) else m.id[0])
                  for m in catalog if m.id and m.string}
    missing = sorted(m for m in _messages(paths) if m not in pending and m not in translated)
    assert not missing, f"no Dutch yet for: {missing}"
    assert all(isinstance(v, str | list) and v for v in pending.values())
