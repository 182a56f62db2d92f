"""The reviewer's diff: lessons by id, steps by id, fields by JSON path, texts per language."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ehealth.content.diff import (
    ADDED,
    CHANGED,
    MAX_DIFF_TOKENS,
    REMOVED,
    REORDERED,
    UNCHANGED,
    ModuleDiff,
    StepDiff,
    diff_modules,
    inline_diff,
)
from tests.content.module_content import changed, lesson_steps, sample_content, step


def only_step(diff: ModuleDiff, step_id: str) -> StepDiff:
    """The one entry of ``step_id`` in the diff."""
    found = [s for s in diff.steps() if s.step_id == step_id]
    assert len(found) == 1, found
    return found[0]


def touched(diff: ModuleDiff) -> dict[str, tuple[str, bool]]:
    """step id -> (status, moved) for every step something happened to."""
    return {s.step_id: (s.status, s.moved) for s in diff.steps() if s.touched}


# -- nothing, and everything ---------------------------------------------------------------------


def test_the_same_content_has_no_changes() -> None:
    content = sample_content()
    diff = diff_modules(content, changed(content))
    assert not diff.changed
    assert diff.details == ()
    assert all(s.status == UNCHANGED and not s.moved for s in diff.steps())
    assert [lesson.status for lesson in diff.lessons] == [UNCHANGED, UNCHANGED]


def test_key_order_and_the_schema_hint_are_not_changes() -> None:
    content = sample_content()
    new = changed(content)
    new["module"] = dict(reversed(list(new["module"].items())))
    new["lessons"]["begin"]["$schema"] = "../../../docs/schema/lesson.schema.json"
    assert not diff_modules(content, new).changed


def test_a_new_module_is_all_added() -> None:
    diff = diff_modules(None, sample_content())
    assert diff.new_module
    assert diff.old_version is None
    assert diff.new_version == "1.2.3"
    assert {lesson.status for lesson in diff.lessons} == {ADDED}
    assert {s.status for s in diff.steps()} == {ADDED}
    assert {change.field for change in diff.details} >= {"title", "summary", "cover"}


# -- module details ------------------------------------------------------------------------------


def test_module_details_change_per_field_but_not_the_version_or_lesson_list() -> None:
    content = sample_content()
    new = changed(content)
    new["module"]["title"]["en"] = "A small trial"
    new["module"]["estimated_minutes"] = 25
    new["module"]["version"] = "1.2.4"
    diff = diff_modules(content, new)
    assert [(c.path, c.kind, c.wording) for c in diff.details] == [
        ("title", CHANGED, True), ("estimated_minutes", CHANGED, False)]
    assert (diff.old_version, diff.new_version) == ("1.2.3", "1.2.4")
    title = diff.details[0]
    assert [(t.language, t.old, t.new) for t in title.texts] == [("en", "A trial",
                                                                  "A small trial")]


def test_a_new_cover_image_is_a_wording_change() -> None:
    content = sample_content()
    new = changed(content)
    new["module"]["cover"]["src"] = "proef/nieuw.svg"
    [change] = diff_modules(content, new).details
    assert (change.path, change.old, change.new, change.wording) == (
        "cover.src", "proef/cover.svg", "proef/nieuw.svg", True)


# -- texts ---------------------------------------------------------------------------------------


def test_a_changed_translation_shows_only_that_language_side_by_side() -> None:
    content = sample_content()
    new = changed(content)
    step(new, "sample-opening")["body"]["en"] = "So good that you are here"
    diff = diff_modules(content, new)
    entry = only_step(diff, "sample-opening")
    assert entry.status == CHANGED
    [change] = entry.changes
    assert change.path == "body"
    assert change.wording
    [text] = change.texts
    assert (text.language, text.kind, text.old, text.new) == (
        "en", CHANGED, "Fijn dat je er bent (example)", "So good that you are here")


def test_texts_inside_lists_are_compared_per_item_by_id() -> None:
    content = sample_content()
    new = changed(content)
    step(new, "sample-choice")["options"][1]["label"]["nl"] = "Nee, dank je"
    [change] = only_step(diff_modules(content, new), "sample-choice").changes
    assert change.path == "options[1].label"
    assert [(t.language, t.new) for t in change.texts] == [("nl", "Nee, dank je")]


def test_a_hint_added_is_a_text_added_in_every_language() -> None:
    content = sample_content()
    new = changed(content)
    step(new, "sample-reflection")["questions"][0].pop("hint")
    [change] = only_step(diff_modules(new, content), "sample-reflection").changes
    assert (change.path, change.kind, change.wording) == ("questions[0].hint", ADDED, True)
    assert [(t.language, t.kind, t.old) for t in change.texts] == [("nl", ADDED, None),
                                                                   ("en", ADDED, None)]


def test_a_list_without_ids_is_compared_item_by_item() -> None:
    content = sample_content()
    new = changed(content)
    step(new, "sample-questionnaire")["scale"][2]["label"]["en"] = "in between"
    [change] = only_step(diff_modules(content, new), "sample-questionnaire").changes
    assert change.path == "scale[2].label"
    assert change.wording
    assert change.texts[0].new == "in between"


def test_a_plain_string_in_a_single_language_module_is_a_text_in_that_language() -> None:
    content = sample_content()
    content["module"]["languages"] = ["nl"]
    step(content, "sample-text")["body"] = "Uitleg"
    new = changed(content)
    step(new, "sample-text")["body"] = "Meer uitleg"
    [change] = only_step(diff_modules(content, new), "sample-text").changes
    assert [(t.language, t.old, t.new) for t in change.texts] == [("nl", "Uitleg",
                                                                   "Meer uitleg")]


def test_a_second_language_shows_as_translations_added() -> None:
    old = sample_content()
    old["module"]["languages"] = ["nl"]
    step(old, "sample-text")["body"] = "Uitleg"
    new = changed(old)
    new["module"]["languages"] = ["nl", "en"]
    step(new, "sample-text")["body"] = {"nl": "Uitleg", "en": "Explanation"}
    diff = diff_modules(old, new)
    assert diff.languages == ("nl", "en")
    [change] = only_step(diff, "sample-text").changes
    assert [(t.language, t.kind, t.new) for t in change.texts] == [("en", ADDED, "Explanation")]
    assert [(c.path, c.kind) for c in diff.details] == [("languages[1]", ADDED)]


# -- steps ---------------------------------------------------------------------------------------


def test_an_added_step_stands_where_it_was_added() -> None:
    content = sample_content()
    new = changed(content)
    lesson_steps(new, "begin").insert(1, {"id": "nieuw", "type": "text",
                                          "body": {"nl": "Nieuw", "en": "New"}})
    diff = diff_modules(content, new)
    assert touched(diff) == {"nieuw": (ADDED, False)}
    begin = diff.lessons[0]
    assert [s.step_id for s in begin.steps][:3] == ["sample-opening", "nieuw", "sample-text"]
    assert only_step(diff, "nieuw").new["body"]["en"] == "New"


def test_a_removed_step_stays_in_view_after_the_step_it_followed() -> None:
    content = sample_content()
    new = changed(content)
    del lesson_steps(new, "begin")[2]  # sample-strengths
    diff = diff_modules(content, new)
    assert touched(diff) == {"sample-strengths": (REMOVED, False)}
    begin = diff.lessons[0]
    assert [s.step_id for s in begin.steps][:4] == ["sample-opening", "sample-text",
                                                    "sample-strengths", "sample-reflection"]
    removed = only_step(diff, "sample-strengths")
    assert (removed.lesson_id, removed.old_index, removed.index, removed.type) == (
        "begin", 2, None, "strengths")


def test_a_removed_first_step_comes_first() -> None:
    content = sample_content()
    new = changed(content)
    del lesson_steps(new, "begin")[0]
    assert diff_modules(content, new).lessons[0].steps[0].step_id == "sample-opening"


def test_a_step_moved_to_another_lesson_is_the_same_step() -> None:
    content = sample_content()
    new = changed(content)
    moved = lesson_steps(new, "begin").pop(4)  # sample-scale
    moved["question"]["en"] = "How are things?"
    lesson_steps(new, "verder").insert(0, moved)
    diff = diff_modules(content, new)
    assert touched(diff) == {"sample-scale": (CHANGED, True)}
    entry = only_step(diff, "sample-scale")
    assert (entry.old_lesson_id, entry.old_index, entry.lesson_id, entry.index) == (
        "begin", 4, "verder", 0)
    assert [c.path for c in entry.changes] == ["question"]


def test_swapping_two_steps_marks_one_as_moved_not_every_step_after_it() -> None:
    content = sample_content()
    new = changed(content)
    steps = lesson_steps(new, "begin")
    steps.append(steps.pop(1))  # sample-text to the end of the lesson
    assert touched(diff_modules(content, new)) == {"sample-text": (UNCHANGED, True)}


def test_a_changed_step_type_is_a_field_change() -> None:
    content = sample_content()
    new = changed(content)
    step(new, "sample-text")["type"] = "opening"
    step(new, "sample-text")["title"] = {"nl": "Titel", "en": "Title"}
    entry = only_step(diff_modules(content, new), "sample-text")
    assert entry.type_changed
    assert (entry.old_type, entry.type) == ("text", "opening")
    assert [(c.path, c.kind) for c in entry.changes] == [("type", CHANGED), ("title", ADDED)]


def test_options_matched_by_id_show_added_removed_and_reordered() -> None:
    content = sample_content()
    new = changed(content)
    options = step(new, "sample-choice")["options"]
    options.reverse()
    options.append({"id": "misschien", "label": {"nl": "Misschien", "en": "Maybe"}})
    entry = only_step(diff_modules(content, new), "sample-choice")
    assert [(c.path, c.kind, c.wording) for c in entry.changes] == [
        ("options[2]", ADDED, False), ("options", REORDERED, False)]
    assert entry.changes[1].old == ["ja", "nee"]
    assert entry.changes[1].new == ["nee", "ja"]
    del options[0]
    entry = only_step(diff_modules(content, new), "sample-choice")
    assert ("options[1]", REMOVED) in [(c.path, c.kind) for c in entry.changes]


def test_a_show_if_added_is_not_wording() -> None:
    content = sample_content()
    new = changed(content)
    step(new, "sample-experience")["show_if"] = {"step": "sample-choice", "equals": "ja"}
    [change] = only_step(diff_modules(content, new), "sample-experience").changes
    assert (change.path, change.kind, change.wording) == ("show_if", ADDED, False)


# -- lessons -------------------------------------------------------------------------------------


def test_lessons_added_removed_moved_and_renamed() -> None:
    content = sample_content()
    new = changed(content)
    new["lessons"]["derde"] = {"id": "derde", "title": {"nl": "Drie", "en": "Three"},
                               "steps": [{"id": "extra", "type": "text",
                                          "body": {"nl": "x", "en": "x"}}]}
    new["module"]["lessons"] = ["derde", "verder", "begin"]
    new["lessons"]["verder"]["title"]["en"] = "Further on"
    diff = diff_modules(content, new)
    assert [(lesson.lesson_id, lesson.status, lesson.renamed) for lesson in diff.lessons] == [
        ("derde", ADDED, False), ("verder", CHANGED, True), ("begin", UNCHANGED, False)]
    # Two lessons swapped: one of them moved (which one is a matter of reading).
    assert [lesson.moved for lesson in diff.lessons[1:]].count(True) == 1
    assert [c.path for c in diff.lessons[1].changes] == ["title"]
    removed = changed(content)
    removed["module"]["lessons"] = ["verder"]
    del removed["lessons"]["begin"]
    diff = diff_modules(content, removed)
    assert [(lesson.lesson_id, lesson.status) for lesson in diff.lessons] == [
        ("begin", REMOVED), ("verder", UNCHANGED)]
    assert {s.status for s in diff.lessons[0].steps} == {REMOVED}


def test_a_removed_lesson_lists_only_the_steps_that_left_the_module() -> None:
    content = sample_content()
    new = changed(content)
    kept = lesson_steps(new, "begin")[0]
    new["module"]["lessons"] = ["verder"]
    del new["lessons"]["begin"]
    lesson_steps(new, "verder").insert(0, kept)
    diff = diff_modules(content, new)
    begin = next(lesson for lesson in diff.lessons if lesson.lesson_id == "begin")
    assert "sample-opening" not in [s.step_id for s in begin.steps]
    assert only_step(diff, "sample-opening").moved


# -- words ---------------------------------------------------------------------------------------


def test_inline_diff_groups_neighbouring_changed_words() -> None:
    assert inline_diff("the big dog sat", "the small cat sat") == [
        ("equal", "the "), ("removed", "big dog"), ("added", "small cat"), ("equal", " sat")]


def test_inline_diff_of_added_and_removed_text() -> None:
    assert inline_diff("", "Nieuw") == [("added", "Nieuw")]
    assert inline_diff("Oud", "") == [("removed", "Oud")]
    assert inline_diff("Zelfde", "Zelfde") == [("equal", "Zelfde")]


def test_inline_diff_returns_text_not_markup() -> None:
    segments = inline_diff("Hallo", "Hallo <script>alert(1)</script>")
    assert "".join(text for kind, text in segments if kind != "removed") == (
        "Hallo <script>alert(1)</script>")
    assert all(isinstance(text, str) for _, text in segments)


def test_inline_diff_of_very_long_texts_shows_both_whole() -> None:
    old = "woord " * MAX_DIFF_TOKENS
    assert inline_diff(old, "kort") == [("removed", old), ("added", "kort")]


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text())
def test_inline_diff_rebuilds_both_texts(old: str, new: str) -> None:
    segments = inline_diff(old, new)
    assert "".join(t for kind, t in segments if kind in ("equal", "removed")) == old
    assert "".join(t for kind, t in segments if kind in ("equal", "added")) == new
    assert all(text for _, text in segments)


# -- drafts with problems ------------------------------------------------------------------------


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["id", "type", "title", "steps", "lessons", "module",
                                       "nl", "en", "options", "body", "languages"]),
                      inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(JSON, JSON)
def test_any_json_at_all_is_compared_without_raising(old: Any, new: Any) -> None:
    diff = diff_modules(old, new)
    json.dumps([c.path for c in diff.details])


def test_a_broken_draft_is_compared_without_raising() -> None:
    content = sample_content()
    draft = changed(content)
    draft["module"]["lessons"] = ["begin", "verder", "ontbreekt", 7, "begin"]
    steps = lesson_steps(draft, "begin")
    steps[0] = "not a step"
    steps[1]["id"] = 5
    steps.append({"type": "no-such-type", "title": {"nl": "a", "en": "b"}})
    steps.append({"id": "sample-choice", "type": "choice"})  # a duplicate id
    draft["lessons"]["verder"]["steps"] = {"not": "a list"}
    draft["lessons"]["los"] = ["not", "a", "lesson"]
    diff = diff_modules(content, draft)
    assert [lesson.lesson_id for lesson in diff.lessons] == ["begin", "verder", "ontbreekt",
                                                             "los"]
    assert only_step(diff, "sample-opening").status == REMOVED
    assert only_step(diff, "begin#0").status == ADDED
    assert only_step(diff, "begin#7").new["type"] == "choice"
    unknown = only_step(diff, "begin#6")
    assert unknown.status == ADDED
    assert unknown.type == "no-such-type"


def test_a_text_of_an_unknown_step_type_is_still_shown_per_language() -> None:
    old = sample_content()
    lesson_steps(old, "begin").append({"id": "vreemd", "type": "nieuw-type",
                                       "tekst": {"nl": "Een", "en": "One"}})
    new = changed(old)
    step(new, "vreemd")["tekst"]["en"] = "Uno"
    [change] = only_step(diff_modules(old, new), "vreemd").changes
    assert [(t.language, t.old, t.new) for t in change.texts] == [("en", "One", "Uno")]
