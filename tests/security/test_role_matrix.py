"""The role matrix (README, "Roles"), view by view: ADMIN_ONLY in routes.py × member/admin.

* a member is refused (403, with a page naming whom to ask) exactly the methods ADMIN_ONLY
  lists, and such a request changes nothing; every other view lets a member in;
* an admin is refused nothing;
* no page shows a member a link or a button to something the matrix refuses them.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from tests.security.routes import ADMIN_ONLY, Route, page_text, post_body, swept_routes, url_of
from tests.security.tenant_data import Tenants, changed_tables, tenant_rows

ROUTES = swept_routes()
METHODS = ("get", "post")
# Admin requests the matrix test does not send, and why.
NOT_SENT_BY_ADMINS = {
    # Revokes the sandbox's tokens, which rolling the test back does not undo (the next
    # tests would find A disconnected); tests/integration/test_connection_page.py has it.
    ("post", "integration:disconnect"),
}


def send(client: Client, method: str, url: str, route: Route, tenants: Tenants):
    if method == "get":
        return client.get(url)
    return client.post(url, post_body(route, tenants))


def refused_to_members(route: Route) -> tuple[str, ...]:
    return ADMIN_ONLY.get(route.name, ())


def test_the_matrix_names_only_views_that_exist():
    assert set(ADMIN_ONLY) <= {route.name for route in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_members_are_refused_exactly_what_the_matrix_keeps_for_admins(
    route, tenants, member_client
):
    url = url_of(route, tenants)
    for method in METHODS:
        before = tenant_rows(tenants.a)
        response = send(member_client, method, url, route, tenants)
        what = f"member {method.upper()} {url} answered {response.status_code}"
        if method not in refused_to_members(route):
            assert response.status_code != 403, f"{what}: the matrix lets members in"
        elif response.status_code == 405:  # a view taking POST only refuses GET to everyone
            assert method == "get", what
        else:
            assert response.status_code == 403, what
            assert "Only admins of Acme can do this. Ask one of them: owner@acme.test." in (
                page_text(response)
            )
            assert changed_tables(before, tenant_rows(tenants.a)) == [], what


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_admins_are_refused_nothing(route, tenants, owner_client):
    url = url_of(route, tenants)
    for method in METHODS:
        if (method, route.name) in NOT_SENT_BY_ADMINS:
            continue
        response = send(owner_client, method, url, route, tenants)
        assert response.status_code not in (403, 500), (
            f"admin {method.upper()} {url} answered {response.status_code}"
        )


class _Targets(HTMLParser):
    """The links (GET) and the forms' actions (POST) of a page."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.found.append(("get", attrs["href"]))
        elif tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.found.append(("post", attrs.get("action") or self.page_url))


def refused_targets(html: str, page_url: str) -> list[str]:
    parser = _Targets(page_url)
    parser.feed(html)
    refused = []
    for method, target in parser.found:
        parts = urlsplit(target)
        if parts.netloc and parts.netloc != "testserver":
            continue
        try:
            name = resolve(parts.path).view_name
        except Resolver404:
            continue
        if method in ADMIN_ONLY.get(name, ()):
            refused.append(f"{method.upper()} {target} ({name})")
    return refused


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_pages_show_members_no_button_the_matrix_refuses_them(route, tenants, member_client):
    url = url_of(route, tenants)
    response = member_client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return

    assert refused_targets(page_text(response), url) == []


def test_admins_do_see_the_buttons_members_do_not(tenants, owner_client, member_client):
    # Proves the test above is not vacuous: the same pages hold admin-only targets.
    pages = {
        "contacts:detail": "contacts:delete",
        "contacts:form_list": "contacts:form_delete",
        "sync:history": "sync:resync",
    }
    for page, target in pages.items():
        url = url_of(next(r for r in ROUTES if r.name == page), tenants)
        found = refused_targets(page_text(owner_client.get(url)), url)
        assert any(f"({target})" in item for item in found), (page, found)
        assert refused_targets(page_text(member_client.get(url)), url) == []
