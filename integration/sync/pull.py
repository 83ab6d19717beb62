"""Pull: Zoho records modified since the module's watermark, merged into Plezi.

Each page is written in its own transaction, with the page's contacts locked,
so a user's edit made meanwhile is never overwritten unseen. The watermark
moves only once the whole module was pulled and committed: a crash re-pulls
from the old watermark, and the shadow makes the re-pull cost nothing.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_noop

from integration.sync import issues
from integration.sync.apply import apply_page
from integration.sync.context import LEADS, Run
from integration.sync.incoming import Pulled, fields_to_read, record_read
from integration.sync.states import states_unlink_deleted
from integration.sync.watermarks import OVERLAP, SETTLED_AFTER, seen_key, watermark_move
from integration.zoho.errors import (
    CreditBudgetSpent,
    ZohoAuthError,
    ZohoError,
    ZohoRateLimited,
    ZohoRequestError,
)

# Zoho's answer when one listing goes past 100,000 records.
REACH_EXCEEDED = "PAGINATION_LIMIT_EXCEEDED"

# A Modified_Time past Zoho's own clock by more than this is a bad date, not a change:
# the watermark never follows it, or no later edit would ever be read.
FUTURE_SKEW = timedelta(minutes=5)

# The watermark of Zoho's deleted leads (their deleted_time).
_DELETED_KEY = f"{LEADS}.deleted"


def pull_modules(
    run: Run,
    modules: Iterable[str],
    *,
    full: bool = False,
) -> None:
    """Pull every in-scope record of each module changed since its watermark.

    Zoho serves one listing's pages only one after another (page tokens), so the
    modules are read side by side: pages alternate between modules, and each
    module's next page is on its way while the current one is written. Every
    module's first page leaves at once.
    """
    pulls: list[_ModulePull] = []
    try:
        for module in modules:
            pulls.append(_ModulePull(run, module, full=full))
        active = list(pulls)
        while active:
            for pull in list(active):
                try:
                    more = pull.next_page()
                except ZohoError as error:
                    if not _module_only(error):
                        raise
                    # This module's failure is its own: the other one goes on, and the
                    # run says which module waits for the next run (watermark unmoved).
                    run.module_errors[pull.module] = error.message
                    more = False
                if not more:
                    active.remove(pull)
                run.between_batches()
        for module, ids in run.written_meanwhile.items():
            pull_records(run, module, sorted(ids))
    finally:
        for pull in pulls:
            pull.pages.close()  # an error stops the other module's prefetch too


class _ModulePull:
    """One module's pull in progress: its pages, the newest change seen, its watermark."""

    def __init__(self, run: Run, module: str, *, full: bool) -> None:
        self.run, self.module = run, module
        self.watermark = None if full else run.watermarks.get(module)
        seen = run.watermarks.get(seen_key(module))
        # Zoho's clock has passed the watermark by at least the time since we saw it.
        self.settled = bool(self.watermark and seen and timezone.now() - seen >= SETTLED_AFTER)
        self.newest, self.reread = self.watermark, False
        self.reached: datetime | None = None  # the last Modified_Time listed, in scope or not
        self.fields = fields_to_read(run, module)
        run.recorder.progress(phase=gettext_noop("Reading Leads and Contacts from Zoho"))
        self._list(self.watermark - OVERLAP if self.watermark else None)

    def _list(self, since: datetime | None) -> None:
        self.since = since
        self.pages = self.run.client.iter_records(
            self.module, fields=self.fields, modified_since=since, prefetch=True
        )

    def next_page(self) -> bool:
        """Write the next page; False (and the watermark moved) once there is none."""
        try:
            page = next(self.pages, None)
        except ZohoRequestError as error:
            if error.code != REACH_EXCEEDED:
                raise
            self._list_again()
            return True
        if page is None:
            self._finish()
            return False
        pulled = [p for p in (record_read(self.run, self.module, r) for r in page) if p is not None]
        # A record the fast lane wrote may be here as read before that write: it is read
        # again once the pages are done, or this copy would undo the form's push.
        written = self.run.written_meanwhile.get(self.module, ())
        current = [p for p in pulled if str(p.record["id"]) not in written]
        apply_page(self.run, self.module, current, listed=page)
        stamps = [p.modified_at for p in self._dated_now_or_before(pulled)]
        self.newest = max([*stamps, *([self.newest] if self.newest else [])], default=None)
        self.reached = _last_modified(page) or self.reached
        self.reread = True
        self.run.step(len(page))
        return True

    def _dated_now_or_before(self, pulled: list[Pulled]) -> list[Pulled]:
        """The records the watermark may follow; those dated in the future are synced
        all the same, and reported."""
        limit = (self.run.client.zoho_time or timezone.now()) + FUTURE_SKEW
        for item in pulled:
            if item.modified_at and item.modified_at > limit:
                issues.notice(
                    self.run,
                    issues.from_zoho(self.module, str(item.record.get("id") or ""), item.email),
                    field="Modified_Time",
                    code="FUTURE_DATE",
                    message=f"Zoho dates this record's last change "
                    f"{item.modified_at:%Y-%m-%d %H:%M} UTC, later than Zoho's own clock. It "
                    "was synchronised, but its date is not used to decide what to read next "
                    "(later edits in Zoho would be missed). Check the record's history in "
                    "Zoho (an import or an integration with a wrong clock).",
                )
        return [p for p in pulled if p.modified_at and p.modified_at <= limit]

    def _list_again(self) -> None:
        """A listing reaches 100,000 records at most (page tokens): start a new one from
        the newest change written so far (pages are written in Modified_Time order)."""
        since = self.reached - OVERLAP if self.reached else None
        if since is None or (self.since is not None and since <= self.since):
            raise ZohoRequestError(
                f"More than 100,000 Zoho {self.module} records share the same few seconds of "
                "Modified_Time, so Zoho cannot list them all. Contact support.",
                code=REACH_EXCEEDED,
            )
        self.pages.close()
        self._list(since)

    def _finish(self) -> None:
        if self.reread and self.settled and self.newest == self.watermark:
            # Only records already seen came back (the overlap), and Zoho's clock had
            # passed them when this read began: none can still appear with those times.
            # Step past them, or every later run re-reads the last seconds' records.
            watermark_move(self.run, self.module, self.watermark + OVERLAP + timedelta(seconds=1))
        else:
            watermark_move(self.run, self.module, self.newest)


def _module_only(error: ZohoError) -> bool:
    """A failure of one module's reading, not of the connection, credits or cap."""
    return not isinstance(error, (ZohoAuthError, ZohoRateLimited, CreditBudgetSpent))


def _last_modified(page: list) -> datetime | None:
    """The page's last Modified_Time (pages come oldest change first)."""
    last = page[-1] if page and isinstance(page[-1], dict) else {}
    value = last.get("Modified_Time")
    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None


def pull_records(run: Run, module: str, ids: list[str], *, any_scope: bool = False) -> None:
    """Pull named records (a targeted run reads its contacts' leads before pushing).

    `any_scope`: the records are followed whatever the filter says (a converted lead's
    Contact: the conversion may not have copied the filter field)."""
    if not ids:
        return
    records = run.client.get_records(module, ids, fields=fields_to_read(run, module))
    pulled = [p for p in (record_read(run, module, r, any_scope=any_scope) for r in records) if p]
    apply_page(run, module, pulled)


def _deleted_read(run: Run) -> list[dict]:
    watermark = run.watermarks.get(_DELETED_KEY)
    return run.client.deleted_records(LEADS, since=watermark - OVERLAP if watermark else None)


def unlink_deleted(run: Run) -> None:
    """Leads deleted in Zoho: drop the link, and do not re-create them unless edited again.

    Asked for after the pull, not beside the listings' pages: a run holding slots for its
    pages while it waits for one more could wait on slots only runs like it can free."""
    deleted = _deleted_read(run)
    ids = [str(d["id"]) for d in deleted]
    if ids and not run.dry_run:
        unlinked = states_unlink_deleted(run, lead_ids=ids, at=timezone.now())
        run.recorder.count("unlinked", unlinked)
    stamps = [parse_datetime(d.get("deleted_time") or "") for d in deleted]
    watermark_move(run, _DELETED_KEY, max([s for s in stamps if s], default=None))
