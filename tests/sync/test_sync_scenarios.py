"""The sync end to end against the live sandbox: every rule of the seed as a scenario."""

import time
from datetime import UTC

import pytest
from django.utils.dateparse import parse_datetime

from contacts.models import Contact
from contacts.services import contact_update
from integration.models import SyncIssue, SyncRun, SyncState
from tests.sync.conftest import add_contacts, by_email, lead, sync


def plezi(workspace, email):
    return Contact.objects.for_workspace(workspace).get(email=email)


def test_first_sync_brings_leads_and_contacts_in_and_sends_plezi_contacts_out(
    connected, zoho, workspace
):
    zoho.create_records("Leads", [lead("ann@zoho.test", "Ames", First_Name="Ann", Company="Z")])
    zoho.create_records("Contacts", [{"Email": "carl@zoho.test", "Last_Name": "Cole"}])
    add_contacts(workspace, {"email": "paul@plezi.test", "first_name": "Paul", "last_name": "Pim"})

    run = sync(workspace)

    assert run.status == SyncRun.Status.SUCCESS, run.error
    assert (run.pulled, run.created_plezi, run.created_zoho, run.failed) == (2, 2, 1, 0)
    ann = plezi(workspace, "ann@zoho.test")
    assert (ann.first_name, ann.last_name, ann.company) == ("Ann", "Ames", "Z")
    assert plezi(workspace, "carl@zoho.test").sync_state.zoho_module == "Contacts"
    paul = by_email(zoho.records("Leads"))["paul@plezi.test"]
    assert (paul["First_Name"], paul["Last_Name"]) == ("Paul", "Pim")
    assert paul["plezi_url"] == plezi(workspace, "paul@plezi.test").plezi_url
    assert paul["score"] == "0" and paul["status"] == "Unknown"


def test_a_second_sync_with_nothing_changed_moves_nothing_in_three_calls(
    connected, zoho, workspace, django_assert_max_num_queries
):
    zoho.create_records("Leads", [lead("ann@zoho.test")])
    add_contacts(workspace, {"email": "paul@plezi.test", "last_name": "Pim"})
    sync(workspace)
    zoho.reset_stats()

    with django_assert_max_num_queries(30):
        run = sync(workspace)

    assert (run.created_plezi, run.updated_plezi, run.pushed) == (0, 0, 0)
    assert zoho.stats()["total_calls"] <= 3
    assert run.api_calls <= 3


def test_incremental_edits_on_each_side_both_move(connected, zoho, workspace):
    [lead_id] = zoho.create_records("Leads", [lead("ann@zoho.test", Company="Old")])
    add_contacts(workspace, {"email": "paul@plezi.test", "last_name": "Pim", "city": "Paris"})
    sync(workspace)
    zoho.advance_clock(60)
    zoho.update_record("Leads", lead_id, {"Company": "New Co"})
    paul = plezi(workspace, "paul@plezi.test")
    paul.city = "Lyon"
    paul.save()

    run = sync(workspace)

    assert (run.updated_plezi, run.updated_zoho) == (1, 1)
    assert plezi(workspace, "ann@zoho.test").company == "New Co"
    assert by_email(zoho.records("Leads"))["paul@plezi.test"]["City"] == "Lyon"
    again = sync(workspace)
    assert (again.updated_plezi, again.pushed, again.conflicts) == (0, 0, 0)


def test_the_filter_keeps_only_records_in_scope_and_new_leads_carry_it(zoho, workspace):
    from tests.sync.conftest import connect

    connect(zoho, workspace, filter_field="crm_to_plezi", filter_value="yes")
    zoho.create_records(
        "Leads",
        [lead("in@zoho.test", crm_to_plezi="yes"), lead("out@zoho.test", crm_to_plezi="no")],
    )
    add_contacts(workspace, {"email": "new@plezi.test", "last_name": "New"})

    sync(workspace)

    emails = set(Contact.objects.for_workspace(workspace).values_list("email", flat=True))
    assert "in@zoho.test" in emails and "out@zoho.test" not in emails
    assert by_email(zoho.records("Leads"))["new@plezi.test"]["crm_to_plezi"] == "yes"


def test_records_without_email_are_skipped_with_an_issue(connected, zoho, workspace):
    zoho.create_records("Leads", [{"Last_Name": "Nomail"}])

    run = sync(workspace)

    issue = run.issues.get()
    assert (issue.kind, issue.code, run.skipped) == (SyncIssue.Kind.SKIPPED, "NO_EMAIL", 1)
    assert "has no valid email address" in issue.message


def test_zoho_contacts_are_never_written(connected, zoho, workspace):
    [contact_id] = zoho.create_records("Contacts", [{"Email": "c@zoho.test", "Last_Name": "C"}])
    sync(workspace)
    carl = plezi(workspace, "c@zoho.test")
    carl.company = "Changed in Plezi"
    carl.save()
    zoho.reset_stats()

    run = sync(workspace)

    assert run.pushed == 0
    assert not any(k.startswith(("POST", "PUT")) for k in zoho.stats()["calls"])
    assert by_email(zoho.records("Contacts"))["c@zoho.test"].get("Company") is None


def test_a_converted_lead_becomes_a_zoho_contact_and_stops_being_pushed(connected, zoho, workspace):
    [lead_id] = zoho.create_records("Leads", [lead("ann@zoho.test")])
    sync(workspace)
    zoho.advance_clock(60)
    contact_id = zoho.convert_lead(lead_id)

    sync(workspace)

    state = plezi(workspace, "ann@zoho.test").sync_state
    assert (state.zoho_module, state.zoho_id) == ("Contacts", contact_id)
    ann = plezi(workspace, "ann@zoho.test")
    ann.company = "After conversion"
    ann.save()
    assert sync(workspace).pushed == 0
    assert len([r for r in zoho.records("Leads") if r["Email"] == "ann@zoho.test"]) == 1


def test_a_lead_deleted_in_zoho_is_unlinked_and_not_recreated_until_edited(
    connected, zoho, workspace
):
    add_contacts(workspace, {"email": "paul@plezi.test", "last_name": "Pim"})
    sync(workspace)
    [paul_lead] = zoho.records("Leads")
    zoho.advance_clock(60)
    zoho.delete_record("Leads", paul_lead["id"])

    sync(workspace)

    state = plezi(workspace, "paul@plezi.test").sync_state
    assert (state.zoho_id, state.unlinked_by_deletion) == ("", True)
    assert sync(workspace).created_zoho == 0
    paul = plezi(workspace, "paul@plezi.test")
    paul.city = "Nice"
    paul.save()
    assert sync(workspace).created_zoho == 1


def test_when_zoho_cannot_list_deleted_leads_the_run_fails_and_keeps_what_it_pulled(
    connected, zoho, workspace
):
    zoho.create_records("Leads", [lead("ann@zoho.test", "Ames")])
    add_contacts(workspace, {"email": "paul@plezi.test", "last_name": "Pim"})
    # Asked for while the listings' first pages are on their way; failing as it did after them.
    zoho.add_fault(path="Leads/deleted", method="GET", status=400, times=10)

    run = sync(workspace)

    assert run.status == SyncRun.Status.FAILED
    assert run.pulled == 1 and plezi(workspace, "ann@zoho.test").last_name == "Ames"
    assert run.pushed == 0  # the push comes after, as it did


def test_two_zoho_leads_with_one_email_are_reported_and_one_is_followed(connected, zoho, workspace):
    first, second = zoho.create_records(
        "Leads", [lead("dup@zoho.test", Company="First")]
    ) + zoho.create_records("Leads", [lead("dup@zoho.test", Company="Second")])

    run = sync(workspace)

    dup = plezi(workspace, "dup@zoho.test")
    assert dup.sync_state.zoho_id in (first, second)
    issue = run.issues.get(kind=SyncIssue.Kind.DUPLICATE)
    assert issue.contact == dup and "Several Zoho records have the email" in issue.message


def test_one_value_zoho_would_refuse_fails_only_that_field_in_a_batch_of_100(
    connected, zoho, workspace
):
    rows = [{"email": f"p{i}@plezi.test", "last_name": f"P{i}"} for i in range(100)]
    rows[7]["first_name"] = "N" * 60  # Zoho's First_Name takes 40 characters
    add_contacts(workspace, *rows)

    run = sync(workspace)

    assert run.created_zoho == 100 and run.failed == 1
    issue = run.issues.get(kind=SyncIssue.Kind.ERROR)
    assert (issue.email, issue.field) == ("p7@plezi.test", "first_name")
    assert "takes at most 40" in issue.message
    sent = by_email(zoho.records("Leads"))["p7@plezi.test"]
    assert sent["Last_Name"] == "P7" and sent["First_Name"] is None


def test_an_unknown_picklist_value_from_zoho_is_reported_and_leaves_the_field(zoho, workspace):
    from contacts.services import field_create
    from tests.sync.conftest import connect

    zoho.add_field("Leads", "Segment", "Segment", "picklist", pick_list_values=["Gold", "Silver"])
    field_create(
        workspace=workspace,
        key="segment",
        label="Segment",
        type="choice",
        choices=["Gold", "Silver"],
    )
    connect(zoho, workspace)
    zoho.create_records("Leads", [lead("ann@zoho.test", Company="Acme", Segment="Bronze")])

    run = sync(workspace)

    ann = plezi(workspace, "ann@zoho.test")
    assert ann.company == "Acme" and "segment" not in ann.custom
    issue = run.issues.get(kind=SyncIssue.Kind.ERROR)
    assert (issue.code, issue.field) == ("UNKNOWN_VALUE", "segment")
    assert "“Bronze” is not one of the choices" in issue.message


def test_a_conflict_is_won_by_the_most_recent_change_and_recorded(connected, zoho, workspace):
    add_contacts(workspace, {"email": "paul@plezi.test", "last_name": "Pim", "company": "Base"})
    sync(workspace)
    [paul_lead] = zoho.records("Leads")
    paul = plezi(workspace, "paul@plezi.test")
    paul.company = "Plezi edit"
    paul.save()
    zoho.advance_clock(3600)  # the rep edits later than the marketer
    zoho.update_record("Leads", paul_lead["id"], {"Company": "Zoho edit"})

    run = sync(workspace)

    assert plezi(workspace, "paul@plezi.test").company == "Zoho edit"
    conflict = run.issues.get(kind=SyncIssue.Kind.CONFLICT)
    assert conflict.field == "company" and "Plezi edit" in conflict.message


def test_the_most_recent_change_is_judged_field_by_field(connected, zoho, workspace):
    """Plezi's city at t0, Zoho's city at t1, Plezi's company at t2: Zoho's city is the
    more recent city, however recent Plezi's record is."""
    add_contacts(workspace, {"email": "paul@plezi.test", "last_name": "Pim", "city": "Lyon"})
    sync(workspace)
    [paul_lead] = zoho.records("Leads")
    contact_update(contact=plezi(workspace, "paul@plezi.test"), values={"city": "Plezi city"})
    time.sleep(1)  # Zoho dates records to the second: its edit lands after Plezi's
    zoho.update_record("Leads", paul_lead["id"], {"City": "Zoho city"})
    [edited] = zoho.records("Leads")
    contact_update(contact=plezi(workspace, "paul@plezi.test"), values={"company": "Later"})

    run = sync(workspace)

    paul = plezi(workspace, "paul@plezi.test")
    [lead_now] = zoho.records("Leads")
    assert (paul.city, paul.company) == ("Zoho city", "Later")
    assert (lead_now["City"], lead_now["Company"]) == ("Zoho city", "Later")
    conflict = run.issues.get(kind=SyncIssue.Kind.CONFLICT)
    assert conflict.field == "city" and "(zoho)" in conflict.message
    plezi_at = paul.changed_at("city").astimezone(UTC)
    zoho_at = parse_datetime(edited["Modified_Time"]).astimezone(UTC)
    assert f"“Plezi city” ({plezi_at:%Y-%m-%d %H:%M:%S} UTC)" in conflict.message
    assert f"“Zoho city” ({zoho_at:%Y-%m-%d %H:%M:%S} UTC)" in conflict.message


def test_clearing_a_field_in_zoho_clears_it_in_plezi(connected, zoho, workspace):
    add_contacts(workspace, {"email": "paul@plezi.test", "last_name": "Pim", "company": "Acme"})
    sync(workspace)
    [paul_lead] = zoho.records("Leads")
    zoho.advance_clock(60)
    zoho.update_record("Leads", paul_lead["id"], {"Company": None})

    sync(workspace)

    assert plezi(workspace, "paul@plezi.test").company == ""


def test_opt_out_travels_both_ways_and_is_logged(connected, zoho, workspace):
    [lead_id] = zoho.create_records("Leads", [lead("ann@zoho.test")])
    add_contacts(workspace, {"email": "paul@plezi.test", "last_name": "Pim"})
    sync(workspace)
    zoho.advance_clock(60)
    zoho.update_record("Leads", lead_id, {"Email_Opt_Out": True})
    paul = plezi(workspace, "paul@plezi.test")
    paul.email_opt_out = True
    paul.save()

    run = sync(workspace)

    assert plezi(workspace, "ann@zoho.test").email_opt_out is True
    assert by_email(zoho.records("Leads"))["paul@plezi.test"]["Email_Opt_Out"] is True
    assert run.issues.filter(kind=SyncIssue.Kind.CONSENT).count() == 2


def test_a_contact_without_last_name_is_not_sent_and_says_why(connected, zoho, workspace):
    add_contacts(workspace, {"email": "anon@plezi.test"})

    run = sync(workspace)

    assert run.created_zoho == 0 and zoho.records("Leads") == []
    issue = run.issues.get()
    assert issue.code == "MANDATORY_NOT_FOUND" and "Add the contact's last name" in issue.message


def test_running_out_of_credits_stops_the_run_cleanly(connected, zoho, workspace):
    add_contacts(workspace, *[{"email": f"p{i}@plezi.test", "last_name": "P"} for i in range(250)])
    zoho.set_limits(credits_per_day=zoho.stats()["credits_used"] + 4)

    run = sync(workspace)

    assert run.status == SyncRun.Status.PARTIAL
    assert "daily API credits ran out" in run.error
    zoho.set_limits(credits_per_day=100000)
    finished = sync(workspace)
    assert finished.status == SyncRun.Status.SUCCESS
    assert len(zoho.records("Leads")) == 250


def test_an_access_token_expiring_mid_run_is_refreshed(connected, zoho, workspace):
    add_contacts(workspace, *[{"email": f"p{i}@plezi.test", "last_name": "P"} for i in range(150)])
    zoho.add_fault(path="/crm/v8/Leads/upsert", method="POST", times=1, kind="expire_token")

    run = sync(workspace)

    assert run.status == SyncRun.Status.SUCCESS and run.created_zoho == 150


def test_429_and_500_storms_are_survived(connected, zoho, workspace):
    zoho.create_records("Leads", [lead(f"z{i}@zoho.test") for i in range(30)])
    add_contacts(workspace, *[{"email": f"p{i}@plezi.test", "last_name": "P"} for i in range(30)])
    zoho.add_fault(path="/crm/v8/", method="*", times=2, kind="error", status=429)
    zoho.add_fault(path="/crm/v8/", method="*", times=2, kind="error", status=500)

    run = sync(workspace)

    assert run.status == SyncRun.Status.SUCCESS
    assert (run.created_plezi, run.created_zoho) == (30, 30)


def test_a_crash_between_push_and_record_is_repaired_without_duplicates(
    connected, zoho, workspace, monkeypatch
):
    from integration.sync import push

    add_contacts(workspace, {"email": "paul@plezi.test", "last_name": "Pim"})

    def crash(states):
        raise RuntimeError("worker killed after Zoho accepted the batch")

    monkeypatch.setattr(push, "states_save", crash)
    failed = sync(workspace)
    assert failed.status == SyncRun.Status.FAILED
    monkeypatch.undo()

    repaired = sync(workspace)

    assert repaired.status == SyncRun.Status.SUCCESS
    assert [r["Email"] for r in zoho.records("Leads")] == ["paul@plezi.test"]
    assert SyncState.objects.get(contact__email="paul@plezi.test").zoho_id


def test_dry_run_shows_changes_and_writes_nothing(connected, zoho, workspace):
    zoho.create_records("Leads", [lead("ann@zoho.test")])
    add_contacts(workspace, {"email": "paul@plezi.test", "last_name": "Pim"})

    run = sync(workspace, dry_run=True)

    assert {(c["side"], c["action"], c["email"]) for c in run.preview} == {
        ("Plezi", "create", "ann@zoho.test"),
        ("Zoho", "create", "paul@plezi.test"),
    }
    assert not Contact.objects.filter(email="ann@zoho.test").exists()
    assert [r["Email"] for r in zoho.records("Leads")] == ["ann@zoho.test"]


def test_a_lead_born_in_zoho_gets_its_plezi_url_on_the_first_run(connected, zoho, workspace):
    zoho.create_records("Leads", [lead("ann@zoho.test")])

    sync(workspace)

    ann = plezi(workspace, "ann@zoho.test")
    assert by_email(zoho.records("Leads"))["ann@zoho.test"]["plezi_url"] == ann.plezi_url
    assert sync(workspace).pushed == 0


def test_the_first_run_clears_the_configuration_banner(connected, zoho, workspace):
    workspace.refresh_from_db()
    assert workspace.needs_resync

    sync(workspace)

    workspace.refresh_from_db()
    assert not workspace.needs_resync


def test_more_than_50_mapped_fields_sync_both_ways(zoho, workspace):
    from contacts.services import field_create
    from tests.sync.conftest import connect

    extras = [f"extra_{n:02}" for n in range(55)]  # with the standard ones, far past 50
    for key in extras:
        zoho.add_field("Leads", key.capitalize(), key.capitalize(), "text", length=255)
        field_create(workspace=workspace, key=key, label=key.capitalize(), type="text")
    connect(zoho, workspace)
    values = {key.capitalize(): f"{key} from Zoho" for key in extras}
    zoho.create_records("Leads", [lead("ann@zoho.test", **values)])

    run = sync(workspace)

    assert run.status == SyncRun.Status.SUCCESS, run.error
    ann = plezi(workspace, "ann@zoho.test")
    assert all(ann.custom[key] == f"{key} from Zoho" for key in extras)
    ann.custom = {**ann.custom, "extra_54": "edited in Plezi"}
    ann.save()

    assert sync(workspace).status == SyncRun.Status.SUCCESS
    assert by_email(zoho.records("Leads"))["ann@zoho.test"]["Extra_54"] == "edited in Plezi"


def test_a_record_dated_in_the_future_is_synced_reported_and_never_poisons_the_watermark(
    connected, zoho, workspace
):
    from integration.models import SyncWatermark

    years = 70 * 365 * 86400
    zoho.advance_clock(years)  # an import with a broken clock dates a lead in 2096
    zoho.create_records("Leads", [lead("future@zoho.test", Company="Later")])
    zoho.advance_clock(-years)
    zoho.create_records("Leads", [lead("now@zoho.test", Company="Now")])

    run = sync(workspace)

    assert plezi(workspace, "future@zoho.test").company == "Later"
    [notice] = run.issues.filter(kind=SyncIssue.Kind.NOTICE)
    assert (notice.code, notice.email) == ("FUTURE_DATE", "future@zoho.test")
    assert "later than Zoho's own clock" in notice.message
    mark = SyncWatermark.objects.for_workspace(workspace).get(module="Leads").modified_since
    assert mark.year < 2090
    zoho.advance_clock(60)
    [now_lead] = [r for r in zoho.records("Leads") if r["Email"] == "now@zoho.test"]
    zoho.update_record("Leads", now_lead["id"], {"Company": "Edited in Zoho"})

    sync(workspace)

    assert plezi(workspace, "now@zoho.test").company == "Edited in Zoho"


def test_a_lead_sales_move_out_of_the_filter_gets_no_push_until_it_is_back(zoho, workspace):
    from tests.sync.conftest import connect

    connect(zoho, workspace, filter_field="crm_to_plezi", filter_value="yes")
    [lead_id] = zoho.create_records("Leads", [lead("ann@zoho.test", crm_to_plezi="yes")])
    sync(workspace)
    zoho.advance_clock(60)
    zoho.update_record("Leads", lead_id, {"crm_to_plezi": "no"})
    ann = plezi(workspace, "ann@zoho.test")
    ann.company = "Plezi edit"
    ann.save()

    run = sync(workspace)

    [notice] = run.issues.filter(code="LEFT_FILTER")
    assert notice.email == "ann@zoho.test" and "left this workspace's filter" in notice.message
    after = zoho.records("Leads")[0]
    assert after["Modified_By"]["name"] == "Sam Sales" and after["Company"] is None  # untouched
    assert plezi(workspace, "ann@zoho.test").company == "Plezi edit"  # kept
    assert not sync(workspace).issues.filter(code="LEFT_FILTER").exists()  # said once
    zoho.advance_clock(60)
    zoho.update_record("Leads", lead_id, {"crm_to_plezi": "yes"})

    sync(workspace)

    assert zoho.records("Leads")[0]["Company"] == "Plezi edit"


@pytest.mark.parametrize("failing", ["Contacts", "Leads"])
def test_a_module_zoho_cannot_list_does_not_stop_the_other(connected, zoho, workspace, failing):
    other = "Leads" if failing == "Contacts" else "Contacts"
    zoho.create_records(other, [lead(f"in-{other.lower()}@zoho.test")])
    add_contacts(workspace, {"email": "p@plezi.test", "last_name": "P"})
    body = {"code": "INVALID_DATA", "details": {}, "message": "broken", "status": "error"}
    zoho.add_fault(path=f"^/crm/v8/{failing}$", method="GET", status=400, body=body, times=99)

    run = sync(workspace)

    assert run.status == SyncRun.Status.PARTIAL
    assert f"Zoho {failing} could not be read" in run.error and "the next run reads" in run.error
    assert plezi(workspace, f"in-{other.lower()}@zoho.test") is not None  # the other was read
    pushed = "p@plezi.test" in by_email(zoho.records("Leads"))
    assert pushed == (failing == "Contacts")  # pushes wait only for the Leads pull
    zoho.clear_faults()
    assert sync(workspace).status == SyncRun.Status.SUCCESS
    assert "p@plezi.test" in by_email(zoho.records("Leads"))


def test_a_run_names_its_zoho_calls(connected, zoho, workspace):
    """The User-Agent carries the run's id: Zoho's logs (and the soak's checks) tell runs
    apart."""
    add_contacts(workspace, {"email": "paul@plezi.test", "last_name": "Pim"})

    run = sync(workspace)

    [write] = [w for w in zoho.writes() if w["email"] == "paul@plezi.test"]
    assert write["agent"] == f"plezi-zoho-sync/1.0 (run {run.pk})"
