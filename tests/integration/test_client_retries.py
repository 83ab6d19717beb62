"""Zoho errors, retries and backoff: faults injected in the sandbox, real HTTP."""

import pytest

from integration.clients import client_for
from integration.zoho.client import ZohoClient
from integration.zoho.errors import (
    ZohoBadResponse,
    ZohoCreditsExhausted,
    ZohoNetworkError,
    ZohoRateLimited,
    ZohoRequestError,
    ZohoScopeError,
    ZohoServerError,
)
from integration.zoho.tokens import AccessToken, Credentials, MemoryTokenStore

ORG = r"^/crm/v8/org$"


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def zoho_client(connection, sleeps):
    client = client_for(connection, sleep=sleeps.append)
    yield client
    client.close()


def org_calls(zoho) -> int:
    return zoho.stats()["calls"].get("GET /crm/v8/org", 0)


def test_429_waits_as_long_as_retry_after_says(zoho, zoho_client, sleeps):
    zoho.add_fault(path=ORG, kind="error", status=429, retry_after=1)

    assert zoho_client.org()["domain_name"]

    assert len(sleeps) == 1 and 1.0 <= sleeps[0] <= 1.25
    assert zoho_client.stats.throttled == 1 and zoho_client.stats.retries == 1
    assert org_calls(zoho) == 2


def test_429_without_retry_after_backs_off_from_two_seconds_doubling(zoho, zoho_client, sleeps):
    zoho.add_fault(path=ORG, kind="error", status=429, times=3)  # Zoho seldom says how long

    assert zoho_client.org()["domain_name"]

    assert 1 <= sleeps[0] <= 2 and 2 <= sleeps[1] <= 4 and 4 <= sleeps[2] <= 8
    assert zoho_client.stats.throttled == 3 and org_calls(zoho) == 4


def test_retry_after_beyond_the_time_budget_stops_with_a_typed_error(zoho, connection, sleeps):
    client = client_for(connection, sleep=sleeps.append, max_retry_time=0.5)
    zoho.add_fault(path=ORG, kind="error", status=429, retry_after=1)

    with pytest.raises(ZohoRateLimited) as caught:
        client.org()

    assert caught.value.retryable and caught.value.retry_after == 1
    assert sleeps == []


def test_exhausted_daily_credits_stop_without_retrying(zoho, zoho_client, sleeps):
    used = 50_000 - zoho.stats()["credits_remaining"]  # connecting spent a few
    zoho.set_limits(credits_per_day=used + 1)
    zoho_client.org()

    with pytest.raises(ZohoCreditsExhausted) as caught:
        zoho_client.org()

    assert not caught.value.retryable
    assert "daily API credits for this org are used up" in caught.value.message
    assert sleeps == []


def test_500_then_success_is_retried_with_backoff(zoho, zoho_client, sleeps):
    zoho.add_fault(path=ORG, kind="error", status=500)

    assert zoho_client.org()["domain_name"]

    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5
    assert org_calls(zoho) == 2


def test_backoff_grows_and_retries_are_bounded(zoho, zoho_client, sleeps):
    zoho.add_fault(path=ORG, kind="error", status=503, times=10)

    with pytest.raises(ZohoServerError) as caught:
        zoho_client.org()

    assert caught.value.retryable and caught.value.status == 503
    assert org_calls(zoho) == 1 + zoho_client.max_retries
    ceilings = [0.5 * 2**n for n in range(zoho_client.max_retries)]
    assert all(c / 2 <= s <= c for s, c in zip(sleeps, ceilings, strict=True))


def test_dropped_connection_is_retried(zoho, zoho_client, sleeps):
    zoho.add_fault(path=ORG, kind="drop")

    assert zoho_client.org()["domain_name"]

    assert len(sleeps) == 1 and org_calls(zoho) == 2


def test_dropped_connections_end_in_a_network_error(zoho, zoho_client):
    zoho.add_fault(path=ORG, kind="drop", times=10)

    with pytest.raises(ZohoNetworkError) as caught:
        zoho_client.org()

    assert caught.value.retryable
    assert caught.value.message == "Zoho GET /crm/v8/org: the connection dropped."


def test_timeout_is_retried(zoho, connection, sleeps):
    client = client_for(connection, sleep=sleeps.append, timeout=0.3)
    zoho.add_fault(path=ORG, kind="slow", delay_ms=1000)

    assert client.org()["domain_name"]

    assert len(sleeps) == 1 and client.stats.retries == 1


def test_malformed_json_is_retried_once_then_succeeds(zoho, zoho_client):
    zoho.add_fault(path=ORG, kind="malformed")
    assert zoho_client.org()["domain_name"]


def test_malformed_json_becomes_a_typed_error_with_status_and_excerpt(zoho, zoho_client):
    zoho.add_fault(path=ORG, kind="malformed", times=10)

    with pytest.raises(ZohoBadResponse) as caught:
        zoho_client.org()

    error = caught.value
    assert error.status == 200 and error.excerpt.startswith('{"data":[{"Owner"')
    assert error.message.startswith("Zoho answered 200 with malformed JSON instead of JSON")


def test_html_error_page_becomes_a_typed_error(zoho, zoho_client):
    zoho.add_fault(path=ORG, kind="html", status=502, times=10)

    with pytest.raises(ZohoBadResponse) as caught:
        zoho_client.org()

    error = caught.value
    assert error.status == 502 and error.retryable
    assert error.excerpt == (
        "Zoho Service temporarily unavailable Please try again after some time."
    )
    assert "<" not in error.message


def test_html_page_with_a_4xx_is_permanent(zoho, zoho_client, sleeps):
    zoho.add_fault(path=ORG, kind="html", status=404)

    with pytest.raises(ZohoBadResponse) as caught:
        zoho_client.org()

    assert not caught.value.retryable and sleeps == []


def test_other_4xx_is_a_permanent_request_error(zoho, zoho_client, sleeps):
    with pytest.raises(ZohoRequestError) as caught:
        zoho_client.fields("Invoices")

    assert not caught.value.retryable and caught.value.code == "INVALID_MODULE"
    assert caught.value.status == 400 and sleeps == []
    assert zoho.stats()["calls"]["GET /crm/v8/settings/fields"] == 1


def test_missing_scope_is_a_scope_error(zoho):
    tokens = zoho.connect(scope="ZohoCRM.modules.all")
    credentials = Credentials(zoho.base_url, tokens["client_id"], tokens["client_secret"], "x")
    store = MemoryTokenStore(credentials, AccessToken(tokens["access_token"], None))
    client = ZohoClient(zoho.crm_url, store)

    with pytest.raises(ZohoScopeError) as caught:
        client.fields("Leads")

    assert caught.value.code == "OAUTH_SCOPE_MISMATCH" and not caught.value.retryable


def test_calls_and_credits_are_counted(zoho, zoho_client):
    zoho.add_fault(path=ORG, kind="error", status=500)
    zoho_client.org()
    zoho_client.fields("Leads")

    assert zoho_client.stats.calls == 3
    assert zoho_client.stats.credits == zoho.stats()["credits_used"] == 2


def test_writes_are_counted_a_credit_per_ten_records(zoho, zoho_client):
    leads = [{"Email": f"l{n}@x.io", "Last_Name": f"L{n}"} for n in range(250)]

    zoho_client.upsert_many("Leads", leads, concurrency=2)

    assert zoho_client.stats.calls == 3
    assert zoho_client.stats.credits == zoho.stats()["credits_used"] == 10 + 10 + 5


ACCESS_DENIED = {
    "error": "Access Denied",
    "error_description": "You have made too many requests continuously. "
    "Please try again after some time.",
}


@pytest.mark.parametrize("status", [200, 400])
def test_a_throttled_token_refresh_waits_and_retries_whatever_its_status(
    zoho, zoho_client, sleeps, status
):
    zoho.add_fault(path="/oauth/v2/token$", kind="error", status=status, body=ACCESS_DENIED)
    zoho.add_fault(path=ORG, kind="expire_token")

    assert zoho_client.org()["domain_name"]

    assert sleeps and sleeps[0] >= 60  # the minute Zoho asks for, not a quick hammering
    assert zoho_client.stats.retries == 1


def test_a_redirect_is_never_followed(zoho, zoho_client):
    zoho.add_fault(path=ORG, kind="redirect", status=307, body=zoho.base_url + "/crm/v8/users")

    with pytest.raises(ZohoRequestError) as caught:
        zoho_client.org()

    assert caught.value.status == 307
    assert "GET /crm/v8/users" not in zoho.stats()["calls"]


def test_a_redirect_from_the_accounts_server_is_never_followed(zoho, zoho_client):
    zoho.add_fault(path="/oauth/v2/token$", kind="redirect", body=zoho.base_url + "/crm/v8/org")
    zoho.add_fault(path=ORG, kind="expire_token")

    with pytest.raises(ZohoBadResponse):
        zoho_client.org()

    assert zoho.stats()["calls"].get("POST /crm/v8/org", 0) == 0  # the secret stayed home
