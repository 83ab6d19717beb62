from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Workspaces and members"

    def ready(self) -> None:
        from django.core import checks

        from accounts.checks import check_operator_permissions

        checks.register(check_operator_permissions, checks.Tags.security)
