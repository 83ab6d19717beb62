"""Push: Plezi contacts changed since their last sync, upserted to Zoho Leads by Email.

Upsert by Email is idempotent: if a run dies after Zoho accepted a batch but
before we recorded it, the next run sends the same contacts again and Zoho
updates the leads it already has instead of creating them twice.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_noop

from accounts.models import Workspace
from contacts.models import Contact
from integration.models import SyncState
from integration.sync import issues
from integration.sync.context import CONTACTS, LEADS, Run
from integration.sync.convert import ValueProblem
from integration.sync.converted import follow_conversions, refused_as_converted
from integration.sync.merge import merge_push
from integration.sync.states import state_link, state_of, states_save
from integration.zoho.client import WRITE_BATCH
from integration.zoho.editions import HEAVY_CALLS_AT_ONCE
from integration.zoho.errors import ZohoError
from integration.zoho.replies import RecordResult

WAVE = 20  # batches read, sent and recorded together (memory stays flat, round trips few)
PLEZI_URL_KEY = "plezi_url"  # its shadow entry: resent when the field appears or the URL moves


@dataclass
class Outgoing:
    contact: Contact
    state: SyncState | None
    payload: dict = field(default_factory=dict)
    shadow: dict = field(default_factory=dict)
    skip_reason: str = ""


def pending_contacts(
    workspace: Workspace, contact_ids: list[int] | None = None, *, full: bool = False
) -> QuerySet[Contact]:
    """Contacts with edits Zoho has not seen; Zoho Contacts are never written (the seed),
    nor leads sales moved out of the workspace's filter (until they are back in it).

    A full resync reconsiders every contact (a newly mapped field must reach
    leads that did not change), except leads deleted in Zoho and not edited since.
    """
    pending = (
        Q(sync_state__isnull=True)
        | Q(sync_state__synced_at__isnull=True)
        | Q(updated_at__gt=F("sync_state__synced_at"))
    )
    if full:
        pending |= Q(sync_state__unlinked_by_deletion=False)
    contacts = (
        Contact.objects.for_workspace(workspace)
        .filter(pending)
        .exclude(sync_state__zoho_module=CONTACTS)
        .exclude(sync_state__left_scope=True)
    )
    if contact_ids is not None:
        contacts = contacts.filter(pk__in=contact_ids)
    return contacts


def push_changed(run: Run, *, contact_ids: list[int] | None = None, full: bool = False) -> None:
    candidates = pending_contacts(run.workspace, contact_ids, full=full)
    waves = _waves(candidates.select_related("sync_state"))
    first = next(waves, None)
    if first is None:
        return  # nothing pending: not even a count
    run.recorder.progress(
        phase=gettext_noop("Sending leads to Zoho"), done=0, total=candidates.count()
    )
    done = 0
    for snapshot, chunk in itertools.chain([first], waves):
        _push_wave(run, chunk, snapshot)
        done += len(chunk)
        run.recorder.progress(done=done)
        run.checkpoint()
        run.between_batches()


def _waves(contacts) -> Iterator[tuple[datetime, list[Contact]]]:
    """A wave of contacts at a time by id (each query an index range, however many), with
    its snapshot: the wave is recorded as synced as of it, and edits after it stay pending.

    The wave is read under its rows' locks, the snapshot taken just before: Plezi's writers
    stamp a contact under that lock, so an edit stamped before the snapshot has committed
    by the time the wave reads it. Without the lock, an edit stamped, then committed after
    the read, would look sent (stamp older than the snapshot) and never reach Zoho."""
    if not contacts.exists():
        return  # nothing pending: the no-op sync's one query, without a transaction
    last_id = 0
    while True:
        with transaction.atomic():
            snapshot = timezone.now()
            wave = contacts.filter(pk__gt=last_id).order_by("pk").select_for_update(of=("self",))
            chunk = list(wave[: WRITE_BATCH * WAVE])
        if not chunk:
            return
        last_id = chunk[-1].pk
        yield snapshot, chunk


def _outgoing(run: Run, contact: Contact) -> Outgoing:
    """What to send for `contact`: the fields Plezi changed, checked against Zoho's metadata."""
    plan = run.plan.modules[LEADS]
    state = getattr(contact, "sync_state", None)
    linked = bool(state and state.zoho_id)
    plezi = {rule.key: contact.value(rule.key) for rule in plan.rules}
    merged = merge_push(
        plan.rules, plezi=plezi, shadow=state.shadow if state else {}, linked=linked
    )
    out = Outgoing(contact=contact, state=state, payload={"Email": contact.email})
    if linked and state.zoho_module == LEADS:
        out.payload["id"] = state.zoho_id  # updated by id: never a second lead (see client)
    out.shadow = merged.shadow
    for pair in plan.push:
        if pair.plezi_key not in merged.to_zoho:
            continue
        try:
            out.payload[pair.zoho_api_name] = run.to_zoho(pair, merged.to_zoho[pair.plezi_key])
        except ValueProblem as problem:
            _field_problem(run, out, pair.plezi_key, str(problem))
    _add_lead_extras(run, out, linked, run.plezi_url(contact))
    if merged.consent and not out.skip_reason:
        issues.consent(run, issues.to_zoho(contact))
    return out


def _field_problem(run: Run, out: Outgoing, key: str, message: str) -> None:
    """Report a value Zoho would refuse; the rest of the record is still sent."""
    if out.state and key in out.state.shadow:
        out.shadow[key] = out.state.shadow[key]
    else:
        out.shadow.pop(key, None)
    about = issues.to_zoho(out.contact, out.state.zoho_id if out.state else "")
    issues.error(run, about, field=key, code="INVALID_VALUE", message=message)


def _add_lead_extras(run: Run, out: Outgoing, linked: bool, plezi_url: str) -> None:
    """plezi_url, the filter value for new leads, and Zoho's mandatory Last_Name."""
    url_field = run.plan.plezi_url_field
    if url_field and out.shadow.get(PLEZI_URL_KEY) != plezi_url:
        out.payload[url_field] = plezi_url
        out.shadow[PLEZI_URL_KEY] = plezi_url
    if not linked and run.plan.filter_field:
        out.payload[run.plan.filter_field] = run.plan.filter_value  # so it stays in scope
    if "Last_Name" in out.payload and not out.payload["Last_Name"]:
        out.payload.pop("Last_Name")
        out.shadow.pop("last_name", None)
        if linked:
            _field_problem(run, out, "last_name", _LAST_NAME_KEPT)
    if not linked and not out.payload.get("Last_Name"):
        out.skip_reason = _NO_LAST_NAME


_NO_LAST_NAME = (
    "No last name: Zoho requires a Last Name on every Lead, so this contact was not sent. "
    "Add the contact's last name in Plezi; it will be sent on the next sync."
)
_LAST_NAME_KEPT = (
    "The last name was cleared in Plezi, but Zoho requires one: Zoho keeps the previous last "
    "name. Enter a last name in Plezi to update it."
)


def _push_wave(run: Run, contacts: list[Contact], snapshot: datetime) -> None:
    """Send what changed in `contacts`, then record every outcome in one transaction.

    Batches of 100 leave while the next ones are prepared, up to the org's concurrency
    at once (they are independent: one contact, one email). A contact is recorded as
    synced only once Zoho accepted it.
    """
    sending: list[Outgoing] = []
    resting: list[Outgoing] = []  # skipped, or nothing new for Zoho

    def payloads() -> Iterator[dict]:
        # Linked leads first, new ones after: Zoho updates the first by id and upserts the
        # others, one call each, so a batch holding both would cost two.
        new: list[Outgoing] = []
        for contact in contacts:
            out = _outgoing(run, contact)
            if out.skip_reason or not _has_news(out):
                resting.append(out)
            elif "id" not in out.payload:
                new.append(out)
            else:
                sending.append(out)
                yield out.payload
        for out in new:
            sending.append(out)
            yield out.payload

    if run.dry_run:
        _preview_wave(run, payloads(), sending, resting)
    else:
        _send_wave(run, payloads(), sending, resting, snapshot)


def _preview_wave(
    run: Run, payloads: Iterator[dict], sending: list[Outgoing], resting: list[Outgoing]
) -> None:
    """A dry run's wave: decided as for real (its issues too), shown instead of sent."""
    for _ in payloads:
        pass
    _report_resting(run, resting)
    for out in sending:
        _preview_push(run, out)


def _send_wave(
    run: Run,
    payloads: Iterator[dict],
    sending: list[Outgoing],
    resting: list[Outgoing],
    snapshot: datetime,
) -> None:
    """The wave's write step: `payloads` fill `sending` and `resting` as Zoho takes them."""
    try:
        results = run.client.upsert_many(
            LEADS,
            payloads,
            duplicate_check_fields=("Email",),
            trigger=("workflow",),
            concurrency=min(run.concurrency, HEAVY_CALLS_AT_ONCE),
        )
    except ZohoError as error:
        # What Zoho answered before the failure is recorded, so the counts tell the
        # truth and the next run does not send (and pay for) it again.
        _record(run, resting, _answered(sending, getattr(error, "written", {})), snapshot)
        raise
    _record(run, resting, list(zip(sending, results, strict=True)), snapshot)


def _preview_push(run: Run, out: Outgoing) -> None:
    action = "update" if out.state and out.state.zoho_id else "create"
    run.preview(
        side="Zoho", action=action, email=out.contact.email, changes=out.payload, module=LEADS
    )


def _answered(sending: list[Outgoing], written: dict[int, list]) -> list[tuple]:
    """The (outgoing, result) pairs of the batches Zoho answered, by batch number."""
    return [
        pair
        for batch, results in sorted(written.items())
        for pair in zip(
            sending[batch * WRITE_BATCH : (batch + 1) * WRITE_BATCH], results, strict=True
        )
    ]


def _report_resting(run: Run, resting: list[Outgoing]) -> None:
    for out in resting:
        if out.skip_reason:
            _report_skipped(run, out)


def _record(run: Run, resting: list[Outgoing], outcomes: list[tuple], snapshot: datetime) -> None:
    _report_resting(run, resting)
    converted = [out for out, result in outcomes if _converted(out, result)]
    with transaction.atomic():
        states = [_settled(run, o, snapshot, "Nothing new for Zoho") for o in resting]
        states += [_outcome(run, o, r, snapshot) for o, r in outcomes if not _converted(o, r)]
        states_save(states)
    if converted:
        follow_conversions(run, converted)


def _converted(out: Outgoing, result) -> bool:
    """Zoho refused the write because sales converted the lead since we linked it."""
    linked = out.state is not None and out.state.zoho_module == LEADS and out.state.zoho_id
    return bool(linked and not result.ok and refused_as_converted(result))


def _report_skipped(run: Run, out: Outgoing) -> None:
    about = issues.to_zoho(out.contact)
    issues.skipped(
        run, about, field="last_name", code="MANDATORY_NOT_FOUND", message=out.skip_reason
    )


def _has_news(out: Outgoing) -> bool:
    """More than the Email that identifies the record, or a record Zoho has not got yet."""
    return bool(set(out.payload) - {"Email", "id"}) or not (out.state and out.state.zoho_id)


def _settled(run: Run, out: Outgoing, snapshot: datetime, outcome: str) -> SyncState:
    state = state_of(run, out.contact, out.state)
    state.synced_at = snapshot
    state.last_outcome = out.skip_reason[:200] if out.skip_reason else outcome
    return state


def _outcome(run: Run, out: Outgoing, result: RecordResult, snapshot: datetime) -> SyncState:
    state = state_of(run, out.contact, out.state)
    if not result.ok:
        message = issues.refused(run, issues.to_zoho(out.contact, state.zoho_id), result)
        state.last_outcome = f"Zoho refused it: {message}"[:200]
        return state  # synced_at unchanged: the next run tries again
    created = result.action == "insert"
    run.recorder.count("pushed")
    run.recorder.count("created_zoho" if created else "updated_zoho")
    state_link(
        state,
        module=LEADS,
        zoho_id=str(result.id),
        shadow=out.shadow,
        zoho_modified_at=parse_datetime(result.modified_time or "") or state.zoho_modified_at,
        outcome="Created in Zoho" if created else "Updated in Zoho",
    )
    state.synced_at = snapshot
    return state
