"""Tenant isolation, view by view: every URL of the project, requested by everyone but A.

For each URL pattern (see routes.py for how URLs are found and filled with A's
slug and A's objects), with GET and POST:

* an anonymous visitor is sent to the login page, or gets 404 (405 for a
  method the view refuses), and writes nothing;
* an admin of workspace B gets 404 (or 405), both with A's slug and with B's
  own slug in front of A's ids, and writes nothing;
* a plain member of A gets 403 on the admin-only views and changes nothing;
  on any other view, a member POST never changes the tables only admins may write
  (the role matrix itself, method by method, is in test_role_matrix.py).
"""

import pytest
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from tests.contacts.conftest import as_a_person
from tests.security.routes import (
    ADMIN_ONLY,
    OBJECT_KWARGS,
    POST_BODIES,
    SKIPPED,
    Route,
    all_routes,
    page_text,
    post_body,
    swept_routes,
    url_of,
)
from tests.security.tenant_data import Tenants, admin_rows, changed_tables, tenant_rows

ROUTES = swept_routes()
METHODS = ("get", "post")

# Known isolation bugs, one case each: {(test kind, URL name): reason}. Empty means none known.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}


def cases(kind: str, routes: list[Route] = ROUTES) -> list:
    params = []
    for route in routes:
        reason = KNOWN_LEAKS.get((kind, route.name))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(route, id=route.name, marks=marks))
    return params


def send(client: Client, method: str, url: str, route: Route, tenants: Tenants):
    if method == "get":
        return client.get(url)
    return client.post(url, post_body(route, tenants))


def assert_shows_nothing_of_a(response, tenants: Tenants, what: str) -> None:
    body = page_text(response)
    leaked = [marker for marker in tenants.markers if marker in body]
    assert not leaked, f"{what} showed workspace A's data {leaked}"


# The sweep sees every view ---------------------------------------------------------------


def test_the_sweep_finds_the_views_of_every_app():
    names = {route.name for route in ROUTES}
    for expected in ("contacts:detail", "mapping:edit", "integration:connection", "sync:run"):
        assert expected in names
    # Entries for views that no longer exist are a sign the sweep drifted from the project.
    skipped = {key for key in SKIPPED for r in all_routes() if key in (r.name, r.namespace)}
    assert skipped == set(SKIPPED)
    assert set(OBJECT_KWARGS) | set(ADMIN_ONLY) | set(POST_BODIES) <= names


def test_a_view_whose_kwarg_the_sweep_cannot_fill_fails_with_advice(tenants):
    kwargs = ("workspace_slug", "widget_id")
    new_view = Route("sync:widget", "w/<slug:workspace_slug>/widgets/<int:widget_id>/", kwargs)

    with pytest.raises(pytest.fail.Exception, match="Add it to OBJECT_KWARGS"):
        url_of(new_view, tenants)


@pytest.mark.parametrize("route", cases("kwargs"))
def test_every_url_kwarg_names_an_object_of_workspace_a(route, tenants):
    url = url_of(route, tenants)
    assert url.startswith("/")


# Anonymous visitors ------------------------------------------------------------------------


@pytest.mark.parametrize("route", cases("anonymous"))
def test_anonymous_visitors_are_sent_to_login(route, tenants, client):
    url = url_of(route, tenants)
    before = tenant_rows(tenants.a)
    for method in METHODS:
        response = send(client, method, url, route, tenants)
        what = f"anonymous {method.upper()} {url}"
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), what
        else:
            assert response.status_code in (404, 405), f"{what} answered {response.status_code}"
        assert_shows_nothing_of_a(response, tenants, what)
    assert changed_tables(before, tenant_rows(tenants.a)) == []


# Admins of another workspace ---------------------------------------------------------------


def assert_outsider_refused(client: Client, url: str, route: Route, tenants: Tenants) -> None:
    before = tenant_rows(tenants.a)
    for method in METHODS:
        response = send(client, method, url, route, tenants)
        what = f"admin of B, {method.upper()} {url}"
        if route.names_a_tenant:
            assert response.status_code in (404, 405), f"{what} answered {response.status_code}"
        else:
            assert response.status_code < 500, f"{what} answered {response.status_code}"
        assert_shows_nothing_of_a(response, tenants, what)
    changed = changed_tables(before, tenant_rows(tenants.a))
    assert changed == [], f"{url} let an admin of B write {changed} of A"


@pytest.mark.parametrize("route", cases("outsider"))
def test_admins_of_another_workspace_get_404(route, tenants, outsider_client):
    assert_outsider_refused(outsider_client, url_of(route, tenants), route, tenants)


@pytest.mark.parametrize("route", cases("own_slug", [r for r in ROUTES if r.has_object]))
def test_ids_of_another_workspace_under_ones_own_slug_get_404(route, tenants, outsider_client):
    url = url_of(route, tenants, slug=tenants.b.slug)
    assert_outsider_refused(outsider_client, url, route, tenants)


# Members who are not admins ----------------------------------------------------------------


@pytest.mark.parametrize("route", cases("member"))
def test_members_cannot_change_what_only_admins_may(route, tenants, member_client):
    url = url_of(route, tenants)
    before = tenant_rows(tenants.a)

    response = send(member_client, "post", url, route, tenants)

    after = tenant_rows(tenants.a)
    if route.name in ADMIN_ONLY:
        assert response.status_code == 403, f"member POST {url} answered {response.status_code}"
        assert changed_tables(before, after) == []
    elif response.status_code < 400:
        changed = changed_tables(admin_rows(before), admin_rows(after))
        assert changed == [], (
            f"A plain member changed {changed} through POST {url}: guard the view with "
            "@workspace_view(admin=True) and add it to ADMIN_ONLY in tests/security/routes.py."
        )


@pytest.mark.parametrize("name", sorted(set(POST_BODIES) & set(ADMIN_ONLY)))
def test_the_admin_only_bodies_really_write_admin_tables(name, tenants, owner_client):
    # Proves the member test above is not vacuous: the body it sends does write for an admin.
    route = next(r for r in ROUTES if r.name == name)
    before = tenant_rows(tenants.a)

    response = owner_client.post(url_of(route, tenants), post_body(route, tenants))

    # 200 for an invitation: its page shows the link once.
    assert response.status_code in (200, 302)
    assert changed_tables(admin_rows(before), admin_rows(tenant_rows(tenants.a))) != []


# The public form: addressed by token, not by workspace ---------------------------------------


def test_a_public_form_token_shows_that_form_only(tenants, client):
    response = client.get(reverse("contacts:public_form", args=[tenants.form.token]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Acme secret form" in page and 'name="acme_secret"' in page
    assert "Globex form" not in page and "ada.secret@acme.test" not in page


def test_answers_to_a_public_form_land_in_its_workspace_only(tenants, client):
    url = reverse("contacts:public_form", args=[tenants.form.token])

    answers = as_a_person(tenants.form, {"email": "visitor@example.com", "first_name": "Vi"})

    response = client.post(url, answers)

    assert response.status_code == 200
    owners = Contact.objects.filter(email="visitor@example.com").values_list("workspace", flat=True)
    assert list(owners) == [tenants.a.pk]


def test_an_unknown_public_form_token_is_404_and_writes_nothing(tenants, client):
    url = reverse("contacts:public_form", args=["no-such-token"])
    before = Contact.objects.count()

    answers = [
        client.get(url).status_code,
        client.post(url, {"email": "x@example.com"}).status_code,
        client.post(url, '{"email": "x@example.com"}', content_type="application/json").status_code,
    ]

    assert answers == [404, 404, 404]
    assert Contact.objects.count() == before
