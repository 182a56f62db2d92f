"""Routes of the organisation's modules: the list, new modules and copies, review and
publication, history, and modules as zip files.

For the organisation's authors and admins (others 403, visitors the log-in page). A draft or a
version of another organisation does not exist here (404). Thin: read the form, call one
service (``services.authoring``, ``services.module_review``, ``services.module_packages``),
render or redirect (303). A form with mistakes comes back with an error summary (422); what a
service refuses is said in the author's language (``forms.refusal``).

The editor (``author.edit_draft``) and the preview (``author.preview``) live in
``editor_routes``; pages here link to them when they exist, else to the draft's review page.
"""

from __future__ import annotations

import io
from typing import Any, NoReturn

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ehealth.access import safe_next
from ehealth.author import review_view
from ehealth.author.blueprint import bp
from ehealth.author.common import author_only, instance_dir, me, media_dir
from ehealth.author.forms import (
    CommentForm,
    CopyForm,
    ImportForm,
    NewModuleForm,
    PublishForm,
    SendBackForm,
    SubmitForm,
    refusal,
)
from ehealth.content.package import ZipLimits
from ehealth.i18n import page_language
from ehealth.input_guard import large_body
from ehealth.models import ModuleDraft
from ehealth.module_library import conflict_notices
from ehealth.module_library import modules as library_modules
from ehealth.services import authoring, media, module_packages, module_review
from ehealth.services.authoring import AuthoringError, DraftNotFound

Page = tuple[str, int]
ZIP_LIMIT = ZipLimits().archive_bytes
SHOWN_PROBLEMS = 5  # problems listed in a message after a refused submit; the editor has all

review_view.register(bp)




def _editor_url(draft: ModuleDraft) -> str:
    """The draft's editor when the editor is there, else its review page."""
    if "author.edit_draft" in current_app.view_functions:
        return url_for("author.edit_draft", draft_id=draft.get_id())
    return url_for("author.review", draft_id=draft.get_id())


def _not_found() -> NoReturn:
    abort(404)


@bp.context_processor
def _links() -> dict[str, Any]:
    def preview_url(draft: ModuleDraft) -> str | None:
        if "author.preview" not in current_app.view_functions:
            return None
        return url_for("author.preview", draft_id=draft.get_id())

    return {"editor_url": _editor_url, "preview_url": preview_url}


# --- the list, new modules, copies ------------------------------------------------------------

@bp.get("/")
@author_only
def modules() -> str:
    """The organisation's modules with their state, and the shipped library to copy from;
    above them, any module folder of the library that could not be published."""
    user = me()
    own, shipped = authoring.modules_of(user.organisation, library_modules(current_app))
    return render_template("author/modules.html", own=own, shipped=shipped,
                           in_review=list(authoring.drafts_in_review(user.organisation)),
                           lang=page_language(),
                           module_conflicts=conflict_notices(current_app, user, page_language()))


@bp.route("/new", methods=["GET", "POST"])
@author_only
def new_module() -> Page | Response:
    """A new, blank module of the organisation: an id, a title and its languages."""
    form = NewModuleForm()
    if request.method == "GET" or not form.validate():
        return render_template("author/new.html", form=form), (
            422 if request.method == "POST" else 200)
    try:
        draft = authoring.new_draft(me(), form.module_id.data, form.title.data,
                                    form.languages.data)
    except AuthoringError as error:
        form.module_id.errors = [refusal(error, form.module_id.data)]
        return render_template("author/new.html", form=form), 422
    flash(_("The module “%(title)s” is a draft of your organisation now.",
            title=form.title.data), "success")
    return redirect(_editor_url(draft), code=303)


def _copyable(module_id: str) -> Any:
    """The latest version of a module the organisation may copy (the library's or its own)."""
    version = authoring.latest_version(module_id)
    if version is None or version.__data__["organisation"] not in (
            None, me().__data__["organisation"]):
        _not_found()
    return version


def _suggested_id(module_id: str) -> str:
    """"<organisation>-<module>", shortened to a valid id that is not in use yet."""
    base = f"{me().organisation.slug}-{module_id}"[:60].strip("-_")
    candidate, number = base, 2
    while authoring.module_id_in_use(candidate) and number < 100:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


@bp.route("/copy/<module_id>", methods=["GET", "POST"])
@author_only
def copy_module(module_id: str) -> Page | Response:
    """Copy a module into the organisation, as a new module that remembers where it came from."""
    version = _copyable(module_id)
    form = CopyForm()
    if request.method == "GET":
        form.module_id.data = _suggested_id(module_id)
    if request.method == "GET" or not form.validate():
        return render_template("author/copy.html", form=form, version=version), (
            422 if request.method == "POST" else 200)
    try:
        draft = authoring.copy_module(me(), version, form.module_id.data)
    except AuthoringError as error:
        form.module_id.errors = [refusal(error, form.module_id.data)]
        return render_template("author/copy.html", form=form, version=version), 422
    flash(_("Copied: “%(id)s” is a draft of your organisation now.",
            id=form.module_id.data), "success")
    return redirect(_editor_url(draft), code=303)


@bp.post("/modules/<module_id>/edit")
@author_only
def edit_module(module_id: str) -> Response:
    """Start changing a published module of the organisation (or open its draft)."""
    try:
        draft = authoring.edit_published(me(), module_id)
    except DraftNotFound:
        _not_found()
    return redirect(_editor_url(draft), code=303)


# --- review and publication -------------------------------------------------------------------

def _review_page(draft_id: int, status: int = 200, **forms: Any) -> Page:
    try:
        review = module_review.review_of(me(), draft_id, media_dir())
    except DraftNotFound:
        _not_found()
    publish_form = forms.get("publish_form") or PublishForm(formdata=None, data={
        "version": review.proposal.version, "note": review.draft.change_note or "",
        "revision": review.draft.revision})
    return render_template(
        "author/review.html", review=review, draft=review.draft, diff=review.diff,
        lang=page_language(), publish_form=publish_form,
        comment_form=forms.get("comment_form") or CommentForm(formdata=None),
        send_back_form=forms.get("send_back_form") or SendBackForm(formdata=None),
        submit_form=forms.get("submit_form") or SubmitForm(formdata=None),
        refused=forms.get("refused")), status


@bp.get("/drafts/<int:draft_id>/review")
@author_only
def review(draft_id: int) -> Page:
    """A draft against the published version: what changed, the proposed version, the review
    conversation, and (for a reviewer) approve and publish, or send back."""
    return _review_page(draft_id)


@bp.post("/drafts/<int:draft_id>/submit")
@author_only
def submit(draft_id: int) -> Response:
    """Send the draft to review with a note on what changed; back to where the author was,
    with the problems to fix first if there are any."""
    form = SubmitForm()
    try:
        draft = authoring.draft_of(me(), draft_id)
    except DraftNotFound:
        _not_found()
    back = safe_next(form.next.data) or _editor_url(draft)
    if not form.validate():
        for _field, message in form.error_list():
            flash(message, "error")
        return redirect(back, code=303)
    try:
        authoring.submit(me(), draft_id, form.note.data, media_dir())
    except authoring.DraftHasProblems as error:
        flash(refusal(error), "error")
        for problem in error.problems[:SHOWN_PROBLEMS]:
            flash(f"{problem.file} {problem.path}: {problem.message}", "error")
        if len(error.problems) > SHOWN_PROBLEMS:
            flash(_("… and %(count)d more: the editor lists them all.",
                    count=len(error.problems) - SHOWN_PROBLEMS), "error")
        return redirect(back, code=303)
    except AuthoringError as error:
        flash(refusal(error), "error")
        return redirect(back, code=303)
    flash(_("Sent for review. Another author or an admin of your organisation reads it "
            "now."), "success")
    return redirect(url_for("author.review", draft_id=draft_id), code=303)


@bp.post("/drafts/<int:draft_id>/comments")
@author_only
def comment(draft_id: int) -> Page | Response:
    """A comment in the draft's review conversation."""
    form = CommentForm()
    if not form.validate():
        return _review_page(draft_id, 422, comment_form=form)
    try:
        authoring.comment(me(), draft_id, form.body.data)
    except DraftNotFound:
        _not_found()
    return redirect(url_for("author.review", draft_id=draft_id, _anchor="conversation"),
                    code=303)


@bp.post("/drafts/<int:draft_id>/publish")
@author_only
def publish(draft_id: int) -> Page | Response:
    """Approve the draft and publish it as a new version: at least the proposed number."""
    form = PublishForm()
    try:
        draft = authoring.draft_of(me(), draft_id)
    except DraftNotFound:
        _not_found()
    if not authoring.may_review(me(), draft):
        return _review_page(draft_id, 403, publish_form=form,
                            refused=refusal(authoring.NotAllowed("four eyes")))
    if not form.validate():
        return _review_page(draft_id, 422, publish_form=form)
    try:
        version = module_review.publish_reviewed(me(), draft_id, form.version.data,
                                                 form.note.data or "", media_dir(),
                                                 form.revision.data)
    except (authoring.VersionTooLow, authoring.DraftHasProblems) as error:
        form.version.errors = [refusal(error)]
        return _review_page(draft_id, 422, publish_form=form)
    except authoring.WrongState as error:
        return _review_page(draft_id, 409, publish_form=form, refused=refusal(error))
    except AuthoringError as error:
        return _review_page(draft_id, 403, publish_form=form, refused=refusal(error))
    flash(_("Version %(version)s is published. It is in your organisation's module library "
            "now; therapists can give it to clients within a few seconds.",
            version=version.version), "success")
    return redirect(url_for("author.history", module_id=version.module_id), code=303)


@bp.post("/drafts/<int:draft_id>/send-back")
@author_only
def send_back(draft_id: int) -> Page | Response:
    """Return the draft to its authors, saying what should change."""
    form = SendBackForm()
    try:
        draft = authoring.draft_of(me(), draft_id)
    except DraftNotFound:
        _not_found()
    if not authoring.may_review(me(), draft):
        return _review_page(draft_id, 403, send_back_form=form,
                            refused=refusal(authoring.NotAllowed("four eyes")))
    if not form.validate():
        return _review_page(draft_id, 422, send_back_form=form)
    try:
        authoring.send_back(me(), draft_id, form.reason.data)
    except authoring.WrongState as error:
        return _review_page(draft_id, 409, send_back_form=form, refused=refusal(error))
    except AuthoringError as error:
        return _review_page(draft_id, 422, send_back_form=form, refused=refusal(error))
    flash(_("Sent back to the authors with your reason."), "success")
    return redirect(url_for("author.review", draft_id=draft_id, _anchor="conversation"),
                    code=303)


# --- history ----------------------------------------------------------------------------------

@bp.get("/modules/<module_id>/history")
@author_only
def history(module_id: str) -> str:
    """Every published version of the organisation's module: who, when, the note; compare any
    two; start a draft from an old one."""
    user = me()
    versions = authoring.history(user, module_id)
    if not versions:
        _not_found()
    events = authoring.review_events(user, module_id)
    by_version: dict[int, list[Any]] = {}
    for event in events:
        if event.__data__["module_version"] is not None:
            by_version.setdefault(event.__data__["module_version"], []).append(event)
    draft = ModuleDraft.get_or_none((ModuleDraft.organisation == user.organisation)
                                    & (ModuleDraft.module_id == module_id))
    return render_template("author/history.html", module_id=module_id, versions=versions,
                           events=by_version, draft=draft, lang=page_language())


@bp.get("/modules/<module_id>/compare")
@author_only
def compare(module_id: str) -> str:
    """What changed between two published versions (``?old=1.0.0&new=1.1.0``)."""
    old, new = request.args.get("old", ""), request.args.get("new", "")
    try:
        comparison = module_review.compare_versions(me(), module_id, old, new)
    except DraftNotFound:
        _not_found()
    return render_template("author/compare.html", comparison=comparison,
                           diff=comparison.diff, lang=page_language())


@bp.post("/versions/<int:version_id>/revert")
@author_only
def revert(version_id: int) -> Response:
    """Make the module's draft hold an old version's content (a new revision of the draft)."""
    try:
        version = authoring.own_version(me(), version_id)
        draft = authoring.revert(me(), version_id, media_dir())
    except DraftNotFound:
        _not_found()
    except AuthoringError as error:
        flash(refusal(error), "error")
        return redirect(url_for("author.history", module_id=version.module_id), code=303)
    flash(_("The draft holds version %(version)s again. Check it, then send it for review.",
            version=version.version), "success")
    return redirect(_editor_url(draft), code=303)


# --- zip files --------------------------------------------------------------------------------

def _zip_response(exported: module_packages.ExportedZip) -> Response:
    response = send_file(io.BytesIO(exported.data), mimetype="application/zip",
                         as_attachment=True, download_name=exported.filename)
    response.headers["Cache-Control"] = "no-store"
    return response



@bp.get("/drafts/<int:draft_id>/export")
@author_only
def export_draft(draft_id: int) -> Response:
    """The draft as a module zip (``modules/<id>/…`` and its media)."""
    try:
        exported = module_packages.export_draft(me(), draft_id, media_dir(), instance_dir())
    except DraftNotFound:
        _not_found()
    except module_packages.ExportError as error:
        flash(_("This draft cannot be written as a zip yet: %(reason)s", reason=str(error)),
              "error")
        return redirect(url_for("author.review", draft_id=draft_id), code=303)
    return _zip_response(exported)


@bp.get("/versions/<int:version_id>/export")
@author_only
def export_version(version_id: int) -> Response:
    """A published version (the organisation's own or the library's) as a module zip."""
    try:
        exported = module_packages.export_version(me(), version_id, media_dir(),
                                                  instance_dir())
    except DraftNotFound:
        _not_found()
    return _zip_response(exported)


def _import_page(form: ImportForm, status: int, problems: list[Any] | None = None,
                 refused: str | None = None) -> Page:
    user = me()
    drafts = list(ModuleDraft.select().where(ModuleDraft.organisation == user.organisation)
                  .order_by(ModuleDraft.module_id))
    return render_template("author/import.html", form=form, drafts=drafts,
                           problems=problems or [], refused=refused,
                           lang=page_language()), status


@bp.route("/import", methods=["GET", "POST"])
@large_body(ZIP_LIMIT + 64 * 1024)
@author_only
def import_module() -> Page | Response:
    """Import a module zip: as a new module of the organisation, or as the new content of one
    of its drafts. Every problem is listed, and nothing is stored when there is one."""
    form = ImportForm()
    if request.method == "GET":
        chosen = request.args.get("draft", "")
        form.target.data = chosen if chosen.isdigit() else "new"
        return _import_page(form, 200)
    if not form.validate():
        return _import_page(form, 422)
    upload = form.archive.data
    if upload is None or not getattr(upload, "filename", ""):
        form.archive.errors = [_("Choose the zip file to import.")]
        return _import_page(form, 422)
    target = form.target.data or "new"
    draft_id: int | None = None
    if target != "new":
        if not target.isdigit() or len(target) > 18:
            form.target.errors = [_("Choose a draft of your organisation, or a new module.")]
            return _import_page(form, 422)
        draft_id = int(target)
    data = upload.read(ZIP_LIMIT + 1)
    try:
        draft = module_packages.import_module(
            me(), data, check_media=media.check_upload,
            store_media=media.upload_store(instance_dir()),
            media_dir=media_dir(), module_id=form.module_id.data or None, draft_id=draft_id,
            label=upload.filename[:100] or "module.zip")
    except DraftNotFound:
        form.target.errors = [_("Choose a draft of your organisation, or a new module.")]
        return _import_page(form, 422)
    except module_packages.ImportRefused as error:
        return _import_page(form, 422, problems=error.problems, refused=refusal(error))
    except AuthoringError as error:
        return _import_page(form, 422, refused=refusal(
            error, form.module_id.data or None))
    flash(_("Imported: the draft “%(id)s” holds the module from the zip now.",
            id=draft.module_id), "success")
    return redirect(_editor_url(draft), code=303)
