"""The Zoho CRM configuration page, against the sandbox over HTTP."""

import pytest
import requests
from django.urls import reverse

from accounts.models import Workspace
from integration.models import ZohoConnection
from integration.zoho import domains
from integration.zoho.domains import DataCenter
from mapping.models import ZohoFieldSet
from tests.helpers.zoho import ORG_READ, form_data
from zoho_sandbox.server import start_in_thread

EXPIRED = (
    "This code has expired or was already used. In Zoho&#x27;s API console open your Self "
    "Client, generate a new code (scopes ZohoCRM.settings.fields.all,ZohoCRM.modules.all) and "
    "paste it within the minutes you chose."
)


def url(name: str, slug: str = "acme") -> str:
    return reverse(f"integration:{name}", args=[slug])


def post_config(client, data: dict):
    return client.post(url("connection"), data, follow=True)


def test_admin_connects_and_sees_the_state_with_missing_field_advice(owner_client, zoho, workspace):
    zoho.add_field("Leads", "score")
    response = post_config(owner_client, form_data(zoho, scope=ORG_READ))

    assert response.redirect_chain == [(url("connection"), 302)]
    connection = ZohoConnection.objects.get(workspace=workspace)
    assert connection.status == "connected"
    assert connection.org == zoho.org()["domain_name"] and connection.org_verified
    assert connection.api_domain == zoho.base_url
    page = response.content.decode()
    assert "Zoho CRM is connected and your configuration is saved." in page
    assert f"<code>{connection.org}</code> — Sandbox Org" in page
    assert "sandbox — local Zoho sandbox" in page
    assert "ZohoCRM.settings.fields" in page  # scopes
    assert "Tokens last refreshed" in page and "now" in page
    assert "Configuration changed — launch a synchronisation" in page  # the workspace banner
    # plezi_url is required and missing; score exists; status is optional and missing.
    assert page.count("Missing") == 2 and page.count("Present") == 1
    assert "click “Edit Page Layout”, drag a field of type “Single Line”" in page
    assert "To create <code>plezi_url</code>:" in page
    assert "Update your configuration" in page


def test_successful_configuration_costs_five_api_calls(owner_client, zoho, workspace):
    post_config(owner_client, form_data(zoho))

    stats = zoho.stats()
    assert stats["calls"] == {
        "POST /oauth/v2/token": 1,  # code exchange
        "GET /crm/v8/org": 1,  # refused: the seed's two scopes exclude it
        "GET /crm/v8/settings/fields": 2,  # Leads and Contacts
        "GET /crm/v8/Leads": 1,  # one record: the records scope is there
    }
    assert stats["credits_used"] == 3  # neither the accounts server nor a refusal costs any


def test_configuration_stores_fields_and_announces_the_change(owner_client, zoho, workspace):
    post_config(owner_client, form_data(zoho))

    modules = set(ZohoFieldSet.objects.for_workspace(workspace).values_list("module", flat=True))
    assert modules == {"Leads", "Contacts"}
    workspace.refresh_from_db()
    assert workspace.settings_change == "Configuration changed" and workspace.needs_resync


def test_member_sees_state_read_only(member_client, owner_client, zoho):
    post_config(owner_client, form_data(zoho, scope=ORG_READ))

    page = member_client.get(url("connection")).content.decode()

    assert "Connected" in page and "Sandbox Org" in page
    assert "Update your configuration" not in page and "Test connection" not in page
    assert "Only workspace admins can change the Zoho configuration." in page


@pytest.mark.parametrize("name", ["connection", "test_connection", "refresh_fields", "disconnect"])
def test_member_cannot_change_anything(member_client, name, zoho):
    assert member_client.post(url(name), form_data(zoho)).status_code == 403


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", ["connection", "test_connection", "refresh_fields", "disconnect"])
def test_outsider_gets_404_on_every_connection_url(
    outsider_client, owner_client, zoho, name, method
):
    post_config(owner_client, form_data(zoho))  # acme has a connection to find

    response = getattr(outsider_client, method)(url(name))

    assert response.status_code == 404


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(url("connection"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ---- problems: each says what to do and stores nothing -------------------------------------
def assert_refused(response, message: str, workspace) -> None:
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Your configuration was not saved and nothing changed." in page
    assert not ZohoConnection.objects.filter(workspace=workspace).exists()
    workspace.refresh_from_db()
    assert not workspace.settings_change


def test_expired_code_says_how_to_get_a_new_one(owner_client, zoho, workspace):
    data = form_data(zoho, minutes=10)
    zoho.advance_clock(11 * 60)

    assert_refused(post_config(owner_client, data), EXPIRED, workspace)
    assert zoho.stats()["calls"] == {"POST /oauth/v2/token": 1}


def test_reused_code_is_refused_and_the_saved_connection_is_kept(owner_client, zoho, workspace):
    data = form_data(zoho)
    post_config(owner_client, data)
    before = ZohoConnection.objects.get(workspace=workspace)

    response = post_config(owner_client, {**data, "filter_field": "x", "filter_value": "y"})

    assert EXPIRED in response.content.decode()
    after = ZohoConnection.objects.get(workspace=workspace)
    assert after.refresh_token == before.refresh_token and after.filter_field == ""
    assert after.updated_at == before.updated_at


def test_wrong_secret_names_both_possible_causes(owner_client, zoho, workspace):
    data = form_data(zoho, client_secret="0" * 42)

    response = post_config(owner_client, data)

    assert_refused(response, "does not recognise this Client ID and Client Secret", workspace)
    page = response.content.decode()
    assert "Either they were mistyped" in page
    assert "Or your Zoho account lives in another data center" in page
    assert "crm.zoho.eu means “eu”" in page


def test_wrong_data_center_is_explained(owner_client, zoho, workspace, monkeypatch):
    # A second sandbox plays Zoho's EU data center: the self client exists only
    # in the first one, as a client created at accounts.zoho.com is unknown to
    # accounts.zoho.eu.
    europe, _ = start_in_thread("127.0.0.1", 0)
    try:
        dc = DataCenter("eu", "Europe", europe.base_url, europe.base_url)
        monkeypatch.setitem(domains.DATA_CENTERS, "eu", dc)
        data = form_data(zoho, domain="eu", crm_url="")

        response = post_config(owner_client, data)

        host = europe.base_url.split("://")[1]
        message = f"Zoho&#x27;s accounts server {host} (domain “eu”) does not recognise"
        assert_refused(response, message, workspace)
        page = response.content.decode()
        assert "If that address ends in “eu”, the ID or secret is wrong" in page
        assert zoho.stats()["total_calls"] == 0  # nothing reached the other data center
    finally:
        europe.stop()


def test_missing_settings_scope_gets_its_own_message(owner_client, zoho, workspace):
    data = form_data(zoho, scope="ZohoCRM.modules.all")

    response = post_config(owner_client, data)

    assert_refused(response, "generated without the settings scope", workspace)
    assert "This code is now used up: generate a new one" in response.content.decode()
    # The refresh token we will not keep is revoked at Zoho.
    assert zoho.stats()["calls"]["POST /oauth/v2/token/revoke"] == 1


def test_org_mismatch_is_explained(owner_client, zoho, workspace):
    actual = zoho.org()["domain_name"]
    response = post_config(owner_client, form_data(zoho, scope=ORG_READ, org="org5444456755445"))

    assert_refused(response, f"This code belongs to the Zoho org {actual}", workspace)
    assert "not org5444456755445" in response.content.decode()


def test_org_that_cannot_be_read_is_saved_unverified_and_the_page_says_how_to_check_it(
    owner_client, zoho, workspace
):
    # The seed's two scopes do not cover GET /org, so another org's code gets in unchecked.
    response = post_config(owner_client, form_data(zoho, org="org5444456755445"))

    connection = ZohoConnection.objects.get(workspace=workspace)
    assert connection.status == "connected" and not connection.org_verified
    page = response.content.decode()
    assert "Not checked: the code&#x27;s scopes do not let Plezi read the org" in page
    assert "ZohoCRM.modules.all,ZohoCRM.org.READ and paste it" in page
    tested = owner_client.post(url("test_connection"), follow=True).content.decode()
    assert "Not checked: the code&#x27;s scopes" in tested


def test_a_code_with_the_org_scope_verifies_the_org_and_says_nothing_more(
    owner_client, zoho, workspace
):
    page = post_config(owner_client, form_data(zoho, scope=ORG_READ)).content.decode()

    assert ZohoConnection.objects.get(workspace=workspace).org_verified
    assert "Not checked" not in page


def test_missing_filter_field_is_refused(owner_client, zoho, workspace):
    data = form_data(zoho, filter_field="crm_to_plezi", filter_value="yes")

    response = post_config(owner_client, data)

    assert_refused(response, "Zoho has no field “crm_to_plezi” in Leads or Contacts", workspace)


def test_filter_field_must_be_single_line(owner_client, zoho, workspace):
    zoho.add_field("Contacts", "crm_to_plezi", data_type="textarea")
    data = form_data(zoho, filter_field="crm_to_plezi", filter_value="yes")

    response = post_config(owner_client, data)

    assert_refused(response, "the filter needs a “Single Line” field", workspace)


def test_filter_field_found_by_label_is_saved_by_api_name(owner_client, zoho, workspace):
    zoho.add_field("Leads", "crm_to_plezi", label="CRM to Plezi")
    zoho.add_field("Contacts", "crm_to_plezi", label="CRM to Plezi")
    data = form_data(zoho, filter_field="crm to plezi", filter_value="yes")

    post_config(owner_client, data)

    connection = ZohoConnection.objects.get(workspace=workspace)
    assert (connection.filter_field, connection.filter_value) == ("crm_to_plezi", "yes")


def test_filter_missing_in_one_module_is_warned(owner_client, zoho, workspace):
    zoho.add_field("Contacts", "crm_to_plezi")
    data = form_data(zoho, filter_field="crm_to_plezi", filter_value="yes")

    page = post_config(owner_client, data).content.decode()

    assert "is missing in Zoho Leads: no record of Leads will be synchronised" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"filter_field": "crm_to_plezi"}, "Fill in both the Zoho contact field"),
        ({"filter_value": "yes"}, "Fill in both the Zoho contact field"),
        ({"org": "my org"}, "“org” followed by digits"),
        ({"client_id": "not-an-id"}, "A Zoho Client ID looks like 1000.ABCD1234"),
        ({"code": "not a code"}, "A Zoho code looks like 1000."),
        ({"code": ""}, "The first connection needs a code"),
        ({"client_secret": ""}, "Enter the Client Secret"),
        ({"domain": "fr"}, "Select a valid choice"),
    ],
)
def test_bad_formats_are_refused_before_any_request(
    owner_client, zoho, workspace, changes, message
):
    response = post_config(owner_client, form_data(zoho, **changes))

    assert_refused(response, message, workspace)
    assert zoho.stats()["total_calls"] == 0


@pytest.mark.parametrize(
    "crm_url",
    [
        "https://evil.test/crm/v2/",
        "https://www.zohoapis.com/crm/v2/",  # another data center than the one chosen
        "http://169.254.169.254/crm/v2/",
        "{sandbox}@evil.test/crm/v2/",
        "https://www.zohoapis.com@{host}/crm/v2/",
        "{sandbox}/crm/v2/../../__sandbox__/reset",
        "{sandbox}/crm/v2/?next=https://evil.test",
    ],
)
def test_crm_url_pointing_elsewhere_is_refused_and_nothing_is_sent(
    owner_client, zoho, workspace, crm_url
):
    crm_url = crm_url.format(sandbox=zoho.base_url, host=zoho.base_url.split("://")[1])

    response = post_config(owner_client, form_data(zoho, crm_url=crm_url))

    assert_refused(response, "We only send your credentials to Zoho", workspace)
    assert zoho.stats()["total_calls"] == 0


def test_crm_url_is_prefilled_from_the_domain(owner_client, zoho):
    page = owner_client.get(url("connection")).content.decode()

    assert "com=https://www.zohoapis.com/crm/v2/" in page
    assert f"sandbox={zoho.base_url}/crm/v2/" in page


def test_sandbox_domain_exists_only_when_configured(owner_client, settings):
    settings.ZOHO_SANDBOX_URL = ""
    page = owner_client.get(url("connection")).content.decode()
    assert 'value="sandbox"' not in page and 'value="eu"' in page


# ---- editing, testing, refreshing and disconnecting ---------------------------------------
def test_editing_without_a_code_keeps_the_refresh_token(owner_client, zoho, workspace):
    zoho.add_field("Leads", "crm_to_plezi")
    data = form_data(zoho)
    post_config(owner_client, data)
    before = ZohoConnection.objects.get(workspace=workspace)
    zoho.reset_stats()

    changed = {**data, "code": "", "client_secret": "", "filter_field": "crm_to_plezi"}
    response = post_config(owner_client, {**changed, "filter_value": "yes"})

    assert "Zoho CRM is connected" in response.content.decode()
    after = ZohoConnection.objects.get(workspace=workspace)
    assert after.refresh_token == before.refresh_token
    assert after.client_secret == before.client_secret
    assert after.filter_field == "crm_to_plezi"
    assert "POST /oauth/v2/token" not in zoho.stats()["calls"]


def test_a_new_client_needs_a_new_code(owner_client, zoho, workspace):
    post_config(owner_client, form_data(zoho))
    other_id, other_secret = zoho.create_client()
    data = form_data(zoho, client_id=other_id, client_secret=other_secret, code="")

    response = post_config(owner_client, data)

    assert "A new client or domain needs a new code" in response.content.decode()


def test_a_new_code_replaces_and_revokes_the_old_refresh_token(owner_client, zoho, workspace):
    post_config(owner_client, form_data(zoho))
    old = ZohoConnection.objects.get(workspace=workspace).refresh_token

    post_config(owner_client, form_data(zoho))

    assert ZohoConnection.objects.get(workspace=workspace).refresh_token != old
    assert _refresh(zoho, old) == {"error": "invalid_code"}


def test_secrets_are_never_rendered_back(owner_client, zoho, workspace):
    data = form_data(zoho)
    post_config(owner_client, data)
    connection = ZohoConnection.objects.get(workspace=workspace)

    page = owner_client.get(url("connection")).content.decode()

    for secret in (data["client_secret"], data["code"], connection.refresh_token):
        assert secret not in page
    assert connection.access_token not in page
    assert 'type="password" name="client_secret"' in page
    assert data["client_id"] in page  # not a secret: shown to edit


def test_test_connection_rechecks_token_org_scopes_and_fields(owner_client, connection, zoho):
    response = owner_client.post(url("test_connection"), follow=True)

    page = response.content.decode()
    assert "Connection OK:" in page and "Leads can be read" in page
    assert zoho.stats()["calls"] == {
        "GET /crm/v8/org": 1,
        "GET /crm/v8/settings/fields": 2,
        "GET /crm/v8/Leads": 1,
    }
    connection.refresh_from_db()
    assert connection.last_checked_at is not None and connection.status == "connected"


def test_test_connection_with_a_revoked_token_asks_to_reconnect(owner_client, connection, zoho):
    _revoke(zoho, connection.refresh_token)

    page = owner_client.post(url("test_connection"), follow=True).content.decode()

    assert "Connection test failed: Zoho no longer accepts this connection" in page
    assert "Needs reconnecting" in page
    connection.refresh_from_db()
    assert connection.status == "needs_reconnect" and connection.last_error_at


def test_refresh_fields_reads_them_again_and_returns_to_a_safe_page(
    owner_client, connection, zoho, workspace
):
    zoho.add_field("Leads", "plezi_url")
    mapping_page = reverse("mapping:index", args=["acme"])

    response = owner_client.post(url("refresh_fields"), {"next": mapping_page})

    assert response.status_code == 302 and response["Location"] == mapping_page
    leads = ZohoFieldSet.objects.for_workspace(workspace).get(module="Leads")
    assert "plezi_url" in leads.by_api_name()


@pytest.mark.parametrize("target", ["https://evil.test/", "//evil.test/x", ""])
def test_refresh_fields_never_redirects_off_site(owner_client, connection, target):
    response = owner_client.post(url("refresh_fields"), {"next": target})
    assert response["Location"] == url("connection")


def test_disconnect_asks_first_then_revokes_and_deletes_the_tokens(owner_client, connection, zoho):
    refresh_token = connection.refresh_token
    confirm = owner_client.get(url("disconnect"))
    assert "Disconnect Zoho CRM?" in confirm.content.decode()

    page = owner_client.post(url("disconnect"), follow=True).content.decode()

    assert "Zoho CRM is disconnected: its tokens are revoked and deleted." in page
    connection.refresh_from_db()
    assert connection.refresh_token == "" and connection.access_token == ""
    assert connection.status == "needs_reconnect" and not connection.is_usable
    assert zoho.stats()["calls"] == {"POST /oauth/v2/token/revoke": 1}
    assert _refresh(zoho, refresh_token) == {"error": "invalid_code"}


def test_reconnecting_after_disconnect_needs_only_a_new_code(owner_client, connection, zoho):
    owner_client.post(url("disconnect"))
    code = zoho.create_code(connection.client_id)
    data = {
        "client_id": connection.client_id,
        "client_secret": "",
        "org": connection.org,
        "code": code,
        "domain": "sandbox",
        "crm_url": "",
    }

    post_config(owner_client, data)

    connection.refresh_from_db()
    assert connection.status == "connected" and connection.refresh_token


def test_other_workspace_is_untouched(owner_client, outsider_client, zoho, other_workspace):
    post_config(owner_client, form_data(zoho))
    assert not ZohoConnection.objects.for_workspace(other_workspace).exists()
    assert Workspace.objects.get(slug="globex").settings_change == ""


def _refresh(zoho, refresh_token: str) -> dict:
    connection = ZohoConnection.objects.first()
    form = {
        "grant_type": "refresh_token",
        "client_id": connection.client_id,
        "client_secret": connection.client_secret,
        "refresh_token": refresh_token,
    }
    return requests.post(f"{zoho.base_url}/oauth/v2/token", data=form, timeout=10).json()


def _revoke(zoho, refresh_token: str) -> None:
    """What revoking the connection in Zoho's own console does."""
    requests.post(
        f"{zoho.base_url}/oauth/v2/token/revoke", data={"token": refresh_token}, timeout=10
    ).raise_for_status()
    zoho.reset_stats()
