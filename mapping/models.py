from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Workspace, WorkspaceQuerySet
from contacts.models import Field


class Module(models.TextChoices):
    """The Zoho modules Plezi synchronises, by their Zoho API names."""

    LEADS = "Leads", _("Leads")
    CONTACTS = "Contacts", _("Contacts")


class ZohoFieldSet(models.Model):
    """The last field metadata read from Zoho for one module of a workspace.

    `fields` holds the field dicts exactly as `GET /crm/v2/settings/fields`
    returned them; `order` lists their API names in the order the mapping page
    offers them: fields already known keep their place and new ones go last
    (the seed: "the new field will appear in the last position").
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="zoho_field_sets"
    )
    module = models.CharField(max_length=20, choices=Module.choices)
    fields = models.JSONField(default=list)
    order = models.JSONField(default=list)
    fetched_at = models.DateTimeField()

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "module"], name="unique_zoho_field_set"),
        ]

    def __str__(self) -> str:
        return f"{self.workspace} · Zoho {self.module} fields"

    def by_api_name(self) -> dict[str, dict]:
        return {field["api_name"]: field for field in self.fields if field.get("api_name")}


class FieldMapping(models.Model):
    """How one Plezi field travels to and from one Zoho module.

    One row per (workspace, module, Plezi field); `zoho_field` is the Zoho API
    name, blank when the Plezi field is not mapped in that module.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="mappings")
    module = models.CharField(max_length=20, choices=Module.choices)
    plezi_field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="mappings")
    zoho_field = models.CharField(max_length=100, blank=True)
    # The Zoho data type when the row was last saved: a field retyped in Zoho
    # since then is flagged until someone reviews and saves the row again.
    zoho_type = models.CharField(max_length=40, blank=True)
    to_zoho = models.BooleanField("Plezi → Zoho", default=False)
    from_zoho = models.BooleanField("Zoho → Plezi", default=False)
    locked = models.BooleanField(default=False, help_text=_("Mandatory: always mapped."))
    problem = models.CharField(
        max_length=500, blank=True, help_text=_("Why this row does not synchronise right now.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        constraints = [
            # One row per Plezi field and module, so a Plezi field is written
            # by at most one Zoho field.
            models.UniqueConstraint(
                fields=["workspace", "module", "plezi_field"], name="unique_mapping_plezi_field"
            ),
            # ... and a Zoho field is written by at most one Plezi field.
            models.UniqueConstraint(
                fields=["workspace", "module", "zoho_field"],
                condition=~Q(zoho_field=""),
                name="unique_mapping_zoho_field",
            ),
            models.CheckConstraint(
                condition=Q(zoho_field__gt="") | Q(to_zoho=False, from_zoho=False),
                name="mapping_direction_needs_zoho_field",
            ),
            # The seed: Contacts are the sales team's, never written by Plezi.
            models.CheckConstraint(
                condition=~Q(module=Module.CONTACTS, to_zoho=True),
                name="mapping_contacts_never_to_zoho",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plezi_field} ⇄ Zoho {self.module} {self.zoho_field or '(not mapped)'}"
