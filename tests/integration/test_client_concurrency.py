"""Limits shared by processes: Zoho's concurrency cap and the token refresh row lock.

Each test starts real processes that share the test's database (and Redis),
as django-q2 workers on several machines would.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture
def shared_db(request, tmp_path, zoho) -> dict:
    """Environment for worker processes: a database they share with this test."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "ZOHO_SANDBOX_URL": zoho.base_url, "REDIS_URL": ""}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    if db["ENGINE"] == "django.db.backends.postgresql":
        request.getfixturevalue("transactional_db")  # rows committed, visible to others
        user = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{user}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        # The test's SQLite database lives in memory: share a migrated file instead.
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        run(env, "migrate")
    return env


@pytest.fixture
def redis_url():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(env: dict, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.shared_db_worker", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def race(env: dict, *args: str, processes: int = 2) -> list[dict]:
    """Start the processes, release them together once all are ready, collect their JSON."""
    command = [sys.executable, "-m", "tests.integration.shared_db_worker", *args]
    workers = [
        subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready", worker.stderr.read()[-3000:]
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outputs = [worker.communicate(timeout=120) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-3000:]
    return [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_concurrency_cap_holds_across_two_processes(zoho, shared_db, request, backend):
    if backend == "redis":
        shared_db = {**shared_db, "REDIS_URL": request.getfixturevalue("redis_url")}
    connection_id = run(shared_db, "connect", "no", "3")["connection_id"]  # cap: 3
    zoho.set_limits(latency_ms=60)  # Zoho itself would allow 10
    zoho.reset_stats()

    # Two processes of 4 threads each: 8 callers want to be in flight at once.
    results = race(shared_db, "calls", str(connection_id), "4", "5")

    outcomes = [o for result in results for o in result["outcomes"]]
    assert outcomes == ["ok"] * 40
    stats = zoho.stats()
    assert 2 <= stats["max_concurrency_seen"] <= 3
    assert stats["throttled"] == 0


def test_two_processes_refreshing_at_once_refresh_once(zoho, shared_db):
    connection_id = run(shared_db, "connect", "yes")["connection_id"]  # token expired
    zoho.set_limits(latency_ms=300)  # a slow accounts server widens the race
    zoho.reset_stats()

    results = race(shared_db, "refresh", str(connection_id))

    assert zoho.stats()["calls"]["POST /oauth/v2/token"] == 1
    assert results[0]["token"] == results[1]["token"]


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("redis-server did not start")
