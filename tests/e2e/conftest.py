"""Browser tests: Debian's Chromium, driven by Playwright, against a live server and sandbox.

Every test here is marked `e2e`. Without /usr/bin/chromium they are skipped, except in CI
(`CI=true`), where a missing browser is a failure: `.ci/run` installs it.

Playwright cannot download its own browser here, so it drives Debian's Chromium
(`apt-get install chromium`) through `executable_path`.
"""

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# 1000 px wide: the screenshots go into the README as they are, without resizing.
VIEWPORT = {"width": 1000, "height": 800}
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
PASSWORD = "marketer-password-1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _chromium_required() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium)."
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " CI must run the browser tests.")
    pytest.skip(reason)


@dataclass(frozen=True)
class Marketer:
    """The workspace admin who walks through the product, and where their workspace lives."""

    workspace: object
    email: str
    password: str
    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture
def e2e_settings(settings, live_server, sandbox):
    # Both are read at call time (integration.zoho.domains.sandbox_url, Form.public_url),
    # so the live server's threads see them.
    settings.ZOHO_SANDBOX_URL = sandbox.base_url
    settings.SITE_URL = live_server.url
    return settings


@pytest.fixture
def marketer(transactional_db, live_server, e2e_settings) -> Marketer:
    from accounts.models import Membership
    from accounts.services import membership_grant, user_ensure, workspace_create
    from contacts.services import contacts_upsert

    workspace, _ = workspace_create(slug="acme", name="Acme")
    user, _ = user_ensure(email="marketer@acme.test", password=PASSWORD)
    membership_grant(workspace=workspace, user=user, role=Membership.Role.ADMIN)
    people = [
        ("ada@lovelace.test", "Ada", "Lovelace", "Analytical Engines"),
        ("grace@hopper.test", "Grace", "Hopper", "Navy"),
        ("alan@turing.test", "Alan", "Turing", "Bletchley"),
    ]
    report = contacts_upsert(
        workspace=workspace,
        rows=[
            (n, {"email": e, "first_name": f, "last_name": la, "company": c, "city": "London"})
            for n, (e, f, la, c) in enumerate(people, start=1)
        ],
    )
    assert report.created == len(people), report.errors
    return Marketer(workspace, user.username, PASSWORD, live_server.url)


@pytest.fixture
def browser(monkeypatch) -> Iterator:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls
    # (fixtures, assertions) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser) -> Callable:
    """A fresh browser profile (a private window), closed after the test."""
    contexts = []

    def make():
        context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def screenshot() -> Callable:
    """`screenshot(page, "03-configuration")` saves tests/e2e/screenshots/03-configuration.png."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "-", step) + ".png")
        page.screenshot(path=str(path), full_page=False)
        return path

    return take
