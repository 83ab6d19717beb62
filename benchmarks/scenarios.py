"""The scenarios: what each one runs, and how its figures compare with the issue's targets."""

import math
import time

from benchmarks.bench import Bench, Row

# A little longer than integration.sync.watermarks.SETTLED_AFTER: as between two scheduled runs,
# Zoho's clock has moved past the last changes the previous run saw.
TIME_BETWEEN_RUNS = 6


def api_bound(pulled: int, pushed: int) -> int:
    """The fewest calls that can move these records: 200 read, 100 written per call."""
    return math.ceil(pulled / 200) + math.ceil(pushed / 100)


def _sizes(bench: Bench) -> tuple[int, int]:
    large = bench.options.contacts
    return max(100, large // 10), large


# ---- syncs of one workspace ------------------------------------------------------------------
def sync_series(bench: Bench, size: int) -> dict:
    """Setup, then the runs a workspace sees: first, echo, settle, no change, 1% changed."""
    print(f"* {size:,} Plezi contacts + {size:,} Zoho records: seeding", flush=True)
    manifest = bench.step("setup", slug=f"bench-{size}", plezi=size, zoho=size)
    workspace = manifest["workspace_id"]
    runs = {"setup": {k: v for k, v in manifest.items() if not k.endswith("_ids")}}
    print("  first sync", flush=True)
    runs["first"] = bench.sync(workspace)
    runs["echo"] = bench.sync(workspace)
    time.sleep(TIME_BETWEEN_RUNS)
    runs["settle"] = bench.sync(workspace)
    time.sleep(TIME_BETWEEN_RUNS)
    runs["no_change"] = bench.sync(workspace)
    runs["touched"] = bench.step("touch", manifest=manifest, every=100)
    runs["incremental"] = bench.sync(workspace)
    return runs


def run_syncs(bench: Bench) -> None:
    small, large = _sizes(bench)
    series = {size: sync_series(bench, size) for size in (small, large)}
    bench.raw["syncs"] = {str(size): runs for size, runs in series.items()}
    for size in (small, large):
        _first_sync_rows(bench, size, series[size])
    _memory_row(bench, small, large, series)
    _no_change_row(bench, large, series[large]["no_change"])
    _incremental_row(bench, small, large, series)


def _first_sync_rows(bench: Bench, size: int, runs: dict) -> None:
    first = runs["first"]
    bound = api_bound(first["pulled"], first["pushed"])
    allowed = 1.05 * bound + 5
    figures = {
        "api_calls": first["api_calls"],
        "bound": bound,
        "ratio": first["api_calls"] / bound,
        "wall_s": first["wall_s"],
        "cpu_s": first["cpu_s"],
        "peak_rss_mb": first["peak_rss_mb"],
        "sql": first["sql_queries"],
        "pulled": first["pulled"],
        "pushed": first["pushed"],
        "max_in_flight": first["max_in_flight"],
    }
    target = "API calls ≤ 1.05 × (⌈pulled/200⌉ + ⌈pushed/100⌉) + 5"
    met = first["api_calls"] <= allowed and first["status"] == "success"
    if size == bench.options.contacts:
        target += "; wall ≤ 60 s"
        met = met and first["wall_s"] <= 60
    bench.add(Row(f"First sync, {size:,} + {size:,}", figures, target, met))
    for name, label in (("echo", "Echo sync (reads back its writes)"), ("settle", "Settle sync")):
        run = runs[name]
        bench.add(
            Row(
                f"{label}, {size:,}",
                {k: run[k] for k in ("api_calls", "wall_s", "cpu_s", "sql_queries", "pulled")},
                note="no target: the cost of the first sync's writes coming back",
            )
        )


def _memory_row(bench: Bench, small: int, large: int, series: dict) -> None:
    low, high = (series[s]["first"]["peak_rss_mb"] for s in (small, large))
    figures = {f"rss_{small}_mb": low, f"rss_{large}_mb": high, "ratio": high / low}
    met = high <= 250 and high <= 1.3 * low
    bench.add(Row("Peak RSS of the first sync", figures, "≤ 250 MB and ≤ 1.3 × the small one", met))


def _no_change_row(bench: Bench, size: int, run: dict) -> None:
    figures = {k: run[k] for k in ("api_calls", "sql_queries", "wall_s", "cpu_s")}
    met = run["api_calls"] <= 3 and run["sql_queries"] <= 30 and run["wall_s"] <= 0.5
    bench.add(Row(f"Nothing changed, {size:,}", figures, "≤ 3 calls, ≤ 30 SQL, ≤ 0.5 s", met))


def _incremental_row(bench: Bench, small: int, large: int, series: dict) -> None:
    per_change = {}
    for size in (small, large):
        run = series[size]["incremental"]
        changes = run["pulled"] + run["pushed"]
        bound = api_bound(run["pulled"], run["pushed"])
        per_change[size] = run["wall_s"] / max(1, changes)
        figures = {
            "api_calls": run["api_calls"],
            "bound": bound,
            "wall_s": run["wall_s"],
            "pulled": run["pulled"],
            "pushed": run["pushed"],
            "ms_per_change": 1000 * per_change[size],
        }
        met = run["api_calls"] <= bound + 5
        target = "API calls ≤ bound + 5"
        if size == large:
            target += "; time per change ≤ 2 × the small workspace's"
            met = met and per_change[large] <= 2 * per_change[small]
        bench.add(Row(f"Incremental, 1% changed each side, {size:,}", figures, target, met))


# ---- CPU -------------------------------------------------------------------------------------
def run_cpu(bench: Bench) -> None:
    """A first sync with no simulated latency: what the sync itself costs in CPU."""
    size, _ = _sizes(bench)
    manifest = bench.step("setup", slug=f"bench-cpu-{size}", plezi=size, zoho=size)
    run = bench.sync(manifest["workspace_id"], latency_ms=0)
    records = run["pulled"] + run["pushed"]
    figures = {
        "cpu_ms_per_record": 1000 * run["cpu_s"] / records,
        "cpu_s": run["cpu_s"],
        "wall_s": run["wall_s"],
        "records": records,
    }
    bench.raw["cpu"] = run
    bench.add(
        Row(
            f"CPU per record at zero latency ({size:,} + {size:,})",
            figures,
            "≤ 0.3 ms (records = pulled + pushed)",
            figures["cpu_ms_per_record"] <= 0.3,
        )
    )


# ---- naive baseline --------------------------------------------------------------------------
def run_baseline(bench: Bench) -> None:
    """The same first sync, one call per record, on a few records; extrapolated linearly."""
    half = max(10, bench.options.baseline_records // 2)
    manifest = bench.step("setup", slug=f"bench-naive-{half}", plezi=half, zoho=half)
    run = bench.sync(manifest["workspace_id"], baseline=True)
    records = run["pulled"] + run["pushed"]
    calls_per_record, seconds_per_record = run["api_calls"] / records, run["wall_s"] / records
    bench.raw["baseline"] = run
    figures = {
        "measured_records": records,
        "calls_per_record": calls_per_record,
        "s_per_record": seconds_per_record,
    }
    for size, runs in bench.raw.get("syncs", {}).items():
        ours = runs["first"]
        moved = ours["pulled"] + ours["pushed"]
        figures[f"naive_calls_{size}"] = round(calls_per_record * moved)
        figures[f"naive_wall_{size}_s"] = seconds_per_record * moved
        figures[f"calls_ratio_{size}"] = calls_per_record * moved / ours["api_calls"]
        figures[f"wall_ratio_{size}"] = seconds_per_record * moved / ours["wall_s"]
    bench.add(
        Row(
            "Naive baseline, one call per record",
            figures,
            note=f"measured on {records:,} records, extrapolated linearly (labelled naive_*)",
        )
    )
