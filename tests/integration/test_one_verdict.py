"""plezi_url gets one verdict: the Zoho CRM page, the mapping page and the sync agree."""

import pytest

import devserver
from integration.checks import SINGLE_LINE
from integration.selectors.connection import LEAD_FIELDS
from mapping.selectors import plezi_url_field
from tests.integration.conftest import form_data

ZOHO_URL = "/w/acme/zoho/"
MAPPING_URL = "/w/acme/mapping/leads/"


def plezi_url_row(page: str) -> str:
    start = page.index("<code>plezi_url</code>")
    return page[start : page.index("</tr>", start)]


def pages(owner_client, zoho, data_type: str) -> tuple[str, str]:
    zoho.add_field("Leads", "plezi_url", data_type=data_type)
    owner_client.post(ZOHO_URL, form_data(zoho))
    return (
        owner_client.get(ZOHO_URL).content.decode(),
        owner_client.get(MAPPING_URL).content.decode(),
    )


@pytest.mark.parametrize("data_type", ["text", "website", "textarea"])
def test_a_field_the_sync_writes_is_present_on_both_pages(owner_client, zoho, workspace, data_type):
    connection_page, mapping_page = pages(owner_client, zoho, data_type)

    assert "Present" in plezi_url_row(connection_page)
    assert "Wrong type" not in connection_page
    assert "Always sent: sales reps open the Plezi record from the Lead." in mapping_page
    assert plezi_url_field(workspace) == "plezi_url"


def test_a_field_the_sync_cannot_write_is_refused_on_both_pages(owner_client, zoho, workspace):
    connection_page, mapping_page = pages(owner_client, zoho, "integer")

    assert "Wrong type (integer)" in plezi_url_row(connection_page)
    assert "Always sent" not in mapping_page
    assert "Create a single-line field “plezi_url” in your Zoho Leads" in mapping_page
    assert plezi_url_field(workspace) is None


def test_the_demo_creates_the_seeds_fields_as_single_line_fields():
    demo = {api: data_type for module, api, _, data_type, _ in devserver.ZOHO_CUSTOM_FIELDS}

    for spec in LEAD_FIELDS:
        assert demo[spec.name] == SINGLE_LINE, spec.name


def test_score_and_status_get_the_mappings_verdict(owner_client, zoho, workspace):
    # A number field takes the behaviour score, as the mapping page accepts it.
    zoho.add_field("Leads", "score", data_type="integer")
    zoho.add_field("Leads", "status", data_type="date")
    owner_client.post(ZOHO_URL, form_data(zoho))

    page = owner_client.get(ZOHO_URL).content.decode()

    score = page[page.index("<code>score</code>") :]
    assert "Present" in score[: score.index("</tr>")]
    status = page[page.index("<code>status</code>") :]
    assert "Wrong type (date)" in status[: status.index("</tr>")]
