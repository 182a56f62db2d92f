"""The forms of the author area's module pages, and the author's words for what a service refused.

The CSRF token of posted forms is checked for every request by ``CSRFProtect``. The services
(``services.authoring``, ``services.module_review``, ``services.module_packages``) raise named
exceptions with English messages; ``refusal`` turns each into a sentence in the page's language.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.file import FileField
from wtforms import (
    Field,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ehealth.auth.forms import Form, strip_text
from ehealth.i18n import LANGUAGE_NAMES
from ehealth.services import authoring, module_packages, module_review

NOTE_MAX = 2000  # a change note, a comment, a reason to send back
TITLE_MAX = 200
ID_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
ID_HINT = _l("Lower-case letters and digits, joined by - or _ (at most 64 characters), for "
             "example mijn-krachten. Clients never see it.")




def _module_id_field(label: Any) -> StringField:
    return StringField(label, filters=[strip_text], validators=[
        DataRequired(_l("Give the module an id.")),
        Length(max=64, message=_l("A module id is at most 64 characters long.")),
        Regexp(ID_PATTERN, message=ID_HINT)])


def _text_field(label: Any, required: Any) -> TextAreaField:
    return TextAreaField(label, filters=[strip_text], validators=[
        DataRequired(required),
        Length(max=NOTE_MAX, message=_l("At most %(max)d characters.", max=NOTE_MAX))])


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _languages_chosen(form: Any, field: Field) -> None:
    if not field.data:
        raise ValidationError(_l("Choose at least one language."))


class NewModuleForm(Form):
    module_id = _module_id_field(_l("Module id"))
    title = StringField(_l("Title"), filters=[strip_text], validators=[
        DataRequired(_l("Give the module a title.")),
        Length(max=TITLE_MAX, message=_l("A title is at most %(max)d characters long.",
                                          max=TITLE_MAX))])
    languages = CheckboxesField(_l("Languages"),
                                choices=[SelectChoice(code, name)
                                         for code, name in LANGUAGE_NAMES.items()],
                                default=list(LANGUAGE_NAMES), validators=[_languages_chosen])


class CopyForm(Form):
    module_id = _module_id_field(_l("Id of your copy"))


class SubmitForm(Form):
    note = _text_field(_l("What changed"), _l("Say in a sentence what changed, for the "
                                              "reviewer."))
    next = HiddenField()


class CommentForm(Form):
    body = _text_field(_l("Your comment"), _l("Write a comment first."))


class PublishForm(Form):
    version = StringField(_l("Version number"), filters=[strip_text], validators=[
        DataRequired(_l("Give the version number, for example 1.2.0."))])
    note = TextAreaField(_l("Note for the history (optional)"), filters=[strip_text], validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("At most %(max)d characters.",
                                                    max=NOTE_MAX))])
    revision = IntegerField(validators=[InputRequired(_l("Reload the page and try again."))])


class SendBackForm(Form):
    reason = _text_field(_l("What should change"), _l("Tell the authors what to change."))


class ImportForm(Form):
    archive = FileField(_l("Module zip file"))
    target = StringField(_l("Import as"), filters=[strip_text], default="new")
    module_id = StringField(_l("Module id (optional)"), filters=[strip_text], validators=[
        Optional(), Length(max=64, message=_l("A module id is at most 64 characters long.")),
        Regexp(ID_PATTERN, message=ID_HINT)])


def refusal(error: authoring.AuthoringError, module_id: str | None = None) -> str:
    """What the author is told when a service refuses: in the page's language."""
    if isinstance(error, module_packages.ImportRefused):
        return ngettext("The zip was not imported: it has %(num)d problem, listed below. "
                        "Nothing was stored.",
                        "The zip was not imported: it has %(num)d problems, listed below. "
                        "Nothing was stored.", len(error.problems))
    if isinstance(error, authoring.DraftHasProblems):
        return ngettext("The module has %(num)d problem to fix first.",
                        "The module has %(num)d problems to fix first.", len(error.problems))
    if isinstance(error, module_review.VersionBelowProposal):
        return _("This version number is lower than the changes call for: %(reason)s",
                 reason=str(error))
    if isinstance(error, authoring.VersionTooLow):
        return _("Choose a higher version number: %(reason)s", reason=str(error))
    if isinstance(error, authoring.ModuleIdTaken):
        return _("The id “%(id)s” is already used by another module or draft. Choose another "
                 "id.", id=module_id or "")
    if isinstance(error, authoring.DraftConflict):
        return _("Someone else changed this draft in the meantime. Reload the page and try "
                 "again.")
    if isinstance(error, module_review.ChangedSinceRead):
        return _("The draft was changed while you were reading it. Read the changes again "
                 "before you publish.")
    if isinstance(error, authoring.WrongState):
        return _("The draft is not (or no longer) in the state this needs: it was changed, "
                 "submitted or published meanwhile. Reload the page to see where it stands.")
    if isinstance(error, authoring.NotAllowed):
        return _("You made the last change to this draft, so someone else reviews it (four "
                 "eyes). Ask another author or an admin of your organisation.")
    if isinstance(error, authoring.DraftNotFound):
        return _("There is no such module or draft in your organisation.")
    if isinstance(error, authoring.InvalidChange):
        return _("This cannot be saved as it is: %(reason)s", reason=str(error))
    return str(error)
