"""The scenarios real Zoho produces, driven through the management commands as an operator
would: `zoho_connect`, `import_contacts` for Plezi-side edits, then `sync`.

Each is judged by an independent record, what Zoho holds and was asked (the sandbox's
records and call stats), never by the product's own counters alone.
"""

import io

from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from contacts.models import Contact
from integration import clients
from integration.models import SyncRun
from integration.sync.runner import sync_run
from tests.helpers.zoho import form_data
from tests.sync.conftest import by_email, lead


def zoho_connect(zoho, **filter_options) -> None:
    """The admin pastes the self client's id, secret and a fresh code (the seed's scopes)."""
    data = form_data(zoho)
    args = ["acme"]
    for key in ("client_id", "client_secret", "code", "domain", "org", "crm_url"):
        args += [f"--{key.replace('_', '-')}", data[key]]
    for key, value in filter_options.items():
        args += [f"--{key.replace('_', '-')}", value]
    call_command("zoho_connect", *args, stdout=io.StringIO())
    zoho.reset_stats()


def sync_command(workspace) -> tuple[SyncRun, str]:
    """`manage.py sync acme`: the run it recorded and what it printed."""
    out = io.StringIO()
    call_command("sync", "acme", stdout=out, stderr=io.StringIO())
    return SyncRun.objects.for_workspace(workspace).first(), out.getvalue()


def import_contacts(tmp_path, csv: str) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(csv, encoding="utf-8")
    call_command("import_contacts", "acme", str(path), stdout=io.StringIO())


def writes(calls: dict) -> dict:
    return {k: n for k, n in calls.items() if k.startswith(("POST /crm", "PUT /crm"))}


def test_2600_leads_of_one_mass_import_second_all_come_in_with_one_run(zoho, workspace):
    zoho_connect(zoho)
    zoho.seed("Leads", 2600, seed=4)  # seeded as one import: one Modified_Time for all
    leads = zoho.records("Leads")
    assert len({r["Modified_Time"] for r in leads}) == 1

    run, out = sync_command(workspace)

    assert run.status == SyncRun.Status.SUCCESS, run.error
    emails = list(Contact.objects.for_workspace(workspace).values_list("email", flat=True))
    assert len(emails) == len(set(emails)) == 2600
    assert set(emails) == {r["Email"] for r in leads}
    # The physical bound: ceil(2600/200) = 13 listing pages (page tokens past 2,000), one
    # empty Contacts listing, one look at deleted leads, and the link back to Plezi
    # (plezi_url) on each of the 2,600 leads born in Zoho, 100 a call: 26 updates by id.
    assert zoho.stats()["calls"] == {
        "GET /crm/v8/Leads": 13,
        "GET /crm/v8/Contacts": 1,
        "GET /crm/v8/Leads/deleted": 1,
        "PUT /crm/v8/Leads": 26,
    }
    assert run.api_calls == 41 and "status=success" in out
    assert run.credits == zoho.stats()["credits_used"] == 15 + 26 * 10  # reads 1, writes 10
    after = zoho.records("Leads")
    assert len(after) == 2600 and all(r["plezi_url"] for r in after)  # no lead created twice


def test_a_lead_converted_outside_the_filter_is_never_written_and_the_marketer_sees_why(
    zoho, workspace, owner_client, tmp_path
):
    # A Leads-only field: the conversion has nowhere to copy it, as an unmapped custom
    # field in real Zoho (zoho-crm-api.md §10), so the new Contact falls outside the filter.
    zoho.add_field("Leads", "plezi_scope", "plezi_scope", "text", length=255)
    zoho_connect(zoho, filter_field="plezi_scope", filter_value="yes")
    [lead_id] = zoho.create_records("Leads", [lead("ann@zoho.test", "Ames", plezi_scope="yes")])
    assert sync_command(workspace)[0].status == SyncRun.Status.SUCCESS
    zoho.advance_clock(60)
    contact_id = zoho.convert_lead(lead_id)
    assert "plezi_scope" not in by_email(zoho.records("Contacts"))["ann@zoho.test"]
    zoho_before = _modified(zoho, lead_id, contact_id)
    zoho.advance_clock(60)
    import_contacts(tmp_path, "email,city\nann@zoho.test,Lyon\n")
    zoho.reset_stats()

    converted, _ = sync_command(workspace)

    assert converted.status == SyncRun.Status.SUCCESS, converted.error
    calls = zoho.stats()["calls"]
    # Zoho lists no converted lead: the product learns of the conversion from Zoho's refusal
    # of the one update it sends, which writes nothing. Nothing is sent to Contacts.
    assert writes(calls) == {"PUT /crm/v8/Leads": 1}
    issue = converted.issues.get()
    assert (issue.code, issue.email) == ("CONVERTED", "ann@zoho.test")
    assert "Sales converted this lead into a Zoho Contact" in issue.message
    assert f"Zoho Contact {contact_id}" in issue.message and "(city)" in issue.message
    page = owner_client.get(reverse("sync:run", args=["acme", converted.pk]))
    assert escape(issue.message) in page.content.decode()
    ann = Contact.objects.for_workspace(workspace).get(email="ann@zoho.test")
    assert (ann.city, ann.sync_state.zoho_module) == ("Lyon", "Contacts")
    zoho.reset_stats()

    clean, _ = sync_command(workspace)

    assert clean.status == SyncRun.Status.SUCCESS and not clean.issues.exists()
    assert writes(zoho.stats()["calls"]) == {} and clean.pushed == 0
    assert _modified(zoho, lead_id, contact_id) == zoho_before


def _modified(zoho, lead_id, contact_id) -> dict:
    """When and by whom Zoho last wrote the lead and its Contact."""
    lead_record = {r["id"]: r for r in zoho.records("Leads")}[lead_id]
    contact = {r["id"]: r for r in zoho.records("Contacts")}[contact_id]
    return {
        name: (record["Modified_Time"], record["Modified_By"]["name"])
        for name, record in (("lead", lead_record), ("contact", contact))
    }


def test_an_expired_token_whose_refresh_zoho_throttles_with_200_is_waited_for(zoho, workspace):
    # Zoho's limits scaled down (10 access tokens a refresh token in 10 minutes, an hour
    # each): one token in 10 minutes, five minutes each, so a token can die while the
    # window still holds the code exchange's token.
    limits = zoho.set_limits(
        access_token_ttl_seconds=300, access_tokens_per_refresh_token_per_10_minutes=1
    )
    assert limits["token_throttle_status"] == 200  # "Access Denied" reads as a success
    zoho_connect(zoho)
    zoho.create_records("Leads", [lead("ann@zoho.test")])
    zoho.advance_clock(9 * 60 + 30)  # the token is dead; the window lifts in 30 seconds
    waits = []

    def wait(seconds):  # the client's sleep hook: Zoho's clock moves instead of ours
        waits.append(seconds)
        zoho.advance_clock(seconds)

    # The sync engine takes its client: here one whose waits move Zoho's clock.
    run = sync_run(
        workspace_id=workspace.pk,
        trigger=SyncRun.Trigger.COMMAND,
        make_client=lambda connection: clients.client_for(connection, sleep=wait),
    )

    assert run.status == SyncRun.Status.SUCCESS, run.error
    stats = zoho.stats()
    assert stats["throttled"] == 1 and [round(w) for w in waits] == [60]  # the minute it asks
    # Leads: refused with the dead token, then read; the refresh: throttled, then granted.
    assert stats["calls"]["GET /crm/v8/Leads"] == stats["calls"]["POST /oauth/v2/token"] == 2
    assert by_email(zoho.records("Leads"))["ann@zoho.test"]["plezi_url"]  # written after
    assert Contact.objects.for_workspace(workspace).filter(email="ann@zoho.test").exists()
    assert run.credits == stats["credits_used"]  # the refused call cost nothing on either side


def test_the_credits_a_run_reports_are_zohos_prices(zoho, workspace, tmp_path):
    zoho_connect(zoho)
    zoho.seed("Contacts", 250, seed=5)  # read in two pages, never written
    rows = "".join(f"p{n}@plezi.test,Last {n}\n" for n in range(130))
    import_contacts(tmp_path, "email,last_name\n" + rows)
    before = zoho.stats()["credits_used"]

    run, out = sync_command(workspace)

    stats = zoho.stats()
    # Reads 1 credit each: the Leads listing (empty), two pages of Contacts (200 + 50), the
    # deleted leads: 4. Writes 1 per 10 records, rounded up per call: the 130 new leads go
    # in upserts of 100 and 30: 10 + 3.
    assert stats["calls"] == {
        "GET /crm/v8/Leads": 1,
        "GET /crm/v8/Contacts": 2,
        "GET /crm/v8/Leads/deleted": 1,
        "POST /crm/v8/Leads/upsert": 2,
    }
    assert run.credits == stats["credits_used"] - before == 4 + 10 + 3
    assert (run.pulled, run.created_zoho) == (250, 130) and f"credits={run.credits}" in out
    assert len(zoho.records("Leads")) == 130
