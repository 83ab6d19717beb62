"""Secrets at rest and in transit: encrypted columns, key rotation, nothing in logs or pages."""

import logging

import pytest
import requests
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection as db
from django.test import Client
from django.urls import reverse

from integration import crypto
from integration.clients import client_for
from integration.models import ZohoConnection
from integration.services import ConnectionProblem, connection_update
from integration.zoho.errors import ZohoError, ZohoRequestError
from integration.zoho.tokens import Credentials, TokenGrant
from tests.helpers.zoho import ORG_READ, form_data

SECRETS = ("client_secret", "refresh_token", "access_token")


def raw_row(pk: int) -> dict:
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(SECRETS)} FROM integration_zohoconnection WHERE id = %s", [pk]
        )
        return dict(zip(SECRETS, cursor.fetchone(), strict=True))


def secrets_of(connection: ZohoConnection) -> list[str]:
    return [getattr(connection, name) for name in SECRETS]


def test_secrets_are_encrypted_in_the_database(connection, settings):
    raw = raw_row(connection.pk)

    key = Fernet(settings.FIELD_ENCRYPTION_KEYS[0])
    for name in SECRETS:
        plain = getattr(connection, name)
        assert plain and plain not in raw[name] and raw[name].startswith("gAAAAA")
        assert key.decrypt(raw[name].encode()).decode() == plain
    assert raw_row(connection.pk) != secrets_of(connection)


def test_keys_rotate_without_losing_secrets(connection, settings):
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    plain = secrets_of(connection)

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert secrets_of(ZohoConnection.objects.get()) == plain  # old rows still readable
    call_command("rotate_secrets", stdout=open("/dev/null", "w"))  # noqa: SIM115

    for token in raw_row(connection.pk).values():
        Fernet(new_key).decrypt(token.encode())
        with pytest.raises(InvalidToken):
            Fernet(old_key).decrypt(token.encode())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert secrets_of(ZohoConnection.objects.get()) == plain


def test_a_removed_key_is_a_clear_error_without_the_secret(connection, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(crypto.SecretUnreadable) as caught:
        ZohoConnection.objects.get()

    assert "rotate_secrets" in str(caught.value)


def test_no_secret_reaches_a_log_line(zoho, workspace, caplog, settings):
    caplog.set_level(logging.DEBUG)  # urllib3 and requests included
    data = form_data(zoho, scope=ORG_READ)
    bad = form_data(zoho, client_secret="f" * 42)
    with pytest.raises(ConnectionProblem):
        connection_update(workspace=workspace, data=bad)
    connection = connection_update(workspace=workspace, data=data)
    client = client_for(connection, sleep=lambda s: None)
    zoho.add_fault(path="/crm/v8/org", kind="error", status=500)
    zoho.advance_clock(3700)  # the access token dies: a refresh is logged too
    client.org()
    client.upsert("Leads", [{"Email": "no-name@example.test"}])
    connection.refresh_from_db()

    logged = caplog.text
    assert "POST /oauth/v2/token" in logged or "/oauth/v2/token" in logged  # logging was on
    for secret in [data["code"], bad["code"], bad["client_secret"], *secrets_of(connection)]:
        assert secret not in logged
    assert connection.refresh_token not in repr(client.store.credentials())


def test_zoho_echoing_a_token_never_reaches_an_error_message(zoho, connection):
    client = client_for(connection)
    token = connection.access_token
    body = {"code": "INVALID_DATA", "message": f"bad header {token}", "status": "error"}
    zoho.add_fault(path="/crm/v8/org", kind="error", status=400, body=body)

    with pytest.raises(ZohoRequestError) as caught:
        client.org()

    assert token not in str(caught.value) and "[secret]" in str(caught.value)


def test_error_messages_of_a_broken_connection_hold_no_secret(zoho, connection):
    requests.post(
        f"{zoho.base_url}/oauth/v2/token/revoke", data={"token": connection.refresh_token}
    ).raise_for_status()

    with pytest.raises(ZohoError) as caught:
        client_for(connection).org()

    connection.refresh_from_db()
    for secret in secrets_of(connection):
        if secret:
            assert secret not in str(caught.value) and secret not in connection.last_error


def test_reprs_hide_secrets():
    credentials = Credentials("https://accounts.zoho.eu", "1000.ID", "s3cret", "1000.refresh")
    grant = TokenGrant("1000.access", expires_at=None, refresh_token="1000.refresh")
    assert "s3cret" not in repr(credentials) and "1000.refresh" not in repr(credentials)
    assert "1000.access" not in repr(grant) and "1000.refresh" not in repr(grant)


def test_admin_masks_secrets(connection, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.test", "pw")
    browser = Client()
    browser.force_login(admin)

    page = browser.get(
        reverse("admin:integration_zohoconnection_change", args=[connection.pk])
    ).content.decode()

    assert "•••••••• (encrypted)" in page and connection.org in page
    for secret in secrets_of(connection):
        assert secret not in page
    listing = browser.get(reverse("admin:integration_zohoconnection_changelist"))
    assert listing.status_code == 200


def test_admin_test_action_checks_the_connection(connection, django_user_model, zoho):
    admin = django_user_model.objects.create_superuser("root", "root@example.test", "pw")
    browser = Client()
    browser.force_login(admin)

    response = browser.post(
        reverse("admin:integration_zohoconnection_changelist"),
        {"action": "check_connections", "_selected_action": [connection.pk]},
        follow=True,
    )

    assert "Acme: OK" in response.content.decode()
    assert zoho.stats()["calls"]["GET /crm/v8/org"] == 1


def test_no_secret_reaches_a_sync_history_row(zoho, connection):
    from integration.models import SyncIssue, SyncRun
    from integration.sync.runner import sync_run

    plain = secrets_of(connection)
    body = {"code": "INVALID_DATA", "message": f"echo {connection.access_token}"}
    zoho.add_fault(path="/crm/v8/Leads", kind="error", status=400, body=body)

    run = sync_run(workspace_id=connection.workspace_id, trigger=SyncRun.Trigger.MANUAL)

    texts = [run.error, *SyncIssue.objects.filter(run=run).values_list("message", flat=True)]
    assert "[secret]" in run.error
    for secret in plain:
        assert all(secret not in text for text in texts)
