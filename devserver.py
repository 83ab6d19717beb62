"""`make run`: the whole product on one machine, for a demo or a first look.

Starts the Zoho sandbox (state kept in data/sandbox.json), migrates SQLite,
creates the demo workspace on first start, then runs the web server and the
django-q2 worker. Ctrl-C stops all three.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent
# DATA_DIR: where the sandbox keeps its state (a second, separate demo can use another).
DATA = Path(os.environ.get("DATA_DIR") or ROOT / "data")
PYTHON = sys.executable
WEB_PORT = int(os.environ.get("PORT", "8000"))
SANDBOX_PORT = int(os.environ.get("SANDBOX_PORT", "8765"))
SANDBOX_URL = f"http://127.0.0.1:{SANDBOX_PORT}"
DEMO_EMAIL, DEMO_PASSWORD = "demo@plezi.test", "demo-password"
ZOHO_CUSTOM_FIELDS = [
    # The seed's fields, as the product asks for them (Single Line: Zoho's "text"): plezi_url
    # on Leads, optional score and status, and a filter field.
    ("Leads", "plezi_url", "plezi_url", "text", 255),
    ("Leads", "score", "score", "text", 255),
    ("Leads", "status", "status", "text", 255),
    ("Leads", "crm_to_plezi", "crm_to_plezi", "text", 255),
    ("Contacts", "crm_to_plezi", "crm_to_plezi", "text", 255),
]


def environment() -> dict:
    env = dict(os.environ)
    env.setdefault("DEBUG", "true")
    env.setdefault("ZOHO_SANDBOX_URL", SANDBOX_URL)
    env.setdefault("SITE_URL", f"http://127.0.0.1:{WEB_PORT}")
    return env


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def start(args: list[str], env: dict) -> subprocess.Popen:
    # Its own process group, so Ctrl-C reaches only this launcher, which then stops each
    # process exactly once: a second SIGINT cuts django-q's shutdown short (its workers
    # are left running) and interrupts the sandbox's final save.
    return subprocess.Popen(args, cwd=ROOT, env=env, process_group=0)


def stop(processes: list[subprocess.Popen]) -> None:
    # A second Ctrl-C (or SIGTERM: `timeout` sends two) must not cut the cleanup short.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    for process in processes:
        if not _exited(process):
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 10
    for process in processes:
        while not _exited(process) and time.monotonic() < deadline:
            time.sleep(0.1)
        # Whatever is left of its group (django-q's workers) goes too. The leader is not
        # reaped yet, so its id, which names the group, cannot belong to anyone else.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _exited(process: subprocess.Popen) -> bool:
    """Whether `process` ended, without reaping it (WNOWAIT)."""
    status = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    return status is not None


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def wait_for(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not start within {seconds:.0f} s; see the messages above.")


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM (a process manager, `timeout`) stops like Ctrl-C


def prepare_sandbox(first_start: bool) -> None:
    """On first start, the custom fields the seed asks for (plezi_url, score, status, filter)."""
    if not first_start:
        return
    for module, api_name, label, data_type, length in ZOHO_CUSTOM_FIELDS:
        requests.post(
            f"{SANDBOX_URL}/__sandbox__/fields",
            json={
                "module": module,
                "api_name": api_name,
                "field_label": label,
                "data_type": data_type,
                "length": length,
            },
            timeout=5,
        )


def main() -> None:
    for name, port in (("PORT", WEB_PORT), ("SANDBOX_PORT", SANDBOX_PORT)):
        if not port_free(port):
            raise SystemExit(
                f"Port {port} is already in use (another `make run`?). Stop it, or choose "
                f"another port: {name}={port + 1} make run"
            )
    signal.signal(signal.SIGTERM, _terminate)
    env = environment()
    DATA.mkdir(parents=True, exist_ok=True)
    sandbox_file = DATA / "sandbox.json"
    first_start = not sandbox_file.exists()
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage(
        "create_workspace",
        "demo",
        "--name",
        "Demo",
        "--admin-email",
        DEMO_EMAIL,
        "--admin-password",
        DEMO_PASSWORD,
        env=env,
    )
    manage("seed_demo_contacts", "demo", "--count", "300", env=env)
    sandbox = [
        PYTHON,
        "-m",
        "zoho_sandbox",
        "--port",
        str(SANDBOX_PORT),
        "--data",
        str(sandbox_file),
        "--seed-leads",
        "200",
        "--seed-contacts",
        "100",
    ]
    processes = [start(sandbox, env)]
    try:
        wait_for(SANDBOX_URL + "/")
        prepare_sandbox(first_start)
        web = [PYTHON, "manage.py", "runserver", f"127.0.0.1:{WEB_PORT}", "--noreload"]
        processes.append(start(web, env))
        processes.append(start([PYTHON, "manage.py", "run_workers"], env))
        wait_for(f"http://127.0.0.1:{WEB_PORT}/accounts/login/")
        print(
            BANNER.format(
                web=WEB_PORT, sandbox=SANDBOX_URL, email=DEMO_EMAIL, password=DEMO_PASSWORD
            ),
            flush=True,
        )
        while not any(_exited(p) for p in processes):
            time.sleep(0.5)
        print("A process stopped; shutting the others down.", flush=True)
    except KeyboardInterrupt:
        print("\nStopping the web server, the worker and the sandbox…", flush=True)
    finally:
        stop(processes)


BANNER = """
────────────────────────────────────────────────────────────────────
 Plezi ⇄ Zoho CRM is running.

   App:            http://127.0.0.1:{web}/
   Log in as:      {email} / {password}
   Zoho sandbox:   {sandbox}/   (its developer console: create a Self Client
                                 and a code there, as the seed describes)

 Ctrl-C stops the web server, the worker and the sandbox.
────────────────────────────────────────────────────────────────────
"""

if __name__ == "__main__":
    main()
