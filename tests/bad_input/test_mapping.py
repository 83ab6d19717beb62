"""The mapping page given every pairing the rules refuse: one message each, nothing changed.

Each case posts the page as rendered, with one row changed (or one row added,
as a tampered form would) to a pairing a rule forbids. Where part of the
pairing is allowed, the row first holds that allowed part, so asking for the
forbidden part must leave it exactly as it was. The Zoho field lists are
Zoho's own (read from the sandbox) plus the field kinds the sandbox does not
offer (lookup, formula, auto-number), as Zoho describes them.
"""

import pytest
from django.urls import reverse
from django.utils.html import escape

from contacts.services import field_create
from mapping.services import mapping_save, zoho_fields_store
from tests.bad_input.conftest import snapshot
from tests.mapping.zoho_meta import fetch_fields, zoho_field

INCOMPLETE = "The mapping form was incomplete: reload the page and try again."


def url(module: str) -> str:
    return reverse("mapping:edit", args=["acme", module])


@pytest.fixture
def mapped(sandbox, workspace):
    """Acme's Zoho fields stored and the default mapping proposed, as after connecting."""
    for api_name in ("plezi_url", "score", "status"):
        sandbox.add_field("Leads", api_name, api_name, "text", length=255)
    extra = [
        zoho_field("Parent_Account", "lookup", label="Parent Account", lookup={"module": "Leads"}),
        zoho_field(
            "Score_Formula", "formula", label="Score Formula", formula={"return_type": "double"}
        ),
        zoho_field("Lead_Number", "autonumber", label="Lead Number", auto_number={"start": 1}),
    ]
    field_create(
        workspace=workspace,
        key="industry",
        label="Industry",
        type="choice",
        choices=["Large Enterprise", "Quantum"],
    )
    field_create(workspace=workspace, key="budget", label="Budget", type="number")
    leads = fetch_fields(sandbox, "Leads") + extra
    zoho_fields_store(workspace=workspace, module="Leads", fields=leads)
    zoho_fields_store(
        workspace=workspace, module="Contacts", fields=fetch_fields(sandbox, "Contacts")
    )
    return workspace


def page_data(client, module: str) -> dict:
    """What the browser posts for the page as rendered (unchecked boxes are absent)."""
    formset = client.get(url(module)).context["formset"]
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
        f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
    }
    for index, form in enumerate(formset):
        data.update(_row(index, **form.initial))
    return data


def _row(index: int, plezi_key, zoho_field, to_zoho, from_zoho) -> dict:
    row = {f"rows-{index}-plezi_key": plezi_key, f"rows-{index}-zoho_field": zoho_field}
    if to_zoho:
        row[f"rows-{index}-to_zoho"] = "on"
    if from_zoho:
        row[f"rows-{index}-from_zoho"] = "on"
    return row


def with_row(data: dict, key: str, zoho: str, to: bool, back: bool) -> dict:
    """`data` with the row of `key` set; a row the page does not offer is appended."""
    count = int(data["rows-TOTAL_FORMS"])
    keys = {data[f"rows-{i}-plezi_key"]: i for i in range(count)}
    index = keys.get(key, count)
    data = {k: v for k, v in data.items() if not k.startswith(f"rows-{index}-")}
    data["rows-TOTAL_FORMS"] = str(max(count, index + 1))
    return {**data, **_row(index, key, zoho, to, back)}


def holding(module: str, key: str, zoho: str, to: bool, back: bool):
    """A setup: the row first holds this (allowed) pairing."""

    def prepare(workspace):
        row = {"plezi_key": key, "zoho_field": zoho, "to_zoho": to, "from_zoho": back}
        report = mapping_save(workspace=workspace, module=module, rows=[row])
        assert report.errors == [], report.errors

    return prepare


# (tab, Plezi key, Zoho API name, Plezi → Zoho, Zoho → Plezi, message, setup)
CASES = [
    pytest.param(
        "leads",
        "company",
        "Nope",
        True,
        True,
        "“Company”: the Zoho field “Nope” does not exist in Leads. Choose another Zoho field, "
        "or create it in Zoho and click Refresh Zoho fields.",
        None,
        id="zoho-field-does-not-exist",
    ),
    pytest.param(
        "leads",
        "phone",
        "Annual_Revenue",
        True,
        True,
        "“Phone” is Phone and Zoho “Annual Revenue” is Currency: these types are not "
        "compatible. Choose a Zoho field of a matching type.",
        None,
        id="incompatible-types",
    ),
    pytest.param(
        "leads",
        "budget",
        "Description",
        True,
        True,
        "Zoho “Description” is Multi Line and cannot fill “Budget”, which is Number: only "
        "Plezi → Zoho is available.",
        holding("Leads", "budget", "Description", True, False),
        id="text-cannot-fill-a-number",
    ),
    pytest.param(
        "leads",
        "lead_source",
        "Description",
        True,
        True,
        "Zoho “Description” is free text: it cannot fill the choice list of “Lead source”, or "
        "every value typed in Zoho would become a new choice.",
        holding("Leads", "lead_source", "Description", True, False),
        id="free-text-into-a-choice-field",
    ),
    pytest.param(
        "leads",
        "lead_source",
        "Lead_Source",
        True,
        True,
        "“Lead source” and Zoho “Lead Source” have different values. Missing in Plezi: "
        "Twitter, Facebook. Make the lists identical in both tools, then save again.",
        None,
        id="picklist-values-missing-in-plezi",
    ),
    pytest.param(
        "leads",
        "industry",
        "Industry",
        True,
        False,
        "Missing in Zoho: Quantum.",
        None,
        id="picklist-values-missing-in-zoho",
    ),
    pytest.param(
        "leads",
        "email",
        "Secondary_Email",
        True,
        True,
        "Email is mandatory: it is always mapped to Zoho “Email” in both directions and "
        "cannot be changed.",
        None,
        id="mandatory-field-moved",
    ),
    pytest.param(
        "leads",
        "last_name",
        "Last_Name",
        True,
        False,
        "Last name is mandatory: it is always mapped to Zoho “Last_Name” in both directions",
        None,
        id="mandatory-direction-turned-off",
    ),
    pytest.param(
        "leads",
        "company",
        "Email",
        True,
        True,
        "Zoho “Email” is reserved for Plezi's mandatory Email: “Company” cannot be mapped to it.",
        None,
        id="mandatory-zoho-field-taken",
    ),
    pytest.param(
        "leads",
        "email_opt_out",
        "Email_Opt_Out",
        True,
        True,
        "Email opt-out is not mapped here: Plezi synchronises consent with Zoho itself, "
        "whatever the mapping.",
        None,
        id="consent-mapped-by-hand",
    ),
    pytest.param(
        "leads",
        "company",
        "Email_Opt_Out",
        True,
        True,
        "Zoho “Email Opt Out” holds consent, which Plezi synchronises itself: “Company” cannot "
        "be mapped to it.",
        None,
        id="consent-zoho-field-taken",
    ),
    pytest.param(
        "leads",
        "behaviour_score",
        "score",
        True,
        True,
        "Behaviour score can only be sent from Plezi to Zoho (it is computed by Plezi).",
        None,
        id="score-from-zoho",
    ),
    pytest.param(
        "leads",
        "state",
        "status",
        True,
        True,
        "State can only be sent from Plezi to Zoho (it is computed by Plezi).",
        None,
        id="state-from-zoho",
    ),
    pytest.param(
        "leads",
        "behaviour_score",
        "Description",
        True,
        False,
        "Behaviour score can only be sent to the Zoho field “score”.",
        None,
        id="score-to-another-field",
    ),
    pytest.param(
        "leads",
        "company",
        "score",
        True,
        False,
        "Zoho “score” is reserved for Plezi's Behaviour score: “Company” cannot be mapped to it.",
        None,
        id="score-field-taken",
    ),
    pytest.param(
        "leads",
        "company",
        "status",
        True,
        False,
        "Zoho “status” is reserved for Plezi's State: “Company” cannot be mapped to it.",
        None,
        id="status-field-taken",
    ),
    pytest.param(
        "leads",
        "company",
        "plezi_url",
        True,
        False,
        "Zoho “plezi_url” receives each contact's Plezi link automatically: “Company” cannot "
        "be mapped to it.",
        None,
        id="plezi-url-field-taken",
    ),
    pytest.param(
        "leads",
        "company",
        "Owner",
        True,
        False,
        "Zoho “Lead Owner” is an owner field (a Zoho user): Plezi cannot write it, so "
        "“Company” cannot be sent to it.",
        None,
        id="owner-field",
    ),
    pytest.param(
        "leads",
        "company",
        "Parent_Account",
        True,
        False,
        "Zoho “Parent Account” is a lookup (a link to another Zoho record): Plezi cannot write "
        "it, so “Company” cannot be sent to it.",
        None,
        id="lookup-field",
    ),
    pytest.param(
        "leads",
        "company",
        "Score_Formula",
        True,
        False,
        "Zoho “Score Formula” is a formula computed by Zoho: Plezi cannot write it, so "
        "“Company” cannot be sent to it.",
        None,
        id="formula-field",
    ),
    pytest.param(
        "leads",
        "company",
        "Lead_Number",
        True,
        False,
        "Zoho “Lead Number” is numbered automatically by Zoho: Plezi cannot write it, so "
        "“Company” cannot be sent to it.",
        None,
        id="autonumber-field",
    ),
    pytest.param(
        "leads",
        "company",
        "Full_Name",
        True,
        True,
        "Zoho “Lead Name” is read-only: Plezi cannot write it, so “Company” cannot be sent to it.",
        holding("Leads", "company", "Full_Name", False, True),
        id="read-only-field",
    ),
    pytest.param(
        "leads",
        "company",
        "Phone",
        True,
        True,
        "Zoho “Phone” is already mapped to “Phone”: a Zoho field can be mapped to one Plezi "
        "field only. “Company” was not changed.",
        None,
        id="zoho-field-already-mapped",
    ),
    pytest.param(
        "contacts",
        "company",
        "Department",
        True,
        True,
        "“Company”: Contacts are created and changed by your sales team in Zoho, so Plezi → "
        "Zoho is not available for Contacts.",
        holding("Contacts", "company", "Department", False, True),
        id="contacts-to-zoho",
    ),
    pytest.param(
        "leads",
        "lead_source",
        "Description",
        False,
        True,
        "Zoho “Description” is free text: it cannot fill the choice list of “Lead source”",
        None,
        id="only-a-refused-direction-leads",
    ),
    pytest.param(
        "contacts",
        "company",
        "Department",
        True,
        False,
        "“Company”: Contacts are created and changed by your sales team in Zoho",
        None,
        id="only-a-refused-direction-contacts",
    ),
    pytest.param(
        "contacts",
        "company",
        "Nope",
        False,
        False,
        "“Company”: the Zoho field “Nope” does not exist in Contacts.",
        None,
        id="contacts-missing-field-without-direction",
    ),
]


@pytest.mark.parametrize(("tab", "key", "zoho", "to", "back", "message", "prepare"), CASES)
def test_refused_pairing_says_why_and_changes_nothing(
    owner_client, mapped, tab, key, zoho, to, back, message, prepare
):
    if prepare:
        prepare(mapped)
    data = with_row(page_data(owner_client, tab), key, zoho, to, back)
    before = snapshot(mapped)

    response = owner_client.post(url(tab), data, follow=True)

    page = response.content.decode()
    assert escape(message) in page
    assert "Mapping saved" not in page
    assert snapshot(mapped) == before


TAMPERED = [
    pytest.param(
        lambda data: {k: v for k, v in data.items() if "TOTAL_FORMS" not in k},
        INCOMPLETE,
        id="no-management-form",
    ),
    pytest.param(
        lambda data: {**data, "rows-TOTAL_FORMS": "many"}, INCOMPLETE, id="form-count-not-a-number"
    ),
    pytest.param(
        lambda data: with_row(data, "company", "C" * 101, True, True),
        INCOMPLETE,
        id="zoho-field-name-too-long",
    ),
    pytest.param(
        lambda data: with_row(data, "", "Company", True, True), INCOMPLETE, id="row-without-key"
    ),
    pytest.param(
        lambda data: with_row(data, "no_such_field", "Company", True, True),
        "Nothing to save: the mapping is unchanged.",
        id="unknown-plezi-field",
    ),
]


@pytest.mark.parametrize(("tamper", "message"), TAMPERED)
def test_tampered_form_changes_nothing(owner_client, mapped, tamper, message):
    data = tamper(page_data(owner_client, "leads"))
    before = snapshot(mapped)

    response = owner_client.post(url("leads"), data, follow=True)

    assert escape(message) in response.content.decode()
    assert snapshot(mapped) == before


def test_mapping_before_connecting_says_to_connect_first(owner_client, workspace):
    before = snapshot(workspace)
    data = {"rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "1"}
    data.update(_row(0, "company", "Company", True, True))

    response = owner_client.post(url("leads"), data, follow=True)

    assert (
        "Connect Zoho CRM first: Plezi needs the list of Zoho fields to check the mapping."
        in response.content.decode()
    )
    assert snapshot(workspace) == before


def test_unknown_zoho_module_is_404(owner_client, mapped):
    before = snapshot(mapped)

    response = owner_client.post(url("deals"), page_data(owner_client, "leads"))

    assert response.status_code == 404
    assert snapshot(mapped) == before
