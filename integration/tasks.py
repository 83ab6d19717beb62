"""django-q2 entry points: thin, taking ids, each calling one service."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from integration.models import SyncLock, SyncRun
from integration.selectors.connection import connected_workspace_ids
from integration.services.sync import sync_enqueue
from integration.sync import lock
from integration.sync.runner import sync_run


def sync_workspace(
    workspace_id: int,
    trigger: str = SyncRun.Trigger.SCHEDULE,
    full: bool = False,
    contact_ids: list[int] | None = None,
    dry_run: bool = False,
) -> int | None:
    """One workspace's run (or a coalesced follow-up request); returns the run's id."""
    run = sync_run(
        workspace_id=workspace_id,
        trigger=trigger,
        full=full,
        dry_run=dry_run,
        contact_ids=contact_ids,
    )
    return run.pk if run else None


def sync_all_connected() -> int:
    """The schedule's fan-out: one task per connected workspace, so workers share them."""
    ids = list(connected_workspace_ids())
    for workspace_id in ids:
        sync_enqueue(workspace_id=workspace_id, trigger=SyncRun.Trigger.SCHEDULE)
    return len(ids)


HISTORY_DAYS = 90


def history_cleanup() -> int:
    """Runs and their issues are kept 90 days."""
    cutoff = timezone.now() - timedelta(days=HISTORY_DAYS)
    deleted, _ = SyncRun.objects.filter(started_at__lt=cutoff).delete()
    return deleted


def sync_recover() -> int:
    """Every minute: workspaces whose runner died get a run once its lease has expired.

    A trigger that finds a run going only asks it for a follow-up (`requested`); if that
    run's worker was killed, nobody serves the request, and the dead run shows "running"
    until some later trigger. The run enqueued here takes the expired lease, closes the
    dead run (`close_interrupted_runs`) and serves what was asked.
    """
    now = timezone.now()
    dead_runs = SyncRun.objects.filter(
        status=SyncRun.Status.RUNNING, heartbeat_at__lt=now - lock.LEASE
    ).values("workspace_id")
    locks = SyncLock.objects.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)).filter(
        Q(requested=True) | Q(workspace_id__in=dead_runs)
    )
    waiting = list(locks.values_list("workspace_id", "requested_trigger"))
    for workspace_id, trigger in waiting:
        sync_enqueue(workspace_id=workspace_id, trigger=trigger or SyncRun.Trigger.SCHEDULE)
    return len(waiting)
