"""The diary: short dated entries the client writes over days, each with an optional mood.

The answer is ``{"entries": [{"date": "2026-03-02", "text": "…", "mood": 7}, …],
"private": false}``, oldest entry first, at most one entry a day; ``mood`` is 0-10 or null
(always null when the step does not ask for it). A new entry is dated the day it is written, in
the app's time zone. Entries stay as they were written: only the latest one can still be
changed, and none can be removed. On the day a new entry is added, the one before it stays open
too, so a form that showed both (the player shows the latest entry and a new one for today)
can still be saved while the client types.

The player's form holds every entry (``entry.<n>.date``, ``entry.<n>.text``,
``entry.<n>.mood``; the earlier ones as hidden fields) and a slot for today's entry
(``new.text``, ``new.mood``), so parsing it needs nothing but the form, as for every type.
The moods are the diary's scores: the therapist's record draws them as a line over time.
Conditions (``show_if``) cannot test a diary: its answer keeps changing over the days.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import has_app_context
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ehealth.content.fields import MarkdownField, StrictBoolean, StrictInteger, TextField
from ehealth.content.steps.base import (
    MAX_ANSWER_ITEMS,
    AnswerableStepSchema,
    FormFields,
    Score,
    StepType,
    first,
    form_number,
    sample_texts,
)

MAX_ENTRY_TEXT = 1_000  # characters: a diary entry is short
MAX_ENTRIES = MAX_ANSWER_ITEMS
MOOD_MIN, MOOD_MAX = 0, 10
_ENTRY_FIELD = re.compile(r"entry\.([0-9]{1,6})\.date")


def today() -> dt.date:
    """The client's today: in the app's time zone (Europe/Amsterdam), else the server's."""
    if has_app_context():
        return dt.datetime.now(get_timezone()).date()
    return dt.date.today()


class DiarySchema(AnswerableStepSchema):
    """A question the client answers in a short entry, day after day, with an optional mood."""

    title = TextField(required=True)
    intro = MarkdownField()
    prompt = TextField(required=True, metadata={
        "description": 'Asked for every entry, e.g. "Wat ging er vandaag goed?"'})
    hint = TextField(metadata={"description": "A short help text under the prompt."})
    ask_mood = StrictBoolean(
        load_default=True, metadata={"description": "Ask for a mood from 0 to 10 with each "
                                     "entry (optional for the client)."})
    mood_question = TextField(metadata={
        "description": "The mood question; without it the client reads a standard one."})
    allow_private = StrictBoolean(
        load_default=False,
        metadata={"description": 'Offer "keep this to myself": the therapist never sees it.'},
    )


class DiaryEntrySchema(Schema):
    """One day's entry."""

    date = fields.Date(required=True)
    text = fields.String(required=True, validate=validate.Length(max=MAX_ENTRY_TEXT))
    mood = StrictInteger(load_default=None, allow_none=True,
                         validate=validate.Range(min=MOOD_MIN, max=MOOD_MAX))

    @validates_schema
    def _words(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("text", "x").strip():
            raise ValidationError("Write a few words in this entry.", field_name="text")


class DiaryAnswerSchema(Schema):
    """``{"entries": [{"date": "YYYY-MM-DD", "text": "…", "mood": 0-10|null}], "private": b}``."""

    entries = fields.List(fields.Nested(DiaryEntrySchema), load_default=list,
                          validate=validate.Length(max=MAX_ENTRIES))
    private = StrictBoolean(load_default=False)


@dataclass(frozen=True)
class Entry:
    """A diary entry as a page shows it: the day, the words, the mood (None: not given)."""

    date: str  # ISO, as stored (or as typed into a form that could not be saved)
    text: str
    mood: int | None
    number: int | None = None  # its place in the player's form; None for today's new entry

    @property
    def prefix(self) -> str:
        """The start of its field names in the player's form."""
        return "new" if self.number is None else f"entry.{self.number}"

    @property
    def day(self) -> dt.date | None:
        """The date as a date (None when it is not a valid one)."""
        try:
            return dt.date.fromisoformat(self.date)
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class DiaryForm:
    """What the player's diary form shows: which entries the client can still change."""

    today: dt.date
    earlier: list[Entry]  # as written, newest first
    latest: Entry | None  # the latest entry from an earlier day, still open for changes
    current: Entry  # today's entry: the one written today, or a new one (maybe empty)
    moods: dict[str, str]  # each entry's mood as in the form, by prefix ("" for none)


def _mood(raw: str) -> Any:
    raw = raw.strip()
    return form_number(raw) if raw else None


def _shown_mood(raw: str) -> int | None:
    value = _mood(raw)
    return value if isinstance(value, int) else None


class Diary(StepType):
    name = "diary"
    schema = DiarySchema
    description = "A diary: short dated entries over days, each with an optional mood 0-10."
    label = _l("Diary")
    answerable = True
    answer_schema = DiaryAnswerSchema
    narrowing_flags = ("ask_mood", "allow_private")  # moods and private diaries given before
    max_entry_text = MAX_ENTRY_TEXT  # for the player's textarea
    help_texts = {
        "title": _l("The diary's name, for example “Bright spots”."),
        "intro": _l("What the diary is for, and how often to write (light Markdown)."),
        "prompt": _l("The question for every entry, for example “What went well today?”"),
        "hint": _l("A short help text under the question."),
        "ask_mood": _l("Ask for a mood from 0 to 10 with each entry; the client may skip it. "
                       "The therapist sees the moods as a line over time."),
        "mood_question": _l("The mood question, if the standard one does not fit."),
        "allow_private": _l("Offer “keep this to myself”: the therapist never sees the diary."),
    }

    # -- the answer --------------------------------------------------------------------------

    def validate_answer(self, step: dict[str, Any], value: Any) -> dict[str, Any]:
        data = super().validate_answer(step, value)
        for entry in data["entries"]:
            entry["date"] = entry["date"].isoformat()  # stored as JSON
        return data

    def check_answer(self, step: dict[str, Any], data: dict[str, Any]) -> None:
        errors: dict[int, dict[str, list[str]]] = {}
        last = today()
        previous: dt.date | None = None
        for index, entry in enumerate(data["entries"]):
            if entry["date"] > last:
                errors.setdefault(index, {})["date"] = ["An entry cannot be dated later than "
                                                        "today."]
            elif previous is not None and entry["date"] <= previous:
                errors.setdefault(index, {})["date"] = [
                    "One entry a day, oldest first: this date must come after the one before."]
            if entry["mood"] is not None and not step["ask_mood"]:
                errors.setdefault(index, {})["mood"] = ["This diary does not ask for a mood."]
            previous = entry["date"]
        problems: dict[str, Any] = {"entries": errors} if errors else {}
        if data["private"] and not step["allow_private"]:
            problems["private"] = ["This step does not offer keeping the answer private."]
        if problems:
            raise ValidationError(problems)

    def check_change(self, step: dict[str, Any], previous: dict[str, Any] | None,
                     data: dict[str, Any]) -> None:
        old = list((previous or {}).get("entries", []))
        new = data["entries"]
        if len(new) < len(old):
            raise ValidationError({"entries": [
                "Entries cannot be removed: you can change your latest entry."]})
        date_today = today().isoformat()
        still_open = {len(old) - 1}
        if old and old[-1]["date"] == date_today:
            still_open.add(len(old) - 2)  # written before today's: the form may show both
        errors: dict[int, dict[str, list[str]]] = {}
        for index, (before, now) in enumerate(zip(old, new, strict=False)):
            if now["date"] != before["date"]:
                errors[index] = {"date": ["An entry keeps the day it was written."]}
            elif now != before and index not in still_open:
                errors[index] = {"text": ["Only your latest entry can still be changed."]}
        for index in range(len(old), len(new)):
            if new[index]["date"] != date_today:
                errors[index] = {"date": ["A new entry is dated today."]}
        if errors:
            raise ValidationError({"entries": errors})

    def scores(self, step: dict[str, Any], value: Any) -> list[Score]:
        return [Score(entry.mood, MOOD_MIN, MOOD_MAX, on=entry.day)
                for entry in reversed(self.entries(value))
                if entry.mood is not None and entry.day is not None]

    def entries(self, value: Any) -> list[Entry]:
        """The entries of an answer, newest first (anything malformed left out)."""
        raw = value.get("entries") if isinstance(value, dict) else None
        found = []
        for item in raw if isinstance(raw, list) else []:
            if not isinstance(item, dict):
                continue
            mood = item.get("mood")
            found.append(Entry(str(item.get("date", "")), str(item.get("text", "")),
                               mood if isinstance(mood, int) and not isinstance(mood, bool)
                               else None))
        return found[::-1]

    # -- the player's form -------------------------------------------------------------------

    def to_form(self, step: dict[str, Any], answer: dict[str, Any] | None) -> FormFields:
        answer = answer or {}
        fields_: FormFields = {}
        for number, entry in enumerate(answer.get("entries", [])):
            mood = entry.get("mood")
            fields_[f"entry.{number}.date"] = [str(entry.get("date", ""))]
            fields_[f"entry.{number}.text"] = [str(entry.get("text", ""))]
            fields_[f"entry.{number}.mood"] = ["" if mood is None else str(mood)]
        if answer.get("private"):
            fields_["private"] = ["1"]
        return fields_

    def from_form(self, step: dict[str, Any], form: FormFields) -> dict[str, Any]:
        numbers = sorted(int(match.group(1)) for name in form
                         if (match := _ENTRY_FIELD.fullmatch(name)))
        entries: list[dict[str, Any]] = [
            {"date": first(form, f"entry.{n}.date"), "text": first(form, f"entry.{n}.text"),
             "mood": _mood(first(form, f"entry.{n}.mood"))} for n in numbers]
        text, mood = first(form, "new.text"), _mood(first(form, "new.mood"))
        if text.strip() or mood is not None:
            entries.append({"date": today().isoformat(), "text": text, "mood": mood})
        value: dict[str, Any] = {"entries": entries}
        if step["allow_private"]:
            value["private"] = first(form, "private") == "1"
        return value

    def form_view(self, step: dict[str, Any], form: FormFields) -> DiaryForm:
        """The entries of the player's form, sorted into what the client can still change."""
        numbers = sorted(int(match.group(1)) for name in form
                         if (match := _ENTRY_FIELD.fullmatch(name)))
        moods = {f"entry.{n}": first(form, f"entry.{n}.mood") for n in numbers}
        moods["new"] = first(form, "new.mood")
        stored = [Entry(first(form, f"entry.{n}.date"), first(form, f"entry.{n}.text"),
                        _shown_mood(moods[f"entry.{n}"]), n) for n in numbers]
        date_today = today()
        latest: Entry | None = None
        if stored and stored[-1].day == date_today:
            current = stored.pop()
        else:
            current = Entry(date_today.isoformat(), first(form, "new.text"),
                            _shown_mood(moods["new"]))
            latest = stored.pop() if stored else None
        return DiaryForm(date_today, stored[::-1], latest, current, moods)

    # -- the editor and the tests ------------------------------------------------------------

    def sample_step(self, answered: Sequence[str] = ()) -> dict[str, Any]:
        return {"id": "sample-diary", "type": self.name, "title": sample_texts("Lichtpuntjes"),
                "prompt": sample_texts("Wat ging er vandaag goed?"), "allow_private": True}

    def sample_answer(self, step: dict[str, Any], text: str = "Voorbeeld") -> dict[str, Any]:
        return {"entries": [{"date": today().isoformat(), "text": text,
                             "mood": 7 if step["ask_mood"] else None}], "private": False}
