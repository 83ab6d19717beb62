"""Fixtures of the bad-input catalogue: a snapshot of everything a workspace holds.

"Changes nothing" is asserted the same way on every surface: the rows of the
workspace (contacts, catalogue, forms, connection, mapping, Zoho field lists,
sync links and watermarks, the workspace's own settings flags) are read and
hashed before and after the bad input, and must be equal.
"""

import hashlib
import json

import pytest
from django.core.cache import cache

from accounts.models import Workspace
from contacts.models import Contact, Field, Form
from integration.models import SyncState, SyncWatermark, ZohoConnection
from mapping.models import FieldMapping, ZohoFieldSet

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"

_OWNED = {
    "contacts": Contact,
    "fields": Field,
    "forms": Form,
    "connection": ZohoConnection,
    "mappings": FieldMapping,
    "zoho_fields": ZohoFieldSet,
    "sync_states": SyncState,
    "watermarks": SyncWatermark,
}


# A mapping row saved again with the same values gets a new `updated_at`; nothing reads it
# (the sync and the page go by the values), so it is not a change of state.
_IGNORED = {"mappings": {"updated_at"}}


def _digest(rows: list[dict]) -> str:
    text = json.dumps(rows, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def snapshot(workspace: Workspace) -> dict[str, tuple[int, str]]:
    """(row count, hash of every value) per table the workspace owns, plus its own row."""
    state = {}
    for name, model in _OWNED.items():
        rows = list(model.objects.for_workspace(workspace).order_by("pk").values())
        ignored = _IGNORED.get(name, set())
        rows = [{k: v for k, v in row.items() if k not in ignored} for row in rows]
        state[name] = (len(rows), _digest(rows))
    own = list(Workspace.objects.filter(pk=workspace.pk).values())
    state["workspace"] = (len(own), _digest(own))
    # A write that lands in another workspace is a change too.
    state["all_contacts"] = (Contact.objects.count(), "")
    return state


@pytest.fixture(autouse=True)
def _empty_cache():
    # The public forms' rate limit counts in the cache: every case starts from zero.
    cache.clear()
    yield
    cache.clear()
