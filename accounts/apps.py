from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Workspaces and members")

    def ready(self) -> None:
        from django.core import checks

        from accounts.checks import check_operator_permissions

        checks.register(check_operator_permissions, checks.Tags.security)
