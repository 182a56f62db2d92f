"""Benchmark: the therapist's caseload page at 20 and at 2,000 clients, on SQLite and PostgreSQL.

    python scripts/bench_caseload.py [--rounds N] [--sizes 20,2000]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python scripts/bench_caseload.py

Seeds one therapist's caseload (each client in their care with two modules, shared and private
answers, feedback on some) in a throw-away database: SQLite in a temporary folder, and, when
``DATABASE_URL`` names PostgreSQL, a fresh database next to the one named (dropped afterwards).
Then it renders the caseload page in-process (Flask's test client, the full request: session,
queries, template) and prints the median and 90th percentile of N rounds and the number of SQL
statements, for the default page (sorted by name) and for pages that sort or filter by the
computed figures. It asserts nothing: speed is a figure, never a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_support import postgres_database  # noqa: E402  (next to this script)

PAGES = (
    ("first page, by name", "/therapist/"),
    ("page 2, by name", "/therapist/?page=2"),
    ("search", "/therapist/?q=0042"),
    ("sorted by awaiting feedback", "/therapist/?sort=awaiting&dir=desc"),
    ("only inactive, by days inactive", "/therapist/?inactive=1&sort=inactive&dir=desc"),
)


def seed(therapist_count_of_clients: int) -> tuple[Any, Any]:
    """A therapist with ``n`` clients in their care (and a colleague with as many), in bulk."""
    from ehealth.database import analyze, write_transaction
    from ehealth.models import (
        Answer,
        Assignment,
        AssignmentStatus,
        CareRelationship,
        CareRole,
        Feedback,
        ModuleVersion,
        Organisation,
        Role,
        User,
        utcnow,
    )
    from ehealth.services.sessions import start_session

    now = utcnow()
    versions = list(ModuleVersion.select().order_by(ModuleVersion.module_id))
    with write_transaction():
        organisation = Organisation.create(name="Bench", slug=f"bench-{secrets.token_hex(3)}")
        therapists = [User.create(organisation=organisation, role=Role.THERAPIST,
                                  email=f"t{n}-{organisation.slug}@bench.example",
                                  name=f"Therapeut {n}") for n in range(2)]
    for therapist in therapists:
        emails = [f"c{n:05d}-{therapist.id}@bench.example"
                  for n in range(therapist_count_of_clients)]
        for chunk in range(0, len(emails), 500):
            part = emails[chunk:chunk + 500]
            with write_transaction():
                User.insert_many([{
                    "organisation": organisation.id, "email": email, "role": Role.CLIENT,
                    "name": f"Cliënt {number + chunk:05d}", "language": "nl",
                    "created_at": now - dt.timedelta(days=90)}
                    for number, email in enumerate(part)]).execute()
                clients = list(User.select(User.id).where(User.email.in_(part)))
                CareRelationship.insert_many([{
                    "organisation": organisation.id, "client": client.id,
                    "therapist": therapist.id, "role": CareRole.PRIMARY,
                    "started_at": now - dt.timedelta(days=90)} for client in clients]).execute()
                rows = []
                for number, client in enumerate(clients):
                    for offset, version in enumerate(versions[:2]):
                        rows.append({
                            "client": client.id, "therapist": therapist.id,
                            "module_version": version.id,
                            "status": (AssignmentStatus.ACTIVE if offset == 0
                                       else AssignmentStatus.COMPLETED),
                            "assigned_at": now - dt.timedelta(days=60 + offset),
                            "started_at": now - dt.timedelta(days=59),
                            "last_activity_at": now - dt.timedelta(days=number % 30),
                            "done_steps": []})
                Assignment.insert_many(rows).execute()
                assignments = list(Assignment.select(Assignment.id, Assignment.module_version)
                                   .where(Assignment.client.in_([c.id for c in clients])))
                answers = []
                for assignment in assignments:
                    for step in range(4):
                        answers.append({
                            "assignment": assignment.id, "step_id": f"stap-{step}",
                            "value": {"answers": {"x": "Tekst"}}, "private": step == 3,
                            "created_at": now - dt.timedelta(days=10),
                            "updated_at": now - dt.timedelta(days=10)})
                Answer.insert_many(answers).execute()
                answered = list(Answer.select(Answer.id).where(
                    Answer.assignment.in_([a.id for a in assignments])
                    & (Answer.step_id == "stap-0")))
                Feedback.insert_many([{
                    "answer": answer.id, "therapist": therapist.id, "body": "Mooi",
                    "created_at": now - dt.timedelta(days=5)}
                    for number, answer in enumerate(answered) if number % 2 == 0]).execute()
    analyze()
    return therapists[0], start_session(therapists[0])


@contextmanager
def counting(database: Any) -> Iterator[list[str]]:
    statements: list[str] = []
    original = database.execute_sql

    def counted(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        statements.append(sql)
        return original(sql, params, *args, **kwargs)

    database.execute_sql = counted
    try:
        yield statements
    finally:
        del database.execute_sql


def run(database_url: str, sizes: list[int], rounds: int, label: str) -> None:
    from ehealth import create_app
    from ehealth.database import connected
    from ehealth.extensions import db

    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            url = database_url or f"sqlite:///{tmp}/bench.sqlite3"
            app = create_app({"ENV_NAME": "development", "SECRET_KEY": "bench",
                              "DATABASE_URL": url, "INSTANCE_DIR": tmp,
                              "MODULES_DIR": ROOT / "modules", "MEDIA_DIR": ROOT / "media"})
            with connected():
                started = time.perf_counter()
                _, token = seed(size)
                seeded = time.perf_counter() - started
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = token
                session["_fresh"] = True
            print(f"\n{label}: {size} clients per therapist (seeded in {seeded:.1f} s)")
            for name, path in PAGES:
                assert client.get(path).status_code == 200  # warm: module content cached
                timings = []
                for _ in range(rounds):
                    begin = time.perf_counter()
                    response = client.get(path)
                    timings.append((time.perf_counter() - begin) * 1000)
                    assert response.status_code == 200
                db.connect(reuse_if_open=True)
                with counting(db.obj) as statements:
                    client.get(path)
                timings.sort()
                p90 = timings[min(len(timings) - 1, int(len(timings) * 0.9))]
                print(f"  {name:<34} median {statistics.median(timings):7.1f} ms   "
                      f"p90 {p90:7.1f} ms   {len(statements):2d} queries")
            if not db.is_closed():
                db.close()



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--sizes", default="20,2000")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    print(f"caseload benchmark, {options.rounds} rounds per page, Python {sys.version.split()[0]}")
    run("", sizes, options.rounds, "SQLite")
    postgres = os.environ.get("DATABASE_URL", "")
    if postgres.startswith(("postgres://", "postgresql://")):
        for size in sizes:
            with postgres_database(postgres) as url:
                run(url, [size], options.rounds, "PostgreSQL")
    else:
        print("\nPostgreSQL: skipped (set DATABASE_URL=postgresql://… to include it)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
