"""API credits, the concurrency cap, latency and call accounting."""

from __future__ import annotations

import threading

from tests.zoho_sandbox.crm_client import crm_for, crm_with


def test_credits_run_out_with_429_and_retry_after_only_as_a_kindness(sandbox, crm):
    sandbox.set_limits(credits_per_day=3)
    assert [crm.get("Leads").status_code for _ in range(3)] == [204, 204, 204]
    reply = crm.get("Leads")
    assert reply.status_code == 429 and "Retry-After" not in reply.headers  # §10
    assert reply.json()["code"] == "TOO_MANY_REQUESTS" and reply.json()["status"] == "error"
    sandbox.set_limits(send_retry_after=True)
    assert 0 < int(crm.get("Leads").headers["Retry-After"]) <= 86_400


def test_credits_are_a_rolling_day_of_sandbox_time(sandbox, crm):
    sandbox.set_limits(credits_per_day=2)
    crm.get("Leads")
    sandbox.advance_clock(3000)
    crm.get("Leads")
    assert crm.get("Leads").status_code == 429
    sandbox.advance_clock(86_400 - 3000 + 1)  # the first call leaves the window
    fresh = crm_for(sandbox)  # the old access token has expired meanwhile
    assert fresh.get("Leads").status_code == 204
    assert fresh.get("Leads").status_code == 429


def test_convert_needs_five_credits(sandbox, crm):
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "Five"}])
    sandbox.set_limits(credits_per_day=4)
    assert crm.post(f"Leads/{lead_id}/actions/convert").status_code == 429
    sandbox.set_limits(credits_per_day=5)
    assert crm.post(f"Leads/{lead_id}/actions/convert").status_code == 200


def test_writes_cost_a_credit_per_ten_records(sandbox, crm):
    rows = [{"Last_Name": f"R{n}", "Email": f"r{n}@x.io"} for n in range(25)]
    costs = []
    for call in (
        lambda: crm.post("Leads", json={"data": rows}),
        lambda: crm.post("Leads/upsert", json={"data": rows[:10]}),
        lambda: crm.post("Leads", json={"data": rows[:1]}),
        lambda: crm.get("Leads"),
    ):
        before = sandbox.stats()["credits_used"]
        call()
        costs.append(sandbox.stats()["credits_used"] - before)
    assert costs == [3, 1, 1, 1]


def test_unauthenticated_calls_cost_no_credits(sandbox, crm):
    crm.http.headers["Authorization"] = "Zoho-oauthtoken nope"
    crm.get("Leads")
    assert sandbox.stats()["credits_used"] == 0


def test_requests_over_the_concurrency_cap_get_429(sandbox):
    sandbox.set_limits(max_concurrency=2, latency_ms=300)
    tokens = sandbox.connect()
    statuses, lock = [], threading.Lock()

    def call() -> None:
        reply = crm_with(tokens).get("Leads")
        with lock:
            statuses.append((reply.status_code, reply.headers.get("Retry-After")))

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(s for s, _ in statuses) == [204, 204, 429, 429, 429]
    assert {r for s, r in statuses if s == 429} == {None}  # no Retry-After by default (§10)
    assert sandbox.stats()["max_concurrency_seen"] == 2


def test_stats_count_crm_and_oauth_calls_only(sandbox):
    crm = crm_for(sandbox)  # one POST /oauth/v2/token
    sandbox.create_records("Leads", [{"Last_Name": "S"}])
    lead_id = sandbox.records("Leads")[0]["id"]
    crm.get("Leads")
    crm.get(f"Leads/{lead_id}")
    crm.post("Leads", json={"data": [{"Last_Name": "T"}]})
    stats = sandbox.stats()
    assert stats["calls"] == {
        "POST /oauth/v2/token": 1,
        "GET /crm/v2/Leads": 1,
        "GET /crm/v2/Leads/{id}": 1,
        "POST /crm/v2/Leads": 1,
    }
    assert (stats["total_calls"], stats["credits_used"], stats["faults_served"]) == (4, 3, 0)
    sandbox.reset_stats()
    assert sandbox.stats()["total_calls"] == 0
