"""The bench's own arithmetic and bookkeeping: bounds, records counted once, results kept.

No timing is asserted here (benchmarks/ measures them); only what does not depend on
the machine.
"""

import importlib
import json

import pytest

from benchmarks import report
from benchmarks.bench import Bench, Options, Row
from benchmarks.scenarios import bounds_of, distinct_records, wall_bound

cli = importlib.import_module("benchmarks.__main__")


def test_a_lead_read_and_written_back_counts_once_in_the_cpu_per_record():
    # 1,000 Zoho records read, 1,100 Plezi contacts sent: 100 of them to leads just read.
    run = {"pulled": 1000, "pushed": 1100, "updated_zoho": 100, "created_zoho": 1000}

    assert distinct_records(run) == 2000


def test_with_nothing_changed_zoho_allows_three_calls_in_one_round_at_least():
    bench = Bench(Options(latency_ms=100, concurrency=10))

    bounds = bounds_of(bench, {"pulled": 0, "pushed": 0})

    # Each listing answers (304), the deleted leads are asked for: all three at once.
    assert bounds == {"api_calls": 3, "wall_s": pytest.approx(0.1)}


def test_listings_walk_their_pages_in_turn_and_writes_go_within_the_cap():
    # Two listings of 20,000 side by side: 100 pages each; 300 writes, 10 at once: 30 waves.
    assert wall_bound(pulled=40_000, pushed=30_000, latency_ms=100, cap=10) == pytest.approx(13)
    # A Free org's 5 calls at once: twice the waves of writes.
    assert wall_bound(pulled=40_000, pushed=30_000, latency_ms=100, cap=5) == pytest.approx(16)
    # Above 10, Zoho's heavy calls (writes of more than 10 records) still go 10 at once.
    assert wall_bound(pulled=40_000, pushed=30_000, latency_ms=100, cap=25) == pytest.approx(13)


def test_the_table_shows_each_bound_beside_its_figure_with_the_ratio():
    bench = Bench(Options())
    bench.add(Row("First sync", {"api_calls": 202, "wall_s": 26.0}, bounds={"api_calls": 200}))

    header, _, line = report.table(bench).splitlines()

    assert header == "| scenario | measured | bound | ratio | target | met |"
    assert (
        line == "| First sync | api_calls 202, wall_s 26 | api_calls 200 | api_calls 1.01 | — | — |"
    )


@pytest.fixture
def results(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS", tmp_path)
    monkeypatch.setattr(report, "LATEST", tmp_path / "latest.json")
    monkeypatch.setattr(Bench, "prepare", lambda self: None)
    monkeypatch.setattr(Bench, "close", lambda self: None)
    return tmp_path / "latest.json"


def test_a_crashing_scenario_keeps_the_results_of_the_others(results, monkeypatch):
    seen_before_the_crash = []

    def crashing(bench):
        bench.add(Row("measured before the crash", {"api_calls": 3}))
        seen_before_the_crash.extend(r["scenario"] for r in json.loads(results.read_text())["rows"])
        raise RuntimeError("the sandbox went away")

    scenarios = {
        "first": lambda bench: bench.add(Row("first", {"api_calls": 1})),
        "crashing": crashing,
        "last": lambda bench: bench.add(Row("last", {"api_calls": 2})),
    }
    monkeypatch.setattr(cli, "SCENARIOS", scenarios)

    assert cli.main(["--contacts", "2000"]) == 1

    rows = {r["scenario"]: r for r in json.loads(results.read_text())["rows"]}
    assert seen_before_the_crash == ["first", "measured before the crash"]
    assert list(rows) == ["first", "measured before the crash", "crashing: crashed", "last"]
    assert rows["crashing: crashed"]["note"] == "RuntimeError: the sandbox went away"


def test_an_interrupted_bench_keeps_what_was_measured(results, monkeypatch):
    def interrupted(bench):
        bench.add(Row("measured", {"api_calls": 3}))
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "SCENARIOS", {"interrupted": interrupted})

    with pytest.raises(KeyboardInterrupt):
        cli.main([])

    assert [r["scenario"] for r in json.loads(results.read_text())["rows"]] == ["measured"]
