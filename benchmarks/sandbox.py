"""The Zoho sandbox the benchmarks talk to: a process of its own, on loopback.

In its own process so that the figures of a sync process (CPU time, peak RSS) are
the sync's alone, and so that the sandbox uses the machine's other core.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

from zoho_sandbox.testing import SandboxHandle

# The seed's custom fields (tests/sync/conftest.py adds the same).
CUSTOM_FIELDS = [
    ("Leads", "plezi_url"),
    ("Leads", "score"),
    ("Leads", "status"),
    ("Leads", "crm_to_plezi"),
    ("Contacts", "crm_to_plezi"),
]
ORG_HEADER = "X-Sandbox-Org"


class SandboxProcess:
    """`python -m zoho_sandbox` (one org) or `python -m benchmarks.multiorg` (many)."""

    def __init__(self, *, orgs: int = 0) -> None:
        module = ["-m", "zoho_sandbox"]
        if orgs:
            module = ["-m", "benchmarks.multiorg", "--orgs", str(orgs)]
        self.process = subprocess.Popen(
            [sys.executable, *module, "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        if "http://" not in line:
            self.stop()
            raise RuntimeError(f"The sandbox did not start: {line!r}")
        self.base_url = re.search(r"http://\S+", line).group(0).rstrip("/")
        _wait_until_up(self.base_url)

    def handle(self, org: int | None = None) -> SandboxHandle:
        """The control API, of org number `org` when several are served."""
        session = requests.Session()
        if org is not None:
            session.headers[ORG_HEADER] = str(org)
        return SandboxHandle(self.base_url, session)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the sandbox process so far (Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _wait_until_up(base_url: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            requests.get(f"{base_url}/__sandbox__/limits", timeout=1)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def prepare_org(handle: SandboxHandle) -> None:
    """An empty org with the seed's custom fields, no latency while we set it up."""
    handle.reset()
    handle.set_limits(latency_ms=0)
    for module, api_name in CUSTOM_FIELDS:
        handle.add_field(module, api_name, api_name, "text", length=255)


def form_data(handle: SandboxHandle, **overrides) -> dict:
    """What an admin types into the Zoho configuration form after the seed's steps."""
    client_id, client_secret = handle.create_client()
    data = {
        "client_id": client_id,
        "client_secret": client_secret,
        "org": handle.org()["domain_name"],
        "code": handle.create_code(client_id),
        "domain": "sandbox",
        "crm_url": handle.crm_url,
        "filter_field": "",
        "filter_value": "",
    }
    data.update(overrides)
    return data
