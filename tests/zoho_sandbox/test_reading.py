"""GET /{module}: envelope, paging, caps, page tokens, converted, If-Modified-Since."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from tests.zoho_sandbox.crm_client import crm_for, zoho_error

TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


FIELDS = "Email,Last_Name"


def _walk(crm, module="Leads", **params) -> list[dict]:
    """Every record, pages then page tokens, as a client must do past 2,000 (v8)."""
    crm, params = crm.v8(), {"fields": FIELDS, **params}
    seen, reply = [], crm.get(module, params={**params, "per_page": 200})
    while reply.status_code == 200:
        body = reply.json()
        seen += body["data"]
        if not body["info"]["more_records"]:
            break
        token = body["info"]["next_page_token"]
        reply = crm.get(module, params={**params, "per_page": 200, "page_token": token})
    return seen


def test_empty_module_is_204_with_no_body(crm):
    reply = crm.get("Leads")
    assert reply.status_code == 204
    assert reply.content == b""


def test_records_come_in_zoho_shape(sandbox, crm):
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "Turing", "Email": "a@t.uk"}])
    reply = crm.get("Leads")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json()
    assert body["info"] == {"per_page": 200, "count": 1, "page": 1, "more_records": False}
    v8 = crm.v8().get("Leads", params={"fields": FIELDS}).json()
    assert v8["info"] == {
        "per_page": 200, "count": 1, "page": 1, "more_records": False, "sort_by": "id",
        "sort_order": "desc", "next_page_token": None, "previous_page_token": None,
        "page_token_expiry": None,
    }  # fmt: skip
    [record] = body["data"]
    assert record["id"] == lead_id and re.fullmatch(r"\d{19}", lead_id)
    assert record["Last_Name"] == "Turing" and record["First_Name"] is None
    assert set(record["Owner"]) == {"name", "id", "email"}
    assert record["Created_By"]["name"] == "Sam Sales"
    assert TIME_RE.match(record["Created_Time"]) and record["Created_Time"].endswith("+00:00")
    assert record["$converted"] is False


def test_times_use_the_org_offset(sandbox, crm):
    sandbox.set_limits(time_zone_offset_minutes=330)
    sandbox.create_records("Leads", [{"Last_Name": "Raman"}])
    assert crm.get("Leads").json()["data"][0]["Modified_Time"].endswith("+05:30")


def test_fields_parameter_limits_the_keys(sandbox, crm):
    sandbox.create_records("Leads", [{"Last_Name": "Hopper", "Email": "g@navy.mil"}])
    [record] = crm.get("Leads", params={"fields": "Email,Last_Name"}).json()["data"]
    assert set(record) == {"id", "Email", "Last_Name"}


def test_per_page_is_capped_at_200(sandbox, crm):
    sandbox.seed("Leads", 250)
    body = crm.get("Leads", params={"per_page": 500}).json()
    assert body["info"]["per_page"] == 200 and body["info"]["count"] == 200
    assert body["info"]["more_records"] is True


def test_sort_by_and_order(sandbox, crm):
    ids = sandbox.create_records("Leads", [{"Last_Name": n} for n in "ABC"])
    assert [r["id"] for r in crm.get("Leads").json()["data"]] == ids[::-1]
    asc = crm.get("Leads", params={"sort_order": "asc"}).json()["data"]
    assert [r["id"] for r in asc] == ids
    sandbox.advance_clock(5)
    sandbox.update_record("Leads", ids[0], {"First_Name": "Z"})
    by_modified = crm.get("Leads", params={"sort_by": "Modified_Time"}).json()["data"]
    assert by_modified[0]["id"] == ids[0]
    assert crm.get("Leads", params={"sort_by": "Email"}).status_code == 400


def test_page_past_2000_records_needs_page_token(sandbox, crm):
    sandbox.seed("Leads", 2001)
    assert crm.get("Leads", params={"page": 10}).json()["info"]["more_records"] is True
    reply = crm.get("Leads", params={"page": 11})
    assert reply.status_code == 400
    assert reply.json() == zoho_error(
        "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
        "You can only get the first 2000 records without using page_token param",
        {"limit": 2000},
    )


def test_page_token_walk_returns_every_record_once(sandbox, crm):
    sandbox.seed("Leads", 2450)
    records = _walk(crm, sort_order="asc")
    assert len(records) == 2450
    assert len({r["id"] for r in records}) == 2450
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)


def test_page_token_rules(sandbox, crm):
    sandbox.seed("Leads", 300)
    crm = crm.v8()
    crm.http.params = {"fields": FIELDS}
    token = crm.get("Leads").json()["info"]["next_page_token"]
    both = crm.get("Leads", params={"page": 2, "page_token": token})
    assert both.json()["code"] == "AMBIGUITY_DURING_PROCESSING"
    other = crm.get("Leads", params={"page_token": token, "sort_order": "asc"})
    assert other.json()["code"] == "TOKEN_BOUND_DATA_MISMATCH"
    assert crm.get("Leads", params={"page_token": "nope"}).json()["code"] == "INVALID_DATA"
    page_two = crm.get("Leads", params={"page_token": token}).json()
    assert page_two["info"]["page"] == 2 and page_two["info"]["count"] == 100
    assert page_two["info"]["previous_page_token"]
    sandbox.advance_clock(86_401)
    expired = crm_for(sandbox).v8().get("Leads", params={"page_token": token, "fields": FIELDS})
    assert (expired.status_code, expired.json()["code"]) == (400, "EXPIRED_VALUE")


def test_v2_reaches_2000_records_and_has_no_page_token(sandbox, crm):
    sandbox.seed("Leads", 2201)
    body = crm.get("Leads", params={"page": 10}).json()
    assert body["info"] == {"per_page": 200, "count": 200, "page": 10, "more_records": True}
    assert crm.get("Leads", params={"page": 11}).json()["code"] == (
        "DISCRETE_PAGINATION_LIMIT_EXCEEDED"
    )
    refused = crm.get("Leads", params={"page_token": "anything"}).json()
    assert (refused["code"], refused["details"]) == ("INVALID_DATA", {"param_name": "page_token"})


def test_v8_listings_need_at_most_50_fields(sandbox, crm):
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "Fields"}])
    v8 = crm.v8()
    for params in ({}, {"ids": lead_id}):
        missing = v8.get("Leads", params=params).json()
        assert (missing["code"], missing["details"]) == (
            "REQUIRED_PARAM_MISSING", {"param_name": "fields"})  # fmt: skip
    many = v8.get("Leads", params={"fields": ",".join(f"F{n}" for n in range(51))}).json()
    assert (many["code"], many["details"]["limit"]) == ("LIMIT_EXCEEDED", 50)
    [record] = v8.get("Leads", params={"ids": lead_id, "fields": "Last_Name"}).json()["data"]
    assert record == {"id": lead_id, "Last_Name": "Fields"}
    assert v8.get(f"Leads/{lead_id}").json()["data"][0]["$converted"] is False


def test_converted_leads_are_hidden_by_default(sandbox, crm):
    ids = sandbox.create_records("Leads", [{"Last_Name": "Kept"}, {"Last_Name": "Gone"}])
    sandbox.convert_lead(ids[1])
    assert [r["id"] for r in crm.get("Leads").json()["data"]] == [ids[0]]
    converted = crm.get("Leads", params={"converted": "true"}).json()["data"]
    assert [(r["id"], r["$converted"]) for r in converted] == [(ids[1], True)]
    assert len(crm.get("Leads", params={"converted": "both"}).json()["data"]) == 2


def test_if_modified_since_is_inclusive_and_304_when_nothing_newer(sandbox, crm):
    ids = sandbox.create_records("Leads", [{"Last_Name": "Old"}, {"Last_Name": "Older"}])
    stamp = crm.get(f"Leads/{ids[0]}").json()["data"][0]["Modified_Time"]
    sandbox.advance_clock(60)
    sandbox.update_record("Leads", ids[1], {"First_Name": "New"})
    later = crm.get(f"Leads/{ids[1]}").json()["data"][0]["Modified_Time"]
    since_stamp = crm.get("Leads", headers={"If-Modified-Since": stamp}).json()["data"]
    assert len(since_stamp) == 2  # inclusive: records modified at that very second count
    since_later = crm.get("Leads", headers={"If-Modified-Since": later}).json()["data"]
    assert [r["id"] for r in since_later] == [ids[1]]
    sandbox.advance_clock(60)
    now = sandbox.advance_clock(0)["now"]
    reply = crm.get("Leads", headers={"If-Modified-Since": now})
    assert (reply.status_code, reply.content) == (304, b"")


def test_if_modified_since_accepts_other_offsets(sandbox, crm):
    sandbox.create_records("Leads", [{"Last_Name": "Zone"}])
    stamp = crm.get("Leads").json()["data"][0]["Modified_Time"]
    moment = datetime.fromisoformat(stamp).astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert crm.get("Leads", headers={"If-Modified-Since": moment.isoformat()}).status_code == 200
    assert crm.get("Leads", headers={"If-Modified-Since": "garbage"}).status_code == 400


def test_get_one_record_and_unknown_id(sandbox, crm):
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "One"}])
    assert crm.get(f"Leads/{lead_id}").json()["data"][0]["Last_Name"] == "One"
    assert crm.get("Leads/1234567890123456789").status_code == 204


def test_ids_parameter_fetches_those_records(sandbox, crm):
    ids = sandbox.create_records("Contacts", [{"Last_Name": n} for n in "ABC"])
    body = crm.get("Contacts", params={"ids": f"{ids[0]},{ids[2]}"}).json()
    assert {r["id"] for r in body["data"]} == {ids[0], ids[2]}


def test_keep_alive_connections_are_reused(sandbox, crm):
    sandbox.create_records("Leads", [{"Last_Name": "Pool"}])
    for _ in range(5):
        assert crm.get("Leads").status_code == 200
    pool = crm.http.get_adapter(crm.url).poolmanager
    [connection_pool] = pool.pools._container.values()
    assert connection_pool.num_connections == 1
