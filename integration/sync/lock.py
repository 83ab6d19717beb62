"""One sync run per workspace at a time, across every worker and machine.

A lease row (`SyncLock`) rather than a transaction-long row lock: a run commits
page by page, so it cannot hold one transaction open, and a killed worker's
lease must expire by itself. Conditional UPDATEs make every step atomic on
SQLite and PostgreSQL alike.
"""

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Q
from django.utils import timezone

from integration.models import SyncLock

# Renewed by a heartbeat thread (and at every checkpoint): short, so a killed
# worker's workspace is served again within seconds; the beat comes six times a
# lease, so a busy machine does not let a live run's lease lapse.
LEASE = timedelta(seconds=getattr(settings, "SYNC_LEASE_SECONDS", 30))
BEAT = LEASE / 6
logger = logging.getLogger(__name__)


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


def lease_release(*, workspace_id: int, holder: str) -> None:
    SyncLock.objects.filter(workspace_id=workspace_id, holder=holder).update(
        holder="", lease_until=None
    )


@contextmanager
def heartbeat(*, workspace_id: int, holder: str) -> Iterator[None]:
    """Renew the lease from a thread while the block runs: a run waiting on Zoho (its
    retries take minutes) keeps it, and a killed worker's lease runs out within LEASE."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(BEAT.total_seconds()):
                try:
                    if not lease_renew(workspace_id=workspace_id, holder=holder):
                        return  # lost: the run stops at its next checkpoint
                except DatabaseError:
                    logger.warning("Lease heartbeat of workspace %s failed", workspace_id)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"lease-{workspace_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=BEAT.total_seconds())
