"""A sync run from start to end: lock, pull, push, record.

Every trigger (the schedule, a form submission, Synchronise now, Resync
everything, a retry, a preview, the command) is a `SyncRequest` row;
`sync_serve` takes the workspace's lease and serves the open requests, so
triggers coalesce and none is dropped. A form submitted during a long run takes
the fast lane: the running run pushes it between two pages.
"""

import logging
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Workspace
from accounts.services import workspace_mark_resynced
from integration.clients import client_for
from integration.models import SyncRun, SyncState, ZohoConnection
from integration.selectors.connection import connection_of
from integration.selectors.sync import credits_spent
from integration.sync import lock, triggers
from integration.sync.context import LEADS, MODULES, LeaseLost, Run, plan_for
from integration.sync.pull import pull_modules, pull_records, unlink_deleted
from integration.sync.push import push_changed
from integration.sync.watermarks import watermarks_of
from integration.zoho.client import ZohoClient
from integration.zoho.errors import (
    CreditBudgetSpent,
    ZohoCreditsExhausted,
    ZohoError,
)

logger = logging.getLogger(__name__)


def sync_run(
    *,
    workspace_id: int,
    trigger: str,
    full: bool = False,
    dry_run: bool = False,
    contact_ids: list[int] | None = None,
    on_progress: Callable[[SyncRun], None] | None = None,
    make_client: Callable[[ZohoConnection], ZohoClient] | None = None,
) -> SyncRun | None:
    """Ask for a run and serve it in this process; None when a run is going (it serves
    the request once its own work is done).

    `on_progress(model)` is called at each checkpoint (the command draws a bar);
    `make_client(connection)` builds the Zoho client (default `client_for`, looked up
    at call time).
    """
    request = triggers.request_add(
        workspace_id=workspace_id,
        trigger=trigger,
        full=full,
        dry_run=dry_run,
        contact_ids=contact_ids,
    )
    sync_serve(workspace_id=workspace_id, on_progress=on_progress, make_client=make_client)
    request.refresh_from_db()
    return request.run


def sync_serve(
    *,
    workspace_id: int,
    on_progress: Callable[[SyncRun], None] | None = None,
    make_client: Callable[[ZohoConnection], ZohoClient] | None = None,
) -> None:
    """Serve the workspace's open requests, unless a live run holds it (it will).

    Requests arriving during a run are served by the next turn of the loop: one run
    for all of them. After releasing, a request may have come just before: look again.
    """
    holder = lock.new_holder()
    while lock.lease_acquire(workspace_id=workspace_id, holder=holder):
        try:
            with lock.heartbeat(workspace_id=workspace_id, holder=holder):
                while batch := triggers.requests_take(workspace_id=workspace_id, holder=holder):
                    run = _execute(workspace_id, batch, holder, on_progress, make_client)
                    triggers.requests_close(batch, holder=holder, run=run)
        except LeaseLost:
            return  # another worker took the workspace over, with its requests
        finally:
            lock.lease_release(workspace_id=workspace_id, holder=holder)
        if not triggers.requests_open(workspace_id=workspace_id):
            return


def close_interrupted_runs(workspace: Workspace) -> int:
    """Runs still `running` while we hold the lease died with their worker: close them."""
    return (
        SyncRun.objects.for_workspace(workspace)
        .filter(status=SyncRun.Status.RUNNING)
        .update(
            status=SyncRun.Status.FAILED,
            ended_at=timezone.now(),
            error=_INTERRUPTED,
        )
    )


def _serve_forms(outer: Run, make_client: Callable[[ZohoConnection], ZohoClient] | None) -> None:
    """The fast lane: form submissions that came during a long run go to Zoho now, in
    a run of their own inside this one's lease (never two writers on one workspace)."""
    workspace_id = outer.workspace.pk
    batch = triggers.forms_take(workspace_id=workspace_id, holder=outer.holder)
    if batch:
        run = _execute(workspace_id, batch, outer.holder, None, make_client, within=outer.model)
        triggers.requests_close(batch, holder=outer.holder, run=run)
        linked = SyncState.objects.filter(
            workspace_id=workspace_id, contact_id__in=batch.contact_ids
        ).exclude(zoho_id="")
        for module, zoho_id in linked.values_list("zoho_module", "zoho_id"):
            outer.written_meanwhile[module].add(zoho_id)


def _execute(
    workspace_id: int,
    batch: triggers.Batch,
    holder: str,
    on_progress: Callable[[SyncRun], None] | None,
    make_client: Callable[[ZohoConnection], ZohoClient] | None,
    *,
    within: SyncRun | None = None,
) -> SyncRun:
    """One run serving `batch`. The outermost run serves form submissions arriving
    meanwhile, each in a fast-lane run `within` it (which does not nest another)."""
    workspace = Workspace.objects.get(pk=workspace_id)
    fast_lane = within is None
    if fast_lane:
        close_interrupted_runs(workspace)
    full, dry_run, contact_ids = batch.full, batch.dry_run, batch.contact_ids
    model = SyncRun.objects.create(
        workspace=workspace, trigger=batch.trigger, full=full, dry_run=dry_run, within=within
    )
    connection = connection_of(workspace)
    if connection is None or not connection.is_usable:
        return _finish(model, None, SyncRun.Status.FAILED, _NOT_CONNECTED)
    client = (make_client or client_for)(connection)
    client.name_requests(f"run {model.pk}")
    plan = plan_for(
        workspace, filter_field=connection.filter_field, filter_value=connection.filter_value
    )
    run = Run(
        model=model,
        client=client,
        plan=plan,
        holder=holder,
        watermarks=watermarks_of(workspace),
        on_progress=on_progress,
        concurrency=connection.max_concurrency,
    )
    if fast_lane:
        run.fast_lane = lambda: _serve_forms(run, make_client)
    first_run = not run.watermarks
    client.credit_budget = _credit_budget(connection, model)
    try:
        _steps(run, full=full, contact_ids=contact_ids)
    except ZohoCreditsExhausted:
        return _finish(model, run, SyncRun.Status.PARTIAL, _NO_CREDITS)
    except CreditBudgetSpent:
        return _finish(model, run, SyncRun.Status.PARTIAL, _cap_reached(connection))
    except LeaseLost as error:
        _finish(model, run, SyncRun.Status.FAILED, str(error))
        raise
    except ZohoError as error:
        return _finish(model, run, SyncRun.Status.FAILED, str(error))
    except Exception:
        logger.exception("Sync run %s failed", model.pk)
        return _finish(model, run, SyncRun.Status.FAILED, _UNEXPECTED)
    if run.module_errors:
        return _finish(model, run, SyncRun.Status.PARTIAL, _unread(run.module_errors))
    status = SyncRun.Status.PARTIAL if run.recorder.counts["failed"] else SyncRun.Status.SUCCESS
    finished = _finish(model, run, status, "")
    # A first run (no watermark yet) compares every record, as a full resync does.
    if (full or first_run) and not dry_run and contact_ids is None:
        workspace_mark_resynced(workspace=workspace, at=model.started_at)
    return finished


def _credit_budget(connection: ZohoConnection, model: SyncRun) -> int | None:
    """What this run may spend under the workspace's daily cap. A form submission's run
    is never held back: it costs a few credits and a lead must not wait a day."""
    if connection.daily_credit_cap is None or model.trigger == SyncRun.Trigger.FORM:
        return None
    spent = credits_spent(model.workspace, exclude_run=model.pk)
    return max(0, connection.daily_credit_cap - spent)


def _steps(run: Run, *, full: bool, contact_ids: list[int] | None) -> None:
    if contact_ids is None:
        pull_modules(run, MODULES, full=full)
        if LEADS in run.module_errors:
            return  # a push merges with what the Leads pull read: it waits for the next run
        unlink_deleted(run)
    else:
        linked = SyncState.objects.for_workspace(run.workspace).filter(
            contact_id__in=contact_ids, zoho_module=LEADS
        )
        pull_records(run, LEADS, [s.zoho_id for s in linked if s.zoho_id])
    push_changed(run, contact_ids=contact_ids, full=full)


def _finish(model: SyncRun, run: Run | None, status: SyncRun.Status, error: str) -> SyncRun:
    """Close the run: counters, status and end time in one write."""
    model.status, model.error, model.ended_at = status, error, timezone.now()
    if run is None:
        model.save(update_fields=["status", "error", "ended_at"])
        return model
    run.recorder.progress(phase=gettext_noop("Done"))
    run.recorder.checkpoint(client=run.client, extra=("status", "error", "ended_at", "preview"))
    return model


# Stored in English as they are; the pages translate them when shown (`{% translate run.error %}`).
_NOT_CONNECTED = gettext_noop(
    "Zoho CRM is not connected (or needs reconnecting). Open the Zoho CRM page, fill in the "
    "configuration and click “Update your configuration”, then synchronise again."
)
_NO_CREDITS = gettext_noop(
    "Zoho's daily API credits ran out, so the run stopped early. What was done is kept; the rest "
    "is synced by the next run once Zoho grants credits again (a rolling 24 hours), or buy "
    "add-on credits in Zoho."
)
_INTERRUPTED = gettext_noop(
    "The worker stopped during this run (restarted or killed). Nothing was lost: "
    "what it had been asked to do is done by the run that follows it, which resumes "
    "where this one stopped."
)


def _unread(module_errors: dict[str, str]) -> str:
    said = " ".join(
        f"Zoho {module} could not be read: {message}" for module, message in module_errors.items()
    )
    waits = (
        "Plezi's changes were not sent either: they wait for Leads to be read. "
        if LEADS in module_errors
        else ""
    )
    return (
        f"{said} {waits}The rest was synced; the next run reads "
        f"{' and '.join(module_errors)} again from where it stopped."
    )


def _cap_reached(connection: ZohoConnection) -> str:
    return (
        f"The sync reached this workspace's cap of {connection.daily_credit_cap:,} Zoho credits "
        "in 24 hours, so the run stopped early. What was done is kept; the next runs go on "
        "as credits of the last 24 hours free up. Form submissions still reach Zoho. To "
        "spend more, raise the cap on the Zoho CRM page."
    )


_UNEXPECTED = gettext_noop(
    "An unexpected error stopped the run. Nothing was lost: the next run resumes the work. "
    "If it happens again, contact support with the run's time."
)
