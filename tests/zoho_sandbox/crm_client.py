"""Plain-requests helpers for the sandbox's own tests (not our production client)."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from zoho_sandbox.testing import SandboxHandle

TIMEOUT = 10


@dataclass
class Crm:
    """Plain ``requests`` calls to ``/crm/v2/`` with ``Authorization: Zoho-oauthtoken``."""

    url: str
    http: requests.Session
    tokens: dict

    def call(self, method: str, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", TIMEOUT)
        return self.http.request(method, self.url + path, **kw)

    def get(self, path: str, **kw) -> requests.Response:
        return self.call("GET", path, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        return self.call("POST", path, **kw)

    def put(self, path: str, **kw) -> requests.Response:
        return self.call("PUT", path, **kw)

    def delete(self, path: str, **kw) -> requests.Response:
        return self.call("DELETE", path, **kw)

    def v8(self) -> Crm:
        """The same session on ``/crm/v8/``: page tokens, and ``fields`` required."""
        return Crm(self.url.replace("/crm/v2/", "/crm/v8/"), self.http, self.tokens)


EVERY_SCOPE = (
    "ZohoCRM.modules.all,ZohoCRM.settings.all,ZohoCRM.org.READ,ZohoCRM.users.READ,"
    "ZohoSearch.securesearch.READ"
)


def crm_for(sandbox: SandboxHandle, scope: str | None = None) -> Crm:
    """A new client, code and token exchange, then a session carrying the access token."""
    return crm_with(sandbox.connect(scope) if scope else sandbox.connect())


def crm_with(tokens: dict) -> Crm:
    """A new session (so a new connection) for an existing token response."""
    http = requests.Session()
    http.headers["Authorization"] = f"Zoho-oauthtoken {tokens['access_token']}"
    return Crm(f"{tokens['api_domain']}/crm/v2/", http, tokens)


def zoho_error(code: str, message: str, details: dict | None = None) -> dict:
    return {"code": code, "details": details or {}, "message": message, "status": "error"}
