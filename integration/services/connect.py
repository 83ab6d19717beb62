"""Connecting a workspace to Zoho CRM: check a configuration against Zoho and save it.

Every path that changes a connection goes through here (the page, the
commands, the admin), so they share one set of checks and messages.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.audit import ADDITION, CHANGE, audit_log, change_line
from accounts.models import Workspace
from accounts.services import workspace_mark_settings_changed
from integration.checks import (
    ConnectionProblem,
    Settings,
    settings_cleaned,
)
from integration.clients import INTERACTIVE, SLOT_WAIT, TIMEOUT
from integration.limits import limiter_for
from integration.models import PendingGrant, ZohoConnection
from integration.selectors.connection import connection_of, pending_grant_of
from integration.services.verification import verified_scopes, verify
from integration.token_store import ConnectionTokenStore
from integration.zoho import oauth
from integration.zoho.client import ZohoClient, new_session
from integration.zoho.domains import (
    CRM_PATH,
    DataCenter,
    UnknownDataCenter,
    UnsafeZohoUrl,
    api_base,
    data_center,
)
from integration.zoho.editions import ALLOWANCES, Edition
from integration.zoho.errors import (
    ZohoAuthError,
    ZohoError,
    ZohoNetworkError,
    ZohoRateLimited,
)
from integration.zoho.tokens import AccessToken, Credentials, MemoryTokenStore, TokenGrant
from mapping.models import Module
from mapping.services import zoho_fields_store

logger = logging.getLogger(__name__)

USED_UP = gettext_noop("This code is now used up: generate a new one before trying again.")
KEPT = gettext_noop(
    "Your code is not lost: Plezi keeps what Zoho gave for it for an hour. Correct this and "
    "click “Update your configuration” again, leaving the Client Secret and the Zoho code empty."
)
# Stored as is; the resync banner translates it when shown.
CONFIG_CHANGED = gettext_noop("Configuration changed")


# ---- configure ---------------------------------------------------------------------------
def connection_update(*, workspace: Workspace, data: dict, actor=None) -> ZohoConnection:
    """Check a configuration against Zoho and save it, or raise ConnectionProblem.

    In order, stopping at the first problem: formats (all before the code is
    exchanged); the code exchange (or, without a code, the tokens a previous try
    left waiting, else the saved refresh token); the org; the field metadata of
    Leads and Contacts; the filter field. Nothing is stored unless every step
    passed; then everything is saved in one transaction, the field metadata
    handed to the mapping, and the workspace told a resync is due. When a check
    after the exchange fails for a reason that is not the code's (org, filter
    field, Zoho busy), the tokens wait in a PendingGrant for the next try.
    Costs 5 Zoho calls with a new code (exchange, org, two field lists, one record read).
    """
    existing = connection_of(workspace)
    pending = _pending_fresh(workspace)
    try:
        wanted = settings_cleaned(data, existing, pending)
    except ConnectionProblem as problem:
        problem.code_unused = True
        raise
    session = new_session(pool_size=2)
    try:
        store, base, grant = _authorise(wanted, existing, pending, session)
        cap = existing.max_concurrency if existing else 10
        limiter = limiter_for(wanted.org, cap, wait=SLOT_WAIT)
        client = ZohoClient(base, store, limiter=limiter, session=session, **INTERACTIVE)
        try:
            verified = verify(wanted, client)
        except ConnectionProblem as problem:
            if grant:
                raise _after_exchange(problem, workspace, wanted, grant, store, session) from None
            raise
        saved = _save(workspace, wanted, existing, store, base, grant, verified, actor)
    finally:
        session.close()
    if pending and not wanted.use_pending:  # replaced by this save's tokens
        _revoke_later(pending.domain, pending.refresh_token)
    if (
        grant
        and existing
        and existing.refresh_token
        and existing.refresh_token != grant.refresh_token
    ):
        _revoke_later(existing.domain, existing.refresh_token)
    return saved


def _after_exchange(
    problem: ConnectionProblem, workspace, wanted: Settings, grant: TokenGrant, store, session
) -> ConnectionProblem:
    """A check after the exchange failed: keep the tokens unless the code is at fault."""
    if problem.field == "code":  # refused token or missing scope: only a new code helps
        _revoke_quietly(session, wanted.dc, grant.refresh_token)
        PendingGrant.objects.filter(workspace=workspace).delete()
        return ConnectionProblem(f"{problem.message} {gettext(USED_UP)}", field=problem.field)
    _pending_keep(workspace, wanted, grant, store.current())
    return ConnectionProblem(f"{problem.message} {gettext(KEPT)}", field=problem.field)


def _pending_fresh(workspace: Workspace) -> PendingGrant | None:
    """The waiting tokens if still fresh; older ones are revoked and forgotten."""
    pending = PendingGrant.objects.filter(workspace=workspace).first()
    if pending is None or pending_grant_of(workspace) is not None:
        return pending
    _revoke_later(pending.domain, pending.refresh_token)
    pending.delete()
    return None


def _pending_keep(workspace, wanted: Settings, grant: TokenGrant, access) -> None:
    old = PendingGrant.objects.filter(workspace=workspace).first()
    fresh = not old or old.refresh_token != grant.refresh_token
    if old and fresh:
        _revoke_later(old.domain, old.refresh_token)
    PendingGrant.objects.update_or_create(
        workspace=workspace,
        defaults={
            "client_id": wanted.client_id,
            "domain": wanted.dc.key,
            "client_secret": wanted.client_secret,
            "refresh_token": grant.refresh_token,
            "access_token": access.token if access else "",
            "access_token_expires_at": access.expires_at if access else None,
            "api_domain": grant.api_domain or "",
            "scope": grant.scope or "",
            **({"created_at": timezone.now()} if fresh else {}),
        },
    )


def _authorise(
    wanted: Settings, existing: ZohoConnection | None, pending: PendingGrant | None, session
) -> tuple[MemoryTokenStore, str, TokenGrant | None]:
    """A token store and the CRM base URL: from a new code, from the tokens a previous
    try left waiting, or from the saved refresh token."""
    if wanted.use_pending:
        return _authorise_pending(wanted, pending)
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
        raise ConnectionProblem(f"{problem.message} {gettext(USED_UP)}") from None
    credentials = Credentials(
        wanted.dc.accounts_url, wanted.client_id, wanted.client_secret, grant.refresh_token
    )
    return MemoryTokenStore(credentials, grant.access), base, grant


def _authorise_pending(
    wanted: Settings, pending: PendingGrant
) -> tuple[MemoryTokenStore, str, TokenGrant]:
    access = None
    if pending.access_token:
        access = AccessToken(pending.access_token, pending.access_token_expires_at)
    grant = TokenGrant(
        access_token=pending.access_token,
        expires_at=pending.access_token_expires_at,
        refresh_token=pending.refresh_token,
        api_domain=pending.api_domain or None,
        scope=pending.scope or None,
    )
    credentials = Credentials(
        wanted.dc.accounts_url, wanted.client_id, pending.client_secret, pending.refresh_token
    )
    base = _base(pending.api_domain or wanted.dc.api_url, wanted.dc)
    return MemoryTokenStore(credentials, access), base, grant


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
        if verified.edition:
            _set_edition(connection, verified.edition)
        connection.crm_url, connection.api_domain = wanted.crm_url, base.removesuffix(CRM_PATH)
        connection.client_id, connection.client_secret = wanted.client_id, wanted.client_secret
        if grant:
            connection.refresh_token, connection.connected_at = grant.refresh_token, now
            connection.scopes = grant.scope or verified_scopes(verified)
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
        for module in Module.values:
            zoho_fields_store(workspace=workspace, module=module, fields=verified.fields[module])
        PendingGrant.objects.filter(workspace=workspace).delete()
        workspace_mark_settings_changed(workspace=workspace, change=CONFIG_CHANGED)
        audit_log(
            actor=actor,
            obj=connection,
            action=CHANGE if existing else ADDITION,
            changes=_connection_changes(existing, connection, reconnected=bool(grant)),
        )
    return connection


# What the audit trail compares, with the page's labels. Secrets are only named.
_AUDITED = (
    ("domain", gettext_noop("Zoho domain")),
    ("org", gettext_noop("Zoho Org")),
    ("crm_url", gettext_noop("Zoho CRM URL")),
    ("client_id", gettext_noop("Zoho Client")),
    ("filter_field", gettext_noop("Zoho contact field")),
    ("filter_value", gettext_noop("Zoho contact value")),
)


def _connection_changes(
    before: ZohoConnection | None, after: ZohoConnection, *, reconnected: bool
) -> list[str]:
    if before is None:
        return [
            gettext("Connected Zoho CRM org %(org)s (%(domain)s).")
            % {"org": after.org, "domain": after.domain}
        ]
    lines = [
        change_line(gettext(label), getattr(before, name), getattr(after, name))
        for name, label in _AUDITED
        if getattr(before, name) != getattr(after, name)
    ]
    if before.client_secret != after.client_secret:
        lines.append(gettext("Zoho Client Secret changed."))
    if reconnected:
        lines.append(gettext("Reconnected with a new Zoho code."))
    return lines or [gettext("Configuration checked again, nothing changed.")]


def connection_limits_update(
    *, connection: ZohoConnection, edition: str, daily_credit_cap: int | None, actor=None
) -> ZohoConnection:
    """The org's Zoho edition (its calls in flight) and the sync's own daily credit cap."""
    before = (connection.get_edition_display(), connection.daily_credit_cap)
    _set_edition(connection, Edition(edition))
    connection.daily_credit_cap, connection.updated_by = daily_credit_cap, actor
    with transaction.atomic():
        connection.save(
            update_fields=[
                "edition",
                "max_concurrency",
                "daily_credit_cap",
                "updated_by",
                "updated_at",
            ]
        )
        after = (connection.get_edition_display(), connection.daily_credit_cap)
        labels = (gettext("Zoho CRM edition"), gettext("Daily credit cap for the sync"))
        changes = [
            change_line(label, old, new)
            for label, old, new in zip(labels, before, after, strict=True)
            if old != new
        ]
        audit_log(actor=actor, obj=connection, action=CHANGE, changes=changes)
    return connection


def _set_edition(connection: ZohoConnection, edition: Edition) -> None:
    connection.edition, connection.max_concurrency = edition, ALLOWANCES[edition].concurrency


def _revoke_quietly(session, dc: DataCenter, refresh_token: str | None) -> None:
    """A refresh token we will not keep: revoke it so it does not linger at Zoho."""
    if not refresh_token:
        return
    try:
        oauth.revoke(session, dc.accounts_url, refresh_token, timeout=TIMEOUT)
    except ZohoError as error:
        logger.warning("Could not revoke an unused Zoho refresh token: %s", error.message)


def _revoke_later(domain: str, refresh_token: str) -> None:
    """Revoke a token no longer kept, on a session of its own."""
    try:
        dc = data_center(domain)
    except UnknownDataCenter:
        return
    session = new_session(pool_size=1)
    try:
        _revoke_quietly(session, dc, refresh_token)
    finally:
        session.close()
