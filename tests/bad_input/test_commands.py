"""Management commands given bad arguments: a one-line reason, and nothing written.

Each case runs the command as an operator would (`call_command`, which turns
argparse errors into CommandError too) and checks the message it ends with,
on the CommandError or on stderr, and that the workspace is unchanged.
"""

import io

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Workspace
from integration.models import SyncRun, ZohoConnection
from tests.bad_input.conftest import snapshot
from tests.helpers.zoho import form_data
from tests.sync.conftest import connect


def run(name: str, *args: str) -> str:
    """What the command said when it stopped: its error, else its stderr and stdout."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except CommandError as error:
        return str(error)
    except SystemExit:  # `sync` exits 1 after writing why on stderr
        pass
    return err.getvalue() + out.getvalue()


def csv_file(tmp_path, content: bytes, name: str = "contacts.csv") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


# ---- commands on an existing workspace: each input is refused and nothing changes ----------
WORKSPACE_CASES = [
    # import_contacts
    pytest.param(
        ["import_contacts", "nope", "{csv}"],
        "No workspace with the slug 'nope'.",
        id="import-unknown",
    ),
    pytest.param(
        ["import_contacts", "acme", "{tmp}/missing.csv"],
        "Cannot read {tmp}/missing.csv: No such file or directory.",
        id="import-missing-file",
    ),
    pytest.param(
        ["import_contacts", "acme", "{tmp}"],
        "Cannot read {tmp}: Is a directory.",
        id="import-a-directory",
    ),
    pytest.param(
        ["import_contacts", "acme"],
        "Error: the following arguments are required: file",
        id="import-no-file-argument",
    ),
    pytest.param(
        ["import_contacts", "acme", "{latin1}"],
        "was not imported: The file is not UTF-8 text (the first unreadable character is on "
        "line 2).",
        id="import-latin1",
    ),
    pytest.param(
        ["import_contacts", "acme", "{no_email}"],
        "was not imported: The file has no “email” column",
        id="import-no-email-column",
    ),
    # export_contacts
    pytest.param(
        ["export_contacts", "nope"], "No workspace with the slug 'nope'.", id="export-unknown"
    ),
    pytest.param(
        ["export_contacts", "acme", "{tmp}/no/such/dir/out.csv"],
        "Cannot write {tmp}/no/such/dir/out.csv: No such file or directory.",
        id="export-unwritable-path",
    ),
    # seed_demo_contacts
    pytest.param(
        ["seed_demo_contacts", "acme", "--count", "0"],
        "--count must be at least 1.",
        id="seed-count-zero",
    ),
    pytest.param(
        ["seed_demo_contacts", "acme", "--count", "many"],
        "Error: argument --count: invalid int value: 'many'",
        id="seed-count-not-a-number",
    ),
    pytest.param(
        ["seed_demo_contacts", "nope"], "No workspace with the slug 'nope'.", id="seed-unknown"
    ),
    # sync
    pytest.param(
        ["sync", "nope"],
        "No workspace with the slug 'nope'. Create it with `python manage.py create_workspace`.",
        id="sync-unknown",
    ),
    pytest.param(
        ["sync", "acme", "--everything"],
        "Error: unrecognized arguments: --everything",
        id="sync-unknown-option",
    ),
    pytest.param(
        ["sync", "acme"],
        "Zoho CRM is not connected (or needs reconnecting). Open the Zoho CRM page",
        id="sync-not-connected",
    ),
    # zoho_check
    pytest.param(["zoho_check", "nope"], "No workspace with the slug 'nope'.", id="check-unknown"),
    pytest.param(
        ["zoho_check", "acme"],
        "acme is not connected to Zoho CRM (see zoho_connect).",
        id="check-not-connected",
    ),
    # rotate_secrets takes no argument
    pytest.param(
        ["rotate_secrets", "acme"], "Error: unrecognized arguments: acme", id="rotate-extra"
    ),
]


@pytest.fixture
def files(tmp_path) -> dict[str, str]:
    return {
        "tmp": str(tmp_path),
        "csv": csv_file(tmp_path, b"email\nada@example.com\n"),
        "latin1": csv_file(
            tmp_path, "email,city\nzoe@example.com,Orl\xe9ans\n".encode("latin-1"), "latin1.csv"
        ),
        "no_email": csv_file(tmp_path, b"name,city\nAda,Paris\n", "no_email.csv"),
    }


@pytest.mark.parametrize(("argv", "message"), WORKSPACE_CASES)
def test_bad_arguments_are_refused_with_a_reason_and_change_nothing(
    workspace, files, argv, message
):
    argv = [arg.format(**files) for arg in argv]
    before = snapshot(workspace)

    said = run(*argv)

    assert message.format(**files) in said
    assert snapshot(workspace) == before


def test_sync_of_an_unconnected_workspace_exits_1_and_records_why(workspace):
    err = io.StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("sync", "acme", stdout=io.StringIO(), stderr=err)

    assert exited.value.code == 1
    run_row = SyncRun.objects.for_workspace(workspace).get()
    assert run_row.status == SyncRun.Status.FAILED and run_row.error in err.getvalue()


# ---- zoho_connect: the page's checks, with the flag to fix named ---------------------------
def connect_argv(data: dict) -> list[str]:
    argv = ["zoho_connect", "acme"]
    for key in ("client_id", "client_secret", "code", "domain", "org", "crm_url"):
        argv += [f"--{key.replace('_', '-')}", data[key]]
    return argv


CONNECT_CASES = [
    pytest.param(
        {"client_id": "abc"}, "Not connected (client-id): A Zoho Client ID looks like", id="id"
    ),
    pytest.param(
        {"org": "acme"}, "Not connected (org): Enter the org from your CRM address", id="org"
    ),
    pytest.param({"code": "123"}, "Not connected (code): A Zoho code looks like", id="code"),
    pytest.param(
        {"code": ""}, "Not connected (code): The first connection needs a code", id="no-code"
    ),
    pytest.param(
        {"domain": "moon"}, "Not connected (domain): Choose the domain found in your", id="domain"
    ),
    pytest.param(
        {"crm_url": "http://10.0.0.7/crm/v2/"},
        "Not connected (crm-url): For the “sandbox” domain the Zoho CRM URL is",
        id="private-crm-url",
    ),
    pytest.param(
        {"client_secret": "0" * 42},
        "does not recognise this Client ID and Client Secret",
        id="wrong-secret",
    ),
]


@pytest.mark.parametrize(("changes", "message"), CONNECT_CASES)
def test_zoho_connect_names_the_flag_to_fix(zoho, workspace, changes, message):
    before = snapshot(workspace)

    said = run(*connect_argv(form_data(zoho, **changes)))

    assert message in said
    assert snapshot(workspace) == before


def test_zoho_connect_without_its_required_flags_lists_them(workspace):
    before = snapshot(workspace)

    said = run("zoho_connect", "acme", "--client-id", "1000.ABCDEFGH")

    assert "Error: the following arguments are required: --client-secret, --domain, --org" in said
    assert snapshot(workspace) == before


def test_zoho_connect_to_an_unknown_workspace(zoho, db):
    said = run("zoho_connect", "nope", *connect_argv(form_data(zoho))[2:])

    assert said.startswith("No workspace with the slug 'nope'. Create it with")
    assert zoho.stats()["total_calls"] == 0


# ---- create_workspace: a workspace is made only from valid arguments ------------------------
CREATE_CASES = [
    pytest.param(
        ["Not a slug!", "--name", "X"],
        "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
        id="slug-characters",
    ),
    pytest.param(
        ["newco", "--name", "X", "--admin-email", "not-an-email"],
        "Enter a valid email address.",
        id="admin-email",
    ),
    pytest.param(
        ["newco", "--name", "X", "--admin-password", "secret-123"],
        "--admin-password needs --admin-email.",
        id="password-without-email",
    ),
    pytest.param(["newco"], "Error: the following arguments are required: --name", id="no-name"),
    pytest.param(
        ["n" * 51, "--name", "X"],
        "at most 50 characters",
        id="slug-too-long",
    ),
    pytest.param(
        ["newco", "--name", "N" * 101],
        "at most 100 characters",
        id="name-too-long",
    ),
    pytest.param(
        ["newco", "--name", "X", "--admin-email", "boss@newco.test", "--admin-password", "1"],
        "This password is too short.",
        id="weak-admin-password",
    ),
]


@pytest.mark.parametrize(("args", "message"), CREATE_CASES)
def test_create_workspace_refuses_bad_arguments_and_creates_nothing(db, args, message):
    users = get_user_model().objects.count()

    try:
        said = run("create_workspace", *args)
    except Exception as error:  # a database error is a crash, not a message
        said = f"crashed: {error!r}"

    assert message in said
    assert not Workspace.objects.exists()
    assert get_user_model().objects.count() == users


# ---- rotate_secrets with a key that cannot read the stored secrets --------------------------
def raw_secrets() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT client_secret, refresh_token FROM {ZohoConnection._meta.db_table}")
        return cursor.fetchall()


def test_rotate_secrets_with_the_old_key_removed_says_so_and_rewrites_nothing(
    zoho, workspace, settings
):
    connect(zoho, workspace)
    before = raw_secrets()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises((CommandError, ImproperlyConfigured)) as caught:
        call_command("rotate_secrets", stdout=io.StringIO())

    assert "A stored secret cannot be decrypted with any FIELD_ENCRYPTION_KEY" in str(caught.value)
    assert raw_secrets() == before
