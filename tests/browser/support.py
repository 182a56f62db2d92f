"""Helpers for the browser tests: views, the axe audit of every page, keyboard and mouse walks.

Every page a test loads is audited with axe-core. The helpers that load a page (``visit``,
``navigate``, ``reload``) audit it at once; a page that loaded some other way is caught by the
``page`` fixture, which fails the test when a loaded document was never audited.

Playwright is imported only for type checking here, so a machine without it still collects the
suite (and the conftest skips it with a reason).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ehealth.database import connected

if TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The live server serves axe-core itself at this path (same origin), so the app's
# Content-Security-Policy (script-src 'self') stays in force during the audit.
AXE_URL = "/__browser-tests__/axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
# Set EHEALTH_AXE_REPORT_ONLY=1 to list every finding of a run without failing on them.
REPORT_ONLY = os.environ.get("EHEALTH_AXE_REPORT_ONLY", "") not in {"", "0"}

CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root in a container
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--mute-audio",
]


@dataclass(frozen=True)
class View:
    """A visitor's language and screen size."""

    language: str
    width: int
    height: int

    @property
    def locale(self) -> str:
        return {"nl": "nl-NL", "en": "en-GB"}[self.language]

    @property
    def phone(self) -> bool:
        return self.width <= 480

    def __str__(self) -> str:
        return f"{self.language}-{self.width}"


NL_DESKTOP = View("nl", 1280, 800)
EN_DESKTOP = View("en", 1280, 800)
NL_PHONE = View("nl", 375, 740)
EN_PHONE = View("en", 375, 740)
ALL_VIEWS = [NL_DESKTOP, EN_DESKTOP, NL_PHONE, EN_PHONE]


def browser_problems() -> list[str]:
    """What this machine lacks to run the browser tests (empty: nothing)."""
    problems = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("Playwright for Python is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    if not AXE_SOURCE.exists():
        problems.append(f"{AXE_SOURCE.relative_to(ROOT)} is missing (npm ci)")
    return problems


@dataclass
class LiveServer:
    """The app served over HTTP on 127.0.0.1 (the ``live_server`` fixture)."""

    app: Flask
    url: str

    def database(self) -> Any:
        """A connection to the live app's database, for setting up data from a test."""
        return connected()

    def has_endpoint(self, endpoint: str) -> bool:
        return endpoint in self.app.view_functions


# --- the axe audit -----------------------------------------------------------------------------

@dataclass
class Finding:
    """One axe rule broken on one page."""

    view: str
    path: str
    rule: str
    impact: str
    help: str
    targets: list[str]

    def describe(self) -> str:
        nodes = "; ".join(self.targets[:6]) + (" …" if len(self.targets) > 6 else "")
        return f"[{self.impact}] {self.rule}: {self.help}" + (f" — {nodes}" if nodes else "")


# Every finding of the run, for the summary at the end (see conftest.pytest_terminal_summary).
FINDINGS: list[Finding] = []
AUDITED_PAGES: list[tuple[str, str]] = []
# axe's verdict per view and page content: a page identical to one audited before (the same
# markup in the same language and window size) gets that verdict without running axe again.
_VERDICTS: dict[tuple[str, str], list[Finding]] = {}
def distinct_audits() -> int:
    """How many different pages (markup, language, size) axe actually ran on."""
    return len(_VERDICTS)


_PER_SESSION = re.compile(r'(name="(?:csrf_token|save_key)" value=")[^"]*"')

RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact || "unknown", help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""

# How wide the page is, and the outermost elements that stick out past the window's edge.
PAGE_WIDTH = """() => {
  const width = document.scrollingElement.scrollWidth, edge = window.innerWidth + 1;
  if (width <= edge) return { width, culprits: [] };
  const describe = (e) => e.tagName.toLowerCase()
    + (e.classList.length ? "." + Array.from(e.classList).join(".") : "");
  const culprits = new Set();
  for (const el of document.querySelectorAll("body *")) {
    const parent = el.parentElement;
    if (el.getBoundingClientRect().right > edge
        && (!parent || parent.getBoundingClientRect().right <= edge)) culprits.add(describe(el));
  }
  return { width, culprits: Array.from(culprits).slice(0, 6) };
}"""


@dataclass
class Auditor:
    """Audits the pages of one browser tab and keeps track of every document it loaded."""

    page: Page
    view: View
    loads: list[str] = field(default_factory=list)
    audited: int = 0
    script_errors: list[str] = field(default_factory=list)

    def attach(self) -> None:
        self.page.on("load", lambda loaded: self.loads.append(loaded.url))
        self.page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.script_errors.append(message.text)

    def audit(self) -> None:
        """Run axe on the page as it is now; fail on serious or critical violations."""
        page = self.page
        page.wait_for_load_state("load")
        skipped = self.loads[self.audited:-1]
        assert not skipped, f"page(s) loaded without an axe audit: {skipped}"
        path = _path(page.url)
        markup = _PER_SESSION.sub(r"\1", page.content())
        key = (str(self.view), hashlib.sha256(markup.encode()).hexdigest())
        findings = _VERDICTS.get(key)
        if findings is None:
            if page.evaluate("() => typeof window.axe") == "undefined":
                page.add_script_tag(url=AXE_URL)
            violations = page.evaluate(RUN_AXE)
            findings = [Finding(str(self.view), path, v["id"], v["impact"], v["help"],
                                v["targets"]) for v in violations]
            _VERDICTS[key] = findings
            FINDINGS.extend(findings)
        self.audited = len(self.loads)
        AUDITED_PAGES.append((str(self.view), path))
        problems = [f.describe() for f in findings if f.impact in FAILING_IMPACTS]
        page_width = page.evaluate(PAGE_WIDTH)
        if page_width["culprits"] or page_width["width"] > self.view.width + 1:
            sideways = Finding(str(self.view), path, "horizontal-scroll", "serious",
                               f"the page scrolls sideways: {page_width['width']} px wide in a "
                               f"{self.view.width} px window", page_width["culprits"])
            FINDINGS.append(sideways)
            problems.append(sideways.describe())
        if self.script_errors:
            problems.extend(f"script error: {error}" for error in self.script_errors)
            self.script_errors.clear()
        if problems and not REPORT_ONLY:
            pytest.fail(f"{path} ({self.view}): accessibility problems:\n  "
                        + "\n  ".join(problems), pytrace=False)

    def unaudited(self) -> list[str]:
        return self.loads[self.audited:]


_AUDITORS: dict[int, Auditor] = {}


def register(auditor: Auditor) -> None:
    _AUDITORS[id(auditor.page)] = auditor
    auditor.attach()


def unregister(auditor: Auditor) -> None:
    _AUDITORS.pop(id(auditor.page), None)


def auditor_of(page: Page) -> Auditor:
    return _AUDITORS[id(page)]


def _path(url: str) -> str:
    match = re.match(r"https?://[^/]+(/[^#]*)", url)
    return match.group(1) if match else url


# --- loading pages (each audited) ----------------------------------------------------------------


@dataclass
class Account:
    """A login of a browser test (``ehealth demo`` prints them); a new client's assignment."""

    email: str
    password: str
    assignment_id: int | None = None


# ``new_client(module_id, language="nl", **assignment fields)``: a client with that module.
NewClient = Callable[..., Account]

def sign_in_as(page: Page, live_server: LiveServer, user: Any) -> None:
    """Sign ``user`` in without the log-in form: a server-side session and Flask's signed
    cookie holding its token, as ``tests.conftest.login`` does for the test client (the log-in
    form and the second factor of staff have browser tests of their own)."""
    from ehealth.services.sessions import start_session

    with live_server.database():
        token = start_session(user)
    app = live_server.app
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"],
                               "value": serializer.dumps({"_user_id": token, "_fresh": True}),
                               "url": live_server.url}])


def audit(page: Page) -> None:
    """Audit the page as it is now (after a change made without loading a page)."""
    auditor_of(page).audit()


def visit(page: Page, path: str) -> None:
    """Open ``path`` on the live server and audit it."""
    response = page.goto(path)
    assert response is not None, path
    assert response.ok, f"{path}: HTTP {response.status}"
    audit(page)


def navigate(page: Page, action: Callable[[], Any]) -> None:
    """Do ``action`` (a click, a key press), wait for the page it loads, and audit that."""
    with page.expect_navigation():
        action()
    audit(page)


def reload(page: Page) -> None:
    page.reload()
    audit(page)


def html_language(page: Page) -> str:
    return str(page.evaluate("() => document.documentElement.lang"))


# --- keyboard ------------------------------------------------------------------------------------

FOCUS_INDICATOR = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "nothing is focused";
  const describe = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (e.getAttribute("name") ? "[name=" + e.getAttribute("name") + "]" : "")
    + " " + JSON.stringify((e.textContent || e.value || "").trim().slice(0, 40));
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0 || box.right < 0 || box.bottom < 0
      || box.left > window.innerWidth) return "focused but not on screen: " + describe(el);
  // Chromium highlights the focused part (day, month, year) of a date field itself.
  if (el.matches('input[type=date], input[type=time], input[type=datetime-local], '
      + 'input[type=month], input[type=week]')) return null;
  const outlined = (s) => s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  const own = getComputedStyle(el);
  if (outlined(own) || (own.boxShadow && own.boxShadow !== "none")) return null;
  let parent = el.parentElement;
  for (let i = 0; parent && i < 3; i++, parent = parent.parentElement) {
    if (parent.matches(":focus-within") && outlined(getComputedStyle(parent))) return null;
  }
  return "no visible focus indicator on " + describe(el);
}"""


def focus_problem(page: Page) -> str | None:
    """Why the focused element shows no visible focus (None: it does)."""
    problem = page.evaluate(FOCUS_INDICATOR)
    return str(problem) if problem else None


def focused_matches(page: Page, selector: str) -> bool:
    return bool(page.evaluate(
        "(sel) => !!document.activeElement && document.activeElement.matches(sel)", selector))


def target_is_before_focus(page: Page, selector: str) -> bool:
    return bool(page.evaluate("""(sel) => {
      const target = document.querySelector(sel), focused = document.activeElement;
      if (!target || !focused || focused === document.body) return false;
      return !!(focused.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_PRECEDING);
    }""", selector))


TAB_STOP = ("(selector) => { const problem = (" + FOCUS_INDICATOR + ")();"
            " const el = document.activeElement;"
            " return { problem, reached: !!el && el !== document.body && el.matches(selector) }; }")


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab when it lies behind the focus) until ``selector`` has focus.

    Every element passed on the way must show a visible focus indicator.
    """
    key = "Shift+Tab" if target_is_before_focus(page, selector) else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        stop = page.evaluate(TAB_STOP, selector)
        assert stop["problem"] is None, f"{_path(page.url)}: {stop['problem']}"
        if stop["reached"]:
            return
    raise AssertionError(f"{_path(page.url)}: {limit} × {key} did not reach {selector}")


def press_to_navigate(page: Page, key: str = "Enter") -> None:
    navigate(page, lambda: page.keyboard.press(key))


# --- the player ----------------------------------------------------------------------------------

STEP_URL = re.compile(r"/assignments/(\d+)/steps/([a-z0-9_-]+)$")
DONE_URL = re.compile(r"/assignments/(\d+)/done$")
NEXT = 'form.player__form button[name="action"][value="next"]'
SAVE = 'form.player__form button[name="action"][value="save"]'


def step_type(page: Page) -> str:
    classes = page.locator("form.player__form").get_attribute("class") or ""
    match = re.search(r"\bstep--([a-z]+)\b", classes)
    assert match, f"{_path(page.url)}: no step form"
    return match.group(1)


def typed(kind: str, number: int) -> str:
    return f"Door de browser getypt: {kind} {number}."


def _empty_visible_text_fields(page: Page, selector: str) -> list[str]:
    """Names of the visible, empty fields matching ``selector``, in document order."""
    return list(page.evaluate("""(sel) => Array.from(document.querySelectorAll(sel))
        .filter((el) => !el.closest("[hidden]") && !el.value && el.offsetParent !== null)
        .map((el) => el.name)""", selector))


def _radio_groups(page: Page, selector: str) -> list[dict[str, Any]]:
    """Radio groups in the form: name, how many options, whether one is chosen."""
    return list(page.evaluate("""(sel) => {
      const groups = [];
      for (const el of document.querySelectorAll(sel)) {
        let group = groups.find((g) => g.name === el.name);
        if (!group) { group = { name: el.name, count: 0, checked: false }; groups.push(group); }
        group.count += 1; group.checked = group.checked || el.checked;
      }
      return groups;
    }""", selector))


def _field(name: str) -> str:
    return f'form.player__form [name="{name}"]'


@dataclass
class Walk:
    """What a walk through a module did: the steps shown and a text it typed."""

    steps: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def text(self, kind: str) -> str:
        value = typed(kind, len(self.texts) + 1)
        self.texts.append(value)
        return value


def complete_module(page: Page, answer: Callable[[Page, str, Walk], None],
                    submit: Callable[[Page, str], None], limit: int = 80) -> Walk:
    """From a step page, answer every step and go on until the module's finish page."""
    walk = Walk()
    for _ in range(limit):
        if DONE_URL.search(page.url):
            return walk
        match = STEP_URL.search(page.url)
        assert match, f"not a step page: {page.url}"
        walk.steps.append(match.group(2))
        answer(page, step_type(page), walk)
        submit(page, NEXT)
    raise AssertionError(f"no finish page after {limit} steps: {walk.steps}")


# --- ... by mouse --------------------------------------------------------------------------------

def click_to_navigate(page: Page, selector: str) -> None:
    navigate(page, lambda: page.locator(selector).click())


def type_into(page: Page, name: str, text: str) -> None:
    page.locator(_field(name)).click()
    page.keyboard.type(text)


def answer_by_mouse(page: Page, kind: str, walk: Walk) -> None:
    """Answer one step as a person with a mouse: click options, click into fields and type."""
    form = page.locator("form.player__form")
    if kind == "choice":
        if not form.locator('input[name="selected"]:checked').count():
            form.locator(".options label").first.click()
    elif kind == "scale":
        if not form.locator('input[name="value"]:checked').count():
            form.locator(".scale__point").nth(6).click()
    elif kind == "questionnaire":
        for item in form.locator(".questionnaire-item").all():
            item.locator("label").last.click()
    elif kind == "strengths":
        if not form.locator('input[name="pick"]:checked').count():
            for chip in form.locator(".chip").all()[:2]:
                chip.click()  # player.js shows the question about the chip just picked
    elif kind == "goal" and not form.locator('input[name="step"]:checked').count():
        form.locator(".pick-list .chip").first.click()
    for name in _empty_visible_text_fields(page, "form.player__form textarea"):
        type_into(page, name, walk.text(kind))
    if kind == "goal" and not form.locator('input[name="first"]').count():
        click_to_navigate(page, SAVE)  # saved: now the first step can be chosen
        page.locator("form.player__form fieldset", has=page.locator('input[name="first"]')) \
            .locator("label").first.click()


# --- ... and with the keyboard alone -------------------------------------------------------------

def skip_to_content(page: Page) -> None:
    """The first Tab stop is the skip link; Enter on it puts the focus on the main content."""
    page.keyboard.press("Tab")
    assert focused_matches(page, ".skip-link"), f"{_path(page.url)}: no skip link first"
    assert focus_problem(page) is None, f"{_path(page.url)}: {focus_problem(page)}"
    page.keyboard.press("Enter")
    assert focused_matches(page, "main"), f"{_path(page.url)}: the skip link did not work"


def answer_by_keyboard(page: Page, kind: str, walk: Walk) -> None:
    """Answer one step with Tab, Shift+Tab, Space, arrow keys and typing only."""
    skip_to_content(page)
    if kind == "choice" and not _radio_or_box_checked(page, "selected"):
        tab_to(page, _field("selected"))
        page.keyboard.press("Space")
    elif kind == "scale" and not _radio_or_box_checked(page, "value"):
        tab_to(page, _field("value"))  # the group's first point: 0
        for _ in range(6):
            page.keyboard.press("ArrowRight")  # moves to and chooses the next point
    elif kind == "questionnaire":
        for group in _radio_groups(page, 'form.player__form input[type="radio"]'):
            tab_to(page, _field(group["name"]))
            page.keyboard.press("Space")
            for _ in range(group["count"] - 1):
                page.keyboard.press("ArrowRight")
    elif kind == "strengths" and not _radio_or_box_checked(page, "pick"):
        for number in range(2):
            tab_to(page, 'form.player__form input[name="pick"]:not(:checked)')
            page.keyboard.press("Space")  # player.js shows the question about it
            if number == 0:
                assert page.evaluate(
                    "() => document.activeElement.checked"), "Space did not pick the chip"
    elif kind == "goal":
        if not page.locator(_field("goal")).input_value():
            tab_to(page, _field("goal"))
            page.keyboard.type(walk.text(kind))
        if not _radio_or_box_checked(page, "step"):
            tab_to(page, _field("step"))
            page.keyboard.press("Space")
        own = page.locator('form.player__form input[name^="own-step."]')
        if own.count() and not own.first.input_value():
            tab_to(page, 'form.player__form input[name^="own-step."]')
            page.keyboard.type(walk.text("own step"))
        if not page.locator(_field("first")).count():
            tab_to(page, SAVE)
            press_to_navigate(page)
            skip_to_content(page)
        tab_to(page, _field("first"))
        page.keyboard.press("ArrowDown")  # the second step: the one of the client's own
        return
    for name in _empty_visible_text_fields(page, "form.player__form textarea"):
        tab_to(page, _field(name))
        page.keyboard.type(walk.text(kind))


def _radio_or_box_checked(page: Page, name: str) -> bool:
    return bool(page.locator(f'form.player__form input[name="{name}"]:checked').count())


def submit_by_keyboard(page: Page, selector: str) -> None:
    tab_to(page, selector)
    press_to_navigate(page, "Enter")


def submit_by_mouse(page: Page, selector: str) -> None:
    click_to_navigate(page, selector)


def summary_of_findings() -> list[str]:
    """Every rule broken during the run, with where, once (for the terminal summary)."""
    grouped: dict[tuple[str, str, str], dict[str, Any]] = {}
    for finding in FINDINGS:
        key = (finding.impact, finding.rule, re.sub(r"/\d+", "/<id>", finding.path))
        entry = grouped.setdefault(key, {"help": finding.help, "views": set(), "targets": set()})
        entry["views"].add(finding.view)
        entry["targets"].update(finding.targets)
    order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
    lines = []
    for (impact, rule, path), entry in sorted(grouped.items(),
                                              key=lambda kv: (order.get(kv[0][0], 9), kv[0])):
        targets = sorted(entry["targets"])
        lines.append(f"[{impact}] {rule} on {path} ({', '.join(sorted(entry['views']))}): "
                     f"{entry['help']} — {json.dumps(targets[:8])}"
                     + (f" and {len(targets) - 8} more" if len(targets) > 8 else ""))
    return lines
