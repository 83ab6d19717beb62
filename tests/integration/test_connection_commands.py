"""`manage.py zoho_connect` and `zoho_check`: the page's service and checks, for scripts."""

import io

import pytest
import requests
from django.core.management import CommandError, call_command

from integration.models import ZohoConnection
from tests.helpers.zoho import ORG_READ, form_data


def connect_args(data: dict) -> list[str]:
    args = ["acme"]
    for key in ("client_id", "client_secret", "code", "domain", "org", "crm_url"):
        args += [f"--{key.replace('_', '-')}", data[key]]
    return args


def test_zoho_connect_connects_with_the_same_checks(zoho, workspace, capsys):
    zoho.add_field("Leads", "plezi_url")

    call_command("zoho_connect", *connect_args(form_data(zoho, scope=ORG_READ)))

    out = capsys.readouterr().out
    connection = ZohoConnection.objects.get(workspace=workspace)
    assert f"Connected acme to Zoho org {connection.org} (Sandbox Org)" in out
    assert "Leads field plezi_url (required): present" in out
    assert "Leads field score (optional): missing" in out
    assert connection.status == "connected"
    assert zoho.stats()["total_calls"] == 5


def test_zoho_connect_with_a_filter(zoho, workspace):
    zoho.add_field("Leads", "crm_to_plezi")
    args = connect_args(form_data(zoho))

    call_command("zoho_connect", *args, "--filter-field", "crm_to_plezi", "--filter-value", "yes")

    connection = ZohoConnection.objects.get(workspace=workspace)
    assert (connection.filter_field, connection.filter_value) == ("crm_to_plezi", "yes")


def test_zoho_connect_reports_an_expired_code_and_saves_nothing(zoho, workspace):
    data = form_data(zoho)
    zoho.advance_clock(11 * 60)

    with pytest.raises(CommandError, match=r"Not connected \(code\): This code has expired"):
        call_command("zoho_connect", *connect_args(data))

    assert not ZohoConnection.objects.exists()


def test_zoho_connect_refuses_the_sandbox_domain_unless_configured(zoho, workspace, settings):
    data = form_data(zoho)
    settings.ZOHO_SANDBOX_URL = ""

    with pytest.raises(CommandError, match=r"\(domain\): Choose the domain"):
        call_command("zoho_connect", *connect_args(data))

    assert zoho.stats()["total_calls"] == 0


def test_zoho_connect_reads_a_secret_from_stdin(zoho, workspace, monkeypatch):
    data = form_data(zoho)
    monkeypatch.setattr("sys.stdin", io.StringIO(data["client_secret"] + "\n"))

    call_command("zoho_connect", *connect_args({**data, "client_secret": "-"}))

    assert ZohoConnection.objects.get(workspace=workspace).client_secret == data["client_secret"]


def test_zoho_connect_names_an_unknown_workspace(zoho, db):
    with pytest.raises(CommandError, match="No workspace with the slug 'nope'"):
        call_command("zoho_connect", "nope", *connect_args(form_data(zoho))[1:])


def test_zoho_check_prints_a_healthy_connection(connection, capsys):
    call_command("zoho_check", "acme")

    out = capsys.readouterr().out
    assert "ok   Token: Zoho accepted the connection's token." in out
    assert "ok   Records: Leads can be read" in out
    assert f"Zoho connection of acme is healthy (org {connection.org}, sandbox)." in out


def test_zoho_check_fails_when_the_token_was_revoked(zoho, connection, capsys):
    requests.post(
        f"{zoho.base_url}/oauth/v2/token/revoke", data={"token": connection.refresh_token}
    ).raise_for_status()

    with pytest.raises(CommandError, match="Zoho connection of acme is broken: Zoho no longer"):
        call_command("zoho_check", "acme")

    assert "FAIL Token" in capsys.readouterr().out
    connection.refresh_from_db()
    assert connection.status == "needs_reconnect"


def test_zoho_check_fails_when_the_filter_field_disappeared(zoho, workspace, capsys):
    zoho.add_field("Leads", "crm_to_plezi")
    call_command("zoho_connect", *connect_args(form_data(zoho)), "--filter-field",
                 "crm_to_plezi", "--filter-value", "yes")  # fmt: skip
    ZohoConnection.objects.update(filter_field="gone_field")

    with pytest.raises(CommandError, match="no field “gone_field” any more"):
        call_command("zoho_check", "acme")

    assert ZohoConnection.objects.get().status == "error"


def test_zoho_check_without_a_connection(workspace):
    with pytest.raises(CommandError, match="acme is not connected to Zoho CRM"):
        call_command("zoho_check", "acme")
