"""Accepting an invitation (/invitations/<token>/): public by design, like a public form.

Whoever holds the link may create the invited address's account when none exists; an
existing account joins only when its owner is signed in as it. A wrong, withdrawn, used
or expired link gets a page saying so, and nothing changes.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation, Membership
from accounts.services import invitation_create
from tests.conftest import PASSWORD

User = get_user_model()
NEW_PASSWORD = "a long and unusual passphrase"


@pytest.fixture
def issued(workspace, owner):
    """An invitation of ada@example.com, who has no account yet, and its link."""
    invitation, token = invitation_create(
        workspace=workspace, email="ada@example.com", role="admin", invited_by=owner
    )
    return invitation, reverse("invitation_accept", args=[token])


@pytest.fixture
def issued_to_outsider(workspace, owner, outsider):
    """An invitation of outsider@globex.test, who has an account (in workspace B)."""
    invitation, token = invitation_create(
        workspace=workspace, email=outsider.username, role="member", invited_by=owner
    )
    return invitation, reverse("invitation_accept", args=[token])


def choose(client, url, password=NEW_PASSWORD, again=None):
    return client.post(url, {"new_password1": password, "new_password2": again or password})


def nothing_changed(invitation) -> bool:
    invitation.refresh_from_db()
    joined = Membership.objects.filter(
        workspace=invitation.workspace, user__username=invitation.email
    )
    return invitation.accepted_at is None and not joined.exists()


# A new account ------------------------------------------------------------------------------


def test_the_page_says_who_invited_whom_where(client, issued):
    page = client.get(issued[1]).content.decode()

    assert "Join Acme on Plezi" in page
    assert "owner@acme.test invited <strong>ada@example.com</strong> to join as admin." in page
    assert "Choose a password" in page


def test_choosing_a_password_creates_the_account_and_joins(client, issued, workspace):
    invitation, url = issued

    response = choose(client, url)

    user = User.objects.get(username="ada@example.com")
    assert user.email == "ada@example.com" and user.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=user, workspace=workspace).role == "admin"
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert response["Location"] == reverse("contacts:list", args=[workspace.slug])
    assert client.get(response["Location"]).status_code == 200  # signed in as Ada


@pytest.mark.parametrize(
    "password,again,message",
    [
        ("short", None, "This password is too short. It must contain at least 8 characters."),
        ("password123", None, "This password is too common."),
        ("73829104657", None, "This password is entirely numeric."),
        ("ada@example.com", None, "The password is too similar to the"),
        (NEW_PASSWORD, "something else", "The two password fields didn’t match."),
    ],
)
def test_a_refused_password_says_why_and_creates_nothing(client, issued, password, again, message):
    invitation, url = issued

    response = choose(client, url, password, again)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="ada@example.com").exists()
    assert nothing_changed(invitation)


# An existing account ------------------------------------------------------------------------


def test_an_existing_account_is_asked_to_log_in(client, issued_to_outsider):
    invitation, url = issued_to_outsider

    page = client.get(url).content.decode()
    refused = client.post(url, {"new_password1": "x", "new_password2": "x"})

    assert "An account with this email already exists: log in with it to accept." in page
    assert f'href="{reverse("login")}?next={url}"' in page
    assert refused.status_code == 403
    assert "log in as outsider@globex.test to accept it" in refused.content.decode()
    assert nothing_changed(invitation)


def test_knowing_the_link_never_joins_someone_elses_account(member_client, issued_to_outsider):
    invitation, url = issued_to_outsider

    page = member_client.get(url).content.decode()
    refused = member_client.post(url)

    assert "You are logged in as <strong>member@acme.test</strong>" in page
    assert refused.status_code == 403
    assert nothing_changed(invitation)
    assert not Membership.objects.filter(
        workspace=invitation.workspace, user__username="outsider@globex.test"
    ).exists()


def test_the_invited_account_joins_after_logging_in(issued_to_outsider, workspace, outsider):
    invitation, url = issued_to_outsider
    client = Client()

    logged_in = client.post(
        reverse("login"), {"username": outsider.username, "password": PASSWORD, "next": url}
    )
    joined = client.post(url)

    assert logged_in["Location"] == url
    assert joined["Location"] == reverse("contacts:list", args=[workspace.slug])
    assert Membership.objects.get(user=outsider, workspace=workspace).role == "member"
    assert Membership.objects.filter(user=outsider).count() == 2  # B stays theirs


def test_someone_already_a_member_keeps_their_role(owner, workspace, member):
    _, token = invitation_create(
        workspace=workspace, email=member.username, role="admin", invited_by=owner
    )
    client = Client()
    client.force_login(member)

    client.post(reverse("invitation_accept", args=[token]))

    assert Membership.objects.get(user=member, workspace=workspace).role == "member"


# Links that no longer work ------------------------------------------------------------------


def test_an_unknown_link_is_404(client, issued):
    url = reverse("invitation_accept", args=["no-such-token"])

    page, post = client.get(url), choose(client, url)

    assert (page.status_code, post.status_code) == (404, 404)
    assert "This invitation link is not valid" in page.content.decode()
    assert nothing_changed(issued[0])


def test_a_used_link_is_410(client, issued):
    invitation, url = issued
    choose(client, url)

    again = Client().get(url)

    assert again.status_code == 410
    assert "This invitation was already accepted. Log in to open the workspace." in (
        again.content.decode()
    )


def test_an_expired_link_is_410_and_changes_nothing(client, issued):
    invitation, url = issued
    expired = invitation.created_at - Invitation.VALID_FOR - timedelta(seconds=1)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=expired)

    page, post = client.get(url), choose(client, url)

    assert (page.status_code, post.status_code) == (410, 410)
    assert "This invitation expired on" in page.content.decode()
    assert "Ask an admin of Acme to invite you again." in page.content.decode()
    assert not User.objects.filter(username="ada@example.com").exists()
    assert nothing_changed(invitation)


def test_a_token_opens_its_own_invitation_only(client, issued, other_workspace, outsider):
    invitation_create(
        workspace=other_workspace, email="eve@globex.test", role="admin", invited_by=outsider
    )

    page = client.get(issued[1]).content.decode()

    assert "Acme" in page and "ada@example.com" in page
    assert "Globex" not in page and "eve@globex.test" not in page
