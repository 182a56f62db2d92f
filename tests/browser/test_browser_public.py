"""The public pages in a real browser: the module library and every module's preview.

In Dutch and English, at 1280 and 375 px wide, each page audited with axe-core (no serious or
critical violation) and without sideways scrolling; the language switch by keyboard and mouse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ehealth.module_library import modules
from tests.browser.support import (
    ALL_VIEWS,
    EN_PHONE,
    NL_DESKTOP,
    ROOT,
    LiveServer,
    View,
    focus_problem,
    focused_matches,
    html_language,
    navigate,
    tab_to,
    visit,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

MODULE_IDS = sorted(p.name for p in (ROOT / "modules").iterdir() if (p / "module.json").is_file())
HEADING = {"nl": "Stap voor stap, vanuit je kracht",
           "en": "Step by step, from your strengths"}
OTHER = {"nl": "en", "en": "nl"}

# Known problems in templates and styles, each expected to fail until it is fixed. Strict: once
# fixed, the test passes, is reported as XPASS(strict) and fails, so the entry gets removed.
KNOWN_PROBLEMS: dict[tuple[str, str], str] = {}
# A module whose preview has no known problem, for the tests about something else.
SOME_MODULE = next(m for m in reversed(MODULE_IDS)
                   if not any(known == m for known, _ in KNOWN_PROBLEMS))


@pytest.mark.parametrize("view", ALL_VIEWS, indirect=True, ids=str)
def test_library_lists_every_module(page: Page, view: View, live_server: LiveServer) -> None:
    visit(page, "/")
    assert html_language(page) == view.language
    assert page.locator("h1").inner_text() == HEADING[view.language]
    titles = page.locator(".module-card__title a").all_inner_texts()
    library = modules(live_server.app)
    assert sorted(titles) == sorted(library[m].title.in_language(view.language)
                                    for m in MODULE_IDS)


@pytest.mark.parametrize("module_id", MODULE_IDS)
@pytest.mark.parametrize("view", ALL_VIEWS, indirect=True, ids=str)
def test_preview_of_a_module(page: Page, view: View, live_server: LiveServer,
                             module_id: str, request: pytest.FixtureRequest) -> None:
    known = KNOWN_PROBLEMS.get((module_id, str(view)))
    if known:
        request.applymarker(pytest.mark.xfail(reason=known, strict=True))
    visit(page, f"/modules/{module_id}")
    module = modules(live_server.app)[module_id]
    assert html_language(page) == view.language
    assert page.locator("h1").inner_text() == module.title.in_language(view.language)
    assert page.locator(".lesson").count() == len(module.lessons)


@pytest.mark.parametrize("view", [NL_DESKTOP, EN_PHONE], indirect=True, ids=str)
def test_opening_a_module_from_the_library(page: Page, view: View) -> None:
    visit(page, "/")
    link = page.locator(f'.module-card__title a[href="/modules/{SOME_MODULE}"]')
    title = link.inner_text()
    navigate(page, link.click)
    assert page.locator("h1").inner_text() == title


@pytest.mark.parametrize("view", [NL_DESKTOP, EN_PHONE], indirect=True, ids=str)
def test_language_switch_with_the_keyboard_alone(page: Page, view: View) -> None:
    visit(page, "/")
    other = OTHER[view.language]
    page.keyboard.press("Tab")
    assert focused_matches(page, ".skip-link"), "the first Tab stop is the skip link"
    assert focus_problem(page) is None
    button = f'.language-switch button[value="{other}"]'
    tab_to(page, button)
    # one stop too far and back again with Shift+Tab
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    assert focused_matches(page, button)
    navigate(page, lambda: page.keyboard.press("Enter"))
    assert html_language(page) == other
    assert page.locator(button).get_attribute("aria-pressed") == "true"
    assert page.locator("h1").inner_text() == HEADING[other]
    # the choice sticks: the next page is in the chosen language too
    visit(page, f"/modules/{SOME_MODULE}")
    assert html_language(page) == other


@pytest.mark.parametrize("view", [NL_DESKTOP, EN_PHONE], indirect=True, ids=str)
def test_language_switch_by_mouse(page: Page, view: View) -> None:
    visit(page, f"/modules/{SOME_MODULE}")
    other = OTHER[view.language]
    navigate(page, page.locator(f'.language-switch button[value="{other}"]').click)
    assert page.url.endswith(f"/modules/{SOME_MODULE}"), "back on the same page"
    assert html_language(page) == other
    navigate(page, page.locator(f'.language-switch button[value="{view.language}"]').click)
    assert html_language(page) == view.language


@pytest.mark.parametrize("view", [NL_DESKTOP, EN_PHONE], indirect=True, ids=str)
def test_every_tab_stop_shows_where_the_focus_is(page: Page, view: View) -> None:
    visit(page, "/")
    stops = page.evaluate("""() => document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, [tabindex="0"]').length""")
    seen = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        problem = focus_problem(page)
        assert problem is None, problem
        seen.append(page.evaluate("() => document.activeElement.outerHTML.slice(0, 60)"))
    assert len(set(seen)) == stops, "every link and button is reached once"
    # the skip link takes the keyboard past the header
    visit(page, "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused_matches(page, "main"), "the skip link moves the focus to the content"
