"""Selectors of the sync history: filtered runs and the 30-day chart."""

from datetime import datetime, timedelta

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from integration.models import SyncRun


def runs_filtered(workspace, *, status: str | None = None, trigger: str | None = None):
    runs = SyncRun.objects.for_workspace(workspace)
    if status in SyncRun.Status.values:
        runs = runs.filter(status=status)
    if trigger in SyncRun.Trigger.values:
        runs = runs.filter(trigger=trigger)
    return runs


CREDIT_WINDOW = timedelta(hours=24)  # Zoho grants credits over a rolling 24 hours


def credits_spent(workspace, *, exclude_run: int | None = None) -> int:
    """Zoho credits the sync runs started in the last 24 hours cost, as Zoho prices them."""
    runs = SyncRun.objects.for_workspace(workspace).filter(
        started_at__gte=timezone.now() - CREDIT_WINDOW
    )
    if exclude_run is not None:
        runs = runs.exclude(pk=exclude_run)
    return runs.aggregate(total=Sum("credits"))["total"] or 0


def daily_activity(workspace, *, since: datetime) -> list[dict]:
    """Per day of the last 30: runs, records moved and failures, with bar heights in %."""
    rows = (
        SyncRun.objects.for_workspace(workspace)
        .filter(started_at__gte=since, dry_run=False)
        .annotate(day=TruncDate("started_at"))
        .values("day")
        .annotate(
            runs=Count("id"),
            moved=Sum(F("created_plezi") + F("updated_plezi") + F("pushed")),
            failures=Sum("failed") + Count("id", filter=Q(status=SyncRun.Status.FAILED)),
        )
    )
    by_day = {row["day"]: row for row in rows}
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in range(29, -1, -1)]
    peak = max([by_day[d]["moved"] or 0 for d in days if d in by_day] or [0]) or 1
    return [
        {
            "day": day,
            "runs": by_day.get(day, {}).get("runs", 0),
            "moved": by_day.get(day, {}).get("moved") or 0,
            "failures": by_day.get(day, {}).get("failures") or 0,
            "height": round(100 * (by_day.get(day, {}).get("moved") or 0) / peak),
        }
        for day in days
    ]
