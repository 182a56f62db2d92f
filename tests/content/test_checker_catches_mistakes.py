"""The module checker names every mistake an author can make: file, JSON path and message.

Each case breaks a private copy of the example module ``voorbeeld`` in one way and checks that
the checker reports exactly that mistake, where it is. The step ids of the example module:

    lessons/begin.json   steps[0] welkom (opening)   steps[1] uitleg (text)
                         steps[2] cijfer (scale)     steps[3] hulp (choice, options ja/nee)
                         steps[4] tip (experience, show_if hulp equals ja)
    lessons/verder.json  steps[0] krachten (strengths)   steps[1] tevredenheid (questionnaire)
                         steps[2] terugblik (reflection) steps[3] doel (goal)
                         steps[4] samenvatting (summary of cijfer, krachten, doel)
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ehealth.content.loader import load_library
from ehealth.content.steps import STEP_TYPES

if TYPE_CHECKING:
    from click.testing import Result
    from conftest import ModuleCopy

    CheckModules = Callable[..., Result]
    MakeModule = Callable[..., ModuleCopy]
    Change = Callable[[ModuleCopy], None]

BEGIN = "lessons/begin.json"
VERDER = "lessons/verder.json"
MODULE = "module.json"
DELETE = object()
KNOWN_TYPES = ", ".join(STEP_TYPES)  # the checker lists them in the registry's order


def set_in(file: str, *path: str | int, value: Any) -> Change:
    """A change that sets (or, with DELETE, removes) the value at ``path`` in ``file``."""

    def change(module: ModuleCopy) -> None:
        with module.edit(file) as data:
            parent = data
            for key in path[:-1]:
                parent = parent[key]
            if value is DELETE:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value

    return change


def both(*changes: Change) -> Change:
    """Several changes, applied in order."""

    def change(module: ModuleCopy) -> None:
        for each in changes:
            each(module)

    return change


def text(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


def add_media(name: str) -> Change:
    """A change that puts an (empty) media file into the module's media folder."""

    def change(module: ModuleCopy) -> None:
        target = module.media / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"")

    return change


def link_media(name: str, target: str) -> Change:
    """A change that puts a symbolic link in the media folder to a file of the module."""
    return lambda module: (module.media / name).symlink_to(module.file(target))


def write_text(file: str, content: str) -> Change:
    return lambda module: module.write_text(file, content)


def replace_text(file: str, old: str, new: str) -> Change:
    """A change to the file's source text (the module must contain ``old`` verbatim)."""

    def change(module: ModuleCopy) -> None:
        source = module.file(file).read_text(encoding="utf-8")
        assert old in source
        module.write_text(file, source.replace(old, new, 1))

    return change


def remove(file: str) -> Change:
    return lambda module: module.file(file).unlink()


def show_if(file: str, index: int, condition: dict[str, Any]) -> Change:
    return set_in(file, "steps", index, "show_if", value=condition)


def append_step(file: str, step: dict[str, Any]) -> Change:
    def change(module: ModuleCopy) -> None:
        with module.edit(file) as lesson:
            lesson["steps"].append(step)

    return change


@dataclass
class Case:
    """One kind of mistake and the problem it must produce."""

    change: Change
    file: str
    path: str
    message: str
    only: bool = True  # the checker reports nothing else for this mistake


SUMMARY_STEP = {
    "id": "tussenstand",
    "type": "summary",
    "title": text("Tussenstand", "So far"),
    "steps": ["doel"],
    "closing": text("Tot zover.", "So far so good."),
}

CASES: dict[str, Case] = {
    # -- steps and their types -----------------------------------------------------------
    "unknown_step_type": Case(
        set_in(BEGIN, "steps", 1, "type", value="slideshow"),
        BEGIN, "steps[1].type", "Unknown step type 'slideshow'. Known types: opening, text,",
    ),
    "step_without_type": Case(
        set_in(BEGIN, "steps", 1, "type", value=DELETE),
        BEGIN, "steps[1].type", "Missing data for required field.",
    ),
    "step_that_is_not_an_object": Case(
        set_in(BEGIN, "steps", 1, value="uitleg"),
        BEGIN, "steps[1]", 'Not a valid step: expected an object with "id" and "type".',
    ),
    "missing_required_field": Case(
        set_in(BEGIN, "steps", 1, "body", value=DELETE),
        BEGIN, "steps[1].body", "Missing data for required field.",
    ),
    "unknown_field_typo_in_a_step": Case(
        both(set_in(BEGIN, "steps", 1, "title", value=DELETE),
             set_in(BEGIN, "steps", 1, "tittle", value=text("Zo", "So"))),
        BEGIN, "steps[1].tittle", "Unknown field.",
    ),
    "duplicate_step_id_across_lessons": Case(
        set_in(VERDER, "steps", 2, "id", value="cijfer"),
        VERDER, "steps[2].id", 'Duplicate step id "cijfer" (first used in ',
    ),
    "duplicate_step_id_within_one_lesson": Case(
        set_in(BEGIN, "steps", 1, "id", value="welkom"),
        BEGIN, "steps[1].id", 'Duplicate step id "welkom" (first used in ',
    ),
    "invalid_step_id_slug": Case(
        set_in(BEGIN, "steps", 1, "id", value="Zo Werkt!"),
        BEGIN, "steps[1].id", 'Not a valid id "Zo Werkt!": use lower-case letters and digits',
    ),
    "empty_lesson": Case(
        set_in(BEGIN, "steps", value=[]),
        BEGIN, "steps", "A lesson needs at least one step.", only=False,
    ),
    # -- module.json and the lesson files -------------------------------------------------
    "duplicate_lesson_id_in_module_json": Case(
        set_in(MODULE, "lessons", value=["begin", "verder", "begin"]),
        MODULE, "lessons[2]", 'Duplicate entry "begin".',
    ),
    "lesson_listed_but_file_missing": Case(
        set_in(MODULE, "lessons", value=["begin", "verder", "extra"]),
        MODULE, "lessons[2]", "Lesson file lessons/extra.json is missing.",
    ),
    "lesson_file_present_but_not_listed": Case(
        lambda module: module.write("lessons/extra.json", {
            "id": "extra", "title": text("Extra", "Extra"),
            "steps": [{"id": "extra-tekst", "type": "text", "body": text("Tekst", "Text")}],
        }),
        "lessons/extra.json", "$", 'This lesson file is not listed in module.json "lessons": '
        'add "extra" there',
    ),
    "lesson_id_not_matching_its_file_name": Case(
        set_in(BEGIN, "id", value="start"),
        BEGIN, "id", 'Lesson id "start" does not match its file name (expected "begin").',
    ),
    "module_id_not_matching_folder_name": Case(
        set_in(MODULE, "id", value="ander"),
        MODULE, "id", 'Module id "ander" does not match its folder name "voorbeeld".',
    ),
    "module_with_no_lessons": Case(
        set_in(MODULE, "lessons", value=[]),
        MODULE, "lessons", "A module needs at least one lesson.", only=False,
    ),
    "invalid_version_string": Case(
        set_in(MODULE, "version", value="1.0"),
        MODULE, "version", 'Not a valid version: write MAJOR.MINOR.PATCH, for example "1.0.0".',
    ),
    "version_with_leading_zero": Case(
        set_in(MODULE, "version", value="01.0.0"),
        MODULE, "version", "Not a valid version",
    ),
    "invalid_module_id_slug": Case(
        set_in(MODULE, "id", value="Voorbeeld Module"),
        MODULE, "id", 'Not a valid id "Voorbeeld Module"',
    ),
    "invalid_language_code": Case(
        set_in(MODULE, "languages", value=["nl", "eng"]),
        MODULE, "languages[1]", "Not a two-letter language code.",
    ),
    "duplicate_language": Case(
        set_in(MODULE, "languages", value=["nl", "en", "nl"]),
        MODULE, "languages[2]", 'Duplicate entry "nl".',
    ),
    "unknown_audience": Case(
        set_in(MODULE, "audience", value=["kids"]),
        MODULE, "audience[0]", "Must be one of: adults, youth, parents.",
    ),
    "estimated_minutes_out_of_range": Case(
        set_in(MODULE, "estimated_minutes", value=0),
        MODULE, "estimated_minutes", "greater than or equal to 1",
    ),
    # -- show_if --------------------------------------------------------------------------
    "show_if_referring_to_a_later_step": Case(
        show_if(BEGIN, 1, {"step": "hulp", "equals": "ja"}),
        BEGIN, "steps[1].show_if.step",
        'Step "hulp" is not earlier in the module (',
    ),
    "show_if_referring_to_a_step_in_a_later_lesson": Case(
        show_if(BEGIN, 4, {"step": "krachten", "contains": "humor"}),
        BEGIN, "steps[4].show_if.step", "you can only test earlier steps.",
    ),
    "show_if_referring_to_itself": Case(
        show_if(BEGIN, 3, {"step": "hulp", "equals": "ja"}),
        BEGIN, "steps[3].show_if.step", 'Step "hulp" is not earlier in the module',
    ),
    "show_if_referring_to_an_unknown_step": Case(
        show_if(BEGIN, 4, {"step": "bestaat-niet", "equals": "ja"}),
        BEGIN, "steps[4].show_if.step",
        'Unknown step "bestaat-niet": no step in this module has that id.',
    ),
    "show_if_referring_to_a_step_without_answers": Case(
        show_if(BEGIN, 4, {"step": "uitleg", "equals": "ja"}),
        BEGIN, "steps[4].show_if.step", 'Step "uitleg" (text) has no answer to test.',
    ),
    "show_if_with_two_operators": Case(
        show_if(BEGIN, 4, {"step": "hulp", "equals": "ja", "one_of": ["ja"]}),
        BEGIN, "steps[4].show_if", "Give exactly one condition (equals, one_of, contains, "
        "at_least, at_most); found equals, one_of.",
    ),
    "show_if_without_operator": Case(
        show_if(BEGIN, 4, {"step": "hulp"}),
        BEGIN, "steps[4].show_if", "found none.",
    ),
    "show_if_with_an_option_the_choice_lacks": Case(
        show_if(BEGIN, 4, {"step": "hulp", "equals": "misschien"}),
        BEGIN, "steps[4].show_if.equals",
        'Step "hulp" has no option "misschien" (options: ja, nee).',
    ),
    "show_if_one_of_with_an_option_the_choice_lacks": Case(
        show_if(BEGIN, 4, {"step": "hulp", "one_of": ["ja", "graag"]}),
        BEGIN, "steps[4].show_if.one_of", 'Step "hulp" has no option "graag"',
    ),
    "show_if_with_a_value_outside_the_scale": Case(
        show_if(BEGIN, 4, {"step": "cijfer", "equals": 11}),
        BEGIN, "steps[4].show_if.equals", '11 is outside the scale of step "cijfer" (0-10).',
    ),
    "show_if_at_least_outside_the_scale": Case(
        show_if(BEGIN, 4, {"step": "cijfer", "at_least": -1}),
        BEGIN, "steps[4].show_if.at_least", 'is outside the scale of step "cijfer" (0-10).',
    ),
    "show_if_comparing_a_scale_with_text": Case(
        show_if(BEGIN, 4, {"step": "cijfer", "equals": "vijf"}),
        BEGIN, "steps[4].show_if.equals", 'Step "cijfer" is a scale: compare with a number.',
    ),
    "show_if_operator_the_scale_does_not_support": Case(
        show_if(BEGIN, 4, {"step": "cijfer", "contains": "5"}),
        BEGIN, "steps[4].show_if.contains",
        '"contains" cannot test a scale step; use at_least, at_most, equals, one_of.',
    ),
    "show_if_contains_on_a_single_choice": Case(
        show_if(BEGIN, 4, {"step": "hulp", "contains": "ja"}),
        BEGIN, "steps[4].show_if.contains",
        '"contains" cannot test the single choice step "hulp"; use equals, one_of.',
    ),
    "show_if_equals_on_a_multiple_choice": Case(
        set_in(BEGIN, "steps", 3, "multiple", value=True),
        BEGIN, "steps[4].show_if.equals",
        '"equals" cannot test the multiple choice step "hulp"; use contains.',
    ),
    "show_if_equals_on_a_questionnaire": Case(
        show_if(VERDER, 2, {"step": "tevredenheid", "equals": 3}),
        VERDER, "steps[2].show_if.equals", '"equals" cannot test a questionnaire step; use '
        "at_least, at_most.",
    ),
    "show_if_outside_the_questionnaire_score_range": Case(
        show_if(VERDER, 2, {"step": "tevredenheid", "at_least": 9}),
        VERDER, "steps[2].show_if.at_least",
        'is outside the total score range of step "tevredenheid" (0-8).',
    ),
    "show_if_with_a_suggestion_the_strengths_step_lacks": Case(
        show_if(VERDER, 1, {"step": "krachten", "contains": "moed"}),
        VERDER, "steps[1].show_if.contains", 'Step "krachten" has no suggestion "moed".',
    ),
    # -- summary --------------------------------------------------------------------------
    "summary_referring_to_a_later_step": Case(
        append_step(BEGIN, SUMMARY_STEP),
        BEGIN, "steps[5].steps[0]",
        'Step "doel" is not earlier in the module (',
    ),
    "summary_referring_to_itself": Case(
        set_in(VERDER, "steps", 4, "steps", 1, value="samenvatting"),
        VERDER, "steps[4].steps[1]", "you can only summarise earlier steps.",
    ),
    "summary_referring_to_an_unknown_step": Case(
        set_in(VERDER, "steps", 4, "steps", 1, value="onbekend"),
        VERDER, "steps[4].steps[1]", 'Unknown step "onbekend": no step in this module has that id.',
    ),
    "summary_referring_to_a_step_without_answers": Case(
        set_in(VERDER, "steps", 4, "steps", 0, value="uitleg"),
        VERDER, "steps[4].steps[0]", 'Step "uitleg" (text) has no answer to summarise.',
    ),
    "summary_of_an_opening": Case(
        set_in(VERDER, "steps", 4, "steps", 0, value="welkom"),
        VERDER, "steps[4].steps[0]", 'Step "welkom" (opening) has no answer to summarise.',
    ),
    # -- texts and languages --------------------------------------------------------------
    "translation_missing_from_an_object": Case(
        set_in(BEGIN, "steps", 1, "title", value={"nl": "Zo werkt het"}),
        BEGIN, "steps[1].title.en", 'Missing translation for "en".',
    ),
    "plain_string_in_a_bilingual_module": Case(
        set_in(MODULE, "title", value="Een kleine stap"),
        MODULE, "title", "Missing translation for 'en': this module has the languages nl, en",
    ),
    "text_in_an_undeclared_language": Case(
        set_in(BEGIN, "steps", 1, "title", "de", value="So funktioniert es"),
        BEGIN, "steps[1].title.de",
        'Language "de" is not declared in module.json "languages" (nl, en).',
    ),
    "empty_text": Case(
        set_in(BEGIN, "steps", 1, "body", "nl", value="   "),
        BEGIN, "steps[1].body.nl", "Text must not be empty.",
    ),
    "empty_text_object": Case(
        set_in(BEGIN, "steps", 1, "body", value={}),
        BEGIN, "steps[1].body", "Not a valid text",
    ),
    "translation_that_is_not_a_string": Case(
        set_in(MODULE, "summary", "en", value=["Discover"]),
        MODULE, "summary.en", "Not a valid string.",
    ),
    "number_where_text_expected": Case(
        set_in(BEGIN, "steps", 1, "title", value=5),
        BEGIN, "steps[1].title", "Not a valid text: expected a string or an object with one "
        'entry per language, for example {"nl": "…", "en": "…"}.',
    ),
    "list_where_text_expected": Case(
        set_in(MODULE, "summary", value=["Ontdek", "Discover"]),
        MODULE, "summary", "Not a valid text: expected a string or an object",
    ),
    "null_where_text_expected": Case(
        set_in(MODULE, "summary", value=None),
        MODULE, "summary", "Field may not be null.",
    ),
    # -- media ----------------------------------------------------------------------------
    "missing_media_file": Case(
        set_in(MODULE, "cover", "src", value="voorbeeld/ontbreekt.svg"),
        MODULE, "cover.src", 'Media file "voorbeeld/ontbreekt.svg" not found in ',
    ),
    "media_file_deleted_from_media_folder": Case(
        lambda module: (module.media / "voorbeeld" / "cover.svg").unlink(),
        BEGIN, "steps[0].illustration.src", 'Media file "voorbeeld/cover.svg" not found',
        only=False,
    ),
    "media_path_with_dot_dot": Case(
        set_in(MODULE, "cover", "src", value="voorbeeld/../voorbeeld/cover.svg"),
        MODULE, "cover.src", 'Not a valid media path "voorbeeld/../voorbeeld/cover.svg"',
    ),
    "absolute_media_path": Case(
        set_in(MODULE, "cover", "src", value="/etc/cover.svg"),
        MODULE, "cover.src", 'Not a valid media path "/etc/cover.svg"',
    ),
    "media_path_with_backslash": Case(
        set_in(MODULE, "cover", "src", value="voorbeeld\\cover.svg"),
        MODULE, "cover.src", "Not a valid media path",
    ),
    "media_symlink_pointing_outside_the_media_folder": Case(
        both(link_media("voorbeeld/buiten.svg", "module.json"),
             set_in(MODULE, "cover", "src", value="voorbeeld/buiten.svg")),
        MODULE, "cover.src", 'Media file "voorbeeld/buiten.svg" not found',
    ),
    "media_path_with_a_nul_character": Case(
        set_in(MODULE, "cover", "src", value="voorbeeld/co\x00ver.svg"),
        MODULE, "cover.src", 'Not a valid media path "voorbeeld/co',
    ),
    "media_file_name_too_long_for_the_file_system": Case(
        set_in(MODULE, "cover", "src", value="voorbeeld/" + "x" * 300 + ".svg"),
        MODULE, "cover.src", "not found in ",
    ),
    "wrong_media_extension": Case(
        set_in(MODULE, "cover", "src", value="voorbeeld/cover.mp3"),
        MODULE, "cover.src",
        '"voorbeeld/cover.mp3" is not a image file: use one of .gif, .jpeg, .jpg, .png, .svg, '
        ".webp.",
    ),
    "image_for_an_audio_fragment": Case(
        set_in(BEGIN, "steps", 1, "audio", value={
            "src": "voorbeeld/cover.svg", "transcript": text("Tekst", "Text")}),
        BEGIN, "steps[1].audio.src", "is not a audio file: use one of .m4a, .mp3,",
    ),
    "image_without_alt": Case(
        set_in(MODULE, "cover", "alt", value=DELETE),
        MODULE, "cover.alt", "An image needs a text alternative (alt).",
    ),
    "audio_without_transcript": Case(
        both(add_media("voorbeeld/uitleg.mp3"),
             set_in(BEGIN, "steps", 1, "audio", value={"src": "voorbeeld/uitleg.mp3"})),
        BEGIN, "steps[1].audio.transcript", "Audio needs a transcript.",
    ),
    "video_without_transcript": Case(
        both(add_media("voorbeeld/uitleg.mp4"),
             set_in(BEGIN, "steps", 4, "video", value={"src": "voorbeeld/uitleg.mp4"})),
        BEGIN, "steps[4].video.transcript", "Video needs a transcript.",
    ),
    "video_captions_that_are_not_vtt": Case(
        both(add_media("voorbeeld/uitleg.mp4"),
             set_in(BEGIN, "steps", 1, "video", value={
                 "src": "voorbeeld/uitleg.mp4", "transcript": text("Tekst", "Text"),
                 "captions": "voorbeeld/uitleg.srt"})),
        BEGIN, "steps[1].video.captions", "is not a captions file: use one of .vtt.",
    ),
    # -- JSON value types -----------------------------------------------------------------
    "string_where_integer_expected": Case(
        set_in(MODULE, "estimated_minutes", value="15"),
        MODULE, "estimated_minutes", "Not a valid integer.",
    ),
    "fraction_where_integer_expected": Case(
        set_in(MODULE, "estimated_minutes", value=15.5),
        MODULE, "estimated_minutes", "Not a valid integer.",
    ),
    "true_string_where_boolean_expected": Case(
        set_in(BEGIN, "steps", 4, "as_quote", value="true"),
        BEGIN, "steps[4].as_quote", "Not a valid boolean.",
    ),
    "one_where_boolean_expected": Case(
        set_in(VERDER, "steps", 2, "allow_private", value=1),
        VERDER, "steps[2].allow_private", "Not a valid boolean.",
    ),
    "bool_where_integer_expected": Case(
        set_in(VERDER, "steps", 0, "min_items", value=True),
        VERDER, "steps[0].min_items", "Not a valid integer.",
    ),
    "string_where_list_expected": Case(
        set_in(MODULE, "lessons", value="begin"),
        MODULE, "lessons", "Not a valid list.", only=False,
    ),
    "show_if_number_that_is_a_string": Case(
        show_if(BEGIN, 4, {"step": "cijfer", "at_least": "5"}),
        BEGIN, "steps[4].show_if.at_least", "Not a valid number.",
    ),
    # -- questionnaire --------------------------------------------------------------------
    "questionnaire_item_in_an_undeclared_subscale": Case(
        set_in(VERDER, "steps", 1, "items", 1, "subscale", value="zelf"),
        VERDER, "steps[1].items[1].subscale",
        'Subscale "zelf" is not declared in "subscales" (sociaal, competentie).',
    ),
    "questionnaire_subscale_without_any_declared": Case(
        set_in(VERDER, "steps", 1, "subscales", value=DELETE),
        VERDER, "steps[1].items[0].subscale", "(none are declared).",
        only=False,
    ),
    "duplicate_questionnaire_scale_value": Case(
        set_in(VERDER, "steps", 1, "scale", 2, "value", value=1),
        VERDER, "steps[1].scale[2].value", 'Duplicate scale value "1" (also at [1]).',
    ),
    "duplicate_questionnaire_item_id": Case(
        set_in(VERDER, "steps", 1, "items", 1, "id", value="steun"),
        VERDER, "steps[1].items[1].id", 'Duplicate item id "steun" (also at [0]).',
    ),
    "questionnaire_scale_with_one_point": Case(
        set_in(VERDER, "steps", 1, "scale", value=[
            {"value": 0, "label": text("nee", "no")}]),
        VERDER, "steps[1].scale", "The answer scale needs at least two points.",
    ),
    "unknown_scoring_method": Case(
        set_in(VERDER, "steps", 1, "scoring", "method", value="median"),
        VERDER, "steps[1].scoring.method", "Must be one of: sum, mean.",
    ),
    # -- scale ----------------------------------------------------------------------------
    "scale_min_equal_to_max": Case(
        both(set_in(BEGIN, "steps", 2, "min", value=10),
             set_in(BEGIN, "steps", 2, "max", value=10)),
        BEGIN, "steps[2].max", "Must be greater than min.",
    ),
    "scale_min_above_max": Case(
        both(set_in(BEGIN, "steps", 2, "min", value=5),
             set_in(BEGIN, "steps", 2, "max", value=3)),
        BEGIN, "steps[2].max", "Must be greater than min.",
    ),
    "scale_with_too_many_points": Case(
        set_in(BEGIN, "steps", 2, "max", value=30),
        BEGIN, "steps[2].max", "A scale has at most 21 points.",
    ),
    "scale_follow_up_bound_off_the_scale": Case(
        set_in(BEGIN, "steps", 2, "follow_ups", 0, "min_value", value=11),
        BEGIN, "steps[2].follow_ups[0].min_value", "Must lie on the scale (0-10).",
    ),
    "scale_follow_up_bounds_the_wrong_way_round": Case(
        both(set_in(BEGIN, "steps", 2, "follow_ups", 0, "min_value", value=6),
             set_in(BEGIN, "steps", 2, "follow_ups", 0, "max_value", value=4)),
        BEGIN, "steps[2].follow_ups[0].max_value", "Must be at least min_value.",
    ),
    "unknown_scale_placeholder": Case(
        set_in(BEGIN, "steps", 2, "follow_ups", 1, "question", "en",
               value="What would a {volgende} look like?"),
        BEGIN, "steps[2].follow_ups[1].question.en",
        "Unknown placeholder {volgende}: use {max}, {min}, {next}, {value}.",
    ),
    # -- choice ---------------------------------------------------------------------------
    "choice_with_one_option": Case(
        set_in(BEGIN, "steps", 3, "options", 1, value=DELETE),
        BEGIN, "steps[3].options", "Offer at least two options.",
    ),
    "duplicate_option_id": Case(
        set_in(BEGIN, "steps", 3, "options", 1, "id", value="ja"),
        BEGIN, "steps[3].options[1].id", 'Duplicate option id "ja" (also at [0]).',
    ),
    # -- strengths, reflection, goal ------------------------------------------------------
    "strengths_category_with_an_unknown_kind": Case(
        set_in(VERDER, "steps", 0, "categories", 1, "kind", value="friends"),
        VERDER, "steps[0].categories[1].kind",
        "Must be one of: qualities, skills, memories, resources, ambitions.",
    ),
    "strengths_min_items_above_max_items": Case(
        both(set_in(VERDER, "steps", 0, "min_items", value=5),
             set_in(VERDER, "steps", 0, "max_items", value=2)),
        VERDER, "steps[0].max_items", "Must be at least min_items.",
    ),
    "strengths_suggestion_id_repeated_in_another_category": Case(
        set_in(VERDER, "steps", 0, "categories", 1, "suggestions", 0, "id", value="humor"),
        VERDER, "steps[0].categories[1].suggestions[0].id",
        'Duplicate suggestion id "humor" in this step (also in categories[0]).',
    ),
    "strengths_category_without_suggestions_or_own_items": Case(
        both(set_in(VERDER, "steps", 0, "allow_own", value=False),
             set_in(VERDER, "steps", 0, "categories", 1, "suggestions", value=[])),
        VERDER, "steps[0].categories[1].suggestions",
        "Give suggestions, or set allow_own so the client can add items.",
    ),
    "reflection_without_questions": Case(
        set_in(VERDER, "steps", 2, "questions", value=[]),
        VERDER, "steps[2].questions", "Ask at least one question.",
    ),
    "goal_without_suggested_or_own_steps": Case(
        both(set_in(VERDER, "steps", 3, "suggested_steps", value=[]),
             set_in(VERDER, "steps", 3, "allow_own_steps", value=False)),
        VERDER, "steps[3].suggested_steps", "Suggest steps, or allow the client to write",
    ),
    # -- JSON syntax and files ------------------------------------------------------------
    "malformed_json_with_line_and_column": Case(
        write_text(BEGIN, '{\n  "id": "begin",\n  "title": "Begin"\n  "steps": []\n}\n'),
        BEGIN, "$", "Invalid JSON at line 4, column 3: Expecting ',' delimiter.", only=False,
    ),
    "truncated_json": Case(
        write_text(MODULE, '{"id": "voorbeeld",\n"version": '),
        MODULE, "$", "Invalid JSON at line 2, column 12:",
    ),
    "nan_in_json": Case(
        write_text(MODULE, '{"id": "voorbeeld", "estimated_minutes": NaN}'),
        MODULE, "$", "Invalid JSON: NaN is not allowed in JSON.",
    ),
    "invalid_utf8": Case(
        lambda module: module.write_bytes(BEGIN, b'{"id": "begin", "title": "caf\xe9"}'),
        BEGIN, "$", "Not valid UTF-8 (byte 29).", only=False,
    ),
    "duplicate_key_in_module_json": Case(
        replace_text(MODULE, '"version": "1.0.0",', '"version": "1.0.0",\n  "version": "1.0.1",'),
        MODULE, "version", "Duplicate key: only the last value would count.",
    ),
    "duplicate_key_deep_in_a_lesson": Case(
        replace_text(BEGIN, '"en": "How it works"', '"en": "How it works", "en": "Hi"'),
        BEGIN, "steps[1].title.en", "Duplicate key: only the last value would count.",
    ),
    "non_object_json_root_in_module_json": Case(
        write_text(MODULE, '["voorbeeld"]'),
        MODULE, "$", "Expected a JSON object {…} at the top level.",
    ),
    "non_object_json_root_in_a_lesson": Case(
        write_text(BEGIN, '"begin"'),
        BEGIN, "$", "Expected a JSON object {…} at the top level.", only=False,
    ),
    "unparsable_last_lesson_with_nothing_else_wrong": Case(
        write_text(VERDER, '["verder"]'),
        VERDER, "$", "Expected a JSON object {…} at the top level.",
    ),
    "missing_module_json": Case(
        remove(MODULE),
        MODULE, "$", "Missing module.json: every module folder needs one.",
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_checker_reports_the_mistake_with_file_path_and_message(
    module: ModuleCopy, case: Case
) -> None:
    case.change(module)
    problems = module.problems()
    matching = [
        p for p in problems
        if p.file == case.file and p.path == case.path and case.message in p.message
    ]
    listing = "\n".join(f"  {p.file}: {p.path}: {p.message}" for p in problems)
    assert matching, f"expected {case.file}: {case.path}: …{case.message}…; got:\n{listing}"
    if case.only:
        assert problems == matching, f"expected only that problem; got:\n{listing}"
    assert module.load().module is None


def test_there_are_at_least_thirty_kinds_of_mistakes() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", [
    "unknown_step_type", "show_if_referring_to_a_later_step", "malformed_json_with_line_and_column",
    "lesson_listed_but_file_missing", "duplicate_key_in_module_json", "media_path_with_dot_dot",
])
def test_cli_prints_the_problem_and_exits_1(module: ModuleCopy, name: str) -> None:
    case = CASES[name]
    case.change(module)
    problems = module.problems()
    result = module.run_cli()
    assert result.exit_code == 1
    *lines, summary = result.output.splitlines()
    assert lines == [f"{module.folder}/{p.file}: {p.path}: {p.message}" for p in problems]
    assert f"{module.folder}/{case.file}: {case.path}: " in result.output
    count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
    assert summary == f"{count} in 1 of 1 module folder(s); 0 module(s) OK."


def test_cli_names_the_missing_module_json_of_a_module_folder(module: ModuleCopy) -> None:
    module.file(MODULE).unlink()
    result = module.run_cli()
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{module.folder}/module.json: $: Missing module.json: every module folder needs one."
    )


def test_problem_prints_as_file_path_message(module: ModuleCopy) -> None:
    set_in(BEGIN, "steps", 1, "type", value="slideshow")(module)
    [problem] = module.load().problems
    assert str(problem) == (
        f"{module.folder}/lessons/begin.json: steps[1].type: Unknown step type 'slideshow'. "
        f"Known types: {KNOWN_TYPES}."
    )


@pytest.mark.parametrize("lesson", [BEGIN, VERDER])
def test_malformed_json_message_names_the_line_and_column(
    module: ModuleCopy, lesson: str
) -> None:
    source = module.file(lesson).read_text(encoding="utf-8")
    lines = source.splitlines()
    line_number = next(i for i, line in enumerate(lines, 1) if '"type": ' in line)
    lines[line_number - 1] = lines[line_number - 1].replace('",', '"')  # drop the comma
    module.write_text(lesson, "\n".join(lines) + "\n")
    [problem] = [p for p in module.problems() if p.file == lesson]
    assert problem.path == "$"
    match = re.fullmatch(r"Invalid JSON at line (\d+), column (\d+): Expecting ',' delimiter\.",
                         problem.message)
    assert match, problem.message
    assert int(match[1]) == line_number + 1  # the error is where the next key starts
    assert int(match[2]) == len(lines[line_number]) - len(lines[line_number].lstrip()) + 1


# -- several problems at once --------------------------------------------------------------


def break_in_several_places(module: ModuleCopy) -> list[tuple[str, str, str]]:
    """Independent mistakes in three files; returns (file, path, message part) of each."""
    set_in(MODULE, "version", value="one")(module)
    set_in(MODULE, "cover", "alt", value=DELETE)(module)
    set_in(BEGIN, "steps", 1, "type", value="slideshow")(module)
    set_in(BEGIN, "steps", 2, "max", value=0)(module)
    set_in(VERDER, "steps", 1, "items", 1, "subscale", value="zelf")(module)
    set_in(VERDER, "steps", 4, "steps", 1, value="onbekend")(module)
    set_in(VERDER, "steps", 2, "allow_private", value="ja")(module)
    return [
        (MODULE, "version", "Not a valid version"),
        (MODULE, "cover.alt", "An image needs a text alternative"),
        (BEGIN, "steps[1].type", "Unknown step type"),
        (BEGIN, "steps[2].max", "Must be greater than min."),
        (VERDER, "steps[1].items[1].subscale", 'Subscale "zelf" is not declared'),
        (VERDER, "steps[2].allow_private", "Not a valid boolean."),
        (VERDER, "steps[4].steps[1]", 'Unknown step "onbekend"'),
    ]


def test_all_problems_are_reported_at_once(module: ModuleCopy) -> None:
    expected = break_in_several_places(module)
    problems = module.problems()
    for file, path, message in expected:
        assert any(p.file == file and p.path == path and message in p.message for p in problems), \
            (file, path, message, problems)
    assert len(problems) == len(expected)


def test_problems_are_listed_in_module_order(module: ModuleCopy) -> None:
    break_in_several_places(module)
    files = [p.file for p in module.problems()]
    assert files == sorted(files, key=[MODULE, BEGIN, VERDER].index)


def test_cli_summary_counts_every_problem(module: ModuleCopy) -> None:
    expected = break_in_several_places(module)
    result = module.run_cli()
    assert result.exit_code == 1
    *problem_lines, summary = result.output.splitlines()
    assert len(problem_lines) == len(expected)
    assert summary == f"{len(expected)} problems in 1 of 1 module folder(s); 0 module(s) OK."


def test_clean_module_exits_0_with_no_problems_summary(module: ModuleCopy) -> None:
    assert module.problems() == []
    result = module.run_cli()
    assert result.exit_code == 0, result.output
    assert result.output == "1 module(s) OK: 2 lessons, 10 steps, no problems.\n"


def test_the_unchanged_fixture_is_clean(
    check_modules: CheckModules, fixture_dirs: tuple[Path, Path]
) -> None:
    folder, media = fixture_dirs
    result = check_modules(folder, media=media)
    assert result.exit_code == 0, result.output
    assert result.output.endswith("no problems.\n")


def test_a_folder_of_module_folders_is_checked(
    tmp_path: Path, media: Path, make_module: MakeModule, check_modules: CheckModules
) -> None:
    modules = tmp_path / "modules"
    good = make_module(modules, "voorbeeld")
    make_module(modules, "tweede")
    broken = make_module(modules, "kapot")
    set_in(BEGIN, "steps", 1, "type", value="slideshow")(broken)
    (modules / ".verborgen").mkdir()  # hidden and draft folders are not modules
    (modules / "_concept").mkdir()

    result = check_modules(modules, media=media)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{broken.folder}/lessons/begin.json: steps[1].type: Unknown step type 'slideshow'. "
        f"Known types: {KNOWN_TYPES}.",
        "1 problem in 1 of 3 module folder(s); 2 module(s) OK.",
    ]
    assert good.problems() == []


def test_a_folder_of_clean_modules_exits_0(
    tmp_path: Path, media: Path, make_module: MakeModule, check_modules: CheckModules
) -> None:
    make_module(tmp_path / "modules", "voorbeeld")
    make_module(tmp_path / "modules", "tweede")
    result = check_modules(tmp_path / "modules", media=media)
    assert result.exit_code == 0, result.output
    assert result.output == "2 module(s) OK: 4 lessons, 20 steps, no problems.\n"


def test_several_paths_are_checked_together(
    tmp_path: Path, media: Path, make_module: MakeModule, check_modules: CheckModules
) -> None:
    first = make_module(tmp_path / "a", "voorbeeld")
    second = make_module(tmp_path / "b", "tweede")
    set_in(MODULE, "version", value="2")(second)
    result = check_modules(first.folder, second.folder, media=media)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{second.folder}/module.json: version: Not a valid version: write MAJOR.MINOR.PATCH, "
        'for example "1.0.0".',
        "1 problem in 1 of 2 module folder(s); 1 module(s) OK.",
    ]


def test_two_modules_with_the_same_id_are_reported(
    tmp_path: Path, media: Path, make_module: MakeModule
) -> None:
    first = make_module(tmp_path / "a", "voorbeeld")
    second = make_module(tmp_path / "b", "voorbeeld")
    library = load_library([first.folder, second.folder], media)
    assert [str(p) for p in library.problems] == [
        f'{second.folder}/module.json: id: Module id "voorbeeld" is also used by {first.folder}.'
    ]
    assert [m.id for m in library.modules] == ["voorbeeld"]


def test_module_folder_without_module_json_in_a_folder_of_modules(
    tmp_path: Path, media: Path, make_module: MakeModule, check_modules: CheckModules
) -> None:
    modules = tmp_path / "modules"
    make_module(modules, "voorbeeld")
    (modules / "leeg").mkdir()
    result = check_modules(modules, media=media)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{modules}/leeg/module.json: $: Missing module.json: every module folder needs one.",
        "1 problem in 1 of 2 module folder(s); 1 module(s) OK.",
    ]


def test_nonexistent_path_gives_a_clear_problem(
    tmp_path: Path, media: Path, check_modules: CheckModules
) -> None:
    missing = tmp_path / "bestaat-niet"
    result = check_modules(missing, media=media)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{missing}: $: No such folder.",
        "1 problem in 0 of 0 module folder(s); 0 module(s) OK.",
    ]


def test_a_file_given_as_path_is_not_a_folder(module: ModuleCopy) -> None:
    result = module.run_cli(module.file(MODULE))
    assert result.exit_code == 1
    assert f"{module.file(MODULE)}: $: No such folder." in result.output.splitlines()


def test_empty_folder_gives_a_clear_problem(
    tmp_path: Path, media: Path, check_modules: CheckModules
) -> None:
    empty = tmp_path / "leeg"
    empty.mkdir()
    result = check_modules(empty, media=media)
    assert result.exit_code == 1
    assert f"{empty}: $: No module folders found here." in result.output.splitlines()


def test_missing_media_folder_reports_every_media_reference(module: ModuleCopy) -> None:
    shutil.rmtree(module.media)
    problems = module.problems()
    assert [(p.file, p.path) for p in problems] == [
        (MODULE, "cover.src"), (BEGIN, "steps[0].illustration.src"),
    ]
    assert all('Media file "voorbeeld/cover.svg" not found in ' in p.message for p in problems)


def test_utf8_byte_order_mark_is_accepted(module: ModuleCopy) -> None:
    raw = module.file(MODULE).read_bytes()
    module.write_bytes(MODULE, b"\xef\xbb\xbf" + raw)
    assert module.problems() == []


def test_a_broken_lesson_does_not_hide_reference_problems_elsewhere(module: ModuleCopy) -> None:
    set_in(BEGIN, "steps", 1, "type", value="slideshow")(module)
    set_in(VERDER, "steps", 4, "steps", 0, value="welkom")(module)
    assert (VERDER, "steps[4].steps[0]",
            'Step "welkom" (opening) has no answer to summarise.') in module.problems()


def test_upper_case_media_extension_is_accepted(module: ModuleCopy) -> None:
    shutil.copy(module.media / "voorbeeld" / "cover.svg", module.media / "voorbeeld" / "KAFT.SVG")
    set_in(MODULE, "cover", "src", value="voorbeeld/KAFT.SVG")(module)
    assert module.problems() == []


def test_a_lone_surrogate_in_a_text_is_reported_not_raised(module: ModuleCopy) -> None:
    replace_text(MODULE, '"en": "One small step"', '"en": "One small step \\ud800"')(module)
    problems = module.problems()
    assert problems
    assert {p.file for p in problems} == {MODULE}


def test_cli_prints_a_problem_about_a_key_with_a_lone_surrogate(module: ModuleCopy) -> None:
    replace_text(MODULE, '"version": "1.0.0",', '"version": "1.0.0", "\\ud800x": 1,')(module)
    assert [p.message for p in module.problems()] == [
        "Contains an invalid character (a lone surrogate escape)."]
    result = module.run_cli()
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith("1 problem in 1 of 1")
