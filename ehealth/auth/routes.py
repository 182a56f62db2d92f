"""Routes of the account area: log in and out, invitations, password reset, the account page.

Thin: read the form, call one function of ``services.accounts``, render or redirect. A link that
no longer works (invitation or reset: unknown, used or expired) answers 410 Gone with a page that
says what to do instead. A form posted with mistakes is shown again (200) with an error summary;
a refused log-in is 200 as well, a locked account 429. Successful posts redirect with 303.

Staff between password and second factor have a pending log-in on the server
(``services.two_factor``); their cookie holds only its token. The log-in pages and "forgot
password" are rate-limited per client address, failed log-ins across the platform too
(``ehealth.rate_limits``); over a limit they answer 429 with their own page and how long to wait.
"Forgot password" only queues its work (``services.background``): the answer is the same, and
as quick, whether the address has an account or not.
"""

from __future__ import annotations

import logging

from flask import (
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ehealth import rate_limits
from ehealth.access import safe_next
from ehealth.auth.blueprint import bp
from ehealth.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ForgotPasswordForm,
    InvitationForm,
    LanguageForm,
    LoginForm,
    ResetPasswordForm,
)
from ehealth.auth.mails import mail_password_reset
from ehealth.i18n import LANGUAGE_COOKIE
from ehealth.models import PendingLogin, User
from ehealth.presentation import home_endpoint
from ehealth.services import accounts, background, two_factor
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
    """End this browser's session (and its pending log-in) on the server and forget the
    cookie's contents.

    Returns whether someone was signed in.
    """
    signed_in = bool(current_user.is_authenticated)
    if signed_in and current_user.session_token:
        end_session(current_user.session_token)
    pending = session.get(PENDING_LOGIN)
    two_factor.cancel_pending_login(pending if isinstance(pending, str) else None)
    logout_user()
    session.clear()
    return signed_in


def _sign_in(user: User, target: str | None) -> Response:
    """After the password: clients are in; staff confirm with their second factor first.

    Any earlier attempt of this browser ends: one browser, one pending log-in.
    """
    _end_this_session()
    if user.is_staff:
        session[PENDING_LOGIN] = two_factor.start_pending_login(user, target)
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


# The session key of the token of this browser's pending log-in (the state is on the server).
PENDING_LOGIN = "pending_login"


def _pending() -> PendingLogin | None:
    """This browser's live pending log-in (right password, second factor still to come)."""
    token = session.get(PENDING_LOGIN)
    return two_factor.pending_login(token if isinstance(token, str) else None)


def _gone(kind: str) -> tuple[str, int]:
    """The page for an invitation or reset link that no longer works."""
    return render_template("auth/link_invalid.html", kind=kind), 410


# --- log in and out ----------------------------------------------------------------------------

def _login_page(form: LoginForm, failure: str | None = None, status: int = 200) -> Page:
    errors = form.error_list() or ([("email", failure)] if failure else [])
    return render_template("auth/login.html", form=form, errors=errors, failure=failure,
                           next=safe_next(request.args.get("next"))), status


@bp.route("/login", methods=["GET", "POST"])
@rate_limits.login_platform
@rate_limits.login_per_address
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
            rate_limits.note_failed_attempt()
            failure = _("Too many attempts to log in to this account. Wait 15 minutes and "
                        "try again, or choose a new password with “Forgot your password?”.")
            status = 429
        except accounts.LoginFailed:
            rate_limits.note_failed_attempt()
            failure = _("The e-mail address or password is not correct.")
        else:
            return _sign_in(user, target)
    return _login_page(form, failure, status)


@bp.post("/logout")
def logout() -> Response:
    """End the session on the server too, so the old cookie is worth nothing afterwards."""
    if _end_this_session():
        flash(_("You are logged out. See you next time!"), "success")
    return redirect(url_for("auth.login"), code=303)


# --- the second factor (staff) -----------------------------------------------------------------

def _code_failed(form: CodeForm, user: User) -> int:
    """Count a wrong code like a wrong password; the answer says what to do next."""
    rate_limits.note_failed_attempt()
    throttle = _throttle()
    if throttle.record_failure(SECOND_FACTOR_ACCOUNT + user.email):
        form.code.errors = [_("Too many wrong codes. Wait 15 minutes and try again.")]
        return 429
    form.code.errors = [_("This code is not right, or it was used already. Wait for the next "
                          "code in your app and try again.")]
    return 200


SECOND_FACTOR_ACCOUNT = "second-factor:"


@bp.route("/login/code", methods=["GET", "POST"])
@rate_limits.second_factor_per_address
def second_factor() -> Page | Response:
    """Staff: the code from the authenticator app (or a recovery code) completes the log-in."""
    pending = _pending()
    if pending is None:
        return redirect(url_for("auth.login"))
    user: User = pending.user
    if not user.totp_secret:
        return redirect(url_for("auth.second_factor_setup"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        code = (form.code.data or "").strip()
        if _throttle().is_locked(SECOND_FACTOR_ACCOUNT + user.email):
            rate_limits.note_failed_attempt()
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
                if not two_factor.finish_pending_login(pending):
                    return redirect(url_for("auth.login"))
                return _complete_sign_in(user, pending.next_target)
    return _code_page(form, status)


def _code_page(form: CodeForm, status: int = 200) -> Page:
    return render_template("auth/second_factor.html", form=form,
                           errors=form.error_list()), status


@bp.route("/login/code/setup", methods=["GET", "POST"])
@rate_limits.second_factor_per_address
def second_factor_setup() -> Page | Response:
    """Staff, the first time: link an authenticator app, confirm a code, get recovery codes.

    The new secret is kept with the pending log-in on the server until the first code is right.
    """
    pending = _pending()
    if pending is None:
        return redirect(url_for("auth.login"))
    user: User = pending.user
    if user.totp_secret:
        return redirect(url_for("auth.second_factor"))
    g.personal_data = True
    secret = two_factor.setup_secret(pending)
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = two_factor.enable(user, secret, form.code.data or "")
        except two_factor.CodeRejected:
            rate_limits.note_failed_attempt()
            form.code.errors = [_("This code is not right. Check the time on your phone and "
                                  "try the next code.")]
        else:
            if not two_factor.finish_pending_login(pending):
                return redirect(url_for("auth.login"))
            target = pending.next_target
            response = _complete_sign_in(user, target)
            page = render_template("auth/recovery_codes.html", codes=codes,
                                   target=target or home_for(user))
            response.set_data(page)
            response.status_code = 200
            response.headers.pop("Location", None)
            return response
    return _setup_page(user, secret, form, status)


def _setup_page(user: User, secret: str, form: CodeForm, status: int = 200) -> Page:
    uri = two_factor.provisioning_uri(user, secret)
    return render_template("auth/second_factor_setup.html", form=form, secret=secret,
                           qr=two_factor.qr_data_uri(uri), errors=form.error_list()), status


# --- over a rate limit -------------------------------------------------------------------------

@bp.errorhandler(RateLimitExceeded)
def _too_many_attempts(error: RateLimitExceeded) -> Response:
    """Over a limit of ``ehealth.rate_limits``: the page itself (429), saying how long to wait.

    The request never reached the password or code check, so the answer tells nothing about
    them.
    """
    g.personal_data = True
    seconds = rate_limits.seconds_to_wait(error)
    minutes = rate_limits.minutes_to_wait(error)
    from_network = ngettext(
        "Too many attempts from this network. Wait %(num)d minute and try again.",
        "Too many attempts from this network. Wait %(num)d minutes and try again.", minutes)
    page: Page | Response
    if request.endpoint == "auth.login":
        if rate_limits.is_platform_limit(error):
            failure = ngettext(
                "There are too many attempts to log in right now. Wait %(num)d minute and "
                "try again.",
                "There are too many attempts to log in right now. Wait %(num)d minutes and "
                "try again.", minutes)
        else:
            failure = ngettext(
                "Too many attempts from this network. Wait %(num)d minute and try again, or "
                "choose a new password with “Forgot your password?”.",
                "Too many attempts from this network. Wait %(num)d minutes and try again, or "
                "choose a new password with “Forgot your password?”.", minutes)
        page = _login_page(LoginForm(), failure, 429)
    elif request.endpoint == "auth.forgot_password":
        forgot = ForgotPasswordForm()
        forgot.email.errors = [from_network]
        page = _forgot_page(forgot, 429)
    elif request.endpoint in {"auth.second_factor", "auth.second_factor_setup"}:
        code = CodeForm()
        code.code.errors = [from_network]
        pending = _pending()
        if pending is None:
            page = redirect(url_for("auth.login"))
        elif request.endpoint == "auth.second_factor" or pending.user.totp_secret:
            page = _code_page(code, 429)
        else:
            page = _setup_page(pending.user, two_factor.setup_secret(pending), code, 429)
    else:
        page = render_template("error.html", error=error, reference=None), 429
    response = make_response(page)
    if response.status_code == 429:
        response.headers["Retry-After"] = str(seconds)
    return response


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
@rate_limits.forgot_per_address
def forgot_password() -> Page | Response:
    """Ask for a reset link; the answer is the same whether the address has an account or not.

    The request only queues the address: looking it up, making the link and mailing it happen
    in the background, so the answer does not take longer for an address with an account.
    """
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        background.submit(mail_password_reset, accounts.normalise_email(form.email.data))
        flash(_("If there is an account for this e-mail address, we have sent a link to it. "
                "Open the link within 1 hour to choose a new password. No e-mail? Look in "
                "your spam folder too."), "success")
        return redirect(url_for("auth.login"), code=303)
    return _forgot_page(form)


def _forgot_page(form: ForgotPasswordForm, status: int = 200) -> Page:
    return render_template("auth/forgot.html", form=form, errors=form.error_list()), status


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
