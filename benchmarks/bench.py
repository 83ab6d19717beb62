"""The benchmark run: its database, its sandbox, its steps (each a process) and results."""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.sandbox import SandboxProcess
from benchmarks.step import RESULT

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SQLITE_FILE = RESULTS / "bench.sqlite3"
STEP_TIMEOUT = 1800


@dataclass
class Options:
    contacts: int = 100_000
    latency_ms: int = 100
    concurrency: int = 10
    only: list[str] = field(default_factory=list)
    baseline_records: int = 0  # 0: the small workspace's size, compared with its first sync
    submissions: int = 200
    form_rate: float = 5.0
    busy_leads: int = 40_000  # Zoho leads of the long run forms are submitted during
    workspaces: int = 200
    workspace_contacts: int = 1000
    profile: bool = False


@dataclass
class Row:
    """One line of the results table. `bounds`: for some figures, the least Zoho allows
    (see scenarios.wall_bound); the table shows each beside its figure, with the ratio."""

    scenario: str
    figures: dict
    target: str = ""
    met: bool | None = None
    note: str = ""
    bounds: dict = field(default_factory=dict)

    def ratios(self) -> dict:
        return {
            name: self.figures[name] / bound
            for name, bound in self.bounds.items()
            if bound and isinstance(self.figures.get(name), (int, float))
        }


class Bench:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.rows: list[Row] = []
        self.raw: dict[str, dict] = {}
        self.sandbox: SandboxProcess | None = None
        self.load_at_start = list(os.getloadavg())
        self.profiles = 0
        self.on_add = lambda: None  # the driver saves the results here, row by row
        self.database_url, self.database_label = _bench_database()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "BENCH_DATABASE_URL": self.database_url,
            "PYTHONPATH": str(ROOT),
        }

    # ---- lifecycle -----------------------------------------------------------------------
    def prepare(self) -> None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        _fresh_database(self.database_url)
        self.manage("migrate", "--no-input", "-v", "0")
        # Production settings serve hashed static files: without them every page is a 500.
        self.manage("collectstatic", "--no-input", "-v", "0")
        self.sandbox = SandboxProcess()
        self.env["ZOHO_SANDBOX_URL"] = self.sandbox.base_url

    def close(self) -> None:
        if self.sandbox:
            self.sandbox.stop()

    # ---- running things ------------------------------------------------------------------
    def manage(self, *args: str, env: dict | None = None) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env or self.env, check=True
        )

    def step(self, name: str, *, env: dict | None = None, **params) -> dict:
        """Run benchmarks.step `name` in a fresh process and return its figures."""
        params.setdefault("sandbox", self.sandbox.base_url)
        params.setdefault("concurrency", self.options.concurrency)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.step", name, json.dumps(params)],
            cwd=ROOT,
            env=env or self.env,
            stdout=subprocess.PIPE,
            text=True,
            timeout=STEP_TIMEOUT,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT)]
        if done.returncode or not lines:
            raise RuntimeError(f"Step {name} failed (exit {done.returncode}); see above.")
        result = json.loads(lines[-1][len(RESULT) :])
        result.setdefault("process_s", time.perf_counter() - started)
        return result

    def sync(self, workspace_id: int, *, latency_ms: int | None = None, **extra) -> dict:
        if self.options.profile:
            self.profiles += 1
            extra["profile"] = str(RESULTS / f"sync-{self.profiles:02d}.prof")
        sandbox_cpu = self.sandbox.cpu_seconds()
        result = self.step(
            "sync",
            workspace_id=workspace_id,
            latency_ms=self.options.latency_ms if latency_ms is None else latency_ms,
            concurrency=self.options.concurrency,
            **extra,
        )
        # The fake Zoho shares this machine: its CPU time says when it was the bottleneck.
        result["sandbox_cpu_s"] = self.sandbox.cpu_seconds() - sandbox_cpu
        return result

    def add(self, row: Row) -> None:
        self.rows.append(row)
        mark = {True: "met", False: "MISSED", None: ""}[row.met]
        print(f"  {row.scenario}: {_brief(row.figures)} {mark}", flush=True)
        self.on_add()


def _brief(figures: dict) -> str:
    return ", ".join(f"{k}={fmt(v)}" for k, v in figures.items())


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


# ---- processes ----------------------------------------------------------------------------
def start_process(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """`python ARGS` in the project, its output in `log`."""
    handle = log.open("w")
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
    )


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---- the database ------------------------------------------------------------------------
def _bench_database() -> tuple[str, str]:
    """SQLite file under results/ by default; with DATABASE_URL, a `<name>_bench` database
    on that server (created afresh, so the named database itself is never touched)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{SQLITE_FILE}", "SQLite (file, WAL)"
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "plezi"
    bench = urlunsplit(parts._replace(path=f"/{name}_bench"))
    return bench, f"PostgreSQL ({parts.hostname}, database {name}_bench)"


def _fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
