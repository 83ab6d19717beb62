"""What the sync reads: the pairs to apply per module and direction, from one selector."""

from contacts.services import field_create
from mapping.selectors import MappedPair, mapping_pairs, mapping_pairs_all, zoho_field_meta
from mapping.services import mapping_save


def test_pairs_carry_what_the_sync_needs_to_validate_a_value(workspace, connect):
    connect("Leads")

    pairs = {p.plezi_key: p for p in mapping_pairs(workspace, "Leads", "to_zoho")}

    assert pairs["lead_source"] == MappedPair(
        plezi_key="lead_source",
        plezi_type="choice",
        plezi_choices=workspace.fields.get(key="lead_source").choices,
        zoho_api_name="Lead_Source",
        zoho_data_type="picklist",
        zoho_length=120,
        zoho_picklist=pairs["lead_source"].zoho_picklist,
        zoho_read_only=False,
    )
    assert pairs["lead_source"].zoho_picklist[-2:] == ["Twitter", "Facebook"]
    assert "-None-" not in pairs["lead_source"].zoho_picklist
    assert pairs["company"].zoho_picklist is None
    assert pairs["company"].zoho_length == 100


def test_pairs_follow_the_plezi_field_order(workspace, connect):
    connect("Leads")

    keys = [p.plezi_key for p in mapping_pairs(workspace, "Leads", "from_zoho")]

    assert keys[:3] == ["email", "first_name", "last_name"]


def test_contacts_never_have_plezi_to_zoho_pairs(workspace, connect):
    connect()

    assert mapping_pairs(workspace, "Contacts", "to_zoho") == []
    assert [p.zoho_api_name for p in mapping_pairs(workspace, "Contacts", "from_zoho")][:3] == [
        "Email",
        "First_Name",
        "Last_Name",
    ]


def test_a_plezi_choice_list_edited_after_saving_stops_the_row(workspace, connect):
    connect("Leads")
    workspace.fields.filter(key="lead_source").update(choices=["Partner", "Fair"])

    assert "lead_source" not in [p.plezi_key for p in mapping_pairs(workspace, "Leads", "to_zoho")]


def test_all_pairs_in_two_queries_match_the_single_selector(
    workspace, connect, django_assert_num_queries
):
    connect()
    field_create(workspace=workspace, key="budget", label="Budget", type="number")
    mapping_save(
        workspace=workspace,
        module="Leads",
        rows=[
            {
                "plezi_key": "budget",
                "zoho_field": "Annual_Revenue",
                "to_zoho": True,
                "from_zoho": True,
            }
        ],
    )

    with django_assert_num_queries(2):
        everything = mapping_pairs_all(workspace)

    assert set(everything) == {
        ("Leads", "to_zoho"),
        ("Leads", "from_zoho"),
        ("Contacts", "to_zoho"),
        ("Contacts", "from_zoho"),
    }
    for (module, direction), pairs in everything.items():
        assert pairs == mapping_pairs(workspace, module, direction)


def test_nothing_is_synced_before_connecting(workspace):
    assert mapping_pairs_all(workspace) == {
        ("Leads", "to_zoho"): [],
        ("Leads", "from_zoho"): [],
        ("Contacts", "to_zoho"): [],
        ("Contacts", "from_zoho"): [],
    }
    assert zoho_field_meta(workspace, "Leads") == {}


def test_zoho_field_meta_is_keyed_by_api_name(workspace, connect):
    connect("Leads")

    meta = zoho_field_meta(workspace, "Leads")

    assert meta["Last_Name"]["system_mandatory"] is True
    assert zoho_field_meta(workspace, "Contacts") == {}
