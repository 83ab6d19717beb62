"""What one run knows: the workspace's mapping as merge rules, the filter, the client."""

from dataclasses import dataclass, field

from integration.sync.merge import FieldRule
from integration.zoho.conversion import STANDARD_CONVERSION
from mapping.models import Module
from mapping.selectors import MappedPair, mapping_pairs_all, plezi_url_api, zoho_field_metas

LEADS, CONTACTS = Module.LEADS, Module.CONTACTS
MODULES = tuple(Module)
CONSENT_KEY, CONSENT_FIELD = "email_opt_out", "Email_Opt_Out"


@dataclass
class ModulePlan:
    """Per Zoho module: the pairs to apply each way, and the merge rules they make."""

    pull: list[MappedPair]
    push: list[MappedPair]
    rules: list[FieldRule] = field(init=False)

    def __post_init__(self) -> None:
        pulled = {p.plezi_key for p in self.pull}
        pushed = {p.plezi_key for p in self.push}
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


def plan_for(workspace, *, filter_field: str = "", filter_value: str = "") -> SyncPlan:
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
