"""The access log (NEN 7513): filter, pages, CSV export; reading and exporting it are logged;
nothing in the application can change or delete an event."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from flask import Flask

from ehealth.database import connected
from ehealth.extensions import db
from ehealth.models import AuditEvent, ImmutableRecord, User
from ehealth.services import audit
from tests.admin.conftest import SignedIn
from tests.conftest import World

ADDRESS = "203.0.113.7"


def _person(world: World, role: str) -> User:
    user = world.people[role]
    assert user is not None
    return user


def _at(event: AuditEvent, when: dt.datetime) -> None:
    """Backdate an event in plain SQL: the application itself cannot change an event."""
    marker = db.obj.param
    db.execute_sql(f"UPDATE audit_event SET at = {marker} WHERE id = {marker}", (when, event.id))


@pytest.fixture
def history(world: World) -> dict[str, AuditEvent]:
    """A few events of both organisations, at known times."""
    therapist, other = world.therapist, _person(world, "other_therapist")
    a, b = world.client_a, _person(world, "client_b")
    with connected():
        events = {
            "t1_answers_a": audit.record(therapist, audit.ANSWERS_VIEWED, client=a,
                                         object_type="assignment",
                                         object_id=world.assignment_a.id, address=ADDRESS),
            "t2_goals_b": audit.record(other, audit.GOALS_VIEWED, client=b, address=ADDRESS),
            "t1_client_a": audit.record(therapist, audit.CLIENT_VIEWED, client=a),
            "west": audit.record(_person(world, "other_admin"), audit.CLIENT_VIEWED),
        }
        _at(events["t1_answers_a"], dt.datetime(2025, 3, 1, 10, 0))
        _at(events["t2_goals_b"], dt.datetime(2025, 3, 5, 23, 30))  # 6 March, Dutch time
        _at(events["t1_client_a"], dt.datetime(2025, 3, 10, 8, 0))
    return events


def _rows(page: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    return re.findall(r"<tr>.*?</tr>", body.group(1), re.S) if body else []


def _logged(action: str) -> list[AuditEvent]:
    with connected():
        return list(AuditEvent.select().where(AuditEvent.action == action))


def test_the_log_shows_the_organisations_events_newest_first_in_dutch_time(
    signed_in: SignedIn, world: World, history: dict[str, AuditEvent]
) -> None:
    response = signed_in("admin").get("/admin/audit-log")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    rows = _rows(page)
    assert len(rows) == 3  # not the other organisation's event
    assert "a" in rows[0]
    assert "Looked at the client&#39;s details" in rows[0]
    assert "t1, therapist" in rows[0]
    assert "Looked at the client&#39;s answers" in rows[2]
    assert ADDRESS in rows[2]
    # 10:00 UTC on 1 March is 11:00 in Amsterdam (winter time).
    assert re.search(r"3/1/25,? 11:00", rows[2]), rows[2]
    assert 'datetime="2025-03-01T10:00:00Z"' in rows[2]


def test_the_log_filters_by_client_staff_member_action_and_dutch_dates(
    signed_in: SignedIn, world: World, history: dict[str, AuditEvent]
) -> None:
    admin = signed_in("admin")
    a, t1, t2 = world.client_a, world.therapist, _person(world, "other_therapist")

    def rows(query: str) -> list[str]:
        response = admin.get(f"/admin/audit-log?{query}")
        assert response.status_code == 200
        return _rows(response.get_data(as_text=True))

    assert len(rows(f"client={a.id}")) == 2
    assert len(rows(f"staff={t2.id}")) == 1
    assert len(rows(f"staff={t1.id}&action={audit.ANSWERS_VIEWED}")) == 1
    assert len(rows(f"action={audit.GOALS_VIEWED}")) == 1
    # 5 March 23:30 UTC happened on 6 March in the Netherlands.
    assert len(rows("since=2025-03-06&until=2025-03-06")) == 1
    assert len(rows("until=2025-03-05")) == 1
    assert len(rows("since=2025-03-02&until=2025-03-31")) == 2


def test_a_filter_that_does_not_fit_is_explained_and_never_shows_another_organisation(
    signed_in: SignedIn, world: World, history: dict[str, AuditEvent]
) -> None:
    stranger = _person(world, "other_admin")
    response = signed_in("admin").get(
        f"/admin/audit-log?client={stranger.id}&staff=abc&action=drop.tables&since=yesterday"
        "&until=2025-01-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in ("Choose a client from the list.", "Choose a staff member from the list.",
                    "Choose an action from the list.", "Enter a date like 2025-03-31."):
        assert message in page
    assert "admin@west.example" not in page
    assert signed_in("admin").get(
        f"/admin/audit-log.csv?client={stranger.id}").status_code == 400


def test_the_log_comes_in_pages_of_fifty(
    signed_in: SignedIn, world: World
) -> None:
    with connected():
        for number in range(120):
            audit.record(world.therapist, audit.CLIENT_VIEWED, client=world.client_a,
                         object_id=number)
    admin = signed_in("admin")
    first = admin.get("/admin/audit-log").get_data(as_text=True)
    assert len(_rows(first)) == 50
    assert "Page 1 of 3" in first
    assert 'rel="next"' in first
    assert 'rel="prev"' not in first
    assert "120 events" in first
    third = admin.get(f"/admin/audit-log?page=3&client={world.client_a.id}").get_data(
        as_text=True)
    assert len(_rows(third)) == 20
    assert "Page 3 of 3" in third
    assert f'href="/admin/audit-log?client={world.client_a.id}&amp;page=2"' in third
    assert 'rel="next"' not in third
    beyond = admin.get("/admin/audit-log?page=99").get_data(as_text=True)
    assert "Page 3 of 3" in beyond  # views themselves are logged, but after the count


def test_looking_at_the_log_writes_exactly_one_event_with_every_field(
    app: Flask, signed_in: SignedIn, world: World, history: dict[str, AuditEvent]
) -> None:
    admin_user = _person(world, "admin")
    admin = signed_in("admin")
    admin.get(f"/admin/audit-log?client={world.client_a.id}&staff={world.therapist.id}"
              f"&action={audit.CLIENT_VIEWED}&since=2025-03-01&until=2025-03-31",
              environ_base={"REMOTE_ADDR": "198.51.100.4"})
    [event] = _logged(audit.AUDIT_LOG_VIEWED)
    assert event.actor_id == admin_user.id
    assert event.actor_role == "admin"
    assert event.client_id == world.client_a.id
    assert event.object_type == "audit_log"
    assert event.object_id == (f"actor:{world.therapist.id} action:client.viewed "
                               "2025-03-01..2025-03-31")
    assert event.address == "198.51.100.4"
    assert event.outcome == "success"
    assert event.organisation_id == admin_user.organisation_id
    assert abs(event.at - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(
        minutes=1)
    assert _logged(audit.AUDIT_LOG_EXPORTED) == []


def test_the_export_is_a_csv_download_in_utc_with_the_same_filter_and_is_logged_once(
    signed_in: SignedIn, world: World, history: dict[str, AuditEvent]
) -> None:
    admin_user = _person(world, "admin")
    response = signed_in("admin").get(f"/admin/audit-log.csv?client={world.client_a.id}",
                                      environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="access-log-zorg-oost-\d{4}-\d{2}-\d{2}\.csv"',
                        disposition), disposition
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in rows] == [audit.CLIENT_VIEWED, audit.ANSWERS_VIEWED]
    assert rows[1]["time_utc"] == "2025-03-01T10:00:00Z"
    assert rows[1]["actor_email"] == "t1@oost.example"
    assert rows[1]["client_email"] == "a@oost.example"
    assert rows[1]["address"] == ADDRESS

    [event] = _logged(audit.AUDIT_LOG_EXPORTED)
    assert (event.actor_id, event.actor_role, event.client_id) == (
        admin_user.id, "admin", world.client_a.id)
    assert (event.object_type, event.object_id, event.address, event.outcome) == (
        "audit_log", None, "198.51.100.4", "success")
    assert event.organisation_id == admin_user.organisation_id
    assert _logged(audit.AUDIT_LOG_VIEWED) == []


def test_the_export_never_lets_a_spreadsheet_run_a_cell(world: World) -> None:
    with connected():
        User.update(email="=cmd|' /C calc'!A0@oost.example").where(
            User.id == world.therapist.id).execute()
        audit.record(User.get_by_id(world.therapist.id), audit.CLIENT_VIEWED,
                     client=world.client_a)
        body = audit.to_csv(audit.events(world.therapist.organisation, audit.AuditFilter()))
    assert "'=cmd" in body


def test_no_route_can_change_or_delete_an_audit_event(
    app: Flask, signed_in: SignedIn, world: World, history: dict[str, AuditEvent]
) -> None:
    # No route offers more than reading the log.
    log_rules = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule
                 or "access-log" in rule.rule]
    assert log_rules
    for rule in log_rules:
        assert (rule.methods or set()) - {"GET", "HEAD", "OPTIONS"} == set(), rule.rule
    # Whatever is posted to the log's addresses, it is refused and nothing changes.
    admin = signed_in("admin")
    with connected():
        before = [(e.id, e.at, e.action, e.client_id) for e in AuditEvent.select()]
    for path in ("/admin/audit-log", "/admin/audit-log.csv", "/my-data/access-log"):
        for method in ("post", "put", "patch", "delete"):
            assert getattr(admin, method)(path).status_code == 405, (method, path)
    with connected():
        after = [(e.id, e.at, e.action, e.client_id) for e in AuditEvent.select()
                 if e.id <= max(i for i, *_ in before)]
    assert after == before
    # And the model itself refuses, whoever calls it.
    event = history["t1_answers_a"]
    with connected():
        event.action = "something.else"
        with pytest.raises(ImmutableRecord):
            event.save()
        with pytest.raises(ImmutableRecord):
            event.delete_instance()
        with pytest.raises(ImmutableRecord):
            AuditEvent.update(action="x").execute()
        with pytest.raises(ImmutableRecord):
            AuditEvent.delete().execute()
