"""The Team page: workspace admins invite people, change roles and remove members."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Invitation, Membership
from accounts.services import TeamChangeRefused, invitation_create, membership_update_role
from accounts.tokens import token_digest


def team_url(workspace) -> str:
    return reverse("team", args=[workspace.slug])


def membership_of(user, workspace) -> Membership:
    return Membership.objects.get(user=user, workspace=workspace)


def invite(client, workspace, email="Ada@Example.COM ", role="member"):
    return client.post(team_url(workspace), {"email": email, "role": role})


def link_in(text: str) -> str:
    return re.search(r"http://testserver/invitations/[\w-]+/", text).group(0)


# Inviting ----------------------------------------------------------------------------------


def test_an_invitation_is_emailed_and_its_link_shown_once(
    owner_client, workspace, owner, mailoutbox
):
    response = invite(owner_client, workspace)

    invitation = Invitation.objects.get(workspace=workspace)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "ada@example.com",
        "member",
        owner,
    )
    assert invitation.accepted_at is None
    page = response.content.decode()
    assert response.status_code == 200
    assert "Invitation emailed to <strong>ada@example.com</strong>" in page
    [email] = mailoutbox
    assert email.to == ["ada@example.com"] and email.subject == "Join Acme on Plezi"
    link = link_in(email.body)
    assert f'value="{link}"' in page
    assert link not in owner_client.get(team_url(workspace)).content.decode()


def test_only_a_digest_of_the_token_is_stored(owner_client, workspace, mailoutbox):
    invite(owner_client, workspace)

    token = link_in(mailoutbox[0].body).rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get(workspace=workspace)
    assert invitation.token_digest == token_digest(token) != token
    assert not Invitation.objects.filter(token_digest=token).exists()


def test_pending_invitations_are_listed_with_their_expiry(owner_client, workspace, owner):
    invitation_create(workspace=workspace, email="bob@example.com", role="admin", invited_by=owner)

    page = owner_client.get(team_url(workspace)).content.decode()

    assert "bob@example.com" in page and "Withdraw" in page
    assert "owner@acme.test" in page  # the members, too


def test_inviting_an_address_again_replaces_its_pending_invitation(
    owner_client, client, workspace, mailoutbox
):
    invite(owner_client, workspace)
    invite(owner_client, workspace, role="admin")

    first, second = (link_in(email.body) for email in mailoutbox)
    assert Invitation.objects.get(workspace=workspace).role == "admin"
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


@pytest.mark.parametrize(
    "email,message",
    [
        ("not-an-email", "“not-an-email” is not a valid email address."),
        ("ada\u200b@example.com", "holds an invisible character"),
        ("", "This field is required."),
    ],
)
def test_a_bad_address_is_refused_with_the_reason(
    owner_client, workspace, email, message, mailoutbox
):
    response = invite(owner_client, workspace, email=email)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Invitation.objects.exists() and mailoutbox == []


def test_a_member_is_not_invited_again(owner_client, workspace, member, mailoutbox):
    response = invite(owner_client, workspace, email="MEMBER@acme.test")

    assert "member@acme.test is already a member of Acme: change their role below." in (
        response.content.decode()
    )
    assert not Invitation.objects.exists() and mailoutbox == []


def test_an_unknown_role_is_refused(owner_client, workspace):
    response = invite(owner_client, workspace, role="owner")

    assert "Select a valid choice. owner is not one of the available choices." in (
        response.content.decode()
    )
    assert not Invitation.objects.exists()


def test_when_the_email_cannot_be_sent_the_page_says_so_and_shows_the_link(
    owner_client, workspace, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    response = invite(owner_client, workspace)

    page = response.content.decode()
    assert response.status_code == 200
    assert "but the email could not be sent. Send them this link yourself" in page
    assert 'value="http://testserver/invitations/' in page
    assert Invitation.objects.filter(workspace=workspace, email="ada@example.com").exists()


def test_a_withdrawn_invitation_no_longer_opens(owner_client, client, workspace, mailoutbox):
    invite(owner_client, workspace)
    invitation = Invitation.objects.get()

    response = owner_client.post(
        reverse("invitation_withdraw", args=[workspace.slug, invitation.pk])
    )

    assert response.status_code == 302
    assert not Invitation.objects.exists()
    assert client.get(link_in(mailoutbox[0].body)).status_code == 404


# Roles and removals ------------------------------------------------------------------------


def change_role(client, membership, role):
    url = reverse("membership_role", args=[membership.workspace.slug, membership.pk])
    return client.post(url, {"role": role}, follow=True)


def remove(client, membership):
    url = reverse("membership_remove", args=[membership.workspace.slug, membership.pk])
    return client.post(url, follow=True)


def test_an_admin_makes_a_member_admin(owner_client, workspace, member):
    response = change_role(owner_client, membership_of(member, workspace), "admin")

    assert "member@acme.test is now Admin." in response.content.decode()
    assert membership_of(member, workspace).role == "admin"


def test_the_last_admin_cannot_make_themselves_a_member(owner_client, workspace, owner):
    response = change_role(owner_client, membership_of(owner, workspace), "member")

    assert (
        "owner@acme.test is the last admin of Acme: make another member an admin before you "
        "make them a member." in response.content.decode()
    )
    assert membership_of(owner, workspace).role == "admin"


def test_the_last_admin_cannot_remove_themselves(owner_client, workspace, owner):
    response = remove(owner_client, membership_of(owner, workspace))

    assert "is the last admin of Acme: make another member an admin before you remove them." in (
        response.content.decode()
    )
    assert Membership.objects.filter(user=owner, workspace=workspace).exists()


def test_an_admin_steps_down_when_another_admin_remains(owner_client, workspace, owner, member):
    change_role(owner_client, membership_of(member, workspace), "admin")

    response = change_role(owner_client, membership_of(owner, workspace), "member")

    assert membership_of(owner, workspace).role == "member"
    assert response.redirect_chain[-1][0] == reverse("contacts:list", args=[workspace.slug])


def test_an_admin_removes_a_member_whose_account_stays(owner_client, workspace, member):
    page = owner_client.get(
        reverse("membership_remove", args=[workspace.slug, membership_of(member, workspace).pk])
    )
    response = remove(owner_client, membership_of(member, workspace))

    assert "Remove member@acme.test from Acme?" in page.content.decode()
    assert "member@acme.test no longer has access to Acme." in response.content.decode()
    assert not Membership.objects.filter(user=member).exists()
    member.refresh_from_db()  # the account itself is kept


def test_a_removed_member_no_longer_sees_the_workspace(
    owner_client, member_client, workspace, member
):
    remove(owner_client, membership_of(member, workspace))

    assert member_client.get(reverse("contacts:list", args=[workspace.slug])).status_code == 404


def test_an_unknown_role_changes_nothing(owner_client, workspace, member):
    response = change_role(owner_client, membership_of(member, workspace), "superuser")

    assert "Choose the role Admin or Member." in response.content.decode()
    assert membership_of(member, workspace).role == "member"


def test_members_get_a_page_saying_whom_to_ask(member_client, workspace, owner):
    response = member_client.get(team_url(workspace))

    assert response.status_code == 403
    assert "Only admins of Acme can do this. Ask one of them: owner@acme.test." in (
        response.content.decode()
    )


def test_only_admins_see_the_team_link(owner_client, member_client, workspace):
    contacts = reverse("contacts:list", args=[workspace.slug])

    assert team_url(workspace) in owner_client.get(contacts).content.decode()
    assert team_url(workspace) not in member_client.get(contacts).content.decode()


def test_staff_change_no_role_and_remove_no_one_in_the_django_admin(
    client, workspace, owner, member
):
    # The Team page keeps every workspace an admin; the admin would not.
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])
    owner.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    client.force_login(owner)
    mine = membership_of(owner, workspace)

    client.post(reverse("admin:accounts_membership_change", args=[mine.pk]), {"role": "member"})
    deleted = client.post(
        reverse("admin:accounts_membership_delete", args=[mine.pk]), {"post": "yes"}
    )

    assert deleted.status_code == 403
    assert membership_of(owner, workspace).role == "admin"


def test_a_member_removed_meanwhile_is_said_so(workspace, owner, member):
    membership = membership_of(member, workspace)
    Membership.objects.filter(pk=membership.pk).delete()

    with pytest.raises(
        TeamChangeRefused, match=r"member@acme.test is no longer a member of Acme\."
    ):
        membership_update_role(membership=membership, role="admin", actor=owner)
    assert not Membership.objects.filter(user=member).exists()
