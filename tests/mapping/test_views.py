"""The mapping page: who sees and changes what, what it shows, and what it costs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.services import field_create
from mapping.models import FieldMapping
from mapping.services import zoho_fields_store
from tests.mapping.zoho_meta import fetch_fields, zoho_field

LEADS_URL = "/w/acme/mapping/leads/"
CONTACTS_URL = "/w/acme/mapping/contacts/"


def form_data(response) -> dict:
    """What the browser posts for the page as rendered (unchecked boxes are absent)."""
    formset = response.context["formset"]
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
        f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
    }
    for form in formset:
        for name, value in form.initial.items():
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value is not False:
                data[form.add_prefix(name)] = value
    return data


def set_row(data: dict, response, key: str, **values) -> dict:
    for form in response.context["formset"]:
        if form.initial["plezi_key"] == key:
            for name, value in values.items():
                data.pop(form.add_prefix(name), None)
                if value is True:
                    data[form.add_prefix(name)] = "on"
                elif value is not False:
                    data[form.add_prefix(name)] = value
    return data


def state(workspace, key, module="Leads"):
    r = FieldMapping.objects.for_workspace(workspace).get(module=module, plezi_field__key=key)
    return r.zoho_field, r.to_zoho, r.from_zoho


@pytest.fixture
def connected(workspace, connect):
    connect()
    return workspace


def test_mapping_redirects_to_the_leads_tab(owner_client, workspace):
    response = owner_client.get("/w/acme/mapping/")

    assert response.status_code == 302
    assert response.url == reverse("mapping:edit", args=["acme", "leads"])


def test_unknown_module_is_404(owner_client, connected):
    assert owner_client.get("/w/acme/mapping/deals/").status_code == 404


def test_before_connecting_the_page_says_connect_zoho_first(owner_client, workspace):
    response = owner_client.get(LEADS_URL)

    assert response.status_code == 200
    assert "Connect Zoho CRM first" in response.content.decode()


def test_every_plezi_field_is_a_row_with_its_state(owner_client, connected):
    response = owner_client.get(LEADS_URL)

    html = response.content.decode()
    assert [row.plezi.key for row, _ in response.context["rows"]] == list(
        connected.fields.values_list("key", flat=True)
    )
    assert "Company (Company) · Single Line" in html
    assert "Save the mapping" in html
    assert (
        "“Lead source” and Zoho “Lead Source” have different values. Missing in Plezi: "
        "Twitter, Facebook. Make the lists identical in both tools, then save again."
    ) in html
    assert (
        "Create a single-line field “plezi_url” in your Zoho Leads so sales reps can open "
        "the Plezi record from a Lead, then refresh the Zoho fields."
    ) in html


def test_mandatory_rows_are_shown_disabled(owner_client, connected):
    response = owner_client.get(LEADS_URL)

    rows = {row.plezi.key: (row, form) for row, form in response.context["rows"]}
    for key in ("email", "first_name", "last_name", "email_opt_out"):
        row, form = rows[key]
        assert not row.editable and form is None
    assert 'name="rows-0-plezi_key" value="company"' in response.content.decode()


def test_contacts_tab_disables_plezi_to_zoho(owner_client, connected):
    response = owner_client.get(CONTACTS_URL)

    rows = {row.plezi.key: row for row, _ in response.context["rows"]}
    assert not any(row.can_to_zoho for row in rows.values())
    assert not rows["behaviour_score"].editable
    html = response.content.decode()
    assert "Contacts only come from Zoho into Plezi" in html
    assert "Behaviour score is computed by Plezi and only ever sent to Zoho Leads." in html


def test_custom_plezi_fields_appear_last(owner_client, connected):
    field_create(workspace=connected, key="budget", label="Budget", type="number")

    response = owner_client.get(LEADS_URL)

    assert response.context["rows"][-1][0].plezi.key == "budget"


def test_new_zoho_fields_are_offered_last(owner_client, connected, sandbox, connect):
    sandbox.add_field("Leads", "Budget", "Budget", "currency")
    connect("Leads")

    options = owner_client.get(LEADS_URL).context["page"].options

    assert options[-1].api_name == "Budget"


def test_admin_saves_and_sees_the_resync_banner(owner_client, connected):
    page = owner_client.get(LEADS_URL)
    data = set_row(form_data(page), page, "company", zoho_field="Description", from_zoho=False)

    response = owner_client.post(LEADS_URL, data, follow=True)

    assert response.redirect_chain == [(LEADS_URL, 302)]
    html = response.content.decode()
    assert "Mapping saved: 1 field changed." in html
    assert "Mapping changed — launch a synchronisation" in html
    assert state(connected, "company") == ("Description", True, False)


def test_refusals_are_shown_and_the_valid_rows_saved(owner_client, connected):
    page = owner_client.get(CONTACTS_URL)
    data = set_row(
        form_data(page), page, "company", zoho_field="Department", to_zoho=True, from_zoho=True
    )
    data = set_row(data, page, "phone", zoho_field="")

    response = owner_client.post(CONTACTS_URL, data, follow=True)

    html = response.content.decode()
    assert (
        "“Company”: Contacts are created and changed by your sales team in Zoho, "
        "so Plezi → Zoho is not available for Contacts."
    ) in html
    assert state(connected, "company", "Contacts") == ("Department", False, True)
    assert state(connected, "phone", "Contacts") == ("", False, False)


def test_saving_an_unchanged_page_says_so(owner_client, connected):
    page = owner_client.get(CONTACTS_URL)

    response = owner_client.post(CONTACTS_URL, form_data(page), follow=True)

    assert "Nothing to save: the mapping is unchanged." in response.content.decode()
    assert "launch a synchronisation" not in response.content.decode()


def test_member_sees_the_mapping_read_only(member_client, connected):
    response = member_client.get(LEADS_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Save the mapping" not in html
    assert "Only workspace admins can change the mapping." in html
    assert 'name="rows-0-zoho_field" id="id_rows-0-zoho_field" disabled' in html


def test_member_cannot_change_their_workspaces_mapping(member_client, owner_client, connected):
    page = owner_client.get(LEADS_URL)
    data = set_row(form_data(page), page, "company", zoho_field="")

    response = member_client.post(LEADS_URL, data)

    assert response.status_code == 403
    assert state(connected, "company") == ("Company", True, True)


def test_outsider_cannot_see_or_change_another_workspaces_mapping(
    outsider_client, owner_client, connected
):
    page = owner_client.get(LEADS_URL)
    data = set_row(form_data(page), page, "company", zoho_field="")

    assert outsider_client.get(LEADS_URL).status_code == 404
    assert outsider_client.post(LEADS_URL, data).status_code == 404
    assert state(connected, "company") == ("Company", True, True)


def test_a_tampered_form_changes_nothing(owner_client, connected):
    response = owner_client.post(LEADS_URL, {"rows-TOTAL_FORMS": "1"}, follow=True)

    assert "The mapping form was incomplete" in response.content.decode()
    assert state(connected, "company") == ("Company", True, True)


def test_page_with_150_zoho_and_60_plezi_fields_costs_a_fixed_number_of_queries(
    owner_client, workspace, sandbox, django_assert_num_queries
):
    fields = fetch_fields(sandbox, "Leads")
    zoho_fields_store(workspace=workspace, module="Leads", fields=fields)
    with CaptureQueriesContext(connection) as small:
        owner_client.get(LEADS_URL)
    fields += [zoho_field(f"Custom_{n}") for n in range(150 - len(fields))]
    for n in range(60 - workspace.fields.count()):
        field_create(workspace=workspace, key=f"custom_{n}", label=f"Custom {n}", type="text")
    zoho_fields_store(workspace=workspace, module="Leads", fields=fields)

    # Session, user, membership + workspace, then the Zoho snapshot, the
    # mapping rows and the Plezi fields: 6, whatever the number of fields
    # (the layout may add a few of its own, also fixed).
    assert len(small) <= 8
    with django_assert_num_queries(len(small)):
        response = owner_client.get(LEADS_URL)

    assert len(response.context["rows"]) == 60
    assert len(response.context["page"].options) == 150


@pytest.mark.urls("tests.mapping.urls_with_integration")
def test_refresh_button_posts_to_the_integration_and_comes_back(owner_client, connected):
    html = owner_client.get(LEADS_URL).content.decode()

    refresh_url = reverse("integration:refresh_fields", args=["acme"])
    assert f'<form method="post" action="{refresh_url}">' in html
    assert f'<input type="hidden" name="next" value="{LEADS_URL}">' in html
    assert "Refresh Zoho fields</button>" in html


@pytest.mark.urls("tests.mapping.urls_with_integration")
def test_members_get_no_refresh_button(member_client, connected):
    assert "Refresh Zoho fields</button>" not in member_client.get(LEADS_URL).content.decode()


@pytest.mark.urls("tests.mapping.urls_with_integration")
def test_empty_state_links_to_the_connection_page(owner_client, workspace):
    html = owner_client.get(LEADS_URL).content.decode()

    connection_url = reverse("integration:connection", args=["acme"])
    assert f'<a class="btn btn-primary" href="{connection_url}">Connect Zoho CRM</a>' in html


def row_of(response, key: str):
    return next(row for row, _ in response.context["rows"] if row.plezi.key == key)


def test_a_refused_row_keeps_the_choice_and_shows_its_error_on_the_row(owner_client, connected):
    page = owner_client.get(LEADS_URL)
    data = set_row(form_data(page), page, "behaviour_score", zoho_field="City", to_zoho=True)
    data = set_row(data, page, "company", zoho_field="Description", to_zoho=True)

    response = owner_client.post(LEADS_URL, data)

    assert response.status_code == 200  # rendered, so the choices survive
    refused = row_of(response, "behaviour_score")
    assert (refused.zoho_field, refused.to_zoho, refused.level) == ("City", True, "error")
    assert refused.messages == ("Behaviour score can only be sent to the Zoho field “score”.",)
    html = response.content.decode()
    assert '<option value="City" selected>' in html
    assert "Not saved: this field keeps its saved mapping until you correct it." in html
    assert "The rows marked “Error” were not saved" in html
    # The other change was saved, and its row says so.
    assert state(connected, "company")[0] == "Description"
    assert row_of(response, "company").level != "error"
    assert "Mapping saved: 1 field changed." in html
    assert not FieldMapping.objects.filter(zoho_field="City", plezi_field__key="behaviour_score")


def test_a_zoho_field_claimed_twice_is_refused_on_the_second_row(owner_client, connected):
    page = owner_client.get(LEADS_URL)
    data = set_row(form_data(page), page, "company", zoho_field="Description", to_zoho=True)
    data = set_row(data, page, "city", zoho_field="Description", to_zoho=True)

    response = owner_client.post(LEADS_URL, data)

    losing = row_of(response, "city")
    assert losing.level == "error" and losing.zoho_field == "Description"
    assert "Zoho “Description” is already mapped to “Company”" in losing.messages[0]
    assert row_of(response, "company").level != "error"
