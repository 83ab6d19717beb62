"""Issue 15: staff of one workspace, holding every model permission, take over nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django_q.models import Schedule

from accounts.checks import check_operator_permissions
from accounts.models import Membership
from accounts.services import membership_grant, user_ensure

User = get_user_model()


@pytest.fixture
def operator(other_workspace):
    """Staff, not superuser, admin of B (globex) only, with every model permission."""
    user, _ = user_ensure(email="operator@globex.test", password=None)
    membership_grant(workspace=other_workspace, user=user, role=Membership.Role.ADMIN)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.all())
    return user


@pytest.fixture
def operator_client(operator, client):
    client.force_login(operator)
    return client


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@example.com", "root@example.com", "s3cret-root")


def test_staff_cannot_attach_the_superuser_to_their_workspace(
    operator_client, other_workspace, superuser
):
    url = reverse("admin:accounts_membership_add")
    body = {"user": superuser.pk, "workspace": other_workspace.pk, "role": "member"}

    page = operator_client.get(url)
    post = operator_client.post(url, body)

    assert (page.status_code, post.status_code) == (403, 403)
    assert not Membership.objects.filter(user=superuser).exists()


def test_staff_cannot_attach_another_tenants_user_through_the_workspace_inline(
    operator_client, other_workspace, owner
):
    url = reverse("admin:accounts_workspace_change", args=[other_workspace.pk])
    before = Membership.objects.filter(workspace=other_workspace).count()
    memberships = list(Membership.objects.filter(workspace=other_workspace))
    body = {
        "name": other_workspace.name,
        "slug": other_workspace.slug,
        "memberships-TOTAL_FORMS": str(len(memberships) + 1),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        f"memberships-{len(memberships)}-user": str(owner.pk),
        f"memberships-{len(memberships)}-role": "admin",
    }
    for index, membership in enumerate(memberships):
        body[f"memberships-{index}-id"] = str(membership.pk)
        body[f"memberships-{index}-role"] = membership.role

    operator_client.post(url, body)

    assert not Membership.objects.filter(user=owner, workspace=other_workspace).exists()
    assert Membership.objects.filter(workspace=other_workspace).count() == before


def test_staff_cannot_set_the_password_of_a_member_of_their_own_workspace(
    operator_client, other_workspace, outsider
):
    url = reverse("admin:auth_user_password_change", args=[outsider.pk])
    body = {
        "password1": "taken-over-123!",
        "password2": "taken-over-123!",
        "usable_password": "true",
    }

    page = operator_client.get(url)
    operator_client.post(url, body)

    outsider.refresh_from_db()
    assert page.status_code in (403, 404)
    assert not outsider.check_password("taken-over-123!")


def test_staff_cannot_change_the_email_or_rights_of_another_user(operator_client, outsider):
    url = reverse("admin:auth_user_change", args=[outsider.pk])

    operator_client.post(
        url, {"username": outsider.username, "email": "attacker@evil.test", "is_active": "on"}
    )

    outsider.refresh_from_db()
    assert outsider.email == "outsider@globex.test"


@pytest.mark.parametrize("target", ["superuser", "owner"])
def test_staff_cannot_reach_the_superuser_nor_users_of_other_workspaces(
    request, operator_client, target
):
    user = request.getfixturevalue(target)
    for view in ("change", "password_change", "delete"):
        response = operator_client.get(reverse(f"admin:auth_user_{view}", args=[user.pk]))
        assert response.status_code in (302, 403, 404), view
    user.refresh_from_db()
    assert user.check_password("s3cret-root") or target == "owner"


def test_staff_cannot_add_users(operator_client):
    assert operator_client.get(reverse("admin:auth_user_add")).status_code == 403


def test_staff_cannot_schedule_code_on_the_worker(operator_client):
    url = reverse("admin:django_q_schedule_add")
    body = {
        "name": "pwn",
        "func": "os.system",
        "args": "'id'",
        "schedule_type": "O",
        "repeats": "-1",
    }

    page = operator_client.get(url)
    operator_client.post(url, body)

    assert page.status_code == 403
    assert not Schedule.objects.filter(func="os.system").exists()


@pytest.mark.parametrize(
    "name", ["axes_accessattempt", "axes_accesslog", "axes_accessfailurelog", "django_q_schedule"]
)
def test_operator_admins_are_for_superusers_only(operator_client, admin_client, name):
    url = reverse(f"admin:{name}_changelist")

    assert operator_client.get(url).status_code == 403
    assert admin_client.get(url).status_code == 200


def test_the_admin_index_lists_no_operator_app_to_staff(operator_client):
    page = operator_client.get(reverse("admin:index")).content.decode()

    assert "/admin/django_q/" not in page and "/admin/axes/" not in page


def test_the_start_up_check_fails_when_a_non_superuser_holds_operator_permissions(operator):
    errors = check_operator_permissions()

    assert [error.id for error in errors] == ["accounts.E001"]
    assert "operator@globex.test" in errors[0].msg


def test_the_start_up_check_sees_permissions_granted_through_a_group(outsider):
    group = Group.objects.create(name="Ops")
    group.permissions.set(Permission.objects.filter(content_type__app_label="django_q"))
    outsider.groups.add(group)

    assert [error.id for error in check_operator_permissions()] == ["accounts.E001"]


def test_the_start_up_check_passes_for_superusers_and_workspace_permissions(superuser, outsider):
    outsider.user_permissions.set(Permission.objects.filter(content_type__app_label="contacts"))

    assert check_operator_permissions() == []
