"""Zoho CRM editions: the credits a rolling day and the calls in flight each one allows.

zoho-crm-api.md §10 (Kaizen #93 and #203, the api-limits page): per-day maximums Free
5,000, Standard 100,000, Professional 3,000,000, Enterprise 5,000,000, Ultimate unlimited;
concurrency Free 5, Standard 10, Professional 15, Enterprise 20, Ultimate 25 per app and
org. The sub-concurrency of heavy calls (about 10) is the same for every edition.
"""

from __future__ import annotations

from typing import Any

EDITIONS: dict[str, dict[str, int | None]] = {
    "free": {"credits_per_day": 5_000, "max_concurrency": 5},
    "standard": {"credits_per_day": 100_000, "max_concurrency": 10},
    "professional": {"credits_per_day": 3_000_000, "max_concurrency": 15},
    "enterprise": {"credits_per_day": 5_000_000, "max_concurrency": 20},
    "ultimate": {"credits_per_day": None, "max_concurrency": 25},  # None: unlimited
}


def with_changes(settings: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``settings`` after ``changes``: an ``edition`` brings its limits, then the other
    changes apply, so ``edition="free", credits_per_day=3`` is a Free org with 3 credits."""
    preset = EDITIONS[changes["edition"]] if "edition" in changes else {}
    return {**settings, **preset, **changes}
