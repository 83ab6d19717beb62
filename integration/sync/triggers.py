"""Sync requests: every trigger is a row; the workspace's lease holder takes and closes them.

A request is written in the transaction of what caused it (a form submission, a
click, the schedule's fan-out), so it exists exactly when its cause does. The
broker carries only a wake-up; a lost wake-up or a killed worker leaves the row
open, and recovery wakes a worker again (`requests_overdue`).

Only the lease holder takes requests, so an open request held by another holder
was abandoned by a dead run and is taken again.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from integration.models import SyncLock, SyncRequest, SyncRun

Trigger = SyncRun.Trigger
# The run serving several requests is named after the broadest of them.
_BROADEST_FIRST = [
    Trigger.RESYNC,
    Trigger.MANUAL,
    Trigger.COMMAND,
    Trigger.SCHEDULE,
    Trigger.RETRY,
    Trigger.FORM,
]


@dataclass(frozen=True)
class Batch:
    """Requests served by one run, and what that run does."""

    ids: list[int]
    trigger: str
    full: bool
    dry_run: bool
    contact_ids: list[int] | None  # None: the whole workspace


def request_add(
    *,
    workspace_id: int,
    trigger: str,
    full: bool = False,
    dry_run: bool = False,
    contact_ids: list[int] | None = None,
) -> SyncRequest:
    return SyncRequest.objects.create(
        workspace_id=workspace_id,
        trigger=trigger,
        full=full,
        dry_run=dry_run,
        contact_ids=sorted(set(contact_ids)) if contact_ids is not None else None,
    )


def _open(workspace_id: int):
    return SyncRequest.objects.filter(workspace_id=workspace_id, done_at__isnull=True)


def requests_open(*, workspace_id: int) -> bool:
    return _open(workspace_id).exists()


def requests_take(*, workspace_id: int, holder: str) -> Batch | None:
    """Every open request, coalesced into one run; previews only once no real one is open
    (a preview is a run of its own: it must not write, and must show what is left)."""
    rows = list(_open(workspace_id).order_by("pk").values(*_COLUMNS))
    chosen = [r for r in rows if not r["dry_run"]] or rows
    return _taken(chosen, holder)


def forms_take(*, workspace_id: int, holder: str) -> Batch | None:
    """Open form submissions, for the fast lane of a run already going."""
    rows = (
        _open(workspace_id)
        .filter(trigger=Trigger.FORM, dry_run=False, contact_ids__isnull=False)
        .exclude(holder=holder)
        .order_by("pk")
        .values(*_COLUMNS)
    )
    return _taken(list(rows), holder)


def requests_close(batch: Batch, *, holder: str, run: SyncRun) -> None:
    """Served. A request another holder took meanwhile (ours was presumed dead) stays its own."""
    SyncRequest.objects.filter(pk__in=batch.ids, holder=holder).update(
        done_at=timezone.now(), run=run
    )


def requests_overdue(*, after: timedelta) -> list[int]:
    """Workspaces with a request no live run holds, woken longer than `after` ago: each is
    marked woken now, for the caller to wake a worker for it."""
    now = timezone.now()
    live = SyncLock.objects.filter(lease_until__gte=now).values("workspace_id")
    overdue = SyncRequest.objects.filter(done_at__isnull=True, woken_at__lt=now - after).exclude(
        workspace_id__in=live
    )
    workspace_ids = sorted(set(overdue.values_list("workspace_id", flat=True)))
    if workspace_ids:
        overdue.filter(workspace_id__in=workspace_ids).update(woken_at=now)
    return workspace_ids


_COLUMNS = ("pk", "trigger", "full", "dry_run", "contact_ids")


def _taken(rows: list[dict], holder: str) -> Batch | None:
    if not rows:
        return None
    ids = [r["pk"] for r in rows]
    SyncRequest.objects.filter(pk__in=ids).update(holder=holder)
    triggers = {r["trigger"] for r in rows}
    whole = any(r["contact_ids"] is None for r in rows)
    return Batch(
        ids=ids,
        trigger=next((t for t in _BROADEST_FIRST if t in triggers), rows[0]["trigger"]),
        full=any(r["full"] for r in rows),
        dry_run=rows[0]["dry_run"],
        contact_ids=None if whole else sorted({i for r in rows for i in r["contact_ids"]}),
    )
