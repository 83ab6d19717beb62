"""Typed Zoho errors: each says whether trying again can help.

Messages are plain words for a marketer or an operator. They never carry a
secret: callers build them from Zoho's code and message, scrubbed of anything
that looks like a token (Zoho sometimes echoes what it was sent).
"""

import re

# Zoho grant codes, refresh and access tokens all look like "1000.<hex>.<hex>".
_TOKEN = re.compile(r"\b\d{4}\.[0-9a-f]{16,}(?:\.[0-9a-f]{16,})?\b", re.IGNORECASE)


def scrub(text: str) -> str:
    """`text` with anything shaped like a Zoho token replaced by "[secret]"."""
    return _TOKEN.sub("[secret]", text or "")


class ZohoError(Exception):
    """Any failure talking to Zoho. `retryable` says whether a later try can succeed."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        self.message = scrub(message)
        super().__init__(self.message)
        self.status, self.code = status, code
        if retryable is not None:
            self.retryable = retryable


class ZohoAuthError(ZohoError):
    """The connection itself is no longer valid (revoked token, unknown client): reconnect."""


class ZohoScopeError(ZohoError):
    """The token lacks a scope for this call (401 OAUTH_SCOPE_MISMATCH): needs a new code."""


class ZohoRateLimited(ZohoError):
    """429 from the concurrency cap (or the accounts server's throttle): retry later."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ZohoCreditsExhausted(ZohoRateLimited):
    """429 because the org's rolling 24-hour API credits ran out: no retry within a run."""

    retryable = False


class CreditBudgetSpent(ZohoError):
    """The call would pass the credits this client may spend (the workspace's own cap);
    it was not sent."""


class ZohoServerError(ZohoError):
    """5xx from Zoho."""

    retryable = True


class ZohoNetworkError(ZohoError):
    """A timeout or a dropped connection: the request may or may not have been processed."""

    retryable = True


class ZohoBadResponse(ZohoError):
    """A reply that is not the JSON Zoho promises (an HTML page, a truncated body)."""

    def __init__(self, message: str, *, status: int, excerpt: str, **kwargs) -> None:
        super().__init__(message, status=status, **kwargs)
        self.excerpt = scrub(excerpt)


class ZohoRequestError(ZohoError):
    """Any other 4xx: the request itself is wrong and sending it again will not help."""
