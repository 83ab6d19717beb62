"""The workspace a management command names, for every app's commands."""

from django.core.management.base import CommandError

from accounts.models import Workspace


def workspace_named(slug: str) -> Workspace:
    """The workspace `slug`, or a CommandError naming it."""
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise CommandError(
            f"No workspace with the slug {slug!r}. Create it with `python manage.py "
            "create_workspace`."
        )
    return workspace
