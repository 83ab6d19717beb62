"""`make run`: the whole product on one machine, for a demo or a first look.

Starts the Zoho sandbox (state kept in data/sandbox.json), migrates SQLite,
creates the demo workspace on first start, then runs the web server and the
django-q2 worker. Ctrl-C stops all three.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
PYTHON = sys.executable
WEB_PORT = int(os.environ.get("PORT", "8000"))
SANDBOX_PORT = int(os.environ.get("SANDBOX_PORT", "8765"))
SANDBOX_URL = f"http://127.0.0.1:{SANDBOX_PORT}"
DEMO_EMAIL, DEMO_PASSWORD = "demo@plezi.test", "demo-password"
ZOHO_CUSTOM_FIELDS = [
    # The seed's fields: plezi_url on Leads, optional score and status, and a filter field.
    ("Leads", "plezi_url", "plezi_url", "website", 255),
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


def wait_for(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not start within {seconds:.0f} s; see the messages above.")


def prepare_sandbox(first_start: bool) -> None:
    """On first start, the seed's custom fields and a lead whose picklist value Plezi lacks."""
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
    env = environment()
    DATA.mkdir(exist_ok=True)
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
    processes = [
        subprocess.Popen(
            [
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
            ],
            cwd=ROOT,
            env=env,
        ),
    ]
    try:
        wait_for(SANDBOX_URL + "/")
        prepare_sandbox(first_start)
        processes.append(
            subprocess.Popen(
                [PYTHON, "manage.py", "runserver", f"127.0.0.1:{WEB_PORT}", "--noreload"],
                cwd=ROOT,
                env=env,
            )
        )
        processes.append(subprocess.Popen([PYTHON, "manage.py", "qcluster"], cwd=ROOT, env=env))
        wait_for(f"http://127.0.0.1:{WEB_PORT}/accounts/login/")
        print(
            BANNER.format(
                web=WEB_PORT, sandbox=SANDBOX_URL, email=DEMO_EMAIL, password=DEMO_PASSWORD
            ),
            flush=True,
        )
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        print("A process stopped; shutting the others down.", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


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
