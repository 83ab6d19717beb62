from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from accounts.models import Membership, Workspace


def administered_workspaces(user):
    """The workspaces a non-superuser staff member may see in the admin."""
    return Workspace.objects.filter(memberships__user=user, memberships__role=Membership.Role.ADMIN)


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

    def get_list_filter(self, request):
        # A plain `workspace` filter lists every workspace's name; offer only those
        # that appear in the (scoped) rows.
        return [
            ("workspace", admin.RelatedOnlyFieldListFilter) if name == "workspace" else name
            for name in super().get_list_filter(request)
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "workspace" and not request.user.is_superuser:
            kwargs["queryset"] = administered_workspaces(request.user)
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


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ScopedUserAdmin(UserAdmin):
    """Staff who are not superusers see only the members of workspaces they administer,
    and cannot grant themselves or anyone staff or superuser rights."""

    PRIVILEGES = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        workspaces = administered_workspaces(request.user)
        return queryset.filter(memberships__workspace__in=workspaces).distinct()

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if request.user.is_superuser else (*readonly, *self.PRIVILEGES)
