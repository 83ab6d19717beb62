"""``--data FILE``: the org as JSON, loaded at start and saved (debounced) after changes."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from zoho_sandbox.state import AccessToken, Client, Code, Org, RefreshToken
from zoho_sandbox.store import Record

FORMAT = 1


def dump(org: Org) -> dict[str, Any]:
    with org.lock:
        return {
            "format": FORMAT,
            "zgid": org.zgid,
            "id_prefix": org._id_prefix,
            "next_id": org.peek_id(),
            "clock_offset": org.clock.offset,
            "users": org.users,
            "admin_id": org.admin_id,
            "rep_id": org.rep_id,
            "seeded": org.seeded,
            "module_ids": org.module_ids,
            "clients": [_client(c) for c in org.clients.values()],
            "codes": [_scoped(asdict(c)) for c in org.codes.values()],
            "refresh_tokens": [_scoped(asdict(t)) for t in org.refresh_tokens.values()],
            "access_tokens": [_scoped(asdict(t)) for t in org.access_tokens.values()],
            "fields": {m: list(f.values()) for m, f in org.fields.items()},
            "conversion_mapping": org.conversion_mapping,
            "records": {m: [_record(r) for r in s.records.values()] for m, s in org.stores.items()},
            "deleted": {m: s.deleted for m, s in org.stores.items()},
        }


RECORD_KEYS = ("id", "values", "created", "modified", "created_by", "modified_by", "converted",
               "converted_detail")  # fmt: skip


def _record(record: Record) -> dict:
    return {key: getattr(record, key) for key in RECORD_KEYS}


def _client(client: Client) -> dict:
    return {
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "created": client.created,
    }


def _scoped(item: dict) -> dict:
    return {**item, "scopes": sorted(item["scopes"])}


def load(org: Org, data: dict[str, Any]) -> None:
    """Replace the org's state with a :func:`dump`."""
    with org.lock:
        org.reset()
        org.zgid, org._id_prefix = data["zgid"], data["id_prefix"]
        org.restart_ids(data["next_id"])
        org.clock.offset = data["clock_offset"]
        org.users, org.admin_id, org.rep_id = data["users"], data["admin_id"], data["rep_id"]
        org.seeded, org.module_ids = data["seeded"], data["module_ids"]
        org.clients = {c["client_id"]: Client(**c) for c in data["clients"]}
        org.codes = {c["code"]: Code(**_frozen(c)) for c in data["codes"]}
        org.refresh_tokens = {
            t["token"]: RefreshToken(**_frozen(t)) for t in data["refresh_tokens"]
        }
        org.access_tokens = {t["token"]: AccessToken(**_frozen(t)) for t in data["access_tokens"]}
        org.fields = {m: {f["api_name"]: f for f in fields} for m, fields in data["fields"].items()}
        org.conversion_mapping = data.get("conversion_mapping", {})  # absent before it existed
        for module, rows in data["records"].items():
            store = org.stores[module]
            for row in rows:
                store.add(Record(**row))
            store.deleted = data["deleted"][module]


def _frozen(item: dict) -> dict:
    return {**item, "scopes": frozenset(item["scopes"])}


def save(org: Org, path: Path) -> None:
    """Write atomically: a crash mid-save leaves the previous file intact."""
    payload = json.dumps(dump(org), separators=(",", ":"))
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(payload, encoding="utf-8")
    os.replace(tmp, path)


def read(path: Path) -> dict[str, Any] | None:
    if not path.exists() or path.stat().st_size == 0:
        return None
    return json.loads(path.read_text(encoding="utf-8"))


class Saver(threading.Thread):
    """Saves at most every ``interval`` seconds while the org is dirty, and once at stop."""

    def __init__(self, org: Org, path: Path, interval: float = 0.5) -> None:
        super().__init__(name="zoho-sandbox-saver", daemon=True)
        self.org, self.path, self.interval = org, path, interval
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            if self.org.dirty.wait(timeout=0.2) and not self._stopping.wait(self.interval):
                self.org.dirty.clear()
                save(self.org, self.path)

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=5)
        self.org.dirty.clear()
        save(self.org, self.path)
