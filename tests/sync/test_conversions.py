"""A lead sales converts in Zoho while Plezi still has changes for it (zoho-crm-api.md §10)."""

import time

from contacts.models import Contact
from contacts.services import contact_update
from integration.models import SyncIssue, SyncRun
from mapping.services import mapping_save
from tests.sync.conftest import add_contacts, connect, sync


def plezi(workspace, email):
    return Contact.objects.for_workspace(workspace).get(email=email)


def _linked_then_edited(zoho, workspace, **fields):
    add_contacts(workspace, {"email": "ann@plezi.test", "last_name": "Ames", **fields})
    sync(workspace)
    ann = plezi(workspace, "ann@plezi.test")
    ann.last_name, ann.city = "Ames-Edited", "Lyon"
    ann.save()
    zoho.advance_clock(60)
    return ann


def _form_sync(workspace, contact) -> SyncRun:
    """A form's targeted run: it reads the linked lead by id, then pushes."""
    return sync(workspace, trigger=SyncRun.Trigger.FORM, contact_ids=[contact.pk])


def test_a_push_into_a_lead_converted_meanwhile_follows_its_contact_and_keeps_plezi_edits(
    connected, zoho, workspace
):
    ann = _linked_then_edited(zoho, workspace, city="Paris")
    contact_id = zoho.convert_lead(ann.sync_state.zoho_id)

    run = _form_sync(workspace, ann)

    ann = plezi(workspace, "ann@plezi.test")
    assert (ann.last_name, ann.city) == ("Ames-Edited", "Lyon")
    state = ann.sync_state
    assert (state.zoho_module, state.zoho_id) == ("Contacts", contact_id)
    issue = run.issues.get(code="CONVERTED")
    assert issue.kind == SyncIssue.Kind.SKIPPED
    assert "city, last_name" in issue.message and f"Zoho Contact {contact_id}" in issue.message
    assert not run.issues.filter(kind=SyncIssue.Kind.ERROR).exists()
    [lead] = zoho.records("Leads")
    assert lead["Last_Name"] == "Ames"  # the converted lead was not written
    zoho.reset_stats()
    again = sync(workspace)
    assert (again.pushed, again.failed, again.updated_plezi) == (0, 0, 0)
    assert not any(k.startswith(("POST", "PUT")) for k in zoho.stats()["calls"])
    assert plezi(workspace, "ann@plezi.test").last_name == "Ames-Edited"


def test_a_contact_the_conversion_left_outside_the_filter_is_still_followed(zoho, workspace):
    # "status" exists only on Leads: the conversion cannot copy it to the Contact.
    connect(zoho, workspace, filter_field="status", filter_value="yes")
    ann = _linked_then_edited(zoho, workspace)
    contact_id = zoho.convert_lead(ann.sync_state.zoho_id)

    _form_sync(workspace, ann)

    state = plezi(workspace, "ann@plezi.test").sync_state
    assert (state.zoho_module, state.zoho_id) == ("Contacts", contact_id)
    assert sync(workspace).pushed == 0


def test_a_field_the_conversion_did_not_copy_does_not_erase_plezi(zoho, workspace):
    # On Contacts, Plezi's company is a custom field: Zoho's conversion copies Company
    # to the Account, and custom fields only where an admin mapped them.
    zoho.add_field("Contacts", "Company_Name", "Company name", "text", length=255)
    connect(zoho, workspace)
    row = {"plezi_key": "company", "zoho_field": "Company_Name", "from_zoho": True}
    report = mapping_save(workspace=workspace, module="Contacts", rows=[row])
    assert not report.errors, report.errors
    ann = _linked_then_edited(zoho, workspace, company="Acme")
    contact_id = zoho.convert_lead(ann.sync_state.zoho_id)

    sync(workspace)

    ann = plezi(workspace, "ann@plezi.test")
    assert (ann.sync_state.zoho_id, ann.company, ann.last_name) == (
        contact_id,
        "Acme",
        "Ames-Edited",
    )


def test_a_copied_field_sales_cleared_on_the_contact_is_cleared_in_plezi(
    connected, zoho, workspace
):
    """Zoho's conversion copies City to Mailing_City: blank there, sales cleared it."""
    add_contacts(workspace, {"email": "ann@plezi.test", "last_name": "Ames", "city": "Paris"})
    sync(workspace)
    contact_id = zoho.convert_lead(plezi(workspace, "ann@plezi.test").sync_state.zoho_id)
    zoho.advance_clock(60)
    zoho.update_record("Contacts", contact_id, {"Mailing_City": None})

    sync(workspace)

    ann = plezi(workspace, "ann@plezi.test")
    assert (ann.sync_state.zoho_id, ann.city) == (contact_id, "")


def test_a_plezi_edit_after_sales_cleared_the_contact_field_wins(connected, zoho, workspace):
    """Sales clear a copied field on the Contact, then the marketer edits it in Plezi: the
    marketer's is the more recent change, whatever the conversion carried."""
    add_contacts(workspace, {"email": "ann@plezi.test", "last_name": "Ames", "first_name": "A"})
    sync(workspace)
    contact_id = zoho.convert_lead(plezi(workspace, "ann@plezi.test").sync_state.zoho_id)
    zoho.update_record("Contacts", contact_id, {"First_Name": None})
    time.sleep(1.1)  # Zoho dates to the second: the marketer's edit lands after the clear
    contact_update(contact=plezi(workspace, "ann@plezi.test"), values={"first_name": "Anna"})

    sync(workspace)
    sync(workspace)

    ann = plezi(workspace, "ann@plezi.test")
    assert (ann.sync_state.zoho_module, ann.first_name) == ("Contacts", "Anna")
