"""The org: everything the sandbox knows, behind one lock.

Clients, grant codes and tokens (accounts part), field metadata and records (CRM part),
the clock, the settings ("limits"), credits, faults and stats.
"""

from __future__ import annotations

import random
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from zoho_sandbox import editions
from zoho_sandbox import fields as field_defs
from zoho_sandbox.accounting import CreditLedger, Gate, Stats
from zoho_sandbox.clock import Clock
from zoho_sandbox.faults import FaultBook
from zoho_sandbox.store import ModuleStore
from zoho_sandbox.validation import Rules

MODULES = ("Leads", "Contacts")

DEFAULT_SETTINGS: dict[str, Any] = {
    # A small Standard org: paid editions start at 50,000 credits a rolling day (Kaizen
    # #93; Standard caps at 100,000 with more users) and 10 concurrent calls (Kaizen #203).
    # Setting an edition brings its published maximums (editions.py).
    "edition": "standard",
    "credits_per_day": 50_000,
    "max_concurrency": 10,
    # Kaizen #203: heavy calls (writes of more than 10 records, convert) share about 10.
    "max_sub_concurrency": 10,
    "latency_ms": 0,
    "page_token_max_records": 100_000,
    "page_token_ttl_seconds": 86_400,
    # §10: Zoho stores a value missing from a picklist (as an unused option).
    "reject_unknown_picklist": False,
    # Kindness: a 429 tells how long to wait. Zoho's Retry-After is not confirmed (§10).
    "send_retry_after": False,
    "reject_unknown_fields": False,
    "legacy_status": False,
    # Kindnesses, off: /org, /users and /settings/modules with any ZohoCRM scope; search
    # without ZohoSearch.securesearch.READ.
    "lenient_org_scope": False,
    "lenient_search_scope": False,
    "accept_bearer": False,
    "time_zone_offset_minutes": 0,
    "access_token_ttl_seconds": 3600,
    "max_active_access_tokens": 15,
    # v8 token-validity docs: the 21st refresh token of a user and client deletes the oldest.
    "max_refresh_tokens_per_client": 20,
    "codes_per_client_per_10_minutes": 10,
    "token_requests_per_client_per_minute": 100,
    # Kaizen #43: at most 10 access tokens a refresh token per 10 minutes; the refusal
    # comes with HTTP 200 as well as 400 (§10): 200, the harder case, by default.
    "access_tokens_per_refresh_token_per_10_minutes": 10,
    "token_throttle_status": 200,
    # An instrument, not a kindness: keep every record read by the API (GET /__sandbox__/
    # reads), so a checker can tell a write made without seeing an earlier one. Off: memory.
    "log_reads": False,
}
UNLIMITED_OK = {"credits_per_day"}  # None: no limit (Ultimate)


@dataclass
class Client:
    client_id: str
    client_secret: str
    created: float
    code_times: list[float] = field(default_factory=list)
    token_times: list[float] = field(default_factory=list)


@dataclass
class Code:
    code: str
    client_id: str
    scopes: frozenset[str]
    expires: float
    used: bool = False


@dataclass
class RefreshToken:
    token: str
    client_id: str
    scopes: frozenset[str]
    revoked: bool = False
    access_tokens: list[str] = field(default_factory=list)
    minted: list[float] = field(default_factory=list)  # when its access tokens were made


@dataclass
class AccessToken:
    token: str
    refresh_token: str
    scopes: frozenset[str]
    expires: float


class Org:
    """One Zoho org and its accounts data. Take ``lock`` around any read or write."""

    def __init__(self, *, settings: dict[str, Any] | None = None, base_url: str = "") -> None:
        self.lock = threading.RLock()
        self.base_url = base_url
        self.startup_settings = editions.with_changes(DEFAULT_SETTINGS, settings or {})
        self.zgid = str(random.SystemRandom().randrange(10**8, 10**9))
        self._id_prefix = str(random.SystemRandom().randrange(10**6, 10**7))
        self.clock = Clock()
        self.faults = FaultBook()
        self.stats = Stats()
        self.gate = Gate()
        self.sub_gate = Gate()  # heavy calls only, inside ``gate``
        self.dirty = threading.Event()
        self._id_lock = threading.Lock()
        self.reset()

    # ---- lifecycle -------------------------------------------------------------------
    def reset(self) -> None:
        """Empty org: default fields, no clients, no records, default settings and clock."""
        with self.lock:
            self.settings = dict(self.startup_settings)
            self.clock.offset = 0.0
            self.restart_ids(1_000_000)
            self.seeded: dict[str, int] = {}
            self.users = self._default_users()
            self.clients: dict[str, Client] = {}
            self.codes: dict[str, Code] = {}
            self.refresh_tokens: dict[str, RefreshToken] = {}
            self.access_tokens: dict[str, AccessToken] = {}
            self.fields = {m: self._standard_fields(m) for m in MODULES}
            self.stores = {m: ModuleStore(m) for m in MODULES}
            self.module_ids = {m: self.new_id() for m in MODULES}
            # Custom Leads field -> custom Contacts field, as an admin maps them (§10).
            self.conversion_mapping: dict[str, str] = {}
            self.page_tokens: OrderedDict[str, Any] = OrderedDict()
            self.credits = CreditLedger()
            # Every record write, in commit order (the org's lock): what a checker judges by.
            self.writes: list[dict] = []
            self.reads: list[dict] = []  # with the log_reads setting
            self.agent = ""  # the User-Agent of the CRM request being served (under lock)
            self.faults.clear()
            self.reset_stats()
            self.dirty.set()

    def reset_stats(self) -> None:
        self.stats.reset()
        self.gate.max_seen = self.gate.in_flight
        self.sub_gate.max_seen = self.sub_gate.in_flight

    def log_write(self, op: str, module: str, record, actor: str, fields=(), changed=()) -> None:
        """Note a committed write of `record`: the `fields` it set, those it `changed` (a
        value written again is none, as Zoho shows it). Callers hold ``lock``."""
        self.writes.append(
            {
                "seq": len(self.writes) + 1,
                "at": time.time(),
                "op": op,
                "module": module,
                "id": record.id,
                "email": str(record.values.get("Email") or "").lower(),
                "by": "rep" if actor == self.rep_id else "api",
                "fields": sorted(fields),
                "changed": sorted(changed),
                "agent": "" if actor == self.rep_id else self.agent,
            }
        )

    def log_read(self, module: str, records) -> None:
        """Note that the API read `records` as they are now (callers hold ``lock``)."""
        if self.settings["log_reads"]:
            ids = [record.id for record in records]
            entry = {"seq": len(self.reads) + 1, "at": time.time(), "module": module, "ids": ids}
            self.reads.append({**entry, "agent": self.agent})

    # ---- identity --------------------------------------------------------------------
    def new_id(self) -> str:
        """A 19-digit id like Zoho's (``1386586000002572002``), increasing."""
        with self._id_lock:
            self._next_id += 1
            return f"{self._id_prefix}{self._next_id:012d}"

    def peek_id(self) -> int:
        return self._next_id

    def restart_ids(self, after: int) -> None:
        self._next_id = after

    @property
    def domain_name(self) -> str:
        return f"org{self.zgid}"

    def _default_users(self) -> dict[str, dict]:
        admin = _user(self.new_id(), "Sandbox", "Admin", "admin@sandbox.example", "CEO")
        rep = _user(self.new_id(), "Sam", "Sales", "sam.sales@sandbox.example", "Sales Rep")
        self.admin_id, self.rep_id = admin["id"], rep["id"]
        return {admin["id"]: admin, rep["id"]: rep}

    def user_ref(self, user_id: str, *, email: bool = False) -> dict:
        """``{"name","id"}`` (plus ``email`` for Owner/Created_By/Modified_By on records)."""
        user = self.users[user_id]
        ref = {"name": user["full_name"], "id": user_id}
        return {**ref, "email": user["email"]} if email else ref

    # ---- metadata --------------------------------------------------------------------
    def _standard_fields(self, module: str) -> dict[str, dict]:
        return {f["api_name"]: f for f in field_defs.standard_fields(module, self.new_id)}

    def module(self, name: str) -> str | None:
        """The canonical module API name; URLs are matched case-insensitively."""
        return next((m for m in MODULES if m.lower() == name.lower()), None)

    def rules(self) -> Rules:
        return Rules(
            self.settings["reject_unknown_picklist"], self.settings["reject_unknown_fields"]
        )

    def now(self) -> float:
        return self.clock.now()


def _user(user_id: str, first: str, last: str, email: str, role: str) -> dict:
    return {
        "id": user_id,
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}",
        "email": email,
        "zuid": user_id[-9:],
        "status": "active",
        "confirm": True,
        "role": {"name": role, "id": f"{user_id[:-3]}231"},
        "profile": {
            "name": "Administrator" if role == "CEO" else "Standard",
            "id": f"{user_id[:-3]}026",
        },
        "locale": "en_US",
        "time_zone": "Etc/UTC",
    }
