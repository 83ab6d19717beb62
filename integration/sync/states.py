"""Sync states: what the sync remembers of each contact's link to Zoho, for pull and push.

A state row holds the Zoho record a contact follows, the shadow both sides agreed
on, and when the contact was last in sync (edits after that make it pending).
"""

from datetime import datetime

from contacts.models import Contact
from integration.models import SyncState
from integration.sync.bulk import rows_insert, rows_update
from integration.sync.context import CONTACTS, LEADS, Run

# What a run writes of an existing state (the rest is set when the row is created).
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


def state_of(run: Run, contact: Contact, state: SyncState | None) -> SyncState:
    """The contact's state (a new row if it has none yet), as this run leaves it."""
    state = state or SyncState(workspace=run.workspace, contact=contact)
    state.contact = contact
    state.last_run = run.model
    return state


def state_link(
    state: SyncState,
    *,
    module: str,
    zoho_id: str,
    shadow: dict,
    zoho_modified_at: datetime | None,
    outcome: str,
) -> None:
    """Both sides agree on `shadow` for this Zoho record: linked, in scope, not deleted."""
    state.zoho_module, state.zoho_id = module, zoho_id
    state.shadow = shadow
    state.zoho_modified_at = zoho_modified_at
    state.unlinked_by_deletion = state.left_scope = False
    state.last_outcome = outcome


def states_save(states: list[SyncState]) -> None:
    """New rows inserted, existing ones updated: two statements a batch, whatever the count."""
    rows_insert(SyncState, [s for s in states if s.pk is None])
    rows_update(SyncState, [s for s in states if s.pk is not None], STATE_FIELDS)


def states_unlink_deleted(run: Run, *, lead_ids: list[str], at: datetime) -> int:
    """Leads deleted in Zoho: the link is dropped, and the lead re-created only if the
    contact changes in Plezi (a full resync leaves it alone). Returns how many."""
    return (
        SyncState.objects.for_workspace(run.workspace)
        .filter(zoho_module=LEADS, zoho_id__in=lead_ids)
        .update(
            zoho_module="",
            zoho_id="",
            shadow={},
            synced_at=at,
            unlinked_by_deletion=True,
            last_outcome="The lead was deleted in Zoho; it is re-created only if the "
            "contact changes in Plezi.",
        )
    )


def states_converted(run: Run, *, lead_ids: list[str]) -> None:
    """Leads converted into Zoho Contacts: never pushed again (the next pull that lists
    the Contact links it, when the conversion's own pull could not)."""
    SyncState.objects.for_workspace(run.workspace).filter(
        zoho_module=LEADS, zoho_id__in=lead_ids
    ).update(
        zoho_module=CONTACTS,
        zoho_id="",
        last_outcome="The lead was converted into a Zoho Contact",
    )


def states_leave_scope(run: Run, *, module: str, zoho_ids: list[str]) -> list[SyncState]:
    """Linked records sales moved out of the filter since the last look: the push leaves
    them alone until they are back. Returns those states, with their contacts."""
    held = SyncState.objects.for_workspace(run.workspace).filter(
        zoho_module=module, zoho_id__in=zoho_ids, left_scope=False
    )
    left = list(held.select_related("contact"))
    held.update(left_scope=True, last_outcome="Left the filter in Zoho")
    return left
