"""Work that must not make a request wait: a small in-process job runner.

``submit(fn, *args)`` puts a job in a queue and returns at once. One daemon thread per process
takes the jobs in turn and runs each inside an app context of the app that submitted it, with a
database connection of its own (opened for the job, closed after it). So a request's answer,
and how long it takes, does not depend on what the job finds or on how slow the mail server is:
"forgot password" answers a known and an unknown address alike.

With ``BACKGROUND_JOBS = "inline"`` in the app's config, jobs run at once in the caller's
thread instead (for tests that want that). Either way a failing job is logged and forgotten:
jobs here are best-effort (a lost reset mail can be asked for again), and a queue that lives in
memory dies with its process. A later issue replaces this with a real job queue (Huey); keep
to ``submit(fn, *args)``.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from ehealth.database import connected

INLINE = "inline"
THREAD = "thread"

Job = tuple[Flask, Callable[..., object], tuple[Any, ...]]

log = logging.getLogger(__name__)

_lock = threading.Lock()
_jobs: queue.Queue[Job] | None = None
_jobs_pid: int | None = None


def submit(fn: Callable[..., object], *args: Any) -> None:
    """Run ``fn(*args)`` outside this request, in an app context of the current app.

    Pass plain values (an e-mail address, an id), not database objects: the job reads what it
    needs itself, on its own connection.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("BACKGROUND_JOBS", THREAD) == INLINE:
        _run(app, fn, args)
        return
    _queue().put((app, fn, args))


def wait_until_idle(timeout: float = 10.0) -> bool:
    """Wait until every submitted job has run (for tests); False when ``timeout`` passed."""
    jobs = _jobs
    if jobs is None:
        return True
    deadline = time.monotonic() + timeout
    with jobs.all_tasks_done:
        while jobs.unfinished_tasks:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            jobs.all_tasks_done.wait(remaining)
    return True


def _queue() -> queue.Queue[Job]:
    """This process's queue, its worker thread started on first use.

    A process forked from one that had a worker (a pre-loading WSGI server) has the queue but
    not the thread, so each process id gets its own pair.
    """
    global _jobs, _jobs_pid
    with _lock:
        if _jobs is None or _jobs_pid != os.getpid():
            _jobs, _jobs_pid = queue.Queue(), os.getpid()
            threading.Thread(target=_work, args=(_jobs,), name="ehealth-background",
                             daemon=True).start()
        return _jobs


def _work(jobs: queue.Queue[Job]) -> None:
    while True:
        app, fn, args = jobs.get()
        try:
            _run(app, fn, args)
        finally:
            jobs.task_done()


def _run(app: Flask, fn: Callable[..., object], args: tuple[Any, ...]) -> None:
    try:
        with app.app_context(), connected():
            fn(*args)
    except Exception:
        # Never the arguments: they may be an e-mail address.
        log.exception("Background job %s failed", getattr(fn, "__qualname__", repr(fn)))
