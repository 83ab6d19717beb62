"""The results: a table on stdout and benchmarks/results/latest.json, with the machine."""

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.bench import RESULTS, Bench, fmt

LATEST = RESULTS / "latest.json"


def machine(bench: Bench) -> dict:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "database": bench.database_label,
        "load_average_at_start": bench.load_at_start,
        "load_average_at_end": list(os.getloadavg()),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def table(bench: Bench) -> str:
    lines = [
        "| scenario | measured | bound | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in bench.rows:
        measured = ", ".join(f"{k} {fmt(v)}" for k, v in row.figures.items())
        if row.note:
            measured += f" ({row.note})"
        bounds = ", ".join(f"{k} {fmt(v)}" for k, v in row.bounds.items()) or "—"
        ratios = ", ".join(f"{k} {v:.2f}" for k, v in row.ratios().items()) or "—"
        met = {True: "yes", False: "**no**", None: "—"}[row.met]
        lines.append(
            f"| {row.scenario} | {measured} | {bounds} | {ratios} | {row.target or '—'} | {met} |"
        )
    return "\n".join(lines)


def write(bench: Bench, command: str, seconds: float) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    document = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "seconds": round(seconds, 1),
        "machine": machine(bench),
        "options": vars(bench.options),
        "rows": [
            {
                "scenario": r.scenario,
                "figures": r.figures,
                "bounds": r.bounds,
                "ratios": r.ratios(),
                "target": r.target,
                "met": r.met,
                "note": r.note,
            }
            for r in bench.rows
        ],
        "raw": bench.raw,
    }
    LATEST.write_text(json.dumps(document, indent=2, default=str))
    return LATEST
