"""Fixtures for the Zoho connection and client tests: all against zoho_sandbox over HTTP."""

import pytest

from integration.clients import client_for
from integration.models import ZohoConnection
from integration.services import connection_update
from tests.helpers.zoho import ORG_READ, form_data


@pytest.fixture
def connection(zoho, workspace) -> ZohoConnection:
    """Workspace acme connected to the sandbox through the real service."""
    data = form_data(zoho, scope=ORG_READ)
    saved = connection_update(workspace=workspace, data=data, actor=None)
    zoho.reset_stats()
    return saved


@pytest.fixture
def zoho_client(connection):
    zoho_client = client_for(connection, sleep=lambda seconds: None)
    yield zoho_client
    zoho_client.close()
