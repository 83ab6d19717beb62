"""Form submission → lead visible in Zoho, through the real web server and worker.

gunicorn serves the public form's JSON endpoint, `manage.py run_workers` runs the sync
tasks (ORM broker, then Redis), and the sandbox answers with its latency. Visitors
post at a steady rate; a poller watches the sandbox's leads and notes when each
email appears. Loopback only. The busy variant submits while a first sync of many
Zoho leads holds the workspace: the fast lane must not make visitors wait for it.
"""

import math
import os
import socket
import statistics
import threading
import time

import requests

from benchmarks.bench import RESULTS, Bench, Row, start_process, stop_process

# Shared with nothing else we know of; never emptied (the queue's name is the benchmark's own).
REDIS_DB_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
POLL_EVERY = 0.05
GRACE = 60  # seconds to wait for the last leads after the last submission
DOMAIN = "form.example"
# The busy variant: fewer, slower visitors, all within the long run.
BUSY_SUBMISSIONS, BUSY_RATE = 30, 2.0


def run_forms(bench: Bench) -> None:
    for broker in ("orm", "redis"):
        if broker == "redis" and not _redis_up():
            bench.add(Row("Form → lead in Zoho, Redis broker", {}, note="skipped: no Redis"))
            continue
        result = form_latency(bench, broker)
        bench.raw[f"forms_{broker}"] = result
        figures = {
            k: result[k] for k in ("submitted", "seen", "p50_s", "p95_s", "max_s", "rate_per_s")
        }
        met = result["seen"] == result["submitted"] and result["p95_s"] <= 2
        label = "ORM broker" if broker == "orm" else "Redis broker"
        note = f"poll every {POLL_EVERY * 1000:.0f} ms; 2 workers; gunicorn 2 workers"
        bench.add(Row(f"Form → lead in Zoho, {label}", figures, "p95 ≤ 2 s", met, note))
    if bench.options.busy_leads:
        run_forms_busy(bench, "redis" if _redis_up() else "orm")


def run_forms_busy(bench: Bench, broker: str) -> None:
    leads = bench.options.busy_leads
    result = form_latency(bench, broker, busy_leads=leads)
    bench.raw["forms_busy"] = result
    long_run = result["long_run"]
    figures = {
        **{k: result[k] for k in ("submitted", "seen", "p50_s", "p95_s", "max_s")},
        "long_run_still_going": long_run["still_going_at_last_lead"],
        "long_run_s": long_run["wall_s"],
        "fast_lane_runs": long_run["fast_lane_runs"],
    }
    met = (
        result["seen"] == result["submitted"]
        and result["p95_s"] is not None
        and result["p95_s"] <= 5
        and long_run["still_going_at_last_lead"]
    )
    note = f"{BUSY_SUBMISSIONS} at {BUSY_RATE:g}/s during a full sync of {leads:,} Zoho leads"
    bench.add(Row("Form → lead in Zoho during a long run", figures, "p95 ≤ 5 s", met, note))


def form_latency(bench: Bench, broker: str, *, busy_leads: int = 0) -> dict:
    slug = f"bench-forms-{broker}" + ("-busy" if busy_leads else "")
    setup = bench.step("forms_setup", slug=slug, zoho_leads=busy_leads)
    env = {**bench.env, "Q_WORKERS": "2"}
    if broker == "redis":
        env["REDIS_URL"] = REDIS_DB_URL
    sandbox = bench.sandbox.handle()
    sandbox.set_limits(
        latency_ms=bench.options.latency_ms, max_concurrency=bench.options.concurrency
    )
    port = _free_port()
    logs = RESULTS / slug.removeprefix("bench-")
    processes = [
        start_process(["manage.py", "run_workers"], env, logs.with_suffix(".qcluster.log")),
        start_process(
            [
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            env,
            logs.with_suffix(".gunicorn.log"),
        ),
    ]
    try:
        url = f"http://127.0.0.1:{port}/f/{setup['token']}/"
        _wait_for(url)
        time.sleep(2)  # the cluster's workers start after its web-facing peer
        if not busy_leads:
            return _submit_and_watch(bench, url, bench.options.submissions, bench.options.form_rate)
        workspace = {"workspace_id": setup["workspace_id"]}
        long_run = bench.step("forms_long_run", env=env, **workspace)
        result = _submit_and_watch(bench, url, BUSY_SUBMISSIONS, BUSY_RATE)
        result["long_run"] = bench.step(
            "forms_long_run_end", env=env, run_id=long_run["run_id"], **result["clock"]
        )
        return result
    finally:
        for process in processes:
            stop_process(process)


def _submit_and_watch(bench: Bench, url: str, count: int, rate: float) -> dict:
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    errors: list[str] = []
    done = threading.Event()

    def submit() -> None:
        session = requests.Session()
        started = time.monotonic()
        for n in range(count):
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
            email = f"visitor{n:04d}@{DOMAIN}"
            sent[email] = time.monotonic()
            reply = session.post(
                url,
                json={"email": email, "first_name": "Form", "last_name": f"Visitor {n}"},
                timeout=30,
            )
            if reply.status_code not in (200, 201):
                errors.append(f"{reply.status_code} {reply.text[:200]}")
        done.set()

    poster = threading.Thread(target=submit, daemon=True)
    poster.start()
    watcher = requests.Session()
    records_url = f"{bench.sandbox.base_url}/__sandbox__/records/Leads?email_domain={DOMAIN}"
    deadline = None
    while len(seen) < count:
        if done.is_set() and deadline is None:
            deadline = time.monotonic() + GRACE
        if deadline and time.monotonic() > deadline:
            break
        now = time.monotonic()
        for record in watcher.get(records_url, timeout=30).json()["data"]:
            email = (record.get("Email") or "").lower()
            if email in sent and email not in seen:
                seen[email] = now
        time.sleep(POLL_EVERY)
    poster.join(timeout=30)
    latencies = sorted(seen[e] - sent[e] for e in seen)
    # The wall-clock time of the last lead seen, to compare with a run's end in the database.
    last_seen = time.time() - (time.monotonic() - max(seen.values())) if seen else None
    return {
        "clock": {"last_seen_epoch": last_seen},
        "submitted": len(sent),
        "seen": len(seen),
        "errors": errors[:5],
        "rate_per_s": rate,
        "p50_s": statistics.median(latencies) if latencies else None,
        "p95_s": _percentile(latencies, 0.95),
        "max_s": latencies[-1] if latencies else None,
    }


def _percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    return values[min(len(values) - 1, math.ceil(fraction * len(values)) - 1)]


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")
        time.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_DB_URL, socket_timeout=1).ping())
    except Exception:
        return False
