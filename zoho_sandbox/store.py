"""One module's records, with the indexes and snapshots that keep paging O(page).

Records live in a dict in id order (ids are minted increasing, so insertion order is
id order). Filtered and sorted id lists are cached per (query signature, data version):
a 100,000-record module is filtered and sorted once, then every page is a slice.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

SNAPSHOTS_KEPT = 32


@dataclass(slots=True)
class Record:
    id: str
    values: dict[str, Any]
    created: int  # epoch seconds of the sandbox clock
    modified: int
    created_by: str  # user id
    modified_by: str
    converted: bool = False
    converted_detail: dict = field(default_factory=dict)
    # The record's JSON as GET shows it, and the renderer key it was encoded with;
    # cleared on every change. Encoding dominates a page's cost, so reads reuse it.
    cache: bytes | None = None
    cache_key: tuple | None = None

    def forget(self) -> None:
        self.cache = None


def normalise(value: Any) -> str | None:
    """The key a value is indexed under: case-insensitive, as Zoho compares emails."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("id")
    text = str(value).strip().casefold()
    return text or None


class ModuleStore:
    def __init__(self, name: str) -> None:
        self.name = name
        self.records: dict[str, Record] = {}
        self.deleted: list[dict] = []  # recycle-bin entries, oldest first
        self.version = 0
        self._indexes: dict[str, dict[str, list[str]]] = {}
        self._snapshots: OrderedDict[Hashable, tuple[int, list[str]]] = OrderedDict()

    def add(self, record: Record) -> None:
        self.records[record.id] = record
        for api_name, index in self._indexes.items():
            _index_add(index, record.values.get(api_name), record.id)
        self.version += 1

    def change(self, record: Record, values: dict[str, Any]) -> None:
        """Apply ``values`` to ``record`` keeping every built index in step."""
        for api_name, index in self._indexes.items():
            if api_name in values and normalise(values[api_name]) != normalise(
                record.values.get(api_name)
            ):
                _index_remove(index, record.values.get(api_name), record.id)
                _index_add(index, values[api_name], record.id)
        record.values.update(values)
        record.forget()
        self.version += 1

    def remove(self, record_id: str) -> Record:
        record = self.records.pop(record_id)
        for api_name, index in self._indexes.items():
            _index_remove(index, record.values.get(api_name), record_id)
        self.version += 1
        return record

    def touch(self, record: Record) -> None:
        """Note an in-place change of ``record`` (conversion, timestamps)."""
        record.forget()
        self.version += 1

    def find(self, api_name: str, value: Any) -> list[str]:
        """Ids of records whose ``api_name`` equals ``value`` (case-insensitive), in id order."""
        key = normalise(value)
        if key is None:
            return []
        index = self._indexes.get(api_name)
        if index is None:
            index = self._indexes[api_name] = {}
            for record in self.records.values():
                _index_add(index, record.values.get(api_name), record.id)
        return sorted(index.get(key, ()))

    def snapshot(self, signature: Hashable, build: Callable[[], list[str]]) -> list[str]:
        """The id list for ``signature`` at the current version, built at most once."""
        hit = self._snapshots.get(signature)
        if hit is not None and hit[0] == self.version:
            self._snapshots.move_to_end(signature)
            return hit[1]
        ids = build()
        self._snapshots[signature] = (self.version, ids)
        if len(self._snapshots) > SNAPSHOTS_KEPT:
            self._snapshots.popitem(last=False)
        return ids


def _index_add(index: dict[str, list[str]], value: Any, record_id: str) -> None:
    key = normalise(value)
    if key is not None:
        index.setdefault(key, []).append(record_id)


def _index_remove(index: dict[str, list[str]], value: Any, record_id: str) -> None:
    key = normalise(value)
    ids = index.get(key) if key is not None else None
    if ids and record_id in ids:
        ids.remove(record_id)
        if not ids:
            del index[key]
