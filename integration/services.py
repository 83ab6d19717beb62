"""Connecting a workspace to Zoho CRM: configure, check, refresh fields, disconnect.

Every path that changes a connection goes through here (the page, the
commands, the admin), so they share one set of checks and messages.
"""

import logging
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.models import Workspace
from accounts.services import workspace_mark_settings_changed
from integration.concurrency import limiter_for
from integration.models import ZohoConnection
from integration.selectors import connection_of, field_named
from integration.token_store import ConnectionTokenStore
from integration.zoho import oauth
from integration.zoho.client import ZohoClient, new_session
from integration.zoho.domains import (
    DataCenter,
    UnknownDataCenter,
    UnsafeZohoUrl,
    api_base,
    crm_base,
    data_center,
    data_centers,
)
from integration.zoho.errors import (
    ZohoAuthError,
    ZohoError,
    ZohoNetworkError,
    ZohoRateLimited,
    ZohoScopeError,
)
from integration.zoho.tokens import AccessToken, Credentials, MemoryTokenStore, TokenGrant
from mapping.services import zoho_fields_store

__all__ = [
    "ConnectionProblem",
    "Health",
    "client_for",
    "connection_check",
    "connection_disconnect",
    "connection_of",
    "connection_refresh_fields",
    "connection_update",
]

logger = logging.getLogger(__name__)

MODULES = ("Leads", "Contacts")
# A person is waiting on the page: short timeouts, one retry, no long waits for a
# limiter slot or a Retry-After.
TIMEOUT = 20
INTERACTIVE = {"timeout": TIMEOUT, "max_retries": 1, "max_retry_time": 10}
SLOT_WAIT = 15
SINGLE_LINE = "text"  # Zoho's data_type of a "Single Line" field
CLIENT_ID = re.compile(r"^\d{4}\.[A-Za-z0-9]{8,}$")
CODE = re.compile(r"^\d{4}\.[A-Za-z0-9]{8,}\.[A-Za-z0-9]{8,}$")
ORG = re.compile(r"(?:^|/)(?:org)?(\d{4,})(?:/|$)", re.IGNORECASE)
MODULES_SCOPE_MISSING = (
    "Zoho refused to show Leads: the code was generated without the records scope. "
    f"In Zoho's API console open your Self Client, generate a new code with the scopes "
    f"{oauth.SCOPES} (both, comma-separated) and paste it."
)
USED_UP = " This code is now used up: generate a new one before trying again."
SCOPE_MISSING = (
    "Zoho refused to show the field list: the code was generated without the settings scope. "
    f"In Zoho's API console open your Self Client, generate a new code with the scopes "
    f"{oauth.SCOPES} (both, comma-separated) and paste it."
)
CONFIG_CHANGED = "Configuration changed"


class ConnectionProblem(Exception):
    """A configuration that cannot be saved: `message` says what to do, `field` where."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Health:
    """The outcome of `connection_check`: each check, and whether all passed."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def problem(self) -> str:
        return next((c.detail for c in self.checks if not c.ok), "")


@dataclass(frozen=True)
class _Settings:
    client_id: str
    client_secret: str
    org: str
    code: str
    dc: DataCenter
    crm_url: str
    filter_field: str
    filter_value: str


@dataclass
class _Verified:
    org_name: str = ""
    org_verified: bool = False
    fields: dict[str, list[dict]] = field(default_factory=dict)
    filter_field: str = ""


# ---- configure ---------------------------------------------------------------------------
def connection_update(*, workspace: Workspace, data: dict, actor=None) -> ZohoConnection:
    """Check a configuration against Zoho and save it, or raise ConnectionProblem.

    In order, stopping at the first problem: formats; the code exchange (or
    the saved refresh token when no code is given); the org; the field
    metadata of Leads and Contacts; the filter field. Nothing is stored unless
    every step passed; then everything is saved in one transaction, the field
    metadata handed to the mapping, and the workspace told a resync is due.
    Costs 5 Zoho calls with a new code (exchange, org, two field lists, one record read).
    """
    existing = connection_of(workspace)
    wanted = _clean(data, existing)
    session = new_session(pool_size=2)
    try:
        store, base, grant = _authorise(wanted, existing, session)
        cap = existing.max_concurrency if existing else 10
        limiter = limiter_for(wanted.org, cap, wait=SLOT_WAIT)
        client = ZohoClient(base, store, limiter=limiter, session=session, **INTERACTIVE)
        try:
            verified = _verify(wanted, client)
        except ConnectionProblem as problem:
            if grant:
                _revoke_quietly(session, wanted.dc, grant.refresh_token)
                raise ConnectionProblem(problem.message + USED_UP, field=problem.field) from None
            raise
        saved = _save(workspace, wanted, existing, store, base, grant, verified, actor)
    finally:
        session.close()
    if (
        grant
        and existing
        and existing.refresh_token
        and existing.refresh_token != grant.refresh_token
    ):
        _revoke_replaced(existing)
    return saved


def _clean(data: dict, existing: ZohoConnection | None) -> _Settings:
    """Formats only (no network): raises ConnectionProblem naming the field."""
    value = {k: str(data.get(k) or "").strip() for k in _FIELDS}
    dc = _data_center(value["domain"])
    client_id = _client_id(value["client_id"])
    same_client = bool(existing) and existing.client_id == client_id
    secret = value["client_secret"] or (existing.client_secret if same_client else "")
    if not secret:
        raise ConnectionProblem(
            "Enter the Client Secret shown next to the Client ID in Zoho's API console.",
            field="client_secret",
        )
    code = _code(value["code"], existing, same_client and existing.domain == dc.key)
    return _Settings(
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


def _data_center(key: str) -> DataCenter:
    try:
        return data_center(key.lower())
    except UnknownDataCenter:
        choices = ", ".join(data_centers())
        raise ConnectionProblem(
            f"Choose the domain found in your Zoho CRM address (one of {choices}).", field="domain"
        ) from None


def _client_id(text: str) -> str:
    if not CLIENT_ID.match(text):
        raise ConnectionProblem(
            "A Zoho Client ID looks like 1000.ABCD1234…: copy it from your Self Client in "
            "Zoho's API console.",
            field="client_id",
        )
    return text


def _code(text: str, existing: ZohoConnection | None, same_client_and_domain: bool) -> str:
    if text:
        if not CODE.match(text):
            raise ConnectionProblem(
                "A Zoho code looks like 1000.8cb9…​.4ef1…: in your Self Client click “View "
                "Code” and copy the whole code.",
                field="code",
            )
        return text
    if existing and existing.refresh_token and same_client_and_domain:
        return ""  # keep the saved connection
    if existing and existing.refresh_token:
        reason = "A new client or domain needs a new code"
    else:
        reason = "The first connection needs a code"
    raise ConnectionProblem(
        f"{reason}: in Zoho's API console open your Self Client, generate a code with the "
        f"scopes {oauth.SCOPES} and paste it here.",
        field="code",
    )


def _org(text: str) -> str:
    """`org5444456755445`; digits alone or a pasted CRM address are accepted too."""
    match = ORG.search(text.strip().rstrip("/")) if text else None
    if not match:
        raise ConnectionProblem(
            "Enter the org from your CRM address: “org” followed by digits, as in "
            "crm.zoho.eu/crm/org5444456755445/tab/… (copy org5444456755445).",
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
            f"For the “{dc.key}” domain the Zoho CRM URL is {dc.crm_url}: enter that (or leave "
            "the field empty). We only send your credentials to Zoho's own servers.",
            field="crm_url",
        ) from None


def _filter(name: str, value: str) -> dict:
    if bool(name) != bool(value):
        raise ConnectionProblem(
            "Fill in both the Zoho contact field and the Zoho contact value, or leave both empty "
            "to synchronise every contact.",
            field="filter_value" if name else "filter_field",
        )
    return {"filter_field": name, "filter_value": value}


def _authorise(
    wanted: _Settings, existing: ZohoConnection | None, session
) -> tuple[MemoryTokenStore, str, TokenGrant | None]:
    """A token store and the CRM base URL: from a new code, or from the saved refresh token."""
    if not wanted.code:
        credentials = Credentials(
            wanted.dc.accounts_url, wanted.client_id, wanted.client_secret, existing.refresh_token
        )
        same_secret = wanted.client_secret == existing.client_secret
        access = ConnectionTokenStore(existing.pk).current() if same_secret else None
        return MemoryTokenStore(credentials, access), _base(existing.api_domain, wanted.dc), None
    try:
        grant = oauth.exchange_code(
            session,
            wanted.dc,
            client_id=wanted.client_id,
            client_secret=wanted.client_secret,
            code=wanted.code,
            timeout=TIMEOUT,
        )
    except ZohoError as error:
        raise _exchange_problem(error, wanted.dc) from None
    try:
        base = _base(grant.api_domain or wanted.dc.api_url, wanted.dc)
    except ConnectionProblem as problem:
        _revoke_quietly(session, wanted.dc, grant.refresh_token)
        raise ConnectionProblem(problem.message + USED_UP) from None
    credentials = Credentials(
        wanted.dc.accounts_url, wanted.client_id, wanted.client_secret, grant.refresh_token
    )
    return MemoryTokenStore(credentials, grant.access), base, grant


def _base(api_domain: str, dc: DataCenter) -> str:
    try:
        return api_base(api_domain, dc)
    except UnsafeZohoUrl:
        raise ConnectionProblem(
            f"Zoho answered with an API address outside the “{dc.key}” data center. Check the "
            "Zoho domain: it must be the one in your Zoho CRM address."
        ) from None


def _exchange_problem(error: ZohoError, dc: DataCenter) -> ConnectionProblem:
    if isinstance(error, ZohoAuthError):
        return ConnectionProblem(
            error.message, field="code" if error.code == "invalid_code" else None
        )
    if isinstance(error, ZohoRateLimited):
        return ConnectionProblem(
            error.message + " If the code expires meanwhile, generate a new one."
        )
    if isinstance(error, ZohoNetworkError):
        return ConnectionProblem(
            f"Could not reach Zoho's accounts server {dc.accounts_host} for the “{dc.key}” domain. "
            "Check the domain, then try again in a minute (with a new code if this one expired)."
        )
    return ConnectionProblem(
        f"Zoho's accounts server {dc.accounts_host} did not accept the code: {error.message} "
        "Generate a new code and try again."
    )


def _verify(wanted: _Settings, client: ZohoClient) -> _Verified:
    verified = _Verified()
    try:
        _verify_org(wanted, client, verified)
        for module in MODULES:
            verified.fields[module] = client.fields(module)
    except ZohoScopeError:
        raise ConnectionProblem(SCOPE_MISSING, field="code") from None
    except ZohoAuthError as error:
        raise ConnectionProblem(error.message, field="code") from None
    except ZohoError as error:
        raise ConnectionProblem(
            f"Zoho did not answer as expected: {error.message} Nothing was saved; try again "
            "in a minute."
        ) from None
    try:
        # Without the records scope every sync would fail: one record read tells.
        client.request("GET", "Leads", params={"per_page": 1, "fields": "Email"})
    except ZohoScopeError:
        raise ConnectionProblem(MODULES_SCOPE_MISSING, field="code") from None
    except ZohoAuthError as error:
        raise ConnectionProblem(error.message, field="code") from None
    except ZohoError as error:
        raise ConnectionProblem(
            f"Zoho did not answer as expected: {error.message} Nothing was saved; try again "
            "in a minute."
        ) from None
    verified.filter_field = _verify_filter(wanted, verified.fields)
    return verified


def _verify_org(wanted: _Settings, client: ZohoClient, verified: _Verified) -> None:
    try:
        org = client.org()
    except ZohoScopeError:
        # The seed's scopes do not always cover GET /org: keep going, unverified.
        return
    actual = _org_of(org)
    verified.org_name = str(org.get("company_name") or "")
    if actual and actual != wanted.org:
        raise ConnectionProblem(
            f"This code belongs to the Zoho org {actual} ({verified.org_name or 'no name'}), "
            f"not {wanted.org}. Either correct the Zoho Org (it is in your CRM address: "
            f"crm.zoho.{wanted.dc.key}/crm/{actual}/tab/…), or sign in to the org "
            f"{wanted.org} in Zoho and generate the code there.",
            field="org",
        )
    verified.org_verified = bool(actual)


def _org_of(org: dict) -> str:
    """The `orgNNN` of Zoho's org reply (its domain_name, or "org" + its zgid)."""
    domain_name = str(org.get("domain_name") or "").lower()
    if re.fullmatch(r"org\d+", domain_name):
        return domain_name
    zgid = str(org.get("zgid") or "")
    return f"org{zgid}" if zgid.isdigit() else ""


def _verify_filter(wanted: _Settings, fields: dict[str, list[dict]]) -> str:
    """The filter field's API name (a label is accepted), checked in Leads and Contacts."""
    if not wanted.filter_field:
        return ""
    found = {m: field_named(fields[m], wanted.filter_field) for m in MODULES}
    present = {m: f for m, f in found.items() if f}
    if not present:
        raise ConnectionProblem(
            f"Zoho has no field “{wanted.filter_field}” in Leads or Contacts. Create it in Zoho "
            "(open a contact, click “Edit Page Layout”, add a “Single Line” field), or correct "
            "the name.",
            field="filter_field",
        )
    for module, meta in present.items():
        if meta.get("data_type") != SINGLE_LINE:
            raise ConnectionProblem(
                f"The Zoho field “{meta.get('api_name')}” of {module} is a "
                f"“{meta.get('data_type')}” field; the filter needs a “Single Line” field. "
                "Create a Single Line field in Zoho (Edit Page Layout) and enter its name.",
                field="filter_field",
            )
    return next(iter(present.values()))["api_name"]


def _save(workspace, wanted, existing, store, base, grant, verified, actor) -> ZohoConnection:
    now = timezone.now()
    access = store.current()
    minted = grant or store.minted
    with transaction.atomic():
        connection = ZohoConnection.objects.select_for_update().filter(
            workspace=workspace
        ).first() or ZohoConnection(workspace=workspace)
        connection.domain, connection.org = wanted.dc.key, wanted.org
        connection.org_name, connection.org_verified = verified.org_name, verified.org_verified
        connection.crm_url, connection.api_domain = wanted.crm_url, base.removesuffix("/crm/v2/")
        connection.client_id, connection.client_secret = wanted.client_id, wanted.client_secret
        if grant:
            connection.refresh_token, connection.connected_at = grant.refresh_token, now
            connection.scopes = grant.scope or _verified_scopes(verified)
        if access:
            connection.access_token = access.token
            connection.access_token_expires_at = access.expires_at
        if minted:
            connection.tokens_refreshed_at = now
        connection.filter_field, connection.filter_value = (
            verified.filter_field,
            wanted.filter_value,
        )
        connection.status, connection.last_error, connection.last_error_at = (
            ZohoConnection.Status.CONNECTED,
            "",
            None,
        )
        connection.last_checked_at, connection.updated_by = now, actor
        connection.save()
        for module in MODULES:
            zoho_fields_store(workspace=workspace, module=module, fields=verified.fields[module])
        workspace_mark_settings_changed(workspace=workspace, change=CONFIG_CHANGED)
    return connection


def _verified_scopes(verified: _Verified) -> str:
    scopes = ["ZohoCRM.settings.fields (field metadata read)"]
    if verified.org_verified:
        scopes.append("org read")
    return ", ".join(scopes)


def _revoke_quietly(session, dc: DataCenter, refresh_token: str | None) -> None:
    """A refresh token we will not keep: revoke it so it does not linger at Zoho."""
    if not refresh_token:
        return
    try:
        oauth.revoke(session, dc.accounts_url, refresh_token, timeout=TIMEOUT)
    except ZohoError as error:
        logger.warning("Could not revoke an unused Zoho refresh token: %s", error.message)


def _revoke_replaced(old: ZohoConnection) -> None:
    try:
        dc = data_center(old.domain)
    except UnknownDataCenter:
        return
    session = new_session(pool_size=1)
    try:
        _revoke_quietly(session, dc, old.refresh_token)
    finally:
        session.close()


# ---- check, refresh fields, disconnect ---------------------------------------------------
def client_for(connection: ZohoConnection, *, slot_wait: float = 300, **options) -> ZohoClient:
    """The client of a saved connection (what the sync uses); `options` go to ZohoClient.
    Raises ZohoAuthError when the connection's domain is not available on this server."""
    try:
        dc = data_center(connection.domain)
    except UnknownDataCenter:
        raise ZohoAuthError(
            f"This connection's Zoho domain “{connection.domain}” is not available here."
        ) from None
    return ZohoClient(
        api_base(connection.api_domain, dc),
        ConnectionTokenStore(connection.pk, known=_known_token(connection)),
        limiter=limiter_for(connection.org, connection.max_concurrency, wait=slot_wait),
        **options,
    )


def _known_token(connection: ZohoConnection) -> AccessToken | None:
    if not connection.access_token:
        return None
    return AccessToken(connection.access_token, connection.access_token_expires_at)


def connection_check(*, connection: ZohoConnection) -> Health:
    """Test connection: token, org, scopes (field metadata and records), filter field.

    Stores the fresh field metadata in the mapping, and the outcome on the
    connection (`connected`, or `needs_reconnect`/`error` with the last error).
    """
    health = Health()
    client = client_for(connection, slot_wait=SLOT_WAIT, **INTERACTIVE)
    step, org = "Token", None
    try:
        org = _check_org(connection, client, health)
        step = "Field metadata"
        fields = _read_fields(connection, client)
        health.checks.append(Check(step, True, "Leads and Contacts field lists read."))
        step = "Records"
        client.request("GET", "Leads", params={"per_page": 1, "fields": "Email"})
        health.checks.append(Check(step, True, "Leads can be read (ZohoCRM.modules scope)."))
        _check_filter(connection, fields, health)
    except ZohoError as error:
        detail = SCOPE_MISSING if isinstance(error, ZohoScopeError) else error.message
        health.checks.append(Check(step, False, detail))
        _record_failure(connection, error, detail)
        return health
    finally:
        client.close()
    if health.ok:
        _record_success(connection, org, scopes="ZohoCRM.settings.fields, ZohoCRM.modules")
    else:
        _record_failure(connection, None, health.problem)
    return health


def _check_org(connection: ZohoConnection, client: ZohoClient, health: Health) -> dict | None:
    try:
        org = client.org()
    except ZohoScopeError:
        health.checks.append(Check("Token", True, "Zoho accepted the connection's token."))
        health.checks.append(Check("Org", True, "Not verified: the code's scopes exclude it."))
        return None
    health.checks.append(Check("Token", True, "Zoho accepted the connection's token."))
    actual = _org_of(org)
    if actual and actual != connection.org:
        health.checks.append(
            Check("Org", False, f"The token belongs to the org {actual}, not {connection.org}.")
        )
    else:
        health.checks.append(Check("Org", True, f"{connection.org} ({org.get('company_name')})."))
    return org


def _check_filter(connection: ZohoConnection, fields: dict, health: Health) -> None:
    if not connection.filter_field:
        return
    metas = [field_named(fields[m], connection.filter_field) for m in MODULES]
    if not any(metas):
        health.checks.append(
            Check("Filter field", False, f"Zoho has no field “{connection.filter_field}” any more.")
        )
    elif any(m and m.get("data_type") != SINGLE_LINE for m in metas):
        health.checks.append(
            Check("Filter field", False, f"“{connection.filter_field}” is no longer Single Line.")
        )
    else:
        health.checks.append(Check("Filter field", True, f"{connection.filter_field} exists."))


def _read_fields(connection: ZohoConnection, client: ZohoClient) -> dict[str, list[dict]]:
    fields = {module: client.fields(module) for module in MODULES}
    with transaction.atomic():
        for module in MODULES:
            zoho_fields_store(workspace=connection.workspace, module=module, fields=fields[module])
    return fields


def connection_refresh_fields(*, connection: ZohoConnection) -> dict[str, int]:
    """Read Leads and Contacts field metadata again and hand it to the mapping.

    Returns the number of fields per module; raises ConnectionProblem.
    """
    client = client_for(connection, slot_wait=SLOT_WAIT, **INTERACTIVE)
    try:
        fields = _read_fields(connection, client)
    except ZohoError as error:
        detail = SCOPE_MISSING if isinstance(error, ZohoScopeError) else error.message
        _record_failure(connection, error, detail)
        raise ConnectionProblem(detail) from None
    finally:
        client.close()
    return {module: len(items) for module, items in fields.items()}


def connection_disconnect(*, connection: ZohoConnection, actor=None) -> bool:
    """Revoke the refresh token at Zoho and delete both tokens. Returns whether Zoho
    confirmed the revocation (when it could not be reached the tokens are deleted
    anyway, and the caller tells the user to remove the client in Zoho)."""
    revoked = False
    if connection.refresh_token:
        client = client_for(connection, slot_wait=SLOT_WAIT, **INTERACTIVE)
        try:
            client.revoke()
            revoked = True
        except ZohoError as error:
            logger.warning("Zoho did not confirm revoking workspace %s's token: %s",
                           connection.workspace_id, error.message)  # fmt: skip
        finally:
            client.close()
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    ZohoConnection.objects.filter(pk=connection.pk).update(
        refresh_token="",
        access_token="",
        access_token_expires_at=None,
        status=ZohoConnection.Status.NEEDS_RECONNECT,
        last_error=f"Disconnected on {when}. To reconnect, generate a new code in Zoho's API "
        "console (Self Client), paste it and click “Update your configuration”.",
        last_error_at=timezone.now(),
        updated_by=actor,
        updated_at=timezone.now(),
    )
    connection.refresh_from_db()
    return revoked


def _record_success(connection: ZohoConnection, org: dict | None, *, scopes: str) -> None:
    updates = {
        "status": ZohoConnection.Status.CONNECTED,
        "last_error": "",
        "last_error_at": None,
        "last_checked_at": timezone.now(),
        "scopes": scopes,
        "updated_at": timezone.now(),
    }
    if org:
        updates.update(org_name=str(org.get("company_name") or ""), org_verified=True)
    ZohoConnection.objects.filter(pk=connection.pk).update(**updates)
    connection.refresh_from_db()


def _record_failure(connection: ZohoConnection, error: ZohoError | None, detail: str) -> None:
    reconnect = isinstance(error, (ZohoAuthError, ZohoScopeError))
    status = ZohoConnection.Status.NEEDS_RECONNECT if reconnect else ZohoConnection.Status.ERROR
    now = timezone.now()
    ZohoConnection.objects.filter(pk=connection.pk).update(
        status=status, last_error=detail, last_error_at=now, last_checked_at=now, updated_at=now
    )
    connection.refresh_from_db()
