"""The adapter from a saved connection (ORM) to a ZohoClient (HTTP only)."""

from integration.limits import limiter_for
from integration.models import ZohoConnection
from integration.token_store import ConnectionTokenStore
from integration.zoho.client import ZohoClient
from integration.zoho.domains import api_base, saved_data_center
from integration.zoho.tokens import AccessToken

# A person is waiting on the page: short timeouts, one retry, no long waits for a
# limiter slot or a Retry-After.
TIMEOUT = 20
INTERACTIVE = {"timeout": TIMEOUT, "max_retries": 1, "max_retry_time": 10}
SLOT_WAIT = 15


def client_for(connection: ZohoConnection, *, slot_wait: float = 300, **options) -> ZohoClient:
    """The client of a saved connection (what the sync uses); `options` go to ZohoClient.
    Raises ZohoAuthError when the connection's domain is not available on this server."""
    dc = saved_data_center(connection.domain)
    return ZohoClient(
        api_base(connection.api_domain, dc),
        ConnectionTokenStore(connection.pk, known=_known_token(connection)),
        limiter=limiter_for(connection.org, connection.max_concurrency, wait=slot_wait),
        **options,
    )


def interactive_client_for(connection: ZohoConnection) -> ZohoClient:
    """The client for a page a person waits on (see INTERACTIVE)."""
    return client_for(connection, slot_wait=SLOT_WAIT, **INTERACTIVE)


def read_one_lead(client: ZohoClient) -> None:
    """Without the records scope every sync would fail: one record read tells."""
    client.request("GET", "Leads", params={"per_page": 1, "fields": "Email"})


def _known_token(connection: ZohoConnection) -> AccessToken | None:
    if not connection.access_token:
        return None
    return AccessToken(connection.access_token, connection.access_token_expires_at)
