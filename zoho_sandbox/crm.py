"""The CRM part, ``/crm/v2/...`` and ``/crm/v8/...``: routing, authentication, scopes,
credits, writes. The two versions differ only in reading (see listing).

Order of checks for each call: the URL pattern, the token (401 AUTHENTICATION_FAILURE or
INVALID_TOKEN), the module (400 INVALID_MODULE), the scope (401 OAUTH_SCOPE_MISMATCH),
the credits (429), then the operation. Only calls that pass authentication cost credits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zoho_sandbox import conversion, listing, metadata, records
from zoho_sandbox import scopes as scope_rules
from zoho_sandbox.state import AccessToken, Org
from zoho_sandbox.wire import V2_PREFIX, Reply, Request, json_reply, zoho_error

CONVERT_CREDITS = 5  # api-limits docs: Convert Lead costs 5 credits
RECORDS_PER_CREDIT = 10  # writes: 1 credit per 10 records (zoho-crm-api.md §10)
HEAVY_OVER = 10  # Kaizen #203: writes of more than 10 records are heavy (sub-concurrency)
TRIGGERS = {"workflow", "approval", "blueprint"}


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    handler: Callable[..., Reply]
    need: tuple  # what the token's scopes must allow, see _scope_ok
    credits: int = 1
    per_records: bool = False  # costs `credits` per 10 records written (§10), not per call
    heavy: Callable[[Request], bool] | None = None  # under the sub-concurrency cap when true


def _route(method: str, pattern: str, handler: Callable, *need: str, **options: Any) -> Route:
    return Route(method, re.compile(pattern + "$"), handler, need, **options)


def _record_count(request: Request) -> int:
    try:
        data = request.json().get("data")
    except (ValueError, AttributeError):
        data = None
    return min(len(data), records.MAX_BATCH) if isinstance(data, list) else 1


def _query_ids(request: Request) -> list[str]:
    return [i.strip() for i in (request.query.get("ids") or "").split(",") if i.strip()]


def _cost(route: Route, request: Request) -> int:
    """Reads cost a credit a call; insert, update and upsert one per 10 records (Kaizen #103)."""
    if not route.per_records:
        return route.credits
    return max(1, -(-_record_count(request) // RECORDS_PER_CREDIT)) * route.credits


# Heavy calls (zoho-crm-api.md §10, Kaizen #203): convert always; insert, update and upsert
# of more than 10 records; a delete of more than 10 ids, by analogy (README, choice 18).
def _always(request: Request) -> bool:
    return True


def _many_records(request: Request) -> bool:
    return _record_count(request) > HEAVY_OVER


def _many_ids(request: Request) -> bool:
    return len(_query_ids(request)) > HEAVY_OVER


# ---- record handlers (org.lock is held) ------------------------------------------------
def _body_data(request: Request) -> list | Reply:
    try:
        body = request.json()
    except ValueError:
        return zoho_error(400, "INVALID_DATA", "body is not in json format")
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not data:
        return zoho_error(
            400, "MANDATORY_NOT_FOUND", "required field not found", {"api_name": "data"}
        )
    if len(data) > records.MAX_BATCH:
        return zoho_error(
            400, "LIMIT_EXCEEDED", "the limit is exceeded", {"limit": records.MAX_BATCH}
        )
    trigger = body.get("trigger", [])
    if not isinstance(trigger, list) or not set(trigger) <= TRIGGERS:
        return zoho_error(400, "INVALID_DATA", "invalid data", {"api_name": "trigger"})
    return data


def _batch(org: Org, results: list[dict], all_good: int) -> Reply:
    status = records.batch_status(results, all_good, legacy=org.settings["legacy_status"])
    return json_reply(status, {"data": results})


def insert(org: Org, request: Request, module: str) -> Reply:
    data = _body_data(request)
    if isinstance(data, Reply):
        return data
    results = [records.insert(org, module, item, org.admin_id) for item in data]
    return _batch(org, results, 201)


def update_many(org: Org, request: Request, module: str) -> Reply:
    data = _body_data(request)
    if isinstance(data, Reply):
        return data
    results = [records.update(org, module, _get(item, "id"), item, org.admin_id) for item in data]
    return _batch(org, results, 200)


def update_one(org: Org, request: Request, module: str, record_id: str) -> Reply:
    data = _body_data(request)
    if isinstance(data, Reply):
        return data
    return _batch(org, [records.update(org, module, record_id, data[0], org.admin_id)], 200)


def upsert(org: Org, request: Request, module: str) -> Reply:
    data = _body_data(request)
    if isinstance(data, Reply):
        return data
    check = request.json().get("duplicate_check_fields")
    if check is None:
        check = records.default_check_fields(org, module)
    elif not isinstance(check, list) or not set(check) <= set(org.fields[module]):
        return zoho_error(
            400, "INVALID_DATA", "invalid data", {"api_name": "duplicate_check_fields"}
        )
    results = [records.upsert(org, module, item, check, org.admin_id) for item in data]
    return _batch(org, results, 200)


def delete_many(org: Org, request: Request, module: str) -> Reply:
    ids = _query_ids(request)
    if not ids:
        return zoho_error(
            400,
            "REQUIRED_PARAM_MISSING",
            "One of the expected parameter is missing",
            {"param_name": "ids"},
        )
    if len(ids) > records.MAX_BATCH:
        return zoho_error(
            400, "LIMIT_EXCEEDED", "the limit is exceeded", {"limit": records.MAX_BATCH}
        )
    return _batch(org, [records.delete(org, module, i, org.admin_id) for i in ids], 200)


def delete_one(org: Org, request: Request, module: str, record_id: str) -> Reply:
    return _batch(org, [records.delete(org, module, record_id, org.admin_id)], 200)


def convert(org: Org, request: Request, record_id: str) -> Reply:
    try:
        body = request.json() or {}
        options = (body.get("data") or [{}])[0]
    except (ValueError, AttributeError, IndexError, TypeError):
        return zoho_error(400, "INVALID_DATA", "body is not in json format")
    try:
        result = conversion.convert_lead(org, record_id, org.admin_id, _get(options, "Contacts"))
    except LookupError:
        return zoho_error(
            400, "INVALID_DATA", "the id given seems to be invalid", {"id": record_id}
        )
    except ValueError:
        return zoho_error(
            400, "INVALID_DATA", "the lead has already been converted", {"id": record_id}
        )
    return json_reply(200, {"data": [result]})


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


def _reader(fn: Callable[[Org, str, Request], Reply]) -> Callable[..., Reply]:
    def read(org: Org, request: Request, module: str, **ids: str) -> Reply:
        return fn(org, module, request, **ids)

    return read


def _get_one(org: Org, module: str, request: Request, record_id: str) -> Reply:
    return listing.get_record(org, module, record_id, request)


M = r"(?P<module>[A-Za-z_]+)"
ID = r"(?P<record_id>\d+)"
WRITE = {"per_records": True, "heavy": _many_records}
ROUTES = [
    _route("GET", r"org", metadata.org_info, "named", "org"),
    _route("GET", r"users", metadata.users, "named", "users"),
    _route("GET", r"settings/fields", metadata.field_list, "settings", "fields"),
    _route("GET", r"settings/modules", metadata.module_list, "settings", "modules"),
    _route(
        "GET", r"settings/modules/(?P<name>[^/]+)", metadata.module_detail, "settings", "modules"
    ),
    _route(
        "POST",
        r"(?i:leads)/" + ID + r"/actions/convert",
        convert,
        "records",
        "create",
        credits=CONVERT_CREDITS,
        heavy=_always,
    ),
    _route("GET", M + r"/search", _reader(listing.search), "search"),
    _route("GET", M + r"/deleted", _reader(listing.deleted), "records", "read"),
    _route("POST", M + r"/upsert", upsert, "records", "create", "update", **WRITE),
    _route("GET", M + "/" + ID, _reader(_get_one), "records", "read"),
    _route("PUT", M + "/" + ID, update_one, "records", "update", **WRITE),
    _route("DELETE", M + "/" + ID, delete_one, "records", "delete"),
    _route("GET", M, _reader(listing.list_records), "records", "read"),
    _route("POST", M, insert, "records", "create", **WRITE),
    _route("PUT", M, update_many, "records", "update", **WRITE),
    _route("DELETE", M, delete_many, "records", "delete", heavy=_many_ids),
]


# ---- dispatch --------------------------------------------------------------------------
def handle(org: Org, request: Request) -> Reply:
    chosen = _match(request)
    if isinstance(chosen, Reply):
        return chosen
    route, match = chosen
    with org.lock:
        # Who asked, for the read and write logs (a client's User-Agent names its run).
        org.agent = request.header("user-agent") or ""
        return _authorised(org, request, route, match.groupdict())


def is_heavy(request: Request) -> bool:
    """Whether the call also counts against the sub-concurrency cap (see HEAVY_OVER)."""
    chosen = _match(request)
    if isinstance(chosen, Reply) or chosen[0].heavy is None:
        return False
    return chosen[0].heavy(request)


def _match(request: Request) -> tuple[Route, re.Match] | Reply:
    tail = request.path[len(V2_PREFIX) :].strip("/")  # both prefixes have the same length
    found = [(r, m) for r in ROUTES if (m := r.pattern.fullmatch(tail))]
    if not found:
        return zoho_error(
            404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one"
        )
    chosen = next(((r, m) for r, m in found if r.method == request.method), None)
    if chosen is None:
        return zoho_error(
            400, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one"
        )
    return chosen


def _authorised(org: Org, request: Request, route: Route, params: dict) -> Reply:
    token = _authenticate(org, request)
    if isinstance(token, Reply):
        return token
    if "module" in params:
        params["module"] = org.module(params["module"])
        if params["module"] is None:
            return metadata.invalid_module()
    if not _scope_ok(org, token.scopes, route.need, params.get("module")):
        return zoho_error(401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL")
    cost = _cost(route, request)
    retry_after = org.credits.spend(org.now(), cost, org.settings["credits_per_day"])
    if retry_after is not None:
        headers = {"Retry_After": str(retry_after)} if org.settings["send_retry_after"] else {}
        return zoho_error(
            429,
            "TOO_MANY_REQUESTS",
            "You have exceeded the API credits allowed in 24 hours",
            **headers,
        )
    org.stats.add_credits(cost)
    return route.handler(org, request, **params)


def _authenticate(org: Org, request: Request) -> AccessToken | Reply:
    scheme, _, token = (request.header("Authorization") or "").strip().partition(" ")
    schemes = {"zoho-oauthtoken"} | ({"bearer"} if org.settings["accept_bearer"] else set())
    if scheme.lower() not in schemes or not token.strip():
        return zoho_error(401, "AUTHENTICATION_FAILURE", "Authentication failed")
    access = org.access_tokens.get(token.strip())
    if access is None or access.expires <= org.now():
        return zoho_error(401, "INVALID_TOKEN", "invalid oauth token")
    return access


def _scope_ok(org: Org, scopes: frozenset[str], need: tuple, module: str | None) -> bool:
    kind, *rest = need
    strict_org = not org.settings["lenient_org_scope"]
    if kind == "records":
        return all(scope_rules.allows_records(scopes, module or "leads", op) for op in rest)
    if kind == "search":
        strict = not org.settings["lenient_search_scope"]
        return scope_rules.allows_search(scopes, module, strict=strict)
    if kind == "settings":
        # Field metadata always needs a settings scope covering fields; module metadata
        # accepts any ZohoCRM.settings scope only with lenient_org_scope (see README).
        strict = rest[0] == "fields" or strict_org
        return scope_rules.allows_settings(scopes, rest[0], strict=strict)
    return scope_rules.allows_named(scopes, rest[0], strict=strict_org)


def expire_token(org: Org, request: Request) -> None:
    """The ``expire_token`` fault: the presented access token has just run out."""
    token = (request.header("Authorization") or "").partition(" ")[2].strip()
    with org.lock:
        access = org.access_tokens.get(token)
        if access is not None:
            access.expires = org.now()
