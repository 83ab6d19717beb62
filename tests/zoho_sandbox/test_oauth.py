"""Accounts part: /oauth/v2/token, codes, refresh, revoke, expiry and throttling."""

from __future__ import annotations

import re

import requests

from tests.zoho_sandbox.crm_client import TIMEOUT

SCOPE = "ZohoCRM.settings.fields.all,ZohoCRM.modules.all"


def _token(sandbox, **form) -> requests.Response:
    return requests.post(f"{sandbox.base_url}/oauth/v2/token", data=form, timeout=TIMEOUT)


def _exchange(sandbox, client_id, secret, code) -> requests.Response:
    form = {"grant_type": "authorization_code", "client_id": client_id, "client_secret": secret}
    return _token(sandbox, **form, code=code, redirect_uri="https://plezi.example/cb")


def _refresh(sandbox, client_id, secret, refresh_token) -> requests.Response:
    return _token(sandbox, grant_type="refresh_token", client_id=client_id,
                  client_secret=secret, refresh_token=refresh_token)  # fmt: skip


def _leads(sandbox, access_token) -> requests.Response:
    headers = {"Authorization": f"Zoho-oauthtoken {access_token}"}
    return requests.get(f"{sandbox.base_url}/crm/v2/Leads", headers=headers, timeout=TIMEOUT)


def test_code_exchange_returns_zoho_token_body(sandbox):
    client_id, secret = sandbox.create_client()
    reply = _exchange(sandbox, client_id, secret, sandbox.create_code(client_id, SCOPE))
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json()
    assert set(body) == {"access_token", "refresh_token", "api_domain", "token_type", "expires_in"}
    assert body["api_domain"] == sandbox.base_url
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"].startswith("1000.")


def test_code_exchange_accepts_query_string_parameters(sandbox):
    client_id, secret = sandbox.create_client()
    params = {"grant_type": "authorization_code", "client_id": client_id,
              "client_secret": secret, "code": sandbox.create_code(client_id)}  # fmt: skip
    reply = requests.post(f"{sandbox.base_url}/oauth/v2/token", params=params, timeout=TIMEOUT)
    assert "refresh_token" in reply.json()


def test_reused_code_is_rejected_with_invalid_code(sandbox):
    client_id, secret = sandbox.create_client()
    code = sandbox.create_code(client_id)
    assert "access_token" in _exchange(sandbox, client_id, secret, code).json()
    reply = _exchange(sandbox, client_id, secret, code)
    assert (reply.status_code, reply.json()) == (200, {"error": "invalid_code"})


def test_expired_code_is_rejected_with_invalid_code(sandbox):
    client_id, secret = sandbox.create_client()
    code = sandbox.create_code(client_id, minutes=3)
    sandbox.advance_clock(3 * 60 + 1)
    assert _exchange(sandbox, client_id, secret, code).json() == {"error": "invalid_code"}


def test_a_code_lives_three_minutes_by_default(sandbox):
    client_id, secret = sandbox.create_client()
    url = f"{sandbox.base_url}/__sandbox__/codes"
    codes = [requests.post(url, json={"client_id": client_id}, timeout=TIMEOUT).json()["code"]
             for _ in range(2)]  # fmt: skip
    sandbox.advance_clock(3 * 60 - 5)
    assert "access_token" in _exchange(sandbox, client_id, secret, codes[0]).json()
    sandbox.advance_clock(10)
    assert _exchange(sandbox, client_id, secret, codes[1]).json() == {"error": "invalid_code"}


def test_the_twenty_first_refresh_token_of_a_client_revokes_the_oldest(sandbox):
    client_id, secret = sandbox.create_client()
    tokens = []
    for _ in range(20):
        sandbox.advance_clock(61)  # ten codes a client per 10 minutes at most
        tokens.append(_exchange(sandbox, client_id, secret, sandbox.create_code(client_id)).json())
    first = tokens[0]
    assert _leads(sandbox, first["access_token"]).status_code == 204  # 20 active: all live
    sandbox.advance_clock(61)
    _exchange(sandbox, client_id, secret, sandbox.create_code(client_id))
    assert _leads(sandbox, first["access_token"]).json()["code"] == "INVALID_TOKEN"
    oldest = _refresh(sandbox, client_id, secret, first["refresh_token"])
    assert oldest.json() == {"error": "invalid_code"}
    assert "access_token" in _refresh(sandbox, client_id, secret, tokens[1]["refresh_token"]).json()


def test_code_is_still_valid_just_before_it_expires(sandbox):
    client_id, secret = sandbox.create_client()
    code = sandbox.create_code(client_id, minutes=10)
    sandbox.advance_clock(10 * 60 - 5)
    assert "access_token" in _exchange(sandbox, client_id, secret, code).json()


def test_unknown_code_and_code_of_another_client_are_invalid_code(sandbox):
    client_id, secret = sandbox.create_client()
    other_id, _ = sandbox.create_client()
    other_code = sandbox.create_code(other_id)
    assert _exchange(sandbox, client_id, secret, "1000.nope").json() == {"error": "invalid_code"}
    assert _exchange(sandbox, client_id, secret, other_code).json() == {"error": "invalid_code"}


def test_bad_client_secret_or_id_is_invalid_client(sandbox):
    client_id, _ = sandbox.create_client()
    code = sandbox.create_code(client_id)
    assert _exchange(sandbox, client_id, "wrong", code).json() == {"error": "invalid_client"}
    assert _exchange(sandbox, "1000.UNKNOWN", "x", code).json() == {"error": "invalid_client"}


def test_refresh_returns_a_new_access_token_without_refresh_token(sandbox):
    tokens = sandbox.connect()
    reply = _refresh(sandbox, tokens["client_id"], tokens["client_secret"], tokens["refresh_token"])
    body = reply.json()
    assert set(body) == {"access_token", "api_domain", "token_type", "expires_in"}
    assert body["access_token"] != tokens["access_token"]
    assert _leads(sandbox, body["access_token"]).status_code == 204


def test_access_token_expires_after_an_hour_of_sandbox_time(sandbox):
    tokens = sandbox.connect()
    sandbox.advance_clock(3599)
    assert _leads(sandbox, tokens["access_token"]).status_code == 204
    sandbox.advance_clock(2)
    reply = _leads(sandbox, tokens["access_token"])
    assert reply.status_code == 401
    assert reply.json()["code"] == "INVALID_TOKEN"


def test_revoke_kills_refresh_token_and_its_access_tokens(sandbox):
    tokens = sandbox.connect()
    url = f"{sandbox.base_url}/oauth/v2/token/revoke"
    reply = requests.post(url, params={"token": tokens["refresh_token"]}, timeout=TIMEOUT)
    assert reply.status_code == 200
    assert _leads(sandbox, tokens["access_token"]).json()["code"] == "INVALID_TOKEN"
    again = _refresh(sandbox, tokens["client_id"], tokens["client_secret"], tokens["refresh_token"])
    assert again.json() == {"error": "invalid_code"}


def test_sixteenth_access_token_invalidates_the_oldest(sandbox):
    tokens = sandbox.connect()  # the first access token of this refresh token
    for _ in range(15):
        sandbox.advance_clock(61)  # ten a refresh token per 10 minutes at most
        _refresh(sandbox, tokens["client_id"], tokens["client_secret"], tokens["refresh_token"])
    assert _leads(sandbox, tokens["access_token"]).json()["code"] == "INVALID_TOKEN"


def test_eleventh_code_in_ten_minutes_is_access_denied(sandbox):
    client_id, _ = sandbox.create_client()
    for _ in range(10):
        sandbox.create_code(client_id)
    url = f"{sandbox.base_url}/__sandbox__/codes"
    reply = requests.post(url, json={"client_id": client_id}, timeout=TIMEOUT)
    assert reply.status_code == 400
    assert reply.json()["error"] == "access_denied"
    sandbox.advance_clock(601)
    assert sandbox.create_code(client_id)


def test_too_many_token_requests_get_the_access_denied_throttle(sandbox):
    sandbox.set_limits(token_requests_per_client_per_minute=2)
    tokens = sandbox.connect()
    ok = _refresh(sandbox, tokens["client_id"], tokens["client_secret"], tokens["refresh_token"])
    assert ok.status_code == 200
    throttled = _refresh(
        sandbox, tokens["client_id"], tokens["client_secret"], tokens["refresh_token"]
    )
    assert throttled.status_code == 200  # Zoho's throttle may look like a success
    assert throttled.json() == {
        "error": "Access Denied",
        "error_description": "You have made too many requests continuously. "
        "Please try again after some time.",
    }
    sandbox.advance_clock(61)
    assert (
        "access_token"
        in _refresh(
            sandbox, tokens["client_id"], tokens["client_secret"], tokens["refresh_token"]
        ).json()
    )


def test_unsupported_grant_type(sandbox):
    client_id, secret = sandbox.create_client()
    reply = _token(sandbox, grant_type="password", client_id=client_id, client_secret=secret)
    assert reply.json() == {"error": "unsupported_grant_type"}


def test_console_creates_a_self_client_and_a_code_of_the_chosen_duration(sandbox):
    home = requests.get(sandbox.base_url + "/", timeout=TIMEOUT)
    assert home.status_code == 200
    assert home.headers["Content-Type"].startswith("text/html")
    assert "<script" not in home.text
    assert sandbox.org()["domain_name"] in home.text
    created = requests.post(sandbox.base_url + "/console/clients", timeout=TIMEOUT)
    assert "Client Secret" in created.text
    [(client_id, _)] = [(c, None) for c in _client_ids(created.text)]
    form = {"client_id": client_id, "scope": SCOPE, "minutes": "10"}
    page = requests.post(sandbox.base_url + "/console/codes", data=form, timeout=TIMEOUT)
    assert "valid 10 minutes" in page.text
    assert "selected>3 minutes" in page.text  # Zoho's default duration


def _client_ids(html: str) -> set[str]:
    return set(re.findall(r"<option value='(1000\.[A-Z0-9]+)'>", html))


def test_an_eleventh_access_token_in_ten_minutes_is_access_denied(sandbox):
    tokens = sandbox.connect()  # the code exchange minted the first one
    args = (sandbox, tokens["client_id"], tokens["client_secret"], tokens["refresh_token"])
    for _ in range(9):
        assert "access_token" in _refresh(*args).json()
    assert _refresh(*args).json()["error"] == "Access Denied"
    sandbox.set_limits(token_throttle_status=400)
    assert _refresh(*args).status_code == 400
    sandbox.advance_clock(601)
    assert "access_token" in _refresh(*args).json()
