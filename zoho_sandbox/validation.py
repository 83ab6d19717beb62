"""Record validation from field metadata, the way Zoho reports it per record.

Zoho answers one error per record: MANDATORY_NOT_FOUND for a missing system-mandatory
field, INVALID_DATA with ``api_name`` (and ``expected_data_type`` on a type error, or
``maximum_length`` on a length error) otherwise (zoho-crm-api.md §4.3).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from zoho_sandbox.fields import READ_ONLY

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
INTEGER_RE = re.compile(r"^-?\d+$")
NONE_OPTION = "-None-"


class Invalid(Exception):
    """A value does not fit its field; ``details`` go into the INVALID_DATA entry."""

    def __init__(self, details: dict) -> None:
        super().__init__(details)
        self.details = details


@dataclass
class Rules:
    """The switches that change validation (see README, "Behaviour choices")."""

    reject_unknown_picklist: bool = False
    reject_unknown_fields: bool = False


def record_error(code: str, message: str, details: dict) -> dict:
    return {"code": code, "details": details, "message": message, "status": "error"}


def mandatory_missing(api_name: str) -> dict:
    return record_error("MANDATORY_NOT_FOUND", "required field not found", {"api_name": api_name})


def invalid_data(details: dict, message: str = "invalid data") -> dict:
    return record_error("INVALID_DATA", message, details)


def clean(
    fields: dict[str, dict],
    data: dict,
    *,
    creating: bool,
    users: dict[str, dict],
    rules: Rules,
) -> tuple[dict, dict | None]:
    """Validate one record's payload: ``(values to store, None)`` or ``({}, error entry)``."""
    missing = _missing_mandatory(fields, data, creating=creating)
    if missing:
        return {}, mandatory_missing(missing)
    values: dict[str, Any] = {}
    for api_name, raw in data.items():
        if api_name == "id" or api_name.startswith("$"):
            continue
        field = fields.get(api_name)
        if field is None:
            if rules.reject_unknown_fields:
                message = "the field api name given seems to be invalid"
                return {}, invalid_data({"api_name": api_name}, message)
            continue  # Zoho v2 ignores keys that are not field API names.
        if api_name in READ_ONLY:
            continue
        try:
            values[api_name] = convert(field, raw, users=users, rules=rules)
        except Invalid as exc:
            return {}, invalid_data({"api_name": api_name, **exc.details})
    return values, None


def _missing_mandatory(fields: dict[str, dict], data: dict, *, creating: bool) -> str | None:
    for api_name, field in fields.items():
        if not field["system_mandatory"]:
            continue
        present = api_name in data
        if (creating or present) and _blank(data.get(api_name)):
            return api_name
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def convert(field: dict, raw: Any, *, users: dict[str, dict], rules: Rules) -> Any:
    """The stored form of ``raw`` for ``field``; raises :class:`Invalid`."""
    if raw is None or raw == NONE_OPTION:
        return None
    converter = CONVERTERS.get(field["data_type"], _text)
    return converter(field, raw, users, rules)


def _expect(field: dict) -> Invalid:
    return Invalid({"expected_data_type": field["data_type"]})


def _text(field: dict, raw: Any, users: dict, rules: Rules) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise _expect(field)
    text = str(raw)
    if field.get("length") and len(text) > field["length"]:
        raise Invalid({"maximum_length": field["length"]})
    return text


def _email(field: dict, raw: Any, users: dict, rules: Rules) -> str:
    text = _text(field, raw, users, rules)
    if text and not EMAIL_RE.match(text):
        raise _expect(field)
    return text


def _picklist(field: dict, raw: Any, users: dict, rules: Rules) -> str:
    text = _text(field, raw, users, rules)
    if rules.reject_unknown_picklist and text not in _options(field):
        raise _expect(field)
    return text


def _multiselect(field: dict, raw: Any, users: dict, rules: Rules) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise _expect(field)
    if rules.reject_unknown_picklist and not set(raw) <= _options(field):
        raise _expect(field)
    return list(raw)


def _options(field: dict) -> set[str]:
    return {v["display_value"] for v in field["pick_list_values"]} - {NONE_OPTION}


def _integer(field: dict, raw: Any, users: dict, rules: Rules) -> int:
    if isinstance(raw, str) and INTEGER_RE.match(raw.strip()):
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise _expect(field)
    if field.get("length") and len(str(abs(raw))) > field["length"]:
        raise Invalid({"maximum_length": field["length"]})
    return raw


def _bigint(field: dict, raw: Any, users: dict, rules: Rules) -> str:
    return str(_integer(field, raw, users, rules))


def _double(field: dict, raw: Any, users: dict, rules: Rules) -> float:
    if isinstance(raw, bool):
        raise _expect(field)
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise _expect(field) from None


def _boolean(field: dict, raw: Any, users: dict, rules: Rules) -> bool:
    if not isinstance(raw, bool):
        raise _expect(field)
    return raw


def _date(field: dict, raw: Any, users: dict, rules: Rules) -> str:
    if not isinstance(raw, str) or len(raw) != 10:  # Zoho dates are yyyy-MM-dd
        raise _expect(field)
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        raise _expect(field) from None


def _datetime(field: dict, raw: Any, users: dict, rules: Rules) -> str:
    try:
        moment = datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        raise _expect(field) from None
    if moment.tzinfo is None:  # Zoho wants the offset: 2019-07-25T15:26:49+05:30
        raise _expect(field)
    return moment.isoformat()


def _owner(field: dict, raw: Any, users: dict, rules: Rules) -> dict:
    user_id = raw.get("id") if isinstance(raw, dict) else raw
    user = users.get(str(user_id)) if isinstance(user_id, str | int) else None
    if user is None:
        raise _expect(field)
    return {"name": user["full_name"], "id": user["id"], "email": user["email"]}


def _lookup(field: dict, raw: Any, users: dict, rules: Rules) -> dict:
    record_id = raw.get("id") if isinstance(raw, dict) else raw
    if not (isinstance(record_id, str | int) and INTEGER_RE.match(str(record_id))):
        raise _expect(field)
    name = raw.get("name") if isinstance(raw, dict) else None
    return {"name": name, "id": str(record_id)}


Converter = Callable[[dict, Any, dict, Rules], Any]
CONVERTERS: dict[str, Converter] = {
    "text": _text,
    "textarea": _text,
    "phone": _text,
    "website": _text,
    "email": _email,
    "picklist": _picklist,
    "multiselectpicklist": _multiselect,
    "integer": _integer,
    "bigint": _bigint,
    "double": _double,
    "currency": _double,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "ownerlookup": _owner,
    "lookup": _lookup,
}
