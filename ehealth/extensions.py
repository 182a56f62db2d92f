"""Extension objects, created unattached; ``create_app`` initialises them."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from peewee import DatabaseProxy

db = DatabaseProxy()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# The limits themselves, their storage and their numbers: ``ehealth.rate_limits``.
limiter = Limiter(key_func=get_remote_address)
