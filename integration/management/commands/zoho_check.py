from django.core.management.base import BaseCommand, CommandError

from accounts.management.workspaces import workspace_named
from integration.selectors.connection import connection_of
from integration.services import connection_check


class Command(BaseCommand):
    help = "Check a workspace's Zoho CRM connection (token, org, scopes, fields); exit 1 if broken."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the workspace's slug")

    def handle(self, slug, **options):
        workspace = workspace_named(slug)
        connection = connection_of(workspace)
        if connection is None:
            raise CommandError(f"{slug} is not connected to Zoho CRM (see zoho_connect).")
        if not connection.refresh_token:
            raise CommandError(f"{slug}: {connection.last_error or 'disconnected.'}")
        health = connection_check(connection=connection)
        for check in health.checks:
            mark = self.style.SUCCESS("ok  ") if check.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {check.name}: {check.detail}")
        if not health.ok:
            raise CommandError(f"Zoho connection of {slug} is broken: {health.problem}")
        self.stdout.write(
            f"Zoho connection of {slug} is healthy (org {connection.org}, {connection.domain})."
        )
