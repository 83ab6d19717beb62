from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from accounts.models import Invitation, Membership, Workspace
from accounts.tokens import token_digest


def workspaces_of(user: AbstractBaseUser) -> QuerySet[Workspace]:
    if not user.is_authenticated:
        return Workspace.objects.none()
    return Workspace.objects.filter(memberships__user=user).order_by("name")


def account_of_email(email: str) -> AbstractBaseUser | None:
    """The account an address (normalised) signs in with: here the username is the email."""
    return get_user_model().objects.filter(username=email).first()


def team_of(workspace: Workspace) -> QuerySet[Membership]:
    """The workspace's members, admins first."""
    return (
        Membership.objects.for_workspace(workspace)
        .select_related("user")
        .order_by("role", "user__username")
    )


def invitations_pending(workspace: Workspace) -> QuerySet[Invitation]:
    """Invitations not accepted yet, expired ones included (the page says so)."""
    return (
        Invitation.objects.for_workspace(workspace)
        .filter(accepted_at__isnull=True)
        .select_related("invited_by")
    )


def invitation_of_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("workspace")
        .filter(token_digest=token_digest(token))
        .first()
    )
