from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from accounts.models import Invitation, Membership, Workspace


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

    # Attaching an existing account to a workspace is how staff of one workspace
    # took over users of another (and the superuser): only superusers may. Workspace
    # admins invite people, change roles and remove members on the Team page, which
    # keeps every workspace an admin.
    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return () if request.user.is_superuser else ("user", "role")


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

    # See MembershipInline: staff see the memberships of their workspaces; the Team page
    # changes them.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return () if request.user.is_superuser else ("user", "workspace", "role")


@admin.register(Invitation)
class InvitationAdmin(WorkspaceScopedAdmin):
    """Read-only: an invitation is made on the Team page, which mails its link and shows
    it once (the admin could not: only the token's digest is stored)."""

    list_display = ["email", "workspace", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "workspace__slug"]
    list_select_related = ["workspace", "invited_by"]
    fields = ["workspace", "email", "role", "invited_by", "created_at", "accepted_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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

    # A user's password, email and rights are their own or a superuser's: staff who
    # could change another account could sign in as it (issue 15). So staff see the
    # members of their workspaces, change only themselves, and create or delete no one.
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (request.user.is_superuser or obj is None or obj.pk == request.user.pk)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class SuperuserOnlyAdmin:
    """Mixed into the django-q and axes admins: the task schedule runs any function on
    the worker and the login records name every tenant's users, so only superusers."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_delete_permission = has_change_permission


OPERATOR_APPS = ("django_q", "axes")

for _model, _model_admin in list(admin.site._registry.items()):
    if _model._meta.app_label in OPERATOR_APPS:
        _class = type(_model_admin)
        admin.site.unregister(_model)
        admin.site.register(
            _model, type(f"SuperuserOnly{_class.__name__}", (SuperuserOnlyAdmin, _class), {})
        )
