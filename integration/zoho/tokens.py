"""What the client needs from whoever keeps a connection's tokens.

The client never reads credentials from settings: a `TokenStore` hands them
over. The database-backed store (integration.token_store) refreshes under a
row lock so two workers never both refresh; `MemoryTokenStore` serves a
connection being set up, before anything is saved.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

# Refresh a little before Zoho's expiry so a call never leaves with a token
# that dies on the way.
EXPIRY_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class AccessToken:
    token: str = field(repr=False)
    expires_at: datetime | None

    def is_fresh(self, now: datetime | None = None) -> bool:
        if self.expires_at is None:
            return True  # unknown expiry: use it until Zoho says INVALID_TOKEN
        return self.expires_at - EXPIRY_MARGIN > (now or datetime.now(UTC))


@dataclass(frozen=True)
class Credentials:
    """What refreshing and revoking need. Secrets are kept out of repr (and so of logs)."""

    accounts_url: str
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)


@dataclass(frozen=True)
class TokenGrant:
    """A successful reply of Zoho's token endpoint."""

    access_token: str = field(repr=False)
    expires_at: datetime
    refresh_token: str | None = field(default=None, repr=False)
    api_domain: str | None = None
    scope: str | None = None

    @property
    def access(self) -> AccessToken:
        return AccessToken(self.access_token, self.expires_at)


Mint = Callable[[Credentials], TokenGrant]


class TokenStore(Protocol):
    def current(self) -> AccessToken | None:
        """The access token to use now, if any (it may be about to expire)."""

    def refresh(self, stale: str | None, mint: Mint) -> AccessToken:
        """A fresh token. If another worker already replaced `stale`, return its token;
        otherwise call `mint(credentials)` and keep what it returns. Raises ZohoError."""

    def credentials(self) -> Credentials: ...


class MemoryTokenStore:
    """Tokens kept in memory (a connection not saved yet, a script)."""

    def __init__(self, credentials: Credentials, access: AccessToken | None = None) -> None:
        self._credentials, self._access = credentials, access
        self._lock = threading.Lock()
        self.minted: TokenGrant | None = None

    def current(self) -> AccessToken | None:
        return self._access

    def refresh(self, stale: str | None, mint: Mint) -> AccessToken:
        with self._lock:
            if self._access and self._access.token != stale and self._access.is_fresh():
                return self._access
            self.minted = mint(self._credentials)
            self._access = self.minted.access
            return self._access

    def credentials(self) -> Credentials:
        return self._credentials
