"""JSON Schema (draft 2020-12) for module files, generated from the marshmallow schemas.

Authors point ``"$schema"`` in their files at the exported schema and get completion and
inline errors in their editor. The checker remains the authority: cross-file rules (lesson
files, step references, media on disk, translations per declared language) are its job.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ehealth.content.fields import (
    MEDIA_KINDS,
    MediaPath,
    Slug,
    StrictBoolean,
    StrictInteger,
    StrictNumber,
    TextField,
)
from ehealth.content.schema import LessonSchema, ModuleSchema, StepField
from ehealth.content.steps import STEP_TYPES
from ehealth.content.steps.base import ScalarField

DRAFT = "https://json-schema.org/draft/2020-12/schema"


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def schema(self, schema_class: type[Schema]) -> dict[str, Any]:
        name = schema_class.__name__.removesuffix("Schema") or schema_class.__name__
        if name not in self.defs:
            self.defs[name] = {}  # placeholder against recursion
            instance = schema_class()
            properties: dict[str, Any] = {}
            required: list[str] = []
            for field_name, field in instance.fields.items():
                key = field.data_key or field_name
                properties[key] = self.field(field)
                if field.required:
                    required.append(key)
            definition: dict[str, Any] = {
                "type": "object",
                "properties": properties,
                "additionalProperties": False,
            }
            if schema_class.__doc__:
                definition["description"] = schema_class.__doc__.strip().splitlines()[0]
            if required:
                definition["required"] = required
            self.defs[name] = definition
        return {"$ref": f"#/$defs/{name}"}

    def field(self, field: fields.Field) -> dict[str, Any]:
        result = self._field_type(field)
        for validator in getattr(field, "validators", []):
            if isinstance(validator, validate.OneOf):
                result["enum"] = list(validator.choices)
            elif isinstance(validator, validate.Length):
                prefix = "Items" if isinstance(field, fields.List) else "Length"
                if validator.min is not None:
                    result[f"min{prefix}"] = validator.min
                if validator.max is not None:
                    result[f"max{prefix}"] = validator.max
            elif isinstance(validator, validate.Range):
                if validator.min is not None:
                    result["minimum"] = validator.min
                if validator.max is not None:
                    result["maximum"] = validator.max
        description = field.metadata.get("description")
        if description:
            result["description"] = description
        if field.load_default is not None and not callable(field.load_default) and \
                field.load_default is not fields.missing_:
            result["default"] = field.load_default
        return result

    def _field_type(self, field: fields.Field) -> dict[str, Any]:
        if isinstance(field, TextField):
            if "LocalizedText" not in self.defs:
                entry = {"type": "string", "minLength": 1}
                self.defs["LocalizedText"] = {
                    "description": 'A text in the main language, or {"nl": "…", "en": "…"} '
                    "with one entry per declared language.",
                    "anyOf": [entry, {
                        "type": "object", "minProperties": 1,
                        "propertyNames": {"pattern": "^[a-z]{2}$"},
                        "additionalProperties": entry,
                    }],
                }
            return {"$ref": "#/$defs/LocalizedText"}
        if isinstance(field, StepField):
            return {"oneOf": [self.step(name) for name in STEP_TYPES]}
        if isinstance(field, fields.Nested):
            nested = field.nested
            assert isinstance(nested, type)
            assert issubclass(nested, Schema)
            return self.schema(nested)
        if isinstance(field, fields.List):
            return {"type": "array", "items": self.field(field.inner)}
        if isinstance(field, StrictBoolean):
            return {"type": "boolean"}
        if isinstance(field, StrictInteger):
            return {"type": "integer"}
        if isinstance(field, StrictNumber):
            return {"type": "number"}
        if isinstance(field, ScalarField):
            return {"type": ["string", "number", "boolean"]}
        if isinstance(field, MediaPath):
            # Extensions in any case, as the checker accepts them (JSON Schema has no /i flag).
            suffixes = "|".join(
                "".join(f"[{c}{c.upper()}]" for c in s.lstrip("."))
                for s in sorted(MEDIA_KINDS[field.kind])
            )
            return {"type": "string", "pattern": rf"^(?!/)(?!.*\.\./).+\.({suffixes})$"}
        if isinstance(field, Slug):
            return {"type": "string", "pattern": field.metadata["pattern"], "maxLength": 64}
        if isinstance(field, fields.String):
            pattern = field.metadata.get("pattern")
            return {"type": "string", **({"pattern": pattern} if pattern else {})}
        return {}

    def step(self, name: str) -> dict[str, Any]:
        ref = self.schema(STEP_TYPES[name].schema)
        definition = self.defs[ref["$ref"].rsplit("/", 1)[1]]
        definition["properties"]["type"] = {"const": name}
        definition["description"] = STEP_TYPES[name].description
        return ref


def module_json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``module.json`` (kind "module") or of a lesson file ("lesson")."""
    builder = _Builder()
    root = builder.schema(ModuleSchema if kind == "module" else LessonSchema)
    title = "ehealth module.json" if kind == "module" else "ehealth lesson file"
    return {"$schema": DRAFT, "title": title, **root, "$defs": builder.defs}
