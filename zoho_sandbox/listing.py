"""Reading records: ``GET /{module}``, ``/{module}/search`` and ``/{module}/deleted``.

Paging follows Zoho (zoho-crm-api.md §2, §10): ``per_page`` at most 200; ``info`` has
``per_page``, ``count``, ``page``, ``more_records``; ``page`` reaches only the first 2,000
records. v2 has nothing beyond; v8 gives a ``page_token`` that walks on, and requires
``fields`` (at most 50). A page token holds the id snapshot it was cut from, so walking
100,000 records costs O(page) each step.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zoho_sandbox import criteria as criteria_lang
from zoho_sandbox.clock import format_time, parse_time
from zoho_sandbox.records import Renderer
from zoho_sandbox.state import Org
from zoho_sandbox.store import Record
from zoho_sandbox.wire import JSON_TYPE, Reply, Request, empty, json_reply, zoho_error

MAX_PER_PAGE = 200
DISCRETE_LIMIT = 2000  # records reachable with ``page`` alone (v3+ docs, Kaizen #60)
SEARCH_LIMIT = 2000  # search results reachable at all (LIMIT_REACHED)
TOKENS_KEPT = 50_000
SORTABLE = ("id", "Created_Time", "Modified_Time")
MAX_FIELDS = 50  # v8: at most 50 fields a listing


class BadRequest(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def _bad(code: str, message: str, **details: Any) -> BadRequest:
    return BadRequest(zoho_error(400, code, message, details))


@dataclass
class PageToken:
    signature: tuple
    ids: list[str]
    start: int
    page: int
    expires: float


# ---- parameters ------------------------------------------------------------------------
def _int_param(query: dict, name: str, default: int) -> int:
    text = query.get(name)
    if text in (None, ""):
        return default
    if not text.isdigit() or int(text) < 1:
        raise _bad("INVALID_DATA", "invalid data", param_name=name)
    return int(text)


def _choice(query: dict, name: str, choices: tuple, default: str) -> str:
    value = query.get(name) or default
    if value not in choices:
        raise _bad("INVALID_DATA", "invalid data", param_name=name)
    return value


def _since(org: Org, request: Request) -> float | None:
    text = request.header("If-Modified-Since")
    if not text:
        return None
    moment = parse_time(text, org.settings["time_zone_offset_minutes"])
    if moment is None:
        raise _bad("INVALID_DATA", "invalid data", param_name="If-Modified-Since")
    return moment


def _converted_filter(query: dict) -> Callable[[Record], bool]:
    # Zoho hides converted leads unless converted=true|both (get-records docs).
    mode = _choice(query, "converted", ("false", "true", "both"), "false")
    if mode == "both":
        return lambda r: True
    wanted = mode == "true"
    return lambda r: r.converted is wanted


def _fields_param(query: dict) -> list[str] | None:
    text = query.get("fields")
    return [f.strip() for f in text.split(",") if f.strip()] if text else None


# ---- GET /{module} ---------------------------------------------------------------------
def list_records(org: Org, module: str, request: Request) -> Reply:
    try:
        return _list(org, module, request)
    except BadRequest as exc:
        return exc.reply


def _list(org: Org, module: str, request: Request) -> Reply:
    query = request.query
    if not request.legacy:
        _check_fields(query)
    elif query.get("page_token"):
        raise _bad("INVALID_DATA", "invalid data", param_name="page_token")  # v2 has none
    if query.get("ids"):
        return _by_ids(org, module, request)
    per_page = min(_int_param(query, "per_page", MAX_PER_PAGE), MAX_PER_PAGE)
    sort_by = _choice(query, "sort_by", SORTABLE, "id")
    sort_order = _choice(query, "sort_order", ("asc", "desc"), "desc")
    since = _since(org, request)
    converted = query.get("converted") or "false"
    keep = _converted_filter(query)
    signature = ("list", module, converted, sort_by, sort_order, since, per_page)
    ids, start, page = _window(
        org,
        query,
        signature,
        per_page,
        lambda: _ordered(org.stores[module].records.values(), keep, since, sort_by, sort_order),
    )
    return _page_reply(org, module, request, ids, start, page, per_page, signature, since)


def _check_fields(query: dict) -> None:
    """v8 listings name the fields they want, 50 at most (crm-oas v8 getRecords)."""
    fields = _fields_param(query)
    if not fields:
        raise _bad("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                   param_name="fields")  # fmt: skip
    if len(fields) > MAX_FIELDS:
        raise _bad("LIMIT_EXCEEDED", "the limit is exceeded", param_name="fields",
                   limit=MAX_FIELDS)  # fmt: skip


def _ordered(records: Any, keep: Callable, since: float | None, sort_by: str, order: str) -> list:
    if since is None:
        chosen = [r for r in records if keep(r)]
    else:
        chosen = [r for r in records if r.modified >= since and keep(r)]
    if sort_by == "Created_Time":
        chosen.sort(key=lambda r: (r.created, r.id))
    elif sort_by == "Modified_Time":
        chosen.sort(key=lambda r: (r.modified, r.id))
    ids = [r.id for r in chosen]  # dict order is id order for sort_by=id
    if order == "desc":
        ids.reverse()
    return ids


def _window(
    org: Org, query: dict, signature: tuple, per_page: int, build: Callable[[], list[str]]
) -> tuple[list[str], int, int]:
    """The id list, the start offset and the page number, from ``page`` or ``page_token``."""
    token_text = query.get("page_token")
    if token_text:
        if query.get("page"):
            raise _bad(
                "AMBIGUITY_DURING_PROCESSING",
                "both page and page_token are given",
                ambiguity_due_to=["page", "page_token"],
            )
        token = _token(org, token_text, signature)
        return token.ids, token.start, token.page
    page = _int_param(query, "page", 1)
    if page * per_page > DISCRETE_LIMIT:
        raise _bad(
            "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
            "You can only get the first 2000 records without using page_token param",
            limit=DISCRETE_LIMIT,
        )
    ids = org.stores[signature[1]].snapshot(signature, build)
    return ids, (page - 1) * per_page, page


def _token(org: Org, text: str, signature: tuple) -> PageToken:
    token = org.page_tokens.get(text)
    if token is None:
        raise _bad("INVALID_DATA", "invalid data", param_name="page_token")
    if token.expires <= org.now():
        raise _bad("EXPIRED_VALUE", "the given page_token has expired", param_name="page_token")
    if token.signature != signature:
        raise _bad(
            "TOKEN_BOUND_DATA_MISMATCH",
            "the parameters differ from the page_token's",
            param_name="page_token",
        )
    if token.start >= org.settings["page_token_max_records"]:
        raise _bad(
            "PAGINATION_LIMIT_EXCEEDED",
            "pagination limit exceeded",
            param_name="page_token",
            limit=org.settings["page_token_max_records"],
        )
    return token


def _mint(
    org: Org, signature: tuple, ids: list[str], start: int, page: int
) -> tuple[str, PageToken]:
    expires = org.now() + org.settings["page_token_ttl_seconds"]
    token = PageToken(signature, ids, start, page, expires)
    text = secrets.token_hex(32)
    org.page_tokens[text] = token
    while len(org.page_tokens) > TOKENS_KEPT:
        org.page_tokens.popitem(last=False)
    return text, token


def _page_reply(
    org: Org,
    module: str,
    request: Request,
    ids: list[str],
    start: int,
    page: int,
    per_page: int,
    signature: tuple,
    since: float | None,
) -> Reply:
    store = org.stores[module]
    chunk = [store.records[i] for i in ids[start : start + per_page] if i in store.records]
    if not chunk:
        return empty(304 if since is not None else 204)
    org.log_read(module, chunk)
    render = Renderer(org, module, _fields_param(request.query), v8=not request.legacy)
    more = start + per_page < len(ids)
    info = {"per_page": per_page, "count": len(chunk), "page": page, "more_records": more}
    if not request.legacy:
        info.update(_token_info(org, signature, ids, start, page, per_page, more))
    return Reply(200, render.page(chunk, info), {"Content-Type": JSON_TYPE})


def _token_info(
    org: Org, signature: tuple, ids: list, start: int, page: int, per_page: int, more: bool
) -> dict:
    sort_by, sort_order = signature[3], signature[4]
    info = {
        "sort_by": sort_by,
        "sort_order": sort_order,
        "next_page_token": None,
        "previous_page_token": None,
        "page_token_expiry": None,
    }
    tz = org.settings["time_zone_offset_minutes"]
    if more:
        text, token = _mint(org, signature, ids, start + per_page, page + 1)
        info["next_page_token"] = text
        info["page_token_expiry"] = format_time(token.expires, tz)
    if start > 0:
        text, _ = _mint(org, signature, ids, max(0, start - per_page), max(1, page - 1))
        info["previous_page_token"] = text
    return info


def _by_ids(org: Org, module: str, request: Request) -> Reply:
    query = request.query
    store = org.stores[module]
    wanted = [i.strip() for i in query["ids"].split(",")][:MAX_PER_PAGE]
    chunk = [store.records[i] for i in wanted if i in store.records]
    if not chunk:
        return empty(204)
    org.log_read(module, chunk)
    render = Renderer(org, module, _fields_param(query), v8=not request.legacy)
    info = {"per_page": MAX_PER_PAGE, "count": len(chunk), "page": 1, "more_records": False}
    return Reply(200, render.page(chunk, info), {"Content-Type": JSON_TYPE})


def get_record(org: Org, module: str, record_id: str, request: Request) -> Reply:
    """One record, converted or not; 204 when the id is unknown (v2, zoho-crm-api.md §2.3)."""
    record = org.stores[module].records.get(record_id)
    if record is None:
        return empty(204)
    org.log_read(module, [record])
    render = Renderer(org, module, _fields_param(request.query), v8=not request.legacy)
    return json_reply(200, {"data": [render(record)]})


# ---- GET /{module}/search --------------------------------------------------------------
def search(org: Org, module: str, request: Request) -> Reply:
    try:
        return _search(org, module, request)
    except BadRequest as exc:
        return exc.reply


def _search(org: Org, module: str, request: Request) -> Reply:
    query = request.query
    mode = next((m for m in ("criteria", "email", "phone", "word") if query.get(m)), None)
    if mode is None:
        raise _bad(
            "EXPECTED_PARAM_MISSING",
            "one of the expected parameter is missing",
            expected_params=["criteria", "email", "phone", "word"],
        )
    predicate = _predicate(org, module, mode, query[mode])
    per_page = min(_int_param(query, "per_page", MAX_PER_PAGE), MAX_PER_PAGE)
    page = _int_param(query, "page", 1)
    if page * per_page > SEARCH_LIMIT:
        raise _bad(
            "LIMIT_REACHED", "maximum response iteration limit reached", limit=str(SEARCH_LIMIT)
        )
    keep = _converted_filter(query)
    signature = ("search", module, mode, query[mode], query.get("converted") or "false")
    records = org.stores[module].records
    ids = org.stores[module].snapshot(
        signature, lambda: [r.id for r in records.values() if keep(r) and predicate(r)]
    )
    start = (page - 1) * per_page
    chunk = [records[i] for i in ids[start : start + per_page] if i in records]
    if not chunk:
        return empty(204)
    org.log_read(module, chunk)
    render = Renderer(org, module, _fields_param(query), v8=not request.legacy)
    info = {
        "per_page": per_page,
        "count": len(chunk),
        "page": page,
        "more_records": start + per_page < len(ids),
    }
    return Reply(200, render.page(chunk, info), {"Content-Type": JSON_TYPE})


def _predicate(org: Org, module: str, mode: str, value: str) -> Callable[[Record], bool]:
    fields = org.fields[module]
    get = _getter(org, module)
    if mode == "criteria":
        try:
            tree = criteria_lang.parse(value, set(fields) | {"id"})
        except criteria_lang.CriteriaError as exc:
            raise _bad("INVALID_QUERY", "Invalid query formed", **exc.details) from None
        return lambda r: tree.test(r, get)
    if mode == "word":
        return _word_predicate(fields, value)
    data_type = "email" if mode == "email" else "phone"
    names = [n for n, f in fields.items() if f["data_type"] == data_type]
    wanted = _digits(value) if mode == "phone" else value.strip().casefold()
    norm = _digits if mode == "phone" else (lambda v: v.strip().casefold())
    return lambda r: any(r.values.get(n) and norm(r.values[n]) == wanted for n in names)


def _word_predicate(fields: dict, word: str) -> Callable[[Record], bool]:
    word = word.strip()
    if len(word) < 2 or any(not (c.isalnum() or c in " .@-_'") for c in word):
        raise _bad("INVALID_DATA", "invalid data", param_name="word")
    text_types = ("text", "textarea", "email", "phone", "website", "picklist")
    names = [n for n, f in fields.items() if f["data_type"] in text_types]
    wanted = word.casefold()
    return lambda r: any(wanted in str(r.values.get(n) or "").casefold() for n in names)


def _digits(text: str) -> str:
    return "".join(c for c in str(text) if c.isdigit())


def _getter(org: Org, module: str) -> Callable[[Record, str], Any]:
    tz = org.settings["time_zone_offset_minutes"]
    specials = {
        "id": lambda r: r.id,
        "Created_Time": lambda r: format_time(r.created, tz),
        "Modified_Time": lambda r: format_time(r.modified, tz),
        "Created_By": lambda r: org.user_ref(r.created_by),
        "Modified_By": lambda r: org.user_ref(r.modified_by),
        "Full_Name": lambda r: " ".join(
            p for p in (r.values.get("First_Name"), r.values.get("Last_Name")) if p
        ),
    }
    return lambda r, name: specials[name](r) if name in specials else r.values.get(name)


# ---- GET /{module}/deleted -------------------------------------------------------------
def deleted(org: Org, module: str, request: Request) -> Reply:
    try:
        return _deleted(org, module, request)
    except BadRequest as exc:
        return exc.reply


def _deleted(org: Org, module: str, request: Request) -> Reply:
    query = request.query
    kind = _choice(query, "type", ("all", "recycle", "permanent"), "all")
    per_page = min(_int_param(query, "per_page", MAX_PER_PAGE), MAX_PER_PAGE)
    page = _int_param(query, "page", 1)
    since = _since(org, request)
    entries = [
        e
        for e in reversed(org.stores[module].deleted)
        if kind in ("all", e["type"]) and (since is None or e["deleted_time"] >= since)
    ]
    start = (page - 1) * per_page
    chunk = entries[start : start + per_page]
    if not chunk:
        return empty(304 if since is not None and not entries else 204)
    tz = org.settings["time_zone_offset_minutes"]
    data = [_deleted_entry(org, e, tz) for e in chunk]
    info = {
        "per_page": per_page,
        "count": len(chunk),
        "page": page,
        "more_records": start + per_page < len(entries),
    }
    return json_reply(200, {"data": data, "info": info})


def _deleted_entry(org: Org, entry: dict, tz: int) -> dict:
    return {
        "deleted_by": org.user_ref(entry["deleted_by"]),
        "id": entry["id"],
        "display_name": entry["display_name"],
        "type": entry["type"],
        "created_by": org.user_ref(entry["created_by"]),
        "deleted_time": format_time(entry["deleted_time"], tz),
    }
