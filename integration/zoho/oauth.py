"""Zoho's accounts server: exchanging a self-client code, refreshing, revoking.

Zoho answers token errors with HTTP 200 and `{"error": "<code>"}`, and throttles
with "Access Denied" under HTTP 400 or 200 (zoho-crm-api.md §1.2, §10). Secrets travel in the
form body only, never in a URL (URLs end up in proxy and debug logs).
"""

import logging
from datetime import UTC, datetime, timedelta

import requests

from integration.zoho.domains import DataCenter
from integration.zoho.errors import (
    ZohoAuthError,
    ZohoBadResponse,
    ZohoError,
    ZohoNetworkError,
    ZohoRateLimited,
    ZohoRequestError,
    ZohoServerError,
)
from integration.zoho.tokens import Credentials, TokenGrant

logger = logging.getLogger(__name__)

SCOPES = "ZohoCRM.settings.fields.all,ZohoCRM.modules.all"
THROTTLE_WAIT = 60  # Zoho's throttle reply gives no Retry-After; a minute is what it asks
# The seed's wording and steps; shown when a code is refused.
CODE_REFUSED = (
    "This code has expired or was already used. In Zoho's API console open your Self Client, "
    f"generate a new code (scopes {SCOPES}) and paste it within the minutes you chose."
)
REFRESH_REVOKED = (
    "Zoho no longer accepts this connection's refresh token: it was revoked or deleted in "
    "Zoho. Open the Zoho CRM page, generate a new code in the API console (Self Client) and "
    "click “Update your configuration” to reconnect."
)


def client_refused(accounts_host: str, dc_key: str) -> str:
    return (
        f"Zoho's accounts server {accounts_host} (domain “{dc_key}”) does not recognise this "
        "Client ID and Client Secret. Either they were mistyped: copy both again from Zoho's "
        "API console (your Self Client, “Client Secret” tab). Or your Zoho account lives in "
        "another data center: look at your Zoho CRM's address in the browser (crm.zoho.eu "
        "means “eu”, crm.zoho.com means “com”, crm.zoho.in means “in”…). If that address "
        f"ends in “{dc_key}”, the ID or secret is wrong; otherwise choose the domain it shows."
    )


def exchange_code(
    session: requests.Session,
    dc: DataCenter,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    timeout: float,
) -> TokenGrant:
    """Trade a self-client code for tokens. Never retried: a code works only once."""
    form = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "client_secret": client_secret,
        "code": code,
    }
    body = _token_call(session, dc.accounts_url + "/oauth/v2/token", form, timeout)
    error = body.get("error")
    if error == "invalid_code":
        raise ZohoAuthError(CODE_REFUSED, code=error)
    if error == "invalid_client":
        raise ZohoAuthError(client_refused(dc.accounts_host, dc.key), code=error)
    grant = _grant(body, error)
    if not grant.refresh_token:
        raise ZohoBadResponse(
            "Zoho's reply to the code exchange has no refresh token.", status=200, excerpt=""
        )
    return grant


def refresh_grant(
    session: requests.Session, credentials: Credentials, *, timeout: float
) -> TokenGrant:
    """A new access token for the connection's refresh token."""
    form = {
        "grant_type": "refresh_token",
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "refresh_token": credentials.refresh_token,
    }
    body = _token_call(session, credentials.accounts_url + "/oauth/v2/token", form, timeout)
    error = body.get("error")
    if error == "invalid_code":
        raise ZohoAuthError(REFRESH_REVOKED, code=error)
    if error == "invalid_client":
        host = credentials.accounts_url.split("://")[-1]
        raise ZohoAuthError(
            f"Zoho's accounts server {host} no longer recognises this connection's Client ID "
            "and Client Secret (the client was deleted or its secret changed). Open the Zoho CRM "
            "page, enter the current Client ID and Secret with a new code, and click “Update "
            "your configuration”.",
            code=error,
        )
    return _grant(body, error)


def revoke(session: requests.Session, accounts_url: str, token: str, *, timeout: float) -> None:
    """Revoke a refresh token (and every access token minted from it)."""
    body = _token_call(session, accounts_url + "/oauth/v2/token/revoke", {"token": token}, timeout)
    if body.get("error"):
        raise ZohoRequestError(f"Zoho refused to revoke the token: {body['error']}.")


def _token_call(session: requests.Session, url: str, form: dict, timeout: float) -> dict:
    host = url.split("://")[-1].split("/")[0]
    try:
        # Never follow a redirect: it would re-post the client secret to another host.
        response = session.post(url, data=form, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise ZohoNetworkError(
            f"Could not reach Zoho's accounts server {host} ({_reason(exc)})."
        ) from None
    logger.debug("POST %s%s → %s", host, url.split(host, 1)[-1], response.status_code)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _unexpected(response, host)
    if body.get("error") == "Access Denied":  # with HTTP 400, and with 200 too (§10)
        raise ZohoRateLimited(
            f"Zoho's accounts server {host} refuses for now: too many requests in a row. "
            "Wait a minute and try again.",
            status=response.status_code,
            retry_after=THROTTLE_WAIT,
        )
    if response.status_code >= 500:
        raise ZohoServerError(f"Zoho's accounts server {host} failed ({response.status_code}).")
    if response.status_code != 200:
        raise ZohoRequestError(
            f"Zoho's accounts server {host} answered {response.status_code}: "
            f"{body.get('error', 'unknown error')}.",
            status=response.status_code,
            code=str(body.get("error", "")),
        )
    return body


def _unexpected(response: requests.Response, host: str) -> ZohoError:
    excerpt = " ".join(response.text[:300].split())
    retryable = response.status_code >= 500
    return ZohoBadResponse(
        f"Zoho's accounts server {host} sent an unreadable reply ({response.status_code}): "
        f"{excerpt[:120]}",
        status=response.status_code,
        excerpt=excerpt,
        retryable=retryable,
    )


def _grant(body: dict, error: str | None) -> TokenGrant:
    if error or not body.get("access_token"):
        raise ZohoRequestError(
            f"Zoho's accounts server refused: {error or 'no access token in the reply'}.",
            code=error,
        )
    return TokenGrant(
        access_token=body["access_token"],
        expires_at=datetime.now(UTC) + timedelta(seconds=_expires_in(body)),
        refresh_token=body.get("refresh_token"),
        api_domain=body.get("api_domain"),
        scope=body.get("scope"),
    )


def _expires_in(body: dict) -> float:
    # Before about December 2019 `expires_in` was in milliseconds and
    # `expires_in_sec` carried seconds (zoho-crm-api.md §1.2): accept both.
    try:
        if body.get("expires_in_sec"):
            return float(body["expires_in_sec"])
        seconds = float(body.get("expires_in") or 3600)
    except (TypeError, ValueError):
        raise ZohoBadResponse(
            "Zoho's token reply gave no usable lifetime (expires_in), so it was not used.",
            status=200,
            excerpt=str(body.get("expires_in"))[:40],
        ) from None
    return seconds / 1000 if seconds > 86400 else seconds


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return exc.__class__.__name__
