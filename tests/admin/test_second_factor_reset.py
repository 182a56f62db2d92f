"""An admin resets a staff member's second factor when their phone is lost."""

from __future__ import annotations

from flask import Flask

from ehealth.database import connected
from ehealth.models import AuditEvent, RecoveryCode, User
from ehealth.services import audit, two_factor
from ehealth.services.sessions import load_session, start_session
from tests.conftest import World, csrf_token, login


def test_resetting_removes_the_second_factor_and_ends_the_sessions(app: Flask,
                                                                   world: World) -> None:
    therapist = world.therapist
    with connected():
        import pyotp

        secret = pyotp.random_base32()
        two_factor.enable(therapist, secret, pyotp.TOTP(secret).now())
        token = start_session(therapist)
    admin = app.test_client()
    admin.environ_base["HTTP_REFERER"] = "https://localhost/"
    login(admin, world.people["admin"])  # type: ignore[arg-type]
    response = admin.post(f"/admin/people/{therapist.id}/second-factor/reset",
                          data={"csrf_token": csrf_token(admin, "/admin/")})
    assert response.status_code == 303
    with connected():
        fresh = User.get_by_id(therapist.id)
        assert fresh.totp_secret is None
        assert RecoveryCode.select().where(RecoveryCode.user == fresh).count() == 0
        assert load_session(token) is None
        event = AuditEvent.get(AuditEvent.action == audit.SECOND_FACTOR_RESET)
        assert event.object_id == str(therapist.id)
        assert event.actor_role == "admin"


def test_clients_have_no_second_factor_to_reset(app: Flask, world: World) -> None:
    admin = app.test_client()
    admin.environ_base["HTTP_REFERER"] = "https://localhost/"
    login(admin, world.people["admin"])  # type: ignore[arg-type]
    response = admin.post(f"/admin/people/{world.client_a.id}/second-factor/reset",
                          data={"csrf_token": csrf_token(admin, "/admin/")})
    assert response.status_code == 400
