from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import workspace_view
from accounts.forms import InvitationForm, NewAccountForm, RoleForm
from accounts.models import Invitation, Membership
from accounts.selectors import (
    account_of_email,
    invitation_of_token,
    invitations_pending,
    team_of,
    workspaces_of,
)
from accounts.services import (
    INVITATION_UNKNOWN,
    InvitationUnusable,
    TeamChangeRefused,
    invitation_accept,
    invitation_create,
    invitation_link,
    invitation_refusal,
    invitation_send,
    invitation_withdraw,
    membership_remove,
    membership_update_role,
)

# Accounts made from an invitation sign in with a password, the model backend's job.
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"


@login_required
def home(request):
    """Straight to the user's first workspace, or a page explaining they have none."""
    workspace = workspaces_of(request.user).first()
    if workspace is None:
        return render(request, "accounts/no_workspace.html", status=403)
    return redirect("contacts:list", workspace_slug=workspace.slug)


@login_required
def workspace_list(request):
    return render(request, "accounts/workspace_list.html")


# The team page: members, invitations -------------------------------------------------------


@workspace_view(admin=True)
@require_http_methods(["GET", "POST"])
def team(request):
    """The members and pending invitations; POST invites someone (the link is shown once)."""
    form = InvitationForm(request.POST or None, workspace=request.workspace)
    issued = None
    if request.method == "POST" and form.is_valid():
        invitation, token = invitation_create(
            workspace=request.workspace, invited_by=request.user, **form.cleaned_data
        )
        sent = invitation_send(invitation=invitation, token=token)
        issued = {"invitation": invitation, "link": invitation_link(token), "sent": sent}
        form = InvitationForm(workspace=request.workspace)
    return _team_page(request, form, issued)


def _team_page(request, form, issued=None):
    context = {
        "team": team_of(request.workspace),
        "invitations": invitations_pending(request.workspace),
        "form": form,
        "issued": issued,
        "roles": Membership.Role.choices,
        "valid_days": Invitation.VALID_FOR.days,
    }
    return render(request, "accounts/team.html", context)


@workspace_view(admin=True)
@require_POST
def membership_role(request, pk):
    membership = _membership_of(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the role Admin or Member.")
        return redirect("team", request.workspace.slug)
    try:
        membership = membership_update_role(
            membership=membership, role=form.cleaned_data["role"], actor=request.user
        )
    except TeamChangeRefused as refused:
        messages.error(request, str(refused))
        return redirect("team", request.workspace.slug)
    messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
    return _after_team_change(request)


@workspace_view(admin=True)
@require_http_methods(["GET", "POST"])
def membership_remove_view(request, pk):
    membership = _membership_of(request, pk)
    if request.method == "GET":
        return render(request, "accounts/membership_confirm_remove.html", {"member": membership})
    try:
        membership_remove(membership=membership, actor=request.user)
    except TeamChangeRefused as refused:
        messages.error(request, str(refused))
        return redirect("team", request.workspace.slug)
    messages.success(request, f"{membership.user} no longer has access to {request.workspace}.")
    return _after_team_change(request)


def _membership_of(request, pk) -> Membership:
    return get_object_or_404(
        Membership.objects.for_workspace(request.workspace).select_related("user", "workspace"),
        pk=pk,
    )


def _after_team_change(request):
    # An admin who made themselves a member, or left, can no longer open the team page.
    still_admin = team_of(request.workspace).filter(user=request.user, role=Membership.Role.ADMIN)
    if still_admin.exists():
        return redirect("team", request.workspace.slug)
    return redirect("home")


@workspace_view(admin=True)
@require_POST
def invitation_withdraw_view(request, pk):
    invitation = get_object_or_404(invitations_pending(request.workspace), pk=pk)
    invitation_withdraw(invitation=invitation, actor=request.user)
    messages.success(request, f"The invitation of {invitation.email} is withdrawn.")
    return redirect("team", request.workspace.slug)


# Accepting an invitation: public, addressed by its token -----------------------------------


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, token):
    invitation = invitation_of_token(token)
    if invitation is None:
        return _unusable(request, InvitationUnusable(INVITATION_UNKNOWN, status=404))
    refusal = invitation_refusal(invitation)
    if refusal is not None:
        return _unusable(request, refusal)
    if account_of_email(invitation.email) is None:
        return _accept_with_new_account(request, invitation)
    return _accept_as_account(request, invitation)


def _accept_with_new_account(request, invitation: Invitation):
    form = NewAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["new_password1"]
        return _accept(request, invitation, user=None, password=password)
    context = {"invitation": invitation, "form": form}
    return render(request, "accounts/invitation_accept.html", context)


def _accept_as_account(request, invitation: Invitation):
    # The page tells a visitor signed in as someone else to sign in as the invited address;
    # invitation_accept refuses them anyway.
    if request.method == "POST":
        return _accept(request, invitation, user=request.user, password=None)
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation})


def _accept(request, invitation: Invitation, *, user, password):
    account = user if user is not None and user.is_authenticated else None
    try:
        membership = invitation_accept(invitation=invitation, user=account, password=password)
    except InvitationUnusable as unusable:
        return _unusable(request, unusable)
    if password is not None:
        login(request, membership.user, backend=PASSWORD_BACKEND)
    messages.success(request, f"Welcome to {membership.workspace}.")
    return redirect("contacts:list", workspace_slug=membership.workspace.slug)


def _unusable(request, unusable: InvitationUnusable):
    context = {"message": unusable.message}
    return render(request, "accounts/invitation_unusable.html", context, status=unusable.status)
