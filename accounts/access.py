"""Turning a request into its workspace, and the role matrix: the single access check of
every view.

Who may do what (the README's "Roles" table): every member works with contacts (read,
add, edit, import, export) and the sync pages ("Synchronise now", a preview, retrying
failed records). What changes a workspace's settings, deletes its data or manages its
people is for admins: views say so with `admin=True` (the whole view) or
`read_only_for_members=True` (members read the page, admins change it).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from accounts.models import Membership

# Methods that read: a member may GET a page whose changes are for admins.
READING_METHODS = ("GET", "HEAD", "OPTIONS")


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


def admins_only(membership: Membership) -> PermissionDenied:
    """The 403 a member gets on an admin's action: it names whom to ask."""
    admins = Membership.objects.for_workspace(membership.workspace).filter(
        role=Membership.Role.ADMIN
    )
    names = ", ".join(sorted(admins.values_list("user__username", flat=True)))
    return PermissionDenied(
        f"Only admins of {membership.workspace} can do this. Ask one of them: {names}."
    )


def workspace_view(
    view: Callable | None = None, *, admin: bool = False, read_only_for_members: bool = False
) -> Callable:
    """Decorate a view taking `workspace_slug`: login, membership, then the role matrix.

    Sets `request.workspace` and `request.membership`; the view no longer sees
    the slug. Members who are not admins get 403 on an `admin` view, and on any
    method but reading a `read_only_for_members` one.
    """

    def decorate(func: Callable) -> Callable:
        @login_required
        @wraps(func)
        def wrapper(request: HttpRequest, workspace_slug: str, *args, **kwargs) -> HttpResponse:
            membership = membership_for(request, workspace_slug)
            # Set before refusing: the 403 page shows the workspace's navigation.
            request.workspace = membership.workspace
            request.membership = membership
            reading = request.method in READING_METHODS
            if not membership.is_admin and (admin or (read_only_for_members and not reading)):
                raise admins_only(membership)
            return func(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
