"""A workspace connected to a live sandbox, with the seed's custom fields, ready to sync."""

import pytest

from contacts.services import contacts_upsert
from integration.models import SyncRun
from integration.services import connection_update
from integration.sync import runner
from integration.sync.runner import sync_run
from tests.integration.conftest import form_data

SEED_FIELDS = [
    ("plezi_url", "text"),
    ("score", "text"),
    ("status", "text"),
    ("crm_to_plezi", "text"),
]


@pytest.fixture
def zoho(sandbox, settings):
    settings.ZOHO_SANDBOX_URL = sandbox.base_url
    for api_name, data_type in SEED_FIELDS:
        sandbox.add_field("Leads", api_name, api_name, data_type, length=255)
    sandbox.add_field("Contacts", "crm_to_plezi", "crm_to_plezi", "text", length=255)
    return sandbox


@pytest.fixture(autouse=True)
def no_backoff_sleep(monkeypatch):
    """Retries back off for real in production; tests need not wait for them."""
    original = runner.client_for
    monkeypatch.setattr(
        runner, "client_for", lambda connection: original(connection, sleep=lambda s: None)
    )


def connect(zoho, workspace, **overrides):
    connection = connection_update(workspace=workspace, data=form_data(zoho, **overrides))
    zoho.reset_stats()
    return connection


@pytest.fixture
def connected(zoho, workspace):
    return connect(zoho, workspace)


def sync(workspace, **options) -> SyncRun:
    options.setdefault("trigger", SyncRun.Trigger.MANUAL)
    run = sync_run(workspace_id=workspace.pk, **options)
    assert run is not None
    return run


def add_contacts(workspace, *rows: dict):
    report = contacts_upsert(workspace=workspace, rows=enumerate(rows, start=2))
    assert report.failed == 0, report.errors
    return report


def lead(email, last="Doe", **fields):
    return {"Email": email, "Last_Name": last, **fields}


def by_email(records):
    return {(r.get("Email") or "").lower(): r for r in records}
