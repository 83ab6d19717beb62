from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationConfig(AppConfig):
    name = "integration"
    verbose_name = _("Zoho CRM integration")

    def ready(self) -> None:
        from contacts.signals import contact_submitted
        from integration.services.sync import on_contact_submitted

        contact_submitted.connect(on_contact_submitted, dispatch_uid="integration.form_push")
