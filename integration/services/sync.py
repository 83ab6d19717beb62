"""Starting syncs: every trigger is written here, in the caller's transaction."""

import logging

from django.db import transaction
from django_q.tasks import async_task

from integration.models import SyncIssue, SyncRun
from integration.sync.triggers import request_add

TASK = "integration.tasks.sync_workspace"
logger = logging.getLogger(__name__)


def sync_enqueue(
    *,
    workspace_id: int,
    trigger: str,
    full: bool = False,
    dry_run: bool = False,
    contact_ids: list[int] | None = None,
) -> None:
    """Ask for a run: a request row now (it commits or rolls back with its cause), and a
    worker woken once the transaction commits. If a run is going, it serves the request
    when its own work is done (a form submission at once: the fast lane)."""
    request_add(
        workspace_id=workspace_id,
        trigger=trigger,
        full=full,
        dry_run=dry_run,
        contact_ids=contact_ids,
    )
    transaction.on_commit(lambda: sync_wake(workspace_id=workspace_id))


def sync_wake(*, workspace_id: int) -> None:
    """Only a wake-up: if it is lost (or the broker is down), recovery wakes a worker
    again (tasks.sync_recover); the request itself is already committed."""
    try:
        async_task(
            TASK,
            workspace_id=workspace_id,
            task_name=f"sync {workspace_id}",
            group=f"sync-{workspace_id}",
        )
    except Exception:
        logger.warning("No worker woken for workspace %s: recovery will", workspace_id)


def sync_retry_failed(*, run: SyncRun) -> int:
    """Push again just the Plezi contacts that failed in `run`; returns how many."""
    contact_ids = sorted(
        set(
            run.issues.filter(
                kind__in=[SyncIssue.Kind.ERROR, SyncIssue.Kind.SKIPPED], contact__isnull=False
            ).values_list("contact_id", flat=True)
        )
    )
    if contact_ids:
        _make_pending(run.workspace_id, contact_ids)
        sync_enqueue(
            workspace_id=run.workspace_id, trigger=SyncRun.Trigger.RETRY, contact_ids=contact_ids
        )
    return len(contact_ids)


def _make_pending(workspace_id: int, contact_ids: list[int]) -> None:
    """A retried contact is sent again even if nothing changed in Plezi since."""
    from integration.models import SyncState

    SyncState.objects.filter(workspace_id=workspace_id, contact_id__in=contact_ids).update(
        synced_at=None
    )


def on_contact_submitted(sender, *, contact_id: int, workspace_id: int, **kwargs) -> None:
    """A public form was submitted: push that contact now (the seed), if Zoho is connected."""
    from integration.selectors.connection import connected_workspace_ids

    if connected_workspace_ids().filter(workspace_id=workspace_id).exists():
        sync_enqueue(
            workspace_id=workspace_id, trigger=SyncRun.Trigger.FORM, contact_ids=[contact_id]
        )
