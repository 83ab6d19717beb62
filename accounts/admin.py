from django.contrib import admin

from accounts.models import Membership, Workspace


class WorkspaceScopedAdmin(admin.ModelAdmin):
    """Staff who are not superusers see only rows of the workspaces they administer."""

    workspace_path = "workspace"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        prefix = f"{self.workspace_path}__" if self.workspace_path else ""
        return queryset.filter(
            **{
                f"{prefix}memberships__user": request.user,
                f"{prefix}memberships__role": Membership.Role.ADMIN,
            }
        ).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "workspace" and not request.user.is_superuser:
            kwargs["queryset"] = Workspace.objects.filter(
                memberships__user=request.user, memberships__role=Membership.Role.ADMIN
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(WorkspaceScopedAdmin):
    workspace_path = ""
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(WorkspaceScopedAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "workspace__slug"]
    autocomplete_fields = ["user", "workspace"]
    list_select_related = ["user", "workspace"]
