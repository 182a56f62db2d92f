"""The forms of the admin area: what each field is called and when its input is refused.

The CSRF token of posted forms is checked for every request by ``CSRFProtect``; the access-log
filter is a GET form (it changes nothing) and is read by ``ehealth.admin.filters``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from ehealth.i18n import LANGUAGE_NAMES
from ehealth.services.accounts import NAME_MAX, is_email
from ehealth.services.people import INVITABLE_ROLES, role_label


class Form(FlaskForm):
    """A form whose CSRF token is checked by CSRFProtect, not again by the form."""

    class Meta:
        csrf = False

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) for every problem, in form order: the error summary."""
        return [(field.id, str(message)) for field in self for message in field.errors]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _email_address(form: Any, field: Field) -> None:
    if not is_email(field.data or ""):
        raise ValidationError(_l("Enter an e-mail address, like name@example.com."))


def _role_choices() -> list[SelectChoice]:
    """The invitable roles, labelled in the language of the request that shows them."""
    return [SelectChoice(role, role_label(role).capitalize()) for role in INVITABLE_ROLES]


class InviteForm(Form):
    email = EmailField(_l("E-mail address"), filters=[_strip], validators=[
        InputRequired(_l("Enter the e-mail address of the person you invite.")),
        _email_address])
    name = StringField(_l("Name"), filters=[_strip], validators=[
        InputRequired(_l("Enter the name of the person you invite.")),
        Length(max=NAME_MAX, message=_l("A name can be at most %(max)d characters long."))])
    role = RadioField(_l("Role"), choices=_role_choices,
                      validators=[InputRequired(_l("Choose a role."))])
    language = RadioField(_l("Language of the e-mail"),
                          choices=[SelectChoice(code, name)
                                   for code, name in LANGUAGE_NAMES.items()],
                          validators=[InputRequired(_l("Choose a language."))])


def _person_id(value: Any) -> int:
    """A person's id from the form; 0 (nobody) for anything that is not a number."""
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else 0


class MoveForm(Form):
    # Any id may come back: the service decides whether it is a therapist of the organisation.
    therapist = SelectField(_l("New therapist"), coerce=_person_id, validate_choice=False,
                            validators=[InputRequired(_l("Choose a therapist."))])
