"""The rules a Zoho connection must meet, as plain functions (no ORM, no HTTP).

Configuring (`services.connect`) and testing (`services.health`) a connection
apply the same rules; each is written once here.
"""

import re
from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from integration.models import PendingGrant, ZohoConnection
from integration.zoho import oauth
from integration.zoho.domains import (
    DataCenter,
    UnknownDataCenter,
    UnsafeZohoUrl,
    crm_base,
    data_center,
    data_centers,
)
from integration.zoho.errors import ZohoAuthError, ZohoError, ZohoScopeError
from mapping.models import Module

SINGLE_LINE = "text"  # Zoho's data_type of a "Single Line" field

CLIENT_ID = re.compile(r"^\d{4}\.[A-Za-z0-9]{8,}$")
CODE = re.compile(r"^\d{4}\.[A-Za-z0-9]{8,}\.[A-Za-z0-9]{8,}$")
ORG = re.compile(r"(?:^|/)(?:org)?(\d{4,})(?:/|$)", re.IGNORECASE)
SCOPE_MISSING = (
    "Zoho refused to show the field list: the code was generated without the settings scope. "
    f"In Zoho's API console open your Self Client, generate a new code with the scopes "
    f"{oauth.SCOPES} (both, comma-separated) and paste it."
)
MODULES_SCOPE_MISSING = (
    "Zoho refused to show Leads: the code was generated without the records scope. "
    f"In Zoho's API console open your Self Client, generate a new code with the scopes "
    f"{oauth.SCOPES} (both, comma-separated) and paste it."
)

# Shown on the Zoho CRM page and by the connection test, in the reader's language.
ORG_NOT_CHECKED = format_lazy(
    _(
        "Not checked: the code's scopes do not let Plezi read the org, so Plezi cannot tell "
        "whether the code belongs to this org. To have it checked, generate a new code with "
        "the scopes {scopes},ZohoCRM.org.READ and paste it in the configuration."
    ),
    scopes=oauth.SCOPES,
)


class ConnectionProblem(Exception):
    """A configuration that cannot be saved: `message` says what to do, `field` where.

    `code_unused`: raised before the code went to Zoho, so the same code still works.
    """

    code_unused = False

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


def field_named(fields: list[dict], name: str) -> dict | None:
    """The field called `name`: its API name, else its label, ignoring case."""
    lowered = name.lower()
    for key in ("api_name", "field_label", "display_label"):
        for meta in fields:
            if str(meta.get(key) or "").lower() == lowered:
                return meta
    return None


def is_single_line(meta: dict) -> bool:
    return meta.get("data_type") == SINGLE_LINE


def org_of(org: dict) -> str:
    """The `orgNNN` of Zoho's org reply (its domain_name, or "org" + its zgid)."""
    domain_name = str(org.get("domain_name") or "").lower()
    if re.fullmatch(r"org\d+", domain_name):
        return domain_name
    zgid = str(org.get("zgid") or "")
    return f"org{zgid}" if zgid.isdigit() else ""


def other_org(org: dict, expected: str) -> str:
    """The org Zoho's reply names when it is not `expected`, else ""."""
    actual = org_of(org)
    return actual if actual and actual != expected else ""


def filter_fields(fields: dict[str, list[dict]], name: str) -> dict[str, dict]:
    """The filter field's metadata in each of Leads and Contacts that has it."""
    found = {m: field_named(fields.get(m, []), name) for m in Module.values}
    return {m: meta for m, meta in found.items() if meta}


def scope_detail(error: ZohoError) -> str:
    """What to tell the user about a failed metadata read."""
    return SCOPE_MISSING if isinstance(error, ZohoScopeError) else error.message


def needs_reconnect(error: ZohoError | None) -> bool:
    """Only a new code fixes a refused token or a missing scope."""
    return isinstance(error, (ZohoAuthError, ZohoScopeError))


# ---- formats of a configuration (no network) ---------------------------------------------
@dataclass(frozen=True)
class Settings:
    client_id: str
    client_secret: str
    org: str
    code: str
    dc: DataCenter
    crm_url: str
    filter_field: str
    filter_value: str
    # No code typed, and the tokens a previous try bought (a PendingGrant) fit: use them.
    use_pending: bool = False


def settings_cleaned(
    data: dict, existing: ZohoConnection | None, pending: PendingGrant | None = None
) -> Settings:
    """Formats only (no network): raises ConnectionProblem naming the field."""
    value = {k: str(data.get(k) or "").strip() for k in _FIELDS}
    dc = _data_center(value["domain"])
    client_id = _client_id(value["client_id"])
    same_client = bool(existing) and existing.client_id == client_id
    kept = _pending_fits(pending, client_id, dc, value["client_secret"])
    secret = (
        value["client_secret"]
        or (kept.client_secret if kept else "")
        or (existing.client_secret if same_client else "")
    )
    if not secret:
        raise ConnectionProblem(
            gettext("Enter the Client Secret shown next to the Client ID in Zoho's API console."),
            field="client_secret",
        )
    use_pending = bool(kept) and not value["code"]
    code = (
        ""
        if use_pending
        else _code(value["code"], existing, same_client and existing.domain == dc.key)
    )
    return Settings(
        use_pending=use_pending,
        client_id=client_id,
        client_secret=secret,
        org=_org(value["org"]),
        code=code,
        dc=dc,
        crm_url=_crm_url(value["crm_url"], dc),
        **_filter(value["filter_field"], value["filter_value"]),
    )


_FIELDS = (
    "client_id",
    "client_secret",
    "org",
    "code",
    "domain",
    "crm_url",
    "filter_field",
    "filter_value",
)


def _pending_fits(
    pending: PendingGrant | None, client_id: str, dc: DataCenter, typed_secret: str
) -> PendingGrant | None:
    """The waiting tokens, when bought with this client, domain and secret."""
    if pending is None or (pending.client_id, pending.domain) != (client_id, dc.key):
        return None
    if typed_secret and typed_secret != pending.client_secret:
        return None
    return pending


def _data_center(key: str) -> DataCenter:
    try:
        return data_center(key.lower())
    except UnknownDataCenter:
        choices = ", ".join(data_centers())
        raise ConnectionProblem(
            gettext("Choose the domain found in your Zoho CRM address (one of %(choices)s).")
            % {"choices": choices},
            field="domain",
        ) from None


def _client_id(text: str) -> str:
    if not CLIENT_ID.match(text):
        raise ConnectionProblem(
            gettext(
                "A Zoho Client ID looks like 1000.ABCD1234…: copy it from your Self Client in "
                "Zoho's API console."
            ),
            field="client_id",
        )
    return text


def _code(text: str, existing: ZohoConnection | None, same_client_and_domain: bool) -> str:
    if text:
        if not CODE.match(text):
            raise ConnectionProblem(
                gettext(
                    "A Zoho code looks like 1000.8cb9…​.4ef1…: in your Self Client click “View "
                    "Code” and copy the whole code."
                ),
                field="code",
            )
        return text
    if existing and existing.refresh_token and same_client_and_domain:
        return ""  # keep the saved connection
    if existing and existing.refresh_token:
        reason = gettext(
            "A new client or domain needs a new code: in Zoho's API console open your Self "
            "Client, generate a code with the scopes %(scopes)s and paste it here."
        )
    else:
        reason = gettext(
            "The first connection needs a code: in Zoho's API console open your Self "
            "Client, generate a code with the scopes %(scopes)s and paste it here."
        )
    raise ConnectionProblem(reason % {"scopes": oauth.SCOPES}, field="code")


def _org(text: str) -> str:
    """`org5444456755445`; digits alone or a pasted CRM address are accepted too."""
    match = ORG.search(text.strip().rstrip("/")) if text else None
    if not match:
        raise ConnectionProblem(
            gettext(
                "Enter the org from your CRM address: “org” followed by digits, as in "
                "crm.zoho.eu/crm/org5444456755445/tab/… (copy org5444456755445)."
            ),
            field="org",
        )
    return f"org{match.group(1)}"


def _crm_url(text: str, dc: DataCenter) -> str:
    if not text:
        return dc.crm_url
    try:
        return crm_base(text, dc)
    except UnsafeZohoUrl:
        raise ConnectionProblem(
            gettext(
                "For the “%(domain)s” domain the Zoho CRM URL is %(url)s: enter that (or leave "
                "the field empty). We only send your credentials to Zoho's own servers."
            )
            % {"domain": dc.key, "url": dc.crm_url},
            field="crm_url",
        ) from None


def _filter(name: str, value: str) -> dict:
    if bool(name) != bool(value):
        raise ConnectionProblem(
            gettext(
                "Fill in both the Zoho contact field and the Zoho contact value, or leave both "
                "empty to synchronise every contact."
            ),
            field="filter_value" if name else "filter_field",
        )
    return {"filter_field": name, "filter_value": value}
