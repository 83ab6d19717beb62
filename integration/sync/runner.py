"""A sync run from start to end: lock, pull, push, record.

`sync_run` is what every trigger calls (the schedule, a form submission,
Synchronise now, Resync everything, the command). It takes the workspace's
lease; a trigger that finds it taken asks the running worker for one
follow-up run, so triggers coalesce and none is dropped.
"""

import logging
import time
from collections.abc import Callable

from django.utils import timezone

from accounts.models import Workspace
from accounts.services import workspace_mark_resynced
from integration.clients import client_for
from integration.models import SyncRun, SyncState, ZohoConnection
from integration.selectors.connection import connection_of
from integration.selectors.sync import credits_spent
from integration.sync import lock
from integration.sync.context import LEADS, MODULES, plan_for
from integration.sync.convert import to_plezi, to_zoho
from integration.sync.pull import (
    Conversions,
    pull_modules,
    pull_records,
    unlink_deleted,
    watermarks_of,
)
from integration.sync.push import plezi_urls, push_changed
from integration.sync.record import Recorder
from integration.zoho.client import ZohoClient
from integration.zoho.errors import (
    CreditBudgetSpent,
    ZohoAuthError,
    ZohoCreditsExhausted,
    ZohoError,
)

logger = logging.getLogger(__name__)
PREVIEW_LIMIT = 500
# Progress, counters, issues and the lease are written this often (seconds) while pulling.
CHECKPOINT_EVERY = 1.0


class LeaseLost(Exception):
    """Another worker took over this workspace (ours was presumed dead): stop now."""


class Run:
    """One run in progress: what the pull and push steps read and report to."""

    def __init__(
        self, *, model: SyncRun, client, plan, holder: str, on_progress=None, concurrency: int = 1
    ) -> None:
        self.model, self.client, self.plan, self.holder = model, client, plan, holder
        # Zoho calls in flight at once (the client keeps it within the org's cap).
        self.concurrency = concurrency
        self.workspace = model.workspace
        self.dry_run = model.dry_run
        self.recorder = Recorder(model)
        self.on_progress = on_progress
        self.watermarks = watermarks_of(self.workspace)
        self.module_errors: dict[str, str] = {}  # Zoho modules that could not be read
        self.conversions = Conversions(to_plezi)
        self.to_zoho = Conversions(to_zoho)
        self.plezi_url = plezi_urls(self.workspace)  # Contact.plezi_url, without a query each
        self.checkpointed = time.monotonic()

    def step(self, n: int) -> None:
        """`n` more records done: written at most every CHECKPOINT_EVERY (three writes each)."""
        self.recorder.progress(done=self.model.done + n)
        if time.monotonic() - self.checkpointed >= CHECKPOINT_EVERY:
            self.checkpoint()

    def checkpoint(self) -> None:
        self.checkpointed = time.monotonic()
        self.recorder.checkpoint(client=self.client)
        if self.on_progress:
            self.on_progress(self.model)
        if not lock.lease_renew(workspace_id=self.workspace.pk, holder=self.holder):
            raise LeaseLost("This run's lease expired and another run took over.")

    def preview_pull(self, module, item, contact, result) -> None:
        if result.to_plezi or contact.pk is None:
            action = "create" if contact.pk is None else "update"
            self._preview("Plezi", action, item.email, result.to_plezi, module)

    def preview_push(self, out) -> None:
        action = "update" if out.state and out.state.zoho_id else "create"
        self._preview("Zoho", action, out.contact.email, out.payload, LEADS)

    def _preview(self, side, action, email, changes, module) -> None:
        if len(self.model.preview) < PREVIEW_LIMIT:
            self.model.preview.append(
                {
                    "side": side,
                    "action": action,
                    "email": email,
                    "module": module,
                    "changes": {k: _jsonable(v) for k, v in changes.items()},
                }
            )


def _jsonable(value):
    return value if isinstance(value, (str, int, float, bool, list, type(None))) else str(value)


def sync_run(
    *,
    workspace_id: int,
    trigger: str,
    full: bool = False,
    dry_run: bool = False,
    contact_ids: list[int] | None = None,
    on_progress: Callable[[Run], None] | None = None,
    make_client: Callable[[ZohoConnection], ZohoClient] | None = None,
) -> SyncRun | None:
    """Run a sync for the workspace, or queue a follow-up if one is running (returns None).

    `on_progress(run)` is called at each checkpoint (the command draws a bar);
    `make_client(connection)` builds the Zoho client (default `client_for`, looked up
    at call time).
    """
    holder = lock.new_holder()
    if not lock.lease_acquire(workspace_id=workspace_id, holder=holder):
        if dry_run:
            return _preview_refused(workspace_id, trigger)  # a follow-up would write for real
        lock.request_follow_up(workspace_id=workspace_id, trigger=trigger, full=full)
        # The running worker may have finished between our two steps: try once more.
        if not lock.lease_acquire(workspace_id=workspace_id, holder=holder):
            return None
    try:
        while True:
            run = _execute(
                workspace_id, trigger, full, dry_run, contact_ids, holder, on_progress, make_client
            )
            if lock.lease_release(workspace_id=workspace_id, holder=holder):
                return run
            trigger, full = lock.follow_up_take(workspace_id=workspace_id, holder=holder)
            contact_ids, dry_run = None, False
    except BaseException:
        lock.lease_release(workspace_id=workspace_id, holder=holder)
        raise


def _preview_refused(workspace_id: int, trigger: str) -> SyncRun:
    return SyncRun.objects.create(
        workspace_id=workspace_id,
        trigger=trigger,
        dry_run=True,
        status=SyncRun.Status.FAILED,
        ended_at=timezone.now(),
        error=PREVIEW_REFUSED,
    )


def close_interrupted_runs(workspace: Workspace) -> int:
    """Runs still `running` while we hold the lease died with their worker: close them."""
    return (
        SyncRun.objects.for_workspace(workspace)
        .filter(status=SyncRun.Status.RUNNING)
        .update(
            status=SyncRun.Status.FAILED,
            ended_at=timezone.now(),
            error="The worker stopped during this run (restarted or killed). Nothing was lost: "
            "the next run picks up what this one had not finished.",
        )
    )


def _execute(
    workspace_id, trigger, full, dry_run, contact_ids, holder, on_progress, make_client
) -> SyncRun:
    workspace = Workspace.objects.get(pk=workspace_id)
    close_interrupted_runs(workspace)
    model = SyncRun.objects.create(workspace=workspace, trigger=trigger, full=full, dry_run=dry_run)
    connection = connection_of(workspace)
    if connection is None or not connection.is_usable:
        return _finish(model, None, SyncRun.Status.FAILED, _NOT_CONNECTED)
    client = (make_client or client_for)(connection)
    plan = plan_for(
        workspace, filter_field=connection.filter_field, filter_value=connection.filter_value
    )
    run = Run(
        model=model,
        client=client,
        plan=plan,
        holder=holder,
        on_progress=on_progress,
        concurrency=connection.max_concurrency,
    )
    first_run = not run.watermarks
    client.credit_budget = _credit_budget(connection, model)
    try:
        _steps(run, full=full, contact_ids=contact_ids)
    except ZohoCreditsExhausted:
        return _finish(model, run, SyncRun.Status.PARTIAL, _NO_CREDITS)
    except CreditBudgetSpent:
        return _finish(model, run, SyncRun.Status.PARTIAL, _cap_reached(connection))
    except ZohoAuthError as error:
        return _finish(model, run, SyncRun.Status.FAILED, str(error))
    except (ZohoError, LeaseLost) as error:
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


def _steps(run: Run, *, full: bool, contact_ids) -> None:
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


def _finish(model: SyncRun, run: Run | None, status: str, error: str) -> SyncRun:
    """Close the run: counters, status and end time in one write."""
    model.status, model.error, model.ended_at = status, error, timezone.now()
    if run is None:
        model.save(update_fields=["status", "error", "ended_at"])
        return model
    run.recorder.progress(phase="Done")
    run.recorder.checkpoint(client=run.client, extra=("status", "error", "ended_at", "preview"))
    return model


PREVIEW_REFUSED = (
    "A synchronisation was running, so no preview was made (it would not show what the "
    "running one is changing). Click “Preview” again once it has finished."
)
_NOT_CONNECTED = (
    "Zoho CRM is not connected (or needs reconnecting). Open the Zoho CRM page, fill in the "
    "configuration and click “Update your configuration”, then synchronise again."
)
_NO_CREDITS = (
    "Zoho's daily API credits ran out, so the run stopped early. What was done is kept; the rest "
    "is synced by the next run once Zoho grants credits again (a rolling 24 hours), or buy "
    "add-on credits in Zoho."
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


_UNEXPECTED = (
    "An unexpected error stopped the run. Nothing was lost: the next run resumes the work. "
    "If it happens again, contact support with the run's time."
)
