"""A separate process for the cross-process tests (not a test module itself).

`python -m tests.integration.shared_db_worker COMMAND [ARGS]`, with DATABASE_URL naming a
database the test shares and ZOHO_SANDBOX_URL the sandbox. Prints one JSON line.
Commands that race print "ready" first and wait for a line on stdin, so the
test can release every process at the same moment.
"""

import hashlib
import json
import os
import sys
import threading
import uuid


def migrate() -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {}


def connect(expired: str = "no", cap: str = "10") -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from accounts.services import workspace_create
    from integration.models import ZohoConnection
    from integration.services import connection_update
    from zoho_sandbox.testing import DEFAULT_SCOPE, SandboxHandle

    sandbox = SandboxHandle(os.environ["ZOHO_SANDBOX_URL"])
    client_id, client_secret = sandbox.create_client()
    workspace, _ = workspace_create(slug=f"shared-{uuid.uuid4().hex[:8]}", name="Shared")
    data = {
        "client_id": client_id,
        "client_secret": client_secret,
        "org": sandbox.org()["domain_name"],
        "code": sandbox.create_code(client_id, DEFAULT_SCOPE + ",ZohoCRM.org.READ"),  # org() below
        "domain": "sandbox",
    }
    connection = connection_update(workspace=workspace, data=data)
    updates = {"max_concurrency": int(cap)}
    if expired == "yes":
        updates["access_token_expires_at"] = timezone.now() - timedelta(minutes=1)
    ZohoConnection.objects.filter(pk=connection.pk).update(**updates)
    return {"connection_id": connection.pk}


def refresh(connection_id: str) -> dict:
    client = _client(connection_id)
    _wait_for_go()
    client.org()
    # A digest, not the token: secrets stay out of test output.
    return {"token": hashlib.sha256(client._access.token.encode()).hexdigest()[:16]}


def calls(connection_id: str, threads: str, each: str) -> dict:
    from django.db import connection as db

    from integration.zoho.errors import ZohoError

    client = _client(connection_id)
    client.org()  # the token is read once, before the race
    outcomes: list[str] = []

    def work() -> None:
        try:
            for _ in range(int(each)):
                try:
                    client.org()
                    outcomes.append("ok")
                except ZohoError as error:
                    outcomes.append(type(error).__name__)
        finally:
            db.close()

    _wait_for_go()
    workers = [threading.Thread(target=work) for _ in range(int(threads))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {"outcomes": outcomes}


def _client(connection_id: str):
    from integration.clients import client_for
    from integration.models import ZohoConnection

    return client_for(ZohoConnection.objects.get(pk=int(connection_id)), max_retries=0)


def _wait_for_go() -> None:
    print("ready", flush=True)
    sys.stdin.readline()


COMMANDS = {"migrate": migrate, "connect": connect, "refresh": refresh, "calls": calls}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    command, *arguments = sys.argv[1:]
    print(json.dumps(COMMANDS[command](*arguments)), flush=True)
