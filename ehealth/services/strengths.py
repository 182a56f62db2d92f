"""The client's strengths: what they picked or wrote in strengths steps, and their own additions.

"Mijn krachten" gathers every strength in one place, grouped by kind (ik ben, ik kan, fijne
herinneringen, ik heb, ik wil). Strengths from a module live in that module's answer, so changing
one here saves a new revision of the answer (through ``save_answer``): the player then shows the
same thing, and a save based on an older revision is refused rather than silently overwritten.
Strengths the client adds on the page itself are ``Strength`` rows.

Answers in withdrawn or paused assignments are kept and shown: what a client wrote stays theirs.
They cannot be changed while the assignment is closed (``AssignmentClosed``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ehealth.content.steps.base import MAX_ANSWER_TEXT
from ehealth.content.steps.strengths import STRENGTH_KINDS, Strengths
from ehealth.database import write_transaction
from ehealth.models import (
    Answer,
    Assignment,
    ModuleVersion,
    Strength,
    User,
    utcnow,
)
from ehealth.services.answers import StaleRevision, save_answer
from ehealth.services.assignment_state import is_closed
from ehealth.services.modules import module_for_version

MAX_STRENGTH_TEXT = 1_000
MAX_STRENGTH_NOTE = 4_000


class StrengthNotFound(Exception):
    """No such strength of this client: not theirs, removed, or never there."""


class StrengthInputError(ValueError):
    """What the client entered cannot be stored; the subclass says why."""


class UnknownKind(StrengthInputError):
    """The kind is not one of ``STRENGTH_KINDS``."""


class TextMissing(StrengthInputError):
    """A strength needs some words."""


class TextTooLong(StrengthInputError):
    """The text or note is longer than we store."""


@dataclass(frozen=True)
class ItemRef:
    """Where a module strength lives: one item of one strengths answer."""

    assignment_id: int
    step_id: str
    index: int


@dataclass(frozen=True)
class StrengthItem:
    """One strength as "Mijn krachten" shows it, from a module or added by the client."""

    kind: str
    label: str
    # The module's language for its own words (a suggestion's label, the question).
    language: str = ""
    follow_up: str = ""
    follow_up_question: str = ""
    note: str = ""
    # From a module: where it lives, the revision shown, and whether it can change now.
    module_title: str | None = None
    ref: ItemRef | None = None
    revision: int = 0
    category_id: str = ""
    suggestion_id: str | None = None
    editable: bool = True
    # Added by the client.
    strength_id: int | None = None

    @property
    def is_own(self) -> bool:
        """Added on "Mijn krachten" rather than in a module."""
        return self.strength_id is not None

    @property
    def from_suggestion(self) -> bool:
        """Picked from the module's suggestions (its label belongs to the module)."""
        return self.suggestion_id is not None

    @property
    def key(self) -> str:
        """A stable name for this item on the page (for ids and anchors)."""
        if self.ref is not None:
            return f"m{self.ref.assignment_id}-{self.ref.step_id}-{self.ref.index}"
        return f"s{self.strength_id}"


@dataclass
class StrengthsOverview:
    """A client's strengths by kind, in the order of ``STRENGTH_KINDS``."""

    by_kind: dict[str, list[StrengthItem]] = field(
        default_factory=lambda: {kind: [] for kind in STRENGTH_KINDS}
    )

    @property
    def count(self) -> int:
        """How many strengths in all."""
        return sum(len(items) for items in self.by_kind.values())

    def items(self) -> list[StrengthItem]:
        """Every strength, kind by kind."""
        return [item for kind in STRENGTH_KINDS for item in self.by_kind[kind]]


def _module_items(assignment: Assignment, answer: Answer, language: str) -> list[StrengthItem]:
    module = module_for_version(assignment.module_version)
    step = module.steps_by_id.get(answer.step_id)
    if step is None or step["type"] != Strengths.name:
        return []
    lang = module.language_for(language)
    title = module.title.in_language(lang)
    categories = {category["id"]: category for category in step["categories"]}
    editable = not is_closed(assignment.status)
    items: list[StrengthItem] = []
    for index, item in enumerate((answer.value or {}).get("items", [])):
        category = categories.get(item.get("category"))
        if category is None:
            continue
        if "suggestion" in item:
            labels = {s["id"]: s["label"].in_language(lang) for s in category["suggestions"]}
            label = labels.get(item["suggestion"], "")
        else:
            label = str(item.get("text", "")).strip()
        if not label:
            continue
        question = category.get("follow_up") or step.get("follow_up")
        items.append(StrengthItem(
            kind=category["kind"],
            label=label,
            language=lang,
            follow_up=str(item.get("follow_up", "")).strip(),
            follow_up_question=question.in_language(lang) if question else "",
            module_title=title,
            ref=ItemRef(assignment.get_id(), answer.step_id, index),
            revision=answer.revision,
            category_id=category["id"],
            suggestion_id=item.get("suggestion"),
            editable=editable,
        ))
    return items


def strengths_of(client: User, language: str) -> StrengthsOverview:
    """Everything ``client`` picked or wrote in strengths steps, and their own strengths.

    Labels of suggestions come from the module version the client worked in, in ``language``
    when that version offers it. Module strengths come first (oldest assignment first, in the
    module's order), then the client's own, oldest first.
    """
    overview = StrengthsOverview()
    answers = (Answer.select(Answer, Assignment, ModuleVersion)
               .join(Assignment).join(ModuleVersion)
               .where(Assignment.client == client)
               .order_by(Assignment.assigned_at, Assignment.id, Answer.id))
    for answer in answers:
        for item in _module_items(answer.assignment, answer, language):
            overview.by_kind[item.kind].append(item)
    own = (Strength.select().where(Strength.client == client)
           .order_by(Strength.created_at, Strength.id))
    for strength in own:
        if strength.kind not in overview.by_kind:
            continue
        overview.by_kind[strength.kind].append(StrengthItem(
            kind=strength.kind, label=strength.text, note=strength.note or "",
            strength_id=strength.get_id(),
        ))
    return overview


def _clean(kind: str, text: str, note: str | None) -> tuple[str, str | None]:
    if kind not in STRENGTH_KINDS:
        raise UnknownKind(kind)
    text = text.strip()
    note = (note or "").strip() or None
    if not text:
        raise TextMissing("text")
    if len(text) > MAX_STRENGTH_TEXT or (note is not None and len(note) > MAX_STRENGTH_NOTE):
        raise TextTooLong("text")
    return text, note


def add_strength(client: User, kind: str, text: str, note: str | None = None) -> Strength:
    """A strength of the client's own, of ``kind`` (qualities, skills, …)."""
    text, note = _clean(kind, text, note)
    with write_transaction():
        strength: Strength = Strength.create(client=client, kind=kind, text=text, note=note)
    return strength


def _own_strength(client: User, strength_id: int) -> Strength:
    strength = Strength.get_or_none((Strength.id == strength_id) & (Strength.client == client))
    if strength is None:
        raise StrengthNotFound(strength_id)
    return strength


def update_strength(client: User, strength_id: int, kind: str, text: str,
                    note: str | None = None) -> Strength:
    """Change one of the client's own strengths."""
    text, note = _clean(kind, text, note)
    with write_transaction():
        strength = _own_strength(client, strength_id)
        strength.kind, strength.text, strength.note = kind, text, note
        strength.updated_at = utcnow()
        strength.save()
    return strength


def remove_strength(client: User, strength_id: int) -> None:
    """Remove one of the client's own strengths."""
    with write_transaction():
        _own_strength(client, strength_id).delete_instance()


def _module_answer(client: User, ref: ItemRef) -> tuple[Assignment, Answer, dict[str, Any]]:
    """The client's assignment, the strengths answer and the step ``ref`` points into."""
    assignment = (Assignment.select(Assignment, ModuleVersion).join(ModuleVersion)
                  .where((Assignment.id == ref.assignment_id) & (Assignment.client == client))
                  .first())
    if assignment is None:
        raise StrengthNotFound(ref)
    step = module_for_version(assignment.module_version).steps_by_id.get(ref.step_id)
    if step is None or step["type"] != Strengths.name:
        raise StrengthNotFound(ref)
    answer = Answer.get_or_none((Answer.assignment == assignment)
                                & (Answer.step_id == ref.step_id))
    if answer is None:
        raise StrengthNotFound(ref)
    return assignment, answer, step


def _items_at(client: User, ref: ItemRef, base_revision: int
              ) -> tuple[Assignment, list[dict[str, Any]], dict[str, Any]]:
    assignment, answer, step = _module_answer(client, ref)
    if answer.revision != base_revision:
        raise StaleRevision(answer)
    items = [dict(item) for item in (answer.value or {}).get("items", [])]
    if not 0 <= ref.index < len(items):
        raise StrengthNotFound(ref)
    return assignment, items, step


def update_module_item(client: User, ref: ItemRef, base_revision: int, follow_up: str,
                       text: str | None = None) -> Answer:
    """Change a strength in a module answer: its follow-up answer, and the text of an own item.

    Saves a new revision of the answer. ``base_revision`` is the revision the client saw;
    if the answer changed since, StaleRevision (with the current answer) is raised.
    The label of a picked suggestion belongs to the module and does not change here.
    """
    assignment, items, _step = _items_at(client, ref, base_revision)
    item = items[ref.index]
    if "text" in item and text is not None:
        text = text.strip()
        if not text:
            raise TextMissing("text")
        item["text"] = text
    follow_up = follow_up.strip()
    if len(follow_up) > MAX_ANSWER_TEXT or len(item.get("text", "")) > MAX_ANSWER_TEXT:
        raise TextTooLong("follow_up")
    if follow_up:
        item["follow_up"] = follow_up
    else:
        item.pop("follow_up", None)
    return save_answer(assignment, ref.step_id, {"items": items}, base_revision)


def remove_module_item(client: User, ref: ItemRef, base_revision: int) -> Answer:
    """Take a strength out of a module answer (a new revision; the module step shows it too)."""
    assignment, items, _step = _items_at(client, ref, base_revision)
    del items[ref.index]
    return save_answer(assignment, ref.step_id, {"items": items}, base_revision)


def find_moved_item(overview: StrengthsOverview, ref: ItemRef, category_id: str,
                    suggestion_id: str | None) -> StrengthItem | None:
    """After a conflict: the item the client meant, as it is now, if it is still there.

    A picked suggestion is found by its id; an item the client wrote, by its place (only if
    that place still holds a written item of the same category).
    """
    for item in overview.items():
        if item.ref is None or (item.ref.assignment_id, item.ref.step_id) != (
                ref.assignment_id, ref.step_id):
            continue
        if suggestion_id is not None:
            if item.category_id == category_id and item.suggestion_id == suggestion_id:
                return item
        elif (item.ref.index == ref.index and item.category_id == category_id
              and not item.from_suggestion):
            return item
    return None

