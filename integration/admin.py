from django.contrib import admin, messages

from accounts.admin import WorkspaceScopedAdmin
from integration import services
from integration.models import SyncIssue, SyncRun, SyncState, ZohoConnection

MASK = "•••••••• (encrypted)"


@admin.register(ZohoConnection)
class ZohoConnectionAdmin(WorkspaceScopedAdmin):
    """Operators see a connection's state; secrets are masked and never editable here."""

    list_display = [
        "workspace",
        "org",
        "domain",
        "status",
        "tokens_refreshed_at",
        "last_checked_at",
    ]
    list_filter = ["status", "domain"]
    search_fields = ["workspace__slug", "workspace__name", "org", "org_name"]
    list_select_related = ["workspace"]
    actions = ["check_connections"]
    fields = [
        "workspace",
        "status",
        "last_error",
        "last_error_at",
        "last_checked_at",
        "domain",
        "org",
        "org_name",
        "org_verified",
        "crm_url",
        "api_domain",
        "client_id",
        "client_secret_masked",
        "refresh_token_masked",
        "access_token_masked",
        "access_token_expires_at",
        "tokens_refreshed_at",
        "scopes",
        "filter_field",
        "filter_value",
        "max_concurrency",
        "connected_at",
        "updated_by",
        "created_at",
        "updated_at",
    ]
    # Everything but the edition's concurrency cap goes through the page's
    # checks (connection_update), never raw admin edits.
    readonly_fields = [f for f in fields if f != "max_concurrency"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="client secret")
    def client_secret_masked(self, obj: ZohoConnection) -> str:
        return MASK if obj.client_secret else "—"

    @admin.display(description="refresh token")
    def refresh_token_masked(self, obj: ZohoConnection) -> str:
        return MASK if obj.refresh_token else "—"

    @admin.display(description="access token")
    def access_token_masked(self, obj: ZohoConnection) -> str:
        return MASK if obj.access_token else "—"

    @admin.action(description="Test the selected connections")
    def check_connections(self, request, queryset) -> None:
        for connection in queryset.select_related("workspace"):
            health = services.connection_check(connection=connection)
            level = messages.SUCCESS if health.ok else messages.ERROR
            outcome = "OK" if health.ok else health.problem
            self.message_user(request, f"{connection.workspace}: {outcome}", level)


class ReadOnlyAdmin(WorkspaceScopedAdmin):
    """History is written by the sync alone: operators read it."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class SyncIssueInline(admin.TabularInline):
    model = SyncIssue
    fields = ["kind", "email", "module", "zoho_id", "direction", "field", "code", "message"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "workspace",
        "trigger",
        "status",
        "pulled",
        "pushed",
        "failed",
        "conflicts",
        "api_calls",
        "credits",
    ]
    list_filter = ["status", "trigger", "full", "dry_run"]
    search_fields = ["workspace__slug", "error"]
    list_select_related = ["workspace"]
    date_hierarchy = "started_at"
    exclude = ["preview"]
    inlines = [SyncIssueInline]


@admin.register(SyncIssue)
class SyncIssueAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "workspace", "kind", "email", "module", "field", "code"]
    list_filter = ["kind", "direction", "module"]
    search_fields = ["email", "zoho_id", "code", "workspace__slug"]
    list_select_related = ["workspace"]


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdmin):
    list_display = ["contact", "workspace", "zoho_module", "zoho_id", "synced_at", "last_outcome"]
    list_filter = ["zoho_module", "unlinked_by_deletion"]
    search_fields = ["contact__email", "zoho_id"]
    list_select_related = ["contact", "workspace"]
