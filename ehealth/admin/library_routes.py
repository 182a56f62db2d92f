"""Routes of the admin's module library and figures pages.

The library: every module of the app's library (its latest published version), switched on or
off for the organisation's therapists, with a notice for a module folder that could not be
published; and whether the organisation's own modules are reviewed by four eyes. The figures:
counts, never about one person.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ehealth.admin.blueprint import bp
from ehealth.admin.common import admin_only, me
from ehealth.i18n import page_language
from ehealth.module_library import conflict_notices, modules
from ehealth.services import authoring, writing_words
from ehealth.services import figures as figures_service
from ehealth.services import library as library_service


def _language() -> str:
    return page_language()  # the one rule for interface and module texts


def _library_page(word_error: str | None = None,
                  word_form: dict[str, str] | None = None) -> str:
    language = _language()
    entries = sorted(library_service.library_of(me().organisation, modules(current_app)),
                     key=lambda e: e.module.title.in_language(
                         e.module.language_for(language)).lower())
    return render_template("admin/library.html", entries=entries,
                           module_conflicts=conflict_notices(current_app, me(), language),
                           own_words=writing_words.words_of(me().organisation),
                           word_error=word_error, word_form=word_form or {})


@bp.get("/library")
@admin_only
def library() -> str:
    """The modules of the library, and whether the organisation's therapists may use each;
    above them, any module folder that could not be published (and what to do); below, how
    the organisation's own modules are reviewed and its own words to avoid in them."""
    return _library_page()


def _word_message(reason: str) -> str:
    messages = {
        "language": _("Choose Dutch or English."),
        "empty": _("Fill in both the word and the kinder alternative."),
        "too_long": _("The word can be at most %(word)d characters and the alternative "
                      "%(alternative)d.", word=writing_words.MAX_WORD_LENGTH,
                      alternative=writing_words.MAX_ALTERNATIVE_LENGTH),
        "control_characters": _("Write the word and the alternative on one line."),
        "duplicate": _("That word is already on the list."),
        "too_many": _("The list is full (%(count)d words): remove one first.",
                      count=writing_words.MAX_WORDS),
        "unknown": _("That word is no longer on the list."),
    }
    return messages.get(reason, _("That did not work."))


@bp.post("/writing-words")
@admin_only
def add_writing_word() -> Response | tuple[str, int]:
    """Add a word to avoid in the organisation's modules, with its kinder alternative."""
    form = {key: request.form.get(key, "") for key in ("language", "word", "alternative")}
    try:
        writing_words.add_word(me(), form["language"], form["word"], form["alternative"])
    except writing_words.InvalidWord as error:
        return _library_page(_word_message(error.reason), form), 422
    flash(_("Added: the editor now suggests “%(alternative)s” instead of “%(word)s”.",
            alternative=" ".join(form["alternative"].split()),
            word=" ".join(form["word"].split())), "success")
    return redirect(url_for("admin.library", _anchor="writing-words"), code=303)


@bp.post("/writing-words/<int:index>/remove")
@admin_only
def remove_writing_word(index: int) -> Response | tuple[str, int]:
    """Remove one of the organisation's own words to avoid."""
    try:
        writing_words.remove_word(me(), index)
    except writing_words.InvalidWord as error:
        return _library_page(_word_message(error.reason)), 404
    flash(_("The word is removed from your organisation's list."), "success")
    return redirect(url_for("admin.library", _anchor="writing-words"), code=303)


@bp.post("/library/<module_id>")
@admin_only
def set_module_available(module_id: str) -> Response:
    """Switch a module on or off for the organisation's therapists."""
    available = request.form.get("available") == "yes"
    try:
        library_service.set_available(me(), module_id, available, modules(current_app))
    except library_service.UnknownModule:
        abort(404)
    module = modules(current_app)[module_id]
    title = module.title.in_language(module.language_for(_language()))
    if available:
        flash(_("Therapists can give “%(module)s” to clients again.", module=title), "success")
    else:
        flash(_("“%(module)s” is switched off: therapists can no longer give it to clients. "
                "Clients who already have it keep it.", module=title), "success")
    return redirect(url_for("admin.library", _anchor=f"module-{module_id}"), code=303)


@bp.post("/module-review")
@admin_only
def set_four_eyes() -> Response:
    """Switch four-eyes review of the organisation's own modules on or off (audited)."""
    on = request.form.get("four_eyes") == "on"
    authoring.set_four_eyes(me(), on)
    if on:
        flash(_("Four eyes is on: whoever made the last change to a draft cannot publish it; "
                "someone else reviews it."), "success")
    else:
        flash(_("Four eyes is off: an author or admin may publish a draft they changed "
                "themselves."), "success")
    return redirect(url_for("admin.library", _anchor="module-review"), code=303)


@bp.get("/figures")
@admin_only
def figures() -> str:
    """Active clients, and modules started and completed per month."""
    return render_template("admin/figures.html",
                           figures=figures_service.figures_for(me().organisation))
