"""The soak from start to end: set up, load with faults and kills, converge, check, report.

Phases: the processes (sandbox, gunicorn, two qclusters) on a fresh database and Redis
index; the world (workspaces connected through the real service, data on both sides,
a first sync); the workload for `--duration` seconds with faults on and kill trials;
then faults off, one more sync per workspace, the checks, and the secrets scan over the
database dump, the logs and Redis once every process has stopped.
"""

import contextlib
import fcntl
import json
import logging
import os
import random
import signal
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

from soak import environment
from soak.processes import PYTHON, Supervisor, free_port, wait_for_line

CLUSTERS = ["qcluster-a", "qcluster-b"]
QUEUE_KEY = "django_q:plezi-zoho:q"


def say(text: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {text}", flush=True)


class Soak:
    def __init__(self, options) -> None:
        self.options = options
        self.logs = Path(options.logs or tempfile.mkdtemp(prefix="plezi-soak-"))
        self.logs.mkdir(parents=True, exist_ok=True)
        self.supervisor = Supervisor(env={}, logs=self.logs)
        self.rng = random.Random(options.seed)
        self.figures: dict = {}
        self.knobs = environment.knobs(production=options.production_timings)

    # ---- the whole run ------------------------------------------------------------------
    def main(self) -> int:
        signal.signal(signal.SIGTERM, _terminate)
        _only_soak(self.options.database_url)
        say(f"logs and dump in {self.logs}")
        try:
            self._processes()
            self._world()
            self._workload()
            self._converge()
        except RuntimeError as error:  # a phase that never finished: a finding, not a crash
            self.supervisor.stop_all()
            say(f"STOPPED: {error}. See the logs in {self.logs}.")
            return 2
        finally:
            self.supervisor.stop_all()
        from soak import report, secrets_scan

        self.figures["secrets"] = secrets_scan.scan(
            secrets_file=self.logs / "sandbox-secrets.json",
            database_url=self.options.database_url,
            redis_url=self.options.redis_url,
            logs=self.logs,
        )
        return report.print_figures(self.figures, self.options)

    # ---- processes ----------------------------------------------------------------------
    def _processes(self) -> None:
        options = self.options
        environment.database_reset(options.database_url)
        environment.redis_reset(options.redis_url)
        secrets_file = self.logs / "sandbox-secrets.json"
        sandbox = self.supervisor.start(
            "sandbox",
            [PYTHON, "-m", "soak.sandbox", "--port", "0", "--secrets", str(secrets_file)]
            + (["--access-token-ttl", "3600"] if options.production_timings else []),
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.sandbox_url = wait_for_line(sandbox.log, "Zoho sandbox on ").split()[-1]
        self.web_port = free_port()
        env = environment.child_env(
            database_url=options.database_url,
            redis_url=options.redis_url,
            web_port=self.web_port,
            sandbox_url=self.sandbox_url,
            production=options.production_timings,
        )
        self.supervisor.env = env
        self._django(env)
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.supervisor.start("web", _gunicorn(self.web_port))
        for name in CLUSTERS:
            self.supervisor.start(name, [PYTHON, "manage.py", "run_workers"])
        _wait_http(f"{self.web_url}/accounts/login/")
        say(f"sandbox {self.sandbox_url}, web {self.web_url}, clusters {', '.join(CLUSTERS)}")

    def _django(self, env: dict) -> None:
        for name in environment.DROPPED:
            os.environ.pop(name, None)
        os.environ.update(env)
        import django
        from django.core.management import call_command

        with (self.logs / "driver.log").open("a") as log, contextlib.redirect_stderr(log):
            django.setup()  # its log lines (and the settings' console handler) go to the file
        _log_to(self.logs / "driver.log")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)

    # ---- the world ----------------------------------------------------------------------
    def _world(self) -> None:
        from soak import world
        from soak.ledger import Ledger
        from zoho_sandbox.testing import SandboxHandle

        self.sandbox = SandboxHandle(self.sandbox_url)
        # The product's reads of each lead, beside its writes: what the edits check needs to
        # tell Zoho's read-then-write window (soak/verify.py).
        self.sandbox.set_limits(log_reads=True)
        self.ledger = Ledger(self.options.seed)
        options = self.options
        self.tenants = world.build(
            self.sandbox,
            self.ledger,
            workspaces=options.workspaces,
            contacts=options.contacts,
            leads=options.leads,
        )
        say(f"{len(self.tenants)} workspaces connected; first sync of each")
        self._sync_everywhere(timeout=180)
        self.sandbox.reset_stats()

    def _sync_everywhere(self, *, timeout: float) -> float:
        """Click "Synchronise now" in every workspace; wait for those runs and the queue."""
        from django.utils import timezone

        from soak.web import Marketer

        self._wait_quiet(timeout)
        since = timezone.now()
        for tenant in self.tenants:
            Marketer(self.web_url, tenant.slug, tenant.email, tenant.password).sync_now()
        started = time.time()
        self._wait_runs(since, timeout)
        return time.time() - started

    # ---- the workload -------------------------------------------------------------------
    def _workload(self) -> None:
        from soak import chaos, workload

        options = self.options
        chaos.faults_on(self.sandbox, options.seed)
        stage = workload.Stage(self.tenants, self.ledger, self.web_url, self.sandbox_url)
        people = workload.People(stage)
        actors = workload.cast(stage, people, seed=options.seed, scale=1.0)
        start = time.time()
        burst_at = start + options.duration * 0.45
        lease = float(self.knobs["SYNC_LEASE_SECONDS"])
        killer = chaos.Killer(
            self.supervisor,
            CLUSTERS,
            count=options.kills,
            start=start,
            duration=options.duration,
            sandbox_port=urlsplit(self.sandbox_url).port,
            rng=random.Random(options.seed + 7),
            stop=stage.stop,
            spare=(burst_at - lease - 5, burst_at + 15),
        )
        burst = _Later(burst_at - start, workload.burst, stage, people, self.rng)
        say(f"workload for {options.duration:.0f} s with faults on and {options.kills} kills")
        for thread in [*actors, killer, burst]:
            thread.start()
        stage.stop.wait(options.duration)
        stage.stop.set()
        for thread in [*actors, killer, burst]:
            thread.join(120)
        self.figures.update(
            stage=stage,
            trials=killer.trials,
            burst=burst.result,
            workload_seconds=options.duration,
            workload_end=time.time(),
        )
        say(f"workload done: {self.ledger.tally.total()} operations, {len(killer.trials)} kills")

    # ---- converge and check -------------------------------------------------------------
    def _converge(self) -> None:
        from soak import verify

        stats = self.sandbox.stats()
        self.sandbox.clear_faults()
        self._revive_clusters()
        self._quiet_trial()
        faults_off = time.time()
        say("faults off; one more sync in every workspace")
        self._sync_everywhere(timeout=240)
        leads, contacts = self.sandbox.records("Leads"), self.sandbox.records("Contacts")
        writes, reads = self.sandbox.writes(), self.sandbox.reads()
        self._keep_for_post_mortem(leads, contacts, writes)
        zoho = verify.Zoho(leads, contacts, writes, reads)
        findings = verify.check(self.tenants, self.ledger, zoho)
        self.figures.update(
            converge_seconds=time.time() - faults_off,
            findings=findings,
            runs=verify.check_runs(self.tenants),
            trial_results=verify.check_trials(self.figures["trials"], self.tenants),
            burst_result=verify.check_burst(
                self.figures["burst"], self.tenants, zoho, self.figures["workload_end"]
            ),
            forms=verify.check_forms(
                self.ledger.submissions,
                writes,
                self.figures["trials"],
                lease=float(self.knobs["SYNC_LEASE_SECONDS"]),
                recover=float(self.knobs["SYNC_RECOVER_SECONDS"]),
            ),
            zoho_stats=stats,
            ledger=self.ledger,
            reincarnations=_count_lines(self.logs, "reincarnated"),
        )

    def _keep_for_post_mortem(self, leads: list[dict], contacts: list[dict], zoho_writes) -> None:
        """Zoho's final records, its write log and the ledger's writes, next to the logs."""
        writes = [
            {"workspace": slug, "email": email, "field": key, **asdict(write)}
            for (slug, email, key), history in self.ledger.writes.items()
            for write in history
        ]
        kept = {"zoho-leads": leads, "zoho-contacts": contacts, "zoho-writes": zoho_writes}
        for name, data in {**kept, "writes": writes}.items():
            (self.logs / f"{name}.json").write_text(json.dumps(data, default=str))

    def _quiet_trial(self) -> None:
        from datetime import timedelta

        from django.utils import timezone
        from django_q.models import Schedule

        from soak import chaos
        from soak.web import Marketer
        from soak.workload import SCHEDULE_NAME

        # No trigger but the marketer's click: the schedule is not due for two hours.
        Schedule.objects.filter(name=SCHEDULE_NAME).update(
            next_run=timezone.now() + timedelta(hours=2)
        )
        lease = float(self.knobs["SYNC_LEASE_SECONDS"])
        self._wait_quiet(lease + 60)
        tenant = self.rng.choice(self.tenants)
        say(f"quiet trial in {tenant.slug}: kill its run with both clusters, then click once")
        marketer = Marketer(self.web_url, tenant.slug, tenant.email, tenant.password)
        trial, kills = chaos.quiet_trial(
            self.supervisor, CLUSTERS, marketer, self.sandbox, tenant, lease_seconds=lease
        )
        self.figures["quiet_trial"] = trial
        self.figures["trials"].extend(kills)

    def _revive_clusters(self) -> None:
        for name in CLUSTERS:
            if not self.supervisor.children[name].alive:
                say(f"{name} had stopped by itself: starting it again")
                self.figures.setdefault("clusters_died", []).append(name)
                self.supervisor.restart(name)

    def _wait_quiet(self, timeout: float) -> None:
        """No task queued, no lease held, for three seconds in a row."""
        import redis
        from django.db.models import Q
        from django.utils import timezone

        from integration.models import SyncLock

        client = redis.Redis.from_url(self.options.redis_url)
        deadline, calm_since = time.time() + timeout, None
        while time.time() < deadline:
            held = SyncLock.objects.filter(~Q(holder=""), lease_until__gt=timezone.now()).exists()
            if client.llen(QUEUE_KEY) == 0 and not held:
                calm_since = calm_since or time.time()
                if time.time() - calm_since >= 3:
                    return
            else:
                calm_since = None
            time.sleep(0.5)
        raise RuntimeError(f"the workers did not go quiet within {timeout:.0f} s")

    def _wait_runs(self, since, timeout: float) -> None:
        """Every workspace has a finished run that started after `since`, and all is quiet."""
        from integration.models import SyncRun

        deadline = time.time() + timeout
        ids = [t.workspace_id for t in self.tenants]
        while time.time() < deadline:
            done = set(
                SyncRun.objects.filter(workspace_id__in=ids, started_at__gte=since)
                .exclude(status=SyncRun.Status.RUNNING)
                .values_list("workspace_id", flat=True)
            )
            if done >= set(ids):
                self._wait_quiet(max(5.0, deadline - time.time()))
                return
            time.sleep(0.5)
        raise RuntimeError(f"the last sync runs did not finish within {timeout:.0f} s")


class _Later(threading.Thread):
    """Runs `work(*args)` once, `delay` seconds after start, unless the stage stops first."""

    def __init__(self, delay: float, work, stage, *args) -> None:
        super().__init__(name="burst", daemon=True)
        self.delay, self.work, self.stage, self.args = delay, work, stage, args
        self.result = None

    def run(self) -> None:
        if not self.stage.stop.wait(self.delay):
            self.result = self.work(self.stage, *self.args)


def _gunicorn(port: int) -> list[str]:
    return [
        PYTHON, "-m", "gunicorn", "config.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", "3",
        "--timeout", "60",
        "--access-logfile", "-",
        "--error-logfile", "-",
    ]  # fmt: skip


def _wait_http(url: str, seconds: float = 60) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass  # still starting
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def _log_to(path: Path) -> None:
    """The driver's own log lines go to a file (scanned for secrets like the others)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)


def _count_lines(logs: Path, text: str) -> int:
    return sum(path.read_text(errors="replace").count(text) for path in logs.glob("qcluster-*.log"))


def _only_soak(database_url: str) -> None:
    """Two soaks on one database and Redis index would drop each other's data: refuse."""
    name = urlsplit(database_url).path.strip("/") or "soak"
    lock = open(Path(tempfile.gettempdir()) / f"{name}.lock", "w")  # noqa: SIM115 - held until exit
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit(f"Another soak is running on {name}: wait for it to end.") from None
    _held.append(lock)


_held: list = []  # the lock file stays open (and locked) for the life of the process


def _terminate(signum: int, frame: object) -> None:
    sys.exit(128 + signum)  # unwinds through `main`, which stops every child
