"""The Zoho configuration form given bad input: the page says what to fix and saves nothing.

Every case posts the form as an admin would, against the live sandbox, and
checks three things: the page answers (never a 500), it shows the case's
message next to "Your configuration was not saved and nothing changed.", and
the workspace (connection, Zoho field lists, mapping, settings flags) is
exactly as before.
"""

import pytest
from django.urls import reverse

from integration.models import ZohoConnection
from integration.zoho import domains
from integration.zoho.domains import DataCenter
from tests.bad_input.conftest import snapshot
from tests.helpers.zoho import ORG_READ, form_data
from zoho_sandbox.server import start_in_thread

URL = reverse("integration:connection", args=["acme"])
NOT_SAVED = "Your configuration was not saved and nothing changed."
SSRF = "We only send your credentials to Zoho&#x27;s own servers."
EXPIRED = "This code has expired or was already used."
USED_UP = "This code is now used up: generate a new one before trying again."


@pytest.fixture
def admin(owner_client):
    # A crash must show up as a 500 to assert on, not as an exception in the test.
    owner_client.raise_request_exception = False
    return owner_client


def assert_refused(response, message: str, workspace, before) -> None:
    assert response.status_code == 200, f"answered {response.status_code}"
    page = response.content.decode()
    assert message in page
    assert NOT_SAVED in page
    assert snapshot(workspace) == before


# ---- formats: refused before anything is sent to Zoho --------------------------------------
FORMAT_CASES = [
    pytest.param({"client_id": ""}, "This field is required.", id="client-id-empty"),
    pytest.param(
        {"client_id": "my-client"},
        "A Zoho Client ID looks like 1000.ABCD1234…: copy it from your Self Client",
        id="client-id-malformed",
    ),
    pytest.param(
        {"client_id": "1000." + "A" * 196},
        "Ensure this value has at most 200 characters (it has 201).",
        id="client-id-too-long",
    ),
    pytest.param(
        {"client_id": "1000.ABCD\x001234"}, "Null characters are not allowed.", id="client-id-nul"
    ),
    pytest.param(
        {"client_secret": ""},
        "Enter the Client Secret shown next to the Client ID in Zoho&#x27;s API console.",
        id="client-secret-empty",
    ),
    pytest.param({"org": ""}, "This field is required.", id="org-empty"),
    pytest.param(
        {"org": "Acme Corp"},
        "Enter the org from your CRM address: “org” followed by digits",
        id="org-name",
    ),
    pytest.param(
        {"org": "org12"},
        "Enter the org from your CRM address: “org” followed by digits",
        id="org-short",
    ),
    pytest.param(
        {"code": ""},
        "The first connection needs a code: in Zoho&#x27;s API console open your Self Client",
        id="code-empty",
    ),
    pytest.param(
        {"code": "paste code here"},
        "A Zoho code looks like 1000.8cb9…​.4ef1…: in your Self Client click “View Code”",
        id="code-malformed",
    ),
    pytest.param(
        {"code": "1000.8cb9f0a1b2c3d4e5"},
        "A Zoho code looks like 1000.8cb9",
        id="code-truncated",
    ),
    pytest.param(
        {"domain": "fr"},
        "Select a valid choice. fr is not one of the available choices.",
        id="domain-unknown",
    ),
    pytest.param({"domain": ""}, "This field is required.", id="domain-empty"),
    pytest.param(
        {"filter_field": "crm_to_plezi"},
        "Fill in both the Zoho contact field and the Zoho contact value",
        id="filter-field-alone",
    ),
    pytest.param(
        {"filter_value": "yes"},
        "Fill in both the Zoho contact field and the Zoho contact value",
        id="filter-value-alone",
    ),
    pytest.param(
        {"filter_field": "f" * 101, "filter_value": "yes"},
        "Ensure this value has at most 100 characters (it has 101).",
        id="filter-field-too-long",
    ),
]


@pytest.mark.parametrize(("changes", "message"), FORMAT_CASES)
def test_malformed_field_is_refused_before_any_request(admin, zoho, workspace, changes, message):
    data = form_data(zoho, **changes)
    before = snapshot(workspace)

    response = admin.post(URL, data)

    assert_refused(response, message, workspace, before)
    assert zoho.stats()["total_calls"] == 0


# ---- CRM URLs that are not the chosen data center's Zoho API (SSRF) --------------------------
CRM_URLS = [
    pytest.param("https://evil.test/crm/v2/", id="another-site"),
    pytest.param("https://www.zohoapis.com.evil.test/crm/v2/", id="zoho-lookalike-host"),
    pytest.param("https://www.zohoapis.com/crm/v2/", id="another-data-center"),
    pytest.param("https://crm.zoho.com/crm/org5444456755445/tab/Leads", id="crm-web-address"),
    pytest.param("http://169.254.169.254/latest/meta-data/", id="cloud-metadata"),
    pytest.param("http://127.0.0.1:8000/crm/v2/", id="loopback"),
    pytest.param("http://localhost/crm/v2/", id="localhost"),
    pytest.param("http://10.0.0.7/crm/v2/", id="private-10"),
    pytest.param("http://192.168.1.1/crm/v2/", id="private-192-168"),
    pytest.param("http://[::1]/crm/v8/", id="ipv6-loopback"),
    pytest.param("file:///etc/passwd", id="file-scheme"),
    pytest.param("gopher://127.0.0.1:6379/_INFO", id="gopher-scheme"),
    pytest.param("{sandbox}@evil.test/crm/v2/", id="userinfo-trick"),
    pytest.param("{sandbox}/crm/v2/?x=https://evil.test", id="query-string"),
    pytest.param("{sandbox}/crm/v2/\r\nX-Injected: 1", id="header-injection"),
    pytest.param("not a url", id="not-a-url"),
]


@pytest.mark.parametrize("crm_url", CRM_URLS)
def test_crm_url_other_than_zohos_is_refused_and_nothing_is_sent(admin, zoho, workspace, crm_url):
    data = form_data(zoho, crm_url=crm_url.format(sandbox=zoho.base_url))
    before = snapshot(workspace)

    response = admin.post(URL, data)

    assert_refused(response, SSRF, workspace, before)
    assert "For the “sandbox” domain the Zoho CRM URL is" in response.content.decode()
    assert zoho.stats()["total_calls"] == 0


# ---- what only Zoho can tell: the code, the secret, the org, the scopes, the filter --------
def _expired(zoho) -> dict:
    data = form_data(zoho, minutes=10)
    zoho.advance_clock(11 * 60)
    return data


def _reused(zoho) -> dict:
    data = form_data(zoho)
    exchange = {"grant_type": "authorization_code", **data}
    zoho.http.post(f"{zoho.base_url}/oauth/v2/token", data=exchange, timeout=10)
    return data


def _code_of_another_client(zoho) -> dict:
    other_id, _ = zoho.create_client()
    return {**form_data(zoho), "code": zoho.create_code(other_id)}


def _filter_field_is_multi_line(zoho) -> dict:
    zoho.add_field("Leads", "crm_to_plezi", data_type="textarea")
    return form_data(zoho, filter_field="crm_to_plezi", filter_value="yes")


ZOHO_CASES = [
    pytest.param(_expired, EXPIRED, id="expired-code"),
    pytest.param(_reused, EXPIRED, id="reused-code"),
    pytest.param(_code_of_another_client, EXPIRED, id="code-of-another-client"),
    pytest.param(
        lambda zoho: form_data(zoho, client_secret="f" * 42),
        "does not recognise this Client ID and Client Secret. Either they were mistyped",
        id="wrong-secret",
    ),
    pytest.param(
        lambda zoho: form_data(zoho, org="org5444456755445", scope=ORG_READ),
        "not org5444456755445. Either correct the Zoho Org",
        id="org-mismatch",
    ),
    pytest.param(
        lambda zoho: form_data(zoho, scope="ZohoCRM.modules.all"),
        "the code was generated without the settings scope",
        id="settings-scope-missing",
    ),
    pytest.param(
        lambda zoho: form_data(zoho, scope="ZohoCRM.settings.fields.all"),
        "ZohoCRM.modules.all",
        id="modules-scope-missing",
    ),
    pytest.param(
        lambda zoho: form_data(zoho, filter_field="crm_to_plezi", filter_value="yes"),
        "Zoho has no field “crm_to_plezi” in Leads or Contacts",
        id="filter-field-missing-in-zoho",
    ),
    pytest.param(
        _filter_field_is_multi_line,
        "the filter needs a “Single Line” field",
        id="filter-field-not-single-line",
    ),
]


@pytest.mark.parametrize(("prepare", "message"), ZOHO_CASES)
def test_what_zoho_refuses_is_explained_and_nothing_is_saved(
    admin, zoho, workspace, prepare, message
):
    data = prepare(zoho)
    before = snapshot(workspace)

    response = admin.post(URL, data)

    assert_refused(response, message, workspace, before)


def test_wrong_data_center_names_the_domain_and_sends_nothing_to_the_right_one(
    admin, zoho, workspace, monkeypatch
):
    # A second sandbox plays the EU data center, where this self client does not exist.
    europe, _ = start_in_thread("127.0.0.1", 0)
    try:
        eu = DataCenter("eu", "Europe", europe.base_url, europe.base_url)
        monkeypatch.setitem(domains.DATA_CENTERS, "eu", eu)
        data = form_data(zoho, domain="eu", crm_url="")
        before = snapshot(workspace)

        response = admin.post(URL, data)

        message = "(domain “eu”) does not recognise this Client ID and Client Secret"
        assert_refused(response, message, workspace, before)
        assert zoho.stats()["total_calls"] == 0
    finally:
        europe.stop()


# ---- Zoho's replies during the configuration: unreadable, or not what Zoho promises --------
TOKEN = "/oauth/v2/token$"
FIELDS = "/crm/v8/settings/fields$"
GRANT = {"access_token": "1000.aaaa", "refresh_token": "1000.bbbb", "expires_in": 3600}
READ_FAILED = "Zoho did not answer as expected:"


REPLY_CASES = [
    pytest.param(
        {"path": TOKEN, "kind": "html", "status": 200},
        "sent an unreadable reply (200)",
        id="token-html",
    ),
    pytest.param(
        {"path": TOKEN, "kind": "malformed"}, "sent an unreadable reply (200)", id="token-truncated"
    ),
    pytest.param(
        {"path": TOKEN, "kind": "error", "status": 503},
        "failed (503). Generate a new code and try again.",
        id="token-server-error",
    ),
    pytest.param(
        {"path": TOKEN, "kind": "error", "status": 200, "body": [GRANT]},
        "sent an unreadable reply (200)",
        id="token-not-an-object",
    ),
    pytest.param(
        {"path": TOKEN, "kind": "error", "status": 200, "body": {"access_token": "1000.aaaa"}},
        "Zoho&#x27;s reply to the code exchange has no refresh token.",
        id="token-without-refresh-token",
    ),
    pytest.param(
        {
            "path": TOKEN,
            "kind": "error",
            "status": 200,
            "body": {**GRANT, "api_domain": "https://evil.test"},
        },
        "Zoho answered with an API address outside the “sandbox” data center.",
        id="token-api-domain-elsewhere",
    ),
    pytest.param(
        {"path": TOKEN, "kind": "error", "status": 200, "body": {**GRANT, "expires_in": "soon"}},
        "did not accept the code",
        id="token-expires-in-not-a-number",
    ),
    pytest.param(
        {"path": TOKEN, "kind": "error", "status": 200, "body": {**GRANT, "api_domain": 42}},
        "Zoho answered with an API address outside",
        id="token-api-domain-not-a-string",
    ),
    pytest.param(
        {"path": "/crm/v8/org$", "kind": "error", "status": 200, "body": {"org": "Acme"}},
        f"{READ_FAILED} Zoho&#x27;s reply has no org.",
        id="org-reply-without-org",
    ),
    pytest.param(
        {"path": FIELDS, "kind": "html", "status": 200, "times": 5},
        f"{READ_FAILED} Zoho answered 200 with an HTML page instead of JSON",
        id="fields-html",
    ),
    pytest.param(
        {"path": FIELDS, "kind": "malformed", "times": 5},
        f"{READ_FAILED} Zoho answered 200 with malformed JSON instead of JSON",
        id="fields-truncated",
    ),
    pytest.param(
        {"path": FIELDS, "kind": "error", "status": 200, "body": {"fields": "Email,Last_Name"}},
        READ_FAILED,
        id="fields-not-a-list",
    ),
    pytest.param(
        {"path": FIELDS, "kind": "error", "status": 200, "body": {"info": {}}},
        READ_FAILED,
        id="fields-reply-without-fields",
    ),
]


@pytest.mark.parametrize(("fault", "message"), REPLY_CASES)
def test_an_unexpected_zoho_reply_is_explained_and_nothing_is_saved(
    admin, zoho, workspace, fault, message
):
    data = form_data(zoho)
    zoho.add_fault(method="*", **fault)
    before = snapshot(workspace)

    response = admin.post(URL, data)

    assert_refused(response, message, workspace, before)


# ---- bad input over a saved connection: the saved one stays as it was ----------------------
@pytest.fixture
def saved(admin, zoho, workspace) -> dict:
    data = form_data(zoho, scope=ORG_READ)
    assert admin.post(URL, data).status_code == 302
    return data


EDIT_CASES = [
    pytest.param(
        {"crm_url": "http://169.254.169.254/crm/v2/", "code": ""}, SSRF, id="private-crm-url"
    ),
    pytest.param(
        {"client_id": "1000.NEWCLIENT1", "client_secret": "", "code": ""},
        "Enter the Client Secret shown next to the Client ID",
        id="new-client-without-secret",
    ),
    pytest.param(
        {"client_id": "1000.NEWCLIENT1", "client_secret": "s" * 42, "code": ""},
        "A new client or domain needs a new code",
        id="new-client-without-code",
    ),
    pytest.param(
        {"code": "", "filter_field": "nowhere", "filter_value": "yes"},
        "Zoho has no field “nowhere” in Leads or Contacts",
        id="unknown-filter-field",
    ),
    pytest.param(
        {"code": "", "org": "org1111111111"}, "not org1111111111.", id="org-changed-to-another"
    ),
]


@pytest.mark.parametrize(("changes", "message"), EDIT_CASES)
def test_bad_edit_keeps_the_saved_connection(admin, zoho, workspace, saved, changes, message):
    before = snapshot(workspace)
    zoho.reset_stats()

    response = admin.post(URL, {**saved, "client_secret": "", **changes})

    assert_refused(response, message, workspace, before)
    connection = ZohoConnection.objects.get(workspace=workspace)
    assert connection.status == "connected" and connection.refresh_token


def test_reused_code_on_a_saved_connection_keeps_it(admin, zoho, workspace, saved):
    before = snapshot(workspace)

    response = admin.post(URL, saved)  # the same code again

    assert_refused(response, EXPIRED, workspace, before)


# ---- buttons pressed before there is anything to act on ------------------------------------
ACTION_CASES = [
    pytest.param("test_connection", "Connect Zoho CRM first: fill in the configuration below."),
    pytest.param("refresh_fields", "Connect Zoho CRM first: fill in the configuration below."),
    pytest.param("disconnect", "Zoho CRM is not connected."),
]


@pytest.mark.parametrize(("name", "message"), ACTION_CASES)
def test_action_without_a_connection_says_what_to_do_first(admin, zoho, workspace, name, message):
    before = snapshot(workspace)

    response = admin.post(reverse(f"integration:{name}", args=["acme"]), follow=True)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot(workspace) == before
    assert zoho.stats()["total_calls"] == 0
