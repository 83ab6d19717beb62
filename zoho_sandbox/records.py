"""Record writes and their Zoho-shaped per-record results, plus how a record is shown.

Callers hold ``org.lock``. Every write moves ``Modified_Time`` and ``Modified_By``.
"""

from __future__ import annotations

import json
from typing import Any

from zoho_sandbox.clock import format_time
from zoho_sandbox.fields import READ_ONLY
from zoho_sandbox.state import Org
from zoho_sandbox.store import Record
from zoho_sandbox.validation import clean, invalid_data, record_error

MAX_BATCH = 100  # Zoho: at most 100 records per insert, update, upsert or delete call
CONVERTED_REFUSAL = "can't update the converted record"
# v3+ Leads also carry the conversion as fields (zoho-crm-api.md §9.2, §10); v2 lacks them.
CONVERSION_FIELDS = ("Converted__s", "Converted_Date_Time")


def batch_status(results: list[dict], all_good: int, *, legacy: bool) -> int:
    """201/200 when every record succeeded, 207 mixed, 400 all failed; v2 said 202 (legacy)."""
    ok = sum(1 for r in results if r["status"] == "success")
    if ok == len(results):
        return all_good
    if legacy:
        return 202
    return 207 if ok else 400


def _success(org: Org, record: Record, message: str) -> dict:
    tz = org.settings["time_zone_offset_minutes"]
    details = {
        "Modified_Time": format_time(record.modified, tz),
        "Modified_By": org.user_ref(record.modified_by),
        "Created_Time": format_time(record.created, tz),
        "id": record.id,
        "Created_By": org.user_ref(record.created_by),
    }
    return {"code": "SUCCESS", "details": details, "message": message, "status": "success"}


def _unique_conflict(org: Org, module: str, values: dict, own_id: str | None) -> dict | None:
    store = org.stores[module]
    for api_name, field in org.fields[module].items():
        if not field["unique"] or values.get(api_name) is None:
            continue
        others = [i for i in store.find(api_name, values[api_name]) if i != own_id]
        if others:
            details = {"api_name": api_name, "id": others[0]}
            return record_error("DUPLICATE_DATA", "duplicate data", details)
    return None


def insert(org: Org, module: str, data: Any, actor: str) -> dict:
    """Insert one record; the result entry Zoho gives for it."""
    if not isinstance(data, dict):
        return invalid_data({"expected_data_type": "jsonobject"})
    values, error = clean(
        org.fields[module], data, creating=True, users=org.users, rules=org.rules()
    )
    error = error or _unique_conflict(org, module, values, None)
    if error:
        return error
    values.setdefault("Owner", org.user_ref(actor, email=True))
    now = int(org.now())
    record = Record(org.new_id(), values, now, now, actor, actor)
    org.stores[module].add(record)
    org.log_write("create", module, record, actor, values, values)
    _encode(org, module, record)
    return _success(org, record, "record added")


def update(org: Org, module: str, record_id: Any, data: Any, actor: str) -> dict:
    if not isinstance(data, dict):
        return invalid_data({"expected_data_type": "jsonobject"})
    if record_id in (None, ""):
        return record_error("MANDATORY_NOT_FOUND", "required field not found", {"api_name": "id"})
    record = org.stores[module].records.get(str(record_id))
    if record is None:
        return invalid_data({"api_name": "id"}, "the id given seems to be invalid")
    if record.converted:  # zoho-crm-api.md §10: a converted lead takes no more writes
        return invalid_data({"id": record.id}, CONVERTED_REFUSAL)
    values, error = clean(
        org.fields[module], data, creating=False, users=org.users, rules=org.rules()
    )
    error = error or _unique_conflict(org, module, values, record.id)
    if error:
        return error
    record.modified, record.modified_by = int(org.now()), actor
    changed = [k for k, v in values.items() if v != record.values.get(k)]
    org.stores[module].change(record, values)
    org.log_write("update", module, record, actor, values, changed)
    _encode(org, module, record)
    return _success(org, record, "record updated")


def _encode(org: Org, module: str, record: Record) -> None:
    # Encode on write, not on the next read: pages then cost O(page) slices of ready JSON.
    Renderer(org, module).encoded(record)


def upsert(org: Org, module: str, data: Any, check_fields: list[str], actor: str) -> dict:
    """Update the record matching the first duplicate-check field that matches, else insert.

    Several matches: the oldest record (lowest id) is updated. Converted leads never match.
    """
    store = org.stores[module]
    for api_name in check_fields:
        value = data.get(api_name) if isinstance(data, dict) else None
        matches = [i for i in store.find(api_name, value) if not store.records[i].converted]
        if matches:
            result = update(org, module, matches[0], data, actor)
            return _with_action(result, "update", api_name)
    return _with_action(insert(org, module, data, actor), "insert", None)


def _with_action(result: dict, action: str, duplicate_field: str | None) -> dict:
    if result["status"] != "success":
        return result
    return {**result, "action": action, "duplicate_field": duplicate_field}


def default_check_fields(org: Org, module: str) -> list[str]:
    """Email for Leads and Contacts, then the user-defined unique fields (upsert docs)."""
    unique = [f for f, meta in org.fields[module].items() if meta["unique"] and f != "Email"]
    return ["Email", *unique]


def delete(org: Org, module: str, record_id: str, actor: str) -> dict:
    store = org.stores[module]
    if record_id not in store.records:
        return invalid_data({"id": record_id}, "record not deleted")
    record = store.remove(record_id)
    org.log_write("delete", module, record, actor)
    store.deleted.append(
        {
            "id": record.id,
            "display_name": _full_name(record.values) or record.id,
            "type": "recycle",
            "created_by": record.created_by,
            "deleted_by": actor,
            "deleted_time": int(org.now()),
        }
    )
    success = {"code": "SUCCESS", "details": {"id": record_id}, "message": "record deleted"}
    return {**success, "status": "success"}


def _full_name(values: dict) -> str | None:
    parts = [values.get("First_Name"), values.get("Last_Name")]
    return " ".join(p for p in parts if p) or None


class Renderer:
    """Turns records into Zoho's JSON shape; built once per request.

    ``v8``: Leads carry ``Converted__s`` and ``Converted_Date_Time``, in full records and
    when ``only`` names them; v2 knows neither.
    """

    def __init__(
        self, org: Org, module: str, only: list[str] | None = None, *, v8: bool = False
    ) -> None:
        self.org = org
        self.tz = org.settings["time_zone_offset_minutes"]
        fields = org.fields[module]
        self.conversion = v8 and module == "Leads"
        known = {*fields, *(CONVERSION_FIELDS if self.conversion else ())}
        self.full = only is None
        self.names = list(fields) if only is None else [n for n in only if n in known]
        self.plain = [n for n in self.names if n not in READ_ONLY and n not in CONVERSION_FIELDS]
        self.specials = [n for n in self.names if n in READ_ONLY or n in CONVERSION_FIELDS]
        self.key = (self.tz, len(fields), self.conversion)  # fields are only ever added
        self._times: dict[int, str] = {}
        self._users: dict[str, dict] = {}
        self._meta_constant = _META_CONSTANT

    def time(self, epoch: int) -> str:
        text = self._times.get(epoch)
        if text is None:
            text = self._times[epoch] = format_time(epoch, self.tz)
        return text

    def user(self, user_id: str) -> dict:
        ref = self._users.get(user_id)
        if ref is None:
            ref = self._users[user_id] = self.org.user_ref(user_id, email=True)
        return ref

    def __call__(self, record: Record) -> dict:
        values = record.values
        out = {} if self.full else {"id": record.id}
        for name in self.plain:
            out[name] = values.get(name)
        for name in self.specials:
            out[name] = self._special(name, record)
        if self.full:
            out["id"] = record.id
            out.update(self._meta_constant)
            out["$converted"] = record.converted
            out["$converted_detail"] = self._converted_detail(record)
            if self.conversion:
                out.update((name, self._special(name, record)) for name in CONVERSION_FIELDS)
        return out

    def encoded(self, record: Record) -> bytes:
        """The record's JSON; full renders are cached on the record until it changes."""
        if self.full and record.cache is not None and record.cache_key == self.key:
            return record.cache
        data = json.dumps(self(record), separators=(",", ":")).encode()
        if self.full:
            record.cache, record.cache_key = data, self.key
        return data

    def page(self, chunk: list[Record], info: dict) -> bytes:
        """``{"data":[...],"info":{...}}`` spliced from the records' JSON."""
        body = b",".join(self.encoded(r) for r in chunk)
        return b'{"data":[' + body + b'],"info":' + json.dumps(info).encode() + b"}"

    def _special(self, name: str, record: Record) -> Any:
        if name in ("Created_Time",):
            return self.time(record.created)
        if name in ("Modified_Time", "Last_Activity_Time"):
            return self.time(record.modified)
        if name == "Created_By":
            return self.user(record.created_by)
        if name == "Modified_By":
            return self.user(record.modified_by)
        if name == "Converted__s":
            return record.converted
        if name == "Converted_Date_Time":
            moment = record.converted_detail.get("convert_date")
            return None if moment is None else self.time(moment)
        return _full_name(record.values)

    def _converted_detail(self, record: Record) -> dict:
        detail = record.converted_detail
        if "convert_date" not in detail:
            return dict(detail)
        return {**detail, "convert_date": self.time(detail["convert_date"])}


# The read-only ``$`` keys every v2 record carries (zoho-crm-api.md §2.5).
_META_CONSTANT = {
    "Tag": [],
    "$approved": True,
    "$editable": True,
    "$process_flow": False,
    "$currency_symbol": "$",
    "$approval": {"delegate": False, "approve": False, "reject": False, "resubmit": False},
    "$review_process": None,
    "$review": None,
    "$orchestration": False,
    "$in_merge": False,
    "$approval_state": "approved",
}
