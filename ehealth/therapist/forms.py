"""The forms of the therapist area that have fields worth a WTForms form: inviting a client.

Assigning, status changes and feedback are small forms on the client page; their routes read
the few fields directly and let the services judge them.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from ehealth.auth.forms import Form, email_address, strip_text
from ehealth.i18n import LANGUAGE_NAMES
from ehealth.services.accounts import NAME_MAX


class InviteClientForm(Form):
    email = EmailField(_l("The client's e-mail address"), filters=[strip_text], validators=[
        InputRequired(_l("Enter the client's e-mail address.")), email_address])
    name = StringField(_l("Name (optional)"), filters=[strip_text], validators=[
        Length(max=NAME_MAX, message=_l("A name can be at most %(max)d characters long."))])
    language = RadioField(
        _l("Language of the e-mail"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        validators=[InputRequired(_l("Choose a language."))])
