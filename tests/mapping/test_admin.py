"""Operators change a mapping row in the admin through the same rules as the page."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from mapping.models import FieldMapping


@pytest.fixture
def admin_client(db):
    user = get_user_model().objects.create_superuser("ops", "ops@plezi.test", "pw")
    client = Client()
    client.force_login(user)
    return client


def row(workspace, key, module="Leads"):
    rows = FieldMapping.objects.for_workspace(workspace)
    return rows.get(module=module, plezi_field__key=key)


def test_admin_refuses_what_the_rules_refuse(admin_client, workspace, connect):
    connect()
    company = row(workspace, "company", "Contacts")
    url = f"/admin/mapping/fieldmapping/{company.pk}/change/"

    response = admin_client.post(url, {"zoho_field": "Department", "to_zoho": "on"})

    assert response.status_code == 200
    assert (
        "“Company”: Contacts are created and changed by your sales team in Zoho, "
        "so Plezi → Zoho is not available for Contacts."
    ) in response.content.decode()
    assert row(workspace, "company", "Contacts").zoho_field == ""


def test_admin_saves_a_valid_change_through_the_service(admin_client, workspace, connect):
    connect()
    company = row(workspace, "company", "Contacts")
    url = f"/admin/mapping/fieldmapping/{company.pk}/change/"

    response = admin_client.post(url, {"zoho_field": "Department", "from_zoho": "on"})

    assert response.status_code == 302
    saved = row(workspace, "company", "Contacts")
    assert (saved.zoho_field, saved.zoho_type, saved.from_zoho) == ("Department", "text", True)
    workspace.refresh_from_db()
    assert workspace.needs_resync


def test_admin_lists_mappings_and_snapshots(admin_client, workspace, connect):
    connect()

    assert admin_client.get("/admin/mapping/fieldmapping/").status_code == 200
    assert admin_client.get("/admin/mapping/zohofieldset/").status_code == 200
