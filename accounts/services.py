import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.emails import normalise_email
from accounts.models import Invitation, Membership, Workspace
from accounts.selectors import account_of_email
from accounts.signals import workspace_created
from accounts.tokens import token_digest, token_new

logger = logging.getLogger(__name__)


INVITATION_UNKNOWN = (
    "This invitation link is not valid: it may be mistyped, withdrawn or replaced by a newer "
    "invitation. Ask the person who invited you to send a new one."
)


class TeamChangeRefused(Exception):
    """A change of a workspace's team that its rules forbid; nothing was changed."""


class InvitationUnusable(Exception):
    """An invitation that cannot be accepted (already used, expired, or for another
    account); nothing was changed. `status` is the HTTP answer that says so."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


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
    """The user whose username is `email` (normalised), created with `password` when new."""
    User = get_user_model()
    email = normalise_email(email)
    user, created = User.objects.get_or_create(username=email, defaults={"email": email})
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


# The team: roles and removals ------------------------------------------------------------


def _lock_team(workspace: Workspace) -> None:
    # Two admins demoting each other at once must not leave the workspace without one:
    # every change of a team waits for the previous one (the workspace row's lock).
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()


def _membership_locked(membership: Membership) -> Membership:
    """`membership` read again under the team's lock; refused if removed meanwhile."""
    _lock_team(membership.workspace)
    fresh = Membership.objects.select_related("user", "workspace").filter(pk=membership.pk)
    if not fresh.exists():
        raise TeamChangeRefused(
            f"{membership.user} is no longer a member of {membership.workspace}."
        )
    return fresh.get()


def _refuse_losing_the_last_admin(membership: Membership, *, doing: str) -> None:
    others = (
        Membership.objects.for_workspace(membership.workspace)
        .filter(role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
    )
    if membership.is_admin and not others.exists():
        raise TeamChangeRefused(
            f"{membership.user} is the last admin of {membership.workspace}: make another "
            f"member an admin before you {doing}."
        )


@transaction.atomic
def membership_update_role(
    *, membership: Membership, role: str, actor: AbstractBaseUser
) -> Membership:
    """Give `membership` the role `role`.

    Raises TeamChangeRefused when that would leave the workspace without an admin.
    """
    membership = _membership_locked(membership)
    if role != Membership.Role.ADMIN:
        _refuse_losing_the_last_admin(membership, doing="make them a member")
    membership.role = role
    membership.save(update_fields=["role"])
    logger.info("%s made %s %s of %s", actor, membership.user, role, membership.workspace.slug)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: AbstractBaseUser) -> None:
    """Remove `membership`: its user no longer sees the workspace.

    Raises TeamChangeRefused when it is the workspace's last admin.
    """
    membership = _membership_locked(membership)
    _refuse_losing_the_last_admin(membership, doing="remove them")
    membership.delete()
    logger.info("%s removed %s from %s", actor, membership.user, membership.workspace.slug)


# Invitations -------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, workspace: Workspace, email: str, role: str, invited_by: AbstractBaseUser
) -> tuple[Invitation, str]:
    """Invite `email` (normalised) to `workspace` as `role`; returns it and its token.

    The token exists only in the return value: the caller mails it and shows it once.
    A pending invitation of the same address is replaced, so its link stops working.
    """
    email = normalise_email(email)
    _lock_team(workspace)  # two invitations of one address at once: the second replaces
    Invitation.objects.for_workspace(workspace).filter(
        email=email, accepted_at__isnull=True
    ).delete()
    token = token_new()
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        token_digest=token_digest(token),
        invited_by=invited_by,
    )
    logger.info("%s invited %s to %s as %s", invited_by, email, workspace.slug, role)
    return invitation, token


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("invitation_accept", args=[token])


def invitation_send(*, invitation: Invitation, token: str) -> bool:
    """Email the invitation's link; False when the mail server refused it or was unreachable
    (the invitation stands: the admin copies the link from the page)."""
    context = {"invitation": invitation, "link": invitation_link(token)}
    # One line whatever the workspace's name holds: a line break in a header is refused.
    subject = " ".join(f"Join {invitation.workspace} on Plezi".split())
    body = render_to_string("accounts/invitation_email.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except (smtplib.SMTPException, OSError):
        logger.warning("The invitation of %s could not be emailed", invitation.email, exc_info=True)
        return False
    return True


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, actor: AbstractBaseUser) -> None:
    """Withdraw a pending invitation: its link answers 404 from now on."""
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).delete()
    logger.info("%s withdrew the invitation of %s", actor, invitation.email)


def invitation_refusal(invitation: Invitation) -> InvitationUnusable | None:
    """Why `invitation` cannot be accepted any more, or None while it can."""
    if invitation.accepted_at is not None:
        message = "This invitation was already accepted. Log in to open the workspace."
        return InvitationUnusable(message, status=410)
    if invitation.is_expired:
        message = (
            f"This invitation expired on {invitation.expires_at:%d %B %Y}. Ask an admin of "
            f"{invitation.workspace} to invite you again."
        )
        return InvitationUnusable(message, status=410)
    return None


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: AbstractBaseUser | None, password: str | None = None
) -> Membership:
    """Join the invitation's workspace with its role, once.

    As `user` when an account has the invitation's email: `user` must be that account,
    so knowing a link never joins someone else's account. Otherwise a new account is
    created with `password` (validated by the caller). A person already a member keeps
    their role. Raises InvitationUnusable, changing nothing, when the invitation was
    used, withdrawn or expired meanwhile, or is for another account.
    """
    invitation = _invitation_locked(invitation)
    account = account_of_email(invitation.email)
    if account is None:
        if password is None:
            raise ValueError("A new account needs a password.")
        account, _ = user_ensure(email=invitation.email, password=password)
    elif user is None or account.pk != user.pk:
        message = (
            f"This invitation is for {invitation.email}: log in as {invitation.email} to accept it."
        )
        raise InvitationUnusable(message, status=403)
    membership, _ = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=account, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    logger.info("%s joined %s", account, invitation.workspace.slug)
    return membership


def _invitation_locked(invitation: Invitation) -> Invitation:
    # Locked and read again: a second click, or an admin withdrawing it, may have come first.
    fresh = (
        Invitation.objects.select_for_update()
        .select_related("workspace")
        .filter(pk=invitation.pk)
        .first()
    )
    if fresh is None:
        raise InvitationUnusable(INVITATION_UNKNOWN, status=404)
    refusal = invitation_refusal(fresh)
    if refusal is not None:
        raise refusal
    return fresh
