"""Lead conversion copies Zoho's standard mapping plus only the custom fields an admin mapped."""

from __future__ import annotations

import pytest
import requests

from zoho_sandbox.server import start_in_thread
from zoho_sandbox.testing import SandboxError, SandboxHandle


def _twin_fields(sandbox, name="crm_to_plezi", data_type="text"):
    sandbox.add_field("Leads", name, name, data_type)
    sandbox.add_field("Contacts", name, name, data_type)


def _converted_contact(sandbox, values):
    [lead_id] = sandbox.create_records("Leads", [{"Last_Name": "Lovelace", **values}])
    contact_id = sandbox.convert_lead(lead_id)
    return next(c for c in sandbox.records("Contacts") if c["id"] == contact_id)


def test_an_unmapped_custom_field_does_not_reach_the_contact_even_with_a_twin(sandbox):
    _twin_fields(sandbox)
    contact = _converted_contact(sandbox, {"crm_to_plezi": "yes", "City": "London"})
    assert contact["crm_to_plezi"] is None
    assert (contact["Last_Name"], contact["Mailing_City"]) == ("Lovelace", "London")


def test_a_mapped_custom_field_is_copied_to_the_contact_field_it_names(sandbox):
    sandbox.add_field("Leads", "plezi_url", "plezi_url", "website")
    sandbox.add_field("Contacts", "Plezi_Profile", "Plezi profile", "website")
    _twin_fields(sandbox)
    mapping = {"plezi_url": "Plezi_Profile"}
    assert sandbox.set_conversion_mapping(mapping) == mapping
    assert sandbox.conversion_mapping() == mapping
    contact = _converted_contact(
        sandbox, {"plezi_url": "https://plezi.test/c/1", "crm_to_plezi": "yes"}
    )
    assert contact["Plezi_Profile"] == "https://plezi.test/c/1"
    assert contact["crm_to_plezi"] is None  # not in the mapping
    assert "plezi_url" not in contact


def test_a_new_mapping_replaces_the_old_and_reset_clears_it(sandbox):
    _twin_fields(sandbox)
    sandbox.set_conversion_mapping({"crm_to_plezi": "crm_to_plezi"})
    assert sandbox.set_conversion_mapping({}) == {}
    assert _converted_contact(sandbox, {"crm_to_plezi": "yes"})["crm_to_plezi"] is None
    sandbox.set_conversion_mapping({"crm_to_plezi": "crm_to_plezi"})
    sandbox.reset()
    assert sandbox.conversion_mapping() == {}


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"nope": "crm_to_plezi"}, "Leads has no field 'nope'"),
        ({"crm_to_plezi": "nope"}, "Contacts has no field 'nope'"),
        (
            {"City": "crm_to_plezi"},
            "Leads.City is a standard field: Zoho maps standard fields itself, "
            "an admin maps only custom fields",
        ),
        (
            {"crm_to_plezi": "Mailing_City"},
            "Contacts.Mailing_City is a standard field: Zoho maps standard fields itself, "
            "an admin maps only custom fields",
        ),
        (
            {"score": "crm_to_plezi"},
            "Leads.score is integer but Contacts.crm_to_plezi is text: "
            "a field maps only to a field of the same type",
        ),
        (
            {"crm_to_plezi": "crm_to_plezi", "other": "crm_to_plezi"},
            "Contacts.crm_to_plezi is mapped from more than one Leads field",
        ),
        (["crm_to_plezi"], "body must be a JSON object"),
        ({"crm_to_plezi": 1}, "the mapping must be a JSON object of Leads -> Contacts API names"),
    ],
)
def test_a_mapping_zoho_would_refuse_is_400_and_changes_nothing(sandbox, mapping, message):
    _twin_fields(sandbox)
    sandbox.add_field("Leads", "other", "other", "text")
    sandbox.add_field("Leads", "score", "score", "integer")
    sandbox.set_conversion_mapping({"other": "crm_to_plezi"})
    reply = requests.put(
        f"{sandbox.base_url}/__sandbox__/conversion_mapping", json=mapping, timeout=10
    )
    assert (reply.status_code, reply.json()) == (400, {"error": message})
    assert sandbox.conversion_mapping() == {"other": "crm_to_plezi"}


def test_the_helper_raises_on_a_refused_mapping(sandbox):
    with pytest.raises(SandboxError, match="Leads has no field 'nope'"):
        sandbox.set_conversion_mapping({"nope": "Email"})


def test_a_lookup_maps_only_to_a_lookup_of_the_same_module(sandbox):
    sandbox.add_field("Leads", "Partner", data_type="lookup", lookup_module="Accounts")
    sandbox.add_field("Contacts", "Referrer", data_type="lookup", lookup_module="Contacts")
    with pytest.raises(SandboxError) as refused:
        sandbox.set_conversion_mapping({"Partner": "Referrer"})
    assert "Leads.Partner is a lookup of Accounts but Contacts.Referrer is a lookup of " in str(
        refused.value
    )


def test_the_mapping_survives_a_restart_with_data(tmp_path):
    path = tmp_path / "org.json"
    server, _ = start_in_thread("127.0.0.1", 0, data=path)
    handle = SandboxHandle(server.base_url)
    _twin_fields(handle)
    handle.set_conversion_mapping({"crm_to_plezi": "crm_to_plezi"})
    server.stop()
    server, _ = start_in_thread("127.0.0.1", 0, data=path)
    try:
        assert SandboxHandle(server.base_url).conversion_mapping() == {
            "crm_to_plezi": "crm_to_plezi"
        }
    finally:
        server.stop()
