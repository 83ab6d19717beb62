"""The ``crm`` fixture: a CRM session authorised with a fresh token of a fresh client.

Its scopes cover every route the sandbox serves; the scope rules themselves are tested
with narrower codes in test_auth_and_scopes.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.zoho_sandbox.crm_client import EVERY_SCOPE, Crm, crm_for
from zoho_sandbox.testing import SandboxHandle


@pytest.fixture
def crm(sandbox: SandboxHandle) -> Iterator[Crm]:
    client = crm_for(sandbox, EVERY_SCOPE)
    yield client
    client.http.close()
