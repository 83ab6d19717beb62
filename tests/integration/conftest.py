"""Fixtures for the Zoho connection and client tests: all against zoho_sandbox over HTTP."""

import pytest

from integration.clients import client_for
from integration.models import ZohoConnection
from integration.services import connection_update
from zoho_sandbox.testing import DEFAULT_SCOPE


@pytest.fixture
def zoho(sandbox, settings):
    """The sandbox, named by ZOHO_SANDBOX_URL so the `sandbox` domain exists."""
    settings.ZOHO_SANDBOX_URL = sandbox.base_url
    return sandbox


# The seed's two scopes plus ZohoCRM.org.READ, which lets the product check the org.
ORG_READ = DEFAULT_SCOPE + ",ZohoCRM.org.READ"


def form_data(sandbox, *, scope=None, minutes=10, **overrides) -> dict:
    """What an admin types after following the seed's steps in the sandbox console."""
    client_id, client_secret = sandbox.create_client()
    code = (
        sandbox.create_code(client_id, scope, minutes)
        if scope
        else sandbox.create_code(client_id, minutes=minutes)
    )
    data = {
        "client_id": client_id,
        "client_secret": client_secret,
        "org": sandbox.org()["domain_name"],
        "code": code,
        "domain": "sandbox",
        "crm_url": sandbox.crm_url,
        "filter_field": "",
        "filter_value": "",
    }
    data.update(overrides)
    return data


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
