"""`python -m benchmarks.step NAME JSON`: one step in a fresh process, its figures as JSON.

A fresh process per measured sync, so that its peak RSS and CPU time are the sync's
own. The driver starts these; the last line of stdout is `RESULT {json}`.
"""

import json
import os
import resource
import sys
import time
from contextlib import contextmanager

import django

RESULT = "RESULT "
STEP_WAIT = 1200  # seconds a step waits for a run to end


class QueryCounter:
    """Counts SQL statements on the main thread's connection (keeps no SQL text)."""

    def __init__(self) -> None:
        self.count = 0
        self.kinds: dict[str, int] = {}

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        kind = " ".join(sql.split()[:4])[:80]
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        return execute(sql, params, many, context)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def handle(params: dict, org: int | None = None):
    import requests

    from benchmarks.sandbox import ORG_HEADER
    from zoho_sandbox.testing import SandboxHandle

    session = requests.Session()
    if org is not None:
        session.headers[ORG_HEADER] = str(org)
    return SandboxHandle(params["sandbox"], session)


@contextmanager
def _profiled(path: str | None):
    """cProfile around the measured work when asked (`--profile`): a .prof file."""
    if not path:
        yield
        return
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(path)


# ---- steps ---------------------------------------------------------------------------------
def step_setup(params: dict) -> dict:
    from benchmarks import data
    from benchmarks.sandbox import prepare_org

    sandbox = handle(params)
    prepare_org(sandbox)
    started = time.perf_counter()
    manifest = data.setup(
        slug=params["slug"],
        handle=sandbox,
        plezi=params["plezi"],
        zoho=params["zoho"],
        concurrency=params["concurrency"],
    )
    return {**manifest.as_dict(), "seconds": time.perf_counter() - started}


def step_touch(params: dict) -> dict:
    from benchmarks import data

    return data.touch(manifest=params["manifest"], handle=handle(params), every=params["every"])


def step_sync(params: dict) -> dict:
    """One sync run of a workspace, measured: wall, CPU, peak RSS, SQL, Zoho calls."""
    from django.db import connection

    from integration.sync.runner import sync_run

    if params.get("baseline"):
        from benchmarks import baseline

        baseline.install()
    sandbox = handle(params)
    sandbox.set_limits(latency_ms=params["latency_ms"], max_concurrency=params["concurrency"])
    sandbox.reset_stats()
    rss_before = peak_rss_mb()
    counter = QueryCounter()
    cpu_started, started = cpu_seconds(), time.perf_counter()
    with connection.execute_wrapper(counter), _profiled(params.get("profile")):
        run = sync_run(workspace_id=params["workspace_id"], trigger="command")
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    stats = sandbox.stats()
    return {
        "status": run.status,
        "error": run.error,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": rss_before,
        "sql_queries": counter.count,
        "sql_kinds": dict(sorted(counter.kinds.items(), key=lambda kv: -kv[1])[:12]),
        "api_calls": stats["total_calls"],
        "credits": stats["credits_used"],
        "max_in_flight": stats["max_concurrency_seen"],
        "throttled": stats["throttled"],
        "run_api_calls": run.api_calls,
        "pulled": run.pulled,
        "pushed": run.pushed,
        "created_plezi": run.created_plezi,
        "updated_plezi": run.updated_plezi,
        "created_zoho": run.created_zoho,
        "updated_zoho": run.updated_zoho,
        "echoes": run.echoes,
        "conflicts": run.conflicts,
        "failed": run.failed,
        "skipped": run.skipped,
    }


def _schedules_later() -> None:
    """The migrated two-hour schedule would fire as soon as a cluster starts: not now."""
    from datetime import timedelta

    from django.utils import timezone
    from django_q.models import Schedule

    Schedule.objects.update(next_run=timezone.now() + timedelta(days=1))


def step_forms_setup(params: dict) -> dict:
    """A connected workspace with a public form (email, first and last name), and
    `zoho_leads` leads in Zoho for its first sync."""
    from accounts.models import Workspace
    from benchmarks import data
    from benchmarks.sandbox import prepare_org
    from contacts.models import Field
    from contacts.services import form_save

    sandbox = handle(params)
    prepare_org(sandbox)
    if params.get("zoho_leads"):
        sandbox.seed("Leads", params["zoho_leads"])
    workspace = data.workspace_connected(
        slug=params["slug"], handle=sandbox, concurrency=params["concurrency"]
    )
    fields = Field.objects.for_workspace(workspace).filter(key__in=["first_name", "last_name"])
    form = form_save(
        workspace=Workspace.objects.get(pk=workspace.pk),
        name="Benchmark form",
        fields=list(fields),
        thank_you_message="Thanks!",
    )
    _schedules_later()
    return {"workspace_id": workspace.pk, "token": form.token}


def step_forms_long_run(params: dict) -> dict:
    """Click "Synchronise now" (a first sync, the whole org) and wait until a worker runs it."""
    from django.db import transaction

    from integration.models import SyncRun
    from integration.services.sync import sync_enqueue

    with transaction.atomic():
        sync_enqueue(workspace_id=params["workspace_id"], trigger=SyncRun.Trigger.MANUAL)
    runs = SyncRun.objects.filter(workspace_id=params["workspace_id"], within=None)
    deadline = time.monotonic() + 60
    while not (run := runs.filter(status=SyncRun.Status.RUNNING, pulled__gt=0).first()):
        if time.monotonic() > deadline:
            raise RuntimeError("No worker started the long run within 60 s")
        time.sleep(0.2)
    return {"run_id": run.pk}


def step_forms_long_run_end(params: dict) -> dict:
    """Wait for the long run's end: was it still going when the last form's lead was seen?"""
    from integration.models import SyncRun

    run = SyncRun.objects.get(pk=params["run_id"])
    deadline = time.monotonic() + STEP_WAIT
    while run.status == SyncRun.Status.RUNNING and time.monotonic() < deadline:
        time.sleep(1)
        run.refresh_from_db()
    last_seen = params["last_seen_epoch"]
    return {
        "status": run.status,
        "wall_s": (run.ended_at - run.started_at).total_seconds() if run.ended_at else None,
        "pulled": run.pulled,
        "still_going_at_last_lead": last_seen is not None
        and run.ended_at is not None
        and run.ended_at.timestamp() > last_seen,
        "fast_lane_runs": run.fast_lane_runs.count(),
    }


def step_fanout_setup(params: dict) -> dict:
    """`workspaces` workspaces, each connected to its own sandbox org, each of `contacts`
    Plezi contacts and as many Zoho records."""
    from benchmarks import data
    from benchmarks.sandbox import prepare_org
    from integration.models import ZohoConnection

    # Earlier scenarios' orgs are gone with their sandbox: the fan-out covers these only.
    ZohoConnection.objects.exclude(workspace__slug__startswith="fan-").delete()
    started, ids = time.perf_counter(), []
    for n in range(params["workspaces"]):
        sandbox = handle(params, org=n)
        prepare_org(sandbox)
        manifest = data.setup(
            slug=f"fan-{n:03d}",
            handle=sandbox,
            plezi=params["contacts"],
            zoho=params["contacts"],
            concurrency=params["concurrency"],
        )
        ids.append(manifest.workspace_id)
    for n in range(params["workspaces"]):
        handle(params, org=n).set_limits(
            latency_ms=params["latency_ms"], max_concurrency=params["concurrency"]
        )
    _schedules_later()
    return {"workspace_ids": ids, "seconds": time.perf_counter() - started}


def step_fanout_trigger(params: dict) -> dict:
    """What the two-hour schedule does: one task that enqueues a run per workspace."""
    from django.utils import timezone
    from django_q.tasks import async_task

    at = timezone.now()
    async_task("integration.tasks.sync_all_connected", task_name="benchmark fan-out")
    return {"at": at.isoformat()}


def step_fanout_wait(params: dict) -> dict:
    """Wait until every workspace has a finished run since the trigger; their figures."""
    from datetime import datetime

    from integration.models import SyncRun

    since = datetime.fromisoformat(params["at"])
    ids, deadline = params["workspace_ids"], time.monotonic() + params["timeout"]
    runs = SyncRun.objects.filter(workspace_id__in=ids, started_at__gte=since)
    while time.monotonic() < deadline:
        finished = runs.exclude(status=SyncRun.Status.RUNNING)
        if finished.values("workspace_id").distinct().count() >= len(ids):
            break
        time.sleep(1)
    rows = list(runs.values("status", "started_at", "ended_at", "api_calls", "pulled", "pushed"))
    done = [r for r in rows if r["ended_at"]]
    durations = sorted((r["ended_at"] - r["started_at"]).total_seconds() for r in done)
    span = (
        (max(r["ended_at"] for r in done) - min(r["started_at"] for r in done)).total_seconds()
        if done
        else None
    )
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return {
        "workspaces": len(ids),
        "runs": len(rows),
        "finished": len(done),
        "statuses": statuses,
        "span_s": span,
        "first_run_after_s": (min(r["started_at"] for r in rows) - since).total_seconds()
        if rows
        else None,
        "run_p50_s": durations[len(durations) // 2] if durations else None,
        "run_p95_s": durations[max(0, int(len(durations) * 0.95) - 1)] if durations else None,
        "busy_s": sum(durations),
        "api_calls": sum(r["api_calls"] for r in rows),
        "pulled": sum(r["pulled"] for r in rows),
        "pushed": sum(r["pushed"] for r in rows),
    }


STEPS = {
    "fanout_setup": step_fanout_setup,
    "fanout_trigger": step_fanout_trigger,
    "fanout_wait": step_fanout_wait,
    "setup": step_setup,
    "touch": step_touch,
    "sync": step_sync,
    "forms_setup": step_forms_setup,
    "forms_long_run": step_forms_long_run,
    "forms_long_run_end": step_forms_long_run_end,
}


def main() -> int:
    name, params = sys.argv[1], json.loads(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    django.setup()
    result = STEPS[name](params)
    print(RESULT + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
