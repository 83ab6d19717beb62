from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Workspace
from accounts.signals import workspace_created


@transaction.atomic
def workspace_create(*, slug: str, name: str) -> tuple[Workspace, bool]:
    """Create the workspace `slug` unless it exists; returns it and whether it was new."""
    workspace, created = Workspace.objects.get_or_create(slug=slug, defaults={"name": name})
    if created:
        workspace_created.send(sender=Workspace, workspace=workspace)
    return workspace, created


@transaction.atomic
def membership_grant(
    *, workspace: Workspace, user: AbstractBaseUser, role: str = Membership.Role.MEMBER
) -> Membership:
    """Make `user` a member of `workspace` with `role` (updating the role if already one)."""
    membership, _ = Membership.objects.update_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def user_ensure(*, email: str, password: str | None) -> tuple[AbstractBaseUser, bool]:
    """The user whose username is `email`, created with `password` when new."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=email.lower(), defaults={"email": email.lower()}
    )
    if created or password:
        user.set_password(password) if password else user.set_unusable_password()
        user.save(update_fields=["password"])
    return user, created


def workspace_mark_settings_changed(*, workspace: Workspace, change: str) -> None:
    """Remember that `change` (e.g. "Mapping changed") calls for a full resync."""
    workspace.settings_changed_at = timezone.now()
    workspace.settings_change = change
    Workspace.objects.filter(pk=workspace.pk).update(
        settings_changed_at=workspace.settings_changed_at, settings_change=change
    )


def workspace_mark_resynced(*, workspace: Workspace, at) -> None:
    """A full resync that started at `at` finished: the banner goes away."""
    workspace.resynced_at = at
    Workspace.objects.filter(pk=workspace.pk).update(resynced_at=at)
