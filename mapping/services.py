"""Every write to the field mapping: storing Zoho's field list, and saving the mapping page."""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.audit import CHANGE, audit_log, change_line
from accounts.models import Workspace
from accounts.services import workspace_mark_settings_changed
from contacts.models import Field
from contacts.selectors import fields_of
from mapping import rules
from mapping.models import FieldMapping, Module, ZohoFieldSet
from mapping.rules import FROM_ZOHO, TO_ZOHO, PleziSpec
from mapping.selectors import plezi_spec, row_directions

logger = logging.getLogger(__name__)

# Stored as is; the resync banner translates it when shown.
MAPPING_CHANGED = gettext_noop("Mapping changed")
NOT_CONNECTED = "Connect Zoho CRM first: Plezi needs the list of Zoho fields to check the mapping."
DUPLICATE = (
    "Zoho “{zoho}” is already mapped to “{other}”: a Zoho field can be mapped to one Plezi "
    "field only. “{plezi}” was not changed."
)

# The default mapping proposed on the first snapshot of a module: Plezi key ->
# Zoho API name (matched case-insensitively). Other fields match by name.
DEFAULTS = {
    Module.LEADS: {
        **rules.MANDATORY,
        "company": "Company",
        "phone": "Phone",
        "mobile": "Mobile",
        "job_title": "Designation",
        "website": "Website",
        "city": "City",
        "country": "Country",
        "lead_source": "Lead_Source",
        **rules.SPECIAL,
    },
    Module.CONTACTS: {
        **rules.MANDATORY,
        "phone": "Phone",
        "mobile": "Mobile",
        "job_title": "Title",
        "city": "Mailing_City",
        "country": "Mailing_Country",
        "lead_source": "Lead_Source",
    },
}


def _module(module: str) -> str:
    if module not in Module.values:
        raise ValueError(f"Unknown Zoho module {module!r}: expected one of {Module.values}.")
    return module


# Storing Zoho's fields -------------------------------------------------------


@transaction.atomic
def zoho_fields_store(*, workspace: Workspace, module: str, fields: list[dict]) -> ZohoFieldSet:
    """Store the field metadata Zoho returned for `module` and re-check the mapping.

    `fields` are the dicts of `GET /crm/v2/settings/fields?module=`, stored as
    they are. On the first snapshot of a module (no mapping yet) a default
    mapping is proposed by matching names and types. Otherwise every mapped
    row is checked again: a row whose Zoho field disappeared, changed type or
    no longer matches gets a `problem` and stops syncing until fixed.
    Raises ValueError for a module other than Leads or Contacts.
    """
    module = _module(module)
    field_set, created = ZohoFieldSet.objects.select_for_update().get_or_create(
        workspace=workspace,
        module=module,
        defaults={"fields": fields, "fetched_at": timezone.now()},
    )
    field_set.order = _field_order([] if created else field_set.order, fields)
    field_set.fields, field_set.fetched_at = fields, timezone.now()
    field_set.save()
    meta = field_set.by_api_name()
    plezi_fields = list(fields_of(workspace))
    rows = FieldMapping.objects.for_workspace(workspace).filter(module=module)
    if not rows.exists():
        _propose_defaults(workspace, module, plezi_fields, meta)
    else:
        _ensure_locked_rows(workspace, module, plezi_fields, rows, meta)
        _recheck(workspace, module, rows.select_related("plezi_field"), meta)
    return field_set


def _field_order(previous: list[str], fields: list[dict]) -> list[str]:
    """Known fields keep their place; new ones go last."""
    names = [f["api_name"] for f in fields if f.get("api_name")]
    present = set(names)
    kept = [name for name in previous if name in present]
    return kept + [name for name in names if name not in set(kept)]


def _propose_defaults(
    workspace: Workspace, module: str, plezi_fields: list[Field], meta: dict[str, dict]
) -> None:
    by_lower = {api.lower(): api for api in meta}
    by_label = {rules.zoho_label(z).casefold(): api for api, z in meta.items()}
    claimed: set[str] = set()
    rows = []
    for plezi_field in plezi_fields:
        spec = plezi_spec(plezi_field)
        row = FieldMapping(workspace=workspace, module=module, plezi_field=plezi_field)
        if spec.key in rules.MANDATORY:
            _lock(row, module, meta)
        else:
            api = _default_candidate(module, spec, by_lower, by_label)
            if api and api not in claimed:
                _propose(row, module, spec, api, meta[api])
        claimed.add(row.zoho_field)
        rows.append(row)
    FieldMapping.objects.bulk_create(rows)


def _default_candidate(module: str, spec: PleziSpec, by_lower: dict, by_label: dict) -> str:
    if spec.key in DEFAULTS[module]:
        return by_lower.get(DEFAULTS[module][spec.key].lower(), "")
    if spec.key in rules.MANDATORY or spec.key in rules.SPECIAL or spec.key == rules.CONSENT_KEY:
        return ""
    return by_lower.get(spec.key.lower()) or by_label.get(spec.label.casefold(), "")


def _propose(row: FieldMapping, module: str, spec: PleziSpec, api: str, zoho: dict) -> None:
    """Map `api` in every direction the rules allow; leave the row unmapped if none."""
    check = rules.check_pair(module, spec, api, zoho)
    directions = [d for d in rules.allowed_directions(module) if check.allows(d)]
    if directions:
        row.zoho_field, row.zoho_type = api, zoho.get("data_type", "")
        row.to_zoho, row.from_zoho = TO_ZOHO in directions, FROM_ZOHO in directions


def _lock(row: FieldMapping, module: str, meta: dict[str, dict]) -> None:
    api = rules.MANDATORY[row.plezi_field.key]
    directions = rules.locked_directions(module)
    row.locked, row.zoho_field = True, api
    row.zoho_type = meta.get(api, {}).get("data_type", "")
    row.to_zoho, row.from_zoho = TO_ZOHO in directions, FROM_ZOHO in directions
    row.problem = rules.row_problem(
        module, plezi_spec(row.plezi_field), api, meta.get(api), set(directions)
    )


def _ensure_locked_rows(
    workspace: Workspace, module: str, plezi_fields: list[Field], rows, meta: dict[str, dict]
) -> None:
    """Mandatory fields are always mapped, even if their row went missing."""
    have = set(rows.values_list("plezi_field_id", flat=True))
    missing = [f for f in plezi_fields if f.key in rules.MANDATORY and f.pk not in have]
    if missing:
        # Whatever held the mandatory Zoho field gives it back.
        apis = [rules.MANDATORY[f.key] for f in missing]
        rows.filter(zoho_field__in=apis).update(zoho_field="", to_zoho=False, from_zoho=False)
        new = [FieldMapping(workspace=workspace, module=module, plezi_field=f) for f in missing]
        for row in new:
            _lock(row, module, meta)
        FieldMapping.objects.bulk_create(new)


def _recheck(workspace: Workspace, module: str, rows, meta: dict[str, dict]) -> None:
    changed, resumed, now = [], False, timezone.now()
    for row in rows:
        problem = rules.row_problem(
            module,
            plezi_spec(row.plezi_field),
            row.zoho_field,
            meta.get(row.zoho_field),
            row_directions(row),
            row.zoho_type,
        )
        if problem != row.problem:
            resumed = resumed or (row.problem and not problem)
            row.problem, row.updated_at = problem, now
            changed.append(row)
    FieldMapping.objects.bulk_update(changed, ["problem", "updated_at"])
    if resumed:
        # Values changed while the row was paused: a full sync catches up.
        workspace_mark_settings_changed(workspace=workspace, change=MAPPING_CHANGED)


# Saving the mapping page -----------------------------------------------------

# A row's state: (Zoho API name, directions, Zoho type when saved, problem).
State = tuple[str, frozenset[str], str, str]


@dataclass
class SaveReport:
    """What `mapping_save` did: refusals (one message each), rows changed, sync changed.

    `refused`: {Plezi field key: its refusals}, so the page shows each on its row.
    """

    errors: list[str] = field(default_factory=list)
    saved: int = 0
    sync_changed: bool = False
    refused: dict[str, list[str]] = field(default_factory=dict)


@transaction.atomic
def mapping_save(*, workspace: Workspace, module: str, rows: list[dict], actor=None) -> SaveReport:
    """Apply the mapping rows posted for `module`, refusing what the rules forbid.

    Each row is a dict: `plezi_key`, `zoho_field` (API name, "" = not mapped),
    `to_zoho`, `from_zoho`. Valid changes are saved; a refused direction is
    dropped and a row that cannot synchronise at all keeps its saved state,
    each with one message naming the field in `SaveReport.errors`. Rows of
    mandatory fields never change. When what synchronises changed, the
    workspace is marked as needing a resync. Raises ValueError for an unknown module.
    """
    module = _module(module)
    loaded = _load(workspace, module, lock=True)
    if loaded is None:
        return SaveReport(errors=[NOT_CONNECTED])
    meta, fields, stored = loaded
    errors: list[tuple[str, str]] = []
    targets = _targets(module, fields, stored, rows, meta, errors)
    targets = _without_duplicates(targets, fields, stored, meta, errors)
    before = {pk: _state(m) for pk, m in stored.items()}
    after = {**before, **_write(workspace, module, stored, targets, meta)}
    report = SaveReport(
        errors=list(dict.fromkeys(message for _, message in errors)),
        refused=_by_field(errors),
        saved=_count_changed(before, after),
        sync_changed=_syncing(module, fields, before, meta)
        != _syncing(module, fields, after, meta),
    )
    if report.sync_changed:
        workspace_mark_settings_changed(workspace=workspace, change=MAPPING_CHANGED)
    _audit(workspace, module, fields, before, after, actor)
    logger.info(
        "Mapping of %s %s saved by %s: %d rows changed, %d refusals",
        workspace.slug,
        module,
        actor,
        report.saved,
        len(report.errors),
    )
    return report


def _audit(workspace, module, fields, before, after, actor) -> None:
    """One History row per mapping row whose Zoho field or directions changed."""
    unmapped = ("", frozenset())
    changed = {
        pk: (before.get(pk, unmapped)[:2], state[:2])
        for pk, state in after.items()
        if state[:2] != before.get(pk, unmapped)[:2]
    }
    rows = FieldMapping.objects.for_workspace(workspace).filter(
        module=module, plezi_field_id__in=changed
    )
    for row in rows:
        (old_api, old_directions), (new_api, new_directions) = changed[row.plezi_field_id]
        changes = [
            gettext("%(field)s (%(module)s):")
            % {"field": fields[row.plezi_field_id].label, "module": gettext(module)}
        ]
        if old_api != new_api:
            changes.append(change_line(gettext("Zoho field"), old_api, new_api))
        if old_directions != new_directions:
            changes.append(
                change_line(
                    gettext("Directions"), _directions(old_directions), _directions(new_directions)
                )
            )
        audit_log(actor=actor, obj=row, action=CHANGE, changes=changes)


def _directions(directions: frozenset[str]) -> str:
    if directions == {TO_ZOHO, FROM_ZOHO}:
        return gettext("both ways")
    if directions == {TO_ZOHO}:
        return "Plezi → Zoho"
    if directions == {FROM_ZOHO}:
        return "Zoho → Plezi"
    return gettext("none")


def mapping_check(*, workspace: Workspace, module: str, row: dict) -> list[str]:
    """The refusals `mapping_save` would give for `row` (same shape), saving nothing."""
    loaded = _load(workspace, _module(module), lock=False)
    if loaded is None:
        return [NOT_CONNECTED]
    meta, fields, stored = loaded
    errors: list[tuple[str, str]] = []
    targets = _targets(module, fields, stored, [row], meta, errors)
    _without_duplicates(targets, fields, stored, meta, errors)
    return list(dict.fromkeys(message for _, message in errors))


def _by_field(errors: list[tuple[str, str]]) -> dict[str, list[str]]:
    refused: dict[str, list[str]] = {}
    for key, message in errors:
        if message not in refused.setdefault(key, []):
            refused[key].append(message)
    return refused


def _load(workspace: Workspace, module: str, *, lock: bool):
    """(Zoho metadata, Plezi fields by id, saved rows by field id), or None before connecting.

    Locking the snapshot row serialises saves of one module, so two admins
    saving at once cannot both claim one Zoho field.
    """
    field_sets = ZohoFieldSet.objects.for_workspace(workspace).filter(module=module)
    field_set = (field_sets.select_for_update() if lock else field_sets).first()
    if field_set is None:
        return None
    fields = {f.pk: f for f in fields_of(workspace)}
    stored = {
        m.plezi_field_id: m
        for m in FieldMapping.objects.for_workspace(workspace).filter(module=module)
    }
    return field_set.by_api_name(), fields, stored


def _state(row: FieldMapping) -> State:
    return row.zoho_field, row_directions(row), row.zoho_type, row.problem


def _targets(module, fields, stored, rows, meta, errors) -> dict[int, tuple[str, frozenset]]:
    """{Plezi field id: (Zoho API name, directions)} for the rows to write."""
    posted = {row.get("plezi_key"): row for row in rows}
    targets = {}
    for pk, plezi_field in fields.items():
        if plezi_field.key in posted:
            spec, row = plezi_spec(plezi_field), posted[plezi_field.key]
            target = _target(module, spec, stored.get(pk), row, meta, errors)
            if target is not None:
                targets[pk] = target
    return targets


def _target(module, spec: PleziSpec, current, row: dict, meta, errors: list):
    """What one posted row becomes, or None to keep the saved row as it is.

    Refusals go to `errors` as (Plezi field key, message)."""
    found: list[str] = []
    target = _checked_target(module, spec, current, row, meta, found)
    errors.extend((spec.key, message) for message in found)
    return target


def _checked_target(module, spec: PleziSpec, current, row: dict, meta, errors: list[str]):
    api = (row.get("zoho_field") or "").strip()
    requested = frozenset(d for d in rules.DIRECTIONS if api and row.get(d))
    saved = (current.zoho_field, row_directions(current)) if current else None
    if (api, requested) == saved and not current.problem:
        return None
    if spec.key in rules.MANDATORY or (current and current.locked):
        if (api, requested) != (rules.MANDATORY.get(spec.key), rules.locked_directions(module)):
            errors.append(rules.locked_message(module, spec))
        return None
    if not api:
        return "", frozenset()
    check = rules.check_pair(module, spec, api, meta.get(api))
    refused = [check.refused[d] for d in rules.DIRECTIONS if d in requested and d in check.refused]
    if not any(check.allows(d) for d in rules.DIRECTIONS):
        errors.extend(refused or [_first_refusal(module, check)])
        return None
    errors.extend(refused)
    allowed = frozenset(d for d in requested if check.allows(d))
    if requested and not allowed:
        return None  # every direction asked for was refused: keep the saved row as it is
    return api, allowed


def _first_refusal(module, check) -> str:
    """The reason that matters for this module (not a direction the module never allows)."""
    usable = [check.refused[d] for d in rules.allowed_directions(module) if d in check.refused]
    return (usable or list(check.refused.values()))[0]


def _without_duplicates(targets, fields, stored, meta, errors: list[tuple[str, str]]):
    """A Zoho field is written by one Plezi field: the row that keeps it wins."""
    claims = {m.zoho_field: pk for pk, m in stored.items() if m.zoho_field and pk not in targets}
    kept = {}
    for pk, (api, directions) in targets.items():
        if api and claims.get(api, pk) != pk:
            message = DUPLICATE.format(
                zoho=rules.zoho_label(meta[api]),
                other=fields[claims[api]].label,
                plezi=fields[pk].label,
            )
            errors.append((fields[pk].key, message))
            current = stored.get(pk)
            if current and current.zoho_field and current.zoho_field not in claims:
                claims[current.zoho_field] = pk  # keeps its saved row
                continue
            api, directions = "", frozenset()
        if api:
            claims[api] = pk
        kept[pk] = (api, directions)
    return kept


def _write(workspace, module, stored, targets, meta) -> dict[int, State]:
    """Write the targets; returns the new state of each written row."""
    now, new, changed, states = timezone.now(), [], [], {}
    for pk, (api, directions) in targets.items():
        row = stored.get(pk) or FieldMapping(workspace=workspace, module=module, plezi_field_id=pk)
        row.zoho_field, row.zoho_type = api, meta[api].get("data_type", "") if api else ""
        row.to_zoho, row.from_zoho = TO_ZOHO in directions, FROM_ZOHO in directions
        row.problem, row.updated_at = "", now
        (changed if row.pk else new).append(row)
        states[pk] = _state(row)
    # A Zoho field moving between rows is released first: the unique
    # constraint is checked row by row, not at the end of the statement.
    moved = [row.pk for row in changed if stored[row.plezi_field_id].zoho_field]
    FieldMapping.objects.filter(pk__in=moved).update(zoho_field="", to_zoho=False, from_zoho=False)
    FieldMapping.objects.bulk_update(
        changed, ["zoho_field", "zoho_type", "to_zoho", "from_zoho", "problem", "updated_at"]
    )
    FieldMapping.objects.bulk_create(new)
    return states


def _count_changed(before: dict[int, State], after: dict[int, State]) -> int:
    """Rows whose Zoho field or directions changed (a new unmapped row is no change)."""
    unmapped = ("", frozenset())
    return sum(1 for pk, state in after.items() if state[:2] != before.get(pk, unmapped)[:2])


def _syncing(module, fields, states: dict[int, State], meta) -> set[tuple[int, str, str]]:
    """(Plezi field id, Zoho API name, direction) of every pair that synchronises."""
    pairs = set()
    for pk, (api, directions, zoho_type, problem) in states.items():
        spec = plezi_spec(fields[pk])
        if problem or rules.row_problem(module, spec, api, meta.get(api), directions, zoho_type):
            continue
        pairs.update((pk, api, d) for d in directions)
    return pairs
