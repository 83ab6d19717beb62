"""The Django admin, seen by staff who administer workspace B only: nothing of A.

The staff user has every model permission, so only the admin's scoping (not a
missing permission) keeps A's rows out of reach. Every registered ModelAdmin is
checked; a new one must either be scoped to a workspace or be listed below
with the reason its rows belong to no workspace.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from accounts.services import membership_grant, user_ensure
from integration.admin import MASK
from integration.models import ZohoConnection
from tests.security.routes import page_text, swept_routes, url_of
from tests.security.tenant_data import changed_tables, tenant_rows

# Registered models whose rows belong to no one workspace. They are for the site's
# operators: axes rows name the users of every workspace and django-q tasks carry
# workspace ids, so these permissions must never be granted to a workspace's staff.
NOT_TENANT_DATA = {
    "auth.Group": "permission groups are site-wide configuration",
    "axes.AccessAttempt": "login throttling records, for the site's operators",
    "axes.AccessLog": "login records, for the site's operators",
    "axes.AccessFailureLog": "failed-login records, for the site's operators",
    "django_q.Schedule": "the task schedule, for the site's operators",
    "django_q.Success": "finished tasks, for the site's operators",
    "django_q.Failure": "failed tasks, for the site's operators",
    "django_q.OrmQ": "the task queue, for the site's operators",
}
# How a model's rows lead to their workspace, when not through a `workspace` field.
TENANT_PATHS = {
    "accounts.Workspace": "pk",
    "auth.User": "memberships__workspace",
}

# Known leaks, one case each: {(test kind, model label): reason}. Empty means none known.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
TENANT_ADMINS = [(m, a) for m, a in REGISTERED if m._meta.label not in NOT_TENANT_DATA]


def cases(kind: str, items) -> list:
    params = []
    for item, label in items:
        reason = KNOWN_LEAKS.get((kind, label))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(item, id=label, marks=marks))
    return params


def tenant_admins(kind: str) -> list:
    return cases(kind, [(model, model._meta.label) for model, _ in TENANT_ADMINS])


def workspace_path(model) -> str | None:
    label = model._meta.label
    if label in TENANT_PATHS:
        return TENANT_PATHS[label]
    names = {f.name for f in model._meta.get_fields()}
    return "workspace" if "workspace" in names else None


def rows_of(model, workspace):
    return model._default_manager.filter(**{workspace_path(model): workspace.pk}).distinct()


def row_of_a(model, tenants):
    row = rows_of(model, tenants.a).order_by("pk").first()
    assert row is not None, (
        f"Workspace A has no {model._meta.label} row: create one in "
        "tests/security/tenant_data.py (through its service) so its admin is checked."
    )
    return row


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.fixture
def operator_client(tenants, client):
    """Staff, not superuser, admin of B only, holding every model permission there is."""
    user, _ = user_ensure(email="operator@globex.test", password=None)
    membership_grant(workspace=tenants.b, user=user, role=Membership.Role.ADMIN)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.all())
    client.force_login(user)
    return client


@pytest.fixture
def staff_member_client(tenants, member):
    """Staff holding every model permission, but only a plain member of A (the role matrix:
    a member deletes no contact, changes no form nor setting, in the admin either)."""
    member.is_staff = True
    member.save(update_fields=["is_staff"])
    member.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(member)
    return client


def test_every_registered_admin_is_scoped_or_holds_no_tenant_data():
    unclassified = [
        model._meta.label for model, _ in TENANT_ADMINS if workspace_path(model) is None
    ]
    assert unclassified == [], (
        f"{unclassified}: scope these admins with accounts.admin.WorkspaceScopedAdmin and "
        "give tests/security/test_admin_scoping.py their path to the workspace "
        "(TENANT_PATHS), or list them in NOT_TENANT_DATA with the reason."
    )
    assert set(NOT_TENANT_DATA) <= {model._meta.label for model, _ in REGISTERED}


# Lists and object pages ------------------------------------------------------------------


@pytest.mark.parametrize("model", tenant_admins("rows"))
def test_changelists_hide_the_rows_of_other_workspaces(
    model, tenants, operator_client, admin_client
):
    link = admin_url(model, "change", quote(row_of_a(model, tenants).pk))

    seen_by_operator = operator_client.get(admin_url(model, "changelist"))
    seen_by_superuser = admin_client.get(admin_url(model, "changelist"))

    assert seen_by_operator.status_code == 200
    assert link in seen_by_superuser.content.decode()  # the link looked for is the right one
    assert link not in seen_by_operator.content.decode()


@pytest.mark.parametrize("model", tenant_admins("member_rows"))
def test_staff_who_are_plain_members_see_no_row_of_their_workspace(
    model, tenants, staff_member_client
):
    link = admin_url(model, "change", quote(row_of_a(model, tenants).pk))

    response = staff_member_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert link not in response.content.decode()


@pytest.mark.parametrize("model", tenant_admins("names"))
def test_changelists_name_no_other_workspace(model, tenants, operator_client):
    response = operator_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert tenants.a.name not in response.content.decode()


@pytest.mark.parametrize("model", tenant_admins("object"))
def test_object_pages_of_other_workspaces_are_out_of_reach(model, tenants, operator_client):
    pk = quote(row_of_a(model, tenants).pk)
    before = tenant_rows(tenants.a)

    for view in ("change", "history", "delete"):
        url = admin_url(model, view, pk)
        page = operator_client.get(url)
        post = operator_client.post(url, {"post": "yes"})
        for method, response in (("GET", page), ("POST", post)):
            assert response.status_code in (302, 403, 404), (
                f"{method} {url}: {response.status_code}"
            )
            if response.status_code == 302:
                assert response["Location"] == reverse("admin:index"), f"{method} {url}"

    assert changed_tables(before, tenant_rows(tenants.a)) == []


def autocomplete_fields() -> list:
    items = []
    for model, model_admin in REGISTERED:
        for name in model_admin.autocomplete_fields:
            items.append(((model, name), f"{model._meta.label}.{name}"))
    return items


@pytest.mark.parametrize("model_and_field", cases("autocomplete", autocomplete_fields()))
def test_autocomplete_offers_nothing_of_other_workspaces(model_and_field, tenants, operator_client):
    model, name = model_and_field
    target = model._meta.get_field(name).related_model
    params = {"app_label": model._meta.app_label, "model_name": model._meta.model_name}

    response = operator_client.get(reverse("admin:autocomplete"), {**params, "field_name": name})

    assert response.status_code == 200
    offered = {int(result["id"]) for result in response.json()["results"]}
    of_a = set(rows_of(target, tenants.a).values_list("pk", flat=True))
    assert offered and not offered & of_a


# Masked secrets ----------------------------------------------------------------------------


def test_superusers_see_zoho_secrets_masked(tenants, admin_client):
    secrets = tenants.secrets()
    pages = [
        admin_client.get(admin_url(ZohoConnection, "change", tenants.connection.pk)),
        admin_client.get(admin_url(ZohoConnection, "changelist")),
        admin_client.get(admin_url(ZohoConnection, "history", tenants.connection.pk)),
    ]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert pages[0].content.decode().count(MASK) == 3
    for page in pages:
        assert not [secret for secret in secrets if secret in page.content.decode()]


def test_no_workspace_page_shows_zoho_secrets_to_its_admin(tenants, owner_client):
    secrets = tenants.secrets()
    for route in swept_routes():
        url = url_of(route, tenants)
        body = page_text(owner_client.get(url))
        assert not [secret for secret in secrets if secret in body], f"GET {url} shows a secret"
