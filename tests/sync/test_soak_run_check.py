"""The soak's run checks: two runs of a workspace at once are reported (except a fast-lane
run inside the run it was served within), and so is a form's lead late to Zoho."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from integration.models import SyncRun
from soak.ledger import Submission
from soak.verify import check_forms, run_overlaps

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


# ---- form submissions to Zoho ---------------------------------------------------------------
def _written(email, at, by="api", op="update"):
    return {"email": email, "at": at, "by": by, "op": op}


def test_a_lost_form_trigger_shows_as_a_late_lead():
    submissions = [
        Submission("ws", "quick@x", 100.0, 100.2),
        Submission("ws", "lost@x", 100.0, 100.2),  # written only by the final sync
        Submission("ws", "killed@x", 100.0, 100.2),  # a kill in between: the lease's wait
        Submission("ws", "refused@x", 100.0, 100.2),  # never written (no last name)
        Submission("ws", "slow@x", 200.0, 200.2),  # no kill near: the quick limit
    ]
    writes = [
        _written("quick@x", 99.0),  # before the submission: not its write
        _written("quick@x", 101.5),
        _written("lost@x", 101.0, by="rep"),  # a rep's edit is not the product's push
        _written("lost@x", 400.0),
        _written("killed@x", 150.0),
        _written("slow@x", 230.0),
    ]
    kills = [SimpleNamespace(at=110.0)]

    found = check_forms(submissions, writes, kills, lease=30, recover=10)

    assert (found.measured, found.never_written, found.near_kill) == (4, 1, 2)
    assert [round(s, 1) for s in found.latencies] == [1.3, 299.8, 49.8, 29.8]
    assert found.late == [
        "ws lost@x: in Zoho 299.8 s after the visitor's answer (limit 70 s, a kill in between)",
        "ws slow@x: in Zoho 29.8 s after the visitor's answer (limit 20 s)",
    ]
