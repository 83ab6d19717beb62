"""A Zoho code works once: a mistake that is not Zoho's must not cost the admin a new one."""

from datetime import timedelta

from django.db import connection as db
from django.urls import reverse
from django.utils import timezone

from integration.models import PendingGrant, ZohoConnection
from tests.integration.conftest import ORG_READ, form_data

URL = reverse("integration:connection", args=["acme"])
KEPT = "Your code is not lost: Plezi keeps what Zoho gave for it for an hour."


def post(client, data: dict):
    return client.post(URL, data, follow=True)


def retry(data: dict, **corrections) -> dict:
    """The same form posted again as the page leaves it: the secret fields empty."""
    return {**data, "client_secret": "", "code": "", **corrections}


def test_a_wrong_org_is_corrected_without_a_new_code(owner_client, zoho, workspace):
    actual = zoho.org()["domain_name"]
    data = form_data(zoho, scope=ORG_READ, org="org5444456755445")

    refused = post(owner_client, data).content.decode()
    assert f"This code belongs to the Zoho org {actual}" in refused and KEPT in refused
    assert "used up" not in refused
    assert "Kept from your last try: leave empty." in refused
    assert not ZohoConnection.objects.filter(workspace=workspace).exists()
    later = owner_client.get(URL).content.decode()
    assert "Kept from your last try: leave empty." in later

    saved = post(owner_client, retry(data, org=actual)).content.decode()

    assert "Zoho CRM is connected and your configuration is saved." in saved
    connection = ZohoConnection.objects.get(workspace=workspace)
    assert connection.org == actual and connection.org_verified and connection.refresh_token
    assert connection.client_secret == data["client_secret"]
    assert not PendingGrant.objects.exists()
    calls = zoho.stats()["calls"]
    assert calls["POST /oauth/v2/token"] == 1  # one exchange, no refresh: the access token kept
    assert "POST /oauth/v2/token/revoke" not in calls


def test_a_typo_in_the_filter_field_is_corrected_without_a_new_code(owner_client, zoho, workspace):
    zoho.add_field("Leads", "crm_to_plezi")
    zoho.add_field("Contacts", "crm_to_plezi")
    data = form_data(zoho, filter_field="crm_to_plezy", filter_value="yes")

    refused = post(owner_client, data).content.decode()
    assert "Zoho has no field “crm_to_plezy” in Leads or Contacts" in refused and KEPT in refused

    post(owner_client, retry(data, filter_field="crm_to_plezi"))

    connection = ZohoConnection.objects.get(workspace=workspace)
    assert connection.filter_field == "crm_to_plezi" and connection.status == "connected"


def test_waiting_tokens_are_encrypted(owner_client, zoho, workspace):
    post(owner_client, form_data(zoho, filter_field="nope", filter_value="yes"))

    pending = PendingGrant.objects.get(workspace=workspace)
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT client_secret, refresh_token, access_token FROM integration_pendinggrant"
        )
        raw = cursor.fetchone()
    plain = (pending.client_secret, pending.refresh_token, pending.access_token)
    for secret, stored in zip(plain, raw, strict=True):
        assert secret and secret not in stored and stored.startswith("gAAAAA")


def test_a_local_mistake_sends_nothing_and_asks_for_the_secrets_again(
    owner_client, zoho, workspace
):
    data = form_data(zoho, org="Acme Corp")

    page = post(owner_client, data).content.decode()

    assert "Enter the org from your CRM address" in page
    assert (
        "Plezi never shows a secret back, so these fields are empty again: "
        "Zoho Client Secret, Zoho code. Paste them again before updating." in page
    )
    assert data["client_secret"] not in page and data["code"] not in page
    assert zoho.stats()["calls"] == {}  # the code is still good
    assert not PendingGrant.objects.exists()


def test_a_refused_scope_still_uses_up_the_code(owner_client, zoho, workspace):
    page = post(owner_client, form_data(zoho, scope="ZohoCRM.modules.all")).content.decode()

    assert "This code is now used up: generate a new one before trying again." in page
    assert "Zoho Client Secret. Paste them again" in page  # the code itself is not asked again
    assert not PendingGrant.objects.exists()


def test_waiting_tokens_expire_after_an_hour_and_are_revoked(owner_client, zoho, workspace):
    data = form_data(zoho, filter_field="nope", filter_value="yes")
    post(owner_client, data)
    PendingGrant.objects.update(created_at=timezone.now() - timedelta(hours=1, minutes=1))

    again = retry(data, client_secret=data["client_secret"], filter_field="", filter_value="")
    page = post(owner_client, again).content.decode()

    assert "The first connection needs a code" in page
    assert not PendingGrant.objects.exists()
    assert zoho.stats()["calls"]["POST /oauth/v2/token/revoke"] == 1


def test_waiting_tokens_serve_only_the_client_they_were_bought_with(owner_client, zoho, workspace):
    data = form_data(zoho, filter_field="nope", filter_value="yes")
    post(owner_client, data)
    other_client, _ = zoho.create_client()

    page = post(owner_client, retry(data, client_id=other_client, filter_field="")).content
    page = page.decode()

    assert "Enter the Client Secret shown next to the Client ID" in page
    assert not ZohoConnection.objects.filter(workspace=workspace).exists()


def test_a_new_code_replaces_the_waiting_tokens_and_revokes_them(owner_client, zoho, workspace):
    post(owner_client, form_data(zoho, filter_field="nope", filter_value="yes"))
    zoho.reset_stats()

    post(owner_client, form_data(zoho))

    assert ZohoConnection.objects.get(workspace=workspace).status == "connected"
    assert not PendingGrant.objects.exists()
    assert zoho.stats()["calls"]["POST /oauth/v2/token/revoke"] == 1
