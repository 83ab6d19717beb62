"""The token lifecycle: refresh before expiry, once on INVALID_TOKEN, revoked tokens."""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from integration.clients import client_for
from integration.models import ZohoConnection
from integration.selectors.connection import connected_workspace_ids
from integration.token_store import ConnectionTokenStore
from integration.zoho import oauth
from integration.zoho.errors import ZohoAuthError
from integration.zoho.tokens import AccessToken

FIELDS = ("Email", "Last_Name", "Modified_Time")  # v8 listings name their fields

TOKEN_CALL = "POST /oauth/v2/token"


def test_token_expiring_mid_run_is_refreshed_once(zoho, connection, zoho_client):
    zoho.seed("Leads", 450)
    old_token = connection.access_token
    seen = []

    for page in zoho_client.iter_records("Leads", fields=FIELDS):
        seen.extend(r["id"] for r in page)
        if len(seen) == 200:
            zoho.advance_clock(3700)  # Zoho's access tokens live an hour

    assert len(set(seen)) == 450
    stats = zoho.stats()["calls"]
    assert stats[TOKEN_CALL] == 1
    assert stats["GET /crm/v8/Leads"] == 4  # 3 pages + the one refused with INVALID_TOKEN
    assert zoho_client.stats.refreshes == 1
    connection.refresh_from_db()
    assert connection.access_token != old_token and connection.tokens_refreshed_at


def test_token_about_to_expire_is_refreshed_before_the_call(zoho, connection):
    ZohoConnection.objects.filter(pk=connection.pk).update(
        access_token_expires_at=timezone.now() + timedelta(seconds=30)
    )
    connection.refresh_from_db()

    client_for(connection).org()

    assert zoho.stats()["calls"] == {TOKEN_CALL: 1, "GET /crm/v8/org": 1}  # no 401 first


def test_a_token_refused_twice_is_not_refreshed_again(zoho, zoho_client):
    zoho.add_fault(path="/crm/v8/org", kind="error", status=401, times=2)

    with pytest.raises(ZohoAuthError):
        zoho_client.org()

    assert zoho.stats()["calls"] == {TOKEN_CALL: 1, "GET /crm/v8/org": 2}


def test_helper_threads_hand_refreshes_to_the_calling_thread(zoho, connection):
    zoho.add_fault(path="upsert", kind="expire_token")
    client = client_for(connection)
    records = [{"Last_Name": f"L{n}", "Email": f"l{n}@example.test"} for n in range(300)]

    results = client.upsert_many("Leads", records, concurrency=3)

    assert len(results) == 300 and all(r.ok for r in results)
    assert zoho.stats()["calls"][TOKEN_CALL] == 1


def test_revoked_refresh_token_marks_the_connection_needs_reconnect(zoho, connection):
    requests.post(
        f"{zoho.base_url}/oauth/v2/token/revoke", data={"token": connection.refresh_token}
    ).raise_for_status()  # what revoking the client in Zoho's console does
    client = client_for(connection, sleep=lambda s: None)

    with pytest.raises(ZohoAuthError) as caught:
        client.org()

    assert caught.value.message == oauth.REFRESH_REVOKED and not caught.value.retryable
    connection.refresh_from_db()
    assert connection.status == "needs_reconnect" and not connection.is_usable
    assert connection.last_error == oauth.REFRESH_REVOKED
    assert connection.workspace_id not in set(connected_workspace_ids())


def test_a_waiting_worker_reuses_the_token_the_first_one_minted(zoho, connection):
    stale = connection.access_token
    minted = []

    def mint(credentials):
        minted.append(credentials.client_id)
        return oauth.refresh_grant(requests.Session(), credentials, timeout=10)

    first = ConnectionTokenStore(connection.pk).refresh(stale, mint)
    second = ConnectionTokenStore(connection.pk).refresh(stale, mint)

    assert first.token == second.token != stale
    assert len(minted) == 1


def test_access_token_is_fresh_only_before_the_margin():
    now = timezone.now()
    assert AccessToken("t", now + timedelta(minutes=5)).is_fresh(now)
    assert not AccessToken("t", now + timedelta(seconds=59)).is_fresh(now)
    assert AccessToken("t", None).is_fresh(now)
