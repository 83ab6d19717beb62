"""What one run knows: the workspace's mapping as merge rules, the filter, the client.

`Run` is here, below every step, so that each step can name it in its signature: it
imports none of them (the runner hands it what the steps compute, e.g. watermarks).
"""

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from accounts.models import Workspace
from contacts.models import Contact
from integration.models import SyncRun
from integration.sync import lock
from integration.sync.convert import Conversions, to_plezi, to_zoho
from integration.sync.merge import FieldRule
from integration.sync.record import Recorder
from integration.zoho.client import ZohoClient
from integration.zoho.conversion import STANDARD_CONVERSION
from mapping.models import Module
from mapping.selectors import MappedPair, mapping_pairs_all, plezi_url_api, zoho_field_metas

LEADS, CONTACTS = Module.LEADS, Module.CONTACTS
MODULES = tuple(Module)
CONSENT_KEY, CONSENT_FIELD = "email_opt_out", "Email_Opt_Out"
PREVIEW_LIMIT = 500
# Progress, counters, issues and the lease are written this often (seconds) while pulling.
CHECKPOINT_EVERY = 1.0
# A running run looks for form submissions to send at once this often (seconds).
FAST_LANE_EVERY = 1.0


@dataclass
class ModulePlan:
    """Per Zoho module: the pairs to apply each way, and the merge rules they make."""

    pull: list[MappedPair]
    push: list[MappedPair]
    rules: list[FieldRule] = field(init=False)
    # What a pull reads of a record: the pairs it applies, then those only pushed (a rep's
    # change of one, newer than Plezi's, must not be overwritten by the push: merge_pull).
    read: list[MappedPair] = field(init=False)
    pulled_keys: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        pulled = {p.plezi_key for p in self.pull}
        pushed = {p.plezi_key for p in self.push}
        self.pulled_keys = frozenset(pulled)
        self.read = [*self.pull, *(p for p in self.push if p.plezi_key not in pulled)]
        self.rules = [
            FieldRule(key, pull=key in pulled, push=key in pushed, protective=key == CONSENT_KEY)
            for key in dict.fromkeys([*pulled, *pushed])
        ]

    @property
    def zoho_fields(self) -> list[str]:
        return sorted({p.zoho_api_name for p in [*self.pull, *self.push]})


@dataclass
class SyncPlan:
    modules: dict[str, ModulePlan]
    filter_field: str
    filter_value: str
    plezi_url_field: str | None

    @property
    def copied_by_conversion(self) -> set[str]:
        """Plezi keys whose Lead field Zoho's conversion copies to their Contact field."""
        contact_api = {p.plezi_key: p.zoho_api_name for p in self.modules[CONTACTS].pull}
        return {
            p.plezi_key
            for p in [*self.modules[LEADS].pull, *self.modules[LEADS].push]
            if STANDARD_CONVERSION.get(p.zoho_api_name) == contact_api.get(p.plezi_key)
        }

    def in_scope(self, record: dict) -> bool:
        """The seed's filter: only records whose filter field equals the value."""
        if not self.filter_field:
            return True
        return (record.get(self.filter_field) or "") == self.filter_value


def _consent_pair(meta: dict) -> MappedPair | None:
    """Opt-outs travel whatever the mapping says, when Zoho has the field."""
    if CONSENT_FIELD not in meta:
        return None
    return MappedPair(
        plezi_key=CONSENT_KEY,
        plezi_type="boolean",
        plezi_choices=[],
        zoho_api_name=CONSENT_FIELD,
        zoho_data_type="boolean",
        zoho_length=None,
        zoho_picklist=None,
        zoho_read_only=False,
    )


def plan_for(workspace: Workspace, *, filter_field: str = "", filter_value: str = "") -> SyncPlan:
    metas = zoho_field_metas(workspace)
    pairs = mapping_pairs_all(workspace, metas)
    modules = {}
    for module in MODULES:
        consent = _consent_pair(metas.get(module, {}))
        extra = [consent] if consent else []

        def without_consent(items):
            return [p for p in items if p.plezi_key != CONSENT_KEY]

        pull = without_consent(pairs.get((module, "from_zoho"), [])) + extra
        # Contacts are the sales team's: never written (the seed).
        push = [] if module == CONTACTS else without_consent(pairs.get((module, "to_zoho"), []))
        modules[module] = ModulePlan(pull=pull, push=push + (extra if module == LEADS else []))
    return SyncPlan(
        modules=modules,
        filter_field=filter_field,
        filter_value=filter_value,
        plezi_url_field=plezi_url_api(metas.get(LEADS, {})),
    )


class LeaseLost(Exception):
    """Another worker took over this workspace (ours was presumed dead): stop now."""


class Run:
    """One run in progress: what the pull and push steps read and report to."""

    model: SyncRun
    client: ZohoClient
    plan: SyncPlan
    holder: str
    concurrency: int  # Zoho calls in flight at once (the client keeps it within the org's cap)
    workspace: Workspace
    dry_run: bool
    recorder: Recorder
    on_progress: Callable[[SyncRun], None] | None
    watermarks: dict[str, datetime]  # see watermarks.watermarks_of
    module_errors: dict[str, str]  # Zoho modules that could not be read
    conversions: Conversions  # Zoho → Plezi values
    to_zoho: Conversions  # Plezi → Zoho values
    plezi_url: Callable[[Contact], str]  # Contact.plezi_url, without a query each
    checkpointed: float
    fast_lane: Callable[[], None] | None
    fast_lane_looked: float
    # Zoho records the fast lane wrote during this run, by module: read again after
    # the pages (a page read ahead may hold them as they were before that write).
    written_meanwhile: defaultdict[str, set[str]]

    def __init__(
        self,
        *,
        model: SyncRun,
        client: ZohoClient,
        plan: SyncPlan,
        holder: str,
        watermarks: dict[str, datetime],
        on_progress: Callable[[SyncRun], None] | None = None,
        concurrency: int = 1,
    ) -> None:
        self.model, self.client, self.plan, self.holder = model, client, plan, holder
        self.concurrency = concurrency
        self.workspace = model.workspace
        self.dry_run = model.dry_run
        self.recorder = Recorder(model)
        self.on_progress = on_progress
        self.watermarks = watermarks
        self.module_errors = {}
        self.conversions = Conversions(to_plezi)
        self.to_zoho = Conversions(to_zoho)
        self.plezi_url = plezi_urls(self.workspace)
        self.checkpointed = time.monotonic()
        self.fast_lane = None
        self.fast_lane_looked = time.monotonic()
        self.written_meanwhile = defaultdict(set)

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

    def between_batches(self) -> None:
        """Between two pages or waves, where nothing read waits to be written: the moment a
        form's contact can go to Zoho without this run later writing over it."""
        if self.fast_lane and time.monotonic() - self.fast_lane_looked >= FAST_LANE_EVERY:
            self.fast_lane()
            self.fast_lane_looked = time.monotonic()

    def preview(
        self,
        *,
        side: Literal["Plezi", "Zoho"],
        action: Literal["create", "update"],
        email: str,
        changes: dict,
        module: str,
    ) -> None:
        """What a dry run would have written: kept on the run (the first PREVIEW_LIMIT)."""
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


def _jsonable(value: object) -> object:
    return value if isinstance(value, (str, int, float, bool, list, type(None))) else str(value)


def plezi_urls(workspace: Workspace) -> Callable[[Contact], str]:
    """`Contact.plezi_url` for this workspace's contacts with one `reverse()` in all: the
    URLs differ only by the id, and a `reverse()` each cost more than the rest of a payload."""
    marker = 9_876_543_210_123
    probe = Contact(workspace=workspace, pk=marker).plezi_url
    head, _, tail = probe.rpartition(str(marker))
    return lambda contact: f"{head}{contact.pk}{tail}"
