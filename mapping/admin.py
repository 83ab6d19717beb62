from django import forms
from django.contrib import admin

from accounts.admin import WorkspaceScopedAdmin
from mapping.models import FieldMapping, ZohoFieldSet
from mapping.services import mapping_check, mapping_save


class FieldMappingForm(forms.ModelForm):
    """Operators change a row through the same rules as the mapping page."""

    class Meta:
        model = FieldMapping
        fields = ["zoho_field", "to_zoho", "from_zoho"]

    def clean(self):
        cleaned = super().clean()
        errors = mapping_check(
            workspace=self.instance.workspace, module=self.instance.module, row=self.row_data()
        )
        if errors:
            raise forms.ValidationError(errors)
        return cleaned

    def row_data(self) -> dict:
        return {"plezi_key": self.instance.plezi_field.key, **self.cleaned_data}


@admin.register(FieldMapping)
class FieldMappingAdmin(WorkspaceScopedAdmin):
    form = FieldMappingForm
    list_display = ["plezi_field", "module", "zoho_field", "to_zoho", "from_zoho", "problem"]
    list_filter = ["module", "to_zoho", "from_zoho", "locked"]
    list_select_related = ["plezi_field", "workspace"]
    search_fields = ["workspace__slug", "plezi_field__key", "zoho_field"]
    readonly_fields = ["workspace", "module", "plezi_field", "locked", "problem", "zoho_type"]

    def has_add_permission(self, request) -> bool:
        return False  # rows come from the mapping page and the first Zoho snapshot

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # unmapping is clearing the Zoho field, never losing the row

    def save_model(self, request, obj, form, change) -> None:
        mapping_save(
            workspace=obj.workspace, module=obj.module, rows=[form.row_data()], actor=request.user
        )


@admin.register(ZohoFieldSet)
class ZohoFieldSetAdmin(WorkspaceScopedAdmin):
    list_display = ["workspace", "module", "fetched_at", "field_count"]
    list_filter = ["module"]
    readonly_fields = ["workspace", "module", "fields", "order", "fetched_at"]

    @admin.display(description="Fields")
    def field_count(self, obj: ZohoFieldSet) -> int:
        return len(obj.fields)

    def has_add_permission(self, request) -> bool:
        return False  # only ever read from Zoho

    def has_change_permission(self, request, obj=None) -> bool:
        return False
