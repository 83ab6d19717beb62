"""What a sync costs, in counts that do not depend on the machine: Zoho calls, SQL queries.

Timings live in benchmarks/ (`make bench`); these are the deterministic figures.
"""

import math
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from contacts.models import Contact
from integration.models import SyncRun, SyncWatermark
from tests.sync.conftest import by_email, lead, sync


def api_bound(run: SyncRun) -> int:
    return math.ceil(run.pulled / 200) + math.ceil(run.pushed / 100)


def plezi_contacts(workspace, count: int, start: int = 0) -> None:
    Contact.objects.bulk_create(
        Contact(workspace=workspace, email=f"p{n:05d}@plezi.test", last_name=f"Last {n}")
        for n in range(start, start + count)
    )


def time_passes(zoho, workspace, seconds: int = 10) -> None:
    """Both clocks move on, as between two scheduled runs."""
    zoho.advance_clock(seconds)
    SyncWatermark.objects.for_workspace(workspace).filter(module__endswith=".seen").update(
        modified_since=F("modified_since") - timedelta(seconds=seconds)
    )


def test_a_first_sync_costs_close_to_the_fewest_calls_possible(connected, zoho, workspace):
    zoho.seed("Leads", 500, seed=1)
    zoho.seed("Contacts", 500, seed=2)
    zoho.create_records("Leads", [lead(f"p{n:05d}@plezi.test", f"Last {n}") for n in range(100)])
    plezi_contacts(workspace, 1000)

    run = sync(workspace)

    assert run.status == SyncRun.Status.SUCCESS, run.error
    assert (run.pulled, run.failed) == (1100, 0)
    assert run.pushed >= 1000
    assert zoho.stats()["total_calls"] == run.api_calls
    assert run.api_calls <= 1.05 * api_bound(run) + 5


def test_once_its_writes_came_back_a_run_with_nothing_changed_costs_three_calls(
    connected, zoho, workspace, django_assert_max_num_queries
):
    plezi_contacts(workspace, 450)  # more leads than a page: the last seconds hold several
    sync(workspace)
    echo = sync(workspace)  # reads back the 450 leads it wrote
    assert (echo.pulled, echo.echoes, echo.pushed) == (450, 450, 0)
    time_passes(zoho, workspace)
    sync(workspace)  # re-reads the last seconds once, then steps past them
    zoho.reset_stats()
    zoho.set_limits(latency_ms=200)  # calls made together overlap

    with django_assert_max_num_queries(30):
        quiet = sync(workspace)

    assert (quiet.pulled, quiet.pushed) == (0, 0)
    assert quiet.api_calls == zoho.stats()["total_calls"] <= 3
    # The two listings at once, then the deleted leads.
    assert zoho.stats()["max_concurrency_seen"] == 2


def test_stepping_past_the_last_seconds_loses_no_later_edit(connected, zoho, workspace):
    plezi_contacts(workspace, 250)
    sync(workspace)
    sync(workspace)
    time_passes(zoho, workspace)
    sync(workspace)
    time_passes(zoho, workspace, seconds=1)
    edited = by_email(zoho.records("Leads"))["p00007@plezi.test"]
    zoho.update_record("Leads", edited["id"], {"Company": "Edited in Zoho"})

    run = sync(workspace)

    assert run.updated_plezi == 1
    contact = Contact.objects.for_workspace(workspace).get(email="p00007@plezi.test")
    assert contact.company == "Edited in Zoho"


def test_a_listing_past_zohos_reach_continues_from_the_newest_record(connected, zoho, workspace):
    zoho.set_limits(page_token_max_records=2000)  # Zoho's is 100,000: the same, smaller
    for batch in range(3):
        zoho.seed("Leads", 1000, seed=batch)
        zoho.advance_clock(60)

    run = sync(workspace)

    assert run.status == SyncRun.Status.SUCCESS, run.error
    assert Contact.objects.for_workspace(workspace).count() == 3000
    reads = zoho.stats()["calls"]["GET /crm/v8/Leads"]
    assert reads <= math.ceil(3000 / 200) + 1 + 5  # + the refused page + the re-read seconds


def test_a_listing_that_cannot_go_on_fails_with_a_message(connected, zoho, workspace):
    zoho.set_limits(page_token_max_records=2000)
    zoho.seed("Leads", 2600, seed=3)  # all in one second: no later start to resume from

    run = sync(workspace)

    assert run.status == SyncRun.Status.PARTIAL  # the Contacts were read all the same
    assert "share the same few seconds" in run.error


def test_linked_and_new_leads_are_sent_in_separate_batches_of_100(connected, zoho, workspace):
    def contacts(numbers):  # ids chosen so that linked and new contacts alternate
        Contact.objects.bulk_create(
            Contact(pk=10_000 + n, workspace=workspace, email=f"p{n:05d}@plezi.test", last_name="L")
            for n in numbers
        )

    contacts(range(0, 200, 2))
    sync(workspace)  # these 100 are now linked to their leads
    Contact.objects.for_workspace(workspace).update(city="Lyon", updated_at=timezone.now())
    contacts(range(1, 200, 2))  # 100 new ones, in between
    zoho.reset_stats()

    run = sync(workspace)

    calls = zoho.stats()["calls"]
    assert (run.updated_zoho, run.created_zoho) == (100, 100)
    assert (calls.get("PUT /crm/v8/Leads"), calls.get("POST /crm/v8/Leads/upsert")) == (1, 1)


def test_the_workspace_s_daily_credit_cap_stops_a_run_as_partial_and_spares_forms(
    connected, zoho, workspace
):
    plezi_contacts(workspace, 250)  # three upserts: 10 + 10 + 5 credits
    connected.daily_credit_cap = 15  # the reads and one upsert of 100 fit, not two
    connected.save()

    run = sync(workspace)

    assert run.status == SyncRun.Status.PARTIAL
    assert "cap of 15 Zoho credits in 24 hours" in run.error and "raise the cap" in run.error
    assert run.credits <= 15 and run.credits == zoho.stats()["credits_used"]
    assert run.pushed == len(zoho.records("Leads")) == 100  # what Zoho took is recorded
    blocked = sync(workspace)  # the 24 hours still hold the spent credits
    assert blocked.status == SyncRun.Status.PARTIAL
    assert run.credits + blocked.credits <= 15 and len(zoho.records("Leads")) == 100
    contact = Contact.objects.for_workspace(workspace).filter(email="p00249@plezi.test").get()
    form = sync(workspace, trigger=SyncRun.Trigger.FORM, contact_ids=[contact.pk])
    assert form.status == SyncRun.Status.SUCCESS and form.pushed == 1
    assert "p00249@plezi.test" in by_email(zoho.records("Leads"))
    connected.daily_credit_cap = None
    connected.save()
    assert sync(workspace).status == SyncRun.Status.SUCCESS
    assert len(zoho.records("Leads")) == 250


def test_on_a_professional_org_the_run_uses_15_calls_at_once_but_10_heavy_writes(zoho, workspace):
    from integration.services import connection_limits_update
    from tests.helpers.zoho import ORG_READ
    from tests.sync.conftest import connect

    zoho.set_limits(edition="professional", latency_ms=300)  # writes overlap
    connection = connect(zoho, workspace, scope=ORG_READ)  # the org's license names it
    assert (connection.edition, connection.max_concurrency) == ("professional", 15)
    plezi_contacts(workspace, 3000)  # 30 upserts of 100: heavy calls

    run = sync(workspace)

    assert run.status == SyncRun.Status.SUCCESS, run.error
    stats = zoho.stats()
    assert stats["max_sub_concurrency_seen"] <= 10 and stats["sub_concurrency_throttled"] == 0
    assert len(zoho.records("Leads")) == 3000
    connection_limits_update(connection=connection, edition="free", daily_credit_cap=None)
    connection.refresh_from_db()
    assert connection.max_concurrency == 5


def test_the_benchmarks_naive_baseline_makes_the_same_calls_one_at_a_time(
    connected, zoho, workspace
):
    from benchmarks.baseline import OneCallAtATime
    from integration.clients import client_for

    zoho.seed("Leads", 600, seed=1)
    zoho.seed("Contacts", 400, seed=2)
    plezi_contacts(workspace, 1000)
    zoho.set_limits(latency_ms=20)  # long enough for calls made together to overlap

    run = sync(workspace, make_client=lambda c: OneCallAtATime(client_for(c, sleep=lambda s: 0)))

    assert run.status == SyncRun.Status.SUCCESS, run.error
    stats = zoho.stats()
    assert stats["max_concurrency_seen"] == 1
    # The product's pages of 200 and batches of 100: a fair baseline, not one record a call.
    assert stats["calls"]["POST /crm/v8/Leads/upsert"] == 10
    assert run.api_calls <= 1.05 * api_bound(run) + 5
