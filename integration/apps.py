from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "integration"
    verbose_name = "Zoho CRM integration"

    def ready(self) -> None:
        from contacts.signals import contact_submitted
        from integration.services.sync import on_contact_submitted

        contact_submitted.connect(on_contact_submitted, dispatch_uid="integration.form_push")
