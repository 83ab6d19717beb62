"""Selectors of the sync pages: filtered runs, the words of counters, the schedule, the chart."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_q.models import Schedule

from integration.models import SyncRun, ZohoConnection

Outcome = SyncRun.Outcome
# A record left behind: the run ended, the marketer has something to fix.
_LEFT_BEHIND = Q(skipped__gt=0) | Q(failed__gt=0)
OUTCOME_FILTERS = {
    Outcome.RUNNING: Q(status=SyncRun.Status.RUNNING),
    Outcome.SUCCESS: Q(status=SyncRun.Status.SUCCESS) & ~_LEFT_BEHIND,
    Outcome.ATTENTION: Q(status=SyncRun.Status.PARTIAL)
    | (Q(status=SyncRun.Status.SUCCESS) & _LEFT_BEHIND),
    Outcome.FAILED: Q(status=SyncRun.Status.FAILED),
}
# Addresses bookmarked before "Needs attention" named the partial runs.
OUTCOME_FILTERS["partial"] = OUTCOME_FILTERS[Outcome.ATTENTION]


def runs_filtered(workspace, *, status: str | None = None, trigger: str | None = None):
    runs = SyncRun.objects.for_workspace(workspace)
    if status in OUTCOME_FILTERS:
        runs = runs.filter(OUTCOME_FILTERS[status])
    if trigger in SyncRun.Trigger.values:
        runs = runs.filter(trigger=trigger)
    return runs


def latest_run(workspace) -> SyncRun | None:
    """The run the latest-run card shows: a fast-lane run (`within`) belongs to the run
    it ran inside, which may go on long after it."""
    return SyncRun.objects.for_workspace(workspace).filter(within__isnull=True).first()


def runs_signature(workspace) -> str:
    """Changes whenever a run of the workspace starts or ends, fast-lane runs included."""
    runs = SyncRun.objects.for_workspace(workspace).aggregate(
        latest=Max("pk"), running=Count("pk", filter=Q(status=SyncRun.Status.RUNNING))
    )
    return f"{runs['latest'] or 0}:{runs['running']}"


def last_finished_run(workspace) -> SyncRun | None:
    """The latest run that ended and wrote (a preview changes nothing to act on)."""
    runs = SyncRun.objects.for_workspace(workspace).filter(dry_run=False)
    return runs.exclude(status=SyncRun.Status.RUNNING).first()


# One word per counter, the same on the history, a run's page and the latest-run card.
COUNTS = {  # in pairs, Zoho's side and Plezi's, as a run's page lays them out
    "pulled": _("Read from Zoho"),
    "pushed": _("Sent to Zoho"),
    "created_plezi": _("Created in Plezi"),
    "created_zoho": _("Created in Zoho"),
    "updated_plezi": _("Updated in Plezi"),
    "updated_zoho": _("Updated in Zoho"),
    "echoes": _("Unchanged"),
    "conflicts": _("Conflicts"),
    "skipped": _("Skipped"),
    "failed": pgettext_lazy("records", "Failed"),
}
# The short list, where a run is one line among others.
SUMMARY_COUNTS = ("pulled", "created_plezi", "updated_plezi", "pushed", "skipped", "failed")


@dataclass(frozen=True)
class RunCount:
    key: str
    label: str
    value: int


def run_counts(run: SyncRun, keys=tuple(COUNTS)) -> list[RunCount]:
    return [RunCount(key, COUNTS[key], getattr(run, key)) for key in keys]


def summary_labels() -> list[str]:
    return [COUNTS[key] for key in SUMMARY_COUNTS]


# Created by migration 0003 under this name; operators may retime it in the admin.
EVERY_TWO_HOURS = "Zoho sync: every two hours"


@dataclass(frozen=True)
class AutomaticSync:
    last: SyncRun | None
    next_at: datetime | None  # None: the schedule is gone or paused

    @property
    def overdue(self) -> bool:
        return self.next_at is not None and self.next_at <= timezone.now()


def automatic_sync(workspace) -> AutomaticSync:
    """The workspace's last scheduled run and when the schedule next fires."""
    last = SyncRun.objects.for_workspace(workspace).filter(trigger=SyncRun.Trigger.SCHEDULE)
    schedule = Schedule.objects.filter(name=EVERY_TWO_HOURS).first()
    next_at = schedule.next_run if schedule and schedule.repeats != 0 else None
    return AutomaticSync(last=last.first(), next_at=next_at)


CREDIT_WINDOW = timedelta(hours=24)  # Zoho grants credits over a rolling 24 hours


def credits_spent(workspace, *, exclude_run: int | None = None) -> int:
    """Zoho credits the sync runs started in the last 24 hours cost, as Zoho prices them."""
    runs = SyncRun.objects.for_workspace(workspace).filter(
        started_at__gte=timezone.now() - CREDIT_WINDOW
    )
    if exclude_run is not None:
        runs = runs.exclude(pk=exclude_run)
    return runs.aggregate(total=Sum("credits"))["total"] or 0


CHART_DAYS = 30


@dataclass(frozen=True)
class ChartDay:
    day: date
    runs: int
    changed: int  # records created or updated, on either side
    left_behind: int  # records skipped or failed
    failed_runs: int
    height: int  # % of the busiest day

    @property
    def needs_attention(self) -> bool:
        return bool(self.left_behind or self.failed_runs)


@dataclass(frozen=True)
class Chart:
    days: list[ChartDay]
    peak: int

    @property
    def total(self) -> int:
        return sum(day.changed for day in self.days)


def daily_activity(workspace) -> Chart:
    """Per day of the last 30 (previews left out): records changed, left behind, failed runs."""
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    since = timezone.make_aware(datetime.combine(days[0], time.min))
    by_day = _activity_by_day(workspace, since)
    peak = max((row["changed"] or 0 for row in by_day.values()), default=0)
    return Chart(days=[_chart_day(day, by_day.get(day, {}), peak) for day in days], peak=peak)


def _activity_by_day(workspace, since: datetime) -> dict[date, dict]:
    rows = (
        SyncRun.objects.for_workspace(workspace)
        .filter(started_at__gte=since, dry_run=False)
        .annotate(day=TruncDate("started_at"))
        .values("day")
        .annotate(
            runs=Count("id"),
            changed=Sum(F("created_plezi") + F("updated_plezi") + F("pushed")),
            left_behind=Sum(F("skipped") + F("failed")),
            failed_runs=Count("id", filter=Q(status=SyncRun.Status.FAILED)),
        )
    )
    return {row["day"]: row for row in rows}


def _chart_day(day: date, row: dict, peak: int) -> ChartDay:
    changed = row.get("changed") or 0
    return ChartDay(
        day=day,
        runs=row.get("runs", 0),
        changed=changed,
        left_behind=row.get("left_behind") or 0,
        failed_runs=row.get("failed_runs", 0),
        height=round(100 * changed / peak) if peak else 0,
    )


NOT_CONNECTED = "not_connected"
NEEDS_RECONNECT = "needs_reconnect"


def sync_blocked(workspace) -> str:
    """Why no sync can start now (the runner would fail it at once): NOT_CONNECTED,
    NEEDS_RECONNECT, or empty when one can."""
    connection = ZohoConnection.objects.for_workspace(workspace).first()
    if connection is None or not connection.refresh_token:
        return NOT_CONNECTED
    if connection.status == ZohoConnection.Status.NEEDS_RECONNECT:
        return NEEDS_RECONNECT
    return ""
