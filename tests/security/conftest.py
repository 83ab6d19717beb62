"""Workspace A's data, built once per test module and rolled back at its end.

Building A through the real services (a Zoho connection against the sandbox,
a sync run) takes a tenth of a second; the sweep has a few hundred cases. So
A is built once per module inside an outer transaction, each test runs in a
savepoint inside it (as Django's `setUpTestData` does), and the outer
transaction is rolled back when the module ends.
"""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from tests.security.tenant_data import Tenants, tenants_create
from zoho_sandbox.testing import SandboxHandle


@pytest.fixture(scope="module")
def _tenants(django_db_setup, django_db_blocker, sandbox_server):
    sandbox = SandboxHandle(sandbox_server.base_url)
    sandbox.reset()
    with (
        django_db_blocker.unblock(),
        # WhiteNoise indexes every collected static file each time a test client
        # builds its middleware (0.2 s per client); looking files up on request
        # instead changes nothing the tests here check.
        override_settings(ZOHO_SANDBOX_URL=sandbox.base_url, WHITENOISE_AUTOREFRESH=True),
        transaction.atomic(),
    ):
        tenants = tenants_create(sandbox)
        yield tenants
        transaction.set_rollback(True)
    sandbox.http.close()


@pytest.fixture
def tenants(_tenants: Tenants, workspace, other_workspace) -> Tenants:
    """A and B as the suite's `workspace` and `other_workspace` fixtures see them."""
    assert (workspace.pk, other_workspace.pk) == (_tenants.a.pk, _tenants.b.pk), (
        "tests/security expects the `workspace` and `other_workspace` fixtures to use the "
        "slugs acme and globex (see tests/security/tenant_data.py)"
    )
    # Public form submissions are rate limited in the cache.
    cache.clear()
    return _tenants
