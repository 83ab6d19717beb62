"""GET /{module}/search: criteria, email, phone, word, 204 and the 2,000-result cap."""

from __future__ import annotations

from tests.zoho_sandbox.crm_client import zoho_error


def _ids(reply) -> list[str]:
    return [r["id"] for r in reply.json()["data"]] if reply.status_code == 200 else []


def _people(sandbox) -> list[str]:
    return sandbox.create_records("Leads", [
        {"Last_Name": "Burns,B", "First_Name": "Monty", "Email": "monty@plant.com",
         "Phone": "+1 555 0100", "Company": "Plant"},
        {"Last_Name": "Simpson", "First_Name": "Homer", "Email": "homer@plant.com",
         "Company": "Patricia(Boyle)"},
        {"Last_Name": "Simpson", "First_Name": "Marge", "Email": "marge@home.com"},
    ])  # fmt: skip


def test_criteria_equals_starts_with_and_or(sandbox, crm):
    burns, homer, marge = _people(sandbox)
    search = lambda c: _ids(crm.get("Leads/search", params={"criteria": c}))  # noqa: E731
    assert search("(Last_Name:equals:simpson)") == [homer, marge]
    assert search("((Last_Name:equals:Simpson)and(First_Name:starts_with:Ma))") == [marge]
    assert search("((First_Name:equals:Monty)or(Email:starts_with:marge))") == [burns, marge]
    assert search(
        "(((Last_Name:equals:Simpson)and(First_Name:equals:Homer))or(Company:equals:Plant))"
    ) == [burns, homer]
    assert search(r"(Last_Name:equals:Burns\,B)") == [burns]
    assert search(r"(Company:equals:Patricia\(Boyle\))") == [homer]


def test_criteria_errors_are_invalid_query(sandbox, crm):
    _people(sandbox)
    unknown = crm.get("Leads/search", params={"criteria": "(Shoe:equals:44)"})
    assert unknown.status_code == 400 and unknown.json()["code"] == "INVALID_QUERY"
    operator = crm.get("Leads/search", params={"criteria": "(Email:contains:x)"})
    assert operator.json()["details"]["operator"] == "contains"
    eleven = "(" + "or".join(["(Last_Name:equals:x)"] * 11) + ")"
    too_many = crm.get("Leads/search", params={"criteria": eleven})
    assert too_many.json()["code"] == "INVALID_QUERY"
    ten = "(" + "or".join(["(Last_Name:equals:x)"] * 10) + ")"
    assert crm.get("Leads/search", params={"criteria": ten}).status_code == 204
    broken = crm.get("Leads/search", params={"criteria": "((Last_Name:equals:x)"})
    assert broken.json()["code"] == "INVALID_QUERY"


def test_email_phone_and_word_searches(sandbox, crm):
    burns, homer, _ = _people(sandbox)
    assert _ids(crm.get("Leads/search", params={"email": "HOMER@plant.com"})) == [homer]
    assert _ids(crm.get("Leads/search", params={"phone": "+15550100"})) == [burns]
    assert _ids(crm.get("Leads/search", params={"word": "plant"})) == [burns, homer]
    assert crm.get("Leads/search", params={"word": "p"}).status_code == 400


def test_no_match_is_204_and_no_mode_is_400(sandbox, crm):
    _people(sandbox)
    reply = crm.get("Leads/search", params={"email": "nobody@nowhere.com"})
    assert (reply.status_code, reply.content) == (204, b"")
    assert crm.get("Leads/search").json()["code"] == "EXPECTED_PARAM_MISSING"


def test_converted_leads_are_not_found_by_default(sandbox, crm):
    burns, _, _ = _people(sandbox)
    sandbox.convert_lead(burns)
    assert crm.get("Leads/search", params={"email": "monty@plant.com"}).status_code == 204
    params = {"email": "monty@plant.com", "converted": "true"}
    assert _ids(crm.get("Leads/search", params=params)) == [burns]
    assert crm.get("Contacts/search", params={"email": "monty@plant.com"}).status_code == 200


def test_results_past_2000_are_limit_reached(sandbox, crm):
    sandbox.seed("Leads", 2100)
    criteria = {"criteria": "(Email:starts_with:a)"}
    assert crm.get("Leads/search", params={**criteria, "page": 1}).status_code in (200, 204)
    reply = crm.get("Leads/search", params={"word": "example", "page": 10})
    assert reply.json()["info"]["more_records"] is True
    reply = crm.get("Leads/search", params={"word": "example", "page": 11})
    assert reply.status_code == 400
    assert reply.json() == zoho_error(
        "LIMIT_REACHED", "maximum response iteration limit reached", {"limit": "2000"}
    )
