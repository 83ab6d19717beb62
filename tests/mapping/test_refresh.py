"""Refreshing Zoho's fields re-checks the mapping: broken rows are flagged and stop syncing.

The sandbox's control API has no "delete field" or "edit field": a field is removed from
Zoho by resetting the sandbox (custom fields go, standard ones stay) and retyped by
resetting it and adding the field again with another type.
"""

import pytest
from django.utils import timezone

from accounts.services import workspace_mark_resynced
from contacts.services import field_create
from mapping.models import FieldMapping
from mapping.selectors import mapping_pairs
from mapping.services import mapping_save, zoho_fields_store
from tests.mapping.zoho_meta import fetch_fields

MISSING_BUDGET = (
    "“Budget”: the Zoho field “Budget” does not exist in Leads. Choose another Zoho field, "
    "or create it in Zoho and click Refresh Zoho fields."
)


def problem(workspace, key, module="Leads"):
    rows = FieldMapping.objects.for_workspace(workspace)
    return rows.get(module=module, plezi_field__key=key).problem


def synced(workspace, direction="to_zoho"):
    return [p.plezi_key for p in mapping_pairs(workspace, "Leads", direction)]


@pytest.fixture
def budget(workspace, sandbox, connect):
    """A custom Zoho field Budget (currency) mapped both ways to a Plezi number."""
    sandbox.add_field("Leads", "Budget", "Budget", "currency")
    field_create(workspace=workspace, key="budget", label="Budget", type="number")
    connect("Leads")
    assert "budget" in synced(workspace)


def test_a_removed_zoho_field_is_flagged_and_stops_syncing(workspace, sandbox, connect, budget):
    sandbox.reset()
    connect("Leads")

    assert problem(workspace, "budget") == MISSING_BUDGET
    assert "budget" not in synced(workspace, "to_zoho")
    assert "budget" not in synced(workspace, "from_zoho")
    assert "company" in synced(workspace)


def test_the_page_shows_why_the_row_stopped(owner_client, workspace, sandbox, connect, budget):
    sandbox.reset()
    connect("Leads")

    html = owner_client.get("/w/acme/mapping/leads/").content.decode()

    assert MISSING_BUDGET in html
    assert '<option value="Budget" selected>Budget · not in Zoho</option>' in html


def test_a_retyped_zoho_field_is_flagged_until_the_row_is_saved_again(
    workspace, sandbox, connect, budget, owner
):
    sandbox.reset()
    sandbox.add_field("Leads", "Budget", "Budget", "integer")
    connect("Leads")

    assert problem(workspace, "budget") == (
        "“Budget”: Zoho “Budget” changed type from Currency to Number. "
        "Check the mapping, then save it again."
    )
    assert "budget" not in synced(workspace)

    row = {"plezi_key": "budget", "zoho_field": "Budget", "to_zoho": True, "from_zoho": True}
    report = mapping_save(workspace=workspace, module="Leads", rows=[row], actor=owner)

    assert report.errors == []
    assert problem(workspace, "budget") == ""
    assert "budget" in synced(workspace)


def test_a_field_retyped_to_an_incompatible_type_cannot_be_saved_again(
    workspace, sandbox, connect, budget, owner
):
    sandbox.reset()
    sandbox.add_field("Leads", "Budget", "Budget", "date")
    connect("Leads")

    row = {"plezi_key": "budget", "zoho_field": "Budget", "to_zoho": True, "from_zoho": True}
    report = mapping_save(workspace=workspace, module="Leads", rows=[row], actor=owner)

    assert report.errors == [
        "“Budget” is Number and Zoho “Budget” is Date: these types are not compatible. "
        "Choose a Zoho field of a matching type."
    ]
    assert problem(workspace, "budget").startswith("“Budget”: Zoho “Budget” changed type")


def test_a_field_that_comes_back_syncs_again_and_calls_for_a_resync(
    workspace, sandbox, connect, budget
):
    sandbox.reset()
    connect("Leads")
    workspace_mark_resynced(workspace=workspace, at=timezone.now())
    workspace.refresh_from_db()
    assert not workspace.needs_resync

    sandbox.add_field("Leads", "Budget", "Budget", "currency")
    connect("Leads")

    assert problem(workspace, "budget") == ""
    assert "budget" in synced(workspace)
    workspace.refresh_from_db()
    assert workspace.needs_resync


def test_picklists_are_checked_again_on_refresh(workspace, sandbox, connect):
    sandbox.add_field("Leads", "Region", "Region", "picklist", pick_list_values=["North", "South"])
    field_create(
        workspace=workspace, key="region", label="Region", type="choice", choices=["North", "South"]
    )
    connect("Leads")
    assert "region" in synced(workspace, "from_zoho")

    sandbox.reset()
    sandbox.add_field(
        "Leads", "Region", "Region", "picklist", pick_list_values=["North", "South", "East"]
    )
    connect("Leads")

    assert problem(workspace, "region") == (
        "“Region” and Zoho “Region” have different values. Missing in Plezi: East. "
        "Make the lists identical in both tools, then save again."
    )
    assert "region" not in synced(workspace, "to_zoho")
    assert "region" not in synced(workspace, "from_zoho")


def test_a_standard_field_zoho_no_longer_returns_is_flagged(workspace, sandbox):
    """A field Zoho stops returning (hidden by an admin): Zoho's answer edited by the test."""
    fields = fetch_fields(sandbox, "Leads")
    zoho_fields_store(workspace=workspace, module="Leads", fields=fields)

    without_email = [f for f in fields if f["api_name"] != "Email"]
    zoho_fields_store(workspace=workspace, module="Leads", fields=without_email)

    assert problem(workspace, "email").startswith("“Email”: the Zoho field “Email” does not")
    assert "email" not in synced(workspace)


def test_new_zoho_fields_go_last_even_if_zoho_lists_them_first(workspace, sandbox):
    fields = fetch_fields(sandbox, "Leads")
    zoho_fields_store(workspace=workspace, module="Leads", fields=fields)
    sandbox.add_field("Leads", "Budget", "Budget", "currency")
    budget = next(f for f in fetch_fields(sandbox, "Leads") if f["api_name"] == "Budget")

    zoho_fields_store(workspace=workspace, module="Leads", fields=[budget, *fields])

    order = workspace.zoho_field_sets.get(module="Leads").order
    assert order == [f["api_name"] for f in fields] + ["Budget"]
