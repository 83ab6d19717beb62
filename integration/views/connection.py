"""The Zoho CRM page: the connection's state for members, its configuration for admins."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import workspace_view
from integration.checks import ConnectionProblem
from integration.forms import ConnectionForm, LimitsForm
from integration.selectors.connection import (
    connection_of,
    connection_state,
    pending_grant_of,
    recent_changes,
)
from integration.services.connect import connection_limits_update, connection_update
from integration.services.health import (
    connection_check,
    connection_disconnect,
    connection_refresh_fields,
)

CONNECTED = gettext_lazy(
    "Zoho CRM is connected and your configuration is saved. Check the fields below, review "
    "the mapping, then launch a synchronisation."
)


@workspace_view(read_only_for_members=True)
@require_http_methods(["GET", "POST"])
def connection(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    existing = connection_of(workspace)
    form, retype = None, []
    if request.membership.is_admin:
        form = ConnectionForm(request.POST or None, connection=existing)
    if request.method == "POST":
        code_unused = True
        if form.is_valid():
            try:
                connection_update(workspace=workspace, data=form.cleaned_data, actor=request.user)
            except ConnectionProblem as problem:
                form.add_error(problem.field, problem.message)
                code_unused = problem.code_unused
            else:
                messages.success(request, CONNECTED)
                return redirect("integration:connection", workspace.slug)
        kept = pending_grant_of(workspace) is not None
        retype = form.note_secrets(kept=kept, code_unused=code_unused)
    elif form is not None and pending_grant_of(workspace) is not None:
        form.note_secrets(kept=True, code_unused=False)  # back later, within the hour
    limits_form = LimitsForm(instance=existing) if existing and form is not None else None
    return _page(request, form, limits_form, retype=retype)


@workspace_view(admin=True)
@require_POST
def limits(request: HttpRequest) -> HttpResponse:
    existing = _connection_or_none(request)
    if existing is None:
        return redirect("integration:connection", request.workspace.slug)
    limits_form = LimitsForm(request.POST, instance=connection_of(request.workspace))
    if not limits_form.is_valid():
        return _page(request, ConnectionForm(connection=existing), limits_form)
    connection_limits_update(
        connection=existing,
        edition=limits_form.cleaned_data["edition"],
        daily_credit_cap=limits_form.cleaned_data["daily_credit_cap"],
        actor=request.user,
    )
    messages.success(request, _("Zoho edition and credit cap saved."))
    return redirect("integration:connection", request.workspace.slug)


def _page(request: HttpRequest, form, limits_form, *, retype=()) -> HttpResponse:
    return render(
        request,
        "integration/connection.html",
        {
            "form": form,
            "retype": retype,
            "limits_form": limits_form,
            "state": connection_state(request.workspace),
            "changes": recent_changes(request.workspace),
            "mapping_url": _optional_url("mapping:index", request.workspace.slug),
        },
    )


@workspace_view(admin=True)
@require_POST
def test_connection(request: HttpRequest) -> HttpResponse:
    existing = _connection_or_none(request)
    if existing is not None:
        health = connection_check(connection=existing)
        if health.ok:
            details = " ".join(c.detail for c in health.checks)
            messages.success(request, _("Connection OK: %(details)s") % {"details": details})
        else:
            messages.error(
                request, _("Connection test failed: %(problem)s") % {"problem": health.problem}
            )
    return redirect("integration:connection", request.workspace.slug)


@workspace_view(admin=True)
@require_POST
def refresh_fields(request: HttpRequest) -> HttpResponse:
    existing = _connection_or_none(request)
    if existing is not None:
        try:
            counts = connection_refresh_fields(connection=existing)
        except ConnectionProblem as problem:
            messages.error(
                request, _("Zoho fields not refreshed: %(problem)s") % {"problem": problem.message}
            )
        else:
            messages.success(
                request,
                _("Zoho fields refreshed: %(leads)s Leads fields, %(contacts)s Contacts fields.")
                % {"leads": counts["Leads"], "contacts": counts["Contacts"]},
            )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("integration:connection", request.workspace.slug)


@workspace_view(admin=True)
@require_http_methods(["GET", "POST"])
def disconnect(request: HttpRequest) -> HttpResponse:
    existing = connection_of(request.workspace)
    if existing is None or not existing.refresh_token:
        messages.info(request, _("Zoho CRM is not connected."))
        return redirect("integration:connection", request.workspace.slug)
    if request.method == "POST":
        revoked = connection_disconnect(connection=existing, actor=request.user)
        if revoked:
            messages.success(
                request, _("Zoho CRM is disconnected: its tokens are revoked and deleted.")
            )
        else:
            messages.warning(
                request,
                _(
                    "Zoho CRM is disconnected and its tokens are deleted here, but Zoho could "
                    "not be reached to revoke them: delete the Self Client in Zoho's API console."
                ),
            )
        return redirect("integration:connection", request.workspace.slug)
    return render(request, "integration/disconnect.html", {"connection": existing})


def _connection_or_none(request: HttpRequest):
    existing = connection_of(request.workspace)
    if existing is None:
        messages.error(request, _("Connect Zoho CRM first: fill in the configuration below."))
    return existing


def _optional_url(name: str, slug: str) -> str | None:
    """A link to another app's page, when that app's URLs are installed."""
    try:
        return reverse(name, args=[slug])
    except NoReverseMatch:
        return None
