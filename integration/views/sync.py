"""The marketer's sync pages: history, a run's progress and issues, actions, a contact's panel."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import workspace_view
from contacts.models import Contact
from integration.models import SyncIssue, SyncRun, SyncState
from integration.selectors.sync import (
    NEEDS_RECONNECT,
    NOT_CONNECTED,
    automatic_sync,
    daily_activity,
    last_finished_run,
    latest_run,
    runs_filtered,
    runs_signature,
    summary_labels,
    sync_blocked,
)
from integration.services.sync import sync_enqueue, sync_retry_failed
from integration.sync.lock import lease_held

RUNS_PER_PAGE = 25
ISSUES_PER_PAGE = 50
# The htmx event a poll answers with when a run started or ended: live regions refetch.
RUNS_CHANGED = "sync-runs-changed"


@workspace_view
def history(request):
    return render(request, "integration/history.html", {**_live(request), **_current(request)})


@workspace_view
def live(request):
    """What changes when a run starts or ends: the banners (out of band), the automatic
    sync, the chart and the history. The page fetches it when the latest-run card says so."""
    return render(request, "integration/_sync_live.html", _live(request))


def _live(request) -> dict:
    workspace = request.workspace
    runs = runs_filtered(
        workspace, status=request.GET.get("status"), trigger=request.GET.get("trigger")
    )
    return {
        "page": Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page")),
        "statuses": SyncRun.Outcome.choices,
        "triggers": SyncRun.Trigger.choices,
        "count_labels": summary_labels(),
        "chart": daily_activity(workspace),
        "automatic": automatic_sync(workspace),
        "last_finished": last_finished_run(workspace),
        "blocked": sync_blocked(workspace),
    }


@workspace_view
def current_run(request):
    """The latest-run card: htmx polls it, fast while a run is queued or going, slowly
    otherwise. When a run started or ended since the card was drawn (`seen`), it tells
    the page (`sync-runs-changed`) to fetch the history, chart and banners again."""
    context = _current(request)
    response = render(request, "integration/_current_run.html", context)
    seen = request.GET.get("seen")
    if request.htmx and seen is not None and seen != context["seen"]:
        response["HX-Trigger"] = RUNS_CHANGED
    return response


def _current(request) -> dict:
    """The latest run, and whether the one just asked for (`?queued=`) has not started yet.

    A worker picks the run up a moment after the click; until then the panel
    says it is queued and keeps polling.
    """
    current = latest_run(request.workspace)
    try:
        queued = parse_datetime(request.GET.get("queued") or "")
    except ValueError:  # well formed but impossible (month 13): as if absent
        queued = None
    if queued is not None and timezone.is_naive(queued):
        queued = timezone.make_aware(queued)
    waiting = bool(queued) and (current is None or current.started_at < queued)
    return {
        "current": current,
        "waiting": waiting,
        "queued": request.GET.get("queued", "") if waiting else "",
        "seen": runs_signature(request.workspace),
    }


@workspace_view
def run_detail(request, pk):
    run = get_object_or_404(SyncRun.objects.for_workspace(request.workspace), pk=pk)
    issues = run.issues.all()
    kind = request.GET.get("kind")
    if kind in SyncIssue.Kind.values:
        issues = issues.filter(kind=kind)
    page = Paginator(issues, ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"run": run, "page": page, "kinds": SyncIssue.Kind.choices, "kind": kind}
    context["blocked"] = sync_blocked(request.workspace)
    return render(request, "integration/run_detail.html", context)


@workspace_view
def run_progress(request, pk):
    run = get_object_or_404(SyncRun.objects.for_workspace(request.workspace), pk=pk)
    response = render(request, "integration/_run_progress.html", {"run": run})
    if request.htmx and not run.is_running:  # it polls only a running run: this one just ended
        response["HX-Trigger"] = RUNS_CHANGED
    return response


def _start(request, *, trigger: str, full: bool = False, dry_run: bool = False, note: str):
    asked_at = timezone.now()  # before enqueueing: an inline worker may start at once
    sync_enqueue(workspace_id=request.workspace.pk, trigger=trigger, full=full, dry_run=dry_run)
    messages.success(request, note)
    history = reverse("sync:history", kwargs={"workspace_slug": request.workspace.slug})
    return redirect(f"{history}?{urlencode({'queued': asked_at.isoformat()})}")


REFUSALS = {
    NOT_CONNECTED: gettext_lazy(
        "Zoho CRM is not connected, so nothing was started. Connect Zoho CRM first, "
        "then synchronise."
    ),
    NEEDS_RECONNECT: gettext_lazy(
        "Zoho CRM needs reconnecting, so nothing was started. Reconnect Zoho CRM first, "
        "then synchronise."
    ),
}


def _refused(request):
    """No Zoho to talk to: say so and ask for nothing (the run would only fail)."""
    blocked = sync_blocked(request.workspace)
    if not blocked:
        return None
    messages.error(request, REFUSALS[blocked])
    return redirect("sync:history", workspace_slug=request.workspace.slug)


@require_POST
@workspace_view
def sync_now(request):
    if refused := _refused(request):
        return refused
    return _start(
        request,
        trigger=SyncRun.Trigger.MANUAL,
        note=_("Synchronisation started. Progress shows below; you can leave this page."),
    )


@require_POST
@workspace_view(admin=True)
def resync(request):
    if refused := _refused(request):
        return refused
    return _start(
        request,
        trigger=SyncRun.Trigger.RESYNC,
        full=True,
        note=_("Full resynchronisation started: every contact is compared again with Zoho."),
    )


@require_POST
@workspace_view
def preview(request):
    if refused := _refused(request):
        return refused
    if lease_held(workspace_id=request.workspace.pk):
        note = _(
            "Preview queued: it starts when the synchronisation running now ends, so it "
            "shows what is left to change. Nothing is written."
        )
    else:
        note = _("Preview started: nothing is written. Open the run to see what would change.")
    return _start(request, trigger=SyncRun.Trigger.MANUAL, dry_run=True, note=note)


@require_POST
@workspace_view
def retry_failed(request, pk):
    run = get_object_or_404(SyncRun.objects.for_workspace(request.workspace), pk=pk)
    if refused := _refused(request):
        return refused
    count = sync_retry_failed(run=run)
    if count:
        messages.success(request, _("Retrying %(count)s failed record(s).") % {"count": count})
    else:
        messages.info(request, _("This run has no failed Plezi records to retry."))
    return redirect("sync:history", workspace_slug=request.workspace.slug)


@workspace_view
def contact_panel(request, pk):
    """Why did this contact (not) sync: its link, last outcome, conflicts and issues."""
    contact = get_object_or_404(Contact.objects.for_workspace(request.workspace), pk=pk)
    state = SyncState.objects.filter(contact=contact).select_related("last_run").first()
    issues = SyncIssue.objects.for_workspace(request.workspace).filter(contact=contact)
    context = {
        "contact": contact,
        "state": state,
        "issues": issues.select_related("run").order_by("-id")[:20],
    }
    return render(request, "integration/_contact_sync_panel.html", context)
