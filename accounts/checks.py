"""Start-up checks: operator-only permissions are held by superusers alone."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.checks import Error
from django.db import DatabaseError
from django.db.models import Q

# A django-q Schedule runs any dotted function on the worker; axes rows name the
# users of every workspace. Granting these to anyone but a superuser is an error.
OPERATOR_APPS = ("django_q", "axes")


def holders_of_operator_permissions() -> list[str]:
    """Usernames of active non-superusers holding a django-q or axes permission."""
    permissions = Permission.objects.filter(content_type__app_label__in=OPERATOR_APPS)
    holders = get_user_model().objects.filter(
        Q(user_permissions__in=permissions) | Q(groups__permissions__in=permissions),
        is_active=True,
        is_superuser=False,
    )
    return sorted(set(holders.values_list("username", flat=True)))


def check_operator_permissions(app_configs=None, **kwargs) -> list[Error]:
    try:
        holders = holders_of_operator_permissions()
    except DatabaseError:  # before the first migrate there is no one to check
        return []
    if not holders:
        return []
    return [
        Error(
            f"Users who are not superusers hold django-q or axes permissions: "
            f"{', '.join(holders)}.",
            hint="Remove those permissions (and any group granting them) in the admin: "
            "they allow running code on the worker and reading every tenant's logins.",
            id="accounts.E001",
        )
    ]
