"""Pytest plugin: `zoho`, the live sandbox as the product reaches it, and what an admin
types to connect to it (`form_data`)."""

import pytest

from zoho_sandbox.testing import DEFAULT_SCOPE


@pytest.fixture
def zoho(sandbox, settings):
    """The sandbox, named by ZOHO_SANDBOX_URL so the `sandbox` domain exists (and is offered)."""
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
