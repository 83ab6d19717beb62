"""Lead conversion, and the org, users, modules and fields metadata."""

from __future__ import annotations

import re


def test_convert_turns_the_lead_into_a_contact_and_costs_5_credits(sandbox, crm):
    [lead_id] = sandbox.create_records("Leads", [{
        "First_Name": "Grace", "Last_Name": "Hopper", "Email": "grace@navy.mil",
        "Company": "Navy", "City": "Arlington", "Designation": "Rear Admiral",
    }])  # fmt: skip
    sandbox.reset_stats()
    reply = crm.post(f"Leads/{lead_id}/actions/convert", json={"data": [{"overwrite": True}]})
    assert reply.status_code == 200
    [result] = reply.json()["data"]
    assert set(result) == {"Contacts", "Deals", "Accounts"} and result["Deals"] is None
    assert sandbox.stats()["credits_used"] == 5
    [contact] = crm.get(f"Contacts/{result['Contacts']}").json()["data"]
    assert (contact["Email"], contact["First_Name"], contact["Mailing_City"], contact["Title"]) == (
        "grace@navy.mil", "Grace", "Arlington", "Rear Admiral")  # fmt: skip
    assert contact["Account_Name"] == {"name": "Navy", "id": result["Accounts"]}
    lead = crm.get(f"Leads/{lead_id}").json()["data"][0]
    assert lead["$converted"] is True
    assert lead["$converted_detail"]["contact"] == result["Contacts"]
    assert crm.get("Leads").status_code == 204
    again = crm.post(f"Leads/{lead_id}/actions/convert")
    assert again.status_code == 400


def test_convert_unknown_lead_is_400(crm):
    assert crm.post("Leads/1234567890123456789/actions/convert").status_code == 400


def test_control_convert_returns_the_contact_id(sandbox):
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "Rep", "Email": "rep@x.io"}])
    contact_id = sandbox.convert_lead(lead_id)
    assert [c["id"] for c in sandbox.records("Contacts")] == [contact_id]
    assert sandbox.records("Leads")[0]["$converted"] is True


def test_field_metadata_shape(sandbox, crm):
    reply = crm.get("settings/fields", params={"module": "Leads"})
    assert reply.status_code == 200
    fields = {f["api_name"]: f for f in reply.json()["fields"]}
    for name in ("Email", "First_Name", "Last_Name", "Company", "Phone", "Mobile", "Designation",
                 "Website", "City", "Country", "Lead_Source", "Lead_Status", "Email_Opt_Out",
                 "Owner"):  # fmt: skip
        assert name in fields, name
    assert all(re.fullmatch(r"\d+", f["id"]) for f in fields.values())
    assert fields["Last_Name"]["system_mandatory"] is True
    assert (fields["Last_Name"]["length"], fields["First_Name"]["length"]) == (80, 40)
    assert fields["Email"]["data_type"] == "email"
    statuses = [v["display_value"] for v in fields["Lead_Status"]["pick_list_values"]]
    assert statuses[0] == "-None-" and "Contacted" in statuses
    contacts = crm.get("settings/fields", params={"module": "Contacts"}).json()["fields"]
    account = next(f for f in contacts if f["api_name"] == "Account_Name")
    assert account["data_type"] == "lookup" and account["lookup"]["module"] == "Accounts"


def test_field_metadata_errors(crm):
    assert crm.get("settings/fields").json()["code"] == "REQUIRED_PARAM_MISSING"
    assert crm.get("settings/fields", params={"module": "Nope"}).json()["code"] == "INVALID_MODULE"


def test_custom_fields_come_last(sandbox, crm):
    for name in ("plezi_url", "score", "status", "crm_to_plezi"):
        field = sandbox.add_field("Leads", name, name, "text")
        assert field["custom_field"] is True and field["length"] == 255
    names = [f["api_name"] for f in crm.get("settings/fields?module=Leads").json()["fields"]]
    assert names[-4:] == ["plezi_url", "score", "status", "crm_to_plezi"]
    assert crm.post("Leads", json={"data": [{"Last_Name": "C", "score": "42"}]}).ok
    assert crm.get("Leads").json()["data"][0]["score"] == "42"


def test_module_metadata(crm):
    modules = crm.get("settings/modules").json()["modules"]
    assert [m["api_name"] for m in modules] == ["Leads", "Contacts"]
    for module in modules:
        assert {"api_name", "module_name", "api_supported", "generated_type", "id"} <= set(module)
        assert module["api_supported"] is True and module["generated_type"] == "default"
    [leads] = crm.get("settings/modules/Leads").json()["modules"]
    assert leads["api_name"] == "Leads"
    assert crm.get("settings/modules/Nope").json()["code"] == "INVALID_MODULE"


def test_org_and_current_user(sandbox, crm):
    [org] = crm.get("org").json()["org"]
    assert re.fullmatch(r"org\d+", org["domain_name"])
    assert org["zgid"] == org["domain_name"][3:]
    assert sandbox.org()["domain_name"] == org["domain_name"]
    body = crm.get("users", params={"type": "CurrentUser"}).json()
    [user] = body["users"]
    assert {"id", "full_name", "email", "role", "profile", "zuid"} <= set(user)
    assert body["info"]["count"] == 1
    assert len(crm.get("users", params={"type": "AllUsers"}).json()["users"]) == 2


def test_module_names_in_urls_ignore_case(sandbox, crm):
    sandbox.create_records("Leads", [{"Last_Name": "Case"}])
    assert crm.get("leads").status_code == 200


def test_a_converted_lead_refuses_updates_per_record(sandbox, crm):
    [lead_id, other_id] = sandbox.create_records(
        "Leads", [{"Last_Name": "Gone", "Email": "g@x.io"}, {"Last_Name": "Live"}]
    )
    sandbox.convert_lead(lead_id)
    reply = crm.put("Leads", json={"data": [
        {"id": lead_id, "Last_Name": "New"}, {"id": other_id, "Last_Name": "Still"},
    ]})  # fmt: skip
    assert reply.status_code == 207
    refused, accepted = reply.json()["data"]
    assert (refused["code"], refused["message"], refused["details"]) == (
        "INVALID_DATA", "can't update the converted record", {"id": lead_id})  # fmt: skip
    assert accepted["status"] == "success"
    assert crm.get(f"Leads/{lead_id}").json()["data"][0]["Last_Name"] == "Gone"


def test_v8_leads_carry_converted_s_and_its_time_in_the_org_offset(sandbox, crm):
    sandbox.set_limits(time_zone_offset_minutes=120)
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "Turing"}])
    v8 = crm.v8()
    [fresh] = v8.get(f"Leads/{lead_id}").json()["data"]
    assert (fresh["Converted__s"], fresh["Converted_Date_Time"]) == (False, None)
    sandbox.convert_lead(lead_id)
    [lead] = v8.get(f"Leads/{lead_id}").json()["data"]
    assert lead["Converted__s"] is True and lead["$converted"] is True
    assert lead["Converted_Date_Time"] == lead["$converted_detail"]["convert_date"]
    assert lead["Converted_Date_Time"].endswith("+02:00")


def test_v8_listings_may_name_the_conversion_fields(sandbox, crm):
    [done, open_] = sandbox.create_records("Leads", [{"Last_Name": "Done"}, {"Last_Name": "Open"}])
    sandbox.convert_lead(done)
    params = {"fields": "Last_Name,Converted__s,Converted_Date_Time", "converted": "both"}
    rows = {r["id"]: r for r in crm.v8().get("Leads", params=params).json()["data"]}
    assert set(rows[done]) == {"id", "Last_Name", "Converted__s", "Converted_Date_Time"}
    assert rows[done]["Converted__s"] is True and rows[done]["Converted_Date_Time"]
    assert (rows[open_]["Converted__s"], rows[open_]["Converted_Date_Time"]) == (False, None)
    by_ids = {"ids": f"{done},{open_}", "fields": "Converted__s"}
    assert [r["Converted__s"] for r in crm.v8().get("Leads", params=by_ids).json()["data"]] == [
        True,
        False,
    ]


def test_v2_and_contacts_have_no_conversion_fields(sandbox, crm):
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "Old"}])
    contact_id = sandbox.convert_lead(lead_id)
    [lead] = crm.get(f"Leads/{lead_id}").json()["data"]
    assert lead["$converted"] is True
    assert not {"Converted__s", "Converted_Date_Time"} & set(lead)
    named = {"fields": "Last_Name,Converted__s", "converted": "both"}
    assert set(crm.get("Leads", params=named).json()["data"][0]) == {"id", "Last_Name"}
    [contact] = crm.v8().get(f"Contacts/{contact_id}").json()["data"]
    assert not {"Converted__s", "Converted_Date_Time"} & set(contact)
    names = {f["api_name"] for f in crm.v8().get("settings/fields?module=Leads").json()["fields"]}
    assert "Converted__s" not in names  # not listed as field metadata (README, choice 10)
    criteria = {"criteria": "(Converted__s:equals:true)", "converted": "both"}
    assert crm.v8().get("Leads/search", params=criteria).json()["code"] == "INVALID_QUERY"
