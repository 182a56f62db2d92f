"""The forms of the admin area: what each field is called and when its input is refused.

The CSRF token of posted forms is checked for every request by ``CSRFProtect``; the access-log
filter is a GET form (it changes nothing) and is read by ``ehealth.admin.filters``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, Field, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from ehealth.auth.forms import Form, strip_text
from ehealth.i18n import LANGUAGE_NAMES
from ehealth.services.accounts import NAME_MAX, is_email
from ehealth.services.care import REASON_MAX
from ehealth.services.people import INVITABLE_ROLES, role_label


def _email_address(form: Any, field: Field) -> None:
    if not is_email(field.data or ""):
        raise ValidationError(_l("Enter an e-mail address, like name@example.com."))


def _role_choices() -> list[SelectChoice]:
    """The invitable roles, labelled in the language of the request that shows them."""
    return [SelectChoice(role, role_label(role).capitalize()) for role in INVITABLE_ROLES]


class InviteForm(Form):
    email = EmailField(_l("E-mail address"), filters=[strip_text], validators=[
        InputRequired(_l("Enter the e-mail address of the person you invite.")),
        _email_address])
    name = StringField(_l("Name"), filters=[strip_text], validators=[
        InputRequired(_l("Enter the name of the person you invite.")),
        Length(max=NAME_MAX, message=_l("A name can be at most %(max)d characters long."))])
    role = RadioField(_l("Role"), choices=_role_choices,
                      validators=[InputRequired(_l("Choose a role."))])
    language = RadioField(_l("Language of the e-mail"),
                          choices=[SelectChoice(code, name)
                                   for code, name in LANGUAGE_NAMES.items()],
                          validators=[InputRequired(_l("Choose a language."))])


MAX_ID = 2**63 - 1


def _person_id(value: Any) -> int:
    """A person's id from the form; 0 (nobody) for anything that is not an id."""
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else 0
    if isinstance(value, str) and value.isdigit() and len(value) <= 19 and int(value) <= MAX_ID:
        return int(value)
    return 0


def _reason_field() -> StringField:
    return StringField(_l("Reason (optional)"), filters=[strip_text], validators=[
        Length(max=REASON_MAX, message=_l("A reason can be at most %(max)d characters long."))])


class MoveForm(Form):
    # Any id may come back: the service decides whether it is a therapist of the organisation.
    therapist = SelectField(_l("New primary therapist"), coerce=_person_id,
                            validate_choice=False,
                            validators=[InputRequired(_l("Choose a therapist."))])
    reason = _reason_field()


class CoTherapistForm(Form):
    therapist = SelectField(_l("Co-therapist"), coerce=_person_id, validate_choice=False,
                            validators=[InputRequired(_l("Choose a therapist."))])
    reason = _reason_field()


class EndCoTherapistForm(Form):
    reason = _reason_field()
