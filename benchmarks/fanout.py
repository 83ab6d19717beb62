"""The scheduled fan-out: many workspaces, each with its own Zoho org, two workers.

The schedule's task (`sync_all_connected`) enqueues one run per connected workspace;
`manage.py qcluster` with two workers (ORM broker) works through them. Each org has
its own concurrency cap and latency (benchmarks.multiorg serves them on one port).
"""

from benchmarks.bench import RESULTS, Bench, Row, start_process, stop_process
from benchmarks.sandbox import SandboxProcess

WORKERS = 2
TIMEOUT = 1200


def run_fanout(bench: Bench) -> None:
    options = bench.options
    orgs = SandboxProcess(orgs=options.workspaces)
    env = {**bench.env, "ZOHO_SANDBOX_URL": orgs.base_url, "Q_WORKERS": str(WORKERS)}
    try:
        print(f"* {options.workspaces} workspaces × {options.workspace_contacts:,}", flush=True)
        setup = bench.step(
            "fanout_setup",
            env=env,
            sandbox=orgs.base_url,
            workspaces=options.workspaces,
            contacts=options.workspace_contacts,
            latency_ms=options.latency_ms,
            concurrency=options.concurrency,
        )
        cluster = start_process(["manage.py", "run_workers"], env, RESULTS / "fanout.qcluster.log")
        try:
            trigger = bench.step("fanout_trigger", env=env, sandbox=orgs.base_url)
            result = bench.step(
                "fanout_wait",
                env=env,
                sandbox=orgs.base_url,
                workspace_ids=setup["workspace_ids"],
                at=trigger["at"],
                timeout=TIMEOUT,
            )
        finally:
            stop_process(cluster)
    finally:
        orgs.stop()
    result["setup_s"] = setup["seconds"]
    bench.raw["fanout"] = result
    span = result["span_s"] or 0
    figures = {
        "runs_done": result["finished"],
        "workspaces": result["workspaces"],
        "span_s": span,
        "runs_per_s_per_worker": result["finished"] / span / WORKERS if span else 0,
        "worker_busy": result["busy_s"] / span / WORKERS if span else 0,
        "run_p50_s": result["run_p50_s"],
        "run_p95_s": result["run_p95_s"],
        "api_calls": result["api_calls"],
    }
    met = result["finished"] >= result["workspaces"] and set(result["statuses"]) == {"success"}
    bench.add(
        Row(
            f"Fan-out, {options.workspaces} workspaces × {options.workspace_contacts:,}, "
            f"{WORKERS} workers",
            figures,
            "all runs done; throughput per worker reported",
            met,
            note=f"first sync of each; statuses {result['statuses']}",
        )
    )
