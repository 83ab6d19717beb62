"""The token store of a saved connection: the ZohoConnection row, refreshed under a row lock.

Two workers that find the access token expired at the same moment must not
both refresh (Zoho allows 10 access tokens per refresh token per 10 minutes,
and the second save would clobber the first). The refresh runs while holding
`SELECT … FOR UPDATE` on the row (on SQLite the write transaction serialises
it): the worker that waited then finds a token it did not know, and uses it.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from integration.models import ZohoConnection
from integration.zoho.domains import saved_data_center
from integration.zoho.errors import ZohoAuthError
from integration.zoho.tokens import AccessToken, Credentials, Mint

# Stored as the connection's last error; the Zoho CRM page translates it when shown.
NOT_CONNECTED = gettext_noop(
    "Zoho CRM is disconnected. Open the Zoho CRM page, generate a new code in Zoho's API "
    "console (Self Client) and click “Update your configuration”."
)


class ConnectionTokenStore:
    def __init__(self, connection_id: int, *, known: AccessToken | None = None) -> None:
        """`known`: the token of the row as already loaded (saves a query; if another
        worker replaced it since, `refresh` finds the newer one)."""
        self.connection_id, self.known = connection_id, known

    def current(self) -> AccessToken | None:
        if self.known is not None:
            return self.known
        row = ZohoConnection.objects.only("access_token", "access_token_expires_at").get(
            pk=self.connection_id
        )
        return (
            AccessToken(row.access_token, row.access_token_expires_at) if row.access_token else None
        )

    def credentials(self) -> Credentials:
        return _credentials(ZohoConnection.objects.get(pk=self.connection_id))

    def refresh(self, stale: str | None, mint: Mint) -> AccessToken:
        with transaction.atomic():
            row = ZohoConnection.objects.select_for_update().get(pk=self.connection_id)
            known = AccessToken(row.access_token, row.access_token_expires_at)
            if row.access_token and row.access_token != stale and known.is_fresh():
                return known  # another worker refreshed while we waited for the lock
            try:
                grant = mint(_credentials(row))
            except ZohoAuthError as error:
                failure = error
                _needs_reconnect(row, error.message)
            else:
                row.access_token, row.access_token_expires_at = grant.access_token, grant.expires_at
                row.tokens_refreshed_at = timezone.now()
                row.save(update_fields=["access_token", "access_token_expires_at",
                                        "tokens_refreshed_at", "updated_at"])  # fmt: skip
                return grant.access
        # Raised after the block so the needs_reconnect mark is committed.
        raise failure


def _credentials(row: ZohoConnection) -> Credentials:
    if not row.refresh_token:
        raise ZohoAuthError(NOT_CONNECTED)
    dc = saved_data_center(row.domain)
    return Credentials(dc.accounts_url, row.client_id, row.client_secret, row.refresh_token)


def _needs_reconnect(row: ZohoConnection, message: str) -> None:
    row.status = ZohoConnection.Status.NEEDS_RECONNECT
    row.last_error, row.last_error_at = message, timezone.now()
    row.save(update_fields=["status", "last_error", "last_error_at", "updated_at"])
