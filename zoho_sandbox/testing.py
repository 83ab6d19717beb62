"""A handle on a running sandbox for tests, benchmarks and the demo (plain ``requests``).

Everything goes through the control API, so the same handle drives an in-process server
or one started with ``python -m zoho_sandbox``.
"""

from __future__ import annotations

from typing import Any

import requests

DEFAULT_SCOPE = "ZohoCRM.settings.fields.all,ZohoCRM.modules.all"
TIMEOUT = 30


class SandboxError(RuntimeError):
    pass


class SandboxHandle:
    def __init__(self, base_url: str, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = session or requests.Session()

    @property
    def crm_url(self) -> str:
        """What a customer pastes as "Zoho crm url": ``{api_domain}/crm/v2/``."""
        return f"{self.base_url}/crm/v2/"

    def _call(self, method: str, path: str, body: Any = None, expect: tuple = (200,)) -> Any:
        url = f"{self.base_url}/__sandbox__/{path}"
        reply = self.http.request(method, url, json=body, timeout=TIMEOUT)
        if reply.status_code not in expect:
            raise SandboxError(f"{method} {path}: {reply.status_code} {reply.text}")
        return reply.json() if reply.content else None

    # ---- accounts ----------------------------------------------------------------------
    def reset(self) -> None:
        self._call("POST", "reset", expect=(204,))

    def create_client(self) -> tuple[str, str]:
        body = self._call("POST", "clients", {})
        return body["client_id"], body["client_secret"]

    def create_code(self, client_id: str, scope: str = DEFAULT_SCOPE, minutes: float = 3) -> str:
        body = {"client_id": client_id, "scope": scope, "expires_in_minutes": minutes}
        return self._call("POST", "codes", body)["code"]

    def connect(self, scope: str = DEFAULT_SCOPE) -> dict:
        """Client + code + token exchange: the token response plus client id and secret."""
        client_id, client_secret = self.create_client()
        code = self.create_code(client_id, scope)
        form = {
            "grant_type": "authorization_code",
            "client_id": client_id,
            "client_secret": client_secret,
            "code": code,
        }
        reply = self.http.post(f"{self.base_url}/oauth/v2/token", data=form, timeout=TIMEOUT)
        tokens = reply.json()
        if "access_token" not in tokens:
            raise SandboxError(f"token exchange failed: {tokens}")
        return {**tokens, "client_id": client_id, "client_secret": client_secret}

    def org(self) -> dict:
        return self._call("GET", "org")

    # ---- metadata and records ----------------------------------------------------------
    def add_field(
        self,
        module: str,
        api_name: str,
        label: str | None = None,
        data_type: str = "text",
        length: int | None = None,
        pick_list_values: list[str] | None = None,
        unique: bool = False,
        lookup_module: str | None = None,
    ) -> dict:
        body = {
            "module": module,
            "api_name": api_name,
            "field_label": label or api_name,
            "data_type": data_type,
            "unique": unique,
        }
        if length is not None:
            body["length"] = length
        if pick_list_values is not None:
            body["pick_list_values"] = pick_list_values
        if lookup_module is not None:
            body["lookup_module"] = lookup_module
        return self._call("POST", "fields", body, expect=(201,))

    def create_records(self, module: str, records: list[dict]) -> list[str]:
        return self._call("POST", f"records/{module}", {"data": records})["ids"]

    def update_record(self, module: str, record_id: str, values: dict) -> dict:
        return self._call("PATCH", f"records/{module}/{record_id}", values)

    def delete_record(self, module: str, record_id: str) -> None:
        self._call("DELETE", f"records/{module}/{record_id}", expect=(204,))

    def convert_lead(self, lead_id: str) -> str:
        return self._call("POST", f"records/Leads/{lead_id}/convert", {})["contact_id"]

    def set_conversion_mapping(self, mapping: dict[str, str]) -> dict[str, str]:
        """What an admin maps in Setup → Lead Conversion Mapping (custom field -> custom field).

        Replaces the previous mapping; ``{}`` maps nothing. Conversion always copies Zoho's
        standard mapping; without this, no custom field reaches the Contact.
        """
        return self._call("PUT", "conversion_mapping", mapping)

    def conversion_mapping(self) -> dict[str, str]:
        return self._call("GET", "conversion_mapping")

    def records(self, module: str, *, email_domain: str = "") -> list[dict]:
        query = f"?email_domain={email_domain}" if email_domain else ""
        return self._call("GET", f"records/{module}{query}")["data"]

    def writes(self, after: int = 0) -> list[dict]:
        """Record writes in commit order: seq, at (wall clock), op, module, id, email, by,
        fields (the API names set)."""
        return self._call("GET", f"writes?after={after}")["data"]

    def reads(self, after: int = 0) -> list[dict]:
        """API reads of records (with the log_reads setting): seq, at, module, ids."""
        return self._call("GET", f"reads?after={after}")["data"]

    def seed(self, module: str, count: int, seed: int = 0) -> dict:
        return self._call("POST", "seed", {"module": module, "count": count, "seed": seed})

    # ---- limits, faults, clock, stats --------------------------------------------------
    def set_limits(self, **settings: Any) -> dict:
        return self._call("POST", "limits", settings)

    def add_fault(self, **spec: Any) -> dict:
        return self._call("POST", "faults", spec, expect=(201,))

    def clear_faults(self) -> None:
        self._call("DELETE", "faults", expect=(204,))

    def advance_clock(self, seconds: float) -> dict:
        return self._call("POST", "clock", {"advance_seconds": seconds})

    def stats(self) -> dict:
        return self._call("GET", "stats")

    def reset_stats(self) -> None:
        self._call("POST", "stats/reset", expect=(204,))
