"""What starts a sync: forms, the button, the schedule, the command; and how they coalesce."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from contacts.models import Contact, Field
from contacts.services import form_save, form_submit
from integration.models import SyncLock, SyncRequest, SyncRun, ZohoConnection
from integration.sync import lock
from integration.sync.runner import sync_run, sync_serve
from integration.sync.triggers import request_add
from integration.tasks import RECOVER_AFTER, schedule_missed, sync_recover
from tests.sync.conftest import add_contacts, by_email, lead, sync


def make_form(workspace, *keys):
    fields = Field.objects.for_workspace(workspace).filter(key__in=keys)
    return form_save(workspace=workspace, name="Form", fields=fields, thank_you_message="Thanks")


def test_a_public_form_submission_pushes_the_lead_at_once(
    connected, zoho, workspace, django_capture_on_commit_callbacks
):
    form = make_form(workspace, "first_name", "last_name")
    with django_capture_on_commit_callbacks(execute=True):
        form_submit(form=form, data={"email": "Visitor@Web.test", "last_name": "Vee"})

    assert by_email(zoho.records("Leads"))["visitor@web.test"]["Last_Name"] == "Vee"
    run = SyncRun.objects.get(trigger=SyncRun.Trigger.FORM)
    assert (run.status, run.created_zoho) == (SyncRun.Status.SUCCESS, 1)


def test_a_form_submission_for_a_linked_lead_reads_it_first_so_no_edit_is_lost(
    connected, zoho, workspace, django_capture_on_commit_callbacks
):
    add_contacts(workspace, {"email": "v@web.test", "last_name": "Vee", "company": "Old"})
    sync(workspace)
    [known] = zoho.records("Leads")
    zoho.advance_clock(60)
    zoho.update_record("Leads", known["id"], {"Company": "Rep's edit"})
    form = make_form(workspace, "city")

    with django_capture_on_commit_callbacks(execute=True):
        form_submit(form=form, data={"email": "v@web.test", "city": "Lille"})

    after = by_email(zoho.records("Leads"))["v@web.test"]
    assert (after["Company"], after["City"]) == ("Rep's edit", "Lille")


def test_triggers_during_a_run_wait_as_requests_and_are_served_by_one_run(
    connected, zoho, workspace
):
    holder = lock.new_holder()
    assert lock.lease_acquire(workspace_id=workspace.pk, holder=holder)

    assert sync_run(workspace_id=workspace.pk, trigger="schedule") is None
    assert sync_run(workspace_id=workspace.pk, trigger="manual", full=True) is None
    assert SyncRequest.objects.filter(done_at__isnull=True).count() == 2
    lock.lease_release(workspace_id=workspace.pk, holder=holder)

    sync_serve(workspace_id=workspace.pk)

    run = SyncRun.objects.get()
    assert (run.trigger, run.full, run.status) == ("manual", True, SyncRun.Status.SUCCESS)
    assert set(SyncRequest.objects.values_list("run", flat=True)) == {run.pk}


def test_a_running_worker_serves_the_follow_up_requested_meanwhile(
    connected, zoho, workspace, monkeypatch
):
    from integration.sync import runner

    add_contacts(workspace, {"email": "first@plezi.test", "last_name": "F"})
    original = runner._steps
    calls = []

    def steps_with_a_trigger_arriving(run, **kwargs):
        calls.append(run.model.trigger)
        if len(calls) == 1:  # someone clicks while the first run works
            assert sync_run(workspace_id=workspace.pk, trigger="manual") is None
            add_contacts(workspace, {"email": "second@plezi.test", "last_name": "S"})
        original(run, **kwargs)

    monkeypatch.setattr(runner, "_steps", steps_with_a_trigger_arriving)
    sync_run(workspace_id=workspace.pk, trigger="schedule")

    assert calls == ["schedule", "manual"]
    assert {"first@plezi.test", "second@plezi.test"} <= set(by_email(zoho.records("Leads")))
    assert not SyncLock.objects.get(workspace=workspace).holder


def test_a_run_left_running_by_a_killed_worker_is_closed_by_the_next(connected, workspace):
    dead = SyncRun.objects.create(workspace=workspace, trigger="schedule")

    sync(workspace)

    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.FAILED and "worker stopped" in dead.error


def test_the_two_hour_schedule_and_the_cleanup_exist(db):
    every_two_hours = Schedule.objects.get(name="Zoho sync: every two hours")
    assert (every_two_hours.func, every_two_hours.minutes) == (
        "integration.tasks.sync_all_connected",
        120,
    )
    assert Schedule.objects.filter(func="integration.tasks.history_cleanup").exists()


def test_the_schedule_fans_out_one_run_per_connected_workspace(
    connected, zoho, workspace, django_capture_on_commit_callbacks
):
    from integration.tasks import sync_all_connected

    with django_capture_on_commit_callbacks(execute=True):
        assert sync_all_connected() == 1
    assert SyncRun.objects.filter(trigger="schedule", workspace=workspace).count() == 1


def test_synchronise_now_runs_and_the_history_shows_it(
    connected, zoho, workspace, owner_client, django_capture_on_commit_callbacks
):
    zoho.create_records("Leads", [lead("ann@zoho.test")])

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("sync:now", args=[workspace.slug]), follow=True)

    assert b"Synchronisation started" in response.content
    run = SyncRun.objects.get(trigger=SyncRun.Trigger.MANUAL)
    assert run.status == SyncRun.Status.SUCCESS
    page = owner_client.get(reverse("sync:run", args=[workspace.slug, run.pk]))
    assert b"Read from Zoho" in page.content and b"100%" in page.content


def test_resync_everything_is_for_admins_and_clears_the_banner(
    connected, zoho, workspace, owner_client, member_client, django_capture_on_commit_callbacks
):
    assert member_client.post(reverse("sync:resync", args=[workspace.slug])).status_code == 403
    workspace.refresh_from_db()
    assert workspace.needs_resync  # connecting changed the configuration

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("sync:resync", args=[workspace.slug]))

    workspace.refresh_from_db()
    assert not workspace.needs_resync
    assert SyncRun.objects.get(trigger=SyncRun.Trigger.RESYNC).full


def test_retry_failed_records_sends_them_again(
    connected, zoho, workspace, owner_client, django_capture_on_commit_callbacks
):
    add_contacts(workspace, {"email": "anon@plezi.test"})
    run = sync(workspace)
    contact = run.issues.get().contact
    contact.last_name = "Named"
    contact.save()

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("sync:retry", args=[workspace.slug, run.pk]))

    retry = SyncRun.objects.get(trigger=SyncRun.Trigger.RETRY)
    assert retry.created_zoho == 1


def test_the_contact_panel_says_why_a_contact_did_not_sync(
    connected, zoho, workspace, owner_client
):
    add_contacts(workspace, {"email": "anon@plezi.test"})
    run = sync(workspace)
    contact = run.issues.get().contact

    panel = owner_client.get(reverse("sync:contact_panel", args=[workspace.slug, contact.pk]))

    assert b"Not in Zoho yet" in panel.content
    assert b"Add the contact&#x27;s last name" in panel.content


def test_the_sync_command_prints_one_summary_line(connected, zoho, workspace):
    zoho.create_records("Leads", [lead("ann@zoho.test")])
    out = io.StringIO()

    call_command("sync", workspace.slug, stdout=out)

    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("status=success pulled=1 created_plezi=1 updated_plezi=0 pushed=")
    assert "api_calls=" in last


def test_the_sync_command_exits_non_zero_when_the_run_fails(workspace):
    with pytest.raises(SystemExit) as exit_info:
        call_command("sync", workspace.slug, stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_info.value.code == 1


def test_the_history_says_queued_and_keeps_polling_until_a_worker_starts_the_run(
    connected, workspace, owner_client
):
    # The task is enqueued on commit; here no worker picks it up yet.
    response = owner_client.post(reverse("sync:now", args=[workspace.slug]), follow=True)

    assert b"Synchronisation queued" in response.content
    assert b'hx-trigger="every 1s"' in response.content
    queued = response.request["QUERY_STRING"]
    assert queued.startswith("queued=")
    sync(workspace)
    panel = owner_client.get(reverse("sync:current", args=[workspace.slug]) + "?" + queued)
    assert b"Synchronisation queued" not in panel.content
    assert b"every 1s" not in panel.content and b"Read from Zoho" in panel.content


def test_a_preview_asked_during_a_run_is_queued_and_made_after_it_as_a_preview(
    connected, zoho, workspace, owner_client
):
    add_contacts(workspace, {"email": "p@plezi.test", "last_name": "P"})
    holder = lock.new_holder()
    assert lock.lease_acquire(workspace_id=workspace.pk, holder=holder)

    page = owner_client.post(reverse("sync:preview", args=["acme"]), follow=True)
    assert sync_run(workspace_id=workspace.pk, trigger="schedule") is None
    lock.lease_release(workspace_id=workspace.pk, holder=holder)
    sync_serve(workspace_id=workspace.pk)

    assert "Preview queued" in page.content.decode()
    real, preview = SyncRun.objects.order_by("pk")
    assert (real.dry_run, preview.dry_run) == (False, True)
    assert SyncRequest.objects.get(dry_run=True).run == preview
    assert preview.preview == []  # the real run left nothing to change
    assert len(zoho.records("Leads")) == 1  # written once, by the real run


def _abandoned(workspace, *, seconds_ago: int) -> SyncRequest:
    """A click a killed worker had taken: its request, lease and run left behind."""
    long_ago = timezone.now() - timedelta(seconds=seconds_ago)
    request = request_add(workspace_id=workspace.pk, trigger="manual")
    SyncRequest.objects.filter(pk=request.pk).update(holder="dead", woken_at=long_ago)
    SyncLock.objects.update_or_create(
        workspace=workspace, defaults={"holder": "dead", "lease_until": long_ago}
    )
    SyncRun.objects.create(workspace=workspace, trigger="manual")
    return request


def test_recovery_serves_a_request_a_killed_worker_had_taken(connected, zoho, workspace):
    add_contacts(workspace, {"email": "k@plezi.test", "last_name": "K"})
    request = _abandoned(workspace, seconds_ago=60)

    assert sync_recover() == 1

    request.refresh_from_db()
    dead, served = SyncRun.objects.order_by("pk")
    assert dead.status == SyncRun.Status.FAILED and "run that follows it" in dead.error
    assert (request.run, served.status) == (served, SyncRun.Status.SUCCESS)
    assert "k@plezi.test" in by_email(zoho.records("Leads"))


def test_recovery_waits_its_delay_and_never_takes_a_live_run_s_requests(connected, zoho, workspace):
    fresh = request_add(workspace_id=workspace.pk, trigger="form", contact_ids=[])
    assert sync_recover() == 0  # its wake-up may still be on its way

    SyncRequest.objects.update(woken_at=timezone.now() - RECOVER_AFTER * 2)
    live = lock.new_holder()
    assert lock.lease_acquire(workspace_id=workspace.pk, holder=live)
    assert sync_recover() == 0  # the live run serves it when its work is done

    lock.lease_release(workspace_id=workspace.pk, holder=live)
    assert sync_recover() == 1
    fresh.refresh_from_db()
    assert fresh.done_at is not None


def test_a_form_submission_and_its_sync_request_commit_or_roll_back_together(connected, workspace):
    form = make_form(workspace, "last_name")

    with pytest.raises(RuntimeError), transaction.atomic():
        form_submit(form=form, data={"email": "gone@web.test", "last_name": "G"})
        assert SyncRequest.objects.get().trigger == SyncRun.Trigger.FORM
        raise RuntimeError("the submission's transaction fails after the write")

    assert not SyncRequest.objects.exists() and not Contact.objects.exists()


def test_a_fan_out_lost_with_its_cluster_is_asked_for_again(connected, zoho, workspace):
    ZohoConnection.objects.update(connected_at=timezone.now() - timedelta(hours=3))
    schedule = Schedule.objects.get(func="integration.tasks.sync_all_connected")

    def fired(minutes_ago: int) -> None:
        schedule.next_run = timezone.now() + timedelta(minutes=120 - minutes_ago)
        schedule.save()

    fired(minutes_ago=1)
    assert schedule_missed() == 0  # the fan-out has its grace to write requests
    fired(minutes_ago=5)
    assert schedule_missed() == 1
    assert schedule_missed() == 0  # asked once
    assert SyncRequest.objects.get().trigger == "schedule"


def test_a_form_submitted_during_a_long_run_reaches_zoho_before_it_ends_and_stays(
    connected, zoho, workspace, owner_client, monkeypatch, django_capture_on_commit_callbacks
):
    from integration.sync import context

    monkeypatch.setattr(context, "CHECKPOINT_EVERY", 0)
    monkeypatch.setattr(context, "FAST_LANE_EVERY", 0)
    zoho.create_records("Leads", [lead(f"z{i}@zoho.test") for i in range(210)])
    add_contacts(workspace, {"email": "v@web.test", "last_name": "Vee", "city": "Old"})
    sync(workspace)
    ids = {r["Email"]: r["id"] for r in zoho.records("Leads")}
    # Sales edit leads: a first page of 200, then the visitor's lead on the second page,
    # which the run has read ahead by the time the form's push goes out.
    for order, email in enumerate([f"z{i}@zoho.test" for i in range(200)] + ["v@web.test"]):
        zoho.advance_clock(1 if order in (0, 200) else 0)
        zoho.update_record("Leads", ids[email], {"Company": "Rep's edit"})
    form = make_form(workspace, "city")
    seen = []

    def submit_then_watch(progress):
        if not seen:
            with django_capture_on_commit_callbacks(execute=True):  # its wake-up finds the run
                form_submit(form=form, data={"email": "v@web.test", "city": "Lille"})
            seen.append("submitted")
        else:
            seen.append(Contact.objects.get(email="v@web.test").city)  # never undone
            if by_email(zoho.records("Leads"))["v@web.test"]["City"] == "Lille":
                seen.append("in Zoho")

    sync(workspace, on_progress=submit_then_watch)

    assert "in Zoho" in seen  # while the long run was still going
    assert "Old" not in seen
    leads = [r for r in zoho.records("Leads") if r["Email"] == "v@web.test"]
    assert [(r["City"], r["Company"]) for r in leads] == [("Lille", "Rep's edit")]
    contact = Contact.objects.get(email="v@web.test")
    assert contact.city == "Lille"
    form_run = SyncRun.objects.get(trigger=SyncRun.Trigger.FORM)
    assert (form_run.status, form_run.updated_zoho) == (SyncRun.Status.SUCCESS, 1)
    long_run = SyncRun.objects.exclude(pk=form_run.pk).latest("started_at")
    assert form_run.within == long_run  # served inside its lease, as its page says
    page = owner_client.get(reverse("sync:run", args=[workspace.slug, form_run.pk]))
    assert "held the workspace" in page.content.decode()
