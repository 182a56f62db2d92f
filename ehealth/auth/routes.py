"""Routes of the account area: log in and out, invitations, password reset, the account page.

Thin: read the form, call one function of ``services.accounts``, render or redirect. A link that
no longer works (invitation or reset: unknown, used or expired) answers 410 Gone with a page that
says what to do instead. A form posted with mistakes is shown again (200) with an error summary;
a refused log-in is 200 as well, a locked account 429. Successful posts redirect with 303.
"""

from __future__ import annotations

import logging
import time

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ehealth.access import safe_next
from ehealth.auth import bp
from ehealth.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ForgotPasswordForm,
    InvitationForm,
    LanguageForm,
    LoginForm,
    ResetPasswordForm,
)
from ehealth.auth.mails import send_password_reset
from ehealth.i18n import LANGUAGE_COOKIE
from ehealth.models import User
from ehealth.presentation import home_endpoint
from ehealth.services import accounts, two_factor
from ehealth.services.mail import MailError
from ehealth.services.sessions import end_all_sessions, end_session, start_session
from ehealth.services.throttle import Throttle, throttle_for

ONE_YEAR = 365 * 24 * 3600

log = logging.getLogger(__name__)

Page = str | tuple[str, int]


# --- helpers -------------------------------------------------------------------------------

def _throttle() -> Throttle:
    """The app's log-in throttle (database or Redis, from ``REDIS_URL``), made once per app."""
    throttle: Throttle | None = current_app.extensions.get("ehealth.throttle")
    if throttle is None:
        throttle = throttle_for(current_app.config)
        current_app.extensions["ehealth.throttle"] = throttle
    return throttle


def _user() -> User:
    """The signed-in user object itself (not the proxy)."""
    user: User = current_user._get_current_object()
    return user


def _ui_language() -> str:
    return str(get_locale() or current_app.config["DEFAULT_LANGUAGE"])


def home_for(user: User) -> str:
    """Where a user lands after logging in: the start page of their role's area."""
    return url_for(home_endpoint(user.role))


def _remember_language(response: Response, language: str) -> Response:
    """Show the product in the user's language from now on (the same cookie as the switch)."""
    if language in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=ONE_YEAR, httponly=True, samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def _end_this_session() -> bool:
    """End this browser's session on the server and forget the cookie's contents.

    Returns whether someone was signed in.
    """
    signed_in = bool(current_user.is_authenticated)
    if signed_in and current_user.session_token:
        end_session(current_user.session_token)
    logout_user()
    session.clear()
    return signed_in


def _sign_in(user: User, target: str | None) -> Response:
    """After the password: clients are in; staff confirm with their second factor first."""
    _end_this_session()
    if user.is_staff:
        session[PENDING_USER] = user.id
        session[PENDING_SINCE] = int(time.time())
        session[PENDING_NEXT] = target
        step = "auth.second_factor" if user.totp_secret else "auth.second_factor_setup"
        return redirect(url_for(step), code=303)
    return _complete_sign_in(user, target)


def _complete_sign_in(user: User, target: str | None) -> Response:
    """A fresh session: nothing of the old cookie survives (no session fixation)."""
    session.clear()
    start_session(user)
    login_user(user)
    response = redirect(target or home_for(user), code=303)
    return _remember_language(response, user.language)


# A staff member between password and second factor (in the signed session cookie, briefly).
PENDING_USER = "second_factor_user"
PENDING_SINCE = "second_factor_since"
PENDING_NEXT = "second_factor_next"
PENDING_SECRET = "second_factor_secret"  # noqa: S105 - a session key, not a secret
PENDING_SECONDS = 600


def _pending_user() -> User | None:
    """The staff member who gave the right password in the last ten minutes, if any."""
    user_id, since = session.get(PENDING_USER), session.get(PENDING_SINCE)
    if not isinstance(user_id, int) or not isinstance(since, int):
        return None
    if time.time() - since > PENDING_SECONDS:
        session.clear()
        return None
    user: User | None = User.get_or_none((User.id == user_id) & (User.active == True))  # noqa: E712
    return user


def _gone(kind: str) -> tuple[str, int]:
    """The page for an invitation or reset link that no longer works."""
    return render_template("auth/link_invalid.html", kind=kind), 410


# --- log in and out ----------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
def login() -> Page | Response:
    """Log in with e-mail address and password; the same message for every kind of failure."""
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or home_for(_user()))
    form = LoginForm()
    failure: str | None = None
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, _throttle())
        except accounts.AccountLocked:
            failure = _("Too many attempts to log in to this account. Wait 15 minutes and "
                        "try again, or choose a new password with “Forgot your password?”.")
            status = 429
        except accounts.LoginFailed:
            failure = _("The e-mail address or password is not correct.")
        else:
            return _sign_in(user, target)
    errors = form.error_list() or ([("email", failure)] if failure else [])
    return render_template("auth/login.html", form=form, errors=errors, failure=failure,
                           next=target), status


@bp.post("/logout")
def logout() -> Response:
    """End the session on the server too, so the old cookie is worth nothing afterwards."""
    if _end_this_session():
        flash(_("You are logged out. See you next time!"), "success")
    return redirect(url_for("auth.login"), code=303)


# --- the second factor (staff) -----------------------------------------------------------------

def _code_failed(form: CodeForm, user: User) -> int:
    """Count a wrong code like a wrong password; the answer says what to do next."""
    throttle = _throttle()
    if throttle.record_failure(SECOND_FACTOR_ACCOUNT + user.email):
        form.code.errors = [_("Too many wrong codes. Wait 15 minutes and try again.")]
        return 429
    form.code.errors = [_("This code is not right, or it was used already. Wait for the next "
                          "code in your app and try again.")]
    return 200


SECOND_FACTOR_ACCOUNT = "second-factor:"


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor() -> Page | Response:
    """Staff: the code from the authenticator app (or a recovery code) completes the log-in."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if not user.totp_secret:
        return redirect(url_for("auth.second_factor_setup"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        code = (form.code.data or "").strip()
        if _throttle().is_locked(SECOND_FACTOR_ACCOUNT + user.email):
            form.code.errors = [_("Too many wrong codes. Wait 15 minutes and try again.")]
            status = 429
        else:
            try:
                if "-" in code:
                    two_factor.use_recovery_code(user, code)
                else:
                    two_factor.verify(user, code)
            except two_factor.CodeRejected:
                status = _code_failed(form, user)
            else:
                _throttle().reset(SECOND_FACTOR_ACCOUNT + user.email)
                return _complete_sign_in(user, session.get(PENDING_NEXT))
    return render_template("auth/second_factor.html", form=form,
                           errors=form.error_list()), status


@bp.route("/login/code/setup", methods=["GET", "POST"])
def second_factor_setup() -> Page | Response:
    """Staff, the first time: link an authenticator app, confirm a code, get recovery codes."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if user.totp_secret:
        return redirect(url_for("auth.second_factor"))
    g.personal_data = True
    secret = session.get(PENDING_SECRET)
    if not isinstance(secret, str):
        secret = session[PENDING_SECRET] = two_factor.new_secret()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enable(user, secret, form.code.data or "")
        except two_factor.CodeRejected:
            form.code.errors = [_("This code is not right. Check the time on your phone and "
                                  "try the next code.")]
        else:
            target = session.get(PENDING_NEXT)
            response = _complete_sign_in(user, target)
            page = render_template("auth/recovery_codes.html", codes=codes,
                                   target=target or home_for(user))
            response.set_data(page)
            response.status_code = 200
            response.headers.pop("Location", None)
            return response
    uri = two_factor.provisioning_uri(user, secret)
    return render_template("auth/second_factor_setup.html", form=form, secret=secret,
                           qr=two_factor.qr_data_uri(uri), errors=form.error_list())


# --- invitations -------------------------------------------------------------------------------

@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Page | Response:
    """Set up the account of an invitation: name, password and language; then signed in."""
    g.personal_data = True
    try:
        invitation = accounts.invitation_for(token)
    except accounts.InvitationInvalid:
        return _gone("invitation")
    form = InvitationForm()
    if request.method == "GET":
        form.language.data = _ui_language()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(token, form.name.data, form.password.data,
                                              form.language.data)
        except accounts.InvitationInvalid:
            return _gone("invitation")
        except accounts.PasswordRejected as error:
            form.password.errors = list(error.problems)
        except accounts.DetailsInvalid:
            form.name.errors = [_("Enter your name.")]
        else:
            log.info("Invitation %s accepted: user %s", invitation.id, user.id)
            return _sign_in(user, None)
    return render_template("auth/invitation.html", form=form, invitation=invitation,
                           errors=form.error_list())


# --- password reset ----------------------------------------------------------------------------

@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> Page | Response:
    """Ask for a reset link; the answer is the same whether the address has an account or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        result = accounts.request_password_reset(form.email.data)
        if result is not None:
            user, token = result
            try:
                send_password_reset(current_app.config, user, token)
            except MailError:
                log.exception("The password-reset mail for user %s could not be sent", user.id)
        flash(_("If there is an account for this e-mail address, we have sent a link to it. "
                "Open the link within 1 hour to choose a new password. No e-mail? Look in "
                "your spam folder too."), "success")
        return redirect(url_for("auth.login"), code=303)
    return render_template("auth/forgot.html", form=form, errors=form.error_list())


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Page | Response:
    """Choose a new password with a reset link; afterwards every session has ended."""
    g.personal_data = True
    try:
        accounts.password_reset_for(token)
    except accounts.ResetTokenInvalid:
        return _gone("reset")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data, throttle=_throttle())
        except accounts.ResetTokenInvalid:
            return _gone("reset")
        except accounts.PasswordRejected as error:
            form.password.errors = list(error.problems)
        else:
            # The reset ended every session of its account; this browser starts afresh too,
            # whoever was signed in on it.
            _end_this_session()
            flash(_("Your new password is set. You can log in with it now."), "success")
            return redirect(url_for("auth.login"), code=303)
    return render_template("auth/reset.html", form=form, errors=form.error_list())


# --- the account page --------------------------------------------------------------------------

def _account_page(language_form: LanguageForm | None = None,
                  password_form: ChangePasswordForm | None = None) -> str:
    g.personal_data = True
    user = _user()
    language_form = language_form or LanguageForm(formdata=None, language=user.language)
    password_form = password_form or ChangePasswordForm(formdata=None)
    return render_template("auth/account.html", user=user, language_form=language_form,
                           password_form=password_form,
                           errors=language_form.error_list() + password_form.error_list())


@bp.get("/account")
@login_required
def account() -> str:
    """Name, e-mail address and language; change the password; log out on other devices."""
    return _account_page()


@bp.post("/account/language")
@login_required
def account_language() -> Response:
    """Save the language of the product and of the e-mails."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    accounts.set_language(_user(), form.language.data)
    with force_locale(form.language.data):
        flash(_("Your language is saved."), "success")
    response = redirect(url_for("auth.account"), code=303)
    return _remember_language(response, form.language.data)


@bp.post("/account/password")
@login_required
def account_password() -> str | Response:
    """Change the password; other sessions end, this one stays."""
    form = ChangePasswordForm()
    user = _user()
    if form.validate_on_submit():
        try:
            accounts.change_password(user, form.current.data, form.password.data,
                                     keep_token=user.session_token, throttle=_throttle())
        except accounts.AccountLocked:
            form.current.errors = [_("Too many wrong attempts. Wait 15 minutes and try again.")]
        except accounts.WrongPassword:
            form.current.errors = [_("This is not your current password.")]
        except accounts.PasswordRejected as error:
            form.password.errors = list(error.problems)
        else:
            flash(_("Your password is changed. On other devices you are now logged out."),
                  "success")
            return redirect(url_for("auth.account"), code=303)
    return _account_page(password_form=form)


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere() -> Response:
    """End every other session of this user (a phone or computer someone else may use)."""
    user = _user()
    end_all_sessions(user, keep_token=user.session_token)
    flash(_("You are now logged out on all other devices."), "success")
    return redirect(url_for("auth.account"), code=303)
