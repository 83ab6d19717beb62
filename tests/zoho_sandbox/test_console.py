"""The sandbox's console lists its newest Leads and Contacts with the fields Plezi writes."""

import requests

from tests.zoho_sandbox.crm_client import TIMEOUT


def test_console_lists_leads_and_contacts_with_the_fields_plezi_writes(sandbox):
    sandbox.add_field("Leads", "plezi_url")
    sandbox.create_records(
        "Leads",
        [
            {
                "Email": "vera@example.test",
                "First_Name": "Vera",
                "Last_Name": "<script>alert(1)</script>",
                "plezi_url": "http://plezi.test/w/acme/contacts/1/",
            }
        ],
    )

    page = requests.get(sandbox.base_url + "/", timeout=TIMEOUT).text

    leads = page[page.index("<h2 id='leads'>") : page.index("<h2 id='contacts'>")]
    assert "Leads (1)" in leads
    for header in ("Email", "First_Name", "Last_Name", "Company", "plezi_url", "score", "status"):
        assert f"<th>{header}</th>" in leads
    assert "<td>vera@example.test</td><td>Vera</td>" in leads
    assert "http://plezi.test/w/acme/contacts/1/" in leads
    assert "<script>alert" not in page and "&lt;script&gt;" in leads
    assert "No contacts yet." in page
