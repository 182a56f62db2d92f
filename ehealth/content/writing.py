"""Writing checks for recovery-oriented modules: warnings for authors, never errors.

``writing_warnings(content)`` reads a module's content in its stored shape
(``{"module": <module.json>, "lessons": {<lesson id>: <lesson>}}``) and returns one
``WritingWarning`` per place where the text departs from the writing rules in
``docs/writing-modules.md``: a lesson that does not open with an ``opening`` step, a problem
question before any question about what goes well, words to avoid (with a kinder alternative),
long sentences, many long words, a low readability score, images without a real text
alternative, audio or video without a transcript, and an empty tip from an experience expert.

Each warning names the file and the JSON path exactly as the checker's problems do
(``<module-id>/lessons/<lesson>.json``, ``steps[3].questions[0].question.nl``), so the command
line can print it and the editor can show it next to the field.

Texts are found through the schemas: every ``TextField``/``MarkdownField`` of ``module.json``,
of a lesson and of each step type in the registry (and of the media and lists inside them) is
checked, so a new step type's texts are checked without code here. The function is pure and
never raises: it runs on drafts with problems too, and skips whatever it cannot read.

Readability is scored by ``textstat``: Flesch–Douma for Dutch, Flesch reading ease for English.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import PurePosixPath
from typing import Any

from markdown_it import MarkdownIt
from marshmallow import Schema, fields
from textstat.textstat import textstatistics  # type: ignore[import-untyped]  # 0.7.8: see pyproject

from ehealth.content.fields import AudioSchema, ImageSchema, MarkdownField, TextField, VideoSchema
from ehealth.content.problems import join_path
from ehealth.content.schema import LessonSchema, ModuleSchema, StepField, declared_languages
from ehealth.content.steps import STEP_TYPES

# -- thresholds (the reasons are in docs/writing-modules.md) ------------------------------------

# B1 guidance for Dutch (and plain English) keeps sentences to about 15 words on average and
# warns from 20 on: one idea per sentence.
MAX_SENTENCE_WORDS = 20
# A word is long from this many letters (Dutch glues nouns together: "ervaringsdeskundige" has
# 19). Names (a capital letter inside a sentence) do not count.
LONG_WORD_LETTERS = {"nl": 14, "en": 13}
# More long words than this in one text are warned about: one or two a reader can manage.
MAX_LONG_WORDS = 2
# Readability (0-100, higher is easier) at or above which a text counts as B1-level: on both
# Flesch-Douma (Dutch) and Flesch reading ease (English), 60-70 is plain, "normal" text and
# below 60 fairly hard.
READABILITY_TARGET = {"nl": 60.0, "en": 60.0}
READABILITY_FORMULA = {"nl": "Flesch-Douma", "en": "Flesch reading ease"}
# Below this many words a reading-ease score says little about a text: it is not scored.
MIN_WORDS_TO_SCORE = 30

# Field names of texts that ask the client something (a new step type using these names is
# covered by the "goes well first" rule without code here).
QUESTION_FIELDS = frozenset({"question", "prompt", "follow_up", "mood_question"})
# Fields that reproduce what was said (a recording): only the word list applies, since the
# recording decides the sentences.
VERBATIM_FIELDS = frozenset({"transcript"})


@dataclass(frozen=True)
class WritingWarning:
    """One place where a text departs from the writing rules: ``file: path: message``.

    ``rule`` is a short code (``"avoid-word"``, ``"readability"``, …); ``language`` is the
    language of the text the warning is about, or None for warnings about the module's
    structure; ``suggestion`` is a kinder wording or a way to fix it, when there is one.
    """

    file: str
    path: str
    rule: str
    language: str | None
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        text = f"{self.file}: {self.path}: {self.message}"
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass(frozen=True)
class AvoidWord:
    """A word to avoid in one language, with the kinder alternative to use instead.

    ``word`` is matched case-insensitively, as a whole word, with its usual inflections
    (plurals, verb forms; in Dutch also inside compounds such as "angststoornis"); a phrase
    such as "lijden aan" also matches with up to two words in between ("lijd je aan").
    ``alternative`` is the kinder wording; several are separated by " / ". ``forms`` adds
    irregular forms the rules would miss ("leed aan"). ``pattern``, when given, is a regular
    expression used instead of all that, for a word that is fine in some senses ("patient":
    the noun, not "be patient").
    """

    language: str
    word: str
    alternative: str
    forms: tuple[str, ...] = ()
    pattern: str = ""


AVOID_WORDS: tuple[AvoidWord, ...] = (
    AvoidWord("nl", "klacht", "wat je last geeft / waar je tegenaan loopt"),
    AvoidWord("nl", "stoornis", "wat je meemaakt / noem wat iemand merkt of voelt"),
    AvoidWord("nl", "symptoom", "wat je merkt / wat je voelt"),
    AvoidWord("nl", "patiënt", "cliënt / je"),
    AvoidWord("nl", "lijden aan", "last hebben van / te maken hebben met",
              forms=("lijden aan", "lijdt aan", "lijd aan", "leed aan")),
    AvoidWord("en", "complaint", "what bothers you / what you are dealing with"),
    AvoidWord("en", "disorder", "what you are going through / name what the person notices"),
    AvoidWord("en", "symptom", "what you notice / what you feel"),
    # Only the noun: "patients", or "patient" after a word that makes it one ("a patient",
    # "the patient"), unless a noun follows that it describes ("a patient listener").
    AvoidWord("en", "patient", "client / you", pattern=(
        r"\bpatients\b|\b(?:the|a|as\s+a|every|each|one|other|fellow|our|your|my|their|his|"
        r"her|new|former)\s+patient\b(?!\s+(?:with|for|and|or|person|people|man|woman|friend|"
        r"listener|parent|approach|way|attitude)\b)(?![\w-])")),
    AvoidWord("en", "suffer from", "live with / deal with / have"),
)


# -- the rules ----------------------------------------------------------------------------------


def writing_warnings(
    module_content: Any,
    extra_words: Sequence[AvoidWord] = (),
    *,
    label: str | None = None,
) -> list[WritingWarning]:
    """Every writing warning for a module's content, in module order.

    ``module_content`` is ``{"module": <module.json>, "lessons": {<id>: <lesson>}}`` (the
    lessons run in the order of the module's ``"lessons"``); ``extra_words`` extends the list
    of words to avoid (an organisation's own list); ``label`` names the module in the file
    names (default: its id, as for stored content; the command line passes the folder).
    Invalid content is read as far as possible, never raised on.
    """
    if not isinstance(module_content, dict):
        return []
    module_doc = module_content.get("module")
    lessons = module_content.get("lessons")
    module_doc = module_doc if isinstance(module_doc, dict) else {}
    lessons = lessons if isinstance(lessons, dict) else {}
    module_id = module_doc.get("id")
    name = label or (module_id if isinstance(module_id, str) and module_id else "module")
    languages = declared_languages(module_doc) or ["nl"]
    words = tuple(AVOID_WORDS) + tuple(w for w in extra_words if isinstance(w, AvoidWord))

    documents: list[tuple[str, Schema, dict[str, Any]]] = [
        (f"{name}/module.json", _schema(ModuleSchema), module_doc)]
    for lesson_id in _lesson_order(module_doc, lessons):
        lesson = lessons[lesson_id]
        if isinstance(lesson, dict):
            documents.append((f"{name}/lessons/{lesson_id}.json", _schema(LessonSchema), lesson))

    found: list[tuple[int, int, int, WritingWarning]] = []

    def add(rank: int, step: int, warning: WritingWarning) -> None:
        found.append((rank, step, len(found), warning))

    seen_goes_well = False
    problem_reported = False
    for rank, (file, schema, doc) in enumerate(documents):
        if rank > 0:
            warning = _opening_first(file, doc, first=rank == 1)
            if warning:
                add(rank, 0, warning)
        for node in _walk(schema, doc, "$", languages[0]):
            step = _step_index(node.path)
            if isinstance(node, _Media):
                for warning in _media_warnings(file, node, languages):
                    add(rank, step, warning)
                continue
            for warning in _text_warnings(file, node, words):
                add(rank, step, warning)
            if rank > 0 and node.name in QUESTION_FIELDS and not problem_reported:
                if _goes_well(node):
                    seen_goes_well = True
                elif not seen_goes_well:
                    problem = _problem_question(file, node)
                    if problem:
                        add(rank, step, problem)
                        problem_reported = True
            if rank > 0 and node.name == "tip" and node.step_type == "experience":
                for warning in _empty_tip(file, node, languages):
                    add(rank, step, warning)
        if rank > 0:
            for warning in _missing_tip(file, doc):
                add(rank, _step_index(warning.path), warning)
    found.sort(key=lambda item: item[:3])
    return [warning for *_, warning in found]


def _lesson_order(module_doc: dict[str, Any], lessons: dict[str, Any]) -> list[str]:
    """The lesson ids in module order: those listed and present, each once."""
    listed = module_doc.get("lessons")
    order: list[str] = []
    for lesson_id in listed if isinstance(listed, list) else list(lessons):
        if isinstance(lesson_id, str) and lesson_id in lessons and lesson_id not in order:
            order.append(lesson_id)
    return order


def _opening_first(file: str, lesson: dict[str, Any], first: bool) -> WritingWarning | None:
    steps = lesson.get("steps")
    if not isinstance(steps, list) or not steps or not isinstance(steps[0], dict):
        return None
    kind = steps[0].get("type")
    if kind == "opening":
        return None
    kind_text = (f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} step" if isinstance(kind, str)
                 else "a step")
    where = "The module opens" if first else "This lesson opens"
    return WritingWarning(
        file, "steps[0]", "opening-first", None,
        f"{where} with {kind_text}, not an opening. Start with an opening step on a positive "
        "note: change is possible, and what the client will gain from this "
        f"{'module' if first else 'lesson'}.",
        'Add an "opening" step before it, e.g. "Fijn dat je er bent" / "Good to have you here".',
    )


# -- what goes well comes first -----------------------------------------------------------------

# Conservative word lists: a question is "problem-focused" only when it plainly asks about what
# is wrong, and any sign of strengths, what goes well, what helps or support makes a question
# count as "goes well" (so a mixed question never warns).
_PROBLEM = {
    "nl": [
        r"\blast\b", r"\bklacht\w*", r"(?<!\bgeen\s)\bprobleem\w*", r"(?<!\bgeen\s)\bproblemen\b",
        r"\b(?:wat|waar|welke?)\b[^.?!]{0,200}?\b(?:moeilijk\w*|lastig\w*|zwaar|zware)\b",
        r"\bniet\s+(?:meer\s+)?(?:goed\s+)?(?:gaat|ging|lukt|lukte|loopt|liep)\b",
        r"\b(?:gaat|ging|lukt|lukte|loopt|liep)\s+(?:er\s+)?(?:\w+\s+)?niet\b",
        r"\b(?:mis|fout)\s*(?:gaat|ging|loopt|liep)\b",
        r"\b(?:gaat|ging|loopt|liep)\s+(?:er\s+)?(?:\w+\s+)?(?:mis|fout)\b",
        r"\bdwars\b", r"\btegenaan\b",
        r"\bzorgen\s+(?:over|om)\b", r"\bbang\b", r"\bangst\w*", r"\bpieker\w*",
        r"\bontevreden\b", r"\bniet\s+tevreden\b", r"\bstoort\b", r"\bsomber\w*",
    ],
    "en": [
        r"\bbother\w*", r"\btroubl\w*", r"(?<!\bno\s)\bproblem\w*", r"\bcomplain\w*",
        r"\bstruggl\w*",
        r"\b(?:what|where|which)\b[^.?!]{0,200}?\b(?:difficult|hard|tough)\b",
        r"\b(?:does\s*n[o']t|did\s*n[o']t|is\s*n[o']t|are\s*n[o']t|not)\s+"
        r"(?:go(?:ing)?\s+well|work(?:ing)?)\b",
        r"\b(?:go(?:es|ing)?|went)\s+wrong\b", r"\bworr\w*", r"\bafraid\b", r"\bfear\w*",
        r"\banxi\w*", r"\bdissatisfied\b", r"\bunhappy\b", r"\bupset\w*",
    ],
}
_GOES_WELL = {
    "nl": [
        r"\b(?:gaat|ging|gaan|gingen)\s+(?:\w+\s+){0,5}?goed\b", r"\bgoed\s+(?:gaat|ging)\b",
        r"\blukt\w*", r"\blukken\b", r"\btrots\b", r"\btevreden\b", r"\bkracht\w*",
        r"\bsterk\w*", r"\bkwaliteit\w*", r"\bhelpt\b", r"\bhielp\w*", r"\bhelpen\b",
        r"\bgeholpen\b", r"\bfijn\w*", r"\bplezier\w*", r"\bblij\b", r"\bgeniet\w*",
        r"\bbeter\b", r"\bgoed\s+in\b", r"\bdroom\w*", r"\bdromen\b", r"\bsteun\w*",
        r"\bmooi\w*", r"\bdankbaar\b", r"\bwaardeer\w*",
    ],
    "en": [
        r"\b(?:go(?:es|ing)?|went)\s+(?:\w+\s+){0,4}?well\b", r"\bproud\b", r"\bsatisf\w*",
        r"\bhappy\b", r"\bstrength\w*", r"\bstrong\b", r"\bqualit(?:y|ies)\b",
        r"\bhelp(?:s|ed|ing|ful)?\b", r"\benjoy\w*", r"\bgood\s+at\b", r"\bbetter\b",
        r"\bwork(?:s|ed)\b", r"\bdream\w*", r"\bsupport\w*", r"\bgrateful\b",
        r"\bappreciat\w*",
    ],
}


@cache
def _patterns(kind: str, language: str) -> re.Pattern[str] | None:
    table = _PROBLEM if kind == "problem" else _GOES_WELL
    if language not in table:
        return None
    return re.compile("|".join(f"(?:{p})" for p in table[language]), re.IGNORECASE)


def _problem_spans(text: str, language: str) -> list[tuple[int, int]]:
    pattern = _patterns("problem", language)
    return [match.span() for match in pattern.finditer(text)] if pattern else []


def _goes_well(node: _Text) -> bool:
    """Whether a question asks about what goes well (in any of its languages)."""
    for language, _, text in node.entries:
        pattern = _patterns("goes_well", language)
        if pattern is None:
            continue
        problems = _problem_spans(text, language)
        for match in pattern.finditer(text):
            # "lukt" inside "lukt niet" is part of the problem, not a sign of strength.
            if not any(start < match.end() and match.start() < end for start, end in problems):
                return True
    return False


def _problem_question(file: str, node: _Text) -> WritingWarning | None:
    for language, path, text in node.entries:
        if not _problem_spans(text, language):
            continue
        suggestion = ("Wat gaat er goed in je leven?" if language == "nl"
                      else "What goes well in your life?")
        return WritingWarning(
            file, path, "goes-well-first", language,
            f"This question asks about what is hard ({_quote(text)}) before the module has "
            "asked about what goes well. Ask first what goes well, what the client is proud "
            "of or what helps; then this question.",
            f'Ask earlier, e.g. "{suggestion}"',
        )
    return None


# -- texts --------------------------------------------------------------------------------------


def _text_warnings(file: str, node: _Text, words: Sequence[AvoidWord]) -> Iterator[WritingWarning]:
    for language, path, text in node.entries:
        plain = _plain_text(text, node.markdown)
        for word in words:
            if word.language == language:
                warning = _avoid_word(file, path, word, plain)
                if warning:
                    yield warning
        if node.name in VERBATIM_FIELDS:
            continue
        sentences = list(_sentences(plain))
        yield from _sentence_length(file, path, language, sentences)
        yield from _long_words(file, path, language, sentences)
        yield from _readability(file, path, language, sentences)


def _avoid_word(file: str, path: str, word: AvoidWord, plain: str) -> WritingWarning | None:
    pattern = _avoid_pattern(word)
    hits = [match.group(0) for match in pattern.finditer(plain)] if pattern else []
    if not hits:
        return None
    shown = ", ".join(f'"{_collapse(hit)}"' for hit in dict.fromkeys(hits))
    times = f" ({len(hits)} times)" if len(hits) > 1 else ""
    choices = [part.strip() for part in word.alternative.split("/") if part.strip()]
    kinder = " or ".join(f'"{choice}"' for choice in choices)
    return WritingWarning(
        file, path, "avoid-word", word.language,
        f'{shown}{times}: "{word.word}" is on the list of words to avoid: it puts the '
        f"problem or the diagnosis before the person. Write {kinder} instead.",
        word.alternative,
    )


def _sentence_length(file: str, path: str, language: str,
                     sentences: list[str]) -> Iterator[WritingWarning]:
    long = [(len(_words(sentence)), sentence) for sentence in sentences
            if len(_words(sentence)) > MAX_SENTENCE_WORDS]
    if not long:
        return
    count, sentence = max(long, key=lambda item: item[0])
    many = f"{len(long)} sentences have" if len(long) > 1 else "A sentence has"
    yield WritingWarning(
        file, path, "sentence-length", language,
        f"{many} more than {MAX_SENTENCE_WORDS} words; the longest has {count}: "
        f"{_quote(sentence)}. For language level B1, keep to one idea per sentence of at "
        f"most {MAX_SENTENCE_WORDS} words.",
        "Split the sentence in two.",
    )


def _long_words(file: str, path: str, language: str,
                sentences: list[str]) -> Iterator[WritingWarning]:
    limit = LONG_WORD_LETTERS.get(language)
    if limit is None:
        return
    long: list[str] = []
    for sentence in sentences:
        for index, word in enumerate(_LETTERS.findall(sentence)):
            if len(word) >= limit and (index == 0 or not word[0].isupper()):
                long.append(word)
    if len(long) <= MAX_LONG_WORDS:
        return
    shown = ", ".join(dict.fromkeys(long))
    yield WritingWarning(
        file, path, "long-words", language,
        f"{len(long)} long words of {limit} letters or more ({shown}). For language level "
        "B1, prefer short, everyday words.",
        "Use a shorter word, or say it in a few short words.",
    )


def _readability(file: str, path: str, language: str,
                 sentences: list[str]) -> Iterator[WritingWarning]:
    target = READABILITY_TARGET.get(language)
    words = sum(len(_words(sentence)) for sentence in sentences)
    if target is None or words < MIN_WORDS_TO_SCORE:
        return
    score = readability(" ".join(_terminated(sentence) for sentence in sentences), language)
    if score is None or score >= target:
        return
    yield WritingWarning(
        file, path, "readability", language,
        f"Reading ease {score:.0f} ({READABILITY_FORMULA[language]}); the target for "
        f"language level B1 is {target:.0f} or higher. Shorter sentences and shorter words "
        "make the text easier to read.",
        "Use shorter sentences and shorter words.",
    )


def readability(text: str, language: str) -> float | None:
    """The reading ease of a plain text (0-100, higher is easier), by textstat.

    Flesch-Douma for Dutch, Flesch reading ease for English; None for other languages.
    """
    scorer = _scorer(language)
    if scorer is None or not text.strip():
        return None
    try:
        return float(scorer.flesch_reading_ease(text))
    except Exception:  # odd input (a draft): no score rather than a crash
        return None


@cache
def _scorer(language: str) -> Any:
    if language not in READABILITY_TARGET:
        return None
    scorer = textstatistics()
    scorer.set_lang(language)
    return scorer


# -- media and tips -----------------------------------------------------------------------------

_PLACEHOLDERS = frozenset({
    "afbeelding", "plaatje", "foto", "illustratie", "tekening", "image", "picture", "photo",
    "illustration", "drawing", "img", "alt", "alt text", "alt tekst", "alttekst", "todo",
    "to do", "tbd", "tba", "n/a", "nvt", "tekst", "text", "transcript", "transcriptie",
    "uitgeschreven tekst", "volgt", "volgt nog", "komt nog", "follows", "to follow",
    "placeholder", "lorem ipsum", "xxx", "x", "tip", "...", "…", "-", "?",
})
_PLACEHOLDER_START = re.compile(r"^\s*(?:todo|tbd|fixme|lorem ipsum)\b", re.IGNORECASE)
# "Transcript volgt", "Tekst komt later", "Text to follow", "Coming soon", …
_PLACEHOLDER_PHRASE = re.compile(
    r"^(?:(?:de\s+|het\s+|the\s+)?(?:transcript(?:ie)?|tekst|text|alt(?:\s*te(?:ks|x)t)?|"
    r"beschrijving|description|tip)\s+)?(?:volgt|komt|follows|to\s+follow|coming|tbd|tba)"
    r"(?:\s+(?:nog|later|soon|snel))?$", re.IGNORECASE)
_IMAGE_OF = {
    "nl": re.compile(r"^\s*(?:een\s+)?(?:afbeelding|plaatje|foto|illustratie|tekening)\s+"
                     r"(?:van|met)\b", re.IGNORECASE),
    "en": re.compile(r"^\s*(?:an?\s+)?(?:image|picture|photo|illustration|drawing)\s+"
                     r"(?:of|with|showing)\b", re.IGNORECASE),
}
_FILE_NAME = re.compile(r"\.(?:svg|png|jpe?g|webp|gif|mp3|ogg|oga|m4a|wav|mp4|webm)\s*$",
                        re.IGNORECASE)


def _is_placeholder(text: str, src: Any = None) -> bool:
    normal = " ".join(re.sub(r"[\s_\-:.]+", " ", text.strip().lower()).split())
    if text.strip() in _PLACEHOLDERS or normal in _PLACEHOLDERS:
        return True
    if _PLACEHOLDER_START.match(text) or _PLACEHOLDER_PHRASE.match(normal) \
            or _FILE_NAME.search(text):
        return True
    if isinstance(src, str) and src.strip():
        stem = PurePosixPath(src).stem.lower()
        if normal in {stem, " ".join(re.split(r"[\s_\-]+", stem))}:
            return True
    return False


def _media_warnings(file: str, node: _Media, languages: list[str]) -> Iterator[WritingWarning]:
    field_name = "alt" if node.kind == "image" else "transcript"
    rule = "alt-text" if node.kind == "image" else "transcript"
    what = {"image": "This image", "audio": "This audio fragment", "video": "This video"}[node.kind]
    need = ("a text alternative (alt): what the image shows, for people who cannot see it"
            if node.kind == "image" else
            "a transcript: everything that is said, for people who cannot listen")
    path = join_path(node.path, field_name)
    raw = node.data.get(field_name)
    entries: list[tuple[str, str, Any]]
    if isinstance(raw, str):
        entries = [(languages[0], path, raw)]
    elif isinstance(raw, dict):
        entries = [(language, join_path(path, language), raw.get(language))
                   for language in languages]
        entries += [(language, join_path(path, language), text)
                    for language, text in raw.items()
                    if isinstance(language, str) and language not in languages]
    else:
        yield WritingWarning(file, path, rule, None, f"{what} has no {field_name}: give it {need}.")
        return
    src = node.data.get("src")
    for language, entry_path, text in entries:
        if not isinstance(text, str) or not text.strip():
            yield WritingWarning(
                file, entry_path, rule, language,
                f"{what} has no {field_name} in {language!r}: give it {need}.")
        elif _is_placeholder(text, src):
            yield WritingWarning(
                file, entry_path, rule, language,
                f"{what} has a placeholder {field_name} ({_quote(text)}): give it {need}.")
        elif node.kind == "image" and language in _IMAGE_OF and _IMAGE_OF[language].match(text):
            rest = _IMAGE_OF[language].sub("", text, count=1).strip()
            yield WritingWarning(
                file, entry_path, rule, language,
                f"The text alternative starts by saying it is an image ({_quote(text)}); "
                "screen readers already say so. Describe only what the image shows.",
                rest[:1].upper() + rest[1:] if rest else None)


def _empty_tip(file: str, node: _Text, languages: list[str]) -> Iterator[WritingWarning]:
    present = {language for language, _, _ in node.entries}
    for language, path, text in node.entries:
        if not text.strip() or _is_placeholder(text):
            yield _tip_warning(file, path, language, text)
    for language in languages:
        if language not in present and node.dict_value:
            yield _tip_warning(file, join_path(node.path, language), language, "")


def _missing_tip(file: str, lesson: dict[str, Any]) -> Iterator[WritingWarning]:
    """Experience steps without any tip at all (the walk sees no text there)."""
    steps = lesson.get("steps")
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        if isinstance(step, dict) and step.get("type") == "experience" \
                and not isinstance(step.get("tip"), str | dict):
            yield _tip_warning(file, f"steps[{index}].tip", None, "")


def _tip_warning(file: str, path: str, language: str | None, text: str) -> WritingWarning:
    what = f"a placeholder ({_quote(text)})" if text.strip() else "empty"
    where = f" in {language!r}" if language else ""
    return WritingWarning(
        file, path, "empty-tip", language,
        f"The tip from the experience expert is {what}{where}. Let them share what helped "
        "them: one concrete thing they did that worked.",
        'For example: "Wat mij hielp: elke avond één ding opschrijven dat lukte."'
        if language in (None, "nl") else
        'For example: "What helped me: writing down one thing that worked every evening."',
    )


# -- walking the content ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    """A translated text field: its path, field name and entries (language, path, text)."""

    path: str
    name: str
    markdown: bool
    entries: tuple[tuple[str, str, str], ...]
    step_type: str | None
    dict_value: bool


@dataclass(frozen=True)
class _Media:
    """An image, audio fragment or video object, as written."""

    path: str
    kind: str
    data: dict[str, Any]


_MEDIA_KINDS: dict[type[Schema], str] = {
    ImageSchema: "image", AudioSchema: "audio", VideoSchema: "video"}


@cache
def _schema(schema_class: type[Schema]) -> Schema:
    return schema_class()


def _nested_class(field: fields.Nested) -> type[Schema] | None:
    nested = field.nested
    if isinstance(nested, Schema):
        return type(nested)
    if isinstance(nested, type) and issubclass(nested, Schema):
        return nested
    return None


def _walk(schema: Schema, data: Any, path: str, first_language: str,
          step_type: str | None = None) -> Iterator[_Text | _Media]:
    """The texts and media in ``data`` (a raw document) that ``schema`` declares, in order."""
    if not isinstance(data, dict):
        return
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key in data:
            yield from _walk_field(field, key, data[key], join_path(path, key), first_language,
                                   step_type)


def _walk_field(field: fields.Field, name: str, value: Any, path: str, first_language: str,
                step_type: str | None) -> Iterator[_Text | _Media]:
    if isinstance(field, TextField):
        entries = _entries(value, path, first_language)
        if entries or isinstance(value, dict):
            yield _Text(path, name, isinstance(field, MarkdownField), entries, step_type,
                        isinstance(value, dict))
    elif isinstance(field, StepField):
        kind = value.get("type") if isinstance(value, dict) else None
        if isinstance(kind, str) and kind in STEP_TYPES:
            yield from _walk(_schema(STEP_TYPES[kind].schema), value, path, first_language, kind)
    elif isinstance(field, fields.Nested):
        nested = _nested_class(field)
        if nested is None:
            return
        items = enumerate(value) if field.many and isinstance(value, list) else [(None, value)]
        for index, item in items:
            item_path = path if index is None else join_path(path, index)
            if nested in _MEDIA_KINDS and isinstance(item, dict):
                yield _Media(item_path, _MEDIA_KINDS[nested], item)
            yield from _walk(_schema(nested), item, item_path, first_language, step_type)
    elif isinstance(field, fields.List) and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_field(field.inner, name, item, join_path(path, index),
                                   first_language, step_type)


def _entries(value: Any, path: str, first_language: str) -> tuple[tuple[str, str, str], ...]:
    if isinstance(value, str):
        return ((first_language, path, value),)
    if isinstance(value, dict):
        return tuple((language, join_path(path, language), text)
                     for language, text in value.items()
                     if isinstance(language, str) and isinstance(text, str))
    return ()


_STEP_INDEX = re.compile(r"^steps\[(\d+)\]")


def _step_index(path: str) -> int:
    match = _STEP_INDEX.match(path)
    return int(match.group(1)) if match else -1


# -- plain text, sentences, words ---------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark")
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_LETTERS = re.compile(r"[^\W\d_]+")
_SENTENCE = re.compile(r"[^.!?…]*(?:[.!?…]+[\"'”’»)\]]*|$)")


def _plain_text(text: str, markdown: bool) -> str:
    """The text as a reader sees it: Markdown marks removed, one line per block."""
    if not markdown:
        return text
    lines: list[str] = []
    for token in _MARKDOWN.parse(text):
        if token.type == "inline":
            parts: list[str] = []
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type == "softbreak":
                    parts.append(" ")
                elif child.type == "hardbreak":
                    parts.append("\n")
            lines.append("".join(parts))
        elif token.type in ("code_block", "fence"):
            lines.append(token.content)
    return "\n".join(lines)


def _sentences(plain: str) -> Iterator[str]:
    """Sentences, taking every line (paragraph, list item) as ending one."""
    for line in plain.splitlines():
        for match in _SENTENCE.finditer(line):
            sentence = match.group(0).strip()
            if _WORD.search(sentence):
                yield sentence


def _words(sentence: str) -> list[str]:
    return _WORD.findall(sentence)


def _terminated(sentence: str) -> str:
    """A sentence with an end mark, so that a list item counts as a sentence when scoring."""
    return sentence if re.search(r"[.!?…][\"'”’»)\]]*$", sentence) else f"{sentence}."


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _quote(text: str, words: int = 12) -> str:
    parts = _collapse(text).split(" ")
    shown = " ".join(parts[:words]) + ("…" if len(parts) > words else "")
    return f'"{shown}"'


# -- matching words to avoid --------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _avoid_pattern(word: AvoidWord) -> re.Pattern[str] | None:
    """The pattern that finds ``word`` with its inflections (None: nothing to look for)."""
    if word.pattern:
        try:
            return re.compile(word.pattern, re.IGNORECASE)
        except re.error:
            return None
    base = unicodedata.normalize("NFC", " ".join(word.word.lower().split()))
    if not _WORD.search(base):
        return None
    forms = [unicodedata.normalize("NFC", " ".join(form.lower().split())) for form in word.forms]
    forms = [form for form in dict.fromkeys([*forms, *_inflections(base, word.language)]) if form]
    phrase = " " in base
    compound = word.language == "nl" and not phrase and len(base) >= 5
    alternatives = []
    for form in sorted(forms, key=len, reverse=True):
        head, _, rest = form.partition(" ")
        text = _letters_pattern(head)
        if rest:
            text += r"(?:\s+[^\W_]+){0,2}?\s+" + _letters_pattern(rest)
        alternatives.append(text)
    # Up to 30 letters either side: "angststoornis", "klachtgericht" (and a bounded search).
    letters = r"[^\W\d_]{0,30}" if compound else ""
    body = f"{letters}(?:{'|'.join(alternatives)}){letters}"
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])", re.IGNORECASE)


def _letters_pattern(text: str) -> str:
    """``text`` as a pattern in which an accented letter also matches without its accent."""
    out = []
    for char in text:
        base = unicodedata.normalize("NFD", char)[0]
        if char.isspace():
            out.append(r"\s+")
        elif base != char:
            out.append(f"[{re.escape(char)}{re.escape(base)}]")
        else:
            out.append(re.escape(char))
    return "".join(out)


_VOWELS = "aeiouy"


def _inflections(word: str, language: str) -> Iterable[str]:
    """Regular forms of a word (or of a phrase's first word): plurals and verb forms."""
    head, _, rest = word.partition(" ")
    tail = f" {rest}" if rest else ""
    yield word
    if language == "nl":
        forms = [head + "en", head + "s", head + "e"]
        if head.endswith("nis"):
            forms.append(head + "sen")
        if len(head) >= 3 and head[-3] == head[-2] and head[-2] in "aeou" \
                and head[-1] not in _VOWELS:
            forms.append(head[:-2] + head[-1] + "en")  # symptoom -> symptomen
        if rest and head.endswith("en"):
            stem = head[:-2]
            if len(stem) >= 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
                stem = stem[:-1]  # zitten -> zit
            forms += [stem, stem + "t", stem + "te", stem + "de", stem + "ten", stem + "den"]
    elif language == "en":
        forms = [head + "s", head + "es", head + "ed", head + "d", head + "ing"]
        if head.endswith("y") and len(head) > 1 and head[-2] not in _VOWELS:
            forms += [head[:-1] + "ies", head[:-1] + "ied"]
        if head.endswith("e"):
            forms.append(head[:-1] + "ing")
    else:
        forms = []
    for form in forms:
        yield form + tail
