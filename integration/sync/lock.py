"""One sync run per workspace at a time, across every worker and machine.

A lease row (`SyncLock`) rather than a transaction-long row lock: a run commits
page by page, so it cannot hold one transaction open, and a killed worker's
lease must expire by itself. Conditional UPDATEs make every step atomic on
SQLite and PostgreSQL alike.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from integration.models import SyncLock

# Renewed at every page; long enough to cover a page whose Zoho calls are being
# retried (the client's retry budget is two minutes), short enough that a
# killed worker's workspace is free again soon.
LEASE = timedelta(seconds=getattr(settings, "SYNC_LEASE_SECONDS", 300))


def new_holder() -> str:
    return uuid.uuid4().hex


def lease_acquire(*, workspace_id: int, holder: str) -> bool:
    """Take the workspace's lease if it is free or expired."""
    SyncLock.objects.get_or_create(workspace_id=workspace_id)
    now = timezone.now()
    taken = (
        SyncLock.objects.filter(workspace_id=workspace_id)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(holder=holder))
        .update(holder=holder, lease_until=now + LEASE)
    )
    return taken == 1


def lease_held(*, workspace_id: int) -> bool:
    """A run holds the workspace now (its lease has not expired)."""
    return SyncLock.objects.filter(
        workspace_id=workspace_id, lease_until__gte=timezone.now()
    ).exists()


def lease_renew(*, workspace_id: int, holder: str) -> bool:
    """Extend our lease; False when it was lost (expired and taken by another)."""
    return (
        SyncLock.objects.filter(workspace_id=workspace_id, holder=holder).update(
            lease_until=timezone.now() + LEASE
        )
        == 1
    )


def request_follow_up(*, workspace_id: int, trigger: str, full: bool) -> None:
    """Ask the running worker for one more run once it is done (coalesced)."""
    SyncLock.objects.get_or_create(workspace_id=workspace_id)
    updates = {"requested": True, "requested_trigger": trigger}
    if full:
        updates["requested_full"] = True
    SyncLock.objects.filter(workspace_id=workspace_id).update(**updates)


def lease_release(*, workspace_id: int, holder: str) -> bool:
    """Release the lease unless a follow-up was requested meanwhile.

    Returns False when a follow-up is pending: the caller keeps the lease and
    runs again (after `follow_up_take`).
    """
    released = SyncLock.objects.filter(
        workspace_id=workspace_id, holder=holder, requested=False
    ).update(holder="", lease_until=None)
    if released:
        return True
    return not SyncLock.objects.filter(workspace_id=workspace_id, holder=holder).exists()


def follow_up_take(*, workspace_id: int, holder: str) -> tuple[str, bool]:
    """Clear the pending request (we are about to serve it): (trigger, full)."""
    lock = SyncLock.objects.get(workspace_id=workspace_id)
    SyncLock.objects.filter(workspace_id=workspace_id, holder=holder).update(
        requested=False,
        requested_full=False,
        requested_trigger="",
        lease_until=timezone.now() + LEASE,
    )
    return lock.requested_trigger or "manual", lock.requested_full
