"""The first Zoho snapshot of a module proposes a default mapping by names and types."""

from contacts.catalogue import LEAD_SOURCES
from contacts.services import field_create
from mapping.models import FieldMapping, ZohoFieldSet
from mapping.selectors import plezi_url_field
from mapping.services import mapping_save, zoho_fields_store
from tests.mapping.zoho_meta import fetch_fields


def mapped(workspace, module):
    rows = FieldMapping.objects.for_workspace(workspace).filter(module=module)
    return {
        r.plezi_field.key: (r.zoho_field, r.to_zoho, r.from_zoho, r.locked)
        for r in rows.select_related("plezi_field")
        if r.zoho_field
    }


def test_first_connect_maps_leads_by_name_and_type(workspace, connect):
    connect("Leads")

    assert mapped(workspace, "Leads") == {
        "email": ("Email", True, True, True),
        "first_name": ("First_Name", True, True, True),
        "last_name": ("Last_Name", True, True, True),
        "company": ("Company", True, True, False),
        "phone": ("Phone", True, True, False),
        "mobile": ("Mobile", True, True, False),
        "job_title": ("Designation", True, True, False),
        "website": ("Website", True, True, False),
        "city": ("City", True, True, False),
        "country": ("Country", True, True, False),
        # Zoho's Lead Source also offers Twitter and Facebook, which Plezi does
        # not know: only Plezi → Zoho is safe.
        "lead_source": ("Lead_Source", True, False, False),
    }


def test_every_plezi_field_gets_a_row_and_consent_is_never_mapped(workspace, connect):
    connect("Leads")

    rows = FieldMapping.objects.for_workspace(workspace).filter(module="Leads")
    assert rows.count() == workspace.fields.count()
    assert rows.get(plezi_field__key="email_opt_out").zoho_field == ""


def test_first_connect_maps_contacts_from_zoho_only(workspace, connect):
    connect("Contacts")

    assert mapped(workspace, "Contacts") == {
        "email": ("Email", False, True, True),
        "first_name": ("First_Name", False, True, True),
        "last_name": ("Last_Name", False, True, True),
        "phone": ("Phone", False, True, False),
        "mobile": ("Mobile", False, True, False),
        "job_title": ("Title", False, True, False),
        "city": ("Mailing_City", False, True, False),
        "country": ("Mailing_Country", False, True, False),
    }


def test_special_fields_map_to_score_and_status_when_they_exist(workspace, sandbox, connect):
    sandbox.add_field("Leads", "score", "score", "text")
    sandbox.add_field("Leads", "status", "status", "text")

    connect()

    leads = mapped(workspace, "Leads")
    assert leads["behaviour_score"] == ("score", True, False, False)
    assert leads["state"] == ("status", True, False, False)
    assert "behaviour_score" not in mapped(workspace, "Contacts")


def test_custom_fields_match_by_name_and_type(workspace, sandbox, connect):
    sandbox.add_field("Leads", "Budget", "Budget", "currency")
    sandbox.add_field("Leads", "Region", "Region", "picklist", pick_list_values=["North", "South"])
    sandbox.add_field("Leads", "Seats", "Seats", "text")
    field_create(workspace=workspace, key="budget", label="Budget", type="number")
    field_create(
        workspace=workspace, key="region", label="Region", type="choice", choices=["North", "South"]
    )
    field_create(
        workspace=workspace, key="seats", label="Seats", type="choice", choices=["1-10", "11+"]
    )

    connect("Leads")

    leads = mapped(workspace, "Leads")
    assert leads["budget"] == ("Budget", True, True, False)
    assert leads["region"] == ("Region", True, True, False)
    # Free text in Zoho never fills a Plezi choice list (the seed's "Function" warning).
    assert leads["seats"] == ("Seats", True, False, False)


def test_identical_lead_sources_map_both_ways(workspace, connect):
    workspace.fields.filter(key="lead_source").update(
        choices=[*LEAD_SOURCES, "Twitter", "Facebook"]
    )

    connect("Leads")

    assert mapped(workspace, "Leads")["lead_source"] == ("Lead_Source", True, True, False)


def test_later_snapshots_keep_the_marketers_choices(workspace, sandbox, connect, owner):
    connect("Leads")
    mapping_save(
        workspace=workspace,
        module="Leads",
        rows=[{"plezi_key": "company", "zoho_field": "", "to_zoho": False, "from_zoho": False}],
        actor=owner,
    )

    connect("Leads")

    assert "company" not in mapped(workspace, "Leads")
    assert ZohoFieldSet.objects.for_workspace(workspace).count() == 1


def test_snapshot_is_stored_as_zoho_returned_it(workspace, sandbox):
    fields = fetch_fields(sandbox, "Leads")

    field_set = zoho_fields_store(workspace=workspace, module="Leads", fields=fields)

    field_set.refresh_from_db()
    assert field_set.fields == fields
    assert field_set.order == [f["api_name"] for f in fields]


def test_plezi_url_field_is_found_case_insensitively(workspace, sandbox, connect):
    connect("Leads")
    assert plezi_url_field(workspace) is None

    sandbox.add_field("Leads", "Plezi_URL", "Plezi URL", "text")
    connect("Leads")

    assert plezi_url_field(workspace) == "Plezi_URL"


def test_plezi_url_field_must_hold_text(workspace, sandbox, connect):
    sandbox.add_field("Leads", "plezi_url", "plezi_url", "integer")
    connect("Leads")

    assert plezi_url_field(workspace) is None


def test_other_workspaces_are_untouched(workspace, other_workspace, connect):
    connect("Leads")

    assert not FieldMapping.objects.for_workspace(other_workspace).exists()
    assert plezi_url_field(other_workspace) is None
