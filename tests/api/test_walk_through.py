"""A client works through the voorbeeld module using only the API, as the player's script does."""

from __future__ import annotations

from typing import Any

from ehealth.database import connected
from ehealth.models import Assignment, User
from tests.api.helpers import API, VALID_ANSWERS, ApiClient
from tests.conftest import World

ALL_STEPS = ["welkom", "uitleg", "cijfer", "hulp", "tip", "krachten", "tevredenheid",
             "terugblik", "doel", "samenvatting"]


def _steps(detail: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["id"]: step for lesson in detail["module"]["lessons"] for step in lesson["steps"]}


def test_a_client_walks_the_module_to_the_end_through_the_api(api: ApiClient) -> None:
    detail = api.get(api.url()).get_json()
    assert detail["status"] == "assigned"
    assert detail["resume"]["step_id"] == "welkom"
    assert "tip" not in detail["progress"]["visible_step_ids"]

    answered: list[str] = []
    index = 0
    while index < len(visible := api.progress()["visible_step_ids"]):
        step = _steps(detail)[visible[index]]
        if step["id"] in VALID_ANSWERS:
            response = api.put_answer(step["id"], VALID_ANSWERS[step["id"]])
            assert response.status_code == 200, response.get_json()
            assert response.get_json()["revision"] == 1
            answered.append(step["id"])
        index += 1

    assert answered == ["cijfer", "hulp", "krachten", "tevredenheid", "terugblik", "doel"]
    progress = api.progress()
    assert progress["visible_step_ids"] == ALL_STEPS  # "ja" on "hulp" showed the tip
    assert progress["total"] == len(ALL_STEPS)
    listed = api.get(api.url("/answers")).get_json()["answers"]
    assert [a["step_id"] for a in listed] == answered
    assert listed[0]["value"] == VALID_ANSWERS["cijfer"]
    finished = api.get(api.url()).get_json()
    assert finished["status"] == "active"
    assert finished["started_at"] is not None
    assert finished["last_step_id"] == "doel"
    assert finished["resume"]["step_id"] == "doel"
    assert _steps(finished)["tip"]["visible"] is True


def test_the_tip_shows_only_after_choosing_ja(api: ApiClient) -> None:
    assert "tip" not in api.progress()["visible_step_ids"]
    assert api.put_answer("hulp", {"selected": ["nee"]}).status_code == 200
    assert "tip" not in api.progress()["visible_step_ids"]
    assert api.put_answer("hulp", {"selected": ["ja"]}, revision=1).status_code == 200
    visible = api.progress()["visible_step_ids"]
    assert visible.index("tip") == visible.index("hulp") + 1


def test_progress_counts_done_steps_among_the_visible_ones(api: ApiClient, world: World) -> None:
    with connected():
        Assignment.update(done_steps=["welkom", "uitleg", "tip"]).where(
            Assignment.id == world.assignment_a.id).execute()
    progress = api.progress()
    assert progress["done_step_ids"] == ["welkom", "uitleg"]  # the tip is hidden
    assert (progress["done"], progress["total"], progress["percent"]) == (2, 9, 22)
    listed = api.get(f"{API}/assignments").get_json()["assignments"]
    assert listed[0]["progress"] == {"done": 2, "total": 9, "percent": 22}


def test_assignments_list_only_the_clients_own(api: ApiClient, world: World) -> None:
    listed = api.get(f"{API}/assignments").get_json()["assignments"]
    assert [a["id"] for a in listed] == [world.assignment_a.id]
    assert listed[0]["module"] == {"id": "voorbeeld", "version": "1.0.0",
                                   "title": "Een kleine stap", "language": "nl"}
    assert listed[0]["assigned_at"].endswith("+00:00")


def test_content_comes_in_the_clients_language_with_markdown_as_html(
    api: ApiClient, world: World
) -> None:
    with connected():
        User.update(language="en").where(User.id == world.client_a.id).execute()
    detail = api.get(api.url()).get_json()
    module = detail["module"]
    assert (module["language"], module["title"]) == ("en", "One small step")
    steps = _steps(detail)
    welcome = steps["welkom"]
    assert welcome["title"] == "Good to have you here"
    assert "body" not in welcome
    assert "<strong>in small steps</strong>" in welcome["body_html"]
    assert steps["tip"]["tip_html"].startswith("<p>What helped me")
    assert steps["hulp"]["options"][0] == {"id": "ja", "label": "Yes, please"}
    assert welcome["illustration"]["src_url"] == "/media/voorbeeld/cover.svg"
    assert module["cover"]["alt"] == "Someone takes a step on a sunny path."

    def no_translation_maps(value: Any) -> None:
        if isinstance(value, dict):
            assert not {"nl", "en"} & set(value), value
            for item in value.values():
                no_translation_maps(item)
        elif isinstance(value, list):
            for item in value:
                no_translation_maps(item)

    no_translation_maps(detail)


def test_a_language_the_module_lacks_falls_back_to_its_first(api: ApiClient,
                                                            world: World) -> None:
    with connected():
        User.update(language="de").where(User.id == world.client_a.id).execute()
    assert api.get(api.url()).get_json()["module"]["language"] == "nl"
