"""Writing checks: the recovery-oriented writing rules as warnings, one rule at a time.

Each rule has a case that warns and one that does not; the word list is tried with its
inflections in Dutch and English, an organisation's own words extend it, content that is not
valid (a draft) never makes it raise, and the shipped modules give exactly the warnings that were
read and judged (see ``SHIPPED_WARNINGS``).
"""

from __future__ import annotations

import copy
import re
import time
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import fields
from textstat.textstat import textstatistics  # type: ignore[import-untyped]

from ehealth.content.fields import TextField
from ehealth.content.loader import load_library, load_module_content
from ehealth.content.steps import STEP_TYPES, StepSchema, StepType
from ehealth.content.writing import (
    AVOID_WORDS,
    AvoidWord,
    WritingWarning,
    readability,
    writing_warnings,
)
from tests.conftest import ROOT

MEDIA = ROOT / "media"

# -- building a module ----------------------------------------------------------------------------


def t(nl: str, en: str | None = None) -> dict[str, str]:
    """A text in both languages (the English defaults to a neutral sentence)."""
    return {"nl": nl, "en": en if en is not None else "Good to have you here."}


def opening(step_id: str = "welkom") -> dict[str, Any]:
    return {"id": step_id, "type": "opening", "title": t("Fijn dat je er bent", "Welcome"),
            "body": t("Verandering is mogelijk, in kleine stappen.",
                      "Change is possible, in small steps.")}


def text_step(step_id: str, nl: str, en: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": step_id, "type": "text", "body": t(nl, en), **extra}


def reflection(step_id: str, nl: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"id": step_id, "type": "reflection",
            "questions": [{"id": "vraag", "question": t(nl, en)}], **extra}


def experience(step_id: str, tip: Any) -> dict[str, Any]:
    step = {"id": step_id, "type": "experience",
            "speaker": {"role": t("ervaringsdeskundige", "experience expert")}}
    if tip is not None:
        step["tip"] = tip
    return step


def module(*lessons: list[dict[str, Any]], languages: tuple[str, ...] = ("nl", "en"),
           **meta: Any) -> dict[str, Any]:
    """Stored content: lessons "les-1", "les-2", … with the given steps, in that order."""
    ids = [f"les-{n}" for n in range(1, len(lessons) + 1)]
    one = len(languages) == 1

    def text(nl: str, en: str) -> Any:
        return nl if one else {"nl": nl, "en": en}

    module_doc = {
        "id": "proef", "version": "1.0.0", "languages": list(languages),
        "title": text("Proef", "Trial"), "summary": text("Een proef.", "A trial."),
        "audience": ["adults"], "estimated_minutes": 10,
        "cover": {"src": "krachtbronnen/cover.svg",
                  "alt": text("Een zonnig pad over een heuvel.", "A sunny path over a hill.")},
        "lessons": ids, **meta,
    }
    return {"module": module_doc,
            "lessons": {lesson_id: {"id": lesson_id, "title": text("Les", "Lesson"),
                                    "steps": steps}
                        for lesson_id, steps in zip(ids, lessons, strict=True)}}


def rules(content: Any, **kwargs: Any) -> list[tuple[str, str, str]]:
    """(file, path, rule) of every warning."""
    return [(w.file, w.path, w.rule) for w in writing_warnings(content, **kwargs)]


def of_rule(content: Any, rule: str, **kwargs: Any) -> list[WritingWarning]:
    return [w for w in writing_warnings(content, **kwargs) if w.rule == rule]


def test_a_module_that_follows_the_rules_has_no_warnings() -> None:
    content = module([
        opening(),
        reflection("goed", "Wat ging er deze week goed?", "What went well this week?"),
        reflection("lastig", "Wat vind je op dit moment moeilijk?",
                   "What do you find difficult right now?"),
        experience("tip", t("Wat mij hielp: elke dag een korte wandeling.",
                            "What helped me: a short walk every day.")),
    ])
    assert load_module_content(content, MEDIA).problems == []
    assert writing_warnings(content) == []


def test_a_warning_reads_like_a_problem_file_path_message() -> None:
    content = module([opening(), text_step("uitleg", "Over je klachten.")])
    [warning] = writing_warnings(content, label="modules/proef")
    assert warning.file == "modules/proef/lessons/les-1.json"
    assert str(warning) == f"{warning.file}: {warning.path}: {warning.message}"
    [stored] = writing_warnings(content)
    assert stored.file == "proef/lessons/les-1.json"


# -- opening first --------------------------------------------------------------------------------


def test_a_module_that_does_not_open_with_an_opening_is_warned() -> None:
    content = module([text_step("uitleg", "Zo werkt het."), opening()])
    [warning] = of_rule(content, "opening-first")
    assert (warning.file, warning.path, warning.language) == \
        ("proef/lessons/les-1.json", "steps[0]", None)
    assert "The module opens with a text step, not an opening" in warning.message
    assert warning.suggestion


def test_each_lesson_should_open_with_an_opening() -> None:
    content = module([opening()], [opening("weer-welkom")],
                     [experience("tip", t("Wat mij hielp: klein beginnen.",
                                          "What helped me: starting small."))])
    [warning] = of_rule(content, "opening-first")
    assert (warning.file, warning.path) == ("proef/lessons/les-3.json", "steps[0]")
    assert "This lesson opens with an experience step" in warning.message


def test_lessons_that_open_with_an_opening_are_not_warned() -> None:
    assert of_rule(module([opening()], [opening("weer-welkom")]), "opening-first") == []


# -- what goes well comes first -------------------------------------------------------------------


def test_a_problem_question_before_any_question_about_what_goes_well_is_warned() -> None:
    content = module([
        opening(),
        reflection("last", "Waar heb je last van?", "What bothers you?"),
        reflection("goed", "Wat gaat er goed in je leven?", "What goes well in your life?"),
    ])
    [warning] = of_rule(content, "goes-well-first")
    assert warning.path == "steps[1].questions[0].question.nl"
    assert warning.language == "nl"
    assert '"Waar heb je last van?"' in warning.message
    assert "what goes well" in warning.message
    assert warning.suggestion == 'Ask earlier, e.g. "Wat gaat er goed in je leven?"'


def test_a_problem_question_after_one_about_what_goes_well_is_fine() -> None:
    content = module(
        [opening(), reflection("trots", "Waar ben je trots op?", "What are you proud of?")],
        [opening("verder"), reflection("last", "Waar heb je last van?", "What bothers you?")],
    )
    assert of_rule(content, "goes-well-first") == []


def test_questions_of_one_step_count_in_their_order() -> None:
    step: dict[str, Any] = {"id": "verhaal", "type": "reflection", "questions": [
        {"id": "goed", "question": t("Wat gaat er goed, al is het maar een beetje?",
                                     "What is going well, even just a little?")},
        {"id": "moeilijk", "question": t("Wat vind je moeilijk?", "What do you find hard?")},
    ]}
    assert of_rule(module([opening(), step]), "goes-well-first") == []
    step["questions"].reverse()
    [warning] = of_rule(module([opening(), step]), "goes-well-first")
    assert warning.path == "steps[1].questions[0].question.nl"


def test_an_english_problem_question_is_found_too() -> None:
    step = reflection("struggle", "Hoe is het?", "What are you struggling with?")
    [warning] = of_rule(module([opening(), step]), "goes-well-first")
    assert (warning.path, warning.language) == ("steps[1].questions[0].question.en", "en")
    assert "What goes well in your life?" in (warning.suggestion or "")


@pytest.mark.parametrize(("nl", "en"), [
    ("Wat lukt wel, en wat lukt niet?", "What works, and what does not work?"),
    ("Wie helpt je als het moeilijk is?", "Who helps you when things are hard?"),
    ("Wie bel je als eerste als het moeilijk is?", "Who do you call first when things are hard?"),
    ("Hoe gaat het met je?", "How are you doing?"),
    ("Wat doe je graag? Geen probleem als het klein is.",
     "What do you like to do? No problem if it is small."),
])
def test_mixed_neutral_and_support_questions_do_not_warn(nl: str, en: str) -> None:
    assert of_rule(module([opening(), reflection("vraag", nl, en)]), "goes-well-first") == []


def test_a_problem_focused_intro_or_hint_is_not_a_question() -> None:
    step = reflection("vraag", "Hoe gaat het?", "How are things?",
                      intro=t("Mensen zien vaak vooral wat niet lukt.",
                              "People often mainly see what doesn't work."))
    step["questions"][0]["hint"] = t("Ook als het moeilijk is.", "Even if it is hard.")
    assert of_rule(module([opening(), step]), "goes-well-first") == []


def test_lukt_niet_is_no_sign_of_what_goes_well() -> None:
    content = module([opening(), reflection("mis", "Wat lukt niet?", "What isn't working?")])
    assert [w.path for w in of_rule(content, "goes-well-first")] == \
        ["steps[1].questions[0].question.nl"]


def test_only_the_first_problem_question_is_warned_about() -> None:
    content = module([
        opening(),
        reflection("last", "Waar heb je last van?", "What bothers you?"),
        reflection("zorgen", "Waar maak je je zorgen over?", "What do you worry about?"),
    ])
    assert len(of_rule(content, "goes-well-first")) == 1


def test_any_question_field_counts_prompts_and_follow_ups_included() -> None:
    scale = {"id": "cijfer", "type": "scale", "question": t("Hoe gaat het, van 0 tot 10?",
                                                            "How are things, from 0 to 10?"),
             "min_label": t("slecht", "bad"), "max_label": t("goed", "good"),
             "follow_ups": [{"id": "w", "question": t("Wat gaat er mis?",
                                                      "What goes wrong?")}]}
    [warning] = of_rule(module([opening(), scale]), "goes-well-first")
    assert warning.path == "steps[1].follow_ups[0].question.nl"


# -- words to avoid -------------------------------------------------------------------------------


@pytest.mark.parametrize(("sentence", "found", "word"), [
    ("Welke klacht heb je?", "klacht", "klacht"),
    ("Over je klachten.", "klachten", "klacht"),
    ("KLACHTEN horen erbij.", "KLACHTEN", "klacht"),
    ("Een klachtgerichte aanpak.", "klachtgerichte", "klacht"),
    ("Bij een stoornis.", "stoornis", "stoornis"),
    ("Bij stoornissen.", "stoornissen", "stoornis"),
    ("Bij een angststoornis.", "angststoornis", "stoornis"),
    ("Een symptoom.", "symptoom", "symptoom"),
    ("Deze symptomen.", "symptomen", "symptoom"),
    ("De patiënt.", "patiënt", "patiënt"),
    ("Alle patiënten.", "patiënten", "patiënt"),
    ("Alle patienten.", "patienten", "patiënt"),
    ("Hij lijdt aan somberheid.", "lijdt aan", "lijden aan"),
    ("Mensen die lijden aan angst.", "lijden aan", "lijden aan"),
    ("Waar lijd je aan?", "lijd je aan", "lijden aan"),
    ("Ze leed jaren aan angst.", "leed jaren aan", "lijden aan"),
])
def test_dutch_words_to_avoid_are_found_with_their_inflections(
        sentence: str, found: str, word: str) -> None:
    [warning] = of_rule(module([opening(), text_step("tekst", sentence)]), "avoid-word")
    assert (warning.path, warning.language) == ("steps[1].body.nl", "nl")
    assert f'"{found}"' in warning.message
    assert f'"{word}" is on the list of words to avoid' in warning.message
    entry = next(w for w in AVOID_WORDS if w.word == word)
    assert warning.suggestion == entry.alternative


@pytest.mark.parametrize(("sentence", "found", "word"), [
    ("Your complaint matters.", "complaint", "complaint"),
    ("Your complaints matter.", "complaints", "complaint"),
    ("An eating disorder.", "disorder", "disorder"),
    ("Anxiety disorders.", "disorders", "disorder"),
    ("Symptoms of stress.", "Symptoms", "symptom"),
    ("The patient said so.", "The patient", "patient"),
    ("Other patients.", "patients", "patient"),
    ("People who suffer from fear.", "suffer from", "suffer from"),
    ("He suffers from pain.", "suffers from", "suffer from"),
    ("She suffered for years from it.", "suffered for years from", "suffer from"),
])
def test_english_words_to_avoid_are_found_with_their_inflections(
        sentence: str, found: str, word: str) -> None:
    [warning] = of_rule(module([opening(), text_step("tekst", "Hallo.", sentence)]),
                        "avoid-word")
    assert (warning.path, warning.language) == ("steps[1].body.en", "en")
    assert f'"{found}"' in warning.message
    assert f'"{word}" is on the list' in warning.message


@pytest.mark.parametrize(("nl", "en"), [
    ("Het is twee jaar geleden aan de slag gegaan.", "Be patient with yourself."),
    ("De leden aan tafel.", "I am patient."),
    ("Wees geduldig.", "A patient listener helps."),
    ("Wat je last geeft, mag er zijn.", "Wait patiently; patience helps."),
    ("Een symptomatische naam? Nee: gewoon een naam.", "She is kind, patient and funny."),
])
def test_look_alikes_of_words_to_avoid_are_not_warned(nl: str, en: str) -> None:
    assert of_rule(module([opening(), text_step("tekst", nl, en)]), "avoid-word") == []


def test_words_to_avoid_are_checked_in_their_own_language_only() -> None:
    content = module([opening(), text_step("tekst", "Het Engelse woord complaint.",
                                           "The Dutch word klacht.")])
    assert of_rule(content, "avoid-word") == []


def test_the_message_names_the_word_how_often_and_the_kinder_words() -> None:
    step = text_step("tekst", "Je **klachten** zijn echt. Klachten gaan op en neer.")
    [warning] = of_rule(module([opening(), step]), "avoid-word")
    assert warning.message.startswith('"klachten", "Klachten" (2 times): ')
    assert 'Write "wat je last geeft" or "waar je tegenaan loopt" instead.' in warning.message


def test_words_to_avoid_are_found_in_any_text_of_any_step() -> None:
    goal = {"id": "doel", "type": "goal", "prompt": t("Wat wil je bereiken?", "What for?"),
            "suggested_steps": [{"id": "a", "label": t("Minder klachten", "Fewer complaints")}]}
    content = module([opening(), goal])
    assert {w.path for w in of_rule(content, "avoid-word")} == {
        "steps[1].suggested_steps[0].label.nl", "steps[1].suggested_steps[0].label.en"}


def test_an_organisation_can_add_words_to_avoid() -> None:
    extra = [AvoidWord("nl", "diagnose", "wat je meemaakt"),
             AvoidWord("en", "deal with", "live with"),
             AvoidWord("nl", "kampen met", "te maken hebben met")]
    step = text_step("tekst", "Je diagnoses zeggen niet wie je bent. Je kampt met veel.",
                     "How you deal with it.")
    warnings = of_rule(module([opening(), step]), "avoid-word", extra_words=extra)
    assert [(w.language, w.suggestion) for w in warnings] == [
        ("nl", "wat je meemaakt"), ("nl", "te maken hebben met"), ("en", "live with")]
    assert '"diagnoses"' in warnings[0].message
    assert '"kampt met"' in warnings[1].message
    assert of_rule(module([opening(), step]), "avoid-word") == []


def test_an_organisation_word_for_another_language_applies_to_that_language() -> None:
    content = module([opening(), {"id": "t", "type": "text", "body": "Keine Beschwerden."}],
                     languages=("de",))
    extra = [AvoidWord("de", "Beschwerde", "was dich belastet", forms=("Beschwerden",))]
    [warning] = of_rule(content, "avoid-word", extra_words=extra)
    assert (warning.path, warning.language) == ("steps[1].body", "de")
    # Only Dutch and English get inflections by rule; other languages list their forms.
    extra = [AvoidWord("de", "Beschwerde", "was dich belastet")]
    assert of_rule(content, "avoid-word", extra_words=extra) == []


def test_a_broken_organisation_word_is_skipped() -> None:
    extra: list[Any] = [AvoidWord("nl", "", "x"), AvoidWord("nl", "x", "y", pattern="(["),
                        "not a word", AvoidWord("nl", "...", "z")]
    content = module([opening(), text_step("tekst", "Gewoon een tekst... x.")])
    assert of_rule(content, "avoid-word", extra_words=extra) == []


def test_a_new_step_types_texts_are_checked_without_code_in_the_checks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    class SloganSchema(StepSchema):
        slogan = TextField(required=True)
        lines = fields.List(TextField())

    class Slogan(StepType):
        name = "slogan"
        schema = SloganSchema
        description = "A slogan."
        label = "Slogan"

    monkeypatch.setitem(STEP_TYPES, "slogan", Slogan())
    step = {"id": "s", "type": "slogan", "slogan": t("Weg met klachten!", "Hi."),
            "lines": [t("Nog een regel.", "Away with symptoms.")]}
    assert [w.path for w in of_rule(module([opening(), step]), "avoid-word")] == [
        "steps[1].slogan.nl", "steps[1].lines[0].en"]


# -- sentences, words, readability -----------------------------------------------------------------

TWENTY = "Je kijkt in deze les rustig naar wat er goed gaat en wat je zelf doet om dat te houden."
LONG_SENTENCE = ("In deze les kijk je samen met de mensen om je heen heel rustig naar alles wat er "
                 "de afgelopen tijd goed ging.")


def test_a_sentence_over_twenty_words_is_warned() -> None:
    assert len(TWENTY.split()) == 20
    assert len(LONG_SENTENCE.split()) == 23
    assert of_rule(module([opening(), text_step("t", TWENTY)]), "sentence-length") == []
    [warning] = of_rule(module([opening(), text_step("t", f"Kort. {LONG_SENTENCE}")]),
                        "sentence-length")
    assert (warning.path, warning.language) == ("steps[1].body.nl", "nl")
    assert "the longest has 23" in warning.message
    assert '"In deze les kijk je samen met de mensen om je heen…"' in warning.message


def test_list_items_and_paragraphs_end_sentences() -> None:
    items = "\n".join(f"- {TWENTY[:-1]}" for _ in range(3))
    assert of_rule(module([opening(), text_step("t", items)]), "sentence-length") == []
    lines = "Een regel zonder punt\n\nnog een regel zonder punt"
    assert of_rule(module([opening(), text_step("t", lines)]), "sentence-length") == []


def test_english_sentences_are_measured_too() -> None:
    sentence = " ".join(["word"] * 21) + "."
    [warning] = of_rule(module([opening(), text_step("t", "Kort.", sentence)]),
                        "sentence-length")
    assert warning.language == "en"


def test_many_long_words_in_one_text_are_warned() -> None:
    few = "Een ervaringsdeskundige vertelt over vrijwilligerswerk."
    many = f"{few} Zij noemt doorzettingsvermogen."
    assert of_rule(module([opening(), text_step("t", few)]), "long-words") == []
    [warning] = of_rule(module([opening(), text_step("t", many)]), "long-words")
    assert "3 long words of 14 letters or more" in warning.message
    assert "ervaringsdeskundige, vrijwilligerswerk, doorzettingsvermogen" in warning.message


def test_names_are_not_long_words() -> None:
    text = ("Bel De Kindertelefoon, de Zelfmoordpreventielijn of de Luisterlijnvrijwilligers "
            "als je wilt praten.")
    assert of_rule(module([opening(), text_step("t", text)]), "long-words") == []


HARD_NL = (
    "De geïntegreerde multidisciplinaire behandelingsmogelijkheden binnen de geestelijke "
    "gezondheidszorg worden door verschillende hulpverleningsorganisaties gecoördineerd, "
    "waarbij de wetenschappelijke onderbouwing van psychotherapeutische interventies "
    "nadrukkelijk wordt geëvalueerd en systematisch gedocumenteerd ten behoeve van "
    "kwaliteitsverbetering en professionalisering."
)
HARD_EN = (
    "The integrated multidisciplinary treatment possibilities within institutional mental "
    "healthcare are coordinated by numerous organisations, whereby the scientific "
    "substantiation of psychotherapeutic interventions is systematically evaluated and "
    "comprehensively documented for the purposes of organisational quality improvement."
)
EASY_NL = ("Je kijkt naar wat goed gaat. Dat is vaak meer dan je denkt. Je kiest een kleine "
           "stap. Die stap zet je deze week. Je mag het rustig aan doen. Wij helpen je daarbij.")


def test_a_hard_dutch_text_gets_its_flesch_douma_score() -> None:
    [warning] = of_rule(module([opening(), text_step("t", HARD_NL)]), "readability")
    assert (warning.path, warning.language) == ("steps[1].body.nl", "nl")
    assert "(Flesch-Douma); the target for language level B1 is 60 or higher" in warning.message
    score = readability(HARD_NL, "nl")
    assert score is not None
    assert score < 60
    assert f"Reading ease {score:.0f} " in warning.message


def test_a_hard_english_text_gets_its_flesch_reading_ease() -> None:
    [warning] = of_rule(module([opening(), text_step("t", "Kort.", HARD_EN)]), "readability")
    assert warning.language == "en"
    assert "(Flesch reading ease)" in warning.message


def test_an_easy_text_is_not_warned() -> None:
    assert len(EASY_NL.split()) >= 30
    assert of_rule(module([opening(), text_step("t", EASY_NL)]), "readability") == []


def test_a_short_text_is_not_scored() -> None:
    short = " ".join(HARD_NL.split()[:20]) + "."
    assert of_rule(module([opening(), text_step("t", short)]), "readability") == []


def test_the_score_is_textstats_flesch_douma_and_flesch_reading_ease() -> None:
    for language, text in (("nl", HARD_NL), ("en", HARD_EN)):
        scorer = textstatistics()
        scorer.set_lang(language)
        assert readability(text, language) == scorer.flesch_reading_ease(text)
    assert readability(HARD_NL, "de") is None
    assert readability("   ", "nl") is None


def test_markdown_is_stripped_before_measuring() -> None:
    marked = "**Je** *kijkt* [naar](https://example.org/een/heel/lange/weg) `wat` goed gaat."
    assert of_rule(module([opening(), text_step("t", marked)]), "sentence-length") == []
    assert of_rule(module([opening(), text_step("t", "**Klachten**")]), "avoid-word")


# -- media and tips -------------------------------------------------------------------------------


def image(alt: Any) -> dict[str, Any]:
    picture: dict[str, Any] = {"src": "krachtbronnen/cover.svg"}
    if alt is not None:
        picture["alt"] = alt
    return picture


@pytest.mark.parametrize(("alt", "path", "what"), [
    (t("afbeelding", "A path."), "steps[1].image.alt.nl", "placeholder"),
    (t("Een pad.", "cover.svg"), "steps[1].image.alt.en", "placeholder"),
    (t("cover", "A path."), "steps[1].image.alt.nl", "placeholder"),
    (t("TODO: beschrijven", "A path."), "steps[1].image.alt.nl", "placeholder"),
    (t("Een pad.", "   "), "steps[1].image.alt.en", "no alt"),
    ({"nl": "Een pad."}, "steps[1].image.alt.en", "no alt"),
    (None, "steps[1].image.alt", "no alt"),
])
def test_an_image_without_a_real_text_alternative_is_warned(alt: Any, path: str,
                                                             what: str) -> None:
    step = text_step("t", "Kijk.", "Look.", image=image(alt))
    [warning] = of_rule(module([opening(), step]), "alt-text")
    assert warning.path == path
    assert what in warning.message


def test_alt_text_that_says_it_is_an_image_is_warned_with_a_shorter_one() -> None:
    step = text_step("t", "Kijk.", "Look.",
                     image=image(t("Afbeelding van een zonnig pad.", "A sunny path.")))
    [warning] = of_rule(module([opening(), step]), "alt-text")
    assert warning.suggestion == "Een zonnig pad."
    assert "screen readers already say so" in warning.message


def test_the_cover_and_illustrations_are_images_too() -> None:
    content = module([{**opening(), "illustration": image(t("plaatje", "picture"))}])
    content["module"]["cover"]["alt"] = t("Foto", "A sun.")
    assert [(w.file, w.path) for w in of_rule(content, "alt-text")] == [
        ("proef/module.json", "cover.alt.nl"),
        ("proef/lessons/les-1.json", "steps[0].illustration.alt.nl"),
        ("proef/lessons/les-1.json", "steps[0].illustration.alt.en"),
    ]


def test_a_described_image_is_fine() -> None:
    step = text_step("t", "Kijk.", "Look.", image=image(t("Een zon boven een rustig dorp.",
                                                          "A sun above a quiet village.")))
    assert of_rule(module([opening(), step]), "alt-text") == []


@pytest.mark.parametrize(("transcript", "path"), [
    (None, "steps[1].audio.transcript"),
    (t("Transcript volgt", "Tom: what helped me."), "steps[1].audio.transcript.nl"),
    (t("Tom: wat mij hielp.", " "), "steps[1].audio.transcript.en"),
    (t("Tom: wat mij hielp.", "TBD"), "steps[1].audio.transcript.en"),
])
def test_audio_without_a_transcript_is_warned(transcript: Any, path: str) -> None:
    audio: dict[str, Any] = {"src": "proef/tom.mp3"}
    if transcript is not None:
        audio["transcript"] = transcript
    [warning] = of_rule(module([opening(), text_step("t", "Luister.", "Listen.", audio=audio)]),
                        "transcript")
    assert warning.path == path


def test_video_without_a_transcript_is_warned_and_a_real_one_is_fine() -> None:
    video = {"src": "proef/film.mp4", "transcript": t("…", "…")}
    step = experience("tip", t("Wat mij hielp: klein beginnen.", "What helped me: small steps."))
    step["video"] = video
    assert len(of_rule(module([opening(), step]), "transcript")) == 2
    video["transcript"] = t("Sara: ik begon klein.", "Sara: I started small.")
    assert of_rule(module([opening(), step]), "transcript") == []


def test_a_transcript_keeps_its_long_sentences_but_not_its_words_to_avoid() -> None:
    said = f"Sara: {LONG_SENTENCE[:-1]} en toen werden mijn klachten minder."
    audio = {"src": "proef/sara.mp3", "transcript": t(said, "Sara: it helped.")}
    warnings = writing_warnings(module([opening(), text_step("t", "Luister.", audio=audio)]))
    assert [(w.path, w.rule) for w in warnings] == [("steps[1].audio.transcript.nl", "avoid-word")]


@pytest.mark.parametrize(("tip", "path"), [
    (t("   ", "What helped me: small steps."), "steps[1].tip.nl"),
    (t("Wat mij hielp: kleine stappen.", "TODO"), "steps[1].tip.en"),
    ({"nl": "Wat mij hielp: kleine stappen."}, "steps[1].tip.en"),
    ({}, "steps[1].tip.nl"),
    (None, "steps[1].tip"),
])
def test_an_empty_experience_tip_is_warned(tip: Any, path: str) -> None:
    warnings = of_rule(module([opening(), experience("tip", tip)]), "empty-tip")
    assert warnings
    assert warnings[0].path == path
    assert "share what helped" in warnings[0].message


def test_a_real_tip_is_fine() -> None:
    step = experience("tip", t("Wat mij hielp: elke avond één ding opschrijven dat lukte.",
                               "What helped me: writing down one thing that worked."))
    assert of_rule(module([opening(), step]), "empty-tip") == []


# -- one language, order, invalid content ----------------------------------------------------


def test_a_single_language_module_has_paths_without_a_language() -> None:
    content = module([{"id": "t", "type": "text", "body": "Over je klachten."}],
                     languages=("nl",))
    assert load_module_content(content, MEDIA).problems == []
    assert [(w.path, w.rule, w.language) for w in writing_warnings(content)] == [
        ("steps[0]", "opening-first", None), ("steps[0].body", "avoid-word", "nl")]


def test_warnings_come_in_module_order() -> None:
    content = module([opening(), text_step("b", "Klachten.")],
                     [text_step("a", "Symptomen.")])
    content["module"]["lessons"].reverse()
    content["module"]["summary"] = t("Over je patiënten.", "A trial.")
    assert rules(content) == [
        ("proef/module.json", "summary.nl", "avoid-word"),
        ("proef/lessons/les-2.json", "steps[0]", "opening-first"),
        ("proef/lessons/les-2.json", "steps[0].body.nl", "avoid-word"),
        ("proef/lessons/les-1.json", "steps[1].body.nl", "avoid-word"),
    ]


@pytest.mark.parametrize("content", [
    None, [], "module", {}, {"module": 5, "lessons": []},
    {"module": {"lessons": ["a", 3, None, "a"]}, "lessons": {"a": "not a lesson"}},
    {"module": {"languages": "nl", "lessons": ["a"]}, "lessons": {"a": {"steps": "none"}}},
    {"module": {"languages": [1, 2]}, "lessons": {"a": {"steps": [None, 3, {"type": 5}]}}},
    {"module": {"cover": "x.svg", "title": {"nl": 5, 3: "x"}},
     "lessons": {"a": {"steps": [{"type": "text", "body": ["Klachten"], "image": "x",
                                  "audio": {"transcript": 7}, "video": []},
                                 {"type": "experience", "tip": 5, "speaker": "x"},
                                 {"type": "reflection", "questions": [None, {"question": []}]},
                                 {"type": "opening"}]}}},
])
def test_invalid_content_does_not_crash(content: Any) -> None:
    warnings = writing_warnings(content)
    assert all(isinstance(w, WritingWarning) and w.message for w in warnings)


def test_a_draft_with_problems_still_gets_its_warnings() -> None:
    content = module([text_step("t", "Over je klachten.", "Hi.", image={"alt": "plaatje"}),
                      {"id": "kapot", "type": "onbekend", "body": "Klachten."}])
    assert load_module_content(content, MEDIA).problems
    assert rules(content) == [
        ("proef/lessons/les-1.json", "steps[0]", "opening-first"),
        ("proef/lessons/les-1.json", "steps[0].body.nl", "avoid-word"),
        ("proef/lessons/les-1.json", "steps[0].image.alt", "alt-text"),
    ]


def test_a_huge_text_is_checked_quickly() -> None:
    huge = "klacht" * 20_000 + " wat " * 5_000 + "a" * 50_000
    content = module([opening(), text_step("t", huge)])
    started = time.perf_counter()
    writing_warnings(content)
    assert time.perf_counter() - started < 10


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30)
    | st.sampled_from(["opening", "text", "experience", "reflection", "nl", "en", "klacht",
                       "  ", "krachtbronnen/cover.svg"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "type", "steps", "body", "tip", "image", "alt", "audio",
                         "transcript", "questions", "question", "nl", "en", "languages",
                         "lessons", "cover", "title"]) | st.text(max_size=5),
        children, max_size=5),
    max_leaves=15,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(module_doc=json_values, lesson=json_values, step=json_values)
def test_any_json_in_any_place_gives_warnings_not_errors(
        module_doc: Any, lesson: Any, step: Any) -> None:
    valid = module([opening(), text_step("t", "Hallo.")])
    for content in (
        {"module": module_doc, "lessons": valid["lessons"]},
        {"module": valid["module"], "lessons": {"les-1": lesson}},
        {"module": valid["module"], "lessons": {"les-1": {"id": "les-1", "steps": [step]}}},
    ):
        assert isinstance(writing_warnings(copy.deepcopy(content)), list)


def test_the_word_list_in_the_writing_docs_is_the_one_checked() -> None:
    doc = (ROOT / "docs" / "writing-modules.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (nl|en) \| ([^|]+?) \| ([^|]+?) \|$", doc, re.M)
    assert [(language, word) for language, word, _ in rows] == [
        (word.language, word.word) for word in AVOID_WORDS]
    assert "[Writing modules](writing-modules.md)" in \
        (ROOT / "docs" / "module-format.md").read_text(encoding="utf-8")


# -- the shipped modules ---------------------------------------------------------------------

# Read and judged (see the report of issue 9): the two lessons that do not open with an opening
# step, and four image descriptions and one questionnaire introduction with a sentence of 21-27
# words. The shipped modules are published, so they are not changed here; a new version of a
# module may fix these.
SHIPPED_WARNINGS = Counter({
    ("mijn-mensen/lessons/contact-maken.json", "steps[0]", "opening-first"): 1,
    ("wat-gaat-er-goed/lessons/een-kleine-stap.json", "steps[0]", "opening-first"): 1,
    ("aansluiten-bij-je-kracht/lessons/hoe-gaat-het.json", "steps[5].image.alt.nl",
     "sentence-length"): 1,
    ("aansluiten-bij-je-kracht/lessons/hoe-gaat-het.json", "steps[5].image.alt.en",
     "sentence-length"): 1,
    ("aansluiten-bij-je-kracht/lessons/de-vragenlijst.json", "steps[1].intro.nl",
     "sentence-length"): 1,
    ("ik-ben-ik-kan/lessons/vier-krachten.json", "steps[2].image.alt.nl", "sentence-length"): 1,
    ("ik-ben-ik-kan/lessons/vier-krachten.json", "steps[2].image.alt.en", "sentence-length"): 1,
})


def test_the_shipped_modules_give_only_the_warnings_that_were_judged() -> None:
    library = load_library([ROOT / "modules"], MEDIA)
    assert library.problems == []
    found = Counter((w.file, w.path, w.rule) for m in library.modules
                    for w in writing_warnings(m.content))
    assert found == SHIPPED_WARNINGS
