"""The control API, ``/__sandbox__/...``: how tests, benchmarks and the demo drive the org.

Never on the real Zoho; never costs credits; never counted in the stats; never faulted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from zoho_sandbox import conversion, oauth, records, seed
from zoho_sandbox import fields as field_defs
from zoho_sandbox.clock import format_time
from zoho_sandbox.editions import EDITIONS, with_changes
from zoho_sandbox.faults import FaultSpecError, parse_fault
from zoho_sandbox.state import DEFAULT_SETTINGS, UNLIMITED_OK, Org
from zoho_sandbox.wire import Reply, Request, empty, json_reply

PREFIX = "/__sandbox__/"
API_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")


class ControlError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.body = status, {"error": message, **extra}


def _body(request: Request) -> dict:
    try:
        body = request.json()
    except ValueError:
        raise ControlError(400, "body is not JSON") from None
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ControlError(400, "body must be a JSON object")
    return body


def _module(org: Org, name: str) -> str:
    module = org.module(name)
    if module is None:
        raise ControlError(404, f"unknown module {name!r}")
    return module


# ---- accounts --------------------------------------------------------------------------
def reset(org: Org, request: Request) -> Reply:
    org.reset()
    return empty(204)


def create_client(org: Org, request: Request) -> Reply:
    client = oauth.create_client(org)
    return json_reply(200, {"client_id": client.client_id, "client_secret": client.client_secret})


def create_code(org: Org, request: Request) -> Reply:
    body = _body(request)
    scope = body.get("scope", "ZohoCRM.settings.fields.all,ZohoCRM.modules.all")
    try:
        code = oauth.create_code(
            org,
            body.get("client_id", ""),
            scope,
            float(body.get("expires_in_minutes", oauth.CODE_MINUTES)),
        )
    except oauth.UnknownClient:
        raise ControlError(404, "unknown client_id") from None
    except oauth.Throttled:
        raise ControlError(
            400, "access_denied", error_description=oauth.THROTTLE_BODY["error_description"]
        ) from None
    return json_reply(200, {"code": code.code})


def org_info(org: Org, request: Request) -> Reply:
    return json_reply(
        200,
        {
            "domain_name": org.domain_name,
            "zgid": org.zgid,
            "api_domain": org.base_url,
            "accounts_url": org.base_url,
        },
    )


# ---- metadata and records ----------------------------------------------------------------
def add_field(org: Org, request: Request) -> Reply:
    """Like "Edit Page Layout" in Zoho: a custom field, shown last in the field list."""
    body = _body(request)
    module = _module(org, body.get("module", ""))
    api_name, data_type = body.get("api_name", ""), body.get("data_type", "text")
    if not API_NAME_RE.match(api_name) or api_name in org.fields[module]:
        raise ControlError(400, f"api_name {api_name!r} is invalid or already used")
    if data_type not in field_defs.DATA_TYPES:
        raise ControlError(400, f"data_type must be one of {sorted(field_defs.DATA_TYPES)}")
    length = body.get("length") or (255 if data_type in ("text", "textarea") else None)
    field = field_defs.make_field(
        org.new_id,
        api_name,
        body.get("field_label") or api_name,
        data_type,
        length,
        custom=True,
        values=body.get("pick_list_values"),
        unique=bool(body.get("unique")),
        lookup=body.get("lookup_module"),
    )
    org.fields[module][api_name] = field
    return json_reply(201, field)


def create_records(org: Org, request: Request, module: str) -> Reply:
    module = _module(org, module)
    data = _body(request).get("data")
    if not isinstance(data, list):
        raise ControlError(400, "data must be a list of records")
    results = [records.insert(org, module, item, org.rep_id) for item in data]
    ids = [r["details"]["id"] if r["status"] == "success" else None for r in results]
    failed = any(r["status"] != "success" for r in results)
    return json_reply(400 if failed else 200, {"ids": ids, **({"data": results} if failed else {})})


def update_record(org: Org, request: Request, module: str, record_id: str) -> Reply:
    module = _module(org, module)
    if record_id not in org.stores[module].records:
        raise ControlError(404, "unknown record")
    result = records.update(org, module, record_id, _body(request), org.rep_id)
    return json_reply(200 if result["status"] == "success" else 400, result)


def delete_record(org: Org, request: Request, module: str, record_id: str) -> Reply:
    module = _module(org, module)
    if record_id not in org.stores[module].records:
        raise ControlError(404, "unknown record")
    records.delete(org, module, record_id, org.rep_id)
    return empty(204)


def convert_lead(org: Org, request: Request, record_id: str) -> Reply:
    try:
        result = conversion.convert_lead(org, record_id, org.rep_id)
    except LookupError:
        raise ControlError(404, "unknown lead") from None
    except ValueError:
        raise ControlError(400, "lead already converted") from None
    return json_reply(200, {"contact_id": result["Contacts"]})


def set_conversion_mapping(org: Org, request: Request) -> Reply:
    """Setup → Lead Conversion Mapping: replaces the custom-field mapping, or changes nothing."""
    try:
        org.conversion_mapping = conversion.check_mapping(org, _body(request))
    except conversion.MappingError as exc:
        raise ControlError(400, str(exc)) from None
    return json_reply(200, org.conversion_mapping)


def get_conversion_mapping(org: Org, request: Request) -> Reply:
    return json_reply(200, org.conversion_mapping)


def all_records(org: Org, request: Request, module: str) -> Reply:
    """Every record of `module`; `?email_domain=` only those of one domain (a watcher of a
    few leads among many need not fetch them all)."""
    module = _module(org, module)
    render = records.Renderer(org, module)
    found = org.stores[module].records.values()
    if domain := request.query.get("email_domain"):
        found = [
            r for r in found if str(r.values.get("Email") or "").lower().endswith("@" + domain)
        ]
    return json_reply(200, {"data": [render(r) for r in found]})


def write_log(org: Org, request: Request) -> Reply:
    """Every record write since `?after=` (a sequence number), in commit order."""
    return json_reply(200, {"data": org.writes[_after(request) :]})


def read_log(org: Org, request: Request) -> Reply:
    """Every API read of records since `?after=`, with the log_reads setting on."""
    return json_reply(200, {"data": org.reads[_after(request) :]})


def _after(request: Request) -> int:
    try:
        return max(int(request.query.get("after") or 0), 0)
    except ValueError:
        raise ControlError(400, "after must be a whole number") from None


def seed_records(org: Org, request: Request) -> Reply:
    body = _body(request)
    module = _module(org, body.get("module", "Leads"))
    ids = seed.seed(org, module, int(body.get("count", 10)), int(body.get("seed", 0)))
    return json_reply(
        200,
        {
            "count": len(ids),
            "first_id": ids[0] if ids else None,
            "last_id": ids[-1] if ids else None,
        },
    )


# ---- limits, faults, clock, stats --------------------------------------------------------
def set_limits(org: Org, request: Request) -> Reply:
    body = _body(request)
    unknown = set(body) - set(DEFAULT_SETTINGS)
    if unknown:
        raise ControlError(
            400, f"unknown settings {sorted(unknown)}", known=sorted(DEFAULT_SETTINGS)
        )
    for key, value in body.items():
        _check_setting(key, value)
    org.settings = with_changes(org.settings, body)
    return json_reply(200, org.settings)


def _check_setting(key: str, value: Any) -> None:
    if value is None and key in UNLIMITED_OK:
        return
    if type(value) is not type(DEFAULT_SETTINGS[key]):
        raise ControlError(400, f"{key} must be a {type(DEFAULT_SETTINGS[key]).__name__}")
    if key == "edition" and value not in EDITIONS:
        raise ControlError(400, f"edition must be one of {list(EDITIONS)}")


def get_limits(org: Org, request: Request) -> Reply:
    return json_reply(200, org.settings)


def add_fault(org: Org, request: Request) -> Reply:
    try:
        org.faults.add(parse_fault(_body(request)))
    except (FaultSpecError, TypeError, ValueError) as exc:
        raise ControlError(400, str(exc)) from None
    return json_reply(201, {"faults": org.faults.pending()})


def clear_faults(org: Org, request: Request) -> Reply:
    org.faults.clear()
    return empty(204)


def list_faults(org: Org, request: Request) -> Reply:
    return json_reply(200, {"faults": org.faults.pending()})


def advance_clock(org: Org, request: Request) -> Reply:
    seconds = _body(request).get("advance_seconds", 0)
    if not isinstance(seconds, int | float):
        raise ControlError(400, "advance_seconds must be a number")
    org.clock.advance(seconds)
    now = org.now()
    return json_reply(
        200, {"now": format_time(now, org.settings["time_zone_offset_minutes"]), "epoch": now}
    )


def stats(org: Org, request: Request) -> Reply:
    payload = org.stats.as_dict(org.gate.max_seen, org.sub_gate.max_seen)
    limit = org.settings["credits_per_day"]
    payload["credits_remaining"] = None if limit is None else limit - org.credits.used(org.now())
    return json_reply(200, payload)


def reset_stats(org: Org, request: Request) -> Reply:
    org.reset_stats()
    return empty(204)


Handler = Callable[..., Reply]
MOD = r"(?P<module>[A-Za-z_]+)"
ROUTES: list[tuple[str, re.Pattern, Handler]] = [
    (m, re.compile(p + "$"), h)
    for m, p, h in [
        ("POST", "reset", reset),
        ("POST", "clients", create_client),
        ("POST", "codes", create_code),
        ("GET", "org", org_info),
        ("POST", "fields", add_field),
        ("POST", r"records/(?i:leads)/(?P<record_id>\d+)/convert", convert_lead),
        ("POST", f"records/{MOD}", create_records),
        ("GET", f"records/{MOD}", all_records),
        ("GET", "writes", write_log),
        ("GET", "reads", read_log),
        ("PATCH", rf"records/{MOD}/(?P<record_id>\d+)", update_record),
        ("DELETE", rf"records/{MOD}/(?P<record_id>\d+)", delete_record),
        ("PUT", "conversion_mapping", set_conversion_mapping),
        ("GET", "conversion_mapping", get_conversion_mapping),
        ("POST", "seed", seed_records),
        ("POST", "limits", set_limits),
        ("GET", "limits", get_limits),
        ("POST", "faults", add_fault),
        ("DELETE", "faults", clear_faults),
        ("GET", "faults", list_faults),
        ("POST", "clock", advance_clock),
        ("GET", "stats", stats),
        ("POST", "stats/reset", reset_stats),
    ]
]


def handle(org: Org, request: Request) -> Reply:
    tail = request.path[len(PREFIX) :].strip("/")
    for method, pattern, handler in ROUTES:
        match = pattern.fullmatch(tail)
        if match and method == request.method:
            try:
                with org.lock:
                    return handler(org, request, **match.groupdict())
            except ControlError as exc:
                return json_reply(exc.status, exc.body)
    return json_reply(404, {"error": f"no control endpoint {request.method} {request.path}"})
