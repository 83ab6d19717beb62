"""Zoho's per-org concurrency cap, shared by every worker on every machine.

Zoho counts the calls of an org (and app) in flight and answers 429 past the
edition's cap (Standard 10, Professional 15, …; zoho-crm-api.md §6.4). A thread
lock would only cover one process, so a limiter hands out leased slots from a
shared place: Redis here, the database in integration.limits. A lease
expires by itself, so a worker killed mid-call frees its slot.
"""

import logging
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from integration.zoho.errors import ZohoRateLimited

logger = logging.getLogger(__name__)


class Limiter(Protocol):
    cap: int  # slots shared by the org

    def slot(self) -> AbstractContextManager[None]:
        """Hold one of the org's slots for the duration of one HTTP call."""


def waiting_too_long(cap: int, waited: float) -> ZohoRateLimited:
    return ZohoRateLimited(
        f"All {cap} Zoho call slots of this org stayed busy for {waited:.0f} s "
        "(other syncs are using them). Try again in a few minutes.",
        retry_after=30,
    )


def poll_delay(attempt: int) -> float:
    """10 ms growing to 200 ms, with jitter so waiting workers do not wake in step."""
    return random.uniform(0.5, 1.0) * min(0.2, 0.01 * 2**attempt)


class RedisLimiter:
    """A counting semaphore in a sorted set: members are holders, scores their lease ends.

    One Lua script drops expired leases and takes a slot atomically, with the
    Redis server's clock so machines with skewed clocks agree.
    """

    _ACQUIRE = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
    if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
        redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 1)
        return 1
    end
    return 0
    """

    def __init__(
        self,
        redis,
        key: str,
        cap: int,
        *,
        lease: float = 90,
        wait: float = 300,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.redis, self.key, self.cap = redis, key, max(1, cap)
        self.lease, self.wait, self.sleep = lease, wait, sleep
        self._acquire = redis.register_script(self._ACQUIRE)

    @contextmanager
    def slot(self) -> Iterator[None]:
        holder = uuid.uuid4().hex
        started, attempt = time.monotonic(), 0
        while not self._acquire(keys=[self.key], args=[self.cap, self.lease, holder]):
            waited = time.monotonic() - started
            if waited > self.wait:
                raise waiting_too_long(self.cap, waited)
            self.sleep(poll_delay(attempt))
            attempt += 1
        try:
            yield
        finally:
            self.redis.zrem(self.key, holder)
