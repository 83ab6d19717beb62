"""The soak's "edits lost" check judges by the ledger (what was written), not by the product."""

import time

from contacts.models import Contact
from contacts.services import contact_update
from soak.edits import could_end_with
from soak.ledger import PLEZI, ZOHO, Ledger, Write
from soak.verify import Zoho, check
from soak.world import Tenant
from tests.sync.conftest import add_contacts, sync


def _findings(zoho, workspace, ledger):
    tenant = Tenant(workspace.slug, workspace.pk, "", "", "")
    return check([tenant], ledger, Zoho(zoho.records("Leads"), zoho.records("Contacts")))


def _verdicts(lost: list[str]) -> list[str]:
    return [line.split(": ", 1)[1].split(";")[0] for line in lost]


def test_a_plezi_edit_overwritten_by_an_older_value_is_reported(connected, zoho, workspace):
    add_contacts(workspace, {"email": "ann@soak.test", "last_name": "Old"})
    sync(workspace)
    ledger = Ledger(seed=1)
    ledger.plezi_wrote(workspace.slug, "ann@soak.test", {"last_name": "New"}, origin=PLEZI)

    lost = _findings(zoho, workspace, ledger).lost_edits

    assert _verdicts(lost) == [
        "Plezi holds 'Old', but the writes that could be last were 'New'",
        "Zoho holds 'Old', but the writes that could be last were 'New'",
    ]
    ann = Contact.objects.for_workspace(workspace).get(email="ann@soak.test")
    ann.last_name = "New"
    ann.save()  # the edit as Plezi makes it, still to be pushed
    lost = _findings(zoho, workspace, ledger).lost_edits
    assert [line.split(": ", 1)[0] for line in lost] == [
        f"{workspace.slug} ann@soak.test last_name"
    ]
    assert _verdicts(lost) == ["Zoho holds 'Old', but the writes that could be last were 'New'"]
    sync(workspace)
    assert _findings(zoho, workspace, ledger).lost_edits == []


# ---- the rule itself, on recorded histories -------------------------------------------------
def _p(value, start, end=None):
    return Write(PLEZI, value, start, end if end is not None else start + 0.1)


def _z(value, start, end=None):
    return Write(ZOHO, value, start, end if end is not None else start + 0.1)


def test_a_newer_plezi_edit_is_the_only_value_allowed():
    """A rep's older value that overwrote a newer Plezi edit is caught (the leniency of
    accepting either side's last write whatever its timing)."""
    assert could_end_with([_z("Rep", 10.2), _p("Visitor", 15.5)], []) == {"Visitor"}


def test_writes_whose_requests_overlapped_may_end_in_either_order():
    assert could_end_with([_p("P", 10.0, 12.0), _z("Z", 11.5, 13.0)], []) == {"P", "Z"}


def test_a_conflict_won_by_the_older_change_is_caught():
    history = [_p("Plezi old", 10.5), _z("Zoho new", 20.5)]
    assert could_end_with(history, [20.6]) == {"Zoho new"}


def test_zoho_dates_to_the_second_and_to_the_record():
    # Zoho's write in the same second as Plezi's later one: Zoho's date is the second's start.
    assert could_end_with([_p("P", 10.5), _z("Z", 10.7)], []) == {"P", "Z"}
    # A rep's later edit of another field makes the record's values that recent.
    assert could_end_with([_z("Z", 1.0), _p("P", 5.0)], [1.1, 9.0]) == {"P", "Z"}
    # Not once a later rep write of the same field replaced it.
    history = [_z("Z1", 1.0), _p("P", 5.0), _z("Z2", 6.0)]
    assert could_end_with(history, [1.1, 6.1, 9.0]) == {"Z2"}


def test_a_clear_is_a_write_like_any_other():
    assert could_end_with([_z("City 1", 1.0), _p(None, 5.0)], [1.1]) == {None}


def test_an_opt_out_anywhere_stays():
    assert could_end_with([_z(True, 1.0), _p(None, 5.0)], [], key="email_opt_out") == {True}


def test_lost_edits_are_judged_by_the_rule_through_the_product(connected, zoho, workspace):
    """Recorded history: the rep edits the lead, then the visitor answers later; Plezi and
    Zoho holding the rep's older value is a lost edit on both sides."""
    add_contacts(workspace, {"email": "bo@soak.test", "last_name": "Start", "city": "Lyon"})
    sync(workspace)
    ledger = Ledger(seed=1)
    now = time.time()
    ledger.zoho_wrote(workspace.slug, "bo@soak.test", {"City": "Rep city"}, started=now - 5)
    ledger.plezi_wrote(workspace.slug, "bo@soak.test", {"city": "Visitor city"}, origin=PLEZI)
    [lead_row] = zoho.records("Leads")
    zoho.update_record("Leads", lead_row["id"], {"City": "Rep city"})
    sync(workspace)  # Plezi takes the rep's value: the visitor's answer never reached Plezi

    lost = _findings(zoho, workspace, ledger).lost_edits

    assert _verdicts(lost) == [
        "Plezi holds 'Rep city', but the writes that could be last were 'Visitor city'",
        "Zoho holds 'Rep city', but the writes that could be last were 'Visitor city'",
    ]


def test_a_rep_edit_overwritten_from_an_earlier_read_is_counted_apart(connected, zoho, workspace):
    """Zoho has no conditional update: a push made from a read older than the rep's edit can
    only overwrite it. The sandbox's read and write logs tell that case from a lost edit."""
    add_contacts(workspace, {"email": "cy@soak.test", "last_name": "Cy", "city": "Old"})
    sync(workspace)
    lead_id = Contact.objects.get(email="cy@soak.test").sync_state.zoho_id
    ledger = Ledger(seed=1)
    rep = _z("Rep", 200.2)
    ledger.writes[(workspace.slug, "cy@soak.test", "city")] = [_p("Old", 100.0), rep]
    ledger.touched[(workspace.slug, "cy@soak.test")] = [rep.end]
    push = {"by": "api", "module": "Leads", "op": "update", "id": lead_id, "fields": ["City"]}
    push["agent"] = "plezi-zoho-sync/1.0 (run 7)"
    tenant = Tenant(workspace.slug, workspace.pk, "", "", "")

    def findings(read_at, agent=push["agent"]):
        reads = [{"module": "Leads", "ids": [lead_id], "at": read_at, "agent": agent}]
        writes = [{**push, "at": rep.end + 1}]
        records = Zoho(zoho.records("Leads"), zoho.records("Contacts"), writes, reads)
        return check([tenant], ledger, records)

    unseen = findings(read_at=rep.start - 1)  # read before the rep's edit: could not see it
    assert (unseen.lost_edits, len(unseen.overwritten_unseen)) == ([], 2)
    seen = findings(read_at=rep.end + 0.5)  # read after it, then overwrote it: a lost edit
    assert (len(seen.lost_edits), seen.overwritten_unseen) == (2, [])
    # Another run's read after the rep's edit (a page read ahead) is not the writer's.
    elsewhere = findings(read_at=rep.end + 0.5, agent="plezi-zoho-sync/1.0 (run 8)")
    assert (elsewhere.lost_edits, len(elsewhere.overwritten_unseen)) == ([], 2)


def test_a_rep_write_that_changed_nothing_is_no_change(connected, zoho, workspace):
    """A rep clearing a field Zoho already had blank: Zoho shows no change (the sandbox's
    write log says which fields a write changed), so no sync can see one."""
    add_contacts(workspace, {"email": "di@soak.test", "last_name": "Di"})
    sync(workspace)
    ledger = Ledger(seed=1)
    rep = _z(None, 200.2)
    ledger.writes[(workspace.slug, "di@soak.test", "phone")] = [_p("01 23", 100.0), rep]
    contact = Contact.objects.get(email="di@soak.test")
    contact_update(contact=contact, values={"phone": "01 23"})
    sync(workspace)  # Plezi's phone in Zoho
    tenant = Tenant(workspace.slug, workspace.pk, "", "", "")

    def findings(changed):
        logged = {"by": "rep", "op": "update", "email": "di@soak.test", "at": rep.start}
        writes = [{**logged, "id": "1", "module": "Leads", "fields": ["Phone"], "changed": changed}]
        return check([tenant], ledger, Zoho(zoho.records("Leads"), [], writes, []))

    assert findings(changed=[]).lost_edits == []
    assert len(findings(changed=["Phone"]).lost_edits) == 2
