"""Insert, update, upsert and delete: per-record results, statuses and validation."""

from __future__ import annotations

import re

from tests.zoho_sandbox.crm_client import zoho_error


def _insert(crm, *records, **body):
    return crm.post("Leads", json={"data": list(records), **body})


def test_insert_answers_201_with_zoho_details(crm):
    reply = _insert(crm, {"Last_Name": "Lovelace", "Email": "ada@example.com"})
    assert reply.status_code == 201
    [result] = reply.json()["data"]
    assert result["code"] == "SUCCESS" and result["status"] == "success"
    assert result["message"] == "record added"
    details = result["details"]
    assert set(details) == {"Modified_Time", "Modified_By", "Created_Time", "id", "Created_By"}
    assert re.fullmatch(r"\d{19}", details["id"])
    assert details["Created_By"] == {"name": "Sandbox Admin", "id": details["Created_By"]["id"]}


def test_mixed_batch_is_207_and_keeps_order(crm):
    reply = _insert(crm, {"Last_Name": "Ok"}, {"First_Name": "No last name"})
    assert reply.status_code == 207
    ok, missing = reply.json()["data"]
    assert ok["status"] == "success"
    assert missing == zoho_error(
        "MANDATORY_NOT_FOUND", "required field not found", {"api_name": "Last_Name"}
    )


def test_all_failed_batch_is_400_and_legacy_mode_says_202(sandbox, crm):
    assert _insert(crm, {"First_Name": "x"}).status_code == 400
    sandbox.set_limits(legacy_status=True)
    assert _insert(crm, {"First_Name": "x"}).status_code == 202
    assert _insert(crm, {"First_Name": "x"}, {"Last_Name": "y"}).status_code == 202


def test_more_than_100_records_is_refused(crm):
    reply = _insert(crm, *[{"Last_Name": str(i)} for i in range(101)])
    assert reply.status_code == 400
    assert reply.json() == zoho_error("LIMIT_EXCEEDED", "the limit is exceeded", {"limit": 100})


def test_invalid_body_and_empty_data(crm):
    assert crm.post("Leads", data="{not json").json()["code"] == "INVALID_DATA"
    assert crm.post("Leads", json={"data": []}).json()["code"] == "MANDATORY_NOT_FOUND"
    assert _insert(crm, {"Last_Name": "x"}, trigger=["rocket"]).status_code == 400
    assert _insert(crm, {"Last_Name": "x"}, trigger=["workflow"]).status_code == 201


def _error_of(crm, record) -> dict:
    return _insert(crm, record).json()["data"][0]


def test_type_errors_are_invalid_data_with_expected_type(crm):
    cases = {
        "No_of_Employees": ("many", "integer"),
        "Annual_Revenue": ("lots", "currency"),
        "Email": ("not-an-email", "email"),
        "Email_Opt_Out": ("yes", "boolean"),
        "First_Name": ({"a": 1}, "text"),
    }
    for api_name, (value, expected) in cases.items():
        error = _error_of(crm, {"Last_Name": "T", api_name: value})
        assert error == zoho_error(
            "INVALID_DATA", "invalid data", {"api_name": api_name, "expected_data_type": expected}
        ), api_name


def test_too_long_values_are_invalid_data(crm):
    error = _error_of(crm, {"Last_Name": "x" * 81})
    assert error == zoho_error(
        "INVALID_DATA", "invalid data", {"api_name": "Last_Name", "maximum_length": 80}
    )


def test_custom_field_types_dates_and_multiselect(sandbox, crm):
    sandbox.add_field("Leads", "Birthday", "Birthday", "date")
    sandbox.add_field("Leads", "Met_At", "Met at", "datetime")
    sandbox.add_field("Leads", "Topics", "Topics", "multiselectpicklist",
                      pick_list_values=["CRM", "SEO"])  # fmt: skip
    good = {"Last_Name": "D", "Birthday": "1990-02-28", "Met_At": "2026-01-02T10:00:00+01:00",
            "Topics": ["CRM", "SEO"]}  # fmt: skip
    assert _insert(crm, good).status_code == 201
    for api_name, value in [("Birthday", "28/02/1990"), ("Birthday", "1990-02-30"),
                            ("Met_At", "2026-01-02 10:00"), ("Topics", "CRM")]:  # fmt: skip
        error = _error_of(crm, {"Last_Name": "D", api_name: value})
        assert error["code"] == "INVALID_DATA" and error["details"]["api_name"] == api_name


def test_unknown_picklist_value_is_stored_unless_the_switch_restricts_it(sandbox, crm):
    assert _insert(crm, {"Last_Name": "P", "Lead_Status": "Sleeping"}).status_code == 201
    assert sandbox.records("Leads")[0]["Lead_Status"] == "Sleeping"
    sandbox.set_limits(reject_unknown_picklist=True)
    error = _error_of(crm, {"Last_Name": "P", "Lead_Status": "Sleeping"})
    assert error["details"]["api_name"] == "Lead_Status"


def test_unknown_fields_are_ignored_unless_switched_on(sandbox, crm):
    assert _insert(crm, {"Last_Name": "U", "Shoe_Size": 44}).status_code == 201
    assert "Shoe_Size" not in sandbox.records("Leads")[0]
    sandbox.set_limits(reject_unknown_fields=True)
    error = _error_of(crm, {"Last_Name": "U", "Shoe_Size": 44})
    assert error["details"] == {"api_name": "Shoe_Size"}


def test_unique_custom_field_rejects_duplicates(sandbox, crm):
    sandbox.add_field("Leads", "plezi_id", "Plezi id", "text", unique=True)
    first = _insert(crm, {"Last_Name": "A", "plezi_id": "p-1"}).json()["data"][0]["details"]["id"]
    reply = _insert(crm, {"Last_Name": "B", "plezi_id": "P-1"})
    assert reply.status_code == 400
    assert reply.json()["data"][0] == zoho_error(
        "DUPLICATE_DATA", "duplicate data", {"api_name": "plezi_id", "id": first}
    )


def test_duplicate_emails_are_allowed(crm):
    reply = _insert(crm, {"Last_Name": "A", "Email": "x@y.z"}, {"Last_Name": "B", "Email": "x@y.z"})
    assert reply.status_code == 201


def test_update_moves_modified_time_and_modified_by(sandbox, crm):
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "Before"}])
    before = crm.get(f"Leads/{lead_id}").json()["data"][0]
    sandbox.advance_clock(120)
    reply = crm.put(f"Leads/{lead_id}", json={"data": [{"Last_Name": "After"}]})
    assert reply.status_code == 200
    assert reply.json()["data"][0]["message"] == "record updated"
    after = crm.get(f"Leads/{lead_id}").json()["data"][0]
    assert after["Last_Name"] == "After"
    assert after["Modified_Time"] > before["Modified_Time"]
    assert (before["Modified_By"]["name"], after["Modified_By"]["name"]) == (
        "Sam Sales",
        "Sandbox Admin",
    )
    assert after["Created_Time"] == before["Created_Time"]


def test_update_many_needs_ids_and_known_records(sandbox, crm):
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "A"}])
    data = [{"id": lead_id, "City": "Lyon"}, {"City": "Paris"}, {"id": "999", "City": "Nice"}]
    reply = crm.put("Leads", json={"data": data})
    assert reply.status_code == 207
    ok, no_id, unknown = reply.json()["data"]
    assert ok["status"] == "success"
    assert no_id["code"] == "MANDATORY_NOT_FOUND" and no_id["details"] == {"api_name": "id"}
    assert unknown["code"] == "INVALID_DATA"


def test_clearing_last_name_is_mandatory_not_found(sandbox, crm):
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "A"}])
    reply = crm.put(f"Leads/{lead_id}", json={"data": [{"Last_Name": None}]})
    assert reply.json()["data"][0]["code"] == "MANDATORY_NOT_FOUND"


def test_upsert_inserts_then_updates_by_email(crm):
    body = {"data": [{"Last_Name": "Up", "Email": "up@example.com"}], "trigger": []}
    inserted = crm.post("Leads/upsert", json=body)
    assert inserted.status_code == 200
    first = inserted.json()["data"][0]
    assert (first["action"], first["duplicate_field"]) == ("insert", None)
    body["data"][0].update(Email="UP@example.com", City="Nantes")
    updated = crm.post("Leads/upsert", json=body).json()["data"][0]
    assert (updated["action"], updated["duplicate_field"]) == ("update", "Email")
    assert updated["details"]["id"] == first["details"]["id"]
    assert updated["message"] == "record updated"


def test_upsert_with_several_matches_updates_the_oldest(sandbox, crm):
    ids = sandbox.create_records("Leads", [{"Last_Name": "Old", "Email": "twin@x.io"},
                                           {"Last_Name": "New", "Email": "twin@x.io"}])  # fmt: skip
    reply = crm.post("Leads/upsert", json={"data": [{"Last_Name": "Merged", "Email": "twin@x.io"}]})
    assert reply.json()["data"][0]["details"]["id"] == ids[0]


def test_upsert_with_explicit_duplicate_check_fields(sandbox, crm):
    sandbox.add_field("Leads", "plezi_id", "Plezi id", "text", unique=True)
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "A", "plezi_id": "p1"}])
    body = {"data": [{"Last_Name": "B", "plezi_id": "p1", "Email": "b@x.io"}],
            "duplicate_check_fields": ["plezi_id"]}  # fmt: skip
    result = crm.post("Leads/upsert", json=body).json()["data"][0]
    assert (result["action"], result["duplicate_field"]) == ("update", "plezi_id")
    assert result["details"]["id"] == lead_id
    body["duplicate_check_fields"] = ["Nope"]
    assert crm.post("Leads/upsert", json=body).status_code == 400


def test_upsert_skips_converted_leads(sandbox, crm):
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "C", "Email": "conv@x.io"}])
    sandbox.convert_lead(lead_id)
    reply = crm.post("Leads/upsert", json={"data": [{"Last_Name": "C", "Email": "conv@x.io"}]})
    assert reply.json()["data"][0]["action"] == "insert"


def test_delete_and_deleted_list(sandbox, crm):
    assert crm.get("Leads/deleted").status_code == 204
    ids = sandbox.create_records("Leads", [{"First_Name": "Deb", "Last_Name": "X"},
                                           {"Last_Name": "Y"}])  # fmt: skip
    reply = crm.delete("Leads", params={"ids": f"{ids[0]},1234"})
    assert reply.status_code == 207
    success = {"code": "SUCCESS", "details": {"id": ids[0]}, "message": "record deleted"}
    assert reply.json()["data"][0] == {**success, "status": "success"}
    assert crm.delete(f"Leads/{ids[1]}").status_code == 200
    assert crm.get(f"Leads/{ids[0]}").status_code == 204
    body = crm.get("Leads/deleted").json()
    assert [e["id"] for e in body["data"]] == [ids[1], ids[0]]
    entry = body["data"][1]
    assert set(entry) == {"deleted_by", "id", "display_name", "type", "created_by", "deleted_time"}
    assert (entry["display_name"], entry["type"]) == ("Deb X", "recycle")
    assert entry["deleted_by"]["name"] == "Sandbox Admin"
    assert crm.get("Leads/deleted", params={"type": "permanent"}).status_code == 204
    later = sandbox.advance_clock(10)["now"]
    assert crm.get("Leads/deleted", headers={"If-Modified-Since": later}).status_code == 304


def test_delete_needs_ids(crm):
    assert crm.delete("Leads").json()["code"] == "REQUIRED_PARAM_MISSING"
