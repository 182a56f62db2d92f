"""The forms of the account screens: what each field is called and when its input is refused.

The CSRF token is checked for every request by ``CSRFProtect`` (and rendered by the templates
as ``csrf_token``), so these forms do not check it a second time.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    Field,
    PasswordField,
    RadioField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    EqualTo,
    InputRequired,
    Length,
    ValidationError,
)

from ehealth.i18n import LANGUAGE_NAMES
from ehealth.services.accounts import NAME_MAX, is_email, validate_password


class Form(FlaskForm):
    """A form whose CSRF token is checked by CSRFProtect, not again by the form."""

    class Meta:
        csrf = False

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) for every problem, in form order: the error summary."""
        return [(field.id, str(message)) for field in self for message in field.errors]


def password_rules(form: Any, field: Field) -> None:
    """The rules of ``accounts.validate_password`` (12 to 128 characters)."""
    problems = validate_password(field.data or "")
    if problems:
        raise ValidationError(" ".join(problems))


def email_address(form: Any, field: Field) -> None:
    """Something that looks like an e-mail address."""
    if not is_email(field.data or ""):
        raise ValidationError(_l("Enter an e-mail address, like name@example.com."))


def _language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]


class CodeForm(Form):
    code = StringField(_l("Code"), validators=[InputRequired(_l("Enter the code."))])


class LoginForm(Form):
    email = EmailField(_l("E-mail address"),
                       validators=[InputRequired(_l("Enter your e-mail address."))])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))])


def _new_password() -> PasswordField:
    return PasswordField(_l("New password"), validators=[
        InputRequired(_l("Choose a password.")), password_rules])


def _repeat() -> PasswordField:
    return PasswordField(_l("New password again"), validators=[
        InputRequired(_l("Type your new password once more.")),
        EqualTo("password", _l("The two passwords are not the same.")),
    ])


def strip_text(value: Any) -> Any:
    """A WTForms filter: text without surrounding white space (anything else as it is)."""
    return value.strip() if isinstance(value, str) else value


class InvitationForm(Form):
    name = StringField(_l("Your name"), filters=[strip_text], validators=[
        InputRequired(_l("Enter your name.")),
        Length(max=NAME_MAX, message=_l("Your name can be at most %(max)d characters long.")),
    ])
    password = _new_password()
    repeat = _repeat()
    language = RadioField(_l("Language"), choices=_language_choices(),
                          validators=[InputRequired(_l("Choose a language."))])


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail address"), filters=[strip_text], validators=[
        InputRequired(_l("Enter your e-mail address.")), email_address])


class ResetPasswordForm(Form):
    password = _new_password()
    repeat = _repeat()


class ChangePasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[
        InputRequired(_l("Enter your current password."))])
    password = _new_password()
    repeat = _repeat()


class LanguageForm(Form):
    language = RadioField(_l("Choose your language"), choices=_language_choices(),
                          validators=[InputRequired(_l("Choose a language."))])
