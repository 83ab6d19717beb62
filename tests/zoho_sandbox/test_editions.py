"""Edition presets (credits a day, concurrency, the org's license) and the sub-concurrency cap."""

from __future__ import annotations

import threading

import pytest
import requests

from tests.zoho_sandbox.crm_client import EVERY_SCOPE, crm_with
from zoho_sandbox.__main__ import parse_args
from zoho_sandbox.state import Org

PUBLISHED = {  # zoho-crm-api.md §10
    "free": (5_000, 5),
    "standard": (100_000, 10),
    "professional": (3_000_000, 15),
    "enterprise": (5_000_000, 20),
    "ultimate": (None, 25),
}


def _license(crm) -> dict:
    return crm.v8().get("org").json()["org"][0]["license_details"]


def test_the_default_org_is_a_small_standard_org(sandbox, crm):
    limits = sandbox.set_limits()
    assert (limits["edition"], limits["credits_per_day"], limits["max_concurrency"]) == (
        "standard", 50_000, 10)  # fmt: skip
    assert limits["max_sub_concurrency"] == 10
    assert (_license(crm)["paid"], _license(crm)["paid_type"]) == (True, "standard")


@pytest.mark.parametrize("edition", list(PUBLISHED))
def test_an_edition_brings_its_published_limits_and_license(sandbox, crm, edition):
    limits = sandbox.set_limits(edition=edition)
    assert (limits["credits_per_day"], limits["max_concurrency"]) == PUBLISHED[edition]
    assert limits["max_sub_concurrency"] == 10
    assert _license(crm)["paid_type"] == edition
    assert _license(crm)["paid"] is (edition != "free")
    sandbox.reset()
    assert sandbox.set_limits()["edition"] == "standard"


def test_ultimate_credits_are_unlimited_but_still_counted(sandbox, crm):
    sandbox.set_limits(edition="ultimate")
    sandbox.reset_stats()
    assert crm.get("Leads").status_code == 204
    stats = sandbox.stats()
    assert (stats["credits_used"], stats["credits_remaining"]) == (1, None)


def test_limits_named_with_the_edition_win_over_its_preset(sandbox, crm):
    limits = sandbox.set_limits(edition="free", credits_per_day=2)
    assert (limits["credits_per_day"], limits["max_concurrency"]) == (2, 5)
    assert [crm.get("Leads").status_code for _ in range(3)] == [204, 204, 429]
    assert sandbox.set_limits(credits_per_day=9)["edition"] == "free"  # add-on credits


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"edition": "team"},
            "edition must be one of ['free', 'standard', 'professional', 'enterprise', 'ultimate']",
        ),  # fmt: skip
        ({"edition": "free", "max_concurrency": None}, "max_concurrency must be a int"),
        ({"max_sub_concurrency": "3"}, "max_sub_concurrency must be a int"),
    ],
)
def test_a_bad_edition_or_limit_is_400_and_changes_nothing(sandbox, body, message):
    reply = requests.post(f"{sandbox.base_url}/__sandbox__/limits", json=body, timeout=10)
    assert (reply.status_code, reply.json()["error"]) == (400, message)
    assert sandbox.set_limits()["edition"] == "standard"


def test_an_edition_can_be_chosen_at_start():
    org = Org(settings={"edition": "enterprise", "max_concurrency": 3})
    assert (org.settings["credits_per_day"], org.settings["max_concurrency"]) == (5_000_000, 3)
    assert parse_args(["--edition", "free"]).edition == "free"


# ---- sub-concurrency ---------------------------------------------------------------------
def _at_once(calls) -> list[requests.Response]:
    replies, lock = [], threading.Lock()

    def run(call) -> None:
        reply = call()
        with lock:
            replies.append(reply)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return replies


def _rows(n: int, tag: str) -> list[dict]:
    return [{"Last_Name": f"{tag}{i}", "Email": f"{tag}{i}@x.io"} for i in range(n)]


def test_heavy_writes_over_the_sub_concurrency_cap_get_429(sandbox):
    sandbox.set_limits(max_concurrency=5, max_sub_concurrency=2, latency_ms=500)
    tokens = sandbox.connect(EVERY_SCOPE)
    sandbox.reset_stats()
    calls = [
        lambda t=t: crm_with(tokens).post("Leads/upsert", json={"data": _rows(11, t)})
        for t in "abcd"
    ]
    replies = _at_once(calls)
    assert sorted(r.status_code for r in replies) == [200, 200, 429, 429]
    refused = [r for r in replies if r.status_code == 429]
    assert {r.json()["code"] for r in refused} == {"TOO_MANY_REQUESTS"}
    assert {r.json()["message"] for r in refused} == {"You have exceeded the sub-concurrency limit"}
    assert {r.headers.get("Retry-After") for r in refused} == {None}
    stats = sandbox.stats()
    assert (stats["max_sub_concurrency_seen"], stats["sub_concurrency_throttled"]) == (2, 2)
    assert stats["throttled"] == 2  # a sub-concurrency 429 is a concurrency 429 too


def test_reads_and_writes_of_ten_records_or_fewer_are_not_heavy(sandbox):
    sandbox.set_limits(max_concurrency=5, max_sub_concurrency=1, latency_ms=300)
    tokens = sandbox.connect(EVERY_SCOPE)
    sandbox.reset_stats()
    calls = [
        *(lambda t=t: crm_with(tokens).post("Leads", json={"data": _rows(10, t)}) for t in "ab"),
        *(lambda: crm_with(tokens).get("Leads") for _ in range(3)),
    ]
    assert 429 not in [r.status_code for r in _at_once(calls)]
    assert sandbox.stats()["max_sub_concurrency_seen"] == 0


def test_convert_and_deletes_of_more_than_ten_ids_are_heavy(sandbox):
    leads = sandbox.create_records("Leads", _rows(13, "l"))
    sandbox.set_limits(max_concurrency=5, max_sub_concurrency=1, latency_ms=500)
    tokens = sandbox.connect(EVERY_SCOPE)
    eleven = ",".join(leads[2:])
    calls = [
        lambda: crm_with(tokens).post(f"Leads/{leads[0]}/actions/convert"),
        lambda: crm_with(tokens).post(f"Leads/{leads[1]}/actions/convert"),
        lambda: crm_with(tokens).delete("Leads", params={"ids": eleven}),
    ]
    assert sorted(r.status_code for r in _at_once(calls)) == [200, 429, 429]
    assert sandbox.stats()["sub_concurrency_throttled"] == 2
