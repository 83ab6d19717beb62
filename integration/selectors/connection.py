"""Reads about a workspace's Zoho connection, for pages, commands and the sync."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Workspace
from contacts.models import Form
from contacts.selectors import fields_of
from integration.checks import ORG_NOT_CHECKED, field_named, is_single_line
from integration.models import PendingGrant, ZohoConnection
from integration.selectors.sync import credits_spent
from integration.zoho.domains import DataCenter, UnknownDataCenter, data_center
from integration.zoho.editions import ALLOWANCES, Allowance
from mapping.models import FieldMapping, Module, ZohoFieldSet
from mapping.rules import LEADS, PLEZI_URL_API, SPECIAL, TO_ZOHO, PleziSpec, check_pair
from mapping.selectors import plezi_spec, plezi_url_api

# "unknown": Zoho's fields not read yet.
LeadFieldState = Literal["present", "missing", "wrong_type", "unknown"]


@dataclass(frozen=True)
class LeadField:
    """A custom Leads field the seed asks the customer to create in Zoho."""

    name: str
    required: bool
    purpose: str
    state: LeadFieldState = "missing"
    found_type: str = ""

    @property
    def present(self) -> bool:
        return self.state == "present"


# The seed: "Fields you must create in Zoho for a LEAD": plezi_url; and, to send
# them, score and status (all text-type).
LEAD_FIELDS = (
    LeadField("plezi_url", True, _("lets your sales reps open the contact's Plezi record")),
    LeadField("score", False, _("receives the Plezi behaviour_score (0 to 50)")),
    LeadField("status", False, _("receives the Plezi state (Closed, Accepted, Engaged…)")),
)


@dataclass
class ConnectionState:
    """What the Zoho CRM page shows about a workspace's connection."""

    connection: ZohoConnection | None
    data_center: DataCenter | None = None
    lead_fields: list[LeadField] = field(default_factory=list)
    fields_fetched_at: datetime | None = None
    filter_missing_in: list[str] = field(default_factory=list)
    credits_last_24h: int = 0  # spent by the sync, as Zoho prices calls

    @property
    def edition_allowance(self) -> Allowance | None:
        return ALLOWANCES.get(self.connection.edition) if self.connection else None

    @property
    def connected(self) -> bool:
        return bool(self.connection and self.connection.refresh_token)

    @property
    def org_not_checked(self) -> str:
        """Why the org is unverified and how to have it checked; empty once verified."""
        return "" if not self.connection or self.connection.org_verified else ORG_NOT_CHECKED

    @property
    def missing_required(self) -> list[LeadField]:
        return [f for f in self.lead_fields if f.required and not f.present]


def connection_of(workspace: Workspace) -> ZohoConnection | None:
    return ZohoConnection.objects.for_workspace(workspace).first()


def connected_workspace_ids() -> Iterable[int]:
    """Workspaces whose connection a scheduled sync may use."""
    return (
        ZohoConnection.objects.exclude(refresh_token="")
        .exclude(status=ZohoConnection.Status.NEEDS_RECONNECT)
        .values_list("workspace_id", flat=True)
    )


def connection_state(workspace: Workspace) -> ConnectionState:
    connection = connection_of(workspace)
    state = ConnectionState(connection)
    if connection is None:
        return state
    try:
        state.data_center = data_center(connection.domain)
    except UnknownDataCenter:
        state.data_center = None
    state.credits_last_24h = credits_spent(workspace)
    sets = {s.module: s for s in ZohoFieldSet.objects.for_workspace(workspace)}
    leads = sets.get(Module.LEADS)
    state.fields_fetched_at = leads.fetched_at if leads else None
    specials = _special_specs(workspace) if leads else {}
    state.lead_fields = [_lead_field(spec, leads, specials) for spec in LEAD_FIELDS]
    if connection.filter_field:
        state.filter_missing_in = [
            module
            for module in Module.values
            if module in sets and not field_named(sets[module].fields, connection.filter_field)
        ]
    return state


def _special_specs(workspace: Workspace) -> dict[str, PleziSpec]:
    """{Zoho field: the Plezi field the mapping sends there}: score and status."""
    return {SPECIAL[f.key]: plezi_spec(f) for f in fields_of(workspace) if f.key in SPECIAL}


def _lead_field(
    spec: LeadField, field_set: ZohoFieldSet | None, specials: dict[str, PleziSpec]
) -> LeadField:
    if field_set is None:
        return LeadField(spec.name, spec.required, spec.purpose, "unknown")
    meta = field_named(field_set.fields, spec.name)
    if meta is None:
        return spec
    data_type = str(meta.get("data_type") or "")
    state = "present" if _usable(spec, meta, field_set, specials) else "wrong_type"
    return LeadField(spec.name, spec.required, spec.purpose, state, data_type)


def _usable(spec: LeadField, meta: dict, field_set: ZohoFieldSet, specials) -> bool:
    # The rules the mapping page and the sync apply, so the pages give one verdict:
    # plezi_url takes a writable text, long text or website field; score and status
    # whatever the mapping accepts for the Plezi field sent there.
    if spec.name == PLEZI_URL_API:
        return plezi_url_api(field_set.by_api_name()) is not None
    if spec.name in specials:
        check = check_pair(LEADS, specials[spec.name], str(meta.get("api_name")), meta)
        return check.allows(TO_ZOHO)
    return is_single_line(meta)


# Long enough to correct a field, short enough that forgotten tokens do not linger.
PENDING_TTL = timedelta(hours=1)


def pending_grant_of(workspace: Workspace) -> PendingGrant | None:
    """Tokens a failed configuration left waiting, while still fresh (PENDING_TTL)."""
    since = timezone.now() - PENDING_TTL
    return PendingGrant.objects.for_workspace(workspace).filter(created_at__gte=since).first()


RECENT_CHANGES = 10


def recent_changes(workspace: Workspace, limit: int = RECENT_CHANGES) -> list[LogEntry]:
    """The workspace's latest audit rows: its connection, mapping and forms, newest first.

    Scoped by object: LogEntry has no workspace, so only rows about this workspace's
    own objects (and the workspace itself, which keeps deleted forms' rows) are read.
    """
    owned = [
        (Workspace, [workspace.pk]),
        (
            ZohoConnection,
            ZohoConnection.objects.for_workspace(workspace).values_list("pk", flat=True),
        ),
        (FieldMapping, FieldMapping.objects.for_workspace(workspace).values_list("pk", flat=True)),
        (Form, Form.objects.for_workspace(workspace).values_list("pk", flat=True)),
    ]
    scope = Q(pk__in=[])
    for model, ids in owned:
        keys = [str(pk) for pk in ids]
        scope |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=keys)
    return list(
        LogEntry.objects.filter(scope).select_related("user").order_by("-action_time")[:limit]
    )
