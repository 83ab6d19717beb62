"""The mapping page in French: what it computes for the reader, and Zoho's own names."""

from django.urls import reverse

FRENCH = {"accept-language": "fr"}


def test_the_state_of_each_row_reads_in_french(owner_client, workspace, connect):
    connect()

    page = owner_client.get(reverse("mapping:edit", args=["acme", "contacts"]), headers=FRENCH)

    html = page.content.decode()
    assert "Correspondance des champs · Contacts" in html
    assert "Rempli depuis Zoho." in html  # a mandatory field, filled from Zoho Contacts
    assert "Non associé." in html  # a field with no Zoho field yet
    assert "Champ Zoho pour Company" in html


def test_the_leads_tab_is_called_prospects_as_in_zoho_crm_in_french(
    owner_client, workspace, connect
):
    connect()

    page = owner_client.get(reverse("mapping:edit", args=["acme", "leads"]), headers=FRENCH)

    html = page.content.decode()
    assert "Correspondance des champs · Prospects" in html
    assert "Les Prospects se synchronisent dans les deux sens." in html
