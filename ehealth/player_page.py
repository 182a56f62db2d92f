"""The player's page, rendered the same way for a client's step and for an author's preview.

``templates/client/player.html`` and the step templates (``player/steps/<type>.html``) show one
step of a module. What differs between the client's player and the preview of a draft is the
frame around the step (``PlayerFrame``): where the form posts, where "back" leads, whether it
autosaves, which hidden fields travel along (the preview's answers) and the notices above it.
Both areas call ``render_step``; neither copies the template's inputs.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import render_template

from ehealth.content.steps import STEP_TYPES
from ehealth.services.progress import Place


@dataclass(frozen=True)
class PlayerFrame:
    """What surrounds a step in the player: the client's own, or an author's preview."""

    action: str  # where the step's form posts
    home_url: str  # the breadcrumb back
    home_label: str
    save_url: str = ""  # the autosave API (empty: no autosave)
    csrf_url: str = ""
    hidden: Sequence[tuple[str, str]] = ()  # more hidden fields of the form
    preview_notice: str = ""  # shown above the step in a preview
    due_date: dt.date | None = None


def render_step(view: Any, place: Place, frame: PlayerFrame, fields: dict[str, list[str]],
                revision: int, *, answers: dict[str, Any], lang: str, errors: Any = None,
                notice: str | None = None, messages: Sequence[Any] = (),
                closed: bool = False, closed_notice: str = "",
                template: str = "client/player.html") -> str:
    """The player's page for ``place``: ``view`` has the module, the visible places and the
    progress (``services.assignments.Overview`` or the preview's equivalent); ``fields`` the
    step's form as the type fills it (``to_form``); ``answers`` the values by step id, for the
    summary step. ``template`` extends the player's (the preview's frame leaves out the
    site's menu)."""
    return render_template(
        template, view=view, place=place, step=place.step,
        step_type=STEP_TYPES[place.step["type"]], fields=fields, revision=revision,
        errors=errors, notice=notice, answers=answers, lang=lang, frame=frame,
        save_key=secrets.token_urlsafe(16),
        previous=view.places[place.index - 1] if place.index > 0 else None,
        is_last=place.index == len(view.places) - 1, messages=list(messages), closed=closed,
        closed_notice=closed_notice,
    )
