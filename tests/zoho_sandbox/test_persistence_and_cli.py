"""``--data FILE`` keeps the org across restarts; ``python -m zoho_sandbox`` serves it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from tests.zoho_sandbox.crm_client import TIMEOUT
from zoho_sandbox.server import start_in_thread
from zoho_sandbox.testing import SandboxHandle

ROOT = Path(__file__).resolve().parents[2]


def test_state_survives_a_restart_with_the_same_data_file(tmp_path):
    data = tmp_path / "org.json"
    server, _ = start_in_thread(data=data, seed_leads=3)
    handle = SandboxHandle(server.base_url)
    tokens = handle.connect()
    handle.add_field("Leads", "plezi_url", "Plezi URL", "website")
    handle.create_records("Leads", [{"Last_Name": "Kept", "plezi_url": "https://p.example/1"}])
    before = handle.org()
    server.stop()

    server, _ = start_in_thread(data=data, seed_leads=50)  # a known org is not seeded again
    handle = SandboxHandle(server.base_url)
    try:
        leads = handle.records("Leads")
        assert len(leads) == 4
        assert leads[-1]["plezi_url"] == "https://p.example/1"
        assert handle.org()["zgid"] == before["zgid"]
        form = {"grant_type": "refresh_token", "client_id": tokens["client_id"],
                "client_secret": tokens["client_secret"],
                "refresh_token": tokens["refresh_token"]}  # fmt: skip
        refreshed = requests.post(f"{server.base_url}/oauth/v2/token", data=form, timeout=TIMEOUT)
        assert "access_token" in refreshed.json()
    finally:
        server.stop()


def test_seeding_flags_fill_a_new_org(tmp_path):
    server, _ = start_in_thread(seed_leads=4, seed_contacts=2)
    try:
        handle = SandboxHandle(server.base_url)
        assert (len(handle.records("Leads")), len(handle.records("Contacts"))) == (4, 2)
    finally:
        server.stop()


def _start_cli(*args: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "zoho_sandbox", "--port", "0", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    line = process.stdout.readline()
    return process, line.split()[3]


def test_command_line_serves_and_saves_on_sigterm(tmp_path):
    data = tmp_path / "demo.json"
    process, base_url = _start_cli("--data", str(data), "--seed-leads", "2", "--latency-ms", "1")
    try:
        handle = SandboxHandle(base_url)
        assert handle.org()["api_domain"] == base_url
        handle.create_records("Leads", [{"Last_Name": "Demo"}])
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    process, base_url = _start_cli("--data", str(data), "--seed-leads", "2")
    try:
        assert len(SandboxHandle(base_url).records("Leads")) == 3
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
