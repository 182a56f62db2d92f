"""Accounts: log in and out, invitations, password reset, the account page.

Signed-in people are sent on from the log-in page (302); pages of the account need a session
(anonymous: 302 to the log-in page); a link that no longer works is 410 Gone for everyone.
"""

from tests.access_rows import ROLES, everyone, only

SIGNED_IN = tuple(role for role in ROLES if role != "anonymous")
NEW_PASSWORD = "a brand new password"

ROWS = {
    # The second factor needs a password given just before: everyone else goes to /login.
    ("GET", "/login/code"): ("/login/code", None, everyone(302)),
    ("POST", "/login/code"): ("/login/code", {"code": "123456"}, everyone(302)),
    ("GET", "/login/code/setup"): ("/login/code/setup", None, everyone(302)),
    ("POST", "/login/code/setup"): ("/login/code/setup", {"code": "123456"}, everyone(302)),
    ("GET", "/login"): ("/login", None, only(302, SIGNED_IN, anonymous=200)),
    ("POST", "/login"): (
        "/login", {"email": "nobody@example.org", "password": "not the password"},
        only(302, SIGNED_IN, anonymous=200),
    ),
    ("POST", "/logout"): ("/logout", {}, everyone(303)),
    ("GET", "/invite/<token>"): ("/invite/no-such-invitation", None, everyone(410)),
    ("POST", "/invite/<token>"): (
        "/invite/no-such-invitation",
        {"name": "Sam", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD, "language": "nl"},
        everyone(410),
    ),
    ("GET", "/password/forgot"): ("/password/forgot", None, everyone(200)),
    ("POST", "/password/forgot"): (
        "/password/forgot", {"email": "nobody@example.org"}, everyone(303)),
    ("GET", "/password/reset/<token>"): ("/password/reset/no-such-reset", None, everyone(410)),
    ("POST", "/password/reset/<token>"): (
        "/password/reset/no-such-reset", {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD},
        everyone(410),
    ),
    ("GET", "/account"): ("/account", None, only(200, SIGNED_IN, anonymous=302)),
    ("POST", "/account/language"): (
        "/account/language", {"language": "nl"}, only(303, SIGNED_IN, anonymous=302)),
    # A wrong current password: the form comes back with its error, nothing changes.
    ("POST", "/account/password"): (
        "/account/password",
        {"current": "not my password at all", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD},
        only(200, SIGNED_IN, anonymous=302),
    ),
    ("POST", "/account/logout-everywhere"): (
        "/account/logout-everywhere", {}, only(303, SIGNED_IN, anonymous=302)),
}
