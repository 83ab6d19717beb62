"""Saving the mapping: valid changes are kept, refusals name the field and change nothing."""

import pytest

from accounts.models import Workspace
from contacts.services import field_create
from mapping.models import FieldMapping
from mapping.services import NOT_CONNECTED, mapping_check, mapping_save


def row(key, zoho="", to=False, back=False):
    return {"plezi_key": key, "zoho_field": zoho, "to_zoho": to, "from_zoho": back}


def state(workspace, key, module="Leads"):
    r = FieldMapping.objects.for_workspace(workspace).get(module=module, plezi_field__key=key)
    return r.zoho_field, r.to_zoho, r.from_zoho


@pytest.fixture
def connected(workspace, connect):
    connect()
    return workspace


def save(workspace, *rows, module="Leads", actor=None):
    return mapping_save(workspace=workspace, module=module, rows=list(rows), actor=actor)


def test_a_valid_change_is_saved_and_calls_for_a_resync(connected, owner):
    report = save(connected, row("company", "Description", to=True, back=False), actor=owner)

    assert report.errors == []
    assert report.saved == 1
    assert state(connected, "company") == ("Description", True, False)
    connected.refresh_from_db()
    assert connected.needs_resync
    assert connected.settings_change == "Mapping changed"


def test_posting_the_same_mapping_changes_nothing(connected):
    report = save(connected, row("company", "Company", to=True, back=True))

    assert (report.errors, report.saved, report.sync_changed) == ([], 0, False)
    assert not Workspace.objects.get(pk=connected.pk).needs_resync


def test_contacts_refuse_plezi_to_zoho_but_keep_zoho_to_plezi(connected):
    report = save(connected, row("company", "Department", to=True, back=True), module="Contacts")

    assert report.errors == [
        "“Company”: Contacts are created and changed by your sales team in Zoho, "
        "so Plezi → Zoho is not available for Contacts."
    ]
    assert state(connected, "company", "Contacts") == ("Department", False, True)


def test_picklist_mismatch_lists_the_differing_values_and_refuses_that_direction(connected):
    connected.fields.filter(key="lead_source").update(choices=["Advertisement", "Fair"])

    report = save(connected, row("lead_source", "Lead_Source", to=True, back=True))

    assert report.errors == [
        "“Lead source” and Zoho “Lead Source” have different values. Missing in Zoho: Fair. "
        "Missing in Plezi: Cold Call, Employee Referral, External Referral, Online Store, "
        "Partner, Public Relations, Sales Email Alias, Seminar Partner, Internal Seminar, "
        "Trade Show, Web Download, Web Research, Chat, Twitter, Facebook. "
        "Make the lists identical in both tools, then save again."
    ]
    # Neither direction can work, so the saved row is left as it was.
    assert state(connected, "lead_source") == ("Lead_Source", True, False)


def test_picklist_with_extra_zoho_values_keeps_plezi_to_zoho(connected):
    report = save(connected, row("lead_source", "Lead_Source", to=True, back=True))

    assert report.errors == [
        "“Lead source” and Zoho “Lead Source” have different values. "
        "Missing in Plezi: Twitter, Facebook. "
        "Make the lists identical in both tools, then save again."
    ]
    assert state(connected, "lead_source") == ("Lead_Source", True, False)


def test_incompatible_types_leave_the_row_unchanged(connected):
    report = save(connected, row("company", "Annual_Revenue", to=True, back=True))

    assert report.errors == [
        "“Company” is Text (single line) and Zoho “Annual Revenue” is Currency: these types "
        "are not compatible. Choose a Zoho field of a matching type."
    ]
    assert state(connected, "company") == ("Company", True, True)


def test_free_text_to_choice_is_refused_from_zoho(connected, workspace):
    field_create(
        workspace=workspace, key="function", label="Function", type="choice", choices=["CEO", "CTO"]
    )

    report = save(connected, row("job_title"), row("function", "Designation", to=True, back=True))

    assert report.errors == [
        "Zoho “Title” is free text: it cannot fill the choice list of “Function”, or every "
        "value typed in Zoho would become a new choice. Send “Function” from Plezi to Zoho "
        "only, or use a Zoho picklist."
    ]
    assert state(connected, "function") == ("Designation", True, False)


def test_read_only_zoho_field_says_why(connected):
    report = save(connected, row("company", "Created_By", to=True))

    assert report.errors == [
        "Zoho “Created By” is an owner field (a Zoho user): Plezi cannot write it, "
        "so “Company” cannot be sent to it."
    ]


def test_special_fields_only_go_to_zoho(connected, sandbox, connect):
    sandbox.add_field("Leads", "score", "score", "text")
    connect("Leads")

    report = save(connected, row("behaviour_score", "score", to=True, back=True))

    assert report.errors == [
        "Behaviour score can only be sent from Plezi to Zoho (it is computed by Plezi)."
    ]
    assert state(connected, "behaviour_score") == ("score", True, False)


def test_mandatory_rows_cannot_be_changed(connected):
    report = save(connected, row("email", "Secondary_Email", to=True, back=True))

    assert report.errors == [
        "Email is mandatory: it is always mapped to Zoho “Email” in both directions "
        "and cannot be changed."
    ]
    assert state(connected, "email") == ("Email", True, True)


def test_a_zoho_field_is_written_by_one_plezi_field(connected):
    report = save(connected, row("city", "Company", to=True, back=True))

    assert report.errors == [
        "Zoho “Company” is already mapped to “Company”: a Zoho field can be mapped to one "
        "Plezi field only. “City” was not changed."
    ]
    assert state(connected, "city") == ("City", True, True)


def test_duplicate_message_names_the_zoho_field_by_its_label(connected):
    report = save(connected, row("city", "Designation", to=True, back=True))

    assert report.errors == [
        "Zoho “Title” is already mapped to “Function”: a Zoho field can be mapped to one "
        "Plezi field only. “City” was not changed."
    ]


def test_two_plezi_fields_can_swap_their_zoho_fields(connected):
    report = save(
        connected,
        row("phone", "Mobile", to=True, back=True),
        row("mobile", "Phone", to=True, back=True),
    )

    assert report.errors == []
    assert state(connected, "phone") == ("Mobile", True, True)
    assert state(connected, "mobile") == ("Phone", True, True)


def test_unmapping_is_always_allowed(connected):
    report = save(connected, row("company"))

    assert report.errors == []
    assert state(connected, "company") == ("", False, False)


def test_a_new_custom_field_gets_its_row_when_saved(connected, workspace):
    field_create(workspace=workspace, key="budget", label="Budget", type="number")

    report = save(connected, row("budget", "Annual_Revenue", to=True, back=True))

    assert report.errors == []
    assert state(connected, "budget") == ("Annual_Revenue", True, True)


def test_unknown_zoho_field_is_refused(connected):
    report = save(connected, row("company", "Nope", to=True))

    assert report.errors == [
        "“Company”: the Zoho field “Nope” does not exist in Leads. Choose another Zoho field, "
        "or create it in Zoho and click Refresh Zoho fields."
    ]
    assert state(connected, "company") == ("Company", True, True)


def test_nothing_can_be_saved_before_connecting(workspace):
    report = save(workspace, row("company", "Company", to=True))

    assert report.errors == [NOT_CONNECTED]
    assert not FieldMapping.objects.exists()


def test_rows_of_another_workspace_are_ignored(connected, other_workspace, connect):
    connect(target=other_workspace)

    save(other_workspace, row("company"))

    assert state(connected, "company") == ("Company", True, True)


def test_check_reports_refusals_without_saving(connected):
    errors = mapping_check(
        workspace=connected, module="Contacts", row=row("company", "Department", to=True)
    )

    assert errors == [
        "“Company”: Contacts are created and changed by your sales team in Zoho, "
        "so Plezi → Zoho is not available for Contacts."
    ]
    assert state(connected, "company", "Contacts") == ("", False, False)


def test_an_unknown_module_is_a_programming_error(connected):
    with pytest.raises(ValueError):
        save(connected, row("company"), module="Deals")
