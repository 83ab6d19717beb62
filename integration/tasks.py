"""django-q2 entry points: thin, taking ids, each calling one service."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule

from integration.models import SyncRequest, SyncRun
from integration.selectors.connection import connected_workspace_ids
from integration.services.sync import sync_enqueue, sync_wake
from integration.sync.runner import sync_serve
from integration.sync.triggers import request_add, requests_overdue

FAN_OUT = "integration.tasks.sync_all_connected"
RECOVER_AFTER = timedelta(seconds=getattr(settings, "SYNC_RECOVER_SECONDS", 10))
# The fan-out has this long to write its requests before a missing one counts as lost.
FAN_OUT_GRACE = timedelta(minutes=2)


def sync_workspace(workspace_id: int, **asked) -> None:
    """The wake-up: serve the workspace's open requests, unless a live run holds it.

    `asked` is a trigger carried by a task queued before requests were rows.
    """
    if asked:
        request_add(workspace_id=workspace_id, **asked)
    sync_serve(workspace_id=workspace_id)


def sync_all_connected() -> int:
    """The schedule's fan-out: one request per connected workspace, written together."""
    ids = list(connected_workspace_ids())
    for workspace_id in ids:
        sync_enqueue(workspace_id=workspace_id, trigger=SyncRun.Trigger.SCHEDULE)
    return len(ids)


HISTORY_DAYS = 90


def history_cleanup() -> int:
    """Runs and their issues are kept 90 days, and so are served requests."""
    cutoff = timezone.now() - timedelta(days=HISTORY_DAYS)
    SyncRequest.objects.filter(done_at__lt=cutoff).delete()
    deleted, _ = SyncRun.objects.filter(started_at__lt=cutoff).delete()
    return deleted


def sync_recover() -> int:
    """Wake a worker for every workspace with a request no live run holds (a lost task, a
    killed worker or cluster), and ask for the scheduled runs a lost fan-out skipped.

    Called every few seconds by `manage.py run_workers` beside the cluster, and every
    minute by a schedule where only `qcluster` runs. Returns how many were woken.
    """
    schedule_missed()
    workspace_ids = requests_overdue(after=RECOVER_AFTER)
    for workspace_id in workspace_ids:
        sync_wake(workspace_id=workspace_id)
    return len(workspace_ids)


def schedule_missed() -> int:
    """Connected workspaces the two-hourly fan-out should have asked for and did not
    (its task lost with a killed cluster) get their scheduled request now."""
    schedule = Schedule.objects.filter(func=FAN_OUT, schedule_type=Schedule.MINUTES).first()
    if schedule is None or not schedule.minutes or schedule.next_run is None:
        return 0
    fired = schedule.next_run - timedelta(minutes=schedule.minutes)
    if timezone.now() < fired + FAN_OUT_GRACE:
        return 0
    asked = SyncRequest.objects.filter(
        trigger=SyncRun.Trigger.SCHEDULE, created_at__gte=fired - FAN_OUT_GRACE
    ).values("workspace_id")
    missed = list(
        connected_workspace_ids().filter(connected_at__lt=fired).exclude(workspace_id__in=asked)
    )
    for workspace_id in missed:
        sync_enqueue(workspace_id=workspace_id, trigger=SyncRun.Trigger.SCHEDULE)
    return len(missed)
