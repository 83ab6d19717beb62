from django import forms
from django.contrib import admin

from accounts.admin import WorkspaceScopedAdmin
from accounts.models import Membership
from contacts.catalogue import STANDARD_KEYS
from contacts.models import Contact, Field, Form
from contacts.services import contact_save, contact_update, field_create, field_update


@admin.register(Field)
class FieldAdmin(WorkspaceScopedAdmin):
    list_display = ["label", "key", "type", "mandatory", "special", "position", "workspace"]
    list_filter = ["type", "mandatory", "special", "workspace"]
    search_fields = ["key", "label", "workspace__slug"]
    list_select_related = ["workspace"]
    ordering = ["workspace", "position", "id"]

    def get_readonly_fields(self, request, obj=None):
        # Like the catalogue page: key and type are fixed once the field exists.
        fixed = ["mandatory", "special", "position", "created_at"]
        return [*fixed, "workspace", "key", "type"] if obj else fixed

    def save_model(self, request, obj, form, change):
        # Through the services, so a new field goes last and marks a settings change.
        if change:
            field_update(field=obj, label=obj.label, choices=obj.choices)
        else:
            created = field_create(
                workspace=obj.workspace,
                key=obj.key,
                label=obj.label,
                type=obj.type,
                choices=obj.choices,
            )
            obj.pk = created.pk


@admin.register(Contact)
class ContactAdmin(WorkspaceScopedAdmin):
    list_display = ["email", "full_name", "company", "state", "behaviour_score", "workspace"]
    list_filter = ["state", "lead_source", "email_opt_out", "workspace"]
    search_fields = ["email", "first_name", "last_name", "company"]
    list_select_related = ["workspace"]
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False  # no second COUNT over every contact

    def save_model(self, request, obj, form, change):
        # Through the services, like every other write: the email stays in one form and
        # each changed field remembers when it changed (the sync's conflict rule).
        values = _changed_values(obj, form)
        if change:
            contact_update(contact=obj, values=values)
        else:
            obj.pk = contact_save(workspace=obj.workspace, values=values).pk


def _changed_values(contact: Contact, form) -> dict:
    values = {key: getattr(contact, key) for key in form.changed_data if key in STANDARD_KEYS}
    if "custom" in form.changed_data:
        before = form.initial.get("custom") or {}
        for key in {*before, *contact.custom}:
            if before.get(key) != contact.custom.get(key):
                values[key] = contact.custom.get(key)
    return values


class FormAdminForm(forms.ModelForm):
    class Meta:
        model = Form
        fields = ["workspace", "name", "fields", "thank_you_message"]

    def clean(self):
        data = super().clean()
        workspace = data.get("workspace")
        strangers = [f for f in data.get("fields", []) if workspace and f.workspace != workspace]
        if strangers:
            raise forms.ValidationError("A form can only ask for fields of its own workspace.")
        return data


@admin.register(Form)
class FormAdmin(WorkspaceScopedAdmin):
    form = FormAdminForm
    list_display = ["name", "workspace", "token", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["name", "token", "workspace__slug"]
    list_select_related = ["workspace"]
    readonly_fields = ["token", "created_at"]
    filter_horizontal = ["fields"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "fields":
            fields = Field.objects.select_related("workspace")
            if not request.user.is_superuser:
                fields = fields.filter(
                    workspace__memberships__user=request.user,
                    workspace__memberships__role=Membership.Role.ADMIN,
                )
            kwargs["queryset"] = fields
        return super().formfield_for_manytomany(db_field, request, **kwargs)
