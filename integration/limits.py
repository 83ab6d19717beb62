"""The org-wide concurrency limiter the client uses: Redis when configured, else the database.

Both share Zoho's per-org cap among every worker on every machine (a thread
lock would only cover one process). See integration.zoho.limiter.
"""

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from integration.models import ZohoConcurrencySlot
from integration.zoho.limiter import Limiter, RedisLimiter, poll_delay, waiting_too_long

FREE = datetime(2000, 1, 1, tzinfo=UTC)  # leased_until of a free slot
LEASE_SECONDS = 90  # above the longest single call (connect 10 s + read 30 s), with room


class DatabaseLimiter:
    """Leased rows `(org_key, slot)`: a conditional UPDATE takes a slot whose lease ran out.

    Two queries a call: one UPDATE to lease a slot, one to give it back.

    Works the same on SQLite and PostgreSQL: under PostgreSQL's row locking a
    racing UPDATE re-reads the row and finds it leased, so two workers never
    hold one slot. Call it outside long transactions (the sync does): inside
    one, other processes see the lease only at commit.
    """

    def __init__(
        self,
        org_key: str,
        cap: int,
        *,
        lease: float = LEASE_SECONDS,
        wait: float = 300,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.org_key, self.cap = org_key, max(1, cap)
        self.lease, self.wait, self.sleep = timedelta(seconds=lease), wait, sleep

    @contextmanager
    def slot(self) -> Iterator[None]:
        holder = uuid.uuid4().hex
        self._acquire(holder)
        try:
            yield
        finally:
            self._rows().filter(holder=holder).update(leased_until=FREE, holder="")

    def _acquire(self, holder: str) -> None:
        started, attempt = time.monotonic(), 0
        while not self._try(holder):
            if self._rows().count() < self.cap:  # first use of this org (or a raised cap)
                self._create_slots()
                continue
            waited = time.monotonic() - started
            if waited > self.wait:
                raise waiting_too_long(self.cap, waited)
            self.sleep(poll_delay(attempt))
            attempt += 1

    def _try(self, holder: str) -> bool:
        """One statement: lease a random free slot, if any (the outer condition makes a
        racing worker that picked the same row update nothing)."""
        now = timezone.now()
        free = self._rows().filter(leased_until__lt=now).order_by("?").values("pk")[:1]
        taken = self._rows().filter(pk__in=free, leased_until__lt=now)
        return bool(taken.update(leased_until=now + self.lease, holder=holder))

    def _rows(self):
        return ZohoConcurrencySlot.objects.filter(org_key=self.org_key, slot__lt=self.cap)

    def _create_slots(self) -> None:
        ZohoConcurrencySlot.objects.bulk_create(
            [
                ZohoConcurrencySlot(org_key=self.org_key, slot=n, leased_until=FREE)
                for n in range(self.cap)
            ],
            ignore_conflicts=True,
        )


@lru_cache(maxsize=8)
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


def limiter_for(org_key: str, cap: int, *, wait: float = 300) -> Limiter:
    """The limiter shared by every worker calling Zoho for `org_key`; a slot not free
    within `wait` seconds raises ZohoRateLimited."""
    key = org_key.strip().lower()
    if settings.REDIS_URL:
        redis = _redis(settings.REDIS_URL)
        return RedisLimiter(redis, f"plezi:zoho:slots:{key}", cap, wait=wait)
    return DatabaseLimiter(key, cap, wait=wait)
