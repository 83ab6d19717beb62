"""Which Zoho hosts may receive credentials: each data center's API, its test orgs, no other."""

import pytest

from integration.zoho.domains import DATA_CENTERS, UnsafeZohoUrl, api_base, crm_base

EU, UK = DATA_CENTERS["eu"], DATA_CENTERS["uk"]


def test_the_uk_data_center_has_its_own_hosts():
    assert (UK.accounts_url, UK.api_url) == ("https://accounts.zoho.uk", "https://www.zohoapis.uk")
    assert crm_base("https://www.zohoapis.uk/crm/v2/", UK) == "https://www.zohoapis.uk/crm/v8/"


@pytest.mark.parametrize("kind", ["sandbox", "developer"])
def test_zohos_own_sandbox_and_developer_orgs_are_accepted_with_their_host(kind):
    host = f"https://{kind}.zohoapis.eu"
    assert api_base(host, EU) == f"{host}/crm/v8/"
    assert crm_base(f"{host}/crm/v2", EU) == f"{host}/crm/v8/"


@pytest.mark.parametrize(
    "origin",
    [
        "https://sandbox.zohoapis.com",  # a test org of another data center
        "https://evil.zohoapis.eu",
        "https://sandbox.zohoapis.eu.evil.test",
        "http://sandbox.zohoapis.eu",
    ],
)
def test_other_hosts_are_still_refused(origin):
    with pytest.raises(UnsafeZohoUrl):
        api_base(origin, EU)
    with pytest.raises(UnsafeZohoUrl):
        crm_base(origin + "/crm/v8/", EU)
