"""Turning a request into its workspace: the single access check of every view."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from accounts.models import Membership


def membership_for(request: HttpRequest, slug: str) -> Membership:
    """The user's membership of the workspace `slug`, or 404.

    A workspace the user does not belong to is indistinguishable from one that
    does not exist: both answer 404, so slugs reveal nothing.
    """
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=request.user, workspace__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such workspace.")
    return membership


def workspace_view(view: Callable | None = None, *, admin: bool = False) -> Callable:
    """Decorate a view taking `workspace_slug`: login, membership, optional admin role.

    Sets `request.workspace` and `request.membership`; the view no longer sees
    the slug. Members who are not admins get 403 on admin-only views.
    """

    def decorate(func: Callable) -> Callable:
        @login_required
        @wraps(func)
        def wrapper(request: HttpRequest, workspace_slug: str, *args, **kwargs) -> HttpResponse:
            membership = membership_for(request, workspace_slug)
            if admin and not membership.is_admin:
                raise PermissionDenied("Only workspace admins can change this.")
            request.workspace = membership.workspace
            request.membership = membership
            return func(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
