"""The audit trail: who changed the connection, the filter, the mapping or a form, and how.

Each change writes an admin LogEntry (so the admin's History shows it) with a readable
message that never holds a secret; the Zoho CRM page lists the workspace's latest.
"""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse

from integration.models import ZohoConnection
from mapping.models import FieldMapping
from tests.integration.conftest import ORG_READ, form_data

ZOHO_URL = "/w/acme/zoho/"


def entries_about(obj) -> list[LogEntry]:
    return list(LogEntry.objects.filter(object_id=str(obj.pk)).order_by("action_time"))


def no_secret_in_any_entry(connection: ZohoConnection) -> None:
    secrets = [connection.client_secret, connection.refresh_token, connection.access_token]
    for entry in LogEntry.objects.all():
        text = entry.change_message + entry.object_repr
        assert not [secret for secret in secrets if secret and secret in text]


def test_connecting_then_changing_the_filter_is_recorded(owner_client, owner, zoho, workspace):
    zoho.add_field("Leads", "crm_to_plezi")
    zoho.add_field("Contacts", "crm_to_plezi")
    data = form_data(zoho, scope=ORG_READ)
    owner_client.post(ZOHO_URL, data)
    connection = ZohoConnection.objects.get(workspace=workspace)
    edit = {**data, "client_secret": "", "code": "", "filter_field": "crm_to_plezi"}
    owner_client.post(ZOHO_URL, {**edit, "filter_value": "yes"})

    first, second = entries_about(connection)
    assert (first.user, first.action_flag) == (owner, ADDITION)
    assert first.change_message == f"Connected Zoho CRM org {connection.org} (sandbox)."
    assert (second.user, second.action_flag) == (owner, CHANGE)
    assert second.change_message == (
        "Zoho contact field: (empty) → crm_to_plezi. Zoho contact value: (empty) → yes."
    )
    page = owner_client.get(ZOHO_URL).content.decode()
    assert "Recent changes" in page
    assert "Zoho contact field: (empty) → crm_to_plezi." in page and owner.email in page
    no_secret_in_any_entry(ZohoConnection.objects.get(pk=connection.pk))


def test_a_new_secret_is_named_never_shown(owner_client, zoho, workspace, connection):
    client_id, secret = zoho.create_client()
    code = zoho.create_code(client_id)
    data = form_data(zoho, client_id=client_id, client_secret=secret, code=code)

    owner_client.post(ZOHO_URL, data)

    entry = entries_about(connection)[-1]
    assert "Zoho Client Secret changed." in entry.change_message
    assert "Reconnected with a new Zoho code." in entry.change_message
    assert f"Zoho Client: {connection.client_id} → {client_id}." in entry.change_message
    assert secret not in entry.change_message
    no_secret_in_any_entry(ZohoConnection.objects.get(pk=connection.pk))


def test_disconnecting_and_the_limits_are_recorded(owner_client, owner, connection):
    limits = reverse("integration:limits", args=["acme"])
    owner_client.post(limits, {"edition": "professional", "daily_credit_cap": "5000"})
    owner_client.post(reverse("integration:disconnect", args=["acme"]))

    limits_entry, disconnect_entry = entries_about(connection)
    assert limits_entry.change_message == (
        "Zoho CRM edition: Standard → Professional. Daily credit cap for the sync: (empty) → 5000."
    )
    assert disconnect_entry.change_message == (
        "Disconnected Zoho CRM: its tokens are revoked and deleted."
    )
    assert disconnect_entry.user == owner


def test_a_mapping_change_is_recorded_on_its_row(owner_client, owner, connection, workspace):
    row = FieldMapping.objects.get(workspace=workspace, module="Leads", plezi_field__key="city")
    page = owner_client.get("/w/acme/mapping/leads/")
    formset = page.context["formset"]
    data = {"rows-TOTAL_FORMS": formset.total_form_count(), "rows-INITIAL_FORMS": 0}
    for number, form in enumerate(formset):
        initial = form.initial
        data[f"rows-{number}-plezi_key"] = initial["plezi_key"]
        data[f"rows-{number}-zoho_field"] = initial["zoho_field"]
        directions = {"to_zoho": initial["to_zoho"], "from_zoho": initial["from_zoho"]}
        if initial["plezi_key"] == "city":
            directions["from_zoho"] = False
        for name, on in directions.items():
            if on:
                data[f"rows-{number}-{name}"] = "on"

    owner_client.post("/w/acme/mapping/leads/", data)

    (entry,) = entries_about(row)
    assert entry.user == owner and entry.action_flag == CHANGE
    assert entry.change_message == "City (Leads): Directions: both ways → Plezi → Zoho."


def test_forms_created_edited_and_deleted_are_recorded(owner_client, owner, workspace):
    company = workspace.fields.get(key="company")
    owner_client.post(
        reverse("contacts:form_create", args=["acme"]),
        {"name": "Webinar", "asked_fields": [company.pk], "thank_you_message": "See you!"},
    )
    plezi_form = workspace.forms.get()
    edit = reverse("contacts:form_edit", args=["acme", plezi_form.pk])
    owner_client.post(edit, {"name": "Webinar 2", "asked_fields": [], "thank_you_message": "Ta"})

    created, edited = entries_about(plezi_form)
    assert created.change_message == "Created the form “Webinar”, asking for Email, Company."
    assert edited.change_message == (
        "Name: Webinar → Webinar 2. Fields asked: Email, Company → Email. "
        "Thank you message: See you! → Ta."
    )
    owner_client.post(reverse("contacts:form_delete", args=["acme", plezi_form.pk]))

    deleted = entries_about(workspace)[-1]
    assert deleted.change_message == "Deleted the form “Webinar 2”."
    page = owner_client.get(ZOHO_URL).content.decode()
    assert "Deleted the form “Webinar 2”." in page


def test_admin_history_shows_the_change(admin_client, owner_client, zoho, workspace):
    owner_client.post(ZOHO_URL, form_data(zoho))
    connection = ZohoConnection.objects.get(workspace=workspace)

    history = admin_client.get(
        reverse("admin:integration_zohoconnection_history", args=[connection.pk])
    )

    assert history.status_code == 200
    assert f"Connected Zoho CRM org {connection.org} (sandbox)." in history.content.decode()


def test_another_workspaces_changes_are_not_listed(
    owner_client, outsider_client, zoho, workspace, other_workspace
):
    owner_client.post(ZOHO_URL, form_data(zoho))
    outsider_client.post(
        reverse("contacts:form_create", args=["globex"]),
        {"name": "Globex secret plans", "asked_fields": [], "thank_you_message": "Ta"},
    )

    page = owner_client.get(ZOHO_URL).content.decode()

    assert "Connected Zoho CRM org" in page
    assert "Globex secret plans" not in page
