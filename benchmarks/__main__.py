"""`make bench` / `python -m benchmarks`: the performance figures of the sync, measured.

Every scenario runs against a zoho_sandbox process with simulated latency and the
Standard edition's concurrency cap, on a fresh database (SQLite, or PostgreSQL when
DATABASE_URL names a server). Prints a table, writes benchmarks/results/latest.json.
"""

import argparse
import sys
import time
import traceback
from pathlib import Path

from benchmarks import report
from benchmarks.bench import Bench, Options, Row
from benchmarks.fanout import run_fanout
from benchmarks.forms import run_forms
from benchmarks.scenarios import run_baseline, run_cpu, run_syncs

SCENARIOS = {
    "syncs": run_syncs,
    "cpu": run_cpu,
    "baseline": run_baseline,
    "forms": run_forms,
    "fanout": run_fanout,
}


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--contacts",
        type=int,
        default=100_000,
        help="the large workspace's Plezi contacts and Zoho records (the small one: a tenth)",
    )
    parser.add_argument("--latency-ms", type=int, default=100, help="per Zoho call")
    parser.add_argument("--concurrency", type=int, default=10, help="the org's Zoho call cap")
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated scenarios among {', '.join(SCENARIOS)} (default: all)",
    )
    parser.add_argument(
        "--baseline-records",
        type=int,
        default=0,
        help="Plezi contacts and Zoho records of the baseline's workspace (0: the small one's)",
    )
    parser.add_argument("--submissions", type=int, default=200, help="form submissions")
    parser.add_argument("--form-rate", type=float, default=5.0, help="submissions per second")
    parser.add_argument(
        "--busy-leads",
        type=int,
        default=40_000,
        help="Zoho leads of the long run the busy form scenario submits during (0: skip it)",
    )
    parser.add_argument("--workspaces", type=int, default=200, help="fan-out workspaces")
    parser.add_argument("--workspace-contacts", type=int, default=1000)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile each measured sync into benchmarks/results/sync-NN.prof",
    )
    args = parser.parse_args(argv)
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(only) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    return Options(
        contacts=args.contacts,
        latency_ms=args.latency_ms,
        concurrency=args.concurrency,
        only=only,
        baseline_records=args.baseline_records,
        submissions=args.submissions,
        form_rate=args.form_rate,
        busy_leads=args.busy_leads,
        workspaces=args.workspaces,
        workspace_contacts=args.workspace_contacts,
        profile=args.profile,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    bench = Bench(options)
    started = time.monotonic()
    print(
        f"Benchmarks on {bench.database_label}, {options.latency_ms} ms per Zoho call, "
        f"cap {options.concurrency}",
        flush=True,
    )
    command = "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv)

    def save() -> Path:
        return report.write(bench, command.strip(), time.monotonic() - started)

    # Saved at every row: a later crash, a kill or Ctrl-C keeps what was measured.
    bench.on_add = save
    failed = []
    try:
        bench.prepare()
        for name, scenario in SCENARIOS.items():
            if not options.only or name in options.only:
                print(f"== {name}", flush=True)
                if not _run_scenario(bench, name, scenario):
                    failed.append(name)
    finally:
        bench.close()
        path = save()
    print()
    print(report.table(bench))
    print(f"\nWritten to {path} ({time.monotonic() - started:.0f} s).")
    if failed:
        print(f"Scenarios that crashed: {', '.join(failed)} (their rows say why).")
    return 1 if failed else 0


def _run_scenario(bench: Bench, name: str, scenario) -> bool:
    """One scenario; a crash becomes a row of its own, and the next scenario still runs."""
    try:
        scenario(bench)
    except Exception as error:  # reported in the table and on stderr, never swallowed
        traceback.print_exc()
        bench.add(Row(f"{name}: crashed", {}, met=False, note=f"{type(error).__name__}: {error}"))
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
