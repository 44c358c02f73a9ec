"""Playwright driving Debian's chromium against live_server, with a real django-q2 worker.

Every page's console is watched: a JavaScript error (or a failed request the console
reports) fails the test. Screenshots go to tests/artifacts/storefront/.
"""

import pytest

from tests.conftest import ARTIFACTS

SHOTS = ARTIFACTS / "storefront"


class Visit:
    """One browser context and page; ``shot(name)`` saves a full-page screenshot."""

    def __init__(self, browser, prefix: str, **options):
        self.context = browser.new_context(accept_downloads=True, **options)
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.prefix = prefix
        self.errors: list[str] = []
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def shot(self, name: str, *, full_page: bool = True) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SHOTS / f"{self.prefix}-{name}.png", full_page=full_page)


@pytest.fixture
def visit(browser):
    """``visit(prefix, **context_options)``; fails the test on any console error."""
    visits = []

    def open_visit(prefix: str, **options) -> Visit:
        v = Visit(browser, prefix, **options)
        visits.append(v)
        return v

    yield open_visit
    errors = [error for v in visits for error in v.errors]
    for v in visits:
        v.context.close()
    assert not errors, f"console errors: {errors}"
