"""The Zoho edition and the sync's daily credit cap, on the Zoho CRM page."""

import pytest
from django.urls import reverse

from integration.models import ZohoConnection


def url(name: str) -> str:
    return reverse(f"integration:{name}", args=["acme"])


def test_admin_sets_the_edition_and_a_cap_and_the_page_shows_them(owner_client, connection):
    response = owner_client.post(
        url("limits"), {"edition": "professional", "daily_credit_cap": "30000"}, follow=True
    )

    connection.refresh_from_db()
    assert (connection.edition, connection.max_concurrency) == ("professional", 15)
    assert connection.daily_credit_cap == 30_000
    page = response.content.decode()
    assert "Zoho edition and credit cap saved." in page
    assert "Professional · 15 calls at once" in page
    assert "0 of this workspace's cap of 30,000" in page
    assert "allows at most 3,000,000 a day for the whole org" in page


def test_an_empty_cap_means_no_cap_of_our_own(owner_client, connection):
    owner_client.post(url("limits"), {"edition": "free", "daily_credit_cap": "5"})
    owner_client.post(url("limits"), {"edition": "free", "daily_credit_cap": ""})

    connection.refresh_from_db()
    assert connection.daily_credit_cap is None and connection.max_concurrency == 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"edition": "gold", "daily_credit_cap": ""}, "Select a valid choice"),
        ({"edition": "free", "daily_credit_cap": "0"}, "greater than or equal to 1"),
        ({"edition": "free", "daily_credit_cap": "lots"}, "Enter a whole number"),
        ({"edition": "free", "daily_credit_cap": "1e99"}, "Enter a whole number"),
    ],
)
def test_bad_limits_are_explained_and_change_nothing(owner_client, connection, data, message):
    response = owner_client.post(url("limits"), data)

    assert response.status_code == 200 and message in response.content.decode()
    saved = ZohoConnection.objects.get(pk=connection.pk)
    assert (saved.edition, saved.max_concurrency, saved.daily_credit_cap) == ("standard", 10, None)


def test_members_cannot_change_the_limits(member_client, connection):
    response = member_client.post(url("limits"), {"edition": "ultimate", "daily_credit_cap": ""})

    assert response.status_code == 403
    assert ZohoConnection.objects.get(pk=connection.pk).max_concurrency == 10


def test_limits_need_a_connection_first(owner_client, zoho, workspace):
    response = owner_client.post(url("limits"), {"edition": "free"}, follow=True)

    assert "Connect Zoho CRM first" in response.content.decode()
    assert not ZohoConnection.objects.filter(workspace=workspace).exists()
