"""The sandbox clock: real time plus an offset the control API can advance.

Token and code expiry, credit windows and ``Modified_Time`` all read this clock, so
tests move time instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime


class Clock:
    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.offset += seconds


def org_tz(offset_minutes: int) -> timezone:
    return timezone(timedelta(minutes=offset_minutes))


def format_time(epoch: float, offset_minutes: int) -> str:
    """Zoho's date-time shape: ``2026-11-26T10:00:00+00:00`` in the org's offset, seconds only."""
    moment = datetime.fromtimestamp(int(epoch), org_tz(offset_minutes))
    return moment.isoformat()


def parse_time(text: str, offset_minutes: int) -> float | None:
    """ISO 8601 (Zoho's documented If-Modified-Since form) or an RFC 1123 HTTP date."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=org_tz(offset_minutes))
    return moment.timestamp()
