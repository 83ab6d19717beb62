"""One Zoho record read: checked, identified by its email, its mapped fields converted."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime

from contacts.values import normalise_email
from integration.sync import issues
from integration.sync.context import Run
from integration.sync.convert import ValueProblem


@dataclass
class Pulled:
    """One Zoho record, read and converted."""

    record: dict
    email: str
    modified_at: datetime | None
    values: dict


def fields_to_read(run: Run, module: str) -> list[str]:
    """What a pull reads of each record: the mapped fields, the email, the filter, the time."""
    zoho_fields = run.plan.modules[module].zoho_fields
    return sorted({*zoho_fields, "Email", "Modified_Time", run.plan.filter_field} - {""})


def record_read(run: Run, module: str, record: dict, *, any_scope: bool = False) -> Pulled | None:
    """Filter, identify and convert one record; issues for what cannot be read."""
    if not well_formed(record):
        issues.skipped(
            run,
            issues.from_zoho(module, _id_excerpt(record)),
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
        issues.skipped(
            run,
            issues.from_zoho(module, str(record.get("id", ""))),
            code="NO_EMAIL",
            message=(
                "This Zoho record has no valid email address, so it cannot be matched to a "
                "Plezi contact. Add an email in Zoho; it will be synced on the next run."
            ),
        )
        return None
    values = {}
    plan = run.plan.modules[module]
    for pair in plan.read:
        if pair.zoho_api_name not in record:
            continue
        try:
            values[pair.plezi_key] = run.conversions(pair, record[pair.zoho_api_name])
        except ValueProblem as problem:
            if pair.plezi_key not in plan.pulled_keys:
                continue  # never taken into Plezi: nothing to say
            issues.error(
                run,
                issues.from_zoho(module, str(record["id"]), email),
                field=pair.plezi_key,
                code="UNKNOWN_VALUE",
                message=f"{problem} The Plezi field was left unchanged.",
            )
    modified = parse_datetime(record.get("Modified_Time") or "")
    return Pulled(record=record, email=email, modified_at=modified, values=values)


def well_formed(record) -> bool:
    """One broken record must never stop the page: check what the pull relies on."""
    return (
        isinstance(record, dict)
        and isinstance(record.get("id"), (str, int))
        and not isinstance(record.get("id"), bool)
        and str(record["id"]).strip() != ""
        and isinstance(record.get("Modified_Time"), (str, type(None)))
    )


def _id_excerpt(record) -> str:
    """What a malformed record's id can be shown as."""
    value = record.get("id") if isinstance(record, dict) else ""
    return str(value or "")[:40]
