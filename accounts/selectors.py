from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from accounts.models import Workspace


def workspaces_of(user: AbstractBaseUser) -> QuerySet[Workspace]:
    if not user.is_authenticated:
        return Workspace.objects.none()
    return Workspace.objects.filter(memberships__user=user).order_by("name")
