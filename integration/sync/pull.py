"""Pull: Zoho records modified since the module's watermark, merged into Plezi.

Each page is written in its own transaction, with the page's contacts locked,
so a user's edit made meanwhile is never overwritten unseen. The watermark
moves only once the whole module was pulled and committed: a crash re-pulls
from the old watermark, and the shadow makes the re-pull cost nothing.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_noop

from contacts.models import Contact
from contacts.values import normalise_email
from integration.models import SyncIssue, SyncState, SyncWatermark
from integration.sync.context import CONTACTS, LEADS
from integration.sync.convert import ValueProblem, to_plezi
from integration.sync.merge import converted_shadow, merge_pull, merge_push
from integration.sync.record import rows_insert, rows_update
from integration.zoho.errors import (
    CreditBudgetSpent,
    ZohoAuthError,
    ZohoError,
    ZohoRateLimited,
    ZohoRequestError,
)

# Zoho's If-Modified-Since has one-second resolution: re-read a little overlap.
OVERLAP = timedelta(seconds=2)
# Zoho's answer when one listing goes past 100,000 records.
REACH_EXCEEDED = "PAGINATION_LIMIT_EXCEEDED"
# Past this long after the watermark was seen, Zoho's clock is surely beyond it.
SETTLED_AFTER = timedelta(seconds=5)
# A Modified_Time past Zoho's own clock by more than this is a bad date, not a change:
# the watermark never follows it, or no later edit would ever be read.
FUTURE_SKEW = timedelta(minutes=5)
FROM_ZOHO = SyncIssue.Direction.FROM_ZOHO


@dataclass
class Pulled:
    """One Zoho record, read and converted."""

    record: dict
    email: str
    modified_at: datetime | None
    values: dict


def pull_modules(run, modules, *, full: bool = False) -> None:
    """Pull every in-scope record of each module changed since its watermark.

    Zoho serves one listing's pages only one after another (page tokens), so the
    modules are read side by side: pages alternate between modules, and each
    module's next page is on its way while the current one is written.
    """
    pulls = [_ModulePull(run, module, full=full) for module in modules]
    try:
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

    def __init__(self, run, module: str, *, full: bool) -> None:
        self.run, self.module = run, module
        self.watermark = None if full else run.watermarks.get(module)
        seen = run.watermarks.get(_seen_key(module))
        # Zoho's clock has passed the watermark by at least the time since we saw it.
        self.settled = bool(self.watermark and seen and timezone.now() - seen >= SETTLED_AFTER)
        self.newest, self.reread = self.watermark, False
        self.reached: datetime | None = None  # the last Modified_Time listed, in scope or not
        self.fields = _fields(run, module)
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
        pulled = [p for p in (_read(self.run, self.module, r) for r in page) if p is not None]
        # A record the fast lane wrote may be here as read before that write: it is read
        # again once the pages are done, or this copy would undo the form's push.
        written = self.run.written_meanwhile.get(self.module, ())
        current = [p for p in pulled if str(p.record["id"]) not in written]
        if not self.run.dry_run:
            with transaction.atomic():
                _apply_page(self.run, self.module, current)
                _hold_left_scope(self.run, self.module, page)
        else:
            _apply_page(self.run, self.module, current)
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
                self.run.recorder.issue(
                    kind=SyncIssue.Kind.NOTICE,
                    direction=FROM_ZOHO,
                    module=self.module,
                    email=item.email,
                    zoho_id=str(item.record.get("id") or ""),
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
            _move_watermark(self.run, self.module, self.watermark + OVERLAP + timedelta(seconds=1))
        else:
            _move_watermark(self.run, self.module, self.newest)


def _module_only(error: ZohoError) -> bool:
    """A failure of one module's reading, not of the connection, credits or cap."""
    return not isinstance(error, (ZohoAuthError, ZohoRateLimited, CreditBudgetSpent))


def _fields(run, module: str) -> list[str]:
    """What a pull reads of each record: the mapped fields, the email, the filter, the time."""
    zoho_fields = run.plan.modules[module].zoho_fields
    return sorted({*zoho_fields, "Email", "Modified_Time", run.plan.filter_field} - {""})


def _last_modified(page: list) -> datetime | None:
    """The page's last Modified_Time (pages come oldest change first)."""
    last = page[-1] if page and isinstance(page[-1], dict) else {}
    value = last.get("Modified_Time")
    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _seen_key(key: str) -> str:
    return f"{key}.seen"


def _move_watermark(run, key: str, newest: datetime | None) -> None:
    if newest and newest != run.watermarks.get(key) and not run.dry_run:
        marks = {key: newest, _seen_key(key): timezone.now()}
        SyncWatermark.objects.bulk_create(
            [
                SyncWatermark(workspace=run.workspace, module=k, modified_since=v)
                for k, v in marks.items()
            ],
            update_conflicts=True,
            unique_fields=["workspace", "module"],
            update_fields=["modified_since"],
        )
        run.watermarks.update(marks)


def watermarks_of(workspace) -> dict[str, datetime]:
    """Per module: its watermark, and (`<module>.seen`) when we last saw it move."""
    return dict(
        SyncWatermark.objects.for_workspace(workspace).values_list("module", "modified_since")
    )


def _read(run, module: str, record: dict, *, any_scope: bool = False) -> Pulled | None:
    """Filter, identify and convert one record; issues for what cannot be read."""
    if not _well_formed(record):
        run.recorder.issue(
            kind=SyncIssue.Kind.SKIPPED,
            direction=FROM_ZOHO,
            module=module,
            zoho_id=_excerpt(record.get("id") if isinstance(record, dict) else ""),
            code="MALFORMED_RECORD",
            message=(
                "Zoho sent this record in a shape Plezi cannot read (no id, or a modification "
                "time of the wrong type), so it was skipped; the rest of the page was synced. "
                "If it persists, open the record in Zoho and save it again."
            ),
        )
        return None
    if not (any_scope or run.plan.in_scope(record)):
        return None
    run.recorder.count("pulled")
    try:
        raw_email = record.get("Email")
        email = normalise_email(raw_email if isinstance(raw_email, str) else "")
    except ValidationError:
        run.recorder.issue(
            kind=SyncIssue.Kind.SKIPPED,
            direction=FROM_ZOHO,
            module=module,
            zoho_id=str(record.get("id", "")),
            code="NO_EMAIL",
            message=(
                "This Zoho record has no valid email address, so it cannot be matched to a "
                "Plezi contact. Add an email in Zoho; it will be synced on the next run."
            ),
        )
        return None
    values = {}
    for pair in run.plan.modules[module].pull:
        if pair.zoho_api_name not in record:
            continue
        try:
            values[pair.plezi_key] = run.conversions(pair, record[pair.zoho_api_name])
        except ValueProblem as problem:
            run.recorder.issue(
                kind=SyncIssue.Kind.ERROR,
                direction=FROM_ZOHO,
                module=module,
                zoho_id=str(record["id"]),
                email=email,
                field=pair.plezi_key,
                code="UNKNOWN_VALUE",
                message=f"{problem} The Plezi field was left unchanged.",
            )
    modified = parse_datetime(record.get("Modified_Time") or "")
    return Pulled(record=record, email=email, modified_at=modified, values=values)


def _well_formed(record) -> bool:
    """One broken record must never stop the page: check what the pull relies on."""
    return (
        isinstance(record, dict)
        and isinstance(record.get("id"), (str, int))
        and not isinstance(record.get("id"), bool)
        and str(record["id"]).strip() != ""
        and isinstance(record.get("Modified_Time"), (str, type(None)))
    )


def _excerpt(value) -> str:
    return str(value or "")[:40]


class Conversions:
    """`to_plezi` (or `to_zoho`) with a memory: names, companies, cities and choices repeat
    from record to record, and each conversion costs a validation (a tenth of a pull's CPU)."""

    LIMIT = 20_000  # remembered values (then it starts afresh): memory stays flat

    def __init__(self, convert=to_plezi) -> None:
        self.convert = convert
        self.known: dict[tuple, object] = {}

    def __call__(self, pair, raw):
        if not isinstance(raw, str | int | float | bool | None):
            return self.convert(pair, raw)  # lists and lookups: not worth remembering
        key = (pair.plezi_key, pair.zoho_api_name, type(raw), raw)
        if key not in self.known:
            if len(self.known) >= self.LIMIT:
                self.known.clear()
            try:
                self.known[key] = self.convert(pair, raw)
            except ValueProblem as problem:
                self.known[key] = problem
        value = self.known[key]
        if isinstance(value, ValueProblem):
            raise ValueProblem(str(value))
        return list(value) if isinstance(value, list) else value  # never shared


def _apply_page(run, module: str, pulled: list[Pulled]) -> None:
    by_email: dict[str, list[Pulled]] = defaultdict(list)
    for item in pulled:
        by_email[item.email].append(item)
    contacts = _contacts_by_email(run, list(by_email))
    writer = _PageWriter(run, module)
    for email, candidates in by_email.items():
        contact = contacts.get(email)
        state = getattr(contact, "sync_state", None) if contact else None
        chosen = _choose(run, module, email, candidates, state, contact)
        if chosen is not None:
            writer.merge(chosen, contact, state)
    writer.save()


def _contacts_by_email(run, emails: list[str]) -> dict[str, Contact]:
    contacts = (
        Contact.objects.for_workspace(run.workspace)
        .filter(email__in=emails)
        .select_related("sync_state")
        .order_by()  # the default order (-id) would make SQLite walk the workspace's contacts
    )
    if not run.dry_run:
        contacts = contacts.select_for_update(of=("self",))
    return {c.email: c for c in contacts}


def _choose(run, module, email, candidates, state, contact) -> Pulled | None:
    """Pick the record a contact follows; report the others (two Zoho records, one email).

    The rule: the record already linked first, then the most recently modified.
    A Lead never takes over a contact that is a Zoho Contact.
    """
    if state and state.zoho_module == CONTACTS and module == LEADS:
        for item in candidates:
            _duplicate(run, module, item, contact, f"It is the Zoho Contact {state.zoho_id}.")
        return None
    linked_id = state.zoho_id if state and state.zoho_module == module else ""
    ranked = sorted(
        candidates,
        key=lambda c: (str(c.record["id"]) == linked_id, c.modified_at or _EPOCH, c.record["id"]),
        reverse=True,
    )
    chosen = ranked[0]
    if linked_id and str(chosen.record["id"]) != linked_id:
        chosen = None  # the linked record is elsewhere: every candidate is a duplicate
    follows = linked_id or str(ranked[0].record["id"])
    for item in ranked if chosen is None else ranked[1:]:
        _duplicate(run, module, item, contact, f"The contact follows {module} record {follows}.")
    return chosen


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _duplicate(run, module, item: Pulled, contact, which: str) -> None:
    run.recorder.issue(
        kind=SyncIssue.Kind.DUPLICATE,
        direction=FROM_ZOHO,
        module=module,
        zoho_id=str(item.record["id"]),
        email=item.email,
        contact=contact,
        code="DUPLICATE_EMAIL",
        message=(
            f"Several Zoho records have the email {item.email}; this one was not synced. "
            f"{which} Merge the duplicates in Zoho to sync a single record."
        ),
    )


def _settled_echo(state, item: Pulled, result, pending) -> bool:
    """Our own write coming back, already recorded: nothing to store (costs no query)."""
    return bool(
        state
        and not pending
        and not result.to_plezi
        and state.zoho_id == str(item.record["id"])
        and state.shadow == result.shadow
        and state.zoho_modified_at == item.modified_at
        and state.synced_at is not None
    )


def _zoho_is_newer(item: Pulled, contact: Contact | None):
    """Whether the lead's change of a field is more recent than Plezi's change of it.

    Zoho dates only the whole record, Plezi each field: a Plezi edit of another field
    later on does not make Plezi's older change of this one the more recent."""
    if contact is None:
        return lambda key: True
    return lambda key: bool(item.modified_at and item.modified_at > contact.changed_at(key))


class _PageWriter:
    """Merges a page's records into contacts and writes them in bulk."""

    def __init__(self, run, module: str) -> None:
        self.run, self.module = run, module
        self.rules = run.plan.modules[module].rules
        self.push_rules = run.plan.modules[LEADS].rules
        self.now = timezone.now()
        self.new_contacts: list[Contact] = []
        self.changed: dict[int, Contact] = {}
        self.changed_fields: set[str] = set()
        self.states: list[SyncState] = []

    def merge(self, item: Pulled, contact: Contact | None, state: SyncState | None) -> None:
        shadow = dict(state.shadow) if state else {}
        if state and state.zoho_module == LEADS and self.module == CONTACTS:
            shadow = converted_shadow(shadow, item.values)
        plezi = {r.key: contact.value(r.key) for r in self.rules} if contact else {}
        result = merge_pull(
            self.rules,
            plezi=plezi,
            zoho=item.values,
            shadow=shadow,
            zoho_is_newer=_zoho_is_newer(item, contact),
        )
        self._record(item, contact, result)
        if contact is None:
            contact = Contact(workspace=self.run.workspace, email=item.email)
            self.new_contacts.append(contact)
            self.run.recorder.count("created_plezi")
        elif result.to_plezi:
            self.changed[contact.pk] = contact
            self.run.recorder.count("updated_plezi")
        else:
            self.run.recorder.count("echoes")
        for key, value in result.to_plezi.items():
            contact.set_value(key, value)
            self.changed_fields.add(key)
        if self.run.dry_run:
            self.run.preview_pull(self.module, item, contact, result)
            return
        if result.to_plezi:
            contact.updated_at = self.now
        after = {r.key: contact.value(r.key) for r in self.push_rules}
        pending = self.module == LEADS and (
            merge_push(self.push_rules, plezi=after, shadow=result.shadow, linked=True).to_zoho
            or self._lacks_plezi_url(contact, result.shadow)
        )
        if not _settled_echo(state, item, result, pending):
            self.states.append(
                self._state(contact, state, item, result.shadow, pending=bool(pending))
            )

    def _lacks_plezi_url(self, contact: Contact, shadow: dict) -> bool:
        """A lead born in Zoho still needs its link to Plezi (sent by the push)."""
        if not self.run.plan.plezi_url_field:
            return False
        return contact.pk is None or shadow.get("plezi_url") != self.run.plezi_url(contact)

    def _state(self, contact, state, item: Pulled, shadow: dict, *, pending: bool) -> SyncState:
        state = state or SyncState(workspace=self.run.workspace, contact=contact)
        state.contact = contact
        state.zoho_module, state.zoho_id = self.module, str(item.record["id"])
        state.shadow = shadow
        state.zoho_modified_at = item.modified_at
        state.unlinked_by_deletion = state.left_scope = False
        state.last_run = self.run.model
        state.last_outcome = f"Pulled from Zoho {self.module}"
        if not pending:  # Plezi edits not yet in Zoho keep the contact pending for the push
            state.synced_at = self.now
        return state

    def _record(self, item: Pulled, contact, result) -> None:
        for conflict in result.conflicts:
            self.run.recorder.issue(
                kind=SyncIssue.Kind.CONFLICT,
                direction=FROM_ZOHO,
                module=self.module,
                zoho_id=str(item.record["id"]),
                email=item.email,
                contact=contact,
                field=conflict.key,
                code="CONFLICT",
                message=(
                    f"Changed on both sides: Plezi “{conflict.plezi_value}”, Zoho "
                    f"“{conflict.zoho_value}”. The most recent change won ({conflict.winner})."
                ),
            )
        if result.consent:
            self.run.recorder.issue(
                kind=SyncIssue.Kind.CONSENT,
                direction=FROM_ZOHO,
                module=self.module,
                zoho_id=str(item.record["id"]),
                email=item.email,
                contact=contact,
                field="email_opt_out",
                code="CONSENT",
                message="Opted out of emails in Zoho: the opt-out now applies in Plezi too.",
            )

    def _attach_issues(self, created: dict[str, Contact]) -> None:
        """Issues found before their contact existed (a duplicate's) now point to it."""
        for issue in self.run.recorder.pending:
            if issue.contact_id is None and issue.email in created:
                issue.contact = created[issue.email]

    def save(self) -> None:
        if self.run.dry_run:
            return
        rows_insert(Contact, self.new_contacts, key="email")
        self._attach_issues({c.email: c for c in self.new_contacts})
        if self.changed:
            columns = {k if k in _COLUMNS else "custom" for k in self.changed_fields}
            rows_update(Contact, list(self.changed.values()), sorted(columns | {"updated_at"}))
        new = [s for s in self.states if s.pk is None]
        for state in new:
            contact = state.contact
            state.contact = contact  # now saved: this sets contact_id, and keeps the cache
            if state.synced_at:  # the insert stamped updated_at just now: in sync as of it
                state.synced_at = max(state.synced_at, contact.updated_at)
        existing = [s for s in self.states if s.pk is not None]
        rows_insert(SyncState, new)
        if existing:
            rows_update(SyncState, existing, STATE_FIELDS)


_COLUMNS = {f.name for f in Contact._meta.concrete_fields}
STATE_FIELDS = [
    "zoho_module",
    "zoho_id",
    "shadow",
    "zoho_modified_at",
    "synced_at",
    "unlinked_by_deletion",
    "left_scope",
    "last_run",
    "last_outcome",
]


def _hold_left_scope(run, module: str, page: list) -> None:
    """Linked leads sales moved out of the filter: Plezi stops writing to them (the lead
    is no longer this workspace's) until the pull sees them back in scope. Contacts are
    never written, and a converted lead's Contact is followed whatever the filter says."""
    if not run.plan.filter_field or module != LEADS:
        return
    ids = [str(r["id"]) for r in page if _well_formed(r) and not run.plan.in_scope(r)]
    if not ids:
        return
    held = SyncState.objects.for_workspace(run.workspace).filter(
        zoho_module=module, zoho_id__in=ids, left_scope=False
    )
    for state in held.select_related("contact"):
        run.recorder.issue(
            kind=SyncIssue.Kind.NOTICE,
            direction=FROM_ZOHO,
            module=module,
            email=state.contact.email,
            contact=state.contact,
            zoho_id=state.zoho_id,
            field=run.plan.filter_field,
            code="LEFT_FILTER",
            message=f"In Zoho this lead no longer has "
            f"{run.plan.filter_field} = “{run.plan.filter_value}”, so it left this "
            "workspace's filter: Plezi stops sending it this contact's changes. They are "
            "kept, and sent once the record is back in the filter.",
        )
    held.update(left_scope=True, last_outcome="Left the filter in Zoho")


def pull_records(run, module: str, ids: list[str], *, any_scope: bool = False) -> None:
    """Pull named records (a targeted run reads its contacts' leads before pushing).

    `any_scope`: the records are followed whatever the filter says (a converted lead's
    Contact: the conversion may not have copied the filter field)."""
    if not ids:
        return
    records = run.client.get_records(module, ids, fields=_fields(run, module))
    pulled = [p for p in (_read(run, module, r, any_scope=any_scope) for r in records) if p]
    with transaction.atomic():
        _apply_page(run, module, pulled)


def unlink_deleted(run) -> None:
    """Leads deleted in Zoho: drop the link, and do not re-create them unless edited again."""
    key = f"{LEADS}.deleted"
    watermark = run.watermarks.get(key)
    deleted = run.client.deleted_records(LEADS, since=watermark - OVERLAP if watermark else None)
    ids = [str(d["id"]) for d in deleted]
    if ids and not run.dry_run:
        now = timezone.now()
        unlinked = (
            SyncState.objects.for_workspace(run.workspace)
            .filter(zoho_module=LEADS, zoho_id__in=ids)
            .update(
                zoho_module="",
                zoho_id="",
                shadow={},
                synced_at=now,
                unlinked_by_deletion=True,
                last_outcome="The lead was deleted in Zoho; it is re-created only if the "
                "contact changes in Plezi.",
            )
        )
        run.recorder.count("unlinked", unlinked)
    stamps = [parse_datetime(d.get("deleted_time") or "") for d in deleted]
    _move_watermark(run, key, max([s for s in stamps if s], default=None))
