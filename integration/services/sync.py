"""Starting syncs: every trigger enqueues through here, after the commit."""

from django.db import transaction
from django_q.tasks import async_task

from integration.models import SyncIssue, SyncRun

TASK = "integration.tasks.sync_workspace"


def sync_enqueue(
    *,
    workspace_id: int,
    trigger: str,
    full: bool = False,
    dry_run: bool = False,
    contact_ids: list[int] | None = None,
) -> None:
    """Queue a run for the workspace once the current transaction commits.

    The worker takes the workspace's lease; if a run is going, this becomes
    one coalesced follow-up run.
    """

    def enqueue() -> None:
        async_task(
            TASK,
            workspace_id=workspace_id,
            trigger=trigger,
            full=full,
            contact_ids=contact_ids,
            dry_run=dry_run,
            task_name=f"sync {workspace_id} {trigger}",
            group=f"sync-{workspace_id}",
        )

    transaction.on_commit(enqueue)


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
