"""The soak's overlap check: two runs of a workspace at once are reported, except a
fast-lane run inside the run it was served within."""

from datetime import UTC, datetime, timedelta

from integration.models import SyncRun
from soak.verify import run_overlaps

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _run(pk, start, end, within=None):
    return SyncRun(
        pk=pk,
        status="success",
        started_at=T0 + timedelta(seconds=start),
        ended_at=None if end is None else T0 + timedelta(seconds=end),
        within_id=within,
    )


def test_two_runs_at_once_are_reported():
    assert run_overlaps([_run(1, 0, 10), _run(2, 5, 12)]) == [
        "run 2 started 00:00:05.000000 while run 1 (success) ran until 00:00:10.000000"
    ]
    assert run_overlaps([_run(1, 0, 10), _run(2, 10, 12)]) == []


def test_a_fast_lane_run_inside_its_run_is_not_an_overlap():
    assert run_overlaps([_run(1, 0, 10), _run(2, 3, 4, within=1), _run(3, 11, 12)]) == []


def test_a_fast_lane_run_outside_its_run_or_beside_another_is_reported():
    sticking_out = [_run(1, 0, 10), _run(2, 9, 11, within=1)]
    assert run_overlaps(sticking_out) == [
        "run 2 started 00:00:09.000000 while run 1 (success) ran until 00:00:10.000000"
    ]
    beside_another = [_run(1, 0, 10), _run(2, 3, 4, within=1), _run(3, 5, 6)]
    assert len(run_overlaps(beside_another)) == 1
