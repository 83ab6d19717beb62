"""The soak's starting point: Zoho fields, workspaces connected as a marketer would, data.

Every workspace is one Plezi customer connected to the one sandbox org through its own
self client. The seed's filter ("Zoho contact field" soak_ws = the workspace's slug)
keeps each workspace to its own leads; leads of no workspace ("elsewhere") must never
be pulled. Emails embed the slug, so no email is shared between workspaces.
"""

import secrets
from dataclasses import dataclass, field

from accounts.models import Membership, Workspace
from accounts.services import membership_grant, user_ensure, workspace_create
from contacts.models import Field
from contacts.services import contacts_upsert, form_save
from integration.services import connection_update
from soak.ledger import Ledger
from zoho_sandbox.testing import SandboxHandle

FILTER_FIELD, OUT_OF_SCOPE = "soak_ws", "elsewhere"
ZOHO_FIELDS = [
    ("Leads", "plezi_url", "text"),
    ("Leads", "score", "text"),
    ("Leads", "status", "text"),
    ("Leads", FILTER_FIELD, "text"),
    ("Contacts", FILTER_FIELD, "text"),
]
FORM_FIELDS = ["first_name", "last_name", "company", "city", "phone"]


@dataclass
class Tenant:
    """One workspace and what the workload needs to act in it."""

    slug: str
    workspace_id: int
    email: str
    password: str = field(repr=False)
    form_token: str


def build(sandbox: SandboxHandle, ledger: Ledger, *, workspaces: int, contacts: int, leads: int):
    for module, api_name, data_type in ZOHO_FIELDS:
        sandbox.add_field(module, api_name, api_name, data_type, length=255)
    # As the admin who made the Contacts twin would: conversion copies only mapped fields.
    sandbox.set_conversion_mapping({FILTER_FIELD: FILTER_FIELD})
    tenants = [_tenant(sandbox, n) for n in range(workspaces)]
    for tenant in tenants:
        _seed_plezi(tenant, ledger, contacts)
        _seed_zoho(sandbox, tenant, ledger, leads)
    _seed_elsewhere(sandbox, ledger, leads // 4)
    return tenants


def _tenant(sandbox: SandboxHandle, n: int) -> Tenant:
    slug = f"soak{n}"
    workspace, _ = workspace_create(slug=slug, name=f"Soak {n}")
    email, password = f"marketer@{slug}.test", secrets.token_urlsafe(16)
    user, _ = user_ensure(email=email, password=password)
    membership_grant(workspace=workspace, user=user, role=Membership.Role.ADMIN)
    fields = Field.objects.for_workspace(workspace).filter(key__in=FORM_FIELDS)
    form = form_save(
        workspace=workspace, name="Newsletter", fields=fields, thank_you_message="Thanks!"
    )
    connection_update(workspace=workspace, data=_configuration(sandbox, slug))
    return Tenant(slug, workspace.pk, email, password, form.token)


def _configuration(sandbox: SandboxHandle, slug: str) -> dict:
    """What the marketer types after following the seed's steps in Zoho's console."""
    client_id, client_secret = sandbox.create_client()
    return {
        "client_id": client_id,
        "client_secret": client_secret,
        "org": sandbox.org()["domain_name"],
        "code": sandbox.create_code(client_id, minutes=10),
        "domain": "sandbox",
        "crm_url": sandbox.crm_url,
        "filter_field": FILTER_FIELD,
        "filter_value": slug,
    }


def _seed_plezi(tenant: Tenant, ledger: Ledger, count: int) -> None:
    rows = []
    for _ in range(count):
        email = ledger.new_email(tenant.slug, "plezi")
        # A few contacts without a last name: Zoho refuses them, so each must show as an issue.
        last = "" if ledger.rng.random() < 0.03 else ledger.value("last_name")
        row = {"email": email, "first_name": ledger.value("first_name"), "last_name": last}
        row.update({key: ledger.value(key) for key in ("company", "city", "phone")})
        rows.append(row)
        ledger.plezi_wrote(tenant.slug, email, row, origin="seed")
    workspace = Workspace.objects.get(pk=tenant.workspace_id)
    report = contacts_upsert(workspace=workspace, rows=enumerate(rows, start=2))
    assert report.failed == 0, report.errors


def _seed_zoho(sandbox: SandboxHandle, tenant: Tenant, ledger: Ledger, count: int) -> None:
    records = [ledger.new_lead(tenant.slug) for _ in range(count)]
    # A lead with no email: never synced, reported as skipped on the run that reads it.
    records.append({"Last_Name": "Nomail", FILTER_FIELD: tenant.slug})
    ids = sandbox.create_records("Leads", records)
    for record, lead_id in zip(records, ids, strict=True):
        if record.get("Email"):
            ledger.zoho_created(tenant.slug, record, lead_id)


def _seed_elsewhere(sandbox: SandboxHandle, ledger: Ledger, count: int) -> None:
    """Leads of no workspace (the filter value matches none): they must stay in Zoho only."""
    records = [ledger.new_lead(OUT_OF_SCOPE) for _ in range(count)]
    if records:
        sandbox.create_records("Leads", records)
