from django.contrib.auth.models import Permission
from django.urls import reverse


def test_staff_who_are_not_superusers_cannot_raise_their_own_rights(client, owner):
    owner.is_staff = True
    owner.save()
    owner.user_permissions.set(Permission.objects.filter(codename__endswith="_user"))
    client.force_login(owner)
    url = reverse("admin:auth_user_change", args=[owner.pk])

    page = client.get(url)
    client.post(
        url,
        {"username": owner.username, "is_superuser": "on", "is_staff": "on", "is_active": "on"},
    )

    owner.refresh_from_db()
    assert page.status_code == 200 and b'name="is_superuser"' not in page.content
    assert owner.is_superuser is False
