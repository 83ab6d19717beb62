"""The control API itself: reset, records as a sales rep, seed, limits, clock, stats."""

from __future__ import annotations

import requests

from tests.zoho_sandbox.crm_client import TIMEOUT


def _control(sandbox, method, path, **kw) -> requests.Response:
    return requests.request(method, f"{sandbox.base_url}/__sandbox__/{path}", timeout=TIMEOUT, **kw)


def test_reset_empties_the_org(sandbox):
    sandbox.create_client()
    sandbox.seed("Leads", 3)
    sandbox.add_field("Leads", "plezi_url", "Plezi URL", "website")
    sandbox.set_limits(credits_per_day=1)
    sandbox.reset()
    assert sandbox.records("Leads") == []
    assert _control(sandbox, "GET", "limits").json()["credits_per_day"] == 50_000
    crm_fields = sandbox.connect()  # a new client works
    assert crm_fields["access_token"]


def test_org_endpoint(sandbox):
    org = sandbox.org()
    assert set(org) == {"domain_name", "zgid", "api_domain", "accounts_url"}
    assert org["api_domain"] == org["accounts_url"] == sandbox.base_url


def test_sales_rep_records_are_validated(sandbox):
    reply = _control(sandbox, "POST", "records/Leads", json={"data": [{"First_Name": "No"}]})
    assert reply.status_code == 400
    assert reply.json()["data"][0]["code"] == "MANDATORY_NOT_FOUND"
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "Rep"}])
    sandbox.update_record("Leads", lead_id, {"City": "Lyon"})
    [lead] = sandbox.records("Leads")
    assert (lead["City"], lead["Modified_By"]["name"], lead["Owner"]["name"]) == (
        "Lyon", "Sam Sales", "Sam Sales")  # fmt: skip
    sandbox.delete_record("Leads", lead_id)
    assert sandbox.records("Leads") == []
    assert _control(sandbox, "DELETE", f"records/Leads/{lead_id}").status_code == 404


def test_control_records_of_one_email_domain(sandbox):
    sandbox.create_records(
        "Leads",
        [
            {"Last_Name": "A", "Email": "a@form.example"},
            {"Last_Name": "B", "Email": "b@other.example"},
            {"Last_Name": "C"},
        ],
    )
    assert [r["Last_Name"] for r in sandbox.records("Leads", email_domain="form.example")] == ["A"]


def test_the_write_log_keeps_every_record_write_in_commit_order(sandbox):
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "A", "Email": "A@x.example"}])
    sandbox.update_record("Leads", lead_id, {"City": "Lyon"})
    contact_id = sandbox.convert_lead(lead_id)

    writes = sandbox.writes()

    assert [(w["seq"], w["op"], w["module"], w["id"], w["by"]) for w in writes] == [
        (1, "create", "Leads", lead_id, "rep"),
        (2, "update", "Leads", lead_id, "rep"),
        (3, "convert", "Leads", lead_id, "rep"),
        (4, "convert", "Contacts", contact_id, "rep"),
    ]
    assert {w["email"] for w in writes} == {"a@x.example"}
    assert [w["at"] for w in writes] == sorted(w["at"] for w in writes)
    assert [w["seq"] for w in sandbox.writes(after=2)] == [3, 4]
    assert _control(sandbox, "GET", "writes?after=x").status_code == 400


def test_the_read_log_keeps_what_the_api_read_and_when(sandbox, crm):
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "A"}])
    crm.get(f"Leads/{lead_id}")
    assert sandbox.reads() == []  # an instrument, off by default
    sandbox.set_limits(log_reads=True)

    crm.get(f"Leads/{lead_id}")
    crm.put("Leads", json={"data": [{"id": lead_id, "City": "Lyon"}]})

    [read] = sandbox.reads()
    assert (read["module"], read["ids"], read["agent"]) == (
        "Leads",
        [lead_id],
        "python-requests/" + requests.__version__,
    )
    write = sandbox.writes()[-1]
    assert (write["by"], write["fields"], write["at"] >= read["at"]) == ("api", ["City"], True)


def test_control_records_include_converted_and_cost_nothing(sandbox):
    ids = sandbox.create_records("Leads", [{"Last_Name": "A"}, {"Last_Name": "B"}])
    sandbox.convert_lead(ids[0])
    assert len(sandbox.records("Leads")) == 2
    stats = sandbox.stats()
    assert (stats["total_calls"], stats["credits_used"]) == (0, 0)


def test_seed_is_deterministic_with_unique_emails(sandbox):
    sandbox.seed("Leads", 50, seed=7)
    first = [(r["First_Name"], r["Email"]) for r in sandbox.records("Leads")]
    sandbox.reset()
    sandbox.seed("Leads", 50, seed=7)
    assert [(r["First_Name"], r["Email"]) for r in sandbox.records("Leads")] == first
    sandbox.seed("Leads", 50, seed=7)
    sandbox.seed("Contacts", 50, seed=7)
    emails = [r["Email"] for m in ("Leads", "Contacts") for r in sandbox.records(m)]
    assert len(set(emails)) == 150


def test_limits_reject_unknown_or_mistyped_settings(sandbox):
    assert _control(sandbox, "POST", "limits", json={"nope": 1}).status_code == 400
    assert _control(sandbox, "POST", "limits", json={"max_concurrency": "3"}).status_code == 400
    assert sandbox.set_limits(max_concurrency=3)["max_concurrency"] == 3


def test_bad_field_definitions_are_refused(sandbox):
    body = {"module": "Leads", "api_name": "Email", "data_type": "text"}
    assert _control(sandbox, "POST", "fields", json=body).status_code == 400
    body = {"module": "Leads", "api_name": "x_y", "data_type": "hologram"}
    assert _control(sandbox, "POST", "fields", json=body).status_code == 400
    body = {"module": "Deals", "api_name": "x_y", "data_type": "text"}
    assert _control(sandbox, "POST", "fields", json=body).status_code == 404


def test_unknown_control_path_is_404(sandbox):
    assert _control(sandbox, "GET", "nothing-here").status_code == 404
