"""Every URL pattern of the project, and how to point each at workspace A's data.

The sweep walks the URL resolver, so a view added anywhere is swept the day it
lands. A URL kwarg this module cannot fill makes the sweep fail and say where
to add it: no view is ever skipped in silence.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.tenant_data import Tenants, connection_form, mapping_unmap_all

# What the sweep does not request, and why. A key is a URL name or a namespace.
SKIPPED = {
    # Every registered ModelAdmin is checked by test_admin_scoping.py.
    "admin": "the Django admin",
    # Signing in and out concern no workspace; throttling is in test_login_throttle.py.
    "login": "the login page",
    "logout": "the logout view",
    # Django's language switch: public (visitors of a public form use it), stores a cookie only.
    "set_language": "the language switch",
    # Public by design and addressed by an unguessable token, not by workspace:
    # test_isolation_sweep.py checks a token shows its own form and nothing else.
    "contacts:public_form": "the public form",
    # Public by design too (the invited person may have no account yet), by token:
    # tests/accounts/test_invitations.py checks a token opens its own invitation only.
    "invitation_accept": "the page accepting an invitation",
    # Public like the static files it points to: a redirect to the icon, no data.
    "favicon": "the browser's icon",
}

# URL kwargs with one value whatever the view.
SIMPLE_KWARGS: dict[str, Callable[[Tenants], object]] = {
    "workspace_slug": lambda t: t.a.slug,
    "module": lambda t: "leads",
    "token": lambda t: t.form.token,
}

# Kwargs whose value says nothing of a workspace ("leads" is the same for all).
SAME_IN_EVERY_WORKSPACE = {"module"}

# `pk` and `<name>_id` kwargs: which of A's objects each view takes.
OBJECT_KWARGS: dict[str, dict[str, Callable[[Tenants], int]]] = {
    "contacts:detail": {"pk": lambda t: t.contact.pk},
    "contacts:edit": {"pk": lambda t: t.contact.pk},
    "contacts:delete": {"pk": lambda t: t.contact.pk},
    "contacts:field_edit": {"pk": lambda t: t.field.pk},
    "contacts:form_edit": {"pk": lambda t: t.form.pk},
    "contacts:form_delete": {"pk": lambda t: t.form.pk},
    "contacts:import_detail": {"pk": lambda t: t.csv_import.pk},
    "sync:run": {"pk": lambda t: t.run.pk},
    "sync:run_progress": {"pk": lambda t: t.run.pk},
    "sync:retry": {"pk": lambda t: t.run.pk},
    "sync:contact_panel": {"pk": lambda t: t.contact.pk},
    "membership_role": {"pk": lambda t: t.membership.pk},
    "membership_remove": {"pk": lambda t: t.membership.pk},
    "invitation_withdraw": {"pk": lambda t: t.invitation.pk},
}

# The role matrix (README, "Roles"): the views only admins may use, with the methods a
# member is refused there. Every view not listed is open to every member of the workspace.
# The one list of admin-only views: the sweep and test_role_matrix.py read it.
EVERYTHING = ("get", "post")
CHANGES = ("post",)  # members read the page, admins change it
ADMIN_ONLY: dict[str, tuple[str, ...]] = {
    "contacts:delete": EVERYTHING,
    "contacts:field_create": EVERYTHING,
    "contacts:field_edit": EVERYTHING,
    "contacts:form_create": EVERYTHING,
    "contacts:form_edit": EVERYTHING,
    "contacts:form_delete": EVERYTHING,
    "integration:connection": CHANGES,
    "integration:limits": EVERYTHING,
    "integration:test_connection": EVERYTHING,
    "integration:refresh_fields": EVERYTHING,
    "integration:disconnect": EVERYTHING,
    "mapping:edit": CHANGES,
    "sync:resync": EVERYTHING,
    "team": EVERYTHING,
    "membership_role": EVERYTHING,
    "membership_remove": EVERYTHING,
    "invitation_withdraw": EVERYTHING,
}

# Bodies that would really write if the view let the request through.
POST_BODIES: dict[str, Callable[[Tenants], dict]] = {
    "contacts:create": lambda t: {"email": "sweep@example.com", "last_name": "Sweep"},
    "contacts:edit": lambda t: {"email": "sweep@example.com", "last_name": "Sweep"},
    "contacts:field_create": lambda t: {"key": "sweep", "label": "Sweep", "type": "text"},
    "contacts:field_edit": lambda t: {"label": "Renamed by the sweep"},
    "contacts:form_create": lambda t: {"name": "Sweep form", "thank_you_message": "Thanks"},
    "contacts:form_edit": lambda t: {"name": "Sweep form", "thank_you_message": "Thanks"},
    "integration:connection": lambda t: connection_form(t.sandbox),
    "integration:limits": lambda t: {"edition": "ultimate", "daily_credit_cap": "1000"},
    "mapping:edit": lambda t: mapping_unmap_all(t.a),
    "team": lambda t: {"email": "sweep@example.com", "role": "admin"},
    "membership_role": lambda t: {"role": "admin"},
}
DEFAULT_BODY = {"email": "x@example.com", "name": "Sweep", "label": "Sweep"}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route itself when the pattern has no name
    route: str
    kwargs: tuple[str, ...]
    namespace: str = ""

    @property
    def names_a_tenant(self) -> bool:
        """Whether the URL carries anything of workspace A (a slug, an id, a token)."""
        return any(kwarg not in SAME_IN_EVERY_WORKSPACE for kwarg in self.kwargs)

    @property
    def has_object(self) -> bool:
        """Whether the URL names one of A's objects, beyond A's slug."""
        ours = {*SAME_IN_EVERY_WORKSPACE, "workspace_slug"}
        return any(kwarg not in ours for kwarg in self.kwargs)


def all_routes() -> list[Route]:
    """Every URL pattern of the project, namespaces included."""
    return sorted(_walk(get_resolver().url_patterns, "", (), ()), key=lambda r: r.name)


def _walk(patterns, prefix: str, namespaces: tuple, kwargs: tuple) -> Iterator[Route]:
    for entry in patterns:
        groups = tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(
                entry.url_patterns, prefix + str(entry.pattern), inner, kwargs + groups
            )
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = ":".join((*namespaces, entry.name)) if entry.name else route
            yield Route(name, route, kwargs + groups, namespace=":".join(namespaces))


def skip_reason(route: Route) -> str | None:
    for key, reason in SKIPPED.items():
        if key in (route.name, route.namespace) or route.namespace.startswith(key + ":"):
            return reason
    for url in (settings.STATIC_URL, settings.MEDIA_URL):
        prefix = urlsplit(url or "").path.strip("/")
        if prefix and route.route.startswith(prefix + "/"):
            return "static and media files"
    return None


def swept_routes() -> list[Route]:
    return [route for route in all_routes() if skip_reason(route) is None]


def url_of(route: Route, tenants: Tenants, *, slug: str | None = None) -> str:
    """The route's URL with A's slug (or `slug`) and A's objects; fails for an unknown kwarg."""
    if route.name == route.route:
        pytest.fail(
            f"URL pattern {route.route!r} has no name: name it so the sweep can reverse it."
        )
    values = {kwarg: _value(route, kwarg, tenants) for kwarg in route.kwargs}
    if slug is not None and "workspace_slug" in values:
        values["workspace_slug"] = slug
    return reverse(route.name, kwargs=values)


def _value(route: Route, kwarg: str, tenants: Tenants):
    object_of = OBJECT_KWARGS.get(route.name, {}).get(kwarg)
    if object_of is not None:
        return object_of(tenants)
    if kwarg in SIMPLE_KWARGS:
        return SIMPLE_KWARGS[kwarg](tenants)
    pytest.fail(
        f"The isolation sweep cannot fill the URL kwarg {kwarg!r} of {route.name!r} "
        f"({route.route}). Add it to OBJECT_KWARGS (or SIMPLE_KWARGS) in "
        "tests/security/routes.py with an object of workspace A (create that object in "
        "tests/security/tenant_data.py if A has none), so this view is swept too."
    )


def post_body(route: Route, tenants: Tenants) -> dict:
    body = POST_BODIES.get(route.name)
    return body(tenants) if body else dict(DEFAULT_BODY)


def page_text(response) -> str:
    """A response's body as text, streamed ones (CSV exports) included."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")
