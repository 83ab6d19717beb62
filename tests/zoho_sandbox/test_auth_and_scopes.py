"""CRM authentication (401 codes) and OAuth scope checks."""

from __future__ import annotations

import requests

from tests.zoho_sandbox.crm_client import TIMEOUT, crm_for, zoho_error


def test_missing_authorization_is_authentication_failure(sandbox):
    reply = requests.get(f"{sandbox.base_url}/crm/v2/Leads", timeout=TIMEOUT)
    assert reply.status_code == 401
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.json() == zoho_error("AUTHENTICATION_FAILURE", "Authentication failed")


def test_unknown_token_is_invalid_token(sandbox):
    headers = {"Authorization": "Zoho-oauthtoken 1000.bogus.bogus"}
    reply = requests.get(f"{sandbox.base_url}/crm/v2/Leads", headers=headers, timeout=TIMEOUT)
    assert reply.status_code == 401
    assert reply.json() == zoho_error("INVALID_TOKEN", "invalid oauth token")


def test_bearer_scheme_is_refused_unless_switched_on(sandbox):
    token = sandbox.connect()["access_token"]
    url, headers = f"{sandbox.base_url}/crm/v2/Leads", {"Authorization": f"Bearer {token}"}
    assert requests.get(url, headers=headers, timeout=TIMEOUT).status_code == 401
    sandbox.set_limits(accept_bearer=True)
    assert requests.get(url, headers=headers, timeout=TIMEOUT).status_code == 204


def test_field_metadata_without_settings_scope_is_scope_mismatch(sandbox):
    crm = crm_for(sandbox, "ZohoCRM.modules.all")
    reply = crm.get("settings/fields", params={"module": "Leads"})
    assert reply.status_code == 401
    assert reply.json() == zoho_error(
        "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL"
    )


def test_records_without_modules_scope_is_scope_mismatch(sandbox):
    crm = crm_for(sandbox, "ZohoCRM.settings.fields.all")
    assert crm.get("settings/fields", params={"module": "Leads"}).status_code == 200
    assert crm.get("Leads").json()["code"] == "OAUTH_SCOPE_MISMATCH"


def test_scopes_are_case_insensitive(sandbox):
    crm = crm_for(sandbox, "zohocrm.SETTINGS.fields.READ,ZOHOCRM.modules.ALL")
    assert crm.get("Leads").status_code == 204
    assert crm.get("settings/fields", params={"module": "Contacts"}).status_code == 200


def test_module_and_operation_scopes_are_honoured(sandbox):
    crm = crm_for(sandbox, "ZohoCRM.modules.leads.READ")
    assert crm.get("Leads").status_code == 204
    assert crm.get("Contacts").status_code == 401
    assert crm.post("Leads", json={"data": [{"Last_Name": "X"}]}).status_code == 401
    writer = crm_for(sandbox, "ZohoCRM.modules.WRITE")
    assert writer.post("Contacts", json={"data": [{"Last_Name": "X"}]}).status_code == 201
    assert writer.get("Contacts").status_code == 401


def test_org_and_users_need_their_own_scopes_unless_lenient(sandbox):
    crm = crm_for(sandbox)  # the seed's scopes: settings.fields.all, modules.all
    assert crm.get("org").json()["code"] == "OAUTH_SCOPE_MISMATCH"
    assert crm.get("users", params={"type": "CurrentUser"}).status_code == 401
    assert crm.get("settings/modules").status_code == 401
    granted = crm_for(sandbox, "ZohoCRM.org.READ,ZohoCRM.users.READ,ZohoCRM.settings.modules.READ")
    assert granted.get("org").status_code == 200
    assert granted.get("users", params={"type": "CurrentUser"}).status_code == 200
    assert granted.get("settings/modules").status_code == 200
    sandbox.set_limits(lenient_org_scope=True)
    assert crm.get("org").status_code == 200
    assert crm.get("users", params={"type": "CurrentUser"}).status_code == 200


def test_search_needs_the_search_scope_unless_lenient(sandbox):
    crm = crm_for(sandbox)
    assert crm.get("Leads/search", params={"email": "a@b.co"}).status_code == 401
    scope = "ZohoCRM.modules.all,ZohoSearch.securesearch.READ"
    assert crm_for(sandbox, scope).get("Leads/search", params={"email": "a@b.co"}).ok
    sandbox.set_limits(lenient_search_scope=True)
    assert crm.get("Leads/search", params={"email": "a@b.co"}).status_code == 204


def test_unknown_module_and_unknown_url(crm):
    assert crm.get("Potatoes").status_code == 400
    assert crm.get("Potatoes").json() == zoho_error(
        "INVALID_MODULE", "the module name given seems to be invalid"
    )
    reply = crm.get("Leads/123/what/ever")
    assert reply.status_code == 404
    assert reply.json()["code"] == "INVALID_URL_PATTERN"


def test_wrong_method_is_invalid_request_method(crm):
    reply = crm.call("PATCH", "Leads")
    assert reply.status_code == 400
    assert reply.json()["code"] == "INVALID_REQUEST_METHOD"
