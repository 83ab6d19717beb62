"""Writing a pulled page: each record merged into its contact, then written in bulk.

A page is written in one transaction with its contacts locked, so a user's edit
made meanwhile is never overwritten unseen.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from contacts.models import Contact
from integration.models import SyncState
from integration.sync import issues
from integration.sync.bulk import rows_insert, rows_update
from integration.sync.context import CONTACTS, LEADS, Run
from integration.sync.incoming import Pulled, well_formed
from integration.sync.merge import PullMerge, converted_shadow, merge_pull, merge_push
from integration.sync.states import state_link, state_of, states_leave_scope, states_save


def apply_page(run: Run, module: str, pulled: list[Pulled], *, listed: list | None = None) -> None:
    """Merge a page's records into their contacts and write them, in one transaction with
    the contacts locked; `listed` (the page as Zoho listed it) also says which linked leads
    left the filter. A dry run decides the same, and previews instead of writing."""
    if run.dry_run:
        _merged(run, module, pulled, lock=False).preview()
        return
    with transaction.atomic():
        _merged(run, module, pulled, lock=True).save()
        if listed is not None:
            _hold_left_scope(run, module, listed)


def _merged(run: Run, module: str, pulled: list[Pulled], *, lock: bool) -> "_PageWriter":
    by_email: dict[str, list[Pulled]] = defaultdict(list)
    for item in pulled:
        by_email[item.email].append(item)
    contacts = _contacts_by_email(run, list(by_email), lock=lock)
    writer = _PageWriter(run, module)
    for email, candidates in by_email.items():
        contact = contacts.get(email)
        state = getattr(contact, "sync_state", None) if contact else None
        chosen = _choose(run, module, email, candidates, state, contact)
        if chosen is not None:
            writer.merge(chosen, contact, state)
    return writer


def _contacts_by_email(run: Run, emails: list[str], *, lock: bool) -> dict[str, Contact]:
    contacts = (
        Contact.objects.for_workspace(run.workspace)
        .filter(email__in=emails)
        .select_related("sync_state")
        .order_by()  # the default order (-id) would make SQLite walk the workspace's contacts
    )
    if lock:
        contacts = contacts.select_for_update(of=("self",))
    return {c.email: c for c in contacts}


def _choose(
    run: Run,
    module: str,
    email: str,
    candidates: list[Pulled],
    state: SyncState | None,
    contact: Contact | None,
) -> Pulled | None:
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


def _duplicate(run: Run, module: str, item: Pulled, contact: Contact | None, which: str) -> None:
    issues.duplicate(run, _about(module, item, contact), which=which)


def _about(module: str, item: Pulled, contact: Contact | None) -> issues.About:
    return issues.from_zoho(module, str(item.record["id"]), item.email, contact)


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


def _zoho_is_newer(item: Pulled, contact: Contact | None) -> Callable[[str], bool]:
    """Whether the lead's change of a field is more recent than Plezi's change of it.

    Zoho dates only the whole record, Plezi each field: a Plezi edit of another field
    later on does not make Plezi's older change of this one the more recent."""
    if contact is None:
        return lambda key: True
    return lambda key: bool(item.modified_at and item.modified_at > contact.changed_at(key))


class _PageWriter:
    """Merges a page's records into contacts and writes them in bulk."""

    def __init__(self, run: Run, module: str) -> None:
        self.run, self.module = run, module
        self.rules = run.plan.modules[module].rules
        self.push_rules = run.plan.modules[LEADS].rules
        self.copied = run.plan.copied_by_conversion
        self.now = timezone.now()
        self.new_contacts: list[Contact] = []
        self.changed: dict[int, Contact] = {}
        self.changed_fields: set[str] = set()
        self.states: list[SyncState] = []
        self.merged: list[tuple[Pulled, Contact, PullMerge]] = []  # what a preview shows

    def merge(self, item: Pulled, contact: Contact | None, state: SyncState | None) -> None:
        shadow = dict(state.shadow) if state else {}
        if state and state.zoho_module == LEADS and self.module == CONTACTS:
            shadow = converted_shadow(shadow, item.values, copied=self.copied)
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
        self.merged.append((item, contact, result))
        if result.to_plezi:
            contact.updated_at = self.now
        after = {r.key: contact.value(r.key) for r in self.push_rules}
        pending = self.module == LEADS and (
            merge_push(self.push_rules, plezi=after, shadow=result.shadow, linked=True).to_zoho
            or self._lacks_plezi_url(contact, result.shadow)
        )
        if not _settled_echo(state, item, result, pending):
            self.states.append(self._state(contact, state, item, result.shadow, bool(pending)))

    def _lacks_plezi_url(self, contact: Contact, shadow: dict) -> bool:
        """A lead born in Zoho still needs its link to Plezi (sent by the push)."""
        if not self.run.plan.plezi_url_field:
            return False
        return contact.pk is None or shadow.get("plezi_url") != self.run.plezi_url(contact)

    def _state(
        self, contact: Contact, state: SyncState | None, item: Pulled, shadow: dict, pending: bool
    ) -> SyncState:
        state = state_of(self.run, contact, state)
        state_link(
            state,
            module=self.module,
            zoho_id=str(item.record["id"]),
            shadow=shadow,
            zoho_modified_at=item.modified_at,
            outcome=f"Pulled from Zoho {self.module}",
        )
        if not pending:  # Plezi edits not yet in Zoho keep the contact pending for the push
            state.synced_at = self.now
        return state

    def _record(self, item: Pulled, contact, result) -> None:
        about = _about(self.module, item, contact)
        for conflict in result.conflicts:
            issues.conflict(self.run, about, conflict, zoho_at=item.modified_at)
        if result.consent:
            issues.consent(self.run, about)

    def _attach_issues(self, created: dict[str, Contact]) -> None:
        """Issues found before their contact existed (a duplicate's) now point to it."""
        for issue in self.run.recorder.pending:
            if issue.contact_id is None and issue.email in created:
                issue.contact = created[issue.email]

    def preview(self) -> None:
        """What `save` would write, shown on the run instead."""
        for item, contact, result in self.merged:
            _preview_pull(self.run, self.module, item, contact, result)

    def save(self) -> None:
        rows_insert(Contact, self.new_contacts, key="email")
        self._attach_issues({c.email: c for c in self.new_contacts})
        if self.changed:
            columns = {k if k in _COLUMNS else "custom" for k in self.changed_fields}
            rows_update(Contact, list(self.changed.values()), sorted(columns | {"updated_at"}))
        for state in self.states:
            if state.pk is None:
                contact = state.contact
                state.contact = contact  # now saved: this sets contact_id, and keeps the cache
                if state.synced_at:  # the insert stamped updated_at just now: in sync as of it
                    state.synced_at = max(state.synced_at, contact.updated_at)
        states_save(self.states)


def _preview_pull(run: Run, module: str, item: Pulled, contact: Contact, result: PullMerge) -> None:
    if result.to_plezi or contact.pk is None:
        action = "create" if contact.pk is None else "update"
        run.preview(
            side="Plezi", action=action, email=item.email, changes=result.to_plezi, module=module
        )


_COLUMNS = {f.name for f in Contact._meta.concrete_fields}


def _hold_left_scope(run: Run, module: str, page: list) -> None:
    """Linked leads sales moved out of the filter: Plezi stops writing to them (the lead
    is no longer this workspace's) until the pull sees them back in scope. Contacts are
    never written, and a converted lead's Contact is followed whatever the filter says."""
    if not run.plan.filter_field or module != LEADS:
        return
    ids = [str(r["id"]) for r in page if well_formed(r) and not run.plan.in_scope(r)]
    if not ids:
        return
    for state in states_leave_scope(run, module=module, zoho_ids=ids):
        issues.notice(
            run,
            issues.from_zoho(module, state.zoho_id, state.contact.email, state.contact),
            field=run.plan.filter_field,
            code="LEFT_FILTER",
            message=f"In Zoho this lead no longer has "
            f"{run.plan.filter_field} = “{run.plan.filter_value}”, so it left this "
            "workspace's filter: Plezi stops sending it this contact's changes. They are "
            "kept, and sent once the record is back in the filter.",
        )
