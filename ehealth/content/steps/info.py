"""Steps that give rather than ask: opening, text, experience expert's tip, summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from ehealth.content.fields import (
    AudioSchema,
    ImageSchema,
    MarkdownField,
    Slug,
    StrictBoolean,
    StrictString,
    TextField,
    VideoSchema,
)
from ehealth.content.steps.base import StepSchema, StepType, sample_texts


class OpeningSchema(StepSchema):
    """The positive opening of a module or lesson."""

    title = TextField(required=True)
    body = MarkdownField(required=True)
    illustration = fields.Nested(ImageSchema)


class TextSchema(StepSchema):
    """Information, optionally with an image, audio or video."""

    title = TextField()
    body = MarkdownField(required=True)
    image = fields.Nested(ImageSchema)
    audio = fields.Nested(AudioSchema)
    video = fields.Nested(VideoSchema)


class SpeakerSchema(Schema):
    """Who shares the tip. Without a name the speaker stays anonymous."""

    name = StrictString(metadata={"description": "Leave out to stay anonymous."})
    role = TextField(required=True, metadata={"description": 'For example "ervaringsdeskundige".'})


class ExperienceSchema(StepSchema):
    """A tip from an experience expert: what helped them, not what went wrong."""

    title = TextField()
    speaker = fields.Nested(SpeakerSchema, required=True)
    tip = MarkdownField(required=True)
    as_quote = StrictBoolean(
        load_default=False, metadata={"description": "Show the tip as a quotation."}
    )
    image = fields.Nested(ImageSchema)
    audio = fields.Nested(AudioSchema)
    video = fields.Nested(VideoSchema)


class SummarySchema(StepSchema):
    """The client's own earlier answers from named steps, with a closing message."""

    title = TextField(required=True)
    intro = MarkdownField()
    steps = fields.List(
        Slug(),
        required=True,
        validate=validate.Length(min=1, error="Name at least one earlier step to summarise."),
        metadata={"description": "Ids of earlier steps whose answers are shown."},
    )
    closing = MarkdownField(required=True)


class Opening(StepType):
    name = "opening"
    schema = OpeningSchema
    description = "The positive opening of a module or lesson."
    label = _l("Opening")
    help_texts = {
        "title": _l("A warm welcome: what the client will gain."),
        "body": _l("Open on a positive note: change is possible, in small steps. Light "
                   "Markdown."),
    }

    def sample_step(self, answered: Sequence[str] = ()) -> dict[str, Any]:
        return {"id": "sample-opening", "type": self.name, "title": sample_texts("Welkom"),
                "body": sample_texts("Fijn dat je er bent")}


class Text(StepType):
    name = "text"
    schema = TextSchema
    description = "Information, with an optional image, audio or video."
    label = _l("Information")
    help_texts = {"body": _l("What the client reads, in light Markdown. One idea per step.")}

    def sample_step(self, answered: Sequence[str] = ()) -> dict[str, Any]:
        return {"id": "sample-text", "type": self.name, "body": sample_texts("Uitleg")}


class Experience(StepType):
    name = "experience"
    schema = ExperienceSchema
    description = "A tip from an experience expert."
    label = _l("Tip from experience")
    help_texts = {
        "speaker": _l("Who shares the tip."),
        "speaker.name": _l("The speaker's first name; leave it out to stay anonymous."),
        "speaker.role": _l("For example: experience expert, or parent."),
        "tip": _l("What helped them, not what went wrong. Light Markdown."),
        "as_quote": _l("Show the tip as a quotation."),
    }

    def sample_step(self, answered: Sequence[str] = ()) -> dict[str, Any]:
        return {"id": "sample-experience", "type": self.name,
                "speaker": {"role": sample_texts("ervaringsdeskundige")},
                "tip": sample_texts("Wat mij hielp"), "as_quote": True}


class Summary(StepType):
    name = "summary"
    schema = SummarySchema
    description = "The client's own earlier answers from named steps, and a closing message."
    label = _l("Summary")
    own_player_template = True  # the player shows the client's answers, the preview does not
    help_texts = {
        "steps": _l("The earlier steps whose answers the client sees here, in any lesson."),
        "closing": _l("A closing message: what the client achieved, and what comes next. "
                      "Light Markdown."),
    }

    def sample_step(self, answered: Sequence[str] = ()) -> dict[str, Any]:
        return {"id": "sample-summary", "type": self.name, "title": sample_texts("Wat je deed"),
                "steps": list(answered), "closing": sample_texts("Goed gedaan")}
