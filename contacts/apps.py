from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Plezi contacts")

    def ready(self) -> None:
        from django.core import checks

        from accounts.signals import workspace_created
        from contacts.checks import check_rate_limit_cache
        from contacts.services import field_catalogue_seed

        workspace_created.connect(
            lambda sender, workspace, **kwargs: field_catalogue_seed(workspace=workspace),
            weak=False,
            dispatch_uid="contacts.field_catalogue_seed",
        )
        # Deploy only: a development server is one process, its memory cache is enough.
        checks.register(check_rate_limit_cache, checks.Tags.security, deploy=True)
