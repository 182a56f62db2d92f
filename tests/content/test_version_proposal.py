"""The version number proposed from a diff: patch for wording, minor for more, major when
answers given before may not fit; and what an author may choose instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ehealth.content.diff import (
    MAJOR,
    MINOR,
    NONE,
    PATCH,
    VersionProposal,
    bump,
    diff_modules,
    is_higher,
    propose_version,
    version_problem,
)
from ehealth.content.steps import STEP_TYPES
from ehealth.content.steps.base import item_ids
from tests.content.module_content import changed, lesson_steps, sample_content, step

Change = Callable[[dict[str, Any]], Any]


def proposal(change: Change, version: str = "1.2.3") -> VersionProposal:
    """The proposal after applying ``change`` to the sample module at ``version``."""
    old = sample_content(version)
    new = changed(old)
    change(new)
    return propose_version(version, diff_modules(old, new), old, new)


def set_in(step_id: str, **values: Any) -> Change:
    """A change that sets fields of one step."""
    return lambda content: step(content, step_id).update(values)


def loaded(raw: dict[str, Any]) -> dict[str, Any]:
    """A step definition as the loader keeps it."""
    definition: dict[str, Any] = STEP_TYPES[raw["type"]].schema().load(raw)
    return definition


# -- the three levels ----------------------------------------------------------------------------


def test_nothing_changed_proposes_the_same_version() -> None:
    result = proposal(lambda content: None)
    assert (result.version, result.level, result.reasons) == ("1.2.3", NONE, ())


def test_a_new_module_starts_at_1_0_0() -> None:
    content = sample_content()
    result = propose_version(None, diff_modules(None, content), None, content)
    assert (result.version, result.level) == ("1.0.0", MAJOR)


@pytest.mark.parametrize("change", [
    lambda c: step(c, "sample-opening")["body"].update(en="Welcome!"),
    lambda c: step(c, "sample-reflection")["questions"][0]["hint"].update(nl="Iets kleins"),
    lambda c: step(c, "sample-reflection")["questions"][0].pop("hint"),
    lambda c: step(c, "sample-text").update(image={"src": "proef/foto.png",
                                                   "alt": {"nl": "Een foto", "en": "A photo"}}),
    lambda c: step(c, "sample-experience")["speaker"].update(name="Sanne"),
    lambda c: step(c, "sample-questionnaire")["scale"][0]["label"].update(nl="nooit"),
    lambda c: c["lessons"]["verder"]["title"].update(en="Next"),
    lambda c: c["module"]["cover"].update(src="proef/nieuw.svg"),
    lambda c: c["module"].update(estimated_minutes=30),
], ids=["text", "hint", "hint-removed", "image-added", "speaker-name", "scale-label",
        "lesson-title", "cover", "estimated-time"])
def test_wording_and_media_only_is_a_patch(change: Change) -> None:
    result = proposal(change)
    assert (result.version, result.level) == ("1.2.4", PATCH), result.messages


@pytest.mark.parametrize("change", [
    lambda c: lesson_steps(c, "begin").append({"id": "nieuw", "type": "text",
                                               "body": {"nl": "x", "en": "x"}}),
    lambda c: c.update(lessons={**c["lessons"], "extra": {
        "id": "extra", "title": {"nl": "Extra", "en": "Extra"},
        "steps": [{"id": "extra-tekst", "type": "text", "body": {"nl": "x", "en": "x"}}]}},
        module={**c["module"], "lessons": [*c["module"]["lessons"], "extra"]}),
    lambda c: step(c, "sample-choice")["options"].append(
        {"id": "misschien", "label": {"nl": "Misschien", "en": "Maybe"}}),
    lambda c: step(c, "sample-choice")["options"].reverse(),
    set_in("sample-choice", multiple=True),
    set_in("sample-scale", feedback=True),
    set_in("sample-experience", show_if={"step": "sample-choice", "equals": "ja"}),
    set_in("sample-experience", as_quote=False),
    lambda c: step(c, "sample-reflection")["questions"].append(
        {"id": "nog-een", "question": {"nl": "Nog een?", "en": "One more?"}}),
    lambda c: step(c, "sample-scale")["follow_ups"][0].update(min_value=1),
    lambda c: step(c, "sample-scale")["follow_ups"].append(
        {"id": "hoger", "question": {"nl": "Een {next}?", "en": "A {next}?"}}),
    lambda c: step(c, "sample-strengths")["categories"][0]["suggestions"].append(
        {"id": "moedig", "label": {"nl": "moedig", "en": "brave"}}),
    lambda c: step(c, "sample-strengths")["categories"][0].update(kind="skills"),
    set_in("sample-strengths", min_items=1),
    lambda c: step(c, "sample-goal")["suggested_steps"].append(
        {"id": "bellen", "label": {"nl": "Bellen", "en": "Call"}}),
    lambda c: step(c, "sample-summary")["steps"].pop(),
    lambda c: lesson_steps(c, "verder").insert(0, lesson_steps(c, "begin").pop(1)),
    lambda c: c["module"].update(audience=["adults", "youth"]),
], ids=["step-added", "lesson-added", "option-added", "options-reordered", "single-to-multiple",
        "feedback", "show-if", "as-quote", "question-added", "follow-up-bound",
        "follow-up-added", "suggestion-added", "category-kind", "more-items-asked",
        "goal-step-added", "summary-shorter", "step-moved", "audience"])
def test_more_than_wording_that_answers_still_fit_is_a_minor(change: Change) -> None:
    result = proposal(change)
    assert (result.version, result.level) == ("1.3.0", MINOR), result.messages


@pytest.mark.parametrize(("change", "reason"), [
    (lambda c: lesson_steps(c, "begin").pop(1), 'Step "sample-text" removed from lesson "begin"'),
    (lambda c: c["module"].update(lessons=["begin"]) or c["lessons"].pop("verder"),
     'Step "sample-diary" removed'),
    (set_in("sample-text", type="opening", title={"nl": "T", "en": "T"}),
     "changed from a text step to a opening step"),
    (lambda c: step(c, "sample-choice")["options"].__setitem__(
        1, {"id": "misschien", "label": {"nl": "Misschien", "en": "Maybe"}}),
     'options: "nee" removed'),
    (lambda c: step(c, "sample-choice")["options"][1].update(id="neen"), 'options: "nee" removed'),
    (set_in("sample-strengths", allow_own=False), "allow_own switched off"),
    (set_in("sample-reflection", allow_private=False), "allow_private switched off"),
    (lambda c: step(c, "sample-reflection")["questions"][0].update(id="blij"),
     'questions: "trots" removed'),
    (set_in("sample-scale", max=7), "the scale changed from 0-10 to 0-7"),
    (set_in("sample-scale", min=1), "the scale changed from 0-10 to 1-10"),
    (set_in("sample-scale", follow_ups=[]), 'follow_ups: "waarom" removed'),
    (lambda c: step(c, "sample-questionnaire")["items"].append(
        {"id": "nieuw", "text": {"nl": "Nieuw", "en": "New"}}), 'items: "nieuw" added'),
    (lambda c: step(c, "sample-questionnaire")["items"].pop(), 'items: "alleen" removed'),
    (lambda c: step(c, "sample-questionnaire")["scale"].pop(),
     "the answer scale changed from 0, 1, 2, 3, 4 to 0, 1, 2, 3"),
    (lambda c: step(c, "sample-questionnaire")["scale"][4].update(value=5),
     "the answer scale changed"),
    (lambda c: step(c, "sample-questionnaire")["items"][1].update(reverse=False),
     'item "alleen" is scored the other way round'),
    (lambda c: step(c, "sample-questionnaire")["items"][0].pop("subscale"),
     'item "steun" counts in another subscale'),
    (set_in("sample-questionnaire", scoring={"method": "mean"}),
     "scoring changed from sum to mean"),
    (lambda c: step(c, "sample-questionnaire")["subscales"].append(
        {"id": "ander", "label": {"nl": "Ander", "en": "Other"}}), 'subscales: "ander" added'),
    (lambda c: step(c, "sample-strengths")["categories"][0]["suggestions"].pop(),
     'categories "ik-ben" → suggestions: "grappig" removed'),
    (set_in("sample-strengths", max_items=1), "max_items lowered to 1"),
    (lambda c: step(c, "sample-goal")["suggested_steps"].pop(),
     'suggested_steps: "wandelen" removed'),
    (set_in("sample-goal", ask_date=False), "ask_date switched off"),
    (set_in("sample-diary", ask_mood=False), "ask_mood switched off"),
    (lambda c: c["module"].update(languages=["nl"]), 'Language "en" removed'),
], ids=["step-removed", "lesson-removed", "type-changed", "option-removed", "option-renamed",
        "own-strengths-off", "private-off", "question-removed", "scale-max", "scale-min",
        "follow-up-removed", "item-added", "item-removed", "scale-point-removed",
        "scale-value-changed", "item-reversed", "item-subscale", "scoring", "subscale-added",
        "suggestion-removed", "max-items-lowered", "goal-step-removed", "date-off", "mood-off",
        "language-removed"])
def test_a_change_answers_may_not_fit_is_a_major(change: Change, reason: str) -> None:
    result = proposal(change)
    assert (result.version, result.level) == ("2.0.0", MAJOR), result.messages
    assert any(reason in message for message in result.messages), result.messages


@pytest.mark.parametrize(("name", "flag"), [("sample-diary", "allow_private"),
                                            ("sample-strengths", "allow_own"),
                                            ("sample-goal", "ask_date")])
def test_a_switch_turned_on_again_is_a_minor(name: str, flag: str) -> None:
    old = sample_content()
    step(old, name)[flag] = False
    new = changed(old)
    step(new, name)[flag] = True
    result = propose_version("1.2.3", diff_modules(old, new), old, new)
    assert (result.level, result.messages) == (MINOR, [f'Step "{name}": {flag} changed.'])


def test_a_higher_limit_of_items_is_a_minor_and_a_lower_one_a_major() -> None:
    old = sample_content()
    step(old, "sample-strengths")["max_items"] = 5
    for limit, level in ((6, MINOR), (4, MAJOR), (None, MINOR)):
        new = changed(old)
        step(new, "sample-strengths")["max_items"] = limit
        if limit is None:
            del step(new, "sample-strengths")["max_items"]
        assert propose_version("1.2.3", diff_modules(old, new), old, new).level == level, limit


def test_a_single_choice_from_a_multiple_one_is_a_major() -> None:
    old = sample_content()
    step(old, "sample-choice")["multiple"] = True
    new = changed(old)
    step(new, "sample-choice")["multiple"] = False
    result = propose_version("1.2.3", diff_modules(old, new), old, new)
    assert result.level == MAJOR
    assert 'Step "sample-choice": multiple switched off' in result.messages[0]


def test_a_suggestion_moved_to_another_category_is_a_major() -> None:
    old = sample_content()
    step(old, "sample-strengths")["categories"].append(
        {"id": "ik-kan", "kind": "skills", "label": {"nl": "Ik kan", "en": "I can"}})
    new = changed(old)
    categories = step(new, "sample-strengths")["categories"]
    categories[1]["suggestions"] = [categories[0]["suggestions"].pop()]
    result = propose_version("1.2.3", diff_modules(old, new), old, new)
    assert result.level == MAJOR
    assert any('categories "ik-ben" → suggestions: "grappig" removed' in m
               for m in result.messages)


def test_a_language_added_is_a_minor() -> None:
    result = proposal(lambda c: c["module"].update(languages=["nl", "en", "de"]))
    assert result.level == MINOR
    assert 'Language "de" added.' in result.messages


# -- the reasons ---------------------------------------------------------------------------------


def test_the_reasons_come_weightiest_first_and_name_the_step() -> None:
    def several(content: dict[str, Any]) -> None:
        step(content, "sample-opening")["title"]["en"] = "Hello"
        lesson_steps(content, "begin").append({"id": "nieuw", "type": "text",
                                               "body": {"nl": "x", "en": "x"}})
        step(content, "sample-choice")["options"][1]["id"] = "neen"

    result = proposal(several)
    assert [reason.level for reason in result.reasons] == [MAJOR, MINOR, PATCH]
    assert [reason.step_id for reason in result.reasons] == ["sample-choice", "nieuw",
                                                             "sample-opening"]
    assert result.messages == [
        'Step "sample-choice": options: "nee" removed.',
        'Step "nieuw" (text) added to lesson "begin".',
        'Step "sample-opening": wording changed (title).',
    ]
    assert str(result.reasons[0]) == result.messages[0]


def test_a_step_that_does_not_pass_the_check_counts_as_major_unless_only_its_wording_changed(
) -> None:
    old = sample_content()
    broken = changed(old)
    step(broken, "sample-choice")["multiple"] = "ja"  # a draft mid-edit
    wording = changed(broken)
    step(wording, "sample-choice")["options"][0]["label"]["en"] = "Yes!"
    assert propose_version("1.2.3", diff_modules(broken, wording), broken, wording).level == PATCH
    result = propose_version("1.2.3", diff_modules(old, broken), old, broken)
    assert result.level == MAJOR
    assert "does not pass the check yet" in result.messages[0]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["id", "type", "options", "min", "max", "items",
                                       "scale", "question", "nl", "en"]), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(STEP_TYPES)), JSON)
def test_any_draft_step_gets_a_proposal_without_raising(name: str, junk: Any) -> None:
    old = sample_content()
    new = changed(old)
    target = step(new, f"sample-{name}")
    target.clear()
    target.update(junk if isinstance(junk, dict) else {"junk": junk}, id=f"sample-{name}")
    result = propose_version("1.2.3", diff_modules(old, new), old, new)
    assert result.level in (NONE, PATCH, MINOR, MAJOR)


# -- the step types decide -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(STEP_TYPES))
def test_every_type_finds_no_change_between_a_definition_and_itself(name: str) -> None:
    definition = loaded(STEP_TYPES[name].sample_step(["a", "b"]))
    assert STEP_TYPES[name].answer_shape_changes(definition, loaded(
        STEP_TYPES[name].sample_step(["a", "b"]))) == []


@pytest.mark.parametrize("name", [n for n in sorted(STEP_TYPES) if not STEP_TYPES[n].answerable])
def test_a_step_without_an_answer_has_no_answer_to_break(name: str) -> None:
    step_type = STEP_TYPES[name]
    before = loaded(step_type.sample_step(["a", "b"]))
    after = loaded({**step_type.sample_step(["a"]), "id": before["id"]})
    assert step_type.answer_shape_changes(before, after) == []


@pytest.mark.parametrize("name", [n for n in sorted(STEP_TYPES) if STEP_TYPES[n].answerable])
def test_every_narrowing_flag_is_a_boolean_of_its_schema(name: str) -> None:
    step_type = STEP_TYPES[name]
    schema_fields = step_type.schema().fields
    for flag in step_type.narrowing_flags:
        assert type(schema_fields[flag]).__name__ == "StrictBoolean", flag


def test_item_ids_name_the_list_and_the_items_around_it() -> None:
    definition = {"categories": [{"id": "ik-ben", "suggestions": [{"id": "grappig"}]}],
                  "scoring": {"parts": [{"id": "x"}]}, "options": ["not", "items"]}
    assert item_ids(definition) == [("categories", "ik-ben"),
                                    ('categories "ik-ben" → suggestions', "grappig"),
                                    ("scoring → parts", "x")]


# -- the author's choice -------------------------------------------------------------------------


def test_bump_raises_one_level_and_resets_the_lower_parts() -> None:
    assert [bump("1.2.3", level) for level in (NONE, PATCH, MINOR, MAJOR)] == [
        "1.2.3", "1.2.4", "1.3.0", "2.0.0"]
    with pytest.raises(ValueError, match="Not a version"):
        bump("1.2", PATCH)
    with pytest.raises(ValueError, match="Not a level"):
        bump("1.2.3", "huge")


def test_is_higher_compares_numbers_not_text() -> None:
    assert is_higher("1.10.0", "1.9.9")
    assert is_higher("2.0.0", "1.99.99")
    assert not is_higher("1.2.3", "1.2.3")
    assert not is_higher("0.9.0", "1.0.0")
    with pytest.raises(ValueError, match="Not a version"):
        is_higher("1.0", "1.0.0")


def test_the_author_may_raise_the_version_but_not_below_the_proposal() -> None:
    minor = proposal(lambda c: lesson_steps(c, "begin").append(
        {"id": "nieuw", "type": "text", "body": {"nl": "x", "en": "x"}}))
    assert minor.version == "1.3.0"
    assert version_problem("1.3.0", "1.2.3", minor) is None
    assert version_problem("1.3.7", "1.2.3", minor) is None
    assert version_problem("2.0.0", "1.2.3", minor) is None
    problem = version_problem("1.2.4", "1.2.3", minor)
    assert problem is not None
    assert problem.startswith("This is a minor change, so the version must be at least 1.3.0: "
                              'Step "nieuw" (text) added')
    assert version_problem("1.2.3", "1.2.3", minor) == (
        "Version 1.2.3 is not higher than the published version 1.2.3.")
    assert version_problem("1.3", "1.2.3", minor) == (
        'Not a valid version: write MAJOR.MINOR.PATCH, for example "1.0.0".')
    assert version_problem(130, "1.2.3", minor) is not None


def test_the_first_version_may_be_any_version_from_1_0_0() -> None:
    content = sample_content()
    first = propose_version(None, diff_modules(None, content), None, content)
    assert version_problem("1.0.0", None, first) is None
    assert version_problem("3.1.0", None, first) is None
    assert version_problem("0.9.0", None, first) is not None
