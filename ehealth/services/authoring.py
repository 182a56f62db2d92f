"""An organisation's own modules: drafts that never lose work, review, publication, history.

A draft (``ModuleDraft``) holds a module's content in the shape of ``ModuleVersion.content``
(``{"module": …, "lessons": {lesson id: …}}``); it may have problems, and is saved part by part:

- ``"module"``: the module document (``module.json``, with its ``lessons`` order);
- ``"lesson:<id>"``: a lesson document whose ``steps`` is the list of its step ids, in order;
- ``"step:<id>"``: one step's definition.

A save names the draft revision it was based on. A part changed since then by someone else is
a ``DraftConflict`` carrying both versions, and nothing of that save is applied; parts nobody
else touched are applied, so two authors working on different steps both keep their work.

Publishing turns a checked draft into an immutable, organisation-owned ``ModuleVersion``; the
draft then goes. Services here never touch the request: callers pass the user and the data.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peewee import IntegrityError

from ehealth.content.loader import Module, check_module, content_hash, load_module_content
from ehealth.content.problems import Problem
from ehealth.content.schema import version_key
from ehealth.database import write_transaction
from ehealth.models import (
    DraftState,
    MediaFile,
    ModuleDraft,
    ModuleVersion,
    Organisation,
    ReviewEvent,
    ReviewEventKind,
    Role,
    User,
    utcnow,
)
from ehealth.services import audit

MODULE_PART = "module"
LESSON_PREFIX = "lesson:"
STEP_PREFIX = "step:"
_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


# --- errors --------------------------------------------------------------------------------------

class AuthoringError(Exception):
    """Base of what the authoring services refuse; ``str()`` is a message for the author."""


class NotAllowed(AuthoringError):
    """The user may not do this (not an author or admin of the organisation, four eyes, …)."""


class DraftNotFound(AuthoringError):
    """No such draft in the user's organisation."""


class ModuleIdTaken(AuthoringError):
    """The module id is in use (a shipped module, another draft, another organisation's)."""


class InvalidChange(AuthoringError):
    """A save that cannot be applied as sent (a lesson lists a step that does not exist, …)."""


class DraftHasProblems(AuthoringError):
    """The draft cannot go to review or be published while the checker finds problems."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) to fix first.")
        self.problems = problems


class WrongState(AuthoringError):
    """The draft is not in the state this needs (submit twice, publish an unsubmitted draft)."""


class VersionTooLow(AuthoringError):
    """The version number given is not higher than the published one."""


@dataclass(frozen=True)
class PartConflict:
    """One part both authors changed: what this author sent and what is stored now."""

    key: str
    mine: Any
    theirs: Any


class DraftConflict(AuthoringError):
    """Someone else changed a part of this save since the author's revision; nothing applied."""

    def __init__(self, conflicts: list[PartConflict], draft: ModuleDraft) -> None:
        super().__init__("Someone else changed this part of the draft in the meantime.")
        self.conflicts = conflicts
        self.draft = draft


# --- who may do what -----------------------------------------------------------------------------

def may_author(user: User) -> bool:
    """Authors and admins write their organisation's modules."""
    return bool(user.is_authenticated and user.active
                and user.role in (Role.AUTHOR, Role.ADMIN))


def _require_author(user: User) -> None:
    if not may_author(user):
        raise NotAllowed("Only the organisation's authors and admins write modules.")


def may_review(user: User, draft: ModuleDraft) -> bool:
    """Whether ``user`` may approve and publish ``draft``, or send it back.

    Admins and authors of the draft's organisation; with four eyes on (the default) not the
    person who made the draft's last change, whatever their role.
    """
    if not may_author(user) or user.__data__["organisation"] != draft.__data__["organisation"]:
        return False
    organisation: Organisation = draft.organisation
    return not (organisation.four_eyes_review and draft.__data__["updated_by"] == user.id)


# --- content and its parts -----------------------------------------------------------------------

def lesson_order(content: Mapping[str, Any]) -> list[str]:
    """The lesson ids of ``content`` in the module's order (what is readable of it)."""
    module = content.get("module")
    listed = module.get("lessons") if isinstance(module, dict) else None
    lessons = content.get("lessons")
    if not isinstance(listed, list) or not isinstance(lessons, dict):
        return []
    return [lesson for lesson in listed if isinstance(lesson, str) and lesson in lessons]


def _steps_of(lesson: Any) -> list[dict[str, Any]]:
    steps = lesson.get("steps") if isinstance(lesson, dict) else None
    return [step for step in steps if isinstance(step, dict)] if isinstance(steps, list) else []


def part(content: Mapping[str, Any], key: str) -> Any:
    """The stored value of one part of ``content`` (None when there is no such part)."""
    if key == MODULE_PART:
        return copy.deepcopy(content.get("module"))
    found = content.get("lessons")
    lessons: dict[str, Any] = found if isinstance(found, dict) else {}
    if key.startswith(LESSON_PREFIX):
        lesson = lessons.get(key.removeprefix(LESSON_PREFIX))
        if not isinstance(lesson, dict):
            return None
        value = {k: copy.deepcopy(v) for k, v in lesson.items() if k != "steps"}
        value["steps"] = [step.get("id") for step in _steps_of(lesson)]
        return value
    if key.startswith(STEP_PREFIX):
        step_id = key.removeprefix(STEP_PREFIX)
        for lesson in lessons.values():
            for step in _steps_of(lesson):
                if step.get("id") == step_id:
                    return copy.deepcopy(step)
    return None


def parts_of(content: Mapping[str, Any]) -> dict[str, Any]:
    """Every part of ``content`` by key: the module, each lesson, each step."""
    result = {MODULE_PART: part(content, MODULE_PART)}
    for lesson_id, lesson in (content.get("lessons") or {}).items():
        result[LESSON_PREFIX + lesson_id] = part(content, LESSON_PREFIX + lesson_id)
        for step in _steps_of(lesson):
            if isinstance(step.get("id"), str):
                result[STEP_PREFIX + step["id"]] = copy.deepcopy(step)
    return result


def apply_parts(content: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``content`` with ``changes`` (part key → new value, None to remove) applied.

    A lesson's value lists its steps by id; a step moves by changing the lessons that list it.
    A step renamed (its ``id`` changed) must be listed under its new id in the same change.
    Step and lesson ids stay unique in a draft: a change that would break that is refused with
    ``InvalidChange``, so no step can silently replace another.
    """
    for key in changes:
        if key != MODULE_PART and not key.startswith((LESSON_PREFIX, STEP_PREFIX)):
            raise InvalidChange(f'Unknown part "{key}".')
    module = copy.deepcopy(changes[MODULE_PART]) if MODULE_PART in changes else copy.deepcopy(
        content.get("module"))
    old_lessons: dict[str, Any] = dict(content.get("lessons") or {})
    steps: dict[str, dict[str, Any]] = {}
    for lesson in old_lessons.values():
        for step in _steps_of(lesson):
            if isinstance(step.get("id"), str):
                steps[step["id"]] = step
    for key in changes:
        if key.startswith(STEP_PREFIX):
            steps.pop(key.removeprefix(STEP_PREFIX), None)
    for key, value in changes.items():
        if not key.startswith(STEP_PREFIX) or value is None:
            continue
        if not isinstance(value, dict) or not isinstance(value.get("id"), str):
            raise InvalidChange(f'The step "{key.removeprefix(STEP_PREFIX)}" needs an "id".')
        if value["id"] in steps:
            raise InvalidChange(f'Another step already has the id "{value["id"]}".')
        steps[value["id"]] = copy.deepcopy(value)

    lesson_docs: dict[str, Any] = {}
    for lesson_id, lesson in old_lessons.items():
        key = LESSON_PREFIX + lesson_id
        if key in changes:
            continue
        meta = {k: v for k, v in lesson.items() if k != "steps"} if isinstance(
            lesson, dict) else {}
        order = [step.get("id") for step in _steps_of(lesson)]
        lesson_docs[lesson_id] = (meta, order)
    for key, value in changes.items():
        if not key.startswith(LESSON_PREFIX) or value is None:
            continue
        lesson_id = key.removeprefix(LESSON_PREFIX)
        if not isinstance(value, dict) or not isinstance(value.get("steps"), list):
            raise InvalidChange(f'The lesson "{lesson_id}" needs its list of steps.')
        meta = {k: copy.deepcopy(v) for k, v in value.items() if k != "steps"}
        if isinstance(meta.get("id"), str) and meta["id"] != lesson_id:
            lesson_id = meta["id"]
        if lesson_id in lesson_docs:
            raise InvalidChange(f'Another lesson already has the id "{lesson_id}".')
        lesson_docs[lesson_id] = (meta, list(value["steps"]))

    placed: set[str] = set()
    lessons: dict[str, Any] = {}
    for lesson_id, (meta, order) in lesson_docs.items():
        lesson_steps = []
        for step_id in order:
            if step_id not in steps:
                raise InvalidChange(f'The lesson "{lesson_id}" lists a step "{step_id}" that '
                                    "does not exist.")
            if step_id in placed:
                raise InvalidChange(f'The step "{step_id}" is listed in two places.')
            placed.add(step_id)
            lesson_steps.append(copy.deepcopy(steps[step_id]))
        lessons[lesson_id] = {**meta, "steps": lesson_steps}
    return {"module": module, "lessons": lessons}


# --- checking ------------------------------------------------------------------------------------

def check_content(content: Mapping[str, Any], media_dir: Path | None,
                  label: str | None = None,
                  uploads: frozenset[str] | None = None) -> list[Problem]:
    """Every problem the module checker (``ehealth check-modules``) finds in ``content``.

    ``uploads``: the organisation's uploads its media may name (``MediaFile.paths_of``).
    """
    module_doc = content.get("module")
    lessons = content.get("lessons")
    if not isinstance(module_doc, dict) or not isinstance(lessons, dict):
        return [Problem(label or "module", "", "This is not a module.")]
    module_id = module_doc.get("id")
    name = label or (module_id if isinstance(module_id, str) else "module")
    return check_module(name, None, module_doc, dict(lessons), media_dir,
                        uploads=uploads).problems


def checked_module(content: Mapping[str, Any], media_dir: Path | None,
                   uploads: frozenset[str] | None = None) -> Module:
    """The module built from ``content``, or DraftHasProblems listing every problem."""
    module_doc = content.get("module")
    label = module_doc.get("id") if isinstance(module_doc, dict) else None
    result = load_module_content(dict(content), media_dir, uploads=uploads,
                                 label=label if isinstance(label, str) else None)
    if result.module is None:
        raise DraftHasProblems(result.problems)
    return result.module


# --- module ids ----------------------------------------------------------------------------------

def module_id_in_use(module_id: str, organisation: Organisation | None = None) -> bool:
    """Whether ``module_id`` names a published module or a draft anywhere on the instance.

    With ``organisation``, that organisation's own published module or draft does not count
    (it is theirs to revise).
    """
    versions = ModuleVersion.select(ModuleVersion.id).where(ModuleVersion.module_id == module_id)
    drafts = ModuleDraft.select(ModuleDraft.id).where(ModuleDraft.module_id == module_id)
    if organisation is not None:
        versions = versions.where(ModuleVersion.organisation.is_null()
                                  | (ModuleVersion.organisation != organisation))
        drafts = drafts.where(ModuleDraft.organisation != organisation)
    return versions.exists() or drafts.exists()


def _check_new_id(module_id: str) -> None:
    if not _ID.match(module_id or "") or len(module_id) > 64:
        raise InvalidChange("A module id is lower-case letters and digits joined by - or _ "
                            "(at most 64 characters), for example mijn-krachten.")
    if module_id_in_use(module_id):
        raise ModuleIdTaken(f'The id "{module_id}" is already used by another module.')


# --- the organisation's modules ------------------------------------------------------------------

def latest_version(module_id: str) -> ModuleVersion | None:
    """The highest published version of ``module_id``."""
    versions = list(ModuleVersion.select(ModuleVersion.id, ModuleVersion.version,
                                         ModuleVersion.module_id, ModuleVersion.organisation,
                                         ModuleVersion.published_at)
                    .where(ModuleVersion.module_id == module_id))
    if not versions:
        return None
    best = max(versions, key=lambda v: version_key(v.version))
    return ModuleVersion.get_by_id(best.get_id())


@dataclass
class ModuleState:
    """One row of the author's module list."""

    module_id: str
    title: Any  # the Text of the title (draft's when there is a draft, else published)
    owned: bool  # the organisation's own module (False: the shipped library)
    draft: ModuleDraft | None
    published: ModuleVersion | None
    origin: str | None = None  # "module-id 1.2.0" for a copy

    @property
    def state(self) -> str:
        """``draft``, ``in_review``, ``published`` or ``published_with_changes``."""
        if self.draft is not None and self.published is None:
            return self.draft.state
        if self.draft is not None:
            return (DraftState.IN_REVIEW if self.draft.state == DraftState.IN_REVIEW
                    else "published_with_changes")
        return "published"


def _title(content: Mapping[str, Any]) -> Any:
    module = content.get("module")
    return module.get("title") if isinstance(module, dict) else None


def modules_of(organisation: Organisation,
               library: Mapping[str, Module]) -> tuple[list[ModuleState], list[ModuleState]]:
    """The organisation's own modules (drafts and published) and the shipped library."""
    drafts = {d.module_id: d for d in ModuleDraft.select()
              .where(ModuleDraft.organisation == organisation)}
    own_ids = set(drafts) | {v.module_id for v in ModuleVersion.select(ModuleVersion.module_id)
                             .where(ModuleVersion.organisation == organisation).distinct()}
    own: list[ModuleState] = []
    for module_id in sorted(own_ids):
        published = latest_version(module_id)
        draft = drafts.get(module_id)
        content = draft.content if draft is not None else (
            published.content if published is not None else {})
        origin_version = (draft.origin_version if draft is not None and draft.origin_version
                          else None)
        origin = (f"{origin_version.module_id} {origin_version.version}" if origin_version
                  else (f"{published.origin_module_id} {published.origin_version}"
                        if published is not None and published.origin_module_id else None))
        own.append(ModuleState(module_id, _title(content), True, draft, published, origin))
    shipped = []
    for module_id in sorted(library):
        if module_id in own_ids:
            continue
        version = latest_version(module_id)
        if version is None or version.__data__["organisation"] is not None:
            continue
        shipped.append(ModuleState(module_id, library[module_id].title, False, None, version))
    return own, shipped


def draft_of(user: User, draft_id: int) -> ModuleDraft:
    """The draft ``draft_id`` of the user's organisation (DraftNotFound otherwise)."""
    _require_author(user)
    draft = ModuleDraft.get_or_none((ModuleDraft.id == draft_id)
                                    & (ModuleDraft.organisation == user.__data__["organisation"]))
    if draft is None:
        raise DraftNotFound("No such draft in your organisation.")
    return draft


def own_version(user: User, version_id: int) -> ModuleVersion:
    """A published version of the user's organisation, or of the shipped library."""
    _require_author(user)
    version = ModuleVersion.get_or_none(ModuleVersion.id == version_id)
    if version is None or version.__data__["organisation"] not in (
            None, user.__data__["organisation"]):
        raise DraftNotFound("No such module version.")
    return version


def _blank_content(module_id: str, title: str, languages: Sequence[str]) -> dict[str, Any]:
    texts = dict.fromkeys(languages, title)
    return {
        "module": {
            "id": module_id, "version": "0.1.0", "languages": list(languages),
            "title": texts, "summary": dict.fromkeys(languages, ""),
            "audience": ["adults"], "estimated_minutes": 15, "lessons": ["begin"],
        },
        "lessons": {"begin": {
            "id": "begin", "title": dict.fromkeys(languages, ""),
            "steps": [{"id": "welkom", "type": "opening",
                       "title": dict.fromkeys(languages, ""),
                       "body": dict.fromkeys(languages, "")}],
        }},
    }


def new_draft(author: User, module_id: str, title: str,
              languages: Sequence[str] = ("nl", "en")) -> ModuleDraft:
    """A new, empty module of the author's organisation: one lesson that opens positively."""
    _require_author(author)
    module_id = (module_id or "").strip()
    _check_new_id(module_id)
    if not title.strip():
        raise InvalidChange("Give the module a title.")
    languages = [language for language in ("nl", "en") if language in languages] or ["nl"]
    return _create(author, module_id, _blank_content(module_id, title.strip(), languages),
                   base=None, origin=None, action="module.draft_created")


def copy_module(author: User, version: ModuleVersion, module_id: str) -> ModuleDraft:
    """A draft of a new organisation module, copied from a published (library) version."""
    _require_author(author)
    if version.__data__["organisation"] not in (None, author.__data__["organisation"]):
        raise DraftNotFound("No such module version.")
    module_id = (module_id or "").strip()
    _check_new_id(module_id)
    content = copy.deepcopy(version.content)
    content["module"]["id"] = module_id
    content["module"]["version"] = "0.1.0"
    return _create(author, module_id, content, base=None, origin=version,
                   action="module.copied")


def check_new_module_id(module_id: str) -> None:
    """InvalidChange when ``module_id`` is not a valid id, ModuleIdTaken when it is in use."""
    _check_new_id(module_id)


def draft_from_content(author: User, module_id: str, content: dict[str, Any],
                       action: str = "module.imported") -> ModuleDraft:
    """A new draft of the author's organisation holding ``content`` (an imported module)."""
    _require_author(author)
    module_id = (module_id or "").strip()
    _check_new_id(module_id)
    content = copy.deepcopy(content)
    if not isinstance(content.get("module"), dict) or not isinstance(content.get("lessons"),
                                                                     dict):
        raise InvalidChange("This is not a module.")
    content["module"]["id"] = module_id
    return _create(author, module_id, content, base=None, origin=None, action=action)


def _create(author: User, module_id: str, content: dict[str, Any],
            base: ModuleVersion | None, origin: ModuleVersion | None,
            action: str) -> ModuleDraft:
    now = utcnow()
    try:
        with write_transaction():
            draft: ModuleDraft = ModuleDraft.create(
                organisation=author.__data__["organisation"], module_id=module_id,
                base_version=base, origin_version=origin, content=content, revision=1,
                part_revisions={}, created_by=author, created_at=now, updated_by=author,
                updated_at=now)
            audit.record(author, action, object_type="module", object_id=module_id)
    except IntegrityError:
        raise ModuleIdTaken(f'There is already a draft of "{module_id}".') from None
    return draft


def edit_published(author: User, module_id: str) -> ModuleDraft:
    """The organisation's draft of its module ``module_id``, started from the latest version."""
    _require_author(author)
    organisation = author.__data__["organisation"]
    existing = ModuleDraft.get_or_none((ModuleDraft.organisation == organisation)
                                       & (ModuleDraft.module_id == module_id))
    if existing is not None:
        return existing
    published = latest_version(module_id)
    if published is None or published.__data__["organisation"] != organisation:
        raise DraftNotFound("Only your organisation's own modules can be edited; copy a "
                            "library module to make it your own.")
    return _create(author, module_id, copy.deepcopy(published.content), base=published,
                   origin=None, action="module.draft_created")


# --- saving --------------------------------------------------------------------------------------

@dataclass
class SavedDraft:
    """The outcome of a save: the new revision and what the checker says now."""

    draft: ModuleDraft
    problems: list[Problem] = field(default_factory=list)


def save_draft(author: User, draft_id: int, base_revision: int, changes: Mapping[str, Any],
               media_dir: Path | None = None) -> SavedDraft:
    """Apply ``changes`` (part key → value) to the draft, if nobody changed those parts since.

    ``base_revision`` is the draft revision the author's page was built from. A part someone
    else saved after it raises DraftConflict with both versions and applies nothing; a save
    that changes nothing keeps the revision. Saving a draft in review takes it back to draft.
    """
    _require_author(author)
    with write_transaction():
        draft = draft_of(author, draft_id)
        if draft.__data__["organisation"] != author.__data__["organisation"]:
            raise DraftNotFound("No such draft in your organisation.")
        revisions: dict[str, int] = dict(draft.part_revisions or {})
        current = draft.content
        real = {key: value for key, value in changes.items() if part(current, key) != value}
        conflicts = [PartConflict(key, value, part(current, key)) for key, value in real.items()
                     if revisions.get(key, 0) > base_revision]
        if base_revision > draft.revision:
            raise InvalidChange("That revision of the draft does not exist.")
        if conflicts:
            raise DraftConflict(conflicts, draft)
        if real:
            content = apply_parts(current, real)
            draft.revision += 1
            for key, value in real.items():
                revisions[key] = draft.revision
                if key.startswith(STEP_PREFIX) and isinstance(value, dict):
                    revisions[STEP_PREFIX + str(value.get("id"))] = draft.revision
            draft.content = content
            draft.part_revisions = revisions
            draft.updated_by = author
            draft.updated_at = utcnow()
            if draft.state == DraftState.IN_REVIEW:
                draft.state = DraftState.DRAFT
            draft.save()
    return SavedDraft(draft, check_content(draft.content, media_dir,
                                           uploads=MediaFile.paths_of(draft.organisation)))


def replace_content(author: User, draft_id: int, base_revision: int, content: dict[str, Any],
                    media_dir: Path | None = None) -> SavedDraft:
    """Save a whole new content (an import, a revert, the JSON of every lesson) as parts."""
    draft = draft_of(author, draft_id)
    old, new = parts_of(draft.content), parts_of(content)
    changes: dict[str, Any] = {key: None for key in old if key not in new}
    changes.update({key: value for key, value in new.items() if old.get(key) != value})
    return save_draft(author, draft_id, base_revision, changes, media_dir)


# --- review and publication ----------------------------------------------------------------------

def _event(draft: ModuleDraft, kind: str, author: User, body: str = "",
           version: ModuleVersion | None = None) -> ReviewEvent:
    event: ReviewEvent = ReviewEvent.create(
        organisation=draft.__data__["organisation"], module_id=draft.module_id, kind=kind,
        author=author, body=body.strip(), draft_revision=draft.revision,
        module_version=version)
    return event


def submit(author: User, draft_id: int, note: str, media_dir: Path | None = None) -> ModuleDraft:
    """Send a draft without problems to review, with a note on what changed."""
    _require_author(author)
    draft = draft_of(author, draft_id)
    if draft.state == DraftState.IN_REVIEW:
        raise WrongState("This draft is already waiting for review.")
    if not note.strip():
        raise InvalidChange("Say in a sentence what changed, for the reviewer.")
    problems = check_content(draft.content, media_dir,
                             uploads=MediaFile.paths_of(draft.organisation))
    if problems:
        raise DraftHasProblems(problems)
    with write_transaction():
        draft.state = DraftState.IN_REVIEW
        draft.change_note = note.strip()
        draft.submitted_by = author
        draft.submitted_at = utcnow()
        draft.save()
        _event(draft, ReviewEventKind.SUBMITTED, author, note)
        audit.record(author, "module.submitted", object_type="module",
                     object_id=draft.module_id)
    return draft


def comment(user: User, draft_id: int, body: str) -> ReviewEvent:
    """A comment in the draft's review conversation."""
    draft = draft_of(user, draft_id)
    if not body.strip():
        raise InvalidChange("Write a comment first.")
    with write_transaction():
        return _event(draft, ReviewEventKind.COMMENT, user, body)


def send_back(reviewer: User, draft_id: int, body: str) -> ModuleDraft:
    """The reviewer returns the draft to its authors, saying why."""
    draft = draft_of(reviewer, draft_id)
    if draft.state != DraftState.IN_REVIEW:
        raise WrongState("This draft is not waiting for review.")
    if not may_review(reviewer, draft):
        raise NotAllowed("Someone other than the last editor reviews this draft (four eyes).")
    if not body.strip():
        raise InvalidChange("Tell the authors what to change.")
    with write_transaction():
        draft.state = DraftState.DRAFT
        draft.save()
        _event(draft, ReviewEventKind.SENT_BACK, reviewer, body)
        audit.record(reviewer, "module.sent_back", object_type="module",
                     object_id=draft.module_id)
    return draft


def publish(reviewer: User, draft_id: int, version: str, note: str = "",
            media_dir: Path | None = None, revision: int | None = None) -> ModuleVersion:
    """Approve and publish a draft in review as a new, immutable version of the module.

    ``version`` must be higher than the published one. ``revision``, when given, is the draft
    revision the reviewer read: a draft changed since is not published unseen.
    """
    draft = draft_of(reviewer, draft_id)
    if draft.state != DraftState.IN_REVIEW:
        raise WrongState("Only a draft that was submitted for review can be published.")
    if not may_review(reviewer, draft):
        raise NotAllowed("Someone other than the last editor reviews this draft (four eyes).")
    if revision is not None and revision != draft.revision:
        raise WrongState("The draft changed while you were reading it: read it again.")
    published = latest_version(draft.module_id)
    if not re.fullmatch(r"\d+\.\d+\.\d+", version or ""):
        raise VersionTooLow("A version number looks like 1.2.0.")
    if published is not None and version_key(version) <= version_key(published.version):
        raise VersionTooLow(f"Choose a version higher than {published.version}.")
    content = copy.deepcopy(draft.content)
    content["module"]["version"] = version
    module = checked_module(content, media_dir, MediaFile.paths_of(draft.organisation))
    with write_transaction():
        created: ModuleVersion = ModuleVersion.create(
            module_id=draft.module_id, version=version, content_hash=content_hash(module.content),
            content=module.content, organisation=draft.__data__["organisation"],
            published_by=reviewer, note=(note.strip() or draft.change_note or None),
            origin_module_id=(draft.origin_version.module_id if draft.origin_version
                              else _origin_of(published)[0]),
            origin_version=(draft.origin_version.version if draft.origin_version
                            else _origin_of(published)[1]))
        _event(draft, ReviewEventKind.PUBLISHED, reviewer, note, created)
        ReviewEvent.update(module_version=created).where(
            (ReviewEvent.organisation == draft.__data__["organisation"])
            & (ReviewEvent.module_id == draft.module_id)
            & ReviewEvent.module_version.is_null()).execute()
        draft.delete_instance()
        audit.record(reviewer, "module.published", object_type="module_version",
                     object_id=f"{created.module_id}@{created.version}")
    return created


def _origin_of(version: ModuleVersion | None) -> tuple[str | None, str | None]:
    if version is None:
        return None, None
    return version.origin_module_id, version.origin_version


def history(user: User, module_id: str) -> list[ModuleVersion]:
    """Every published version of a module of the user's organisation, newest first."""
    _require_author(user)
    versions = list(ModuleVersion.select().where(
        (ModuleVersion.module_id == module_id)
        & (ModuleVersion.organisation == user.__data__["organisation"])))
    return sorted(versions, key=lambda v: version_key(v.version), reverse=True)


def review_events(user: User, module_id: str) -> list[ReviewEvent]:
    """The review conversation of a module of the user's organisation, oldest first."""
    _require_author(user)
    return list(ReviewEvent.select().where(
        (ReviewEvent.organisation == user.__data__["organisation"])
        & (ReviewEvent.module_id == module_id)).order_by(ReviewEvent.created_at, ReviewEvent.id))


def revert(author: User, version_id: int, media_dir: Path | None = None) -> ModuleDraft:
    """Make the module's draft hold an older published version's content (a new revision)."""
    version = own_version(author, version_id)
    if version.__data__["organisation"] != author.__data__["organisation"]:
        raise DraftNotFound("Only your organisation's own modules can be reverted.")
    draft = edit_published(author, version.module_id)
    content = copy.deepcopy(version.content)
    content["module"]["version"] = draft.content.get("module", {}).get("version",
                                                                        version.version)
    saved = replace_content(author, draft.get_id(), draft.revision, content, media_dir)
    audit.record(author, "module.reverted", object_type="module_version",
                 object_id=f"{version.module_id}@{version.version}")
    return saved.draft


def set_four_eyes(admin: User, on: bool) -> Organisation:
    """Switch the organisation's four-eyes review on or off (admins only; audited)."""
    if admin.role != Role.ADMIN or not admin.active:
        raise NotAllowed("Only an admin changes how modules are reviewed.")
    organisation: Organisation = admin.organisation
    with write_transaction():
        organisation.four_eyes_review = bool(on)
        organisation.save()
        audit.record(admin, "organisation.four_eyes_" + ("on" if on else "off"),
                     object_type="organisation", object_id=organisation.get_id())
    return organisation


def drafts_in_review(organisation: Organisation) -> Iterable[ModuleDraft]:
    """The organisation's drafts waiting for review, oldest submission first."""
    return (ModuleDraft.select().where((ModuleDraft.organisation == organisation)
                                       & (ModuleDraft.state == DraftState.IN_REVIEW))
            .order_by(ModuleDraft.submitted_at))

