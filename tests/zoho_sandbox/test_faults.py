"""Fault injection: every kind, matching, counting, probabilistic mode."""

from __future__ import annotations

import time

import pytest
import requests

from tests.zoho_sandbox.crm_client import TIMEOUT


def test_error_fault_defaults_to_a_zoho_500(sandbox, crm):
    sandbox.add_fault(path="/crm/v2/Leads$", method="GET", times=1)
    reply = crm.get("Leads")
    assert reply.status_code == 500
    assert reply.json() == {"code": "INTERNAL_ERROR", "details": {},
                            "message": "Internal Server Error", "status": "error"}  # fmt: skip
    assert crm.get("Leads").status_code == 204  # only the next one


def test_error_fault_429_has_no_retry_after_unless_asked(sandbox, crm):
    sandbox.add_fault(path="Leads", status=429, times=2)
    first, second, third = crm.get("Leads"), crm.get("Leads"), crm.get("Leads")
    assert first.status_code == 429 and "Retry-After" not in first.headers  # §10: unconfirmed
    assert first.json()["code"] == "TOO_MANY_REQUESTS"
    assert (second.status_code, third.status_code) == (429, 204)
    sandbox.add_fault(path="Leads", status=429, retry_after=7)
    assert crm.get("Leads").headers["Retry-After"] == "7"


def test_error_fault_with_custom_body(sandbox, crm):
    body = {"code": "INVALID_TOKEN", "details": {}, "message": "x", "status": "error"}
    sandbox.add_fault(path="Contacts", status=401, body=body)
    reply = crm.get("Contacts")
    assert (reply.status_code, reply.json()) == (401, body)


def test_html_fault(sandbox, crm):
    sandbox.add_fault(path="Leads", kind="html", status=502)
    reply = crm.get("Leads")
    assert reply.status_code == 502
    assert reply.headers["Content-Type"].startswith("text/html")
    assert reply.text.startswith("<!DOCTYPE html>")


def test_malformed_fault_is_a_truncated_json_200(sandbox, crm):
    sandbox.add_fault(path="Leads", kind="malformed")
    reply = crm.get("Leads")
    assert reply.status_code == 200 and reply.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        reply.json()


def test_drop_fault_closes_the_connection(sandbox, crm):
    sandbox.add_fault(path="Leads", kind="drop")
    with pytest.raises(requests.ConnectionError):
        crm.get("Leads")
    assert crm.get("Leads").status_code == 204  # the session recovers on a new connection


def test_slow_fault_delays_then_serves(sandbox, crm):
    sandbox.add_fault(path="Leads", kind="slow", delay_ms=150)
    started = time.monotonic()
    assert crm.get("Leads").status_code == 204
    assert time.monotonic() - started >= 0.15
    with pytest.raises(requests.Timeout):
        sandbox.add_fault(path="Leads", kind="slow", delay_ms=400)
        crm.get("Leads", timeout=0.1)


def test_expire_token_fault_makes_the_token_invalid(sandbox, crm):
    sandbox.add_fault(path="Leads", kind="expire_token")
    reply = crm.get("Leads")
    assert (reply.status_code, reply.json()["code"]) == (401, "INVALID_TOKEN")
    assert crm.get("Contacts").status_code == 401  # the token stays expired


def test_faults_apply_to_oauth_but_never_to_control(sandbox):
    sandbox.add_fault(path=".*", kind="error", times=5)
    assert sandbox.org()["domain_name"]  # control API unaffected
    reply = requests.post(f"{sandbox.base_url}/oauth/v2/token", data={}, timeout=TIMEOUT)
    assert reply.status_code == 500


def test_method_filter_and_faults_served(sandbox, crm):
    sandbox.add_fault(path="Leads", method="POST", times=1)
    assert crm.get("Leads").status_code == 204
    assert crm.post("Leads", json={"data": [{"Last_Name": "F"}]}).status_code == 500
    assert crm.post("Leads", json={"data": [{"Last_Name": "F"}]}).status_code == 201
    assert sandbox.stats()["faults_served"] == 1


def test_clear_faults(sandbox, crm):
    sandbox.add_fault(path="Leads", times=10)
    sandbox.clear_faults()
    assert crm.get("Leads").status_code == 204


def test_rate_mode_is_deterministic_with_a_seed(sandbox, crm):
    def run() -> list[int]:
        sandbox.clear_faults()
        sandbox.add_fault(path="Leads", rate=0.3, seed=42)
        return [crm.get("Leads").status_code for _ in range(40)]

    first = run()
    assert first == run()
    assert 0 < first.count(500) < 40
    assert set(first) == {204, 500}


def test_bad_fault_specs_are_refused(sandbox):
    url = f"{sandbox.base_url}/__sandbox__/faults"
    for spec in ({"path": "("}, {"kind": "meteor"}, {"method": "BREW"}, {"rate": 2}):
        assert requests.post(url, json=spec, timeout=TIMEOUT).status_code == 400
