"""Things going wrong: Zoho's faults (in the sandbox) and workers killed with SIGKILL.

Faults are the sandbox's probabilistic ones, on every CRM call and token refresh. Kills
alternate between one process of a cluster (preferably a worker in the middle of Zoho
calls; its sentinel starts a new one) and a whole cluster (every process of it, as when
a machine dies), which is then started again.
"""

import os
import random
import signal
import threading
import time
from dataclasses import dataclass

from soak.processes import Supervisor, descendants, talking_to
from zoho_sandbox.testing import SandboxHandle

CRM, TOKEN = "^/crm/v8/", "^/oauth/v2/token$"
FAULTS = [
    {"path": CRM, "kind": "error", "status": 500, "rate": 0.03},
    {"path": CRM, "kind": "error", "status": 503, "rate": 0.02},
    {"path": CRM, "kind": "error", "status": 429, "rate": 0.02},  # no Retry-After, as Zoho
    {"path": CRM, "kind": "expire_token", "rate": 0.004},  # about every 250 calls
    {"path": CRM, "kind": "drop", "rate": 0.01},
    {"path": CRM, "kind": "slow", "delay_ms": 1500, "rate": 0.02},
    {"path": TOKEN, "kind": "error", "status": 500, "rate": 0.05},
    {"path": TOKEN, "kind": "drop", "rate": 0.01},
]


def faults_on(sandbox: SandboxHandle, seed: int) -> None:
    for n, spec in enumerate(FAULTS):
        sandbox.add_fault(method="*", seed=seed + n, **spec)


@dataclass
class Trial:
    at: float
    mode: str  # "worker" | "cluster"
    cluster: str
    pid: int
    busy: bool  # the killed process had a connection open to Zoho
    back_at: float = 0.0  # when the cluster was started again (cluster kills)


class Killer(threading.Thread):
    """Kills at `count` moments spread over the workload, at random within their slot."""

    def __init__(
        self,
        supervisor: Supervisor,
        clusters: list[str],
        *,
        count: int,
        start: float,
        duration: float,
        sandbox_port: int,
        rng: random.Random,
        stop: threading.Event,
        spare: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        """`spare`: a (from, to) window of time with no kill (the burst checks coalescing,
        not recovery); a kill due in it waits for its end."""
        super().__init__(name="killer", daemon=True)
        self.supervisor, self.clusters, self.port = supervisor, clusters, sandbox_port
        self.rng, self.stop = rng, stop
        slot = duration * 0.85 / max(count, 1)
        moments = [start + 5 + slot * (n + rng.uniform(0.1, 0.9)) for n in range(count)]
        self.moments = [
            spare[1] + n if spare[0] <= moment < spare[1] else moment
            for n, moment in enumerate(moments)
        ]
        self.trials: list[Trial] = []
        self.lock = threading.Lock()

    def run(self) -> None:
        mode = self.rng.choice(["worker", "cluster"])
        for moment in self.moments:
            if self.stop.wait(max(0.0, moment - time.time())):
                return
            cluster = self.rng.choice(self.clusters)
            trial = self._kill_worker(cluster) if mode == "worker" else self._kill_cluster(cluster)
            with self.lock:
                self.trials.append(trial)
            mode = "cluster" if mode == "worker" else "worker"

    def _kill_worker(self, cluster: str) -> Trial:
        main = self.supervisor.children[cluster].popen.pid
        sentinels = set(descendants_one_level(main))
        deadline = time.time() + 3
        while True:
            processes = [p for p in descendants(main) if p not in sentinels]
            busy = talking_to(processes, self.port)
            if busy or time.time() > deadline:
                break
            time.sleep(0.05)
        pid = self.rng.choice(busy or processes)
        os.kill(pid, signal.SIGKILL)
        return Trial(time.time(), "worker", cluster, pid, bool(busy))

    def _kill_cluster(self, cluster: str) -> Trial:
        child = self.supervisor.children[cluster]
        busy = bool(talking_to(descendants(child.popen.pid), self.port))
        trial = Trial(time.time(), "cluster", cluster, child.popen.pid, busy)
        self.supervisor.kill(cluster)
        time.sleep(self.rng.uniform(1, 3))
        self.supervisor.restart(cluster)
        trial.back_at = time.time()
        return trial


def descendants_one_level(pid: int) -> list[int]:
    """The direct children of `pid` (a qcluster's sentinel)."""
    below = descendants(pid)
    return [p for p in below if _parent(p) == pid]


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return -1


@dataclass
class QuietTrial:
    """A kill in a quiet workspace, then one click: is that click served by itself?"""

    slug: str
    killed_run: int | None = None
    clicked_at: float = 0.0
    served_after: float | None = None  # seconds from the click to a completed run
    waited: float = 0.0
    dead_run_status: str = ""


def quiet_trial(supervisor: Supervisor, clusters: list[str], marketer, sandbox, tenant, *,
                lease_seconds: float) -> tuple[QuietTrial, list[Trial]]:  # fmt: skip
    """Nothing else runs: a run of `tenant` is killed with every cluster (a machine dies),
    the clusters restart, and the marketer, seeing the run stuck, clicks once more.

    The click must be served without any other trigger, within the lease and two minutes
    (time for a periodic recovery task to notice).
    """
    from django.utils import timezone

    from integration.models import SyncRun

    trial = QuietTrial(tenant.slug)
    # Slow Zoho answers keep the run going long enough to be killed in the middle.
    sandbox.add_fault(path=CRM, method="*", kind="slow", delay_ms=3000, times=4)
    since = timezone.now()
    marketer.sync_now()
    runs = SyncRun.objects.filter(workspace_id=tenant.workspace_id, started_at__gte=since)
    deadline = time.time() + 30
    while time.time() < deadline and not runs.filter(status=SyncRun.Status.RUNNING).exists():
        time.sleep(0.1)
    running = runs.filter(status=SyncRun.Status.RUNNING).first()
    trial.killed_run = running.pk if running else None
    time.sleep(1)
    kills = []
    for name in clusters:
        kills.append(Trial(time.time(), "cluster", name, supervisor.children[name].popen.pid, True))
        supervisor.kill(name)
    sandbox.clear_faults()
    for name, kill in zip(clusters, kills, strict=True):
        supervisor.restart(name)
        kill.back_at = time.time()
    trial.clicked_at, clicked = time.time(), timezone.now()
    marketer.sync_now()
    later = SyncRun.objects.filter(workspace_id=tenant.workspace_id, started_at__gte=clicked)
    limit = time.time() + lease_seconds + 120
    while time.time() < limit:
        done = later.exclude(status=SyncRun.Status.RUNNING).order_by("started_at").first()
        if done:
            trial.served_after = done.ended_at.timestamp() - trial.clicked_at
            break
        time.sleep(0.5)
    trial.waited = time.time() - trial.clicked_at
    if trial.killed_run:
        trial.dead_run_status = SyncRun.objects.get(pk=trial.killed_run).status
    return trial, kills
