import pytest
from django.urls import reverse


def test_login_is_required_for_workspace_pages(client, workspace):
    response = client.get(reverse("contacts:list", args=[workspace.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_outsider_gets_404_for_another_workspace(outsider_client, workspace):
    response = outsider_client.get(reverse("contacts:list", args=[workspace.slug]))
    assert response.status_code == 404


def test_home_redirects_to_the_first_workspace(owner_client, workspace):
    response = owner_client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:list", args=[workspace.slug])


def test_user_without_workspace_is_told_so(client, django_user_model):
    user = django_user_model.objects.create_user("lonely@example.test", password="x")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert b"not in any workspace yet" in response.content


def test_login_page_signs_a_user_in(client, owner):
    from tests.conftest import PASSWORD

    response = client.post(
        reverse("login"), {"username": owner.username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"] == owner


@pytest.mark.django_db
def test_create_workspace_command_is_idempotent(capsys):
    from django.core.management import call_command

    from accounts.models import Membership, Workspace

    for _ in range(2):
        call_command(
            "create_workspace",
            "demo",
            name="Demo",
            admin_email="Demo@Example.test",
            admin_password="s3cret-pass",
        )
    out = capsys.readouterr().out
    assert "Created workspace 'demo'." in out
    assert "Kept existing workspace 'demo'." in out
    assert Workspace.objects.filter(slug="demo").count() == 1
    membership = Membership.objects.get(workspace__slug="demo")
    assert membership.role == "admin" and membership.user.username == "demo@example.test"
    assert membership.workspace.fields.filter(key="email", mandatory=True).exists()
