"""Leads that sales converted in Zoho while Plezi still wrote to them.

Zoho refuses any write to a converted lead (zoho-crm-api.md §10), and the Contact
the conversion made is sales' record: Plezi never writes Contacts (the seed). So a
refused push means the contact now follows that Contact, whether the conversion
kept it inside the filter or not; Plezi's unsent changes stay in Plezi and an issue
says which. Never retried: retrying would push into the dead lead forever.
"""

from integration.sync import issues
from integration.sync.context import CONTACTS, LEADS, Run
from integration.sync.pull import pull_records
from integration.sync.states import states_converted

# v8 names the refusal with its own codes; v2 says INVALID_DATA with this message.
_CODES = {"CONVERTED_RECORD", "ID_ALREADY_CONVERTED"}
_MESSAGE = "converted record"


def refused_as_converted(result) -> bool:
    """Zoho's per-record refusal of a write to a converted lead."""
    return result.code in _CODES or (
        result.code == "INVALID_DATA" and _MESSAGE in (result.message or "").lower()
    )


def converted_contact_id(run: Run, lead_id: str) -> str:
    """The Contact a converted lead became (`$converted_detail.contact`), or ""."""
    lead = run.client.get_record(LEADS, lead_id) or {}
    detail = lead.get("$converted_detail")
    contact = detail.get("contact") if isinstance(detail, dict) else None
    if isinstance(contact, dict):  # some replies give the lookup, not the bare id
        contact = contact.get("id")
    return str(contact) if isinstance(contact, (str, int)) and str(contact).isdigit() else ""


def report_unsent(run: Run, out, contact_id: str) -> None:
    """Say which Plezi changes stay in Plezi now that the lead is a Zoho Contact."""
    shadow = out.state.shadow
    keys = sorted(k for k, v in out.shadow.items() if shadow.get(k) != v and k != "plezi_url")
    kept = ", ".join(keys) or "none"
    followed = f"Zoho Contact {contact_id}" if contact_id else "the Zoho Contact it became"
    issues.skipped(
        run,
        issues.to_zoho(out.contact, out.state.zoho_id),
        code="CONVERTED",
        message=(
            f"Sales converted this lead into a Zoho Contact, and Zoho accepts no more changes "
            f"to a converted lead. From now on this contact follows {followed} (Zoho → Plezi "
            f"only). Plezi's changes not sent ({kept}) stay in Plezi; to have them in Zoho, "
            f"enter them on the Contact in Zoho."
        ),
    )


def follow_conversions(run: Run, outs: list) -> None:
    """Pull each converted lead's Contact (in scope or not), which links the contact to it.

    A Contact Zoho does not name or show still ends the lead's pushes: the contact is
    marked as a Zoho Contact, and the next pull that lists the Contact links it.
    """
    contact_ids = {out.state.zoho_id: converted_contact_id(run, out.state.zoho_id) for out in outs}
    for out in outs:
        report_unsent(run, out, contact_ids[out.state.zoho_id])
    pull_records(run, CONTACTS, [c for c in contact_ids.values() if c], any_scope=True)
    states_converted(run, lead_ids=list(contact_ids))
