"""Lead conversion: the lead stays, flagged ``$converted``; a Contact carries it on.

The Contact gets Zoho's standard mapping plus only the custom fields an admin mapped in
Setup → Lead Conversion Mapping (zoho-crm-api.md §10): an unmapped custom field, a filter
field say, is not copied, so the new Contact can fall outside a filter. Callers hold
``org.lock``.
"""

from __future__ import annotations

from typing import Any

from zoho_sandbox.state import Org
from zoho_sandbox.store import Record

# Zoho's default lead-conversion mapping (Leads field -> Contacts field).
STANDARD_MAPPING = {
    "Owner": "Owner",
    "Salutation": "Salutation",
    "First_Name": "First_Name",
    "Last_Name": "Last_Name",
    "Email": "Email",
    "Secondary_Email": "Secondary_Email",
    "Phone": "Phone",
    "Fax": "Fax",
    "Mobile": "Mobile",
    "Lead_Source": "Lead_Source",
    "Designation": "Title",
    "Email_Opt_Out": "Email_Opt_Out",
    "Skype_ID": "Skype_ID",
    "Twitter": "Twitter",
    "Street": "Mailing_Street",
    "City": "Mailing_City",
    "State": "Mailing_State",
    "Zip_Code": "Mailing_Zip",
    "Country": "Mailing_Country",
    "Description": "Description",
}


class MappingError(ValueError):
    """A conversion mapping Zoho's Setup would not let an admin save."""


def check_mapping(org: Org, mapping: Any) -> dict[str, str]:
    """``mapping`` (Leads custom field -> Contacts custom field), or ``MappingError``.

    Zoho maps the standard fields itself; an admin maps a custom field to a custom field
    of the same type, each Contacts field from one Leads field at most.
    """
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise MappingError("the mapping must be a JSON object of Leads -> Contacts API names")
    for source, target in mapping.items():
        _check_pair(org, source, target)
    targets = list(mapping.values())
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        raise MappingError(f"Contacts.{twice[0]} is mapped from more than one Leads field")
    return dict(mapping)


def _check_pair(org: Org, source: str, target: str) -> None:
    lead_field, contact_field = org.fields["Leads"].get(source), org.fields["Contacts"].get(target)
    if lead_field is None:
        raise MappingError(f"Leads has no field {source!r}")
    if contact_field is None:
        raise MappingError(f"Contacts has no field {target!r}")
    for module, name, field in (("Leads", source, lead_field), ("Contacts", target, contact_field)):
        if not field["custom_field"]:
            raise MappingError(
                f"{module}.{name} is a standard field: Zoho maps standard fields itself, "
                "an admin maps only custom fields"
            )
    kinds = [_type_of(lead_field), _type_of(contact_field)]
    if kinds[0] != kinds[1]:
        raise MappingError(
            f"Leads.{source} is {_kind(kinds[0])} but Contacts.{target} is {_kind(kinds[1])}: "
            "a field maps only to a field of the same type"
        )


def _type_of(field: dict) -> tuple[str, str | None]:
    return field["data_type"], (field["lookup"] or {}).get("module")


def _kind(kind: tuple[str, str | None]) -> str:
    data_type, lookup_module = kind
    return f"a lookup of {lookup_module}" if lookup_module else data_type


def convert_lead(org: Org, lead_id: str, actor: str, contact_id: str | None = None) -> dict:
    """Convert a lead; an existing ``contact_id`` is merged into instead of a new Contact.

    Returns Zoho's ``{"Contacts", "Deals", "Accounts"}`` or raises ``LookupError``/``ValueError``.
    """
    lead = org.stores["Leads"].records.get(lead_id)
    if lead is None:
        raise LookupError(lead_id)
    if lead.converted:
        raise ValueError(lead_id)
    now = int(org.now())
    account = _account_for(org, lead.values.get("Company"))
    values = _contact_values(org, lead, account)
    contacts = org.stores["Contacts"]
    if contact_id and contact_id in contacts.records:
        contact = contacts.records[contact_id]
        contact.modified, contact.modified_by = now, actor
        contacts.change(contact, values)
    else:
        contact = Record(org.new_id(), values, now, now, actor, actor)
        contacts.add(contact)
    lead.converted = True
    lead.converted_detail = {
        "contact": contact.id,
        "account": account and account["id"],
        "deal": None,
        "converted_by": actor,
        "convert_date": now,
    }
    lead.modified, lead.modified_by = now, actor
    org.stores["Leads"].touch(lead)
    org.log_write("convert", "Leads", lead, actor)
    org.log_write("convert", "Contacts", contact, actor)
    return {"Contacts": contact.id, "Deals": None, "Accounts": account and account["id"]}


def _account_for(org: Org, company: Any) -> dict | None:
    # Zoho creates an Account from Company; the sandbox has no Accounts module, so the
    # account only lives as the Contact's Account_Name lookup.
    return {"name": company, "id": org.new_id()} if company else None


def _contact_values(org: Org, lead: Record, account: dict | None) -> dict:
    mapping = {**STANDARD_MAPPING, **org.conversion_mapping}
    values = {target: lead.values.get(source) for source, target in mapping.items()}
    values["Account_Name"] = account
    return {k: v for k, v in values.items() if v is not None}
