import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.management.workspaces import workspace_named
from integration.selectors.connection import connection_state
from integration.services import ConnectionProblem, connection_update


class Command(BaseCommand):
    help = (
        "Connect a workspace to Zoho CRM with a self-client code: the same checks as the "
        "configuration page's “Update your configuration”. Exits 1 on a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the workspace's slug")
        parser.add_argument("--client-id", required=True)
        parser.add_argument(
            "--client-secret", required=True, help="the secret, or - to read it from stdin"
        )
        parser.add_argument("--code", default="", help="the self-client code (- for stdin)")
        parser.add_argument("--domain", required=True, help="com, eu, in, com.au, jp, …")
        parser.add_argument("--org", required=True, help="org5444456755445")
        parser.add_argument("--crm-url", default="", help="default: the domain's CRM URL")
        parser.add_argument("--filter-field", default="")
        parser.add_argument("--filter-value", default="")

    def handle(self, slug, **options):
        workspace = workspace_named(slug)
        data = {key: self._value(options[key]) for key in _KEYS}
        try:
            connection = connection_update(workspace=workspace, data=data, actor=None)
        except ConnectionProblem as problem:
            where = f" ({problem.field.replace('_', '-')})" if problem.field else ""
            raise CommandError(f"Not connected{where}: {problem.message}") from None
        state = connection_state(workspace)
        self.stdout.write(
            self.style.SUCCESS(
                f"Connected {workspace.slug} to Zoho org {connection.org}"
                f"{f' ({connection.org_name})' if connection.org_name else ''}, "
                f"data center {connection.domain}."
            )
        )
        for field in state.lead_fields:
            need = "required" if field.required else "optional"
            self.stdout.write(f"  Leads field {field.name} ({need}): {field.state}")
        self.stdout.write("Configuration changed: launch a synchronisation (manage.py sync).")

    @staticmethod
    def _value(value: str) -> str:
        # "-" reads a secret from stdin, so it stays out of the process list and shell history.
        return sys.stdin.readline().strip() if value == "-" else value


_KEYS = (
    "client_id",
    "client_secret",
    "code",
    "domain",
    "org",
    "crm_url",
    "filter_field",
    "filter_value",
)
