from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Plezi contacts"

    def ready(self) -> None:
        from accounts.signals import workspace_created
        from contacts.services import field_catalogue_seed

        workspace_created.connect(
            lambda sender, workspace, **kwargs: field_catalogue_seed(workspace=workspace),
            weak=False,
            dispatch_uid="contacts.field_catalogue_seed",
        )
