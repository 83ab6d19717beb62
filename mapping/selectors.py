"""Reading the mapping: what the sync applies, and what the mapping page shows."""

from dataclasses import dataclass, replace
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from accounts.models import Workspace
from contacts.models import Field
from contacts.selectors import fields_of
from contacts.values import max_length
from mapping import rules
from mapping.models import FieldMapping, Module, ZohoFieldSet
from mapping.rules import FROM_ZOHO, TO_ZOHO, PleziSpec

_PICKLISTS = ("picklist", "multiselectpicklist")
_URL_TYPES = ("text", "textarea", "website")


@dataclass(frozen=True)
class MappedPair:
    """One Plezi field ⇄ Zoho field pair the sync applies in one direction."""

    plezi_key: str
    plezi_type: str
    plezi_choices: list[str]
    zoho_api_name: str
    zoho_data_type: str
    zoho_length: int | None
    zoho_picklist: list[str] | None
    zoho_read_only: bool


def plezi_spec(field: Field) -> PleziSpec:
    return PleziSpec(
        key=field.key,
        label=field.label,
        type=field.type,
        choices=tuple(field.choices or ()),
        max_length=max_length(field),
    )


def zoho_field_meta(workspace: Workspace, module: str) -> dict[str, dict]:
    """{api_name: field dict} of the last Zoho snapshot of `module` ({} before connecting)."""
    field_set = ZohoFieldSet.objects.for_workspace(workspace).filter(module=module).first()
    return field_set.by_api_name() if field_set else {}


def mapping_pairs(workspace: Workspace, module: str, direction: str) -> list[MappedPair]:
    """The pairs the sync must apply for `module` in `direction` ("to_zoho" or "from_zoho").

    Only rows that validate now are returned: a row with a problem (its Zoho
    field disappeared or changed type, picklists that differ, ...) stops
    syncing until fixed. Contacts never have "to_zoho" pairs.
    """
    rows = _mapped_rows(workspace).filter(module=module, **{direction: True})
    return _pairs(module, direction, rows, zoho_field_meta(workspace, module))


def zoho_field_metas(workspace: Workspace) -> dict[str, dict[str, dict]]:
    """{module: {api_name: field dict}} of every Zoho snapshot, in one query."""
    return {s.module: s.by_api_name() for s in ZohoFieldSet.objects.for_workspace(workspace)}


def mapping_pairs_all(
    workspace: Workspace, metas: dict[str, dict[str, dict]] | None = None
) -> dict[tuple[str, str], list[MappedPair]]:
    """`mapping_pairs` for every (module, direction), in two queries (one with `metas`)."""
    rows = list(_mapped_rows(workspace))
    metas = zoho_field_metas(workspace) if metas is None else metas
    return {
        (module, direction): _pairs(
            module,
            direction,
            [r for r in rows if r.module == module and getattr(r, direction)],
            metas.get(module, {}),
        )
        for module in Module.values
        for direction in (TO_ZOHO, FROM_ZOHO)
    }


def plezi_url_field(workspace: Workspace) -> str | None:
    """The API name of the Leads field that receives each contact's Plezi link, if any.

    The seed asks customers to create a text field `plezi_url` on Leads; we
    match its API name case-insensitively, and only when Plezi can write a
    link into it.
    """
    return plezi_url_api(zoho_field_meta(workspace, Module.LEADS))


def plezi_url_api(meta: dict[str, dict]) -> str | None:
    """`plezi_url_field` over a Leads snapshot already read."""
    for api_name, zoho in meta.items():
        if api_name.lower() == rules.PLEZI_URL_API and _can_hold_url(zoho):
            return api_name
    return None


def _can_hold_url(zoho: dict) -> bool:
    writable = not (zoho.get("read_only") or zoho.get("field_read_only"))
    return writable and zoho.get("data_type") in _URL_TYPES


def _mapped_rows(workspace: Workspace):
    return (
        FieldMapping.objects.for_workspace(workspace)
        .exclude(zoho_field="")
        .filter(problem="")
        .select_related("plezi_field")
        .order_by("plezi_field__position", "plezi_field__id")
    )


def _pairs(module: str, direction: str, rows, meta: dict[str, dict]) -> list[MappedPair]:
    if direction not in rules.allowed_directions(module):
        return []
    pairs = []
    for row in rows:
        spec = plezi_spec(row.plezi_field)
        zoho = meta.get(row.zoho_field)
        enabled = row_directions(row)
        if rules.row_problem(module, spec, row.zoho_field, zoho, enabled, row.zoho_type):
            continue
        pairs.append(_pair(spec, row.zoho_field, zoho))
    return pairs


def _pair(spec: PleziSpec, api_name: str, zoho: dict) -> MappedPair:
    data_type = rules.zoho_type(zoho)
    return MappedPair(
        plezi_key=spec.key,
        plezi_type=spec.type,
        plezi_choices=list(spec.choices),
        zoho_api_name=api_name,
        zoho_data_type=data_type,
        zoho_length=zoho.get("length"),
        zoho_picklist=rules.picklist_values(zoho) if data_type in _PICKLISTS else None,
        zoho_read_only=bool(zoho.get("read_only") or zoho.get("field_read_only")),
    )


def row_directions(row: FieldMapping) -> frozenset[str]:
    return frozenset(d for d in (TO_ZOHO, FROM_ZOHO) if getattr(row, d))


# The mapping page -------------------------------------------------------------


@dataclass(frozen=True)
class ZohoOption:
    api_name: str
    label: str
    type_label: str
    missing: bool = False


@dataclass(frozen=True)
class PageRow:
    """One Plezi field as the mapping page shows it."""

    plezi: PleziSpec
    zoho_field: str
    to_zoho: bool
    from_zoho: bool
    editable: bool
    can_to_zoho: bool
    can_from_zoho: bool
    level: str  # "ok", "warning", "error", "off" or "info"
    messages: tuple[str, ...]
    notes: tuple[str, ...]
    missing_option: ZohoOption | None = None


@dataclass(frozen=True)
class MappingPage:
    module: str
    fetched_at: datetime | None
    options: list[ZohoOption]
    rows: list[PageRow]
    plezi_url: str | None

    @property
    def connected(self) -> bool:
        return self.fetched_at is not None


def mapping_page(workspace: Workspace, module: str) -> MappingPage:
    """Everything the mapping page of `module` shows, in three queries."""
    field_set = ZohoFieldSet.objects.for_workspace(workspace).filter(module=module).first()
    meta = field_set.by_api_name() if field_set else {}
    mappings = {
        m.plezi_field_id: m
        for m in FieldMapping.objects.for_workspace(workspace).filter(module=module)
    }
    rows = [
        _page_row(module, plezi_spec(field), mappings.get(field.pk), meta)
        for field in fields_of(workspace)
    ]
    return MappingPage(
        module=module,
        fetched_at=field_set.fetched_at if field_set else None,
        options=_options(field_set, meta),
        rows=rows,
        plezi_url=plezi_url_api(meta) if module == Module.LEADS else None,
    )


def mapping_page_refused(
    page: MappingPage, posted: list[dict], refused: dict[str, list[str]]
) -> MappingPage:
    """`page` after a save with refusals: each refused row as the user left it, in error.

    The other rows show what is saved (their changes were saved).
    """
    by_key = {row.get("plezi_key"): row for row in posted}
    known = {option.api_name for option in page.options}
    rows = [
        _refused_row(row, by_key[row.plezi.key], refused[row.plezi.key], known)
        if row.plezi.key in refused and row.plezi.key in by_key
        else row
        for row in page.rows
    ]
    return replace(page, rows=rows)


def _refused_row(row: PageRow, posted: dict, messages: list[str], known: set[str]) -> PageRow:
    api = (posted.get("zoho_field") or "").strip()
    return replace(
        row,
        zoho_field=api,
        to_zoho=bool(posted.get("to_zoho")) and row.can_to_zoho,
        from_zoho=bool(posted.get("from_zoho")) and row.can_from_zoho,
        level="error",
        messages=tuple(messages),
        notes=(_("Not saved: this field keeps its saved mapping until you correct it."),),
        missing_option=(
            ZohoOption(api, api, "not in Zoho", missing=True) if api and api not in known else None
        ),
    )


def _options(field_set: ZohoFieldSet | None, meta: dict[str, dict]) -> list[ZohoOption]:
    if field_set is None:
        return []
    ordered = [api for api in field_set.order if api in meta]
    ordered += [api for api in meta if api not in set(ordered)]
    return [_option(meta[api]) for api in ordered]


def _option(zoho: dict) -> ZohoOption:
    return ZohoOption(
        api_name=zoho["api_name"],
        label=rules.zoho_label(zoho),
        type_label=rules.zoho_type_label(rules.zoho_type(zoho)),
    )


def _page_row(module: str, spec: PleziSpec, row: FieldMapping | None, meta) -> PageRow:
    allowed = rules.allowed_directions(module)
    api_name = row.zoho_field if row else ""
    zoho = meta.get(api_name) if api_name else None
    level, messages, notes = _state(module, spec, row, zoho)
    can_to_zoho = TO_ZOHO in allowed
    can_from_zoho = FROM_ZOHO in allowed and spec.key not in rules.SPECIAL
    fixed = spec.key in rules.MANDATORY or spec.key == rules.CONSENT_KEY
    return PageRow(
        plezi=spec,
        zoho_field=api_name,
        to_zoho=bool(row and row.to_zoho),
        from_zoho=bool(row and row.from_zoho),
        editable=not (fixed or (row and row.locked)) and (can_to_zoho or can_from_zoho),
        can_to_zoho=can_to_zoho,
        can_from_zoho=can_from_zoho,
        level=level,
        messages=messages,
        notes=notes,
        missing_option=(
            ZohoOption(api_name, api_name, "not in Zoho", missing=True)
            if api_name and zoho is None
            else None
        ),
    )


_SYNCED = {
    frozenset({TO_ZOHO, FROM_ZOHO}): _("Synchronised both ways."),
    frozenset({TO_ZOHO}): _("Sent from Plezi to Zoho."),
    frozenset({FROM_ZOHO}): _("Filled from Zoho."),
}


def _state(module: str, spec: PleziSpec, row: FieldMapping | None, zoho: dict | None):
    """(level, messages, notes) of a row: why it does or does not synchronise."""
    if spec.key == rules.CONSENT_KEY:
        return "info", (rules.CONSENT_PLEZI.format(plezi=spec.label),), ()
    if spec.key in rules.SPECIAL and module != rules.LEADS:
        return "info", (rules.SPECIAL_LEADS_ONLY.format(plezi=spec.label),), ()
    if row is None or not row.zoho_field:
        return "off", (_("Not mapped."),), ()
    enabled = row_directions(row)
    problem = row.problem or rules.row_problem(
        module, spec, row.zoho_field, zoho, enabled, row.zoho_type
    )
    if problem:
        return "error", (problem,), ()
    check = rules.check_pair(module, spec, row.zoho_field, zoho)
    notes = tuple(
        check.refused[d]
        for d in rules.allowed_directions(module)
        if d not in enabled and d in check.refused and not _always_refused(spec, d)
    )
    if not enabled:
        return "off", (_("Not synchronised: turn on a direction."),), notes
    warnings = tuple(check.warnings[d] for d in sorted(enabled) if d in check.warnings)
    if warnings:
        return "warning", warnings, notes
    return "ok", (_SYNCED[enabled],), notes


def _always_refused(spec: PleziSpec, direction: str) -> bool:
    """Directions whose toggle is disabled anyway need no explanation per row."""
    return direction == FROM_ZOHO and spec.key in rules.SPECIAL
