"""The ``crm`` fixture: a CRM session authorised with a fresh token of a fresh client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.zoho_sandbox.crm_client import Crm, crm_for
from zoho_sandbox.testing import SandboxHandle


@pytest.fixture
def crm(sandbox: SandboxHandle) -> Iterator[Crm]:
    client = crm_for(sandbox)
    yield client
    client.http.close()
