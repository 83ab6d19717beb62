"""A workspace connected to a live sandbox, with the seed's custom fields, ready to sync."""

import pytest

from contacts.services import contacts_upsert
from integration.clients import client_for
from integration.models import SyncRun, ZohoConnection
from integration.services import connection_update
from integration.sync.runner import sync_run
from integration.zoho.client import ZohoClient
from tests.helpers.zoho import form_data

SEED_FIELDS = [
    ("plezi_url", "text"),
    ("score", "text"),
    ("status", "text"),
    ("crm_to_plezi", "text"),
]


@pytest.fixture
def zoho(zoho):
    """The shared `zoho` (tests/helpers/zoho.py), with the custom fields the seed asks for."""
    for api_name, data_type in SEED_FIELDS:
        zoho.add_field("Leads", api_name, api_name, data_type, length=255)
    zoho.add_field("Contacts", "crm_to_plezi", "crm_to_plezi", "text", length=255)
    return zoho


def client_without_waits(connection: ZohoConnection) -> ZohoClient:
    """The sync's client (`client_for`), but retries back off at once: in production they
    wait for real; tests need not."""
    return client_for(connection, sleep=lambda seconds: None)


def connect(zoho, workspace, **overrides):
    connection = connection_update(workspace=workspace, data=form_data(zoho, **overrides))
    zoho.reset_stats()
    return connection


@pytest.fixture
def connected(zoho, workspace):
    return connect(zoho, workspace)


def sync(workspace, **options) -> SyncRun:
    """A run served in the test, with `client_without_waits` unless told another client."""
    options.setdefault("trigger", SyncRun.Trigger.MANUAL)
    options.setdefault("make_client", client_without_waits)
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
