"""A saved connection: test it, read its fields again, disconnect it.

`connection_record_check` is the one writer of the connection's last-check
status (`status`, `last_error`, `last_checked_at`).
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.audit import CHANGE, audit_log
from integration.checks import (
    ORG_NOT_CHECKED,
    ConnectionProblem,
    filter_fields,
    is_single_line,
    needs_reconnect,
    other_org,
    scope_detail,
)
from integration.clients import interactive_client_for, read_one_lead
from integration.models import ZohoConnection
from integration.zoho.client import ZohoClient
from integration.zoho.errors import ZohoError, ZohoScopeError
from mapping.models import Module
from mapping.services import zoho_fields_store

logger = logging.getLogger(__name__)


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


def connection_check(*, connection: ZohoConnection) -> Health:
    """Test connection: token, org, scopes (field metadata and records), filter field.

    Stores the fresh field metadata in the mapping, and the outcome on the
    connection (`connected`, or `needs_reconnect`/`error` with the last error).
    """
    health = Health()
    client = interactive_client_for(connection)
    step, org = "Token", None
    try:
        org = _check_org(connection, client, health)
        step = "Field metadata"
        fields = read_fields(connection, client)
        health.checks.append(Check(step, True, "Leads and Contacts field lists read."))
        step = "Records"
        read_one_lead(client)
        health.checks.append(Check(step, True, "Leads can be read (ZohoCRM.modules scope)."))
        _check_filter(connection, fields, health)
    except ZohoError as error:
        detail = scope_detail(error)
        health.checks.append(Check(step, False, detail))
        connection_record_check(connection=connection, error=error, detail=detail)
        return health
    finally:
        client.close()
    if health.ok:
        _record_success(connection, org, scopes="ZohoCRM.settings.fields, ZohoCRM.modules")
    else:
        connection_record_check(connection=connection, detail=health.problem)
    return health


def _check_org(connection: ZohoConnection, client: ZohoClient, health: Health) -> dict | None:
    try:
        org = client.org()
    except ZohoScopeError:
        health.checks.append(Check("Token", True, "Zoho accepted the connection's token."))
        health.checks.append(Check("Org", True, str(ORG_NOT_CHECKED)))
        return None
    health.checks.append(Check("Token", True, "Zoho accepted the connection's token."))
    actual = other_org(org, connection.org)
    if actual:
        health.checks.append(
            Check("Org", False, f"The token belongs to the org {actual}, not {connection.org}.")
        )
    else:
        health.checks.append(Check("Org", True, f"{connection.org} ({org.get('company_name')})."))
    return org


def _check_filter(connection: ZohoConnection, fields: dict, health: Health) -> None:
    if not connection.filter_field:
        return
    present = filter_fields(fields, connection.filter_field)
    if not present:
        health.checks.append(
            Check("Filter field", False, f"Zoho has no field “{connection.filter_field}” any more.")
        )
    elif not all(is_single_line(meta) for meta in present.values()):
        health.checks.append(
            Check("Filter field", False, f"“{connection.filter_field}” is no longer Single Line.")
        )
    else:
        health.checks.append(Check("Filter field", True, f"{connection.filter_field} exists."))


def read_fields(connection: ZohoConnection, client: ZohoClient) -> dict[str, list[dict]]:
    """Leads and Contacts field metadata from Zoho, stored in the mapping."""
    fields = {module: client.fields(module) for module in Module.values}
    with transaction.atomic():
        for module in Module.values:
            zoho_fields_store(workspace=connection.workspace, module=module, fields=fields[module])
    return fields


def connection_refresh_fields(*, connection: ZohoConnection) -> dict[str, int]:
    """Read Leads and Contacts field metadata again and hand it to the mapping.

    Returns the number of fields per module; raises ConnectionProblem.
    """
    client = interactive_client_for(connection)
    try:
        fields = read_fields(connection, client)
    except ZohoError as error:
        detail = scope_detail(error)
        connection_record_check(connection=connection, error=error, detail=detail)
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
        client = interactive_client_for(connection)
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
    audit_log(
        actor=actor,
        obj=connection,
        action=CHANGE,
        changes=[gettext("Disconnected Zoho CRM: its tokens are revoked and deleted.")],
    )
    return revoked


def _record_success(connection: ZohoConnection, org: dict | None, *, scopes: str) -> None:
    extra = {"scopes": scopes}
    if org:
        extra.update(org_name=str(org.get("company_name") or ""), org_verified=True)
    connection_record_check(connection=connection, **extra)


def connection_record_check(
    *,
    connection: ZohoConnection,
    error: ZohoError | None = None,
    detail: str = "",
    **extra,
) -> None:
    """Store the outcome of a check: connected when `detail` is empty, else the error
    (`needs_reconnect` when only a new code helps). `extra` fields are saved too."""
    now = timezone.now()
    if not detail:
        status, error_at = ZohoConnection.Status.CONNECTED, None
    else:
        reconnect = needs_reconnect(error)
        status = ZohoConnection.Status.NEEDS_RECONNECT if reconnect else ZohoConnection.Status.ERROR
        error_at = now
    ZohoConnection.objects.filter(pk=connection.pk).update(
        status=status,
        last_error=detail,
        last_error_at=error_at,
        last_checked_at=now,
        updated_at=now,
        **extra,
    )
    connection.refresh_from_db()
