"""The scenarios: what each one runs, and how its figures compare with the issue's targets."""

import math
import time

from benchmarks.bench import Bench, Row
from integration.zoho.client import PAGE_SIZE, WRITE_BATCH
from integration.zoho.editions import HEAVY_CALLS_AT_ONCE

# A little longer than integration.sync.watermarks.SETTLED_AFTER: as between two scheduled runs,
# Zoho's clock has moved past the last changes the previous run saw.
TIME_BETWEEN_RUNS = 6


def api_bound(pulled: int, pushed: int) -> int:
    """The fewest calls that can move these records: 200 read, 100 written per call."""
    return math.ceil(pulled / PAGE_SIZE) + math.ceil(pushed / WRITE_BATCH)


def wall_bound(*, pulled: int, pushed: int, latency_ms: int, cap: int) -> float:
    """The least wall time Zoho allows, in seconds, whatever Plezi does.

    A listing's pages come one after another (page tokens); the two listings go side by
    side, so the longer one (at least half the records read) walks ⌈pulled / 2 / 200⌉
    pages, one at least (an unchanged listing still answers). The writes need what was
    read (the merge), then go within the org's cap and Zoho's 10 heavy calls at once.
    """
    pages = max(1, math.ceil(pulled / 2 / PAGE_SIZE))
    writes = math.ceil(pushed / WRITE_BATCH)
    waves = math.ceil(writes / min(cap, HEAVY_CALLS_AT_ONCE))
    return (pages + waves) * latency_ms / 1000


def bounds_of(bench: Bench, run: dict) -> dict:
    """The bounds of a sync's calls and wall time, for Row.bounds."""
    latency = bench.options.latency_ms
    pulled, pushed = run["pulled"], run["pushed"]
    # Each listing (Leads, Contacts) answers once at least, and the deleted leads are asked for.
    calls = max(2, math.ceil(pulled / PAGE_SIZE)) + 1 + math.ceil(pushed / WRITE_BATCH)
    wall = wall_bound(
        pulled=pulled, pushed=pushed, latency_ms=latency, cap=bench.options.concurrency
    )
    return {"api_calls": calls, "wall_s": wall}


def distinct_records(run: dict) -> int:
    """The records a first sync moved, each once: a lead read and then written back (a
    record of both sides) counts once. A first sync reads every lead, so the leads it
    updated in Zoho are exactly those read and written."""
    return run["pulled"] + run["pushed"] - run["updated_zoho"]


def _sizes(bench: Bench) -> tuple[int, int]:
    large = bench.options.contacts
    return max(100, large // 10), large


# ---- syncs of one workspace ------------------------------------------------------------------
def sync_series(bench: Bench, size: int, runs: dict) -> dict:
    """Setup, then the runs a workspace sees: first, echo, settle, no change, 1% changed.
    Each run lands in `runs` as it ends, so a later crash keeps it."""
    print(f"* {size:,} Plezi contacts + {size:,} Zoho records: seeding", flush=True)
    manifest = bench.step("setup", slug=f"bench-{size}", plezi=size, zoho=size)
    workspace = manifest["workspace_id"]
    runs["setup"] = {k: v for k, v in manifest.items() if not k.endswith("_ids")}
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
    """The small workspace, then the large one; each one's rows as soon as it is done."""
    small, large = _sizes(bench)
    series: dict[int, dict] = {}
    bench.raw["syncs"] = {}
    for size in (small, large):
        series[size] = bench.raw["syncs"][str(size)] = {}
        sync_series(bench, size, series[size])
        _first_sync_rows(bench, size, series[size])
        _no_change_row(bench, size, series[size]["no_change"])
    _memory_row(bench, small, large, series)
    _incremental_row(bench, small, large, series)


def _first_sync_rows(bench: Bench, size: int, runs: dict) -> None:
    first = runs["first"]
    bound = api_bound(first["pulled"], first["pushed"])
    allowed = 1.05 * bound + 5
    figures = {
        "api_calls": first["api_calls"],
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
    bench.add(
        Row(
            f"First sync, {size:,} + {size:,}", figures, target, met, bounds=bounds_of(bench, first)
        )
    )
    for name, label in (("echo", "Echo sync (reads back its writes)"), ("settle", "Settle sync")):
        run = runs[name]
        bench.add(
            Row(
                f"{label}, {size:,}",
                {k: run[k] for k in ("api_calls", "wall_s", "cpu_s", "sql_queries", "pulled")},
                note="no target: the cost of the first sync's writes coming back",
                bounds=bounds_of(bench, run),
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
    target = "≤ 3 calls, ≤ 30 SQL, ≤ 0.5 s"
    bench.add(Row(f"Nothing changed, {size:,}", figures, target, met, bounds=bounds_of(bench, run)))


def _incremental_row(bench: Bench, small: int, large: int, series: dict) -> None:
    per_change = {}
    for size in (small, large):
        run = series[size]["incremental"]
        changes = run["pulled"] + run["pushed"]
        bounds = bounds_of(bench, run)
        per_change[size] = run["wall_s"] / max(1, changes)
        figures = {
            "api_calls": run["api_calls"],
            "wall_s": run["wall_s"],
            "pulled": run["pulled"],
            "pushed": run["pushed"],
            "ms_per_change": 1000 * per_change[size],
        }
        met = run["api_calls"] <= api_bound(run["pulled"], run["pushed"]) + 5
        target = "API calls ≤ ⌈pulled/200⌉ + ⌈pushed/100⌉ + 5"
        if size == large:
            target += "; time per change ≤ 2 × the small workspace's"
            met = met and per_change[large] <= 2 * per_change[small]
        label = f"Incremental, 1% changed each side, {size:,}"
        bench.add(Row(label, figures, target, met, bounds=bounds))


# ---- CPU -------------------------------------------------------------------------------------
def run_cpu(bench: Bench) -> None:
    """A first sync with no simulated latency: what the sync itself costs in CPU."""
    size, _ = _sizes(bench)
    manifest = bench.step("setup", slug=f"bench-cpu-{size}", plezi=size, zoho=size)
    run = bench.sync(manifest["workspace_id"], latency_ms=0)
    records = distinct_records(run)
    figures = {
        "cpu_ms_per_record": 1000 * run["cpu_s"] / records,
        "cpu_s": run["cpu_s"],
        "wall_s": run["wall_s"],
        "records": records,
        "pulled": run["pulled"],
        "pushed": run["pushed"],
    }
    bench.raw["cpu"] = run
    bench.add(
        Row(
            f"CPU per record at zero latency ({size:,} + {size:,})",
            figures,
            "≤ 0.3 ms (records: pulled + pushed, a lead read and written back once)",
            figures["cpu_ms_per_record"] <= 0.3,
            bounds={"cpu_ms_per_record": 0.3},
        )
    )


# ---- naive baseline --------------------------------------------------------------------------
def run_baseline(bench: Bench) -> None:
    """The same first sync, the product's calls made one after another (benchmarks.baseline),
    on the small workspace's data: what batching alone gives, and what concurrency adds."""
    size = bench.options.baseline_records or _sizes(bench)[0]
    manifest = bench.step("setup", slug=f"bench-naive-{size}", plezi=size, zoho=size)
    run = bench.sync(manifest["workspace_id"], baseline=True)
    bench.raw["baseline"] = run
    figures = {
        "api_calls": run["api_calls"],
        "wall_s": run["wall_s"],
        "max_in_flight": run["max_in_flight"],
        "pulled": run["pulled"],
        "pushed": run["pushed"],
    }
    ours = bench.raw.get("syncs", {}).get(str(size), {}).get("first")
    if ours:
        figures["ours_api_calls"] = ours["api_calls"]
        figures["ours_wall_s"] = ours["wall_s"]
        figures["naive_over_ours_wall"] = run["wall_s"] / ours["wall_s"]
    note = "same pages of 200 and batches of 100 as the product, one call at a time"
    bounds = bounds_of(bench, run)
    bench.add(Row(f"Naive baseline, {size:,} + {size:,}", figures, note=note, bounds=bounds))
