"""Pytest plugin: a live Zoho sandbox on loopback for any test that asks for it.

``sandbox_server`` (session): one in-process server on an ephemeral port.
``sandbox`` (function): the same server, reset before the test, as a
:class:`zoho_sandbox.testing.SandboxHandle` (``base_url``, ``connect()``, ``seed()``...).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zoho_sandbox.server import SandboxServer, start_in_thread
from zoho_sandbox.testing import SandboxHandle


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    server, _thread = start_in_thread("127.0.0.1", 0)
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxHandle]:
    handle = SandboxHandle(sandbox_server.base_url)
    handle.reset()
    yield handle
    handle.http.close()
