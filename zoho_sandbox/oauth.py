"""The accounts part: self clients, grant codes, ``/oauth/v2/token`` and revocation.

Zoho answers token errors with HTTP 200 and ``{"error": "<code>"}`` (not the CRM envelope),
and throttles with "Access Denied" under HTTP 200 or 400 (zoho-crm-api.md §1.2-1.4, §10).
"""

from __future__ import annotations

import secrets
import string

from zoho_sandbox import scopes as scope_rules
from zoho_sandbox.state import AccessToken, Client, Code, Org, RefreshToken
from zoho_sandbox.wire import Reply, Request, json_reply

THROTTLE_BODY = {
    "error": "Access Denied",
    "error_description": "You have made too many requests continuously. "
    "Please try again after some time.",
}
CODE_WINDOW = 600  # Zoho: at most 10 codes per client per 10 minutes (token-validity docs)
TOKEN_WINDOW = 60
MINT_WINDOW = 600  # Kaizen #43: access tokens a refresh token per 10 minutes
CODE_MINUTES = 3  # a grant code's default lifetime (§10); self clients may choose longer


class Throttled(Exception):
    pass


class UnknownClient(Exception):
    pass


def _token() -> str:
    return f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"


def create_client(org: Org) -> Client:
    alphabet = string.ascii_uppercase + string.digits
    client_id = "1000." + "".join(secrets.choice(alphabet) for _ in range(30))
    client = Client(client_id, secrets.token_hex(21), org.now())
    with org.lock:
        org.clients[client_id] = client
    return client


def create_code(org: Org, client_id: str, scope: str, minutes: float) -> Code:
    """A self-client grant code: single use, bound to the client and its scopes.

    Raises :class:`UnknownClient`, or :class:`Throttled` past the per-client code rate.
    """
    with org.lock:
        client = org.clients.get(client_id)
        if client is None:
            raise UnknownClient(client_id)
        now = org.now()
        client.code_times = [t for t in client.code_times if t > now - CODE_WINDOW]
        if len(client.code_times) >= org.settings["codes_per_client_per_10_minutes"]:
            raise Throttled(client_id)
        client.code_times.append(now)
        code = Code(_token(), client_id, scope_rules.parse(scope), now + minutes * 60)
        org.codes[code.code] = code
        return code


def handle_token(org: Org, request: Request) -> Reply:
    params = request.form()
    grant = params.get("grant_type")
    with org.lock:
        client = org.clients.get(params.get("client_id", ""))
        if client and _over_token_rate(org, client):
            return _throttled(org)
        if grant not in ("authorization_code", "refresh_token"):
            return json_reply(200, {"error": "unsupported_grant_type"})
        if client is None or not secrets.compare_digest(
            client.client_secret, params.get("client_secret", "")
        ):
            return json_reply(200, {"error": "invalid_client"})
        if grant == "authorization_code":
            return _exchange_code(org, client, params.get("code", ""))
        return _refresh(org, client, params.get("refresh_token", ""))


def _throttled(org: Org) -> Reply:
    org.stats.count_throttle()
    return json_reply(org.settings["token_throttle_status"], THROTTLE_BODY)


def _over_token_rate(org: Org, client: Client) -> bool:
    now = org.now()
    client.token_times = [t for t in client.token_times if t > now - TOKEN_WINDOW]
    client.token_times.append(now)
    return len(client.token_times) > org.settings["token_requests_per_client_per_minute"]


def _exchange_code(org: Org, client: Client, code_text: str) -> Reply:
    code = org.codes.get(code_text)
    if code is None or code.client_id != client.client_id:
        return json_reply(200, {"error": "invalid_code"})
    reused, code.used = code.used, True  # a code dies on first presentation, good or not
    if reused or code.expires <= org.now():
        return json_reply(200, {"error": "invalid_code"})
    refresh = RefreshToken(_token(), client.client_id, code.scopes)
    org.refresh_tokens[refresh.token] = refresh
    _retire_oldest_refresh_tokens(org, client)
    access = _mint_access(org, refresh)
    return json_reply(
        200, {"access_token": access.token, "refresh_token": refresh.token, **_token_tail(org)}
    )


def _refresh(org: Org, client: Client, token_text: str) -> Reply:
    refresh = org.refresh_tokens.get(token_text)
    if refresh is None or refresh.revoked or refresh.client_id != client.client_id:
        return json_reply(200, {"error": "invalid_code"})
    now = org.now()
    refresh.minted = [t for t in refresh.minted if t > now - MINT_WINDOW]
    if len(refresh.minted) >= org.settings["access_tokens_per_refresh_token_per_10_minutes"]:
        return _throttled(org)
    access = _mint_access(org, refresh)
    return json_reply(200, {"access_token": access.token, **_token_tail(org)})


def _token_tail(org: Org) -> dict:
    # api_domain is the sandbox itself: the CRM is at {api_domain}/crm/v8/ (and /crm/v2/).
    return {
        "api_domain": org.base_url,
        "token_type": "Bearer",
        "expires_in": org.settings["access_token_ttl_seconds"],
    }


def _mint_access(org: Org, refresh: RefreshToken) -> AccessToken:
    ttl = org.settings["access_token_ttl_seconds"]
    access = AccessToken(_token(), refresh.token, refresh.scopes, org.now() + ttl)
    org.access_tokens[access.token] = access
    refresh.access_tokens.append(access.token)
    refresh.minted.append(org.now())
    # v8 token-validity docs: at most 15 active access tokens a refresh token; the next
    # one invalidates the oldest.
    while len(refresh.access_tokens) > org.settings["max_active_access_tokens"]:
        org.access_tokens.pop(refresh.access_tokens.pop(0), None)
    return access


def _retire_oldest_refresh_tokens(org: Org, client: Client) -> None:
    # §10: at most 20 active refresh tokens a user and client; the 21st deletes the oldest
    # (dicts keep insertion order, so the first ones are the oldest).
    active = [r for r in org.refresh_tokens.values() if r.client_id == client.client_id]
    active = [r for r in active if not r.revoked]
    for refresh in active[: max(0, len(active) - org.settings["max_refresh_tokens_per_client"])]:
        _revoke_refresh(org, refresh)


def _revoke_refresh(org: Org, refresh: RefreshToken) -> None:
    refresh.revoked = True
    for access in refresh.access_tokens:
        org.access_tokens.pop(access, None)
    refresh.access_tokens.clear()


def handle_revoke(org: Org, request: Request) -> Reply:
    """Revoking a refresh token kills every access token minted from it (revoke-tokens docs)."""
    token = request.form().get("token", "")
    with org.lock:
        refresh = org.refresh_tokens.get(token)
        if refresh is not None:
            _revoke_refresh(org, refresh)
        else:
            org.access_tokens.pop(token, None)
    return json_reply(200, {"status": "success"})


def handle(org: Org, request: Request) -> Reply:
    if request.method != "POST":
        return json_reply(405, {"error": "invalid_request_method"})
    if request.path == "/oauth/v2/token":
        return handle_token(org, request)
    if request.path == "/oauth/v2/token/revoke":
        return handle_revoke(org, request)
    return json_reply(404, {"error": "invalid_url"})
