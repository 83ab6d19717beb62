"""The main pages at a phone's, a tablet's and a laptop's width: nothing scrolls sideways.

A wide table scrolls inside its own container (Bootstrap's .table-responsive) and the
navbar collapses behind its toggler, so the page itself is never wider than the window.
"""

import pytest
from playwright.sync_api import expect

from contacts.services import form_save
from integration.services import connection_update
from tests.integration.conftest import form_data

from .test_marketer_flow import field

WIDTHS = (390, 768, 1280)
PAGES = (
    "/w/{slug}/contacts/",
    "/w/{slug}/contacts/new/",
    "/w/{slug}/contacts/import/",
    "/w/{slug}/forms/",
    "/w/{slug}/forms/new/",
    "/w/{slug}/fields/",
    "/w/{slug}/zoho/",
    "/w/{slug}/mapping/leads/",
    "/w/{slug}/mapping/contacts/",
    "/w/{slug}/sync/",
    "/w/{slug}/team/",
    "/workspaces/",
)


@pytest.fixture
def connected(marketer, sandbox):
    data = form_data(sandbox, filter_field="", filter_value="")
    connection_update(workspace=marketer.workspace, data=data, actor=None)
    return marketer


@pytest.mark.parametrize("width", WIDTHS)
def test_main_pages_never_scroll_sideways(connected, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(connected.url("/accounts/login/"))
        too_wide = overflow(page, "/accounts/login/")
        log_in_collapsed(page, connected)
        slug = connected.workspace.slug
        form = form_save(
            workspace=connected.workspace, name="Newsletter", fields=[], thank_you_message="Thanks"
        )
        paths = [path.format(slug=slug) for path in PAGES]
        paths.append(form.public_url.removeprefix(connected.base_url))
        for path in paths:
            page.goto(connected.url(path))
            too_wide += overflow(page, path)
        assert not too_wide, too_wide
    finally:
        context.close()


def test_navbar_collapses_behind_a_toggler_on_a_phone(connected, browser):
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="en-GB")
    page = context.new_page()
    try:
        log_in_collapsed(page, connected)
        nav = page.get_by_role("navigation", name="Main")
        forms_link = nav.get_by_role("link", name="Forms")
        expect(forms_link).to_be_hidden()
        nav.get_by_role("button", name="Menu").click()
        expect(forms_link).to_be_visible()
        forms_link.click()
        expect(page.get_by_role("heading", name="Forms")).to_be_visible()
    finally:
        context.close()


def log_in_collapsed(page, marketer) -> None:
    # test_marketer_flow.log_in waits for the Log out button, which a collapsed navbar hides.
    page.goto(marketer.url("/accounts/login/"))
    field(page, "Email").fill(marketer.email)
    field(page, "Password").fill(marketer.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def overflow(page, path: str) -> list[str]:
    """[] when the page fits its window, else what is too wide."""
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width <= inner_width:
        return []
    return [f"{path} is {scroll_width} px wide in {inner_width} px"]
