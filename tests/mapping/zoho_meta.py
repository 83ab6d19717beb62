"""Zoho field metadata for tests: live from the sandbox, or plain dicts for pure rule tests."""

import requests

from zoho_sandbox.testing import SandboxHandle


def fetch_fields(sandbox: SandboxHandle, module: str) -> list[dict]:
    """What `GET /crm/v8/settings/fields?module=` answers, as the integration reads it."""
    token = sandbox.connect()["access_token"]
    reply = requests.get(
        f"{sandbox.base_url}/crm/v2/settings/fields",
        params={"module": module},
        headers={"Authorization": f"Zoho-oauthtoken {token}"},
        timeout=10,
    )
    reply.raise_for_status()
    return reply.json()["fields"]


def zoho_field(
    api_name: str,
    data_type: str = "text",
    *,
    label: str | None = None,
    length: int | None = 255,
    values: list[str] | None = None,
    **extra,
) -> dict:
    """One field shaped like Zoho's metadata (the keys the rules read)."""
    picklist = [{"display_value": "-None-", "actual_value": "-None-"}]
    picklist += [{"display_value": v, "actual_value": v} for v in values or []]
    return {
        "api_name": api_name,
        "field_label": label or api_name.replace("_", " "),
        "data_type": data_type,
        "length": length,
        "read_only": False,
        "field_read_only": False,
        "pick_list_values": picklist if values is not None else [],
        "lookup": {},
        "formula": {},
        "auto_number": {},
        **extra,
    }
