"""The module editor and the preview: where an organisation's authors write a draft.

For the organisation's authors and admins (others 403, visitors the log-in page); another
organisation's draft does not exist here (404).

- ``author.edit_draft`` — the module's details, its lessons (add, rename, reorder, remove), the
  checker's problems and the writing warnings, each linking to its field, and whether the draft
  can be submitted.
- ``author.edit_lesson`` — a lesson's steps, one card each, with the fields of its type's
  authoring form (``editor_forms``): add, move, duplicate, remove (with undo).
- ``author.save_draft_page`` — where both pages post: the plain Save button and every button
  that changes the structure (a redirect back, 303), and the autosave (``Accept:
  application/json``: JSON). A part someone else changed meanwhile is shown with both versions
  (409) and chosen in ``author.resolve_conflict``; nothing is overwritten silently.
- ``author.undo_remove`` — puts a removed step or lesson back.
- ``author.lesson_json`` / ``author.save_lesson_json`` — a lesson as JSON, saved with the same
  checks; the text stays as typed when it cannot be saved.
- ``author.markdown_preview`` — a Markdown text rendered and sanitised, for the live preview.
- ``author.preview`` / ``author.preview_player`` — the draft in the real player, at phone width
  or wide, in the page's language; nothing of it is stored (the answers travel in the page).
- ``author.writing_guide`` — the writing rules (``docs/writing-modules.md``).

Routes are thin: they read the form (``editor_forms``) and call ``services.draft_editing``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlencode

import nh3
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_time
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from werkzeug.wrappers import Response

from ehealth.author import editor_forms as forms
from ehealth.author.blueprint import bp
from ehealth.author.common import author_only, me, media_dir
from ehealth.author.forms import refusal
from ehealth.author.review_view import raw_text
from ehealth.content.loader import parse_json
from ehealth.content.markdown import render_markdown
from ehealth.content.problems import Problem
from ehealth.content.steps import STEP_TYPES
from ehealth.i18n import module_language, page_language
from ehealth.models import DraftState, MediaFile, ModuleDraft
from ehealth.player_page import PlayerFrame, render_step
from ehealth.services import authoring, draft_editing, media
from ehealth.services.authoring import (
    AuthoringError,
    DraftConflict,
    DraftNotFound,
    InvalidChange,
)
from ehealth.services.draft_editing import (
    AddLesson,
    AddStep,
    DuplicateStep,
    MoveLesson,
    MoveStep,
    Operation,
    PartEdit,
    RemoveLesson,
    RemoveStep,
    RestoreLesson,
    RestoreStep,
)

Page = tuple[str, int]
OVERVIEW = "overview"
_FOCUS = re.compile(r"^ed-[A-Za-z0-9_-]{1,200}$")
MAX_MARKDOWN = 50_000




def _draft(draft_id: int) -> ModuleDraft:
    try:
        return authoring.draft_of(me(), draft_id)
    except DraftNotFound:
        abort(404)


def _not_found() -> NoReturn:
    abort(404)


def _lesson_exists(draft: ModuleDraft, lesson_id: str) -> None:
    if lesson_id not in forms.lesson_ids(draft.content):
        _not_found()


def _wants_json() -> bool:
    """The autosave asks for JSON; a browser's own post for a page."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json")


def _page_url(draft: ModuleDraft, page: str, focus: str | None = None) -> str:
    if page.startswith("lesson:") and page.removeprefix("lesson:") in forms.lesson_ids(
            draft.content):
        url = url_for("author.edit_lesson", draft_id=draft.get_id(),
                      lesson_id=page.removeprefix("lesson:"))
    else:
        url = url_for("author.edit_draft", draft_id=draft.get_id())
    if focus and _FOCUS.match(focus):
        url += "?" + urlencode({"focus": focus}) + "#" + focus
    return url


# --- what every editor page shows --------------------------------------------------------

class Checks:
    """The draft's problems and writing warnings, each placed at its field on its page."""

    def __init__(self, draft: ModuleDraft, index: forms.FieldIndex,
                 problems: list[Problem] | None = None) -> None:
        checked = draft_editing.check_draft(draft, media_dir(), problems)
        content = draft.content
        self.problems = [forms.locate(p, content, index) for p in checked.problems]
        self.warnings = [forms.locate(Problem(w.file, w.path, w.message), content, index,
                                      warning=True, suggestion=w.suggestion)
                         for w in checked.warnings]
        self.by_element: dict[tuple[str, str], list[forms.Located]] = {}
        for located in [*self.problems, *self.warnings]:
            if located.message.startswith("Missing translation for"):
                # The field itself says "missing translation" (its own marker); the list keeps it.
                self.by_element.setdefault((located.page, located.element), [])
                continue
            self.by_element.setdefault((located.page, located.element), []).append(located)

    def at(self, page: str, element: str) -> list[forms.Located]:
        return self.by_element.get((page, element), [])

    def on(self, page: str) -> dict[str, list[forms.Located]]:
        return {element: found for (where, element), found in self.by_element.items()
                if where == page and found}


def _index(draft: ModuleDraft, languages: list[str]) -> forms.FieldIndex:
    """Where the fields of the draft's pages are (to link problems to them), built part by
    part as problems ask for them."""
    content = draft.content

    def load(index: forms.FieldIndex, page: str, prefix: str) -> None:
        if page == OVERVIEW and prefix == "m":
            index.add(OVERVIEW, forms.module_view(content, languages).nodes)
        elif page == OVERVIEW:
            for view in forms.lesson_views(content, languages):
                if view.prefix == prefix:
                    index.add_element(OVERVIEW, view.id,
                                      forms.html_id(f"{view.prefix}.title.{languages[0]}"))
                    index.add(OVERVIEW, view.nodes)
        elif page.startswith("lesson:") and prefix[1:].isdigit():
            for view in forms.step_views(content, page.removeprefix("lesson:"), languages, None,
                                         previews=False, only=int(prefix[1:])):
                _add_step(index, page, view)

    return forms.FieldIndex(load)


def _add_step(index: forms.FieldIndex, page: str, view: forms.PartView) -> None:
    index.add_element(page, view.id, view.id + "-heading")
    index.add(page, view.nodes)
    index.loaded(page, view.prefix)


def _link(draft: ModuleDraft, located: forms.Located, here: str) -> str:
    if located.page == here:
        return "#" + located.anchor
    return _page_url(draft, located.page) + "#" + located.anchor


def _common(draft: ModuleDraft, page: str, problems: list[Problem] | None = None,
            shown: list[forms.PartView] | None = None) -> dict[str, Any]:
    """What every editor page shows; ``shown``: the step cards on this page, whose fields the
    problems can be placed at without building them again."""
    languages = forms.module_languages(draft.content)
    index = _index(draft, languages)
    for view in shown or []:
        _add_step(index, page, view)
    checks = Checks(draft, index, problems)
    return {
        "draft": draft, "content": draft.content, "languages": languages, "page": page,
        "checks": checks, "link": lambda located: _link(draft, located, page),
        "lang": page_language(), "language_names": forms.LANGUAGE_NAMES,
        "editor_languages": forms.EDITOR_LANGUAGES,
        "uploads": media.uploads_of(draft.organisation),
        "in_review": draft.state == DraftState.IN_REVIEW,
        "can_submit": "author.submit" in current_app.view_functions,
        "field_messages": checks.on(page),
        "focus": request.args.get("focus", "") if _FOCUS.match(
            request.args.get("focus", "")) else "",
        "title": module_title(draft), "lesson_ids": forms.lesson_ids(draft.content),
        "page_url": _page_url(draft, page), "ed_id": forms.html_id,
    }


def module_title(draft: ModuleDraft) -> str:
    """The draft's title in the page's language (its id while it has none)."""
    module = draft.content.get("module")
    return raw_text(module.get("title") if isinstance(module, dict) else None,
                    page_language()) or draft.module_id


def _overview_page(draft: ModuleDraft, form: dict[str, list[str]] | None = None,
                   status: int = 200, error: str | None = None,
                   removed: draft_editing.Removed | None = None,
                   problems: list[Problem] | None = None) -> Page:
    context = _common(draft, OVERVIEW, problems)
    languages = context["languages"]
    return render_template(
        "author/editor.html", module_part=forms.module_view(draft.content, languages, form),
        lessons=forms.lesson_views(draft.content, languages, form),
        step_counts={lesson_id: len(draft.content["lessons"][lesson_id].get("steps") or [])
                     for lesson_id in forms.lesson_ids(draft.content)},
        new_lesson=_new_lesson_values(form), error=error,
        removed=removed, removed_json=json.dumps(removed.as_json()) if removed else "",
        **context), status


def _new_lesson_values(form: dict[str, list[str]] | None) -> dict[str, str]:
    form = form or {}
    return {name: (form.get(f"new_lesson.{name}") or [""])[0]
            for name in ("id", *forms.EDITOR_LANGUAGES)}


def _lesson_page(draft: ModuleDraft, lesson_id: str, form: dict[str, list[str]] | None = None,
                 status: int = 200, error: str | None = None,
                 removed: draft_editing.Removed | None = None,
                 problems: list[Problem] | None = None) -> Page:
    page = f"lesson:{lesson_id}"
    languages = forms.module_languages(draft.content)
    conditions = forms.Conditions(draft.content, languages, page_language())
    steps = forms.step_views(draft.content, lesson_id, languages, conditions, form)
    context = _common(draft, page, problems, shown=steps)
    lesson_title = next((v.label(page_language()) for v in forms.lesson_views(
        draft.content, languages) if v.part_id == lesson_id), lesson_id)
    order = forms.lesson_ids(draft.content)
    return render_template(
        "author/editor_lesson.html", lesson_id=lesson_id, lesson_title=lesson_title,
        lesson_number=order.index(lesson_id) + 1, lessons_total=len(order), steps=steps,
        structure=_structure(draft.content, lesson_id),
        unsupported=forms.unsupported_steps(draft.content, lesson_id),
        step_types=[(name, str(kind.label)) for name, kind in STEP_TYPES.items()],
        conditions_json=conditions.as_json(), error=error, removed=removed,
        removed_json=json.dumps(removed.as_json()) if removed else "",
        **context), status


def _structure(content: Any, lesson_id: str) -> str:
    lesson = content.get("lessons", {}).get(lesson_id) if isinstance(content, dict) else None
    steps = lesson.get("steps") if isinstance(lesson, dict) else None
    return draft_editing.fingerprint([s.get("id") if isinstance(s, dict) else None
                                      for s in (steps if isinstance(steps, list) else [])])


def _page_of(form: dict[str, list[str]], draft: ModuleDraft) -> str:
    page = (form.get("page") or [OVERVIEW])[0]
    if page.startswith("lesson:") and page.removeprefix("lesson:") in forms.lesson_ids(
            draft.content):
        return page
    return OVERVIEW


def _render_page(draft: ModuleDraft, page: str, **kwargs: Any) -> Page:
    if page.startswith("lesson:"):
        return _lesson_page(draft, page.removeprefix("lesson:"), **kwargs)
    return _overview_page(draft, **kwargs)


# --- the two pages ---------------------------------------------------------------------------

@bp.get("/drafts/<int:draft_id>")
@author_only
def edit_draft(draft_id: int) -> Page:
    """The draft's details, lessons, problems and warnings, and whether it can be submitted."""
    return _overview_page(_draft(draft_id))


@bp.get("/drafts/<int:draft_id>/lessons/<lesson_id>")
@author_only
def edit_lesson(draft_id: int, lesson_id: str) -> Page:
    """One lesson's steps, each with its type's form."""
    draft = _draft(draft_id)
    _lesson_exists(draft, lesson_id)
    return _lesson_page(draft, lesson_id)


# --- saving ----------------------------------------------------------------------------------

class _Refused(Exception):
    """A button in the form that cannot work (a part that is not on the page)."""


def _operation(form: dict[str, list[str]], draft: ModuleDraft, page: str,
               parts: dict[str, tuple[str, dict[str, Any]]],
               edits: list[PartEdit]) -> tuple[Operation | None, str]:
    """The structural change a pressed button asks for (and what it was), adjusting ``edits``
    for a list button (which changes its part's value)."""
    op = (form.get("op") or ["save"])[0]
    verb, _sep, target = op.partition(":")
    if verb in ("save", ""):
        return None, "save"
    if verb.startswith("list-"):
        prefix = target.split(".", 1)[0]
        if prefix not in parts:
            raise _Refused
        key, value = parts[prefix]
        spec = forms.part_spec(draft.content, key, value.get("type"))
        if spec is None:
            raise _Refused
        changed = json.loads(json.dumps(value))
        focus = forms.apply_list_op(spec[0], changed, verb.removeprefix("list-"),
                                    target.split(".")[1:])
        if focus is None:
            raise _Refused
        base = (form.get(f"{prefix}._base") or [""])[0] or None
        edits[:] = [e for e in edits if e.key != key]
        edits.append(PartEdit(key, changed, base, spec[1]))
        suffix = ""
        if verb in ("list-up", "list-down"):
            # The moved item's own button, or the other one where it stopped at an end.
            path, _dot, index = focus.rpartition(".")
            size = forms.list_size(changed, path.split("."))
            up = verb == "list-up"
            if (up and index == "0") or (not up and index == str(size - 1)):
                up = not up
            suffix = "" if size < 2 else ("._up" if up else "._down")
        return None, f"focus:{prefix}.{focus}{suffix}"
    if verb == "step-add":
        step_type = (form.get("new_step_type") or [""])[0]
        if step_type not in STEP_TYPES or not page.startswith("lesson:"):
            raise _Refused
        return AddStep(page.removeprefix("lesson:"), step_type), "added"
    if verb == "lesson-add":
        values = _new_lesson_values(form)
        lesson_id = values["id"].strip() or draft_editing.fresh_id(
            values.get(forms.module_languages(draft.content)[0], "") or "les",
            set(forms.lesson_ids(draft.content)))
        return AddLesson(lesson_id, {lang: values[lang] for lang in forms.EDITOR_LANGUAGES}
                         ), "lesson-added"
    if target not in parts:
        raise _Refused
    key, _value = parts[target]
    part_id = key.partition(":")[2]
    if verb in ("step-up", "step-down") and key.startswith("step:"):
        return MoveStep(part_id, -1 if verb == "step-up" else 1), verb
    if verb == "step-duplicate" and key.startswith("step:"):
        return DuplicateStep(part_id), "added"
    if verb == "step-remove" and key.startswith("step:"):
        return RemoveStep(part_id), "removed"
    if verb in ("lesson-up", "lesson-down") and key.startswith("lesson:"):
        return MoveLesson(part_id, -1 if verb == "lesson-up" else 1), verb
    if verb == "lesson-remove" and key.startswith("lesson:"):
        return RemoveLesson(part_id), "removed"
    raise _Refused


def _move_button(prefix: str, index: int, count: int, up: bool, alone: str) -> str:
    """The moved item's button in the direction it went, or the other one once it reached the
    top or bottom (that button is gone); ``alone`` when the item has no buttons to move."""
    if count < 2:
        return alone
    if (up and index == 0) or (not up and index == count - 1):
        up = not up
    return f"{prefix}-{'up' if up else 'down'}"


def _focus_after(draft: ModuleDraft, page: str, what: str,
                 outcome: draft_editing.EditOutcome) -> str | None:
    """The element to focus when the page comes back: the moved item's button, the new step."""
    content = draft.content
    if what.startswith("focus:"):
        return forms.html_id(what.removeprefix("focus:"))
    if what.startswith("lesson-") and outcome.focus:
        order = forms.lesson_ids(content)
        if outcome.focus not in order:
            return None
        index = order.index(outcome.focus)
        if what == "lesson-added":
            return f"ed-l{index}-title-{forms.module_languages(content)[0]}"
        return _move_button(f"ed-l{index}", index, len(order), what == "lesson-up",
                            alone=f"ed-l{index}")
    if outcome.focus and page.startswith("lesson:"):
        steps = content["lessons"][page.removeprefix("lesson:")].get("steps") or []
        ids = [s.get("id") for s in steps if isinstance(s, dict)]
        if outcome.focus not in ids:
            return None
        index = ids.index(outcome.focus)
        if what == "added":
            return f"ed-s{index}-heading"
        return _move_button(f"ed-s{index}", index, len(ids), what == "step-up",
                            alone=f"ed-s{index}-heading")
    return None


@bp.post("/drafts/<int:draft_id>/save")
@author_only
def save_draft_page(draft_id: int) -> Any:
    """Save an editor page: the edited parts, then the button's change (if any).

    Answers with JSON for the autosave (``Accept: application/json``), else redirects back to
    the page (a removal shows the page at once, with its undo).
    """
    draft = _draft(draft_id)
    form = request.form.to_dict(flat=False)
    page = _page_of(form, draft)
    wants_json = _wants_json()
    languages = forms.module_languages(draft.content)
    conditions = forms.Conditions(draft.content, languages, page_language())
    parts, edits = forms.page_edits(form, draft.content, conditions)
    lesson_of = {key: (page.removeprefix("lesson:"), int(prefix[1:]))
                 for prefix, (key, _v) in parts.items() if prefix.startswith("s")}
    edits = [PartEdit(e.key, e.value, e.base, e.managed, *lesson_of.get(e.key, (None, None)))
             for e in edits]
    try:
        operation, what = _operation(form, draft, page, parts, edits)
    except _Refused:
        message = _("That button refers to something that is not on this page any more. "
                    "Reload the page.")
        if wants_json:
            return jsonify(error="refused", message=message), 422
        return _render_page(draft, page, form=form, status=422, error=message)
    try:
        outcome = draft_editing.save_edits(me(), draft_id, edits, operation, media_dir())
    except DraftConflict as conflict:
        return _conflict(draft, page, conflict, edits, wants_json)
    except AuthoringError as error:
        message = refusal(error)
        if wants_json:
            return jsonify(error="refused", message=message, state=_unsaved(message)), 422
        return _render_page(draft, page, form=form, status=422, error=message)
    if wants_json:
        return jsonify(_autosaved(outcome, page, form, parts))
    if outcome.removed is not None:
        return _render_page(outcome.draft, page, removed=outcome.removed,
                            problems=outcome.problems)
    if what == "save":
        flash(_("Saved.") if outcome.saved else _("Nothing had changed: nothing to save."),
              "success")
    return redirect(_page_url(outcome.draft, page, _focus_after(outcome.draft, page, what,
                                                                 outcome)), code=303)


def _unsaved(reason: str) -> str:
    return _("Not saved: %(reason)s", reason=reason)


def _autosaved(outcome: draft_editing.EditOutcome, page: str, form: dict[str, list[str]],
               parts: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """What the page needs after an autosave: the new fingerprints of what it saved, what
    someone else changed meanwhile, and the checks as they are now."""
    draft = outcome.draft
    content = draft.content
    languages = forms.module_languages(content)
    updated: dict[str, dict[str, str]] = {}
    stale: list[str] = []
    for prefix, (key, value) in parts.items():
        now_key = outcome.renamed.get(key, key)
        spec = forms.part_spec(content, now_key, value.get("type"))
        if spec is None:
            continue
        stored = authoring.part(content, now_key)
        base = draft_editing.fingerprint(draft_editing.projection(stored, spec[1]))
        page_base = (form.get(f"{prefix}._base") or [""])[0]
        if base == draft_editing.fingerprint(draft_editing.projection(value, spec[1])):
            updated[prefix] = {"key": now_key, "base": base,
                               "shown": draft_editing.fingerprint(value)}
        elif base != page_base:
            stale.append(prefix)
    if page.startswith("lesson:") and (form.get("structure") or [""])[0] != _structure(
            content, page.removeprefix("lesson:")):
        stale.append("structure")
    checks = Checks(draft, _index(draft, languages), outcome.problems)
    common = {"draft": draft, "page": page, "checks": checks, "in_review": False,
              "page_url": _page_url(draft, page),
              "link": lambda located: _link(draft, located, page),
              "can_submit": "author.submit" in current_app.view_functions, "lang": page_language()}
    return {
        "status": "saved", "revision": draft.revision, "parts": updated, "stale": stale,
        "state": _("Saved at %(time)s.", time=format_time(draft.updated_at, "short")),
        "stale_message": _("Someone else changed this page while you were working on it. "
                           "Your own changes are saved; reload the page to see theirs.")
        if stale else "",
        "checks_html": render_template("author/_checks.html", **common),
        "submit_html": render_template("author/_submit.html", **common),
        "messages": {element: render_template("author/_messages.html", found=found)
                     for element, found in checks.on(page).items()},
    }


def _conflict(draft: ModuleDraft, page: str, conflict: DraftConflict, edits: list[PartEdit],
              wants_json: bool) -> Any:
    """Both versions of every part in conflict, and a form to choose per part (409)."""
    by_key = {edit.key: edit for edit in edits}
    rows = []
    for found in conflict.conflicts:
        edit = by_key.get(found.key)
        managed = edit.managed if edit else frozenset()
        rows.append({
            "key": found.key, "label": _part_label(found.key, found.theirs, found.mine),
            "gone": found.theirs is None,
            "differences": forms.differences(draft_editing.projection(found.theirs, managed),
                                             draft_editing.projection(found.mine, managed)),
            "theirs_base": draft_editing.conflict_base(found, managed),
        })
    context = {"draft": conflict.draft, "page": page, "rows": rows,
               "edits_json": json.dumps([e.as_json() for e in edits], ensure_ascii=False),
               "back": _page_url(conflict.draft, page)}
    if wants_json:
        return jsonify(error="conflict", state=_unsaved(_("someone else changed the same part "
                                                          "in the meantime.")),
                       html=render_template("author/_conflict.html", **context)), 409
    return render_template("author/editor_conflict.html", **context), 409


def _part_label(key: str, theirs: Any, mine: Any) -> str:
    language = page_language()
    if key == "module":
        return _("The module's details")
    value = mine if isinstance(mine, dict) else theirs
    if key.startswith("lesson:"):
        title = value.get("title") if isinstance(value, dict) else None
        text = (title.get(language) or next(iter(title.values()), "")) if isinstance(
            title, dict) and title else key.removeprefix("lesson:")
        return _("Lesson “%(title)s”", title=text)
    kind = STEP_TYPES.get(str(value.get("type"))) if isinstance(value, dict) else None
    return _("Step “%(name)s” (%(type)s)", name=forms.step_label_text(value, language),
             type=str(kind.label) if kind else "?")


@bp.post("/drafts/<int:draft_id>/resolve")
@author_only
def resolve_conflict(draft_id: int) -> Any:
    """Save again after a conflict, keeping per part the version the author chose."""
    draft = _draft(draft_id)
    form = request.form.to_dict(flat=False)
    page = _page_of(form, draft)
    try:
        raw = json.loads((form.get("edits") or ["[]"])[0])
        edits = [PartEdit.from_json(item) for item in raw] if isinstance(raw, list) else None
    except (ValueError, RecursionError, InvalidChange):
        edits = None
    if edits is None:
        abort(400)
    chosen: dict[str, str | None] = {}
    for edit in edits:
        choice = (form.get(f"choice.{edit.key}") or [""])[0]
        if choice == "mine":
            chosen[edit.key] = (form.get(f"theirs.{edit.key}") or [""])[0]
        elif choice == "theirs":
            chosen[edit.key] = None
    resolved = draft_editing.resolve(edits, chosen)
    try:
        outcome = draft_editing.save_edits(me(), draft_id, resolved, None, media_dir())
    except DraftConflict as conflict:
        flash(_("Choose a version for every part below."), "error")
        return _conflict(draft, page, conflict, resolved, False)
    except AuthoringError as error:
        flash(refusal(error), "error")
        return redirect(_page_url(draft, page), code=303)
    flash(_("Saved, with the versions you chose.") if outcome.saved
          else _("Kept the other version: nothing of yours needed saving."), "success")
    return redirect(_page_url(outcome.draft, page), code=303)


@bp.post("/drafts/<int:draft_id>/restore")
@author_only
def undo_remove(draft_id: int) -> Response:
    """Put back the step or lesson just removed (the undo shown after a removal)."""
    draft = _draft(draft_id)
    form = request.form.to_dict(flat=False)
    page = _page_of(form, draft)
    try:
        removed = json.loads((form.get("removed") or [""])[0])
    except (ValueError, RecursionError):
        removed = None
    if not isinstance(removed, dict) or not isinstance(removed.get("index"), int) \
            or not isinstance(removed.get("value"), dict):
        abort(400)
    operation: Operation
    if removed.get("kind") == "step" and isinstance(removed.get("lesson"), str):
        operation = RestoreStep(removed["lesson"], removed["index"], removed["value"])
        what = "added"
    elif removed.get("kind") == "lesson":
        operation = RestoreLesson(removed["index"], removed["value"])
        what = "lesson-added"
    else:
        abort(400)
    try:
        outcome = draft_editing.save_edits(me(), draft_id, [], operation, media_dir())
    except AuthoringError as error:
        flash(refusal(error), "error")
        return redirect(_page_url(draft, page), code=303)
    flash(_("Put back."), "success")
    return redirect(_page_url(outcome.draft, page, _focus_after(outcome.draft, page, what,
                                                                 outcome)), code=303)


# --- a lesson as JSON ------------------------------------------------------------------------

def _json_page(draft: ModuleDraft, lesson_id: str, text: str, base: str, status: int = 200,
               errors: list[str] | None = None, theirs: str | None = None,
               theirs_base: str = "") -> Page:
    file = f"{draft.module_id}/lessons/{lesson_id}.json"
    checked = draft_editing.check_draft(draft, media_dir())
    own = [p for p in checked.problems if p.file.endswith(f"/lessons/{lesson_id}.json")]
    warnings = [w for w in checked.warnings if w.file.endswith(f"/lessons/{lesson_id}.json")]
    return render_template(
        "author/editor_json.html", draft=draft, lesson_id=lesson_id, text=text, base=base,
        errors=errors or [], problems=own, warnings=warnings, theirs=theirs,
        theirs_base=theirs_base, file=file, in_review=draft.state == DraftState.IN_REVIEW,
        lang=page_language()), status


@bp.get("/drafts/<int:draft_id>/lessons/<lesson_id>/json")
@author_only
def lesson_json(draft_id: int, lesson_id: str) -> Page:
    """A lesson as JSON, for authors who prefer to write it that way."""
    draft = _draft(draft_id)
    _lesson_exists(draft, lesson_id)
    return _json_page(draft, lesson_id, draft_editing.lesson_json(draft.content, lesson_id),
                      draft_editing.lesson_base(draft.content, lesson_id))


@bp.post("/drafts/<int:draft_id>/lessons/<lesson_id>/json")
@author_only
def save_lesson_json(draft_id: int, lesson_id: str) -> Page | Response:
    """Save a lesson written as JSON; what cannot be saved comes back as typed, with why."""
    draft = _draft(draft_id)
    _lesson_exists(draft, lesson_id)
    text = request.form.get("json", "").replace("\r\n", "\n")
    base = request.form.get("base", "")
    data, parse_problems = parse_json(f"lessons/{lesson_id}.json", text.encode("utf-8",
                                                                                "surrogatepass"))
    if parse_problems or data is None:
        return _json_page(draft, lesson_id, text, base, 422,
                          [f"{p.path}: {p.message}" if p.path != "$" else p.message
                           for p in parse_problems])
    try:
        saved = draft_editing.replace_lesson(me(), draft_id, lesson_id, data, base,
                                             media_dir())
    except DraftConflict as conflict:
        theirs = conflict.conflicts[0].theirs
        return _json_page(
            conflict.draft, lesson_id, text, base, 409,
            [_("Someone else changed this lesson since you opened it. Their version is "
               "shown below yours: keep yours (it replaces theirs), or take theirs.")],
            theirs=json.dumps(theirs, indent=2, ensure_ascii=False) + "\n",
            theirs_base=draft_editing.fingerprint(theirs))
    except AuthoringError as error:
        return _json_page(draft, lesson_id, text, base, 422, [refusal(error)])
    flash(_("Saved.") if saved.problems == [] else _(
        "Saved. The checker finds %(count)d problem(s) in the module: they are listed below.",
        count=len(saved.problems)), "success")
    return redirect(url_for("author.lesson_json", draft_id=draft_id, lesson_id=lesson_id),
                    code=303)


# --- Markdown, live -----------------------------------------------------------------------

@bp.post("/drafts/<int:draft_id>/markdown")
@author_only
def markdown_preview(draft_id: int) -> Any:
    """A Markdown text as the client will see it: rendered, then sanitised (JSON).

    The text comes as a form field ``text`` (pages take forms; JSON bodies are the API's)."""
    _draft(draft_id)
    text = request.form.get("text")
    if text is None:
        return jsonify(error="invalid", message=_("Send the text in the field “text”.")), 422
    if len(text) > MAX_MARKDOWN:
        return jsonify(error="too_long", message=_("This text is too long to preview.")), 422
    return jsonify(html=render_markdown(text.replace("\r\n", "\n")))


# --- the preview ---------------------------------------------------------------------------

FRAME_POLICY = "; ".join((
    "default-src 'self'", "img-src 'self' data:", "media-src 'self'", "style-src 'self'",
    "script-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
    "frame-ancestors 'self'",
))


def _framed(page: Page) -> Response:
    """A page the preview shows inside its frame: same-origin framing only."""
    response = current_app.make_response(page)
    response.headers["Content-Security-Policy"] = FRAME_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _preview_module(draft: ModuleDraft) -> draft_editing.PreviewModule:
    return draft_editing.preview_module(draft.content, media_dir(),
                                        MediaFile.paths_of(draft.organisation))


@bp.get("/drafts/<int:draft_id>/preview")
@author_only
def preview(draft_id: int) -> Page:
    """The draft as a client sees it, in the real player: at phone width or wide, in the
    page's language (switch it at the top). Reviewers of the organisation open the same link."""
    draft = _draft(draft_id)
    width = "wide" if request.args.get("width") == "wide" else "phone"
    built = _preview_module(draft)
    step = request.args.get("step", "")
    frame_url = url_for("author.preview_player", draft_id=draft_id)
    if step:
        frame_url += "?" + urlencode({"step": step})
    return render_template("author/preview.html", draft=draft, built=built, width=width,
                           module_title=module_title(draft),
                           frame_url=frame_url, lang=page_language()), 200


def _player_frame(draft_id: int, answers: dict[str, Any], step_id: str) -> PlayerFrame:
    return PlayerFrame(
        action=url_for("author.preview_player", draft_id=draft_id),
        home_url=url_for("author.preview_player", draft_id=draft_id),
        home_label=_("Preview: start again"),
        hidden=(("__answers", json.dumps(answers, ensure_ascii=False)), ("__step", step_id)),
        preview_notice=_("Preview: what you fill in here is not stored anywhere."))


def _play(draft_id: int, module: Any, played: draft_editing.PreviewStep, status: int = 200,
          notice: str | None = None) -> Response:
    if played.place is None:
        return _framed((render_template(
            "author/preview_end.html", view=played.view, answers=played.view.answers,
            lang=module_language(module),
            restart=url_for("author.preview_player", draft_id=draft_id)), status))
    place = played.place
    step = place.step
    step_type = STEP_TYPES[step["type"]]
    fields = step_type.to_form(step, played.view.answers.get(step["id"]))
    if played.errors is not None:
        fields = request.form.to_dict(flat=False)
    if played.missing:
        notice = _("Pick at least %(num)d more to go on.", num=played.missing)
    page = render_step(played.view, place, _player_frame(draft_id, played.view.answers,
                                                         step["id"]),
                       fields, 0, answers=played.view.answers, lang=module_language(module),
                       errors=played.errors, notice=notice,
                       template="author/preview_player.html")
    return _framed((page, 422 if played.errors is not None or played.missing else status))


@bp.route("/drafts/<int:draft_id>/preview/play", methods=["GET", "POST"])
@author_only
def preview_player(draft_id: int) -> Response:
    """The player in preview mode (inside the preview's frame). Back, Save and Next work as
    for a client, conditions included, but the answers live only in this page's form."""
    draft = _draft(draft_id)
    built = _preview_module(draft)
    if built.module is None:
        return _framed((render_template("author/preview_empty.html", draft=draft,
                                        built=built), 200))
    module = built.module
    if request.method == "GET":
        return _play(draft_id, module, draft_editing.preview_start(
            module, request.args.get("step") or None))
    form = request.form.to_dict(flat=False)
    answers = draft_editing.preview_answers(module, (form.get("__answers") or [""])[0])
    step_id = (form.get("__step") or [""])[0]
    action = (form.get("action") or ["next"])[0]
    for name in ("__answers", "__step", "csrf_token", "action"):
        form.pop(name, None)
    return _play(draft_id, module, draft_editing.preview_submit(module, answers, step_id,
                                                                 action, form))


# --- the writing rules -----------------------------------------------------------------------

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "writing-modules.md"
_GUIDE_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a", "h2", "h3", "h4",
               "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "hr"}


@lru_cache(maxsize=2)
def _guide_html(mtime: float) -> str:
    source = GUIDE.read_text(encoding="utf-8")
    # The guide's own h1 is the page's heading; its links to other documents are not pages here.
    source = re.sub(r"^# .*\n", "", source, count=1)
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(source)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    html = re.sub(r'<a href="(?!https?://|#)[^"]*">(.*?)</a>', r"\1", html)
    cleaned: str = nh3.clean(html, tags=_GUIDE_TAGS, attributes={"a": {"href"}},
                             url_schemes={"https", "http", "mailto"},
                             link_rel="noopener noreferrer")
    return cleaned


@bp.get("/writing-guide")
@author_only
def writing_guide() -> Page:
    """The writing rules of recovery-oriented modules, which the writing checks follow."""
    if not GUIDE.is_file():
        _not_found()
    return render_template("author/writing_guide.html",
                           guide=_guide_html(GUIDE.stat().st_mtime)), 200
