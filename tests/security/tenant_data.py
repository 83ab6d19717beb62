"""Workspace A full of real data, workspace B beside it, and a way to prove A was not written.

Everything of A is made through the services the product itself uses, so
every URL kwarg of the sweep (a contact, a field, a form, a sync run with an
issue, the Zoho connection and its mapping) names a real row of A.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models.functions import Cast

from accounts.models import Invitation, Membership, Workspace
from accounts.services import (
    invitation_create,
    membership_grant,
    user_ensure,
    workspace_create,
)
from contacts.models import Contact, ContactImport, Field, Form
from contacts.selectors import fields_of
from contacts.services import contacts_upsert, field_create, form_save
from integration.models import SyncIssue, SyncRun, ZohoConnection
from integration.services import connection_update
from integration.sync.runner import sync_run
from mapping.models import Module
from mapping.selectors import mapping_page
from tests.helpers.zoho import form_data
from zoho_sandbox.testing import SandboxHandle

# The same slugs as the suite's `workspace` and `other_workspace` fixtures, so
# `member_client` and `outsider_client` are members of these very workspaces.
SLUG_A, SLUG_B = "acme", "globex"
# A has people from the start, as the `owner` and `member` fixtures make them:
# an access check that forgot the user would find their memberships.
MEMBERS_OF_A = [
    ("owner@acme.test", Membership.Role.ADMIN),
    ("member@acme.test", Membership.Role.MEMBER),
]

# Tables only admins may write: what a workspace syncs and how, its public forms
# (websites embed them) and its team. Contacts are everyday work of every member.
ADMIN_TABLES = {
    "accounts.Workspace",
    "accounts.Membership",
    "accounts.Invitation",
    "contacts.Field",
    "contacts.Form",
    "contacts.Form_fields",
    "mapping.FieldMapping",
    "mapping.ZohoFieldSet",
    "integration.ZohoConnection",
}


@dataclass
class Tenants:
    a: Workspace
    b: Workspace
    membership: Membership  # the plain member's
    invitation: Invitation
    contact: Contact
    field: Field
    form: Form
    b_form: Form
    csv_import: ContactImport
    connection: ZohoConnection
    run: SyncRun
    issue: SyncIssue
    sandbox: SandboxHandle
    # Text only A's pages hold: none of it may reach anyone outside A.
    markers: list[str] = field(default_factory=list)

    def secrets(self) -> list[str]:
        """A's Zoho secrets as stored (decrypted): never to be rendered anywhere."""
        connection = ZohoConnection.objects.get(pk=self.connection.pk)
        values = [connection.client_secret, connection.refresh_token, connection.access_token]
        assert all(values), "workspace A's connection should hold a secret and both tokens"
        return values


def tenants_create(sandbox: SandboxHandle) -> Tenants:
    """Workspace A connected to the sandbox, with contacts, a field, a form and a run."""
    a = workspace_create(slug=SLUG_A, name="Acme")[0]
    b = workspace_create(slug=SLUG_B, name="Globex")[0]
    memberships = {
        role: membership_grant(
            workspace=a, user=user_ensure(email=email, password=None)[0], role=role
        )
        for email, role in MEMBERS_OF_A
    }
    invitation, _ = invitation_create(
        workspace=a,
        email="invitee.secret@acme.test",
        role=Membership.Role.MEMBER,
        invited_by=memberships[Membership.Role.ADMIN].user,
    )
    connection = connection_update(workspace=a, data=form_data(sandbox), actor=None)
    contacts_upsert(
        workspace=a,
        rows=[(2, {"email": "ada.secret@acme.test", "first_name": "Ada", "last_name": "Secret"})],
    )
    custom = field_create(workspace=a, key="acme_secret", label="Acme secret field", type="text")
    asked = fields_of(a).filter(key__in=["first_name", "acme_secret"])
    form = form_save(workspace=a, name="Acme secret form", fields=asked, thank_you_message="Ty")
    b_form = form_save(workspace=b, name="Globex form", fields=[], thank_you_message="Thanks")
    # A Zoho lead without an email: the run skips it and records an issue.
    sandbox.create_records("Leads", [{"Last_Name": "Nomail-secret"}])
    run = sync_run(workspace_id=a.pk, trigger=SyncRun.Trigger.MANUAL)
    csv_import = ContactImport.objects.create(
        workspace=a,
        filename="acme-secret-import.csv",
        status=ContactImport.Status.DONE,
        data=b"",
        failed=1,
        errors=[[2, "Line of the Acme secret import"]],
    )
    return Tenants(
        a=a,
        b=b,
        membership=memberships[Membership.Role.MEMBER],
        invitation=invitation,
        contact=Contact.objects.for_workspace(a).get(email="ada.secret@acme.test"),
        field=custom,
        form=form,
        b_form=b_form,
        csv_import=csv_import,
        connection=connection,
        run=run,
        issue=run.issues.get(),
        sandbox=sandbox,
        markers=[
            a.name,
            "ada.secret@acme.test",
            "Acme secret field",
            "Acme secret form",
            form.token,
            "acme-secret-import.csv",
            invitation.email,
        ],
    )


def connection_form(sandbox: SandboxHandle) -> dict:
    """A complete, valid configuration with a fresh code: it would reconnect A if accepted."""
    return form_data(sandbox)


def mapping_unmap_all(workspace: Workspace) -> dict:
    """The Leads mapping page's formset with every editable row unmapped."""
    rows = [row for row in mapping_page(workspace, Module.LEADS).rows if row.editable]
    body = {
        "rows-TOTAL_FORMS": len(rows),
        "rows-INITIAL_FORMS": len(rows),
        "rows-MIN_NUM_FORMS": 0,
        "rows-MAX_NUM_FORMS": 1000,
    }
    for number, row in enumerate(rows):
        body[f"rows-{number}-plezi_key"] = row.plezi.key
        body[f"rows-{number}-zoho_field"] = ""
    return body


# Proving nothing was written ---------------------------------------------------------------


def tenant_rows(workspace: Workspace) -> dict[str, list[tuple]]:
    """Every row `workspace` owns, every column: equal snapshots mean nothing was written.

    Owned = the workspace row itself, rows of any model with a relation to
    Workspace, and the many-to-many links of those rows. New models are picked
    up by themselves.
    """
    rows = {"accounts.Workspace": _values(Workspace.objects.filter(pk=workspace.pk))}
    for model in apps.get_models():
        relation = _workspace_relation(model)
        if relation is None:
            continue
        rows[model._meta.label] = _values(model._base_manager.filter(**{relation: workspace}))
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            owner = f"{m2m.m2m_field_name()}__{relation}"
            rows[through._meta.label] = _values(through._base_manager.filter(**{owner: workspace}))
    return rows


def admin_rows(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """The part of a `tenant_rows` snapshot that only admins may change."""
    return {label: values for label, values in rows.items() if label in ADMIN_TABLES}


def _workspace_relation(model: type[models.Model]) -> str | None:
    if model is Workspace:
        return None
    for model_field in model._meta.concrete_fields:
        if model_field.is_relation and model_field.related_model is Workspace:
            return model_field.name
    return None


def _values(queryset: models.QuerySet) -> list[tuple]:
    # JSON columns compared as the database's text: decoding Zoho's field
    # metadata on every snapshot would cost more than all other tables together.
    columns = [
        Cast(f.attname, models.TextField()) if isinstance(f, models.JSONField) else f.attname
        for f in queryset.model._meta.concrete_fields
    ]
    return list(queryset.order_by("pk").values_list(*columns))


def changed_tables(before: dict, after: dict) -> list[str]:
    labels = before.keys() | after.keys()
    return sorted(label for label in labels if before.get(label) != after.get(label))
