"""Recording a run as it goes: counters, progress and issue rows, written in bulk."""

from collections import Counter

from django.utils import timezone

from integration.models import SyncIssue, SyncRun
from integration.zoho.errors import scrub


class Recorder:
    """Collects what a run did and writes it to its `SyncRun` at each checkpoint."""

    def __init__(self, run: SyncRun) -> None:
        self.run = run
        self.counts: Counter[str] = Counter()
        self.pending: list[SyncIssue] = []

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] += n

    def issue(
        self, *, kind: SyncIssue.Kind, direction: SyncIssue.Direction, message: str, **fields
    ) -> None:
        self.pending.append(
            SyncIssue(
                run=self.run,
                workspace_id=self.run.workspace_id,
                kind=kind,
                direction=direction,
                message=scrub(message),
                **fields,
            )
        )
        if kind in (SyncIssue.Kind.ERROR, SyncIssue.Kind.SKIPPED):
            self.count("failed" if kind == SyncIssue.Kind.ERROR else "skipped")
        elif kind == SyncIssue.Kind.CONFLICT:
            self.count("conflicts")

    def progress(self, *, phase: str | None = None, done: int | None = None, total=None) -> None:
        if phase is not None:
            self.run.phase = phase
        if done is not None:
            self.run.done = done
        if total is not None:
            self.run.total = total

    def checkpoint(self, *, client=None, extra: tuple[str, ...] = ()) -> None:
        """Write counters, progress, `extra` fields and new issues (one UPDATE, one INSERT)."""
        if self.pending:
            SyncIssue.objects.bulk_create(self.pending, batch_size=500)
            self.pending = []
        for name in SyncRun.COUNTERS:
            setattr(self.run, name, self.counts[name])
        if client is not None:
            self.run.api_calls = client.stats.calls
            self.run.credits = client.stats.credits
        self.run.heartbeat_at = timezone.now()
        fields = [*SyncRun.COUNTERS, "api_calls", "credits", "phase", "done", "total", *extra]
        SyncRun.objects.filter(pk=self.run.pk).update(
            heartbeat_at=self.run.heartbeat_at, **{f: getattr(self.run, f) for f in fields}
        )
