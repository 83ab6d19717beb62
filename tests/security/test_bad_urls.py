"""Bad URL parameters and query strings answer 400 or 404, never 500."""

import pytest
from django.urls import reverse

from tests.security.routes import swept_routes, url_of


@pytest.mark.parametrize("token", ["%00", "a%00b", "%FF%FE", "..%2F..", "x" * 300])
def test_a_malformed_public_form_token_is_404(client, db, token):
    response = client.get(f"/f/{token}/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "queued", ["2026-13-45T99:99", "2026-01-01T00:00", "not-a-date", "\x00", "9" * 400]
)
@pytest.mark.parametrize("name", ["sync:history", "sync:current"])
def test_the_history_page_ignores_a_malformed_queued_time(owner_client, workspace, name, queued):
    url = reverse(name, args=[workspace.slug])

    response = owner_client.get(url, {"queued": queued})

    assert response.status_code == 200


JUNK_QUERY = {
    "page": "-1",
    "after": "9" * 40,
    "before": "\x00",
    "queued": "2026-13-45T99:99",
    "q": "\x00%",
    "status": "nonsense",
    "state": "\x00",
    "since": "2026-02-30",
}


def test_every_page_answers_a_junk_query_string_without_a_500(tenants, owner_client):

    failures = []
    for route in swept_routes():
        url = url_of(route, tenants)
        response = owner_client.get(url, JUNK_QUERY)
        if response.status_code >= 500:
            failures.append((url, response.status_code))

    assert failures == []
