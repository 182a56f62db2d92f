"""Steps that give rather than ask: opening, text, experience expert's tip, summary."""

from __future__ import annotations

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
from ehealth.content.steps.base import StepSchema, StepType


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


class Text(StepType):
    name = "text"
    schema = TextSchema
    description = "Information, with an optional image, audio or video."


class Experience(StepType):
    name = "experience"
    schema = ExperienceSchema
    description = "A tip from an experience expert."


class Summary(StepType):
    name = "summary"
    schema = SummarySchema
    description = "The client's own earlier answers from named steps, and a closing message."
