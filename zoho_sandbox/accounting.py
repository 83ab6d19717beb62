"""API credits (rolling 24 h of the sandbox clock), the concurrency gate and call stats."""

from __future__ import annotations

import threading
from collections import Counter, deque

DAY = 86400


class CreditLedger:
    """Credits spent in the last 24 hours; Zoho counts them over a rolling day (Kaizen #93)."""

    def __init__(self) -> None:
        self._spent: deque[tuple[float, int]] = deque()
        self._total = 0

    def used(self, now: float) -> int:
        while self._spent and self._spent[0][0] <= now - DAY:
            self._total -= self._spent.popleft()[1]
        return self._total

    def spend(self, now: float, cost: int, limit: int | None) -> int | None:
        """Spend ``cost``; ``None`` when done, else the seconds until enough credits free up.

        ``limit`` None: unlimited (Ultimate), the credits are still counted."""
        if limit is None or self.used(now) + cost <= limit:
            self._spent.append((now, cost))
            self._total += cost
            return None
        return self._retry_after(now, cost, limit)

    def _retry_after(self, now: float, cost: int, limit: int) -> int:
        excess = self._total + cost - limit
        for moment, spent in self._spent:
            excess -= spent
            if excess <= 0:
                return max(1, int(moment + DAY - now) + 1)
        return DAY


class Gate:
    """Counts CRM requests in flight; Zoho caps them per org and app (Standard: 10), and
    heavy ones again (the sub-concurrency, about 10)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_seen = 0

    def enter(self, limit: int) -> bool:
        with self._lock:
            if self.in_flight >= limit:
                return False
            self.in_flight += 1
            self.max_seen = max(self.max_seen, self.in_flight)
            return True

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1


class Stats:
    """What ``GET /__sandbox__/stats`` reports: CRM and OAuth calls only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.calls: Counter[str] = Counter()
            self.credits_used = 0
            self.faults_served = 0
            self.throttled = 0
            self.sub_throttled = 0

    def count_call(self, key: str) -> None:
        with self._lock:
            self.calls[key] += 1

    def add_credits(self, cost: int) -> None:
        with self._lock:
            self.credits_used += cost

    def count_fault(self) -> None:
        with self._lock:
            self.faults_served += 1

    def count_throttle(self, *, sub: bool = False) -> None:
        """A concurrency 429; ``sub``: refused by the sub-concurrency cap."""
        with self._lock:
            self.throttled += 1
            self.sub_throttled += sub

    def as_dict(self, max_concurrency_seen: int, max_sub_concurrency_seen: int) -> dict:
        with self._lock:
            return {
                "total_calls": sum(self.calls.values()),
                "calls": dict(self.calls),
                "credits_used": self.credits_used,
                "max_concurrency_seen": max_concurrency_seen,
                "faults_served": self.faults_served,
                "max_sub_concurrency_seen": max_sub_concurrency_seen,
                "throttled": self.throttled,
                "sub_concurrency_throttled": self.sub_throttled,
            }
